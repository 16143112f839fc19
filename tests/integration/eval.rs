//! The scoring rules of ANNOTATION_GUIDELINES.md ("Scoring"), pinned one behaviour per
//! test on a small press-release sentence, then on the gold fixtures (against themselves
//! and against a deliberately damaged copy).

use crate::util::fixtures_dir;
use std::path::Path;
use whosaid::eval::{evaluate_dirs, metric_names, score_document, Accuracy, PrfCounts, DocScores};
use whosaid::{Annotations, Label, RelKind, Span, SpanAnn, Text};

use Label::{LOC, MISC, ORG, PER, QUOTE, ROLE};
use RelKind::{HasRole, RoleOrg, Speaker};

const TEXT: &str = "John Adler, chairman and chief executive of University Hospitals of Leicester NHS Trust, \
said: “We are proud of our staff.” Adler added: “The CQC found real improvements in Leicester.” \
The trust said it was “delighted”.";

const Q1: &str = "“We are proud of our staff.”";
const Q2: &str = "“The CQC found real improvements in Leicester.”";
const Q3: &str = "“delighted”";
const UHL: &str = "University Hospitals of Leicester NHS Trust";

/// The character span of the `n`th (1-based) occurrence of `needle` in [`TEXT`].
fn find(needle: &str, n: usize) -> Span {
    let (b, _) = TEXT.match_indices(needle).nth(n - 1).unwrap_or_else(|| panic!("'{needle}' #{n} not in TEXT"));
    Text::new(TEXT.to_string()).byte_span(b, b + needle.len()).unwrap()
}

/// Annotations of [`TEXT`], built line by line like a brat file.
#[derive(Default)]
struct Ann(Annotations);

fn ann() -> Ann {
    Ann::default()
}

impl Ann {
    /// A span on the first occurrence of `needle`.
    fn t(self, id: &str, label: Label, needle: &str) -> Ann {
        self.t_nth(id, label, needle, 1)
    }
    fn t_nth(self, id: &str, label: Label, needle: &str, n: usize) -> Ann {
        self.t_at(id, label, find(needle, n))
    }
    fn t_at(mut self, id: &str, label: Label, span: Span) -> Ann {
        self.0.spans.push(SpanAnn { id: id.into(), label, span, score: None, partial: false });
        self
    }
    fn r(mut self, kind: RelKind, arg1: &str, arg2: &str) -> Ann {
        self.0.add_relation(kind, arg1, arg2, None);
        self
    }
    fn equiv(mut self, ids: &[&str]) -> Ann {
        self.0.equivs.push(ids.iter().map(|s| s.to_string()).collect());
        self
    }
}

fn score(gold: Ann, pred: Ann) -> DocScores {
    score_document(&gold.0, &pred.0)
}

fn counts(tp: usize, fp: usize, fn_: usize) -> PrfCounts {
    PrfCounts::new(tp, fp, fn_)
}

// ---------------------------------------------------------------- entities

#[test]
fn an_exact_entity_counts_under_both_exact_and_overlap() {
    let s = score(ann().t("T1", PER, "John Adler"), ann().t("T1", PER, "John Adler"));
    assert_eq!(s.entities.per.exact, counts(1, 0, 0));
    assert_eq!(s.entities.per.overlap, counts(1, 0, 0));
    assert_eq!(s.metric("entities.PER.exact.f1"), Some(100.0));
}

#[test]
fn a_boundary_error_counts_under_overlap_but_not_exact() {
    let s = score(ann().t("T1", PER, "John Adler"), ann().t("T1", PER, "Adler"));
    assert_eq!(s.entities.per.exact, counts(0, 1, 1));
    assert_eq!(s.entities.per.overlap, counts(1, 0, 0));
    assert_eq!(s.metric("entities.micro.exact.f1"), Some(0.0));
    assert_eq!(s.metric("entities.micro.overlap.f1"), Some(100.0));
}

#[test]
fn the_right_span_with_the_wrong_type_matches_nothing() {
    let s = score(ann().t("T1", PER, "John Adler"), ann().t("T1", ORG, "John Adler"));
    assert_eq!(s.entities.per.overlap, counts(0, 0, 1));
    assert_eq!(s.entities.org.overlap, counts(0, 1, 0));
    assert_eq!(s.entities.micro.exact, counts(0, 1, 1));
    assert_eq!(s.entities.micro.overlap, counts(0, 1, 1));
}

