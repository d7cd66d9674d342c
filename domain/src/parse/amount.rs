//! Amounts and percentages as printed on invoices.

use std::str::FromStr;

use rust_decimal::Decimal;

use super::currency::{strip_currency_prefix, strip_currency_suffix};
use super::is_space;

/// Characters read as a minus sign: hyphen-minus, U+2212 minus, dashes.
const MINUS: &[char] = &['-', '\u{2212}', '\u{2013}', '\u{2012}', '\u{2011}'];

/// Suffixes meaning "whole units": `1 234,-`, `12.--`.
const WHOLE_MARKERS: &[&str] = &[",--", ",-", ".--", ".-", ",\u{2013}", ",\u{2212}"];

/// Longest integer part without thousands separators; longer digit runs are
/// identifiers (org.nr, OCR, phone numbers), not amounts.
const MAX_UNGROUPED_DIGITS: usize = 9;
const MAX_INTEGER_DIGITS: usize = 15;
const MAX_DECIMALS: usize = 6;

fn trim_spaces(s: &str) -> &str {
    s.trim_matches(is_space)
}

/// Writes an amount the Swedish way, for messages: two decimals, a comma,
/// spaces between thousands (`-1 250,00`).
pub fn format_amount_sv(amount: Decimal) -> String {
    let rounded = amount.round_dp(2);
    let text = format!("{:.2}", rounded.abs());
    let (int, frac) = text.split_once('.').unwrap_or((&text, "00"));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(' ');
        }
        grouped.push(c);
    }
    let sign = if rounded.is_sign_negative() && !rounded.is_zero() { "-" } else { "" };
    format!("{sign}{grouped},{frac}")
}

/// Parses an amount; see [`parse_amount_with`]. A lone `.` or `,` followed by
/// exactly three digits (`1,234`, `1.234`) is read as a thousands separator.
pub fn parse_amount(s: &str) -> Option<Decimal> {
    parse_amount_with(s, None)
}

/// The markers around the number, stripped.
struct Outer<'a> {
    core: &'a str,
    negative: bool,
    whole: bool,
}

/// Strips currency markers (at most one), a sign (at most one: leading or
/// trailing minus, or parentheses) and a whole-units marker, in any order.
fn strip_outer(s: &str) -> Option<Outer<'_>> {
    let mut rest = trim_spaces(s);
    let (mut currency, mut negative, mut whole) = (false, false, false);
    loop {
        let parens = rest.strip_prefix('(').and_then(|r| r.strip_suffix(')'));
        if let Some(r) = parens.filter(|_| !negative) {
            negative = true;
            rest = trim_spaces(r);
        } else if let Some(r) = strip_currency_prefix(rest).filter(|_| !currency) {
            currency = true;
            rest = trim_spaces(r);
        } else if let Some(r) = strip_currency_suffix(rest).filter(|_| !currency) {
            currency = true;
            rest = trim_spaces(r);
        } else if let Some(r) = rest.strip_prefix(MINUS).filter(|_| !negative) {
            negative = true;
            rest = trim_spaces(r);
        } else if let Some(r) =
            WHOLE_MARKERS.iter().find_map(|m| rest.strip_suffix(m)).filter(|_| !whole)
        {
            whole = true;
            rest = r;
        } else if let Some(r) = rest.strip_suffix(MINUS).filter(|_| !negative) {
            negative = true;
            rest = trim_spaces(r);
        } else {
            break;
        }
    }
    Some(Outer { core: rest, negative, whole })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sep {
    Point(char),
    Space,
    Apostrophe,
}

/// Parses an amount as printed on an invoice: `1 234,56`, `1.234,56`,
/// `1,234.56`, `1'234.56`, `1234`, `12,5`, with thousands separated by
/// spaces (NBSP, thin spaces included), dots, commas or apostrophes; an
/// optional currency marker before or after (`kr`, `kr.`, `SEK`, `EUR`,
/// `USD`, `GBP`, `NOK`, `DKK`, `CHF`, `€`, `$`, `£`, `:-`); a sign as `-`,
/// `−` (U+2212) before or after, or parentheses; `1 234,-` for whole units.
///
/// `decimal_sep` (`Some('.')` or `Some(',')`) only settles the ambiguous
/// case of one separator followed by exactly three digits (`1,234`): by
/// default that separator groups thousands. When the number itself shows
/// which separator is decimal (`1.234,56`, `12,50`), the hint is ignored.
///
/// Rejects letters other than currency markers, dates (`2026-11-22`,
/// `22.11.2026`), phone-number-like strings (`08-123 45 67`, `+46 …`),
/// badly grouped digits (`12 34 56`), leading zeros (`0701234567`) and runs
/// of more than nine digits without separators.
pub fn parse_amount_with(s: &str, decimal_sep: Option<char>) -> Option<Decimal> {
    let outer = strip_outer(s)?;
    let value = parse_number(outer.core, decimal_sep, outer.whole)?;
    Some(if outer.negative { -value } else { value })
}

