//! The worker: claims jobs from the durable queue and runs the shared
//! pipeline on them, on tokio's blocking pool, a bounded number at a time.
//!
//! Invariants:
//! - A claimed job is leased; the worker renews the lease while the pipeline
//!   runs. A job whose worker died is claimed again when its lease expires.
//! - The result, the job's end and the webhook event are written in one
//!   transaction, and only by the lease holder, so a result is written once.
//! - A transient failure (blob store, panic) is retried with exponential
//!   backoff; after `max_attempts` the job is dead-lettered with its error.
//!   A file the pipeline cannot read (corrupt, encrypted) is not transient:
//!   its invoice ends `failed` with the cause at once.
//! - With a supplier memory, a readable invoice whose supplier the tenant's
//!   memory knows is recalled through it (cascade stage 3) before review
//!   status is decided. The page's words are stored with the result, with
//!   or without a memory, for the memory to learn from when the invoice is
//!   reviewed and for `invex learn export`.
//! - With a language-model fallback, an invoice its policy finds unsure is
//!   sent after the memory (cascade stage 4), with the tenant as the payer
//!   (its settings and budget apply); its checked answer joins through the
//!   processor's merge, the lease is renewed while waiting, and the
//!   outcome is counted on `/metrics`.
//! - With a [`ModelSwap`], each job runs on the model version active when
//!   it was claimed, and its result records that version; a promotion or a
//!   rollback is picked up between jobs (`model_swap`).
//! - On shutdown the worker claims nothing more, lets jobs in flight finish
//!   for `shutdown_grace`, and gives back (releases) the rest.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use invex_domain::fallback::{Fallback, FallbackJob, FallbackOutcome};
use invex_domain::memory::{MemoryStage, supplier_keys};
use invex_domain::service::review::{status_after_extraction, summarize};
use invex_domain::service::{
    BlobStore, InvoiceStatus, InvoiceSummary, Job, ProcessedResult, Repository,
};
use invex_domain::{Document, InvoiceProcessor, Prediction, Status};
use serde_json::json;
use sha2::{Digest, Sha256};
use tokio::sync::{Notify, Semaphore, watch};
use tokio::task::JoinSet;
use tracing::{Instrument, info, info_span, warn};

use crate::metrics::Metrics;
use crate::model_swap::ModelSwap;

#[derive(Debug, Clone)]
pub struct WorkerOptions {
    /// Names this worker in the job table (host and pid, say).
    pub name: String,
    /// Jobs processed at once.
    pub concurrency: usize,
    pub lease: Duration,
    /// How often to look for work when no upload wakes the worker.
    pub poll_interval: Duration,
    pub max_attempts: u32,
    /// First retry delay; doubled on each further attempt.
    pub retry_base: Duration,
    pub shutdown_grace: Duration,
    /// Fault injection for the crash-recovery test: wait this long after
    /// claiming a job, before processing it.
    pub stall_after_claim: Option<Duration>,
}

impl Default for WorkerOptions {
    fn default() -> Self {
        WorkerOptions {
            name: format!("worker-{}", std::process::id()),
            concurrency: 2,
            lease: Duration::from_secs(60),
            poll_interval: Duration::from_millis(500),
            max_attempts: 5,
            retry_base: Duration::from_secs(2),
            shutdown_grace: Duration::from_secs(30),
            stall_after_claim: None,
        }
    }
}

pub struct Worker {
    pub repo: Arc<dyn Repository>,
    pub blobs: Arc<dyn BlobStore>,
    pub processor: Arc<dyn InvoiceProcessor>,
    /// The supplier memory stage; `None` turns it off.
    pub memory: Option<Arc<dyn MemoryStage>>,
    /// The language-model fallback (cascade stage 4), asked after the
    /// memory; `None` turns it off.
    pub fallback: Option<Arc<dyn Fallback>>,
    /// Hot swap of the layout model; `None` runs `processor` always (the
    /// rules alone, say) and records no model version.
    pub models: Option<Arc<ModelSwap>>,
    pub metrics: Arc<Metrics>,
    pub new_jobs: Arc<Notify>,
    pub options: WorkerOptions,
}

