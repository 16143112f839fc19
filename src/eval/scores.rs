//! What is counted: true and false positives and negatives per metric ([`PrfCounts`]),
//! speaker accuracy, both match rules per span type, every score of a document, and the
//! metric names `whosaid eval --min` accepts.

use crate::annotation::Label;
use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};
use std::ops::AddAssign;

/// True positives, false positives and false negatives of one metric, and the precision,
/// recall and F1 they give (hence the name).
///
/// Ratios are percentages (0–100). When there is nothing in gold and nothing predicted
/// (all counts zero), precision, recall and F1 are all 100: nothing was to be found and
/// nothing wrong was said. Otherwise a ratio with a zero denominator is 0 (e.g. recall
/// when gold is empty but something was predicted).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PrfCounts {
    pub tp: usize,
    pub fp: usize,
    /// False negatives (`fn` in JSON).
    pub fn_: usize,
}

impl PrfCounts {
    pub fn new(tp: usize, fp: usize, fn_: usize) -> PrfCounts {
        PrfCounts { tp, fp, fn_ }
    }

    /// Counts from a matching: `matched` pairs between `gold` and `pred` items.
    pub(super) fn matched(gold: usize, pred: usize, matched: usize) -> PrfCounts {
        PrfCounts { tp: matched, fp: pred - matched, fn_: gold - matched }
    }

    /// Items in gold (`tp + fn`).
    pub fn gold(&self) -> usize {
        self.tp + self.fn_
    }

    /// Items predicted (`tp + fp`).
    pub fn pred(&self) -> usize {
        self.tp + self.fp
    }

    fn is_empty(&self) -> bool {
        self.tp + self.fp + self.fn_ == 0
    }

    pub fn precision(&self) -> f64 {
        if self.is_empty() {
            return 100.0;
        }
        percent(self.tp, self.pred())
    }

    pub fn recall(&self) -> f64 {
        if self.is_empty() {
            return 100.0;
        }
        percent(self.tp, self.gold())
    }

    /// Harmonic mean of precision and recall, computed from the counts (`2tp / (2tp + fp + fn)`).
    pub fn f1(&self) -> f64 {
        if self.is_empty() {
            return 100.0;
        }
        percent(2 * self.tp, 2 * self.tp + self.fp + self.fn_)
    }

    /// `p`, `r` or `f1`.
    pub fn stat(&self, name: &str) -> Option<f64> {
        match name {
            "p" => Some(self.precision()),
            "r" => Some(self.recall()),
            "f1" => Some(self.f1()),
            _ => None,
        }
    }
}

impl AddAssign for PrfCounts {
    fn add_assign(&mut self, o: PrfCounts) {
        self.tp += o.tp;
        self.fp += o.fp;
        self.fn_ += o.fn_;
    }
}

impl Serialize for PrfCounts {
    /// `{"tp", "fp", "fn", "gold", "pred", "p", "r", "f1"}`.
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("PrfCounts", 8)?;
        st.serialize_field("tp", &self.tp)?;
        st.serialize_field("fp", &self.fp)?;
        st.serialize_field("fn", &self.fn_)?;
        st.serialize_field("gold", &self.gold())?;
        st.serialize_field("pred", &self.pred())?;
        st.serialize_field("p", &self.precision())?;
        st.serialize_field("r", &self.recall())?;
        st.serialize_field("f1", &self.f1())?;
        st.end()
    }
}

fn percent(num: usize, den: usize) -> f64 {
    if den == 0 {
        0.0
    } else {
        100.0 * num as f64 / den as f64
    }
}

/// Speaker accuracy: `correct` of the `found` gold quotes (half-overlap matched) have the
/// right predicted speaker; `gold` is the number of gold quotes.
///
/// With no quote found the accuracy is 100 when there was no gold quote to find (the
/// same rule as [`PrfCounts`]) and 0 otherwise.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Accuracy {
    pub correct: usize,
    pub found: usize,
    pub gold: usize,
}

impl Accuracy {
    /// The accuracy in percent.
    pub fn value(&self) -> f64 {
        match (self.found, self.gold) {
            (0, 0) => 100.0,
            (found, _) => percent(self.correct, found),
        }
    }
}

