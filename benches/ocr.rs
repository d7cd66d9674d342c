//! Speed of the OCR path on 2 threads: generated invoices rendered at 300 dpi
//! as PNG scans (some turned 90°/180°, some skewed 2°) and as image-only
//! PDFs (a JPEG per page), read by `OcrReader` and extracted by the rules.
//! Prints pages, wall seconds, pages/s, and beside it Tesseract's own time
//! (Recognize + OSD, summed over threads) and its share of the thread-time,
//! then rendering and our own image work.
//!
//! Run: `cargo bench --bench ocr` (`INVEX_BENCH_SCANS=N` scans, default 16;
//! `INVEX_OCR_LANGUAGES=swe+eng` to compare language sets).

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::time::Instant;

use image::{GrayImage, ImageFormat};
use invex_datasets::GenerateOptions;
use invex_pipeline::ocr::{OcrReader, orient};
use invex_pipeline::pdf::PdfiumReader;
use invex_pipeline::{Pipeline, RulesExtractor};

const THREADS: usize = 2;

fn encode(image: &GrayImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, format).expect("encode");
    out.into_inner()
}

/// A one-page PDF that is only a JPEG (a scanner's PDF).
fn image_only_pdf(scan: &GrayImage) -> Vec<u8> {
    let jpeg = encode(scan, ImageFormat::Jpeg);
    let draw = b"q 595 0 0 842 0 0 cm /Im1 Do Q";
    let objects: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im1 4 0 R >> >> /Contents 5 0 R >>".to_vec(),
        [
            format!(
                "<< /Type /XObject /Subtype /Image /Width {} /Height {} /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode /Length {} >>\nstream\n",
                scan.width(),
                scan.height(),
                jpeg.len()
            )
            .as_bytes(),
            &jpeg,
            b"\nendstream",
        ]
        .concat(),
        [format!("<< /Length {} >>\nstream\n", draw.len()).as_bytes(), draw, b"\nendstream"].concat(),
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

fn main() {
    invex_pipeline::ocr::limit_openmp_threads();
    let _ = rayon::ThreadPoolBuilder::new().num_threads(THREADS).build_global();
    let scans: usize =
        std::env::var("INVEX_BENCH_SCANS").ok().and_then(|s| s.parse().ok()).unwrap_or(16);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let lib = root.join(".native/lib/libpdfium.so");
    let dir = std::env::temp_dir().join(format!("invex-bench-ocr-{scans}"));
    let data = dir.join("data");
    if !data.join("groundtruth.jsonl").is_file() {
        let opts = GenerateOptions {
            count: scans,
            seed: 4711,
            out_dir: data.clone(),
            families: None,
            per_supplier: None,
        };
        invex_datasets::generate(&opts, &|_| {}).expect("generate bench corpus");
    }
    let renderer = PdfiumReader::load(&lib).expect("libpdfium missing: run scripts/setup.sh");
    let mut files: Vec<PathBuf> = Vec::new();
    for i in 0..scans {
        let bytes = std::fs::read(data.join(format!("inv-{i:05}.pdf"))).expect("pdf");
        let page = renderer.render_gray_pages(&bytes, 300, &[0]).expect("render").remove(0);
        let (name, out) = match i % 4 {
            0 => (format!("scan-{i}.png"), encode(&page, ImageFormat::Png)),
            1 => (format!("scan-{i}.png"), encode(&orient::turn(&page, 90), ImageFormat::Png)),
            2 => (format!("scan-{i}.pdf"), image_only_pdf(&orient::turn(&page, 180))),
            _ => (format!("scan-{i}.pdf"), image_only_pdf(&orient::rotate(&page, 2.0))),
        };
        let path = dir.join(name);
        std::fs::write(&path, out).expect("write scan");
        files.push(path);
    }
    let reader = OcrReader::new(PdfiumReader::load(&lib).expect("pdfium"));
    let languages = reader.config.languages.clone();
    let pipeline = Pipeline::new(Box::new(reader), Box::new(RulesExtractor::new()), u64::MAX);
    invex_pipeline::ocr::reset_stats();
    let started = Instant::now();
    let mut ok = 0;
    pipeline.run_batch(&files, &mut |_i: usize, p: invex_domain::Prediction| {
        ok += usize::from(p.status == invex_domain::Status::Ok);
    });
    let total = started.elapsed().as_secs_f64();
    let s = invex_pipeline::ocr::stats();
    let thread_s = total * THREADS as f64;
    let tesseract = s.recognize_s + s.osd_s;
    println!(
        "OCR bench: {} scans ({ok} ok), {THREADS} threads, languages {languages}",
        files.len()
    );
    println!(
        "pages            {} ({} Tesseract reads: upside-down pages are read twice)",
        s.pages, s.recognitions
    );
    println!("total            {total:.1} s");
    println!("pages/s          {:.2}", s.pages as f64 / total);
    println!(
        "Tesseract        {tesseract:.1} s thread-time ({:.0} % of {thread_s:.1} s): recognise {:.1} s, OSD {:.1} s",
        100.0 * tesseract / thread_s,
        s.recognize_s,
        s.osd_s
    );
    println!(
        "Tesseract only   {:.2} reads/s on {THREADS} threads ({:.2} s per read)",
        s.recognitions as f64 / (tesseract / THREADS as f64),
        tesseract / s.recognitions.max(1) as f64
    );
    println!("render (pdfium)  {:.1} s", s.render_s);
    println!("decode/deskew    {:.1} s (decode, resample, deskew, rotation)", s.prepare_s);
    println!("instances        {} Tesseract instances created", s.instances);
}
