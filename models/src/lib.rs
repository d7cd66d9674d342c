//! invex-models: learned extractors run through ONNX Runtime. `ort` and
//! `tokenizers` live in this crate and nowhere else.
//!
//! The layout model is a LayoutLMv3 token classifier: every word of a
//! document gets a BIO label (`B-INVOICE_NUMBER`, `I-TOTAL_AMOUNT`,
//! `B-LINE_AMOUNT`, `O`), and the labelled words become invoice fields.
//!
//! - [`runtime`]: [`init_onnxruntime`] loads libonnxruntime (installed by
//!   `scripts/setup.sh`) once per process.
//! - [`backend`]: the small sync [`TokenClassifierBackend`] trait (a padded
//!   [`Batch`] in, [`Logits`] out); [`ort_backend`]: [`OrtBackend`], ONNX
//!   Runtime with a pool of sessions, inputs fed by name (`pixel_values`
//!   zeros when a Hugging Face export declares it), CUDA behind the `cuda`
//!   feature.
//! - A model directory in the Hugging Face/optimum layout: `model.onnx`,
//!   optional `model_quantized.onnx` ([`ModelVariant`]), [`config`]
//!   (`config.json`: labels, positions, special ids), `tokenizer.json`, and
//!   [`manifest`] (`manifest.json`: sha256 of every file, checked on load;
//!   labels, label map, metrics). [`import`] turns any LayoutLMv3 export into one.
//! - [`tokenize`] and [`windows`]: words encoded pre-tokenized, cut into
//!   overlapping 512-token windows exactly as the Python trainer does
//!   (`models/training/invex_train/windows.py`); boxes from [`boxes`].
//! - [`batching`]: windows of many documents in length buckets.
//! - [`model`]: [`LayoutModel`], load + [`LayoutModel::predict_documents`].
//! - [`labels`], [`spans`], [`values`], [`fields`], [`line_items`]: labels
//!   (through a label map) to BIO spans to typed values normalised like the
//!   rules extractor's, and line items grouped by visual row.
//! - [`extractor`]: [`LayoutExtractor`], the [`invex_domain::Extractor`]
//!   named `model`, with batched `extract_batch`.
//! - [`donut`]: [`DonutModel`], an OCR-free Donut (Swin + MBart) exported
//!   by optimum, run with greedy decoding and a key/value cache; its
//!   `<s_field>value</s_field>` output parsed into an invoice by
//!   [`DonutExtractor`] (source `donut`).

pub mod backend;
pub mod batching;
pub mod boxes;
pub mod config;
pub mod donut;
mod error;
pub mod extractor;
pub mod fields;
pub mod import;
pub mod labels;
pub mod line_items;
pub mod manifest;
pub mod model;
pub mod ort_backend;
pub mod runtime;
pub mod spans;
pub mod tokenize;
pub mod values;
pub mod windows;

pub use backend::{Batch, Logits, TokenClassifierBackend};
pub use donut::{DonutExtractor, DonutModel, DonutOptions, DonutPrediction};
pub use error::Error;
pub use extractor::LayoutExtractor;
pub use manifest::Manifest;
pub use model::{
    DocumentPrediction, LayoutModel, ModelInput, ModelOptions, ModelVariant, WordPrediction,
};
pub use ort_backend::{OrtBackend, OrtConfig};
pub use runtime::init_onnxruntime;
