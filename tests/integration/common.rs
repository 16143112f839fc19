//! Shared helpers for the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
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
