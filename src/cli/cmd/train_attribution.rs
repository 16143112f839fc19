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
