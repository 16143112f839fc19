//! Label Studio: the tasks and labelling config whosaid writes, and how a reviewed export
//! comes back (what the reviewer submitted, in code points, with relations checked).

use super::{fixture, fixture_corpus, with_prefix, write_pairs};
use serde_json::Value;
use std::path::Path;
use whosaid::formats::json::{JsonDocument, Provenance};
use whosaid::formats::label_studio::{
    import_tasks, labeling_config, tasks, LabelsValue, LsAnnotation, Prediction, PredictionEntry, ResultItem, Task,
};
use whosaid::formats::review::{read_corpus, BratPairs, ExportOptions, ImportOptions, Imported};
use whosaid::{Document, Label, RelKind};

fn corpus_of(docs: Vec<Document>) -> BratPairs {
    BratPairs { docs, model_versions: Default::default() }
}

fn task_of(doc: &Document) -> Task {
    tasks(&corpus_of(vec![doc.clone()]), &ExportOptions::default()).0.remove(0)
}

fn prediction(task: &Task) -> &Prediction {
    match &task.predictions[0] {
        PredictionEntry::Full(p) => p,
        PredictionEntry::Reference(_) => panic!("a full prediction"),
    }
}

/// The task as a reviewer submitted it with `result`.
fn submitted(mut task: Task, result: Vec<ResultItem>) -> Task {
    task.annotations.push(LsAnnotation {
        id: Some(1.into()),
        result,
        was_cancelled: Some(false),
        ground_truth: Some(false),
        created_at: Some("2024-05-01T10:00:00Z".into()),
        updated_at: Some("2024-05-01T10:00:00Z".into()),
    });
    task
}

fn import(tasks: &[Task], opts: ImportOptions) -> Imported {
    let values: Vec<Value> = tasks.iter().map(|t| serde_json::to_value(t).unwrap()).collect();
    import_tasks(Path::new("export.json"), values, &opts)
}

fn labels(id: &str, doc: &Document, start: usize, end: usize, label: &str) -> ResultItem {
    ResultItem::Labels {
        id: id.into(),
        from_name: "label".into(),
        to_name: "text".into(),
        value: LabelsValue {
            start,
            end,
            text: Some(doc.text.get(whosaid::Span::new(start, end)).unwrap().to_string()),
            labels: vec![label.into()],
        },
        score: None,
    }
}

fn relation(from: &str, to: &str, label: &str) -> ResultItem {
    ResultItem::Relation { from_id: from.into(), to_id: to.into(), direction: Some("right".into()), labels: vec![label.into()] }
}

#[test]
fn offsets_are_code_points_so_regions_after_emoji_cover_their_text() {
    let doc = with_prefix(&fixture("000_4e8217c3b4a8aa62"), "📣😀 ");
    let task = task_of(&doc);
    let text = &task.data.text;
    let mut checked = 0;
    for item in &prediction(&task).result {
        if let ResultItem::Labels { id, value, .. } = item {
            let by_code_points: String = text.chars().skip(value.start).take(value.end - value.start).collect();
            assert_eq!(Some(&by_code_points), value.text.as_ref(), "{id}");
            assert_eq!(value.start, doc.ann.span(id).unwrap().span.start);
            checked += 1;
        }
    }
    assert_eq!(checked, 18);
    // John Adler starts at code point 659; JavaScript's UTF-16 count would say 661.
    let adler = prediction(&task).result.iter().find_map(|i| match i {
        ResultItem::Labels { id, value, .. } if id == "T7" => Some(value.clone()),
        _ => None,
    });
    assert_eq!(adler.map(|v| (v.start, v.end, v.text)), Some((659, 669, Some("John Adler".to_string()))));
    let back = import(&[task], ImportOptions { predictions: true });
    assert_eq!(back.docs[0].ann, doc.ann);
}

