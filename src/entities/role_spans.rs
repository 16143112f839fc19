//! [`role_spans`]: whole titles the tagger cut (nationality, coordinated portfolios,
//! portfolio lists, `for` complements, a country inside a title).

use crate::annotation::{Annotations, Label};
use crate::document::{Span, Text};
use crate::lexicon;
use super::{text_after, word_start, words_around};

/// Title heads after which capitalised words are a portfolio, not an organisation
/// (`Minister for Children`, `Secretary of State`).
const PORTFOLIO_HEADS: &[&str] = &["minister", "secretary", "commissioner"];

/// Whole titles the tagger cut (the guidelines' ROLE spans):
/// - a nationality adjective before a capitalised title is part of it (`German
///   Chancellor`), not before a description (`a Welsh striker`);
/// - coordinated portfolios before a minister's, secretary's or commissioner's title
///   that has its own portfolio word (`Commerce and Industry Minister`; not `Congress and
///   Vice President`);
/// - a minister's, secretary's or commissioner's portfolio after `for`/`of`, capitalised
///   words joined by commas and `and` (`Minister for Children, Young People and Families`);
/// - a country inside a title (`chief UK economist`).
///
/// Spans the title swallows are removed.
pub fn role_spans(text: &Text, ann: &mut Annotations) {
    ann.sort_spans();
    let entities: Vec<usize> = {
        let mut v: Vec<usize> = ann.spans.iter().enumerate().filter(|(_, s)| s.label.is_entity()).map(|(i, _)| i).collect();
        v.sort_by_key(|&i| ann.spans[i].span.start);
        v
    };
    let mut remove: Vec<usize> = vec![];
    for k in 0..entities.len() {
        let r = entities[k];
        if ann.spans[r].label != Label::ROLE || remove.contains(&r) {
            continue;
        }
        // Before the title: a nationality, or `Portfolio and` before a capitalised title.
        let before = k.checked_sub(1).map(|j| entities[j]).filter(|j| !remove.contains(j));
        if let Some(b) = before {
            let (sb, sr) = (ann.spans[b].span, ann.spans[r].span);
            let nationality = text.get(sb).is_some_and(|w| lexicon::NATIONALITIES.contains(w));
            let title = text.char_at(sr.start).is_some_and(char::is_uppercase);
            if title && sr.start == sb.end + 1 && text.char_at(sb.end) == Some(' ') && nationality {
                ann.spans[r].span.start = sb.start;
                remove.push(b);
            }
        }
        let sr = ann.spans[r].span;
        let role_text = text.get(sr).unwrap_or_default();
        let portfolio_title = role_text.contains(' ')
            && PORTFOLIO_HEADS.contains(&role_text.rsplit(' ').next().unwrap_or("").to_lowercase().as_str());
        if portfolio_title && text.char_at(sr.start).is_some_and(char::is_uppercase) {
            if let Some(start) = coordinated_portfolio(text, sr.start) {
                let touched: Vec<usize> =
                    entities.iter().copied().filter(|&j| j != r && ann.spans[j].span.start < sr.start && ann.spans[j].span.end > start).collect();
                // The portfolio is a word the tagger called ORG or MISC or nothing, not a
                // person or place (`Trump and Sen. Cruz`, `Texas and Senator`).
                let portfolio = touched.iter().all(|&j| {
                    let sj = ann.spans[j].span;
                    sj.start >= start && sj.end <= sr.start && matches!(ann.spans[j].label, Label::ORG | Label::MISC)
                });
                if portfolio {
                    ann.spans[r].span.start = start;
                    remove.extend(touched);
                }
            }
        }
        // After the title.
        let sr = ann.spans[r].span;
        let head = text.get(sr).unwrap_or_default().rsplit(' ').next().unwrap_or("").to_lowercase();
        if PORTFOLIO_HEADS.contains(&head.as_str()) && text.char_at(sr.start).is_some_and(char::is_uppercase) {
            if let Some(end) = portfolio_after(text, sr.end) {
                let swallowed: Vec<usize> =
                    entities.iter().copied().filter(|&j| j != r && ann.spans[j].span.start >= sr.end && ann.spans[j].span.end <= end).collect();
                let clean = swallowed.iter().all(|&j| matches!(ann.spans[j].label, Label::ORG | Label::MISC));
                if clean {
                    ann.spans[r].span.end = end;
                    remove.extend(swallowed);
                }
            }
        }
        // `head of strategy for emerging markets at …`: a lower-case complement after `for`.
        let sr = ann.spans[r].span;
        let next_start = entities.get(k + 1).map(|&n| ann.spans[n].span);
        if let Some(end) = for_complement(text, sr.end, next_start) {
            ann.spans[r].span.end = end;
        }
        let sr = ann.spans[r].span;
        if let Some(&n) = entities.get(k + 1) {
            let sn = ann.spans[n].span;
            if ann.spans[n].label == Label::LOC && sn.start == sr.end + 1 && !text.get(sn).unwrap_or_default().contains(' ') {
                // `chief UK economist`: the next word after the country is a title head.
                let (after, _) = words_around(text, sn.end, sn.end, 1);
                let next_start = sn.end + 1;
                let next_tagged = entities.get(k + 2).is_some_and(|&m| ann.spans[m].span.start == next_start);
                if !next_tagged && text.char_at(sn.end) == Some(' ') && after.first().is_some_and(|w| crate::roles::is_head(w)) {
                    let len = after[0].chars().count();
                    if text.get(Span::new(next_start, next_start + len)).is_some_and(|w| w.to_lowercase() == after[0]) {
                        ann.spans[r].span.end = next_start + len;
                        remove.push(n);
                    }
                }
            }
        }
    }
    remove.sort_unstable();
    remove.dedup();
    for i in remove.into_iter().rev() {
        ann.spans.remove(i);
    }
}

