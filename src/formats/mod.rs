//! File formats. Each maps to and from the shared annotation model.

pub mod brat;
pub mod brat_conf;
pub mod conll;
pub mod csv;
pub mod doccano;
pub mod html;
pub mod json;
pub mod label_studio;
pub mod review;
pub mod speakers;

/// Writes a file atomically (the one helper: see [`crate::fsio`]).
pub use crate::fsio::write_atomic;
