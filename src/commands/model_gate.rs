//! `invex models gate ID`: the evaluation gate a retrained layout model must
//! pass before it runs (issue 14, part 2).
//!
//! The candidate and the model active now are run, with the extractor the
//! workers use, on the same words of a frozen set:
//! - `generated`: invoices from the generator with a fixed seed;
//! - `real`: the real corpus's test part (the files that are present);
//! - `holdout`: the tenth of the reviewed (approved) invoices that
//!   `invex learn export` keeps out of training, with the reviewed values as
//!   the truth.
//!
//! Each set is scored as `invex eval` scores it. The candidate passes when
//! its overall accuracy over all sets together rises and no key field
//! (invoice number, invoice date, total, currency) drops by more than 0.005
//! on any set. The comparison is printed and stored as the version's metrics.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use invex_datasets::eval::{EvalReport, FIELDS, evaluate};
use invex_domain::service::review::apply_corrections;
use invex_domain::service::{BlobStore, Repository};
use invex_domain::{Document, DocumentReader, Extractor, FieldName, Prediction};
use serde_json::{Value as Json, json};

use super::model_versions::{promote_version, who};
use super::service::{open_stores, store_runtime as runtime};
use crate::cli_service::ModelGateArgs;

/// The fields no candidate may make worse.
const KEY_FIELDS: [&str; 4] = ["invoice_number", "invoice_date", "total_amount", "currency"];
/// How far a key field may drop.
const KEY_FIELD_TOLERANCE: f64 = 0.005;
/// The generated part's seed: the same invoices for every gate.
const GENERATED_SEED: u64 = 20_261_206;

/// One document of the frozen set: its words and its truth line.
struct Case {
    set: &'static str,
    document: Document,
    gold: Json,
}

pub fn run(args: ModelGateArgs) -> Result<ExitCode> {
    let scratch = tempdir()?;
    let result = gate(&args, &scratch);
    let _ = std::fs::remove_dir_all(&scratch);
    result
}

