//! `invex models register|list|promote|rollback`: the layout model versions
//! the service's workers run (issue 14, part 2). A version's files live in
//! the blob store under `models/{id}/`; which one is active is the store's
//! promotion log, and workers swap it in between jobs (`invex_api::model_swap`).

use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use chrono::Utc;
use invex_domain::service::{ModelEvent, ModelVersion, Repository, active_model};
use invex_models::Manifest;

use super::service::{open_stores, store_runtime as runtime};
use crate::cli_service::{
    ModelFetchArgs, ModelListArgs, ModelPromoteArgs, ModelRegisterArgs, ModelRollbackArgs,
};

/// `--by`, else `$USER`, else "cli".
pub(super) fn who(by: &Option<String>) -> String {
    by.clone().or_else(|| std::env::var("USER").ok()).unwrap_or_else(|| "cli".into())
}

/// A version's id: from the weights' hash, so registering the same model
/// twice is refused rather than stored twice.
fn version_id(manifest: &Manifest) -> Result<String> {
    let hash = manifest
        .files
        .get("model.onnx")
        .or_else(|| manifest.files.values().next())
        .context("the manifest lists no files")?;
    Ok(format!("m-{}", &hash[..hash.len().min(12)]))
}

pub fn register(args: ModelRegisterArgs) -> Result<ExitCode> {
    // The files must match their manifest and the graphs must open.
    super::models::verify_quietly(&args.dir)?;
    let manifest = Manifest::from_dir(&args.dir)?;
    let id = version_id(&manifest)?;
    let data_hash = args.data_hash.clone().or_else(|| {
        manifest.extra.get("training")?.get("data_sha256")?.as_str().map(str::to_string)
    });
    let version = ModelVersion {
        id: id.clone(),
        parent: args.parent.clone(),
        name: format!("{}@{}", manifest.name, manifest.version),
        data_hash,
        metrics: None,
        created_at: Utc::now(),
        created_by: who(&args.by),
    };
    let mut files: Vec<String> = manifest.files.keys().cloned().collect();
    files.push(invex_models::manifest::MANIFEST.to_string());
    runtime()?.block_on(async {
        let (repo, blobs) = open_stores(&args.store).await?;
        if let Some(parent) = &args.parent
            && repo.model_version(parent).await?.is_none()
        {
            bail!("no model version {parent:?} to be the parent");
        }
        if repo.model_version(&id).await?.is_some() {
            bail!("this model is already registered as {id}");
        }
        for file in &files {
            let path = args.dir.join(file);
            let bytes =
                std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
            blobs.put(&format!("{}{file}", version.blob_prefix()), &bytes).await?;
        }
        repo.insert_model_version(&version).await?;
        Ok(())
    })?;
    println!("registered {} as {id} ({} files)", version.name, files.len());
    println!("next: invex models gate {id} --extractor combined   (then --promote)");
    Ok(ExitCode::SUCCESS)
}

