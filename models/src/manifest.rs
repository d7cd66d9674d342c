//! `manifest.json`: what a model directory holds, with the sha256 of every
//! file, its labels, the label map and free-form metrics.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::Error;

pub const MANIFEST: &str = "manifest.json";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub name: String,
    pub version: String,
    /// When the model was exported or imported (RFC 3339).
    pub created: String,
    /// File name → lower-case hex sha256.
    pub files: BTreeMap<String, String>,
    /// The model's labels in output order.
    pub labels: Vec<String>,
    /// Model label (with or without `B-`/`I-`) → invex label; empty when the
    /// model's labels are invex's.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub label_map: BTreeMap<String, String>,
    #[serde(default)]
    pub metrics: serde_json::Value,
    /// Anything else the exporter wrote (architecture, training run, ...).
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl Manifest {
    pub fn from_dir(dir: &Path) -> Result<Manifest, Error> {
        let path = dir.join(MANIFEST);
        if !path.is_file() {
            return Err(Error::MissingFile { dir: dir.to_path_buf(), file: MANIFEST.into() });
        }
        let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
        serde_json::from_slice(&bytes).map_err(|e| Error::json(&path, e))
    }

    pub fn write(&self, dir: &Path) -> Result<(), Error> {
        let path = dir.join(MANIFEST);
        let mut text = serde_json::to_string_pretty(self).map_err(|e| Error::json(&path, e))?;
        text.push('\n');
        std::fs::write(&path, text).map_err(|e| Error::io(&path, e))
    }

    /// Checks every listed file in `dir` against its sha256.
    pub fn verify(&self, dir: &Path) -> Result<(), Error> {
        for (file, expected) in &self.files {
            let path = dir.join(plain_file_name(dir, file)?);
            if !path.is_file() {
                return Err(Error::MissingFile { dir: dir.to_path_buf(), file: file.clone() });
            }
            let actual = sha256_file(&path)?;
            if !actual.eq_ignore_ascii_case(expected.trim()) {
                return Err(Error::ChecksumMismatch {
                    dir: dir.to_path_buf(),
                    file: file.clone(),
                    expected: expected.clone(),
                    actual,
                });
            }
        }
        Ok(())
    }
}

/// A file name listed in a manifest must stay inside its directory.
fn plain_file_name<'a>(dir: &Path, file: &'a str) -> Result<&'a str, Error> {
    let plain = !file.is_empty()
        && Path::new(file).components().all(|c| matches!(c, std::path::Component::Normal(_)));
    if plain {
        Ok(file)
    } else {
        Err(Error::Config(format!(
            "{} lists {file:?}, which is not a file inside the model directory",
            dir.join(MANIFEST).display()
        )))
    }
}

/// The lower-case hex sha256 of a file.
pub fn sha256_file(path: &Path) -> Result<String, Error> {
    let mut file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf).map_err(|e| Error::io(path, e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(files: &[(&str, &str)]) -> Manifest {
        Manifest {
            name: "t".into(),
            version: "1".into(),
            created: "2026-01-01T00:00:00Z".into(),
            files: files.iter().map(|(f, h)| (f.to_string(), h.to_string())).collect(),
            labels: vec!["O".into()],
            label_map: BTreeMap::new(),
            metrics: serde_json::Value::Null,
            extra: serde_json::Map::new(),
        }
    }

    const ABC: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    #[test]
    fn sha256_of_a_known_text() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("a.txt"), "abc").expect("write");
        assert_eq!(sha256_file(&dir.path().join("a.txt")).expect("hash"), ABC);
    }

    #[test]
    fn verification_table() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("model.onnx"), "abc").expect("write");
        let upper = ABC.to_uppercase();
        let wrong = ABC.replace('b', "c");
        // (files in the manifest, the error's expected text, or None for ok)
        type Case<'a> = (&'a [(&'a str, &'a str)], Option<&'a str>);
        let cases: &[Case] = &[
            (&[("model.onnx", ABC)], None),
            (&[("model.onnx", &upper)], None),
            (&[("model.onnx", &wrong)], Some("model.onnx in")),
            (&[("config.json", ABC)], Some("has no config.json")),
            (&[("../model.onnx", ABC)], Some("not a file inside")),
            (&[("/etc/passwd", ABC)], Some("not a file inside")),
        ];
        for (files, expected) in cases {
            let got = manifest(files).verify(dir.path());
            match (expected, got) {
                (None, Ok(())) => {}
                (Some(text), Err(e)) => assert!(e.to_string().contains(text), "{files:?}: {e}"),
                (expected, got) => panic!("{files:?}: expected {expected:?}, got {got:?}"),
            }
        }
    }

    #[test]
    fn round_trip_keeps_unknown_keys() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut m = manifest(&[("model.onnx", ABC)]);
        m.extra.insert("architecture".into(), "LayoutLMv3ForTokenClassification".into());
        m.label_map.insert("TOTAL".into(), "TOTAL_AMOUNT".into());
        m.write(dir.path()).expect("write");
        assert_eq!(Manifest::from_dir(dir.path()).expect("read"), m);
    }
}
