//! One module per subcommand.

mod dataset;
mod dataset_scan;
mod dataset_tokens;
mod dataset_weak;
mod doctor;
mod donut;
mod eval;
mod export;
pub(crate) mod export_remote;
mod extract;
mod extract_s3;
pub mod extractor;
mod learn;
mod llm;
mod model_gate;
mod model_versions;
mod models;
pub mod service;
mod tenants;
mod words;

use std::process::ExitCode;

use anyhow::Result;

use crate::cli::Command;

pub fn run(command: Command) -> Result<ExitCode> {
    match command {
        Command::Words(args) => words::run(args),
        Command::Doctor => doctor::run(),
        Command::Reader => {
            invex_pipeline::isolated::serve(&pdf_reader()?, &pdfium()?)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Extract(args) => extract::run(args),
        Command::Eval(args) => eval::run(args),
        Command::Dataset(command) => dataset::run(command),
        Command::Models(command) => models::run(command),
        Command::Export(args) => export::run(*args),
        Command::Serve(args) => service::serve(*args),
        Command::Worker(args) => service::worker(*args),
        Command::Tenants(command) => tenants::tenants(command),
        Command::Keys(command) => tenants::keys(command),
        Command::Learn(crate::cli_service::LearnCommand::Export(args)) => learn::export(args),
    }
}

/// The document reader: pdfium from the installed library for text layers,
/// Tesseract for scanned pages and PNG/JPEG/TIFF images.
pub fn pdf_reader() -> Result<invex_pipeline::ocr::OcrReader> {
    Ok(invex_pipeline::ocr::OcrReader::new(pdfium()?))
}

/// The reader of `extract`, `serve` and `worker`: helper processes running
/// [`pdf_reader`] (this binary as `invex reader`), unless `--in-process-reader`.
pub fn document_reader(
    extractor: &crate::cli::ExtractorArgs,
) -> Result<Box<dyn invex_domain::DocumentReader>> {
    let args = &extractor.reader;
    if args.in_process_reader {
        return Ok(Box::new(pdf_reader()?));
    }
    // Fail here, with the set-up hint, rather than in every helper (the
    // library is found, not loaded: only the helpers load it).
    crate::native::find(crate::native::PDFIUM)?;
    let exe = std::env::current_exe()?;
    let limits = invex_pipeline::isolated::HelperLimits {
        timeout: std::time::Duration::from_secs(args.reader_timeout_seconds.max(1)),
        memory_bytes: args.reader_memory_mb.max(64).saturating_mul(1 << 20),
        ..Default::default()
    };
    // The page is read along with the attachments unless the XML alone is trusted.
    let trusted = extractor.trust_xml || extractor.e_invoice == crate::cli::EInvoiceUse::Trust;
    let reader = invex_pipeline::isolated::IsolatedReader::new(exe, limits).with_prefetch(!trusted);
    Ok(Box::new(reader))
}

/// What draws the review UI's page images: the same helper processes as
/// [`document_reader`] (a file never opened by native code in the API
/// process), or pdfium in process with `--in-process-reader`.
pub fn page_renderer(
    extractor: &crate::cli::ExtractorArgs,
) -> Result<std::sync::Arc<dyn invex_domain::PageRenderer>> {
    let args = &extractor.reader;
    if args.in_process_reader {
        return Ok(std::sync::Arc::new(pdfium()?));
    }
    crate::native::find(crate::native::PDFIUM)?;
    let limits = invex_pipeline::isolated::HelperLimits {
        timeout: std::time::Duration::from_secs(args.reader_timeout_seconds.max(1)),
        memory_bytes: args.reader_memory_mb.max(64).saturating_mul(1 << 20),
        ..Default::default()
    };
    let exe = std::env::current_exe()?;
    Ok(std::sync::Arc::new(invex_pipeline::isolated::IsolatedReader::new(exe, limits)))
}

/// pdfium alone, from the installed library: for rendering pages to pixels.
pub fn pdfium() -> Result<invex_pipeline::pdf::PdfiumReader> {
    let path = crate::native::find(crate::native::PDFIUM)?;
    Ok(invex_pipeline::pdf::PdfiumReader::load(&path)?)
}
