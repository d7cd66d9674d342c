//! Cheap content sniffing, so a file that is not a PDF gets a useful message
//! ("looks like a PNG image") instead of a parser error.

/// `Some(description)` when the bytes are clearly not a PDF, `None` when they
/// carry the `%PDF-` header (anywhere in the first KiB, as readers allow).
pub fn not_a_pdf(bytes: &[u8]) -> Option<String> {
    let head = &bytes[..bytes.len().min(1024)];
    if find(head, b"%PDF-").is_some() {
        return None;
    }
    Some(describe(head).to_string())
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
}
