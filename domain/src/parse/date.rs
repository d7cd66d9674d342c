//! Dates as printed on invoices: ISO, numeric day-first or month-first, and
//! with month names in Swedish, English, German and French.

use chrono::NaiveDate;

use super::language::Language;
use super::months::{is_filler, month_number, strip_ordinal};
use super::{fold, is_space};

/// How to read an ambiguous numeric date such as `03/04/2026`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateOrder {
    /// `03/04/2026` is 3 April (Sweden, Germany, France, the UK).
    DayFirst,
    /// `03/04/2026` is 4 March (the US).
    MonthFirst,
}

/// Accepted years; anything else is a misread number, not an invoice date.
const YEARS: std::ops::RangeInclusive<i32> = 1900..=2100;
/// Accepted years for the bare 8-digit form `20261122`, which is easily
/// confused with other numbers.
const COMPACT_YEARS: std::ops::Range<i32> = 1990..2100;

fn trim_date(s: &str) -> &str {
    s.trim_matches(|c: char| {
        is_space(c) || matches!(c, ':' | ',' | ';' | '(' | ')' | '[' | ']' | '"' | '\'' | '.')
    })
}

fn make_date(year: i32, month: u32, day: u32) -> Option<NaiveDate> {
    YEARS.contains(&year).then(|| NaiveDate::from_ymd_opt(year, month, day)).flatten()
}

/// A two-digit year: 00..=69 is 20xx, 70..=99 is 19xx.
fn expand_year(value: u32, digits: usize) -> i32 {
    let v = value as i32;
    match digits {
        2 if v < 70 => 2000 + v,
        2 => 1900 + v,
        _ => v,
    }
}

/// The shape of a numeric date, before the calendar is consulted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// Year first: `2026-11-22`, `2026/11/22`, `2026.11.22`, `20261122`.
    Ymd(i32, u32, u32),
    /// `a.b.year` with a, b the day and the month in some order.
    Ambiguous { a: u32, b: u32, year: i32 },
}

fn number(s: &str) -> Option<u32> {
    (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok()).flatten()
}

/// Three digit groups joined by one kind of separator (`-`, `/`, `.`), or
/// the 8-digit `YYYYMMDD` form.
fn numeric_shape(t: &str) -> Option<Shape> {
    if t.len() == 8 && t.bytes().all(|b| b.is_ascii_digit()) {
        let year = number(&t[..4])? as i32;
        return COMPACT_YEARS
            .contains(&year)
            .then(|| Some(Shape::Ymd(year, number(&t[4..6])?, number(&t[6..])?)))
            .flatten();
    }
    let sep = t.chars().find(|c| !c.is_ascii_digit())?;
    if !matches!(sep, '-' | '/' | '.' | '\u{2013}' | '\u{2011}') {
        return None;
    }
    let mut it = t.split(sep);
    let parts = [it.next()?, it.next()?, it.next()?];
    if it.next().is_some() {
        return None;
    }
    let [p0, p1, p2] = parts;
    let (n0, n1, n2) = (number(p0)?, number(p1)?, number(p2)?);
    let short = |p: &str| (1..=2).contains(&p.len());
    if p0.len() == 4 && short(p1) && short(p2) {
        Some(Shape::Ymd(n0 as i32, n1, n2))
    } else if short(p0) && short(p1) && (p2.len() == 2 || p2.len() == 4) {
        Some(Shape::Ambiguous { a: n0, b: n1, year: expand_year(n2, p2.len()) })
    } else {
        None
    }
}

/// (day, month) from the two leading parts of an ambiguous date.
fn resolve(a: u32, b: u32, order: DateOrder) -> (u32, u32) {
    match order {
        DateOrder::DayFirst if b > 12 && a <= 12 => (b, a),
        DateOrder::DayFirst => (a, b),
        DateOrder::MonthFirst if a > 12 && b <= 12 => (a, b),
        DateOrder::MonthFirst => (b, a),
    }
}

#[derive(Debug, Clone, Copy)]
enum Tok {
    Month(u32),
    Num { value: u32, digits: usize, ordinal: bool },
}

