//! Cheap content sniffing, so a file that is not a PDF gets a useful message
//! ("looks like a PNG image") instead of a parser error, and the upload API
//! can refuse a wrong-type, empty or truncated file before it is stored.

use crate::error::DocumentError;

/// The kinds of file invex accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Pdf,
    Png,
    Jpeg,
    Tiff,
    /// An XML document (an e-invoice, hopefully).
    Xml,
}

impl FileKind {
    pub fn content_type(self) -> &'static str {
        match self {
            FileKind::Pdf => "application/pdf",
            FileKind::Png => "image/png",
            FileKind::Jpeg => "image/jpeg",
            FileKind::Tiff => "image/tiff",
            FileKind::Xml => "application/xml",
        }
    }
}

/// Checks an uploaded file before it is stored: not empty, not above `limit`
/// bytes, a PDF or a PNG/JPEG/TIFF image, and for a PDF not visibly truncated
/// (a PDF ends with `%%EOF`, give or take trailing whitespace or junk).
pub fn check_upload(bytes: &[u8], limit: u64) -> Result<FileKind, DocumentError> {
    if bytes.is_empty() {
        return Err(DocumentError::Empty);
    }
    if bytes.len() as u64 > limit {
        return Err(DocumentError::TooLarge { size: bytes.len() as u64, limit });
    }
    let head = &bytes[..bytes.len().min(1024)];
    if find(head, b"%PDF-").is_some() {
        let tail = &bytes[bytes.len().saturating_sub(2048)..];
        if find(tail, b"%%EOF").is_none() {
            return Err(DocumentError::Corrupt(
                "the file ends before the PDF's %%EOF marker".into(),
            ));
        }
        return Ok(FileKind::Pdf);
    }
    const IMAGES: &[(&[u8], FileKind)] = &[
        (b"\x89PNG\r\n\x1a\n", FileKind::Png),
        (b"\xff\xd8\xff", FileKind::Jpeg),
        (b"II*\0", FileKind::Tiff),
        (b"MM\0*", FileKind::Tiff),
    ];
    for (magic, kind) in IMAGES {
        if head.starts_with(magic) {
            return Ok(*kind);
        }
    }
    if is_xml(bytes) {
        return Ok(FileKind::Xml);
    }
    Err(DocumentError::NotAPdf { detected: describe(head).to_string() })
}

/// `Some(description)` when the bytes are clearly not a PDF, `None` when they
/// carry the `%PDF-` header (anywhere in the first KiB, as readers allow).
pub fn not_a_pdf(bytes: &[u8]) -> Option<String> {
    let head = &bytes[..bytes.len().min(1024)];
    if find(head, b"%PDF-").is_some() {
        return None;
    }
    Some(describe(head).to_string())
}

/// Whether the content is XML: an optional byte-order mark and whitespace,
/// then `<?xml`, a comment, a `<!DOCTYPE` (which the e-invoice reader
/// refuses, with a reason) or an element's `<` followed by a letter. HTML is
/// not XML here.
pub fn is_xml(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(1024)];
    let head = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    let start = head.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(head.len());
    let rest = head[start..].to_ascii_lowercase();
    if rest.starts_with(b"<html") || rest.starts_with(b"<!doctype html") {
        return false;
    }
    rest.starts_with(b"<?xml")
        || rest.starts_with(b"<!--")
        || rest.starts_with(b"<!doctype")
        || (rest.first() == Some(&b'<') && rest.get(1).is_some_and(|b| b.is_ascii_alphabetic()))
}

