//! The ranker network and its input encoding.
//!
//! One sequence per quote: `[CLS] left context [unused0] quote [unused1] right context
//! [SEP]`, where a quote longer than `2 × quote_edge` word pieces keeps only its first
//! and last `quote_edge` pieces with `[unused2]` between them, and the context is cut
//! from its far ends until the sequence fits `max_pieces`. The casing bit goes in
//! `token_type_ids` as for the NER model. The encoder's last hidden states are
//! mean-pooled over each candidate's word pieces; the quote is the mean of its two marker
//! states. A candidate's score is an MLP over `[c, q, c ⊙ q]`, where `c` also carries a
//! learned embedding of its type (PER, ORG, ROLE, pronoun) and of its distance to the
//! quote (side and log2 bucket); a second MLP over `q` scores "nobody".
//!
//! A model directory holds `config.json` (the BERT config plus a `whosaid_ranker` block,
//! [`RankerInfo`]), `tokenizer.json`, `model.safetensors` (`bert.…` and `head.…`) and
//! `MODEL_CARD.md`.

use super::candidates::Window;
use crate::error::{Error, Result};
use crate::mentions::View;
use rust_bert::bert::{BertConfig, BertEmbedding, BertEmbeddings, BertLayer};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::HashMap;
use std::path::Path;
use tch::nn::Module;
use tch::{nn, Device, Kind, Tensor};
use tokenizers::Tokenizer;

/// Distance buckets: 8 before the quote, 8 after.
const DIST_BUCKETS: i64 = 16;
/// Candidate types: PER, ORG, ROLE, pronoun.
const TYPES: i64 = 4;

/// What `config.json` says about the ranker beyond the BERT architecture.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RankerInfo {
    pub name: String,
    pub version: String,
    /// Word pieces per sequence at most, special tokens and markers included.
    pub max_pieces: usize,
    /// Word pieces kept at each end of a long quote.
    pub quote_edge: usize,
    /// Width of the scoring MLPs.
    pub head_hidden: i64,
    /// Casing bit in token_type_ids.
    pub casing_bit: bool,
}

impl RankerInfo {
    pub fn check(&self) -> std::result::Result<(), String> {
        if self.max_pieces < 2 * self.quote_edge + 8 {
            return Err(format!(
                "max_pieces {} leaves no room for context around a quote of 2 × {} pieces",
                self.max_pieces, self.quote_edge
            ));
        }
        if self.max_pieces > 512 {
            return Err(format!("max_pieces {} is over the encoder's 512 positions", self.max_pieces));
        }
        if self.quote_edge == 0 || self.head_hidden <= 0 {
            return Err("quote_edge and head_hidden must be positive".into());
        }
        Ok(())
    }
}

/// A kept candidate of an encoded quote.
#[derive(Debug, Clone, PartialEq)]
pub struct EncodedCandidate {
    /// Index into [`Window::candidates`].
    pub index: usize,
    /// Word pieces `[start, end)` in the sequence.
    pub start: usize,
    pub end: usize,
    pub type_index: i64,
    pub bucket: i64,
}

/// One encoded quote.
#[derive(Debug, Clone, PartialEq)]
pub struct Encoded {
    pub ids: Vec<i64>,
    pub type_ids: Vec<i64>,
    /// Positions of the opening and closing markers.
    pub open: usize,
    pub close: usize,
    /// The candidates whose word pieces all fit, in window order.
    pub candidates: Vec<EncodedCandidate>,
}

/// Special token ids the encoding needs.
#[derive(Debug, Clone, Copy)]
pub struct Specials {
    cls: i64,
    sep: i64,
    open: i64,
    close: i64,
    cut: i64,
}

impl Specials {
    pub fn of(tokenizer: &Tokenizer, dir: &Path) -> Result<Specials> {
        let id = |t: &str| {
            tokenizer
                .token_to_id(t)
                .map(i64::from)
                .ok_or_else(|| Error::model(dir, format!("tokenizer.json has no {t} token")))
        };
        Ok(Specials { cls: id("[CLS]")?, sep: id("[SEP]")?, open: id("[unused0]")?, close: id("[unused1]")?, cut: id("[unused2]")? })
    }
}

