//! One document's counts by the (a)–(d) rules: quotes matched, sources classified by kind,
//! and each found quote's predicted speaker judged against its gold source.

use super::ann::{AnnDoc, Mention};
use super::heads::{cap_tokens, last_cap_token, source_head, words};
use super::matching::{exact, half_overlap, max_matching, overlap, Sp};
use super::pystr::py_slice;
use super::{MIN_WORDS, WINDOW};
use std::collections::{HashMap, HashSet};

/// The kind of a gold quote's source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Name = 0,
    Pronoun = 1,
    Nominal = 2,
    None = 3,
}

/// The counts of one document or of a corpus (summed).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Tally {
    pub(super) documents: usize,
    pub(super) gold_quotes: usize,
    pub(super) pred_quotes: usize,
    pub(super) exact: usize,
    pub(super) found: usize,
    pub(super) pred_quotes_3w: usize,
    pub(super) pred_3w_matched: usize,
    pub(super) gold: [usize; 4],
    pub(super) found_kind: [usize; 4],
    pub(super) nospeaker: [usize; 4],
    pub(super) found_name_nohead: usize,
    pub(super) name_ok: usize,
    pub(super) name_ok_overlap: usize,
    pub(super) name_ok_surname: usize,
    pub(super) pn_overlaps_source: usize,
    pub(super) pn_named_before: usize,
}

impl std::ops::AddAssign for Tally {
    fn add_assign(&mut self, o: Tally) {
        self.documents += o.documents;
        self.gold_quotes += o.gold_quotes;
        self.pred_quotes += o.pred_quotes;
        self.exact += o.exact;
        self.found += o.found;
        self.pred_quotes_3w += o.pred_quotes_3w;
        self.pred_3w_matched += o.pred_3w_matched;
        for k in 0..4 {
            self.gold[k] += o.gold[k];
            self.found_kind[k] += o.found_kind[k];
            self.nospeaker[k] += o.nospeaker[k];
        }
        self.found_name_nohead += o.found_name_nohead;
        self.name_ok += o.name_ok;
        self.name_ok_overlap += o.name_ok_overlap;
        self.name_ok_surname += o.name_ok_surname;
        self.pn_overlaps_source += o.pn_overlaps_source;
        self.pn_named_before += o.pn_named_before;
    }
}

/// Speaker relations by quote id (the first of each quote's).
fn speakers(doc: &AnnDoc, warn: &mut Vec<String>, side: &str, name: &str) -> HashMap<String, String> {
    let mut sp = HashMap::new();
    for r in &doc.relations {
        if r.typ != "Speaker" {
            continue;
        }
        if doc.get(&r.arg1).is_none_or(|m| m.typ != "QUOTE") {
            warn.push(format!("{side} {name}: Speaker {} Arg1 {} is not a QUOTE; ignored", r.id, r.arg1));
            continue;
        }
        if sp.contains_key(&r.arg1) {
            if side == "pred" {
                warn.push(format!("pred {name}: quote {} has more than one Speaker; {} ignored", r.arg1, r.id));
            }
            continue;
        }
        sp.insert(r.arg1.clone(), r.arg2.clone());
    }
    sp
}

fn quotes_sorted(doc: &AnnDoc) -> Vec<&Mention> {
    let mut q: Vec<&Mention> = doc.mentions.iter().filter(|m| m.typ == "QUOTE").collect();
    q.sort_by_key(|m| (m.start, m.end));
    q
}

pub(super) fn score_doc(text: &[char], gold: &AnnDoc, pred: &AnnDoc, warn: &mut Vec<String>, name: &str) -> Tally {
    let mut c = Tally { documents: 1, ..Tally::default() };
    let gq = quotes_sorted(gold);
    let pq = quotes_sorted(pred);
    let gs: Vec<Sp> = gq.iter().map(|m| (m.start, m.end)).collect();
    let ps: Vec<Sp> = pq.iter().map(|m| (m.start, m.end)).collect();
    c.gold_quotes = gs.len();
    c.pred_quotes = ps.len();
    c.exact = max_matching(&gs, &ps, exact, None).len();
    let qmatch = max_matching(&gs, &ps, half_overlap, Some(overlap));
    c.found = qmatch.len();
    let long: HashSet<usize> =
        pq.iter().enumerate().filter(|(_, m)| words(py_slice(text, m.start, m.end)) >= MIN_WORDS).map(|(i, _)| i).collect();
    c.pred_quotes_3w = long.len();
    c.pred_3w_matched = qmatch.values().filter(|pi| long.contains(pi)).count();
    let mut gattr: HashMap<&str, Kind> = HashMap::new();
    for (nm, target) in &gold.attributes {
        match nm.as_str() {
            "Pronoun" => gattr.insert(target, Kind::Pronoun),
            "Nominal" => gattr.insert(target, Kind::Nominal),
            _ => None,
        };
    }
    let gsp = speakers(gold, warn, "gold", name);
    let psp = speakers(pred, warn, "pred", name);
    for (gi, g) in gq.iter().enumerate() {
        let src = gsp.get(&g.id);
        let kind = match src {
            None => Kind::None,
            Some(s) => gattr.get(s.as_str()).copied().unwrap_or(Kind::Name),
        };
        c.gold[kind as usize] += 1;
        let Some(&pi) = qmatch.get(&gi) else { continue };
        c.found_kind[kind as usize] += 1;
        let pm = psp.get(&pq[pi].id).and_then(|pid| pred.get(pid));
        if pm.is_none() {
            c.nospeaker[kind as usize] += 1;
        }
        let Some(sm) = src.and_then(|s| gold.get(s)) else { continue };
        if kind == Kind::Name {
            let head = source_head(text, sm.start, sm.end);
            if head.is_none() {
                c.found_name_nohead += 1;
            }
            let Some(pm) = pm else { continue };
            if overlap((sm.start, sm.end), (pm.start, pm.end)) > 0 {
                c.name_ok_overlap += 1;
                c.name_ok += 1;
                continue;
            }
            let key = head.or_else(|| last_cap_token(text, sm.start, sm.end));
            if key.is_some_and(|k| cap_tokens(py_slice(text, pm.start, pm.end)).contains(&k)) {
                c.name_ok_surname += 1;
                c.name_ok += 1;
            }
        } else {
            let Some(pm) = pm else { continue };
            if overlap((sm.start, sm.end), (pm.start, pm.end)) > 0 {
                c.pn_overlaps_source += 1;
            }
            if (pm.typ == "PER" || pm.typ == "ORG") && pm.end <= g.start && pm.start >= g.start - WINDOW {
                c.pn_named_before += 1;
            }
        }
    }
    c
}

pub(super) fn ratio(n: usize, d: usize) -> Option<f64> {
    (d > 0).then(|| n as f64 / d as f64)
}