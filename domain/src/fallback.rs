//! The cascade's fourth stage, as the pipeline and the service see it: a
//! large language model asked only about the invoices the earlier stages are
//! unsure of, whose answer is never trusted blindly.
//!
//! - [`FallbackPolicy`] says which invoices are worth asking about
//!   (`--llm-when`), and why ([`FallbackPolicy::reasons`]).
//! - [`Fallback`] asks. It is callback-based so that a synchronous batch on
//!   rayon and the async service both drive it: the implementation runs the
//!   requests on its own runtime, a bounded number at a time, and calls
//!   `done` once per job from its own thread. [`Fallback::submit`] blocks
//!   while too many jobs are in flight, which is the batch's back-pressure.
//! - [`FallbackOutcome`] is what came back: the accepted fields (each parsed,
//!   validated and found on the page, source [`Source::Llm`]) and the values
//!   that were refused, or why nothing was asked or nothing came back.
//! - [`LlmStore`] is where answers are cached and spending is counted, so a
//!   re-run costs nothing and a tenant's monthly budget holds; the storage
//!   crate implements it on SQLite and PostgreSQL.
//!
//! The caller merges the accepted fields with its own through the same rules
//! as the layout model's (`pipeline::combine::merge`).

use async_trait::async_trait;

use crate::geometry::Document;
use crate::invoice::{FieldName, Invoice, Source};
use crate::prediction::{Prediction, Status};
use crate::service::StoreResult;
use crate::service::review::failed_checks;

/// When to ask (`--llm-when`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FallbackPolicy {
    /// Never (the default until an endpoint is configured).
    Never,
    /// When a required field is missing, a check fails, or a booked field's
    /// confidence is below `below`.
    Unsure { below: f32 },
    /// For every invoice read from its page.
    Always,
}

impl FallbackPolicy {
    /// Why `invoice` should be asked about, in words; empty when it need not
    /// be. An invoice read from e-invoice XML is never asked about: its
    /// values are exact.
    pub fn reasons(&self, invoice: &Invoice) -> Vec<String> {
        let from_xml = invoice.e_invoice.as_ref().is_some_and(|e| e.syntax.is_some());
        if from_xml {
            return Vec::new();
        }
        let below = match *self {
            FallbackPolicy::Never => return Vec::new(),
            FallbackPolicy::Always => return vec!["asked for every invoice".into()],
            FallbackPolicy::Unsure { below } => below,
        };
        // The failed checks name the missing required fields too.
        let mut why = failed_checks(invoice);
        why.extend(
            crate::service::review::BOOKED_FIELDS
                .iter()
                .filter_map(|&f| invoice.get(f).map(|field| (f, field)))
                .filter(|(_, field)| field.source != Source::Human && field.confidence < below)
                .map(|(f, field)| format!("{} is unsure ({:.2})", f.as_str(), field.confidence)),
        );
        why
    }
}

/// One invoice to ask about. Owned, so the fallback can keep it while the
/// request is in flight.
#[derive(Debug, Clone)]
pub struct FallbackJob {
    /// The file's sha256 (lower-case hex): the cache key's first part.
    pub content_hash: String,
    /// The file's name, for logs.
    pub file: String,
    /// The page's words, from which the request is built and against which
    /// every answer is checked.
    pub document: Document,
    /// What the earlier stages read.
    pub invoice: Invoice,
    /// Why it is asked ([`FallbackPolicy::reasons`]).
    pub reasons: Vec<String>,
    /// The tenant whose budget pays, in the service; `None` in a batch.
    pub tenant: Option<String>,
}

impl FallbackJob {
    /// The job for a prediction read from its page, when `policy` gives a
    /// reason to ask: a failed prediction, or one without words (an
    /// e-invoice, an image model's reading), is never asked about.
    /// `content_hash` is called only then (it hashes the file).
    pub fn wanted(
        policy: FallbackPolicy,
        prediction: &Prediction,
        document: Option<&Document>,
        content_hash: impl FnOnce() -> String,
        tenant: Option<String>,
    ) -> Option<FallbackJob> {
        let document = document.filter(|d| d.pages.iter().any(|p| !p.words.is_empty()))?;
        if prediction.status != Status::Ok {
            return None;
        }
        let reasons = policy.reasons(&prediction.invoice);
        (!reasons.is_empty()).then(|| FallbackJob {
            content_hash: content_hash(),
            file: prediction.file.clone(),
            document: document.clone(),
            invoice: prediction.invoice.clone(),
            reasons,
            tenant,
        })
    }
}

/// Tokens one answer cost.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Usage {
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
    /// In US dollars, from the configured price table; 0 for a cached answer.
    pub cost_usd: f64,
}

