//! The real-invoice corpus (`datasets/real`): the files whose licence lets
//! them live in the repository, through the real binary. A floor on accuracy
//! guards against regressions; the "never guess" rules are checked on every
//! document.

use std::collections::HashMap;

use crate::*;

/// Redistributable corpus files (both splits) and their gold lines.
pub(crate) fn corpus() -> (Vec<PathBuf>, Vec<Value>) {
    let root = repo().join("datasets/real");
    let manifest = read_jsonl(&root.join("manifest.jsonl"));
    let mut gold: HashMap<String, Value> = HashMap::new();
    for split in ["tune", "test"] {
        for g in read_jsonl(&root.join(split).join("groundtruth.jsonl")) {
            gold.insert(g["file"].as_str().expect("file").to_string(), g);
        }
    }
    let mut files = Vec::new();
    let mut lines = Vec::new();
    for m in manifest.iter().filter(|m| m["redistributable"] == true) {
        let file = m["file"].as_str().expect("file");
        let path = root.join(file);
        assert!(path.exists(), "{file} is redistributable, so it must be in the repository");
        files.push(path);
        lines.push(gold.remove(file).unwrap_or_else(|| panic!("{file}: no ground truth")));
    }
    (files, lines)
}

#[test]
fn redistributable_real_invoices_are_read_and_never_guessed() {
    let (files, gold) = corpus();
    assert!(files.len() >= 40, "only {} redistributable corpus files", files.len());
    let dir = tempdir();
    let gold_path = dir.path().join("gold.jsonl");
    let text: String = gold.iter().map(|g| format!("{g}\n")).collect();
    std::fs::write(&gold_path, text).expect("write gold");
    let pred_path = dir.path().join("pred.jsonl");
    let inputs: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    let out = extract(&inputs, &pred_path);
    assert!(out.status.success(), "extract failed: {}", stderr(&out));
    let preds = read_jsonl(&pred_path);
    assert_eq!(preds.len(), files.len());

    let by_name: HashMap<&str, &Value> = preds
        .iter()
        .map(|p| (p["file"].as_str().unwrap().rsplit('/').next().unwrap(), p))
        .collect();
    for g in &gold {
        let name = g["file"].as_str().unwrap().rsplit('/').next().unwrap();
        let p = by_name[name];
        assert_eq!(p["status"], "ok", "{name}: {p}");
        // A document confidence is a probability, and so is every field's.
        let doc = p["confidence"].as_f64().expect("document confidence");
        assert!((0.0..=1.0).contains(&doc), "{name}: confidence {doc}");
        for (field, f) in p["fields"].as_object().unwrap() {
            let c = f["confidence"].as_f64().unwrap();
            assert!((0.0..=1.0).contains(&c), "{name}: {field} confidence {c}");
        }
        // Never guess kronor: SEK only where the invoice is in SEK.
        let predicted = p["fields"]["currency"]["value"].as_str();
        if let Some(gold_currency) = g["currency"].as_str().filter(|c| *c != "SEK") {
            assert_ne!(predicted, Some("SEK"), "{name}: SEK guessed for {gold_currency}");
        }
    }

    let report = eval(&gold_path, &pred_path);
    let overall = report["overall"].as_f64().expect("overall");
    // Line items too, against the corpus's line truth for these files.
    let names: Vec<&str> = gold.iter().map(|g| g["file"].as_str().unwrap()).collect();
    let root = repo().join("datasets/real");
    let line_gold: String = ["tune", "test"]
        .iter()
        .flat_map(|split| read_jsonl(&root.join(split).join("groundtruth_lines.jsonl")))
        .filter(|l| names.contains(&l["file"].as_str().unwrap()))
        .map(|l| format!("{l}\n"))
        .collect();
    let lines_path = dir.path().join("gold_lines.jsonl");
    std::fs::write(&lines_path, line_gold).expect("write line gold");
    let out = run(invex()
        .args(["eval", "--json", "--gold"])
        .arg(&gold_path)
        .arg("--pred")
        .arg(&pred_path)
        .arg("--lines")
        .arg(&lines_path));
    assert!(out.status.success(), "eval --lines failed: {}", stderr(&out));
    let lines: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let lines = &lines["line_items"];
    let (recall, precision) =
        (lines["recall"].as_f64().unwrap(), lines["precision"].as_f64().unwrap());
    assert!(lines["gold"].as_u64().unwrap() >= 50, "{lines}");
    assert!(recall >= LINES_FLOOR && precision >= LINES_FLOOR, "line items: {lines}");
    assert!(overall >= REDISTRIBUTABLE_FLOOR, "overall {overall}: {report:#}");
    // What is booked without a person must be right (the target is 99 %).
    let precision = report["automation"]["precision"].as_f64();
    assert!(precision.is_none_or(|p| p >= 0.99), "automation: {:#}", report["automation"]);
}

/// The line-item recall and precision floor on the redistributable files:
/// measured 0.893 and 0.929 (103 gold lines) when it was set, and 0.756
/// and 0.765 (164 gold lines) once the corpus grew on 2026-12-07 by six
/// redistributable invoices with harder tables (French supplier and
/// telecom invoices); the files it was set on then read 0.954 / 0.981.
/// 0.686 and 0.582 (191 gold lines) after 28 more redistributable invoices
/// on 2026-12-08: Argentine workshops' tables the rules do not read yet,
/// and Dutch web-shop invoices that print gross line prices, whose net the
/// truth leaves empty (54 such gold lines), so their lines count as
/// returned but can never match.
const LINES_FLOOR: f64 = 0.56;

/// The accuracy floor on the redistributable files: measured 0.824 (44
/// files, both splits) with the rules alone, 0.900 once e-invoice XML was
/// read (most e-invoice PDFs are redistributable); a regression guard, not
/// a target.
const REDISTRIBUTABLE_FLOOR: f64 = 0.87;
