//! `whosaid train`: fine-tune the NER model on CoNLL files (plus silver ROLE labels) and
//! on brat pairs (`--train-brat`, e.g. reviewed documents).

use anyhow::Context;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use whosaid::train::{self, TrainConfig};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// CoNLL training file(s): `word ... tag` per line, IOB1 or BIO (e.g. CoNLL-2003 train.txt).
    #[arg(long = "train", num_args = 1.., required_unless_present = "train_brat")]
    pub train: Vec<PathBuf>,
    /// Directory of brat pairs (X.txt + X.ann, searched recursively) to train on as well,
    /// e.g. reviewed documents from `whosaid import`: spans become BIO tags over
    /// PER/ORG/LOC/MISC/ROLE on whosaid's own words. May repeat.
    #[arg(long = "train-brat", value_name = "DIR", num_args = 1..)]
    pub train_brat: Vec<PathBuf>,
    /// CoNLL dev file, scored after every epoch for early stopping and best-epoch choice.
    #[arg(long)]
    pub dev: Option<PathBuf>,
    /// CoNLL test file, scored once at the end and recorded in MODEL_CARD.md.
    #[arg(long)]
    pub test: Option<PathBuf>,
    /// Base encoder directory (config.json, tokenizer.json, model.safetensors). Default: the
    /// all-MiniLM-L6-v2 copy installed by `scripts/setup --train` (path in .base-model-path).
    #[arg(long)]
    pub base: Option<PathBuf>,
    /// Output model directory.
    #[arg(long, short)]
    pub out: PathBuf,
    #[arg(long, default_value_t = 10)]
    pub epochs: usize,
    #[arg(long, default_value_t = 32)]
    pub batch_size: usize,
    /// Peak learning rate.
    #[arg(long, default_value_t = 1e-4)]
    pub lr: f64,
    /// Share of steps spent warming up (then linear decay to 0).
    #[arg(long, default_value_t = 0.1)]
    pub warmup: f64,
    #[arg(long, default_value_t = 0.01)]
    pub weight_decay: f64,
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Stop after this many epochs without a dev F1 gain.
    #[arg(long, default_value_t = 3)]
    pub patience: usize,
    /// Word pieces per sentence at most (longer sentences are cut for training).
    #[arg(long, default_value_t = 256)]
    pub max_pieces: usize,
    /// Words of the neighbouring sentences of the same document fed (unlabelled) on each
    /// side of every training sentence; recorded in config.json so inference does the same.
    #[arg(long, default_value_t = 0)]
    pub context_words: usize,
    /// Do not add silver ROLE labels from whosaid's role rules.
    #[arg(long)]
    pub no_silver_roles: bool,
    /// Use only the first N training sentences (for smoke tests).
    #[arg(long)]
    pub limit: Option<usize>,
    /// Save final weights in fp32 instead of fp16.
    #[arg(long)]
    pub fp32: bool,
    /// Continue from OUT/checkpoint (weights, epoch, step, best score; AdamW moments restart).
    #[arg(long)]
    pub resume: bool,
    /// Intra-op threads for libtorch (default: all cores).
    #[arg(long)]
    pub threads: Option<i32>,
    /// Model name and version written into config.json and the card.
    #[arg(long, default_value = "whosaid-ner-minilm")]
    pub name: String,
    #[arg(long, default_value = env!("CARGO_PKG_VERSION"))]
    pub model_version: String,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if let Some(t) = args.threads {
        tch::set_num_threads(t);
    }
    for dir in &args.train_brat {
        if !dir.is_dir() {
            anyhow::bail!("--train-brat {}: not a directory (expected X.txt + X.ann pairs)", dir.display());
        }
    }
    for file in &args.train {
        if file.is_dir() {
            anyhow::bail!("--train {}: a directory; brat pairs go with --train-brat", file.display());
        }
    }
    let base = match args.base {
        Some(b) => b,
        None => {
            let hint = PathBuf::from(".base-model-path");
            let p = std::fs::read_to_string(&hint).with_context(|| {
                "no --base given and .base-model-path is missing: run `scripts/setup --train` (installs the base encoder)"
            })?;
            PathBuf::from(p.trim())
        }
    };
    let command = std::env::args().collect::<Vec<_>>().join(" ");
    let cfg = TrainConfig {
        // A directory in `train` is read as brat pairs (see train::load_training_data).
        train: args.train.into_iter().chain(args.train_brat).collect(),
        dev: args.dev,
        test: args.test,
        base,
        out: args.out,
        epochs: args.epochs,
        batch_size: args.batch_size,
        lr: args.lr,
        warmup: args.warmup,
        weight_decay: args.weight_decay,
        seed: args.seed,
        patience: args.patience,
        max_pieces: args.max_pieces,
        context_words: args.context_words,
        silver_roles: !args.no_silver_roles,
        limit: args.limit,
        fp16: !args.fp32,
        name: args.name,
        version: args.model_version,
        command,
    };
    let bar = ProgressBar::new(0);
    if args.quiet || !std::io::stderr().is_terminal() {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    bar.set_style(
        ProgressStyle::with_template("epoch {prefix} [{bar:30}] {pos}/{len} batches, loss {msg}, ETA {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let report = train::train(cfg, args.resume, |epoch, b, n, loss| {
        bar.set_length(n as u64);
        bar.set_position(b as u64);
        bar.set_prefix(epoch.to_string());
        bar.set_message(format!("{loss:.4}"));
    })?;
    bar.finish_and_clear();
    println!("best epoch {} (dev F1 {:.2}), {:.1} min", report.best_epoch, report.best_dev_f1, report.seconds / 60.0);
    if let Some(t) = &report.test {
        println!("test:\n{}", t.table());
    }
    Ok(ExitCode::SUCCESS)
}

