//! Between records and columns: timestamps as epoch milliseconds, JSON and
//! decimals as text, and the decoding of each table's rows into records.

use chrono::{DateTime, NaiveDate, Utc};
use invex_domain::service::{
    ApiKey, AuditEntry, Correction, DeliveryLog, InvoiceRecord, InvoiceStatus, InvoiceSummary,
    LineCorrection, Role, StoreError, StoreResult, Tenant,
};
use invex_domain::{FieldName, LineItem};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde_json::Value as Json;
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::Query;
use sqlx::{Any, Row};

use super::db_error;

/// The columns [`invoice`] decodes, for `SELECT {INVOICE_COLUMNS} FROM invoices`.
pub(super) const INVOICE_COLUMNS: &str = "id, tenant_id, sha256, file_name, content_type, \
    size_bytes, blob_key, status, uploaded_by, created_at, updated_at, result, extractor, error, \
    error_type, supplier_name, invoice_number, invoice_date, total_amount, currency, \
    min_confidence, failed_checks, search_text, approved_by, approved_at, model_version";

/// `SET` assignments for the summary, with placeholders `$N..$N+9`, in the
/// order [`bind_summary`] binds them.
pub(super) fn summary_assignments(first: usize) -> String {
    let columns = [
        "supplier_name",
        "supplier_search",
        "invoice_number",
        "invoice_date",
        "total_amount",
        "total_minor",
        "currency",
        "min_confidence",
        "failed_checks",
        "search_text",
    ];
    let parts: Vec<String> = columns
        .iter()
        .enumerate()
        .map(|(i, &c)| match c {
            // Bound as text and cast here: sqlx's Any driver declares a NULL
            // DOUBLE PRECISION parameter as float4 on PostgreSQL, so a prepared
            // statement first run with NULL refuses a later 8-byte double
            // ("incorrect binary data format in bind parameter").
            "min_confidence" => format!("{c} = CAST(${} AS DOUBLE PRECISION)", first + i),
            _ => format!("{c} = ${}", first + i),
        })
        .collect();
    parts.join(", ")
}

/// Binds the summary's columns in the order of [`summary_assignments`].
pub(super) fn bind_summary<'q>(
    query: Query<'q, Any, AnyArguments>,
    s: &InvoiceSummary,
) -> Query<'q, Any, AnyArguments> {
    query
        .bind(s.supplier_name.clone())
        .bind(s.supplier_name.as_deref().map(str::to_lowercase))
        .bind(s.invoice_number.clone())
        .bind(s.invoice_date.map(|d| d.to_string()))
        .bind(s.total_amount.map(|a| a.to_string()))
        .bind(s.total_amount.map(|a| minor_units(a, Round::Nearest)))
        .bind(s.currency.clone())
        .bind(s.min_confidence.map(|c| c.to_string()))
        .bind(s.failed_checks as i64)
        .bind(s.search_text.clone())
}

pub(super) enum Round {
    Nearest,
    Up,
    Down,
}

/// An amount in minor units (öre), the column amounts are filtered on.
pub(super) fn minor_units(amount: Decimal, round: Round) -> i64 {
    let saturated = if amount.is_sign_negative() { i64::MIN } else { i64::MAX };
    let Some(cents) = amount.checked_mul(Decimal::ONE_HUNDRED) else { return saturated };
    let rounded = match round {
        Round::Nearest => cents.round(),
        Round::Up => cents.ceil(),
        Round::Down => cents.floor(),
    };
    rounded.to_i64().unwrap_or(saturated)
}

