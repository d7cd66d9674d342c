//! The language-model fallback's cache (`llm_answers`), spending per
//! tenant and month (`llm_usage`) and tenants' own settings (`llm_tenants`). Costs are stored as BIGINT millionths of a
//! US dollar, so sums are exact on both backends.

use async_trait::async_trait;
use invex_domain::fallback::{CachedAnswer, LlmStore, TenantLlm, Usage};
use invex_domain::service::StoreResult;

use super::rows::{get, millis};
use super::{SqlRepository, db_error};

fn micro(usd: f64) -> i64 {
    (usd * 1_000_000.0).round() as i64
}

fn usd(micro: i64) -> f64 {
    micro as f64 / 1_000_000.0
}

#[async_trait]
impl LlmStore for SqlRepository {
    async fn cached_answer(&self, key: &str) -> StoreResult<Option<CachedAnswer>> {
        let row = sqlx::query(
            "SELECT content, prompt_tokens, completion_tokens, cost_micro_usd \
             FROM llm_answers WHERE cache_key = $1",
        )
        .bind(key)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_error)?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(CachedAnswer {
            content: get(&row, "content")?,
            usage: Usage {
                prompt_tokens: get::<i64>(&row, "prompt_tokens")?.max(0) as u64,
                completion_tokens: get::<i64>(&row, "completion_tokens")?.max(0) as u64,
                cost_usd: usd(get(&row, "cost_micro_usd")?),
            },
        }))
    }

    async fn store_answer(&self, key: &str, answer: &CachedAnswer) -> StoreResult<()> {
        // Two workers may ask about the same file at once; the first answer stays.
        sqlx::query(
            "INSERT INTO llm_answers (cache_key, content, prompt_tokens, completion_tokens, \
             cost_micro_usd, created_at) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (cache_key) DO NOTHING",
        )
        .bind(key)
        .bind(&answer.content)
        .bind(answer.usage.prompt_tokens as i64)
        .bind(answer.usage.completion_tokens as i64)
        .bind(micro(answer.usage.cost_usd))
        .bind(millis(chrono::Utc::now()))
        .execute(&self.pool)
        .await
        .map_err(db_error)?;
        Ok(())
    }

    async fn record_usage(&self, tenant: &str, month: &str, usage: &Usage) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO llm_usage (tenant, month, calls, prompt_tokens, completion_tokens, \
             cost_micro_usd) VALUES ($1, $2, 1, $3, $4, $5) \
             ON CONFLICT (tenant, month) DO UPDATE SET calls = llm_usage.calls + 1, \
             prompt_tokens = llm_usage.prompt_tokens + excluded.prompt_tokens, \
             completion_tokens = llm_usage.completion_tokens + excluded.completion_tokens, \
             cost_micro_usd = llm_usage.cost_micro_usd + excluded.cost_micro_usd",
        )
        .bind(tenant)
        .bind(month)
        .bind(usage.prompt_tokens as i64)
        .bind(usage.completion_tokens as i64)
        .bind(micro(usage.cost_usd))
        .execute(&self.pool)
        .await
        .map_err(db_error)?;
        Ok(())
    }

    async fn spent(&self, tenant: &str, month: &str) -> StoreResult<(f64, u64)> {
        let row = sqlx::query(
            "SELECT cost_micro_usd, calls FROM llm_usage WHERE tenant = $1 AND month = $2",
        )
        .bind(tenant)
        .bind(month)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_error)?;
        Ok(match row {
            Some(row) => {
                (usd(get(&row, "cost_micro_usd")?), get::<i64>(&row, "calls")?.max(0) as u64)
            }
            None => (0.0, 0),
        })
    }

    async fn tenant_llm(&self, tenant: &str) -> StoreResult<Option<TenantLlm>> {
        let row = sqlx::query(
            "SELECT enabled, monthly_budget_micro_usd FROM llm_tenants WHERE tenant = $1",
        )
        .bind(tenant)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_error)?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(TenantLlm {
            enabled: get::<i64>(&row, "enabled")? != 0,
            monthly_budget_usd: get::<Option<i64>>(&row, "monthly_budget_micro_usd")?.map(usd),
        }))
    }

    async fn set_tenant_llm(&self, tenant: &str, settings: &TenantLlm) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO llm_tenants (tenant, enabled, monthly_budget_micro_usd) VALUES ($1, $2, $3) \
             ON CONFLICT (tenant) DO UPDATE SET enabled = excluded.enabled, \
             monthly_budget_micro_usd = excluded.monthly_budget_micro_usd",
        )
        .bind(tenant)
        .bind(i64::from(settings.enabled))
        .bind(settings.monthly_budget_usd.map(micro))
        .execute(&self.pool)
        .await
        .map_err(db_error)?;
        Ok(())
    }
}
