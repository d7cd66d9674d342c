//! Finds the native libraries that `scripts/setup.sh` installs, so users never
//! set environment variables. Search order, first hit wins:
//!
//! 1. `$INVEX_NATIVE_DIR`, when set, is the only place searched (an explicit override);
//! 2. otherwise `lib/` next to the executable and the executable's own folder
//!    (installed copies), then `.native/lib` in the checkout the binary was built from.

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

pub const PDFIUM: &str = "libpdfium.so";
pub const ONNXRUNTIME: &str = "libonnxruntime.so";

fn search_dirs() -> Vec<PathBuf> {
    if let Some(dir) = std::env::var_os("INVEX_NATIVE_DIR") {
        return vec![PathBuf::from(dir)];
    }
    let mut dirs = Vec::new();
    if let Ok(exe) = std::env::current_exe()
        && let Some(exe_dir) = exe.parent()
    {
        dirs.push(exe_dir.join("lib"));
        dirs.push(exe_dir.to_path_buf());
    }
    dirs.push(Path::new(env!("CARGO_MANIFEST_DIR")).join(".native").join("lib"));
    dirs
}

/// The path of a native library, or one clear error naming the set-up command.
pub fn find(library: &str) -> Result<PathBuf> {
    let dirs = search_dirs();
    if let Some(path) = dirs.iter().map(|d| d.join(library)).find(|p| p.is_file()) {
        return Ok(path);
    }
    let looked: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
    bail!(
        "{library} is not installed (looked in: {}). Run `scripts/setup.sh` in the invex checkout to install it",
        looked.join(", ")
    )
}
