//! `invex eval`: scores predictions against ground truth with exactly the
//! numbers of `../shared/eval/score.py`.
//!
//! The port follows the script line by line, including its Python semantics:
//! - files: a prediction belongs to the first prediction key (in the order
//!   keys first appeared; a repeated key keeps its place and takes the later
//!   record) that is a path suffix of the gold file, has it as a suffix, or
//!   has the same base name; the key is `file`, else `path`, else `source`;
//! - fields: `fields` of the record (or the flat record), each value bare or
//!   `{"value": ...}`; null, empty or absent values are not scored (gold) or
//!   wrong (prediction);
//! - normalisation and comparison per field: see `normalize.rs`, built on the
//!   Python behaviour of `json.loads`, `str()`, `float()`, `round()` and `re`
//!   in `pyjson.rs` and `pytext.rs`.
//!
//! Where `score.py` stops with a Python exception (a line that is not a JSON
//! object, a file key that is not a string, a gold amount that is not a
//! number against a predicted number, ...), [`evaluate`] returns an [`Error`]
//! that names the file and line.

pub mod calibration;
pub mod documents;
pub mod groups;
pub mod lines;
mod normalize;
mod pyjson;
mod pytext;
#[cfg(test)]
mod tests;
mod unicode_tables;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value as Json, json};

pub use normalize::FIELDS;
use normalize::{Rule, TypeClash, matches, norm};
use pyjson::{Dict, Py};
use pytext::{float_repr, is_space, round, strip};

/// Why scoring failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("could not read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{file}, line {line}: {message}")]
    Line { file: String, line: usize, message: String },
}

/// One field's tally.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FieldScore {
    pub correct: usize,
    pub scored: usize,
}

impl FieldScore {
    /// `correct / scored`, unrounded; `None` when nothing was scored.
    pub fn accuracy(&self) -> Option<f64> {
        ratio(self.correct, self.scored)
    }
}

/// The result of scoring a prediction file against a gold file.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EvalReport {
    /// Gold documents.
    pub docs: usize,
    /// Gold documents that no prediction matched.
    pub docs_without_prediction: usize,
    /// Per field, in [`FIELDS`] order.
    pub fields: Vec<(String, FieldScore)>,
    pub correct: usize,
    pub scored: usize,
    /// Every scored field the predictions gave a confidence for.
    pub judged: Vec<Judged>,
    /// Every gold document, in gold order: how many of its fields were scored
    /// and right, and what the prediction said about the whole document.
    pub documents: Vec<documents::JudgedDoc>,
    /// Every field a matched prediction left empty, and whether the gold
    /// has a value there (what finding nothing is worth, for calibration).
    pub missed: Vec<Missed>,
}

/// A field the prediction left empty.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Missed {
    pub field: &'static str,
    pub gold_has_value: bool,
}

/// One predicted field that was scored: how sure the extractor was, which
/// extractor it came from, and whether it was right.
#[derive(Debug, Clone, PartialEq)]
pub struct Judged {
    pub field: &'static str,
    pub confidence: f64,
    pub source: Option<String>,
    pub correct: bool,
}

impl EvalReport {
    /// `correct / scored` over all fields, unrounded; `None` when nothing was scored.
    pub fn overall(&self) -> Option<f64> {
        ratio(self.correct, self.scored)
    }

    /// What `score.py --json` prints: accuracies rounded to 4 decimals, `null`
    /// where nothing was scored.
    pub fn to_json(&self) -> Json {
        let mut fields = Map::new();
        for (name, s) in &self.fields {
            let accuracy = s.accuracy().map(|a| round(a, 4));
            fields.insert(
                name.clone(),
                json!({"correct": s.correct, "scored": s.scored, "accuracy": accuracy}),
            );
        }
        json!({
            "docs": self.docs,
            "docs_without_prediction": self.docs_without_prediction,
            "fields": fields,
            "overall": self.overall().map(|a| round(a, 4)),
        })
    }

    /// The exact text `score.py --json` prints (`json.dumps(res, indent=1)`,
    /// keys in its order), newline-terminated.
    pub fn to_json_text(&self) -> String {
        let number = |v: Option<f64>| v.map_or("null".to_string(), |a| float_repr(round(a, 4)));
        let mut out = String::from("{\n");
        let _ = writeln!(out, " \"docs\": {},", self.docs);
        let _ = writeln!(out, " \"docs_without_prediction\": {},", self.docs_without_prediction);
        out.push_str(" \"fields\": {");
        for (i, (name, s)) in self.fields.iter().enumerate() {
            let name = Json::String(name.clone());
            let _ = write!(
                out,
                "{}\n  {name}: {{\n   \"correct\": {},\n   \"scored\": {},\n   \"accuracy\": {}\n  }}",
                if i == 0 { "" } else { "," },
                s.correct,
                s.scored,
                number(s.accuracy()),
            );
        }
        out.push_str(if self.fields.is_empty() { "},\n" } else { "\n },\n" });
        let _ = writeln!(out, " \"overall\": {}\n}}", number(self.overall()));
        out
    }

