//! Validators for the identifiers printed on invoices and for the invoice
//! arithmetic.
//!
//! Every identifier validator takes messy human input (spaces, NBSP, thin
//! spaces, hyphens, dots, lowercase, a stray `,` or `:` from the surrounding
//! text) and returns the normalised value only when it is valid:
//!
//! - Swedish: [`bankgiro`], [`plusgiro`], [`org_nr`], [`personnummer`],
//!   the OCR payment reference ([`ocr_reference`], [`ocr_reference_check`]),
//!   and [`se_vat_number`]; all rest on the Luhn mod 10 check ([`luhn_valid`]).
//! - International: [`vat_number`] (form check per country), [`iban`]
//!   (length per country and ISO 7064 mod 97), [`bic`], the creditor
//!   reference [`rf_reference`] (ISO 11649).
//! - Generators for synthetic data: [`luhn_check_digit`],
//!   [`make_ocr_reference`], [`make_iban`].
//! - Arithmetic: [`totals_consistent`], [`totals_consistent_with_rounding`],
//!   [`vat_rate_allowed`], [`vat_matches_rate`].

mod arithmetic;
mod bank;
mod countries;
mod creditor;
mod field;
mod luhn;
mod ocr;
mod swedish;
mod vat;

/// Runs a table of `(input, expected)` cases through a validator and reports
/// every mismatch at once. Shared by the validator modules' tests.
#[cfg(test)]
fn check_table(f: fn(&str) -> Option<String>, name: &str, cases: &[(&str, Option<&str>)]) {
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|&(input, expected)| {
            let got = f(input);
            (got.as_deref() != expected)
                .then(|| format!("{name}({input:?}) = {got:?}, expected {expected:?}"))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

pub use arithmetic::{
    totals_consistent, totals_consistent_with_rounding, vat_matches_rate, vat_rate_allowed,
};
pub use bank::{bic, iban, make_iban};
pub use creditor::rf_reference;
pub use field::field_passes_check;
pub use luhn::{luhn_check_digit, luhn_valid};
pub use ocr::{OcrCheck, make_ocr_reference, ocr_reference, ocr_reference_check};
pub use swedish::{bankgiro, org_nr, personnummer, plusgiro};
pub use vat::{gstin, national_tax_id, se_vat_number, spanish_tax_id, vat_number};

/// Characters that people and PDF text layers put between the characters of
/// an identifier: any Unicode white space (NBSP U+00A0, thin space U+2009,
/// narrow NBSP U+202F included), zero-width spaces, hyphens and dashes, dots.
fn is_separator(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '-' | '\u{2010}'
                | '\u{2011}'
                | '\u{2012}'
                | '\u{2013}'
                | '\u{2014}'
                | '\u{2212}'
                | '.'
                | '\u{200B}'
                | '\u{FEFF}'
        )
}

/// Punctuation that sticks to a token from the sentence around it.
fn is_outer_punct(c: char) -> bool {
    c.is_whitespace()
        || matches!(c, ',' | ';' | ':' | '(' | ')' | '[' | ']' | '{' | '}' | '"' | '\'' | '.')
}

/// Trims surrounding punctuation such as `(`, `:`, `,` and white space.
fn trim_outer(s: &str) -> &str {
    s.trim_matches(is_outer_punct)
}

/// The digits of `s` with separators removed; `None` if anything else is
/// left (letters, other symbols) or nothing is left.
fn digits_only(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    for c in trim_outer(s).chars() {
        if c.is_ascii_digit() {
            out.push(c);
        } else if !is_separator(c) {
            return None;
        }
    }
    (!out.is_empty()).then_some(out)
}

/// Separators removed and upper-cased; `None` unless only ASCII letters and
/// digits are left.
fn compact_alnum(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    for c in trim_outer(s).chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_uppercase());
        } else if !is_separator(c) {
            return None;
        }
    }
    (!out.is_empty()).then_some(out)
}

fn all_zero(digits: &str) -> bool {
    digits.bytes().all(|b| b == b'0')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers_table() {
        let cases: &[(&str, Option<&str>, Option<&str>)] = &[
            ("5050-1055", Some("50501055"), Some("50501055")),
            ("\u{a0}12\u{2009}34\u{202f}56 ", Some("123456"), Some("123456")),
            ("(556036-0793),", Some("5560360793"), Some("5560360793")),
            ("se 5566.7788", None, Some("SE55667788")),
            ("12/34", None, None),
            ("", None, None),
            (" - ", None, None),
        ];
        let mut failures = Vec::new();
        for &(input, digits, alnum) in cases {
            if digits_only(input).as_deref() != digits {
                failures.push(format!("digits_only({input:?}) = {:?}", digits_only(input)));
            }
            if compact_alnum(input).as_deref() != alnum {
                failures.push(format!("compact_alnum({input:?}) = {:?}", compact_alnum(input)));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    /// Hostile inputs: every validator answers without panicking.
    #[test]
    fn garbage_table() {
        let cases: &[&str] = &[
            "",
            " ",
            "-",
            "+",
            "++",
            "€",
            "ä",
            "()",
            "(",
            ":-",
            "SE",
            "CHE",
            "16",
            "0",
            "00",
            "\u{200b}",
            "١٢٣",
            "𝟙𝟚𝟛",
            "SE45 5000 €",
            "ÅÄÖ-123",
            "99999999999999999999999999999999",
            "12345678901234567890123456789012345678901234567890",
            "GBGD",
            "XX",
            "sE4",
            "1+2",
        ];
        for &input in cases {
            let _ = (bankgiro(input), plusgiro(input), org_nr(input), personnummer(input));
            let _ = (ocr_reference(input), ocr_reference_check(input), se_vat_number(input));
            let _ = (vat_number(input), iban(input), bic(input), luhn_valid(input));
            let _ = rf_reference(input);
            let _ = (luhn_check_digit(input), make_ocr_reference(input, true));
            let _ = (make_iban(input, input), make_iban("SE", input), make_iban(input, "1234"));
        }
    }
}