/// (year, month, day) of a date with a month name: `22 nov. 2026`,
/// `November 22, 2026`, `22nd of November 2026`, `22. März 2026`,
/// `1er décembre 2026`, `22-Nov-26`, `2026 nov 22`. Not checked against the
/// calendar.
fn textual(t: &str) -> Option<(i32, u32, u32)> {
    let folded = fold(t);
    let words = folded
        .split(|c: char| is_space(c) || matches!(c, ',' | '.' | '-' | '/' | '\u{2013}'))
        .filter(|w| !w.is_empty());
    let mut toks = Vec::with_capacity(3);
    for w in words {
        if is_filler(w) {
            continue;
        }
        if toks.len() == 3 {
            return None;
        }
        if let Some(m) = month_number(w) {
            toks.push(Tok::Month(m));
            continue;
        }
        let (digits, ordinal) = strip_ordinal(w);
        if digits.len() > 4 {
            return None;
        }
        toks.push(Tok::Num { value: number(digits)?, digits: digits.len(), ordinal });
    }
    use Tok::{Month, Num};
    let (y, m, d) = match toks[..] {
        [
            Num { value: d, digits: 1..=2, .. },
            Month(m),
            Num { value: y, digits, ordinal: false },
        ] if digits == 2 || digits == 4 => (expand_year(y, digits), m, d),
        [
            Month(m),
            Num { value: d, digits: 1..=2, .. },
            Num { value: y, digits: 4, ordinal: false },
        ] => (y as i32, m, d),
        [
            Num { value: y, digits: 4, ordinal: false },
            Month(m),
            Num { value: d, digits: 1..=2, .. },
        ] => (y as i32, m, d),
        _ => return None,
    };
    (1..=31).contains(&d).then_some((y, m, d))
}

/// Parses a date in any of the forms invoices use: ISO `2026-11-22` (also
/// with `/` or `.`), `20261122` (only for years 1990..2100), `22.11.2026`,
/// `22/11/2026`, `22-11-2026`, `22.11.26` (two-digit years 00..=69 are 20xx,
/// 70..=99 19xx), and month names in sv/en/de/fr, abbreviated or not, any
/// case, with or without accents (`22 nov. 2026`, `November 22, 2026`,
/// `22nd November 2026`, `22. März 2026`, `1er décembre 2026`,
/// `den 1:a december 2026`).
///
/// `order` decides numeric dates like `03/04/2026`; a part above 12 forces
/// the other reading (`11/22/2026` is 22 November even with `DayFirst`).
/// Surrounding punctuation (`:`, `,`, `(`, `)`, a final `.`) is ignored.
/// `None` for dates that do not exist (`2026-02-30`) and years outside
/// 1900..=2100.
pub fn parse_date(s: &str, order: DateOrder) -> Option<NaiveDate> {
    let t = trim_date(s);
    match numeric_shape(t) {
        Some(Shape::Ymd(y, m, d)) => make_date(y, m, d),
        Some(Shape::Ambiguous { a, b, year }) => {
            let (d, m) = resolve(a, b, order);
            make_date(year, m, d)
        }
        None => {
            let (y, m, d) = textual(t)?;
            make_date(y, m, d)
        }
    }
}

/// A cheap shape check: whether `s` is written like a date (the forms of
/// [`parse_date`]), without checking that the day exists in that month
/// (`2026-02-30` looks like a date).
pub fn looks_like_date(s: &str) -> bool {
    let t = trim_date(s);
    let day_month = |d: u32, m: u32| (1..=31).contains(&d) && (1..=12).contains(&m);
    match numeric_shape(t) {
        Some(Shape::Ymd(_, m, d)) => day_month(d, m),
        Some(Shape::Ambiguous { a, b, .. }) => day_month(a, b) || day_month(b, a),
        None => t.chars().any(|c| c.is_ascii_digit()) && textual(t).is_some(),
    }
}

/// Chooses how to read ambiguous numeric dates on a page, from the other
/// dates printed on it.
///
/// Evidence first: a numeric date (`/`, `.` or `-` separators, year last)
/// whose first part is above 12 votes `DayFirst`, one whose second part is
/// above 12 votes `MonthFirst`; the majority wins. Without evidence (or on a
/// tie) every language gets `DayFirst`: Swedish, German and French always
/// write the day first, and for English the UK and most of the world do too;
/// a US invoice nearly always shows a date with a day above 12 somewhere
/// (invoice or due date), which is the evidence that flips it.
pub fn date_order_for(language: Language, other_dates_on_page: &[&str]) -> DateOrder {
    let (mut day_first, mut month_first) = (0usize, 0usize);
    for s in other_dates_on_page {
        if let Some(Shape::Ambiguous { a, b, .. }) = numeric_shape(trim_date(s)) {
            if (13..=31).contains(&a) && (1..=12).contains(&b) {
                day_first += 1;
            } else if (13..=31).contains(&b) && (1..=12).contains(&a) {
                month_first += 1;
            }
        }
    }
    if day_first != month_first {
        return if day_first > month_first { DateOrder::DayFirst } else { DateOrder::MonthFirst };
    }
    match language {
        Language::Sv | Language::De | Language::Fr | Language::En => DateOrder::DayFirst,
    }
}

#[cfg(test)]
mod tests;
