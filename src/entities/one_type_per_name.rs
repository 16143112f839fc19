//! [`one_type_per_name`]: one name, one type in a document, by summed scores.

use crate::annotation::{Annotations, Label};
use crate::document::Text;
use super::is_name_label;

/// One name, one type in a document: the mentions of a surface form tagged with different
/// types take the type with the highest summed score, except a mention whose own score is
/// high (0.9) while its type has at least half the winner's support (two entities that
/// share a name, `Jordan` the country and `Jordan` the player).
pub fn one_type_per_name(text: &Text, ann: &mut Annotations) {
    use std::collections::HashMap;
    let mut support: HashMap<&str, HashMap<Label, f32>> = HashMap::new();
    for s in ann.spans.iter().filter(|s| is_name_label(s.label)) {
        let Some(name) = text.get(s.span) else { continue };
        *support.entry(name).or_default().entry(s.label).or_default() += s.score.unwrap_or(0.5);
    }
    let winners: HashMap<&str, (Label, f32, HashMap<Label, f32>)> = support
        .into_iter()
        .filter(|(_, by)| by.len() > 1)
        .filter_map(|(t, by)| {
            let (&l, &sum) = by.iter().max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(a.0)))?;
            Some((t, (l, sum, by)))
        })
        .collect();
    for s in ann.spans.iter_mut().filter(|s| is_name_label(s.label)) {
        let Some((winner, sum, by)) = text.get(s.span).and_then(|name| winners.get(name)) else { continue };
        let own = by.get(&s.label).copied().unwrap_or(0.0);
        let keep = s.score.unwrap_or(0.5) >= 0.9 && own >= 0.5 * sum;
        if s.label != *winner && !keep {
            s.label = *winner;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{pairs, run};
    use crate::annotation::Label;

    #[test]
    fn a_name_tagged_with_two_types_takes_the_better_supported_one() {
        let text = "Dunmore said profits rose. Dunmore shares fell. Dunmore cut jobs. Analysts said Dunmore would recover.";
        let got = run(text, &[(Label::ORG, "Dunmore"), (Label::ORG, "Dunmore"), (Label::ORG, "Dunmore"), (Label::PER, "Dunmore")]);
        assert!(got.iter().all(|(l, _)| l == "ORG"), "{got:?}");
    }

    #[test]
    fn two_well_supported_types_of_one_name_both_stay() {
        let text = "Jordan scored twice. Jordan closed its border.";
        let got = run(text, &[(Label::PER, "Jordan"), (Label::LOC, "Jordan")]);
        assert_eq!(got, pairs(&[("PER", "Jordan"), ("LOC", "Jordan")]));
    }
}
