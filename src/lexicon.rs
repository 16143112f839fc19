//! The word lists of the rule stages, each defined once as a data file under `data/`
//! (with its source and the reason its entries are there in the file's header), loaded
//! here once and shared.
//!
//! | list | file | used by |
//! |---|---|---|
//! | speech verbs | `data/speech_verbs.txt` (GenderGapTracker) + `data/speech_verbs_polnear.tsv` (derived from PolNeAR's cues) | quotes, attribution, roles |
//! | honorifics, with the gender they say | `data/lexicon/honorifics.tsv` | decode, roles, coreference, attribution |
//! | title abbreviations | `data/lexicon/title_abbreviations.txt` | attribution, roles, entities |
//! | abbreviations with a period that ends no sentence (`Mr.`, `Sen.`, `Inc.`) | `data/lexicon/abbreviations.txt` | segmentation |
//! | post-nominals (`CBE`, `MP`) | `data/lexicon/post_nominals.txt` | decode |
//! | determiners | `data/lexicon/determiners.txt` | roles, relations, attribution, quotes |
//! | title head nouns, premodifiers, complements | `data/role_heads.txt`, `data/role_modifiers.txt` (derived from a job-title list) + `data/lexicon/title_modifiers.txt` − `data/lexicon/not_title_modifiers.txt`, `data/lexicon/title_complements.txt` | roles |
//! | head nouns that describe (`the actor`), unnamed informants (`a source`) | `data/lexicon/descriptive_heads.txt`, `data/lexicon/informant_nouns.txt` | roles |
//! | gendered nouns (`actress`, `king`) | `data/lexicon/gendered_nouns.tsv` | attribution |
//! | group nouns (`the government said`) | `data/lexicon/group_nouns.txt` | attribution |
//! | speech verbs of the addressee (`told CBS`) | `data/lexicon/addressee_verbs.txt` | attribution |
//! | naming cues (`so-called`, `dubbed`), function words | `data/lexicon/naming_cues.txt`, `data/lexicon/function_words.txt` (+ the closed classes) | quotes |
//! | organisation speaker nouns | `data/lexicon/org_speaker_nouns.txt` | attribution |
//! | pronouns | `data/lexicon/pronouns.tsv` | attribution |
//! | auxiliaries, subordinators, prepositions | `data/lexicon/*.txt` | attribution |
//! | adverbs between subject and verb | `data/lexicon/adverbs.txt` | attribution |
//! | irregular past forms of speech verbs | `data/lexicon/irregular_past.txt` | attribution |
//! | phrasal speech verbs (`shot back`), entourage nouns (`'s campaign`) | `data/lexicon/*.txt` | attribution |
//! | organisation head nouns; those that premodify a title (`Trust chairman`) | `data/lexicon/org_head_nouns.txt`, `data/lexicon/title_org_nouns.txt` | relations, entities; NER |
//! | cue verbs of fragments | `data/lexicon/cue_verbs.txt` | quotes, attribution |
//! | political parties (UK, US) | `data/lexicon/parties.txt` | entities |
//! | seats of government (`White House`, `Kremlin`) | `data/lexicon/government_seats.txt` | entities |
//! | nationality adjectives (`German`, `Welsh`) | `data/lexicon/nationalities.txt` | entities |
//!
//! Lookups take a lower-cased word with curly apostrophes made straight (see [`norm`]).

use once_cell::sync::Lazy;
use std::collections::{HashMap, HashSet};

