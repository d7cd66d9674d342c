use std::path::Path;

use invex_domain::{Field, FieldName, Invoice, LineItem, Prediction, Source, Value};
use polars::prelude::*;

use super::*;

fn field(value: Value, confidence: f32, source: Source) -> Field {
    Field { value, confidence, page: Some(1), bbox: None, source, xml_path: None }
}

fn amount(s: &str) -> Value {
    Value::Amount(s.parse().unwrap_or_default())
}

fn date(y: i32, m: u32, d: u32) -> Value {
    Value::Date(chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default())
}

/// Two extracted invoices (one with every kind of value and a line item) and
/// one failed file.
fn predictions() -> Vec<Prediction> {
    let mut full = Invoice::default();
    full.set(
        FieldName::InvoiceNumber,
        field(Value::Text("F-2024, \"7\"".into()), 0.98, Source::Rules),
    );
    full.set(FieldName::InvoiceDate, field(date(2024, 1, 31), 0.9, Source::Model));
    full.set(FieldName::TotalAmount, field(amount("1250.50"), 0.95, Source::Rules));
    full.set(FieldName::VatAmount, field(amount("250.10"), 0.9, Source::Derived));
    full.set(FieldName::IsCreditNote, field(Value::Bool(false), 0.7, Source::Rules));
    full.set(
        FieldName::SupplierName,
        field(Value::Text("Åkerlunds Bygg AB".into()), 0.8, Source::Llm),
    );
    full.line_items.push(LineItem {
        description: Some("Konsulttimmar".into()),
        quantity: Some("10".parse().unwrap_or_default()),
        amount: Some("1000.40".parse().unwrap_or_default()),
        confidence: 0.9,
        ..LineItem::default()
    });
    let mut small = Invoice::default();
    small.set(FieldName::DueDate, field(date(2024, 2, 29), 0.5, Source::Rules));
    small.set(FieldName::TotalAmount, field(amount("-12"), 0.6, Source::Human));
    vec![
        Prediction::ok("in/a.pdf".into(), full, 2),
        Prediction::ok("in/b.pdf".into(), small, 1),
        Prediction::failed("in/c.pdf".into(), "encrypted", "the PDF is encrypted".into()),
    ]
}

fn expected_columns() -> Vec<String> {
    let mut names: Vec<String> =
        ["file", "status", "error_type", "error", "pages"].map(String::from).to_vec();
    for f in FieldName::ALL {
        names.extend([f.as_str().to_string(), format!("{f}_confidence"), format!("{f}_source")]);
    }
    names.push("line_items".into());
    names
}

fn names(df: &DataFrame) -> Vec<String> {
    df.get_column_names().iter().map(|n| n.to_string()).collect()
}

fn cell(df: &DataFrame, column: &str, row: usize) -> String {
    match df.column(column).and_then(|c| c.get(row)) {
        Ok(AnyValue::Null) => "null".into(),
        Ok(AnyValue::String(s)) => s.to_string(),
        Ok(v) => v.to_string(),
        Err(e) => format!("error: {e}"),
    }
}

fn dtype(df: &DataFrame, column: &str) -> DataType {
    df.column(column).map(|c| c.dtype().clone()).unwrap_or(DataType::Null)
}

#[test]
fn knows_formats_by_extension() {
    let check = |path: &str, expected: Option<TableFormat>| {
        assert_eq!(TableFormat::from_path(Path::new(path)), expected, "{path}")
    };
    let cases = [
        ("out.csv", Some(TableFormat::Csv)),
        ("dir/OUT.CSV", Some(TableFormat::Csv)),
        ("x.Parquet", Some(TableFormat::Parquet)),
        ("x.parquet.tmp", None),
        ("x.jsonl", None),
        ("csv", None),
        (".csv", None),
    ];
    for (path, expected) in cases {
        check(path, expected);
    }
}

#[test]
fn builds_one_typed_row_per_file() {
    let df = predictions_frame(&predictions()).expect("frame");
    assert_eq!(df.shape(), (3, 5 + 3 * FieldName::ALL.len() + 1));
    assert_eq!(names(&df), expected_columns());
    let check =
        |column: &str, expected: DataType| assert_eq!(dtype(&df, column), expected, "{column}");
    let cases = [
        ("file", DataType::String),
        ("pages", DataType::Int64),
        ("invoice_date", DataType::Date),
        ("total_amount", DataType::Float64),
        ("is_credit_note", DataType::Boolean),
        ("supplier_name", DataType::String),
        ("bankgiro", DataType::String),
        ("bankgiro_confidence", DataType::Float64),
        ("bankgiro_source", DataType::String),
        ("line_items", DataType::String),
    ];
    for (column, expected) in cases {
        check(column, expected);
    }
    assert!(predictions_frame(&[]).is_ok_and(|df| df.shape() == (0, expected_columns().len())));
}

