//! [`check_strict`]: a `.ann` file checked as brat's server reads and verifies it, with an
//! `annotation.conf`; nothing is forgiven.

use super::clip;
use super::fragments::{is_line_break, FRAGMENT_SEP};
use crate::document::{Span, Text};
use crate::formats::brat_conf::AnnotationConf;
use std::collections::{HashMap, HashSet};

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
/// [`parse_ann`](super::parse_ann), nothing is forgiven:
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
