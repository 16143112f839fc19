//! The run manifest (`whosaid-run.json`): what a run did, where it is written.

use super::RunOptions;
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The manifest's file name in the output root.
pub const MANIFEST_NAME: &str = "whosaid-run.json";

/// What a run did: the content of `whosaid-run.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub tool: String,
    pub tool_version: String,
    /// The rules' identity (see [`crate::pipeline::RULES_SHA256`]).
    #[serde(default)]
    pub rules_sha256: String,
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

/// Seconds and rates to the millisecond (a manifest is read by people).
pub fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

pub(super) fn failure_of(e: &Error) -> Failure {
    let document = match e {
        Error::Io { path, .. } | Error::Input { path, .. } | Error::Model { path, .. } => path.display().to_string(),
        Error::Parse { path, line, .. } => format!("{}:{line}", path.display()),
        Error::Torch(_) | Error::Other(_) => String::new(),
    };
    Failure { document, error: e.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::Shard;

    #[test]
    fn the_manifest_sits_in_the_output_root_and_a_shard_names_its_own() {
        let mut opts = RunOptions { out: Some(PathBuf::from("out")), ..RunOptions::default() };
        assert_eq!(manifest_path(&opts, &[]), PathBuf::from("out/whosaid-run.json"));
        opts.shard = Some(Shard { index: 2, count: 8 });
        assert_eq!(manifest_path(&opts, &[]), PathBuf::from("out/whosaid-run.shard-2-of-8.json"));
        let opts = RunOptions { jsonl_out: Some(PathBuf::from("res/part.jsonl")), ..RunOptions::default() };
        assert_eq!(manifest_path(&opts, &[]), PathBuf::from("res/whosaid-run.json"));
    }
}
