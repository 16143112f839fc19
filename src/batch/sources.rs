//! The inputs of a run and the read stage: the corpus (files and JSON Lines), the checks
//! before any work, which document claims which outputs, the documents in order
//! ([`Sources`]), and reading each one into a [`Slot`] for the model (or skipping it when
//! its outputs are up to date).

use super::runner::panic_message;
use super::{RunOptions, Shard};
use crate::corpus::{self, FileId, Input, JsonlDoc, JsonlReader};
use crate::document::{decode_text, sha256_hex, Document};
use crate::error::{Error, Result};
use crate::formats::json::Provenance;
use crate::fsio::{folder_of, temp_path};
use crate::ner::batch::{prepare, NerOptions, Prepared};
use crate::ner::Encoder;
use serde::Deserialize;
use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

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

/// The longest JSON Lines line read: 4 bytes per character of `--max-chars`.
pub(super) fn max_line_bytes(opts: &RunOptions) -> usize {
    opts.max_chars.saturating_mul(4).max(1024)
}

/// Which document first claimed each output (its `X.ann` path, normalised; or its id,
/// for a JSON Lines output), so that a second document with the same outputs is refused
/// with one line naming both, instead of overwriting the first. Output names
/// `whosaid-run.*` are the manifests'.
pub(super) struct Claims {
    /// Keys are document ids (one JSON Lines output), not paths.
    by_id: bool,
    out: Option<PathBuf>,
    cwd: PathBuf,
    first: HashMap<String, String>,
}

impl Claims {
    pub(super) fn new(opts: &RunOptions) -> Claims {
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
    pub(super) fn claim(&mut self, origin: &Origin, source: String) -> std::result::Result<(), String> {
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

/// Where a document came from.
#[derive(Debug, Clone)]
pub(super) enum Origin {
    File(Input),
    Line { file: PathBuf, line: usize, id: String },
}

impl Origin {
    pub(super) fn id(&self) -> String {
        match self {
            Origin::File(input) => input.id(),
            Origin::Line { id, .. } => id.clone(),
        }
    }

    /// A one-line error about this document.
    pub(super) fn error(&self, reason: impl Into<String>) -> Error {
        match self {
            Origin::File(input) => Error::input(&input.path, reason),
            Origin::Line { file, line, id } => Error::parse(file, *line, format!("id {id:?}: {}", reason.into())),
        }
    }

    /// `X.ann` and `X.json` of a per-document output.
    pub(super) fn output_paths(&self, out: Option<&Path>) -> Result<(PathBuf, PathBuf)> {
        match (self, out) {
            (Origin::File(input), _) => Ok(corpus::output_paths(input, out)),
            (Origin::Line { .. }, Some(dir)) => corpus::id_output_paths(&self.id(), dir).map_err(|r| self.error(r)),
            (Origin::Line { .. }, None) => Err(self.error("a JSON Lines document needs --out DIR or --jsonl-out FILE")),
        }
    }
}

/// A document to read: a file, a JSON Lines line already parsed, or a line that is not
/// a document (it fails in its place).
pub(super) enum Pending {
    File(Input),
    Line { file: PathBuf, line: usize, doc: JsonlDoc },
    Bad(Error),
}

/// The documents of a run in order: the files, then each JSON Lines file's lines (read
/// lazily). Lines of other shards are counted and dropped; a JSON Lines file that cannot
/// be opened is kept aside.
pub(super) struct Sources {
    files: std::vec::IntoIter<(Input, Option<Error>)>,
    jsonl: std::vec::IntoIter<PathBuf>,
    current: Option<JsonlReader>,
    shard: Option<Shard>,
    claims: Claims,
    max_line: usize,
    pub(super) other_shards: usize,
    pub(super) unreadable: Vec<Error>,
}

impl Sources {
    pub(super) fn new(files: Vec<(Input, Option<Error>)>, jsonl: Vec<PathBuf>, shard: Option<Shard>, claims: Claims, max_line: usize) -> Sources {
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

/// What the read stage made of a document.
#[allow(clippy::large_enum_variant)] // almost every slot is Ready
pub(super) enum Slot {
    Ready { origin: Origin, doc: Document, prep: Prepared },
    UpToDate { line: Option<String> },
    Failed(Error),
}

/// A slot goes through the model's window pool: a ready document with its windows, the
/// others only keeping their place in the input order.
impl crate::ner::pool::Windows for Slot {
    fn windows(&self) -> Option<&[crate::ner::Encoded]> {
        match self {
            Slot::Ready { prep, .. } => Some(prep.encoded()),
            _ => None,
        }
    }
}

/// What the read stage needs, shared by its threads.
pub(super) struct ReadContext<'a> {
    pub(super) encoder: Encoder<'a>,
    pub(super) ner: NerOptions,
    pub(super) provenance: &'a Provenance,
    pub(super) opts: &'a RunOptions,
    /// Lines of the previous JSON Lines output, by document id: (sha256, line).
    pub(super) previous: &'a HashMap<String, (String, String)>,
    /// The input files (device, inode): no output may be one of them.
    pub(super) inputs: &'a HashSet<FileId>,
}

pub(super) fn read_one(pending: Pending, ctx: &ReadContext) -> Slot {
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

/// Removes the temporary files a killed run may have left for these outputs.
fn remove_stale_temps(targets: &[&Path]) {
    for t in targets {
        let _ = std::fs::remove_file(temp_path(t));
    }
}

/// The lines of a previous JSON Lines output made with this provenance, by document id.
pub(super) fn previous_lines(file: &Path, provenance: &Provenance) -> HashMap<String, (String, String)> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jsonl_text_is_refused_for_the_same_reasons_as_a_file() {
        assert_eq!(check_line_text(""), Err("empty text"));
        assert!(check_line_text("a\0b").unwrap_err().contains("binary"));
        assert!(check_line_text(" \n ").unwrap_err().contains("whitespace"));
        assert_eq!(check_line_text("Hello."), Ok(()));
    }
}
