//! [`name_cues`]: contexts that say what a name is (honorifics, organisation cues,
//! head nouns after an organisation).

use crate::annotation::{Annotations, Label};
use crate::document::{Span, Text};
use crate::lexicon;
use super::{covering, entity_index, has_org_head, is_name_label, text_after, word_start, words_around};

/// Contexts that say what a name is, wherever the tagger disagrees:
/// - after an honorific it is a person (`Mr Israel said`);
/// - a one-word name with an organisation cue at any of its mentions is an organisation at
///   all of them, unless it is also the surname of a person named in the document:
///   `shares in Merck`, `Merck shares`, `the oil firm Yukos`, `Merck, the drugmaker,`
///   (the head nouns of `data/lexicon/org_head_nouns.txt`);
/// - an organisation followed by a capitalised head noun takes it (`Welsh Assembly` +
///   `Government`).
pub fn name_cues(text: &Text, ann: &mut Annotations) {
    use std::collections::HashSet;
    let len = text.len_chars();
    // Honorifics: the capitalised word right before the name, with or without its period.
    for s in ann.spans.iter_mut().filter(|s| matches!(s.label, Label::LOC | Label::ORG | Label::MISC)) {
        if s.span.start < 2 || text.char_at(s.span.start - 1) != Some(' ') {
            continue;
        }
        let mut end = s.span.start - 1;
        if text.char_at(end - 1) == Some('.') {
            end -= 1;
        }
        let start = word_start(text, end);
        let honorific = text.get(Span::new(start, end)).is_some_and(lexicon::is_honorific);
        if start < end && text.char_at(start).is_some_and(char::is_uppercase) && honorific {
            s.label = Label::PER;
        }
    }
    // Organisation cues of one-word names.
    let surnames: HashSet<&str> = ann
        .spans
        .iter()
        .filter(|s| s.label == Label::PER)
        .filter_map(|s| {
            let t = text.get(s.span)?;
            t.contains(' ').then(|| t.rsplit(' ').next()).flatten()
        })
        .collect();
    let mut orgs: HashSet<String> = HashSet::new();
    // (Every mention is looked at, also one the tagger already called ORG: the cue is
    // what carries over to the others.)
    for s in ann.spans.iter().filter(|s| is_name_label(s.label)) {
        let Some(t) = text.get(s.span) else { continue };
        if t.contains(' ') || surnames.contains(t) {
            continue;
        }
        let (after, before) = words_around(text, s.span.start, s.span.end, 2);
        let shares_in = before.len() == 2 && before[0] == "shares" && (before[1] == "in" || before[1] == "of");
        let shares = after.first().is_some_and(|w| w == "shares" || w == "'s" && after.get(1).is_some_and(|w| w == "shares"));
        let headed = before.last().is_some_and(|w| has_org_head(w)) && text.char_at(s.span.start.wrapping_sub(1)) == Some(' ');
        let rest = text_after(text, s.span.end, 40);
        let apposition = ["the ", "a ", "an "].iter().any(|d| {
            rest.strip_prefix(", ").and_then(|r| r.strip_prefix(d)).is_some_and(|r| {
                let words: Vec<&str> = r.split([' ', ',', '.']).take(2).collect();
                words.first().is_some_and(|w| has_org_head(w)) || (words.len() == 2 && has_org_head(words[1]) && words[0].chars().all(char::is_alphabetic))
            })
        });
        if shares_in || shares || headed || apposition {
            orgs.insert(t.to_string());
        }
    }
    for s in ann.spans.iter_mut().filter(|s| is_name_label(s.label)) {
        if text.get(s.span).is_some_and(|t| orgs.contains(t)) {
            s.label = Label::ORG;
        }
    }
    // `Welsh Assembly` + `Government`.
    let index = entity_index(ann);
    for i in 0..ann.spans.len() {
        if ann.spans[i].label != Label::ORG {
            continue;
        }
        let end = ann.spans[i].span.end;
        if text.char_at(end) != Some(' ') || !text.char_at(end + 1).is_some_and(char::is_uppercase) {
            continue;
        }
        let mut e = end + 1;
        while e < len && text.char_at(e).is_some_and(char::is_alphabetic) {
            e += 1;
        }
        let headed = text.get(Span::new(end + 1, e)).is_some_and(has_org_head);
        if headed && covering(&index, end + 1, e).is_none() {
            ann.spans[i].span.end = e;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{pairs, run};
    use crate::annotation::Label;

    #[test]
    fn a_place_name_after_an_honorific_is_a_person() {
        let got = run("Mr Jordan said the deal was done. Mrs. Chelsea agreed.", &[(Label::LOC, "Jordan"), (Label::ORG, "Chelsea")]);
        assert_eq!(got, pairs(&[("PER", "Jordan"), ("PER", "Chelsea")]));
    }

    #[test]
    fn an_organisation_cue_at_one_mention_makes_every_mention_an_organisation() {
        let got = run(
            "Shares in Zentiva fell. Zentiva said it would appeal. The oil firm Petrol said so too, and Dunmore, the drugmaker, agreed.",
            &[(Label::ORG, "Zentiva"), (Label::PER, "Zentiva"), (Label::LOC, "Petrol"), (Label::PER, "Dunmore")],
        );
        assert!(got.iter().all(|(l, _)| l == "ORG"), "{got:?}");
    }

    #[test]
    fn a_surname_of_a_named_person_keeps_its_type_despite_a_cue() {
        let got = run("Ann Dunmore spoke. Dunmore shares rose.", &[(Label::PER, "Ann Dunmore"), (Label::PER, "Dunmore")]);
        assert_eq!(got, pairs(&[("PER", "Ann Dunmore"), ("PER", "Dunmore")]));
    }

    #[test]
    fn an_organisation_takes_a_capitalised_head_noun_after_it() {
        let got = run("The Welsh Assembly Government agreed.", &[(Label::ORG, "Welsh Assembly")]);
        assert_eq!(got, pairs(&[("ORG", "Welsh Assembly Government")]));
    }
}
