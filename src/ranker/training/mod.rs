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
//!
//! The files: `mod.rs` holds the run ([`train`]: its configuration, the optimiser loop, the
//! time and step limits, the report); `data.rs` reads the gold quotes and builds the
//! examples ([`read_gold`], [`positives`]); `forward.rs` makes the batches and computes
//! their logits and [`loss`] (with frozen layers' states cached); `scores.rs` scores the
//! held-out part ([`Scores`]); `output.rs` writes the ranker directory, the epoch log and
//! the model card.

mod data;
mod forward;
mod output;
mod scores;

pub use data::{positives, read_gold, DataCounts, Example, GoldQuote};
pub use forward::loss;
pub use scores::Scores;

use super::model::{self, RankerInfo, RankerNet};
use super::Ranker;
use crate::error::{Error, Result};
use crate::train::Rng;
use data::load_data;
use forward::{batches, fill_cache, logits_of};
use output::{append_log, save, write_card};
use scores::evaluate_documents;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::Instant;
use tch::{nn, nn::OptimizerConfig};

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
            Some(scores::evaluate(ranker.net(), &data.heldout, 32, frozen)?)
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

#[cfg(test)]
mod tests;
