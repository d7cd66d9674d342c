//! Layout-model throughput on freshly generated invoices, for batch sizes 1,
//! 8 and 32, fp32 and int8, with the PDF stage and the model stage timed
//! apart, and end to end (pdfium + rules + model, combined) beside them.
//!
//! Run: `cargo bench --bench layout_model` (after `scripts/setup.sh`).
//! `INVEX_MODEL_DIR` picks another model; the default is the shipped one.

use std::path::{Path, PathBuf};
use std::time::Instant;

use invex_datasets::GenerateOptions;
use invex_domain::{Document, DocumentReader, Extractor};
use invex_models::{LayoutExtractor, LayoutModel, ModelOptions, ModelVariant};
use invex_pipeline::pdf::PdfiumReader;
use invex_pipeline::{CombinedExtractor, Pipeline, RulesExtractor};
use rayon::prelude::*;

const INVOICES: usize = 256;
const BATCH_SIZES: [usize; 3] = [1, 8, 32];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn corpus() -> Vec<PathBuf> {
    let dir = std::env::temp_dir().join(format!("invex-model-bench-{INVOICES}"));
    if !dir.join("groundtruth.jsonl").is_file() {
        let opts = GenerateOptions {
            count: INVOICES,
            seed: 778,
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
    files
}

fn reader() -> PdfiumReader {
    PdfiumReader::load(&root().join(".native/lib/libpdfium.so"))
        .expect("libpdfium missing: run scripts/setup.sh")
}

fn model(dir: &Path, variant: ModelVariant) -> LayoutExtractor {
    let options = ModelOptions { variant, ..ModelOptions::default() };
    LayoutExtractor::new(LayoutModel::load(dir, options).expect("load the layout model"))
}

fn main() {
    // `cargo bench` passes `--bench`; this harness takes no arguments.
    let model_dir = std::env::var_os("INVEX_MODEL_DIR")
        .map_or_else(|| root().join("models/shipped/invex-layout"), PathBuf::from);
    invex_models::init_onnxruntime(&root().join(".native/lib/libonnxruntime.so"))
        .expect("libonnxruntime missing: run scripts/setup.sh");
    let files = corpus();
    let n = files.len() as f64;
    let threads = rayon::current_num_threads();

    let reader = reader();
    let started = Instant::now();
    let documents: Vec<Document> = files
        .par_iter()
        .map(|f| reader.read(&std::fs::read(f).expect("read pdf")).expect("readable pdf"))
        .collect();
    let pdf_s = started.elapsed().as_secs_f64();
    let refs: Vec<&Document> = documents.iter().collect();

    let rules = RulesExtractor::new();
    let started = Instant::now();
    refs.par_iter().for_each(|d| {
        std::hint::black_box(rules.extract(d));
    });
    let rules_s = started.elapsed().as_secs_f64();

    println!("layout model: {}", model_dir.display());
    println!("{INVOICES} generated invoices, {threads} rayon threads");
    println!(
        "pdf (pdfium words): {:.2} ms/invoice, {:.0} invoices/s; rules: {:.2} ms/invoice",
        pdf_s / n * 1e3,
        n / pdf_s,
        rules_s / n * 1e3
    );
    println!(
        "{:<8} {:>5}  {:>14}  {:>14}  {:>22}",
        "variant", "batch", "model ms/inv", "model inv/s", "end to end inv/s"
    );
    for variant in [ModelVariant::Fp32, ModelVariant::Int8] {
        let extractor = model(&model_dir, variant);
        for batch in BATCH_SIZES {
            let started = Instant::now();
            refs.par_chunks(batch).for_each(|chunk| {
                std::hint::black_box(extractor.extract_batch(chunk));
            });
            let model_s = started.elapsed().as_secs_f64();

            let combined = CombinedExtractor::new(
                Box::new(RulesExtractor::new()),
                Box::new(model(&model_dir, variant)),
            );
            let pipeline = Pipeline::new(Box::new(self::reader()), Box::new(combined), 1 << 30)
                .with_batch_size(batch);
            let started = Instant::now();
            let mut ok = 0usize;
            pipeline.run_batch(&files, &mut |_i, p: invex_domain::Prediction| {
                ok += usize::from(p.status == invex_domain::Status::Ok);
            });
            let e2e_s = started.elapsed().as_secs_f64();
            assert_eq!(ok, files.len(), "every bench invoice extracts");
            println!(
                "{:<8} {:>5}  {:>14.2}  {:>14.1}  {:>22.1}",
                format!("{variant:?}").to_lowercase(),
                batch,
                model_s / n * 1e3 * threads as f64,
                n / model_s,
                n / e2e_s
            );
        }
    }
    println!("(model ms/inv is per core: wall time x threads / invoices)");
}