    /// What `score.py` prints without `--json`, newline-terminated lines.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for (name, s) in &self.fields {
            if let Some(accuracy) = s.accuracy() {
                let accuracy = round(accuracy, 4);
                let _ = writeln!(out, "{name:<18} {:>4}/{:<4} {accuracy:.3}", s.correct, s.scored);
            }
        }
        let _ =
            writeln!(out, "docs {} without prediction {}", self.docs, self.docs_without_prediction);
        let overall = self.overall().map_or("None".to_string(), |a| float_repr(round(a, 4)));
        let _ = writeln!(out, "overall field accuracy {overall}");
        out
    }
}

fn ratio(correct: usize, scored: usize) -> Option<f64> {
    (scored > 0).then(|| correct as f64 / scored as f64)
}

/// Scores the JSONL text `pred_jsonl` against the JSONL text `gold_jsonl`.
/// Errors call the inputs `gold` and `predictions`.
pub fn evaluate(gold_jsonl: &str, pred_jsonl: &str) -> Result<EvalReport, Error> {
    score(gold_jsonl, "gold", pred_jsonl, "predictions")
}

/// Scores the prediction file `pred` against the ground-truth file `gold`,
/// as `score.py GOLD PRED` does.
pub fn evaluate_files(gold: &Path, pred: &Path) -> Result<EvalReport, Error> {
    let gold_text = read_utf8(gold)?;
    let pred_text = read_utf8(pred)?;
    score(&gold_text, &gold.display().to_string(), &pred_text, &pred.display().to_string())
}

pub fn read_utf8(path: &Path) -> Result<String, Error> {
    let bytes =
        std::fs::read(path).map_err(|source| Error::Read { path: path.to_path_buf(), source })?;
    String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = lines(&String::from_utf8_lossy(valid)).count().max(1);
        Error::Line { file: path.display().to_string(), line, message: "not valid UTF-8".into() }
    })
}

/// Lines as Python's text mode reads them (`\n`, `\r\n` and `\r` end a
/// line), numbered from 1, without their line ends.
fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let current = rest?;
        match current.find(['\n', '\r']) {
            Some(i) => {
                let skip = if current[i..].starts_with("\r\n") { 2 } else { 1 };
                rest = Some(&current[i + skip..]).filter(|r| !r.is_empty());
                Some(&current[..i])
            }
            None => {
                rest = None;
                Some(current).filter(|c| !c.is_empty())
            }
        }
    })
    .enumerate()
    .map(|(i, line)| (i + 1, line))
}

fn line_error(file: &str, line: usize, message: impl Into<String>) -> Error {
    Error::Line { file: file.to_string(), line, message: message.into() }
}

/// Parses one line as a JSON object; `skipped` is the number of characters
/// stripped off its start, for the column in messages.
fn parse_line(file: &str, line: usize, text: &str, skipped: usize) -> Result<Dict, Error> {
    match pyjson::loads(text) {
        Ok(Py::Dict(d)) => Ok(d),
        Ok(other) => Err(line_error(
            file,
            line,
            format!("expected a JSON object, found {}", other.type_name()),
        )),
        Err(e) => Err(line_error(
            file,
            line,
            format!("not JSON: {} at column {}", e.message, e.column + skipped),
        )),
    }
}

/// One prediction record: its key and what `r.get("fields", r)` gave.
struct Pred {
    key: String,
    fields: Py,
    line: usize,
    /// The record's document-level `confidence` and `auto` (booked without a person).
    doc: documents::DocClaim,
}

/// `load_pred`: records keyed by file in first-insertion order. Falsy keys are
/// kept by Python but can never match, so they are dropped here;
/// `non_str_key` is the line of the first truthy key that is not a string,
/// which makes `score.py` fail as soon as there is a gold document.
struct Preds {
    records: Vec<Pred>,
    non_str_key: Option<usize>,
}

fn load_pred(text: &str, file: &str) -> Result<Preds, Error> {
    let mut preds = Preds { records: Vec::new(), non_str_key: None };
    let mut index = std::collections::HashMap::new();
    for (line, raw) in lines(text) {
        let stripped = strip(raw);
        if stripped.is_empty() {
            continue;
        }
        let skipped = raw.chars().take_while(|&c| is_space(c)).count();
        let r = parse_line(file, line, stripped, skipped)?;
        let key = ["file", "path", "source"]
            .iter()
            .map(|k| r.get(k))
            .find(|v| v.is_some_and(Py::truthy))
            .unwrap_or_else(|| r.get("source"));
        let fields = r.get("fields").cloned().unwrap_or_else(|| Py::Dict(r.clone()));
        let doc = documents::DocClaim::of(&r);
        match key {
            Some(Py::List(_) | Py::Dict(_)) => {
                return Err(line_error(
                    file,
                    line,
                    "the file key is a list or object (unhashable)",
                ));
            }
            Some(Py::Str(k)) if !k.is_empty() => match index.get(k) {
                Some(&i) => {
                    let record: &mut Pred = &mut preds.records[i];
                    record.fields = fields;
                    record.line = line;
                    record.doc = doc;
                }
                None => {
                    index.insert(k.clone(), preds.records.len());
                    preds.records.push(Pred { key: k.clone(), fields, line, doc });
                }
            },
            Some(k) if k.truthy() => {
                preds.non_str_key.get_or_insert(line);
            }
            _ => {}
        }
    }
    Ok(preds)
}

