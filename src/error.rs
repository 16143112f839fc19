//! Typed errors of the whosaid library. Every message names the file (and line, for
//! parse errors) and the reason, on one line, so a batch can print it and go on.

use std::path::{Path, PathBuf};

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read or written. The io error is part of the message, not a
    /// separate cause, so that a chain of causes (`anyhow`'s `{:#}`) says it once.
    #[error("{}: {error}", path.display())]
    Io { path: PathBuf, error: std::io::Error },
    /// A document (or other input) is unusable as a whole: empty, binary, not UTF-8, ...
    #[error("{}: {reason}", path.display())]
    Input { path: PathBuf, reason: String },
    /// A line of a structured file (brat `.ann`, CoNLL, JSON) is malformed.
    #[error("{}:{line}: {reason}", path.display())]
    Parse { path: PathBuf, line: usize, reason: String },
    /// A model directory is missing, incomplete or inconsistent.
    #[error("model {}: {reason}", path.display())]
    Model { path: PathBuf, reason: String },
    /// libtorch reported an error.
    #[error("libtorch: {0}")]
    Torch(#[from] tch::TchError),
    /// Anything else, with its own wording.
    #[error("{0}")]
    Other(String),
}

impl Error {
    pub fn io(path: &Path, source: std::io::Error) -> Error {
        Error::Io { path: path.to_path_buf(), error: source }
    }
    pub fn input(path: &Path, reason: impl Into<String>) -> Error {
        Error::Input { path: path.to_path_buf(), reason: reason.into() }
    }
    pub fn parse(path: &Path, line: usize, reason: impl Into<String>) -> Error {
        Error::Parse { path: path.to_path_buf(), line, reason: reason.into() }
    }
    pub fn model(path: &Path, reason: impl Into<String>) -> Error {
        Error::Model { path: path.to_path_buf(), reason: reason.into() }
    }
}
