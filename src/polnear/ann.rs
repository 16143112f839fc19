//! brat parsing as score.py's `parse_ann`: never an error; a bad line is a warning and is
//! skipped, so both scorers see the same mentions, relations and attributes.

use super::pystr::{is_decimal, is_space, py_repr, py_slice, short, split_ws, string, strip_ws, text_ws};
use std::collections::HashMap;
use std::path::Path;

/// A text-bound annotation (`T` line).
#[derive(Debug, Clone)]
pub(super) struct Mention {
    pub(super) id: String,
    pub(super) typ: String,
    pub(super) start: i64,
    pub(super) end: i64,
}

#[derive(Debug, Clone)]
pub(super) struct Relation {
    pub(super) id: String,
    pub(super) typ: String,
    pub(super) arg1: String,
    pub(super) arg2: String,
}

/// One parsed `.ann` file: mentions in file order (first of each id), relations whose
/// arguments exist, attributes `(name, target)`.
#[derive(Debug, Default)]
pub(super) struct AnnDoc {
    pub(super) mentions: Vec<Mention>,
    index: HashMap<String, usize>,
    pub(super) relations: Vec<Relation>,
    pub(super) attributes: Vec<(String, String)>,
}

impl AnnDoc {
    pub(super) fn get(&self, id: &str) -> Option<&Mention> {
        self.index.get(id).map(|&i| &self.mentions[i])
    }
}

