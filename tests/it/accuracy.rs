//! Accuracy of the digital path, scored by `invex eval` (which mirrors score.py).

use crate::*;

/// A seed the extractor was never tuned on (tuning used seeds 1–50).
const HELD_OUT_SEED: u64 = 20261122;

#[test]
fn generated_held_out_seed_scores_at_least_097() {
    let dir = tempdir();
    let data = dir.path().join("data");
    generate(&data, 150, HELD_OUT_SEED);
    let pred = dir.path().join("pred.jsonl");
    let out = extract(&[&data], &pred);
    assert!(out.status.success(), "extract failed: {}", stderr(&out));
    let report = eval(&data.join("groundtruth.jsonl"), &pred);
    let overall = report["overall"].as_f64().expect("overall");
    assert_eq!(report["docs_without_prediction"], 0);
    assert!(overall >= 0.97, "overall {overall} < 0.97: {report:#}");
    for (field, score) in report["fields"].as_object().expect("fields") {
        if let Some(acc) = score["accuracy"].as_f64() {
            assert!(acc >= 0.9, "{field}: accuracy {acc} < 0.9: {report:#}");
        }
    }
}

#[test]
fn shared_dev_set_scores_at_least_075() {
    let dir = tempdir();
    let pred = dir.path().join("pred.jsonl");
    let out = extract(&[&shared_dev()], &pred);
    assert!(out.status.success(), "extract failed: {}", stderr(&out));
    let report = eval(&shared_dev().join("groundtruth.jsonl"), &pred);
    let overall = report["overall"].as_f64().expect("overall");
    assert_eq!(report["docs_without_prediction"], 0);
    assert!(overall >= 0.75, "overall {overall} < 0.75: {report:#}");
}

#[test]
fn eval_agrees_with_score_py() {
    if Command::new("python3").arg("--version").output().is_err() {
        eprintln!("python3 missing: skipping the comparison with score.py");
        return;
    }
    let dir = tempdir();
    let pred = dir.path().join("pred.jsonl");
    assert!(extract(&[&shared_dev()], &pred).status.success());
    let gold = shared_dev().join("groundtruth.jsonl");
    let ours = eval(&gold, &pred);
    let py = run(Command::new("python3")
        .arg(repo().join("tests/fixtures/score.py"))
        .arg(&gold)
        .arg(&pred)
        .arg("--json"));
    assert!(py.status.success(), "score.py failed: {}", stderr(&py));
    let theirs: serde_json::Value = serde_json::from_slice(&py.stdout).expect("score.py JSON");
    // invex eval adds document-level keys; score.py's own must agree exactly.
    for key in ["docs", "docs_without_prediction", "fields", "overall"] {
        assert_eq!(ours[key], theirs[key], "{key}");
    }
}
