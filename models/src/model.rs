//! [`LayoutModel`]: a model directory loaded and ready, from words to
//! per-word labels, batching windows across documents.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use invex_domain::Document;

use crate::Error;
use crate::backend::TokenClassifierBackend;
use crate::batching::run_windows;
use crate::boxes::normalize_box;
use crate::config::ModelConfig;
use crate::labels::{LabelScheme, Tag};
use crate::manifest::Manifest;
use crate::ort_backend::{OrtBackend, OrtConfig};
use crate::tokenize::WordTokenizer;
use crate::windows::{Encoded, STRIDE, Window, best_window, make_windows};

pub const CONFIG: &str = "config.json";
pub const TOKENIZER: &str = "tokenizer.json";

/// Which weights to run: the exported fp32 graph or its int8 quantisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ModelVariant {
    #[default]
    Fp32,
    Int8,
}

impl ModelVariant {
    pub fn file_name(self) -> &'static str {
        match self {
            ModelVariant::Fp32 => "model.onnx",
            ModelVariant::Int8 => "model_quantized.onnx",
        }
    }

    /// `fp32` or `int8`.
    pub fn parse(name: &str) -> Option<ModelVariant> {
        match name.trim().to_ascii_lowercase().as_str() {
            "fp32" => Some(ModelVariant::Fp32),
            "int8" => Some(ModelVariant::Int8),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelOptions {
    pub variant: ModelVariant,
    pub ort: OrtConfig,
    /// Most windows per inference call.
    pub max_batch: usize,
    /// Overlap between consecutive windows, in tokens.
    pub stride: usize,
}

impl Default for ModelOptions {
    fn default() -> Self {
        ModelOptions {
            variant: ModelVariant::Fp32,
            ort: OrtConfig::default(),
            max_batch: 32,
            stride: STRIDE,
        }
    }
}

/// What the model said about one word.
#[derive(Debug, Clone, PartialEq)]
pub struct WordPrediction {
    pub label_id: usize,
    pub label: String,
    pub tag: Tag,
    /// Softmax probability of `label`.
    pub probability: f32,
    /// The raw logits of the word's first sub-token (zeros when the tokenizer
    /// gave the word no token).
    pub logits: Vec<f32>,
}

/// Per word of a document, in document order (page by page, reading order).
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentPrediction {
    pub words: Vec<WordPrediction>,
}

/// A document's tokens and windows.
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentWindows {
    pub encoded: Encoded,
    pub windows: Vec<Window>,
}

/// Words and their 0..1000 boxes: the model's view of a document.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ModelInput<'a> {
    pub words: Vec<&'a str>,
    pub boxes: Vec<[i64; 4]>,
}

impl<'a> ModelInput<'a> {
    /// All words of all pages, each box normalised with its own page's size.
    pub fn from_document(document: &'a Document) -> ModelInput<'a> {
        let mut input = ModelInput::default();
        for page in &document.pages {
            for word in &page.words {
                input.words.push(&word.text);
                input.boxes.push(normalize_box(&word.bbox, page));
            }
        }
        input
    }
}

pub struct LayoutModel {
    dir: PathBuf,
    backend: Box<dyn TokenClassifierBackend>,
    tokenizer: WordTokenizer,
    scheme: LabelScheme,
    manifest: Option<Manifest>,
    max_len: usize,
    options: ModelOptions,
    takes_image: bool,
}

impl std::fmt::Debug for LayoutModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LayoutModel")
            .field("dir", &self.dir)
            .field("max_len", &self.max_len)
            .finish()
    }
}

impl LayoutModel {
    /// Loads an invex model directory: checks every file against
    /// `manifest.json`'s sha256, then opens the chosen variant.
    pub fn load(dir: &Path, options: ModelOptions) -> Result<LayoutModel, Error> {
        let manifest = Manifest::from_dir(dir)?;
        manifest.verify(dir)?;
        let variant_file = options.variant.file_name();
        if !manifest.files.contains_key(variant_file) {
            return Err(Error::MissingFile { dir: dir.to_path_buf(), file: variant_file.into() });
        }
        let label_map = manifest.label_map.clone();
        let mut model = LayoutModel::open_export(dir, &label_map, options)?;
        if manifest.labels != model.scheme.labels {
            return Err(Error::Config(format!(
                "manifest.json lists the labels {:?}, config.json {:?}",
                manifest.labels, model.scheme.labels
            )));
        }
        model.manifest = Some(manifest);
        Ok(model)
    }

    /// Opens a Hugging Face token-classification export (`model.onnx` or
    /// `model_quantized.onnx`, `config.json`, `tokenizer.json`) without a
    /// manifest, reading its labels through `label_map`.
    pub fn open_export(
        dir: &Path,
        label_map: &BTreeMap<String, String>,
        options: ModelOptions,
    ) -> Result<LayoutModel, Error> {
        let file = |name: &str| -> Result<PathBuf, Error> {
            let path = dir.join(name);
            path.is_file()
                .then_some(path)
                .ok_or_else(|| Error::MissingFile { dir: dir.to_path_buf(), file: name.into() })
        };
        let config = ModelConfig::from_file(&file(CONFIG)?)?;
        let labels = config.labels()?;
        let scheme = LabelScheme::new(&labels, label_map)?;
        let tokenizer = WordTokenizer::from_file(&file(TOKENIZER)?, &config)?;
        let onnx = file(options.variant.file_name())?;
        let backend = OrtBackend::new(&onnx, labels.len(), options.ort.clone())?;
        let takes_image = backend.takes_image();
        let mut model = LayoutModel::from_parts(
            Box::new(backend),
            tokenizer,
            scheme,
            config.max_len(),
            options,
        );
        model.dir = dir.to_path_buf();
        model.takes_image = takes_image;
        Ok(model)
    }

