//! Transformer NER: PER, ORG, LOC, MISC and ROLE over words, with rust-bert's
//! `BertForTokenClassification` on libtorch ([`model`]).

pub mod batch;
pub mod decode;
pub mod model;
pub mod pool;

pub use model::{Encoded, Encoder, NerModel, Precision, LABELS};

use crate::error::Result;
use tch::{Kind, Tensor};

/// The `--precision` choice: `auto` picks bf16 where the CPU has native bf16 arithmetic
/// (`avx512_bf16` or `amx_bf16` in /proc/cpuinfo), fp32 elsewhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum PrecisionChoice {
    #[default]
    Auto,
    Fp32,
    Bf16,
}

impl PrecisionChoice {
    /// The precision this choice means on this machine.
    pub fn resolve(self) -> Precision {
        match self {
            PrecisionChoice::Fp32 => Precision::Fp32,
            PrecisionChoice::Bf16 => Precision::Bf16,
            PrecisionChoice::Auto if cpu_has_bf16() => Precision::Bf16,
            PrecisionChoice::Auto => Precision::Fp32,
        }
    }
}

/// Whether the CPU does bf16 arithmetic natively (else bf16 is emulated and slower than fp32).
pub fn cpu_has_bf16() -> bool {
    std::fs::read_to_string("/proc/cpuinfo")
        .map(|info| cpuinfo_has_bf16(&info))
        .unwrap_or(false)
}

fn cpuinfo_has_bf16(info: &str) -> bool {
    info.lines()
        .filter(|l| l.starts_with("flags"))
        .any(|l| l.split_whitespace().any(|f| f == "avx512_bf16" || f == "amx_bf16"))
}

/// The environment variable through which oneDNN (the library behind libtorch's bf16 matrix
/// kernels on x86 CPUs) reads how many generated kernels it keeps.
pub const KERNEL_CACHE_VAR: &str = "ONEDNN_PRIMITIVE_CACHE_CAPACITY";

/// How many generated kernels whosaid lets oneDNN keep, unless [`KERNEL_CACHE_VAR`] is
/// already set. oneDNN generates a kernel for each matrix shape and keeps up to 1,024 by
/// default; bf16 windows run at their exact length, so every width and row count is a new
/// shape, and over a long run the peak RSS kept rising (10,000 documents: 463 MiB after
/// 1,296 of them, 562 MiB at the end). Making kernels again costs nothing measurable next
/// to the forward batches: with 8, 3,000 documents ran in 4 min 43 s against 5 min 01 s
/// (CPU time 7% lower), peak 455 MiB against 487, outputs byte-identical; the 10,000 peaked
/// at 499 MiB (README: Batch runs at scale, the kernel cache).
pub const KERNEL_CACHE_CAPACITY: usize = 8;

/// What [`bound_kernel_cache`] sets [`KERNEL_CACHE_VAR`] to, given its current value:
/// nothing when the user set it.
pub fn kernel_cache_setting(current: Option<&std::ffi::OsStr>) -> Option<String> {
    current.is_none().then(|| KERNEL_CACHE_CAPACITY.to_string())
}

/// Bounds oneDNN's kernel cache ([`KERNEL_CACHE_CAPACITY`]) unless the environment already
/// says how large it is. oneDNN reads the variable once, when it first makes a kernel, so
/// this must run before any model is loaded; and since it sets an environment variable, at
/// the start of `main`, before any other thread is started.
pub fn bound_kernel_cache() {
    if let Some(v) = kernel_cache_setting(std::env::var_os(KERNEL_CACHE_VAR).as_deref()) {
        std::env::set_var(KERNEL_CACHE_VAR, v);
    }
}

/// The width a sequence of `len` pieces is padded to: the next multiple of `multiple`.
/// Sequences are only batched with others of the same width, so a sequence's logits do
/// not depend on which documents it was batched with (nor on the batch size): on CPU,
/// libtorch's matrix kernels give the same bits for a row whatever the number of rows,
/// in bf16 at exact lengths (multiple 1), in fp32 once rows are padded to a multiple of
/// 16 pieces (see [`crate::pipeline::pad_multiple`]).
pub fn padded_width(len: usize, multiple: usize) -> usize {
    let m = multiple.max(1);
    len.div_ceil(m) * m
}

/// The label of a word: index into the model's labels, and its probability.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WordLabel {
    pub label: usize,
    pub prob: f32,
}

/// Labels words of many sequences (see [`predict_encoded`]). Each label is the argmax at
/// the word's first piece; words cut off by `max_pieces` get `O` with probability 0.
pub fn predict_words(model: &NerModel, seqs: &[Vec<&str>], batch_size: usize, max_pieces: usize) -> Result<Vec<Vec<WordLabel>>> {
    let encoded: Vec<_> = seqs.iter().map(|w| model.encode(w, max_pieces)).collect::<Result<_>>()?;
    let refs: Vec<&Encoded> = encoded.iter().collect();
    predict_encoded(model, &refs, batch_size, DEFAULT_PAD_MULTIPLE)
}

