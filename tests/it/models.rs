//! `invex models import / verify / info` on the tiny layout model that the
//! Python trainer exported (`models/tests/fixtures/tiny-layout`), used as a
//! Hugging Face export.

use std::fs;
use std::path::{Path, PathBuf};

use crate::*;

fn fixture() -> PathBuf {
    repo().join("models/tests/fixtures/tiny-layout")
}

/// A Hugging Face-style export of the fixture: the graph, config and
/// tokenizer, plus a stray file that import ignores; labels renamed by
/// `rename` (`B-INVOICE_NUMBER` → `B-INVOICE_NO`).
fn export(dir: &Path, rename: &[(&str, &str)]) -> PathBuf {
    let out = dir.join("hf-export");
    fs::create_dir_all(&out).expect("mkdir");
    for file in ["model.onnx", "tokenizer.json"] {
        fs::copy(fixture().join(file), out.join(file)).expect("copy");
    }
    let mut config = fs::read_to_string(fixture().join("config.json")).expect("config");
    for (from, to) in rename {
        config = config.replace(&format!("\"{from}\""), &format!("\"{to}\""));
    }
    fs::write(out.join("config.json"), config).expect("write config");
    fs::write(out.join("README.md"), "not a model file").expect("write");
    out
}

fn models(args: &[&std::ffi::OsStr]) -> std::process::Output {
    run(invex().env_remove("INVEX_MODEL_DIR").arg("models").args(args))
}

#[test]
fn an_export_with_our_labels_imports_and_verifies() {
    let dir = tempdir();
    let source = export(dir.path(), &[]);
    let into = dir.path().join("imported");
    let out = models(&["import".as_ref(), source.as_os_str(), "--into".as_ref(), into.as_os_str()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains(&format!("invex extract --model {}", into.display())), "{stdout}");
    let manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(into.join("manifest.json")).expect("manifest"))
            .expect("json");
    assert_eq!(manifest["name"], "hf-export");
    assert_eq!(manifest["labels"].as_array().map(Vec::len), Some(55));
    let files = manifest["files"].as_object().expect("files");
    let mut names: Vec<&str> = files.keys().map(String::as_str).collect();
    names.sort();
    assert_eq!(names, ["config.json", "model.onnx", "tokenizer.json"]);
    assert!(!into.join("README.md").exists());

    let verify = models(&["verify".as_ref(), into.as_os_str()]);
    assert!(verify.status.success(), "{}", stderr(&verify));
    let info = models(&["info".as_ref(), into.as_os_str()]);
    assert!(String::from_utf8_lossy(&info.stdout).contains("labels     55: O B-INVOICE_NUMBER"));

    // A changed file: verify names it.
    fs::write(into.join("config.json"), "{}").expect("write");
    let verify = models(&["verify".as_ref(), into.as_os_str()]);
    assert_eq!(verify.status.code(), Some(2));
    assert!(stderr(&verify).contains("config.json"), "{}", stderr(&verify));
}

#[test]
fn foreign_labels_need_a_label_map() {
    let dir = tempdir();
    let rename = [
        ("O", "OTHER"),
        ("B-INVOICE_NUMBER", "B-INVOICE_NO"),
        ("I-INVOICE_NUMBER", "I-INVOICE_NO"),
    ];
    let source = export(dir.path(), &rename);
    let into = dir.path().join("imported");
    let args = ["import".as_ref(), source.as_os_str(), "--into".as_ref(), into.as_os_str()];
    let out = models(&args);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("INVOICE_NO") && err.contains("label map"), "{err}");
    assert!(!into.exists(), "nothing is written for a refused import");

    let map = dir.path().join("labels.json");
    fs::write(&map, r#"{"INVOICE_NO": "INVOICE_NUMBER", "OTHER": "O"}"#).expect("write map");
    let out = models(&[&args[..], &["--labels".as_ref(), map.as_os_str()]].concat());
    assert!(out.status.success(), "{}", stderr(&out));
    let manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(into.join("manifest.json")).expect("manifest"))
            .expect("json");
    assert_eq!(manifest["label_map"]["INVOICE_NO"], "INVOICE_NUMBER");
    let verify = models(&["verify".as_ref(), into.as_os_str()]);
    assert!(verify.status.success(), "{}", stderr(&verify));
}

#[test]
fn a_missing_model_names_the_ways_to_get_one() {
    let dir = tempdir();
    let out = run(invex().env("INVEX_MODEL_DIR", dir.path()).args(["models", "info"]));
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains(&dir.path().display().to_string()) && err.contains("scripts/setup.sh"),
        "{err}"
    );
}

#[test]
fn an_export_without_the_model_inputs_is_refused() {
    let dir = tempdir();
    let source = export(dir.path(), &[]);
    // tokenizer.json is not an ONNX graph.
    fs::copy(source.join("tokenizer.json"), source.join("model.onnx")).expect("copy");
    let out = models(&[
        "import".as_ref(),
        source.as_os_str(),
        "--into".as_ref(),
        dir.path().join("x").as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("model.onnx"), "{}", stderr(&out));
}
