//! Currency names and symbols.

/// Spellings per ISO 4217 code, lower-case.
const CURRENCIES: &[(&str, &[&str])] = &[
    ("SEK", &["sek", "kr", "kr.", ":-", "kronor", "krona", "skr", "sek."]),
    ("EUR", &["eur", "€", "euro", "euros", "eur."]),
    ("USD", &["usd", "$", "us$", "usd."]),
    ("GBP", &["gbp", "£", "gbp."]),
    ("NOK", &["nok", "nkr", "nok."]),
    ("DKK", &["dkk", "dkr", "dkk."]),
    ("CHF", &["chf", "chf."]),
    ("INR", &["inr", "₹", "rs.", "rs", "inr."]),
    ("MYR", &["myr", "rm"]),
    ("PLN", &["pln", "zł", "zl"]),
    ("CZK", &["czk", "kč"]),
    ("ISK", &["isk"]),
    ("HUF", &["huf"]),
    ("RON", &["ron"]),
    ("JPY", &["jpy"]),
    ("CNY", &["cny", "rmb"]),
    ("AUD", &["aud", "a$"]),
    ("CAD", &["cad", "c$"]),
    ("SGD", &["sgd", "s$"]),
    ("HKD", &["hkd", "hk$"]),
    ("NZD", &["nzd"]),
    ("ZAR", &["zar"]),
];

/// The currency of a country (ISO 3166 alpha-2, or a VAT-number prefix such
/// as `EL` for Greece and `XI` for Northern Ireland), for invoices that
/// print no currency but name the supplier's country through a VAT number or
/// an IBAN.
pub fn country_currency(country: &str) -> Option<&'static str> {
    Some(match country {
        "SE" => "SEK",
        "DK" => "DKK",
        "NO" => "NOK",
        "IS" => "ISK",
        "GB" | "XI" => "GBP",
        "CH" | "LI" => "CHF",
        "PL" => "PLN",
        "CZ" => "CZK",
        "HU" => "HUF",
        "RO" => "RON",
        "US" => "USD",
        "IN" => "INR",
        "MY" => "MYR",
        "AU" => "AUD",
        "CA" => "CAD",
        "JP" => "JPY",
        "CN" => "CNY",
        "SG" => "SGD",
        "HK" => "HKD",
        "NZ" => "NZD",
        "AR" => "ARS",
        "MX" => "MXN",
        "CL" => "CLP",
        "CO" => "COP",
        "ZA" => "ZAR",
        "AT" | "BE" | "CY" | "DE" | "EE" | "ES" | "FI" | "FR" | "GR" | "EL" | "HR" | "IE"
        | "IT" | "LT" | "LU" | "LV" | "MT" | "NL" | "PT" | "SI" | "SK" | "MC" | "SM" | "VA"
        | "AD" => "EUR",
        _ => return None,
    })
}

/// The ISO 4217 code for a currency as printed: `kr`, `kr.`, `SEK`, `:-` →
/// `SEK`; `€`, `EUR`, `Euro` → `EUR`; `$`, `USD` → `USD`; `£`, `GBP` →
/// `GBP`; `NOK`, `DKK`, `CHF`. Case-insensitive; surrounding spaces and
/// brackets (`(SEK)`) are ignored. `kr` alone means SEK: Swedish invoices are
/// the norm here (the rules read Danish and Norwegian `kr` from the country).
pub fn normalize_currency(s: &str) -> Option<&'static str> {
    let t = s
        .trim_matches(|c: char| super::is_space(c) || matches!(c, '(' | ')' | '[' | ']' | ','))
        .to_lowercase();
    CURRENCIES.iter().find(|(_, names)| names.contains(&t.as_str())).map(|&(code, _)| code)
}

/// Currency markers accepted around an amount, longest first where one is a
/// prefix or suffix of another.
const AMOUNT_MARKERS: &[&str] = &[
    "kronor", "kr.", "kr", "SEK", "EUR", "euro", "USD", "US$", "GBP", "NOK", "DKK", "CHF", "INR",
    "Rs.", "MYR", "RM", "PLN", "CZK", "€", "$", "£", "₹", ":-",
];

