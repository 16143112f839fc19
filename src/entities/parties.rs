//! [`parties`]: a party name or its member or adjective form is ORG; a ROLE opening
//! with one is split into the party and the role.

use crate::annotation::{Annotations, Label};
use crate::document::{Span, Text};
use crate::lexicon;

/// A party name or its member or adjective form (`data/lexicon/parties.txt`) is ORG,
/// whatever the tagger called it; a ROLE that opens with one (`Republican senator`,
/// `Lib Dem leader`) is split into the party (ORG) and the role, as the guidelines split
/// `Tory leader`.
pub fn parties(text: &Text, ann: &mut Annotations) {
    let mut split: Vec<(usize, Span)> = vec![];
    for (i, s) in ann.spans.iter_mut().enumerate() {
        if !s.label.is_entity() {
            continue;
        }
        let Some(t) = text.get(s.span) else { continue };
        if lexicon::is_party(t) {
            s.label = Label::ORG;
            continue;
        }
        if s.label == Label::ROLE {
            // The longest opening run of words that is a party, with words left after it.
            let words: Vec<(usize, &str)> = word_offsets(t);
            for n in (1..words.len()).rev() {
                let end = words[n - 1].0 + words[n - 1].1.chars().count();
                let head: String = t.chars().take(end).collect();
                if lexicon::is_party(&head) {
                    split.push((i, Span::new(s.span.start, s.span.start + end)));
                    s.span.start += words[n].0;
                    break;
                }
            }
        }
    }
    for (i, party) in split {
        let score = ann.spans[i].score;
        ann.add_span(Label::ORG, party, score);
    }
}

/// The words of a string with their char offsets.
fn word_offsets(t: &str) -> Vec<(usize, &str)> {
    let mut out = vec![];
    let mut start = None;
    let mut byte_start = 0;
    for (c, (b, ch)) in t.char_indices().enumerate() {
        if ch.is_whitespace() {
            if let Some(s) = start.take() {
                out.push((s, &t[byte_start..b]));
            }
        } else if start.is_none() {
            start = Some(c);
            byte_start = b;
        }
    }
    if let Some(s) = start {
        out.push((s, &t[byte_start..]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::tests::{pairs, run};
    use crate::annotation::Label;

    #[test]
    fn a_party_tagged_misc_is_an_organisation() {
        let got = run("The Tories and the Republicans met.", &[(Label::MISC, "Tories"), (Label::MISC, "Republicans")]);
        assert_eq!(got, pairs(&[("ORG", "Tories"), ("ORG", "Republicans")]));
    }

    #[test]
    fn a_role_opening_with_a_party_is_split_into_the_party_and_the_role() {
        let got = run("A Lib Dem leader spoke.", &[(Label::ROLE, "Lib Dem leader")]);
        assert_eq!(got, pairs(&[("ORG", "Lib Dem"), ("ROLE", "leader")]));
    }

    #[test]
    fn a_name_that_only_contains_a_party_word_is_left_alone() {
        let got = run("The Democratic Republic of Congo voted.", &[(Label::LOC, "Democratic Republic of Congo")]);
        assert_eq!(got, pairs(&[("LOC", "Democratic Republic of Congo")]));
    }
}