#[test]
fn two_predictions_on_one_gold_mention_give_one_match_and_one_false_positive() {
    let gold = ann().t("T1", PER, "John Adler");
    let pred = ann().t("T1", PER, "John").t_nth("T2", PER, "Adler", 1);
    let s = score(gold, pred);
    assert_eq!(s.entities.per.overlap, counts(1, 1, 0));
    assert_eq!(s.entities.per.exact, counts(0, 2, 1));
}

#[test]
fn one_prediction_over_two_gold_mentions_matches_only_one_of_them() {
    // Two titles joined by "and" are two ROLEs; a system that tags them as one span
    // overlaps both but is matched to one.
    let gold = ann().t("T1", ROLE, "chairman").t("T2", ROLE, "chief executive");
    let pred = ann().t("T1", ROLE, "chairman and chief executive");
    assert_eq!(score(gold, pred).entities.role.overlap, counts(1, 0, 1));
}

#[test]
fn exact_pairs_are_matched_before_other_overlaps() {
    // The long prediction overlaps "chief executive" as much as the exact one does; the
    // exact pair is taken first, which leaves the long one for "chairman".
    let gold = ann().t("T1", ROLE, "chairman").t("T2", ROLE, "chief executive");
    let pred = ann().t("T1", ROLE, "chairman and chief executive").t("T2", ROLE, "chief executive");
    let s = score(gold, pred);
    assert_eq!(s.entities.role.overlap, counts(2, 0, 0));
    assert_eq!(s.entities.role.exact, counts(1, 1, 1));
}

#[test]
fn micro_is_per_org_and_role_summed() {
    let gold = ann().t("T1", PER, "John Adler").t("T2", ROLE, "chief executive").t("T3", ORG, UHL);
    let pred = ann().t("T1", PER, "John Adler").t("T2", ROLE, "executive").t("T3", PER, UHL);
    let s = score(gold, pred);
    // PER: 1 tp + 1 fp; ROLE: boundary error; ORG: missed.
    assert_eq!(s.entities.micro.exact, counts(1, 2, 2));
    assert_eq!(s.entities.micro.overlap, counts(2, 1, 1));
    assert_eq!(s.metric("entities.micro.overlap.p"), Some(200.0 / 3.0));
    assert_eq!(s.metric("entities.micro.overlap.r"), Some(200.0 / 3.0));
}

#[test]
fn loc_is_scored_apart_and_left_out_of_the_micro_average() {
    let gold = ann().t("T1", PER, "John Adler").t_nth("T2", LOC, "Leicester", 2);
    let pred = ann().t("T1", PER, "John Adler").t("T2", LOC, "trust");
    let s = score(gold, pred);
    assert_eq!(s.entities.loc.exact, counts(0, 1, 1));
    assert_eq!(s.metric("entities.LOC.exact.f1"), Some(0.0));
    assert_eq!(s.entities.micro.exact, counts(1, 0, 0));
    assert_eq!(s.metric("entities.micro.exact.f1"), Some(100.0));
}

#[test]
fn misc_is_ignored_in_gold_and_in_predictions() {
    let gold = ann().t("T1", PER, "John Adler").t("T2", MISC, "NHS");
    let pred = ann().t("T1", PER, "John Adler").t("T2", MISC, "CQC").t("T3", MISC, "Leicester");
    let s = score(gold, pred);
    assert_eq!(s.entities.micro.exact, counts(1, 0, 0));
    assert_eq!(s, score(ann().t("T1", PER, "John Adler"), ann().t("T1", PER, "John Adler")));
}

// ---------------------------------------------------------------- quotes

#[test]
fn a_quote_with_other_boundaries_is_found_but_not_exact() {
    // Without the quotation marks: 26 of 28 characters.
    let q = find(Q1, 1);
    let gold = ann().t("T1", QUOTE, Q1);
    let pred = ann().t_at("T1", QUOTE, Span::new(q.start + 1, q.end - 1));
    let s = score(gold, pred);
    assert_eq!(s.quotes.exact, counts(0, 1, 1));
    assert_eq!(s.quotes.overlap, counts(1, 0, 0));
}

