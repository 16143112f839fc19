//! Finding documents on disk and mapping each input to its output paths.
