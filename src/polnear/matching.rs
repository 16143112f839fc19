//! One-to-one quote matching as score.py's `max_matching`: the same candidate order, so
//! the same pairs are matched (which decides the speaker figures).

use std::collections::HashMap;

pub(super) type Sp = (i64, i64);

pub(super) fn overlap(a: Sp, b: Sp) -> i64 {
    (a.1.min(b.1) - a.0.max(b.0)).max(0)
}

/// At least half of the longer span shared (and at least one character).
pub(super) fn half_overlap(a: Sp, b: Sp) -> bool {
    let ov = overlap(a, b);
    ov > 0 && 2 * ov >= (a.1 - a.0).max(b.1 - b.0)
}

/// Maximum bipartite matching (Kuhn's algorithm), `gold index -> pred index`. Each gold
/// item's candidates are tried in order of decreasing `weight` (then index), and gold items
/// in order, exactly as score.py does, so the same pairs are matched.
pub(super) fn max_matching(golds: &[Sp], preds: &[Sp], ok: fn(Sp, Sp) -> bool, weight: Option<fn(Sp, Sp) -> i64>) -> HashMap<usize, usize> {
    let cands: Vec<Vec<usize>> = golds
        .iter()
        .map(|&g| {
            let mut c: Vec<usize> = (0..preds.len()).filter(|&pi| ok(g, preds[pi])).collect();
            if let Some(w) = weight {
                c.sort_by_key(|&pi| (-w(g, preds[pi]), pi));
            }
            c
        })
        .collect();
    let mut match_p: Vec<Option<usize>> = vec![None; preds.len()];

    fn augment(gi: usize, cands: &[Vec<usize>], seen: &mut [bool], match_p: &mut [Option<usize>]) -> bool {
        for &pi in &cands[gi] {
            if seen[pi] {
                continue;
            }
            seen[pi] = true;
            let free = match match_p[pi] {
                None => true,
                Some(other) => augment(other, cands, seen, match_p),
            };
            if free {
                match_p[pi] = Some(gi);
                return true;
            }
        }
        false
    }

    for gi in 0..golds.len() {
        if !cands[gi].is_empty() {
            let mut seen = vec![false; preds.len()];
            augment(gi, &cands, &mut seen, &mut match_p);
        }
    }
    match_p.iter().enumerate().filter_map(|(pi, g)| g.map(|gi| (gi, pi))).collect()
}

pub(super) fn exact(a: Sp, b: Sp) -> bool {
    a == b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matching_prefers_the_larger_overlap_among_maximum_matchings() {
        // One gold quote, two candidates: the one sharing more characters is taken.
        let m = max_matching(&[(0, 10)], &[(0, 6), (1, 11)], half_overlap, Some(overlap));
        assert_eq!(m.get(&0), Some(&1));
        // A second gold quote that only the first choice fits takes it back (augmenting path).
        let m = max_matching(&[(0, 10), (5, 15)], &[(5, 15), (0, 9)], half_overlap, Some(overlap));
        assert_eq!((m.get(&0), m.get(&1)), (Some(&1), Some(&0)));
    }
}
