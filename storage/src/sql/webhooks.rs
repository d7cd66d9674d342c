//! Tenants' webhooks and the delivery queue: deliveries are claimed under a
//! lease like jobs, and every attempt is logged on the delivery's row.

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use invex_domain::service::{
    Delivery, DeliveryAttempt, DeliveryLog, StoreResult, Webhook, WebhookStore,
};

use super::rows::{self, get, millis};
use super::{SqlRepository, db_error};

/// Claims the oldest due delivery: pending and due, or being sent by a sender
/// whose lease ran out. `$1` lease end, `$2` now.
macro_rules! claim_delivery_sql {
    ($lock:literal) => {
        concat!(
            "UPDATE deliveries SET state = 'sending', lease_until = $1, updated_at = $2 ",
            "WHERE id = (SELECT id FROM deliveries ",
            "WHERE (state = 'pending' AND next_attempt_at <= $2) ",
            "OR (state = 'sending' AND lease_until < $2) ",
            "ORDER BY next_attempt_at, created_at, id LIMIT 1",
            $lock,
            ") RETURNING id, tenant_id, event, payload, attempts"
        )
    };
}
const CLAIM_DELIVERY_SQLITE: &str = claim_delivery_sql!("");
const CLAIM_DELIVERY_POSTGRES: &str = claim_delivery_sql!(" FOR UPDATE SKIP LOCKED");

#[async_trait]
impl WebhookStore for SqlRepository {
    async fn set_webhook(&self, webhook: &Webhook) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO webhooks (tenant_id, url, secret) VALUES ($1, $2, $3) \
             ON CONFLICT (tenant_id) DO UPDATE SET url = excluded.url, secret = excluded.secret",
        )
        .bind(&webhook.tenant_id)
        .bind(&webhook.url)
        .bind(&webhook.secret)
        .execute(&self.pool)
        .await
        .map_err(db_error)?;
        Ok(())
    }

    async fn webhook(&self, tenant_id: &str) -> StoreResult<Option<Webhook>> {
        let row = sqlx::query("SELECT tenant_id, url, secret FROM webhooks WHERE tenant_id = $1")
            .bind(tenant_id)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_error)?;
        row.map(|row| {
            Ok(Webhook {
                tenant_id: get(&row, "tenant_id")?,
                url: get(&row, "url")?,
                secret: get(&row, "secret")?,
            })
        })
        .transpose()
    }

    async fn delete_webhook(&self, tenant_id: &str) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM webhooks WHERE tenant_id = $1")
            .bind(tenant_id)
            .execute(&self.pool)
            .await
            .map_err(db_error)?;
        Ok(done.rows_affected() > 0)
    }

    async fn claim_delivery(
        &self,
        lease: Duration,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Delivery>> {
        // A delivery whose tenant has no webhook any more is abandoned, and
        // the next one tried.
        loop {
            let mut tx = self.begin().await?;
            let claimed = sqlx::query(self.pick(CLAIM_DELIVERY_SQLITE, CLAIM_DELIVERY_POSTGRES))
                .bind(millis(now + lease))
                .bind(millis(now))
                .fetch_optional(&mut *tx)
                .await
                .map_err(db_error)?;
            let Some(row) = claimed else { return Ok(None) };
            let id: String = get(&row, "id")?;
            let tenant_id: String = get(&row, "tenant_id")?;
            let webhook = sqlx::query("SELECT url, secret FROM webhooks WHERE tenant_id = $1")
                .bind(&tenant_id)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db_error)?;
            let Some(webhook) = webhook else {
                sqlx::query(
                    "UPDATE deliveries SET state = 'abandoned', lease_until = NULL, \
                     last_error = 'the webhook was removed', updated_at = $2 WHERE id = $1",
                )
                .bind(&id)
                .bind(millis(now))
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
                tx.commit().await.map_err(db_error)?;
                tracing::info!(
                    delivery = %id,
                    tenant = %tenant_id,
                    "delivery abandoned: no webhook"
                );
                continue;
            };
            let delivery = Delivery {
                id,
                event: get(&row, "event")?,
                payload: get(&row, "payload")?,
                attempts: rows::attempts(&row)? + 1,
                webhook: Webhook {
                    tenant_id: tenant_id.clone(),
                    url: get(&webhook, "url")?,
                    secret: get(&webhook, "secret")?,
                },
                tenant_id,
            };
            tx.commit().await.map_err(db_error)?;
            return Ok(Some(delivery));
        }
    }

    async fn record_attempt(
        &self,
        delivery: &Delivery,
        attempt: &DeliveryAttempt,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        let (state, next_attempt_at) = match (attempt.delivered, attempt.retry_at) {
            (true, _) => ("delivered", None),
            (false, Some(retry_at)) => ("pending", Some(millis(retry_at))),
            (false, None) => ("failed", None),
        };
        let logged = sqlx::query(
            "UPDATE deliveries SET attempts = attempts + 1, last_status_code = $2, \
             last_error = $3, state = $4, next_attempt_at = COALESCE($5, next_attempt_at), \
             lease_until = NULL, updated_at = $6 WHERE id = $1 AND state = 'sending'",
        )
        .bind(&delivery.id)
        .bind(attempt.status_code.map(i64::from))
        .bind(attempt.error.as_deref())
        .bind(state)
        .bind(next_attempt_at)
        .bind(millis(at))
        .execute(&self.pool)
        .await
        .map_err(db_error)?;
        if logged.rows_affected() == 0 {
            // The lease ran out and another sender has (or had) it.
            tracing::warn!(
                delivery = %delivery.id,
                "attempt not recorded: the delivery is no longer ours"
            );
            return Ok(());
        }
        tracing::debug!(
            delivery = %delivery.id,
            state,
            status = ?attempt.status_code,
            "delivery attempt"
        );
        Ok(())
    }

    async fn deliveries(&self, tenant_id: &str, limit: u32) -> StoreResult<Vec<DeliveryLog>> {
        let found = sqlx::query(
            "SELECT id, event, state, attempts, last_status_code, last_error, created_at, \
             updated_at FROM deliveries WHERE tenant_id = $1 \
             ORDER BY created_at DESC, id DESC LIMIT $2",
        )
        .bind(tenant_id)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        found.iter().map(rows::delivery_log).collect()
    }
}