/// What the fallback made of one job.
#[derive(Debug, Clone, PartialEq)]
pub enum FallbackOutcome {
    /// The model answered. `invoice` holds only the accepted values (source
    /// `llm`); `refused` says, per value, why it was not accepted.
    Answered { invoice: Box<Invoice>, refused: Vec<Refusal>, usage: Usage, cached: bool },
    /// Nothing usable came back (refusals, malformed or off-schema JSON after
    /// one retry, the endpoint down, a timeout); the invoice goes to review
    /// with this reason.
    GaveUp { reason: String },
    /// Not asked: the tenant turned the fallback off, or its budget is spent.
    Skipped { reason: String },
}

/// A value the model returned that was not accepted.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Refusal {
    pub field: FieldName,
    pub value: String,
    /// For example "not found on the page" or the validator's reason.
    pub why: String,
}

/// What the fallback did with an invoice, kept on it (`Invoice::fallback`)
/// and written as the prediction's `llm` object.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FallbackInfo {
    /// Why it was asked ([`FallbackPolicy::reasons`]).
    pub reasons: Vec<String>,
    /// `answered`, `cached` (answered from the cache), `gave_up` or `skipped`.
    pub outcome: String,
    /// For `gave_up` and `skipped`: why, as a failed check, so the invoice
    /// goes to review with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The fields whose values were accepted.
    #[serde(default)]
    pub accepted: Vec<FieldName>,
    /// The values refused, and why.
    #[serde(default)]
    pub refused: Vec<Refusal>,
    #[serde(default)]
    pub usage: Usage,
}

impl FallbackInfo {
    /// The record of `outcome` for an invoice asked about for `reasons`.
    pub fn of(reasons: Vec<String>, outcome: &FallbackOutcome) -> FallbackInfo {
        let mut info = FallbackInfo { reasons, ..Default::default() };
        match outcome {
            FallbackOutcome::Answered { invoice, refused, usage, cached } => {
                info.outcome = if *cached { "cached" } else { "answered" }.into();
                info.accepted = invoice.fields.keys().copied().collect();
                info.refused = refused.clone();
                info.usage = *usage;
            }
            FallbackOutcome::GaveUp { reason } => {
                info.outcome = "gave_up".into();
                info.note = Some(format!("the language model gave no usable answer: {reason}"));
            }
            FallbackOutcome::Skipped { reason } => {
                info.outcome = "skipped".into();
                info.note = Some(format!("the language model was not asked: {reason}"));
            }
        }
        info
    }
}

/// Asks a language model about an invoice. See the module documentation.
pub trait Fallback: Send + Sync {
    /// For logs and metrics, for example "llm".
    fn name(&self) -> &'static str;
    /// When to ask.
    fn policy(&self) -> FallbackPolicy;
    /// Starts asking about `job`; `done` is called exactly once, possibly
    /// from another thread, possibly before this returns. Blocks while too
    /// many jobs are in flight.
    fn submit(&self, job: FallbackJob, done: Box<dyn FnOnce(FallbackOutcome) + Send>);
    /// Called once after a batch's last `submit`: a fallback that gathers
    /// jobs (the Batch API) asks about them now and calls their `done`s.
    fn finish(&self) {}
}

/// A cached answer: the model's raw JSON content and what it cost when it
/// was asked.
#[derive(Debug, Clone, PartialEq)]
pub struct CachedAnswer {
    pub content: String,
    pub usage: Usage,
}

/// A tenant's own fallback settings (`invex tenants llm`); without them the
/// fallback is on, with the configured budget.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TenantLlm {
    /// False: the tenant's invoices are never sent.
    pub enabled: bool,
    /// The tenant's monthly budget in US dollars, instead of the configured one.
    pub monthly_budget_usd: Option<f64>,
}

/// Where answers are cached and spending is counted.
#[async_trait]
pub trait LlmStore: Send + Sync {
    /// The tenant's own settings, if it has any.
    async fn tenant_llm(&self, tenant: &str) -> StoreResult<Option<TenantLlm>>;
    async fn set_tenant_llm(&self, tenant: &str, settings: &TenantLlm) -> StoreResult<()>;
    /// The answer stored under `key` (content hash, model and prompt version).
    async fn cached_answer(&self, key: &str) -> StoreResult<Option<CachedAnswer>>;
    async fn store_answer(&self, key: &str, answer: &CachedAnswer) -> StoreResult<()>;
    /// Adds one call's usage to `tenant`'s month (`YYYY-MM`).
    async fn record_usage(&self, tenant: &str, month: &str, usage: &Usage) -> StoreResult<()>;
    /// What `tenant` has spent in `month`, in US dollars, and its calls.
    async fn spent(&self, tenant: &str, month: &str) -> StoreResult<(f64, u64)>;
}
