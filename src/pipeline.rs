//! The annotation pipeline: the stages in order over a batch of documents, each reading
//! and extending the documents' annotations. NER runs over the whole batch
//! ([`tag_documents`]); then, per document, the rule stages of [`RULE_STAGES`] (each a
//! [`Stage`] that declares what it reads and writes) and the speaker ranker
//! ([`rank_open_quotes`]).

use crate::document::Document;
use crate::error::Result;
use crate::formats::json::Provenance;
use crate::ner::batch::{tag_documents, NerOptions};
use crate::ner::{NerModel, Precision};
use crate::stage::{Stage, StageDoc};
use std::path::Path;

/// Settings that change the output; recorded in every `X.json` (a rerun skips a
/// document only if they are the same).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Settings {
    /// The precision the forward pass ran in (`auto` resolved).
    pub precision: Precision,
    pub ner: NerOptions,
    /// SHA-256 of the model's weights file: two models with the same name and version
    /// (an interim and a final one) are told apart.
    pub model_sha256: String,
    /// The speaker ranker that decides the quotes the rule sieves leave open (its
    /// directory name and weights' SHA-256), if one was loaded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ranker: Option<String>,
}

pub struct Pipeline {
    pub model: NerModel,
    pub settings: Settings,
    /// The speaker ranker (behind a lock: its tensors are not shared between threads).
    pub ranker: Option<std::sync::Mutex<crate::ranker::Ranker>>,
}

/// The speaker ranker shipped beside a NER model: `models/whosaid-speaker-minilm` next to
/// `models/whosaid-ner-minilm`.
pub const RANKER_DIR_NAME: &str = "whosaid-speaker-minilm";

/// The identity of this build's rules: SHA-256 of the library's source and word lists
/// (made by `build.rs`), recorded in every output's provenance.
pub const RULES_SHA256: &str = env!("WHOSAID_RULES_SHA256");

impl Pipeline {
    /// Loads the NER model and, when a speaker ranker sits beside it
    /// ([`RANKER_DIR_NAME`]), the ranker too.
    pub fn load(model_dir: &Path, precision: Precision) -> Result<Pipeline> {
        let ranker = model_dir.parent().map(|p| p.join(RANKER_DIR_NAME)).filter(|d| d.join("model.safetensors").is_file());
        Pipeline::load_with(model_dir, precision, ranker.as_deref())
    }

    /// Loads the NER model and the given speaker ranker (`None`: the rule sieves alone).
    pub fn load_with(model_dir: &Path, precision: Precision, ranker_dir: Option<&Path>) -> Result<Pipeline> {
        // Hash the weights while libtorch loads them.
        let (model, model_sha256) = std::thread::scope(|s| {
            let digest = s.spawn(|| file_sha256(&model_dir.join("model.safetensors")));
            let model = NerModel::load(model_dir, precision);
            (model, digest.join().unwrap_or_default())
        });
        let model = model?;
        let ner = NerOptions {
            pad_multiple: pad_multiple(precision),
            sentence_context_words: model.info.context_words,
            ..NerOptions::default()
        };
        let (ranker, ranker_id) = match ranker_dir {
            Some(dir) => {
                let r = crate::ranker::Ranker::load(dir)?;
                let sha: String = file_sha256(&dir.join("model.safetensors")).chars().take(12).collect();
                let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                (Some(std::sync::Mutex::new(r)), Some(format!("{name} (sha256 {sha})")))
            }
            None => (None, None),
        };
        Ok(Pipeline { model, settings: Settings { precision, ner, model_sha256, ranker: ranker_id }, ranker })
    }

    /// The model's name, version and the start of its weights' SHA-256.
    pub fn model_id(&self) -> String {
        let info = &self.model.info;
        let sha: String = self.settings.model_sha256.chars().take(12).collect();
        format!("{} {} (sha256 {sha})", info.name, info.version)
    }

    /// Runs every stage over a batch of documents (batched together for the model).
    pub fn annotate(&self, docs: &mut [Document]) -> Result<()> {
        tag_documents(&self.model, docs, &self.settings.ner)?;
        for doc in docs.iter_mut() {
            annotate_rules(doc);
            rank_open_quotes(self.ranker.as_ref(), doc)?;
        }
        Ok(())
    }

