//! `whosaid annotate`: writes `X.ann` (brat) and `X.json` for every document, or one
//! JSON Lines file, through the batch runner ([`whosaid::batch`]).
//!
//! A bad document (unreadable, empty, binary, not UTF-8, too large) is reported on one
//! line and the batch goes on; the run ends with a summary, writes `whosaid-run.json`,
//! and exits 1 if any document failed. Outputs are written atomically.

use anyhow::Context;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;
use whosaid::ner::PrecisionChoice;
use whosaid::pipeline::Pipeline;
use whosaid::batch::{self, Corpus, Observer, RunOptions, Shard};
use whosaid::Error;

/// The shipped default model, relative to the repository root.
pub const DEFAULT_MODEL: &str = "models/whosaid-ner-minilm";

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Text files and directories (searched recursively for *.txt).
    #[arg(required_unless_present = "jsonl")]
    pub paths: Vec<PathBuf>,
    /// Model directory [default: models/whosaid-ner-minilm, from the current directory or
    /// beside the executable's repository; or $WHOSAID_MODEL].
    #[arg(long, short)]
    pub model: Option<PathBuf>,
    /// Write outputs under this directory, mirroring the input layout, instead of beside
    /// each input (JSON Lines documents: OUT/ID.ann and OUT/ID.json).
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    /// Numeric precision of the forward pass: auto is bf16 where the CPU has native bf16
    /// (avx512_bf16 or amx_bf16), else fp32.
    #[arg(long, value_enum, default_value_t = PrecisionChoice::Auto)]
    pub precision: PrecisionChoice,
    /// Documents read together per read batch; the model's forward batches are filled
    /// across read batches, from a pool of at most 4 x this many documents.
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u64).range(1..))]
    pub batch_docs: u64,
    /// Threads for the model and for reading/writing (default: all cores).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pub threads: Option<u32>,
    /// No progress bar and no summary line (errors are still printed).
    #[arg(long, short)]
    pub quiet: bool,
    /// Redo documents whose outputs are up to date (same text, model and settings).
    #[arg(long)]
    pub force: bool,
    /// Only the K-th of N parts of the corpus (0 <= K < N), chosen by a stable hash of
    /// each document's relative path (or JSON Lines id): N processes cover it once.
    #[arg(long, value_name = "K/N", value_parser = parse_shard)]
    pub shard: Option<Shard>,
    /// Also read documents from a JSON Lines file (one {"id", "text"} object per line;
    /// `-` for standard input). Repeatable.
    #[arg(long, value_name = "FILE")]
    pub jsonl: Vec<PathBuf>,
    /// Write all documents to this one JSON Lines file (X.json's content plus the brat
    /// text as "ann", one line per document) instead of X.ann/X.json files.
    #[arg(long, value_name = "FILE", conflicts_with = "out")]
    pub jsonl_out: Option<PathBuf>,
    /// Refuse documents longer than this many characters (one error line each).
    #[arg(long, value_name = "N", default_value_t = batch::DEFAULT_MAX_CHARS)]
    pub max_chars: usize,
    /// Where to write the run manifest [default: whosaid-run.json in the output root].
    #[arg(long, value_name = "FILE")]
    pub manifest: Option<PathBuf>,
    /// Run reading, the model and writing one after another instead of overlapped.
    #[arg(long)]
    pub no_overlap: bool,
}

fn parse_shard(s: &str) -> Result<Shard, String> {
    s.parse()
}

