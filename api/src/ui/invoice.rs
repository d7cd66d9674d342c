//! One invoice in the UI: its pages with every field's box, the fields as
//! a form (each edited in place, with its validator's reason beside it),
//! line items, the audit trail, approval and the next invoice.
//!
//! Saving goes through `routes::invoices::{validated_corrections,
//! store_corrections, approve}`, the API's own path: the same validators,
//! the same audit entries, the same supplier-memory learning. The line
//! items are a second form (`POST /ui/invoices/{id}/lines`) that replaces
//! the whole list through `store_lines`, as `PUT /v1/invoices/{id}/lines`.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use invex_domain::service::Role;
use invex_domain::service::review::{
    check_value, failures, line_mismatches, parse_line_corrections,
};
use invex_domain::{Document, FieldName, Invoice, LineItem, LineKind, Value, ValueKind};
use serde::Deserialize;
use serde_json::Value as Json;

use super::queue::next_after;
use super::text::Lang;
use super::{Chrome, Signed, UiError, render};
use crate::routes::invoices::{
    approve, audit_read, edits, get_file, load, require_processed, store_corrections, store_lines,
    validated_corrections,
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

/// One row of the line-item form (`l{n}_description`, ...); a blank row
/// adds a line when it is filled in.
pub struct LineRow {
    pub n: usize,
    pub kind: &'static str,
    pub description: String,
    pub quantity: String,
    pub unit: String,
    pub unit_price: String,
    pub vat_rate: String,
    pub amount: String,
    pub unsure: Option<String>,
    pub problems: Vec<String>,
}

/// Blank rows under the lines, for adding lines.
const BLANK_LINE_ROWS: usize = 2;

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
    lines_failed: bool,
    lines_extracted: usize,
    lines_corrected: bool,
    audit: Vec<AuditRow>,
    next: Option<String>,
}

/// A value as the form shows and takes it.
pub(super) fn display(value: &Value) -> String {
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
    view(&state, &user, &id, flash, Refused::Nothing).await.map_err(|e| e.in_lang(user.lang))
}

/// What a refused save sends back: the values as typed, with the problems.
enum Refused {
    Nothing,
    /// Each field's typed value and problem, by field name.
    Fields {
        typed: HashMap<String, String>,
        problems: HashMap<String, String>,
    },
    /// The line rows as typed, each with its problems.
    Lines(Vec<LineRow>),
}

impl Refused {
    fn field_typed(&self, key: &str) -> Option<&String> {
        match self {
            Refused::Fields { typed, .. } => typed.get(key),
            _ => None,
        }
    }

    fn field_problem(&self, key: &str) -> Option<String> {
        match self {
            Refused::Fields { problems, .. } => problems.get(key).cloned(),
            _ => None,
        }
    }
}

