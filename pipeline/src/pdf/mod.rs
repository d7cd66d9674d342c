//! PDF text layer → [`Document`], through pdfium.
//!
//! pdfium is loaded once per process from a path the caller gives (the binary
//! finds it in `.native/lib`). pdfium is not thread-safe, so one document is
//! read at a time under a lock; reading words costs about a millisecond a page,
//! and the expensive work (extraction) runs in parallel after it.

mod page_image;
mod render;
mod words;

use std::path::Path;
use std::sync::{Mutex, OnceLock};

use invex_domain::{Attachment, BBox, Document, DocumentError, DocumentReader, Page};
use pdfium_render::prelude::*;

use crate::Error;
pub use invex_domain::sniff::not_a_pdf;
pub use page_image::MAX_PAGE_IMAGE_WIDTH;
pub use render::{MAX_RENDER_SIDE, render_page};
pub use words::{PositionedChar, chars_to_words, reading_order};

/// Refuse files above this size by default (bytes).
pub const DEFAULT_MAX_BYTES: u64 = 200 * 1024 * 1024;
/// Refuse documents with more pages than this by default.
pub const DEFAULT_MAX_PAGES: usize = 2000;

static PDFIUM: OnceLock<Result<Mutex<Pdfium>, String>> = OnceLock::new();

/// Reads the text layer of PDFs with pdfium.
pub struct PdfiumReader {
    pub(crate) pdfium: &'static Mutex<Pdfium>,
    pub max_bytes: u64,
    pub max_pages: usize,
}

impl PdfiumReader {
    /// Binds libpdfium at `library` (once per process; later calls reuse it).
    pub fn load(library: &Path) -> Result<Self, Error> {
        let bound = PDFIUM.get_or_init(|| {
            Pdfium::bind_to_library(library)
                .map(|bindings| Mutex::new(Pdfium::new(bindings)))
                .map_err(|e| e.to_string())
        });
        match bound {
            Ok(pdfium) => Ok(PdfiumReader {
                pdfium,
                max_bytes: DEFAULT_MAX_BYTES,
                max_pages: DEFAULT_MAX_PAGES,
            }),
            Err(reason) => {
                Err(Error::PdfiumLibrary { path: library.to_path_buf(), reason: reason.clone() })
            }
        }
    }
}

impl DocumentReader for PdfiumReader {
    fn read(&self, bytes: &[u8]) -> Result<Document, DocumentError> {
        let pages = self.read_text_pages(bytes)?;
        if pages.iter().all(|p| p.words.is_empty()) {
            return Err(DocumentError::NoTextLayer { pages: pages.len() });
        }
        Ok(Document { pages })
    }

    /// The PDF's embedded XML files (a ZUGFeRD/Factur-X PDF's invoice among
    /// them). Only attachments named `*.xml` are decoded, each at most
    /// [`MAX_ATTACHMENT_BYTES`]; one that pdfium cannot decode is skipped.
    fn attachments(&self, bytes: &[u8]) -> Result<Vec<Attachment>, DocumentError> {
        self.check_bytes(bytes)?;
        let pdfium = self.lock()?;
        let document = pdfium.load_pdf_from_byte_slice(bytes, None).map_err(load_error)?;
        let mut out = Vec::new();
        for attachment in document.attachments().iter() {
            let name = attachment.name();
            if !name.to_lowercase().ends_with(".xml") {
                continue;
            }
            // pdfium-render asserts inside; a panic must not poison the pdfium lock.
            let content = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                if attachment.len() > MAX_ATTACHMENT_BYTES {
                    None
                } else {
                    attachment.save_to_bytes().ok()
                }
            }));
            if let Ok(Some(content)) = content {
                out.push(Attachment { name, bytes: content });
            }
        }
        Ok(out)
    }
}

/// Embedded files larger than this are not read (an e-invoice XML is far smaller).
pub const MAX_ATTACHMENT_BYTES: usize = 32 << 20;

/// Returns the PDF with its attachment `name` replaced by (or, if absent,
/// added as) `content`. For tests and tools that need a PDF whose XML says
/// something else than its page.
pub fn replace_attachment(
    reader: &PdfiumReader,
    bytes: &[u8],
    name: &str,
    content: &[u8],
) -> Result<Vec<u8>, DocumentError> {
    let pdfium = reader.lock()?;
    let mut document = pdfium.load_pdf_from_byte_slice(bytes, None).map_err(load_error)?;
    let index = document.attachments().iter().position(|a| a.name() == name);
    let other = |e: PdfiumError| DocumentError::Other(format!("pdfium: {e}"));
    if let Some(index) = index {
        document.attachments_mut().delete_at_index(index as PdfAttachmentIndex).map_err(other)?;
    }
    document.attachments_mut().create_attachment_from_bytes(name, content).map_err(other)?;
    document.save_to_bytes().map_err(other)
}

