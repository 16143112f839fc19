//! doccano: `dataset.jsonl` in the layout of a relation-extraction project (one JSON
//! object per line: `text`, `entities`, `relations`), plus `span_types.json` and
//! `relation_types.json` to create the project's labels, and the import of a doccano
//! JSONL export back into brat.
//!
//! | whosaid | doccano |
//! |---|---|
//! | span `T7 PER 656 666` | entity `{"id": 7, "label": "PER", "start_offset": 656, "end_offset": 666}` |
//! | QUOTE with `Partial` | entity labelled `QUOTE_PARTIAL` (a label, so reviewers see and change it) |
//! | `R2 Speaker Arg1:T9 Arg2:T7` | relation `{"id": 2, "from_id": 9, "to_id": 7, "type": "Speaker"}` |
//! | `* Equiv T3 T4 T10` | relations of type `Equiv` T3→T4, T4→T10 |
//! | `#1 AnnotatorNotes T9 text` | `notes: [{"entity": 9, "start_offset", "end_offset", "text"}]` (kept by doccano as metadata) |
//! | document id | `document` (metadata) |
//!
//! Offsets are UTF-16 code units, as doccano's browser counts them (a character outside
//! the Basic Multilingual Plane, 😀 or 𝐦, counts two); they are converted to and from
//! whosaid's characters by [`Text::char_to_utf16`] and [`Text::utf16_to_char`], and an
//! offset that falls inside such a character is refused. Entity and relation ids become `T<id>` and `R<id>`
//! on import (doccano's own ids when it renumbered them); notes find their entity by
//! offsets first, so they survive renumbering. A sequence-labelling export (`label:
//! [[start, end, type], …]`) is read too. A file that is not a dataset export (the
//! project's label types, a Label Studio export, lines without `text`) is refused with
//! the reason.

use super::label_studio::add_relation;
use super::review::{
    check_brat, clip, equiv_groups, equiv_links, id_path, label_colour, relation_colour, Imported, Written,
    ANNOTATOR_NOTES, EQUIV,
};
use super::write_atomic;
use crate::annotation::{Annotations, Label, Note, RelKind, SpanAnn};
use crate::document::{Document, Span, Text, Utf16Error};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// The label of a quote with the `Partial` attribute.
pub const QUOTE_PARTIAL: &str = "QUOTE_PARTIAL";

/// One line of a doccano relation-project file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Line {
    /// doccano's example id (in its exports).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Value>,
    pub text: String,
    #[serde(default)]
    pub entities: Vec<Entity>,
    #[serde(default)]
    pub relations: Vec<DoccanoRelation>,
    /// Sequence-labelling projects: `[start, end, label]` triples.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub label: Vec<(usize, usize, String)>,
    /// The whosaid document id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<DoccanoNote>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entity {
    pub id: u64,
    pub label: String,
    pub start_offset: usize,
    pub end_offset: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DoccanoRelation {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
    pub from_id: u64,
    pub to_id: u64,
    #[serde(rename = "type")]
    pub kind: String,
}

/// A reviewer note on an entity, found again by its offsets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DoccanoNote {
    pub entity: u64,
    pub start_offset: usize,
    pub end_offset: usize,
    pub text: String,
}

/// The number of a brat id (`T12` → 12).
fn number(id: &str) -> Option<u64> {
    id.get(1..)?.parse().ok()
}

/// doccano's offsets of a character span: UTF-16 units.
fn units(text: &Text, span: Span) -> (usize, usize) {
    let u = |c: usize| text.char_to_utf16(c).unwrap_or_else(|| text.len_utf16());
    (u(span.start), u(span.end))
}

