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
/// detection) into a sorted, de-duplicated list. Paths that cannot be read are
/// returned as errors; the rest go on.
pub fn discover(paths: &[PathBuf]) -> (Vec<Input>, Vec<Error>) {
    let mut inputs = vec![];
    let mut errors = vec![];
    for root in paths {
        match std::fs::metadata(root) {
            Err(e) => errors.push(Error::io(root, e)),
            Ok(m) if m.is_file() => {
                let rel = root.file_name().map(PathBuf::from).unwrap_or_else(|| root.clone());
                inputs.push(Input { path: root.clone(), rel });
            }
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
                            if entry.file_type().is_file() && p.extension().is_some_and(|x| x == "txt") {
                                let rel = p.strip_prefix(root).map(Path::to_path_buf).unwrap_or_else(|_| p.to_path_buf());
                                inputs.push(Input { path: p.to_path_buf(), rel });
                            }
                        }
                    }
                }
            }
        }
    }
    inputs.sort();
    inputs.dedup_by(|a, b| a.path == b.path);
    (inputs, errors)
}

/// `X.ann` and `X.json` for an input: beside it, or mirrored under `out`.
pub fn output_paths(input: &Input, out: Option<&Path>) -> (PathBuf, PathBuf) {
    let base = match out {
        Some(dir) => dir.join(&input.rel),
        None => input.path.clone(),
    };
    (base.with_extension("ann"), base.with_extension("json"))
}

/// `X.ann` and `X.json` for a document id (from a JSON Lines input) under `out`:
/// `OUT/ID.ann`, `OUT/ID.json`. The id must be a relative path that stays inside `out`.
pub fn id_output_paths(id: &str, out: &Path) -> std::result::Result<(PathBuf, PathBuf), String> {
    let path = Path::new(id);
    let safe = !id.is_empty()
        && !id.ends_with('/')
        && !id.contains('\0')
        && path.components().all(|c| matches!(c, Component::Normal(_)));
    if !safe {
        return Err(format!("id {id:?} is not a relative path inside --out (no leading '/', no '..')"));
    }
    Ok((out.join(format!("{id}.ann")), out.join(format!("{id}.json"))))
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
pub struct JsonlReader {
    path: PathBuf,
    reader: Box<dyn BufRead + Send>,
    line: usize,
    buf: Vec<u8>,
}

impl JsonlReader {
    pub fn open(path: &Path) -> Result<JsonlReader> {
        let reader: Box<dyn BufRead + Send> = if path == Path::new("-") {
            Box::new(BufReader::new(std::io::stdin()))
        } else {
            let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
            if file.metadata().map(|m| m.is_dir()).unwrap_or(false) {
                return Err(Error::input(path, "is a directory, not a JSON Lines file"));
            }
            Box::new(BufReader::with_capacity(1 << 20, file))
        };
        Ok(JsonlReader { path: path.to_path_buf(), reader, line: 0, buf: vec![] })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Counts the documents of a JSON Lines file whose id `keep` accepts (for progress),
    /// reading ids only. `None` for standard input or an unreadable file.
    pub fn count(path: &Path, keep: impl Fn(&str) -> bool) -> Option<usize> {
        #[derive(serde::Deserialize)]
        struct IdOnly {
            id: String,
        }
        if path == Path::new("-") {
            return None;
        }
        let mut reader = BufReader::with_capacity(1 << 20, std::fs::File::open(path).ok()?);
        let mut buf = vec![];
        let (mut n, mut line) = (0, 0);
        loop {
            buf.clear();
            line += 1;
            match reader.read_until(b'\n', &mut buf) {
                Ok(0) => return Some(n),
                Ok(_) => {}
                Err(_) => return None,
            }
            if buf.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            // A bad line is one document that fails, in the shard of its line key.
            let key = match serde_json::from_slice::<IdOnly>(&buf) {
                Ok(d) => d.id,
                Err(_) => bad_line_key(path, line),
            };
            n += keep(&key) as usize;
        }
    }
}

impl Iterator for JsonlReader {
    /// The line number (from 1) and the document, or the line's error.
    type Item = (usize, Result<JsonlDoc>);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            self.buf.clear();
            self.line += 1;
            match self.reader.read_until(b'\n', &mut self.buf) {
                Ok(0) => return None,
                Ok(_) => {}
                Err(e) => return Some((self.line, Err(Error::parse(&self.path, self.line, e.to_string())))),
            }
            if self.buf.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let doc = serde_json::from_slice::<JsonlDoc>(&self.buf).map_err(|e| {
                let reason = format!("not a JSON object with string fields \"id\" and \"text\" ({e})");
                Error::parse(&self.path, self.line, reason)
            });
            return Some((self.line, doc));
        }
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
        for bad in ["", "/etc/passwd", "../up", "a/../../b", "dir/"] {
            assert!(id_output_paths(bad, out).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn jsonl_lines_are_read_one_by_one_and_a_bad_line_names_its_number() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("in.jsonl");
        std::fs::write(&p, "{\"id\":\"a\",\"text\":\"One.\"}\n\n{\"id\":1}\n{\"id\":\"b\",\"text\":\"Two.\",\"extra\":true}\n").unwrap();
        let items: Vec<_> = JsonlReader::open(&p).unwrap().collect();
        assert_eq!(items.len(), 3);
        assert_eq!(items[0].1.as_ref().unwrap().id, "a");
        let err = items[1].1.as_ref().unwrap_err().to_string();
        assert!(err.contains("in.jsonl:3:"), "{err}");
        assert_eq!(items[2].0, 4);
        assert_eq!(JsonlReader::count(&p, |_| true), Some(3));
        assert_eq!(JsonlReader::count(&p, |id| id == "b"), Some(1));
    }

    #[test]
    fn outputs_sit_beside_the_input_or_mirror_it_under_out() {
        let input = Input { path: PathBuf::from("corpus/news/a.txt"), rel: PathBuf::from("news/a.txt") };
        assert_eq!(output_paths(&input, None).0, PathBuf::from("corpus/news/a.ann"));
        assert_eq!(output_paths(&input, Some(Path::new("out"))).1, PathBuf::from("out/news/a.json"));
    }
}
