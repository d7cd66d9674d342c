use std::process::ExitCode;

use anyhow::{Context, Result};
use invex_datasets::eval::groups;

use crate::cli::EvalArgs;

/// Prints per-field accuracy, exactly as `shared/eval/score.py` computes it.
pub fn run(args: EvalArgs) -> Result<ExitCode> {
    let report = invex_datasets::eval::evaluate_files(&args.gold, &args.pred)?;
    let by_group = match &args.groups {
        Some(path) => Some(score_groups(&args, path)?),
        None => None,
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

fn score_groups(
    args: &EvalArgs,
    path: &std::path::Path,
) -> Result<Vec<(String, invex_datasets::eval::EvalReport)>> {
    let read = |p: &std::path::Path| {
        std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))
    };
    let table = groups::read_groups(&read(path)?, "profile", &path.display().to_string())?;
    Ok(groups::evaluate_groups(&read(&args.gold)?, &read(&args.pred)?, &table)?)
}
