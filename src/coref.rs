//! Coreference of names: groups the mentions of one person or organisation into brat
//! `*	Equiv` groups. No group mixes entity types.
//!
//! - **People**: a full name starts a group; a later mention joins the most recent group
//!   whose full name ends with the same surname (`Tony Blair` … `Blair`; the `Mr` of
//!   `Mr Blair` is outside the span already) or, for a lone word with no surname match,
//!   begins with it (`Graeme Souness` … `Graeme`). Two full names join only when their
//!   surnames agree and their first names are equal or one is an initial.
//! - **Organisations**: the same name up to case, a leading `the` and a possessive `'s`;
//!   an acronym and its long form (`CQC` ↔ `Care Quality Commission`, by the initials of
//!   the capitalised words, or introduced in brackets right after the long form).
//! - ROLE and LOC mentions are not grouped (a ROLE links to its holder with HasRole).

use crate::annotation::{Annotations, Label};
use crate::document::Text;
use crate::mentions::{Mention, View};
use crate::stage::{Layer, Stage, StageDoc};

const STOP: &[&str] = &["of", "the", "and", "for", "&", "in", "on", "at", "de", "du", "la", "le"];

/// Normalised tokens of a name: possessive dropped, leading `the` dropped, lower case.
fn name_tokens(text: &str) -> Vec<String> {
    let mut t = text.trim().to_string();
    for suffix in ["'s", "’s", "'", "’"] {
        if let Some(x) = t.strip_suffix(suffix) {
            t = x.to_string();
        }
    }
    let mut toks: Vec<String> = t
        .split(|c: char| c.is_whitespace())
        .filter(|w| !w.is_empty())
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'' && c != '-' && c != '&').to_lowercase())
        .filter(|w| !w.is_empty())
        .collect();
    if toks.len() > 1 && toks[0] == "the" {
        toks.remove(0);
    }
    toks
}

/// The initials of an organisation name's significant words (`Care Quality Commission` →
/// `cqc`); words joined by hyphens count once.
fn initials(text: &str) -> String {
    text.split_whitespace()
        .filter(|w| !STOP.contains(&w.to_lowercase().as_str()))
        .filter_map(|w| w.chars().find(|c| c.is_alphanumeric()))
        .flat_map(char::to_lowercase)
        .collect()
}

fn is_acronym(text: &str) -> bool {
    let letters: Vec<char> = text.chars().filter(|c| c.is_alphabetic()).collect();
    (2..=8).contains(&letters.len())
        && !text.contains(' ')
        && letters.iter().filter(|c| c.is_uppercase()).count() * 2 > letters.len()
}

fn compatible_first(a: &str, b: &str) -> bool {
    a == b || (a.len() <= 2 && b.starts_with(a.trim_end_matches('.'))) || (b.len() <= 2 && a.starts_with(b.trim_end_matches('.')))
}

/// A group under construction: member indices into the mentions, and the longest name.
struct Group {
    label: Label,
    members: Vec<usize>,
    rep: Vec<String>,
    rep_text: String,
}

fn person_matches(g: &Group, toks: &[String]) -> bool {
    if toks.is_empty() || g.rep.is_empty() {
        return false;
    }
    let (gl, tl) = (g.rep.len(), toks.len());
    if tl == 1 {
        return g.rep[gl - 1] == toks[0];
    }
    if gl == 1 {
        return toks[tl - 1] == g.rep[0];
    }
    g.rep[gl - 1] == toks[tl - 1] && compatible_first(&g.rep[0], &toks[0])
}

fn org_matches(g: &Group, m: &Mention, toks: &[String], bracketed_after: Option<&str>) -> bool {
    if g.rep == toks {
        return true;
    }
    let acr = |short: &str, long: &str| {
        let short_l: String = short.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect();
        let ini = initials(long);
        short_l.len() >= 2 && (ini == short_l || (short_l.len() >= 3 && ini.starts_with(&short_l)))
    };
    if is_acronym(&m.text) && !is_acronym(&g.rep_text) && acr(&m.text, &g.rep_text) {
        return true;
    }
    if is_acronym(&g.rep_text) && !is_acronym(&m.text) && acr(&g.rep_text, &m.text) {
        return true;
    }
    bracketed_after.is_some_and(|b| b == m.text)
}

/// Computes the Equiv groups of a document's PER and ORG mentions (groups of two or more,
/// each sorted by position, ordered by first mention).
pub fn groups(text: &Text, ann: &Annotations) -> Vec<Vec<String>> {
    groups_in(&View::new(text, ann))
}

