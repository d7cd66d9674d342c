//! `invex export --to fortnox|visma`: sends the bookings to Fortnox or Visma
//! eEkonomi through their APIs, one invoice at a time per slot of
//! `--concurrency`, under the target's rate limit. Invoices already in the
//! target (by the ledger, or by supplier and invoice number) are skipped;
//! each invoice gets one line: created, already present, or failed and why.
//! Credentials come from flags or `INVEX_FORTNOX_*` / `INVEX_VISMA_*`; the
//! refresh token the target rotates in is kept in `--token-file`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::Args;
use invex_exporters::fortnox::{FortnoxClient, FortnoxConfig};
use invex_exporters::http::{FileTokenStore, RateLimit, Secret, TokenStore};
use invex_exporters::ledger::JsonLedger;
use invex_exporters::remote::{
    BatchSummary, ExportJob, InvoiceReport, Outcome, RemoteExporter, export_batch,
};
use invex_exporters::visma::{VismaClient, VismaConfig};
use invex_exporters::{Booking, Skipped};

/// The remote targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Remote {
    Fortnox,
    Visma,
}

impl Remote {
    fn name(self) -> &'static str {
        match self {
            Remote::Fortnox => "Fortnox",
            Remote::Visma => "Visma eEkonomi",
        }
    }
}

/// Flags of `invex export` for the remote targets.
#[derive(Debug, Args)]
pub struct RemoteArgs {
    /// Fortnox API base URL.
    #[arg(long, env = "INVEX_FORTNOX_BASE_URL", default_value = FortnoxConfig::BASE_URL)]
    pub fortnox_base_url: String,
    /// Fortnox token endpoint [default: Fortnox's, or BASE_URL/oauth-v1/token for another base URL].
    #[arg(long, env = "INVEX_FORTNOX_TOKEN_URL")]
    pub fortnox_token_url: Option<String>,
    /// The integration's OAuth2 client id (Fortnox developer portal).
    #[arg(long, env = "INVEX_FORTNOX_CLIENT_ID")]
    pub fortnox_client_id: Option<String>,
    /// The integration's OAuth2 client secret.
    #[arg(long, env = "INVEX_FORTNOX_CLIENT_SECRET", hide_env_values = true)]
    pub fortnox_client_secret: Option<Secret>,
    /// The integration's refresh token (used until the token file holds a newer one).
    #[arg(long, env = "INVEX_FORTNOX_REFRESH_TOKEN", hide_env_values = true)]
    pub fortnox_refresh_token: Option<Secret>,
    /// Visma eEkonomi API base URL.
    #[arg(long, env = "INVEX_VISMA_BASE_URL", default_value = VismaConfig::BASE_URL)]
    pub visma_base_url: String,
    /// Visma token endpoint [default: Visma's, or BASE_URL/connect/token for another base URL].
    #[arg(long, env = "INVEX_VISMA_TOKEN_URL")]
    pub visma_token_url: Option<String>,
    /// The integration's OAuth2 client id (Visma Developer Portal).
    #[arg(long, env = "INVEX_VISMA_CLIENT_ID")]
    pub visma_client_id: Option<String>,
    /// The integration's OAuth2 client secret.
    #[arg(long, env = "INVEX_VISMA_CLIENT_SECRET", hide_env_values = true)]
    pub visma_client_secret: Option<Secret>,
    /// The integration's refresh token (used until the token file holds a newer one).
    #[arg(long, env = "INVEX_VISMA_REFRESH_TOKEN", hide_env_values = true)]
    pub visma_refresh_token: Option<Secret>,
    /// Which invoices went where; a rerun skips them without asking the target.
    #[arg(long, env = "INVEX_EXPORT_LEDGER", default_value = "invex-export-ledger.json")]
    pub ledger: PathBuf,
    /// Where the rotated refresh token is kept [default: beside the ledger].
    #[arg(long, env = "INVEX_TOKEN_FILE")]
    pub token_file: Option<PathBuf>,
    /// Invoices in flight at once (the target's rate limit paces the requests).
    #[arg(long, env = "INVEX_EXPORT_CONCURRENCY", default_value_t = 4)]
    pub concurrency: usize,
    /// Do not upload and attach the invoice PDFs.
    #[arg(long)]
    pub no_attach: bool,
    /// Override the target's published rate limit, as REQUESTS/SECONDS (e.g. 25/5).
    #[arg(long, env = "INVEX_EXPORT_RATE_LIMIT", value_parser = parse_rate_limit, hide = true)]
    pub rate_limit: Option<RateLimit>,
}

fn parse_rate_limit(s: &str) -> Result<RateLimit, String> {
    let (n, secs) = s.split_once('/').ok_or("expected REQUESTS/SECONDS, e.g. 25/5")?;
    let requests: u32 = n.trim().parse().map_err(|_| format!("{n:?} is not a request count"))?;
    let secs: f64 = secs.trim().parse().map_err(|_| format!("{secs:?} is not seconds"))?;
    if requests == 0 || !secs.is_finite() || secs <= 0.0 {
        return Err("both parts must be positive".into());
    }
    Ok(RateLimit { requests, per: Duration::from_secs_f64(secs) })
}

