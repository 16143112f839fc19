//! Export then import gives back the same annotations, for every gold fixture: ids,
//! spans, labels, `Partial`, relations, `Equiv` groups and notes.

use super::fixture_corpus;
use whosaid::formats::review::{read_corpus, ExportFormat, ExportOptions, ImportFormat, ImportOptions};
use whosaid::formats::{brat_conf, label_studio};

#[test]
fn brat_export_reads_back_as_the_same_documents() {
    let corpus = fixture_corpus();
    let out = tempfile::tempdir().unwrap();
    brat_conf::write_corpus(&corpus.docs, out.path()).unwrap();
    let (again, errors) = read_corpus(&[out.path().to_path_buf()]);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(again.docs.len(), 17);
    for (a, b) in corpus.docs.iter().zip(&again.docs) {
        assert_eq!((&a.id, a.text.as_str()), (&b.id, b.text.as_str()));
        assert_eq!(a.ann, b.ann, "{}", a.id);
    }
}

#[test]
fn label_studio_export_then_import_of_the_predictions_gives_the_same_annotations() {
    let corpus = fixture_corpus();
    let out = tempfile::tempdir().unwrap();
    ExportFormat::LabelStudio.export(&corpus, out.path(), &ExportOptions::default()).unwrap();
    let imported = ImportFormat::LabelStudio
        .import(&out.path().join("tasks.json"), &ImportOptions { predictions: true })
        .unwrap();
    assert!(imported.failed.is_empty(), "{:?}", imported.failed);
    assert!(imported.warnings.is_empty(), "{:?}", imported.warnings);
    assert_eq!(imported.docs.len(), 17);
    for (a, b) in corpus.docs.iter().zip(&imported.docs) {
        assert_eq!((&a.id, a.text.as_str()), (&b.id, b.text.as_str()));
        assert_eq!(a.ann, b.ann, "{}", a.id);
    }
}

#[test]
fn label_studio_annotations_a_reviewer_accepted_unchanged_give_the_same_annotations() {
    // Accepting a prediction in Label Studio submits its result as the task's annotation;
    // relations come back without ids.
    let corpus = fixture_corpus();
    let (mut tasks, _) = label_studio::tasks(&corpus, &Default::default());
    for t in &mut tasks {
        let label_studio::PredictionEntry::Full(p) = t.predictions.remove(0) else { unreachable!() };
        t.annotations.push(label_studio::LsAnnotation {
            id: Some(7.into()),
            result: p.result,
            was_cancelled: Some(false),
            ground_truth: Some(false),
            created_at: Some("2024-05-01T10:00:00Z".into()),
            updated_at: Some("2024-05-01T10:05:00Z".into()),
        });
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("export.json");
    std::fs::write(&file, serde_json::to_vec(&tasks).unwrap()).unwrap();
    let imported = ImportFormat::LabelStudio.import(&file, &ImportOptions::default()).unwrap();
    assert!(imported.failed.is_empty(), "{:?}", imported.failed);
    assert_eq!(imported.from_predictions, 0);
    for (a, b) in corpus.docs.iter().zip(&imported.docs) {
        assert_eq!(a.ann, b.ann, "{}", a.id);
    }
}

#[test]
fn doccano_export_then_import_gives_the_same_annotations() {
    let corpus = fixture_corpus();
    let out = tempfile::tempdir().unwrap();
    ExportFormat::Doccano.export(&corpus, out.path(), &ExportOptions::default()).unwrap();
    let imported = ImportFormat::Doccano.import(&out.path().join("dataset.jsonl"), &ImportOptions::default()).unwrap();
    assert!(imported.failed.is_empty(), "{:?}", imported.failed);
    assert!(imported.warnings.is_empty(), "{:?}", imported.warnings);
    assert_eq!(imported.docs.len(), 17);
    for (a, b) in corpus.docs.iter().zip(&imported.docs) {
        assert_eq!((&a.id, a.text.as_str()), (&b.id, b.text.as_str()));
        assert_eq!(a.ann, b.ann, "{}", a.id);
    }
}

#[test]
fn the_fixtures_exercise_every_layer_the_round_trips_carry() {
    // So that the round trips above are not trivially equal.
    let corpus = fixture_corpus();
    let anns = corpus.docs.iter().map(|d| &d.ann);
    let (mut partial, mut equivs, mut notes, mut relations) = (0, 0, 0, 0);
    for a in anns {
        partial += a.spans.iter().filter(|s| s.partial).count();
        equivs += a.equivs.len();
        notes += a.notes.len();
        relations += a.relations.len();
    }
    assert_eq!((partial, equivs, notes, relations), (48, 69, 18, 245));
}
