//! Importing a Hugging Face LayoutLMv3 token-classification ONNX export
//! (`model.onnx`, optional `model_quantized.onnx`, `config.json`,
//! `tokenizer.json`; other files are ignored) as an invex model directory:
//! the labels are read through a label map, each graph is opened and run on
//! one window, the files are copied and `manifest.json` records their sha256.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::manifest::{Manifest, sha256_file};
use crate::model::{CONFIG, LayoutModel, ModelInput, ModelOptions, TOKENIZER};
use crate::ort_backend::OrtConfig;
use crate::{Error, ModelVariant};

/// What an import wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    pub dir: PathBuf,
    pub manifest: Manifest,
    pub variants: Vec<ModelVariant>,
    /// Whether the graph takes `pixel_values` (fed zeros).
    pub takes_image: bool,
}

/// Reads a label map: a JSON object from the export's label names (with or
/// without `B-`/`I-`) to invex's.
pub fn read_label_map(path: &Path) -> Result<BTreeMap<String, String>, Error> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    serde_json::from_slice(&bytes).map_err(|e| Error::json(path, e))
}

/// Checks the export in `source`, copies it into `into` (which must not hold
/// anything yet) and writes the manifest, named `name`.
pub fn import_export(
    source: &Path,
    into: &Path,
    name: &str,
    label_map: &BTreeMap<String, String>,
) -> Result<Imported, Error> {
    let variants: Vec<ModelVariant> = [ModelVariant::Fp32, ModelVariant::Int8]
        .into_iter()
        .filter(|v| source.join(v.file_name()).is_file())
        .collect();
    if !variants.contains(&ModelVariant::Fp32) {
        return Err(Error::MissingFile { dir: source.to_path_buf(), file: "model.onnx".into() });
    }
    let mut takes_image = false;
    let mut labels = Vec::new();
    for &variant in &variants {
        let options = ModelOptions {
            variant,
            ort: OrtConfig { intra_threads: 1, max_sessions: 1 },
            ..ModelOptions::default()
        };
        let model = LayoutModel::open_export(source, label_map, options)?;
        smoke_test(&model, source.join(variant.file_name()))?;
        takes_image |= model.takes_image();
        labels = model.labels().to_vec();
    }
    if into.exists() && std::fs::read_dir(into).map_err(|e| Error::io(into, e))?.next().is_some() {
        return Err(Error::Io {
            path: into.to_path_buf(),
            reason: "already exists and is not empty; remove it or import into another folder"
                .into(),
        });
    }
    std::fs::create_dir_all(into).map_err(|e| Error::io(into, e))?;
    let mut files = BTreeMap::new();
    let names = variants.iter().map(|v| v.file_name()).chain([CONFIG, TOKENIZER]);
    for file in names {
        let target = into.join(file);
        std::fs::copy(source.join(file), &target).map_err(|e| Error::io(&target, e))?;
        files.insert(file.to_string(), sha256_file(&target)?);
    }
    let mut extra = serde_json::Map::new();
    extra.insert("imported_from".into(), source.display().to_string().into());
    let manifest = Manifest {
        name: name.to_string(),
        version: "imported".into(),
        created: chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        files,
        labels,
        label_map: label_map.clone(),
        metrics: serde_json::json!({}),
        extra,
    };
    manifest.write(into)?;
    // The copy must load the way `invex extract --model` will load it.
    LayoutModel::load(into, ModelOptions::default())?;
    Ok(Imported { dir: into.to_path_buf(), manifest, variants, takes_image })
}

/// Runs one short window through the graph and checks the word count.
fn smoke_test(model: &LayoutModel, path: PathBuf) -> Result<(), Error> {
    let input = ModelInput {
        words: vec!["Faktura", "nr", "F-1043", "Att", "betala", "1 250,00"],
        boxes: vec![
            [80, 60, 160, 75],
            [165, 60, 185, 75],
            [190, 60, 260, 75],
            [600, 700, 640, 715],
            [645, 700, 700, 715],
            [720, 700, 800, 715],
        ],
    };
    let predictions = model.predict_inputs(std::slice::from_ref(&input))?;
    let words = predictions.first().map_or(0, Vec::len);
    let finite = predictions.iter().flatten().all(|w| w.logits.iter().all(|l| l.is_finite()));
    if words != input.words.len() || !finite {
        return Err(Error::ModelInputs {
            path,
            reason: format!("a test window gave {words} word predictions (finite: {finite})"),
        });
    }
    Ok(())
}
