//! Silver labels from whosaid's own output (self-training): documents annotated by
//! `whosaid annotate` (model + rules) become CoNLL training sentences, keeping only the
//! sentences whose every entity the teacher was sure of.
//!
//! - A sentence is kept when each of its entities scores at least `min_score`, or was made
//!   by a rule (no score, or the role rules' fixed [`RULE_ROLE_SCORE`]): rules are what the
//!   student should learn, the model's doubtful spans are what it should not.
//! - Documents are split by a hash of their text: a share (`holdout`) goes to a held-out
//!   file, never trained on, to measure what the student learnt of the teacher. The split
//!   does not depend on the order or number of documents.
//! - Documents whose text is also gold (`exclude`, compared by SHA-256 of the text) are
//!   left out: gold is never trained on.

use super::conll::Sentence;
use crate::document::Document;
use crate::formats::conll::tag_document;
use crate::ner::RULE_ROLE_SCORE;
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};

/// How silver sentences are chosen.
#[derive(Debug, Clone)]
pub struct SilverOptions {
    /// Lowest model score of an entity in a kept sentence.
    pub min_score: f32,
    /// Share of documents held out (0 to 1).
    pub holdout: f64,
    /// SHA-256 (hex) of texts that must not be used (gold).
    pub exclude: HashSet<String>,
}

/// Counts for one side of the split.
#[derive(Debug, Default, Clone, Serialize, PartialEq)]
pub struct SideCounts {
    pub documents: usize,
    pub sentences: usize,
    /// Sentences left out because an entity scored below `min_score`.
    pub sentences_doubtful: usize,
    /// Entity spans of the kept sentences, by type.
    pub spans: BTreeMap<String, usize>,
}

/// What [`silver_sentences`] kept and left out.
#[derive(Debug, Default, Clone, Serialize, PartialEq)]
pub struct SilverReport {
    pub min_score: f32,
    pub holdout: f64,
    /// Documents left out because their text is gold.
    pub excluded_gold: usize,
    pub train: SideCounts,
    pub heldout: SideCounts,
}

/// Is the document in the held-out share? The first 8 bytes of its text's SHA-256, read as
/// a fraction of 2^64, below `share`.
pub fn is_held_out(sha256_hex: &str, share: f64) -> bool {
    let head = sha256_hex.get(..16).and_then(|h| u64::from_str_radix(h, 16).ok()).unwrap_or(0);
    (head as f64 / u64::MAX as f64) < share
}

/// The silver training and held-out sentences of annotated documents. Sentences keep the
/// index of their document in `docs` (the `doc` field), so document context still works.
pub fn silver_sentences(docs: &[Document], opts: &SilverOptions) -> (Vec<Sentence>, Vec<Sentence>, SilverReport) {
    let mut report = SilverReport { min_score: opts.min_score, holdout: opts.holdout, ..Default::default() };
    let (mut train, mut held) = (vec![], vec![]);
    for (i, doc) in docs.iter().enumerate() {
        let sha = doc.sha256();
        if opts.exclude.contains(&sha) {
            report.excluded_gold += 1;
            continue;
        }
        let (out, side) = if is_held_out(&sha, opts.holdout) {
            (&mut held, &mut report.heldout)
        } else {
            (&mut train, &mut report.train)
        };
        side.documents += 1;
        let scores: BTreeMap<(usize, usize), Option<f32>> =
            doc.ann.entities().map(|s| ((s.span.start, s.span.end), s.score)).collect();
        let (tagged, _) = tag_document(doc);
        for t in tagged {
            let entities = t.entities();
            let sure = entities.iter().all(|(_, sp)| match scores.get(&(sp.start, sp.end)).copied().flatten() {
                None => true,
                Some(s) => s >= opts.min_score || s == RULE_ROLE_SCORE,
            });
            if !sure {
                side.sentences_doubtful += 1;
                continue;
            }
            side.sentences += 1;
            for (ty, _) in &entities {
                *side.spans.entry(ty.clone()).or_default() += 1;
            }
            out.push(Sentence { words: t.tokens.iter().map(|s| doc.text.get(*s).unwrap_or_default().to_string()).collect(), tags: t.tags, doc: i });
        }
    }
    (train, held, report)
}

