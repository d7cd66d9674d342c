//! The layout model against the tiny fixture that the Python trainer
//! exported (`fixtures/tiny-layout`): windows and token ids equal the
//! trainer's, logits equal ONNX Runtime's in Python, batching changes
//! nothing, and a changed file is refused.

use std::path::{Path, PathBuf};

use invex_domain::{BBox, Document, Extractor, Page, Word};
use invex_models::{Error, LayoutExtractor, LayoutModel, ModelInput, ModelOptions, ModelVariant};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct Reference {
    max_len: usize,
    documents: Vec<ReferenceDocument>,
}

#[derive(Debug, Deserialize)]
struct ReferenceDocument {
    id: String,
    words: Vec<String>,
    boxes: Vec<[i64; 4]>,
    windows: Vec<ReferenceWindow>,
    word_logits: Vec<Vec<f32>>,
    labels: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct ReferenceWindow {
    start: usize,
    end: usize,
    input_ids: Vec<i64>,
    bbox: Vec<[i64; 4]>,
}

impl ReferenceDocument {
    fn input(&self) -> ModelInput<'_> {
        ModelInput {
            words: self.words.iter().map(String::as_str).collect(),
            boxes: self.boxes.clone(),
        }
    }

    /// A one-page document whose 1000 × 1000 pt page makes the boxes
    /// normalise to the reference's own.
    fn document(&self) -> Document {
        let words = self
            .words
            .iter()
            .zip(&self.boxes)
            .map(|(text, b)| Word {
                text: text.clone(),
                bbox: BBox::new(b[0] as f32, b[1] as f32, b[2] as f32, b[3] as f32),
                confidence: 1.0,
            })
            .collect();
        Document { pages: vec![Page { number: 1, width: 1000.0, height: 1000.0, words }] }
    }
}

/// Python's logits are rounded to 5 decimals; ONNX Runtime agrees to ~1e-6.
const LOGIT_TOLERANCE: f32 = 1e-4;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tiny-layout")
}

fn init() {
    let library = Path::new(env!("CARGO_MANIFEST_DIR")).join("../.native/lib/libonnxruntime.so");
    invex_models::init_onnxruntime(&library)
        .unwrap_or_else(|e| panic!("{e} (run scripts/setup.sh)"));
}

fn model() -> LayoutModel {
    init();
    LayoutModel::load(&fixture(), ModelOptions::default()).expect("the fixture loads")
}

fn reference() -> Reference {
    let bytes = std::fs::read(fixture().join("reference.json")).expect("reference.json");
    serde_json::from_slice(&bytes).expect("reference.json parses")
}

fn max_difference(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, f32::max)
}

#[test]
fn windows_and_ids_equal_the_trainers() {
    let model = model();
    let reference = reference();
    assert_eq!(model.max_len(), reference.max_len);
    assert!(reference.documents.iter().any(|d| d.windows.len() > 1), "a long document is covered");
    for doc in &reference.documents {
        let got = model.windows(&doc.input()).expect("windows");
        assert_eq!(got.windows.len(), doc.windows.len(), "{}: window count", doc.id);
        for (n, (w, r)) in got.windows.iter().zip(&doc.windows).enumerate() {
            assert_eq!((w.start, w.end), (r.start, r.end), "{} window {n}: span", doc.id);
            assert_eq!(w.input_ids, r.input_ids, "{} window {n}: ids", doc.id);
            assert_eq!(w.bbox, r.bbox, "{} window {n}: boxes", doc.id);
        }
    }
}

#[test]
fn logits_and_labels_equal_pythons() {
    let model = model();
    let reference = reference();
    let inputs: Vec<ModelInput> = reference.documents.iter().map(|d| d.input()).collect();
    let predictions = model.predict_inputs(&inputs).expect("inference");
    for (doc, words) in reference.documents.iter().zip(&predictions) {
        assert_eq!(words.len(), doc.words.len(), "{}", doc.id);
        for (i, (word, expected)) in words.iter().zip(&doc.word_logits).enumerate() {
            let diff = max_difference(&word.logits, expected);
            assert!(diff < LOGIT_TOLERANCE, "{} word {i}: logits differ by {diff}", doc.id);
        }
        let labels: Vec<&str> = words.iter().map(|w| w.label.as_str()).collect();
        assert_eq!(labels, doc.labels, "{}", doc.id);
    }
}

/// Five documents: the reference ones and two cut-down copies (so that the
/// batch mixes lengths).
fn five_documents(reference: &Reference) -> Vec<Document> {
    let mut documents: Vec<Document> = reference.documents.iter().map(|d| d.document()).collect();
    for keep in [17, 60] {
        let mut short = documents[0].clone();
        short.pages[0].words.truncate(keep);
        documents.push(short);
    }
    assert_eq!(documents.len(), 5);
    documents
}

#[test]
fn a_batch_of_five_equals_five_single_documents() {
    let model = model();
    let documents = five_documents(&reference());
    let refs: Vec<&Document> = documents.iter().collect();
    let batched = model.predict_documents(&refs).expect("batched");
    for (document, together) in documents.iter().zip(&batched) {
        let alone = model.predict_documents(&[document]).expect("single").remove(0);
        assert_eq!(alone.words.len(), together.words.len());
        for (a, t) in alone.words.iter().zip(&together.words) {
            assert_eq!(a.label, t.label);
            assert!(max_difference(&a.logits, &t.logits) < LOGIT_TOLERANCE);
        }
    }
    let extractor = LayoutExtractor::new(model);
    let invoices = extractor.extract_batch(&refs);
    for (document, invoice) in documents.iter().zip(&invoices) {
        assert_eq!(&extractor.extract(document), invoice);
    }
}

#[test]
fn a_changed_file_is_refused_by_name() {
    init();
    let dir = tempfile::tempdir().expect("tempdir");
    for entry in std::fs::read_dir(fixture()).expect("fixture") {
        let path = entry.expect("entry").path();
        std::fs::copy(&path, dir.path().join(path.file_name().expect("name"))).expect("copy");
    }
    LayoutModel::load(dir.path(), ModelOptions::default()).expect("an unchanged copy loads");
    let tokenizer = dir.path().join("tokenizer.json");
    let mut text = std::fs::read_to_string(&tokenizer).expect("read");
    text.push(' ');
    std::fs::write(&tokenizer, text).expect("write");
    match LayoutModel::load(dir.path(), ModelOptions::default()) {
        Err(Error::ChecksumMismatch { file, .. }) => assert_eq!(file, "tokenizer.json"),
        other => panic!("expected a checksum error, got {other:?}"),
    }
}

#[test]
fn the_int8_variant_runs() {
    init();
    let options = ModelOptions { variant: ModelVariant::Int8, ..ModelOptions::default() };
    let model = LayoutModel::load(&fixture(), options).expect("int8 loads");
    let reference = reference();
    let predictions = model.predict_inputs(&[reference.documents[0].input()]).expect("inference");
    assert_eq!(predictions[0].len(), reference.documents[0].words.len());
    assert!(predictions[0].iter().all(|w| w.logits.iter().all(|l| l.is_finite())));
}
