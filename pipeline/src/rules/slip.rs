//! The machine-readable line of a Swedish payment slip (inbetalningskort):
//! `# 1234567897 #   1250 00   5 >   5050105#41#`, holding the OCR
//! reference, the amount in kronor and öre, and the Bankgiro (type 41) or
//! Plusgiro (type 42) number. When present it is the most reliable source
//! of all three.

use invex_domain::validate::{bankgiro, ocr_reference, plusgiro};
use rust_decimal::Decimal;

use super::layout::Layout;

#[derive(Debug, Clone, PartialEq)]
pub struct Slip {
    /// The line's token range.
    pub start: usize,
    pub end: usize,
    pub ocr: Option<String>,
    pub amount: Option<Decimal>,
    pub bankgiro: Option<String>,
    pub plusgiro: Option<String>,
}

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// What a slip line holds: OCR reference, amount, Bankgiro, Plusgiro.
pub type SlipFields = (Option<String>, Option<Decimal>, Option<String>, Option<String>);

/// Parses the text of one line.
pub fn parse(text: &str) -> Option<SlipFields> {
    if text.matches('#').count() < 3 || !text.contains('>') {
        return None;
    }
    let parts: Vec<&str> = text.split('#').collect();
    // `# OCR # kronor öre check > giro # type #`
    let ocr = parts.get(1).and_then(|p| ocr_reference(p.trim()));
    let (amount_part, giro_part) = parts.get(2)?.split_once('>')?;
    let words: Vec<&str> = amount_part.split_whitespace().collect();
    let amount = match words.as_slice() {
        [kr, ore, _] | [kr, ore] if ore.len() == 2 => {
            let v = format!("{}.{}", digits(kr), digits(ore));
            v.parse::<Decimal>().ok()
        }
        _ => None,
    };
    let kind = parts.get(3).map(|p| p.trim());
    let giro = digits(giro_part);
    let (bg, pg) = match kind {
        Some("41") => (bankgiro(&giro), None),
        Some("42") => (None, plusgiro(&giro)),
        _ => (None, None),
    };
    (ocr.is_some() || bg.is_some() || pg.is_some()).then_some((ocr, amount, bg, pg))
}

/// The payment-slip line of the document, if any (the lowest one).
pub fn find(layout: &Layout) -> Option<Slip> {
    layout.lines.iter().rev().find_map(|line| {
        let text = layout.text(line.start, line.end);
        let (ocr, amount, bankgiro, plusgiro) = parse(&text)?;
        Some(Slip { start: line.start, end: line.end, ocr, amount, bankgiro, plusgiro })
    })
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn slip_lines() {
        let got = parse("# 296972638369 # 814 00 4 > 15572811#41#");
        let (ocr, amount, bg, pg) = got.unwrap_or_default();
        assert_eq!(ocr.as_deref(), Some("296972638369"));
        assert_eq!(amount.map(|a| a.to_string()).as_deref(), Some("814.00"));
        assert_eq!(bg.as_deref(), Some("15572811"));
        assert_eq!(pg, None);
        assert_eq!(parse("Total # 12 > 5"), None);
        assert_eq!(parse("no slip here"), None);
    }
}
