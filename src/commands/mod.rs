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
        Command::Extract(args) => extract::run(args),
        Command::Eval(args) => eval::run(args),
        Command::Dataset(command) => dataset::run(command),
        Command::Models(command) => models::run(command),
        Command::Export(args) => export::run(*args),
        Command::Serve(args) => service::serve(*args),
        Command::Worker(args) => service::worker(*args),
        Command::Tenants(command) => tenants::tenants(command),
        Command::Keys(command) => tenants::keys(command),
    }
}

/// The document reader: pdfium from the installed library for text layers,
/// Tesseract for scanned pages and PNG/JPEG/TIFF images.
pub fn pdf_reader() -> Result<invex_pipeline::ocr::OcrReader> {
    Ok(invex_pipeline::ocr::OcrReader::new(pdfium()?))
}

/// pdfium alone, from the installed library: for rendering pages to pixels.
pub fn pdfium() -> Result<invex_pipeline::pdf::PdfiumReader> {
    let path = crate::native::find(crate::native::PDFIUM)?;
    Ok(invex_pipeline::pdf::PdfiumReader::load(&path)?)
}
