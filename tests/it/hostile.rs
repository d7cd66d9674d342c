//! A folder of hostile files among good ones: every good file is extracted,
//! every bad one gets a clear per-file error, and nothing is lost.

use std::collections::BTreeMap;
use std::fs;

use invex_pipeline::isolated::{ABORT_MARK, HANG_MARK};

use crate::*;

/// Deterministic pseudo-random bytes (xorshift), so the test needs no RNG crate.
fn noise(len: usize, mut state: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(len);
    while out.len() < len {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        out.extend_from_slice(&state.to_le_bytes());
    }
    out.truncate(len);
    out
}

const PNG_HEADER: &[u8] =
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0\x90wS\xde";
const NO_PAGES_PDF: &[u8] = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n";

/// A white page as PNG: OCR finds no words on it.
fn blank_png() -> Vec<u8> {
    let page = image::GrayImage::from_pixel(850, 1100, image::Luma([255]));
    let mut out = std::io::Cursor::new(Vec::new());
    page.write_to(&mut out, image::ImageFormat::Png).expect("png");
    out.into_inner()
}

/// (file name, bytes, accepted error types)
fn hostile_files(good_pdf: &[u8]) -> Vec<(String, Vec<u8>, &'static [&'static str])> {
    let fixture = |name: &str| fs::read(repo().join("tests/fixtures").join(name)).expect("fixture");
    let photo = fixture("photo.png");
    let cut = |fraction: f64| good_pdf[..(good_pdf.len() as f64 * fraction) as usize].to_vec();
    let mut garbage_with_eof = b"%PDF-1.7\n".to_vec();
    garbage_with_eof.extend(noise(20_000, 7));
    garbage_with_eof.extend_from_slice(b"\n%%EOF\n");
    let mut zeroed_middle = good_pdf.to_vec();
    let n = zeroed_middle.len();
    zeroed_middle[20..n - 200].fill(0);
    vec![
        ("truncated-30.pdf".into(), cut(0.3), &["corrupt"][..]),
        ("truncated-60.pdf".into(), cut(0.6), &["corrupt"]),
        ("truncated-95.pdf".into(), cut(0.95), &["corrupt"]),
        ("encrypted-1.pdf".into(), fixture("encrypted.pdf"), &["encrypted"]),
        ("encrypted-2.pdf".into(), fixture("encrypted.pdf"), &["encrypted"]),
        ("zero-byte-1.pdf".into(), vec![], &["empty_file"]),
        ("zero-byte-2.pdf".into(), vec![], &["empty_file"]),
        // Images are read by content whatever their name (OCR); broken ones fail.
        ("png-renamed-1.pdf".into(), PNG_HEADER.to_vec(), &["corrupt_image"]),
        ("png-bomb.pdf".into(), crate::ocr::bomb_png(100_000, 100_000), &["image_too_large"]),
        ("random-50mb.pdf".into(), noise(50 * 1024 * 1024, 42), &["not_a_pdf"]),
        ("random-1kb.pdf".into(), noise(1024, 43), &["not_a_pdf"]),
        ("png-truncated.pdf".into(), photo[..photo.len() / 3].to_vec(), &["corrupt_image"]),
        ("blank-scan.pdf".into(), blank_png(), &["no_text_layer"]),
        (
            "page.html.pdf".into(),
            b"<!DOCTYPE html><html><body>Faktura</body></html>".to_vec(),
            &["not_a_pdf"],
        ),
        (
            // Sniffed by content: XML goes to the e-invoice reader, whatever its name.
            "einvoice.xml.pdf".into(),
            b"<?xml version=\"1.0\"?><Invoice xmlns=\"urn:oasis\"/>".to_vec(),
            &["not_an_invoice"],
        ),
        ("garbage-body.pdf".into(), garbage_with_eof, &["corrupt", "no_pages"]),
        ("zeroed-middle.pdf".into(), zeroed_middle, &["corrupt", "no_pages"]),
        ("jpeg-renamed.pdf".into(), b"\xff\xd8\xff\xe0\0\x10JFIF\0".to_vec(), &["corrupt_image"]),
        ("zip-renamed.pdf".into(), b"PK\x03\x04\x14\0\0\0\x08\0".to_vec(), &["not_a_pdf"]),
        ("no-pages.pdf".into(), NO_PAGES_PDF.to_vec(), &["no_pages", "corrupt"]),
        // The reader helper aborts or hangs on these (INVEX_READER_FAULTS=1):
        // a native crash and a hang cost that file alone.
        ("aborts.pdf".into(), marked(good_pdf, ABORT_MARK), &["reader_crashed"]),
        ("hangs.pdf".into(), marked(good_pdf, HANG_MARK), &["reader_timeout"]),
    ]
}

/// A good PDF with a fault mark after its end.
fn marked(pdf: &[u8], mark: &[u8]) -> Vec<u8> {
    let mut out = pdf.to_vec();
    out.extend_from_slice(b"\n");
    out.extend_from_slice(mark);
    out.extend_from_slice(b"\n");
    out
}

#[test]
fn hostile_files_among_good_ones_lose_nothing() {
    let dir = tempdir();
    let folder = dir.path().join("inbox");
    generate(&folder, 100, 4242);
    let good_pdf = fs::read(folder.join("inv-00000.pdf")).expect("generated pdf");
    let hostile = hostile_files(&good_pdf);
    assert_eq!(hostile.len(), 22);
    for (name, bytes, _) in &hostile {
        fs::write(folder.join(name), bytes).expect("write hostile file");
    }

    let pred = dir.path().join("pred.jsonl");
    let out = run(invex()
        .args(["extract", "--no-progress", "--reader-timeout-seconds", "5", "--output"])
        .arg(&pred)
        .arg(&folder)
        .env("INVEX_READER_FAULTS", "1"));
    assert_eq!(
        out.status.code(),
        Some(1),
        "some files failed, so the exit code is 1: {}",
        stderr(&out)
    );
    let lines = read_jsonl(&pred);
    assert_eq!(lines.len(), 122, "one line per input file");

    let by_file: BTreeMap<String, &serde_json::Value> = lines
        .iter()
        .map(|l| {
            let path = l["file"].as_str().expect("file");
            (path.rsplit('/').next().unwrap_or(path).to_string(), l)
        })
        .collect();
    let ok = lines.iter().filter(|l| l["status"] == "ok").count();
    assert_eq!(ok, 100, "every good file is extracted");
    for l in lines.iter().filter(|l| l["status"] == "ok") {
        let fields = l["fields"].as_object().expect("fields");
        assert!(fields.len() >= 8, "a good invoice yields its fields: {l}");
    }
    let log = stderr(&out);
    for (name, _, expected) in &hostile {
        let line = by_file.get(name).unwrap_or_else(|| panic!("{name} missing from the output"));
        assert_eq!(line["status"], "failed", "{name}: {line}");
        let kind = line["error_type"].as_str().unwrap_or_default();
        assert!(
            expected.contains(&kind),
            "{name}: error_type {kind:?}, expected one of {expected:?}: {line}"
        );
        let message = line["error"].as_str().unwrap_or_default();
        assert!(message.len() > 10, "{name}: the error says why: {line}");
        assert!(log.contains(name.as_str()), "{name}: stderr names the failed file:\n{log}");
    }
    assert!(log.contains("22 failed"), "the summary counts failures:\n{log}");
}
