//! `whosaid export` and `whosaid import` from the command line, and the loop they make
//! with `whosaid eval`.

use crate::common::fixtures_dir;
use assert_cmd::Command;
use predicates::prelude::*;
use std::path::Path;

fn whosaid() -> Command {
    Command::cargo_bin("whosaid").unwrap()
}

fn export(format: &str, out: &Path) -> assert_cmd::assert::Assert {
    whosaid().args(["export", "--format", format]).arg(fixtures_dir()).arg("--out").arg(out).assert()
}

#[test]
fn each_format_writes_its_files_and_reports_the_count() {
    let out = tempfile::tempdir().unwrap();
    let expected: [(&str, &[&str]); 6] = [
        ("brat", &["annotation.conf", "visual.conf", "000_4e8217c3b4a8aa62.ann", "news/bbc_tech_360.txt"]),
        ("label-studio", &["tasks.json", "label-config.xml"]),
        ("doccano", &["dataset.jsonl", "span_types.json", "relation_types.json"]),
        ("conll", &["corpus.conll"]),
        ("csv", &["quotes.csv"]),
        ("html", &["index.html"]),
    ];
    for (format, files) in expected {
        let dir = out.path().join(format);
        export(format, &dir)
            .success()
            .stderr(predicate::str::contains(format!("exported 17 document(s) as {format}")));
        for f in files {
            assert!(dir.join(f).is_file(), "{format}: {f}");
        }
    }
}

#[test]
fn reviewed_label_studio_tasks_import_to_brat_that_eval_scores_100_against_gold() {
    let dir = tempfile::tempdir().unwrap();
    export("label-studio", &dir.path().join("ls")).success();
    whosaid()
        .args(["import", "--format", "label-studio", "--predictions"])
        .arg(dir.path().join("ls/tasks.json"))
        .arg("--out")
        .arg(dir.path().join("reviewed"))
        .assert()
        .success()
        .stderr(predicate::str::contains("imported 17 document(s) (17 from unreviewed predictions)"));
    whosaid()
        .arg("eval")
        .arg("--gold")
        .arg(fixtures_dir())
        .arg("--pred")
        .arg(dir.path().join("reviewed"))
        .args(["--min", "entities.micro.exact.f1=100", "--min", "e2e.f1=100", "--min", "roleorg.f1=100"])
        .assert()
        .success();
}

#[test]
fn doccano_import_writes_the_fixture_files_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    export("doccano", &dir.path().join("dc")).success();
    whosaid()
        .args(["import", "--format", "doccano"])
        .arg(dir.path().join("dc/dataset.jsonl"))
        .arg("--out")
        .arg(dir.path().join("back"))
        .assert()
        .success();
    for rel in ["002_60f605e3110d2335.ann", "news/bbc_politics_315.ann", "news/bbc_politics_315.txt"] {
        let a = std::fs::read(fixtures_dir().join(rel)).unwrap();
        let b = std::fs::read(dir.path().join("back").join(rel)).unwrap();
        assert!(a == b, "{rel}");
    }
}

#[test]
fn a_text_without_its_ann_is_reported_and_the_rest_exported_with_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir(&input).unwrap();
    for ext in ["txt", "ann"] {
        let name = format!("002_60f605e3110d2335.{ext}");
        std::fs::copy(fixtures_dir().join(&name), input.join(&name)).unwrap();
    }
    std::fs::write(input.join("draft.txt"), "An unlabelled draft.").unwrap();
    whosaid()
        .args(["export", "--format", "csv"])
        .arg(&input)
        .arg("--out")
        .arg(dir.path().join("out"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("draft.txt: no draft.ann beside it"))
        .stderr(predicate::str::contains("exported 1 document(s) as csv"));
}

#[test]
fn importing_tasks_nobody_reviewed_says_so_once_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    export("label-studio", &dir.path().join("ls")).success();
    let assert = whosaid()
        .args(["import", "--format", "label-studio"])
        .arg(dir.path().join("ls/tasks.json"))
        .arg("--out")
        .arg(dir.path().join("reviewed"))
        .assert()
        .code(1);
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert_eq!(stderr.matches("nobody submitted").count(), 1, "{stderr}");
    assert!(stderr.contains("17 task(s) that nobody submitted were skipped (task 1 (000_4e8217c3b4a8aa62),"), "{stderr}");
}

#[test]
fn an_unknown_format_is_a_usage_error_listing_the_formats() {
    whosaid()
        .args(["export", "--format", "excel", "x", "--out", "y"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("brat, label-studio, doccano, conll, csv, html"));
}

#[test]
fn train_takes_brat_directories_and_refuses_a_file_as_one() {
    whosaid().args(["train", "--help"]).assert().success().stdout(predicate::str::contains("--train-brat <DIR>"));
    let file = fixtures_dir().join("002_60f605e3110d2335.txt");
    whosaid()
        .args(["train", "--out", "unused", "--train-brat"])
        .arg(&file)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a directory (expected X.txt + X.ann pairs)"));
}
