//! HasRole (PER → ROLE) and RoleOrg (ROLE → ORG) from appositions and premodifiers.
//!
//! HasRole, in order (the first rule that applies to a ROLE decides):
//! 1. **premodifier**: the ROLE right before a person, honorifics or a comma between
//!    (`Tory leader Michael Howard`, `Trust chairman, Karamjit Singh CBE`);
//! 2. **apposition**: the ROLE after `PER ,` with at most a determiner and an
//!    organisation's possessive between (`John Adler, chief executive of the trust`,
//!    `Jeff Worrall, portfolio director at NHS Improvement`, `Smith, the CQC's director`);
//! 3. **predicate**: `PER , who is|was [det] ROLE`, `PER is|was|became [det] ROLE`;
//! 4. **anaphor**: a ROLE with none of these whose words were already the role of a
//!    person in this document (`manager Joe Royle` … `the manager said`) links to that
//!    person's nearest mention before it.
//!
//! RoleOrg, in order:
//! 1. **premodifier**: an ORG right before the ROLE, possibly with `’s` (`Tory leader`,
//!    `CQC’s deputy chief inspector`);
//! 2. **complement**: `ROLE of|at|for|with|on [det …] ORG` within four words, no comma
//!    (`director of anti-constitution group Vote No`);
//! 3. **reference**: `ROLE of|at the trust|company|club|…`, or a ROLE whose first word is
//!    such a capitalised noun (`Trust chairman`): the nearest earlier ORG whose name
//!    contains that noun.

use crate::annotation::{Annotations, Label, RelKind};
use crate::document::Text;
use crate::mentions::{is_honorific, Mention, View};
use crate::stage::{Layer, Stage, StageDoc};

const PREPS: &[&str] = &["of", "at", "for", "with", "on"];

fn words_between<'v>(view: &'v View, a: usize, b: usize) -> Vec<&'v str> {
    view.lower_words(a, b)
}

/// Is the gap between two mentions a role chain joint: `and`, a comma, brackets
/// (`deputy chief inspector (and lead for mental health), Dr Paul Lelliott`)?
fn chain_gap(view: &View, a: usize, b: usize) -> bool {
    let gap = view.lower_words(a, b);
    !view.between(a, b).contains('\n')
        && gap.len() <= 3
        && gap.iter().all(|w| matches!(*w, "and" | "," | "(" | ")" | "&") || is_honorific(w))
}

