//! A graph with the four inputs of a real Hugging Face LayoutLMv3 export
//! (`fixtures/four-inputs/make.py`): invex feeds `pixel_values` as zeros of
//! the declared `[B, 3, 224, 224]` and reads the logits by name. The graph's
//! logits are `input_id × (label + 1) + x0 / 1000 + sum(pixel_values)`.

use std::collections::BTreeMap;
use std::path::Path;

use invex_models::{LayoutModel, ModelInput, ModelOptions};

#[test]
fn pixel_values_are_fed_zeros_and_logits_read_back() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    invex_models::init_onnxruntime(&root.join("../.native/lib/libonnxruntime.so"))
        .unwrap_or_else(|e| panic!("{e} (run scripts/setup.sh)"));
    let dir = tempfile::tempdir().expect("tempdir");
    let tiny = root.join("tests/fixtures/tiny-layout");
    for (from, file) in [
        (root.join("tests/fixtures/four-inputs"), "model.onnx"),
        (tiny.clone(), "config.json"),
        (tiny, "tokenizer.json"),
    ] {
        std::fs::copy(from.join(file), dir.path().join(file)).expect("copy");
    }
    let model = LayoutModel::open_export(dir.path(), &BTreeMap::new(), ModelOptions::default())
        .expect("a four-input export opens");
    assert!(model.takes_image());

    let input = ModelInput {
        words: vec!["Faktura", "1043", "Summa"],
        boxes: vec![[100, 10, 200, 20], [250, 10, 300, 20], [700, 900, 800, 910]],
    };
    let windows = model.windows(&input).expect("windows");
    let predictions = model.predict_inputs(std::slice::from_ref(&input)).expect("inference");
    for (word, prediction) in predictions[0].iter().enumerate() {
        let token = windows.encoded.first_token[word].expect("every word has a token");
        let id = windows.encoded.ids[token] as f32;
        let x0 = input.boxes[word][0] as f32 / 1000.0;
        for (label, &logit) in prediction.logits.iter().enumerate() {
            let expected = id * (label + 1) as f32 + x0;
            assert!(
                (logit - expected).abs() < 1e-3,
                "word {word} label {label}: {logit} vs {expected}"
            );
        }
        assert_eq!(prediction.label_id, model.labels().len() - 1);
    }
}
