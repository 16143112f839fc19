//! The reader, the writer and the strict check, with one small document.

use super::*;
use crate::annotation::{Annotations, Label, Note, RelKind};
use crate::document::{Span, Text};
use crate::error::Result;
use crate::formats::brat_conf::{self, AnnotationConf};
use std::path::Path;

const TEXT: &str = "John Adler, chief executive of the CQC, said: “We are proud.”\n";

fn text() -> Text {
    Text::new(TEXT.to_string())
}

fn parse(src: &str) -> Result<Annotations> {
    parse_ann(&text(), src, Path::new("doc.ann"))
}

/// The error message of a parse that must fail, checked to name `doc.ann:<line>`.
fn error_at(src: &str, line: usize) -> String {
    let err = parse(src).expect_err("the parse should fail").to_string();
    let prefix = format!("doc.ann:{line}: ");
    assert!(err.starts_with(&prefix), "expected an error at line {line}, got: {err}");
    err
}

const GOOD: &str = "T1\tPER 0 10\tJohn Adler\n\
                    T2\tROLE 12 27\tchief executive\n\
                    T3\tORG 35 38\tCQC\n\
                    T4\tQUOTE 46 61\t“We are proud.”\n\
                    R1\tSpeaker Arg1:T4 Arg2:T1\n\
                    R2\tHasRole Arg1:T1 Arg2:T2\n\
                    R3\tRoleOrg Arg1:T2 Arg2:T3\n";

#[test]
fn a_well_formed_file_gives_spans_and_relations_in_file_order() {
    let ann = parse(GOOD).unwrap();
    let ids: Vec<&str> = ann.spans.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["T1", "T2", "T3", "T4"]);
    assert_eq!(ann.spans[3].label, Label::QUOTE);
    assert_eq!(ann.spans[3].span, Span::new(46, 61));
    assert_eq!(ann.speaker_of("T4"), Some("T1"));
    assert_eq!(ann.relations.len(), 3);
}

#[test]
fn offsets_are_characters_not_bytes() {
    // The curly quotes are 3 bytes each in UTF-8 but one character.
    let ann = parse("T1\tQUOTE 46 61\t“We are proud.”\n").unwrap();
    assert_eq!(text().get(ann.spans[0].span).unwrap(), "“We are proud.”");
}

#[test]
fn writing_then_reading_gives_the_same_annotations_and_bytes() {
    let src = format!("{GOOD}A1\tPartial T4\n*\tEquiv T1 T2\n#1\tAnnotatorNotes T4\ta note\n");
    let ann = parse(&src).unwrap();
    let written = to_ann_string(&text(), &ann);
    assert_eq!(written, src);
    assert_eq!(parse(&written).unwrap(), ann);
}

#[test]
fn partial_attribute_marks_the_quote() {
    let ann = parse(&format!("{GOOD}A1\tPartial T4\n")).unwrap();
    assert!(ann.span("T4").unwrap().partial);
    assert!(!ann.span("T1").unwrap().partial);
}

#[test]
fn annotator_notes_are_kept_with_their_text() {
    let ann = parse(&format!("{GOOD}#1\tAnnotatorNotes T4\tthe speaker is named before\tand a tab\n")).unwrap();
    assert_eq!(
        ann.notes,
        [Note {
            id: "#1".into(),
            kind: "AnnotatorNotes".into(),
            target: "T4".into(),
            text: "the speaker is named before\tand a tab".into()
        }]
    );
}

#[test]
fn normalisation_lines_and_blank_lines_are_ignored() {
    let src = format!("\n{GOOD}N1\tReference T1 Wikipedia:534366\tJohn Adler\n\n");
    assert_eq!(parse(&src).unwrap(), parse(GOOD).unwrap());
}

#[test]
fn crlf_line_endings_in_the_ann_file_are_accepted() {
    assert_eq!(parse(&GOOD.replace('\n', "\r\n")).unwrap(), parse(GOOD).unwrap());
}

#[test]
fn a_span_over_a_crlf_line_break_is_written_as_fragments_and_read_back() {
    let text = Text::new("He said:\r\n“One.\r\n“Two.”\r\n".to_string());
    let mut ann = Annotations::default();
    ann.add_span(Label::QUOTE, Span::new(10, 23), None);
    let written = to_ann_string(&text, &ann);
    assert_eq!(written, "T1\tQUOTE 10 15;17 23\t“One. “Two.”\n");
    assert_eq!(parse_ann(&text, &written, Path::new("doc.ann")).unwrap(), ann);
}

