//! [`defined_acronyms`]: an acronym the text defines by a lower-case phrase is a common
//! noun, not a name.

use crate::annotation::{Annotations, Label};
use crate::document::{Span, Text};
use crate::lexicon;
use std::collections::HashSet;

/// An acronym the text defines by a lower-case phrase, before it (`high-definition
/// (HDTV)`, `child and adolescent mental health services (CAMHS)`, `personal video
/// recorders (PVRs)`) or after it (`GDP (gross domestic product)`), names a thing, not
/// a person, organisation or place: names are written with capitals, so their expansions
/// are too (`the Care Quality Commission (CQC)` is untouched). Every PER, ORG or LOC span
/// whose text is such an acronym is removed (MISC is left: CoNLL-2003 tags diseases and
/// some products MISC).
///
/// The phrase must spell the acronym from its start: the initials of its words (each
/// part of a hyphenated word counts, `and`/`of`/`the` and other function words do not)
/// are the acronym's first two letters or more, in order (`high-definition` gives `hd`
/// of `HDTV`); a phrase that only shares the first letter (`the broadcaster (BBC)`) or
/// leaves a word unmatched (`the world health body (WHO)`) defines nothing.
///
/// In CoNLL-2003 train the pattern occurs 14 times: the gold tags are O 9 times, MISC 4
/// times and ORG once (`crude distillation unit (CDU)`, an annotation slip); never PER or
/// LOC.
pub fn defined_acronyms(text: &Text, ann: &mut Annotations) {
    let mut common: HashSet<String> = HashSet::new();
    let len = text.len_chars();
    for (open, c) in text.chars() {
        if c != '(' {
            continue;
        }
        let Some(close) = (open + 1..len.min(open + 120)).find(|&i| matches!(text.char_at(i), Some(')' | '(' | '\n'))) else { continue };
        if text.char_at(close) != Some(')') {
            continue;
        }
        // Both inside the text (`open < close < len`).
        let inner = text.get(Span::new(open + 1, close)).unwrap_or_default().trim();
        let before = text.get(Span::new(open.saturating_sub(160), open)).unwrap_or_default();
        if let Some(letters) = acronym_letters(inner) {
            // `phrase (ACR)`: the lower-case words right before the bracket.
            let Some(phrase) = before.strip_suffix(' ') else { continue };
            let words: Vec<&str> = phrase.rsplit(' ').take_while(|w| is_lower_word(w)).collect::<Vec<_>>().into_iter().rev().collect();
            if spells_from_start(&words, &letters, true) {
                common.insert(inner.to_string());
            }
        } else {
            // `ACR (phrase)`: the word right before the bracket.
            let Some(word) = before.strip_suffix(' ').and_then(|b| b.rsplit([' ', '\n']).next()) else { continue };
            let Some(letters) = acronym_letters(word) else { continue };
            let words: Vec<&str> = inner.split(' ').collect();
            if words.iter().all(|w| is_lower_word(w)) && spells_from_start(&words, &letters, false) {
                common.insert(word.to_string());
            }
        }
    }
    if common.is_empty() {
        return;
    }
    ann.spans.retain(|s| !(matches!(s.label, Label::PER | Label::ORG | Label::LOC) && text.get(s.span).is_some_and(|t| common.contains(t))));
}

/// The lower-cased letters of an acronym (`HDTV`, `PVRs` without its plural `s`), or None
/// when the word is not one: 2 to 10 characters, capitals and digits, two capitals at
/// least.
fn acronym_letters(w: &str) -> Option<Vec<char>> {
    let core = w.strip_suffix('s').unwrap_or(w);
    let n = core.chars().count();
    let capitals = core.chars().filter(char::is_ascii_uppercase).count();
    let ok = (2..=10).contains(&n) && capitals >= 2 && core.chars().next().is_some_and(|c| c.is_ascii_uppercase()) && core.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
    ok.then(|| core.chars().filter(char::is_ascii_uppercase).map(|c| c.to_ascii_lowercase()).collect())
}