/// A piece of the sequence being built: id, casing bit, the window word it comes from.
type Piece = (i64, i64, Option<usize>);

/// Encodes a quote's window (see the module docs).
pub fn encode(tokenizer: &Tokenizer, specials: Specials, info: &RankerInfo, view: &View, win: &Window) -> Result<Encoded> {
    let (wa, wb) = win.words;
    let texts: Vec<&str> = view.words[wa..wb].iter().map(|w| view.text.get(w.span).unwrap_or_default()).collect();
    let mut per_word: Vec<Vec<i64>> = vec![vec![]; texts.len()];
    if !texts.is_empty() {
        let enc = tokenizer.encode(texts.as_slice(), false).map_err(|e| Error::Other(format!("tokenizer: {e}")))?;
        for (&id, wid) in enc.get_ids().iter().zip(enc.get_word_ids()) {
            if let Some(w) = wid {
                if let Some(slot) = per_word.get_mut(*w as usize) {
                    slot.push(i64::from(id));
                }
            }
        }
    }
    let cased = |w: usize| (info.casing_bit && texts[w].chars().any(char::is_uppercase)) as i64;
    let pieces_of = |range: std::ops::Range<usize>| -> Vec<Piece> {
        range.flat_map(|w| per_word[w].iter().map(move |&id| (id, cased(w), Some(w)))).collect()
    };
    let (qa, qb) = (win.quote_words.0.clamp(wa, wb) - wa, win.quote_words.1.clamp(wa, wb) - wa);
    let left = pieces_of(0..qa);
    let mut quote = pieces_of(qa..qb);
    let right = pieces_of(qb..texts.len());
    if quote.len() > 2 * info.quote_edge {
        let tail = quote.split_off(quote.len() - info.quote_edge);
        quote.truncate(info.quote_edge);
        quote.push((specials.cut, 0, None));
        quote.extend(tail);
    }
    let room = info.max_pieces.saturating_sub(4 + quote.len());
    let (l, r) = split_room(left.len(), right.len(), room);
    let mut seq: Vec<Piece> = Vec::with_capacity(info.max_pieces);
    seq.push((specials.cls, 0, None));
    seq.extend_from_slice(&left[left.len() - l..]);
    let open = seq.len();
    seq.push((specials.open, 0, None));
    seq.extend(quote);
    let close = seq.len();
    seq.push((specials.close, 0, None));
    seq.extend_from_slice(&right[..r]);
    seq.push((specials.sep, 0, None));

    // Where each window word's pieces landed, and how many of them.
    let mut first = vec![usize::MAX; texts.len()];
    let mut last = vec![0usize; texts.len()];
    let mut kept = vec![0usize; texts.len()];
    for (p, piece) in seq.iter().enumerate() {
        if let Some(w) = piece.2 {
            first[w] = first[w].min(p);
            last[w] = p + 1;
            kept[w] += 1;
        }
    }
    let mut candidates = vec![];
    for (index, c) in win.candidates.iter().enumerate() {
        let (a, b) = (c.words.0.clamp(wa, wb) - wa, c.words.1.clamp(wa, wb) - wa);
        let whole = (a..b).all(|w| kept[w] == per_word[w].len()) && (a..b).any(|w| kept[w] > 0);
        if !whole {
            continue;
        }
        let start = (a..b).map(|w| first[w]).min().unwrap_or(0);
        let end = (a..b).map(|w| last[w]).max().unwrap_or(0);
        let bucket = if end <= open {
            log_bucket(open - end)
        } else {
            8 + log_bucket(start.saturating_sub(close + 1))
        };
        candidates.push(EncodedCandidate { index, start, end, type_index: c.type_index(), bucket });
    }
    Ok(Encoded {
        ids: seq.iter().map(|p| p.0).collect(),
        type_ids: seq.iter().map(|p| p.1).collect(),
        open,
        close,
        candidates,
    })
}

/// How many pieces of the left and right context fit in `room`: all of both when they
/// fit, else the shorter side whole if it takes at most half, else half each.
fn split_room(left: usize, right: usize, room: usize) -> (usize, usize) {
    if left + right <= room {
        (left, right)
    } else if left <= room / 2 {
        (left, room - left)
    } else if right <= room / 2 {
        (room - right, right)
    } else {
        (room - room / 2, room / 2)
    }
}

