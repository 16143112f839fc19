//! The brat export: the pairs unchanged, and configs that declare everything the
//! documents use, so the folder opens in brat without edits.

use crate::fixture_corpus;
use std::collections::BTreeSet;
use whosaid::formats::brat_conf::{annotation_conf, write_corpus, AnnotationConf};
use whosaid::formats::review::read_corpus;

#[test]
fn the_exported_configs_declare_every_label_relation_attribute_and_overlap_the_documents_use() {
    let corpus = fixture_corpus();
    let out = tempfile::tempdir().unwrap();
    write_corpus(&corpus.docs, out.path()).unwrap();
    let conf = AnnotationConf::parse(&std::fs::read_to_string(out.path().join("annotation.conf")).unwrap());
    // Read what was written, not what was meant to be written.
    let (exported, errors) = read_corpus(&[out.path().to_path_buf()]);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(exported.docs.len(), 17);
    for doc in &exported.docs {
        assert_eq!(conf.undeclared(&doc.ann), Vec::<String>::new(), "{}", doc.id);
    }
}

#[test]
fn visual_conf_names_and_colours_every_type_the_annotation_conf_declares() {
    let out = tempfile::tempdir().unwrap();
    write_corpus(&fixture_corpus().docs[..1], out.path()).unwrap();
    let conf = AnnotationConf::parse(&std::fs::read_to_string(out.path().join("annotation.conf")).unwrap());
    let visual = std::fs::read_to_string(out.path().join("visual.conf")).unwrap();
    let section = |name: &str| -> BTreeSet<String> {
        visual
            .split(&format!("[{name}]\n"))
            .nth(1)
            .unwrap_or_default()
            .split("\n[")
            .next()
            .unwrap_or_default()
            .lines()
            .filter_map(|l| l.split([' ', '\t']).next().filter(|w| !w.is_empty()).map(str::to_string))
            .collect()
    };
    let (labels, drawing) = (section("labels"), section("drawing"));
    let declared: BTreeSet<String> = conf
        .entities
        .iter()
        .chain(conf.relations.keys())
        .chain(conf.attributes.keys())
        .cloned()
        .collect();
    for name in &declared {
        assert!(labels.contains(name), "{name} has no [labels] line");
        assert!(drawing.contains(name), "{name} has no [drawing] line");
    }
}

#[test]
fn the_scheme_is_the_guidelines_scheme() {
    let conf = AnnotationConf::parse(&annotation_conf());
    let entities: Vec<&str> = conf.entities.iter().map(String::as_str).collect();
    assert_eq!(entities, ["LOC", "MISC", "ORG", "PER", "QUOTE", "ROLE"]);
    let relations: Vec<&str> = conf.relations.keys().map(String::as_str).collect();
    assert_eq!(relations, ["Equiv", "HasRole", "RoleOrg", "Speaker"]);
    let speaker = &conf.relations["Speaker"][0];
    assert_eq!(speaker.0, ["QUOTE".to_string()].into());
    assert_eq!(speaker.1, ["ORG".to_string(), "PER".into(), "ROLE".into()].into());
    assert_eq!(conf.attributes["Partial"], ["QUOTE".to_string()].into());
}

#[test]
fn exported_pairs_are_byte_for_byte_the_fixtures() {
    let out = tempfile::tempdir().unwrap();
    write_corpus(&fixture_corpus().docs, out.path()).unwrap();
    let fixtures = crate::common::fixtures_dir();
    for rel in ["000_4e8217c3b4a8aa62", "news/bbc_politics_142"] {
        for ext in ["txt", "ann"] {
            let a = std::fs::read(fixtures.join(format!("{rel}.{ext}"))).unwrap();
            let b = std::fs::read(out.path().join(format!("{rel}.{ext}"))).unwrap();
            assert!(a == b, "{rel}.{ext} differs");
        }
    }
}
