//! `invex tenants` and `invex keys`: administration from the command line,
//! straight against the database (the first admin key has to come from somewhere).

use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use chrono::Utc;
use invex_api::generate_key;
use invex_domain::fallback::TenantLlm;
use invex_domain::service::{AuditEntry, Repository, Role, Tenant};
use serde_json::json;
use uuid::Uuid;

use super::service::{open_stores, store_runtime as runtime};
use crate::cli_service::{KeysCommand, TenantsCommand};

pub fn tenants(command: TenantsCommand) -> Result<ExitCode> {
    runtime()?.block_on(async move {
        match command {
            TenantsCommand::Create { name, retention_days, store } => {
                let (repo, _) = open_stores(&store).await?;
                if repo.tenant_by_name(&name).await?.is_some() {
                    bail!("a tenant named {name:?} exists already");
                }
                let tenant = Tenant {
                    id: Uuid::new_v4().to_string(),
                    name: name.clone(),
                    retention_days: retention_days.filter(|d| *d > 0),
                    created_at: Utc::now(),
                };
                repo.create_tenant(&tenant).await?;
                let key =
                    make_key(repo.as_ref(), &tenant.id, Role::Admin, "first admin key").await?;
                println!("tenant {name} created (id {})", tenant.id);
                println!("admin key (shown once; store it now): {key}");
                Ok(ExitCode::SUCCESS)
            }
            TenantsCommand::Llm { name, fallback, budget_usd, store } => {
                let (repo, _) = open_stores(&store).await?;
                let tenant = find_tenant(repo.as_ref(), &name).await?;
                let current = repo.tenant_llm(&tenant.id).await?;
                let mut settings = current.unwrap_or(TenantLlm { enabled: true, monthly_budget_usd: None });
                if let Some(f) = &fallback {
                    settings.enabled = f == "on";
                }
                if budget_usd.is_some() {
                    settings.monthly_budget_usd = budget_usd;
                }
                if fallback.is_some() || budget_usd.is_some() {
                    repo.set_tenant_llm(&tenant.id, &settings).await?;
                }
                let month = Utc::now().format("%Y-%m").to_string();
                let (spent, calls) = repo.spent(&tenant.id, &month).await?;
                let budget = settings.monthly_budget_usd.map_or("the configured one".into(), |b| format!("${b:.2}"));
                println!(
                    "{}: language model fallback {}, monthly budget {budget}; {month}: {calls} calls, ${spent:.4}",
                    tenant.name,
                    if settings.enabled { "on" } else { "off" },
                );
                Ok(ExitCode::SUCCESS)
            }
            TenantsCommand::List { store } => {
                let (repo, _) = open_stores(&store).await?;
                for t in repo.tenants().await? {
                    let retention = t.retention_days.map_or("-".into(), |d| format!("{d} days"));
                    println!(
                        "{}\t{}\tretention {}\tcreated {}",
                        t.id,
                        t.name,
                        retention,
                        t.created_at.to_rfc3339()
                    );
                }
                Ok(ExitCode::SUCCESS)
            }
        }
    })
}

pub fn keys(command: KeysCommand) -> Result<ExitCode> {
    runtime()?.block_on(async move {
        match command {
            KeysCommand::Create { tenant, role, name, store } => {
                let (repo, _) = open_stores(&store).await?;
                let tenant = find_tenant(repo.as_ref(), &tenant).await?;
                let role =
                    Role::parse(&role).context("role must be uploader, reviewer or admin")?;
                let key = make_key(repo.as_ref(), &tenant.id, role, &name).await?;
                println!("{role} key for {} (shown once; store it now): {key}", tenant.name);
                Ok(ExitCode::SUCCESS)
            }
            KeysCommand::List { tenant, store } => {
                let (repo, _) = open_stores(&store).await?;
                let tenant = find_tenant(repo.as_ref(), &tenant).await?;
                for k in repo.keys(&tenant.id).await? {
                    let state = k
                        .revoked_at
                        .map_or("active".into(), |t| format!("revoked {}", t.to_rfc3339()));
                    println!("{}\t{}\t{}\t{}", k.id, k.role, state, k.name);
                }
                Ok(ExitCode::SUCCESS)
            }
            KeysCommand::Revoke { tenant, key_id, store } => {
                let (repo, _) = open_stores(&store).await?;
                let tenant = find_tenant(repo.as_ref(), &tenant).await?;
                if !repo.revoke_key(&tenant.id, &key_id, Utc::now()).await? {
                    bail!("{} has no active key {key_id}", tenant.name);
                }
                audit(repo.as_ref(), &tenant.id, "key_revoke", json!({"key_id": key_id})).await?;
                println!("revoked {key_id}");
                Ok(ExitCode::SUCCESS)
            }
        }
    })
}

async fn find_tenant(repo: &dyn Repository, name: &str) -> Result<Tenant> {
    repo.tenant_by_name(name)
        .await?
        .with_context(|| format!("no tenant named {name:?} (see `invex tenants list`)"))
}

async fn make_key(
    repo: &dyn Repository,
    tenant_id: &str,
    role: Role,
    name: &str,
) -> Result<String> {
    let key = generate_key(tenant_id, role, name, Utc::now());
    repo.insert_key(&key.record).await?;
    audit(repo, tenant_id, "key_create", json!({"key_id": key.record.id, "role": role})).await?;
    Ok(key.plaintext)
}

async fn audit(
    repo: &dyn Repository,
    tenant_id: &str,
    action: &str,
    detail: serde_json::Value,
) -> Result<()> {
    let entry = AuditEntry {
        id: Uuid::new_v4().to_string(),
        tenant_id: tenant_id.to_string(),
        actor: "cli".into(),
        action: action.into(),
        invoice_id: None,
        detail,
        at: Utc::now(),
    };
    Ok(repo.append_audit(&entry).await?)
}
