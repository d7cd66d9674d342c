//! Prometheus metrics, served at `/metrics` in the text exposition format.
//! Request counts and latencies are recorded by a middleware; queue depth and
//! invoices per status, corrections per field and accuracy from reviewed
//! invoices per model version are read from the repository at scrape time.

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus::{
    Encoder, GaugeVec, HistogramOpts, HistogramVec, IntCounterVec, IntGaugeVec, Opts, Registry,
    TextEncoder,
};

use crate::error::ApiError;
use crate::state::SharedState;

pub struct Metrics {
    registry: Registry,
    pub http_requests: IntCounterVec,
    pub http_latency: HistogramVec,
    pub uploads: IntCounterVec,
    pub jobs: IntCounterVec,
    pub job_seconds: HistogramVec,
    pub webhook_deliveries: IntCounterVec,
    /// Model swaps by the workers of this process, by outcome.
    pub model_swaps: IntCounterVec,
    /// Invoices the language-model fallback was asked about, by outcome
    /// (answered, cached, gave_up, skipped).
    pub llm_invoices: IntCounterVec,
    /// The fallback's values, by verdict (accepted, refused).
    pub llm_values: IntCounterVec,
    /// Its tokens, by kind (prompt, completion).
    pub llm_tokens: IntCounterVec,
    /// What it cost, in US dollars, from the configured prices.
    pub llm_cost_usd: prometheus::Counter,
    queue: IntGaugeVec,
    invoices: IntGaugeVec,
    corrections: IntGaugeVec,
    reviewed_invoices: IntGaugeVec,
    reviewed_accuracy: GaugeVec,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// Counts one invoice's fallback outcome.
    pub fn record_llm(&self, info: &invex_domain::fallback::FallbackInfo) {
        self.llm_invoices.with_label_values(&[info.outcome.as_str()]).inc();
        self.llm_values.with_label_values(&["accepted"]).inc_by(info.accepted.len() as u64);
        self.llm_values.with_label_values(&["refused"]).inc_by(info.refused.len() as u64);
        self.llm_tokens.with_label_values(&["prompt"]).inc_by(info.usage.prompt_tokens);
        self.llm_tokens.with_label_values(&["completion"]).inc_by(info.usage.completion_tokens);
        self.llm_cost_usd.inc_by(info.usage.cost_usd.max(0.0));
    }

    pub fn new() -> Self {
        let registry = Registry::new();
        let counter = |name: &str, help: &str, labels: &[&str]| {
            let c = IntCounterVec::new(Opts::new(name, help), labels).expect("valid metric");
            registry.register(Box::new(c.clone())).expect("unique metric");
            c
        };
        let histogram = |name: &str, help: &str, labels: &[&str]| {
            let opts = HistogramOpts::new(name, help)
                .buckets(vec![0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0]);
            let h = HistogramVec::new(opts, labels).expect("valid metric");
            registry.register(Box::new(h.clone())).expect("unique metric");
            h
        };
        let gauge = |name: &str, help: &str, labels: &[&str]| {
            let g = IntGaugeVec::new(Opts::new(name, help), labels).expect("valid metric");
            registry.register(Box::new(g.clone())).expect("unique metric");
            g
        };
        Metrics {
            http_requests: counter(
                "invex_http_requests_total",
                "HTTP requests",
                &["method", "route", "status"],
            ),
            http_latency: histogram(
                "invex_http_request_duration_seconds",
                "HTTP request latency",
                &["method", "route"],
            ),
            uploads: counter("invex_uploads_total", "Uploaded files", &["outcome"]),
            jobs: counter("invex_jobs_total", "Processed jobs", &["outcome"]),
            job_seconds: histogram(
                "invex_job_duration_seconds",
                "Time to process one job",
                &["outcome"],
            ),
            llm_invoices: counter(
                "invex_llm_invoices_total",
                "Invoices the language-model fallback was asked about",
                &["outcome"],
            ),
            llm_values: counter(
                "invex_llm_values_total",
                "Values the language model returned, accepted or refused",
                &["verdict"],
            ),
            llm_tokens: counter("invex_llm_tokens_total", "Language model tokens", &["kind"]),
            llm_cost_usd: {
                let c = prometheus::Counter::new(
                    "invex_llm_cost_usd_total",
                    "Language model cost in US dollars",
                )
                .expect("valid metric");
                registry.register(Box::new(c.clone())).expect("unique metric");
                c
            },
            webhook_deliveries: counter(
                "invex_webhook_deliveries_total",
                "Webhook delivery attempts",
                &["outcome"],
            ),
            model_swaps: counter(
                "invex_model_swaps_total",
                "Layout model versions swapped in by this process's workers",
                &["outcome"],
            ),
            queue: gauge("invex_job_queue", "Jobs by state", &["state"]),
            invoices: gauge("invex_invoices", "Invoices by status", &["status"]),
            corrections: gauge(
                "invex_corrections",
                "Reviewers' corrections by field, all tenants",
                &["field"],
            ),
            reviewed_invoices: gauge(
                "invex_reviewed_invoices",
                "Approved invoices by the model version that extracted them, all tenants",
                &["model_version"],
            ),
            reviewed_accuracy: {
                let g = GaugeVec::new(
                    Opts::new(
                        "invex_reviewed_field_accuracy",
                        "Share of booked fields of approved invoices that no reviewer corrected, \
                         by model version",
                    ),
                    &["model_version"],
                )
                .expect("valid metric");
                registry.register(Box::new(g.clone())).expect("unique metric");
                g
            },
            registry,
        }
    }

    fn render(&self) -> Result<String, prometheus::Error> {
        let mut out = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut out)?;
        Ok(String::from_utf8_lossy(&out).into_owned())
    }
}

/// `GET /metrics`.
pub async fn metrics(State(state): State<SharedState>) -> Result<Response, ApiError> {
    let depth = state.repo.queue_depth().await?;
    state.metrics.queue.with_label_values(&["queued"]).set(depth.queued as i64);
    state.metrics.queue.with_label_values(&["running"]).set(depth.running as i64);
    state.metrics.queue.with_label_values(&["dead"]).set(depth.dead as i64);
    for (status, count) in state.repo.status_counts().await? {
        state.metrics.invoices.with_label_values(&[status.as_str()]).set(count as i64);
    }
    for (field, count) in state.repo.correction_counts(None).await? {
        state.metrics.corrections.with_label_values(&[&field]).set(count as i64);
    }
    for row in state.repo.model_accuracy(None).await? {
        let version = row.model_version.as_deref().unwrap_or("none");
        state
            .metrics
            .reviewed_invoices
            .with_label_values(&[version])
            .set(row.reviewed_invoices as i64);
        state.metrics.reviewed_accuracy.with_label_values(&[version]).set(row.accuracy);
    }
    let body = state.metrics.render().map_err(|e| ApiError::Internal(format!("metrics: {e}")))?;
    Ok(([(axum::http::header::CONTENT_TYPE, "text/plain; version=0.0.4")], body).into_response())
}

/// Middleware counting requests by method, matched route and status.
pub async fn track(State(state): State<SharedState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().as_str().to_string();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    state.metrics.http_requests.with_label_values(&[&method, &route, &status]).inc();
    state
        .metrics
        .http_latency
        .with_label_values(&[&method, &route])
        .observe(started.elapsed().as_secs_f64());
    response
}
