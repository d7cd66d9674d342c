//! Valid identifiers (checked with `invex_domain::validate`) and their printed forms.

use chrono::{Datelike, NaiveDate};
use invex_domain::validate;
use rand::{Rng, RngExt};

use crate::error::Error;

/// `n` random digits; the first is non-zero when `lead` is true.
pub fn digits<R: Rng>(rng: &mut R, n: usize, lead: bool) -> String {
    (0..n)
        .map(|i| {
            let lo = if i == 0 && lead { 1 } else { 0 };
            char::from(b'0' + rng.random_range(lo..10u8))
        })
        .collect()
}

fn with_luhn(payload: &str) -> Result<String, Error> {
    let c = validate::luhn_check_digit(payload)
        .ok_or_else(|| Error::Identifier(format!("luhn of {payload}")))?;
    Ok(format!("{payload}{c}"))
}

/// An organisationsnummer `NNNNNN-NNNN` starting with `prefix`.
pub fn org_nr_with_prefix<R: Rng>(rng: &mut R, prefix: &str) -> Result<String, Error> {
    let payload = format!("{prefix}{}", digits(rng, 9 - prefix.len(), false));
    let ten = with_luhn(&payload)?;
    validate::org_nr(&ten).ok_or_else(|| Error::Identifier(format!("org.nr {ten}")))
}

/// A limited company's org.nr (556xxx / 559xxx).
pub fn org_nr_ab<R: Rng>(rng: &mut R) -> Result<String, Error> {
    let p = if rng.random_bool(0.6) { "556" } else { "559" };
    org_nr_with_prefix(rng, p)
}

/// A trading partnership's org.nr (969xxx / 916xxx).
pub fn org_nr_hb<R: Rng>(rng: &mut R) -> Result<String, Error> {
    let p = if rng.random_bool(0.7) { "969" } else { "916" };
    org_nr_with_prefix(rng, p)
}

/// A personnummer-shaped org.nr for a sole trader: YYMMDD-NNNN.
pub fn personnummer<R: Rng>(rng: &mut R) -> Result<String, Error> {
    let year = rng.random_range(1950..2003);
    let month = rng.random_range(1..13u32);
    let day = rng.random_range(1..29u32);
    let d = NaiveDate::from_ymd_opt(year, month, day)
        .ok_or_else(|| Error::Identifier("birth date".into()))?;
    let payload = format!("{:02}{:02}{:02}{}", d.year() % 100, month, day, digits(rng, 3, false));
    let ten = with_luhn(&payload)?;
    validate::personnummer(&ten).ok_or_else(|| Error::Identifier(format!("personnummer {ten}")))
}

/// The Swedish VAT number of an org.nr: `SE` + ten digits + `01`.
pub fn se_vat(org: &str) -> Result<String, Error> {
    let v = format!("SE{}01", org.replace('-', ""));
    validate::se_vat_number(&v).ok_or_else(|| Error::Identifier(format!("VAT {v}")))
}

/// A Bankgiro number (7 or 8 digits).
pub fn bankgiro<R: Rng>(rng: &mut R) -> Result<String, Error> {
    let len = if rng.random_bool(0.7) { 8 } else { 7 };
    let bg = with_luhn(&digits(rng, len - 1, true))?;
    validate::bankgiro(&bg).ok_or_else(|| Error::Identifier(format!("bankgiro {bg}")))
}

/// A Plusgiro number (5 to 8 digits).
pub fn plusgiro<R: Rng>(rng: &mut R) -> Result<String, Error> {
    let len = rng.random_range(5..9);
    let pg = with_luhn(&digits(rng, len - 1, true))?;
    validate::plusgiro(&pg).ok_or_else(|| Error::Identifier(format!("plusgiro {pg}")))
}

/// A Swedish IBAN for a bank's 3-digit code.
pub fn se_iban<R: Rng>(rng: &mut R, bank_code: &str) -> Result<String, Error> {
    let bban = format!("{bank_code}{}", digits(rng, 17, false));
    validate::make_iban("SE", &bban).ok_or_else(|| Error::Identifier(format!("IBAN SE {bban}")))
}

/// An IBAN of another country.
pub fn foreign_iban<R: Rng>(rng: &mut R, country: &str) -> Result<String, Error> {
    let bban = match country {
        "DE" => digits(rng, 18, true),
        "FI" | "DK" => digits(rng, 14, true),
        "NL" => format!("ABNA{}", digits(rng, 10, false)),
        "IE" => format!("BOFI{}", digits(rng, 14, true)),
        "FR" => format!("{}{}", digits(rng, 21, true), digits(rng, 2, false)),
        _ => return Err(Error::Identifier(format!("no IBAN rule for {country}"))),
    };
    validate::make_iban(country, &bban)
        .ok_or_else(|| Error::Identifier(format!("IBAN {country} {bban}")))
}

