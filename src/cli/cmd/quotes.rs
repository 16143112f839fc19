//! `whosaid quotes`: one row per quote of annotated documents (X.txt with X.ann beside
//! it): document, speaker, role, organisation, the quote, offsets. A table on a terminal,
//! or `--format csv|json` for programs. The table shows control characters as escapes
//! (`\x1b`), wherever it is written; CSV and JSON keep the exact text.

use crate::cli::term::escape_controls;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use whosaid::formats::csv::{rows, to_csv_bytes, QuoteRow};
use whosaid::formats::review::read_corpus_with;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Csv,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Annotated documents: X.txt (or X.ann) files, or directories searched recursively.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Where the texts of an `annotate --out` folder are (the folder annotate read): an
    /// X.ann with no X.txt beside it takes DIR/X.txt [default: the text path X.json
    /// recorded].
    #[arg(long, value_name = "DIR")]
    pub text_root: Option<PathBuf>,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// In the table, cut quotes to this many characters (0: whole quotes).
    #[arg(long, default_value_t = 80)]
    pub width: usize,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let (corpus, errors) = read_corpus_with(&args.paths, args.text_root.as_deref());
    for e in &errors {
        crate::cli::term::error_line(e);
    }
    if corpus.docs.is_empty() && errors.is_empty() {
        let names: Vec<String> = args.paths.iter().map(|p| p.display().to_string()).collect();
        anyhow::bail!("no annotated documents (X.ann with its text) under {}", names.join(", "));
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match args.format {
        Format::Csv => out.write_all(&to_csv_bytes(&corpus.docs)?)?,
        Format::Json => {
            let all: Vec<QuoteRow> = corpus.docs.iter().flat_map(rows).collect();
            serde_json::to_writer_pretty(&mut out, &all)?;
            writeln!(out)?;
        }
        Format::Table => {
            let all: Vec<QuoteRow> = corpus.docs.iter().flat_map(rows).collect();
            write_table(&mut out, &all, args.width)?;
        }
    }
    out.flush()?;
    Ok(if errors.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// One line per quote, columns padded to their widest cell (the quote last, cut).
fn write_table(out: &mut impl Write, rows: &[QuoteRow], width: usize) -> std::io::Result<()> {
    // Control characters (an escape sequence in a document or a file name) are shown as
    // `\x1b` on a terminal and through a pipe alike: the table is for people; `--format
    // csv|json` carry the exact text.
    let one_line = |s: &str| escape_controls(&s.split_whitespace().collect::<Vec<_>>().join(" ")).into_owned();
    let cut = |s: String| {
        if width > 0 && s.chars().count() > width {
            let mut t: String = s.chars().take(width.saturating_sub(1)).collect();
            t.push('…');
            t
        } else {
            s
        }
    };
    let header = ["document", "offsets", "speaker", "role", "organisation", "quote"];
    let cells: Vec<[String; 6]> = rows
        .iter()
        .map(|r| {
            [
                one_line(&r.document),
                format!("{}-{}", r.start, r.end),
                if r.speaker.is_empty() { "-".into() } else { one_line(&r.speaker) },
                if r.role.is_empty() { "-".into() } else { one_line(&r.role) },
                if r.organisation.is_empty() { "-".into() } else { one_line(&r.organisation) },
                cut(one_line(&r.quote)),
            ]
        })
        .collect();
    let mut widths = header.map(|h| h.chars().count());
    for c in &cells {
        for (w, cell) in widths.iter_mut().zip(c) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |out: &mut dyn Write, c: &[String]| -> std::io::Result<()> {
        for (i, cell) in c.iter().enumerate() {
            if i + 1 == c.len() {
                writeln!(out, "{cell}")?;
            } else {
                write!(out, "{cell:<w$}  ", w = widths[i])?;
            }
        }
        Ok(())
    };
    line(out, &header.map(String::from))?;
    for c in &cells {
        line(out, c)?;
    }
    writeln!(out, "{} quote(s), {} attributed", rows.len(), rows.iter().filter(|r| !r.speaker.is_empty()).count())
}

/// One test per flag: what it parses to, and the message when it does not parse.
#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{parse_error, try_parse, Command};

    fn parse(args: &[&str]) -> Args {
        match try_parse(&[&["quotes"], args].concat()) {
            Ok(Command::Quotes(a)) => a,
            other => panic!("{args:?}: {other:?}"),
        }
    }

    fn error(args: &[&str]) -> String {
        parse_error(&[&["quotes"], args].concat())
    }

    #[test]
    fn test_paths() {
        assert_eq!(parse(&["a.txt", "news"]).paths, [PathBuf::from("a.txt"), PathBuf::from("news")]);
        let e = error(&[]);
        assert!(e.contains("the following required arguments were not provided") && e.contains("<PATHS>..."), "{e}");
    }

    #[test]
    fn test_text_root() {
        assert_eq!(parse(&["out"]).text_root, None);
        assert_eq!(parse(&["out", "--text-root", "texts"]).text_root, Some(PathBuf::from("texts")));
    }

    #[test]
    fn test_format() {
        assert_eq!(parse(&["d"]).format, Format::Table);
        assert_eq!(parse(&["d", "--format", "csv"]).format, Format::Csv);
        assert_eq!(parse(&["d", "-f", "json"]).format, Format::Json);
        let e = error(&["d", "--format", "tsv"]);
        assert!(e.contains("invalid value 'tsv' for '--format <FORMAT>'") && e.contains("[possible values: table, csv, json]"), "{e}");
    }

    #[test]
    fn test_width() {
        assert_eq!(parse(&["d"]).width, 80);
        assert_eq!(parse(&["d", "--width", "0"]).width, 0);
        let e = error(&["d", "--width", "wide"]);
        assert!(e.contains("invalid value 'wide' for '--width <WIDTH>'"), "{e}");
    }
}
