//! Scoring predicted annotations against gold, as the guidelines define it
//! (ANNOTATION_GUIDELINES.md, "Scoring").
//!
//! - **Entities** per type (PER, ORG, ROLE, LOC) under *exact* match (same type, same
//!   offsets) and *overlap* match (same type, spans share a character); the headline is
//!   the micro average over PER + ORG + ROLE; LOC is reported separately; MISC is
//!   ignored on both sides.
//! - **Quotes** under exact match and *half-overlap* match: the spans share at least half
//!   of the longer one (`2 * overlap >= max(len_gold, len_pred)`).
//! - **Speaker accuracy**: of the gold quotes found (half-overlap matched), the share
//!   whose predicted speaker is correct (see [`speaker_correct`]).
//! - **End to end** (`e2e`): a predicted quote is a true positive only when it is
//!   half-overlap matched to a gold quote *and* its speaker is correct.
//! - **HasRole** and **RoleOrg**: a predicted relation matches a gold one of the same kind
//!   when its Arg1 spans overlap and its Arg2 spans overlap.
//!
//! All matching is one-to-one within a document and greedy: exact pairs first, then the
//! remaining candidate pairs by largest overlap, ties broken by position (gold, then
//! predicted), so the result never depends on the order of lines in a file. PrfCounts are
//! summed over documents (micro average) before any ratio is taken.
//!
//! The files: `mod.rs` walks the gold and predicted directories ([`evaluate_dirs`]) into a
//! [`Report`]; `score.rs` scores one document ([`score_document`]: the matching rules and
//! [`speaker_correct`]); `scores.rs` holds what is counted ([`PrfCounts`], [`Accuracy`],
//! [`DocScores`]) and the metric names; `files.rs` reads the files, refusing what is not
//! a regular file or is too large.

mod files;
mod score;
mod scores;

pub use files::{read_regular, MAX_FILE_BYTES};
pub use score::{score_document, speaker_correct};
pub use scores::{metric_names, metric_rows, Accuracy, PrfCounts, DocScores, EntityScores, MatchCounts};

use crate::annotation::Annotations;
use crate::document::Text;
use crate::error::{Error, Result};
use files::{read_ann, read_if_present};
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use std::fmt;
use std::path::{Path, PathBuf};

/// Something worth telling the user that does not stop the evaluation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    pub path: PathBuf,
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.message)
    }
}

/// The scores of one document of a corpus.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocReport {
    /// The gold `.ann` path relative to the gold directory, without extension, `/`-separated.
    pub id: String,
    pub scores: DocScores,
}

/// The scores of a corpus: the micro-averaged total, each document, and warnings.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Report {
    pub total: DocScores,
    pub documents: Vec<DocReport>,
    pub warnings: Vec<Warning>,
}

impl Report {
    /// Adds a document's scores to the total.
    pub fn push(&mut self, id: impl Into<String>, scores: DocScores) {
        self.total += scores;
        self.documents.push(DocReport { id: id.into(), scores });
    }

    /// A corpus metric by name (see [`metric_names`]); `None` for an unknown name.
    pub fn metric(&self, name: &str) -> Option<f64> {
        self.total.metric(name)
    }
}

/// Serializes a `DocScores`' metrics as one flat JSON object, `{"entities.micro.exact.p": …}`.
pub struct FlatMetrics<'a>(pub &'a DocScores);

impl Serialize for FlatMetrics<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let metrics = self.0.metrics();
        let mut map = s.serialize_map(Some(metrics.len()))?;
        for (name, value) in &metrics {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

/// Scores every gold document under `gold_dir` against `pred_dir`.
///
/// Gold documents are the `X.ann` files (searched recursively, in name order, following
/// symlinked files and folders) with `X.txt` beside them. The prediction for
/// `gold_dir/a/X.ann` is `pred_dir/a/X.ann`, read against the gold text. A missing
/// prediction counts as empty and adds a [`Warning`]; so does a gold `.ann` without its
/// `.txt` (skipped), a symlink loop and a dangling symlink (skipped). A malformed gold or
/// predicted file is an error naming the file and line; so is one that is not a regular
/// file (a FIFO, a device) or is over [`MAX_FILE_BYTES`], on either side, and a gold
/// directory without any document.
pub fn evaluate_dirs(gold_dir: &Path, pred_dir: &Path) -> Result<Report> {
    for dir in [gold_dir, pred_dir] {
        if !dir.is_dir() {
            return Err(Error::input(dir, "not a directory"));
        }
    }
    let mut report = Report::default();
    for entry in walkdir::WalkDir::new(gold_dir).follow_links(true).sort_by_file_name() {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) if e.loop_ancestor().is_some() => {
                let path = e.path().unwrap_or(gold_dir).to_path_buf();
                report.warnings.push(Warning { path, message: "symlink loop, skipped".into() });
                continue;
            }
            // A symlink to nothing (which the walk now follows) is not a document.
            Err(e) if e.io_error().is_some_and(|io| io.kind() == std::io::ErrorKind::NotFound) && e.depth() > 0 => {
                let path = e.path().unwrap_or(gold_dir).to_path_buf();
                report.warnings.push(Warning { path, message: "dangling symlink, skipped".into() });
                continue;
            }
            Err(e) => return Err(walk_error(gold_dir, e)),
        };
        let ann_path = entry.path();
        if entry.file_type().is_dir() || ann_path.extension().is_none_or(|e| e != "ann") {
            continue;
        }
        let txt_path = ann_path.with_extension("txt");
        let Some(txt) = read_if_present(&txt_path)? else {
            report.warnings.push(Warning {
                path: ann_path.to_path_buf(),
                message: "no .txt file beside it, skipped".into(),
            });
            continue;
        };
        let text = Text::new(crate::document::decode_text(&txt_path, txt)?);
        let gold = read_ann(&text, ann_path, read_regular(ann_path)?)?;
        let rel = ann_path.strip_prefix(gold_dir).unwrap_or(ann_path);
        let pred_path = pred_dir.join(rel);
        let pred = match read_if_present(&pred_path)? {
            Some(bytes) => read_ann(&text, &pred_path, bytes)?,
            None => {
                report.warnings.push(Warning {
                    path: pred_path,
                    message: "no prediction file, counted as empty".into(),
                });
                Annotations::default()
            }
        };
        report.push(doc_id(rel), score_document(&gold, &pred));
    }
    if report.documents.is_empty() {
        return Err(Error::input(gold_dir, "no gold documents (X.ann with X.txt beside it)"));
    }
    Ok(report)
}

/// `news/bbc_tech_071` for `news/bbc_tech_071.ann`.
fn doc_id(rel: &Path) -> String {
    let stem = rel.with_extension("");
    let parts: Vec<String> = stem.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
    parts.join("/")
}

fn walk_error(root: &Path, e: walkdir::Error) -> Error {
    let path = e.path().unwrap_or(root).to_path_buf();
    match e.into_io_error() {
        Some(io) => Error::io(&path, io),
        None => Error::input(&path, "file system loop"),
    }
}
