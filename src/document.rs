//! The document: its text exactly as read, and the one place where byte offsets
//! (what Rust strings and HF tokenizers use) become character offsets (what brat,
//! every file format and every stage of whosaid use).
//!
//! [`Text`] is also the text's index: characters, paragraphs and sentences are made here
//! once and read by every stage.
//!
//! Invariant: every offset that leaves this module is a character offset, i.e. a
//! count of Unicode scalar values from the start of the text. The one exception is the
//! conversion to and from UTF-16 code units ([`Text::char_to_utf16`],
//! [`Text::utf16_to_char`]), for the review tools whose browser side counts those
//! (doccano; older Label Studio): it lives here and nowhere else.

use crate::annotation::Annotations;
use crate::error::{Error, Result};
use crate::segment::Sentence;
use std::path::Path;
use std::sync::OnceLock;

/// A half-open character range `[start, end)` into a document's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        debug_assert!(start <= end);
        Span { start, end }
    }
    pub fn len(&self) -> usize {
        self.end - self.start
    }
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }
    /// Number of characters the two spans share.
    pub fn overlap(&self, other: &Span) -> usize {
        let s = self.start.max(other.start);
        let e = self.end.min(other.end);
        e.saturating_sub(s)
    }
    pub fn overlaps(&self, other: &Span) -> bool {
        self.overlap(other) > 0
    }
    pub fn contains(&self, other: &Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }
}

/// The text of a document and its index, the one place every stage reads them from: the
/// characters, the byte↔char and char↔UTF-16 maps (made with the text), the paragraphs
/// and the sentences (made on first use, then kept).
///
/// - **Paragraphs** ([`Text::paragraphs`]): maximal runs of characters without a line
///   break (`\n` or `\r`) that hold something other than whitespace.
/// - **Sentences** ([`Text::sentences`]): [`crate::segment`]'s sentences with their words,
///   inside the paragraphs.
///
/// Spans into the text are looked up with [`Text::get`], which says when a span is not
/// in the text.
#[derive(Debug, Clone)]
pub struct Text {
    text: String,
    /// `char_to_byte[i]` is the byte offset of character `i`; one extra entry holds the length.
    char_to_byte: Vec<usize>,
    /// Character offsets of the characters outside the Basic Multilingual Plane (two
    /// UTF-16 units each), in order; empty for most texts.
    astral: Vec<usize>,
    /// The characters.
    chars: Vec<char>,
    /// Character offsets of the line breaks (`\n`, `\r`), in order.
    line_breaks: Vec<usize>,
    paragraphs: OnceLock<Vec<Span>>,
    sentences: OnceLock<Vec<Sentence>>,
}

