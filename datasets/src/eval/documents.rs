//! Whole documents: the share with every scored field right, and what
//! booking without a person would buy at a confidence threshold (the
//! automation rate and its precision), plus the expected calibration error
//! of the field confidences.

use std::fmt::Write;

use super::Judged;
use super::pyjson::{Dict, Py};

/// What a prediction line says about its whole document: `confidence` (the
/// probability that every field is right), and `failed_checks` and `unsure`
/// (why it cannot be booked without a person as it stands), counted together.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct DocClaim {
    pub confidence: Option<f64>,
    /// Failed checks and unsure fields: reasons a person must look.
    pub to_review: usize,
}

impl DocClaim {
    pub(super) fn of(record: &Dict) -> Self {
        let confidence = match record.get("confidence") {
            Some(Py::Float(f)) => Some(*f),
            Some(Py::Int(i)) => i.parse().ok(),
            _ => None,
        };
        let failed_checks = match record.get("failed_checks") {
            Some(Py::List(l)) => l.len(),
            Some(Py::Int(i)) => i.parse().unwrap_or(0),
            _ => 0,
        };
        // Fields too unsure to book without a person count like failed checks.
        let unsure = match record.get("unsure") {
            Some(Py::List(l)) => l.len(),
            _ => 0,
        };
        DocClaim { confidence, to_review: failed_checks + unsure }
    }

    /// Would the document be booked without a person at `threshold`?
    pub fn auto(&self, threshold: f64) -> bool {
        self.to_review == 0 && self.confidence.is_some_and(|c| c >= threshold)
    }
}

/// One gold document as scored.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct JudgedDoc {
    pub file: String,
    pub predicted: bool,
    pub scored: usize,
    pub correct: usize,
    pub claim: DocClaim,
}

impl JudgedDoc {
    /// Every scored field right (and something was scored).
    pub fn all_right(&self) -> bool {
        self.scored > 0 && self.correct == self.scored
    }
}

/// Documents with at least one scored field, and how many of them are all right.
pub fn fully_right(docs: &[JudgedDoc]) -> (usize, usize) {
    let scored: Vec<_> = docs.iter().filter(|d| d.scored > 0).collect();
    (scored.iter().filter(|d| d.all_right()).count(), scored.len())
}

/// Booking without a person at one threshold.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Automation {
    pub threshold: f64,
    /// Documents with at least one scored field.
    pub docs: usize,
    /// Of those, booked without a person.
    pub auto: usize,
    /// Of the booked ones, every field right.
    pub auto_right: usize,
}

impl Automation {
    pub fn rate(&self) -> f64 {
        self.auto as f64 / self.docs.max(1) as f64
    }
    /// `None` when nothing was booked.
    pub fn precision(&self) -> Option<f64> {
        (self.auto > 0).then(|| self.auto_right as f64 / self.auto as f64)
    }
}

pub fn automation(docs: &[JudgedDoc], threshold: f64) -> Automation {
    let scored: Vec<_> = docs.iter().filter(|d| d.scored > 0).collect();
    let auto: Vec<_> = scored.iter().filter(|d| d.claim.auto(threshold)).collect();
    Automation {
        threshold,
        docs: scored.len(),
        auto: auto.len(),
        auto_right: auto.iter().filter(|d| d.all_right()).count(),
    }
}

/// The lowest threshold (of the predictions' own document confidences) at
/// which the booked documents are at least `precision` right; `None` when
/// no threshold reaches it.
pub fn threshold_for_precision(docs: &[JudgedDoc], precision: f64) -> Option<Automation> {
    let mut candidates: Vec<f64> = docs.iter().filter_map(|d| d.claim.confidence).collect();
    candidates.sort_by(f64::total_cmp);
    candidates.dedup();
    candidates
        .into_iter()
        .map(|t| automation(docs, t))
        .find(|a| a.precision().is_some_and(|p| p >= precision))
}

/// Expected calibration error: the fields in 10 equal-width confidence
/// bins, each bin's |accuracy − mean confidence| weighted by its share.
pub fn expected_calibration_error(judged: &[Judged]) -> Option<f64> {
    if judged.is_empty() {
        return None;
    }
    let mut bins = [(0usize, 0usize, 0f64); 10];
    for j in judged {
        let b = ((j.confidence.clamp(0.0, 1.0) * 10.0) as usize).min(9);
        bins[b].0 += 1;
        bins[b].1 += usize::from(j.correct);
        bins[b].2 += j.confidence;
    }
    let n = judged.len() as f64;
    Some(
        bins.iter()
            .filter(|b| b.0 > 0)
            .map(|&(count, right, conf)| {
                let c = count as f64;
                (right as f64 / c - conf / c).abs() * c / n
            })
            .sum(),
    )
}

