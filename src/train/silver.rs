//! Silver ROLE labels for training text that has none (CoNLL-2003): whosaid's role rules
//! ([`crate::roles`]) run over each sentence with its gold PER/ORG/LOC/MISC tags, and
//! every ROLE they find becomes `B-ROLE`/`I-ROLE` on words tagged `O`.

use super::conll::Sentence;
use crate::roles::{find_roles, WordTag};

/// Maps a BIO tag to the word tag the role rules read.
pub fn word_tag(tag: &str) -> WordTag {
    match tag.get(2..) {
        Some("PER") => WordTag::Per,
        Some("ORG") => WordTag::Org,
        Some("LOC") => WordTag::Loc,
        Some("MISC") => WordTag::Misc,
        Some("ROLE") => WordTag::Role,
        _ => WordTag::O,
    }
}

/// Adds silver ROLE tags in place; returns how many ROLE spans were added.
///
/// Within a document, a title already found for a named person also marks later
/// anaphoric uses after `the` (`manager Joe Royle` … `the manager said`).
pub fn add_roles(sentences: &mut [Sentence]) -> usize {
    let mut added = 0;
    let mut seen: std::collections::HashSet<Vec<String>> = Default::default();
    let mut doc = usize::MAX;
    for s in sentences.iter_mut() {
        if s.doc != doc {
            doc = s.doc;
            seen.clear();
        }
        let words: Vec<&str> = s.words.iter().map(String::as_str).collect();
        let tags: Vec<WordTag> = s.tags.iter().map(|t| word_tag(t)).collect();
        for (start, end) in find_roles(&words, &tags) {
            if s.tags[start..end].iter().all(|t| t == "O") {
                s.tags[start] = "B-ROLE".into();
                for t in &mut s.tags[start + 1..end] {
                    *t = "I-ROLE".into();
                }
                added += 1;
                seen.insert(s.words[start..end].iter().map(|w| w.to_lowercase()).collect());
            }
        }
        added += add_anaphors(s, &seen);
    }
    added
}

/// `the TITLE` where TITLE was already a role of someone in this document.
fn add_anaphors(s: &mut Sentence, seen: &std::collections::HashSet<Vec<String>>) -> usize {
    let mut added = 0;
    for title in seen {
        let n = title.len();
        let mut i = 1;
        while i + n <= s.words.len() {
            let matches = s.words[i - 1].eq_ignore_ascii_case("the")
                && s.words[i..i + n].iter().zip(title).all(|(w, t)| w.to_lowercase() == *t)
                && s.tags[i..i + n].iter().all(|t| t == "O")
                && s.tags.get(i + n).is_none_or(|t| !t.starts_with("I-"));
            if matches {
                s.tags[i] = "B-ROLE".into();
                for t in &mut s.tags[i + 1..i + n] {
                    *t = "I-ROLE".into();
                }
                added += 1;
                i += n;
            } else {
                i += 1;
            }
        }
    }
    added
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn silver_roles_are_added_only_on_outside_words() {
        let mut s = vec![Sentence {
            words: "U.N. Secretary-General Boutros Boutros-Ghali said".split(' ').map(String::from).collect(),
            tags: vec!["B-ORG", "O", "B-PER", "I-PER", "O"].into_iter().map(String::from).collect(),
            doc: 0,
        }];
        assert_eq!(add_roles(&mut s), 1);
        assert_eq!(s[0].tags, vec!["B-ORG", "B-ROLE", "B-PER", "I-PER", "O"]);
    }
}
