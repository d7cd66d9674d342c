//! Greedy decoding of an optimum `image-to-text-with-past` export with ONNX
//! Runtime and a key/value cache.
//!
//! - `encoder_model.onnx`: `pixel_values` → `last_hidden_state`.
//! - Either `decoder_model_merged.onnx` (one graph; `use_cache_branch`
//!   picks the first-step or the cached branch), or `decoder_model.onnx`
//!   for the first step and `decoder_with_past_model.onnx` after it.
//!
//! Inputs are fed by name: `input_ids` (the whole prompt on the first step,
//! then the last token), `encoder_hidden_states`, `encoder_attention_mask`
//! (ones) when declared, `use_cache_branch`, and `past_key_values.*` from
//! the previous step's `present.*` (empty tensors on a merged decoder's
//! first step). The cross-attention cache (`*.encoder.*`) is kept from the
//! first step: the cached branch returns placeholders for it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ort::session::{Session, SessionInputValue};
use ort::value::{DynValue, Tensor, TensorElementType, ValueType};

use crate::Error;
use crate::ort_backend::{OrtConfig, element_type, open_session};

pub const ENCODER: &str = "encoder_model.onnx";
pub const DECODER_MERGED: &str = "decoder_model_merged.onnx";
pub const DECODER: &str = "decoder_model.onnx";
pub const DECODER_WITH_PAST: &str = "decoder_with_past_model.onnx";

const PAST_PREFIX: &str = "past_key_values.";
const PRESENT_PREFIX: &str = "present.";

/// Which decoder graphs to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DecoderGraphs {
    /// The merged decoder when the export has one, else the pair.
    #[default]
    Auto,
    Merged,
    /// `decoder_model.onnx` + `decoder_with_past_model.onnx`.
    Split,
}

/// What a decoder graph takes and gives, read from the graph.
#[derive(Debug)]
struct Graph {
    path: PathBuf,
    session: Mutex<Session>,
    /// `past_key_values.*` inputs with their `(heads, head size)`.
    past: Vec<(String, [usize; 2])>,
    takes_encoder_states: bool,
    takes_encoder_mask: bool,
    takes_cache_branch: bool,
}

impl Graph {
    fn open(path: &Path, ort: &OrtConfig, heads: Option<(usize, usize)>) -> Result<Graph, Error> {
        let session = open_session(path, ort)?;
        let bad = |reason: String| Error::ModelInputs { path: path.to_path_buf(), reason };
        let (mut past, mut takes_encoder_states, mut takes_encoder_mask) =
            (Vec::new(), false, false);
        let mut takes_cache_branch = false;
        for input in session.inputs() {
            let name = input.name();
            match name {
                "input_ids" => {
                    if element_type(input.dtype()) != Some(TensorElementType::Int64) {
                        return Err(bad("input `input_ids` is not an int64 tensor".into()));
                    }
                }
                "encoder_hidden_states" => takes_encoder_states = true,
                "encoder_attention_mask" => takes_encoder_mask = true,
                "use_cache_branch" => takes_cache_branch = true,
                _ if name.starts_with(PAST_PREFIX) => {
                    let shape = cache_shape(input.dtype(), heads).ok_or_else(|| {
                        bad(format!(
                            "the shape of `{name}` is not [batch, heads, length, head size] \
                             and config.json does not give it"
                        ))
                    })?;
                    past.push((name.to_string(), shape));
                }
                _ => return Err(bad(format!("it needs an input `{name}` that invex cannot feed"))),
            }
        }
        if !session.outputs().iter().any(|o| o.name() == "logits") {
            return Err(bad("it has no output `logits`".into()));
        }
        Ok(Graph {
            path: path.to_path_buf(),
            session: Mutex::new(session),
            past,
            takes_encoder_states,
            takes_encoder_mask,
            takes_cache_branch,
        })
    }
}

/// `(heads, head size)` of a `[batch, heads, length, head size]` cache
/// input: the graph's static dims, else the config's.
fn cache_shape(dtype: &ValueType, config: Option<(usize, usize)>) -> Option<[usize; 2]> {
    let ValueType::Tensor { shape, .. } = dtype else { return None };
    if shape.len() != 4 {
        return None;
    }
    let dim = |i: usize, fallback: Option<usize>| {
        if shape[i] > 0 { Some(shape[i] as usize) } else { fallback }
    };
    Some([dim(1, config.map(|c| c.0))?, dim(3, config.map(|c| c.1))?])
}

