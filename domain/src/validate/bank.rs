//! IBAN and BIC.

use super::compact_alnum;
use super::countries::{iban_length, is_country};

/// ISO 7064 mod 97-10 over an alphanumeric string, letters counting as
/// 10..=35. `None` on any other character.
fn mod97(chars: impl Iterator<Item = u8>) -> Option<u32> {
    let mut r: u32 = 0;
    for b in chars {
        r = match b {
            b'0'..=b'9' => (r * 10 + u32::from(b - b'0')) % 97,
            b'A'..=b'Z' => (r * 100 + u32::from(b - b'A') + 10) % 97,
            _ => return None,
        };
    }
    Some(r)
}

/// An IBAN: spaces (and hyphens, dots) removed, upper-cased; the country must
/// use IBANs, the length must be that country's, and ISO 7064 mod 97 of the
/// rearranged number must be 1. Returns the compact form,
/// e.g. `SE4550000000058398257466`.
pub fn iban(s: &str) -> Option<String> {
    let c = compact_alnum(s)?;
    let b = c.as_bytes();
    if b.len() < 5
        || !b[..2].iter().all(u8::is_ascii_uppercase)
        || !b[2..4].iter().all(u8::is_ascii_digit)
    {
        return None;
    }
    if iban_length(&c[..2])? != b.len() {
        return None;
    }
    if NUMERIC_BBAN.contains(&&c[..2]) && !b[4..].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let rearranged = b[4..].iter().chain(&b[..4]).copied();
    (mod97(rearranged)? == 1).then_some(c)
}

/// Countries whose account part (BBAN) is digits only, so that a VAT number
/// glued to the next word (`SE559988909301REGISTERED`) is not taken for an
/// IBAN even when its mod-97 happens to pass.
const NUMERIC_BBAN: &[&str] = &[
    "SE", "DE", "DK", "FI", "NO", "BE", "AT", "ES", "PL", "SK", "CZ", "EE", "LT", "HR", "SI", "PT",
    "HU", "RS", "ME", "FO", "GL", "IS", "TN",
];

/// Builds an IBAN from a country code and BBAN (for the synthetic
/// generator) by computing the two check digits. `None` for an unknown
/// country, a BBAN with other characters than letters and digits, or a
/// length that does not fit the country.
pub fn make_iban(country: &str, bban: &str) -> Option<String> {
    let country = country.trim().to_ascii_uppercase();
    let bban = compact_alnum(bban)?;
    if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_uppercase()) {
        return None;
    }
    if iban_length(&country)? != bban.len() + 4 {
        return None;
    }
    let r = mod97(bban.bytes().chain(country.bytes()).chain(*b"00"))?;
    let out = format!("{country}{:02}{bban}", 98 - r);
    iban(&out)
}

