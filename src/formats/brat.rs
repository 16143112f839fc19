//! brat standoff reader and writer for the guidelines' dialect (see
//! ANNOTATION_GUIDELINES.md, "File format: brat standoff").
//!
//! | line | form | model |
//! |---|---|---|
//! | `T` | `T7⇥PER 656 666⇥John Adler` | [`SpanAnn`] (continuous spans only) |
//! | `R` | `R2⇥Speaker Arg1:T9 Arg2:T7` | [`Relation`] |
//! | `A` | `A1⇥Partial T5` | [`SpanAnn::partial`] |
//! | `*` | `*⇥Equiv T3 T4 T10` | [`Annotations::equivs`] |
//! | `#` | `#1⇥AnnotatorNotes T9⇥text` | [`Note`] |
//! | `N` | normalisations | ignored |
//!
//! Offsets are character offsets. The text field of a `T` line is the span's text with
//! every `\r` and `\n` written as a space; the reader compares it after the same
//! replacement. Every problem in a file is an [`Error::Parse`] naming the file and the
//! 1-based line.
//!
//! The writer emits `T` lines in the order of [`Annotations::spans`], then `R` lines,
//! then `A` lines (numbered `A1`… in span order), then `*` lines, then `#` notes; the
//! gold fixtures are written in that order, so they round-trip byte for byte.

use crate::annotation::{Annotations, Label, Note, RelKind, Relation, SpanAnn};
use crate::document::{Span, Text};
use crate::error::{Error, Result};
use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::path::Path;

/// The only attribute of the dialect: a fragment quoted inside reported speech.
const PARTIAL: &str = "Partial";
/// The only equivalence relation of the dialect.
const EQUIV: &str = "Equiv";

/// Reads a `.ann` file whose offsets refer to `text`.
pub fn read_ann(text: &Text, path: &Path) -> Result<Annotations> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let source = String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        Error::input(path, format!("not valid UTF-8 (invalid byte at offset {at})"))
    })?;
    parse_ann(text, &source, path)
}

/// Parses the contents of a `.ann` file whose offsets refer to `text`; `path` is only used
/// in error messages. Lines may end in `\n` or `\r\n`; blank lines and `N` lines are
/// skipped. References (relation arguments, attribute, equivalence and note targets) may
/// point to `T` lines anywhere in the file.
pub fn parse_ann(text: &Text, ann_source: &str, path: &Path) -> Result<Annotations> {
    Parser { text, path, ann: Annotations::default(), ids: HashSet::new(), pending: Vec::new() }.run(ann_source)
}

/// Writes `ann` as a `.ann` file beside nothing in particular: the caller picks `path`.
/// The file is replaced atomically (see [`super::write_atomic`]).
pub fn write_ann(path: &Path, text: &Text, ann: &Annotations) -> Result<()> {
    super::write_atomic(path, to_ann_string(text, ann).as_bytes())
}

/// Formats annotations as brat standoff: `T`, `R`, `A`, `*`, `#` lines in that order,
/// each ending in `\n`. Spans must lie inside `text` (a span outside it is written with
/// an empty text field, which the reader rejects). Model scores and relation sources
/// have no place in brat and are not written.
pub fn to_ann_string(text: &Text, ann: &Annotations) -> String {
    let mut out = String::new();
    for s in &ann.spans {
        let covered = one_line(text.slice(s.span));
        // Writing to a String cannot fail.
        let _ = writeln!(out, "{}\t{} {} {}\t{}", s.id, s.label, s.span.start, s.span.end, covered);
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
        let _ = writeln!(out, "{}\t{} {}\t{}", note.id, note.kind, note.target, one_line(&note.text));
    }
    out
}

/// A span's text as a `.ann` field: every `\r` and `\n` becomes a space (same length).
fn one_line(s: &str) -> String {
    s.replace(['\r', '\n'], " ")
}

