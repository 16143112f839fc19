//! CoNLL token-per-line files: reading (IOB1 or BIO, converted to BIO), writing, and
//! conlleval-style strict span scoring.

use crate::error::{Error, Result};
use std::collections::BTreeMap;
use std::path::Path;

/// One sentence: words and their BIO tags (`O`, `B-PER`, `I-PER`, …).
#[derive(Debug, Clone, PartialEq)]
pub struct Sentence {
    pub words: Vec<String>,
    pub tags: Vec<String>,
    /// Index of the document (`-DOCSTART-` block) the sentence belongs to.
    pub doc: usize,
}

/// Reads a CoNLL file: one token per line, the word first and the NER tag last
/// (CoNLL-2003 has four columns, a two-column `word tag` file works too). Blank lines end
/// sentences; `-DOCSTART-` lines start documents. IOB1 tags are converted to BIO.
pub fn read(path: &Path) -> Result<Vec<Sentence>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    parse(&text, path)
}

pub fn parse(text: &str, path: &Path) -> Result<Vec<Sentence>> {
    let mut out = vec![];
    let mut words = vec![];
    let mut tags: Vec<String> = vec![];
    let mut doc = 0;
    let mut seen_docstart = false;
    let flush = |words: &mut Vec<String>, tags: &mut Vec<String>, out: &mut Vec<Sentence>, doc: usize| {
        if !words.is_empty() {
            out.push(Sentence { words: std::mem::take(words), tags: iob1_to_bio(tags), doc });
            tags.clear();
        }
    };
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            flush(&mut words, &mut tags, &mut out, doc);
            continue;
        }
        let cols: Vec<&str> = line.split_whitespace().collect();
        if cols[0] == "-DOCSTART-" {
            flush(&mut words, &mut tags, &mut out, doc);
            if seen_docstart {
                doc += 1;
            }
            seen_docstart = true;
            continue;
        }
        if cols.len() < 2 {
            return Err(Error::parse(path, i + 1, "expected a word and a tag separated by whitespace"));
        }
        let tag = cols[cols.len() - 1];
        if !(tag == "O" || tag.starts_with("B-") || tag.starts_with("I-")) || tag.len() == 2 {
            return Err(Error::parse(path, i + 1, format!("bad tag '{tag}' (expected O, B-TYPE or I-TYPE)")));
        }
        words.push(cols[0].to_string());
        tags.push(tag.to_string());
    }
    flush(&mut words, &mut tags, &mut out, doc);
    Ok(out)
}

/// IOB1 (`I-` starts an entity unless it continues one of the same type; `B-` only between
/// two adjacent entities) to BIO. BIO input passes through unchanged.
pub fn iob1_to_bio(tags: &[String]) -> Vec<String> {
    let mut out = Vec::with_capacity(tags.len());
    let mut prev_type: Option<&str> = None;
    for tag in tags {
        if tag == "O" {
            out.push("O".to_string());
            prev_type = None;
            continue;
        }
        let (prefix, ty) = tag.split_at(2);
        let starts = prefix == "B-" || prev_type != Some(ty);
        out.push(format!("{}{}", if starts { "B-" } else { "I-" }, ty));
        prev_type = Some(ty);
    }
    out
}

/// Entity spans `(type, start word, end word exclusive)` from BIO tags; a stray `I-`
/// (after `O` or another type) starts a new entity, as conlleval does.
pub fn spans(tags: &[String]) -> Vec<(String, usize, usize)> {
    let mut out = vec![];
    let mut cur: Option<(String, usize)> = None;
    for (i, tag) in tags.iter().enumerate() {
        let (prefix, ty) = if tag == "O" { ("O", "") } else { tag.split_at(2) };
        let continues = prefix == "I-" && cur.as_ref().is_some_and(|(t, _)| t == ty);
        if !continues {
            if let Some((t, s)) = cur.take() {
                out.push((t, s, i));
            }
            if prefix != "O" {
                cur = Some((ty.to_string(), i));
            }
        }
    }
    if let Some((t, s)) = cur {
        out.push((t, s, tags.len()));
    }
    out
}

/// Strict-span counts per type, conlleval style.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct SpanScores {
    pub per_type: BTreeMap<String, Prf>,
    pub overall: Prf,
    /// Predicted types the gold never uses, left out of `overall`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unscored: Vec<String>,
}

#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct Prf {
    pub tp: usize,
    pub gold: usize,
    pub pred: usize,
}

impl Prf {
    pub fn precision(&self) -> f64 {
        if self.pred == 0 { 0.0 } else { 100.0 * self.tp as f64 / self.pred as f64 }
    }
    pub fn recall(&self) -> f64 {
        if self.gold == 0 { 0.0 } else { 100.0 * self.tp as f64 / self.gold as f64 }
    }
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 { 0.0 } else { 2.0 * p * r / (p + r) }
    }
}

