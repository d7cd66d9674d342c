//! An in-process service for the API tests: a real database (SQLite in a
//! temp folder, or a fresh PostgreSQL database), a local blob folder, the
//! real pipeline (pdfium + rules) in a worker, and the router called with
//! `oneshot`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use chrono::Utc;
use invex_api::{
    AppState, ModelStatus, ModelSwap, ServiceOptions, SharedState, Worker, WorkerOptions,
    generate_key,
};
use invex_domain::InvoiceProcessor;
use invex_domain::fallback::Fallback;
use invex_domain::service::{Repository, Role, Tenant};
use invex_pipeline::{Pipeline, RulesExtractor};
use invex_storage::test_database::TestDatabase;
use invex_storage::{LocalBlobStore, SqlRepository};
use serde_json::Value;
use tokio::sync::watch;
use tower::ServiceExt;

#[derive(Debug, Clone, Copy)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Generates one `#[tokio::test]` per backend from an `async fn(Backend)`.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
               async fn $name() { super::$name($crate::service::harness::Backend::Sqlite).await } )*
        }
        mod postgres {
            $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
               async fn $name() { super::$name($crate::service::harness::Backend::Postgres).await } )*
        }
    };
}

/// Makes a worker's model swap from a folder and the base processor.
pub type MakeSwap = Box<dyn FnOnce(&std::path::Path, Arc<dyn InvoiceProcessor>) -> ModelSwap>;

/// Makes the worker's language-model fallback from the service's database.
pub type MakeFallback = Box<dyn FnOnce(Arc<dyn Repository>) -> Arc<dyn Fallback>>;

pub struct Harness {
    pub state: SharedState,
    pub router: Router,
    pub repo: Arc<dyn Repository>,
    pub dir: tempfile::TempDir,
    /// Kept so a PostgreSQL test database lives as long as the harness.
    database: TestDatabase,
    stop: watch::Sender<bool>,
}

pub fn pipeline() -> Pipeline {
    pipeline_with(Box::new(crate::pdfium()))
}

/// The same pipeline reading in helper processes (this build's `invex
/// reader`), which abort or hang on files carrying the fault marks.
pub fn isolated_pipeline(timeout: Duration) -> Pipeline {
    let limits = invex_pipeline::isolated::HelperLimits { timeout, ..Default::default() };
    let exe = std::path::PathBuf::from(env!("CARGO_BIN_EXE_invex"));
    let reader = invex_pipeline::isolated::IsolatedReader::new(exe, limits)
        .with_env("INVEX_READER_FAULTS", "1");
    pipeline_with(Box::new(reader))
}

fn pipeline_with(reader: Box<dyn invex_domain::DocumentReader>) -> Pipeline {
    let e_invoice = invex_pipeline::EInvoiceStage {
        reader: Box::new(invex_einvoice::XmlInvoiceReader::default()),
        trust_xml: false,
    };
    Pipeline::new(reader, Box::new(RulesExtractor::new()), 200 << 20).with_e_invoice(e_invoice)
}

impl Harness {
    pub async fn start(backend: Backend) -> Harness {
        Self::with_options(backend, ServiceOptions::default()).await
    }

    pub async fn with_options(backend: Backend, options: ServiceOptions) -> Harness {
        Self::with_pipeline(backend, options, pipeline()).await
    }

    pub async fn with_pipeline(
        backend: Backend,
        options: ServiceOptions,
        pipeline: Pipeline,
    ) -> Harness {
        Self::build(backend, options, pipeline, None, None).await
    }

    /// With a language-model fallback made from the service's database.
    pub async fn with_fallback(backend: Backend, fallback: MakeFallback) -> Harness {
        Self::build(backend, ServiceOptions::default(), pipeline(), None, Some(fallback)).await
    }

    /// With hot swap of the layout model: `models` makes the worker's
    /// [`ModelSwap`] from the harness's folder and the base processor.
    pub async fn with_models(backend: Backend, models: MakeSwap) -> Harness {
        Self::build(backend, ServiceOptions::default(), pipeline(), Some(models), None).await
    }

    async fn build(
        backend: Backend,
        options: ServiceOptions,
        pipeline: Pipeline,
        models: Option<MakeSwap>,
        fallback: Option<MakeFallback>,
    ) -> Harness {
        let dir = crate::tempdir();
        let database = match backend {
            Backend::Sqlite => TestDatabase::sqlite(dir.path()),
            Backend::Postgres => TestDatabase::postgres().await,
        };
        let repo: Arc<dyn Repository> = Arc::new(
            SqlRepository::connect(database.url(), 8).await.expect("open the test database"),
        );
        let blobs = Arc::new(LocalBlobStore::new(dir.path().join("blobs")).expect("blob folder"));
        let (stop, shutdown) = watch::channel(false);
        let model = ModelStatus { ready: true, detail: "extractor rules".into() };
        let memory: Arc<dyn invex_domain::memory::MemoryStage> =
            Arc::new(invex_memory::SupplierMemory);
        let state = AppState::new(
            repo.clone(),
            blobs.clone(),
            options,
            model,
            Some(memory.clone()),
            Some(Arc::new(crate::pdfium())),
            Some(Arc::new(invex_exporters::ApprovedExport { config: booking_config() })),
            shutdown.clone(),
        );
        let processor: Arc<dyn InvoiceProcessor> = Arc::new(pipeline);
        let models = models.map(|make| Arc::new(make(dir.path(), processor.clone())));
        let worker = Arc::new(Worker {
            repo: repo.clone(),
            blobs,
            processor,
            models,
            memory: Some(memory),
            fallback: fallback.map(|make| make(repo.clone())),
            metrics: state.metrics.clone(),
            new_jobs: state.new_jobs.clone(),
            options: WorkerOptions {
                poll_interval: Duration::from_millis(50),
                retry_base: Duration::from_millis(50),
                ..WorkerOptions::default()
            },
        });
        tokio::spawn(worker.run(shutdown));
        let router = invex_api::router(state.clone());
        Harness { state, router, repo, dir, database, stop }
    }

