//! `whosaid average`: one NER model from the weighted average of several fine-tuned ones
//! (a model soup; see `whosaid::train::average`).

use std::path::PathBuf;
use std::process::ExitCode;
use whosaid::train::average::average_models;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Model directories (config.json, tokenizer.json, model.safetensors) fine-tuned from one
    /// base: the same config.json and tensors. The first one's config and tokenizer are copied.
    #[arg(required = true, num_args = 2..)]
    pub models: Vec<PathBuf>,
    /// Output model directory; must not exist.
    #[arg(long, short)]
    pub out: PathBuf,
    /// One weight per model, comma-separated (normalised to sum 1) [default: equal weights].
    #[arg(long, value_name = "W,W,...", value_delimiter = ',', value_parser = parse_weight)]
    pub weights: Vec<f64>,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

fn parse_weight(s: &str) -> Result<f64, String> {
    let w: f64 = s.trim().parse().map_err(|_| format!("'{s}' is not a number"))?;
    if w.is_finite() && w > 0.0 {
        Ok(w)
    } else {
        Err(format!("{w} is not a positive number"))
    }
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let report = average_models(&args.models, &args.weights, &args.out)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        for i in &report.inputs {
            println!("{:.6}  {}  {}", i.weight, i.weights_sha256, i.dir.display());
        }
        println!("{} tensors averaged into {} (model.safetensors {})", report.tensors, report.out.display(), report.weights_sha256);
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{parse_error, try_parse, Command};

    fn parse(args: &[&str]) -> Args {
        match try_parse(&[&["average"], args].concat()) {
            Ok(Command::Average(a)) => a,
            other => panic!("{args:?}: {other:?}"),
        }
    }

    fn error(args: &[&str]) -> String {
        parse_error(&[&["average"], args].concat())
    }

    #[test]
    fn test_models() {
        assert_eq!(parse(&["a", "b", "-o", "s"]).models, [PathBuf::from("a"), PathBuf::from("b")]);
        let e = error(&["a", "-o", "s"]);
        assert!(e.contains("2 values required") || e.contains("at least 2"), "{e}");
        let e = error(&["-o", "s"]);
        assert!(e.contains("the following required arguments were not provided") && e.contains("<MODELS>"), "{e}");
    }

    #[test]
    fn test_out() {
        assert_eq!(parse(&["a", "b", "--out", "s"]).out, PathBuf::from("s"));
        assert_eq!(parse(&["a", "b", "-o", "s"]).out, PathBuf::from("s"));
        assert!(error(&["a", "b"]).contains("--out <OUT>"));
    }

    #[test]
    fn test_weights() {
        assert!(parse(&["a", "b", "-o", "s"]).weights.is_empty());
        assert_eq!(parse(&["a", "b", "-o", "s", "--weights", "0.25,0.75"]).weights, [0.25, 0.75]);
        let e = error(&["a", "b", "-o", "s", "--weights", "1,x"]);
        assert!(e.contains("invalid value 'x' for '--weights <W,W,...>'") && e.contains("'x' is not a number"), "{e}");
        let e = error(&["a", "b", "-o", "s", "--weights", "1,-1"]);
        assert!(e.contains("-1 is not a positive number"), "{e}");
    }

    #[test]
    fn test_json() {
        assert!(!parse(&["a", "b", "-o", "s"]).json);
        assert!(parse(&["a", "b", "-o", "s", "--json"]).json);
    }
}