/// A BIC (SWIFT code): 8 or 11 characters, 4 letters for the bank, an
/// assigned ISO country code, 2 letters or digits for the location and
/// optionally 3 for the branch. Returns it compact and upper-case.
pub fn bic(s: &str) -> Option<String> {
    let c = compact_alnum(s)?;
    let b = c.as_bytes();
    let ok = (b.len() == 8 || b.len() == 11)
        && b[..4].iter().all(u8::is_ascii_uppercase)
        && is_country(&c[4..6]);
    ok.then_some(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::validate::check_table as run;

    #[test]
    fn iban_table() {
        run(
            iban,
            "iban",
            &[
                ("SE45 5000 0000 0583 9825 7466", Some("SE4550000000058398257466")),
                ("se45 5000 0000 0583 9825 7466", Some("SE4550000000058398257466")),
                (
                    "SE45\u{a0}5000\u{a0}0000\u{a0}0583\u{a0}9825\u{a0}7466",
                    Some("SE4550000000058398257466"),
                ),
                ("DE89 3704 0044 0532 0130 00", Some("DE89370400440532013000")),
                ("GB82 WEST 1234 5698 7654 32", Some("GB82WEST12345698765432")),
                ("FR14 2004 1010 0505 0001 3M02 606", Some("FR1420041010050500013M02606")),
                ("NO93 8601 1117 947", Some("NO9386011117947")),
                ("SE55 9988 9093 01RE GIST ERED", None),
                ("BE68 5390 0754 7034", Some("BE68539007547034")),
                ("NL91 ABNA 0417 1643 00", Some("NL91ABNA0417164300")),
                ("FI21 1234 5600 0007 85", Some("FI2112345600000785")),
                ("DK50 0040 0440 1162 43", Some("DK5000400440116243")),
                ("CH93 0076 2011 6238 5295 7", Some("CH9300762011623852957")),
                ("AT61 1904 3002 3457 3201", Some("AT611904300234573201")),
                ("ES91 2100 0418 4502 0005 1332", Some("ES9121000418450200051332")),
                ("IT60 X054 2811 1010 0000 0123 456", Some("IT60X0542811101000000123456")),
                ("PL61 1090 1014 0000 0712 1981 2874", Some("PL61109010140000071219812874")),
                ("IE29 AIBK 9311 5212 3456 78", Some("IE29AIBK93115212345678")),
                ("MT84 MALT 0110 0001 2345 MTLC AST0 01S", Some("MT84MALT011000012345MTLCAST001S")),
                ("IBAN: SE45 5000 0000 0583 9825 7466", None), // label
                ("SE45 5000 0000 0583 9825 7467", None),       // digit changed
                ("SE54 5000 0000 0583 9825 7466", None),       // check digits swapped
                ("SE45 5000 0000 0583 9825 746", None),        // too short
                ("SE45 5000 0000 0583 9825 74660", None),      // too long
                ("DE89 3704 0044 0532 0130 0", None),
                ("GB82 WEST 1234 5698 7654 3X", None),
                ("XX82 WEST 1234 5698 7654 32", None), // unknown country
                ("US12 3456 7890", None),
                ("4550000000058398257466", None),
                ("SE4X 5000 0000 0583 9825 7466", None),
                ("SE45_5000_0000_0583_9825_7466", None),
                ("", None),
            ],
        );
    }

    #[test]
    fn make_iban_table() {
        let cases: &[(&str, &str, Option<&str>)] = &[
            ("SE", "50000000058398257466", Some("SE4550000000058398257466")),
            ("se", "5000 0000 0583 9825 7466", Some("SE4550000000058398257466")),
            ("DE", "370400440532013000", Some("DE89370400440532013000")),
            ("GB", "WEST12345698765432", Some("GB82WEST12345698765432")),
            ("FR", "20041010050500013M02606", Some("FR1420041010050500013M02606")),
            ("NO", "86011117947", Some("NO9386011117947")),
            ("SE", "80000832790000012345", Some("SE9880000832790000012345")),
            ("SE", "8000083279000001234", None), // one digit short
            ("US", "123456789", None),
            ("S", "50000000058398257466", None),
            ("SE", "5000000005839825746!", None),
        ];
        for &(country, bban, expected) in cases {
            let got = make_iban(country, bban);
            assert_eq!(got.as_deref(), expected, "make_iban({country:?}, {bban:?})");
        }
    }

    #[test]
    fn bic_table() {
        run(
            bic,
            "bic",
            &[
                ("ESSESESS", Some("ESSESESS")),
                ("HANDSESS", Some("HANDSESS")),
                ("NDEASESS", Some("NDEASESS")),
                ("SWEDSESS", Some("SWEDSESS")),
                ("swedsess", Some("SWEDSESS")),
                ("DEUTDEFF", Some("DEUTDEFF")),
                ("DEUTDEFF500", Some("DEUTDEFF500")),
                ("DEUT DE FF 500", Some("DEUTDEFF500")),
                ("NWBKGB2L", Some("NWBKGB2L")),
                ("BNPAFRPPXXX", Some("BNPAFRPPXXX")),
                ("DABADKKK", Some("DABADKKK")),
                ("ESSESES", None),      // 7 characters
                ("ESSESESS1", None),    // 9 characters
                ("ESSESESSXXXX", None), // 12 characters
                ("ESS1SESS", None),     // digit in the bank code
                ("ESSEZZSS", None),     // ZZ is no country
                ("ESSE1ESS", None),
                ("ESSESES!", None),
                ("SE45500000", None),
                ("", None),
            ],
        );
    }
}
