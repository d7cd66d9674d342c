//! `invex learn export`: a tenant's reviewed invoices as training data for
//! the layout model (issue 14, part 2's first step).
//!
//! A reviewed invoice is an approved one: a person has checked every field.
//! Its words are those the worker stored with the result; its values are
//! the extraction with the reviewers' corrections applied. Each value is
//! located on the page in any printed form (`locate_on_page`, as `invex
//! dataset weak-labels` does for e-invoice XML) and its words get the
//! field's BIO label, wherever it is printed; words two fields point at go
//! to the field listed first in `FieldName::ALL`. The approved line items' cells are labelled within
//! their rows (`label_lines`); every other word is `O`. A tenth of the invoices
//! (by a hash of the id, so stable between exports) is `holdout`, kept back
//! for the evaluation gate.

use std::collections::BTreeMap;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use invex_domain::service::review::apply_corrections;
use invex_domain::service::{InvoiceFilter, InvoiceRecord, InvoiceStatus, Repository};
use invex_domain::{Document, FieldName, Invoice, Page, Prediction, Value};
use invex_exporters::TableFormat;
use invex_exporters::training_table::{TrainingWord, write_training_words};
use invex_pipeline::e_invoice::locate_on_page;

use super::service::open_stores;
use crate::cli_service::LearnExportArgs;

pub fn export(args: LearnExportArgs) -> Result<ExitCode> {
    let format = TableFormat::from_path(&args.out).with_context(|| {
        format!("{}: the output must end in .parquet or .csv", args.out.display())
    })?;
    let runtime = super::service::store_runtime()?;
    let (words, summary) = runtime.block_on(async {
        let (repo, _) = open_stores(&args.store).await?;
        let tenants = match &args.tenant {
            Some(name) => match repo.tenant_by_name(name).await? {
                Some(t) => vec![t],
                None => bail!("no tenant named {name:?}"),
            },
            None => repo.tenants().await?,
        };
        let mut words = Vec::new();
        let mut summary = Summary::default();
        for tenant in &tenants {
            for record in approved(repo.as_ref(), &tenant.id).await? {
                let Some(stored) = repo.invoice_words(&tenant.id, &record.id).await? else {
                    summary.without_words += 1;
                    continue;
                };
                let document: Document = serde_json::from_str(&stored)
                    .with_context(|| format!("the stored words of invoice {}", record.id))?;
                let mut invoice = extracted(&record)?;
                apply_corrections(&mut invoice, &repo.corrections(&tenant.id, &record.id).await?);
                words.extend(label(&record, &document, &invoice, &mut summary));
                summary.invoices += 1;
            }
        }
        Ok((words, summary))
    })?;
    write_training_words(&words, &args.out, format)
        .with_context(|| format!("writing {}", args.out.display()))?;
    eprintln!(
        "wrote {} words of {} reviewed invoices to {} ({} without stored words skipped)",
        words.len(),
        summary.invoices,
        args.out.display(),
        summary.without_words,
    );
    for (field, n) in &summary.labelled {
        eprintln!("  {:<18} labelled on {n} invoices", field.as_str());
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Default)]
struct Summary {
    invoices: usize,
    without_words: usize,
    labelled: BTreeMap<FieldName, usize>,
}

/// The tenant's approved invoices, newest first.
pub(super) async fn approved(repo: &dyn Repository, tenant_id: &str) -> Result<Vec<InvoiceRecord>> {
    let mut out = Vec::new();
    let mut filter =
        InvoiceFilter { status: Some(InvoiceStatus::Done), limit: 500, ..InvoiceFilter::default() };
    loop {
        let page = repo.invoices(tenant_id, &filter).await?;
        let more = filter.next_page(&page);
        out.extend(page.into_iter().filter(|r| r.approved_by.is_some()));
        if !more {
            break;
        }
    }
    Ok(out)
}

pub(super) fn extracted(record: &InvoiceRecord) -> Result<Invoice> {
    let json =
        record.result.as_ref().with_context(|| format!("invoice {} has no result", record.id))?;
    Ok(Prediction::from_json(json)
        .with_context(|| format!("the stored result of invoice {}", record.id))?
        .invoice)
}

/// `train`, or `holdout` for about a tenth of the invoices (FNV-1a of the id).
pub(super) fn split(invoice_id: &str) -> &'static str {
    let hash = invoice_id
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
    if hash % 10 == 0 { "holdout" } else { "train" }
}

