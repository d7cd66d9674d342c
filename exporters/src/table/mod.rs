//! invex-exporters: writes predictions where accounting tools can read them.
//!
//! Today: tables, one row per input file, as CSV or Parquet through polars
//! ([`write_table`], built on [`predictions_frame`]). Fortnox, Visma eEkonomi,
//! SIE 4 and PEPPOL BIS 3 exporters come later, behind an `Exporter` trait.
//!
//! Columns, in order: `file`, `status`, `error_type`, `error`, `pages`, then
//! for every [`FieldName::ALL`] a value column named by [`FieldName::as_str`]
//! (amounts Float64, dates Date, booleans Boolean, text String),
//! `<name>_confidence` (Float64, 3 decimals) and `<name>_source` (String), and
//! last `line_items` (the JSON array of `invex extract`, null for a failed
//! file). A field that was not found is null in all three columns.
//!
//! CSV follows what pandas, polars and spreadsheet importers expect: UTF-8
//! without BOM, a header row, comma separators, `.` as decimal point, ISO
//! `YYYY-MM-DD` dates, empty cells for nulls, `"` quoting where needed.
//! Files are written to a temporary file in the target directory and renamed
//! into place, so readers never see half a table.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use invex_domain::{FieldName, Prediction, Status, Value, ValueKind};
use polars::prelude::*;

/// Why a table could not be built or written.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("could not build the table: {0}")]
    Table(#[from] PolarsError),
    #[error("could not write {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("could not write {}: {source}", path.display())]
    Encode {
        path: PathBuf,
        #[source]
        source: PolarsError,
    },
    #[error("{file}: {field} holds a {found:?} value where a {expected:?} belongs")]
    ValueKind { file: String, field: FieldName, found: ValueKind, expected: ValueKind },
}

/// A tabular output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableFormat {
    Csv,
    Parquet,
}

impl TableFormat {
    /// The format a path's extension names (`.csv`, `.parquet`, any case).
    pub fn from_path(p: &Path) -> Option<TableFormat> {
        let ext = p.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "csv" => Some(TableFormat::Csv),
            "parquet" => Some(TableFormat::Parquet),
            _ => None,
        }
    }
}

/// One row per prediction, columns as the crate documentation lists them.
pub fn predictions_frame(predictions: &[Prediction]) -> Result<DataFrame, Error> {
    let text = |name: &str, values: Vec<Option<String>>| Column::new(name.into(), values);
    let mut columns = vec![
        text("file", predictions.iter().map(|p| Some(p.file.clone())).collect()),
        text("status", predictions.iter().map(|p| Some(status(p.status).to_string())).collect()),
        text("error_type", predictions.iter().map(|p| p.error_type.clone()).collect()),
        text("error", predictions.iter().map(|p| p.error.clone()).collect()),
        Column::new("pages".into(), predictions.iter().map(|p| p.pages as i64).collect::<Vec<_>>()),
    ];
    for name in FieldName::ALL {
        columns.push(value_column(predictions, name)?);
        let fields = || predictions.iter().map(move |p| p.invoice.get(name));
        let confidence: Vec<Option<f64>> =
            fields().map(|f| f.map(|f| round3(f.confidence))).collect();
        columns.push(Column::new(format!("{name}_confidence").into(), confidence));
        let source: Vec<Option<String>> = fields().map(|f| f.map(|f| source(f.source))).collect();
        columns.push(Column::new(format!("{name}_source").into(), source));
    }
    let line_items: Vec<Option<String>> = predictions
        .iter()
        .map(|p| (p.status == Status::Ok).then(|| p.to_json()["line_items"].to_string()))
        .collect();
    columns.push(text("line_items", line_items));
    Ok(DataFrame::new(predictions.len(), columns)?)
}

