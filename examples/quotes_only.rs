//! Quote detection alone, no model: for every `X.txt` under IN writes `OUT/X.ann` holding
//! only the QUOTE spans (and `Partial` attributes) that `quotes::find_quotes` gives, in
//! brat form; a span that crosses a line break is written in brat's fragment form
//! (`s1 e1;s2 e2`, split at the line breaks, fragments' text joined by one space), as the
//! guidelines' "File format" says. Score with
//! `python3 ../shared/eval/polnear.py score ../shared/dev/polnear-train/direct OUT`.
//!
//! `cargo run --release --example quotes_only -- IN OUT`
//!
//! OUT must not be IN (no input is overwritten); an unreadable text is reported on one
//! line, the batch goes on and ends nonzero.
use std::path::{Path, PathBuf};

use whosaid::{Document, Span, Text};

/// brat fragments of a span: split at line breaks, whitespace-only pieces dropped.
fn fragments(text: &Text, span: Span) -> Vec<Span> {
    let mut out = vec![];
    let mut start = None;
    for (i, c) in text.chars().skip(span.start).take(span.len()) {
        if c == '\n' || c == '\r' {
            if let Some(s) = start.take() {
                out.push(Span::new(s, i));
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        out.push(Span::new(s, span.end));
    }
    // Trailing whitespace of a fragment stays out (brat's text field must match).
    out.into_iter()
        .map(|f| {
            let t = text.get(f).unwrap_or_default();
            let trimmed = t.trim_end().chars().count();
            Span::new(f.start, f.start + trimmed)
        })
        .filter(|f| !f.is_empty())
        .collect()
}

/// One document's QUOTE lines.
pub fn quote_lines(text: &Text) -> String {
    let mut out = String::new();
    let mut attrs = String::new();
    for (n, q) in whosaid::quotes::find_quotes(text).iter().enumerate() {
        let frags = fragments(text, q.span);
        let offsets: Vec<String> = frags.iter().map(|f| format!("{} {}", f.start, f.end)).collect();
        let shown: Vec<&str> = frags.iter().map(|f| text.get(*f).unwrap_or_default()).collect();
        out.push_str(&format!("T{}\tQUOTE {}\t{}\n", n + 1, offsets.join(";"), shown.join(" ")));
        if q.partial {
            attrs.push_str(&format!("A{}\tPartial T{}\n", n + 1, n + 1));
        }
    }
    out + &attrs
}

fn run(input: &Path, out: &Path) -> Result<usize, Box<dyn std::error::Error>> {
    if out.canonicalize().ok() == Some(input.canonicalize()?) {
        return Err(format!("{}: the output folder is the input folder", out.display()).into());
    }
    std::fs::create_dir_all(out)?;
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(input)
        .into_iter()
        .filter_map(|e| e.ok().map(|e| e.into_path()))
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    let mut failed = 0;
    for p in files {
        match Document::read(&p) {
            Ok(doc) => {
                // The input's sub-folders are kept under OUT.
                let rel = p.strip_prefix(input).unwrap_or(&p);
                let dest = out.join(rel).with_extension("ann");
                if let Some(dir) = dest.parent() {
                    std::fs::create_dir_all(dir)?;
                }
                let tmp = dest.with_extension("ann.part");
                std::fs::write(&tmp, quote_lines(&doc.text))?;
                std::fs::rename(&tmp, &dest)?;
            }
            Err(e) => {
                eprintln!("{}: {e}", p.display());
                failed += 1;
            }
        }
    }
    Ok(failed)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, out] = args.as_slice() else {
        eprintln!("usage: quotes_only IN_DIR OUT_DIR");
        std::process::exit(2);
    };
    match run(Path::new(input), Path::new(out)) {
        Ok(0) => {}
        Ok(n) => {
            eprintln!("{n} document(s) could not be read");
            std::process::exit(1);
        }
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}
