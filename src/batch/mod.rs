//! Batch runs: a corpus through one [`Pipeline`](crate::pipeline::Pipeline), with the
//! model kept busy ([`annotate_corpus`], what `whosaid annotate` runs).
//!
//! Three stages overlap, joined by channels that hold one batch each:
//!
//! 1. **read** (a thread; the documents of a batch in parallel): read and decode each
//!    input, refuse bad ones, skip those whose outputs are up to date, segment, and
//!    encode the windows into word pieces.
//! 2. **model** (the calling thread, the one model instance): the forward passes. One
//!    window pool ([`crate::ner::pool`]) spans the run: windows wait in buckets by padded
//!    length across documents and read batches, a bucket runs when it holds a full batch,
//!    the rest at the end of the input, and documents go on in input order once all their
//!    windows are labelled.
//! 3. **write** (a thread; documents in parallel): entities from the labels, the rule
//!    stages, and the outputs, written atomically (a pair of files per document, or one
//!    JSON Lines file for the run).
//!
//! A bad document, a model failure and a failed write fail that document only; it is
//! reported (in input order) and the run goes on. Outputs do not depend on batch sizes
//! or thread counts (see [`crate::ner::padded_width`]). A rerun skips documents whose
//! outputs are up to date ([`RunOptions::force`] redoes them); [`Shard`] splits a corpus
//! between processes with no coordinator.
//!
//! Which file holds what:
//!
//! - `runner.rs`: [`RunOptions`], stopping on a signal ([`request_stop`]), the
//!   [`Observer`] of progress, and [`annotate_corpus`], which joins the three stages and
//!   runs the model stage (its window pool).
//! - `sources.rs`: the inputs ([`Corpus`], the checks before any work in [`preflight`]),
//!   which document claims which outputs, the documents in input order, and the read
//!   stage (up-to-date checks included).
//! - `output.rs`: the write stage: the rule stages after the labels, the outputs
//!   ([`JsonlRecord`] is one line of a JSON Lines output), and the run's tally.
//! - `manifest.rs`: the manifest schema ([`Manifest`], `whosaid-run.json`) and where it
//!   is written ([`manifest_path`]).
//! - `shard.rs`: [`Shard`] (`K/N`) and the hash that puts a document in one.
//!
//! Files are written through [`crate::fsio`], the one atomic-write helper.

mod manifest;
mod output;
mod runner;
mod shard;
mod sources;

pub use manifest::{manifest_path, round3, Counts, Failure, Manifest, ModelRecord, Timings, MANIFEST_NAME};
pub use output::JsonlRecord;
pub use runner::{annotate_corpus, request_stop, stop_requested, Observer, RunOptions, Silent, DEFAULT_MAX_CHARS, POOL_READ_BATCHES};
pub use shard::{shard_of, Shard};
pub use sources::{preflight, Corpus};
