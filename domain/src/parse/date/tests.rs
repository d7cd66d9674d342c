use super::*;
use DateOrder::{DayFirst as DF, MonthFirst as MF};

type Ymd = Option<(i32, u32, u32)>;

fn check(input: &str, order: DateOrder, expected: Ymd) -> Option<String> {
    let got = parse_date(input, order);
    let want = expected.and_then(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d));
    if expected.is_some() && want.is_none() {
        return Some(format!("bad expectation for {input:?}: {expected:?}"));
    }
    (got != want).then(|| format!("parse_date({input:?}, {order:?}) = {got:?}, expected {want:?}"))
}

#[test]
fn parse_date_table() {
    let cases: &[(&str, DateOrder, Ymd)] = &[
        // ISO and other year-first forms
        ("2026-11-22", DF, Some((2026, 11, 22))),
        ("2026-11-22", MF, Some((2026, 11, 22))),
        ("2026/11/22", DF, Some((2026, 11, 22))),
        ("2026.11.22", DF, Some((2026, 11, 22))),
        ("2026-1-5", DF, Some((2026, 1, 5))),
        ("20261122", DF, Some((2026, 11, 22))),
        ("19991231", DF, Some((1999, 12, 31))),
        // day first
        ("22.11.2026", DF, Some((2026, 11, 22))),
        ("22/11/2026", DF, Some((2026, 11, 22))),
        ("22-11-2026", DF, Some((2026, 11, 22))),
        ("1.2.2026", DF, Some((2026, 2, 1))),
        ("22.11.26", DF, Some((2026, 11, 22))),
        ("01.02.99", DF, Some((1999, 2, 1))),
        ("03/04/2026", DF, Some((2026, 4, 3))),
        ("29.02.2028", DF, Some((2028, 2, 29))),
        // month first, asked for or forced
        ("03/04/2026", MF, Some((2026, 3, 4))),
        ("11/22/2026", MF, Some((2026, 11, 22))),
        ("11/22/2026", DF, Some((2026, 11, 22))), // day > 12 forces it
        ("22/11/2026", MF, Some((2026, 11, 22))), // and the other way round
        ("12/31/26", MF, Some((2026, 12, 31))),
        // Swedish
        ("22 november 2026", DF, Some((2026, 11, 22))),
        ("3 maart 2022", DF, Some((2022, 3, 3))),
        ("15 de marzo de 2024", DF, Some((2024, 3, 15))),
        ("15 marzo 2024", DF, Some((2024, 3, 15))),
        ("1. joulukuuta 2025", DF, Some((2025, 12, 1))),
        ("22 juni 2026", DF, Some((2026, 6, 22))),
        ("22 okt 2026", DF, Some((2026, 10, 22))),
        ("1 maj 2026", DF, Some((2026, 5, 1))),
        ("15 mars 2026", DF, Some((2026, 3, 15))),
        ("3 juli 2026", DF, Some((2026, 7, 3))),
        ("31 augusti 2026", DF, Some((2026, 8, 31))),
        ("den 1:a december 2026", DF, Some((2026, 12, 1))),
        ("Måndag 23 november 2026", DF, Some((2026, 11, 23))),
        // English
        ("22 nov. 2026", DF, Some((2026, 11, 22))),
        ("22 Nov 2026", MF, Some((2026, 11, 22))),
        ("November 22, 2026", DF, Some((2026, 11, 22))),
        ("Nov 22 2026", DF, Some((2026, 11, 22))),
        ("22nd November 2026", DF, Some((2026, 11, 22))),
        ("the 2nd of February 2026", DF, Some((2026, 2, 2))),
        ("DECEMBER 1, 2026", DF, Some((2026, 12, 1))),
        ("Sept. 3rd, 2026", DF, Some((2026, 9, 3))),
        ("22-Nov-2026", DF, Some((2026, 11, 22))),
        ("22-Nov-26", DF, Some((2026, 11, 22))),
        ("2026 Nov 22", DF, Some((2026, 11, 22))),
        // German
        ("22. November 2026", DF, Some((2026, 11, 22))),
        ("22. März 2026", DF, Some((2026, 3, 22))),
        ("22. Maerz 2026", DF, Some((2026, 3, 22))),
        ("1. Mai 2026", DF, Some((2026, 5, 1))),
        ("24. Dezember 2026", DF, Some((2026, 12, 24))),
        ("am 3. Okt. 2026", DF, Some((2026, 10, 3))),
        // French
        ("1er décembre 2026", DF, Some((2026, 12, 1))),
        ("1er decembre 2026", DF, Some((2026, 12, 1))),
        ("1er DÉCEMBRE 2026", DF, Some((2026, 12, 1))),
        ("22 févr. 2026", DF, Some((2026, 2, 22))),
        ("15 août 2026", DF, Some((2026, 8, 15))),
        ("14 juillet 2026", DF, Some((2026, 7, 14))),
        ("le 5 janv. 2026", DF, Some((2026, 1, 5))),
        // punctuation around the date
        (": 2026-11-22,", DF, Some((2026, 11, 22))),
        ("(22.11.2026)", DF, Some((2026, 11, 22))),
        ("2026-11-22.", DF, Some((2026, 11, 22))),
        ("22 nov. 2026,", DF, Some((2026, 11, 22))),
        // rejects
        ("2026-02-30", DF, None),
        ("30.02.2026", DF, None),
        ("29.02.2025", DF, None),
        ("2026-13-01", DF, None),
        ("13/13/2026", DF, None),
        ("20261322", DF, None),
        ("19891122", DF, None), // compact form only from 1990
        ("12345678", DF, None),
        ("1850-01-01", DF, None),
        ("2026-11", DF, None),
        ("22.11", DF, None),
        ("22 november", DF, None),
        ("november 2026", DF, None),
        ("32 januari 2026", DF, None),
        ("30 februari 2026", DF, None),
        ("22 foo 2026", DF, None),
        ("22 nov 2026 2027", DF, None),
        ("2026-11-22-01", DF, None),
        ("22/11.2026", DF, None),
        ("22.11.2026 kl 10", DF, None),
        ("22.11.202", DF, None),
        ("1 234,56", DF, None),
        ("Nov 22 26", DF, None), // two-digit year only after the month
        ("22nd 11 2026", DF, None),
        ("", DF, None),
    ];
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|&(input, order, expected)| check(input, order, expected))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn looks_like_date_table() {
    let cases: &[(&str, bool)] = &[
        ("2026-11-22", true),
        ("2026-02-30", true), // shape only
        ("22.11.2026", true),
        ("11/22/2026", true),
        ("20261122", true),
        ("22 nov 2026", true),
        ("Nov 22, 2026", true),
        ("(22.11.26)", true),
        ("99.99.2026", false),
        ("2026-13-01", false),
        ("1 234,56", false),
        ("12.11", false),
        ("12345678", false),
        ("08-123 45 67", false),
        ("november", false),
        ("abc", false),
        ("", false),
    ];
    for &(input, expected) in cases {
        assert_eq!(looks_like_date(input), expected, "looks_like_date({input:?})");
    }
}

