//! Entity rules after the tagger, before the stages that read entities (quotes,
//! coreference, relations, speakers). Each fixes a class of tagger output the guidelines
//! define otherwise, over the whole document's spans:
//!
//! | rule | before | after |
//! |---|---|---|
//! | [`parties`] | MISC `Republicans`, ROLE `Tory leader` | ORG `Republicans`; ORG `Tory` + ROLE `leader` |
//! | [`abbreviated_titles`] | PER `Sen` in `Sen. Ted Cruz`, untagged `Gov.`, ROLE `Rep` | ROLE `Sen.`, ROLE `Gov.`, ROLE `Rep.` |
//! | [`speaking_seats`] | LOC `White House` in `the White House said`, `a Kremlin spokesman` | ORG |
//! | [`middle_initials`] | PER `Donald J` + PER `Trump` | PER `Donald J. Trump` |
//! | [`name_fragments`] | ORG `Lib` + MISC `Dem`; ORG `Democratic` + ORG `National Committee`; ORG `BBC Radio` + MISC `4` | one ORG each |
//! | [`role_spans`] | MISC `German` + ROLE `Chancellor`; ORG `Commerce` + `and` + ROLE `Industry Minister`; ROLE `Minister` + `for` + ORG `Children`; ROLE `chief` + LOC `UK` + `economist` | one ROLE each |
//! | [`name_cues`] | LOC `Israel` in `Mr Israel`; PER `Merck` with `shares in Merck`; ORG `Welsh Assembly` + `Government` | PER; ORG at every mention; one ORG |
//! | [`one_type_per_name`] | `Merck` PER here, ORG there (3 ORG, 1 PER) | `Merck` ORG everywhere |
//! | [`repeated_surnames`] | `Roger Stone` … untagged `Continued Stone:` | PER `Stone` |
//!
//! Reads: the text and the entity spans. Writes: entity labels and offsets (a span may be
//! split, merged or added); quotes, relations and groups are made after it.

use crate::annotation::{Annotations, Label};
use crate::document::{Span, Text};
use crate::lexicon;

/// Runs every entity rule, in the order of the module's table.
pub fn normalise(text: &Text, ann: &mut Annotations) {
    parties(text, ann);
    abbreviated_titles(text, ann);
    speaking_seats(text, ann);
    middle_initials(text, ann);
    name_fragments(text, ann);
    role_spans(text, ann);
    name_cues(text, ann);
    one_type_per_name(text, ann);
    repeated_surnames(text, ann);
    ann.sort_spans();
}

/// The entity spans by start (index into `ann.spans`), for [`covering`].
fn entity_index(ann: &Annotations) -> Vec<(Span, usize)> {
    let mut v: Vec<(Span, usize)> = ann.spans.iter().enumerate().filter(|(_, s)| s.label.is_entity()).map(|(i, s)| (s.span, i)).collect();
    v.sort_by_key(|(sp, _)| (sp.start, std::cmp::Reverse(sp.end)));
    v
}

/// The entity span (index into `ann.spans`) that covers `[a, b)`, if any: a binary search,
/// then the few spans that start before `a` (entity spans seldom nest).
fn covering(index: &[(Span, usize)], a: usize, b: usize) -> Option<usize> {
    let k = index.partition_point(|(sp, _)| sp.start <= a);
    index[..k].iter().rev().take(4).find(|(sp, _)| sp.start <= a && b <= sp.end).map(|(_, i)| *i)
}

/// The labels a name may change between (ROLE is a different kind of span).
fn is_name_label(l: Label) -> bool {
    matches!(l, Label::PER | Label::ORG | Label::LOC | Label::MISC)
}