fn log_bucket(d: usize) -> i64 {
    ((usize::BITS - (d + 1).leading_zeros() - 1) as i64).min(7)
}

/// The encoder and the scoring head. The encoder is built from rust-bert's parts (same
/// variable names as `BertModel`: `bert.embeddings.…`, `bert.encoder.layer.N.…`) so that
/// it can run in two halves: [`lower`](Self::lower) (embeddings and the first layers,
/// which training may freeze and compute once per example) and [`upper`](Self::upper)
/// (the other layers and the head).
pub struct RankerNet {
    pub vs: nn::VarStore,
    embeddings: BertEmbeddings,
    layers: Vec<BertLayer>,
    type_emb: nn::Embedding,
    dist_emb: nn::Embedding,
    score1: nn::Linear,
    score2: nn::Linear,
    none1: nn::Linear,
    none2: nn::Linear,
}

/// Padded `(ids, mask, type_ids)` of a batch.
fn batch_inputs(batch: &[&Encoded]) -> (Tensor, Tensor, Tensor) {
    let rows = batch.len();
    let width = batch.iter().map(|e| e.ids.len()).max().unwrap_or(0);
    let mut ids = vec![0i64; rows * width];
    let mut mask = vec![0i64; rows * width];
    let mut types = vec![0i64; rows * width];
    for (r, e) in batch.iter().enumerate() {
        let o = r * width;
        ids[o..o + e.ids.len()].copy_from_slice(&e.ids);
        types[o..o + e.ids.len()].copy_from_slice(&e.type_ids);
        mask[o..o + e.ids.len()].iter_mut().for_each(|m| *m = 1);
    }
    let shape = [rows as i64, width as i64];
    (Tensor::from_slice(&ids).view(shape), Tensor::from_slice(&mask).view(shape), Tensor::from_slice(&types).view(shape))
}

/// The padding mask of a batch, `(rows, width)`, 1 on real pieces.
pub fn batch_mask(batch: &[&Encoded]) -> Tensor {
    batch_inputs(batch).1
}

impl RankerNet {
    /// A network with fresh weights: `bert.…` in optimiser group 0, `head.…` in group 1.
    pub fn new(config: &BertConfig, head_hidden: i64) -> RankerNet {
        let vs = nn::VarStore::new(Device::Cpu);
        let bert = vs.root() / "bert";
        let embeddings = BertEmbeddings::new(&bert / "embeddings", config);
        let layer_path = &bert / "encoder" / "layer";
        let layers = (0..config.num_hidden_layers).map(|i| BertLayer::new(&layer_path / i, config)).collect();
        let head = vs.root().set_group(1) / "head";
        let h = config.hidden_size;
        let emb = nn::EmbeddingConfig { ws_init: nn::Init::Randn { mean: 0.0, stdev: 0.02 }, ..Default::default() };
        let type_emb = nn::embedding(&head / "type", TYPES, h, emb);
        let dist_emb = nn::embedding(&head / "distance", DIST_BUCKETS, h, emb);
        let score1 = nn::linear(&head / "score1", 3 * h, head_hidden, Default::default());
        let score2 = nn::linear(&head / "score2", head_hidden, 1, Default::default());
        let none1 = nn::linear(&head / "none1", h, head_hidden, Default::default());
        let none2 = nn::linear(&head / "none2", head_hidden, 1, Default::default());
        RankerNet { vs, embeddings, layers, type_emb, dist_emb, score1, score2, none1, none2 }
    }

    /// Encoder layers.
    pub fn depth(&self) -> usize {
        self.layers.len()
    }

    /// Logits per quote over `[nobody, candidate 0, candidate 1, …]` (the kept candidates
    /// of each [`Encoded`], in order).
    pub fn forward(&self, batch: &[&Encoded], train: bool) -> Result<Vec<Tensor>> {
        if batch.is_empty() {
            return Ok(vec![]);
        }
        let (hidden, mask) = self.lower(batch, 0, train)?;
        self.upper(&hidden, &mask, 0, batch, train)
    }

