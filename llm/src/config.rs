//! The fallback's settings: endpoint, model, key (never printed), limits,
//! prices and budget. The binary fills this from its clap config.

use std::fmt;
use std::time::Duration;

use invex_domain::fallback::{FallbackPolicy, Usage};

/// An API key. `Debug` and `Display` print `***`, so it never reaches a log.
#[derive(Clone, PartialEq)]
pub struct ApiKey(String);

impl ApiKey {
    pub fn new(key: impl Into<String>) -> Self {
        ApiKey(key.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// US dollars per million tokens, prompt and completion.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Price {
    pub prompt_per_million: f64,
    pub completion_per_million: f64,
}

/// Prices by model name. The defaults are OpenAI's published standard-tier
/// prices for the two models the README suggests; `--llm-price` adds or
/// replaces entries. An unknown model costs 0 (and a warning is logged).
#[derive(Debug, Clone, PartialEq)]
pub struct PriceTable(pub Vec<(String, Price)>);

impl Default for PriceTable {
    fn default() -> Self {
        PriceTable(vec![
            (
                "gpt-4o-mini".into(),
                Price { prompt_per_million: 0.15, completion_per_million: 0.60 },
            ),
            ("gpt-4o".into(), Price { prompt_per_million: 2.50, completion_per_million: 10.00 }),
        ])
    }
}

impl PriceTable {
    /// Parses `MODEL=PROMPT/COMPLETION` (dollars per million tokens).
    pub fn parse_entry(entry: &str) -> Result<(String, Price), String> {
        let (model, prices) =
            entry.split_once('=').ok_or_else(|| format!("{entry:?}: expected MODEL=IN/OUT"))?;
        let (prompt, completion) =
            prices.split_once('/').ok_or_else(|| format!("{entry:?}: expected MODEL=IN/OUT"))?;
        let number = |s: &str| {
            s.trim()
                .parse::<f64>()
                .ok()
                .filter(|p| p.is_finite() && *p >= 0.0)
                .ok_or_else(|| format!("{entry:?}: {s:?} is not a price"))
        };
        Ok((
            model.trim().to_string(),
            Price {
                prompt_per_million: number(prompt)?,
                completion_per_million: number(completion)?,
            },
        ))
    }

    pub fn set(&mut self, model: String, price: Price) {
        self.0.retain(|(m, _)| *m != model);
        self.0.push((model, price));
    }

    pub fn price(&self, model: &str) -> Option<Price> {
        self.0.iter().find(|(m, _)| m == model).map(|(_, p)| *p)
    }

    /// The cost of `prompt` and `completion` tokens with `model`.
    pub fn usage(&self, model: &str, prompt: u64, completion: u64) -> Usage {
        let cost_usd = self.price(model).map_or(0.0, |p| {
            (prompt as f64 * p.prompt_per_million + completion as f64 * p.completion_per_million)
                / 1_000_000.0
        });
        Usage { prompt_tokens: prompt, completion_tokens: completion, cost_usd }
    }
}

/// Everything the fallback needs.
#[derive(Debug, Clone)]
pub struct LlmConfig {
    /// The API's base URL, ending in `/v1` (OpenAI: `https://api.openai.com/v1`).
    pub base_url: String,
    pub model: String,
    pub api_key: Option<ApiKey>,
    pub policy: FallbackPolicy,
    /// Requests in flight at once.
    pub concurrency: usize,
    /// One attempt's time limit.
    pub timeout: Duration,
    /// Retries of a 429 or 5xx (honouring `Retry-After`) before a call fails.
    pub max_retries: usize,
    /// Consecutive failed calls after which the endpoint counts as down.
    pub breaker_failures: u32,
    /// How long a down endpoint is left alone before it is tried again.
    pub breaker_cooldown: Duration,
    pub prices: PriceTable,
    /// Per tenant and calendar month (UTC), in US dollars; `None` is no limit.
    pub monthly_budget_usd: Option<f64>,
    /// Ask through the Batch API: jobs are held until the run's end.
    pub batch: Option<crate::batch::BatchOptions>,
}

impl LlmConfig {
    /// Defaults for `model` at `base_url`, asked when unsure.
    pub fn new(base_url: impl Into<String>, model: impl Into<String>) -> Self {
        LlmConfig {
            base_url: base_url.into(),
            model: model.into(),
            api_key: None,
            policy: FallbackPolicy::Unsure { below: 0.5 },
            concurrency: 8,
            timeout: Duration::from_secs(60),
            max_retries: 6,
            breaker_failures: 5,
            breaker_cooldown: Duration::from_secs(30),
            prices: PriceTable::default(),
            monthly_budget_usd: None,
            batch: None,
        }
    }
}
