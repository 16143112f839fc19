//! Sentences and words, as character spans of the document text.
//!
//! Words follow CoNLL-2003 tokenisation (the NER model's training data): punctuation is
//! split off, clitics (`'s`, `n't`) are separate words, hyphenated compounds, numbers
//! (`1,000.5`) and abbreviations (`U.S.`, `Mr.`) stay whole. Sentences end at `.`, `!`,
//! `?` (with any closing quotes or brackets) before whitespace, except after known
//! abbreviations and initials, and always at a paragraph break (a line break).
//!
//! Format characters (Unicode category Cf: soft hyphen U+00AD, zero-width space U+200B,
//! zero-width joiner U+200D, …) between two letters or digits are part of the word they
//! sit in (`Smi\u{ad}thson` is one word, its span covers the soft hyphen); the tokenizer
//! never sees them ([`strip_format`]).
//!
//! A text's sentences are made once, by [`Text::sentences`] (which calls `split`), over
//! its paragraphs ([`Text::paragraphs`]).
//!
//! Invariant: words never overlap, lie inside their sentence, and contain no whitespace.

use crate::document::{Span, Text};
use once_cell::sync::Lazy;
use regex::Regex;

/// A sentence: its span and its words (character spans).
#[derive(Debug, Clone, PartialEq)]
pub struct Sentence {
    pub span: Span,
    pub words: Vec<Span>,
}

