//! Weight averaging of fine-tuned NER models (a "model soup": Wortsman et al. 2022,
//! *Model soups: averaging weights of multiple fine-tuned models improves accuracy without
//! increasing inference time*).
//!
//! Models fine-tuned from one base (the same architecture, labels and tokenizer) can be
//! averaged tensor by tensor: the result is one model of the same size and speed. whosaid's
//! shipped model is such an average of three `whosaid train` runs (the model card says
//! which); [`average_models`] makes it again from the same inputs.
//!
//! The sum is taken in f64, input by input in the order given, and rounded once to each
//! tensor's own type (f16 or f32), so the same inputs and weights give the same bytes.
//! Nothing is written unless every input agrees: the output directory is made beside its
//! final place and renamed into it at the end, and an existing directory is never touched.

use crate::document::file_sha256;
use crate::error::{Error, Result};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use tch::{Kind, Tensor};

/// The files of a model directory taken from the first input (all must have `config.json`
/// equal; the tokenizer files are the first input's).
const COPIED: &[&str] = &["config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"];

/// One input of an average: its directory, its weight (normalised) and the SHA-256 of its
/// `model.safetensors`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AverageInput {
    pub dir: PathBuf,
    pub weight: f64,
    pub weights_sha256: String,
}

/// What [`average_models`] made.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AverageReport {
    pub inputs: Vec<AverageInput>,
    pub tensors: usize,
    pub out: PathBuf,
    pub weights_sha256: String,
}

/// The weights normalised to sum 1: equal when `weights` is empty, else one positive
/// finite number per model.
pub fn normalised_weights(weights: &[f64], models: usize) -> std::result::Result<Vec<f64>, String> {
    if models < 2 {
        return Err(format!("an average needs at least two models, got {models}"));
    }
    if weights.is_empty() {
        return Ok(vec![1.0 / models as f64; models]);
    }
    if weights.len() != models {
        return Err(format!("{} weights for {models} models: give one weight per model", weights.len()));
    }
    if let Some(w) = weights.iter().find(|w| !(w.is_finite() && **w > 0.0)) {
        return Err(format!("weight {w} is not a positive number"));
    }
    let sum: f64 = weights.iter().sum();
    Ok(weights.iter().map(|w| w / sum).collect())
}

fn read_config(dir: &Path) -> Result<serde_json::Value> {
    let file = dir.join("config.json");
    let bytes = std::fs::read(&file).map_err(|e| Error::io(&file, e))?;
    serde_json::from_slice(&bytes).map_err(|e| Error::model(dir, format!("config.json: {e}")))
}