impl Text {
    pub fn new(text: String) -> Text {
        let mut char_to_byte = Vec::with_capacity(text.len() + 1);
        let mut chars = Vec::with_capacity(text.len());
        let mut astral = vec![];
        let mut line_breaks = vec![];
        for (i, (b, c)) in text.char_indices().enumerate() {
            char_to_byte.push(b);
            chars.push(c);
            if c.len_utf16() == 2 {
                astral.push(i);
            }
            if c == '\n' || c == '\r' {
                line_breaks.push(i);
            }
        }
        char_to_byte.push(text.len());
        Text { text, char_to_byte, astral, chars, line_breaks, paragraphs: OnceLock::new(), sentences: OnceLock::new() }
    }
    pub fn as_str(&self) -> &str {
        &self.text
    }
    /// Length in characters.
    pub fn len_chars(&self) -> usize {
        self.char_to_byte.len() - 1
    }
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }
    /// Byte offset of a character offset (`None` past the end).
    pub fn char_to_byte(&self, c: usize) -> Option<usize> {
        self.char_to_byte.get(c).copied()
    }
    /// Character offset of a byte offset. A byte inside a multi-byte character maps to
    /// that character; a byte past the end gives `None`.
    pub fn byte_to_char(&self, b: usize) -> Option<usize> {
        if b > self.text.len() {
            return None;
        }
        Some(match self.char_to_byte.binary_search(&b) {
            Ok(i) => i,
            Err(i) => i - 1,
        })
    }
    /// Length in UTF-16 code units.
    pub fn len_utf16(&self) -> usize {
        self.len_chars() + self.astral.len()
    }
    /// The UTF-16 offset (code units from the start) of a character offset; `None` past
    /// the end. Characters outside the Basic Multilingual Plane (most emoji, 𝐦𝐚𝐭𝐡
    /// letters) count two units.
    pub fn char_to_utf16(&self, c: usize) -> Option<usize> {
        (c <= self.len_chars()).then(|| c + self.astral.partition_point(|&a| a < c))
    }
    /// The character offset of a UTF-16 offset. `Err` says why there is none:
    /// [`Utf16Error::InsidePair`] (the offset falls between the two units of the
    /// character at that character offset) or [`Utf16Error::PastEnd`].
    pub fn utf16_to_char(&self, u: usize) -> std::result::Result<usize, Utf16Error> {
        // k = how many astral characters start before unit u (their units are a + index).
        let (mut lo, mut hi) = (0, self.astral.len());
        while lo < hi {
            let mid = (lo + hi) / 2;
            if self.astral[mid] + mid < u {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        let k = lo;
        if k > 0 && self.astral[k - 1] + k == u {
            return Err(Utf16Error::InsidePair(self.astral[k - 1]));
        }
        let c = u - k;
        if c > self.len_chars() {
            return Err(Utf16Error::PastEnd);
        }
        Ok(c)
    }
    /// Converts a byte range (e.g. from a tokenizer or a regex) to a character span.
    pub fn byte_span(&self, start: usize, end: usize) -> Option<Span> {
        let s = self.byte_to_char(start)?;
        // An end inside a character extends to the end of that character.
        let e = match self.char_to_byte.binary_search(&end) {
            Ok(i) => i,
            Err(i) if i < self.char_to_byte.len() => i,
            Err(_) => return None,
        };
        (s <= e).then(|| Span::new(s, e))
    }
    /// The text of a character span; `None` when the span is not in the text (past its
    /// end, or ending before it starts). The one lookup of a span's text: a caller says
    /// what an invalid span means to it.
    pub fn get(&self, span: Span) -> Option<&str> {
        if span.start > span.end {
            return None;
        }
        let s = self.char_to_byte(span.start)?;
        let e = self.char_to_byte(span.end)?;
        self.text.get(s..e)
    }
    /// The character at a character offset.
    pub fn char_at(&self, c: usize) -> Option<char> {
        let s = self.char_to_byte(c)?;
        self.text[s..].chars().next()
    }
    /// Iterates `(char offset, char)` pairs.
    pub fn chars(&self) -> impl Iterator<Item = (usize, char)> + '_ {
        self.chars.iter().copied().enumerate()
    }
    /// The characters, indexed by character offset.
    pub fn as_chars(&self) -> &[char] {
        &self.chars
    }
    /// The paragraphs, in order: maximal runs of characters without a line break that
    /// hold something other than whitespace.
    pub fn paragraphs(&self) -> &[Span] {
        self.paragraphs.get_or_init(|| {
            let mut out = vec![];
            let mut start = 0;
            for &b in self.line_breaks.iter().chain(std::iter::once(&self.chars.len())) {
                if self.chars[start..b].iter().any(|c| !c.is_whitespace()) {
                    out.push(Span::new(start, b));
                }
                start = b + 1;
            }
            out
        })
    }
    /// The line around a character offset: from just after the line break before it to
    /// the line break at or after it (or the text's edges). For an offset in a paragraph
    /// that is the paragraph; a blank line gives a blank (or empty) span.
    pub fn paragraph_of(&self, pos: usize) -> Span {
        let pos = pos.min(self.chars.len());
        let k = self.line_breaks.partition_point(|&b| b < pos);
        let start = k.checked_sub(1).map_or(0, |p| self.line_breaks[p] + 1);
        let end = self.line_breaks.get(k).copied().unwrap_or(self.chars.len());
        Span::new(start, end)
    }
    /// The sentences with their words ([`crate::segment`]), in order.
    pub fn sentences(&self) -> &[Sentence] {
        self.sentences.get_or_init(|| crate::segment::split(self))
    }
}

/// Why a UTF-16 offset has no character offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Utf16Error {
    /// The offset falls inside the surrogate pair of the character at this character offset.
    InsidePair(usize),
    /// The offset is past the end of the text.
    PastEnd,
}

