//! [`OrtBackend`]: the token classifier run by ONNX Runtime.
//!
//! `Session::run` takes `&mut self`, so sessions live in a small pool: a call
//! takes an idle session (or opens one, up to `max_sessions`), runs, and puts
//! it back. Each session uses `intra_threads` threads (default 1: invex runs
//! documents in parallel with rayon instead). Inputs are fed by name;
//! `pixel_values`, declared by real Hugging Face LayoutLMv3 exports, gets
//! zeros of its declared shape.

use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex};

use ort::session::{Session, SessionInputValue};
use ort::value::{Tensor, TensorElementType, ValueType};

use crate::backend::{Batch, Logits, TokenClassifierBackend};
use crate::{Error, runtime};

/// How sessions are opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrtConfig {
    /// ONNX Runtime intra-op threads per session.
    pub intra_threads: usize,
    /// Most sessions open at once (concurrent `predict` calls beyond this wait).
    pub max_sessions: usize,
}

impl Default for OrtConfig {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        OrtConfig { intra_threads: 1, max_sessions: cores.min(8) }
    }
}

/// Image inputs of LayoutLMv3 exports: `[3, 224, 224]` unless declared.
const DEFAULT_IMAGE_DIMS: [usize; 3] = [3, 224, 224];
const REQUIRED_INPUTS: [&str; 3] = ["input_ids", "bbox", "attention_mask"];

struct Pool {
    idle: Vec<Session>,
    open: usize,
}

pub struct OrtBackend {
    path: PathBuf,
    config: OrtConfig,
    num_labels: usize,
    /// `[C, H, W]` when the model takes `pixel_values`.
    image_dims: Option<[usize; 3]>,
    output: String,
    pool: Mutex<Pool>,
    returned: Condvar,
}

impl std::fmt::Debug for OrtBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OrtBackend")
            .field("path", &self.path)
            .field("config", &self.config)
            .finish()
    }
}

impl OrtBackend {
    /// Opens `model` (an ONNX token classifier with `num_labels` outputs per
    /// token) and checks its inputs and output.
    pub fn new(model: &Path, num_labels: usize, config: OrtConfig) -> Result<OrtBackend, Error> {
        let session = open_session(model, &config)?;
        let bad = |reason: String| Error::ModelInputs { path: model.to_path_buf(), reason };
        for name in REQUIRED_INPUTS {
            match session.inputs().iter().find(|i| i.name() == name) {
                None => return Err(bad(format!("it has no input `{name}`"))),
                Some(i) if element_type(i.dtype()) != Some(TensorElementType::Int64) => {
                    return Err(bad(format!("input `{name}` is not an int64 tensor")));
                }
                Some(_) => {}
            }
        }
        let image_dims = session
            .inputs()
            .iter()
            .find(|i| i.name() == "pixel_values")
            .map(|i| image_dims(i.dtype()));
        let known = |n: &str| REQUIRED_INPUTS.contains(&n) || n == "pixel_values";
        if let Some(extra) = session.inputs().iter().find(|i| !known(i.name())) {
            return Err(bad(format!(
                "it needs an input `{}` that invex cannot feed",
                extra.name()
            )));
        }
        let output = session
            .outputs()
            .iter()
            .find(|o| o.name() == "logits")
            .or_else(|| session.outputs().first())
            .map(|o| o.name().to_string())
            .ok_or_else(|| bad("it has no outputs".into()))?;
        let pool = Pool { idle: vec![session], open: 1 };
        Ok(OrtBackend {
            path: model.to_path_buf(),
            config,
            num_labels,
            image_dims,
            output,
            pool: Mutex::new(pool),
            returned: Condvar::new(),
        })
    }

    /// Whether the model takes an image (`pixel_values`) input.
    pub fn takes_image(&self) -> bool {
        self.image_dims.is_some()
    }

