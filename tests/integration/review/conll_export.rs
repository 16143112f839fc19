//! The CoNLL export of gold: readable by the CoNLL reader, scoring 100 against itself,
//! and lossless for every entity of every fixture.

use super::fixture_corpus;
use std::path::Path;
use whosaid::formats::conll::{tag_document, to_conll_string};
use whosaid::train::conll;
use whosaid::Span;

#[test]
fn gold_exported_to_conll_reads_back_and_scores_100_against_itself() {
    let corpus = fixture_corpus();
    let (text, warnings) = to_conll_string(&corpus.docs);
    assert!(warnings.is_empty(), "{warnings:?}");
    let sentences = conll::parse(&text, Path::new("corpus.conll")).unwrap();
    assert_eq!(sentences.last().map(|s| s.doc), Some(16), "17 documents");
    let tags: Vec<Vec<String>> = sentences.iter().map(|s| s.tags.clone()).collect();
    let scores = conll::score(&tags, &tags);
    assert_eq!(scores.overall.f1(), 100.0);
    // Every gold entity is one BIO span: 202 PER, 186 ORG, 83 ROLE, 62 LOC.
    let count = |t: &str| scores.per_type.get(t).map_or(0, |p| p.gold);
    assert_eq!((count("PER"), count("ORG"), count("ROLE"), count("LOC")), (202, 186, 83, 62));
    assert_eq!(scores.overall.gold, 533);
}

#[test]
fn every_gold_entity_maps_to_whole_tokens_with_its_exact_offsets() {
    for doc in fixture_corpus().docs {
        let (tagged, warnings) = tag_document(&doc);
        assert!(warnings.is_empty(), "{}: {warnings:?}", doc.id);
        let mut got: Vec<(String, Span)> = tagged.iter().flat_map(|s| s.entities()).collect();
        let mut gold: Vec<(String, Span)> = doc.ann.entities().map(|s| (s.label.to_string(), s.span)).collect();
        got.sort_by_key(|(_, s)| (s.start, s.end));
        gold.sort_by_key(|(_, s)| (s.start, s.end));
        assert_eq!(got, gold, "{}", doc.id);
    }
}

#[test]
fn tokens_join_back_into_the_text_without_its_whitespace() {
    for doc in fixture_corpus().docs {
        let (tagged, _) = tag_document(&doc);
        let tokens: String = tagged.iter().flat_map(|s| s.tokens.iter()).map(|t| doc.text.get(*t).unwrap()).collect();
        let text: String = doc.text.as_str().chars().filter(|c| !c.is_whitespace()).collect();
        assert_eq!(tokens, text, "{}", doc.id);
    }
}

#[test]
fn documents_start_with_docstart_and_sentences_end_with_a_blank_line() {
    let corpus = fixture_corpus();
    let (text, _) = to_conll_string(&corpus.docs[..2]);
    assert!(text.starts_with("-DOCSTART- O\n\ndate O\n2020 O\n"), "{}", &text[..60]);
    assert_eq!(text.matches("-DOCSTART- O\n\n").count(), 2);
    assert!(text.ends_with(" O\n\n"));
    assert!(text.contains("\nUniversity B-ORG\nHospitals I-ORG\nof I-ORG\nLeicester I-ORG\nNHS I-ORG\nTrust I-ORG\n"));
}