impl PdfiumReader {
    /// Every page's text-layer words, empty pages included: the checks and
    /// errors of [`DocumentReader::read`] except [`DocumentError::NoTextLayer`],
    /// so the OCR reader can fill the empty pages in.
    pub fn read_text_pages(&self, bytes: &[u8]) -> Result<Vec<Page>, DocumentError> {
        self.check_bytes(bytes)?;
        let pdfium = self.lock()?;
        let document = pdfium.load_pdf_from_byte_slice(bytes, None).map_err(load_error)?;
        let page_count = document.pages().len() as usize;
        if page_count == 0 {
            return Err(DocumentError::NoPages);
        }
        if page_count > self.max_pages {
            return Err(DocumentError::Other(format!(
                "{page_count} pages, above the limit of {}",
                self.max_pages
            )));
        }
        let mut pages = Vec::with_capacity(page_count);
        for (index, page) in document.pages().iter().enumerate() {
            pages.push(read_page(index as u32 + 1, &page)?);
        }
        Ok(pages)
    }

    /// The checks made before pdfium sees the bytes: not empty, not too
    /// large, a PDF header, an end-of-file marker.
    fn check_bytes(&self, bytes: &[u8]) -> Result<(), DocumentError> {
        if bytes.is_empty() {
            return Err(DocumentError::Empty);
        }
        if bytes.len() as u64 > self.max_bytes {
            return Err(DocumentError::TooLarge {
                size: bytes.len() as u64,
                limit: self.max_bytes,
            });
        }
        if let Some(detected) = not_a_pdf(bytes) {
            return Err(DocumentError::NotAPdf { detected });
        }
        if !has_eof_marker(bytes) {
            return Err(DocumentError::Corrupt(
                "truncated: the end-of-file marker %%EOF is missing, so the file is incomplete"
                    .into(),
            ));
        }
        Ok(())
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'static, Pdfium>, DocumentError> {
        self.pdfium
            .lock()
            .map_err(|_| DocumentError::Other("pdfium lock poisoned by an earlier panic".into()))
    }
}

/// How far (degrees) a character may be turned and still be read as
/// part of the page's horizontal text.
const TURNED_DEGREES: f32 = 10.0;

fn read_page(number: u32, page: &PdfPage) -> Result<Page, DocumentError> {
    let width = page.width().value;
    let height = page.height().value;
    let text = page.text().map_err(|e| DocumentError::Corrupt(format!("page {number}: {e}")))?;
    // Text turned sideways (a margin's legal notice, a vertical barcode
    // caption) comes out one character per word and per line, interleaved
    // with the body's lines; it is left out while it is a small part of
    // the page (a page whose text is all turned is read as it is).
    let angles: Vec<f32> = text.chars().iter().map(|c| c.angle_degrees().unwrap_or(0.0)).collect();
    let turned = |a: f32| {
        let a = a.rem_euclid(360.0);
        a > TURNED_DEGREES && a < 360.0 - TURNED_DEGREES
    };
    let skip_turned = angles.iter().filter(|a| turned(**a)).count() * 10 < angles.len() * 3;
    let mut chars = Vec::new();
    for (c, angle) in text.chars().iter().zip(angles) {
        let Some(ch) = c.unicode_char() else { continue };
        if skip_turned && turned(angle) {
            chars.push(PositionedChar { ch: ' ', bbox: BBox::default(), font_size: 0.0 });
            continue;
        }
        if c.is_generated().unwrap_or(false) {
            // pdfium inserts spaces and line breaks it inferred; they only separate words.
            chars.push(PositionedChar { ch: ' ', bbox: BBox::default(), font_size: 0.0 });
            continue;
        }
        let Ok(rect) = c.loose_bounds().or_else(|_| c.tight_bounds()) else { continue };
        let bbox = BBox::new(
            rect.left().value,
            height - rect.top().value,
            rect.right().value,
            height - rect.bottom().value,
        );
        chars.push(PositionedChar { ch, bbox, font_size: c.scaled_font_size().value });
    }
    let words = reading_order(chars_to_words(&chars));
    Ok(Page { number, width, height, words })
}

/// Every complete PDF ends with `%%EOF` (followed at most by some padding);
/// a download or copy cut short does not.
fn has_eof_marker(bytes: &[u8]) -> bool {
    let tail = &bytes[bytes.len().saturating_sub(2048)..];
    tail.windows(5).any(|w| w == b"%%EOF")
}

pub(crate) fn load_error(e: PdfiumError) -> DocumentError {
    match e {
        PdfiumError::PdfiumLibraryInternalError(PdfiumInternalError::PasswordError)
        | PdfiumError::PdfiumLibraryInternalError(PdfiumInternalError::SecurityError) => {
            DocumentError::Encrypted
        }
        PdfiumError::PdfiumLibraryInternalError(PdfiumInternalError::FormatError) => {
            DocumentError::Corrupt("pdfium could not parse the file structure".into())
        }
        PdfiumError::PdfiumLibraryInternalError(PdfiumInternalError::FileError) => {
            DocumentError::Corrupt("pdfium could not read the file".into())
        }
        other => DocumentError::Corrupt(other.to_string()),
    }
}
