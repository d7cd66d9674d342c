//! Values found without captions: dates (with the document's date order)
//! and amounts and percentages (thousands groups written as separate words,
//! currency markers, the document's decimal separator).

use invex_domain::parse::{
    DateOrder, Language, date_order_for, glued_currency, is_month_name, looks_like_date,
    normalize_currency, parse_amount_with, parse_date, parse_percent,
};

use super::candidates::{AmountMention, DateMention, PercentMention, Scan};
use super::layout::{Layout, Tok};
use super::text::us_state_zip;
use rust_decimal::Decimal;

fn is_currency_marker(s: &str) -> bool {
    normalize_currency(s).is_some() || s == ":-"
}

fn is_group(s: &str, last: bool) -> bool {
    let s = if last {
        s.trim_end_matches(')')
            .trim_end_matches(":-")
            .trim_end_matches(",--")
            .trim_end_matches(",-")
            .trim_end_matches(['-', '\u{2212}'])
    } else {
        s
    };
    let b = s.as_bytes();
    if b.len() == 3 {
        return b.iter().all(u8::is_ascii_digit);
    }
    last && b.len() >= 5
        && b[..3].iter().all(u8::is_ascii_digit)
        && (b[3] == b',' || b[3] == b'.')
        && b[4..].iter().all(u8::is_ascii_digit)
        && b.len() <= 6
}

fn is_lead_group(s: &str) -> bool {
    let t = s.trim_start_matches(['(', '-', '\u{2212}']);
    (1..=3).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_digit())
}

/// Whether a word key can start a date: a month name (any of the ten
/// languages, maybe abbreviated) or a filler such as `den`, `le`, `the`.
fn month_like(key: &str) -> bool {
    if is_month_name(key) {
        return true;
    }
    const PREFIXES: &[&str] = &[
        "jan", "feb", "fev", "mar", "apr", "avr", "maj", "may", "mai", "jun", "jui", "jul", "aug",
        "aou", "sep", "okt", "oct", "nov", "dec", "dez",
    ];
    matches!(key, "den" | "le" | "the" | "am")
        || (key.len() <= 10 && key.get(..3).is_some_and(|p| PREFIXES.contains(&p)))
}

impl Scan {
    pub(super) fn find_dates(&mut self, layout: &Layout) {
        let evidence: Vec<&str> = layout
            .toks
            .iter()
            .map(|t| t.text.as_str())
            .filter(|s| {
                let b = s.as_bytes();
                b.iter().filter(|c| c.is_ascii_digit()).count() >= 4
                    && b.iter().any(|c| matches!(c, b'/' | b'.' | b'-'))
                    && looks_like_date(s)
            })
            .collect();
        let order = date_order_for(self.language, &evidence);
        let (mut month_first_text, mut day_first_text) = (0usize, 0usize);
        let mut buf = String::new();
        for ph in &layout.phrases {
            let mut i = ph.start;
            while i < ph.end {
                let mut found = None;
                // A date starts with a number, a month name or `den`/`le`.
                let t0 = &layout.toks[i];
                if !t0.text.bytes().any(|b| b.is_ascii_digit()) && !month_like(&t0.key) {
                    i += 1;
                    continue;
                }
                for k in (1..=5usize).rev() {
                    let end = i + k;
                    if end > ph.end {
                        continue;
                    }
                    let toks = &layout.toks[i..end];
                    if !toks.iter().any(|t| t.text.bytes().any(|b| b.is_ascii_digit())) {
                        continue;
                    }
                    // Several words: one of them names a month (`3 mars 2026`,
                    // `March 3, 2026`, `11. Juli 2014`, `9 de junio de 2026`).
                    if k > 1 && !toks.iter().any(|t| month_like(&t.key)) {
                        continue;
                    }
                    // One word: separators (`2026-03-01`, `01.03.26`) or 8 digits.
                    if k == 1 {
                        let b = toks[0].text.as_bytes();
                        let sep = b.iter().any(|c| matches!(c, b'/' | b'.' | b'-'));
                        let compact = b.len() == 8 && b.iter().all(u8::is_ascii_digit);
                        if !sep && !compact {
                            continue;
                        }
                    }
                    buf.clear();
                    for (x, t) in toks.iter().enumerate() {
                        if x > 0 {
                            buf.push(' ');
                        }
                        buf.push_str(&t.text);
                    }
                    if let Some(d) = parse_date(&buf, order) {
                        let other = match order {
                            DateOrder::DayFirst => DateOrder::MonthFirst,
                            DateOrder::MonthFirst => DateOrder::DayFirst,
                        };
                        let alt = parse_date(&buf, other).filter(|a| *a != d);
                        // `March 3, 2025` is written month first.
                        let first_alpha =
                            toks[0].text.chars().next().is_some_and(char::is_alphabetic);
                        if k > 1 && first_alpha {
                            month_first_text += 1;
                        } else if k > 1 {
                            day_first_text += 1;
                        }
                        found = Some((end, d, alt));
                        break;
                    }
                }
                match found {
                    Some((end, date, alt)) => {
                        let di = self.dates.len();
                        for t in i..end {
                            self.date_of[t] = Some(di);
                        }
                        self.dates.push(DateMention { start: i, end, date, alt });
                        i = end;
                    }
                    None => i += 1,
                }
            }
        }
        // No numeric evidence either way, but dates written `March 3, 2025`
        // on an English document: read the ambiguous ones month first.
        let numeric_evidence = evidence.iter().any(|e| {
            parse_date(e, DateOrder::DayFirst).is_some()
                != parse_date(e, DateOrder::MonthFirst).is_some()
        });
        if order == DateOrder::DayFirst
            && !numeric_evidence
            && self.language == Language::En
            && (month_first_text > day_first_text || us_address(layout))
        {
            for d in &mut self.dates {
                if let Some(a) = d.alt {
                    d.alt = Some(d.date);
                    d.date = a;
                }
            }
        }
    }

