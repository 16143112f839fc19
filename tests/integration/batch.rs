//! Batch runs at scale, through the real binary: resume and `--force`, what threads and
//! batch sizes may change (nothing in fp32; in bf16 they are recorded and compared), `--shard K/N`, JSON Lines in and out, the
//! run manifest, quiet progress, and `kill -9` in the middle of a batch.

use std::collections::BTreeSet;
use std::time::{Duration, SystemTime};
use crate::util::*;
use whosaid::formats::json::JsonDocument;
use whosaid::batch::JsonlRecord;
use whosaid::Text;

/// Annotates `files` into `out` with extra arguments; returns the manifest.
fn annotate_into(src: &std::path::Path, out: &std::path::Path, extra: &[&str]) -> whosaid::batch::Manifest {
    let (o, err) = run(annotate().arg(src).arg("--out").arg(out).args(extra));
    assert!(o.status.success(), "whosaid failed: {err}");
    manifest(&out.join("whosaid-run.json"))
}

fn modified(path: &std::path::Path) -> SystemTime {
    std::fs::metadata(path).and_then(|m| m.modified()).expect("mtime")
}

#[test]
fn a_rerun_skips_every_document_whose_outputs_are_up_to_date() {
    let src = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    write_corpus(src.path(), &few_fixtures(3));
    let first = annotate_into(src.path(), out.path(), &[]);
    assert_eq!((first.counts.annotated, first.counts.up_to_date), (3, 0));
    let before = outputs(out.path());
    let mtime = modified(&out.path().join("bbc_business_034.json"));

    let again = annotate_into(src.path(), out.path(), &[]);
    assert_eq!((again.counts.annotated, again.counts.up_to_date), (0, 3));
    assert_eq!(outputs(out.path()), before);
    assert_eq!(modified(&out.path().join("bbc_business_034.json")), mtime, "an up-to-date output was rewritten");
}

#[test]
fn force_redoes_every_document_and_writes_the_same_bytes() {
    let src = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    write_corpus(src.path(), &few_fixtures(3));
    annotate_into(src.path(), out.path(), &[]);
    let before = outputs(out.path());

    let forced = annotate_into(src.path(), out.path(), &["--force"]);
    assert_eq!((forced.counts.annotated, forced.counts.up_to_date), (3, 0));
    assert_eq!(outputs(out.path()), before);
}

#[test]
fn an_edited_input_is_annotated_again_and_the_others_are_skipped() {
    let src = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    write_corpus(src.path(), &few_fixtures(3));
    annotate_into(src.path(), out.path(), &[]);

    let edited = src.path().join("bbc_business_034.txt");
    let text = std::fs::read_to_string(&edited).unwrap() + "\nTony Blair said \"No comment.\"\n";
    std::fs::write(&edited, text).unwrap();
    let later = SystemTime::now() + Duration::from_secs(2);
    std::fs::File::options().write(true).open(&edited).unwrap().set_modified(later).unwrap();

    let again = annotate_into(src.path(), out.path(), &[]);
    assert_eq!((again.counts.annotated, again.counts.up_to_date), (1, 2));
    let json = JsonDocument::read(&out.path().join("bbc_business_034.json")).unwrap();
    assert!(json.entities.iter().any(|e| e.text == "Tony Blair"), "the edit is not in the new output");
}

#[test]
fn outputs_made_with_other_settings_are_redone() {
    let src = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    write_corpus(src.path(), &few_fixtures(2));
    annotate_into(src.path(), out.path(), &["--precision", "fp32"]);

    let other = annotate_into(src.path(), out.path(), &["--precision", "bf16"]);
    assert_eq!((other.counts.annotated, other.counts.up_to_date), (2, 0));
    let json = JsonDocument::read(&out.path().join("bbc_business_034.json")).unwrap();
    assert_eq!(json.provenance.settings["precision"], "bf16");
    let same = annotate_into(src.path(), out.path(), &["--precision", "bf16"]);
    assert_eq!(same.counts.up_to_date, 2);
}

