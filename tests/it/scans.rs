//! `invex dataset generate --scan`: synthetic scans with exact ground truth.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use invex_datasets::scan::{decode_tiff_pages, image};

use crate::{eval, invex, read_jsonl, run, stderr, tempdir};

fn generate_scans(dir: &Path, count: usize, seed: u64, extra: &[&str]) {
    let out = run(invex()
        .args(["dataset", "generate", "--scan", "--count", &count.to_string()])
        .args(["--seed", &seed.to_string()])
        .args(extra)
        .arg("--out")
        .arg(dir));
    assert!(out.status.success(), "generate --scan failed: {}", stderr(&out));
}

fn files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn scans_are_image_only_pdfs_with_exact_ground_truth() {
    let dir = tempdir();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    generate_scans(&a, 6, 7, &[]);

    let gold = read_jsonl(&a.join("groundtruth.jsonl"));
    assert_eq!(gold.len(), 6);
    let mut gold_files = Vec::new();
    for g in &gold {
        let file = g["file"].as_str().expect("file");
        assert!(file.ends_with(".pdf"), "{file}");
        assert!(g["invoice_number"].is_string() || g["invoice_number"].is_null(), "{g}");
        let bytes = fs::read(a.join(file)).expect(file);
        assert!(bytes.starts_with(b"%PDF-"), "{file}");
        // No text layer: no fonts, no text objects, only page images.
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("/Font"), "{file} has fonts");
        assert!(!text.contains("BT\n") && !text.contains("/ToUnicode"), "{file} has text");
        assert!(text.contains("/Subtype /Image") && text.contains("/DCTDecode"), "{file}");
        gold_files.push(file.to_string());
    }
    // The ground truth is valid for the scorer (and matches itself exactly).
    let report = eval(&a.join("groundtruth.jsonl"), &a.join("groundtruth.jsonl"));
    assert!(report.is_object(), "{report}");

    let scans = read_jsonl(&a.join("scans.jsonl"));
    let scan_files: Vec<String> =
        scans.iter().map(|s| s["file"].as_str().expect("file").to_string()).collect();
    assert_eq!(scan_files, gold_files);
    for s in &scans {
        assert!(s["profile"].is_string(), "{s}");
        assert!(s["degradations"].is_array(), "{s}");
        assert_eq!(s["dpi"], 300);
        assert!(s["pages"][0][0].as_u64().expect("width") > 1000, "{s}");
    }
    let truth: serde_json::Value =
        serde_json::from_slice(&fs::read(a.join("inv-00000.truth.json")).expect("truth"))
            .expect("json");
    assert_eq!(truth["file"], "inv-00000.pdf");
    assert_eq!(truth["scan"]["profile"], scans[0]["profile"]);

    // Byte-deterministic for a seed.
    generate_scans(&b, 6, 7, &[]);
    assert_eq!(files(&a), files(&b));
    for name in files(&a) {
        assert!(fs::read(a.join(&name)).ok() == fs::read(b.join(&name)).ok(), "{name} differs");
    }
}

#[test]
fn degradations_restrict_the_mix_and_tiff_pages_decode() {
    let dir = tempdir();
    let d = dir.path().join("t");
    generate_scans(
        &d,
        3,
        11,
        &["--scan-format", "tiff", "--degradations", "rotate90,jpeg", "--dpi", "100"],
    );
    let scans = read_jsonl(&d.join("scans.jsonl"));
    let profiles: BTreeSet<&str> =
        scans.iter().map(|s| s["profile"].as_str().expect("p")).collect();
    assert!(profiles.iter().all(|p| ["rotate90", "jpeg"].contains(p)), "{profiles:?}");
    for g in read_jsonl(&d.join("groundtruth.jsonl")) {
        let file = g["file"].as_str().expect("file");
        assert!(file.ends_with(".tif"), "{file}");
        assert!(!d.join(file.replace(".tif", ".pdf")).exists(), "digital PDF left beside {file}");
        let bytes = fs::read(d.join(file)).expect(file);
        let first = image::load_from_memory(&bytes).expect("image decodes the TIFF").to_rgb8();
        let pages = decode_tiff_pages(&bytes).expect("all pages decode");
        assert_eq!(pages[0], first);
        // A4 at 100 dpi, upright or turned.
        let (w, h) = first.dimensions();
        assert!((1100..1200).contains(&w.max(h)) && (800..850).contains(&w.min(h)), "{w}x{h}");
    }

    let out = run(invex()
        .args(["dataset", "generate", "--scan", "--count", "1", "--degradations", "sepia", "--out"])
        .arg(dir.path().join("x")));
    assert!(!out.status.success());
    assert!(stderr(&out).contains("unknown degradation"), "{}", stderr(&out));
}