    /// Hidden states `(rows, width, hidden)` after the embeddings and the first `layers`
    /// encoder layers, and the padding mask.
    pub fn lower(&self, batch: &[&Encoded], layers: usize, train: bool) -> Result<(Tensor, Tensor)> {
        let (ids, mask, types) = batch_inputs(batch);
        let mut hidden = self
            .embeddings
            .forward_t(Some(&ids), Some(&types), None, None, train)
            .map_err(|e| Error::Other(format!("ranker encoder: {e}")))?;
        let ext = extended_mask(&mask);
        for layer in self.layers.iter().take(layers) {
            hidden = layer.forward_t(&hidden, Some(&ext), None, None, train).hidden_state;
        }
        Ok((hidden, mask))
    }

    /// The encoder layers from `from` on over `hidden` (as [`lower`](Self::lower) left
    /// them), then the head: logits as [`forward`](Self::forward).
    pub fn upper(&self, hidden: &Tensor, mask: &Tensor, from: usize, batch: &[&Encoded], train: bool) -> Result<Vec<Tensor>> {
        let rows = batch.len();
        let ext = extended_mask(mask);
        let mut hidden = hidden.shallow_clone();
        for layer in self.layers.iter().skip(from) {
            hidden = layer.forward_t(&hidden, Some(&ext), None, None, train).hidden_state;
        }
        let hidden = hidden.to_kind(Kind::Float);
        let width = hidden.size()[1] as usize;
        let h = hidden.size()[2];
        let flat = hidden.reshape([-1, h]);
        let at = |f: &dyn Fn(&Encoded) -> usize| -> Tensor {
            let idx: Vec<i64> = batch.iter().enumerate().map(|(r, e)| (r * width + f(e)) as i64).collect();
            flat.index_select(0, &Tensor::from_slice(&idx))
        };
        let q = (at(&|e| e.open) + at(&|e| e.close)) * 0.5;
        let none = self.none2.forward(&self.none1.forward(&q.dropout(0.1, train)).gelu("none")).squeeze_dim(-1);

        let total: usize = batch.iter().map(|e| e.candidates.len()).sum();
        let scores = if total > 0 {
            let mut pool = vec![0f32; total * rows * width];
            let mut owner = Vec::with_capacity(total);
            let mut kinds = Vec::with_capacity(total);
            let mut buckets = Vec::with_capacity(total);
            let mut c = 0;
            for (r, e) in batch.iter().enumerate() {
                for cand in &e.candidates {
                    let len = (cand.end - cand.start).max(1) as f32;
                    for p in cand.start..cand.end {
                        pool[c * rows * width + r * width + p] = 1.0 / len;
                    }
                    owner.push(r as i64);
                    kinds.push(cand.type_index);
                    buckets.push(cand.bucket);
                    c += 1;
                }
            }
            let pool = Tensor::from_slice(&pool).view([total as i64, (rows * width) as i64]);
            let cv = pool.mm(&flat)
                + self.type_emb.forward(&Tensor::from_slice(&kinds))
                + self.dist_emb.forward(&Tensor::from_slice(&buckets));
            let qc = q.index_select(0, &Tensor::from_slice(&owner));
            let feats = Tensor::cat(&[&cv, &qc, &(&cv * &qc)], 1).dropout(0.1, train);
            Some(self.score2.forward(&self.score1.forward(&feats).gelu("none")).squeeze_dim(-1))
        } else {
            None
        };
        let mut out = Vec::with_capacity(rows);
        let mut offset = 0i64;
        for (r, e) in batch.iter().enumerate() {
            let n = e.candidates.len() as i64;
            let nobody = none.narrow(0, r as i64, 1);
            out.push(match (&scores, n) {
                (Some(s), n) if n > 0 => Tensor::cat(&[nobody, s.narrow(0, offset, n)], 0),
                _ => nobody,
            });
            offset += n;
        }
        Ok(out)
    }

