//! The candidates of a quote: the PER, ORG and ROLE mentions and the subject pronouns
//! outside quotes within a window of sentences around it, computed from the same
//! [`View`] the rule sieves read, so training and inference see the same candidates.
//!
//! The window runs from two sentences before the sentence of the quote's opening mark to
//! one sentence after the sentence of its closing mark, and only over the quote's own
//! paragraph and the paragraphs next to it.

use crate::annotation::Label;
use crate::document::Span;
use crate::mentions::View;

/// Sentences of context before the quote's first sentence.
pub const SENTENCES_BEFORE: usize = 2;
/// Sentences of context after the quote's last sentence.
pub const SENTENCES_AFTER: usize = 1;

/// Is this (lower-cased) word a pronoun that can stand for a speaker: a subject pronoun
/// of `data/lexicon/pronouns.tsv`, or `I` and `you` (which the rule sieves leave out, but
/// the ranker scores as the features it was trained with; `who` is resolved to the
/// mention before it in training, see [`super::training`])?
pub fn is_pronoun(w: &str) -> bool {
    crate::lexicon::pronoun(w).is_some() || w == "i" || w == "you"
}

/// What a candidate refers to in the [`View`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CandidateKind {
    /// Index into [`View::mentions`].
    Mention(usize),
    /// Index into [`View::words`] of a pronoun.
    Pronoun(usize),
}

/// A candidate speaker of a quote.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub kind: CandidateKind,
    pub span: Span,
    /// PER, ORG or ROLE for a mention; `None` for a pronoun.
    pub label: Option<Label>,
    /// Words `[start, end)` (indices into [`View::words`]) the candidate covers.
    pub words: (usize, usize),
}

impl Candidate {
    /// 0 PER, 1 ORG, 2 ROLE, 3 pronoun: the type the model is told.
    pub fn type_index(&self) -> i64 {
        match self.label {
            Some(Label::PER) => 0,
            Some(Label::ORG) => 1,
            Some(_) => 2,
            None => 3,
        }
    }
}

/// A quote's window: its words, the quote's own words and the candidates, in text order.
#[derive(Debug, Clone, PartialEq)]
pub struct Window {
    /// Words `[start, end)` of the window.
    pub words: (usize, usize),
    /// Words `[start, end)` inside the quote (empty when the quote holds no word).
    pub quote_words: (usize, usize),
    pub candidates: Vec<Candidate>,
}

/// Paragraph number of every sentence of the view (a sentence never crosses a line
/// break; two sentences share a paragraph when no line break lies between them).
pub fn sentence_paragraphs(view: &View) -> Vec<usize> {
    let mut out = Vec::with_capacity(view.sentences.len());
    let mut para = 0;
    for (i, s) in view.sentences.iter().enumerate() {
        if i > 0 {
            let prev_end = view.sentences[i - 1].2.end;
            let gap = &view.chars[prev_end.min(view.chars.len())..s.2.start.min(view.chars.len())];
            if gap.iter().any(|&c| c == '\n' || c == '\r') {
                para += 1;
            }
        }
        out.push(para);
    }
    out
}

