//! Step 3 of quotation detection: is a candidate span a quotation, and is it `Partial`
//! ([`judge`]; the rule is in the [module docs](super)).

use super::marks::{mark_width_at, mark_width_before};
use super::Quote;
use crate::document::{Span, Text};
use crate::roles::is_speech_verb;

/// Words of a character range (alphanumeric runs, apostrophes inside words kept).
fn word_list(chars: &[char], start: usize, end: usize) -> Vec<String> {
    let mut out = vec![];
    let mut cur = String::new();
    for &c in &chars[start..end] {
        if c.is_alphanumeric() || ((c == '\'' || c == '’' || c == '-') && !cur.is_empty()) {
            cur.push(c);
        } else if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// How far (characters) a quote's sentence reaches on either side of it: a paragraph with
/// no sentence end (a list, a run of marks) is not scanned whole for every quote in it.
const SENTENCE_WINDOW: usize = 600;

/// The sentence around a quote, as the judge reads it for cues: back to the previous
/// `.`/`!`/`?` followed by a space or to the line break; forward likewise (at most
/// [`SENTENCE_WINDOW`] characters each way). Not the text's sentences
/// ([`Text::sentences`]): these bounds start and end outside the quote's own marks and
/// stop at every terminator (`Mr.` too), as the judge's rules were tuned with.
pub(super) fn sentence_bounds(chars: &[char], start: usize, end: usize) -> (usize, usize) {
    let mut s = start;
    while s > start.saturating_sub(SENTENCE_WINDOW) {
        let c = chars[s - 1];
        if c == '\n' {
            break;
        }
        if matches!(c, '.' | '!' | '?') && chars.get(s).is_some_and(|n| n.is_whitespace()) && s < start {
            break;
        }
        s -= 1;
    }
    let mut e = end;
    while e < chars.len().min(end + SENTENCE_WINDOW) {
        let c = chars[e];
        if c == '\n' {
            break;
        }
        e += 1;
        if matches!(c, '.' | '!' | '?') && chars.get(e).is_none_or(|n| n.is_whitespace()) {
            break;
        }
    }
    (s, e)
}

/// A speech or report verb (the lexicon plus a few cue verbs).
pub fn is_cue(w: &str) -> bool {
    is_speech_verb(w) || crate::lexicon::CUE_VERBS.contains(w)
}

/// Decides whether a candidate span is a quotation, and whether it is partial.
pub fn judge(text: &Text, span: Span) -> Option<Quote> {
    let chars = text.as_chars();
    let inner_start = span.start + mark_width_at(chars, span.start).max(1);
    let closing = if span.end > inner_start { mark_width_before(chars, span.end) } else { 0 };
    let inner_end = span.end.saturating_sub(closing).max(inner_start);
    if inner_end <= inner_start {
        return None;
    }
    let inner = &chars[inner_start..inner_end];
    let words = word_list(chars, inner_start, inner_end);
    if words.is_empty() {
        return None;
    }
    let n = words.len();
    let last_non_space = inner.iter().rev().find(|c| !c.is_whitespace()).copied();
    let own_punct = last_non_space.is_some_and(|c| matches!(c, ',' | '.' | '?' | '!' | ';' | ':' | '…'))
        || inner.iter().any(|&c| matches!(c, '.' | '?' | '!') );
    let (sent_s, sent_e) = sentence_bounds(chars, span.start, span.end);
    let before = word_list(chars, sent_s, span.start);
    let after = word_list(chars, span.end, sent_e);
    let before_lc: Vec<String> = before.iter().map(|w| w.to_lowercase()).collect();
    let after_lc: Vec<String> = after.iter().map(|w| w.to_lowercase()).collect();
    let next_char = chars[span.end..].iter().find(|c| !c.is_whitespace()).copied();
    let prev_char = chars[..span.start].iter().rev().find(|c| **c != ' ' && **c != '\t').copied();

    let short = n <= 3 && !own_punct;
    let naming_cue = before_lc.iter().rev().take(3).any(|w| crate::lexicon::NAMING_CUES.contains(w.as_str()))
        || (before_lc.last().is_some_and(|w| w == "as" || w == "of") && before_lc.iter().rev().nth(1).is_some_and(|w| w.starts_with("rat")))
        || (before_lc.len() >= 2 && before_lc[before_lc.len() - 2] == "known" && before_lc[before_lc.len() - 1] == "as");
    // Used as a modifier: `a "yes" vote`, `the 'Lite' version`; not before a function
    // word (`"confident" the deal would`, `"standing by" his remarks`).
    // (`comment` in `his "Nazi" comment` is a noun, so only inflected verbs exempt it.)
    let modifier = next_char.is_some_and(|c| c.is_lowercase())
        && after_lc.first().is_some_and(|w| {
            let verb = is_cue(w) && (w.ends_with('d') || w.ends_with('s') || w == "told");
            !verb && !crate::lexicon::is_function_word(w) && !w.ends_with("ly")
        });
    if short && (naming_cue || modifier) {
        return None;
    }
    // Titles of works and programmes: all content words capitalised, no sentence punctuation.
    let content: Vec<&String> = words.iter().filter(|w| w.chars().count() > 3).collect();
    let title = !own_punct
        && n <= 8
        && !content.is_empty()
        && content.iter().all(|w| w.chars().next().is_some_and(char::is_uppercase))
        && (n > 1 || short);
    let speech_before = before_lc.iter().any(|w| is_cue(w) || w == "according");
    let speech_after = after_lc.iter().take(6).any(|w| is_cue(w));
    if title {
        // A one-word capitalised quote with a speech cue (`said it was "Excellent"`) stays.
        if !(n == 1 && (speech_before || speech_after) && !modifier) {
            return None;
        }
    }
    let reason = if n >= 4 {
        "four or more words"
    } else if own_punct {
        "own punctuation"
    } else if speech_before || speech_after {
        "speech verb nearby"
    } else {
        return None;
    };
    let partial = prev_char.is_some_and(|c| c.is_alphanumeric() || c == '’' || c == '\'');
    Some(Quote { span, partial, reason })
}
