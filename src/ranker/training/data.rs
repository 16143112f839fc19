//! The training data: gold quotes and their sources read from the gold `.ann` files,
//! whosaid's entity mentions as candidates, one [`Example`] per quote with candidates.

use super::TrainConfig;
use crate::annotation::{Annotations, Label};
use crate::document::{Document, Span};
use crate::error::{Error, Result};
use crate::mentions::View;
use crate::ranker::candidates::{self, Candidate};
use crate::ranker::model::Encoded;
use crate::ranker::Ranker;
use serde::Serialize;
use std::collections::HashMap;
use std::path::Path;
use tch::Tensor;

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
    // A gold source span outside the text (a corrupt gold file) names no word: no pronoun.
    let word = view.text.get(source).unwrap_or_default().trim().to_lowercase();
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
pub(super) struct HeldDoc {
    pub(super) doc: Document,
    pub(super) gold: Vec<GoldQuote>,
}

/// The annotations the ranker sees in training: the entity mentions of whosaid's output
/// and the gold quotes (so that "outside quotes" means outside the gold quotes).
pub(super) fn training_annotations(entities: &Annotations, gold: &[GoldQuote]) -> Annotations {
    let mut ann = Annotations::default();
    for s in entities.entities() {
        ann.add_span(s.label, s.span, None);
    }
    for q in gold {
        ann.add_span(Label::QUOTE, q.span, None);
    }
    ann
}

pub(super) fn is_heldout(stem: &str, since: Option<&str>) -> bool {
    let Some(since) = since else { return false };
    stem.split('_').find(|p| p.len() >= 7 && p.as_bytes()[4] == b'-' && p[..4].chars().all(|c| c.is_ascii_digit()))
        .is_some_and(|date| &date[..7] >= since)
}

pub(super) struct Data {
    pub(super) train: Vec<Example>,
    pub(super) heldout: Vec<Example>,
    pub(super) held_docs: Vec<HeldDoc>,
    pub(super) counts: DataCounts,
    pub(super) heldout_named_all: usize,
}

pub(super) fn load_data(cfg: &TrainConfig, ranker: &Ranker) -> Result<Data> {
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
