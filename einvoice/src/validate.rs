//! Validation of incoming XML with the official artefacts, reported as
//! warnings: the XSD (UBL 2.1 from OASIS, CII D16B from UN/CEFACT, run by
//! `xmllint`) and the EN 16931 schematron (CEN's compiled XSLT, run by
//! Saxon-HE). Both are external programs that `scripts/setup.sh` installs
//! (Debian `libxml2-utils`, `libsaxonhe-java`); the CII schemas and the
//! XSLT are vendored in `einvoice/schemas/` (EUPL-1.2, see its PROVENANCE.md).
//!
//! Opt-in (`invex extract --validate-xml`): the schematron costs a Java
//! start and an XSLT compile, about 3 s per file.

use std::path::{Path, PathBuf};
use std::process::Command;

use roxmltree::Document;

/// The vendored schemas: `$INVEX_SCHEMAS_DIR`, else `schemas/` beside the
/// executable (an installed copy), else this crate's `schemas/` in the
/// checkout the binary was built from.
fn schemas_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("INVEX_SCHEMAS_DIR") {
        return PathBuf::from(dir);
    }
    let beside_exe = std::env::current_exe().ok().and_then(|e| Some(e.parent()?.join("schemas")));
    match beside_exe {
        Some(dir) if dir.join("en16931").is_dir() => dir,
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas"),
    }
}

/// Where the tools and schemas are.
#[derive(Debug, Clone)]
pub struct Validator {
    pub xmllint: PathBuf,
    pub java: PathBuf,
    pub saxon_jar: PathBuf,
    /// The folder holding `maindoc/UBL-Invoice-2.1.xsd` (installed by setup).
    pub ubl_xsd_dir: PathBuf,
    /// `einvoice/schemas` (CII XSD and the EN 16931 XSLT).
    pub schemas_dir: PathBuf,
}

impl Validator {
    /// The usual places: the tools on `PATH`, Debian's Saxon jar, the UBL
    /// schemas under `native_dir`, and this crate's `schemas/`. `None`, with
    /// what is missing, when something is not there.
    pub fn locate(native_dir: &Path) -> Result<Validator, String> {
        let validator = Validator {
            xmllint: PathBuf::from("xmllint"),
            java: PathBuf::from("java"),
            saxon_jar: PathBuf::from("/usr/share/java/Saxon-HE.jar"),
            ubl_xsd_dir: native_dir.join("ubl-2.1"),
            schemas_dir: schemas_dir(),
        };
        let runs = |program: &Path, arg: &str| {
            Command::new(program).arg(arg).output().is_ok_and(|o| o.status.success())
        };
        let mut missing = Vec::new();
        if !runs(&validator.xmllint, "--version") {
            missing.push("xmllint (apt-get install libxml2-utils)".to_string());
        }
        if !runs(&validator.java, "-version") {
            missing.push("java (apt-get install default-jre-headless)".to_string());
        }
        for file in [
            validator.saxon_jar.clone(),
            validator.ubl_xsd_dir.join("maindoc/UBL-Invoice-2.1.xsd"),
            validator.schemas_dir.join("en16931/EN16931-CII-validation.xslt"),
        ] {
            if !file.is_file() {
                missing.push(file.display().to_string());
            }
        }
        if missing.is_empty() {
            Ok(validator)
        } else {
            Err(format!(
                "cannot validate XML, missing: {} (run scripts/setup.sh)",
                missing.join(", ")
            ))
        }
    }

    /// The XSD and schematron findings for one document of `syntax` (`cii`,
    /// `cii-zf1`, `ubl`) whose root is `root` (`Invoice`, `CreditNote`, ...).
    pub fn validate(&self, xml: &[u8], syntax: &str, root: &str) -> Vec<String> {
        let (xsd, xslt) = match syntax {
            "ubl" => (
                self.ubl_xsd_dir.join(format!("maindoc/UBL-{root}-2.1.xsd")),
                self.schemas_dir.join("en16931/EN16931-UBL-validation.xslt"),
            ),
            "cii" => (
                self.schemas_dir
                    .join("cii-d16b/CII/uncefact/data/standard/CrossIndustryInvoice_100pD16B.xsd"),
                self.schemas_dir.join("en16931/EN16931-CII-validation.xslt"),
            ),
            other => return vec![format!("not validated: no official schema for {other}")],
        };
        let file = match write_temp(xml) {
            Ok(file) => file,
            Err(e) => return vec![format!("not validated: {e}")],
        };
        let mut warnings = self.xsd(&xsd, file.path());
        warnings.extend(self.schematron(&xslt, file.path()));
        warnings
    }

    fn xsd(&self, xsd: &Path, file: &Path) -> Vec<String> {
        let out = Command::new(&self.xmllint)
            .arg("--noout")
            .arg("--nonet")
            .arg("--schema")
            .arg(xsd)
            .arg(file)
            .output();
        match out {
            Ok(o) if o.status.success() => Vec::new(),
            Ok(o) => String::from_utf8_lossy(&o.stderr)
                .lines()
                .filter(|l| !l.ends_with("fails to validate") && !l.trim().is_empty())
                .map(|l| {
                    // "FILE:LINE: element X: Schemas validity error : ..." → "XSD: line LINE: element X: ..."
                    let l = l.strip_prefix(&format!("{}:", file.display())).unwrap_or(l);
                    format!("XSD: line {}", l.replace(" Schemas validity error :", ""))
                })
                .collect(),
            Err(e) => vec![format!("XSD not checked: cannot run xmllint ({e})")],
        }
    }

    fn schematron(&self, xslt: &Path, file: &Path) -> Vec<String> {
        let out = Command::new(&self.java)
            .arg("-cp")
            .arg(&self.saxon_jar)
            .arg("net.sf.saxon.Transform")
            .arg(format!("-s:{}", file.display()))
            .arg(format!("-xsl:{}", xslt.display()))
            .output();
        let out = match out {
            Ok(o) if o.status.success() => o.stdout,
            Ok(o) => {
                let why = String::from_utf8_lossy(&o.stderr);
                return vec![format!(
                    "schematron not checked: {}",
                    why.lines().next().unwrap_or("Saxon failed")
                )];
            }
            Err(e) => return vec![format!("schematron not checked: cannot run java ({e})")],
        };
        failed_asserts(&String::from_utf8_lossy(&out))
    }
}

/// The failed assertions of an SVRL report, as `"BR-CO-15 (fatal): text"`.
pub fn failed_asserts(svrl: &str) -> Vec<String> {
    let Ok(doc) = Document::parse(svrl) else {
        return vec!["schematron not checked: Saxon's report is not XML".into()];
    };
    doc.descendants()
        .filter(|n| n.is_element() && n.tag_name().name() == "failed-assert")
        .map(|n| {
            let id = n.attribute("id").unwrap_or("?");
            let flag = n.attribute("flag").unwrap_or("error");
            let text = n
                .descendants()
                .find(|t| t.is_element() && t.tag_name().name() == "text")
                .and_then(crate::xml::text)
                .unwrap_or_default();
            format!("{id} ({flag}): {text}")
        })
        .collect()
}

/// A temporary file holding `xml`, removed when dropped.
fn write_temp(xml: &[u8]) -> std::io::Result<tempfile::NamedTempFile> {
    let mut file = tempfile::Builder::new().prefix("invex-xml-").suffix(".xml").tempfile()?;
    std::io::Write::write_all(&mut file, xml)?;
    Ok(file)
}
