//! `whosaid export` and `whosaid import` from the command line, and the loop they make
//! with `whosaid eval`.

use crate::util::fixtures_dir;
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

const PAIR_TXT: &str = "Mayor Ines Duarte said: “The bridge opens in May.”\n";
const PAIR_ANN: &str = "T1\tROLE 0 5\tMayor\nT2\tPER 6 17\tInes Duarte\nT3\tQUOTE 24 50\t“The bridge opens in May.”\n\
                        R1\tSpeaker Arg1:T3 Arg2:T2\nR2\tHasRole Arg1:T2 Arg2:T1\n";

/// Writes `X.txt` + `X.ann` pairs (relative path without extension, text, ann).
fn pairs(dir: &Path, docs: &[(&str, &str, &str)]) {
    for (rel, txt, ann) in docs {
        let base = dir.join(rel);
        std::fs::create_dir_all(base.parent().unwrap()).unwrap();
        std::fs::write(base.with_file_name(format!("{}.txt", base.file_name().unwrap().to_string_lossy())), txt).unwrap();
        std::fs::write(base.with_file_name(format!("{}.ann", base.file_name().unwrap().to_string_lossy())), ann).unwrap();
    }
}

fn stderr_of(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stderr).into_owned()
}

#[test]
fn export_refuses_a_second_document_with_the_same_id_from_another_root_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    pairs(&dir.path().join("monday"), &[("bridge", PAIR_TXT, PAIR_ANN)]);
    pairs(&dir.path().join("tuesday"), &[("bridge", PAIR_TXT, PAIR_ANN)]);
    let out = dir.path().join("out");
    let assert = whosaid()
        .args(["export", "--format", "label-studio"])
        .arg(dir.path().join("monday"))
        .arg(dir.path().join("tuesday"))
        .arg("--out")
        .arg(&out)
        .assert()
        .code(1);
    let err = stderr_of(&assert);
    let line = format!(
        "{}: same document id 'bridge' as {}",
        dir.path().join("tuesday/bridge.txt").display(),
        dir.path().join("monday/bridge.txt").display()
    );
    assert!(err.contains(&line), "{err}");
    assert!(err.contains("exported 1 document(s) as label-studio"), "{err}");
    assert!(err.contains("; 1 failed"), "{err}");
}

#[test]
fn giving_a_pair_as_txt_and_as_ann_exports_it_once_without_complaint() {
    let dir = tempfile::tempdir().unwrap();
    pairs(dir.path(), &[("bridge", PAIR_TXT, PAIR_ANN)]);
    whosaid()
        .args(["export", "--format", "csv"])
        .arg(dir.path().join("bridge.txt"))
        .arg(dir.path().join("bridge.ann"))
        .arg("--out")
        .arg(dir.path().join("out"))
        .assert()
        .success()
        .stderr(predicate::str::contains("exported 1 document(s) as csv"));
}

#[test]
#[cfg(unix)]
fn a_backslash_in_a_file_name_is_not_a_folder_and_both_documents_are_kept() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    pairs(&input, &[("a\\b", PAIR_TXT, PAIR_ANN), ("a/b", PAIR_TXT, PAIR_ANN)]);
    let out = dir.path().join("ls");
    whosaid()
        .args(["export", "--format", "label-studio"])
        .arg(&input)
        .arg("--out")
        .arg(&out)
        .assert()
        .success()
        .stderr(predicate::str::contains("exported 2 document(s) as label-studio"));
    let tasks = std::fs::read_to_string(out.join("tasks.json")).unwrap();
    assert!(tasks.contains("\"a/b\"") && tasks.contains("\"a\\\\b\""), "{tasks}");
    // brat: the folder a/ holds b.txt; a\b.txt is refused on one line, not written over it.
    let out = dir.path().join("brat");
    let assert = whosaid().args(["export", "--format", "brat"]).arg(&input).arg("--out").arg(&out).assert().code(1);
    let err = stderr_of(&assert);
    assert!(err.contains("document id 'a\\b' cannot be used as a file name"), "{err}");
    assert!(err.contains("exported 1 document(s) as brat"), "{err}");
    assert_eq!(std::fs::read_to_string(out.join("a/b.ann")).unwrap(), PAIR_ANN);
    assert!(out.join("annotation.conf").is_file());
}

