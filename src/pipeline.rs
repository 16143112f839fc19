//! The annotation pipeline: the stages in order over a batch of documents, each reading
//! and extending the documents' annotations.

use crate::document::Document;
use crate::error::Result;
use crate::formats::json::Provenance;
use crate::ner::batch::{tag_documents, NerOptions};
use crate::ner::{NerModel, Precision};
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
    let Ok(mut file) = std::fs::File::open(path) else { return String::new() };
    crate::document::sha256_hex_reader(&mut file).unwrap_or_default()
}

/// The rule stages after NER, over one document whose entities are set: the entity rules
/// ([`crate::entities`]), quotations, coreference, HasRole/RoleOrg, then speakers.
/// Replaces any quotes and relations the document had.
pub fn annotate_rules(doc: &mut Document) {
    doc.ann.spans.retain(|s| s.label != crate::annotation::Label::QUOTE);
    doc.ann.relations.clear();
    doc.ann.equivs.clear();
    crate::entities::normalise(&doc.text, &mut doc.ann);
    // Ids continue from the highest `T` number, as `Annotations::add_span` numbers them
    // (counted once: a long document has thousands of quotes and entities).
    let first = doc.ann.spans.iter().filter_map(|s| s.id.strip_prefix('T')?.parse::<usize>().ok()).max().unwrap_or(0) + 1;
    for (n, q) in (first..).zip(crate::quotes::find_quotes(&doc.text)) {
        let (id, label) = (format!("T{n}"), crate::annotation::Label::QUOTE);
        doc.ann.spans.push(crate::annotation::SpanAnn { id, label, span: q.span, score: None, partial: q.partial });
    }
    doc.ann.sort_spans();
    // Entities and quotes are fixed from here on: one view serves the three stages.
    let view = crate::mentions::View::new(&doc.text, &doc.ann);
    doc.ann.equivs = crate::coref::groups_in(&view);
    crate::relations::link_roles_in(&view, &mut doc.ann);
    crate::attribution::attribute_speakers_in(&view, &mut doc.ann);
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
