//! Training the speaker ranker (`whosaid train-attribution`): gold quotes with their
//! source span (`QUOTE`, `SRC`, `R Speaker`, attributes `Pronoun`/`Nominal`, as in the
//! development set's `direct/X.ann`), entity mentions from whosaid's own NER output
//! (`ENTITIES/X.ann`), AdamW with warm-up and linear decay, a seed, a wall-clock limit,
//! a held-out part (documents dated from a month on, by the date in the file name)
//! scored after every epoch and at the end, and a model card.
//!
//! The positive candidates of a quote are those overlapping its gold source, of the best
//! label among them (PER before ROLE before ORG before a pronoun); a relative `who`,
//! `which` or `that` source stands for the mention just before it in its sentence. A
//! quote whose window has candidates but no positive one (the source is further away, a
//! document, or a mention the NER missed) is trained towards "nobody"; a quote without
//! any candidate is skipped. Both are counted.

use super::candidates::{self, Candidate};
use super::model::{self, Encoded, RankerInfo, RankerNet};
use super::{Ranker, Ranking};
use crate::annotation::{Annotations, Label};
use crate::document::{Document, Span};
use crate::error::{Error, Result};
use crate::mentions::View;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;
use tch::{nn, nn::OptimizerConfig, Tensor};

/// Everything that defines a training run (recorded in the model card).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TrainConfig {
    /// Directory of `X.txt` + gold `X.ann` (QUOTE, SRC, Speaker).
    pub gold: PathBuf,
    /// Directory of whosaid's `X.ann` for the same texts (entity mentions).
    pub entities: PathBuf,
    /// Base encoder directory (a whosaid NER model or a bare BERT encoder).
    pub base: PathBuf,
    pub out: PathBuf,
    /// Documents dated in this month (`YYYY-MM`) or later are held out.
    pub holdout_since: Option<String>,
    pub epochs: usize,
    pub batch_size: usize,
    /// Peak learning rate of the encoder.
    pub lr: f64,
    /// Peak learning rate of the scoring head.
    pub head_lr: f64,
    pub warmup: f64,
    pub weight_decay: f64,
    pub seed: u64,
    pub max_pieces: usize,
    pub quote_edge: usize,
    pub head_hidden: i64,
    /// Embeddings and this many lower encoder layers stay as in the base (0: none).
    pub freeze_layers: usize,
    /// Wall-clock limit for the whole run, evaluation and saving included.
    pub max_minutes: Option<f64>,
    /// Stop after this many optimiser steps (for timing and smoke tests).
    pub max_steps: Option<usize>,
    /// Use only the first N documents (for smoke tests).
    pub limit: Option<usize>,
    pub fp16: bool,
    pub name: String,
    pub version: String,
    pub command: String,
}

/// Where a gold quote's source is, and what kind of source it is.
#[derive(Debug, Clone, PartialEq)]
pub struct GoldQuote {
    pub span: Span,
    pub source: Option<Span>,
    /// The source is a name (neither `Pronoun` nor `Nominal`).
    pub named: bool,
}

/// What the training data held.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DataCounts {
    pub documents: usize,
    pub heldout_documents: usize,
    /// Documents without an entities file (skipped).
    pub documents_without_entities: usize,
    pub quotes: usize,
    /// Quotes with no candidate in their window (skipped).
    pub quotes_without_candidates: usize,
    /// Quotes with candidates but none overlapping the gold source (target: nobody).
    pub quotes_without_positive: usize,
    pub quotes_with_positive: usize,
    pub train_examples: usize,
    pub heldout_examples: usize,
    /// Candidates fed to the model, over all examples.
    pub candidates: usize,
    /// Candidates in a window whose word pieces did not fit in `max_pieces`.
    pub candidates_cut: usize,
    /// Word pieces over all examples.
    pub pieces: usize,
}

/// One training or held-out quote.
pub struct Example {
    pub enc: Encoded,
    /// Indices into the logits (0: nobody, k + 1: kept candidate k).
    pub positives: Vec<i64>,
    pub has_positive: bool,
    pub named: bool,
    /// Hidden states after the frozen layers (pieces × hidden, fp16), when layers are frozen.
    pub cache: Option<Tensor>,
}

/// Held-out accuracy.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Scores {
    /// Held-out quotes with at least one candidate.
    pub quotes: usize,
    /// Of those, the quotes with a positive candidate.
    pub with_positive: usize,
    /// Top-1 over the candidates (nobody left out) is a positive.
    pub top1: usize,
    /// Top-1 over the candidates and nobody is a positive (the ranker would answer right).
    pub top1_with_nobody: usize,
    /// Named sources with a positive candidate, and their top-1 hits.
    pub named: usize,
    pub named_top1: usize,
    /// Every held-out quote with a named source (with or without candidates).
    pub named_all: usize,
    /// Quotes with candidates but no positive one, and how many of them got "nobody".
    pub without_positive: usize,
    pub without_positive_nobody: usize,
}