#[test]
fn a_quote_sharing_exactly_half_of_the_longer_span_is_found() {
    let q = find(Q1, 1);
    assert_eq!(q.len(), 28);
    // Shifted right by 14: shares 14 of 28 characters.
    let pred = ann().t_at("T1", QUOTE, Span::new(q.start + 14, q.end + 14));
    assert_eq!(score(ann().t("T1", QUOTE, Q1), pred).quotes.overlap, counts(1, 0, 0));
    // Twice as long as the gold quote, containing it: shares 28 of 56.
    let pred = ann().t_at("T1", QUOTE, Span::new(q.start, q.end + 28));
    assert_eq!(score(ann().t("T1", QUOTE, Q1), pred).quotes.overlap, counts(1, 0, 0));
}

#[test]
fn a_quote_sharing_less_than_half_of_the_longer_span_is_not_found() {
    let q = find(Q1, 1);
    let pred = ann().t_at("T1", QUOTE, Span::new(q.start + 15, q.end + 15));
    assert_eq!(score(ann().t("T1", QUOTE, Q1), pred).quotes.overlap, counts(0, 1, 1));
    // The gold quote lies wholly inside, but it is less than half of the prediction.
    let pred = ann().t_at("T1", QUOTE, Span::new(q.start, q.end + 29));
    assert_eq!(score(ann().t("T1", QUOTE, Q1), pred).quotes.overlap, counts(0, 1, 1));
}

#[test]
fn quote_matching_is_one_to_one() {
    // Two predictions cover the two halves of one gold quote; only one is matched.
    let q = find(Q1, 1);
    let pred = ann()
        .t_at("T1", QUOTE, Span::new(q.start, q.start + 14))
        .t_at("T2", QUOTE, Span::new(q.start + 14, q.end));
    assert_eq!(score(ann().t("T1", QUOTE, Q1), pred).quotes.overlap, counts(1, 1, 0));
}

// ---------------------------------------------------------------- speakers

/// John Adler says Q1; "Adler" (the same person) says Q2; Q3 has no annotatable source.
fn speaker_gold() -> Ann {
    ann()
        .t("T1", PER, "John Adler")
        .t("T2", QUOTE, Q1)
        .t_nth("T3", PER, "Adler", 2)
        .t("T4", QUOTE, Q2)
        .t("T5", ORG, "CQC")
        .t("T6", QUOTE, Q3)
        .r(Speaker, "T2", "T1")
        .r(Speaker, "T4", "T3")
        .equiv(&["T1", "T3"])
}

#[test]
fn the_gold_speaker_mention_itself_is_correct() {
    let pred = ann().t("T1", PER, "John Adler").t("T2", QUOTE, Q1).r(Speaker, "T2", "T1");
    let s = score(speaker_gold(), pred);
    assert_eq!(s.speaker, Accuracy { correct: 1, found: 1, gold: 3 });
    assert_eq!(s.metric("speaker.accuracy"), Some(100.0));
}

#[test]
fn another_mention_of_the_gold_speakers_equiv_group_is_correct() {
    // Q1 is attributed to the later "Adler", which the gold groups with "John Adler".
    let pred = ann().t_nth("T1", PER, "Adler", 2).t("T2", QUOTE, Q1).r(Speaker, "T2", "T1");
    assert_eq!(score(speaker_gold(), pred).speaker.correct, 1);
}

#[test]
fn a_predicted_speaker_overlapping_a_gold_mention_is_correct() {
    // "Adler" inside "John Adler": a boundary error on the mention does not matter.
    let pred = ann().t_nth("T1", PER, "Adler", 1).t("T2", QUOTE, Q1).r(Speaker, "T2", "T1");
    assert_eq!(score(speaker_gold(), pred).speaker.correct, 1);
}

