//! `quotes.csv`: one row per quote, for spreadsheets. The speaker, role and organisation
//! are read off the annotations by [`super::speakers`]: the quote's `Speaker` mention, its
//! `Equiv` group's name, the group's `HasRole` positions and their `RoleOrg`
//! organisations (several are joined with `; `). Offsets are characters, as in brat; the
//! quote text is exact (line breaks inside a multi-paragraph quote are kept, quoted as
//! CSV requires).

use super::review::Written;
use super::speakers::{quote_sources, text_of};
use super::write_atomic;
use crate::document::Document;
use crate::error::{Error, Result};
use serde::Serialize;
use std::path::Path;

/// One quote.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuoteRow {
    pub document: String,
    pub quote_id: String,
    pub quote: String,
    /// The speaker entity's name (empty when the quote has no `Speaker`).
    pub speaker: String,
    /// PER, ORG or ROLE.
    pub speaker_type: String,
    pub role: String,
    pub organisation: String,
    pub start: usize,
    pub end: usize,
    pub partial: bool,
    /// The `Speaker` mention: its id and its text where the quote is attributed.
    pub speaker_id: String,
    pub speaker_mention: String,
}

/// The rows of one document, in span order.
pub fn rows(doc: &Document) -> Vec<QuoteRow> {
    quote_sources(doc)
        .into_iter()
        .map(|q| {
            let source = q.source.as_ref();
            QuoteRow {
                document: doc.id.clone(),
                quote_id: q.quote.id.clone(),
                quote: doc.text.get(q.quote.span).unwrap_or_default().to_string(),
                speaker: source.map(|s| s.name.clone()).unwrap_or_default(),
                speaker_type: source.map(|s| s.label.to_string()).unwrap_or_default(),
                role: source.map(|s| s.roles.join("; ")).unwrap_or_default(),
                organisation: source.map(|s| s.orgs.join("; ")).unwrap_or_default(),
                start: q.quote.span.start,
                end: q.quote.span.end,
                partial: q.quote.partial,
                speaker_id: source.map(|s| s.mention.id.clone()).unwrap_or_default(),
                speaker_mention: source.map(|s| text_of(doc, s.mention)).unwrap_or_default(),
            }
        })
        .collect()
}

/// The CSV text (with a header row) of every quote of the documents.
pub fn to_csv_bytes(docs: &[Document]) -> Result<Vec<u8>> {
    let mut w = ::csv::Writer::from_writer(vec![]);
    let mut any = false;
    for doc in docs {
        for row in rows(doc) {
            w.serialize(row).map_err(|e| Error::Other(format!("CSV: {e}")))?;
            any = true;
        }
    }
    if !any {
        // No quotes: still a header, so the file opens as the expected table.
        w.write_record([
            "document",
            "quote_id",
            "quote",
            "speaker",
            "speaker_type",
            "role",
            "organisation",
            "start",
            "end",
            "partial",
            "speaker_id",
            "speaker_mention",
        ])
        .map_err(|e| Error::Other(format!("CSV: {e}")))?;
    }
    w.into_inner().map_err(|e| Error::Other(format!("CSV: {e}")))
}

/// Writes `OUT/quotes.csv`.
pub fn write(docs: &[Document], out: &Path) -> Result<Written> {
    let path = out.join("quotes.csv");
    write_atomic(&path, &to_csv_bytes(docs)?)?;
    Ok(Written { files: vec![path], warnings: vec![] })
}
