//! File formats. Each maps to and from the shared annotation model.

pub mod brat;
pub mod brat_conf;
pub mod conll;
pub mod csv;
pub mod doccano;
pub mod html;
pub mod json;
pub mod label_studio;
pub mod review;
pub mod speakers;

use crate::error::{Error, Result};
use std::io::Write;
use std::path::Path;

/// Writes a file atomically: a temporary file in the same directory, flushed and synced,
/// then renamed over the target. A crash leaves the old file or the new one, never half.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".whosaid-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| Error::io(path, e))?;
    tmp.write_all(bytes).map_err(|e| Error::io(path, e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // tempfile creates 0600; outputs are ordinary files (0644 before the umask).
        let _ = tmp.as_file().set_permissions(std::fs::Permissions::from_mode(0o644));
    }
    tmp.as_file().sync_all().map_err(|e| Error::io(path, e))?;
    tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
    Ok(())
}
