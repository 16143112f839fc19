//! Reading the files eval scores: regular files only, of at most [`MAX_FILE_BYTES`], so a
//! FIFO, a device or a huge file cannot hang or exhaust a run.

use crate::annotation::Annotations;
use crate::document::Text;
use crate::error::{Error, Result};
use crate::formats::brat;
use std::path::Path;

/// The largest `.ann` or `.txt` file `eval` reads: 64 MiB.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// The bytes of a file eval scores, or `None` when nothing is at that path (a dangling
/// symlink included). See [`read_regular`].
pub(super) fn read_if_present(path: &Path) -> Result<Option<Vec<u8>>> {
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(path, e)),
        Ok(_) => read_regular(path).map(Some),
    }
}

/// The bytes of a regular file (symlinks followed) of at most [`MAX_FILE_BYTES`]. The
/// metadata is checked before the file is opened, so a FIFO or a device is refused
/// without a read that could block or never end; the open file is checked again and
/// read through a bounded reader, so a file swapped or growing meanwhile cannot exceed
/// the cap either.
pub fn read_regular(path: &Path) -> Result<Vec<u8>> {
    use std::io::Read;
    let check = |meta: &std::fs::Metadata| -> Result<()> {
        if !meta.is_file() {
            return Err(Error::input(path, "not a regular file"));
        }
        if meta.len() > MAX_FILE_BYTES {
            return Err(too_large(path, meta.len()));
        }
        Ok(())
    };
    check(&std::fs::metadata(path).map_err(|e| Error::io(path, e))?)?;
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let meta = file.metadata().map_err(|e| Error::io(path, e))?;
    check(&meta)?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes).map_err(|e| Error::io(path, e))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large(path, bytes.len() as u64));
    }
    Ok(bytes)
}

fn too_large(path: &Path, bytes: u64) -> Error {
    Error::input(path, format!("too large: {bytes} bytes (eval reads files up to {} MiB)", MAX_FILE_BYTES >> 20))
}

/// Parses `.ann` bytes (a leading UTF-8 BOM is skipped) against the document text.
pub(super) fn read_ann(text: &Text, path: &Path, bytes: Vec<u8>) -> Result<Annotations> {
    let source = String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        Error::input(path, format!("not valid UTF-8 (invalid byte at offset {at})"))
    })?;
    let (ann, warnings) = brat::parse_ann_with_warnings(text, &source, path)?;
    for w in warnings {
        eprintln!("whosaid: warning: {w}");
    }
    Ok(ann)
}
