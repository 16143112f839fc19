//! Finding documents on disk and mapping each input to its output paths.

use crate::error::Error;
use std::path::{Path, PathBuf};

/// A document file to process, with its path relative to the root it was found under
/// (the file name, for a file given directly). Outputs mirror `rel` under `--out`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Input {
    pub path: PathBuf,
    pub rel: PathBuf,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outputs_sit_beside_the_input_or_mirror_it_under_out() {
        let input = Input { path: PathBuf::from("corpus/news/a.txt"), rel: PathBuf::from("news/a.txt") };
        assert_eq!(output_paths(&input, None).0, PathBuf::from("corpus/news/a.ann"));
        assert_eq!(output_paths(&input, Some(Path::new("out"))).1, PathBuf::from("out/news/a.json"));
    }
}
