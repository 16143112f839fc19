//! whosaid: who said what, in which role, for which organisation.
//!
//! The pipeline reads a [`Document`](document::Document), segments it into sentences,
//! tags PER/ORG/ROLE/LOC mentions with a transformer ([`ner`]), finds quotations
//! ([`quotes`]), links them to speakers ([`attribution`]) with coreference ([`coref`]),
//! and writes brat standoff plus JSON ([`formats`]). [`eval`] scores predictions
//! against hand-labelled gold; [`train`] fine-tunes the NER model.
//!
//! Every stage reads and extends one [`Annotations`](annotation::Annotations) value;
//! offsets are characters everywhere, converted from bytes only in [`document`], whose
//! [`Text`](document::Text) is also the text's one index (characters, paragraphs,
//! sentences). The rule stages keep one contract ([`stage`]) and [`pipeline`] lists them.

pub mod annotation;
pub mod attribution;
pub mod batch;
pub mod coref;
pub mod corpus;
pub mod document;
pub mod entities;
pub mod error;
pub mod eval;
pub mod formats;
pub mod fsio;
pub mod lexicon;
pub mod mentions;
pub mod ner;
pub mod pipeline;
pub mod polnear;
pub mod quotes;
pub mod ranker;
pub mod relations;
pub mod roles;
pub mod segment;
pub mod stage;
pub mod train;

pub use annotation::{Annotations, Label, RelKind, Relation, SpanAnn};
pub use document::{Document, Span, Text};
pub use error::{Error, Result};