/// A line that refers to span ids, checked once every `T` line is known.
enum Pending {
    Relation(Relation),
    Partial { target: String },
    Equiv(Vec<String>),
    Note(Note),
}

struct Parser<'a> {
    text: &'a Text,
    path: &'a Path,
    ann: Annotations,
    /// Every id defined so far (`T`, `R`, `A`, `#`), for duplicate detection.
    ids: HashSet<String>,
    /// Lines with references, with their line numbers.
    pending: Vec<(usize, Pending)>,
}

impl Parser<'_> {
    fn run(mut self, source: &str) -> Result<Annotations> {
        for (i, line) in source.lines().enumerate() {
            let line_no = i + 1;
            if line.trim().is_empty() {
                continue;
            }
            self.line(line_no, line).map_err(|reason| Error::parse(self.path, line_no, reason))?;
        }
        self.resolve()
    }

    /// Parses one non-blank line; `Err` is the reason, the caller adds file and line.
    fn line(&mut self, line_no: usize, line: &str) -> std::result::Result<(), String> {
        let (id, rest) = line.split_once('\t').ok_or_else(|| format!("no tab after the id in '{}'", clip(line)))?;
        match id.chars().next() {
            Some('T') => self.text_bound(id, rest),
            Some('R') => {
                let rel = parse_relation(id, rest)?;
                self.define(id, 'R')?;
                self.pending.push((line_no, Pending::Relation(rel)));
                Ok(())
            }
            Some('A') => {
                let target = parse_attribute(rest)?;
                self.define(id, 'A')?;
                self.pending.push((line_no, Pending::Partial { target }));
                Ok(())
            }
            Some('*') => {
                if id != "*" {
                    return Err(format!("bad id '{id}' (an equivalence line starts with '*' alone)"));
                }
                let members = parse_equiv(rest)?;
                self.pending.push((line_no, Pending::Equiv(members)));
                Ok(())
            }
            Some('#') => {
                let note = parse_note(id, rest)?;
                self.define(id, '#')?;
                self.pending.push((line_no, Pending::Note(note)));
                Ok(())
            }
            Some('N') => Ok(()),
            _ => Err(format!("unknown annotation line '{id}' (expected an id starting with T, R, A, *, # or N)")),
        }
    }

    /// Records a new id after checking its form (`prefix` then digits) and uniqueness.
    fn define(&mut self, id: &str, prefix: char) -> std::result::Result<(), String> {
        let digits = &id[prefix.len_utf8()..];
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("bad id '{id}' (expected {prefix} followed by digits)"));
        }
        if !self.ids.insert(id.to_string()) {
            return Err(format!("duplicate id {id}"));
        }
        Ok(())
    }

    /// `T7⇥PER 656 666⇥John Adler`
    fn text_bound(&mut self, id: &str, rest: &str) -> std::result::Result<(), String> {
        self.define(id, 'T')?;
        let (head, field) =
            rest.split_once('\t').ok_or_else(|| format!("{id}: expected 'LABEL START END<tab>TEXT'"))?;
        if head.contains(';') {
            return Err(format!("{id}: discontinuous span '{head}' (fragments with ';' are not allowed)"));
        }
        let parts: Vec<&str> = head.split(' ').collect();
        let [label, start, end] = parts[..] else {
            return Err(format!("{id}: expected 'LABEL START END', found '{head}'"));
        };
        let label: Label = label.parse().map_err(|e| format!("{id}: {e}"))?;
        let start = parse_offset(id, start)?;
        let end = parse_offset(id, end)?;
        if start > end {
            return Err(format!("{id}: start {start} is after end {end}"));
        }
        let len = self.text.len_chars();
        if end > len {
            return Err(format!("{id}: span {start}-{end} is past the end of the text ({len} characters)"));
        }
        let span = Span::new(start, end);
        let covered = one_line(self.text.get(span).unwrap_or_default());
        if covered != field {
            return Err(format!(
                "{id}: text field '{}' does not match the text at {start}-{end}: '{}'",
                clip(field),
                clip(&covered)
            ));
        }
        self.ann.spans.push(SpanAnn { id: id.to_string(), label, span, score: None, partial: false });
        Ok(())
    }

    /// Checks every reference against the spans and builds the remaining layers.
    fn resolve(mut self) -> Result<Annotations> {
        let labels: HashMap<String, Label> = self.ann.spans.iter().map(|s| (s.id.clone(), s.label)).collect();
        let relation_ids: HashSet<String> = self
            .pending
            .iter()
            .filter_map(|(_, p)| match p {
                Pending::Relation(r) => Some(r.id.clone()),
                _ => None,
            })
            .collect();
        let span_label = |id: &str| labels.get(id).copied().ok_or_else(|| format!("unknown span id {id}"));
        let mut in_group: HashMap<String, usize> = HashMap::new();
        let mut partial: HashSet<String> = HashSet::new();
        let path = self.path;
        for (line_no, item) in std::mem::take(&mut self.pending) {
            let err = |reason: String| Error::parse(path, line_no, reason);
            match item {
                Pending::Relation(rel) => {
                    let (allowed1, allowed2) = rel.kind.allowed_args();
                    for (arg, value, allowed) in [("Arg1", &rel.arg1, allowed1), ("Arg2", &rel.arg2, allowed2)] {
                        let label = span_label(value).map_err(|e| err(format!("{}: {arg}: {e}", rel.id)))?;
                        if !allowed.contains(&label) {
                            return Err(err(format!(
                                "{}: {} {arg} must be {}, but {value} is {label}",
                                rel.id,
                                rel.kind,
                                list_labels(allowed)
                            )));
                        }
                    }
                    self.ann.relations.push(rel);
                }
                Pending::Partial { target } => {
                    let label = span_label(&target).map_err(|e| err(format!("{PARTIAL}: {e}")))?;
                    if label != Label::QUOTE {
                        return Err(err(format!("{PARTIAL} applies to QUOTE spans only, but {target} is {label}")));
                    }
                    if !partial.insert(target.clone()) {
                        return Err(err(format!("{PARTIAL} is given twice for {target}")));
                    }
                }
                Pending::Equiv(members) => {
                    let group = self.ann.equivs.len();
                    for m in &members {
                        span_label(m).map_err(|e| err(format!("{EQUIV}: {e}")))?;
                        if in_group.insert(m.clone(), group).is_some() {
                            return Err(err(format!("{EQUIV}: {m} is already in an equivalence group")));
                        }
                    }
                    self.ann.equivs.push(members);
                }
                Pending::Note(note) => {
                    if !labels.contains_key(&note.target) && !relation_ids.contains(&note.target) {
                        return Err(err(format!("{}: unknown target id {}", note.id, note.target)));
                    }
                    self.ann.notes.push(note);
                }
            }
        }
        for s in &mut self.ann.spans {
            s.partial = partial.contains(&s.id);
        }
        Ok(self.ann)
    }
}

