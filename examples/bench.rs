//! whosaid throughput benchmark (not a test): `scripts/bench [DIR...]`.
//!
//! Runs the batch runner ([`whosaid::batch`], as `whosaid annotate --out TMP --force` does:
//! reading files, segmentation and tokenisation overlapped with the forward pass, rules,
//! atomic writes) over each corpus, then times the bare forward pass on the same batches,
//! and prints whosaid's own figures: start-up time, documents/s, word pieces/s and
//! chars/s end to end, the bare forward-pass rate on whosaid's batches, their ratio, the
//! rule + write stages per document, and peak RSS; then the limit: the forward pass on
//! dense batches of one fixed shape (64 rows x 64 word pieces, random ids, the shipped
//! weights and precision). Each corpus's last line is
//! `end-to-end/limit: R (end to end W word pieces/s, dense forward L word pieces/s)`.
//!
//! Corpora: by default `../shared/corpus` (every *.txt under it, repeated 3 times) and a
//! synthetic corpus of 10,000 generated news-like documents. `DIR...` benchmarks those
//! folders instead; `--synthetic N` only N generated documents (0: none).
//!
//! Flags: --model DIR, --precision auto|fp32|bf16 (default auto), --threads N,
//! --repeat N, --batch-docs N, --no-overlap, --pad-multiple N (experiments; changes the
//! output bits).
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
use whosaid::ner::{padded_width, Encoded, PrecisionChoice};
use whosaid::pipeline::Pipeline;
use whosaid::batch::{self, Corpus, RunOptions};
use whosaid::Document;
use tch::{Device, Kind, Tensor};

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

/// The forward pass's limit on this machine: dense batches of one fixed shape (64 rows x 64
/// word pieces, random ids, no padding) with the shipped weights and precision, two batches
/// of warm-up then at least 3 s. Returns word pieces/s.
fn dense_forward(pipeline: &Pipeline) -> f64 {
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
    let t = Instant::now();
    let mut batches = 0;
    while batches < 4 || t.elapsed().as_secs_f64() < 3.0 {
        let _ = run();
        batches += 1;
    }
    (batches as i64 * ROWS * WIDTH) as f64 / t.elapsed().as_secs_f64()
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

fn bench(pipeline: &Pipeline, label: &str, roots: &[PathBuf], batch_docs: usize, overlap: bool, startup: f64) -> Result<(), Box<dyn std::error::Error>> {
    let out = tempfile::tempdir()?;
    let corpus = Corpus::discover(roots, &[]);
    if let Some(e) = corpus.errors.first() {
        return Err(format!("{e}").into());
    }
    let inputs = corpus.files.clone();
    let opts = RunOptions { out: Some(out.path().to_path_buf()), batch_docs, force: true, overlap, ..RunOptions::default() };
    let m = batch::annotate_corpus(pipeline, corpus, &opts, &batch::Silent)?;
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
    let (rw_s, rw_docs) = rule_and_write_stage(pipeline, &inputs, out.path())?;
    println!("  rule + write stages          {:>10.2} s ({:.2} ms per document)", rw_s, 1000.0 * rw_s / rw_docs.max(1) as f64);
    println!("  peak RSS (so far)            {:>10.0} MiB", peak_rss_mib());
    let limit = dense_forward(pipeline);
    let e2e_rate = c.word_pieces as f64 / e2e;
    println!("  dense forward 64 x 64        {:>10.0} word pieces/s", limit);
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
    let mut long_doc: Option<PathBuf> = None;
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
            "--batch-docs" => batch_docs = value("--batch-docs")?.parse()?,
            "--pad-multiple" => pad_multiple = Some(value("--pad-multiple")?.parse()?),
            "--no-overlap" => overlap = false,
            "--long-document" => long_doc = Some(PathBuf::from("../shared/corpus/news/bbc_tech_360.txt")),
            "--copies" => copies = value("--copies")?.parse()?,
            "--docs" => docs = value("--docs")?.parse()?,
            d if long_doc.is_some() && dirs.is_empty() && d.ends_with(".txt") => long_doc = Some(PathBuf::from(d)),
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
    if let Some(file) = long_doc {
        return long_document(&pipeline, &file, copies, docs);
    }

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
