//! The write stage: each document's entities from its labels, the rule stages, and its
//! outputs (`X.ann` and `X.json` written as a pair, or a line of the one JSON Lines
//! output), and the tally of the run in input order.

use super::manifest::{failure_of, Counts, Failure};
use super::runner::panic_message;
use super::sources::{Origin, Slot};
use super::{Observer, RunOptions};
use crate::error::{Error, Result};
use crate::formats::brat;
use crate::formats::json::{JsonDocument, Provenance};
use crate::fsio::{folder_of, write_atomic_all, Staged};
use crate::ner::batch::{apply, NerOptions};
use crate::ner::WordLabel;
use crate::pipeline::annotate_rules;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

/// One line of a JSON Lines output: the content of `X.json` plus the brat `.ann` text.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct JsonlRecord {
    #[serde(flatten)]
    pub json: JsonDocument,
    pub ann: String,
}

/// The write stage's tally, and the JSON Lines output if there is one.
pub(super) struct Writer {
    pub(super) counts: Counts,
    pub(super) failures: Vec<Failure>,
    pub(super) jsonl_out: Option<JsonlOut>,
    pub(super) jsonl_error: Option<Error>,
}

impl Writer {
    /// Counts a batch's outcomes in input order, reports failures and progress, and
    /// appends JSON Lines output.
    pub(super) fn record(&mut self, outcomes: Vec<Outcome>, observer: &dyn Observer) {
        let counts = &mut self.counts;
        for outcome in outcomes {
            counts.documents += 1;
            let (line, pieces) = match outcome {
                Outcome::Annotated { line, stats } => {
                    counts.annotated += 1;
                    counts.chars += stats.chars;
                    counts.word_pieces += stats.pieces;
                    counts.entities += stats.entities;
                    counts.quotes += stats.quotes;
                    (line, stats.pieces)
                }
                Outcome::UpToDate { line } => {
                    counts.up_to_date += 1;
                    (line, 0)
                }
                Outcome::Failed(e) => {
                    counts.failed += 1;
                    observer.failed(&e);
                    self.failures.push(failure_of(&e));
                    (None, 0)
                }
            };
            if let (Some(out), Some(line), None) = (self.jsonl_out.as_mut(), line, &self.jsonl_error) {
                if let Err(e) = out.push(&line) {
                    self.jsonl_error = Some(e);
                }
            }
            observer.advance(pieces as u64);
        }
        // What is done is on disk, for a rerun after a crash or a kill.
        if let (Some(out), None) = (self.jsonl_out.as_mut(), &self.jsonl_error) {
            if let Err(e) = out.flush() {
                self.jsonl_error = Some(e);
            }
        }
    }

    /// The tally, after committing the JSON Lines output (unless writing it failed).
    pub(super) fn finish(mut self) -> (Counts, Vec<Failure>, Option<Error>) {
        if let (Some(out), None) = (self.jsonl_out.take(), &self.jsonl_error) {
            if let Err(e) = out.commit() {
                self.jsonl_error = Some(e);
            }
        }
        (self.counts, self.failures, self.jsonl_error)
    }
}

pub(super) struct Stats {
    chars: usize,
    pieces: usize,
    entities: usize,
    quotes: usize,
}

pub(super) enum Outcome {
    Annotated { line: Option<String>, stats: Stats },
    UpToDate { line: Option<String> },
    Failed(Error),
}

