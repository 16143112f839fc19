//! The `whosaid` command line: parses arguments, dispatches to one small function per
//! subcommand (src/cli/cmd/*.rs), and prints a fatal error once.
//!
//! Exit codes: 0 success; 1 the command ran but something is below expectations
//! (documents failed in a batch, an `eval --min` threshold missed); 2 a fatal error.

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    // Before any thread starts and before libtorch makes its first kernel.
    whosaid::ner::bound_kernel_cache();
    let args = cli::parse();
    match cli::run(args) {
        Ok(code) => code,
        Err(err) => {
            if is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            cli::term::error_line(format!("{err:#}"));
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