#[test]
fn utf16_offsets_from_an_older_label_studio_are_read_as_such_with_a_warning() {
    let doc = with_prefix(&fixture("000_4e8217c3b4a8aa62"), "📣😀 ");
    let mut task = task_of(&doc);
    let PredictionEntry::Full(p) = &mut task.predictions[0] else { unreachable!() };
    for item in &mut p.result {
        if let ResultItem::Labels { value, .. } = item {
            // Two astral characters before every span: two more UTF-16 units.
            value.start += 2;
            value.end += 2;
        }
    }
    let back = import(&[task], ImportOptions { predictions: true });
    assert!(back.failed.is_empty(), "{:?}", back.failed);
    assert_eq!(back.docs[0].ann.spans, doc.ann.spans);
    assert!(back.warnings.iter().any(|w| w.contains("UTF-16")), "{:?}", back.warnings);
}

#[test]
fn regions_keep_their_brat_ids_and_relations_partial_and_equiv_point_at_them() {
    let task = task_of(&fixture("000_4e8217c3b4a8aa62"));
    let result = &prediction(&task).result;
    assert!(result.contains(&relation("T9", "T7", "Speaker")));
    assert!(result.contains(&relation("T7", "T8", "HasRole")));
    assert!(result.contains(&relation("T8", "T1", "RoleOrg")));
    // `*	Equiv T3 T4 T10 T11 T13 T14 T18` as a chain of six links.
    let equiv = result.iter().filter(|i| matches!(i, ResultItem::Relation { labels, .. } if labels == &["Equiv"])).count();
    assert_eq!(equiv, 6);
    assert!(result.iter().any(|i| matches!(i,
        ResultItem::Choices { id: Some(id), value, .. } if id == "T5" && value.choices == ["Partial"])));
    assert_eq!(task.data.document.as_deref(), Some("000_4e8217c3b4a8aa62"));
}

#[test]
fn a_note_becomes_a_per_region_text_and_comes_back_as_annotator_notes() {
    let doc = fixture("news/bbc_politics_078");
    assert_eq!(doc.ann.notes.len(), 3);
    let task = task_of(&doc);
    let notes: Vec<&ResultItem> =
        prediction(&task).result.iter().filter(|i| matches!(i, ResultItem::TextArea { .. })).collect();
    assert_eq!(notes.len(), 3);
    let back = import(&[task], ImportOptions { predictions: true });
    assert_eq!(back.docs[0].ann.notes, doc.ann.notes);
}

#[test]
fn the_labelling_config_declares_every_control_label_and_relation_the_tasks_use() {
    let config = labeling_config();
    let (tasks, _) = tasks(&fixture_corpus(), &ExportOptions::default());
    for task in &tasks {
        for item in &prediction(task).result {
            let needles: Vec<String> = match item {
                ResultItem::Labels { from_name, to_name, value, .. } => vec![
                    format!("<Labels name=\"{from_name}\" toName=\"{to_name}\""),
                    format!("<Text name=\"{to_name}\" value=\"$text\""),
                    format!("<Label value=\"{}\"", value.labels[0]),
                ],
                ResultItem::Choices { from_name, value, .. } => {
                    vec![format!("<Choices name=\"{from_name}\""), format!("<Choice value=\"{}\"", value.choices[0])]
                }
                ResultItem::TextArea { from_name, .. } => vec![format!("<TextArea name=\"{from_name}\"")],
                ResultItem::Relation { labels, .. } => vec![format!("<Relation value=\"{}\"", labels[0])],
                ResultItem::Other => vec![],
            };
            for n in needles {
                assert!(config.contains(&n), "{n} missing from\n{config}");
            }
        }
    }
}

