//! E-invoices in (issue 13): the public test-suite instances and ZUGFeRD /
//! Factur-X PDFs of `tests/fixtures/einvoice` (see its PROVENANCE.md),
//! checked field by field against an independent reader
//! (`reference_reader.py`, Python's standard library, written from
//! `einvoice/MAPPING.md` alone); the cross-check with the page on PDFs whose
//! XML was edited; hostile and non-invoice XML through the binary.

use std::collections::BTreeMap;
use std::fs;
use std::process::Command;

use invex_domain::{FieldName, Value as FieldValue};
use invex_einvoice::XmlInvoiceReader;
use invex_pipeline::pdf::replace_attachment;
use invex_pipeline::{EInvoiceStage, Pipeline, RulesExtractor};
use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::*;

fn fixtures() -> PathBuf {
    repo().join("tests/fixtures/einvoice")
}

/// Every XML fixture that is an invoice: the test suites and the XML
/// embedded in the PDFs.
fn invoice_xml_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut dirs = vec![fixtures()];
    while let Some(dir) = dirs.pop() {
        for entry in fs::read_dir(&dir).expect("fixtures").flatten() {
            let path = entry.path();
            if path.is_dir() && !path.ends_with("not_invoice") && !path.ends_with("LICENSES") {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "xml") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

fn zugferd_pdfs() -> Vec<PathBuf> {
    let mut pdfs: Vec<PathBuf> = fs::read_dir(fixtures().join("zugferd"))
        .expect("zugferd fixtures")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
        .collect();
    pdfs.sort();
    pdfs
}

/// The independent reader's output, one JSON object per file.
fn reference(files: &[PathBuf]) -> Vec<Value> {
    let out = Command::new("python3")
        .arg(fixtures().join("reference_reader.py"))
        .args(files)
        .output()
        .expect("python3 runs the reference reader");
    assert!(
        out.status.success(),
        "reference reader failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("utf-8")
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect()
}

/// A decimal as the reference reader writes it (`19.00` → `19`).
fn dec(d: Decimal) -> String {
    d.normalize().to_string()
}

/// Our field value in the reference reader's JSON form.
fn as_reference(value: &FieldValue) -> Value {
    match value {
        FieldValue::Amount(a) => json!(dec(*a)),
        FieldValue::Bool(b) => json!(b),
        other => json!(other.to_string()),
    }
}

fn opt_dec(d: Option<Decimal>) -> Value {
    d.map_or(Value::Null, |d| json!(dec(d)))
}

/// Every mapped field, the VAT breakdown, the line items, the preceding
/// invoices and the profile, as the reference reader's JSON.
fn ours_as_reference(invoice: &invex_domain::Invoice) -> Value {
    let fields: serde_json::Map<String, Value> = invoice
        .fields
        .iter()
        .map(|(n, f)| (n.as_str().to_string(), as_reference(&f.value)))
        .collect();
    let info = invoice.e_invoice.clone().unwrap_or_default();
    let vat: Vec<Value> = invoice
        .vat_breakdown
        .iter()
        .map(|v| {
            json!({"rate": dec(v.rate), "base": opt_dec(v.base), "amount": dec(v.amount),
                   "category": v.category, "exemption_reason": v.exemption_reason})
        })
        .collect();
    let lines: Vec<Value> = invoice
        .line_items
        .iter()
        .map(|l| {
            json!({"description": l.description, "quantity": opt_dec(l.quantity), "unit": l.unit,
                   "unit_price": opt_dec(l.unit_price), "vat_rate": opt_dec(l.vat_rate), "amount": opt_dec(l.amount)})
        })
        .collect();
    json!({"syntax": info.syntax, "fields": fields, "profile": info.profile,
           "preceding_invoices": info.preceding_invoices, "vat_breakdown": vat, "line_items": lines})
}

/// The reference reader's record in the same shape (a VAT entry without
/// amount or base is not a breakdown line for us; a missing amount is 0).
fn reference_shape(r: &Value) -> Value {
    let vat: Vec<Value> = r["vat_breakdown"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| !(v["amount"].is_null() && v["base"].is_null()))
        .map(|v| {
            let mut v = v.clone();
            if v["amount"].is_null() {
                v["amount"] = json!("0");
            }
            v
        })
        .collect();
    json!({"syntax": r["syntax"], "fields": r["fields"], "profile": r["profile"],
           "preceding_invoices": r["preceding_invoices"], "vat_breakdown": vat, "line_items": r["line_items"]})
}

#[test]
fn every_test_suite_instance_maps_as_the_independent_reader_reads_it() {
    let files = invoice_xml_files();
    assert!(files.len() >= 70, "only {} XML fixtures", files.len());
    let reader = XmlInvoiceReader::default();
    let mut syntaxes = BTreeMap::new();
    let mut compared = 0;
    for (file, theirs) in files.iter().zip(reference(&files)) {
        let name = file.strip_prefix(fixtures()).unwrap().display().to_string();
        assert!(theirs.get("error").is_none(), "{name}: reference reader: {theirs}");
        let invoice =
            reader.read(&fs::read(file).unwrap()).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        let ours = ours_as_reference(&invoice);
        let theirs = reference_shape(&theirs);
        for key in ["syntax", "profile", "preceding_invoices", "vat_breakdown", "line_items"] {
            assert_eq!(ours[key], theirs[key], "{name}: {key}");
        }
        let all: std::collections::BTreeSet<&String> = ours["fields"]
            .as_object()
            .unwrap()
            .keys()
            .chain(theirs["fields"].as_object().unwrap().keys())
            .collect();
        for field in all {
            assert_eq!(ours["fields"][field], theirs["fields"][field], "{name}: {field}");
            compared += 1;
        }
        // Every field says where in the XML it was read.
        for (field, f) in &invoice.fields {
            assert_eq!(f.source, invex_domain::Source::EInvoice, "{name}: {field}");
            assert!(f.xml_path.as_deref().is_some_and(|p| p.starts_with('/')), "{name}: {field}");
        }
        *syntaxes.entry(ours["syntax"].as_str().unwrap().to_string()).or_insert(0) += 1;
    }
    assert!(compared > 1000, "only {compared} field values compared");
    for syntax in ["cii", "cii-zf1", "ubl"] {
        assert!(syntaxes.contains_key(syntax), "no {syntax} fixture: {syntaxes:?}");
    }
}

fn pipeline(trust_xml: bool) -> Pipeline {
    let stage = EInvoiceStage { reader: Box::new(XmlInvoiceReader::default()), trust_xml };
    Pipeline::new(Box::new(pdfium()), Box::new(RulesExtractor::new()), 200 << 20)
        .with_e_invoice(stage)
}

/// Public samples whose XML and page really disagree: mustang's XRechnung
/// sample prints invoice RE-20200620/508 of 2020-06-20 while its XML is
/// RE-20190610/507 of 2019-06-10.
const KNOWN_MISMATCHES: &[(&str, &[&str])] =
    &[("mustang_xrechnung_cii_re507.pdf", &["invoice_number", "invoice_date"])];

#[test]
fn zugferd_pdfs_give_every_field_from_the_xml_and_agree_with_their_page() {
    let pdfs = zugferd_pdfs();
    assert!(pdfs.len() >= 5);
    let embedded: Vec<PathBuf> = pdfs.iter().map(|p| p.with_extension("embedded.xml")).collect();
    let pipeline = pipeline(false);
    for ((pdf, xml), theirs) in pdfs.iter().zip(&embedded).zip(reference(&embedded)) {
        let name = pdf.file_name().unwrap().to_string_lossy().to_string();
        // The fixture's .embedded.xml is the PDF's attachment, byte for byte.
        let attachments =
            invex_domain::DocumentReader::attachments(&pdfium(), &fs::read(pdf).unwrap()).unwrap();
        let shipped = fs::read(xml).unwrap();
        assert!(attachments.iter().any(|a| a.bytes == shipped), "{name}: its XML is not attached");
        let prediction = pipeline.process_file(pdf);
        assert_eq!(prediction.error, None, "{name}");
        let invoice = &prediction.invoice;
        let info =
            invoice.e_invoice.as_ref().unwrap_or_else(|| panic!("{name}: no e-invoice found"));
        assert!(info.page_checked, "{name}");
        let flagged: Vec<&str> = info.mismatches.iter().map(|m| m.field.as_str()).collect();
        let known = KNOWN_MISMATCHES.iter().find(|(n, _)| *n == name).map_or(&[][..], |(_, f)| *f);
        assert_eq!(flagged, known, "{name}: {:?}", info.mismatches);
        // The XML found is the one shipped beside the PDF, and every value it has is taken, exactly.
        for (field, value) in theirs["fields"].as_object().unwrap() {
            let f = invoice
                .get(FieldName::parse(field).unwrap())
                .unwrap_or_else(|| panic!("{name}: {field}"));
            assert_eq!(&as_reference(&f.value), value, "{name}: {field}");
            assert_eq!(f.source, invex_domain::Source::EInvoice, "{name}: {field}");
        }
    }
}

#[test]
fn an_edited_xml_is_flagged_on_exactly_the_edited_fields() {
    let pdf = fixtures().join("zugferd/akretion_en16931_f20260023.pdf");
    let bytes = fs::read(&pdf).unwrap();
    let xml = fs::read_to_string(pdf.with_extension("embedded.xml")).unwrap();
    let reader = pdfium();
    let pipeline = pipeline(false);
    let original = pipeline.process_bytes("original.pdf".into(), &bytes).invoice;
    let total = original.amount(FieldName::TotalAmount).unwrap();
    let number = original.text(FieldName::InvoiceNumber).unwrap().to_string();
    // (what is edited, the edit, the fields flagged)
    let edited_total = format!("{}", total + Decimal::from(330));
    type Edits = Vec<(String, String)>;
    let cases: Vec<(&str, Edits, Vec<&str>)> = vec![
        ("nothing", vec![], vec![]),
        (
            "the total",
            vec![(
                format!("<ram:GrandTotalAmount>{total}<"),
                format!("<ram:GrandTotalAmount>{edited_total}<"),
            )],
            vec!["total_amount"],
        ),
        (
            "the number and the total",
            vec![
                (format!("<ram:ID>{number}</ram:ID>"), "<ram:ID>F20269999</ram:ID>".to_string()),
                (
                    format!("<ram:GrandTotalAmount>{total}<"),
                    format!("<ram:GrandTotalAmount>{edited_total}<"),
                ),
            ],
            vec!["invoice_number", "total_amount"],
        ),
    ];
    for (case, edits, flagged) in cases {
        let mut edited = xml.clone();
        for (from, to) in &edits {
            assert!(edited.contains(from.as_str()), "{case}: {from} not in the XML");
            edited = edited.replacen(from.as_str(), to, 1);
        }
        let pdf_bytes =
            replace_attachment(&reader, &bytes, "factur-x.xml", edited.as_bytes()).expect("edit");
        let prediction = pipeline.process_bytes(format!("{case}.pdf"), &pdf_bytes);
        let info = prediction.invoice.e_invoice.as_ref().unwrap();
        let got: Vec<&str> = info.mismatches.iter().map(|m| m.field.as_str()).collect();
        assert_eq!(got, flagged, "{case}");
        let failed = invex_domain::service::review::failed_checks(&prediction.invoice);
        for m in &info.mismatches {
            assert!(failed.contains(&m.to_string()), "{case}: {m} not a failed check: {failed:?}");
        }
        let status = invex_domain::service::review::status_after_extraction(&prediction.invoice);
        if !flagged.is_empty() {
            assert_eq!(
                status,
                invex_domain::service::records::InvoiceStatus::NeedsReview,
                "{case}"
            );
            let json = prediction.to_json();
            let message =
                json["e_invoice"]["mismatches"][0]["message"].as_str().unwrap().to_string();
            assert!(message.starts_with("the XML says"), "{case}: {message}");
        }
    }
}

#[test]
fn trust_xml_skips_the_page_and_reads_the_same_fields() {
    let pdf = fixtures().join("zugferd/horstoeko_en16931_elektron.pdf");
    let checked = pipeline(false).process_file(&pdf).invoice;
    let trusted = pipeline(true).process_file(&pdf).invoice;
    let info = trusted.e_invoice.as_ref().unwrap();
    assert!(!info.page_checked);
    assert_eq!(info.attachment.as_deref().map(str::to_lowercase).as_deref(), Some("factur-x.xml"));
    for (name, field) in &trusted.fields {
        assert_eq!(Some(&field.value), checked.get(*name).map(|f| &f.value), "{name}");
    }
}

#[test]
fn the_binary_reads_xml_files_and_refuses_hostile_or_non_invoice_xml_one_by_one() {
    let dir = tempdir();
    let cases = [
        ("peppol.xml", fs::read(fixtures().join("peppol/se_invoice_max.xml")).unwrap(), "ok"),
        ("order.xml", fs::read(fixtures().join("not_invoice/orderx_comfort_ex01.xml")).unwrap(), "not_an_invoice"),
        (
            "laughs.xml",
            br#"<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><Invoice>&b;</Invoice>"#.to_vec(),
            "unsafe_xml",
        ),
        ("broken.xml", b"<Invoice xmlns='urn:oasis:names:specification:ubl:schema:xsd:Invoice-2'><ID>1</Invoice>".to_vec(), "invalid_xml"),
        ("cii.xml", fs::read(fixtures().join("en16931/cii/example1.xml")).unwrap_or_default(), "ok"),
    ];
    for (name, bytes, _) in &cases {
        fs::write(dir.path().join(name), bytes).unwrap();
    }
    let out_path = dir.path().join("out.jsonl");
    let out = extract(&[dir.path()], &out_path);
    assert!(out.status.success() || out.status.code() == Some(1), "{}", stderr(&out));
    let preds = read_jsonl(&out_path);
    assert_eq!(preds.len(), cases.len(), "a folder picks up .xml files");
    for (name, _, expected) in cases {
        let p = preds.iter().find(|p| p["file"].as_str().unwrap().ends_with(name)).unwrap();
        let got = if p["status"] == "ok" { "ok" } else { p["error_type"].as_str().unwrap() };
        assert_eq!(got, expected, "{name}: {p}");
        if expected == "ok" {
            assert_eq!(p["fields"]["invoice_number"]["source"], "e-invoice", "{name}");
            assert!(p["fields"]["total_amount"]["xml_path"].as_str().is_some(), "{name}");
        } else {
            assert!(p["error"].as_str().is_some_and(|e| !e.is_empty()), "{name}: {p}");
        }
    }
    let peppol =
        preds.iter().find(|p| p["file"].as_str().unwrap().ends_with("peppol.xml")).unwrap();
    assert_eq!(peppol["fields"]["bankgiro"]["value"], "1112222", "Swedish PEPPOL Bankgiro");
    assert_eq!(peppol["fields"]["supplier_f_skatt"]["value"], true);
}

#[test]
fn the_official_xsd_and_schematron_findings_are_warnings() {
    let validator =
        invex_einvoice::Validator::locate(&repo().join(".native")).expect("run scripts/setup.sh");
    let reader = XmlInvoiceReader::default().with_validator(validator);
    let cii = fs::read_to_string(fixtures().join("en16931/cii/example1.xml")).unwrap();
    let ubl = fs::read_to_string(fixtures().join("peppol/se_invoice_max.xml")).unwrap();
    let total =
        cii.split("<ram:GrandTotalAmount>").nth(1).unwrap().split('<').next().unwrap().to_string();
    // (case, document, a warning each expected finding starts with)
    let cases: Vec<(&str, String, Vec<&str>)> = vec![
        ("valid CII", cii.clone(), vec![]),
        ("valid UBL", ubl.clone(), vec![]),
        (
            "a total that does not add up",
            cii.replacen(
                &format!("<ram:GrandTotalAmount>{total}<"),
                "<ram:GrandTotalAmount>1.00<",
                1,
            ),
            vec!["BR-CO-15: ", "BR-CO-15 (fatal): ", "BR-CO-16 (fatal): "],
        ),
        (
            "an element the schema does not know",
            ubl.replacen(
                "<cbc:BuyerReference>",
                "<cbc:Nonsense>x</cbc:Nonsense><cbc:BuyerReference>",
                1,
            ),
            vec!["XSD: line "],
        ),
    ];
    for (case, xml, expected) in cases {
        let invoice = reader.read(xml.as_bytes()).unwrap_or_else(|e| panic!("{case}: {e:?}"));
        let warnings = invoice.e_invoice.unwrap().warnings;
        assert_eq!(warnings.len(), expected.len(), "{case}: {warnings:#?}");
        for (warning, prefix) in warnings.iter().zip(&expected) {
            assert!(warning.starts_with(prefix), "{case}: {warning}");
        }
        // Findings never stop the XML being read.
        assert!(invoice.fields.contains_key(&FieldName::TotalAmount), "{case}");
    }
}

#[test]
fn weak_labels_from_e_invoice_pdfs_become_training_data() {
    let dir = tempdir();
    let out = dir.path().join("weak");
    let result = run(invex()
        .args(["dataset", "weak-labels"])
        .arg(fixtures().join("zugferd"))
        .arg("--out")
        .arg(&out));
    assert!(result.status.success(), "{}", stderr(&result));
    for pdf in zugferd_pdfs() {
        let stem = pdf.file_stem().unwrap().to_string_lossy().to_string();
        let truth_path = out.join(format!("{stem}.truth.json"));
        if KNOWN_MISMATCHES.iter().any(|(n, _)| n.starts_with(&stem)) {
            assert!(!truth_path.exists(), "{stem}: its XML is not its page's truth");
            assert!(
                stderr(&result).contains(&format!("skipped {}", pdf.display())),
                "{}",
                stderr(&result)
            );
            continue;
        }
        let truth: Value = serde_json::from_slice(&fs::read(&truth_path).unwrap()).unwrap();
        let labels: Vec<&str> = truth["words"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["label"].as_str().unwrap())
            .collect();
        // Every e-invoice prints its number and total; their words carry the XML's labels.
        for field in ["INVOICE_NUMBER", "TOTAL_AMOUNT"] {
            assert!(
                labels.contains(&format!("B-{field}").as_str()),
                "{stem}: no {field} in {labels:?}"
            );
        }
        // A labelled word is a word of the page with the value's text.
        let total = truth["fields"]["total_amount"].as_f64().unwrap();
        let words: String = truth["words"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|w| w["label"].as_str().unwrap().ends_with("TOTAL_AMOUNT"))
            .map(|w| w["text"].as_str().unwrap())
            .collect();
        let digits: String = words.chars().filter(char::is_ascii_digit).collect();
        let expected: String = format!("{total:.2}").chars().filter(char::is_ascii_digit).collect();
        assert_eq!(digits, expected, "{stem}: total words {words}");
    }
    let tokens = dir.path().join("tokens.jsonl");
    let result = run(invex().args(["dataset", "tokens"]).arg(&out).arg("-o").arg(&tokens));
    assert!(result.status.success(), "{}", stderr(&result));
    let docs = read_jsonl(&tokens);
    assert_eq!(docs.len(), zugferd_pdfs().len() - KNOWN_MISMATCHES.len());
    assert!(
        docs.iter().all(|d| d["labels"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l == "B-INVOICE_NUMBER"))
    );
}

#[test]
fn batches_read_e_invoices_alone_and_the_rest_together_with_the_same_results() {
    let mut files: Vec<PathBuf> = zugferd_pdfs();
    files.push(fixtures().join("peppol/se_invoice_max.xml"));
    files.push(fixtures().join("not_invoice/orderx_comfort_ex01.xml"));
    files.extend(
        ["inv-00000.pdf", "inv-00001.pdf", "inv-00002.pdf"].map(|f| repo().join("samples").join(f)),
    );
    files.push(repo().join("Cargo.toml"));
    let one_by_one: Vec<Value> =
        files.iter().map(|f| pipeline(false).process_file(f).to_json()).collect();
    let batched = pipeline(false).with_batch_size(4).process_files(&files);
    assert_eq!(batched.len(), files.len());
    for (single, batch) in one_by_one.iter().zip(&batched) {
        assert_eq!(single, &batch.to_json(), "{}", batch.file);
    }
    assert!(batched.iter().any(|p| p.invoice.e_invoice.is_some()));
    assert!(batched.iter().any(|p| p.invoice.e_invoice.is_none() && p.error.is_none()));
}
