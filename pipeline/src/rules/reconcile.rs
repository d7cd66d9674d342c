//! Arithmetic cross-checks: choose the (net, VAT, total) triple whose
//! amounts add up (net + VAT = total, öresavrundning allowed) with plausible
//! VAT rates, and derive a missing one of the three from the other two.

use invex_domain::Value;
use invex_domain::validate::{totals_consistent, totals_consistent_with_rounding};
use rust_decimal::Decimal;

use super::confidence::Cand;

/// How much of its sources' confidence a VAT of 0 derived from a "net"
/// equal to the total keeps.
const ZERO_VAT_DERIVED: f32 = 0.6;

/// One chosen amount: the candidate, and whether it was derived.
#[derive(Debug, Clone)]
pub struct Chosen {
    pub cand: Cand,
    pub derived: bool,
}

#[derive(Debug, Clone, Default)]
pub struct Totals {
    pub net: Option<Chosen>,
    pub vat: Option<Chosen>,
    pub total: Option<Chosen>,
}

fn amount(c: &Cand) -> Decimal {
    match c.value {
        Value::Amount(a) => a,
        _ => Decimal::ZERO,
    }
}

/// Whether `vat / net` is a rate one could see on an invoice in `currency`
/// (a mix of Swedish rates lies between 6 and 25 %).
fn plausible_rate(net: Decimal, vat: Decimal, sek: bool) -> bool {
    if net.is_zero() {
        return vat.is_zero();
    }
    if vat.is_zero() {
        return true;
    }
    if (net.is_sign_negative() != vat.is_sign_negative()) && !vat.is_zero() {
        return false;
    }
    let r = (vat / net) * Decimal::ONE_HUNDRED;
    let hi = if sek { Decimal::new(2501, 2) } else { Decimal::from(30) };
    r > Decimal::ZERO && r <= hi
}

/// The whole VAT rates of the EU and the Nordics, standard and reduced (%).
pub(super) const STANDARD_RATES: [i64; 19] =
    [25, 12, 6, 19, 7, 20, 10, 21, 5, 24, 14, 15, 16, 8, 9, 13, 17, 22, 23];

/// Whether the rate is (close to) one standard rate, a sign the three
/// amounts belong together.
fn standard_rate(net: Decimal, vat: Decimal) -> bool {
    if net.is_zero() {
        return false;
    }
    let r = (vat / net) * Decimal::ONE_HUNDRED;
    STANDARD_RATES.iter().any(|&s| (r - Decimal::from(s)).abs() < Decimal::new(15, 2))
}

/// The score from which an amount counts as read beside its own caption.
const CAPTIONED: f32 = 0.9;

/// Whether the best candidate of a role, read beside its caption, says
/// otherwise than the value two other amounts would derive for it: a VAT or
/// total is never derived over a printed one. (A net is: a captioned "net"
/// is as often a tax-inclusive subtotal, and charges sit between the net
/// and the total.)
fn contradicts(role: &[Cand], derived: Decimal) -> bool {
    role.first()
        .is_some_and(|c| c.score >= CAPTIONED && (amount(c) - derived).abs() > Decimal::new(1, 2))
}

fn derived(value: Decimal, from: &[&Cand]) -> Chosen {
    let conf = from.iter().map(|c| c.conf).fold(1.0f32, f32::min) * 0.95;
    let page = from.first().map_or(0, |c| c.page);
    Chosen {
        cand: Cand { value: Value::Amount(value), score: 0.0, conf, page, bbox: None, toks: None },
        derived: true,
    }
}

fn read(c: &Cand, boost: f32) -> Chosen {
    let mut cand = c.clone();
    cand.conf = 1.0 - (1.0 - cand.conf) * (1.0 - boost);
    Chosen { cand, derived: false }
}