/// The entries of a one-word-a-line list: blank lines and `#` comments skipped.
fn list(src: &'static str) -> HashSet<&'static str> {
    entries(src).collect()
}

fn entries(src: &'static str) -> impl Iterator<Item = &'static str> {
    src.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// The `word<TAB>value` lines of a two-column list.
fn pairs(src: &'static str) -> impl Iterator<Item = (&'static str, &'static str)> {
    entries(src).filter_map(|l| l.split_once('\t')).map(|(w, v)| (w.trim(), v.trim()))
}

/// A gender column's value (`male`, `female`; anything else says none).
fn gender(v: &str) -> Option<PronounKind> {
    match v {
        "male" => Some(PronounKind::Male),
        "female" => Some(PronounKind::Female),
        _ => None,
    }
}

/// Lower case, curly apostrophes straight: the form every list is written in.
pub fn norm(w: &str) -> String {
    w.to_lowercase().replace('’', "'")
}

/// The speech verbs of data/speech_verbs.txt (GenderGapTracker), all inflections: what
/// the quote and role rules take for a speech cue. The past forms derived from PolNeAR's
/// cues are the attribution sieves' only ([`SPEECH_VERBS`]): some are speech verbs only
/// in an attribution (`referred` in `His "resignation" was referred to` cues no quote).
pub static BASE_SPEECH_VERBS: Lazy<HashSet<&'static str>> = Lazy::new(|| list(include_str!("../data/speech_verbs.txt")));
/// The speech verbs of the attribution sieves: [`BASE_SPEECH_VERBS`] and the past forms
/// of the lemmas derived from PolNeAR's cues.
pub static SPEECH_VERBS: Lazy<HashSet<&'static str>> = Lazy::new(|| {
    let mut s = BASE_SPEECH_VERBS.clone();
    for line in entries(include_str!("../data/speech_verbs_polnear.tsv")) {
        // The fourth column: the past forms, the only ones used (see the file's header).
        if let Some(forms) = line.split('\t').nth(3) {
            s.extend(forms.split(' ').filter(|f| !f.is_empty()));
        }
    }
    s
});
const HONORIFICS_TSV: &str = include_str!("../data/lexicon/honorifics.tsv");
pub static HONORIFICS: Lazy<HashSet<&'static str>> = Lazy::new(|| pairs(HONORIFICS_TSV).map(|(w, _)| w).collect());
static HONORIFIC_GENDERS: Lazy<HashMap<&'static str, PronounKind>> =
    Lazy::new(|| pairs(HONORIFICS_TSV).filter_map(|(w, g)| Some((w, gender(g)?))).collect());
/// Abbreviations written with a period that does not end a sentence (`Mr.`, `Sen.`,
/// `Inc.`, `Jan.`): sentence splitting's list.
pub static ABBREVIATIONS: Lazy<HashSet<&'static str>> = Lazy::new(|| list(include_str!("../data/lexicon/abbreviations.txt")));
/// Post-nominal letters (`CBE`, `MP`, `QC`), lower case.
pub static POST_NOMINALS: Lazy<HashSet<&'static str>> = Lazy::new(|| list(include_str!("../data/lexicon/post_nominals.txt")));
pub static TITLE_ABBREVIATIONS: Lazy<HashSet<&'static str>> =
    Lazy::new(|| list(include_str!("../data/lexicon/title_abbreviations.txt")));
pub static DETERMINERS: Lazy<HashSet<&'static str>> = Lazy::new(|| list(include_str!("../data/lexicon/determiners.txt")));
pub static ORG_SPEAKER_NOUNS: Lazy<HashSet<&'static str>> =
    Lazy::new(|| list(include_str!("../data/lexicon/org_speaker_nouns.txt")));
pub static AUXILIARIES: Lazy<HashSet<&'static str>> = Lazy::new(|| list(include_str!("../data/lexicon/auxiliaries.txt")));
pub static SUBORDINATORS: Lazy<HashSet<&'static str>> = Lazy::new(|| list(include_str!("../data/lexicon/subordinators.txt")));
pub static PREPOSITIONS: Lazy<HashSet<&'static str>> = Lazy::new(|| list(include_str!("../data/lexicon/prepositions.txt")));
/// Short adverbs between a subject and its verb (`Smith also said`).
pub static ADVERBS: Lazy<HashSet<&'static str>> = Lazy::new(|| list(include_str!("../data/lexicon/adverbs.txt")));
/// Seats of government that speak for it (`the White House said`), case as written.
pub static GOVERNMENT_SEATS: Lazy<HashSet<&'static str>> =
    Lazy::new(|| list(include_str!("../data/lexicon/government_seats.txt")));
/// Two-word speech verbs (`shot back`, `went on`).
pub static PHRASAL_SPEECH_VERBS: Lazy<HashSet<&'static str>> =
    Lazy::new(|| list(include_str!("../data/lexicon/phrasal_speech_verbs.txt")));
/// Nouns after a possessive that speak for the person (`Ryan's campaign`).
pub static ENTOURAGE_NOUNS: Lazy<HashSet<&'static str>> =
    Lazy::new(|| list(include_str!("../data/lexicon/entourage_nouns.txt")));
/// Head nouns of organisation names (`the trust`, `the Council`).
pub static ORG_HEAD_NOUNS: Lazy<HashSet<&'static str>> = Lazy::new(|| list(include_str!("../data/lexicon/org_head_nouns.txt")));
/// Organisation nouns that, tagged as a one-word ORG before a ROLE, are part of the title
/// (`Trust chairman`); a subset of [`ORG_HEAD_NOUNS`].
pub static TITLE_ORG_NOUNS: Lazy<HashSet<&'static str>> = Lazy::new(|| list(include_str!("../data/lexicon/title_org_nouns.txt")));
/// Cue verbs of quoted fragments that are not speech verbs in the lexicons (`urged`, `vowed`).
pub static CUE_VERBS: Lazy<HashSet<&'static str>> = Lazy::new(|| list(include_str!("../data/lexicon/cue_verbs.txt")));
/// Party names and their member and adjective forms, case as written (`Tories`, `GOP`).
pub static PARTIES: Lazy<HashSet<&'static str>> = Lazy::new(|| list(include_str!("../data/lexicon/parties.txt")));
/// Nationality adjectives, case as written (`German`, `Sri Lankan`).
pub static NATIONALITIES: Lazy<HashSet<&'static str>> = Lazy::new(|| list(include_str!("../data/lexicon/nationalities.txt")));
/// Head nouns of titles (`chairman`, `minister`); plurals are derived by [`crate::roles`].
pub static ROLE_HEADS: Lazy<HashSet<&'static str>> = Lazy::new(|| list(include_str!("../data/role_heads.txt")));
/// Words that premodify a title (`deputy`, `shadow`, `portfolio`): the job-title list's,
/// with the ones it lacks and without the ones that describe in news.
pub static TITLE_MODIFIERS: Lazy<HashSet<&'static str>> = Lazy::new(|| {
    let mut m = list(include_str!("../data/role_modifiers.txt"));
    m.extend(entries(include_str!("../data/lexicon/title_modifiers.txt")));
    for w in entries(include_str!("../data/lexicon/not_title_modifiers.txt")) {
        m.remove(w);
    }
    m
});
/// First words of a title's `of` complement (`of State`, `of Hospitals`).
pub static TITLE_COMPLEMENTS: Lazy<HashSet<&'static str>> =
    Lazy::new(|| list(include_str!("../data/lexicon/title_complements.txt")));
