//! Scoring directories of brat files: missing and bad prediction files, the gold fixtures
//! against themselves and against a deliberately damaged copy, and `whosaid eval`.

use super::*;

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
