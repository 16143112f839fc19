//! The writer: `T`, `R`, `A`, `*` and `#` lines in that order, a span over line breaks as
//! its fragments.

use super::fragments::{fragments, is_line_break, FRAGMENT_SEP};
use super::{EQUIV, PARTIAL};
use crate::annotation::Annotations;
use crate::document::Text;
use crate::error::Result;
use std::fmt::Write as _;
use std::path::Path;

/// Writes `ann` as a `.ann` file beside nothing in particular: the caller picks `path`.
/// The file is replaced atomically (see [`crate::formats::write_atomic`]).
pub fn write_ann(path: &Path, text: &Text, ann: &Annotations) -> Result<()> {
    crate::formats::write_atomic(path, to_ann_string(text, ann).as_bytes())
}

/// Formats annotations as brat standoff: `T`, `R`, `A`, `*`, `#` lines in that order,
/// each ending in `\n`. A span over line breaks is written as its [`fragments`]. Spans
/// must lie inside `text` (a span outside it is written with an empty text field, which
/// the reader rejects). Model scores and relation sources have no place in brat and are
/// not written; a line break in a note's text is written as a space.
pub fn to_ann_string(text: &Text, ann: &Annotations) -> String {
    let mut out = String::new();
    for s in &ann.spans {
        let frags = fragments(text, s.span);
        let offsets: Vec<String> = frags.iter().map(|f| format!("{} {}", f.start, f.end)).collect();
        let covered: Vec<&str> = frags.iter().map(|f| text.get(*f).unwrap_or_default()).collect();
        // Writing to a String cannot fail.
        let _ = writeln!(out, "{}\t{} {}\t{}", s.id, s.label, offsets.join(";"), covered.join(FRAGMENT_SEP));
    }
    for r in &ann.relations {
        let _ = writeln!(out, "{}\t{} Arg1:{} Arg2:{}", r.id, r.kind, r.arg1, r.arg2);
    }
    for (n, s) in ann.spans.iter().filter(|s| s.partial).enumerate() {
        let _ = writeln!(out, "A{}\t{PARTIAL} {}", n + 1, s.id);
    }
    for group in &ann.equivs {
        let _ = writeln!(out, "*\t{EQUIV} {}", group.join(" "));
    }
    for note in &ann.notes {
        let note_text: String = note.text.chars().map(|c| if is_line_break(c) { ' ' } else { c }).collect();
        let _ = writeln!(out, "{}\t{} {}\t{}", note.id, note.kind, note.target, note_text);
    }
    out
}