/// Head nouns that alone after `the` describe rather than name a position (`the actor`).
pub static DESCRIPTIVE_HEADS: Lazy<HashSet<&'static str>> =
    Lazy::new(|| list(include_str!("../data/lexicon/descriptive_heads.txt")));
/// Nouns of unnamed informants (`a source close to`, `a spokesman for`).
pub static INFORMANT_NOUNS: Lazy<HashSet<&'static str>> = Lazy::new(|| list(include_str!("../data/lexicon/informant_nouns.txt")));
/// Singular nouns that as a subject stand for the state or a group (`the government said`).
pub static GROUP_NOUNS: Lazy<HashSet<&'static str>> = Lazy::new(|| list(include_str!("../data/lexicon/group_nouns.txt")));
/// Speech verbs whose object is the addressee (`told CBS`).
pub static ADDRESSEE_VERBS: Lazy<HashSet<&'static str>> = Lazy::new(|| list(include_str!("../data/lexicon/addressee_verbs.txt")));
/// Words before a quoted fragment that make it a mentioned name or term (`so-called`).
pub static NAMING_CUES: Lazy<HashSet<&'static str>> = Lazy::new(|| list(include_str!("../data/lexicon/naming_cues.txt")));
/// Closed-class words that no other list holds (`and`, `could`, `there`); see
/// [`is_function_word`].
pub static FUNCTION_WORDS: Lazy<HashSet<&'static str>> = Lazy::new(|| list(include_str!("../data/lexicon/function_words.txt")));
static GENDERED_NOUNS: Lazy<HashMap<&'static str, PronounKind>> =
    Lazy::new(|| pairs(include_str!("../data/lexicon/gendered_nouns.tsv")).filter_map(|(w, g)| Some((w, gender(g)?))).collect());
