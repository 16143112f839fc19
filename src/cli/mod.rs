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
    /// One NER model from the weighted average of several fine-tuned from one base (a model soup).
    Average(cmd::average::Args),
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
        Command::Average(args) => cmd::average::run(args),
        Command::TrainAttribution(args) => cmd::train_attribution::run(args),
        Command::Export(args) => cmd::export::run(args),
        Command::Import(args) => cmd::import::run(args),
        Command::Quotes(args) => cmd::quotes::run(args),
    }
}

/// Parses `whosaid ARGS…` as the command line would, for the flag tests beside each
/// subcommand.
#[cfg(test)]
pub(crate) fn try_parse(args: &[&str]) -> Result<Command, clap::Error> {
    Cli::try_parse_from(std::iter::once("whosaid").chain(args.iter().copied())).map(|c| c.command)
}

/// The message clap gives for a command line that does not parse.
#[cfg(test)]
pub(crate) fn parse_error(args: &[&str]) -> String {
    match try_parse(args) {
        Ok(c) => panic!("{args:?} parsed: {c:?}"),
        Err(e) => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::error::ErrorKind;

    #[test]
    fn test_version() {
        let e = try_parse(&["--version"]).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::DisplayVersion);
        assert_eq!(e.to_string(), format!("whosaid {}\n", env!("CARGO_PKG_VERSION")));
        // propagate_version: every subcommand takes it too.
        assert_eq!(try_parse(&["eval", "--version"]).unwrap_err().kind(), ErrorKind::DisplayVersion);
    }

    #[test]
    fn test_help() {
        let e = try_parse(&["--help"]).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::DisplayHelp);
        for name in ["annotate", "eval", "eval-conll", "eval-polnear", "train", "silver", "average", "train-attribution", "export", "quotes", "import"] {
            assert!(e.to_string().contains(name), "--help lists {name}");
        }
    }

    #[test]
    fn a_subcommand_is_required_and_an_unknown_one_is_named() {
        assert_eq!(try_parse(&[]).unwrap_err().kind(), ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand);
        let e = parse_error(&["annotat"]);
        assert!(e.contains("unrecognized subcommand 'annotat'") && e.contains("similar subcommand exists: 'annotate'"), "{e}");
    }

    /// ripgrep's rule, checked: every argument of every subcommand (flags and positional
    /// arguments) has a `test_<name>` (dashes as underscores) in the file that defines it.
    #[test]
    fn every_argument_has_a_test_beside_it() {
        use clap::CommandFactory;
        let files: &[(&str, &str)] = &[
            ("annotate", include_str!("cmd/annotate.rs")),
            ("eval", include_str!("cmd/eval.rs")),
            ("eval-conll", include_str!("cmd/eval_conll.rs")),
            ("eval-polnear", include_str!("cmd/eval_polnear.rs")),
            ("train", include_str!("cmd/train.rs")),
            ("silver", include_str!("cmd/silver.rs")),
            ("average", include_str!("cmd/average.rs")),
            ("train-attribution", include_str!("cmd/train_attribution.rs")),
            ("export", include_str!("cmd/export.rs")),
            ("quotes", include_str!("cmd/quotes.rs")),
            ("import", include_str!("cmd/import.rs")),
        ];
        let cli = Cli::command();
        let mut missing = vec![];
        for sub in cli.get_subcommands() {
            let name = sub.get_name();
            let Some((_, src)) = files.iter().find(|(n, _)| *n == name) else {
                missing.push(format!("{name}: no file listed in this test"));
                continue;
            };
            for arg in sub.get_arguments() {
                let id = arg.get_id().as_str();
                if matches!(id, "help" | "version") {
                    continue;
                }
                let test = format!("fn test_{}(", id.replace('-', "_"));
                if !src.contains(&test) {
                    missing.push(format!("{name} {id}: no {test}"));
                }
            }
        }
        assert_eq!(files.len(), cli.get_subcommands().count(), "one file per subcommand");
        assert!(missing.is_empty(), "arguments without a test beside them:\n{}", missing.join("\n"));
    }

    #[test]
    fn every_subcommand_parses_by_its_name() {
        let cases: [(&[&str], fn(&Command) -> bool); 11] = [
            (&["annotate", "a.txt"], |c| matches!(c, Command::Annotate(_))),
            (&["eval", "--gold", "g", "--pred", "p"], |c| matches!(c, Command::Eval(_))),
            (&["eval-conll", "test.txt"], |c| matches!(c, Command::EvalConll(_))),
            (&["eval-polnear", "g", "p"], |c| matches!(c, Command::EvalPolnear(_))),
            (&["train", "--train", "t.txt", "--out", "m"], |c| matches!(c, Command::Train(_))),
            (&["silver", "d", "--out", "s"], |c| matches!(c, Command::Silver(_))),
            (&["average", "a", "b", "--out", "s"], |c| matches!(c, Command::Average(_))),
            (&["train-attribution", "--gold", "g", "--entities", "e", "--out", "r"], |c| matches!(c, Command::TrainAttribution(_))),
            (&["export", "--format", "csv", "d", "--out", "o"], |c| matches!(c, Command::Export(_))),
            (&["quotes", "d"], |c| matches!(c, Command::Quotes(_))),
            (&["import", "--format", "doccano", "f.jsonl", "--out", "o"], |c| matches!(c, Command::Import(_))),
        ];
        for (args, is) in cases {
            let c = try_parse(args).unwrap_or_else(|e| panic!("{args:?}: {e}"));
            assert!(is(&c), "{args:?} gave {c:?}");
        }
    }
}
