//! The supplier memory's suppliers: one row per supplier (memory as JSON),
//! its keys in `supplier_keys`, and the invoices it learned from in
//! `supplier_sources`, so that erasing an invoice erases what was learned
//! from it.

use async_trait::async_trait;
use invex_domain::memory::SupplierKey;
use invex_domain::service::{StoreError, StoreResult, SupplierRecord, SupplierStore};
use sqlx::any::AnyRow;
use sqlx::{Any, Transaction};

use super::rows::{get, get_time, millis};
use super::{SqlRepository, db_error};

const COLUMNS: &str = "id, tenant_id, name, keys, memory, version, created_at, updated_at";

fn supplier(row: &AnyRow) -> StoreResult<SupplierRecord> {
    let json = |column: &str| -> StoreResult<String> { get(row, column) };
    let decode = |column: &str, text: String| {
        StoreError::Backend(format!(
            "column {column} holds undecodable JSON ({} bytes)",
            text.len()
        ))
    };
    let keys = json("keys")?;
    let memory = json("memory")?;
    Ok(SupplierRecord {
        id: get(row, "id")?,
        tenant_id: get(row, "tenant_id")?,
        name: get(row, "name")?,
        keys: serde_json::from_str(&keys).map_err(|_| decode("keys", keys))?,
        memory: serde_json::from_str(&memory).map_err(|_| decode("memory", memory))?,
        version: get(row, "version")?,
        created_at: get_time(row, "created_at")?,
        updated_at: get_time(row, "updated_at")?,
    })
}

fn encoding(e: serde_json::Error) -> StoreError {
    StoreError::Backend(format!("encoding JSON: {e}"))
}

/// Deletes the suppliers whose memory was learned from `invoice_id`, inside
/// the invoice's erasure.
pub(super) async fn forget_learned_from(
    tx: &mut Transaction<'static, Any>,
    tenant_id: &str,
    invoice_id: &str,
) -> StoreResult<()> {
    let learned = sqlx::query(
        "SELECT s.id FROM suppliers s JOIN supplier_sources src ON src.supplier_id = s.id \
         WHERE s.tenant_id = $1 AND src.invoice_id = $2",
    )
    .bind(tenant_id)
    .bind(invoice_id)
    .fetch_all(&mut **tx)
    .await
    .map_err(db_error)?;
    for row in learned {
        let id: String = get(&row, "id")?;
        delete_rows(tx, tenant_id, &id).await?;
        tracing::info!(tenant = %tenant_id, supplier = %id, invoice = %invoice_id, "supplier memory erased with an invoice it learned from");
    }
    Ok(())
}

async fn delete_rows(
    tx: &mut Transaction<'static, Any>,
    tenant_id: &str,
    id: &str,
) -> StoreResult<bool> {
    for sql in [
        "DELETE FROM supplier_sources WHERE supplier_id = $2 \
         AND EXISTS (SELECT 1 FROM suppliers WHERE id = $2 AND tenant_id = $1)",
        "DELETE FROM supplier_keys WHERE tenant_id = $1 AND supplier_id = $2",
    ] {
        sqlx::query(sql).bind(tenant_id).bind(id).execute(&mut **tx).await.map_err(db_error)?;
    }
    let done = sqlx::query("DELETE FROM suppliers WHERE tenant_id = $1 AND id = $2")
        .bind(tenant_id)
        .bind(id)
        .execute(&mut **tx)
        .await
        .map_err(db_error)?;
    Ok(done.rows_affected() > 0)
}

