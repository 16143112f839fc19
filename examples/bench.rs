//! whosaid throughput benchmark: `scripts/bench [DIR...]` (default: the 40 BBC articles
//! of ../shared/corpus/news). Prints whosaid's own figures: start-up time, documents/s,
//! word pieces/s and chars/s end to end (reading, segmentation, NER, rules, output
//! formatting), the bare forward-pass rate on the same batches, their ratio, and peak RSS.
//!
//! Flags: --model DIR, --precision fp32|bf16 (default bf16), --threads N, --repeat N
//! (corpus repeated N times, default 3), --synthetic N (N generated documents instead).
use std::path::PathBuf;
use std::time::Instant;
use whosaid::formats::{brat, json::JsonDocument};
use whosaid::ner::batch::model_inputs;
use whosaid::ner::Precision;
use whosaid::pipeline::Pipeline;
use whosaid::Document;

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok()))
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

fn synthetic(n: usize, seed: u64) -> Vec<Document> {
    // Deterministic news-like text: attributions, names, roles, organisations, quotes.
    const FIRST: &[&str] = &["John", "Sarah", "Ahmed", "Maria", "Chen", "Olga", "Peter", "Aisha", "Tom", "Ruth"];
    const LAST: &[&str] = &["Adler", "Dugan", "Khan", "Garcia", "Wei", "Petrova", "Miller", "Bello", "Hughes", "Stone"];
    const ORGS: &[&str] = &["Care Quality Commission", "NHS Improvement", "Rover", "the BBC", "Arsenal", "the Treasury", "Vodafone", "the Labour Party"];
    const ROLES: &[&str] = &["chief executive", "spokesman", "chairman", "finance director", "manager", "Health Secretary"];
    let mut x = seed;
    let mut next = |m: usize| {
        x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((x >> 33) as usize) % m
    };
    (0..n)
        .map(|i| {
            let mut t = format!("Report {i} on the sector\n\n");
            for _ in 0..(4 + next(8)) {
                let (f, l, o, r) = (FIRST[next(10)], LAST[next(10)], ORGS[next(8)], ROLES[next(6)]);
                t += &format!(
                    "{f} {l}, {r} of {o}, said: \"We are confident that the plan will deliver results for people across the country this year.\" \
                     The figures published on Tuesday showed a rise of {} per cent, and {l} added that more work was needed.\n\n",
                    next(40)
                );
            }
            Document::new(format!("synthetic/{i:05}"), t)
        })
        .collect()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let mut dirs = vec![];
    let mut model = None;
    let mut precision = Precision::Bf16;
    let mut repeat = 3usize;
    let mut synth = None;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--model" => model = args.next().map(PathBuf::from),
            "--precision" => precision = if args.next().as_deref() == Some("fp32") { Precision::Fp32 } else { Precision::Bf16 },
            "--threads" => tch::set_num_threads(args.next().ok_or("--threads N")?.parse()?),
            "--repeat" => repeat = args.next().ok_or("--repeat N")?.parse()?,
            "--synthetic" => synth = Some(args.next().ok_or("--synthetic N")?.parse::<usize>()?),
            d => dirs.push(PathBuf::from(d)),
        }
    }
    let model = model.unwrap_or_else(|| PathBuf::from("models/whosaid-ner-minilm"));
    let t0 = Instant::now();
    let pipeline = Pipeline::load(&model, precision)?;
    let startup = t0.elapsed().as_secs_f64();

    let docs: Vec<Document> = match synth {
        Some(n) => synthetic(n, 42),
        None => {
            if dirs.is_empty() {
                dirs.push(PathBuf::from("../shared/corpus/news"));
            }
            let (inputs, errors) = whosaid::corpus::discover(&dirs);
            if let Some(e) = errors.first() {
                return Err(format!("{e}").into());
            }
            let one: Vec<Document> = inputs.iter().map(|i| Document::read(&i.path)).collect::<Result<_, _>>()?;
            (0..repeat.max(1)).flat_map(|_| one.clone()).collect()
        }
    };
    let chars: usize = docs.iter().map(|d| d.text.len_chars()).sum();
    let opts = pipeline.settings.ner;
    let inputs = model_inputs(&docs, &opts);
    let encoded: Vec<_> = inputs
        .iter()
        .map(|w| pipeline.model.encode(&w.iter().map(String::as_str).collect::<Vec<_>>(), opts.max_pieces))
        .collect::<Result<_, _>>()?;
    let pieces: usize = encoded.iter().map(|e| e.ids.len()).sum();

    // Warm-up (first forward passes allocate), then end to end in 64-document chunks.
    let mut warm = docs[..docs.len().min(4)].to_vec();
    pipeline.annotate(&mut warm)?;
    let t = Instant::now();
    let mut out_bytes = 0usize;
    for chunk in docs.chunks(64) {
        let mut batch = chunk.to_vec();
        pipeline.annotate(&mut batch)?;
        for d in &batch {
            out_bytes += brat::to_ann_string(&d.text, &d.ann).len();
            out_bytes += JsonDocument::from_document(d, pipeline.provenance()).to_bytes()?.len();
        }
    }
    let e2e = t.elapsed().as_secs_f64();

    // The bare forward pass on the same sequences, batched as predict_words batches them.
    let mut order: Vec<usize> = (0..encoded.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(encoded[i].ids.len()));
    let t = Instant::now();
    for chunk in order.chunks(opts.batch_size.max(1)) {
        let batch: Vec<_> = chunk.iter().map(|&i| &encoded[i]).collect();
        let (ids, mask, types) = pipeline.model.batch_tensors(&batch);
        let _ = tch::no_grad(|| pipeline.model.logits(&ids, &mask, &types, false));
    }
    let fwd = t.elapsed().as_secs_f64();

    println!("whosaid bench: {} documents ({} chars, {} word pieces in {} windows), {:?}, {} threads", docs.len(), chars, pieces, encoded.len(), precision, tch::get_num_threads());
    println!("start-up (model load)      {:>10.2} s", startup);
    println!("end to end                 {:>10.2} s", e2e);
    println!("  documents/s              {:>10.1}", docs.len() as f64 / e2e);
    println!("  word pieces/s            {:>10.0}", pieces as f64 / e2e);
    println!("  chars/s                  {:>10.0}", chars as f64 / e2e);
    println!("bare forward pass          {:>10.2} s", fwd);
    println!("  word pieces/s            {:>10.0}", pieces as f64 / fwd);
    println!("end-to-end / forward rate  {:>10.2}", fwd / e2e);
    println!("peak RSS                   {:>10.0} MiB", peak_rss_mib());
    println!("output formatted           {:>10} bytes", out_bytes);
    Ok(())
}