#[test]
fn the_prediction_carries_model_version_and_mean_score_from_the_json_beside_the_pair() {
    let mut doc = fixture("000_4e8217c3b4a8aa62");
    let dir = tempfile::tempdir().unwrap();
    write_pairs(&[doc.clone()], dir.path());
    for (i, s) in doc.ann.spans.iter_mut().filter(|s| s.label.is_entity()).enumerate() {
        s.score = Some(if i % 2 == 0 { 0.9 } else { 0.7 });
    }
    let provenance = Provenance {
        tool: "whosaid".into(),
        tool_version: "0.1.0".into(),
        model_name: "whosaid-ner-minilm".into(),
        model_version: "0.3".into(),
        rules_sha256: String::new(),
        settings: Value::Null,
    };
    let json = JsonDocument::from_document(&doc, provenance).to_bytes().unwrap();
    std::fs::write(dir.path().join("000_4e8217c3b4a8aa62.json"), json).unwrap();
    let (corpus, errors) = read_corpus(&[dir.path().to_path_buf()]);
    assert!(errors.is_empty(), "{errors:?}");
    let (tasks, _) = tasks(&corpus, &ExportOptions::default());
    let p = prediction(&tasks[0]);
    assert_eq!(p.model_version, "whosaid-ner-minilm 0.3");
    // 15 entities: 8 at 0.9 and 7 at 0.7.
    assert_eq!(p.score, Some(0.8067));
    let scored = p.result.iter().filter(|i| matches!(i, ResultItem::Labels { score: Some(_), .. })).count();
    assert_eq!(scored, 15);
}

#[test]
fn a_model_version_given_by_the_user_wins() {
    let opts = ExportOptions { model_version: Some("reviewed-2024-05".into()), title: None };
    let (tasks, _) = tasks(&corpus_of(vec![fixture("002_60f605e3110d2335")]), &opts);
    assert_eq!(prediction(&tasks[0]).model_version, "reviewed-2024-05");
}

#[test]
fn a_region_the_reviewer_added_gets_the_next_free_t_id() {
    let doc = fixture("000_4e8217c3b4a8aa62");
    let task = task_of(&doc);
    let mut result = prediction(&task).result.clone();
    let start = doc.text.as_str()[..doc.text.as_str().find("Becoming the Best").unwrap()].chars().count();
    result.push(labels("wJ3kx_9Qa", &doc, start, start + 17, "MISC"));
    let back = import(&[submitted(task, result)], ImportOptions::default());
    let added = back.docs[0].ann.span("T19").expect("T19 added after T18");
    assert_eq!((added.label, back.docs[0].text.get(added.span).unwrap()), (Label::MISC, "Becoming the Best"));
}

#[test]
fn a_relation_drawn_backwards_is_turned_round_with_a_warning() {
    let doc = fixture("000_4e8217c3b4a8aa62");
    let task = task_of(&doc);
    let mut result = prediction(&task).result.clone();
    let original = relation("T7", "T8", "HasRole");
    let at = result.iter().position(|i| *i == original).unwrap();
    result[at] = relation("T8", "T7", "HasRole");
    let back = import(&[submitted(task, result)], ImportOptions::default());
    let r = back.docs[0].ann.relations_of(RelKind::HasRole).find(|r| r.arg2 == "T8").expect("HasRole T7 → T8");
    assert_eq!(r.arg1, "T7");
    assert!(back.warnings.iter().any(|w| w.contains("drawn backwards")), "{:?}", back.warnings);
}

#[test]
fn a_relation_between_the_wrong_types_fails_its_task_only() {
    let bad_doc = fixture("000_4e8217c3b4a8aa62");
    let bad = task_of(&bad_doc);
    let mut result = prediction(&bad).result.clone();
    result.push(relation("T7", "T1", "RoleOrg")); // PER → ORG
    let good = task_of(&fixture("002_60f605e3110d2335"));
    let good = submitted(good.clone(), prediction(&good).result.clone());
    let back = import(&[submitted(bad, result), good], ImportOptions::default());
    assert_eq!(back.docs.len(), 1);
    assert_eq!(back.failed.len(), 1);
    let err = back.failed[0].to_string();
    assert!(err.starts_with("export.json: task 1 (000_4e8217c3b4a8aa62): RoleOrg goes from ROLE to ORG"), "{err}");
    assert!(err.contains("PER T7 'John Adler'"), "{err}");
}