/// The character span of doccano offsets (UTF-16 units); `Err` is the reason.
fn char_span(text: &Text, start: usize, end: usize) -> std::result::Result<Span, String> {
    if start >= end {
        return Err(format!("empty or reversed span {start}-{end}"));
    }
    let char_of = |u: usize| {
        text.utf16_to_char(u).map_err(|e| match e {
            Utf16Error::InsidePair(c) => format!(
                "span {start}-{end}: offset {u} falls inside '{}' (character {c}, two UTF-16 units; doccano offsets \
                 are UTF-16 units)",
                text.char_at(c).map(String::from).unwrap_or_default()
            ),
            Utf16Error::PastEnd => {
                format!("span {start}-{end} is past the end of the text ({} UTF-16 units)", text.len_utf16())
            }
        })
    };
    Ok(Span::new(char_of(start)?, char_of(end)?))
}

/// The doccano line of a document. Warnings name what doccano cannot hold.
pub fn line(doc: &Document) -> (Line, Vec<String>) {
    let ann = &doc.ann;
    let mut warnings = vec![];
    let mut next = ann.spans.iter().filter_map(|s| number(&s.id)).max().unwrap_or(0) + 1;
    let mut ids: HashMap<&str, u64> = HashMap::new();
    for s in &ann.spans {
        let n = number(&s.id).filter(|n| !ids.values().any(|v| v == n)).unwrap_or_else(|| {
            next += 1;
            next - 1
        });
        ids.insert(&s.id, n);
    }
    let entities = ann
        .spans
        .iter()
        .map(|s| {
            let (start_offset, end_offset) = units(&doc.text, s.span);
            Entity {
                id: ids[s.id.as_str()],
                label: if s.partial { QUOTE_PARTIAL.to_string() } else { s.label.to_string() },
                start_offset,
                end_offset,
            }
        })
        .collect();
    let mut next_rel = ann.relations.iter().filter_map(|r| number(&r.id)).max().unwrap_or(0) + 1;
    let mut fresh = || {
        next_rel += 1;
        next_rel - 1
    };
    let mut relations = vec![];
    for r in &ann.relations {
        if let (Some(&from_id), Some(&to_id)) = (ids.get(r.arg1.as_str()), ids.get(r.arg2.as_str())) {
            let id = number(&r.id).unwrap_or_else(&mut fresh);
            relations.push(DoccanoRelation { id: Some(id), from_id, to_id, kind: r.kind.to_string() });
        }
    }
    for (a, b) in equiv_links(&ann.equivs) {
        if let (Some(&from_id), Some(&to_id)) = (ids.get(a), ids.get(b)) {
            relations.push(DoccanoRelation { id: Some(fresh()), from_id, to_id, kind: EQUIV.into() });
        }
    }
    let mut notes = vec![];
    for n in &ann.notes {
        match ann.span(&n.target) {
            Some(s) => {
                let (start_offset, end_offset) = units(&doc.text, s.span);
                notes.push(DoccanoNote { entity: ids[s.id.as_str()], start_offset, end_offset, text: n.text.clone() })
            }
            None => warnings.push(format!("note {} is on {}, not on a span: left out", n.id, n.target)),
        }
        if n.kind != ANNOTATOR_NOTES {
            warnings.push(format!("note {} of type {} comes back as {ANNOTATOR_NOTES}", n.id, n.kind));
        }
    }
    let line = Line {
        id: None,
        text: doc.text.as_str().to_string(),
        entities,
        relations,
        label: vec![],
        document: Some(doc.id.clone()),
        notes,
    };
    (line, warnings)
}

/// A doccano label definition (the project's "Import labels" format).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabelType {
    pub text: String,
    pub background_color: String,
    pub text_color: String,
}

/// The span types: the six labels and `QUOTE_PARTIAL`.
pub fn span_types() -> Vec<LabelType> {
    let mut out: Vec<LabelType> = Label::ENTITIES
        .iter()
        .chain([Label::QUOTE].iter())
        .map(|l| LabelType { text: l.to_string(), background_color: label_colour(*l).into(), text_color: "#000000".into() })
        .collect();
    out.push(LabelType {
        text: QUOTE_PARTIAL.into(),
        background_color: label_colour(Label::QUOTE).into(),
        text_color: "#7a5c00".into(),
    });
    out
}