/// One name, one type in a document: the mentions of a surface form tagged with different
/// types take the type with the highest summed score, except a mention whose own score is
/// high (0.9) while its type has at least half the winner's support (two entities that
/// share a name, `Jordan` the country and `Jordan` the player).
pub fn one_type_per_name(text: &Text, ann: &mut Annotations) {
    use std::collections::HashMap;
    let mut support: HashMap<&str, HashMap<Label, f32>> = HashMap::new();
    for s in ann.spans.iter().filter(|s| is_name_label(s.label)) {
        *support.entry(text.slice(s.span)).or_default().entry(s.label).or_default() += s.score.unwrap_or(0.5);
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
        let Some((winner, sum, by)) = winners.get(text.slice(s.span)) else { continue };
        let own = by.get(&s.label).copied().unwrap_or(0.0);
        let keep = s.score.unwrap_or(0.5) >= 0.9 && own >= 0.5 * sum;
        if s.label != *winner && !keep {
            s.label = *winner;
        }
    }
}

/// The surname of a person named in full earlier or later in the document, repeated
/// where the tagger missed it (or called it MISC or LOC), is that person when the context
/// says it is a name: after an honorific (`Mr. Band wrote`), before a speech verb (`Cross
/// said`, `Cuban also complained`), after an inverted one (`Continued Stone:`), or
/// capitalised between lower-case words inside a sentence.
pub fn repeated_surnames(text: &Text, ann: &mut Annotations) {
    use std::collections::HashSet;
    let chars: Vec<char> = text.as_str().chars().collect();
    let surnames: HashSet<String> = ann
        .spans
        .iter()
        .filter(|s| s.label == Label::PER)
        .filter_map(|s| {
            let t = text.slice(s.span);
            let words: Vec<&str> = t.split_whitespace().collect();
            let last = words.last()?.trim_end_matches("'s").trim_end_matches("’s");
            let ok = words.len() >= 2 && last.chars().count() >= 3 && last.chars().next().is_some_and(char::is_uppercase) && last.chars().all(|c| c.is_alphabetic() || c == '-');
            (ok && !lexicon::is_honorific(last) && !lexicon::is_title_abbreviation(last)).then(|| last.to_string())
        })
        .collect();
    if surnames.is_empty() {
        return;
    }
    // Words of the text as (start, end) char offsets (letters, hyphens, apostrophes).
    let mut words: Vec<(usize, usize)> = vec![];
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_alphabetic() {
            let start = i;
            while i < chars.len() && (chars[i].is_alphabetic() || chars[i] == '-' || chars[i] == '\'' || chars[i] == '’') {
                i += 1;
            }
            words.push((start, i));
        } else {
            if !chars[i].is_whitespace() {
                words.push((i, i + 1));
            }
            i += 1;
        }
    }
    let word = |k: usize| -> String { chars[words[k].0..words[k].1].iter().collect() };
    let index = entity_index(ann);
    let lower = |k: usize| word(k).to_lowercase();
    let mut relabel = vec![];
    let mut add = vec![];
    for k in 0..words.len() {
        let (a, b) = words[k];
        let w = word(k);
        if !surnames.contains(&w) {
            continue;
        }
        let covering = covering(&index, a, b);
        let retaggable = match covering {
            None => true,
            Some(j) => matches!(ann.spans[j].label, Label::MISC | Label::LOC) && ann.spans[j].span == Span::new(a, b),
        };
        if !retaggable {
            continue;
        }
        let prev = k.checked_sub(1).map(lower);
        let mut n = k + 1;
        while n < words.len() && (lexicon::ADVERBS.contains(lower(n).as_str()) || (lower(n).ends_with("ly") && lower(n).len() > 4)) {
            n += 1;
        }
        let next_verb = n < words.len() && lexicon::is_speech_verb(&lower(n)) && !chars[words[n].0].is_uppercase();
        let after_honorific = prev.as_deref().is_some_and(|p| lexicon::is_honorific(p)) || (prev.as_deref() == Some(".") && k >= 2 && lexicon::is_honorific(&lower(k - 2)));
        let after_inverted_verb = prev.as_deref().is_some_and(|p| lexicon::is_speech_verb(p)) && words.get(k + 1).is_some_and(|&(x, _)| matches!(chars[x], ':' | ',' | '.'));
        // `Paris, who used to work on Capitol Hill, said`: a relative clause about a person.
        let who = words.get(k + 1).is_some_and(|&(x, _)| chars[x] == ',') && words.get(k + 2).is_some_and(|_| lower(k + 2) == "who");
        let inside = covering.is_none()
            && k > 0
            && prev.as_deref().is_some_and(|p| p.chars().all(char::is_lowercase))
            && words.get(k + 1).is_some_and(|&(x, _)| chars[x].is_lowercase());
        if next_verb || after_honorific || after_inverted_verb || inside || who {
            match covering {
                Some(j) => relabel.push(j),
                None => add.push(Span::new(a, b)),
            }
        }
    }
    for j in relabel {
        ann.spans[j].label = Label::PER;
    }
    for span in add {
        ann.add_span(Label::PER, span, None);
    }
}

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
        let t = text.slice(s.span);
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

