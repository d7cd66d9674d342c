//! The entry point: renders invoices in parallel, each from its own RNG, and
//! writes the PDFs and the ground-truth files.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use crate::error::Error;
use crate::layout::{self, Ctx, Family};
use crate::pdf::write_pdf;
use crate::record;

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenerateOptions {
    pub count: usize,
    pub seed: u64,
    pub out_dir: PathBuf,
    /// Restrict to these family names (see [`family_names`]); all when `None`.
    pub families: Option<Vec<String>>,
    /// Recurring suppliers: invoices `k*i .. k*i+k` come from supplier `i`,
    /// in one layout (family, fonts, wording) with the same parties and
    /// payment details; only dates, numbers, lines and amounts change.
    /// `None`: every invoice is a new supplier.
    pub per_supplier: Option<usize>,
}

/// What was written.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GenerateSummary {
    pub written: usize,
    pub pages: usize,
    /// Invoices per family.
    pub families: BTreeMap<String, usize>,
}

/// The names of all layout families.
pub fn family_names() -> Vec<&'static str> {
    layout::families().iter().map(|f| f.name).collect()
}

/// How many times an invoice is re-drawn with a fresh sub-seed when its layout
/// breaks a rule (strings too close, off the page).
const ATTEMPTS: u64 = 16;

/// The RNG of invoice `index`, attempt `attempt`.
pub fn invoice_rng(seed: u64, index: usize, attempt: u64) -> ChaCha8Rng {
    let mut s = [0u8; 32];
    s[..8].copy_from_slice(&seed.to_le_bytes());
    s[8..16].copy_from_slice(&(index as u64).to_le_bytes());
    s[16..24].copy_from_slice(&attempt.to_le_bytes());
    s[24..].copy_from_slice(b"invex-ds");
    ChaCha8Rng::from_seed(s)
}

/// Renders invoice `index` of `family`, retrying until the layout is clean.
pub fn render_invoice(seed: u64, index: usize, family: &Family) -> Result<Ctx, Error> {
    let mut last = String::new();
    for attempt in 0..ATTEMPTS {
        let mut ctx = layout::render(family, invoice_rng(seed, index, attempt))?;
        if ctx.doc.problems().is_empty() {
            ctx.doc.sort_words();
            return Ok(ctx);
        }
        last = ctx.doc.problems().join("; ");
    }
    Err(Error::GaveUp { index, attempts: ATTEMPTS as usize, last })
}

/// Invoice `index` of recurring supplier `supplier`: the supplier's seed
/// draws everything but the content that changes, which invoice `index`'s
/// seed draws (retried like [`render_invoice`]).
pub fn render_recurring(
    seed: u64,
    supplier: usize,
    index: usize,
    family: &Family,
) -> Result<Ctx, Error> {
    let mut last = String::new();
    for attempt in 0..ATTEMPTS {
        let fixed = invoice_rng(seed ^ 0x5u64.rotate_right(4), supplier, 0);
        let mut ctx = layout::render_with(family, fixed, Some(invoice_rng(seed, index, attempt)))?;
        if ctx.doc.problems().is_empty() {
            ctx.doc.sort_words();
            return Ok(ctx);
        }
        last = ctx.doc.problems().join("; ");
    }
    Err(Error::GaveUp { index, attempts: ATTEMPTS as usize, last })
}

/// The families selected by the options, in registry order.
pub fn selected(opts: &GenerateOptions) -> Result<Vec<&'static Family>, Error> {
    let all = layout::families();
    let Some(names) = &opts.families else { return Ok(all) };
    let mut out = Vec::new();
    for n in names {
        match all.iter().find(|f| f.name == n.as_str()) {
            Some(f) => out.push(*f),
            None => return Err(Error::UnknownFamily(n.clone(), family_names().join(", "))),
        }
    }
    if out.is_empty() {
        return Err(Error::UnknownFamily(String::new(), family_names().join(", ")));
    }
    Ok(out)
}

/// The family of invoice `index`: round-robin over the selection.
pub fn family_for(fams: &[&'static Family], index: usize) -> &'static Family {
    fams[index % fams.len()]
}

/// One invoice's outputs, kept in memory until the JSONL files are written.
struct Done {
    gt: String,
    lines: String,
    family: &'static str,
    pages: usize,
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    fs::write(path, bytes).map_err(|e| Error::io(path, e))
}

fn one(opts: &GenerateOptions, fams: &[&'static Family], index: usize) -> Result<Done, Error> {
    let supplier = opts.per_supplier.map(|k| index / k.max(1));
    let (family, ctx) = match supplier {
        Some(s) => {
            let family = family_for(fams, s);
            (family, render_recurring(opts.seed, s, index, family)?)
        }
        None => {
            let family = family_for(fams, index);
            (family, render_invoice(opts.seed, index, family)?)
        }
    };
    let file = format!("inv-{index:05}.pdf");
    let title = format!(
        "{} {}",
        if ctx.inv.lang.code() == "sv" { "Faktura" } else { "Invoice" },
        ctx.inv.number
    );
    let pdf = write_pdf(&ctx.doc, &title)?;
    write(&opts.out_dir.join(&file), &pdf)?;
    let fields = record::fields(&ctx);
    let items = record::line_items(&ctx);
    let truth = record::truth(&ctx, &file, family.name, &fields, &items);
    let truth_path = opts.out_dir.join(format!("inv-{index:05}.truth.json"));
    write(&truth_path, &serde_json::to_vec(&truth)?)?;
    let gt = record::GtLine {
        file: &file,
        fields: &fields,
        family: family.name,
        language: ctx.inv.lang.code(),
        supplier: supplier.map(|s| format!("supplier-{s:04}")),
    };
    Ok(Done {
        gt: serde_json::to_string(&gt)?,
        lines: serde_json::to_string(&record::lines_record(&file, &items))?,
        family: family.name,
        pages: ctx.doc.page_count(),
    })
}

/// Generates `opts.count` invoices into `opts.out_dir`: `inv-NNNNN.pdf`,
/// `inv-NNNNN.truth.json`, `groundtruth.jsonl` and `groundtruth_lines.jsonl`.
/// `progress(n_done)` is called after each invoice (from worker threads).
pub fn generate(
    opts: &GenerateOptions,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<GenerateSummary, Error> {
    let fams = selected(opts)?;
    fs::create_dir_all(&opts.out_dir).map_err(|e| Error::io(&opts.out_dir, e))?;
    let done = AtomicUsize::new(0);
    let results: Vec<Result<Done, Error>> = (0..opts.count)
        .into_par_iter()
        .map(|i| {
            let r = one(opts, &fams, i);
            progress(done.fetch_add(1, Ordering::Relaxed) + 1);
            r
        })
        .collect();
    let mut summary = GenerateSummary::default();
    let mut gt = Vec::new();
    let mut lines = Vec::new();
    for r in results {
        let d = r?;
        writeln!(gt, "{}", d.gt).map_err(|e| Error::io(&opts.out_dir, e))?;
        writeln!(lines, "{}", d.lines).map_err(|e| Error::io(&opts.out_dir, e))?;
        summary.written += 1;
        summary.pages += d.pages;
        *summary.families.entry(d.family.to_string()).or_insert(0) += 1;
    }
    write(&opts.out_dir.join("groundtruth.jsonl"), &gt)?;
    write(&opts.out_dir.join("groundtruth_lines.jsonl"), &lines)?;
    Ok(summary)
}
