//! `invex serve` and `invex worker`: open the stores, build the pipeline,
//! and run the API, the workers, the webhook sender and the retention
//! sweeper until SIGINT/SIGTERM, then shut down without losing work.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use invex_api::{
    AppState, ModelLoader, ModelStatus, ModelSwap, ServiceOptions, WebhookOptions, WebhookSender,
    Worker, WorkerOptions,
};
use invex_domain::InvoiceProcessor;
use invex_domain::memory::MemoryStage;
use invex_domain::service::{BlobStore, Repository};
use invex_pipeline::Pipeline;
use invex_storage::{LocalBlobStore, S3BlobStore, SqlRepository};
use tokio::sync::watch;
use tracing::{info, warn};

use crate::cli::ExtractorChoice;
use crate::cli_service::{ServeArgs, StoreArgs, WorkerArgs, WorkerOnlyArgs, redact_url};

/// The SQLite file and blob folder under the data directory, unless URLs say otherwise.
pub async fn open_stores(args: &StoreArgs) -> Result<(Arc<dyn Repository>, Arc<dyn BlobStore>)> {
    std::fs::create_dir_all(&args.data_dir)
        .with_context(|| format!("creating the data folder {}", args.data_dir.display()))?;
    let url = match &args.database_url {
        Some(url) => url.0.clone(),
        None => format!("sqlite://{}", args.data_dir.join("invex.db").display()),
    };
    let repo = SqlRepository::connect(&url, args.db_connections.max(1))
        .await
        .with_context(|| format!("opening the database {}", redact_url(&url)))?;
    let blobs: Arc<dyn BlobStore> = match args.blob_store.as_deref() {
        Some(url) if url.starts_with("s3://") => Arc::new(S3BlobStore::from_url(url)?),
        Some(path) => Arc::new(LocalBlobStore::new(path.into())?),
        None => Arc::new(LocalBlobStore::new(args.data_dir.join("blobs"))?),
    };
    info!(database = repo.backend_name(), blobs = blobs.kind(), "stores open");
    Ok((Arc::new(repo), blobs))
}

/// A single-threaded runtime for the CLI commands that talk to the stores.
pub fn store_runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread().enable_all().build()?)
}

/// The shared pipeline (pdfium + the configured extractor), and whether its model loaded.
fn processor(args: &WorkerArgs) -> Result<(Arc<dyn InvoiceProcessor>, ModelStatus)> {
    let reader = super::document_reader(&args.extractor)?;
    let extractor = super::extractor::build(&args.extractor)?;
    let mut detail = format!("extractor {}", extractor.name());
    if !args.extractor.reader.in_process_reader {
        detail.push_str(", documents read in helper processes");
    }
    let mut pipeline = Pipeline::new(reader, extractor, invex_pipeline::pdf::DEFAULT_MAX_BYTES);
    if let Some(second) = super::donut::second_opinion(&args.donut)? {
        detail.push_str(&format!(", second opinion {}", second.name()));
        pipeline = pipeline.with_second_opinion(second);
    }
    if let Some(stage) = super::extractor::e_invoice_stage(&args.extractor)? {
        detail.push_str(if stage.trust_xml {
            ", e-invoice XML trusted"
        } else {
            ", e-invoice XML checked against the page"
        });
        pipeline = pipeline.with_e_invoice(stage);
    }
    let status = ModelStatus { ready: true, detail };
    Ok((Arc::new(pipeline), status))
}

/// Builds the worker's pipeline again around another model directory: how a
/// promoted model version is swapped in.
struct PipelineLoader {
    args: WorkerArgs,
}

impl ModelLoader for PipelineLoader {
    fn load(&self, dir: &Path) -> std::result::Result<Arc<dyn InvoiceProcessor>, String> {
        let mut args = self.args.clone();
        args.extractor.model = Some(dir.to_path_buf());
        processor(&args).map(|(p, _)| p).map_err(|e| format!("{e:#}"))
    }
}

