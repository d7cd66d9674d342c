//! `invex export` end to end: generate invoices, extract them, export to each
//! format and read the result back (SIE parsed and balanced, PEPPOL against
//! the UBL 2.1 XSD and the SE-R/EN 16931 rules, CSV/Parquet row counts).

use std::fs;
use std::path::Path;

use invex_exporters::peppol::{Flag, check_xml, xsd};
use invex_exporters::sie::parse::parse_bytes;
use rust_decimal::Decimal;

use crate::*;

const TENANT: &str = r#"
[company]
name = "Köpare & Söner AB"
org_nr = "556677-8899"
buyer_reference = "Ekonomi"
[exchange_rates]
EUR = "11.50"
USD = "10.40"
"#;

/// Generates and extracts 12 invoices, then appends a failed prediction and
/// an unreadable line, so every export also has something to skip.
fn predictions(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf, usize) {
    let data = dir.join("data");
    generate(&data, 12, 61);
    let results = dir.join("results.jsonl");
    let out = extract(&[&data], &results);
    assert!(out.status.success(), "extract: {}", stderr(&out));
    let mut text = fs::read_to_string(&results).expect("results");
    text.push_str(r#"{"file": "bad.pdf", "status": "failed", "error": "the PDF is encrypted and needs a password", "error_type": "encrypted", "fields": {}}"#);
    text.push_str("\nnot json\n");
    fs::write(&results, text).expect("append");
    let tenant = dir.join("tenant.toml");
    fs::write(&tenant, TENANT).expect("tenant");
    (results, tenant, 14)
}

/// Runs `invex export`, returns (exported, skipped) from its summary line.
fn export(
    results: &Path,
    tenant: &Path,
    to: &str,
    output: &Path,
    extra: &[&str],
) -> (usize, usize) {
    let out = run(invex()
        .args(["export", "--to", to, "--config"])
        .arg(tenant)
        .arg("--output")
        .arg(output)
        .args(extra)
        .arg(results));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let err = stderr(&out);
    let summary = stdout
        .lines()
        .find(|l| l.starts_with("exported "))
        .unwrap_or_else(|| panic!("{stdout}{err}"));
    let words: Vec<&str> = summary.split_whitespace().collect();
    let exported: usize = words[1].parse().expect("exported count");
    let read: usize = words[3].parse().expect("read count");
    let skipped: usize = words[words.len() - 2].parse().expect("skipped count");
    assert_eq!(exported + skipped, read, "{summary}");
    assert_eq!(out.status.code(), Some(if skipped == 0 { 0 } else { 1 }), "{summary}\n{err}");
    assert!(err.contains("skipped bad.pdf: extraction failed: the PDF is encrypted"), "{err}");
    assert!(err.contains("skipped line 14: "), "{err}");
    assert_eq!(err.lines().filter(|l| l.starts_with("skipped ")).count(), skipped, "{err}");
    (exported, skipped)
}

#[test]
fn sie_export_reads_back_balanced() {
    let dir = tempdir();
    let (results, tenant, lines) = predictions(dir.path());
    let path = dir.path().join("out.si");
    let (exported, skipped) = export(&results, &tenant, "sie", &path, &["--include-unreviewed"]);
    assert_eq!(exported + skipped, lines);
    assert!(exported >= 10, "most generated invoices book: {exported}");
    let file = parse_bytes(&fs::read(&path).expect("sie written")).expect("parses");
    assert_eq!(file.format.as_deref(), Some("PC8"));
    assert_eq!(file.sietyp.as_deref(), Some("4"));
    assert_eq!(file.fnamn.as_deref(), Some("Köpare & Söner AB"));
    assert_eq!(file.orgnr.as_deref(), Some("556677-8899"));
    assert_eq!(file.vouchers.len(), exported);
    for v in &file.vouchers {
        assert_eq!(v.balance(), Decimal::ZERO, "{} balances", v.text);
        assert!(v.transactions.iter().any(|t| t.account == 2440), "{} has a payable row", v.text);
        for t in &v.transactions {
            assert!(file.konto.contains_key(&t.account), "#KONTO {}", t.account);
        }
    }
}

#[test]
fn peppol_export_is_valid_ubl() {
    let dir = tempdir();
    let (results, tenant, _) = predictions(dir.path());
    let out = dir.path().join("peppol");
    let (exported, _) = export(&results, &tenant, "peppol", &out, &["--include-unreviewed"]);
    let files: Vec<_> =
        fs::read_dir(&out).expect("folder").map(|e| e.expect("entry").path()).collect();
    assert_eq!(files.len(), exported);
    assert!(exported >= 10, "{exported}");
    for path in &files {
        xsd::validate(path, &xsd::schema_dir()).unwrap_or_else(|e| panic!("{e}"));
        let xml = fs::read_to_string(path).expect("xml");
        let fatal: Vec<_> = check_xml(&xml).into_iter().filter(|v| v.flag == Flag::Fatal).collect();
        assert!(fatal.is_empty(), "{}: {fatal:?}", path.display());
        assert!(xml.contains("<cbc:EndpointID schemeID=\"0007\">5566778899</cbc:EndpointID>"));
    }
}

#[test]
fn csv_and_parquet_exports_have_a_row_per_invoice() {
    let dir = tempdir();
    let (results, tenant, _) = predictions(dir.path());
    let csv = dir.path().join("out.csv");
    let (exported, _) = export(&results, &tenant, "csv", &csv, &[]);
    let text = fs::read_to_string(&csv).expect("csv");
    assert_eq!(text.lines().count(), exported + 1, "header + one row per invoice");
    assert!(text.starts_with("source,invoice_number,document_type,invoice_date,"), "{text}");
    let lines_csv = dir.path().join("lines.csv");
    export(&results, &tenant, "csv", &lines_csv, &["--lines"]);
    let lines = fs::read_to_string(&lines_csv).expect("lines csv");
    assert!(lines.lines().count() > exported, "line items: {}", lines.lines().count());
    let parquet = dir.path().join("out.parquet");
    export(&results, &tenant, "parquet", &parquet, &[]);
    assert!(fs::read(&parquet).expect("parquet").starts_with(b"PAR1"));
}

/// An invoice that still needs review is not exported unless asked for:
/// it is skipped with its reasons, and `--include-unreviewed` takes it.
#[test]
fn unreviewed_invoices_are_skipped_with_the_reason_unless_included() {
    let dir = tempdir();
    let (results, tenant, _) = predictions(dir.path());
    // Make the first readable invoice unsure in every field.
    let text = fs::read_to_string(&results).expect("results");
    let mut unsure = None;
    let lines: Vec<String> = text
        .lines()
        .map(|line| {
            let Ok(mut json) = serde_json::from_str::<serde_json::Value>(line) else {
                return line.to_string();
            };
            if unsure.is_none() && json["status"] == "ok" {
                unsure = json["file"].as_str().map(str::to_string);
                for field in json["fields"].as_object_mut().expect("fields").values_mut() {
                    field["confidence"] = serde_json::json!(0.05);
                }
            }
            json.to_string()
        })
        .collect();
    fs::write(&results, lines.join("\n") + "\n").expect("write");
    let unsure = unsure.expect("an invoice");
    let sie = dir.path().join("out.se");
    let out = run(invex()
        .args(["export", "--to", "sie", "--config"])
        .arg(&tenant)
        .arg("--output")
        .arg(&sie)
        .arg(&results));
    let err = stderr(&out);
    let line = err.lines().find(|l| l.contains(&unsure)).unwrap_or_else(|| panic!("{err}"));
    assert!(line.contains("needs review") && line.contains("--include-unreviewed"), "{line}");
    let (with, _) = export(&results, &tenant, "sie", &sie, &["--include-unreviewed"]);
    let without = parse_bytes(&fs::read(&sie).expect("sie")).expect("parses").vouchers.len();
    assert_eq!(with, without, "the file holds what was exported");
    assert!(
        !stderr(&run(invex()
            .args(["export", "--to", "sie", "--include-unreviewed", "--config"])
            .arg(&tenant)
            .arg("--output")
            .arg(&sie)
            .arg(&results)))
        .contains(&format!("skipped {unsure}"))
    );
}
