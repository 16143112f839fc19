//! Running the NER model over documents: sentences become windows of words (long
//! sentences are cut into overlapping windows so nothing is truncated), windows from many
//! documents are batched together by length, and the labels come back as entity spans in
//! each document's annotations (plus ROLEs from the role rules that the model missed).

use super::decode::{bio_spans, trim, WordEntity};
use super::{predict_words, NerModel};
use crate::annotation::Label;
use crate::document::{Document, Span};
use crate::error::Result;
use crate::roles::{find_roles, WordTag};
use crate::segment;

/// Knobs of the NER stage.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct NerOptions {
    /// Sequences per forward pass.
    pub batch_size: usize,
    /// Word pieces per sequence at most (special tokens included).
    pub max_pieces: usize,
    /// Words per window core; longer sentences are split.
    pub window_words: usize,
    /// Words of context on each side of a window core.
    pub context_words: usize,
    /// Add ROLE mentions found by the role rules where the model found nothing.
    pub role_rules: bool,
}

impl Default for NerOptions {
    fn default() -> Self {
        NerOptions { batch_size: 32, max_pieces: 256, window_words: 80, context_words: 16, role_rules: true }
    }
}

/// A window: words `[lo, hi)` of one sentence are fed; labels are kept for `[core_lo, core_hi)`.
struct Window {
    doc: usize,
    sentence: usize,
    lo: usize,
    hi: usize,
    core_lo: usize,
    core_hi: usize,
}

/// Cuts every sentence into windows of at most `window_words` core words with
/// `context_words` of context on each side.
fn windows(sentences: &[Vec<segment::Sentence>], opts: &NerOptions) -> Vec<Window> {
    let mut out = vec![];
    for (d, sents) in sentences.iter().enumerate() {
        for (s, sent) in sents.iter().enumerate() {
            let n = sent.words.len();
            let core = opts.window_words.max(1);
            let mut lo = 0;
            while lo < n {
                let hi = (lo + core).min(n);
                out.push(Window {
                    doc: d,
                    sentence: s,
                    lo: lo.saturating_sub(opts.context_words),
                    hi: (hi + opts.context_words).min(n),
                    core_lo: lo,
                    core_hi: hi,
                });
                lo = hi;
            }
        }
    }
    out
}

/// The word sequences the model sees for these documents (one per window), for
/// benchmarks that time the bare forward pass on exactly the batches `annotate` runs.
pub fn model_inputs(docs: &[Document], opts: &NerOptions) -> Vec<Vec<String>> {
    let sentences: Vec<Vec<segment::Sentence>> = docs.iter().map(|d| segment::sentences(&d.text)).collect();
    windows(&sentences, opts)
        .iter()
        .map(|w| sentences[w.doc][w.sentence].words[w.lo..w.hi].iter().map(|&sp| docs[w.doc].text.slice(sp).to_string()).collect())
        .collect()
}

/// Tags the entities of all documents in one batched run. Entity spans are added to
/// each document's annotations, sorted by position.
pub fn tag_documents(model: &NerModel, docs: &mut [Document], opts: &NerOptions) -> Result<()> {
    let sentences: Vec<Vec<segment::Sentence>> = docs.iter().map(|d| segment::sentences(&d.text)).collect();
    let windows = windows(&sentences, opts);
    let texts: Vec<Vec<&str>> = windows
        .iter()
        .map(|w| {
            let doc = &docs[w.doc];
            sentences[w.doc][w.sentence].words[w.lo..w.hi].iter().map(|&sp| doc.text.slice(sp)).collect()
        })
        .collect();
    let labels = predict_words(model, &texts, opts.batch_size, opts.max_pieces)?;

    // Reassemble per-sentence labels from the window cores.
    let mut tags: Vec<Vec<Vec<(usize, f32)>>> =
        sentences.iter().map(|ss| ss.iter().map(|s| vec![(0usize, 0.0f32); s.words.len()]).collect()).collect();
    for (w, labs) in windows.iter().zip(&labels) {
        for i in w.core_lo..w.core_hi {
            let l = labs[i - w.lo];
            tags[w.doc][w.sentence][i] = (l.label, l.prob);
        }
    }
    drop(texts);
    for (d, doc) in docs.iter_mut().enumerate() {
        for (s, sent) in sentences[d].iter().enumerate() {
            let names: Vec<&str> = tags[d][s].iter().map(|(l, _)| model.labels[*l].as_str()).collect();
            let probs: Vec<f32> = tags[d][s].iter().map(|(_, p)| *p).collect();
            let mut found: Vec<WordEntity> =
                bio_spans(&names, &probs).into_iter().filter_map(|e| trim(&doc.text, &sent.words, e)).collect();
            relabel_non_organisations(doc, sent, &mut found);
            if opts.role_rules {
                add_rule_roles(doc, sent, &mut found);
            }
            for e in found {
                let span = Span::new(sent.words[e.start].start, sent.words[e.end - 1].end);
                doc.ann.add_span(e.label, span, Some(e.score));
            }
        }
        doc.ann.sort_spans();
    }
    Ok(())
}