/// The relation types: Speaker, HasRole, RoleOrg and Equiv.
pub fn relation_types() -> Vec<LabelType> {
    let mut out: Vec<LabelType> = RelKind::ALL
        .iter()
        .map(|k| LabelType { text: k.to_string(), background_color: relation_colour(*k).into(), text_color: "#ffffff".into() })
        .collect();
    out.push(LabelType { text: EQUIV.into(), background_color: "#7f7f7f".into(), text_color: "#ffffff".into() });
    out
}

/// Writes `OUT/dataset.jsonl`, `OUT/span_types.json` and `OUT/relation_types.json`.
pub fn write(docs: &[Document], out: &Path) -> Result<Written> {
    let mut written = Written::default();
    let mut jsonl = Vec::new();
    for doc in docs {
        let (line, warnings) = line(doc);
        written.warnings.extend(warnings.into_iter().map(|w| format!("{}: {w}", doc.id)));
        serde_json::to_writer(&mut jsonl, &line).map_err(|e| Error::Other(e.to_string()))?;
        jsonl.push(b'\n');
    }
    let path = out.join("dataset.jsonl");
    write_atomic(&path, &jsonl)?;
    written.files.push(path);
    for (name, types) in [("span_types.json", span_types()), ("relation_types.json", relation_types())] {
        let mut bytes = serde_json::to_vec_pretty(&types).map_err(|e| Error::Other(e.to_string()))?;
        bytes.push(b'\n');
        let path = out.join(name);
        write_atomic(&path, &bytes)?;
        written.files.push(path);
    }
    Ok(written)
}

/// Reads a doccano JSONL export (a JSON list of the same objects is accepted too). A
/// line that is not valid fails alone.
pub fn import(path: &Path) -> Result<Imported> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let source = String::from_utf8(bytes).map_err(|e| {
        Error::input(path, format!("not valid UTF-8 (invalid byte at offset {})", e.utf8_error().valid_up_to()))
    })?;
    let mut values: Vec<(usize, std::result::Result<Value, String>)> = vec![];
    if source.trim_start().starts_with('[') {
        let all: Vec<Value> = serde_json::from_str(&source).map_err(|e| Error::parse(path, e.line(), e.to_string()))?;
        values.extend(all.into_iter().enumerate().map(|(i, v)| (i + 1, Ok(v))));
    } else {
        for (i, l) in source.lines().enumerate() {
            if !l.trim().is_empty() {
                values.push((i + 1, serde_json::from_str(l).map_err(|e| e.to_string())));
            }
        }
    }
    // A file that is not a dataset export is refused whole, before anything is read.
    for (line_no, value) in &values {
        if let Ok(v) = value {
            if let Some(reason) = not_a_dataset(v) {
                return Err(Error::parse(path, *line_no, reason));
            }
        }
    }
    let mut imported = Imported::default();
    let mut ids = HashSet::new();
    for (line_no, value) in values {
        let value = value.and_then(|v| match &v {
            Value::Object(m) if !m.contains_key("text") => {
                Err("no \"text\" field (a doccano example has its text, and entities or label)".to_string())
            }
            Value::Object(_) => Ok(v),
            _ => Err("not a JSON object".to_string()),
        });
        let line: Line = match value.and_then(|v| serde_json::from_value(v).map_err(|e| e.to_string())) {
            Ok(l) => l,
            Err(e) => {
                imported.failed.push(Error::parse(path, line_no, format!("not a doccano example: {e}")));
                continue;
            }
        };
        let fallback = match &line.id {
            Some(Value::Number(n)) => format!("doccano_{n}"),
            _ => format!("line_{line_no}"),
        };
        let doc_id = match &line.document {
            Some(d) if id_path(d).is_some() => d.clone(),
            Some(d) => {
                imported.warnings.push(format!("line {line_no}: document id '{}' is not a safe file name; written as {fallback}", clip(d)));
                fallback
            }
            None => fallback,
        };
        let name = format!("line {line_no} ({doc_id})");
        if !ids.insert(doc_id.clone()) {
            imported.failed.push(Error::parse(path, line_no, format!("{name}: a second example for the same document")));
            continue;
        }
        if line.text.trim().is_empty() {
            imported.failed.push(Error::parse(path, line_no, format!("{name}: the text is empty")));
            continue;
        }
        let mut doc = Document::new(doc_id, line.text.clone());
        match annotations(&doc.text, &line) {
            Ok((ann, warnings)) => {
                imported.warnings.extend(warnings.into_iter().map(|w| format!("{name}: {w}")));
                doc.ann = ann;
                imported.docs.push(doc);
            }
            Err(reason) => imported.failed.push(Error::parse(path, line_no, format!("{name}: {reason}"))),
        }
    }
    Ok(imported)
}

