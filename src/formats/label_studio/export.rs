//! Export: one task per document with its annotations as a prediction to review, and the
//! labelling interface (`label-config.xml`) that shows them.

use super::schema::{ChoicesValue, LabelsValue, Prediction, PredictionEntry, ResultItem, Task, TaskData, TextAreaValue};
use super::{DEFAULT_MODEL_VERSION, LABELS, NOTES, PARTIAL_CHOICES, TEXT};
use crate::annotation::{Label, RelKind};
use crate::document::Document;
use crate::error::{Error, Result};
use crate::formats::review::{
    equiv_links, label_colour, relation_colour, BratPairs, ExportOptions, Written, ANNOTATOR_NOTES, EQUIV, PARTIAL,
};
use crate::formats::write_atomic;
use serde_json::Value;
use std::fmt::Write as _;
use std::path::Path;

/// The labelling interface matching [`tasks`]: the six span labels in the export colours,
/// the three relations plus `Equiv`, `Partial` for a selected QUOTE, and a note per region.
pub fn labeling_config() -> String {
    let mut x = String::from("<View>\n  <Header value=\"$document\"/>\n");
    let _ = writeln!(x, "  <Labels name=\"{LABELS}\" toName=\"{TEXT}\" showInline=\"true\">");
    for label in Label::ENTITIES.iter().chain([Label::QUOTE].iter()) {
        let _ = writeln!(x, "    <Label value=\"{label}\" background=\"{}\"/>", label_colour(*label));
    }
    x.push_str("  </Labels>\n  <Relations>\n");
    for kind in RelKind::ALL {
        let _ = writeln!(x, "    <Relation value=\"{kind}\" background=\"{}\"/>", relation_colour(kind));
    }
    let _ = writeln!(x, "    <Relation value=\"{EQUIV}\" background=\"#7f7f7f\"/>");
    x.push_str("  </Relations>\n");
    let _ = writeln!(x, "  <Text name=\"{TEXT}\" value=\"$text\"/>");
    let _ = writeln!(
        x,
        "  <Choices name=\"{PARTIAL_CHOICES}\" toName=\"{TEXT}\" perRegion=\"true\" visibleWhen=\"region-selected\" \
         whenTagName=\"{LABELS}\" whenLabelValue=\"QUOTE\">\n    <Choice value=\"{PARTIAL}\" \
         hint=\"a fragment quoted inside reported speech\"/>\n  </Choices>"
    );
    let _ = writeln!(
        x,
        "  <TextArea name=\"{NOTES}\" toName=\"{TEXT}\" perRegion=\"true\" editable=\"true\" \
         placeholder=\"Reviewer note ({ANNOTATOR_NOTES})\"/>"
    );
    x.push_str("</View>\n");
    x
}

/// One task per document, its annotations as one prediction. Warnings name what Label
/// Studio cannot hold (a note on a relation).
pub fn tasks(corpus: &BratPairs, opts: &ExportOptions) -> (Vec<Task>, Vec<String>) {
    let mut warnings = vec![];
    let tasks = corpus
        .docs
        .iter()
        .map(|doc| {
            let model_version = opts
                .model_version
                .clone()
                .or_else(|| corpus.model_versions.get(&doc.id).cloned())
                .unwrap_or_else(|| DEFAULT_MODEL_VERSION.to_string());
            let (result, w) = result_items(doc);
            warnings.extend(w.into_iter().map(|w| format!("{}: {w}", doc.id)));
            let scores: Vec<f64> = doc.ann.spans.iter().filter_map(|s| s.score.map(f64::from)).collect();
            let score = (!scores.is_empty()).then(|| round4(scores.iter().sum::<f64>() / scores.len() as f64));
            Task {
                id: None,
                data: TaskData { text: doc.text.as_str().to_string(), document: Some(doc.id.clone()) },
                annotations: vec![],
                predictions: vec![PredictionEntry::Full(Prediction { model_version, score, result })],
            }
        })
        .collect();
    (tasks, warnings)
}

/// The result items of one document (see the table in the module docs).
pub fn result_items(doc: &Document) -> (Vec<ResultItem>, Vec<String>) {
    let ann = &doc.ann;
    let mut warnings = vec![];
    let mut out: Vec<ResultItem> = ann
        .spans
        .iter()
        .map(|s| ResultItem::Labels {
            id: s.id.clone(),
            from_name: LABELS.into(),
            to_name: TEXT.into(),
            value: LabelsValue {
                start: s.span.start,
                end: s.span.end,
                // Spans are checked against the text when the pair is read.
                text: Some(doc.text.get(s.span).unwrap_or_default().to_string()),
                labels: vec![s.label.to_string()],
            },
            score: s.score.map(|x| round4(f64::from(x))),
        })
        .collect();
    for s in ann.spans.iter().filter(|s| s.partial) {
        out.push(ResultItem::Choices {
            id: Some(s.id.clone()),
            from_name: PARTIAL_CHOICES.into(),
            to_name: TEXT.into(),
            value: ChoicesValue { start: Some(s.span.start), end: Some(s.span.end), choices: vec![PARTIAL.into()] },
        });
    }
    // One textarea per region, holding its notes in file order.
    let mut targets: Vec<&str> = vec![];
    for note in &ann.notes {
        if ann.span(&note.target).is_none() {
            warnings.push(format!("note {} is on {}, not on a span: Label Studio has no place for it", note.id, note.target));
        } else if !targets.contains(&note.target.as_str()) {
            targets.push(&note.target);
        }
        if note.kind != ANNOTATOR_NOTES {
            warnings.push(format!("note {} of type {} comes back as {ANNOTATOR_NOTES}", note.id, note.kind));
        }
    }
    for target in targets {
        let Some(s) = ann.span(target) else { continue };
        let texts: Vec<Value> =
            ann.notes.iter().filter(|n| n.target == target).map(|n| Value::String(n.text.clone())).collect();
        out.push(ResultItem::TextArea {
            id: Some(target.to_string()),
            from_name: NOTES.into(),
            to_name: TEXT.into(),
            value: TextAreaValue { start: Some(s.span.start), end: Some(s.span.end), text: Value::Array(texts) },
        });
    }
    for r in &ann.relations {
        out.push(ResultItem::Relation {
            from_id: r.arg1.clone(),
            to_id: r.arg2.clone(),
            direction: Some("right".into()),
            labels: vec![r.kind.to_string()],
        });
    }
    for (a, b) in equiv_links(&ann.equivs) {
        out.push(ResultItem::Relation {
            from_id: a.to_string(),
            to_id: b.to_string(),
            direction: Some("right".into()),
            labels: vec![EQUIV.into()],
        });
    }
    (out, warnings)
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// Writes `OUT/tasks.json` and `OUT/label-config.xml`.
pub fn write(corpus: &BratPairs, out: &Path, opts: &ExportOptions) -> Result<Written> {
    let (tasks, warnings) = tasks(corpus, opts);
    let mut json = serde_json::to_vec_pretty(&tasks).map_err(|e| Error::Other(e.to_string()))?;
    json.push(b'\n');
    let tasks_path = out.join("tasks.json");
    let config_path = out.join("label-config.xml");
    write_atomic(&tasks_path, &json)?;
    write_atomic(&config_path, labeling_config().as_bytes())?;
    Ok(Written { files: vec![tasks_path, config_path], warnings })
}
