//! The NER model: rust-bert's `BertForTokenClassification` on libtorch, the HF
//! tokenizer, and the label set, loaded from (and saved to) a model directory:
//!
//! ```text
//! config.json        BERT config + id2label/label2id (BIO over PER ORG LOC MISC ROLE) + "whosaid" block
//! tokenizer.json     HF tokenizer, padding and truncation off
//! model.safetensors  weights, rust-bert names (`bert.…`, `classifier.…`), fp32 or fp16
//! MODEL_CARD.md      data, command, seed, time, scores
//! ```
//!
//! Input words carry a casing bit in `token_type_ids`: 1 for every word piece of a word
//! that contains an uppercase letter (the base encoder is uncased). Training and
//! inference both go through [`NerModel::encode`], so they cannot disagree.

use crate::error::{Error, Result};
use rust_bert::bert::{BertConfig, BertForTokenClassification};
use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use tch::{nn, Device, Kind, Tensor};
use tokenizers::Tokenizer;

/// BIO labels over the five entity types, in model output order.
pub const LABELS: [&str; 11] = [
    "O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC", "B-ROLE", "I-ROLE",
];

/// Numeric precision for inference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    Fp32,
    Bf16,
}

/// What `config.json` says about the model beyond the BERT architecture.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ModelInfo {
    pub name: String,
    pub version: String,
    /// Casing bit in token_type_ids.
    pub casing_bit: bool,
    /// Words of the neighbouring sentences fed on each side of a sentence in training
    /// (0: sentences alone); inference feeds the same.
    #[serde(default)]
    pub context_words: usize,
}

/// One encoded sequence of words.
#[derive(Debug, Clone)]
pub struct Encoded {
    pub ids: Vec<i64>,
    pub type_ids: Vec<i64>,
    /// For each input word, the position of its first word piece (None if the word
    /// produced no piece, e.g. a control character, or it was cut off).
    pub first_piece: Vec<Option<usize>>,
}

pub struct NerModel {
    pub dir: PathBuf,
    pub vs: nn::VarStore,
    pub bert: BertForTokenClassification,
    pub tokenizer: Tokenizer,
    pub labels: Vec<String>,
    pub info: ModelInfo,
    pub config: Value,
    pub kind: Kind,
}

impl NerModel {
    /// Loads a trained model directory for inference.
    pub fn load(dir: &Path, precision: Precision) -> Result<NerModel> {
        if !dir.is_dir() {
            return Err(Error::model(dir, "not a directory (expected config.json, tokenizer.json, model.safetensors)"));
        }
        let config = read_json(&dir.join("config.json"))?;
        let labels = labels_of(&config).ok_or_else(|| Error::model(dir, "config.json has no id2label"))?;
        let info: ModelInfo = config
            .get("whosaid")
            .cloned()
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or(ModelInfo { name: dir_name(dir), version: "unknown".into(), casing_bit: false, context_words: 0 });
        let mut model = Self::build(dir, config, labels, info)?;
        model.fill_from(&dir.join("model.safetensors"), "")?;
        model.set_precision(precision);
        model.check_probe()?;
        Ok(model)
    }

    /// One tiny forward pass at load: a model whose weights are corrupt in a way the file
    /// checks cannot see (or whose config rust-bert cannot run) is refused here, not used
    /// silently.
    fn check_probe(&self) -> Result<()> {
        let enc = self.encode(&["John", "Smith", "said", "."], 16)?;
        let (ids, mask, types) = self.batch_tensors(&[&enc]);
        let finite = quietly(|| {
            tch::no_grad(|| -> Result<bool> {
                let logits = self.logits(&ids, &mask, &types, false);
                Ok(logits.f_isfinite()?.f_all()?.f_int64_value(&[])? == 1)
            })
        })
        .map_err(|m| Error::model(&self.dir, format!("the model fails on a probe sentence: {m}")))??;
        if !finite {
            return Err(Error::model(&self.dir, "the model's output on a probe sentence is not finite (NaN or infinite): corrupt weights"));
        }
        Ok(())
    }