#[test]
fn outputs_written_by_other_rules_are_redone_even_at_the_same_version() {
    let src = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    write_corpus(src.path(), &few_fixtures(2));
    let first = annotate_into(src.path(), out.path(), &[]);
    assert_eq!(first.rules_sha256, whosaid::pipeline::RULES_SHA256);
    assert_eq!(first.rules_sha256.len(), 64);
    // An output as an older build of the same version wrote it: other rules.
    let file = out.path().join("bbc_business_034.json");
    let mut json: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(json["provenance"]["rules_sha256"], whosaid::pipeline::RULES_SHA256);
    json["provenance"]["rules_sha256"] = "0".repeat(64).into();
    std::fs::write(&file, serde_json::to_vec_pretty(&json).unwrap()).unwrap();

    let again = annotate_into(src.path(), out.path(), &[]);
    assert_eq!((again.counts.annotated, again.counts.up_to_date), (1, 1));
    assert_eq!(JsonDocument::read(&file).unwrap().provenance.rules_sha256, whosaid::pipeline::RULES_SHA256);
}

#[test]
fn auto_precision_is_recorded_as_the_precision_it_chose() {
    let src = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    write_corpus(src.path(), &few_fixtures(1));
    let m = annotate_into(src.path(), out.path(), &[]);
    let expected = if whosaid::ner::cpu_has_bf16() { "bf16" } else { "fp32" };
    assert_eq!(m.settings["precision"], expected);
    let json = JsonDocument::read(&out.path().join("bbc_business_034.json")).unwrap();
    assert_eq!(json.provenance.settings["precision"], expected);
    assert_eq!(json.provenance.settings["model_sha256"].as_str().map(str::len), Some(64));
}

/// The 40 BBC articles of `../shared/corpus/news` (issue 16's determinism check) when the
/// shared checkout is there, else five fixtures' texts; with how many there are.
fn determinism_corpus() -> (tempfile::TempDir, usize) {
    let src = tempfile::tempdir().unwrap();
    let news = root().join("../shared/corpus/news");
    let mut files: Vec<(String, String)> = std::fs::read_dir(&news)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .filter(|e| e.path().extension().is_some_and(|x| x == "txt"))
                .map(|e| (e.file_name().to_string_lossy().into_owned(), std::fs::read_to_string(e.path()).unwrap()))
                .collect()
        })
        .unwrap_or_default();
    if files.is_empty() {
        skipped("determinism_corpus", "no ../shared/corpus/news: five fixtures' texts instead of the 40 BBC articles");
        files = few_fixtures(5);
    }
    write_corpus(src.path(), &files);
    let n = files.len();
    (src, n)
}

/// The outputs of annotating `src` once per (threads, batch-docs) pair.
fn runs_with(src: &std::path::Path, n: usize, precision: &str, settings: &[(&str, &str)]) -> Vec<std::collections::BTreeMap<String, Vec<u8>>> {
    settings
        .iter()
        .map(|(threads, batch)| {
            let out = tempfile::tempdir().unwrap();
            annotate_into(src, out.path(), &["--threads", threads, "--batch-docs", batch, "--precision", precision, "--quiet"]);
            let files = outputs(out.path());
            assert_eq!(files.len(), 2 * n);
            files
        })
        .collect()
}

const THREADS_AND_BATCHES: [(&str, &str); 4] = [("1", "1"), ("1", "64"), ("2", "1"), ("2", "64")];

#[test]
fn fp32_outputs_are_byte_identical_whatever_threads_and_batch_docs() {
    let (src, n) = determinism_corpus();
    let runs = runs_with(src.path(), n, "fp32", &THREADS_AND_BATCHES);
    for (i, r) in runs.iter().enumerate().skip(1) {
        for (name, bytes) in r {
            assert!(runs[0][name] == *bytes, "fp32: {name} differs between {:?} and {:?}", THREADS_AND_BATCHES[0], THREADS_AND_BATCHES[i]);
        }
    }
}

/// X.json without the two settings a bf16 run records because they may change its bytes.
fn without_bf16_run_settings(bytes: &[u8]) -> serde_json::Value {
    let mut v: serde_json::Value = serde_json::from_slice(bytes).unwrap();
    if let Some(s) = v.pointer_mut("/provenance/settings").and_then(|s| s.as_object_mut()) {
        assert!(s.remove("bf16_threads").is_some() && s.remove("bf16_batch_docs").is_some(), "a bf16 X.json records its threads and batch-docs");
    }
    v
}

