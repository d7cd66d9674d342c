//! [`LlmFallback`]: the [`Fallback`] the pipeline and the service use.
//!
//! Requests run on the fallback's own tokio runtime (two threads; the work
//! is waiting on the network), so a synchronous batch on rayon can hand jobs
//! over and go on reading files. [`Fallback::submit`] blocks while
//! `4 × concurrency` jobs are in flight: the batch's back-pressure.
//!
//! With the Batch API (`LlmConfig::batch`), `submit` holds the jobs and
//! [`Fallback::finish`] sends them all in one batch ([`crate::batch`]).
//!
//! Per job: the tenant's switch, the cache and the budget first
//! ([`Inner::admit`]), then the request, then [`Inner::settle`]: usage
//! recorded, the answer checked, an unusable one asked again once, live.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};

use async_openai::types::chat::CreateChatCompletionRequest;
use invex_domain::fallback::{
    CachedAnswer, Fallback, FallbackJob, FallbackOutcome, FallbackPolicy, LlmStore, Usage,
};
use tracing::{info, warn};

use crate::LlmError;
use crate::check::{BadAnswer, check_answer};
use crate::client::{LlmClient, RawAnswer};
use crate::config::LlmConfig;
use crate::prompt::{PROMPT_VERSION, SYSTEM_PROMPT, answer_schema, user_message};

/// Counters since start, for `/metrics` and the batch summary.
#[derive(Debug, Default)]
pub struct LlmStats {
    pub(crate) asked: AtomicU64,
    pub(crate) requests: AtomicU64,
    cached: AtomicU64,
    answered: AtomicU64,
    gave_up: AtomicU64,
    skipped: AtomicU64,
    bad_answers: AtomicU64,
    accepted_values: AtomicU64,
    refused_values: AtomicU64,
    prompt_tokens: AtomicU64,
    completion_tokens: AtomicU64,
    cost_micro_usd: AtomicU64,
}

/// A copy of [`LlmStats`] at one moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct StatsSnapshot {
    /// Invoices handed to the fallback.
    pub asked: u64,
    /// HTTP requests sent (a retried answer is two).
    pub requests: u64,
    /// Invoices answered from the cache, without a request.
    pub cached: u64,
    pub answered: u64,
    pub gave_up: u64,
    /// Not asked: budget spent or the fallback turned off.
    pub skipped: u64,
    /// Refusals, malformed or off-schema answers (each retried once).
    pub bad_answers: u64,
    pub accepted_values: u64,
    /// Values refused because they failed a validator or were not on the page.
    pub refused_values: u64,
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
    pub cost_usd: f64,
}

impl LlmStats {
    pub(crate) fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    fn usage(&self, usage: &Usage) {
        Self::add(&self.prompt_tokens, usage.prompt_tokens);
        Self::add(&self.completion_tokens, usage.completion_tokens);
        Self::add(&self.cost_micro_usd, (usage.cost_usd * 1_000_000.0).round() as u64);
    }

    pub fn snapshot(&self) -> StatsSnapshot {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        StatsSnapshot {
            asked: get(&self.asked),
            requests: get(&self.requests),
            cached: get(&self.cached),
            answered: get(&self.answered),
            gave_up: get(&self.gave_up),
            skipped: get(&self.skipped),
            bad_answers: get(&self.bad_answers),
            accepted_values: get(&self.accepted_values),
            refused_values: get(&self.refused_values),
            prompt_tokens: get(&self.prompt_tokens),
            completion_tokens: get(&self.completion_tokens),
            cost_usd: get(&self.cost_micro_usd) as f64 / 1_000_000.0,
        }
    }
}

/// A job held for the Batch API, and whom to tell.
type Pending = (FallbackJob, Box<dyn FnOnce(FallbackOutcome) + Send>);

/// The language-model fallback. See the module documentation.
pub struct LlmFallback {
    inner: Arc<Inner>,
    gate: Arc<Gate>,
    /// With the Batch API: the jobs of the run, sent by [`Fallback::finish`].
    pending: Mutex<Vec<Pending>>,
    /// Where requests run: the fallback's own runtime, or the service's.
    handle: tokio::runtime::Handle,
    /// The runtime, when the fallback owns it.
    runtime: Option<tokio::runtime::Runtime>,
}

pub(crate) struct Inner {
    pub(crate) client: LlmClient,
    store: Arc<dyn LlmStore>,
    pub(crate) config: LlmConfig,
    pub(crate) stats: LlmStats,
    /// The estimated cost of the calls in flight, per tenant and month, so
    /// that concurrent calls cannot together cross the budget. Held across
    /// the budget check (an async lock: the check reads the database).
    reserved: tokio::sync::Mutex<std::collections::HashMap<String, f64>>,
}

