//! invex-exporters: turns extracted invoices into bookings and writes them
//! where accounting systems read them.
//!
//! The flow: `invex extract` output lines ([`read_predictions`]) → an
//! [`invex_domain::Invoice`] each → a [`Booking`] ([`Booking::from_invoice`]
//! with a [`TenantConfig`]): the supplier, the document amounts, VAT per rate
//! and balanced ledger rows (cost per rate, input VAT per rate, payable,
//! öresavrundning) → an exporter:
//!
//! - [`FileExporter`]s write many bookings to one stream; [`DocumentExporter`]s
//!   write one document per booking. Both are pure mapping: no network, no
//!   files beyond the writer they are handed.
//! - Remote targets (Fortnox, Visma eEkonomi) map the same bookings and add
//!   transport on top.
//! - [`table`]: the prediction table of `invex extract --output x.csv|.parquet`
//!   (every field with confidence and source, one row per input file).
//!
//! - [`ApprovedExport`]: the service's export of approved invoices (SIE or
//!   PEPPOL), behind the domain's `BookingExport` trait.
//!
//! [`Error`] is the crate's one error type; every booking error names the
//! invoice (file and invoice number) and the cause.

pub mod approved;
pub mod atomic;
pub mod booking;
pub mod booking_table;
pub mod config;
pub mod error;
pub mod exporter;
#[cfg(test)]
mod fixtures;
pub mod fortnox;
pub mod http;
pub mod input;
pub mod ledger;
pub mod peppol;
pub mod remote;
pub mod sie;
pub mod table;
#[cfg(feature = "test-servers")]
pub mod test_servers;
pub mod training_table;
pub mod visma;

pub use approved::ApprovedExport;
pub use booking::{Booking, Line, Row, RowKind, Supplier, VatPart};
pub use config::{Account, TenantConfig};
pub use error::Error;
pub use exporter::{DocumentExporter, FileExporter};
pub use input::{ReviewGate, Skipped, book_all, read_predictions};
pub use table::{TableFormat, predictions_frame, write_table};