impl Worker {
    /// Runs until `shutdown` turns true, then drains as the module says.
    pub async fn run(self: Arc<Self>, mut shutdown: watch::Receiver<bool>) {
        let slots = Arc::new(Semaphore::new(self.options.concurrency.max(1)));
        let (hard_stop_tx, hard_stop) = watch::channel(false);
        let mut tasks = JoinSet::new();
        info!(worker = %self.options.name, concurrency = self.options.concurrency, "worker started");
        loop {
            if *shutdown.borrow() {
                break;
            }
            let permit = tokio::select! {
                permit = slots.clone().acquire_owned() => permit.expect("semaphore is never closed"),
                _ = shutdown.changed() => break,
            };
            if let Some(models) = &self.models {
                models.refresh(self.repo.as_ref(), self.blobs.as_ref(), &self.metrics).await;
            }
            let lease = chrono::Duration::from_std(self.options.lease)
                .unwrap_or(chrono::Duration::seconds(60));
            match self.repo.claim_job(&self.options.name, lease, Utc::now()).await {
                Ok(Some(job)) => {
                    let me = self.clone();
                    let stop = hard_stop.clone();
                    let span = info_span!("job", job = %job.id, invoice = %job.invoice_id, tenant = %job.tenant_id, attempt = job.attempts);
                    tasks.spawn(
                        async move {
                            me.process(job, stop).await;
                            drop(permit);
                        }
                        .instrument(span),
                    );
                }
                Ok(None) => {
                    drop(permit);
                    tokio::select! {
                        _ = tokio::time::sleep(self.options.poll_interval) => {}
                        _ = self.new_jobs.notified() => {}
                        _ = shutdown.changed() => break,
                    }
                }
                Err(e) => {
                    drop(permit);
                    warn!(error = %e, "could not claim a job");
                    tokio::select! {
                        _ = tokio::time::sleep(self.options.poll_interval) => {}
                        _ = shutdown.changed() => break,
                    }
                }
            }
            while tasks.try_join_next().is_some() {}
        }
        info!(in_flight = tasks.len(), "worker stopping: no new jobs; waiting for jobs in flight");
        let drained = tokio::time::timeout(self.options.shutdown_grace, async {
            while tasks.join_next().await.is_some() {}
        })
        .await;
        if drained.is_err() {
            let _ = hard_stop_tx.send(true);
            while tasks.join_next().await.is_some() {}
        }
        info!("worker stopped");
    }

