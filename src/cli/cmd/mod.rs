//! One module per subcommand.

pub mod annotate;
pub mod average;
pub mod eval;
pub mod eval_conll;
pub mod eval_polnear;
pub mod export;
pub mod import;
pub mod quotes;
pub mod silver;
pub mod train;
pub mod train_attribution;

/// A `--min METRIC=VALUE` threshold (`eval`, `eval-polnear`).
#[derive(Debug, Clone, PartialEq)]
pub struct Threshold {
    pub metric: String,
    pub value: f64,
}

impl Threshold {
    /// Parses `METRIC=VALUE`, METRIC one of `names`, VALUE a finite number.
    pub fn parse<S: AsRef<str>>(s: &str, names: &[S]) -> Result<Threshold, String> {
        let (metric, value) = s.split_once('=').ok_or_else(|| "expected METRIC=VALUE".to_string())?;
        let metric = metric.trim();
        if !names.iter().any(|n| n.as_ref() == metric) {
            let names: Vec<&str> = names.iter().map(AsRef::as_ref).collect();
            return Err(format!("unknown metric '{metric}'; valid metrics: {}", names.join(", ")));
        }
        let value: f64 = value.trim().parse().map_err(|_| format!("'{value}' is not a number"))?;
        if !value.is_finite() {
            return Err(format!("'{value}' is not a finite number"));
        }
        Ok(Threshold { metric: metric.to_string(), value })
    }
}