    /// An amount OCR printed with a space after its decimal separator
    /// (`49. 39`, `-3, 29` on a receipt): the separator ends the first word,
    /// two digits make the next, and nothing but a tax code, a currency or
    /// the phrase's end follows (`1. 25 kg` stays two numbers).
    fn spaced_decimals(&self, toks: &[Tok], s: usize, end: usize) -> Option<Decimal> {
        let (head, tail) = (&toks[s].text, &toks.get(s + 1)?.text);
        let digits = head.strip_suffix(['.', ','])?.trim_start_matches('-');
        let sep = head.chars().last()?;
        if s + 2 > end
            || self.decimal_sep.is_some_and(|d| d != sep)
            || digits.is_empty()
            || !digits.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b',')
            || tail.len() != 2
            || !tail.bytes().all(|b| b.is_ascii_digit())
            || self.date_of[s + 1].is_some()
        {
            return None;
        }
        let next = toks.get(s + 2).filter(|_| s + 2 < end).map(|t| t.text.as_str());
        if next.is_some_and(|n| n.chars().count() > 1 && !is_currency_marker(n)) {
            return None;
        }
        parse_amount_with(&format!("{head}{tail}"), self.decimal_sep)
    }

    pub(super) fn find_numbers(&mut self, layout: &Layout) {
        let toks = &layout.toks;
        let mut buf = String::new();
        for ph in &layout.phrases {
            let mut i = ph.start;
            while i < ph.end {
                if self.date_of[i].is_some() {
                    i += 1;
                    continue;
                }
                let t = &toks[i].text;
                // Percentages: `25%`, `25 %`.
                let pct_next = toks.get(i + 1).is_some_and(|n| {
                    i + 1 < ph.end && n.text.starts_with('%') && n.text.chars().count() <= 2
                });
                let pct_text = if pct_next { format!("{t}%") } else { t.clone() };
                if let Some(p) = parse_percent(&pct_text) {
                    let end = if pct_next { i + 2 } else { i + 1 };
                    for x in i..end {
                        self.percent_of[x] = Some(self.percents.len());
                    }
                    self.percents.push(PercentMention { start: i, end, value: p });
                    i = end;
                    continue;
                }
                // A leading currency marker or sign as its own word.
                let mut s = i;
                let mut currency = None;
                if is_currency_marker(t) && i + 1 < ph.end {
                    currency = normalize_currency(t);
                    s = i + 1;
                }
                if !toks[s].text.bytes().any(|b| b.is_ascii_digit()) {
                    i += 1;
                    continue;
                }
                // Thousands groups written as separate words: `1 234 567,89`.
                let mut e = s + 1;
                if is_lead_group(&toks[s].text) {
                    while e < ph.end && self.date_of[e].is_none() {
                        let gap = toks[e].bbox.x0 - toks[e - 1].bbox.x1;
                        if gap >= 0.6 * toks[e].bbox.height() || !is_group(&toks[e].text, true) {
                            break;
                        }
                        e += 1;
                        if toks[e - 1].text.len() > 3 {
                            break;
                        }
                    }
                }
                let mut parsed = None;
                if let Some(v) = self.spaced_decimals(toks, s, ph.end) {
                    parsed = Some((s + 2, v, true));
                    e = s;
                }
                for end in (s + 1..=e).rev() {
                    buf.clear();
                    for (x, t) in toks[s..end].iter().enumerate() {
                        if x > 0 {
                            buf.push(' ');
                        }
                        buf.push_str(&t.text);
                    }
                    if let Some(v) = parse_amount_with(&buf, self.decimal_sep) {
                        let last = &toks[end - 1].text;
                        let decimals = has_decimals(last);
                        parsed = Some((end, v, decimals));
                        break;
                    }
                }
                let Some((mut end, value, decimals)) = parsed else {
                    i += 1;
                    continue;
                };
                if currency.is_none() {
                    currency = currency_in(
                        &toks[s..end].iter().map(|t| t.text.as_str()).collect::<Vec<_>>(),
                    );
                }
                if end < ph.end && is_currency_marker(&toks[end].text) {
                    currency = currency.or(normalize_currency(&toks[end].text));
                    end += 1;
                } else if end < ph.end && decimals && toks[end].text == "e" {
                    // LaTeX's eurosym `\euro` comes out of the text layer as
                    // a lone `e` ("4 266,15 e"): it ends the amount, but is
                    // not taken as evidence of the currency.
                    end += 1;
                }
                let ai = self.amounts.len();
                for x in i..end {
                    self.amount_of[x] = Some(ai);
                }
                self.amounts.push(AmountMention { start: i, end, value, decimals, currency });
                i = end;
            }
        }
    }
}

