//! `invex extract --donut DIR` through the real binary, ONNX Runtime and the
//! tiny Donut fixture (which reads only the two images it was overfitted on,
//! so it shows the wiring, not accuracy).

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::*;

fn tiny_donut() -> PathBuf {
    repo().join("models/tests/fixtures/tiny-donut")
}

fn extract_with(inputs: &[&Path], output: &Path, extra: &[&str]) -> std::process::Output {
    run(invex()
        .arg("extract")
        .args(inputs)
        .arg("--output")
        .arg(output)
        .arg("--no-progress")
        .arg("--donut")
        .arg(tiny_donut())
        .args(extra))
}

#[test]
fn donut_instead_of_words_reads_images_and_names_bad_files() {
    let dir = tempdir();
    let fixture = tiny_donut();
    fs::copy(fixture.join("sample-b.png"), dir.path().join("sample-b.png")).expect("copy");
    fs::write(dir.path().join("broken.png"), b"\x89PNG\r\n\x1a\nthis is not a PNG").expect("w");
    fs::write(dir.path().join("empty.pdf"), b"").expect("w");
    let out = dir.path().join("out.jsonl");
    let o = extract_with(&[dir.path()], &out, &["--donut-use", "instead"]);
    assert!(!o.status.success(), "bad files make the exit code non-zero");
    let results = crate::ocr::by_name(&out);
    // (file, expected status, error type, fields expected (value as written)).
    let cases: &[(&str, &str, Option<&str>, Value)] = &[
        (
            "sample-b.png",
            "ok",
            None,
            json!({"invoice_number": "2026-117", "invoice_date": "2026-11-22",
                   "currency": "SEK", "total_amount": 980.0, "bankgiro": "50501055"}),
        ),
        ("broken.png", "failed", Some("corrupt_image"), json!({})),
        ("empty.pdf", "failed", Some("empty_file"), json!({})),
    ];
    for (file, status, error_type, fields) in cases {
        let r = results.get(*file).unwrap_or_else(|| panic!("{file}: no result line"));
        assert_eq!(r["status"], *status, "{file}: {r}");
        assert_eq!(r["error_type"].as_str(), *error_type, "{file}: {r}");
        for (name, value) in fields.as_object().expect("object") {
            let field = &r["fields"][name];
            assert_eq!(field["value"], *value, "{file} {name}: {r}");
            assert_eq!(field["source"], "donut", "{file} {name}");
        }
        if *status == "failed" {
            assert!(stderr(&o).contains(&format!("failed: {}", dir.path().join(file).display())));
        }
    }
}

#[test]
fn a_weak_donut_as_second_opinion_never_changes_sure_results() {
    let dir = tempdir();
    let data = dir.path().join("data");
    generate(&data, 4, 8128);
    let (plain, with_donut) = (dir.path().join("plain.jsonl"), dir.path().join("donut.jsonl"));
    let o = extract(&[&data], &plain);
    assert!(o.status.success(), "{}", stderr(&o));
    // `always`: the tiny Donut is asked for every invoice, and its meaningless
    // readings must not overrule or add anything.
    let o = extract_with(&[&data], &with_donut, &["--donut-use", "always"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let (a, b) = (crate::ocr::by_name(&plain), crate::ocr::by_name(&with_donut));
    assert_eq!(a.len(), 4);
    for (file, line) in &a {
        assert_eq!(line["fields"], b[file]["fields"], "{file}");
    }
}

#[test]
fn a_missing_donut_directory_is_named() {
    let dir = tempdir();
    let data = dir.path().join("data");
    generate(&data, 1, 1);
    let out = run(invex()
        .arg("extract")
        .arg(&data)
        .arg("--output")
        .arg(dir.path().join("o.jsonl"))
        .args(["--donut", "/nonexistent/donut"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("loading the Donut model in /nonexistent/donut"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn eval_groups_scores_each_profile() {
    let dir = tempdir();
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        fs::write(&path, text).expect("write");
        path
    };
    let gold = write(
        "gold.jsonl",
        "{\"file\": \"a.pdf\", \"invoice_number\": \"1\"}\n\
         {\"file\": \"b.pdf\", \"invoice_number\": \"2\"}\n",
    );
    let pred = write(
        "pred.jsonl",
        "{\"file\": \"/x/a.pdf\", \"fields\": {\"invoice_number\": {\"value\": \"1\"}}}\n\
         {\"file\": \"/x/b.pdf\", \"fields\": {\"invoice_number\": {\"value\": \"7\"}}}\n",
    );
    let groups = write(
        "scans.jsonl",
        "{\"file\": \"a.pdf\", \"profile\": \"clean\"}\n{\"file\": \"b.pdf\", \"profile\": \"photo\"}\n",
    );
    let out = run(invex()
        .args(["eval", "--json", "--gold"])
        .arg(&gold)
        .arg("--pred")
        .arg(&pred)
        .arg("--groups")
        .arg(&groups));
    assert!(out.status.success(), "{}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(report["overall"], 0.5);
    assert_eq!(report["groups"]["clean"]["overall"], 1.0);
    assert_eq!(report["groups"]["photo"]["overall"], 0.0);
    let text = run(invex()
        .args(["eval", "--gold"])
        .arg(&gold)
        .arg("--pred")
        .arg(&pred)
        .arg("--groups")
        .arg(&groups));
    let stdout = String::from_utf8_lossy(&text.stdout);
    assert!(stdout.contains("photo                  1        0/1          0.000"), "{stdout}");
}
