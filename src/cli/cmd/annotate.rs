//! `whosaid annotate`: writes `X.ann` (brat) and `X.json` for every document.
//!
//! A bad document (unreadable, empty, binary, not UTF-8) is reported on one line and the
//! batch goes on; the run ends with a summary and exit code 1 if any document failed.
//! Outputs are written atomically (temp file + rename).

use anyhow::Context;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;
use whosaid::corpus::{self, Input};
use whosaid::formats::{brat, json::JsonDocument, write_atomic};
use whosaid::ner::Precision;
use whosaid::pipeline::Pipeline;
use whosaid::{Document, Error};

/// The shipped default model, relative to the repository root.
pub const DEFAULT_MODEL: &str = "models/whosaid-ner-minilm";

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Text files and directories (searched recursively for *.txt).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Model directory [default: models/whosaid-ner-minilm, from the current directory or
    /// beside the executable's repository; or $WHOSAID_MODEL].
    #[arg(long, short)]
    pub model: Option<PathBuf>,
    /// Write outputs under this directory, mirroring the input layout, instead of beside
    /// each input.
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    /// Numeric precision of the forward pass.
    #[arg(long, value_enum, default_value_t = Precision::Fp32)]
    pub precision: Precision,
    /// Documents read and batched together per model run.
    #[arg(long, default_value_t = 64)]
    pub batch_docs: usize,
    /// libtorch intra-op threads (default: all cores).
    #[arg(long)]
    pub threads: Option<i32>,
    /// No progress bar and no summary line.
    #[arg(long, short)]
    pub quiet: bool,
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
    if let Some(t) = args.threads {
        tch::set_num_threads(t);
    }
    let model_dir = resolve_model(args.model)?;
    let pipeline = Pipeline::load(&model_dir, args.precision)?;
    let provenance = pipeline.provenance();
    let (inputs, mut failures) = corpus::discover(&args.paths);
    for e in &failures {
        eprintln!("whosaid: {e}");
    }
    let started = Instant::now();
    let bar = progress_bar(inputs.len() as u64, args.quiet);
    let mut done = 0usize;
    let mut entities = 0usize;
    for chunk in inputs.chunks(args.batch_docs.max(1)) {
        let mut docs: Vec<(&Input, Document)> = vec![];
        for input in chunk {
            match Document::read(&input.path) {
                Ok(mut d) => {
                    d.id = input.rel.with_extension("").to_string_lossy().into_owned();
                    docs.push((input, d));
                }
                Err(e) => {
                    bar.suspend(|| eprintln!("whosaid: {e}"));
                    failures.push(e);
                    bar.inc(1);
                }
            }
        }
        let mut batch: Vec<Document> = docs.iter().map(|(_, d)| d.clone()).collect();
        pipeline.annotate(&mut batch)?;
        for ((input, _), doc) in docs.iter().zip(&batch) {
            match write_outputs(input, args.out.as_deref(), doc, &provenance) {
                Ok(()) => {
                    done += 1;
                    entities += doc.ann.entities().count();
                }
                Err(e) => {
                    bar.suspend(|| eprintln!("whosaid: {e}"));
                    failures.push(e);
                }
            }
            bar.inc(1);
        }
    }
    bar.finish_and_clear();
    if !args.quiet {
        eprintln!(
            "whosaid: annotated {done} document(s), {entities} entities, in {:.1} s{}",
            started.elapsed().as_secs_f64(),
            if failures.is_empty() { String::new() } else { format!("; {} failed:", failures.len()) }
        );
        for e in &failures {
            eprintln!("  {e}");
        }
    }
    Ok(if failures.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

fn write_outputs(input: &Input, out: Option<&Path>, doc: &Document, provenance: &whosaid::formats::json::Provenance) -> Result<(), Error> {
    let (ann_path, json_path) = corpus::output_paths(input, out);
    if let Some(dir) = ann_path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    let json = JsonDocument::from_document(doc, provenance.clone()).to_bytes()?;
    write_atomic(&ann_path, brat::to_ann_string(&doc.text, &doc.ann).as_bytes())?;
    write_atomic(&json_path, &json)?;
    Ok(())
}

fn progress_bar(len: u64, quiet: bool) -> ProgressBar {
    let bar = ProgressBar::new(len);
    if quiet || !std::io::stderr().is_terminal() {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    bar.set_style(
        ProgressStyle::with_template("[{bar:30}] {pos}/{len} documents, {per_sec}, ETA {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}