/// A VAT number of another EU country, in its compact form.
pub fn foreign_vat<R: Rng>(rng: &mut R, country: &str) -> Result<String, Error> {
    let v = match country {
        "DE" => format!("DE{}", digits(rng, 9, true)),
        "FI" => format!("FI{}", digits(rng, 8, true)),
        "DK" => format!("DK{}", digits(rng, 8, true)),
        "NL" => format!("NL{}B01", digits(rng, 9, true)),
        "IE" => format!("IE{}A", digits(rng, 7, true)),
        "FR" => format!("FR{}", digits(rng, 11, true)),
        _ => return Err(Error::Identifier(format!("no VAT rule for {country}"))),
    };
    validate::vat_number(&v).ok_or_else(|| Error::Identifier(format!("VAT {v}")))
}

/// An OCR reference from a digit payload.
pub fn ocr(payload: &str, length_digit: bool) -> Result<String, Error> {
    let o = validate::make_ocr_reference(payload, length_digit)
        .ok_or_else(|| Error::Identifier(format!("OCR from {payload}")))?;
    validate::ocr_reference(&o).ok_or_else(|| Error::Identifier(format!("OCR {o}")))
}

/// Bankgiro as printed: `123-4567` or `1234-5678`.
pub fn fmt_bankgiro(d: &str) -> String {
    let cut = d.len().saturating_sub(4);
    format!("{}-{}", &d[..cut], &d[cut..])
}

/// Plusgiro as printed: pairs from the right, then `-` and the check digit
/// (`12 34 56-7`, `47 11-8`).
pub fn fmt_plusgiro(d: &str) -> String {
    let (body, check) = d.split_at(d.len().saturating_sub(1));
    let chars: Vec<char> = body.chars().collect();
    let mut out = String::new();
    for (i, c) in chars.iter().enumerate() {
        if i > 0 && (chars.len() - i).is_multiple_of(2) {
            out.push(' ');
        }
        out.push(*c);
    }
    format!("{out}-{check}")
}

/// IBAN in groups of four, or compact.
pub fn fmt_iban(iban: &str, grouped: bool) -> String {
    if !grouped {
        return iban.to_string();
    }
    let chars: Vec<char> = iban.chars().collect();
    chars.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join(" ")
}

/// Swedish VAT number in one of its printed forms.
pub fn fmt_se_vat(vat: &str, style: u8) -> String {
    let d = vat.trim_start_matches("SE");
    match (style % 3, d.len()) {
        (1, 12) => format!("SE {}-{} {}", &d[..6], &d[6..10], &d[10..]),
        (2, 12) => format!("SE{} {} {}", &d[..4], &d[4..8], &d[8..]),
        _ => vat.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn generated_identifiers_validate() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        for _ in 0..300 {
            let org = org_nr_ab(&mut rng).unwrap_or_default();
            assert_eq!(validate::org_nr(&org).as_deref(), Some(org.as_str()));
            assert!(org.as_bytes()[2] >= b'2');
            let pn = personnummer(&mut rng).unwrap_or_default();
            assert_eq!(validate::org_nr(&pn).as_deref(), Some(pn.as_str()));
            let vat = se_vat(&org).unwrap_or_default();
            for s in 0..3 {
                assert_eq!(
                    validate::se_vat_number(&fmt_se_vat(&vat, s)).as_deref(),
                    Some(vat.as_str())
                );
            }
            let bg = bankgiro(&mut rng).unwrap_or_default();
            assert_eq!(validate::bankgiro(&fmt_bankgiro(&bg)).as_deref(), Some(bg.as_str()));
            let pg = plusgiro(&mut rng).unwrap_or_default();
            assert_eq!(validate::plusgiro(&fmt_plusgiro(&pg)).as_deref(), Some(pg.as_str()));
            let iban = se_iban(&mut rng, "500").unwrap_or_default();
            assert_eq!(iban.len(), 24);
            assert_eq!(validate::iban(&fmt_iban(&iban, true)).as_deref(), Some(iban.as_str()));
            for c in ["DE", "FI", "DK", "NL", "IE", "FR"] {
                assert!(foreign_iban(&mut rng, c).is_ok(), "{c}");
                assert!(foreign_vat(&mut rng, c).is_ok(), "{c}");
            }
            let o = ocr(&digits(&mut rng, 9, true), rng.random_bool(0.5)).unwrap_or_default();
            assert!(validate::ocr_reference_check(&o).is_some_and(|c| c.luhn));
        }
        assert_eq!(fmt_plusgiro("9020033"), "90 20 03-3");
        assert_eq!(fmt_plusgiro("47118"), "47 11-8");
        assert_eq!(fmt_bankgiro("50501055"), "5050-1055");
    }
}
