//! Scoring on the PolNeAR development set (`../shared/dev/polnear-train/direct`): the
//! (a)–(d) figures of `../shared/eval/polnear.py score`, computed the same way to the last
//! digit, so that CI can hold thresholds on them without Python.
//!
//! This is a port of that scorer, not a reuse of [`crate::eval`]: it parses `.ann` files as
//! leniently as `score.py` does (a bad line is a warning and is skipped, never an error),
//! matches quotes one-to-one with Kuhn's augmenting paths in the same candidate order (so
//! the same pairs are matched, which decides the speaker figures), and judges speakers by
//! the same rules:
//!
//! - (a) **recall**: gold direct quotes matched to a predicted QUOTE under the half-overlap
//!   rule (the spans share at least half of the longer one); *exact* recall under equal
//!   offsets (its own matching);
//! - (b) a **precision proxy**: matched / predicted quotes (a lower bound, since PolNeAR does
//!   not mark every quotation), also for predicted quotes of at least 3 words;
//! - (c) **speaker accuracy** on found quotes whose gold source is a name: correct when the
//!   predicted Speaker mention overlaps the gold `SRC` span, or when its capitalised tokens
//!   contain the source's head name (`Pence` in `Gov. Mike Pence (R-IN)`; the last
//!   capitalised token when no name heads the source);
//! - (d) informational, for pronoun and nominal sources: whether the predicted speaker is a
//!   PER or ORG mention ending at most 300 characters before the quote.
//!
//! Offsets are characters (Python code points). A brat fragment span (`704 865;867 1019`)
//! is scored from the start of its first fragment to the end of its last.
//!
//! Character classes follow Python's `str` methods and `re` classes (`\w` is
//! `isalnum()` or `_`, `\d` a decimal digit, `\s` `isspace()`), close enough that the two
//! scorers agree on the development set (see the agreement test in
//! `tests/integration/accuracy.rs`).

use crate::error::{Error, Result};
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// Quotes of fewer words than this are left out of the (b) `_3w` figures.
pub const MIN_WORDS: usize = 3;
/// (d): a named mention ending within this many characters before the quote.
pub const WINDOW: i64 = 300;

const PRONOUNS: &[&str] = &[
    "i", "me", "my", "mine", "myself", "we", "us", "our", "ours", "ourselves", "you", "your", "yours",
    "yourself", "yourselves", "he", "him", "his", "himself", "she", "her", "hers", "herself", "it", "its",
    "itself", "they", "them", "their", "theirs", "themselves", "who", "whom", "whose", "which", "that", "this",
    "these", "those", "one", "ones", "someone", "somebody", "anyone", "anybody", "everyone", "everybody",
    "nobody", "none", "both", "each", "either", "neither", "all", "many", "some", "several", "few", "others",
    "another", "most", "no one",
];
const SUFFIXES: &[&str] = &["jr", "sr", "ii", "iii", "iv", "inc", "llc", "ltd", "co", "corp", "esq", "md", "phd"];
const PREPS: &[&str] = &["of", "at", "for", "from", "in", "on", "with", "by", "to", "about", "like", "under", "over"];
const DETS: &[&str] = &["the", "a", "an", "this", "that", "its", "his", "her", "their", "our"];
const TITLES: &[&str] = &[
    "secretary", "president", "senator", "sen", "sens", "rep", "reps", "representative", "gov", "governor",
    "mayor", "chairman", "chairwoman", "chair", "director", "minister", "chief", "judge", "justice", "general",
    "attorney", "ambassador", "speaker", "leader", "commissioner", "spokesman", "spokeswoman", "spokesperson",
    "ceo", "professor", "prof", "dr", "mr", "mrs", "ms", "rev", "sir", "lord",
];
/// Words that may follow a name at the head of a source without making it a premodifier.
const HEAD_FOLLOW_OK: &[&str] = &["who", "whose", "which", "and", "or", "said", "says", "himself", "herself", "itself"];
const PREC_WARNING: &str = "PolNeAR does not mark every quotation: a predicted quote with no gold counterpart \
                            is not necessarily wrong, so this is a lower bound on precision, not precision";

// --------------------------------------------------------------------------
// Python's character classes and string helpers
// --------------------------------------------------------------------------

