//! `whosaid eval` from the command line: the table, JSON, --per-doc, --min and warnings.

use assert_cmd::Command;
use crate::util::fixtures_dir as fixtures;
use predicates::prelude::*;

fn eval() -> Command {
    let mut cmd = Command::cargo_bin("whosaid").unwrap();
    cmd.arg("eval").arg("--gold").arg(fixtures()).arg("--pred").arg(fixtures());
    cmd
}

/// The table rows: every P/R/F1 row and the speaker accuracy row, by metric prefix.
const ROWS: [&str; 16] = [
    "entities.micro.exact",
    "entities.micro.overlap",
    "entities.PER.exact",
    "entities.PER.overlap",
    "entities.ORG.exact",
    "entities.ORG.overlap",
    "entities.ROLE.exact",
    "entities.ROLE.overlap",
    "entities.LOC.exact",
    "entities.LOC.overlap",
    "quotes.exact",
    "quotes.overlap",
    "speaker.accuracy",
    "e2e",
    "hasrole",
    "roleorg",
];

#[test]
fn gold_against_itself_prints_100_00_for_every_metric_and_exits_0() {
    let out = eval().assert().success().stderr("").get_output().stdout.clone();
    let out = String::from_utf8(out).unwrap();
    assert!(out.starts_with("17 documents"), "{out}");
    for row in ROWS {
        let line = out
            .lines()
            .find(|l| l.split_whitespace().next() == Some(row))
            .unwrap_or_else(|| panic!("no row {row} in:\n{out}"));
        let percents: Vec<&str> = line.split_whitespace().filter(|w| w.contains('.') && *w != row).collect();
        let expected = if row == "speaker.accuracy" { 1 } else { 3 };
        assert_eq!(percents, vec!["100.00"; expected], "{line}");
    }
    let micro = out.lines().find(|l| l.starts_with("entities.micro.exact")).unwrap();
    assert!(micro.ends_with("471    471"), "gold and pred counts: {micro}");
}

#[test]
fn a_threshold_above_a_metric_exits_1_and_names_it() {
    eval()
        .args(["--min", "entities.micro.exact.f1=101"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("entities.micro.exact.f1 = 100.00 is below the minimum 101"));
}

#[test]
fn thresholds_that_are_met_exit_0() {
    eval().args(["--min", "entities.micro.exact.f1=100", "--min", "speaker.accuracy=99.5"]).assert().success();
}

#[test]
fn an_unknown_metric_in_min_is_a_usage_error_listing_the_valid_names() {
    eval()
        .args(["--min", "entities.f1=50"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown metric 'entities.f1'").and(predicate::str::contains("e2e.f1")));
}

#[test]
fn json_output_is_one_object_with_totals_and_flat_metrics() {
    let out = eval().arg("--json").assert().success().get_output().stdout.clone();
    let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(json["documents"], 17);
    assert_eq!(json["metrics"]["entities.micro.exact.f1"], 100.0);
    assert_eq!(json["metrics"].as_object().unwrap().len(), 46);
    assert_eq!(json["total"]["entities"]["PER"]["exact"]["tp"], 202);
    assert_eq!(json["total"]["speaker"]["found"], 131);
    assert!(json.get("per_doc").is_none());
}

#[test]
fn per_doc_json_lists_every_document() {
    let out = eval().args(["--json", "--per-doc"]).assert().success().get_output().stdout.clone();
    let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let docs = json["per_doc"].as_array().unwrap();
    assert_eq!(docs.len(), 17);
    assert_eq!(docs[0]["id"], "000_4e8217c3b4a8aa62");
    assert_eq!(docs[16]["id"], "news/bbc_tech_360");
}

#[test]
fn per_doc_table_has_a_line_per_document() {
    let assert = eval().arg("--per-doc").assert().success();
    let out = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    let line = out.lines().find(|l| l.starts_with("news/bbc_sport_227")).expect("a line for sport_227");
    assert_eq!(line.split_whitespace().filter(|w| *w == "100.00").count(), 9, "{line}");
}

#[test]
fn a_missing_prediction_file_is_a_warning_on_stderr() {
    let pred = tempfile::tempdir().unwrap();
    let ann = std::fs::read_dir(fixtures())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "ann"))
        .unwrap();
    // Only one prediction file; the other 16 are missing.
    std::fs::copy(&ann, pred.path().join(ann.file_name().unwrap())).unwrap();
    let mut cmd = Command::cargo_bin("whosaid").unwrap();
    cmd.arg("eval").arg("--gold").arg(fixtures()).arg("--pred").arg(pred.path());
    let missing = pred.path().join("news").join("bbc_tech_071.ann");
    cmd.assert().success().stderr(predicate::str::contains(format!(
        "whosaid: warning: {}: no prediction file, counted as empty",
        missing.display()
    )));
}

#[test]
fn a_malformed_prediction_exits_2_naming_file_and_line() {
    let pred = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(fixtures()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "ann") {
            std::fs::copy(&path, pred.path().join(path.file_name().unwrap())).unwrap();
        }
    }
    let bad = pred.path().join("002_60f605e3110d2335.ann");
    std::fs::write(&bad, "T1\tPER 84 93\tTed Baker\nT2\tPERSON 95 123\tChief Inspector of Hospitals\n").unwrap();
    let mut cmd = Command::cargo_bin("whosaid").unwrap();
    cmd.arg("eval").arg("--gold").arg(fixtures()).arg("--pred").arg(pred.path());
    cmd.assert().code(2).stderr(predicate::str::contains(format!("{}:2: T2: unknown type 'PERSON'", bad.display())));
}

