//! Line breaks as brat's parser sees them, and the fragments a span over them is written
//! as: what the reader, the writer and the strict check share.

use crate::document::{Span, Text};

/// What brat puts between the texts of a span's fragments in the text field.
pub const FRAGMENT_SEP: &str = " ";

/// Is `c` a character at which brat's `.ann` parser ends a line? brat reads the file
/// line by line with Python's `splitlines` rules: `\n`, `\r` (and `\r\n`), vertical tab,
/// form feed, the file, group and record separators (U+001C–U+001E), NEXT LINE (U+0085),
/// LINE SEPARATOR (U+2028) and PARAGRAPH SEPARATOR (U+2029).
pub fn is_line_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{0b}' | '\u{0c}' | '\u{1c}' | '\u{1d}' | '\u{1e}' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// Whitespace as brat's span splitting trims it (Python's `str.isspace`).
pub(super) fn is_space(c: char) -> bool {
    c.is_whitespace() || is_line_break(c) || c == '\u{1f}'
}

/// The fragments a span is written as, the way brat splits a span it creates: the span
/// itself when it holds no line break; otherwise the stretches between line breaks, each
/// without the whitespace next to a break, empty ones left out. The first fragment starts
/// at the span's start and the last ends at its end (an empty fragment there if the span
/// begins or ends with a break), so reading the fragments back gives the same span.
pub fn fragments(text: &Text, span: Span) -> Vec<Span> {
    let covered = text.get(span).unwrap_or_default();
    if !covered.chars().any(is_line_break) {
        return vec![span];
    }
    let chars: Vec<char> = covered.chars().collect();
    let n = chars.len();
    let mut out: Vec<Span> = vec![];
    let mut i = 0;
    while i < n {
        if is_line_break(chars[i]) {
            i += 1;
            continue;
        }
        let (mut a, mut b) = (i, i);
        while b < n && !is_line_break(chars[b]) {
            b += 1;
        }
        i = b;
        if a > 0 {
            while a < b && is_space(chars[a]) {
                a += 1;
            }
        }
        if b < n {
            while b > a && is_space(chars[b - 1]) {
                b -= 1;
            }
        }
        if a < b {
            out.push(Span::new(span.start + a, span.start + b));
        }
    }
    if out.first().is_none_or(|f| f.start != span.start) {
        out.insert(0, Span::new(span.start, span.start));
    }
    if out.last().is_some_and(|f| f.end != span.end) {
        out.push(Span::new(span.end, span.end));
    }
    out
}