#[test]
fn refuses_a_value_of_the_wrong_kind() {
    let mut invoice = Invoice::default();
    // `Invoice::set` refuses this in debug builds; write the map directly.
    invoice
        .fields
        .insert(FieldName::TotalAmount, field(Value::Text("12".into()), 0.5, Source::Rules));
    let got = predictions_frame(&[Prediction::ok("x.pdf".into(), invoice, 1)]);
    assert!(matches!(got, Err(Error::ValueKind { field: FieldName::TotalAmount, .. })), "{got:?}");
}

/// Writes both formats, reads them back with polars and checks cells.
#[test]
fn writes_csv_and_parquet_that_read_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    let preds = predictions();
    let csv_path = dir.path().join("out.csv");
    let parquet_path = dir.path().join("out.parquet");
    for (path, format) in [(&csv_path, TableFormat::Csv), (&parquet_path, TableFormat::Parquet)] {
        // Twice: the second write replaces the first.
        write_table(&preds[..1], path, format).expect("first write");
        write_table(&preds, path, format).expect("write");
    }
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .expect("read dir")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    let csv = CsvReadOptions::default()
        .with_has_header(true)
        .try_into_reader_with_file_path(Some(csv_path.clone()))
        .and_then(|r| r.finish())
        .expect("read csv");
    let file = std::fs::File::open(&parquet_path).expect("open parquet");
    let parquet = ParquetReader::new(file).finish().expect("read parquet");
    let text = std::fs::read_to_string(&csv_path).expect("read csv text");
    assert!(text.starts_with("file,status,error_type,error,pages,invoice_number,"), "{text}");
    assert!(text.contains(r#","F-2024, ""7""","#), "quoted text: {text}");

    for df in [&csv, &parquet] {
        assert_eq!(df.shape(), (3, expected_columns().len()));
        assert_eq!(names(df), expected_columns());
    }
    assert_eq!(dtype(&parquet, "invoice_date"), DataType::Date);
    assert_eq!(dtype(&parquet, "is_credit_note"), DataType::Boolean);
    // CSV carries no types: polars infers numbers and booleans, dates stay ISO text.
    assert_eq!(dtype(&csv, "total_amount"), DataType::Float64);
    assert_eq!(dtype(&csv, "invoice_date"), DataType::String);

    let check = |column: &str, row: usize, csv_expected: &str, parquet_expected: &str| {
        assert_eq!(cell(&csv, column, row), csv_expected, "csv {column}[{row}]");
        assert_eq!(cell(&parquet, column, row), parquet_expected, "parquet {column}[{row}]");
    };
    let cases = [
        ("file", 0, "in/a.pdf", "in/a.pdf"),
        ("status", 2, "failed", "failed"),
        ("error_type", 2, "encrypted", "encrypted"),
        ("error", 0, "null", "null"),
        ("pages", 0, "2", "2"),
        ("invoice_number", 0, "F-2024, \"7\"", "F-2024, \"7\""),
        ("invoice_date", 0, "2024-01-31", "2024-01-31"),
        ("due_date", 1, "2024-02-29", "2024-02-29"),
        ("total_amount", 0, "1250.5", "1250.5"),
        ("total_amount", 1, "-12.0", "-12.0"),
        ("total_amount", 2, "null", "null"),
        ("total_amount_confidence", 0, "0.95", "0.95"),
        ("vat_amount_source", 0, "derived", "derived"),
        ("is_credit_note", 0, "false", "false"),
        ("supplier_name", 0, "Åkerlunds Bygg AB", "Åkerlunds Bygg AB"),
        ("supplier_name_source", 0, "llm", "llm"),
        ("supplier_name", 1, "null", "null"),
        ("bankgiro_confidence", 0, "null", "null"),
        ("line_items", 1, "[]", "[]"),
        ("line_items", 2, "null", "null"),
    ];
    for (column, row, csv_expected, parquet_expected) in cases {
        check(column, row, csv_expected, parquet_expected);
    }
    let items: serde_json::Value =
        serde_json::from_str(&cell(&parquet, "line_items", 0)).expect("line items are JSON");
    assert_eq!(items[0]["description"], "Konsulttimmar");
    assert_eq!(items[0]["amount"], 1000.4);
}

#[test]
fn reports_an_unwritable_path() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("missing").join("out.csv");
    let got = write_table(&predictions(), &path, TableFormat::Csv);
    assert!(matches!(got, Err(Error::Io { .. })), "{got:?}");
    assert!(!path.exists());
}