    pub fn provenance(&self) -> Provenance {
        Provenance {
            tool: "whosaid".into(),
            tool_version: env!("CARGO_PKG_VERSION").into(),
            model_name: self.model.info.name.clone(),
            model_version: self.model.info.version.clone(),
            rules_sha256: RULES_SHA256.into(),
            settings: serde_json::to_value(&self.settings).unwrap_or_default(),
        }
    }
}

/// The padding multiple that keeps a window's logits independent of its batch (see
/// [`crate::ner::padded_width`]): libtorch's bf16 kernels on CPU give the same bits for a
/// row whatever the number of rows, so bf16 needs no padding beyond exact lengths; its
/// fp32 kernels only when rows are padded to a multiple of 16.
pub fn pad_multiple(precision: Precision) -> usize {
    match precision {
        Precision::Bf16 => 1,
        Precision::Fp32 => 16,
    }
}

/// Hex SHA-256 of a file's bytes, streamed (empty if it cannot be read; the model load
/// reports that).
fn file_sha256(path: &Path) -> String {
    crate::document::file_sha256(path).unwrap_or_default()
}

/// The rule stages after NER, in the order they run. Each declares what it reads and
/// writes ([`Stage`]):
///
/// | stage | reads | writes |
/// |---|---|---|
/// | [`entities`](crate::entities) | text, entities | entities (relabelled, split, merged, added) |
/// | [`quotes`](crate::quotes) | text | quotes |
/// | [`coref`](crate::coref) | text, entities | groups |
/// | [`relations`](crate::relations) | text, entities, quotes, groups | HasRole, RoleOrg |
/// | [`attribution`](crate::attribution) | text, entities, quotes, groups, roles | Speaker |
///
/// Before them, NER ([`tag_documents`], batched over documents) writes the entities;
/// after them the speaker ranker ([`rank_open_quotes`]) adds Speaker relations for the
/// quotes no sieve attributed.
pub static RULE_STAGES: &[&dyn Stage] = &[
    &crate::entities::EntityRules,
    &crate::quotes::QuoteFinding,
    &crate::coref::Coreference,
    &crate::relations::RoleLinking,
    &crate::attribution::SpeakerAttribution,
];

/// The rule stages ([`RULE_STAGES`]) over one document whose entities are set. Replaces
/// any quotes, groups and relations the document had.
pub fn annotate_rules(doc: &mut Document) {
    annotate_rules_timed(doc, |_, _| {});
}

/// [`annotate_rules`], telling `each` how long every stage took (for the benchmark).
pub fn annotate_rules_timed(doc: &mut Document, mut each: impl FnMut(&dyn Stage, std::time::Duration)) {
    // The layers the stages make from scratch (written, not read) go first.
    for stage in RULE_STAGES {
        for layer in stage.writes().iter().filter(|l| !stage.reads().contains(*l)) {
            layer.clear(&mut doc.ann);
        }
    }
    let mut sd = StageDoc::new(&doc.text, &mut doc.ann);
    for &stage in RULE_STAGES {
        let t = std::time::Instant::now();
        sd.run(stage);
        each(stage, t.elapsed());
    }
}

/// How far the ranker's best candidate must beat "nobody" (in probability) to be written
/// as the speaker: precision over guessing, for a near tie. Chosen on the development
/// set's 2016-06/07 articles, with a ranker trained without them: of the 15 open quotes
/// the ranker would attribute, 5 wrongly, a margin of 0.1 leaves out one wrong guess (a
/// 0.09 tie) and no right one; the named-source accuracy there is unchanged.
pub const RANKER_MIN_MARGIN: f32 = 0.1;

