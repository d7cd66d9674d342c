//! The language-model fallback's cache and spending (`LlmStore`).

use invex_domain::fallback::{CachedAnswer, LlmStore, TenantLlm, Usage};
use invex_storage::SqlRepository;

use super::backends;

backends!(answers_are_cached_once, spending_adds_up_per_tenant_and_month, tenant_settings_are_kept);

fn usage(prompt: u64, completion: u64, cost: f64) -> Usage {
    Usage { prompt_tokens: prompt, completion_tokens: completion, cost_usd: cost }
}

async fn answers_are_cached_once(repo: SqlRepository) {
    assert_eq!(repo.cached_answer("abc|gpt-4o-mini|v1").await.unwrap(), None);
    let first = CachedAnswer {
        content: r#"{"invoice_number":"A-1"}"#.into(),
        usage: usage(900, 40, 0.000159),
    };
    repo.store_answer("abc|gpt-4o-mini|v1", &first).await.unwrap();
    // A second worker's answer for the same key does not replace the first.
    let second = CachedAnswer { content: "{}".into(), usage: usage(1, 1, 1.0) };
    repo.store_answer("abc|gpt-4o-mini|v1", &second).await.unwrap();
    assert_eq!(repo.cached_answer("abc|gpt-4o-mini|v1").await.unwrap(), Some(first));
    // Another model or prompt version is another key.
    assert_eq!(repo.cached_answer("abc|gpt-4o|v1").await.unwrap(), None);
}

async fn spending_adds_up_per_tenant_and_month(repo: SqlRepository) {
    assert_eq!(repo.spent("t1", "2026-12").await.unwrap(), (0.0, 0));
    for _ in 0..3 {
        repo.record_usage("t1", "2026-12", &usage(1000, 50, 0.000180)).await.unwrap();
    }
    repo.record_usage("t1", "2027-01", &usage(1000, 50, 0.5)).await.unwrap();
    repo.record_usage("t2", "2026-12", &usage(1000, 50, 0.25)).await.unwrap();
    let (usd, calls) = repo.spent("t1", "2026-12").await.unwrap();
    assert_eq!(calls, 3);
    assert!((usd - 0.000540).abs() < 1e-9, "{usd}");
    assert_eq!(repo.spent("t2", "2026-12").await.unwrap(), (0.25, 1));
    assert_eq!(repo.spent("t1", "2027-01").await.unwrap(), (0.5, 1));
}

async fn tenant_settings_are_kept(repo: SqlRepository) {
    assert_eq!(repo.tenant_llm("t1").await.unwrap(), None);
    let off = TenantLlm { enabled: false, monthly_budget_usd: None };
    repo.set_tenant_llm("t1", &off).await.unwrap();
    assert_eq!(repo.tenant_llm("t1").await.unwrap(), Some(off));
    let budget = TenantLlm { enabled: true, monthly_budget_usd: Some(12.5) };
    repo.set_tenant_llm("t1", &budget).await.unwrap();
    assert_eq!(repo.tenant_llm("t1").await.unwrap(), Some(budget));
    assert_eq!(repo.tenant_llm("t2").await.unwrap(), None);
}