static WORD: Lazy<Regex> = Lazy::new(|| {
    Regex::new(
        r"(?x)
        [A-Za-z](?:\.[A-Za-z])+\.?                  # U.S. / U.S / e.g.
      | \d+(?:[.,:/]\d+)*(?:[A-Za-z]+)?              # 1,000.5  3:30  1996-08-22 handled below  10th
      | (?i:n't)                                     # clitics (after a word)
      | ['’](?:s|S|re|ve|ll|d|m|D|M|RE|VE|LL)\b      # 's 're 've 'll 'd 'm
      | [\p{L}\p{M}\p{N}](?:\p{Cf}*[\p{L}\p{M}\p{N}])*                        # words, with format characters inside:
        (?:[-‐‑][\p{L}\p{M}\p{N}](?:\p{Cf}*[\p{L}\p{M}\p{N}])*)*                 # Smi\u{ad}thson; Secretary-General
        (?:['’]\p{L}(?:\p{Cf}*\p{L})*(?:[-‐‑][\p{L}\p{M}\p{N}](?:\p{Cf}*[\p{L}\p{M}\p{N}])*)*)*  # O'Neill
      | \S                                           # any other single character
    ",
    )
    .expect("word regex")
});

static FORMAT: Lazy<Regex> = Lazy::new(|| Regex::new(r"\p{Cf}+").expect("format regex"));

/// A word without its format characters (Unicode category Cf), as the word-piece
/// tokenizer is given it; borrowed when it has none. Offsets are never taken from it.
pub fn strip_format(word: &str) -> std::borrow::Cow<'_, str> {
    if word.is_ascii() {
        return std::borrow::Cow::Borrowed(word);
    }
    FORMAT.replace_all(word, "")
}

/// Words of a text range, as character spans.
pub fn words(text: &Text, range: Span) -> Vec<Span> {
    let Some(s) = text.get(range) else { return vec![] };
    let base = text.char_to_byte(range.start).unwrap_or(0);
    let mut out = vec![];
    for m in WORD.find_iter(s) {
        let mut ms = m.start();
        let me = m.end();
        let tok = m.as_str();
        // Split a clitic off the word before it: "isn't" -> "is" "n't".
        if let Some(pos) = tok.to_ascii_lowercase().rfind("n't") {
            if pos > 0 && pos + 3 == tok.len() {
                if let Some(sp) = text.byte_span(base + ms, base + ms + pos) {
                    out.push(sp);
                }
                ms += pos;
            }
        } else if let Some(pos) = possessive_at(tok) {
            if let Some(sp) = text.byte_span(base + ms, base + ms + pos) {
                out.push(sp);
            }
            ms += pos;
        }
        if let Some(sp) = text.byte_span(base + ms, base + me) {
            out.push(sp);
        }
    }
    out
}

/// Byte position of a trailing possessive/clitic (`'s`, `’s`, `'re`, …) inside a word.
fn possessive_at(tok: &str) -> Option<usize> {
    for suffix in ["'s", "’s", "'S", "’S", "'re", "’re", "'ve", "’ve", "'ll", "’ll", "'d", "’d", "'m", "’m"] {
        if tok.len() > suffix.len() && tok.ends_with(suffix) {
            return Some(tok.len() - suffix.len());
        }
    }
    None
}

/// The sentences of a text with their words: [`Text::sentences`], copied (for a caller
/// that keeps them apart from the text).
pub fn sentences(text: &Text) -> Vec<Sentence> {
    text.sentences().to_vec()
}

/// Splits a text into sentences with their words, paragraph by paragraph (what
/// [`Text::sentences`] holds; made there once).
pub(crate) fn split(text: &Text) -> Vec<Sentence> {
    let mut out = vec![];
    let chars = text.as_chars();
    for &para in text.paragraphs() {
        let ws = words(text, para);
        let mut cur: Vec<Span> = vec![];
        for (k, w) in ws.iter().enumerate() {
            cur.push(*w);
            if ends_sentence(text, chars, &ws, k) {
                out.push(make(cur.split_off(0)));
            }
        }
        if !cur.is_empty() {
            out.push(make(cur));
        }
    }
    out
}

fn make(words: Vec<Span>) -> Sentence {
    let span = Span::new(words[0].start, words[words.len() - 1].end);
    Sentence { span, words }
}

fn is_closer(c: char) -> bool {
    matches!(c, '"' | '\'' | '’' | '”' | ')' | ']' | '»')
}

/// Does the sentence end after word `k`?
fn ends_sentence(text: &Text, chars: &[char], ws: &[Span], k: usize) -> bool {
    let w = ws[k];
    // Words are spans of this text (from [`words`]).
    let word_at = |i: usize| text.get(ws[i]).unwrap_or_default();
    let word = word_at(k);
    let Some(next) = ws.get(k + 1) else { return false };
    // A closing quote/bracket right after a terminator belongs to this sentence.
    if is_closer(word.chars().next().unwrap_or(' ')) && w.len() == 1 {
        let prev = k.checked_sub(1).map(word_at);
        let after_terminator = prev.is_some_and(|p| matches!(p, "." | "!" | "?")) && ws[k - 1].end == w.start;
        return after_terminator && next.start > w.end && starts_sentence(text, *next);
    }
    let terminator = matches!(word, "." | "!" | "?") || (word.ends_with('.') && w.len() > 1 && ends_abbrev_sentence(word));
    if !terminator {
        return false;
    }
    // Followed by a closing quote: decide at the closer.
    if chars.get(w.end).is_some_and(|&c| is_closer(c)) && next.start == w.end {
        return false;
    }
    if next.start == w.end {
        return false;
    }
    if word == "." && k > 0 {
        let prev = word_at(k - 1).to_lowercase();
        let attached = ws[k - 1].end == w.start;
        let initial = prev.chars().count() == 1 && prev.chars().all(char::is_alphabetic);
        if attached && (crate::lexicon::is_abbreviation(&prev) || initial) {
            return false;
        }
    }
    starts_sentence(text, *next)
}

fn ends_abbrev_sentence(_word: &str) -> bool {
    // `U.S.` at a sentence end is ambiguous; only split when the next word starts one.
    true
}

fn starts_sentence(text: &Text, next: Span) -> bool {
    let c = text.get(next).and_then(|w| w.chars().next()).unwrap_or(' ');
    c.is_uppercase() || c.is_numeric() || matches!(c, '"' | '\'' | '‘' | '“' | '(' | '[')
}

/// Context for sentence `i` of a document: the last `k` words of the sentences before it
/// and the first `k` words of those after it (fewer at the document's edges). Training
/// and inference both take sentence context through this.
pub fn neighbour_words<'a, T>(sentences: &[&'a [T]], i: usize, k: usize) -> (Vec<&'a T>, Vec<&'a T>) {
    let mut left: Vec<&T> = sentences[..i].iter().rev().flat_map(|s| s.iter().rev()).take(k).collect();
    left.reverse();
    let right: Vec<&T> = sentences[i + 1..].iter().flat_map(|s| s.iter()).take(k).collect();
    (left, right)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word_texts(s: &str) -> Vec<String> {
        let t = Text::new(s.to_string());
        words(&t, Span::new(0, t.len_chars())).into_iter().map(|w| t.get(w).unwrap().to_string()).collect()
    }

    #[test]
    fn words_split_punctuation_and_possessives_like_conll() {
        assert_eq!(word_texts("The trust’s chief, Mr. Adler, isn't here."), vec![
            "The", "trust", "’s", "chief", ",", "Mr", ".", "Adler", ",", "is", "n't", "here", "."
        ]);
    }

    #[test]
    fn acronyms_numbers_and_hyphenated_words_stay_whole() {
        assert_eq!(word_texts("U.S. Secretary-General paid $1,000.50 on 3:30"), vec![
            "U.S.", "Secretary-General", "paid", "$", "1,000.50", "on", "3:30"
        ]);
    }

    #[test]
    fn sentences_end_at_terminators_but_not_after_abbreviations() {
        let t = Text::new("Mr. Smith spoke. Dr. Jones agreed! \"Yes.\" She left".to_string());
        let s: Vec<&str> = t.sentences().iter().map(|s| t.get(s.span).unwrap()).collect();
        assert_eq!(s, vec!["Mr. Smith spoke.", "Dr. Jones agreed!", "\"Yes.\"", "She left"]);
    }

    #[test]
    fn line_breaks_always_end_sentences() {
        let t = Text::new("Headline here\r\n\r\nBody text".to_string());
        let s: Vec<&str> = t.sentences().iter().map(|s| t.get(s.span).unwrap()).collect();
        assert_eq!(s, vec!["Headline here", "Body text"]);
    }

    #[test]
    fn format_characters_inside_a_word_keep_it_one_word() {
        for cf in ['\u{ad}', '\u{200b}', '\u{200d}', '\u{2060}', '\u{feff}'] {
            let s = format!("John Smi{cf}thson said Secre{cf}tary-Gen{cf}eral O'Ne{cf}ill");
            assert_eq!(word_texts(&s), vec![
                "John".to_string(),
                format!("Smi{cf}thson"),
                "said".to_string(),
                format!("Secre{cf}tary-Gen{cf}eral"),
                format!("O'Ne{cf}ill"),
            ], "U+{:04X}", cf as u32);
        }
    }

    #[test]
    fn a_word_with_a_format_character_spans_it_in_character_offsets() {
        let t = Text::new("Zoë Smi\u{ad}thson said".to_string());
        let ws = words(&t, Span::new(0, t.len_chars()));
        let got: Vec<(usize, usize)> = ws.iter().map(|w| (w.start, w.end)).collect();
        assert_eq!(got, vec![(0, 3), (4, 13), (14, 18)]);
    }

    #[test]
    fn the_tokenizer_gets_words_without_format_characters() {
        assert_eq!(strip_format("Smi\u{ad}th\u{200b}son"), "Smithson");
        assert!(matches!(strip_format("Zoë"), std::borrow::Cow::Borrowed("Zoë")));
    }

    #[test]
    fn word_spans_are_character_offsets() {
        let t = Text::new("😀 “Héllo” said Zoë".to_string());
        let ws = words(&t, Span::new(0, t.len_chars()));
        let got: Vec<(usize, usize)> = ws.iter().map(|w| (w.start, w.end)).collect();
        assert_eq!(got, vec![(0, 1), (2, 3), (3, 8), (8, 9), (10, 14), (15, 18)]);
    }
}
