//! One integration-test binary (as ripgrep's `tests/tests.rs`): every test
//! drives the real `invex` binary on real PDFs.

mod accuracy;
mod browser;
mod cli;
mod donut;
mod einvoice;
mod export;
mod export_remote;
mod extract_s3;
mod hostile;
mod layout;
mod llm;
mod models;
mod ocr;
mod real;
mod scans;
mod service;
mod ui_browser;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

/// The `invex` binary under test.
pub fn invex() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_invex"));
    cmd.env_remove("INVEX_NATIVE_DIR").env_remove("INVEX_OUTPUT");
    cmd
}

/// Runs a command and returns its output, failing the test with stderr if it
/// could not start.
pub fn run(cmd: &mut Command) -> Output {
    cmd.output().unwrap_or_else(|e| panic!("could not run {cmd:?}: {e}"))
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `invex dataset generate` into `dir`.
pub fn generate(dir: &Path, count: usize, seed: u64) {
    let out = run(invex()
        .args([
            "dataset",
            "generate",
            "--count",
            &count.to_string(),
            "--seed",
            &seed.to_string(),
            "--out",
        ])
        .arg(dir));
    assert!(out.status.success(), "generate failed: {}", stderr(&out));
}

/// `invex extract INPUTS --output OUT`, returning its output.
pub fn extract(inputs: &[&Path], output: &Path) -> Output {
    let mut cmd = invex();
    cmd.arg("extract").args(inputs).arg("--output").arg(output).arg("--no-progress");
    run(&mut cmd)
}

/// `invex eval --json`, returning the parsed report.
pub fn eval(gold: &Path, pred: &Path) -> Value {
    let out = run(invex().args(["eval", "--json", "--gold"]).arg(gold).arg("--pred").arg(pred));
    assert!(out.status.success(), "eval failed: {}", stderr(&out));
    serde_json::from_slice(&out.stdout).expect("eval prints JSON")
}

pub fn read_jsonl(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("valid JSON line"))
        .collect()
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The four real dev invoices of `shared/eval/dev`, vendored with their
/// licence (Apache-2.0, mustangproject) so that a lone clone can test.
pub fn shared_dev() -> PathBuf {
    repo().join("tests/fixtures/dev")
}

/// pdfium from the library `scripts/setup.sh` installs.
pub fn pdfium() -> invex_pipeline::pdf::PdfiumReader {
    invex_pipeline::pdf::PdfiumReader::load(&repo().join(".native/lib/libpdfium.so"))
        .expect("libpdfium missing: run scripts/setup.sh")
}

pub fn tempdir() -> tempfile::TempDir {
    tempfile::Builder::new().prefix("invex-it-").tempdir().expect("temp dir")
}
