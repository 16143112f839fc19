//! Scoring predicted annotations against gold, as the guidelines define it
//! (ANNOTATION_GUIDELINES.md, "Scoring").
//!
//! - **Entities** per type (PER, ORG, ROLE, LOC) under *exact* match (same type, same
//!   offsets) and *overlap* match (same type, spans share a character); the headline is
//!   the micro average over PER + ORG + ROLE; LOC is reported separately; MISC is
//!   ignored on both sides.
//! - **Quotes** under exact match and *half-overlap* match: the spans share at least half
//!   of the longer one (`2 * overlap >= max(len_gold, len_pred)`).
//! - **Speaker accuracy**: of the gold quotes found (half-overlap matched), the share
//!   whose predicted speaker is correct (see [`speaker_correct`]).
//! - **End to end** (`e2e`): a predicted quote is a true positive only when it is
//!   half-overlap matched to a gold quote *and* its speaker is correct.
//! - **HasRole** and **RoleOrg**: a predicted relation matches a gold one of the same kind
//!   when its Arg1 spans overlap and its Arg2 spans overlap.
//!
//! All matching is one-to-one within a document and greedy: exact pairs first, then the
//! remaining candidate pairs by largest overlap, ties broken by position (gold, then
//! predicted), so the result never depends on the order of lines in a file. Counts are
//! summed over documents (micro average) before any ratio is taken.

use crate::annotation::{Annotations, Label, RelKind, SpanAnn};
use crate::document::{Span, Text};
use crate::error::{Error, Result};
use crate::formats::brat;
use serde::ser::{SerializeMap, SerializeStruct};
use serde::{Serialize, Serializer};
use std::cmp::Reverse;
use std::collections::HashSet;
use std::fmt;
use std::ops::AddAssign;
use std::path::{Path, PathBuf};

/// True positives, false positives and false negatives of one metric.
///
/// Ratios are percentages (0–100). When there is nothing in gold and nothing predicted
/// (all counts zero), precision, recall and F1 are all 100: nothing was to be found and
/// nothing wrong was said. Otherwise a ratio with a zero denominator is 0 (e.g. recall
/// when gold is empty but something was predicted).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub tp: usize,
    pub fp: usize,
    /// False negatives (`fn` in JSON).
    pub fn_: usize,
}

impl Counts {
    pub fn new(tp: usize, fp: usize, fn_: usize) -> Counts {
        Counts { tp, fp, fn_ }
    }