    /// A model to train: the base encoder's weights (a bare encoder's names get the
    /// `bert.` prefix), and a randomly initialised classifier over [`LABELS`] unless the
    /// base is itself a whosaid model with the same labels (then training continues it).
    pub fn from_base(base: &Path, name: &str, version: &str) -> Result<NerModel> {
        let mut config = read_json(&base.join("config.json"))?;
        let labels: Vec<String> = LABELS.iter().map(|s| s.to_string()).collect();
        let id2label: serde_json::Map<String, Value> =
            labels.iter().enumerate().map(|(i, l)| (i.to_string(), Value::from(l.clone()))).collect();
        let label2id: serde_json::Map<String, Value> =
            labels.iter().enumerate().map(|(i, l)| (l.clone(), Value::from(i))).collect();
        let info = ModelInfo { name: name.into(), version: version.into(), casing_bit: true, context_words: 0 };
        if let Some(obj) = config.as_object_mut() {
            obj.insert("id2label".into(), Value::Object(id2label));
            obj.insert("label2id".into(), Value::Object(label2id));
            obj.insert("architectures".into(), Value::from(vec!["BertForTokenClassification"]));
            obj.insert("whosaid".into(), serde_json::to_value(&info).map_err(|e| Error::Other(e.to_string()))?);
        }
        let mut model = Self::build(base, config, labels, info)?;
        model.fill_from(&base.join("model.safetensors"), "bert.")?;
        Ok(model)
    }

    fn build(dir: &Path, config: Value, labels: Vec<String>, info: ModelInfo) -> Result<NerModel> {
        let bert_config: BertConfig = serde_json::from_value(config.clone())
            .map_err(|e| Error::model(dir, format!("config.json is not a BERT config: {e}")))?;
        let mut tokenizer = Tokenizer::from_file(dir.join("tokenizer.json"))
            .map_err(|e| Error::model(dir, format!("tokenizer.json: {e}")))?;
        tokenizer.with_padding(None);
        tokenizer
            .with_truncation(None)
            .map_err(|e| Error::model(dir, format!("tokenizer.json: {e}")))?;
        let vs = nn::VarStore::new(Device::Cpu);
        // rust-bert asserts on configs it cannot build (`num_attention_heads` that does
        // not divide `hidden_size`): that is a one-line model error, not a panic.
        let bert = quietly(|| BertForTokenClassification::new(vs.root(), &bert_config))
            .map_err(|m| Error::model(dir, format!("config.json describes a model rust-bert cannot build: {m}")))?
            .map_err(|e| Error::model(dir, e.to_string()))?;
        Ok(NerModel { dir: dir.to_path_buf(), vs, bert, tokenizer, labels, info, config, kind: Kind::Float })
    }

    /// Copies weights from a safetensors file into the variables; `prefix` is what the
    /// file's names lack (`bert.` for a bare encoder). Every variable except the
    /// classifier must be present when loading a base; all must be present otherwise.
    fn fill_from(&mut self, file: &Path, prefix: &str) -> Result<()> {
        if !file.is_file() {
            return Err(Error::model(&self.dir, format!("missing {}", file.display())));
        }
        // A bare encoder's names lack `bert.`; a whosaid model's names already have it.
        let tensors: HashMap<String, Tensor> = Tensor::read_safetensors(file)
            .map_err(|e| Error::model(&self.dir, format!("cannot read {}: {e}", file.display())))?
            .into_iter()
            .map(|(n, t)| {
                if n.starts_with(prefix) || n.starts_with("classifier.") {
                    (n, t)
                } else {
                    (format!("{prefix}{n}"), t)
                }
            })
            .collect();
        let variables = self.vs.variables();
        if prefix.is_empty() {
            // A trained model's file holds exactly the variables its config makes: a
            // tensor the config does not use (`num_hidden_layers` lowered) means the
            // config and the weights do not belong together.
            let mut unused: Vec<&str> = tensors.keys().filter(|n| !variables.contains_key(n.as_str())).map(String::as_str).collect();
            if !unused.is_empty() {
                unused.sort();
                return Err(Error::model(
                    &self.dir,
                    format!("{} has {} weight(s) config.json does not use: {}", file.display(), unused.len(), name_list(&unused)),
                ));
            }
        }
        let mut missing = vec![];
        let mut not_finite = vec![];
        tch::no_grad(|| -> Result<()> {
            for (name, mut var) in variables {
                match tensors.get(&name) {
                    Some(src) if name.starts_with("classifier.") && src.size() != var.size() && !prefix.is_empty() => {}
                    Some(src) if src.size() == var.size() => {
                        var.f_copy_(&src.to_kind(var.kind()))?;
                        // One sum per tensor: NaN or infinite if any value is (finite
                        // weights are far too small to overflow it).
                        if !var.f_sum(Kind::Float)?.f_double_value(&[])?.is_finite() {
                            not_finite.push(name);
                        }
                    }
                    Some(src) => {
                        return Err(Error::model(
                            &self.dir,
                            format!("{name}: shape {:?} in file, {:?} expected", src.size(), var.size()),
                        ))
                    }
                    None if !prefix.is_empty() && name.starts_with("classifier.") => {}
                    None => missing.push(name),
                }
            }
            Ok(())
        })?;
        if !missing.is_empty() {
            missing.sort();
            return Err(Error::model(&self.dir, format!("weights missing from {}: {}", file.display(), missing.join(", "))));
        }
        if !not_finite.is_empty() {
            not_finite.sort();
            let names: Vec<&str> = not_finite.iter().map(String::as_str).collect();
            return Err(Error::model(
                &self.dir,
                format!("{} is corrupt: NaN or infinite values in {}", file.display(), name_list(&names)),
            ));
        }
        Ok(())
    }

