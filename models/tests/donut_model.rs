//! The Donut runner against the tiny fixture that
//! `models/training/run.sh donut-fixture` exported (`fixtures/tiny-donut`):
//! greedy ids equal transformers' `generate()`, token for token, with the
//! merged decoder and with the decoder + decoder-with-past pair; the
//! preprocessing matches `DonutImageProcessor`; and the sequence parses
//! into the fields the fixture was overfitted on. No Python at test time:
//! `reference.json` holds what transformers produced.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use chrono::NaiveDate;
use invex_domain::{FieldName, Invoice, Source, Value};
use invex_models::donut::preprocess::PixelValues;
use invex_models::donut::{DecoderGraphs, tags};
use invex_models::{DonutExtractor, DonutModel, DonutOptions, Error};
use rust_decimal::Decimal;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct Reference {
    decoder_start_token_id: u32,
    eos_token_id: u32,
    max_length: usize,
    images: Vec<ReferenceImage>,
}

#[derive(Debug, Deserialize)]
struct ReferenceImage {
    file: String,
    sequence: Vec<u32>,
    probabilities: Vec<f32>,
    decoded: String,
    token2json: BTreeMap<String, String>,
    pixel_values_shape: [usize; 4],
    pixel_values: Vec<f32>,
}

impl ReferenceImage {
    fn pixels(&self) -> PixelValues {
        let [_, _, height, width] = self.pixel_values_shape;
        PixelValues { height, width, data: self.pixel_values.clone() }
    }

    fn image(&self) -> image::RgbImage {
        image::open(fixture().join(&self.file)).expect("the sample image").to_rgb8()
    }
}

/// Python's probabilities are rounded to 6 decimals.
const PROBABILITY_TOLERANCE: f32 = 1e-4;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tiny-donut")
}

fn init() {
    let library = Path::new(env!("CARGO_MANIFEST_DIR")).join("../.native/lib/libonnxruntime.so");
    invex_models::init_onnxruntime(&library)
        .unwrap_or_else(|e| panic!("{e} (run scripts/setup.sh)"));
}