/// Averages the `model.safetensors` of `models` with `weights` (see
/// [`normalised_weights`]) into a new model directory `out` (which must not exist), with
/// the first model's config and tokenizer files and a `MODEL_CARD.md` naming the inputs.
pub fn average_models(models: &[PathBuf], weights: &[f64], out: &Path) -> Result<AverageReport> {
    let weights = normalised_weights(weights, models.len()).map_err(Error::Other)?;
    if out.exists() {
        return Err(Error::input(out, "exists already: the average is written to a new directory (nothing is overwritten)"));
    }
    let first = &models[0];
    let config = read_config(first)?;
    let mut inputs = vec![];
    let mut tensors: Vec<Vec<(String, Tensor)>> = vec![];
    for (dir, &weight) in models.iter().zip(&weights) {
        if read_config(dir)? != config {
            return Err(Error::model(dir, format!("config.json differs from {}'s: only models of one architecture and label set average", first.display())));
        }
        let file = dir.join("model.safetensors");
        let weights_sha256 = file_sha256(&file)?;
        let named = Tensor::read_safetensors(&file).map_err(|e| Error::model(dir, format!("cannot read {}: {e}", file.display())))?;
        inputs.push(AverageInput { dir: dir.clone(), weight, weights_sha256 });
        tensors.push(named);
    }
    // Every input must hold the first one's tensors, with the same shapes and types.
    let reference: Vec<(String, Vec<i64>, Kind)> = tensors[0].iter().map(|(n, t)| (n.clone(), t.size(), t.kind())).collect();
    let mut by_name: Vec<HashMap<&str, &Tensor>> = vec![];
    for (named, dir) in tensors.iter().zip(models) {
        let map: HashMap<&str, &Tensor> = named.iter().map(|(n, t)| (n.as_str(), t)).collect();
        if map.len() != reference.len() {
            return Err(Error::model(dir, format!("{} tensors, {} has {}", map.len(), first.display(), reference.len())));
        }
        for (name, size, kind) in &reference {
            match map.get(name.as_str()) {
                None => return Err(Error::model(dir, format!("no tensor {name} ({} has one)", first.display()))),
                Some(t) if t.size() != *size || t.kind() != *kind => {
                    return Err(Error::model(dir, format!("tensor {name} is {:?} {:?}, in {} {size:?} {kind:?}", t.size(), t.kind(), first.display())))
                }
                Some(_) => {}
            }
        }
        by_name.push(map);
    }
    let mut averaged: Vec<(String, Tensor)> = tch::no_grad(|| {
        reference
            .iter()
            .map(|(name, _, kind)| {
                let mut acc: Option<Tensor> = None;
                for (map, &w) in by_name.iter().zip(&weights) {
                    let term = map[name.as_str()].to_kind(Kind::Double) * w;
                    acc = Some(match acc {
                        None => term,
                        Some(a) => a + term,
                    });
                }
                let sum = acc.unwrap_or_else(|| Tensor::zeros([0], (Kind::Double, tch::Device::Cpu)));
                (name.clone(), sum.to_kind(*kind))
            })
            .collect()
    });

    let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "model".into());
    let parent = crate::fsio::folder_of(out);
    std::fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, e))?;
    let staging = parent.join(format!(".{name}.whosaid-average.tmp"));
    if staging.exists() {
        // A killed run's leftovers (the name is fixed, so only ours).
        std::fs::remove_dir_all(&staging).map_err(|e| Error::io(&staging, e))?;
    }
    std::fs::create_dir(&staging).map_err(|e| Error::io(&staging, e))?;
    for f in COPIED {
        let src = first.join(f);
        if src.is_file() {
            let bytes = std::fs::read(&src).map_err(|e| Error::io(&src, e))?;
            crate::fsio::write_atomic(&staging.join(f), &bytes)?;
        }
    }
    let weights_file = staging.join("model.safetensors");
    crate::ner::model::write_weights(&mut averaged, &weights_file)?;
    let report = AverageReport { tensors: averaged.len(), out: out.to_path_buf(), weights_sha256: file_sha256(&weights_file)?, inputs };
    crate::fsio::write_atomic(&staging.join("MODEL_CARD.md"), card(&report).as_bytes())?;
    std::fs::rename(&staging, out).map_err(|e| Error::io(out, e))?;
    Ok(report)
}