    pub fn set_precision(&mut self, precision: Precision) {
        match precision {
            Precision::Fp32 => {
                self.vs.float();
                self.kind = Kind::Float;
            }
            Precision::Bf16 => {
                self.vs.bfloat16();
                self.kind = Kind::BFloat16;
            }
        }
    }

    /// Encodes pre-split words: `[CLS] pieces… [SEP]`, casing bits, first-piece index per
    /// word. At most `max_pieces` pieces in all (special tokens included): words past the
    /// limit get `None`. Same as [`Encoder::encode`].
    pub fn encode(&self, words: &[&str], max_pieces: usize) -> Result<Encoded> {
        self.encoder().encode(words, max_pieces)
    }

    /// The tokenizer side of the model, which can be shared across threads (the weights
    /// cannot), for encoding documents in parallel with the forward pass.
    pub fn encoder(&self) -> Encoder<'_> {
        Encoder { tokenizer: &self.tokenizer, casing_bit: self.info.casing_bit }
    }

    /// Stacks encoded sequences into padded `(ids, mask, type_ids)` tensors.
    pub fn batch_tensors(&self, batch: &[&Encoded]) -> (Tensor, Tensor, Tensor) {
        let width = batch.iter().map(|e| e.ids.len()).max().unwrap_or(0);
        self.batch_tensors_padded(batch, width)
    }

    /// Like [`batch_tensors`](Self::batch_tensors), padded to `width` pieces (at least the
    /// longest sequence), so that the shape of a batch can be chosen by the caller.
    pub fn batch_tensors_padded(&self, batch: &[&Encoded], width: usize) -> (Tensor, Tensor, Tensor) {
        let width = batch.iter().map(|e| e.ids.len()).max().unwrap_or(0).max(width);
        let rows = batch.len();
        let mut ids = vec![0i64; rows * width];
        let mut mask = vec![0i64; rows * width];
        let mut types = vec![0i64; rows * width];
        for (r, e) in batch.iter().enumerate() {
            let o = r * width;
            ids[o..o + e.ids.len()].copy_from_slice(&e.ids);
            types[o..o + e.ids.len()].copy_from_slice(&e.type_ids);
            mask[o..o + e.ids.len()].iter_mut().for_each(|m| *m = 1);
        }
        let shape = [rows as i64, width as i64];
        (
            Tensor::from_slice(&ids).view(shape),
            Tensor::from_slice(&mask).view(shape),
            Tensor::from_slice(&types).view(shape),
        )
    }

    /// Logits `(batch, pieces, labels)`, in fp32 whatever the model's precision.
    pub fn logits(&self, ids: &Tensor, mask: &Tensor, types: &Tensor, train: bool) -> Tensor {
        let out = self.bert.forward_t(Some(ids), Some(mask), Some(types), None, None, train);
        out.logits.to_kind(Kind::Float)
    }

    /// Records how many words of neighbouring sentences the model is trained to see.
    pub fn set_context_words(&mut self, words: usize) {
        self.info.context_words = words;
        if let Some(obj) = self.config.as_object_mut() {
            if let Ok(v) = serde_json::to_value(&self.info) {
                obj.insert("whosaid".into(), v);
            }
        }
    }

    /// Saves the model directory (config, tokenizer, weights); `fp16` halves the file.
    pub fn save(&self, dir: &Path, fp16: bool) -> Result<()> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let config = serde_json::to_vec_pretty(&self.config).map_err(|e| Error::Other(e.to_string()))?;
        crate::formats::write_atomic(&dir.join("config.json"), &config)?;
        let tok = self
            .tokenizer
            .to_string(true)
            .map_err(|e| Error::Other(format!("tokenizer: {e}")))?;
        crate::formats::write_atomic(&dir.join("tokenizer.json"), tok.as_bytes())?;
        let mut named: Vec<(String, Tensor)> = self
            .vs
            .variables()
            .into_iter()
            .map(|(n, t)| {
                let t = t.detach();
                (n, if fp16 { t.to_kind(Kind::Half) } else { t.to_kind(Kind::Float) })
            })
            .collect();
        write_weights(&mut named, &dir.join("model.safetensors"))?;
        write_hf_tokenizer_files(dir)
    }

    pub fn label_id(&self, label: &str) -> Option<usize> {
        self.labels.iter().position(|l| l == label)
    }
}