/// HasRole pairs `(per_id, role_id, rule)`. `group` maps a mention id to the ids of its
/// Equiv group (itself alone when it has none).
pub fn has_role(view: &View, group: &dyn Fn(&str) -> Vec<String>) -> Vec<(String, String, &'static str)> {
    let ms = &view.mentions;
    let mut out: Vec<(String, String, &'static str)> = vec![];
    // Role words (lower case) already held by a person: (words, per mention index).
    let mut held: Vec<(String, usize)> = vec![];
    let mut done = vec![false; ms.len()];
    for (i, r) in ms.iter().enumerate() {
        if r.label != Label::ROLE || done[i] {
            continue;
        }
        let mut found: Option<(usize, &'static str)> = None;
        // 1. premodifier: ROLE [and|(|)|, ROLE…] [,] [honorifics] PER; every ROLE of the
        //    chain is the person's.
        let mut chain = vec![i];
        let mut j = i;
        while let Some(n) = ms.get(j + 1) {
            if n.label == Label::ROLE && chain_gap(view, ms[j].span.end, n.span.start) {
                chain.push(j + 1);
                j += 1;
            } else if n.label == Label::ORG
                && ms.get(j + 2).is_some_and(|r2| r2.label == Label::ROLE && view.between(n.span.end, r2.span.start).trim().is_empty())
                && chain_gap(view, ms[j].span.end, n.span.start)
                && !view.between(ms[j].span.end, n.span.start).trim().is_empty()
            {
                // `committee member and Tory MP Nigel Waterson`: the party is the next
                // title's premodifier.
                chain.push(j + 2);
                j += 2;
            } else {
                break;
            }
        }
        if let Some(n) = ms.get(j + 1) {
            if n.label == Label::PER {
                let gap = words_between(view, ms[j].span.end, n.span.start);
                let gap_ok = gap.iter().all(|w| matches!(*w, "," | ")") || is_honorific(w)) && gap.iter().filter(|w| **w == ",").count() <= 1;
                if gap_ok && !view.between(ms[j].span.end, n.span.start).contains('\n') {
                    found = Some((j + 1, "premodifier"));
                }
            }
        }
        if let Some((p, rule)) = found {
            for &c in &chain {
                done[c] = true;
                held.push((ms[c].text.to_lowercase(), p));
                out.push((ms[p].id.clone(), ms[c].id.clone(), rule));
            }
            // `Presidents George W Bush, Bill Clinton and Ronald Reagan`: a plural title
            // before a list of names is each one's.
            if r.text.ends_with('s') && chain.len() == 1 {
                let mut q = p;
                while let Some(n) = ms.get(q + 1) {
                    let gap = words_between(view, ms[q].span.end, n.span.start);
                    if n.label == Label::PER && !gap.is_empty() && gap.iter().all(|w| *w == "," || *w == "and") {
                        out.push((n.id.clone(), r.id.clone(), "premodifier"));
                        q += 1;
                    } else {
                        break;
                    }
                }
            }
            continue;
        }
        // 2. apposition: PER , [det] [ORG 's] ROLE.
        {
            let mut k = i;
            while k > 0 && ms[k - 1].label == Label::ORG && ms[k - 1].span.end <= r.span.start && i - k < 2 {
                k -= 1;
            }
            if k > 0 && ms[k - 1].label == Label::PER {
                let p = &ms[k - 1];
                let gap: Vec<&str> = words_between(view, p.span.end, r.span.start)
                    .into_iter()
                    .filter(|w| !ms[k..i].iter().any(|o| view.lower_words(o.span.start, o.span.end).contains(w)))
                    .collect();
                let ok = gap.first() == Some(&",")
                    && gap[1..].iter().all(|w| crate::lexicon::is_determiner(w) || *w == "'s" || *w == "’s" || *w == "'");
                if ok && !view.between(p.span.end, r.span.start).contains('\n') {
                    found = Some((k - 1, "apposition"));
                }
            }
        }
        // 3. predicate: PER [, who] is|was|became [det] ROLE.
        if found.is_none() {
            if let Some(p) = ms[..i].iter().rposition(|m| m.label == Label::PER) {
                let gap = words_between(view, ms[p].span.end, r.span.start);
                let ok = gap.len() <= 5
                    && gap.iter().any(|w| matches!(*w, "is" | "was" | "became" | "becomes" | "remains" | "as"))
                    && gap.iter().all(|w| matches!(*w, "," | "-" | "–" | "—" | "who" | "is" | "was" | "became" | "becomes" | "remains" | "now" | "also" | "as") || crate::lexicon::is_determiner(w))
                    && !ms[p + 1..i].iter().any(|m| m.label == Label::PER);
                if ok {
                    found = Some((p, "predicate"));
                }
            }
        }
        // 4. anaphor: `the ROLE`, the same role words held by a person earlier; linked to
        //    that person's nearest mention (of any form) before it.
        if found.is_none() {
            let key = r.text.to_lowercase();
            // `the manager`, also `the London mayor` (a place or organisation between).
            let mut before_pos = r.span.start;
            if i > 0 && matches!(ms[i - 1].label, Label::LOC | Label::ORG) && view.between(ms[i - 1].span.end, r.span.start).trim().is_empty() {
                before_pos = ms[i - 1].span.start;
            }
            let definite = view.lower_words(before_pos.saturating_sub(6), before_pos).last() == Some(&"the");
            if let Some((_, per)) = held.iter().rev().find(|(w, _)| *w == key).filter(|_| definite) {
                let members = group(&ms[*per].id);
                let last = ms[..i].iter().rposition(|m| m.label == Label::PER && members.contains(&m.id)).unwrap_or(*per);
                found = Some((last, "anaphor"));
            }
        }
        // 5. speaking anaphor: `the striker said`, `said the manager`: a definite role that
        //    is the subject of a speech verb refers back to the leftmost person of the
        //    nearest earlier sentence that names one (outside quotes, not a possessive).
        if found.is_none() && speaking_definite_role(view, r) {
            if let Some(p) = leftmost_person_before(view, r.span.start) {
                found = Some((p, "speaking-role"));
            }
        }
        if let Some((p, rule)) = found {
            held.push((r.text.to_lowercase(), p));
            out.push((ms[p].id.clone(), r.id.clone(), rule));
        }
    }
    out
}

/// Is `r` a definite role (`the ROLE`) right before or after a speech verb, not a
/// female role and not a spokesperson (who is nobody named earlier)?
fn speaking_definite_role(view: &View, r: &Mention) -> bool {
    let lower = r.text.to_lowercase();
    let det = view.lower_words(r.span.start.saturating_sub(5), r.span.start).last().copied();
    if det != Some("the") || lower.starts_with("spokes") || crate::attribution::role_is_female(&r.text) {
        return false;
    }
    let k = view.word_at_or_after(r.span.end);
    let after = view.words[k..].iter().take(3).map(|w| w.lower.as_str()).find(|w| !crate::lexicon::AUXILIARIES.contains(w));
    let b = view.word_at_or_after(r.span.start);
    let before = b.checked_sub(2).map(|j| view.words[j].lower.as_str());
    after.is_some_and(crate::quotes::is_cue) || before.is_some_and(crate::quotes::is_cue)
}

/// The leftmost non-possessive person outside quotes of the nearest of the three
/// sentences before `pos` that has one.
fn leftmost_person_before(view: &View, pos: usize) -> Option<usize> {
    let si = view.sentence_of(pos);
    let ms = &view.mentions;
    for s in (si.saturating_sub(3)..si).rev() {
        let (_, _, span) = view.sentences[s];
        let a = ms.partition_point(|m| m.span.start < span.start);
        let found = (a..ms.len())
            .take_while(|&i| ms[i].span.start < span.end)
            .filter(|&i| ms[i].span.end <= span.end && ms[i].label == Label::PER)
            .find(|&i| !possessive(view, &ms[i]) && !view.in_quote(ms[i].span.start));
        if found.is_some() {
            return found;
        }
    }
    None
}

/// Is a mention followed by a possessive (`Mr Smith's`)?
fn possessive(view: &View, m: &Mention) -> bool {
    let k = view.word_at_or_after(m.span.end);
    view.words.get(k).is_some_and(|w| w.span.start == m.span.end && matches!(w.lower.as_str(), "'s" | "'"))
        || m.text.ends_with("'s")
        || m.text.ends_with("’s")
}

/// The nearest ORG mention before `pos` whose name contains `noun` (any case).
fn org_named_with<'v>(ms: &'v [Mention], pos: usize, noun: &str) -> Option<&'v Mention> {
    ms.iter()
        .filter(|m| m.label == Label::ORG && m.span.end <= pos)
        .rev()
        .find(|m| m.text.to_lowercase().split(|c: char| !c.is_alphanumeric()).any(|w| w == noun || w == format!("{noun}s")))
}

