//! The integration tests: one test binary (so libtorch is linked once, not once per file),
//! with a module per theme, in ripgrep's style. `cargo test --release --test integration
//! MODULE::` runs one theme, e.g. `review::` or `robustness::`.

mod util;

mod accuracy;
mod annotate;
mod batch;
mod brat_roundtrip;
mod cli_eval;
mod eval;
mod quotes;
mod review;
mod robustness;
mod train;
