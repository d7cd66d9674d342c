//! The shipped layout model (`models/shipped/invex-layout`): it verifies, and
//! the rules, the model and the two combined are scored on invoices from
//! layout families the model never saw in training.

use crate::*;

/// Held out of the shipped model's training (`HELD_OUT` in models/training/run.sh).
const UNSEEN_FAMILIES: &str = "two_column_header,letterhead_centered,payment_slip_footer";
/// Neither the training seeds (101–104), its validation seed (201) nor the
/// export's held-out seed (20261123).
const SEED: u64 = 20261124;
/// The model alone on unseen families, measured at export, less a margin.
const MODEL_ALONE_FLOOR: f64 = 0.50;

fn generate_unseen(dir: &Path, count: usize) {
    let out = run(invex()
        .args(["dataset", "generate", "--count", &count.to_string(), "--seed", &SEED.to_string()])
        .args(["--families", UNSEEN_FAMILIES, "--out"])
        .arg(dir));
    assert!(out.status.success(), "generate failed: {}", stderr(&out));
}

/// Extracts `data` with one extractor and returns (overall accuracy, predictions).
fn score_with(data: &Path, extractor: &str, variant: &str) -> (f64, Vec<Value>) {
    let pred = data.with_file_name(format!("pred-{extractor}-{variant}.jsonl"));
    let out = run(invex()
        .arg("extract")
        .arg(data)
        .args(["--extractor", extractor, "--model-variant", variant, "--no-progress", "--output"])
        .arg(&pred));
    assert!(out.status.success(), "extract --extractor {extractor} failed: {}", stderr(&out));
    let report = eval(&data.join("groundtruth.jsonl"), &pred);
    assert_eq!(report["docs_without_prediction"], 0);
    (report["overall"].as_f64().expect("overall"), read_jsonl(&pred))
}

#[test]
fn shipped_model_verifies_against_its_manifest() {
    let out = run(invex().args(["models", "verify"]));
    assert!(out.status.success(), "verify failed: {}", stderr(&out));
}

#[test]
fn combined_on_unseen_layout_families() {
    let dir = tempdir();
    let data = dir.path().join("unseen");
    generate_unseen(&data, 60);
    let (rules, _) = score_with(&data, "rules", "fp32");
    let (model, _) = score_with(&data, "model", "fp32");
    let (combined, predictions) = score_with(&data, "combined", "fp32");
    eprintln!("unseen families: rules {rules:.4}, model {model:.4}, combined {combined:.4}");
    assert!(combined >= 0.97, "combined {combined} < 0.97");
    assert!(combined >= rules - 0.005, "combined {combined} is below the rules' {rules}");
    assert!(model >= MODEL_ALONE_FLOOR, "model alone {model} < {MODEL_ALONE_FLOOR}");
    // Every field says which extractor won.
    let mut sources = std::collections::BTreeSet::new();
    for p in &predictions {
        for field in p["fields"].as_object().into_iter().flat_map(|f| f.values()) {
            sources.insert(field["source"].as_str().expect("source").to_string());
        }
    }
    let known = ["rules", "model", "derived"];
    assert!(sources.iter().all(|s| known.contains(&s.as_str())), "sources {sources:?}");
    assert!(sources.contains("model"), "the model never won a field: {sources:?}");
}

#[test]
fn int8_model_scores_close_to_fp32() {
    let dir = tempdir();
    let data = dir.path().join("unseen");
    generate_unseen(&data, 30);
    let (fp32, _) = score_with(&data, "model", "fp32");
    let (int8, _) = score_with(&data, "model", "int8");
    eprintln!("model alone: fp32 {fp32:.4}, int8 {int8:.4}");
    assert!(int8 >= fp32 - 0.05, "int8 {int8} loses more than 0.05 against fp32 {fp32}");
}
