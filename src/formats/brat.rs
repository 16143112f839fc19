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

use super::brat_conf::AnnotationConf;
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

/// Reads a `.ann` file whose offsets refer to `text`. Warnings (a repeated relation, read
/// once) go to stderr as `whosaid: warning: FILE:LINE: …`; [`read_ann_with_warnings`]
/// returns them instead.
pub fn read_ann(text: &Text, path: &Path) -> Result<Annotations> {
    let (ann, warnings) = read_ann_with_warnings(text, path)?;
    for w in warnings {
        eprintln!("whosaid: warning: {w}");
    }
    Ok(ann)
}

/// [`read_ann`], with the warnings returned (each `FILE:LINE: reason`), not printed.
pub fn read_ann_with_warnings(text: &Text, path: &Path) -> Result<(Annotations, Vec<String>)> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let source = String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        Error::input(path, format!("not valid UTF-8 (invalid byte at offset {at})"))
    })?;
    parse_ann_with_warnings(text, &source, path)
}

/// Parses the contents of a `.ann` file whose offsets refer to `text`; `path` is only used
/// in error messages. Lines may end in `\n` or `\r\n`; a byte-order mark at the start,
/// blank lines and `N` lines are skipped. References (relation arguments, attribute,
/// equivalence and note targets) may point to `T` lines anywhere in the file. A relation
/// that repeats an earlier one is dropped silently here (see [`parse_ann_with_warnings`]).
pub fn parse_ann(text: &Text, ann_source: &str, path: &Path) -> Result<Annotations> {
    parse_ann_with_warnings(text, ann_source, path).map(|(ann, _)| ann)
}

/// [`parse_ann`], with a warning (`FILE:LINE: reason`) for each repeated relation dropped.
pub fn parse_ann_with_warnings(text: &Text, ann_source: &str, path: &Path) -> Result<(Annotations, Vec<String>)> {
    let source = ann_source.strip_prefix('\u{feff}').unwrap_or(ann_source);
    Parser {
        text,
        path,
        ann: Annotations::default(),
        ids: HashSet::new(),
        pending: Vec::new(),
        warnings: Vec::new(),
    }
    .run(source)
}