/// The card of an averaged model: what went in, with which weight.
fn card(r: &AverageReport) -> String {
    let mut s = String::from("# whosaid NER model: a weight average\n\n");
    s.push_str(&format!(
        "Made by `whosaid average` ({} tensors, summed in f64 and rounded once to each tensor's type). \
         `model.safetensors` SHA-256 {}.\n\n| input | weight | its model.safetensors SHA-256 |\n|---|---|---|\n",
        r.tensors, r.weights_sha256
    ));
    for i in &r.inputs {
        s.push_str(&format!("| `{}` | {:.6} | {} |\n", i.dir.display(), i.weight, i.weights_sha256));
    }
    s.push_str("\nEach input's own card (its data, command, seed and scores) is in its directory.\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model_dir(root: &Path, name: &str, a: &[f32], b: &[f32], config: &str) -> PathBuf {
        let dir = root.join(name);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("config.json"), config).unwrap();
        std::fs::write(dir.join("tokenizer.json"), format!("{{\"from\":\"{name}\"}}")).unwrap();
        let mut named = vec![
            ("classifier.weight".to_string(), Tensor::from_slice(a).to_kind(Kind::Half)),
            ("bert.embeddings.x".to_string(), Tensor::from_slice(b)),
        ];
        crate::ner::model::write_weights(&mut named, &dir.join("model.safetensors")).unwrap();
        dir
    }

    fn read(dir: &Path) -> HashMap<String, Vec<f64>> {
        Tensor::read_safetensors(dir.join("model.safetensors"))
            .unwrap()
            .into_iter()
            .map(|(n, t)| (n, Vec::<f64>::try_from(t.to_kind(Kind::Double).flatten(0, -1)).unwrap()))
            .collect()
    }

    #[test]
    fn weights_default_to_equal_and_are_normalised() {
        assert_eq!(normalised_weights(&[], 4).unwrap(), vec![0.25; 4]);
        assert_eq!(normalised_weights(&[1.0, 3.0], 2).unwrap(), vec![0.25, 0.75]);
    }

    #[test]
    fn weights_must_be_one_positive_number_per_model() {
        assert!(normalised_weights(&[], 1).unwrap_err().contains("at least two models"));
        assert!(normalised_weights(&[1.0], 2).unwrap_err().contains("1 weights for 2 models"));
        assert!(normalised_weights(&[1.0, 0.0], 2).unwrap_err().contains("weight 0 is not a positive number"));
        assert!(normalised_weights(&[1.0, f64::NAN], 2).unwrap_err().contains("not a positive number"));
    }

    #[test]
    fn the_average_is_the_weighted_mean_of_each_tensor_in_its_own_type() {
        let root = tempfile::tempdir().unwrap();
        let a = model_dir(root.path(), "a", &[1.0, 2.0], &[0.0, 10.0, 4.0], "{\"n\":1}");
        let b = model_dir(root.path(), "b", &[3.0, 6.0], &[4.0, 20.0, 8.0], "{\"n\":1}");
        let out = root.path().join("soup");
        let r = average_models(&[a.clone(), b], &[3.0, 1.0], &out).unwrap();
        let t = read(&out);
        assert_eq!(t["classifier.weight"], vec![1.5, 3.0]);
        assert_eq!(t["bert.embeddings.x"], vec![1.0, 12.5, 5.0]);
        assert_eq!(r.tensors, 2);
        assert_eq!(r.inputs.iter().map(|i| i.weight).collect::<Vec<_>>(), vec![0.75, 0.25]);
        // The first input's config and tokenizer, and a card naming both inputs.
        assert_eq!(std::fs::read_to_string(out.join("tokenizer.json")).unwrap(), "{\"from\":\"a\"}");
        let card = std::fs::read_to_string(out.join("MODEL_CARD.md")).unwrap();
        assert!(card.contains(&r.inputs[0].weights_sha256) && card.contains(&r.inputs[1].weights_sha256), "{card}");
        assert!(!root.path().join(".soup.whosaid-average.tmp").exists());
    }

    #[test]
    fn the_same_inputs_give_the_same_bytes() {
        let root = tempfile::tempdir().unwrap();
        let a = model_dir(root.path(), "a", &[0.1, 0.2], &[0.3, 0.7, 1.1], "{}");
        let b = model_dir(root.path(), "b", &[0.5, 0.9], &[0.2, 0.6, 1.3], "{}");
        let c = model_dir(root.path(), "c", &[0.4, 0.3], &[0.9, 0.1, 1.7], "{}");
        let models = [a, b, c];
        let x = average_models(&models, &[], &root.path().join("x")).unwrap();
        let y = average_models(&models, &[], &root.path().join("y")).unwrap();
        assert_eq!(x.weights_sha256, y.weights_sha256);
    }

    #[test]
    fn models_with_different_configs_are_refused_and_nothing_is_written() {
        let root = tempfile::tempdir().unwrap();
        let a = model_dir(root.path(), "a", &[1.0], &[1.0, 2.0, 3.0], "{\"labels\":5}");
        let b = model_dir(root.path(), "b", &[1.0], &[1.0, 2.0, 3.0], "{\"labels\":6}");
        let out = root.path().join("soup");
        let e = average_models(&[a, b.clone()], &[], &out).unwrap_err().to_string();
        assert!(e.starts_with(&format!("model {}: config.json differs", b.display())), "{e}");
        assert!(!out.exists());
    }

    #[test]
    fn models_with_different_tensors_are_refused() {
        let root = tempfile::tempdir().unwrap();
        let a = model_dir(root.path(), "a", &[1.0, 2.0], &[1.0, 2.0, 3.0], "{}");
        let b = model_dir(root.path(), "b", &[1.0], &[1.0, 2.0, 3.0], "{}");
        let e = average_models(&[a, b], &[], &root.path().join("soup")).unwrap_err().to_string();
        assert!(e.contains("tensor classifier.weight is [1] Half, in") && e.contains("[2] Half"), "{e}");
    }

    #[test]
    fn an_existing_output_directory_is_never_overwritten() {
        let root = tempfile::tempdir().unwrap();
        let a = model_dir(root.path(), "a", &[1.0], &[1.0, 2.0, 3.0], "{}");
        let b = model_dir(root.path(), "b", &[2.0], &[1.0, 2.0, 3.0], "{}");
        let e = average_models(&[a.clone(), b], &[], &a).unwrap_err().to_string();
        assert!(e.contains("exists already"), "{e}");
        assert_eq!(read(&a)["classifier.weight"], vec![1.0]);
    }
}
