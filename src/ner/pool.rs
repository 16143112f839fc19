//! The window pool: the model's forward batches filled across documents and across the
//! runner's read batches.
//!
//! Documents go in one at a time, in input order. Each document's windows (already encoded
//! as word pieces) wait in buckets keyed by their padded width ([`padded_width`]: the exact
//! length in bf16, a multiple of 16 pieces in fp32), so a forward batch only ever holds
//! windows of one width, as before. A bucket is run as soon as it holds a full batch
//! ([`BatchShape::rows`] rows for its width); what is left waits for more documents. A
//! document comes out once every one of its windows has been through the model, and
//! documents come out in input order, so a document with a window of a rare length holds
//! back the ones after it: when more than `max_pending` documents are waiting, the buckets
//! that hold the oldest one's windows are run part-full (taking with them the windows of
//! later documents of the same widths). [`WindowPool::finish`] runs every bucket left at
//! the end of the input.
//!
//! What goes into which forward batch depends only on the documents, in order, and on the
//! shape and `max_pending`: not on how the documents were grouped when they were read, nor
//! on timing. The pool knows nothing of the model: it is given the function that labels
//! one batch ([`crate::ner::label_batch`] in a run), so that the tests can drive it with a
//! fake one and the benchmark can time exactly the batches a run makes.

use super::{padded_width, Encoded, WordLabel};
use crate::error::{Error, Result};
use std::collections::{BTreeMap, VecDeque};

/// The shape of a full forward batch: a bucket of width `w` is run once it holds
/// `rows(w)` windows, about `pieces / w` rows (at least 1, at most `max_rows`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchShape {
    /// Word pieces (rows × padded width) in a full batch.
    pub pieces: usize,
    /// Rows in a batch at most (for short widths).
    pub max_rows: usize,
}

impl BatchShape {
    /// Rows of a full batch of windows `width` pieces wide.
    pub fn rows(&self, width: usize) -> usize {
        (self.pieces / width.max(1)).clamp(1, self.max_rows.max(1))
    }
}

impl Default for BatchShape {
    /// Chosen from measurements of the forward pass by shape (`scripts/bench --shapes`,
    /// README: Throughput).
    fn default() -> Self {
        BatchShape { pieces: DEFAULT_BATCH_PIECES, max_rows: DEFAULT_MAX_ROWS }
    }
}

/// See [`BatchShape::pieces`].
pub const DEFAULT_BATCH_PIECES: usize = 4096;
/// See [`BatchShape::max_rows`].
pub const DEFAULT_MAX_ROWS: usize = 128;

/// Something that goes through the pool: a document whose windows the model labels, or
/// one that only keeps its place in the input order (`None`: up to date, or failed when
/// read).
pub trait Windows {
    fn windows(&self) -> Option<&[Encoded]>;
}

impl Windows for super::batch::Prepared {
    fn windows(&self) -> Option<&[Encoded]> {
        Some(self.encoded())
    }
}

impl Windows for &super::batch::Prepared {
    fn windows(&self) -> Option<&[Encoded]> {
        Some(self.encoded())
    }
}

/// A document's labels as the pool hands it back: `None` if it did not go to the model,
/// else each window's word labels, or the error of a window that failed.
pub type DocLabels = Option<Result<Vec<Vec<WordLabel>>>>;

/// Forward batches run so far, for the benchmark.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PoolStats {
    /// Forward batches, and those of them that were full.
    pub batches: usize,
    pub full_batches: usize,
    /// Rows in all, and in full batches.
    pub rows: usize,
    pub full_rows: usize,
    /// Word pieces fed (special tokens included), and fed with padding.
    pub pieces: usize,
    pub padded_pieces: usize,
}

struct Pending<D> {
    item: D,
    labels: Vec<Option<Vec<WordLabel>>>,
    left: usize,
    error: Option<Error>,
}

/// See the module documentation. `D` is what a document travels as (the runner's read
/// slot); it comes back out with its labels.
pub struct WindowPool<D> {
    shape: BatchShape,
    pad_multiple: usize,
    max_pending: usize,
    /// Documents not yet handed back, in input order; the first is number `first`.
    docs: VecDeque<Pending<D>>,
    first: usize,
    /// Windows waiting, by padded width: (document number, window index), in input order.
    buckets: BTreeMap<usize, Vec<(usize, usize)>>,
    done: Vec<(D, DocLabels)>,
    pub stats: PoolStats,
}

