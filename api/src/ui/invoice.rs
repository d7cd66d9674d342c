//! One invoice in the UI: its pages with every field's box, the fields as
//! a form (each edited in place, with its validator's reason beside it),
//! line items, the audit trail, approval and the next invoice.
//!
//! Saving goes through `routes::invoices::{validated_corrections,
//! store_corrections, approve}`, the API's own path: the same validators,
//! the same audit entries, the same supplier-memory learning.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use invex_domain::service::review::{check_value, failed_checks};
use invex_domain::service::{InvoiceStatus, Role};
use invex_domain::{Document, FieldName, Invoice, Value, ValueKind};
use serde::Deserialize;
use serde_json::Value as Json;

use super::queue::next_after;
use super::text::Lang;
use super::{Chrome, Signed, UiError, render};
use crate::routes::invoices::{
    approve, audit_read, get_file, load, store_corrections, validated_corrections,
};
use crate::routes::view::{corrected_invoice, timestamp};
use crate::state::SharedState;

/// The widths a page image is drawn at (others are rounded up to one of
/// these, so the cache holds few sizes).
const WIDTHS: [u32; 4] = [800, 1200, 1600, 2400];
/// Pages shown on the invoice page; the rest are in the original file.
const MAX_PAGES_SHOWN: usize = 20;

/// Where the page images of the file stored at `blob_key` are cached.
pub fn page_cache_prefix(blob_key: &str) -> String {
    format!("ui-pages/{blob_key}/")
}

pub struct FieldRow {
    pub name: &'static str,
    pub label: &'static str,
    pub value: String,
    pub is_bool: bool,
    pub input_type: &'static str,
    pub confidence: String,
    pub source: String,
    pub problem: Option<String>,
    pub page: u32,
    pub has_box: bool,
    pub corrected: bool,
}

pub struct BoxView {
    pub field: &'static str,
    pub label: &'static str,
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
}

pub struct PageView {
    pub number: u32,
    pub width: f32,
    pub height: f32,
    pub boxes: Vec<BoxView>,
}

pub struct LineRow {
    pub description: String,
    pub quantity: String,
    pub unit_price: String,
    pub vat_rate: String,
    pub amount: String,
    pub unsure: Option<String>,
}

pub struct AuditRow {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub detail: String,
}

#[derive(Template)]
#[template(path = "ui/invoice.html")]
struct InvoicePage {
    chrome: Chrome,
    id: String,
    file_name: String,
    status: &'static str,
    can_edit: bool,
    flash: Option<&'static str>,
    failed_save: bool,
    checks: Vec<String>,
    fields: Vec<FieldRow>,
    pages: Vec<PageView>,
    more_pages: usize,
    has_images: bool,
    lines: Vec<LineRow>,
    audit: Vec<AuditRow>,
    next: Option<String>,
}

/// A value as the form shows and takes it.
fn display(value: &Value) -> String {
    match value {
        Value::Text(t) => t.clone(),
        Value::Date(d) => d.to_string(),
        Value::Amount(a) => a.to_string(),
        Value::Bool(b) => b.to_string(),
    }
}