/// Completion tokens assumed before a call (an answer of the schema's 15
/// fields is 100 to 250).
const ESTIMATED_COMPLETION_TOKENS: u64 = 300;

impl LlmFallback {
    /// The runtime requests run on: two threads (the work is waiting on the
    /// network). Open the [`LlmStore`] on it too (a database pool belongs to
    /// the runtime it was opened on), then hand it to [`LlmFallback::new`].
    pub fn runtime() -> Result<tokio::runtime::Runtime, LlmError> {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("invex-llm")
            .enable_all()
            .build()
            .map_err(|e| LlmError::Config(format!("runtime: {e}")))
    }

    /// A fallback for `config`'s endpoint, caching and counting in `store`,
    /// running on `runtime` (from [`LlmFallback::runtime`]).
    pub fn new(
        config: LlmConfig,
        store: Arc<dyn LlmStore>,
        runtime: tokio::runtime::Runtime,
    ) -> Result<LlmFallback, LlmError> {
        let mut fallback = Self::on_runtime(config, store, runtime.handle().clone())?;
        fallback.runtime = Some(runtime);
        Ok(fallback)
    }

    /// A fallback whose requests run on `handle`'s runtime (the service's).
    pub fn on_runtime(
        config: LlmConfig,
        store: Arc<dyn LlmStore>,
        handle: tokio::runtime::Handle,
    ) -> Result<LlmFallback, LlmError> {
        // reqwest's client needs a runtime's reactor when it is built.
        let client = {
            let _guard = handle.enter();
            LlmClient::new(&config)?
        };
        if config.prices.price(&config.model).is_none() {
            warn!(model = %config.model, "no price for this model (--llm-price); its cost counts as 0");
        }
        let gate = Arc::new(Gate::new(config.concurrency.max(1) * 4));
        let inner = Arc::new(Inner {
            client,
            store,
            config,
            stats: LlmStats::default(),
            reserved: Default::default(),
        });
        Ok(LlmFallback { inner, gate, pending: Mutex::default(), handle, runtime: None })
    }

    pub fn stats(&self) -> StatsSnapshot {
        self.inner.stats.snapshot()
    }

    pub fn config(&self) -> &LlmConfig {
        &self.inner.config
    }
}

impl Drop for LlmFallback {
    fn drop(&mut self) {
        // Dropping a runtime inside another one's async context panics.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

impl Fallback for LlmFallback {
    fn name(&self) -> &'static str {
        "llm"
    }

    fn policy(&self) -> FallbackPolicy {
        self.inner.config.policy
    }

    fn finish(&self) {
        self.send_batch();
    }

    fn submit(&self, job: FallbackJob, done: Box<dyn FnOnce(FallbackOutcome) + Send>) {
        if self.inner.config.batch.is_some() {
            self.pending.lock().unwrap_or_else(|p| p.into_inner()).push((job, done));
            return;
        }
        self.gate.enter();
        let (inner, gate) = (Arc::clone(&self.inner), Arc::clone(&self.gate));
        self.handle.spawn(async move {
            let outcome = inner.ask(job).await;
            gate.leave();
            done(outcome);
        });
    }
}

/// A job the tenant's switch, the cache and the budget have let through:
/// what asking needs, and the budget it holds until its usage is recorded.
pub(crate) struct Ticket {
    tenant: String,
    month: String,
    /// The cache key: content hash | model | prompt version.
    key: String,
    /// The user message.
    user: String,
    /// The reserved estimate and its `tenant|month` key.
    reservation: Option<(String, f64)>,
}

impl LlmFallback {
    /// The Batch API path's end of a run: every held job is asked in one
    /// batch and its `done` called. Blocks until the batch is done (or
    /// `--llm-batch-wait` is over: the batch is kept for the next run).
    fn send_batch(&self) {
        let Some(options) = self.inner.config.batch.clone() else { return };
        let pending = std::mem::take(&mut *self.pending.lock().unwrap_or_else(|p| p.into_inner()));
        if pending.is_empty() {
            return;
        }
        let (jobs, dones): (Vec<_>, Vec<_>) = pending.into_iter().unzip();
        let inner = Arc::clone(&self.inner);
        let outcomes = self.handle.block_on(async move { inner.ask_batch(&jobs, &options).await });
        for (done, outcome) in dones.into_iter().zip(outcomes) {
            done(outcome);
        }
    }
}

impl Inner {
    async fn ask(&self, job: FallbackJob) -> FallbackOutcome {
        LlmStats::add(&self.stats.asked, 1);
        let outcome = match self.admit(&job, 1.0).await {
            Err(settled) => settled,
            Ok(ticket) => {
                let outcome = self.call(&job, &ticket).await;
                self.release(ticket).await;
                outcome
            }
        };
        self.count(&job, &outcome);
        outcome
    }

