//! [`repeated_surnames`]: the surname of a person named in full, repeated where the
//! tagger missed it, is that person.

use crate::annotation::{Annotations, Label};
use crate::document::{Span, Text};
use crate::lexicon;
use super::{covering, entity_index};

/// The surname of a person named in full earlier or later in the document, repeated
/// where the tagger missed it (or called it MISC or LOC), is that person when the context
/// says it is a name: after an honorific (`Mr. Band wrote`), before a speech verb (`Cross
/// said`, `Cuban also complained`), after an inverted one (`Continued Stone:`), or
/// capitalised between lower-case words inside a sentence.
pub fn repeated_surnames(text: &Text, ann: &mut Annotations) {
    use std::collections::HashSet;
    let chars = text.as_chars();
    let surnames: HashSet<String> = ann
        .spans
        .iter()
        .filter(|s| s.label == Label::PER)
        .filter_map(|s| {
            let t = text.get(s.span)?;
            let words: Vec<&str> = t.split_whitespace().collect();
            let last = words.last()?.trim_end_matches("'s").trim_end_matches("’s");
            let ok = words.len() >= 2 && last.chars().count() >= 3 && last.chars().next().is_some_and(char::is_uppercase) && last.chars().all(|c| c.is_alphabetic() || c == '-');
            (ok && !lexicon::is_honorific(last) && !lexicon::is_title_abbreviation(last)).then(|| last.to_string())
        })
        .collect();
    if surnames.is_empty() {
        return;
    }
    // Words of the text as (start, end) char offsets (letters, hyphens, apostrophes).
    let mut words: Vec<(usize, usize)> = vec![];
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_alphabetic() {
            let start = i;
            while i < chars.len() && (chars[i].is_alphabetic() || chars[i] == '-' || chars[i] == '\'' || chars[i] == '’') {
                i += 1;
            }
            words.push((start, i));
        } else {
            if !chars[i].is_whitespace() {
                words.push((i, i + 1));
            }
            i += 1;
        }
    }
    let word = |k: usize| -> String { chars[words[k].0..words[k].1].iter().collect() };
    let index = entity_index(ann);
    let lower = |k: usize| word(k).to_lowercase();
    let mut relabel = vec![];
    let mut add = vec![];
    for k in 0..words.len() {
        let (a, b) = words[k];
        let w = word(k);
        if !surnames.contains(&w) {
            continue;
        }
        let covering = covering(&index, a, b);
        let retaggable = match covering {
            None => true,
            Some(j) => matches!(ann.spans[j].label, Label::MISC | Label::LOC) && ann.spans[j].span == Span::new(a, b),
        };
        if !retaggable {
            continue;
        }
        let prev = k.checked_sub(1).map(lower);
        let mut n = k + 1;
        while n < words.len() && (lexicon::ADVERBS.contains(lower(n).as_str()) || (lower(n).ends_with("ly") && lower(n).len() > 4)) {
            n += 1;
        }
        let next_verb = n < words.len() && lexicon::is_speech_verb(&lower(n)) && !chars[words[n].0].is_uppercase();
        let after_honorific = prev.as_deref().is_some_and(|p| lexicon::is_honorific(p)) || (prev.as_deref() == Some(".") && k >= 2 && lexicon::is_honorific(&lower(k - 2)));
        let after_inverted_verb = prev.as_deref().is_some_and(|p| lexicon::is_speech_verb(p)) && words.get(k + 1).is_some_and(|&(x, _)| matches!(chars[x], ':' | ',' | '.'));
        // `Paris, who used to work on Capitol Hill, said`: a relative clause about a person.
        let who = words.get(k + 1).is_some_and(|&(x, _)| chars[x] == ',') && words.get(k + 2).is_some_and(|_| lower(k + 2) == "who");
        let inside = covering.is_none()
            && k > 0
            && prev.as_deref().is_some_and(|p| p.chars().all(char::is_lowercase))
            && words.get(k + 1).is_some_and(|&(x, _)| chars[x].is_lowercase());
        if next_verb || after_honorific || after_inverted_verb || inside || who {
            match covering {
                Some(j) => relabel.push(j),
                None => add.push(Span::new(a, b)),
            }
        }
    }
    for j in relabel {
        ann.spans[j].label = Label::PER;
    }
    for span in add {
        ann.add_span(Label::PER, span, None);
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{pairs, run};
    use crate::annotation::Label;

    #[test]
    fn a_surname_tagged_as_a_place_before_a_relative_who_is_the_person() {
        let got = run("Dana Paris spoke first. Later, Paris, who used to work in the city, said more.", &[(Label::PER, "Dana Paris"), (Label::LOC, "Paris")]);
        assert_eq!(got, pairs(&[("PER", "Dana Paris"), ("PER", "Paris")]));
    }

    #[test]
    fn an_untagged_surname_of_a_named_person_is_that_person() {
        let text = "Roger Stone spoke on the radio.\n\nContinued Stone: “It is rigged.” Later Mr. Stone said more.";
        let got = run(text, &[(Label::PER, "Roger Stone")]);
        assert_eq!(got.iter().filter(|(l, t)| l == "PER" && t == "Stone").count(), 2, "{got:?}");
    }

    #[test]
    fn a_surname_as_a_common_word_at_a_sentence_start_is_left_alone() {
        let text = "Ann Cross left. Cross winds hit the coast.";
        let got = run(text, &[(Label::PER, "Ann Cross")]);
        assert_eq!(got, pairs(&[("PER", "Ann Cross")]));
    }
}