fn has_decimals(s: &str) -> bool {
    let t = s.trim_end_matches(|c: char| !c.is_ascii_digit());
    let b = t.as_bytes();
    b.len() >= 3 && (b[b.len() - 3] == b',' || b[b.len() - 3] == b'.')
}

/// The currency glued to one of an amount's words (`₹17,676.00`, `12,50€`).
fn currency_in(words: &[&str]) -> Option<&'static str> {
    words.iter().find_map(|w| glued_currency(w))
}

/// The decimal separator most amounts on the document use.
pub(super) fn decimal_separator(layout: &Layout) -> Option<char> {
    let (mut comma, mut dot) = (0, 0);
    for t in &layout.toks {
        let b = t.text.trim_end_matches(|c: char| !c.is_ascii_digit()).as_bytes();
        if b.len() >= 4
            && b[b.len() - 4].is_ascii_digit()
            && b[b.len() - 2..].iter().all(u8::is_ascii_digit)
        {
            match b[b.len() - 3] {
                b',' => comma += 1,
                b'.' => dot += 1,
                _ => {}
            }
        }
    }
    match comma.cmp(&dot) {
        std::cmp::Ordering::Greater => Some(','),
        std::cmp::Ordering::Less => Some('.'),
        std::cmp::Ordering::Equal => None,
    }
}

/// Whether the page prints a US postal address (`Graham, NC 27253`,
/// `Austin TX 78701-1234`). US documents write ambiguous dates month first.
fn us_address(layout: &Layout) -> bool {
    layout.toks.windows(2).any(|w| w[0].line == w[1].line && us_state_zip(&w[0].text, &w[1].text))
}
