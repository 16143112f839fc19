//! Sets an rpath to the real `torch/lib` of the project venv, so the binary and the tests
//! find libtorch (and the libraries it loads) without LD_LIBRARY_PATH; and sets
//! `WHOSAID_RULES_SHA256`, the identity of the rules every output records (see
//! [`rules_sha256`]).
use sha2::{Digest, Sha256};
use std::env;
use std::path::{Path, PathBuf};

/// SHA-256 over the library's source (`src/`, less the command line: `src/cli/`,
/// `src/main.rs`) and its word lists (`data/`): every file's path and bytes, in path
/// order. Two builds that could annotate differently have different values, so a rerun
/// of `annotate` redoes outputs an older build wrote, even at the same version.
fn rules_sha256(root: &Path) -> String {
    let mut files = vec![];
    let mut stack = vec![root.join("src"), root.join("data")];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for e in entries.flatten() {
            let path = e.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(rel) = path.strip_prefix(root) {
                let rel = rel.to_string_lossy().replace('\\', "/");
                if !(rel.starts_with("src/cli/") || rel == "src/main.rs") {
                    files.push((rel, path));
                }
            }
        }
    }
    files.sort();
    let mut h = Sha256::new();
    for (rel, path) in files {
        let bytes = std::fs::read(&path).unwrap_or_default();
        h.update(rel.as_bytes());
        h.update([0]);
        h.update((bytes.len() as u64).to_le_bytes());
        h.update(&bytes);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

fn main() {
    println!("cargo:rerun-if-env-changed=LIBTORCH");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=data");
    let root = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into()));
    println!("cargo:rustc-env=WHOSAID_RULES_SHA256={}", rules_sha256(&root));
    let Ok(libtorch) = env::var("LIBTORCH") else { return };
    let cpu = PathBuf::from(&libtorch).join("lib").join("libtorch_cpu.so");
    // .libtorch/lib holds symlinks; the rpath must name the real folder, where libtorch's
    // own dependencies (libgomp, the CUDA runtime stubs) are found through $ORIGIN.
    match std::fs::canonicalize(&cpu) {
        Ok(real) => {
            if let Some(dir) = real.parent() {
                println!("cargo:rustc-link-arg=-Wl,-rpath,{}", dir.display());
            }
        }
        Err(_) => {
            println!(
                "cargo:warning=libtorch not found at {libtorch}: run `scripts/setup` once"
            );
        }
    }
}
