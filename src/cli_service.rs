//! The service's part of the command line: `serve`, `worker`, `tenants`, `keys`.
//! Every option has an `INVEX_*` environment fallback; secrets never show in `Debug`.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;

use clap::{Args, Subcommand};

use crate::cli::ExtractorArgs;

/// A database URL whose password is hidden in `Debug` and logs.
#[derive(Clone)]
pub struct DatabaseUrl(pub String);

impl FromStr for DatabaseUrl {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(DatabaseUrl(s.to_string()))
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", redact_url(&self.0))
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_string() };
    match rest.split_once('@') {
        Some((user_info, host)) => {
            let user = user_info.split(':').next().unwrap_or("");
            format!("{scheme}://{user}:***@{host}")
        }
        None => url.to_string(),
    }
}

/// Where the service keeps its data.
#[derive(Debug, Args)]
pub struct StoreArgs {
    /// Folder for the embedded defaults: the SQLite database `invex.db` and the originals under `blobs/`.
    #[arg(long, env = "INVEX_DATA_DIR", default_value = "invex-data")]
    pub data_dir: PathBuf,
    /// Database: `sqlite://PATH` or `postgres://USER@HOST/DB` (default: SQLite in the data folder).
    #[arg(long, env = "INVEX_DATABASE_URL")]
    pub database_url: Option<DatabaseUrl>,
    /// Originals: a folder, or `s3://BUCKET/PREFIX` (credentials from AWS_ACCESS_KEY_ID,
    /// AWS_SECRET_ACCESS_KEY, AWS_REGION and AWS_ENDPOINT_URL) (default: `blobs/` in the data folder).
    #[arg(long, env = "INVEX_BLOB_STORE")]
    pub blob_store: Option<String>,
    /// Database connections per process.
    #[arg(long, env = "INVEX_DB_CONNECTIONS", default_value_t = 8)]
    pub db_connections: u32,
}

