//! Differential tests: the same files through `score.py` and [`evaluate`].

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use invex_domain::{Field, FieldName, Invoice, Prediction, Source, Value};
use serde_json::Value as Json;

use super::*;

const SCORE_PY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/score.py");
const DEV_GOLD: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/dev/groundtruth.jsonl");

/// A file in the temp dir, removed when dropped (also when a test fails).
struct TempFile(PathBuf);

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn temp_file(text: &str) -> TempFile {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let path = std::env::temp_dir().join(format!("invex-eval-{}-{n}.jsonl", std::process::id()));
    std::fs::write(&path, text).expect("write temp file");
    TempFile(path)
}

/// `score.py GOLD PRED [--json]`: `None` when python3 or score.py is missing,
/// `Some(None)` when the script failed.
fn score_py(gold: &Path, pred: &Path, json: bool) -> Option<Option<String>> {
    if !Path::new(SCORE_PY).exists() {
        eprintln!("notice: {SCORE_PY} not found, skipping the comparison with score.py");
        return None;
    }
    let Some(python) = python() else {
        eprintln!("notice: python3 is missing, skipping the comparison with score.py");
        return None;
    };
    let mut cmd = Command::new(python);
    cmd.arg(SCORE_PY).arg(gold).arg(pred);
    if json {
        cmd.arg("--json");
    }
    match cmd.output() {
        Ok(out) if out.status.success() => Some(Some(String::from_utf8_lossy(&out.stdout).into())),
        Ok(_) => Some(None),
        Err(e) => panic!("could not run {python}: {e}"),
    }
}

/// The interpreter behind `python3`, resolved once: version-manager shims
/// take a third of a second to start.
fn python() -> Option<&'static str> {
    static PYTHON: OnceLock<Option<String>> = OnceLock::new();
    PYTHON
        .get_or_init(|| {
            let out = Command::new("python3")
                .args(["-c", "import sys; print(sys.executable)"])
                .output()
                .ok()?;
            let exe = String::from_utf8_lossy(&out.stdout).trim().to_string();
            (out.status.success() && !exe.is_empty()).then_some(exe)
        })
        .as_deref()
}

/// Scores `gold` and `pred` with both implementations and asserts the same
/// JSON and text, or that both fail. Returns the Rust result.
fn check(gold: &str, pred: &str) -> Result<EvalReport, String> {
    let (gold_file, pred_file) = (temp_file(gold), temp_file(pred));
    let (gold_path, pred_path) = (&gold_file.0, &pred_file.0);
    let ours = evaluate_files(gold_path, pred_path).map_err(|e| e.to_string());
    assert_eq!(
        evaluate(gold, pred).map_err(|_| ()),
        ours.clone().map_err(|_| ()),
        "evaluate and evaluate_files disagree"
    );
    if let Some(python) = score_py(gold_path, pred_path, true) {
        match (&ours, python) {
            (Ok(report), Some(py)) => {
                assert_eq!(report.to_json_text(), py, "JSON text differs");
                let py: Json = serde_json::from_str(&py).expect("score.py prints JSON");
                assert_eq!(report.to_json(), py, "JSON differs\ngold:\n{gold}\npred:\n{pred}");
                let text = score_py(gold_path, pred_path, false).flatten();
                assert_eq!(
                    Some(report.to_text()),
                    text,
                    "text differs\ngold:\n{gold}\npred:\n{pred}"
                );
            }
            (Err(_), None) => {}
            (ours, python) => panic!(
                "score.py {} but evaluate gave {ours:?}\ngold:\n{gold}\npred:\n{pred}",
                if python.is_some() { "succeeded" } else { "failed" }
            ),
        }
    }
    ours
}

