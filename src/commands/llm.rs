//! The language-model fallback from the command line: `LlmArgs` to an
//! [`LlmFallback`], with its cache and spending in a database (SQLite beside
//! the output by default), and the batch's one-line summary.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use invex_domain::fallback::FallbackPolicy;
use invex_llm::{ApiKey, LlmConfig, LlmFallback, PriceTable, StatsSnapshot};
use invex_storage::SqlRepository;

use crate::cli::{LlmArgs, LlmWhen};

/// The key, from `INVEX_LLM_API_KEY`, else `OPENAI_API_KEY`.
fn api_key() -> Option<ApiKey> {
    ["INVEX_LLM_API_KEY", "OPENAI_API_KEY"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.trim().is_empty()))
        .map(ApiKey::new)
}

/// The fallback `args` ask for, or `None` with `--llm-when never`.
/// `output` is the batch's output file (the default cache sits beside it).
pub fn fallback(args: &LlmArgs, output: &Path) -> Result<Option<Arc<LlmFallback>>> {
    let Some(mut config) = config(args)? else { return Ok(None) };
    if args.llm_batch {
        let mut state = output.as_os_str().to_owned();
        state.push(".llm-batch.json");
        config.batch = Some(invex_llm::BatchOptions {
            state: state.into(),
            poll: Duration::from_secs(args.llm_batch_poll.max(1)),
            max_wait: Duration::from_secs(args.llm_batch_wait.saturating_mul(60)),
        });
    }
    let url = match &args.llm_cache {
        Some(url) => url.0.clone(),
        None => {
            let dir =
                output.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
            format!("sqlite://{}", dir.join("invex-llm.db").display())
        }
    };
    let runtime = LlmFallback::runtime()?;
    let store = runtime.block_on(SqlRepository::connect(&url, 4)).with_context(|| {
        format!("opening the language model cache {}", crate::cli_service::redact_url(&url))
    })?;
    Ok(Some(Arc::new(LlmFallback::new(config, Arc::new(store), runtime)?)))
}

/// The fallback's settings from `args`, or `None` with `--llm-when never`.
fn config(args: &LlmArgs) -> Result<Option<LlmConfig>> {
    let policy = match args.llm_when {
        LlmWhen::Never => return Ok(None),
        LlmWhen::Unsure => FallbackPolicy::Unsure { below: args.llm_below },
        LlmWhen::Always => FallbackPolicy::Always,
    };
    if !(0.0..=1.0).contains(&args.llm_below) {
        bail!("--llm-below must be between 0 and 1, not {}", args.llm_below);
    }
    let mut prices = PriceTable::default();
    for entry in &args.llm_price {
        let (model, price) = PriceTable::parse_entry(entry).map_err(anyhow::Error::msg)?;
        prices.set(model, price);
    }
    let mut config = LlmConfig::new(&args.llm_base_url, &args.llm_model);
    config.api_key = api_key();
    config.policy = policy;
    config.concurrency = args.llm_concurrency.max(1);
    config.timeout = Duration::from_secs(args.llm_timeout.max(1));
    config.max_retries = args.llm_max_retries;
    config.prices = prices;
    config.monthly_budget_usd = args.llm_budget_usd;
    Ok(Some(config))
}

/// The service's fallback: its requests on the service's runtime, its cache
/// and spending in the service's database (each tenant pays for its own
/// invoices; `invex tenants llm` sets a tenant's own switch and budget).
/// Must be called inside the service's runtime.
pub fn service_fallback(
    args: &LlmArgs,
    repo: &Arc<dyn invex_domain::service::Repository>,
) -> Result<Option<Arc<dyn invex_domain::fallback::Fallback>>> {
    if args.llm_batch {
        bail!("--llm-batch is for invex extract; the service asks live, invoice by invoice");
    }
    let Some(config) = config(args)? else { return Ok(None) };
    let store: Arc<dyn invex_domain::fallback::LlmStore> = repo.clone();
    let fallback = LlmFallback::on_runtime(config, store, tokio::runtime::Handle::current())?;
    Ok(Some(Arc::new(fallback)))
}

/// The batch summary's language-model line.
pub fn summary(stats: &StatsSnapshot) -> String {
    format!(
        "language model: {} asked, {} requests, {} from the cache, {} answered, {} gave up, {} not asked; \
         {} values accepted, {} refused; {} prompt + {} completion tokens, ${:.4}",
        stats.asked,
        stats.requests,
        stats.cached,
        stats.answered,
        stats.gave_up,
        stats.skipped,
        stats.accepted_values,
        stats.refused_values,
        stats.prompt_tokens,
        stats.completion_tokens,
        stats.cost_usd,
    )
}