impl<D: Windows> WindowPool<D> {
    /// A pool whose buckets key on [`padded_width`] with `pad_multiple`, and which holds
    /// at most `max_pending` documents (at least 1) before it runs part-full batches.
    pub fn new(shape: BatchShape, pad_multiple: usize, max_pending: usize) -> WindowPool<D> {
        WindowPool {
            shape,
            pad_multiple,
            max_pending: max_pending.max(1),
            docs: VecDeque::new(),
            first: 0,
            buckets: BTreeMap::new(),
            done: vec![],
            stats: PoolStats::default(),
        }
    }

    /// Adds the next document; runs each bucket that fills, and, while more than
    /// `max_pending` documents wait, the buckets of the oldest one.
    pub fn push<F>(&mut self, item: D, forward: &mut F)
    where
        F: FnMut(&[&Encoded], usize) -> Result<Vec<Vec<WordLabel>>>,
    {
        let number = self.first + self.docs.len();
        let widths: Option<Vec<usize>> = item.windows().map(|ws| ws.iter().map(|e| padded_width(e.ids.len(), self.pad_multiple)).collect());
        let n = widths.as_ref().map_or(0, Vec::len);
        self.docs.push_back(Pending { item, labels: vec![None; n], left: n, error: None });
        for (k, w) in widths.into_iter().flatten().enumerate() {
            let bucket = self.buckets.entry(w).or_default();
            bucket.push((number, k));
            if bucket.len() >= self.shape.rows(w) {
                self.run(w, forward);
            }
        }
        self.collect_done();
        while self.docs.len() > self.max_pending {
            self.run_oldest(forward);
        }
    }

    /// Runs every bucket left (the end of the input): every document is then handed back.
    pub fn finish<F>(&mut self, forward: &mut F)
    where
        F: FnMut(&[&Encoded], usize) -> Result<Vec<Vec<WordLabel>>>,
    {
        let widths: Vec<usize> = self.buckets.keys().copied().collect();
        for w in widths {
            self.run(w, forward);
        }
        self.collect_done();
    }

    /// The documents whose windows are all labelled, in input order, each once.
    pub fn take_done(&mut self) -> Vec<(D, DocLabels)> {
        std::mem::take(&mut self.done)
    }

    /// Documents in the pool, not yet handed back.
    pub fn pending(&self) -> usize {
        self.docs.len()
    }

    /// Runs the buckets that hold the oldest document's windows.
    fn run_oldest<F>(&mut self, forward: &mut F)
    where
        F: FnMut(&[&Encoded], usize) -> Result<Vec<Vec<WordLabel>>>,
    {
        let Some(oldest) = self.docs.front() else { return };
        let windows = oldest.item.windows().unwrap_or_default();
        let mut widths: Vec<usize> = (0..oldest.labels.len())
            .filter(|&k| oldest.labels[k].is_none())
            .map(|k| padded_width(windows[k].ids.len(), self.pad_multiple))
            .collect();
        widths.sort_unstable();
        widths.dedup();
        for w in widths {
            self.run(w, forward);
        }
        self.collect_done();
    }

