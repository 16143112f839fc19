//! Batch runs: a corpus through one [`Pipeline`], with the model kept busy.
//!
//! Three stages overlap, joined by channels that hold one batch each:
//!
//! 1. **read** (a thread; the documents of a batch in parallel): read and decode each
//!    input, refuse bad ones, skip those whose outputs are up to date, segment, and
//!    encode the windows into word pieces.
//! 2. **model** (the calling thread, the one model instance): the forward passes of a
//!    whole batch, windows bucketed by padded length across documents.
//! 3. **write** (a thread; documents in parallel): entities from the labels, the rule
//!    stages, and the outputs, written atomically (a pair of files per document, or one
//!    JSON Lines file for the run).
//!
//! A bad document, a model failure and a failed write fail that document only; it is
//! reported (in input order) and the run goes on. Outputs do not depend on batch sizes
//! or thread counts (see [`crate::ner::padded_width`]). A rerun skips documents whose
//! outputs are up to date ([`RunOptions::force`] redoes them); [`Shard`] splits a corpus
//! between processes with no coordinator.

use crate::corpus::{self, FileId, Input, JsonlDoc, JsonlReader};
use crate::document::{decode_text, sha256_hex, Document};
use crate::error::{Error, Result};
use crate::formats::brat;
use crate::formats::json::{JsonDocument, Provenance};
use crate::fsio::{folder_of, temp_path, write_atomic_all, Staged};
use crate::ner::batch::{apply, infer, prepare, NerOptions, Prepared};
use crate::ner::{Encoder, WordLabel};
use crate::pipeline::{annotate_rules, Pipeline};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::mpsc::sync_channel;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// Documents longer than this many characters are refused by default (see
/// [`RunOptions::max_chars`]).
pub const DEFAULT_MAX_CHARS: usize = 20_000_000;

/// The manifest's file name in the output root.
pub const MANIFEST_NAME: &str = "whosaid-run.json";

/// How a run reads, skips and writes.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Per-document outputs mirror the inputs under this directory (else beside each
    /// input file). JSON Lines documents go to `OUT/ID.ann` and `OUT/ID.json`.
    pub out: Option<PathBuf>,
    /// Write every document to this one JSON Lines file instead of per-document files.
    pub jsonl_out: Option<PathBuf>,
    /// Documents read and batched together per model run.
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
        }
    }
}

/// `K/N`: the K-th of N disjoint parts of a corpus (0 ≤ K < N). A document belongs to
/// shard `sha256(key) mod N`, where the key is its path relative to the root it was
/// found under (with `/`) or its JSON Lines id; the first 8 bytes of the digest are read
/// as a big-endian integer. N processes given the same inputs and `0/N` … `N-1/N` cover
/// the corpus exactly once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl Shard {
    /// Whether the document with this key belongs to this shard.
    pub fn contains(&self, key: &str) -> bool {
        shard_of(key, self.count) == self.index
    }
}

