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

/// One test per flag: what it parses to, and the message when it does not parse.
#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{parse_error, try_parse, Command};

    fn parse(args: &[&str]) -> Args {
        match try_parse(&[&["export"], args].concat()) {
            Ok(Command::Export(a)) => a,
            other => panic!("{args:?}: {other:?}"),
        }
    }

    fn error(args: &[&str]) -> String {
        parse_error(&[&["export"], args].concat())
    }

    const MIN: [&str; 5] = ["--format", "csv", "d", "--out", "o"];

    fn with(extra: &[&str]) -> Args {
        parse(&[&MIN[..], extra].concat())
    }

    #[test]
    fn test_format() {
        for (name, f) in [
            ("brat", ExportFormat::Brat),
            ("label-studio", ExportFormat::LabelStudio),
            ("doccano", ExportFormat::Doccano),
            ("conll", ExportFormat::Conll),
            ("csv", ExportFormat::Csv),
            ("html", ExportFormat::Html),
        ] {
            assert_eq!(parse(&["--format", name, "d", "--out", "o"]).format, f);
            assert_eq!(f.name(), name);
        }
        assert_eq!(parse(&["-f", "html", "d", "-o", "o"]).format, ExportFormat::Html);
        let e = error(&["--format", "xml", "d", "--out", "o"]);
        assert!(e.contains("invalid value 'xml' for '--format <FORMAT>'") && e.contains("[possible values: brat, label-studio, doccano, conll, csv, html]"), "{e}");
        assert!(error(&["d", "--out", "o"]).contains("--format <FORMAT>"));
    }

    #[test]
    fn test_paths() {
        assert_eq!(parse(&["--format", "csv", "a.txt", "news", "--out", "o"]).paths, [PathBuf::from("a.txt"), PathBuf::from("news")]);
        let e = error(&["--format", "csv", "--out", "o"]);
        assert!(e.contains("the following required arguments were not provided") && e.contains("<PATHS>..."), "{e}");
    }

    #[test]
    fn test_text_root() {
        assert_eq!(with(&[]).text_root, None);
        assert_eq!(with(&["--text-root", "texts"]).text_root, Some(PathBuf::from("texts")));
    }

    #[test]
    fn test_out() {
        assert_eq!(with(&[]).out, PathBuf::from("o"));
        let e = error(&["--format", "csv", "d"]);
        assert!(e.contains("the following required arguments were not provided") && e.contains("--out <DIR>"), "{e}");
    }

    #[test]
    fn test_model_version() {
        assert_eq!(with(&[]).model_version, None);
        assert_eq!(with(&["--model-version", "v2"]).model_version.as_deref(), Some("v2"));
    }

    #[test]
    fn test_title() {
        assert_eq!(with(&[]).title, None);
        assert_eq!(with(&["--title", "Review"]).title.as_deref(), Some("Review"));
    }

    #[test]
    fn test_quiet() {
        assert!(!with(&[]).quiet);
        assert!(with(&["--quiet"]).quiet && with(&["-q"]).quiet);
    }
}
