//! Scoring on the PolNeAR development set (`../shared/dev/polnear-train/direct`): the
//! (a)–(d) figures of `../shared/eval/polnear.py score`, computed the same way to the last
//! digit, so that CI can hold thresholds on them without Python.
//!
//! This is a port of that scorer, not a reuse of [`crate::eval`]: it parses `.ann` files as
//! leniently as `score.py` does (a bad line is a warning and is skipped, never an error),
//! matches quotes one-to-one with Kuhn's augmenting paths in the same candidate order (so
//! the same pairs are matched, which decides the speaker figures), and judges speakers by
//! the same rules:
//!
//! - (a) **recall**: gold direct quotes matched to a predicted QUOTE under the half-overlap
//!   rule (the spans share at least half of the longer one); *exact* recall under equal
//!   offsets (its own matching);
//! - (b) a **precision proxy**: matched / predicted quotes (a lower bound, since PolNeAR does
//!   not mark every quotation), also for predicted quotes of at least 3 words;
//! - (c) **speaker accuracy** on found quotes whose gold source is a name: correct when the
//!   predicted Speaker mention overlaps the gold `SRC` span, or when its capitalised tokens
//!   contain the source's head name (`Pence` in `Gov. Mike Pence (R-IN)`; the last
//!   capitalised token when no name heads the source);
//! - (d) informational, for pronoun and nominal sources: whether the predicted speaker is a
//!   PER or ORG mention ending at most 300 characters before the quote.
//!
//! Offsets are characters (Python code points). A brat fragment span (`704 865;867 1019`)
//! is scored from the start of its first fragment to the end of its last.
//!
//! Character classes follow Python's `str` methods and `re` classes (`\w` is
//! `isalnum()` or `_`, `\d` a decimal digit, `\s` `isspace()`), close enough that the two
//! scorers agree on the development set (see the agreement test in
//! `tests/integration/accuracy.rs`).
//!
//! The files, in the order a score is made:
//!
//! - `mod.rs`: the entry point, [`score_dirs`]: which gold documents, their predictions,
//!   the per-document and summed counts;
//! - `pystr.rs`: Python's character classes and the string helpers the port needs
//!   (`str.strip`, `text[a:b]`, `repr`);
//! - `ann.rs`: brat parsing as score.py's `parse_ann` (lenient, warnings not errors);
//! - `matching.rs`: one-to-one quote matching as score.py's `max_matching`;
//! - `heads.rs`: quote words, sentence starts, and the head name and surname of a source;
//! - `score.rs`: one document's counts (`Tally`), by the (a)–(d) rules;
//! - `report.rs`: the [`Report`] (polnear.py's JSON keys and order), the `--min` metrics
//!   and the table.

mod ann;
mod heads;
mod matching;
mod pystr;
mod report;
mod score;

pub use report::{
    format_table, DocFigures, NamedSpeaker, PerDocument, PrecisionProxy, PronounNominal, Recall, Report, SourceKinds,
    WithoutSource, METRICS,
};

use crate::error::{Error, Result};
use ann::{parse_ann, read_text_file, AnnDoc};
use report::build_report;
use score::{score_doc, Kind, Tally};
use std::collections::HashSet;
use std::path::Path;

/// Quotes of fewer words than this are left out of the (b) `_3w` figures.
pub const MIN_WORDS: usize = 3;
/// (d): a named mention ending within this many characters before the quote.
pub const WINDOW: i64 = 300;

/// The `.ann` names (without extension) directly in a directory, sorted.
fn ann_names(dir: &Path) -> Result<Vec<String>> {
    let mut names = vec![];
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let f = entry.file_name().to_string_lossy().into_owned();
        if let Some(stem) = f.strip_suffix(".ann") {
            names.push(stem.to_string());
        }
    }
    names.sort();
    Ok(names)
}

/// The month (`YYYY-MM`) of the first `_YYYY-MM-DD_` date in a document name
/// (`nyt_2016-08-03_clinton-leads` is `2016-08`).
pub fn document_month(name: &str) -> Option<&str> {
    let b = name.as_bytes();
    (0..b.len().saturating_sub(11)).find_map(|i| {
        let d = &b[i..i + 12];
        let digits = |r: std::ops::Range<usize>| d[r].iter().all(u8::is_ascii_digit);
        (d[0] == b'_' && digits(1..5) && d[5] == b'-' && digits(6..8) && d[8] == b'-' && digits(9..11) && d[11] == b'_')
            .then(|| &name[i + 1..i + 8])
    })
}