fn describe(head: &[u8]) -> &'static str {
    const SIGNATURES: &[(&[u8], &str)] = &[
        (b"\x89PNG\r\n\x1a\n", "a PNG image"),
        (b"\xff\xd8\xff", "a JPEG image"),
        (b"II*\0", "a TIFF image"),
        (b"MM\0*", "a TIFF image"),
        (b"GIF8", "a GIF image"),
        (b"BM", "a BMP image"),
        (b"PK\x03\x04", "a ZIP archive (perhaps a Word or Excel file)"),
        (b"\xd0\xcf\x11\xe0", "an old Microsoft Office document"),
        (b"\x1f\x8b", "a gzip archive"),
        (b"{\\rtf", "an RTF document"),
    ];
    for (magic, what) in SIGNATURES {
        if head.starts_with(magic) {
            return what;
        }
    }
    if head.len() >= 12 && &head[4..8] == b"ftyp" {
        return "a HEIC/MP4 file";
    }
    if head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WEBP" {
        return "a WebP image";
    }
    let text = String::from_utf8_lossy(head).to_ascii_lowercase();
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with("<?xml") {
        if trimmed.contains("invoice") || trimmed.contains("crossindustry") {
            return "an XML e-invoice (UBL/PEPPOL or ZUGFeRD), not a PDF";
        }
        return "an XML document";
    }
    if trimmed.starts_with("<!doctype html") || trimmed.starts_with("<html") {
        return "an HTML page";
    }
    let printable = head.iter().filter(|b| b.is_ascii_graphic() || b.is_ascii_whitespace()).count();
    if !head.is_empty() && printable * 100 / head.len() > 95 {
        return "plain text";
    }
    "unrecognised binary data"
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &[u8], expected: Option<&str>) {
        assert_eq!(
            not_a_pdf(input).as_deref(),
            expected,
            "input {:?}",
            &input[..input.len().min(16)]
        );
    }

    #[test]
    fn sniffing() {
        check(b"%PDF-1.7\n...", None);
        check(b"\n\n%PDF-1.4", None);
        check(b"\x89PNG\r\n\x1a\n\0\0", Some("a PNG image"));
        check(b"\xff\xd8\xff\xe0JFIF", Some("a JPEG image"));
        check(b"II*\0\x08\0", Some("a TIFF image"));
        check(b"PK\x03\x04rest", Some("a ZIP archive (perhaps a Word or Excel file)"));
        check(
            b"<?xml version=\"1.0\"?><Invoice>",
            Some("an XML e-invoice (UBL/PEPPOL or ZUGFeRD), not a PDF"),
        );
        check(b"hello world, this is text", Some("plain text"));
        check(&[0u8, 1, 2, 3, 250, 251, 252], Some("unrecognised binary data"));
    }

    #[test]
    fn upload_checks() {
        fn check(input: &[u8], expected: Result<FileKind, &str>) {
            assert_eq!(check_upload(input, 100).map_err(|e| e.code()), expected, "{input:?}");
        }
        check(b"", Err("empty_file"));
        check(&[b' '; 101], Err("too_large"));
        check(b"%PDF-1.7\n1 0 obj\n%%EOF\n", Ok(FileKind::Pdf));
        check(b"%PDF-1.7\n1 0 obj\n<< /Type", Err("corrupt"));
        check(b"\x89PNG\r\n\x1a\n\0\0", Ok(FileKind::Png));
        check(b"\xff\xd8\xff\xe0JFIF", Ok(FileKind::Jpeg));
        check(b"MM\0*\0\0", Ok(FileKind::Tiff));
        check(b"PK\x03\x04rest", Err("not_a_pdf"));
        check(b"<?xml version=\"1.0\"?><Invoice/>", Ok(FileKind::Xml));
        check(b"\xef\xbb\xbf\n  <Invoice xmlns=\"x\"/>", Ok(FileKind::Xml));
        check(b"<!DOCTYPE lolz [<!ENTITY a \"a\">]><a/>", Ok(FileKind::Xml));
        check(b"<!DOCTYPE html><html></html>", Err("not_a_pdf"));
        check(b"<html><body></body></html>", Err("not_a_pdf"));
        check(b"<- not xml", Err("not_a_pdf"));
        check(
            b"\xef\xbb\xbf\r\n<!-- Order-X sample --><rsm:SCRDMCCBDACIOMessageStructure/>",
            Ok(FileKind::Xml),
        );
    }
}