impl Scores {
    fn add(&mut self, o: &Scores) {
        self.quotes += o.quotes;
        self.with_positive += o.with_positive;
        self.top1 += o.top1;
        self.top1_with_nobody += o.top1_with_nobody;
        self.named += o.named;
        self.named_top1 += o.named_top1;
        self.named_all += o.named_all;
        self.without_positive += o.without_positive;
        self.without_positive_nobody += o.without_positive_nobody;
    }

    /// One quote: `probs` over [nobody, candidates…], `positives` as in [`Example`].
    fn record(&mut self, probs: &[f32], positives: &[i64], has_positive: bool, named: bool) {
        self.quotes += 1;
        let argmax = |xs: &[f32]| xs.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).map(|(i, _)| i);
        let top_cand = argmax(&probs[1..]).map(|i| i as i64 + 1);
        let top_all = argmax(probs).map(|i| i as i64);
        if has_positive {
            self.with_positive += 1;
            let hit = top_cand.is_some_and(|t| positives.contains(&t));
            self.top1 += hit as usize;
            self.top1_with_nobody += top_all.is_some_and(|t| positives.contains(&t)) as usize;
            if named {
                self.named += 1;
                self.named_top1 += hit as usize;
            }
        } else {
            self.without_positive += 1;
            self.without_positive_nobody += (top_all == Some(0)) as usize;
        }
    }

    pub fn top1_accuracy(&self) -> f64 {
        pct(self.top1, self.with_positive)
    }
    pub fn named_accuracy(&self) -> f64 {
        pct(self.named_top1, self.named)
    }
}

fn pct(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        100.0 * a as f64 / b as f64
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EpochLog {
    pub epoch: usize,
    pub steps: usize,
    pub train_loss: f64,
    pub heldout_top1: Option<f64>,
    pub heldout_named: Option<f64>,
    pub seconds: f64,
    pub quotes_per_second: f64,
}

/// The outcome of a run.
#[derive(Debug, Clone, Serialize)]
pub struct TrainReport {
    pub counts: DataCounts,
    pub epochs: Vec<EpochLog>,
    pub steps: usize,
    pub planned_steps: usize,
    pub stopped_by_limit: bool,
    /// Held-out scores of the saved model, reloaded, through [`Ranker::rank_all`].
    pub heldout: Scores,
    /// Inference speed of that evaluation (windows, encoding and forward passes).
    pub inference_quotes_per_second: f64,
    pub seconds: f64,
}

/// Training progress after a step.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    pub epoch: usize,
    pub batch: usize,
    pub batches: usize,
    pub step: usize,
    pub total_steps: usize,
    pub loss: f64,
    pub step_seconds: f64,
}

/// Reads a gold `.ann` with `QUOTE` and `SRC` spans, `Speaker` relations and `Pronoun` /
/// `Nominal` attributes (other lines are ignored).
pub fn read_gold(path: &Path) -> Result<Vec<GoldQuote>> {
    let source = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let mut spans: HashMap<String, (String, Span)> = HashMap::new();
    let mut speaker: HashMap<String, String> = HashMap::new();
    let mut kinds: HashMap<String, String> = HashMap::new();
    for (i, line) in source.lines().enumerate() {
        let bad = |reason: &str| Error::parse(path, i + 1, reason.to_string());
        if line.trim().is_empty() {
            continue;
        }
        let mut fields = line.split('\t');
        let id = fields.next().unwrap_or_default();
        let body = fields.next().ok_or_else(|| bad("no tab after the id"))?;
        match id.chars().next() {
            Some('T') => {
                let (label, offsets) = body.split_once(' ').ok_or_else(|| bad("no offsets"))?;
                let nums: Vec<usize> = offsets
                    .split([' ', ';'])
                    .map(|n| n.parse::<usize>())
                    .collect::<std::result::Result<_, _>>()
                    .map_err(|_| bad("offsets are not numbers"))?;
                let (Some(&s), Some(&e)) = (nums.first(), nums.last()) else { return Err(bad("no offsets")) };
                if s > e {
                    return Err(bad("span ends before it starts"));
                }
                spans.insert(id.to_string(), (label.to_string(), Span::new(s, e)));
            }
            Some('R') => {
                let parts: Vec<&str> = body.split(' ').collect();
                if parts.first() == Some(&"Speaker") {
                    let arg = |p: &str| parts.iter().find_map(|a| a.strip_prefix(p)).map(str::to_string);
                    let (Some(q), Some(s)) = (arg("Arg1:"), arg("Arg2:")) else { return Err(bad("Speaker without Arg1 and Arg2")) };
                    speaker.insert(q, s);
                }
            }
            Some('A') => {
                if let Some((name, target)) = body.split_once(' ') {
                    kinds.insert(target.trim().to_string(), name.to_string());
                }
            }
            _ => {}
        }
    }
    let mut out: Vec<GoldQuote> = spans
        .iter()
        .filter(|(_, (label, _))| label == "QUOTE")
        .map(|(id, (_, span))| {
            let src_id = speaker.get(id);
            let source = src_id.and_then(|s| spans.get(s)).map(|(_, sp)| *sp);
            let kind = |x: Option<&String>| x.and_then(|x| kinds.get(x)).is_some_and(|k| k == "Pronoun" || k == "Nominal");
            GoldQuote { span: *span, source, named: source.is_some() && !kind(src_id) && !kind(Some(id)) }
        })
        .collect();
    out.sort_by_key(|q| (q.span.start, q.span.end));
    Ok(out)
}