/// Last words that make a name an act, event or award, not an organisation (the
/// guidelines leave those unannotated): `Mental Health Act`, `Adam Smith Lecture`.
const NOT_ORG_HEADS: &[&str] = &["act", "bill", "treaty", "convention", "lecture", "award", "awards", "prize", "festival", "cup", "championship", "championships", "olympics", "games"];

/// Relabels ORG (and PER) mentions that end in such a word as MISC.
fn relabel_non_organisations(doc: &Document, sent: &segment::Sentence, found: &mut [WordEntity]) {
    for e in found.iter_mut().filter(|e| matches!(e.label, Label::ORG | Label::PER) && e.end - e.start > 1) {
        let last = doc.text.slice(sent.words[e.end - 1]).to_lowercase();
        if NOT_ORG_HEADS.contains(&last.as_str()) {
            e.label = Label::MISC;
        }
    }
}

/// Merges the role rules with the model's entities in one sentence: a model ROLE that is
/// only an honorific before a name (`Dr`, `Professor`) is dropped; a model ROLE is
/// widened to the title phrase that contains it (`Trust chairman`); the rules' ROLEs
/// (titles tied to a person, unnamed sources, anaphoric `the TITLE`) are added on words
/// the model left outside any entity.
fn add_rule_roles(doc: &Document, sent: &segment::Sentence, found: &mut Vec<WordEntity>) {
    use crate::roles::{all_honorifics, anaphoric_roles, widen_role};
    let words: Vec<&str> = sent.words.iter().map(|&w| doc.text.slice(w)).collect();
    let tag_of = |l: Label| match l {
        Label::PER => WordTag::Per,
        Label::ORG => WordTag::Org,
        Label::LOC => WordTag::Loc,
        Label::MISC => WordTag::Misc,
        Label::ROLE => WordTag::Role,
        Label::QUOTE => WordTag::O,
    };
    // Honorific "roles" before a person.
    let persons: Vec<usize> = found.iter().filter(|e| e.label == Label::PER).map(|e| e.start).collect();
    found.retain(|e| !(e.label == Label::ROLE && all_honorifics(&words[e.start..e.end]) && persons.contains(&e.end)));
    // `Trust chairman`: a one-word generic organisation noun right before a ROLE is part
    // of the title, not a named ORG.
    let generic: Vec<usize> = found
        .iter()
        .enumerate()
        .filter(|(_, e)| {
            e.label == Label::ORG
                && e.end - e.start == 1
                && crate::roles::is_generic_org_noun(words[e.start])
                && found.iter().any(|r| r.label == Label::ROLE && r.start == e.end)
        })
        .map(|(i, _)| i)
        .collect();
    for &i in generic.iter().rev() {
        let org = found.remove(i);
        if let Some(r) = found.iter_mut().find(|r| r.label == Label::ROLE && r.start == org.end) {
            r.start = org.start;
        }
    }
    let mut tags = vec![WordTag::O; words.len()];
    for e in found.iter() {
        tags[e.start..e.end].iter_mut().for_each(|x| *x = tag_of(e.label));
    }
    // Widen model ROLEs over free words only.
    for e in found.iter_mut().filter(|e| e.label == Label::ROLE) {
        let (s, t) = widen_role(&words, &tags, e.start, e.end);
        if (s..t).all(|k| tags[k] == WordTag::O || tags[k] == WordTag::Role) {
            e.start = s;
            e.end = t;
        }
    }
    let mut tags = vec![WordTag::O; words.len()];
    for e in found.iter() {
        tags[e.start..e.end].iter_mut().for_each(|x| *x = tag_of(e.label));
    }
    // Remove ROLEs swallowed by a widened one.
    let mut kept: Vec<WordEntity> = vec![];
    found.sort_by_key(|e| (e.start, std::cmp::Reverse(e.end)));
    for e in found.drain(..) {
        if kept.last().is_some_and(|k| e.start < k.end) {
            continue;
        }
        kept.push(e);
    }
    *found = kept;
    let mut add = find_roles(&words, &tags);
    add.extend(anaphoric_roles(&words, &tags));
    for (s, e) in add {
        if tags[s..e].iter().all(|t| *t == WordTag::O) && !all_honorifics(&words[s..e]) {
            tags[s..e].iter_mut().for_each(|x| *x = WordTag::Role);
            found.push(WordEntity { start: s, end: e, label: Label::ROLE, score: 0.5 });
        }
    }
    found.sort_by_key(|e| e.start);
}