#[derive(Debug, Clone, Args)]
pub struct WorkerArgs {
    /// Jobs processed at once (0: the API alone, no workers in this process).
    #[arg(long, env = "INVEX_WORKERS", default_value_t = 2)]
    pub workers: usize,
    /// Seconds a claimed job is leased; a dead worker's job is taken again after this.
    #[arg(long, env = "INVEX_LEASE_SECONDS", default_value_t = 60)]
    pub lease_seconds: u64,
    /// How often idle workers look for jobs, in milliseconds.
    #[arg(long, env = "INVEX_POLL_MS", default_value_t = 500)]
    pub poll_ms: u64,
    /// Attempts before a failing job is dead-lettered.
    #[arg(long, env = "INVEX_MAX_ATTEMPTS", default_value_t = 5)]
    pub max_attempts: u32,
    /// First retry delay in milliseconds, doubled per attempt.
    #[arg(long, env = "INVEX_RETRY_BASE_MS", default_value_t = 2000)]
    pub retry_base_ms: u64,
    /// On shutdown, seconds to let jobs in flight finish before releasing them.
    #[arg(long, env = "INVEX_SHUTDOWN_GRACE_SECONDS", default_value_t = 30)]
    pub shutdown_grace_seconds: u64,
    /// Fault injection for crash tests: sleep this long after claiming each job.
    #[arg(long, env = "INVEX_STALL_AFTER_CLAIM_MS", hide = true)]
    pub stall_after_claim_ms: Option<u64>,
    /// First webhook retry delay in milliseconds, doubled per attempt.
    #[arg(long, env = "INVEX_WEBHOOK_RETRY_BASE_MS", default_value_t = 10_000)]
    pub webhook_retry_base_ms: u64,
    /// Webhook attempts before a delivery is marked failed.
    #[arg(long, env = "INVEX_WEBHOOK_MAX_ATTEMPTS", default_value_t = 8)]
    pub webhook_max_attempts: u32,
    /// The supplier memory (cascade stage 3): reviews teach it where each
    /// supplier prints its fields, and its next invoices are read with it.
    /// `false` turns it off (nothing learned, nothing recalled).
    #[arg(long, env = "INVEX_SUPPLIER_MEMORY", default_value_t = true, action = clap::ArgAction::Set)]
    pub supplier_memory: bool,
    /// How often workers ask which layout model version is promoted, in
    /// seconds; a promotion or rollback is swapped in between jobs. Only
    /// with `--extractor model` or `combined`.
    #[arg(long, env = "INVEX_MODEL_POLL_SECONDS", default_value_t = 10)]
    pub model_poll_seconds: u64,
    /// Where workers keep the promoted model versions' files (copied from
    /// the blob store). Default: `invex-models` in the temporary directory.
    #[arg(long, env = "INVEX_MODEL_CACHE")]
    pub model_cache: Option<PathBuf>,
    #[command(flatten)]
    pub extractor: ExtractorArgs,
    #[command(flatten)]
    pub donut: crate::cli::DonutArgs,
    #[command(flatten)]
    pub llm: crate::cli::LlmArgs,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (port 0 picks a free port; the address is printed).
    #[arg(long, env = "INVEX_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Largest upload, in MiB.
    #[arg(long, env = "INVEX_MAX_UPLOAD_MB", default_value_t = 50)]
    pub max_upload_mb: u64,
    /// Requests per minute per API key.
    #[arg(long, env = "INVEX_RATE_LIMIT_PER_MINUTE", default_value_t = 600)]
    pub rate_limit_per_minute: u32,
    /// Origins allowed by CORS (comma separated).
    #[arg(long, env = "INVEX_CORS_ORIGINS", value_delimiter = ',')]
    pub cors_origin: Vec<String>,
    /// Seconds between retention sweeps.
    #[arg(long, env = "INVEX_RETENTION_SWEEP_SECONDS", default_value_t = 3600)]
    pub retention_sweep_seconds: u64,
    /// Hours a review-UI sign-in (`/ui`) lasts.
    #[arg(long, env = "INVEX_UI_SESSION_HOURS", default_value_t = 8)]
    pub ui_session_hours: u64,
    /// Mark the UI's cookies Secure: set when browsers reach the service over
    /// TLS (a proxy's `X-Forwarded-Proto: https` also does, per request).
    #[arg(long, env = "INVEX_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// The booking config (accounts, company; the TOML of `invex export
    /// --config`) for `GET /v1/bookings`; the BAS defaults without it.
    #[arg(long, env = "INVEX_BOOKING_CONFIG")]
    pub booking_config: Option<std::path::PathBuf>,
    #[command(flatten)]
    pub store: StoreArgs,
    #[command(flatten)]
    pub worker: WorkerArgs,
}

#[derive(Debug, Args)]
pub struct WorkerOnlyArgs {
    /// Serve `/health/live`, `/health/ready` and `/metrics` on this address
    /// (for example `127.0.0.1:9100`; port 0 picks one, printed at start).
    #[arg(long, env = "INVEX_WORKER_LISTEN")]
    pub listen: Option<std::net::SocketAddr>,
    #[command(flatten)]
    pub store: StoreArgs,
    #[command(flatten)]
    pub worker: WorkerArgs,
}

#[derive(Debug, Subcommand)]
pub enum LearnCommand {
    /// Write reviewed (approved) invoices as training data: every word with
    /// its box and its BIO label, aligned from the corrected values, as
    /// Parquet (or CSV); a tenth of the invoices is marked `holdout`.
    Export(LearnExportArgs),
}

#[derive(Debug, Args)]
pub struct LearnExportArgs {
    /// Only this tenant's invoices (by name); all tenants when absent.
    #[arg(long)]
    pub tenant: Option<String>,
    /// Output file: `.parquet` or `.csv`.
    #[arg(short, long, default_value = "training.parquet")]
    pub out: PathBuf,
    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Debug, Args)]
