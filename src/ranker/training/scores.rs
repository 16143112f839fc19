//! Held-out scores: top-1 accuracy of the network on the held-out examples after each
//! epoch, and of the saved ranker through [`Ranker::rank_all`] at the end.

use super::data::{positives, training_annotations, Example, GoldQuote, HeldDoc};
use super::forward::logits_of;
use super::TrainConfig;
use crate::document::Span;
use crate::error::Result;
use crate::mentions::View;
use crate::ranker::candidates::Candidate;
use crate::ranker::model::RankerNet;
use crate::ranker::{Ranker, Ranking};
use serde::{Deserialize, Serialize};
use std::time::Instant;

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
    pub(super) fn add(&mut self, o: &Scores) {
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
    pub(super) fn record(&mut self, probs: &[f32], positives: &[i64], has_positive: bool, named: bool) {
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

pub(super) fn pct(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        100.0 * a as f64 / b as f64
    }
}

/// Scores pre-encoded examples with the network (forward only).
pub(super) fn evaluate(net: &RankerNet, examples: &[Example], batch: usize, frozen: usize) -> Result<Scores> {
    let mut s = Scores::default();
    for chunk in examples.chunks(batch.max(1)) {
        let refs: Vec<&Example> = chunk.iter().collect();
        let logits = tch::no_grad(|| logits_of(net, &refs, frozen, false))?;
        for (e, l) in chunk.iter().zip(logits) {
            s.record(&crate::ranker::probabilities(&l), &e.positives, e.has_positive, e.named);
        }
    }
    Ok(s)
}

/// Scores a ranker on held-out documents through [`Ranker::rank_all`] (what inference
/// runs); also the quotes per second of that.
pub(super) fn evaluate_documents(ranker: &Ranker, docs: &[HeldDoc], cfg: &TrainConfig) -> Result<(Scores, f64)> {
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
