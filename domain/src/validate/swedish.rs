//! Swedish payment and company identifiers: Bankgiro, Plusgiro,
//! organisationsnummer and personnummer.

use chrono::NaiveDate;

use super::luhn::luhn_valid;
use super::{all_zero, digits_only, is_separator, trim_outer};

/// A Bankgiro number: 7 or 8 digits (printed `123-4567` or `1234-5678`),
/// the last a Luhn check digit over all of them. Returns the digits only.
pub fn bankgiro(s: &str) -> Option<String> {
    let d = digits_only(s)?;
    ((7..=8).contains(&d.len()) && luhn_valid(&d) && !all_zero(&d)).then_some(d)
}

/// A Plusgiro number: 2 to 8 digits (printed `12 34 56-7`, `90 20 03-3`),
/// the last a Luhn check digit over all of them. Returns the digits only.
pub fn plusgiro(s: &str) -> Option<String> {
    let d = digits_only(s)?;
    ((2..=8).contains(&d.len()) && luhn_valid(&d) && !all_zero(&d)).then_some(d)
}

/// Parses two ASCII digits at `at`.
fn two(d: &[u8], at: usize) -> Option<u32> {
    let hi = d.get(at)?.checked_sub(b'0')?;
    let lo = d.get(at + 1)?.checked_sub(b'0')?;
    (hi < 10 && lo < 10).then(|| u32::from(hi) * 10 + u32::from(lo))
}

/// Whether `MMDD` is a date in `year`; a day of 61..=91 is a
/// samordningsnummer (co-ordination number): the day plus 60.
fn birth_date_valid(year: i32, month: u32, day: u32) -> bool {
    let day = if day > 60 { day - 60 } else { day };
    NaiveDate::from_ymd_opt(year, month, day).is_some()
}

/// Whether the first six of ten digits are a valid YYMMDD date. Without the
/// century, 29 February counts when YY is a multiple of 4 (2000 was a leap
/// year); `plus` (the `+` of people aged 100 or more) puts `00` in 1900.
fn yymmdd_valid(ten: &[u8], plus: bool) -> bool {
    match (two(ten, 0), two(ten, 2), two(ten, 4)) {
        (Some(yy), Some(mm), Some(dd)) => {
            let century = if plus { 1900 } else { 2000 };
            birth_date_valid(century + yy as i32, mm, dd)
        }
        _ => false,
    }
}

/// The ten digits of an organisationsnummer:
/// - Luhn over all ten, not all zeros, and
/// - either the third digit is 2 or more (legal entities: the "month" part is
///   20..=99, which no birth date has), or the first six digits are a valid
///   YYMMDD birth date (sole traders use their personnummer, samordningsnummer
///   included).
pub(super) fn org_digits_valid(ten: &str) -> bool {
    let b = ten.as_bytes();
    b.len() == 10 && luhn_valid(ten) && !all_zero(ten) && (b[2] >= b'2' || yymmdd_valid(b, false))
}

/// A Swedish organisationsnummer, returned as `NNNNNN-NNNN`.
///
/// Accepts 10 digits, or 12 digits starting with `16` (the century-style form
/// some registers print). Validity: Luhn
/// over the ten digits, and the third digit >= 2 or a valid YYMMDD date (a
/// sole trader's personnummer). A 12-digit personnummer (`19`/`20` + YYMMDD +
/// 4 digits) is accepted too when [`personnummer`] accepts it.
pub fn org_nr(s: &str) -> Option<String> {
    let d = digits_only(&s.replace('+', "-"))?;
    let ten = match d.len() {
        10 => d,
        12 if d.starts_with("16") => d[2..].to_string(),
        12 => personnummer(&d)?.replace('-', ""),
        _ => return None,
    };
    org_digits_valid(&ten).then(|| format!("{}-{}", &ten[..6], &ten[6..]))
}

