//! Donut: an OCR-free image-to-sequence model (Swin encoder, MBart
//! decoder) exported by optimum (`--task image-to-text-with-past`), run
//! with ONNX Runtime.
//!
//! - [`config`]: `config.json`, `generation_config.json`,
//!   `preprocessor_config.json`.
//! - [`preprocess`]: an RGB image to `pixel_values` as `DonutImageProcessor`,
//!   with Pillow's resampling ([`resample`]).
//! - [`generate`]: greedy decoding with a key/value cache, on a merged
//!   decoder or a decoder + decoder-with-past pair.
//! - [`tags`]: the output sequence (`<s_field>value</s_field>`) to
//!   elements, tolerant of malformed output.
//! - [`invoice`]: elements to a typed, validated [`invex_domain::Invoice`]
//!   (source `donut`).
//! - [`DonutModel`] ties them together; [`DonutExtractor`] reads a page
//!   image into an invoice.

pub mod config;
pub mod generate;
pub mod invoice;
pub mod preprocess;
pub mod resample;
pub mod tags;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use image::RgbImage;
use invex_domain::Invoice;
use tokenizers::Tokenizer;

use self::config::{
    CONFIG, DonutConfig, GENERATION_CONFIG, GenerationConfig, PREPROCESSOR_CONFIG,
    PreprocessorConfig, read_json,
};
use self::generate::Generator;
pub use self::generate::{DecoderGraphs, Generated};
use self::preprocess::{ImageProcessor, PixelValues};
use self::tags::{Node, Piece, is_tag, lex, parse};
use crate::Error;
use crate::model::TOKENIZER;
use crate::ort_backend::OrtConfig;

/// transformers' own default `max_length` is 20, too short for a page; an
/// export that names none gets the decoder's position table, at most this.
const DEFAULT_MAX_LENGTH: usize = 768;
/// `DonutImageProcessor`'s default size, `(height, width)`.
const DEFAULT_SIZE: (u32, u32) = (2560, 1920);

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DonutOptions {
    pub ort: OrtConfig,
    pub decoder: DecoderGraphs,
    /// Most ids in a sequence, the prompt included; default
    /// `generation_config.json`'s `max_length`.
    pub max_length: Option<usize>,
    /// The task prompt, tokenized without special tokens (for example
    /// `<s_cord-v2>`); default the decoder start token alone.
    pub prompt: Option<String>,
}

/// What the model read from one image.
#[derive(Debug, Clone, PartialEq)]
pub struct DonutPrediction {
    pub generated: Generated,
    /// The generated ids decoded, special tokens kept (`</s>` included).
    pub text: String,
    /// The parsed elements, with each value's token probabilities.
    pub nodes: Vec<Node>,
}

pub struct DonutModel {
    dir: PathBuf,
    generator: Generator,
    tokenizer: Tokenizer,
    processor: ImageProcessor,
    prompt: Vec<u32>,
    eos: Vec<u32>,
    max_length: usize,
    /// Ids of tokens that are one tag each (`<s_x>`, `</s_x>`, `<sep/>`).
    tag_ids: HashSet<u32>,
    /// Other special tokens (`<s>`, `<pad>`, `<unk>`, task tokens), skipped.
    special_ids: HashSet<u32>,
}

impl std::fmt::Debug for DonutModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DonutModel")
            .field("dir", &self.dir)
            .field("prompt", &self.prompt)
            .field("eos", &self.eos)
            .field("max_length", &self.max_length)
            .field("merged_decoder", &self.generator.is_merged())
            .finish()
    }
}

