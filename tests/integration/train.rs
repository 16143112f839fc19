//! `whosaid train` on a tiny hand-written CoNLL sample: the loss goes down, and the saved
//! model reloads to identical logits.

use crate::util::model_dir;
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

/// `whosaid silver` over `dir` (brat pairs) into `out`, with extra arguments.
fn silver(dir: &std::path::Path, out: &std::path::Path, extra: &[&str]) -> std::process::Output {
    assert_cmd::Command::cargo_bin("whosaid").unwrap().arg("silver").arg(dir).arg("--out").arg(out).args(extra).output().unwrap()
}

/// Two annotated pairs written for this test (no X.json: every span counts as sure).
fn silver_pairs(dir: &std::path::Path) {
    std::fs::write(dir.join("a.txt"), "Acme Corp hired Jane Doe. She starts in May.\n").unwrap();
    std::fs::write(dir.join("a.ann"), "T1\tORG 0 9\tAcme Corp\nT2\tPER 16 24\tJane Doe\n").unwrap();
    std::fs::write(dir.join("b.txt"), "Westbury Council met on Tuesday.\n").unwrap();
    std::fs::write(dir.join("b.ann"), "T1\tORG 0 16\tWestbury Council\n").unwrap();
}

#[test]
fn test_silver_writes_training_sentences_a_held_out_file_and_counts() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("silver");
    silver_pairs(dir.path());
    let run = silver(dir.path(), &out, &["--holdout", "0", "--quiet"]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let train = whosaid::train::conll::read(&out.join("train.conll")).unwrap();
    assert_eq!(train.len(), 3);
    assert_eq!(train[0].tags[..2], ["B-ORG".to_string(), "I-ORG".to_string()]);
    assert_eq!(std::fs::read_to_string(out.join("heldout.conll")).unwrap(), "");
    let counts: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("silver.json")).unwrap()).unwrap();
    assert_eq!(counts["train"]["documents"], 2);
    assert_eq!(counts["train"]["spans"]["ORG"], 2);
}

#[test]
fn test_silver_exclude_leaves_gold_texts_out_and_nothing_left_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    silver_pairs(dir.path());
    let run = silver(dir.path(), &dir.path().join("silver"), &["--exclude", dir.path().to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(2));
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(err.contains("no silver sentences to train on") && err.contains("2 excluded as gold"), "{err}");
    assert!(!dir.path().join("silver/train.conll").exists());
}

#[test]
fn test_silver_min_score_out_of_range_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let run = silver(dir.path(), &dir.path().join("silver"), &["--min-score", "1.5"]);
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("1.5 is not between 0 and 1"));
}

fn average(args: &[&std::ffi::OsStr]) -> std::process::Output {
    assert_cmd::Command::cargo_bin("whosaid").unwrap().arg("average").args(args).output().unwrap()
}

#[test]
fn test_average_of_a_model_with_itself_is_the_same_file_and_loads() {
    let out = tempfile::tempdir().unwrap();
    let soup = out.path().join("soup");
    let m = model_dir();
    let o = average(&[m.as_os_str(), m.as_os_str(), "--out".as_ref(), soup.as_os_str()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(std::fs::read(soup.join("model.safetensors")).unwrap(), std::fs::read(m.join("model.safetensors")).unwrap());
    assert!(NerModel::load(&soup, Precision::Fp32).is_ok());
    let card = std::fs::read_to_string(soup.join("MODEL_CARD.md")).unwrap();
    assert!(card.contains("| 0.500000 |"), "{card}");
}

#[test]
fn test_average_refuses_a_directory_that_is_no_model_in_one_line() {
    let out = tempfile::tempdir().unwrap();
    let m = model_dir();
    let o = average(&[m.as_os_str(), out.path().as_os_str(), "--out".as_ref(), out.path().join("soup").as_os_str()]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("config.json") && err.contains("No such file"), "{err}");
    assert!(!out.path().join("soup").exists());
}