async fn view(
    state: &SharedState,
    user: &Signed,
    id: &str,
    flash: Option<&'static str>,
    refused: Refused,
) -> Result<Response, UiError> {
    let lang = user.lang;
    let caller = &user.caller;
    let record = load(state, caller, id).await?;
    let edits = edits(state, &caller.tenant_id, id).await?;
    audit_read(state, caller, "read", id).await?;
    let invoice = corrected_invoice(&record, &edits)?;
    let corrected: Vec<FieldName> = edits.fields.iter().map(|c| c.field).collect();
    let words: Option<Document> = state
        .repo
        .invoice_words(&caller.tenant_id, id)
        .await?
        .and_then(|json| serde_json::from_str(&json).ok());
    let processed = record.result.is_some();
    let fields = field_rows(lang, &invoice, &corrected, &refused);
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
    let failed_save = !matches!(refused, Refused::Nothing);
    let lines_failed = matches!(refused, Refused::Lines(_));
    let can_edit = caller.role >= Role::Reviewer && require_processed(&record).is_ok();
    let lines = match refused {
        Refused::Lines(rows) => rows,
        _ => line_rows(lang, &invoice, if can_edit { BLANK_LINE_ROWS } else { 0 }),
    };
    let mut checks: Vec<String> = if processed {
        failures(&invoice).iter().map(|c| lang.check(c)).collect()
    } else {
        Vec::new()
    };
    if let Some(error) = &record.error {
        checks.insert(0, error.clone());
    }
    let extracted_lines =
        edits.lines.first().map_or(invoice.line_items.len(), |c| c.previous.len());
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
        failed_save,
        checks,
        fields,
        has_images: state.pages.is_some() && !pages.is_empty(),
        pages,
        more_pages,
        lines,
        lines_failed,
        lines_extracted: extracted_lines,
        lines_corrected: !edits.lines.is_empty(),
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
    refused: &Refused,
) -> Vec<FieldRow> {
    FieldName::ALL
        .iter()
        .map(|&name| {
            let field = invoice.get(name);
            let key = name.as_str();
            let typed = refused.field_typed(key);
            // The validator's reason for the stored value, or for what was just typed.
            let problem = refused.field_problem(key).or_else(|| {
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

/// The first value the form sent for `key`.
fn form_value<'a>(form: &'a [(String, String)], key: &str) -> Option<&'a str> {
    form.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
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
    let value = |k: &str| form_value(&form, k);
    user.check_csrf(value("csrf").unwrap_or(""))?;
    user.require(Role::Reviewer)?;
    let lang = user.lang;
    let caller = &user.caller;
    let result: Result<Response, UiError> = async {
        let record = load(&state, caller, &id).await?;
        require_processed(&record)?;
        let edits = edits(&state, &caller.tenant_id, &id).await?;
        let current = corrected_invoice(&record, &edits)?;
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
                let refused = Refused::Fields { typed, problems };
                return view(&state, &user, &id, Some(lang.texts().not_saved), refused).await;
            }
            Ok(new) if !new.is_empty() => {
                store_corrections(&state, caller, record, edits, new).await?;
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

/// The form rows of the invoice's lines, numbered from 1, then `blanks`
/// blank rows. A line is unsure when the lines of its VAT rate (or all the
/// lines) do not add up now, said in `lang`.
fn line_rows(lang: Lang, invoice: &Invoice, blanks: usize) -> Vec<LineRow> {
    let mismatches = line_mismatches(invoice);
    let unsure = |l: &LineItem| {
        mismatches.iter().find(|m| m.rate.is_none() || m.rate == l.vat_rate).map(|m| lang.lines(m))
    };
    let mut rows: Vec<LineRow> = invoice
        .line_items
        .iter()
        .enumerate()
        .map(|(i, l)| LineRow {
            n: i + 1,
            kind: kind_name(l.kind),
            description: l.description.clone().unwrap_or_default(),
            quantity: decimal(l.quantity),
            unit: l.unit.clone().unwrap_or_default(),
            unit_price: decimal(l.unit_price),
            vat_rate: decimal(l.vat_rate),
            amount: decimal(l.amount),
            unsure: unsure(l),
            problems: Vec::new(),
        })
        .collect();
    let first_blank = rows.len() + 1;
    rows.extend((first_blank..first_blank + blanks).map(blank_row));
    rows
}

fn blank_row(n: usize) -> LineRow {
    LineRow {
        n,
        kind: "item",
        description: String::new(),
        quantity: String::new(),
        unit: String::new(),
        unit_price: String::new(),
        vat_rate: String::new(),
        amount: String::new(),
        unsure: None,
        problems: Vec::new(),
    }
}

fn kind_name(kind: LineKind) -> &'static str {
    match kind {
        LineKind::Item => "item",
        LineKind::Allowance => "allowance",
        LineKind::Charge => "charge",
    }
}

/// The line rows the form sends, in row order: `l{n}_{column}` inputs, and
/// `l{n}_remove` to drop a row. Rows left blank are not lines.
fn typed_line_rows(form: &[(String, String)]) -> Vec<LineRow> {
    let mut rows: BTreeMap<usize, LineRow> = BTreeMap::new();
    let mut removed = Vec::new();
    for (key, value) in form {
        let Some((n, column)) = key.strip_prefix('l').and_then(|k| k.split_once('_')) else {
            continue;
        };
        let Ok(n) = n.parse::<usize>() else { continue };
        if n == 0 || n > 10_000 {
            continue;
        }
        let row = rows.entry(n).or_insert_with(|| blank_row(n));
        let value = value.trim().to_string();
        match column {
            "kind" => {
                row.kind = match value.as_str() {
                    "allowance" => "allowance",
                    "charge" => "charge",
                    _ => "item",
                }
            }
            "description" => row.description = value,
            "quantity" => row.quantity = value,
            "unit" => row.unit = value,
            "unit_price" => row.unit_price = value,
            "vat_rate" => row.vat_rate = value,
            "amount" => row.amount = value,
            "remove" => removed.push(n),
            _ => {}
        }
    }
    rows.into_values()
        .filter(|r| !removed.contains(&r.n))
        .filter(|r| {
            let typed =
                [&r.description, &r.quantity, &r.unit, &r.unit_price, &r.vat_rate, &r.amount];
            typed.iter().any(|t| !t.is_empty())
        })
        .collect()
}

/// A row as the JSON line the API takes.
fn row_json(row: &LineRow) -> Json {
    let mut o = serde_json::Map::new();
    let cells = [
        ("kind", row.kind),
        ("description", row.description.as_str()),
        ("quantity", row.quantity.as_str()),
        ("unit", row.unit.as_str()),
        ("unit_price", row.unit_price.as_str()),
        ("vat_rate", row.vat_rate.as_str()),
        ("amount", row.amount.as_str()),
    ];
    for (key, value) in cells {
        if !value.is_empty() {
            o.insert(key.into(), Json::String(value.to_string()));
        }
    }
    Json::Object(o)
}

/// What a person can change about a line; the rest (confidence, box,
/// source) is the extractor's.
fn line_content(l: &LineItem) -> impl PartialEq + use<'_> {
    (l.kind, &l.description, l.quantity, &l.unit, l.unit_price, l.vat_rate, l.amount)
}

/// `POST /ui/invoices/{id}/lines`: replaces the invoice's line items with
/// the form's rows. A row that is refused saves nothing and shows the form
/// again as typed, with the reasons beside the row.
pub async fn save_lines(
    State(state): State<SharedState>,
    user: Signed,
    Path(id): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    user.check_csrf(form_value(&form, "csrf").unwrap_or(""))?;
    user.require(Role::Reviewer)?;
    let lang = user.lang;
    let caller = &user.caller;
    let result: Result<Response, UiError> = async {
        let record = load(&state, caller, &id).await?;
        require_processed(&record)?;
        let edits = edits(&state, &caller.tenant_id, &id).await?;
        let mut rows = typed_line_rows(&form);
        let sent: Vec<Json> = rows.iter().map(row_json).collect();
        match parse_line_corrections(&sent) {
            Err(problems) => {
                for (i, problem) in problems {
                    if let Some(row) = rows.get_mut(i - 1) {
                        row.problems.push(lang.line_problem(&problem));
                    }
                }
                // Renumber so that the rows and the blank ones follow on.
                for (i, row) in rows.iter_mut().enumerate() {
                    row.n = i + 1;
                }
                let first_blank = rows.len() + 1;
                rows.extend((first_blank..first_blank + BLANK_LINE_ROWS).map(blank_row));
                let not_saved = Some(lang.texts().lines_not_saved);
                return view(&state, &user, &id, not_saved, Refused::Lines(rows)).await;
            }
            Ok(lines) => {
                let current = corrected_invoice(&record, &edits)?.line_items;
                let same = lines.len() == current.len()
                    && lines.iter().zip(&current).all(|(a, b)| line_content(a) == line_content(b));
                if !same {
                    store_lines(&state, caller, record, edits, lines).await?;
                }
            }
        }
        Ok(Redirect::to(&format!("/ui/invoices/{id}?saved=1#lines-title")).into_response())
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