const PARAGRAPHS: &str = "She said: “First part.\n\n“Second part.\n“Third.”\n";

#[test]
fn a_span_over_paragraph_breaks_is_written_as_fragments_split_at_the_breaks() {
    let text = Text::new(PARAGRAPHS.to_string());
    let mut ann = Annotations::default();
    ann.add_span(Label::QUOTE, Span::new(10, 46), None);
    assert_eq!(to_ann_string(&text, &ann), "T1\tQUOTE 10 22;24 37;38 46\t“First part. “Second part. “Third.”\n");
}

#[test]
fn fragments_are_read_as_one_span_from_the_first_start_to_the_last_end() {
    let text = Text::new(PARAGRAPHS.to_string());
    let ann = parse_ann(&text, "T1\tQUOTE 10 22;24 37;38 46\t“First part. “Second part. “Third.”\n", Path::new("d.ann"));
    assert_eq!(ann.unwrap().spans[0].span, Span::new(10, 46));
}

#[test]
fn the_older_form_with_spaces_for_line_breaks_is_still_read() {
    let text = Text::new(PARAGRAPHS.to_string());
    let ann = parse_ann(&text, "T1\tQUOTE 10 46\t“First part.  “Second part. “Third.”\n", Path::new("d.ann"));
    assert_eq!(ann.unwrap().spans[0].span, Span::new(10, 46));
}

#[test]
fn a_fragment_field_that_keeps_the_old_spaces_is_an_error() {
    let text = Text::new(PARAGRAPHS.to_string());
    let err = parse_ann(&text, "T1\tQUOTE 10 22;24 37\t“First part.  “Second part.\n", Path::new("d.ann"))
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("d.ann:1: T1: text field"), "{err}");
}

#[test]
fn every_line_break_brat_knows_splits_a_span() {
    for br in ["\r", "\u{2028}", "\u{2029}", "\u{85}", "\u{0c}", "\u{0b}", "\u{1e}"] {
        let text = Text::new(format!("“One.{br}“Two.”"));
        let mut ann = Annotations::default();
        ann.add_span(Label::QUOTE, Span::new(0, 12), None);
        let written = to_ann_string(&text, &ann);
        assert_eq!(written, "T1\tQUOTE 0 5;6 12\t“One. “Two.”\n", "{br:?}");
        assert_eq!(parse_ann(&text, &written, Path::new("d.ann")).unwrap(), ann, "{br:?}");
    }
}

#[test]
fn whitespace_next_to_a_break_is_left_out_of_the_fragments() {
    let text = Text::new("“One.  \n \t\n  “Two.”".to_string());
    let mut ann = Annotations::default();
    ann.add_span(Label::QUOTE, Span::new(0, 19), None);
    let written = to_ann_string(&text, &ann);
    assert_eq!(written, "T1\tQUOTE 0 5;13 19\t“One. “Two.”\n");
    assert_eq!(parse_ann(&text, &written, Path::new("d.ann")).unwrap(), ann);
}

#[test]
fn a_span_that_begins_or_ends_with_a_break_keeps_its_offsets() {
    let text = Text::new("x\n“One.”\ny".to_string());
    let mut ann = Annotations::default();
    ann.add_span(Label::QUOTE, Span::new(1, 9), None);
    let written = to_ann_string(&text, &ann);
    assert_eq!(written, "T1\tQUOTE 1 1;2 8;9 9\t “One.” \n");
    assert_eq!(parse_ann(&text, &written, Path::new("d.ann")).unwrap(), ann);
}

#[test]
fn a_span_over_a_line_break_must_not_keep_the_raw_text_in_its_field() {
    let text = Text::new("“One.\n“Two.”".to_string());
    let ok = parse_ann(&text, "T1\tQUOTE 0 12\t“One. “Two.”\n", Path::new("doc.ann"));
    assert!(ok.is_ok());
    // With the raw newline the line ends early: the field is cut, the rest is another line.
    let raw = parse_ann(&text, "T1\tQUOTE 0 12\t“One.\n“Two.”\n", Path::new("doc.ann"));
    assert!(raw.unwrap_err().to_string().starts_with("doc.ann:1: T1: text field"));
}

