//! The report: the same JSON keys and order as `polnear.py score --json`, the metrics that
//! `--min` holds thresholds on, and the table `polnear.py score` prints.

use super::score::{ratio, Kind, Tally};
use super::{MIN_WORDS, WINDOW};
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

const PREC_WARNING: &str = "PolNeAR does not mark every quotation: a predicted quote with no gold counterpart \
                            is not necessarily wrong, so this is a lower bound on precision, not precision";

#[derive(Debug, Clone, Serialize)]
#[allow(non_snake_case)]
pub struct SourceKinds {
    pub Name: usize,
    pub Pronoun: usize,
    pub Nominal: usize,
    pub none: usize,
}

/// (a) recall.
#[derive(Debug, Clone, Serialize)]
pub struct Recall {
    pub found: usize,
    pub gold: usize,
    pub value: Option<f64>,
    pub exact_found: usize,
    pub exact_value: Option<f64>,
}

/// (b) the precision proxy.
#[derive(Debug, Clone, Serialize)]
pub struct PrecisionProxy {
    pub matched: usize,
    pub pred: usize,
    pub value: Option<f64>,
    pub matched_3w: usize,
    pub pred_3w: usize,
    pub value_3w: Option<f64>,
    pub warning: &'static str,
}

/// (c) speakers of found quotes with a named source.
#[derive(Debug, Clone, Serialize)]
pub struct NamedSpeaker {
    pub found: usize,
    pub correct: usize,
    pub value: Option<f64>,
    pub correct_by_overlap: usize,
    pub correct_by_surname: usize,
    pub no_speaker: usize,
    pub found_without_head_name: usize,
    pub end_to_end_recall: Option<f64>,
    pub gold: usize,
}

