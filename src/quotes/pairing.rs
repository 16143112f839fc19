//! Step 2 of quotation detection: pairing the marks into candidate quote spans, paragraph
//! by paragraph ([`pair`]; the rules are in the [module docs](super)).

use super::marks::{is_closing_context, is_guillemet, is_opening_context, mark_kind, mark_width_at};
use super::{Mark, MarkKind, MarkRole};
use crate::document::{Span, Text};

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

/// Pairs marks into candidate quote spans (see the module docs). Returns spans in order.
pub fn pair(text: &Text, marks: &[Mark]) -> Vec<Span> {
    let chars = text.as_chars();
    let paras = text.paragraphs();
    let mut out = vec![];
    // An open quote carried over a paragraph break: (start, kind).
    let mut carried: Option<(usize, MarkKind)> = None;
    let mut m = 0;
    // Does paragraph `pi` begin with an opening mark of this kind (and style)?
    let opens_paragraph = |pi: usize, kind: MarkKind, style: Option<Style>| {
        paras.get(pi).is_some_and(|para| {
            let first = (para.start..para.end).find(|&i| !chars[i].is_whitespace());
            first.is_some_and(|i| {
                marks.binary_search_by_key(&i, |mk| mk.pos).ok().is_some_and(|at| {
                    let mk = marks[at];
                    mk.kind == kind && mk.role == MarkRole::Open && style.is_none_or(|s| style_of(chars, mk) == s)
                })
            })
        })
    };
    for (pi, para) in paras.iter().enumerate() {
        let (ps, pe) = (para.start, para.end);
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
