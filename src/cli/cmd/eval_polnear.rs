//! `whosaid eval-polnear`: the development set's figures ((a) recall, (b) precision proxy,
//! (c) named-source speaker accuracy, (d) pronoun/nominal sources), as
//! `../shared/eval/polnear.py score` prints them; `--min` turns chosen figures into
//! pass/fail thresholds (exit 1 on a miss).

use super::Threshold;
use anyhow::Context;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use whosaid::polnear::{self, Selection, METRICS};

/// The metric list of `--help`.
const AFTER_HELP: &str = "Metrics for --min (percentages compared as printed, to one decimal; _max metrics are
counts that must not exceed the value):
  a_recall          (a) direct-quote recall, half-overlap rule
  a_exact           (a) exact-span recall
  b_precision       (b) precision proxy (a lower bound on precision)
  b_precision_3w    (b) the same, predicted quotes of >= 3 words only
  c_speaker         (c) speaker accuracy, found quotes with a named source
  c_end_to_end      (c) found with the right speaker / named-source gold quotes
  d_named_before    (d) pronoun/nominal sources: speaker is a PER/ORG mention <= 300 chars before
  c_no_speaker_max  (c) found named-source quotes with no predicted speaker
  d_no_speaker_max  (d) found pronoun/nominal-source quotes with no predicted speaker
  no_speaker_max    found quotes of any source kind with no predicted speaker";

#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// Gold directory: X.ann (QUOTE, SRC, Speaker; Pronoun/Nominal attributes) with X.txt
    /// beside it, e.g. ../shared/dev/polnear-train/direct.
    pub gold: PathBuf,
    /// Prediction directory: whosaid's X.ann for each gold X (a missing file counts as
    /// empty, with a warning).
    pub pred: PathBuf,
    /// Print one JSON object (polnear.py score --json's keys) instead of the table.
    #[arg(long)]
    pub json: bool,
    /// Table: add one line per document (JSON always has them).
    #[arg(long)]
    pub per_doc: bool,
    /// Only gold documents dated this month or later by the date in the file name
    /// (`outlet_YYYY-MM-DD_slug`), e.g. 2016-08 for the held-out part of the dev set.
    #[arg(long, value_name = "YYYY-MM", value_parser = parse_month)]
    pub since: Option<String>,
    /// Exit with status 1 when METRIC is below VALUE (above it, for a `_max` metric), e.g.
    /// c_speaker=84 or c_no_speaker_max=420. May repeat; the metrics are listed below.
    #[arg(long = "min", value_name = "METRIC=VALUE", value_parser = parse_threshold)]
    pub min: Vec<Threshold>,
}

fn parse_threshold(s: &str) -> Result<Threshold, String> {
    let names: Vec<&str> = METRICS.iter().map(|(n, _)| *n).collect();
    Threshold::parse(s, &names)
}

fn parse_month(s: &str) -> Result<String, String> {
    let b = s.as_bytes();
    let ok = b.len() == 7
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..].iter().all(u8::is_ascii_digit)
        && (1..=12).contains(&s[5..].parse::<u32>().unwrap_or(0));
    if ok {
        Ok(s.to_string())
    } else {
        Err(format!("'{s}' is not a month written YYYY-MM"))
    }
}