/// Encoder and decoder sessions of one export.
#[derive(Debug)]
pub struct Generator {
    encoder: Mutex<Session>,
    encoder_path: PathBuf,
    /// The graph of the first step, and of the later ones.
    first: Graph,
    with_past: Option<Graph>,
}

/// One greedy run.
#[derive(Debug, Clone, PartialEq)]
pub struct Generated {
    /// The whole sequence: the prompt, then the generated ids (the end
    /// token included when reached).
    pub ids: Vec<u32>,
    pub prompt_len: usize,
    /// Softmax probability of each generated id.
    pub probabilities: Vec<f32>,
    /// Whether an end token stopped it (rather than the length limit).
    pub finished: bool,
}

impl Generator {
    /// Opens the encoder and the decoder graphs in `dir`.
    pub fn open(
        dir: &Path,
        graphs: DecoderGraphs,
        ort: &OrtConfig,
        heads: Option<(usize, usize)>,
    ) -> Result<Generator, Error> {
        let file = |name: &str| -> Result<PathBuf, Error> {
            let path = dir.join(name);
            path.is_file()
                .then_some(path)
                .ok_or_else(|| Error::MissingFile { dir: dir.to_path_buf(), file: name.into() })
        };
        let encoder_path = file(ENCODER)?;
        let encoder = open_session(&encoder_path, ort)?;
        if !encoder.inputs().iter().any(|i| i.name() == "pixel_values") {
            return Err(Error::ModelInputs {
                path: encoder_path,
                reason: "it has no input `pixel_values`".into(),
            });
        }
        let merged = match graphs {
            DecoderGraphs::Merged => true,
            DecoderGraphs::Split => false,
            DecoderGraphs::Auto => dir.join(DECODER_MERGED).is_file(),
        };
        let (first, with_past) = if merged {
            let graph = Graph::open(&file(DECODER_MERGED)?, ort, heads)?;
            if !graph.takes_cache_branch || graph.past.is_empty() {
                return Err(Error::ModelInputs {
                    path: graph.path,
                    reason:
                        "a merged decoder needs `use_cache_branch` and `past_key_values.*` inputs"
                            .into(),
                });
            }
            (graph, None)
        } else {
            let first = Graph::open(&file(DECODER)?, ort, heads)?;
            let with_past = Graph::open(&file(DECODER_WITH_PAST)?, ort, heads)?;
            if with_past.past.is_empty() {
                return Err(Error::ModelInputs {
                    path: with_past.path,
                    reason: "it has no `past_key_values.*` inputs".into(),
                });
            }
            (first, Some(with_past))
        };
        Ok(Generator { encoder: Mutex::new(encoder), encoder_path, first, with_past })
    }

    /// Whether the merged decoder runs.
    pub fn is_merged(&self) -> bool {
        self.with_past.is_none()
    }

    /// The encoder's output for `[1, 3, H, W]` pixel values.
    pub fn encode(&self, shape: [usize; 4], pixels: Vec<f32>) -> Result<DynValue, Error> {
        let fail =
            |e: ort::Error| Error::Inference(format!("{}: {e}", self.encoder_path.display()));
        let input = Tensor::from_array((shape, pixels)).map_err(fail)?;
        let mut session = self.encoder.lock().unwrap_or_else(|e| e.into_inner());
        let mut outputs =
            session.run(vec![("pixel_values", SessionInputValue::from(input))]).map_err(fail)?;
        let name = if outputs.contains_key("last_hidden_state") {
            "last_hidden_state".to_string()
        } else {
            outputs.keys().next().map(str::to_string).ok_or_else(|| {
                Error::Inference(format!("{}: no outputs", self.encoder_path.display()))
            })?
        };
        outputs.remove(name).ok_or_else(|| Error::Inference("encoder output vanished".into()))
    }