#[test]
#[cfg(unix)]
fn brat_export_writes_a_file_name_with_a_colon_the_rest_and_the_configs() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    pairs(&input, &[("10:30 update", PAIR_TXT, PAIR_ANN), ("later", PAIR_TXT, PAIR_ANN)]);
    let out = dir.path().join("out");
    whosaid()
        .args(["export", "--format", "brat"])
        .arg(&input)
        .arg("--out")
        .arg(&out)
        .assert()
        .success()
        .stderr(predicate::str::contains("exported 2 document(s) as brat"));
    for f in ["10:30 update.txt", "10:30 update.ann", "later.ann", "annotation.conf", "visual.conf"] {
        assert!(out.join(f).is_file(), "{f}");
    }
    assert_eq!(std::fs::read_to_string(out.join("10:30 update.ann")).unwrap(), PAIR_ANN);
}

#[test]
fn a_byte_order_mark_at_the_start_of_an_ann_is_skipped_on_export() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    pairs(&input, &[("bridge", PAIR_TXT, &format!("\u{feff}{PAIR_ANN}"))]);
    let out = dir.path().join("out");
    whosaid().args(["export", "--format", "brat"]).arg(&input).arg("--out").arg(&out).assert().success().stderr(
        predicate::str::contains("exported 1 document(s) as brat").and(predicate::str::contains("warning").not()),
    );
    assert_eq!(std::fs::read_to_string(out.join("bridge.ann")).unwrap(), PAIR_ANN, "written without the mark");
}

#[test]
fn a_quote_a_reviewer_marked_across_a_paragraph_break_in_brat_exports_to_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    let txt = "Mayor Ines Duarte said: “The bridge opens in May.\n\n“Traffic will ease.”\n";
    let ann = "T1\tPER 6 17\tInes Duarte\nT2\tQUOTE 24 49;51 71\t“The bridge opens in May. “Traffic will ease.”\n\
               R1\tSpeaker Arg1:T2 Arg2:T1\n";
    pairs(&input, &[("bridge", txt, ann)]);
    for format in ["brat", "label-studio", "doccano", "conll", "csv", "html"] {
        whosaid()
            .args(["export", "--format", format])
            .arg(&input)
            .arg("--out")
            .arg(dir.path().join(format))
            .assert()
            .success()
            .stderr(predicate::str::contains("exported 1 document(s)"));
    }
    assert_eq!(std::fs::read_to_string(dir.path().join("brat/bridge.ann")).unwrap(), ann);
    let csv = std::fs::read_to_string(dir.path().join("csv/quotes.csv")).unwrap();
    assert!(csv.contains("Ines Duarte"), "{csv}");
}

#[test]
fn imported_quotes_over_paragraph_breaks_are_written_in_brats_fragment_form() {
    let dir = tempfile::tempdir().unwrap();
    let changed = [
        "000_4e8217c3b4a8aa62.ann",
        "001_a9f15ece287fbe27.ann",
        "003_cbca4b3e0fe5c36a.ann",
        "004_36a83f3d559bb0ad.ann",
        "news/bbc_politics_078.ann",
    ];
    for (format, file, extra) in
        [("doccano", "dataset.jsonl", None), ("label-studio", "tasks.json", Some("--predictions"))]
    {
        export(format, &dir.path().join(format)).success();
        let back = dir.path().join(format!("{format}-back"));
        whosaid()
            .args(["import", "--format", format])
            .args(extra)
            .arg(dir.path().join(format).join(file))
            .arg("--out")
            .arg(&back)
            .assert()
            .success();
        for rel in changed {
            let a = std::fs::read_to_string(fixtures_dir().join(rel)).unwrap();
            let b = std::fs::read_to_string(back.join(rel)).unwrap();
            assert!(a.lines().any(|l| l.starts_with('T') && l.contains(';')), "{rel} has fragments");
            assert!(a == b, "{format}: {rel}");
        }
    }
}

