//! Hot swap of the layout model (issue 14, part 2): workers run the model
//! version the store says is active, and pick up a promotion or a rollback
//! between jobs, without a restart.
//!
//! Invariants:
//! - A job runs from start to end on the processor it started with; a swap
//!   only changes what the next job gets.
//! - The store is asked at most once per `poll`. A version's files are
//!   copied from the blob store (`models/{id}/`) into `cache_dir/{id}`, then
//!   loaded (and checked against their manifest) on a blocking thread.
//! - A version that fails to copy or load is logged and counted, and the
//!   current model stays; it is tried again only after another poll period.
//! - No active version (nothing promoted, or everything rolled back) means
//!   the model the worker was started with.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use invex_domain::InvoiceProcessor;
use invex_domain::service::{BlobStore, Repository, model_blob_prefix};
use tracing::{info, warn};

use crate::metrics::Metrics;

/// Builds a processor around the layout model in a directory. The binary
/// provides it: the service crate does not link ONNX Runtime.
pub trait ModelLoader: Send + Sync {
    /// The pipeline with the model in `dir`; the error is for logs.
    fn load(&self, dir: &Path) -> Result<Arc<dyn InvoiceProcessor>, String>;
}

/// What jobs run on now.
#[derive(Clone)]
struct Active {
    /// The active version's id; `None` for the model the worker started with.
    version: Option<String>,
    /// What results record as their model version.
    label: Option<String>,
    processor: Arc<dyn InvoiceProcessor>,
}

pub struct ModelSwap {
    loader: Arc<dyn ModelLoader>,
    cache_dir: PathBuf,
    poll: Duration,
    base: Active,
    current: RwLock<Active>,
    last_check: Mutex<Option<Instant>>,
}

impl ModelSwap {
    /// `base` runs while no version is promoted; results then record
    /// `base_label` (the built-in model's name and version).
    pub fn new(
        loader: Arc<dyn ModelLoader>,
        cache_dir: PathBuf,
        poll: Duration,
        base: Arc<dyn InvoiceProcessor>,
        base_label: Option<String>,
    ) -> Self {
        let base = Active { version: None, label: base_label, processor: base };
        ModelSwap {
            loader,
            cache_dir,
            poll,
            current: RwLock::new(base.clone()),
            base,
            last_check: Mutex::new(None),
        }
    }

    /// The processor for the next job, and the model version its result records.
    pub fn current(&self) -> (Arc<dyn InvoiceProcessor>, Option<String>) {
        let active = self.current.read().unwrap_or_else(|e| e.into_inner());
        (active.processor.clone(), active.label.clone())
    }

    /// Asks the store which version is active (at most once per poll) and
    /// swaps to it when it is not the one running.
    pub async fn refresh(&self, repo: &dyn Repository, blobs: &dyn BlobStore, metrics: &Metrics) {
        {
            let mut last = self.last_check.lock().unwrap_or_else(|e| e.into_inner());
            if last.is_some_and(|at| at.elapsed() < self.poll) {
                return;
            }
            *last = Some(Instant::now());
        }
        let wanted = match repo.active_model_version().await {
            Ok(v) => v,
            Err(e) => {
                warn!(error = %e, "could not read the active model version; keeping the current one");
                return;
            }
        };
        let running = self.current.read().unwrap_or_else(|e| e.into_inner()).version.clone();
        if wanted == running {
            return;
        }
        let next = match &wanted {
            None => Ok(self.base.clone()),
            Some(id) => self.fetch_and_load(id, blobs).await,
        };
        match next {
            Ok(next) => {
                info!(from = ?running, to = ?wanted, "layout model swapped");
                *self.current.write().unwrap_or_else(|e| e.into_inner()) = next;
                metrics.model_swaps.with_label_values(&["swapped"]).inc();
            }
            Err(e) => {
                warn!(version = ?wanted, error = %e, "could not load the promoted model; keeping the current one");
                metrics.model_swaps.with_label_values(&["failed"]).inc();
            }
        }
    }

    async fn fetch_and_load(&self, id: &str, blobs: &dyn BlobStore) -> Result<Active, String> {
        let dir = self.cache_dir.join(safe_name(id)?);
        if !dir.is_dir() {
            copy_model_files(blobs, id, &dir).await?;
        }
        let loader = self.loader.clone();
        let load_dir = dir.clone();
        let processor = tokio::task::spawn_blocking(move || loader.load(&load_dir))
            .await
            .map_err(|e| format!("loading the model crashed: {e}"))??;
        Ok(Active { version: Some(id.to_string()), label: Some(id.to_string()), processor })
    }
}

/// Copies model version `id`'s files from the blob store into `dir`,
/// through a temporary sibling, so that a half-copied folder is never
/// loaded. A folder that is there already (another worker on this host
/// finished first) is left as it is.
pub async fn copy_model_files(blobs: &dyn BlobStore, id: &str, dir: &Path) -> Result<(), String> {
    let prefix = model_blob_prefix(id);
    let keys = blobs.list(&prefix).await.map_err(|e| format!("listing {prefix}: {e}"))?;
    if keys.is_empty() {
        return Err(format!("the blob store holds no files under {prefix}"));
    }
    let mut files = Vec::new();
    for key in keys {
        let bytes = blobs.get(&key).await.map_err(|e| format!("reading {key}: {e}"))?;
        let name = key.strip_prefix(&prefix).unwrap_or(&key).to_string();
        files.push((safe_name(&name)?.to_string(), bytes));
    }
    let dir = dir.to_path_buf();
    tokio::task::spawn_blocking(move || write_dir(&dir, &files))
        .await
        .map_err(|e| format!("writing the model files: {e}"))?
}

/// A model file or version id as one path component, or an error.
fn safe_name(name: &str) -> Result<&str, String> {
    let ok = !name.is_empty()
        && name != "."
        && name != ".."
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if ok { Ok(name) } else { Err(format!("{name:?} is not a plain file name")) }
}

/// Writes the files into `dir` through a temporary sibling, so that a
/// half-written directory is never loaded.
fn write_dir(dir: &Path, files: &[(String, Vec<u8>)]) -> Result<(), String> {
    let partial = dir.with_extension(format!("partial-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&partial);
    std::fs::create_dir_all(&partial).map_err(|e| format!("{}: {e}", partial.display()))?;
    for (name, bytes) in files {
        std::fs::write(partial.join(name), bytes).map_err(|e| format!("{name}: {e}"))?;
    }
    match std::fs::rename(&partial, dir) {
        Ok(()) => Ok(()),
        // Another worker on this host finished first.
        Err(_) if dir.is_dir() => {
            let _ = std::fs::remove_dir_all(&partial);
            Ok(())
        }
        Err(e) => Err(format!("{}: {e}", dir.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_name;

    #[test]
    fn only_plain_names_are_path_components() {
        let cases = [
            ("model.onnx", true),
            ("m-20261206-1a2b", true),
            ("", false),
            ("..", false),
            ("../etc", false),
            ("a/b", false),
            ("a\\b", false),
        ];
        for (name, ok) in cases {
            assert_eq!(safe_name(name).is_ok(), ok, "{name:?}");
        }
    }
}