    /// Counts and logs one job's outcome.
    pub(crate) fn count(&self, job: &FallbackJob, outcome: &FallbackOutcome) {
        let counter = match outcome {
            FallbackOutcome::Answered { invoice, refused, .. } => {
                LlmStats::add(&self.stats.accepted_values, invoice.fields.len() as u64);
                LlmStats::add(&self.stats.refused_values, refused.len() as u64);
                for r in refused {
                    warn!(file = %job.file, field = r.field.as_str(), value = %r.value, why = %r.why,
                        "language model value refused");
                }
                &self.stats.answered
            }
            FallbackOutcome::GaveUp { reason } => {
                warn!(file = %job.file, %reason, "language model gave no usable answer");
                &self.stats.gave_up
            }
            FallbackOutcome::Skipped { reason } => {
                info!(file = %job.file, %reason, "language model not asked");
                &self.stats.skipped
            }
        };
        LlmStats::add(counter, 1);
    }

    /// The tenant's switch, the cache and the budget: `Err` with the outcome
    /// when no request is needed or allowed, else the ticket to ask with.
    /// `price_factor` scales the estimate (the Batch API costs half).
    pub(crate) async fn admit(
        &self,
        job: &FallbackJob,
        price_factor: f64,
    ) -> Result<Ticket, FallbackOutcome> {
        let tenant = job.tenant.as_deref().unwrap_or("cli").to_string();
        let skipped = |reason: String| FallbackOutcome::Skipped { reason };
        let settings = self.store.tenant_llm(&tenant).await.map_err(|e| {
            skipped(format!("the tenant's language model settings could not be read: {e}"))
        })?;
        if settings.is_some_and(|s| !s.enabled) {
            return Err(skipped("the tenant has turned the language model fallback off".into()));
        }
        let budget = settings.and_then(|s| s.monthly_budget_usd).or(self.config.monthly_budget_usd);
        let month = chrono::Utc::now().format("%Y-%m").to_string();
        let key = format!("{}|{}|{}", job.content_hash, self.client.model(), PROMPT_VERSION);
        // A cached answer costs nothing, so it is used even past the budget.
        match self.store.cached_answer(&key).await {
            Ok(Some(cached)) => {
                if let Ok((invoice, refused)) = check_answer(&cached.content, &job.document) {
                    LlmStats::add(&self.stats.cached, 1);
                    let usage = Usage { cost_usd: 0.0, ..cached.usage };
                    return Err(FallbackOutcome::Answered {
                        invoice: Box::new(invoice),
                        refused,
                        usage,
                        cached: true,
                    });
                }
            }
            Ok(None) => {}
            Err(e) => warn!(error = %e, "language model cache unreadable; asking"),
        }
        let user = user_message(&job.content_hash, &job.document);
        let mut ticket = Ticket { tenant, month, key, user, reservation: None };
        let Some(budget) = budget else { return Ok(ticket) };
        let estimate = price_factor
            * self
                .config
                .prices
                .usage(
                    self.client.model(),
                    ((SYSTEM_PROMPT.len() + ticket.user.len()) as u64).div_ceil(4),
                    ESTIMATED_COMPLETION_TOKENS,
                )
                .cost_usd;
        let budget_key = format!("{}|{}", ticket.tenant, ticket.month);
        let mut reserved = self.reserved.lock().await;
        let spent = match self.store.spent(&ticket.tenant, &ticket.month).await {
            Ok((spent, _)) => spent,
            Err(e) => {
                return Err(skipped(format!(
                    "the language model budget could not be checked: {e}"
                )));
            }
        };
        let in_flight = reserved.get(&budget_key).copied().unwrap_or(0.0);
        if spent + in_flight + estimate > budget {
            return Err(skipped(format!(
                "the monthly language model budget (${budget:.2}) is spent \
                 (${spent:.4} in {}, ${in_flight:.4} in flight)",
                ticket.month
            )));
        }
        *reserved.entry(budget_key.clone()).or_default() += estimate;
        ticket.reservation = Some((budget_key, estimate));
        Ok(ticket)
    }