/// Is there an abbreviation's period at `pos`, followed by a space and a capital (`Sen.
/// Ted`)?
fn period_before_name(text: &Text, pos: usize) -> bool {
    text.char_at(pos) == Some('.')
        && text.char_at(pos + 1).is_some_and(|c| c == ' ')
        && text.char_at(pos + 2).is_some_and(char::is_uppercase)
}

/// US abbreviated titles (`Sen.`, `Rep.`, `Gov.`, `Lt. Gen.`) are ROLEs with their
/// period: a tagged one-word span that is a capitalised abbreviation before a name becomes
/// ROLE; a ROLE ending in one takes the period; an untagged one right before a person is
/// added as ROLE.
pub fn abbreviated_titles(text: &Text, ann: &mut Annotations) {
    let is_title = |t: &str| t.chars().next().is_some_and(char::is_uppercase) && !t.contains(' ') && lexicon::is_title_abbreviation(t);
    let person_at: std::collections::HashSet<usize> = ann.spans.iter().filter(|s| s.label == Label::PER).map(|s| s.span.start).collect();
    for s in ann.spans.iter_mut().filter(|s| s.label.is_entity()) {
        let t = text.slice(s.span);
        if s.label != Label::ROLE && is_title(t) && period_before_name(text, s.span.end) && person_at.contains(&(s.span.end + 2)) {
            s.label = Label::ROLE;
        }
    }
    let index = entity_index(ann);
    let covered = |pos: usize| covering(&index, pos, pos + 1).is_some();
    let mut extend = vec![];
    for (i, s) in ann.spans.iter().enumerate().filter(|(_, s)| s.label == Label::ROLE) {
        let t = text.slice(s.span);
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
        if !word.is_empty() && is_title(text.slice(word)) && !covered(start) && !covered(period) {
            add.push(Span::new(start, period + 1));
        }
    }
    for span in add {
        ann.add_span(Label::ROLE, span, None);
    }
}

/// The lower-cased words right after and right before a char position, outside any
/// span: (after, before), at most `n` each.
fn words_around(text: &Text, start: usize, end: usize, n: usize) -> (Vec<String>, Vec<String>) {
    let len = text.len_chars();
    let split = |a: usize, b: usize| -> Vec<String> {
        text.slice(Span::new(a.min(len), b.min(len)))
            .split(|c: char| c.is_whitespace() || matches!(c, ',' | '.' | ';' | ':' | '"' | '“' | '”'))
            .filter(|w| !w.is_empty())
            .map(lexicon::norm)
            .collect()
    };
    let after = split(end, end + 60).into_iter().take(n).collect();
    let mut before = split(start.saturating_sub(60), start);
    let before = before.split_off(before.len().saturating_sub(n));
    (after, before)
}