/// The end of a lower-case complement after a title ending at `end`: ` for `, then one to
/// six words that are lower-case (not determiners, pronouns or prepositions) or a
/// nationality, the run closed by `,`, `.`, ` at ` or ` in ` (`head of strategy for emerging
/// markets at Daiwa`, `director for Latin American equities,`). `next` is the next entity
/// span: the run stops short of it unless the entity is a nationality (MISC).
fn for_complement(text: &Text, end: usize, next: Option<Span>) -> Option<usize> {
    let rest = text_after(text, end, 100);
    let tail = rest.strip_prefix(" for ")?;
    let base = end + 5;
    let nationality = next.filter(|n| text.get(*n).is_some_and(|w| lexicon::NATIONALITIES.contains(w)));
    let mut pos = 0;
    let mut words = 0;
    let mut last = None;
    for w in tail.split(' ') {
        let core = w.trim_end_matches([',', '.']);
        let start = base + pos;
        let in_nationality = nationality.is_some_and(|n| n.start <= start && start < n.end);
        if next.is_some_and(|n| n.start == start) && !in_nationality {
            return None;
        }
        let lower = core.chars().all(|c| c.is_lowercase() || c == '-') && !core.is_empty();
        let function = lexicon::DETERMINERS.contains(core) || lexicon::PREPOSITIONS.contains(core) || lexicon::pronoun(core).is_some();
        if words > 0 && matches!(core, "at" | "in" | "who" | "whose" | "which" | "that") && core.len() == w.len() {
            return last;
        }
        if !((lower && !function) || in_nationality || (core == "and" && words > 0)) {
            return None;
        }
        words += 1;
        if words > 6 {
            return None;
        }
        last = Some(start + core.chars().count());
        if core.len() != w.len() {
            // closed by a comma or full stop
            return if core == "and" { None } else { last };
        }
        pos += w.chars().count() + 1;
    }
    None
}

