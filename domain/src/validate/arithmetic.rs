//! Invoice arithmetic: do the amounts add up, is the VAT rate plausible.

use rust_decimal::Decimal;

use crate::parse::normalize_currency;

/// `|net + vat - total|`, `None` on overflow.
fn gap(net: Decimal, vat: Decimal, total: Decimal) -> Option<Decimal> {
    Some(net.checked_add(vat)?.checked_sub(total)?.abs())
}

/// Whether net + VAT = total within one cent/öre.
pub fn totals_consistent(net: Decimal, vat: Decimal, total: Decimal) -> bool {
    gap(net, vat, total).is_some_and(|g| g <= Decimal::new(1, 2))
}

/// Like [`totals_consistent`], but also accepts Swedish öresavrundning: when
/// the total is a whole number of kronor, net + VAT may differ from it by up
/// to 0.50 (inclusive, because rounding half up leaves exactly 0.50).
pub fn totals_consistent_with_rounding(net: Decimal, vat: Decimal, total: Decimal) -> bool {
    totals_consistent(net, vat, total)
        || (total.fract().is_zero()
            && gap(net, vat, total).is_some_and(|g| g <= Decimal::new(50, 2)))
}

/// Whether a VAT rate (percent) can occur on an invoice in `currency`:
/// Swedish rates 25, 12, 6 and 0 for SEK (also written `kr`, `:-`), any rate
/// from 0 to 30 for other currencies.
pub fn vat_rate_allowed(rate: Decimal, currency: &str) -> bool {
    let sek = normalize_currency(currency) == Some("SEK");
    if sek {
        [25, 12, 6, 0].into_iter().any(|r| rate == Decimal::from(r))
    } else {
        rate >= Decimal::ZERO && rate <= Decimal::from(30)
    }
}

/// Whether `vat` is `rate` percent of `base`, within 0.02.
pub fn vat_matches_rate(base: Decimal, rate: Decimal, vat: Decimal) -> bool {
    base.checked_mul(rate)
        .and_then(|x| x.checked_div(Decimal::ONE_HUNDRED))
        .and_then(|x| x.checked_sub(vat))
        .is_some_and(|d| d.abs() <= Decimal::new(2, 2))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap_or_else(|e| panic!("bad decimal {s:?}: {e}"))
    }

    #[test]
    fn totals_table() {
        // (net, vat, total, exact, with rounding)
        let cases: &[(&str, &str, &str, bool, bool)] = &[
            ("1000", "250", "1250", true, true),
            ("1000.00", "250.00", "1250.00", true, true),
            ("99.99", "25.00", "124.99", true, true),
            ("99.99", "25.00", "125.00", true, true), // one öre off
            ("99.99", "25.00", "125.01", false, false), // two öre off
            ("99.99", "25.00", "125.02", false, false), // 0.03 off, total not whole
            ("80.40", "20.10", "101", false, true),   // 100.50 rounded up: 0.50 off
            ("80.00", "20.20", "100", false, true),   // 100.20 rounded down
            ("80.00", "20.60", "100", false, false),  // 0.60 off
            ("80.00", "20.20", "100.50", false, false), // total not whole kronor
            ("-1000", "-250", "-1250", true, true),   // credit note
            ("-80.00", "-20.20", "-100", false, true),
            ("0", "0", "0", true, true),
            ("1000", "250", "1200", false, false),
        ];
        for &(n, v, t, exact, rounded) in cases {
            let (n, v, t) = (d(n), d(v), d(t));
            assert_eq!(totals_consistent(n, v, t), exact, "totals_consistent({n}, {v}, {t})");
            assert_eq!(
                totals_consistent_with_rounding(n, v, t),
                rounded,
                "totals_consistent_with_rounding({n}, {v}, {t})"
            );
        }
        assert!(!totals_consistent(Decimal::MAX, Decimal::MAX, Decimal::ZERO));
    }

    #[test]
    fn vat_rate_allowed_table() {
        let cases: &[(&str, &str, bool)] = &[
            ("25", "SEK", true),
            ("25.00", "SEK", true),
            ("12", "SEK", true),
            ("6", "sek", true),
            ("0", "SEK", true),
            ("25", "kr", true),
            ("19", "SEK", false),
            ("24", "SEK", false),
            ("12.5", "SEK", false),
            ("-25", "SEK", false),
            ("19", "EUR", true),
            ("20", "GBP", true),
            ("8.1", "CHF", true),
            ("0", "USD", true),
            ("30", "EUR", true),
            ("30.01", "EUR", false),
            ("-1", "EUR", false),
            ("25.5", "NOK", true),
        ];
        for &(rate, currency, expected) in cases {
            assert_eq!(
                vat_rate_allowed(d(rate), currency),
                expected,
                "vat_rate_allowed({rate}, {currency:?})"
            );
        }
    }

    #[test]
    fn vat_matches_rate_table() {
        let cases: &[(&str, &str, &str, bool)] = &[
            ("1000", "25", "250", true),
            ("999.99", "25", "250.00", true), // 249.9975
            ("999.99", "25", "249.99", true),
            ("100", "12", "12.00", true),
            ("100", "6", "6.02", true),
            ("100", "6", "6.03", false),
            ("100", "25", "12", false),
            ("-400", "25", "-100", true),
            ("0", "25", "0", true),
            ("80.40", "25", "20.10", true),
        ];
        for &(base, rate, vat, expected) in cases {
            assert_eq!(
                vat_matches_rate(d(base), d(rate), d(vat)),
                expected,
                "vat_matches_rate({base}, {rate}, {vat})"
            );
        }
        assert!(!vat_matches_rate(Decimal::MAX, Decimal::MAX, Decimal::ZERO));
    }
}