#[test]
fn quotes_lists_a_quote_brat_saved_as_fragments_with_its_speaker() {
    let dir = tempfile::tempdir().unwrap();
    let txt = "Mayor Ines Duarte said: “The bridge opens in May.\n\n“Traffic will ease.”\n";
    let ann = "T1\tPER 6 17\tInes Duarte\nT2\tQUOTE 24 49;51 71\t“The bridge opens in May. “Traffic will ease.”\n\
               R1\tSpeaker Arg1:T2 Arg2:T1\n";
    pairs(dir.path(), &[("bridge", txt, ann)]);
    whosaid()
        .args(["quotes", "--format", "csv"])
        .arg(dir.path())
        .assert()
        .success()
        .stderr("")
        .stdout(predicate::str::contains("Ines Duarte").and(predicate::str::contains("Traffic will ease")));
}

fn import_file(format: &str, file: &Path, out: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    whosaid().args(["import", "--format", format]).args(extra).arg(file).arg("--out").arg(out).assert()
}

#[test]
fn a_span_a_reviewer_drew_after_an_emoji_in_doccano_comes_back_on_the_same_words() {
    let dir = tempfile::tempdir().unwrap();
    // As doccano's browser counts: 𝐍𝐞𝐰𝐬 and 😀 are two UTF-16 units each, "Ivo Kral" is 19..27.
    let line = r#"{"id": 5, "text": "𝐍𝐞𝐰𝐬 😀 today: Ivo Kral won.", "entities": [{"id": 1, "label": "PER", "start_offset": 19, "end_offset": 27}]}"#;
    let file = dir.path().join("admin.jsonl");
    std::fs::write(&file, format!("{line}\n")).unwrap();
    import_file("doccano", &file, &dir.path().join("gold"), &[]).success();
    let ann = std::fs::read_to_string(dir.path().join("gold/doccano_5.ann")).unwrap();
    assert_eq!(ann, "T1\tPER 14 22\tIvo Kral\n");
}

#[test]
fn a_doccano_offset_inside_an_emoji_is_refused_in_one_line_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let line = r#"{"text": "Ed 😀 Lea", "entities": [{"id": 7, "label": "MISC", "start_offset": 4, "end_offset": 8}]}"#;
    let file = dir.path().join("admin.jsonl");
    std::fs::write(&file, format!("{line}\n")).unwrap();
    let out = dir.path().join("gold");
    let assert = import_file("doccano", &file, &out, &["--quiet"]).code(1);
    let stderr = stderr_of(&assert);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("admin.jsonl:1: line 1 (line_1): entity 7: span 4-8: offset 4 falls inside '😀'"), "{stderr}");
    assert!(!out.exists());
}

#[test]
fn importing_doccanos_span_types_file_is_refused_in_one_line_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    export("doccano", &dir.path().join("dc")).success();
    let out = dir.path().join("gold");
    let assert = import_file("doccano", &dir.path().join("dc/span_types.json"), &out, &[]).failure();
    let stderr = stderr_of(&assert);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("span_types.json:1: a doccano label type 'PER', not an example"), "{stderr}");
    assert!(!out.exists());
}

#[test]
fn label_studio_predictions_listed_as_ids_say_how_to_export_them_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    // What Label Studio's Export → JSON writes for a task nobody submitted.
    let tasks = r#"[{"id": 13, "data": {"text": "Mia Holt said so.", "document": "holt"}, "annotations": [], "predictions": [41]}]"#;
    let file = dir.path().join("project-1-export.json");
    std::fs::write(&file, tasks).unwrap();
    let assert = import_file("label-studio", &file, &dir.path().join("gold"), &["--predictions", "--quiet"]).code(1);
    let stderr = stderr_of(&assert);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("task 13 (holt)") && stderr.contains("ids only"), "{stderr}");
    assert!(stderr.contains("predictions.only_id=false") && stderr.contains("download_all_tasks=true"), "{stderr}");
}