/// Finds the model directory: the flag, $WHOSAID_MODEL, then the default relative to the
/// current directory and to the executable (target/{debug,release}/whosaid in a checkout).
pub fn resolve_model(flag: Option<PathBuf>) -> anyhow::Result<PathBuf> {
    if let Some(m) = flag {
        return Ok(m);
    }
    if let Some(m) = std::env::var_os("WHOSAID_MODEL") {
        return Ok(PathBuf::from(m));
    }
    let mut candidates = vec![PathBuf::from(DEFAULT_MODEL)];
    if let Ok(exe) = std::env::current_exe() {
        for up in exe.ancestors().skip(1).take(4) {
            candidates.push(up.join(DEFAULT_MODEL));
        }
    }
    candidates
        .into_iter()
        .find(|c| c.join("config.json").is_file())
        .with_context(|| format!("no model found at {DEFAULT_MODEL}: pass --model DIR or set WHOSAID_MODEL"))
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if !args.jsonl.is_empty() && args.out.is_none() && args.jsonl_out.is_none() {
        anyhow::bail!("--jsonl needs --out DIR or --jsonl-out FILE (a JSON Lines document has no file to write beside)");
    }
    one_line_panics();
    if let Some(t) = args.threads {
        tch::set_num_threads(t as i32);
        // Only fails if the pool already exists, which it does not this early.
        let _ = rayon::ThreadPoolBuilder::new().num_threads(t as usize).build_global();
    }
    let mut opts = RunOptions {
        out: args.out,
        jsonl_out: args.jsonl_out,
        batch_docs: args.batch_docs as usize,
        force: args.force,
        shard: args.shard,
        max_chars: args.max_chars,
        overlap: !args.no_overlap,
        manifest: None,
        ..RunOptions::default()
    };
    let manifest_path = args.manifest.unwrap_or_else(|| batch::manifest_path(&opts, &args.paths));
    opts.manifest = Some(manifest_path.clone());
    // Before any work: the inputs, and whether the outputs can be written at all.
    let corpus = Corpus::discover(&args.paths, &args.jsonl);
    batch::preflight(&opts, &corpus, &manifest_path)?;

    let model_dir = resolve_model(args.model)?;
    stop_on_signals();
    let t0 = Instant::now();
    let pipeline = Pipeline::load(&model_dir, args.precision.resolve())?;
    let startup_s = t0.elapsed().as_secs_f64();

    let bar = Bar::new(args.quiet);
    let mut manifest = batch::annotate_corpus(&pipeline, corpus, &opts, &bar)?;
    bar.bar.finish_and_clear();
    manifest.timings.startup_s = batch::round3(startup_s);
    manifest.command = std::env::args().collect();

    let c = &manifest.counts;
    let t = &manifest.timings;
    if !args.quiet {
        let mut also = vec![];
        if c.up_to_date > 0 {
            also.push(format!("{} up to date", c.up_to_date));
        }
        if c.other_shards > 0 {
            also.push(format!("{} in other shards", c.other_shards));
        }
        let also = if also.is_empty() { String::new() } else { format!(" ({})", also.join(", ")) };
        eprintln!(
            "whosaid: annotated {} document(s){also}, {} entities, {} quotes, in {:.1} s ({:.1} documents/s, {:.0} word pieces/s){}",
            c.annotated,
            c.entities,
            c.quotes,
            t.total_s,
            t.documents_per_s,
            t.word_pieces_per_s,
            if manifest.failures.is_empty() { String::new() } else { format!("; {} failed:", manifest.failures.len()) }
        );
        for f in &manifest.failures {
            eprintln!("  {}", f.error);
        }
    }
    let mut failed = !manifest.failures.is_empty();
    if let Err(e) = manifest.write(&manifest_path) {
        eprintln!("whosaid: cannot write the run manifest: {e}");
        failed = true;
    }
    if let Some(signal) = batch::stop_requested() {
        // Said even with --quiet: the run is not complete.
        eprintln!(
            "whosaid: interrupted by {}: {} document(s) written, the rest not started; the same command finishes the run",
            signal_name(signal),
            c.annotated
        );
        return Ok(ExitCode::from((128 + signal).clamp(0, 255) as u8));
    }
    Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// SIGINT and SIGTERM: the first stops the run after what is through the model is
/// written (the manifest says `"interrupted": true`; exit status 128 + the signal); a
/// second exits at once.
fn stop_on_signals() {
    extern "C" fn on_signal(signal: libc::c_int) {
        if !batch::request_stop(signal) {
            // SAFETY: _exit is async-signal-safe.
            unsafe { libc::_exit(128 + signal) }
        }
    }
    let handler: extern "C" fn(libc::c_int) = on_signal;
    for signal in [libc::SIGINT, libc::SIGTERM] {
        // SAFETY: the handler only does async-signal-safe things (an atomic, _exit).
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = handler as libc::sighandler_t;
            action.sa_flags = libc::SA_RESTART;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(signal, &action, std::ptr::null_mut());
        }
    }
}