fn gate(args: &ModelGateArgs, scratch: &Path) -> Result<ExitCode> {
    let rt = runtime()?;
    let (repo, blobs) = rt.block_on(open_stores(&args.store))?;
    let Some(candidate) = rt.block_on(repo.model_version(&args.id))? else {
        bail!("no model version {:?} (see `invex models list`)", args.id);
    };
    let active = rt.block_on(repo.active_model_version())?;
    if active.as_deref() == Some(candidate.id.as_str()) {
        bail!("{} is the active version already", candidate.id);
    }
    let candidate_dir = rt.block_on(fetch(blobs.as_ref(), &candidate.id, scratch))?;
    let current_dir = match &active {
        Some(id) => Some(rt.block_on(fetch(blobs.as_ref(), id, scratch))?),
        None => args.extractor.model.clone(),
    };
    let current_name = active.clone().unwrap_or_else(|| "built-in".into());
    let extractor_for = |dir: Option<PathBuf>| -> Result<Box<dyn Extractor>> {
        let mut settings = args.extractor.clone();
        settings.model = dir;
        super::extractor::build(&settings)
    };
    let current = extractor_for(current_dir)?;
    let candidate_extractor = extractor_for(Some(candidate_dir))?;
    eprintln!(
        "gate: {} ({}) against {current_name}, extractor {}",
        candidate.id,
        candidate.name,
        current.name()
    );

    let reader = super::document_reader(&args.extractor)?;
    let mut cases = generated(args, reader.as_ref(), scratch)?;
    if !args.no_real {
        cases.extend(real(&args.real, reader.as_ref())?);
    }
    cases.extend(rt.block_on(holdout(repo.as_ref()))?);
    if cases.is_empty() {
        bail!("the frozen set is empty");
    }

    let sets: Vec<&'static str> = ["generated", "real", "holdout"]
        .into_iter()
        .filter(|s| cases.iter().any(|c| c.set == *s))
        .collect();
    let documents: Vec<&Document> = cases.iter().map(|c| &c.document).collect();
    let current_out = current.extract_batch(&documents);
    let candidate_out = candidate_extractor.extract_batch(&documents);
    let mut report = json!({"candidate": candidate.id, "current": current_name, "sets": {}});
    let mut key_drops = Vec::new();
    for set in sets.iter().copied().chain(["all"]) {
        let mut gold = Vec::new();
        let (mut cur, mut cand) = (Vec::new(), Vec::new());
        for (n, case) in cases.iter().enumerate() {
            if set != "all" && case.set != set {
                continue;
            }
            let file = format!("{}-{n}", case.set);
            let mut g = case.gold.clone();
            g["file"] = file.clone().into();
            gold.push(g.to_string());
            let pages = case.document.pages.len();
            cur.push(
                Prediction::ok(file.clone(), current_out[n].clone(), pages).to_json().to_string(),
            );
            cand.push(Prediction::ok(file, candidate_out[n].clone(), pages).to_json().to_string());
        }
        let before = evaluate(&gold.join("\n"), &cur.join("\n"))?;
        let after = evaluate(&gold.join("\n"), &cand.join("\n"))?;
        print_comparison(set, gold.len(), &before, &after);
        if set != "all" {
            for field in KEY_FIELDS {
                let (b, a) = (field_accuracy(&before, field), field_accuracy(&after, field));
                if let (Some(b), Some(a)) = (b, a)
                    && a < b - KEY_FIELD_TOLERANCE
                {
                    key_drops.push(format!("{field} on {set}: {b:.3} -> {a:.3}"));
                }
            }
        }
        report["sets"][set] = json!({
            "docs": before.docs,
            "current": scores(&before),
            "candidate": scores(&after),
        });
    }
    let pooled = |who: &str| report["sets"]["all"][who]["overall"].as_f64().unwrap_or(0.0);
    let (before, after) = (pooled("current"), pooled("candidate"));
    let rises = after > before;
    let promote = rises && key_drops.is_empty();
    report["promote"] = promote.into();
    report["key_field_drops"] = json!(key_drops);
    report["overall_rises"] = rises.into();
    report["gated_by"] = who(&args.by).into();
    report["gated_at"] = chrono::Utc::now().to_rfc3339().into();
    rt.block_on(repo.set_model_metrics(&candidate.id, &report))?;

    println!();
    if promote {
        println!(
            "PASS: overall {before:.4} -> {after:.4}, no key field drops more than {KEY_FIELD_TOLERANCE}"
        );
    } else {
        println!("REFUSED:");
        if !rises {
            println!("  overall does not rise: {before:.4} -> {after:.4}");
        }
        for drop in &key_drops {
            println!("  key field drops: {drop}");
        }
    }
    if promote && args.promote {
        rt.block_on(promote_version(repo.as_ref(), &candidate.id, false, who(&args.by)))?;
        println!("promoted {}: workers swap it in between jobs", candidate.id);
    }
    Ok(if promote { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

fn field_accuracy(report: &EvalReport, field: &str) -> Option<f64> {
    report
        .fields
        .iter()
        .find(|(name, _)| name == field)
        .filter(|(_, score)| score.scored > 0)
        .map(|(_, score)| score.correct as f64 / score.scored as f64)
}

fn overall(report: &EvalReport) -> f64 {
    if report.scored == 0 { 0.0 } else { report.correct as f64 / report.scored as f64 }
}

fn scores(report: &EvalReport) -> Json {
    let mut fields = serde_json::Map::new();
    for (name, _) in &report.fields {
        if let Some(a) = field_accuracy(report, name) {
            fields.insert(name.clone(), json!((a * 10_000.0).round() / 10_000.0));
        }
    }
    json!({"overall": (overall(report) * 10_000.0).round() / 10_000.0, "fields": fields})
}

fn print_comparison(set: &str, docs: usize, before: &EvalReport, after: &EvalReport) {
    println!("\n{set} ({docs} documents)");
    println!("  {:<18} {:>8} {:>10}", "field", "current", "candidate");
    for (name, _) in &before.fields {
        let (b, a) = (field_accuracy(before, name), field_accuracy(after, name));
        let show = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.3}"));
        let mark = if KEY_FIELDS.contains(&name.as_str()) { "*" } else { "" };
        println!("  {:<18} {:>8} {:>10}", format!("{name}{mark}"), show(b), show(a));
    }
    println!("  {:<18} {:>8.4} {:>10.4}", "overall", overall(before), overall(after));
}

/// Copies a registered version's files from the blob store into `scratch`.
async fn fetch(blobs: &dyn BlobStore, id: &str, scratch: &Path) -> Result<PathBuf> {
    let dir = scratch.join(id);
    invex_api::copy_model_files(blobs, id, &dir).await.map_err(anyhow::Error::msg)?;
    Ok(dir)
}

fn tempdir() -> Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("invex-gate-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok(dir)
}

/// The generated part: `args.generated` invoices with the gate's seed.
fn generated(
    args: &ModelGateArgs,
    reader: &dyn DocumentReader,
    scratch: &Path,
) -> Result<Vec<Case>> {
    if args.generated == 0 {
        return Ok(Vec::new());
    }
    let out = scratch.join("generated");
    let options = invex_datasets::generate::GenerateOptions {
        count: args.generated,
        seed: GENERATED_SEED,
        out_dir: out.clone(),
        families: args.families.as_ref().map(|f| f.split(',').map(str::to_string).collect()),
        per_supplier: None,
    };
    invex_datasets::generate::generate(&options, &|_| {})?;
    read_set("generated", &out, &out.join("groundtruth.jsonl"), reader)
}

/// The real corpus's test part: the files of `dir/groundtruth.jsonl` that
/// are present (the non-redistributable ones are restored by script).
fn real(dir: &Path, reader: &dyn DocumentReader) -> Result<Vec<Case>> {
    let gold = dir.join("groundtruth.jsonl");
    if !gold.is_file() {
        eprintln!("gate: no {}; the real part is left out", gold.display());
        return Ok(Vec::new());
    }
    let root = dir.parent().unwrap_or(dir);
    read_set("real", root, &gold, reader)
}

fn read_set(
    set: &'static str,
    root: &Path,
    gold: &Path,
    reader: &dyn DocumentReader,
) -> Result<Vec<Case>> {
    let text =
        std::fs::read_to_string(gold).with_context(|| format!("reading {}", gold.display()))?;
    let mut cases = Vec::new();
    let mut missing = 0;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let truth: Json =
            serde_json::from_str(line).with_context(|| format!("a line of {}", gold.display()))?;
        let Some(file) = truth["file"].as_str() else { continue };
        let Ok(bytes) = std::fs::read(root.join(file)) else {
            missing += 1;
            continue;
        };
        match reader.read(&bytes) {
            Ok(document) => cases.push(Case { set, document, gold: truth }),
            // Unreadable for both models alike: scored as found nothing.
            Err(_) => cases.push(Case { set, document: Document::default(), gold: truth }),
        }
    }
    eprintln!(
        "gate: {set}: {} documents{}",
        cases.len(),
        if missing > 0 { format!(" ({missing} files not present)") } else { String::new() }
    );
    Ok(cases)
}

/// The reviewed holdout of every tenant: stored words, reviewed values.
async fn holdout(repo: &dyn Repository) -> Result<Vec<Case>> {
    let mut cases = Vec::new();
    for tenant in repo.tenants().await? {
        for record in super::learn::approved(repo, &tenant.id).await? {
            if super::learn::split(&record.id) != "holdout" {
                continue;
            }
            let Some(stored) = repo.invoice_words(&tenant.id, &record.id).await? else { continue };
            let document: Document = serde_json::from_str(&stored)
                .with_context(|| format!("the stored words of invoice {}", record.id))?;
            let mut invoice = super::learn::extracted(&record)?;
            apply_corrections(&mut invoice, &repo.corrections(&tenant.id, &record.id).await?);
            let mut gold = serde_json::Map::new();
            for field in FIELDS {
                let value = FieldName::parse(field)
                    .and_then(|f| invoice.get(f))
                    .map_or(Json::Null, |f| f.value.to_json());
                gold.insert(field.to_string(), value);
            }
            cases.push(Case { set: "holdout", document, gold: Json::Object(gold) });
        }
    }
    eprintln!("gate: holdout: {} reviewed invoices", cases.len());
    Ok(cases)
}