    /// Runs the windows waiting at width `w` (a full batch at most: a bucket never holds
    /// more) and records their labels. A batch that fails is run again one window at a
    /// time, so that only the documents with a window that fails alone fail.
    fn run<F>(&mut self, w: usize, forward: &mut F)
    where
        F: FnMut(&[&Encoded], usize) -> Result<Vec<Vec<WordLabel>>>,
    {
        let Some(entries) = self.buckets.remove(&w) else { return };
        if entries.is_empty() {
            return;
        }
        let first = self.first;
        let docs = &self.docs;
        let encoded = |&(d, k): &(usize, usize)| -> &Encoded {
            let ws = docs[d - first].item.windows().unwrap_or_default();
            &ws[k]
        };
        let batch: Vec<&Encoded> = entries.iter().map(encoded).collect();
        let s = &mut self.stats;
        s.batches += 1;
        s.rows += batch.len();
        s.pieces += batch.iter().map(|e| e.ids.len()).sum::<usize>();
        s.padded_pieces += batch.len() * w;
        if batch.len() >= self.shape.rows(w) {
            s.full_batches += 1;
            s.full_rows += batch.len();
        }
        let results: Vec<Result<Vec<WordLabel>>> = match forward(&batch, w) {
            Ok(labels) if labels.len() == batch.len() => labels.into_iter().map(Ok).collect(),
            Ok(_) if batch.len() == 1 => vec![Err(Error::Other("internal error: the model returned no labels".into()))],
            Err(e) if batch.len() == 1 => vec![Err(e)],
            _ => batch
                .iter()
                .map(|e| match forward(&[*e], w) {
                    Ok(mut l) if l.len() == 1 => Ok(l.remove(0)),
                    Ok(_) => Err(Error::Other("internal error: the model returned no labels".into())),
                    Err(e) => Err(e),
                })
                .collect(),
        };
        for ((d, k), result) in entries.into_iter().zip(results) {
            let doc = &mut self.docs[d - first];
            match result {
                Ok(l) => doc.labels[k] = Some(l),
                Err(e) => {
                    doc.labels[k] = Some(vec![]);
                    doc.error.get_or_insert(e);
                }
            }
            doc.left -= 1;
        }
    }

