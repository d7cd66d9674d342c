//! One pipeline for every mode: read a file, extract, return a [`Prediction`].
//! Batch mode fans files out over rayon; streaming callers (the API) call
//! [`Pipeline::process_bytes`] from a blocking task.

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::{Arc, mpsc};

use invex_domain::fallback::{Fallback, FallbackJob};
use invex_domain::sniff::{is_xml, not_a_pdf};
use invex_domain::{Document, DocumentError, DocumentReader, Extractor, Invoice, Prediction};
use rayon::prelude::*;
use tracing::{debug, info_span, warn};

use crate::e_invoice::{EInvoiceStage, Embedded, cross_check, with_broken_xml};
use crate::second_opinion::SecondOpinion;

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
    batch_size: usize,
    second: Option<SecondOpinion>,
    e_invoice: Option<EInvoiceStage>,
    fallback: Option<Arc<dyn Fallback>>,
}

impl Pipeline {
    pub fn new(
        reader: Box<dyn DocumentReader>,
        extractor: Box<dyn Extractor>,
        max_bytes: u64,
    ) -> Self {
        Pipeline {
            reader,
            extractor,
            max_bytes,
            batch_size: 1,
            second: None,
            e_invoice: None,
            fallback: None,
        }
    }

    /// How many documents [`Pipeline::run_batch`] hands the extractor at once
    /// (learned extractors batch their inference). At least 1.
    pub fn with_batch_size(mut self, batch_size: usize) -> Self {
        self.batch_size = batch_size.max(1);
        self
    }

    /// Adds an OCR-free image extractor, asked as its [`SecondOpinion`] says.
    pub fn with_second_opinion(mut self, second: SecondOpinion) -> Self {
        self.second = Some(second);
        self
    }

    /// Adds the e-invoice stage: XML files are read as e-invoices, and a
    /// PDF's embedded XML is read and checked against its page.
    pub fn with_e_invoice(mut self, stage: EInvoiceStage) -> Self {
        self.e_invoice = Some(stage);
        self
    }

    /// Adds the language-model fallback: files its policy finds unsure are
    /// handed to it, and its checked answer joins the page's reading
    /// ([`crate::fallback`]).
    pub fn with_fallback(mut self, fallback: Arc<dyn Fallback>) -> Self {
        self.fallback = Some(fallback);
        self
    }

