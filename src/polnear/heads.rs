//! Quote words, sentence starts, and the name at the head of a source: what the (b)
//! `_3w` figures and the (c) surname rule read from the text.

use super::pystr::{is_digit, is_letterish, is_space, is_upper, is_word, lower, py_slice, string, strip_chars};
use std::collections::HashSet;

const PRONOUNS: &[&str] = &[
    "i", "me", "my", "mine", "myself", "we", "us", "our", "ours", "ourselves", "you", "your", "yours",
    "yourself", "yourselves", "he", "him", "his", "himself", "she", "her", "hers", "herself", "it", "its",
    "itself", "they", "them", "their", "theirs", "themselves", "who", "whom", "whose", "which", "that", "this",
    "these", "those", "one", "ones", "someone", "somebody", "anyone", "anybody", "everyone", "everybody",
    "nobody", "none", "both", "each", "either", "neither", "all", "many", "some", "several", "few", "others",
    "another", "most", "no one",
];
const SUFFIXES: &[&str] = &["jr", "sr", "ii", "iii", "iv", "inc", "llc", "ltd", "co", "corp", "esq", "md", "phd"];
const PREPS: &[&str] = &["of", "at", "for", "from", "in", "on", "with", "by", "to", "about", "like", "under", "over"];
const DETS: &[&str] = &["the", "a", "an", "this", "that", "its", "his", "her", "their", "our"];
const TITLES: &[&str] = &[
    "secretary", "president", "senator", "sen", "sens", "rep", "reps", "representative", "gov", "governor",
    "mayor", "chairman", "chairwoman", "chair", "director", "minister", "chief", "judge", "justice", "general",
    "attorney", "ambassador", "speaker", "leader", "commissioner", "spokesman", "spokeswoman", "spokesperson",
    "ceo", "professor", "prof", "dr", "mr", "mrs", "ms", "rev", "sir", "lord",
];
/// Words that may follow a name at the head of a source without making it a premodifier.
const HEAD_FOLLOW_OK: &[&str] = &["who", "whose", "which", "and", "or", "said", "says", "himself", "herself", "itself"];

/// `\w+(?:[’'\-.]\w+)*` matches in the text: the words of a quote.
pub(super) fn words(s: &[char]) -> usize {
    let (mut i, mut n) = (0, 0);
    while i < s.len() {
        if !is_word(s[i]) {
            i += 1;
            continue;
        }
        while i < s.len() && is_word(s[i]) {
            i += 1;
        }
        while i + 1 < s.len() && matches!(s[i], '’' | '\'' | '-' | '.') && is_word(s[i + 1]) {
            i += 1;
            while i < s.len() && is_word(s[i]) {
                i += 1;
            }
        }
        n += 1;
    }
    n
}

/// `[^\W\d_][\w’'\-]*` matches in a line.
fn title_words(line: &[char]) -> Vec<&[char]> {
    let mut out = vec![];
    let mut i = 0;
    while i < line.len() {
        if !is_letterish(line[i]) {
            i += 1;
            continue;
        }
        let s = i;
        i += 1;
        while i < line.len() && (is_word(line[i]) || matches!(line[i], '’' | '\'' | '-')) {
            i += 1;
        }
        out.push(&line[s..i]);
    }
    out
}

/// The line is in title case (a headline): most of its words of four letters or more are
/// capitalised.
fn title_case(line: &[char]) -> bool {
    let ws: Vec<&[char]> = title_words(line).into_iter().filter(|w| w.len() >= 4).collect();
    let caps = ws.iter().filter(|w| is_upper(w[0])).count();
    ws.len() >= 2 && caps as f64 >= 0.6 * ws.len() as f64
}

fn headline_line(text: &[char], i: usize) -> bool {
    let i = i.min(text.len());
    let ls = text[..i].iter().rposition(|&c| c == '\n').map_or(0, |p| p + 1);
    let le = text[i..].iter().position(|&c| c == '\n').map_or(text.len(), |p| i + p);
    title_case(&text[ls..le])
}

/// Whether position `i` starts a sentence (or is on a headline line).
fn sentence_initial(text: &[char], i: usize) -> bool {
    let mut j = i as i64 - 1;
    while j >= 0 && " \t\u{a0}“”\"‘’'([".contains(text[j as usize]) {
        j -= 1;
    }
    j < 0 || ".!?:;\n—–…".contains(text[j as usize]) || headline_line(text, i)
}

