//! Import: each task's reviewed result (the latest submitted annotation, or with
//! [`ImportOptions::predictions`] the first prediction) back into annotations, checked
//! as brat reads them.

use super::schema::{PredictionEntry, ResultItem, Task};
use crate::annotation::{Annotations, Label, Note, RelKind, Relation, SpanAnn};
use crate::document::{Document, Text};
use crate::error::{Error, Result};
use crate::formats::review::{
    args_fit, check_brat, clip, equiv_groups, id_path, is_brat_id, next_free, tool_span, ArgsFit, ImportOptions, Imported,
    ANNOTATOR_NOTES, EQUIV, PARTIAL,
};
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// Reads a Label Studio JSON export (a list of tasks, or one task).
pub fn import(path: &Path, opts: &ImportOptions) -> Result<Imported> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let value: Value = serde_json::from_slice(&bytes).map_err(|e| Error::parse(path, e.line(), e.to_string()))?;
    let items = match value {
        Value::Array(items) => items,
        obj @ Value::Object(_) => vec![obj],
        _ => return Err(Error::input(path, "expected a JSON list of Label Studio tasks")),
    };
    Ok(import_tasks(path, items, opts))
}

/// Turns task values (as in an export file) into documents; `path` names the file in
/// messages.
pub fn import_tasks(path: &Path, items: Vec<Value>, opts: &ImportOptions) -> Imported {
    let mut imported = Imported::default();
    let mut ids = HashSet::new();
    let mut id_only = vec![];
    for (i, item) in items.into_iter().enumerate() {
        let mut name = format!("task {}", i + 1);
        let task: Task = match serde_json::from_value(item) {
            Ok(t) => t,
            Err(e) => {
                imported.failed.push(Error::input(path, format!("{name}: not a Label Studio task: {e}")));
                continue;
            }
        };
        let fallback = match &task.id {
            Some(Value::Number(n)) => format!("task_{n}"),
            Some(Value::String(s)) if id_path(s).is_some() => format!("task_{s}"),
            _ => format!("task_{}", i + 1),
        };
        if let Some(id) = &task.id {
            name = format!("task {}", id.to_string().trim_matches('"'));
        }
        let doc_id = match &task.data.document {
            Some(d) if id_path(d).is_some() => d.clone(),
            Some(d) => {
                imported.warnings.push(format!("{name}: document id '{}' is not a safe file name; written as {fallback}", clip(d)));
                fallback
            }
            None => fallback,
        };
        name = format!("{name} ({doc_id})");
        let Some((result, from)) = reviewed_result(&task, opts) else {
            if predictions_are_ids_only(&task) {
                id_only.push(name);
            } else {
                imported.unreviewed.push(name);
            }
            continue;
        };
        if !ids.insert(doc_id.clone()) {
            imported.failed.push(Error::input(path, format!("{name}: a second task for the same document")));
            continue;
        }
        if task.data.text.trim().is_empty() {
            imported.failed.push(Error::input(path, format!("{name}: data.text is empty")));
            continue;
        }
        let mut doc = Document::new(doc_id, task.data.text.clone());
        match annotations(&doc.text, result) {
            Ok((ann, warnings)) => {
                imported.warnings.extend(warnings.into_iter().map(|w| format!("{name}: {w}")));
                if from == From::Prediction {
                    imported.from_predictions += 1;
                }
                doc.ann = ann;
                imported.docs.push(doc);
            }
            Err(reason) => imported.failed.push(Error::input(path, format!("{name}: {reason}"))),
        }
    }
    if !id_only.is_empty() {
        imported.warnings.push(id_only_message(&id_only));
    }
    imported
}

/// Does a task list its predictions as ids only (`"predictions": [13]`, as Label Studio's
/// Export → JSON writes them), so that none can be read?
fn predictions_are_ids_only(task: &Task) -> bool {
    !task.predictions.is_empty() && task.predictions.iter().all(|p| matches!(p, PredictionEntry::Reference(_)))
}