/// Why a value shows that the whole file is not a doccano dataset export, if it does:
/// a label type (doccano's label-type export, or whosaid's `span_types.json`) or a
/// Label Studio task.
fn not_a_dataset(v: &Value) -> Option<String> {
    let Value::Object(m) = v else { return None };
    const LABEL_TYPE_KEYS: [&str; 4] = ["background_color", "text_color", "suffix_key", "prefix_key"];
    let annotated = ["entities", "label", "relations"].iter().any(|k| m.contains_key(*k));
    if !annotated && LABEL_TYPE_KEYS.iter().any(|k| m.contains_key(*k)) {
        let name = m.get("text").and_then(Value::as_str).map(|t| format!(" '{}'", clip(t))).unwrap_or_default();
        return Some(format!(
            "a doccano label type{name}, not an example: this is a label-types file (like span_types.json); import the \
             dataset export (Dataset → Export → JSONL)"
        ));
    }
    if !m.contains_key("text") && m.get("data").is_some_and(|d| d.get("text").is_some()) {
        return Some("a Label Studio task (data.text), not a doccano example: use --format label-studio".to_string());
    }
    None
}

/// Builds the annotations of one example; `Err` is why it cannot be accepted.
fn annotations(text: &Text, line: &Line) -> std::result::Result<(Annotations, Vec<String>), String> {
    let mut warnings = vec![];
    let mut ann = Annotations::default();
    let parse_label = |label: &str| -> std::result::Result<(Label, bool), String> {
        if label == QUOTE_PARTIAL {
            Ok((Label::QUOTE, true))
        } else {
            label.parse().map(|l| (l, false))
        }
    };
    let mut by_doccano: HashMap<u64, String> = HashMap::new();
    let triples = line.label.iter().enumerate().map(|(i, (s, e, l))| (i as u64 + 1, *s, *e, l.as_str(), false));
    let entities = line.entities.iter().map(|e| (e.id, e.start_offset, e.end_offset, e.label.as_str(), true));
    for (doccano_id, start, end, label, has_id) in entities.chain(triples) {
        let (label, partial) = parse_label(label).map_err(|e| format!("entity {doccano_id}: {e}"))?;
        let span = char_span(text, start, end).map_err(|e| format!("entity {doccano_id}: {e}"))?;
        let id = if has_id { format!("T{doccano_id}") } else { format!("T{}", ann.spans.len() + 1) };
        if ann.spans.iter().any(|s| s.id == id) {
            return Err(format!("entity id {doccano_id} is used twice"));
        }
        if has_id {
            by_doccano.insert(doccano_id, id.clone());
        }
        ann.spans.push(SpanAnn { id, label, span, score: None, partial });
    }
    let mut equiv = vec![];
    for r in &line.relations {
        let (Some(a), Some(b)) = (by_doccano.get(&r.from_id), by_doccano.get(&r.to_id)) else {
            warnings.push(format!("relation {} between unknown entities was left out", r.kind));
            continue;
        };
        if r.kind == EQUIV {
            equiv.push((a.clone(), b.clone()));
            continue;
        }
        let Ok(kind) = r.kind.parse::<RelKind>() else {
            warnings.push(format!("relation '{}' from {a} to {b} is not in the scheme; left out", r.kind));
            continue;
        };
        let id = r.id.map(|n| format!("R{n}"));
        add_relation(&mut ann, text, kind, a, b, id.as_deref(), &mut warnings)?;
    }
    ann.equivs = equiv_groups(&equiv);
    for n in &line.notes {
        let span = char_span(text, n.start_offset, n.end_offset).ok();
        let target = ann
            .spans
            .iter()
            .find(|s| Some(s.span) == span)
            .map(|s| s.id.clone())
            .or_else(|| by_doccano.get(&n.entity).cloned());
        match target {
            Some(target) => {
                let id = format!("#{}", ann.notes.len() + 1);
                let text = n.text.replace("\r\n", " ").replace(['\r', '\n'], " ");
                ann.notes.push(Note { id, kind: ANNOTATOR_NOTES.into(), target, text });
            }
            None => warnings.push(format!("a note on a span that is gone was left out: '{}'", clip(&n.text))),
        }
    }
    check_brat(text, &ann)?;
    Ok((ann, warnings))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::annotation::Relation;

    const ASTRAL: &str = "𝐌𝐚𝐭𝐡 club 😀 Ada Lind said: “We meet on Friday.” Ola Berg 😀 agreed.";

    fn span_of(text: &Text, needle: &str) -> Span {
        let b = text.as_str().find(needle).unwrap();
        text.byte_span(b, b + needle.len()).unwrap()
    }

    /// A document with spans, a relation and a note after astral characters.
    fn astral_doc() -> Document {
        let mut doc = Document::new("club/friday", ASTRAL);
        let ada = doc.ann.add_span(Label::PER, span_of(&doc.text, "Ada Lind"), None);
        let quote = doc.ann.add_span(Label::QUOTE, span_of(&doc.text, "“We meet on Friday.”"), None);
        let ola = doc.ann.add_span(Label::PER, span_of(&doc.text, "Ola Berg"), None);
        doc.ann.relations.push(Relation {
            id: "R1".into(),
            kind: RelKind::Speaker,
            arg1: quote,
            arg2: ada,
            source: None,
        });
        doc.ann.notes.push(Note { id: "#1".into(), kind: ANNOTATOR_NOTES.into(), target: ola, text: "agrees".into() });
        doc
    }

    fn import_text(jsonl: &str) -> Result<Imported> {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("admin.jsonl");
        std::fs::write(&file, jsonl).unwrap();
        import(&file)
    }

    fn jsonl(line: &Line) -> String {
        format!("{}\n", serde_json::to_string(line).unwrap())
    }

    #[test]
    fn offsets_are_written_in_utf16_units_after_astral_characters() {
        let (l, _) = line(&astral_doc());
        // 𝐌𝐚𝐭𝐡 and 😀 count two units each: "Ada Lind" is characters 12..20, units 17..25.
        let ada = &l.entities[0];
        assert_eq!((ada.start_offset, ada.end_offset), (17, 25));
        let units: Vec<u16> = l.text.encode_utf16().collect();
        assert_eq!(String::from_utf16(&units[17..25]).unwrap(), "Ada Lind");
        let ola = &l.entities[2];
        assert_eq!(String::from_utf16(&units[ola.start_offset..ola.end_offset]).unwrap(), "Ola Berg");
        assert_eq!((l.notes[0].start_offset, l.notes[0].end_offset), (ola.start_offset, ola.end_offset));
    }

    #[test]
    fn export_then_import_keeps_every_span_relation_and_note_of_astral_text() {
        let doc = astral_doc();
        let back = import_text(&jsonl(&line(&doc).0)).unwrap();
        assert!(back.failed.is_empty() && back.warnings.is_empty(), "{:?} {:?}", back.failed, back.warnings);
        assert_eq!(back.docs[0].ann, doc.ann);
        assert_eq!(back.docs[0].text.as_str(), ASTRAL);
    }

    #[test]
    fn a_hand_written_line_with_utf16_offsets_after_an_emoji_imports_to_the_right_characters() {
        // As doccano's browser writes it: "Lea" is units 3..6 (the emoji counts two).
        let back = import_text(
            r#"{"id": 4, "text": "😀 Lea won.", "entities": [{"id": 1, "label": "PER", "start_offset": 3, "end_offset": 6}]}"#,
        )
        .unwrap();
        assert!(back.failed.is_empty(), "{:?}", back.failed);
        let doc = &back.docs[0];
        assert_eq!(doc.ann.spans[0].span, Span::new(2, 5));
        assert_eq!(doc.text.get(doc.ann.spans[0].span), Some("Lea"));
    }

    #[test]
    fn a_sequence_labelling_triple_is_read_in_utf16_units_too() {
        let back = import_text(r#"{"text": "𝐦 Lea won.", "label": [[3, 6, "PER"]]}"#).unwrap();
        assert_eq!(back.docs[0].text.get(back.docs[0].ann.spans[0].span), Some("Lea"));
    }

    #[test]
    fn an_offset_inside_a_surrogate_pair_is_refused_naming_the_file_and_line() {
        let good = r#"{"text": "Lea won.", "entities": []}"#;
        let bad = r#"{"text": "Ed 😀 Lea", "entities": [{"id": 7, "label": "MISC", "start_offset": 4, "end_offset": 8}]}"#;
        let back = import_text(&format!("{good}\n{bad}\n")).unwrap();
        assert_eq!(back.docs.len(), 1);
        let err = back.failed[0].to_string();
        assert!(err.contains("admin.jsonl:2: line 2 (line_2): entity 7: span 4-8: offset 4 falls inside '😀'"), "{err}");
        assert!(!err.contains('\n'));
    }

    #[test]
    fn a_span_past_the_end_in_utf16_units_is_refused_with_the_length() {
        let back =
            import_text(r#"{"text": "😀 Lea", "entities": [{"id": 1, "label": "PER", "start_offset": 3, "end_offset": 7}]}"#)
                .unwrap();
        assert!(back.failed[0].to_string().contains("span 3-7 is past the end of the text (6 UTF-16 units)"));
    }

    #[test]
    fn a_label_types_file_is_refused_whole_naming_the_file_and_the_line() {
        let types = serde_json::to_string_pretty(&span_types()).unwrap();
        let err = import_text(&types).unwrap_err().to_string();
        assert!(err.contains("admin.jsonl:1: a doccano label type 'PER', not an example"), "{err}");
        assert!(err.contains("label-types file"));
        // doccano's own label-type export, one object per line.
        let own = r##"{"id": 12, "text": "PER", "prefix_key": null, "suffix_key": "p", "background_color": "#2196f3", "text_color": "#ffffff"}"##;
        let err = import_text(&format!("{{\"text\": \"Lea won.\"}}\n{own}\n")).unwrap_err().to_string();
        assert!(err.contains("admin.jsonl:2: a doccano label type 'PER'"), "{err}");
    }

    #[test]
    fn a_line_without_text_fails_with_the_reason() {
        let back = import_text("{\"entities\": []}\n").unwrap();
        assert!(back.docs.is_empty());
        let err = back.failed[0].to_string();
        assert!(err.contains(":1: not a doccano example: no \"text\" field"), "{err}");
    }

    #[test]
    fn a_label_studio_export_given_as_doccano_is_refused_with_the_format_to_use() {
        let err = import_text(r#"[{"id": 3, "data": {"text": "Lea won."}, "annotations": []}]"#).unwrap_err().to_string();
        assert!(err.contains("admin.jsonl:1: a Label Studio task") && err.contains("--format label-studio"), "{err}");
    }
}