/// Which of `cands` are the gold source (see the module docs), as indices.
pub fn positives(view: &View, cands: &[&Candidate], source: Span) -> Vec<usize> {
    let rank = |c: &Candidate| match c.label {
        Some(Label::PER) => 0,
        Some(Label::ROLE) => 1,
        Some(_) => 2,
        None => 3,
    };
    let overlapping: Vec<usize> = (0..cands.len()).filter(|&i| cands[i].span.overlaps(&source)).collect();
    if let Some(best) = overlapping.iter().map(|&i| rank(cands[i])).min() {
        return overlapping.into_iter().filter(|&i| rank(cands[i]) == best).collect();
    }
    let word = view.text.slice(source).trim().to_lowercase();
    if matches!(word.as_str(), "who" | "which" | "that") {
        let sentence = view.sentence_of(source.start);
        return (0..cands.len())
            .filter(|&i| cands[i].label.is_some() && cands[i].span.end <= source.start)
            .filter(|&i| view.sentence_of(cands[i].span.start) == sentence)
            .last()
            .into_iter()
            .collect();
    }
    vec![]
}

/// A held-out document, kept for the final evaluation through [`Ranker::rank_all`].
struct HeldDoc {
    doc: Document,
    gold: Vec<GoldQuote>,
}

/// The annotations the ranker sees in training: the entity mentions of whosaid's output
/// and the gold quotes (so that "outside quotes" means outside the gold quotes).
fn training_annotations(entities: &Annotations, gold: &[GoldQuote]) -> Annotations {
    let mut ann = Annotations::default();
    for s in entities.entities() {
        ann.add_span(s.label, s.span, None);
    }
    for q in gold {
        ann.add_span(Label::QUOTE, q.span, None);
    }
    ann
}

fn is_heldout(stem: &str, since: Option<&str>) -> bool {
    let Some(since) = since else { return false };
    stem.split('_').find(|p| p.len() >= 7 && p.as_bytes()[4] == b'-' && p[..4].chars().all(|c| c.is_ascii_digit()))
        .is_some_and(|date| &date[..7] >= since)
}

struct Data {
    train: Vec<Example>,
    heldout: Vec<Example>,
    held_docs: Vec<HeldDoc>,
    counts: DataCounts,
    heldout_named_all: usize,
}

fn load_data(cfg: &TrainConfig, ranker: &Ranker) -> Result<Data> {
    let mut stems: Vec<String> = std::fs::read_dir(&cfg.gold)
        .map_err(|e| Error::io(&cfg.gold, e))?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let p = e.path();
            (p.extension().is_some_and(|x| x == "txt")).then(|| p.file_stem().map(|s| s.to_string_lossy().into_owned()))?
        })
        .collect();
    stems.sort();
    if let Some(limit) = cfg.limit {
        stems.truncate(limit);
    }
    let mut data = Data { train: vec![], heldout: vec![], held_docs: vec![], counts: DataCounts::default(), heldout_named_all: 0 };
    for stem in &stems {
        let ann_path = cfg.gold.join(format!("{stem}.ann"));
        if !ann_path.is_file() {
            continue;
        }
        let ent_path = cfg.entities.join(format!("{stem}.ann"));
        if !ent_path.is_file() {
            eprintln!("{}: no entities file, document skipped", ent_path.display());
            data.counts.documents_without_entities += 1;
            continue;
        }
        let doc = Document::read(&cfg.gold.join(format!("{stem}.txt")))?;
        let gold = read_gold(&ann_path)?;
        let entities = crate::formats::brat::read_ann(&doc.text, &ent_path)?;
        let ann = training_annotations(&entities, &gold);
        let heldout = is_heldout(stem, cfg.holdout_since.as_deref());
        data.counts.documents += 1;
        data.counts.heldout_documents += heldout as usize;
        let view = View::new(&doc.text, &ann);
        let paragraphs = candidates::sentence_paragraphs(&view);
        for q in &gold {
            data.counts.quotes += 1;
            if heldout && q.named {
                data.heldout_named_all += 1;
            }
            let win = candidates::window(&view, &paragraphs, q.span);
            let enc = ranker.encode(&view, &win)?;
            data.counts.candidates_cut += win.candidates.len() - enc.candidates.len();
            if enc.candidates.is_empty() {
                data.counts.quotes_without_candidates += 1;
                continue;
            }
            let kept: Vec<&Candidate> = enc.candidates.iter().map(|c| &win.candidates[c.index]).collect();
            let pos = q.source.map(|s| positives(&view, &kept, s)).unwrap_or_default();
            let has_positive = !pos.is_empty();
            if has_positive {
                data.counts.quotes_with_positive += 1;
            } else {
                data.counts.quotes_without_positive += 1;
            }
            data.counts.candidates += enc.candidates.len();
            data.counts.pieces += enc.ids.len();
            let positives = if has_positive { pos.iter().map(|&k| k as i64 + 1).collect() } else { vec![0] };
            let ex = Example { enc, positives, has_positive, named: q.named, cache: None };
            if heldout {
                data.heldout.push(ex);
            } else {
                data.train.push(ex);
            }
        }
        if heldout {
            data.held_docs.push(HeldDoc { doc, gold });
        }
    }
    data.counts.train_examples = data.train.len();
    data.counts.heldout_examples = data.heldout.len();
    Ok(data)
}