/// The one line about unreviewed tasks whose predictions are ids only, with the fix.
fn id_only_message(names: &[String]) -> String {
    let shown: Vec<&str> = names.iter().take(5).map(String::as_str).collect();
    format!(
        "{} task(s) that nobody submitted list their predictions as ids only ({}{}), as Label Studio's Export → JSON \
         writes them, so they were skipped and --predictions cannot take them; export the predictions in full with a \
         snapshot (POST /api/projects/<id>/exports with serialization_options predictions.only_id=false, then download \
         it) or GET /api/projects/<id>/export?exportType=JSON&download_all_tasks=true",
        names.len(),
        shown.join(", "),
        if names.len() > shown.len() { ", …" } else { "" }
    )
}

#[derive(Debug, PartialEq, Eq)]
enum From {
    Annotation,
    Prediction,
}

/// The reviewed result of a task: the ground-truth or else most recently updated
/// submitted annotation (the later one in the list on a tie); else, when allowed, the
/// first full prediction.
fn reviewed_result<'a>(task: &'a Task, opts: &ImportOptions) -> Option<(&'a [ResultItem], From)> {
    let best = task
        .annotations
        .iter()
        .enumerate()
        .filter(|(_, a)| a.was_cancelled != Some(true))
        .max_by_key(|(i, a)| (a.ground_truth == Some(true), a.updated_at.clone().or_else(|| a.created_at.clone()), *i));
    if let Some((_, a)) = best {
        return Some((&a.result, From::Annotation));
    }
    if !opts.predictions {
        return None;
    }
    task.predictions.iter().find_map(|p| match p {
        PredictionEntry::Full(p) => Some((p.result.as_slice(), From::Prediction)),
        PredictionEntry::Reference(_) => None,
    })
}

