//! The Visma eEkonomi transport: suppliers looked up by organisationsnummer,
//! stored with or without its hyphen (created when missing, with the
//! company's 30-day terms of payment, its IBAN, BIC and country),
//! drafts and supplier invoices looked up by supplier and invoice number
//! before a draft is created, the PDF uploaded (`/v2/attachments`, base64)
//! and linked to the draft (`/v2/attachmentlinks`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use serde_json::{Value, json};
use tokio::sync::OnceCell;

use super::map::{self, TARGET};
use crate::http::{
    self, OAuthConfig, RateLimit, Request, RetryPolicy, Secret, TokenStore, Transport,
};
use crate::remote::{ExportJob, Exported, RemoteExporter};
use crate::{Booking, Error};

/// Where and how to reach Visma eEkonomi.
#[derive(Debug, Clone)]
pub struct VismaConfig {
    /// `https://eaccountingapi.vismaonline.com`.
    pub base_url: String,
    /// `https://identity.vismaonline.com/connect/token`.
    pub token_url: String,
    pub client_id: String,
    pub client_secret: Secret,
    pub refresh_token: Secret,
    pub rate_limit: RateLimit,
    pub retry: RetryPolicy,
    pub timeout: Duration,
}

impl VismaConfig {
    pub const BASE_URL: &str = "https://eaccountingapi.vismaonline.com";
    pub const TOKEN_URL: &str = "https://identity.vismaonline.com/connect/token";

    /// The production endpoints and the published limit (600 per minute).
    pub fn new(client_id: String, client_secret: Secret, refresh_token: Secret) -> VismaConfig {
        VismaConfig {
            base_url: Self::BASE_URL.into(),
            token_url: Self::TOKEN_URL.into(),
            client_id,
            client_secret,
            refresh_token,
            rate_limit: RateLimit::VISMA,
            retry: RetryPolicy::default(),
            timeout: Duration::from_secs(60),
        }
    }
}

/// eEkonomi's error text: `{"ErrorCode": ..., "DeveloperErrorMessage": ...}`.
fn error_text(body: &Value) -> Option<String> {
    let message = body.get("DeveloperErrorMessage")?.as_str()?;
    Some(match body.get("ErrorCode") {
        Some(code) => format!("{message} (ErrorCode {code})"),
        None => message.to_string(),
    })
}

/// Creates supplier invoice drafts in one eEkonomi company.
#[derive(Debug)]
pub struct VismaClient {
    transport: Transport,
    suppliers: Mutex<HashMap<String, Arc<OnceCell<String>>>>,
    terms: OnceCell<String>,
}

impl VismaClient {
    pub fn new(
        config: VismaConfig,
        store: Option<Arc<dyn TokenStore>>,
    ) -> Result<VismaClient, Error> {
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
        Ok(VismaClient { transport, suppliers: Mutex::new(HashMap::new()), terms: OnceCell::new() })
    }

    /// The terms of payment new suppliers get: 30 days, else the first listed.
    async fn terms_of_payment(&self, what: &str) -> Result<&str, Error> {
        let id = self
            .terms
            .get_or_try_init(|| async {
                let list =
                    self.transport.send_ok(what, &Request::get("/v2/termsofpayments")).await?;
                let terms = data(&list);
                terms
                    .iter()
                    .find(|t| t["NumberOfDays"].as_i64() == Some(30))
                    .or_else(|| terms.first())
                    .and_then(|t| t["Id"].as_str())
                    .map(str::to_string)
                    .ok_or_else(|| Error::Remote {
                        target: TARGET,
                        invoice: what.to_string(),
                        status: 200,
                        detail: "the company has no terms of payment to give a new supplier".into(),
                    })
            })
            .await?;
        Ok(id)
    }

    /// The supplier id, found by org nr (or name) or newly created.
    pub async fn supplier_id(&self, booking: &Booking) -> Result<String, Error> {
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
        // eEkonomi stores the org nr as typed: with or without the hyphen.
        let filter = match &s.org_nr {
            Some(org) => {
                let bare: String = org.chars().filter(char::is_ascii_digit).collect();
                format!(
                    "CorporateIdentityNumber eq {} or CorporateIdentityNumber eq {}",
                    literal(org),
                    literal(&bare)
                )
            }
            None => format!("Name eq {}", literal(s.name.trim())),
        };
        let path = format!("/v2/suppliers?$filter={}", http::encode(&filter));
        let found = self.transport.send_ok(&what, &Request::get(path)).await?;
        if let Some(id) = data(&found).first().and_then(|s| s["Id"].as_str()) {
            return Ok(id.to_string());
        }
        let terms = self.terms_of_payment(&what).await?.to_string();
        let body = map::supplier(booking, &terms);
        let created = self.transport.send_ok(&what, &Request::post("/v2/suppliers", body)).await?;
        created["Id"].as_str().map(str::to_string).ok_or_else(|| Error::Remote {
            target: TARGET,
            invoice: what,
            status: 201,
            detail: "the created supplier has no Id".into(),
        })
    }

