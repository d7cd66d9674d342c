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
            .map_err(|e| e.to_string())
            .and_then(|json| Prediction::from_json(&json).map_err(|e| e.to_string()));
        match parsed {
            Ok(p) => predictions.push(p),
            Err(reason) => skipped.push(Skipped { source: format!("line {}", i + 1), reason }),
        }
    }
    Ok((predictions, skipped))
}

/// Books every successful prediction; failed predictions and invoices that
/// cannot be booked are skipped with their cause.
pub fn book_all(predictions: &[Prediction], config: &TenantConfig) -> (Vec<Booking>, Vec<Skipped>) {
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
        match Booking::from_invoice(&p.file, &p.invoice, config) {
            Ok(b) => bookings.push(b),
            Err(e) => skipped.push(Skipped { source: p.file.clone(), reason: e.to_string() }),
        }
    }
    (bookings, skipped)
}