    /// Counts from a matching: `matched` pairs between `gold` and `pred` items.
    fn matched(gold: usize, pred: usize, matched: usize) -> Counts {
        Counts { tp: matched, fp: pred - matched, fn_: gold - matched }
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

impl AddAssign for Counts {
    fn add_assign(&mut self, o: Counts) {
        self.tp += o.tp;
        self.fp += o.fp;
        self.fn_ += o.fn_;
    }
}

impl Serialize for Counts {
    /// `{"tp", "fp", "fn", "gold", "pred", "p", "r", "f1"}`.
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Counts", 8)?;
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
/// same rule as [`Counts`]) and 0 otherwise.
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
    pub exact: Counts,
    /// Entities: the spans overlap. Quotes: they share at least half of the longer span.
    pub overlap: Counts,
}

impl MatchCounts {
    /// `exact` or `overlap`.
    pub fn get(&self, mode: &str) -> Option<&Counts> {
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

    fn get_mut(&mut self, label: Label) -> Option<&mut MatchCounts> {
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
    pub e2e: Counts,
    pub hasrole: Counts,
    pub roleorg: Counts,
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
    pub fn counts(&self, row: &str) -> Option<Counts> {
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

/// Scores one document's predictions against its gold annotations.
pub fn score_document(gold: &Annotations, pred: &Annotations) -> DocScores {
    let mut scores = DocScores::default();

    for label in EntityScores::TYPES {
        let g = spans_of(gold, label);
        let p = spans_of(pred, label);
        let counts = MatchCounts {
            exact: Counts::matched(g.len(), p.len(), match_spans(&g, &p, |a, b| a == b).len()),
            overlap: Counts::matched(g.len(), p.len(), match_spans(&g, &p, |a, b| a.overlaps(&b)).len()),
        };
        if label != Label::LOC {
            scores.entities.micro += counts;
        }
        if let Some(slot) = scores.entities.get_mut(label) {
            *slot = counts;
        }
    }

    let gold_quotes: Vec<&SpanAnn> = gold.quotes().collect();
    let pred_quotes: Vec<&SpanAnn> = pred.quotes().collect();
    let g: Vec<Span> = gold_quotes.iter().map(|q| q.span).collect();
    let p: Vec<Span> = pred_quotes.iter().map(|q| q.span).collect();
    let found = match_spans(&g, &p, half_overlap);
    scores.quotes = MatchCounts {
        exact: Counts::matched(g.len(), p.len(), match_spans(&g, &p, |a, b| a == b).len()),
        overlap: Counts::matched(g.len(), p.len(), found.len()),
    };
    let correct = found
        .iter()
        .filter(|&&(gi, pi)| speaker_correct(gold, gold_quotes[gi], pred, pred_quotes[pi]))
        .count();
    scores.speaker = Accuracy { correct, found: found.len(), gold: g.len() };
    scores.e2e = Counts::matched(g.len(), p.len(), correct);

    scores.hasrole = score_relations(gold, pred, RelKind::HasRole);
    scores.roleorg = score_relations(gold, pred, RelKind::RoleOrg);
    scores
}

/// Whether the spans share at least half of the longer one (and at least one character).
fn half_overlap(a: Span, b: Span) -> bool {
    let overlap = a.overlap(&b);
    overlap > 0 && 2 * overlap >= a.len().max(b.len())
}

/// Whether the predicted quote's speaker is right for the gold quote it was matched to.
///
/// The predicted `Speaker` Arg2 mention is correct when its span overlaps any mention of
/// the gold speaker's `Equiv` group (the gold Arg2 alone when it has no group); the label
/// of the predicted mention does not matter. A gold quote with no `Speaker` (its source
/// is not annotatable) counts as correct only when the prediction has no `Speaker`
/// either: a system should not invent a source. A quote with several `Speaker` lines is
/// judged by the first.
pub fn speaker_correct(gold: &Annotations, gold_quote: &SpanAnn, pred: &Annotations, pred_quote: &SpanAnn) -> bool {
    match (gold.speaker_of(&gold_quote.id), pred.speaker_of(&pred_quote.id)) {
        (None, None) => true,
        (Some(g), Some(p)) => {
            let Some(predicted) = pred.span(p) else { return false };
            gold.group_of(g).iter().filter_map(|m| gold.span(m)).any(|m| m.span.overlaps(&predicted.span))
        }
        _ => false,
    }
}

/// Relations of one kind, matched when both argument pairs overlap.
fn score_relations(gold: &Annotations, pred: &Annotations, kind: RelKind) -> Counts {
    let g = relation_args(gold, kind);
    let p = relation_args(pred, kind);
    let mut candidates = Vec::new();
    for (gi, ga) in g.iter().enumerate() {
        for (pi, pa) in p.iter().enumerate() {
            let (Some((g1, g2)), Some((p1, p2))) = (ga, pa) else { continue };
            if g1.overlaps(p1) && g2.overlaps(p2) {
                let exact = g1 == p1 && g2 == p2;
                let key = (!exact, Reverse(g1.overlap(p1) + g2.overlap(p2)), (*g1, *g2), (*p1, *p2));
                candidates.push((key, gi, pi));
            }
        }
    }
    Counts::matched(g.len(), p.len(), greedy_match(candidates).len())
}

/// The argument spans of each relation of a kind (`None` when an argument id is unknown,
/// which only hand-built annotations can have: such a relation matches nothing).
fn relation_args(ann: &Annotations, kind: RelKind) -> Vec<Option<(Span, Span)>> {
    let index = ann.span_index();
    ann.relations_of(kind)
        .map(|r| Some((index.get(r.arg1.as_str())?.span, index.get(r.arg2.as_str())?.span)))
        .collect()
}

fn spans_of(ann: &Annotations, label: Label) -> Vec<Span> {
    ann.spans.iter().filter(|s| s.label == label).map(|s| s.span).collect()
}

/// One-to-one matching of gold and predicted spans among the pairs `accept` allows:
/// exact pairs first, then by largest overlap, ties by position. Returns
/// `(gold index, pred index)` pairs.
fn match_spans(gold: &[Span], pred: &[Span], accept: impl Fn(Span, Span) -> bool) -> Vec<(usize, usize)> {
    let mut candidates = Vec::new();
    for (gi, &g) in gold.iter().enumerate() {
        for (pi, &p) in pred.iter().enumerate() {
            if accept(g, p) {
                candidates.push(((g != p, Reverse(g.overlap(&p)), g, p), gi, pi));
            }
        }
    }
    greedy_match(candidates)
}

/// Takes candidate pairs in ascending key order, each gold and each predicted item at
/// most once. The indices end the sort order, so the result is deterministic.
fn greedy_match<K: Ord>(mut candidates: Vec<(K, usize, usize)>) -> Vec<(usize, usize)> {
    candidates.sort();
    let mut gold_used = HashSet::new();
    let mut pred_used = HashSet::new();
    let mut pairs = Vec::new();
    for (_, gi, pi) in candidates {
        if !gold_used.contains(&gi) && !pred_used.contains(&pi) {
            gold_used.insert(gi);
            pred_used.insert(pi);
            pairs.push((gi, pi));
        }
    }
    pairs
}

/// Something worth telling the user that does not stop the evaluation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    pub path: PathBuf,
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.message)
    }
}

/// The scores of one document of a corpus.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocReport {
    /// The gold `.ann` path relative to the gold directory, without extension, `/`-separated.
    pub id: String,
    pub scores: DocScores,
}

/// The scores of a corpus: the micro-averaged total, each document, and warnings.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Report {
    pub total: DocScores,
    pub documents: Vec<DocReport>,
    pub warnings: Vec<Warning>,
}

impl Report {
    /// Adds a document's scores to the total.
    pub fn push(&mut self, id: impl Into<String>, scores: DocScores) {
        self.total += scores;
        self.documents.push(DocReport { id: id.into(), scores });
    }