/// Hot swap of the layout model, when the extractor runs one.
fn model_swap(args: &WorkerArgs, base: Arc<dyn InvoiceProcessor>) -> Option<Arc<ModelSwap>> {
    if !matches!(args.extractor.extractor, ExtractorChoice::Model | ExtractorChoice::Combined) {
        return None;
    }
    let base_dir = args.extractor.model.clone().or_else(|| crate::model_dir::find().ok());
    let base_label = base_dir
        .and_then(|dir| invex_models::Manifest::from_dir(&dir).ok())
        .map(|m| format!("{}@{}", m.name, m.version));
    let cache =
        args.model_cache.clone().unwrap_or_else(|| std::env::temp_dir().join("invex-models"));
    Some(Arc::new(ModelSwap::new(
        Arc::new(PipelineLoader { args: args.clone() }),
        cache,
        Duration::from_secs(args.model_poll_seconds.max(1)),
        base,
        base_label,
    )))
}

fn worker_options(args: &WorkerArgs) -> WorkerOptions {
    WorkerOptions {
        name: format!("{}-{}", hostname(), std::process::id()),
        concurrency: args.workers,
        lease: Duration::from_secs(args.lease_seconds.max(1)),
        poll_interval: Duration::from_millis(args.poll_ms.max(10)),
        max_attempts: args.max_attempts.max(1),
        retry_base: Duration::from_millis(args.retry_base_ms),
        shutdown_grace: Duration::from_secs(args.shutdown_grace_seconds),
        stall_after_claim: args.stall_after_claim_ms.map(Duration::from_millis),
    }
}

fn webhook_options(args: &WorkerArgs) -> WebhookOptions {
    WebhookOptions {
        max_attempts: args.webhook_max_attempts.max(1),
        retry_base: Duration::from_millis(args.webhook_retry_base_ms),
        ..WebhookOptions::default()
    }
}

/// A start-up line on stdout. A closed stdout (a supervisor that read the
/// address and left) must not stop a long-running process, as `println!`'s
/// panic would.
fn announce(line: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}").and_then(|()| out.flush());
}

fn hostname() -> String {
    std::fs::read_to_string("/etc/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "host".into())
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread().enable_all().build()?)
}

/// Turns `true` on SIGINT or SIGTERM.
fn shutdown_signal() -> watch::Receiver<bool> {
    let (tx, rx) = watch::channel(false);
    tokio::spawn(async move {
        let ctrl_c = tokio::signal::ctrl_c();
        #[cfg(unix)]
        let term = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut s) => {
                    s.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        #[cfg(not(unix))]
        let term = std::future::pending::<()>();
        tokio::select! {
            _ = ctrl_c => {}
            _ = term => {}
        }
        info!("shutdown requested: no new requests or jobs; finishing work in flight");
        let _ = tx.send(true);
    });
    rx
}

/// The supplier memory stage, unless turned off.
fn supplier_memory(args: &WorkerArgs) -> Option<Arc<dyn MemoryStage>> {
    args.supplier_memory.then(|| Arc::new(invex_memory::SupplierMemory) as Arc<dyn MemoryStage>)
}

