//! The prediction table: every extracted field with its confidence and
//! source, one row per input file, as CSV or Parquet (`invex extract --output
//! x.csv`). The accounting tables of `invex export` are in [`crate::booking_table`].
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

use std::path::Path;

use invex_domain::{FieldName, Prediction, Status, Value, ValueKind};
use polars::prelude::*;

use crate::Error;

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
    write_frame(&mut frame, path, format)
}

/// Writes a frame as CSV (the dialect the module documents) or Parquet at
/// `path`, atomically.
pub(crate) fn write_frame(
    frame: &mut DataFrame,
    path: &Path,
    format: TableFormat,
) -> Result<(), Error> {
    crate::atomic::write_atomically(path, |file| {
        let encode = |source| Error::Encode { path: path.to_path_buf(), source };
        match format {
            TableFormat::Csv => CsvWriter::new(file)
                .include_header(true)
                .include_bom(false)
                .with_separator(b',')
                .with_quote_char(b'"')
                .with_decimal_comma(false)
                .with_null_value(PlSmallStr::EMPTY)
                .with_line_terminator("\n".into())
                .finish(frame)
                .map_err(encode),
            TableFormat::Parquet => {
                ParquetWriter::new(file).finish(frame).map(|_| ()).map_err(encode)
            }
        }
    })
}

#[cfg(test)]
mod tests;