/// The speaker ranker as the last sieve: the quotes no rule sieve attributed are ranked
/// together (one forward pass per 32), and each gets its best candidate mention when the
/// ranker prefers it to "nobody" by at least [`RANKER_MIN_MARGIN`] (recorded as sieve
/// `ranker`). Pronoun candidates are left
/// alone (they would need coreference). Nothing happens without a ranker.
pub fn rank_open_quotes(ranker: Option<&std::sync::Mutex<crate::ranker::Ranker>>, doc: &mut Document) -> Result<()> {
    use crate::annotation::RelKind;
    use crate::ranker::CandidateKind;
    let Some(ranker) = ranker else { return Ok(()) };
    let open: Vec<(String, crate::document::Span)> = {
        let attributed: std::collections::HashSet<&str> = doc.ann.relations_of(RelKind::Speaker).map(|r| r.arg1.as_str()).collect();
        doc.ann.quotes().filter(|q| !attributed.contains(q.id.as_str())).map(|q| (q.id.clone(), q.span)).collect()
    };
    if open.is_empty() {
        return Ok(());
    }
    let add: Vec<(String, String)> = {
        let view = crate::mentions::View::new(&doc.text, &doc.ann);
        let spans: Vec<_> = open.iter().map(|(_, s)| *s).collect();
        let rankings = {
            let r = ranker.lock().map_err(|_| crate::error::Error::Other("the speaker ranker failed earlier in this run".into()))?;
            r.rank_all(&view, &spans)?
        };
        open.iter()
            .zip(rankings)
            .filter_map(|((qid, _), r)| {
                let (c, p) = r.candidates.iter().find(|(c, _)| matches!(c.kind, CandidateKind::Mention(_)))?;
                let CandidateKind::Mention(i) = c.kind else { return None };
                (*p >= r.nobody + RANKER_MIN_MARGIN).then(|| (qid.clone(), view.mentions[i].id.clone()))
            })
            .collect()
    };
    for (q, m) in add {
        doc.ann.add_relation(RelKind::Speaker, &q, &m, Some("ranker"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stage::Layer;

    #[test]
    fn every_layer_a_stage_reads_is_made_before_it() {
        // NER gives the entities; the text is there from the start.
        let mut made = vec![Layer::Text, Layer::Entities];
        for stage in RULE_STAGES {
            for layer in stage.reads() {
                assert!(made.contains(layer), "{} reads {layer:?} before any stage writes it", stage.name());
            }
            made.extend(stage.writes());
        }
    }

    #[test]
    fn the_stages_have_distinct_names_and_write_distinct_layers() {
        let names: std::collections::HashSet<&str> = RULE_STAGES.iter().map(|s| s.name()).collect();
        assert_eq!(names.len(), RULE_STAGES.len());
        let written: Vec<Layer> = RULE_STAGES.iter().flat_map(|s| s.writes().iter().copied()).collect();
        let distinct: std::collections::HashSet<Layer> = written.iter().copied().collect();
        assert_eq!(distinct.len(), written.len(), "{written:?}");
        assert!(!written.contains(&Layer::Text));
    }

    #[test]
    fn the_rule_stages_replace_what_a_document_had() {
        use crate::annotation::{Label, RelKind};
        let mut doc = Document::new("d", "“We will win,” said John Adler.");
        doc.ann.add_span(Label::PER, crate::document::Span::new(20, 30), Some(0.99));
        // Stale layers: a quote, a group and a relation of each kind.
        let q = doc.ann.add_span(Label::QUOTE, crate::document::Span::new(0, 5), None);
        doc.ann.equivs.push(vec!["T1".into(), q.clone()]);
        for kind in RelKind::ALL {
            doc.ann.add_relation(kind, &q, "T1", None);
        }
        let mut fresh = Document::new("d", doc.text.as_str());
        fresh.ann.add_span(Label::PER, crate::document::Span::new(20, 30), Some(0.99));
        annotate_rules(&mut doc);
        annotate_rules(&mut fresh);
        assert_eq!(doc.ann.quotes().count(), 1);
        assert_eq!(doc.ann.speaker_of(&doc.ann.quotes().next().unwrap().id), Some("T1"));
        // The stale quote's id T2 is gone, and the new quote is numbered after the entities.
        assert_eq!(doc.ann, fresh.ann);
    }
}