/// Builds the annotations of one result; `Err` is why the document cannot be accepted.
fn annotations(text: &Text, result: &[ResultItem]) -> std::result::Result<(Annotations, Vec<String>), String> {
    let mut warnings = vec![];
    let mut ann = Annotations::default();
    // Regions, with their Label Studio ids. An identical copy of a region (same label and
    // offsets) is dropped; its id stands for the region kept.
    let mut regions: Vec<(&str, SpanAnn)> = vec![];
    let mut aliases: Vec<(&str, usize)> = vec![];
    let mut copies: Vec<(usize, usize)> = vec![]; // (region kept, copies dropped)
    for item in result {
        let ResultItem::Labels { id, value, score, .. } = item else { continue };
        let [label] = value.labels.as_slice() else {
            return Err(format!("region {id} has {} labels (expected one)", value.labels.len()));
        };
        let label: Label = label.parse().map_err(|e| format!("region {id}: {e}"))?;
        let (span, note) =
            tool_span(text, value.start, value.end, value.text.as_deref()).map_err(|e| format!("region {id}: {e}"))?;
        if let Some(n) = note {
            warnings.push(format!("region {id}: {n}"));
        }
        if let Some(kept) = regions.iter().position(|(_, s)| s.label == label && s.span == span) {
            if regions[kept].0 != id.as_str() {
                if regions.iter().any(|(r, _)| r == id) {
                    return Err(format!("region id {id} is used twice"));
                }
                aliases.push((id, kept));
            }
            match copies.iter_mut().find(|(k, _)| *k == kept) {
                Some((_, n)) => *n += 1,
                None => copies.push((kept, 1)),
            }
            continue;
        }
        if regions.iter().any(|(r, _)| r == id) || aliases.iter().any(|(r, _)| r == id) {
            return Err(format!("region id {id} is used twice"));
        }
        let score = score.map(|s| s as f32);
        regions.push((id, SpanAnn { id: String::new(), label, span, score, partial: false }));
    }
    // brat ids: kept where the region id is one, else the next free numbers.
    let mut next = next_free(regions.iter().map(|(r, _)| *r).filter(|r| is_brat_id(r, 'T')), 'T');
    let mut to_brat: HashMap<&str, String> = HashMap::new();
    for (region, span) in &mut regions {
        span.id = if is_brat_id(region, 'T') {
            region.to_string()
        } else {
            next += 1;
            format!("T{}", next - 1)
        };
        to_brat.insert(region, span.id.clone());
    }
    for (alias, kept) in &aliases {
        to_brat.insert(alias, regions[*kept].1.id.clone());
    }
    if !copies.is_empty() {
        let each: Vec<String> = copies
            .iter()
            .map(|(kept, n)| {
                let s = &regions[*kept].1;
                format!("{} {} '{}' {}-{} ({n} more)", s.id, s.label, clip(text.get(s.span).unwrap_or("(outside the text)")), s.span.start, s.span.end)
            })
            .collect();
        warnings.push(format!("identical duplicate regions dropped, one kept of each: {}", each.join(", ")));
    }
    ann.spans = regions.into_iter().map(|(_, s)| s).collect();

    let mut equiv: Vec<(String, String)> = vec![];
    for item in result {
        match item {
            ResultItem::Choices { id, value, .. } if value.choices.iter().any(|c| c == PARTIAL) => {
                let target = id.as_deref().and_then(|r| to_brat.get(r));
                match target.and_then(|t| ann.spans.iter_mut().find(|s| &s.id == t)) {
                    Some(s) if s.label == Label::QUOTE => s.partial = true,
                    Some(s) => warnings.push(format!("{PARTIAL} on {} {} ignored (quotes only)", s.label, s.id)),
                    None => warnings.push(format!("{PARTIAL} on an unknown region ignored")),
                }
            }
            ResultItem::TextArea { id, value, .. } => {
                let texts: Vec<String> = match &value.text {
                    Value::String(s) => vec![s.clone()],
                    Value::Array(v) => v.iter().filter_map(|t| t.as_str().map(str::to_string)).collect(),
                    _ => vec![],
                };
                let Some(target) = id.as_deref().and_then(|r| to_brat.get(r)) else {
                    if texts.iter().any(|t| !t.trim().is_empty()) {
                        warnings.push("a note that belongs to no region was left out".to_string());
                    }
                    continue;
                };
                for t in texts.iter().filter(|t| !t.trim().is_empty()) {
                    let t = t.replace("\r\n", " ").replace(['\r', '\n'], " ");
                    if ann.notes.iter().any(|n| &n.target == target && n.text == t) {
                        continue; // the same note on a copy of the region
                    }
                    let number = ann.notes.len() + 1;
                    ann.notes.push(Note {
                        id: format!("#{number}"),
                        kind: ANNOTATOR_NOTES.into(),
                        target: target.clone(),
                        text: t,
                    });
                }
            }
            ResultItem::Relation { from_id, to_id, direction, labels } => {
                let (Some(a), Some(b)) = (to_brat.get(from_id.as_str()), to_brat.get(to_id.as_str())) else {
                    warnings.push(format!("a relation {} between unknown regions was left out", labels.join("/")));
                    continue;
                };
                let (a, b) = if direction.as_deref() == Some("left") { (b, a) } else { (a, b) };
                if labels.is_empty() {
                    warnings.push(format!("a relation without a label from {a} to {b} was left out"));
                }
                for label in labels {
                    if label == EQUIV {
                        equiv.push((a.clone(), b.clone()));
                        continue;
                    }
                    let Ok(kind) = label.parse::<RelKind>() else {
                        warnings.push(format!("relation '{label}' from {a} to {b} is not in the scheme; left out"));
                        continue;
                    };
                    add_relation(&mut ann, text, kind, a, b, None, &mut warnings)?;
                }
            }
            _ => {}
        }
    }
    ann.equivs = equiv_groups(&equiv);
    check_brat(text, &ann)?;
    Ok((ann, warnings))
}