#[test]
fn fragments_with_words_between_them_are_refused_as_discontinuous() {
    let err = error_at("T1\tPER 0 4;12 17\tJohn chief\n", 1);
    assert!(err.contains("T1: discontinuous span '0 4;12 17': ' Adler, ' lies between fragments 0-4 and 12-17"), "{err}");
}

#[test]
fn fragments_out_of_order_are_refused() {
    let err = error_at("T1\tPER 5 10;0 4\tAdler John\n", 1);
    assert!(err.contains("discontinuous span"), "{err}");
}

#[test]
fn a_byte_order_mark_at_the_start_is_skipped() {
    assert_eq!(parse(&format!("\u{feff}{GOOD}")).unwrap(), parse(GOOD).unwrap());
}

#[test]
fn a_repeated_relation_is_read_once_with_a_warning_naming_its_line() {
    let src = format!("{GOOD}R4\tHasRole Arg1:T1 Arg2:T2\n");
    let (ann, warnings) = parse_ann_with_warnings(&text(), &src, Path::new("doc.ann")).unwrap();
    assert_eq!(ann, parse(GOOD).unwrap());
    assert_eq!(warnings, ["doc.ann:8: R4 repeats R2 (line 6: HasRole Arg1:T1 Arg2:T2); read once"]);
}

#[test]
fn a_note_on_a_repeated_relation_stays_with_the_one_kept() {
    let src = format!("{GOOD}R4\tHasRole Arg1:T1 Arg2:T2\n#1\tAnnotatorNotes R4\tchecked\n");
    let ann = parse(&src).unwrap();
    assert_eq!(ann.notes[0].target, "R2");
    assert!(parse(&to_ann_string(&text(), &ann)).is_ok());
}

#[test]
fn an_unknown_label_is_an_error() {
    let err = error_at(&format!("{GOOD}T5\tPerson 0 4\tJohn\n"), 8);
    assert!(err.contains("unknown type 'Person'"), "{err}");
}

#[test]
fn an_unknown_relation_is_an_error() {
    let err = error_at(&format!("{GOOD}R4\tWorksFor Arg1:T1 Arg2:T3\n"), 8);
    assert!(err.contains("unknown relation 'WorksFor'"), "{err}");
}

#[test]
fn an_unknown_attribute_is_an_error() {
    let err = error_at(&format!("{GOOD}A1\tNegated T4\n"), 8);
    assert!(err.contains("unknown attribute 'Negated'"), "{err}");
}

#[test]
fn partial_on_a_non_quote_is_an_error() {
    let err = error_at(&format!("{GOOD}A1\tPartial T1\n"), 8);
    assert!(err.contains("QUOTE spans only"), "{err}");
}

#[test]
fn a_line_without_a_tab_is_an_error() {
    error_at("T1 PER 0 10 John Adler\n", 1);
}

#[test]
fn a_t_line_without_its_text_field_is_an_error() {
    error_at("T1\tPER 0 10\n", 1);
}

#[test]
fn a_non_numeric_offset_is_an_error() {
    let err = error_at("T1\tPER 0 ten\tJohn Adler\n", 1);
    assert!(err.contains("bad offset 'ten'"), "{err}");
}

#[test]
fn a_negative_offset_is_an_error() {
    error_at("T1\tPER -1 10\tJohn Adler\n", 1);
}

#[test]
fn a_span_past_the_end_of_the_text_is_an_error() {
    let err = error_at("T1\tPER 60 99\t”\n", 1);
    assert!(err.contains("past the end of the text (62 characters)"), "{err}");
}

#[test]
fn start_after_end_is_an_error() {
    let err = error_at("T1\tPER 10 0\tJohn Adler\n", 1);
    assert!(err.contains("start 10 is after end 0"), "{err}");
}

#[test]
fn a_text_field_that_differs_from_the_document_is_an_error() {
    let err = error_at("T1\tPER 0 10\tJohn Adams\n", 1);
    assert!(err.contains("does not match the text at 0-10: 'John Adler'"), "{err}");
}

