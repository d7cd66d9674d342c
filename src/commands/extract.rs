//! `invex extract`: a batch over files, folders and S3 prefixes
//! ([`super::extract_s3`]), in parallel, with a progress bar,
//! JSONL/CSV/Parquet output and a summary.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use invex_domain::{Prediction, Status};
use invex_exporters::TableFormat;
use invex_pipeline::Pipeline;

use crate::cli::ExtractArgs;

/// Extensions picked up when walking a folder. Files named explicitly are
/// always processed, whatever their name.
pub(super) const FOLDER_EXTENSIONS: &[&str] = &["pdf", "xml", "png", "jpg", "jpeg", "tif", "tiff"];

enum Output {
    Jsonl(BufWriter<File>),
    Table(TableFormat, Vec<Prediction>),
}

pub fn run(args: ExtractArgs) -> Result<ExitCode> {
    let files = super::extract_s3::Inputs::collect(&args.inputs)?;
    if files.is_empty() {
        bail!("no PDF, XML or image files found in {}", display_list(&args.inputs));
    }
    let mut output = open_output(&args.output)?;
    let reader = super::document_reader(&args.extractor)?;
    let max_bytes = args.max_file_mb.saturating_mul(1024 * 1024);
    let extractor = super::extractor::build(&args.extractor)?;
    let mut pipeline =
        Pipeline::new(reader, extractor, max_bytes).with_batch_size(args.extractor.batch_size);
    if let Some(second) = super::donut::second_opinion(&args.donut)? {
        pipeline = pipeline.with_second_opinion(second);
    }
    if let Some(stage) = super::extractor::e_invoice_stage(&args.extractor)? {
        pipeline = pipeline.with_e_invoice(stage);
    }
    if args.llm.llm_batch && args.inputs.iter().any(|i| i.to_string_lossy().starts_with("s3://")) {
        bail!(
            "--llm-batch reads local files only; S3 inputs are asked live (leave out --llm-batch)"
        );
    }
    let llm = super::llm::fallback(&args.llm, &args.output)?;
    if let Some(llm) = &llm {
        pipeline = pipeline.with_fallback(llm.clone());
    }

    let progress = progress_bar(files.len() as u64, args.no_progress);
    let started = Instant::now();
    let mut summary = Summary::default();
    let mut write_error: Option<anyhow::Error> = None;
    files.run(&pipeline, max_bytes, &mut |_index: usize, prediction: Prediction| {
        summary.add(&prediction);
        if prediction.status == Status::Failed {
            progress.suspend(|| {
                eprintln!(
                    "failed: {}: {}",
                    prediction.file,
                    prediction.error.as_deref().unwrap_or("unknown error")
                )
            });
        }
        if write_error.is_none()
            && let Err(e) = output.push(prediction)
        {
            write_error = Some(e);
        }
        progress.inc(1);
    });
    progress.finish_and_clear();
    if let Some(e) = write_error {
        return Err(e.context(format!("writing {}", args.output.display())));
    }
    output.finish(&args.output)?;
    summary.print(started.elapsed().as_secs_f64(), &args.output);
    if let Some(llm) = &llm {
        eprintln!("{}", super::llm::summary(&llm.stats()));
    }
    Ok(if summary.failed == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

impl Output {
    fn push(&mut self, prediction: Prediction) -> Result<()> {
        match self {
            Output::Jsonl(w) => {
                serde_json::to_writer(&mut *w, &prediction.to_json())?;
                w.write_all(b"\n")?;
            }
            Output::Table(_, all) => all.push(prediction),
        }
        Ok(())
    }

    fn finish(self, path: &Path) -> Result<()> {
        match self {
            Output::Jsonl(mut w) => {
                w.flush().with_context(|| format!("writing {}", path.display()))
            }
            Output::Table(format, all) => invex_exporters::write_table(&all, path, format)
                .with_context(|| format!("writing {}", path.display())),
        }
    }
}

fn open_output(path: &Path) -> Result<Output> {
    if let Some(format) = TableFormat::from_path(path) {
        return Ok(Output::Table(format, Vec::new()));
    }
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    if !matches!(ext.as_str(), "jsonl" | "json" | "ndjson") {
        bail!(
            "{}: unknown output format; use a .jsonl, .csv or .parquet file name",
            path.display()
        );
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let file = File::create(path).with_context(|| format!("creating {}", path.display()))?;
    Ok(Output::Jsonl(BufWriter::new(file)))
}

/// Expands folders (recursively, sorted, hidden entries skipped) into files.
pub fn collect_inputs(inputs: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for input in inputs {
        let meta = std::fs::metadata(input).with_context(|| format!("{}", input.display()))?;
        if meta.is_dir() {
            walk(input, &mut files)
                .with_context(|| format!("reading folder {}", input.display()))?;
        } else {
            files.push(input.clone());
        }
    }
    Ok(files)
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        if entry.file_type()?.is_dir() {
            walk(&path, files)?;
        } else if path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| FOLDER_EXTENSIONS.iter().any(|x| e.eq_ignore_ascii_case(x)))
        {
            files.push(path);
        }
    }
    Ok(())
}

fn progress_bar(len: u64, hidden: bool) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    if hidden {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    let style = ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} files, {per_sec}, eta {eta}",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar
}

#[derive(Default)]
struct Summary {
    ok: usize,
    failed: usize,
    pages: usize,
    fields: usize,
    failures: BTreeMap<String, usize>,
}

impl Summary {
    fn add(&mut self, p: &Prediction) {
        match p.status {
            Status::Ok => {
                self.ok += 1;
                self.pages += p.pages;
                self.fields += p.invoice.fields.len();
            }
            Status::Failed => {
                self.failed += 1;
                *self.failures.entry(p.error_type.clone().unwrap_or_default()).or_default() += 1;
            }
        }
    }

    fn print(&self, seconds: f64, output: &Path) {
        let total = self.ok + self.failed;
        let rate = if seconds > 0.0 { total as f64 / seconds } else { 0.0 };
        eprintln!(
            "{total} files in {seconds:.1} s ({rate:.1} files/s): {} extracted ({} pages, {} fields), {} failed",
            self.ok, self.pages, self.fields, self.failed
        );
        for (kind, n) in &self.failures {
            eprintln!("  {n} failed: {kind}");
        }
        eprintln!("results written to {}", output.display());
    }
}

fn display_list(paths: &[PathBuf]) -> String {
    paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
}
