//! The OCR path through the real binary and Tesseract: scanned PDFs, PNG,
//! JPEG and (multi-page) TIFF images, turned and skewed pages, a PDF with
//! one text page and one scanned page, and images that must be refused.

use std::collections::BTreeMap;
use std::fs;
use std::io::Cursor;
use std::path::Path;

use image::{GrayImage, ImageFormat};
use invex_pipeline::ocr::orient;
use serde_json::Value;

use crate::*;

/// The pages of a PDF as gray images at `dpi`.
fn render(pdf: &Path, dpi: u32) -> Vec<GrayImage> {
    let bytes = fs::read(pdf).expect("pdf");
    let pages = pdfium().render_pages(&bytes, dpi).expect("render");
    pages.into_iter().map(|p| image::DynamicImage::ImageRgb8(p).into_luma8()).collect()
}

fn encode(image: &GrayImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, format).expect("encode");
    out.into_inner()
}

/// A multi-page 8-bit gray TIFF at `dpi`.
fn tiff(pages: &[GrayImage], dpi: u32) -> Vec<u8> {
    use tiff::encoder::{Rational, TiffEncoder, colortype::Gray8};
    let mut out = Cursor::new(Vec::new());
    let mut encoder = TiffEncoder::new(&mut out).expect("tiff");
    for page in pages {
        let mut image = encoder.new_image::<Gray8>(page.width(), page.height()).expect("page");
        image.resolution(tiff::tags::ResolutionUnit::Inch, Rational { n: dpi, d: 1 });
        image.write_data(page.as_raw()).expect("write");
    }
    out.into_inner()
}

/// `groundtruth.jsonl` with each `file` renamed as `names` says (others dropped).
fn renamed_truth(truth: &Path, names: &BTreeMap<&str, String>, out: &Path) {
    let lines: Vec<String> = fs::read_to_string(truth)
        .expect("truth")
        .lines()
        .filter_map(|l| {
            let mut v: Value = serde_json::from_str(l).ok()?;
            let name = names.get(v["file"].as_str()?)?.clone();
            v["file"] = Value::String(name);
            Some(v.to_string())
        })
        .collect();
    fs::write(out, lines.join("\n") + "\n").expect("write truth");
}

fn truth_of(dir: &Path, file: &str) -> Value {
    fs::read_to_string(dir.join("groundtruth.jsonl"))
        .expect("truth")
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).expect("json"))
        .find(|v| v["file"] == file)
        .expect("truth line")
}

/// Prediction lines by their file's base name.
pub(crate) fn by_name(pred: &Path) -> BTreeMap<String, Value> {
    read_jsonl(pred)
        .into_iter()
        .map(|l| {
            let path = l["file"].as_str().unwrap_or_default();
            (path.rsplit('/').next().unwrap_or(path).to_string(), l)
        })
        .collect()
}

fn field<'a>(line: &'a Value, name: &str) -> &'a Value {
    &line["fields"][name]["value"]
}

/// Generated invoices rendered to images the way scanners and phones deliver
/// them (PNG, JPEG, single- and multi-page TIFF; upright, turned 90° and 180°,
/// skewed 3°) are read about as well as the PDFs they came from.
#[test]
fn rendered_scans_turned_and_skewed_read_like_their_pdfs() {
    let dir = tempdir();
    let data = dir.path().join("data");
    generate(&data, 5, 42);
    let scans = dir.path().join("scans");
    fs::create_dir_all(&scans).expect("mkdir");
    let page = |i: usize| render(&data.join(format!("inv-{i:05}.pdf")), 300);
    let mut names = BTreeMap::new();
    let mut put = |source: &'static str, name: &str, bytes: Vec<u8>| {
        fs::write(scans.join(name), bytes).expect("write scan");
        names.insert(source, name.to_string());
    };
    put("inv-00000.pdf", "upright.png", encode(&page(0)[0], ImageFormat::Png));
    let turned = image::imageops::rotate90(&page(1)[0]);
    put("inv-00001.pdf", "turned-90.png", encode(&turned, ImageFormat::Png));
    let upside_down = image::imageops::rotate180(&page(2)[0]);
    put("inv-00002.pdf", "turned-180.jpg", encode(&upside_down, ImageFormat::Jpeg));
    put("inv-00003.pdf", "skewed-3.tif", tiff(&[orient::rotate(&page(3)[0], 3.0)], 300));
    let pages = page(4);
    assert_eq!(pages.len(), 2, "inv-00004 is the two-page invoice");
    put("inv-00004.pdf", "two-pages.tiff", tiff(&pages, 300));
    let gold = dir.path().join("gold.jsonl");
    renamed_truth(&data.join("groundtruth.jsonl"), &names, &gold);

    let pred = dir.path().join("pred.jsonl");
    let out = extract(&[&scans], &pred);
    assert!(out.status.success(), "extract failed: {}", stderr(&out));
    let lines = by_name(&pred);
    assert_eq!(lines.len(), 5, "{lines:#?}");
    for (source, name) in &names {
        let line = &lines[name.as_str()];
        assert_eq!(line["status"], "ok", "{name}: {line}");
        let truth = truth_of(&data, source);
        assert_eq!(field(line, "invoice_number"), &truth["invoice_number"], "{name}: {line}");
    }
    assert_eq!(lines["two-pages.tiff"]["pages"], 2);
    let report = eval(&gold, &pred);
    let overall = report["overall"].as_f64().expect("overall");
    assert_eq!(report["docs_without_prediction"], 0);
    eprintln!("rendered scans: overall field accuracy {overall}");
    assert!(overall >= 0.9, "overall {overall} < 0.9 on rendered scans: {report:#}");
}

