//! Runs whosaid's rule stages (quotes, coreference, HasRole/RoleOrg, speakers) on gold
//! entities, to measure the rules apart from the NER model, and prints every quote whose
//! speaker is wrong: `cargo run --release --example rules_on_gold -- tests/fixtures`
use whosaid::eval::{score_document, speaker_correct, Report};
use whosaid::formats::brat;
use whosaid::{Document, Label};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args().nth(1).ok_or("usage: rules_on_gold GOLD_DIR")?;
    let verbose = std::env::args().any(|a| a == "-v");
    let mut report = Report::default();
    for entry in walkdir::WalkDir::new(&dir).sort_by_file_name() {
        let entry = entry?;
        let p = entry.path();
        if p.extension().is_none_or(|e| e != "ann") {
            continue;
        }
        let mut doc = Document::read(&p.with_extension("txt"))?;
        let gold = brat::read_ann(&doc.text, p)?;
        doc.ann = gold.clone();
        doc.ann.spans.retain(|s| s.label.is_entity());
        whosaid::pipeline::annotate_rules(&mut doc);
        let short = |s: &str| s.chars().take(60).collect::<String>().replace('\n', " ");
        for g in gold.quotes() {
            let Some(pq) = doc.ann.quotes().find(|q| q.span.overlap(&g.span) * 2 >= g.span.len().max(q.span.len())) else { continue };
            if !speaker_correct(&gold, g, &doc.ann, pq) {
                let gs = gold.speaker_of(&g.id).and_then(|id| gold.span(id)).map(|s| doc.text.get(s.span).unwrap_or_default().to_string()).unwrap_or_default();
                let r = doc.ann.relations.iter().find(|r| r.arg1 == pq.id && r.kind == whosaid::RelKind::Speaker);
                let ps = r.and_then(|r| doc.ann.span(&r.arg2)).map(|s| doc.text.get(s.span).unwrap_or_default().to_string()).unwrap_or_default();
                let sieve = r.and_then(|r| r.source.clone()).unwrap_or_default();
                println!("{}: {} | gold {gs:?} | pred {ps:?} [{sieve}]", p.file_stem().unwrap().to_string_lossy(), short(doc.text.get(g.span).unwrap_or_default()));
            }
        }
        if verbose {
            // Missed and extra HasRole/RoleOrg relations (arguments compared by span).
            let key = |ann: &whosaid::Annotations, r: &whosaid::Relation| {
                (r.kind, ann.span(&r.arg1).map(|s| s.span), ann.span(&r.arg2).map(|s| s.span))
            };
            let gold_keys: Vec<_> = gold.relations.iter().filter(|r| r.kind != whosaid::RelKind::Speaker).map(|r| key(&gold, r)).collect();
            let pred_keys: Vec<_> = doc.ann.relations.iter().filter(|r| r.kind != whosaid::RelKind::Speaker).map(|r| (key(&doc.ann, r), r.source.clone().unwrap_or_default())).collect();
            let show = |k: &(whosaid::RelKind, Option<whosaid::Span>, Option<whosaid::Span>)| {
                let a = k.1.and_then(|s| doc.text.get(s)).unwrap_or("");
                let b = k.2.and_then(|s| doc.text.get(s)).unwrap_or("");
                let ctx = k.1.zip(k.2).map(|(x, y)| {
                    let lo = x.start.min(y.start);
                    let hi = x.end.max(y.end);
                    doc.text.as_str().chars().skip(lo.saturating_sub(20)).take(hi - lo + 40).collect::<String>().replace('\n', " ")
                }).unwrap_or_default();
                format!("{:?} {a} -> {b}   «{ctx}»", k.0)
            };
            for g in &gold_keys {
                if !pred_keys.iter().any(|(p, _)| p == g) {
                    println!("  MISSED {}", show(g));
                }
            }
            for (p, src) in &pred_keys {
                if !gold_keys.contains(p) {
                    println!("  EXTRA {} [{src}]", show(p));
                }
            }
        }
        let _ = Label::QUOTE;
        report.push(p.display().to_string(), score_document(&gold, &doc.ann));
    }
    for m in ["quotes.overlap.f1", "quotes.exact.f1", "speaker.accuracy", "e2e.f1", "hasrole.p", "hasrole.r", "hasrole.f1", "roleorg.p", "roleorg.r", "roleorg.f1"] {
        println!("{m}: {:.2}", report.metric(m).unwrap_or(-1.0));
    }
    Ok(())
}
