//! The crate's one error type.

use std::path::PathBuf;

use thiserror::Error;

/// Everything that can go wrong while generating a dataset.
#[derive(Debug, Error)]
pub enum Error {
    #[error("could not write {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("could not serialise ground truth: {0}")]
    Json(#[from] serde_json::Error),
    #[error("font problem: {0}")]
    Font(String),
    #[error("the font {font} has no glyph for {ch:?} (U+{code:04X})")]
    MissingGlyph { font: &'static str, ch: char, code: u32 },
    #[error("unknown layout family {0:?}; known: {1}")]
    UnknownFamily(String, String),
    #[error("could not make a valid identifier: {0}")]
    Identifier(String),
    #[error("layout problem: {0}")]
    Layout(String),
    #[error("scan: {0}")]
    Scan(String),
    #[error("invoice {index} could not be laid out after {attempts} attempts: {last}")]
    GaveUp { index: usize, attempts: usize, last: String },
}

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io { path: path.into(), source }
    }
}
