//! `invex dataset weak-labels`: layout-model training data from real
//! e-invoice PDFs. The embedded XML says what each field is; where its value
//! is printed on the page (the cross-check's `locate_on_page`), those words
//! get the field's label. The output folder holds each PDF beside a
//! `*.truth.json` in the generator's format, so `invex dataset tokens DIR`
//! turns it into training data exactly as it does a generated folder.
//!
//! Weak: a field is labelled only where its value is found, the first place
//! it is found (a number printed twice is labelled once); words that two
//! fields' values both point at (an invoice number that is also the payment
//! reference) go to the field listed first (`FieldName::ALL`'s order: number,
//! dates, amounts, parties, payment); line items are not labelled; every
//! other word is `O`.
//! A PDF whose XML number, date or total is not on its page is skipped (the
//! XML does not describe that page). Never give it the real corpus's test
//! part or a reserved file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use invex_domain::{DocumentReader, FieldName, Value};
use invex_einvoice::XmlInvoiceReader;
use invex_pipeline::EInvoiceStage;
use invex_pipeline::e_invoice::{Embedded, locate_on_page};
use serde_json::json;

use crate::cli::WeakLabelsArgs;

pub fn run(args: WeakLabelsArgs) -> Result<std::process::ExitCode> {
    let reader = super::pdf_reader()?;
    let stage = EInvoiceStage { reader: Box::new(XmlInvoiceReader::default()), trust_xml: true };
    let pdfs = pdfs(&args.inputs)?;
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    let mut labelled: BTreeMap<FieldName, usize> = BTreeMap::new();
    let (mut written, mut skipped) = (0, 0);
    for pdf in &pdfs {
        match weak_label(&reader, &stage, pdf, &args.out, &mut labelled) {
            Ok(()) => written += 1,
            Err(why) => {
                eprintln!("skipped {}: {why:#}", pdf.display());
                skipped += 1;
            }
        }
    }
    eprintln!("wrote {written} labelled PDFs to {} ({skipped} skipped)", args.out.display());
    for (field, n) in &labelled {
        eprintln!("  {:<18} labelled on {n} pages", field.as_str());
    }
    Ok(std::process::ExitCode::SUCCESS)
}

/// PDFs named directly, and those in folders (not recursive).
fn pdfs(inputs: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for input in inputs {
        if input.is_dir() {
            for entry in std::fs::read_dir(input)?.flatten() {
                let path = entry.path();
                if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("pdf")) {
                    out.push(path);
                }
            }
        } else {
            out.push(input.clone());
        }
    }
    out.sort();
    if out.is_empty() {
        bail!("no PDFs given");
    }
    Ok(out)
}

fn weak_label(
    reader: &dyn DocumentReader,
    stage: &EInvoiceStage,
    pdf: &Path,
    out: &Path,
    labelled: &mut BTreeMap<FieldName, usize>,
) -> Result<()> {
    let bytes = std::fs::read(pdf)?;
    let xml = match stage.from_attachments(reader.attachments(&bytes)?) {
        Embedded::Read(invoice) => invoice,
        Embedded::Broken { attachment, reason } => bail!("its {attachment} is unusable: {reason}"),
        Embedded::None => bail!("no e-invoice XML attached"),
    };
    let document = reader.read(&bytes)?;
    let mut fields = serde_json::Map::new();
    let mut found = Vec::new();
    for (name, field) in &xml.fields {
        fields.insert(name.as_str().into(), field.value.to_json());
        if matches!(field.value, Value::Bool(_)) {
            continue;
        }
        if let Some((page, range)) = locate_on_page(&document, &field.value) {
            found.push((*name, page, range));
        }
    }
    // An XML whose number, date or total is not on its page is not this page's truth.
    for needed in [FieldName::InvoiceNumber, FieldName::InvoiceDate, FieldName::TotalAmount] {
        if xml.get(needed).is_some() && !found.iter().any(|(n, _, _)| *n == needed) {
            bail!("its XML's {needed} is not printed on the page, so the XML does not describe it");
        }
    }
    let shared = |page: usize, range: &std::ops::Range<usize>, name: FieldName| {
        found
            .iter()
            .any(|(n, p, r)| *n < name && *p == page && r.start < range.end && range.start < r.end)
    };
    let mut words = Vec::new();
    for (name, page_index, range) in &found {
        if shared(*page_index, range, *name) {
            continue;
        }
        let page = &document.pages[*page_index];
        let label = name.as_str().to_ascii_uppercase();
        for (i, word) in page.words[range.clone()].iter().enumerate() {
            let b = word.bbox;
            let tag = if i == 0 { "B" } else { "I" };
            words.push(json!({
                "page": page.number, "text": word.text,
                "bbox": [b.x0, b.y0, b.x1, b.y1], "label": format!("{tag}-{label}"),
            }));
        }
        *labelled.entry(*name).or_default() += 1;
    }
    let stem = pdf.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let name = format!("{stem}.pdf");
    std::fs::write(out.join(&name), &bytes)?;
    let truth = json!({
        "file": name,
        "family": "einvoice-weak",
        "language": null,
        "fields": fields,
        "source": pdf.display().to_string(),
        "words": words,
    });
    std::fs::write(out.join(format!("{stem}.truth.json")), serde_json::to_string_pretty(&truth)?)?;
    Ok(())
}
