//! Finding documents on disk (text files, JSON Lines) and mapping each input to its
//! output paths.

use crate::error::{Error, Result};
use std::io::{BufRead, BufReader};
use std::path::{Component, Path, PathBuf};

/// A document file to process, with its path relative to the root it was found under
/// (the file name, for a file given directly). Outputs mirror `rel` under `--out`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Input {
    pub path: PathBuf,
    pub rel: PathBuf,
}

impl Input {
    /// The path relative to its root with `/` separators: the key that decides the
    /// document's shard.
    pub fn key(&self) -> String {
        let parts: Vec<String> = self.rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
        parts.join("/")
    }

    /// The document id: [`key`](Self::key) without the `.txt` extension.
    pub fn id(&self) -> String {
        let key = self.key();
        match key.strip_suffix(".txt") {
            Some(stem) if !stem.is_empty() && !stem.ends_with('/') => stem.to_string(),
            _ => key,
        }
    }
}

/// Expands files and directories (recursively, `*.txt`, following symlinks with loop
/// detection) into a sorted list in which each file appears once: the same file reached
/// twice (`news` and `./news`, a symlink or a hard link to it) is kept at its first path
/// in sorted order. Paths that cannot be read, and a FIFO or device (named on the command
/// line, or a `*.txt` found in a folder), are returned as errors; the rest go on.
pub fn discover(paths: &[PathBuf]) -> (Vec<Input>, Vec<Error>) {
    let mut inputs = vec![];
    let mut errors = vec![];
    for root in paths {
        match std::fs::metadata(root) {
            Err(e) => errors.push(Error::io(root, e)),
            Ok(m) if m.is_file() => {
                let rel = root.file_name().map(PathBuf::from).unwrap_or_else(|| root.clone());
                inputs.push((file_id(&m), Input { path: root.clone(), rel }));
            }
            Ok(m) if !m.is_dir() => errors.push(Error::input(root, NOT_REGULAR)),
            Ok(_) => {
                for entry in walkdir::WalkDir::new(root).follow_links(true).sort_by_file_name() {
                    match entry {
                        Err(e) => {
                            let path = e.path().map(Path::to_path_buf).unwrap_or_else(|| root.clone());
                            let reason = if e.loop_ancestor().is_some() {
                                "symlink loop, skipped".to_string()
                            } else {
                                e.io_error().map(|io| io.to_string()).unwrap_or_else(|| e.to_string())
                            };
                            errors.push(Error::input(&path, reason));
                        }
                        Ok(entry) => {
                            let p = entry.path();
                            if !p.extension().is_some_and(|x| x == "txt") || entry.file_type().is_dir() {
                                continue;
                            }
                            if !entry.file_type().is_file() {
                                errors.push(Error::input(p, NOT_REGULAR));
                                continue;
                            }
                            let id = match entry.metadata() {
                                Ok(m) => file_id(&m),
                                Err(e) => {
                                    errors.push(Error::input(p, e.to_string()));
                                    continue;
                                }
                            };
                            let rel = p.strip_prefix(root).map(Path::to_path_buf).unwrap_or_else(|_| p.to_path_buf());
                            inputs.push((id, Input { path: p.to_path_buf(), rel }));
                        }
                    }
                }
            }
        }
    }
    inputs.sort_by(|a, b| a.1.cmp(&b.1));
    let mut seen = std::collections::HashSet::new();
    inputs.retain(|(id, _)| seen.insert(*id));
    (inputs.into_iter().map(|(_, input)| input).collect(), errors)
}

const NOT_REGULAR: &str = "not a regular file";

/// A file's identity: device and inode (of the file a symlink leads to).
pub type FileId = (u64, u64);

/// The identity of a file from its metadata.
pub fn file_id(m: &std::fs::Metadata) -> FileId {
    use std::os::unix::fs::MetadataExt;
    (m.dev(), m.ino())
}

/// The identity of the file at a path, following symlinks; `None` if there is none.
pub fn file_id_of(path: &Path) -> Option<FileId> {
    std::fs::metadata(path).ok().map(|m| file_id(&m))
}

