//! Shared helpers for the integration tests: where things are (the repository, the model,
//! the gold fixtures), the fixtures as documents, and running `whosaid annotate` on small
//! corpora (the batch and robustness tests).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use whosaid::batch::Manifest;
use whosaid::formats::brat;
use whosaid::Document;

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The model the tests use: the shipped default, or $WHOSAID_MODEL.
pub fn model_dir() -> PathBuf {
    std::env::var_os("WHOSAID_MODEL").map(PathBuf::from).unwrap_or_else(|| root().join("models/whosaid-ner-minilm"))
}

/// The gold fixtures, tests/fixtures.
pub fn fixtures_dir() -> PathBuf {
    root().join("tests/fixtures")
}

/// Every gold fixture (recursively): its .txt path and the document with gold annotations.
pub fn fixture_docs() -> Vec<(PathBuf, Document)> {
    let mut out = vec![];
    collect(&fixtures_dir(), &mut out);
    out.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(out.len(), 17, "expected the 17 gold fixtures");
    out
}

fn collect(dir: &Path, out: &mut Vec<(PathBuf, Document)>) {
    for entry in std::fs::read_dir(dir).expect("fixtures dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "txt") {
            let mut doc = Document::read(&path).expect("fixture text");
            doc.ann = brat::read_ann(&doc.text, &path.with_extension("ann")).expect("fixture ann");
            out.push((path, doc));
        }
    }
}

/// `whosaid annotate --model MODEL`, ready for more arguments.
pub fn annotate() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_whosaid"));
    cmd.arg("annotate").arg("--model").arg(model_dir());
    cmd
}

/// Runs a command and returns its output, with stderr as text.
pub fn run(cmd: &mut Command) -> (Output, String) {
    let out = cmd.output().expect("whosaid runs");
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    (out, err)
}

/// The text of a gold fixture, e.g. `news/bbc_business_034`.
pub fn fixture_text(name: &str) -> String {
    std::fs::read_to_string(fixtures_dir().join(format!("{name}.txt"))).expect("fixture text")
}

/// A few short fixtures (real news text), as (file name, text).
pub fn few_fixtures(n: usize) -> Vec<(String, String)> {
    ["news/bbc_business_034", "000_4e8217c3b4a8aa62", "news/bbc_entertainment_291", "001_a9f15ece287fbe27", "news/bbc_sport_260"]
        .iter()
        .take(n)
        .map(|name| (format!("{}.txt", name.rsplit('/').next().unwrap_or(name)), fixture_text(name)))
        .collect()
}

/// Writes `files` (name, content) into `dir`.
pub fn write_corpus(dir: &Path, files: &[(String, String)]) {
    for (name, text) in files {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("corpus dir");
        }
        std::fs::write(path, text).expect("corpus file");
    }
}

/// Every output file under `dir` (`.ann`, `.json`, `.jsonl`; not the manifest) by
/// relative path, with its bytes.
pub fn outputs(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.expect("walk outputs");
        let name = entry.file_name().to_string_lossy().into_owned();
        let is_output = [".ann", ".json", ".jsonl"].iter().any(|x| name.ends_with(x)) && !name.starts_with("whosaid-run");
        if entry.file_type().is_file() && is_output {
            let rel = entry.path().strip_prefix(dir).expect("under dir").to_string_lossy().into_owned();
            out.insert(rel, std::fs::read(entry.path()).expect("read output"));
        }
    }
    out
}

/// Leftover temporary files (`.whosaid-*.tmp`) under `dir`.
pub fn temp_files(dir: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .map(|e| e.path().to_path_buf())
        .collect()
}

pub fn manifest(path: &Path) -> Manifest {
    Manifest::read(path).unwrap_or_else(|e| panic!("manifest: {e}"))
}

/// The one stderr line that reports `name`, which must start with `whosaid:`.
pub fn error_line<'a>(stderr: &'a str, name: &str) -> &'a str {
    let lines: Vec<&str> = stderr.lines().filter(|l| l.starts_with("whosaid:") && l.contains(name)).collect();
    assert_eq!(lines.len(), 1, "expected one error line for {name}, got {lines:?} in:\n{stderr}");
    lines[0]
}

/// Says in the log that `test` did not run, and why: `SKIPPED: TEST: REASON` on the test
/// process's own stderr. libtest captures `eprintln!` and shows it only for a failing test
/// or with `--nocapture`, so a test that returns early would pass silently; it does not
/// capture a direct write to stderr.
pub fn skipped(test: &str, reason: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "SKIPPED: {test}: {reason}");
}
