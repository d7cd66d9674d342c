//! `GET /ui/dashboard`: what the tenant's invoices did in a date range
//! (upload dates, inclusive). [`Stats::of`] is a pure function of the rows
//! the repository's `activity` returns; the charts are SVG drawn here.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use chrono::{Datelike, Duration, NaiveDate, TimeZone, Utc};
use invex_domain::FieldName;
use invex_domain::service::{ActivityRow, InvoiceStatus, Role};
use serde::Deserialize;

use super::text::Lang;
use super::{Chrome, Signed, UiError, render};
use crate::state::SharedState;

/// The longest range one page counts.
const MAX_DAYS: i64 = 366;

#[derive(Debug, Default, Deserialize)]
pub struct RangeForm {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

/// One field's accuracy over the reviewed invoices.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldAccuracy {
    pub field: FieldName,
    pub corrected: usize,
    pub accuracy: f64,
}

/// A supplier whose invoices people corrected.
#[derive(Debug, Clone, PartialEq)]
pub struct HotSpot {
    pub supplier: String,
    pub invoices: usize,
    pub corrections: usize,
    /// Its most corrected fields, most first.
    pub fields: Vec<FieldName>,
}

/// What the dashboard shows of a range.
#[derive(Debug, Clone, PartialEq)]
pub struct Stats {
    pub per_day: Vec<(NaiveDate, usize)>,
    pub uploaded: usize,
    /// Done, needing review, or failed.
    pub processed: usize,
    /// Done without a person: not approved by one, nothing corrected.
    pub automated: usize,
    pub reviewed: usize,
    pub accuracy: Vec<FieldAccuracy>,
    /// Upload to stored result, in seconds.
    pub p50_s: Option<f64>,
    pub p95_s: Option<f64>,
    pub hot_spots: Vec<HotSpot>,
}

/// The `q`-quantile (0..=1) of `sorted`, by the nearest rank.
fn quantile(sorted: &[f64], q: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (q * sorted.len() as f64).ceil().max(1.0) as usize;
    Some(sorted[rank.min(sorted.len()) - 1])
}

impl Stats {
    pub fn of(rows: &[ActivityRow], from: NaiveDate, to: NaiveDate) -> Stats {
        let mut days: BTreeMap<NaiveDate, usize> = BTreeMap::new();
        let mut day = from;
        while day <= to {
            days.insert(day, 0);
            day += Duration::days(1);
        }
        let mut processed = 0;
        let mut automated = 0;
        let mut reviewed = 0;
        let mut corrected_per_field: HashMap<FieldName, usize> = HashMap::new();
        let mut times = Vec::new();
        let mut suppliers: HashMap<String, (usize, HashMap<FieldName, usize>, usize)> =
            HashMap::new();
        for row in rows {
            *days.entry(row.created_at.date_naive()).or_default() += 1;
            let is_processed = matches!(
                row.status,
                InvoiceStatus::Done | InvoiceStatus::NeedsReview | InvoiceStatus::Failed
            );
            if is_processed {
                processed += 1;
            }
            if row.status == InvoiceStatus::Done
                && row.approved_at.is_none()
                && row.corrected_fields.is_empty()
            {
                automated += 1;
            }
            if row.approved_at.is_some() {
                reviewed += 1;
                let mut fields = row.corrected_fields.clone();
                fields.sort();
                fields.dedup();
                for f in fields {
                    *corrected_per_field.entry(f).or_default() += 1;
                }
            }
            if let Some(done) = row.processed_at {
                times.push((done - row.created_at).num_milliseconds().max(0) as f64 / 1000.0);
            }
            if !row.corrected_fields.is_empty() {
                let name = row.supplier_name.clone().unwrap_or_else(|| "?".into());
                let entry = suppliers.entry(name).or_default();
                entry.0 += 1;
                entry.2 += row.corrected_fields.len();
                for f in &row.corrected_fields {
                    *entry.1.entry(*f).or_default() += 1;
                }
            }
        }
        times.sort_by(f64::total_cmp);
        let mut accuracy: Vec<FieldAccuracy> = if reviewed == 0 {
            Vec::new()
        } else {
            FieldName::ALL
                .iter()
                .map(|&field| {
                    let corrected = corrected_per_field.get(&field).copied().unwrap_or(0);
                    FieldAccuracy {
                        field,
                        corrected,
                        accuracy: 1.0 - corrected as f64 / reviewed as f64,
                    }
                })
                .collect()
        };
        accuracy.sort_by(|a, b| a.accuracy.total_cmp(&b.accuracy).then(a.field.cmp(&b.field)));
        let mut hot_spots: Vec<HotSpot> = suppliers
            .into_iter()
            .map(|(supplier, (invoices, fields, corrections))| {
                let mut fields: Vec<(FieldName, usize)> = fields.into_iter().collect();
                fields.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
                HotSpot {
                    supplier,
                    invoices,
                    corrections,
                    fields: fields.into_iter().take(3).map(|(f, _)| f).collect(),
                }
            })
            .collect();
        hot_spots
            .sort_by(|a, b| b.corrections.cmp(&a.corrections).then(a.supplier.cmp(&b.supplier)));
        hot_spots.truncate(10);
        Stats {
            per_day: days.into_iter().collect(),
            uploaded: rows.len(),
            processed,
            automated,
            reviewed,
            accuracy,
            p50_s: quantile(&times, 0.5),
            p95_s: quantile(&times, 0.95),
            hot_spots,
        }
    }

