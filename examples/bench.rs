//! whosaid throughput benchmark (not a test): `scripts/bench [DIR...]`.
//!
//! Runs the batch runner ([`whosaid::run`], as `whosaid annotate --out TMP --force` does:
//! reading files, segmentation and tokenisation overlapped with the forward pass, rules,
//! atomic writes) over each corpus, then times the bare forward pass on the same batches,
//! and prints whosaid's own figures: start-up time, documents/s, word pieces/s and
//! chars/s end to end, the bare forward-pass rate, their ratio, and peak RSS.
//!
//! Corpora: by default `../shared/corpus` (every *.txt under it, repeated 3 times) and a
//! synthetic corpus of 10,000 generated news-like documents. `DIR...` benchmarks those
//! folders instead; `--synthetic N` only N generated documents (0: none).
//!
//! Flags: --model DIR, --precision auto|fp32|bf16 (default auto), --threads N,
//! --repeat N, --batch-docs N, --no-overlap, --pad-multiple N (experiments; changes the
//! output bits).
use std::path::{Path, PathBuf};
use std::time::Instant;
use whosaid::corpus::Input;
use whosaid::ner::batch::{prepare, Prepared};
use whosaid::ner::{padded_width, Encoded, PrecisionChoice};
use whosaid::pipeline::Pipeline;
use whosaid::run::{self, Corpus, RunOptions};
use whosaid::Document;

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok()))
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

/// Deterministic news-like documents: attributions, names, roles, organisations, quotes.
fn synthetic(dir: &Path, n: usize, seed: u64) -> std::io::Result<()> {
    const FIRST: &[&str] = &["John", "Sarah", "Ahmed", "Maria", "Chen", "Olga", "Peter", "Aisha", "Tom", "Ruth"];
    const LAST: &[&str] = &["Adler", "Dugan", "Khan", "Garcia", "Wei", "Petrova", "Miller", "Bello", "Hughes", "Stone"];
    const ORGS: &[&str] = &["Care Quality Commission", "NHS Improvement", "Rover", "the BBC", "Arsenal", "the Treasury", "Vodafone", "the Labour Party"];
    const ROLES: &[&str] = &["chief executive", "spokesman", "chairman", "finance director", "manager", "Health Secretary"];
    let mut x = seed;
    let mut next = |m: usize| {
        x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((x >> 33) as usize) % m
    };
    for i in 0..n {
        let mut t = format!("Report {i} on the sector\n\n");
        for _ in 0..(4 + next(8)) {
            let (f, l, o, r) = (FIRST[next(10)], LAST[next(10)], ORGS[next(8)], ROLES[next(6)]);
            t += &format!(
                "{f} {l}, {r} of {o}, said: \"We are confident that the plan will deliver results for people across the country this year.\" \
                 The figures published on Tuesday showed a rise of {} per cent, and {l} added that more work was needed.\n\n",
                next(40)
            );
        }
        let sub = dir.join(format!("{:02}", i / 1000));
        std::fs::create_dir_all(&sub)?;
        std::fs::write(sub.join(format!("{i:05}.txt")), t)?;
    }
    Ok(())
}

/// The bare forward pass over the batches the runner makes: documents in chunks of
/// `batch_docs`, windows grouped by padded width, `batch_size` rows at a time. Returns
/// (seconds, word pieces).
fn bare_forward(pipeline: &Pipeline, inputs: &[Input], batch_docs: usize) -> Result<(f64, usize), Box<dyn std::error::Error>> {
    let opts = pipeline.settings.ner;
    let encoder = pipeline.model.encoder();
    let mut secs = 0.0;
    let mut pieces = 0;
    for chunk in inputs.chunks(batch_docs.max(1)) {
        let prepared: Vec<Prepared> = chunk
            .iter()
            .filter_map(|i| Document::read(&i.path).ok())
            .map(|d| prepare(&encoder, &d, &opts))
            .collect::<Result<_, _>>()?;
        let mut all: Vec<&Encoded> = prepared.iter().flat_map(|p| p.encoded()).collect();
        pieces += all.iter().map(|e| e.ids.len()).sum::<usize>();
        all.sort_by_key(|e| std::cmp::Reverse(padded_width(e.ids.len(), opts.pad_multiple)));
        let t = Instant::now();
        let mut rest = &all[..];
        while let Some(first) = rest.first() {
            let w = padded_width(first.ids.len(), opts.pad_multiple);
            let n = rest.iter().take(opts.batch_size.max(1)).take_while(|e| padded_width(e.ids.len(), opts.pad_multiple) == w).count();
            let (batch, tail) = rest.split_at(n);
            rest = tail;
            let (ids, mask, types) = pipeline.model.batch_tensors_padded(batch, w);
            let _ = tch::no_grad(|| pipeline.model.logits(&ids, &mask, &types, false));
        }
        secs += t.elapsed().as_secs_f64();
    }
    Ok((secs, pieces))
}