/// For an input found in a folder given on the command line: the real folder it sits in,
/// if a symlinked folder leads outside that root (outputs written beside it in place
/// would land outside the corpus). `None` when it is inside, or given directly.
pub fn escapes_root(input: &Input) -> Option<PathBuf> {
    let depth = input.rel.components().count();
    if depth < 2 {
        return None;
    }
    let root = input.path.ancestors().nth(depth)?;
    let parent = input.path.parent()?;
    let (root, parent) = (std::fs::canonicalize(root).ok()?, std::fs::canonicalize(parent).ok()?);
    (!parent.starts_with(&root)).then_some(parent)
}

/// A path made absolute (from the current directory) with `.` and `..` resolved
/// lexically and repeated separators dropped: two paths to one output compare equal.
pub fn normalize(path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// `X.ann` and `X.json` for an input: beside it, or mirrored under `out`.
pub fn output_paths(input: &Input, out: Option<&Path>) -> (PathBuf, PathBuf) {
    let base = match out {
        Some(dir) => dir.join(&input.rel),
        None => input.path.clone(),
    };
    (base.with_extension("ann"), base.with_extension("json"))
}

/// Longest JSON Lines id accepted, in bytes.
pub const MAX_ID_BYTES: usize = 1000;

/// Longest part of a JSON Lines id between slashes, in bytes, when it names files under
/// `--out` (a file name is at most 255 bytes, and `.json` is added).
pub const MAX_ID_PART_BYTES: usize = 240;

/// The relative path a JSON Lines id names under `--out`, normalised: `a//b` and `a/./b`
/// are `a/b`. `None`-like errors for an id that is not a relative path inside the folder
/// (empty, absolute, `..`, a trailing `/`) or has a part too long for a file name.
pub fn id_rel(id: &str) -> std::result::Result<PathBuf, String> {
    let path = Path::new(id);
    let mut rel = PathBuf::new();
    let mut inside = !id.is_empty() && !id.ends_with('/') && !id.contains('\0');
    for c in path.components() {
        match c {
            Component::Normal(part) if part.len() > MAX_ID_PART_BYTES => {
                return Err(format!("a part of the id is longer than {MAX_ID_PART_BYTES} bytes (it names a file under --out)"))
            }
            Component::Normal(part) => rel.push(part),
            Component::CurDir => {}
            _ => inside = false,
        }
    }
    if !inside || rel.as_os_str().is_empty() {
        return Err(format!("id {id:?} is not a relative path inside --out (no leading '/', no '..')"));
    }
    Ok(rel)
}

/// `X.ann` and `X.json` for a document id (from a JSON Lines input) under `out`:
/// `OUT/ID.ann`, `OUT/ID.json`, with the id normalised by [`id_rel`].
pub fn id_output_paths(id: &str, out: &Path) -> std::result::Result<(PathBuf, PathBuf), String> {
    let base = out.join(id_rel(id)?).into_os_string();
    let with = |ext: &str| {
        let mut s = base.clone();
        s.push(ext);
        PathBuf::from(s)
    };
    Ok((with(".ann"), with(".json")))
}

/// One line of a JSON Lines input.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
pub struct JsonlDoc {
    pub id: String,
    pub text: String,
}

/// Reads a JSON Lines file (`-` for standard input) one document at a time: each
/// non-blank line is `{"id": "...", "text": "..."}` (other fields are ignored). A bad line
/// is an error naming the file and line; reading goes on with the next line.
///
/// Memory is bounded: at most `max_line` bytes of one line are held; a longer line is
/// refused as `FILE:LINE: line too long` and skipped to its newline without being kept. A
/// NUL byte (never in JSON text: `/dev/zero`, a binary file) ends the file with one error.
/// A UTF-8 byte order mark at the start of the file is skipped.
pub struct JsonlReader {
    path: PathBuf,
    reader: Box<dyn BufRead + Send>,
    line: usize,
    buf: Vec<u8>,
    max_line: usize,
    done: bool,
}

/// What one bounded read of a line found.
#[derive(Debug, PartialEq, Eq)]
enum RawLine {
    Eof,
    /// A line (with its newline, if any) is in the buffer.
    Line,
    /// The line was longer than the limit: this many bytes, skipped.
    TooLong(usize),
    /// A NUL byte: not JSON Lines text.
    Binary,
}

/// Reads one line into `buf`, holding at most `cap` bytes of it (see [`JsonlReader`]).
fn read_line_bounded(reader: &mut dyn BufRead, buf: &mut Vec<u8>, cap: usize) -> std::io::Result<RawLine> {
    buf.clear();
    let (mut seen, mut too_long) = (0usize, false);
    loop {
        let chunk = match reader.fill_buf() {
            Ok(c) => c,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            return Ok(match (seen, too_long) {
                (0, _) => RawLine::Eof,
                (n, true) => RawLine::TooLong(n),
                _ => RawLine::Line,
            });
        }
        let (part, ends) = match chunk.iter().position(|&b| b == b'\n') {
            Some(i) => (&chunk[..=i], true),
            None => (chunk, false),
        };
        if part.contains(&0) {
            return Ok(RawLine::Binary);
        }
        let n = part.len();
        seen += n;
        if !too_long && buf.len() + n > cap {
            too_long = true;
            *buf = Vec::new();
        }
        if !too_long {
            buf.extend_from_slice(part);
        }
        reader.consume(n);
        if ends {
            return Ok(if too_long { RawLine::TooLong(seen) } else { RawLine::Line });
        }
    }
}

const BOM: &[u8] = b"\xef\xbb\xbf";

impl JsonlReader {
    /// Opens a JSON Lines file whose lines may hold up to `max_line` bytes.
    pub fn open(path: &Path, max_line: usize) -> Result<JsonlReader> {
        let reader: Box<dyn BufRead + Send> = if path == Path::new("-") {
            Box::new(BufReader::new(std::io::stdin()))
        } else {
            let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
            if file.metadata().map(|m| m.is_dir()).unwrap_or(false) {
                return Err(Error::input(path, "is a directory, not a JSON Lines file"));
            }
            Box::new(BufReader::with_capacity(1 << 20, file))
        };
        Ok(JsonlReader { path: path.to_path_buf(), reader, line: 0, buf: vec![], max_line, done: false })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The next non-blank line (without a leading byte order mark), or its error.
    fn next_raw(&mut self) -> Option<Result<()>> {
        if self.done {
            return None;
        }
        loop {
            self.line += 1;
            let read = read_line_bounded(self.reader.as_mut(), &mut self.buf, self.max_line);
            let line = self.line;
            let error = |reason: String| Some(Err(Error::parse(&self.path, line, reason)));
            match read {
                Ok(RawLine::Eof) => {
                    self.done = true;
                    return None;
                }
                Ok(RawLine::Line) => {}
                Ok(RawLine::TooLong(n)) => {
                    return error(format!("line too long ({n} bytes; the limit is {} bytes, 4 x --max-chars), skipped", self.max_line))
                }
                Ok(RawLine::Binary) => {
                    self.done = true;
                    return error("binary data (a NUL byte), not JSON Lines: the rest of the file is skipped".into());
                }
                Err(e) => {
                    self.done = true;
                    return error(e.to_string());
                }
            }
            if self.line == 1 && self.buf.starts_with(BOM) {
                self.buf.drain(..BOM.len());
            }
            if !self.buf.iter().all(u8::is_ascii_whitespace) {
                return Some(Ok(()));
            }
        }
    }

    /// Counts the documents of a JSON Lines file whose id `keep` accepts (for progress),
    /// reading ids only. `None` for standard input, a FIFO or device (reading it would
    /// consume it), or an unreadable file.
    pub fn count(path: &Path, max_line: usize, keep: impl Fn(&str) -> bool) -> Option<usize> {
        #[derive(serde::Deserialize)]
        struct IdOnly {
            id: String,
        }
        if path == Path::new("-") || !std::fs::metadata(path).ok()?.is_file() {
            return None;
        }
        let mut reader = JsonlReader::open(path, max_line).ok()?;
        let mut n = 0;
        while let Some(raw) = reader.next_raw() {
            // A bad line is one document that fails, in the shard of its line key.
            let key = match raw.ok().and_then(|()| serde_json::from_slice::<IdOnly>(&reader.buf).ok()) {
                Some(d) if d.id.len() <= MAX_ID_BYTES => d.id,
                _ => bad_line_key(path, reader.line),
            };
            n += keep(&key) as usize;
        }
        Some(n)
    }
}

impl Iterator for JsonlReader {
    /// The line number (from 1) and the document, or the line's error.
    type Item = (usize, Result<JsonlDoc>);

    fn next(&mut self) -> Option<Self::Item> {
        let raw = self.next_raw()?;
        let doc = raw.and_then(|()| {
            serde_json::from_slice::<JsonlDoc>(&self.buf).map_err(|e| {
                let reason = format!("not a JSON object with string fields \"id\" and \"text\" ({e})");
                Error::parse(&self.path, self.line, reason)
            })
        });
        Some((self.line, doc))
    }
}

/// The shard key of a JSON Lines line that has no readable id: file and line number.
pub fn bad_line_key(path: &Path, line: usize) -> String {
    format!("{}:{line}", path.display())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shard_key_and_id_are_the_relative_path_with_slashes() {
        let input = Input { path: PathBuf::from("corpus/news/a.txt"), rel: PathBuf::from("news/a.txt") };
        assert_eq!(input.key(), "news/a.txt");
        assert_eq!(input.id(), "news/a");
    }

    #[test]
    fn a_jsonl_id_maps_under_out_only_if_it_stays_inside() {
        let out = Path::new("out");
        assert_eq!(id_output_paths("news/a.b", out).unwrap().0, PathBuf::from("out/news/a.b.ann"));
        for bad in ["", "/etc/passwd", "../up", "a/../../b", "dir/", ".", "a/../b"] {
            assert!(id_output_paths(bad, out).is_err(), "{bad:?} accepted");
        }
        for same in ["a/b", "a//b", "a/./b", "./a/b"] {
            assert_eq!(id_output_paths(same, out).unwrap().1, PathBuf::from("out/a/b.json"), "{same:?}");
        }
        assert!(id_rel(&"x".repeat(MAX_ID_PART_BYTES + 1)).unwrap_err().contains("longer than"));
    }

    #[test]
    fn a_line_is_held_up_to_the_limit_and_a_longer_one_is_skipped_to_its_newline() {
        let mut input: &[u8] = b"short\nmuch too long a line\nnext";
        let mut buf = vec![];
        assert_eq!(read_line_bounded(&mut input, &mut buf, 8).unwrap(), RawLine::Line);
        assert_eq!(buf, b"short\n");
        assert_eq!(read_line_bounded(&mut input, &mut buf, 8).unwrap(), RawLine::TooLong(21));
        assert!(buf.is_empty());
        assert_eq!(read_line_bounded(&mut input, &mut buf, 8).unwrap(), RawLine::Line);
        assert_eq!(buf, b"next");
        assert_eq!(read_line_bounded(&mut input, &mut buf, 8).unwrap(), RawLine::Eof);
        let mut zeros: &[u8] = &[0u8; 64];
        assert_eq!(read_line_bounded(&mut zeros, &mut buf, 8).unwrap(), RawLine::Binary);
    }

    #[test]
    fn jsonl_lines_are_read_one_by_one_and_a_bad_line_names_its_number() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("in.jsonl");
        std::fs::write(&p, "{\"id\":\"a\",\"text\":\"One.\"}\n\n{\"id\":1}\n{\"id\":\"b\",\"text\":\"Two.\",\"extra\":true}\n").unwrap();
        let items: Vec<_> = JsonlReader::open(&p, 1000).unwrap().collect();
        assert_eq!(items.len(), 3);
        assert_eq!(items[0].1.as_ref().unwrap().id, "a");
        let err = items[1].1.as_ref().unwrap_err().to_string();
        assert!(err.contains("in.jsonl:3:"), "{err}");
        assert_eq!(items[2].0, 4);
        assert_eq!(JsonlReader::count(&p, 1000, |_| true), Some(3));
        assert_eq!(JsonlReader::count(&p, 1000, |id| id == "b"), Some(1));
    }

    #[test]
    fn outputs_sit_beside_the_input_or_mirror_it_under_out() {
        let input = Input { path: PathBuf::from("corpus/news/a.txt"), rel: PathBuf::from("news/a.txt") };
        assert_eq!(output_paths(&input, None).0, PathBuf::from("corpus/news/a.ann"));
        assert_eq!(output_paths(&input, Some(Path::new("out"))).1, PathBuf::from("out/news/a.json"));
    }
}