/// Sends `bookings`; `skipped` are the lines that never became bookings and
/// `read` the invoices read. Exit code 1 when anything was skipped or failed.
pub fn run(
    target: Remote,
    args: &RemoteArgs,
    bookings: Vec<Booking>,
    skipped: &[Skipped],
    read: usize,
) -> Result<ExitCode> {
    let ledger = JsonLedger::open(&args.ledger)?;
    let jobs: Vec<ExportJob> = bookings
        .into_iter()
        .map(|b| {
            if args.no_attach {
                ExportJob { booking: b, pdf: None }
            } else {
                ExportJob::with_source_pdf(b)
            }
        })
        .collect();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let reports = match target {
        Remote::Fortnox => {
            let client =
                FortnoxClient::new(fortnox_config(args)?, Some(token_store(args, "fortnox")))?;
            runtime.block_on(send(&client, &ledger, &jobs, args.concurrency))
        }
        Remote::Visma => {
            let client = VismaClient::new(visma_config(args)?, Some(token_store(args, "visma")))?;
            runtime.block_on(send(&client, &ledger, &jobs, args.concurrency))
        }
    };
    for s in skipped {
        eprintln!("skipped {s}");
    }
    let summary = BatchSummary::of(&reports);
    println!(
        "{}: {} created, {} already present, {} failed of {read} invoices; {} skipped; ledger {}",
        target.name(),
        summary.created,
        summary.already_present,
        summary.failed,
        skipped.len(),
        args.ledger.display()
    );
    let attach_failed = reports
        .iter()
        .any(|r| matches!(r.outcome, Outcome::Created { attachment_error: Some(_), .. }));
    let clean = summary.failed == 0 && skipped.is_empty() && !attach_failed;
    Ok(if clean { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

async fn send<E: RemoteExporter>(
    exporter: &E,
    ledger: &JsonLedger,
    jobs: &[ExportJob],
    concurrency: usize,
) -> Vec<InvoiceReport> {
    let progress = |r: &InvoiceReport| match &r.outcome {
        Outcome::Failed(_) => eprintln!("{}: {}", r.label, r.summary()),
        _ => println!("{}: {}", r.label, r.summary()),
    };
    export_batch(exporter, ledger, jobs, concurrency, &progress).await
}

fn token_store(args: &RemoteArgs, target: &str) -> Arc<dyn TokenStore> {
    let path =
        args.token_file.clone().unwrap_or_else(|| beside(&args.ledger, &format!("{target}-token")));
    Arc::new(FileTokenStore::new(path))
}

/// `ledger.json` → `ledger.json.<suffix>`.
fn beside(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(format!(".{suffix}"));
    path.with_file_name(name)
}

fn credentials(
    target: &str,
    env: &str,
    id: &Option<String>,
    secret: &Option<Secret>,
    refresh: &Option<Secret>,
) -> Result<(String, Secret, Secret)> {
    match (id, secret, refresh) {
        (Some(id), Some(secret), Some(refresh)) => {
            Ok((id.clone(), secret.clone(), refresh.clone()))
        }
        _ => bail!(
            "{target} needs a client id, client secret and refresh token: \
             set INVEX_{env}_CLIENT_ID, INVEX_{env}_CLIENT_SECRET and INVEX_{env}_REFRESH_TOKEN \
             (or the --{} flags)",
            env.to_lowercase()
        ),
    }
}

fn fortnox_config(args: &RemoteArgs) -> Result<FortnoxConfig> {
    let (id, secret, refresh) = credentials(
        "Fortnox",
        "FORTNOX",
        &args.fortnox_client_id,
        &args.fortnox_client_secret,
        &args.fortnox_refresh_token,
    )?;
    let mut config = FortnoxConfig::new(id, secret, refresh);
    let base = args.fortnox_base_url.trim_end_matches('/').to_string();
    config.token_url = args.fortnox_token_url.clone().unwrap_or_else(|| {
        if base == FortnoxConfig::BASE_URL {
            FortnoxConfig::TOKEN_URL.into()
        } else {
            format!("{base}/oauth-v1/token")
        }
    });
    config.base_url = base;
    if let Some(limit) = args.rate_limit {
        config.rate_limit = limit;
    }
    Ok(config)
}

fn visma_config(args: &RemoteArgs) -> Result<VismaConfig> {
    let (id, secret, refresh) = credentials(
        "Visma eEkonomi",
        "VISMA",
        &args.visma_client_id,
        &args.visma_client_secret,
        &args.visma_refresh_token,
    )?;
    let mut config = VismaConfig::new(id, secret, refresh);
    let base = args.visma_base_url.trim_end_matches('/').to_string();
    config.token_url = args.visma_token_url.clone().unwrap_or_else(|| {
        if base == VismaConfig::BASE_URL {
            VismaConfig::TOKEN_URL.into()
        } else {
            format!("{base}/connect/token")
        }
    });
    config.base_url = base;
    if let Some(limit) = args.rate_limit {
        config.rate_limit = limit;
    }
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limit_flag_forms() {
        let table = [
            ("25/5", Some((25, 5000))),
            ("600/60", Some((600, 60_000))),
            ("25/0.1", Some((25, 100))),
            ("0/5", None),
            ("25", None),
            ("x/5", None),
        ];
        for (text, expected) in table {
            let got = parse_rate_limit(text).ok().map(|l| (l.requests, l.per.as_millis() as u64));
            assert_eq!(got, expected, "{text}");
        }
    }

    #[test]
    fn secrets_stay_out_of_debug_output() {
        let secret: Secret = "hunter2".parse().unwrap();
        let text = format!("{:?} {secret}", Some(secret.clone()));
        assert!(!text.contains("hunter2"), "{text}");
        assert_eq!(secret.expose(), "hunter2");
    }
}