/// Writes `ann` as a `.ann` file beside nothing in particular: the caller picks `path`.
/// The file is replaced atomically (see [`super::write_atomic`]).
pub fn write_ann(path: &Path, text: &Text, ann: &Annotations) -> Result<()> {
    super::write_atomic(path, to_ann_string(text, ann).as_bytes())
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
fn is_space(c: char) -> bool {
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

/// A span's text in the older one-fragment form: every `\r` and `\n` becomes a space.
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
    /// `FILE:LINE: reason` for what was read but changed (a repeated relation dropped).
    warnings: Vec<String>,
}

impl Parser<'_> {
    fn run(mut self, source: &str) -> Result<(Annotations, Vec<String>)> {
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

    /// `T7⇥PER 656 666⇥John Adler`, or over line breaks `T9⇥QUOTE 704 865;867 1019⇥…`.
    fn text_bound(&mut self, id: &str, rest: &str) -> std::result::Result<(), String> {
        self.define(id, 'T')?;
        let (head, field) =
            rest.split_once('\t').ok_or_else(|| format!("{id}: expected 'LABEL START END<tab>TEXT'"))?;
        let (label, offsets) = head
            .split_once(' ')
            .ok_or_else(|| format!("{id}: expected 'LABEL START END', found '{}'", clip(head)))?;
        let label: Label = label.parse().map_err(|e| format!("{id}: {e}"))?;
        let len = self.text.len_chars();
        let mut frags = vec![];
        for frag in offsets.split(';') {
            let parts: Vec<&str> = frag.split(' ').collect();
            let [start, end] = parts[..] else {
                return Err(format!("{id}: expected 'LABEL START END', found '{}'", clip(head)));
            };
            let start = parse_offset(id, start)?;
            let end = parse_offset(id, end)?;
            if start > end {
                return Err(format!("{id}: start {start} is after end {end}"));
            }
            if end > len {
                return Err(format!("{id}: span {start}-{end} is past the end of the text ({len} characters)"));
            }
            frags.push(Span::new(start, end));
        }
        let texts: Vec<&str> = frags.iter().map(|f| self.text.get(*f).unwrap_or_default()).collect();
        let span = continuous(self.text, id, offsets, &frags)?;
        let expected = match frags[..] {
            [_] => one_line(texts[0]),
            _ => texts.join(FRAGMENT_SEP),
        };
        if expected != field {
            let at = offsets.replace(' ', "-");
            return Err(format!(
                "{id}: text field '{}' does not match the text at {at}: '{}'",
                clip(field),
                clip(&expected)
            ));
        }
        self.ann.spans.push(SpanAnn { id: id.to_string(), label, span, score: None, partial: false });
        Ok(())
    }

    /// Checks every reference against the spans and builds the remaining layers.
    fn resolve(mut self) -> Result<(Annotations, Vec<String>)> {
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
        // (kind, Arg1, Arg2) -> the first relation's id and line; repeats are read once.
        let mut first_of: HashMap<(RelKind, String, String), (String, usize)> = HashMap::new();
        // Id of a dropped repeat -> the id kept, so notes on it stay attached.
        let mut kept_as: HashMap<String, String> = HashMap::new();
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
                    let key = (rel.kind, rel.arg1.clone(), rel.arg2.clone());
                    if let Some((first, first_line)) = first_of.get(&key) {
                        self.warnings.push(format!(
                            "{}:{line_no}: {} repeats {first} (line {first_line}: {} Arg1:{} Arg2:{}); read once",
                            path.display(),
                            rel.id,
                            rel.kind,
                            rel.arg1,
                            rel.arg2
                        ));
                        kept_as.insert(rel.id.clone(), first.clone());
                        continue;
                    }
                    first_of.insert(key, (rel.id.clone(), line_no));
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
                Pending::Note(mut note) => {
                    if !labels.contains_key(&note.target) && !relation_ids.contains(&note.target) {
                        return Err(err(format!("{}: unknown target id {}", note.id, note.target)));
                    }
                    if let Some(kept) = kept_as.get(&note.target) {
                        note.target = kept.clone();
                    }
                    self.ann.notes.push(note);
                }
            }
        }
        for s in &mut self.ann.spans {
            s.partial = partial.contains(&s.id);
        }
        Ok((self.ann, self.warnings))
    }
}

/// The one span that fragments make: from the first one's start to the last one's end,
/// when they are in order, do not overlap and only whitespace lies between them.
fn continuous(text: &Text, id: &str, offsets: &str, frags: &[Span]) -> std::result::Result<Span, String> {
    for pair in frags.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        if b.start < a.end {
            return Err(format!(
                "{id}: discontinuous span '{}': fragment {}-{} does not come after {}-{}",
                clip(offsets),
                b.start,
                b.end,
                a.start,
                a.end
            ));
        }
        let between = text.get(Span::new(a.end, b.start)).unwrap_or_default();
        if !between.chars().all(is_space) {
            return Err(format!(
                "{id}: discontinuous span '{}': '{}' lies between fragments {}-{} and {}-{} (only line breaks and \
                 spaces may)",
                clip(offsets),
                clip(&between.escape_debug().to_string()),
                a.start,
                a.end,
                b.start,
                b.end
            ));
        }
    }
    match (frags.first(), frags.last()) {
        (Some(first), Some(last)) => Ok(Span::new(first.start, last.end)),
        _ => Err(format!("{id}: no offsets")),
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

/// One thing brat itself would refuse in a `.ann` file (see [`check_strict`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StrictProblem {
    /// 1-based line, as brat counts lines.
    pub line: usize,
    pub reason: String,
}

impl std::fmt::Display for StrictProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.line, self.reason)
    }
}

