//! The Swedish OCR payment reference ("OCR-nummer"): 2 to 25 digits whose
//! last digit is a Luhn check digit, optionally preceded by a length digit.

use super::luhn::{luhn_check_digit, luhn_valid};
use super::{all_zero, digits_only};

const MIN_LEN: usize = 2;
const MAX_LEN: usize = 25;

/// Which of the OCR reference checks a digit string passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OcrCheck {
    /// The last digit is a Luhn check digit over the whole reference.
    pub luhn: bool,
    /// The variable-length form: the second-to-last digit equals the total
    /// length (check and length digit included) mod 10.
    pub length_digit: bool,
}

/// Checks a Swedish OCR reference (2..=25 digits once spaces, hyphens and
/// dots are removed). `None` if anything but digits is left or the length is
/// out of range; otherwise which checks pass.
pub fn ocr_reference_check(s: &str) -> Option<OcrCheck> {
    let d = digits_only(s)?;
    if !(MIN_LEN..=MAX_LEN).contains(&d.len()) {
        return None;
    }
    let b = d.as_bytes();
    let length_digit = b[b.len() - 2] - b'0' == (b.len() % 10) as u8;
    Some(OcrCheck { luhn: luhn_valid(&d), length_digit })
}

/// The digits of an OCR reference whose Luhn check passes (all zeros is
/// refused). The length digit is not required: most billers do not use it.
pub fn ocr_reference(s: &str) -> Option<String> {
    let check = ocr_reference_check(s)?;
    let d = digits_only(s)?;
    (check.luhn && !all_zero(&d)).then_some(d)
}

/// Builds an OCR reference from `payload` digits (for the synthetic
/// generator): appends the length digit when `with_length_digit`, then the
/// Luhn check digit. `None` if the payload has non-digits or the result would
/// not be 2..=25 digits long.
pub fn make_ocr_reference(payload: &str, with_length_digit: bool) -> Option<String> {
    if !payload.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let total = payload.len() + 1 + usize::from(with_length_digit);
    if !(MIN_LEN..=MAX_LEN).contains(&total) {
        return None;
    }
    let mut out = payload.to_string();
    if with_length_digit {
        out.push(char::from(b'0' + (total % 10) as u8));
    }
    let check = luhn_check_digit(&out)?;
    out.push(char::from(b'0' + check));
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ck(luhn: bool, length_digit: bool) -> Option<OcrCheck> {
        Some(OcrCheck { luhn, length_digit })
    }

    #[test]
    fn ocr_reference_check_table() {
        let cases: &[(&str, Option<OcrCheck>)] = &[
            ("1234566", ck(true, false)),
            ("12345674", ck(true, false)),
            ("123 456 6", ck(true, false)),
            ("12345682", ck(true, true)), // payload 123456, length digit 8
            ("4000006", ck(true, false)),
            ("4000004", ck(false, false)),
            ("12345683", ck(false, true)), // check digit wrong, length digit right
            ("1234567", ck(false, false)),
            ("18", ck(true, false)),
            ("26", ck(true, true)),
            ("27", ck(false, true)),
            ("1234567890123456789012344", ck(false, false)), // 25 digits
            ("8", None),                                     // too short
            ("12345678901234567890123456", None),            // 26 digits
            ("12345A6", None),
            ("", None),
        ];
        let mut failures = Vec::new();
        for &(input, expected) in cases {
            let got = ocr_reference_check(input);
            if got != expected {
                failures.push(format!(
                    "ocr_reference_check({input:?}) = {got:?}, expected {expected:?}"
                ));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn ocr_reference_table() {
        let cases: &[(&str, Option<&str>)] = &[
            ("1234566", Some("1234566")),
            ("1234 5682", Some("12345682")),
            ("\u{a0}98 765 432 1007,", Some("987654321007")),
            ("1234567", None),
            ("12345683", None),
            ("00", None),
            ("12-34-566", Some("1234566")),
            ("OCR 1234566", None),
        ];
        let mut failures = Vec::new();
        for &(input, expected) in cases {
            let got = ocr_reference(input);
            if got.as_deref() != expected {
                failures.push(format!("ocr_reference({input:?}) = {got:?}, expected {expected:?}"));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn make_ocr_reference_table() {
        let cases: &[(&str, bool, Option<&str>)] = &[
            ("123456", false, Some("1234566")),
            ("123456", true, Some("12345682")),
            ("9876543210", false, Some("98765432103")),
            ("", true, Some("26")), // length digit 2, then its check digit
            ("", false, None),      // a lone check digit is too short
            ("1", false, Some("18")),
            ("12345678901234567890123", true, Some("1234567890123456789012357")),
            ("123456789012345678901234", true, None), // 26 digits
            ("12a", false, None),
        ];
        let mut failures = Vec::new();
        for &(payload, with_len, expected) in cases {
            let got = make_ocr_reference(payload, with_len);
            if got.as_deref() != expected {
                failures.push(format!(
                    "make_ocr_reference({payload:?}, {with_len}) = {got:?}, expected {expected:?}"
                ));
            }
            if let Some(r) = &got {
                let c = ocr_reference_check(r);
                if !c.is_some_and(|c| c.luhn && (c.length_digit || !with_len)) {
                    failures.push(format!("{r} fails its own checks: {c:?}"));
                }
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }
}