/// The score of a ROLE found by whosaid's role rules rather than the model (written to
/// `X.json` like a model score; self-training treats it as sure).
pub const RULE_ROLE_SCORE: f32 = 0.5;

/// The padding multiple [`predict_words`] uses (see [`padded_width`]).
pub const DEFAULT_PAD_MULTIPLE: usize = 16;

/// Labels the words of encoded sequences. Sequences are grouped by [`padded_width`]
/// (longest first) and run `batch_size` at a time, so a sequence's labels and
/// probabilities are the same whatever else is in the batch.
pub fn predict_encoded(model: &NerModel, encoded: &[&Encoded], batch_size: usize, pad_multiple: usize) -> Result<Vec<Vec<WordLabel>>> {
    let width = |i: usize| padded_width(encoded[i].ids.len(), pad_multiple);
    let mut order: Vec<usize> = (0..encoded.len()).collect();
    order.sort_by_key(|&i| (std::cmp::Reverse(width(i)), i));
    let mut out: Vec<Vec<WordLabel>> =
        encoded.iter().map(|e| vec![WordLabel { label: 0, prob: 0.0 }; e.first_piece.len()]).collect();
    let mut rest = &order[..];
    while let Some(&first) = rest.first() {
        let w = width(first);
        let same = rest.iter().take(batch_size.max(1)).take_while(|&&i| width(i) == w).count();
        let (chunk, tail) = rest.split_at(same);
        rest = tail;
        let batch: Vec<&Encoded> = chunk.iter().map(|&i| encoded[i]).collect();
        for (&i, labels) in chunk.iter().zip(label_batch(model, &batch, w)?) {
            out[i] = labels;
        }
    }
    Ok(out)
}

/// One forward pass: the word labels of each sequence of a batch, padded to `width`
/// pieces (at least the longest). Each word's label is the argmax at its first piece;
/// a word without a piece (cut off by `max_pieces`) gets `O` with probability 0.
pub fn label_batch(model: &NerModel, batch: &[&Encoded], width: usize) -> Result<Vec<Vec<WordLabel>>> {
    let (ids, mask, types) = model.batch_tensors_padded(batch, width);
    let probs = tch::no_grad(|| model.logits(&ids, &mask, &types, false).softmax(-1, Kind::Float));
    let (best_p, best_i) = probs.max_dim(-1, false);
    let best_p: Vec<f32> = Vec::<f32>::try_from(best_p.flatten(0, -1))?;
    let best_i: Vec<i64> = Vec::<i64>::try_from(best_i.flatten(0, -1))?;
    let width = ids.size()[1] as usize;
    Ok(batch
        .iter()
        .enumerate()
        .map(|(r, e)| {
            e.first_piece
                .iter()
                .map(|piece| match piece {
                    Some(p) => {
                        let k = r * width + p;
                        WordLabel { label: best_i[k] as usize, prob: best_p[k] }
                    }
                    None => WordLabel { label: 0, prob: 0.0 },
                })
                .collect()
        })
        .collect())
}

/// Cross-entropy loss over first pieces (other positions carry label -100).
pub fn token_loss(logits: &Tensor, labels: &Tensor) -> Tensor {
    let n = logits.size()[2];
    logits.view([-1, n]).cross_entropy_loss::<Tensor>(&labels.view([-1]), None, tch::Reduction::Mean, -100, 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kernel_cache_is_bounded_when_the_environment_does_not_size_it() {
        assert_eq!(kernel_cache_setting(None), Some(KERNEL_CACHE_CAPACITY.to_string()));
    }

    #[test]
    fn a_kernel_cache_size_set_by_the_user_is_left_alone() {
        assert_eq!(kernel_cache_setting(Some(std::ffi::OsStr::new("1024"))), None);
        assert_eq!(kernel_cache_setting(Some(std::ffi::OsStr::new(""))), None);
    }

    #[test]
    fn auto_precision_reads_the_bf16_cpu_flags() {
        assert!(cpuinfo_has_bf16("processor : 0\nflags\t\t: fpu sse avx512f avx512_bf16 amx_tile\n"));
        assert!(cpuinfo_has_bf16("flags : fpu amx_bf16\n"));
        assert!(!cpuinfo_has_bf16("flags : fpu sse avx512f avx512bw\n"));
        assert!(!cpuinfo_has_bf16(""));
    }

    #[test]
    fn sequences_are_padded_to_the_next_multiple() {
        assert_eq!(padded_width(1, 16), 16);
        assert_eq!(padded_width(16, 16), 16);
        assert_eq!(padded_width(17, 16), 32);
        assert_eq!(padded_width(7, 1), 7);
        assert_eq!(padded_width(7, 0), 7);
    }
}
