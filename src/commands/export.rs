//! `invex export`: reads `invex extract` output, books every invoice with the
//! tenant config, and writes the bookings in the target format. Lines that
//! cannot be exported (failed extraction, an invoice that still needs review
//! unless `--include-unreviewed`, an invoice that cannot be booked, a PEPPOL
//! document that breaks a fatal rule) are skipped with one message each and
//! counted; the exit code is 1 when anything was skipped.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use invex_exporters::peppol::{Flag, PeppolExporter, check_xml};
use invex_exporters::sie::SieExporter;
use invex_exporters::{
    Booking, DocumentExporter, FileExporter, ReviewGate, Skipped, TableFormat, TenantConfig,
    atomic, book_all, booking_table, read_predictions,
};

use crate::cli::{ExportArgs, ExportTarget};
use crate::commands::export_remote::{self, Remote};

pub fn run(args: ExportArgs) -> Result<ExitCode> {
    let config = match &args.config {
        Some(path) => TenantConfig::load(path)?,
        None => TenantConfig::default(),
    };
    let (predictions, mut skipped) =
        read_predictions(&args.input).context("cannot read the predictions")?;
    let gate = if args.include_unreviewed {
        ReviewGate::IncludeUnreviewed
    } else {
        ReviewGate::ReviewedOnly
    };
    let (bookings, unbookable) = book_all(&predictions, &config, gate);
    skipped.extend(unbookable);
    let read = predictions.len() + skipped.iter().filter(|s| s.source.starts_with("line ")).count();
    let output = || {
        args.output
            .as_deref()
            .context("--output is needed for file formats (a file, or a folder for peppol)")
    };
    let exported = match args.to {
        ExportTarget::Fortnox | ExportTarget::Visma => {
            let remote =
                if args.to == ExportTarget::Fortnox { Remote::Fortnox } else { Remote::Visma };
            return export_remote::run(remote, &args.remote, bookings, &skipped, read);
        }
        ExportTarget::Sie => {
            let generated = chrono::Local::now().date_naive();
            let program = ("invex", env!("CARGO_PKG_VERSION"));
            let sie = SieExporter { config: &config, generated, program };
            write_file(&sie, &bookings, output()?)?;
            bookings.len()
        }
        ExportTarget::Peppol => write_peppol(&config, &bookings, output()?, &mut skipped)?,
        ExportTarget::Csv | ExportTarget::Parquet => {
            let format =
                if args.to == ExportTarget::Csv { TableFormat::Csv } else { TableFormat::Parquet };
            let path = output()?;
            booking_table::write_bookings(&bookings, path, format, args.lines)
                .with_context(|| format!("writing {}", path.display()))?;
            bookings.len()
        }
    };
    report(&skipped);
    let target = args.output.as_deref().map_or(String::new(), |p| format!(" to {}", p.display()));
    println!(
        "exported {exported} of {read} invoices as {}{target}; {} skipped",
        args.to.name(),
        skipped.len()
    );
    Ok(if skipped.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

fn report(skipped: &[Skipped]) {
    for s in skipped {
        eprintln!("skipped {s}");
    }
}

/// Writes one file atomically; the parent folder is created.
fn write_file(exporter: &dyn FileExporter, bookings: &[Booking], path: &Path) -> Result<()> {
    create_parent(path)?;
    atomic::write_atomically(path, |file| {
        let mut out = std::io::BufWriter::new(file);
        exporter.write(bookings, &mut out)?;
        out.flush().map_err(|e| atomic::io_error(path, e))
    })
    .with_context(|| format!("writing {} to {}", exporter.name(), path.display()))
}

/// One UBL document per booking into the folder `dir`. A document that
/// breaks a fatal rule is not written; warnings are printed.
fn write_peppol(
    config: &TenantConfig,
    bookings: &[Booking],
    dir: &Path,
    skipped: &mut Vec<Skipped>,
) -> Result<usize> {
    if dir.is_file() {
        bail!("{}: peppol writes one XML per invoice; give a folder, not a file", dir.display());
    }
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let exporter = PeppolExporter { config };
    let mut written = 0;
    for b in bookings {
        let xml = match exporter.render(b) {
            Ok(xml) => xml,
            Err(e) => {
                skipped.push(Skipped { source: b.source.clone(), reason: e.to_string() });
                continue;
            }
        };
        let violations = check_xml(&xml);
        for v in violations.iter().filter(|v| v.flag == Flag::Warning) {
            eprintln!("warning {}: {} {}", b.label(), v.rule, v.message);
        }
        let fatal: Vec<String> = violations
            .iter()
            .filter(|v| v.flag == Flag::Fatal)
            .map(|v| format!("{} {}", v.rule, v.message))
            .collect();
        if !fatal.is_empty() {
            let reason = format!("breaks PEPPOL rules: {}", fatal.join("; "));
            skipped.push(Skipped { source: b.source.clone(), reason });
            continue;
        }
        let path = dir.join(exporter.file_name(b));
        atomic::write_atomically(&path, |file| {
            file.write_all(xml.as_bytes()).map_err(|e| atomic::io_error(&path, e))
        })?;
        written += 1;
    }
    Ok(written)
}

fn create_parent(path: &Path) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    Ok(())
}