#[async_trait]
impl SupplierStore for SqlRepository {
    async fn find_supplier(
        &self,
        tenant_id: &str,
        keys: &[SupplierKey],
    ) -> StoreResult<Option<SupplierRecord>> {
        if keys.is_empty() {
            return Ok(None);
        }
        // One query for every key; the strongest key found names the supplier.
        let wanted: Vec<String> = keys.iter().map(SupplierKey::as_key).collect();
        let placeholders: Vec<String> = (2..wanted.len() + 2).map(|n| format!("${n}")).collect();
        let sql = format!(
            "SELECT key, supplier_id FROM supplier_keys WHERE tenant_id = $1 AND key IN ({})",
            placeholders.join(", ")
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(tenant_id);
        for key in &wanted {
            query = query.bind(key);
        }
        let found = query.fetch_all(&self.pool).await.map_err(db_error)?;
        let mut best: Option<(usize, String)> = None;
        for row in &found {
            let key: String = get(row, "key")?;
            let rank = wanted.iter().position(|k| *k == key).unwrap_or(usize::MAX);
            if best.as_ref().is_none_or(|(r, _)| rank < *r) {
                best = Some((rank, get(row, "supplier_id")?));
            }
        }
        match best {
            Some((_, id)) => self.supplier(tenant_id, &id).await,
            None => Ok(None),
        }
    }

    async fn save_supplier(
        &self,
        record: &SupplierRecord,
        learned_from: Option<&str>,
    ) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let keys = serde_json::to_string(&record.keys).map_err(encoding)?;
        let memory = serde_json::to_string(&record.memory).map_err(encoding)?;
        let written = if record.version == 0 {
            sqlx::query(
                "INSERT INTO suppliers (id, tenant_id, name, keys, memory, version, created_at, \
                 updated_at) VALUES ($1, $2, $3, $4, $5, 1, $6, $7) ON CONFLICT (id) DO NOTHING",
            )
            .bind(&record.id)
            .bind(&record.tenant_id)
            .bind(record.name.as_deref())
            .bind(&keys)
            .bind(&memory)
            .bind(millis(record.created_at))
            .bind(millis(record.updated_at))
            .execute(&mut *tx)
            .await
        } else {
            sqlx::query(
                "UPDATE suppliers SET name = $1, keys = $2, memory = $3, version = version + 1, \
                 updated_at = $4 WHERE id = $5 AND tenant_id = $6 AND version = $7",
            )
            .bind(record.name.as_deref())
            .bind(&keys)
            .bind(&memory)
            .bind(millis(record.updated_at))
            .bind(&record.id)
            .bind(&record.tenant_id)
            .bind(record.version)
            .execute(&mut *tx)
            .await
        }
        .map_err(db_error)?;
        if written.rows_affected() == 0 {
            return Err(StoreError::Conflict(format!(
                "supplier {} changed since it was read (version {})",
                record.id, record.version
            )));
        }
        for key in &record.keys {
            sqlx::query(
                "INSERT INTO supplier_keys (tenant_id, key, supplier_id) VALUES ($1, $2, $3) \
                 ON CONFLICT (tenant_id, key) DO NOTHING",
            )
            .bind(&record.tenant_id)
            .bind(key.as_key())
            .bind(&record.id)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        }
        if record.version == 0 && !record.keys.is_empty() {
            let owned = sqlx::query(
                "SELECT COUNT(*) AS n FROM supplier_keys WHERE tenant_id = $1 AND supplier_id = $2",
            )
            .bind(&record.tenant_id)
            .bind(&record.id)
            .fetch_one(&mut *tx)
            .await
            .map_err(db_error)?;
            if get::<i64>(&owned, "n")? == 0 {
                return Err(StoreError::Conflict(format!(
                    "every key of new supplier {} belongs to another supplier",
                    record.id
                )));
            }
        }
        if let Some(invoice_id) = learned_from {
            sqlx::query(
                "INSERT INTO supplier_sources (supplier_id, invoice_id) VALUES ($1, $2) \
                 ON CONFLICT (supplier_id, invoice_id) DO NOTHING",
            )
            .bind(&record.id)
            .bind(invoice_id)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        }
        tx.commit().await.map_err(db_error)
    }

    async fn supplier(&self, tenant_id: &str, id: &str) -> StoreResult<Option<SupplierRecord>> {
        let sql = format!("SELECT {COLUMNS} FROM suppliers WHERE tenant_id = $1 AND id = $2");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(tenant_id)
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_error)?;
        row.as_ref().map(supplier).transpose()
    }

    async fn suppliers(&self, tenant_id: &str, limit: u32) -> StoreResult<Vec<SupplierRecord>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM suppliers WHERE tenant_id = $1 \
             ORDER BY updated_at DESC, id LIMIT $2"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(tenant_id)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(db_error)?;
        rows.iter().map(supplier).collect()
    }

    async fn delete_supplier(&self, tenant_id: &str, id: &str) -> StoreResult<bool> {
        let mut tx = self.begin().await?;
        let deleted = delete_rows(&mut tx, tenant_id, id).await?;
        tx.commit().await.map_err(db_error)?;
        Ok(deleted)
    }
}