pub(super) fn millis(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

pub(super) fn from_millis(ms: i64) -> StoreResult<DateTime<Utc>> {
    DateTime::from_timestamp_millis(ms)
        .ok_or_else(|| StoreError::Backend(format!("timestamp {ms} ms is out of range")))
}

/// A column of `row`, with a decoding failure as a backend error.
pub(super) fn get<T>(row: &AnyRow, column: &str) -> StoreResult<T>
where
    T: for<'r> sqlx::Decode<'r, Any> + sqlx::Type<Any>,
{
    row.try_get(column).map_err(db_error)
}

pub(super) fn get_time(row: &AnyRow, column: &str) -> StoreResult<DateTime<Utc>> {
    from_millis(get(row, column)?)
}

pub(super) fn get_opt_time(row: &AnyRow, column: &str) -> StoreResult<Option<DateTime<Utc>>> {
    get::<Option<i64>>(row, column)?.map(from_millis).transpose()
}

fn get_u32(row: &AnyRow, column: &str) -> StoreResult<u32> {
    let n: i64 = get(row, column)?;
    u32::try_from(n).map_err(|_| corrupt(column, &n.to_string()))
}

fn get_json(row: &AnyRow, column: &str) -> StoreResult<Option<Json>> {
    match get::<Option<String>>(row, column)? {
        Some(text) => serde_json::from_str(&text).map(Some).map_err(|_| corrupt(column, &text)),
        None => Ok(None),
    }
}

pub(super) fn corrupt(column: &str, value: &str) -> StoreError {
    let shown: String = value.chars().take(80).collect();
    tracing::error!(column, value = %shown, "undecodable value in the database");
    StoreError::Backend(format!("column {column} holds an undecodable value {shown:?}"))
}

pub(super) fn status(text: &str) -> StoreResult<InvoiceStatus> {
    InvoiceStatus::parse(text).ok_or_else(|| corrupt("status", text))
}

pub(super) fn tenant(row: &AnyRow) -> StoreResult<Tenant> {
    Ok(Tenant {
        id: get(row, "id")?,
        name: get(row, "name")?,
        retention_days: get::<Option<i64>>(row, "retention_days")?
            .map(|d| u32::try_from(d).map_err(|_| corrupt("retention_days", &d.to_string())))
            .transpose()?,
        created_at: get_time(row, "created_at")?,
    })
}

pub(super) fn api_key(row: &AnyRow) -> StoreResult<ApiKey> {
    let role: String = get(row, "role")?;
    Ok(ApiKey {
        id: get(row, "id")?,
        tenant_id: get(row, "tenant_id")?,
        role: Role::parse(&role).ok_or_else(|| corrupt("role", &role))?,
        name: get(row, "name")?,
        secret_hash: get(row, "secret_hash")?,
        created_at: get_time(row, "created_at")?,
        revoked_at: get_opt_time(row, "revoked_at")?,
    })
}

/// An invoice row selected with [`INVOICE_COLUMNS`].
pub(super) fn invoice(row: &AnyRow) -> StoreResult<InvoiceRecord> {
    let size: i64 = get(row, "size_bytes")?;
    let date = get::<Option<String>>(row, "invoice_date")?
        .map(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").map_err(|_| corrupt("invoice_date", &d)))
        .transpose()?;
    let total = get::<Option<String>>(row, "total_amount")?
        .map(|a| a.parse::<Decimal>().map_err(|_| corrupt("total_amount", &a)))
        .transpose()?;
    Ok(InvoiceRecord {
        id: get(row, "id")?,
        tenant_id: get(row, "tenant_id")?,
        sha256: get(row, "sha256")?,
        file_name: get(row, "file_name")?,
        content_type: get(row, "content_type")?,
        size_bytes: u64::try_from(size).map_err(|_| corrupt("size_bytes", &size.to_string()))?,
        blob_key: get(row, "blob_key")?,
        status: status(&get::<String>(row, "status")?)?,
        uploaded_by: get(row, "uploaded_by")?,
        created_at: get_time(row, "created_at")?,
        updated_at: get_time(row, "updated_at")?,
        result: get_json(row, "result")?,
        extractor: get(row, "extractor")?,
        error: get(row, "error")?,
        error_type: get(row, "error_type")?,
        summary: InvoiceSummary {
            supplier_name: get(row, "supplier_name")?,
            invoice_number: get(row, "invoice_number")?,
            invoice_date: date,
            total_amount: total,
            currency: get(row, "currency")?,
            min_confidence: get(row, "min_confidence")?,
            failed_checks: get_u32(row, "failed_checks")?,
            search_text: get(row, "search_text")?,
        },
        model_version: get(row, "model_version")?,
        approved_by: get(row, "approved_by")?,
        approved_at: get_opt_time(row, "approved_at")?,
    })
}

pub(super) fn correction(row: &AnyRow) -> StoreResult<Correction> {
    let field: String = get(row, "field")?;
    Ok(Correction {
        id: get(row, "id")?,
        invoice_id: get(row, "invoice_id")?,
        field: FieldName::parse(&field).ok_or_else(|| corrupt("field", &field))?,
        previous: get_json(row, "previous")?,
        value: get_json(row, "value")?.unwrap_or(Json::Null),
        corrected_by: get(row, "corrected_by")?,
        corrected_at: get_time(row, "corrected_at")?,
    })
}

pub(super) fn delivery_log(row: &AnyRow) -> StoreResult<DeliveryLog> {
    let code = get::<Option<i64>>(row, "last_status_code")?
        .map(|c| u16::try_from(c).map_err(|_| corrupt("last_status_code", &c.to_string())))
        .transpose()?;
    Ok(DeliveryLog {
        id: get(row, "id")?,
        event: get(row, "event")?,
        state: get(row, "state")?,
        attempts: get_u32(row, "attempts")?,
        last_status_code: code,
        last_error: get(row, "last_error")?,
        created_at: get_time(row, "created_at")?,
        updated_at: get_time(row, "updated_at")?,
    })
}

pub(super) fn audit_entry(row: &AnyRow) -> StoreResult<AuditEntry> {
    Ok(AuditEntry {
        id: get(row, "id")?,
        tenant_id: get(row, "tenant_id")?,
        actor: get(row, "actor")?,
        action: get(row, "action")?,
        invoice_id: get(row, "invoice_id")?,
        detail: get_json(row, "detail")?.unwrap_or(Json::Null),
        at: get_time(row, "at")?,
    })
}

/// Attempts as stored (BIGINT) to the records' `u32`.
pub(super) fn attempts(row: &AnyRow) -> StoreResult<u32> {
    get_u32(row, "attempts")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minor_units_saturate_instead_of_overflowing() {
        let table = [
            (Decimal::new(12345, 2), Round::Nearest, 12345),
            (Decimal::new(12345, 3), Round::Up, 1235),
            (Decimal::new(12345, 3), Round::Down, 1234),
            (Decimal::MAX, Round::Up, i64::MAX),
            (Decimal::MIN, Round::Down, i64::MIN),
            (Decimal::from(i64::MAX), Round::Nearest, i64::MAX),
        ];
        for (amount, round, want) in table {
            assert_eq!(minor_units(amount, round), want, "{amount}");
        }
    }
}

pub(super) fn line_correction(row: &AnyRow) -> StoreResult<LineCorrection> {
    let lines = |column: &str| -> StoreResult<Vec<LineItem>> {
        let text: String = get(row, column)?;
        serde_json::from_str(&text).map_err(|_| corrupt(column, &text))
    };
    Ok(LineCorrection {
        id: get(row, "id")?,
        invoice_id: get(row, "invoice_id")?,
        lines: lines("lines")?,
        previous: lines("previous")?,
        corrected_by: get(row, "corrected_by")?,
        corrected_at: get_time(row, "corrected_at")?,
    })
}
