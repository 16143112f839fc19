//! whosaid throughput benchmark (not a test): `scripts/bench [DIR...]`.
//!
//! Runs the batch runner ([`whosaid::batch`], as `whosaid annotate --out TMP --force` does:
//! reading files, segmentation and tokenisation overlapped with the forward pass, rules,
//! atomic writes) over each corpus, then times the bare forward pass on the same batches,
//! and prints whosaid's own figures: start-up time, documents/s, word pieces/s and
//! chars/s end to end, the bare forward-pass rate on whosaid's batches, their ratio, the
//! rule + write stages per document, and the annotate run's peak RSS; and the limit: the
//! forward pass on dense batches of one fixed shape (64 rows x 64 word pieces, random ids,
//! the shipped weights and precision), timed for 8 s just before and 8 s just after the
//! end-to-end run, the ratio taken against their mean. Each corpus's last line is
//! `end-to-end/limit: R (end to end W word pieces/s, dense forward L word pieces/s)`.
//!
//! Corpora: by default `../shared/corpus` (every *.txt under it, repeated 3 times) and a
//! synthetic corpus of 10,000 generated news-like documents. `DIR...` benchmarks those
//! folders instead; `--synthetic N` only N generated documents (0: none);
//! `--write-synthetic DIR` only writes the generated documents (`--synthetic N` of them,
//! 10,000 by default) into the new folder DIR, e.g. to time `whosaid annotate` on them.
//! The peak RSS printed for each corpus is the annotate run's own (the peak is reset
//! before it, through `/proc/self/clear_refs`, and read before the replays).
//!
//! Flags: --model DIR, --precision auto|fp32|bf16 (default auto), --threads N,
//! --repeat N, --batch-docs N, --no-overlap; for experiments: --pad-multiple N (may change
//! the output bits), --batch-pieces N and --max-rows N (the shape of a full forward batch,
//! [`whosaid::ner::pool::BatchShape`]), --pool-read-batches N (how many read batches of
//! documents the window pool holds at most).
//!
//! `--shapes` instead prints the forward pass's rate by batch shape (rows x width, random
//! ids), from which the default shape was chosen. `--pad-bits [DIR]` labels every window of
//! DIR (default `../shared/corpus/news`) in pooled batches and alone, padded to multiples
//! of 1, 8 and 16 pieces, and counts the windows whose bits differ. `--pool-stats` prints,
//! for the corpora and without running the model, the forward batches the pool makes
//! (batches, rows, share of windows in full batches, padding) for several shapes, bounds
//! and padding multiples, against the batches before the pool. `--compare-shapes N [DIR]`
//! times the bare forward pass over the first N documents batched as before the pool and by
//! the pool at three shapes, `--repeat` rounds interleaved (wall and CPU time).
//!
//! `--long-document [FILE]` instead times the stages after the model on one long document
//! against the same text cut into several documents: FILE (default
//! `../shared/corpus/news/bbc_tech_360.txt`, 4.7 KB, read at run time) repeated
//! `--copies N` times (160: 757 KB) as one document, and as `--docs N` documents (16) of
//! N/16 copies each. The model labels the article once; every copy gets those labels, so
//! both runs see the same entities and only the rule and write stages are timed: the
//! entity rules (decoding, ROLE rules), quotes, coreference and relations, attribution
//! (timed on its own), and the JSON and brat outputs written to a temporary folder. It
//! prints each stage's time, the totals and the one-document / many-documents ratio (the
//! rule and write stages are linear when it is near 1).
use std::path::{Path, PathBuf};
use std::time::Instant;
use whosaid::corpus::Input;
use whosaid::ner::batch::{prepare, Prepared};
use whosaid::ner::pool::{BatchShape, PoolStats, WindowPool};
use whosaid::ner::{padded_width, Encoded, PrecisionChoice};
use whosaid::pipeline::Pipeline;
use whosaid::batch::{self, Corpus, RunOptions};
use whosaid::Document;
use tch::{Device, Kind, Tensor};

/// CPU seconds this process has used, all threads together. On a machine shared with
/// other work, wall-clock rates move with the load; word pieces per CPU-second much less.
fn cpu_s() -> f64 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime writes the timespec it is given, nothing else.
    unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9
}

