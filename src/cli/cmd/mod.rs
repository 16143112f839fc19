//! One module per subcommand.

pub mod annotate;
pub mod eval;
pub mod eval_conll;
pub mod train;