    async fn process(&self, job: Job, mut hard_stop: watch::Receiver<bool>) {
        let started = Instant::now();
        if let Some(stall) = self.options.stall_after_claim {
            info!(?stall, "stalling after claim (fault injection)");
            tokio::select! {
                _ = tokio::time::sleep(stall) => {}
                _ = hard_stop.changed() => return self.release(&job).await,
            }
        }
        let bytes = match self.blobs.get(&job.blob_key).await {
            Ok(bytes) => bytes,
            Err(e) => {
                return self
                    .retry_or_dead(&job, &format!("could not read the original: {e}"))
                    .await;
            }
        };
        let (processor, model_version) = match &self.models {
            Some(models) => models.current(),
            None => (self.processor.clone(), None),
        };
        let extractor_name = processor.extractor_name();
        let file_name = job.file_name.clone();
        // The fallback's cache key; only a worker with a fallback hashes the file.
        let content_hash =
            self.fallback.as_ref().map(|_| crate::routes::upload::hex(&Sha256::digest(&bytes)));
        let reader = processor.clone();
        let mut handle =
            tokio::task::spawn_blocking(move || reader.process_with_words(file_name, &bytes));
        let renew_every = self.options.lease / 3;
        let outcome = loop {
            tokio::select! {
                joined = &mut handle => break joined,
                _ = tokio::time::sleep(renew_every) => {
                    let until = Utc::now() + chrono::Duration::from_std(self.options.lease).unwrap_or_default();
                    if !matches!(self.repo.extend_lease(&job, until).await, Ok(true)) {
                        warn!("lost the lease while processing; another worker will finish the job");
                        return;
                    }
                }
                _ = hard_stop.changed() => return self.release(&job).await,
            }
        };
        let (prediction, document) = match outcome {
            Ok((p, document))
                if !(p.status == Status::Failed && p.error_type.as_deref() == Some("internal")) =>
            {
                (p, document)
            }
            Ok((p, _)) => {
                return self
                    .retry_or_dead(&job, p.error.as_deref().unwrap_or("internal error"))
                    .await;
            }
            Err(e) => return self.retry_or_dead(&job, &format!("the pipeline crashed: {e}")).await,
        };
        let (prediction, document) = self.recall(&job, prediction, document).await;
        let Some(prediction) = self
            .ask_fallback(&job, content_hash, processor.as_ref(), prediction, document.as_ref())
            .await
        else {
            return; // the lease is lost: the job is another worker's now
        };
        let mut result = processed_result(&prediction, extractor_name, &job.file_name);
        result.model_version = model_version;
        result.words = document.and_then(|d| serde_json::to_string(&d).ok());
        let payload = json!({
            "event": "invoice.processed",
            "invoice_id": job.invoice_id,
            "tenant_id": job.tenant_id,
            "status": result.status,
            "at": Utc::now().to_rfc3339(),
        })
        .to_string();
        let outcome = match self
            .repo
            .complete_job(&job, &result, "invoice.processed", &payload, Utc::now())
            .await
        {
            Ok(true) => result.status.as_str(),
            Ok(false) => {
                warn!("lease lost before the result was written; the other worker's result stands");
                "lease_lost"
            }
            Err(e) => {
                warn!(error = %e, "could not write the result; the job is retried when its lease expires");
                "write_failed"
            }
        };
        self.metrics.jobs.with_label_values(&[outcome]).inc();
        self.metrics
            .job_seconds
            .with_label_values(&[outcome])
            .observe(started.elapsed().as_secs_f64());
        info!(status = outcome, ms = started.elapsed().as_millis() as u64, "job finished");
    }

    /// The prediction with what the tenant's memory of its supplier finds
    /// on the page. Without a memory stage, words, a known supplier or any
    /// memory of it, or when the store fails, the prediction is unchanged
    /// (and the words are kept).
    async fn recall(
        &self,
        job: &Job,
        mut prediction: Prediction,
        document: Option<Document>,
    ) -> (Prediction, Option<Document>) {
        // The words are kept without a memory stage too: `invex learn export`
        // needs them to turn reviews into training data.
        let Some(document) = document else { return (prediction, None) };
        let Some(stage) = self.memory.clone() else { return (prediction, Some(document)) };
        if prediction.status != Status::Ok {
            return (prediction, Some(document));
        }
        let keys = supplier_keys(&prediction.invoice);
        let supplier = match self.repo.find_supplier(&job.tenant_id, &keys).await {
            Ok(Some(s)) if !s.memory.is_empty() => s,
            Ok(_) => return (prediction, Some(document)),
            Err(e) => {
                warn!(error = %e, "could not read the supplier memory; extracting without it");
                return (prediction, Some(document));
            }
        };
        let invoice = prediction.invoice.clone();
        let recalled = tokio::task::spawn_blocking(move || {
            let invoice = stage.recall(&document, &supplier.memory, invoice);
            (invoice, document, supplier.id)
        })
        .await;
        match recalled {
            Ok((invoice, document, supplier)) => {
                info!(supplier = %supplier, "supplier memory recalled");
                prediction.invoice = invoice;
                (prediction, Some(document))
            }
            Err(e) => {
                warn!(error = %e, "the supplier memory crashed; the result is left without it");
                (prediction, None)
            }
        }
    }

