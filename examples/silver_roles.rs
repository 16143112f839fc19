//! Prints the silver ROLE spans whosaid's role rules add to a CoNLL file, with counts,
//! to review the rules: `cargo run --release --example silver_roles -- FILE.conll`.
use std::collections::BTreeMap;
use std::path::PathBuf;
use whosaid::train::{conll, silver};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = PathBuf::from(std::env::args().nth(1).ok_or("usage: silver_roles FILE.conll")?);
    let mut sentences = conll::read(&path)?;
    let n = silver::add_roles(&mut sentences);
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for s in &sentences {
        for (t, a, b) in conll::spans(&s.tags) {
            if t == "ROLE" {
                *counts.entry(s.words[a..b].join(" ").to_lowercase()).or_default() += 1;
            }
        }
    }
    let mut v: Vec<_> = counts.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1));
    println!("{n} ROLE spans, {} distinct", v.len());
    for (k, c) in v.iter().take(150) {
        print!("{k} ({c}) | ");
    }
    println!();
    Ok(())
}
