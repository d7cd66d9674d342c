//! Accuracy per group of documents, for example per degradation profile of
//! synthetic scans (`scans.jsonl` from `invex dataset generate --scan`).

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value as Json;

use super::{Error, EvalReport, basename, evaluate, read_utf8, score};

/// Each key's groups, each group's report.
pub type ByKey = Vec<(String, Vec<(String, EvalReport)>)>;

/// [`super::evaluate_files`], and beside it the accuracy of each group in
/// the `groups` file (JSONL with `file` and the `keys`, for example
/// `profile` in scans.jsonl, or `language` and `kind` in a corpus
/// manifest), one grouping per key; each file is read once.
pub fn evaluate_files_by_group(
    gold: &Path,
    pred: &Path,
    groups: &Path,
    keys: &[String],
) -> Result<(EvalReport, ByKey), Error> {
    let gold_text = read_utf8(gold)?;
    let pred_text = read_utf8(pred)?;
    let report =
        score(&gold_text, &gold.display().to_string(), &pred_text, &pred.display().to_string())?;
    let groups_text = read_utf8(groups)?;
    let mut by_key = Vec::new();
    for key in keys {
        let table = read_groups(&groups_text, key, &groups.display().to_string())?;
        by_key.push((key.clone(), evaluate_groups(&gold_text, &pred_text, &table)?));
    }
    Ok((report, by_key))
}

/// Which group each gold file is in, from JSONL lines with `file` and
/// `key` (for scans.jsonl, `profile`). Files are matched by base name.
pub fn read_groups(jsonl: &str, key: &str, name: &str) -> Result<BTreeMap<String, String>, Error> {
    let mut groups = BTreeMap::new();
    for (i, line) in jsonl.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let record: Json = serde_json::from_str(line).map_err(|e| Error::Line {
            file: name.to_string(),
            line: i + 1,
            message: format!("not JSON: {e}"),
        })?;
        let field = |k: &str| record.get(k).and_then(Json::as_str).map(str::to_string);
        let (Some(file), Some(group)) = (field("file"), field(key)) else {
            return Err(Error::Line {
                file: name.to_string(),
                line: i + 1,
                message: format!("needs string fields \"file\" and \"{key}\""),
            });
        };
        groups.insert(basename(&file).to_string(), group);
    }
    Ok(groups)
}

/// Scores each group's gold documents apart, in group-name order. Gold
/// files in no group are left out; a group scores the predictions as
/// [`evaluate`] does (a missing prediction counts as wrong).
pub fn evaluate_groups(
    gold_jsonl: &str,
    pred_jsonl: &str,
    groups: &BTreeMap<String, String>,
) -> Result<Vec<(String, EvalReport)>, Error> {
    let mut gold_by_group: BTreeMap<&str, String> = BTreeMap::new();
    for line in gold_jsonl.lines() {
        let file = serde_json::from_str::<Json>(line)
            .ok()
            .and_then(|v| v.get("file").and_then(Json::as_str).map(str::to_string));
        if let Some(group) = file.and_then(|f| groups.get(basename(&f))) {
            let text = gold_by_group.entry(group).or_default();
            text.push_str(line);
            text.push('\n');
        }
    }
    gold_by_group
        .into_iter()
        .map(|(group, gold)| Ok((group.to_string(), evaluate(&gold, pred_jsonl)?)))
        .collect()
}

/// The groups as a text table: group, documents, correct/scored, accuracy,
/// and the documents with every field right.
pub fn to_text(key: &str, reports: &[(String, EvalReport)]) -> String {
    let mut out = format!("{key:<18} docs  correct/scored  accuracy  all right\n");
    for (group, r) in reports {
        let accuracy = r.overall().map_or("-".to_string(), |a| format!("{a:.3}"));
        let (right, n) = super::documents::fully_right(&r.documents);
        out.push_str(&format!(
            "{group:<18} {:>5}  {:>7}/{:<6}  {accuracy:>8}  {right:>4}/{n:<4}\n",
            r.docs, r.correct, r.scored
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOLD: &str = r#"{"file": "a.pdf", "invoice_number": "1", "total_amount": 10.0}
{"file": "b.pdf", "invoice_number": "2", "total_amount": 20.0}
{"file": "c.pdf", "invoice_number": "3", "total_amount": 30.0}
{"file": "d.pdf", "invoice_number": "4"}
"#;
    const PRED: &str = r#"{"file": "/in/a.pdf", "fields": {"invoice_number": "1", "total_amount": 10.0}}
{"file": "/in/b.pdf", "fields": {"invoice_number": "2", "total_amount": 99.0}}
{"file": "/in/c.pdf", "fields": {"invoice_number": "x"}}
"#;
    const GROUPS: &str = r#"{"file": "a.pdf", "profile": "clean"}
{"file": "dir/b.pdf", "profile": "photo"}
{"file": "c.pdf", "profile": "photo"}
"#;

    #[test]
    fn each_group_is_scored_apart() {
        let groups = read_groups(GROUPS, "profile", "scans.jsonl").unwrap();
        let reports = evaluate_groups(GOLD, PRED, &groups).unwrap();
        // (group, docs, correct, scored): d.pdf is in no group.
        let expected = [("clean", 1, 2, 2), ("photo", 2, 1, 4)];
        let got: Vec<_> =
            reports.iter().map(|(g, r)| (g.as_str(), r.docs, r.correct, r.scored)).collect();
        assert_eq!(got, expected);
        let text = to_text("profile", &reports);
        assert!(
            text.contains("photo                  2        1/4          0.250     0/2"),
            "{text}"
        );
    }

    #[test]
    fn a_groups_line_without_its_key_names_the_line() {
        let e = read_groups("{\"file\": \"a.pdf\"}\n", "profile", "scans.jsonl").unwrap_err();
        assert_eq!(
            e.to_string(),
            "scans.jsonl, line 1: needs string fields \"file\" and \"profile\""
        );
    }
}
