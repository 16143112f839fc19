//! Running the NER model over documents: sentences become windows of words (long
//! sentences are cut into overlapping windows so nothing is truncated), windows from many
//! documents are batched together by length, and the labels come back as entity spans in
//! each document's annotations (plus ROLEs from the role rules that the model missed).

use super::decode::{bio_spans, trim, WordEntity};
use super::pool::{BatchShape, WindowPool};
use super::{label_batch, Encoded, Encoder, NerModel, WordLabel};
use crate::annotation::NewSpan;
use crate::document::{Document, Span};
use crate::error::Result;
use crate::segment;

/// Knobs of the NER stage.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct NerOptions {
    /// Sequences per forward pass of [`crate::ner::predict_encoded`] (evaluation,
    /// training). Annotation fills its forward batches by [`BatchShape`] instead (see
    /// [`super::pool`]); this stays in the settings every `X.json` records.
    pub batch_size: usize,
    /// Word pieces per sequence at most (special tokens included).
    pub max_pieces: usize,
    /// Words per window core; longer sentences are split.
    pub window_words: usize,
    /// Words of context on each side of a window core.
    pub context_words: usize,
    /// Words of the neighbouring sentences fed on each side of a sentence (unlabelled),
    /// as the model was trained ([`crate::ner::model::ModelInfo::context_words`]).
    pub sentence_context_words: usize,
    /// Add ROLE mentions found by the role rules where the model found nothing.
    pub role_rules: bool,
    /// Sequences are padded to a multiple of this many pieces and batched only with
    /// sequences of the same padded width, so results do not depend on the batch.
    pub pad_multiple: usize,
}

impl Default for NerOptions {
    fn default() -> Self {
        NerOptions {
            batch_size: 32,
            max_pieces: 256,
            window_words: 80,
            context_words: 16,
            sentence_context_words: 0,
            role_rules: true,
            pad_multiple: super::DEFAULT_PAD_MULTIPLE,
        }
    }
}

/// A window: words `[lo, hi)` of one sentence are fed, after `left` words of the
/// sentences before it and before `right` words of those after it; labels are kept for
/// `[core_lo, core_hi)`.
struct Window {
    sentence: usize,
    lo: usize,
    hi: usize,
    core_lo: usize,
    core_hi: usize,
    left: usize,
    right: usize,
}

impl Window {
    /// The words the model sees for this window; `words` holds each sentence's words.
    fn words(&self, words: &[&[Span]]) -> Vec<Span> {
        let (left, _) = segment::neighbour_words(words, self.sentence, self.left);
        let (_, right) = segment::neighbour_words(words, self.sentence, self.right);
        left.into_iter().chain(&words[self.sentence][self.lo..self.hi]).chain(right).copied().collect()
    }
}

/// Cuts every sentence of a document into windows of at most `window_words` core words
/// with `context_words` of context on each side; a window at a sentence's edge also gets
/// `sentence_context_words` words of the neighbouring sentences.
fn windows(sentences: &[segment::Sentence], opts: &NerOptions) -> Vec<Window> {
    let before: Vec<usize> = sentences
        .iter()
        .scan(0usize, |acc, s| {
            let b = *acc;
            *acc += s.words.len();
            Some(b)
        })
        .collect();
    let total: usize = sentences.iter().map(|s| s.words.len()).sum();
    let mut out = vec![];
    for (s, sent) in sentences.iter().enumerate() {
        let n = sent.words.len();
        let core = opts.window_words.max(1);
        let mut lo = 0;
        while lo < n {
            let hi = (lo + core).min(n);
            let (wlo, whi) = (lo.saturating_sub(opts.context_words), (hi + opts.context_words).min(n));
            let left = if wlo == 0 { opts.sentence_context_words.min(before[s]) } else { 0 };
            let after = total - before[s] - n;
            let right = if whi == n { opts.sentence_context_words.min(after) } else { 0 };
            out.push(Window { sentence: s, lo: wlo, hi: whi, core_lo: lo, core_hi: hi, left, right });
            lo = hi;
        }
    }
    out
}

