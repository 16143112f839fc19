//! Accuracy on the hand-labelled gold fixtures (tests/fixtures, all 17 documents): the
//! shipped model and rules annotate the plain texts, and the guidelines' scorer compares
//! them with the gold. The thresholds only ever go up; each sits a little under the score
//! measured when it was last raised (see the comment beside it), so a real regression fails
//! and run-to-run float noise does not.

use crate::util::{fixture_docs, model_dir};
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
    ("entities.micro.exact.f1", 88.5), // 88.66 (was 86.01; name fragments, whole titles, name cues, self-trained model, defined acronyms)
    ("entities.ROLE.exact.f1", 87.5),  // 87.80 (was 87.12)
    ("entities.PER.exact.f1", 95.5),   // 96.10 (was 94.92)
    ("entities.ORG.exact.f1", 81.0),   // 81.14 (was 76.26; 78.50 before defined acronyms)
    ("entities.LOC.exact.f1", 88.0),   // 88.72 (was 86.13)
    ("quotes.overlap.f1", 98.5),       // 99.62
    ("quotes.exact.f1", 98.5),         // 99.62
    ("speaker.accuracy", 95.5),        // 96.15 (was 95.38)
    ("e2e.f1", 95.0),                  // 95.79 (was 95.02)
    ("hasrole.f1", 84.0),              // 84.89
    ("roleorg.f1", 85.0),              // 85.71 (was 80.60)
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
            let name = gold.text.get(sp.span).unwrap();
            if !SPEAKERS.contains(&name) {
                continue;
            }
            checked += 1;
            let quote = gold.text.get(g.span).unwrap();
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

// ---------------------------------------------------------------------------------------
// The PolNeAR development set (../shared/dev/polnear-train): whosaid's own scorer
// (`whosaid eval-polnear`) against ../shared/eval/polnear.py, and the dev-set thresholds.
// Both need the shared checkout; on a machine without it they print one line and pass.
// ---------------------------------------------------------------------------------------

use std::path::{Path, PathBuf};
use std::process::Command;

/// The development set's gold directory, when this checkout has it.
fn dev_direct() -> Option<PathBuf> {
    let dir = crate::util::root().join("../shared/dev/polnear-train/direct");
    dir.is_dir().then_some(dir)
}

/// `../shared/eval/polnear.py`, when it and `python3` are there.
fn polnear_py() -> Option<PathBuf> {
    let script = crate::util::root().join("../shared/eval/polnear.py");
    let python = Command::new("python3").arg("--version").output().is_ok_and(|o| o.status.success());
    (python && script.is_file()).then_some(script)
}

fn whosaid() -> Command {
    Command::new(env!("CARGO_BIN_EXE_whosaid"))
}

/// The fixed CI sample of the development set: every 7th article by sorted file name
/// (the 1st, 8th, 15th, …: 120 of the 840), its gold copied to `gold/` and annotated by the
/// real binary with the shipped model (fp32, so the figures do not depend on the CPU) into
/// `pred/`; once per test binary, under cargo's temporary directory for integration tests.
fn dev_sample() -> Option<&'static (PathBuf, PathBuf)> {
    static SAMPLE: OnceLock<Option<(PathBuf, PathBuf)>> = OnceLock::new();
    SAMPLE
        .get_or_init(|| {
            let direct = dev_direct()?;
            let mut names: Vec<String> = std::fs::read_dir(&direct)
                .expect("the dev set lists")
                .filter_map(|e| e.ok()?.file_name().to_str()?.strip_suffix(".ann").map(String::from))
                .collect();
            names.sort();
            let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("polnear-dev-sample");
            if root.exists() {
                std::fs::remove_dir_all(&root).expect("the old sample is removed");
            }
            let (gold, pred) = (root.join("gold"), root.join("pred"));
            std::fs::create_dir_all(&gold).expect("sample dir");
            for name in names.iter().step_by(7) {
                for ext in ["txt", "ann"] {
                    let f = format!("{name}.{ext}");
                    std::fs::copy(direct.join(&f), gold.join(&f)).expect("a dev file copies");
                }
            }
            let out = whosaid()
                .arg("annotate")
                .arg(&gold)
                .arg("--out")
                .arg(&pred)
                .args(["--model"])
                .arg(crate::util::model_dir())
                .args(["--precision", "fp32", "--quiet"])
                .output()
                .expect("whosaid annotate runs");
            assert!(out.status.success(), "annotate failed: {}", String::from_utf8_lossy(&out.stderr));
            Some((gold, pred))
        })
        .as_ref()
}

