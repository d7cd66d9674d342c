//! VAT registration numbers: the Swedish one fully checked, the others by
//! their country's form.

use super::compact_alnum;
use super::swedish::org_digits_valid;

/// A Swedish VAT number (momsregistreringsnummer): `SE`, the ten digits of an
/// organisationsnummer or personnummer (checked like [`super::org_nr`]), and
/// `01`. Spaces, hyphens and lowercase are accepted. Returns e.g.
/// `SE556677889901`.
pub fn se_vat_number(s: &str) -> Option<String> {
    let c = compact_alnum(s)?;
    let digits = c.strip_prefix("SE")?;
    let ok = digits.len() == 12
        && digits.bytes().all(|b| b.is_ascii_digit())
        && digits.ends_with("01")
        && org_digits_valid(&digits[..10]);
    ok.then_some(c)
}

/// Forms per prefix: `#` a digit, `@` a letter, `?` a letter or digit, any
/// other character itself. From the EU's VIES documentation, HMRC, the
/// Brønnøysund register and the Swiss UID register.
const FORMS: &[(&str, &[&str])] = &[
    ("AT", &["U########"]),
    ("BE", &["0#########", "1#########"]),
    ("BG", &["#########", "##########"]),
    ("CHE", &["#########", "#########MWST", "#########TVA", "#########IVA", "#########TPV"]),
    ("CY", &["########@"]),
    ("CZ", &["########", "#########", "##########"]),
    ("DE", &["#########"]),
    ("DK", &["########"]),
    ("EE", &["#########"]),
    ("EL", &["#########"]),
    ("ES", &["@#######?", "?#######@"]),
    ("EU", &["#########"]), // non-Union OSS scheme
    ("FI", &["########"]),
    ("FR", &["??#########"]),
    ("GB", &["#########", "############", "GD###", "HA###"]),
    ("GR", &["#########"]), // printed instead of EL
    ("HR", &["###########"]),
    ("HU", &["########"]),
    ("IE", &["#######@", "#######@@", "#@#####@"]),
    ("IT", &["###########"]),
    ("LT", &["#########", "############"]),
    ("LU", &["########"]),
    ("LV", &["###########"]),
    ("MT", &["########"]),
    ("NL", &["#########B##"]),
    ("NO", &["#########", "#########MVA"]),
    ("PL", &["##########"]),
    ("PT", &["#########"]),
    (
        "RO",
        &["##", "###", "####", "#####", "######", "#######", "########", "#########", "##########"],
    ),
    ("SI", &["########"]),
    ("SK", &["##########"]),
    ("XI", &["#########", "############", "GD###", "HA###"]), // Northern Ireland
];

fn matches_form(form: &str, s: &str) -> bool {
    form.len() == s.len()
        && form.bytes().zip(s.bytes()).all(|(f, c)| match f {
            b'#' => c.is_ascii_digit(),
            b'@' => c.is_ascii_uppercase(),
            b'?' => c.is_ascii_alphanumeric(),
            _ => f == c,
        })
}

/// A VAT number of an EU country, the UK (`GB`, `XI`), Norway (`NO…MVA`) or
/// Switzerland (`CHE-123.456.789 MWST`), checked by its country's form (no
/// check digits, except Swedish numbers, which must pass [`se_vat_number`]).
/// The country prefix is required. Returns the compact upper-case form
/// without spaces, dots or hyphens; suffixes such as `MVA` and `MWST` are kept.
pub fn vat_number(s: &str) -> Option<String> {
    let c = compact_alnum(s)?;
    if c.starts_with("SE") {
        return se_vat_number(&c);
    }
    let (prefix, forms) = FORMS.iter().find(|(p, _)| c.starts_with(p))?;
    let rest = &c[prefix.len()..];
    forms.iter().any(|f| matches_form(f, rest)).then_some(c)
}

/// A tax id outside the EU VAT forms, as printed beside a sure caption:
/// 9 to 15 digits (Malaysian GST, Italian partita IVA, other registers), an
/// Indian GSTIN (`27AAPFU0939F1ZV`), a Spanish NIF/CIF without its `ES`
/// (`12345678Z`, `B12345678`), a Swiss UID (`CHE-123.456.789 MWST`) or a
/// Norwegian `999999999MVA`. EU-prefixed values must pass the EU forms.
pub fn national_tax_id(s: &str) -> Option<String> {
    let c: String = s.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    let b = c.as_bytes();
    let digits = |r: &[u8]| r.iter().all(u8::is_ascii_digit);
    let plain = (9..=15).contains(&c.len()) && digits(b);
    let gstin = gstin_form(b);
    let nif = c.len() == 9
        && ((digits(&b[..8]) && b[8].is_ascii_uppercase())
            || (b[0].is_ascii_uppercase() && digits(&b[1..8]) && b[8].is_ascii_alphanumeric()));
    let swiss = c.len() >= 12 && c.starts_with("CHE") && digits(&b[3..12]);
    let norwegian = c.len() == 12 && digits(&b[..9]) && c.ends_with("MVA");
    if swiss {
        return Some(c[..12].to_string());
    }
    (plain || gstin || nif || norwegian).then_some(c)
}

