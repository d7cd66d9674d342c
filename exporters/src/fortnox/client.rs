//! The Fortnox transport: suppliers looked up by organisationsnummer (created
//! when missing), supplier invoices looked up by supplier and invoice number
//! before being created, the PDF uploaded to the inbox (`inbox_s`) and
//! connected with `supplierinvoicefileconnections`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::sync::OnceCell;

use super::map::{self, TARGET};
use crate::http::{
    self, Body, OAuthConfig, RateLimit, Request, RetryPolicy, Secret, TokenStore, Transport,
};
use crate::remote::{ExportJob, Exported, RemoteExporter};
use crate::{Booking, Error};

/// Where and how to reach Fortnox.
#[derive(Debug, Clone)]
pub struct FortnoxConfig {
    /// `https://api.fortnox.se`.
    pub base_url: String,
    /// `https://apps.fortnox.se/oauth-v1/token`.
    pub token_url: String,
    pub client_id: String,
    pub client_secret: Secret,
    pub refresh_token: Secret,
    pub rate_limit: RateLimit,
    pub retry: RetryPolicy,
    pub timeout: Duration,
}

impl FortnoxConfig {
    pub const BASE_URL: &str = "https://api.fortnox.se";
    pub const TOKEN_URL: &str = "https://apps.fortnox.se/oauth-v1/token";

    /// The production endpoints and the published limit (25 requests per 5 s).
    pub fn new(client_id: String, client_secret: Secret, refresh_token: Secret) -> FortnoxConfig {
        FortnoxConfig {
            base_url: Self::BASE_URL.into(),
            token_url: Self::TOKEN_URL.into(),
            client_id,
            client_secret,
            refresh_token,
            rate_limit: RateLimit::FORTNOX,
            retry: RetryPolicy::default(),
            timeout: Duration::from_secs(60),
        }
    }
}

/// Fortnox's error text: `{"ErrorInformation": {"message": ..., "code": ...}}`.
fn error_text(body: &Value) -> Option<String> {
    let info = body.get("ErrorInformation")?;
    let message = info.get("message").or_else(|| info.get("Message"))?.as_str()?;
    let code = info.get("code").or_else(|| info.get("Code")).map(|c| c.to_string());
    Some(match code {
        Some(code) => format!("{message} (code {code})"),
        None => message.to_string(),
    })
}

/// Creates supplier invoices in one Fortnox company.
#[derive(Debug)]
pub struct FortnoxClient {
    transport: Transport,
    /// Supplier numbers by org nr (or name), resolved once per run even
    /// when many invoices of one supplier are in flight.
    suppliers: Mutex<HashMap<String, Arc<OnceCell<String>>>>,
}

impl FortnoxClient {
    pub fn new(
        config: FortnoxConfig,
        store: Option<Arc<dyn TokenStore>>,
    ) -> Result<FortnoxClient, Error> {
        let transport = Transport::new(
            http::TransportConfig {
                target: TARGET,
                base_url: config.base_url,
                oauth: OAuthConfig {
                    token_url: config.token_url,
                    client_id: config.client_id,
                    client_secret: config.client_secret,
                    refresh_token: config.refresh_token,
                },
                rate_limit: config.rate_limit,
                retry: config.retry,
                timeout: config.timeout,
            },
            error_text,
            store,
        )?;
        Ok(FortnoxClient { transport, suppliers: Mutex::new(HashMap::new()) })
    }

    /// The supplier number: the tenant's mapping, else found by org nr (or
    /// name), else a newly created supplier.
    pub async fn supplier_number(&self, booking: &Booking) -> Result<String, Error> {
        if let Some(number) = &booking.supplier.number {
            return Ok(number.clone());
        }
        let key =
            booking.supplier.org_nr.clone().unwrap_or_else(|| booking.supplier.name.to_lowercase());
        let cell = {
            let mut map = self.suppliers.lock().unwrap_or_else(|p| p.into_inner());
            map.entry(key).or_default().clone()
        };
        cell.get_or_try_init(|| self.find_or_create_supplier(booking)).await.cloned()
    }

    async fn find_or_create_supplier(&self, booking: &Booking) -> Result<String, Error> {
        let what = booking.label();
        let s = &booking.supplier;
        let query = match &s.org_nr {
            Some(org) => format!("organisationnumber={}", http::encode(org)),
            None => format!("name={}", http::encode(s.name.trim())),
        };
        let found =
            self.transport.send_ok(&what, &Request::get(format!("/3/suppliers?{query}"))).await?;
        let matches = |sup: &Value| match &s.org_nr {
            Some(org) => {
                sup["OrganisationNumber"].as_str().is_some_and(|o| digits(o) == digits(org))
            }
            None => {
                sup["Name"].as_str().is_some_and(|n| n.trim().eq_ignore_ascii_case(s.name.trim()))
            }
        };
        if let Some(number) = found["Suppliers"]
            .as_array()
            .and_then(|list| list.iter().find(|sup| matches(sup)))
            .and_then(|sup| text(&sup["SupplierNumber"]))
        {
            return Ok(number);
        }
        let created = self
            .transport
            .send_ok(&what, &Request::post("/3/suppliers", map::supplier(booking)))
            .await?;
        text(&created["Supplier"]["SupplierNumber"]).ok_or_else(|| Error::Remote {
            target: TARGET,
            invoice: what,
            status: 200,
            detail: "the created supplier has no SupplierNumber".into(),
        })
    }