/// The thresholds the automation table shows.
pub const THRESHOLDS: [f64; 10] = [0.0, 0.5, 0.7, 0.8, 0.9, 0.95, 0.97, 0.98, 0.99, 0.995];

/// The document lines of `invex eval`: fully right, and automation at `threshold`.
pub fn to_text(docs: &[JudgedDoc], threshold: f64) -> String {
    let mut out = String::new();
    let (right, n) = fully_right(docs);
    let _ = writeln!(
        out,
        "documents with every field right {right}/{n} ({:.3})",
        right as f64 / n.max(1) as f64
    );
    let a = automation(docs, threshold);
    let _ = writeln!(
        out,
        "booked without a person at confidence >= {threshold}: {}/{} ({:.3}), precision {}",
        a.auto,
        a.docs,
        a.rate(),
        a.precision().map_or("-".to_string(), |p| format!("{p:.3}")),
    );
    out
}

/// The automation table and the expected calibration error.
pub fn calibration_text(docs: &[JudgedDoc], judged: &[Judged]) -> String {
    let mut out = String::new();
    let ece = expected_calibration_error(judged);
    let _ = writeln!(
        out,
        "expected calibration error (fields, 10 bins) {}",
        ece.map_or("-".to_string(), |e| format!("{e:.4}"))
    );
    out.push_str("\ndocument confidence >=  booked  rate   precision\n");
    for t in THRESHOLDS {
        let a = automation(docs, t);
        let _ = writeln!(
            out,
            "{t:>22.3}  {:>6}  {:.3}  {:>9}",
            a.auto,
            a.rate(),
            a.precision().map_or("-".to_string(), |p| format!("{p:.3}"))
        );
    }
    match threshold_for_precision(docs, 0.99) {
        Some(a) => {
            let _ = writeln!(
                out,
                "lowest threshold with precision >= 0.99: {:.4} (books {}/{}, {:.3})",
                a.threshold,
                a.auto,
                a.docs,
                a.rate()
            );
        }
        None => out.push_str("no threshold reaches precision 0.99\n"),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(scored: usize, correct: usize, confidence: Option<f64>, failed: usize) -> JudgedDoc {
        JudgedDoc {
            file: String::new(),
            predicted: true,
            scored,
            correct,
            claim: DocClaim { confidence, to_review: failed },
        }
    }

    #[test]
    fn automation_counts_booked_documents_and_their_precision() {
        let docs = [
            doc(5, 5, Some(0.99), 0), // booked, right
            doc(5, 4, Some(0.98), 0), // booked at 0.9, wrong
            doc(5, 5, Some(0.99), 1), // a failed check: never booked
            doc(5, 5, None, 0),       // no claim: never booked
            doc(0, 0, Some(1.0), 0),  // nothing scored: not counted
        ];
        assert_eq!(fully_right(&docs), (3, 4));
        let table = [(0.9, 2, 1), (0.985, 1, 1), (0.999, 0, 0)];
        for (t, auto, right) in table {
            let a = automation(&docs, t);
            assert_eq!((a.docs, a.auto, a.auto_right), (4, auto, right), "threshold {t}");
        }
        let best = threshold_for_precision(&docs, 0.99).unwrap();
        assert_eq!((best.threshold, best.auto), (0.99, 1));
    }

    #[test]
    fn failed_checks_and_unsure_fields_both_keep_a_document_from_booking() {
        // (prediction line, reasons to review)
        let table = [
            (r#"{"confidence": 0.9, "failed_checks": [], "unsure": []}"#, 0),
            (r#"{"confidence": 0.9}"#, 0),
            (r#"{"confidence": 0.9, "failed_checks": ["x"]}"#, 1),
            (r#"{"confidence": 0.9, "unsure": ["supplier_name was read at 0.75"]}"#, 1),
            (r#"{"confidence": 0.9, "failed_checks": ["x"], "unsure": ["y", "z"]}"#, 3),
        ];
        for (line, to_review) in table {
            let Ok(Py::Dict(record)) = super::super::pyjson::loads(line) else { panic!("{line}") };
            let claim = DocClaim::of(&record);
            assert_eq!(claim.to_review, to_review, "{line}");
            assert_eq!(claim.auto(0.5), to_review == 0, "{line}");
        }
    }

    #[test]
    fn calibration_error_is_zero_when_confidence_matches_accuracy() {
        let j = |confidence, correct| Judged { field: "x", confidence, source: None, correct };
        let exact = [j(0.5, true), j(0.5, false), j(1.0, true)];
        assert!(expected_calibration_error(&exact).unwrap() < 1e-12);
        // Always sure, right half the time: off by 0.5.
        let over = [j(1.0, true), j(1.0, false)];
        assert!((expected_calibration_error(&over).unwrap() - 0.5).abs() < 1e-12);
        assert_eq!(expected_calibration_error(&[]), None);
    }
}
