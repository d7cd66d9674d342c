//! The official PEPPOL BIS Billing 3.0 validation in the tests: OpenPEPPOL's
//! `CEN-EN16931-UBL.sch` and `PEPPOL-EN16931-UBL.sch`, compiled to XSLT by
//! SchXslt (`exporters/schemas/peppol-bis3/`, see its README) and run by
//! Saxon-HE (Debian `libsaxonhe-java`, installed by `scripts/setup.sh`).
//!
//! Saxon compiles a stylesheet on every start (3–4 s), so a whole folder of
//! documents is validated in one run per stylesheet.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The compiled rule sets, in the order they are run.
pub const STYLESHEETS: [&str; 2] = ["CEN-EN16931-UBL.xslt", "PEPPOL-EN16931-UBL.xslt"];

/// Debian's Saxon-HE.
const SAXON_JAR: &str = "/usr/share/java/Saxon-HE.jar";

/// One failed assertion: the rule id, its flag (`fatal` or `warning`), and
/// its text.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub file: String,
    pub id: String,
    pub flag: String,
    pub text: String,
}

fn schemas() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/peppol-bis3")
}

/// Runs both rule sets over every `.xml` file in `dir`; the failed
/// assertions of all of them. Panics with what to install when Saxon or
/// Java is missing: a validation that cannot run must not pass.
pub fn validate_dir(dir: &Path) -> Vec<Finding> {
    assert!(
        Path::new(SAXON_JAR).is_file(),
        "{SAXON_JAR} is missing: run scripts/setup.sh (apt-get install libsaxonhe-java default-jre-headless)"
    );
    let mut findings = Vec::new();
    for sheet in STYLESHEETS {
        let out = dir.join(format!("svrl-{sheet}"));
        std::fs::create_dir_all(&out).expect("SVRL folder");
        let run = Command::new("java")
            .arg("-cp")
            .arg(SAXON_JAR)
            .arg("net.sf.saxon.Transform")
            .arg(format!("-s:{}", dir.display()))
            .arg(format!("-xsl:{}", schemas().join(sheet).display()))
            .arg(format!("-o:{}", out.display()))
            .output()
            .expect("java runs (apt-get install default-jre-headless)");
        assert!(
            run.status.success(),
            "Saxon failed on {sheet}: {}",
            String::from_utf8_lossy(&run.stderr)
        );
        let mut reports: Vec<_> = std::fs::read_dir(&out)
            .expect("SVRL folder")
            .map(|e| e.expect("entry").path())
            .collect();
        reports.sort();
        for report in reports {
            let svrl = std::fs::read_to_string(&report).expect("SVRL report");
            let file = report.file_name().unwrap_or_default().to_string_lossy().into_owned();
            findings.extend(failed_asserts(&svrl).into_iter().map(|(id, flag, text)| Finding {
                file: file.clone(),
                id,
                flag,
                text,
            }));
        }
    }
    findings
}

/// The `svrl:failed-assert`s of one report as (id, flag, text).
fn failed_asserts(svrl: &str) -> Vec<(String, String, String)> {
    let doc = roxmltree::Document::parse(svrl).expect("Saxon's SVRL report is XML");
    doc.descendants()
        .filter(|n| n.is_element() && n.tag_name().name() == "failed-assert")
        .map(|n| {
            let text = n
                .descendants()
                .find(|t| t.is_element() && t.tag_name().name() == "text")
                .and_then(|t| t.text())
                .unwrap_or_default()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            let attr = |name| n.attribute(name).unwrap_or("?").to_string();
            (attr("id"), attr("flag"), text)
        })
        .collect()
}