/// `Speaker Arg1:T9 Arg2:T7` (an empty third field, as some tools write, is accepted).
fn parse_relation(id: &str, rest: &str) -> std::result::Result<Relation, String> {
    let body = rest.strip_suffix('\t').unwrap_or(rest);
    let parts: Vec<&str> = body.split(' ').collect();
    let [kind, a1, a2] = parts[..] else {
        return Err(format!("{id}: expected 'KIND Arg1:Tx Arg2:Ty', found '{}'", clip(rest)));
    };
    let kind: RelKind = kind.parse().map_err(|e| format!("{id}: {e}"))?;
    let arg = |field: &str, name: &str| {
        field
            .strip_prefix(name)
            .and_then(|v| v.strip_prefix(':'))
            .filter(|v| !v.is_empty())
            .map(str::to_string)
            .ok_or_else(|| format!("{id}: expected '{name}:<id>', found '{field}'"))
    };
    Ok(Relation { id: id.to_string(), kind, arg1: arg(a1, "Arg1")?, arg2: arg(a2, "Arg2")?, source: None })
}

/// `Partial T5`: the target id.
fn parse_attribute(rest: &str) -> std::result::Result<String, String> {
    let parts: Vec<&str> = rest.split(' ').collect();
    match parts[..] {
        [PARTIAL, target] if !target.is_empty() => Ok(target.to_string()),
        [name, ..] if name != PARTIAL => Err(format!("unknown attribute '{name}' (expected {PARTIAL})")),
        _ => Err(format!("expected '{PARTIAL} <id>', found '{}'", clip(rest))),
    }
}

