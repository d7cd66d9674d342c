//! Property tests: the parsers and validators take any text a page or a
//! client can send and never panic; what they accept they give back in a
//! normalised form that they accept again.

use chrono::Datelike;
use invex_domain::parse::{
    DateOrder, format_amount_sv, normalize_currency, parse_amount, parse_amount_with, parse_date,
    parse_percent,
};
use invex_domain::validate::{
    bankgiro, bic, iban, ocr_reference, org_nr, personnummer, plusgiro, rf_reference,
    totals_consistent, vat_matches_rate, vat_number,
};
use proptest::prelude::*;
use rust_decimal::Decimal;

/// Text that looks like what invoices print: digits, separators, signs,
/// letters, currency marks and odd Unicode, and sometimes anything at all.
fn invoice_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9 .,'\u{a0}\u{2009}\u{2212}+\\-:/()%€$£krSEKUR]{0,24}",
        "[A-Z]{0,2}[0-9 ]{0,30}",
        ".{0,40}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn parsers_never_panic(s in invoice_text()) {
        let _ = parse_amount(&s);
        let _ = parse_amount_with(&s, Some(','));
        let _ = parse_amount_with(&s, Some('.'));
        let _ = parse_percent(&s);
        let _ = normalize_currency(&s);
        for order in [DateOrder::DayFirst, DateOrder::MonthFirst] {
            let _ = parse_date(&s, order);
        }
    }

    #[test]
    fn validators_never_panic_and_accept_their_own_output(s in invoice_text()) {
        let validators: [fn(&str) -> Option<String>; 9] = [
            bankgiro, plusgiro, org_nr, personnummer, ocr_reference, rf_reference, iban, bic,
            vat_number,
        ];
        for v in validators {
            if let Some(normalised) = v(&s) {
                prop_assert_eq!(v(&normalised), Some(normalised.clone()), "{:?}", s);
            }
        }
    }

    #[test]
    fn amounts_round_trip_through_the_swedish_form(cents in -10_000_000_000_000i64..10_000_000_000_000) {
        let amount = Decimal::new(cents, 2);
        let printed = format_amount_sv(amount);
        prop_assert_eq!(parse_amount(&printed), Some(amount), "{}", printed);
    }

    #[test]
    fn iso_dates_parse_as_written(y in 1990i32..2100, m in 1u32..=12, d in 1u32..=28) {
        let text = format!("{y:04}-{m:02}-{d:02}");
        let date = parse_date(&text, DateOrder::DayFirst).expect("an ISO date");
        prop_assert_eq!((date.year(), date.month(), date.day()), (y, m, d));
    }

    #[test]
    fn arithmetic_checks_never_panic(
        a in any::<i64>(), b in any::<i64>(), c in any::<i64>(), scale in 0u32..28, rate in any::<i64>()
    ) {
        let (a, b, c) = (Decimal::new(a, scale), Decimal::new(b, scale), Decimal::new(c, scale));
        let _ = totals_consistent(a, b, c);
        let _ = vat_matches_rate(a, Decimal::new(rate, 2), b);
    }
}
