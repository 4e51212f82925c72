//! Summaries of measured values: minimum, median, 99th percentile, maximum and mean.
//!
//! Runs on the caller's thread; allocates freely.

use serde::Serialize;

/// Order statistics of a list of measurements (all zero for an empty list, with `count` 0).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Summary {
    /// How many values.
    pub count: usize,
    /// Smallest value.
    pub min: f64,
    /// Middle value (the upper one of an even count).
    pub median: f64,
    /// 99th percentile (nearest rank).
    pub p99: f64,
    /// Largest value.
    pub max: f64,
    /// Arithmetic mean.
    pub mean: f64,
}

impl Summary {
    /// Summarises `values`; non-finite values are left out.
    pub fn of(values: &[f64]) -> Summary {
        let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
        if v.is_empty() {
            return Summary::default();
        }
        v.sort_by(f64::total_cmp);
        let rank = |q: f64| v[((q * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1];
        Summary {
            count: v.len(),
            min: v[0],
            median: v[v.len() / 2],
            p99: rank(0.99),
            max: v[v.len() - 1],
            mean: v.iter().sum::<f64>() / v.len() as f64,
        }
    }

    /// `min / median / p99 / max` with `decimals` decimals, or `-` when empty.
    pub fn min_median_p99_max(&self, decimals: usize) -> String {
        if self.count == 0 {
            return "-".into();
        }
        format!(
            "{:.d$} / {:.d$} / {:.d$} / {:.d$}",
            self.min,
            self.median,
            self.p99,
            self.max,
            d = decimals
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_summary_orders_its_values() {
        let values: Vec<f64> = (1..=200).rev().map(f64::from).collect();
        let s = Summary::of(&values);
        assert_eq!(
            (s.count, s.min, s.median, s.p99, s.max),
            (200, 1.0, 101.0, 198.0, 200.0)
        );
        assert!((s.mean - 100.5).abs() < 1e-9);
        assert_eq!(s.min_median_p99_max(0), "1 / 101 / 198 / 200");
    }

    #[test]
    fn an_empty_or_non_finite_list_summarises_to_zero() {
        assert_eq!(Summary::of(&[]).count, 0);
        assert_eq!(Summary::of(&[f64::NAN]).count, 0);
        assert_eq!(Summary::of(&[]).min_median_p99_max(1), "-");
    }
}
