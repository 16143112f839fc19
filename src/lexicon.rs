//! The word lists of the rule stages, each defined once as a data file under `data/`
//! (with its source and the reason its entries are there in the file's header), loaded
//! here once and shared.
//!
//! | list | file | used by |
//! |---|---|---|
//! | speech verbs | `data/speech_verbs.txt` (GenderGapTracker) + `data/speech_verbs_polnear.tsv` (derived from PolNeAR's cues) | quotes, attribution, roles |
//! | honorifics | `data/lexicon/honorifics.txt` | decode, roles, coreference, attribution |
//! | title abbreviations | `data/lexicon/title_abbreviations.txt` | attribution, roles |
//! | determiners | `data/lexicon/determiners.txt` | roles, relations, attribution |
//! | organisation speaker nouns | `data/lexicon/org_speaker_nouns.txt` | attribution |
//! | pronouns | `data/lexicon/pronouns.tsv` | attribution |
//! | auxiliaries, subordinators, prepositions | `data/lexicon/*.txt` | attribution |
//! | adverbs between subject and verb | `data/lexicon/adverbs.txt` | attribution |
//! | irregular past forms of speech verbs | `data/lexicon/irregular_past.txt` | attribution |
//! | phrasal speech verbs (`shot back`), entourage nouns (`'s campaign`) | `data/lexicon/*.txt` | attribution |
//! | organisation head nouns | `data/lexicon/org_head_nouns.txt` | relations |
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

/// Lower case, curly apostrophes straight: the form every list is written in.
pub fn norm(w: &str) -> String {
    w.to_lowercase().replace('’', "'")
}

pub static SPEECH_VERBS: Lazy<HashSet<&'static str>> = Lazy::new(|| {
    let mut s = list(include_str!("../data/speech_verbs.txt"));
    for line in entries(include_str!("../data/speech_verbs_polnear.tsv")) {
        // The fourth column: the past forms, the only ones used (see the file's header).
        if let Some(forms) = line.split('\t').nth(3) {
            s.extend(forms.split(' ').filter(|f| !f.is_empty()));
        }
    }
    s
});
pub static HONORIFICS: Lazy<HashSet<&'static str>> = Lazy::new(|| list(include_str!("../data/lexicon/honorifics.txt")));
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
/// Head nouns of organisation names (`the trust`, `Trust chairman`).
pub static ORG_HEAD_NOUNS: Lazy<HashSet<&'static str>> = Lazy::new(|| list(include_str!("../data/lexicon/org_head_nouns.txt")));
/// Cue verbs of quoted fragments that are not speech verbs in the lexicons (`urged`, `vowed`).
pub static CUE_VERBS: Lazy<HashSet<&'static str>> = Lazy::new(|| list(include_str!("../data/lexicon/cue_verbs.txt")));
/// Party names and their member and adjective forms, case as written (`Tories`, `GOP`).
pub static PARTIES: Lazy<HashSet<&'static str>> = Lazy::new(|| list(include_str!("../data/lexicon/parties.txt")));
/// Nationality adjectives, case as written (`German`, `Sri Lankan`).
pub static NATIONALITIES: Lazy<HashSet<&'static str>> = Lazy::new(|| list(include_str!("../data/lexicon/nationalities.txt")));
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
        ("honorifics.txt", include_str!("../data/lexicon/honorifics.txt")),
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
    fn honorifics_and_title_abbreviations_match_with_or_without_a_period() {
        assert!(is_honorific("Ms."));
        assert!(is_honorific("mr"));
        assert!(is_title_abbreviation("Sen."));
        assert!(is_title_abbreviation("gov"));
        assert!(!is_honorific("Sen."));
    }

    #[test]
    fn pronouns_have_their_kinds() {
        assert_eq!(pronoun("she"), Some(("she", PronounKind::Female)));
        assert_eq!(pronoun("they").map(|p| p.1), Some(PronounKind::Group));
        assert_eq!(pronoun("i"), None);
    }
}