fn basename(path: &str) -> &str {
    path.rsplit_once('/').map_or(path, |(_, name)| name)
}

fn score(
    gold_text: &str,
    gold_file: &str,
    pred_text: &str,
    pred_file: &str,
) -> Result<EvalReport, Error> {
    let mut gold = Vec::new();
    for (line, raw) in lines(gold_text) {
        if !strip(raw).is_empty() {
            gold.push((line, parse_line(gold_file, line, raw, 0)?));
        }
    }
    let preds = load_pred(pred_text, pred_file)?;
    let any_keys = !preds.records.is_empty() || preds.non_str_key.is_some();
    let empty = Py::Dict(Dict::default());
    let mut per = vec![FieldScore::default(); FIELDS.len()];
    let mut missing = 0;
    let mut judged_fields = Vec::new();
    let mut docs = Vec::new();
    let mut missed = Vec::new();
    for (gold_line, g) in &gold {
        let found = if any_keys {
            let gfile = match g.get("file") {
                Some(Py::Str(s)) => s.as_str(),
                Some(other) => {
                    let message = format!("\"file\" must be a string, found {}", other.type_name());
                    return Err(line_error(gold_file, *gold_line, message));
                }
                None => return Err(line_error(gold_file, *gold_line, "no \"file\" key")),
            };
            if let Some(line) = preds.non_str_key {
                return Err(line_error(pred_file, line, "the file key is not a string"));
            }
            preds.records.iter().find(|p| {
                gfile.ends_with(&p.key)
                    || p.key.ends_with(gfile)
                    || basename(&p.key) == basename(gfile)
            })
        } else {
            None
        };
        if found.is_none() {
            missing += 1;
        }
        let p = found.map_or(&empty, |p| &p.fields);
        let mut doc = documents::JudgedDoc {
            file: match g.get("file") {
                Some(Py::Str(s)) => s.clone(),
                _ => String::new(),
            },
            predicted: found.is_some(),
            claim: found.map(|p| p.doc).unwrap_or_default(),
            ..Default::default()
        };
        for (f, tally) in FIELDS.iter().zip(per.iter_mut()) {
            let rule = Rule::of(f);
            let gold_value = norm(rule, g.get(f));
            if let (Some(_), Py::Dict(d)) = (found, p)
                && norm(rule, d.get(f)).is_none()
            {
                missed.push(Missed { field: f, gold_has_value: gold_value.is_some() });
            }
            let Some(gv) = gold_value else { continue };
            tally.scored += 1;
            doc.scored += 1;
            let Py::Dict(p) = p else {
                let (line, what) = found.map_or((0, "?"), |p| (p.line, p.fields.type_name()));
                return Err(line_error(
                    pred_file,
                    line,
                    format!("\"fields\" must be an object, found {what}"),
                ));
            };
            let pv = norm(rule, p.get(f));
            let judged = |correct| judged_field(f, p.get(f), correct);
            match matches(rule, &gv, pv.as_ref()) {
                Ok(true) => {
                    tally.correct += 1;
                    doc.correct += 1;
                    judged_fields.extend(judged(true));
                }
                Ok(false) => judged_fields.extend(judged(false)),
                Err(TypeClash) => {
                    let message =
                        format!("{f}: the gold value is not a number but the prediction is");
                    return Err(line_error(gold_file, *gold_line, message));
                }
            }
        }
        docs.push(doc);
    }
    let correct = per.iter().map(|s| s.correct).sum();
    let scored = per.iter().map(|s| s.scored).sum();
    Ok(EvalReport {
        docs: gold.len(),
        docs_without_prediction: missing,
        fields: FIELDS.iter().map(|f| f.to_string()).zip(per).collect(),
        correct,
        scored,
        judged: judged_fields,
        documents: docs,
        missed,
    })
}

/// A predicted field in the `{"value", "confidence", "source"}` form, as judged.
fn judged_field(field: &'static str, pred: Option<&Py>, correct: bool) -> Option<Judged> {
    let Some(Py::Dict(d)) = pred else { return None };
    let confidence = match d.get("confidence")? {
        Py::Float(f) => *f,
        Py::Int(i) => i.parse().ok()?,
        _ => return None,
    };
    let source = match d.get("source") {
        Some(Py::Str(s)) => Some(s.clone()),
        _ => None,
    };
    Some(Judged { field, confidence, source, correct })
}
