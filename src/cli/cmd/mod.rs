//! One module per subcommand.

pub mod annotate;
pub mod eval;
pub mod eval_conll;
pub mod eval_polnear;
pub mod export;
pub mod import;
pub mod quotes;
pub mod train;
pub mod train_attribution;