/// Where `Portfolio and ` starts before a title at `start` (`Commerce and Industry
/// Minister`, `Work and Pensions Secretary`): one capitalised word, not itself after a
/// capitalised word, then ` and `.
fn coordinated_portfolio(text: &Text, start: usize) -> Option<usize> {
    let and_start = start.checked_sub(5)?;
    if text.get(Span::new(and_start, start)) != Some(" and ") {
        return None;
    }
    let s = word_start(text, and_start);
    if s == and_start || !text.char_at(s).is_some_and(char::is_uppercase) {
        return None;
    }
    // A capitalised word before it makes a name list (`Smith, Jones and Industry Minister` is
    // rare; `Marks and Spencer chairman` is a company).
    let prev_word_capital = s >= 2 && text.char_at(s - 1) == Some(' ') && {
        let p = word_start(text, s - 1);
        p < s - 1 && text.char_at(p).is_some_and(char::is_uppercase)
    };
    (!prev_word_capital).then_some(s)
}

/// The end of a portfolio after a title ending at `end`: ` for ` or ` of `, then
/// capitalised words joined by spaces, `, ` and ` and ` (`for Children, Young People and
/// Families`). None when no capitalised word follows or the run is cut by a determiner.
fn portfolio_after(text: &Text, end: usize) -> Option<usize> {
    let rest = text_after(text, end, 120);
    let tail = rest.strip_prefix(" for ").or_else(|| rest.strip_prefix(" of "))?;
    let skip = rest.chars().count() - tail.chars().count();
    let mut pos = 0; // chars into tail
    let mut last_end = None;
    let words: Vec<&str> = tail.split(' ').collect();
    // After a comma the run is a list only if it goes on to `and` and a last capitalised
    // word (`Children, Young People and Families`); otherwise it ends before the comma
    // (`for Consular Affairs, Sami Ali`).
    let mut before_comma: Option<usize> = None;
    for w in words {
        let core = w.trim_end_matches(',');
        let capital = core.chars().next().is_some_and(char::is_uppercase) && core.chars().all(|c| c.is_alphabetic() || c == '-');
        if capital {
            last_end = Some(pos + core.chars().count());
            if core.len() != w.len() && before_comma.is_none() {
                before_comma = last_end;
            }
        } else if w == "and" && last_end.is_some() {
            if before_comma.is_some() {
                before_comma = Some(usize::MAX); // the list is confirmed
            }
        } else {
            break;
        }
        pos += w.chars().count() + 1;
    }
    let e = match before_comma {
        Some(usize::MAX) | None => last_end,
        Some(c) => Some(c),
    };
    e.map(|e| end + skip + e)
}

#[cfg(test)]
mod tests {
    use super::super::tests::{pairs, run};
    use crate::annotation::Label;

    #[test]
    fn a_nationality_before_a_title_is_part_of_the_role() {
        let got = run("Dutch Prime Minister Anna Berg met the press.", &[(Label::MISC, "Dutch"), (Label::ROLE, "Prime Minister"), (Label::PER, "Anna Berg")]);
        assert_eq!(got, pairs(&[("ROLE", "Dutch Prime Minister"), ("PER", "Anna Berg")]));
    }

    #[test]
    fn a_nationality_before_a_lower_case_description_stays_apart() {
        let got = run("The Welsh striker Tom Lee scored.", &[(Label::MISC, "Welsh"), (Label::ROLE, "striker"), (Label::PER, "Tom Lee")]);
        assert_eq!(got, pairs(&[("MISC", "Welsh"), ("ROLE", "striker"), ("PER", "Tom Lee")]));
    }

    #[test]
    fn coordinated_portfolios_before_a_title_are_one_role() {
        let got = run("Energy and Mines Minister Raj Patel spoke.", &[(Label::ORG, "Energy"), (Label::ROLE, "Mines Minister"), (Label::PER, "Raj Patel")]);
        assert_eq!(got, pairs(&[("ROLE", "Energy and Mines Minister"), ("PER", "Raj Patel")]));
    }

