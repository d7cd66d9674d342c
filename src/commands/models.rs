//! `invex models`: import a Hugging Face LayoutLMv3 export, verify a model
//! directory against its manifest, describe one.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use invex_models::config::ModelConfig;
use invex_models::import::{import_export, read_label_map};
use invex_models::{Manifest, ModelOptions, ModelVariant};

use crate::cli::{ModelImportArgs, ModelsCommand};
use crate::model_dir;

pub fn run(command: ModelsCommand) -> Result<ExitCode> {
    match command {
        ModelsCommand::Import(args) => import(args),
        ModelsCommand::Verify(args) => verify(&dir_or_shipped(args.dir)?),
        ModelsCommand::Info(args) => info(&dir_or_shipped(args.dir)?),
        ModelsCommand::Register(args) => super::model_versions::register(args),
        ModelsCommand::List(args) => super::model_versions::list(args),
        ModelsCommand::Gate(args) => super::model_gate::run(args),
        ModelsCommand::Promote(args) => super::model_versions::promote(args),
        ModelsCommand::Rollback(args) => super::model_versions::rollback(args),
        ModelsCommand::Fetch(args) => super::model_versions::fetch(args),
    }
}

fn dir_or_shipped(dir: Option<PathBuf>) -> Result<PathBuf> {
    dir.map_or_else(model_dir::find, Ok)
}

fn import(args: ModelImportArgs) -> Result<ExitCode> {
    let name = match &args.name {
        Some(name) => name.clone(),
        None => folder_name(&args.dir)?,
    };
    let label_map: BTreeMap<String, String> = match &args.labels {
        Some(path) => read_label_map(path)?,
        None => BTreeMap::new(),
    };
    let into = args.into.unwrap_or_else(|| Path::new("models").join("imported").join(&name));
    model_dir::init_onnxruntime()?;
    let imported = import_export(&args.dir, &into, &name, &label_map)
        .with_context(|| format!("importing {}", args.dir.display()))?;
    let variants: Vec<&str> = imported.variants.iter().map(|v| v.file_name()).collect();
    println!("imported {} into {}", args.dir.display(), imported.dir.display());
    println!("  files:  {}", variants.join(", ") + ", config.json, tokenizer.json, manifest.json");
    println!("  labels: {}", imported.manifest.labels.len());
    if imported.takes_image {
        println!("  image input: pixel_values is fed zeros (invex reads words, not pixels)");
    }
    println!("use it with:  invex extract --model {} INVOICES/", imported.dir.display());
    println!("check it with: invex models verify {}", imported.dir.display());
    Ok(ExitCode::SUCCESS)
}

fn folder_name(dir: &Path) -> Result<String> {
    let absolute = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    match absolute.file_name() {
        Some(name) => Ok(name.to_string_lossy().into_owned()),
        None => bail!("cannot name a model after {}; pass --name", dir.display()),
    }
}

fn verify(dir: &Path) -> Result<ExitCode> {
    let manifest = verify_quietly(dir)?;
    println!(
        "ok: {} ({} files match manifest.json, the graphs open)",
        dir.display(),
        manifest.files.len()
    );
    Ok(ExitCode::SUCCESS)
}

/// Checks the files against the manifest and opens every graph it lists.
pub(super) fn verify_quietly(dir: &Path) -> Result<Manifest> {
    let manifest = Manifest::from_dir(dir)?;
    model_dir::init_onnxruntime()?;
    for variant in [ModelVariant::Fp32, ModelVariant::Int8] {
        if manifest.files.contains_key(variant.file_name()) {
            let options = ModelOptions { variant, ..ModelOptions::default() };
            model_dir::load(Some(dir), options)?;
        }
    }
    Ok(manifest)
}

fn info(dir: &Path) -> Result<ExitCode> {
    let manifest = Manifest::from_dir(dir)?;
    let config = ModelConfig::from_file(&dir.join("config.json"))?;
    println!("{}  {} {}", dir.display(), manifest.name, manifest.version);
    println!("created    {}", manifest.created);
    println!("window     {} tokens", config.max_len());
    for (file, sha) in &manifest.files {
        let size = std::fs::metadata(dir.join(file)).map(|m| m.len()).unwrap_or(0);
        println!("file       {file:<22} {:>10} bytes  sha256 {}", size, &sha[..sha.len().min(16)]);
    }
    println!("labels     {}: {}", manifest.labels.len(), manifest.labels.join(" "));
    for (from, to) in &manifest.label_map {
        println!("label map  {from} -> {to}");
    }
    if !manifest.metrics.is_null() {
        println!("metrics    {}", serde_json::to_string_pretty(&manifest.metrics)?);
    }
    Ok(ExitCode::SUCCESS)
}
