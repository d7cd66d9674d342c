//! The parts of a Donut export's `config.json`, `generation_config.json`
//! and `preprocessor_config.json` that inference needs. Everything missing
//! falls back to what transformers would assume.

use std::path::Path;

use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::Error;

pub const CONFIG: &str = "config.json";
pub const GENERATION_CONFIG: &str = "generation_config.json";
pub const PREPROCESSOR_CONFIG: &str = "preprocessor_config.json";

/// `config.json` of a `VisionEncoderDecoderModel`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct DonutConfig {
    #[serde(default)]
    pub decoder: DecoderConfig,
    #[serde(default)]
    pub decoder_start_token_id: Option<u32>,
    #[serde(default, deserialize_with = "one_or_many")]
    pub eos_token_id: Vec<u32>,
    #[serde(default)]
    pub pad_token_id: Option<u32>,
}

/// The MBart decoder's sizes: the shape of its key/value cache.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct DecoderConfig {
    #[serde(default)]
    pub vocab_size: Option<usize>,
    #[serde(default)]
    pub d_model: Option<usize>,
    #[serde(default)]
    pub decoder_attention_heads: Option<usize>,
    #[serde(default)]
    pub max_position_embeddings: Option<usize>,
    #[serde(default, deserialize_with = "one_or_many")]
    pub eos_token_id: Vec<u32>,
    #[serde(default)]
    pub pad_token_id: Option<u32>,
}

impl DecoderConfig {
    /// Attention heads and the size of one head, when the config says.
    pub fn head_shape(&self) -> Option<(usize, usize)> {
        let heads = self.decoder_attention_heads.filter(|&h| h > 0)?;
        Some((heads, self.d_model? / heads))
    }
}

/// `generation_config.json`.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct GenerationConfig {
    #[serde(default)]
    pub decoder_start_token_id: Option<u32>,
    #[serde(default, deserialize_with = "one_or_many")]
    pub eos_token_id: Vec<u32>,
    #[serde(default)]
    pub pad_token_id: Option<u32>,
    #[serde(default)]
    pub max_length: Option<usize>,
}

/// `preprocessor_config.json` of a `DonutImageProcessor`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct PreprocessorConfig {
    #[serde(default = "yes")]
    pub do_resize: bool,
    /// `{"height": h, "width": w}`, or the legacy `[width, height]`.
    #[serde(default)]
    pub size: Option<Size>,
    /// PIL's resampling filter: 0 nearest, 1 Lanczos, 2 bilinear, 3 bicubic.
    #[serde(default = "bilinear")]
    pub resample: u32,
    #[serde(default = "yes")]
    pub do_thumbnail: bool,
    #[serde(default)]
    pub do_align_long_axis: bool,
    #[serde(default = "yes")]
    pub do_pad: bool,
    #[serde(default = "yes")]
    pub do_rescale: bool,
    #[serde(default = "one_255th")]
    pub rescale_factor: f32,
    #[serde(default = "yes")]
    pub do_normalize: bool,
    #[serde(default, deserialize_with = "channels")]
    pub image_mean: Option<[f32; 3]>,
    #[serde(default, deserialize_with = "channels")]
    pub image_std: Option<[f32; 3]>,
}

impl Default for PreprocessorConfig {
    fn default() -> Self {
        serde_json::from_str("{}").expect("every field has a default")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum Size {
    HeightWidth {
        height: u32,
        width: u32,
    },
    /// The old feature extractors' `[width, height]`.
    WidthHeight([u32; 2]),
}

impl Size {
    /// `(height, width)`.
    pub fn height_width(self) -> (u32, u32) {
        match self {
            Size::HeightWidth { height, width } => (height, width),
            Size::WidthHeight([width, height]) => (height, width),
        }
    }
}

fn yes() -> bool {
    true
}
fn bilinear() -> u32 {
    2
}
fn one_255th() -> f32 {
    1.0 / 255.0
}

/// An id or a list of ids (`eos_token_id` is either).
fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<u32>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(u32),
        Many(Vec<u32>),
        Null(()),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(id) => vec![id],
        OneOrMany::Many(ids) => ids,
        OneOrMany::Null(()) => Vec::new(),
    })
}

/// One value for all channels, or one per channel.
fn channels<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<[f32; 3]>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Channels {
        All(f32),
        Each([f32; 3]),
        Null(()),
    }
    Ok(match Channels::deserialize(d)? {
        Channels::All(v) => Some([v; 3]),
        Channels::Each(v) => Some(v),
        Channels::Null(()) => None,
    })
}

/// Reads a JSON file of the expected shape.
pub fn read_json<T: DeserializeOwned>(path: &Path) -> Result<T, Error> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    serde_json::from_slice(&bytes).map_err(|e| Error::json(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_in_both_spellings() {
        let check = |json: &str, expected: (u32, u32)| {
            let size: Size = serde_json::from_str(json).expect(json);
            assert_eq!(size.height_width(), expected, "{json}");
        };
        check(r#"{"height": 2560, "width": 1920}"#, (2560, 1920));
        check("[1920, 2560]", (2560, 1920));
    }

    #[test]
    fn defaults_are_the_image_processors() {
        let config = PreprocessorConfig::default();
        assert!(config.do_resize && config.do_thumbnail && config.do_pad && config.do_normalize);
        assert!(!config.do_align_long_axis);
        assert_eq!(config.resample, 2);
        let config: PreprocessorConfig =
            serde_json::from_str(r#"{"image_mean": 0.5, "image_std": [0.1, 0.2, 0.3]}"#).unwrap();
        assert_eq!(config.image_mean, Some([0.5; 3]));
        assert_eq!(config.image_std, Some([0.1, 0.2, 0.3]));
    }

    #[test]
    fn eos_is_one_id_or_many() {
        let g: GenerationConfig = serde_json::from_str(r#"{"eos_token_id": 2}"#).unwrap();
        assert_eq!(g.eos_token_id, [2]);
        let g: GenerationConfig = serde_json::from_str(r#"{"eos_token_id": [2, 5]}"#).unwrap();
        assert_eq!(g.eos_token_id, [2, 5]);
        let g: GenerationConfig = serde_json::from_str(r#"{"eos_token_id": null}"#).unwrap();
        assert!(g.eos_token_id.is_empty());
    }
}
