//! `GET /ui/queue`: the review queue, in the order of `GET /v1/review` (each
//! supplier's most uncertain invoice first), narrowed by the same filters as
//! `GET /v1/invoices`. Another status than `needs_review` lists newest first.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use chrono::NaiveDate;
use invex_domain::parse::parse_amount;
use invex_domain::service::{InvoiceFilter, InvoiceRecord, InvoiceStatus, Role};
use rust_decimal::Decimal;
use serde::Deserialize;

use super::text::Lang;
use super::{Chrome, Signed, UiError, render};
use crate::state::SharedState;

/// The most rows one page shows.
pub const QUEUE_LIMIT: u32 = 500;

/// The filter form, as typed: empty inputs are no filter.
#[derive(Debug, Default, Deserialize, Clone)]
pub struct QueueForm {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub supplier: String,
    #[serde(default)]
    pub date_from: String,
    #[serde(default)]
    pub date_to: String,
    #[serde(default)]
    pub amount_min: String,
    #[serde(default)]
    pub amount_max: String,
    #[serde(default)]
    pub min_confidence: String,
    #[serde(default)]
    pub max_confidence: String,
    #[serde(default)]
    pub q: String,
}

/// One row of the table.
pub struct Row {
    pub id: String,
    pub file_name: String,
    pub supplier: String,
    pub number: String,
    pub date: String,
    pub total: String,
    pub confidence: String,
    pub failed_checks: u32,
    pub status: &'static str,
    pub uploaded: String,
}

#[derive(Template)]
#[template(path = "ui/queue.html")]
struct QueuePage {
    chrome: Chrome,
    form: QueueForm,
    /// (code, label, selected)
    statuses: Vec<(&'static str, &'static str, bool)>,
    rows: Vec<Row>,
    count: String,
    problems: Vec<String>,
}

impl QueueForm {
    /// The filter, and why an input is not understood (that input is then
    /// no filter; the others still apply).
    pub fn filter(&self) -> (InvoiceFilter, Vec<String>) {
        let mut problems = Vec::new();
        let mut parsed = |name: &str, raw: &str, ok: bool, what: &str| {
            if !ok && !raw.trim().is_empty() {
                problems.push(format!("{name}: {:?} is not {what}", raw.trim()));
            }
        };
        let date = |raw: &str| NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").ok();
        let amount = |raw: &str| {
            parse_amount(raw.trim()).filter(|a| a.abs() < Decimal::from(1_000_000_000_000_000i64))
        };
        let confidence = |raw: &str| {
            raw.trim().replace(',', ".").parse::<f64>().ok().filter(|c| (0.0..=1.0).contains(c))
        };
        let text = |raw: &str| Some(raw.trim().to_string()).filter(|s| !s.is_empty());
        let f = self;
        let (date_from, date_to) = (date(&f.date_from), date(&f.date_to));
        parsed("date_from", &f.date_from, date_from.is_some(), "a date (YYYY-MM-DD)");
        parsed("date_to", &f.date_to, date_to.is_some(), "a date (YYYY-MM-DD)");
        let (amount_min, amount_max) = (amount(&f.amount_min), amount(&f.amount_max));
        parsed("amount_min", &f.amount_min, amount_min.is_some(), "an amount");
        parsed("amount_max", &f.amount_max, amount_max.is_some(), "an amount");
        let (min_c, max_c) = (confidence(&f.min_confidence), confidence(&f.max_confidence));
        parsed("min_confidence", &f.min_confidence, min_c.is_some(), "a number from 0 to 1");
        parsed("max_confidence", &f.max_confidence, max_c.is_some(), "a number from 0 to 1");
        let status = match f.status.as_str() {
            "" => Some(InvoiceStatus::NeedsReview),
            "all" => None,
            s => {
                let status = InvoiceStatus::parse(s);
                parsed("status", s, status.is_some(), "a status");
                status.or(Some(InvoiceStatus::NeedsReview))
            }
        };
        let filter = InvoiceFilter {
            status,
            supplier: text(&f.supplier),
            date_from,
            date_to,
            amount_min,
            amount_max,
            min_confidence: min_c,
            max_confidence: max_c,
            text: text(&f.q),
            after: None,
            limit: QUEUE_LIMIT + 1,
        };
        (filter, problems)
    }
}

/// The invoices the form selects, in review order for `needs_review`
/// (uncertainty, round by round across suppliers), else newest first; and
/// whether there were more than [`QUEUE_LIMIT`].
pub async fn select(
    state: &SharedState,
    tenant_id: &str,
    filter: &InvoiceFilter,
) -> Result<(Vec<InvoiceRecord>, bool), UiError> {
    let mut rows = state.repo.invoices(tenant_id, filter).await?;
    let more = rows.len() > QUEUE_LIMIT as usize;
    rows.truncate(QUEUE_LIMIT as usize);
    if filter.status == Some(InvoiceStatus::NeedsReview) {
        let order: HashMap<String, usize> = state
            .repo
            .review_queue(tenant_id, QUEUE_LIMIT)
            .await?
            .into_iter()
            .enumerate()
            .map(|(i, r)| (r.id, i))
            .collect();
        // Rows past the queue's first page keep their place after it, newest first.
        rows.sort_by_key(|r| order.get(&r.id).copied().unwrap_or(usize::MAX));
    }
    Ok((rows, more))
}

/// The invoice to review after `current`: the first of the queue that is not it.
pub async fn next_after(
    state: &SharedState,
    tenant_id: &str,
    current: &str,
) -> Result<Option<String>, UiError> {
    let queue = state.repo.review_queue(tenant_id, 2).await?;
    Ok(queue.into_iter().map(|r| r.id).find(|id| id != current))
}

pub fn row(lang: Lang, r: &InvoiceRecord) -> Row {
    let s = &r.summary;
    Row {
        id: r.id.clone(),
        file_name: r.file_name.clone(),
        supplier: s.supplier_name.clone().unwrap_or_default(),
        number: s.invoice_number.clone().unwrap_or_default(),
        date: s.invoice_date.map(|d| d.to_string()).unwrap_or_default(),
        total: match (&s.total_amount, &s.currency) {
            (Some(a), Some(c)) => format!("{a} {c}"),
            (Some(a), None) => a.to_string(),
            _ => String::new(),
        },
        confidence: s.min_confidence.map(|c| format!("{:.0} %", c * 100.0)).unwrap_or_default(),
        failed_checks: s.failed_checks,
        status: lang.status(r.status.as_str()),
        uploaded: r.created_at.format("%Y-%m-%d %H:%M").to_string(),
    }
}

/// `GET /ui/queue`.
pub async fn page(
    State(state): State<SharedState>,
    user: Signed,
    Query(form): Query<QueueForm>,
) -> Result<Response, UiError> {
    user.require(Role::Reviewer)?;
    let (filter, problems) = form.filter();
    let (records, more) =
        select(&state, &user.caller.tenant_id, &filter).await.map_err(|e| e.in_lang(user.lang))?;
    let lang = user.lang;
    let rows: Vec<Row> = records.iter().map(|r| row(lang, r)).collect();
    let count = if more { format!("{}+", rows.len()) } else { rows.len().to_string() };
    let statuses = ["needs_review", "done", "failed", "queued", "processing", "all"]
        .into_iter()
        .map(|s| {
            let chosen = if form.status.is_empty() { "needs_review" } else { form.status.as_str() };
            (s, lang.status(s), s == chosen)
        })
        .collect();
    let page = QueuePage {
        chrome: Chrome::new(&user, "queue", lang.texts().queue_title),
        form,
        statuses,
        rows,
        count,
        problems,
    };
    Ok(render(&page))
}
