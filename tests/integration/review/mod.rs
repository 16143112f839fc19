//! The review loop: export whosaid's brat pairs to the tools reviewers use, import their
//! corrections back as brat, and read a corpus as one HTML page; a module per theme.

mod brat_export;
mod cli;
mod conll_export;
mod csv_export;
mod doccano;
mod html_page;
mod label_studio;
mod roundtrip;
mod text_root;
mod train_brat;

use std::path::Path;
use whosaid::formats::review::{read_corpus, BratPairs};
use whosaid::{Document, Span};

/// The 17 gold fixtures as a corpus, ids relative to tests/fixtures (`news/bbc_tech_360`).
pub fn fixture_corpus() -> BratPairs {
    let (corpus, errors) = read_corpus(&[crate::util::fixtures_dir()]);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(corpus.docs.len(), 17);
    corpus
}

/// One fixture by id.
pub fn fixture(id: &str) -> Document {
    fixture_corpus().docs.into_iter().find(|d| d.id == id).unwrap_or_else(|| panic!("no fixture {id}"))
}

/// A fixture with `prefix` put before its text and every span moved along.
pub fn with_prefix(doc: &Document, prefix: &str) -> Document {
    let shift = prefix.chars().count();
    let mut out = Document::new(doc.id.clone(), format!("{prefix}{}", doc.text.as_str()));
    out.ann = doc.ann.clone();
    for s in &mut out.ann.spans {
        s.span = Span::new(s.span.start + shift, s.span.end + shift);
    }
    out
}

/// Writes documents as brat pairs under `dir`.
pub fn write_pairs(docs: &[Document], dir: &Path) {
    for d in docs {
        whosaid::formats::review::write_brat(d, dir).unwrap();
    }
}