    /// The id of a draft or supplier invoice with this supplier and number.
    pub async fn find_invoice(
        &self,
        booking: &Booking,
        supplier_id: &str,
    ) -> Result<Option<String>, Error> {
        let filter = format!(
            "SupplierId eq {supplier_id} and InvoiceNumber eq {}",
            literal(booking.invoice_number.trim())
        );
        for resource in ["supplierinvoicedrafts", "supplierinvoices"] {
            let path = format!("/v2/{resource}?$filter={}", http::encode(&filter));
            let list = self.transport.send_ok(&booking.label(), &Request::get(path)).await?;
            let found = data(&list).iter().find(|d| {
                d["SupplierId"].as_str() == Some(supplier_id)
                    && d["InvoiceNumber"].as_str().map(str::trim)
                        == Some(booking.invoice_number.trim())
            });
            if let Some(id) = found.and_then(|d| d["Id"].as_str()) {
                return Ok(Some(id.to_string()));
            }
        }
        Ok(None)
    }

    /// Creates the draft unless eEkonomi has the invoice; a create without a
    /// clear answer is looked up again before it is retried.
    async fn create(&self, booking: &Booking, supplier_id: &str) -> Result<(String, bool), Error> {
        let body = map::supplier_invoice_draft(booking, supplier_id)?;
        // eEkonomi derives each row's VAT code from its account.
        let request =
            Request::post("/v2/supplierinvoicedrafts?calculateVatOnCostAccounts=true", body);
        let mut last = None;
        for _ in 0..3 {
            if let Some(id) = self.find_invoice(booking, supplier_id).await? {
                return Ok((id, false));
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
                return reply.body["Id"]
                    .as_str()
                    .map(|id| (id.to_string(), true))
                    .ok_or_else(|| self.transport.refused(&booking.label(), &reply));
            }
            let error = self.transport.refused(&booking.label(), &reply);
            if !reply.status.is_server_error() {
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

    /// Uploads the PDF and links it to the draft (document type 4).
    async fn attach(
        &self,
        booking: &Booking,
        draft_id: &str,
        pdf: &std::path::Path,
    ) -> Result<(), Error> {
        let what = booking.label();
        let bytes = tokio::fs::read(pdf)
            .await
            .map_err(|source| Error::Io { path: pdf.to_path_buf(), cause: source })?;
        let name =
            pdf.file_name().map_or("invoice.pdf".into(), |n| n.to_string_lossy().into_owned());
        let upload = json!({
            "ContentType": "application/pdf",
            "FileName": name,
            "Data": base64::engine::general_purpose::STANDARD.encode(&bytes),
        });
        let attachment =
            self.transport.send_ok(&what, &Request::post("/v2/attachments", upload)).await?;
        let id = attachment["Id"].as_str().ok_or_else(|| Error::Remote {
            target: TARGET,
            invoice: what.clone(),
            status: 201,
            detail: "the attachment upload returned no Id".into(),
        })?;
        let link = json!({ "DocumentId": draft_id, "DocumentType": 4, "AttachmentIds": [id] });
        self.transport.send_ok(&what, &Request::post("/v2/attachmentlinks", link)).await?;
        Ok(())
    }
}

impl RemoteExporter for VismaClient {
    fn key(&self) -> &'static str {
        "visma"
    }

    async fn export(&self, job: &ExportJob) -> Result<Exported, Error> {
        let booking = &job.booking;
        map::supplier_invoice_draft(booking, "")?; // refuse unmappable invoices first
        let supplier = self.supplier_id(booking).await?;
        let (id, created) = self.create(booking, &supplier).await?;
        let attachment_error = match (&job.pdf, created) {
            (Some(pdf), true) => self.attach(booking, &id, pdf).await.err().map(|e| e.to_string()),
            _ => None,
        };
        Ok(Exported { target_id: id, supplier_id: supplier, created, attachment_error })
    }
}

/// The items of a list answer: `{"Meta": ..., "Data": [...]}` or a bare array.
fn data(list: &Value) -> &[Value] {
    list.get("Data").unwrap_or(list).as_array().map_or(&[], Vec::as_slice)
}

/// An OData string literal.
fn literal(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}
