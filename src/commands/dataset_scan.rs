//! `invex dataset generate --scan`: rasterises the generated PDFs with pdfium
//! and turns them into synthetic scans (`invex_datasets::scan`).

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use invex_datasets::scan::{Profile, ScanFormat, ScanOptions, ScanSummary, scan_dataset};

use crate::cli::GenerateArgs;

/// The scan options of `args`, checked before anything is generated.
pub fn options(args: &GenerateArgs) -> Result<ScanOptions> {
    let profiles = Profile::parse_list(args.degradations.as_deref().unwrap_or_default())?;
    Ok(ScanOptions {
        dir: args.out.clone(),
        seed: args.seed,
        dpi: args.dpi,
        format: ScanFormat::parse(&args.scan_format)?,
        profiles,
    })
}

/// Scans the folder `generate` just wrote.
pub fn run(opts: &ScanOptions, count: usize) -> Result<ScanSummary> {
    // pdfium only: the scans need pixels, not text or OCR.
    let reader = super::pdfium()?;
    let bar = ProgressBar::new(count as u64);
    if let Ok(style) = ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} scans, {per_sec}",
    ) {
        bar.set_style(style);
    }
    let render =
        |bytes: &[u8], dpi: u32| reader.render_pages(bytes, dpi).map_err(|e| e.to_string());
    let started = std::time::Instant::now();
    let summary = scan_dataset(opts, &render, &|_done| bar.inc(1))
        .with_context(|| format!("scanning {}", opts.dir.display()))?;
    bar.finish_and_clear();
    eprintln!(
        "scanned {} invoices ({} pages, {:.1} MB, {}, {} dpi) in {:.1} s",
        summary.scanned,
        summary.pages,
        summary.bytes as f64 / 1e6,
        opts.format.extension(),
        opts.dpi,
        started.elapsed().as_secs_f64()
    );
    for (profile, n) in &summary.profiles {
        eprintln!("  {n:5}  {profile}");
    }
    Ok(summary)
}