fn gold_line(file: &str, fields: &str) -> String {
    format!(r#"{{"file": "{file}"{}{fields}}}"#, if fields.is_empty() { "" } else { ", " })
}

#[test]
fn matches_score_py_on_tricky_files() {
    let g1 = [
        gold_line("a.pdf", r#""total_amount": 1005.55, "vat_amount": 160.55, "net_amount": 845"#),
        gold_line(
            "dir/b.pdf",
            r#""invoice_date": "2024-01-31", "due_date": null, "currency": "SEK""#,
        ),
        gold_line("c.pdf", r#""supplier_name": "Åkerlunds Bygg AB", "bankgiro": "5050-1055""#),
        gold_line(
            "sub/d.pdf",
            r#""invoice_number": "F-2018/27", "iban": "SE45 5000 0000 0583 9825 7466""#,
        ),
        gold_line("missing.pdf", r#""invoice_number": "X1", "total_amount": null"#),
    ]
    .join("\n");
    let cases: Vec<(&str, String, String)> = vec![
        ("nothing predicted", g1.clone(), String::new()),
        (
            "amount strings, nested and flat",
            g1.clone(),
            [
                r#"{"file": "/x/a.pdf", "fields": {"total_amount": {"value": "1 005,55"}, "vat_amount": "160,554", "net_amount": "845.00"}}"#,
                r#"{"path": "b.pdf", "invoice_date": "2024-01-31T10:00:00Z", "currency": " sek "}"#,
                r#"{"source": "other/c.pdf", "supplier_name": "akerlunds bygg", "bankgiro": "٥٠٥٠١٠٥٥"}"#,
                r#"{"file": "d.pdf", "fields": {"invoice_number": "f2018 27", "iban": "SE4550000000058398257466"}}"#,
            ]
            .join("\n"),
        ),
        (
            "number forms",
            g1.clone(),
            [
                r#"{"file": "a.pdf", "total_amount": "1e3", "vat_amount": "\u0085160.55\u000b", "net_amount": "845\u001c"}"#,
                r#"{"file": "b.pdf", "invoice_date": 20240131, "currency": true}"#,
                r#"{"file": "c.pdf", "supplier_name": "Åkerlunds Bygg Aktiebolag", "bankgiro": 50501055}"#,
            ]
            .join("\n"),
        ),
        (
            "NaN, Infinity and a 1_000 amount",
            gold_line("a.pdf", r#""total_amount": 1000, "vat_amount": NaN, "net_amount": 5"#),
            r#"{"file": "a.pdf", "total_amount": "1_000", "vat_amount": NaN, "net_amount": Infinity}"#.into(),
        ),
        (
            "a repeated key keeps its place and takes the later record",
            [gold_line("x/1.pdf", r#""invoice_number": "A1""#), gold_line("y/1.pdf", r#""invoice_number": "B1""#)]
                .join("\n"),
            [
                r#"{"file": "x/1.pdf", "invoice_number": "wrong"}"#,
                r#"{"file": "1.pdf", "invoice_number": "B1"}"#,
                r#"{"file": "x/1.pdf", "invoice_number": "A1"}"#,
            ]
            .join("\n"),
        ),
        (
            "suffix matching is by characters, empty keys never match",
            [gold_line("doc1.pdf", r#""currency": "EUR""#), gold_line("", r#""currency": "SEK""#)].join("\n"),
            [
                r#"{"file": "", "currency": "EUR"}"#,
                r#"{"file": null, "path": "c1.pdf", "currency": "SEK"}"#,
                r#"{"currency": "EUR"}"#,
            ]
            .join("\n"),
        ),
        (
            "supplier names",
            (0..8).map(|i| gold_line(&format!("n{i}.pdf"), r#""supplier_name": "Société Générale S.A.""#)).collect::<Vec<_>>().join("\n")
                + "\n" + &gold_line("s.pdf", r#""supplier_name": "ΣΟΦΟΣ GmbH & Co. KG""#)
                + "\n" + &gold_line("t.pdf", r#""supplier_name": "AB""#),
            [
                r#"{"file": "n0.pdf", "supplier_name": "Societe Generale"}"#,
                r#"{"file": "n1.pdf", "supplier_name": "socie te ge ne rale"}"#,
                r#"{"file": "n2.pdf", "supplier_name": "SOCIÉTÉ GÉNÉRALE SA"}"#,
                r#"{"file": "n3.pdf", "supplier_name": "Soc"}"#,
                r#"{"file": "n4.pdf", "supplier_name": "rale"}"#,
                r#"{"file": "n5.pdf", "supplier_name": "ＳＯＣＩÉＴÉ ＧÉＮÉＲＡＬＥ"}"#,
                r#"{"file": "n6.pdf", "supplier_name": {"value": "Société Générale, S.A.", "confidence": 0.5}}"#,
                r#"{"file": "n7.pdf", "supplier_name": ""}"#,
                r#"{"file": "s.pdf", "supplier_name": "σοφος"}"#,
                r#"{"file": "t.pdf", "supplier_name": "anything"}"#,
            ]
            .join("\n"),
        ),
        (
            "containers, escapes and digits of other scripts",
            gold_line("a.pdf", r#""invoice_number": "FN1", "bankgiro": "12", "payment_reference": "15E16", "supplier_vat": "AB""#),
            r#"{"file": "a.pdf", "invoice_number": ["F\n1"], "bankgiro": "１２", "payment_reference": 1.5e16, "supplier_vat": {"value": {"a": "b"}}}"#.into(),
        ),
        (
            "CRLF, blank lines and whitespace-only lines",
            format!("\r\n{}\r\n \t\r\n\u{a0}\n{}\r", gold_line("a.pdf", r#""currency": "EUR""#), gold_line("b.pdf", r#""currency": "SEK""#)),
            "\u{3000}{\"file\": \"a.pdf\", \"currency\": \"eur\"}\u{a0}\r\n\r\n{\"file\": \"b.pdf\", \"currency\": \"sek\"}".into(),
        ),
        ("empty gold", String::new(), r#"{"file": 5}"#.into()),
        // Where score.py raises, evaluate returns an error.
        ("gold amount is text, prediction a number", gold_line("a.pdf", r#""total_amount": "n/a""#), r#"{"file": "a.pdf", "total_amount": 1}"#.into()),
        ("prediction line is a list", gold_line("a.pdf", r#""currency": "EUR""#), "[]".into()),
        ("prediction line is not JSON", gold_line("a.pdf", r#""currency": "EUR""#), "{'file': 'a.pdf'}".into()),
        ("fields is null", gold_line("a.pdf", r#""currency": "EUR""#), r#"{"file": "a.pdf", "fields": null}"#.into()),
        ("file key is a number", gold_line("a.pdf", r#""currency": "EUR""#), r#"{"file": 5}"#.into()),
        ("file key is a list", String::new(), r#"{"file": ["a.pdf"]}"#.into()),
        ("gold without file", r#"{"currency": "EUR"}"#.into(), r#"{"file": "a.pdf"}"#.into()),
    ];
    for (name, gold, pred) in cases {
        eprintln!("case: {name}");
        let _ = check(&gold, &pred);
    }
}

/// The dev set against a hand-made prediction: one document missing, one
/// written by [`Prediction::to_json`], a few fields wrong.
#[test]
fn scores_the_dev_set() {
    let Ok(gold) = std::fs::read_to_string(DEV_GOLD) else {
        eprintln!("notice: {DEV_GOLD} not found, skipping");
        return;
    };
    let field = |value: Value| Field { page: Some(1), ..Field::new(value, 0.9, Source::Rules) };
    let text = |s: &str| field(Value::Text(s.into()));
    let mut invoice = Invoice::default();
    invoice.set(FieldName::InvoiceNumber, text("F20180027"));
    invoice.set(
        FieldName::InvoiceDate,
        field(Value::Date(chrono::NaiveDate::from_ymd_opt(2018, 12, 31).unwrap_or_default())),
    );
    invoice.set(
        FieldName::DueDate,
        field(Value::Date(chrono::NaiveDate::from_ymd_opt(2019, 1, 31).unwrap_or_default())),
    );
    invoice.set(FieldName::Currency, text("EUR"));
    invoice.set(FieldName::TotalAmount, field(Value::Amount(rust_decimal::Decimal::new(11000, 2))));
    invoice.set(FieldName::VatAmount, field(Value::Amount(rust_decimal::Decimal::new(10, 0))));
    invoice.set(FieldName::SupplierName, text("Le Fournisseur SARL"));
    invoice.set(FieldName::SupplierVat, text("FR 32 123456789"));
    invoice.set(FieldName::Iban, text("FR76 1254 2547 2569 8542 5874 698"));
    invoice.set(FieldName::PaymentReference, text("F20180023-BUYER"));
    let facture = Prediction::ok("in/Facture_F20180027.pdf".into(), invoice, 1).to_json();
    let pred = [
        r#"{"file": "out/ZTESTZUGFERD_1_INVDSS_012015738820PDF-1.pdf", "status": "ok", "fields": {
            "invoice_number": {"value": "2015738820", "confidence": 0.98}, "invoice_date": {"value": "2024-11-01"},
            "currency": {"value": "eur"}, "total_amount": {"value": 447.88}, "vat_amount": {"value": "71,51"},
            "net_amount": {"value": 376.35}, "supplier_name": {"value": "Alphabet Fuhrparkmanagement"},
            "supplier_vat": {"value": "DE 238 574 172"}, "iban": {"value": "DE34 7007 0010 0156 9193 01"}}}"#
            .replace('\n', ""),
        r#"{"file": "/abs/zugferd_invoice.pdf", "invoice_number": "2014-03", "invoice_date": "2014-07-11T00:00",
            "total_amount": 1005.55, "vat_amount": 160.55, "net_amount": 845, "supplier_name": "KRAXI",
            "supplier_vat": "DE123456789", "payment_reference": "201403"}"#
            .replace('\n', ""),
        facture.to_string(),
    ]
    .join("\n");
    let report = check(&gold, &pred).expect("the dev set scores");
    assert_eq!((report.docs, report.docs_without_prediction), (4, 1));
    let got: Vec<(&str, usize, usize)> =
        report.fields.iter().map(|(f, s)| (f.as_str(), s.correct, s.scored)).collect();
    let expected = vec![
        ("invoice_number", 3, 4),
        ("invoice_date", 3, 4),
        ("due_date", 0, 2),
        ("currency", 2, 4),
        ("total_amount", 3, 4),
        ("vat_amount", 3, 4),
        ("net_amount", 1, 4),
        ("supplier_name", 3, 4),
        ("supplier_vat", 3, 4),
        ("iban", 2, 3),
        ("bankgiro", 0, 0),
        ("payment_reference", 2, 2),
    ];
    assert_eq!(got, expected);
    assert_eq!((report.correct, report.scored), (25, 39));
    assert_eq!(report.to_json()["overall"], serde_json::json!(0.641));
    assert!(
        report.to_text().ends_with("docs 4 without prediction 1\noverall field accuracy 0.641\n")
    );
}

/// Random files drawn from values that exercise every rule.
#[test]
fn matches_score_py_on_random_files() {
    // JSON values, " | "-separated.
    let pool = |s: &'static str| s.split(" | ").collect::<Vec<_>>();
    let amounts = pool(
        r#"110.0 | 110 | "110,00" | "1 005,55" | 1005.55 | "1e3" | 1000 | " 12 " | 12.004 | 12.006 | "inf" | NaN | "nan" | true | null | "" | "12 kr" | "١٢" | -0.0 | 0 | "1_000" | {"value": 12} | {"value": "12,00"} | [12] | 12.005 | 12.015 | 110.009 | 109.99 | "110.00\u00a0""#,
    );
    let gold_amounts =
        pool(r#"110.0 | 110 | "110,00" | 1005.55 | 1000 | 12 | 12.01 | null | "" | 0 | NaN"#);
    let dates = pool(
        r#""2024-01-31" | "2024-01-31T10:00:00" | "2024-01-3" | 20240131 | " 2024-01-31" | null | "" | {"value": "2024-01-31"} | ["2024-01-31"] | true | 20240131.0"#,
    );
    let currencies =
        pool(r#""SEK" | " sek " | "sek\u3000" | "Sek" | "EUR" | "ß" | "SS" | "ﬀ" | "FF" | null"#);
    let bankgiros = pool(
        r#""5050-1055" | "50501055" | 50501055 | "٥٠٥٠١٠٥٥" | "5050 1055 " | "bg 5050-1055" | 5050.1055 | "５０５０１０５５" | "²5050" | null"#,
    );
    let alnums = pool(
        r#""F-2018/0027" | "f20180027" | "F2018 0027" | 20180027 | "ö20180027" | ["F", 20180027] | {"value": ["F-1"]} | "F\n1" | ["F\n1"] | 1.5e16 | "FN1" | "15E16" | "F1" | ["\u00a0\u200b"] | "XA0U200B""#,
    );
    let names = pool(
        r#""Kraxi GmbH" | "KRAXI" | "kraxi gmbh & co. kg" | "Kra" | "Åkerlund AB" | "Akerlund" | "A kerlund" | "Société Générale SA" | "societe generale" | "ΣΟΦΟΣ" | "σοφος" | "ＡＣＭＥ" | "acme_ab" | "AB" | "" | "İstanbul Ltd" | "istanbul" | "Straße GmbH" | "strasse" | "x\u00a0y" | "O'Neil & Sons Inc." | "oneil" | "o neil sons" | 12345 | "ﬁnance" | "finance" | "Æble ApS" | "æble" | "a\u0301b" | "ab""#,
    );
    let keys = pool(
        "doc{i}.pdf | dir/doc{i}.pdf | /abs/dir/doc{i}.pdf | c{i}.pdf | other/doc{i}.pdf | doc{j}.pdf | oc1.pdf | ",
    );
    let pools = |f: &str, gold: bool| -> &[&str] {
        match Rule::of(f) {
            Rule::Amount if gold => &gold_amounts,
            Rule::Amount => &amounts,
            Rule::Date => &dates,
            Rule::Currency => &currencies,
            Rule::Bankgiro => &bankgiros,
            Rule::SupplierName => &names,
            _ => &alnums,
        }
    };
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    };
    for _round in 0..12 {
        let docs = 40;
        let (mut gold, mut pred) = (Vec::new(), Vec::new());
        for i in 0..docs {
            let mut fields = Vec::new();
            for f in FIELDS {
                let pool = pools(f, true);
                if next(4) > 0 {
                    fields.push(format!("\"{f}\": {}", pool[next(pool.len())]));
                }
            }
            let file = if next(3) == 0 { format!("sub/doc{i}.pdf") } else { format!("doc{i}.pdf") };
            gold.push(gold_line(&file, &fields.join(", ")));
            for _ in 0..next(3) {
                let mut values = Vec::new();
                for f in FIELDS {
                    let pool = pools(f, false);
                    if next(3) > 0 {
                        let v = pool[next(pool.len())];
                        values.push(if next(3) == 0 {
                            format!("\"{f}\": {{\"value\": {v}, \"confidence\": 0.5}}")
                        } else {
                            format!("\"{f}\": {v}")
                        });
                    }
                }
                let key = keys[next(keys.len())]
                    .replace("{i}", &i.to_string())
                    .replace("{j}", &next(docs).to_string());
                let key_name = ["file", "path", "source"][next(3)];
                pred.push(if next(2) == 0 {
                    format!("{{\"{key_name}\": \"{key}\", \"fields\": {{{}}}}}", values.join(", "))
                } else {
                    format!("{{\"{key_name}\": \"{key}\", {}}}", values.join(", "))
                        .replace(", }", "}")
                });
            }
        }
        let (gold, pred) = (gold.join("\n"), pred.join("\n"));
        let result = check(&gold, &pred);
        assert!(result.is_ok(), "{result:?}");
    }
}

#[test]
fn names_the_file_and_line() {
    let cases: Vec<(&str, &str, &str)> = vec![
        ("{\"file\": \"a.pdf\"}\n\n{", "", "gold, line 3: not JSON"),
        ("", "\n  [1]", "predictions, line 2: expected a JSON object, found list"),
        ("", "  {\"a\" 1}", "predictions, line 1: not JSON: Expecting ':' delimiter at column 8"),
        (
            "{\"file\": \"a.pdf\", \"total_amount\": \"n/a\"}",
            "{\"file\": \"a.pdf\", \"total_amount\": 2}",
            "gold, line 1: total_amount",
        ),
    ];
    for (gold, pred, expected) in cases {
        let got = evaluate(gold, pred).map(|_| ()).map_err(|e| e.to_string());
        assert!(
            matches!(&got, Err(e) if e.starts_with(expected)),
            "{got:?} should start with {expected:?}"
        );
    }
    let missing = evaluate_files(Path::new("/nonexistent/gold.jsonl"), Path::new("p.jsonl"));
    assert!(matches!(missing, Err(Error::Read { .. })));
}
