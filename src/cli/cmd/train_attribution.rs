//! `whosaid train-attribution`: train the speaker ranker (`whosaid::ranker`) on gold
//! quotes with their sources and whosaid's entity mentions for the same texts.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use whosaid::ranker::training::{self, TrainConfig};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Gold directory: X.txt + X.ann with QUOTE spans, the source as a SRC span,
    /// `Speaker Arg1:QUOTE Arg2:SRC`, and `Pronoun`/`Nominal` attributes (e.g.
    /// ../shared/dev/polnear-train/direct).
    #[arg(long)]
    pub gold: PathBuf,
    /// whosaid's output for the same texts (X.ann): its PER/ORG/ROLE mentions are the candidates.
    #[arg(long)]
    pub entities: PathBuf,
    /// Output ranker directory (config.json, tokenizer.json, model.safetensors, MODEL_CARD.md).
    #[arg(long, short)]
    pub out: PathBuf,
    /// Base encoder directory: a whosaid NER model (its encoder; the classifier is
    /// dropped) or a bare BERT encoder.
    #[arg(long, default_value = "models/whosaid-ner-minilm")]
    pub base: PathBuf,
    /// Hold out the documents dated in this month (YYYY-MM, from the file name) or later,
    /// and score them after every epoch and at the end.
    #[arg(long, default_value = "2016-08")]
    pub holdout_since: String,
    /// Hold out nothing.
    #[arg(long, conflicts_with = "holdout_since")]
    pub no_holdout: bool,
    #[arg(long, default_value_t = 2)]
    pub epochs: usize,
    #[arg(long, default_value_t = 16)]
    pub batch_size: usize,
    /// Peak learning rate of the encoder.
    #[arg(long, default_value_t = 5e-5)]
    pub lr: f64,
    /// Peak learning rate of the scoring head.
    #[arg(long, default_value_t = 1e-3)]
    pub head_lr: f64,
    /// Share of steps spent warming up (then linear decay to 0).
    #[arg(long, default_value_t = 0.1)]
    pub warmup: f64,
    #[arg(long, default_value_t = 0.01)]
    pub weight_decay: f64,
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Word pieces per quote window at most (markers and special tokens included).
    #[arg(long, default_value_t = 144)]
    pub max_pieces: usize,
    /// Word pieces kept at each end of a long quote.
    #[arg(long, default_value_t = 12)]
    pub quote_edge: usize,
    /// Width of the scoring MLPs.
    #[arg(long, default_value_t = 256)]
    pub head_hidden: i64,
    /// Keep the embeddings and this many lower encoder layers as in the base (0: train all).
    #[arg(long, default_value_t = 0)]
    pub freeze_layers: usize,
    /// Wall-clock limit for the whole run, held-out scoring and saving included.
    #[arg(long)]
    pub max_minutes: Option<f64>,
    /// Stop after this many optimiser steps (timing, smoke tests).
    #[arg(long)]
    pub max_steps: Option<usize>,
    /// Use only the first N documents (smoke tests).
    #[arg(long)]
    pub limit: Option<usize>,
    /// Save weights in fp32 instead of fp16.
    #[arg(long)]
    pub fp32: bool,
    /// Intra-op threads for libtorch (default: all cores).
    #[arg(long)]
    pub threads: Option<i32>,
    #[arg(long, default_value = "whosaid-ranker-minilm")]
    pub name: String,
    #[arg(long, default_value = env!("CARGO_PKG_VERSION"))]
    pub model_version: String,
    /// No progress bar (a line every 25 steps is printed when stderr is not a terminal).
    #[arg(long, short)]
    pub quiet: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if let Some(t) = args.threads {
        tch::set_num_threads(t);
    }
    let command = std::env::args().collect::<Vec<_>>().join(" ");
    let cfg = TrainConfig {
        gold: args.gold,
        entities: args.entities,
        base: args.base,
        out: args.out,
        holdout_since: (!args.no_holdout).then_some(args.holdout_since),
        epochs: args.epochs,
        batch_size: args.batch_size,
        lr: args.lr,
        head_lr: args.head_lr,
        warmup: args.warmup,
        weight_decay: args.weight_decay,
        seed: args.seed,
        max_pieces: args.max_pieces,
        quote_edge: args.quote_edge,
        head_hidden: args.head_hidden,
        freeze_layers: args.freeze_layers,
        max_minutes: args.max_minutes,
        max_steps: args.max_steps,
        limit: args.limit,
        fp16: !args.fp32,
        name: args.name,
        version: args.model_version,
        command,
    };
    let terminal = std::io::stderr().is_terminal();
    let bar = ProgressBar::new(0);
    if args.quiet || !terminal {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    bar.set_style(
        ProgressStyle::with_template("epoch {prefix} [{bar:30}] {pos}/{len} batches, loss {msg}, ETA {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let quiet = args.quiet;
    let report = training::train(cfg, |p| {
        bar.set_length(p.batches as u64);
        bar.set_position(p.batch as u64);
        bar.set_prefix(p.epoch.to_string());
        bar.set_message(format!("{:.4}", p.loss));
        if !terminal && !quiet && (p.step % 25 == 0 || p.step <= 5) {
            eprintln!(
                "train-attribution: epoch {} batch {}/{} step {}/{} loss {:.4} ({:.2} s/step)",
                p.epoch, p.batch, p.batches, p.step, p.total_steps, p.loss, p.step_seconds
            );
        }
    })?;
    bar.finish_and_clear();
    let h = &report.heldout;
    println!(
        "{} steps, {:.1} min; held-out top-1 {:.2}% ({} / {}), named sources {:.2}% ({} / {}); {:.1} quotes/s at inference",
        report.steps,
        report.seconds / 60.0,
        h.top1_accuracy(),
        h.top1,
        h.with_positive,
        h.named_accuracy(),
        h.named_top1,
        h.named,
        report.inference_quotes_per_second
    );
    Ok(ExitCode::SUCCESS)
}

/// One test per flag: what it parses to, and the message when it does not parse.
#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{parse_error, try_parse, Command};

    const CMD: &str = "train-attribution";
    const BASE: &[&str] = &["--gold", "g", "--entities", "e", "--out", "r"];

    /// The command line with the required flags, then `args`.
    fn parse(args: &[&str]) -> Args {
        match try_parse(&[&["train-attribution"], BASE, args].concat()) {
            Ok(Command::TrainAttribution(a)) => a,
            other => panic!("{args:?}: {other:?}"),
        }
    }

    /// The message for the required flags and `args`.
    fn bad(args: &[&str]) -> String {
        parse_error(&[&[CMD], BASE, args].concat())
    }

    fn error(args: &[&str]) -> String {
        parse_error(&[&["train-attribution"], args].concat())
    }

    #[test]
    fn test_gold() {
        assert_eq!(parse(&[]).gold, PathBuf::from("g"));
        let e = error(&["--entities", "e", "--out", "r"]);
        assert!(e.contains("the following required arguments were not provided") && e.contains("--gold <GOLD>"), "{e}");
    }

    #[test]
    fn test_entities() {
        assert_eq!(parse(&[]).entities, PathBuf::from("e"));
        let e = error(&["--gold", "g", "--out", "r"]);
        assert!(e.contains("the following required arguments were not provided") && e.contains("--entities <ENTITIES>"), "{e}");
    }

    #[test]
    fn test_out() {
        assert_eq!(parse(&[]).out, PathBuf::from("r"));
        let e = error(&["--gold", "g", "--entities", "e"]);
        assert!(e.contains("the following required arguments were not provided") && e.contains("--out <OUT>"), "{e}");
    }

    #[test]
    fn test_base() {
        assert_eq!(parse(&[]).base, PathBuf::from("models/whosaid-ner-minilm"));
        assert_eq!(parse(&["--base", "enc"]).base, PathBuf::from("enc"));
    }

    #[test]
    fn test_holdout_since() {
        assert_eq!(parse(&[]).holdout_since, "2016-08");
        assert_eq!(parse(&["--holdout-since", "2016-09"]).holdout_since, "2016-09");
    }

    #[test]
    fn test_no_holdout() {
        assert!(!parse(&[]).no_holdout);
        assert!(parse(&["--no-holdout"]).no_holdout);
        let e = bad(&["--no-holdout", "--holdout-since", "2016-09"]);
        assert!(e.contains("the argument '--no-holdout' cannot be used with '--holdout-since <HOLDOUT_SINCE>'"), "{e}");
    }

    #[test]
    fn test_epochs() {
        assert_eq!(parse(&[]).epochs, 2);
        assert_eq!(parse(&["--epochs", "4"]).epochs, 4);
        let e = bad(&["--epochs", "x"]);
        assert!(e.contains("invalid value 'x' for '--epochs <EPOCHS>'"), "{e}");
    }

    #[test]
    fn test_batch_size() {
        assert_eq!(parse(&[]).batch_size, 16);
        assert_eq!(parse(&["--batch-size", "8"]).batch_size, 8);
        let e = bad(&["--batch-size", "x"]);
        assert!(e.contains("invalid value 'x' for '--batch-size <BATCH_SIZE>'"), "{e}");
    }

    #[test]
    fn test_lr() {
        assert_eq!(parse(&[]).lr, 5e-5);
        assert_eq!(parse(&["--lr", "1e-5"]).lr, 1e-5);
        let e = bad(&["--lr", "x"]);
        assert!(e.contains("invalid value 'x' for '--lr <LR>'"), "{e}");
    }

    #[test]
    fn test_head_lr() {
        assert_eq!(parse(&[]).head_lr, 1e-3);
        assert_eq!(parse(&["--head-lr", "1e-4"]).head_lr, 1e-4);
        let e = bad(&["--head-lr", "x"]);
        assert!(e.contains("invalid value 'x' for '--head-lr <HEAD_LR>'"), "{e}");
    }

    #[test]
    fn test_warmup() {
        assert_eq!(parse(&[]).warmup, 0.1);
        assert_eq!(parse(&["--warmup", "0.2"]).warmup, 0.2);
        let e = bad(&["--warmup", "x"]);
        assert!(e.contains("invalid value 'x' for '--warmup <WARMUP>'"), "{e}");
    }

    #[test]
    fn test_weight_decay() {
        assert_eq!(parse(&[]).weight_decay, 0.01);
        assert_eq!(parse(&["--weight-decay", "0"]).weight_decay, 0.0);
        let e = bad(&["--weight-decay", "x"]);
        assert!(e.contains("invalid value 'x' for '--weight-decay <WEIGHT_DECAY>'"), "{e}");
    }

    #[test]
    fn test_seed() {
        assert_eq!(parse(&[]).seed, 42);
        assert_eq!(parse(&["--seed", "7"]).seed, 7);
        let e = bad(&["--seed", "x"]);
        assert!(e.contains("invalid value 'x' for '--seed <SEED>'"), "{e}");
    }

    #[test]
    fn test_max_pieces() {
        assert_eq!(parse(&[]).max_pieces, 144);
        assert_eq!(parse(&["--max-pieces", "256"]).max_pieces, 256);
        let e = bad(&["--max-pieces", "x"]);
        assert!(e.contains("invalid value 'x' for '--max-pieces <MAX_PIECES>'"), "{e}");
    }

    #[test]
    fn test_quote_edge() {
        assert_eq!(parse(&[]).quote_edge, 12);
        assert_eq!(parse(&["--quote-edge", "8"]).quote_edge, 8);
        let e = bad(&["--quote-edge", "x"]);
        assert!(e.contains("invalid value 'x' for '--quote-edge <QUOTE_EDGE>'"), "{e}");
    }

    #[test]
    fn test_head_hidden() {
        assert_eq!(parse(&[]).head_hidden, 256);
        assert_eq!(parse(&["--head-hidden", "128"]).head_hidden, 128);
        let e = bad(&["--head-hidden", "x"]);
        assert!(e.contains("invalid value 'x' for '--head-hidden <HEAD_HIDDEN>'"), "{e}");
    }

    #[test]
    fn test_freeze_layers() {
        assert_eq!(parse(&[]).freeze_layers, 0);
        assert_eq!(parse(&["--freeze-layers", "2"]).freeze_layers, 2);
        let e = bad(&["--freeze-layers", "x"]);
        assert!(e.contains("invalid value 'x' for '--freeze-layers <FREEZE_LAYERS>'"), "{e}");
    }

    #[test]
    fn test_max_minutes() {
        assert_eq!(parse(&[]).max_minutes, None);
        assert_eq!(parse(&["--max-minutes", "90"]).max_minutes, Some(90.0));
        let e = bad(&["--max-minutes", "x"]);
        assert!(e.contains("invalid value 'x' for '--max-minutes <MAX_MINUTES>'"), "{e}");
    }

    #[test]
    fn test_max_steps() {
        assert_eq!(parse(&[]).max_steps, None);
        assert_eq!(parse(&["--max-steps", "10"]).max_steps, Some(10));
        let e = bad(&["--max-steps", "x"]);
        assert!(e.contains("invalid value 'x' for '--max-steps <MAX_STEPS>'"), "{e}");
    }

    #[test]
    fn test_limit() {
        assert_eq!(parse(&[]).limit, None);
        assert_eq!(parse(&["--limit", "5"]).limit, Some(5));
        let e = bad(&["--limit", "x"]);
        assert!(e.contains("invalid value 'x' for '--limit <LIMIT>'"), "{e}");
    }

    #[test]
    fn test_fp32() {
        assert!(!parse(&[]).fp32);
        assert!(parse(&["--fp32"]).fp32);
    }

    #[test]
    fn test_threads() {
        assert_eq!(parse(&[]).threads, None);
        assert_eq!(parse(&["--threads", "2"]).threads, Some(2));
        let e = bad(&["--threads", "x"]);
        assert!(e.contains("invalid value 'x' for '--threads <THREADS>'"), "{e}");
    }

    #[test]
    fn test_name() {
        assert_eq!(parse(&[]).name, "whosaid-ranker-minilm");
        assert_eq!(parse(&["--name", "my-ranker"]).name, "my-ranker");
    }

    #[test]
    fn test_model_version() {
        assert_eq!(parse(&[]).model_version, env!("CARGO_PKG_VERSION"));
        assert_eq!(parse(&["--model-version", "2.0.0"]).model_version, "2.0.0");
    }

    #[test]
    fn test_quiet() {
        assert!(!parse(&[]).quiet);
        assert!(parse(&["--quiet"]).quiet && parse(&["-q"]).quiet);
    }
}