fn model_with(decoder: DecoderGraphs) -> DonutModel {
    init();
    let options = DonutOptions { decoder, ..DonutOptions::default() };
    DonutModel::load(&fixture(), options).expect("the fixture loads")
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
fn the_fixture_is_read_as_exported() {
    let model = model_with(DecoderGraphs::Auto);
    let reference = reference();
    assert!(model.merged_decoder(), "the merged decoder is preferred");
    assert_eq!(model.prompt(), [reference.decoder_start_token_id]);
    assert_eq!(model.max_length(), reference.max_length);
    let p = model.processor();
    assert_eq!((p.height, p.width), (64, 48));
}

#[test]
fn ids_equal_generate_on_the_same_pixels() {
    let reference = reference();
    for decoder in [DecoderGraphs::Merged, DecoderGraphs::Split] {
        let model = model_with(decoder);
        assert_eq!(model.merged_decoder(), decoder == DecoderGraphs::Merged);
        for image in &reference.images {
            let generated = model.generate(&image.pixels()).expect("generation");
            assert_eq!(generated.ids, image.sequence, "{decoder:?} {}", image.file);
            assert_eq!(generated.ids.last(), Some(&reference.eos_token_id));
            assert!(generated.finished);
            let diff = max_difference(&generated.probabilities, &image.probabilities);
            assert!(diff < PROBABILITY_TOLERANCE, "{}: probabilities differ by {diff}", image.file);
        }
    }
}

#[test]
fn preprocessing_matches_the_image_processor() {
    let model = model_with(DecoderGraphs::Auto);
    for image in &reference().images {
        let pixels = model.preprocess(&image.image());
        assert_eq!(pixels.shape(), image.pixel_values_shape, "{}", image.file);
        let diff = max_difference(&pixels.data, &image.pixel_values);
        let mean =
            pixels.data.iter().zip(&image.pixel_values).map(|(a, b)| (a - b).abs()).sum::<f32>()
                / pixels.data.len() as f32;
        // sample-a is already the model's size; sample-b is resized
        // (bilinear) and padded, through Pillow's arithmetic.
        assert!(diff < 1e-5, "{}: pixel values differ by {diff} (mean {mean})", image.file);
    }
}

#[derive(Debug, Deserialize)]
struct PreprocessingReference {
    images: Vec<PreprocessedImage>,
}

#[derive(Debug, Deserialize)]
struct PreprocessedImage {
    file: String,
    pixel_values_shape: [usize; 4],
    pixel_values: Vec<f32>,
}

/// Noise images of odd shapes (`preprocessing.json`): one upscaled, shrunk
/// by the thumbnail step and padded above and below; one downscaled,
/// shrunk and padded left and right. Every value equals Python's.
#[test]
fn odd_shapes_are_preprocessed_bit_for_bit() {
    let model = model_with(DecoderGraphs::Auto);
    let bytes = std::fs::read(fixture().join("preprocessing.json")).expect("preprocessing.json");
    let reference: PreprocessingReference = serde_json::from_slice(&bytes).expect("parses");
    assert_eq!(reference.images.len(), 2);
    for case in &reference.images {
        let image = image::open(fixture().join(&case.file)).expect("image").to_rgb8();
        let pixels = model.preprocess(&image);
        assert_eq!(pixels.shape(), case.pixel_values_shape, "{}", case.file);
        let diff = max_difference(&pixels.data, &case.pixel_values);
        assert!(diff < 1e-5, "{}: pixel values differ by {diff}", case.file);
    }
}

#[test]
fn ids_equal_generate_from_the_committed_images() {
    let model = model_with(DecoderGraphs::Auto);
    for image in &reference().images {
        let prediction = model.predict(&image.image()).expect("prediction");
        assert_eq!(prediction.generated.ids, image.sequence, "{}", image.file);
        let all = model.decode(&prediction.generated.ids).expect("decode");
        assert_eq!(all, image.decoded, "{}", image.file);
    }
}

#[test]
fn the_sequence_parses_like_token2json() {
    let model = model_with(DecoderGraphs::Auto);
    for image in &reference().images {
        let prediction = model.predict_pixels(&image.pixels()).expect("prediction");
        let fields: BTreeMap<String, String> = prediction
            .nodes
            .iter()
            .map(|n| (n.name.clone(), n.values.iter().map(|v| v.text.as_str()).collect()))
            .collect();
        assert_eq!(fields, image.token2json, "{}", image.file);
        // The same from the decoded string.
        let from_text = tags::parse(&tags::lex(&prediction.text));
        assert_eq!(tags::render(&from_text), tags::render(&prediction.nodes));
        assert!(
            prediction.nodes.iter().all(|n| n.values.iter().all(|v| !v.probabilities.is_empty()))
        );
    }
}

fn amount(s: &str) -> Value {
    Value::Amount(Decimal::from_str(s).unwrap())
}

fn text(s: &str) -> Value {
    Value::Text(s.into())
}

fn values(invoice: &Invoice) -> Vec<(FieldName, Value)> {
    invoice.fields.iter().map(|(n, f)| (*n, f.value.clone())).collect()
}

#[test]
fn the_extractor_reads_the_fields_it_was_overfitted_on() {
    let extractor = DonutExtractor::new(model_with(DecoderGraphs::Auto));
    let images = reference().images;
    let a = extractor.extract_page(&images[0].image(), Some(1));
    assert_eq!(
        values(&a),
        [(FieldName::InvoiceNumber, text("F-1043")), (FieldName::TotalAmount, amount("1234.56"))]
    );
    let b = extractor.extract_image(&images[1].image());
    assert_eq!(
        values(&b),
        [
            (FieldName::InvoiceNumber, text("2026-117")),
            (FieldName::InvoiceDate, Value::Date(NaiveDate::from_ymd_opt(2026, 11, 22).unwrap())),
            (FieldName::Currency, text("SEK")),
            (FieldName::TotalAmount, amount("980.00")),
            (FieldName::Bankgiro, text("50501055")),
        ]
    );
    for (invoice, page) in [(&a, Some(1)), (&b, None)] {
        for (name, field) in &invoice.fields {
            assert_eq!(
                (field.source, field.page, field.bbox),
                (Source::Donut, page, None),
                "{name}"
            );
            assert!(
                field.confidence > 0.9 && field.confidence <= 1.0,
                "{name}: {}",
                field.confidence
            );
        }
    }
}

#[test]
fn the_length_limit_gives_a_partial_result() {
    init();
    let reference = reference();
    let image = &reference.images[1];
    // The prompt, then `<s_invoice_number> 2026-117 </s_invoice_number>` and
    // the start of the date: cut there, only the invoice number is finished.
    let options = DonutOptions { max_length: Some(7), ..DonutOptions::default() };
    let model = DonutModel::load(&fixture(), options).expect("loads");
    let prediction = model.predict_pixels(&image.pixels()).expect("prediction");
    assert_eq!(prediction.generated.ids, image.sequence[..7]);
    assert!(!prediction.generated.finished);
    assert_eq!(tags::render(&prediction.nodes), "invoice_number=2026-117");
}

#[test]
fn a_missing_decoder_is_named() {
    init();
    let dir = tempfile::tempdir().expect("tempdir");
    for entry in std::fs::read_dir(fixture()).expect("fixture") {
        let path = entry.expect("entry").path();
        let name = path.file_name().expect("name").to_string_lossy().into_owned();
        if name != "decoder_model_merged.onnx" && name != "decoder_with_past_model.onnx" {
            std::fs::copy(&path, dir.path().join(&name)).expect("copy");
        }
    }
    match DonutModel::load(dir.path(), DonutOptions::default()) {
        Err(Error::MissingFile { file, .. }) => assert_eq!(file, "decoder_with_past_model.onnx"),
        other => panic!("expected a missing file, got {other:?}"),
    }
}