use crate::train::Rng;

/// Batches: shuffled, sorted by length within pools of 50 batches, batches shuffled.
fn batches(examples: &[Example], batch_size: usize, rng: &mut Rng) -> Vec<Vec<usize>> {
    let mut idx: Vec<usize> = (0..examples.len()).collect();
    rng.shuffle(&mut idx);
    let mut out = vec![];
    for pool in idx.chunks(batch_size.max(1) * 50) {
        let mut pool = pool.to_vec();
        pool.sort_by_key(|&i| examples[i].enc.ids.len());
        out.extend(pool.chunks(batch_size.max(1)).map(<[usize]>::to_vec));
    }
    rng.shuffle(&mut out);
    out
}

/// Cross-entropy over [nobody, candidates…] with several positives: −log Σ p(positive).
pub fn loss(logits: &[Tensor], positives: &[&[i64]]) -> Tensor {
    let losses: Vec<Tensor> = logits
        .iter()
        .zip(positives)
        .map(|(l, p)| l.logsumexp([0], false) - l.index_select(0, &Tensor::from_slice(p)).logsumexp([0], false))
        .collect();
    Tensor::stack(&losses, 0).mean(tch::Kind::Float)
}

/// Computes, once, the hidden states after the `frozen` layers for every example (in
/// batches of similar length; no dropout, as at inference).
fn fill_cache(net: &RankerNet, examples: &mut [Example], frozen: usize) -> Result<()> {
    let mut order: Vec<usize> = (0..examples.len()).collect();
    order.sort_by_key(|&i| examples[i].enc.ids.len());
    for chunk in order.chunks(32) {
        let encs: Vec<&Encoded> = chunk.iter().map(|&i| &examples[i].enc).collect();
        let (hidden, _) = tch::no_grad(|| net.lower(&encs, frozen, false))?;
        let rows: Vec<Tensor> = encs
            .iter()
            .enumerate()
            .map(|(r, e)| hidden.get(r as i64).narrow(0, 0, e.ids.len() as i64).to_kind(tch::Kind::Half))
            .collect();
        for (&i, t) in chunk.iter().zip(rows) {
            examples[i].cache = Some(t);
        }
    }
    Ok(())
}

/// Logits of a batch of examples: from their cached states when layers are frozen, else
/// through the whole network.
fn logits_of(net: &RankerNet, batch: &[&Example], frozen: usize, train: bool) -> Result<Vec<Tensor>> {
    let encs: Vec<&Encoded> = batch.iter().map(|e| &e.enc).collect();
    if frozen == 0 || batch.iter().any(|e| e.cache.is_none()) {
        return net.forward(&encs, train);
    }
    let width = encs.iter().map(|e| e.ids.len()).max().unwrap_or(0) as i64;
    let dim = batch[0].cache.as_ref().map_or(0, |c| c.size()[1]);
    let hidden = Tensor::zeros([batch.len() as i64, width, dim], (tch::Kind::Float, tch::Device::Cpu));
    tch::no_grad(|| {
        for (r, e) in batch.iter().enumerate() {
            if let Some(c) = &e.cache {
                hidden.get(r as i64).narrow(0, 0, c.size()[0]).copy_(&c.to_kind(tch::Kind::Float));
            }
        }
    });
    let mask = model::batch_mask(&encs);
    net.upper(&hidden, &mask, frozen, &encs, train)
}