/// Which gold documents to score.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Only documents whose name is dated this month (`YYYY-MM`) or later.
    pub since: Option<String>,
}

impl Selection {
    fn keeps(&self, name: &str) -> bool {
        match &self.since {
            None => true,
            Some(since) => document_month(name).is_some_and(|m| m >= since.as_str()),
        }
    }
}

/// Scores the predicted `X.ann` files of `pred_dir` against the gold `X.ann` + `X.txt` of
/// `gold_dir` (both flat directories), as `polnear.py score GOLD PRED` does.
///
/// A missing prediction directory or file counts as empty (with a warning); a gold `.ann`
/// without its `.txt` is skipped (with a warning); a prediction with no gold counterpart is
/// ignored (with a warning). Errors: the gold directory is missing or unreadable, or holds
/// no `.ann` file (or none selected).
pub fn score_dirs(gold_dir: &Path, pred_dir: &Path, selection: &Selection) -> Result<Report> {
    let mut warnings: Vec<String> = vec![];
    if !gold_dir.is_dir() {
        return Err(Error::input(gold_dir, "gold directory not found"));
    }
    let all_names = ann_names(gold_dir)?;
    if all_names.is_empty() {
        return Err(Error::input(gold_dir, "no .ann files in the gold directory"));
    }
    let names: Vec<&String> = all_names.iter().filter(|n| selection.keeps(n)).collect();
    if names.is_empty() {
        return Err(Error::input(gold_dir, "no gold document is dated in or after the --since month"));
    }
    if !pred_dir.is_dir() {
        warnings.push(format!("prediction directory not found: {}; every document scored as empty", pred_dir.display()));
    } else {
        // sorted by file name, as polnear.py does (not by name without extension)
        let known: HashSet<&str> = all_names.iter().map(String::as_str).collect();
        let mut extra: Vec<String> =
            ann_names(pred_dir)?.into_iter().filter(|f| !known.contains(f.as_str())).map(|f| f + ".ann").collect();
        extra.sort();
        for f in extra {
            warnings.push(format!("prediction file {f} has no gold counterpart; ignored"));
        }
    }
    let mut total = Tally::default();
    let mut per_doc = PerDocument::default();
    for name in names {
        let tpath = gold_dir.join(format!("{name}.txt"));
        if !tpath.exists() {
            warnings.push(format!("{name}: no {name}.txt in gold directory; document skipped"));
            continue;
        }
        let text: Option<Vec<char>> = read_text_file(&tpath, &mut warnings).map(|t| t.chars().collect());
        let text_ref = text.as_deref();
        let gold = parse_ann(&gold_dir.join(format!("{name}.ann")), text_ref, &mut warnings, "gold");
        let ppath = pred_dir.join(format!("{name}.ann"));
        let pred = if ppath.is_file() {
            parse_ann(&ppath, text_ref, &mut warnings, "pred")
        } else {
            if pred_dir.is_dir() {
                warnings.push(format!("{name}: no prediction file {name}.ann; scored as empty"));
            }
            AnnDoc::default()
        };
        let d = score_doc(text_ref.unwrap_or(&[]), &gold, &pred, &mut warnings, name);
        per_doc.0.push((
            name.clone(),
            DocFigures {
                gold_quotes: d.gold_quotes,
                pred_quotes: d.pred_quotes,
                found: d.found,
                exact: d.exact,
                found_name: d.found_kind[Kind::Name as usize],
                name_correct: d.name_ok,
                found_pronoun_nominal: d.found_kind[Kind::Pronoun as usize] + d.found_kind[Kind::Nominal as usize],
                named_mention_within_300_before: d.pn_named_before,
            },
        ));
        total += d;
    }
    let mut report =
        build_report(&total, per_doc, warnings, gold_dir.display().to_string(), pred_dir.display().to_string());
    report.since = selection.since.clone();
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_month_of_a_document_comes_from_its_name() {
        assert_eq!(document_month("nyt_2016-08-03_clinton-leads"), Some("2016-08"));
        assert_eq!(document_month("notes"), None);
    }
}