impl DonutModel {
    /// Loads an optimum Donut export: `encoder_model.onnx`, the decoder
    /// graphs, `config.json`, `tokenizer.json`, and when present
    /// `generation_config.json` and `preprocessor_config.json`.
    /// [`crate::init_onnxruntime`] must have run.
    pub fn load(dir: &Path, options: DonutOptions) -> Result<DonutModel, Error> {
        let required = |name: &str| -> Result<PathBuf, Error> {
            let path = dir.join(name);
            path.is_file()
                .then_some(path)
                .ok_or_else(|| Error::MissingFile { dir: dir.to_path_buf(), file: name.into() })
        };
        let optional = |name: &str| Some(dir.join(name)).filter(|p| p.is_file());
        let config_path = required(CONFIG)?;
        let config: DonutConfig = read_json(&config_path)?;
        let raw: serde_json::Value = read_json(&config_path)?;
        let generation: GenerationConfig =
            optional(GENERATION_CONFIG).map(|p| read_json(&p)).transpose()?.unwrap_or_default();
        let preprocessor: PreprocessorConfig =
            optional(PREPROCESSOR_CONFIG).map(|p| read_json(&p)).transpose()?.unwrap_or_default();

        let tokenizer_path = required(TOKENIZER)?;
        let mut tokenizer = Tokenizer::from_file(&tokenizer_path)
            .map_err(|e| Error::Tokenizer(format!("{}: {e}", tokenizer_path.display())))?;
        tokenizer.with_padding(None);
        tokenizer
            .with_truncation(None)
            .map_err(|e| Error::Tokenizer(format!("{}: {e}", tokenizer_path.display())))?;

        let prompt = match &options.prompt {
            Some(text) => tokenizer
                .encode(text.as_str(), false)
                .map_err(|e| Error::Tokenizer(format!("the prompt {text:?}: {e}")))?
                .get_ids()
                .to_vec(),
            None => {
                let start = generation
                    .decoder_start_token_id
                    .or(config.decoder_start_token_id)
                    .ok_or_else(|| {
                        Error::Config("no decoder_start_token_id and no prompt".into())
                    })?;
                vec![start]
            }
        };
        if prompt.is_empty() {
            return Err(Error::Config("the task prompt encodes to no tokens".into()));
        }
        let eos = [&generation.eos_token_id, &config.eos_token_id, &config.decoder.eos_token_id]
            .into_iter()
            .find(|ids| !ids.is_empty())
            .cloned()
            .or_else(|| tokenizer.token_to_id("</s>").map(|id| vec![id]))
            .unwrap_or_default();
        let max_length = options.max_length.or(generation.max_length).unwrap_or_else(|| {
            config
                .decoder
                .max_position_embeddings
                .unwrap_or(DEFAULT_MAX_LENGTH)
                .min(DEFAULT_MAX_LENGTH)
        });

        let mut tag_ids = HashSet::new();
        let mut special_ids = HashSet::new();
        for (id, token) in tokenizer.get_added_tokens_decoder() {
            if is_tag(&token.content) {
                tag_ids.insert(id);
            } else if token.special {
                special_ids.insert(id);
            }
        }
        let processor =
            ImageProcessor::new(&preprocessor, encoder_size(&raw).unwrap_or(DEFAULT_SIZE));
        let generator =
            Generator::open(dir, options.decoder, &options.ort, config.decoder.head_shape())?;
        Ok(DonutModel {
            dir: dir.to_path_buf(),
            generator,
            tokenizer,
            processor,
            prompt,
            eos,
            max_length,
            tag_ids,
            special_ids,
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }
    pub fn prompt(&self) -> &[u32] {
        &self.prompt
    }
    pub fn max_length(&self) -> usize {
        self.max_length
    }
    pub fn processor(&self) -> &ImageProcessor {
        &self.processor
    }
    /// Whether the merged decoder runs (else the decoder + with-past pair).
    pub fn merged_decoder(&self) -> bool {
        self.generator.is_merged()
    }

    pub fn preprocess(&self, image: &RgbImage) -> PixelValues {
        self.processor.preprocess(image)
    }

    /// Greedy ids for preprocessed pixels.
    pub fn generate(&self, pixels: &PixelValues) -> Result<Generated, Error> {
        let hidden = self.generator.encode(pixels.shape(), pixels.data.clone())?;
        self.generator.generate(&hidden, &self.prompt, &self.eos, self.max_length)
    }

    /// Reads one page image.
    pub fn predict(&self, image: &RgbImage) -> Result<DonutPrediction, Error> {
        self.predict_pixels(&self.preprocess(image))
    }

    pub fn predict_pixels(&self, pixels: &PixelValues) -> Result<DonutPrediction, Error> {
        let generated = self.generate(pixels)?;
        let new = &generated.ids[generated.prompt_len..];
        let text = self.decode(new)?;
        let pieces = self.pieces(new, &generated.probabilities)?;
        Ok(DonutPrediction { nodes: parse(&pieces), text, generated })
    }

    /// Ids decoded with their special tokens.
    pub fn decode(&self, ids: &[u32]) -> Result<String, Error> {
        self.tokenizer.decode(ids, false).map_err(|e| Error::Tokenizer(e.to_string()))
    }

    /// Generated ids (after the prompt) and their probabilities to tags and
    /// text: a tag token is a tag; the ids between tags are decoded
    /// together (and lexed, in case a tag was spelled in pieces), each text
    /// keeping the probabilities of the ids that spelled it. Decoding stops
    /// at an end token; other special tokens are skipped.
    pub fn pieces(&self, ids: &[u32], probabilities: &[f32]) -> Result<Vec<Piece>, Error> {
        let mut pieces = Vec::new();
        let mut run: Vec<u32> = Vec::new();
        let mut run_probabilities: Vec<f32> = Vec::new();
        for (i, &id) in ids.iter().enumerate() {
            if self.eos.contains(&id) {
                break;
            }
            if self.tag_ids.contains(&id) {
                self.flush(&mut run, &mut run_probabilities, &mut pieces)?;
                let token = self.tokenizer.id_to_token(id).unwrap_or_default();
                pieces.extend(lex(&token));
            } else if !self.special_ids.contains(&id) {
                run.push(id);
                run_probabilities.push(probabilities.get(i).copied().unwrap_or(1.0));
            }
        }
        self.flush(&mut run, &mut run_probabilities, &mut pieces)?;
        Ok(pieces)
    }

    fn flush(
        &self,
        run: &mut Vec<u32>,
        probabilities: &mut Vec<f32>,
        pieces: &mut Vec<Piece>,
    ) -> Result<(), Error> {
        if run.is_empty() {
            return Ok(());
        }
        let text = self.decode(run)?;
        for piece in lex(&text) {
            pieces.push(match piece {
                Piece::Text { text, .. } => {
                    Piece::Text { text, probabilities: probabilities.clone() }
                }
                tag => tag,
            });
        }
        run.clear();
        probabilities.clear();
        Ok(())
    }
}

/// `(height, width)` of the encoder's `image_size` in `config.json`.
fn encoder_size(config: &serde_json::Value) -> Option<(u32, u32)> {
    let size = config.get("encoder")?.get("image_size")?;
    let dim = |v: &serde_json::Value| v.as_u64().and_then(|n| u32::try_from(n).ok());
    match size {
        serde_json::Value::Array(hw) if hw.len() == 2 => Some((dim(&hw[0])?, dim(&hw[1])?)),
        n => dim(n).map(|n| (n, n)),
    }
}

/// The Donut model as an image extractor: a second opinion for pages that
/// OCR reads poorly, or the reader of photos where it does better.
/// Inference errors never escape: they are logged and the invoice is empty.
#[derive(Debug)]
pub struct DonutExtractor {
    model: DonutModel,
}

impl DonutExtractor {
    pub fn new(model: DonutModel) -> DonutExtractor {
        DonutExtractor { model }
    }

    pub fn model(&self) -> &DonutModel {
        &self.model
    }

    /// The invoice on one page image (fields without a page number).
    pub fn extract_image(&self, image: &RgbImage) -> Invoice {
        self.extract_page(image, None)
    }

    /// The invoice on page `page` of a document.
    pub fn extract_page(&self, image: &RgbImage, page: Option<u32>) -> Invoice {
        match self.try_extract_page(image, page) {
            Ok((invoice, _)) => invoice,
            Err(e) => {
                tracing::warn!(error = %e, "the Donut model failed; no fields from it");
                Invoice::default()
            }
        }
    }

    /// The invoice and what the model generated.
    pub fn try_extract_page(
        &self,
        image: &RgbImage,
        page: Option<u32>,
    ) -> Result<(Invoice, DonutPrediction), Error> {
        let prediction = self.model.predict(image)?;
        Ok((invoice::invoice_from_nodes(&prediction.nodes, page), prediction))
    }
}

#[cfg(test)]
mod tests {
    /// Pages are read on rayon's threads: one model serves them all.
    #[test]
    fn the_model_and_extractor_are_shared_across_threads() {
        fn shared<T: Send + Sync>() {}
        shared::<super::DonutModel>();
        shared::<super::DonutExtractor>();
    }
}