/// Every word of the document with its label.
fn label(
    record: &InvoiceRecord,
    document: &Document,
    invoice: &Invoice,
    summary: &mut Summary,
) -> Vec<TrainingWord> {
    let mut labels: Vec<Vec<String>> =
        document.pages.iter().map(|p| vec!["O".to_string(); p.words.len()]).collect();
    for name in FieldName::ALL {
        let Some(field) = invoice.get(name) else { continue };
        if matches!(field.value, Value::Bool(_)) {
            continue;
        }
        let tag = name.as_str().to_ascii_uppercase();
        let mut found = false;
        for (page, range) in locate_everywhere(document, &field.value) {
            let slots = &mut labels[page][range.clone()];
            if slots.iter().any(|l| l != "O") {
                continue;
            }
            for (i, slot) in slots.iter_mut().enumerate() {
                *slot = format!("{}-{tag}", if i == 0 { "B" } else { "I" });
            }
            found = true;
        }
        if found {
            *summary.labelled.entry(name).or_default() += 1;
        }
    }
    label_lines(document, invoice, &mut labels);
    let split = split(&record.id);
    let mut out = Vec::new();
    for (page, labels) in document.pages.iter().zip(labels) {
        for (i, (word, label)) in page.words.iter().zip(labels).enumerate() {
            let b = word.bbox;
            out.push(TrainingWord {
                invoice_id: record.id.clone(),
                file: record.file_name.clone(),
                split,
                page: page.number,
                page_width: page.width,
                page_height: page.height,
                word: i as u32,
                text: word.text.clone(),
                bbox: [b.x0, b.y0, b.x1, b.y1],
                label,
            });
        }
    }
    out
}

/// Every place `value` is printed (as `locate_on_page` finds it), at most
/// eight: a total or a supplier's name is often printed more than once,
/// and a model taught that only the first is one would unlearn the others.
fn locate_everywhere(document: &Document, value: &Value) -> Vec<(usize, std::ops::Range<usize>)> {
    let mut masked = document.clone();
    let mut hits = Vec::new();
    while hits.len() < 8 {
        let Some((page, range)) = locate_on_page(&masked, value) else { break };
        for word in &mut masked.pages[page].words[range.clone()] {
            word.text = "[masked]".into();
        }
        hits.push((page, range));
    }
    hits
}

/// Labels the reviewed line items' cells (`B-LINE_AMOUNT`, ...), each within
/// its row (the words whose middle lies in the line's box): the layout
/// model reads lines too, and an invoice whose lines were left `O` would
/// teach it to forget them. Amounts first, the description last, so that a
/// short number is not taken for part of a longer one; a cell already
/// labelled is not labelled again.
fn label_lines(document: &Document, invoice: &Invoice, labels: &mut [Vec<String>]) {
    for item in invoice.line_items.iter().filter(|l| l.kind.is_item()) {
        let (Some(number), Some(bbox)) = (item.page, item.bbox) else { continue };
        let Some(index) = document.pages.iter().position(|p| p.number == number) else { continue };
        let page = &document.pages[index];
        let row: Vec<usize> = (0..page.words.len())
            .filter(|&i| {
                let b = page.words[i].bbox;
                (bbox.y0..=bbox.y1).contains(&b.center_y())
                    && (bbox.x0..=bbox.x1).contains(&b.center_x())
            })
            .collect();
        let words = row.iter().map(|&i| page.words[i].clone()).collect();
        let cells = Document { pages: vec![Page { words, ..page.clone() }] };
        let amount = |v: Option<_>| v.map(Value::Amount);
        let text = |v: &Option<String>| v.clone().filter(|t| !t.trim().is_empty()).map(Value::Text);
        let wanted = [
            ("LINE_AMOUNT", amount(item.amount)),
            ("LINE_UNIT_PRICE", amount(item.unit_price)),
            ("LINE_VAT_RATE", amount(item.vat_rate)),
            ("LINE_QUANTITY", amount(item.quantity)),
            ("LINE_UNIT", text(&item.unit)),
            ("LINE_DESCRIPTION", text(&item.description)),
        ];
        for (tag, value) in wanted {
            let Some(value) = value else { continue };
            let Some((_, mut range)) = locate_on_page(&cells, &value) else { continue };
            // A rate printed `25,00 %`: the sign belongs to it.
            if tag == "LINE_VAT_RATE"
                && cells.pages[0].words.get(range.end).is_some_and(|w| w.text == "%")
            {
                range.end += 1;
            }
            let targets: Vec<usize> = range.map(|i| row[i]).collect();
            if targets.iter().any(|&i| labels[index][i] != "O") {
                continue;
            }
            for (n, &i) in targets.iter().enumerate() {
                labels[index][i] = format!("{}-{tag}", if n == 0 { "B" } else { "I" });
            }
        }
    }
}