/// Parenthesised, bracketed and quoted parts written as spaces (same length).
fn blank_asides(seg: &[char]) -> Vec<char> {
    let mut out = seg.to_vec();
    let mut i = 0;
    while i < seg.len() {
        let close = match seg[i] {
            '(' => seg[i + 1..].iter().position(|&c| c == '(' || c == ')').filter(|&p| seg[i + 1 + p] == ')'),
            '[' => seg[i + 1..].iter().position(|&c| c == ']'),
            '“' => seg[i + 1..].iter().position(|&c| c == '”'),
            '"' => seg[i + 1..].iter().position(|&c| c == '"'),
            _ => None,
        };
        match close {
            Some(p) => {
                let j = i + 1 + p;
                for c in &mut out[i..=j] {
                    *c = ' ';
                }
                i = j + 1;
            }
            None => i += 1,
        }
    }
    out
}

/// Tokens of a span: runs of characters that are not whitespace or in `delims`; with
/// `single_delims`, each of those delimiters is a token of its own. `(token, start)`.
fn tokens(seg: &[char], delims: &str, single_delims: bool) -> Vec<(String, usize)> {
    let mut out = vec![];
    let mut i = 0;
    while i < seg.len() {
        let c = seg[i];
        if is_space(c) {
            i += 1;
        } else if delims.contains(c) {
            if single_delims {
                out.push((c.to_string(), i));
            }
            i += 1;
        } else {
            let s = i;
            while i < seg.len() && !is_space(seg[i]) && !delims.contains(seg[i]) {
                i += 1;
            }
            out.push((string(&seg[s..i]), s));
        }
    }
    out
}

/// `I`, `I’m`, `I'd`, `I’ll`, `I've`…
fn is_i(s: &str) -> bool {
    if s == "I" {
        return true;
    }
    let Some(rest) = s.strip_prefix('I') else { return false };
    let Some(rest) = rest.strip_prefix(['’', '\'']) else { return false };
    matches!(rest, "m" | "d" | "ll" | "ve")
}

/// A token without edge punctuation, a possessive `’s` and a final full stop.
fn norm_tok(tok: &str) -> String {
    let t = strip_chars(tok, ".,;:!?()[]{}\"“”‘’'");
    let t = t.strip_suffix("’s").or_else(|| t.strip_suffix("'s")).unwrap_or(t);
    t.trim_end_matches('.').to_string()
}

fn starts_cap(t: &str) -> bool {
    let Some(c) = t.chars().next() else { return false };
    is_upper(c) || (is_digit(c) && t.chars().any(is_upper))
}

/// `^[^\W\d_][\w\-]*$`.
fn plain_word(t: &str) -> bool {
    let mut cs = t.chars();
    cs.next().is_some_and(is_letterish) && cs.all(|c| is_word(c) || c == '-')
}

/// The last token of the name at the head of a source span (`Pence` in `Republican
/// nominee Gov. Mike Pence (R-IN)`, `Alden` in `Edward Alden of the Council on Foreign
/// Relations`); `None` when no capitalised run heads it (`the Clinton campaign`).
pub(super) fn source_head(text: &[char], s: i64, e: i64) -> Option<String> {
    let seg = blank_asides(py_slice(text, s, e));
    let toks = tokens(&seg, ",;:—–", true);
    let mut runs: Vec<(Vec<usize>, bool)> = vec![];
    let mut cur: Vec<usize> = vec![];
    for (k, (tok, _)) in toks.iter().enumerate() {
        let bare = strip_chars(tok, "“”\"‘’'()");
        let cap = starts_cap(bare) && !is_i(bare);
        if cap {
            let l = lower(bare);
            if k == 0
                && (DETS.contains(&l.as_str()) || PRONOUNS.contains(&l.as_str()))
                && sentence_initial(text, s as usize + toks[0].1)
            {
                continue;
            }
            cur.push(k);
            if bare.ends_with("’s") || bare.ends_with("'s") {
                runs.push((std::mem::take(&mut cur), true));
            }
        } else if !cur.is_empty() {
            runs.push((std::mem::take(&mut cur), false));
        }
    }
    if !cur.is_empty() {
        runs.push((cur, false));
    }
    for (idxs, possessive) in runs {
        if possessive {
            continue;
        }
        let (first, last) = (idxs[0], idxs[idxs.len() - 1]);
        let prev: Vec<String> = (first.saturating_sub(2)..first).map(|k| lower(&toks[k].0)).collect();
        if let Some(p) = prev.last() {
            if PREPS.contains(&p.as_str())
                || (prev.len() == 2 && DETS.contains(&p.as_str()) && PREPS.contains(&prev[0].as_str()))
            {
                continue;
            }
        }
        if TITLES.contains(&lower(&norm_tok(&toks[last].0)).trim_end_matches('.')) {
            continue;
        }
        if let Some((nxt, _)) = toks.get(last + 1) {
            let l = lower(nxt);
            if plain_word(nxt) && !PREPS.contains(&l.as_str()) && !HEAD_FOLLOW_OK.contains(&l.as_str()) {
                continue;
            }
        }
        for &k in idxs.iter().rev() {
            let t = norm_tok(&toks[k].0);
            if !t.is_empty() && !SUFFIXES.contains(&lower(&t).trim_end_matches('.')) {
                return Some(t);
            }
        }
    }
    None
}

