//! Scoring predicted annotations against gold, as the guidelines define it.