    /// A corpus metric by name (see [`metric_names`]); `None` for an unknown name.
    pub fn metric(&self, name: &str) -> Option<f64> {
        self.total.metric(name)
    }
}

/// Serializes a `DocScores`' metrics as one flat JSON object, `{"entities.micro.exact.p": …}`.
pub struct FlatMetrics<'a>(pub &'a DocScores);

impl Serialize for FlatMetrics<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let metrics = self.0.metrics();
        let mut map = s.serialize_map(Some(metrics.len()))?;
        for (name, value) in &metrics {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

/// Scores every gold document under `gold_dir` against `pred_dir`.
///
/// Gold documents are the `X.ann` files (searched recursively, in name order, following
/// symlinked files and folders) with `X.txt` beside them. The prediction for
/// `gold_dir/a/X.ann` is `pred_dir/a/X.ann`, read against the gold text. A missing
/// prediction counts as empty and adds a [`Warning`]; so does a gold `.ann` without its
/// `.txt` (skipped), a symlink loop and a dangling symlink (skipped). A malformed gold or
/// predicted file is an error naming the file and line; so is one that is not a regular
/// file (a FIFO, a device) or is over [`MAX_FILE_BYTES`], on either side, and a gold
/// directory without any document.
pub fn evaluate_dirs(gold_dir: &Path, pred_dir: &Path) -> Result<Report> {
    for dir in [gold_dir, pred_dir] {
        if !dir.is_dir() {
            return Err(Error::input(dir, "not a directory"));
        }
    }
    let mut report = Report::default();
    for entry in walkdir::WalkDir::new(gold_dir).follow_links(true).sort_by_file_name() {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) if e.loop_ancestor().is_some() => {
                let path = e.path().unwrap_or(gold_dir).to_path_buf();
                report.warnings.push(Warning { path, message: "symlink loop, skipped".into() });
                continue;
            }
            // A symlink to nothing (which the walk now follows) is not a document.
            Err(e) if e.io_error().is_some_and(|io| io.kind() == std::io::ErrorKind::NotFound) && e.depth() > 0 => {
                let path = e.path().unwrap_or(gold_dir).to_path_buf();
                report.warnings.push(Warning { path, message: "dangling symlink, skipped".into() });
                continue;
            }
            Err(e) => return Err(walk_error(gold_dir, e)),
        };
        let ann_path = entry.path();
        if entry.file_type().is_dir() || ann_path.extension().is_none_or(|e| e != "ann") {
            continue;
        }
        let txt_path = ann_path.with_extension("txt");
        let Some(txt) = read_if_present(&txt_path)? else {
            report.warnings.push(Warning {
                path: ann_path.to_path_buf(),
                message: "no .txt file beside it, skipped".into(),
            });
            continue;
        };
        let text = Text::new(crate::document::decode_text(&txt_path, txt)?);
        let gold = read_ann(&text, ann_path, read_regular(ann_path)?)?;
        let rel = ann_path.strip_prefix(gold_dir).unwrap_or(ann_path);
        let pred_path = pred_dir.join(rel);
        let pred = match read_if_present(&pred_path)? {
            Some(bytes) => read_ann(&text, &pred_path, bytes)?,
            None => {
                report.warnings.push(Warning {
                    path: pred_path,
                    message: "no prediction file, counted as empty".into(),
                });
                Annotations::default()
            }
        };
        report.push(doc_id(rel), score_document(&gold, &pred));
    }
    if report.documents.is_empty() {
        return Err(Error::input(gold_dir, "no gold documents (X.ann with X.txt beside it)"));
    }
    Ok(report)
}