/// A Spanish tax id whose control character holds, as printed without the
/// `ES` of its VAT form: a NIF of 8 digits and a letter (`12345678Z`, the
/// letter `TRWAGMYFPDXBNJZSQVHLCKE`[n mod 23]), a NIE (`X1234567L`, X/Y/Z
/// read as 0/1/2), or a company's CIF of a letter, 7 digits and a control
/// digit or letter (`B06936140`; Luhn-like: odd places doubled, digits
/// summed, control 10 − sum mod 10, as a letter `JABCDEFGHI`[control]).
pub fn spanish_tax_id(s: &str) -> Option<String> {
    const NIF: &[u8; 23] = b"TRWAGMYFPDXBNJZSQVHLCKE";
    let c: String = s.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>();
    let c = c.to_uppercase();
    let b = c.as_bytes();
    if b.len() != 9 {
        return None;
    }
    let digits = |r: &[u8]| r.iter().all(u8::is_ascii_digit);
    let number = |r: &[u8]| r.iter().fold(0u32, |n, d| n * 10 + u32::from(d - b'0'));
    let nie_lead = match b[0] {
        b'X' => Some(0),
        b'Y' => Some(1),
        b'Z' => Some(2),
        _ => None,
    };
    let ok = if digits(&b[..8]) {
        NIF[(number(&b[..8]) % 23) as usize] == b[8]
    } else if let Some(lead) = nie_lead.filter(|_| digits(&b[1..8])) {
        NIF[((lead * 10_000_000 + number(&b[1..8])) % 23) as usize] == b[8]
    } else if b"ABCDEFGHJNPQRSUVW".contains(&b[0]) && digits(&b[1..8]) {
        let sum: u32 = b[1..8]
            .iter()
            .enumerate()
            .map(|(i, d)| {
                let d = u32::from(d - b'0');
                if i % 2 == 0 { (2 * d) / 10 + (2 * d) % 10 } else { d }
            })
            .sum();
        let control = (10 - sum % 10) % 10;
        b[8] == b'0' + control as u8 || b[8] == b"JABCDEFGHI"[control as usize]
    } else {
        false
    };
    ok.then_some(c)
}

/// The shape of a GSTIN's first 12 characters, 15 in all: the state's 2
/// digits and a PAN (5 letters, 4 digits, a letter).
fn gstin_form(b: &[u8]) -> bool {
    b.len() == 15
        && b[..2].iter().all(u8::is_ascii_digit)
        && b[2..7].iter().all(u8::is_ascii_uppercase)
        && b[7..11].iter().all(u8::is_ascii_digit)
        && b[11].is_ascii_uppercase()
}