/// Checks a `.ann` file as brat's server reads and verifies it (`server/src/annotation.py`,
/// `verify_annotations.py`), with `conf` as the collection's `annotation.conf`, and lists
/// every problem; an empty list means brat loads the file without a message. Unlike
/// [`parse_ann`], nothing is forgiven:
///
/// - lines end wherever Python's `splitlines` ends them ([`is_line_break`]), and every
///   line, blank ones too, is `ID⇥…` with a unique id of brat's form (`T1`, `R1`, `A1`,
///   `#1`, or `*`); a byte-order mark makes the first id invalid;
/// - `T`: `TYPE START END[;START END]…⇥TEXT` with offsets inside the text, fragments that
///   do not overlap (brat's test: none ends at or after an earlier one's start and starts
///   before its end), no line break inside a fragment, TEXT exactly the fragments' text joined by one space, and TYPE
///   declared under `[entities]`;
/// - `R`: `TYPE Arg1:ID Arg2:ID`, declared under `[relations]` for those argument types;
/// - `A`: `TYPE ID`, a binary attribute declared for the target's type;
/// - `*`: `TYPE ID ID…`, a declared relation allowed between every pair of member types;
/// - `#`: `TYPE ID⇥TEXT` on an id defined in the file; `N`: on a defined id;
/// - events (`E`) and modifiers (`M`), which the scheme does not declare, are refused;
/// - spans that overlap must be one inside the other as an `<OVERLAP>` `contain` line
///   allows.
pub fn check_strict(text: &Text, ann_source: &str, conf: &AnnotationConf) -> Vec<StrictProblem> {
    let mut problems = vec![];
    let mut ids: HashSet<String> = HashSet::new();
    // T lines: (id, type, first start, last end, line)
    let mut spans: Vec<(String, String, usize, usize, usize)> = vec![];
    // (line, what needs checking once every T line is known)
    let mut later: Vec<(usize, StrictRef)> = vec![];
    let len = text.len_chars();
    for (i, line) in brat_lines(ann_source).into_iter().enumerate() {
        let line_no = i + 1;
        let mut problem = |reason: String| problems.push(StrictProblem { line: line_no, reason });
        let Some((id, tail)) = line.split_once('\t') else {
            problem(format!("no tab after the id in '{}'", clip(line)));
            continue;
        };
        if !is_brat_id(id) {
            problem(format!("'{}' is not a brat id", id.escape_debug()));
            continue;
        }
        if id != "*" && !ids.insert(id.to_string()) {
            problem(format!("duplicate id {id}"));
            continue;
        }
        let (data, field) = match tail.split_once('\t') {
            Some((d, f)) => (d, Some(f)),
            None => (tail, None),
        };
        match id.chars().next() {
            Some('T') => {
                let Some((ty, offsets)) = data.split_once(' ') else {
                    problem(format!("{id}: expected 'TYPE START END', found '{}'", clip(data)));
                    continue;
                };
                let mut frags: Vec<Span> = vec![];
                let mut bad = false;
                for frag in offsets.split(';') {
                    let parts: Vec<&str> = frag.split(' ').collect();
                    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
                    match parts[..] {
                        [a, b] if digits(a) && digits(b) => match (a.parse::<usize>(), b.parse::<usize>()) {
                            (Ok(a), Ok(b)) => frags.push(Span { start: a, end: b }),
                            _ => bad = true,
                        },
                        _ => bad = true,
                    }
                }
                if bad {
                    problem(format!("{id}: offsets '{}' are not 'START END' pairs joined by ';'", clip(offsets)));
                    continue;
                }
                for (k, f) in frags.iter().enumerate() {
                    if f.start > f.end {
                        problem(format!("{id}: fragment {}-{} starts after it ends", f.start, f.end));
                        bad = true;
                    } else if f.end > len {
                        problem(format!("{id}: fragment {}-{} is past the end of the text ({len})", f.start, f.end));
                        bad = true;
                    } else if frags[..k].iter().any(|o| f.end >= o.start && f.start < o.end) {
                        problem(format!("{id}: fragment {}-{} overlaps an earlier one", f.start, f.end));
                        bad = true;
                    }
                }
                if bad {
                    continue;
                }
                let texts: Vec<&str> = frags.iter().map(|f| text.get(*f).unwrap_or_default()).collect();
                if let Some(f) = frags.iter().zip(&texts).find(|(_, t)| t.chars().any(is_line_break)) {
                    problem(format!("{id}: fragment {}-{} holds a line break", f.0.start, f.0.end));
                }
                let expected = texts.join(FRAGMENT_SEP);
                match field {
                    Some(f) if f == expected => {}
                    Some(f) => problem(format!(
                        "{id}: text field '{}' is not the fragments' text joined by one space: '{}'",
                        clip(f),
                        clip(&expected.escape_debug().to_string())
                    )),
                    None => problem(format!("{id}: no text field")),
                }
                if !conf.entities.contains(ty) {
                    problem(format!("{id}: type {ty} is not declared in [entities]"));
                }
                if let (Some(first), Some(last)) = (frags.iter().map(|f| f.start).min(), frags.iter().map(|f| f.end).max()) {
                    spans.push((id.to_string(), ty.to_string(), first, last, line_no));
                }
            }
            Some('R') => {
                let parts: Vec<&str> = data.split(' ').collect();
                let arg = |s: &str, role: &str| s.strip_prefix(role).and_then(|r| r.strip_prefix(':')).map(str::to_string);
                match parts[..] {
                    [ty, a1, a2] if field.is_none_or(str::is_empty) => match (arg(a1, "Arg1"), arg(a2, "Arg2")) {
                        (Some(a1), Some(a2)) => later.push((line_no, StrictRef::Relation(id.to_string(), ty.to_string(), a1, a2))),
                        _ => problem(format!("{id}: arguments must be 'Arg1:ID Arg2:ID', found '{}'", clip(data))),
                    },
                    _ => problem(format!("{id}: expected 'TYPE Arg1:ID Arg2:ID', found '{}'", clip(tail))),
                }
            }
            Some('A') => match data.split(' ').collect::<Vec<_>>()[..] {
                [ty, target] if field.is_none() => later.push((line_no, StrictRef::Attribute(ty.to_string(), target.to_string()))),
                _ => problem(format!("{id}: expected a binary attribute 'TYPE ID', found '{}'", clip(tail))),
            },
            Some('*') => {
                let parts: Vec<&str> = data.split(' ').collect();
                match parts.split_first() {
                    Some((ty, members)) if members.len() >= 2 && members.iter().all(|m| !m.is_empty()) => {
                        later.push((line_no, StrictRef::Equiv(ty.to_string(), members.iter().map(|m| m.to_string()).collect())))
                    }
                    _ => problem(format!("expected 'TYPE ID ID …' after '*', found '{}'", clip(tail))),
                }
            }
            Some('#') => match data.split(' ').collect::<Vec<_>>()[..] {
                [_, target] if !target.is_empty() => later.push((line_no, StrictRef::Target(id.to_string(), target.to_string()))),
                _ => problem(format!("{id}: expected 'TYPE ID<tab>TEXT', found '{}'", clip(tail))),
            },
            Some('N') => match data.split(' ').collect::<Vec<_>>()[..] {
                [_, target, reference] if reference.contains(':') => {
                    later.push((line_no, StrictRef::Target(id.to_string(), target.to_string())))
                }
                _ => problem(format!("{id}: expected 'TYPE ID DB:ID', found '{}'", clip(data))),
            },
            Some('E') => problem(format!("{id}: events are not declared in annotation.conf")),
            Some('M') => problem(format!("{id}: modifiers are not declared in annotation.conf")),
            _ => problem(format!("{id}: brat has no annotation kind for this id")),
        }
    }
    let type_of: HashMap<&str, &str> = spans.iter().map(|(id, ty, ..)| (id.as_str(), ty.as_str())).collect();
    for (line, item) in later {
        let mut problem = |reason: String| problems.push(StrictProblem { line, reason });
        match item {
            StrictRef::Relation(id, ty, a1, a2) => match (type_of.get(a1.as_str()), type_of.get(a2.as_str())) {
                (Some(t1), Some(t2)) => {
                    if !conf.relations.contains_key(&ty) {
                        problem(format!("{id}: relation {ty} is not declared in [relations]"));
                    } else if !conf.allows_types(&ty, t1, t2) {
                        problem(format!("{id}: {ty} from {t1} to {t2} is not declared in [relations]"));
                    }
                }
                _ => problem(format!("{id}: an argument is not a text-bound id of this file ({a1}, {a2})")),
            },
            StrictRef::Attribute(ty, target) => match type_of.get(target.as_str()) {
                Some(t) if conf.attributes.get(&ty).is_some_and(|on| on.contains(*t)) => {}
                Some(t) => problem(format!("attribute {ty} on {t} ({target}) is not declared in [attributes]")),
                None => problem(format!("attribute {ty}: {target} is not a text-bound id of this file")),
            },
            StrictRef::Equiv(ty, members) => {
                let types: Vec<Option<&&str>> = members.iter().map(|m| type_of.get(m.as_str())).collect();
                if types.iter().any(Option::is_none) {
                    problem(format!("{ty}: a member is not a text-bound id of this file ({})", members.join(" ")));
                    continue;
                }
                let types: Vec<&str> = types.into_iter().flatten().copied().collect();
                for (k, a) in types.iter().enumerate() {
                    if let Some(b) = types[k + 1..].iter().find(|b| !conf.allows_types(&ty, a, b) && !conf.allows_types(&ty, b, a)) {
                        problem(format!("{ty} between {a} and {b} is not declared in [relations]"));
                        break;
                    }
                }
            }
            StrictRef::Target(id, target) => {
                if !ids.contains(&target) {
                    problem(format!("{id}: {target} is not an id of this file"));
                }
            }
        }
    }
    for (k, (id_a, ty_a, s_a, e_a, _)) in spans.iter().enumerate() {
        for (id_b, ty_b, s_b, e_b, line_b) in &spans[k + 1..] {
            if !(s_b < e_a && s_a < e_b) {
                continue;
            }
            let inside = |inner: (&str, usize, usize), outer: (&str, usize, usize)| {
                outer.1 <= inner.1 && inner.2 <= outer.2 && conf.contain.contains(&(inner.0.to_string(), outer.0.to_string()))
            };
            let a = (ty_a.as_str(), *s_a, *e_a);
            let b = (ty_b.as_str(), *s_b, *e_b);
            if !inside(a, b) && !inside(b, a) {
                problems.push(StrictProblem {
                    line: *line_b,
                    reason: format!("{id_a} ({ty_a}) and {id_b} ({ty_b}) overlap, which annotation.conf does not allow"),
                });
            }
        }
    }
    problems
}