/// `Equiv T3 T4 T10`: the member ids, at least two, each once.
fn parse_equiv(rest: &str) -> std::result::Result<Vec<String>, String> {
    let mut parts = rest.split(' ');
    match parts.next() {
        Some(EQUIV) => {}
        other => return Err(format!("unknown equivalence '{}' (expected {EQUIV})", other.unwrap_or_default())),
    }
    let members: Vec<String> = parts.map(str::to_string).collect();
    if members.iter().any(String::is_empty) {
        return Err(format!("expected '{EQUIV} T1 T2 ...' with single spaces, found '{}'", clip(rest)));
    }
    if members.len() < 2 {
        return Err(format!("{EQUIV} needs at least two members, found '{}'", clip(rest)));
    }
    let mut seen = HashSet::new();
    if let Some(m) = members.iter().find(|m| !seen.insert(m.as_str())) {
        return Err(format!("{EQUIV} lists {m} twice"));
    }
    Ok(members)
}

/// `#1⇥AnnotatorNotes T9⇥text` (the id after `#` is checked by the caller).
fn parse_note(id: &str, rest: &str) -> std::result::Result<Note, String> {
    let (head, text) = rest.split_once('\t').unwrap_or((rest, ""));
    let parts: Vec<&str> = head.split(' ').collect();
    let [kind, target] = parts[..] else {
        return Err(format!("{id}: expected 'NOTE_TYPE <id><tab>text', found '{}'", clip(head)));
    };
    if kind.is_empty() || target.is_empty() {
        return Err(format!("{id}: expected 'NOTE_TYPE <id><tab>text', found '{}'", clip(head)));
    }
    Ok(Note { id: id.to_string(), kind: kind.to_string(), target: target.to_string(), text: text.to_string() })
}

fn parse_offset(id: &str, s: &str) -> std::result::Result<usize, String> {
    s.parse().map_err(|_| format!("{id}: bad offset '{s}' (expected a non-negative integer)"))
}

fn list_labels(labels: &[Label]) -> String {
    let names: Vec<&str> = labels.iter().map(|l| l.as_str()).collect();
    match names.as_slice() {
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
        [] => String::new(),
    }
}

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
mod tests {
    use super::*;

    const TEXT: &str = "John Adler, chief executive of the CQC, said: “We are proud.”\n";

    fn text() -> Text {
        Text::new(TEXT.to_string())
    }

    fn parse(src: &str) -> Result<Annotations> {
        parse_ann(&text(), src, Path::new("doc.ann"))
    }

    /// The error message of a parse that must fail, checked to name `doc.ann:<line>`.
    fn error_at(src: &str, line: usize) -> String {
        let err = parse(src).expect_err("the parse should fail").to_string();
        let prefix = format!("doc.ann:{line}: ");
        assert!(err.starts_with(&prefix), "expected an error at line {line}, got: {err}");
        err
    }