/// RoleOrg pairs `(role_id, org_id, rule)`.
pub fn role_org(view: &View) -> Vec<(String, String, &'static str)> {
    let ms = &view.mentions;
    let mut out = vec![];
    for (i, r) in ms.iter().enumerate() {
        if r.label != Label::ROLE {
            continue;
        }
        // 1. premodifier: ORG ['s] ROLE, also for the next ROLEs of a chain
        //    (`CQC’s deputy chief inspector (and lead for mental health)`).
        let mut head = i;
        while head > 0 && ms[head - 1].label == Label::ROLE && chain_gap(view, ms[head - 1].span.end, ms[head].span.start) {
            head -= 1;
        }
        if head > 0 && ms[head - 1].label == Label::ORG {
            let o = &ms[head - 1];
            let gap = view.between(o.span.end, ms[head].span.start);
            let g = gap.trim_matches(' ');
            if g.is_empty() || g == "'s" || g == "’s" || g == "'" || g == "’" {
                out.push((r.id.clone(), o.id.clone(), "premodifier"));
                continue;
            }
        }
        // 2. complement: ROLE prep [words] ORG, within four words, no comma or quote.
        let next_org = ms[i + 1..].iter().find(|m| m.label != Label::LOC);
        if let Some(o) = next_org.filter(|o| o.label == Label::ORG) {
            let gap = words_between(view, r.span.end, o.span.start);
            let ok = !gap.is_empty()
                && PREPS.contains(&gap[0])
                && gap.len() <= 5
                && !gap.iter().any(|w| *w == "," || *w == "\"" || *w == "and" || *w == "said")
                && !view.between(r.span.end, o.span.start).contains('\n');
            if ok {
                out.push((r.id.clone(), o.id.clone(), "complement"));
                continue;
            }
        }
        // 3. reference: `of the trust`, or `Trust chairman`.
        let after: Vec<&str> = view.lower_words(r.span.end, (r.span.end + 40).min(view.chars.len())).into_iter().take(3).collect();
        let noun = if after.len() >= 3 && PREPS.contains(&after[0]) && crate::lexicon::is_determiner(after[1]) && crate::lexicon::ORG_HEAD_NOUNS.contains(after[2]) {
            Some(after[2].to_string())
        } else {
            let first = r.text.split_whitespace().next().unwrap_or("");
            (r.text.split_whitespace().count() > 1
                && first.chars().next().is_some_and(char::is_uppercase)
                && crate::lexicon::ORG_HEAD_NOUNS.contains(first.to_lowercase().as_str()))
            .then(|| first.to_lowercase())
        };
        if let Some(noun) = noun {
            if let Some(o) = org_named_with(ms, r.span.start, &noun) {
                out.push((r.id.clone(), o.id.clone(), "reference"));
            }
        }
    }
    out
}