#[test]
fn bf16_outputs_are_identical_whatever_threads_and_batch_docs_on_cpus_without_amx() {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    if cpuinfo.contains("amx_bf16") {
        skipped(
            "bf16_outputs_are_identical_whatever_threads_and_batch_docs_on_cpus_without_amx",
            "this CPU has AMX, whose bf16 kernels may move scores with the thread count and batch rows (README: Batch runs at scale)",
        );
        return;
    }
    let (src, n) = determinism_corpus();
    let runs = runs_with(src.path(), n, "bf16", &THREADS_AND_BATCHES);
    for (i, r) in runs.iter().enumerate().skip(1) {
        for (name, bytes) in r {
            let same = if name.ends_with(".json") {
                without_bf16_run_settings(&runs[0][name]) == without_bf16_run_settings(bytes)
            } else {
                runs[0][name] == *bytes
            };
            assert!(same, "bf16: {name} differs between {:?} and {:?}", THREADS_AND_BATCHES[0], THREADS_AND_BATCHES[i]);
        }
    }
}

#[test]
fn a_bf16_run_resumed_with_other_threads_or_batch_docs_annotates_again_and_fp32_does_not() {
    let src = tempfile::tempdir().unwrap();
    write_corpus(src.path(), &few_fixtures(2));
    let out = tempfile::tempdir().unwrap();
    let bf16 = |t: &str, b: &str| annotate_into(src.path(), out.path(), &["--precision", "bf16", "--threads", t, "--batch-docs", b]).counts;
    assert_eq!(bf16("1", "64").annotated, 2);
    assert_eq!(bf16("1", "64").up_to_date, 2);
    assert_eq!(bf16("2", "64").annotated, 2, "other --threads in bf16: annotated again");
    assert_eq!(bf16("2", "1").annotated, 2, "other --batch-docs in bf16: annotated again");
    let fp32_out = tempfile::tempdir().unwrap();
    let fp32 = |t: &str, b: &str| annotate_into(src.path(), fp32_out.path(), &["--precision", "fp32", "--threads", t, "--batch-docs", b]).counts;
    assert_eq!(fp32("1", "64").annotated, 2);
    assert_eq!(fp32("2", "1").up_to_date, 2, "fp32 bytes do not depend on them: up to date");
}

/// Thirty one-sentence documents in two folders.
fn small_corpus(dir: &std::path::Path) -> Vec<(String, String)> {
    let names = ["Tony Blair", "Angela Merkel", "John Adler", "Sarah Khan", "Peter Hughes"];
    let places = ["Paris", "Leicester", "Berlin"];
    let files: Vec<(String, String)> = (0..30)
        .map(|i| {
            let name = format!("{}/doc{i:02}.txt", if i % 2 == 0 { "a" } else { "b" });
            (name, format!("{} visited {} on day {i}.", names[i % 5], places[i % 3]))
        })
        .collect();
    write_corpus(dir, &files);
    files
}

#[test]
fn shards_cover_the_corpus_exactly_once() {
    let src = tempfile::tempdir().unwrap();
    let files = small_corpus(src.path());
    let mut seen: Vec<String> = vec![];
    for k in 0..3 {
        let out = tempfile::tempdir().unwrap();
        let shard = format!("{k}/3");
        let (o, err) = run(annotate().arg(src.path()).arg("--out").arg(out.path()).args(["--shard", &shard]));
        assert!(o.status.success(), "{err}");
        let m = manifest(&out.path().join(format!("whosaid-run.shard-{k}-of-3.json")));
        assert_eq!(m.shard.as_deref(), Some(shard.as_str()));
        assert_eq!(m.counts.annotated + m.counts.other_shards, 30);
        let mine: Vec<String> = outputs(out.path()).into_keys().filter(|n| n.ends_with(".ann")).collect();
        assert_eq!(mine.len(), m.counts.annotated);
        seen.extend(mine);
    }
    let distinct: BTreeSet<&String> = seen.iter().collect();
    assert_eq!(seen.len(), 30, "documents annotated by more than one shard, or by none");
    let expected: BTreeSet<String> = files.iter().map(|(n, _)| n.replace(".txt", ".ann")).collect();
    assert_eq!(distinct.into_iter().cloned().collect::<BTreeSet<_>>(), expected);
}