/// The committed fixtures (`inv-00003` of seed 1): a 100-dpi gray JPEG scan
/// in a PDF, and the same page as a 275 × 390 PNG (no resolution in the file).
#[test]
fn scan_and_photo_fixtures_extract() {
    let dir = tempdir();
    let data = dir.path().join("data");
    generate(&data, 4, 1);
    let truth = truth_of(&data, "inv-00003.pdf");
    let pred = dir.path().join("pred.jsonl");
    let fixtures = repo().join("tests/fixtures");
    let out = extract(&[&fixtures.join("scan.pdf"), &fixtures.join("photo.png")], &pred);
    assert!(out.status.success(), "extract failed: {}", stderr(&out));
    let lines = by_name(&pred);
    let scan = &lines["scan.pdf"];
    assert_eq!(scan["status"], "ok", "{scan}");
    for name in ["invoice_number", "total_amount", "bankgiro", "payment_reference", "supplier_name"]
    {
        let got = field(scan, name);
        let want = &truth[name];
        let same = got == want
            || got
                .as_str()
                .zip(want.as_f64())
                .is_some_and(|(g, w)| g.parse::<f64>().ok() == Some(w));
        assert!(same, "scan.pdf {name}: {got} != {want}: {scan}");
    }
    let confidence = scan["fields"]["invoice_number"]["confidence"].as_f64().expect("confidence");
    assert!(confidence < 1.0, "OCR confidence flows into the field's: {scan}");
    let photo = &lines["photo.png"];
    assert_eq!(photo["status"], "ok", "{photo}");
}

/// A PNG whose header claims `w` × `h` pixels over a few bytes of data.
pub fn bomb_png(w: u32, h: u32) -> Vec<u8> {
    fn chunk(out: &mut Vec<u8>, kind: &[u8], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        let mut crc = 0xffff_ffffu32;
        for &b in kind.iter().chain(data) {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 { (crc >> 1) ^ 0xedb8_8320 } else { crc >> 1 };
            }
        }
        out.extend_from_slice(&(!crc).to_be_bytes());
    }
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = [w.to_be_bytes(), h.to_be_bytes()].concat();
    ihdr.extend_from_slice(&[8, 0, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    // An empty zlib stream: the decoder must refuse on the header alone.
    chunk(&mut out, b"IDAT", &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
    chunk(&mut out, b"IEND", &[]);
    out
}

/// Images that are too large, bombs and broken files each get a clear error
/// naming the file, and the rest of the batch goes on.
#[test]
fn image_bombs_and_broken_images_fail_alone() {
    let dir = tempdir();
    let inbox = dir.path().join("inbox");
    generate(&inbox, 1, 7);
    let photo = fs::read(repo().join("tests/fixtures/photo.png")).expect("fixture");
    let cases: &[(&str, Vec<u8>, &str)] = &[
        ("bomb.png", bomb_png(100_000, 100_000), "image_too_large"),
        ("wide-bomb.png", bomb_png(400_000, 1), "image_too_large"),
        ("truncated.png", photo[..photo.len() / 3].to_vec(), "corrupt_image"),
        ("header-only.tif", b"II*\0\x08\0\0\0".to_vec(), "corrupt_image"),
        (
            "blank.png",
            encode(&GrayImage::from_pixel(850, 1100, image::Luma([255])), ImageFormat::Png),
            "no_text_layer",
        ),
    ];
    for (name, bytes, _) in cases {
        assert!(!name.contains("bomb") || bytes.len() < 100, "{name} is tiny");
        fs::write(inbox.join(name), bytes).expect("write");
    }
    let pred = dir.path().join("pred.jsonl");
    let out = extract(&[&inbox], &pred);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let lines = by_name(&pred);
    assert_eq!(lines["inv-00000.pdf"]["status"], "ok", "the good file is extracted");
    let log = stderr(&out);
    for (name, _, code) in cases {
        let line = &lines[*name];
        assert_eq!(line["status"], "failed", "{name}: {line}");
        assert_eq!(line["error_type"], *code, "{name}: {line}");
        assert!(log.contains(name), "stderr names {name}:\n{log}");
    }
    let bomb = lines["bomb.png"]["error"].as_str().unwrap_or_default();
    assert!(bomb.contains("100000×100000"), "the error gives the size: {bomb}");
}

/// A two-page PDF by hand: page 1 has a text layer (Helvetica), page 2 is
/// only a JPEG of a rendered invoice.
fn text_and_scan_pdf(scan: &GrayImage) -> Vec<u8> {
    let jpeg = encode(scan, ImageFormat::Jpeg);
    let text =
        b"BT /F1 14 Tf 72 770 Td (Text layer page: Faktura 4711 from the ERP) Tj ET".to_vec();
    let draw = b"q 595 0 0 842 0 0 cm /Im1 Do Q".to_vec();
    let image_dict = format!(
        "<< /Type /XObject /Subtype /Image /Width {} /Height {} /ColorSpace /DeviceGray \
         /BitsPerComponent 8 /Filter /DCTDecode /Length {} >>",
        scan.width(),
        scan.height(),
        jpeg.len()
    );
    let stream = |body: &[u8]| -> Vec<u8> {
        [format!("<< /Length {} >>\nstream\n", body.len()).as_bytes(), body, b"\nendstream"]
            .concat()
    };
    let objects: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R 5 0 R] /Count 2 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 6 0 R >>".to_vec(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im1 7 0 R >> >> /Contents 8 0 R >>".to_vec(),
        stream(&text),
        [image_dict.as_bytes(), b"\nstream\n", &jpeg, b"\nendstream"].concat(),
        stream(&draw),
    ];
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        pdf.extend_from_slice(body);
        pdf.extend_from_slice(b"\nendobj\n");
    }
    let xref = pdf.len();
    pdf.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for offset in offsets {
        pdf.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    pdf
}