    /// Gives back a ticket's reserved budget (its usage is recorded by now).
    pub(crate) async fn release(&self, ticket: Ticket) {
        if let Some((budget_key, estimate)) = ticket.reservation {
            let mut reserved = self.reserved.lock().await;
            if let Some(r) = reserved.get_mut(&budget_key) {
                *r = (*r - estimate).max(0.0);
            }
        }
    }

    /// The request for a ticket.
    pub(crate) fn request(&self, ticket: &Ticket) -> CreateChatCompletionRequest {
        self.client.request(SYSTEM_PROMPT, ticket.user.clone(), answer_schema())
    }

    /// Asks live and settles the answer.
    async fn call(&self, job: &FallbackJob, ticket: &Ticket) -> FallbackOutcome {
        LlmStats::add(&self.stats.requests, 1);
        match self.client.complete(self.request(ticket)).await {
            Ok(raw) => self.settle(job, ticket, raw, 1.0).await,
            Err(e) => FallbackOutcome::GaveUp { reason: e.to_string() },
        }
    }

    /// Records an answer's usage (at `price_factor` of the live price) and
    /// checks it; a usable one is cached, an unusable one is asked again
    /// once, live.
    pub(crate) async fn settle(
        &self,
        job: &FallbackJob,
        ticket: &Ticket,
        first: RawAnswer,
        price_factor: f64,
    ) -> FallbackOutcome {
        let mut total = Usage::default();
        let mut last: Option<BadAnswer> = None;
        let (mut raw, mut factor) = (first, price_factor);
        for attempt in 0..2 {
            let mut usage = self.config.prices.usage(
                self.client.model(),
                raw.prompt_tokens,
                raw.completion_tokens,
            );
            usage.cost_usd *= factor;
            self.stats.usage(&usage);
            total.prompt_tokens += usage.prompt_tokens;
            total.completion_tokens += usage.completion_tokens;
            total.cost_usd += usage.cost_usd;
            if let Err(e) = self.store.record_usage(&ticket.tenant, &ticket.month, &usage).await {
                warn!(error = %e, "language model usage not recorded");
            }
            let checked = match (&raw.refusal, raw.truncated, &raw.content) {
                (Some(refusal), _, _) => Err(BadAnswer::Refused(refusal.clone())),
                (None, true, _) => Err(BadAnswer::Truncated("finish_reason length".into())),
                (None, false, None) => Err(BadAnswer::Malformed("no content".into())),
                (None, false, Some(content)) => check_answer(content, &job.document),
            };
            match checked {
                Ok((invoice, refused)) => {
                    let content = raw.content.unwrap_or_default();
                    let cached = CachedAnswer { content, usage };
                    if let Err(e) = self.store.store_answer(&ticket.key, &cached).await {
                        warn!(error = %e, "language model answer not cached");
                    }
                    return FallbackOutcome::Answered {
                        invoice: Box::new(invoice),
                        refused,
                        usage: total,
                        cached: false,
                    };
                }
                Err(bad) => {
                    LlmStats::add(&self.stats.bad_answers, 1);
                    warn!(file = %job.file, error = %bad, "unusable language model answer");
                    last = Some(bad);
                }
            }
            if attempt == 0 {
                LlmStats::add(&self.stats.requests, 1);
                raw = match self.client.complete(self.request(ticket)).await {
                    Ok(raw) => raw,
                    Err(e) => return FallbackOutcome::GaveUp { reason: e.to_string() },
                };
                factor = 1.0;
            }
        }
        let why = last.map_or_else(String::new, |b| b.to_string());
        FallbackOutcome::GaveUp { reason: format!("no usable answer in two tries ({why})") }
    }
}

/// A counting gate: at most `limit` holders at once; `enter` blocks.
struct Gate {
    limit: usize,
    count: Mutex<usize>,
    freed: Condvar,
}

impl Gate {
    fn new(limit: usize) -> Self {
        Gate { limit, count: Mutex::new(0), freed: Condvar::new() }
    }

    fn enter(&self) {
        let mut count = self.count.lock().unwrap_or_else(|p| p.into_inner());
        while *count >= self.limit {
            count = self.freed.wait(count).unwrap_or_else(|p| p.into_inner());
        }
        *count += 1;
    }

    fn leave(&self) {
        let mut count = self.count.lock().unwrap_or_else(|p| p.into_inner());
        *count = count.saturating_sub(1);
        self.freed.notify_one();
    }
}
