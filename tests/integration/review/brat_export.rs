//! The brat export: the pairs unchanged, and configs that declare everything the
//! documents use, so the folder opens in brat without edits.

use super::fixture_corpus;
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
    let fixtures = crate::util::fixtures_dir();
    for rel in ["000_4e8217c3b4a8aa62", "news/bbc_politics_142"] {
        for ext in ["txt", "ann"] {
            let a = std::fs::read(fixtures.join(format!("{rel}.{ext}"))).unwrap();
            let b = std::fs::read(out.path().join(format!("{rel}.{ext}"))).unwrap();
            assert!(a == b, "{rel}.{ext} differs");
        }
    }
}

/// brat's parsing rules (`brat::check_strict`) over every `.ann` under `dir`, with the
/// `annotation.conf` given: `FILE:LINE: reason` for each problem, and the files checked.
fn strict_problems(dir: &std::path::Path, conf: &AnnotationConf) -> (Vec<String>, usize) {
    let mut problems = vec![];
    let mut checked = 0;
    for entry in walkdir::WalkDir::new(dir) {
        let ann = entry.unwrap().into_path();
        if ann.extension().is_none_or(|e| e != "ann") {
            continue;
        }
        // The text brat would show: X.txt beside it, or for annotate's output the fixture.
        let beside = ann.with_extension("txt");
        let txt = if beside.is_file() {
            beside
        } else {
            crate::util::fixtures_dir().join(ann.strip_prefix(dir).unwrap()).with_extension("txt")
        };
        let text = whosaid::Document::read(&txt).unwrap().text;
        let source = std::fs::read_to_string(&ann).unwrap();
        for p in whosaid::formats::brat::check_strict(&text, &source, conf) {
            problems.push(format!("{}:{p}", ann.display()));
        }
        checked += 1;
    }
    (problems, checked)
}

#[test]
fn the_exported_fixture_folder_passes_brats_parsing_rules_with_its_own_annotation_conf() {
    let out = tempfile::tempdir().unwrap();
    write_corpus(&fixture_corpus().docs, out.path()).unwrap();
    let conf = AnnotationConf::parse(&std::fs::read_to_string(out.path().join("annotation.conf")).unwrap());
    let (problems, checked) = strict_problems(out.path(), &conf);
    assert_eq!(checked, 17);
    assert_eq!(problems, Vec::<String>::new());
}

#[test]
fn what_annotate_writes_for_the_fixtures_passes_brats_parsing_rules() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("annotated");
    assert_cmd::Command::cargo_bin("whosaid")
        .unwrap()
        .arg("annotate")
        .arg(crate::util::fixtures_dir())
        .arg("--model")
        .arg(crate::util::model_dir())
        .arg("--out")
        .arg(&out)
        .arg("--quiet")
        .assert()
        .success();
    let conf = AnnotationConf::parse(&annotation_conf());
    let (problems, checked) = strict_problems(&out, &conf);
    assert_eq!(checked, 17);
    assert_eq!(problems, Vec::<String>::new());
    // The model finds the multi-paragraph quotes too, so fragments were written and checked.
    let fragments = walkdir::WalkDir::new(&out)
        .into_iter()
        .map(|e| e.unwrap().into_path())
        .filter(|p| p.extension().is_some_and(|e| e == "ann"))
        .map(|p| std::fs::read_to_string(p).unwrap().lines().filter(|l| l.starts_with('T') && l.contains(';')).count())
        .sum::<usize>();
    assert!(fragments >= 5, "only {fragments} span(s) over line breaks");
}