/// The currency of a marker glued to the start or end of a word
/// (`₹17,676.00`, `12,50€`, `SEK100`, `100:-`): its ISO 4217 code.
pub fn glued_currency(word: &str) -> Option<&'static str> {
    let word = word.trim_matches(|c: char| matches!(c, '(' | ')' | '[' | ']' | ',' | ';'));
    AMOUNT_MARKERS.iter().find_map(|m| {
        let head = word.get(..m.len()).filter(|h| h.eq_ignore_ascii_case(m));
        let tail = word.len().checked_sub(m.len()).and_then(|i| word.get(i..));
        let tail = tail.filter(|t| t.eq_ignore_ascii_case(m));
        head.or(tail).and_then(|_| normalize_currency(m))
    })
}

/// `s` without a leading currency marker (ASCII case-insensitive).
pub(super) fn strip_currency_prefix(s: &str) -> Option<&str> {
    AMOUNT_MARKERS.iter().find_map(|m| {
        let head = s.get(..m.len())?;
        head.eq_ignore_ascii_case(m).then(|| &s[m.len()..])
    })
}

/// `s` without a trailing currency marker (ASCII case-insensitive).
pub(super) fn strip_currency_suffix(s: &str) -> Option<&str> {
    AMOUNT_MARKERS.iter().find_map(|m| {
        let start = s.len().checked_sub(m.len())?;
        let tail = s.get(start..)?;
        tail.eq_ignore_ascii_case(m).then(|| &s[..start])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glued_currency_table() {
        let cases: &[(&str, Option<&str>)] = &[
            ("₹17,676.00", Some("INR")),
            ("Rs.1,200.00", Some("INR")),
            ("12,50€", Some("EUR")),
            ("(€12.00)", Some("EUR")),
            ("EUR1.234,00", Some("EUR")),
            ("100:-", Some("SEK")),
            ("1 000kr", Some("SEK")),
            ("$12.00", Some("USD")),
            ("£9.99", Some("GBP")),
            ("RM12.50", Some("MYR")),
            ("12.50", None),
            ("", None),
            ("€", Some("EUR")),
        ];
        for &(word, want) in cases {
            assert_eq!(glued_currency(word), want, "{word}");
        }
    }

    #[test]
    fn normalize_currency_table() {
        let cases: &[(&str, Option<&str>)] = &[
            ("kr", Some("SEK")),
            ("kr.", Some("SEK")),
            ("Kr", Some("SEK")),
            ("SEK", Some("SEK")),
            ("sek", Some("SEK")),
            (":-", Some("SEK")),
            (" (SEK) ", Some("SEK")),
            ("kronor", Some("SEK")),
            ("€", Some("EUR")),
            ("EUR", Some("EUR")),
            ("Euro", Some("EUR")),
            ("euros", Some("EUR")),
            ("$", Some("USD")),
            ("USD", Some("USD")),
            ("US$", Some("USD")),
            ("£", Some("GBP")),
            ("GBP", Some("GBP")),
            ("NOK", Some("NOK")),
            ("DKK", Some("DKK")),
            ("CHF", Some("CHF")),
            ("\u{a0}chf\u{a0}", Some("CHF")),
            ("", None),
            ("SEKK", None),
            ("JPY", Some("JPY")),
            ("₹", Some("INR")),
            ("Rs.", Some("INR")),
            ("RM", Some("MYR")),
            ("XYZ", None),
            ("krona kr", None),
            ("1 234 kr", None),
        ];
        for &(input, expected) in cases {
            assert_eq!(normalize_currency(input), expected, "normalize_currency({input:?})");
        }
    }

    #[test]
    fn strip_markers_table() {
        // (input, without prefix, without suffix)
        let cases: &[(&str, Option<&str>, Option<&str>)] = &[
            ("SEK 12", Some(" 12"), None),
            ("12 kr", None, Some("12 ")),
            ("12 kr.", None, Some("12 ")),
            ("€12", Some("12"), None),
            ("12€", None, Some("12")),
            ("12:-", None, Some("12")),
            ("12 US$", None, Some("12 ")),
            ("₹1,200", Some("1,200"), None),
            ("Rs.500", Some("500"), None),
            ("RM12.50", Some("12.50"), None),
            ("sek12sek", Some("12sek"), Some("sek12")),
            ("12", None, None),
            ("", None, None),
        ];
        for &(input, prefix, suffix) in cases {
            assert_eq!(strip_currency_prefix(input), prefix, "prefix of {input:?}");
            assert_eq!(strip_currency_suffix(input), suffix, "suffix of {input:?}");
        }
    }
}