/// `whosaid eval-polnear GOLD PRED --json` and `polnear.py score GOLD PRED --json`, parsed.
fn both_scorers(script: &Path, gold: &Path, pred: &Path) -> (serde_json::Value, serde_json::Value) {
    let ours = whosaid().arg("eval-polnear").arg(gold).arg(pred).arg("--json").output().expect("whosaid runs");
    assert!(ours.status.success(), "eval-polnear failed: {}", String::from_utf8_lossy(&ours.stderr));
    let theirs = Command::new("python3").arg(script).arg("score").arg(gold).arg(pred).arg("--json").output().expect("python3 runs");
    assert!(theirs.status.success(), "polnear.py failed: {}", String::from_utf8_lossy(&theirs.stderr));
    let parse = |b: &[u8]| serde_json::from_slice::<serde_json::Value>(b).expect("JSON output");
    (parse(&ours.stdout), parse(&theirs.stdout))
}

/// Every path where two JSON values differ, `a_recall.found: 3 != 4`.
fn json_diff(path: &str, a: &serde_json::Value, b: &serde_json::Value, out: &mut Vec<String>) {
    use serde_json::Value;
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for k in x.keys().chain(y.keys().filter(|k| !x.contains_key(*k))) {
                let (va, vb) = (x.get(k).unwrap_or(&Value::Null), y.get(k).unwrap_or(&Value::Null));
                json_diff(&format!("{path}.{k}"), va, vb, out);
            }
            let (ka, kb): (Vec<_>, Vec<_>) = (x.keys().collect(), y.keys().collect());
            if ka != kb && out.is_empty() {
                out.push(format!("{path}: keys in another order: {ka:?} != {kb:?}"));
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (va, vb)) in x.iter().zip(y).enumerate() {
                json_diff(&format!("{path}[{i}]"), va, vb, out);
            }
        }
        _ if a == b => {}
        _ => out.push(format!("{path}: whosaid {a} != polnear.py {b}")),
    }
}

fn assert_scorers_agree(script: &Path, gold: &Path, pred: &Path) {
    let (ours, theirs) = both_scorers(script, gold, pred);
    let mut diff = vec![];
    json_diff("", &ours, &theirs, &mut diff);
    assert!(diff.is_empty(), "eval-polnear and polnear.py disagree on {}:\n{}", pred.display(), diff.join("\n"));
}

#[test]
fn eval_polnear_agrees_with_polnear_py_on_gold_against_itself() {
    let (Some(script), Some(direct)) = (polnear_py(), dev_direct()) else {
        crate::util::skipped("accuracy::eval_polnear_agrees_with_polnear_py_on_gold_against_itself", "no python3, ../shared/eval/polnear.py or ../shared/dev/polnear-train");
        return;
    };
    assert_scorers_agree(&script, &direct, &direct);
}

#[test]
fn eval_polnear_agrees_with_polnear_py_on_whosaid_output_for_the_dev_sample() {
    let Some(script) = polnear_py() else {
        crate::util::skipped("accuracy::eval_polnear_agrees_with_polnear_py_on_whosaid_output_for_the_dev_sample", "no python3 or ../shared/eval/polnear.py");
        return;
    };
    let Some((gold, pred)) = dev_sample() else {
        crate::util::skipped("accuracy::eval_polnear_agrees_with_polnear_py_on_whosaid_output_for_the_dev_sample", "no ../shared/dev/polnear-train");
        return;
    };
    assert_scorers_agree(&script, gold, pred);
}