/// The word sequences the model sees for these documents (one per window), for
/// benchmarks that time the bare forward pass on exactly the batches `annotate` runs.
pub fn model_inputs(docs: &[Document], opts: &NerOptions) -> Vec<Vec<String>> {
    let mut out = vec![];
    for doc in docs {
        let sentences = segment::sentences(&doc.text);
        let words: Vec<&[Span]> = sentences.iter().map(|s| s.words.as_slice()).collect();
        for w in windows(&sentences, opts) {
            // Word spans come from this text's own segmentation, so each is in the text.
            out.push(w.words(&words).iter().map(|&sp| doc.text.get(sp).unwrap_or_default().to_string()).collect());
        }
    }
    out
}

/// A document made ready for the model: its sentences, their windows, and the windows
/// encoded as word pieces. Making it needs only the tokenizer, so documents can be
/// prepared on other threads while the model runs.
pub struct Prepared {
    sentences: Vec<segment::Sentence>,
    windows: Vec<Window>,
    encoded: Vec<Encoded>,
}

impl Prepared {
    /// Word pieces the model will see for this document (special tokens included).
    pub fn pieces(&self) -> usize {
        self.encoded.iter().map(|e| e.ids.len()).sum()
    }

    /// The document's sentences, as segmented for the model.
    pub fn sentences(&self) -> &[segment::Sentence] {
        &self.sentences
    }

    /// The encoded windows, in document order.
    pub fn encoded(&self) -> &[Encoded] {
        &self.encoded
    }
}