/// (d) informational: pronoun and nominal sources.
#[derive(Debug, Clone, Serialize)]
pub struct PronounNominal {
    pub found: usize,
    pub found_pronoun: usize,
    pub found_nominal: usize,
    pub named_mention_within_300_before: usize,
    pub value: Option<f64>,
    pub speaker_overlaps_gold_source: usize,
    pub no_speaker: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct WithoutSource {
    pub gold: usize,
    pub found: usize,
    pub found_with_no_predicted_speaker: usize,
}

/// One document's line of `per_document`.
#[derive(Debug, Clone, Serialize)]
pub struct DocFigures {
    pub gold_quotes: usize,
    pub pred_quotes: usize,
    pub found: usize,
    pub exact: usize,
    pub found_name: usize,
    pub name_correct: usize,
    pub found_pronoun_nominal: usize,
    pub named_mention_within_300_before: usize,
}

/// Documents by name, in name order (a JSON object).
#[derive(Debug, Clone, Default)]
pub struct PerDocument(pub Vec<(String, DocFigures)>);

impl Serialize for PerDocument {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// The scorer's report: what `polnear.py score --json` prints, key for key.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub gold_dir: String,
    pub pred_dir: String,
    /// Only documents dated this month or later (not in polnear.py's output).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
    pub documents: usize,
    pub gold_quotes: usize,
    pub gold_quotes_by_source_kind: SourceKinds,
    pub pred_quotes: usize,
    pub a_recall: Recall,
    pub b_precision_proxy: PrecisionProxy,
    pub c_speaker_name: NamedSpeaker,
    pub d_pronoun_nominal_informational: PronounNominal,
    pub gold_quotes_without_source: WithoutSource,
    pub warnings: Vec<String>,
    pub per_document: PerDocument,
}

pub(super) fn build_report(c: &Tally, per_doc: PerDocument, warnings: Vec<String>, gold_dir: String, pred_dir: String) -> Report {
    let (name, pron, nom, none) = (Kind::Name as usize, Kind::Pronoun as usize, Kind::Nominal as usize, Kind::None as usize);
    let pn_found = c.found_kind[pron] + c.found_kind[nom];
    Report {
        gold_dir,
        pred_dir,
        since: None,
        documents: c.documents,
        gold_quotes: c.gold_quotes,
        gold_quotes_by_source_kind: SourceKinds {
            Name: c.gold[name],
            Pronoun: c.gold[pron],
            Nominal: c.gold[nom],
            none: c.gold[none],
        },
        pred_quotes: c.pred_quotes,
        a_recall: Recall {
            found: c.found,
            gold: c.gold_quotes,
            value: ratio(c.found, c.gold_quotes),
            exact_found: c.exact,
            exact_value: ratio(c.exact, c.gold_quotes),
        },
        b_precision_proxy: PrecisionProxy {
            matched: c.found,
            pred: c.pred_quotes,
            value: ratio(c.found, c.pred_quotes),
            matched_3w: c.pred_3w_matched,
            pred_3w: c.pred_quotes_3w,
            value_3w: ratio(c.pred_3w_matched, c.pred_quotes_3w),
            warning: PREC_WARNING,
        },
        c_speaker_name: NamedSpeaker {
            found: c.found_kind[name],
            correct: c.name_ok,
            value: ratio(c.name_ok, c.found_kind[name]),
            correct_by_overlap: c.name_ok_overlap,
            correct_by_surname: c.name_ok_surname,
            no_speaker: c.nospeaker[name],
            found_without_head_name: c.found_name_nohead,
            end_to_end_recall: ratio(c.name_ok, c.gold[name]),
            gold: c.gold[name],
        },
        d_pronoun_nominal_informational: PronounNominal {
            found: pn_found,
            found_pronoun: c.found_kind[pron],
            found_nominal: c.found_kind[nom],
            named_mention_within_300_before: c.pn_named_before,
            value: ratio(c.pn_named_before, pn_found),
            speaker_overlaps_gold_source: c.pn_overlaps_source,
            no_speaker: c.nospeaker[pron] + c.nospeaker[nom],
        },
        gold_quotes_without_source: WithoutSource {
            gold: c.gold[none],
            found: c.found_kind[none],
            found_with_no_predicted_speaker: c.nospeaker[none],
        },
        warnings,
        per_document: per_doc,
    }
}

// --------------------------------------------------------------------------
// Metrics for thresholds, and the table
// --------------------------------------------------------------------------

/// The metrics `whosaid eval-polnear --min` accepts: name and meaning. Percentages unless
/// the name ends in `_max` (a count that must not exceed the value).
pub const METRICS: &[(&str, &str)] = &[
    ("a_recall", "(a) direct-quote recall, half-overlap rule, %"),
    ("a_exact", "(a) exact-span recall, %"),
    ("b_precision", "(b) precision proxy, %"),
    ("b_precision_3w", "(b) precision proxy on predicted quotes of >= 3 words, %"),
    ("c_speaker", "(c) speaker accuracy on found quotes with a named source, %"),
    ("c_end_to_end", "(c) found with the right speaker / named-source gold quotes, %"),
    ("d_named_before", "(d) pronoun/nominal sources: speaker is a PER/ORG mention <= 300 chars before, %"),
    ("c_no_speaker_max", "(c) found named-source quotes with no predicted speaker (count, upper bound)"),
    ("d_no_speaker_max", "(d) found pronoun/nominal-source quotes with no predicted speaker (count, upper bound)"),
    ("no_speaker_max", "found quotes of any source kind with no predicted speaker (count, upper bound)"),
];

impl Report {
    /// A metric of [`METRICS`] by name: a percentage (as printed, one decimal; `None` when
    /// its denominator is 0) or, for `_max` names, a count.
    pub fn metric(&self, name: &str) -> Option<f64> {
        let pct = |x: Option<f64>| x.map(|v| round1(100.0 * v));
        let (c, d) = (&self.c_speaker_name, &self.d_pronoun_nominal_informational);
        match name {
            "a_recall" => pct(self.a_recall.value),
            "a_exact" => pct(self.a_recall.exact_value),
            "b_precision" => pct(self.b_precision_proxy.value),
            "b_precision_3w" => pct(self.b_precision_proxy.value_3w),
            "c_speaker" => pct(c.value),
            "c_end_to_end" => pct(c.end_to_end_recall),
            "d_named_before" => pct(d.value),
            "c_no_speaker_max" => Some(c.no_speaker as f64),
            "d_no_speaker_max" => Some(d.no_speaker as f64),
            "no_speaker_max" => {
                Some((c.no_speaker + d.no_speaker + self.gold_quotes_without_source.found_with_no_predicted_speaker) as f64)
            }
            _ => None,
        }
    }
}

/// A percentage as the table prints it (one decimal).
fn round1(v: f64) -> f64 {
    format!("{v:.1}").parse().unwrap_or(v)
}

fn pct(x: Option<f64>) -> String {
    match x {
        None => "     -".to_string(),
        Some(v) => format!("{:5.1}%", 100.0 * v),
    }
}

/// The table `polnear.py score` prints, line for line.
pub fn format_table(r: &Report, per_doc: bool) -> String {
    let (a, b, c, d, k) =
        (&r.a_recall, &r.b_precision_proxy, &r.c_speaker_name, &r.d_pronoun_nominal_informational, &r.gold_quotes_by_source_kind);
    let mut l = vec![
        format!("gold: {}   pred: {}   documents: {}", r.gold_dir, r.pred_dir, r.documents),
        format!(
            "gold direct quotes: {} (source: name {}, pronoun {}, nominal {}, none {})   predicted quotes: {}",
            r.gold_quotes, k.Name, k.Pronoun, k.Nominal, k.none, r.pred_quotes
        ),
        String::new(),
        format!("{:58} {:>6}  {:>11}", "", "value", "n / d"),
        format!("(a) direct-quote recall (>= half of the longer span)       {}  {:>5} / {:<5}", pct(a.value), a.found, a.gold),
        format!("    exact-span recall                                      {}  {:>5} / {:<5}", pct(a.exact_value), a.exact_found, a.gold),
        format!("(b) precision proxy: predicted quotes matching gold  [!]   {}  {:>5} / {:<5}", pct(b.value), b.matched, b.pred),
        format!(
            "    the same, predicted quotes of >= {MIN_WORDS} words only          {}  {:>5} / {:<5}",
            pct(b.value_3w),
            b.matched_3w,
            b.pred_3w
        ),
        format!("(c) speaker accuracy, found quotes with a named source     {}  {:>5} / {:<5}", pct(c.value), c.correct, c.found),
        format!(
            "      by overlap with the source span {}, by surname {}; no predicted speaker {}",
            c.correct_by_overlap, c.correct_by_surname, c.no_speaker
        ),
        format!(
            "      of the found, sources whose capitalised words only modify a description (\"the CNN host\"): {}",
            c.found_without_head_name
        ),
        format!(
            "    end-to-end (found and right speaker) / named-source gold {}  {:>5} / {:<5}",
            pct(c.end_to_end_recall),
            c.correct,
            c.gold
        ),
        format!(
            "(d) informational, found quotes with a pronoun/nominal source: {} (pronoun {}, nominal {})",
            d.found, d.found_pronoun, d.found_nominal
        ),
        format!(
            "    speaker is a PER/ORG mention <= {WINDOW} chars before the quote {}  {:>5} / {:<5}",
            pct(d.value),
            d.named_mention_within_300_before,
            d.found
        ),
        format!(
            "    speaker overlaps the gold source span {}; no predicted speaker {}",
            d.speaker_overlaps_gold_source, d.no_speaker
        ),
        String::new(),
        format!("[!] {}.", b.warning),
    ];
    if per_doc {
        l.push(String::new());
        l.push(format!("PER DOCUMENT {:34} gold  pred  found  name-ok/found", ""));
        for (name, dd) in &r.per_document.0 {
            let short: String = name.chars().take(44).collect();
            l.push(format!(
                "  {short:44} {:5} {:5} {:6}  {:3}/{:<3}",
                dd.gold_quotes, dd.pred_quotes, dd.found, dd.name_correct, dd.found_name
            ));
        }
    }
    l.push(String::new());
    l.push(format!("WARNINGS: {}", r.warnings.len()));
    l.extend(r.warnings.iter().map(|w| format!("  - {w}")));
    l.join("\n")
}
