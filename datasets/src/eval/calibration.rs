//! Calibration: how accurate the predicted fields are at or above each
//! confidence threshold, so that a reviewer knows what a threshold buys.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::Judged;

/// The thresholds `invex eval --calibration` reports.
pub const THRESHOLDS: [f64; 9] = [0.0, 0.3, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99];

#[derive(Debug, Clone, PartialEq)]
pub struct CalibrationRow {
    pub threshold: f64,
    /// Fields with confidence >= threshold.
    pub fields: usize,
    pub correct: usize,
    /// Share of all judged fields that reach the threshold.
    pub coverage: f64,
}

impl CalibrationRow {
    pub fn accuracy(&self) -> Option<f64> {
        (self.fields > 0).then(|| self.correct as f64 / self.fields as f64)
    }
}

pub fn calibration(judged: &[Judged], thresholds: &[f64]) -> Vec<CalibrationRow> {
    thresholds
        .iter()
        .map(|&t| {
            let above: Vec<&Judged> = judged.iter().filter(|j| j.confidence >= t).collect();
            CalibrationRow {
                threshold: t,
                fields: above.len(),
                correct: above.iter().filter(|j| j.correct).count(),
                coverage: if judged.is_empty() {
                    0.0
                } else {
                    above.len() as f64 / judged.len() as f64
                },
            }
        })
        .collect()
}

/// Per source (rules, model, ...): how many fields it won and how many of those were right.
pub fn by_source(judged: &[Judged]) -> BTreeMap<String, (usize, usize)> {
    let mut out = BTreeMap::new();
    for j in judged {
        let e = out.entry(j.source.clone().unwrap_or_else(|| "unknown".into())).or_insert((0, 0));
        e.0 += 1;
        e.1 += usize::from(j.correct);
    }
    out
}

/// The calibration table and the per-source tally as text.
pub fn to_text(judged: &[Judged]) -> String {
    let mut out = String::from("confidence >=   fields  coverage  accuracy\n");
    for row in calibration(judged, &THRESHOLDS) {
        let acc = row.accuracy().map_or("-".to_string(), |a| format!("{a:.4}"));
        let _ = writeln!(
            out,
            "{:>13.2}  {:>7}  {:>8.3}  {:>8}",
            row.threshold, row.fields, row.coverage, acc
        );
    }
    out.push_str("\nsource        fields  accuracy\n");
    for (source, (n, right)) in by_source(judged) {
        let _ = writeln!(out, "{source:<12}  {n:>6}  {:>8.4}", right as f64 / n.max(1) as f64);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn j(confidence: f64, correct: bool, source: &str) -> Judged {
        Judged { field: "total_amount", confidence, source: Some(source.into()), correct }
    }

    #[test]
    fn rows_count_fields_at_or_above_each_threshold() {
        let judged = [j(0.2, false, "rules"), j(0.6, false, "model"), j(0.9, true, "rules")];
        let check = |t: f64, fields: usize, correct: usize| {
            let row = &calibration(&judged, &[t])[0];
            assert_eq!((row.fields, row.correct), (fields, correct), "threshold {t}");
        };
        check(0.0, 3, 1);
        check(0.6, 2, 1);
        check(0.9, 1, 1);
        check(0.95, 0, 0);
        assert_eq!(by_source(&judged)["rules"], (2, 1));
    }
}
