//! Runs the pdfium reader and the rules extractor over every PDF in a folder
//! and writes one prediction per line (the `../shared/eval` format):
//! `cargo run --release -p invex-pipeline --example extract_dir -- DIR [OUT.jsonl]`
//!
//! Prints the extraction time per invoice (reading excluded) to stderr.

use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use invex_domain::{DocumentReader, Extractor, Prediction};
use invex_pipeline::RulesExtractor;
use invex_pipeline::pdf::PdfiumReader;

fn drop_top_line(doc: &mut invex_domain::Document) {
    let Some(page) = doc.pages.first_mut() else { return };
    let Some(top) = page.words.iter().map(|w| w.bbox.y1).min_by(f32::total_cmp) else { return };
    page.words.retain(|w| w.bbox.y0 > top + 2.0);
}

fn jitter_words(doc: &mut invex_domain::Document, seed: u64) {
    let mut state = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % 2001) as f32 / 1000.0 - 1.0
    };
    for page in &mut doc.pages {
        for w in &mut page.words {
            let (dx, dy) = (next(), 1.5 * next());
            let b = w.bbox;
            w.bbox = invex_domain::BBox::new(b.x0 + dx, b.y0 + dy, b.x1 + dx, b.y1 + dy);
        }
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = args.next().ok_or("usage: extract_dir DIR [OUT.jsonl]")?;
    let out_path = args.next();
    let lib = Path::new(env!("CARGO_MANIFEST_DIR")).join("../.native/lib/libpdfium.so");
    let reader = PdfiumReader::load(&lib)?;
    let extractor = RulesExtractor::new();
    let mut files: Vec<_> = std::fs::read_dir(&dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("pdf")))
        .collect();
    files.sort();
    let mut out: Box<dyn Write> = match out_path {
        Some(p) => Box::new(std::io::BufWriter::new(std::fs::File::create(p)?)),
        None => Box::new(std::io::stdout().lock()),
    };
    // Robustness probe: drop the first line of page 1 (as if the supplier's
    // name were a logo image).
    let drop_top = std::env::var_os("INVEX_DROP_TOP_LINE").is_some();
    // Robustness probe: move every word by up to ±1.5 pt vertically and
    // ±1 pt horizontally (a scanner's or another PDF producer's noise).
    let jitter: Option<u64> = std::env::var("INVEX_JITTER").ok().and_then(|v| v.parse().ok());
    let repeat: usize =
        std::env::var("INVEX_REPEAT").ok().and_then(|v| v.parse().ok()).unwrap_or(0);
    let mut spent = Duration::ZERO;
    let mut slowest = Duration::ZERO;
    let mut n = 0u32;
    for file in &files {
        let name = file.display().to_string();
        let prediction = match reader.read(&std::fs::read(file)?) {
            Ok(mut doc) => {
                if drop_top {
                    drop_top_line(&mut doc);
                }
                if let Some(seed) = jitter {
                    jitter_words(&mut doc, seed);
                }
                // Profiling aid: extract this many extra times.
                for _ in 0..repeat {
                    std::hint::black_box(extractor.extract(&doc));
                }
                let start = Instant::now();
                let invoice = extractor.extract(&doc);
                let took = start.elapsed();
                spent += took;
                slowest = slowest.max(took);
                n += 1;
                Prediction::ok(name, invoice, doc.pages.len())
            }
            Err(e) => Prediction::failed(name, e.code(), e.to_string()),
        };
        writeln!(out, "{}", prediction.to_json())?;
    }
    if n > 0 {
        eprintln!(
            "{n} invoices, extraction {:.3} ms per invoice, slowest {:.3} ms",
            spent.as_secs_f64() * 1000.0 / n as f64,
            slowest.as_secs_f64() * 1000.0
        );
    }
    Ok(())
}
