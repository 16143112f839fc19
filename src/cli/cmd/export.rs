//! `whosaid export`: writes brat pairs (X.txt + X.ann) in the formats reviewers use:
//! brat with its configs, Label Studio, doccano, CoNLL, CSV or one HTML page.
//!
//! A pair that cannot be read or written (two files with the same document id, an id
//! that is no file name for brat) is reported on one line and the rest are exported; the
//! run exits 1 if any failed.

use anyhow::Context;
use std::path::PathBuf;
use std::process::ExitCode;
use whosaid::formats::review::{read_corpus_with, ExportFormat, ExportOptions};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Output format.
    #[arg(long, short, value_enum)]
    pub format: ExportFormat,
    /// X.txt files (each with X.ann beside it) and directories, searched recursively.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Where the texts of an `annotate --out` folder are (the folder annotate read): an
    /// X.ann with no X.txt beside it takes DIR/X.txt [default: the text path X.json
    /// recorded].
    #[arg(long, value_name = "DIR")]
    pub text_root: Option<PathBuf>,
    /// Output directory (created if missing).
    #[arg(long, short, value_name = "DIR")]
    pub out: PathBuf,
    /// Label Studio: the predictions' model_version [default: the model named in X.json
    /// beside each pair, else "brat"].
    #[arg(long)]
    pub model_version: Option<String>,
    /// HTML: the page title [default: whosaid review].
    #[arg(long)]
    pub title: Option<String>,
    /// No summary line.
    #[arg(long, short)]
    pub quiet: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let (corpus, failures) = read_corpus_with(&args.paths, args.text_root.as_deref());
    for e in &failures {
        eprintln!("whosaid: {e}");
    }
    if corpus.docs.is_empty() {
        anyhow::bail!("no annotated documents (X.ann with its text) to export under {}", list(&args.paths));
    }
    let opts = ExportOptions { model_version: args.model_version, title: args.title };
    let (written, not_written) = args
        .format
        .export_each(&corpus, &args.out, &opts)
        .with_context(|| format!("export as {} to {}", args.format.name(), args.out.display()))?;
    for w in &written.warnings {
        eprintln!("whosaid: warning: {w}");
    }
    for e in &not_written {
        eprintln!("whosaid: {e}");
    }
    let failed = failures.len() + not_written.len();
    if !args.quiet {
        eprintln!(
            "whosaid: exported {} document(s) as {} to {}{}",
            corpus.docs.len() - not_written.len(),
            args.format.name(),
            args.out.display(),
            if failed == 0 { String::new() } else { format!("; {failed} failed") }
        );
    }
    Ok(if failed == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

fn list(paths: &[PathBuf]) -> String {
    paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
}