/// The last capitalised token of a source span (asides, `I` and a sentence-initial
/// determiner left out).
pub(super) fn last_cap_token(text: &[char], s: i64, e: i64) -> Option<String> {
    let seg = blank_asides(py_slice(text, s, e));
    let mut last = None;
    for (tok, start) in tokens(&seg, ",;:—–", false) {
        let t = norm_tok(&tok);
        if !starts_cap(&t) {
            continue;
        }
        let l = lower(&t);
        if is_i(&t) || SUFFIXES.contains(&l.as_str()) {
            continue;
        }
        if start == 0 && (DETS.contains(&l.as_str()) || PRONOUNS.contains(&l.as_str())) && sentence_initial(text, s as usize) {
            continue;
        }
        last = Some(t);
    }
    last
}

/// The capitalised (or digit-initial) tokens of a predicted speaker's text.
pub(super) fn cap_tokens(s: &[char]) -> HashSet<String> {
    tokens(s, ",;:()[]—–", false)
        .into_iter()
        .map(|(tok, _)| norm_tok(&tok))
        .filter(|t| t.chars().next().is_some_and(|c| is_upper(c) || is_digit(c)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    /// The head of the source `sub` (its first occurrence) in `text`.
    fn head(text: &str, sub: &str) -> Option<String> {
        let t = chars(text);
        let s = text[..text.find(sub).unwrap()].chars().count() as i64;
        source_head(&t, s, s + sub.chars().count() as i64)
    }

    #[test]
    fn the_head_of_a_source_is_the_last_word_of_its_name() {
        let t = "Later, Democratic nominee Gov. Anna Kowalski (D-OR) told reporters.";
        assert_eq!(head(t, "Democratic nominee Gov. Anna Kowalski (D-OR)").as_deref(), Some("Kowalski"));
    }

    #[test]
    fn a_name_after_a_possessive_description_is_the_head() {
        let t = "Brown’s radio colleague, Tom Reyes, disagreed.";
        assert_eq!(head(t, "Brown’s radio colleague, Tom Reyes").as_deref(), Some("Reyes"));
    }

    #[test]
    fn a_capitalised_modifier_of_a_description_is_no_head() {
        let t = "Then the Fox anchor spoke.";
        assert_eq!(head(t, "the Fox anchor"), None);
        let tt = chars(t);
        assert_eq!(last_cap_token(&tt, 9, 23).as_deref(), Some("Fox"));
    }

    #[test]
    fn a_name_after_a_preposition_modifies_and_is_no_head() {
        let t = "A spokesman for Maria Lopez declined.";
        assert_eq!(head(t, "A spokesman for Maria Lopez"), None);
    }

    #[test]
    fn a_sentence_initial_determiner_is_not_a_name() {
        let t = "The Senator from Ohio agreed.";
        // "The" is skipped, "Senator" is a title.
        assert_eq!(head(t, "The Senator"), None);
    }

    #[test]
    fn words_join_apostrophes_hyphens_and_full_stops() {
        assert_eq!(words(&chars("“It’s a well-known U.S. fact,”")), 5);
        assert_eq!(words(&chars("a..b")), 2);
    }
}