    /// The `GivenNumber` of a supplier invoice of `supplier` with `number`
    /// that is not cancelled, if Fortnox has one.
    ///
    /// The list is narrowed the documented ways: the invoice date
    /// (`fromdate`/`todate`, when known) and every page followed (`limit`,
    /// `page`, `MetaInformation.@TotalPages`: Fortnox's "Parameters" and
    /// "Pagination" guides; the OpenAPI description declares only `filter`).
    /// A cancelled invoice (`Cancel: true` in the list) does not count.
    pub async fn find_invoice(
        &self,
        what: &str,
        supplier: &str,
        number: &str,
        date: Option<chrono::NaiveDate>,
    ) -> Result<Option<String>, Error> {
        let dates = date.map_or(String::new(), |d| format!("&fromdate={d}&todate={d}"));
        let mut page = 1u64;
        loop {
            let path = format!("/3/supplierinvoices?limit={PAGE_SIZE}&page={page}{dates}");
            let list = self.transport.send_ok(what, &Request::get(path)).await?;
            let found = list["SupplierInvoices"].as_array().and_then(|invoices| {
                invoices
                    .iter()
                    .filter(|i| !i["Cancel"].as_bool().unwrap_or(false))
                    .find(|i| {
                        text(&i["SupplierNumber"]).as_deref() == Some(supplier)
                            && i["InvoiceNumber"].as_str().map(str::trim) == Some(number.trim())
                    })
                    .and_then(|i| text(&i["GivenNumber"]))
            });
            if found.is_some() {
                return Ok(found);
            }
            let pages = list["MetaInformation"]["@TotalPages"].as_u64().unwrap_or(1);
            if page >= pages {
                return Ok(None);
            }
            page += 1;
        }
    }

    /// The invoice a credit invoice credits, when Fortnox has it (any date).
    async fn credited(&self, booking: &Booking, supplier: &str) -> Result<Option<String>, Error> {
        match &booking.credited_invoice {
            Some(number) => self.find_invoice(&booking.label(), supplier, number, None).await,
            None => Ok(None),
        }
    }

    /// Creates the invoice unless Fortnox has it. A create that fails
    /// without a clear answer (5xx, lost connection, a duplicate refused) is
    /// looked up again before it is retried, so it is never made twice.
    async fn create(&self, booking: &Booking, supplier: &str) -> Result<(String, bool), Error> {
        let credits = self.credited(booking, supplier).await?;
        let body = map::supplier_invoice(booking, supplier, credits.as_deref())?;
        let request = Request::post("/3/supplierinvoices", body);
        let (what, number) = (booking.label(), booking.invoice_number.as_str());
        let mut last = None;
        for _ in 0..3 {
            let existing =
                self.find_invoice(&what, supplier, number, Some(booking.invoice_date)).await?;
            if let Some(given) = existing {
                return Ok((given, false));
            }
            let reply = match self.transport.send(&booking.label(), &request).await {
                Ok(reply) => reply,
                Err(e @ Error::Transport { .. }) => {
                    last = Some(e);
                    continue;
                }
                Err(e) => return Err(e),
            };
            if reply.status.is_success() {
                return text(&reply.body["SupplierInvoice"]["GivenNumber"])
                    .map(|given| (given, true))
                    .ok_or_else(|| self.transport.refused(&booking.label(), &reply));
            }
            let error = self.transport.refused(&booking.label(), &reply);
            if !reply.status.is_server_error() && !is_duplicate(&reply.body) {
                return Err(error);
            }
            last = Some(error);
        }
        Err(last.unwrap_or_else(|| Error::Refused {
            target: TARGET,
            invoice: booking.label(),
            detail: "no answer to the create".into(),
        }))
    }

    /// Uploads the PDF to the inbox and connects it to the invoice.
    async fn attach(
        &self,
        booking: &Booking,
        given: &str,
        pdf: &std::path::Path,
    ) -> Result<(), Error> {
        let what = booking.label();
        let bytes = tokio::fs::read(pdf)
            .await
            .map_err(|source| Error::Io { path: pdf.to_path_buf(), cause: source })?;
        let name =
            pdf.file_name().map_or("invoice.pdf".into(), |n| n.to_string_lossy().into_owned());
        let upload = Request {
            method: reqwest::Method::POST,
            path: "/3/inbox?folderId=inbox_s".into(),
            body: Body::File { name, mime: "application/pdf", bytes: Arc::new(bytes) },
            idempotent: false,
        };
        let file = self.transport.send_ok(&what, &upload).await?;
        let file_id = text(&file["File"]["Id"]).ok_or_else(|| Error::Remote {
            target: TARGET,
            invoice: what.clone(),
            status: 201,
            detail: "the inbox upload returned no File.Id".into(),
        })?;
        let connection = json!({
            "SupplierInvoiceFileConnection": { "FileId": file_id, "SupplierInvoiceNumber": given }
        });
        self.transport
            .send_ok(&what, &Request::post("/3/supplierinvoicefileconnections", connection))
            .await?;
        Ok(())
    }
}

impl RemoteExporter for FortnoxClient {
    fn key(&self) -> &'static str {
        "fortnox"
    }

    async fn export(&self, job: &ExportJob) -> Result<Exported, Error> {
        let booking = &job.booking;
        map::supplier_invoice(booking, "0", None)?; // refuse unmappable invoices before any request
        let supplier = self.supplier_number(booking).await?;
        let (given, created) = self.create(booking, &supplier).await?;
        let attachment_error = match (&job.pdf, created) {
            (Some(pdf), true) => {
                self.attach(booking, &given, pdf).await.err().map(|e| e.to_string())
            }
            _ => None,
        };
        Ok(Exported { target_id: given, supplier_id: supplier, created, attachment_error })
    }
}

/// Supplier invoices per list page (Fortnox's maximum `limit`).
const PAGE_SIZE: u32 = 500;

/// Fortnox's answer to a supplier invoice it already has.
fn is_duplicate(body: &Value) -> bool {
    error_text(body).is_some_and(|t| t.contains("finns redan") || t.contains("already exists"))
}

/// A string or number field as text.
fn text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}