/// [`groups`] on a view the caller already built.
pub fn groups_in(view: &View) -> Vec<Vec<String>> {
    let ms = &view.mentions;
    let mut groups: Vec<Group> = vec![];
    // For each ORG mention, an acronym in brackets right after it: `Care Quality Commission (CQC)`.
    let bracket_after = |i: usize| -> Option<&str> {
        let m = &ms[i];
        let next = ms.get(i + 1)?;
        let gap = view.between(m.span.end, next.span.start);
        (gap.trim() == "(" && next.label == Label::ORG).then_some(next.text.as_str())
    };
    for (i, m) in ms.iter().enumerate() {
        if !matches!(m.label, Label::PER | Label::ORG) {
            continue;
        }
        let toks = name_tokens(&m.text);
        if toks.is_empty() {
            continue;
        }
        let found = groups.iter().enumerate().rev().find(|(_, g)| {
            g.label == m.label
                && match m.label {
                    Label::PER => person_matches(g, &toks),
                    _ => {
                        let first = g.members[0];
                        org_matches(g, m, &toks, bracket_after(first))
                    }
                }
        });
        match found.map(|(k, _)| k) {
            Some(k) => {
                let g = &mut groups[k];
                g.members.push(i);
                if toks.len() > g.rep.len() {
                    g.rep = toks;
                    g.rep_text = m.text.clone();
                }
            }
            None => {
                // A lone first name joins the most recent full name that begins with it.
                if m.label == Label::PER && toks.len() == 1 {
                    if let Some(g) = groups
                        .iter_mut()
                        .rev()
                        .find(|g| g.label == Label::PER && g.rep.len() > 1 && g.rep[0] == toks[0])
                    {
                        g.members.push(i);
                        continue;
                    }
                }
                groups.push(Group { label: m.label, members: vec![i], rep: toks, rep_text: m.text.clone() });
            }
        }
    }
    groups
        .into_iter()
        .filter(|g| g.members.len() > 1)
        .map(|g| g.members.into_iter().map(|i| ms[i].id.clone()).collect())
        .collect()
}

/// Coreference as a pipeline stage: the Equiv groups of the view's mentions.
pub struct Coreference;

impl Stage for Coreference {
    fn name(&self) -> &'static str {
        "coref"
    }
    fn reads(&self) -> &'static [Layer] {
        &[Layer::Text, Layer::Entities]
    }
    fn writes(&self) -> &'static [Layer] {
        &[Layer::Groups]
    }
    fn run(&self, doc: &mut StageDoc<'_>) {
        let (view, ann) = doc.view();
        ann.equivs = groups_in(view);
    }
}

/// Replaces the document's Equiv groups with the computed ones.
pub fn group_mentions(text: &Text, ann: &mut Annotations) {
    ann.equivs = groups(text, ann);
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::mentions::test_doc as doc;

    fn texts(t: &Text, ann: &Annotations) -> Vec<Vec<String>> {
        groups(t, ann).iter().map(|g| g.iter().map(|id| t.get(ann.span(id).unwrap().span).unwrap().to_string()).collect()).collect()
    }

    #[test]
    fn full_name_surname_and_honorific_surname_are_one_person() {
        let (t, a) = doc("Tony Blair spoke. Mr Blair said more. Blair left.", &[("Tony Blair", Label::PER), ("Blair", Label::PER), ("Blair", Label::PER)]);
        assert_eq!(texts(&t, &a), vec![vec!["Tony Blair", "Blair", "Blair"]]);
    }

    #[test]
    fn different_people_with_different_surnames_stay_apart() {
        let (t, a) = doc("Jack Straw met Michael Ancram. Straw spoke.", &[("Jack Straw", Label::PER), ("Michael Ancram", Label::PER), ("Straw", Label::PER)]);
        assert_eq!(texts(&t, &a), vec![vec!["Jack Straw", "Straw"]]);
    }

    #[test]
    fn an_acronym_in_brackets_joins_its_long_form() {
        let (t, a) = doc("the Care Quality Commission (CQC) said. The CQC found.", &[("Care Quality Commission", Label::ORG), ("CQC", Label::ORG), ("CQC", Label::ORG)]);
        assert_eq!(texts(&t, &a), vec![vec!["Care Quality Commission", "CQC", "CQC"]]);
    }

    #[test]
    fn an_acronym_matches_the_initials_of_a_long_form_elsewhere() {
        let (t, a) = doc("The Child Support Agency failed. The CSA chief left.", &[("Child Support Agency", Label::ORG), ("CSA", Label::ORG)]);
        assert_eq!(texts(&t, &a), vec![vec!["Child Support Agency", "CSA"]]);
    }

    #[test]
    fn repeated_organisation_names_are_grouped_up_to_case_and_possessive() {
        let (t, a) = doc("Rover said. Rover's bosses agreed.", &[("Rover", Label::ORG), ("Rover's", Label::ORG)]);
        assert_eq!(texts(&t, &a).len(), 1);
    }

    #[test]
    fn a_person_and_an_organisation_with_the_same_name_are_not_grouped() {
        let (t, a) = doc("Ford said. Ford left.", &[("Ford", Label::ORG), ("Ford", Label::PER)]);
        assert!(texts(&t, &a).is_empty());
    }

    #[test]
    fn a_first_name_alone_joins_the_full_name() {
        let (t, a) = doc("Graeme Souness said. Graeme knew.", &[("Graeme Souness", Label::PER), ("Graeme", Label::PER)]);
        assert_eq!(texts(&t, &a), vec![vec!["Graeme Souness", "Graeme"]]);
    }
}
