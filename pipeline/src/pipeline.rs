//! One pipeline for every mode: read a file, extract, return a [`Prediction`].
//! Batch mode fans files out over rayon; streaming callers (the API) call
//! [`Pipeline::process_bytes`] from a blocking task.

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use invex_domain::{DocumentError, DocumentReader, Extractor, Prediction};
use rayon::prelude::*;
use tracing::{debug, info_span, warn};

/// Receives batch results one at a time, in input order (as ripgrep's `Sink`).
pub trait Sink {
    fn on_result(&mut self, index: usize, prediction: Prediction);
}

impl<F: FnMut(usize, Prediction)> Sink for F {
    fn on_result(&mut self, index: usize, prediction: Prediction) {
        self(index, prediction)
    }
}

pub struct Pipeline {
    reader: Box<dyn DocumentReader>,
    extractor: Box<dyn Extractor>,
    max_bytes: u64,
}

impl Pipeline {
    pub fn new(
        reader: Box<dyn DocumentReader>,
        extractor: Box<dyn Extractor>,
        max_bytes: u64,
    ) -> Self {
        Pipeline { reader, extractor, max_bytes }
    }

    /// Reads and extracts one file. Never panics and never fails: problems
    /// become a failed prediction that names the cause.
    pub fn process_file(&self, path: &Path) -> Prediction {
        let name = path.display().to_string();
        let _span = info_span!("file", file = %name).entered();
        match read_limited(path, self.max_bytes) {
            Ok(bytes) => self.process_bytes(name, &bytes),
            Err(e) => Prediction::failed(name, e.code(), e.to_string()),
        }
    }

    /// Reads and extracts a file already in memory.
    pub fn process_bytes(&self, name: String, bytes: &[u8]) -> Prediction {
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            let document = {
                let _span = info_span!("read").entered();
                self.reader.read(bytes)?
            };
            let invoice = {
                let _span = info_span!("extract", extractor = self.extractor.name()).entered();
                self.extractor.extract(&document)
            };
            Ok::<_, DocumentError>((invoice, document.pages.len()))
        }));
        match outcome {
            Ok(Ok((invoice, pages))) => {
                debug!(fields = invoice.fields.len(), pages, "extracted");
                Prediction::ok(name, invoice, pages)
            }
            Ok(Err(e)) => Prediction::failed(name, e.code(), e.to_string()),
            Err(panic) => {
                let what = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_else(|| "unknown panic".into());
                warn!(file = %name, panic = %what, "internal error while processing");
                Prediction::failed(
                    name,
                    "internal",
                    format!("internal error while processing: {what}"),
                )
            }
        }
    }

    /// Processes `files` in parallel on the current rayon pool and hands each
    /// result to `sink` in input order, as soon as it and all before it are done.
    pub fn run_batch(&self, files: &[PathBuf], sink: &mut dyn Sink) {
        let (tx, rx) = mpsc::sync_channel::<(usize, Prediction)>(256);
        std::thread::scope(|scope| {
            scope.spawn(move || {
                files.par_iter().enumerate().for_each_with(tx, |tx, (i, file)| {
                    // The receiver only goes away if the sink panicked; nothing to do then.
                    let _ = tx.send((i, self.process_file(file)));
                });
            });
            let mut pending = BTreeMap::new();
            let mut next = 0;
            for (i, prediction) in rx {
                pending.insert(i, prediction);
                while let Some(p) = pending.remove(&next) {
                    sink.on_result(next, p);
                    next += 1;
                }
            }
        });
    }
}

/// Reads a file, refusing it before reading when it is above `max_bytes`.
fn read_limited(path: &Path, max_bytes: u64) -> Result<Vec<u8>, DocumentError> {
    let meta = std::fs::metadata(path).map_err(|e| DocumentError::Io(e.to_string()))?;
    if meta.is_dir() {
        return Err(DocumentError::Io("is a directory".into()));
    }
    if meta.len() > max_bytes {
        return Err(DocumentError::TooLarge { size: meta.len(), limit: max_bytes });
    }
    std::fs::read(path).map_err(|e| DocumentError::Io(e.to_string()))
}
