//! Printing untrusted text (document text, file names) for people: control characters
//! (C0 including tab and line breaks, DEL, C1) are shown as escapes (`\x1b`, `\u{9b}`), so
//! a document or a file name cannot move the cursor, recolour or retitle the terminal, or
//! split one error line into several.
//!
//! [`escape_controls`] always escapes; [`for_stderr`] and [`for_stdout`] escape only when
//! that stream is a terminal (a pipe or a file gets the text as it is). [`error_line`]
//! prints `whosaid: MESSAGE` on standard error that way: every error line goes through it.

use std::borrow::Cow;
use std::io::IsTerminal;

/// Is `c` a control character: C0 (U+0000–U+001F, tab and line breaks included), DEL
/// (U+007F) or C1 (U+0080–U+009F)?
pub fn is_control(c: char) -> bool {
    matches!(c as u32, 0x00..=0x1f | 0x7f..=0x9f)
}

/// `s` with every control character written as an escape: `\xHH` for C0 and DEL, `\u{HH}`
/// for C1 (a backslash itself is left alone). Borrows when there is nothing to escape.
pub fn escape_controls(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_control) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c as u32 {
            n @ (0x00..=0x1f | 0x7f) => out.push_str(&format!("\\x{n:02x}")),
            n @ 0x80..=0x9f => out.push_str(&format!("\\u{{{n:x}}}")),
            _ => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// `s` escaped when `terminal` is true, else unchanged.
pub fn escape_if(s: &str, terminal: bool) -> Cow<'_, str> {
    if terminal {
        escape_controls(s)
    } else {
        Cow::Borrowed(s)
    }
}

/// `s` as it should be written to standard error: escaped when that is a terminal.
pub fn for_stderr(s: &str) -> Cow<'_, str> {
    escape_if(s, std::io::stderr().is_terminal())
}

/// `s` as it should be written to standard output: escaped when that is a terminal.
#[allow(dead_code)] // for commands that print document text or names on standard output
pub fn for_stdout(s: &str) -> Cow<'_, str> {
    escape_if(s, std::io::stdout().is_terminal())
}

/// Prints `whosaid: MESSAGE` on standard error (escaped on a terminal).
pub fn error_line(message: impl std::fmt::Display) {
    eprintln!("whosaid: {}", for_stderr(&message.to_string()));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_and_line_breaks_are_shown_not_sent() {
        assert_eq!(escape_controls("a\x1b[31mred\x1b[0m"), "a\\x1b[31mred\\x1b[0m");
        assert_eq!(escape_controls("one\ntwo\r\tend"), "one\\x0atwo\\x0d\\x09end");
        assert_eq!(escape_controls("bell\x07 nul\0 del\x7f"), "bell\\x07 nul\\x00 del\\x7f");
    }

    #[test]
    fn c1_controls_are_escaped_as_code_points() {
        assert_eq!(escape_controls("csi\u{9b}2J nel\u{85}"), "csi\\u{9b}2J nel\\u{85}");
    }

    #[test]
    fn printable_text_is_borrowed_unchanged() {
        let s = "Zoë said “über” 😀 \\x1b, U+00A0:\u{a0}, soft\u{ad}hyphen";
        assert!(matches!(escape_controls(s), Cow::Borrowed(t) if t == s));
    }

    #[test]
    fn escaping_only_when_asked_for_a_terminal() {
        assert_eq!(escape_if("a\x1bb", false), "a\x1bb");
        assert_eq!(escape_if("a\x1bb", true), "a\\x1bb");
    }
}
