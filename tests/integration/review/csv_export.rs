//! quotes.csv: one row per quote, speaker, role and organisation read through the
//! Speaker, HasRole and RoleOrg relations and the Equiv groups.

use super::fixture_corpus;
use std::collections::HashMap;
use whosaid::formats::csv::to_csv_bytes;

fn rows() -> Vec<HashMap<String, String>> {
    let bytes = to_csv_bytes(&fixture_corpus().docs).unwrap();
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    reader.deserialize().map(|r| r.unwrap()).collect()
}

fn row<'a>(rows: &'a [HashMap<String, String>], doc: &str, quote: &str) -> &'a HashMap<String, String> {
    rows.iter().find(|r| r["document"] == doc && r["quote_id"] == quote).unwrap_or_else(|| panic!("{doc} {quote}"))
}

#[test]
fn there_is_one_row_per_gold_quote_with_the_header_first() {
    let bytes = to_csv_bytes(&fixture_corpus().docs).unwrap();
    let header = String::from_utf8_lossy(&bytes).lines().next().unwrap().to_string();
    assert_eq!(
        header,
        "document,quote_id,quote,speaker,speaker_type,role,organisation,start,end,partial,speaker_id,speaker_mention"
    );
    assert_eq!(rows().len(), 131);
}

#[test]
fn a_named_speaker_has_role_and_organisation_from_has_role_and_role_org() {
    let rows = rows();
    let r = row(&rows, "000_4e8217c3b4a8aa62", "T9");
    assert_eq!(r["speaker"], "John Adler");
    assert_eq!(r["speaker_type"], "PER");
    assert_eq!(r["role"], "chief executive");
    assert_eq!(r["organisation"], "University Hospitals of Leicester NHS Trust");
    assert_eq!((r["start"].as_str(), r["end"].as_str()), ("704", "1543"));
    assert!(r["quote"].starts_with("“I’m immensely proud") && r["quote"].ends_with("every time continues.”"));
    assert!(r["quote"].contains("families.\n\n“Our shared"), "multi-paragraph quotes keep their line breaks");
}

#[test]
fn a_short_mention_is_named_by_its_equiv_group_and_an_organisation_speaks_for_itself() {
    let rows = rows();
    let r = row(&rows, "000_4e8217c3b4a8aa62", "T5");
    assert_eq!((r["speaker_mention"].as_str(), r["speaker"].as_str()), ("CQC", "Care Quality Commission"));
    assert_eq!((r["speaker_type"].as_str(), r["organisation"].as_str()), ("ORG", "Care Quality Commission"));
    assert_eq!(r["partial"], "true");
}

#[test]
fn a_quote_without_a_speaker_has_empty_speaker_columns() {
    let rows = rows();
    let r = row(&rows, "news/bbc_politics_078", "T12");
    for column in ["speaker", "speaker_type", "role", "organisation", "speaker_id"] {
        assert_eq!(r[column], "", "{column}");
    }
    assert_eq!(rows.iter().filter(|r| r["speaker"].is_empty()).count(), 3);
}