#[test]
fn a_found_quote_with_the_wrong_speaker_hurts_accuracy_and_e2e_but_not_quote_scores() {
    let gold = ann().t("T1", PER, "John Adler").t("T2", QUOTE, Q2).t("T3", ORG, "CQC").r(Speaker, "T2", "T1");
    let pred = ann().t("T1", PER, "John Adler").t("T2", QUOTE, Q2).t("T3", ORG, "CQC").r(Speaker, "T2", "T3");
    let s = score(gold, pred);
    assert_eq!(s.quotes.exact, counts(1, 0, 0));
    assert_eq!(s.quotes.overlap, counts(1, 0, 0));
    assert_eq!(s.speaker, Accuracy { correct: 0, found: 1, gold: 1 });
    assert_eq!(s.metric("speaker.accuracy"), Some(0.0));
    assert_eq!(s.e2e, counts(0, 1, 1));
}

#[test]
fn a_found_quote_without_a_predicted_speaker_is_wrong() {
    let pred = ann().t("T1", QUOTE, Q1);
    let s = score(speaker_gold(), pred);
    assert_eq!(s.speaker, Accuracy { correct: 0, found: 1, gold: 3 });
}

#[test]
fn a_gold_quote_without_speaker_is_right_when_the_prediction_has_none_either() {
    let pred = ann().t("T1", QUOTE, Q3);
    let s = score(speaker_gold(), pred);
    assert_eq!(s.speaker, Accuracy { correct: 1, found: 1, gold: 3 });
    assert_eq!(s.e2e, counts(1, 0, 2));
}

#[test]
fn a_gold_quote_without_speaker_is_wrong_when_the_prediction_names_one() {
    let pred = ann().t("T1", ORG, "CQC").t("T2", QUOTE, Q3).r(Speaker, "T2", "T1");
    let s = score(speaker_gold(), pred);
    assert_eq!(s.speaker, Accuracy { correct: 0, found: 1, gold: 3 });
    assert_eq!(s.e2e, counts(0, 1, 3));
}

#[test]
fn quotes_not_found_are_left_out_of_speaker_accuracy_but_count_in_e2e() {
    let pred = ann().t("T1", PER, "John Adler").t("T2", QUOTE, Q1).r(Speaker, "T2", "T1");
    let s = score(speaker_gold(), pred);
    assert_eq!(s.metric("speaker.accuracy"), Some(100.0));
    assert_eq!(s.e2e, counts(1, 0, 2));
    assert_eq!(s.metric("e2e.p"), Some(100.0));
    assert_eq!(s.metric("e2e.r"), Some(100.0 / 3.0));
    assert_eq!(s.metric("e2e.f1"), Some(50.0));
}

#[test]
fn e2e_needs_the_quote_found_under_the_half_overlap_rule() {
    // The right speaker on a quote that shares too little with the gold one.
    let q = find(Q1, 1);
    let pred = ann().t("T1", PER, "John Adler").t_at("T2", QUOTE, Span::new(q.start + 20, q.end + 20));
    let pred = pred.r(Speaker, "T2", "T1");
    let s = score(speaker_gold(), pred);
    assert_eq!(s.speaker, Accuracy { correct: 0, found: 0, gold: 3 });
    assert_eq!(s.metric("speaker.accuracy"), Some(0.0));
    assert_eq!(s.e2e, counts(0, 1, 3));
}

// ---------------------------------------------------------------- relations

fn role_gold() -> Ann {
    ann()
        .t("T1", PER, "John Adler")
        .t("T2", ROLE, "chairman")
        .t("T3", ROLE, "chief executive")
        .t("T4", ORG, UHL)
        .r(HasRole, "T1", "T2")
        .r(HasRole, "T1", "T3")
        .r(RoleOrg, "T2", "T4")
        .r(RoleOrg, "T3", "T4")
}

#[test]
fn gold_relations_against_themselves_score_100() {
    let s = score(role_gold(), role_gold());
    assert_eq!(s.hasrole, counts(2, 0, 0));
    assert_eq!(s.roleorg, counts(2, 0, 0));
}

#[test]
fn hasrole_matches_when_both_arguments_overlap() {
    // Boundary errors on both arguments: "Adler" for "John Adler", "executive" for "chief executive".
    let pred = ann().t_nth("T1", PER, "Adler", 1).t("T2", ROLE, "executive").r(HasRole, "T1", "T2");
    let s = score(role_gold(), pred);
    assert_eq!(s.hasrole, counts(1, 0, 1));
    assert_eq!(s.metric("hasrole.p"), Some(100.0));
    assert_eq!(s.metric("hasrole.r"), Some(50.0));
}

