//! doccano: the relation-project JSONL whosaid writes, and how a doccano export comes
//! back (its own ids, a sequence-labelling layout, notes found again by offsets).

use super::{fixture, with_prefix};
use serde_json::Value;
use whosaid::formats::doccano::{line, relation_types, span_types, Line};
use whosaid::formats::review::{ImportFormat, ImportOptions, Imported};
use whosaid::Label;

fn import_lines(lines: &[Value]) -> Imported {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("admin.jsonl");
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    std::fs::write(&file, text).unwrap();
    ImportFormat::Doccano.import(&file, &ImportOptions::default()).unwrap()
}

#[test]
fn a_line_has_text_entities_and_relations_in_the_relation_project_layout() {
    let (l, warnings) = line(&fixture("000_4e8217c3b4a8aa62"));
    assert!(warnings.is_empty());
    let v = serde_json::to_value(&l).unwrap();
    assert_eq!(v["entities"][6], serde_json::json!({"id": 7, "label": "PER", "start_offset": 656, "end_offset": 666}));
    assert!(v["relations"].as_array().unwrap().contains(&serde_json::json!({"id": 2, "from_id": 9, "to_id": 7, "type": "Speaker"})));
    assert_eq!(v["document"], "000_4e8217c3b4a8aa62");
    assert!(v["text"].as_str().unwrap().starts_with(" date 2020-02-05 University Hospitals"));
}

#[test]
fn a_partial_quote_is_labelled_quote_partial_so_reviewers_see_it() {
    let (l, _) = line(&fixture("000_4e8217c3b4a8aa62"));
    let t5 = l.entities.iter().find(|e| e.id == 5).unwrap();
    assert_eq!(t5.label, "QUOTE_PARTIAL");
    assert!(span_types().iter().any(|t| t.text == "QUOTE_PARTIAL"));
}

#[test]
fn the_label_types_cover_every_label_and_relation_of_the_lines() {
    let (l, _) = line(&fixture("news/bbc_politics_142"));
    let spans: Vec<String> = span_types().into_iter().map(|t| t.text).collect();
    let relations: Vec<String> = relation_types().into_iter().map(|t| t.text).collect();
    assert!(l.entities.iter().all(|e| spans.contains(&e.label)));
    assert!(l.relations.iter().all(|r| relations.contains(&r.kind)));
    assert_eq!(relations, ["Speaker", "HasRole", "RoleOrg", "Equiv"]);
}

#[test]
fn offsets_are_utf16_units_after_emoji_as_doccano_counts_them() {
    let doc = with_prefix(&fixture("000_4e8217c3b4a8aa62"), "📣😀 ");
    let (l, _) = line(&doc);
    let adler = l.entities.iter().find(|e| e.id == 7).unwrap();
    // Three characters put before the text, five UTF-16 units.
    assert_eq!((adler.start_offset, adler.end_offset), (661, 671));
    let units: Vec<u16> = l.text.encode_utf16().collect();
    assert_eq!(String::from_utf16(&units[661..671]).unwrap(), "John Adler");
    let back = import_lines(&[serde_json::to_value(&l).unwrap()]);
    assert_eq!(back.docs[0].ann, doc.ann);
}

#[test]
fn doccano_renumbered_ids_still_import_with_relations_and_notes_attached() {
    // doccano exports its database ids, not the ones it was given.
    let doc = fixture("news/bbc_politics_078");
    let (mut l, _) = line(&doc);
    for e in &mut l.entities {
        e.id += 5000;
    }
    for r in &mut l.relations {
        r.from_id += 5000;
        r.to_id += 5000;
        r.id = r.id.map(|i| i + 900);
    }
    for n in &mut l.notes {
        n.entity = 1; // stale: the note is found by its offsets
    }
    l.id = Some(31.into());
    let back = import_lines(&[serde_json::to_value(&l).unwrap()]);
    assert!(back.failed.is_empty(), "{:?}", back.failed);
    let ann = &back.docs[0].ann;
    assert_eq!(ann.spans.len(), doc.ann.spans.len());
    assert!(ann.spans.iter().all(|s| s.id.starts_with("T50")));
    assert_eq!(ann.relations.len(), doc.ann.relations.len());
    assert_eq!(ann.equivs.len(), doc.ann.equivs.len());
    let note_targets: Vec<Label> = ann.notes.iter().map(|n| ann.span(&n.target).unwrap().label).collect();
    let original: Vec<Label> = doc.ann.notes.iter().map(|n| doc.ann.span(&n.target).unwrap().label).collect();
    assert_eq!(note_targets, original);
    // Scoring does not look at ids: the same spans and speakers.
    let speakers = |a: &whosaid::Annotations| -> Vec<(whosaid::Span, whosaid::Span)> {
        a.relations_of(whosaid::RelKind::Speaker)
            .map(|r| (a.span(&r.arg1).unwrap().span, a.span(&r.arg2).unwrap().span))
            .collect()
    };
    assert_eq!(speakers(ann), speakers(&doc.ann));
}

#[test]
fn a_sequence_labelling_export_with_label_triples_is_read() {
    let doc = fixture("002_60f605e3110d2335");
    let v = serde_json::json!({"id": 3, "text": doc.text.as_str(), "label": [[84, 93, "PER"], [95, 123, "ROLE"]]});
    let back = import_lines(&[v]);
    let ann = &back.docs[0].ann;
    assert_eq!(back.docs[0].id, "doccano_3");
    let texts: Vec<(&str, Label)> = ann.spans.iter().map(|s| (back.docs[0].text.get(s.span).unwrap(), s.label)).collect();
    assert_eq!(texts, [("Ted Baker", Label::PER), ("Chief Inspector of Hospitals", Label::ROLE)]);
}

#[test]
fn an_unknown_label_fails_that_line_only_and_names_it() {
    let good = serde_json::to_value(line(&fixture("002_60f605e3110d2335")).0).unwrap();
    let mut bad: Line = line(&fixture("000_4e8217c3b4a8aa62")).0;
    bad.entities[0].label = "PERSON".into();
    let back = import_lines(&[serde_json::to_value(&bad).unwrap(), good]);
    assert_eq!(back.docs.len(), 1);
    let err = back.failed[0].to_string();
    assert!(err.contains("admin.jsonl:1: line 1 (000_4e8217c3b4a8aa62): entity 1: unknown type 'PERSON'"), "{err}");
}
