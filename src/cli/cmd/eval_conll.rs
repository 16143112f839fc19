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
