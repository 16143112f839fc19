//! `whosaid eval`: scores predicted `.ann` files against gold and prints a table (or
//! JSON); `--min` turns chosen metrics into pass/fail thresholds (exit 1 on a miss).

use super::Threshold;
use anyhow::Context;
use serde::Serialize;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use whosaid::eval::{self, DocReport, DocScores, FlatMetrics, Report};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Gold directory: X.ann files with X.txt beside them, searched recursively.
    #[arg(long, value_name = "DIR")]
    pub gold: PathBuf,
    /// Prediction directory, laid out like --gold: the prediction for GOLD/a/X.ann is
    /// PRED/a/X.ann (a missing file counts as empty, with a warning).
    #[arg(long, value_name = "DIR")]
    pub pred: PathBuf,
    /// Print one JSON object instead of the table.
    #[arg(long)]
    pub json: bool,
    /// Also report every document (one line each; a "per_doc" list in JSON).
    #[arg(long)]
    pub per_doc: bool,
    /// Exit with status 1 when METRIC (in percent, compared as printed, to two decimals) is
    /// below VALUE, e.g. entities.micro.exact.f1=80. May repeat.
    #[arg(long = "min", value_name = "METRIC=VALUE", value_parser = parse_threshold)]
    pub min: Vec<Threshold>,
}