/// The digits-and-separators part of an amount.
fn parse_number(core: &str, hint: Option<char>, whole: bool) -> Option<Decimal> {
    let mut runs: Vec<String> = vec![String::new()];
    let mut seps: Vec<Sep> = Vec::new();
    for c in core.chars() {
        if c.is_ascii_digit() {
            runs.last_mut()?.push(c);
            continue;
        }
        let sep = match c {
            '.' | ',' => Sep::Point(c),
            '\'' | '\u{2019}' => Sep::Apostrophe,
            c if is_space(c) => Sep::Space,
            _ => return None,
        };
        if runs.last()?.is_empty() {
            // Only repeated spaces may follow each other ("1  234").
            if sep == Sep::Space && seps.last() == Some(&Sep::Space) {
                continue;
            }
            return None;
        }
        seps.push(sep);
        runs.push(String::new());
    }
    if runs.last()?.is_empty() {
        return None;
    }

    let n = seps.len();
    let decimal_at = match seps.last() {
        Some(&Sep::Point(c)) if !whole && !seps[..n - 1].contains(&Sep::Point(c)) => {
            let ambiguous = n == 1
                && runs[1].len() == 3
                && (1..=3).contains(&runs[0].len())
                && !runs[0].starts_with('0');
            (!ambiguous || hint == Some(c)).then_some(n - 1)
        }
        _ => None,
    };
    let groups = decimal_at.unwrap_or(n);
    let thousands = &seps[..groups];
    if thousands.iter().any(|s| Some(s) != thousands.first()) {
        return None; // mixed thousands separators
    }
    let int_runs = &runs[..=groups];
    let first = &int_runs[0];
    if groups == 0 {
        if first.len() > MAX_UNGROUPED_DIGITS || (first.len() > 1 && first.starts_with('0')) {
            return None;
        }
    } else if !(1..=3).contains(&first.len())
        || first.starts_with('0')
        || int_runs[1..].iter().any(|r| r.len() != 3)
    {
        return None;
    }
    let mut text: String = int_runs.concat();
    if text.len() > MAX_INTEGER_DIGITS {
        return None;
    }
    if decimal_at.is_some() {
        let frac = runs.last()?;
        if frac.len() > MAX_DECIMALS {
            return None;
        }
        text.push('.');
        text.push_str(frac);
    }
    Decimal::from_str(&text).ok()
}

