//! `whosaid eval-conll`: conlleval-style strict-span P/R/F1 of a model on a CoNLL file.

use super::annotate::resolve_model;
use std::path::PathBuf;
use std::process::ExitCode;
use whosaid::ner::{NerModel, Precision};
use whosaid::train::{conll, evaluate_conll};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// CoNLL file (`word ... tag` per line, IOB1 or BIO), e.g. CoNLL-2003 test.txt.
    pub file: PathBuf,
    /// Model directory [default: the shipped model].
    #[arg(long, short)]
    pub model: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = Precision::Fp32)]
    pub precision: Precision,
    /// Word pieces per sentence at most.
    #[arg(long, default_value_t = 512)]
    pub max_pieces: usize,
    /// Words of the neighbouring sentences (same document) fed on each side of a sentence
    /// [default: what the model was trained with, from its config.json].
    #[arg(long)]
    pub context_words: Option<usize>,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let model = NerModel::load(&resolve_model(args.model)?, args.precision)?;
    let sentences = conll::read(&args.file)?;
    let scores = evaluate_conll(&model, &sentences, args.max_pieces, args.context_words.unwrap_or(model.info.context_words))?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&scores)?);
    } else {
        print!("{}", scores.table());
    }
    Ok(ExitCode::SUCCESS)
}

/// One test per flag: what it parses to, and the message when it does not parse.
#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{parse_error, try_parse, Command};

    fn parse(args: &[&str]) -> Args {
        match try_parse(&[&["eval-conll"], args].concat()) {
            Ok(Command::EvalConll(a)) => a,
            other => panic!("{args:?}: {other:?}"),
        }
    }

    fn error(args: &[&str]) -> String {
        parse_error(&[&["eval-conll"], args].concat())
    }

    #[test]
    fn test_file() {
        assert_eq!(parse(&["test.txt"]).file, PathBuf::from("test.txt"));
        let e = error(&[]);
        assert!(e.contains("the following required arguments were not provided") && e.contains("<FILE>"), "{e}");
    }

    #[test]
    fn test_model() {
        assert_eq!(parse(&["t.txt"]).model, None);
        assert_eq!(parse(&["t.txt", "--model", "m"]).model, Some(PathBuf::from("m")));
        assert_eq!(parse(&["t.txt", "-m", "m"]).model, Some(PathBuf::from("m")));
    }

    #[test]
    fn test_precision() {
        assert_eq!(parse(&["t.txt"]).precision, Precision::Fp32);
        assert_eq!(parse(&["t.txt", "--precision", "bf16"]).precision, Precision::Bf16);
        let e = error(&["t.txt", "--precision", "auto"]);
        assert!(e.contains("invalid value 'auto' for '--precision <PRECISION>'") && e.contains("[possible values: fp32, bf16]"), "{e}");
    }

    #[test]
    fn test_max_pieces() {
        assert_eq!(parse(&["t.txt"]).max_pieces, 512);
        assert_eq!(parse(&["t.txt", "--max-pieces", "128"]).max_pieces, 128);
        let e = error(&["t.txt", "--max-pieces", "lots"]);
        assert!(e.contains("invalid value 'lots' for '--max-pieces <MAX_PIECES>'"), "{e}");
    }

    #[test]
    fn test_context_words() {
        assert_eq!(parse(&["t.txt"]).context_words, None);
        assert_eq!(parse(&["t.txt", "--context-words", "32"]).context_words, Some(32));
        assert!(error(&["t.txt", "--context-words", "x"]).contains("invalid value 'x' for '--context-words <CONTEXT_WORDS>'"));
    }

    #[test]
    fn test_json() {
        assert!(!parse(&["t.txt"]).json);
        assert!(parse(&["t.txt", "--json"]).json);
    }
}
