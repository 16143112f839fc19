//! Inputs whose outputs would collide (two JSON Lines ids, two roots, a file and an id,
//! the manifest's name) are refused, naming both; the same folder named twice is one input.

use super::*;

#[test]
fn jsonl_ids_naming_the_same_output_are_refused_naming_the_first() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    jsonl_file(&input, &[("a/b", "Tony Blair visited Paris."), ("a//b", "Angela Merkel visited Berlin."), ("a/./b", "John Adler visited Leicester.")]);
    let out = dir.path().join("out");
    let (o, err) = run(annotate().arg("--jsonl").arg(&input).arg("--out").arg(&out));
    assert_eq!(o.status.code(), Some(1), "{err}");
    let first = format!("{}:1", input.display());
    for line in ["in.jsonl:2:", "in.jsonl:3:"] {
        assert!(error_line(&err, line).contains(&format!("writes the same outputs as {first}, skipped")), "{err}");
    }
    let json = JsonDocument::read(&out.join("a/b.json")).unwrap();
    assert!(json.entities.iter().any(|e| e.text == "Tony Blair"), "the first document's output was overwritten");
    assert_eq!(outputs(&out).len(), 2);
}

#[test]
fn two_roots_with_the_same_file_under_one_out_are_refused_naming_both() {
    // Colliding roots are refused, not mirrored: the first in sorted order keeps OUT/story.*.
    let dir = tempfile::tempdir().unwrap();
    write_corpus(&dir.path().join("d1"), &[("story.txt".into(), "Tony Blair visited Paris.".into())]);
    write_corpus(&dir.path().join("d2"), &[("story.txt".into(), "Angela Merkel visited Berlin.".into())]);
    let out = dir.path().join("o");
    let (o, err) = run(annotate().arg(dir.path().join("d1")).arg(dir.path().join("d2")).arg("--out").arg(&out));
    assert_eq!(o.status.code(), Some(1), "{err}");
    let line = error_line(&err, "d2/story.txt");
    assert!(line.ends_with(&format!("writes the same outputs as {}, skipped", dir.path().join("d1/story.txt").display())), "{line}");
    let json = JsonDocument::read(&out.join("story.json")).unwrap();
    assert!(json.entities.iter().any(|e| e.text == "Tony Blair"));
    // The rerun skips the first and refuses the second again: nothing is redone.
    let (o, err) = run(annotate().arg(dir.path().join("d1")).arg(dir.path().join("d2")).arg("--out").arg(&out));
    assert_eq!(o.status.code(), Some(1), "{err}");
    let m = manifest(&out.join("whosaid-run.json"));
    assert_eq!((m.counts.annotated, m.counts.up_to_date, m.counts.failed), (0, 1, 1));
}

#[test]
fn a_file_and_a_jsonl_id_with_the_same_output_are_refused_in_every_shard() {
    let dir = tempfile::tempdir().unwrap();
    write_corpus(&dir.path().join("c"), &[("a.txt".into(), "Tony Blair visited Paris.".into())]);
    let input = dir.path().join("in.jsonl");
    jsonl_file(&input, &[("a", "Angela Merkel visited Berlin.")]);
    let out = dir.path().join("out");
    let (o, err) = run(annotate().arg(dir.path().join("c")).arg("--jsonl").arg(&input).arg("--out").arg(&out));
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(error_line(&err, "in.jsonl:1:").contains(&format!("writes the same outputs as {}", dir.path().join("c/a.txt").display())));
    // The file's key (a.txt) and the id (a) may fall in different shards: the id is refused in its own.
    let mut refused = 0;
    for k in 0..2 {
        let shard_out = dir.path().join(format!("shard{k}"));
        let (o, err) = run(annotate().arg(dir.path().join("c")).arg("--jsonl").arg(&input).arg("--out").arg(&shard_out).args(["--shard", &format!("{k}/2")]));
        refused += err.lines().filter(|l| l.starts_with("whosaid:") && l.contains("in.jsonl:1:")).count();
        assert!(o.status.code() == Some(0) || o.status.code() == Some(1), "{err}");
    }
    assert_eq!(refused, 1);
}

#[test]
fn a_document_named_like_the_manifest_is_refused() {
    let src = tempfile::tempdir().unwrap();
    write_corpus(src.path(), &[("whosaid-run.txt".into(), "Tony Blair visited Paris.".into()), ("a.txt".into(), "Angela Merkel visited Berlin.".into())]);
    let (o, err) = run(annotate().arg(src.path()));
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(error_line(&err, "whosaid-run.txt").contains("names whosaid-run.* are kept for the run manifest"), "{err}");
    assert!(!src.path().join("whosaid-run.ann").exists());
    let m = manifest(&src.path().join("whosaid-run.json"));
    assert_eq!((m.counts.annotated, m.counts.failed), (1, 1));
}

#[test]
fn the_same_folder_named_twice_is_annotated_once() {
    let dir = tempfile::tempdir().unwrap();
    write_corpus(&dir.path().join("news"), &[("a.txt".into(), "Tony Blair visited Paris.".into()), ("b.txt".into(), "Angela Merkel visited Berlin.".into())]);
    let (o, err) = run(annotate().current_dir(dir.path()).args(["news", "./news", "news/a.txt"]));
    assert!(o.status.success(), "{err}");
    assert!(err.starts_with("whosaid: annotated 2 document(s)"), "{err}");
    assert_eq!(manifest(&dir.path().join("whosaid-run.json")).counts.documents, 2);
}

#[test]
fn a_bom_at_the_start_of_a_jsonl_file_is_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    let line = serde_json::json!({"id": "a", "text": "Tony Blair visited Paris."}).to_string();
    std::fs::write(&input, format!("\u{feff}{line}\n")).unwrap();
    let (o, err) = run(annotate().arg("--jsonl").arg(&input).arg("--jsonl-out").arg(dir.path().join("out.jsonl")));
    assert!(o.status.success(), "{err}");
    let record: JsonlRecord = serde_json::from_str(std::fs::read_to_string(dir.path().join("out.jsonl")).unwrap().trim()).unwrap();
    assert_eq!(record.json.document, "a");
}
