//! The review UI's tables: browser sessions (`ui_sessions`), each tenant's
//! UI language (`ui_tenants`), and two reads over the service's own tables:
//! one invoice's audit trail and the dashboard's activity.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use invex_domain::FieldName;
use invex_domain::service::{
    ActivityRow, AuditEntry, InvoiceStatus, Role, StoreResult, UiSession, UiStore,
};

use super::rows::{self, corrupt, get, get_opt_time, get_time, millis};
use super::{SqlRepository, db_error};

#[async_trait]
impl UiStore for SqlRepository {
    async fn create_session(&self, s: &UiSession) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO ui_sessions (token_hash, tenant_id, key_id, role, csrf_token, \
             created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&s.token_hash)
        .bind(&s.tenant_id)
        .bind(&s.key_id)
        .bind(s.role.as_str())
        .bind(&s.csrf_token)
        .bind(millis(s.created_at))
        .bind(millis(s.expires_at))
        .execute(&self.pool)
        .await
        .map_err(db_error)?;
        Ok(())
    }

    async fn session(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<UiSession>> {
        let row = sqlx::query(
            "SELECT s.token_hash, s.tenant_id, s.key_id, s.role, s.csrf_token, s.created_at, \
             s.expires_at FROM ui_sessions s JOIN api_keys k ON k.id = s.key_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND k.revoked_at IS NULL",
        )
        .bind(token_hash)
        .bind(millis(now))
        .fetch_optional(&self.pool)
        .await
        .map_err(db_error)?;
        let Some(row) = row else { return Ok(None) };
        let role: String = get(&row, "role")?;
        Ok(Some(UiSession {
            token_hash: get(&row, "token_hash")?,
            tenant_id: get(&row, "tenant_id")?,
            key_id: get(&row, "key_id")?,
            role: Role::parse(&role).ok_or_else(|| corrupt("role", &role))?,
            csrf_token: get(&row, "csrf_token")?,
            created_at: get_time(&row, "created_at")?,
            expires_at: get_time(&row, "expires_at")?,
        }))
    }

    async fn delete_session(&self, token_hash: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM ui_sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await
            .map_err(db_error)?;
        Ok(())
    }

    async fn delete_expired_sessions(&self, now: DateTime<Utc>) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM ui_sessions WHERE expires_at <= $1")
            .bind(millis(now))
            .execute(&self.pool)
            .await
            .map_err(db_error)?;
        Ok(done.rows_affected())
    }

    async fn tenant_language(&self, tenant_id: &str) -> StoreResult<Option<String>> {
        let row = sqlx::query("SELECT language FROM ui_tenants WHERE tenant_id = $1")
            .bind(tenant_id)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_error)?;
        row.as_ref().map(|r| get(r, "language")).transpose()
    }

    async fn set_tenant_language(&self, tenant_id: &str, language: &str) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO ui_tenants (tenant_id, language) VALUES ($1, $2) \
             ON CONFLICT (tenant_id) DO UPDATE SET language = excluded.language",
        )
        .bind(tenant_id)
        .bind(language)
        .execute(&self.pool)
        .await
        .map_err(db_error)?;
        Ok(())
    }

    async fn invoice_audit(
        &self,
        tenant_id: &str,
        invoice_id: &str,
        limit: u32,
    ) -> StoreResult<Vec<AuditEntry>> {
        let found = sqlx::query(
            "SELECT id, tenant_id, actor, action, invoice_id, detail, at FROM audit_log \
             WHERE tenant_id = $1 AND invoice_id = $2 ORDER BY at, seq LIMIT $3",
        )
        .bind(tenant_id)
        .bind(invoice_id)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        found.iter().map(rows::audit_entry).collect()
    }

    async fn waiting(&self, tenant_id: &str) -> StoreResult<u64> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM invoices \
             WHERE tenant_id = $1 AND status IN ('queued', 'processing')",
        )
        .bind(tenant_id)
        .fetch_one(&self.pool)
        .await
        .map_err(db_error)?;
        Ok(get::<i64>(&row, "n")?.max(0) as u64)
    }

    async fn activity(
        &self,
        tenant_id: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<ActivityRow>> {
        // The job's last update is when its result was stored.
        let found = sqlx::query(
            "SELECT i.id, i.created_at, i.status, i.approved_at, i.supplier_name, \
             (SELECT MAX(j.updated_at) FROM jobs j WHERE j.invoice_id = i.id AND j.status = 'done') \
               AS processed_at \
             FROM invoices i WHERE i.tenant_id = $1 AND i.created_at >= $2 AND i.created_at < $3 \
             ORDER BY i.created_at, i.id",
        )
        .bind(tenant_id)
        .bind(millis(from))
        .bind(millis(to))
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        let mut out = Vec::with_capacity(found.len());
        let mut index = HashMap::new();
        for row in &found {
            let status: String = get(row, "status")?;
            let id: String = get(row, "id")?;
            index.insert(id.clone(), out.len());
            out.push(ActivityRow {
                invoice_id: id,
                created_at: get_time(row, "created_at")?,
                status: InvoiceStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?,
                processed_at: get_opt_time(row, "processed_at")?,
                approved_at: get_opt_time(row, "approved_at")?,
                supplier_name: get(row, "supplier_name")?,
                corrected_fields: Vec::new(),
            });
        }
        let corrections = sqlx::query(
            "SELECT c.invoice_id, c.field FROM corrections c JOIN invoices i ON i.id = c.invoice_id \
             WHERE i.tenant_id = $1 AND i.created_at >= $2 AND i.created_at < $3",
        )
        .bind(tenant_id)
        .bind(millis(from))
        .bind(millis(to))
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        for row in &corrections {
            let id: String = get(row, "invoice_id")?;
            let field: String = get(row, "field")?;
            let field = FieldName::parse(&field).ok_or_else(|| corrupt("field", &field))?;
            if let Some(&i) = index.get(&id) {
                out[i].corrected_fields.push(field);
            }
        }
        Ok(out)
    }
}
