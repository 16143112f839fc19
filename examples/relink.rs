//! Reruns the rule stages (quotes, coreference, HasRole/RoleOrg, speakers) on the
//! entities of an earlier prediction, without the model: for fast work on the rules over
//! a large development set.
//!
//! `cargo run --release --example relink -- TEXT_DIR PRED_DIR OUT_DIR [--ranker DIR]`
//!
//! For every `X.txt` under `TEXT_DIR`, reads the entities of `PRED_DIR/X.ann` (quotes and
//! relations there are dropped), runs [`whosaid::pipeline::annotate_rules`] (and, with
//! `--ranker`, the speaker ranker as the last sieve, as `annotate` does) and writes
//! `OUT_DIR/X.ann`.
use std::path::Path;
use whosaid::formats::brat;
use whosaid::Document;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let ranker = match args.iter().position(|a| a == "--ranker") {
        Some(i) if i + 1 < args.len() => {
            let dir = args.remove(i + 1);
            args.remove(i);
            Some(std::sync::Mutex::new(whosaid::ranker::Ranker::load(Path::new(&dir))?))
        }
        _ => None,
    };
    let [text_dir, pred_dir, out_dir] = args.as_slice() else {
        return Err("usage: relink TEXT_DIR PRED_DIR OUT_DIR [--ranker DIR]".into());
    };
    let (text_dir, pred_dir, out_dir) = (Path::new(text_dir), Path::new(pred_dir), Path::new(out_dir));
    let started = std::time::Instant::now();
    let mut n = 0;
    for entry in walkdir::WalkDir::new(text_dir).sort_by_file_name() {
        let entry = entry?;
        let p = entry.path();
        if p.extension().is_none_or(|e| e != "txt") {
            continue;
        }
        let rel = p.strip_prefix(text_dir)?;
        let pred = pred_dir.join(rel).with_extension("ann");
        let mut doc = Document::read(p)?;
        let mut ann = brat::read_ann(&doc.text, &pred)?;
        ann.spans.retain(|s| s.label.is_entity());
        ann.relations.clear();
        ann.equivs.clear();
        doc.ann = ann;
        whosaid::pipeline::annotate_rules(&mut doc);
        whosaid::pipeline::rank_open_quotes(ranker.as_ref(), &mut doc)?;
        let out = out_dir.join(rel).with_extension("ann");
        if let Some(parent) = out.parent() {
            std::fs::create_dir_all(parent)?;
        }
        brat::write_ann(&out, &doc.text, &doc.ann)?;
        n += 1;
    }
    eprintln!("relinked {n} document(s) in {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}