#[test]
fn a_duplicate_id_is_an_error() {
    let err = error_at("T1\tPER 0 10\tJohn Adler\nT1\tORG 35 38\tCQC\n", 2);
    assert!(err.contains("duplicate id T1"), "{err}");
}

#[test]
fn a_malformed_id_is_an_error() {
    error_at("Tx\tPER 0 10\tJohn Adler\n", 1);
}

#[test]
fn an_unknown_line_kind_is_an_error() {
    let err = error_at(&format!("{GOOD}E1\tSay:T4\n"), 8);
    assert!(err.contains("unknown annotation line 'E1'"), "{err}");
}

#[test]
fn a_relation_to_an_unknown_id_is_an_error_at_the_relation_line() {
    let err = error_at("T1\tPER 0 10\tJohn Adler\nR1\tHasRole Arg1:T1 Arg2:T9\nT2\tORG 35 38\tCQC\n", 2);
    assert!(err.contains("unknown span id T9"), "{err}");
}

#[test]
fn a_relation_may_refer_to_a_span_defined_later() {
    let ann = parse("R1\tHasRole Arg1:T1 Arg2:T2\nT1\tPER 0 10\tJohn Adler\nT2\tROLE 12 27\tchief executive\n");
    assert_eq!(ann.unwrap().relations.len(), 1);
}

#[test]
fn a_relation_with_a_disallowed_argument_type_is_an_error() {
    // RoleOrg goes ROLE -> ORG, not PER -> ORG.
    let err = error_at(&format!("{GOOD}R4\tRoleOrg Arg1:T1 Arg2:T3\n"), 8);
    assert!(err.contains("RoleOrg Arg1 must be ROLE, but T1 is PER"), "{err}");
    let err = error_at(&format!("{GOOD}R4\tSpeaker Arg1:T4 Arg2:T4\n"), 8);
    assert!(err.contains("Speaker Arg2 must be PER, ORG or ROLE, but T4 is QUOTE"), "{err}");
}

#[test]
fn a_relation_without_arg_names_is_an_error() {
    let err = error_at(&format!("{GOOD}R4\tHasRole T1 T2\n"), 8);
    assert!(err.contains("expected 'Arg1:<id>'"), "{err}");
}

#[test]
fn an_attribute_on_an_unknown_id_is_an_error() {
    error_at(&format!("{GOOD}A1\tPartial T9\n"), 8);
}

#[test]
fn an_equiv_with_an_unknown_member_is_an_error() {
    let err = error_at(&format!("{GOOD}*\tEquiv T1 T9\n"), 8);
    assert!(err.contains("unknown span id T9"), "{err}");
}

#[test]
fn an_equiv_with_a_single_member_is_an_error() {
    error_at(&format!("{GOOD}*\tEquiv T1\n"), 8);
}

#[test]
fn a_mention_in_two_equiv_groups_is_an_error() {
    let err = error_at(&format!("{GOOD}*\tEquiv T1 T2\n*\tEquiv T3 T1\n"), 9);
    assert!(err.contains("T1 is already in an equivalence group"), "{err}");
}

#[test]
fn a_note_on_an_unknown_id_is_an_error() {
    let err = error_at(&format!("{GOOD}#1\tAnnotatorNotes T9\ttext\n"), 8);
    assert!(err.contains("unknown target id T9"), "{err}");
}

#[test]
fn a_note_may_target_a_relation() {
    let ann = parse(&format!("{GOOD}#1\tAnnotatorNotes R1\tby the byline\n")).unwrap();
    assert_eq!(ann.notes[0].target, "R1");
}

#[test]
fn the_writer_orders_lines_by_kind_and_numbers_attributes_in_span_order() {
    let text = text();
    let mut ann = Annotations::default();
    let q = ann.add_span(Label::QUOTE, Span::new(46, 61), None);
    let p = ann.add_span(Label::PER, Span::new(0, 10), None);
    ann.spans[0].partial = true;
    ann.add_relation(RelKind::Speaker, &q, &p, Some("rule"));
    ann.notes.push(Note { id: "#1".into(), kind: "AnnotatorNotes".into(), target: q, text: "two\nlines".into() });
    assert_eq!(
        to_ann_string(&text, &ann),
        "T1\tQUOTE 46 61\t“We are proud.”\n\
         T2\tPER 0 10\tJohn Adler\n\
         R1\tSpeaker Arg1:T1 Arg2:T2\n\
         A1\tPartial T1\n\
         #1\tAnnotatorNotes T1\ttwo lines\n"
    );
}