/// Writes named tensors (sorted by name) to a safetensors file, atomically, with the
/// `{"format": "pt"}` metadata Hugging Face `transformers` requires to load it
/// (`from_pretrained` reads `metadata["format"]`). Every model file whosaid writes goes
/// through here.
pub fn write_weights(named: &mut [(String, Tensor)], file: &Path) -> Result<()> {
    named.sort_by(|a, b| a.0.cmp(&b.0));
    let tmp = file.with_extension("safetensors.tmp");
    Tensor::write_safetensors(named, &tmp)?;
    let bytes = std::fs::read(&tmp).map_err(|e| Error::io(&tmp, e))?;
    let with_metadata = add_safetensors_metadata(&bytes).map_err(|e| Error::model(&tmp, e))?;
    crate::formats::write_atomic(file, &with_metadata)?;
    std::fs::remove_file(&tmp).map_err(|e| Error::io(&tmp, e))
}

/// The same safetensors bytes with `__metadata__: {"format": "pt"}` in the header (the
/// header is re-serialised and padded with spaces to a multiple of 8 bytes, as the format
/// allows; tensor offsets are relative to the data, which is unchanged).
pub fn add_safetensors_metadata(bytes: &[u8]) -> std::result::Result<Vec<u8>, String> {
    let len_bytes: [u8; 8] = bytes.get(..8).and_then(|b| b.try_into().ok()).ok_or("shorter than a safetensors header")?;
    let n = usize::try_from(u64::from_le_bytes(len_bytes)).map_err(|_| "header length overflows")?;
    let header = bytes.get(8..8 + n).ok_or("header length past the end of the file")?;
    let mut json: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(header).map_err(|e| format!("header: {e}"))?;
    let meta = json.entry("__metadata__").or_insert_with(|| serde_json::json!({}));
    if let Some(m) = meta.as_object_mut() {
        m.insert("format".into(), "pt".into());
    }
    let mut head = serde_json::to_vec(&json).map_err(|e| e.to_string())?;
    while head.len() % 8 != 0 {
        head.push(b' ');
    }
    let mut out = Vec::with_capacity(8 + head.len() + bytes.len() - 8 - n);
    out.extend_from_slice(&(head.len() as u64).to_le_bytes());
    out.extend_from_slice(&head);
    out.extend_from_slice(&bytes[8 + n..]);
    Ok(out)
}

/// `tokenizer_config.json` and `special_tokens_map.json` beside `tokenizer.json`, so that
/// `AutoTokenizer.from_pretrained(dir)` loads the same (lower-casing WordPiece) tokenizer.
pub fn write_hf_tokenizer_files(dir: &Path) -> Result<()> {
    let specials = serde_json::json!({
        "unk_token": "[UNK]", "sep_token": "[SEP]", "pad_token": "[PAD]", "cls_token": "[CLS]", "mask_token": "[MASK]"
    });
    let mut config = specials.clone();
    if let Some(c) = config.as_object_mut() {
        c.insert("tokenizer_class".into(), "BertTokenizer".into());
        c.insert("do_lower_case".into(), true.into());
        c.insert("model_max_length".into(), 512.into());
    }
    for (name, value) in [("tokenizer_config.json", config), ("special_tokens_map.json", specials)] {
        let bytes = serde_json::to_vec_pretty(&value).map_err(|e| Error::Other(e.to_string()))?;
        crate::formats::write_atomic(&dir.join(name), &bytes)?;
    }
    Ok(())
}