    fn take_session(&self) -> Result<Session, Error> {
        let mut pool = self.pool.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if let Some(session) = pool.idle.pop() {
                return Ok(session);
            }
            if pool.open < self.config.max_sessions.max(1) {
                pool.open += 1;
                drop(pool);
                return open_session(&self.path, &self.config).inspect_err(|_| {
                    self.pool.lock().unwrap_or_else(|e| e.into_inner()).open -= 1;
                });
            }
            pool = self.returned.wait(pool).unwrap_or_else(|e| e.into_inner());
        }
    }

    fn put_back(&self, session: Session) {
        self.pool.lock().unwrap_or_else(|e| e.into_inner()).idle.push(session);
        self.returned.notify_one();
    }

    fn run(&self, session: &mut Session, batch: &Batch) -> Result<Logits, Error> {
        let fail = |e: ort::Error| Error::Inference(e.to_string());
        let (b, l) = (batch.batch_size, batch.seq_len);
        let mut inputs: Vec<(&str, SessionInputValue<'_>)> = vec![
            (
                "input_ids",
                Tensor::from_array(([b, l], batch.input_ids.clone())).map_err(fail)?.into(),
            ),
            ("bbox", Tensor::from_array(([b, l, 4], batch.bbox.clone())).map_err(fail)?.into()),
            (
                "attention_mask",
                Tensor::from_array(([b, l], batch.attention_mask.clone())).map_err(fail)?.into(),
            ),
        ];
        if let Some([c, h, w]) = self.image_dims {
            let zeros = vec![0f32; b * c * h * w];
            let pixels = Tensor::from_array(([b, c, h, w], zeros)).map_err(fail)?;
            inputs.push(("pixel_values", pixels.into()));
        }
        let outputs = session.run(inputs).map_err(fail)?;
        let (shape, values) =
            outputs[self.output.as_str()].try_extract_tensor::<f32>().map_err(fail)?;
        let expected = [b as i64, l as i64, self.num_labels as i64];
        if shape[..] != expected {
            return Err(Error::Inference(format!(
                "output `{}` has shape {:?}, expected {expected:?}",
                self.output,
                &shape[..]
            )));
        }
        Ok(Logits {
            batch_size: b,
            seq_len: l,
            num_labels: self.num_labels,
            values: values.to_vec(),
        })
    }
}

impl TokenClassifierBackend for OrtBackend {
    fn predict(&self, batch: &Batch) -> Result<Logits, Error> {
        if batch.batch_size == 0 || batch.seq_len == 0 {
            return Ok(Logits {
                batch_size: batch.batch_size,
                seq_len: batch.seq_len,
                num_labels: self.num_labels,
                values: Vec::new(),
            });
        }
        let mut session = self.take_session()?;
        let result = self.run(&mut session, batch);
        self.put_back(session);
        result
    }

    fn num_labels(&self) -> usize {
        self.num_labels
    }
}

pub(crate) fn element_type(dtype: &ValueType) -> Option<TensorElementType> {
    match dtype {
        ValueType::Tensor { ty, .. } => Some(*ty),
        _ => None,
    }
}

/// `[C, H, W]` of a `pixel_values` input: its static dims, the defaults for
/// dynamic ones.
fn image_dims(dtype: &ValueType) -> [usize; 3] {
    let mut dims = DEFAULT_IMAGE_DIMS;
    if let ValueType::Tensor { shape, .. } = dtype
        && shape.len() == 4
    {
        for (d, &declared) in dims.iter_mut().zip(&shape[1..]) {
            if declared > 0 {
                *d = declared as usize;
            }
        }
    }
    dims
}

pub(crate) fn open_session(model: &Path, config: &OrtConfig) -> Result<Session, Error> {
    let environment = runtime::environment()?;
    let build = || -> ort::Result<Session> {
        let builder =
            Session::builder(environment)?.with_intra_threads(config.intra_threads.max(1))?;
        #[cfg(feature = "cuda")]
        let builder = with_cuda(builder)?;
        let mut builder = builder;
        builder.commit_from_file(model)
    };
    build().map_err(|e| Error::Session { path: model.to_path_buf(), reason: e.to_string() })
}

/// Registers the CUDA execution provider; ONNX Runtime falls back to CPU when
/// it cannot be used (no GPU, or a library built without CUDA).
#[cfg(feature = "cuda")]
fn with_cuda(
    builder: ort::session::builder::SessionBuilder,
) -> ort::Result<ort::session::builder::SessionBuilder> {
    use ort::ep::ExecutionProvider;
    if !ort::ep::CUDA::is_available().unwrap_or(false) {
        tracing::warn!("this libonnxruntime has no CUDA execution provider; running on CPU");
    }
    Ok(builder.with_execution_providers([ort::ep::CUDA::default().build()])?)
}
