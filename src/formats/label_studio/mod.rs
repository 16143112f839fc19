//! Label Studio: `tasks.json` (one task per document, the annotations as a prediction to
//! review) plus `label-config.xml` (the labelling interface), and the import of a
//! reviewed JSON export back into brat.
//!
//! | whosaid | Label Studio result item |
//! |---|---|
//! | span `T7 PER 656 666` | `labels` region, `id: "T7"`, `value: {start, end, text, labels: ["PER"]}` (+ `score`) |
//! | `Partial` on a quote | per-region `choices` on the quote's region, `choices: ["Partial"]` |
//! | `#1 AnnotatorNotes T9 text` | per-region `textarea` on the region, `text: ["text"]` |
//! | `R2 Speaker Arg1:T9 Arg2:T7` | `relation`, `from_id: "T9"`, `to_id: "T7"`, `labels: ["Speaker"]` |
//! | `* Equiv T3 T4 T10` | `relation`s `Equiv` T3→T4, T4→T10 (a chain; any connected links form a group) |
//!
//! Offsets are Unicode code points, as in brat (Label Studio's own convention since its
//! emoji fix); an import whose offsets only match the region text when read as UTF-16
//! units (older versions) is corrected, with a warning (the conversion is
//! [`Text::utf16_to_char`], shared with doccano). Region ids stay the brat ids, so
//! they are stable across exports; regions a reviewer adds get the next free `T` numbers,
//! relations are numbered `R1`… and notes `#1`… in the order of the result.
//!
//! On import, each task's most recent submitted annotation (a ground-truth one first) is
//! the reviewed version; cancelled (skipped) annotations are ignored. A task nobody
//! reviewed is skipped with a warning, or, with [`ImportOptions::predictions`], its first
//! prediction is taken as it stands. Tasks whose predictions are listed as ids only (the
//! UI's Export → JSON) are named in one warning that says which export has them in full.
//! An identical copy of a region (same label and offsets) is dropped with a warning; its
//! id stands for the region kept, so relations and notes on it are kept.
//!
//! The files: `schema.rs` is the JSON of a task (what Label Studio reads and exports),
//! `export.rs` makes the tasks and the labelling interface, `import.rs` turns a reviewed
//! export back into documents.
//!
//! [`Text::utf16_to_char`]: crate::document::Text::utf16_to_char
//! [`ImportOptions::predictions`]: crate::formats::review::ImportOptions::predictions

mod export;
mod import;
mod schema;

pub use export::{labeling_config, result_items, tasks, write};
pub(crate) use import::add_relation;
pub use import::{import, import_tasks};
pub use schema::{
    ChoicesValue, LabelsValue, LsAnnotation, Prediction, PredictionEntry, ResultItem, Task, TaskData, TextAreaValue,
};

/// `name` of the `Labels` control.
pub const LABELS: &str = "label";
/// `name` of the per-region `Choices` control holding `Partial`.
pub const PARTIAL_CHOICES: &str = "partial";
/// `name` of the per-region `TextArea` holding notes.
pub const NOTES: &str = "note";
/// `name` of the `Text` object.
pub const TEXT: &str = "text";
/// `model_version` when nothing better is known: the annotations came from a brat file.
pub const DEFAULT_MODEL_VERSION: &str = "brat";
