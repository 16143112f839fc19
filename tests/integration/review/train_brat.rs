//! Reviewed brat documents as training data: a directory in the training list becomes
//! BIO sentences on whosaid's words, next to CoNLL files.

use crate::util::fixtures_dir;
use std::path::PathBuf;
use whosaid::train::{conll, load_training_data, TrainConfig};

fn config(train: Vec<PathBuf>, silver_roles: bool) -> TrainConfig {
    TrainConfig {
        train,
        dev: None,
        test: None,
        base: PathBuf::from("unused"),
        out: PathBuf::from("unused"),
        epochs: 1,
        batch_size: 8,
        lr: 1e-4,
        warmup: 0.0,
        weight_decay: 0.0,
        seed: 1,
        patience: 1,
        max_pieces: 128,
        context_words: 0,
        silver_roles,
        limit: None,
        fp16: false,
        name: "t".into(),
        version: "0".into(),
        command: "test".into(),
    }
}

fn entity_counts(sentences: &[conll::Sentence]) -> std::collections::BTreeMap<String, usize> {
    let mut counts = std::collections::BTreeMap::new();
    for s in sentences {
        for (ty, _, _) in conll::spans(&s.tags) {
            *counts.entry(ty).or_insert(0) += 1;
        }
    }
    counts
}

#[test]
fn a_brat_directory_gives_sentences_carrying_every_gold_entity() {
    let (sentences, silver) = load_training_data(&config(vec![fixtures_dir()], true)).unwrap();
    assert_eq!(silver, 0, "brat documents get no silver roles");
    let counts = entity_counts(&sentences);
    let expected = [("LOC", 62), ("ORG", 186), ("PER", 202), ("ROLE", 83)];
    assert_eq!(counts, expected.into_iter().map(|(t, n)| (t.to_string(), n)).collect());
    assert_eq!(sentences.last().map(|s| s.doc), Some(16), "17 documents");
}

#[test]
fn conll_sentences_get_silver_roles_and_come_before_the_brat_ones() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sample.conll");
    std::fs::write(&file, "-DOCSTART- O\n\nThe O\nBBC B-ORG\nsaid O\nchief O\nexecutive O\nJohn B-PER\nAdler I-PER\nhad O\nresigned O\n. O\n\n").unwrap();
    let (sentences, silver) = load_training_data(&config(vec![fixtures_dir(), file], true)).unwrap();
    assert_eq!(silver, 1);
    assert_eq!(sentences[0].words[0], "The");
    assert_eq!(sentences[0].tags[3..5], ["B-ROLE".to_string(), "I-ROLE".to_string()]);
    assert_eq!(entity_counts(&sentences[1..])["ROLE"], 83);
}

#[test]
fn limit_keeps_the_first_sentences_of_conll_then_brat() {
    let mut cfg = config(vec![fixtures_dir()], false);
    cfg.limit = Some(5);
    let (sentences, _) = load_training_data(&cfg).unwrap();
    assert_eq!(sentences.len(), 5);
}

#[test]
fn a_text_without_its_ann_in_a_training_directory_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("unlabelled.txt"), "Tony Blair spoke.").unwrap();
    let err = load_training_data(&config(vec![dir.path().to_path_buf()], false)).unwrap_err().to_string();
    assert!(err.contains("unlabelled.txt: no unlabelled.ann beside it"), "{err}");
}