/// Irregular past forms of speech verbs (`said`, `wrote`); regular ones end in `-ed`.
pub static IRREGULAR_PAST: Lazy<HashSet<&'static str>> =
    Lazy::new(|| list(include_str!("../data/lexicon/irregular_past.txt")));

/// What a subject pronoun may refer to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PronounKind {
    Male,
    Female,
    /// An organisation or a group of people (`they`, `it`, `we`).
    Group,
}

pub static PRONOUNS: Lazy<HashMap<&'static str, PronounKind>> = Lazy::new(|| {
    entries(include_str!("../data/lexicon/pronouns.tsv"))
        .filter_map(|l| {
            let (w, k) = l.split_once('\t')?;
            let kind = match k.trim() {
                "male" => PronounKind::Male,
                "female" => PronounKind::Female,
                _ => PronounKind::Group,
            };
            Some((w, kind))
        })
        .collect()
});

/// The subject pronoun a (normalised) word is, if any, as the list spells it.
pub fn pronoun(w: &str) -> Option<(&'static str, PronounKind)> {
    PRONOUNS.get_key_value(w).map(|(k, v)| (*k, *v))
}

pub fn is_speech_verb(w: &str) -> bool {
    SPEECH_VERBS.contains(norm(w).as_str())
}

pub fn is_honorific(w: &str) -> bool {
    HONORIFICS.contains(norm(w).trim_end_matches('.'))
}

pub fn is_title_abbreviation(w: &str) -> bool {
    TITLE_ABBREVIATIONS.contains(norm(w).trim_end_matches('.'))
}

/// The gender an honorific (`Mr`, `ms.`) says, if it says one: Male or Female.
pub fn honorific_gender(w: &str) -> Option<PronounKind> {
    HONORIFIC_GENDERS.get(norm(w).trim_end_matches('.')).copied()
}

/// The gender a noun (`actress`, `king`) says of the person it names, if it has one of
/// its own: Male or Female.
pub fn gendered_noun(w: &str) -> Option<PronounKind> {
    GENDERED_NOUNS.get(norm(w).as_str()).copied()
}

/// Is this word (without its period) an abbreviation whose period does not end a
/// sentence (`Mr`, `Inc`, `Sen`, `Jan`)?
pub fn is_abbreviation(w: &str) -> bool {
    ABBREVIATIONS.contains(norm(w).trim_end_matches('.'))
}

/// Is this (normalised) word a function word: a determiner, a pronoun, a preposition, a
/// subordinator, an auxiliary, or another closed-class word (`and`, `could`)?
pub fn is_function_word(w: &str) -> bool {
    DETERMINERS.contains(w)
        || PRONOUNS.contains_key(w)
        || PREPOSITIONS.contains(w)
        || SUBORDINATORS.contains(w)
        || AUXILIARIES.contains(w)
        || FUNCTION_WORDS.contains(w)
}

/// Is this text (case as written) a political party or its member or adjective form?
pub fn is_party(text: &str) -> bool {
    PARTIES.contains(text)
}

/// Is this speech verb (normalised) in the past tense (`said`, `warned`)? A past form
/// followed by `of` is still a verb (`said of the bill`), where a noun is not (`reports
/// of`).
pub fn is_past_speech_verb(w: &str) -> bool {
    let w = norm(w);
    is_speech_verb(&w) && (w.ends_with("ed") || IRREGULAR_PAST.contains(w.as_str()))
}