fn parse_threshold(s: &str) -> Result<Threshold, String> {
    Threshold::parse(s, &eval::metric_names())
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let report = eval::evaluate_dirs(&args.gold, &args.pred)
        .with_context(|| format!("eval {} against {}", args.pred.display(), args.gold.display()))?;
    for w in &report.warnings {
        crate::cli::term::error_line(format_args!("warning: {w}"));
    }

    let mut out = std::io::stdout().lock();
    if args.json {
        let json = JsonReport {
            gold: &args.gold,
            pred: &args.pred,
            documents: report.documents.len(),
            total: &report.total,
            metrics: FlatMetrics(&report.total),
            warnings: report.warnings.iter().map(ToString::to_string).collect(),
            per_doc: args.per_doc.then_some(report.documents.as_slice()),
        };
        serde_json::to_writer_pretty(&mut out, &json)?;
        writeln!(out)?;
    } else {
        write_table(&mut out, &args, &report)?;
    }
    out.flush()?;

    let mut missed = false;
    for t in &args.min {
        let value = report.metric(&t.metric).with_context(|| format!("unknown metric {}", t.metric))?;
        if round2(value) < t.value {
            eprintln!("whosaid: {} = {value:.2} is below the minimum {}", t.metric, t.value);
            missed = true;
        }
    }
    Ok(if missed { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// A value as printed with two decimals, so that `--min` agrees with the table.
fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

#[derive(Serialize)]
struct JsonReport<'a> {
    gold: &'a PathBuf,
    pred: &'a PathBuf,
    documents: usize,
    total: &'a DocScores,
    metrics: FlatMetrics<'a>,
    warnings: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    per_doc: Option<&'a [DocReport]>,
}

/// Width of the row-name column of the main table.
const NAME_WIDTH: usize = 24;

fn write_table(out: &mut impl Write, args: &Args, report: &Report) -> std::io::Result<()> {
    let n = report.documents.len();
    writeln!(
        out,
        "{n} document{}, gold {}, pred {}",
        if n == 1 { "" } else { "s" },
        args.gold.display(),
        args.pred.display()
    )?;
    writeln!(out)?;
    writeln!(out, "{:<NAME_WIDTH$} {:>7} {:>7} {:>7} {:>6} {:>6}", "metric", "P", "R", "F1", "gold", "pred")?;
    let total = &report.total;
    for row in eval::metric_rows() {
        // Every row of metric_rows() has p, r and f1.
        let stat = |s: &str| total.metric(&format!("{row}.{s}")).unwrap_or(f64::NAN);
        let counts = total.counts(&row).unwrap_or_default();
        writeln!(
            out,
            "{row:<NAME_WIDTH$} {:>7.2} {:>7.2} {:>7.2} {:>6} {:>6}",
            stat("p"),
            stat("r"),
            stat("f1"),
            counts.gold(),
            counts.pred()
        )?;
        if row == "quotes.overlap" {
            let s = total.speaker;
            writeln!(
                out,
                "{:<NAME_WIDTH$} {:>7.2}  ({} correct of {} gold quotes found, {} in gold)",
                "speaker.accuracy",
                s.value(),
                s.correct,
                s.found,
                s.gold
            )?;
        }
    }
    writeln!(out)?;
    writeln!(out, "entities.micro = PER + ORG + ROLE (LOC separate, MISC ignored); quotes.overlap = half of the longer span")?;

    if args.per_doc {
        write_per_doc(out, &report.documents)?;
    }
    Ok(())
}

/// The per-document table: F1 of the main metrics (accuracy for the speaker).
fn write_per_doc(out: &mut impl Write, docs: &[DocReport]) -> std::io::Result<()> {
    const COLUMNS: [(&str, &str); 9] = [
        ("ent.ex", "entities.micro.exact.f1"),
        ("ent.ov", "entities.micro.overlap.f1"),
        ("LOC.ex", "entities.LOC.exact.f1"),
        ("quo.ex", "quotes.exact.f1"),
        ("quo.ov", "quotes.overlap.f1"),
        ("speaker", "speaker.accuracy"),
        ("e2e", "e2e.f1"),
        ("hasrole", "hasrole.f1"),
        ("roleorg", "roleorg.f1"),
    ];
    let width = docs.iter().map(|d| d.id.chars().count()).max().unwrap_or(0).max("document".len());
    writeln!(out)?;
    writeln!(out, "per document (F1; speaker: accuracy):")?;
    write!(out, "{:<width$}", "document")?;
    for (head, _) in COLUMNS {
        write!(out, " {head:>7}")?;
    }
    writeln!(out)?;
    for d in docs {
        write!(out, "{:<width$}", d.id)?;
        for (_, metric) in COLUMNS {
            write!(out, " {:>7.2}", d.scores.metric(metric).unwrap_or(f64::NAN))?;
        }
        writeln!(out)?;
    }
    writeln!(out, "columns: {}", COLUMNS.map(|(h, m)| format!("{h} = {m}")).join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{parse_error, try_parse, Command};

    fn parse(args: &[&str]) -> Args {
        match try_parse(&[&["eval"], args].concat()) {
            Ok(Command::Eval(a)) => a,
            other => panic!("{args:?}: {other:?}"),
        }
    }

    fn error(args: &[&str]) -> String {
        parse_error(&[&["eval"], args].concat())
    }

    #[test]
    fn test_gold() {
        assert_eq!(parse(&["--gold", "g", "--pred", "p"]).gold, PathBuf::from("g"));
        let e = error(&["--pred", "p"]);
        assert!(e.contains("the following required arguments were not provided") && e.contains("--gold <DIR>"), "{e}");
    }

    #[test]
    fn test_pred() {
        assert_eq!(parse(&["--gold", "g", "--pred", "p"]).pred, PathBuf::from("p"));
        let e = error(&["--gold", "g"]);
        assert!(e.contains("the following required arguments were not provided") && e.contains("--pred <DIR>"), "{e}");
    }

    #[test]
    fn test_json() {
        assert!(!parse(&["--gold", "g", "--pred", "p"]).json);
        assert!(parse(&["--gold", "g", "--pred", "p", "--json"]).json);
    }

    #[test]
    fn test_per_doc() {
        assert!(!parse(&["--gold", "g", "--pred", "p"]).per_doc);
        assert!(parse(&["--gold", "g", "--pred", "p", "--per-doc"]).per_doc);
    }

    #[test]
    fn test_min() {
        assert!(parse(&["--gold", "g", "--pred", "p"]).min.is_empty());
        let a = parse(&["--gold", "g", "--pred", "p", "--min", "e2e.f1=90", "--min", "speaker.accuracy=95.5"]);
        assert_eq!(
            a.min,
            [Threshold { metric: "e2e.f1".into(), value: 90.0 }, Threshold { metric: "speaker.accuracy".into(), value: 95.5 }]
        );
        let e = error(&["--gold", "g", "--pred", "p", "--min", "e2e.f1=high"]);
        assert!(e.contains("invalid value 'e2e.f1=high' for '--min <METRIC=VALUE>': 'high' is not a number"), "{e}");
        let e = error(&["--gold", "g", "--pred", "p", "--min", "f1=90"]);
        assert!(e.contains("unknown metric 'f1'; valid metrics: "), "{e}");
        assert!(error(&["--gold", "g", "--pred", "p", "--min", "e2e.f1"]).contains("expected METRIC=VALUE"));
        assert!(error(&["--gold", "g", "--pred", "p", "--min", "e2e.f1=inf"]).contains("'inf' is not a finite number"));
    }

    #[test]
    fn a_threshold_is_metric_equals_value() {
        assert_eq!(
            parse_threshold("entities.micro.exact.f1=80.5"),
            Ok(Threshold { metric: "entities.micro.exact.f1".into(), value: 80.5 })
        );
    }

    #[test]
    fn an_unknown_metric_lists_the_valid_ones() {
        let err = parse_threshold("entities.f1=80").unwrap_err();
        assert!(err.contains("unknown metric 'entities.f1'"), "{err}");
        assert!(err.contains("speaker.accuracy") && err.contains("roleorg.f1"), "{err}");
    }

    #[test]
    fn a_threshold_needs_a_number() {
        assert!(parse_threshold("e2e.f1=high").is_err());
        assert!(parse_threshold("e2e.f1").is_err());
    }

    #[test]
    fn thresholds_compare_with_the_printed_value() {
        assert!(round2(200.0 / 3.0) >= 66.67);
    }
}