/// The shard (0..count) of a document key.
pub fn shard_of(key: &str, count: u64) -> u64 {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(key.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_be_bytes(first) % count.max(1)
}

impl FromStr for Shard {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Shard, String> {
        let bad = || format!("expected K/N with 0 <= K < N (e.g. 0/4), got {s:?}");
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let index: u64 = k.trim().parse().map_err(|_| bad())?;
        let count: u64 = n.trim().parse().map_err(|_| bad())?;
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// The documents of a run: text files (found by [`corpus::discover`]), JSON Lines
/// files (read as the run goes), and the paths that could not be searched.
#[derive(Debug, Default)]
pub struct Corpus {
    pub files: Vec<Input>,
    pub jsonl: Vec<PathBuf>,
    pub errors: Vec<Error>,
}

impl Corpus {
    pub fn discover(paths: &[PathBuf], jsonl: &[PathBuf]) -> Corpus {
        let (files, errors) = corpus::discover(paths);
        Corpus { files, jsonl: jsonl.to_vec(), errors }
    }

    /// The identities (device, inode) of every input file: the text files and the JSON
    /// Lines files.
    pub fn input_ids(&self) -> HashSet<FileId> {
        let files = self.files.iter().map(|f| f.path.as_path());
        let jsonl = self.jsonl.iter().map(PathBuf::as_path).filter(|p| *p != Path::new("-"));
        files.chain(jsonl).filter_map(corpus::file_id_of).collect()
    }
}

/// Checks, before any work (before the model is loaded), that the run can write its
/// outputs: that no output (the `--jsonl-out` file, the manifest) is an input file
/// (compared by device and inode, through symlinks), that `--out` and the folders of the
/// JSON Lines output and the manifest can be created and written, and that the files are
/// not folders. The error is the run's one line (exit status 2).
pub fn preflight(opts: &RunOptions, corpus: &Corpus, manifest: &Path) -> Result<()> {
    let inputs = corpus.input_ids();
    let mut files: Vec<(&Path, &str)> = vec![(manifest, "the run manifest")];
    if let Some(f) = &opts.jsonl_out {
        files.insert(0, (f, "--jsonl-out"));
    }
    for (file, what) in &files {
        if let Ok(m) = std::fs::metadata(file) {
            if m.is_dir() {
                return Err(Error::input(file, format!("is a directory, not a file ({what})")));
            }
            if inputs.contains(&corpus::file_id(&m)) {
                return Err(Error::input(file, format!("is an input of this run; {what} would overwrite it (refused)")));
            }
        }
    }
    let mut folders: Vec<PathBuf> = files.iter().map(|(f, _)| folder_of(f)).collect();
    if let Some(out) = &opts.out {
        if out.exists() && !out.is_dir() {
            return Err(Error::input(out, "is not a directory (--out)"));
        }
        folders.insert(0, out.clone());
    }
    for dir in folders {
        std::fs::create_dir_all(&dir).map_err(|e| Error::input(&dir, format!("cannot create the output folder ({e})")))?;
        tempfile::Builder::new()
            .prefix(".whosaid-")
            .suffix(".tmp")
            .tempfile_in(&dir)
            .map_err(|e| Error::input(&dir, format!("cannot write in the output folder ({e})")))?;
    }
    Ok(())
}

/// The signal that asked the running batch to stop (0: none).
static STOP: AtomicI32 = AtomicI32::new(0);

/// Asks a running batch to stop after the documents already through the model are
/// written (see [`run`]). Async-signal-safe, for a signal handler. Returns `false` if a
/// stop had already been asked for.
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

/// What a run did: the content of `whosaid-run.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub tool: String,
    pub tool_version: String,
    pub model: ModelRecord,
    /// The settings recorded in every output (see [`crate::pipeline::Settings`]).
    pub settings: serde_json::Value,
    /// `K/N`, if the run was one shard.
    pub shard: Option<String>,
    /// The command line, for rerunning.
    pub command: Vec<String>,
    /// Where the outputs went.
    pub output: String,
    pub threads: usize,
    pub batch_docs: usize,
    pub max_chars: usize,
    pub force: bool,
    pub started_unix: u64,
    pub counts: Counts,
    pub timings: Timings,
    /// Every document that failed (and input that could not be read), in input order.
    pub failures: Vec<Failure>,
    /// The run was stopped by a signal (SIGINT, SIGTERM): the counts are those done so far;
    /// rerunning the same command finishes it.
    #[serde(default)]
    pub interrupted: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ModelRecord {
    pub name: String,
    pub version: String,
    pub sha256: String,
    pub dir: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Counts {
    /// Documents this run was responsible for (its shard), failures included.
    pub documents: usize,
    pub annotated: usize,
    /// Skipped: outputs newer than the input, from the same model and settings.
    pub up_to_date: usize,
    pub failed: usize,
    /// Documents found but left to the other shards.
    pub other_shards: usize,
    /// Over the annotated documents:
    pub chars: usize,
    pub word_pieces: usize,
    pub entities: usize,
    pub quotes: usize,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Timings {
    /// Loading the model (set by the caller).
    pub startup_s: f64,
    /// The run after start-up.
    pub total_s: f64,
    /// Time in forward passes.
    pub model_s: f64,
    pub documents_per_s: f64,
    pub word_pieces_per_s: f64,
    pub chars_per_s: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Failure {
    /// The file (or `FILE:LINE` of a JSON Lines input).
    pub document: String,
    /// The one-line error, as printed.
    pub error: String,
}

impl Manifest {
    /// Writes the manifest atomically.
    pub fn write(&self, path: &Path) -> Result<()> {
        let mut bytes = serde_json::to_vec_pretty(self).map_err(|e| Error::Other(e.to_string()))?;
        bytes.push(b'\n');
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        crate::fsio::write_atomic(path, &bytes)
    }

    pub fn read(path: &Path) -> Result<Manifest> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        serde_json::from_slice(&bytes).map_err(|e| Error::parse(path, e.line(), e.to_string()))
    }
}

/// Where the manifest goes: the output root (`--out`, the JSON Lines output's folder,
/// or the one directory given; else the current directory), named `whosaid-run.json`,
/// or `whosaid-run.shard-K-of-N.json` for a shard so that shards do not overwrite
/// each other's.
pub fn manifest_path(opts: &RunOptions, roots: &[PathBuf]) -> PathBuf {
    let root = if let Some(out) = &opts.out {
        out.clone()
    } else if let Some(file) = &opts.jsonl_out {
        file.parent().map(Path::to_path_buf).unwrap_or_default()
    } else if let [one] = roots {
        if one.is_dir() {
            one.clone()
        } else {
            one.parent().map(Path::to_path_buf).unwrap_or_default()
        }
    } else {
        PathBuf::new()
    };
    let name = match opts.shard {
        Some(s) => format!("whosaid-run.shard-{}-of-{}.json", s.index, s.count),
        None => MANIFEST_NAME.to_string(),
    };
    root.join(name)
}

/// One line of a JSON Lines output: the content of `X.json` plus the brat `.ann` text.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct JsonlRecord {
    #[serde(flatten)]
    pub json: JsonDocument,
    pub ann: String,
}

/// Runs the pipeline over a corpus. Returns the manifest (not yet written: see
/// [`Manifest::write`]); documents that failed are in it. An error is returned only when
/// the run as a whole cannot go on (the JSON Lines output cannot be written).
pub fn run(pipeline: &Pipeline, corpus: Corpus, opts: &RunOptions, observer: &dyn Observer) -> Result<Manifest> {
    let started_unix = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let started = Instant::now();
    let provenance = &pipeline.provenance();
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
    let write = |writer: &mut Writer, slots: Vec<Slot>, labs: Labels| {
        let outcomes: Vec<Outcome> = slots
            .into_par_iter()
            .zip(labs.into_par_iter())
            .map(|(slot, lab)| finish_one(slot, lab, labels, &ner, ranker, provenance, opts))
            .collect();
        writer.record(outcomes, observer);
    };
    let mut next_batch = || -> Option<Vec<Slot>> {
        if stop_requested().is_some() {
            return None;
        }
        let pending: Vec<Pending> = sources.by_ref().take(batch_docs).collect();
        (!pending.is_empty()).then(|| pending.into_par_iter().map(|p| read_one(p, &ctx)).collect())
    };
    if opts.overlap {
        std::thread::scope(|s| -> Result<()> {
            let (to_model, from_reader) = sync_channel::<Vec<Slot>>(1);
            let (to_writer, from_model) = sync_channel::<(Vec<Slot>, Labels)>(1);
            let reader = s.spawn(move || {
                while let Some(slots) = next_batch() {
                    if to_model.send(slots).is_err() {
                        break;
                    }
                }
            });
            let writing = s.spawn(|| {
                for (slots, labs) in from_model {
                    write(&mut writer, slots, labs);
                }
            });
            for slots in from_reader {
                if stop_requested().is_some() {
                    break;
                }
                let t = Instant::now();
                let labs = run_model(pipeline, &slots);
                model_s += t.elapsed().as_secs_f64();
                if to_writer.send((slots, labs)).is_err() {
                    break;
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
            let t = Instant::now();
            let labs = run_model(pipeline, &slots);
            model_s += t.elapsed().as_secs_f64();
            write(&mut writer, slots, labs);
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

/// The longest JSON Lines line read: 4 bytes per character of `--max-chars`.
fn max_line_bytes(opts: &RunOptions) -> usize {
    opts.max_chars.saturating_mul(4).max(1024)
}

/// Which document first claimed each output (its `X.ann` path, normalised; or its id,
/// for a JSON Lines output), so that a second document with the same outputs is refused
/// with one line naming both, instead of overwriting the first. Output names
/// `whosaid-run.*` are the manifests'.
struct Claims {
    /// Keys are document ids (one JSON Lines output), not paths.
    by_id: bool,
    out: Option<PathBuf>,
    cwd: PathBuf,
    first: HashMap<String, String>,
}

impl Claims {
    fn new(opts: &RunOptions) -> Claims {
        let mut claims = Claims {
            by_id: opts.jsonl_out.is_some(),
            out: opts.out.clone(),
            cwd: std::env::current_dir().unwrap_or_default(),
            first: HashMap::new(),
        };
        if let Some(m) = opts.manifest.as_ref().filter(|_| !claims.by_id) {
            if m.extension().is_some_and(|x| x == "json" || x == "ann") {
                let key = claims.key_of(&m.with_extension("ann"));
                claims.first.insert(key, "the run manifest".into());
            }
        }
        claims
    }

    fn key_of(&self, path: &Path) -> String {
        corpus::normalize(&self.cwd.join(path)).to_string_lossy().into_owned()
    }

    /// Claims the outputs of a document (`source` names it), or says why it cannot have
    /// them. A document whose outputs cannot be named is left to fail on its own.
    fn claim(&mut self, origin: &Origin, source: String) -> std::result::Result<(), String> {
        let key = if self.by_id {
            format!("id {}", origin.id())
        } else {
            let Ok((ann, _)) = origin.output_paths(self.out.as_deref()) else { return Ok(()) };
            let stem = ann.file_stem().map(|s| s.to_string_lossy()).unwrap_or_default();
            if stem == "whosaid-run" || stem.starts_with("whosaid-run.") {
                return Err(format!("its outputs would be {}: names whosaid-run.* are kept for the run manifest", ann.with_extension("json").display()));
            }
            self.key_of(&ann)
        };
        match self.first.get(&key) {
            Some(first) if self.by_id => Err(format!("duplicate id (first at {first}), skipped")),
            Some(first) => Err(format!("writes the same outputs as {first}, skipped")),
            None => {
                self.first.insert(key, source);
                Ok(())
            }
        }
    }
}

/// Seconds and rates to the millisecond (a manifest is read by people).
pub fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

fn failure_of(e: &Error) -> Failure {
    let document = match e {
        Error::Io { path, .. } | Error::Input { path, .. } | Error::Model { path, .. } => path.display().to_string(),
        Error::Parse { path, line, .. } => format!("{}:{line}", path.display()),
        Error::Torch(_) | Error::Other(_) => String::new(),
    };
    Failure { document, error: e.to_string() }
}

/// Where a document came from.
#[derive(Debug, Clone)]
enum Origin {
    File(Input),
    Line { file: PathBuf, line: usize, id: String },
}

impl Origin {
    fn id(&self) -> String {
        match self {
            Origin::File(input) => input.id(),
            Origin::Line { id, .. } => id.clone(),
        }
    }

    /// A one-line error about this document.
    fn error(&self, reason: impl Into<String>) -> Error {
        match self {
            Origin::File(input) => Error::input(&input.path, reason),
            Origin::Line { file, line, id } => Error::parse(file, *line, format!("id {id:?}: {}", reason.into())),
        }
    }

    /// `X.ann` and `X.json` of a per-document output.
    fn output_paths(&self, out: Option<&Path>) -> Result<(PathBuf, PathBuf)> {
        match (self, out) {
            (Origin::File(input), _) => Ok(corpus::output_paths(input, out)),
            (Origin::Line { .. }, Some(dir)) => corpus::id_output_paths(&self.id(), dir).map_err(|r| self.error(r)),
            (Origin::Line { .. }, None) => Err(self.error("a JSON Lines document needs --out DIR or --jsonl-out FILE")),
        }
    }
}

/// A document to read: a file, a JSON Lines line already parsed, or a line that is not
/// a document (it fails in its place).
enum Pending {
    File(Input),
    Line { file: PathBuf, line: usize, doc: JsonlDoc },
    Bad(Error),
}

/// The documents of a run in order: the files, then each JSON Lines file's lines (read
/// lazily). Lines of other shards are counted and dropped; a JSON Lines file that cannot
/// be opened is kept aside.
struct Sources {
    files: std::vec::IntoIter<(Input, Option<Error>)>,
    jsonl: std::vec::IntoIter<PathBuf>,
    current: Option<JsonlReader>,
    shard: Option<Shard>,
    claims: Claims,
    max_line: usize,
    other_shards: usize,
    unreadable: Vec<Error>,
}

impl Sources {
    fn new(files: Vec<(Input, Option<Error>)>, jsonl: Vec<PathBuf>, shard: Option<Shard>, claims: Claims, max_line: usize) -> Sources {
        Sources {
            files: files.into_iter(),
            jsonl: jsonl.into_iter(),
            current: None,
            shard,
            claims,
            max_line,
            other_shards: 0,
            unreadable: vec![],
        }
    }

    fn in_shard(&self, key: &str) -> bool {
        self.shard.is_none_or(|s| s.contains(key))
    }
}

impl Iterator for Sources {
    type Item = Pending;

    fn next(&mut self) -> Option<Pending> {
        if let Some((input, refused)) = self.files.next() {
            return Some(match refused {
                Some(e) => Pending::Bad(e),
                None => Pending::File(input),
            });
        }
        loop {
            let Some(reader) = self.current.as_mut() else {
                let path = self.jsonl.next()?;
                match JsonlReader::open(&path, self.max_line) {
                    Ok(r) => self.current = Some(r),
                    Err(e) => self.unreadable.push(e),
                }
                continue;
            };
            let file = reader.path().to_path_buf();
            let Some((line, doc)) = reader.next() else {
                self.current = None;
                continue;
            };
            let doc = match doc {
                Ok(doc) if doc.id.len() > corpus::MAX_ID_BYTES => {
                    let reason = format!("id too long ({} bytes, limit {}), skipped", doc.id.len(), corpus::MAX_ID_BYTES);
                    Err(Error::parse(&file, line, reason))
                }
                Ok(doc) => {
                    let origin = Origin::Line { file: file.clone(), line, id: doc.id.clone() };
                    match self.claims.claim(&origin, format!("{}:{line}", file.display())) {
                        Ok(()) => Ok(doc),
                        Err(reason) if self.in_shard(&doc.id) => return Some(Pending::Bad(origin.error(reason))),
                        Err(_) => Ok(doc),
                    }
                }
                Err(e) => Err(e),
            };
            match doc {
                Ok(doc) if !self.in_shard(&doc.id) => self.other_shards += 1,
                Ok(doc) => return Some(Pending::Line { file, line, doc }),
                Err(e) if self.in_shard(&corpus::bad_line_key(&file, line)) => return Some(Pending::Bad(e)),
                Err(_) => self.other_shards += 1,
            }
        }
    }
}

/// The labels of each window of each document of a batch (`None` for documents that
/// did not reach the model).
type Labels = Vec<Option<Result<Vec<Vec<WordLabel>>>>>;

/// The write stage's tally, and the JSON Lines output if there is one.
struct Writer {
    counts: Counts,
    failures: Vec<Failure>,
    jsonl_out: Option<JsonlOut>,
    jsonl_error: Option<Error>,
}

impl Writer {
    /// Counts a batch's outcomes in input order, reports failures and progress, and
    /// appends JSON Lines output.
    fn record(&mut self, outcomes: Vec<Outcome>, observer: &dyn Observer) {
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
    fn finish(mut self) -> (Counts, Vec<Failure>, Option<Error>) {
        if let (Some(out), None) = (self.jsonl_out.take(), &self.jsonl_error) {
            if let Err(e) = out.commit() {
                self.jsonl_error = Some(e);
            }
        }
        (self.counts, self.failures, self.jsonl_error)
    }
}

/// What the read stage made of a document.
#[allow(clippy::large_enum_variant)] // almost every slot is Ready
enum Slot {
    Ready { origin: Origin, doc: Document, prep: Prepared },
    UpToDate { line: Option<String> },
    Failed(Error),
}

/// What the read stage needs, shared by its threads.
struct ReadContext<'a> {
    encoder: Encoder<'a>,
    ner: NerOptions,
    provenance: &'a Provenance,
    opts: &'a RunOptions,
    /// Lines of the previous JSON Lines output, by document id: (sha256, line).
    previous: &'a HashMap<String, (String, String)>,
    /// The input files (device, inode): no output may be one of them.
    inputs: &'a HashSet<FileId>,
}

fn read_one(pending: Pending, ctx: &ReadContext) -> Slot {
    let (origin, result) = match pending {
        Pending::Bad(e) => return Slot::Failed(e),
        Pending::File(input) => {
            let origin = Origin::File(input.clone());
            let result = catch_unwind(AssertUnwindSafe(|| read_file(&input, &origin, ctx)));
            (origin, result)
        }
        Pending::Line { file, line, doc } => {
            let origin = Origin::Line { file, line, id: doc.id };
            let result = catch_unwind(AssertUnwindSafe(|| read_line_text(doc.text, &origin, ctx)));
            (origin, result)
        }
    };
    match result {
        Ok(Ok(slot)) => slot,
        Ok(Err(e)) => Slot::Failed(e),
        Err(panic) => Slot::Failed(origin.error(format!("internal error while reading: {}", panic_message(&panic)))),
    }
}

fn read_file(input: &Input, origin: &Origin, ctx: &ReadContext) -> Result<Slot> {
    let opts = ctx.opts;
    // A document far over the limit is refused before it is read.
    let bytes = std::fs::metadata(&input.path).map_err(|e| Error::io(&input.path, e))?.len();
    if bytes > (opts.max_chars as u64).saturating_mul(4) {
        return Err(origin.error(format!("too large: {bytes} bytes (limit {} characters, see --max-chars)", opts.max_chars)));
    }
    if opts.jsonl_out.is_none() {
        if opts.out.is_none() {
            if let Some(real) = corpus::escapes_root(input) {
                let reason = format!(
                    "reached through a symlinked folder that leads outside the folder given ({}); not annotated in place \
                     (use --out DIR, or name that folder)",
                    real.display()
                );
                return Err(origin.error(reason));
            }
        }
        let (ann, json) = corpus::output_paths(input, opts.out.as_deref());
        refuse_input_as_output(&[&ann, &json], origin, ctx)?;
    }
    let up_to_date_candidate = !opts.force && opts.jsonl_out.is_none() && outputs_newer(input, opts.out.as_deref());
    let bytes = std::fs::read(&input.path).map_err(|e| Error::io(&input.path, e))?;
    if up_to_date_candidate {
        let (ann, json) = corpus::output_paths(input, opts.out.as_deref());
        if recorded_run_matches(&ann, &json, ctx.provenance, &sha256_hex(&bytes)) {
            remove_stale_temps(&[&ann, &json]);
            return Ok(Slot::UpToDate { line: None });
        }
    }
    let text = decode_text(&input.path, bytes)?;
    ready(text, origin, ctx)
}

fn read_line_text(text: String, origin: &Origin, ctx: &ReadContext) -> Result<Slot> {
    check_line_text(&text).map_err(|r| origin.error(r))?;
    ready(text, origin, ctx)
}

/// Checks the size, skips an up-to-date document, and prepares the rest for the model.
fn ready(text: String, origin: &Origin, ctx: &ReadContext) -> Result<Slot> {
    let opts = ctx.opts;
    let chars = text.chars().count();
    if chars > opts.max_chars {
        return Err(origin.error(format!("too large: {chars} characters (limit {}, see --max-chars)", opts.max_chars)));
    }
    let doc = Document::new(origin.id(), text);
    if !opts.force {
        if opts.jsonl_out.is_some() {
            if let Some((sha, line)) = ctx.previous.get(&doc.id) {
                if *sha == doc.sha256() {
                    return Ok(Slot::UpToDate { line: Some(line.clone()) });
                }
            }
        } else if let Origin::Line { .. } = origin {
            let (ann, json) = origin.output_paths(opts.out.as_deref())?;
            refuse_input_as_output(&[&ann, &json], origin, ctx)?;
            if recorded_run_matches(&ann, &json, ctx.provenance, &doc.sha256()) {
                remove_stale_temps(&[&ann, &json]);
                return Ok(Slot::UpToDate { line: None });
            }
        }
    } else if let (Origin::Line { .. }, None) = (origin, &opts.jsonl_out) {
        let (ann, json) = origin.output_paths(opts.out.as_deref())?;
        refuse_input_as_output(&[&ann, &json], origin, ctx)?;
    }
    let prep = prepare(&ctx.encoder, &doc, &ctx.ner).map_err(|e| origin.error(e.to_string()))?;
    Ok(Slot::Ready { origin: origin.clone(), doc, prep })
}

/// Refuses a document one of whose outputs is an input file of the run (the same file,
/// by device and inode through symlinks): no input is ever overwritten.
fn refuse_input_as_output(outputs: &[&Path], origin: &Origin, ctx: &ReadContext) -> Result<()> {
    match outputs.iter().find(|p| corpus::file_id_of(p).is_some_and(|id| ctx.inputs.contains(&id))) {
        Some(p) => Err(origin.error(format!("its output {} is an input of this run; refused (inputs are never overwritten)", p.display()))),
        None => Ok(()),
    }
}

/// The checks [`decode_text`] makes of a file, for the text of a JSON Lines line.
fn check_line_text(text: &str) -> std::result::Result<(), &'static str> {
    if text.is_empty() {
        Err("empty text")
    } else if text == "\u{feff}" {
        Err("empty text (only a byte order mark)")
    } else if text.contains('\0') {
        Err("binary text (contains NUL characters)")
    } else if text.trim_start_matches('\u{feff}').trim().is_empty() {
        Err("no text (only whitespace)")
    } else {
        Ok(())
    }
}

/// Whether both outputs of an input file exist and are at least as new as it.
fn outputs_newer(input: &Input, out: Option<&Path>) -> bool {
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let (ann, json) = corpus::output_paths(input, out);
    match (modified(&input.path), modified(&ann), modified(&json)) {
        (Some(t), Some(a), Some(j)) => a >= t && j >= t,
        _ => false,
    }
}

/// Whether `X.json` records this text (by SHA-256) annotated with this provenance
/// (tool version, model, settings), and `X.ann` is there beside it.
fn recorded_run_matches(ann: &Path, json: &Path, provenance: &Provenance, sha256: &str) -> bool {
    #[derive(Deserialize)]
    struct Recorded {
        sha256: String,
        provenance: Provenance,
    }
    if !ann.is_file() {
        return false;
    }
    let Ok(bytes) = std::fs::read(json) else { return false };
    match serde_json::from_slice::<Recorded>(&bytes) {
        Ok(r) => r.sha256 == sha256 && r.provenance == *provenance,
        Err(_) => false,
    }
}

/// The lines of a previous JSON Lines output made with this provenance, by document id.
fn previous_lines(file: &Path, provenance: &Provenance) -> HashMap<String, (String, String)> {
    #[derive(Deserialize)]
    struct Recorded {
        document: String,
        sha256: String,
        provenance: Provenance,
    }
    let mut out = HashMap::new();
    let Ok(f) = std::fs::File::open(file) else { return out };
    for line in BufReader::new(f).lines() {
        let Ok(line) = line else { break };
        if let Ok(r) = serde_json::from_str::<Recorded>(&line) {
            if r.provenance == *provenance {
                out.insert(r.document, (r.sha256, line));
            }
        }
    }
    out
}

/// The model stage: labels for every ready document of a batch, all batched together.
/// If the batch fails, each document is retried alone, so only the ones that fail alone
/// fail.
fn run_model(pipeline: &Pipeline, slots: &[Slot]) -> Labels {
    let ner = &pipeline.settings.ner;
    let ready: Vec<(usize, &Prepared)> = slots
        .iter()
        .enumerate()
        .filter_map(|(i, s)| match s {
            Slot::Ready { prep, .. } => Some((i, prep)),
            _ => None,
        })
        .collect();
    let mut out: Labels = slots.iter().map(|_| None).collect();
    let guarded = |preps: &[&Prepared]| match catch_unwind(AssertUnwindSafe(|| infer(&pipeline.model, preps, ner))) {
        Ok(r) => r,
        Err(panic) => Err(Error::Other(format!("internal error in the model: {}", panic_message(&panic)))),
    };
    let all: Vec<&Prepared> = ready.iter().map(|(_, p)| *p).collect();
    match guarded(&all) {
        Ok(labels) => {
            for ((i, _), labs) in ready.iter().zip(labels) {
                out[*i] = Some(Ok(labs));
            }
        }
        Err(_) => {
            for (i, prep) in &ready {
                out[*i] = Some(guarded(&[*prep]).map(|mut v| v.pop().unwrap_or_default()));
            }
        }
    }
    out
}

struct Stats {
    chars: usize,
    pieces: usize,
    entities: usize,
    quotes: usize,
}

enum Outcome {
    Annotated { line: Option<String>, stats: Stats },
    UpToDate { line: Option<String> },
    Failed(Error),
}

fn finish_one(
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

/// Removes the temporary files a killed run may have left for these outputs.
fn remove_stale_temps(targets: &[&Path]) {
    for t in targets {
        let _ = std::fs::remove_file(temp_path(t));
    }
}

/// The JSON Lines output: lines go to a temporary file beside the target, renamed into
/// place when the run ends, so the file is complete or absent.
struct JsonlOut {
    target: PathBuf,
    staged: Staged,
    file: std::io::BufWriter<std::fs::File>,
}

impl JsonlOut {
    fn create(target: &Path) -> Result<JsonlOut> {
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

/// The message of a caught panic.
fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
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
    use super::*;

    #[test]
    fn a_shard_is_written_k_slash_n_with_k_below_n() {
        assert_eq!("2/8".parse::<Shard>(), Ok(Shard { index: 2, count: 8 }));
        assert_eq!("0/1".parse::<Shard>().map(|s| s.to_string()), Ok("0/1".to_string()));
        for bad in ["", "3", "8/8", "1/0", "-1/4", "a/b", "1/2/3"] {
            let err = bad.parse::<Shard>().unwrap_err();
            assert!(err.contains("K/N"), "{bad:?}: {err}");
        }
    }

    #[test]
    fn the_shard_of_a_key_is_sha256_mod_n_and_never_changes() {
        // sha256("news/a.txt") starts with 0x5fc63b4bbd1ba1ac (python: int(sha256(b"news/a.txt").hexdigest()[:16], 16)).
        let first = u64::from_str_radix(&sha256_hex(b"news/a.txt")[..16], 16).unwrap();
        assert_eq!(shard_of("news/a.txt", 7), first % 7);
        assert_eq!(shard_of("news/a.txt", 1), 0);
    }

    #[test]
    fn every_key_falls_in_exactly_one_of_n_shards_and_they_are_balanced() {
        let n = 4;
        let shards: Vec<Shard> = (0..n).map(|k| Shard { index: k, count: n }).collect();
        let mut sizes = vec![0usize; n as usize];
        for i in 0..4000 {
            let key = format!("corpus/doc{i:05}.txt");
            let owners: Vec<usize> = (0..n as usize).filter(|&k| shards[k].contains(&key)).collect();
            assert_eq!(owners.len(), 1, "{key} in {owners:?}");
            sizes[owners[0]] += 1;
        }
        assert!(sizes.iter().all(|&s| (900..=1100).contains(&s)), "{sizes:?}");
    }

    #[test]
    fn the_manifest_sits_in_the_output_root_and_a_shard_names_its_own() {
        let mut opts = RunOptions { out: Some(PathBuf::from("out")), ..RunOptions::default() };
        assert_eq!(manifest_path(&opts, &[]), PathBuf::from("out/whosaid-run.json"));
        opts.shard = Some(Shard { index: 2, count: 8 });
        assert_eq!(manifest_path(&opts, &[]), PathBuf::from("out/whosaid-run.shard-2-of-8.json"));
        let opts = RunOptions { jsonl_out: Some(PathBuf::from("res/part.jsonl")), ..RunOptions::default() };
        assert_eq!(manifest_path(&opts, &[]), PathBuf::from("res/whosaid-run.json"));
    }

    #[test]
    fn jsonl_text_is_refused_for_the_same_reasons_as_a_file() {
        assert_eq!(check_line_text(""), Err("empty text"));
        assert!(check_line_text("a\0b").unwrap_err().contains("binary"));
        assert!(check_line_text(" \n ").unwrap_err().contains("whitespace"));
        assert_eq!(check_line_text("Hello."), Ok(()));
    }

    #[test]
    fn an_io_error_is_said_once_in_a_chain_of_causes() {
        let e = anyhow::Error::from(Error::io(Path::new("out.jsonl"), std::io::Error::other("Is a directory")));
        assert_eq!(format!("{e:#}"), "out.jsonl: Is a directory");
    }

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