/// CoNLL text of sentences, a `-DOCSTART- O` line before each document's first one.
pub fn to_conll(sentences: &[Sentence]) -> String {
    let mut out = String::new();
    let mut doc = None;
    for s in sentences {
        if doc != Some(s.doc) {
            out.push_str("-DOCSTART- O\n\n");
            doc = Some(s.doc);
        }
        for (w, t) in s.words.iter().zip(&s.tags) {
            // A CoNLL line is whitespace-separated: a token with inner space (none from
            // whosaid's segmenter, but a reviewed file may have one) keeps its parts joined.
            let w: String = w.chars().map(|c| if c.is_whitespace() { '_' } else { c }).collect();
            out.push_str(&w);
            out.push(' ');
            out.push_str(t);
            out.push('\n');
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::annotation::Label;
    use crate::document::Span;

    fn doc(text: &str, spans: &[(Label, &str, Option<f32>)]) -> Document {
        let mut d = Document::new("d", text);
        for &(l, s, score) in spans {
            let start = text.find(s).unwrap();
            let start = text[..start].chars().count();
            d.ann.add_span(l, Span::new(start, start + s.chars().count()), score);
        }
        d
    }

    fn opts() -> SilverOptions {
        SilverOptions { min_score: 0.8, holdout: 0.0, exclude: HashSet::new() }
    }

    #[test]
    fn a_sentence_with_a_doubtful_entity_is_left_out_and_the_sure_one_kept() {
        let d = doc(
            "Acme Corp hired Jane Doe. Zorblat said nothing.",
            &[(Label::ORG, "Acme Corp", Some(0.99)), (Label::PER, "Jane Doe", Some(0.95)), (Label::ORG, "Zorblat", Some(0.4))],
        );
        let (train, held, report) = silver_sentences(&[d], &opts());
        assert_eq!(train.len(), 1);
        assert!(held.is_empty());
        assert_eq!(train[0].words[..2], ["Acme", "Corp"]);
        assert_eq!(train[0].tags[..5], ["B-ORG", "I-ORG", "O", "B-PER", "I-PER"]);
        assert_eq!(report.train.sentences_doubtful, 1);
        assert_eq!(report.train.spans.get("ORG"), Some(&1));
    }

    #[test]
    fn spans_made_by_rules_count_as_sure() {
        let d = doc(
            "The Tories chose a deputy leader.",
            &[(Label::ORG, "Tories", None), (Label::ROLE, "deputy leader", Some(RULE_ROLE_SCORE))],
        );
        let (train, _, report) = silver_sentences(&[d], &opts());
        assert_eq!(train.len(), 1);
        assert_eq!(report.train.spans.get("ROLE"), Some(&1));
    }

    #[test]
    fn gold_texts_are_never_used() {
        let d = doc("Acme Corp hired Jane Doe.", &[(Label::ORG, "Acme Corp", Some(0.99))]);
        let mut o = opts();
        o.exclude.insert(d.sha256());
        let (train, held, report) = silver_sentences(&[d], &o);
        assert!(train.is_empty() && held.is_empty());
        assert_eq!(report.excluded_gold, 1);
    }

    #[test]
    fn the_held_out_share_is_decided_by_the_text_alone() {
        let docs: Vec<Document> = (0..200).map(|i| doc(&format!("Report number {i} came out."), &[])).collect();
        let o = SilverOptions { holdout: 0.1, ..opts() };
        let (_, held, report) = silver_sentences(&docs, &o);
        assert!((10..=32).contains(&report.heldout.documents), "{}", report.heldout.documents);
        assert_eq!(held.len(), report.heldout.sentences);
        // The same document is held out alone or among others.
        let one = docs.iter().position(|d| is_held_out(&d.sha256(), 0.1)).unwrap();
        let (_, held_alone, _) = silver_sentences(&docs[one..=one], &o);
        assert_eq!(held_alone.len(), 1);
    }

    #[test]
    fn conll_text_starts_each_document_and_reads_back() {
        let d = doc("Acme Corp hired Jane Doe.", &[(Label::ORG, "Acme Corp", Some(0.99))]);
        let (train, _, _) = silver_sentences(&[d.clone(), d], &opts());
        let text = to_conll(&train);
        assert_eq!(text.matches("-DOCSTART-").count(), 2);
        let back = super::super::conll::parse(&text, std::path::Path::new("silver.conll")).unwrap();
        assert_eq!(back.len(), 2);
        assert_eq!(back[0].tags, train[0].tags);
        assert_eq!(back[1].doc, 1);
    }
}