/// Scores pre-encoded examples with the network (forward only).
fn evaluate(net: &RankerNet, examples: &[Example], batch: usize, frozen: usize) -> Result<Scores> {
    let mut s = Scores::default();
    for chunk in examples.chunks(batch.max(1)) {
        let refs: Vec<&Example> = chunk.iter().collect();
        let logits = tch::no_grad(|| logits_of(net, &refs, frozen, false))?;
        for (e, l) in chunk.iter().zip(logits) {
            s.record(&super::probabilities(&l), &e.positives, e.has_positive, e.named);
        }
    }
    Ok(s)
}

/// Scores a ranker on held-out documents through [`Ranker::rank_all`] (what inference
/// runs); also the quotes per second of that.
fn evaluate_documents(ranker: &Ranker, docs: &[HeldDoc], cfg: &TrainConfig) -> Result<(Scores, f64)> {
    let t0 = Instant::now();
    let mut total = Scores::default();
    let mut quotes = 0usize;
    for d in docs {
        // The same view the ranker saw in training, from the same files.
        let ent_path = cfg.entities.join(format!("{}.ann", d.doc.id));
        let entities = crate::formats::brat::read_ann(&d.doc.text, &ent_path)?;
        let ann = training_annotations(&entities, &d.gold);
        let view = View::new(&d.doc.text, &ann);
        let spans: Vec<Span> = d.gold.iter().map(|q| q.span).collect();
        quotes += spans.len();
        let rankings = ranker.rank_all(&view, &spans)?;
        for (q, r) in d.gold.iter().zip(&rankings) {
            let mut s = Scores::default();
            if q.named {
                s.named_all = 1;
            }
            if !r.candidates.is_empty() {
                record_ranking(&mut s, &view, q, r);
            }
            total.add(&s);
        }
    }
    Ok((total, quotes as f64 / t0.elapsed().as_secs_f64().max(1e-9)))
}

fn record_ranking(s: &mut Scores, view: &View, q: &GoldQuote, r: &Ranking) {
    let cands: Vec<&Candidate> = r.candidates.iter().map(|(c, _)| c).collect();
    let pos = q.source.map(|src| positives(view, &cands, src)).unwrap_or_default();
    let mut probs = vec![r.nobody];
    probs.extend(r.candidates.iter().map(|(_, p)| *p));
    let has = !pos.is_empty();
    let positives: Vec<i64> = if has { pos.iter().map(|&k| k as i64 + 1).collect() } else { vec![0] };
    s.record(&probs, &positives, has, q.named);
}

