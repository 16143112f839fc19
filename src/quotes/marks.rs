//! Step 1 of quotation detection: which characters are quotation marks, and whether each
//! opens, closes or is an apostrophe ([`classify`]; the house styles are in the
//! [module docs](super)).

use super::{Mark, MarkKind, MarkRole};
use crate::document::Text;

pub(super) fn mark_kind(c: char) -> Option<MarkKind> {
    match c {
        '"' | '“' | '”' | '„' | '‟' | '«' | '»' => Some(MarkKind::Double),
        '\'' | '‘' | '’' | '‚' | '‛' | '`' | '‹' | '›' => Some(MarkKind::Single),
        _ => None,
    }
}

/// Guillemets, which some texts also use for arrows (`« Back`): a quote they open is kept
/// only when it is closed.
pub(super) fn is_guillemet(c: char) -> bool {
    matches!(c, '«' | '»' | '‹' | '›')
}

/// Single-mark characters that, written twice (`''`, ` `` `, `‘‘`, `’’`), make one double
/// mark, as in the New York Times' texts (`''We will,'' he said`).
fn doubles(c: char) -> bool {
    matches!(c, '\'' | '`' | '‘' | '’')
}

/// Width of the quotation mark that starts at `pos` (2 for a doubled mark), 0 when there
/// is none.
pub(super) fn mark_width_at(chars: &[char], pos: usize) -> usize {
    match chars.get(pos) {
        Some(&c) if doubles(c) && chars.get(pos + 1) == Some(&c) => 2,
        Some(&c) if mark_kind(c).is_some() => 1,
        _ => 0,
    }
}

/// Width of the quotation mark that ends just before `end` (2 for a doubled mark), 0 when
/// there is none.
pub(super) fn mark_width_before(chars: &[char], end: usize) -> usize {
    match end.checked_sub(1).and_then(|p| chars.get(p)) {
        Some(&c) if doubles(c) && end >= 2 && chars[end - 2] == c => 2,
        Some(&c) if mark_kind(c).is_some() => 1,
        _ => 0,
    }
}
pub(super) fn is_opening_context(c: Option<char>) -> bool {
    match c {
        None => true,
        Some(c) => {
            c.is_whitespace()
                || matches!(c, '(' | '[' | '{' | '—' | '–' | '-' | '/' | '“' | '‘' | '"' | '\'' | '`' | '«' | '‹' | ':')
        }
    }
}

pub(super) fn is_closing_context(c: Option<char>) -> bool {
    match c {
        None => true,
        Some(c) => c.is_whitespace() || (!c.is_alphanumeric() && !matches!(c, '“' | '‘' | '«' | '‹' | '`')),
    }
}

/// An opening-shaped mark (`“`, `«`) used to close: after a word or punctuation, before a
/// space or punctuation (`rated “Mostly False.“ He`).
fn reversed_close(prev: Option<char>, next: Option<char>) -> bool {
    prev.is_some_and(|p| !is_opening_context(Some(p))) && is_closing_context(next)
}

/// A closing-shaped mark (`”`, `»`) used to open: at the start or after a space, bracket
/// or dash, and before a word (`”Mr. Trump is right,” he said`).
fn reversed_open(prev: Option<char>, next: Option<char>) -> bool {
    is_opening_context(prev) && next.is_some_and(|n| n.is_alphanumeric() || matches!(n, '(' | '[' | '‘' | '\'' | '…' | '$'))
}

/// A closing-shaped mark that opens a quote starting with an ellipsis (`said ” … and then`).
fn ellipsis_open(chars: &[char], i: usize) -> bool {
    let prev = i.checked_sub(1).map(|p| chars[p]);
    let next = chars[i + 1..].iter().take(3).find(|c| **c != ' ');
    is_opening_context(prev) && chars.get(i + 1) == Some(&' ') && next.is_some_and(|&n| n == '…' || n == '.')
}

/// The role of a doubled mark (`''`, ` `` `) from the characters around it: opening after a
/// space or bracket and before a word, closing after a word or punctuation and before a
/// space or punctuation. Two marks between letters, or between spaces, quote nothing.
fn doubled_role(c: char, prev: Option<char>, next: Option<char>) -> MarkRole {
    if c == '`' {
        return MarkRole::Open;
    }
    let open = is_opening_context(prev) && next.is_some_and(|n| !n.is_whitespace());
    let close = prev.is_some_and(|p| !p.is_whitespace()) && is_closing_context(next);
    match (open, close) {
        (true, false) => MarkRole::Open,
        (false, true) => MarkRole::Close,
        (true, true) if prev.is_none_or(char::is_whitespace) => MarkRole::Open,
        (true, true) => MarkRole::Close,
        // Alone between spaces: decided by pairing, like a straight `"`.
        (false, false) if prev.is_none_or(char::is_whitespace) && next.is_none_or(char::is_whitespace) => MarkRole::Open,
        (false, false) => MarkRole::Apostrophe,
    }
}

