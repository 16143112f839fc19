//! Compares whosaid's quote detection with gold `.ann` files: prints missed and extra
//! quotes per document. `cargo run --release --example quote_diff -- tests/fixtures`
use whosaid::formats::brat;
use whosaid::{Document, Label};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args().nth(1).ok_or("usage: quote_diff GOLD_DIR")?;
    let (mut gold_n, mut found_n, mut pred_n, mut part_ok) = (0, 0, 0, 0);
    for entry in walkdir::WalkDir::new(&dir).sort_by_file_name() {
        let entry = entry?;
        let p = entry.path();
        if p.extension().is_none_or(|e| e != "ann") {
            continue;
        }
        let doc = Document::read(&p.with_extension("txt"))?;
        let gold = brat::read_ann(&doc.text, p)?;
        let pred = whosaid::quotes::find_quotes(&doc.text);
        let gq: Vec<_> = gold.spans.iter().filter(|s| s.label == Label::QUOTE).collect();
        gold_n += gq.len();
        pred_n += pred.len();
        let short = |s: &str| s.chars().take(70).collect::<String>().replace('\n', " ");
        for g in &gq {
            match pred.iter().find(|q| q.span.overlap(&g.span) * 2 >= g.span.len().max(q.span.len())) {
                Some(q) => {
                    found_n += 1;
                    if q.partial == g.partial { part_ok += 1 } else {
                        println!("{}: PARTIAL gold={} pred={} {}", p.display(), g.partial, q.partial, short(doc.slice(g.span)));
                    }
                    if q.span != g.span {
                        println!("{}: BOUNDS gold {} | pred {}", p.display(), short(doc.slice(g.span)), short(doc.slice(q.span)));
                    }
                }
                None => println!("{}: MISSED {} {}", p.display(), if g.partial {"(partial)"} else {""}, short(doc.slice(g.span))),
            }
        }
        for q in &pred {
            if !gq.iter().any(|g| q.span.overlap(&g.span) * 2 >= g.span.len().max(q.span.len())) {
                println!("{}: EXTRA [{}] {}", p.display(), q.reason, short(doc.slice(q.span)));
            }
        }
    }
    println!("gold {gold_n}, predicted {pred_n}, found {found_n}, partial agree {part_ok}");
    Ok(())
}