/// A word of lower-case letters (hyphens and apostrophes inside).
fn is_lower_word(w: &str) -> bool {
    !w.is_empty() && w.chars().next().is_some_and(char::is_lowercase) && w.chars().all(|c| c.is_lowercase() || c == '-' || c == '\'' || c == '’')
}

/// Do the initials of `words` (or of their last few, when `suffix`: the phrase before a
/// bracket may begin anywhere in the run of lower-case words) spell the acronym's first
/// two letters or more, every initial matched?
fn spells_from_start(words: &[&str], letters: &[char], suffix: bool) -> bool {
    let initials: Vec<char> = words
        .iter()
        .filter(|w| !(lexicon::DETERMINERS.contains(**w) || lexicon::PREPOSITIONS.contains(**w) || **w == "and"))
        .flat_map(|w| w.split('-').filter_map(|p| p.chars().next()))
        .collect();
    let spells = |from: usize| {
        let got = &initials[from..];
        got.len() >= 2 && got.len() <= letters.len() && letters.starts_with(got)
    };
    if suffix {
        (0..initials.len()).any(spells)
    } else {
        spells(0)
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{pairs, run};
    use crate::annotation::Label;

    #[test]
    fn an_acronym_defined_by_a_lower_case_phrase_before_it_is_no_organisation() {
        let text = "Sales of high-definition (HDTV) sets rose. HDTV broadcasts start in May.";
        let got = run(text, &[(Label::ORG, "HDTV"), (Label::ORG, "HDTV")]);
        assert_eq!(got, pairs(&[]));
    }

    #[test]
    fn an_acronym_defined_by_a_lower_case_phrase_after_it_is_no_organisation() {
        let got = run("GDP (gross domestic product) fell, and GDP may fall again.", &[(Label::ORG, "GDP"), (Label::ORG, "GDP")]);
        assert_eq!(got, pairs(&[]));
    }

    #[test]
    fn a_phrase_with_function_words_and_a_plural_acronym_still_spells_it() {
        let text = "Waiting lists for child and adolescent mental health services (CAMHS) grew. CAMHS staff left.";
        let got = run(text, &[(Label::ORG, "CAMHS"), (Label::ORG, "CAMHS")]);
        assert_eq!(got, pairs(&[]));
    }

    #[test]
    fn an_acronym_defined_by_a_capitalised_name_stays_an_organisation() {
        let text = "The Care Quality Commission (CQC) said the CQC would return.";
        let got = run(text, &[(Label::ORG, "Care Quality Commission"), (Label::ORG, "CQC"), (Label::ORG, "CQC")]);
        assert_eq!(got.iter().filter(|(l, _)| l == "ORG").count(), 3, "{got:?}");
    }

    #[test]
    fn a_description_that_shares_only_the_first_letter_defines_nothing() {
        let text = "He told the broadcaster (BBC) that the BBC had erred.";
        let got = run(text, &[(Label::ORG, "BBC"), (Label::ORG, "BBC")]);
        assert_eq!(got, pairs(&[("ORG", "BBC"), ("ORG", "BBC")]));
    }

    #[test]
    fn a_description_with_an_unmatched_word_defines_nothing() {
        let text = "Officials of the world health body (WHO) said the WHO would help.";
        let got = run(text, &[(Label::ORG, "WHO"), (Label::ORG, "WHO")]);
        assert_eq!(got, pairs(&[("ORG", "WHO"), ("ORG", "WHO")]));
    }

    #[test]
    fn a_misc_span_of_a_defined_acronym_is_left_alone() {
        let text = "Cases of bovine spongiform encephalopathy (BSE) fell.";
        let got = run(text, &[(Label::MISC, "BSE")]);
        assert_eq!(got, pairs(&[("MISC", "BSE")]));
    }
}
