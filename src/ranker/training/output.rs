//! What a run writes: the ranker directory (config, tokenizer, weights), one line of
//! `train-log.jsonl` per epoch, and `MODEL_CARD.md`.

use super::scores::pct;
use super::{EpochLog, TrainConfig, TrainReport};
use crate::error::{Error, Result};
use crate::ranker::Ranker;
use std::path::Path;

/// Writes config.json, tokenizer.json and model.safetensors of a ranker directory.
pub(super) fn save(ranker: &Ranker, base_config: &serde_json::Value, dir: &Path, fp16: bool) -> Result<()> {
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

pub(super) fn append_log(path: &Path, entry: &EpochLog) -> Result<()> {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new().create(true).append(true).open(path).map_err(|e| Error::io(path, e))?;
    let line = serde_json::to_string(entry).map_err(|e| Error::Other(e.to_string()))?;
    writeln!(f, "{line}").map_err(|e| Error::io(path, e))
}

pub(super) fn write_card(cfg: &TrainConfig, r: &TrainReport) -> Result<()> {
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