/// Encodes words into word pieces with the model's tokenizer and casing bit. Training
/// and inference both encode through this, so they cannot disagree.
#[derive(Clone, Copy)]
pub struct Encoder<'a> {
    pub tokenizer: &'a Tokenizer,
    pub casing_bit: bool,
}

impl Encoder<'_> {
    /// Encodes pre-split words: `[CLS] pieces… [SEP]`, casing bits, first-piece index per
    /// word. At most `max_pieces` pieces in all (special tokens included): words past the
    /// limit get `None`.
    pub fn encode(&self, words: &[&str], max_pieces: usize) -> Result<Encoded> {
        // Format characters (soft hyphens, zero-width spaces) inside a word are not fed.
        let fed: Vec<std::borrow::Cow<str>> = words.iter().map(|w| crate::segment::strip_format(w)).collect();
        let fed: Vec<&str> = fed.iter().map(|w| w.as_ref()).collect();
        let enc = self
            .tokenizer
            .encode(fed.as_slice(), true)
            .map_err(|e| Error::Other(format!("tokenizer: {e}")))?;
        let ids = enc.get_ids();
        let word_ids = enc.get_word_ids();
        let n = ids.len().min(max_pieces.max(2));
        let mut out = Encoded { ids: Vec::with_capacity(n), type_ids: Vec::with_capacity(n), first_piece: vec![None; words.len()] };
        let cased: Vec<bool> = words.iter().map(|w| w.chars().any(char::is_uppercase)).collect();
        for (i, (&id, wid)) in ids.iter().zip(word_ids).enumerate().take(n - 1) {
            out.ids.push(id as i64);
            let casing = wid.map(|w| self.casing_bit && cased[w as usize]).unwrap_or(false);
            out.type_ids.push(casing as i64);
            if let Some(w) = wid {
                let slot = &mut out.first_piece[*w as usize];
                if slot.is_none() {
                    *slot = Some(i);
                }
            }
        }
        // Close with [SEP] (the last piece of the full encoding).
        if let Some(&sep) = ids.last() {
            if out.ids.len() < ids.len() {
                out.ids.push(sep as i64);
                out.type_ids.push(0);
            }
        }
        Ok(out)
    }
}

/// The first names of a list, and how many more (for one-line errors).
fn name_list(names: &[&str]) -> String {
    const SHOWN: usize = 3;
    let mut s = names.iter().take(SHOWN).copied().collect::<Vec<_>>().join(", ");
    if names.len() > SHOWN {
        s += &format!(" and {} more", names.len() - SHOWN);
    }
    s
}

/// Runs `f`, turning a panic into its message's first line, with the default panic
/// hook's report silenced meanwhile (rust-bert and tch panic on inputs they cannot use).
fn quietly<T>(f: impl FnOnce() -> T) -> std::result::Result<T, String> {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    std::panic::set_hook(hook);
    result.map_err(|panic| {
        let msg = panic
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| panic.downcast_ref::<&str>().copied())
            .unwrap_or("panic");
        msg.lines().next().unwrap_or("panic").to_string()
    })
}

fn read_json(path: &Path) -> Result<Value> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    serde_json::from_slice(&bytes).map_err(|e| Error::parse(path, e.line(), e.to_string()))
}

fn labels_of(config: &Value) -> Option<Vec<String>> {
    let map = config.get("id2label")?.as_object()?;
    let mut pairs: Vec<(usize, String)> =
        map.iter().filter_map(|(k, v)| Some((k.parse().ok()?, v.as_str()?.to_string()))).collect();
    pairs.sort();
    let ok = pairs.iter().enumerate().all(|(i, (k, _))| i == *k);
    ok.then(|| pairs.into_iter().map(|(_, l)| l).collect())
}

fn dir_name(dir: &Path) -> String {
    dir.file_name().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "model".into())
}
