//! A read-only view of a document for the rule stages (coreference, relations,
//! attribution): its characters, words, sentences and paragraphs (from the text's index,
//! [`Text`]), and its entity mentions and quotes in text order, with the small lookups
//! those stages share ("the words between two positions", "the mention that ends here",
//! "is this position inside a quote").

use crate::annotation::{Annotations, Label};
use crate::document::{Span, Text};

/// An entity mention (PER, ORG, ROLE, LOC) of the annotations.
#[derive(Debug, Clone, PartialEq)]
pub struct Mention {
    pub id: String,
    pub label: Label,
    pub span: Span,
    pub text: String,
}

/// A word of the text (character span) with its lower-cased form.
#[derive(Debug, Clone, PartialEq)]
pub struct Word {
    pub span: Span,
    pub lower: String,
}

pub struct View<'a> {
    pub text: &'a Text,
    /// The text's characters ([`Text::as_chars`]).
    pub chars: &'a [char],
    pub words: Vec<Word>,
    /// Sentences as word-index ranges `[start, end)` into `words`, and their spans.
    pub sentences: Vec<(usize, usize, Span)>,
    /// Entity mentions (not MISC), by start.
    pub mentions: Vec<Mention>,
    /// Quote spans, by start.
    pub quotes: Vec<Span>,
}

impl<'a> View<'a> {
    pub fn new(text: &'a Text, ann: &Annotations) -> View<'a> {
        let chars = text.as_chars();
        let mut words = vec![];
        let mut sentences = vec![];
        for s in text.sentences() {
            let start = words.len();
            for w in &s.words {
                // Words are spans of this text.
                let lower = text.get(*w).unwrap_or_default().to_lowercase().replace('’', "'");
                words.push(Word { span: *w, lower });
            }
            sentences.push((start, words.len(), s.span));
        }
        let mut mentions: Vec<Mention> = ann
            .spans
            .iter()
            .filter(|s| s.label.is_entity() && s.label != Label::MISC)
            // A span that is not in the text (annotations read with another text) has no words.
            .map(|s| Mention { id: s.id.clone(), label: s.label, span: s.span, text: text.get(s.span).unwrap_or_default().to_string() })
            .collect();
        mentions.sort_by_key(|m| (m.span.start, m.span.end));
        let mut quotes: Vec<Span> = ann.quotes().map(|q| q.span).collect();
        quotes.sort_by_key(|q| q.start);
        View { text, chars, words, sentences, mentions, quotes }
    }

    /// Index of the first word starting at or after `pos`.
    pub fn word_at_or_after(&self, pos: usize) -> usize {
        self.words.partition_point(|w| w.span.start < pos)
    }

    /// Words lying entirely within `[start, end)`.
    pub fn words_in(&self, start: usize, end: usize) -> &[Word] {
        let a = self.word_at_or_after(start);
        let b = self.words.partition_point(|w| w.span.end <= end);
        if a <= b {
            &self.words[a..b]
        } else {
            &[]
        }
    }

    /// The sentence (index) containing character `pos`, or the nearest one before it.
    pub fn sentence_of(&self, pos: usize) -> usize {
        self.sentences.partition_point(|s| s.2.start <= pos).saturating_sub(1)
    }

    /// Is `pos` inside a quote span?
    pub fn in_quote(&self, pos: usize) -> bool {
        self.quote_containing(pos).is_some()
    }

    pub fn quote_containing(&self, pos: usize) -> Option<Span> {
        let i = self.quotes.partition_point(|q| q.start <= pos);
        (i > 0 && self.quotes[i - 1].end > pos).then(|| self.quotes[i - 1])
    }

    /// Mentions lying within `[start, end)`, in order.
    pub fn mentions_in(&self, start: usize, end: usize) -> impl Iterator<Item = &Mention> {
        self.mentions.iter().filter(move |m| m.span.start >= start && m.span.end <= end)
    }

    /// The paragraph (line) bounds around `pos` ([`Text::paragraph_of`]).
    pub fn paragraph_of(&self, pos: usize) -> Span {
        self.text.paragraph_of(pos)
    }

    /// The text between two positions, as a string.
    pub fn between(&self, start: usize, end: usize) -> String {
        if start >= end {
            return String::new();
        }
        self.chars[start..end.min(self.chars.len())].iter().collect()
    }

    /// The lower-cased words between two positions (punctuation included as words).
    pub fn lower_words(&self, start: usize, end: usize) -> Vec<&str> {
        self.words_in(start, end).iter().map(|w| w.lower.as_str()).collect()
    }
}

/// An honorific that may precede a name and stays outside PER spans (`Mr`, `Ms.`); the
/// list is `data/lexicon/honorifics.tsv` ([`crate::lexicon`]).
pub fn is_honorific(w: &str) -> bool {
    crate::lexicon::is_honorific(w)
}

/// A text with the given mentions annotated, each found in order after the previous one
/// (for the rule stages' unit tests).
#[cfg(test)]
pub(crate) fn test_doc(text: &str, mentions: &[(&str, Label)]) -> (Text, Annotations) {
    let t = Text::new(text.to_string());
    let mut ann = Annotations::default();
    let mut from = 0;
    for (m, label) in mentions {
        let b = text[from..].find(m).expect("mention in text") + from;
        let start = text[..b].chars().count();
        ann.add_span(*label, Span::new(start, start + m.chars().count()), None);
        from = b + m.len();
    }
    (t, ann)
}
