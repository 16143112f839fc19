//! `X.json`: the document's annotations with provenance (text hash, model, settings),
//! for programs. Offsets are characters, as in the `.ann` file.

use crate::annotation::{Label, RelKind};
use crate::document::Document;
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// What produced an annotation file; a rerun with the same provenance can skip the document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    pub tool: String,
    pub tool_version: String,
    pub model_name: String,
    pub model_version: String,
    /// Settings that change the output (precision, window sizes, rules on/off).
    pub settings: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JsonEntity {
    pub id: String,
    #[serde(rename = "type")]
    pub label: Label,
    pub start: usize,
    pub end: usize,
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub score: Option<f32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JsonQuote {
    pub id: String,
    pub start: usize,
    pub end: usize,
    pub text: String,
    pub partial: bool,
    /// The Speaker mention id, if any.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub speaker: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JsonRelation {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: RelKind,
    pub arg1: String,
    pub arg2: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub source: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JsonDocument {
    pub document: String,
    pub sha256: String,
    pub chars: usize,
    pub provenance: Provenance,
    pub entities: Vec<JsonEntity>,
    pub quotes: Vec<JsonQuote>,
    pub relations: Vec<JsonRelation>,
    pub equivalences: Vec<Vec<String>>,
}

impl JsonDocument {
    pub fn from_document(doc: &Document, provenance: Provenance) -> JsonDocument {
        let ann = &doc.ann;
        JsonDocument {
            document: doc.id.clone(),
            sha256: doc.sha256(),
            chars: doc.text.len_chars(),
            provenance,
            entities: ann
                .entities()
                .map(|s| JsonEntity {
                    id: s.id.clone(),
                    label: s.label,
                    start: s.span.start,
                    end: s.span.end,
                    text: doc.slice(s.span).to_string(),
                    score: s.score.map(|x| (x * 10_000.0).round() / 10_000.0),
                })
                .collect(),
            quotes: ann
                .quotes()
                .map(|q| JsonQuote {
                    id: q.id.clone(),
                    start: q.span.start,
                    end: q.span.end,
                    text: doc.slice(q.span).to_string(),
                    partial: q.partial,
                    speaker: ann.speaker_of(&q.id).map(str::to_string),
                })
                .collect(),
            relations: ann
                .relations
                .iter()
                .map(|r| JsonRelation {
                    id: r.id.clone(),
                    kind: r.kind,
                    arg1: r.arg1.clone(),
                    arg2: r.arg2.clone(),
                    source: r.source.clone(),
                })
                .collect(),
            equivalences: ann.equivs.clone(),
        }
    }

    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let mut v = serde_json::to_vec_pretty(self).map_err(|e| Error::Other(e.to_string()))?;
        v.push(b'\n');
        Ok(v)
    }

    pub fn read(path: &Path) -> Result<JsonDocument> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        serde_json::from_slice(&bytes).map_err(|e| Error::parse(path, e.line(), e.to_string()))
    }
}
