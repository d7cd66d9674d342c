//! The real reader and the rules extractor on the four real dev invoices
//! (the shared dev set, vendored in `tests/fixtures/dev`), scored like
//! `score.py` (for the fields the gold file has): overall accuracy must stay
//! at or above 0.75.

use std::path::{Path, PathBuf};

use invex_domain::{DocumentReader, Extractor, FieldName, Invoice, Value};
use invex_pipeline::RulesExtractor;
use invex_pipeline::pdf::PdfiumReader;

/// A gold value: the flat JSON objects of groundtruth.jsonl hold strings,
/// numbers and nulls only.
#[derive(Debug, Clone, PartialEq)]
enum Json {
    Null,
    Number(f64),
    String(String),
}

impl std::fmt::Display for Json {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Json::Null => f.write_str("null"),
            Json::Number(n) => write!(f, "{n}"),
            Json::String(s) => write!(f, "{s:?}"),
        }
    }
}

/// Parses one flat JSON object (`{"k": "v", "n": 1.5, "x": null}`).
fn parse_flat(line: &str) -> Vec<(String, Json)> {
    let mut out = Vec::new();
    let mut chars = line.trim().trim_start_matches('{').trim_end_matches('}').chars().peekable();
    let string = |chars: &mut std::iter::Peekable<std::str::Chars>| {
        let mut s = String::new();
        while let Some(c) = chars.next() {
            match c {
                '"' => break,
                '\\' => {
                    if let Some(n) = chars.next() {
                        s.push(n);
                    }
                }
                _ => s.push(c),
            }
        }
        s
    };
    loop {
        while chars.peek().is_some_and(|c| *c != '"') {
            chars.next();
        }
        if chars.next().is_none() {
            break;
        }
        let key = string(&mut chars);
        while chars.peek().is_some_and(|c| c.is_whitespace() || *c == ':') {
            chars.next();
        }
        let value = match chars.peek() {
            Some('"') => {
                chars.next();
                Json::String(string(&mut chars))
            }
            _ => {
                let mut raw = String::new();
                while chars.peek().is_some_and(|c| *c != ',') {
                    raw.extend(chars.next());
                }
                raw.trim().parse::<f64>().map_or(Json::Null, Json::Number)
            }
        };
        out.push((key, value));
    }
    out
}

fn dev_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/dev")
}

fn alnum_upper(s: &str) -> String {
    s.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_uppercase()).collect()
}

const LEGAL: &[&str] = &[
    "gmbh",
    "ag",
    "ab",
    "aktiebolag",
    "inc",
    "ltd",
    "llc",
    "sa",
    "sas",
    "sarl",
    "bv",
    "nv",
    "oy",
    "as",
    "aps",
    "co",
    "kg",
    "ohg",
    "se",
    "plc",
];

fn name_norm(s: &str) -> String {
    let lower = s.to_lowercase();
    let cleaned: String = lower
        .chars()
        .map(|c| if c.is_alphanumeric() || c.is_whitespace() { c } else { ' ' })
        .collect();
    cleaned.split_whitespace().filter(|w| !LEGAL.contains(w)).collect::<Vec<_>>().join(" ")
}

/// One field scored as `score.py` does.
fn correct(field: &str, gold: &Json, inv: &Invoice) -> bool {
    let Some(name) = FieldName::parse(field) else { return false };
    let Some(pred) = inv.get(name).map(|f| &f.value) else { return false };
    match (gold, pred) {
        (Json::Number(g), Value::Amount(p)) => {
            let p: f64 = p.to_string().parse().unwrap_or(f64::NAN);
            (p - g).abs() < 0.01
        }
        (Json::String(g), Value::Date(d)) => {
            d.format("%Y-%m-%d").to_string() == g[..g.len().min(10)]
        }
        (Json::String(g), Value::Text(p)) => match field {
            "currency" => g.trim().to_uppercase() == p.trim().to_uppercase(),
            "bankgiro" => {
                let d = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
                d(g) == d(p)
            }
            "supplier_name" => {
                let (g, p) = (name_norm(g), name_norm(p));
                g == p || (p.chars().count() >= 4 && (g.contains(&p) || p.contains(&g)))
            }
            _ => alnum_upper(g) == alnum_upper(p),
        },
        _ => false,
    }
}

#[test]
fn dev_set_accuracy() {
    let dir = dev_dir();
    let lib = Path::new(env!("CARGO_MANIFEST_DIR")).join("../.native/lib/libpdfium.so");
    let gold_path = dir.join("groundtruth.jsonl");
    if !lib.exists() || !gold_path.exists() {
        eprintln!("skipping: {} or {} missing", lib.display(), gold_path.display());
        return;
    }
    let reader = PdfiumReader::load(&lib).unwrap_or_else(|e| panic!("pdfium: {e}"));
    let extractor = RulesExtractor::new();
    let gold = std::fs::read_to_string(&gold_path).unwrap_or_else(|e| panic!("{e}"));
    let (mut hit, mut total) = (0usize, 0usize);
    let mut misses = Vec::new();
    for line in gold.lines().filter(|l| !l.trim().is_empty()) {
        let fields = parse_flat(line);
        let file = match fields.iter().find(|(k, _)| k == "file") {
            Some((_, Json::String(f))) => f.clone(),
            _ => continue,
        };
        let bytes = std::fs::read(dir.join(&file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        let doc = reader.read(&bytes).unwrap_or_else(|e| panic!("{file}: {e}"));
        let inv = extractor.extract(&doc);
        for (field, value) in &fields {
            if field == "file" || *value == Json::Null {
                continue;
            }
            total += 1;
            if correct(field, value, &inv) {
                hit += 1;
            } else {
                let got =
                    FieldName::parse(field).and_then(|n| inv.get(n)).map(|f| f.value.to_string());
                misses.push(format!("{file} {field}: gold {value} got {got:?}"));
            }
        }
    }
    let accuracy = hit as f64 / total.max(1) as f64;
    eprintln!("dev accuracy {hit}/{total} = {accuracy:.3}\n{}", misses.join("\n"));
    assert!(total >= 30, "expected the four dev invoices, scored {total} fields");
    assert!(accuracy >= 0.75, "dev accuracy {accuracy:.3} < 0.75\n{}", misses.join("\n"));
}