impl AddAssign for Accuracy {
    fn add_assign(&mut self, o: Accuracy) {
        self.correct += o.correct;
        self.found += o.found;
        self.gold += o.gold;
    }
}

impl Serialize for Accuracy {
    /// `{"correct", "found", "gold", "accuracy"}`.
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Accuracy", 4)?;
        st.serialize_field("correct", &self.correct)?;
        st.serialize_field("found", &self.found)?;
        st.serialize_field("gold", &self.gold)?;
        st.serialize_field("accuracy", &self.value())?;
        st.end()
    }
}

/// One span metric under both match rules.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct MatchCounts {
    /// Same offsets (and type).
    pub exact: PrfCounts,
    /// Entities: the spans overlap. Quotes: they share at least half of the longer span.
    pub overlap: PrfCounts,
}

impl MatchCounts {
    /// `exact` or `overlap`.
    pub fn get(&self, mode: &str) -> Option<&PrfCounts> {
        match mode {
            "exact" => Some(&self.exact),
            "overlap" => Some(&self.overlap),
            _ => None,
        }
    }
}

impl AddAssign for MatchCounts {
    fn add_assign(&mut self, o: MatchCounts) {
        self.exact += o.exact;
        self.overlap += o.overlap;
    }
}

/// Entity scores per type, and the micro average over PER, ORG and ROLE.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct EntityScores {
    /// PER + ORG + ROLE summed (the headline; LOC is not in it).
    pub micro: MatchCounts,
    #[serde(rename = "PER")]
    pub per: MatchCounts,
    #[serde(rename = "ORG")]
    pub org: MatchCounts,
    #[serde(rename = "ROLE")]
    pub role: MatchCounts,
    #[serde(rename = "LOC")]
    pub loc: MatchCounts,
}

impl EntityScores {
    /// The scored types, in report order.
    pub const TYPES: [Label; 4] = [Label::PER, Label::ORG, Label::ROLE, Label::LOC];

    /// `micro` or a type name (`PER`, `ORG`, `ROLE`, `LOC`).
    pub fn get(&self, name: &str) -> Option<&MatchCounts> {
        match name {
            "micro" => Some(&self.micro),
            "PER" => Some(&self.per),
            "ORG" => Some(&self.org),
            "ROLE" => Some(&self.role),
            "LOC" => Some(&self.loc),
            _ => None,
        }
    }

    pub(super) fn get_mut(&mut self, label: Label) -> Option<&mut MatchCounts> {
        match label {
            Label::PER => Some(&mut self.per),
            Label::ORG => Some(&mut self.org),
            Label::ROLE => Some(&mut self.role),
            Label::LOC => Some(&mut self.loc),
            Label::MISC | Label::QUOTE => None,
        }
    }
}

impl AddAssign for EntityScores {
    fn add_assign(&mut self, o: EntityScores) {
        self.micro += o.micro;
        self.per += o.per;
        self.org += o.org;
        self.role += o.role;
        self.loc += o.loc;
    }
}

/// Every score of one document, or of a corpus (counts summed over documents).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct DocScores {
    pub entities: EntityScores,
    /// QUOTE spans; `overlap` is the half-overlap rule.
    pub quotes: MatchCounts,
    pub speaker: Accuracy,
    /// Quote (half-overlap) and speaker both right.
    pub e2e: PrfCounts,
    pub hasrole: PrfCounts,
    pub roleorg: PrfCounts,
}

impl AddAssign for DocScores {
    fn add_assign(&mut self, o: DocScores) {
        self.entities += o.entities;
        self.quotes += o.quotes;
        self.speaker += o.speaker;
        self.e2e += o.e2e;
        self.hasrole += o.hasrole;
        self.roleorg += o.roleorg;
    }
}

impl DocScores {
    /// The counts of a P/R/F1 row (see [`metric_rows`]), e.g. `entities.PER.exact`,
    /// `quotes.overlap`, `e2e`; `None` for an unknown row.
    pub fn counts(&self, row: &str) -> Option<PrfCounts> {
        let parts: Vec<&str> = row.split('.').collect();
        match parts[..] {
            ["entities", group, mode] => self.entities.get(group)?.get(mode).copied(),
            ["quotes", mode] => self.quotes.get(mode).copied(),
            ["e2e"] => Some(self.e2e),
            ["hasrole"] => Some(self.hasrole),
            ["roleorg"] => Some(self.roleorg),
            _ => None,
        }
    }

