//! Reading `invex extract` output (`results.jsonl`) and booking it: every line
//! that cannot be exported becomes a [`Skipped`] entry naming the file and
//! the cause, so one bad invoice never stops an export.

use std::io::BufRead;
use std::path::Path;

use invex_domain::{Prediction, Status};

use crate::atomic::io_error;
use crate::{Booking, Error, TenantConfig};

/// An input line that was not exported, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Skipped {
    /// The input file the line describes, or `line N` when unreadable.
    pub source: String,
    pub reason: String,
}

/// `source: reason`, or only the reason when it names the source already
/// (booking errors start with `file (invoice N)`).
impl std::fmt::Display for Skipped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.reason.starts_with(&self.source) {
            f.write_str(&self.reason)
        } else {
            write!(f, "{}: {}", self.source, self.reason)
        }
    }
}

/// Reads a JSONL predictions file: the parsed predictions in file order, and
/// the lines that could not be parsed. Only an unreadable file is an error.
pub fn read_predictions(path: &Path) -> Result<(Vec<Prediction>, Vec<Skipped>), Error> {
    let file = std::fs::File::open(path).map_err(|e| io_error(path, e))?;
    let mut predictions = Vec::new();
    let mut skipped = Vec::new();
    for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.map_err(|e| io_error(path, e))?;
        if line.trim().is_empty() {
            continue;
        }
        let parsed = serde_json::from_str::<serde_json::Value>(&line)
            .map_err(|e| not_json(&e))
            .and_then(|json| {
                Prediction::from_json(&json)
                    .map_err(|e| format!("not an `invex extract` result: {e}"))
            });
        match parsed {
            Ok(p) => predictions.push(p),
            Err(reason) => skipped.push(Skipped { source: format!("line {}", i + 1), reason }),
        }
    }
    Ok((predictions, skipped))
}

/// "not valid JSON (..., column N)": the line number is the input line's,
/// so serde's "at line 1" is left out.
fn not_json(e: &serde_json::Error) -> String {
    let message = e.to_string();
    let message = message.split(" at line ").next().unwrap_or_default();
    format!("not valid JSON ({message}, column {})", e.column())
}

/// Which invoices an export takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewGate {
    /// Only invoices a person would not need to look at
    /// ([`invex_domain::service::review::reasons_to_review`] is empty, so
    /// the service's status would be `done`).
    ReviewedOnly,
    /// Every bookable invoice (`--include-unreviewed`).
    IncludeUnreviewed,
}

/// Books every successful prediction; failed predictions, invoices that
/// still need review (unless `gate` includes them) and invoices that cannot
/// be booked are skipped with their cause.
pub fn book_all(
    predictions: &[Prediction],
    config: &TenantConfig,
    gate: ReviewGate,
) -> (Vec<Booking>, Vec<Skipped>) {
    use invex_domain::service::review;
    let mut bookings = Vec::new();
    let mut skipped = Vec::new();
    for p in predictions {
        if p.status == Status::Failed {
            let cause = p.error.as_deref().or(p.error_type.as_deref()).unwrap_or("unknown cause");
            skipped.push(Skipped {
                source: p.file.clone(),
                reason: format!("extraction failed: {cause}"),
            });
            continue;
        }
        let why = match gate {
            ReviewGate::ReviewedOnly => review::reasons_to_review(&p.invoice),
            ReviewGate::IncludeUnreviewed => Vec::new(),
        };
        if !why.is_empty() {
            skipped.push(Skipped {
                source: p.file.clone(),
                reason: format!(
                    "needs review ({}): review it, or pass --include-unreviewed",
                    why.join("; ")
                ),
            });
            continue;
        }
        match Booking::from_invoice(&p.file, &p.invoice, config) {
            Ok(b) => bookings.push(b),
            Err(e) => skipped.push(Skipped { source: p.file.clone(), reason: e.to_string() }),
        }
    }
    (bookings, skipped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unreadable_lines_say_why_and_the_reason_names_the_file_once() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("results.jsonl");
        std::fs::write(&path, "{\"file\": \"a.pdf\", \"sta\nnot json\n[1, 2]\n").expect("write");
        let (predictions, skipped) = read_predictions(&path).expect("reads");
        assert!(predictions.is_empty());
        let lines: Vec<String> = skipped.iter().map(ToString::to_string).collect();
        assert_eq!(lines[0], "line 1: not valid JSON (EOF while parsing a string, column 22)");
        assert_eq!(lines[1], "line 2: not valid JSON (expected ident, column 2)");
        assert!(lines[2].starts_with("line 3: not an `invex extract` result: "), "{}", lines[2]);

        let booked = Skipped {
            source: "a.pdf".into(),
            reason: "a.pdf (invoice 7): cannot book without total_amount".into(),
        };
        assert_eq!(booked.to_string(), "a.pdf (invoice 7): cannot book without total_amount");
    }

    #[test]
    fn a_missing_file_is_named_with_its_cause_once() {
        let err = read_predictions(Path::new("no/such/results.jsonl")).expect_err("missing");
        assert_eq!(
            err.to_string(),
            "no/such/results.jsonl: No such file or directory (os error 2)"
        );
        assert!(std::error::Error::source(&err).is_none(), "the cause is not repeated in a chain");
    }
}