#[test]
fn a_shard_that_is_not_k_of_n_is_refused() {
    for bad in ["3/3", "1", "x/2"] {
        let (o, err) = run(annotate().arg("tests/fixtures").args(["--shard", bad]));
        assert_eq!(o.status.code(), Some(2), "{bad}: {err}");
        assert!(err.contains("K/N"), "{bad}: {err}");
    }
}

#[test]
fn jsonl_in_and_out_give_one_line_per_document_with_its_annotations() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    let docs = few_fixtures(2);
    let mut lines: Vec<String> = docs
        .iter()
        .map(|(name, text)| serde_json::json!({"id": name.trim_end_matches(".txt"), "text": text}).to_string())
        .collect();
    lines.insert(1, "{\"id\": 7}".into());
    std::fs::write(&input, lines.join("\n") + "\n").unwrap();
    let output = dir.path().join("res/out.jsonl");

    let (o, err) = run(annotate().arg("--jsonl").arg(&input).arg("--jsonl-out").arg(&output));
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(error_line(&err, "in.jsonl:2:").contains("\"id\""));
    let text = std::fs::read_to_string(&output).unwrap();
    let records: Vec<JsonlRecord> = text.lines().map(|l| serde_json::from_str(l).expect("a JSON line")).collect();
    assert_eq!(records.iter().map(|r| r.json.document.as_str()).collect::<Vec<_>>(), ["bbc_business_034", "000_4e8217c3b4a8aa62"]);
    for (r, (_, doc_text)) in records.iter().zip(&docs) {
        let text = Text::new(doc_text.clone());
        let ann = whosaid::formats::brat::parse_ann(&text, &r.ann, std::path::Path::new("x.ann")).expect("brat text");
        assert_eq!(ann.entities().count(), r.json.entities.len());
        assert!(!r.json.entities.is_empty());
    }
    let m = manifest(&dir.path().join("res/whosaid-run.json"));
    assert_eq!((m.counts.annotated, m.counts.failed), (2, 1));
}

#[test]
fn a_jsonl_line_holds_what_the_per_document_files_hold() {
    let dir = tempfile::tempdir().unwrap();
    let (name, text) = few_fixtures(1).remove(0);
    write_corpus(&dir.path().join("src"), &[(name.clone(), text.clone())]);
    let input = dir.path().join("in.jsonl");
    std::fs::write(&input, serde_json::json!({"id": "bbc_business_034", "text": text}).to_string()).unwrap();

    annotate_into(&dir.path().join("src"), &dir.path().join("files"), &[]);
    let (o, err) = run(annotate().arg("--jsonl").arg(&input).arg("--jsonl-out").arg(dir.path().join("out.jsonl")));
    assert!(o.status.success(), "{err}");
    let line: JsonlRecord = serde_json::from_str(std::fs::read_to_string(dir.path().join("out.jsonl")).unwrap().trim()).unwrap();
    let mut file_json = JsonDocument::read(&dir.path().join("files/bbc_business_034.json")).unwrap();
    // Only a document read from a file records where its text is.
    assert_eq!(file_json.text_path.as_deref(), Some("../src/bbc_business_034.txt"));
    assert_eq!(line.json.text_path, None);
    file_json.text_path = None;
    assert_eq!(line.json, file_json);
    assert_eq!(line.ann, std::fs::read_to_string(dir.path().join("files/bbc_business_034.ann")).unwrap());
}