/// HasRole and RoleOrg as a pipeline stage ([`link_roles_in`]).
pub struct RoleLinking;

impl Stage for RoleLinking {
    fn name(&self) -> &'static str {
        "relations"
    }
    fn reads(&self) -> &'static [Layer] {
        // Quotes: a mention inside a quote holds no role; groups: a role links to a
        // person's whole group.
        &[Layer::Text, Layer::Entities, Layer::Quotes, Layer::Groups]
    }
    fn writes(&self) -> &'static [Layer] {
        &[Layer::Roles]
    }
    fn run(&self, doc: &mut StageDoc<'_>) {
        let (view, ann) = doc.view();
        link_roles_in(view, ann);
    }
}

/// Adds HasRole and RoleOrg relations to the annotations (replacing any made before).
pub fn link_roles(text: &Text, ann: &mut Annotations) {
    link_roles_in(&View::new(text, ann), ann);
}

/// [`link_roles`] on a view of the same text and mentions that the caller already built.
pub fn link_roles_in(view: &View, ann: &mut Annotations) {
    ann.relations.retain(|r| !matches!(r.kind, RelKind::HasRole | RelKind::RoleOrg));
    let (hr, ro) = {
        // Each mention's Equiv group, indexed once (a long document has thousands).
        let index: std::collections::HashMap<&str, &Vec<String>> =
            ann.equivs.iter().flat_map(|g| g.iter().map(move |m| (m.as_str(), g))).collect();
        let group = |id: &str| -> Vec<String> { index.get(id).map(|g| (*g).clone()).unwrap_or_else(|| vec![id.to_string()]) };
        (has_role(view, &group), role_org(view))
    };
    for (p, r, rule) in hr {
        ann.add_relation(RelKind::HasRole, &p, &r, Some(rule));
    }
    for (r, o, rule) in ro {
        ann.add_relation(RelKind::RoleOrg, &r, &o, Some(rule));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::mentions::test_doc as doc;

    fn rels(text: &str, mentions: &[(&str, Label)], kind: RelKind) -> Vec<(String, String)> {
        let (t, mut a) = doc(text, mentions);
        link_roles(&t, &mut a);
        let s = |id: &str| t.get(a.span(id).unwrap().span).unwrap().to_string();
        a.relations_of(kind).map(|r| (s(&r.arg1), s(&r.arg2))).collect()
    }

    #[test]
    fn apposition_after_a_person_gives_hasrole() {
        let r = rels("John Adler, chief executive of the trust, said:", &[("John Adler", Label::PER), ("chief executive", Label::ROLE)], RelKind::HasRole);
        assert_eq!(r, vec![("John Adler".into(), "chief executive".into())]);
    }

    #[test]
    fn of_the_trust_points_roleorg_at_the_trust_named_earlier() {
        let r = rels(
            "University Hospitals of Leicester NHS Trust was rated. John Adler, chief executive of the trust, said:",
            &[("University Hospitals of Leicester NHS Trust", Label::ORG), ("John Adler", Label::PER), ("chief executive", Label::ROLE)],
            RelKind::RoleOrg,
        );
        assert_eq!(r, vec![("chief executive".into(), "University Hospitals of Leicester NHS Trust".into())]);
    }

    #[test]
    fn a_title_before_a_comma_and_a_name_gives_hasrole_and_its_org_word_gives_roleorg() {
        let text = "Leicester NHS Trust improved. Trust chairman, Karamjit Singh CBE, said:";
        let m = [("Leicester NHS Trust", Label::ORG), ("Trust chairman", Label::ROLE), ("Karamjit Singh", Label::PER)];
        assert_eq!(rels(text, &m, RelKind::HasRole), vec![("Karamjit Singh".into(), "Trust chairman".into())]);
        assert_eq!(rels(text, &m, RelKind::RoleOrg), vec![("Trust chairman".into(), "Leicester NHS Trust".into())]);
    }

    #[test]
    fn a_complement_with_at_names_the_org() {
        let m = [("Jeff Worrall", Label::PER), ("portfolio director", Label::ROLE), ("NHS Improvement", Label::ORG)];
        let text = "Jeff Worrall, portfolio director at NHS Improvement, said:";
        assert_eq!(rels(text, &m, RelKind::HasRole), vec![("Jeff Worrall".into(), "portfolio director".into())]);
        assert_eq!(rels(text, &m, RelKind::RoleOrg), vec![("portfolio director".into(), "NHS Improvement".into())]);
    }

    #[test]
    fn a_party_premodifier_gives_roleorg_and_the_name_after_gives_hasrole() {
        let m = [("Tory", Label::ORG), ("leader", Label::ROLE), ("Michael Howard", Label::PER)];
        let text = "Tory leader Michael Howard said";
        assert_eq!(rels(text, &m, RelKind::RoleOrg), vec![("leader".into(), "Tory".into())]);
        assert_eq!(rels(text, &m, RelKind::HasRole), vec![("Michael Howard".into(), "leader".into())]);
    }

    #[test]
    fn a_possessive_org_before_the_role_gives_roleorg() {
        let m = [("CQC", Label::ORG), ("deputy chief inspector of hospitals", Label::ROLE), ("Paul Lelliott", Label::PER)];
        let text = "CQC’s deputy chief inspector of hospitals, Dr Paul Lelliott, said";
        assert_eq!(rels(text, &m, RelKind::RoleOrg), vec![("deputy chief inspector of hospitals".into(), "CQC".into())]);
        assert_eq!(rels(text, &m, RelKind::HasRole), vec![("Paul Lelliott".into(), "deputy chief inspector of hospitals".into())]);
    }

    #[test]
    fn an_anaphoric_role_links_to_the_person_who_held_it() {
        let m = [("manager", Label::ROLE), ("Joe Royle", Label::PER), ("manager", Label::ROLE)];
        let r = rels("Ipswich manager Joe Royle was angry. Later the manager said", &m, RelKind::HasRole);
        assert_eq!(r.len(), 2);
        assert_eq!(r[1], ("Joe Royle".into(), "manager".into()));
    }

    #[test]
    fn a_role_chain_in_brackets_before_a_name_gives_each_role_to_the_person_and_the_org() {
        let m = [
            ("CQC", Label::ORG),
            ("deputy chief inspector of hospitals", Label::ROLE),
            ("lead for mental health", Label::ROLE),
            ("Paul Lelliott", Label::PER),
        ];
        let text = "CQC’s deputy chief inspector of hospitals (and lead for mental health), Dr Paul Lelliott, said";
        assert_eq!(rels(text, &m, RelKind::HasRole).len(), 2);
        assert_eq!(rels(text, &m, RelKind::RoleOrg).len(), 2);
    }

    #[test]
    fn a_plural_title_before_a_list_of_names_is_each_ones() {
        let m = [("Presidents", Label::ROLE), ("George W Bush", Label::PER), ("Bill Clinton", Label::PER), ("Ronald Reagan", Label::PER)];
        let r = rels("He served under Presidents George W Bush, Bill Clinton and Ronald Reagan.", &m, RelKind::HasRole);
        assert_eq!(r.len(), 3);
    }

    #[test]
    fn a_title_on_the_next_line_is_not_a_premodifier() {
        let m = [("Hall of Fame", Label::ORG), ("Singer", Label::ROLE), ("Bruce Springsteen", Label::PER)];
        let r = rels("U2 enter rock Hall of Fame\n\nSinger Bruce Springsteen spoke", &m, RelKind::RoleOrg);
        assert!(r.is_empty());
    }

    #[test]
    fn an_unnamed_spokesman_has_no_hasrole() {
        let r = rels("A spokesman said the talks would go on.", &[("spokesman", Label::ROLE)], RelKind::HasRole);
        assert!(r.is_empty());
    }
}
