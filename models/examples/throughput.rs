//! Windows per second of a model directory on the reference documents
//! (`reference.json`, as the trainer's export writes it), one document per
//! call and all in one batched call.
//!
//! ```sh
//! cargo run --release -p invex-models --example throughput -- [MODEL_DIR] [fp32|int8] [ROUNDS]
//! ```

use std::path::{Path, PathBuf};
use std::time::Instant;

use invex_models::{LayoutModel, ModelInput, ModelOptions, ModelVariant};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir =
        args.first().map_or_else(|| manifest_dir.join("tests/fixtures/tiny-layout"), PathBuf::from);
    let variant = args.get(1).and_then(|v| ModelVariant::parse(v)).unwrap_or_default();
    let rounds: usize = args.get(2).and_then(|r| r.parse().ok()).unwrap_or(20);
    invex_models::init_onnxruntime(&manifest_dir.join("../.native/lib/libonnxruntime.so"))?;
    let model = LayoutModel::load(&dir, ModelOptions { variant, ..ModelOptions::default() })?;

    let reference: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("reference.json"))?)?;
    let docs = reference["documents"].as_array().ok_or("reference.json has no documents")?;
    let words: Vec<Vec<&str>> = docs
        .iter()
        .map(|d| d["words"].as_array().into_iter().flatten().filter_map(|w| w.as_str()).collect())
        .collect();
    let boxes: Vec<Vec<[i64; 4]>> = docs
        .iter()
        .map(|d| serde_json::from_value(d["boxes"].clone()).unwrap_or_default())
        .collect();
    let inputs: Vec<ModelInput> = words
        .iter()
        .zip(&boxes)
        .map(|(w, b)| ModelInput { words: w.clone(), boxes: b.clone() })
        .collect();
    let windows: usize =
        inputs.iter().map(|i| model.windows(i).map_or(0, |w| w.windows.len())).sum();
    let tokens: usize = inputs
        .iter()
        .map(|i| model.windows(i).map_or(0, |w| w.windows.iter().map(|x| x.len()).sum()))
        .sum();
    println!(
        "{}: {:?}, {} documents, {windows} windows, {tokens} tokens",
        dir.display(),
        variant,
        inputs.len()
    );

    let started = Instant::now();
    for _ in 0..rounds {
        for input in &inputs {
            model.predict_inputs(std::slice::from_ref(input))?;
        }
    }
    report("one document per call", started, rounds * windows, rounds * inputs.len());
    let started = Instant::now();
    for _ in 0..rounds {
        model.predict_inputs(&inputs)?;
    }
    report("all documents per call", started, rounds * windows, rounds * inputs.len());
    Ok(())
}

fn report(what: &str, started: Instant, windows: usize, documents: usize) {
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{what:<24} {:>8.1} windows/s {:>8.1} documents/s",
        windows as f64 / seconds,
        documents as f64 / seconds
    );
}
