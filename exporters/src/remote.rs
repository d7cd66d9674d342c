//! Remote exporters (Fortnox, Visma eEkonomi) and the batch export that
//! drives them: bounded concurrency, the [`ExportLedger`] consulted before
//! and written after each invoice, and one [`InvoiceReport`] per invoice
//! (created, already present, or failed with the cause) in input order.

use std::future::Future;
use std::path::PathBuf;

use futures_util::StreamExt;

use crate::ledger::{ExportLedger, LedgerEntry, LedgerKey};
use crate::{Booking, Error};

/// One invoice to export, and the original file when it should be attached.
#[derive(Debug, Clone)]
pub struct ExportJob {
    pub booking: Booking,
    /// The invoice PDF to upload and connect, if known and wanted.
    pub pdf: Option<PathBuf>,
}

impl ExportJob {
    /// A job attaching `booking.source` when that is an existing `.pdf` file.
    pub fn with_source_pdf(booking: Booking) -> ExportJob {
        let path = PathBuf::from(&booking.source);
        let is_pdf = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("pdf"));
        let pdf = (is_pdf && path.is_file()).then_some(path);
        ExportJob { booking, pdf }
    }
}

/// What a target did with one invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exported {
    /// Fortnox `GivenNumber`, Visma draft `Id`.
    pub target_id: String,
    /// The supplier number (Fortnox) or id (Visma) it was booked on.
    pub supplier_id: String,
    /// False when the target already had it (found by supplier and invoice number).
    pub created: bool,
    /// Set when the invoice was created but its PDF could not be attached.
    pub attachment_error: Option<String>,
}

/// A target that takes supplier invoices.
pub trait RemoteExporter: Send + Sync {
    /// `fortnox`, `visma`: the ledger's target name.
    fn key(&self) -> &'static str;
    /// Looks the invoice up, creates it when missing, attaches the PDF.
    fn export(&self, job: &ExportJob) -> impl Future<Output = Result<Exported, Error>> + Send;
}

/// The result for one invoice.
#[derive(Debug)]
pub enum Outcome {
    Created {
        target_id: String,
        attachment_error: Option<String>,
    },
    /// Already in the target: recorded in the ledger, or found by lookup.
    AlreadyPresent {
        target_id: String,
        from_ledger: bool,
    },
    Failed(Error),
}

/// One invoice's line in the export report.
#[derive(Debug)]
pub struct InvoiceReport {
    /// `file (invoice N)`.
    pub label: String,
    pub outcome: Outcome,
}

impl InvoiceReport {
    /// One line for people: `created 17`, `already present 17`, `failed: ...`.
    pub fn summary(&self) -> String {
        match &self.outcome {
            Outcome::Created { target_id, attachment_error: None } => {
                format!("created {target_id}")
            }
            Outcome::Created { target_id, attachment_error: Some(e) } => {
                format!("created {target_id} (PDF not attached: {e})")
            }
            Outcome::AlreadyPresent { target_id, .. } => format!("already present as {target_id}"),
            Outcome::Failed(e) => format!("failed: {e}"),
        }
    }
}

/// Counts of a finished batch.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct BatchSummary {
    pub created: usize,
    pub already_present: usize,
    pub failed: usize,
}

impl BatchSummary {
    pub fn of(reports: &[InvoiceReport]) -> BatchSummary {
        let mut s = BatchSummary::default();
        for r in reports {
            match r.outcome {
                Outcome::Created { .. } => s.created += 1,
                Outcome::AlreadyPresent { .. } => s.already_present += 1,
                Outcome::Failed(_) => s.failed += 1,
            }
        }
        s
    }
}

/// The ledger key of a booking in `target`.
pub fn ledger_key(target: &str, booking: &Booking) -> LedgerKey {
    LedgerKey {
        target: target.to_string(),
        supplier: booking.supplier.org_nr.clone().unwrap_or_else(|| booking.supplier.name.clone()),
        invoice_number: booking.invoice_number.clone(),
    }
}

/// Exports `jobs` with at most `concurrency` invoices in flight (the
/// exporter's rate limiter paces the requests themselves). `progress` sees
/// each report as it is made; the result is in input order.
pub async fn export_batch<E: RemoteExporter, L: ExportLedger>(
    exporter: &E,
    ledger: &L,
    jobs: &[ExportJob],
    concurrency: usize,
    progress: &(dyn Fn(&InvoiceReport) + Sync),
) -> Vec<InvoiceReport> {
    let mut reports: Vec<(usize, InvoiceReport)> =
        futures_util::stream::iter(jobs.iter().enumerate())
            .map(|(i, job)| async move {
                let report = InvoiceReport {
                    label: job.booking.label(),
                    outcome: export_one(exporter, ledger, job).await,
                };
                progress(&report);
                (i, report)
            })
            .buffer_unordered(concurrency.max(1))
            .collect()
            .await;
    reports.sort_by_key(|(i, _)| *i);
    reports.into_iter().map(|(_, r)| r).collect()
}

async fn export_one<E: RemoteExporter, L: ExportLedger>(
    exporter: &E,
    ledger: &L,
    job: &ExportJob,
) -> Outcome {
    let key = ledger_key(exporter.key(), &job.booking);
    match ledger.get(&key).await {
        Ok(Some(entry)) => {
            return Outcome::AlreadyPresent { target_id: entry.target_id, from_ledger: true };
        }
        Ok(None) => {}
        Err(e) => return Outcome::Failed(e),
    }
    let exported = match exporter.export(job).await {
        Ok(exported) => exported,
        Err(e) => return Outcome::Failed(e),
    };
    let entry = LedgerEntry {
        target_id: exported.target_id.clone(),
        supplier_id: exported.supplier_id.clone(),
        source: job.booking.source.clone(),
        exported_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    };
    if let Err(e) = ledger.record(key, entry).await {
        return Outcome::Failed(e);
    }
    if exported.created {
        Outcome::Created {
            target_id: exported.target_id,
            attachment_error: exported.attachment_error,
        }
    } else {
        Outcome::AlreadyPresent { target_id: exported.target_id, from_ledger: false }
    }
}
