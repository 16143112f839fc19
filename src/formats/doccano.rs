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
//! Offsets are Unicode code points. Entity and relation ids become `T<id>` and `R<id>`
//! on import (doccano's own ids when it renumbered them); notes find their entity by
//! offsets first, so they survive renumbering. A sequence-labelling export (`label:
//! [[start, end, type], …]`) is read too.

use super::label_studio::add_relation;
use super::review::{
    check_brat, clip, equiv_groups, equiv_links, id_path, label_colour, relation_colour, tool_span, Imported, Written,
    ANNOTATOR_NOTES, EQUIV,
};
use super::write_atomic;
use crate::annotation::{Annotations, Label, Note, RelKind, SpanAnn};
use crate::document::{Document, Span, Text};
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
        .map(|s| Entity {
            id: ids[s.id.as_str()],
            label: if s.partial { QUOTE_PARTIAL.to_string() } else { s.label.to_string() },
            start_offset: s.span.start,
            end_offset: s.span.end,
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
            Some(s) => notes.push(DoccanoNote {
                entity: ids[s.id.as_str()],
                start_offset: s.span.start,
                end_offset: s.span.end,
                text: n.text.clone(),
            }),
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
    let mut imported = Imported::default();
    let mut ids = HashSet::new();
    for (line_no, value) in values {
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
        let (span, note) = tool_span(text, start, end, None).map_err(|e| format!("entity {doccano_id}: {e}"))?;
        if let Some(n) = note {
            warnings.push(n);
        }
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
        let span = Span { start: n.start_offset, end: n.end_offset };
        let target = ann
            .spans
            .iter()
            .find(|s| s.span == span)
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