#[test]
fn a_relation_with_one_argument_on_another_mention_does_not_match() {
    // "John Adler" holds "chief executive", but this HasRole points at the later "Adler".
    let pred = ann().t_nth("T1", PER, "Adler", 2).t("T2", ROLE, "chief executive").r(HasRole, "T1", "T2");
    assert_eq!(score(role_gold(), pred).hasrole, counts(0, 1, 2));
}

#[test]
fn roleorg_matches_by_argument_overlap_one_to_one() {
    // The ORG without "NHS Trust" still overlaps; the same relation twice matches once.
    let pred = ann()
        .t("T1", ROLE, "chief executive")
        .t("T2", ORG, "University Hospitals of Leicester")
        .r(RoleOrg, "T1", "T2")
        .r(RoleOrg, "T1", "T2");
    let s = score(role_gold(), pred);
    assert_eq!(s.roleorg, counts(1, 1, 1));
    assert_eq!(s.hasrole, counts(0, 0, 2));
}

#[test]
fn relations_of_one_kind_do_not_match_the_other() {
    let pred = ann().t("T1", PER, "John Adler").t("T2", ROLE, "chairman").r(HasRole, "T1", "T2");
    let gold = ann().t("T1", PER, "John Adler").t("T2", ROLE, "chairman").t("T3", ORG, UHL).r(RoleOrg, "T2", "T3");
    let s = score(gold, pred);
    assert_eq!(s.hasrole, counts(0, 1, 0));
    assert_eq!(s.roleorg, counts(0, 0, 1));
}

// ---------------------------------------------------------------- whole documents

#[test]
fn nothing_in_gold_and_nothing_predicted_scores_100_on_every_metric() {
    let s = score(ann(), ann());
    for name in metric_names() {
        assert_eq!(s.metric(&name), Some(100.0), "{name}");
    }
}

#[test]
fn metric_names_cover_every_row_with_p_r_and_f1() {
    let names = metric_names();
    for name in [
        "entities.micro.exact.f1",
        "entities.micro.overlap.f1",
        "entities.PER.exact.p",
        "entities.ORG.overlap.r",
        "entities.ROLE.exact.f1",
        "entities.LOC.exact.f1",
        "quotes.exact.f1",
        "quotes.overlap.f1",
        "speaker.accuracy",
        "e2e.f1",
        "hasrole.f1",
        "roleorg.f1",
    ] {
        assert!(names.iter().any(|n| n == name), "{name}");
    }
    assert_eq!(names.len(), 46);
}

/// Writes `files` (relative path, contents) under a new temporary directory.
fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (rel, contents) in files {
        let path = dir.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
    }
    dir
}

const SMALL_TXT: &str = "Trust chairman Karamjit Singh said: “We are committed.”\n";
const SMALL_ANN: &str = "T1\tROLE 0 14\tTrust chairman\nT2\tPER 15 29\tKaramjit Singh\n\
                         T3\tQUOTE 36 55\t“We are committed.”\nR1\tSpeaker Arg1:T3 Arg2:T2\nR2\tHasRole Arg1:T2 Arg2:T1\n";

#[test]
fn a_missing_prediction_file_counts_as_empty_with_a_warning() {
    let gold = tree(&[("a/doc.txt", SMALL_TXT), ("a/doc.ann", SMALL_ANN)]);
    let pred = tree(&[]);
    let report = evaluate_dirs(gold.path(), pred.path()).unwrap();
    assert_eq!(report.documents.len(), 1);
    assert_eq!(report.documents[0].id, "a/doc");
    assert_eq!(report.total.entities.micro.exact, counts(0, 0, 2));
    assert_eq!(report.total.quotes.overlap, counts(0, 0, 1));
    assert_eq!(report.total.hasrole, counts(0, 0, 1));
    assert_eq!(report.warnings.len(), 1);
    assert_eq!(report.warnings[0].path, pred.path().join("a/doc.ann"));
    assert_eq!(report.warnings[0].message, "no prediction file, counted as empty");
}