fn strict(text: &Text, src: &str) -> Vec<String> {
    let conf = AnnotationConf::parse(&brat_conf::annotation_conf());
    check_strict(text, src, &conf).iter().map(ToString::to_string).collect()
}

#[test]
fn what_whosaid_writes_passes_brats_rules() {
    let text = Text::new(format!("{TEXT}“Then more.\n\n“And the end.”\n"));
    let mut ann = parse(&format!("{GOOD}A1\tPartial T4\n*\tEquiv T1 T2\n#1\tAnnotatorNotes T4\ta note\n")).unwrap();
    ann.add_span(Label::QUOTE, Span::new(62, 89), None);
    let written = to_ann_string(&text, &ann);
    assert!(written.contains("62 73;75 89\t“Then more. “And the end.”"), "{written}");
    assert_eq!(strict(&text, &written), Vec::<String>::new());
}

#[test]
fn the_older_one_fragment_form_over_a_break_fails_brats_rules() {
    let text = Text::new("“One.\n“Two.”".to_string());
    let problems = strict(&text, "T1\tQUOTE 0 12\t“One. “Two.”\n");
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems[0].starts_with("1: T1: fragment 0-12 holds a line break"), "{problems:?}");
    assert!(problems[1].starts_with("1: T1: text field '“One. “Two.”' is not the fragments' text"), "{problems:?}");
}

#[test]
fn a_line_separator_in_a_text_field_ends_the_line_for_brat() {
    let text = Text::new("“One.\u{2028}“Two.”".to_string());
    let problems = strict(&text, "T1\tQUOTE 0 12\t“One.\u{2028}“Two.”\n");
    assert!(problems.iter().any(|p| p.starts_with("2: no tab after the id")), "{problems:?}");
}

#[test]
fn a_byte_order_mark_or_a_blank_line_fails_brats_rules() {
    assert_eq!(strict(&text(), "\u{feff}T1\tPER 0 10\tJohn Adler\n"), ["1: '\\u{feff}T1' is not a brat id"]);
    assert_eq!(strict(&text(), "T1\tPER 0 10\tJohn Adler\n\n"), ["2: no tab after the id in ''"]);
}

#[test]
fn overlapping_fragments_fail_brats_rules() {
    let problems = strict(&text(), "T1\tPER 0 10;5 10\tJohn Adler Adler\n");
    assert_eq!(problems, ["1: T1: fragment 5-10 overlaps an earlier one"]);
    // brat's test looks back only: a fragment that touches the next one's start fails.
    let problems = strict(&text(), "T1\tPER 4 10;0 4\t Adler John\n");
    assert_eq!(problems, ["1: T1: fragment 0-4 overlaps an earlier one"]);
}

#[test]
fn types_and_arguments_must_be_as_annotation_conf_declares() {
    let src = "T1\tPerson 0 10\tJohn Adler\nT2\tROLE 12 27\tchief executive\nR1\tRoleOrg Arg1:T2 Arg2:T2\nA1\tPartial T2\n";
    assert_eq!(
        strict(&text(), src),
        [
            "1: T1: type Person is not declared in [entities]",
            "3: R1: RoleOrg from ROLE to ROLE is not declared in [relations]",
            "4: attribute Partial on ROLE (T2) is not declared in [attributes]",
        ]
    );
}

#[test]
fn overlapping_spans_must_be_an_entity_inside_a_quote() {
    assert_eq!(strict(&text(), "T1\tQUOTE 46 61\t“We are proud.”\nT2\tPER 50 53\tare\n"), Vec::<String>::new());
    assert_eq!(
        strict(&text(), "T1\tPER 0 10\tJohn Adler\nT2\tORG 5 10\tAdler\n"),
        ["2: T1 (PER) and T2 (ORG) overlap, which annotation.conf does not allow"]
    );
}

#[test]
fn write_ann_replaces_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("doc.ann");
    std::fs::write(&path, "old").unwrap();
    let ann = parse(GOOD).unwrap();
    write_ann(&path, &text(), &ann).unwrap();
    assert_eq!(read_ann(&text(), &path).unwrap(), ann);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no temporary file is left behind");
}
