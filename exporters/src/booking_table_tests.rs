use polars::prelude::*;

use super::{invoice_frame, line_frame, write_bookings};
use crate::TableFormat;
use crate::fixtures::bookings;

fn csv(lines: bool) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("out.csv");
    write_bookings(&bookings(), &path, TableFormat::Csv, lines).expect("write");
    std::fs::read_to_string(&path).expect("read")
}

#[test]
fn csv_snapshots() {
    insta::assert_snapshot!("invoices_csv", csv(false));
    insta::assert_snapshot!("lines_csv", csv(true));
}

/// Parquet keeps the documented columns, types and signed amounts.
#[test]
fn parquet_reads_back_with_types() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (lines, rows) in [(false, 9), (true, 11)] {
        let path = dir.path().join(format!("out-{lines}.parquet"));
        write_bookings(&bookings(), &path, TableFormat::Parquet, lines).expect("write");
        let file = std::fs::File::open(&path).expect("open");
        let df = ParquetReader::new(file).finish().expect("read");
        let expected = if lines { line_frame(&bookings()) } else { invoice_frame(&bookings()) };
        let expected = expected.expect("frame");
        assert_eq!(df.shape(), (rows, expected.width()), "lines={lines}");
        assert!(df.equals_missing(&expected), "lines={lines}: parquet round trip");
    }
    let df = invoice_frame(&bookings()).expect("frame");
    let check = |column: &str, expected: DataType| {
        assert_eq!(df.column(column).expect(column).dtype(), &expected, "{column}")
    };
    let cases = [
        ("invoice_date", DataType::Date),
        ("total_amount", DataType::Float64),
        ("f_skatt", DataType::Boolean),
        ("cost_account", DataType::Int64),
        ("rows", DataType::String),
    ];
    for (column, expected) in cases {
        check(column, expected);
    }
    let totals = df.column("total_amount").expect("total").f64().expect("f64").clone();
    let totals: Vec<Option<f64>> = (0..totals.len()).map(|i| totals.get(i)).collect();
    let expected = [1250.0, 1508.0, -312.5, 100.01, 499.0, 1200.0, 40000.0, 3000.0, 2240.0];
    assert_eq!(totals, expected.map(Some));
}
