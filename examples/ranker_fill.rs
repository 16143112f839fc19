//! Measures the speaker ranker as the last sieve: for every quote of an earlier
//! prediction that has no Speaker, asks the ranker and, when its best mention candidate
//! beats "nobody" (and `--min P`), writes that mention as the speaker. Pronoun candidates
//! are skipped (they would need coreference).
//!
//! `cargo run --release --example ranker_fill -- RANKER_DIR TEXT_DIR PRED_DIR OUT_DIR [--min P]`
use std::path::Path;
use whosaid::formats::brat;
use whosaid::mentions::View;
use whosaid::ranker::{CandidateKind, Ranker};
use whosaid::{Document, RelKind};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let min: f32 = args.iter().position(|a| a == "--min").and_then(|i| args.get(i + 1)).and_then(|s| s.parse().ok()).unwrap_or(0.0);
    let [ranker, text_dir, pred_dir, out_dir, ..] = args.as_slice() else {
        return Err("usage: ranker_fill RANKER_DIR TEXT_DIR PRED_DIR OUT_DIR [--min P]".into());
    };
    let ranker = Ranker::load(Path::new(ranker))?;
    let (text_dir, pred_dir, out_dir) = (Path::new(text_dir), Path::new(pred_dir), Path::new(out_dir));
    let started = std::time::Instant::now();
    let (mut asked, mut filled) = (0, 0);
    for entry in walkdir::WalkDir::new(text_dir).sort_by_file_name() {
        let entry = entry?;
        let p = entry.path();
        if p.extension().is_none_or(|e| e != "txt") {
            continue;
        }
        let rel = p.strip_prefix(text_dir)?;
        let mut doc = Document::read(p)?;
        doc.ann = brat::read_ann(&doc.text, &pred_dir.join(rel).with_extension("ann"))?;
        let open: Vec<_> = doc
            .ann
            .quotes()
            .filter(|q| !doc.ann.relations_of(RelKind::Speaker).any(|r| r.arg1 == q.id))
            .map(|q| (q.id.clone(), q.span))
            .collect();
        if !open.is_empty() {
            let view = View::new(&doc.text, &doc.ann);
            let spans: Vec<_> = open.iter().map(|(_, s)| *s).collect();
            let rankings = ranker.rank_all(&view, &spans)?;
            let mut add = vec![];
            for ((qid, _), r) in open.iter().zip(rankings) {
                asked += 1;
                let best = r.candidates.iter().find(|(c, _)| matches!(c.kind, CandidateKind::Mention(_)));
                if let Some((c, prob)) = best {
                    if *prob > r.nobody && *prob >= min {
                        if let CandidateKind::Mention(i) = c.kind {
                            add.push((qid.clone(), view.mentions[i].id.clone()));
                        }
                    }
                }
            }
            for (q, m) in add {
                doc.ann.add_relation(RelKind::Speaker, &q, &m, Some("ranker"));
                filled += 1;
            }
        }
        let out = out_dir.join(rel).with_extension("ann");
        if let Some(parent) = out.parent() {
            std::fs::create_dir_all(parent)?;
        }
        brat::write_ann(&out, &doc.text, &doc.ann)?;
    }
    eprintln!("asked the ranker about {asked} quote(s), filled {filled}, in {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}