/// A document: id, text, and the annotation layers that every stage reads and extends.
#[derive(Debug, Clone)]
pub struct Document {
    /// The document id: the file stem (or the path relative to the corpus root).
    pub id: String,
    pub text: Text,
    pub ann: Annotations,
}

impl Document {
    pub fn new(id: impl Into<String>, text: impl Into<String>) -> Document {
        Document { id: id.into(), text: Text::new(text.into()), ann: Annotations::default() }
    }

    /// Reads a UTF-8 text file exactly as stored (no BOM stripping, no newline changes:
    /// offsets refer to the bytes on disk decoded as UTF-8). Rejects empty, binary and
    /// non-UTF-8 files with a reason.
    pub fn read(path: &Path) -> Result<Document> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let text = decode_text(path, bytes)?;
        let id = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        Ok(Document::new(id, text))
    }

    /// SHA-256 of the text, hex.
    pub fn sha256(&self) -> String {
        sha256_hex(self.text.as_str().as_bytes())
    }
}

/// SHA-256 of bytes as 64 lower-case hex digits: the one way whosaid writes a digest
/// (document texts, model files, temporary file names).
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex(&Sha256::digest(bytes))
}

/// [`sha256_hex`] of everything a reader yields, streamed (a model file is not read
/// into memory whole).
pub fn sha256_hex_reader(reader: &mut impl std::io::Read) -> std::io::Result<String> {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    std::io::copy(reader, &mut hasher)?;
    Ok(hex(&hasher.finalize()))
}

/// [`sha256_hex_reader`] of a file's bytes, streamed (model weights, averaged models).
pub fn file_sha256(path: &Path) -> Result<String> {
    let mut file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    sha256_hex_reader(&mut file).map_err(|e| Error::io(path, e))
}

fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Decodes file bytes into text, with the reasons whosaid refuses a document.
pub fn decode_text(path: &Path, bytes: Vec<u8>) -> Result<String> {
    if bytes.is_empty() {
        return Err(Error::input(path, "empty file"));
    }
    if bytes.contains(&0) {
        return Err(Error::input(path, "binary file (contains NUL bytes)"));
    }
    match String::from_utf8(bytes) {
        // A byte order mark alone is no text either.
        Ok(s) if s == "\u{feff}" => Err(Error::input(path, "empty file (only a byte order mark)")),
        Ok(s) if s.trim_start_matches('\u{feff}').trim().is_empty() => Err(Error::input(path, "no text (only whitespace)")),
        Ok(s) => Ok(s),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            Err(Error::input(path, format!("not valid UTF-8 (invalid byte at offset {at})")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_is_written_as_64_lower_case_hex_digits_streamed_or_not() {
        let abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        assert_eq!(sha256_hex(b"abc"), abc);
        assert_eq!(sha256_hex_reader(&mut &b"abc"[..]).unwrap(), abc);
        assert_eq!(Document::new("d", "abc").sha256(), abc);
    }

    #[test]
    fn char_offsets_count_scalar_values_not_bytes() {
        let t = Text::new("“I’m” é 😀 ok".to_string());
        assert_eq!(t.len_chars(), 12);
        assert_eq!(t.get(Span::new(0, 5)), Some("“I’m”"));
        assert_eq!(t.get(Span::new(8, 9)), Some("😀"));
        assert_eq!(t.get(Span::new(10, 12)), Some("ok"));
    }

    #[test]
    fn byte_and_char_offsets_convert_both_ways() {
        let t = Text::new("a😀b".to_string());
        assert_eq!(t.char_to_byte(2), Some(5));
        assert_eq!(t.byte_to_char(5), Some(2));
        assert_eq!(t.byte_to_char(2), Some(1)); // inside the emoji
        assert_eq!(t.byte_span(1, 5), Some(Span::new(1, 2)));
        assert_eq!(t.byte_to_char(7), None);
    }

    #[test]
    fn utf16_offsets_count_astral_characters_twice_both_ways() {
        let t = Text::new("𝐦a😀 é😀".to_string());
        // chars: 𝐦 a 😀 ' ' é 😀  -> units 0,2,3,5,6,7,(9)
        let units = [0, 2, 3, 5, 6, 7, 9];
        for (c, u) in units.iter().enumerate() {
            assert_eq!(t.char_to_utf16(c), Some(*u), "char {c}");
            assert_eq!(t.utf16_to_char(*u), Ok(c), "unit {u}");
        }
        assert_eq!(t.len_utf16(), 9);
        assert_eq!(t.char_to_utf16(7), None);
    }

    #[test]
    fn a_utf16_offset_inside_a_surrogate_pair_or_past_the_end_has_no_character() {
        let t = Text::new("𝐦a😀 é😀".to_string());
        assert_eq!(t.utf16_to_char(1), Err(Utf16Error::InsidePair(0)));
        assert_eq!(t.utf16_to_char(4), Err(Utf16Error::InsidePair(2)));
        assert_eq!(t.utf16_to_char(8), Err(Utf16Error::InsidePair(5)));
        assert_eq!(t.utf16_to_char(10), Err(Utf16Error::PastEnd));
        let plain = Text::new("abc".to_string());
        assert_eq!(plain.utf16_to_char(3), Ok(3));
        assert_eq!(plain.utf16_to_char(4), Err(Utf16Error::PastEnd));
    }

    #[test]
    fn out_of_range_spans_are_none_not_panics() {
        let t = Text::new("abc".to_string());
        assert_eq!(t.get(Span { start: 2, end: 9 }), None);
        assert_eq!(t.get(Span { start: 3, end: 2 }), None);
    }

    #[test]
    fn paragraphs_are_runs_between_line_breaks_that_hold_text() {
        let t = Text::new("Head\r\n\r\n  \nBody one\n\nBody two".to_string());
        let p: Vec<&str> = t.paragraphs().iter().map(|&s| t.get(s).unwrap()).collect();
        assert_eq!(p, vec!["Head", "Body one", "Body two"]);
        assert!(Text::new(" \n\n".to_string()).paragraphs().is_empty());
    }

    #[test]
    fn the_line_around_an_offset_ends_at_the_line_breaks() {
        let t = Text::new("ab\ncd\n\nef".to_string());
        // chars: a b \n c d \n \n e f
        assert_eq!(t.paragraph_of(0), Span::new(0, 2));
        assert_eq!(t.paragraph_of(2), Span::new(0, 2));
        assert_eq!(t.paragraph_of(3), Span::new(3, 5));
        assert_eq!(t.paragraph_of(6), Span::new(6, 6));
        assert_eq!(t.paragraph_of(8), Span::new(7, 9));
        assert_eq!(t.paragraph_of(99), Span::new(7, 9));
        // The same as walking the characters out to the line breaks, at every offset.
        let s = "x\r\n\ny z\n \nw";
        let t = Text::new(s.to_string());
        let cs: Vec<char> = s.chars().collect();
        for pos in 0..=cs.len() + 1 {
            let mut a = pos.min(cs.len());
            while a > 0 && cs[a - 1] != '\n' && cs[a - 1] != '\r' {
                a -= 1;
            }
            let mut b = pos.min(cs.len());
            while b < cs.len() && cs[b] != '\n' && cs[b] != '\r' {
                b += 1;
            }
            assert_eq!(t.paragraph_of(pos), Span::new(a, b), "at {pos}");
        }
    }

    #[test]
    fn sentences_are_made_once_and_kept() {
        let t = Text::new("One here. Two there.".to_string());
        let first = t.sentences().as_ptr();
        assert_eq!(t.sentences().len(), 2);
        assert_eq!(t.sentences().as_ptr(), first);
    }

    #[test]
    fn decode_rejects_empty_binary_and_invalid_utf8_with_reasons() {
        let p = Path::new("x.txt");
        assert!(decode_text(p, vec![]).unwrap_err().to_string().contains("empty"));
        assert!(decode_text(p, b"a\0b".to_vec()).unwrap_err().to_string().contains("binary"));
        assert!(decode_text(p, vec![b'a', 0xff]).unwrap_err().to_string().contains("UTF-8"));
    }

    #[test]
    fn span_overlap_is_the_shared_length() {
        assert_eq!(Span::new(0, 10).overlap(&Span::new(5, 20)), 5);
        assert_eq!(Span::new(0, 5).overlap(&Span::new(5, 20)), 0);
    }
}
