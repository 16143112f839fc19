//! Rules that find ROLE mentions (titles and positions of specific people) in a sentence
//! whose PER/ORG/LOC/MISC words are already known. The same rules silver-label ROLE in
//! training text that has none (CoNLL-2003) and, at inference, add ROLEs the model missed.
//!
//! A title phrase is a run of modifier/head words ending in a head noun
//! (`deputy chief inspector`), optionally with an `of …` complement made of title words
//! (`of hospitals`, `of marketing`, `of state`). The phrase is a ROLE only in a context that
//! ties it to a specific person, per the guidelines:
//!
//! 1. right before a person: `Tory leader Michael Howard`, `Health Secretary Dr John Reid`;
//! 2. in apposition after a person: `John Adler, chief executive of the trust,`;
//! 3. before a person it introduces: `Trust chairman, Karamjit Singh`,
//!    `the chief executive of Acme, Jo Bloggs`;
//! 4. as a described source: `a spokesman said`, `the chief executive added`.
//!
//! Words outside the span: determiners, `former`/`ex-`, evaluative adjectives, honorifics,
//! named organisations (`Tory` in `Tory leader` is ORG), and `of the trust`.
//!
//! The word lists (head nouns, premodifiers, complements, descriptive heads, informant
//! nouns) are data files loaded by [`crate::lexicon`], each with its source and reason.

use crate::annotation::Label;
use crate::document::Text;
use crate::lexicon::{norm, DESCRIPTIVE_HEADS, INFORMANT_NOUNS, ROLE_HEADS as HEADS, TITLE_COMPLEMENTS, TITLE_MODIFIERS};
use crate::ner::decode::WordEntity;
use crate::segment::Sentence;

/// The entity type of a word, as far as the role rules need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WordTag {
    O,
    Per,
    Org,
    Loc,
    Misc,
    Role,
}

/// Words that open a title's complement (`Chief Inspector of Hospitals`, `Minister for
/// Health`).
const OF_WORDS: &[&str] = &["of", "for"];

/// Is `w` a title head noun (also plural, also the last part of a hyphenated word:
/// `secretary-general`)?
pub fn is_head(w: &str) -> bool {
    let w = norm(w);
    let last = w.rsplit('-').next().unwrap_or(&w);
    let singular = |s: &str| -> bool {
        HEADS.contains(s)
            || s.strip_suffix('s').is_some_and(|x| HEADS.contains(x))
            || s.strip_suffix("es").is_some_and(|x| HEADS.contains(x))
            || s.strip_suffix("men").is_some_and(|x| HEADS.contains(format!("{x}man").as_str()))
    };
    // `secretary-general` is a head, `ex-president` is not a title at all.
    let prefix_ok = w.rsplit_once('-').is_none_or(|(pre, _)| pre.split('-').all(|p| TITLE_MODIFIERS.contains(p) || HEADS.contains(p)));
    (singular(last) && prefix_ok) || singular(&w)
}

fn is_modifier(w: &str) -> bool {
    let w = norm(w);
    TITLE_MODIFIERS.contains(w.as_str()) || w.split('-').all(|p| TITLE_MODIFIERS.contains(p) || HEADS.contains(p))
}

fn is_title_word(w: &str) -> bool {
    (is_head(w) || is_modifier(w)) && w.chars().next().is_some_and(char::is_alphabetic)
}

/// A speech verb of `data/speech_verbs.txt` ([`crate::lexicon::BASE_SPEECH_VERBS`]).
pub fn is_speech_verb(w: &str) -> bool {
    crate::lexicon::BASE_SPEECH_VERBS.contains(norm(w).as_str())
}

fn is_det(w: &str) -> bool {
    crate::lexicon::is_determiner(w)
}

fn is_honorific(w: &str) -> bool {
    crate::lexicon::is_honorific(w)
}

fn is_possessive(w: &str) -> bool {
    matches!(norm(w).as_str(), "'s" | "'" | "s")
}

