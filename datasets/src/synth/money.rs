//! Line items and consistent totals: line = qty × price (öre), VAT per rate =
//! round(base × rate), total = net + VAT (+ öresavrundning).

use rand::seq::SliceRandom;
use rand::{Rng, RngExt};
use rust_decimal::Decimal;

use crate::error::Error;
use crate::format::round;
use crate::synth::company::{Company, Kind};
use crate::synth::items::{self, Article, Qty};
use crate::synth::{Lang, Profile};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    Item,
    /// Fakturaavgift, frakt.
    Fee,
    /// A discount row: no quantity or unit price, negative amount.
    Discount,
}

/// One row of the item table.
#[derive(Debug, Clone)]
pub struct Line {
    pub desc: String,
    pub art_no: String,
    pub qty: Option<Decimal>,
    pub unit: Option<String>,
    pub price: Option<Decimal>,
    /// Percent.
    pub vat: Decimal,
    pub amount: Decimal,
    pub kind: LineKind,
}

/// VAT for one rate.
#[derive(Debug, Clone, PartialEq)]
pub struct VatSum {
    pub rate: Decimal,
    pub base: Decimal,
    pub amount: Decimal,
}

/// The invoice totals.
#[derive(Debug, Clone)]
pub struct Totals {
    pub vat: Vec<VatSum>,
    pub net: Decimal,
    pub vat_total: Decimal,
    pub gross: Decimal,
    pub rounding: Decimal,
    pub rounded: bool,
    pub total: Decimal,
}

const EXEMPT: Article = Article {
    sv: "Kursavgift, momsfri utbildning",
    en: "Course fee, VAT exempt",
    unit: ("st", "pcs"),
    price: (1500, 6500),
    vat: 0,
    qty: Qty::Count(1, 4),
};

fn art_no<R: Rng>(rng: &mut R) -> String {
    match rng.random_range(0..4) {
        0 => format!("{}", rng.random_range(1000..99999)),
        1 => format!("A-{}", rng.random_range(100..9999)),
        2 => format!(
            "{}{}",
            ["KT", "SV", "MX", "P"][rng.random_range(0..4)],
            rng.random_range(10..999)
        ),
        _ => format!("{}-{}", rng.random_range(10..99), rng.random_range(100..999)),
    }
}

fn convert(price: Decimal, currency: &str) -> Decimal {
    match currency {
        "EUR" => round(price / Decimal::from(11), 2),
        "USD" => round(price / Decimal::from(10), 2),
        _ => price,
    }
}

/// A description made distinct for a repeated article: week, order, delivery note.
fn vary<R: Rng>(rng: &mut R, base: &str, en: bool) -> String {
    let n = rng.random_range(1000..99999);
    match (en, rng.random_range(0..4)) {
        (false, 0) => format!("{base}, vecka {}", rng.random_range(1..53)),
        (false, 1) => format!("{base} – order {n}"),
        (false, 2) => format!("{base}, följesedel {n}"),
        (false, _) => {
            format!("{base}, lev. {}/{}", rng.random_range(1..29), rng.random_range(1..13))
        }
        (true, 0) => format!("{base}, week {}", rng.random_range(1..53)),
        (true, 1) => format!("{base} – order {n}"),
        (true, _) => format!("{base}, delivery note {n}"),
    }
}

