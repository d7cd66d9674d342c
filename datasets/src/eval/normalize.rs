//! `norm` and `match` of `score.py`: how one field's gold and predicted values
//! are normalised and compared.

use unicode_normalization::UnicodeNormalization;

use super::pyjson::Py;
use super::pytext::{decimal_value, is_space, is_word, parse_float, round, strip, to_str};

/// The scored fields, in the order `score.py` reports them.
pub const FIELDS: [&str; 12] = [
    "invoice_number",
    "invoice_date",
    "due_date",
    "currency",
    "total_amount",
    "vat_amount",
    "net_amount",
    "supplier_name",
    "supplier_vat",
    "iban",
    "bankgiro",
    "payment_reference",
];

/// Legal-form words that `supplier_name` ignores.
const LEGAL: [&str; 20] = [
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

/// How a field is normalised and compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    Amount,
    Date,
    Currency,
    Bankgiro,
    /// Letters and digits only, upper-case.
    Alnum,
    SupplierName,
    /// `s.strip()`: fields outside the list above.
    Plain,
}

impl Rule {
    pub fn of(field: &str) -> Rule {
        match field {
            "total_amount" | "vat_amount" | "net_amount" => Rule::Amount,
            "invoice_date" | "due_date" => Rule::Date,
            "currency" => Rule::Currency,
            "bankgiro" => Rule::Bankgiro,
            "invoice_number" | "supplier_vat" | "iban" | "payment_reference" => Rule::Alnum,
            "supplier_name" => Rule::SupplierName,
            _ => Rule::Plain,
        }
    }
}

/// A normalised value: amounts that parse are floats, everything else text.
#[derive(Debug, Clone, PartialEq)]
pub enum Norm {
    Float(f64),
    Str(String),
}

/// `norm(field, v)`: `None` for a missing, null or empty value, which is not
/// scored (gold) or counts as wrong (prediction). `v` is `{"value": ...}` or
/// the bare value.
pub fn norm(rule: Rule, v: Option<&Py>) -> Option<Norm> {
    let v = match v {
        Some(Py::Dict(d)) => d.get("value"),
        other => other,
    };
    let v = match v {
        None | Some(Py::None) => return None,
        Some(Py::Str(s)) if s.is_empty() => return None,
        Some(v) => v,
    };
    let s = to_str(v);
    let text = match rule {
        Rule::Amount => {
            let cleaned = s.replace([' ', '\u{a0}'], "").replace(',', ".");
            return Some(match parse_float(&cleaned) {
                Some(x) => Norm::Float(round(x, 2)),
                None => Norm::Str(s),
            });
        }
        Rule::Date => s.chars().take(10).collect(),
        Rule::Currency => strip(&s).to_uppercase(),
        Rule::Bankgiro => s.chars().filter(|&c| decimal_value(c).is_some()).collect(),
        Rule::Alnum => {
            s.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_uppercase()).collect()
        }
        Rule::SupplierName => supplier_name(&s),
        Rule::Plain => strip(&s).to_string(),
    };
    Some(Norm::Str(text))
}

/// NFKD, lower case, punctuation to spaces, legal-form words dropped,
/// whitespace collapsed. After the punctuation step only `\w` and `\s`
/// characters are left, so `\b(gmbh|...)\b` matches exactly the whitespace-
/// separated words that equal a legal form.
fn supplier_name(s: &str) -> String {
    let lowered = s.nfkd().collect::<String>().to_lowercase();
    let cleaned: String =
        lowered.chars().map(|c| if is_word(c) || is_space(c) { c } else { ' ' }).collect();
    let words: Vec<&str> =
        cleaned.split(is_space).filter(|w| !w.is_empty() && !LEGAL.contains(w)).collect();
    words.join(" ")
}

/// A gold amount that is not a number against a predicted number: `score.py`
/// stops with a `TypeError` there.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeClash;

/// `match(field, g, p)`.
pub fn matches(rule: Rule, gold: &Norm, pred: Option<&Norm>) -> Result<bool, TypeClash> {
    let Some(pred) = pred else { return Ok(false) };
    Ok(match (rule, gold, pred) {
        (Rule::Amount, Norm::Float(g), Norm::Float(p)) => (p - g).abs() < 0.01,
        (Rule::Amount, Norm::Str(_), Norm::Float(_)) => return Err(TypeClash),
        (Rule::Amount, _, Norm::Str(_)) => false,
        (Rule::SupplierName, Norm::Str(g), Norm::Str(p)) => {
            p == g || (p.chars().count() >= 4 && (g.contains(p.as_str()) || p.contains(g.as_str())))
        }
        (_, g, p) => g == p,
    })
}

#[cfg(test)]
mod tests {
    use super::super::pyjson::loads;
    use super::*;

