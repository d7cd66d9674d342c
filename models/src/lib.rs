//! invex-models: learned extractors run through ONNX Runtime.
//!
//! Today this crate only loads libonnxruntime (installed by `scripts/setup.sh`)
//! and reports its build; the layout-model issue adds the LayoutLMv3 token
//! classifier behind a small sync backend trait. `ort` lives in this crate and
//! nowhere else.

pub mod boxes;

use std::path::Path;
use std::sync::OnceLock;

use thiserror::Error;

#[derive(Debug, Error, Clone)]
pub enum Error {
    #[error(
        "could not load libonnxruntime from {path}: {reason}. Run scripts/setup.sh to install it"
    )]
    OnnxRuntimeLibrary { path: String, reason: String },
}

static INIT: OnceLock<Result<String, Error>> = OnceLock::new();

/// Loads libonnxruntime from `library` once per process and returns its build
/// information (version and commit). Later calls return the first outcome.
pub fn init_onnxruntime(library: &Path) -> Result<String, Error> {
    INIT.get_or_init(|| {
        let fail = |reason: String| Error::OnnxRuntimeLibrary {
            path: library.display().to_string(),
            reason,
        };
        let builder = ort::init_from(library).map_err(|e| fail(e.to_string()))?;
        builder.with_name("invex").build().map_err(|e| fail(e.to_string()))?;
        Ok(ort::info().trim().to_string())
    })
    .clone()
}