pub struct ModelRegisterArgs {
    /// The model directory (manifest.json, model.onnx, config.json, tokenizer.json).
    pub dir: PathBuf,
    /// The version it was fine-tuned from.
    #[arg(long)]
    pub parent: Option<String>,
    /// SHA-256 of the training data (default: the manifest's
    /// `training.data_sha256`, when the training scripts wrote one).
    #[arg(long)]
    pub data_hash: Option<String>,
    /// Who registers it (default: $USER).
    #[arg(long)]
    pub by: Option<String>,
    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Debug, Args)]
pub struct ModelListArgs {
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Debug, Args)]
pub struct ModelGateArgs {
    /// The registered version to evaluate.
    pub id: String,
    /// Promote it when it passes.
    #[arg(long)]
    pub promote: bool,
    /// Generated invoices in the frozen set (fixed seed).
    #[arg(long, default_value_t = 60)]
    pub generated: usize,
    /// Families of the generated part (default: all).
    #[arg(long)]
    pub families: Option<String>,
    /// The real corpus's test part (its files that are present).
    #[arg(long, default_value = "datasets/real/test")]
    pub real: PathBuf,
    /// Leave out the real corpus's test part.
    #[arg(long)]
    pub no_real: bool,
    /// Who runs the gate (default: $USER).
    #[arg(long)]
    pub by: Option<String>,
    /// The extractor, reader and model settings the workers run.
    #[command(flatten)]
    pub extractor: ExtractorArgs,
    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Debug, Args)]
pub struct ModelPromoteArgs {
    pub id: String,
    /// Promote though the gate did not pass (or never ran).
    #[arg(long)]
    pub force: bool,
    #[arg(long)]
    pub by: Option<String>,
    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Debug, Args)]
pub struct ModelFetchArgs {
    /// A version id, or `active` (fails when the built-in model is active:
    /// its folder is models/shipped/invex-layout).
    pub id: String,
    /// The folder to write (created; must not exist yet).
    #[arg(long)]
    pub out: PathBuf,
    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Debug, Args)]
pub struct ModelRollbackArgs {
    #[arg(long)]
    pub by: Option<String>,
    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Debug, Subcommand)]
pub enum TenantsCommand {
    /// Create a tenant and print its first admin key (shown once).
    Create {
        name: String,
        /// Erase invoices older than this many days.
        #[arg(long)]
        retention_days: Option<u32>,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// List tenants.
    List {
        #[command(flatten)]
        store: StoreArgs,
    },
    /// A tenant's language-model fallback: on or off (nothing of its
    /// invoices is sent), and its own monthly budget in US dollars. Without
    /// options, prints the settings and this month's spending.
    Llm {
        /// The tenant's name.
        name: String,
        /// `on` or `off`.
        #[arg(long, value_parser = ["on", "off"])]
        fallback: Option<String>,
        /// The tenant's monthly budget in US dollars (instead of --llm-budget-usd).
        #[arg(long, value_parser = crate::cli::usd_amount)]
        budget_usd: Option<f64>,
        #[command(flatten)]
        store: StoreArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Make an API key for a tenant and print it (shown once).
    Create {
        /// The tenant's name.
        #[arg(long)]
        tenant: String,
        #[arg(long, value_parser = ["uploader", "reviewer", "admin"], default_value = "uploader")]
        role: String,
        /// A label for the key.
        #[arg(long, default_value = "")]
        name: String,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// List a tenant's keys.
    List {
        #[arg(long)]
        tenant: String,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Revoke a key.
    Revoke {
        #[arg(long)]
        tenant: String,
        key_id: String,
        #[command(flatten)]
        store: StoreArgs,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_urls_hide_passwords() {
        let check =
            |input: &str, expected: &str| assert_eq!(redact_url(input), expected, "{input}");
        check("postgres://invex:s3cret@db:5432/invex", "postgres://invex:***@db:5432/invex");
        check("postgres://root@127.0.0.1/test", "postgres://root:***@127.0.0.1/test");
        check("sqlite:///data/invex.db", "sqlite:///data/invex.db");
        assert!(!format!("{:?}", DatabaseUrl("postgres://u:pw@h/d".into())).contains("pw"));
    }
}