    /// Copies weights from a safetensors file. With `base`, only the encoder is filled
    /// (names without `bert.` get it; a token classifier's `classifier.…` is ignored) and
    /// the head keeps its fresh weights; otherwise every variable must be in the file.
    pub fn fill_from(&mut self, file: &Path, base: bool) -> Result<()> {
        if !file.is_file() {
            return Err(Error::model(file.parent().unwrap_or(file), format!("missing {}", file.display())));
        }
        let tensors: HashMap<String, Tensor> = Tensor::read_safetensors(file)
            .map_err(|e| Error::model(file, format!("cannot read: {e}")))?
            .into_iter()
            .filter(|(n, _)| !n.starts_with("classifier."))
            .map(|(n, t)| if n.starts_with("bert.") || n.starts_with("head.") { (n, t) } else { (format!("bert.{n}"), t) })
            .collect();
        let mut missing = vec![];
        tch::no_grad(|| -> Result<()> {
            for (name, mut var) in self.vs.variables() {
                match tensors.get(&name) {
                    Some(src) if src.size() == var.size() => {
                        var.f_copy_(&src.to_kind(var.kind()))?;
                    }
                    Some(src) => {
                        return Err(Error::model(file, format!("{name}: shape {:?} in file, {:?} expected", src.size(), var.size())))
                    }
                    None if base && name.starts_with("head.") => {}
                    None => missing.push(name),
                }
            }
            Ok(())
        })?;
        if !missing.is_empty() {
            missing.sort();
            return Err(Error::model(file, format!("weights missing: {}", missing.join(", "))));
        }
        Ok(())
    }

    /// Writes every variable (sorted by name) to a safetensors file, atomically.
    pub fn save_weights(&self, file: &Path, fp16: bool) -> Result<()> {
        let mut named: Vec<(String, Tensor)> = self
            .vs
            .variables()
            .into_iter()
            .map(|(n, t)| {
                let t = t.detach();
                (n, if fp16 { t.to_kind(Kind::Half) } else { t.to_kind(Kind::Float) })
            })
            .collect();
        crate::ner::model::write_weights(&mut named, file)
    }

    /// Freezes the embeddings and the first `layers` encoder layers (0: nothing frozen).
    pub fn freeze(&mut self, layers: usize) {
        if layers == 0 {
            return;
        }
        for (name, var) in self.vs.variables() {
            let frozen = name.starts_with("bert.embeddings.")
                || (0..layers).any(|l| name.starts_with(&format!("bert.encoder.layer.{l}.")));
            if frozen {
                let _ = var.set_requires_grad(false);
            }
        }
    }
}

/// BERT's additive attention mask: 0 on real pieces, -10000 on padding.
fn extended_mask(mask: &Tensor) -> Tensor {
    ((mask.ones_like() - mask).unsqueeze(1).unsqueeze(1) * -10000.0).to_kind(Kind::Float)
}

/// Reads a JSON file.
pub fn read_json(path: &Path) -> Result<Value> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    serde_json::from_slice(&bytes).map_err(|e| Error::parse(path, e.line(), e.to_string()))
}

/// The BERT config of a `config.json` value.
pub fn bert_config(dir: &Path, config: &Value) -> Result<BertConfig> {
    serde_json::from_value(config.clone()).map_err(|e| Error::model(dir, format!("config.json is not a BERT config: {e}")))
}

/// The tokenizer of a model directory, padding and truncation off.
pub fn tokenizer(dir: &Path) -> Result<Tokenizer> {
    let mut tokenizer =
        Tokenizer::from_file(dir.join("tokenizer.json")).map_err(|e| Error::model(dir, format!("tokenizer.json: {e}")))?;
    tokenizer.with_padding(None);
    tokenizer.with_truncation(None).map_err(|e| Error::model(dir, format!("tokenizer.json: {e}")))?;
    Ok(tokenizer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shorter_context_side_is_kept_whole_when_it_fits_in_half() {
        assert_eq!(split_room(10, 20, 100), (10, 20));
        assert_eq!(split_room(10, 200, 100), (10, 90));
        assert_eq!(split_room(200, 10, 100), (90, 10));
        assert_eq!(split_room(200, 200, 101), (51, 50));
    }

    #[test]
    fn distance_buckets_grow_by_powers_of_two_up_to_seven() {
        let b: Vec<i64> = [0, 1, 2, 3, 6, 7, 100, 1000].iter().map(|&d| log_bucket(d)).collect();
        assert_eq!(b, vec![0, 1, 1, 2, 2, 3, 6, 7]);
    }
}
