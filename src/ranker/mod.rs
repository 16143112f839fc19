//! A learned speaker ranker for the quotes the rule sieves leave open: for each quote it
//! scores the candidate mentions ([`candidates`]: PER, ORG, ROLE and subject pronouns
//! outside quotes in a window around it) and "nobody", with a MiniLM encoder over the
//! window and a small scoring head ([`model`]). Trained by `whosaid train-attribution`
//! ([`training`]); loading one is optional, nothing in the pipeline needs it.
//!
//! ```no_run
//! # fn demo(view: &whosaid::mentions::View, quote: whosaid::Span) -> whosaid::Result<()> {
//! let ranker = whosaid::ranker::Ranker::load(std::path::Path::new("/work/ranker-out"))?;
//! let ranking = ranker.rank(view, quote)?;
//! if let Some((candidate, p)) = ranking.best() {
//!     println!("{:?} with probability {p:.2}", candidate.kind);
//! }
//! # Ok(()) }
//! ```

pub mod candidates;
pub mod model;
pub mod training;

pub use candidates::{Candidate, CandidateKind, Window};
pub use model::RankerInfo;

use crate::document::Span;
use crate::error::{Error, Result};
use crate::mentions::View;
use model::{Encoded, RankerNet, Specials};
use std::path::{Path, PathBuf};
use tch::{Kind, Tensor};
use tokenizers::Tokenizer;

/// Quotes per forward pass in [`Ranker::rank_all`].
const BATCH: usize = 32;

/// The ranker's verdict on one quote: probabilities (softmax over the candidates and
/// "nobody"), candidates best first.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranking {
    pub candidates: Vec<(Candidate, f32)>,
    /// Probability that none of the candidates is the speaker.
    pub nobody: f32,
}

impl Ranking {
    /// The top candidate, when it is more likely than "nobody".
    pub fn best(&self) -> Option<&(Candidate, f32)> {
        self.candidates.first().filter(|(_, p)| *p > self.nobody)
    }
}

/// A trained ranker, loaded for inference.
pub struct Ranker {
    pub dir: PathBuf,
    pub info: RankerInfo,
    net: RankerNet,
    tokenizer: Tokenizer,
    specials: Specials,
}

impl Ranker {
    /// Loads a ranker directory (`config.json`, `tokenizer.json`, `model.safetensors`).
    pub fn load(dir: &Path) -> Result<Ranker> {
        if !dir.is_dir() {
            return Err(Error::model(dir, "not a directory (expected config.json, tokenizer.json, model.safetensors)"));
        }
        let config = model::read_json(&dir.join("config.json"))?;
        let info: RankerInfo = config
            .get("whosaid_ranker")
            .cloned()
            .ok_or_else(|| Error::model(dir, "config.json has no whosaid_ranker block (not a speaker ranker)"))
            .and_then(|v| serde_json::from_value(v).map_err(|e| Error::model(dir, format!("whosaid_ranker: {e}"))))?;
        info.check().map_err(|e| Error::model(dir, e))?;
        let bert = model::bert_config(dir, &config)?;
        let tokenizer = model::tokenizer(dir)?;
        let specials = Specials::of(&tokenizer, dir)?;
        let mut net = RankerNet::new(&bert, info.head_hidden);
        net.fill_from(&dir.join("model.safetensors"), false)?;
        Ok(Ranker { dir: dir.to_path_buf(), info, net, tokenizer, specials })
    }

    pub(crate) fn from_parts(dir: &Path, info: RankerInfo, net: RankerNet, tokenizer: Tokenizer) -> Result<Ranker> {
        let specials = Specials::of(&tokenizer, dir)?;
        Ok(Ranker { dir: dir.to_path_buf(), info, net, tokenizer, specials })
    }

    pub(crate) fn net(&self) -> &RankerNet {
        &self.net
    }

    pub(crate) fn tokenizer(&self) -> &Tokenizer {
        &self.tokenizer
    }

    /// Encodes one quote's window (what training and inference both feed the network).
    pub fn encode(&self, view: &View, win: &Window) -> Result<Encoded> {
        model::encode(&self.tokenizer, self.specials, &self.info, view, win)
    }

    /// Ranks the candidates of one quote.
    pub fn rank(&self, view: &View, quote: Span) -> Result<Ranking> {
        Ok(self.rank_all(view, &[quote])?.pop().unwrap_or(Ranking { candidates: vec![], nobody: 1.0 }))
    }

    /// Ranks the candidates of each quote of a document, batched (one forward pass per
    /// 32 quotes); a quote without candidates gets "nobody" with probability 1 and no
    /// forward pass.
    pub fn rank_all(&self, view: &View, quotes: &[Span]) -> Result<Vec<Ranking>> {
        let paragraphs = candidates::sentence_paragraphs(view);
        let windows: Vec<Window> = quotes.iter().map(|q| candidates::window(view, &paragraphs, *q)).collect();
        let mut encoded: Vec<(usize, Encoded)> = vec![];
        for (i, w) in windows.iter().enumerate() {
            if !w.candidates.is_empty() {
                let e = self.encode(view, w)?;
                if !e.candidates.is_empty() {
                    encoded.push((i, e));
                }
            }
        }
        let mut out: Vec<Ranking> = quotes.iter().map(|_| Ranking { candidates: vec![], nobody: 1.0 }).collect();
        for chunk in encoded.chunks(BATCH) {
            let batch: Vec<&Encoded> = chunk.iter().map(|(_, e)| e).collect();
            let logits = tch::no_grad(|| self.net.forward(&batch, false))?;
            for ((i, e), l) in chunk.iter().zip(logits) {
                let p = probabilities(&l);
                let mut cands: Vec<(Candidate, f32)> = e
                    .candidates
                    .iter()
                    .zip(&p[1..])
                    .map(|(c, &prob)| (windows[*i].candidates[c.index].clone(), prob))
                    .collect();
                cands.sort_by(|a, b| b.1.total_cmp(&a.1));
                out[*i] = Ranking { candidates: cands, nobody: p[0] };
            }
        }
        Ok(out)
    }
}

/// Softmax of a 1-D logit tensor, as a vector.
pub(crate) fn probabilities(logits: &Tensor) -> Vec<f32> {
    let p = logits.softmax(0, Kind::Float);
    Vec::<f32>::try_from(&p).unwrap_or_default()
}
