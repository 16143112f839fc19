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
    /// SHA-256 of the library's source and word lists at build time (`build.rs`): the rules
    /// that made the output, so a rerun after a rule change redoes it even at the same
    /// version. Empty in files written before it was recorded (those are redone too).
    #[serde(default)]
    pub rules_sha256: String,
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
    /// The speaker's canonical name: the longest named mention of its Equiv group (the
    /// role's text for an unnamed source such as `spokesman`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub speaker_name: Option<String>,
    /// PER, ORG or ROLE: the type of the entity that gave the name.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub speaker_type: Option<Label>,
    /// The speaker's roles (HasRole) and their organisations (RoleOrg; the speaker itself
    /// when an organisation speaks).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub roles: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub organisations: Vec<String>,
    /// The attribution sieve that decided the speaker (see `attribution`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub sieve: Option<String>,
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
    /// The source text file when the document was read from one (not for JSON Lines
    /// input), relative to this file's folder (`../corpus/a.txt`; absolute when the two
    /// share no folder): `quotes` and `export` find the text of an output folder through
    /// it, checking `sha256`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_path: Option<String>,
    pub sha256: String,
    pub chars: usize,
    pub provenance: Provenance,
    pub entities: Vec<JsonEntity>,
    pub quotes: Vec<JsonQuote>,
    pub relations: Vec<JsonRelation>,
    pub equivalences: Vec<Vec<String>>,
}

/// `text` as written in the `text_path` of `json` (see [`JsonDocument::text_path`]).
pub fn text_path_from(json: &Path, text: &Path) -> Option<String> {
    let abs = |p: &Path| std::path::absolute(p).ok();
    let (dir, text) = (abs(json.parent()?)?, abs(text)?);
    let (d, t): (Vec<_>, Vec<_>) = (dir.components().collect(), text.components().collect());
    let common = d.iter().zip(&t).take_while(|(a, b)| a == b).count();
    if common <= 1 {
        return Some(text.to_string_lossy().into_owned());
    }
    let mut rel = std::path::PathBuf::new();
    for _ in common..d.len() {
        rel.push("..");
    }
    for c in &t[common..] {
        rel.push(c.as_os_str());
    }
    Some(rel.to_string_lossy().into_owned())
}

/// The text file a `text_path` names, for the X.json at `json`.
pub fn resolve_text_path(json: &Path, text_path: &str) -> std::path::PathBuf {
    let p = Path::new(text_path);
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        json.parent().unwrap_or(Path::new(".")).join(p)
    }
}

impl JsonDocument {
    pub fn from_document(doc: &Document, provenance: Provenance) -> JsonDocument {
        let ann = &doc.ann;
        // Each quote's first Speaker relation, looked up once per document (a long
        // document has thousands of quotes).
        let mut speaker_rel: std::collections::HashMap<&str, &crate::annotation::Relation> = Default::default();
        for r in ann.relations_of(RelKind::Speaker) {
            speaker_rel.entry(r.arg1.as_str()).or_insert(r);
        }
        JsonDocument {
            document: doc.id.clone(),
            text_path: None,
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
                    // A span not in the text (the readers check for them) has no text.
                    text: doc.text.get(s.span).unwrap_or_default().to_string(),
                    score: s.score.map(|x| (x * 10_000.0).round() / 10_000.0),
                })
                .collect(),
            quotes: crate::formats::speakers::quote_sources(doc)
                .into_iter()
                .map(|qs| {
                    let q = qs.quote;
                    let rel = speaker_rel.get(q.id.as_str()).copied();
                    JsonQuote {
                        id: q.id.clone(),
                        start: q.span.start,
                        end: q.span.end,
                        text: doc.text.get(q.span).unwrap_or_default().to_string(),
                        partial: q.partial,
                        speaker: rel.map(|r| r.arg2.clone()),
                        speaker_name: qs.source.as_ref().map(|s| s.name.clone()),
                        speaker_type: qs.source.as_ref().map(|s| s.label),
                        roles: qs.source.as_ref().map(|s| s.roles.clone()).unwrap_or_default(),
                        organisations: qs.source.as_ref().map(|s| s.orgs.clone()).unwrap_or_default(),
                        sieve: rel.and_then(|r| r.source.clone()),
                    }
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
