//! Command-line arguments (clap derive: the doc comments are the help) and dispatch.

pub mod cmd;
pub mod term;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Who said what, in which role, for which organisation: NER, quotations and speakers
/// for English news, written as brat standoff and JSON beside each document.
#[derive(Debug, Parser)]
#[command(name = "whosaid", version, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Annotate documents: entities, quotes, speakers, roles and coreference, written as X.ann and X.json.
    Annotate(cmd::annotate::Args),
    /// Score predicted .ann files against gold, per the annotation guidelines.
    Eval(cmd::eval::Args),
    /// Score a model on a CoNLL file: strict-span P/R/F1 per type (conlleval style).
    EvalConll(cmd::eval_conll::Args),
    /// Score predictions on the PolNeAR development set: the (a)-(d) figures of ../shared/eval/polnear.py.
    EvalPolnear(cmd::eval_polnear::Args),
    /// Fine-tune the NER model (BERT token classification) on CoNLL data and brat pairs.
    Train(cmd::train::Args),
    /// Silver training data (CoNLL) from annotated documents, for self-training the NER model.
    Silver(cmd::silver::Args),
    /// Train the speaker ranker on gold quotes with their sources (a learned last sieve).
    TrainAttribution(cmd::train_attribution::Args),
    /// Export brat pairs for review: brat, Label Studio, doccano, CoNLL, CSV or HTML.
    Export(cmd::export::Args),
    /// One row per quote of annotated documents: speaker, role, organisation, quote, offsets.
    Quotes(cmd::quotes::Args),
    /// Import a reviewed Label Studio or doccano export back into brat pairs.
    Import(cmd::import::Args),
}

pub fn parse() -> Cli {
    Cli::parse()
}

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Annotate(args) => cmd::annotate::run(args),
        Command::Eval(args) => cmd::eval::run(args),
        Command::EvalConll(args) => cmd::eval_conll::run(args),
        Command::EvalPolnear(args) => cmd::eval_polnear::run(args),
        Command::Train(args) => cmd::train::run(args),
        Command::Silver(args) => cmd::silver::run(args),
        Command::TrainAttribution(args) => cmd::train_attribution::run(args),
        Command::Export(args) => cmd::export::run(args),
        Command::Import(args) => cmd::import::run(args),
        Command::Quotes(args) => cmd::quotes::run(args),
    }
}