    /// A model from its parts, for other backends.
    pub fn from_parts(
        backend: Box<dyn TokenClassifierBackend>,
        tokenizer: WordTokenizer,
        scheme: LabelScheme,
        max_len: usize,
        options: ModelOptions,
    ) -> LayoutModel {
        LayoutModel {
            dir: PathBuf::new(),
            backend,
            tokenizer,
            scheme,
            manifest: None,
            max_len,
            options,
            takes_image: false,
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }
    pub fn labels(&self) -> &[String] {
        &self.scheme.labels
    }
    pub fn manifest(&self) -> Option<&Manifest> {
        self.manifest.as_ref()
    }
    pub fn max_len(&self) -> usize {
        self.max_len
    }
    pub fn options(&self) -> &ModelOptions {
        &self.options
    }
    /// Whether the graph takes an image (`pixel_values`, fed zeros).
    pub fn takes_image(&self) -> bool {
        self.takes_image
    }

    /// The tokens and windows of one document's words.
    pub fn windows(&self, input: &ModelInput<'_>) -> Result<DocumentWindows, Error> {
        let encoded = self.tokenizer.encode(&input.words)?;
        let t = &self.tokenizer;
        let windows = make_windows(
            &encoded,
            &input.boxes,
            t.cls_id,
            t.sep_id,
            self.max_len,
            self.options.stride,
        );
        Ok(DocumentWindows { encoded, windows })
    }

    /// Per document, per word: the predicted label. All documents' windows
    /// go through the backend together, in length buckets.
    pub fn predict_inputs(
        &self,
        inputs: &[ModelInput<'_>],
    ) -> Result<Vec<Vec<WordPrediction>>, Error> {
        let encoded: Vec<DocumentWindows> =
            inputs.iter().map(|input| self.windows(input)).collect::<Result<_, _>>()?;
        let all: Vec<&Window> = encoded.iter().flat_map(|d| &d.windows).collect();
        let mut logits = run_windows(
            self.backend.as_ref(),
            &all,
            self.options.max_batch,
            self.tokenizer.pad_id,
        )?
        .into_iter();
        let num_labels = self.backend.num_labels();
        let mut out = Vec::with_capacity(inputs.len());
        for document in &encoded {
            let window_logits: Vec<Vec<f32>> =
                logits.by_ref().take(document.windows.len()).collect();
            let words = document
                .encoded
                .first_token
                .iter()
                .map(|first| {
                    let raw = first
                        .and_then(|token| best_window(&document.windows, token))
                        .map(|(n, pos)| {
                            window_logits[n][pos * num_labels..(pos + 1) * num_labels].to_vec()
                        })
                        .unwrap_or_else(|| vec![0.0; num_labels]);
                    self.word_prediction(raw)
                })
                .collect();
            out.push(words);
        }
        Ok(out)
    }

    /// [`LayoutModel::predict_inputs`] for documents.
    pub fn predict_documents(
        &self,
        documents: &[&Document],
    ) -> Result<Vec<DocumentPrediction>, Error> {
        let inputs: Vec<ModelInput> =
            documents.iter().map(|d| ModelInput::from_document(d)).collect();
        Ok(self
            .predict_inputs(&inputs)?
            .into_iter()
            .map(|words| DocumentPrediction { words })
            .collect())
    }

    fn word_prediction(&self, logits: Vec<f32>) -> WordPrediction {
        let probabilities = softmax(&logits);
        let (label_id, probability) = probabilities
            .iter()
            .copied()
            .enumerate()
            .fold((0, f32::NEG_INFINITY), |best, (i, p)| if p > best.1 { (i, p) } else { best });
        WordPrediction {
            label_id,
            label: self.scheme.labels.get(label_id).cloned().unwrap_or_default(),
            tag: self.scheme.tags.get(label_id).copied().unwrap_or(Tag::Outside),
            probability: probability.max(0.0),
            logits,
        }
    }
}

/// Numerically stable softmax.
pub fn softmax(logits: &[f32]) -> Vec<f32> {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let exps: Vec<f32> = logits.iter().map(|&l| (l - max).exp()).collect();
    let sum: f32 = exps.iter().sum();
    exps.into_iter().map(|e| e / sum).collect()
}

#[cfg(test)]
mod tests {
    use super::softmax;

    #[test]
    fn softmax_table() {
        let cases: &[(&[f32], &[f32])] = &[
            (&[0.0, 0.0], &[0.5, 0.5]),
            (&[1000.0, 1000.0, 1000.0, 1000.0], &[0.25, 0.25, 0.25, 0.25]),
            (&[0.0, 2f32.ln()], &[1.0 / 3.0, 2.0 / 3.0]),
        ];
        for (logits, expected) in cases {
            let got = softmax(logits);
            assert!(
                got.iter().zip(*expected).all(|(g, e)| (g - e).abs() < 1e-6),
                "{logits:?}: {got:?}"
            );
        }
    }
}
