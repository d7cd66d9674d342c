use std::path::PathBuf;

use thiserror::Error;

/// Errors of the pipeline crate. Per-document problems are
/// [`invex_domain::DocumentError`]s inside a failed prediction, not these.
#[derive(Debug, Error)]
pub enum Error {
    #[error("could not load libpdfium from {path}: {reason}. Run scripts/setup.sh to install it")]
    PdfiumLibrary { path: PathBuf, reason: String },
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
}