    /// Greedy decoding from `prompt` until an id of `eos` or `max_length`
    /// ids in all (prompt included, as transformers counts).
    pub fn generate(
        &self,
        hidden: &DynValue,
        prompt: &[u32],
        eos: &[u32],
        max_length: usize,
    ) -> Result<Generated, Error> {
        if prompt.is_empty() {
            return Err(Error::Config("Donut needs a task prompt to start decoding".into()));
        }
        let encoder_len = match hidden.dtype() {
            ValueType::Tensor { shape, .. } if shape.len() == 3 => shape[1].max(0) as usize,
            other => {
                return Err(Error::Inference(format!(
                    "the encoder output is {other}, not [batch, length, hidden]"
                )));
            }
        };
        let mut ids = prompt.to_vec();
        let mut probabilities = Vec::new();
        let mut past: HashMap<String, DynValue> = HashMap::new();
        let mut finished = false;
        while ids.len() < max_length {
            let first_step = past.is_empty();
            let graph = match (&self.with_past, first_step) {
                (Some(with_past), false) => with_past,
                _ => &self.first,
            };
            let fail = |e: ort::Error| Error::Inference(format!("{}: {e}", graph.path.display()));
            let step_ids: Vec<i64> = if first_step {
                ids.iter().map(|&id| i64::from(id)).collect()
            } else {
                vec![i64::from(*ids.last().expect("the prompt"))]
            };
            let n = step_ids.len();
            let mut inputs: Vec<(String, SessionInputValue<'_>)> = vec![(
                "input_ids".into(),
                Tensor::from_array(([1, n], step_ids)).map_err(fail)?.into(),
            )];
            if graph.takes_encoder_states {
                inputs.push(("encoder_hidden_states".into(), SessionInputValue::from(hidden)));
            }
            if graph.takes_encoder_mask {
                let ones = vec![1i64; encoder_len];
                inputs.push((
                    "encoder_attention_mask".into(),
                    Tensor::from_array(([1, encoder_len], ones)).map_err(fail)?.into(),
                ));
            }
            if graph.takes_cache_branch {
                let branch = Tensor::from_array(([1], vec![!first_step])).map_err(fail)?;
                inputs.push(("use_cache_branch".into(), branch.into()));
            }
            for (name, [heads, head_size]) in &graph.past {
                let value = match past.get(name) {
                    Some(value) => SessionInputValue::from(value),
                    None if first_step => {
                        let empty =
                            Tensor::<f32>::from_array(([1, *heads, 0, *head_size], Vec::new()))
                                .map_err(fail)?;
                        empty.into()
                    }
                    None => {
                        return Err(Error::Inference(format!(
                            "{}: no `present` output feeds `{name}`",
                            graph.path.display()
                        )));
                    }
                };
                inputs.push((name.clone(), value));
            }
            let mut session = graph.session.lock().unwrap_or_else(|e| e.into_inner());
            let mut outputs = session.run(inputs).map_err(fail)?;
            let logits = outputs.remove("logits").expect("checked on load");
            let (shape, values) = logits.try_extract_tensor::<f32>().map_err(fail)?;
            let vocab = shape.last().copied().unwrap_or(0).max(0) as usize;
            if vocab == 0 || values.len() < vocab {
                return Err(Error::Inference(format!("logits of shape {shape:?}")));
            }
            let (next, probability) = greedy(&values[values.len() - vocab..]);
            let present: Vec<String> = outputs
                .keys()
                .filter(|k| k.starts_with(PRESENT_PREFIX))
                .map(str::to_string)
                .collect();
            for name in present {
                let keep = first_step || !name.contains(".encoder.");
                if let Some(value) = outputs.remove(&name).filter(|_| keep) {
                    let input = format!("{PAST_PREFIX}{}", &name[PRESENT_PREFIX.len()..]);
                    past.insert(input, value);
                }
            }
            drop(outputs);
            drop(session);
            ids.push(next);
            probabilities.push(probability);
            if eos.contains(&next) {
                finished = true;
                break;
            }
        }
        Ok(Generated { ids, prompt_len: prompt.len(), probabilities, finished })
    }
}

/// The most likely id (the first on ties, as `torch.argmax`) and its
/// softmax probability.
pub fn greedy(logits: &[f32]) -> (u32, f32) {
    let (best, max) = logits
        .iter()
        .copied()
        .enumerate()
        .fold((0, f32::NEG_INFINITY), |b, (i, l)| if l > b.1 { (i, l) } else { b });
    let sum: f32 = logits.iter().map(|&l| (l - max).exp()).sum();
    (best as u32, 1.0 / sum)
}

#[cfg(test)]
mod tests {
    use super::greedy;

    #[test]
    fn greedy_picks_the_first_maximum() {
        let check = |logits: &[f32], expected: (u32, f32)| {
            let (id, p) = greedy(logits);
            assert_eq!(id, expected.0, "{logits:?}");
            assert!((p - expected.1).abs() < 1e-6, "{logits:?}: {p}");
        };
        check(&[0.0, 0.0], (0, 0.5));
        check(&[1.0, 3.0, 3.0, 0.0], (1, 0.457_640_3));
        check(&[-1e9, 5.0], (1, 1.0));
        check(&[0.0, 2f32.ln()], (1, 2.0 / 3.0));
    }
}