/// An Indian GSTIN whose 15th character is its check character: 2 digits
/// of the state, the 10-character PAN, the entity number, `Z`, and a mod-36
/// check (weights 1 and 2 alternately; each product contributes its
/// quotient and remainder by 36), as the GST network publishes it.
/// `27AAPFU0939F1ZV` passes; one character changed does not.
pub fn gstin(s: &str) -> Option<String> {
    const ALPHABET: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let c: String = s.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase();
    let b = c.as_bytes();
    if !(gstin_form(b) && b[12].is_ascii_alphanumeric() && b[13] == b'Z') {
        return None;
    }
    let value = |ch: u8| ALPHABET.iter().position(|&a| a == ch);
    let mut sum = 0;
    for (i, &ch) in b[..14].iter().enumerate() {
        let product = value(ch)? * if i % 2 == 0 { 1 } else { 2 };
        sum += product / 36 + product % 36;
    }
    (ALPHABET[(36 - sum % 36) % 36] == b[14]).then_some(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spanish_tax_id_table() {
        // (printed, valid)
        let table = [
            ("12345678Z", true),  // NIF
            ("12345678A", false), // the wrong letter
            ("B06936140", true),  // CIF, control digit
            ("F50765338", true),
            ("B06936141", false),
            ("A 67760876", true), // spaced as printed
            ("X1234567L", true),  // NIE
            ("X1234567A", false),
            ("I06936140", false), // no such CIF letter
            ("1234567Z", false),  // too short
            ("", false),
        ];
        for (printed, valid) in table {
            assert_eq!(spanish_tax_id(printed).is_some(), valid, "{printed}");
        }
    }

    #[test]
    fn gstin_table() {
        // (printed, valid)
        let table = [
            ("27AAPFU0939F1ZV", true),
            ("33AEAPA9313E1Z8", true),
            ("29AAGCB7383J1Z4", true),
            ("29aagcb7383j1z4", true),
            ("27AAPFU0939F1ZW", false), // the check character
            ("27AAPFU0939F1XV", false), // no Z
            ("27AAPFU0939F1Z", false),  // too short
            ("DE123456789", false),
            ("", false),
        ];
        for (printed, valid) in table {
            assert_eq!(gstin(printed).is_some(), valid, "{printed}");
        }
    }

    use crate::validate::check_table as run;

    #[test]
    fn se_vat_number_table() {
        run(
            se_vat_number,
            "se_vat_number",
            &[
                ("SE556677889901", Some("SE556677889901")),
                ("SE 556677-8899 01", Some("SE556677889901")),
                ("se556036079301", Some("SE556036079301")),
                ("SE\u{a0}5560\u{a0}3607\u{a0}9301", Some("SE556036079301")),
                ("SE811218987601", Some("SE811218987601")), // sole trader
                ("SE556677889801", None),                   // Luhn fails
                ("SE556677889902", None),                   // must end in 01
                ("SE5566778899", None),                     // suffix missing
                ("556677889901", None),                     // prefix missing
                ("SE55667788990101", None),
                ("DE556677889901", None),
                ("SE000000000001", None),
            ],
        );
    }

    #[test]
    fn vat_number_table() {
        run(
            vat_number,
            "vat_number",
            &[
                ("SE556677889901", Some("SE556677889901")),
                ("SE 5566 7788 9901", Some("SE556677889901")),
                ("SE556677889801", None),
                ("DE 123 456 789", Some("DE123456789")),
                ("de123456789", Some("DE123456789")),
                ("DE12345678", None),
                ("ATU12345678", Some("ATU12345678")),
                ("AT 12345678", None),
                ("BE 0123.456.789", Some("BE0123456789")),
                ("BE1123456789", Some("BE1123456789")),
                ("BE2123456789", None),
                ("DK 12 34 56 78", Some("DK12345678")),
                ("FI12345678", Some("FI12345678")),
                ("FR 40 303 265 045", Some("FR40303265045")),
                ("FRXX123456789", Some("FRXX123456789")),
                ("FR4030326504", None),
                ("GB 123 4567 89", Some("GB123456789")),
                ("GB123456789012", Some("GB123456789012")),
                ("GBGD123", Some("GBGD123")),
                ("GBHA599", Some("GBHA599")),
                ("GB12345678", None),
                ("NL 8123.45.678.B01", Some("NL812345678B01")),
                ("NL812345678", None),
                ("NO 123 456 789 MVA", Some("NO123456789MVA")),
                ("NO123456789", Some("NO123456789")),
                ("NO123456789MOMS", None),
                ("CHE-123.456.789 MWST", Some("CHE123456789MWST")),
                ("CHE-123.456.789 TVA", Some("CHE123456789TVA")),
                ("CHE-123.456.789 IVA", Some("CHE123456789IVA")),
                ("CHE123456789", Some("CHE123456789")),
                ("CH123456789", None),
                ("ESX1234567X", Some("ESX1234567X")),
                ("ES12345678Z", Some("ES12345678Z")),
                ("ESA12345678", Some("ESA12345678")),
                ("ES123456789", None),
                ("IT 123 456 789 01", Some("IT12345678901")),
                ("PL 123-456-78-90", Some("PL1234567890")),
                ("IE1234567T", Some("IE1234567T")),
                ("IE1234567WA", Some("IE1234567WA")),
                ("IE1A23456T", Some("IE1A23456T")),
                ("IE12345678", None),
                ("EL123456789", Some("EL123456789")),
                ("CY12345678L", Some("CY12345678L")),
                ("RO12", Some("RO12")),
                ("RO1234567890", Some("RO1234567890")),
                ("RO12345678901", None),
                ("PT123456789", Some("PT123456789")),
                ("XI123456789", Some("XI123456789")),
                ("US123456789", None), // no VAT in the US
                ("123456789", None),   // prefix required
                ("DE 123/456/789", None),
                ("", None),
            ],
        );
    }
}
