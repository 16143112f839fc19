//! [`name_fragments`]: one organisation the tagger cut into touching spans is one span.

use crate::annotation::{Annotations, Label};
use crate::document::{Span, Text};
use crate::lexicon;
use super::{has_org_head, is_name_label, joined_score};

/// One organisation name the tagger cut into spans that touch across one space: a party
/// name in pieces (`Lib` + `Dem`), an organisation before a name whose words hold an
/// organisation head noun (`Democratic` + `National Committee`, `U.N.` + `Security
/// Council`, `University Hospitals` + `Bristol NHS Foundation Trust`), or an organisation
/// and a number (`BBC Radio` + `4`). Pairs are joined from the right, so a chain (`National`
/// + `Republican` + `Senatorial Committee`) becomes one span.
pub fn name_fragments(text: &Text, ann: &mut Annotations) {
    ann.sort_spans();
    let mut names: Vec<usize> = ann.spans.iter().enumerate().filter(|(_, s)| is_name_label(s.label)).map(|(i, _)| i).collect();
    names.sort_by_key(|&i| ann.spans[i].span.start);
    let mut remove = vec![];
    for k in (1..names.len()).rev() {
        let (a, b) = (names[k - 1], names[k]);
        let (sa, sb) = (ann.spans[a].span, ann.spans[b].span);
        if sb.start != sa.end + 1 || text.char_at(sa.end) != Some(' ') {
            continue;
        }
        // Spans not in the text are no fragments of a name.
        let (Some(first), Some(second), Some(joined)) = (text.get(sa), text.get(sb), text.get(Span::new(sa.start, sb.end))) else { continue };
        let (la, lb) = (ann.spans[a].label, ann.spans[b].label);
        let party = lexicon::is_party(joined);
        // A MISC first piece joins when it is no nationality or hyphenated modifier
        // (`League Against` + `Cruel Sports`; not `Chinese` + `Foreign Ministry`,
        // `Republican-held` + `Senate`).
        let misc_piece = la == Label::MISC && !first.contains('-') && !lexicon::NATIONALITIES.contains(first);
        let headed = (la == Label::ORG || misc_piece)
            && lb == Label::ORG
            && joined.split(' ').any(has_org_head);
        let numbered = la == Label::ORG && lb != Label::PER && second.chars().all(|c| c.is_ascii_digit());
        if !(party || headed || numbered) {
            continue;
        }
        ann.spans[a].span.end = sb.end;
        ann.spans[a].label = Label::ORG;
        ann.spans[a].score = joined_score(ann.spans[a].score, ann.spans[b].score);
        remove.push(b);
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
    fn a_party_name_in_two_pieces_is_one_organisation() {
        let got = run("The Lib Dem plan was costed.", &[(Label::ORG, "Lib"), (Label::MISC, "Dem")]);
        assert_eq!(got, pairs(&[("ORG", "Lib Dem")]));
    }

    #[test]
    fn an_organisation_before_a_headed_name_joins_it_from_the_right() {
        let got = run(
            "The National Republican Senatorial Committee and the Westbury Hospitals Avon Health Trust agreed.",
            &[(Label::ORG, "National"), (Label::MISC, "Republican"), (Label::ORG, "Senatorial Committee"), (Label::ORG, "Westbury Hospitals"), (Label::ORG, "Avon Health Trust")],
        );
        assert_eq!(got, pairs(&[("ORG", "National Republican Senatorial Committee"), ("ORG", "Westbury Hospitals Avon Health Trust")]));
    }

    #[test]
    fn an_organisation_and_a_number_are_one_name() {
        let got = run("He told Coast Radio 5 on Monday.", &[(Label::ORG, "Coast Radio"), (Label::MISC, "5")]);
        assert_eq!(got, pairs(&[("ORG", "Coast Radio 5")]));
    }

    #[test]
    fn touching_organisations_without_a_head_noun_stay_two() {
        let got = run("Senate Republicans met Acme Widgets staff.", &[(Label::ORG, "Senate"), (Label::ORG, "Republicans"), (Label::ORG, "Acme Widgets")]);
        assert_eq!(got, pairs(&[("ORG", "Senate"), ("ORG", "Republicans"), ("ORG", "Acme Widgets")]));
    }

    #[test]
    fn organisations_touching_across_a_slash_stay_two() {
        let got = run("An Acme Group/Westbury Council poll.", &[(Label::ORG, "Acme Group"), (Label::ORG, "Westbury Council")]);
        assert_eq!(got, pairs(&[("ORG", "Acme Group"), ("ORG", "Westbury Council")]));
    }

    #[test]
    fn a_misc_piece_and_a_headed_organisation_are_one_name_but_a_nationality_stays_out() {
        let got = run(
            "The League Against Cruel Sports and the Chinese Foreign Ministry spoke.",
            &[(Label::MISC, "League Against"), (Label::ORG, "Cruel Sports"), (Label::MISC, "Chinese"), (Label::ORG, "Foreign Ministry")],
        );
        assert_eq!(got, pairs(&[("ORG", "League Against Cruel Sports"), ("MISC", "Chinese"), ("ORG", "Foreign Ministry")]));
    }
}