    /// The prediction with the language-model fallback's answer joined in,
    /// when there is a fallback, words, and a reason to ask. The lease is
    /// renewed while waiting; `None` when it is lost or the worker must stop.
    async fn ask_fallback(
        &self,
        job: &Job,
        content_hash: Option<String>,
        processor: &dyn InvoiceProcessor,
        prediction: Prediction,
        document: Option<&Document>,
    ) -> Option<Prediction> {
        let (Some(fallback), Some(content_hash)) = (self.fallback.clone(), content_hash) else {
            return Some(prediction);
        };
        let tenant = Some(job.tenant_id.clone());
        let policy = fallback.policy();
        let Some(ask) = FallbackJob::wanted(policy, &prediction, document, || content_hash, tenant)
        else {
            return Some(prediction);
        };
        let reasons = ask.reasons.clone();
        let (tx, rx) = tokio::sync::oneshot::channel();
        // `submit` may block while the fallback is full.
        let submitted = tokio::task::spawn_blocking(move || {
            fallback.submit(ask, Box::new(move |outcome| drop(tx.send(outcome))))
        });
        let answer = async {
            match (submitted.await, rx.await) {
                (Ok(()), Ok(outcome)) => outcome,
                _ => {
                    FallbackOutcome::GaveUp { reason: "the language model fallback crashed".into() }
                }
            }
        };
        tokio::pin!(answer);
        let renew_every = self.options.lease / 3;
        let outcome = loop {
            tokio::select! {
                outcome = &mut answer => break outcome,
                _ = tokio::time::sleep(renew_every) => {
                    let until = Utc::now() + chrono::Duration::from_std(self.options.lease).unwrap_or_default();
                    if !matches!(self.repo.extend_lease(job, until).await, Ok(true)) {
                        warn!("lost the lease while asking the language model");
                        return None;
                    }
                }
            }
        };
        let joined = processor.join_fallback(prediction, reasons, outcome);
        if let Some(info) = &joined.invoice.fallback {
            self.metrics.record_llm(info);
            info!(outcome = %info.outcome, accepted = info.accepted.len(), refused = info.refused.len(),
                "language model fallback");
        }
        Some(joined)
    }

    async fn release(&self, job: &Job) {
        match self.repo.release_job(job).await {
            Ok(_) => info!("released the job for another worker"),
            Err(e) => {
                warn!(error = %e, "could not release the job; it is retried when its lease expires")
            }
        }
        self.metrics.jobs.with_label_values(&["released"]).inc();
    }

    async fn retry_or_dead(&self, job: &Job, error: &str) {
        let now = Utc::now();
        let retry_at = (job.attempts < self.options.max_attempts).then(|| {
            let factor = 2u32.saturating_pow(job.attempts.saturating_sub(1)).min(64);
            now + chrono::Duration::from_std(self.options.retry_base * factor).unwrap_or_default()
        });
        let label = if retry_at.is_some() { "retry" } else { "dead" };
        warn!(error, retry_at = ?retry_at, "job failed");
        if let Err(e) = self.repo.fail_job(job, error, retry_at, now).await {
            warn!(error = %e, "could not record the failure; the job is retried when its lease expires");
        }
        self.metrics.jobs.with_label_values(&[label]).inc();
    }
}

/// What is stored for a pipeline result: a readable invoice is `done` or
/// `needs_review` by the review rules; an unreadable file is `failed`.
pub fn processed_result(
    prediction: &Prediction,
    extractor: &str,
    file_name: &str,
) -> ProcessedResult {
    let (status, summary) = match prediction.status {
        Status::Ok => {
            let summary = summarize(&prediction.invoice, file_name);
            (status_after_extraction(&prediction.invoice), summary)
        }
        Status::Failed => (
            InvoiceStatus::Failed,
            InvoiceSummary { search_text: file_name.to_lowercase(), ..InvoiceSummary::default() },
        ),
    };
    ProcessedResult {
        status,
        result: prediction.to_json(),
        extractor: extractor.to_string(),
        error: prediction.error.clone(),
        error_type: prediction.error_type.clone(),
        summary,
        words: None,
        model_version: None,
    }
}
