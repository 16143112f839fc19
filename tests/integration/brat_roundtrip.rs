//! Every gold fixture survives a brat write-then-read unchanged, and since the fixtures
//! are written in the writer's line order (T, R, A, *, #), byte for byte.

use std::path::{Path, PathBuf};
use whosaid::formats::brat;
use whosaid::Document;

/// Every `X.ann` under tests/fixtures (recursively) with its `X.txt`.
fn fixtures() -> Vec<(PathBuf, PathBuf)> {
    let root = crate::util::fixtures_dir();
    let mut pairs: Vec<(PathBuf, PathBuf)> = walkdir::WalkDir::new(&root)
        .into_iter()
        .map(|e| e.expect("walk tests/fixtures").into_path())
        .filter(|p| p.extension().is_some_and(|e| e == "ann"))
        .map(|ann| (ann.with_extension("txt"), ann))
        .collect();
    pairs.sort();
    assert_eq!(pairs.len(), 17, "5 press releases and 12 BBC articles");
    pairs
}

#[test]
fn every_fixture_reads_writes_and_reads_back_equal() {
    for (txt, ann_path) in fixtures() {
        let doc = Document::read(&txt).unwrap();
        let ann = brat::read_ann(&doc.text, &ann_path).unwrap();
        let written = brat::to_ann_string(&doc.text, &ann);
        let again = brat::parse_ann(&doc.text, &written, Path::new("written.ann")).unwrap();
        assert_eq!(again, ann, "{}", ann_path.display());
    }
}

#[test]
fn every_fixture_is_written_back_byte_for_byte() {
    for (txt, ann_path) in fixtures() {
        let doc = Document::read(&txt).unwrap();
        let original = std::fs::read_to_string(&ann_path).unwrap();
        let ann = brat::parse_ann(&doc.text, &original, &ann_path).unwrap();
        assert_eq!(brat::to_ann_string(&doc.text, &ann), original, "{}", ann_path.display());
    }
}

#[test]
fn write_ann_then_read_ann_round_trips_through_a_file() {
    let dir = tempfile::tempdir().unwrap();
    for (txt, ann_path) in fixtures() {
        let doc = Document::read(&txt).unwrap();
        let ann = brat::read_ann(&doc.text, &ann_path).unwrap();
        let out = dir.path().join(ann_path.file_name().unwrap());
        brat::write_ann(&out, &doc.text, &ann).unwrap();
        assert_eq!(brat::read_ann(&doc.text, &out).unwrap(), ann, "{}", ann_path.display());
    }
}

#[test]
fn the_fixtures_hold_the_readme_totals() {
    use whosaid::{Label, RelKind};
    let (mut labels, mut rels) = (std::collections::BTreeMap::new(), std::collections::BTreeMap::new());
    for (txt, ann_path) in fixtures() {
        let doc = Document::read(&txt).unwrap();
        let ann = brat::read_ann(&doc.text, &ann_path).unwrap();
        for s in &ann.spans {
            *labels.entry(s.label).or_insert(0) += 1;
        }
        for r in &ann.relations {
            *rels.entry(r.kind).or_insert(0) += 1;
        }
    }
    let expected_labels =
        [(Label::PER, 202), (Label::ORG, 186), (Label::ROLE, 83), (Label::LOC, 62), (Label::QUOTE, 131)];
    assert_eq!(labels, expected_labels.into_iter().collect());
    let expected_rels = [(RelKind::Speaker, 128), (RelKind::HasRole, 78), (RelKind::RoleOrg, 39)];
    assert_eq!(rels, expected_rels.into_iter().collect());
}

#[test]
fn every_fixture_passes_brats_parsing_rules_with_the_exported_annotation_conf() {
    use whosaid::formats::brat_conf::{annotation_conf, AnnotationConf};
    let conf = AnnotationConf::parse(&annotation_conf());
    for (txt, ann_path) in fixtures() {
        let doc = Document::read(&txt).unwrap();
        let source = std::fs::read_to_string(&ann_path).unwrap();
        let problems: Vec<String> = brat::check_strict(&doc.text, &source, &conf).iter().map(|p| p.to_string()).collect();
        assert_eq!(problems, Vec::<String>::new(), "{}", ann_path.display());
    }
}

#[test]
fn the_quotes_over_paragraph_breaks_are_written_as_brat_fragments() {
    let mut over_breaks = 0;
    for (txt, ann_path) in fixtures() {
        let doc = Document::read(&txt).unwrap();
        let ann = brat::read_ann(&doc.text, &ann_path).unwrap();
        for s in &ann.spans {
            if doc.text.get(s.span).unwrap().contains('\n') {
                over_breaks += 1;
                assert!(brat::fragments(&doc.text, s.span).len() > 1, "{} {}", ann_path.display(), s.id);
            }
        }
    }
    assert_eq!(over_breaks, 6, "the six multi-paragraph quotes of the fixtures");
}