/// The item rows; the bool is true for a reverse-charge (0 % VAT) invoice.
pub fn lines<R: Rng>(
    rng: &mut R,
    p: &Profile,
    supplier: &Company,
) -> Result<(Vec<Line>, bool), Error> {
    let reverse = matches!(supplier.kind, Kind::Foreign(_) | Kind::Us);
    let pool: Vec<Article> = if p.multi_vat {
        use crate::synth::names::Trade::*;
        [Food, Books, Transport, Hotel, Office]
            .iter()
            .flat_map(|t| items::catalogue(*t).iter().copied())
            .collect()
    } else {
        items::catalogue(supplier.trade).to_vec()
    };
    if pool.is_empty() {
        return Err(Error::Layout("empty item catalogue".into()));
    }
    let n = rng.random_range(p.lines.0..=p.lines.1.max(p.lines.0));
    let mut order: Vec<usize> = (0..pool.len()).collect();
    order.shuffle(rng);
    let mut arts: Vec<Article> = (0..n).map(|i| pool[order[i % order.len()]]).collect();
    if p.multi_vat && n >= 3 {
        for (slot, rate) in [25u32, 12, 6].iter().enumerate() {
            if !arts.iter().any(|a| a.vat == *rate) {
                let cands: Vec<&Article> = pool.iter().filter(|a| a.vat == *rate).collect();
                if let Some(a) = cands.get(rng.random_range(0..cands.len().max(1))) {
                    let at = (slot * 7 + rng.random_range(0..n)) % n;
                    arts[at] = **a;
                }
            }
        }
        if rng.random_bool(0.15) {
            arts.push(EXEMPT);
        }
    }
    // Credit notes negate either the quantity or the unit price.
    let neg_qty = rng.random_bool(0.5);
    let sign = if p.credit { Decimal::NEGATIVE_ONE } else { Decimal::ONE };
    let en = p.lang == Lang::En;
    let mut out = Vec::new();
    let long = p.lines.1 > 20;
    for (i, art) in arts.iter().enumerate() {
        let mut qty = items::quantity(rng, art.qty);
        let mut price = convert(items::unit_price(rng, art), p.currency);
        if p.credit {
            if neg_qty {
                qty *= sign;
            } else {
                price *= sign;
            }
        }
        let vat = if reverse { 0 } else { art.vat };
        let base = if en { art.en } else { art.sv };
        let repeated = i >= order.len();
        let desc = if repeated || (long && rng.random_bool(0.5)) {
            vary(rng, base, en)
        } else {
            base.to_string()
        };
        out.push(Line {
            desc,
            art_no: art_no(rng),
            qty: Some(qty),
            unit: Some(if en { art.unit.1 } else { art.unit.0 }.to_string()),
            price: Some(price),
            vat: Decimal::from(vat),
            amount: round(qty * price, 2),
            kind: LineKind::Item,
        });
    }
    if !p.credit && out.len() >= 2 && rng.random_bool(0.12) {
        let pct = [5, 10, 15, 20][rng.random_range(0..4)];
        let rate = out[0].vat;
        let base: Decimal = out.iter().filter(|l| l.vat == rate).map(|l| l.amount).sum();
        let amount = -round(base * Decimal::from(pct) / Decimal::from(100), 2);
        let desc = if en { format!("Discount {pct} %") } else { format!("Rabatt {pct} %") };
        out.push(Line {
            desc,
            art_no: String::new(),
            qty: None,
            unit: None,
            price: None,
            vat: rate,
            amount,
            kind: LineKind::Discount,
        });
    }
    if !reverse && !p.credit && p.currency == "SEK" {
        let fees: [(&str, &str, u32, u32, f64); 2] =
            [("Fakturaavgift", "Invoice fee", 29, 59, 0.15), ("Frakt", "Shipping", 49, 495, 0.12)];
        for (sv, en_desc, lo, hi, prob) in fees {
            if rng.random_bool(prob) {
                let price = Decimal::from(rng.random_range(lo..=hi));
                out.push(Line {
                    desc: if en { en_desc } else { sv }.to_string(),
                    art_no: String::new(),
                    qty: Some(Decimal::ONE),
                    unit: Some(if en { "pcs" } else { "st" }.to_string()),
                    price: Some(price),
                    vat: Decimal::from(25),
                    amount: price,
                    kind: LineKind::Fee,
                });
            }
        }
    }
    Ok((out, reverse))
}

/// VAT per rate (highest first) and the totals; `round_total` applies öresavrundning.
pub fn totals(lines: &[Line], round_total: bool) -> Totals {
    let mut rates: Vec<Decimal> = lines.iter().map(|l| l.vat).collect();
    rates.sort_by(|a, b| b.cmp(a));
    rates.dedup();
    let vat: Vec<VatSum> = rates
        .iter()
        .map(|&rate| {
            let base: Decimal = lines.iter().filter(|l| l.vat == rate).map(|l| l.amount).sum();
            VatSum { rate, base, amount: round(base * rate / Decimal::from(100), 2) }
        })
        .collect();
    let net: Decimal = vat.iter().map(|v| v.base).sum();
    let vat_total: Decimal = vat.iter().map(|v| v.amount).sum();
    let gross = net + vat_total;
    let total = if round_total { round(gross, 0) } else { gross };
    Totals { vat, net, vat_total, gross, rounding: total - gross, rounded: round_total, total }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(amount: i64, vat: i64) -> Line {
        Line {
            desc: "x".into(),
            art_no: String::new(),
            qty: Some(Decimal::ONE),
            unit: None,
            price: Some(Decimal::new(amount, 2)),
            vat: Decimal::from(vat),
            amount: Decimal::new(amount, 2),
            kind: LineKind::Item,
        }
    }

    #[test]
    fn totals_add_up_with_rounding() {
        let t = totals(&[line(10050, 25), line(3333, 12), line(1999, 25)], true);
        assert_eq!(t.net, Decimal::new(15382, 2));
        assert_eq!(t.vat.len(), 2);
        assert_eq!(t.vat[0].amount, Decimal::new(3012, 2)); // 120.49 * 0.25 = 30.1225
        assert_eq!(t.vat[1].amount, Decimal::new(400, 2)); // 33.33 * 0.12 = 3.9996
        assert_eq!(t.gross, Decimal::new(18794, 2));
        assert_eq!(t.total, Decimal::from(188));
        assert_eq!(t.rounding, Decimal::new(6, 2));
    }
}