    #[test]
    fn a_ministers_portfolio_after_for_is_part_of_the_role() {
        let got = run(
            "Jo Hart, the Minister for Schools, Skills and Science, said so.",
            &[(Label::PER, "Jo Hart"), (Label::ROLE, "Minister"), (Label::ORG, "Schools"), (Label::ORG, "Skills and Science")],
        );
        assert_eq!(got, pairs(&[("PER", "Jo Hart"), ("ROLE", "Minister for Schools, Skills and Science")]));
    }

    #[test]
    fn an_organisation_after_a_title_with_of_stays_an_organisation() {
        let got = run("Jo Hart, Governor of the Westbury Bank, said so.", &[(Label::PER, "Jo Hart"), (Label::ROLE, "Governor"), (Label::ORG, "Westbury Bank")]);
        assert_eq!(got, pairs(&[("PER", "Jo Hart"), ("ROLE", "Governor"), ("ORG", "Westbury Bank")]));
    }

    #[test]
    fn a_country_inside_a_title_is_part_of_the_role() {
        let got = run("said Raj Patel, chief UK economist at Acme.", &[(Label::PER, "Raj Patel"), (Label::ROLE, "chief"), (Label::LOC, "UK"), (Label::ORG, "Acme")]);
        assert_eq!(got, pairs(&[("PER", "Raj Patel"), ("ROLE", "chief UK economist"), ("ORG", "Acme")]));
    }

    #[test]
    fn a_lower_case_complement_after_for_is_part_of_the_role() {
        let got = run(
            "said Raj Patel, head of research for Asian emerging markets at Acme.",
            &[(Label::PER, "Raj Patel"), (Label::ROLE, "head of research"), (Label::MISC, "Asian"), (Label::ORG, "Acme")],
        );
        assert_eq!(got, pairs(&[("PER", "Raj Patel"), ("ROLE", "head of research for Asian emerging markets"), ("MISC", "Asian"), ("ORG", "Acme")]));
    }

    #[test]
    fn a_spokesman_for_an_organisation_keeps_the_organisation_apart() {
        let got = run("a spokesman for the company said, and a spokesman for Acme said.", &[(Label::ROLE, "spokesman"), (Label::ROLE, "spokesman"), (Label::ORG, "Acme")]);
        assert_eq!(got, pairs(&[("ROLE", "spokesman"), ("ROLE", "spokesman"), ("ORG", "Acme")]));
    }

    #[test]
    fn a_person_or_place_before_and_a_title_is_no_portfolio() {
        let got = run("Smith and Sen. Jo Hart spoke in Leeds and Mayor Ann Bell agreed.", &[(Label::PER, "Smith"), (Label::ROLE, "Sen."), (Label::PER, "Jo Hart"), (Label::LOC, "Leeds"), (Label::ROLE, "Mayor"), (Label::PER, "Ann Bell")]);
        assert_eq!(got[1], ("ROLE".to_string(), "Sen.".to_string()));
        assert_eq!(got[4], ("ROLE".to_string(), "Mayor".to_string()));
    }

    #[test]
    fn an_organisation_before_and_a_bare_title_is_no_portfolio() {
        let got = run("Congress and Vice President Jo Hart met.", &[(Label::ORG, "Congress"), (Label::ROLE, "Vice President"), (Label::PER, "Jo Hart")]);
        assert_eq!(got, pairs(&[("ORG", "Congress"), ("ROLE", "Vice President"), ("PER", "Jo Hart")]));
    }

    #[test]
    fn a_portfolio_ends_at_a_comma_that_starts_no_list() {
        let got = run("The Deputy Minister for Consular Affairs, Sami Ali, said so.", &[(Label::ROLE, "Deputy Minister"), (Label::ORG, "Consular Affairs"), (Label::PER, "Sami Ali")]);
        assert_eq!(got, pairs(&[("ROLE", "Deputy Minister for Consular Affairs"), ("PER", "Sami Ali")]));
    }
}
