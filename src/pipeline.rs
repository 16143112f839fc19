//! The annotation pipeline: the stages in order over a batch of documents, each reading
//! and extending the documents' annotations.

use crate::document::Document;
use crate::error::Result;
use crate::formats::json::Provenance;
use crate::ner::batch::{tag_documents, NerOptions};
use crate::ner::{NerModel, Precision};
use std::path::Path;

/// Settings that change the output; recorded in every `X.json`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Settings {
    pub precision: Precision,
    pub ner: NerOptions,
}

pub struct Pipeline {
    pub model: NerModel,
    pub settings: Settings,
}

impl Pipeline {
    pub fn load(model_dir: &Path, precision: Precision) -> Result<Pipeline> {
        let model = NerModel::load(model_dir, precision)?;
        Ok(Pipeline { model, settings: Settings { precision, ner: NerOptions::default() } })
    }

    /// Runs every stage over a batch of documents (batched together for the model).
    pub fn annotate(&self, docs: &mut [Document]) -> Result<()> {
        tag_documents(&self.model, docs, &self.settings.ner)?;
        for doc in docs.iter_mut() {
            annotate_rules(doc);
        }
        Ok(())
    }

    pub fn provenance(&self) -> Provenance {
        Provenance {
            tool: "whosaid".into(),
            tool_version: env!("CARGO_PKG_VERSION").into(),
            model_name: self.model.info.name.clone(),
            model_version: self.model.info.version.clone(),
            settings: serde_json::to_value(&self.settings).unwrap_or_default(),
        }
    }
}

/// The rule stages after NER, over one document whose entities are set: quotations,
/// coreference, HasRole/RoleOrg, then speakers. Replaces any quotes and relations the
/// document had; keeps its entities.
pub fn annotate_rules(doc: &mut Document) {
    doc.ann.spans.retain(|s| s.label != crate::annotation::Label::QUOTE);
    doc.ann.relations.clear();
    doc.ann.equivs.clear();
    for q in crate::quotes::find_quotes(&doc.text) {
        let id = doc.ann.add_span(crate::annotation::Label::QUOTE, q.span, None);
        if let Some(s) = doc.ann.spans.iter_mut().find(|s| s.id == id) {
            s.partial = q.partial;
        }
    }
    doc.ann.sort_spans();
    crate::coref::link(&doc.text, &mut doc.ann);
    crate::relations::link(&doc.text, &mut doc.ann);
    crate::attribution::link(&doc.text, &mut doc.ann);
}
