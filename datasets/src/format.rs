//! How numbers, amounts, percentages and dates are printed.

use chrono::{Datelike, NaiveDate};
use rust_decimal::{Decimal, RoundingStrategy};

/// Thousands grouping and decimal separator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumStyle {
    /// `1 234,56`
    Sv,
    /// `1234,56`
    SvPlain,
    /// `1,234.56`
    En,
    /// `1.234,56`
    De,
    /// `1234.56`
    Plain,
}

impl NumStyle {
    pub fn decimal_sep(self) -> char {
        match self {
            NumStyle::Sv | NumStyle::SvPlain | NumStyle::De => ',',
            NumStyle::En | NumStyle::Plain => '.',
        }
    }
    fn group_sep(self) -> Option<char> {
        match self {
            NumStyle::Sv => Some(' '),
            NumStyle::En => Some(','),
            NumStyle::De => Some('.'),
            NumStyle::SvPlain | NumStyle::Plain => None,
        }
    }
}

/// How negative numbers are signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Minus {
    /// ASCII hyphen-minus `-`.
    Hyphen,
    /// U+2212 MINUS SIGN.
    Unicode,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateStyle {
    /// `2026-11-22`
    Iso,
    /// `22.11.2026`
    Dots,
    /// `22 nov 2026`
    SvShort,
    /// `22 november 2026`
    SvLong,
    /// `November 22, 2026`
    EnLong,
    /// `22 Nov 2026`
    EnShort,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PctStyle {
    /// `25 %`
    Spaced,
    /// `25%`
    Tight,
    /// `25,00 %` (with the number style's decimal separator)
    Decimals,
}

/// The printing conventions of one invoice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fmt {
    pub num: NumStyle,
    pub minus: Minus,
    pub date: DateStyle,
    pub pct: PctStyle,
}

const SV_MONTHS: [&str; 12] = [
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
];
const SV_SHORT: [&str; 12] =
    ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"];
const EN_MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const EN_SHORT: [&str; 12] =
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// Rounds half away from zero to `dp` decimals (öre for amounts).
pub fn round(d: Decimal, dp: u32) -> Decimal {
    d.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero)
}

impl Fmt {
    /// A number with exactly `dp` decimals, grouped.
    pub fn number(&self, d: Decimal, dp: usize) -> String {
        let r = round(d, dp as u32);
        let neg = r.is_sign_negative() && !r.is_zero();
        let s = format!("{:.*}", dp, r.abs());
        let (int, frac) = match s.split_once('.') {
            Some((i, f)) => (i.to_string(), Some(f.to_string())),
            None => (s.clone(), None),
        };
        let mut grouped = String::new();
        let digits: Vec<char> = int.chars().collect();
        for (i, c) in digits.iter().enumerate() {
            if i > 0
                && (digits.len() - i).is_multiple_of(3)
                && let Some(g) = self.num.group_sep()
            {
                grouped.push(g);
            }
            grouped.push(*c);
        }
        let mut out = String::new();
        if neg {
            out.push(match self.minus {
                Minus::Hyphen => '-',
                Minus::Unicode => '\u{2212}',
            });
        }
        out.push_str(&grouped);
        if let Some(f) = frac {
            out.push(self.num.decimal_sep());
            out.push_str(&f);
        }
        out
    }

    /// An amount with two decimals.
    pub fn amount(&self, d: Decimal) -> String {
        self.number(d, 2)
    }

    /// A quantity: as few decimals as needed (up to 3).
    pub fn qty(&self, d: Decimal) -> String {
        let n = d.normalize();
        let dp = n.scale().min(3) as usize;
        self.number(n, dp)
    }

    /// A VAT rate in percent.
    pub fn pct(&self, rate: Decimal) -> String {
        match self.pct {
            PctStyle::Spaced => format!("{} %", self.qty(rate)),
            PctStyle::Tight => format!("{}%", self.qty(rate)),
            PctStyle::Decimals => format!("{} %", self.number(rate, 2)),
        }
    }

    pub fn date(&self, d: NaiveDate) -> String {
        let (day, m, y) = (d.day(), d.month0() as usize, d.year());
        match self.date {
            DateStyle::Iso => d.format("%Y-%m-%d").to_string(),
            DateStyle::Dots => d.format("%d.%m.%Y").to_string(),
            DateStyle::SvShort => format!("{day} {} {y}", SV_SHORT[m]),
            DateStyle::SvLong => format!("{day} {} {y}", SV_MONTHS[m]),
            DateStyle::EnLong => format!("{} {day}, {y}", EN_MONTHS[m]),
            DateStyle::EnShort => format!("{day} {} {y}", EN_SHORT[m]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(num: NumStyle, minus: Minus) -> Fmt {
        Fmt { num, minus, date: DateStyle::Iso, pct: PctStyle::Spaced }
    }

    #[test]
    fn amounts_in_every_style() {
        let d = Decimal::new(123456789, 2);
        assert_eq!(f(NumStyle::Sv, Minus::Hyphen).amount(d), "1 234 567,89");
        assert_eq!(f(NumStyle::En, Minus::Hyphen).amount(d), "1,234,567.89");
        assert_eq!(f(NumStyle::De, Minus::Hyphen).amount(d), "1.234.567,89");
        assert_eq!(f(NumStyle::SvPlain, Minus::Hyphen).amount(d), "1234567,89");
        assert_eq!(f(NumStyle::Sv, Minus::Unicode).amount(-d), "\u{2212}1 234 567,89");
        assert_eq!(f(NumStyle::Sv, Minus::Hyphen).amount(Decimal::new(-5, 1)), "-0,50");
        assert_eq!(f(NumStyle::Sv, Minus::Hyphen).amount(Decimal::new(999, 0)), "999,00");
        assert_eq!(f(NumStyle::Sv, Minus::Hyphen).qty(Decimal::new(2500, 3)), "2,5");
        assert_eq!(f(NumStyle::En, Minus::Hyphen).qty(Decimal::new(3, 0)), "3");
        assert_eq!(f(NumStyle::Sv, Minus::Hyphen).pct(Decimal::new(25, 0)), "25 %");
    }

    #[test]
    fn dates() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap_or_default();
        let mut x = f(NumStyle::Sv, Minus::Hyphen);
        let mut out = Vec::new();
        for s in [
            DateStyle::Iso,
            DateStyle::Dots,
            DateStyle::SvShort,
            DateStyle::SvLong,
            DateStyle::EnLong,
            DateStyle::EnShort,
        ] {
            x.date = s;
            out.push(x.date(d));
        }
        assert_eq!(
            out,
            [
                "2026-11-02",
                "02.11.2026",
                "2 nov 2026",
                "2 november 2026",
                "November 2, 2026",
                "2 Nov 2026"
            ]
        );
    }
}