pub fn is_determiner(w: &str) -> bool {
    DETERMINERS.contains(norm(w).as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILES: &[(&str, &str)] = &[
        ("speech_verbs.txt", include_str!("../data/speech_verbs.txt")),
        ("speech_verbs_polnear.tsv", include_str!("../data/speech_verbs_polnear.tsv")),
        ("honorifics.tsv", include_str!("../data/lexicon/honorifics.tsv")),
        ("abbreviations.txt", include_str!("../data/lexicon/abbreviations.txt")),
        ("post_nominals.txt", include_str!("../data/lexicon/post_nominals.txt")),
        ("title_modifiers.txt", include_str!("../data/lexicon/title_modifiers.txt")),
        ("not_title_modifiers.txt", include_str!("../data/lexicon/not_title_modifiers.txt")),
        ("title_complements.txt", include_str!("../data/lexicon/title_complements.txt")),
        ("descriptive_heads.txt", include_str!("../data/lexicon/descriptive_heads.txt")),
        ("informant_nouns.txt", include_str!("../data/lexicon/informant_nouns.txt")),
        ("gendered_nouns.tsv", include_str!("../data/lexicon/gendered_nouns.tsv")),
        ("group_nouns.txt", include_str!("../data/lexicon/group_nouns.txt")),
        ("addressee_verbs.txt", include_str!("../data/lexicon/addressee_verbs.txt")),
        ("naming_cues.txt", include_str!("../data/lexicon/naming_cues.txt")),
        ("function_words.txt", include_str!("../data/lexicon/function_words.txt")),
        ("title_org_nouns.txt", include_str!("../data/lexicon/title_org_nouns.txt")),
        ("title_abbreviations.txt", include_str!("../data/lexicon/title_abbreviations.txt")),
        ("determiners.txt", include_str!("../data/lexicon/determiners.txt")),
        ("org_speaker_nouns.txt", include_str!("../data/lexicon/org_speaker_nouns.txt")),
        ("auxiliaries.txt", include_str!("../data/lexicon/auxiliaries.txt")),
        ("subordinators.txt", include_str!("../data/lexicon/subordinators.txt")),
        ("prepositions.txt", include_str!("../data/lexicon/prepositions.txt")),
        ("pronouns.tsv", include_str!("../data/lexicon/pronouns.tsv")),
    ];

    #[test]
    fn every_list_has_no_duplicate_and_is_lower_case() {
        for (name, src) in FILES {
            let mut seen = HashSet::new();
            for e in entries(src) {
                let key = e.split('\t').next().unwrap_or(e);
                assert!(seen.insert(key), "{name}: {key} listed twice");
                assert_eq!(key, norm(key), "{name}: {key} is not lower case");
            }
        }
    }

    #[test]
    fn every_list_says_where_it_comes_from() {
        for (name, src) in FILES.iter().filter(|(n, _)| *n != "speech_verbs.txt") {
            assert!(src.lines().take_while(|l| l.starts_with('#')).any(|l| l.contains("ource") || l.contains("PolNeAR")), "{name}: no source in its header");
        }
    }

    #[test]
    fn derived_speech_verbs_are_loaded_with_their_inflections() {
        for w in ["quipped", "interjected", "tweeted", "wrote", "conceded", "boasted", "implored", "called"] {
            assert!(is_speech_verb(w), "{w}");
        }
        assert!(!is_speech_verb("seemed"));
        // Base and present forms of the derived lemmas are nouns too often.
        assert!(!is_speech_verb("question"));
        assert!(!is_speech_verb("attacks"));
    }

    #[test]
    fn the_quote_and_role_rules_read_the_base_speech_verbs_only() {
        assert!(BASE_SPEECH_VERBS.contains("said") && SPEECH_VERBS.contains("said"));
        assert!(SPEECH_VERBS.contains("referred") && !BASE_SPEECH_VERBS.contains("referred"));
        assert!(BASE_SPEECH_VERBS.iter().all(|w| SPEECH_VERBS.contains(w)));
    }

    #[test]
    fn honorifics_and_title_abbreviations_match_with_or_without_a_period() {
        assert!(is_honorific("Ms."));
        assert!(is_honorific("mr"));
        assert!(is_title_abbreviation("Sen."));
        assert!(is_title_abbreviation("gov"));
        assert!(!is_honorific("Sen."));
    }

    #[test]
    fn honorifics_and_gendered_nouns_say_a_gender_only_where_they_have_one() {
        assert_eq!(honorific_gender("Mr."), Some(PronounKind::Male));
        assert_eq!(honorific_gender("baroness"), Some(PronounKind::Female));
        assert_eq!(honorific_gender("dr"), None);
        assert!(is_honorific("Dr") && is_honorific("Professor"));
        assert_eq!(gendered_noun("actress"), Some(PronounKind::Female));
        assert_eq!(gendered_noun("king"), Some(PronounKind::Male));
        assert_eq!(gendered_noun("minister"), None);
        for src in [HONORIFICS_TSV, include_str!("../data/lexicon/gendered_nouns.tsv")] {
            for l in entries(src) {
                let (_, g) = l.split_once('\t').expect("two columns");
                assert!(matches!(g, "male" | "female" | "-"), "{l}");
            }
        }
    }

    /// The title lists extend and trim the job-title list, so none repeats what is there:
    /// an added modifier is neither in it nor a head noun (a head premodifies anyway), a
    /// removed one is in it, a descriptive head is a head.
    #[test]
    fn the_title_lists_say_only_what_the_job_title_list_does_not() {
        let job = list(include_str!("../data/role_modifiers.txt"));
        for w in entries(include_str!("../data/lexicon/title_modifiers.txt")) {
            assert!(!job.contains(w) && !ROLE_HEADS.contains(w), "title_modifiers.txt: {w} is already a modifier or a head");
        }
        for w in entries(include_str!("../data/lexicon/not_title_modifiers.txt")) {
            assert!(job.contains(w), "not_title_modifiers.txt: {w} is not in role_modifiers.txt");
            assert!(!TITLE_MODIFIERS.contains(w));
        }
        for w in DESCRIPTIVE_HEADS.iter() {
            assert!(ROLE_HEADS.contains(w), "descriptive_heads.txt: {w} is not a head noun");
        }
        for src in [include_str!("../data/role_heads.txt"), include_str!("../data/role_modifiers.txt")] {
            let mut seen = HashSet::new();
            for e in entries(src) {
                assert!(seen.insert(e) && e == norm(e), "{e}");
            }
        }
    }

    /// Each closed class is one list: function_words.txt holds only what the others lack.
    /// (Sentence splitting's abbreviations and the organisation nouns of titles are lists
    /// of their own, checked against the lists they overlap.)
    #[test]
    fn function_words_and_abbreviations_are_not_listed_twice() {
        for w in FUNCTION_WORDS.iter() {
            assert!(
                !DETERMINERS.contains(w) && !PRONOUNS.contains_key(w) && !PREPOSITIONS.contains(w) && !SUBORDINATORS.contains(w) && !AUXILIARIES.contains(w),
                "function_words.txt: {w} is in another class list"
            );
        }
        for w in ["the", "he", "i", "of", "when", "would", "could", "and", "according"] {
            assert!(is_function_word(w), "{w}");
        }
        assert!(!is_function_word("vote"));
        assert!(is_abbreviation("Mr") && is_abbreviation("inc") && is_abbreviation("Sen"));
        assert!(!is_abbreviation("professor") && !is_abbreviation("Adm"));
        for w in TITLE_ORG_NOUNS.iter() {
            assert!(ORG_HEAD_NOUNS.contains(w), "title_org_nouns.txt: {w} is not in org_head_nouns.txt");
        }
    }

    #[test]
    fn pronouns_have_their_kinds() {
        assert_eq!(pronoun("she"), Some(("she", PronounKind::Female)));
        assert_eq!(pronoun("they").map(|p| p.1), Some(PronounKind::Group));
        assert_eq!(pronoun("i"), None);
    }
}
