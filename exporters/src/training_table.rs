//! The training-data table of `invex learn export`: one row per word of
//! each reviewed invoice, with its box and its BIO label (`B-INVOICE_NUMBER`,
//! `I-INVOICE_NUMBER`, `O`, the labels of `invex dataset tokens`), as
//! Parquet (or CSV).
//!
//! Columns, in order: `invoice_id`, `file`, `split` (`train`, or `holdout`
//! for the tenth held back for the evaluation gate), `page` (1-based),
//! `page_width`, `page_height` (points), `word` (its index on the page, in
//! reading order), `text`, `x0`, `y0`, `x1`, `y1` (points, top-left origin),
//! `label`.

use std::path::Path;

use polars::prelude::*;

use crate::Error;
use crate::table::{TableFormat, write_frame};

/// One word of a reviewed invoice, labelled.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainingWord {
    pub invoice_id: String,
    pub file: String,
    pub split: &'static str,
    pub page: u32,
    pub page_width: f32,
    pub page_height: f32,
    pub word: u32,
    pub text: String,
    pub bbox: [f32; 4],
    pub label: String,
}

/// The words as a frame, columns as the module documentation lists them.
pub fn training_frame(words: &[TrainingWord]) -> Result<DataFrame, Error> {
    let text = |name: &str, f: &dyn Fn(&TrainingWord) -> String| {
        Column::new(name.into(), words.iter().map(f).collect::<Vec<_>>())
    };
    let int = |name: &str, f: &dyn Fn(&TrainingWord) -> u32| {
        Column::new(name.into(), words.iter().map(f).collect::<Vec<_>>())
    };
    let float = |name: &str, f: &dyn Fn(&TrainingWord) -> f32| {
        Column::new(name.into(), words.iter().map(f).collect::<Vec<_>>())
    };
    let columns = vec![
        text("invoice_id", &|w| w.invoice_id.clone()),
        text("file", &|w| w.file.clone()),
        text("split", &|w| w.split.to_string()),
        int("page", &|w| w.page),
        float("page_width", &|w| w.page_width),
        float("page_height", &|w| w.page_height),
        int("word", &|w| w.word),
        text("text", &|w| w.text.clone()),
        float("x0", &|w| w.bbox[0]),
        float("y0", &|w| w.bbox[1]),
        float("x1", &|w| w.bbox[2]),
        float("y1", &|w| w.bbox[3]),
        text("label", &|w| w.label.clone()),
    ];
    Ok(DataFrame::new(words.len(), columns)?)
}

/// Writes the words at `path` (atomically), as Parquet or CSV.
pub fn write_training_words(
    words: &[TrainingWord],
    path: &Path,
    format: TableFormat,
) -> Result<(), Error> {
    let mut frame = training_frame(words)?;
    write_frame(&mut frame, path, format)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_parquet_file_reads_back_as_written() {
        let word = |i: u32, text: &str, label: &str| TrainingWord {
            invoice_id: "inv-1".into(),
            file: "a.pdf".into(),
            split: "train",
            page: 1,
            page_width: 595.0,
            page_height: 842.0,
            word: i,
            text: text.into(),
            bbox: [10.0 * i as f32, 20.0, 10.0 * i as f32 + 8.0, 30.0],
            label: label.into(),
        };
        let words = [word(0, "Faktura", "O"), word(1, "KV-24017", "B-INVOICE_NUMBER")];
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("words.parquet");
        write_training_words(&words, &path, TableFormat::Parquet).unwrap();
        let file = std::fs::File::open(&path).unwrap();
        let frame = ParquetReader::new(file).finish().unwrap();
        let names: Vec<String> = frame.get_column_names().iter().map(|n| n.to_string()).collect();
        assert_eq!(
            names,
            [
                "invoice_id",
                "file",
                "split",
                "page",
                "page_width",
                "page_height",
                "word",
                "text",
                "x0",
                "y0",
                "x1",
                "y1",
                "label"
            ]
        );
        assert_eq!(frame.height(), 2);
        let cell = |column: &str, row: usize| match frame.column(column).and_then(|c| c.get(row)) {
            Ok(AnyValue::String(s)) => s.to_string(),
            Ok(v) => v.to_string(),
            Err(e) => format!("error: {e}"),
        };
        // column, row → value
        let cases = [
            ("label", 0, "O"),
            ("label", 1, "B-INVOICE_NUMBER"),
            ("text", 1, "KV-24017"),
            ("split", 1, "train"),
            ("word", 1, "1"),
            ("x0", 1, "10.0"),
        ];
        for (column, row, expected) in cases {
            assert_eq!(cell(column, row), expected, "{column}[{row}]");
        }
    }
}