/// The largest `.ann` or `.txt` file `eval` reads: 64 MiB.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// The bytes of a file eval scores, or `None` when nothing is at that path (a dangling
/// symlink included). See [`read_regular`].
fn read_if_present(path: &Path) -> Result<Option<Vec<u8>>> {
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(path, e)),
        Ok(_) => read_regular(path).map(Some),
    }
}

/// The bytes of a regular file (symlinks followed) of at most [`MAX_FILE_BYTES`]. The
/// metadata is checked before the file is opened, so a FIFO or a device is refused
/// without a read that could block or never end; the open file is checked again and
/// read through a bounded reader, so a file swapped or growing meanwhile cannot exceed
/// the cap either.
pub fn read_regular(path: &Path) -> Result<Vec<u8>> {
    use std::io::Read;
    let check = |meta: &std::fs::Metadata| -> Result<()> {
        if !meta.is_file() {
            return Err(Error::input(path, "not a regular file"));
        }
        if meta.len() > MAX_FILE_BYTES {
            return Err(too_large(path, meta.len()));
        }
        Ok(())
    };
    check(&std::fs::metadata(path).map_err(|e| Error::io(path, e))?)?;
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let meta = file.metadata().map_err(|e| Error::io(path, e))?;
    check(&meta)?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes).map_err(|e| Error::io(path, e))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large(path, bytes.len() as u64));
    }
    Ok(bytes)
}

fn too_large(path: &Path, bytes: u64) -> Error {
    Error::input(path, format!("too large: {bytes} bytes (eval reads files up to {} MiB)", MAX_FILE_BYTES >> 20))
}

/// Parses `.ann` bytes (a leading UTF-8 BOM is skipped) against the document text.
fn read_ann(text: &Text, path: &Path, bytes: Vec<u8>) -> Result<Annotations> {
    let source = String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        Error::input(path, format!("not valid UTF-8 (invalid byte at offset {at})"))
    })?;
    let (ann, warnings) = brat::parse_ann_with_warnings(text, &source, path)?;
    for w in warnings {
        eprintln!("whosaid: warning: {w}");
    }
    Ok(ann)
}

/// `news/bbc_tech_071` for `news/bbc_tech_071.ann`.
fn doc_id(rel: &Path) -> String {
    let stem = rel.with_extension("");
    let parts: Vec<String> = stem.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
    parts.join("/")
}

fn walk_error(root: &Path, e: walkdir::Error) -> Error {
    let path = e.path().unwrap_or(root).to_path_buf();
    match e.into_io_error() {
        Some(io) => Error::io(&path, io),
        None => Error::input(&path, "file system loop"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_gold_and_empty_prediction_score_100() {
        let c = Counts::default();
        assert_eq!((c.precision(), c.recall(), c.f1()), (100.0, 100.0, 100.0));
        assert_eq!(Accuracy::default().value(), 100.0);
    }

    #[test]
    fn zero_denominators_give_0_once_anything_is_counted() {
        let only_fp = Counts::new(0, 2, 0);
        assert_eq!((only_fp.precision(), only_fp.recall(), only_fp.f1()), (0.0, 0.0, 0.0));
        let only_fn = Counts::new(0, 0, 3);
        assert_eq!((only_fn.precision(), only_fn.recall(), only_fn.f1()), (0.0, 0.0, 0.0));
    }

    #[test]
    fn f1_is_the_harmonic_mean_of_precision_and_recall() {
        let c = Counts::new(3, 1, 2);
        let (p, r) = (75.0, 60.0);
        assert_eq!((c.precision(), c.recall()), (p, r));
        assert!((c.f1() - 2.0 * p * r / (p + r)).abs() < 1e-9);
    }

    #[test]
    fn no_quote_found_among_gold_quotes_is_accuracy_0() {
        assert_eq!(Accuracy { correct: 0, found: 0, gold: 4 }.value(), 0.0);
    }

    #[test]
    fn half_overlap_counts_exactly_half_of_the_longer_span() {
        assert!(half_overlap(Span::new(0, 10), Span::new(5, 15)));
        assert!(!half_overlap(Span::new(0, 10), Span::new(6, 16)));
        assert!(half_overlap(Span::new(0, 10), Span::new(0, 20)));
        assert!(!half_overlap(Span::new(0, 10), Span::new(0, 21)));
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
        let json = serde_json::to_value(Counts::new(1, 0, 1)).unwrap();
        assert_eq!(json["fn"], 1);
        assert_eq!(json["gold"], 2);
        assert_eq!(json["r"], 50.0);
    }
}