/// A gold folder of two short documents written for these tests (`a`, `b`), each with
/// one person and one attributed quote.
fn small_gold(dir: &std::path::Path) {
    for (stem, name) in [("a", "Ada Quist"), ("b", "Bo Lindqvist")] {
        let text = format!("{name} said: \"The ferry runs again on Monday.\"\n");
        let n = name.chars().count();
        let q0 = text.find('"').unwrap();
        let q1 = text.rfind('"').unwrap() + 1;
        let ann = format!("T1\tPER 0 {n}\t{name}\nT2\tQUOTE {q0} {q1}\t{}\nR1\tSpeaker Arg1:T2 Arg2:T1\n", &text[q0..q1]);
        std::fs::write(dir.join(format!("{stem}.txt")), &text).unwrap();
        std::fs::write(dir.join(format!("{stem}.ann")), ann).unwrap();
    }
}

fn eval_dirs(gold: &std::path::Path, pred: &std::path::Path) -> Command {
    let mut cmd = Command::cargo_bin("whosaid").unwrap();
    cmd.arg("eval").arg("--gold").arg(gold).arg("--pred").arg(pred).timeout(std::time::Duration::from_secs(60));
    cmd
}

/// Runs eval and returns (exit code, stderr); a hang fails the test instead of the suite.
fn run_eval(gold: &std::path::Path, pred: &std::path::Path) -> (Option<i32>, String) {
    let out = eval_dirs(gold, pred).output().unwrap();
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn mkfifo(path: &std::path::Path) {
    let ok = std::process::Command::new("mkfifo").arg(path).status().unwrap().success();
    assert!(ok, "mkfifo {}", path.display());
}

#[test]
fn a_prediction_that_is_a_fifo_is_refused_in_one_line_without_blocking() {
    let (gold, pred) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    small_gold(gold.path());
    std::fs::copy(gold.path().join("b.ann"), pred.path().join("b.ann")).unwrap();
    mkfifo(&pred.path().join("a.ann"));
    let (code, err) = run_eval(gold.path(), pred.path());
    assert_eq!(code, Some(2), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains(&format!("{}: not a regular file", pred.path().join("a.ann").display())), "{err}");
}

#[test]
fn a_prediction_symlinked_to_dev_zero_is_refused_without_reading_it() {
    let (gold, pred) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    small_gold(gold.path());
    std::os::unix::fs::symlink("/dev/zero", pred.path().join("a.ann")).unwrap();
    let (code, err) = run_eval(gold.path(), pred.path());
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("a.ann: not a regular file"), "{err}");
}

#[test]
fn a_prediction_over_64_mib_is_refused_before_it_is_read() {
    let (gold, pred) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    small_gold(gold.path());
    // A sparse file: 65 MiB long, nothing on disk.
    std::fs::File::create(pred.path().join("a.ann")).unwrap().set_len(65 << 20).unwrap();
    let (code, err) = run_eval(gold.path(), pred.path());
    assert_eq!(code, Some(2), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("a.ann: too large: 68157440 bytes (eval reads files up to 64 MiB)"), "{err}");
}

#[test]
fn a_gold_file_that_is_a_fifo_is_refused_like_a_prediction() {
    let (gold, pred) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    small_gold(gold.path());
    std::fs::remove_file(gold.path().join("b.txt")).unwrap();
    mkfifo(&gold.path().join("b.txt"));
    let (code, err) = run_eval(gold.path(), pred.path());
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("b.txt: not a regular file"), "{err}");
}

#[test]
fn symlinked_gold_files_and_folders_are_scored() {
    let store = tempfile::tempdir().unwrap();
    small_gold(store.path());
    let (gold, pred) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    // `a` as two symlinked files, `b` inside a symlinked folder; predictions symlinked too.
    for ext in ["txt", "ann"] {
        std::os::unix::fs::symlink(store.path().join(format!("a.{ext}")), gold.path().join(format!("a.{ext}"))).unwrap();
    }
    let sub = tempfile::tempdir().unwrap();
    for ext in ["txt", "ann"] {
        std::fs::copy(store.path().join(format!("b.{ext}")), sub.path().join(format!("b.{ext}"))).unwrap();
    }
    std::os::unix::fs::symlink(sub.path(), gold.path().join("sub")).unwrap();
    std::os::unix::fs::symlink(store.path().join("a.ann"), pred.path().join("a.ann")).unwrap();
    std::fs::create_dir(pred.path().join("sub")).unwrap();
    std::os::unix::fs::symlink(sub.path().join("b.ann"), pred.path().join("sub/b.ann")).unwrap();
    let out = eval_dirs(gold.path(), pred.path()).arg("--json").arg("--per-doc").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["documents"], 2);
    let ids: Vec<&str> = json["per_doc"].as_array().unwrap().iter().map(|d| d["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["a", "sub/b"]);
    assert_eq!(json["metrics"]["e2e.f1"], 100.0);
}

#[test]
fn a_symlink_loop_in_gold_is_a_warning_and_the_rest_is_scored() {
    let (gold, pred) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    small_gold(gold.path());
    small_gold(pred.path());
    std::os::unix::fs::symlink(gold.path(), gold.path().join("again")).unwrap();
    let out = eval_dirs(gold.path(), pred.path()).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("warning: {}: symlink loop, skipped", gold.path().join("again").display())), "{err}");
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("2 documents"));
}

#[test]
fn a_dangling_symlink_in_gold_is_a_warning_and_the_rest_is_scored() {
    let (gold, pred) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    small_gold(gold.path());
    small_gold(pred.path());
    std::os::unix::fs::symlink(gold.path().join("gone.txt"), gold.path().join("c.txt")).unwrap();
    let out = eval_dirs(gold.path(), pred.path()).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("warning: {}: dangling symlink, skipped", gold.path().join("c.txt").display())), "{err}");
}