/// Title phrases in a sentence: `(start, end)` word ranges, not crossing entity words.
/// `and` joins modifiers inside one title (`work and pensions secretary`) but not two
/// titles (`chairman and chief executive` is two phrases).
pub fn title_phrases(words: &[&str], tags: &[WordTag]) -> Vec<(usize, usize)> {
    let n = words.len();
    let free = |i: usize| tags[i] == WordTag::O || tags[i] == WordTag::Role;
    let mut out = vec![];
    let mut i = 0;
    while i < n {
        if !(free(i) && is_title_word(words[i])) {
            i += 1;
            continue;
        }
        let start = i;
        let mut j = i;
        while j < n
            && free(j)
            && (is_title_word(words[j])
                || (norm(words[j]) == "and" && j > start && !is_head(words[j - 1]) && j + 1 < n && free(j + 1) && is_title_word(words[j + 1])))
        {
            j += 1;
        }
        // The phrase ends at the last head in the run.
        let Some(last_head) = (start..j).rev().find(|&k| is_head(words[k])) else {
            i = j;
            continue;
        };
        let mut end = last_head + 1;
        // `of` complement made of title words: `chief inspector of hospitals`.
        if end + 1 < n && OF_WORDS.contains(&norm(words[end]).as_str()) && free(end + 1) {
            let mut k = end + 1;
            let c0 = k;
            while k < n && free(k) && (TITLE_COMPLEMENTS.contains(norm(words[k]).as_str()) || (k > c0 && is_title_word(words[k]))) {
                k += 1;
            }
            if k > c0 {
                end = k;
            }
        }
        // Leading words that are not titles themselves stay in only before a head.
        out.push((start, end));
        i = end.max(start + 1);
    }
    out
}

/// Anaphoric roles: `the TITLE` (singular) referring back to a person, as the guidelines
/// annotate them (`the minister added`, `the striker`, `the chief executive`). Leaves out
/// plural titles and the head nouns that describe (`the actor`; [`DESCRIPTIVE_HEADS`]).
pub fn anaphoric_roles(words: &[&str], tags: &[WordTag]) -> Vec<(usize, usize)> {
    let mut out = vec![];
    for (s, e) in title_phrases(words, tags) {
        // `the TITLE`, also `the London mayor` (a place or organisation between).
        let mut d = s;
        while d > 0 && matches!(tags[d - 1], WordTag::Loc | WordTag::Org) {
            d -= 1;
        }
        if d == 0 || norm(words[d - 1]) != "the" {
            continue;
        }
        let Some(last_head) = (s..e).rev().find(|&k| is_head(words[k])) else { continue };
        let head = norm(words[last_head]);
        let plural = head.ends_with('s') && !head.ends_with("ss") && !HEADS.contains(head.as_str());
        let single_descriptive = e - s == 1 && DESCRIPTIVE_HEADS.contains(head.as_str());
        // `the head of the agency` is a position; a lone `the head` is not.
        let of_follows = words.get(e).is_some_and(|w| matches!(norm(w).as_str(), "of" | "for" | "at"));
        if plural || (single_descriptive && !(of_follows && matches!(head.as_str(), "head" | "executive" | "deputy"))) {
            continue;
        }
        out.push((s, e));
    }
    out
}

/// Generic organisation nouns that premodify titles (`Trust chairman`, `Club captain`):
/// `data/lexicon/title_org_nouns.txt`.
pub fn is_generic_org_noun(w: &str) -> bool {
    crate::lexicon::TITLE_ORG_NOUNS.contains(norm(w).as_str())
}

/// Widens a ROLE word range found by the model to the title phrase that contains it
/// (`chairman` → `Trust chairman`, `deputy chief` → `deputy chief inspector of hospitals`).
/// `phrases` are the sentence's [`title_phrases`], computed once for all its ROLEs.
/// The phrases are disjoint and in order (as [`title_phrases`] returns them), so the one
/// that can contain the ROLE is found by binary search: O(log n) per ROLE, not a scan of
/// the sentence's phrases for each of its ROLEs.
pub fn widen_role(phrases: &[(usize, usize)], start: usize, end: usize) -> (usize, usize) {
    // The last phrase starting at or before the ROLE is the only candidate.
    let k = phrases.partition_point(|&(s, _)| s <= start);
    k.checked_sub(1)
        .map(|k| phrases[k])
        .filter(|&(s, e)| s <= start && e >= end && s < end && e > start)
        .unwrap_or((start, end))
}

/// Is every word an honorific (`Dr`, `Professor`, `Sir`)? Such a ROLE before a name is an
/// honorific, which the guidelines leave unannotated.
pub fn all_honorifics(words: &[&str]) -> bool {
    !words.is_empty() && words.iter().all(|w| is_honorific(w))
}

