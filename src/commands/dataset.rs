use std::process::ExitCode;

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use invex_datasets::GenerateOptions;

use crate::cli::{DatasetCommand, GenerateArgs};

pub fn run(command: DatasetCommand) -> Result<ExitCode> {
    match command {
        DatasetCommand::Generate(args) => generate(args),
        DatasetCommand::Tokens(args) => super::dataset_tokens::run(args),
        DatasetCommand::WeakLabels(args) => super::dataset_weak::run(args),
        DatasetCommand::Labels => {
            println!("{}", serde_json::to_string(invex_datasets::LABELS)?);
            Ok(ExitCode::SUCCESS)
        }
        DatasetCommand::Families => {
            invex_datasets::family_names().iter().for_each(|f| println!("{f}"));
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn generate(args: GenerateArgs) -> Result<ExitCode> {
    let scan = if args.scan { Some(super::dataset_scan::options(&args)?) } else { None };
    let bar = ProgressBar::new(args.count as u64);
    if let Ok(style) = ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} invoices, {per_sec}",
    ) {
        bar.set_style(style);
    }
    let opts = GenerateOptions {
        count: args.count,
        seed: args.seed,
        out_dir: args.out.clone(),
        families: args.families.clone(),
        per_supplier: args.per_supplier.map(usize::from),
    };
    let started = std::time::Instant::now();
    let summary = invex_datasets::generate(&opts, &|_done| bar.inc(1))
        .with_context(|| format!("generating into {}", args.out.display()))?;
    bar.finish_and_clear();
    eprintln!(
        "wrote {} invoices ({} pages) to {} in {:.1} s",
        summary.written,
        summary.pages,
        args.out.display(),
        started.elapsed().as_secs_f64()
    );
    for (family, n) in &summary.families {
        eprintln!("  {n:5}  {family}");
    }
    if let Some(opts) = scan {
        super::dataset_scan::run(&opts, summary.written)?;
    }
    Ok(ExitCode::SUCCESS)
}
