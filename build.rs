//! Sets an rpath to the real `torch/lib` of the project venv, so the binary and the tests
//! find libtorch (and the libraries it loads) without LD_LIBRARY_PATH.
use std::env;
use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-env-changed=LIBTORCH");
    println!("cargo:rerun-if-changed=build.rs");
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