/// The last path component, as `os.path.basename`.
fn basename(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

/// An I/O error's reason without Rust's ` (os error N)` suffix (Python's `strerror`).
fn strerror(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.rfind(" (os error ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// score.py's `read_text_file`: the file exactly as stored, invalid UTF-8 replaced (with a
/// warning); `None` (with a warning) when it cannot be read.
pub(super) fn read_text_file(path: &Path, warn: &mut Vec<String>) -> Option<String> {
    let raw = match std::fs::read(path) {
        Ok(raw) => raw,
        Err(e) => {
            warn.push(format!("cannot read {}: {}", path.display(), strerror(&e)));
            return None;
        }
    };
    match String::from_utf8(raw) {
        Ok(s) => Some(s),
        Err(e) => {
            let bytes = e.as_bytes();
            let err = e.utf8_error();
            let at = err.valid_up_to();
            let reason = match err.error_len() {
                None => "unexpected end of data",
                Some(_) if matches!(bytes[at], 0x80..=0xC1 | 0xF5..=0xFF) => "invalid start byte",
                Some(_) => "invalid continuation byte",
            };
            warn.push(format!(
                "{}: not valid UTF-8 ({reason} at byte {at}); decoded with replacement characters",
                path.display()
            ));
            Some(String::from_utf8_lossy(bytes).into_owned())
        }
    }
}

/// `^(-?\d+) (-?\d+)$` on a stripped fragment.
fn parse_frag(frag: &str) -> Option<(i64, i64)> {
    let (a, b) = frag.split_once(' ')?;
    let num = |s: &str| -> Option<i64> {
        let digits = s.strip_prefix('-').unwrap_or(s);
        if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        s.parse().ok()
    };
    Some((num(a)?, num(b)?))
}

/// score.py's `_T_LOOSE`, `^(T\S*)\s+(\S+)\s+(\d+)\s+(\d+)(?:\s(.*))?$`, on a line without
/// tabs: (id, type, start, end, text field).
fn parse_loose(line: &str) -> Option<(String, String, i64, i64, Option<String>)> {
    let chars: Vec<char> = line.chars().collect();
    let mut i = 0;
    let run = |i: &mut usize, pred: &dyn Fn(char) -> bool| -> String {
        let s = *i;
        while *i < chars.len() && pred(chars[*i]) {
            *i += 1;
        }
        string(&chars[s..*i])
    };
    let id = run(&mut i, &|c| !is_space(c));
    if !id.starts_with('T') {
        return None;
    }
    if run(&mut i, &is_space).is_empty() {
        return None;
    }
    let typ = run(&mut i, &|c| !is_space(c));
    if typ.is_empty() || run(&mut i, &is_space).is_empty() {
        return None;
    }
    let a = run(&mut i, &is_decimal);
    if a.is_empty() || run(&mut i, &is_space).is_empty() {
        return None;
    }
    let b = run(&mut i, &is_decimal);
    if b.is_empty() {
        return None;
    }
    let ttext = if i == chars.len() {
        None
    } else if is_space(chars[i]) {
        Some(string(&chars[i + 1..]))
    } else {
        return None;
    };
    let (a, b) = (a.parse().ok()?, b.parse().ok()?);
    Some((id, typ, a, b, ttext))
}

/// score.py's `_parse_t`: one `T` line, or `None` (with a warning) when it is unusable.
fn parse_t(line: &str, lineno: usize, place: &str, text: Option<&[char]>, warn: &mut Vec<String>) -> Option<Mention> {
    let parts: Vec<&str> = line.split('\t').collect();
    let (id, typ, start, end, ttext);
    if parts.len() >= 2 {
        let tid = strip_ws(parts[0]).to_string();
        let header = strip_ws(parts[1]);
        let field = if parts.len() >= 3 { Some(parts[2..].join("\t")) } else { None };
        let Some((etype, spans)) = header.split_once(is_space) else {
            warn.push(format!("{place}:{lineno}: malformed entity line: {}", short(line, 60)));
            return None;
        };
        let spans = spans.trim_start_matches(is_space);
        let mut frags = vec![];
        for frag in spans.split(';') {
            match parse_frag(strip_ws(frag)) {
                Some(f) => frags.push(f),
                None => {
                    warn.push(format!(
                        "{place}:{lineno}: malformed offsets {} in: {}",
                        py_repr(spans),
                        short(line, 60)
                    ));
                    return None;
                }
            }
        }
        let s = frags.iter().map(|f| f.0).min().unwrap_or(0);
        let e = frags.iter().map(|f| f.1).max().unwrap_or(0);
        if frags.len() > 1 {
            let gaps_blank = text.is_some_and(|t| {
                frags.windows(2).all(|w| w[0].1 <= w[1].0 && string(py_slice(t, w[0].1, w[1].0)).trim_matches(is_space).is_empty())
            });
            if gaps_blank {
                let t = text.unwrap_or(&[]);
                let joined: Vec<String> = frags.iter().map(|&(a, b)| string(py_slice(t, a, b))).collect();
                if field.as_deref() == Some(joined.join(" ").as_str()) {
                    return Some(Mention { id: tid, typ: etype.to_string(), start: s, end: e });
                }
            } else {
                warn.push(format!(
                    "{place}:{lineno}: discontinuous span {} for {tid}; scored as {}-{}",
                    py_repr(spans),
                    frags[0].0,
                    frags[frags.len() - 1].1
                ));
            }
        }
        (id, typ, start, end, ttext) = (tid, etype.to_string(), s, e, field);
    } else {
        let Some(parsed) = parse_loose(line) else {
            warn.push(format!("{place}:{lineno}: malformed entity line: {}", short(line, 60)));
            return None;
        };
        warn.push(format!("{place}:{lineno}: entity line is not tab-separated; parsed leniently"));
        (id, typ, start, end, ttext) = parsed;
    }
    if start < 0 || end <= start {
        warn.push(format!("{place}:{lineno}: empty or inverted span {start}-{end} for {id}; skipped"));
        return None;
    }
    if let Some(text) = text {
        if end > text.len() as i64 {
            warn.push(format!(
                "{place}:{lineno}: {id} offsets {start}-{end} run past the end of the text ({} chars)",
                text.len()
            ));
        } else if let Some(field) = &ttext {
            let covered = string(py_slice(text, start, end));
            let flat: String = covered.chars().map(text_ws).collect();
            if *field != covered && *field != flat {
                warn.push(format!(
                    "{place}:{lineno}: {id} text {} does not match the text at {start}-{end} {}; scored by offsets",
                    py_repr(&short(field, 40)),
                    py_repr(&short(&covered, 40))
                ));
            }
        } else {
            warn.push(format!("{place}:{lineno}: {id} has no text field"));
        }
    }
    Some(Mention { id, typ, start, end })
}

/// The fields of an `R`, `*`, `A` or `M` line after its id: `parts[1].split()` when the
/// line has a tab, else every whitespace-separated word but the first.
fn tail_fields(line: &str) -> Vec<&str> {
    let parts: Vec<&str> = line.split('\t').collect();
    if parts.len() >= 2 {
        split_ws(parts[1])
    } else {
        split_ws(line).into_iter().skip(1).collect()
    }
}

/// score.py's `parse_ann`: never fails; every problem is a warning and its line is skipped.
pub(super) fn parse_ann(path: &Path, text: Option<&[char]>, warn: &mut Vec<String>, label: &str) -> AnnDoc {
    let mut doc = AnnDoc::default();
    let Some(content) = read_text_file(path, warn) else { return doc };
    let content = content.strip_prefix('\u{feff}').unwrap_or(&content);
    let place = format!("{label} {}", basename(path));
    let mut pending_rel: Vec<(usize, Relation)> = vec![];
    let mut pending_equiv: Vec<(usize, Vec<String>)> = vec![];
    let mut pending_attr: Vec<(usize, String, String)> = vec![];
    for (k, line) in content.split('\n').enumerate() {
        let lineno = k + 1;
        let line = line.trim_end_matches('\r');
        if strip_ws(line).is_empty() {
            continue;
        }
        match line.chars().next() {
            Some('#' | 'N') => {}
            Some('T') => {
                let Some(m) = parse_t(line, lineno, &place, text, warn) else { continue };
                if doc.index.contains_key(&m.id) {
                    warn.push(format!("{place}:{lineno}: duplicate id {}; keeping the first", m.id));
                    continue;
                }
                doc.index.insert(m.id.clone(), doc.mentions.len());
                doc.mentions.push(m);
            }
            Some('R') => {
                let parts: Vec<&str> = line.split('\t').collect();
                let fields = tail_fields(line);
                let rid = if parts.len() >= 2 {
                    strip_ws(parts[0]).to_string()
                } else {
                    split_ws(line).first().map(|s| s.to_string()).unwrap_or_default()
                };
                if fields.len() != 3 || !fields[1].starts_with("Arg1:") || !fields[2].starts_with("Arg2:") {
                    warn.push(format!("{place}:{lineno}: malformed relation line: {}", short(line, 60)));
                    continue;
                }
                pending_rel.push((
                    lineno,
                    Relation {
                        id: rid,
                        typ: fields[0].to_string(),
                        arg1: fields[1][5..].to_string(),
                        arg2: fields[2][5..].to_string(),
                    },
                ));
            }
            Some('*') => {
                let fields = tail_fields(line);
                if fields.is_empty() || fields[0] != "Equiv" || fields.len() < 3 {
                    if !fields.is_empty() && fields[0] != "Equiv" {
                        continue;
                    }
                    warn.push(format!("{place}:{lineno}: malformed Equiv line: {}", short(line, 60)));
                    continue;
                }
                pending_equiv.push((lineno, fields[1..].iter().map(|s| s.to_string()).collect()));
            }
            Some('A' | 'M') => {
                let fields = tail_fields(line);
                if fields.len() != 2 && fields.len() != 3 {
                    warn.push(format!("{place}:{lineno}: malformed attribute line: {}", short(line, 60)));
                    continue;
                }
                pending_attr.push((lineno, fields[0].to_string(), fields[1].to_string()));
            }
            _ => {}
        }
    }
    for (lineno, rel) in pending_rel {
        let missing: Vec<&str> =
            [&rel.arg1, &rel.arg2].into_iter().filter(|a| !doc.index.contains_key(*a)).map(|a| a.as_str()).collect();
        if !missing.is_empty() {
            warn.push(format!("{place}:{lineno}: relation {} refers to unknown id {}", rel.id, missing.join(", ")));
            continue;
        }
        doc.relations.push(rel);
    }
    for (lineno, ids) in pending_equiv {
        let missing: Vec<&str> = ids.iter().filter(|i| !doc.index.contains_key(*i)).map(|s| s.as_str()).collect();
        if !missing.is_empty() {
            warn.push(format!("{place}:{lineno}: Equiv refers to unknown id {}; dropped those ids", missing.join(", ")));
        }
    }
    for (lineno, name, target) in pending_attr {
        if !doc.index.contains_key(&target) {
            warn.push(format!("{place}:{lineno}: attribute {name} refers to unknown id {target}"));
            continue;
        }
        doc.attributes.push((name, target));
    }
    doc
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    #[test]
    fn a_fragment_span_is_scored_from_first_start_to_last_end() {
        let text = chars("ab\ncd");
        let mut warn = vec![];
        let m = parse_t("T1\tQUOTE 0 2;3 5\tab cd", 1, "pred x.ann", Some(&text), &mut warn).unwrap();
        assert_eq!((m.start, m.end), (0, 5));
        assert!(warn.is_empty(), "{warn:?}");
    }

    #[test]
    fn a_bad_offset_is_a_warning_and_the_line_is_skipped() {
        let mut warn = vec![];
        assert!(parse_t("T1\tPER 0 x\tab", 3, "pred x.ann", Some(&chars("ab")), &mut warn).is_none());
        assert_eq!(warn, ["pred x.ann:3: malformed offsets '0 x' in: T1\\tPER 0 x\\tab"]);
    }
}
