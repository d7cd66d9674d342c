//! Layout model versions and the promotion log (`model_versions`,
//! `model_events`), and accuracy per version from approved invoices.

use async_trait::async_trait;
use invex_domain::service::review::BOOKED_FIELDS;
use invex_domain::service::{
    ModelAccuracy, ModelEvent, ModelStore, ModelVersion, StoreError, StoreResult,
};
use serde_json::Value as Json;
use sqlx::any::AnyRow;

use super::rows::{get, get_time, millis};
use super::{SqlRepository, db_error};

const COLUMNS: &str = "id, parent, name, data_hash, metrics, created_at, created_by";

fn version(row: &AnyRow) -> StoreResult<ModelVersion> {
    let metrics = match get::<Option<String>>(row, "metrics")? {
        Some(text) => Some(serde_json::from_str(&text).map_err(|_| {
            StoreError::Backend(format!(
                "model_versions.metrics holds undecodable JSON ({} bytes)",
                text.len()
            ))
        })?),
        None => None,
    };
    Ok(ModelVersion {
        id: get(row, "id")?,
        parent: get(row, "parent")?,
        name: get(row, "name")?,
        data_hash: get(row, "data_hash")?,
        metrics,
        created_at: get_time(row, "created_at")?,
        created_by: get(row, "created_by")?,
    })
}

#[async_trait]
impl ModelStore for SqlRepository {
    async fn insert_model_version(&self, v: &ModelVersion) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO model_versions (id, parent, name, data_hash, metrics, created_at, created_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&v.id)
        .bind(v.parent.as_deref())
        .bind(&v.name)
        .bind(v.data_hash.as_deref())
        .bind(v.metrics.as_ref().map(Json::to_string))
        .bind(millis(v.created_at))
        .bind(&v.created_by)
        .execute(&self.pool)
        .await
        .map_err(db_error)?;
        Ok(())
    }

    async fn model_version(&self, id: &str) -> StoreResult<Option<ModelVersion>> {
        let sql = format!("SELECT {COLUMNS} FROM model_versions WHERE id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_error)?;
        row.as_ref().map(version).transpose()
    }

    async fn model_versions(&self) -> StoreResult<Vec<ModelVersion>> {
        let sql = format!("SELECT {COLUMNS} FROM model_versions ORDER BY created_at DESC, id DESC");
        let rows =
            sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(&self.pool).await.map_err(db_error)?;
        rows.iter().map(version).collect()
    }

    async fn set_model_metrics(&self, id: &str, metrics: &Json) -> StoreResult<()> {
        let done = sqlx::query("UPDATE model_versions SET metrics = $1 WHERE id = $2")
            .bind(metrics.to_string())
            .bind(id)
            .execute(&self.pool)
            .await
            .map_err(db_error)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn append_model_event(&self, event: &ModelEvent) -> StoreResult<()> {
        if let Some(id) = &event.version
            && self.model_version(id).await?.is_none()
        {
            return Err(StoreError::NotFound);
        }
        sqlx::query(
            "INSERT INTO model_events (action, version_id, by_whom, at) VALUES ($1, $2, $3, $4)",
        )
        .bind(&event.action)
        .bind(event.version.as_deref())
        .bind(&event.by)
        .bind(millis(event.at))
        .execute(&self.pool)
        .await
        .map_err(db_error)?;
        Ok(())
    }

    async fn model_events(&self) -> StoreResult<Vec<ModelEvent>> {
        let rows =
            sqlx::query("SELECT action, version_id, by_whom, at FROM model_events ORDER BY seq")
                .fetch_all(&self.pool)
                .await
                .map_err(db_error)?;
        rows.iter()
            .map(|row| {
                Ok(ModelEvent {
                    action: get(row, "action")?,
                    version: get(row, "version_id")?,
                    by: get(row, "by_whom")?,
                    at: get_time(row, "at")?,
                })
            })
            .collect()
    }

    async fn model_accuracy(&self, tenant_id: Option<&str>) -> StoreResult<Vec<ModelAccuracy>> {
        // Per version: approved invoices, and the distinct booked fields
        // corrected on them. The field names are our own constants.
        let booked: Vec<String> =
            BOOKED_FIELDS.iter().map(|f| format!("'{}'", f.as_str())).collect();
        let sql = format!(
            "SELECT i.model_version AS model_version, COUNT(DISTINCT i.id) AS invoices, \
             COUNT(DISTINCT c.invoice_id || ':' || c.field) AS corrected \
             FROM invoices i LEFT JOIN corrections c \
             ON c.invoice_id = i.id AND c.field IN ({}) \
             WHERE i.approved_at IS NOT NULL AND ($1 IS NULL OR i.tenant_id = $1) \
             GROUP BY i.model_version ORDER BY i.model_version",
            booked.join(", ")
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(tenant_id)
            .fetch_all(&self.pool)
            .await
            .map_err(db_error)?;
        rows.iter()
            .map(|row| {
                let invoices = get::<i64>(row, "invoices")?.max(0) as u64;
                let corrected = get::<i64>(row, "corrected")?.max(0) as u64;
                let fields = invoices * BOOKED_FIELDS.len() as u64;
                Ok(ModelAccuracy {
                    model_version: get(row, "model_version")?,
                    reviewed_invoices: invoices,
                    corrected_fields: corrected,
                    accuracy: if fields == 0 {
                        0.0
                    } else {
                        1.0 - corrected.min(fields) as f64 / fields as f64
                    },
                })
            })
            .collect()
    }
}