fn signal_name(signal: i32) -> String {
    match signal {
        libc::SIGINT => "SIGINT".into(),
        libc::SIGTERM => "SIGTERM".into(),
        n => format!("signal {n}"),
    }
}

/// A panic (a bug) is reported on one line, like any other error; the batch runner
/// catches it and fails only the document it happened on.
fn one_line_panics() {
    std::panic::set_hook(Box::new(|info| {
        let msg = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let at = info.location().map(|l| format!(" at {}:{}", l.file(), l.line())).unwrap_or_default();
        eprintln!("whosaid: internal error (panic{at}): {}", msg.lines().next().unwrap_or(""));
    }));
}

/// The progress bar (documents, word pieces/s, ETA) on a terminal; hidden when stderr is
/// not a terminal or with --quiet. Failures are printed above it as they happen.
struct Bar {
    bar: ProgressBar,
    pieces: AtomicU64,
    started: Instant,
}

impl Bar {
    fn new(quiet: bool) -> Bar {
        let bar = ProgressBar::new(0);
        if quiet || !std::io::stderr().is_terminal() {
            bar.set_draw_target(ProgressDrawTarget::hidden());
        }
        Bar { bar, pieces: AtomicU64::new(0), started: Instant::now() }
    }
}

impl Observer for Bar {
    fn start(&self, total: Option<u64>) {
        let template = match total {
            Some(n) => {
                self.bar.set_length(n);
                "[{bar:30}] {pos}/{len} documents, {msg}, ETA {eta}"
            }
            None => "{spinner} {pos} documents, {msg}",
        };
        self.bar.set_style(ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar()));
    }

    fn advance(&self, pieces: u64) {
        let total = self.pieces.fetch_add(pieces, Ordering::Relaxed) + pieces;
        let secs = self.started.elapsed().as_secs_f64().max(1e-3);
        self.bar.set_message(format!("{:.0} word pieces/s", total as f64 / secs));
        self.bar.inc(1);
    }

    fn failed(&self, error: &Error) {
        self.bar.suspend(|| eprintln!("whosaid: {error}"));
    }
}