/// Whether a figure misses its threshold: below it, or above it for a `_max` count.
fn misses(metric: &str, value: f64, threshold: f64) -> bool {
    if metric.ends_with("_max") {
        value > threshold
    } else {
        value < threshold
    }
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let selection = Selection { since: args.since.clone() };
    let report = polnear::score_dirs(&args.gold, &args.pred, &selection)
        .with_context(|| format!("eval-polnear {} against {}", args.pred.display(), args.gold.display()))?;

    let mut out = std::io::stdout().lock();
    if args.json {
        let mut ser = serde_json::Serializer::with_formatter(&mut out, serde_json::ser::PrettyFormatter::with_indent(b" "));
        serde::Serialize::serialize(&report, &mut ser)?;
        writeln!(out)?;
    } else {
        if let Some(since) = &args.since {
            writeln!(out, "only gold documents dated {since} or later")?;
        }
        writeln!(out, "{}", polnear::format_table(&report, args.per_doc))?;
    }
    out.flush()?;

    let mut missed = false;
    for t in &args.min {
        match report.metric(&t.metric) {
            None => {
                eprintln!("whosaid: {} is undefined (nothing to count) and cannot meet {}", t.metric, t.value);
                missed = true;
            }
            Some(value) if misses(&t.metric, value, t.value) => {
                let side = if t.metric.ends_with("_max") { "above the maximum" } else { "below the minimum" };
                eprintln!("whosaid: {} = {value} is {side} {}", t.metric, t.value);
                missed = true;
            }
            Some(_) => {}
        }
    }
    Ok(if missed { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{parse_error, try_parse, Command};

    fn parse(args: &[&str]) -> Args {
        match try_parse(&[&["eval-polnear"], args].concat()) {
            Ok(Command::EvalPolnear(a)) => a,
            other => panic!("{args:?}: {other:?}"),
        }
    }

    fn error(args: &[&str]) -> String {
        parse_error(&[&["eval-polnear"], args].concat())
    }

    #[test]
    fn test_gold() {
        assert_eq!(parse(&["gold", "pred"]).gold, PathBuf::from("gold"));
        let e = error(&[]);
        assert!(e.contains("the following required arguments were not provided") && e.contains("<GOLD>"), "{e}");
    }

    #[test]
    fn test_pred() {
        assert_eq!(parse(&["gold", "pred"]).pred, PathBuf::from("pred"));
        let e = error(&["gold"]);
        assert!(e.contains("the following required arguments were not provided") && e.contains("<PRED>"), "{e}");
    }

    #[test]
    fn test_json() {
        assert!(!parse(&["g", "p"]).json);
        assert!(parse(&["g", "p", "--json"]).json);
    }

    #[test]
    fn test_per_doc() {
        assert!(!parse(&["g", "p"]).per_doc);
        assert!(parse(&["g", "p", "--per-doc"]).per_doc);
    }

    #[test]
    fn test_since() {
        assert_eq!(parse(&["g", "p"]).since, None);
        assert_eq!(parse(&["g", "p", "--since", "2016-08"]).since.as_deref(), Some("2016-08"));
        let e = error(&["g", "p", "--since", "2016-13"]);
        assert!(e.contains("invalid value '2016-13' for '--since <YYYY-MM>': '2016-13' is not a month written YYYY-MM"), "{e}");
    }

    #[test]
    fn test_min() {
        assert!(parse(&["g", "p"]).min.is_empty());
        let a = parse(&["g", "p", "--min", "c_speaker=84", "--min", "c_no_speaker_max=420"]);
        assert_eq!(a.min, [Threshold { metric: "c_speaker".into(), value: 84.0 }, Threshold { metric: "c_no_speaker_max".into(), value: 420.0 }]);
        let e = error(&["g", "p", "--min", "speaker=84"]);
        assert!(e.contains("invalid value 'speaker=84' for '--min <METRIC=VALUE>': unknown metric 'speaker'; valid metrics: a_recall"), "{e}");
        assert!(error(&["g", "p", "--min", "c_speaker=x"]).contains("'x' is not a number"));
    }

    #[test]
    fn a_threshold_names_a_known_metric() {
        assert_eq!(parse_threshold("c_speaker=84.3"), Ok(Threshold { metric: "c_speaker".into(), value: 84.3 }));
        let err = parse_threshold("speaker=84").unwrap_err();
        assert!(err.contains("a_exact") && err.contains("c_no_speaker_max"), "{err}");
    }

    #[test]
    fn a_max_metric_misses_when_above_and_others_when_below() {
        assert!(misses("c_no_speaker_max", 421.0, 420.0));
        assert!(!misses("c_no_speaker_max", 420.0, 420.0));
        assert!(misses("a_recall", 97.7, 97.8));
        assert!(!misses("a_recall", 97.8, 97.8));
    }

    #[test]
    fn since_takes_a_month() {
        assert_eq!(parse_month("2016-08"), Ok("2016-08".into()));
        assert!(parse_month("2016-8").is_err() && parse_month("2016-13").is_err() && parse_month("August").is_err());
    }
}