/// Finds ROLE spans (word ranges) for specific people in one sentence.
pub fn find_roles(words: &[&str], tags: &[WordTag]) -> Vec<(usize, usize)> {
    assert_eq!(words.len(), tags.len());
    let n = words.len();
    let is = |i: usize, t: WordTag| i < n && tags[i] == t;
    let word = |i: usize| if i < n { norm(words[i]) } else { String::new() };
    let mut out = vec![];
    for (s, e) in title_phrases(words, tags) {
        // 1. right before a person, honorifics allowed between: `Foreign Secretary Jack Straw`.
        // (Also across a closing bracket and comma: `inspector (and lead for mental
        // health), Dr Paul Lelliott`.)
        let mut k = e;
        while k < n && (is_honorific(words[k]) || (k == e && words[k] == ")") || (k <= e + 1 && words[k] == "," && k + 1 < n && (is(k + 1, WordTag::Per) || is_honorific(words[k + 1])))) {
            k += 1;
        }
        let before_person = is(k, WordTag::Per);
        // 2. apposition after a person: `PER , [det|ORG|ORG 's] TITLE`.
        let mut b = s;
        while b > 0 && (is_det(words[b - 1]) || matches!(tags[b - 1], WordTag::Org | WordTag::Loc) || is_possessive(words[b - 1])) {
            b -= 1;
        }
        let after_person = b >= 2 && word(b - 1) == "," && is(b - 2, WordTag::Per);
        // 3. introducing a person: `TITLE , PER` or `TITLE of|at|for ORG , PER`.
        let mut a = e;
        if a < n && matches!(word(a).as_str(), "of" | "at" | "for" | "with") {
            a += 1;
            while a < n && (is_det(words[a]) || tags[a] == WordTag::Org || tags[a] == WordTag::Loc) {
                a += 1;
            }
        }
        let introduces = a + 1 < n && word(a) == "," && {
            let mut p = a + 1;
            while p < n && is_honorific(words[p]) {
                p += 1;
            }
            is(p, WordTag::Per)
        };
        // 4. a described source: `[det|ORG] TITLE [of|for|at ORG…] said`.
        // (A party the tagger called MISC is an organisation here: `the Republican lawmaker said`.)
        let party = |i: usize| tags[i] == WordTag::Org || crate::lexicon::is_party(words[i]);
        let det_before = s > 0 && (is_det(words[s - 1]) || is_possessive(words[s - 1]) || party(s - 1));
        let mut v = e;
        if v < n && matches!(word(v).as_str(), "of" | "at" | "for" | "with") {
            v += 1;
            while v < n && v < e + 6 && !is_speech_verb(words[v]) && word(v) != "," {
                v += 1;
            }
        }
        let said = det_before && v < n && (is_speech_verb(words[v]) || (word(v) == "has" || word(v) == "had") && v + 1 < n && is_speech_verb(words[v + 1]));
        // 4b. an unnamed informant: `a source close to the firm`, `a spokesman for X`.
        let informant = s > 0
            && e == s + 1
            && matches!(word(s - 1).as_str(), "a" | "an" | "one")
            && INFORMANT_NOUNS.contains(norm(words[s]).as_str())
            && (word(e) == "close" || word(e) == "for" || word(e) == "at");
        // 5. predicate or appointment of a person just named: `Smith , who is the chairman`,
        //    `Smith was named chief executive`, `appointed Smith as manager`.
        let mut c = s;
        while c > 0 && (is_det(words[c - 1]) || is_possessive(words[c - 1]) || party(c - 1)) {
            c -= 1;
        }
        let copula = c > 0
            && matches!(word(c - 1).as_str(), "is" | "was" | "as" | "became" | "becomes" | "named" | "appointed" | "elected")
            && (c.saturating_sub(6)..c - 1).any(|k| tags[k] == WordTag::Per);
        if before_person || after_person || introduces || said || copula || informant {
            out.push((s, e));
        }
    }
    // A title joined by `and` to a title already found (`committee member and Tory MP
    // Nigel Waterson`) is a ROLE too.
    let phrases = title_phrases(words, tags);
    for &(s, e) in phrases.iter().rev() {
        if out.contains(&(s, e)) || e >= n || norm(words[e]) != "and" {
            continue;
        }
        let mut k = e + 1;
        while k < n && tags[k] == WordTag::Org {
            k += 1;
        }
        if out.iter().any(|&(s2, _)| s2 == k) {
            out.push((s, e));
        }
    }
    out.sort();
    out
}