/// The window and candidates of `quote` (`paragraphs` from [`sentence_paragraphs`]).
pub fn window(view: &View, paragraphs: &[usize], quote: Span) -> Window {
    if view.sentences.is_empty() {
        return Window { words: (0, 0), quote_words: (0, 0), candidates: vec![] };
    }
    let open = view.sentence_of(quote.start);
    let close = view.sentence_of(quote.end.saturating_sub(1).max(quote.start)).max(open);
    let (p_open, p_close) = (paragraphs[open], paragraphs[close]);
    let mut lo = open;
    while lo > 0 && open - (lo - 1) <= SENTENCES_BEFORE && paragraphs[lo - 1] + 1 >= p_open {
        lo -= 1;
    }
    let mut hi = close;
    while hi + 1 < view.sentences.len() && hi + 1 - close <= SENTENCES_AFTER && paragraphs[hi + 1] <= p_close + 1 {
        hi += 1;
    }
    let words = (view.sentences[lo].0, view.sentences[hi].1);
    let range = Span::new(view.sentences[lo].2.start, view.sentences[hi].2.end);
    let qa = view.word_at_or_after(quote.start).clamp(words.0, words.1);
    let qb = view.words.partition_point(|w| w.span.start < quote.end).clamp(qa, words.1);
    let outside = |s: Span| {
        range.contains(&s) && !s.overlaps(&quote) && !view.quotes.iter().any(|q| q.overlaps(&s))
    };
    let words_of = |s: Span| {
        let a = view.words.partition_point(|w| w.span.end <= s.start);
        let b = view.words.partition_point(|w| w.span.start < s.end);
        (a, b.max(a))
    };
    let mut candidates: Vec<Candidate> = view
        .mentions
        .iter()
        .enumerate()
        .filter(|(_, m)| matches!(m.label, Label::PER | Label::ORG | Label::ROLE) && outside(m.span))
        .map(|(i, m)| Candidate { kind: CandidateKind::Mention(i), span: m.span, label: Some(m.label), words: words_of(m.span) })
        .filter(|c| c.words.0 < c.words.1)
        .collect();
    for w in words.0..words.1 {
        let word = &view.words[w];
        if is_pronoun(&word.lower)
            && outside(word.span)
            && !view.mentions.iter().any(|m| m.span.overlaps(&word.span))
        {
            candidates.push(Candidate { kind: CandidateKind::Pronoun(w), span: word.span, label: None, words: (w, w + 1) });
        }
    }
    candidates.sort_by_key(|c| (c.span.start, c.span.end));
    Window { words, quote_words: (qa, qb), candidates }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::annotation::Label;
    use crate::mentions::test_doc;

    fn texts(view: &View, w: &Window) -> Vec<String> {
        w.candidates.iter().map(|c| view.text.get(c.span).unwrap().to_string()).collect()
    }

    fn quote_of(text: &str, q: &str) -> Span {
        let b = text.find(q).expect("quote in text");
        let s = text[..b].chars().count();
        Span::new(s, s + q.chars().count())
    }

    #[test]
    fn candidates_are_the_mentions_and_pronouns_outside_the_quote() {
        let text = "Mayor Ann Lee met the council. She said: \"Tom Fry and I disagree.\" Then she left.";
        let (t, mut ann) = test_doc(text, &[("Mayor", Label::ROLE), ("Ann Lee", Label::PER), ("council", Label::ORG), ("Tom Fry", Label::PER)]);
        let q = quote_of(text, "\"Tom Fry and I disagree.\"");
        ann.add_span(Label::QUOTE, q, None);
        let view = View::new(&t, &ann);
        let w = window(&view, &sentence_paragraphs(&view), q);
        assert_eq!(texts(&view, &w), vec!["Mayor", "Ann Lee", "council", "She", "she"]);
        assert_eq!(w.candidates[3].label, None);
        assert_eq!(w.candidates[1].type_index(), 0);
        let quoted: Vec<&str> = (w.quote_words.0..w.quote_words.1).map(|i| view.text.get(view.words[i].span).unwrap()).collect();
        assert_eq!(quoted.first(), Some(&"\""));
        assert_eq!(quoted.last(), Some(&"\""));
        assert!(quoted.contains(&"Fry"));
    }

    #[test]
    fn the_window_is_two_sentences_before_and_one_after() {
        let text = "Ada Bell spoke first. Cy Dunn spoke next. Ed Fox waited. \"We are ready.\" Gil Hay nodded. Ivy Joy left.";
        let names = ["Ada Bell", "Cy Dunn", "Ed Fox", "Gil Hay", "Ivy Joy"];
        let mentions: Vec<(&str, Label)> = names.iter().map(|n| (*n, Label::PER)).collect();
        let (t, mut ann) = test_doc(text, &mentions);
        let q = quote_of(text, "\"We are ready.\"");
        ann.add_span(Label::QUOTE, q, None);
        let view = View::new(&t, &ann);
        let w = window(&view, &sentence_paragraphs(&view), q);
        assert_eq!(texts(&view, &w), vec!["Cy Dunn", "Ed Fox", "Gil Hay"]);
    }

    #[test]
    fn the_window_stays_within_the_adjacent_paragraphs() {
        let text = "Ada Bell arrived.\n\nCy Dunn sat down.\n\n\"It is late,\" he said.\n\nEd Fox agreed.\n\nGil Hay left.";
        let (t, mut ann) = test_doc(text, &[("Ada Bell", Label::PER), ("Cy Dunn", Label::PER), ("Ed Fox", Label::PER), ("Gil Hay", Label::PER)]);
        let q = quote_of(text, "\"It is late,\"");
        ann.add_span(Label::QUOTE, q, None);
        let view = View::new(&t, &ann);
        let w = window(&view, &sentence_paragraphs(&view), q);
        assert_eq!(texts(&view, &w), vec!["Cy Dunn", "he", "Ed Fox"]);
    }

    #[test]
    fn mentions_inside_other_quotes_are_not_candidates() {
        let text = "\"Ask Bo Carr,\" Di Eng said. \"He knows.\"";
        let (t, mut ann) = test_doc(text, &[("Bo Carr", Label::PER), ("Di Eng", Label::PER)]);
        ann.add_span(Label::QUOTE, quote_of(text, "\"Ask Bo Carr,\""), None);
        let q = quote_of(text, "\"He knows.\"");
        ann.add_span(Label::QUOTE, q, None);
        let view = View::new(&t, &ann);
        let w = window(&view, &sentence_paragraphs(&view), q);
        assert_eq!(texts(&view, &w), vec!["Di Eng"]);
    }

    #[test]
    fn a_document_without_sentences_has_no_candidates() {
        let (t, ann) = test_doc(" ", &[]);
        let view = View::new(&t, &ann);
        let w = window(&view, &sentence_paragraphs(&view), Span::new(0, 1));
        assert!(w.candidates.is_empty());
    }
}