    const GOOD: &str = "T1\tPER 0 10\tJohn Adler\n\
                        T2\tROLE 12 27\tchief executive\n\
                        T3\tORG 35 38\tCQC\n\
                        T4\tQUOTE 46 61\t“We are proud.”\n\
                        R1\tSpeaker Arg1:T4 Arg2:T1\n\
                        R2\tHasRole Arg1:T1 Arg2:T2\n\
                        R3\tRoleOrg Arg1:T2 Arg2:T3\n";

    #[test]
    fn a_well_formed_file_gives_spans_and_relations_in_file_order() {
        let ann = parse(GOOD).unwrap();
        let ids: Vec<&str> = ann.spans.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["T1", "T2", "T3", "T4"]);
        assert_eq!(ann.spans[3].label, Label::QUOTE);
        assert_eq!(ann.spans[3].span, Span::new(46, 61));
        assert_eq!(ann.speaker_of("T4"), Some("T1"));
        assert_eq!(ann.relations.len(), 3);
    }

    #[test]
    fn offsets_are_characters_not_bytes() {
        // The curly quotes are 3 bytes each in UTF-8 but one character.
        let ann = parse("T1\tQUOTE 46 61\t“We are proud.”\n").unwrap();
        assert_eq!(text().slice(ann.spans[0].span), "“We are proud.”");
    }

    #[test]
    fn writing_then_reading_gives_the_same_annotations_and_bytes() {
        let src = format!("{GOOD}A1\tPartial T4\n*\tEquiv T1 T2\n#1\tAnnotatorNotes T4\ta note\n");
        let ann = parse(&src).unwrap();
        let written = to_ann_string(&text(), &ann);
        assert_eq!(written, src);
        assert_eq!(parse(&written).unwrap(), ann);
    }

    #[test]
    fn partial_attribute_marks_the_quote() {
        let ann = parse(&format!("{GOOD}A1\tPartial T4\n")).unwrap();
        assert!(ann.span("T4").unwrap().partial);
        assert!(!ann.span("T1").unwrap().partial);
    }

    #[test]
    fn annotator_notes_are_kept_with_their_text() {
        let ann = parse(&format!("{GOOD}#1\tAnnotatorNotes T4\tthe speaker is named before\tand a tab\n")).unwrap();
        assert_eq!(
            ann.notes,
            [Note {
                id: "#1".into(),
                kind: "AnnotatorNotes".into(),
                target: "T4".into(),
                text: "the speaker is named before\tand a tab".into()
            }]
        );
    }

    #[test]
    fn normalisation_lines_and_blank_lines_are_ignored() {
        let src = format!("\n{GOOD}N1\tReference T1 Wikipedia:534366\tJohn Adler\n\n");
        assert_eq!(parse(&src).unwrap(), parse(GOOD).unwrap());
    }

    #[test]
    fn crlf_line_endings_in_the_ann_file_are_accepted() {
        assert_eq!(parse(&GOOD.replace('\n', "\r\n")).unwrap(), parse(GOOD).unwrap());
    }

    #[test]
    fn a_span_over_a_crlf_line_break_is_written_with_spaces_and_read_back() {
        let text = Text::new("He said:\r\n“One.\r\n“Two.”\r\n".to_string());
        let mut ann = Annotations::default();
        ann.add_span(Label::QUOTE, Span::new(10, 23), None);
        let written = to_ann_string(&text, &ann);
        assert_eq!(written, "T1\tQUOTE 10 23\t“One.  “Two.”\n");
        assert_eq!(parse_ann(&text, &written, Path::new("doc.ann")).unwrap(), ann);
    }

    #[test]
    fn a_span_over_a_line_break_must_not_keep_the_raw_text_in_its_field() {
        let text = Text::new("“One.\n“Two.”".to_string());
        let ok = parse_ann(&text, "T1\tQUOTE 0 12\t“One. “Two.”\n", Path::new("doc.ann"));
        assert!(ok.is_ok());
        // With the raw newline the line ends early: the field is cut, the rest is another line.
        let raw = parse_ann(&text, "T1\tQUOTE 0 12\t“One.\n“Two.”\n", Path::new("doc.ann"));
        assert!(raw.unwrap_err().to_string().starts_with("doc.ann:1: T1: text field"));
    }

    #[test]
    fn discontinuous_fragments_are_rejected() {
        let err = error_at("T1\tPER 0 4;5 10\tJohn Adler\n", 1);
        assert!(err.contains("discontinuous"), "{err}");
    }

    #[test]
    fn an_unknown_label_is_an_error() {
        let err = error_at(&format!("{GOOD}T5\tPerson 0 4\tJohn\n"), 8);
        assert!(err.contains("unknown type 'Person'"), "{err}");
    }

    #[test]
    fn an_unknown_relation_is_an_error() {
        let err = error_at(&format!("{GOOD}R4\tWorksFor Arg1:T1 Arg2:T3\n"), 8);
        assert!(err.contains("unknown relation 'WorksFor'"), "{err}");
    }

    #[test]
    fn an_unknown_attribute_is_an_error() {
        let err = error_at(&format!("{GOOD}A1\tNegated T4\n"), 8);
        assert!(err.contains("unknown attribute 'Negated'"), "{err}");
    }

    #[test]
    fn partial_on_a_non_quote_is_an_error() {
        let err = error_at(&format!("{GOOD}A1\tPartial T1\n"), 8);
        assert!(err.contains("QUOTE spans only"), "{err}");
    }

    #[test]
    fn a_line_without_a_tab_is_an_error() {
        error_at("T1 PER 0 10 John Adler\n", 1);
    }

    #[test]
    fn a_t_line_without_its_text_field_is_an_error() {
        error_at("T1\tPER 0 10\n", 1);
    }

    #[test]
    fn a_non_numeric_offset_is_an_error() {
        let err = error_at("T1\tPER 0 ten\tJohn Adler\n", 1);
        assert!(err.contains("bad offset 'ten'"), "{err}");
    }

    #[test]
    fn a_negative_offset_is_an_error() {
        error_at("T1\tPER -1 10\tJohn Adler\n", 1);
    }

    #[test]
    fn a_span_past_the_end_of_the_text_is_an_error() {
        let err = error_at("T1\tPER 60 99\t”\n", 1);
        assert!(err.contains("past the end of the text (62 characters)"), "{err}");
    }

    #[test]
    fn start_after_end_is_an_error() {
        let err = error_at("T1\tPER 10 0\tJohn Adler\n", 1);
        assert!(err.contains("start 10 is after end 0"), "{err}");
    }

    #[test]
    fn a_text_field_that_differs_from_the_document_is_an_error() {
        let err = error_at("T1\tPER 0 10\tJohn Adams\n", 1);
        assert!(err.contains("does not match the text at 0-10: 'John Adler'"), "{err}");
    }

    #[test]
    fn a_duplicate_id_is_an_error() {
        let err = error_at("T1\tPER 0 10\tJohn Adler\nT1\tORG 35 38\tCQC\n", 2);
        assert!(err.contains("duplicate id T1"), "{err}");
    }

    #[test]
    fn a_malformed_id_is_an_error() {
        error_at("Tx\tPER 0 10\tJohn Adler\n", 1);
    }

    #[test]
    fn an_unknown_line_kind_is_an_error() {
        let err = error_at(&format!("{GOOD}E1\tSay:T4\n"), 8);
        assert!(err.contains("unknown annotation line 'E1'"), "{err}");
    }

    #[test]
    fn a_relation_to_an_unknown_id_is_an_error_at_the_relation_line() {
        let err = error_at("T1\tPER 0 10\tJohn Adler\nR1\tHasRole Arg1:T1 Arg2:T9\nT2\tORG 35 38\tCQC\n", 2);
        assert!(err.contains("unknown span id T9"), "{err}");
    }

    #[test]
    fn a_relation_may_refer_to_a_span_defined_later() {
        let ann = parse("R1\tHasRole Arg1:T1 Arg2:T2\nT1\tPER 0 10\tJohn Adler\nT2\tROLE 12 27\tchief executive\n");
        assert_eq!(ann.unwrap().relations.len(), 1);
    }

    #[test]
    fn a_relation_with_a_disallowed_argument_type_is_an_error() {
        // RoleOrg goes ROLE -> ORG, not PER -> ORG.
        let err = error_at(&format!("{GOOD}R4\tRoleOrg Arg1:T1 Arg2:T3\n"), 8);
        assert!(err.contains("RoleOrg Arg1 must be ROLE, but T1 is PER"), "{err}");
        let err = error_at(&format!("{GOOD}R4\tSpeaker Arg1:T4 Arg2:T4\n"), 8);
        assert!(err.contains("Speaker Arg2 must be PER, ORG or ROLE, but T4 is QUOTE"), "{err}");
    }

    #[test]
    fn a_relation_without_arg_names_is_an_error() {
        let err = error_at(&format!("{GOOD}R4\tHasRole T1 T2\n"), 8);
        assert!(err.contains("expected 'Arg1:<id>'"), "{err}");
    }

    #[test]
    fn an_attribute_on_an_unknown_id_is_an_error() {
        error_at(&format!("{GOOD}A1\tPartial T9\n"), 8);
    }

    #[test]
    fn an_equiv_with_an_unknown_member_is_an_error() {
        let err = error_at(&format!("{GOOD}*\tEquiv T1 T9\n"), 8);
        assert!(err.contains("unknown span id T9"), "{err}");
    }

    #[test]
    fn an_equiv_with_a_single_member_is_an_error() {
        error_at(&format!("{GOOD}*\tEquiv T1\n"), 8);
    }

    #[test]
    fn a_mention_in_two_equiv_groups_is_an_error() {
        let err = error_at(&format!("{GOOD}*\tEquiv T1 T2\n*\tEquiv T3 T1\n"), 9);
        assert!(err.contains("T1 is already in an equivalence group"), "{err}");
    }

    #[test]
    fn a_note_on_an_unknown_id_is_an_error() {
        let err = error_at(&format!("{GOOD}#1\tAnnotatorNotes T9\ttext\n"), 8);
        assert!(err.contains("unknown target id T9"), "{err}");
    }

    #[test]
    fn a_note_may_target_a_relation() {
        let ann = parse(&format!("{GOOD}#1\tAnnotatorNotes R1\tby the byline\n")).unwrap();
        assert_eq!(ann.notes[0].target, "R1");
    }

    #[test]
    fn the_writer_orders_lines_by_kind_and_numbers_attributes_in_span_order() {
        let text = text();
        let mut ann = Annotations::default();
        let q = ann.add_span(Label::QUOTE, Span::new(46, 61), None);
        let p = ann.add_span(Label::PER, Span::new(0, 10), None);
        ann.spans[0].partial = true;
        ann.add_relation(RelKind::Speaker, &q, &p, Some("rule"));
        ann.notes.push(Note { id: "#1".into(), kind: "AnnotatorNotes".into(), target: q, text: "two\nlines".into() });
        assert_eq!(
            to_ann_string(&text, &ann),
            "T1\tQUOTE 46 61\t“We are proud.”\n\
             T2\tPER 0 10\tJohn Adler\n\
             R1\tSpeaker Arg1:T1 Arg2:T2\n\
             A1\tPartial T1\n\
             #1\tAnnotatorNotes T1\ttwo lines\n"
        );
    }

    #[test]
    fn write_ann_replaces_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("doc.ann");
        std::fs::write(&path, "old").unwrap();
        let ann = parse(GOOD).unwrap();
        write_ann(&path, &text(), &ann).unwrap();
        assert_eq!(read_ann(&text(), &path).unwrap(), ann);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no temporary file is left behind");
    }
}
