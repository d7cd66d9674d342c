//! Finds the layout model directory, as `native.rs` finds libraries. Search
//! order, first hit wins:
//!
//! 1. `$INVEX_MODEL_DIR`, when set, is the only place searched;
//! 2. otherwise `models/invex-layout` next to the executable (installed
//!    copies), then `models/shipped/invex-layout` in the checkout the binary
//!    was built from.
//!
//! Also opens a model with ONNX Runtime loaded from the installed library.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use invex_models::{LayoutModel, ModelOptions};

/// The model shipped in the repository, relative to the checkout.
pub const SHIPPED: &str = "models/shipped/invex-layout";

fn search_dirs() -> Vec<PathBuf> {
    if let Some(dir) = std::env::var_os("INVEX_MODEL_DIR") {
        return vec![PathBuf::from(dir)];
    }
    let mut dirs = Vec::new();
    if let Ok(exe) = std::env::current_exe()
        && let Some(exe_dir) = exe.parent()
    {
        dirs.push(exe_dir.join("models").join("invex-layout"));
    }
    dirs.push(Path::new(env!("CARGO_MANIFEST_DIR")).join(SHIPPED));
    dirs
}

/// The shipped layout model's directory, or one clear error saying how to get one.
pub fn find() -> Result<PathBuf> {
    let dirs = search_dirs();
    if let Some(dir) = dirs.iter().find(|d| d.join(invex_models::manifest::MANIFEST).is_file()) {
        return Ok(dir.clone());
    }
    let looked: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
    bail!(
        "no layout model found (looked in: {}). Run `scripts/setup.sh` in the invex checkout, \
         train and export one into {SHIPPED} (`python -m invex_train.export --out {SHIPPED}`, \
         see models/training), import a Hugging Face export with `invex models import DIR`, \
         or point INVEX_MODEL_DIR at a model directory",
        looked.join(", ")
    )
}

/// Loads libonnxruntime, then the model in `dir` (the shipped one when `None`).
pub fn load(dir: Option<&Path>, options: ModelOptions) -> Result<LayoutModel> {
    init_onnxruntime()?;
    let dir = match dir {
        Some(dir) => dir.to_path_buf(),
        None => find()?,
    };
    LayoutModel::load(&dir, options)
        .with_context(|| format!("loading the model in {}", dir.display()))
}

/// Loads libonnxruntime from the installed library (once per process).
pub fn init_onnxruntime() -> Result<String> {
    let library = crate::native::find(crate::native::ONNXRUNTIME)?;
    Ok(invex_models::init_onnxruntime(&library)?)
}