    pub fn automation_rate(&self) -> Option<f64> {
        (self.processed > 0).then(|| self.automated as f64 / self.processed as f64)
    }
}

/// One bar of the per-day chart, in SVG user units.
pub struct Bar {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
    pub label: String,
}

/// Bars for `per_day` in a `width` × `height` chart.
fn bars(per_day: &[(NaiveDate, usize)], width: f64, height: f64) -> Vec<Bar> {
    let max = per_day.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1) as f64;
    let slot = width / per_day.len().max(1) as f64;
    per_day
        .iter()
        .enumerate()
        .map(|(i, (day, n))| {
            let h = (*n as f64 / max) * (height - 20.0);
            Bar {
                x: i as f64 * slot + slot * 0.1,
                y: height - h,
                w: (slot * 0.8).max(1.0),
                h,
                label: format!("{day}: {n}"),
            }
        })
        .collect()
}

pub struct AccuracyRow {
    pub label: &'static str,
    pub percent: String,
    pub value: f64,
    pub corrected: usize,
}

pub struct HotSpotRow {
    pub supplier: String,
    pub invoices: usize,
    pub corrections: usize,
    pub fields: String,
}

#[derive(Template)]
#[template(path = "ui/dashboard.html")]
struct DashboardPage {
    chrome: Chrome,
    from: String,
    to: String,
    problems: Vec<String>,
    uploaded: usize,
    reviewed: usize,
    automation: String,
    p50: String,
    p95: String,
    queue: String,
    bars: Vec<Bar>,
    chart_label: String,
    accuracy: Vec<AccuracyRow>,
    hot_spots: Vec<HotSpotRow>,
    llm_cost: String,
    llm_calls: u64,
}

fn seconds(s: Option<f64>) -> String {
    match s {
        None => "–".into(),
        Some(s) if s < 60.0 => format!("{s:.1} s"),
        Some(s) => format!("{:.1} min", s / 60.0),
    }
}