#[test]
fn predictions_are_read_from_the_same_relative_path() {
    let gold = tree(&[("a/doc.txt", SMALL_TXT), ("a/doc.ann", SMALL_ANN)]);
    let pred = tree(&[("a/doc.ann", SMALL_ANN)]);
    let report = evaluate_dirs(gold.path(), pred.path()).unwrap();
    assert!(report.warnings.is_empty());
    assert_eq!(report.metric("e2e.f1"), Some(100.0));
}

#[test]
fn a_bad_line_in_a_prediction_file_is_an_error_naming_file_and_line() {
    let gold = tree(&[("doc.txt", SMALL_TXT), ("doc.ann", SMALL_ANN)]);
    let pred = tree(&[("doc.ann", "T1\tROLE 0 14\tTrust chairman\nT2\tPER 15 29\tKaramjit Smith\n")]);
    let err = evaluate_dirs(gold.path(), pred.path()).unwrap_err().to_string();
    let expected = format!("{}:2: T2: text field", pred.path().join("doc.ann").display());
    assert!(err.starts_with(&expected), "{err}");
}

#[test]
fn a_gold_directory_without_documents_is_an_error() {
    let gold = tree(&[("notes.md", "nothing here")]);
    let err = evaluate_dirs(gold.path(), gold.path()).unwrap_err().to_string();
    assert!(err.contains("no gold documents"), "{err}");
}

#[test]
fn the_gold_fixtures_against_themselves_score_100_on_every_metric() {
    let report = evaluate_dirs(&fixtures_dir(), &fixtures_dir()).unwrap();
    assert_eq!(report.documents.len(), 17);
    assert!(report.warnings.is_empty());
    for name in metric_names() {
        assert_eq!(report.metric(&name), Some(100.0), "{name}");
    }
    // The fixture README's totals.
    let t = &report.total;
    assert_eq!(t.entities.per.exact.gold(), 202);
    assert_eq!(t.entities.org.exact.gold(), 186);
    assert_eq!(t.entities.role.exact.gold(), 83);
    assert_eq!(t.entities.loc.exact.gold(), 62);
    assert_eq!(t.entities.micro.exact, counts(202 + 186 + 83, 0, 0));
    assert_eq!(t.quotes.exact.gold(), 131);
    assert_eq!(t.hasrole.gold(), 78);
    assert_eq!(t.roleorg.gold(), 39);
    // 128 quotes have a Speaker; the 3 without one are right because none is predicted.
    assert_eq!(t.speaker, Accuracy { correct: 131, found: 131, gold: 131 });
}

// ------------------------------------------------- a deliberately damaged copy

/// Copies the fixtures (all of them, .txt and .ann) into a temporary directory.
fn copy_fixtures() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = fixtures_dir();
    for entry in walkdir::WalkDir::new(&root) {
        let entry = entry.unwrap();
        let to = dir.path().join(entry.path().strip_prefix(&root).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&to).unwrap();
        } else {
            std::fs::copy(entry.path(), &to).unwrap();
        }
    }
    dir
}

/// Edits one copied .ann file line by line: `edit` returns the new line, or `None` to drop it.
fn edit_ann(dir: &Path, doc: &str, edit: impl Fn(&str) -> Option<String>) {
    let path = dir.join(format!("{doc}.ann"));
    let before = std::fs::read_to_string(&path).unwrap();
    let after: String = before.lines().filter_map(&edit).map(|l| l + "\n").collect();
    assert_ne!(before, after, "the edit of {doc} changed nothing");
    std::fs::write(&path, after).unwrap();
}

/// Whether a line is, or refers to, span `id` (relation argument, attribute, note).
fn mentions(line: &str, id: &str) -> bool {
    line.split(['\t', ' ', ':']).any(|field| field == id)
}