pub fn list(args: ModelListArgs) -> Result<ExitCode> {
    let (versions, events, accuracy) = runtime()?.block_on(async {
        let (repo, _) = open_stores(&args.store).await?;
        anyhow::Ok((
            repo.model_versions().await?,
            repo.model_events().await?,
            repo.model_accuracy(None).await?,
        ))
    })?;
    let active = active_model(&events);
    let reviewed = |id: &str| accuracy.iter().find(|a| a.model_version.as_deref() == Some(id));
    if args.json {
        let rows: Vec<serde_json::Value> = versions
            .iter()
            .map(|v| {
                let mut row = serde_json::to_value(v).unwrap_or_default();
                row["active"] = (active.as_deref() == Some(v.id.as_str())).into();
                row["reviewed"] = serde_json::to_value(reviewed(&v.id)).unwrap_or_default();
                row
            })
            .collect();
        let out = serde_json::json!({"active": active, "versions": rows, "events": events, "accuracy": accuracy});
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!("active: {}", active.as_deref().unwrap_or("(the workers' built-in model)"));
    println!(
        "{:<2}{:<17} {:<28} {:<17} {:<6} {:>9}",
        "", "id", "name", "parent", "gate", "reviewed"
    );
    for v in &versions {
        let gate = match v.gate_passed() {
            Some(true) => "pass",
            Some(false) => "fail",
            None => "-",
        };
        let reviewed = reviewed(&v.id)
            .map_or("-".to_string(), |a| format!("{:.3} ({})", a.accuracy, a.reviewed_invoices));
        let mark = if active.as_deref() == Some(v.id.as_str()) { "*" } else { "" };
        println!(
            "{mark:<2}{:<17} {:<28} {:<17} {gate:<6} {reviewed:>9}",
            v.id,
            v.name,
            v.parent.as_deref().unwrap_or("-")
        );
    }
    for a in accuracy
        .iter()
        .filter(|a| a.model_version.as_ref().is_none_or(|m| !versions.iter().any(|v| &v.id == m)))
    {
        println!(
            "  reviewed invoices made by {}: accuracy {:.3} ({} invoices)",
            a.model_version.as_deref().unwrap_or("no model"),
            a.accuracy,
            a.reviewed_invoices
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Appends the promotion of `id`, refusing a version whose gate did not
/// pass unless `force`.
pub(super) async fn promote_version(
    repo: &dyn Repository,
    id: &str,
    force: bool,
    by: String,
) -> Result<()> {
    let Some(version) = repo.model_version(id).await? else {
        bail!("no model version {id:?} (see `invex models list`)");
    };
    match (version.gate_passed(), force) {
        (Some(true), _) | (_, true) => {}
        (Some(false), false) => {
            bail!("{id} did not pass the gate; see `invex models list --json`, or --force")
        }
        (None, false) => bail!("{id} has not been through the gate: `invex models gate {id}`"),
    }
    if repo.active_model_version().await?.as_deref() == Some(id) {
        bail!("{id} is already active");
    }
    let event =
        ModelEvent { action: "promote".into(), version: Some(id.into()), by, at: Utc::now() };
    repo.append_model_event(&event).await?;
    Ok(())
}

pub fn promote(args: ModelPromoteArgs) -> Result<ExitCode> {
    runtime()?.block_on(async {
        let (repo, _) = open_stores(&args.store).await?;
        promote_version(repo.as_ref(), &args.id, args.force, who(&args.by)).await
    })?;
    println!("promoted {}: workers swap it in between jobs", args.id);
    Ok(ExitCode::SUCCESS)
}

pub fn rollback(args: ModelRollbackArgs) -> Result<ExitCode> {
    let now_active = runtime()?.block_on(async {
        let (repo, _) = open_stores(&args.store).await?;
        if repo.active_model_version().await?.is_none() {
            bail!("nothing to roll back: no version is promoted");
        }
        let event = ModelEvent {
            action: "rollback".into(),
            version: None,
            by: who(&args.by),
            at: Utc::now(),
        };
        repo.append_model_event(&event).await?;
        Ok(repo.active_model_version().await?)
    })?;
    println!(
        "rolled back: {} is active",
        now_active.as_deref().unwrap_or("the workers' built-in model")
    );
    Ok(ExitCode::SUCCESS)
}

pub fn fetch(args: ModelFetchArgs) -> Result<ExitCode> {
    if args.out.exists() {
        bail!("{} exists already; name a new folder", args.out.display());
    }
    let id = runtime()?.block_on(async {
        let (repo, blobs) = open_stores(&args.store).await?;
        let id = match args.id.as_str() {
            "active" => match repo.active_model_version().await? {
                Some(id) => id,
                None => bail!(
                    "no version is promoted: the built-in model is in models/shipped/invex-layout"
                ),
            },
            id => id.to_string(),
        };
        if repo.model_version(&id).await?.is_none() {
            bail!("no model version {id:?} (see `invex models list`)");
        }
        invex_api::copy_model_files(blobs.as_ref(), &id, &args.out)
            .await
            .map_err(anyhow::Error::msg)?;
        Ok(id)
    })?;
    super::models::verify_quietly(&args.out)?;
    println!("{id}: files in {} (checked against its manifest)", args.out.display());
    Ok(ExitCode::SUCCESS)
}
