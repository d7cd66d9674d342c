//! Loading libonnxruntime once per process and keeping its environment, which
//! every session is built from.

use std::path::Path;
use std::sync::OnceLock;

use crate::Error;

struct Runtime {
    info: String,
    environment: ort::environment::Environment,
}

static INIT: OnceLock<Result<Runtime, Error>> = OnceLock::new();

/// Loads libonnxruntime from `library` once per process and returns its build
/// information (version and commit). Later calls return the first outcome.
pub fn init_onnxruntime(library: &Path) -> Result<String, Error> {
    INIT.get_or_init(|| {
        let fail = |reason: String| Error::OnnxRuntimeLibrary {
            path: library.display().to_string(),
            reason,
        };
        let builder = ort::init_from(library).map_err(|e| fail(e.to_string()))?;
        let environment = builder.with_name("invex").build().map_err(|e| fail(e.to_string()))?;
        Ok(Runtime { info: ort::info().trim().to_string(), environment })
    })
    .as_ref()
    .map(|r| r.info.clone())
    .map_err(Clone::clone)
}

/// The process's ONNX Runtime environment, once [`init_onnxruntime`] succeeded.
pub(crate) fn environment() -> Result<&'static ort::environment::Environment, Error> {
    match INIT.get() {
        Some(Ok(runtime)) => Ok(&runtime.environment),
        Some(Err(e)) => Err(e.clone()),
        None => Err(Error::OnnxRuntimeNotLoaded),
    }
}
