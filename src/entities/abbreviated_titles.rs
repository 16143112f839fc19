//! [`abbreviated_titles`]: US abbreviated titles (`Sen.`, `Rep.`, `Gov.`) are ROLEs with
//! their period.

use crate::annotation::{Annotations, Label};
use crate::document::{Span, Text};
use crate::lexicon;
use super::{covering, entity_index, period_before_name, word_start};

/// US abbreviated titles (`Sen.`, `Rep.`, `Gov.`, `Lt. Gen.`) are ROLEs with their
/// period: a tagged one-word span that is a capitalised abbreviation before a name becomes
/// ROLE; a ROLE ending in one takes the period; an untagged one right before a person is
/// added as ROLE.
pub fn abbreviated_titles(text: &Text, ann: &mut Annotations) {
    let is_title = |t: &str| t.chars().next().is_some_and(char::is_uppercase) && !t.contains(' ') && lexicon::is_title_abbreviation(t);
    let person_at: std::collections::HashSet<usize> = ann.spans.iter().filter(|s| s.label == Label::PER).map(|s| s.span.start).collect();
    for s in ann.spans.iter_mut().filter(|s| s.label.is_entity()) {
        let Some(t) = text.get(s.span) else { continue };
        if s.label != Label::ROLE && is_title(t) && period_before_name(text, s.span.end) && person_at.contains(&(s.span.end + 2)) {
            s.label = Label::ROLE;
        }
    }
    let index = entity_index(ann);
    let covered = |pos: usize| covering(&index, pos, pos + 1).is_some();
    let mut extend = vec![];
    for (i, s) in ann.spans.iter().enumerate().filter(|(_, s)| s.label == Label::ROLE) {
        let Some(t) = text.get(s.span) else { continue };
        let last = t.rsplit(' ').next().unwrap_or(t);
        if is_title(last) && text.char_at(s.span.end) == Some('.') && !covered(s.span.end) {
            extend.push(i);
        }
    }
    for i in extend {
        ann.spans[i].span.end += 1;
    }
    let mut add = vec![];
    for s in ann.spans.iter().filter(|s| s.label == Label::PER) {
        // `Abbr. ` right before the person, the abbreviation a word of its own.
        let Some(period) = s.span.start.checked_sub(2) else { continue };
        if !period_before_name(text, period) {
            continue;
        }
        let start = word_start(text, period);
        let word = Span::new(start, period);
        if !word.is_empty() && text.get(word).is_some_and(is_title) && !covered(start) && !covered(period) {
            add.push(Span::new(start, period + 1));
        }
    }
    for span in add {
        ann.add_span(Label::ROLE, span, None);
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{pairs, run};
    use crate::annotation::Label;

    #[test]
    fn an_abbreviated_title_tagged_as_a_person_is_a_role_with_its_period() {
        let got = run("Sen. Ted Marsh spoke.", &[(Label::PER, "Sen"), (Label::PER, "Ted Marsh")]);
        assert_eq!(got, pairs(&[("ROLE", "Sen."), ("PER", "Ted Marsh")]));
    }

    #[test]
    fn a_role_ending_in_an_abbreviated_title_takes_the_period() {
        let got = run("Texas Rep. Ann Lowe spoke.", &[(Label::ROLE, "Texas Rep"), (Label::PER, "Ann Lowe")]);
        assert_eq!(got, pairs(&[("ROLE", "Texas Rep."), ("PER", "Ann Lowe")]));
    }

    #[test]
    fn an_untagged_abbreviated_title_before_a_person_is_added() {
        let got = run("Then Gov. Ann Lowe spoke.", &[(Label::PER, "Ann Lowe")]);
        assert_eq!(got, pairs(&[("ROLE", "Gov."), ("PER", "Ann Lowe")]));
    }

    #[test]
    fn a_capitalised_word_ending_a_sentence_is_not_an_abbreviated_title() {
        // `Gen` is an abbreviation only before a name: here a sentence ends after it.
        let got = run("They met at Gen. The rest went home.", &[(Label::ORG, "Gen")]);
        assert_eq!(got, pairs(&[("ORG", "Gen")]));
    }
}