/// Hand-written gold and predictions for the scorer's edge cases: a missing prediction
/// file, a quote matched by half overlap only, a speaker credited by surname only, pronoun
/// and nominal sources, a quote without a source, a fragment span over a line break, two
/// gold quotes competing for one prediction, and lines the parser warns about.
const EDGE_CASES: &[(&str, &str, &str, Option<&str>)] = &[
    (
        "a_missing",
        "Dana Whitfield said: “We will keep the mill open for now.”\n",
        "T1\tQUOTE 21 58\t“We will keep the mill open for now.”\nT2\tSRC 0 14\tDana Whitfield\nR1\tSpeaker Arg1:T1 Arg2:T2\n",
        None,
    ),
    (
        "b_half_overlap",
        "Senator Dana Whitfield of Ohio said: “The bridge will be rebuilt by the spring, and the tolls will go.” Later Whitfield left.\n",
        "T1\tQUOTE 37 103\t“The bridge will be rebuilt by the spring, and the tolls will go.”\nT2\tSRC 0 30\tSenator Dana Whitfield of Ohio\nR1\tSpeaker Arg1:T1 Arg2:T2\n",
        Some("T1\tPER 110 119\tWhitfield\nT2\tQUOTE 38 78\tThe bridge will be rebuilt by the spring\nR1\tSpeaker Arg1:T2 Arg2:T1\n"),
    ),
    (
        "c_pronoun_nominal",
        "Mayor Ines Okafor met the union on Monday. Afterwards she said: “Nobody is losing a job this year.”\nThe spokesman added: “The talks went well for everyone.”\n",
        "T1\tSRC 54 57\tshe\nT2\tQUOTE 64 99\t“Nobody is losing a job this year.”\nT3\tSRC 100 113\tThe spokesman\nT4\tQUOTE 121 156\t“The talks went well for everyone.”\nR1\tSpeaker Arg1:T2 Arg2:T1\nR2\tSpeaker Arg1:T4 Arg2:T3\nA1\tPronoun T1\nA2\tNominal T3\n",
        Some("T1\tROLE 0 5\tMayor\nT2\tPER 6 17\tInes Okafor\nT3\tORG 26 31\tunion\nT4\tQUOTE 64 99\t“Nobody is losing a job this year.”\nT5\tQUOTE 121 156\t“The talks went well for everyone.”\nR1\tSpeaker Arg1:T4 Arg2:T2\nR2\tHasRole Arg1:T2 Arg2:T1\n*\tEquiv T2 T2\n"),
    ),
    (
        "d_fragments_and_no_source",
        "“The plan is sound,\nand it is cheap,” Paul Ferreira wrote. “Nobody told us a thing,” a sign read.\n",
        "T1\tQUOTE 0 37\t“The plan is sound, and it is cheap,”\nT2\tSRC 38 51\tPaul Ferreira\nT3\tQUOTE 59 84\t“Nobody told us a thing,”\nR1\tSpeaker Arg1:T1 Arg2:T2\n",
        Some("T1\tQUOTE 0 19;20 37\t“The plan is sound, and it is cheap,”\nT2\tPER 38 51\tPaul Ferreira\nT3\tQUOTE 59 84\t“Nobody told us a thing,”\nR1\tSpeaker Arg1:T1 Arg2:T2\nR2\tSpeaker Arg1:T1 Arg2:T2\nR3\tSpeaker Arg1:T3 Arg2:T2\n"),
    ),
    (
        "e_competing_and_bad_lines",
        "“Yes to the first part of it.” “And yes to the second part.” Lena Marsh, the treasurer, said so.\n",
        // two overlapping gold quotes: the larger-overlap pair (gold T1, pred T1) gives way to
        // an augmenting path, so gold T1 is found through pred T2, which has no speaker
        "T1\tQUOTE 0 40\t“Yes to the first part of it.” “And yes \nT2\tQUOTE 20 40\trt of it.” “And yes \nT3\tSRC 61 71\tLena Marsh\nR1\tSpeaker Arg1:T1 Arg2:T3\n",
        Some("T1\tQUOTE 10 40\te first part of it.” “And yes \nT2\tQUOTE 0 20\t“Yes to the first pa\nT3\tPER 61 71\tLena Mrsh\nT4\tPER 61 71\tLena Marsh\nT3\tPER 0 2\tx\nT9\tPER 5\tbroken\nT10 PER 61 65 Lena\nR1\tSpeaker Arg1:T1 Arg2:T4\nR2\tSpeaker Arg1:T2 Arg2:T99\nR3\tSpeaker Arg1:T3 Arg2:T4\nA1\tPartial T77\n"),
    ),
];