/// `str.isspace()`.
fn is_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// `\d`: a decimal digit (general category Nd; the basic multilingual plane's blocks).
fn is_decimal(c: char) -> bool {
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
fn is_digit(c: char) -> bool {
    if is_decimal(c) {
        return true;
    }
    matches!(c as u32, 0xB2 | 0xB3 | 0xB9 | 0x2070 | 0x2074..=0x2079 | 0x2080..=0x2089 | 0x2460..=0x2468
        | 0x2474..=0x247C | 0x2488..=0x2490 | 0x24EA | 0x24F5..=0x24FD | 0x24FF | 0x2776..=0x277E
        | 0x2780..=0x2788 | 0x278A..=0x2792)
}

/// `\w`: `str.isalnum()` or `_`.
fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// `[^\W\d_]`: a word character that is neither a decimal digit nor `_`.
fn is_letterish(c: char) -> bool {
    is_word(c) && !is_decimal(c) && c != '_'
}

fn is_upper(c: char) -> bool {
    c.is_uppercase()
}

/// `str.strip()`.
fn strip_ws(s: &str) -> &str {
    s.trim_matches(is_space)
}

/// `str.split()`.
fn split_ws(s: &str) -> Vec<&str> {
    s.split(is_space).filter(|t| !t.is_empty()).collect()
}

/// `str.lower()`.
fn lower(s: &str) -> String {
    s.to_lowercase()
}

/// Python's `text[a:b]` on characters (negative indices count from the end; clamped).
fn py_slice(text: &[char], a: i64, b: i64) -> &[char] {
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

fn string(chars: &[char]) -> String {
    chars.iter().collect()
}

/// The newline-like characters that a `.ann` text field writes as a space.
fn text_ws(c: char) -> char {
    match c {
        '\n' | '\r' | '\t' | '\u{2028}' | '\u{2029}' | '\u{0b}' | '\u{0c}' | '\u{85}' => ' ',
        c => c,
    }
}

/// score.py's `_short`: tabs and newlines escaped, cut to `n` characters.
fn short(s: &str, n: usize) -> String {
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
fn py_repr(s: &str) -> String {
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
fn strip_chars<'a>(s: &'a str, chars: &str) -> &'a str {
    s.trim_matches(|c| chars.contains(c))
}

// --------------------------------------------------------------------------
// brat parsing, as score.py's parse_ann
// --------------------------------------------------------------------------

/// A text-bound annotation (`T` line).
#[derive(Debug, Clone)]
struct Mention {
    id: String,
    typ: String,
    start: i64,
    end: i64,
}

#[derive(Debug, Clone)]
struct Relation {
    id: String,
    typ: String,
    arg1: String,
    arg2: String,
}

/// One parsed `.ann` file: mentions in file order (first of each id), relations whose
/// arguments exist, attributes `(name, target)`.
#[derive(Debug, Default)]
struct AnnDoc {
    mentions: Vec<Mention>,
    index: HashMap<String, usize>,
    relations: Vec<Relation>,
    attributes: Vec<(String, String)>,
}

impl AnnDoc {
    fn get(&self, id: &str) -> Option<&Mention> {
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
fn read_text_file(path: &Path, warn: &mut Vec<String>) -> Option<String> {
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
fn parse_ann(path: &Path, text: Option<&[char]>, warn: &mut Vec<String>, label: &str) -> AnnDoc {
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

// --------------------------------------------------------------------------
// Matching, as score.py's max_matching
// --------------------------------------------------------------------------

type Sp = (i64, i64);

fn overlap(a: Sp, b: Sp) -> i64 {
    (a.1.min(b.1) - a.0.max(b.0)).max(0)
}

/// At least half of the longer span shared (and at least one character).
fn half_overlap(a: Sp, b: Sp) -> bool {
    let ov = overlap(a, b);
    ov > 0 && 2 * ov >= (a.1 - a.0).max(b.1 - b.0)
}

/// Maximum bipartite matching (Kuhn's algorithm), `gold index -> pred index`. Each gold
/// item's candidates are tried in order of decreasing `weight` (then index), and gold items
/// in order, exactly as score.py does, so the same pairs are matched.
fn max_matching(golds: &[Sp], preds: &[Sp], ok: fn(Sp, Sp) -> bool, weight: Option<fn(Sp, Sp) -> i64>) -> HashMap<usize, usize> {
    let cands: Vec<Vec<usize>> = golds
        .iter()
        .map(|&g| {
            let mut c: Vec<usize> = (0..preds.len()).filter(|&pi| ok(g, preds[pi])).collect();
            if let Some(w) = weight {
                c.sort_by_key(|&pi| (-w(g, preds[pi]), pi));
            }
            c
        })
        .collect();
    let mut match_p: Vec<Option<usize>> = vec![None; preds.len()];

    fn augment(gi: usize, cands: &[Vec<usize>], seen: &mut [bool], match_p: &mut [Option<usize>]) -> bool {
        for &pi in &cands[gi] {
            if seen[pi] {
                continue;
            }
            seen[pi] = true;
            let free = match match_p[pi] {
                None => true,
                Some(other) => augment(other, cands, seen, match_p),
            };
            if free {
                match_p[pi] = Some(gi);
                return true;
            }
        }
        false
    }

    for gi in 0..golds.len() {
        if !cands[gi].is_empty() {
            let mut seen = vec![false; preds.len()];
            augment(gi, &cands, &mut seen, &mut match_p);
        }
    }
    match_p.iter().enumerate().filter_map(|(pi, g)| g.map(|gi| (gi, pi))).collect()
}

fn exact(a: Sp, b: Sp) -> bool {
    a == b
}

// --------------------------------------------------------------------------
// Source heads and surnames
// --------------------------------------------------------------------------

/// `\w+(?:[’'\-.]\w+)*` matches in the text: the words of a quote.
fn words(s: &[char]) -> usize {
    let (mut i, mut n) = (0, 0);
    while i < s.len() {
        if !is_word(s[i]) {
            i += 1;
            continue;
        }
        while i < s.len() && is_word(s[i]) {
            i += 1;
        }
        while i + 1 < s.len() && matches!(s[i], '’' | '\'' | '-' | '.') && is_word(s[i + 1]) {
            i += 1;
            while i < s.len() && is_word(s[i]) {
                i += 1;
            }
        }
        n += 1;
    }
    n
}

/// `[^\W\d_][\w’'\-]*` matches in a line.
fn title_words(line: &[char]) -> Vec<&[char]> {
    let mut out = vec![];
    let mut i = 0;
    while i < line.len() {
        if !is_letterish(line[i]) {
            i += 1;
            continue;
        }
        let s = i;
        i += 1;
        while i < line.len() && (is_word(line[i]) || matches!(line[i], '’' | '\'' | '-')) {
            i += 1;
        }
        out.push(&line[s..i]);
    }
    out
}

/// The line is in title case (a headline): most of its words of four letters or more are
/// capitalised.
fn title_case(line: &[char]) -> bool {
    let ws: Vec<&[char]> = title_words(line).into_iter().filter(|w| w.len() >= 4).collect();
    let caps = ws.iter().filter(|w| is_upper(w[0])).count();
    ws.len() >= 2 && caps as f64 >= 0.6 * ws.len() as f64
}

fn headline_line(text: &[char], i: usize) -> bool {
    let i = i.min(text.len());
    let ls = text[..i].iter().rposition(|&c| c == '\n').map_or(0, |p| p + 1);
    let le = text[i..].iter().position(|&c| c == '\n').map_or(text.len(), |p| i + p);
    title_case(&text[ls..le])
}

/// Whether position `i` starts a sentence (or is on a headline line).
fn sentence_initial(text: &[char], i: usize) -> bool {
    let mut j = i as i64 - 1;
    while j >= 0 && " \t\u{a0}“”\"‘’'([".contains(text[j as usize]) {
        j -= 1;
    }
    j < 0 || ".!?:;\n—–…".contains(text[j as usize]) || headline_line(text, i)
}

/// Parenthesised, bracketed and quoted parts written as spaces (same length).
fn blank_asides(seg: &[char]) -> Vec<char> {
    let mut out = seg.to_vec();
    let mut i = 0;
    while i < seg.len() {
        let close = match seg[i] {
            '(' => seg[i + 1..].iter().position(|&c| c == '(' || c == ')').filter(|&p| seg[i + 1 + p] == ')'),
            '[' => seg[i + 1..].iter().position(|&c| c == ']'),
            '“' => seg[i + 1..].iter().position(|&c| c == '”'),
            '"' => seg[i + 1..].iter().position(|&c| c == '"'),
            _ => None,
        };
        match close {
            Some(p) => {
                let j = i + 1 + p;
                for c in &mut out[i..=j] {
                    *c = ' ';
                }
                i = j + 1;
            }
            None => i += 1,
        }
    }
    out
}

/// Tokens of a span: runs of characters that are not whitespace or in `delims`; with
/// `single_delims`, each of those delimiters is a token of its own. `(token, start)`.
fn tokens(seg: &[char], delims: &str, single_delims: bool) -> Vec<(String, usize)> {
    let mut out = vec![];
    let mut i = 0;
    while i < seg.len() {
        let c = seg[i];
        if is_space(c) {
            i += 1;
        } else if delims.contains(c) {
            if single_delims {
                out.push((c.to_string(), i));
            }
            i += 1;
        } else {
            let s = i;
            while i < seg.len() && !is_space(seg[i]) && !delims.contains(seg[i]) {
                i += 1;
            }
            out.push((string(&seg[s..i]), s));
        }
    }
    out
}

/// `I`, `I’m`, `I'd`, `I’ll`, `I've`…
fn is_i(s: &str) -> bool {
    if s == "I" {
        return true;
    }
    let Some(rest) = s.strip_prefix('I') else { return false };
    let Some(rest) = rest.strip_prefix(['’', '\'']) else { return false };
    matches!(rest, "m" | "d" | "ll" | "ve")
}

/// A token without edge punctuation, a possessive `’s` and a final full stop.
fn norm_tok(tok: &str) -> String {
    let t = strip_chars(tok, ".,;:!?()[]{}\"“”‘’'");
    let t = t.strip_suffix("’s").or_else(|| t.strip_suffix("'s")).unwrap_or(t);
    t.trim_end_matches('.').to_string()
}

fn starts_cap(t: &str) -> bool {
    let Some(c) = t.chars().next() else { return false };
    is_upper(c) || (is_digit(c) && t.chars().any(is_upper))
}

/// `^[^\W\d_][\w\-]*$`.
fn plain_word(t: &str) -> bool {
    let mut cs = t.chars();
    cs.next().is_some_and(is_letterish) && cs.all(|c| is_word(c) || c == '-')
}

/// The last token of the name at the head of a source span (`Pence` in `Republican
/// nominee Gov. Mike Pence (R-IN)`, `Alden` in `Edward Alden of the Council on Foreign
/// Relations`); `None` when no capitalised run heads it (`the Clinton campaign`).
fn source_head(text: &[char], s: i64, e: i64) -> Option<String> {
    let seg = blank_asides(py_slice(text, s, e));
    let toks = tokens(&seg, ",;:—–", true);
    let mut runs: Vec<(Vec<usize>, bool)> = vec![];
    let mut cur: Vec<usize> = vec![];
    for (k, (tok, _)) in toks.iter().enumerate() {
        let bare = strip_chars(tok, "“”\"‘’'()");
        let cap = starts_cap(bare) && !is_i(bare);
        if cap {
            let l = lower(bare);
            if k == 0
                && (DETS.contains(&l.as_str()) || PRONOUNS.contains(&l.as_str()))
                && sentence_initial(text, s as usize + toks[0].1)
            {
                continue;
            }
            cur.push(k);
            if bare.ends_with("’s") || bare.ends_with("'s") {
                runs.push((std::mem::take(&mut cur), true));
            }
        } else if !cur.is_empty() {
            runs.push((std::mem::take(&mut cur), false));
        }
    }
    if !cur.is_empty() {
        runs.push((cur, false));
    }
    for (idxs, possessive) in runs {
        if possessive {
            continue;
        }
        let (first, last) = (idxs[0], idxs[idxs.len() - 1]);
        let prev: Vec<String> = (first.saturating_sub(2)..first).map(|k| lower(&toks[k].0)).collect();
        if let Some(p) = prev.last() {
            if PREPS.contains(&p.as_str())
                || (prev.len() == 2 && DETS.contains(&p.as_str()) && PREPS.contains(&prev[0].as_str()))
            {
                continue;
            }
        }
        if TITLES.contains(&lower(&norm_tok(&toks[last].0)).trim_end_matches('.')) {
            continue;
        }
        if let Some((nxt, _)) = toks.get(last + 1) {
            let l = lower(nxt);
            if plain_word(nxt) && !PREPS.contains(&l.as_str()) && !HEAD_FOLLOW_OK.contains(&l.as_str()) {
                continue;
            }
        }
        for &k in idxs.iter().rev() {
            let t = norm_tok(&toks[k].0);
            if !t.is_empty() && !SUFFIXES.contains(&lower(&t).trim_end_matches('.')) {
                return Some(t);
            }
        }
    }
    None
}

/// The last capitalised token of a source span (asides, `I` and a sentence-initial
/// determiner left out).
fn last_cap_token(text: &[char], s: i64, e: i64) -> Option<String> {
    let seg = blank_asides(py_slice(text, s, e));
    let mut last = None;
    for (tok, start) in tokens(&seg, ",;:—–", false) {
        let t = norm_tok(&tok);
        if !starts_cap(&t) {
            continue;
        }
        let l = lower(&t);
        if is_i(&t) || SUFFIXES.contains(&l.as_str()) {
            continue;
        }
        if start == 0 && (DETS.contains(&l.as_str()) || PRONOUNS.contains(&l.as_str())) && sentence_initial(text, s as usize) {
            continue;
        }
        last = Some(t);
    }
    last
}

/// The capitalised (or digit-initial) tokens of a predicted speaker's text.
fn cap_tokens(s: &[char]) -> HashSet<String> {
    tokens(s, ",;:()[]—–", false)
        .into_iter()
        .map(|(tok, _)| norm_tok(&tok))
        .filter(|t| t.chars().next().is_some_and(|c| is_upper(c) || is_digit(c)))
        .collect()
}

// --------------------------------------------------------------------------
// Scoring
// --------------------------------------------------------------------------

/// The kind of a gold quote's source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Name = 0,
    Pronoun = 1,
    Nominal = 2,
    None = 3,
}

/// The counts of one document or of a corpus (summed).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Tally {
    documents: usize,
    gold_quotes: usize,
    pred_quotes: usize,
    exact: usize,
    found: usize,
    pred_quotes_3w: usize,
    pred_3w_matched: usize,
    gold: [usize; 4],
    found_kind: [usize; 4],
    nospeaker: [usize; 4],
    found_name_nohead: usize,
    name_ok: usize,
    name_ok_overlap: usize,
    name_ok_surname: usize,
    pn_overlaps_source: usize,
    pn_named_before: usize,
}

impl std::ops::AddAssign for Tally {
    fn add_assign(&mut self, o: Tally) {
        self.documents += o.documents;
        self.gold_quotes += o.gold_quotes;
        self.pred_quotes += o.pred_quotes;
        self.exact += o.exact;
        self.found += o.found;
        self.pred_quotes_3w += o.pred_quotes_3w;
        self.pred_3w_matched += o.pred_3w_matched;
        for k in 0..4 {
            self.gold[k] += o.gold[k];
            self.found_kind[k] += o.found_kind[k];
            self.nospeaker[k] += o.nospeaker[k];
        }
        self.found_name_nohead += o.found_name_nohead;
        self.name_ok += o.name_ok;
        self.name_ok_overlap += o.name_ok_overlap;
        self.name_ok_surname += o.name_ok_surname;
        self.pn_overlaps_source += o.pn_overlaps_source;
        self.pn_named_before += o.pn_named_before;
    }
}

/// Speaker relations by quote id (the first of each quote's).
fn speakers(doc: &AnnDoc, warn: &mut Vec<String>, side: &str, name: &str) -> HashMap<String, String> {
    let mut sp = HashMap::new();
    for r in &doc.relations {
        if r.typ != "Speaker" {
            continue;
        }
        if doc.get(&r.arg1).is_none_or(|m| m.typ != "QUOTE") {
            warn.push(format!("{side} {name}: Speaker {} Arg1 {} is not a QUOTE; ignored", r.id, r.arg1));
            continue;
        }
        if sp.contains_key(&r.arg1) {
            if side == "pred" {
                warn.push(format!("pred {name}: quote {} has more than one Speaker; {} ignored", r.arg1, r.id));
            }
            continue;
        }
        sp.insert(r.arg1.clone(), r.arg2.clone());
    }
    sp
}

fn quotes_sorted(doc: &AnnDoc) -> Vec<&Mention> {
    let mut q: Vec<&Mention> = doc.mentions.iter().filter(|m| m.typ == "QUOTE").collect();
    q.sort_by_key(|m| (m.start, m.end));
    q
}

fn score_doc(text: &[char], gold: &AnnDoc, pred: &AnnDoc, warn: &mut Vec<String>, name: &str) -> Tally {
    let mut c = Tally { documents: 1, ..Tally::default() };
    let gq = quotes_sorted(gold);
    let pq = quotes_sorted(pred);
    let gs: Vec<Sp> = gq.iter().map(|m| (m.start, m.end)).collect();
    let ps: Vec<Sp> = pq.iter().map(|m| (m.start, m.end)).collect();
    c.gold_quotes = gs.len();
    c.pred_quotes = ps.len();
    c.exact = max_matching(&gs, &ps, exact, None).len();
    let qmatch = max_matching(&gs, &ps, half_overlap, Some(overlap));
    c.found = qmatch.len();
    let long: HashSet<usize> =
        pq.iter().enumerate().filter(|(_, m)| words(py_slice(text, m.start, m.end)) >= MIN_WORDS).map(|(i, _)| i).collect();
    c.pred_quotes_3w = long.len();
    c.pred_3w_matched = qmatch.values().filter(|pi| long.contains(pi)).count();
    let mut gattr: HashMap<&str, Kind> = HashMap::new();
    for (nm, target) in &gold.attributes {
        match nm.as_str() {
            "Pronoun" => gattr.insert(target, Kind::Pronoun),
            "Nominal" => gattr.insert(target, Kind::Nominal),
            _ => None,
        };
    }
    let gsp = speakers(gold, warn, "gold", name);
    let psp = speakers(pred, warn, "pred", name);
    for (gi, g) in gq.iter().enumerate() {
        let src = gsp.get(&g.id);
        let kind = match src {
            None => Kind::None,
            Some(s) => gattr.get(s.as_str()).copied().unwrap_or(Kind::Name),
        };
        c.gold[kind as usize] += 1;
        let Some(&pi) = qmatch.get(&gi) else { continue };
        c.found_kind[kind as usize] += 1;
        let pm = psp.get(&pq[pi].id).and_then(|pid| pred.get(pid));
        if pm.is_none() {
            c.nospeaker[kind as usize] += 1;
        }
        let Some(sm) = src.and_then(|s| gold.get(s)) else { continue };
        if kind == Kind::Name {
            let head = source_head(text, sm.start, sm.end);
            if head.is_none() {
                c.found_name_nohead += 1;
            }
            let Some(pm) = pm else { continue };
            if overlap((sm.start, sm.end), (pm.start, pm.end)) > 0 {
                c.name_ok_overlap += 1;
                c.name_ok += 1;
                continue;
            }
            let key = head.or_else(|| last_cap_token(text, sm.start, sm.end));
            if key.is_some_and(|k| cap_tokens(py_slice(text, pm.start, pm.end)).contains(&k)) {
                c.name_ok_surname += 1;
                c.name_ok += 1;
            }
        } else {
            let Some(pm) = pm else { continue };
            if overlap((sm.start, sm.end), (pm.start, pm.end)) > 0 {
                c.pn_overlaps_source += 1;
            }
            if (pm.typ == "PER" || pm.typ == "ORG") && pm.end <= g.start && pm.start >= g.start - WINDOW {
                c.pn_named_before += 1;
            }
        }
    }
    c
}

fn ratio(n: usize, d: usize) -> Option<f64> {
    (d > 0).then(|| n as f64 / d as f64)
}

// --------------------------------------------------------------------------
// The report (the same JSON keys and order as polnear.py --json)
// --------------------------------------------------------------------------

#[derive(Debug, Clone, Serialize)]
#[allow(non_snake_case)]
pub struct SourceKinds {
    pub Name: usize,
    pub Pronoun: usize,
    pub Nominal: usize,
    pub none: usize,
}

/// (a) recall.
#[derive(Debug, Clone, Serialize)]
pub struct Recall {
    pub found: usize,
    pub gold: usize,
    pub value: Option<f64>,
    pub exact_found: usize,
    pub exact_value: Option<f64>,
}

/// (b) the precision proxy.
#[derive(Debug, Clone, Serialize)]
pub struct PrecisionProxy {
    pub matched: usize,
    pub pred: usize,
    pub value: Option<f64>,
    pub matched_3w: usize,
    pub pred_3w: usize,
    pub value_3w: Option<f64>,
    pub warning: &'static str,
}

/// (c) speakers of found quotes with a named source.
#[derive(Debug, Clone, Serialize)]
pub struct NamedSpeaker {
    pub found: usize,
    pub correct: usize,
    pub value: Option<f64>,
    pub correct_by_overlap: usize,
    pub correct_by_surname: usize,
    pub no_speaker: usize,
    pub found_without_head_name: usize,
    pub end_to_end_recall: Option<f64>,
    pub gold: usize,
}

/// (d) informational: pronoun and nominal sources.
#[derive(Debug, Clone, Serialize)]
pub struct PronounNominal {
    pub found: usize,
    pub found_pronoun: usize,
    pub found_nominal: usize,
    pub named_mention_within_300_before: usize,
    pub value: Option<f64>,
    pub speaker_overlaps_gold_source: usize,
    pub no_speaker: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct WithoutSource {
    pub gold: usize,
    pub found: usize,
    pub found_with_no_predicted_speaker: usize,
}

/// One document's line of `per_document`.
#[derive(Debug, Clone, Serialize)]
pub struct DocFigures {
    pub gold_quotes: usize,
    pub pred_quotes: usize,
    pub found: usize,
    pub exact: usize,
    pub found_name: usize,
    pub name_correct: usize,
    pub found_pronoun_nominal: usize,
    pub named_mention_within_300_before: usize,
}

/// Documents by name, in name order (a JSON object).
#[derive(Debug, Clone, Default)]
pub struct PerDocument(pub Vec<(String, DocFigures)>);

impl Serialize for PerDocument {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// The scorer's report: what `polnear.py score --json` prints, key for key.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub gold_dir: String,
    pub pred_dir: String,
    /// Only documents dated this month or later (not in polnear.py's output).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
    pub documents: usize,
    pub gold_quotes: usize,
    pub gold_quotes_by_source_kind: SourceKinds,
    pub pred_quotes: usize,
    pub a_recall: Recall,
    pub b_precision_proxy: PrecisionProxy,
    pub c_speaker_name: NamedSpeaker,
    pub d_pronoun_nominal_informational: PronounNominal,
    pub gold_quotes_without_source: WithoutSource,
    pub warnings: Vec<String>,
    pub per_document: PerDocument,
}

fn build_report(c: &Tally, per_doc: PerDocument, warnings: Vec<String>, gold_dir: String, pred_dir: String) -> Report {
    let (name, pron, nom, none) = (Kind::Name as usize, Kind::Pronoun as usize, Kind::Nominal as usize, Kind::None as usize);
    let pn_found = c.found_kind[pron] + c.found_kind[nom];
    Report {
        gold_dir,
        pred_dir,
        since: None,
        documents: c.documents,
        gold_quotes: c.gold_quotes,
        gold_quotes_by_source_kind: SourceKinds {
            Name: c.gold[name],
            Pronoun: c.gold[pron],
            Nominal: c.gold[nom],
            none: c.gold[none],
        },
        pred_quotes: c.pred_quotes,
        a_recall: Recall {
            found: c.found,
            gold: c.gold_quotes,
            value: ratio(c.found, c.gold_quotes),
            exact_found: c.exact,
            exact_value: ratio(c.exact, c.gold_quotes),
        },
        b_precision_proxy: PrecisionProxy {
            matched: c.found,
            pred: c.pred_quotes,
            value: ratio(c.found, c.pred_quotes),
            matched_3w: c.pred_3w_matched,
            pred_3w: c.pred_quotes_3w,
            value_3w: ratio(c.pred_3w_matched, c.pred_quotes_3w),
            warning: PREC_WARNING,
        },
        c_speaker_name: NamedSpeaker {
            found: c.found_kind[name],
            correct: c.name_ok,
            value: ratio(c.name_ok, c.found_kind[name]),
            correct_by_overlap: c.name_ok_overlap,
            correct_by_surname: c.name_ok_surname,
            no_speaker: c.nospeaker[name],
            found_without_head_name: c.found_name_nohead,
            end_to_end_recall: ratio(c.name_ok, c.gold[name]),
            gold: c.gold[name],
        },
        d_pronoun_nominal_informational: PronounNominal {
            found: pn_found,
            found_pronoun: c.found_kind[pron],
            found_nominal: c.found_kind[nom],
            named_mention_within_300_before: c.pn_named_before,
            value: ratio(c.pn_named_before, pn_found),
            speaker_overlaps_gold_source: c.pn_overlaps_source,
            no_speaker: c.nospeaker[pron] + c.nospeaker[nom],
        },
        gold_quotes_without_source: WithoutSource {
            gold: c.gold[none],
            found: c.found_kind[none],
            found_with_no_predicted_speaker: c.nospeaker[none],
        },
        warnings,
        per_document: per_doc,
    }
}

/// The `.ann` names (without extension) directly in a directory, sorted.
fn ann_names(dir: &Path) -> Result<Vec<String>> {
    let mut names = vec![];
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let f = entry.file_name().to_string_lossy().into_owned();
        if let Some(stem) = f.strip_suffix(".ann") {
            names.push(stem.to_string());
        }
    }
    names.sort();
    Ok(names)
}

/// The month (`YYYY-MM`) of the first `_YYYY-MM-DD_` date in a document name
/// (`nyt_2016-08-03_clinton-leads` is `2016-08`).
pub fn document_month(name: &str) -> Option<&str> {
    let b = name.as_bytes();
    (0..b.len().saturating_sub(11)).find_map(|i| {
        let d = &b[i..i + 12];
        let digits = |r: std::ops::Range<usize>| d[r].iter().all(u8::is_ascii_digit);
        (d[0] == b'_' && digits(1..5) && d[5] == b'-' && digits(6..8) && d[8] == b'-' && digits(9..11) && d[11] == b'_')
            .then(|| &name[i + 1..i + 8])
    })
}

/// Which gold documents to score.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Only documents whose name is dated this month (`YYYY-MM`) or later.
    pub since: Option<String>,
}

impl Selection {
    fn keeps(&self, name: &str) -> bool {
        match &self.since {
            None => true,
            Some(since) => document_month(name).is_some_and(|m| m >= since.as_str()),
        }
    }
}

/// Scores the predicted `X.ann` files of `pred_dir` against the gold `X.ann` + `X.txt` of
/// `gold_dir` (both flat directories), as `polnear.py score GOLD PRED` does.
///
/// A missing prediction directory or file counts as empty (with a warning); a gold `.ann`
/// without its `.txt` is skipped (with a warning); a prediction with no gold counterpart is
/// ignored (with a warning). Errors: the gold directory is missing or unreadable, or holds
/// no `.ann` file (or none selected).
pub fn score_dirs(gold_dir: &Path, pred_dir: &Path, selection: &Selection) -> Result<Report> {
    let mut warnings: Vec<String> = vec![];
    if !gold_dir.is_dir() {
        return Err(Error::input(gold_dir, "gold directory not found"));
    }
    let all_names = ann_names(gold_dir)?;
    if all_names.is_empty() {
        return Err(Error::input(gold_dir, "no .ann files in the gold directory"));
    }
    let names: Vec<&String> = all_names.iter().filter(|n| selection.keeps(n)).collect();
    if names.is_empty() {
        return Err(Error::input(gold_dir, "no gold document is dated in or after the --since month"));
    }
    if !pred_dir.is_dir() {
        warnings.push(format!("prediction directory not found: {}; every document scored as empty", pred_dir.display()));
    } else {
        // sorted by file name, as polnear.py does (not by name without extension)
        let known: HashSet<&str> = all_names.iter().map(String::as_str).collect();
        let mut extra: Vec<String> =
            ann_names(pred_dir)?.into_iter().filter(|f| !known.contains(f.as_str())).map(|f| f + ".ann").collect();
        extra.sort();
        for f in extra {
            warnings.push(format!("prediction file {f} has no gold counterpart; ignored"));
        }
    }
    let mut total = Tally::default();
    let mut per_doc = PerDocument::default();
    for name in names {
        let tpath = gold_dir.join(format!("{name}.txt"));
        if !tpath.exists() {
            warnings.push(format!("{name}: no {name}.txt in gold directory; document skipped"));
            continue;
        }
        let text: Option<Vec<char>> = read_text_file(&tpath, &mut warnings).map(|t| t.chars().collect());
        let text_ref = text.as_deref();
        let gold = parse_ann(&gold_dir.join(format!("{name}.ann")), text_ref, &mut warnings, "gold");
        let ppath = pred_dir.join(format!("{name}.ann"));
        let pred = if ppath.is_file() {
            parse_ann(&ppath, text_ref, &mut warnings, "pred")
        } else {
            if pred_dir.is_dir() {
                warnings.push(format!("{name}: no prediction file {name}.ann; scored as empty"));
            }
            AnnDoc::default()
        };
        let d = score_doc(text_ref.unwrap_or(&[]), &gold, &pred, &mut warnings, name);
        per_doc.0.push((
            name.clone(),
            DocFigures {
                gold_quotes: d.gold_quotes,
                pred_quotes: d.pred_quotes,
                found: d.found,
                exact: d.exact,
                found_name: d.found_kind[Kind::Name as usize],
                name_correct: d.name_ok,
                found_pronoun_nominal: d.found_kind[Kind::Pronoun as usize] + d.found_kind[Kind::Nominal as usize],
                named_mention_within_300_before: d.pn_named_before,
            },
        ));
        total += d;
    }
    let mut report =
        build_report(&total, per_doc, warnings, gold_dir.display().to_string(), pred_dir.display().to_string());
    report.since = selection.since.clone();
    Ok(report)
}

// --------------------------------------------------------------------------
// Metrics for thresholds, and the table
// --------------------------------------------------------------------------

/// The metrics `whosaid eval-polnear --min` accepts: name and meaning. Percentages unless
/// the name ends in `_max` (a count that must not exceed the value).
pub const METRICS: &[(&str, &str)] = &[
    ("a_recall", "(a) direct-quote recall, half-overlap rule, %"),
    ("a_exact", "(a) exact-span recall, %"),
    ("b_precision", "(b) precision proxy, %"),
    ("b_precision_3w", "(b) precision proxy on predicted quotes of >= 3 words, %"),
    ("c_speaker", "(c) speaker accuracy on found quotes with a named source, %"),
    ("c_end_to_end", "(c) found with the right speaker / named-source gold quotes, %"),
    ("d_named_before", "(d) pronoun/nominal sources: speaker is a PER/ORG mention <= 300 chars before, %"),
    ("c_no_speaker_max", "(c) found named-source quotes with no predicted speaker (count, upper bound)"),
    ("d_no_speaker_max", "(d) found pronoun/nominal-source quotes with no predicted speaker (count, upper bound)"),
    ("no_speaker_max", "found quotes of any source kind with no predicted speaker (count, upper bound)"),
];

impl Report {
    /// A metric of [`METRICS`] by name: a percentage (as printed, one decimal; `None` when
    /// its denominator is 0) or, for `_max` names, a count.
    pub fn metric(&self, name: &str) -> Option<f64> {
        let pct = |x: Option<f64>| x.map(|v| round1(100.0 * v));
        let (c, d) = (&self.c_speaker_name, &self.d_pronoun_nominal_informational);
        match name {
            "a_recall" => pct(self.a_recall.value),
            "a_exact" => pct(self.a_recall.exact_value),
            "b_precision" => pct(self.b_precision_proxy.value),
            "b_precision_3w" => pct(self.b_precision_proxy.value_3w),
            "c_speaker" => pct(c.value),
            "c_end_to_end" => pct(c.end_to_end_recall),
            "d_named_before" => pct(d.value),
            "c_no_speaker_max" => Some(c.no_speaker as f64),
            "d_no_speaker_max" => Some(d.no_speaker as f64),
            "no_speaker_max" => {
                Some((c.no_speaker + d.no_speaker + self.gold_quotes_without_source.found_with_no_predicted_speaker) as f64)
            }
            _ => None,
        }
    }
}

/// A percentage as the table prints it (one decimal).
fn round1(v: f64) -> f64 {
    format!("{v:.1}").parse().unwrap_or(v)
}

fn pct(x: Option<f64>) -> String {
    match x {
        None => "     -".to_string(),
        Some(v) => format!("{:5.1}%", 100.0 * v),
    }
}

/// The table `polnear.py score` prints, line for line.
pub fn format_table(r: &Report, per_doc: bool) -> String {
    let (a, b, c, d, k) =
        (&r.a_recall, &r.b_precision_proxy, &r.c_speaker_name, &r.d_pronoun_nominal_informational, &r.gold_quotes_by_source_kind);
    let mut l = vec![
        format!("gold: {}   pred: {}   documents: {}", r.gold_dir, r.pred_dir, r.documents),
        format!(
            "gold direct quotes: {} (source: name {}, pronoun {}, nominal {}, none {})   predicted quotes: {}",
            r.gold_quotes, k.Name, k.Pronoun, k.Nominal, k.none, r.pred_quotes
        ),
        String::new(),
        format!("{:58} {:>6}  {:>11}", "", "value", "n / d"),
        format!("(a) direct-quote recall (>= half of the longer span)       {}  {:>5} / {:<5}", pct(a.value), a.found, a.gold),
        format!("    exact-span recall                                      {}  {:>5} / {:<5}", pct(a.exact_value), a.exact_found, a.gold),
        format!("(b) precision proxy: predicted quotes matching gold  [!]   {}  {:>5} / {:<5}", pct(b.value), b.matched, b.pred),
        format!(
            "    the same, predicted quotes of >= {MIN_WORDS} words only          {}  {:>5} / {:<5}",
            pct(b.value_3w),
            b.matched_3w,
            b.pred_3w
        ),
        format!("(c) speaker accuracy, found quotes with a named source     {}  {:>5} / {:<5}", pct(c.value), c.correct, c.found),
        format!(
            "      by overlap with the source span {}, by surname {}; no predicted speaker {}",
            c.correct_by_overlap, c.correct_by_surname, c.no_speaker
        ),
        format!(
            "      of the found, sources whose capitalised words only modify a description (\"the CNN host\"): {}",
            c.found_without_head_name
        ),
        format!(
            "    end-to-end (found and right speaker) / named-source gold {}  {:>5} / {:<5}",
            pct(c.end_to_end_recall),
            c.correct,
            c.gold
        ),
        format!(
            "(d) informational, found quotes with a pronoun/nominal source: {} (pronoun {}, nominal {})",
            d.found, d.found_pronoun, d.found_nominal
        ),
        format!(
            "    speaker is a PER/ORG mention <= {WINDOW} chars before the quote {}  {:>5} / {:<5}",
            pct(d.value),
            d.named_mention_within_300_before,
            d.found
        ),
        format!(
            "    speaker overlaps the gold source span {}; no predicted speaker {}",
            d.speaker_overlaps_gold_source, d.no_speaker
        ),
        String::new(),
        format!("[!] {}.", b.warning),
    ];
    if per_doc {
        l.push(String::new());
        l.push(format!("PER DOCUMENT {:34} gold  pred  found  name-ok/found", ""));
        for (name, dd) in &r.per_document.0 {
            let short: String = name.chars().take(44).collect();
            l.push(format!(
                "  {short:44} {:5} {:5} {:6}  {:3}/{:<3}",
                dd.gold_quotes, dd.pred_quotes, dd.found, dd.name_correct, dd.found_name
            ));
        }
    }
    l.push(String::new());
    l.push(format!("WARNINGS: {}", r.warnings.len()));
    l.extend(r.warnings.iter().map(|w| format!("  - {w}")));
    l.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    /// The head of the source `sub` (its first occurrence) in `text`.
    fn head(text: &str, sub: &str) -> Option<String> {
        let t = chars(text);
        let s = text[..text.find(sub).unwrap()].chars().count() as i64;
        source_head(&t, s, s + sub.chars().count() as i64)
    }

    #[test]
    fn the_head_of_a_source_is_the_last_word_of_its_name() {
        let t = "Later, Democratic nominee Gov. Anna Kowalski (D-OR) told reporters.";
        assert_eq!(head(t, "Democratic nominee Gov. Anna Kowalski (D-OR)").as_deref(), Some("Kowalski"));
    }

    #[test]
    fn a_name_after_a_possessive_description_is_the_head() {
        let t = "Brown’s radio colleague, Tom Reyes, disagreed.";
        assert_eq!(head(t, "Brown’s radio colleague, Tom Reyes").as_deref(), Some("Reyes"));
    }

    #[test]
    fn a_capitalised_modifier_of_a_description_is_no_head() {
        let t = "Then the Fox anchor spoke.";
        assert_eq!(head(t, "the Fox anchor"), None);
        let tt = chars(t);
        assert_eq!(last_cap_token(&tt, 9, 23).as_deref(), Some("Fox"));
    }

    #[test]
    fn a_name_after_a_preposition_modifies_and_is_no_head() {
        let t = "A spokesman for Maria Lopez declined.";
        assert_eq!(head(t, "A spokesman for Maria Lopez"), None);
    }

    #[test]
    fn a_sentence_initial_determiner_is_not_a_name() {
        let t = "The Senator from Ohio agreed.";
        // "The" is skipped, "Senator" is a title.
        assert_eq!(head(t, "The Senator"), None);
    }

    #[test]
    fn words_join_apostrophes_hyphens_and_full_stops() {
        assert_eq!(words(&chars("“It’s a well-known U.S. fact,”")), 5);
        assert_eq!(words(&chars("a..b")), 2);
    }

    #[test]
    fn matching_prefers_the_larger_overlap_among_maximum_matchings() {
        // One gold quote, two candidates: the one sharing more characters is taken.
        let m = max_matching(&[(0, 10)], &[(0, 6), (1, 11)], half_overlap, Some(overlap));
        assert_eq!(m.get(&0), Some(&1));
        // A second gold quote that only the first choice fits takes it back (augmenting path).
        let m = max_matching(&[(0, 10), (5, 15)], &[(5, 15), (0, 9)], half_overlap, Some(overlap));
        assert_eq!((m.get(&0), m.get(&1)), (Some(&1), Some(&0)));
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

    #[test]
    fn the_month_of_a_document_comes_from_its_name() {
        assert_eq!(document_month("nyt_2016-08-03_clinton-leads"), Some("2016-08"));
        assert_eq!(document_month("notes"), None);
    }

    #[test]
    fn repr_quotes_like_python() {
        assert_eq!(py_repr("it's"), "\"it's\"");
        assert_eq!(py_repr("a\u{a0}b"), "'a\\xa0b'");
    }
}
