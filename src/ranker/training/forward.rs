//! What a training step computes: batches of similar length, the logits of a batch (from
//! the cached states of the frozen layers when there are any) and the loss.

use super::data::Example;
use crate::error::Result;
use crate::ranker::model::{self, Encoded, RankerNet};
use crate::train::Rng;
use tch::Tensor;

/// Batches: shuffled, sorted by length within pools of 50 batches, batches shuffled.
pub(super) fn batches(examples: &[Example], batch_size: usize, rng: &mut Rng) -> Vec<Vec<usize>> {
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
pub(super) fn fill_cache(net: &RankerNet, examples: &mut [Example], frozen: usize) -> Result<()> {
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
pub(super) fn logits_of(net: &RankerNet, batch: &[&Example], frozen: usize, train: bool) -> Result<Vec<Tensor>> {
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
