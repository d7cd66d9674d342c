//! The crate's one error type. `ort` and `tokenizers` errors are kept as
//! text: `ort::Error<SessionBuilder>` is neither `Send` nor `Sync`.

use std::path::{Path, PathBuf};

use thiserror::Error;

#[derive(Debug, Error, Clone)]
pub enum Error {
    #[error(
        "could not load libonnxruntime from {path}: {reason}. Run scripts/setup.sh to install it"
    )]
    OnnxRuntimeLibrary { path: String, reason: String },
    #[error("ONNX Runtime is not loaded yet: call invex_models::init_onnxruntime first")]
    OnnxRuntimeNotLoaded,
    #[error("{path}: {reason}")]
    Io { path: PathBuf, reason: String },
    #[error("{path} is not valid JSON of the expected shape: {reason}")]
    Json { path: PathBuf, reason: String },
    #[error("the model directory {dir} has no {file}")]
    MissingFile { dir: PathBuf, file: String },
    #[error(
        "{file} in {dir} does not match manifest.json: sha256 {actual}, expected {expected}; the file was changed or damaged"
    )]
    ChecksumMismatch { dir: PathBuf, file: String, expected: String, actual: String },
    #[error("model configuration: {0}")]
    Config(String),
    #[error("tokenizer: {0}")]
    Tokenizer(String),
    #[error("ONNX Runtime session for {path}: {reason}")]
    Session { path: PathBuf, reason: String },
    #[error("the ONNX model {path} does not fit: {reason}")]
    ModelInputs { path: PathBuf, reason: String },
    #[error("inference failed: {0}")]
    Inference(String),
    #[error("label map: {0}")]
    LabelMap(String),
}

impl Error {
    pub(crate) fn io(path: &Path, e: impl std::fmt::Display) -> Error {
        Error::Io { path: path.to_path_buf(), reason: e.to_string() }
    }
    pub(crate) fn json(path: &Path, e: impl std::fmt::Display) -> Error {
        Error::Json { path: path.to_path_buf(), reason: e.to_string() }
    }
}