/// Parses a percentage: `25%`, `25 %`, `25,00 %`, `12.5%`, `(6%)`. The `%`
/// sign is required; the value must lie in 0..=100.
pub fn parse_percent(s: &str) -> Option<Decimal> {
    let t = s.trim_matches(|c: char| is_space(c) || matches!(c, '(' | ')' | ':' | ';'));
    let num = trim_spaces(t.strip_suffix('%')?);
    // "zzgl. +19 % USt.": a plus sign says the rate is added.
    let num = num.strip_prefix('+').unwrap_or(num);
    let (int, frac) = match num.find(['.', ',']) {
        Some(i) => (&num[..i], Some(&num[i + 1..])),
        None => (num, None),
    };
    let digits =
        |s: &str, max: usize| (1..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(int, 3) || !frac.is_none_or(|f| digits(f, 4)) {
        return None;
    }
    let text = match frac {
        Some(f) => format!("{int}.{f}"),
        None => int.to_string(),
    };
    Decimal::from_str(&text).ok().filter(|v| *v <= Decimal::ONE_HUNDRED)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_the_swedish_way() {
        for (input, expected) in [
            ("1250", "1 250,00"),
            ("-1520.5", "-1 520,50"),
            ("0.004", "0,00"),
            ("999", "999,00"),
            ("1234567.891", "1 234 567,89"),
        ] {
            assert_eq!(format_amount_sv(input.parse().unwrap()), expected, "{input}");
        }
    }

    fn check(input: &str, hint: Option<char>, expected: Option<&str>) -> Option<String> {
        let got = match hint {
            None => parse_amount(input),
            Some(_) => parse_amount_with(input, hint),
        };
        let want =
            expected.map(|e| Decimal::from_str(e).unwrap_or_else(|err| panic!("{e}: {err}")));
        (got != want)
            .then(|| format!("parse_amount_with({input:?}, {hint:?}) = {got:?}, expected {want:?}"))
    }

    #[test]
    fn amount_table() {
        let cases: &[(&str, Option<&str>)] = &[
            ("1 234,56", Some("1234.56")),
            ("1.234,56", Some("1234.56")),
            ("1,234.56", Some("1234.56")),
            ("1234.56 kr", Some("1234.56")),
            ("1234,56 SEK", Some("1234.56")),
            ("SEK 1 234,56", Some("1234.56")),
            ("€ 12,50", Some("12.50")),
            ("12,50 €", Some("12.50")),
            ("12,50€", Some("12.50")),
            ("$1,234.56", Some("1234.56")),
            ("-12,00", Some("-12.00")),
            ("\u{2212}12,00", Some("-12.00")),
            ("12,00-", Some("-12.00")),
            ("(12,00)", Some("-12.00")),
            ("(1 234,00 kr)", Some("-1234.00")),
            ("-1 234,00 kr", Some("-1234.00")),
            ("SEK -1 234,56", Some("-1234.56")),
            ("-€12,00", Some("-12.00")),
            ("1\u{a0}234,56", Some("1234.56")),
            ("1\u{2009}234,56", Some("1234.56")),
            ("1\u{202f}234\u{202f}567,89", Some("1234567.89")),
            ("1'234.56", Some("1234.56")),
            ("1\u{2019}234.56", Some("1234.56")),
            ("1234", Some("1234")),
            ("12,5", Some("12.5")),
            ("0,50", Some("0.50")),
            ("0", Some("0")),
            ("1,234", Some("1234")), // ambiguous: thousands by default
            ("1.234", Some("1234")),
            ("12.345.678", Some("12345678")),
            ("1,234,567.89", Some("1234567.89")),
            ("0,125", Some("0.125")), // leading 0 cannot be a thousands group
            ("1234,567", Some("1234.567")), // four digits before: decimal
            ("1 234,-", Some("1234")),
            ("1.234,-", Some("1234")),
            ("1 234:-", Some("1234")),
            ("125 kr.", Some("125")),
            ("  99,90 kr  ", Some("99.90")),
            ("1  234,56", Some("1234.56")), // doubled space from a PDF
            ("USD 10.00", Some("10.00")),
            ("10 CHF", Some("10")),
            ("sek 10", Some("10")),
            ("2026-11-22", None),
            ("22.11.2026", None),
            ("22/11/2026", None),
            ("22.11.26", None),
            ("08-123 45 67", None),
            ("070-123 45 67", None),
            ("+46 70 123 45 67", None),
            ("0701234567", None),
            ("12 34 56", None),
            ("5560360793", None), // an org.nr
            ("1,23,456.78", None),
            ("1.234.56", None),
            ("1 234.567,89", None), // mixed thousands separators
            ("12abc", None),
            ("abc", None),
            ("kr", None),
            ("", None),
            ("12 kr SEK", None),
            ("--12", None),
            ("(-12,00)", None),
            ("12,", None),
            (",50", None),
            ("1,2,3", None),
            ("12:30", None),
            ("25 %", None),
            ("1e5", None),
            ("12,1234567", None),
        ];
        let failures: Vec<String> =
            cases.iter().filter_map(|&(input, expected)| check(input, None, expected)).collect();
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn amount_with_hint_table() {
        let cases: &[(&str, Option<char>, Option<&str>)] = &[
            ("1,234", Some(','), Some("1.234")),
            ("1,234", Some('.'), Some("1234")),
            ("1.234", Some('.'), Some("1.234")),
            ("1.234", Some(','), Some("1234")),
            ("12,50", Some('.'), Some("12.50")), // unambiguous: the hint is not needed
            ("1.234,56", Some('.'), Some("1234.56")),
            ("1,234", Some(' '), Some("1234")),
            ("1 234,-", Some(','), Some("1234")),
            ("1,234.567", Some(','), Some("1234.567")),
            ("0,125", Some('.'), Some("0.125")),
        ];
        let failures: Vec<String> = cases
            .iter()
            .filter_map(|&(input, hint, expected)| check(input, hint, expected))
            .collect();
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn percent_table() {
        let cases: &[(&str, Option<&str>)] = &[
            ("25%", Some("25")),
            ("25 %", Some("25")),
            ("25\u{a0}%", Some("25")),
            ("25,00 %", Some("25")),
            ("12.5%", Some("12.5")),
            ("6%", Some("6")),
            ("0%", Some("0")),
            ("100%", Some("100")),
            ("(25%)", Some("25")),
            ("25 %:", Some("25")),
            ("101%", None),
            ("25", None),
            ("%", None),
            ("-25%", None),
            ("+19%", Some("19")),
            ("++19%", None),
            ("25,%", None),
            ("2 5%", None),
            ("1000%", None),
            ("abc%", None),
            ("25%%", None),
        ];
        for &(input, expected) in cases {
            let want = expected.and_then(|e| Decimal::from_str(e).ok());
            assert_eq!(parse_percent(input), want, "parse_percent({input:?})");
        }
    }
}
