//! Reruns the rule stages (quotes, coreference, HasRole/RoleOrg, speakers) on the
//! entities of an earlier prediction, without the model: for fast work on the rules over
//! a large development set.
//!
//! `cargo run --release --example relink -- TEXT_DIR PRED_DIR OUT_DIR [--ranker DIR]`
//!
//! For every `X.txt` under `TEXT_DIR`, reads the entities of `PRED_DIR/X.ann` (quotes and
//! relations there are dropped), runs [`whosaid::pipeline::annotate_rules`] (and, with
//! `--ranker`, the speaker ranker as the last sieve, as `annotate` does) and writes
//! `OUT_DIR/X.ann` (and `OUT_DIR/X.sieves`: `start end sieve` of every attributed quote).
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
    let dump = match args.iter().position(|a| a == "--dump") {
        Some(i) if i + 1 < args.len() => {
            let f = args.remove(i + 1);
            args.remove(i);
            Some(std::fs::File::create(f)?)
        }
        _ => None,
    };
    let mut dump = dump.map(std::io::BufWriter::new);
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
        if let (Some(out), Some(r)) = (dump.as_mut(), ranker.as_ref()) {
            dump_rankings(out, &rel.to_string_lossy(), &doc, r)?;
        }
        whosaid::pipeline::rank_open_quotes(ranker.as_ref(), &mut doc)?;
        let out = out_dir.join(rel).with_extension("ann");
        if let Some(parent) = out.parent() {
            std::fs::create_dir_all(parent)?;
        }
        brat::write_ann(&out, &doc.text, &doc.ann)?;
        // Which sieve attributed each quote (for error analysis): `start end sieve`.
        let mut sieves = String::new();
        for r in doc.ann.relations_of(whosaid::annotation::RelKind::Speaker) {
            if let Some(q) = doc.ann.span(&r.arg1) {
                sieves.push_str(&format!("{}\t{}\t{}\n", q.span.start, q.span.end, r.source.as_deref().unwrap_or("")));
            }
        }
        std::fs::write(out.with_extension("sieves"), sieves)?;
        n += 1;
    }
    if let Some(mut d) = dump {
        use std::io::Write;
        d.flush()?;
    }
    eprintln!("relinked {n} document(s) in {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}

/// `--dump FILE` (with `--ranker`): for every quote, the rule sieves' speaker and the
/// ranker's three best candidates (a pronoun with the mention it resolves to), as TSV:
/// `doc qstart qend sieve speaker_start speaker_end nobody (kind start end p)*`.
fn dump_rankings(
    out: &mut impl std::io::Write,
    rel: &str,
    doc: &Document,
    ranker: &std::sync::Mutex<whosaid::ranker::Ranker>,
) -> Result<(), Box<dyn std::error::Error>> {
    use whosaid::annotation::RelKind;
    use whosaid::ranker::CandidateKind;
    let view = whosaid::mentions::View::new(&doc.text, &doc.ann);
    let scene = whosaid::attribution::Scene::new(&view, &doc.ann);
    let spans: Vec<_> = view.quotes.clone();
    let rankings = ranker.lock().map_err(|_| "ranker lock")?.rank_all(&view, &spans)?;
    for (q, r) in spans.iter().zip(rankings) {
        let qa = doc.ann.quotes().find(|a| a.span == *q);
        let rel_ = qa.and_then(|a| doc.ann.relations_of(RelKind::Speaker).find(|x| x.arg1 == a.id));
        let (sieve, ss, se) = match rel_.and_then(|x| doc.ann.span(&x.arg2).map(|s| (x.source.clone().unwrap_or_default(), s.span))) {
            Some((sv, sp)) => (sv, sp.start as i64, sp.end as i64),
            None => ("-".to_string(), -1, -1),
        };
        let mut line = format!("{rel}\t{}\t{}\t{sieve}\t{ss}\t{se}\t{:.4}", q.start, q.end, r.nobody);
        for (c, p) in r.candidates.iter().take(3) {
            let (kind, span) = match c.kind {
                CandidateKind::Mention(i) => ("M", Some(view.mentions[i].span)),
                CandidateKind::Pronoun(k) => {
                    let w = &view.words[k];
                    let m = whosaid::lexicon::pronoun(&w.lower).and_then(|(pr, _)| scene.resolve_pronoun(pr, w.span.start));
                    ("P", m.map(|i| view.mentions[i].span))
                }
            };
            let (a, b) = span.map_or((-1, -1), |s| (s.start as i64, s.end as i64));
            line.push_str(&format!("\t{kind}\t{a}\t{b}\t{p:.4}"));
        }
        writeln!(out, "{line}")?;
    }
    Ok(())
}