/// Picks the best consistent combination. Each list is ranked best first.
pub fn choose(nets: &[Cand], vats: &[Cand], totals: &[Cand], sek: bool) -> Totals {
    let top = |l: &[Cand]| -> Vec<Option<usize>> {
        (0..l.len().min(10)).map(Some).chain([None]).collect()
    };
    let same = |a: &Cand, b: &Cand| a.bbox.is_some() && a.bbox == b.bbox && a.page == b.page;
    // (score, net, VAT, total, derive the missing one)
    type Pick = (f32, Option<usize>, Option<usize>, Option<usize>, bool);
    let mut best: Option<Pick> = None;
    for &i in &top(nets) {
        for &j in &top(vats) {
            for &k in &top(totals) {
                let (n, v, t) = (i.map(|i| &nets[i]), j.map(|j| &vats[j]), k.map(|k| &totals[k]));
                let s = n.map_or(0.0, |c| c.score)
                    + v.map_or(0.0, |c| c.score)
                    + t.map_or(0.0, |c| c.score);
                let mut derive = true;
                let score = match (n, v, t) {
                    (Some(n), Some(v), Some(t)) => {
                        let (a, b, c) = (amount(n), amount(v), amount(t));
                        if same(n, t) && !b.is_zero() || same(n, v) || same(v, t) {
                            continue;
                        }
                        if !(totals_consistent(a, b, c) || totals_consistent_with_rounding(a, b, c))
                        {
                            continue;
                        }
                        if !plausible_rate(a, b, sek) {
                            continue;
                        }
                        let std = if standard_rate(a, b) { 0.2 } else { 0.0 };
                        s + 1.5 + std
                    }
                    (Some(n), None, Some(t)) => {
                        let (a, c) = (amount(n), amount(t));
                        if same(n, t) {
                            continue;
                        }
                        if !plausible_rate(a, c - a, sek) || contradicts(vats, c - a) {
                            derive = false;
                        }
                        if !derive {
                            s - 0.8
                        } else {
                            s + if standard_rate(a, c - a) { 0.3 } else { 0.0 }
                        }
                    }
                    (None, Some(v), Some(t)) => {
                        let (b, c) = (amount(v), amount(t));
                        if same(v, t) {
                            continue;
                        }
                        if !plausible_rate(c - b, b, sek) {
                            derive = false;
                        }
                        if !derive {
                            s - 0.8
                        } else {
                            s + if standard_rate(c - b, b) { 0.3 } else { 0.0 }
                        }
                    }
                    (Some(n), Some(v), None) => {
                        let (a, b) = (amount(n), amount(v));
                        if same(n, v) {
                            continue;
                        }
                        if !plausible_rate(a, b, sek) || contradicts(totals, a + b) {
                            derive = false;
                        }
                        if !derive {
                            s - 0.8
                        } else {
                            s + if standard_rate(a, b) { 0.2 } else { 0.0 }
                        }
                    }
                    _ => s,
                };
                // On a tie, keep the total: it is what gets paid.
                let score = score + if t.is_some() { 0.05 } else { 0.0 };
                if best.is_none_or(|b| score > b.0) {
                    best = Some((score, i, j, k, derive));
                }
            }
        }
    }
    let Some((_, i, j, k, derive)) = best else { return Totals::default() };
    let (n, v, t) = (i.map(|i| &nets[i]), j.map(|j| &vats[j]), k.map(|k| &totals[k]));
    if !derive {
        return Totals {
            net: n.map(|c| read(c, 0.0)),
            vat: v.map(|c| read(c, 0.0)),
            total: t.map(|c| read(c, 0.0)),
        };
    }
    match (n, v, t) {
        (Some(n), Some(v), Some(t)) => {
            Totals { net: Some(read(n, 0.9)), vat: Some(read(v, 0.9)), total: Some(read(t, 0.9)) }
        }
        // A "net" equal to the total is as often a tax-inclusive subtotal as
        // a VAT-free invoice: VAT 0 derived from it is a weak reading.
        (Some(n), None, Some(t)) if amount(t) == amount(n) => {
            let mut vat = derived(Decimal::ZERO, &[n, t]);
            vat.cand.conf *= ZERO_VAT_DERIVED;
            Totals { net: Some(read(n, 0.0)), vat: Some(vat), total: Some(read(t, 0.5)) }
        }
        (Some(n), None, Some(t)) => Totals {
            net: Some(read(n, 0.5)),
            vat: Some(derived(amount(t) - amount(n), &[n, t])),
            total: Some(read(t, 0.5)),
        },
        (None, Some(v), Some(t)) => Totals {
            net: Some(derived(amount(t) - amount(v), &[v, t])),
            vat: Some(read(v, 0.5)),
            total: Some(read(t, 0.5)),
        },
        (Some(n), Some(v), None) => Totals {
            net: Some(read(n, 0.5)),
            vat: Some(read(v, 0.5)),
            total: Some(derived(amount(n) + amount(v), &[n, v])),
        },
        (n, v, t) => Totals {
            net: n.map(|c| read(c, 0.0)),
            vat: v.map(|c| read(c, 0.0)),
            total: t.map(|c| read(c, 0.0)),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn c(v: &str, score: f32) -> Cand {
        let value = Value::Amount(Decimal::from_str(v).unwrap_or_default());
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let x = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed) as f32 * 10.0;
        let bbox = Some(invex_domain::BBox::new(x, 0.0, x + 1.0, 1.0));
        Cand { value, score, conf: 0.8, page: 0, bbox, toks: None }
    }

    fn val(c: &Option<Chosen>) -> String {
        c.as_ref()
            .map_or("-".into(), |c| format!("{}{}", c.cand.value, if c.derived { "*" } else { "" }))
    }

    fn check(
        n: &[(&str, f32)],
        v: &[(&str, f32)],
        t: &[(&str, f32)],
        sek: bool,
        expected: [&str; 3],
    ) {
        let m = |l: &[(&str, f32)]| l.iter().map(|&(a, s)| c(a, s)).collect::<Vec<_>>();
        let r = choose(&m(n), &m(v), &m(t), sek);
        assert_eq!([val(&r.net), val(&r.vat), val(&r.total)], expected, "n={n:?} v={v:?} t={t:?}");
    }

    #[test]
    fn zero_vat_from_a_net_equal_to_the_total_is_unsure() {
        let r = choose(&[c("42000.00", 1.0)], &[], &[c("42000.00", 1.0)], false);
        let vat = r.vat.expect("derived");
        assert_eq!(vat.cand.value.to_string(), "0");
        assert!(vat.cand.conf < 0.5, "conf {}", vat.cand.conf);
        let r = choose(&[c("1000.00", 1.0)], &[], &[c("1250.00", 1.0)], false);
        assert!(r.vat.expect("derived").cand.conf > 0.7);
    }

    #[test]
    fn reconciliation_table() {
        // Consistent triple wins over higher-scored inconsistent amounts.
        check(
            &[("1000.00", 1.0)],
            &[("250.00", 1.0), ("25.00", 1.2)],
            &[("1250.00", 1.0)],
            true,
            ["1000.00", "250.00", "1250.00"],
        );
        // The total that adds up beats the amount due after a prepayment.
        check(
            &[("100.00", 1.0)],
            &[("10.00", 1.0)],
            &[("100.00", 1.0), ("110.00", 0.9)],
            false,
            ["100.00", "10.00", "110.00"],
        );
        // Öresavrundning: the rounded total is accepted.
        check(
            &[("801.60", 1.0)],
            &[("200.40", 1.0)],
            &[("1002.00", 1.0)],
            true,
            ["801.60", "200.40", "1002.00"],
        );
        // Missing VAT is derived.
        check(
            &[("1000.00", 1.0)],
            &[],
            &[("1250.00", 1.0)],
            true,
            ["1000.00", "250.00*", "1250.00"],
        );
        // Missing net is derived.
        check(&[], &[("71.51", 1.0)], &[("447.88", 1.0)], false, ["376.37*", "71.51", "447.88"]);
        // Missing total is derived.
        check(&[("845.00", 1.0)], &[("160.55", 1.0)], &[], false, ["845.00", "160.55", "1005.55*"]);
        // An implausible VAT rate (40 %) is refused for SEK.
        check(
            &[("1000.00", 1.0)],
            &[("400.00", 1.0)],
            &[("1400.00", 1.0)],
            true,
            ["1000.00", "-", "1400.00"],
        );
        // A charge between the VAT and the total ("Shipping 10.00"): the
        // VAT is never derived over a captioned one; the net is derived
        // from the VAT and the total.
        check(
            &[("290.00", 0.95)],
            &[("18.85", 0.95)],
            &[("318.85", 1.03)],
            false,
            ["300.00*", "18.85", "318.85"],
        );
        // A total is never derived over a captioned one (100 + 19 is not
        // 150): the net is taken as what the VAT and the total leave.
        check(
            &[("100.00", 1.0)],
            &[("19.00", 1.0)],
            &[("150.00", 1.0)],
            false,
            ["131.00*", "19.00", "150.00"],
        );
        // Nothing adds up: the best-scored single amounts are kept, nothing derived.
        check(&[("999.00", 1.0)], &[], &[], false, ["999.00", "-", "-"]);
        // Credit notes: all negative.
        check(
            &[("-1000.00", 1.0)],
            &[("-250.00", 1.0)],
            &[("-1250.00", 1.0)],
            true,
            ["-1000.00", "-250.00", "-1250.00"],
        );
    }
}
