//! `whosaid quotes` and `whosaid export` on an `annotate --out` folder, whose X.ann and
//! X.json have no X.txt beside them: the text is found through the path X.json records,
//! or `--text-root`, and checked against the hash; never an empty result without a word.

use crate::util::model_dir;
use assert_cmd::Command;
use predicates::prelude::*;
use std::path::Path;

fn whosaid() -> Command {
    Command::cargo_bin("whosaid").unwrap()
}

/// `in/a.txt` annotated into `out/` (the real binary and model).
fn annotated(root: &Path) {
    std::fs::create_dir_all(root.join("in")).unwrap();
    std::fs::write(root.join("in/a.txt"), "“We will win the vote,” said Jane Marsh, the party leader.\n").unwrap();
    whosaid()
        .arg("annotate")
        .arg(root.join("in"))
        .arg("--out")
        .arg(root.join("out"))
        .arg("--model")
        .arg(model_dir())
        .args(["--precision", "fp32", "--quiet"])
        .assert()
        .success();
}

#[test]
fn x_json_records_the_source_text_relative_to_itself() {
    let dir = tempfile::tempdir().unwrap();
    annotated(dir.path());
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.path().join("out/a.json")).unwrap()).unwrap();
    assert_eq!(json["text_path"], "../in/a.txt");
}

#[test]
fn quotes_of_an_out_folder_find_the_text_through_x_json() {
    let dir = tempfile::tempdir().unwrap();
    annotated(dir.path());
    whosaid().arg("quotes").arg(dir.path().join("out")).assert().success().stdout(predicate::str::contains("Jane Marsh"));
}

#[test]
fn export_of_an_out_folder_finds_the_text_through_x_json() {
    let dir = tempfile::tempdir().unwrap();
    annotated(dir.path());
    let csv = dir.path().join("csv");
    whosaid().args(["export", "--format", "csv"]).arg(dir.path().join("out")).arg("--out").arg(&csv).assert().success();
    assert!(std::fs::read_to_string(csv.join("quotes.csv")).unwrap().contains("Jane Marsh"));
}

#[test]
fn a_moved_text_is_named_with_the_fix_and_text_root_finds_it() {
    let dir = tempfile::tempdir().unwrap();
    annotated(dir.path());
    std::fs::rename(dir.path().join("in"), dir.path().join("moved")).unwrap();
    whosaid()
        .arg("quotes")
        .arg(dir.path().join("out"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("a.ann: no X.txt beside it").and(predicate::str::contains("--text-root")));
    whosaid()
        .arg("quotes")
        .arg(dir.path().join("out"))
        .arg("--text-root")
        .arg(dir.path().join("moved"))
        .assert()
        .success()
        .stdout(predicate::str::contains("Jane Marsh"));
}

#[test]
fn a_text_changed_since_it_was_annotated_is_refused_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    annotated(dir.path());
    std::fs::write(dir.path().join("in/a.txt"), "Another text entirely.\n").unwrap();
    whosaid()
        .arg("quotes")
        .arg(dir.path().join("out"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("has changed since it was annotated").and(predicate::str::contains("sha256")));
}

#[test]
fn quotes_of_a_folder_with_nothing_annotated_says_so_and_fails() {
    let dir = tempfile::tempdir().unwrap();
    whosaid()
        .arg("quotes")
        .arg(dir.path())
        .assert()
        .failure()
        .stderr(predicate::str::contains("no annotated documents"));
}