#[test]
fn date_order_for_table() {
    use Language::{De, En, Fr, Sv};
    let cases: &[(Language, &[&str], DateOrder)] = &[
        (Sv, &[], DF),
        (En, &[], DF),
        (De, &[], DF),
        (Fr, &[], DF),
        (Sv, &["22.11.2026"], DF),
        (En, &["11/22/2026"], MF),
        (En, &["(11/22/2026)"], MF),
        (De, &["03.04.2026"], DF), // no evidence
        (En, &["03/04/2026", "12/25/2026"], MF),
        (Fr, &["25/12/2026", "2026-01-05"], DF),
        (Sv, &["2026-11-22", "2026-12-22"], DF), // ISO dates say nothing
        (En, &["Invoice", "total", "1,234.56"], DF),
        (En, &["11/22/2026", "23/11/2026", "24/11/2026"], DF), // majority
        (En, &["11/22/2026", "12/22/2026", "23/11/2026"], MF),
        (En, &["11/22/2026", "23/11/2026"], DF), // tie: the language default
        (Sv, &["11-22-2026"], MF),
        (En, &["40/11/2026"], DF), // not a date: no evidence
    ];
    for &(language, dates, expected) in cases {
        assert_eq!(
            date_order_for(language, dates),
            expected,
            "date_order_for({language:?}, {dates:?})"
        );
    }
}