    fn check(field: &str, json: &str, expected: Option<Norm>) {
        let v = loads(json).ok();
        assert_eq!(norm(Rule::of(field), v.as_ref()), expected, "{field} {json}");
    }

    #[test]
    fn normalises_as_score_py() {
        let f = Norm::Float;
        let s = |v: &str| Some(Norm::Str(v.to_string()));
        let cases: Vec<(&str, &str, Option<Norm>)> = vec![
            ("total_amount", "110.0", Some(f(110.0))),
            ("total_amount", "110", Some(f(110.0))),
            ("total_amount", r#"{"value": 1005.554, "confidence": 0.9}"#, Some(f(1005.55))),
            ("total_amount", r#""1 005,55""#, Some(f(1005.55))),
            ("total_amount", "\"1\u{a0}005,555\"", Some(f(1005.55))),
            ("total_amount", r#""1.234,56""#, s("1.234,56")),
            ("total_amount", r#"" 1e3 ""#, Some(f(1000.0))),
            ("total_amount", r#""12 kr""#, s("12 kr")),
            ("total_amount", "true", s("True")),
            ("total_amount", r#""""#, None),
            ("total_amount", r#"{"value": ""}"#, None),
            ("total_amount", r#"{"confidence": 0.9}"#, None),
            ("total_amount", "null", None),
            ("invoice_date", r#""2024-01-31T00:00:00Z""#, s("2024-01-31")),
            ("invoice_date", "20240131.0", s("20240131.0")),
            ("due_date", r#""31.1.2024""#, s("31.1.2024")),
            ("currency", "\" sek\u{3000}\"", s("SEK")),
            ("bankgiro", r#""5050-1055""#, s("50501055")),
            ("bankgiro", r#""٥٠٥٠-١٠٥٥""#, s("٥٠٥٠١٠٥٥")),
            ("bankgiro", "50501055", s("50501055")),
            ("iban", r#""se45 5000 0000 0583 9825 7466""#, s("SE4550000000058398257466")),
            ("invoice_number", r#"["f-1", 2]"#, s("F12")),
            ("payment_reference", r#""Ref: ö-12""#, s("REF12")),
            ("supplier_name", r#""Kraxi GmbH""#, s("kraxi")),
            ("supplier_name", r#""Åkerlunds Bygg AB (publ)""#, s("a kerlunds bygg publ")),
            ("supplier_name", r#""Société Générale S.A.""#, s("socie te ge ne rale s a")),
            ("supplier_name", r#""ACME Co. Ltd.""#, s("acme")),
            ("supplier_name", r#""abc_ab AB\tAS-SE""#, s("abc_ab")),
            ("supplier_name", r#""ＡＣＭＥ ＧｍｂＨ""#, s("acme")),
            ("supplier_name", r#""AB""#, s("")),
        ];
        for (field, json, expected) in cases {
            check(field, json, expected);
        }
    }

    #[test]
    fn compares_as_score_py() {
        let f = |x: f64| Norm::Float(x);
        let s = |v: &str| Norm::Str(v.to_string());
        type Case = (&'static str, Norm, Option<Norm>, Result<bool, TypeClash>);
        let cases: Vec<Case> = vec![
            ("total_amount", f(110.0), Some(f(110.0)), Ok(true)),
            ("total_amount", f(110.0), Some(f(110.009)), Ok(true)),
            ("total_amount", f(110.0), Some(f(110.01)), Ok(false)),
            ("total_amount", f(110.0), Some(s("110")), Ok(false)),
            ("total_amount", f(f64::NAN), Some(f(f64::NAN)), Ok(false)),
            ("total_amount", s("n/a"), Some(s("n/a")), Ok(false)),
            ("total_amount", s("n/a"), Some(f(1.0)), Err(TypeClash)),
            ("total_amount", f(1.0), None, Ok(false)),
            ("supplier_name", s("kraxi"), Some(s("kraxi")), Ok(true)),
            ("supplier_name", s("kraxi"), Some(s("kraxi pdf")), Ok(true)),
            ("supplier_name", s("alphabet fuhrparkmanagement"), Some(s("alph")), Ok(true)),
            ("supplier_name", s("alphabet"), Some(s("alp")), Ok(false)),
            ("supplier_name", s("abc"), Some(s("abcd")), Ok(true)),
            ("supplier_name", s(""), Some(s("anything")), Ok(true)),
            ("supplier_name", s(""), Some(s("")), Ok(true)),
            ("supplier_name", s("öl"), Some(s("ölöl")), Ok(true)),
            ("iban", s("SE45"), Some(s("SE4")), Ok(false)),
            ("invoice_date", s("2024-01-31"), Some(s("2024-01-31")), Ok(true)),
        ];
        for (field, gold, pred, expected) in cases {
            assert_eq!(
                matches(Rule::of(field), &gold, pred.as_ref()),
                expected,
                "{field} {gold:?} {pred:?}"
            );
        }
    }
}
