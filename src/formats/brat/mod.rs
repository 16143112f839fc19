//! brat standoff reader and writer for the guidelines' dialect (see
//! ANNOTATION_GUIDELINES.md, "File format: brat standoff").
//!
//! | line | form | model |
//! |---|---|---|
//! | `T` | `T7⇥PER 656 666⇥John Adler` | [`SpanAnn`] (one continuous span; see below) |
//! | `R` | `R2⇥Speaker Arg1:T9 Arg2:T7` | [`Relation`] |
//! | `A` | `A1⇥Partial T5` | [`SpanAnn::partial`] |
//! | `*` | `*⇥Equiv T3 T4 T10` | [`Annotations::equivs`] |
//! | `#` | `#1⇥AnnotatorNotes T9⇥text` | [`Note`] |
//! | `N` | normalisations | ignored |
//!
//! Offsets are character offsets. A `.ann` line cannot hold a line break and brat requires
//! the text field to match the text, so a span that crosses line breaks is written as brat
//! writes it: fragments split at the breaks (`T9⇥QUOTE 704 865;867 1019⇥…`), whose texts
//! joined by one space make the text field ([`fragments`]). The reader takes that form and
//! the older one-fragment form whose field has each `\r` and `\n` written as a space; either
//! way the span is one [`Span`], from the first fragment's start to the last one's end.
//! Fragments with anything but whitespace between them are refused. A line break is any
//! character at which brat's parser (Python's `splitlines`) ends a line: see
//! [`is_line_break`].
//!
//! Every problem in a file is an [`Error::Parse`] naming the file and the 1-based line.
//! A byte-order mark at the start is skipped. A relation that repeats an earlier one
//! (same type and arguments) is read once, with a warning naming its line.
//! [`check_strict`] applies brat's own parsing rules and an `annotation.conf` to a file.
//!
//! The writer emits `T` lines in the order of [`Annotations::spans`], then `R` lines,
//! then `A` lines (numbered `A1`… in span order), then `*` lines, then `#` notes; the
//! gold fixtures are written in that order, so they round-trip byte for byte.
//!
//! The files: `read.rs` parses (the lenient reader whosaid itself uses), `write.rs`
//! formats, `fragments.rs` holds what both share about line breaks (how a span over them is
//! split into fragments), and `strict.rs` checks a file by brat's own rules
//! ([`check_strict`]); the tests of all four are in `tests.rs`.
//!
//! [`SpanAnn`]: crate::annotation::SpanAnn
//! [`Relation`]: crate::annotation::Relation
//! [`SpanAnn::partial`]: crate::annotation::SpanAnn::partial
//! [`Annotations::equivs`]: crate::annotation::Annotations::equivs
//! [`Note`]: crate::annotation::Note
//! [`Span`]: crate::document::Span
//! [`Error::Parse`]: crate::error::Error::Parse
//! [`Annotations::spans`]: crate::annotation::Annotations::spans

mod fragments;
mod read;
mod strict;
mod write;

pub use fragments::{fragments, is_line_break, FRAGMENT_SEP};
pub use read::{parse_ann, parse_ann_with_warnings, read_ann, read_ann_with_warnings};
pub use strict::{check_strict, StrictProblem};
pub use write::{to_ann_string, write_ann};

/// The only attribute of the dialect: a fragment quoted inside reported speech.
const PARTIAL: &str = "Partial";
/// The only equivalence relation of the dialect.
const EQUIV: &str = "Equiv";

/// A long field shortened for an error message.
fn clip(s: &str) -> String {
    const MAX: usize = 60;
    if s.chars().count() <= MAX {
        s.to_string()
    } else {
        let head: String = s.chars().take(MAX).collect();
        format!("{head}…")
    }
}

#[cfg(test)]
mod tests;