    /// A metric by name (see [`metric_names`]), in percent; `None` for an unknown name.
    pub fn metric(&self, name: &str) -> Option<f64> {
        if name == "speaker.accuracy" {
            return Some(self.speaker.value());
        }
        let (row, stat) = name.rsplit_once('.')?;
        self.counts(row)?.stat(stat)
    }

    /// Every metric with its value, in the order of [`metric_names`].
    pub fn metrics(&self) -> Vec<(String, f64)> {
        metric_names().into_iter().filter_map(|n| self.metric(&n).map(|v| (n, v))).collect()
    }
}

/// The statistics of a P/R/F1 metric.
const STATS: [&str; 3] = ["p", "r", "f1"];

/// The row groups of the report: every metric is `<row>.<stat>` for a stat of [`STATS`],
/// except `speaker.accuracy`.
pub fn metric_rows() -> Vec<String> {
    let mut rows = Vec::new();
    for group in ["micro", "PER", "ORG", "ROLE", "LOC"] {
        for mode in ["exact", "overlap"] {
            rows.push(format!("entities.{group}.{mode}"));
        }
    }
    rows.extend(["quotes.exact", "quotes.overlap", "e2e", "hasrole", "roleorg"].map(String::from));
    rows
}

/// Every metric name accepted by [`DocScores::metric`] and `whosaid eval --min`, e.g.
/// `entities.micro.exact.f1`, `entities.PER.overlap.p`, `quotes.overlap.r`,
/// `speaker.accuracy`, `e2e.f1`, `hasrole.f1`, `roleorg.p`.
pub fn metric_names() -> Vec<String> {
    let mut names = Vec::new();
    for row in metric_rows() {
        names.extend(STATS.map(|s| format!("{row}.{s}")));
        if row == "quotes.overlap" {
            names.push("speaker.accuracy".to_string());
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_gold_and_empty_prediction_score_100() {
        let c = PrfCounts::default();
        assert_eq!((c.precision(), c.recall(), c.f1()), (100.0, 100.0, 100.0));
        assert_eq!(Accuracy::default().value(), 100.0);
    }

    #[test]
    fn zero_denominators_give_0_once_anything_is_counted() {
        let only_fp = PrfCounts::new(0, 2, 0);
        assert_eq!((only_fp.precision(), only_fp.recall(), only_fp.f1()), (0.0, 0.0, 0.0));
        let only_fn = PrfCounts::new(0, 0, 3);
        assert_eq!((only_fn.precision(), only_fn.recall(), only_fn.f1()), (0.0, 0.0, 0.0));
    }

    #[test]
    fn f1_is_the_harmonic_mean_of_precision_and_recall() {
        let c = PrfCounts::new(3, 1, 2);
        let (p, r) = (75.0, 60.0);
        assert_eq!((c.precision(), c.recall()), (p, r));
        assert!((c.f1() - 2.0 * p * r / (p + r)).abs() < 1e-9);
    }

    #[test]
    fn no_quote_found_among_gold_quotes_is_accuracy_0() {
        assert_eq!(Accuracy { correct: 0, found: 0, gold: 4 }.value(), 0.0);
    }

    #[test]
    fn every_metric_name_resolves_and_others_do_not() {
        let s = DocScores::default();
        let names = metric_names();
        assert_eq!(names.len(), 46);
        assert!(names.iter().all(|n| s.metric(n).is_some()));
        for bad in ["entities.MISC.exact.f1", "entities.micro.f1", "quotes.half.f1", "speaker.f1", "e2e"] {
            assert_eq!(s.metric(bad), None, "{bad}");
        }
    }

    #[test]
    fn counts_serialize_with_fn_and_ratios() {
        let json = serde_json::to_value(PrfCounts::new(1, 0, 1)).unwrap();
        assert_eq!(json["fn"], 1);
        assert_eq!(json["gold"], 2);
        assert_eq!(json["r"], 50.0);
    }
}
