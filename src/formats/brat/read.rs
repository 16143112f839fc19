//! The reader: a `.ann` file into [`Annotations`], every problem an [`Error::Parse`] with
//! its line, references resolved once every `T` line is known.

use super::fragments::{is_space, FRAGMENT_SEP};
use super::{clip, EQUIV, PARTIAL};
use crate::annotation::{Annotations, Label, Note, RelKind, Relation, SpanAnn};
use crate::document::{Span, Text};
use crate::error::{Error, Result};
use std::collections::{HashMap, HashSet};
use std::path::Path;

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