/// A source as the prediction JSON names it (`rules`, `e-invoice`, `human`, ...).
fn source_name(source: invex_domain::Source) -> String {
    serde_json::to_value(source)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn decimal(d: Option<rust_decimal::Decimal>) -> String {
    d.map(|d| d.normalize().to_string()).unwrap_or_default()
}

#[derive(Debug, Default, Deserialize)]
pub struct ViewQuery {
    saved: Option<String>,
    approved: Option<String>,
}

/// `GET /ui/invoices/{id}`.
pub async fn page(
    State(state): State<SharedState>,
    user: Signed,
    Path(id): Path<String>,
    Query(q): Query<ViewQuery>,
) -> Result<Response, UiError> {
    let t = user.lang.texts();
    let flash = if q.approved.is_some() {
        Some(t.approved)
    } else if q.saved.is_some() {
        Some(t.saved)
    } else {
        None
    };
    view(&state, &user, &id, flash, None).await.map_err(|e| e.in_lang(user.lang))
}

/// What a refused save sends back: the values as typed, and each field's problem.
struct Refused {
    typed: HashMap<String, String>,
    problems: HashMap<String, String>,
}

async fn view(
    state: &SharedState,
    user: &Signed,
    id: &str,
    flash: Option<&'static str>,
    refused: Option<Refused>,
) -> Result<Response, UiError> {
    let lang = user.lang;
    let caller = &user.caller;
    let record = load(state, caller, id).await?;
    let corrections = state.repo.corrections(&caller.tenant_id, id).await?;
    audit_read(state, caller, "read", id).await?;
    let invoice = corrected_invoice(&record, &corrections)?;
    let corrected: Vec<FieldName> = corrections.iter().map(|c| c.field).collect();
    let words: Option<Document> = state
        .repo
        .invoice_words(&caller.tenant_id, id)
        .await?
        .and_then(|json| serde_json::from_str(&json).ok());
    let processed = record.result.is_some();
    let fields = field_rows(lang, &invoice, &corrected, refused.as_ref());
    let (pages, more_pages) = page_views(lang, &invoice, words.as_ref());
    let audit = state
        .repo
        .invoice_audit(&caller.tenant_id, id, 200)
        .await?
        .into_iter()
        .map(|e| AuditRow {
            at: timestamp(e.at),
            actor: e.actor,
            action: e.action,
            detail: if e.detail.as_object().is_some_and(|o| o.is_empty()) {
                String::new()
            } else {
                e.detail.to_string()
            },
        })
        .collect();
    let lines = invoice
        .line_items
        .iter()
        .map(|l| LineRow {
            description: l.description.clone().unwrap_or_default(),
            quantity: decimal(l.quantity),
            unit_price: decimal(l.unit_price),
            vat_rate: decimal(l.vat_rate),
            amount: decimal(l.amount),
            unsure: l.unsure.clone(),
        })
        .collect();
    let mut checks = if processed { failed_checks(&invoice) } else { Vec::new() };
    if let Some(error) = &record.error {
        checks.insert(0, error.clone());
    }
    let can_edit = caller.role >= Role::Reviewer
        && !matches!(record.status, InvoiceStatus::Queued | InvoiceStatus::Processing);
    let next = if caller.role >= Role::Reviewer {
        next_after(state, &caller.tenant_id, id).await?
    } else {
        None
    };
    let page = InvoicePage {
        chrome: Chrome::new(user, "queue", record.file_name.clone()),
        id: record.id.clone(),
        file_name: record.file_name.clone(),
        status: lang.status(record.status.as_str()),
        can_edit,
        flash,
        failed_save: refused.is_some(),
        checks,
        fields,
        has_images: state.pages.is_some() && !pages.is_empty(),
        pages,
        more_pages,
        lines,
        audit,
        next,
    };
    let mut response = render(&page);
    if page.failed_save {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

fn field_rows(
    lang: Lang,
    invoice: &Invoice,
    corrected: &[FieldName],
    refused: Option<&Refused>,
) -> Vec<FieldRow> {
    FieldName::ALL
        .iter()
        .map(|&name| {
            let field = invoice.get(name);
            let key = name.as_str();
            let typed = refused.and_then(|r| r.typed.get(key));
            // The validator's reason for the stored value, or for what was just typed.
            let problem = refused.and_then(|r| r.problems.get(key).cloned()).or_else(|| {
                let field = field?;
                let shown = display(&field.value);
                check_value(name, &field.value)
                    .err()
                    .map(|why| format!("{}: {}", lang.field(name), lang.reason(name, &shown, &why)))
            });
            FieldRow {
                name: key,
                label: lang.field(name),
                value: typed
                    .cloned()
                    .unwrap_or_else(|| field.map(|f| display(&f.value)).unwrap_or_default()),
                is_bool: name.kind() == ValueKind::Bool,
                input_type: if name.kind() == ValueKind::Date { "date" } else { "text" },
                confidence: field
                    .map(|f| format!("{:.0} %", f.confidence * 100.0))
                    .unwrap_or_default(),
                source: field.map(|f| source_name(f.source)).unwrap_or_default(),
                problem,
                page: field.and_then(|f| f.page).unwrap_or(0),
                has_box: field.is_some_and(|f| f.bbox.is_some() && f.page.is_some()),
                corrected: corrected.contains(&name),
            }
        })
        .collect()
}

fn page_views(lang: Lang, invoice: &Invoice, words: Option<&Document>) -> (Vec<PageView>, usize) {
    let Some(words) = words else { return (Vec::new(), 0) };
    let pages = words
        .pages
        .iter()
        .take(MAX_PAGES_SHOWN)
        .filter(|p| p.width > 0.0 && p.height > 0.0)
        .map(|p| PageView {
            number: p.number,
            width: p.width,
            height: p.height,
            boxes: invoice
                .fields
                .iter()
                .filter_map(|(name, f)| {
                    let b = f.bbox?;
                    (f.page? == p.number).then(|| BoxView {
                        field: name.as_str(),
                        label: lang.field(*name),
                        x: b.x0,
                        y: b.y0,
                        w: (b.x1 - b.x0).max(1.0),
                        h: (b.y1 - b.y0).max(1.0),
                    })
                })
                .collect(),
        })
        .collect();
    (pages, words.pages.len().saturating_sub(MAX_PAGES_SHOWN))
}

/// The form's changes to `current`: each `f_<field>` whose text differs
/// from the field's value (emptied: removed). Unknown names are ignored.
fn changes(current: &Invoice, form: &[(String, String)]) -> BTreeMap<String, Json> {
    let mut out = BTreeMap::new();
    for (key, typed) in form {
        let Some(name) = key.strip_prefix("f_").and_then(FieldName::parse) else { continue };
        let typed = typed.trim();
        let now = current.get(name).map(|f| display(&f.value)).unwrap_or_default();
        if typed == now {
            continue;
        }
        let value = match (typed, name.kind()) {
            ("", _) => Json::Null,
            ("true", ValueKind::Bool) => Json::Bool(true),
            ("false", ValueKind::Bool) => Json::Bool(false),
            (s, _) => Json::String(s.to_string()),
        };
        out.insert(name.as_str().to_string(), value);
    }
    out
}

/// `POST /ui/invoices/{id}`: saves the changed fields, and approves when
/// the form's `action` is `approve`. A value that fails its validator saves
/// nothing and shows the page again with the reason beside the field.
pub async fn save(
    State(state): State<SharedState>,
    user: Signed,
    Path(id): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let value = |k: &str| form.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
    user.check_csrf(value("csrf").unwrap_or(""))?;
    user.require(Role::Reviewer)?;
    let lang = user.lang;
    let caller = &user.caller;
    let result: Result<Response, UiError> = async {
        let record = load(&state, caller, &id).await?;
        if matches!(record.status, InvoiceStatus::Queued | InvoiceStatus::Processing) {
            return Err(crate::error::ApiError::Conflict(format!(
                "the invoice is {}; correct it once it is processed",
                record.status
            ))
            .into());
        }
        let corrections = state.repo.corrections(&caller.tenant_id, &id).await?;
        let current = corrected_invoice(&record, &corrections)?;
        let changed = changes(&current, &form);
        match validated_corrections(&current, &id, &caller.key_id, &changed) {
            Err(problems) => {
                let problems = problems
                    .into_iter()
                    .map(|(name, why)| {
                        let message = match FieldName::parse(&name) {
                            Some(field) => {
                                let typed = value(&format!("f_{name}")).unwrap_or("").trim();
                                format!(
                                    "{}: {}",
                                    lang.field(field),
                                    lang.reason(field, typed, &why)
                                )
                            }
                            None => format!("{name}: {why}"),
                        };
                        (name, message)
                    })
                    .collect();
                let typed = form
                    .iter()
                    .filter_map(|(k, v)| Some((k.strip_prefix("f_")?.to_string(), v.clone())))
                    .collect();
                let refused = Refused { typed, problems };
                return view(&state, &user, &id, Some(lang.texts().not_saved), Some(refused)).await;
            }
            Ok(new) if !new.is_empty() => {
                store_corrections(&state, caller, record, corrections, new).await?;
            }
            Ok(_) => {}
        }
        if value("action") == Some("approve") {
            approve(&state, caller, &id).await?;
            let to = match next_after(&state, &caller.tenant_id, &id).await? {
                Some(next) => format!("/ui/invoices/{next}?approved=1"),
                None => "/ui/queue?approved=1".to_string(),
            };
            return Ok(Redirect::to(&to).into_response());
        }
        Ok(Redirect::to(&format!("/ui/invoices/{id}?saved=1")).into_response())
    }
    .await;
    result.map_err(|e| e.in_lang(lang))
}

#[derive(Debug, Default, Deserialize)]
pub struct ImageQuery {
    w: Option<u32>,
}

/// `GET /ui/invoices/{id}/pages/{page}`: the page as PNG, drawn once per
/// width and kept in the blob store beside the file (erased with it).
pub async fn page_image(
    State(state): State<SharedState>,
    user: Signed,
    Path((id, page)): Path<(String, u32)>,
    Query(q): Query<ImageQuery>,
) -> Result<Response, UiError> {
    let lang = user.lang;
    let inner = async {
        let record = load(&state, &user.caller, &id).await?;
        let renderer = state.pages.clone().ok_or(crate::error::ApiError::NotFound)?;
        // A file that crashed or hung the reader is not opened in this process.
        if record.result.is_none()
            || matches!(record.error_type.as_deref(), Some("reader_crashed" | "reader_timeout"))
        {
            return Err(crate::error::ApiError::NotFound.into());
        }
        let want = q.w.unwrap_or(1600);
        let width = WIDTHS.into_iter().find(|&w| w >= want).unwrap_or(WIDTHS[WIDTHS.len() - 1]);
        let key = format!("{}{page}-{width}.png", page_cache_prefix(&record.blob_key));
        let png = match state.blobs.get(&key).await {
            Ok(png) => png,
            Err(_) => {
                let bytes = state.blobs.get(&record.blob_key).await?;
                let png =
                    tokio::task::spawn_blocking(move || renderer.render_png(&bytes, page, width))
                        .await
                        .map_err(|e| {
                            crate::error::ApiError::Internal(format!("page image task: {e}"))
                        })?
                        .map_err(|e| {
                            tracing::info!(invoice = %id, page, error = %e, "no page image");
                            crate::error::ApiError::NotFound
                        })?;
                state.blobs.put(&key, &png).await?;
                png
            }
        };
        audit_read(&state, &user.caller, "read", &id).await?;
        Ok::<_, UiError>(
            (
                [
                    (header::CONTENT_TYPE, "image/png"),
                    (header::CACHE_CONTROL, "private, max-age=3600"),
                ],
                png,
            )
                .into_response(),
        )
    };
    inner.await.map_err(|e| e.in_lang(lang))
}

/// `GET /ui/invoices/{id}/file`: the original, as the API gives it.
pub async fn file(
    State(state): State<SharedState>,
    user: Signed,
    Path(id): Path<String>,
) -> Result<Response, UiError> {
    let lang = user.lang;
    get_file(State(state), user.caller, Path(id)).await.map_err(|e| UiError::from(e).in_lang(lang))
}

#[cfg(test)]
mod tests {
    use super::*;
    use invex_domain::{Field, Source};

    #[test]
    fn only_changed_fields_are_corrections_and_an_emptied_one_is_removed() {
        let mut invoice = Invoice::default();
        let field = |v: Value| Field {
            value: v,
            confidence: 0.5,
            page: Some(1),
            bbox: None,
            source: Source::Rules,
            xml_path: None,
        };
        invoice.set(FieldName::Bankgiro, field(Value::Text("5050-1055".into())));
        invoice.set(FieldName::InvoiceNumber, field(Value::Text("123".into())));
        invoice.set(FieldName::IsCreditNote, field(Value::Bool(false)));
        let form: Vec<(String, String)> = [
            ("csrf", "x"),
            ("f_bankgiro", "5050-1056"),
            ("f_invoice_number", " 123 "),
            ("f_is_credit_note", "true"),
            ("f_order_number", ""),
            ("f_currency", "SEK"),
            ("f_nonsense", "1"),
            ("f_iban", ""),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let got = changes(&invoice, &form);
        let want: BTreeMap<String, Json> = [
            ("bankgiro", Json::String("5050-1056".into())),
            ("is_credit_note", Json::Bool(true)),
            ("currency", Json::String("SEK".into())),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        assert_eq!(got, want);
        let form = vec![("f_invoice_number".to_string(), String::new())];
        assert_eq!(changes(&invoice, &form).get("invoice_number"), Some(&Json::Null));
    }
}