/// Merges the role rules with the NER model's entities in one sentence (called by
/// [`crate::ner::batch`] when `role_rules` is on): a model ROLE that is
/// only an honorific before a name (`Dr`, `Professor`) is dropped; a model ROLE is
/// widened to the title phrase that contains it (`Trust chairman`); the rules' ROLEs
/// (titles tied to a person, unnamed sources, anaphoric `the TITLE`) are added on words
/// the model left outside any entity.
pub fn merge_rule_roles(text: &Text, sent: &Sentence, found: &mut Vec<WordEntity>) {
    // The sentence's words are spans of this text.
    let words: Vec<&str> = sent.words.iter().map(|&w| text.get(w).unwrap_or_default()).collect();
    let tag_of = |l: Label| match l {
        Label::PER => WordTag::Per,
        Label::ORG => WordTag::Org,
        Label::LOC => WordTag::Loc,
        Label::MISC => WordTag::Misc,
        Label::ROLE => WordTag::Role,
        Label::QUOTE => WordTag::O,
    };
    // Honorific "roles" before a person.
    let persons: Vec<usize> = found.iter().filter(|e| e.label == Label::PER).map(|e| e.start).collect();
    found.retain(|e| !(e.label == Label::ROLE && all_honorifics(&words[e.start..e.end]) && persons.contains(&e.end)));
    // `Trust chairman`: a one-word generic organisation noun right before a ROLE is part
    // of the title, not a named ORG.
    let generic: Vec<usize> = found
        .iter()
        .enumerate()
        .filter(|(_, e)| {
            e.label == Label::ORG
                && e.end - e.start == 1
                && is_generic_org_noun(words[e.start])
                && found.iter().any(|r| r.label == Label::ROLE && r.start == e.end)
        })
        .map(|(i, _)| i)
        .collect();
    for &i in generic.iter().rev() {
        let org = found.remove(i);
        if let Some(r) = found.iter_mut().find(|r| r.label == Label::ROLE && r.start == org.end) {
            r.start = org.start;
        }
    }
    let mut tags = vec![WordTag::O; words.len()];
    for e in found.iter() {
        tags[e.start..e.end].iter_mut().for_each(|x| *x = tag_of(e.label));
    }
    // Widen model ROLEs over free words only.
    let phrases = title_phrases(&words, &tags);
    for e in found.iter_mut().filter(|e| e.label == Label::ROLE) {
        let (s, t) = widen_role(&phrases, e.start, e.end);
        if (s..t).all(|k| tags[k] == WordTag::O || tags[k] == WordTag::Role) {
            e.start = s;
            e.end = t;
        }
    }
    let mut tags = vec![WordTag::O; words.len()];
    for e in found.iter() {
        tags[e.start..e.end].iter_mut().for_each(|x| *x = tag_of(e.label));
    }
    // Remove ROLEs swallowed by a widened one.
    let mut kept: Vec<WordEntity> = vec![];
    found.sort_by_key(|e| (e.start, std::cmp::Reverse(e.end)));
    for e in found.drain(..) {
        if kept.last().is_some_and(|k| e.start < k.end) {
            continue;
        }
        kept.push(e);
    }
    *found = kept;
    let mut add = find_roles(&words, &tags);
    add.extend(anaphoric_roles(&words, &tags));
    for (s, e) in add {
        if tags[s..e].iter().all(|t| *t == WordTag::O) && !all_honorifics(&words[s..e]) {
            tags[s..e].iter_mut().for_each(|x| *x = WordTag::Role);
            found.push(WordEntity { start: s, end: e, label: Label::ROLE, score: crate::ner::RULE_ROLE_SCORE });
        }
    }
    found.sort_by_key(|e| e.start);
}

#[cfg(test)]
mod tests {
    use super::*;
    use WordTag::*;

    fn roles(sentence: &str, tags: &[WordTag]) -> Vec<String> {
        let words: Vec<&str> = sentence.split(' ').collect();
        find_roles(&words, tags).into_iter().map(|(s, e)| words[s..e].join(" ")).collect()
    }

    #[test]
    fn a_title_right_before_a_person_is_a_role_and_the_party_stays_out() {
        let r = roles("Tory leader Michael Howard said", &[Org, O, Per, Per, O]);
        assert_eq!(r, vec!["leader"]);
    }

    #[test]
    fn apposition_after_a_person_keeps_the_title_and_leaves_the_org_reference_out() {
        let r = roles("John Adler , chief executive of the trust , said", &[Per, Per, O, O, O, O, O, O, O, O]);
        assert_eq!(r, vec!["chief executive"]);
    }

    #[test]
    fn of_complements_made_of_title_words_stay_inside() {
        let r = roles(
            "Mike Richards , Chief Inspector of Hospitals , said",
            &[Per, Per, O, O, O, O, O, O, O],
        );
        assert_eq!(r, vec!["Chief Inspector of Hospitals"]);
    }

    #[test]
    fn a_title_introducing_a_person_after_a_comma_is_a_role() {
        let r = roles("Trust chairman , Karamjit Singh CBE , said", &[O, O, O, Per, Per, O, O, O]);
        assert_eq!(r, vec!["Trust chairman"]);
    }

