//! Quotation detection: QUOTE spans (marks included) and the `Partial` attribute, per the
//! guidelines.
//!
//! Three steps, each small enough to test on its own:
//!
//! 1. **Marks.** Every `"` `“` `”` `„` `'` `‘` `’` `` ` `` `«` `»` `‹` `›` is classified as
//!    an opening mark, a closing mark or an apostrophe from its neighbours ([`classify`]).
//!    House styles:
//!    - **doubled** marks (`''We will,'' he said`, TeX-style ` ``…'' `, also `‘‘` `’’`) are
//!      one double mark two characters wide, so the span ends after both; three in a row
//!      are a single mark beside a doubled one (`'Never,'''`: the single closes first);
//!    - **curly** marks say what they are, unless written the wrong way round: `”` at the
//!      start or after a space and before a word (`”Mr. Smith is right,”`), or before a
//!      space and an ellipsis (`” … and then`), opens; `“` after a word or punctuation and
//!      before a space (`yet,“ he said`) closes; likewise `»` `«` (both orders pair);
//!    - **straight** marks open after whitespace or an opening bracket and close before
//!      whitespace or punctuation; one that the neighbours leave open (alone between
//!      spaces: `'Well done,' " she said`; or between a sentence end and a word, the
//!      space lost: `named."We`) is decided by pairing: it closes an open quote, opens
//!      otherwise;
//!    - **apostrophes**: a single mark between two letters (`I’m`, `trust’s`), before a
//!      decade or year (`’90s`, `in ‘08`), in `rock 'n' roll` or an elision (`’em`) is an
//!      apostrophe; a single mark after a word with no single quote open (`patients’
//!      needs`, `CBS‘ show`) is a plural possessive.
//! 2. **Pairing**, paragraph by paragraph ([`pair`]). A double-quoted span may hold
//!    single marks (nested quotes, not separate QUOTEs), and double marks of another style
//!    that its own style closes later in the paragraph (`"… “nested,” …"`). A single mark
//!    opens only when a single mark closes later in its paragraph or the next paragraph
//!    re-opens with one (otherwise it is an apostrophe, `Sophie in 't Veld`). Two opening
//!    marks side by side (`““We`) open at the inner one. A paragraph that ends inside a
//!    quote continues it when the next paragraph re-opens with the same kind and style of
//!    mark (a multi-paragraph quote is one span; a paragraph re-opened in another style,
//!    `“…,” he said."` inside a block quoted in straight marks, is a quote of its own); a
//!    mark that re-opens mid-line while a quote is open continues it too (paragraph breaks
//!    lost in the source). A quote still open at the end of its paragraph and not
//!    continued runs to the end of that paragraph (best effort; never a refusal), except
//!    one opened by a guillemet (`« Back`, an arrow). Stray closing marks are ignored.
//! 3. **Is it a quotation?** ([`judge`]) Scare quotes, labels, ratings and titles are not.
//!    The rule, in order:
//!    - rejected: a short quote (at most three words, no punctuation of its own) right
//!      after a rating or naming cue (`rated`, `rating of`, `so-called`, `dubbed`,
//!      `entitled`, `known as`) or used as a modifier (`a "yes" vote`: a lower-case word
//!      follows the closing mark that is not a speech verb or pronoun);
//!    - rejected: a title (every content word capitalised, no sentence punctuation);
//!    - accepted: four or more words, or any quote that carries its own punctuation
//!      (`"balanced,"`, `"underhand trick,"`), or a short quote with a speech or report
//!      verb in its sentence before it or in the six words after it
//!      (`he said the question sounded "very neutral"`);
//!    - otherwise rejected (a short quote with no speech cue is a scare quote).
//!
//!    An accepted quote is `Partial` when it is embedded in a clause: the character before
//!    its opening mark (skipping spaces) is a letter, digit or apostrophe (`said the trust
//!    “can be proud” of`, the headline `Ebbers 'aware' of fraud`). After a colon, a comma,
//!    a sentence end or a line break it is a full quotation.

use crate::document::{Span, Text};
use crate::roles::is_speech_verb;

/// What a quotation-mark character is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkRole {
    Open,
    Close,
    Apostrophe,
}

