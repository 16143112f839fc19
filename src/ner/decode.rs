//! From per-word BIO labels to entity spans, following the guidelines' span rules.

use crate::annotation::Label;
use crate::document::{Span, Text};

/// An entity found in a sentence: its words `[start, end)`, label and mean probability.
#[derive(Debug, Clone, PartialEq)]
pub struct WordEntity {
    pub start: usize,
    pub end: usize,
    pub label: Label,
    pub score: f32,
}

/// Decodes BIO labels (`B-PER`, `I-PER`, `O`, …). A stray `I-X` (after `O` or another
/// type) starts a new entity of type X, which repairs the model's usual slips.
pub fn bio_spans(tags: &[&str], probs: &[f32]) -> Vec<WordEntity> {
    let mut out: Vec<WordEntity> = vec![];
    let mut cur: Option<(usize, Label)> = None;
    let close = |cur: &mut Option<(usize, Label)>, end: usize, out: &mut Vec<WordEntity>| {
        if let Some((s, label)) = cur.take() {
            let score = probs[s..end].iter().sum::<f32>() / (end - s) as f32;
            out.push(WordEntity { start: s, end, label, score });
        }
    };
    for (i, tag) in tags.iter().enumerate() {
        let (prefix, ty) = if tag.len() > 2 { tag.split_at(2) } else { ("O", "") };
        let label = ty.parse::<Label>().ok().filter(|l| l.is_entity());
        match (prefix, label) {
            ("I-", Some(l)) if cur.is_some_and(|(_, c)| c == l) => {}
            ("B-" | "I-", Some(l)) => {
                close(&mut cur, i, &mut out);
                cur = Some((i, l));
            }
            _ => close(&mut cur, i, &mut out),
        }
    }
    close(&mut cur, tags.len(), &mut out);
    out
}

/// Words that join names but never begin or end one (`East and` + `North …`).
const LINKERS: &[&str] = &["and", "&", "of", "for", "in", "on", "at", "to", "or", "with", "by", "from"];

/// Trims a PER/ORG/ROLE/LOC word range per the guidelines: no honorific or determiner at
/// the start of a PER, no possessive `'s`, post-nominal or punctuation at the end.
/// Returns `None` when nothing is left.
pub fn trim(text: &Text, words: &[Span], mut e: WordEntity) -> Option<WordEntity> {
    // The sentence's words are spans of this text.
    let w = |i: usize| text.get(words[i]).unwrap_or_default().to_lowercase();
    let is_punct = |s: &str| s.chars().all(|c| !c.is_alphanumeric());
    while e.start < e.end {
        let first = w(e.start);
        let drop = is_punct(&first)
            || (e.label == Label::PER && (crate::lexicon::is_honorific(&first) || first == "."))
            || (e.label != Label::PER && matches!(first.as_str(), "the" | "a" | "an"))
            || LINKERS.contains(&first.as_str());
        if !drop {
            break;
        }
        e.start += 1;
    }
    while e.end > e.start {
        let last = w(e.end - 1);
        let drop = matches!(last.as_str(), "'s" | "’s" | "'" | "’")
            || (is_punct(&last) && last != ")" && last != ".")
            || (last == "." && e.end - e.start == 1)
            || (e.label == Label::PER && crate::lexicon::POST_NOMINALS.contains(last.as_str()) && e.end - e.start > 1)
            || LINKERS.contains(&last.as_str())
            || matches!(last.as_str(), "the" | "a" | "an");
        if !drop {
            break;
        }
        e.end -= 1;
    }
    (e.start < e.end).then_some(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stray_inside_tags_start_entities() {
        let s = bio_spans(&["O", "I-PER", "I-PER", "B-ORG", "I-LOC"], &[1.0; 5]);
        let got: Vec<(usize, usize, Label)> = s.iter().map(|e| (e.start, e.end, e.label)).collect();
        assert_eq!(got, vec![(1, 3, Label::PER), (3, 4, Label::ORG), (4, 5, Label::LOC)]);
    }

    #[test]
    fn the_score_is_the_mean_word_probability() {
        let s = bio_spans(&["B-ORG", "I-ORG"], &[0.5, 1.0]);
        assert!((s[0].score - 0.75).abs() < 1e-6);
    }

    #[test]
    fn dangling_conjunctions_prepositions_and_articles_are_trimmed() {
        let text = Text::new("AN NHS trust at East and North".to_string());
        let words = crate::segment::words(&text, Span::new(0, text.len_chars()));
        assert!(trim(&text, &words, WordEntity { start: 0, end: 1, label: Label::ORG, score: 1.0 }).is_none());
        let e = trim(&text, &words, WordEntity { start: 4, end: 6, label: Label::ORG, score: 1.0 }).unwrap();
        assert_eq!((e.start, e.end), (4, 5));
    }

    #[test]
    fn honorifics_and_possessives_are_trimmed_from_people() {
        let text = Text::new("Dr Paul Lelliott ’s report".to_string());
        let words = crate::segment::words(&text, Span::new(0, text.len_chars()));
        let e = trim(&text, &words, WordEntity { start: 0, end: 4, label: Label::PER, score: 1.0 }).unwrap();
        assert_eq!((e.start, e.end), (1, 3));
    }
}