/// Segments a document and encodes its windows (no model weights needed).
pub fn prepare(encoder: &Encoder, doc: &Document, opts: &NerOptions) -> Result<Prepared> {
    let sentences = segment::sentences(&doc.text);
    let windows = windows(&sentences, opts);
    let sentence_words: Vec<&[Span]> = sentences.iter().map(|s| s.words.as_slice()).collect();
    let encoded = windows
        .iter()
        .map(|w| {
            // Word spans come from this text's own segmentation, so each is in the text.
            let words: Vec<&str> = w.words(&sentence_words).iter().map(|&sp| doc.text.get(sp).unwrap_or_default()).collect();
            encoder.encode(&words, opts.max_pieces)
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Prepared { sentences, windows, encoded })
}

/// Runs the model over the windows of many prepared documents at once: they go through a
/// [`WindowPool`] of the default [`BatchShape`], flushed at the end, so windows are
/// batched across documents by padded length. Returns, per document, the word labels of
/// each window (the first error if a window fails even alone).
pub fn infer(model: &NerModel, docs: &[&Prepared], opts: &NerOptions) -> Result<Vec<Vec<Vec<WordLabel>>>> {
    let mut pool = WindowPool::new(BatchShape::default(), opts.pad_multiple, usize::MAX);
    let mut forward = |batch: &[&Encoded], width: usize| label_batch(model, batch, width);
    for &prep in docs {
        pool.push(prep, &mut forward);
    }
    pool.finish(&mut forward);
    pool.take_done().into_iter().map(|(_, labels)| labels.unwrap_or_else(|| Ok(vec![]))).collect()
}

/// Turns one document's window labels into entity spans in its annotations (plus rule
/// ROLEs), sorted by position. `label_names` are the model's labels.
pub fn apply(label_names: &[String], doc: &mut Document, prep: &Prepared, window_labels: &[Vec<WordLabel>], opts: &NerOptions) {
    let labels = sentence_labels(prep, window_labels);
    apply_sentence_labels(label_names, doc, &prep.sentences, &labels, opts);
}

/// Each sentence's word labels, reassembled from the window cores (a word outside every
/// core, which does not happen, stays `O`).
pub fn sentence_labels(prep: &Prepared, window_labels: &[Vec<WordLabel>]) -> Vec<Vec<WordLabel>> {
    let none = WordLabel { label: 0, prob: 0.0 };
    let mut tags: Vec<Vec<WordLabel>> = prep.sentences.iter().map(|s| vec![none; s.words.len()]).collect();
    for (w, labs) in prep.windows.iter().zip(window_labels) {
        let core = labs.iter().skip(w.left + w.core_lo - w.lo).take(w.core_hi - w.core_lo);
        for (tag, l) in tags[w.sentence][w.core_lo..w.core_hi].iter_mut().zip(core) {
            *tag = *l;
        }
    }
    tags
}

/// The rule half of [`apply`]: per-sentence word labels become entity spans (decoded,
/// trimmed, rule ROLEs merged in), added to the document's annotations, sorted by
/// position. Benchmarks call it with fixed labels to time the rules without the model.
pub fn apply_sentence_labels(label_names: &[String], doc: &mut Document, sentences: &[segment::Sentence], labels: &[Vec<WordLabel>], opts: &NerOptions) {
    let mut add = vec![];
    for (sent, tags) in sentences.iter().zip(labels) {
        let names: Vec<&str> = tags.iter().map(|l| label_names.get(l.label).map_or("O", String::as_str)).collect();
        let probs: Vec<f32> = tags.iter().map(|l| l.prob).collect();
        let mut found: Vec<WordEntity> =
            bio_spans(&names, &probs).into_iter().filter_map(|e| trim(&doc.text, &sent.words, e)).collect();
        if opts.role_rules {
            crate::roles::merge_rule_roles(&doc.text, sent, &mut found);
        }
        for e in found {
            let span = Span::new(sent.words[e.start].start, sent.words[e.end - 1].end);
            add.push(NewSpan { label: e.label, span, score: Some(e.score), partial: false });
        }
    }
    doc.ann.add_spans(add);
    doc.ann.sort_spans();
}

/// Tags the entities of all documents in one batched run. Entity spans are added to
/// each document's annotations, sorted by position.
pub fn tag_documents(model: &NerModel, docs: &mut [Document], opts: &NerOptions) -> Result<()> {
    let encoder = model.encoder();
    let prepared: Vec<Prepared> = docs.iter().map(|d| prepare(&encoder, d, opts)).collect::<Result<_>>()?;
    let refs: Vec<&Prepared> = prepared.iter().collect();
    let labels = infer(model, &refs, opts)?;
    for ((doc, prep), labs) in docs.iter_mut().zip(&prepared).zip(&labels) {
        apply(&model.labels, doc, prep, labs, opts);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(doc: &Document, opts: &NerOptions) -> Vec<(String, String)> {
        let sentences = segment::sentences(&doc.text);
        let words: Vec<&[Span]> = sentences.iter().map(|s| s.words.as_slice()).collect();
        windows(&sentences, opts)
            .iter()
            .map(|w| {
                let all: Vec<&str> = w.words(&words).iter().map(|&sp| doc.text.get(sp).unwrap_or_default()).collect();
                let core = &all[w.left + w.core_lo - w.lo..w.left + w.core_hi - w.lo];
                (all.join(" "), core.join(" "))
            })
            .collect()
    }

    #[test]
    fn windows_feed_words_of_the_neighbouring_sentences_and_keep_the_sentence_as_core() {
        let doc = Document::new("d", "Leeds beat Chelsea. Lee Bowyer scored twice. George Graham was pleased.");
        let opts = NerOptions { sentence_context_words: 2, ..NerOptions::default() };
        let got = texts(&doc, &opts);
        assert_eq!(got[0], ("Leeds beat Chelsea . Lee Bowyer".into(), "Leeds beat Chelsea .".into()));
        assert_eq!(got[1], ("Chelsea . Lee Bowyer scored twice . George Graham".into(), "Lee Bowyer scored twice .".into()));
        assert_eq!(got[2], ("twice . George Graham was pleased .".into(), "George Graham was pleased .".into()));
    }

    #[test]
    fn without_sentence_context_a_window_is_its_sentence_alone() {
        let doc = Document::new("d", "Leeds beat Chelsea. Lee Bowyer scored twice.");
        let got = texts(&doc, &NerOptions::default());
        assert_eq!(got[1].0, "Lee Bowyer scored twice .");
    }

    #[test]
    fn a_long_sentence_gets_neighbour_context_only_at_its_edges() {
        let long: Vec<String> = (0..30).map(|i| if i == 0 { "Then".to_string() } else { format!("w{i}") }).collect();
        let doc = Document::new("d", format!("Before this one. {}. After it.", long.join(" ")));
        let opts = NerOptions { window_words: 10, context_words: 2, sentence_context_words: 3, ..NerOptions::default() };
        let got = texts(&doc, &opts);
        // windows: sentence 0, four of sentence 1 (10 + 10 + 10 + 1 words), sentence 2
        assert!(got[1].0.starts_with("this one . Then w1"), "{:?}", got[1]);
        assert!(got[2].0.starts_with("w8 w9 w10"), "{:?}", got[2]);
        assert!(got[3].0.ends_with("w29 . After it ."), "{:?}", got[3]);
        assert_eq!(got.len(), 6);
        let cores: Vec<&str> = got.iter().map(|(_, c)| c.as_str()).collect();
        assert_eq!(cores.join(" ").split(' ').count(), 4 + 31 + 3);
    }
}
