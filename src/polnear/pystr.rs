//! Python's character classes and the `str` helpers score.py relies on, so that the port
//! splits, strips, slices and quotes text exactly as Python does.

/// `str.isspace()`.
pub(super) fn is_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// `\d`: a decimal digit (general category Nd; the basic multilingual plane's blocks).
pub(super) fn is_decimal(c: char) -> bool {
    if c.is_ascii_digit() {
        return true;
    }
    if c.is_ascii() {
        return false;
    }
    const ZEROS: &[u32] = &[
        0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6, 0x0D66, 0x0DE6,
        0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90, 0x1B50, 0x1BB0,
        0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0xFF10,
    ];
    let u = c as u32;
    ZEROS.iter().any(|&z| (z..z + 10).contains(&u))
}

/// `str.isdigit()`: decimal digits plus super- and subscript and circled digits.
pub(super) fn is_digit(c: char) -> bool {
    if is_decimal(c) {
        return true;
    }
    matches!(c as u32, 0xB2 | 0xB3 | 0xB9 | 0x2070 | 0x2074..=0x2079 | 0x2080..=0x2089 | 0x2460..=0x2468
        | 0x2474..=0x247C | 0x2488..=0x2490 | 0x24EA | 0x24F5..=0x24FD | 0x24FF | 0x2776..=0x277E
        | 0x2780..=0x2788 | 0x278A..=0x2792)
}

/// `\w`: `str.isalnum()` or `_`.
pub(super) fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// `[^\W\d_]`: a word character that is neither a decimal digit nor `_`.
pub(super) fn is_letterish(c: char) -> bool {
    is_word(c) && !is_decimal(c) && c != '_'
}

pub(super) fn is_upper(c: char) -> bool {
    c.is_uppercase()
}

/// `str.strip()`.
pub(super) fn strip_ws(s: &str) -> &str {
    s.trim_matches(is_space)
}

/// `str.split()`.
pub(super) fn split_ws(s: &str) -> Vec<&str> {
    s.split(is_space).filter(|t| !t.is_empty()).collect()
}

/// `str.lower()`.
pub(super) fn lower(s: &str) -> String {
    s.to_lowercase()
}

/// Python's `text[a:b]` on characters (negative indices count from the end; clamped).
pub(super) fn py_slice(text: &[char], a: i64, b: i64) -> &[char] {
    let n = text.len() as i64;
    let fix = |i: i64| -> usize {
        let i = if i < 0 { (i + n).max(0) } else { i.min(n) };
        i as usize
    };
    let (a, b) = (fix(a), fix(b));
    if a >= b {
        &[]
    } else {
        &text[a..b]
    }
}

pub(super) fn string(chars: &[char]) -> String {
    chars.iter().collect()
}

/// The newline-like characters that a `.ann` text field writes as a space.
pub(super) fn text_ws(c: char) -> char {
    match c {
        '\n' | '\r' | '\t' | '\u{2028}' | '\u{2029}' | '\u{0b}' | '\u{0c}' | '\u{85}' => ' ',
        c => c,
    }
}

/// score.py's `_short`: tabs and newlines escaped, cut to `n` characters.
pub(super) fn short(s: &str, n: usize) -> String {
    let s = s.replace('\t', "\\t").replace('\n', "\\n");
    if s.chars().count() <= n {
        s
    } else {
        let mut out: String = s.chars().take(n - 3).collect();
        out.push_str("...");
        out
    }
}

/// Whether Python's `repr` writes the character as it is.
fn printable(c: char) -> bool {
    let u = c as u32;
    if u < 0x20 || (0x7F..=0xA0).contains(&u) {
        return false;
    }
    !matches!(u, 0xAD | 0x0600..=0x0605 | 0x061C | 0x06DD | 0x070F | 0x1680 | 0x180E | 0x2000..=0x200F
        | 0x2028..=0x202F | 0x205F..=0x2064 | 0x2066..=0x206F | 0x3000 | 0xD800..=0xF8FF | 0xFEFF
        | 0xFFF9..=0xFFFB | 0xE0001 | 0xE0020..=0xE007F | 0xF0000..)
}

/// Python's `repr()` of a string.
pub(super) fn py_repr(s: &str) -> String {
    let q = if s.contains('\'') && !s.contains('"') { '"' } else { '\'' };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(q);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == q => {
                out.push('\\');
                out.push(c);
            }
            c if printable(c) => out.push(c),
            c if (c as u32) < 0x100 => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push(q);
    out
}

/// `strip(chars)`.
pub(super) fn strip_chars<'a>(s: &'a str, chars: &str) -> &'a str {
    s.trim_matches(|c| chars.contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repr_quotes_like_python() {
        assert_eq!(py_repr("it's"), "\"it's\"");
        assert_eq!(py_repr("a\u{a0}b"), "'a\\xa0b'");
    }
}