fn bench(pipeline: &Pipeline, label: &str, roots: &[PathBuf], batch_docs: usize, overlap: bool, startup: f64) -> Result<(), Box<dyn std::error::Error>> {
    let out = tempfile::tempdir()?;
    let corpus = Corpus::discover(roots, &[]);
    if let Some(e) = corpus.errors.first() {
        return Err(format!("{e}").into());
    }
    let inputs = corpus.files.clone();
    let opts = RunOptions { out: Some(out.path().to_path_buf()), batch_docs, force: true, overlap, ..RunOptions::default() };
    let m = run::run(pipeline, corpus, &opts, &run::Silent)?;
    if let Some(f) = m.failures.first() {
        return Err(format!("{} documents failed, e.g. {}", m.failures.len(), f.error).into());
    }
    let (fwd_s, fwd_pieces) = bare_forward(pipeline, &inputs, batch_docs)?;
    let c = &m.counts;
    let e2e = m.timings.total_s;
    let fwd_rate = fwd_pieces as f64 / fwd_s;
    println!(
        "\n{label}: {} documents, {} chars, {} word pieces; {:?}, {} threads, --batch-docs {batch_docs}{}",
        c.annotated,
        c.chars,
        c.word_pieces,
        pipeline.settings.precision,
        tch::get_num_threads(),
        if overlap { "" } else { ", --no-overlap" }
    );
    println!("  start-up (model load)        {:>10.2} s", startup);
    println!("  end to end                   {:>10.2} s", e2e);
    println!("    documents/s                {:>10.1}", c.annotated as f64 / e2e);
    println!("    word pieces/s              {:>10.0}", c.word_pieces as f64 / e2e);
    println!("    chars/s                    {:>10.0}", c.chars as f64 / e2e);
    println!("    in the forward stage       {:>10.2} s", m.timings.model_s);
    println!("  bare forward pass            {:>10.2} s", fwd_s);
    println!("    word pieces/s              {:>10.0}", fwd_rate);
    println!("  end to end / bare forward    {:>10.2}", (c.word_pieces as f64 / e2e) / fwd_rate);
    println!("  peak RSS (so far)            {:>10.0} MiB", peak_rss_mib());
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let t0 = Instant::now();
    let mut args = std::env::args().skip(1);
    let mut dirs = vec![];
    let mut model = std::env::var_os("WHOSAID_MODEL").map(PathBuf::from);
    let mut precision = PrecisionChoice::Auto;
    let mut repeat = 3usize;
    let mut synth: Option<usize> = None;
    let mut batch_docs = RunOptions::default().batch_docs;
    let mut pad_multiple = None;
    let mut overlap = true;
    while let Some(a) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        match a.as_str() {
            "--model" => model = Some(PathBuf::from(value("--model")?)),
            "--precision" => {
                precision = match value("--precision")?.as_str() {
                    "fp32" => PrecisionChoice::Fp32,
                    "bf16" => PrecisionChoice::Bf16,
                    _ => PrecisionChoice::Auto,
                }
            }
            "--threads" => {
                let n: usize = value("--threads")?.parse()?;
                tch::set_num_threads(n as i32);
                rayon::ThreadPoolBuilder::new().num_threads(n).build_global()?;
            }
            "--repeat" => repeat = value("--repeat")?.parse()?,
            "--synthetic" => synth = Some(value("--synthetic")?.parse()?),
            "--batch-docs" => batch_docs = value("--batch-docs")?.parse()?,
            "--pad-multiple" => pad_multiple = Some(value("--pad-multiple")?.parse()?),
            "--no-overlap" => overlap = false,
            d => dirs.push(PathBuf::from(d)),
        }
    }
    let model = model.unwrap_or_else(|| PathBuf::from("models/whosaid-ner-minilm"));
    let mut pipeline = Pipeline::load(&model, precision.resolve())?;
    if let Some(m) = pad_multiple {
        pipeline.settings.ner.pad_multiple = m;
    }
    let startup = t0.elapsed().as_secs_f64();
    println!("whosaid bench: model {} ({})", pipeline.model_id(), model.display());

    let work = tempfile::tempdir()?;
    let (real, synth) = match (dirs.is_empty(), synth) {
        (true, None) => (vec![PathBuf::from("../shared/corpus")], 10_000),
        (true, Some(n)) => (vec![], n),
        (false, n) => (dirs, n.unwrap_or(0)),
    };
    if !real.is_empty() {
        // The corpus `repeat` times, as distinct files.
        let copy = work.path().join("corpus");
        let (inputs, errors) = whosaid::corpus::discover(&real);
        if let Some(e) = errors.first() {
            return Err(format!("{e}").into());
        }
        for k in 0..repeat.max(1) {
            for input in &inputs {
                let to = copy.join(format!("{k}")).join(&input.rel);
                std::fs::create_dir_all(to.parent().ok_or("no parent")?)?;
                std::fs::copy(&input.path, to)?;
            }
        }
        let names: Vec<String> = real.iter().map(|d| d.display().to_string()).collect();
        let label = format!("{} (x{})", names.join(" "), repeat.max(1));
        bench(&pipeline, &label, &[copy], batch_docs, overlap, startup)?;
    }
    if synth > 0 {
        let dir = work.path().join("synthetic");
        synthetic(&dir, synth, 42)?;
        bench(&pipeline, &format!("synthetic ({synth} documents)"), &[dir], batch_docs, overlap, startup)?;
    }
    Ok(())
}
