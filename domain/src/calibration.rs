//! Confidence calibration: an extractor's raw field scores mapped to
//! probabilities, so that a confidence of 0.9 means right about 9 times in 10.
//!
//! A [`Calibration`] is fitted (`invex eval --fit-calibration`) on judged
//! fields of a tuning set: per field, and over all fields as the fallback,
//! the raw scores are sorted and pooled into monotone blocks (isotonic
//! regression by pool-adjacent-violators); each block is flat over its raw
//! scores at its smoothed accuracy. Mapping interpolates between the
//! points. Beside the curves, `absent` holds per field how often the field
//! was truly not printed when the extractor found nothing, so that a
//! document's confidence also pays for what may have been missed. The
//! pipeline applies the shipped table (`domain/calibration.json`, fitted
//! for the rules extractor) to every extracted field.

use std::collections::BTreeMap;
use std::sync::OnceLock;

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
    /// Per field: the probability that nothing was there to find when the
    /// extractor found nothing (fields not listed: 1).
    #[serde(default)]
    pub absent: BTreeMap<String, f64>,
}

impl Calibration {
    /// Reads a table written by `invex eval --fit-calibration`.
    pub fn from_json(text: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// The rules extractor's table, fitted on the tuning part of the
    /// real-invoice corpus; parsed once. A test checks that it parses, so
    /// the empty fallback never ships.
    pub fn shipped() -> &'static Calibration {
        static SHIPPED: OnceLock<Calibration> = OnceLock::new();
        SHIPPED.get_or_init(|| {
            Self::from_json(include_str!("../calibration.json")).unwrap_or_default()
        })
    }

    /// Fits curves from `(field, raw score, right)` samples; a field gets a
    /// curve of its own with at least `min_per_field` samples. `missed` are
    /// `(field, the gold had a value)` for fields the extractor left empty.
    pub fn fit(
        samples: &[(&str, f64, bool)],
        missed: &[(&str, bool)],
        min_per_field: usize,
        fitted_on: &str,
    ) -> Self {
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
        let mut counts: BTreeMap<&str, (f64, f64)> = BTreeMap::new();
        for &(field, gold_has_value) in missed {
            let e = counts.entry(field).or_default();
            e.0 += f64::from(u8::from(!gold_has_value));
            e.1 += 1.0;
        }
        let absent = counts
            .into_iter()
            .map(|(field, (empty, n))| (field.to_string(), (empty + 0.5) / (n + 1.0)))
            .collect();
        Calibration { fitted_on: fitted_on.to_string(), curves, absent }
    }

    /// The probability that `field` had nothing to find, given that the
    /// extractor found nothing.
    pub fn absent(&self, field: &str) -> f64 {
        self.absent.get(field).copied().unwrap_or(1.0)
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

/// Pool-adjacent-violators over (raw, right): monotone blocks, each flat
/// over the raw scores it holds at (right + ½) / (n + 1) (made
/// non-decreasing again after smoothing); between blocks the curve is
/// linear.
fn isotonic(mut points: Vec<(f64, bool)>) -> Vec<(f64, f64)> {
    points.sort_by(|a, b| a.0.total_cmp(&b.0));
    struct Block {
        lo: f64,
        hi: f64,
        right: f64,
        n: f64,
    }
    // Equal scores start as one block, whatever order they came in.
    let mut ties: Vec<Block> = Vec::new();
    for (raw, right) in points {
        let right = f64::from(u8::from(right));
        match ties.last_mut() {
            Some(b) if b.lo == raw => {
                b.right += right;
                b.n += 1.0;
            }
            _ => ties.push(Block { lo: raw, hi: raw, right, n: 1.0 }),
        }
    }
    let mut blocks: Vec<Block> = Vec::new();
    for tie in ties {
        blocks.push(tie);
        while let [.., a, b] = blocks.as_slice() {
            if a.right / a.n <= b.right / b.n {
                break;
            }
            let merged = Block { lo: a.lo, hi: b.hi, right: a.right + b.right, n: a.n + b.n };
            blocks.truncate(blocks.len() - 2);
            blocks.push(merged);
        }
    }
    let mut points: Vec<(f64, f64)> = Vec::with_capacity(2 * blocks.len());
    for b in blocks {
        let p = (b.right + 0.5) / (b.n + 1.0);
        let p = points.last().map_or(p, |&(_, prev)| p.max(prev));
        points.push((b.lo, p));
        if b.hi > b.lo {
            points.push((b.hi, p));
        }
    }
    // Inside a flat stretch only its two ends matter for interpolation.
    let flat = |i: usize| {
        i > 0
            && i + 1 < points.len()
            && points[i - 1].1 == points[i].1
            && points[i + 1].1 == points[i].1
    };
    (0..points.len()).filter(|&i| !flat(i)).map(|i| points[i]).collect()
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
        let missed = [("iban", false), ("iban", false), ("iban", true)];
        let c = Calibration::fit(&samples, &missed, 10, "test");
        let low = c.map("invoice_number", 0.5);
        let high = c.map("invoice_number", 0.9);
        assert!((low - 1.5 / 5.0).abs() < 1e-9, "{low}");
        assert!((high - 39.5 / 41.0).abs() < 1e-9, "{high}");
        assert!((c.absent("iban") - 2.5 / 4.0).abs() < 1e-9);
        assert_eq!(c.absent("bankgiro"), 1.0);
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
        let c = Calibration::fit(&samples, &[], 1, "test");
        assert_eq!(c.curves["x"], vec![(0.6, 0.5), (0.8, 0.5)]);
    }

    #[test]
    fn the_shipped_table_parses() {
        let parsed = Calibration::from_json(include_str!("../calibration.json")).expect("parses");
        assert!(parsed.curves.contains_key(ALL_FIELDS));
        assert_eq!(&parsed, Calibration::shipped());
    }

    #[test]
    fn an_empty_calibration_changes_nothing() {
        assert_eq!(Calibration::default().map("x", 0.42), 0.42);
    }
}
