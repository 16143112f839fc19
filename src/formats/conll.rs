//! CoNLL export: one `word TAG` line per token, BIO tags over PER, ORG, LOC, MISC and
//! ROLE (QUOTE is not a token label), a blank line after each sentence and a
//! `-DOCSTART- O` line before each document, as [`crate::train::conll`] and
//! conlleval-style tools read it. The same conversion feeds brat documents to
//! `whosaid train` ([`brat_sentences`]).
//!
//! Words and sentences come from [`crate::segment`]. Where an entity boundary falls
//! inside a word (`Liverpool` in `Liverpool-based`) the word is split there, and
//! sentences that an entity runs across are joined, so every entity span maps to whole
//! tokens and the conversion loses none: joining an entity's tokens' character spans
//! gives back its offsets ([`TaggedSentence::entities`]). Overlapping entities cannot be
//! BIO; the later one is left out with a warning.

use super::review::{read_pair, Written};
use super::write_atomic;
use crate::annotation::SpanAnn;
use crate::document::{Document, Span};
use crate::error::{Error, Result};
use crate::segment;
use crate::train::conll::{self, Sentence};
use std::path::{Path, PathBuf};

/// A sentence's tokens as character spans of the document, with their BIO tags.
#[derive(Debug, Clone, PartialEq)]
pub struct TaggedSentence {
    pub tokens: Vec<Span>,
    pub tags: Vec<String>,
}

impl TaggedSentence {
    /// The entities as (type, character span): the inverse of the tagging.
    pub fn entities(&self) -> Vec<(String, Span)> {
        conll::spans(&self.tags)
            .into_iter()
            .map(|(ty, s, e)| (ty, Span::new(self.tokens[s].start, self.tokens[e - 1].end)))
            .collect()
    }
}

/// The document's sentences, tokenised and tagged; warnings name entities left out.
pub fn tag_document(doc: &Document) -> (Vec<TaggedSentence>, Vec<String>) {
    let mut warnings = vec![];
    let mut entities: Vec<&SpanAnn> = doc.ann.entities().filter(|s| !s.span.is_empty()).collect();
    entities.sort_by_key(|s| (s.span.start, std::cmp::Reverse(s.span.end)));
    let mut kept: Vec<&SpanAnn> = vec![];
    for e in entities {
        match kept.last() {
            Some(prev) if prev.span.overlaps(&e.span) => warnings.push(format!(
                "{} ({}) overlaps {} ({}) and is left out of the BIO tags",
                e.id, e.label, prev.id, prev.label
            )),
            _ => kept.push(e),
        }
    }

    // Sentences, joined where an entity runs across the gap between two of them.
    let mut sentences: Vec<Vec<Span>> = vec![];
    let mut last_end = 0;
    for s in segment::sentences(&doc.text) {
        let crosses = kept.iter().any(|e| e.span.start < last_end && e.span.end > s.span.start);
        match sentences.last_mut() {
            Some(prev) if crosses => prev.extend(s.words),
            _ => sentences.push(s.words),
        }
        last_end = s.span.end;
    }

    let mut out = vec![];
    for words in sentences {
        let mut tokens = vec![];
        for w in words {
            let mut cuts: Vec<usize> = kept
                .iter()
                .flat_map(|e| [e.span.start, e.span.end])
                .filter(|&c| c > w.start && c < w.end)
                .collect();
            cuts.sort_unstable();
            cuts.dedup();
            let mut start = w.start;
            for c in cuts.into_iter().chain([w.end]) {
                tokens.push(Span::new(start, c));
                start = c;
            }
        }
        let mut tags = Vec::with_capacity(tokens.len());
        let mut previous: Option<usize> = None;
        for t in &tokens {
            let inside = kept.iter().position(|e| e.span.contains(t));
            tags.push(match inside {
                Some(i) => format!("{}-{}", if previous == Some(i) { "I" } else { "B" }, kept[i].label),
                None => "O".to_string(),
            });
            previous = inside;
        }
        out.push(TaggedSentence { tokens, tags });
    }
    for e in &kept {
        let covered = out.iter().flat_map(|s| s.entities()).any(|(_, sp)| sp == e.span);
        if !covered {
            warnings.push(format!("{} ({}) does not cover whole tokens and is tagged approximately", e.id, e.label));
        }
    }
    (out, warnings)
}

/// The document as CoNLL sentences (`doc` is the document's index in its file).
pub fn sentences(doc: &Document, doc_index: usize) -> (Vec<Sentence>, Vec<String>) {
    let (tagged, warnings) = tag_document(doc);
    let sentences = tagged
        .into_iter()
        .map(|t| Sentence {
            words: t.tokens.iter().map(|s| doc.text.get(*s).unwrap_or_default().to_string()).collect(),
            tags: t.tags,
            doc: doc_index,
        })
        .collect();
    (sentences, warnings)
}