/// Scores predicted tag sequences against gold ones (same words).
///
/// A predicted type that the gold file never uses (ROLE on CoNLL-2003, which does not
/// annotate roles) cannot be judged: its row shows its predictions with gold 0, and it is
/// left out of `overall` (listed in `unscored`). Every type the gold uses is scored as
/// conlleval scores it.
pub fn score(gold: &[Vec<String>], pred: &[Vec<String>]) -> SpanScores {
    let mut s = SpanScores::default();
    let gold_types: std::collections::BTreeSet<String> =
        gold.iter().flat_map(|g| spans(g).into_iter().map(|(t, _, _)| t)).collect();
    for (g, p) in gold.iter().zip(pred) {
        let gs = spans(g);
        let ps = spans(p);
        for (t, _, _) in &gs {
            s.per_type.entry(t.clone()).or_default().gold += 1;
            s.overall.gold += 1;
        }
        for span in &ps {
            let e = s.per_type.entry(span.0.clone()).or_default();
            e.pred += 1;
            if !gold_types.contains(&span.0) {
                continue;
            }
            s.overall.pred += 1;
            if gs.contains(span) {
                e.tp += 1;
                s.overall.tp += 1;
            }
        }
    }
    s.unscored = s.per_type.keys().filter(|t| !gold_types.contains(*t)).cloned().collect();
    s
}

impl SpanScores {
    /// A conlleval-like table.
    pub fn table(&self) -> String {
        let mut out = format!("{:<8} {:>8} {:>8} {:>8} {:>6} {:>6}\n", "type", "P", "R", "F1", "gold", "pred");
        for (t, c) in &self.per_type {
            out += &format!("{:<8} {:>8.2} {:>8.2} {:>8.2} {:>6} {:>6}\n", t, c.precision(), c.recall(), c.f1(), c.gold, c.pred);
        }
        let c = &self.overall;
        out += &format!("{:<8} {:>8.2} {:>8.2} {:>8.2} {:>6} {:>6}\n", "overall", c.precision(), c.recall(), c.f1(), c.gold, c.pred);
        if !self.unscored.is_empty() {
            out += &format!("(not annotated in this file, so left out of overall: {})\n", self.unscored.join(", "));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(tags: &[&str]) -> Vec<String> {
        tags.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_type_the_gold_never_uses_is_left_out_of_overall() {
        let gold = vec![v(&["B-PER", "O", "O"])];
        let pred = vec![v(&["B-PER", "B-ROLE", "O"])];
        let s = score(&gold, &pred);
        assert_eq!((s.overall.tp, s.overall.pred, s.overall.gold), (1, 1, 1));
        assert_eq!(s.per_type["ROLE"].pred, 1);
        assert_eq!(s.unscored, vec!["ROLE".to_string()]);
    }

    #[test]
    fn iob1_becomes_bio() {
        let bio = iob1_to_bio(&v(&["I-ORG", "I-ORG", "O", "I-PER", "B-PER", "I-LOC"]));
        assert_eq!(bio, v(&["B-ORG", "I-ORG", "O", "B-PER", "B-PER", "B-LOC"]));
    }

    #[test]
    fn stray_inside_tag_starts_an_entity() {
        assert_eq!(spans(&v(&["O", "I-PER", "I-PER", "I-ORG"])), vec![("PER".into(), 1, 3), ("ORG".into(), 3, 4)]);
    }

    #[test]
    fn reading_keeps_documents_and_sentences_apart() {
        let text = "-DOCSTART- -X- O O\n\nEU NNP I-NP I-ORG\nrejects VBZ I-VP O\n\nPeter NNP I-NP I-PER\nBlackburn NNP I-NP I-PER\n\n-DOCSTART- -X- O O\n\nBRUSSELS NNP I-NP I-LOC\n";
        let s = parse(text, Path::new("x.conll")).unwrap();
        assert_eq!(s.len(), 3);
        assert_eq!(s[1].tags, v(&["B-PER", "I-PER"]));
        assert_eq!((s[0].doc, s[1].doc, s[2].doc), (0, 0, 1));
    }

    #[test]
    fn a_bad_tag_names_the_line() {
        let err = parse("EU NNP I-NP X-ORG\n", Path::new("x.conll")).unwrap_err();
        assert_eq!(err.to_string(), "x.conll:1: bad tag 'X-ORG' (expected O, B-TYPE or I-TYPE)");
    }

    #[test]
    fn strict_spans_need_type_and_both_ends() {
        let gold = vec![v(&["B-PER", "I-PER", "O", "B-ORG"])];
        let pred = vec![v(&["B-PER", "O", "O", "B-ORG"])];
        let s = score(&gold, &pred);
        assert_eq!((s.overall.tp, s.overall.gold, s.overall.pred), (1, 2, 2));
        assert_eq!(s.per_type["PER"].tp, 0);
    }
}