/// `GET /ui/dashboard?from=YYYY-MM-DD&to=YYYY-MM-DD` (default: the last 30 days).
pub async fn page(
    State(state): State<SharedState>,
    user: Signed,
    Query(form): Query<RangeForm>,
) -> Result<Response, UiError> {
    user.require(Role::Reviewer)?;
    let lang: Lang = user.lang;
    let t = lang.texts();
    let today = Utc::now().date_naive();
    let mut problems = Vec::new();
    let mut date = |name: &str, raw: &str, default: NaiveDate| {
        if raw.trim().is_empty() {
            return default;
        }
        NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").unwrap_or_else(|_| {
            problems.push(format!("{name}: {:?} is not a date (YYYY-MM-DD)", raw.trim()));
            default
        })
    };
    let to = date("to", &form.to, today);
    let mut from = date("from", &form.from, to - Duration::days(29));
    if from > to || (to - from).num_days() >= MAX_DAYS {
        problems.push(format!("the range is at most {MAX_DAYS} days, from before to"));
        from = to - Duration::days(29);
    }
    let start = Utc.from_utc_datetime(&from.and_hms_opt(0, 0, 0).unwrap_or_default());
    let end =
        Utc.from_utc_datetime(&(to + Duration::days(1)).and_hms_opt(0, 0, 0).unwrap_or_default());
    let tenant = &user.caller.tenant_id;
    let rows = state
        .repo
        .activity(tenant, start, end)
        .await
        .map_err(|e| UiError::from(e).in_lang(lang))?;
    let stats = Stats::of(&rows, from, to);
    // The tenant's invoices waiting for a worker now, whatever the range.
    let waiting = state.repo.waiting(tenant).await.map_err(|e| UiError::from(e).in_lang(lang))?;
    // Language-model spending of each month the range touches.
    let (mut cost, mut calls) = (0.0, 0);
    let mut month = NaiveDate::from_ymd_opt(from.year(), from.month(), 1).unwrap_or(from);
    while month <= to {
        let (usd, n) = state
            .repo
            .spent(tenant, &month.format("%Y-%m").to_string())
            .await
            .map_err(|e| UiError::from(e).in_lang(lang))?;
        cost += usd;
        calls += n;
        month = month.checked_add_months(chrono::Months::new(1)).unwrap_or(to + Duration::days(1));
    }
    let page = DashboardPage {
        chrome: Chrome::new(&user, "dashboard", t.dashboard_title),
        from: from.to_string(),
        to: to.to_string(),
        problems,
        uploaded: stats.uploaded,
        reviewed: stats.reviewed,
        automation: stats.automation_rate().map_or("–".into(), |r| format!("{:.0} %", r * 100.0)),
        p50: seconds(stats.p50_s),
        p95: seconds(stats.p95_s),
        queue: waiting.to_string(),
        bars: bars(&stats.per_day, 720.0, 160.0),
        chart_label: format!("{} {from} – {to}", t.invoices_per_day),
        accuracy: stats
            .accuracy
            .iter()
            .map(|a| AccuracyRow {
                label: lang.field(a.field),
                percent: format!("{:.0} %", a.accuracy * 100.0),
                value: a.accuracy,
                corrected: a.corrected,
            })
            .collect(),
        hot_spots: stats
            .hot_spots
            .iter()
            .map(|h| HotSpotRow {
                supplier: h.supplier.clone(),
                invoices: h.invoices,
                corrections: h.corrections,
                fields: h.fields.iter().map(|f| lang.field(*f)).collect::<Vec<_>>().join(", "),
            })
            .collect(),
        llm_cost: format!("{cost:.2} USD"),
        llm_calls: calls,
    };
    Ok(render(&page))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(
        day: u32,
        status: InvoiceStatus,
        approved: bool,
        fixed: &[FieldName],
        secs: i64,
    ) -> ActivityRow {
        let created = Utc.with_ymd_and_hms(2026, 3, day, 10, 0, 0).unwrap();
        ActivityRow {
            invoice_id: format!("{day}-{secs}"),
            created_at: created,
            status,
            processed_at: Some(created + Duration::seconds(secs)),
            approved_at: approved.then_some(created + Duration::hours(1)),
            supplier_name: Some(if fixed.is_empty() { "Good AB" } else { "Hard AB" }.into()),
            corrected_fields: fixed.to_vec(),
        }
    }

    #[test]
    fn the_dashboard_counts_what_people_did_and_did_not_do() {
        use FieldName::*;
        use InvoiceStatus::*;
        let rows = [
            row(1, Done, false, &[], 2),
            row(1, Done, false, &[], 4),
            row(2, Done, true, &[Bankgiro, Bankgiro, TotalAmount], 6),
            row(2, Done, true, &[], 8),
            row(3, NeedsReview, false, &[], 10),
            row(3, Failed, false, &[], 100),
        ];
        let from = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let to = NaiveDate::from_ymd_opt(2026, 3, 4).unwrap();
        let stats = Stats::of(&rows, from, to);
        let days: Vec<usize> = stats.per_day.iter().map(|(_, n)| *n).collect();
        assert_eq!(days, [2, 2, 2, 0]);
        assert_eq!(
            (stats.uploaded, stats.processed, stats.automated, stats.reviewed),
            (6, 6, 2, 2)
        );
        assert_eq!(stats.automation_rate(), Some(2.0 / 6.0));
        // Two reviewed invoices; the Bankgiro was corrected (twice) on one of them.
        let of = |f: FieldName| stats.accuracy.iter().find(|a| a.field == f).unwrap().accuracy;
        assert_eq!((of(Bankgiro), of(TotalAmount), of(InvoiceNumber)), (0.5, 0.5, 1.0));
        let worst: Vec<FieldName> = stats.accuracy[..2].iter().map(|a| a.field).collect();
        assert_eq!(worst, [TotalAmount, Bankgiro], "worst first, then in field order");
        assert_eq!((stats.p50_s, stats.p95_s), (Some(6.0), Some(100.0)));
        assert_eq!(stats.hot_spots.len(), 1);
        let hot = &stats.hot_spots[0];
        assert_eq!((hot.supplier.as_str(), hot.invoices, hot.corrections), ("Hard AB", 1, 3));
        assert_eq!(hot.fields, [Bankgiro, TotalAmount]);
    }

    #[test]
    fn an_empty_range_has_no_rates() {
        let day = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let stats = Stats::of(&[], day, day);
        assert_eq!(stats.automation_rate(), None);
        assert!(stats.accuracy.is_empty());
        assert_eq!((stats.p50_s, stats.p95_s), (None, None));
        assert_eq!(bars(&stats.per_day, 100.0, 50.0).len(), 1);
    }
}