    #[test]
    fn an_unnamed_source_with_a_speech_verb_is_a_role() {
        assert_eq!(roles("a spokesman said", &[O, O, O]), vec!["spokesman"]);
        assert_eq!(roles("the chief executive added", &[O, O, O, O]), vec!["chief executive"]);
    }

    #[test]
    fn a_described_source_after_a_party_the_tagger_called_misc_is_a_role() {
        assert_eq!(roles("the Democratic senator said", &[O, Misc, O, O]), vec!["senator"]);
    }

    #[test]
    fn an_unnamed_informant_close_to_an_organisation_is_a_role() {
        assert_eq!(roles("the newspaper quotes a source close to the firm", &[O; 9]), vec!["source"]);
    }

    #[test]
    fn generic_plural_occupations_without_context_are_not_roles() {
        assert!(roles("doctors and nurses work hard", &[O, O, O, O, O]).is_empty());
    }

    #[test]
    fn former_and_determiners_stay_out() {
        let r = roles("the former chairman John Smith", &[O, O, O, Per, Per]);
        assert_eq!(r, vec!["chairman"]);
    }

    #[test]
    fn modifiers_joined_by_and_stay_in_one_title() {
        let r = roles("Tory work and pensions spokesman David Willetts said", &[Org, O, O, O, O, Per, Per, O]);
        assert_eq!(r, vec!["work and pensions spokesman"]);
    }

    #[test]
    fn two_titles_joined_by_and_are_two_phrases() {
        let words: Vec<&str> = "chairman and chief executive".split(' ').collect();
        assert_eq!(title_phrases(&words, &[O; 4]), vec![(0, 1), (2, 4)]);
    }

    #[test]
    fn a_model_role_widens_to_its_whole_title() {
        let words: Vec<&str> = "CQC 's deputy chief inspector of hospitals said".split(' ').collect();
        let tags = [Org, O, Role, Role, O, O, O, O];
        assert_eq!(widen_role(&title_phrases(&words, &tags), 2, 4), (2, 7));
    }

    #[test]
    fn widening_finds_the_containing_phrase_among_many_and_leaves_others_alone() {
        let phrases: Vec<(usize, usize)> = (0..1000).map(|i| (3 * i, 3 * i + 2)).collect();
        assert_eq!(widen_role(&phrases, 1500, 1501), (1500, 1502));
        assert_eq!(widen_role(&phrases, 1501, 1502), (1500, 1502));
        assert_eq!(widen_role(&phrases, 1502, 1503), (1502, 1503), "a word between phrases");
        assert_eq!(widen_role(&phrases, 1501, 1504), (1501, 1504), "a ROLE across two phrases");
        assert_eq!(widen_role(&[], 4, 5), (4, 5));
    }

    #[test]
    fn title_phrases_are_disjoint_and_in_order() {
        let words: Vec<&str> = "the chief executive and chairman of the board , deputy chief inspector of hospitals and Health Secretary said".split(' ').collect();
        let phrases = title_phrases(&words, &vec![O; words.len()]);
        assert!(phrases.windows(2).all(|w| w[0].1 <= w[1].0), "{phrases:?}");
    }

    #[test]
    fn the_singular_title_is_an_anaphoric_role_but_the_player_is_not() {
        let words: Vec<&str> = "the striker told the player and the managers".split(' ').collect();
        assert_eq!(anaphoric_roles(&words, &[O; 8]), vec![(1, 2)]);
    }

    #[test]
    fn generic_organisation_nouns_premodify_titles_but_not_every_organisation_head_noun() {
        assert!(is_generic_org_noun("Trust") && is_generic_org_noun("club") && is_generic_org_noun("Council"));
        assert!(!is_generic_org_noun("Tory") && !is_generic_org_noun("Committee"));
    }

    #[test]
    fn shadow_and_portfolio_words_premodify_a_title_but_descriptions_do_not() {
        let r = roles("Shadow Work and Pensions Secretary Jo Smith said", &[O, O, O, O, O, Per, Per, O]);
        assert_eq!(r, vec!["Shadow Work and Pensions Secretary"]);
        let r = roles("the local MP Jo Smith", &[O, O, O, Per, Per]);
        assert_eq!(r, vec!["MP"]);
    }

    #[test]
    fn honorifics_between_title_and_name_are_skipped() {
        let r = roles("Health Secretary Dr John Reid", &[O, O, O, Per, Per]);
        assert_eq!(r, vec!["Health Secretary"]);
    }
}
