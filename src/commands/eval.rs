use std::process::ExitCode;

use anyhow::Result;
use invex_datasets::eval::{evaluate_files, groups};

use crate::cli::EvalArgs;

/// Prints per-field accuracy, exactly as `shared/eval/score.py` computes it.
pub fn run(args: EvalArgs) -> Result<ExitCode> {
    let (report, by_group) = match &args.groups {
        Some(path) => {
            let (report, by_group) = groups::evaluate_files_by_group(&args.gold, &args.pred, path)?;
            (report, Some(by_group))
        }
        None => (evaluate_files(&args.gold, &args.pred)?, None),
    };
    if args.json {
        let mut json = report.to_json();
        if let Some(reports) = &by_group {
            let groups: serde_json::Map<String, serde_json::Value> =
                reports.iter().map(|(g, r)| (g.clone(), r.to_json())).collect();
            json["groups"] = groups.into();
        }
        println!("{}", serde_json::to_string_pretty(&json)?);
    } else {
        println!("{}", report.to_text().trim_end());
    }
    if let (Some(reports), false) = (&by_group, args.json) {
        println!("\n{}", groups::to_text(reports).trim_end());
    }
    if args.calibration {
        println!("\n{}", invex_datasets::eval::calibration::to_text(&report.judged).trim_end());
    }
    Ok(ExitCode::SUCCESS)
}
