//! The ISO 11649 creditor reference (`RF18 5390 0754 7034`), the
//! international structured payment reference.

/// An ISO 11649 creditor reference: `RF`, two check digits and up to 21
/// letters or digits, mod 97 = 1. Returns it compact and upper-case.
pub fn rf_reference(s: &str) -> Option<String> {
    let trimmed = s.trim_matches(|c: char| {
        c.is_whitespace() || matches!(c, ':' | ';' | ',' | '(' | ')' | '[' | ']' | '"' | '\'' | '*')
    });
    let compact: String =
        trimmed.chars().filter(|c| !c.is_whitespace()).map(|c| c.to_ascii_uppercase()).collect();
    let b = compact.as_bytes();
    if !(5..=25).contains(&b.len())
        || !compact.starts_with("RF")
        || !b[2].is_ascii_digit()
        || !b[3].is_ascii_digit()
    {
        return None;
    }
    if !b.iter().all(u8::is_ascii_alphanumeric) {
        return None;
    }
    let mut rem: u32 = 0;
    for &c in b[4..].iter().chain(&b[..4]) {
        let v = if c.is_ascii_digit() { u32::from(c - b'0') } else { u32::from(c - b'A') + 10 };
        rem = if v >= 10 { (rem * 100 + v) % 97 } else { (rem * 10 + v) % 97 };
    }
    (rem == 1).then_some(compact)
}

#[cfg(test)]
mod tests {
    use super::rf_reference;

    #[test]
    fn rf_table() {
        let cases: &[(&str, Option<&str>)] = &[
            ("RF18 5390 0754 7034", Some("RF18539007547034")),
            ("RF18539007547034", Some("RF18539007547034")),
            ("(rf18 5390 0754 7034):", Some("RF18539007547034")),
            ("RF19539007547034", None),
            ("RF7", None),
            ("XX18539007547034", None),
        ];
        super::super::check_table(rf_reference, "rf_reference", cases);
    }
}