#[test]
fn eval_polnear_agrees_with_polnear_py_on_hand_made_edge_cases() {
    let Some(script) = polnear_py() else {
        crate::util::skipped("accuracy::eval_polnear_agrees_with_polnear_py_on_hand_made_edge_cases", "no python3 or ../shared/eval/polnear.py");
        return;
    };
    let tmp = tempfile::tempdir().expect("tempdir");
    let (gold, pred) = (tmp.path().join("gold"), tmp.path().join("pred"));
    std::fs::create_dir_all(&gold).unwrap();
    std::fs::create_dir_all(&pred).unwrap();
    for (name, text, gold_ann, pred_ann) in EDGE_CASES {
        std::fs::write(gold.join(format!("{name}.txt")), text).unwrap();
        std::fs::write(gold.join(format!("{name}.ann")), gold_ann).unwrap();
        if let Some(p) = pred_ann {
            std::fs::write(pred.join(format!("{name}.ann")), p).unwrap();
        }
    }
    std::fs::write(pred.join("z_no_gold.ann"), "T1\tPER 0 4\tDana\n").unwrap();
    assert_scorers_agree(&script, &gold, &pred);
    // and the cases are really exercised: the figures are those worked out by hand
    let (ours, _) = both_scorers(&script, &gold, &pred);
    assert_eq!(ours["a_recall"]["found"], 7, "{ours:#}");
    assert_eq!(ours["c_speaker_name"]["correct_by_surname"], 1, "{ours:#}");
    assert_eq!(ours["d_pronoun_nominal_informational"]["named_mention_within_300_before"], 1, "{ours:#}");
    assert!(ours["warnings"].as_array().is_some_and(|w| w.len() >= 8), "{ours:#}");
}

/// The dev-set figures of the shipped model and rules on the fixed sample of [`dev_sample`]
/// (every 7th article by sorted file name, 120 of 840), scored by `whosaid eval-polnear
/// --min`: each minimum is the figure measured when it was last set (beside it), rounded
/// down to one decimal; the `_max` count is an upper bound at the measured count. They only
/// go up (the count only down) as attribution improves.
const DEV_SAMPLE_MINIMUMS: &[&str] = &[
    // Raised after the attribution rebuild (issue 13), measured on the same sample with
    // the shipped model (bf16 entities, rules and ranker rerun): a few tenths of slack are
    // left for a quote that fp32 and bf16 entities attribute differently. Most of the
    // sample's articles are in the months the ranker was trained on: this is a regression
    // guard, not a measure of generalisation (README, "Development set").
    "a_recall=98.4",         // 98.54 (1013 / 1028), 2026-12-01; was 98.1
    "a_exact=98.1",          // 98.35 (1011 / 1028); was 82.1
    "c_speaker=95.5",        // 96.07 (661 / 688) with the retrained ranker and this version's rules; was 93.5 (93.90)
    "c_no_speaker_max=6",    // 3 found named-source quotes with no speaker; was 9 (6)
];

#[test]
fn the_dev_sample_scores_at_or_above_every_minimum() {
    let Some((gold, pred)) = dev_sample() else {
        crate::util::skipped("accuracy::the_dev_sample_scores_at_or_above_every_minimum", "no ../shared/dev/polnear-train");
        return;
    };
    let mut cmd = whosaid();
    cmd.arg("eval-polnear").arg(gold).arg(pred);
    for m in DEV_SAMPLE_MINIMUMS {
        cmd.arg("--min").arg(m);
    }
    let out = cmd.output().expect("whosaid runs");
    eprintln!("{}", String::from_utf8_lossy(&out.stdout));
    assert!(out.status.success(), "below a minimum on the dev sample:\n{}", String::from_utf8_lossy(&out.stderr));
}
