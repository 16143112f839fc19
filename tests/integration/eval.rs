//! The scoring rules of ANNOTATION_GUIDELINES.md ("Scoring"), pinned one behaviour per
//! test on a small press-release sentence; `files`: directories of files, the gold
//! fixtures against themselves and against a deliberately damaged copy, the CLI.

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

mod files;