#[test]
fn a_deliberately_damaged_copy_scores_as_computed_by_hand() {
    let pred = copy_fixtures();
    let p = pred.path();

    // 1. Delete PER T1 "Ted Baker" of 002 with what refers to it: its HasRole R1 and the
    //    note #1 (it is in no Equiv group and speaks no quote).
    edit_ann(p, "002_60f605e3110d2335", |l| (!mentions(l, "T1")).then(|| l.to_string()));

    // 2. Shift the end of ORG T22 "Transport & General Worker's Union" in business_034 back
    //    by one character. It is the Arg2 of RoleOrg R9, which still matches by overlap.
    edit_ann(p, "news/bbc_business_034", |l| {
        Some(match l {
            "T22\tORG 728 762\tTransport & General Worker's Union" => "T22\tORG 728 761\tTransport & General Worker's Unio".into(),
            other => other.to_string(),
        })
    });

    // 3. In business_034, move two Speakers to other mentions:
    //    R2 ("speculation") from Rover T10 to Rover T13, same Equiv group: still correct;
    //    R3 ("not very far away from this time") from Rover T18 to Gordon Brown T17: wrong.
    edit_ann(p, "news/bbc_business_034", |l| {
        Some(match l {
            "R2\tSpeaker Arg1:T12 Arg2:T10" => "R2\tSpeaker Arg1:T12 Arg2:T13".into(),
            "R3\tSpeaker Arg1:T19 Arg2:T18" => "R3\tSpeaker Arg1:T19 Arg2:T17".into(),
            other => other.to_string(),
        })
    });

    // 4. Delete QUOTE T5 ‘widespread improvements’ of 000 with its Speaker R1 and Partial A1.
    edit_ann(p, "000_4e8217c3b4a8aa62", |l| (!mentions(l, "T5")).then(|| l.to_string()));

    // 5. Add a MISC mention, which is ignored.
    edit_ann(p, "news/bbc_business_034", |l| {
        Some(if l.starts_with("R1\t") { format!("T40\tMISC 1638 1642\tSAIC\n{l}") } else { l.to_string() })
    });

    let report = evaluate_dirs(&fixtures_dir(), p).unwrap();
    assert!(report.warnings.is_empty());
    let t = &report.total;

    // Gold: PER 202, ORG 186, ROLE 83, LOC 62, QUOTE 131 (128 with a Speaker), HasRole 78, RoleOrg 39.
    // PER: 201 predicted, all right; 1 missed.
    assert_eq!(t.entities.per.exact, counts(201, 0, 1));
    assert_eq!(t.entities.per.overlap, counts(201, 0, 1));
    // ORG: the shortened one is wrong under exact (1 fp + 1 fn), right under overlap.
    assert_eq!(t.entities.org.exact, counts(185, 1, 1));
    assert_eq!(t.entities.org.overlap, counts(186, 0, 0));
    assert_eq!(t.entities.role.exact, counts(83, 0, 0));
    assert_eq!(t.entities.loc.exact, counts(62, 0, 0));
    // micro = PER + ORG + ROLE: exact 201+185+83 = 469 tp, 1 fp, 1+1 fn; overlap 470 tp, 1 fn.
    assert_eq!(t.entities.micro.exact, counts(469, 1, 2));
    assert_eq!(t.entities.micro.overlap, counts(470, 0, 1));
    // Quotes: 130 predicted, all in gold; 1 missed.
    assert_eq!(t.quotes.exact, counts(130, 0, 1));
    assert_eq!(t.quotes.overlap, counts(130, 0, 1));
    // Speakers: 130 gold quotes found; all right but "not very far away from this time".
    assert_eq!(t.speaker, Accuracy { correct: 129, found: 130, gold: 131 });
    // e2e: 129 tp; the wrongly attributed quote is 1 fp and 1 fn, the deleted one 1 fn.
    assert_eq!(t.e2e, counts(129, 1, 2));
    assert_eq!(t.hasrole, counts(77, 0, 1));
    assert_eq!(t.roleorg, counts(39, 0, 0));

    let close = |name: &str, expected: f64| {
        let got = report.metric(name).unwrap();
        assert!((got - expected).abs() < 1e-9, "{name}: {got} != {expected}");
    };
    close("entities.PER.exact.r", 100.0 * 201.0 / 202.0);
    close("entities.micro.exact.p", 100.0 * 469.0 / 470.0);
    close("entities.micro.exact.r", 100.0 * 469.0 / 471.0);
    close("entities.micro.exact.f1", 100.0 * 2.0 * 469.0 / (2.0 * 469.0 + 1.0 + 2.0));
    close("entities.micro.overlap.f1", 100.0 * 2.0 * 470.0 / (2.0 * 470.0 + 1.0));
    close("entities.LOC.exact.f1", 100.0);
    close("quotes.exact.r", 100.0 * 130.0 / 131.0);
    close("speaker.accuracy", 100.0 * 129.0 / 130.0);
    close("e2e.p", 100.0 * 129.0 / 130.0);
    close("e2e.r", 100.0 * 129.0 / 131.0);
    close("hasrole.r", 100.0 * 77.0 / 78.0);
    close("roleorg.f1", 100.0);

    // Per document: only the damaged ones lose points.
    let doc = |id: &str| &report.documents.iter().find(|d| d.id == id).unwrap().scores;
    assert_eq!(doc("news/bbc_business_034").speaker, Accuracy { correct: 5, found: 6, gold: 6 });
    assert_eq!(doc("002_60f605e3110d2335").hasrole, counts(0, 0, 1));
    assert_eq!(doc("000_4e8217c3b4a8aa62").quotes.exact, counts(2, 0, 1));
    let untouched = doc("news/bbc_politics_142");
    assert!(metric_names().iter().all(|n| untouched.metric(n) == Some(100.0)));
}