    /// The database's URL, for `invex` commands run against it.
    pub fn database_url(&self) -> &str {
        self.database.url()
    }

    /// A tenant and its admin key.
    pub async fn tenant(&self, name: &str) -> (String, String) {
        let tenant = Tenant {
            id: uuid::Uuid::new_v4().to_string(),
            name: name.into(),
            retention_days: None,
            created_at: Utc::now(),
        };
        self.repo.create_tenant(&tenant).await.expect("create tenant");
        let key = self.key(&tenant.id, Role::Admin).await;
        (tenant.id, key)
    }

    pub async fn key(&self, tenant_id: &str, role: Role) -> String {
        let key = generate_key(tenant_id, role, "test", Utc::now());
        self.repo.insert_key(&key.record).await.expect("insert key");
        key.plaintext
    }

    pub async fn call(
        &self,
        method: Method,
        uri: &str,
        key: Option<&str>,
        body: Body,
        content_type: Option<&str>,
    ) -> (StatusCode, Value, Vec<u8>) {
        let mut request = Request::builder().method(method).uri(uri);
        if let Some(key) = key {
            request = request.header("authorization", format!("Bearer {key}"));
        }
        if let Some(ct) = content_type {
            request = request.header("content-type", ct);
        }
        let response = self
            .router
            .clone()
            .oneshot(request.body(body).expect("request"))
            .await
            .expect("infallible");
        let status = response.status();
        let bytes =
            axum::body::to_bytes(response.into_body(), usize::MAX).await.expect("body").to_vec();
        let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        (status, json, bytes)
    }

    pub async fn get(&self, uri: &str, key: &str) -> (StatusCode, Value) {
        let (s, j, _) = self.call(Method::GET, uri, Some(key), Body::empty(), None).await;
        (s, j)
    }

    pub async fn delete(&self, uri: &str, key: &str) -> (StatusCode, Value) {
        let (s, j, _) = self.call(Method::DELETE, uri, Some(key), Body::empty(), None).await;
        (s, j)
    }

    pub async fn json(
        &self,
        method: Method,
        uri: &str,
        key: &str,
        body: Value,
    ) -> (StatusCode, Value) {
        let (s, j, _) = self
            .call(method, uri, Some(key), Body::from(body.to_string()), Some("application/json"))
            .await;
        (s, j)
    }

    pub async fn upload(&self, key: &str, name: &str, bytes: Vec<u8>) -> (StatusCode, Value) {
        self.upload_as(key, name, bytes, "application/pdf").await
    }

    /// Uploads with a given content type (the service sniffs the content anyway).
    pub async fn upload_as(
        &self,
        key: &str,
        name: &str,
        bytes: Vec<u8>,
        content_type: &str,
    ) -> (StatusCode, Value) {
        let request = Request::builder()
            .method(Method::POST)
            .uri("/v1/invoices")
            .header("authorization", format!("Bearer {key}"))
            .header("content-type", content_type)
            .header("x-file-name", name)
            .body(Body::from(bytes))
            .expect("request");
        let response = self.router.clone().oneshot(request).await.expect("infallible");
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.expect("body");
        (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    }

    /// Polls until the invoice leaves queued/processing (30 s at most).
    pub async fn processed(&self, key: &str, id: &str) -> Value {
        let started = Instant::now();
        loop {
            let (status, body) = self.get(&format!("/v1/invoices/{id}"), key).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            if !matches!(body["status"].as_str(), Some("queued" | "processing")) {
                return body;
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "invoice {id} not processed in 30 s: {body}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

pub fn sample(n: usize) -> Vec<u8> {
    std::fs::read(crate::repo().join(format!("samples/inv-{n:05}.pdf"))).expect("sample PDF")
}

/// `n` values of a proptest strategy, drawn deterministically up front:
/// the harness is async and proptest's runner is not.
pub fn drawn<S: proptest::strategy::Strategy>(strategy: S, n: usize) -> Vec<S::Value> {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    (0..n).map(|_| strategy.new_tree(&mut runner).expect("a value").current()).collect()
}

/// The booking config of the test service's `GET /v1/bookings`.
pub fn booking_config() -> invex_exporters::TenantConfig {
    let toml = "[company]\nname = \"Testkommun\"\norg_nr = \"2120000142\"\n";
    invex_exporters::TenantConfig::from_toml(toml, "the test config").expect("booking config")
}
