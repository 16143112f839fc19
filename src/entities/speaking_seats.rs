//! [`speaking_seats`]: a seat of government tagged LOC is ORG where it speaks.

use crate::annotation::{Annotations, Label};
use crate::document::Text;
use crate::lexicon;
use super::words_around;

/// A seat of government (`data/lexicon/government_seats.txt`) tagged LOC is ORG where it
/// speaks: before a speech verb (`the White House said`, `Downing Street has said`),
/// after `according to`, or as a role's premodifier (`a Kremlin spokesman`).
pub fn speaking_seats(text: &Text, ann: &mut Annotations) {
    let role_at: std::collections::HashSet<usize> = ann.spans.iter().filter(|s| s.label == Label::ROLE).map(|s| s.span.start).collect();
    for s in ann.spans.iter_mut().filter(|s| s.label == Label::LOC) {
        let Some(t) = text.get(s.span) else { continue };
        if !lexicon::GOVERNMENT_SEATS.contains(t.strip_prefix("the ").unwrap_or(t)) {
            continue;
        }
        let (after, before) = words_around(text, s.span.start, s.span.end, 3);
        let verb = after.iter().find(|w| !lexicon::AUXILIARIES.contains(w.as_str())).is_some_and(|w| lexicon::is_speech_verb(w));
        let according = before.windows(2).any(|w| w[0] == "according" && w[1] == "to");
        let premodifier = role_at.contains(&(s.span.end + 1));
        if verb || according || premodifier {
            s.label = Label::ORG;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{pairs, run};
    use crate::annotation::Label;

    #[test]
    fn a_seat_of_government_that_speaks_is_an_organisation() {
        let got = run("The White House said no. A Kremlin spokesman agreed.", &[(Label::LOC, "White House"), (Label::LOC, "Kremlin"), (Label::ROLE, "spokesman")]);
        assert_eq!(got, pairs(&[("ORG", "White House"), ("ORG", "Kremlin"), ("ROLE", "spokesman")]));
    }

    #[test]
    fn a_seat_of_government_as_a_place_stays_a_place() {
        let got = run("Crowds gathered outside the White House on Sunday.", &[(Label::LOC, "White House")]);
        assert_eq!(got, pairs(&[("LOC", "White House")]));
    }
}