/// One test per flag: what it parses to, and the message when it does not parse.
#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{parse_error, try_parse, Command};

    const BASE: &[&str] = &["--out", "m"];

    /// The command line with the required flags, then `args`.
    fn parse(args: &[&str]) -> Args {
        let train: &[&str] = if args.contains(&"--train") || args.contains(&"--train-brat") { &[] } else { &["--train", "t.txt"] };
        match try_parse(&[&["train"], BASE, train, args].concat()) {
            Ok(Command::Train(a)) => a,
            other => panic!("{args:?}: {other:?}"),
        }
    }

    /// The message for the required flags and `args`.
    fn bad(args: &[&str]) -> String {
        parse_error(&[&["train", "--out", "m", "--train", "t.txt"][..], args].concat())
    }

    fn error(args: &[&str]) -> String {
        parse_error(&[&["train"], args].concat())
    }

    #[test]
    fn test_train() {
        assert_eq!(parse(&["--train", "a.txt", "b.txt"]).train, [PathBuf::from("a.txt"), PathBuf::from("b.txt")]);
        let e = error(&["--out", "m"]);
        assert!(e.contains("the following required arguments were not provided") && e.contains("--train <TRAIN>..."), "{e}");
        // A folder of brat pairs is refused here, before any model is loaded.
        let dir = env!("CARGO_MANIFEST_DIR");
        let e = run(parse(&["--train", dir])).unwrap_err().to_string();
        assert_eq!(e, format!("--train {dir}: a directory; brat pairs go with --train-brat"));
    }

    #[test]
    fn test_train_brat() {
        let a = parse(&["--train-brat", "r1", "r2"]);
        assert_eq!(a.train_brat, [PathBuf::from("r1"), PathBuf::from("r2")]);
        assert!(a.train.is_empty(), "--train-brat stands in for --train");
        let e = run(parse(&["--train-brat", "/nonexistent/reviewed"])).unwrap_err().to_string();
        assert_eq!(e, "--train-brat /nonexistent/reviewed: not a directory (expected X.txt + X.ann pairs)");
    }

    #[test]
    fn test_out() {
        assert_eq!(parse(&["--train", "t"]).out, PathBuf::from("m"));
        match try_parse(&["train", "--train", "t", "-o", "n"]) {
            Ok(Command::Train(a)) => assert_eq!(a.out, PathBuf::from("n")),
            other => panic!("{other:?}"),
        }
        let e = error(&["--train", "t"]);
        assert!(e.contains("the following required arguments were not provided") && e.contains("--out <OUT>"), "{e}");
    }

    #[test]
    fn test_dev() {
        assert_eq!(parse(&[]).dev, None);
        assert_eq!(parse(&["--dev", "x.txt"]).dev, Some(PathBuf::from("x.txt")));
    }

    #[test]
    fn test_test() {
        assert_eq!(parse(&[]).test, None);
        assert_eq!(parse(&["--test", "x.txt"]).test, Some(PathBuf::from("x.txt")));
    }

    #[test]
    fn test_base() {
        assert_eq!(parse(&[]).base, None);
        assert_eq!(parse(&["--base", "x.txt"]).base, Some(PathBuf::from("x.txt")));
    }

    #[test]
    fn test_epochs() {
        assert_eq!(parse(&[]).epochs, 10);
        assert_eq!(parse(&["--epochs", "3"]).epochs, 3);
        let e = bad(&["--epochs", "x"]);
        assert!(e.contains("invalid value 'x' for '--epochs <EPOCHS>'"), "{e}");
    }

    #[test]
    fn test_batch_size() {
        assert_eq!(parse(&[]).batch_size, 32);
        assert_eq!(parse(&["--batch-size", "8"]).batch_size, 8);
        let e = bad(&["--batch-size", "x"]);
        assert!(e.contains("invalid value 'x' for '--batch-size <BATCH_SIZE>'"), "{e}");
    }

    #[test]
    fn test_lr() {
        assert_eq!(parse(&[]).lr, 1e-4);
        assert_eq!(parse(&["--lr", "3e-5"]).lr, 3e-5);
        let e = bad(&["--lr", "x"]);
        assert!(e.contains("invalid value 'x' for '--lr <LR>'"), "{e}");
    }

    #[test]
    fn test_warmup() {
        assert_eq!(parse(&[]).warmup, 0.1);
        assert_eq!(parse(&["--warmup", "0.05"]).warmup, 0.05);
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
    fn test_patience() {
        assert_eq!(parse(&[]).patience, 3);
        assert_eq!(parse(&["--patience", "5"]).patience, 5);
        let e = bad(&["--patience", "x"]);
        assert!(e.contains("invalid value 'x' for '--patience <PATIENCE>'"), "{e}");
    }

    #[test]
    fn test_max_pieces() {
        assert_eq!(parse(&[]).max_pieces, 256);
        assert_eq!(parse(&["--max-pieces", "128"]).max_pieces, 128);
        let e = bad(&["--max-pieces", "x"]);
        assert!(e.contains("invalid value 'x' for '--max-pieces <MAX_PIECES>'"), "{e}");
    }

    #[test]
    fn test_context_words() {
        assert_eq!(parse(&[]).context_words, 0);
        assert_eq!(parse(&["--context-words", "32"]).context_words, 32);
        let e = bad(&["--context-words", "x"]);
        assert!(e.contains("invalid value 'x' for '--context-words <CONTEXT_WORDS>'"), "{e}");
    }

    #[test]
    fn test_no_silver_roles() {
        assert!(!parse(&[]).no_silver_roles);
        assert!(parse(&["--no-silver-roles"]).no_silver_roles);
    }

    #[test]
    fn test_limit() {
        assert_eq!(parse(&[]).limit, None);
        assert_eq!(parse(&["--limit", "100"]).limit, Some(100));
        let e = bad(&["--limit", "x"]);
        assert!(e.contains("invalid value 'x' for '--limit <LIMIT>'"), "{e}");
    }

    #[test]
    fn test_fp32() {
        assert!(!parse(&[]).fp32);
        assert!(parse(&["--fp32"]).fp32);
    }

    #[test]
    fn test_resume() {
        assert!(!parse(&[]).resume);
        assert!(parse(&["--resume"]).resume);
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
        assert_eq!(parse(&[]).name, "whosaid-ner-minilm");
        assert_eq!(parse(&["--name", "my-ner"]).name, "my-ner");
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
