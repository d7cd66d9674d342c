//! The invoice lines and parties of a PEPPOL document, derived from a booking
//! so that the EN 16931 sums hold by construction.

use invex_domain::LineKind;
use rust_decimal::Decimal;

use crate::booking::round2;
use crate::{Booking, VatPart};

/// One `InvoiceLine`/`CreditNoteLine`, or a document-level
/// `AllowanceCharge` ([`DocLine::is_item`] false).
#[derive(Debug, Clone, PartialEq)]
pub struct DocLine {
    pub kind: LineKind,
    pub name: String,
    pub quantity: Decimal,
    /// UN/ECE recommendation 20 unit code.
    pub unit_code: &'static str,
    /// Net price per unit, never negative (BR-27).
    pub price: Decimal,
    /// Line net amount: quantity × price; what the row adds to the net (an
    /// allowance's is negative).
    pub amount: Decimal,
    /// VAT category (UNCL5305): the breakdown's own for the rate, else `S`
    /// (standard rates) or `Z` (zero rated).
    pub category: String,
    pub rate: Decimal,
}

impl DocLine {
    /// Written as an `InvoiceLine`; allowances and charges are written as
    /// document-level `AllowanceCharge`s, by the sign of their amount.
    pub fn is_item(&self) -> bool {
        self.kind == LineKind::Item
    }
}

/// The VAT category code of a rate when the invoice states none.
pub fn category(rate: Decimal) -> &'static str {
    if rate.is_zero() { "Z" } else { "S" }
}

/// The VAT category of a booking's rate: the one its breakdown states, else
/// [`category`].
pub fn category_of(b: &Booking, rate: Decimal) -> String {
    match b.vat.iter().find(|p| p.rate == rate) {
        Some(part) => part_category(part),
        None => category(rate).to_string(),
    }
}

/// A VAT part's category: the stated one, else [`category`] of its rate.
pub fn part_category(part: &VatPart) -> String {
    part.category.clone().unwrap_or_else(|| category(part.rate).to_string())
}

/// The booking's own lines when every line has an amount and a rate (a line
/// without one takes the invoice's only rate), at least one is an item, and
/// they add up to each rate's taxable base exactly; otherwise one line per
/// VAT rate carrying that rate's base (so BR-CO-10 and BR-S-08 always hold).
pub fn lines(b: &Booking) -> Vec<DocLine> {
    let only_rate = match b.vat.as_slice() {
        [one] => Some(one.rate),
        _ => None,
    };
    let own: Option<Vec<DocLine>> = b
        .lines
        .iter()
        .map(|l| {
            let (amount, rate) = (l.amount?, l.vat_rate.or(only_rate)?);
            let (quantity, price) = match (l.quantity, l.unit_price) {
                (Some(q), Some(p)) if p >= Decimal::ZERO && round2(q * p) == amount => (q, p),
                _ if amount < Decimal::ZERO => (Decimal::NEGATIVE_ONE, -amount),
                _ => (Decimal::ONE, amount),
            };
            let fallback = match l.kind {
                LineKind::Item => "Rad",
                LineKind::Allowance => "Rabatt",
                LineKind::Charge => "Avgift",
            };
            Some(DocLine {
                kind: l.kind,
                name: l
                    .description
                    .clone()
                    .filter(|d| !d.trim().is_empty())
                    .unwrap_or_else(|| format!("{fallback}, {} % moms", rate.normalize())),
                quantity,
                unit_code: unit_code(l.unit.as_deref()),
                price,
                amount,
                category: category_of(b, rate),
                rate,
            })
        })
        .collect();
    let fits = |lines: &[DocLine]| {
        lines.iter().any(DocLine::is_item)
            && b.vat.iter().all(|p| {
                lines.iter().filter(|l| l.rate == p.rate).map(|l| l.amount).sum::<Decimal>()
                    == p.base
            })
            && lines.iter().all(|l| b.vat.iter().any(|p| p.rate == l.rate))
    };
    match own {
        Some(own) if fits(&own) => own,
        _ => b
            .vat
            .iter()
            .map(|p| DocLine {
                kind: LineKind::Item,
                name: format!("Varor och tjänster, {} % moms", p.rate.normalize()),
                quantity: if p.base < Decimal::ZERO { Decimal::NEGATIVE_ONE } else { Decimal::ONE },
                unit_code: "EA",
                price: p.base.abs(),
                amount: p.base,
                category: category_of(b, p.rate),
                rate: p.rate,
            })
            .collect(),
    }
}

/// UN/ECE rec. 20 code for a unit printed on a Swedish invoice (`EA`, each,
/// when unknown).
pub fn unit_code(unit: Option<&str>) -> &'static str {
    let unit = unit.unwrap_or_default().trim().trim_end_matches('.').to_lowercase();
    match unit.as_str() {
        "h" | "tim" | "timme" | "timmar" | "hour" | "hours" => "HUR",
        "kg" => "KGM",
        "g" => "GRM",
        "l" | "liter" | "litre" => "LTR",
        "m" | "meter" => "MTR",
        "m2" | "m²" | "kvm" => "MTK",
        "mån" | "månad" | "month" => "MON",
        "dag" | "dagar" | "day" | "days" => "DAY",
        "km" => "KMT",
        _ => "EA",
    }
}

/// A postal address split from the one-line form the extractor reads
/// (`Storgatan 1, 111 22 Stockholm`): street, postal zone, city. The zone
/// opens the last part: five digits (`11122`, `10115`), Sweden's `111 22`,
/// the Netherlands' `1015 CJ`, or four digits (Denmark, Norway, Austria,
/// Belgium, Switzerland).
pub fn address(text: Option<&str>) -> (Option<String>, Option<String>, Option<String>) {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return (None, None, None);
    };
    let parts: Vec<&str> =
        text.split([',', '\n']).map(str::trim).filter(|p| !p.is_empty()).collect();
    let last = parts.last().copied().unwrap_or_default();
    let words: Vec<&str> = last.split_whitespace().collect();
    let digits = |w: &str, n: usize| w.len() == n && w.bytes().all(|b| b.is_ascii_digit());
    let letters = |w: &str| w.len() == 2 && w.bytes().all(|b| b.is_ascii_uppercase());
    // Four digits alone could be a street number ("1600 Amphitheatre
    // Parkway"): a zone only after a street part.
    let after_street = parts.len() > 1;
    let taken = match words.as_slice() {
        [a, ..] if digits(a, 5) => 1,
        [a, b, ..] if digits(a, 3) && digits(b, 2) => 2,
        [a, b, ..] if after_street && digits(a, 4) && letters(b) => 2,
        [a, ..] if after_street && digits(a, 4) => 1,
        _ => 0,
    };
    if taken == 0 {
        return (Some(parts.join(", ")), None, None);
    }
    let zone = words[..taken].join(" ");
    let city = words[taken..].join(" ");
    let street = (parts.len() > 1).then(|| parts[..parts.len() - 1].join(", "));
    let city = (!city.is_empty()).then_some(city);
    (street, Some(zone), city)
}