/// A PDF whose first page has a text layer and whose second is a scan: page 1
/// is read from the text layer (confidence 1), page 2 by OCR.
#[test]
fn a_partly_scanned_pdf_takes_both_paths() {
    let dir = tempdir();
    let data = dir.path().join("data");
    generate(&data, 1, 42);
    let scan = &render(&data.join("inv-00000.pdf"), 200)[0];
    let mixed = dir.path().join("mixed.pdf");
    fs::write(&mixed, text_and_scan_pdf(scan)).expect("write");
    let out = run(invex().args(["words", "--json"]).arg(&mixed));
    assert!(out.status.success(), "words failed: {}", stderr(&out));
    let document: Value = serde_json::from_slice(&out.stdout).expect("json");
    let pages = document["pages"].as_array().expect("pages");
    assert_eq!(pages.len(), 2);
    let words = |p: &Value| -> Vec<(String, f64)> {
        p["words"]
            .as_array()
            .expect("words")
            .iter()
            .map(|w| {
                (
                    w["text"].as_str().unwrap_or_default().to_string(),
                    w["confidence"].as_f64().unwrap_or(-1.0),
                )
            })
            .collect()
    };
    let first = words(&pages[0]);
    let texts: Vec<&str> = first.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(texts, ["Text", "layer", "page:", "Faktura", "4711", "from", "the", "ERP"]);
    assert!(first.iter().all(|(_, c)| *c == 1.0), "text-layer words are sure: {first:?}");
    let second = words(&pages[1]);
    assert!(second.len() > 40, "the scanned page is OCR'd: {second:?}");
    assert!(second.iter().any(|(_, c)| *c < 1.0), "OCR words carry Tesseract's confidence");
    let number =
        truth_of(&data, "inv-00000.pdf")["invoice_number"].as_str().expect("number").to_string();
    assert!(
        second.iter().any(|(t, _)| t.contains(&number)),
        "{number} read from the scan: {second:?}"
    );
    let (w, h) =
        (pages[1]["width"].as_f64().unwrap_or(0.0), pages[1]["height"].as_f64().unwrap_or(0.0));
    assert!(
        (w - 595.0).abs() < 2.0 && (h - 842.0).abs() < 2.0,
        "OCR boxes are in PDF points: {w}×{h}"
    );
}

/// Small print: the top of a page rendered at 100 dpi, in a PNG that says
/// nothing of its resolution and is not page-shaped (so it is taken as
/// 300 dpi, like a till receipt photographed whole). Its 10-pixel text is
/// read again enlarged, and the invoice number and date come out.
#[test]
fn small_print_is_read_enlarged() {
    let dir = tempdir();
    let data = dir.path().join("data");
    generate(&data, 1, 5);
    let page = &render(&data.join("inv-00000.pdf"), 100)[0];
    let (w, h) = page.dimensions();
    let top = image::imageops::crop_imm(page, 0, 0, w, h * 45 / 100).to_image();
    let scans = dir.path().join("scans");
    fs::create_dir_all(&scans).expect("mkdir");
    fs::write(scans.join("small.png"), encode(&top, ImageFormat::Png)).expect("write");
    let pred = dir.path().join("pred.jsonl");
    let out = extract(&[&scans], &pred);
    assert!(out.status.success(), "extract failed: {}", stderr(&out));
    let line = &by_name(&pred)["small.png"];
    let truth = truth_of(&data, "inv-00000.pdf");
    for name in ["invoice_number", "invoice_date"] {
        assert_eq!(field(line, name), &truth[name], "{name}: {line}");
    }
}
