use std::process::ExitCode;

use anyhow::{Context, Result};
use invex_datasets::eval::lines::{LineScore, score_lines};
use invex_datasets::eval::{calibration, documents, evaluate_files, groups, read_utf8};

use crate::cli::EvalArgs;

/// Prints per-field accuracy exactly as `shared/eval/score.py` computes it,
/// then the documents with every field right and the automation rate.
pub fn run(args: EvalArgs) -> Result<ExitCode> {
    let (report, by_key) = match &args.groups {
        Some(path) => {
            let (report, by_key) =
                groups::evaluate_files_by_group(&args.gold, &args.pred, path, &args.group_by)?;
            (report, Some(by_key))
        }
        None => (evaluate_files(&args.gold, &args.pred)?, None),
    };
    if let Some(out) = &args.fit_calibration {
        let samples: Vec<(&str, f64, bool)> =
            report.judged.iter().map(|j| (j.field, j.confidence, j.correct)).collect();
        let fitted_on = format!("{} ({} fields)", args.pred.display(), samples.len());
        let missed: Vec<(&str, bool)> =
            report.missed.iter().map(|m| (m.field, m.gold_has_value)).collect();
        let table = invex_domain::calibration::Calibration::fit(&samples, &missed, 40, &fitted_on);
        std::fs::write(out, serde_json::to_string_pretty(&table)? + "\n")
            .with_context(|| format!("could not write {}", out.display()))?;
        eprintln!("wrote {} ({} curves)", out.display(), table.curves.len());
    }
    let lines = line_scores(&args)?;
    if args.json {
        let mut json = report.to_json();
        if let Some((total, by_key)) = &lines {
            let mut out = total.to_json();
            for (key, groups) in by_key {
                let groups: serde_json::Map<String, serde_json::Value> =
                    groups.iter().map(|(g, s)| (g.clone(), s.to_json())).collect();
                out[format!("by_{key}")] = groups.into();
            }
            json["line_items"] = out;
        }
        let (right, n) = documents::fully_right(&report.documents);
        json["documents_all_right"] = serde_json::json!({"right": right, "docs": n});
        let a = documents::automation(&report.documents, args.threshold);
        json["automation"] = serde_json::json!({
            "threshold": a.threshold, "booked": a.auto, "docs": a.docs,
            "rate": a.rate(), "precision": a.precision(),
        });
        if args.calibration {
            json["expected_calibration_error"] =
                documents::expected_calibration_error(&report.judged).into();
        }
        if let Some(by_key) = &by_key {
            let mut all = serde_json::Map::new();
            for (key, reports) in by_key {
                let groups: serde_json::Map<String, serde_json::Value> =
                    reports.iter().map(|(g, r)| (g.clone(), r.to_json())).collect();
                all.insert(key.clone(), groups.into());
            }
            // One key keeps the older shape: `groups.{group}`.
            json["groups"] = match by_key.as_slice() {
                [(key, _)] => all.remove(key).unwrap_or_default(),
                _ => all.into(),
            };
        }
        println!("{}", serde_json::to_string_pretty(&json)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!("{}", report.to_text().trim_end());
    println!("{}", documents::to_text(&report.documents, args.threshold).trim_end());
    for (key, reports) in by_key.iter().flatten() {
        println!("\n{}", groups::to_text(key, reports).trim_end());
    }
    if let Some((total, by_key)) = &lines {
        println!("\nline items (matched by net amount and quantity)");
        println!("{}", total.to_text("all"));
        for (key, groups) in by_key {
            for (group, score) in groups {
                println!("{}", score.to_text(&format!("{key} {group}")));
            }
        }
        if total.gold_without_amount > 0 {
            println!(
                "({} gold lines without a net amount are not scored)",
                total.gold_without_amount
            );
        }
    }
    if args.calibration {
        println!("\n{}", calibration::to_text(&report.judged).trim_end());
        println!("\n{}", documents::calibration_text(&report.documents, &report.judged).trim_end());
    }
    Ok(ExitCode::SUCCESS)
}

/// Each `--group-by` key's line scores, by group.
type LinesByKey = Vec<(String, std::collections::BTreeMap<String, LineScore>)>;

/// The line-item scores when `--lines` is given: over all documents, and per
/// `--groups` key.
fn line_scores(args: &EvalArgs) -> Result<Option<(LineScore, LinesByKey)>> {
    let Some(gold) = &args.lines else { return Ok(None) };
    let gold_text = read_utf8(gold)?;
    let pred_text = read_utf8(&args.pred)?;
    let (gold_name, pred_name) = (gold.display().to_string(), args.pred.display().to_string());
    let (total, _) = score_lines(&gold_text, &gold_name, &pred_text, &pred_name, None)?;
    let mut by_key = Vec::new();
    if let Some(path) = &args.groups {
        let groups_text = read_utf8(path)?;
        for key in &args.group_by {
            let table = groups::read_groups(&groups_text, key, &path.display().to_string())?;
            let (_, by_group) =
                score_lines(&gold_text, &gold_name, &pred_text, &pred_name, Some(&table))?;
            by_key.push((key.clone(), by_group));
        }
    }
    Ok(Some((total, by_key)))
}