#[test]
fn a_jsonl_rerun_keeps_the_lines_of_unchanged_documents() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    let lines: Vec<String> =
        small_corpus(&dir.path().join("unused")).iter().take(4).map(|(n, t)| serde_json::json!({"id": n, "text": t}).to_string()).collect();
    std::fs::write(&input, lines.join("\n")).unwrap();
    let output = dir.path().join("out.jsonl");
    let (o, err) = run(annotate().arg("--jsonl").arg(&input).arg("--jsonl-out").arg(&output));
    assert!(o.status.success(), "{err}");
    let first = std::fs::read(&output).unwrap();

    let (o, err) = run(annotate().arg("--jsonl").arg(&input).arg("--jsonl-out").arg(&output));
    assert!(o.status.success(), "{err}");
    let m = manifest(&dir.path().join("whosaid-run.json"));
    assert_eq!((m.counts.annotated, m.counts.up_to_date), (0, 4));
    assert_eq!(std::fs::read(&output).unwrap(), first);
}

#[test]
fn jsonl_documents_go_to_id_paths_under_out_and_an_escaping_id_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    let lines = [
        serde_json::json!({"id": "news/one", "text": "Tony Blair visited Paris."}).to_string(),
        serde_json::json!({"id": "../escape", "text": "Angela Merkel visited Berlin."}).to_string(),
    ];
    std::fs::write(&input, lines.join("\n")).unwrap();
    let out = dir.path().join("out");
    let (o, err) = run(annotate().arg("--jsonl").arg(&input).arg("--out").arg(&out));
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(out.join("news/one.ann").is_file() && out.join("news/one.json").is_file());
    assert!(error_line(&err, "in.jsonl:2:").contains("not a relative path"));
    assert!(!dir.path().join("escape.ann").exists());
}

#[test]
fn jsonl_input_with_nowhere_to_write_is_refused_on_one_line() {
    let (o, err) = run(annotate().args(["--jsonl", "in.jsonl"]));
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("--jsonl-out"), "{err}");
}

#[test]
fn the_manifest_records_version_model_settings_counts_failures_and_timings() {
    let src = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    write_corpus(src.path(), &few_fixtures(2));
    std::fs::write(src.path().join("empty.txt"), "").unwrap();
    let (o, err) = run(annotate().arg(src.path()).arg("--out").arg(out.path()));
    assert_eq!(o.status.code(), Some(1), "{err}");

    let m = manifest(&out.path().join("whosaid-run.json"));
    assert_eq!(m.tool_version, env!("CARGO_PKG_VERSION"));
    assert_eq!(m.model.sha256.len(), 64);
    assert!(!m.model.name.is_empty());
    let precision = if m.settings["precision"] == "bf16" { whosaid::ner::Precision::Bf16 } else { whosaid::ner::Precision::Fp32 };
    assert_eq!(m.settings["ner"]["pad_multiple"], whosaid::pipeline::pad_multiple(precision));
    assert_eq!((m.counts.documents, m.counts.annotated, m.counts.failed), (3, 2, 1));
    assert!(m.counts.word_pieces > 500 && m.counts.entities > 10 && m.counts.quotes > 0, "{:?}", m.counts);
    assert_eq!(m.failures.len(), 1);
    assert!(m.failures[0].document.ends_with("empty.txt") && m.failures[0].error.contains("empty file"), "{:?}", m.failures);
    assert!(m.timings.startup_s > 0.0 && m.timings.total_s > 0.0 && m.timings.model_s > 0.0);
    assert!(m.timings.word_pieces_per_s > 0.0);
    assert!(m.command.iter().any(|a| a == "--out"));
}

