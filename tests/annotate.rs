//! `annotate` with the shipped model on real text: exact offsets, long documents, bad
//! input, atomic outputs.

mod common;

use assert_cmd::Command;
use common::{fixture_docs, model_dir};
use whosaid::formats::{brat, json::JsonDocument};
use whosaid::ner::Precision;
use whosaid::pipeline::Pipeline;
use whosaid::{Document, Label};

fn annotate(texts: &[&str]) -> Vec<Document> {
    let pipeline = Pipeline::load(&model_dir(), Precision::Fp32).expect("model loads");
    let mut docs: Vec<Document> = texts.iter().enumerate().map(|(i, t)| Document::new(format!("d{i}"), *t)).collect();
    pipeline.annotate(&mut docs).expect("annotates");
    docs
}

fn entity_texts(doc: &Document) -> Vec<(Label, String)> {
    doc.ann.entities().map(|e| (e.label, doc.slice(e.span).to_string())).collect()
}

#[test]
fn every_emitted_span_slices_the_text_exactly_on_all_fixtures() {
    let pipeline = Pipeline::load(&model_dir(), Precision::Fp32).unwrap();
    let mut docs: Vec<Document> = fixture_docs().into_iter().map(|(_, d)| Document::new(d.id, d.text.as_str())).collect();
    pipeline.annotate(&mut docs).unwrap();
    let mut total = 0;
    for doc in &docs {
        for e in doc.ann.entities() {
            let s = doc.text.get(e.span).expect("span inside the text");
            assert!(!s.is_empty(), "{}: empty span {:?}", doc.id, e.span);
            assert_eq!(s.trim(), s, "{}: span {:?} has outer whitespace", doc.id, e.span);
            total += 1;
        }
        // The written .ann reads back against the same text (the reader checks every text field).
        let ann = brat::to_ann_string(&doc.text, &doc.ann);
        let back = brat::parse_ann(&doc.text, &ann, std::path::Path::new("x.ann")).expect("valid brat");
        assert_eq!(back.spans.len(), doc.ann.spans.len());
        // JSON carries the same slices.
        let j = JsonDocument::from_document(doc, pipeline.provenance());
        for e in &j.entities {
            let chars: String = doc.text.as_str().chars().skip(e.start).take(e.end - e.start).collect();
            assert_eq!(chars, e.text);
        }
    }
    assert!(total > 300, "only {total} entities on the fixtures");
}

#[test]
fn curly_quotes_accents_emoji_and_crlf_do_not_shift_offsets() {
    let plain = "Chief executive John Adler said the Care Quality Commission praised Leicester.";
    let fancy = "😀 “Chief executive John Adler said the Care Quality Commission praised Leicester.”\r\nZoë Müller agreed.";
    let docs = annotate(&[plain, fancy]);
    let a = entity_texts(&docs[0]);
    let b = entity_texts(&docs[1]);
    assert!(a.iter().any(|(l, t)| *l == Label::PER && t == "John Adler"), "{a:?}");
    for e in &a {
        assert!(b.contains(e), "{e:?} lost or shifted in the text with emoji/CRLF: {b:?}");
    }
    for e in docs[1].ann.entities() {
        let s = docs[1].slice(e.span);
        assert!(!s.contains('\r') && !s.contains('“') && !s.starts_with(' '), "{s:?}");
    }
}

#[test]
fn a_document_longer_than_512_word_pieces_is_annotated_to_its_end() {
    // One long "sentence" (no breaks), well over 512 word pieces, a name at the very end.
    let filler = "and the committee met again in the afternoon to discuss the budget ".repeat(80);
    let text = format!("Angela Merkel spoke {filler} before Tony Blair replied");
    let docs = annotate(&[&text]);
    let ents = entity_texts(&docs[0]);
    assert!(ents.iter().any(|(l, t)| *l == Label::PER && t == "Tony Blair"), "end of the document not tagged: {:?}", ents);
    assert!(ents.iter().any(|(l, t)| *l == Label::PER && t == "Angela Merkel"));
}

#[test]
fn people_spans_leave_honorifics_and_possessives_out() {
    let docs = annotate(&["Mr Tony Blair’s spokesman said Dr Paul Lelliott would speak."]);
    let ents = entity_texts(&docs[0]);
    assert!(ents.contains(&(Label::PER, "Tony Blair".into())), "{ents:?}");
    assert!(ents.contains(&(Label::PER, "Paul Lelliott".into())), "{ents:?}");
}

#[test]
fn bad_documents_are_reported_one_line_each_and_the_batch_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::write(p.join("good.txt"), "Tony Blair visited Paris.").unwrap();
    std::fs::write(p.join("empty.txt"), "").unwrap();
    std::fs::write(p.join("binary.txt"), b"abc\0def").unwrap();
    std::fs::write(p.join("latin1.txt"), b"caf\xe9 au lait").unwrap();
    let out = Command::cargo_bin("whosaid").unwrap().arg("annotate").arg("--model").arg(model_dir()).arg(p).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    for (name, reason) in [("empty.txt", "empty file"), ("binary.txt", "binary file"), ("latin1.txt", "not valid UTF-8")] {
        let line = err.lines().find(|l| l.starts_with("whosaid:") && l.contains(name)).unwrap_or_else(|| panic!("no line for {name}: {err}"));
        assert!(line.contains(reason), "{line}");
    }
    assert!(p.join("good.ann").is_file() && p.join("good.json").is_file());
    assert!(!p.join("empty.ann").exists());
    let leftovers: Vec<_> = std::fs::read_dir(p).unwrap().filter_map(|e| e.ok()).filter(|e| e.file_name().to_string_lossy().ends_with(".tmp")).collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

#[test]
fn a_missing_model_directory_is_one_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.txt"), "Tony Blair visited Paris.").unwrap();
    let out = Command::cargo_bin("whosaid")
        .unwrap()
        .args(["annotate", "--model", "/nonexistent/model"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("/nonexistent/model"), "{err}");
}

#[test]
fn outputs_mirror_the_input_tree_under_out() {
    let src = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(src.path().join("news")).unwrap();
    std::fs::write(src.path().join("news/a.txt"), "Tony Blair visited Paris.").unwrap();
    Command::cargo_bin("whosaid")
        .unwrap()
        .arg("annotate")
        .arg("--model")
        .arg(model_dir())
        .arg("--out")
        .arg(out.path())
        .arg(src.path())
        .assert()
        .success();
    let j = JsonDocument::read(&out.path().join("news/a.json")).unwrap();
    assert_eq!(j.document, "news/a");
    assert_eq!(j.sha256.len(), 64);
    assert!(j.entities.iter().any(|e| e.text == "Tony Blair" && e.start == 0 && e.end == 10));
    assert!(!src.path().join("news/a.ann").exists());
}
