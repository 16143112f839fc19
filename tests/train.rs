//! `whosaid train` on a tiny hand-written CoNLL sample: the loss goes down, and the saved
//! model reloads to identical logits.

mod common;

use common::model_dir;
use whosaid::ner::{NerModel, Precision};
use whosaid::train::{train, TrainConfig};

const SAMPLE: &str = "\
-DOCSTART- O

Tony B-PER
Blair I-PER
met O
Angela B-PER
Merkel I-PER
in O
Berlin B-LOC
. O

The O
BBC B-ORG
said O
chief B-ROLE
executive I-ROLE
John B-PER
Adler I-PER
had O
resigned O
. O

Care B-ORG
Quality I-ORG
Commission I-ORG
inspectors O
visited O
Leicester B-LOC
. O

A O
spokesman B-ROLE
for O
Manchester B-ORG
United I-ORG
declined O
to O
comment O
. O
";

fn config(dir: &std::path::Path, epochs: usize) -> TrainConfig {
    let data = dir.join("sample.conll");
    std::fs::write(&data, SAMPLE).unwrap();
    TrainConfig {
        train: vec![data],
        dev: None,
        test: None,
        base: model_dir(),
        out: dir.join("model"),
        epochs,
        batch_size: 2,
        lr: 5e-5,
        warmup: 0.0,
        weight_decay: 0.0,
        seed: 7,
        patience: 3,
        max_pieces: 64,
        context_words: 0,
        silver_roles: false,
        limit: None,
        fp16: false,
        name: "test-model".into(),
        version: "0".into(),
        command: "test".into(),
    }
}

#[test]
fn a_few_training_steps_lower_the_loss() {
    let dir = tempfile::tempdir().unwrap();
    let report = train(config(dir.path(), 3), false, |_, _, _, _| {}).unwrap();
    let losses: Vec<f64> = report.epochs.iter().map(|e| e.train_loss).collect();
    assert_eq!(losses.len(), 3);
    assert!(losses[2] < losses[0], "loss did not go down: {losses:?}");
    assert!(dir.path().join("model/MODEL_CARD.md").is_file());
    assert!(dir.path().join("model/train-log.jsonl").is_file());
}

#[test]
fn the_saved_model_reloads_to_identical_logits() {
    let dir = tempfile::tempdir().unwrap();
    train(config(dir.path(), 1), false, |_, _, _, _| {}).unwrap();
    let a = NerModel::load(&dir.path().join("model"), Precision::Fp32).unwrap();
    a.save(&dir.path().join("copy"), false).unwrap();
    let b = NerModel::load(&dir.path().join("copy"), Precision::Fp32).unwrap();
    let words = ["Tony", "Blair", "met", "the", "BBC", "chief", "executive", "."];
    let ea = a.encode(&words, 64).unwrap();
    let eb = b.encode(&words, 64).unwrap();
    assert_eq!(ea.ids, eb.ids);
    let (ids, mask, types) = a.batch_tensors(&[&ea]);
    let la = tch::no_grad(|| a.logits(&ids, &mask, &types, false));
    let lb = tch::no_grad(|| b.logits(&ids, &mask, &types, false));
    assert_eq!(la.size(), lb.size());
    let diff = (la - lb).abs().max().double_value(&[]);
    assert_eq!(diff, 0.0, "reloaded logits differ by {diff}");
}

#[test]
fn training_resumes_from_its_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    train(config(dir.path(), 1), false, |_, _, _, _| {}).unwrap();
    let mut batches = 0;
    let report = train(config(dir.path(), 2), true, |epoch, _, _, _| {
        assert_eq!(epoch, 2, "a resumed run starts after the saved epoch");
        batches += 1;
    })
    .unwrap();
    assert!(batches > 0);
    assert_eq!(report.epochs.len(), 2);
}