pub fn serve(args: ServeArgs) -> Result<ExitCode> {
    let (processor, model) = processor(&args.worker)?;
    runtime()?.block_on(async move {
        let (repo, blobs) = open_stores(&args.store).await?;
        let shutdown = shutdown_signal();
        let options = ServiceOptions {
            max_upload_bytes: args.max_upload_mb.saturating_mul(1024 * 1024),
            rate_limit_per_minute: args.rate_limit_per_minute,
            cors_origins: args.cors_origin.clone(),
            ui_session_ttl: Duration::from_secs(args.ui_session_hours.max(1) * 3600),
            secure_cookies: args.secure_cookies,
            ..ServiceOptions::default()
        };
        let memory = supplier_memory(&args.worker);
        // The review UI's page images, drawn where the documents are read.
        let pages = super::page_renderer(&args.worker.extractor)?;
        // `GET /v1/bookings`: approved invoices booked with one config.
        let config = match &args.booking_config {
            Some(path) => invex_exporters::TenantConfig::load(path)?,
            None => invex_exporters::TenantConfig::default(),
        };
        let exports: Arc<dyn invex_domain::BookingExport> =
            Arc::new(invex_exporters::ApprovedExport { config });
        let state = AppState::new(
            repo.clone(),
            blobs.clone(),
            options,
            model,
            memory.clone(),
            Some(pages),
            Some(exports),
            shutdown.clone(),
        );
        let mut background = Vec::new();
        if args.worker.workers > 0 {
            let worker = Arc::new(Worker {
                repo: repo.clone(),
                blobs: blobs.clone(),
                models: model_swap(&args.worker, processor.clone()),
                processor,
                memory,
                fallback: super::llm::service_fallback(&args.worker.llm, &repo)?,
                metrics: state.metrics.clone(),
                new_jobs: state.new_jobs.clone(),
                options: worker_options(&args.worker),
            });
            background.push(tokio::spawn(worker.run(shutdown.clone())));
        }
        let sender = Arc::new(WebhookSender::new(
            repo.clone(),
            state.metrics.clone(),
            webhook_options(&args.worker),
        ));
        background.push(tokio::spawn(sender.run(shutdown.clone())));
        let sweep_every = Duration::from_secs(args.retention_sweep_seconds.max(1));
        background.push(tokio::spawn(invex_api::sweeper::run(
            state.clone(),
            sweep_every,
            shutdown.clone(),
        )));

        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .with_context(|| format!("listening on {}", args.listen))?;
        let address = listener.local_addr()?;
        info!(%address, "listening");
        announce(&format!("invex: listening on http://{address}"));
        invex_api::serve(listener, state).await.context("serving HTTP")?;
        for task in background {
            if let Err(e) = task.await {
                warn!(error = %e, "a background task ended badly");
            }
        }
        info!("stopped");
        Ok(ExitCode::SUCCESS)
    })
}

pub fn worker(args: WorkerOnlyArgs) -> Result<ExitCode> {
    let (processor, model) = processor(&args.worker)?;
    runtime()?.block_on(async move {
        let (repo, blobs) = open_stores(&args.store).await?;
        let shutdown = shutdown_signal();
        let memory = supplier_memory(&args.worker);
        // The state the health and metrics routes read (no API is served).
        let state = AppState::new(
            repo.clone(),
            blobs.clone(),
            ServiceOptions::default(),
            model,
            memory.clone(),
            None,
            None,
            shutdown.clone(),
        );
        let metrics = state.metrics.clone();
        let ops = match args.listen {
            Some(listen) => {
                let listener = tokio::net::TcpListener::bind(listen)
                    .await
                    .with_context(|| format!("listening on {listen}"))?;
                let address = listener.local_addr()?;
                announce(&format!("invex: health and metrics on http://{address}"));
                Some(tokio::spawn(invex_api::serve_ops(listener, state)))
            }
            None => None,
        };
        let worker = Arc::new(Worker {
            repo: repo.clone(),
            blobs,
            models: model_swap(&args.worker, processor.clone()),
            processor,
            memory,
            fallback: super::llm::service_fallback(&args.worker.llm, &repo)?,
            metrics: metrics.clone(),
            new_jobs: Arc::new(tokio::sync::Notify::new()),
            options: WorkerOptions {
                concurrency: args.worker.workers.max(1),
                ..worker_options(&args.worker)
            },
        });
        let sender = Arc::new(WebhookSender::new(repo, metrics, webhook_options(&args.worker)));
        let webhooks = tokio::spawn(sender.run(shutdown.clone()));
        announce(&format!("invex: worker {} started", worker.options.name));
        worker.run(shutdown).await;
        let _ = webhooks.await;
        if let Some(ops) = ops {
            let _ = ops.await;
        }
        Ok(ExitCode::SUCCESS)
    })
}
