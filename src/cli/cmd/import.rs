//! `whosaid import`: turns a reviewed Label Studio or doccano export back into brat
//! `X.txt` + `X.ann` pairs under `--out`, ready for `whosaid eval --gold` and
//! `whosaid train --train-brat`.
//!
//! A task that cannot be accepted (a relation between the wrong types, a span that does
//! not match the text) is reported on one line and the rest are written; the run exits
//! 1 if any failed or if nothing was imported.

use anyhow::Context;
use std::path::PathBuf;
use std::process::ExitCode;
use whosaid::formats::review::{write_brat, ImportFormat, ImportOptions};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Format of the file.
    #[arg(long, short, value_enum)]
    pub format: ImportFormat,
    /// The reviewed export: Label Studio JSON (a list of tasks) or doccano JSONL.
    pub file: PathBuf,
    /// Output directory for the brat pairs (created if missing).
    #[arg(long, short, value_name = "DIR")]
    pub out: PathBuf,
    /// Label Studio: for tasks nobody submitted, take the model's prediction instead of
    /// skipping them.
    #[arg(long)]
    pub predictions: bool,
    /// No summary line.
    #[arg(long, short)]
    pub quiet: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let opts = ImportOptions { predictions: args.predictions };
    let imported = args
        .format
        .import(&args.file, &opts)
        .with_context(|| format!("import {} as {}", args.file.display(), args.format.name()))?;
    for w in &imported.warnings {
        eprintln!("whosaid: warning: {w}");
    }
    if !imported.unreviewed.is_empty() {
        let n = imported.unreviewed.len();
        let shown: Vec<&str> = imported.unreviewed.iter().take(5).map(String::as_str).collect();
        eprintln!(
            "whosaid: warning: {n} task(s) that nobody submitted were skipped ({}{}); --predictions takes the model's \
             predictions for them",
            shown.join(", "),
            if n > shown.len() { ", …" } else { "" }
        );
    }
    let mut failed = imported.failed.len();
    for e in &imported.failed {
        eprintln!("whosaid: {e}");
    }
    // Nothing to write leaves nothing behind, not even the output folder.
    if !imported.docs.is_empty() {
        std::fs::create_dir_all(&args.out).with_context(|| format!("create {}", args.out.display()))?;
    }
    let mut written = 0;
    for doc in &imported.docs {
        match write_brat(doc, &args.out) {
            Ok(_) => written += 1,
            Err(e) => {
                eprintln!("whosaid: {}: {e}", doc.id);
                failed += 1;
            }
        }
    }
    if !args.quiet && written == 0 {
        eprintln!(
            "whosaid: imported nothing into {}{}",
            args.out.display(),
            if failed == 0 { String::new() } else { format!(" ({failed} failed)") }
        );
    } else if !args.quiet {
        let unreviewed = match imported.from_predictions {
            0 => String::new(),
            n => format!(" ({n} from unreviewed predictions)"),
        };
        eprintln!(
            "whosaid: imported {written} document(s){unreviewed} into {}{}",
            args.out.display(),
            if failed == 0 { String::new() } else { format!("; {failed} failed") }
        );
    }
    // Nothing imported is below expectations too (e.g. every task unreviewed).
    Ok(if failed == 0 && written > 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// One test per flag: what it parses to, and the message when it does not parse.
#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{parse_error, try_parse, Command};

    fn parse(args: &[&str]) -> Args {
        match try_parse(&[&["import"], args].concat()) {
            Ok(Command::Import(a)) => a,
            other => panic!("{args:?}: {other:?}"),
        }
    }

    fn error(args: &[&str]) -> String {
        parse_error(&[&["import"], args].concat())
    }

    #[test]
    fn test_format() {
        assert_eq!(parse(&["--format", "label-studio", "t.json", "--out", "o"]).format, ImportFormat::LabelStudio);
        assert_eq!(parse(&["-f", "doccano", "t.jsonl", "-o", "o"]).format, ImportFormat::Doccano);
        let e = error(&["--format", "brat", "t.json", "--out", "o"]);
        assert!(e.contains("invalid value 'brat' for '--format <FORMAT>'") && e.contains("[possible values: label-studio, doccano]"), "{e}");
    }

    #[test]
    fn test_file() {
        assert_eq!(parse(&["--format", "doccano", "t.jsonl", "--out", "o"]).file, PathBuf::from("t.jsonl"));
        let e = error(&["--format", "doccano", "--out", "o"]);
        assert!(e.contains("the following required arguments were not provided") && e.contains("<FILE>"), "{e}");
    }

    #[test]
    fn test_out() {
        assert_eq!(parse(&["--format", "doccano", "t.jsonl", "--out", "o"]).out, PathBuf::from("o"));
        let e = error(&["--format", "doccano", "t.jsonl"]);
        assert!(e.contains("the following required arguments were not provided") && e.contains("--out <DIR>"), "{e}");
    }

    #[test]
    fn test_predictions() {
        assert!(!parse(&["--format", "label-studio", "t.json", "--out", "o"]).predictions);
        assert!(parse(&["--format", "label-studio", "t.json", "--out", "o", "--predictions"]).predictions);
    }

    #[test]
    fn test_quiet() {
        assert!(!parse(&["--format", "doccano", "t.jsonl", "--out", "o"]).quiet);
        assert!(parse(&["--format", "doccano", "t.jsonl", "--out", "o", "-q"]).quiet);
        assert!(parse(&["--format", "doccano", "t.jsonl", "--out", "o", "--quiet"]).quiet);
    }
}
