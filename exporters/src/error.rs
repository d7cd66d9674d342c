//! The crate's one error type. Every variant about an invoice names it (file
//! and invoice number, see [`crate::Booking::label`]) and the cause, in words
//! an accountant can act on.

use std::path::PathBuf;

use invex_domain::{FieldName, ValueKind};
use polars::prelude::PolarsError;
use rust_decimal::Decimal;

/// Why an export could not be built or written.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    // --- Tables (CSV, Parquet) ---
    #[error("could not build the table: {0}")]
    Table(#[from] PolarsError),
    /// Reading or writing `path` failed. The cause is part of the message
    /// (not a `source`), so an error chain does not print it twice.
    #[error("{}: {cause}", path.display())]
    Io { path: PathBuf, cause: std::io::Error },
    #[error("could not write {}: {source}", path.display())]
    Encode {
        path: PathBuf,
        #[source]
        source: PolarsError,
    },
    #[error("{file}: {field} holds a {found:?} value where a {expected:?} belongs")]
    ValueKind { file: String, field: FieldName, found: ValueKind, expected: ValueKind },

    // --- Bookings: an invoice that cannot be booked ---
    #[error("{invoice}: cannot book without {field}")]
    MissingField { invoice: String, field: FieldName },
    #[error("{invoice}: cannot book: {detail}")]
    Inconsistent { invoice: String, detail: String },
    #[error(
        "{invoice}: net {net} + VAT {vat} = {sum} does not add up to the total {total} (more than öresavrundning)"
    )]
    Unbalanced { invoice: String, net: Decimal, vat: Decimal, sum: Decimal, total: Decimal },
    #[error(
        "{invoice}: VAT {vat} on net {net} is none of the supplier's country's rates ({country}), and the invoice has no VAT breakdown or line items with rates"
    )]
    VatRate { invoice: String, country: String, net: Decimal, vat: Decimal },
    #[error(
        "{invoice}: the supplier's VAT number is from {country}, whose VAT rates invex does not know; the invoice needs a VAT breakdown or line items with rates"
    )]
    VatCountry { invoice: String, country: String },
    #[error(
        "{invoice}: the invoice is in {currency}; add `{currency} = <SEK per unit>` under [exchange_rates] in the tenant config"
    )]
    NoExchangeRate { invoice: String, currency: String },

    // --- Tenant configuration ---
    #[error("tenant config {path}: {source}")]
    ConfigSyntax {
        path: String,
        #[source]
        source: Box<toml::de::Error>,
    },
    #[error("tenant config {path}: {detail}")]
    Config { path: String, detail: String },

    // --- File formats ---
    /// The cause is part of the message, not a `source` (see `Io`).
    #[error("could not write the {format} output: {cause}")]
    Write { format: &'static str, cause: std::io::Error },
    #[error("{invoice}: cannot write as {format}: {detail}")]
    Unsupported { invoice: String, format: &'static str, detail: String },
    #[error("SIE line {line}: {detail}")]
    SieSyntax { line: usize, detail: String },
    #[error("{} is not valid UBL 2.1: {detail}", path.display())]
    Schema { path: PathBuf, detail: String },
    // Remote exporters (Fortnox, Visma eEkonomi) add their variants below.
    /// The target refused a request: the invoice (or what was asked), the
    /// HTTP status and the target's own message.
    #[error("{invoice}: {target} answered {status}: {detail}")]
    Remote { target: &'static str, invoice: String, status: u16, detail: String },
    /// The target could not be reached (connection, TLS, timeout).
    #[error("{invoice}: could not reach {target}: {source}")]
    Transport {
        target: &'static str,
        invoice: String,
        #[source]
        source: reqwest::Error,
    },
    /// Still answered 429 or 5xx after every retry.
    #[error(
        "{invoice}: {target} still answered {status} after {attempts} attempts; try again later"
    )]
    GaveUp { target: &'static str, invoice: String, status: u16, attempts: u32 },
    /// OAuth2: no valid token could be had.
    #[error("{target} OAuth2: {detail}")]
    Auth { target: &'static str, detail: String },
    /// The booking cannot be expressed in the target's format (a field too
    /// long, a value the target refuses); caught before anything is sent.
    #[error("{invoice}: cannot export to {target}: {detail}")]
    Refused { target: &'static str, invoice: String, detail: String },
    /// The export ledger (which invoices went where) could not be read or written.
    #[error("export ledger {path}: {detail}")]
    Ledger { path: String, detail: String },
}
