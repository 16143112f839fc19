//! [`middle_initials`]: a person split at a middle initial's period is one person.

use crate::annotation::{Annotations, Label};
use crate::document::Text;
use super::{joined_score, period_before_name};

/// A name the tagger split at a middle initial's period (`Donald J` + `Trump`, `M` +
/// `Dane Waters`) is one person.
pub fn middle_initials(text: &Text, ann: &mut Annotations) {
    ann.sort_spans();
    let mut people: Vec<usize> = ann.spans.iter().enumerate().filter(|(_, s)| s.label == Label::PER).map(|(i, _)| i).collect();
    people.sort_by_key(|&i| ann.spans[i].span.start);
    let mut remove = vec![];
    let mut k = 0;
    while k + 1 < people.len() {
        let (a, b) = (people[k], people[k + 1]);
        let (sa, sb) = (ann.spans[a].span, ann.spans[b].span);
        let t = text.get(sa).unwrap_or_default();
        let initial = t.rsplit(' ').next().is_some_and(|w| w.chars().count() == 1 && w.chars().all(char::is_uppercase));
        if initial && sb.start == sa.end + 2 && period_before_name(text, sa.end) {
            ann.spans[a].span.end = sb.end;
            ann.spans[a].score = joined_score(ann.spans[a].score, ann.spans[b].score);
            remove.push(b);
            people.remove(k + 1);
            continue;
        }
        k += 1;
    }
    remove.sort_unstable();
    for i in remove.into_iter().rev() {
        ann.spans.remove(i);
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{pairs, run};
    use crate::annotation::Label;

    #[test]
    fn a_name_split_at_a_middle_initial_is_one_person() {
        let got = run("Donald J. Trump and M. Dane Waters spoke.", &[(Label::PER, "Donald J"), (Label::PER, "Trump"), (Label::PER, "M"), (Label::PER, "Dane Waters")]);
        assert_eq!(got, pairs(&[("PER", "Donald J. Trump"), ("PER", "M. Dane Waters")]));
    }

    #[test]
    fn two_people_after_a_sentence_ending_in_a_capital_stay_apart() {
        let got = run("He met Smith at Plan B. Jones left.", &[(Label::PER, "Smith"), (Label::PER, "Jones")]);
        assert_eq!(got, pairs(&[("PER", "Smith"), ("PER", "Jones")]));
    }
}
