//! Confidence calibration: an extractor's raw field scores mapped to
//! probabilities, so that a confidence of 0.9 means right about 9 times in 10.
//!
//! A [`Calibration`] is fitted (`invex eval --fit-calibration`) on judged
//! fields of a tuning set: per field, and over all fields as the fallback,
//! the raw scores are sorted and pooled into monotone blocks (isotonic
//! regression by pool-adjacent-violators); each block becomes one point
//! (mean raw score, smoothed accuracy). Mapping interpolates between the
//! points. The pipeline applies the shipped table (`pipeline/calibration.json`)
//! to every extracted field.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::invoice::Invoice;

/// The curve over all fields, used for fields without enough samples of their own.
pub const ALL_FIELDS: &str = "*";

/// Raw score → probability, per field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Calibration {
    /// What it was fitted on (set, extractor, date), for people.
    pub fitted_on: String,
    /// Per field name, and [`ALL_FIELDS`]: points (raw score, probability),
    /// raw ascending, probability non-decreasing.
    pub curves: BTreeMap<String, Vec<(f64, f64)>>,
}

impl Calibration {
    /// Reads a table written by `invex eval --fit-calibration`.
    pub fn from_json(text: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// Fits curves from `(field, raw score, right)` samples; a field gets a
    /// curve of its own with at least `min_per_field` samples.
    pub fn fit(samples: &[(&str, f64, bool)], min_per_field: usize, fitted_on: &str) -> Self {
        let mut by_field: BTreeMap<&str, Vec<(f64, bool)>> = BTreeMap::new();
        for &(field, raw, right) in samples {
            by_field.entry(field).or_default().push((raw, right));
        }
        let mut curves = BTreeMap::new();
        let all: Vec<(f64, bool)> = samples.iter().map(|&(_, r, ok)| (r, ok)).collect();
        if !all.is_empty() {
            curves.insert(ALL_FIELDS.to_string(), isotonic(all));
        }
        for (field, points) in by_field {
            if points.len() >= min_per_field {
                curves.insert(field.to_string(), isotonic(points));
            }
        }
        Calibration { fitted_on: fitted_on.to_string(), curves }
    }

    /// The probability for `field`'s raw score; the raw score itself when
    /// there is no curve at all.
    pub fn map(&self, field: &str, raw: f64) -> f64 {
        let Some(curve) = self.curves.get(field).or_else(|| self.curves.get(ALL_FIELDS)) else {
            return raw;
        };
        interpolate(curve, raw)
    }

    /// Replaces every field's confidence by its calibrated probability.
    pub fn apply(&self, invoice: &mut Invoice) {
        for (name, field) in invoice.fields.iter_mut() {
            field.confidence = self.map(name.as_str(), field.confidence as f64) as f32;
        }
    }
}

/// Pool-adjacent-violators over (raw, right), then one point per block:
/// (mean raw, (right + 1) / (n + 2)), made non-decreasing again after smoothing.
fn isotonic(mut points: Vec<(f64, bool)>) -> Vec<(f64, f64)> {
    points.sort_by(|a, b| a.0.total_cmp(&b.0));
    // Blocks: (sum raw, right, n).
    let mut blocks: Vec<(f64, f64, f64)> = Vec::new();
    for (raw, right) in points {
        blocks.push((raw, f64::from(u8::from(right)), 1.0));
        while blocks.len() >= 2 {
            let (b, a) = (blocks[blocks.len() - 1], blocks[blocks.len() - 2]);
            if a.1 / a.2 <= b.1 / b.2 {
                break;
            }
            blocks.pop();
            let last = blocks.len() - 1;
            blocks[last] = (a.0 + b.0, a.1 + b.1, a.2 + b.2);
        }
    }
    let mut out: Vec<(f64, f64)> = Vec::with_capacity(blocks.len());
    for (sum, right, n) in blocks {
        let p = (right + 1.0) / (n + 2.0);
        let p = out.last().map_or(p, |&(_, prev)| p.max(prev));
        out.push((sum / n, p));
    }
    out
}

fn interpolate(curve: &[(f64, f64)], raw: f64) -> f64 {
    let (Some(first), Some(last)) = (curve.first(), curve.last()) else { return raw };
    if raw <= first.0 {
        return first.1;
    }
    if raw >= last.0 {
        return last.1;
    }
    for w in curve.windows(2) {
        let ((x0, y0), (x1, y1)) = (w[0], w[1]);
        if raw <= x1 {
            let t = if x1 > x0 { (raw - x0) / (x1 - x0) } else { 1.0 };
            return y0 + t * (y1 - y0);
        }
    }
    last.1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fitted_curves_are_monotone_and_match_accuracy() {
        // Raw 0.5: right 1 time in 4; raw 0.9: right 39 times in 40.
        let mut samples = Vec::new();
        for i in 0..4 {
            samples.push(("invoice_number", 0.5, i == 0));
        }
        for i in 0..40 {
            samples.push(("invoice_number", 0.9, i != 0));
        }
        let c = Calibration::fit(&samples, 10, "test");
        let low = c.map("invoice_number", 0.5);
        let high = c.map("invoice_number", 0.9);
        assert!((low - 2.0 / 6.0).abs() < 1e-9, "{low}");
        assert!((high - 40.0 / 42.0).abs() < 1e-9, "{high}");
        // Between the points: interpolated; outside: clamped.
        let mid = c.map("invoice_number", 0.7);
        assert!(low < mid && mid < high);
        assert_eq!(c.map("invoice_number", 0.1), low);
        assert_eq!(c.map("invoice_number", 1.0), high);
        // A field without its own curve uses the pooled one.
        assert_eq!(c.map("iban", 0.9), c.map(ALL_FIELDS, 0.9));
    }

    #[test]
    fn violators_are_pooled() {
        // Higher raw but worse: the two pool into one block.
        let samples = [("x", 0.6, true), ("x", 0.6, true), ("x", 0.8, false), ("x", 0.8, false)];
        let c = Calibration::fit(&samples, 1, "test");
        assert_eq!(c.curves["x"], vec![(0.7, 0.5)]);
    }

    #[test]
    fn an_empty_calibration_changes_nothing() {
        assert_eq!(Calibration::default().map("x", 0.42), 0.42);
    }
}
