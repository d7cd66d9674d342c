//! One pass over the layout that finds what every field search needs: label
//! hits, amounts, percentages and dates (with the document's date order and
//! decimal separator), and the value runs next to a label.

use chrono::NaiveDate;
use invex_domain::parse::{
    DateOrder, Language, date_order_for, detect_language, looks_like_date, normalize_currency,
    parse_amount_with, parse_date, parse_percent,
};
use rust_decimal::Decimal;

use super::labels::{Entry, Kind, LabelIndex};
use super::layout::{Layout, Place, Run};

#[derive(Debug, Clone)]
pub struct LabelHit {
    pub start: usize,
    pub end: usize,
    pub entries: Vec<Entry>,
    /// The caption starts its phrase or ends with a colon: a real caption,
    /// not a word inside a sentence.
    pub isolated: bool,
    pub colon: bool,
}

impl LabelHit {
    pub fn weight(&self, kind: Kind) -> Option<f32> {
        let w = self.entries.iter().find(|e| e.kind == kind)?.weight;
        Some(if self.isolated { w } else { w * 0.5 })
    }
    pub fn has(&self, kind: Kind) -> bool {
        self.entries.iter().any(|e| e.kind == kind)
    }
}

#[derive(Debug, Clone)]
pub struct AmountMention {
    pub start: usize,
    pub end: usize,
    pub value: Decimal,
    /// Printed with decimals (`12,50`), not a bare integer.
    pub decimals: bool,
    pub currency: Option<&'static str>,
}

#[derive(Debug, Clone)]
pub struct PercentMention {
    pub start: usize,
    pub end: usize,
    pub value: Decimal,
}

#[derive(Debug, Clone)]
pub struct DateMention {
    pub start: usize,
    pub end: usize,
    pub date: NaiveDate,
    /// The other reading of an ambiguous numeric date (`04/02/2025`).
    pub alt: Option<NaiveDate>,
}

/// Everything found in one pass.
#[derive(Debug, Clone)]
pub struct Scan {
    pub labels: Vec<LabelHit>,
    /// For each token, the label hit it belongs to.
    pub label_of: Vec<Option<usize>>,
    pub amounts: Vec<AmountMention>,
    pub amount_of: Vec<Option<usize>>,
    pub percents: Vec<PercentMention>,
    pub percent_of: Vec<Option<usize>>,
    pub dates: Vec<DateMention>,
    pub date_of: Vec<Option<usize>>,
    pub language: Language,
    pub decimal_sep: Option<char>,
}

/// A value run found next to a label.
#[derive(Debug, Clone, Copy)]
pub struct Slot {
    pub label: usize,
    pub place: Place,
    pub run: Run,
    /// Label weight times the placement factor.
    pub weight: f32,
}

fn is_currency_marker(s: &str) -> bool {
    normalize_currency(s).is_some() || s == ":-"
}

