//! Prints the words and boxes pdfium reads from PDFs, for developing extractors:
//! `cargo run --release -p invex-pipeline --example dump_words -- FILE.pdf...`

use std::path::Path;

use invex_domain::DocumentReader;
use invex_pipeline::pdf::PdfiumReader;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let lib = Path::new(env!("CARGO_MANIFEST_DIR")).join("../.native/lib/libpdfium.so");
    let reader = PdfiumReader::load(&lib)?;
    for file in std::env::args().skip(1) {
        println!("## {file}");
        match reader.read(&std::fs::read(&file)?) {
            Ok(doc) => {
                for page in &doc.pages {
                    println!("# page {} ({:.0} x {:.0})", page.number, page.width, page.height);
                    for w in &page.words {
                        let b = w.bbox;
                        println!("{:7.1} {:7.1} {:7.1} {:7.1}  {}", b.x0, b.y0, b.x1, b.y1, w.text);
                    }
                }
            }
            Err(e) => println!("error: {e}"),
        }
    }
    Ok(())
}
