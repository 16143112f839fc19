//! Transformer NER: PER, ORG, LOC, MISC and ROLE over words, with rust-bert's
//! `BertForTokenClassification` on libtorch ([`model`]).

pub mod batch;
pub mod decode;
pub mod model;

pub use model::{NerModel, Precision, LABELS};

use crate::error::Result;
use tch::{Kind, Tensor};

/// The label of a word: index into the model's labels, and its probability.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WordLabel {
    pub label: usize,
    pub prob: f32,
}

/// Labels words of many sequences, batched by length (longest first) to keep padding
/// low. Each label is the argmax at the word's first piece; words cut off by
/// `max_pieces` get `O` with probability 0.
pub fn predict_words(model: &NerModel, seqs: &[Vec<&str>], batch_size: usize, max_pieces: usize) -> Result<Vec<Vec<WordLabel>>> {
    let encoded: Vec<_> = seqs.iter().map(|w| model.encode(w, max_pieces)).collect::<Result<_>>()?;
    let mut order: Vec<usize> = (0..seqs.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(encoded[i].ids.len()));
    let mut out: Vec<Vec<WordLabel>> = seqs.iter().map(|w| vec![WordLabel { label: 0, prob: 0.0 }; w.len()]).collect();
    for chunk in order.chunks(batch_size.max(1)) {
        let batch: Vec<_> = chunk.iter().map(|&i| &encoded[i]).collect();
        let (ids, mask, types) = model.batch_tensors(&batch);
        let probs = tch::no_grad(|| model.logits(&ids, &mask, &types, false).softmax(-1, Kind::Float));
        let (best_p, best_i) = probs.max_dim(-1, false);
        let best_p: Vec<f32> = Vec::<f32>::try_from(best_p.flatten(0, -1))?;
        let best_i: Vec<i64> = Vec::<i64>::try_from(best_i.flatten(0, -1))?;
        let width = ids.size()[1] as usize;
        for (r, &i) in chunk.iter().enumerate() {
            for (w, piece) in encoded[i].first_piece.iter().enumerate() {
                if let Some(p) = piece {
                    let k = r * width + p;
                    out[i][w] = WordLabel { label: best_i[k] as usize, prob: best_p[k] };
                }
            }
        }
    }
    Ok(out)
}

/// Cross-entropy loss over first pieces (other positions carry label -100).
pub fn token_loss(logits: &Tensor, labels: &Tensor) -> Tensor {
    let n = logits.size()[2];
    logits.view([-1, n]).cross_entropy_loss::<Tensor>(&labels.view([-1]), None, tch::Reduction::Mean, -100, 0.0)
}