/// Runs a training run; `progress` is called after every step.
pub fn train(cfg: TrainConfig, mut progress: impl FnMut(Progress)) -> Result<TrainReport> {
    let started = Instant::now();
    let limit_secs = cfg.max_minutes.map(|m| m * 60.0);
    for input in [&cfg.gold, &cfg.entities] {
        if !input.is_dir() {
            return Err(Error::input(input, "not a directory"));
        }
        if same_dir(input, &cfg.out) {
            return Err(Error::input(&cfg.out, "the output directory is an input directory; choose another --out"));
        }
    }
    std::fs::create_dir_all(&cfg.out).map_err(|e| Error::io(&cfg.out, e))?;
    let info = RankerInfo {
        name: cfg.name.clone(),
        version: cfg.version.clone(),
        max_pieces: cfg.max_pieces,
        quote_edge: cfg.quote_edge,
        head_hidden: cfg.head_hidden,
        casing_bit: true,
    };
    info.check().map_err(Error::Other)?;
    tch::manual_seed(cfg.seed as i64);
    let base_config = model::read_json(&cfg.base.join("config.json"))?;
    let bert = model::bert_config(&cfg.base, &base_config)?;
    let mut net = RankerNet::new(&bert, info.head_hidden);
    net.fill_from(&cfg.base.join("model.safetensors"), true)?;
    let frozen = cfg.freeze_layers.min(net.depth());
    net.freeze(frozen);
    let tokenizer = model::tokenizer(&cfg.base)?;
    let ranker = Ranker::from_parts(&cfg.out, info.clone(), net, tokenizer)?;

    let mut data = load_data(&cfg, &ranker)?;
    let mut counts = data.counts.clone();
    eprintln!(
        "train-attribution: {} documents ({} held out), {} quotes: {} train and {} held-out examples, {} without candidates (skipped), {} without a positive candidate (trained as nobody), {:.1} candidates and {:.0} pieces per example",
        counts.documents,
        counts.heldout_documents,
        counts.quotes,
        counts.train_examples,
        counts.heldout_examples,
        counts.quotes_without_candidates,
        counts.quotes_without_positive,
        counts.candidates as f64 / (counts.train_examples + counts.heldout_examples).max(1) as f64,
        counts.pieces as f64 / (counts.train_examples + counts.heldout_examples).max(1) as f64,
    );
    if data.train.is_empty() {
        return Err(Error::input(&cfg.gold, "no training quotes with candidates"));
    }
    if frozen > 0 {
        let t = Instant::now();
        fill_cache(ranker.net(), &mut data.train, frozen)?;
        fill_cache(ranker.net(), &mut data.heldout, frozen)?;
        eprintln!(
            "train-attribution: states after the {frozen} frozen layers computed once for {} examples ({:.0} s)",
            data.train.len() + data.heldout.len(),
            t.elapsed().as_secs_f64()
        );
    }

    let mut opt = nn::AdamW { wd: cfg.weight_decay, ..Default::default() }
        .build(&ranker.net().vs, cfg.lr)
        .map_err(Error::Torch)?;
    let per_epoch = data.train.len().div_ceil(cfg.batch_size.max(1));
    let planned = (per_epoch * cfg.epochs).min(cfg.max_steps.unwrap_or(usize::MAX)).max(1);
    let mut total = planned;
    let warmup = ((planned as f64) * cfg.warmup).ceil() as usize;
    let factor = |step: usize, total: usize| -> f64 {
        if step < warmup {
            (step + 1) as f64 / warmup as f64
        } else {
            total.saturating_sub(step) as f64 / (total - warmup.min(total)).max(1) as f64
        }
    };
    let mut step = 0usize;
    let mut stopped = false;
    let mut epochs: Vec<EpochLog> = vec![];
    let mut step_secs = 0.0f64;
    let mut timed = 0usize;
    // Seconds left after training for evaluation and saving, once a step has been timed.
    let reserve = |step_secs: f64| -> f64 {
        let eval = data.heldout.len() as f64 * step_secs / cfg.batch_size.max(1) as f64 / 2.5;
        2.0 * eval + 30.0
    };
    let mut schedule_done = false;
    for epoch in 0..cfg.epochs {
        let t0 = Instant::now();
        let mut rng = Rng(cfg.seed.wrapping_mul(1_000_003).wrapping_add(epoch as u64));
        let order = batches(&data.train, cfg.batch_size, &mut rng);
        let (mut loss_sum, mut seen, mut done) = (0.0, 0usize, 0usize);
        for (b, batch) in order.iter().enumerate() {
            // The schedule (shortened to fit a time limit) has ended: stop rather than
            // run steps at learning rate 0.
            if step >= total {
                stopped = total < planned || cfg.max_steps.is_some_and(|m| step >= m);
                schedule_done = true;
                break;
            }
            if let Some(limit) = limit_secs {
                if timed > 0 && started.elapsed().as_secs_f64() + step_secs + reserve(step_secs) > limit {
                    stopped = true;
                    break;
                }
            }
            let f = factor(step, total);
            opt.set_lr_group(0, cfg.lr * f);
            opt.set_lr_group(1, cfg.head_lr * f);
            let ts = Instant::now();
            let exs: Vec<&Example> = batch.iter().map(|&i| &data.train[i]).collect();
            let pos: Vec<&[i64]> = exs.iter().map(|e| e.positives.as_slice()).collect();
            let logits = logits_of(ranker.net(), &exs, frozen, true)?;
            let l = loss(&logits, &pos);
            opt.backward_step_clip_norm(&l, 1.0);
            let lv = l.double_value(&[]);
            // Running mean of the step time, ignoring the first (allocations).
            let secs = ts.elapsed().as_secs_f64();
            if step > 0 || planned == 1 {
                step_secs = (step_secs * timed as f64 + secs) / (timed + 1) as f64;
                timed += 1;
            }
            loss_sum += lv * batch.len() as f64;
            seen += batch.len();
            step += 1;
            done += 1;
            // With a time limit, the schedule ends when the time does.
            if let Some(limit) = limit_secs {
                if timed > 0 && (step == 10 || step % 50 == 0) {
                    let left = limit - started.elapsed().as_secs_f64() - reserve(step_secs);
                    let fit = step + (left / step_secs).max(0.0) as usize;
                    total = total.min(fit.max(step + 1));
                }
            }
            progress(Progress {
                epoch: epoch + 1,
                batch: b + 1,
                batches: order.len(),
                step,
                total_steps: total,
                loss: loss_sum / seen as f64,
                step_seconds: step_secs,
            });
        }
        let train_secs = t0.elapsed().as_secs_f64();
        let time_for_eval = limit_secs.map_or(true, |l| started.elapsed().as_secs_f64() + reserve(step_secs) <= l);
        let held = if !data.heldout.is_empty() && time_for_eval && done > 0 {
            Some(evaluate(ranker.net(), &data.heldout, 32, frozen)?)
        } else {
            None
        };
        let entry = EpochLog {
            epoch: epoch + 1,
            steps: done,
            train_loss: loss_sum / seen.max(1) as f64,
            heldout_top1: held.as_ref().map(Scores::top1_accuracy),
            heldout_named: held.as_ref().map(Scores::named_accuracy),
            seconds: t0.elapsed().as_secs_f64(),
            quotes_per_second: seen as f64 / train_secs.max(1e-9),
        };
        eprintln!(
            "train-attribution: epoch {} ({} steps) loss {:.4} held-out top-1 {} named {} ({:.0} s, {:.1} quotes/s)",
            entry.epoch,
            entry.steps,
            entry.train_loss,
            entry.heldout_top1.map_or("-".into(), |a| format!("{a:.2}")),
            entry.heldout_named.map_or("-".into(), |a| format!("{a:.2}")),
            entry.seconds,
            entry.quotes_per_second
        );
        if done > 0 {
            append_log(&cfg.out.join("train-log.jsonl"), &entry)?;
            epochs.push(entry);
            save(&ranker, &base_config, &cfg.out, cfg.fp16)?;
        }
        if stopped || schedule_done {
            break;
        }
    }
    if epochs.is_empty() {
        save(&ranker, &base_config, &cfg.out, cfg.fp16)?;
    }
    // Score what was saved, not the copy in memory.
    drop(ranker);
    let reloaded = Ranker::load(&cfg.out)?;
    let (mut heldout, qps) = evaluate_documents(&reloaded, &data.held_docs, &cfg)?;
    heldout.named_all = heldout.named_all.max(data.heldout_named_all);
    counts.heldout_examples = data.heldout.len();
    let report = TrainReport {
        counts,
        epochs,
        steps: step,
        planned_steps: planned,
        stopped_by_limit: stopped,
        heldout,
        inference_quotes_per_second: qps,
        seconds: started.elapsed().as_secs_f64(),
    };
    write_card(&cfg, &report)?;
    let json = serde_json::to_vec_pretty(&report).map_err(|e| Error::Other(e.to_string()))?;
    crate::formats::write_atomic(&cfg.out.join("report.json"), &json)?;
    Ok(report)
}