/// Classifies every quotation mark of a text (see the module docs).
pub fn classify(text: &Text) -> Vec<Mark> {
    let chars = text.as_chars();
    let mut out = vec![];
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let Some(kind) = mark_kind(c) else {
            i += 1;
            continue;
        };
        let run = if doubles(c) { chars[i..].iter().take_while(|&&d| d == c).count() } else { 1 };
        if run >= 2 {
            // Doubled marks. Three in a row are a single mark beside a doubled one: on the
            // closing side the single closes first (`'Kosovo is special,'''`), on the
            // opening side the doubled one opens first.
            let prev = i.checked_sub(1).map(|p| chars[p]);
            let closing_side = prev.is_some_and(|p| !is_opening_context(Some(p)));
            let mut j = i;
            if run % 2 == 1 && closing_side {
                out.push(Mark { pos: j, kind: MarkKind::Single, role: MarkRole::Close, width: 1 });
                j += 1;
            }
            while i + run - j >= 2 {
                let prev = j.checked_sub(1).map(|p| chars[p]);
                let next = chars.get(j + 2).copied();
                out.push(Mark { pos: j, kind: MarkKind::Double, role: doubled_role(c, prev, next), width: 2 });
                j += 2;
            }
            if j < i + run {
                out.push(Mark { pos: j, kind: MarkKind::Single, role: MarkRole::Open, width: 1 });
            }
            i += run;
            continue;
        }
        let prev = i.checked_sub(1).map(|p| chars[p]);
        let next = chars.get(i + 1).copied();
        let letter = |c: Option<char>| c.is_some_and(char::is_alphabetic);
        let role = match c {
            '„' | '‟' => MarkRole::Open,
            '“' | '«' | '‹' if reversed_close(prev, next) => MarkRole::Close,
            '“' | '«' | '‹' => MarkRole::Open,
            '”' | '»' | '›' if reversed_open(prev, next) || ellipsis_open(chars, i) => MarkRole::Open,
            '”' | '»' | '›' => MarkRole::Close,
            '`' if next.is_some_and(|n| !n.is_whitespace()) => MarkRole::Open,
            '`' => MarkRole::Apostrophe,
            '"' => {
                let open = is_opening_context(prev) && next.is_some_and(|n| !n.is_whitespace());
                let close = !prev.is_some_and(char::is_whitespace) && prev.is_some() && is_closing_context(next);
                match (open, close) {
                    (true, false) => MarkRole::Open,
                    (false, true) => MarkRole::Close,
                    // Ambiguous (`word"word`, a lone mark between spaces): decided by pairing.
                    _ => {
                        if prev.is_none_or(char::is_whitespace) {
                            MarkRole::Open
                        } else {
                            MarkRole::Close
                        }
                    }
                }
            }
            _ => {
                // Single marks: apostrophes first.
                let after2: String = chars[i + 1..chars.len().min(i + 4)].iter().collect();
                // `’90s`, and a year (`in ‘08`, `the '16 race`).
                let decade = after2.chars().count() >= 2
                    && after2.chars().take(2).all(|d| d.is_ascii_digit())
                    && after2.chars().nth(2).is_none_or(|s| s == 's' || !s.is_alphanumeric());
                let rock_n_roll = matches!(next, Some('n') | Some('N'))
                    && chars.get(i + 2).is_some_and(|&m| mark_kind(m) == Some(MarkKind::Single));
                let n_closing = matches!(prev, Some('n') | Some('N'))
                    && i >= 2
                    && mark_kind(chars[i - 2]) == Some(MarkKind::Single)
                    && (i < 3 || chars[i - 3].is_whitespace());
                let elision = next.is_some_and(|n| n.is_alphabetic())
                    && prev.is_none_or(char::is_whitespace)
                    && {
                        let w: String = chars[i + 1..].iter().take_while(|c| c.is_alphabetic()).collect::<String>().to_lowercase();
                        matches!(w.as_str(), "em" | "til" | "cause" | "tis" | "twas")
                    };
                if (letter(prev) && letter(next)) || decade || rock_n_roll || n_closing || elision {
                    MarkRole::Apostrophe
                } else if c == '‘' && letter(prev) && is_closing_context(next) {
                    // Written the wrong way round after a word (`CBS‘ show`, `won‘ he`).
                    MarkRole::Close
                } else if c == '‘' || c == '‚' || c == '‛' {
                    MarkRole::Open
                } else if is_opening_context(prev) && next.is_some_and(|n| !n.is_whitespace()) {
                    MarkRole::Open
                } else if prev.is_some_and(|p| !p.is_whitespace()) {
                    MarkRole::Close
                } else {
                    MarkRole::Apostrophe
                }
            }
        };
        out.push(Mark { pos: i, kind, role, width: 1 });
        i += 1;
    }
    out
}
