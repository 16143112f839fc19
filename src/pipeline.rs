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
