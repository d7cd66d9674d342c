//! The Luhn mod 10 check digit, used by Bankgiro, Plusgiro, org.nr,
//! personnummer and OCR references.

/// Sum of the Luhn-weighted digits. `check_digit_present` tells whether the
/// rightmost digit is a check digit (weight 1) or the payload's last digit
/// (weight 2, because a check digit will follow it).
fn luhn_sum(digits: &[u8], check_digit_present: bool) -> u32 {
    digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            let doubled = (i % 2 == 1) == check_digit_present;
            if doubled {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                d
            }
        })
        .sum()
}

fn all_ascii_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Luhn mod 10 over a string of ASCII digits, the rightmost being the check
/// digit. `false` for an empty string or any character that is not `0-9`
/// (callers strip separators first).
pub fn luhn_valid(digits: &str) -> bool {
    all_ascii_digits(digits) && luhn_sum(digits.as_bytes(), true).is_multiple_of(10)
}

/// The digit to append to `payload` so that the result passes
/// [`luhn_valid`]. `None` for an empty payload or any non-digit.
pub fn luhn_check_digit(payload: &str) -> Option<u8> {
    if !all_ascii_digits(payload) {
        return None;
    }
    let sum = luhn_sum(payload.as_bytes(), false);
    u8::try_from((10 - sum % 10) % 10).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected: bool) -> Option<String> {
        let got = luhn_valid(input);
        (got != expected).then(|| format!("luhn_valid({input:?}) = {got}, expected {expected}"))
    }

    #[test]
    fn luhn_valid_table() {
        let cases: &[(&str, bool)] = &[
            ("50501055", true),   // Bankgiro 5050-1055
            ("5560360793", true), // org.nr 556036-0793
            ("5560125790", true), // org.nr 556012-5790 (AB Volvo)
            ("5566778899", true),
            ("8112189876", true), // personnummer 811218-9876 (Skatteverket's example)
            ("79927398713", true), // the textbook example
            ("0", true),
            ("18", true),
            ("50501056", false), // last digit changed
            ("50511055", false), // inner digit changed
            ("05501055", false), // two digits swapped
            ("79927398710", false),
            ("", false),
            ("5050 1055", false), // separators are the caller's job
            ("5050-1055", false),
            ("5O5O1O55", false), // letter O for zero
            ("١٢٣", false),      // non-ASCII digits
        ];
        let failures: Vec<String> = cases.iter().filter_map(|&(i, e)| check(i, e)).collect();
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn luhn_check_digit_table() {
        let cases: &[(&str, Option<u8>)] = &[
            ("5050105", Some(5)),
            ("556036079", Some(3)),
            ("811218987", Some(6)),
            ("7992739871", Some(3)),
            ("123456", Some(6)),
            ("1234567", Some(4)),
            ("12", Some(5)),
            ("0", Some(0)),
            ("", None),
            ("12a", None),
            ("12 3", None),
        ];
        let mut failures = Vec::new();
        for &(payload, expected) in cases {
            let got = luhn_check_digit(payload);
            if got != expected {
                failures.push(format!(
                    "luhn_check_digit({payload:?}) = {got:?}, expected {expected:?}"
                ));
            }
            if let Some(d) = got {
                let full = format!("{payload}{d}");
                if !luhn_valid(&full) {
                    failures.push(format!("{full} does not pass luhn_valid"));
                }
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn every_payload_round_trips() {
        for n in 0u32..2000 {
            let payload = n.to_string();
            let d = luhn_check_digit(&payload);
            let full = format!("{payload}{}", d.unwrap_or(10));
            assert!(luhn_valid(&full), "{full}");
        }
    }
}