/// One test per flag: what it parses to, and the message when it does not parse.
#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{parse_error, try_parse, Command};

    fn parse(args: &[&str]) -> Args {
        match try_parse(&[&["annotate"], args].concat()) {
            Ok(Command::Annotate(a)) => a,
            other => panic!("{args:?}: {other:?}"),
        }
    }

    fn error(args: &[&str]) -> String {
        parse_error(&[&["annotate"], args].concat())
    }

    #[test]
    fn test_paths() {
        assert_eq!(parse(&["a.txt", "news"]).paths, [PathBuf::from("a.txt"), PathBuf::from("news")]);
        let e = error(&[]);
        assert!(e.contains("the following required arguments were not provided") && e.contains("<PATHS>..."), "{e}");
    }

    #[test]
    fn test_model() {
        assert_eq!(parse(&["a.txt"]).model, None);
        assert_eq!(parse(&["a.txt", "--model", "m"]).model, Some(PathBuf::from("m")));
        assert_eq!(parse(&["a.txt", "-m", "m"]).model, Some(PathBuf::from("m")));
        assert_eq!(resolve_model(Some(PathBuf::from("m"))).unwrap(), PathBuf::from("m"), "the flag comes first");
    }

    #[test]
    fn test_out() {
        assert_eq!(parse(&["a.txt"]).out, None);
        assert_eq!(parse(&["a.txt", "--out", "o"]).out, Some(PathBuf::from("o")));
        assert_eq!(parse(&["a.txt", "-o", "o"]).out, Some(PathBuf::from("o")));
    }

    #[test]
    fn test_precision() {
        assert_eq!(parse(&["a.txt"]).precision, PrecisionChoice::Auto);
        assert_eq!(parse(&["a.txt", "--precision", "fp32"]).precision, PrecisionChoice::Fp32);
        assert_eq!(parse(&["a.txt", "--precision", "bf16"]).precision, PrecisionChoice::Bf16);
        let e = error(&["a.txt", "--precision", "fp16"]);
        assert!(e.contains("invalid value 'fp16' for '--precision <PRECISION>'") && e.contains("[possible values: auto, fp32, bf16]"), "{e}");
    }

    #[test]
    fn test_batch_docs() {
        assert_eq!(parse(&["a.txt"]).batch_docs, 64);
        assert_eq!(parse(&["a.txt", "--batch-docs", "8"]).batch_docs, 8);
        let e = error(&["a.txt", "--batch-docs", "0"]);
        assert!(e.contains("invalid value '0' for '--batch-docs <BATCH_DOCS>'") && e.contains("0 is not in 1.."), "{e}");
        assert!(error(&["a.txt", "--batch-docs", "many"]).contains("invalid value 'many' for '--batch-docs <BATCH_DOCS>'"));
    }

    #[test]
    fn test_threads() {
        assert_eq!(parse(&["a.txt"]).threads, None);
        assert_eq!(parse(&["a.txt", "--threads", "2"]).threads, Some(2));
        let e = error(&["a.txt", "--threads", "0"]);
        assert!(e.contains("invalid value '0' for '--threads <THREADS>'") && e.contains("0 is not in 1.."), "{e}");
    }

    #[test]
    fn test_quiet() {
        assert!(!parse(&["a.txt"]).quiet);
        assert!(parse(&["a.txt", "--quiet"]).quiet);
        assert!(parse(&["a.txt", "-q"]).quiet);
    }

    #[test]
    fn test_force() {
        assert!(!parse(&["a.txt"]).force);
        assert!(parse(&["a.txt", "--force"]).force);
    }

    #[test]
    fn test_shard() {
        assert_eq!(parse(&["a.txt"]).shard, None);
        assert_eq!(parse(&["a.txt", "--shard", "1/4"]).shard, Some(Shard { index: 1, count: 4 }));
        let e = error(&["a.txt", "--shard", "4/4"]);
        assert!(e.contains("invalid value '4/4' for '--shard <K/N>': expected K/N with 0 <= K < N (e.g. 0/4), got \"4/4\""), "{e}");
        assert!(error(&["a.txt", "--shard", "1"]).contains("expected K/N"));
    }

    #[test]
    fn test_jsonl() {
        let a = parse(&["--jsonl", "docs.jsonl", "--jsonl", "-", "--out", "o"]);
        assert_eq!(a.jsonl, [PathBuf::from("docs.jsonl"), PathBuf::from("-")]);
        assert!(a.paths.is_empty(), "--jsonl stands in for the paths");
        // Checked before any model is loaded: a JSON Lines document has no file to write beside.
        let e = run(parse(&["--jsonl", "docs.jsonl"])).unwrap_err().to_string();
        assert_eq!(e, "--jsonl needs --out DIR or --jsonl-out FILE (a JSON Lines document has no file to write beside)");
    }

    #[test]
    fn test_jsonl_out() {
        assert_eq!(parse(&["a.txt"]).jsonl_out, None);
        assert_eq!(parse(&["a.txt", "--jsonl-out", "all.jsonl"]).jsonl_out, Some(PathBuf::from("all.jsonl")));
        let e = error(&["a.txt", "--jsonl-out", "all.jsonl", "--out", "o"]);
        assert!(e.contains("the argument '--jsonl-out <FILE>' cannot be used with '--out <OUT>'"), "{e}");
    }

    #[test]
    fn test_max_chars() {
        assert_eq!(parse(&["a.txt"]).max_chars, batch::DEFAULT_MAX_CHARS);
        assert_eq!(parse(&["a.txt", "--max-chars", "1000"]).max_chars, 1000);
        let e = error(&["a.txt", "--max-chars", "lots"]);
        assert!(e.contains("invalid value 'lots' for '--max-chars <N>': invalid digit found in string"), "{e}");
    }

    #[test]
    fn test_manifest() {
        assert_eq!(parse(&["a.txt"]).manifest, None);
        assert_eq!(parse(&["a.txt", "--manifest", "run.json"]).manifest, Some(PathBuf::from("run.json")));
    }

    #[test]
    fn test_no_overlap() {
        assert!(!parse(&["a.txt"]).no_overlap);
        assert!(parse(&["a.txt", "--no-overlap"]).no_overlap);
    }
}
