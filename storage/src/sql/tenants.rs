//! Tenants, their API keys and rate-limit windows, and the append-only audit log.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use invex_domain::service::{
    ApiKey, AuditEntry, AuditLog, StoreError, StoreResult, Tenant, TenantStore,
};

use super::rows::{self, millis};
use super::{SqlRepository, db_error};

const TENANT_COLUMNS: &str = "SELECT id, name, retention_days, created_at FROM tenants";
const KEY_COLUMNS: &str =
    "SELECT id, tenant_id, role, name, secret_hash, created_at, revoked_at FROM api_keys";

#[async_trait]
impl TenantStore for SqlRepository {
    async fn create_tenant(&self, tenant: &Tenant) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO tenants (id, name, retention_days, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(&tenant.id)
        .bind(&tenant.name)
        .bind(tenant.retention_days.map(i64::from))
        .bind(millis(tenant.created_at))
        .execute(&self.pool)
        .await
        .map_err(db_error)?;
        tracing::info!(tenant = %tenant.id, name = %tenant.name, "tenant created");
        Ok(())
    }

    async fn tenant(&self, id: &str) -> StoreResult<Option<Tenant>> {
        let sql = sqlx::AssertSqlSafe(format!("{TENANT_COLUMNS} WHERE id = $1"));
        let row = sqlx::query(sql).bind(id).fetch_optional(&self.pool).await.map_err(db_error)?;
        row.as_ref().map(rows::tenant).transpose()
    }

    async fn tenant_by_name(&self, name: &str) -> StoreResult<Option<Tenant>> {
        let sql = sqlx::AssertSqlSafe(format!("{TENANT_COLUMNS} WHERE name = $1"));
        let row = sqlx::query(sql).bind(name).fetch_optional(&self.pool).await.map_err(db_error)?;
        row.as_ref().map(rows::tenant).transpose()
    }

    async fn tenants(&self) -> StoreResult<Vec<Tenant>> {
        let sql = sqlx::AssertSqlSafe(format!("{TENANT_COLUMNS} ORDER BY name, id"));
        let found = sqlx::query(sql).fetch_all(&self.pool).await.map_err(db_error)?;
        found.iter().map(rows::tenant).collect()
    }

    async fn set_retention(&self, tenant_id: &str, days: Option<u32>) -> StoreResult<()> {
        let done = sqlx::query("UPDATE tenants SET retention_days = $1 WHERE id = $2")
            .bind(days.map(i64::from))
            .bind(tenant_id)
            .execute(&self.pool)
            .await
            .map_err(db_error)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn insert_key(&self, key: &ApiKey) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO api_keys (id, tenant_id, role, name, secret_hash, created_at, revoked_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&key.id)
        .bind(&key.tenant_id)
        .bind(key.role.as_str())
        .bind(&key.name)
        .bind(&key.secret_hash)
        .bind(millis(key.created_at))
        .bind(key.revoked_at.map(millis))
        .execute(&self.pool)
        .await
        .map_err(db_error)?;
        Ok(())
    }

    async fn key(&self, id: &str) -> StoreResult<Option<ApiKey>> {
        let sql = sqlx::AssertSqlSafe(format!("{KEY_COLUMNS} WHERE id = $1"));
        let row = sqlx::query(sql).bind(id).fetch_optional(&self.pool).await.map_err(db_error)?;
        row.as_ref().map(rows::api_key).transpose()
    }

    async fn keys(&self, tenant_id: &str) -> StoreResult<Vec<ApiKey>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "{KEY_COLUMNS} WHERE tenant_id = $1 ORDER BY created_at, id"
        ));
        let found =
            sqlx::query(sql).bind(tenant_id).fetch_all(&self.pool).await.map_err(db_error)?;
        found.iter().map(rows::api_key).collect()
    }

    async fn revoke_key(&self, tenant_id: &str, id: &str, at: DateTime<Utc>) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE api_keys SET revoked_at = $1 \
             WHERE tenant_id = $2 AND id = $3 AND revoked_at IS NULL",
        )
        .bind(millis(at))
        .bind(tenant_id)
        .bind(id)
        .execute(&self.pool)
        .await
        .map_err(db_error)?;
        Ok(done.rows_affected() > 0)
    }

    async fn count_request(&self, key_id: &str, window: i64) -> StoreResult<(u64, u64)> {
        // One statement, atomic on both databases: concurrent processes
        // each get their own count.
        let row = sqlx::query(
            "INSERT INTO rate_windows (key_id, minute, requests) VALUES ($1, $2, 1) \
             ON CONFLICT (key_id, minute) DO UPDATE SET requests = rate_windows.requests + 1 \
             RETURNING requests",
        )
        .bind(key_id)
        .bind(window)
        .fetch_one(&self.pool)
        .await
        .map_err(db_error)?;
        let count: i64 = rows::get(&row, "requests")?;
        // The first request of a window clears the windows before the last.
        if count == 1 {
            sqlx::query("DELETE FROM rate_windows WHERE minute < $1")
                .bind(window - 1)
                .execute(&self.pool)
                .await
                .map_err(db_error)?;
        }
        let previous: Option<i64> = sqlx::query_scalar(
            "SELECT requests FROM rate_windows WHERE key_id = $1 AND minute = $2",
        )
        .bind(key_id)
        .bind(window - 1)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_error)?;
        let n = |c: i64| u64::try_from(c).unwrap_or(0);
        Ok((n(count), previous.map_or(0, n)))
    }
}

#[async_trait]
impl AuditLog for SqlRepository {
    async fn append_audit(&self, entry: &AuditEntry) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO audit_log (id, tenant_id, actor, action, invoice_id, detail, at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&entry.id)
        .bind(&entry.tenant_id)
        .bind(&entry.actor)
        .bind(&entry.action)
        .bind(entry.invoice_id.as_deref())
        .bind(entry.detail.to_string())
        .bind(millis(entry.at))
        .execute(&self.pool)
        .await
        .map_err(db_error)?;
        Ok(())
    }

    async fn audit_entries(&self, tenant_id: &str, limit: u32) -> StoreResult<Vec<AuditEntry>> {
        let found = sqlx::query(
            "SELECT id, tenant_id, actor, action, invoice_id, detail, at FROM audit_log \
             WHERE tenant_id = $1 ORDER BY at, seq LIMIT $2",
        )
        .bind(tenant_id)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        found.iter().map(rows::audit_entry).collect()
    }
}
