use std::process::ExitCode;

use anyhow::Result;

use crate::cli::EvalArgs;

/// Prints per-field accuracy, exactly as `shared/eval/score.py` computes it.
pub fn run(args: EvalArgs) -> Result<ExitCode> {
    let report = invex_datasets::eval::evaluate_files(&args.gold, &args.pred)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report.to_json())?);
    } else {
        println!("{}", report.to_text().trim_end());
    }
    if args.calibration {
        println!("\n{}", invex_datasets::eval::calibration::to_text(&report.judged).trim_end());
    }
    Ok(ExitCode::SUCCESS)
}
