//! Invoices, bookings and clients for the remote-exporter tests.

use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use invex_domain::validate::{luhn_check_digit, make_ocr_reference};
use invex_domain::{Field, FieldName, Invoice, Source, Value, VatLine};
use invex_exporters::fortnox::{FortnoxClient, FortnoxConfig};
use invex_exporters::http::{RateLimit, RetryPolicy, Secret, TokenStore};
use invex_exporters::remote::ExportJob;
use invex_exporters::test_servers::{FortnoxServer, ServerOptions, Storm, VismaServer};
use invex_exporters::visma::{VismaClient, VismaConfig};
use invex_exporters::{Booking, TenantConfig};
use rust_decimal::Decimal;

pub fn dec(s: &str) -> Decimal {
    s.parse().expect("decimal")
}

/// A valid organisationsnummer, different for every `i`.
pub fn org_nr(i: u32) -> String {
    let payload = format!("556{:06}", 100_000 + i);
    let check = luhn_check_digit(&payload).expect("luhn");
    format!("{}-{}{check}", &payload[..6], &payload[6..])
}

/// A valid OCR reference (Luhn and length digit).
pub fn ocr(i: u32) -> String {
    make_ocr_reference(&format!("{:06}", 4000 + i), true).expect("ocr")
}

/// An invoice with the given `field=value` pairs (amounts, `true`, dates
/// `YYYY-MM-DD`, text), dated 2026-03-02 unless given.
pub fn invoice(fields: &[(&str, &str)]) -> Invoice {
    let mut inv = Invoice::default();
    let mut set = |name: FieldName, value: Value| {
        let field = Field { page: Some(1), ..Field::new(value, 0.9, Source::Rules) };
        inv.set(name, field);
    };
    set(FieldName::InvoiceDate, Value::Date(NaiveDate::from_ymd_opt(2026, 3, 2).expect("date")));
    for (name, value) in fields {
        let name = FieldName::parse(name).expect("field name");
        let value = match name.kind() {
            invex_domain::ValueKind::Amount => Value::Amount(dec(value)),
            invex_domain::ValueKind::Bool => Value::Bool(*value == "true"),
            invex_domain::ValueKind::Date => {
                Value::Date(NaiveDate::parse_from_str(value, "%Y-%m-%d").expect("date"))
            }
            invex_domain::ValueKind::Text => Value::Text(value.to_string()),
        };
        set(name, value);
    }
    inv
}

/// Adds a VAT breakdown of `(rate, base, vat)`.
pub fn with_breakdown(mut inv: Invoice, parts: &[(&str, &str, &str)]) -> Invoice {
    inv.vat_breakdown = parts
        .iter()
        .map(|(r, b, a)| VatLine {
            rate: dec(r),
            base: Some(dec(b)),
            amount: dec(a),
            category: None,
            exemption_reason: None,
        })
        .collect();
    inv
}

/// The tenant config of the tests: EUR at 11.47 SEK.
pub fn config() -> TenantConfig {
    let mut config = TenantConfig::default();
    config.exchange_rates.insert("EUR".into(), dec("11.47"));
    config
}

pub fn book(source: &str, inv: &Invoice) -> Booking {
    Booking::from_invoice(source, inv, &config()).expect("bookable")
}

/// Invoice `n` of supplier `supplier`: net 1000 + n, 25 % VAT, an OCR.
pub fn numbered(n: u32, supplier: u32) -> Booking {
    let net = Decimal::from(1000 + n);
    let vat = net * dec("0.25");
    let inv = invoice(&[
        ("invoice_number", &format!("F-{n:05}")),
        ("supplier_name", &format!("Leverantör {supplier} AB")),
        ("supplier_org_nr", &org_nr(supplier)),
        ("due_date", "2026-04-01"),
        ("net_amount", &net.to_string()),
        ("vat_amount", &vat.to_string()),
        ("total_amount", &(net + vat).to_string()),
        ("payment_reference", &ocr(n)),
    ]);
    book(&format!("inv-{n:05}.pdf"), &inv)
}

/// `count` jobs spread over `suppliers` suppliers, without PDFs.
pub fn jobs(count: u32, suppliers: u32) -> Vec<ExportJob> {
    (0..count).map(|n| ExportJob { booking: numbered(n, n % suppliers), pdf: None }).collect()
}

/// The servers' limit in tests: Fortnox's 25 requests, in a 100 ms window.
pub const SERVER_LIMIT: RateLimit = RateLimit { requests: 25, per: Duration::from_millis(100) };
/// The clients' limit: the same 25 requests, in a wider window.
pub const CLIENT_LIMIT: RateLimit = RateLimit { requests: 25, per: Duration::from_millis(150) };

pub fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        max_retries: 10,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(500),
    }
}

/// Server options with the test limit, optionally a storm every n-th request.
pub fn server_options(storm_every: Option<u64>) -> ServerOptions {
    let mut options = ServerOptions::published(SERVER_LIMIT);
    options.storm = Storm { every_nth: storm_every, retry_after: Duration::from_millis(20) };
    options
}

pub fn fortnox_client(
    server: &FortnoxServer,
    limit: RateLimit,
    store: Option<Arc<dyn TokenStore>>,
) -> FortnoxClient {
    let refresh = server.core.options.refresh_token.clone();
    fortnox_client_with(server, limit, store, &refresh, Duration::from_secs(10))
}

/// A Fortnox client configured with `refresh_token` and `timeout`.
pub fn fortnox_client_with(
    server: &FortnoxServer,
    limit: RateLimit,
    store: Option<Arc<dyn TokenStore>>,
    refresh_token: &str,
    timeout: Duration,
) -> FortnoxClient {
    let o = &server.core.options;
    let mut config = FortnoxConfig::new(
        o.client_id.clone(),
        Secret::new(o.client_secret.clone()),
        Secret::new(refresh_token),
    );
    config.base_url = server.base_url();
    config.token_url = server.token_url();
    config.rate_limit = limit;
    config.retry = fast_retry();
    config.timeout = timeout;
    FortnoxClient::new(config, store).expect("client")
}

pub fn visma_client(server: &VismaServer, limit: RateLimit) -> VismaClient {
    let o = &server.core.options;
    let mut config = VismaConfig::new(
        o.client_id.clone(),
        Secret::new(o.client_secret.clone()),
        Secret::new(o.refresh_token.clone()),
    );
    config.base_url = server.base_url();
    config.token_url = server.token_url();
    config.rate_limit = limit;
    config.retry = fast_retry();
    config.timeout = Duration::from_secs(10);
    VismaClient::new(config, None).expect("client")
}

/// A progress callback that ignores progress.
pub fn quiet(_: &invex_exporters::remote::InvoiceReport) {}

/// A one-page file that passes for a PDF.
pub fn pdf_file(dir: &std::path::Path, name: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n")
        .expect("write pdf");
    path
}