    pub fn extractor_name(&self) -> &'static str {
        match &self.second {
            Some(s) if s.replaces_words() => s.name(),
            _ => self.extractor.name(),
        }
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
        self.process_bytes_with_words(name, bytes).0
    }

    /// As [`Pipeline::process_bytes`], with the page's words when the
    /// invoice was read from its page.
    pub fn process_bytes_with_words(
        &self,
        name: String,
        bytes: &[u8],
    ) -> (Prediction, Option<Document>) {
        let outcome = catch_unwind(AssertUnwindSafe(|| match &self.e_invoice {
            Some(stage) => self.read_with_e_invoice(stage, &name, bytes),
            None => self.read_page(&name, bytes),
        }));
        match outcome {
            Ok(Ok((invoice, pages, document))) => {
                (prediction(name, Ok((invoice, pages))), document)
            }
            Ok(Err(e)) => (prediction(name, Err(e)), None),
            Err(panic) => {
                let what = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_else(|| "unknown panic".into());
                warn!(file = %name, panic = %what, "internal error while processing");
                let failed = Prediction::failed(
                    name,
                    "internal",
                    format!("internal error while processing: {what}"),
                );
                (failed, None)
            }
        }
    }

    /// As [`Pipeline::process_file`], through the language-model fallback
    /// when there is one: it waits for the answer (the S3 path of `invex
    /// extract`, which reads objects a chunk at a time). Not for a fallback
    /// that gathers its jobs (the Batch API): that one answers only at
    /// [`Fallback::finish`].
    pub fn process_file_asking(&self, path: &Path) -> Prediction {
        let name = path.display().to_string();
        match read_limited(path, self.max_bytes) {
            Ok(bytes) => self.process_bytes_asking(name, &bytes),
            Err(e) => Prediction::failed(name, e.code(), e.to_string()),
        }
    }

    /// As [`Pipeline::process_bytes`], through the fallback when there is
    /// one; see [`Pipeline::process_file_asking`].
    pub fn process_bytes_asking(&self, name: String, bytes: &[u8]) -> Prediction {
        let Some(fallback) = &self.fallback else { return self.process_bytes(name, bytes) };
        let (tx, rx) = mpsc::channel();
        self.read_and_ask(fallback.as_ref(), name.clone(), bytes, move |p| drop(tx.send(p)));
        // `read_and_ask` always delivers (a dropped job gives up); this is defence only.
        rx.recv().unwrap_or_else(|_| {
            Prediction::failed(name, "internal", "the language model fallback lost the file".into())
        })
    }

    /// Reads a file in memory and hands its prediction to `deliver`, after
    /// `fallback` has answered when its policy wants the file asked about
    /// (possibly later, from the fallback's thread).
    fn read_and_ask(
        &self,
        fallback: &dyn Fallback,
        name: String,
        bytes: &[u8],
        deliver: impl FnOnce(Prediction) + Send + 'static,
    ) {
        let (prediction, document) = self.process_bytes_with_words(name, bytes);
        let hash = || crate::fallback::content_hash(bytes);
        let policy = fallback.policy();
        let Some(job) = FallbackJob::wanted(policy, &prediction, document.as_ref(), hash, None)
        else {
            return deliver(prediction);
        };
        let answer = crate::fallback::Answer::new(prediction, job.reasons.clone(), deliver);
        fallback.submit(job, Box::new(move |outcome| answer.give(outcome)));
    }

    /// The cascade's first stage: an XML file is read as an e-invoice; a
    /// PDF with an e-invoice attachment is read from the XML and, unless
    /// the stage trusts the XML, checked against the page.
    fn read_with_e_invoice(
        &self,
        stage: &EInvoiceStage,
        name: &str,
        bytes: &[u8],
    ) -> Result<(Invoice, usize, Option<Document>), DocumentError> {
        if is_xml(bytes) {
            let _span = info_span!("e_invoice").entered();
            return stage.reader.read_xml(bytes).map(|invoice| (invoice, 0, None));
        }
        self.read_embedded(stage, name, bytes, self.embedded(stage, bytes))
    }

    /// What a PDF's attachments hold for the e-invoice stage. A PDF whose
    /// attachments cannot be listed fails again, with its reason, when the
    /// page is read.
    fn embedded(&self, stage: &EInvoiceStage, bytes: &[u8]) -> Embedded {
        match not_a_pdf(bytes) {
            None => {
                self.reader.attachments(bytes).map_or(Embedded::None, |a| stage.from_attachments(a))
            }
            Some(_) => Embedded::None,
        }
    }

    /// Reads a PDF given what its attachments hold: the page alone, the
    /// page with a note on the broken XML, the XML alone (trusted), or the
    /// XML checked against the page.
    fn read_embedded(
        &self,
        stage: &EInvoiceStage,
        name: &str,
        bytes: &[u8],
        embedded: Embedded,
    ) -> Result<(Invoice, usize, Option<Document>), DocumentError> {
        match embedded {
            Embedded::None => self.read_page(name, bytes),
            Embedded::Broken { attachment, reason } => {
                let (page, pages, document) = self.read_page(name, bytes)?;
                Ok((with_broken_xml(page, attachment, &reason), pages, document))
            }
            Embedded::Read(xml) if stage.trust_xml => Ok((*xml, 0, None)),
            Embedded::Read(mut xml) => match self.read_page(name, bytes) {
                Ok((page, pages, document)) => {
                    Ok((cross_check(*xml, page, document.as_ref()), pages, document))
                }
                Err(e) => {
                    if let Some(info) = xml.e_invoice.as_mut() {
                        info.warnings.push(format!(
                            "the page could not be read to check the XML ({}: {e})",
                            e.code()
                        ));
                    }
                    Ok((*xml, 0, None))
                }
            },
        }
    }

    /// Reads the page (words, or the image extractor) and extracts from it;
    /// the words are returned too when there are any.
    fn read_page(
        &self,
        name: &str,
        bytes: &[u8],
    ) -> Result<(Invoice, usize, Option<Document>), DocumentError> {
        if let Some(second) = self.second.as_ref().filter(|s| s.replaces_words()) {
            return second.extract_file(bytes).map(|(invoice, pages)| (invoice, pages, None));
        }
        let document = {
            let _span = info_span!("read").entered();
            match (self.reader.read(bytes), &self.second) {
                (Err(e @ DocumentError::NoTextLayer { .. }), Some(second)) => {
                    return second
                        .read_without_words(bytes, e)
                        .map(|(invoice, pages)| (invoice, pages, None));
                }
                (read, _) => read?,
            }
        };
        let invoice = {
            let _span = info_span!("extract", extractor = self.extractor.name()).entered();
            self.extractor.extract(&document)
        };
        let invoice = match &self.second {
            Some(second) => second.review(name, bytes, invoice),
            None => invoice,
        };
        let pages = document.pages.len();
        Ok((invoice, pages, Some(document)))
    }

    /// Reads and extracts several files with one call to the extractor's
    /// batched inference; one prediction per file, in order. A panic in the
    /// batch falls back to one file at a time, so one bad file costs only itself.
    /// E-invoices (XML files, PDFs carrying one) are read on their own; with
    /// a second opinion, every file goes one at a time (it needs the bytes).
    pub fn process_files(&self, paths: &[PathBuf]) -> Vec<Prediction> {
        if paths.len() == 1 || self.second.is_some() {
            return paths.iter().map(|p| self.process_file(p)).collect();
        }
        // Each file's words for the batch, or its prediction already (an
        // e-invoice, or a file that could not be read).
        let read: Vec<(String, Result<Document, Box<Prediction>>)> = paths
            .iter()
            .map(|path| {
                let name = path.display().to_string();
                let _span = info_span!("read", file = %name).entered();
                let outcome = catch_unwind(AssertUnwindSafe(|| {
                    let failed = |e: DocumentError| {
                        Box::new(Prediction::failed(name.clone(), e.code(), e.to_string()))
                    };
                    let bytes = read_limited(path, self.max_bytes).map_err(failed)?;
                    if let Some(stage) = &self.e_invoice {
                        if is_xml(&bytes) {
                            return Err(Box::new(self.process_bytes(name.clone(), &bytes)));
                        }
                        let embedded = self.embedded(stage, &bytes);
                        if !matches!(embedded, Embedded::None) {
                            let read = self
                                .read_embedded(stage, &name, &bytes, embedded)
                                .map(|(invoice, pages, _)| (invoice, pages));
                            return Err(Box::new(prediction(name.clone(), read)));
                        }
                    }
                    self.reader.read(&bytes).map_err(failed)
                }))
                .unwrap_or_else(|_| {
                    Err(Box::new(Prediction::failed(
                        name.clone(),
                        "io",
                        "internal error while reading".into(),
                    )))
                });
                (name, outcome)
            })
            .collect();
        let documents: Vec<&Document> = read.iter().filter_map(|(_, d)| d.as_ref().ok()).collect();
        let invoices = {
            let _span = info_span!(
                "extract_batch",
                extractor = self.extractor.name(),
                documents = documents.len()
            )
            .entered();
            catch_unwind(AssertUnwindSafe(|| self.extractor.extract_batch(&documents)))
        };
        let Ok(invoices) =
            invoices.map_err(|_| warn!("batch extraction panicked; retrying one file at a time"))
        else {
            return paths.iter().map(|p| self.process_file(p)).collect();
        };
        let mut invoices = invoices.into_iter();
        read.into_iter()
            .map(|(name, document)| match document {
                Ok(d) => match invoices.next() {
                    Some(invoice) => Prediction::ok(name, invoice, d.pages.len()),
                    None => Prediction::failed(
                        name,
                        "internal",
                        "the extractor returned too few results".into(),
                    ),
                },
                Err(prediction) => *prediction,
            })
            .collect()
    }

    /// Processes `files` in parallel on the current rayon pool, `batch_size`
    /// files per extractor call, and hands each result to `sink` in input
    /// order, as soon as it and all before it are done.
    pub fn run_batch(&self, files: &[PathBuf], sink: &mut dyn Sink) {
        let (tx, rx) = mpsc::sync_channel::<(usize, Prediction)>(256);
        let batch = self.batch_size;
        std::thread::scope(|scope| {
            scope.spawn(move || {
                if let Some(fallback) = &self.fallback {
                    // One file at a time (the fallback needs each file's bytes
                    // and words); results come back out of order, from the
                    // fallback's threads, and are put in order below.
                    files.par_iter().enumerate().for_each_with(tx, |tx, (i, path)| {
                        self.process_with_fallback(fallback.as_ref(), i, path, tx)
                    });
                    // A fallback that gathers its jobs (the Batch API) sends them now.
                    fallback.finish();
                    return;
                }
                files.par_chunks(batch).enumerate().for_each_with(tx, |tx, (n, chunk)| {
                    for (k, prediction) in self.process_files(chunk).into_iter().enumerate() {
                        // The receiver only goes away if the sink panicked; nothing to do then.
                        let _ = tx.send((n * batch + k, prediction));
                    }
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

impl Pipeline {
    /// Reads one file and sends its prediction to `tx`, through `fallback`
    /// when its policy wants the file asked about.
    fn process_with_fallback(
        &self,
        fallback: &dyn Fallback,
        index: usize,
        path: &Path,
        tx: &mpsc::SyncSender<(usize, Prediction)>,
    ) {
        let name = path.display().to_string();
        let _span = info_span!("file", file = %name).entered();
        let bytes = match read_limited(path, self.max_bytes) {
            Ok(bytes) => bytes,
            Err(e) => {
                let _ = tx.send((index, Prediction::failed(name, e.code(), e.to_string())));
                return;
            }
        };
        let tx = tx.clone();
        // The receiver only goes away if the sink panicked.
        self.read_and_ask(fallback, name, &bytes, move |p| drop(tx.send((index, p))));
    }
}

/// A read file's prediction: its invoice, or the failure naming the cause.
fn prediction(name: String, read: Result<(Invoice, usize), DocumentError>) -> Prediction {
    match read {
        Ok((invoice, pages)) => {
            debug!(fields = invoice.fields.len(), pages, "extracted");
            Prediction::ok(name, invoice, pages)
        }
        Err(e) => Prediction::failed(name, e.code(), e.to_string()),
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

/// The upload service's workers run the same pipeline, one file at a time.
impl invex_domain::InvoiceProcessor for Pipeline {
    fn extractor_name(&self) -> &'static str {
        Pipeline::extractor_name(self)
    }
    fn process(&self, file_name: String, bytes: &[u8]) -> Prediction {
        self.process_bytes(file_name, bytes)
    }
    fn process_with_words(
        &self,
        file_name: String,
        bytes: &[u8],
    ) -> (Prediction, Option<Document>) {
        self.process_bytes_with_words(file_name, bytes)
    }
    fn join_fallback(
        &self,
        prediction: Prediction,
        reasons: Vec<String>,
        outcome: invex_domain::fallback::FallbackOutcome,
    ) -> Prediction {
        crate::fallback::join(prediction, reasons, outcome)
    }
}
