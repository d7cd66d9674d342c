//! VAT per rate: from the invoice's VAT breakdown when it has one, else from
//! line items with rates, else from net, VAT and total with the rates of the
//! supplier's country (its VAT number's prefix; Sweden's without one).

use invex_domain::tax::VatTreatment;
use invex_domain::{FieldName, Invoice, validate};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

use super::Line;
use crate::Error;

/// The taxable base and the VAT of one rate, in document amounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VatPart {
    /// Percent, for example 25.
    pub rate: Decimal,
    pub base: Decimal,
    pub amount: Decimal,
    /// The VAT category (UNCL5305) and exemption reason when the invoice
    /// states them (an e-invoice's breakdown): `E` exempt, `AE` reverse
    /// charge, `G` export, `K` intra-community supply, …; else absent, and
    /// the category follows from the rate (`S`, or `Z` at 0 %).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exemption_reason: Option<String>,
}

impl VatPart {
    fn new(rate: Decimal, base: Decimal, amount: Decimal) -> VatPart {
        VatPart { rate, base, amount, category: None, exemption_reason: None }
    }
}

/// The total and its VAT parts, highest rate first, one part per rate.
pub(super) struct Split {
    pub total: Decimal,
    pub parts: Vec<VatPart>,
}

impl Split {
    pub fn net(&self) -> Decimal {
        self.parts.iter().map(|p| p.base).sum()
    }
    pub fn vat_total(&self) -> Decimal {
        self.parts.iter().map(|p| p.amount).sum()
    }
}

/// States the VAT treatment on the 0 % parts that carry no category of
/// their own (an e-invoice's categories are kept): `AE` for a reverse
/// charge, `K` for an intra-community supply of goods, `E` for an
/// exemption, each with its reason (BR-AE-10, BR-IC-10, BR-E-10).
pub(super) fn categorise(parts: &mut [VatPart], treatment: VatTreatment, invoice: &Invoice) {
    let said = invoice.vat_statement.as_ref().map(|s| s.text.clone());
    let (category, reason) = match treatment {
        VatTreatment::Standard => return,
        VatTreatment::DomesticReverseCharge
        | VatTreatment::EuServices
        | VatTreatment::ImportServices => ("AE", "Reverse charge".to_string()),
        VatTreatment::EuGoods => ("K", "Intra-community supply".to_string()),
        VatTreatment::Exempt => ("E", said.unwrap_or_else(|| "Exempt from VAT".into())),
    };
    for part in parts.iter_mut().filter(|p| p.rate.is_zero() && p.category.is_none()) {
        part.category = Some(category.to_string());
        part.exemption_reason = Some(reason.clone());
    }
}