#[test]
fn a_deleted_region_leaves_its_relations_out_with_a_warning() {
    let doc = fixture("000_4e8217c3b4a8aa62");
    let task = task_of(&doc);
    let result: Vec<ResultItem> = prediction(&task)
        .result
        .iter()
        .filter(|i| !matches!(i, ResultItem::Labels { id, .. } if id == "T8"))
        .cloned()
        .collect();
    let back = import(&[submitted(task, result)], ImportOptions::default());
    let ann = &back.docs[0].ann;
    assert!(ann.span("T8").is_none());
    assert!(ann.relations.iter().all(|r| r.arg1 != "T8" && r.arg2 != "T8"));
    assert_eq!(ann.relations.len(), 5, "HasRole T7→T8 and RoleOrg T8→T1 are gone");
    assert_eq!(back.warnings.iter().filter(|w| w.contains("unknown regions")).count(), 2);
}

#[test]
fn the_latest_submitted_annotation_wins_and_a_cancelled_one_is_ignored() {
    let doc = fixture("000_4e8217c3b4a8aa62");
    let task = task_of(&doc);
    let original = prediction(&task).result.clone();
    let mut edited = original.clone();
    for item in &mut edited {
        if let ResultItem::Labels { id, value, .. } = item {
            if id == "T12" {
                value.labels = vec!["MISC".into()]; // NHS
            }
        }
    }
    let mut task = submitted(task, original);
    task.annotations.push(LsAnnotation {
        id: Some(2.into()),
        result: edited,
        was_cancelled: Some(false),
        ground_truth: None,
        created_at: Some("2024-05-02T09:00:00Z".into()),
        updated_at: Some("2024-05-02T09:30:00Z".into()),
    });
    task.annotations.push(LsAnnotation {
        id: Some(3.into()),
        result: vec![],
        was_cancelled: Some(true),
        ground_truth: None,
        created_at: Some("2024-05-03T09:00:00Z".into()),
        updated_at: Some("2024-05-03T09:00:00Z".into()),
    });
    let back = import(&[task], ImportOptions::default());
    assert_eq!(back.docs[0].ann.span("T12").map(|s| s.label), Some(Label::MISC));
    assert_eq!(back.docs[0].ann.spans.len(), 18);
}

#[test]
fn a_task_nobody_reviewed_is_skipped_unless_predictions_are_asked_for() {
    let (tasks, _) = tasks(&fixture_corpus(), &ExportOptions::default());
    let skipped = import(&tasks, ImportOptions::default());
    assert!(skipped.docs.is_empty());
    assert_eq!(skipped.unreviewed.len(), 17);
    assert_eq!(skipped.unreviewed[0], "task 1 (000_4e8217c3b4a8aa62)");
    let taken = import(&tasks, ImportOptions { predictions: true });
    assert_eq!((taken.docs.len(), taken.from_predictions), (17, 17));
}

#[test]
fn a_document_id_that_could_leave_the_output_folder_is_replaced_by_the_task_id() {
    let doc = fixture("002_60f605e3110d2335");
    let mut task = task_of(&doc);
    task.id = Some(42.into());
    task.data.document = Some("../../etc/cron.d/x".into());
    let back = import(&[task], ImportOptions { predictions: true });
    assert_eq!(back.docs[0].id, "task_42");
    assert!(back.warnings[0].contains("not a safe file name"), "{:?}", back.warnings);
}

#[test]
fn region_text_that_does_not_match_the_document_fails_the_task() {
    let doc = fixture("002_60f605e3110d2335");
    let mut task = task_of(&doc);
    task.data.text = task.data.text.replacen("Ted Baker", "Ted Barker", 1);
    let back = import(&[task], ImportOptions { predictions: true });
    assert_eq!(back.docs.len(), 0);
    let err = back.failed[0].to_string();
    assert!(err.contains("region T1: span 84-93 covers 'Ted Barke' but the file says 'Ted Baker'"), "{err}");
}

#[test]
fn a_file_that_is_not_json_is_a_parse_error_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("tasks.json");
    std::fs::write(&file, "[\n{\"data\": }\n]").unwrap();
    let err = whosaid::formats::review::ImportFormat::LabelStudio.import(&file, &ImportOptions::default()).unwrap_err();
    assert!(err.to_string().starts_with(&format!("{}:2: ", file.display())), "{err}");
}