/// Double (`"` `“` `”`) or single (`'` `‘` `’`) marks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkKind {
    Double,
    Single,
}

/// A quotation mark at a character position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mark {
    pub pos: usize,
    pub kind: MarkKind,
    pub role: MarkRole,
    /// Characters the mark takes: 2 for a doubled mark (`''`, ` `` `), 1 otherwise.
    pub width: usize,
}

/// A quotation found in a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quote {
    /// From the opening mark to the closing mark, both included (character offsets).
    pub span: Span,
    /// A fragment quoted inside reported speech.
    pub partial: bool,
    /// Why the quote was kept (for debugging and the JSON output).
    pub reason: &'static str,
}

fn mark_kind(c: char) -> Option<MarkKind> {
    match c {
        '"' | '“' | '”' | '„' | '‟' | '«' | '»' => Some(MarkKind::Double),
        '\'' | '‘' | '’' | '‚' | '‛' | '`' | '‹' | '›' => Some(MarkKind::Single),
        _ => None,
    }
}

/// Guillemets, which some texts also use for arrows (`« Back`): a quote they open is kept
/// only when it is closed.
fn is_guillemet(c: char) -> bool {
    matches!(c, '«' | '»' | '‹' | '›')
}

/// Single-mark characters that, written twice (`''`, ` `` `, `‘‘`, `’’`), make one double
/// mark, as in the New York Times' texts (`''We will,'' he said`).
fn doubles(c: char) -> bool {
    matches!(c, '\'' | '`' | '‘' | '’')
}

/// Width of the quotation mark that starts at `pos` (2 for a doubled mark), 0 when there
/// is none.
fn mark_width_at(chars: &[char], pos: usize) -> usize {
    match chars.get(pos) {
        Some(&c) if doubles(c) && chars.get(pos + 1) == Some(&c) => 2,
        Some(&c) if mark_kind(c).is_some() => 1,
        _ => 0,
    }
}

/// Width of the quotation mark that ends just before `end` (2 for a doubled mark), 0 when
/// there is none.
fn mark_width_before(chars: &[char], end: usize) -> usize {
    match end.checked_sub(1).and_then(|p| chars.get(p)) {
        Some(&c) if doubles(c) && end >= 2 && chars[end - 2] == c => 2,
        Some(&c) if mark_kind(c).is_some() => 1,
        _ => 0,
    }
}
fn is_opening_context(c: Option<char>) -> bool {
    match c {
        None => true,
        Some(c) => {
            c.is_whitespace()
                || matches!(c, '(' | '[' | '{' | '—' | '–' | '-' | '/' | '“' | '‘' | '"' | '\'' | '`' | '«' | '‹' | ':')
        }
    }
}