/// The CoNLL text of documents, with warnings prefixed by document id.
pub fn to_conll_string(docs: &[Document]) -> (String, Vec<String>) {
    let mut out = String::new();
    let mut warnings = vec![];
    for (i, doc) in docs.iter().enumerate() {
        let (sentences, w) = sentences(doc, i);
        warnings.extend(w.into_iter().map(|w| format!("{}: {w}", doc.id)));
        out.push_str("-DOCSTART- O\n\n");
        for s in sentences {
            for (word, tag) in s.words.iter().zip(&s.tags) {
                out.push_str(word);
                out.push(' ');
                out.push_str(tag);
                out.push('\n');
            }
            out.push('\n');
        }
    }
    (out, warnings)
}

/// Writes `OUT/corpus.conll`.
pub fn write(docs: &[Document], out: &Path) -> Result<Written> {
    let (text, warnings) = to_conll_string(docs);
    let path = out.join("corpus.conll");
    write_atomic(&path, text.as_bytes())?;
    Ok(Written { files: vec![path], warnings })
}

/// Training sentences from a folder of brat pairs (`X.txt` + `X.ann`, searched
/// recursively in name order). A `.txt` without its `.ann` is an error: a folder given
/// as training data must be labelled throughout. Documents are numbered from
/// `first_doc` (the `doc` field of [`Sentence`]).
pub fn brat_sentences(dir: &Path, first_doc: usize) -> Result<Vec<Sentence>> {
    let mut txts: Vec<PathBuf> = vec![];
    for entry in walkdir::WalkDir::new(dir).follow_links(true).sort_by_file_name() {
        let entry = entry.map_err(|e| {
            let path = e.path().map(Path::to_path_buf).unwrap_or_else(|| dir.to_path_buf());
            Error::input(&path, e.to_string())
        })?;
        if entry.file_type().is_file() && entry.path().extension().is_some_and(|x| x == "txt") {
            txts.push(entry.into_path());
        }
    }
    if txts.is_empty() {
        return Err(Error::input(dir, "no X.txt + X.ann pairs in this folder"));
    }
    let mut out = vec![];
    for (i, txt) in txts.iter().enumerate() {
        let id = txt.strip_prefix(dir).unwrap_or(txt).with_extension("").to_string_lossy().into_owned();
        let (doc, _) = read_pair(txt, id)?;
        let (sentences, _) = sentences(&doc, first_doc + i);
        out.extend(sentences);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::annotation::Label;

    fn doc(text: &str, spans: &[(Label, usize, usize)]) -> Document {
        let mut d = Document::new("d", text);
        for &(l, s, e) in spans {
            d.ann.add_span(l, Span::new(s, e), None);
        }
        d
    }

    fn tokens_and_tags(d: &Document) -> Vec<(String, String)> {
        let (s, _) = sentences(d, 0);
        s.iter().flat_map(|s| s.words.iter().cloned().zip(s.tags.iter().cloned())).collect()
    }

    #[test]
    fn a_word_is_split_where_an_entity_ends_inside_it() {
        let d = doc("A Liverpool-based firm.", &[(Label::LOC, 2, 11)]);
        let got = tokens_and_tags(&d);
        assert_eq!(got[1], ("Liverpool".to_string(), "B-LOC".to_string()));
        assert_eq!(got[2], ("-based".to_string(), "O".to_string()));
    }

    #[test]
    fn sentences_an_entity_runs_across_are_joined() {
        // The segmenter ends a sentence after "U.S." when a capitalised word follows.
        let text = "He joined U.S. Steel in May. Then left.";
        let plain = doc(text, &[]);
        assert_eq!(tag_document(&plain).0.len(), 3, "the segmenter splits after U.S.");
        let d = doc(text, &[(Label::ORG, 10, 20)]);
        let (tagged, warnings) = tag_document(&d);
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(tagged.len(), 2);
        let entities: Vec<(String, Span)> = tagged.iter().flat_map(|s| s.entities()).collect();
        assert_eq!(entities, vec![("ORG".to_string(), Span::new(10, 20))]);
    }

    #[test]
    fn quotes_are_not_token_labels() {
        let d = doc("“Yes,” said Ann.", &[(Label::QUOTE, 0, 6), (Label::PER, 12, 15)]);
        let tags: Vec<String> = tokens_and_tags(&d).into_iter().map(|(_, t)| t).collect();
        assert_eq!(tags, ["O", "O", "O", "O", "O", "B-PER", "O"]);
    }

    #[test]
    fn an_overlapping_entity_is_left_out_with_a_warning() {
        let d = doc("John Adler spoke.", &[(Label::PER, 0, 10), (Label::ORG, 5, 10)]);
        let (_, warnings) = tag_document(&d);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].contains("T2 (ORG) overlaps T1 (PER)"), "{warnings:?}");
    }
}
