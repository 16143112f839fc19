//! `whosaid silver`: silver training data from `whosaid annotate` output (self-training).
//! Writes `OUT/train.conll`, `OUT/heldout.conll` and `OUT/silver.json` (the counts); see
//! [`whosaid::train::self_training`] for which sentences are kept.

use anyhow::Context;
use std::collections::HashSet;
use std::path::PathBuf;
use std::process::ExitCode;
use whosaid::formats::review::read_corpus_with;
use whosaid::formats::write_atomic;
use whosaid::train::self_training::{silver_sentences, to_conll, SilverOptions};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Annotated documents: `annotate --out` folders or X.txt + X.ann pairs (X.json beside
    /// each .ann gives the scores).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Where the texts of an `annotate --out` folder are [default: the text path X.json recorded].
    #[arg(long, value_name = "DIR")]
    pub text_root: Option<PathBuf>,
    /// Output directory (created if missing).
    #[arg(long, short, value_name = "DIR")]
    pub out: PathBuf,
    /// Keep a sentence only if each entity's model score is at least this (rule-made spans always count).
    #[arg(long, default_value_t = 0.9, value_parser = share)]
    pub min_score: f64,
    /// Share of documents held out (by a hash of the text) to measure the student on.
    #[arg(long, default_value_t = 0.1, value_parser = share)]
    pub holdout: f64,
    /// Gold texts never to use (files or folders of X.txt, compared by content): e.g. tests/fixtures.
    #[arg(long, value_name = "PATH")]
    pub exclude: Vec<PathBuf>,
    /// No summary line.
    #[arg(long, short)]
    pub quiet: bool,
}

/// A number from 0 to 1.
fn share(s: &str) -> Result<f64, String> {
    let v: f64 = s.parse().map_err(|_| format!("'{s}' is not a number"))?;
    if (0.0..=1.0).contains(&v) {
        Ok(v)
    } else {
        Err(format!("{s} is not between 0 and 1"))
    }
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let (corpus, failures) = read_corpus_with(&args.paths, args.text_root.as_deref());
    for e in &failures {
        eprintln!("whosaid: {e}");
    }
    if corpus.docs.is_empty() {
        anyhow::bail!("no annotated documents (X.ann with its text) under the paths given");
    }
    let mut exclude = HashSet::new();
    for p in &args.exclude {
        let texts = whosaid::corpus::discover(std::slice::from_ref(p));
        if let Some(e) = texts.1.first() {
            anyhow::bail!("--exclude {}: {e}", p.display());
        }
        for input in texts.0 {
            let doc = whosaid::document::Document::read(&input.path)?;
            exclude.insert(doc.sha256());
        }
    }
    let opts = SilverOptions { min_score: args.min_score as f32, holdout: args.holdout, exclude };
    let (train, held, report) = silver_sentences(&corpus.docs, &opts);
    if train.is_empty() {
        anyhow::bail!(
            "no silver sentences to train on: {} document(s) read, {} excluded as gold, {} held out, {} doubtful sentence(s) left out",
            corpus.docs.len(),
            report.excluded_gold,
            report.heldout.documents,
            report.train.sentences_doubtful
        );
    }
    std::fs::create_dir_all(&args.out).with_context(|| format!("create {}", args.out.display()))?;
    write_atomic(&args.out.join("train.conll"), to_conll(&train).as_bytes())?;
    write_atomic(&args.out.join("heldout.conll"), to_conll(&held).as_bytes())?;
    write_atomic(&args.out.join("silver.json"), (serde_json::to_string_pretty(&report)? + "\n").as_bytes())?;
    if !args.quiet {
        eprintln!(
            "whosaid: silver: {} sentences from {} documents for training, {} from {} held out; {} doubtful sentences left out; {} gold documents excluded; wrote {}",
            report.train.sentences,
            report.train.documents,
            report.heldout.sentences,
            report.heldout.documents,
            report.train.sentences_doubtful + report.heldout.sentences_doubtful,
            report.excluded_gold,
            args.out.display()
        );
    }
    Ok(if failures.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{parse_error, try_parse, Command};

    fn parse(args: &[&str]) -> Args {
        match try_parse(&[&["silver"], args].concat()) {
            Ok(Command::Silver(a)) => a,
            other => panic!("{args:?}: {other:?}"),
        }
    }

    fn error(args: &[&str]) -> String {
        parse_error(&[&["silver"], args].concat())
    }

    #[test]
    fn test_paths() {
        assert_eq!(parse(&["a", "b", "--out", "s"]).paths, [PathBuf::from("a"), PathBuf::from("b")]);
        let e = error(&["--out", "s"]);
        assert!(e.contains("the following required arguments were not provided") && e.contains("<PATHS>..."), "{e}");
    }

    #[test]
    fn test_text_root() {
        assert_eq!(parse(&["a", "--out", "s"]).text_root, None);
        assert_eq!(parse(&["a", "--out", "s", "--text-root", "t"]).text_root, Some(PathBuf::from("t")));
    }

    #[test]
    fn test_out() {
        assert_eq!(parse(&["a", "-o", "s"]).out, PathBuf::from("s"));
        assert!(error(&["a"]).contains("--out <DIR>"));
    }

    #[test]
    fn test_min_score() {
        assert_eq!(parse(&["a", "--out", "s"]).min_score, 0.9);
        assert_eq!(parse(&["a", "--out", "s", "--min-score", "0.5"]).min_score, 0.5);
        let e = error(&["a", "--out", "s", "--min-score", "2"]);
        assert!(e.contains("invalid value '2' for '--min-score <MIN_SCORE>': 2 is not between 0 and 1"), "{e}");
    }

    #[test]
    fn test_holdout() {
        assert_eq!(parse(&["a", "--out", "s"]).holdout, 0.1);
        assert_eq!(parse(&["a", "--out", "s", "--holdout", "0"]).holdout, 0.0);
        let e = error(&["a", "--out", "s", "--holdout", "some"]);
        assert!(e.contains("invalid value 'some' for '--holdout <HOLDOUT>': 'some' is not a number"), "{e}");
    }

    #[test]
    fn test_exclude() {
        assert!(parse(&["a", "--out", "s"]).exclude.is_empty());
        assert_eq!(parse(&["a", "--out", "s", "--exclude", "g1", "--exclude", "g2"]).exclude, [PathBuf::from("g1"), PathBuf::from("g2")]);
    }

    #[test]
    fn test_quiet() {
        assert!(!parse(&["a", "--out", "s"]).quiet);
        assert!(parse(&["a", "--out", "s", "-q"]).quiet);
    }

    #[test]
    fn test_min_score_and_holdout_take_a_share_from_0_to_1() {
        assert_eq!(share("0.9"), Ok(0.9));
        assert_eq!(share("0"), Ok(0.0));
        assert_eq!(share("1.5"), Err("1.5 is not between 0 and 1".to_string()));
        assert_eq!(share("high"), Err("'high' is not a number".to_string()));
    }
}
