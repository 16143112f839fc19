//! Compares whosaid's quote detection with gold `.ann` files: prints missed and extra
//! quotes per document, and BOUNDS lines where a found quote's span is not the gold's.
//! `cargo run --release --example quote_diff -- tests/fixtures`
//!
//! The gold's QUOTE lines are read here (brat's fragment form `s1 e1;s2 e2` included: a
//! quote is scored from its first fragment's start to its last fragment's end), so the
//! listing works on any gold folder, the dev set's included.
use whosaid::{Document, Span};

/// (span, partial) of every QUOTE of a brat file.
fn gold_quotes(ann: &str) -> Vec<(Span, bool)> {
    let mut quotes = vec![];
    let mut partial = std::collections::HashSet::new();
    for line in ann.lines() {
        let fields: Vec<&str> = line.split('\t').collect();
        if line.starts_with('A') && fields.len() >= 2 {
            let mut w = fields[1].split_whitespace();
            if w.next() == Some("Partial") {
                if let Some(t) = w.next() {
                    partial.insert(t.to_string());
                }
            }
        }
        if !line.starts_with('T') || fields.len() < 2 {
            continue;
        }
        let Some(rest) = fields[1].strip_prefix("QUOTE ") else { continue };
        let nums: Vec<usize> = rest.split([' ', ';']).filter_map(|n| n.parse().ok()).collect();
        if let (Some(&s), Some(&e)) = (nums.first(), nums.last()) {
            quotes.push((fields[0].to_string(), Span::new(s, e)));
        }
    }
    quotes.into_iter().map(|(id, s)| (s, partial.contains(&id))).collect()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args().nth(1).ok_or("usage: quote_diff GOLD_DIR")?;
    let (mut gold_n, mut found_n, mut exact_n, mut pred_n, mut part_ok) = (0, 0, 0, 0, 0);
    for entry in walkdir::WalkDir::new(&dir).sort_by_file_name() {
        let entry = entry?;
        let p = entry.path();
        if p.extension().is_none_or(|e| e != "ann") {
            continue;
        }
        let doc = Document::read(&p.with_extension("txt"))?;
        let gq = gold_quotes(&std::fs::read_to_string(p)?);
        let pred = whosaid::quotes::find_quotes(&doc.text);
        gold_n += gq.len();
        pred_n += pred.len();
        let short = |s: &str| s.chars().take(70).collect::<String>().replace('\n', " ");
        let tail = |s: &str| {
            let c: Vec<char> = s.chars().collect();
            c[c.len().saturating_sub(25)..].iter().collect::<String>().replace('\n', " ")
        };
        for (g, gp) in &gq {
            match pred.iter().find(|q| q.span.overlap(g) * 2 >= g.len().max(q.span.len())) {
                Some(q) => {
                    found_n += 1;
                    if q.partial == *gp {
                        part_ok += 1
                    } else {
                        println!("{}: PARTIAL gold={} pred={} {}", p.display(), gp, q.partial, short(doc.text.get(*g).unwrap_or_default()));
                    }
                    if q.span != *g {
                        println!(
                            "{}: BOUNDS gold {} … {} | pred {} … {}",
                            p.display(),
                            short(doc.text.get(*g).unwrap_or_default()),
                            tail(doc.text.get(*g).unwrap_or_default()),
                            short(doc.text.get(q.span).unwrap_or_default()),
                            tail(doc.text.get(q.span).unwrap_or_default())
                        );
                    } else {
                        exact_n += 1;
                    }
                }
                None => println!("{}: MISSED {} {}", p.display(), if *gp { "(partial)" } else { "" }, short(doc.text.get(*g).unwrap_or_default())),
            }
        }
        for q in &pred {
            if !gq.iter().any(|(g, _)| q.span.overlap(g) * 2 >= g.len().max(q.span.len())) {
                println!("{}: EXTRA [{}] {}", p.display(), q.reason, short(doc.text.get(q.span).unwrap_or_default()));
            }
        }
    }
    println!("gold {gold_n}, predicted {pred_n}, found {found_n}, exact {exact_n}, partial agree {part_ok}");
    Ok(())
}