/// `whosaid eval --gold GOLD --pred PRED` (the real binary): exit status, stdout, stderr.
fn eval_cli(gold: &Path, pred: &Path, extra: &[&str]) -> (Option<i32>, String, String) {
    let out = assert_cmd::Command::cargo_bin("whosaid")
        .unwrap()
        .arg("eval")
        .arg("--gold")
        .arg(gold)
        .arg("--pred")
        .arg(pred)
        .args(extra)
        .output()
        .unwrap();
    (out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn a_relation_line_given_twice_in_gold_is_counted_once_with_a_warning_naming_the_line() {
    let twice = format!("{SMALL_ANN}R3\tHasRole Arg1:T2 Arg2:T1\n");
    let gold = tree(&[("doc.txt", SMALL_TXT), ("doc.ann", &twice)]);
    let pred = tree(&[("doc.ann", SMALL_ANN)]);
    let (code, _, err) = eval_cli(gold.path(), pred.path(), &["--min", "hasrole.r=100", "--min", "hasrole.p=100"]);
    assert_eq!(code, Some(0), "{err}");
    let warning = format!("whosaid: warning: {}:6: R3 repeats R2", gold.path().join("doc.ann").display());
    assert!(err.lines().any(|l| l.starts_with(&warning)), "{err}");
}

#[test]
fn a_quote_brat_saved_as_fragments_over_a_paragraph_break_scores_as_one_span() {
    let txt = "The minister said: “We will act.\n\n“We will act now.”\n";
    // What brat saves when a reviewer marks the quote across the paragraph break.
    let fragments = "T1\tQUOTE 19 32;34 52\t“We will act. “We will act now.”\n";
    // The older form with each line break written as a space.
    let one_span = "T1\tQUOTE 19 52\t“We will act.  “We will act now.”\n";
    let gold = tree(&[("doc.txt", txt), ("doc.ann", fragments)]);
    let pred = tree(&[("doc.ann", one_span)]);
    let (code, _, err) = eval_cli(gold.path(), pred.path(), &["--min", "quotes.exact.f1=100"]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(err, "");
}

#[test]
fn fragments_with_words_between_them_are_refused_naming_file_and_line() {
    let txt = "The minister said: “We will act.\n\n“We will act now.”\n";
    let gold = tree(&[("doc.txt", txt), ("doc.ann", "T1\tQUOTE 0 3;19 32\tThe “We will act.\n")]);
    let (code, _, err) = eval_cli(gold.path(), gold.path(), &[]);
    assert_eq!(code, Some(2), "{err}");
    let expected = format!("{}:1: T1: discontinuous span '0 3;19 32'", gold.path().join("doc.ann").display());
    assert!(err.contains(&expected), "{err}");
}

#[test]
fn a_byte_order_mark_at_the_start_of_an_ann_is_skipped() {
    let gold = tree(&[("doc.txt", SMALL_TXT), ("doc.ann", &format!("\u{feff}{SMALL_ANN}"))]);
    let pred = tree(&[("doc.ann", SMALL_ANN)]);
    let (code, _, err) = eval_cli(gold.path(), pred.path(), &["--min", "e2e.f1=100"]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(err, "");
}