fn same_dir(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

/// Writes config.json, tokenizer.json and model.safetensors of a ranker directory.
fn save(ranker: &Ranker, base_config: &serde_json::Value, dir: &Path, fp16: bool) -> Result<()> {
    let mut config = base_config.clone();
    if let Some(obj) = config.as_object_mut() {
        for key in ["id2label", "label2id", "whosaid"] {
            obj.remove(key);
        }
        obj.insert("architectures".into(), serde_json::Value::from(vec!["WhosaidSpeakerRanker"]));
        obj.insert("whosaid_ranker".into(), serde_json::to_value(&ranker.info).map_err(|e| Error::Other(e.to_string()))?);
    }
    let bytes = serde_json::to_vec_pretty(&config).map_err(|e| Error::Other(e.to_string()))?;
    crate::formats::write_atomic(&dir.join("config.json"), &bytes)?;
    let tok = ranker.tokenizer().to_string(true).map_err(|e| Error::Other(format!("tokenizer: {e}")))?;
    crate::formats::write_atomic(&dir.join("tokenizer.json"), tok.as_bytes())?;
    ranker.net().save_weights(&dir.join("model.safetensors"), fp16)?;
    crate::ner::model::write_hf_tokenizer_files(dir)
}

fn append_log(path: &Path, entry: &EpochLog) -> Result<()> {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new().create(true).append(true).open(path).map_err(|e| Error::io(path, e))?;
    let line = serde_json::to_string(entry).map_err(|e| Error::Other(e.to_string()))?;
    writeln!(f, "{line}").map_err(|e| Error::io(path, e))
}

fn write_card(cfg: &TrainConfig, r: &TrainReport) -> Result<()> {
    let c = &r.counts;
    let h = &r.heldout;
    let examples = (c.train_examples + c.heldout_examples).max(1) as f64;
    let mut card = format!(
        "# {name} {version}\n\n\
         Speaker ranker for whosaid (`whosaid::ranker`): for each quote, scores the PER, ORG and ROLE mentions\n\
         and subject pronouns outside quotes from two sentences before the quote to one sentence after it\n\
         (same or adjacent paragraphs), and \"nobody\". MiniLM encoder over the window with the quote between\n\
         `[unused0]` and `[unused1]` (cut to its first and last {edge} word pieces), candidates mean-pooled,\n\
         an MLP over candidate, quote and their product, softmax over the candidates and nobody.\n\
         Trained by `whosaid train-attribution` (tch autograd).\n\n\
         ## Training\n\n\
         - Base encoder: `{base}`.\n\
         - Data: gold quotes and sources from `{gold}`, entity mentions from whosaid's output in `{ents}`.\n\
           Weights trained on this data; none of its text is in this directory.\n\
         - Held out: documents dated {since} or later (date in the file name): {hd} of {docs} documents.\n\
         - Quotes: {quotes}; {wc} without any candidate (skipped), {wp} with candidates but none overlapping\n\
           the gold source (trained towards nobody), {pos} with a positive candidate.\n\
         - Examples: {tr} train, {he} held out; {cpe:.1} candidates and {ppe:.0} word pieces per example\n\
           (max {maxp}); {cut} window candidates cut for length.\n\
         - Optimiser: AdamW (weight decay {wd}), lr {lr} (encoder) and {hlr} (head), warm-up {warm}% then linear\n\
           decay, batch {bs}, gradient norm clip 1.0, seed {seed}; frozen: {frozen}.\n\
         - Steps: {steps} of {planned} planned{limit}. Time: {mins:.1} min on CPU.\n\
         - Weights: {prec}.\n\n\
         Command:\n\n```\n{cmd}\n```\n\n\
         ## Held-out scores (the saved model, reloaded, through `Ranker::rank_all`)\n\n\
         | measure | value |\n|---|---|\n\
         | top-1 over candidates, quotes with a positive candidate | {t1:.2}% ({t1n} / {wpos}) |\n\
         | the same, nobody included (what the ranker would answer) | {t1w:.2}% ({t1wn} / {wpos}) |\n\
         | top-1, named sources with a positive candidate | {na:.2}% ({nan} / {nam}) |\n\
         | named-source quotes credited, of all held-out named-source quotes | {naa:.2}% ({nan} / {nall}) |\n\
         | nobody chosen, quotes without a positive candidate | {wn} / {wpq} |\n\
         | inference speed (windows, encoding, forward; this machine) | {qps:.1} quotes/s |\n\n\
         ## Per-epoch log\n\n| epoch | steps | train loss | held-out top-1 | named top-1 | quotes/s (training) |\n|---|---|---|---|---|---|\n",
        name = cfg.name,
        version = cfg.version,
        edge = cfg.quote_edge,
        base = cfg.base.display(),
        gold = cfg.gold.display(),
        ents = cfg.entities.display(),
        since = cfg.holdout_since.as_deref().unwrap_or("(none)"),
        hd = c.heldout_documents,
        docs = c.documents,
        quotes = c.quotes,
        wc = c.quotes_without_candidates,
        wp = c.quotes_without_positive,
        pos = c.quotes_with_positive,
        tr = c.train_examples,
        he = c.heldout_examples,
        cpe = c.candidates as f64 / examples,
        ppe = c.pieces as f64 / examples,
        maxp = cfg.max_pieces,
        cut = c.candidates_cut,
        wd = cfg.weight_decay,
        lr = cfg.lr,
        hlr = cfg.head_lr,
        warm = cfg.warmup * 100.0,
        bs = cfg.batch_size,
        seed = cfg.seed,
        frozen = if cfg.freeze_layers == 0 { "nothing".to_string() } else { format!("embeddings and the first {} layers", cfg.freeze_layers) },
        steps = r.steps,
        planned = r.planned_steps,
        limit = if r.stopped_by_limit { ", stopped by the time or step limit" } else { "" },
        mins = r.seconds / 60.0,
        prec = if cfg.fp16 { "fp16 safetensors (loaded as fp32)" } else { "fp32 safetensors" },
        cmd = cfg.command,
        t1 = h.top1_accuracy(),
        t1n = h.top1,
        wpos = h.with_positive,
        t1w = pct(h.top1_with_nobody, h.with_positive),
        t1wn = h.top1_with_nobody,
        na = h.named_accuracy(),
        nan = h.named_top1,
        nam = h.named,
        naa = pct(h.named_top1, h.named_all),
        nall = h.named_all,
        wn = h.without_positive_nobody,
        wpq = h.without_positive,
        qps = r.inference_quotes_per_second,
    );
    for e in &r.epochs {
        card += &format!(
            "| {} | {} | {:.4} | {} | {} | {:.1} |\n",
            e.epoch,
            e.steps,
            e.train_loss,
            e.heldout_top1.map_or("-".into(), |a| format!("{a:.2}%")),
            e.heldout_named.map_or("-".into(), |a| format!("{a:.2}%")),
            e.quotes_per_second
        );
    }
    card += "\nNot yet measured here: speaker accuracy of the whole pipeline with the ranker as its last sieve\n\
             (the lead wires it in and reports the dev-set and fixture figures).\n";
    crate::formats::write_atomic(&cfg.out.join("MODEL_CARD.md"), card.as_bytes())
}

#[cfg(test)]
mod tests;