pub(super) fn finish_one(
    slot: Slot,
    labels: Option<Result<Vec<Vec<WordLabel>>>>,
    label_names: &[String],
    ner: &NerOptions,
    ranker: Option<&std::sync::Mutex<crate::ranker::Ranker>>,
    provenance: &Provenance,
    opts: &RunOptions,
) -> Outcome {
    let (origin, mut doc, prep) = match slot {
        Slot::Ready { origin, doc, prep } => (origin, doc, prep),
        Slot::UpToDate { line } => return Outcome::UpToDate { line },
        Slot::Failed(e) => return Outcome::Failed(e),
    };
    let labels = match labels {
        Some(Ok(l)) => l,
        Some(Err(e)) => return Outcome::Failed(origin.error(format!("model failed: {e}"))),
        None => return Outcome::Failed(origin.error("internal error: no model output")),
    };
    let annotated = catch_unwind(AssertUnwindSafe(|| {
        apply(label_names, &mut doc, &prep, &labels, ner);
        annotate_rules(&mut doc);
        crate::pipeline::rank_open_quotes(ranker, &mut doc)?;
        let json = JsonDocument::from_document(&doc, provenance.clone());
        let ann = brat::to_ann_string(&doc.text, &doc.ann);
        Ok::<_, Error>((json, ann))
    }));
    let (json, ann) = match annotated {
        Ok(Ok(x)) => x,
        Ok(Err(e)) => return Outcome::Failed(origin.error(format!("speaker ranker failed: {e}"))),
        Err(panic) => return Outcome::Failed(origin.error(format!("internal error in the rule stages: {}", panic_message(&panic)))),
    };
    let stats = Stats { chars: json.chars, pieces: prep.pieces(), entities: json.entities.len(), quotes: json.quotes.len() };
    if opts.jsonl_out.is_some() {
        return match serde_json::to_string(&JsonlRecord { json, ann }) {
            Ok(line) => Outcome::Annotated { line: Some(line), stats },
            Err(e) => Outcome::Failed(origin.error(e.to_string())),
        };
    }
    let (ann_path, json_path) = match origin.output_paths(opts.out.as_deref()) {
        Ok(paths) => paths,
        Err(e) => return Outcome::Failed(e),
    };
    let mut json = json;
    if let Origin::File(input) = &origin {
        json.text_path = crate::formats::json::text_path_from(&json_path, &input.path);
    }
    match json.to_bytes().and_then(|json_bytes| write_pair(&ann_path, ann.as_bytes(), &json_path, &json_bytes)) {
        Ok(()) => Outcome::Annotated { line: None, stats },
        // A JSON Lines document is named by its file and line.
        Err(e) if matches!(origin, Origin::Line { .. }) => Outcome::Failed(origin.error(e.to_string())),
        Err(e) => Outcome::Failed(e),
    }
}

/// Writes `X.ann` and `X.json` atomically as a pair: both are written to temporary files
/// in their folder and synced before either is renamed into place (`X.json` last: it
/// records the run that a rerun compares with). A failure leaves the old outputs (or
/// none), never a partial file.
fn write_pair(ann_path: &Path, ann: &[u8], json_path: &Path, json: &[u8]) -> Result<()> {
    for dir in [ann_path.parent(), json_path.parent()].into_iter().flatten() {
        if !dir.as_os_str().is_empty() {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
    }
    write_atomic_all(&[(ann_path, ann), (json_path, json)])
}

/// The JSON Lines output: lines go to a temporary file beside the target, renamed into
/// place when the run ends, so the file is complete or absent.
pub(super) struct JsonlOut {
    target: PathBuf,
    staged: Staged,
    file: std::io::BufWriter<std::fs::File>,
}

impl JsonlOut {
    pub(super) fn create(target: &Path) -> Result<JsonlOut> {
        let dir = folder_of(target);
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        let mut staged = Staged::create(target)?;
        let file = staged.take_file().ok_or_else(|| Error::Other("internal error: no temporary file".into()))?;
        let file = std::io::BufWriter::with_capacity(1 << 20, file);
        Ok(JsonlOut { target: target.to_path_buf(), staged, file })
    }

    fn push(&mut self, line: &str) -> Result<()> {
        self.file.write_all(line.as_bytes()).and_then(|_| self.file.write_all(b"\n")).map_err(|e| Error::io(&self.target, e))
    }

    fn flush(&mut self) -> Result<()> {
        self.file.flush().map_err(|e| Error::io(&self.target, e))
    }

    fn commit(self) -> Result<()> {
        let JsonlOut { target, mut staged, file } = self;
        staged.put_back(file.into_inner().map_err(|e| Error::io(&target, e.into_error()))?);
        staged.persist(&target)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pair_write_leaves_no_temporary_files() {
        let dir = tempfile::tempdir().unwrap();
        let (a, j) = (dir.path().join("sub/x.ann"), dir.path().join("sub/x.json"));
        write_pair(&a, b"T1\tPER 0 1\tA\n", &j, b"{}\n").unwrap();
        assert_eq!(std::fs::read(&a).unwrap(), b"T1\tPER 0 1\tA\n");
        let names: Vec<String> = std::fs::read_dir(dir.path().join("sub")).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        assert_eq!(names.len(), 2, "{names:?}");
    }
}