fn is_closing_context(c: Option<char>) -> bool {
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

/// Classifies every quotation mark of a text (see the module docs). `chars` is the whole
/// document as characters.
pub fn classify(chars: &[char]) -> Vec<Mark> {
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

/// The typographic style of a mark: a quote opened in one style and holding marks of
/// another (`"… “nested,” …"`) closes in its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    Straight,
    Doubled,
    Curly,
    Guillemet,
}

fn style_of(chars: &[char], mk: Mark) -> Style {
    match chars.get(mk.pos) {
        _ if mk.width == 2 => Style::Doubled,
        Some('"' | '\'') => Style::Straight,
        Some('`') => Style::Doubled,
        Some(&c) if is_guillemet(c) => Style::Guillemet,
        _ => Style::Curly,
    }
}

/// A straight `"` or doubled `''` whose neighbours do not tell whether it opens or closes:
/// alone between spaces (`says, 'Well done,' " she`), or between a sentence end and a word
/// with the space lost (`he said."We`). Pairing decides: it closes an open quote and opens
/// otherwise.
fn is_ambiguous(chars: &[char], mk: Mark) -> bool {
    let straight = matches!(chars.get(mk.pos), Some('"')) || (mk.width == 2 && chars.get(mk.pos) == Some(&'\''));
    let prev = mk.pos.checked_sub(1).and_then(|p| chars.get(p)).copied();
    let next = chars.get(mk.pos + mk.width).copied();
    let open = is_opening_context(prev) && next.is_some_and(|n| !n.is_whitespace());
    let close = prev.is_some_and(|p| !p.is_whitespace()) && is_closing_context(next);
    let space = |c: Option<char>| c.is_none_or(char::is_whitespace);
    let lone = space(prev) && space(next);
    let lost_space = prev.is_some_and(|p| matches!(p, '.' | '!' | '?')) && next.is_some_and(char::is_alphabetic);
    straight && mk.role != MarkRole::Apostrophe && open == close && (lone || lost_space)
}

/// Paragraphs: maximal runs of characters without a line break, as `(start, end)`,
/// empty ones dropped.
fn paragraphs(chars: &[char]) -> Vec<(usize, usize)> {
    let mut out = vec![];
    let mut start = 0;
    for (i, &c) in chars.iter().enumerate() {
        if c == '\n' || c == '\r' {
            if chars[start..i].iter().any(|c| !c.is_whitespace()) {
                out.push((start, i));
            }
            start = i + 1;
        }
    }
    if chars[start..].iter().any(|c| !c.is_whitespace()) {
        out.push((start, chars.len()));
    }
    out
}

/// Pairs marks into candidate quote spans (see the module docs). Returns spans in order.
pub fn pair(chars: &[char], marks: &[Mark]) -> Vec<Span> {
    let paras = paragraphs(chars);
    let mut out = vec![];
    // An open quote carried over a paragraph break: (start, kind).
    let mut carried: Option<(usize, MarkKind)> = None;
    let mut m = 0;
    // Does paragraph `pi` begin with an opening mark of this kind (and style)?
    let opens_paragraph = |pi: usize, kind: MarkKind, style: Option<Style>| {
        paras.get(pi).is_some_and(|&(ns, ne)| {
            let first = (ns..ne).find(|&i| !chars[i].is_whitespace());
            first.is_some_and(|i| {
                marks.binary_search_by_key(&i, |mk| mk.pos).ok().is_some_and(|at| {
                    let mk = marks[at];
                    mk.kind == kind && mk.role == MarkRole::Open && style.is_none_or(|s| style_of(chars, mk) == s)
                })
            })
        })
    };
    for (pi, &(ps, pe)) in paras.iter().enumerate() {
        let in_para: Vec<Mark> = {
            while m < marks.len() && marks[m].pos < ps {
                m += 1;
            }
            let mut v = vec![];
            let mut k = m;
            while k < marks.len() && marks[k].pos < pe {
                v.push(marks[k]);
                k += 1;
            }
            v
        };
        let mut open: Option<(usize, MarkKind)> = None;
        // Inside an open quote, a mark of the same kind that opens after a word
        // (`going to "fake" an injury`) starts a nested quote, closed by the next mark.
        let mut nested = false;
        // Inside an open quote, a mark of the same kind but another style (`“…”` inside
        // `"…"`) that the quote's own style closes later in the paragraph: a nested quote,
        // closed by the next mark of its style.
        let mut nested_style: Option<Style> = None;
        let mut first = true;
        // The last closing mark of each kind and style in the paragraph (index in `in_para`).
        let mut last_close: Vec<(MarkKind, Style, usize)> = vec![];
        for (k, mk) in in_para.iter().enumerate() {
            if mk.role == MarkRole::Close || is_ambiguous(chars, *mk) {
                let st = style_of(chars, *mk);
                last_close.retain(|&(kd, s, _)| (kd, s) != (mk.kind, st));
                last_close.push((mk.kind, st, k));
            }
        }
        let last_single_close = in_para.iter().rposition(|mk| mk.kind == MarkKind::Single && mk.role == MarkRole::Close);
        if let Some((start, kind)) = carried.take() {
            // The paragraph re-opens: its first mark (at the paragraph's first non-space) is
            // skipped, and the quote goes on.
            open = Some((start, kind));
        }
        for (k, &mk) in in_para.iter().enumerate() {
            let at_para_start = first && chars[ps..mk.pos].iter().all(|c| c.is_whitespace());
            first = false;
            if mk.role == MarkRole::Apostrophe {
                continue;
            }
            let role = if !is_ambiguous(chars, mk) {
                mk.role
            } else if open.is_some_and(|(_, kind)| kind == mk.kind) {
                MarkRole::Close
            } else {
                MarkRole::Open
            };
            match open {
                None => {
                    // Two opening marks side by side (`““We`, `"“We`): the quote opens at
                    // the inner one; the outer one is a stray.
                    let doubled_open = in_para.get(k + 1).is_some_and(|n| {
                        n.pos == mk.pos + mk.width && n.kind == mk.kind && n.role == MarkRole::Open
                    });
                    // A single mark opens only when a single mark closes later in the
                    // paragraph or the next paragraph re-opens with one (`said in ‘08 that`,
                    // `Sophie in 't Veld`: apostrophes, whatever follows).
                    let single_closes = mk.kind == MarkKind::Double
                        || last_single_close.is_some_and(|at| at > k)
                        || opens_paragraph(pi + 1, MarkKind::Single, None);
                    if role == MarkRole::Open && !doubled_open && single_closes {
                        open = Some((mk.pos, mk.kind));
                        nested = false;
                        nested_style = None;
                    }
                }
                Some((start, kind)) => {
                    if mk.kind != kind {
                        // A nested mark of the other kind: not a quote of its own.
                        continue;
                    }
                    let style = style_of(chars, mk);
                    let outer_style = style_of(chars, Mark { pos: start, kind, role: MarkRole::Open, width: mark_width_at(chars, start) });
                    if let Some(ns) = nested_style {
                        if role == MarkRole::Close && style == ns {
                            nested_style = None;
                            continue;
                        }
                    }
                    match role {
                        MarkRole::Close if nested => nested = false,
                        MarkRole::Close => {
                            out.push(Span::new(start, mk.pos + mk.width));
                            open = None;
                        }
                        MarkRole::Open if nested_style.is_none()
                            && !at_para_start
                            && style != outer_style
                            && last_close.iter().any(|&(kd, st, at)| kd == kind && st == outer_style && at > k) =>
                        {
                            nested_style = Some(style);
                        }
                        // A re-opening at the paragraph start (carried quote) or in mid-line
                        // after a sentence end (a lost paragraph break) continues the open
                        // quote; after a word it opens a nested quote.
                        MarkRole::Open => {
                            let prev = chars[ps..mk.pos].iter().rev().find(|c| !c.is_whitespace());
                            let after_sentence = prev.is_none_or(|&c| matches!(c, '.' | '?' | '!' | ':' | '…') || mark_kind(c).is_some());
                            if !at_para_start && !after_sentence {
                                nested = true;
                            }
                        }
                        MarkRole::Apostrophe => {}
                    }
                }
            }
        }
        if let Some((start, kind)) = open {
            // Does the next paragraph re-open with the same kind and style of mark? (A
            // paragraph that opens in another style, `“…,” he said."`, starts a quote of its
            // own inside a block quoted in the first style.)
            let style = style_of(chars, Mark { pos: start, kind, role: MarkRole::Open, width: mark_width_at(chars, start) });
            let reopens = opens_paragraph(pi + 1, kind, Some(style));
            if reopens {
                carried = Some((start, kind));
            } else if kind == MarkKind::Double || start > ps {
                // Unclosed: best effort, to the end of the paragraph (trailing spaces out).
                let mut end = pe;
                while end > start + 1 && chars[end - 1].is_whitespace() {
                    end -= 1;
                }
                if kind == MarkKind::Double && !is_guillemet(chars[start]) {
                    out.push(Span::new(start, end));
                }
                // An unclosed single mark is most likely an apostrophe, an unclosed
                // guillemet an arrow (`« Back`): dropped.
            }
        }
    }
    out
}

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

/// How far (characters) a sentence reaches on either side of a quote: a paragraph with no
/// sentence end (a list, a run of marks) is not scanned whole for every quote in it.
const SENTENCE_WINDOW: usize = 600;

/// The sentence around a character range: back to the previous `.`/`!`/`?` followed by a
/// space or to the paragraph start; forward likewise (at most [`SENTENCE_WINDOW`]
/// characters each way).
fn sentence_bounds(chars: &[char], start: usize, end: usize) -> (usize, usize) {
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
pub fn judge(chars: &[char], span: Span) -> Option<Quote> {
    let inner_start = span.start + mark_width_at(chars, span.start).max(1);
    let closing = if span.end > inner_start { mark_width_before(chars, span.end) } else { 0 };
    let inner_end = span.end.saturating_sub(closing).max(inner_start);
    if inner_end <= inner_start {
        return None;
    }
    let inner: Vec<char> = chars[inner_start..inner_end].to_vec();
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

/// Finds the quotations of a text.
pub fn find_quotes(text: &Text) -> Vec<Quote> {
    let chars: Vec<char> = text.as_str().chars().collect();
    let marks = classify(&chars);
    pair(&chars, &marks).into_iter().filter_map(|s| judge(&chars, s)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quotes(s: &str) -> Vec<(String, bool)> {
        let text = Text::new(s.to_string());
        find_quotes(&text).into_iter().map(|q| (text.slice(q.span).to_string(), q.partial)).collect()
    }

    fn texts(s: &str) -> Vec<String> {
        quotes(s).into_iter().map(|(t, _)| t).collect()
    }

    #[test]
    fn curly_double_quotes_are_one_span_with_the_marks() {
        assert_eq!(texts("He said: “We are proud of our staff.”"), vec!["“We are proud of our staff.”"]);
    }

    #[test]
    fn straight_double_quotes_pair_by_context() {
        assert_eq!(
            texts("\"If we reject this treaty, Britain will be weak,\" said Jack Straw."),
            vec!["\"If we reject this treaty, Britain will be weak,\""]
        );
    }

    #[test]
    fn apostrophes_are_never_quotation_marks() {
        let t = texts("‘I’m sure the trust’s staff in the ’90s did well,’ she said. The patients’ needs came first.");
        assert_eq!(t, vec!["‘I’m sure the trust’s staff in the ’90s did well,’"]);
    }

    #[test]
    fn straight_single_quotes_around_a_headline_fragment_are_partial() {
        assert_eq!(quotes("Blair 'said he would stand down'\n\nTony Blair told friends he would go."), vec![("'said he would stand down'".to_string(), true)]);
    }

    #[test]
    fn a_multi_paragraph_quote_is_one_span_from_first_open_to_last_close() {
        let s = "Adler said: “First paragraph.\n\n“Second paragraph.\n\n“Third and last.”\n\nThen prose.";
        assert_eq!(texts(s), vec!["“First paragraph.\n\n“Second paragraph.\n\n“Third and last.”"]);
    }

    #[test]
    fn an_interrupted_quote_is_two_quotes() {
        let t = texts("“We are proud,” she said, “and we will go on.”");
        assert_eq!(t, vec!["“We are proud,”", "“and we will go on.”"]);
    }

    #[test]
    fn a_quote_reopened_in_mid_line_continues_when_the_break_was_lost() {
        let s = "He said: \"It was reared here. \"I am led to believe it is from the area.\"";
        assert_eq!(texts(s), vec!["\"It was reared here. \"I am led to believe it is from the area.\""]);
    }

    #[test]
    fn an_unclosed_quote_runs_to_the_end_of_its_paragraph() {
        let t = texts("She said: \"We will not stop until the job is done\n\nNext paragraph here.");
        assert_eq!(t, vec!["\"We will not stop until the job is done"]);
    }

    #[test]
    fn ten_thousand_unbalanced_marks_do_not_panic() {
        let s = "\" word ".repeat(10_000) + "“ ‘ ’ '";
        let _ = texts(&s);
    }

    #[test]
    fn a_fragment_inside_reported_speech_is_partial() {
        let q = quotes("The CQC said the trust “can be proud” of its staff.");
        assert_eq!(q, vec![("“can be proud”".to_string(), true)]);
    }

    #[test]
    fn a_quote_after_a_colon_is_not_partial() {
        let q = quotes("He told the Today programme: \"The sooner we get on with this, the better.\"");
        assert!(!q[0].1);
    }

    #[test]
    fn rating_labels_are_not_quotes() {
        assert!(texts("The trust was rated ‘good’ after a rating of ‘requires improvement’ last year.").is_empty());
    }

    #[test]
    fn scare_quotes_used_as_modifiers_are_not_quotes() {
        assert!(texts("Jack Straw said he will back a \"yes\" vote in the referendum.").is_empty());
    }

    #[test]
    fn a_short_quote_without_a_speech_cue_is_a_scare_quote() {
        assert!(texts("The \"real\" cost of the scheme was never published.").is_empty());
    }

    #[test]
    fn a_short_quote_after_a_speech_verb_is_a_partial_quote() {
        let q = quotes("He said the question sounded \"very neutral\" to him.");
        assert_eq!(q, vec![("\"very neutral\"".to_string(), true)]);
    }

    #[test]
    fn titles_of_works_and_programmes_are_not_quotes() {
        assert!(texts("She starred in \"The Lord Of The Rings\" and \"Pride And Prejudice\" on stage.").is_empty());
    }

    #[test]
    fn a_double_quote_nested_after_a_word_inside_an_open_quote_is_not_a_separate_quote() {
        let s = "\"He told the players he was going to \"fake\" an injury,\" said Shepherd.";
        assert_eq!(texts(s), vec!["\"He told the players he was going to \"fake\" an injury,\""]);
    }

    #[test]
    fn a_fragment_followed_by_a_clause_is_still_a_quote() {
        let q = quotes("Rover bosses have said they are \"confident\" the deal would be signed.");
        assert_eq!(q, vec![("\"confident\"".to_string(), true)]);
    }

    #[test]
    fn a_nested_single_quote_is_not_a_separate_quote() {
        let t = texts("\"We call it 'the plan' and it works,\" he said.");
        assert_eq!(t, vec!["\"We call it 'the plan' and it works,\""]);
    }

    // One test per house style of quotation marks (sentences written for these tests).

    #[test]
    fn doubled_straight_marks_are_one_mark_and_the_span_ends_after_both() {
        let s = "''We will keep the plant open,'' the mayor said on Tuesday.";
        assert_eq!(texts(s), vec!["''We will keep the plant open,''"]);
    }

    #[test]
    fn a_short_quote_in_doubled_marks_keeps_its_own_punctuation() {
        let q = quotes("The mayor called the offer ''a fair start,'' and left the room.");
        assert_eq!(q, vec![("''a fair start,''".to_string(), true)]);
    }

    #[test]
    fn a_single_quote_nested_at_the_end_of_a_doubled_one_closes_first() {
        let s = "''My father told me, 'Never give up,''' the coach recalled.";
        assert_eq!(texts(s), vec!["''My father told me, 'Never give up,'''"]);
    }

    #[test]
    fn backtick_openings_close_with_doubled_straight_marks() {
        let s = "The report said: ``Nobody checked the figures before the vote.''";
        assert_eq!(texts(s), vec!["``Nobody checked the figures before the vote.''"]);
    }

    #[test]
    fn a_multi_paragraph_quote_in_doubled_marks_is_one_span() {
        let s = "She said: ''The first part is done.\n\n''The second part starts in May.''\n\nThen prose.";
        assert_eq!(texts(s), vec!["''The first part is done.\n\n''The second part starts in May.''"]);
    }

    #[test]
    fn a_multi_paragraph_quote_in_straight_marks_is_one_span() {
        let s = "He said: \"The first part is done.\n\n\"The second part starts in May.\"\n\nThen prose.";
        assert_eq!(texts(s), vec!["\"The first part is done.\n\n\"The second part starts in May.\""]);
    }

    #[test]
    fn a_closing_curly_mark_used_to_open_starts_the_quote() {
        let s = "”Our budget is balanced for the first time,” the governor said.";
        assert_eq!(texts(s), vec!["”Our budget is balanced for the first time,”"]);
    }

    #[test]
    fn an_opening_curly_mark_used_to_close_ends_the_quote() {
        let s = "“We are not finished with this bill yet,“ the senator said. “Not by a long way.”";
        assert_eq!(texts(s), vec!["“We are not finished with this bill yet,“", "“Not by a long way.”"]);
    }

    #[test]
    fn curly_single_marks_pair_around_a_quote() {
        let s = "‘We have never seen a winter like this one,’ the farmer said.";
        assert_eq!(texts(s), vec!["‘We have never seen a winter like this one,’"]);
    }

    #[test]
    fn straight_single_marks_pair_around_a_quote() {
        let s = "'We have never seen a winter like this one,' the farmer's wife said.";
        assert_eq!(texts(s), vec!["'We have never seen a winter like this one,'"]);
    }

    #[test]
    fn guillemets_pair_like_curly_marks() {
        let s = "The minister said: «We will sign the treaty next week.» Then he left.";
        assert_eq!(texts(s), vec!["«We will sign the treaty next week.»"]);
    }

    #[test]
    fn reversed_guillemets_pair_too() {
        let s = "The minister said: »We will sign the treaty next week.« Then he left.";
        assert_eq!(texts(s), vec!["»We will sign the treaty next week.«"]);
    }

    #[test]
    fn an_unclosed_guillemet_is_an_arrow_not_a_quote() {
        assert!(texts("« Back to the list of all the stories on this page").is_empty());
    }

    #[test]
    fn a_quote_in_another_style_inside_a_straight_quote_is_nested() {
        let s = "\"The board met twice. “We have no plan at all,” one member said, and nobody argued.\"";
        assert_eq!(texts(s), vec![s]);
    }

    #[test]
    fn a_paragraph_reopened_in_another_style_is_a_quote_of_its_own() {
        // A block quoted in straight marks; its last paragraph quotes someone in curly
        // marks, and the block's closing mark follows that quote's attribution.
        let s = "\"The council met on Monday to discuss the bridge.\n\n“We cannot afford another delay,” the mayor said.\"\n\nThen prose.";
        let t = texts(s);
        assert!(t.contains(&"“We cannot afford another delay,”".to_string()), "{t:?}");
    }

    #[test]
    fn a_straight_mark_alone_between_spaces_closes_the_open_quote() {
        let s = "\"My coach always said, 'Finish the race,' \" she told the crowd. \"So I did.\"";
        assert_eq!(texts(s), vec!["\"My coach always said, 'Finish the race,' \"", "\"So I did.\""]);
    }

    #[test]
    fn two_opening_marks_side_by_side_open_at_the_inner_one() {
        let s = "The platform reads: ““Every family deserves a safe home.”";
        assert_eq!(texts(s), vec!["“Every family deserves a safe home.”"]);
    }

    #[test]
    fn a_short_quote_followed_by_a_preposition_is_not_a_modifier() {
        let q = quotes("The senator kept saying \"some kind things\" about his rival.");
        assert_eq!(q, vec![("\"some kind things\"".to_string(), true)]);
    }

    #[test]
    fn a_long_paragraph_of_lone_marks_is_judged_in_linear_time() {
        let s = "\" word ".repeat(20_000);
        let t = std::time::Instant::now();
        let _ = texts(&s);
        assert!(t.elapsed() < std::time::Duration::from_secs(5), "{:?}", t.elapsed());
    }

    #[test]
    fn a_mark_before_a_two_digit_year_is_an_apostrophe() {
        let s = "She said in ‘08 that “the party has never been this united before.”";
        assert_eq!(texts(s), vec!["“the party has never been this united before.”"]);
    }

    #[test]
    fn an_opening_single_mark_after_a_word_is_not_an_opening() {
        let s = "On NBC‘ morning show, she said: “We will not raise taxes on anyone.”";
        assert_eq!(texts(s), vec!["“We will not raise taxes on anyone.”"]);
    }

    #[test]
    fn a_single_mark_that_nothing_closes_does_not_swallow_a_double_quote() {
        let s = "Pieter van 't Hof, a Dutch member, said: \"The union is in real trouble now.\"";
        assert_eq!(texts(s), vec!["\"The union is in real trouble now.\""]);
    }

    #[test]
    fn a_closing_curly_mark_opens_a_quote_that_starts_with_an_ellipsis() {
        let s = "The letter went on: ” … and we expect an answer before the end of the month.”";
        assert_eq!(texts(s), vec!["” … and we expect an answer before the end of the month.”"]);
    }

    #[test]
    fn a_straight_mark_between_a_sentence_end_and_a_word_opens_when_no_quote_is_open() {
        let s = "\"We lost,\" said a shop owner who asked not to be named.\"We were fooled into coming here.\"";
        assert_eq!(texts(s), vec!["\"We lost,\"", "\"We were fooled into coming here.\""]);
    }

    #[test]
    fn a_straight_mark_inside_markup_is_not_decided_by_pairing() {
        let s = "<a href=\"https://example.org/status/12345\">link</a> and data-id=\"2016-01-02\" follow.";
        assert!(texts(s).is_empty());
    }
}
