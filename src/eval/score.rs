//! One document scored: entities and quotes matched one-to-one (exact pairs first, then
//! by largest overlap, ties by position), speakers judged on the found quotes, relations
//! matched by their arguments.

use super::scores::{Accuracy, PrfCounts, DocScores, EntityScores, MatchCounts};
use crate::annotation::{Annotations, Label, RelKind, SpanAnn};
use crate::document::Span;
use std::cmp::Reverse;
use std::collections::HashSet;

/// Scores one document's predictions against its gold annotations.
pub fn score_document(gold: &Annotations, pred: &Annotations) -> DocScores {
    let mut scores = DocScores::default();

    for label in EntityScores::TYPES {
        let g = spans_of(gold, label);
        let p = spans_of(pred, label);
        let counts = MatchCounts {
            exact: PrfCounts::matched(g.len(), p.len(), match_spans(&g, &p, |a, b| a == b).len()),
            overlap: PrfCounts::matched(g.len(), p.len(), match_spans(&g, &p, |a, b| a.overlaps(&b)).len()),
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
        exact: PrfCounts::matched(g.len(), p.len(), match_spans(&g, &p, |a, b| a == b).len()),
        overlap: PrfCounts::matched(g.len(), p.len(), found.len()),
    };
    let correct = found
        .iter()
        .filter(|&&(gi, pi)| speaker_correct(gold, gold_quotes[gi], pred, pred_quotes[pi]))
        .count();
    scores.speaker = Accuracy { correct, found: found.len(), gold: g.len() };
    scores.e2e = PrfCounts::matched(g.len(), p.len(), correct);

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
fn score_relations(gold: &Annotations, pred: &Annotations, kind: RelKind) -> PrfCounts {
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
    PrfCounts::matched(g.len(), p.len(), greedy_match(candidates).len())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_overlap_counts_exactly_half_of_the_longer_span() {
        assert!(half_overlap(Span::new(0, 10), Span::new(5, 15)));
        assert!(!half_overlap(Span::new(0, 10), Span::new(6, 16)));
        assert!(half_overlap(Span::new(0, 10), Span::new(0, 20)));
        assert!(!half_overlap(Span::new(0, 10), Span::new(0, 21)));
    }
}