/// The value column of one field, typed by the field's [`ValueKind`].
fn value_column(predictions: &[Prediction], name: FieldName) -> Result<Column, Error> {
    let expected = name.kind();
    let values = predictions.iter().map(|p| {
        let value = p.invoice.get(name).map(|f| &f.value);
        match value {
            Some(v) if v.kind() != expected => Err(Error::ValueKind {
                file: p.file.clone(),
                field: name,
                found: v.kind(),
                expected,
            }),
            _ => Ok(value),
        }
    });
    let values: Vec<Option<&Value>> = values.collect::<Result<_, _>>()?;
    let col_name: PlSmallStr = name.as_str().into();
    Ok(match expected {
        ValueKind::Text => {
            let v: Vec<Option<&str>> = values
                .iter()
                .map(|v| match v {
                    Some(Value::Text(s)) => Some(s.as_str()),
                    _ => None,
                })
                .collect();
            Column::new(col_name, v)
        }
        ValueKind::Amount => {
            let v: Vec<Option<f64>> = values
                .iter()
                .map(|v| match v {
                    Some(Value::Amount(a)) => a.to_string().parse().ok(),
                    _ => None,
                })
                .collect();
            Column::new(col_name, v)
        }
        ValueKind::Bool => {
            let v: Vec<Option<bool>> = values
                .iter()
                .map(|v| match v {
                    Some(Value::Bool(b)) => Some(*b),
                    _ => None,
                })
                .collect();
            Column::new(col_name, v)
        }
        ValueKind::Date => {
            let days = values.iter().map(|v| match v {
                Some(Value::Date(d)) => Some(d.to_epoch_days()),
                _ => None,
            });
            Int32Chunked::from_iter_options(col_name, days).into_date().into_series().into()
        }
    })
}

fn status(s: Status) -> &'static str {
    match s {
        Status::Ok => "ok",
        Status::Failed => "failed",
    }
}

/// The snake_case name `invex extract` writes for a source.
fn source(s: invex_domain::Source) -> String {
    match serde_json::to_value(s) {
        Ok(serde_json::Value::String(name)) => name,
        _ => format!("{s:?}").to_lowercase(),
    }
}

fn round3(v: f32) -> f64 {
    (v as f64 * 1000.0).round() / 1000.0
}

/// Writes the predictions as a table at `path`, atomically.
pub fn write_table(
    predictions: &[Prediction],
    path: &Path,
    format: TableFormat,
) -> Result<(), Error> {
    let mut frame = predictions_frame(predictions)?;
    let tmp = temp_path(path);
    let result = write_to(&mut frame, &tmp, path, format)
        .and_then(|()| std::fs::rename(&tmp, path).map_err(|e| io_error(path, e)));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

fn write_to(
    frame: &mut DataFrame,
    tmp: &Path,
    path: &Path,
    format: TableFormat,
) -> Result<(), Error> {
    let mut file = File::create(tmp).map_err(|e| io_error(tmp, e))?;
    let encode = |source| Error::Encode { path: path.to_path_buf(), source };
    match format {
        TableFormat::Csv => CsvWriter::new(&mut file)
            .include_header(true)
            .include_bom(false)
            .with_separator(b',')
            .with_quote_char(b'"')
            .with_decimal_comma(false)
            .with_null_value(PlSmallStr::EMPTY)
            .with_line_terminator("\n".into())
            .finish(frame)
            .map_err(encode)?,
        TableFormat::Parquet => {
            ParquetWriter::new(&mut file).finish(frame).map(|_| ()).map_err(encode)?
        }
    }
    file.flush().map_err(|e| io_error(tmp, e))?;
    file.sync_all().map_err(|e| io_error(tmp, e))
}

/// A unique hidden name next to `path`, so the rename stays on one file system.
fn temp_path(path: &Path) -> PathBuf {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let name = path.file_name().map_or("table".into(), |n| n.to_string_lossy().into_owned());
    path.with_file_name(format!(".{name}.{}.{n}.tmp", std::process::id()))
}

fn io_error(path: &Path, source: std::io::Error) -> Error {
    Error::Io { path: path.to_path_buf(), source }
}

#[cfg(test)]
mod tests;