/// Rounds to öre, half away from zero (as invoices do).
pub fn round2(a: Decimal) -> Decimal {
    a.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// VAT rates (percent) by the country prefix of a VAT number: the current
/// standard and reduced rates of the European Commission's "VAT rates
/// applied in the Member States" (2025), Norway's, Switzerland's and the
/// UK's, and the rates they replaced since 2019, for older invoices (DE 16/5
/// in 2020, FI 24, EE 20/22, SK 20/10, RO 19/9, CH 7.7/2.5/3.7, LU 16/13/7).
/// 0 % is every country's.
const RATES: [(&str, &[&str]); 31] = [
    ("SE", &["25", "12", "6"]),
    ("AT", &["20", "13", "10"]),
    ("BE", &["21", "12", "6"]),
    ("BG", &["20", "9"]),
    ("CY", &["19", "9", "5", "3"]),
    ("CZ", &["21", "15", "12", "10"]),
    ("DE", &["19", "7", "16", "5"]),
    ("DK", &["25"]),
    ("EE", &["24", "22", "20", "13", "9"]),
    ("EL", &["24", "13", "6"]),
    ("ES", &["21", "10", "4"]),
    ("FI", &["25.5", "24", "14", "10"]),
    ("FR", &["20", "10", "5.5", "2.1"]),
    ("HR", &["25", "13", "5"]),
    ("HU", &["27", "18", "5"]),
    ("IE", &["23", "21", "13.5", "9", "4.8"]),
    ("IT", &["22", "10", "5", "4"]),
    ("LT", &["21", "9", "5"]),
    ("LU", &["17", "16", "14", "13", "8", "7", "3"]),
    ("LV", &["21", "12", "5"]),
    ("MT", &["18", "7", "5"]),
    ("NL", &["21", "9"]),
    ("PL", &["23", "8", "5"]),
    ("PT", &["23", "13", "6"]),
    ("RO", &["21", "19", "11", "9", "5"]),
    ("SI", &["22", "9.5", "5"]),
    ("SK", &["23", "20", "19", "10", "5"]),
    ("NO", &["25", "15", "12"]),
    ("CH", &["8.1", "7.7", "3.8", "3.7", "2.6", "2.5"]),
    ("GB", &["20", "5"]),
    ("XI", &["20", "5"]),
];

/// The supplier's country by its VAT number's prefix; Sweden without one.
pub(super) fn supplier_country(invoice: &Invoice) -> &str {
    invoice
        .text(FieldName::SupplierVat)
        .and_then(|v| v.get(..2))
        .filter(|p| p.chars().all(|c| c.is_ascii_uppercase()))
        .unwrap_or("SE")
}

/// The VAT rates of a country (with 0 %), if known.
fn rates_of(country: &str) -> Option<Vec<Decimal>> {
    let (_, rates) = RATES.iter().find(|(c, _)| *c == country)?;
    let mut all: Vec<Decimal> = rates.iter().filter_map(|r| r.parse().ok()).collect();
    all.push(Decimal::ZERO);
    Some(all)
}

/// Splits the invoice's amounts by VAT rate; `sign` flips a credit note
/// printed with negative amounts (the lines are flipped already).
pub(super) fn split(
    invoice: &Invoice,
    sign: Decimal,
    lines: &[Line],
    label: &str,
) -> Result<Split, Error> {
    let signed = |name| invoice.amount(name).map(|a| a * sign);
    let total = signed(FieldName::TotalAmount).unwrap_or_default();
    let (net, vat) = (signed(FieldName::NetAmount), signed(FieldName::VatAmount));
    let parts = if !invoice.vat_breakdown.is_empty() {
        from_breakdown(invoice, sign, lines, net, vat, total)
    } else if let Some(parts) = from_lines(lines, net, vat, total) {
        parts
    } else {
        from_totals(supplier_country(invoice), net, vat, total, label)?
    };
    let split = Split { total, parts: merge(parts) };
    let (sum_net, sum_vat) = (split.net(), split.vat_total());
    if !validate::totals_consistent_with_rounding(sum_net, sum_vat, total) {
        return Err(Error::Unbalanced {
            invoice: label.to_string(),
            net: sum_net,
            vat: sum_vat,
            sum: sum_net + sum_vat,
            total,
        });
    }
    let cent = Decimal::new(1, 2) * Decimal::from(split.parts.len().max(1));
    let disagrees =
        |printed: Option<Decimal>, sum: Decimal| printed.is_some_and(|p| (p - sum).abs() > cent);
    if disagrees(vat, sum_vat) || disagrees(net, sum_net) {
        return Err(Error::Inconsistent {
            invoice: label.to_string(),
            detail: format!(
                "the VAT breakdown (net {sum_net}, VAT {sum_vat}) disagrees with the printed net {} and VAT {}",
                net.map_or("-".into(), |n| n.to_string()),
                vat.map_or("-".into(), |v| v.to_string()),
            ),
        });
    }
    Ok(split)
}

/// The printed breakdown. A base it lacks comes from the line items of that
/// rate (when the items add up to the net); else, when only one is missing,
/// it is the rest of the net; else it is derived from the VAT amount and the
/// rate, and the öre lost by deriving from rounded VAT go onto the largest
/// derived base (a 0 % part without base takes the rest instead). Line items
/// at 0 % that the breakdown leaves out (many invoices list taxed rates only)
/// become a 0 % part when they are exactly what the net has left over.
fn from_breakdown(
    invoice: &Invoice,
    sign: Decimal,
    items: &[Line],
    net: Option<Decimal>,
    vat: Option<Decimal>,
    total: Decimal,
) -> Vec<VatPart> {
    let printed = &invoice.vat_breakdown;
    let vat_sum: Decimal = printed.iter().map(|l| l.amount * sign).sum();
    let net = net.unwrap_or_else(|| total - vat.unwrap_or(vat_sum));
    let cent = Decimal::new(1, 2);
    let by_rate = |rate: Decimal| -> Option<Decimal> {
        let all: Option<Vec<(Decimal, Decimal)>> =
            items.iter().map(|l| Some((l.vat_rate?, l.amount?))).collect();
        let all = all.filter(|a| !a.is_empty())?;
        let fits =
            (all.iter().map(|(_, a)| *a).sum::<Decimal>() - net).abs() <= cent * Decimal::TWO;
        let of_rate: Vec<Decimal> =
            all.iter().filter(|(r, _)| *r == rate).map(|(_, a)| *a).collect();
        (fits && !of_rate.is_empty()).then(|| of_rate.into_iter().sum())
    };
    let mut parts = Vec::new();
    let mut unknown = Vec::new();
    for l in printed {
        let (rate, amount) = (l.rate, l.amount * sign);
        let base = l.base.map(|b| b * sign).or_else(|| by_rate(rate));
        if base.is_none() {
            unknown.push(parts.len());
        }
        parts.push(VatPart {
            category: l.category.clone(),
            exemption_reason: l.exemption_reason.clone(),
            ..VatPart::new(rate, base.unwrap_or_default(), amount)
        });
    }
    let rest = |parts: &[VatPart]| net - parts.iter().map(|p| p.base).sum::<Decimal>();
    if let [i] = unknown[..] {
        parts[i].base = rest(&parts);
    } else if !unknown.is_empty() {
        for &i in &unknown {
            if !parts[i].rate.is_zero() {
                parts[i].base = round2(parts[i].amount * Decimal::ONE_HUNDRED / parts[i].rate);
            }
        }
        let left = rest(&parts);
        let zero = unknown.iter().copied().find(|&i| parts[i].rate.is_zero());
        let largest = unknown.iter().copied().max_by_key(|&i| parts[i].base.abs());
        let slack = Decimal::new(10, 2) * Decimal::from(unknown.len());
        match (zero, largest) {
            (Some(i), _) => parts[i].base = left,
            (None, Some(i)) if left.abs() <= slack => parts[i].base += left,
            _ => {}
        }
    }
    let zero_items: Decimal = items
        .iter()
        .filter(|l| l.vat_rate.is_some_and(|r| r.is_zero()))
        .filter_map(|l| l.amount)
        .sum();
    let left = rest(&parts);
    if !parts.iter().any(|p| p.rate.is_zero())
        && !zero_items.is_zero()
        && (left - zero_items).abs() <= cent * Decimal::TWO
    {
        parts.push(VatPart::new(Decimal::ZERO, left, Decimal::ZERO));
    }
    parts
}

/// Line items with rates and amounts, when every line has both and they
/// explain the printed net and VAT (a VAT within a cent per rate is moved
/// onto the largest part, as the invoice's own rounding).
fn from_lines(
    lines: &[Line],
    net: Option<Decimal>,
    vat: Option<Decimal>,
    total: Decimal,
) -> Option<Vec<VatPart>> {
    if lines.is_empty() {
        return None;
    }
    let mut parts: Vec<VatPart> = Vec::new();
    for line in lines {
        let (rate, amount) = (line.vat_rate?, line.amount?);
        match parts.iter_mut().find(|p| p.rate == rate) {
            Some(p) => p.base += amount,
            None => parts.push(VatPart::new(rate, amount, Decimal::ZERO)),
        }
    }
    for p in &mut parts {
        p.amount = round2(p.base * p.rate / Decimal::ONE_HUNDRED);
    }
    let cent = Decimal::new(1, 2);
    let bases: Decimal = parts.iter().map(|p| p.base).sum();
    if net.is_some_and(|n| (n - bases).abs() > cent * Decimal::TWO) {
        return None;
    }
    if let Some(vat) = vat {
        let gap = vat - parts.iter().map(|p| p.amount).sum::<Decimal>();
        if gap.abs() > cent * Decimal::from(parts.len()) {
            return None;
        }
        let largest = parts.iter_mut().max_by_key(|p| p.amount.abs())?;
        largest.amount += gap;
    }
    let vats: Decimal = parts.iter().map(|p| p.amount).sum();
    validate::totals_consistent_with_rounding(bases, vats, total).then_some(parts)
}

/// One rate of the supplier's country from net, VAT and total (two of the
/// three suffice).
fn from_totals(
    country: &str,
    net: Option<Decimal>,
    vat: Option<Decimal>,
    total: Decimal,
    label: &str,
) -> Result<Vec<VatPart>, Error> {
    let Some(rates) = rates_of(country) else {
        return Err(Error::VatCountry { invoice: label.to_string(), country: country.to_string() });
    };
    let (net, vat) = match (net, vat) {
        (Some(n), Some(v)) => (n, v),
        (None, Some(v)) => (total - v, v),
        (Some(n), None) => {
            // VAT = total - net, unless the total is rounded: then the rate
            // whose VAT fits within öresavrundning.
            let fits = rates
                .iter()
                .map(|r| round2(n * r / Decimal::ONE_HUNDRED))
                .find(|v| validate::totals_consistent_with_rounding(n, *v, total));
            (n, fits.unwrap_or(total - n))
        }
        (None, None) => {
            return Err(Error::MissingField {
                invoice: label.to_string(),
                field: FieldName::VatAmount,
            });
        }
    };
    let rate = if vat.is_zero() {
        Some(Decimal::ZERO)
    } else {
        rates
            .iter()
            .copied()
            .filter(|r| !r.is_zero())
            .find(|r| validate::vat_matches_rate(net, *r, vat))
    };
    let rate = rate.ok_or_else(|| Error::VatRate {
        invoice: label.to_string(),
        country: country.to_string(),
        net,
        vat,
    })?;
    Ok(vec![VatPart::new(rate, net, vat)])
}

/// One part per rate, highest rate first.
fn merge(parts: Vec<VatPart>) -> Vec<VatPart> {
    let mut merged: Vec<VatPart> = Vec::new();
    for p in parts {
        match merged.iter_mut().find(|m| m.rate == p.rate && m.category == p.category) {
            Some(m) => {
                m.base += p.base;
                m.amount += p.amount;
            }
            None => merged.push(p),
        }
    }
    merged.sort_by_key(|p| std::cmp::Reverse(p.rate));
    merged
}