/// Adds a reviewer's relation after checking its argument types; a relation drawn
/// backwards is turned round (with a warning), a repeated one is dropped, and one whose
/// types fit neither way makes the document fail. `id` is kept when it is a free `R`
/// id; otherwise the relation gets the next free number.
#[allow(clippy::too_many_arguments)]
pub(crate) fn add_relation(
    ann: &mut Annotations,
    text: &Text,
    kind: RelKind,
    a: &str,
    b: &str,
    id: Option<&str>,
    warnings: &mut Vec<String>,
) -> std::result::Result<(), String> {
    let (Some(sa), Some(sb)) = (ann.span(a), ann.span(b)) else {
        return Err(format!("{kind} refers to an unknown span"));
    };
    let describe = |s: &SpanAnn| format!("{} {} '{}'", s.label, s.id, clip(text.get(s.span).unwrap_or("(outside the text)")));
    let (arg1, arg2) = match args_fit(kind, sa.label, sb.label) {
        ArgsFit::Fits => (a, b),
        ArgsFit::Reversed => {
            warnings.push(format!("{kind} from {} to {} was drawn backwards; turned round", describe(sa), describe(sb)));
            (b, a)
        }
        ArgsFit::No(reason) => return Err(format!("{reason} ({} → {})", describe(sa), describe(sb))),
    };
    if ann.relations.iter().any(|r| r.kind == kind && r.arg1 == arg1 && r.arg2 == arg2) {
        return Ok(());
    }
    let id = match id {
        Some(id) if is_brat_id(id, 'R') && !ann.relations.iter().any(|r| r.id == id) => id.to_string(),
        _ => format!("R{}", next_free(ann.relations.iter().map(|r| r.id.as_str()), 'R')),
    };
    ann.relations.push(Relation { id, kind, arg1: arg1.to_string(), arg2: arg2.to_string(), source: None });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::{LABELS, NOTES, TEXT};
    use super::*;
    use serde_json::json;

    fn region(id: &str, start: usize, end: usize, text: &str, label: &str) -> Value {
        json!({"id": id, "type": "labels", "from_name": LABELS, "to_name": TEXT,
               "value": {"start": start, "end": end, "text": text, "labels": [label]}})
    }

    fn reviewed(id: u64, text: &str, result: Vec<Value>) -> Value {
        json!({"id": id, "data": {"text": text, "document": "market"}, "annotations": [{"id": 1, "result": result}]})
    }

    const TEXT_: &str = "“Prices fall,” said Noor Haddad.";

    #[test]
    fn identical_duplicate_regions_are_kept_once_with_one_warning_naming_the_task() {
        let noor = |id: &str| region(id, 20, 31, "Noor Haddad", "PER");
        let note = |id: &str| {
            json!({"id": id, "type": "textarea", "from_name": NOTES, "to_name": TEXT,
                   "value": {"start": 20, "end": 31, "text": ["checked"]}})
        };
        let result = vec![
            region("q1", 0, 14, "“Prices fall,”", "QUOTE"),
            noor("n1"),
            noor("n2"),
            noor("n3"),
            note("n1"),
            note("n3"),
            json!({"type": "relation", "from_id": "q1", "to_id": "n3", "direction": "right", "labels": ["Speaker"]}),
        ];
        let imported = import_tasks(Path::new("export.json"), vec![reviewed(8, TEXT_, result)], &ImportOptions::default());
        assert!(imported.failed.is_empty(), "{:?}", imported.failed);
        let ann = &imported.docs[0].ann;
        assert_eq!(ann.spans.len(), 2);
        assert_eq!(ann.notes.len(), 1);
        assert_eq!(ann.relations.len(), 1);
        assert_eq!(ann.relations[0].arg2, ann.spans[1].id);
        let [w] = imported.warnings.as_slice() else { panic!("{:?}", imported.warnings) };
        assert!(w.starts_with("task 8 (market): identical duplicate regions dropped"), "{w}");
        assert!(w.contains("PER 'Noor Haddad' 20-31 (2 more)"), "{w}");
    }

    #[test]
    fn a_region_id_used_for_two_different_regions_still_fails() {
        let result = vec![region("n1", 20, 31, "Noor Haddad", "PER"), region("n1", 0, 14, "“Prices fall,”", "QUOTE")];
        let imported = import_tasks(Path::new("export.json"), vec![reviewed(8, TEXT_, result)], &ImportOptions::default());
        assert!(imported.failed[0].to_string().contains("region id n1 is used twice"));
    }

    #[test]
    fn predictions_listed_as_ids_only_are_reported_in_one_line_with_the_export_that_has_them() {
        let task = |id: u64| json!({"id": id, "data": {"text": TEXT_}, "annotations": [], "predictions": [id + 100]});
        let opts = ImportOptions { predictions: true };
        let imported = import_tasks(Path::new("export.json"), vec![task(13), task(14)], &opts);
        assert!(imported.docs.is_empty() && imported.unreviewed.is_empty());
        let [w] = imported.warnings.as_slice() else { panic!("{:?}", imported.warnings) };
        assert!(w.starts_with("2 task(s) that nobody submitted list their predictions as ids only (task 13 (task_13), task 14"), "{w}");
        assert!(w.contains("POST /api/projects/<id>/exports") && w.contains("predictions.only_id=false"), "{w}");
        assert!(w.contains("download_all_tasks=true"), "{w}");
    }
}
