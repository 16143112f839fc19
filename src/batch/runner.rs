//! The threaded runner: the options of a run, stopping on a signal, progress, and
//! [`annotate_corpus`], which joins the read, model and write stages.

use super::manifest::{failure_of, round3, Counts, Manifest, ModelRecord, Timings};
use super::output::{finish_one, JsonlOut, Outcome, Writer};
use super::sources::{max_line_bytes, previous_lines, read_one, Claims, Corpus, Origin, Pending, ReadContext, Slot, Sources};
use super::Shard;
use crate::corpus::{Input, JsonlReader};
use crate::error::{Error, Result};
use crate::fsio::temp_path;
use crate::ner::pool::{BatchShape, DocLabels, WindowPool};
use crate::ner::{label_batch, Encoded, WordLabel};
use crate::formats::json::Provenance;
use crate::pipeline::Pipeline;
use rayon::prelude::*;
use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::mpsc::sync_channel;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// Documents longer than this many characters are refused by default (see
/// [`RunOptions::max_chars`]).
pub const DEFAULT_MAX_CHARS: usize = 20_000_000;

/// How a run reads, skips and writes.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Per-document outputs mirror the inputs under this directory (else beside each
    /// input file). JSON Lines documents go to `OUT/ID.ann` and `OUT/ID.json`.
    pub out: Option<PathBuf>,
    /// Write every document to this one JSON Lines file instead of per-document files.
    pub jsonl_out: Option<PathBuf>,
    /// Documents read together (in parallel) per read batch. The model's forward batches
    /// are filled across read batches ([`crate::ner::pool`]), from at most
    /// [`RunOptions::pool_read_batches`] × this many documents waiting.
    pub batch_docs: usize,
    /// Redo documents whose outputs are up to date.
    pub force: bool,
    /// Only the documents of this shard.
    pub shard: Option<Shard>,
    /// A longer document fails with a one-line error instead of being annotated.
    pub max_chars: usize,
    /// Read the next batch and write the last one while the model runs (else one stage
    /// at a time, each with all the threads).
    pub overlap: bool,
    /// Where the manifest will be written (no document may write its outputs there).
    pub manifest: Option<PathBuf>,
    /// The shape of a full forward batch ([`BatchShape`]).
    pub shape: BatchShape,
    /// The window pool holds the documents of at most this many read batches before it
    /// runs part-full forward batches ([`POOL_READ_BATCHES`]).
    pub pool_read_batches: usize,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            out: None,
            jsonl_out: None,
            batch_docs: 64,
            force: false,
            shard: None,
            max_chars: DEFAULT_MAX_CHARS,
            overlap: true,
            manifest: None,
            shape: BatchShape::default(),
            pool_read_batches: POOL_READ_BATCHES,
        }
    }
}

/// The window pool holds at most this many read batches' documents (`--batch-docs` each)
/// before it runs part-full forward batches to let the oldest document out.
pub const POOL_READ_BATCHES: usize = 4;

/// The signal that asked the running batch to stop (0: none).
static STOP: AtomicI32 = AtomicI32::new(0);

/// Asks a running batch to stop after the documents already through the model are
/// written (see [`annotate_corpus`]). Async-signal-safe, for a signal handler. Returns
/// `false` if a stop had already been asked for.
pub fn request_stop(signal: i32) -> bool {
    STOP.compare_exchange(0, signal.max(1), Ordering::SeqCst, Ordering::SeqCst).is_ok()
}

/// The signal that asked the run to stop, if one did.
pub fn stop_requested() -> Option<i32> {
    match STOP.load(Ordering::SeqCst) {
        0 => None,
        s => Some(s),
    }
}

/// Hears about a run as it goes (a progress bar, a log). Called from the writing thread,
/// in input order.
pub trait Observer: Sync {
    /// The number of documents the run will go through (`None` when reading stdin).
    fn start(&self, _total: Option<u64>) {}
    /// One more document is done (annotated, up to date, or failed), after `pieces`
    /// word pieces through the model.
    fn advance(&self, _pieces: u64) {}
    /// A document failed, or an input could not be read: a one-line error.
    fn failed(&self, _error: &Error) {}
}

/// An observer that ignores everything.
pub struct Silent;
impl Observer for Silent {}