#[test]
fn without_a_terminal_there_is_no_progress_bar_only_the_summary() {
    let src = tempfile::tempdir().unwrap();
    write_corpus(src.path(), &few_fixtures(1));
    let (o, err) = run(annotate().arg(src.path()));
    assert!(o.status.success(), "{err}");
    assert!(!err.contains('\r') && !err.contains("ETA"), "{err:?}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("whosaid: annotated 1 document(s)"), "{err}");
    assert!(o.stdout.is_empty());
}

#[test]
fn quiet_prints_only_errors() {
    let src = tempfile::tempdir().unwrap();
    write_corpus(src.path(), &few_fixtures(1));
    std::fs::write(src.path().join("empty.txt"), "").unwrap();
    let (o, err) = run(annotate().arg(src.path()).arg("--quiet"));
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(err.lines().count(), 1, "{err}");
    error_line(&err, "empty.txt");
}

#[test]
fn kill_9_in_the_middle_of_a_batch_leaves_no_partial_output_and_a_rerun_completes() {
    let src = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let docs: Vec<(String, String)> =
        (0..4).flat_map(|k| few_fixtures(5).into_iter().map(move |(n, t)| (format!("c{k}/{n}"), t))).collect();
    write_corpus(src.path(), &docs);
    let mut child = annotate().arg(src.path()).arg("--out").arg(out.path()).args(["--batch-docs", "2", "-q"]).spawn().unwrap();
    // Kill it once a few documents are written, well before the 20 are done.
    let deadline = std::time::Instant::now() + Duration::from_secs(600);
    while outputs(out.path()).keys().filter(|k| k.ends_with(".json")).count() < 4 && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();

    let written = outputs(out.path());
    let done = written.keys().filter(|k| k.ends_with(".json")).count();
    assert!(done < 20, "the run finished before it was killed");
    for (name, bytes) in &written {
        let stem = name.trim_end_matches(".ann").trim_end_matches(".json");
        let text = Text::new(std::fs::read_to_string(src.path().join(format!("{stem}.txt"))).unwrap());
        if name.ends_with(".json") {
            let json: JsonDocument = serde_json::from_slice(bytes).unwrap_or_else(|e| panic!("{name} is partial: {e}"));
            assert_eq!(json.chars, text.len_chars());
            assert!(written.contains_key(&format!("{stem}.ann")), "{name} without its .ann");
        } else {
            let ann = String::from_utf8(bytes.clone()).unwrap();
            whosaid::formats::brat::parse_ann(&text, &ann, std::path::Path::new(name)).unwrap_or_else(|e| panic!("{name} is partial: {e}"));
        }
    }

    let m = annotate_into(src.path(), out.path(), &["--batch-docs", "2", "-q"]);
    assert_eq!(m.counts.up_to_date, done);
    assert_eq!(m.counts.annotated, 20 - done);
    assert_eq!(outputs(out.path()).len(), 40);
}

/// A JSON Lines file of these (id, text) documents.
fn jsonl_file(path: &std::path::Path, docs: &[(&str, &str)]) {
    let lines: Vec<String> = docs.iter().map(|(id, text)| serde_json::json!({"id": id, "text": text}).to_string()).collect();
    std::fs::write(path, lines.join("\n") + "\n").unwrap();
}

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

/// Twenty documents (the fixtures, four times), for runs that are stopped part-way.
fn twenty_documents() -> Vec<(String, String)> {
    (0..4).flat_map(|k| few_fixtures(5).into_iter().map(move |(n, t)| (format!("c{k}/{n}"), t))).collect()
}

/// Sends a signal to a child process.
fn signal(child: &std::process::Child, name: &str) {
    let status = std::process::Command::new("kill").arg(format!("-{name}")).arg(child.id().to_string()).status().unwrap();
    assert!(status.success());
}

/// Waits until `done()` holds (or ten minutes pass).
fn wait_until(done: impl Fn() -> bool) {
    let deadline = std::time::Instant::now() + Duration::from_secs(600);
    while !done() && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Waits for a child with a time limit; returns its exit status code.
fn wait_for(child: &mut std::process::Child, limit: Duration) -> Option<i32> {
    let deadline = std::time::Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status.code();
        }
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            panic!("still running {limit:?} after the signal");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The complete lines of the JSON Lines output being written (its temporary file) in `dir`.
fn lines_in_progress(dir: &std::path::Path) -> usize {
    temp_files(dir).iter().map(|t| std::fs::read(t).map(|b| b.iter().filter(|&&c| c == b'\n').count()).unwrap_or(0)).sum()
}

#[test]
fn sigint_stops_the_run_writes_an_interrupted_manifest_and_exits_130() {
    let src = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    write_corpus(src.path(), &twenty_documents());
    let mut child = annotate().arg(src.path()).arg("--out").arg(out.path()).args(["--batch-docs", "2", "-q"]).spawn().unwrap();
    wait_until(|| outputs(out.path()).keys().filter(|k| k.ends_with(".json")).count() >= 4);
    signal(&child, "INT");
    assert_eq!(wait_for(&mut child, Duration::from_secs(120)), Some(130));

    let done = outputs(out.path()).keys().filter(|k| k.ends_with(".json")).count();
    assert!(done < 20, "the run finished before the signal");
    let m = manifest(&out.path().join("whosaid-run.json"));
    assert!(m.interrupted);
    assert_eq!((m.counts.annotated, m.counts.documents), (done, done));
    assert!(temp_files(out.path()).is_empty(), "{:?}", temp_files(out.path()));
    let again = annotate_into(src.path(), out.path(), &["--batch-docs", "2", "-q"]);
    assert!(!again.interrupted);
    assert_eq!((again.counts.up_to_date, again.counts.annotated), (done, 20 - done));
}

/// The twenty documents as `DIR/in.jsonl`, with `DIR/res/` made for the output
/// `DIR/res/out.jsonl`: (input, output folder, output).
fn twenty_as_jsonl(dir: &std::path::Path) -> (std::path::PathBuf, std::path::PathBuf, std::path::PathBuf) {
    let input = dir.join("in.jsonl");
    let docs = twenty_documents();
    let pairs: Vec<(&str, &str)> = docs.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
    jsonl_file(&input, &pairs);
    let res = dir.join("res");
    std::fs::create_dir(&res).unwrap();
    let output = res.join("out.jsonl");
    (input, res, output)
}

#[test]
fn sigterm_keeps_the_partial_jsonl_output_and_a_rerun_resumes_from_it() {
    let dir = tempfile::tempdir().unwrap();
    let (input, res, output) = twenty_as_jsonl(dir.path());
    let start = || annotate().arg("--jsonl").arg(&input).arg("--jsonl-out").arg(&output).args(["--batch-docs", "2", "-q"]).spawn().unwrap();
    let mut child = start();
    wait_until(|| lines_in_progress(&res) >= 4);
    signal(&child, "TERM");
    assert_eq!(wait_for(&mut child, Duration::from_secs(120)), Some(143));

    let kept = std::fs::read_to_string(&output).expect("the partial output is kept").lines().count();
    assert!((4..20).contains(&kept), "{kept} lines");
    let m = manifest(&res.join("whosaid-run.json"));
    assert!(m.interrupted && m.counts.annotated == kept, "{:?}", m.counts);
    assert!(temp_files(&res).is_empty(), "{:?}", temp_files(&res));

    let (o, err) = run(annotate().arg("--jsonl").arg(&input).arg("--jsonl-out").arg(&output).args(["--batch-docs", "2", "-q"]));
    assert!(o.status.success(), "{err}");
    let m = manifest(&res.join("whosaid-run.json"));
    assert_eq!((m.counts.up_to_date, m.counts.annotated), (kept, 20 - kept));
    assert_eq!(std::fs::read_to_string(&output).unwrap().lines().count(), 20);
}

#[test]
fn a_second_signal_exits_at_once_and_a_rerun_removes_the_stale_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let (input, res, output) = twenty_as_jsonl(dir.path());
    let mut child = annotate().arg("--jsonl").arg(&input).arg("--jsonl-out").arg(&output).args(["--batch-docs", "4", "-q"]).spawn().unwrap();
    wait_until(|| lines_in_progress(&res) >= 4);
    signal(&child, "INT");
    std::thread::sleep(Duration::from_millis(100));
    signal(&child, "INT");
    assert_eq!(wait_for(&mut child, Duration::from_secs(10)), Some(130));
    // Gone at once: no manifest, no output, only the temporary file.
    assert!(!res.join("whosaid-run.json").exists() && !output.exists());
    let partial = lines_in_progress(&res);
    assert!(partial >= 4 && temp_files(&res).len() == 1);

    let (o, err) = run(annotate().arg("--jsonl").arg(&input).arg("--jsonl-out").arg(&output).args(["--batch-docs", "4", "-q"]));
    assert!(o.status.success(), "{err}");
    assert!(temp_files(&res).is_empty(), "{:?}", temp_files(&res));
    let m = manifest(&res.join("whosaid-run.json"));
    assert_eq!(m.counts.up_to_date, partial, "the rerun did not resume from the lines the stopped run had written");
    assert_eq!(std::fs::read_to_string(&output).unwrap().lines().count(), 20);
}
