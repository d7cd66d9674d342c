//! Speed of the digital-PDF path, on freshly generated invoices:
//! - `pdf_words/page`: pdfium text layer → words in reading order, per page;
//! - `rules_extract/invoice`: the rules extractor alone, per invoice;
//! - `end_to_end/batch`: read + extract a batch over rayon; it also prints invoices/s.
//!
//! Run: `cargo bench --bench extract` (after `scripts/setup.sh`).

use std::path::{Path, PathBuf};
use std::time::Instant;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use invex_datasets::GenerateOptions;
use invex_domain::{DocumentReader, Extractor};
use invex_pipeline::pdf::PdfiumReader;
use invex_pipeline::{Pipeline, RulesExtractor};

const INVOICES: usize = 200;

fn corpus() -> (PathBuf, Vec<PathBuf>) {
    let dir = std::env::temp_dir().join(format!("invex-bench-{INVOICES}"));
    if !dir.join("groundtruth.jsonl").is_file() {
        let opts = GenerateOptions {
            count: INVOICES,
            seed: 777,
            out_dir: dir.clone(),
            families: None,
            per_supplier: None,
        };
        invex_datasets::generate(&opts, &|_| {}).expect("generate bench corpus");
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("read bench corpus")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "pdf"))
        .collect();
    files.sort();
    (dir, files)
}

fn reader() -> PdfiumReader {
    let lib = Path::new(env!("CARGO_MANIFEST_DIR")).join(".native/lib/libpdfium.so");
    PdfiumReader::load(&lib).expect("libpdfium missing: run scripts/setup.sh")
}

fn bench(c: &mut Criterion) {
    let (_dir, files) = corpus();
    let bytes: Vec<Vec<u8>> = files.iter().map(|f| std::fs::read(f).expect("read pdf")).collect();
    let reader = reader();
    let documents: Vec<_> = bytes.iter().map(|b| reader.read(b).expect("readable pdf")).collect();
    let pages: usize = documents.iter().map(|d| d.pages.len()).sum();

    let mut group = c.benchmark_group("pdf_words");
    group.throughput(Throughput::Elements(pages as u64));
    group.sample_size(10);
    group.bench_function("page", |b| {
        b.iter(|| {
            for bytes in &bytes {
                std::hint::black_box(reader.read(bytes).ok());
            }
        })
    });
    group.finish();

    let extractor = RulesExtractor::new();
    let mut group = c.benchmark_group("rules_extract");
    group.throughput(Throughput::Elements(documents.len() as u64));
    group.bench_function("invoice", |b| {
        b.iter(|| {
            for d in &documents {
                std::hint::black_box(extractor.extract(d));
            }
        })
    });
    group.finish();

    let pipeline = Pipeline::new(Box::new(reader), Box::new(RulesExtractor::new()), u64::MAX);
    let mut group = c.benchmark_group("end_to_end");
    group.throughput(Throughput::Elements(files.len() as u64));
    group.sample_size(10);
    group.bench_function("batch", |b| {
        b.iter(|| {
            pipeline.run_batch(&files, &mut |_i: usize, p| {
                std::hint::black_box(p);
            })
        })
    });
    group.finish();

    // The headline figures, in plain words.
    let started = Instant::now();
    pipeline.run_batch(&files, &mut |_i: usize, p| {
        std::hint::black_box(p);
    });
    let secs = started.elapsed().as_secs_f64();
    println!(
        "\nend to end: {} invoices ({pages} pages) in {secs:.2} s = {:.1} invoices/s on {} threads",
        files.len(),
        files.len() as f64 / secs,
        rayon::current_num_threads()
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
