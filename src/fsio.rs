//! Files written atomically: every file whosaid writes goes through a temporary file in
//! the same folder, synced, then renamed over the target. A crash leaves the old file or
//! the new one, never half.
//!
//! The temporary file has a fixed name ([`temp_path`]), so the next write of the same
//! target replaces the one a killed process left behind (and the batch runner can read
//! a killed run's partial JSON Lines output, or remove its leftovers).

use crate::document::sha256_hex;
use crate::error::{Error, Result};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// Writes a file atomically (see the module doc).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic_all(&[(path, bytes)])
}

/// Writes files atomically as a set: every one is written to its temporary file and
/// synced before any is renamed into place, then they are renamed in the order given. A
/// failure before the renames leaves the old files (or none), never a partial one.
pub fn write_atomic_all(files: &[(&Path, &[u8])]) -> Result<()> {
    let staged = files.iter().map(|(path, bytes)| Staged::with_bytes(path, bytes)).collect::<Result<Vec<_>>>()?;
    for (tmp, (path, _)) in staged.into_iter().zip(files) {
        tmp.persist(path)?;
    }
    Ok(())
}

/// The temporary file an output is written through before it is renamed into place:
/// `.whosaid-HASH.tmp` beside it, HASH the first 16 hex digits of the SHA-256 of its file
/// name. The name is fixed, so a rerun replaces (or, for an up-to-date output, removes)
/// the one a killed run left behind, and never touches another output's.
pub fn temp_path(target: &Path) -> PathBuf {
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    folder_of(target).join(format!(".whosaid-{}.tmp", &sha256_hex(name.as_bytes())[..16]))
}

/// The folder a file is written in (`.` for a bare name).
pub fn folder_of(file: &Path) -> PathBuf {
    match file.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// A temporary file being written ([`temp_path`]); removed when dropped unless renamed
/// into place.
pub struct Staged {
    path: PathBuf,
    file: Option<std::fs::File>,
}

impl Staged {
    /// Creates the temporary file of `target` afresh (a stale one is removed first; a
    /// symlink in its place is never followed), mode 0644 before the umask.
    pub fn create(target: &Path) -> Result<Staged> {
        let path = temp_path(target);
        let _ = std::fs::remove_file(&path);
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o644)
            .open(&path)
            .map_err(|e| Error::io(target, e))?;
        Ok(Staged { path, file: Some(file) })
    }

    /// The temporary file of `target` holding `bytes`.
    pub fn with_bytes(target: &Path, bytes: &[u8]) -> Result<Staged> {
        let mut tmp = Staged::create(target)?;
        if let Some(f) = tmp.file.as_mut() {
            f.write_all(bytes).map_err(|e| Error::io(target, e))?;
        }
        Ok(tmp)
    }

    /// The open file, to write through yourself (give it back with [`Staged::put_back`]
    /// before [`Staged::persist`], or it is not synced).
    pub fn take_file(&mut self) -> Option<std::fs::File> {
        self.file.take()
    }

    /// Gives back the file taken with [`Staged::take_file`].
    pub fn put_back(&mut self, file: std::fs::File) {
        self.file = Some(file);
    }

    /// Syncs the file and renames it over `target`.
    pub fn persist(mut self, target: &Path) -> Result<()> {
        if let Some(f) = self.file.take() {
            f.sync_all().map_err(|e| Error::io(target, e))?;
        }
        std::fs::rename(&self.path, target).map_err(|e| Error::io(target, e))?;
        self.path = PathBuf::new();
        Ok(())
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.path.as_os_str().is_empty() {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_temporary_file_is_named_after_its_output_and_beside_it() {
        let t = temp_path(Path::new("out/news/a.json"));
        assert_eq!(t.parent(), Some(Path::new("out/news")));
        assert_eq!(t, temp_path(Path::new("out/news/a.json")));
        assert_ne!(t, temp_path(Path::new("out/news/a.ann")));
        let name = t.file_name().unwrap().to_string_lossy().into_owned();
        assert!(name.starts_with(".whosaid-") && name.ends_with(".tmp") && name.len() == 29, "{name}");
        assert_eq!(temp_path(Path::new("a.json")).parent(), Some(Path::new(".")));
    }

    #[test]
    fn an_atomic_write_replaces_the_file_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.json");
        std::fs::write(temp_path(&path), b"stale").unwrap();
        std::fs::write(&path, b"old").unwrap();
        write_atomic(&path, b"new\n").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new\n");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, vec![std::ffi::OsString::from("x.json")]);
    }

    #[test]
    fn a_failed_set_renames_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a.ann"), dir.path().join("missing/b.json"));
        assert!(write_atomic_all(&[(&a, b"A"), (&b, b"B")]).is_err());
        assert!(!a.exists());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