/// The provenance a run records in every X.json and compares when it resumes: the
/// pipeline's, and in bf16 also the intra-op thread count and `--batch-docs`. libtorch's
/// bf16 kernels on CPUs with AMX pick their blocking by the number of threads and the
/// batch's rows, so those settings can move a score in the third decimal there (fp32 and
/// the AVX-512 bf16 kernels measured here give the same bits whatever they are); a resumed
/// bf16 run with other settings annotates again rather than mix outputs.
pub fn run_provenance(pipeline: &Pipeline, batch_docs: usize) -> Provenance {
    let mut p = pipeline.provenance();
    if pipeline.settings.precision == crate::ner::Precision::Bf16 {
        if let Some(obj) = p.settings.as_object_mut() {
            obj.insert("bf16_threads".into(), serde_json::Value::from(tch::get_num_threads()));
            obj.insert("bf16_batch_docs".into(), serde_json::Value::from(batch_docs));
        }
    }
    p
}

/// Runs the pipeline over a corpus. Returns the manifest (not yet written: see
/// [`Manifest::write`]); documents that failed are in it. An error is returned only when
/// the run as a whole cannot go on (the JSON Lines output cannot be written).
pub fn annotate_corpus(pipeline: &Pipeline, corpus: Corpus, opts: &RunOptions, observer: &dyn Observer) -> Result<Manifest> {
    let started_unix = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let started = Instant::now();
    let provenance = &run_provenance(pipeline, opts.batch_docs);
    let ner = pipeline.settings.ner;

    let mut counts = Counts::default();
    let mut failures = vec![];
    for e in &corpus.errors {
        observer.failed(e);
        failures.push(failure_of(e));
    }

    // Each output goes to the first document that claims it, in input order and over
    // every shard (so that shards agree); a later one is refused.
    let inputs = corpus.input_ids();
    let mut claims = Claims::new(opts);
    let mut files: Vec<(Input, Option<Error>)> = corpus
        .files
        .into_iter()
        .map(|f| {
            let origin = Origin::File(f.clone());
            let refused = claims.claim(&origin, f.path.display().to_string()).err().map(|r| origin.error(r));
            (f, refused)
        })
        .collect();
    // The documents of this shard.
    if let Some(shard) = opts.shard {
        let before = files.len();
        files.retain(|(f, _)| shard.contains(&f.key()));
        counts.other_shards += before - files.len();
    }
    let max_line = max_line_bytes(opts);
    let total = corpus.jsonl.iter().try_fold(files.len(), |n, path| {
        JsonlReader::count(path, max_line, |key| opts.shard.is_none_or(|s| s.contains(key))).map(|k| n + k)
    });
    observer.start(total.map(|n| n as u64));

    // A rerun keeps the lines of the last output, and of the partial one a killed run left.
    let previous = match (&opts.jsonl_out, opts.force) {
        (Some(file), false) => {
            let mut lines = previous_lines(file, provenance);
            lines.extend(previous_lines(&temp_path(file), provenance));
            lines
        }
        _ => HashMap::new(),
    };
    let jsonl_out = match &opts.jsonl_out {
        Some(file) => Some(JsonlOut::create(file)?),
        None => None,
    };

    let ctx = ReadContext { encoder: pipeline.model.encoder(), ner, provenance, opts, previous: &previous, inputs: &inputs };
    let labels = &pipeline.model.labels;
    let ranker = pipeline.ranker.as_ref();
    let mut sources = Sources::new(files, corpus.jsonl, opts.shard, claims, max_line);
    let mut model_s = 0.0;
    let batch_docs = opts.batch_docs.max(1);

    let mut writer = Writer { counts, failures, jsonl_out, jsonl_error: None };
    let write = |writer: &mut Writer, done: Vec<(Slot, DocLabels)>| {
        let outcomes: Vec<Outcome> =
            done.into_par_iter().map(|(slot, lab)| finish_one(slot, lab, labels, &ner, ranker, provenance, opts)).collect();
        writer.record(outcomes, observer);
    };
    let mut next_batch = || -> Option<Vec<Slot>> {
        if stop_requested().is_some() {
            return None;
        }
        let pending: Vec<Pending> = sources.by_ref().take(batch_docs).collect();
        (!pending.is_empty()).then(|| pending.into_par_iter().map(|p| read_one(p, &ctx)).collect())
    };
    // The model stage: one pool of windows for the whole run, so forward batches fill
    // across read batches; documents come out of it in input order.
    let mut pool: WindowPool<Slot> = WindowPool::new(opts.shape, ner.pad_multiple, opts.pool_read_batches.max(1).saturating_mul(batch_docs));
    let mut forward = |batch: &[&Encoded], width: usize| guarded_forward(pipeline, batch, width);
    let mut model_stage = |slots: Option<Vec<Slot>>| -> Vec<(Slot, DocLabels)> {
        let t = Instant::now();
        match slots {
            Some(slots) => slots.into_iter().for_each(|slot| pool.push(slot, &mut forward)),
            None => pool.finish(&mut forward),
        }
        model_s += t.elapsed().as_secs_f64();
        pool.take_done()
    };
    if opts.overlap {
        std::thread::scope(|s| -> Result<()> {
            let (to_model, from_reader) = sync_channel::<Vec<Slot>>(1);
            let (to_writer, from_model) = sync_channel::<Vec<(Slot, DocLabels)>>(1);
            let reader = s.spawn(move || {
                while let Some(slots) = next_batch() {
                    if to_model.send(slots).is_err() {
                        break;
                    }
                }
            });
            let writing = s.spawn(|| {
                for done in from_model {
                    write(&mut writer, done);
                }
            });
            let mut stopped = false;
            for slots in from_reader {
                if stop_requested().is_some() {
                    stopped = true;
                    break;
                }
                let done = model_stage(Some(slots));
                if !done.is_empty() && to_writer.send(done).is_err() {
                    stopped = true;
                    break;
                }
            }
            // The end of the input: what the pool still holds is run (unless stopped,
            // when documents not through the model are left for the rerun).
            if !stopped && stop_requested().is_none() {
                let done = model_stage(None);
                if !done.is_empty() {
                    let _ = to_writer.send(done);
                }
            }
            drop(to_writer);
            let read_ok = reader.join().is_ok();
            let write_ok = writing.join().is_ok();
            match (read_ok, write_ok) {
                (true, true) => Ok(()),
                _ => Err(Error::Other("internal error: a reading or writing thread stopped".into())),
            }
        })?;
    } else {
        while let Some(slots) = next_batch() {
            if stop_requested().is_some() {
                break;
            }
            let done = model_stage(Some(slots));
            write(&mut writer, done);
        }
        if stop_requested().is_none() {
            let done = model_stage(None);
            write(&mut writer, done);
        }
    }
    let (counts, failures, jsonl_error) = writer.finish();
    let mut counts = counts;
    let mut failures = failures;
    counts.other_shards += sources.other_shards;
    for e in &sources.unreadable {
        observer.failed(e);
        failures.push(failure_of(e));
    }
    if let Some(e) = jsonl_error {
        return Err(e);
    }

    let total_s = started.elapsed().as_secs_f64();
    let per_s = |n: usize| round3(if total_s > 0.0 { n as f64 / total_s } else { 0.0 });
    let info = &pipeline.model.info;
    Ok(Manifest {
        tool: provenance.tool.clone(),
        tool_version: provenance.tool_version.clone(),
        rules_sha256: provenance.rules_sha256.clone(),
        model: ModelRecord {
            name: info.name.clone(),
            version: info.version.clone(),
            sha256: pipeline.settings.model_sha256.clone(),
            dir: pipeline.model.dir.display().to_string(),
        },
        settings: provenance.settings.clone(),
        shard: opts.shard.map(|s| s.to_string()),
        command: vec![],
        output: match (&opts.jsonl_out, &opts.out) {
            (Some(f), _) => format!("JSON Lines {}", f.display()),
            (None, Some(d)) => format!("X.ann + X.json under {}", d.display()),
            (None, None) => "X.ann + X.json beside each X.txt".into(),
        },
        threads: rayon::current_num_threads(),
        batch_docs,
        max_chars: opts.max_chars,
        force: opts.force,
        started_unix,
        timings: Timings {
            startup_s: 0.0,
            total_s: round3(total_s),
            model_s: round3(model_s),
            documents_per_s: per_s(counts.annotated),
            word_pieces_per_s: per_s(counts.word_pieces),
            chars_per_s: per_s(counts.chars),
        },
        counts,
        failures,
        interrupted: stop_requested().is_some(),
    })
}

/// One forward batch of the run's pool ([`label_batch`]), a panic in the model turned
/// into an error (the pool then runs the batch's windows one at a time, so only the
/// documents with a window that fails alone fail).
fn guarded_forward(pipeline: &Pipeline, batch: &[&Encoded], width: usize) -> Result<Vec<Vec<WordLabel>>> {
    match catch_unwind(AssertUnwindSafe(|| label_batch(&pipeline.model, batch, width))) {
        Ok(r) => r,
        Err(panic) => Err(Error::Other(format!("internal error in the model: {}", panic_message(&panic)))),
    }
}

/// The message of a caught panic.
pub(super) fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.lines().next().unwrap_or_default().to_string()
    } else {
        "panic".into()
    }
}

#[cfg(test)]
mod tests {
    use crate::error::Error;
    use std::path::Path;

    #[test]
    fn an_io_error_is_said_once_in_a_chain_of_causes() {
        let e = anyhow::Error::from(Error::io(Path::new("out.jsonl"), std::io::Error::other("Is a directory")));
        assert_eq!(format!("{e:#}"), "out.jsonl: Is a directory");
    }
}
