//! The JSON an invoice is shown as: the extraction with corrections applied,
//! each corrected field keeping what the extractor said under `extracted`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, SecondsFormat, Utc};
use invex_domain::service::review::{apply_corrections, apply_line_corrections, failed_checks};
use invex_domain::service::{Correction, InvoiceRecord, LineCorrection, PageCursor};
use invex_domain::{Invoice, Prediction};
use serde_json::{Map, Value as Json, json};

use crate::error::ApiError;

pub fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// The extracted invoice of a record (empty while queued or when it failed).
pub fn extracted_invoice(record: &InvoiceRecord) -> Result<Prediction, ApiError> {
    match &record.result {
        Some(json) => Prediction::from_json(json).map_err(|e| {
            ApiError::Internal(format!("stored result of {} is malformed: {e}", record.id))
        }),
        None => Ok(Prediction::ok(record.file_name.clone(), Invoice::default(), 0)),
    }
}

/// What reviewers changed on an invoice, oldest first: field corrections
/// and line-item lists (the newest list replaces the extracted lines).
#[derive(Debug, Clone, Default)]
pub struct Edits {
    pub fields: Vec<Correction>,
    pub lines: Vec<LineCorrection>,
}

impl Edits {
    /// Applies the edits to the extracted `invoice`.
    pub fn apply(&self, invoice: &mut Invoice) {
        apply_corrections(invoice, &self.fields);
        apply_line_corrections(invoice, &self.lines);
    }
}

/// The extraction with the reviewers' `edits` applied.
pub fn corrected_invoice(record: &InvoiceRecord, edits: &Edits) -> Result<Invoice, ApiError> {
    let mut invoice = extracted_invoice(record)?.invoice;
    edits.apply(&mut invoice);
    Ok(invoice)
}

/// `GET /v1/invoices/{id}`.
pub fn invoice_view(record: &InvoiceRecord, edits: &Edits) -> Result<Json, ApiError> {
    let extracted = extracted_invoice(record)?;
    let mut corrected = extracted.clone();
    edits.apply(&mut corrected.invoice);
    let extracted_json = extracted.to_json();
    let mut body = corrected.to_json();
    let fields = body.get_mut("fields").and_then(Json::as_object_mut);
    if let Some(fields) = fields {
        for c in &edits.fields {
            let name = c.field.as_str();
            if let Some(Json::Object(field)) = fields.get_mut(name) {
                field.insert(
                    "extracted".into(),
                    extracted_json["fields"].get(name).cloned().unwrap_or(Json::Null),
                );
            }
        }
    }
    let mut out = Map::new();
    out.insert("id".into(), json!(record.id));
    out.insert("status".into(), json!(record.status));
    out.insert("file_name".into(), json!(record.file_name));
    out.insert("content_type".into(), json!(record.content_type));
    out.insert("size_bytes".into(), json!(record.size_bytes));
    out.insert("sha256".into(), json!(record.sha256));
    out.insert("uploaded_at".into(), json!(timestamp(record.created_at)));
    out.insert("updated_at".into(), json!(timestamp(record.updated_at)));
    out.insert("extractor".into(), json!(record.extractor));
    out.insert("model_version".into(), json!(record.model_version));
    out.insert("error".into(), json!(record.error));
    out.insert("error_type".into(), json!(record.error_type));
    out.insert("pages".into(), body["pages"].clone());
    out.insert("fields".into(), body["fields"].take());
    out.insert("vat_breakdown".into(), body["vat_breakdown"].take());
    out.insert("line_items".into(), body["line_items"].take());
    if !edits.lines.is_empty() {
        // A reviewer replaced the lines: what the extractor read stays visible.
        out.insert("extracted_line_items".into(), extracted_json["line_items"].clone());
    }
    out.insert("e_invoice".into(), body.get_mut("e_invoice").map_or(Json::Null, Json::take));
    // What the language-model fallback did: why it was asked, the outcome,
    // the values it refused and the tokens and cost of the invoice.
    out.insert("llm".into(), body.get_mut("llm").map_or(Json::Null, Json::take));
    let checks =
        if record.result.is_some() { failed_checks(&corrected.invoice) } else { Vec::new() };
    out.insert("checks_failed".into(), json!(checks));
    out.insert("min_confidence".into(), json!(record.summary.min_confidence));
    out.insert(
        "corrections".into(),
        json!(edits.fields.iter().map(correction_view).collect::<Vec<_>>()),
    );
    // Each line correction: who replaced the lines and when, with the count
    // before and after (the lines themselves are in `line_items`).
    let line_corrections: Vec<Json> = edits
        .lines
        .iter()
        .map(|c| {
            json!({"lines": c.lines.len(), "previous_lines": c.previous.len(),
                   "corrected_by": c.corrected_by, "corrected_at": timestamp(c.corrected_at)})
        })
        .collect();
    out.insert("line_corrections".into(), json!(line_corrections));
    out.insert("approved_by".into(), json!(record.approved_by));
    out.insert("approved_at".into(), json!(record.approved_at.map(timestamp)));
    Ok(Json::Object(out))
}

pub fn correction_view(c: &Correction) -> Json {
    json!({
        "field": c.field,
        "previous": c.previous,
        "value": c.value,
        "corrected_by": c.corrected_by,
        "corrected_at": timestamp(c.corrected_at),
    })
}

/// One row of `GET /v1/invoices` and `GET /v1/review`.
pub fn summary_view(record: &InvoiceRecord) -> Json {
    let s = &record.summary;
    json!({
        "id": record.id,
        "status": record.status,
        "file_name": record.file_name,
        "uploaded_at": timestamp(record.created_at),
        "supplier_name": s.supplier_name,
        "invoice_number": s.invoice_number,
        "invoice_date": s.invoice_date.map(|d| d.to_string()),
        "total_amount": s.total_amount.map(|a| a.to_string()),
        "currency": s.currency,
        "min_confidence": s.min_confidence,
        "failed_checks": s.failed_checks,
        "error": record.error,
    })
}

/// Opaque page cursors: base64url of `<created_at millis>:<id>`.
pub fn encode_cursor(record: &InvoiceRecord) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}:{}", record.created_at.timestamp_millis(), record.id))
}

pub fn decode_cursor(cursor: &str) -> Result<PageCursor, ApiError> {
    let bad = || {
        ApiError::BadRequest(
            "invalid cursor: pass back the next_cursor of the previous page".into(),
        )
    };
    let raw = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| bad())?;
    let text = String::from_utf8(raw).map_err(|_| bad())?;
    let (millis, id) = text.split_once(':').ok_or_else(bad)?;
    let millis: i64 = millis.parse().map_err(|_| bad())?;
    let created_at = DateTime::from_timestamp_millis(millis).ok_or_else(bad)?;
    Ok(PageCursor { created_at, id: id.to_string() })
}