/// What a line of [`check_strict`] refers to, checked once every `T` line is known.
enum StrictRef {
    /// id, type, Arg1, Arg2
    Relation(String, String, String, String),
    /// type, target
    Attribute(String, String),
    /// type, members
    Equiv(String, Vec<String>),
    /// id, target (notes and normalisations)
    Target(String, String),
}

/// The lines of a file as brat's reader gives them (Python's `splitlines`), without their
/// ends; a last line without an end is a line, an end at the very end adds none.
fn brat_lines(src: &str) -> Vec<&str> {
    let mut out = vec![];
    let mut start = 0;
    let mut chars = src.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if is_line_break(c) {
            out.push(&src[start..i]);
            start = i + c.len_utf8();
            if c == '\r' {
                if let Some(&(j, '\n')) = chars.peek() {
                    chars.next();
                    start = j + 1;
                }
            }
        }
    }
    if start < src.len() {
        out.push(&src[start..]);
    }
    out
}

/// brat's id form (`annotation.py`, `is_valid_id`): `*`, or letters (or `#` and letters)
/// followed by digits and anything after them.
fn is_brat_id(id: &str) -> bool {
    if id == "*" {
        return true;
    }
    let rest = match id.strip_prefix('#') {
        Some(r) => r.trim_start_matches(|c: char| c.is_ascii_alphabetic()),
        None => {
            let r = id.trim_start_matches(|c: char| c.is_ascii_alphabetic());
            if r.len() == id.len() {
                return false;
            }
            r
        }
    };
    rest.starts_with(|c: char| c.is_ascii_digit())
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
    fn a_span_over_a_crlf_line_break_is_written_as_fragments_and_read_back() {
        let text = Text::new("He said:\r\n“One.\r\n“Two.”\r\n".to_string());
        let mut ann = Annotations::default();
        ann.add_span(Label::QUOTE, Span::new(10, 23), None);
        let written = to_ann_string(&text, &ann);
        assert_eq!(written, "T1\tQUOTE 10 15;17 23\t“One. “Two.”\n");
        assert_eq!(parse_ann(&text, &written, Path::new("doc.ann")).unwrap(), ann);
    }

    const PARAGRAPHS: &str = "She said: “First part.\n\n“Second part.\n“Third.”\n";

    #[test]
    fn a_span_over_paragraph_breaks_is_written_as_fragments_split_at_the_breaks() {
        let text = Text::new(PARAGRAPHS.to_string());
        let mut ann = Annotations::default();
        ann.add_span(Label::QUOTE, Span::new(10, 46), None);
        assert_eq!(to_ann_string(&text, &ann), "T1\tQUOTE 10 22;24 37;38 46\t“First part. “Second part. “Third.”\n");
    }

    #[test]
    fn fragments_are_read_as_one_span_from_the_first_start_to_the_last_end() {
        let text = Text::new(PARAGRAPHS.to_string());
        let ann = parse_ann(&text, "T1\tQUOTE 10 22;24 37;38 46\t“First part. “Second part. “Third.”\n", Path::new("d.ann"));
        assert_eq!(ann.unwrap().spans[0].span, Span::new(10, 46));
    }

    #[test]
    fn the_older_form_with_spaces_for_line_breaks_is_still_read() {
        let text = Text::new(PARAGRAPHS.to_string());
        let ann = parse_ann(&text, "T1\tQUOTE 10 46\t“First part.  “Second part. “Third.”\n", Path::new("d.ann"));
        assert_eq!(ann.unwrap().spans[0].span, Span::new(10, 46));
    }

    #[test]
    fn a_fragment_field_that_keeps_the_old_spaces_is_an_error() {
        let text = Text::new(PARAGRAPHS.to_string());
        let err = parse_ann(&text, "T1\tQUOTE 10 22;24 37\t“First part.  “Second part.\n", Path::new("d.ann"))
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("d.ann:1: T1: text field"), "{err}");
    }

    #[test]
    fn every_line_break_brat_knows_splits_a_span() {
        for br in ["\r", "\u{2028}", "\u{2029}", "\u{85}", "\u{0c}", "\u{0b}", "\u{1e}"] {
            let text = Text::new(format!("“One.{br}“Two.”"));
            let mut ann = Annotations::default();
            ann.add_span(Label::QUOTE, Span::new(0, 12), None);
            let written = to_ann_string(&text, &ann);
            assert_eq!(written, "T1\tQUOTE 0 5;6 12\t“One. “Two.”\n", "{br:?}");
            assert_eq!(parse_ann(&text, &written, Path::new("d.ann")).unwrap(), ann, "{br:?}");
        }
    }

    #[test]
    fn whitespace_next_to_a_break_is_left_out_of_the_fragments() {
        let text = Text::new("“One.  \n \t\n  “Two.”".to_string());
        let mut ann = Annotations::default();
        ann.add_span(Label::QUOTE, Span::new(0, 19), None);
        let written = to_ann_string(&text, &ann);
        assert_eq!(written, "T1\tQUOTE 0 5;13 19\t“One. “Two.”\n");
        assert_eq!(parse_ann(&text, &written, Path::new("d.ann")).unwrap(), ann);
    }

    #[test]
    fn a_span_that_begins_or_ends_with_a_break_keeps_its_offsets() {
        let text = Text::new("x\n“One.”\ny".to_string());
        let mut ann = Annotations::default();
        ann.add_span(Label::QUOTE, Span::new(1, 9), None);
        let written = to_ann_string(&text, &ann);
        assert_eq!(written, "T1\tQUOTE 1 1;2 8;9 9\t “One.” \n");
        assert_eq!(parse_ann(&text, &written, Path::new("d.ann")).unwrap(), ann);
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
    fn fragments_with_words_between_them_are_refused_as_discontinuous() {
        let err = error_at("T1\tPER 0 4;12 17\tJohn chief\n", 1);
        assert!(err.contains("T1: discontinuous span '0 4;12 17': ' Adler, ' lies between fragments 0-4 and 12-17"), "{err}");
    }

    #[test]
    fn fragments_out_of_order_are_refused() {
        let err = error_at("T1\tPER 5 10;0 4\tAdler John\n", 1);
        assert!(err.contains("discontinuous span"), "{err}");
    }

    #[test]
    fn a_byte_order_mark_at_the_start_is_skipped() {
        assert_eq!(parse(&format!("\u{feff}{GOOD}")).unwrap(), parse(GOOD).unwrap());
    }

    #[test]
    fn a_repeated_relation_is_read_once_with_a_warning_naming_its_line() {
        let src = format!("{GOOD}R4\tHasRole Arg1:T1 Arg2:T2\n");
        let (ann, warnings) = parse_ann_with_warnings(&text(), &src, Path::new("doc.ann")).unwrap();
        assert_eq!(ann, parse(GOOD).unwrap());
        assert_eq!(warnings, ["doc.ann:8: R4 repeats R2 (line 6: HasRole Arg1:T1 Arg2:T2); read once"]);
    }

    #[test]
    fn a_note_on_a_repeated_relation_stays_with_the_one_kept() {
        let src = format!("{GOOD}R4\tHasRole Arg1:T1 Arg2:T2\n#1\tAnnotatorNotes R4\tchecked\n");
        let ann = parse(&src).unwrap();
        assert_eq!(ann.notes[0].target, "R2");
        assert!(parse(&to_ann_string(&text(), &ann)).is_ok());
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

    fn strict(text: &Text, src: &str) -> Vec<String> {
        let conf = AnnotationConf::parse(&super::super::brat_conf::annotation_conf());
        check_strict(text, src, &conf).iter().map(ToString::to_string).collect()
    }

    #[test]
    fn what_whosaid_writes_passes_brats_rules() {
        let text = Text::new(format!("{TEXT}“Then more.\n\n“And the end.”\n"));
        let mut ann = parse(&format!("{GOOD}A1\tPartial T4\n*\tEquiv T1 T2\n#1\tAnnotatorNotes T4\ta note\n")).unwrap();
        ann.add_span(Label::QUOTE, Span::new(62, 89), None);
        let written = to_ann_string(&text, &ann);
        assert!(written.contains("62 73;75 89\t“Then more. “And the end.”"), "{written}");
        assert_eq!(strict(&text, &written), Vec::<String>::new());
    }

    #[test]
    fn the_older_one_fragment_form_over_a_break_fails_brats_rules() {
        let text = Text::new("“One.\n“Two.”".to_string());
        let problems = strict(&text, "T1\tQUOTE 0 12\t“One. “Two.”\n");
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].starts_with("1: T1: fragment 0-12 holds a line break"), "{problems:?}");
        assert!(problems[1].starts_with("1: T1: text field '“One. “Two.”' is not the fragments' text"), "{problems:?}");
    }

    #[test]
    fn a_line_separator_in_a_text_field_ends_the_line_for_brat() {
        let text = Text::new("“One.\u{2028}“Two.”".to_string());
        let problems = strict(&text, "T1\tQUOTE 0 12\t“One.\u{2028}“Two.”\n");
        assert!(problems.iter().any(|p| p.starts_with("2: no tab after the id")), "{problems:?}");
    }

    #[test]
    fn a_byte_order_mark_or_a_blank_line_fails_brats_rules() {
        assert_eq!(strict(&text(), "\u{feff}T1\tPER 0 10\tJohn Adler\n"), ["1: '\\u{feff}T1' is not a brat id"]);
        assert_eq!(strict(&text(), "T1\tPER 0 10\tJohn Adler\n\n"), ["2: no tab after the id in ''"]);
    }

    #[test]
    fn overlapping_fragments_fail_brats_rules() {
        let problems = strict(&text(), "T1\tPER 0 10;5 10\tJohn Adler Adler\n");
        assert_eq!(problems, ["1: T1: fragment 5-10 overlaps an earlier one"]);
        // brat's test looks back only: a fragment that touches the next one's start fails.
        let problems = strict(&text(), "T1\tPER 4 10;0 4\t Adler John\n");
        assert_eq!(problems, ["1: T1: fragment 0-4 overlaps an earlier one"]);
    }

    #[test]
    fn types_and_arguments_must_be_as_annotation_conf_declares() {
        let src = "T1\tPerson 0 10\tJohn Adler\nT2\tROLE 12 27\tchief executive\nR1\tRoleOrg Arg1:T2 Arg2:T2\nA1\tPartial T2\n";
        assert_eq!(
            strict(&text(), src),
            [
                "1: T1: type Person is not declared in [entities]",
                "3: R1: RoleOrg from ROLE to ROLE is not declared in [relations]",
                "4: attribute Partial on ROLE (T2) is not declared in [attributes]",
            ]
        );
    }

    #[test]
    fn overlapping_spans_must_be_an_entity_inside_a_quote() {
        assert_eq!(strict(&text(), "T1\tQUOTE 46 61\t“We are proud.”\nT2\tPER 50 53\tare\n"), Vec::<String>::new());
        assert_eq!(
            strict(&text(), "T1\tPER 0 10\tJohn Adler\nT2\tORG 5 10\tAdler\n"),
            ["2: T1 (PER) and T2 (ORG) overlap, which annotation.conf does not allow"]
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