    /// Moves the documents at the front whose windows are all labelled to `done`.
    fn collect_done(&mut self) {
        while self.docs.front().is_some_and(|d| d.left == 0) {
            let Some(d) = self.docs.pop_front() else { break };
            self.first += 1;
            let labels = match (d.item.windows().is_some(), d.error) {
                (false, _) => None,
                (true, Some(e)) => Some(Err(e)),
                (true, None) => Some(Ok(d.labels.into_iter().map(Option::unwrap_or_default).collect())),
            };
            self.done.push((d.item, labels));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A document of the tests: its number, and its windows' lengths (`None`: it does not
    /// go to the model).
    struct Doc {
        n: usize,
        windows: Option<Vec<Encoded>>,
    }

    impl Windows for Doc {
        fn windows(&self) -> Option<&[Encoded]> {
            self.windows.as_deref()
        }
    }

    /// Window `k` of document `n`, `len` pieces long, with two words; its pieces say whose it is.
    fn window(n: usize, k: usize, len: usize) -> Encoded {
        let tag = (n * 1000 + k) as i64;
        Encoded { ids: vec![tag; len], type_ids: vec![0; len], first_piece: vec![Some(0), None] }
    }

    fn doc(n: usize, lens: &[usize]) -> Doc {
        Doc { n, windows: Some(lens.iter().enumerate().map(|(k, &len)| window(n, k, len)).collect()) }
    }

    /// A fake model: each window's first word gets the window's tag as its label; every
    /// batch is recorded as (width, the tags of its rows).
    fn fake(batches: &mut Vec<(usize, Vec<i64>)>) -> impl FnMut(&[&Encoded], usize) -> Result<Vec<Vec<WordLabel>>> + '_ {
        move |batch: &[&Encoded], width: usize| {
            assert!(batch.iter().all(|e| e.ids.len() <= width));
            batches.push((width, batch.iter().map(|e| e.ids[0]).collect()));
            Ok(batch
                .iter()
                .map(|e| e.first_piece.iter().map(|p| WordLabel { label: p.map_or(0, |_| e.ids[0] as usize), prob: 1.0 }).collect())
                .collect())
        }
    }

    /// Pushes the documents in read batches of `chunk`, taking what is done after each
    /// batch and at the end, as the runner does; returns what came out, and the batches.
    fn run_all(docs: Vec<Doc>, chunk: usize, shape: BatchShape, pad: usize, max_pending: usize) -> (Vec<(Doc, DocLabels)>, Vec<(usize, Vec<i64>)>) {
        let mut batches = vec![];
        let mut out = vec![];
        {
            let mut forward = fake(&mut batches);
            let mut pool = WindowPool::new(shape, pad, max_pending);
            let mut docs = docs.into_iter().peekable();
            while docs.peek().is_some() {
                for d in docs.by_ref().take(chunk) {
                    pool.push(d, &mut forward);
                }
                out.extend(pool.take_done());
            }
            pool.finish(&mut forward);
            out.extend(pool.take_done());
            assert_eq!(pool.pending(), 0);
        }
        (out, batches)
    }

    /// Each document's labels are its own windows' tags, in window order.
    fn assert_own_labels(out: &[(Doc, DocLabels)]) {
        for (d, labels) in out {
            let Some(windows) = &d.windows else {
                assert!(labels.is_none(), "document {} did not go to the model", d.n);
                continue;
            };
            let labels = labels.as_ref().expect("labelled").as_ref().expect("no error");
            assert_eq!(labels.len(), windows.len(), "document {}", d.n);
            for (k, l) in labels.iter().enumerate() {
                assert_eq!(l[0].label, d.n * 1000 + k, "document {} window {k}", d.n);
                assert_eq!(l[1], WordLabel { label: 0, prob: 1.0 });
            }
        }
    }

    /// Thirty documents of 0 to 11 windows of lengths 3 to 40, some not for the model.
    fn many_documents() -> Vec<Doc> {
        let mut x = 7u64;
        let mut next = |m: usize| {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((x >> 33) as usize) % m
        };
        (0..30)
            .map(|n| {
                if n % 9 == 4 {
                    return Doc { n, windows: None };
                }
                let lens: Vec<usize> = (0..next(12)).map(|_| 3 + next(38)).collect();
                doc(n, &lens)
            })
            .collect()
    }

    #[test]
    fn a_full_batch_has_about_the_pieces_of_the_shape_within_the_row_limits() {
        let shape = BatchShape { pieces: 4096, max_rows: 128 };
        assert_eq!(shape.rows(64), 64);
        assert_eq!(shape.rows(8), 128);
        assert_eq!(shape.rows(100), 40);
        assert_eq!(shape.rows(5000), 1);
        assert_eq!(shape.rows(0), 128);
    }

    #[test]
    fn documents_from_many_read_batches_come_out_in_input_order_each_once_with_their_own_labels() {
        let shape = BatchShape { pieces: 40, max_rows: 8 };
        let (out, batches) = run_all(many_documents(), 4, shape, 1, 12);
        let order: Vec<usize> = out.iter().map(|(d, _)| d.n).collect();
        assert_eq!(order, (0..30).collect::<Vec<_>>());
        assert_own_labels(&out);
        // Nothing lost, nothing run twice.
        let mut run: Vec<i64> = batches.iter().flat_map(|(_, rows)| rows.clone()).collect();
        let mut expected: Vec<i64> = out
            .iter()
            .flat_map(|(d, _)| d.windows.iter().flatten().map(|e| e.ids[0]).collect::<Vec<_>>())
            .collect();
        run.sort();
        expected.sort();
        assert_eq!(run, expected);
        // One width per batch (exact lengths), a full batch at most.
        for (width, rows) in &batches {
            assert!(rows.len() <= shape.rows(*width));
        }
        // Windows of one length from several read batches share forward batches.
        assert!(batches.iter().any(|(_, rows)| {
            let mut docs: Vec<i64> = rows.iter().map(|t| t / 1000 / 4).collect();
            docs.dedup();
            docs.len() > 1
        }));
    }

    #[test]
    fn a_bucket_runs_as_soon_as_it_is_full_and_the_rest_at_the_end() {
        let shape = BatchShape { pieces: 40, max_rows: 4 }; // 4 rows at widths 3, 7 and 10
        let mut batches = vec![];
        let mut forward = fake(&mut batches);
        let mut pool = WindowPool::new(shape, 1, 100);
        for n in 0..3 {
            pool.push(doc(n, &[10, 7]), &mut forward);
        }
        assert!(pool.take_done().is_empty(), "no bucket is full yet");
        pool.push(doc(3, &[10]), &mut forward);
        // The width-10 bucket filled: documents 0 to 2 still wait for their 7-piece windows.
        assert!(pool.take_done().is_empty());
        pool.push(doc(4, &[7]), &mut forward);
        let done: Vec<usize> = pool.take_done().into_iter().map(|(d, _)| d.n).collect();
        assert_eq!(done, vec![0, 1, 2, 3, 4], "the 7-piece bucket filled with document 4");
        pool.push(doc(5, &[10, 3]), &mut forward);
        assert!(pool.take_done().is_empty());
        pool.finish(&mut forward);
        let done: Vec<usize> = pool.take_done().into_iter().map(|(d, _)| d.n).collect();
        assert_eq!(done, vec![5]);
        drop(forward);
        assert_eq!(
            batches,
            vec![(10, vec![0, 1000, 2000, 3000]), (7, vec![1, 1001, 2001, 4000]), (3, vec![5001]), (10, vec![5000])]
        );
    }

    #[test]
    fn past_max_pending_documents_the_oldest_ones_buckets_run_part_full() {
        let shape = BatchShape { pieces: 1000, max_rows: 100 };
        let mut batches = vec![];
        let mut forward = fake(&mut batches);
        let mut pool = WindowPool::new(shape, 1, 2);
        pool.push(doc(0, &[30, 12]), &mut forward);
        pool.push(doc(1, &[12]), &mut forward);
        assert!(pool.take_done().is_empty());
        pool.push(doc(2, &[30, 5]), &mut forward);
        // Three waiting: document 0's buckets (30 and 12) run, with 1's and 2's windows of
        // those widths, so 0 and 1 are done; 2 waits for its 5-piece window.
        let done: Vec<usize> = pool.take_done().into_iter().map(|(d, _)| d.n).collect();
        assert_eq!(done, vec![0, 1]);
        assert_eq!(pool.pending(), 1);
        drop(forward);
        assert_eq!(batches, vec![(12, vec![1, 1000]), (30, vec![0, 2000])]);
    }

    #[test]
    fn documents_that_skip_the_model_keep_their_place() {
        let shape = BatchShape { pieces: 1000, max_rows: 100 };
        let docs = vec![doc(0, &[9]), Doc { n: 1, windows: None }, doc(2, &[]), Doc { n: 3, windows: None }];
        let (out, batches) = run_all(docs, 10, shape, 1, 100);
        assert_eq!(out.iter().map(|(d, _)| d.n).collect::<Vec<_>>(), vec![0, 1, 2, 3]);
        assert!(out[1].1.is_none() && out[3].1.is_none());
        assert_eq!(out[2].1.as_ref().map(|r| r.as_ref().map(Vec::len).ok()), Some(Some(0)));
        assert_own_labels(&out);
        assert_eq!(batches.len(), 1);
    }

    #[test]
    fn windows_share_a_bucket_by_padded_width() {
        let shape = BatchShape { pieces: 64, max_rows: 100 }; // 2 rows at width 32
        let (out, batches) = run_all(vec![doc(0, &[17]), doc(1, &[30]), doc(2, &[16])], 1, shape, 16, 100);
        assert_own_labels(&out);
        assert_eq!(batches, vec![(32, vec![0, 1000]), (16, vec![2000])]);
    }

    #[test]
    fn the_batches_do_not_depend_on_how_the_documents_were_read() {
        let shape = BatchShape { pieces: 60, max_rows: 6 };
        let (_, one) = run_all(many_documents(), 1, shape, 1, 8);
        for chunk in [2, 7, 30] {
            let (out, batches) = run_all(many_documents(), chunk, shape, 1, 8);
            assert_own_labels(&out);
            assert_eq!(batches, one, "read batches of {chunk}");
        }
    }

    #[test]
    fn a_failing_batch_is_run_again_window_by_window_and_only_that_document_fails() {
        let shape = BatchShape { pieces: 30, max_rows: 3 }; // 3 rows at width 10
        let mut calls = vec![];
        let mut forward = |batch: &[&Encoded], _: usize| -> Result<Vec<Vec<WordLabel>>> {
            calls.push(batch.len());
            if batch.iter().any(|e| e.ids[0] == 1000) {
                return Err(Error::Other("bad window".into()));
            }
            Ok(batch.iter().map(|e| vec![WordLabel { label: e.ids[0] as usize, prob: 1.0 }; e.first_piece.len()]).collect())
        };
        let mut pool = WindowPool::new(shape, 1, 100);
        for n in 0..3 {
            pool.push(doc(n, &[10]), &mut forward);
        }
        let out = pool.take_done();
        assert_eq!(calls, vec![3, 1, 1, 1]);
        assert_eq!(out.len(), 3);
        assert!(matches!(&out[0].1, Some(Ok(l)) if l[0][0].label == 0));
        assert!(matches!(&out[1].1, Some(Err(e)) if e.to_string().contains("bad window")));
        assert!(matches!(&out[2].1, Some(Ok(l)) if l[0][0].label == 2000));
    }
}