/// A Swedish personnummer (or samordningsnummer, day + 60), returned as
/// `YYMMDD-NNNN`.
///
/// Accepts `YYMMDD-NNNN`, `YYMMDD+NNNN` (aged 100 or more), `YYMMDDNNNN`,
/// `YYYYMMDDNNNN` and `YYYYMMDD-NNNN` (century 18..=20). The date must exist
/// (29 February only in leap years) and the ten-digit form must pass Luhn.
/// The result always uses `-`, also for a `+` input.
pub fn personnummer(s: &str) -> Option<String> {
    let t = trim_outer(s);
    let mut digits = String::with_capacity(12);
    let mut plus = false;
    for c in t.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else if c == '+' && !plus && (digits.len() == 6 || digits.len() == 8) {
            plus = true;
        } else if !is_separator(c) {
            return None;
        }
    }
    let b = digits.as_bytes();
    let (ten, date_ok) = match b.len() {
        10 => (&digits[..], yymmdd_valid(b, plus)),
        12 => {
            let century = two(b, 0)?;
            let (yy, mm, dd) = (two(b, 2)?, two(b, 4)?, two(b, 6)?);
            let ok = (18..=20).contains(&century)
                && birth_date_valid((century * 100 + yy) as i32, mm, dd);
            (&digits[2..], ok)
        }
        _ => return None,
    };
    (date_ok && luhn_valid(ten)).then(|| format!("{}-{}", &ten[..6], &ten[6..]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::check_table as run;

    #[test]
    fn bankgiro_table() {
        run(
            bankgiro,
            "bankgiro",
            &[
                ("5050-1055", Some("50501055")),
                ("5050 1055", Some("50501055")),
                ("50501055", Some("50501055")),
                ("\u{a0}5050\u{2011}1055,", Some("50501055")),
                ("Bg 5050-1055", None),        // labels are the caller's job
                ("123-4566", Some("1234566")), // 7 digits
                ("990-1232", Some("9901232")),
                ("5050-1056", None),  // check digit changed
                ("5051-1055", None),  // inner digit changed
                ("505-1055", None),   // Luhn fails on 7
                ("12-3455", None),    // 6 digits
                ("50501055 0", None), // 9 digits
                ("5050-105S", None),  // letter
                ("000-0000", None),   // zeros pass Luhn but are no number
                ("", None),
            ],
        );
    }

    #[test]
    fn plusgiro_table() {
        run(
            plusgiro,
            "plusgiro",
            &[
                ("90 20 03-3", Some("9020033")), // Radiohjälpen
                ("902003-3", Some("9020033")),
                ("4711-8", Some("47118")),
                ("12 34 56-6", Some("1234566")),
                ("1234567-4", Some("12345674")), // 8 digits
                ("12-5", Some("125")),
                ("1-8", Some("18")), // 2 digits, the shortest
                ("4711-1", None),    // wrong check digit
                ("90 20 03-4", None),
                ("8", None),             // 1 digit
                ("123 456 789-0", None), // 10 digits
                ("00-0", None),
                ("90 20 O3-3", None), // letter O
            ],
        );
    }

    #[test]
    fn org_nr_table() {
        run(
            org_nr,
            "org_nr",
            &[
                ("556036-0793", Some("556036-0793")),
                ("5560360793", Some("556036-0793")),
                ("556012-5790", Some("556012-5790")), // AB Volvo
                ("556677-8899", Some("556677-8899")),
                ("202100-5489", Some("202100-5489")), // a public authority
                ("16556036-0793", Some("556036-0793")), // 12-digit form
                ("165560360793", Some("556036-0793")),
                (" 556 036-07 93.", Some("556036-0793")),
                ("811218-9876", Some("811218-9876")), // sole trader: personnummer
                ("19811218-9876", Some("811218-9876")),
                ("811218+9876", Some("811218-9876")),
                ("556036-0794", None),   // check digit changed
                ("556037-0793", None),   // inner digit changed
                ("55603-0793", None),    // 9 digits
                ("17556036-0793", None), // 12 digits, bad prefix
                ("811318-9875", None),   // third digit < 2 and month 13, Luhn passes
                ("811232-1230", None),   // third digit < 2, day 32, Luhn passes
                ("000000-0000", None),
                ("556036-O793", None),
                ("", None),
            ],
        );
    }

    #[test]
    fn personnummer_table() {
        run(
            personnummer,
            "personnummer",
            &[
                ("811218-9876", Some("811218-9876")),
                ("8112189876", Some("811218-9876")),
                ("198112189876", Some("811218-9876")),
                ("19811218-9876", Some("811218-9876")),
                ("811218+9876", Some("811218-9876")),
                ("121212-1212", Some("121212-1212")),
                ("850709-9805", Some("850709-9805")),
                ("701063-2391", Some("701063-2391")), // samordningsnummer: day 3 + 60
                ("000229-0005", Some("000229-0005")), // 2000 was a leap year
                ("000229+0005", None),                // 1900 was not
                ("010229-0004", None),                // 2001 was not
                ("20000229-0005", Some("000229-0005")),
                ("19000229-0005", None),
                ("811218-9877", None), // check digit changed
                ("811318-9875", None), // month 13, Luhn passes
                ("811200-9876", None), // day 0
                ("811292-9875", None), // day 92 (32 + 60), Luhn passes
                ("556036-0793", None), // an org.nr: month 60
                ("811218-987", None),
                ("21811218-9876", None), // century 21
                ("81121+89876", None),   // '+' at the wrong place
                ("811218++9876", None),
                ("811218/9876", None),
            ],
        );
    }
}