/// Resets this process's peak RSS (`VmHWM`) to its current RSS (Linux: `5` to
/// `/proc/self/clear_refs`), so that [`peak_rss_mib`] then reports the peak of what follows.
/// The heap's free pages are handed back first (`malloc_trim`), so that a corpus benchmarked
/// after another one starts nearer what a fresh `whosaid annotate` holds once its model is
/// loaded (not all the way: measured 539 MiB for 2,000 documents after the corpus, where a
/// fresh run of 3,000 peaks at 455 MiB). Returns false where the kernel does not allow the
/// reset.
fn reset_peak_rss() -> bool {
    // SAFETY: malloc_trim only returns free heap memory to the system.
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    unsafe {
        libc::malloc_trim(0);
    }
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

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

/// The bare forward pass over exactly the batches the runner makes: the documents in input
/// order through a window pool of the run's shape and bound (which batches it makes
/// depends on nothing else), each forward batch timed. Returns (seconds, CPU seconds, the
/// pool's figures: word pieces, batches).
fn bare_forward(pipeline: &Pipeline, inputs: &[Input], opts: &RunOptions) -> Result<(f64, f64, PoolStats), Box<dyn std::error::Error>> {
    let ner = pipeline.settings.ner;
    let encoder = pipeline.model.encoder();
    let mut secs = 0.0;
    let mut cpu = 0.0;
    let max_pending = opts.pool_read_batches.max(1) * opts.batch_docs.max(1);
    let mut pool: WindowPool<Prepared> = WindowPool::new(opts.shape, ner.pad_multiple, max_pending);
    let mut forward = |batch: &[&Encoded], width: usize| {
        let (t, c) = (Instant::now(), cpu_s());
        let (ids, mask, types) = pipeline.model.batch_tensors_padded(batch, width);
        let _ = tch::no_grad(|| pipeline.model.logits(&ids, &mask, &types, false));
        secs += t.elapsed().as_secs_f64();
        cpu += cpu_s() - c;
        Ok(vec![vec![]; batch.len()])
    };
    for input in inputs {
        let Ok(doc) = Document::read(&input.path) else { continue };
        pool.push(prepare(&encoder, &doc, &ner)?, &mut forward);
        pool.take_done();
    }
    pool.finish(&mut forward);
    let stats = pool.stats;
    Ok((secs, cpu, stats))
}

/// `--shapes`: the forward pass's rate (word pieces/s, random ids, no padding) by batch
/// shape, rows x width (shapes of more than `max_pieces` pieces are left out: `-`), each
/// shape timed for at least `secs` seconds and two batches after one warm-up batch.
fn shapes(pipeline: &Pipeline, widths: &[i64], rows: &[i64], max_pieces: i64, secs: f64) {
    let vocab = pipeline.model.config.get("vocab_size").and_then(|v| v.as_i64()).unwrap_or(30522);
    tch::manual_seed(7);
    println!("\nforward pass by batch shape, word pieces/s ({:?}, {} threads); rows across, width down", pipeline.settings.precision, tch::get_num_threads());
    print!("{:>6}", "width");
    for r in rows {
        print!("{r:>9}");
    }
    println!();
    let mut cpu_table = format!("{:>6}", "width");
    for r in rows {
        cpu_table.push_str(&format!("{r:>9}"));
    }
    cpu_table.push('\n');
    for &w in widths {
        print!("{w:>6}");
        cpu_table.push_str(&format!("{w:>6}"));
        for &r in rows {
            if r * w > max_pieces {
                print!("{:>9}", "-");
                cpu_table.push_str(&format!("{:>9}", "-"));
                continue;
            }
            let ids = Tensor::randint_low(1000, vocab, [r, w], (Kind::Int64, Device::Cpu));
            let mask = Tensor::ones([r, w], (Kind::Int64, Device::Cpu));
            let types = Tensor::zeros([r, w], (Kind::Int64, Device::Cpu));
            let run = || tch::no_grad(|| pipeline.model.logits(&ids, &mask, &types, false));
            let _ = run();
            let (t, c) = (Instant::now(), cpu_s());
            let mut n = 0;
            while n < 2 || t.elapsed().as_secs_f64() < secs {
                let _ = run();
                n += 1;
            }
            let pieces = (n * r * w) as f64;
            print!("{:>9.0}", pieces / t.elapsed().as_secs_f64());
            cpu_table.push_str(&format!("{:>9.0}", pieces / (cpu_s() - c)));
            use std::io::Write;
            let _ = std::io::stdout().flush();
        }
        println!();
        cpu_table.push('\n');
    }
    println!("the same, word pieces per CPU-second (all threads together)\n{cpu_table}");
}

/// `--pool-stats`: the forward batches a run makes (no model: the pool is given a forward
/// pass that does nothing), for today's shape and others, against whosaid before the pool
/// (each read batch of `batch_docs` documents on its own, windows of one padded width, 32
/// rows at most).
fn pool_stats(pipeline: &Pipeline, label: &str, inputs: &[Input], batch_docs: usize) -> Result<(), Box<dyn std::error::Error>> {
    let ner = pipeline.settings.ner;
    let encoder = pipeline.model.encoder();
    let prepared: Vec<Prepared> = inputs
        .iter()
        .filter_map(|i| Document::read(&i.path).ok())
        .map(|d| prepare(&encoder, &d, &ner))
        .collect::<Result<_, _>>()?;
    let windows: usize = prepared.iter().map(|p| p.encoded().len()).sum();
    println!("\nforward batches of {label}: {} documents, {windows} windows, --batch-docs {batch_docs} (no model)", prepared.len());
    let show = |name: String, s: PoolStats| {
        println!(
            "  {name:<44} {:>6} batches, {:>6.1} rows on average, {:>3.0}% of windows in full batches, padding {:>4.1}% of pieces",
            s.batches,
            s.rows as f64 / s.batches.max(1) as f64,
            100.0 * s.full_rows as f64 / s.rows.max(1) as f64,
            100.0 * (s.padded_pieces - s.pieces) as f64 / s.padded_pieces.max(1) as f64
        )
    };
    for pad in [1usize, 8, 16] {
        // Before the pool.
        let mut before = PoolStats::default();
        for chunk in prepared.chunks(batch_docs.max(1)) {
            let mut widths = std::collections::BTreeMap::<usize, Vec<usize>>::new();
            for e in chunk.iter().flat_map(|p| p.encoded()) {
                widths.entry(padded_width(e.ids.len(), pad)).or_default().push(e.ids.len());
            }
            for (w, lens) in widths {
                for b in lens.chunks(ner.batch_size) {
                    before.batches += 1;
                    before.rows += b.len();
                    before.pieces += b.iter().sum::<usize>();
                    before.padded_pieces += b.len() * w;
                    if b.len() == ner.batch_size {
                        before.full_rows += b.len();
                        before.full_batches += 1;
                    }
                }
            }
        }
        show(format!("pad {pad:>2}, before the pool (32 rows)"), before);
        for (pieces, max_rows) in [(2048, 64), (4096, 128), (8192, 256), (4096, 64), (8192, 128)] {
            for read_batches in [1usize, 2, 4, 16] {
                let mut pool: WindowPool<&Prepared> = WindowPool::new(BatchShape { pieces, max_rows }, pad, read_batches * batch_docs.max(1));
                let mut forward = |b: &[&Encoded], _: usize| Ok(vec![vec![]; b.len()]);
                for p in &prepared {
                    pool.push(p, &mut forward);
                    pool.take_done();
                }
                pool.finish(&mut forward);
                show(format!("pad {pad:>2}, pool {pieces} pieces/{max_rows} rows, {read_batches:>2} x {batch_docs} docs"), pool.stats);
            }
        }
    }
    Ok(())
}

/// `--compare-shapes`: the bare forward pass over the first documents of a corpus, batched
/// as before the pool (each read batch of `batch_docs` documents on its own, one padded
/// width per batch, 32 rows at most) and by the pool at several shapes, each timed (wall
/// and CPU) `rounds` times, interleaved, so that a changing load hits them alike.
fn compare_shapes(pipeline: &Pipeline, inputs: &[Input], batch_docs: usize, read_batches: usize, rounds: usize) -> Result<(), Box<dyn std::error::Error>> {
    let ner = pipeline.settings.ner;
    let encoder = pipeline.model.encoder();
    let prepared: Vec<Prepared> = inputs
        .iter()
        .filter_map(|i| Document::read(&i.path).ok())
        .map(|d| prepare(&encoder, &d, &ner))
        .collect::<Result<_, _>>()?;
    let pieces: usize = prepared.iter().map(|p| p.pieces()).sum();
    // Each configuration's batches, as (width, windows).
    let mut configs: Vec<(String, Vec<(usize, Vec<&Encoded>)>)> = vec![];
    let mut before = vec![];
    for chunk in prepared.chunks(batch_docs.max(1)) {
        let mut widths = std::collections::BTreeMap::<usize, Vec<&Encoded>>::new();
        for e in chunk.iter().flat_map(|p| p.encoded()) {
            widths.entry(padded_width(e.ids.len(), ner.pad_multiple)).or_default().push(e);
        }
        for (w, es) in widths.into_iter().rev() {
            for b in es.chunks(ner.batch_size) {
                before.push((w, b.to_vec()));
            }
        }
    }
    configs.push((format!("before the pool ({} rows, read batches of {batch_docs})", ner.batch_size), before));
    for (p, r) in [(2048, 64), (4096, 128), (8192, 256)] {
        let mut batches = vec![];
        let mut pool: WindowPool<&Prepared> = WindowPool::new(BatchShape { pieces: p, max_rows: r }, ner.pad_multiple, read_batches * batch_docs.max(1));
        let mut forward = |b: &[&Encoded], w: usize| {
            batches.push((w, b.iter().map(|e| e.ids.len()).collect::<Vec<_>>()));
            Ok(vec![vec![]; b.len()])
        };
        for prep in &prepared {
            pool.push(prep, &mut forward);
            pool.take_done();
        }
        pool.finish(&mut forward);
        drop(pool);
        // The same shapes, filled with the corpus's windows of those lengths (the bits do not
        // matter here, only the shapes).
        let mut by_len = std::collections::HashMap::<usize, Vec<&Encoded>>::new();
        for e in prepared.iter().flat_map(|p| p.encoded()) {
            by_len.entry(e.ids.len()).or_default().push(e);
        }
        let batches: Vec<(usize, Vec<&Encoded>)> = batches
            .into_iter()
            .map(|(w, lens)| (w, lens.into_iter().map(|l| by_len[&l].last().copied().unwrap_or_else(|| unreachable!())).collect()))
            .collect();
        configs.push((format!("pool {p} pieces / {r} rows, {read_batches} x {batch_docs} documents"), batches));
    }
    println!(
        "\nbare forward by batching ({:?}, {} threads): {} documents, {pieces} word pieces; {rounds} interleaved rounds",
        pipeline.settings.precision,
        tch::get_num_threads(),
        prepared.len()
    );
    let mut times = vec![(0.0f64, 0.0f64); configs.len()];
    for _ in 0..rounds.max(1) {
        for (k, (_, batches)) in configs.iter().enumerate() {
            let (t, c) = (Instant::now(), cpu_s());
            for (w, b) in batches {
                let (ids, mask, types) = pipeline.model.batch_tensors_padded(b, *w);
                let _ = tch::no_grad(|| pipeline.model.logits(&ids, &mask, &types, false));
            }
            times[k].0 += t.elapsed().as_secs_f64();
            times[k].1 += cpu_s() - c;
        }
    }
    for ((name, batches), (wall, cpu)) in configs.iter().zip(times) {
        let n = rounds.max(1) as f64;
        let rows: usize = batches.iter().map(|(_, b)| b.len()).sum();
        println!(
            "  {name:<52} {:>5} batches ({:>5.1} rows on average): {:>7.0} word pieces/s, {:>7.0} per CPU-second",
            batches.len(),
            rows as f64 / batches.len().max(1) as f64,
            pieces as f64 * n / wall,
            pieces as f64 * n / cpu
        );
    }
    Ok(())
}

/// `--pad-bits`: do a window's labels and probabilities keep their bits (a) whatever the
/// rows of its batch, and (b) when padded to a multiple of 8 or 16 pieces instead of its
/// exact length? Every window of the corpus is labelled in full pooled batches and alone,
/// at padding multiples 1, 8 and 16; the counts of windows whose bits differ are printed.
fn pad_bits(pipeline: &Pipeline, inputs: &[Input]) -> Result<(), Box<dyn std::error::Error>> {
    let ner = pipeline.settings.ner;
    let encoder = pipeline.model.encoder();
    let prepared: Vec<Prepared> = inputs
        .iter()
        .filter_map(|i| Document::read(&i.path).ok())
        .map(|d| prepare(&encoder, &d, &ner))
        .collect::<Result<_, _>>()?;
    let windows: Vec<&Encoded> = prepared.iter().flat_map(|p| p.encoded()).collect();
    type Labels = Vec<Vec<whosaid::ner::WordLabel>>;
    let pooled = |multiple: usize| -> Result<(Labels, f64), Box<dyn std::error::Error>> {
        let opts = whosaid::ner::batch::NerOptions { pad_multiple: multiple, ..ner };
        let refs: Vec<&Prepared> = prepared.iter().collect();
        let t = Instant::now();
        let out = whosaid::ner::batch::infer(&pipeline.model, &refs, &opts)?;
        Ok((out.into_iter().flatten().collect(), t.elapsed().as_secs_f64()))
    };
    let alone = |multiple: usize| -> Result<Labels, Box<dyn std::error::Error>> {
        let mut out = vec![];
        for e in &windows {
            out.extend(whosaid::ner::label_batch(&pipeline.model, &[*e], padded_width(e.ids.len(), multiple))?);
        }
        Ok(out)
    };
    let differ = |a: &Labels, b: &Labels| -> (usize, usize) {
        let windows = a.iter().zip(b).filter(|(x, y)| x.iter().zip(y.iter()).any(|(p, q)| p.label != q.label || p.prob.to_bits() != q.prob.to_bits())).count();
        let labels = a.iter().zip(b).map(|(x, y)| x.iter().zip(y.iter()).filter(|(p, q)| p.label != q.label).count()).sum();
        (windows, labels)
    };
    println!("\npadding and bits ({:?}, {} threads): {} windows of {} documents", pipeline.settings.precision, tch::get_num_threads(), windows.len(), prepared.len());
    let (exact, exact_s) = pooled(1)?;
    for multiple in [1usize, 8, 16] {
        let (full, secs) = if multiple == 1 { (exact.clone(), exact_s) } else { pooled(multiple)? };
        let single = alone(multiple)?;
        let (w_rows, l_rows) = differ(&full, &single);
        let (w_exact, l_exact) = differ(&full, &exact);
        println!(
            "  pad to {multiple:>2}: pooled batches {secs:>6.2} s; vs each window alone: {w_rows} windows' bits differ ({l_rows} labels); vs exact lengths: {w_exact} windows' bits differ ({l_exact} labels)"
        );
    }
    Ok(())
}

/// Generated documents in the default run (and written by `--write-synthetic`).
const DEFAULT_SYNTHETIC_DOCS: usize = 10_000;

/// Seconds the dense forward pass is timed for, on each side of an end-to-end run.
const DENSE_SECS: f64 = 8.0;

/// The forward pass's limit on this machine: dense batches of one fixed shape (64 rows x 64
/// word pieces, random ids, no padding) with the shipped weights and precision, two batches
/// of warm-up then at least `secs` seconds. Returns word pieces/s, and word pieces per
/// CPU-second.
fn dense_forward(pipeline: &Pipeline, secs: f64) -> (f64, f64) {
    const ROWS: i64 = 64;
    const WIDTH: i64 = 64;
    let vocab = pipeline.model.config.get("vocab_size").and_then(|v| v.as_i64()).unwrap_or(30522);
    tch::manual_seed(7);
    let ids = Tensor::randint_low(1000, vocab, [ROWS, WIDTH], (Kind::Int64, Device::Cpu));
    let mask = Tensor::ones([ROWS, WIDTH], (Kind::Int64, Device::Cpu));
    let types = Tensor::zeros([ROWS, WIDTH], (Kind::Int64, Device::Cpu));
    let run = || tch::no_grad(|| pipeline.model.logits(&ids, &mask, &types, false));
    for _ in 0..2 {
        let _ = run();
    }
    let (t, c) = (Instant::now(), cpu_s());
    let mut batches = 0;
    while batches < 4 || t.elapsed().as_secs_f64() < secs {
        let _ = run();
        batches += 1;
    }
    let pieces = (batches as i64 * ROWS * WIDTH) as f64;
    (pieces / t.elapsed().as_secs_f64(), pieces / (cpu_s() - c))
}

/// The rule and write stages per document, on the entities `annotate` wrote to `out`: each
/// document is read back, its rule stages rerun (`pipeline::annotate_rules` and the
/// ranker) and its X.ann + X.json written again to a scratch folder. Returns (seconds in
/// all, documents).
fn rule_and_write_stage(pipeline: &Pipeline, inputs: &[Input], out: &Path) -> Result<(f64, usize), Box<dyn std::error::Error>> {
    let scratch = tempfile::tempdir()?;
    let provenance = pipeline.provenance();
    let mut secs = 0.0;
    let mut n = 0;
    for (k, input) in inputs.iter().enumerate() {
        let mut doc = Document::read(&input.path)?;
        let ann = out.join(&input.rel).with_extension("ann");
        doc.ann = whosaid::formats::brat::read_ann(&doc.text, &ann)?;
        let t = Instant::now();
        whosaid::pipeline::annotate_rules(&mut doc);
        whosaid::pipeline::rank_open_quotes(pipeline.ranker.as_ref(), &mut doc)?;
        let json = whosaid::formats::json::JsonDocument::from_document(&doc, provenance.clone());
        let ann_text = whosaid::formats::brat::to_ann_string(&doc.text, &doc.ann);
        whosaid::formats::write_atomic(&scratch.path().join(format!("{k}.ann")), ann_text.as_bytes())?;
        whosaid::formats::write_atomic(&scratch.path().join(format!("{k}.json")), &json.to_bytes()?)?;
        secs += t.elapsed().as_secs_f64();
        n += 1;
    }
    Ok((secs, n))
}

fn bench(pipeline: &Pipeline, label: &str, roots: &[PathBuf], run: &RunOptions, startup: f64) -> Result<(), Box<dyn std::error::Error>> {
    let out = tempfile::tempdir()?;
    let corpus = Corpus::discover(roots, &[]);
    if let Some(e) = corpus.errors.first() {
        return Err(format!("{e}").into());
    }
    let inputs = corpus.files.clone();
    let opts = RunOptions { out: Some(out.path().to_path_buf()), force: true, ..run.clone() };
    let (batch_docs, overlap) = (opts.batch_docs, opts.overlap);
    // The limit is timed just before and just after the end-to-end run, and the ratio is
    // taken against their mean: on a shared machine the rate moves over minutes, and one
    // short timing on one side of the run made the ratio of a small corpus noisy.
    let before = dense_forward(pipeline, DENSE_SECS);
    let reset = reset_peak_rss();
    let cpu0 = cpu_s();
    let m = batch::annotate_corpus(pipeline, corpus, &opts, &batch::Silent)?;
    let e2e_cpu = cpu_s() - cpu0;
    // The annotate run's own peak (the loaded model included), before the replays below.
    let run_peak = peak_rss_mib();
    let after = dense_forward(pipeline, DENSE_SECS);
    if let Some(f) = m.failures.first() {
        return Err(format!("{} documents failed, e.g. {}", m.failures.len(), f.error).into());
    }
    let (fwd_s, fwd_cpu, pool) = bare_forward(pipeline, &inputs, &opts)?;
    let fwd_pieces = pool.pieces;
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
    println!(
        "  forward batches              {:>10} ({:.1} rows on average; {:.0}% of windows in full batches; padding {:.1}% of pieces; full = {} pieces, {} rows at most; pool of {} x {batch_docs} documents)",
        pool.batches,
        pool.rows as f64 / pool.batches.max(1) as f64,
        100.0 * pool.full_rows as f64 / pool.rows.max(1) as f64,
        100.0 * (pool.padded_pieces - pool.pieces) as f64 / pool.padded_pieces.max(1) as f64,
        opts.shape.pieces,
        opts.shape.max_rows,
        opts.pool_read_batches,
    );
    println!("  bare forward pass            {:>10.2} s", fwd_s);
    println!("    word pieces/s              {:>10.0}", fwd_rate);
    println!("  end to end / bare forward    {:>10.2}", (c.word_pieces as f64 / e2e) / fwd_rate);
    let (rw_s, rw_docs) = rule_and_write_stage(pipeline, &inputs, out.path())?;
    println!("  rule + write stages          {:>10.2} s ({:.2} ms per document)", rw_s, 1000.0 * rw_s / rw_docs.max(1) as f64);
    if reset {
        println!("  peak RSS of the annotate run {:>10.0} MiB (model loaded; the process's peak so far {:.0} MiB)", run_peak, peak_rss_mib());
    } else {
        println!("  peak RSS (so far)            {:>10.0} MiB (this kernel does not reset the peak per run)", peak_rss_mib());
    }
    let (limit, limit_cpu) = ((before.0 + after.0) / 2.0, (before.1 + after.1) / 2.0);
    let e2e_rate = c.word_pieces as f64 / e2e;
    println!(
        "  dense forward 64 x 64        {:>10.0} word pieces/s (mean of {:.0} just before and {:.0} just after the end-to-end run, {DENSE_SECS} s each)",
        limit, before.0, after.0
    );
    let per_cpu = |pieces: usize, cpu: f64| pieces as f64 / cpu.max(1e-9);
    println!(
        "  per CPU-second (all threads) {:>10.0} word pieces end to end ({:.1} CPU-s), {:.0} bare forward, {:.0} dense forward; end-to-end/limit by CPU time {:.2}",
        per_cpu(c.word_pieces, e2e_cpu),
        e2e_cpu,
        per_cpu(fwd_pieces, fwd_cpu),
        limit_cpu,
        per_cpu(c.word_pieces, e2e_cpu) / limit_cpu
    );
    println!("end-to-end/limit: {:.2} (end to end {:.0} word pieces/s, dense forward {:.0} word pieces/s)", e2e_rate / limit, e2e_rate, limit);
    Ok(())
}

/// Seconds spent per stage after the model, summed over documents.
#[derive(Debug, Default, Clone, Copy)]
struct StageTimes {
    entity_rules: f64,
    quotes_coref_relations: f64,
    attribution: f64,
    write: f64,
}

impl StageTimes {
    fn total(&self) -> f64 {
        self.entity_rules + self.quotes_coref_relations + self.attribution + self.write
    }
}

/// The rule and write stages of one document whose sentences all carry fixed labels, as
/// [`whosaid::batch`] runs them (`apply`, then `pipeline::annotate_rules` with each stage
/// timed, then the JSON and brat outputs, written).
fn rules_and_write(
    pipeline: &Pipeline,
    doc: &mut Document,
    labels: &[Vec<whosaid::ner::WordLabel>],
    out: &Path,
    times: &mut StageTimes,
) -> Result<(), Box<dyn std::error::Error>> {
    let sentences = whosaid::segment::sentences(&doc.text);
    if sentences.len() != labels.len() || sentences.iter().zip(labels).any(|(s, l)| s.words.len() != l.len()) {
        return Err("the copies do not segment like the article (sentences differ)".into());
    }
    let t = Instant::now();
    whosaid::ner::batch::apply_sentence_labels(&pipeline.model.labels, doc, &sentences, labels, &pipeline.settings.ner);
    times.entity_rules += t.elapsed().as_secs_f64();
    // `pipeline::annotate_rules`, each stage timed: the entity rules with the model's ROLE
    // merging above, attribution on its own.
    whosaid::pipeline::annotate_rules_timed(doc, |stage, took| {
        let secs = took.as_secs_f64();
        match stage.name() {
            "entities" => times.entity_rules += secs,
            "attribution" => times.attribution += secs,
            _ => times.quotes_coref_relations += secs,
        }
    });

    let t = Instant::now();
    let json = whosaid::formats::json::JsonDocument::from_document(doc, pipeline.provenance());
    let ann_text = whosaid::formats::brat::to_ann_string(&doc.text, &doc.ann);
    whosaid::formats::write_atomic(&out.join(format!("{}.ann", doc.id)), ann_text.as_bytes())?;
    whosaid::formats::write_atomic(&out.join(format!("{}.json", doc.id)), &json.to_bytes()?)?;
    times.write += t.elapsed().as_secs_f64();
    Ok(())
}

/// `--long-document`: see the module documentation.
fn long_document(pipeline: &Pipeline, file: &Path, copies: usize, docs: usize) -> Result<(), Box<dyn std::error::Error>> {
    let docs = docs.clamp(1, copies.max(1));
    if copies % docs != 0 {
        return Err(format!("--copies {copies} is not a multiple of --docs {docs}").into());
    }
    let article = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let article = article.trim_end().to_string();
    // The model labels the article once.
    let opts = pipeline.settings.ner;
    let one = Document::new("article", article.as_str());
    let prep = prepare(&pipeline.model.encoder(), &one, &opts)?;
    let window_labels = whosaid::ner::batch::infer(&pipeline.model, &[&prep], &opts)?.remove(0);
    let labels = whosaid::ner::batch::sentence_labels(&prep, &window_labels);
    let repeated = |n: usize| vec![article.as_str(); n].join("\n\n");
    let labels_of = |n: usize| -> Vec<_> { (0..n).flat_map(|_| labels.iter().cloned()).collect() };

    let out = tempfile::tempdir()?;
    let mut long = Document::new("long", repeated(copies));
    let chars = long.text.len_chars();
    let mut one_doc = StageTimes::default();
    rules_and_write(pipeline, &mut long, &labels_of(copies), out.path(), &mut one_doc)?;
    let per = copies / docs;
    let mut many = StageTimes::default();
    let mut entities = (long.ann.entities().count(), 0);
    let mut quotes = (long.ann.quotes().count(), 0);
    for k in 0..docs {
        let mut d = Document::new(format!("part{k:02}"), repeated(per));
        rules_and_write(pipeline, &mut d, &labels_of(per), out.path(), &mut many)?;
        entities.1 += d.ann.entities().count();
        quotes.1 += d.ann.quotes().count();
    }
    println!(
        "\nrule and write stages, no model: {} ({} chars) x{copies} = {chars} chars, as 1 document and as {docs} documents of {per} copies",
        file.display(),
        article.chars().count()
    );
    println!("  entities {} / {}, quotes {} / {}", entities.0, entities.1, quotes.0, quotes.1);
    println!("  {:<34}{:>12}{:>14}{:>8}", "stage", "1 document", format!("{docs} documents"), "ratio");
    let row = |name: &str, a: f64, b: f64| println!("  {name:<34}{a:>10.3} s{b:>12.3} s{:>8.2}", a / b.max(1e-9));
    row("entity rules (decode, ROLE rules)", one_doc.entity_rules, many.entity_rules);
    row("quotes, coreference, relations", one_doc.quotes_coref_relations, many.quotes_coref_relations);
    row("attribution::attribute_speakers", one_doc.attribution, many.attribution);
    row("JSON + brat, written", one_doc.write, many.write);
    row("rule + write, total", one_doc.total(), many.total());
    println!(
        "  attribution::attribute_speakers is {:.0}% of the one document's rule + write time ({:.0}% for {docs} documents)",
        100.0 * one_doc.attribution / one_doc.total().max(1e-9),
        100.0 * many.attribution / many.total().max(1e-9)
    );
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // As `whosaid` does (before any thread starts).
    whosaid::ner::bound_kernel_cache();
    let t0 = Instant::now();
    let mut args = std::env::args().skip(1);
    let mut dirs = vec![];
    let mut model = std::env::var_os("WHOSAID_MODEL").map(PathBuf::from);
    let mut precision = PrecisionChoice::Auto;
    let mut repeat = 3usize;
    let mut synth: Option<usize> = None;
    let mut write_synthetic: Option<PathBuf> = None;
    let mut batch_docs = RunOptions::default().batch_docs;
    let mut pad_multiple = None;
    let mut overlap = true;
    let mut long_doc: Option<PathBuf> = None;
    let mut shape = BatchShape::default();
    let mut pool_read_batches = batch::POOL_READ_BATCHES;
    let mut shape_grid = false;
    let mut check_pad_bits = false;
    let mut only_pool_stats = false;
    let mut compare: Option<usize> = None;
    let (mut copies, mut docs) = (160usize, 16usize);
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
            "--write-synthetic" => write_synthetic = Some(PathBuf::from(value("--write-synthetic")?)),
            "--batch-docs" => batch_docs = value("--batch-docs")?.parse()?,
            "--pad-multiple" => pad_multiple = Some(value("--pad-multiple")?.parse()?),
            "--no-overlap" => overlap = false,
            "--batch-pieces" => shape.pieces = value("--batch-pieces")?.parse()?,
            "--max-rows" => shape.max_rows = value("--max-rows")?.parse()?,
            "--pool-read-batches" => pool_read_batches = value("--pool-read-batches")?.parse()?,
            "--shapes" => shape_grid = true,
            "--pad-bits" => check_pad_bits = true,
            "--pool-stats" => only_pool_stats = true,
            "--compare-shapes" => compare = Some(value("--compare-shapes")?.parse()?),
            "--long-document" => long_doc = Some(PathBuf::from("../shared/corpus/news/bbc_tech_360.txt")),
            "--copies" => copies = value("--copies")?.parse()?,
            "--docs" => docs = value("--docs")?.parse()?,
            d if long_doc.is_some() && dirs.is_empty() && d.ends_with(".txt") => long_doc = Some(PathBuf::from(d)),
            d => dirs.push(PathBuf::from(d)),
        }
    }
    if let Some(dir) = write_synthetic {
        // Only write the generated corpus (e.g. to time `whosaid annotate` on it).
        let n = synth.unwrap_or(DEFAULT_SYNTHETIC_DOCS);
        if dir.exists() {
            return Err(format!("{}: already exists (--write-synthetic makes a new folder)", dir.display()).into());
        }
        synthetic(&dir, n, 42)?;
        println!("wrote {n} generated documents under {}", dir.display());
        return Ok(());
    }
    let model = model.unwrap_or_else(|| PathBuf::from("models/whosaid-ner-minilm"));
    let mut pipeline = Pipeline::load(&model, precision.resolve())?;
    if let Some(m) = pad_multiple {
        pipeline.settings.ner.pad_multiple = m;
    }
    let startup = t0.elapsed().as_secs_f64();
    println!("whosaid bench: model {} ({})", pipeline.model_id(), model.display());
    if let Some(file) = long_doc {
        return long_document(&pipeline, &file, copies, docs);
    }
    if shape_grid {
        shapes(&pipeline, &[16, 32, 48, 64, 96, 128, 192], &[8, 16, 32, 64, 128, 256], 8192, 0.3);
        return Ok(());
    }
    if let Some(n) = compare {
        let roots = if dirs.is_empty() { vec![PathBuf::from("../shared/corpus")] } else { dirs.clone() };
        let files = Corpus::discover(&roots, &[]).files;
        return compare_shapes(&pipeline, &files[..n.min(files.len())], batch_docs, pool_read_batches, repeat);
    }
    if check_pad_bits {
        let roots = if dirs.is_empty() { vec![PathBuf::from("../shared/corpus/news")] } else { dirs.clone() };
        let corpus = Corpus::discover(&roots, &[]);
        return pad_bits(&pipeline, &corpus.files);
    }
    let run = RunOptions { batch_docs, overlap, shape, pool_read_batches, ..RunOptions::default() };

    let work = tempfile::tempdir()?;
    let (real, synth) = match (dirs.is_empty(), synth) {
        (true, None) => (vec![PathBuf::from("../shared/corpus")], DEFAULT_SYNTHETIC_DOCS),
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
        if only_pool_stats {
            pool_stats(&pipeline, &label, &Corpus::discover(&[copy], &[]).files, batch_docs)?;
        } else {
            bench(&pipeline, &label, &[copy], &run, startup)?;
        }
    }
    if synth > 0 {
        let dir = work.path().join("synthetic");
        synthetic(&dir, synth, 42)?;
        let label = format!("synthetic ({synth} documents)");
        if only_pool_stats {
            pool_stats(&pipeline, &label, &Corpus::discover(&[dir], &[]).files, batch_docs)?;
        } else {
            bench(&pipeline, &label, &[dir], &run, startup)?;
        }
    }
    Ok(())
}