/// A seat of government (`data/lexicon/government_seats.txt`) tagged LOC is ORG where it
/// speaks: before a speech verb (`the White House said`, `Downing Street has said`),
/// after `according to`, or as a role's premodifier (`a Kremlin spokesman`).
pub fn speaking_seats(text: &Text, ann: &mut Annotations) {
    let role_at: std::collections::HashSet<usize> = ann.spans.iter().filter(|s| s.label == Label::ROLE).map(|s| s.span.start).collect();
    for s in ann.spans.iter_mut().filter(|s| s.label == Label::LOC) {
        let t = text.slice(s.span);
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

/// Up to `n` characters of the text from `from` on.
fn text_after(text: &Text, from: usize, n: usize) -> &str {
    let len = text.len_chars();
    text.slice(Span::new(from.min(len), (from + n).min(len)))
}

/// Where the run of letters that ends at `end` starts (`end` itself when none does).
fn word_start(text: &Text, end: usize) -> usize {
    let mut start = end;
    while start > 0 && text.char_at(start - 1).is_some_and(char::is_alphabetic) {
        start -= 1;
    }
    start
}

/// The score of a span joined from two: the lower, or the one there is.
fn joined_score(a: Option<f32>, b: Option<f32>) -> Option<f32> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    }
}

/// Is the word an organisation head noun (`Council`, `trusts`)?
fn has_org_head(w: &str) -> bool {
    let w = w.to_lowercase();
    lexicon::ORG_HEAD_NOUNS.contains(w.as_str()) || w.strip_suffix('s').is_some_and(|w| lexicon::ORG_HEAD_NOUNS.contains(w))
}

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
        let word = text.slice(Span::new(start, end));
        if start < end && text.char_at(start).is_some_and(char::is_uppercase) && lexicon::is_honorific(word) {
            s.label = Label::PER;
        }
    }
    // Organisation cues of one-word names.
    let surnames: HashSet<&str> = ann
        .spans
        .iter()
        .filter(|s| s.label == Label::PER)
        .filter_map(|s| {
            let t = text.slice(s.span);
            t.contains(' ').then(|| t.rsplit(' ').next()).flatten()
        })
        .collect();
    let mut orgs: HashSet<String> = HashSet::new();
    // (Every mention is looked at, also one the tagger already called ORG: the cue is
    // what carries over to the others.)
    for s in ann.spans.iter().filter(|s| is_name_label(s.label)) {
        let t = text.slice(s.span);
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
        if orgs.contains(text.slice(s.span)) {
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
        let word = text.slice(Span::new(end + 1, e));
        if has_org_head(word) && covering(&index, end + 1, e).is_none() {
            ann.spans[i].span.end = e;
        }
    }
}

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
        let second = text.slice(sb);
        let (la, lb) = (ann.spans[a].label, ann.spans[b].label);
        let party = lexicon::is_party(text.slice(Span::new(sa.start, sb.end)));
        let first = text.slice(sa);
        // A MISC first piece joins when it is no nationality or hyphenated modifier
        // (`League Against` + `Cruel Sports`; not `Chinese` + `Foreign Ministry`,
        // `Republican-held` + `Senate`).
        let misc_piece = la == Label::MISC && !first.contains('-') && !lexicon::NATIONALITIES.contains(first);
        let headed = (la == Label::ORG || misc_piece)
            && lb == Label::ORG
            && text.slice(Span::new(sa.start, sb.end)).split(' ').any(has_org_head);
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
            let word = text.slice(sb);
            let title = text.char_at(sr.start).is_some_and(char::is_uppercase);
            if title && sr.start == sb.end + 1 && text.char_at(sb.end) == Some(' ') && lexicon::NATIONALITIES.contains(word) {
                ann.spans[r].span.start = sb.start;
                remove.push(b);
            }
        }
        let sr = ann.spans[r].span;
        let role_text = text.slice(sr);
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
        let head = text.slice(sr).rsplit(' ').next().unwrap_or("").to_lowercase();
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
            if ann.spans[n].label == Label::LOC && sn.start == sr.end + 1 && !text.slice(sn).contains(' ') {
                // `chief UK economist`: the next word after the country is a title head.
                let (after, _) = words_around(text, sn.end, sn.end, 1);
                let next_start = sn.end + 1;
                let next_tagged = entities.get(k + 2).is_some_and(|&m| ann.spans[m].span.start == next_start);
                if !next_tagged && text.char_at(sn.end) == Some(' ') && after.first().is_some_and(|w| crate::roles::is_head(w)) {
                    let len = after[0].chars().count();
                    if text.slice(Span::new(next_start, next_start + len)).to_lowercase() == after[0] {
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
    let nationality = next.filter(|n| lexicon::NATIONALITIES.contains(text.slice(*n)));
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
    if text.slice(Span::new(and_start, start)) != " and " {
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
        let t = text.slice(sa);
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
    use super::*;

    fn run(text: &str, spans: &[(Label, &str)]) -> Vec<(String, String)> {
        let t = Text::new(text.to_string());
        let mut ann = Annotations::default();
        let mut from = 0;
        for (l, s) in spans {
            let byte = text[from..].find(s).expect("span text") + from;
            let start = text[..byte].chars().count();
            ann.add_span(*l, Span::new(start, start + s.chars().count()), Some(0.9));
            from = byte + s.len();
        }
        normalise(&t, &mut ann);
        ann.spans.iter().map(|s| (s.label.to_string(), t.slice(s.span).to_string())).collect()
    }

    fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    }

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

    #[test]
    fn a_surname_tagged_as_a_place_before_a_relative_who_is_the_person() {
        let got = run("Dana Paris spoke first. Later, Paris, who used to work in the city, said more.", &[(Label::PER, "Dana Paris"), (Label::LOC, "Paris")]);
        assert_eq!(got, pairs(&[("PER", "Dana Paris"), ("PER", "Paris")]));
    }

    #[test]
    fn a_name_split_at_a_middle_initial_is_one_person() {
        let got = run("Donald J. Trump and M. Dane Waters spoke.", &[(Label::PER, "Donald J"), (Label::PER, "Trump"), (Label::PER, "M"), (Label::PER, "Dane Waters")]);
        assert_eq!(got, pairs(&[("PER", "Donald J. Trump"), ("PER", "M. Dane Waters")]));
    }

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

    #[test]
    fn a_misc_piece_and_a_headed_organisation_are_one_name_but_a_nationality_stays_out() {
        let got = run(
            "The League Against Cruel Sports and the Chinese Foreign Ministry spoke.",
            &[(Label::MISC, "League Against"), (Label::ORG, "Cruel Sports"), (Label::MISC, "Chinese"), (Label::ORG, "Foreign Ministry")],
        );
        assert_eq!(got, pairs(&[("ORG", "League Against Cruel Sports"), ("MISC", "Chinese"), ("ORG", "Foreign Ministry")]));
    }

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

    #[test]
    fn an_untagged_surname_of_a_named_person_is_that_person() {
        let text = "Roger Stone spoke on the radio.\n\nContinued Stone: “It is rigged.” Later Mr. Stone said more.";
        let got = run(text, &[(Label::PER, "Roger Stone")]);
        assert_eq!(got.iter().filter(|(l, t)| l == "PER" && t == "Stone").count(), 2, "{got:?}");
    }

    #[test]
    fn a_surname_as_a_common_word_at_a_sentence_start_is_left_alone() {
        let text = "Ann Cross left. Cross winds hit the coast.";
        let got = run(text, &[(Label::PER, "Ann Cross")]);
        assert_eq!(got, pairs(&[("PER", "Ann Cross")]));
    }

    #[test]
    fn two_people_after_a_sentence_ending_in_a_capital_stay_apart() {
        let got = run("He met Smith at Plan B. Jones left.", &[(Label::PER, "Smith"), (Label::PER, "Jones")]);
        assert_eq!(got, pairs(&[("PER", "Smith"), ("PER", "Jones")]));
    }
}