fn is_group(s: &str, last: bool) -> bool {
    let s = if last {
        s.trim_end_matches(')')
            .trim_end_matches(":-")
            .trim_end_matches(",--")
            .trim_end_matches(",-")
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

impl Scan {
    pub fn run(layout: &Layout, index: &LabelIndex) -> Scan {
        let n = layout.toks.len();
        let language = detect_language(layout.toks.iter().map(|t| t.text.as_str()));
        let mut scan = Scan {
            labels: Vec::new(),
            label_of: vec![None; n],
            amounts: Vec::new(),
            amount_of: vec![None; n],
            percents: Vec::new(),
            percent_of: vec![None; n],
            dates: Vec::new(),
            date_of: vec![None; n],
            language,
            decimal_sep: decimal_separator(layout),
        };
        scan.find_labels(layout, index);
        scan.find_dates(layout);
        scan.find_numbers(layout);
        scan
    }

    fn find_labels(&mut self, layout: &Layout, index: &LabelIndex) {
        for (pi, ph) in layout.phrases.iter().enumerate() {
            let mut i = ph.start;
            while i < ph.end {
                let mut key = String::new();
                let mut best: Option<(usize, &[Entry])> = None;
                for j in i..ph.end.min(i + index.max_words) {
                    key.push_str(&layout.toks[j].key);
                    if key.is_empty() {
                        break;
                    }
                    if let Some(e) = index.lookup(&key) {
                        best = Some((j + 1, e));
                    }
                }
                // `OCR/Fakturanr`: a word holding two captions.
                let split;
                if best.is_none() && layout.toks[i].text.contains('/') {
                    split = split_caption(&layout.toks[i].text, index);
                    if !split.is_empty() {
                        best = Some((i + 1, &split));
                    }
                }
                let Some((end, entries)) = best else {
                    i += 1;
                    continue;
                };
                let last = &layout.toks[end - 1].text;
                let next_colon =
                    layout.toks.get(end).is_some_and(|t| t.text == ":" && t.phrase == pi);
                let colon = last.ends_with(':') || next_colon;
                let isolated = colon || i == ph.start;
                let hi = self.labels.len();
                for t in i..end {
                    self.label_of[t] = Some(hi);
                }
                self.labels.push(LabelHit {
                    start: i,
                    end,
                    entries: entries.to_vec(),
                    isolated,
                    colon,
                });
                i = end;
            }
        }
    }

    fn find_dates(&mut self, layout: &Layout) {
        let evidence: Vec<&str> = layout
            .toks
            .iter()
            .map(|t| t.text.as_str())
            .filter(|s| s.bytes().any(|b| b.is_ascii_digit()) && looks_like_date(s))
            .collect();
        let order = date_order_for(self.language, &evidence);
        let (mut month_first_text, mut day_first_text) = (0usize, 0usize);
        let mut buf = String::new();
        for ph in &layout.phrases {
            let mut i = ph.start;
            while i < ph.end {
                let mut found = None;
                for k in (1..=4usize).rev() {
                    let end = i + k;
                    if end > ph.end {
                        continue;
                    }
                    let toks = &layout.toks[i..end];
                    if !toks.iter().any(|t| t.text.bytes().any(|b| b.is_ascii_digit())) {
                        continue;
                    }
                    if k > 1
                        && toks.iter().all(|t| t.text.bytes().all(|b| !b.is_ascii_alphabetic()))
                        && !toks.iter().any(|t| t.text.ends_with('.'))
                    {
                        continue;
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
            && month_first_text > day_first_text
        {
            for d in &mut self.dates {
                if let Some(a) = d.alt {
                    d.alt = Some(d.date);
                    d.date = a;
                }
            }
        }
    }

    fn find_numbers(&mut self, layout: &Layout) {
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

    /// The value runs next to every label of `kind`: the rest of its phrase,
    /// the later phrases of its line, and up to `below` lines under it in its
    /// column. A run stops where another caption starts.
    pub fn slots(&self, layout: &Layout, kind: Kind, below: usize) -> Vec<Slot> {
        let mut out = Vec::new();
        for (li, hit) in self.labels.iter().enumerate() {
            let Some(w) = hit.weight(kind) else { continue };
            for (place, run) in layout.right_runs(hit.start, hit.end) {
                // `REF APPEL D'OFFRES : X`: the caption goes on past the label.
                let colon_inside = (run.start + 1..run.end).any(|t| {
                    let w = &layout.toks[t].text;
                    w == ":" || (w.ends_with(':') && t + 1 < run.end)
                }) || (layout.toks[run.start].text.ends_with(':')
                    && layout.toks[run.start].text.len() > 1);
                if place == Place::Inline && !hit.colon && colon_inside {
                    break;
                }
                let Some(run) = self.cut_at_label(run) else { break };
                let f = match place {
                    Place::Inline => 1.0,
                    Place::Right(k) => 0.95 - 0.08 * k as f32,
                    Place::Below(_) => 0.8,
                };
                out.push(Slot { label: li, place, run, weight: w * f });
                if run.end < layout.phrases[layout.toks[run.start].phrase].end {
                    break;
                }
            }
            if below == 0 {
                continue;
            }
            for (place, run) in layout.below_runs(hit.start, hit.end, below) {
                let Some(run) = self.cut_at_label(run) else { break };
                let k = match place {
                    Place::Below(k) => k as f32,
                    _ => 0.0,
                };
                out.push(Slot { label: li, place, run, weight: w * (0.85 - 0.25 * k) });
            }
        }
        out
    }

    /// `run` up to the first caption in it; `None` if it starts with one.
    fn cut_at_label(&self, run: Run) -> Option<Run> {
        let end = (run.start..run.end).find(|&t| self.label_of[t].is_some()).unwrap_or(run.end);
        (end > run.start).then_some(Run { start: run.start, end })
    }

    /// The amounts that start inside `run`.
    pub fn amounts_in(&self, run: Run) -> impl Iterator<Item = &AmountMention> {
        self.amounts.iter().filter(move |a| a.start >= run.start && a.start < run.end)
    }

    /// The first date in `run`.
    pub fn date_in(&self, run: Run) -> Option<&DateMention> {
        (run.start..run.end).find_map(|t| self.date_of[t].and_then(|d| self.dates.get(d)))
    }

    /// The date order the scan used, for callers that parse more dates.
    pub fn order(&self, layout: &Layout) -> DateOrder {
        let evidence: Vec<&str> = layout.toks.iter().map(|t| t.text.as_str()).collect();
        date_order_for(self.language, &evidence)
    }
}

/// The captions of the parts of a word like `OCR/Fakturanr` (all parts must
/// be captions).
fn split_caption(text: &str, index: &LabelIndex) -> Vec<Entry> {
    let mut out: Vec<Entry> = Vec::new();
    for part in text.split('/') {
        let Some(entries) = index.lookup(&super::text::word_key(part)) else { return Vec::new() };
        for e in entries {
            if !out.iter().any(|o| o.kind == e.kind) {
                out.push(*e);
            }
        }
    }
    out
}

fn has_decimals(s: &str) -> bool {
    let t = s.trim_end_matches(|c: char| !c.is_ascii_digit());
    let b = t.as_bytes();
    b.len() >= 3 && (b[b.len() - 3] == b',' || b[b.len() - 3] == b'.')
}

fn currency_in(words: &[&str]) -> Option<&'static str> {
    for w in words {
        let lower = w.to_ascii_lowercase();
        for (marker, code) in [
            ("sek", "SEK"),
            ("eur", "EUR"),
            ("€", "EUR"),
            ("kr", "SEK"),
            ("usd", "USD"),
            ("$", "USD"),
            ("£", "GBP"),
            ("gbp", "GBP"),
            ("nok", "NOK"),
            ("dkk", "DKK"),
            ("chf", "CHF"),
        ] {
            if lower.contains(marker) {
                return Some(code);
            }
        }
    }
    None
}

/// The decimal separator most amounts on the document use.
fn decimal_separator(layout: &Layout) -> Option<char> {
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
