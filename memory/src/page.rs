//! The page as the memory reads it: lines of words, runs of words that
//! read as a value, and the caption beside or above a run.

use std::ops::Range;

use invex_domain::geometry::line_ranges;
use invex_domain::parse::{DateOrder, parse_amount, parse_date};
use invex_domain::{BBox, Page, Value};

/// A line: a range of word indices of one page.
pub type Line = Range<usize>;

/// Consecutive words of one line.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub words: Range<usize>,
}

impl Run {
    pub fn text(&self, page: &Page) -> String {
        page.words[self.words.clone()].iter().map(|w| w.text.as_str()).collect::<Vec<_>>().join(" ")
    }

    pub fn bbox(&self, page: &Page) -> BBox {
        let words = &page.words[self.words.clone()];
        let first = words.first().map(|w| w.bbox).unwrap_or_default();
        words.iter().fold(first, |b, w| b.union(&w.bbox))
    }
}

pub fn lines_of(page: &Page) -> Vec<Line> {
    line_ranges(&page.words)
}

/// A caption word as compared: lower case, without the `:`, `#` or `.`
/// around it.
pub fn norm(word: &str) -> String {
    word.trim_matches(|c: char| matches!(c, ':' | '#' | '.' | ',' | ';' | '(' | ')')).to_lowercase()
}

/// A printed value's shape: digits `9`, letters `A`, spaces and other
/// characters kept, and runs of one class collapsed (`INV-2026-0012` and
/// `INV-2027-0130` are both `A-9-9`).
pub fn pattern(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        let class = if c.is_ascii_digit() {
            '9'
        } else if c.is_alphabetic() {
            'A'
        } else {
            c
        };
        if out.ends_with(class) && (class == '9' || class == 'A') {
            continue;
        }
        out.push(class);
    }
    out
}

/// Text up to spaces, punctuation and case: `KV-24 017` is `kv24017`.
pub fn squash(s: &str) -> String {
    s.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// Whether the words of `run` read as `value`: an amount or a date in any
/// usual printed form, text up to spaces, punctuation and case.
fn reads_as(text: &str, value: &Value) -> bool {
    match value {
        Value::Amount(a) => parse_amount(text) == Some(*a),
        Value::Date(d) => {
            parse_date(text, DateOrder::DayFirst)
                .or_else(|| parse_date(text, DateOrder::MonthFirst))
                == Some(*d)
        }
        Value::Text(t) => {
            let wanted = squash(t);
            !wanted.is_empty() && squash(text) == wanted
        }
        Value::Bool(_) => false,
    }
}

/// Every shortest run of words on the page that reads as `value`.
pub fn runs_reading_as(page: &Page, lines: &[Line], value: &Value) -> Vec<Run> {
    let longest = match value {
        Value::Text(_) => 8,
        _ => 4,
    };
    let mut out = Vec::new();
    for line in lines {
        for start in line.clone() {
            for end in start + 1..=(start + longest).min(line.end) {
                let run = Run { words: start..end };
                if reads_as(&run.text(page), value) {
                    out.push(run);
                    break;
                }
            }
        }
    }
    out
}

/// A word that can be part of a caption: it has a letter and reads as no
/// amount or date.
fn caption_like(text: &str) -> bool {
    text.chars().any(char::is_alphabetic)
        && !text.chars().any(|c| c.is_ascii_digit())
        && parse_date(text, DateOrder::DayFirst).is_none()
}

/// A word a caption may hold besides caption words: a rate (`25`, `%`,
/// `(25%)`) as in `Moms 25 %`.
fn rate_token(text: &str) -> bool {
    text.contains('%') || (text.len() <= 2 && text.chars().all(|c| c.is_ascii_digit()))
}

fn height(page: &Page, i: usize) -> f32 {
    page.words[i].bbox.height().max(4.0)
}

/// Grows a caption from word `i` over neighbours on its line that are
/// caption words a space apart, at most four words, never into `stop`.
fn grow(page: &Page, line: &Line, i: usize, stop: &Range<usize>, leftwards_only: bool) -> Run {
    let gap_ok =
        |a: usize, b: usize| page.words[b].bbox.x0 - page.words[a].bbox.x1 <= 0.8 * height(page, a);
    let (mut start, mut end) = (i, i + 1);
    while start > line.start
        && end - start < 4
        && caption_like(&page.words[start - 1].text)
        && gap_ok(start - 1, start)
        && !stop.contains(&(start - 1))
    {
        start -= 1;
    }
    while !leftwards_only
        && end < line.end
        && end - start < 4
        && caption_like(&page.words[end].text)
        && gap_ok(end - 1, end)
        && !stop.contains(&end)
    {
        end += 1;
    }
    Run { words: start..end }
}

/// The caption left of `run` on its line: the nearest word before it, when
/// it is a caption word or a rate, grown leftwards; it must hold a caption
/// word.
pub fn caption_left(page: &Page, lines: &[Line], run: &Run) -> Option<Run> {
    let line = lines.iter().find(|l| l.contains(&run.words.start))?;
    let before = run.words.start.checked_sub(1).filter(|i| line.contains(i))?;
    let text = page.words[before].text.as_str();
    if !caption_like(text) && !rate_token(text) {
        return None;
    }
    let caption = grow(page, line, before, &run.words, true);
    caption.words.clone().any(|i| caption_like(&page.words[i].text)).then_some(caption)
}

/// The caption above `run`: on one of the two lines above it, within three
/// line heights, the caption word whose left edge is nearest the run's
/// (at most 40 points away, or overlapping it), grown both ways.
pub fn caption_above(page: &Page, lines: &[Line], run: &Run) -> Option<Run> {
    let li = lines.iter().position(|l| l.contains(&run.words.start))?;
    let b = run.bbox(page);
    let h = b.height().max(4.0);
    for line in lines[..li].iter().rev().take(2) {
        let best = line
            .clone()
            .filter(|&i| caption_like(&page.words[i].text))
            .filter(|&i| {
                let w = &page.words[i].bbox;
                b.y0 - w.y1 <= 3.0 * h
                    && ((w.x0 - b.x0).abs() <= 40.0 || (w.x0 < b.x1 && w.x1 > b.x0))
            })
            .min_by(|&x, &y| {
                let dx = |i: usize| (page.words[i].bbox.x0 - b.x0).abs();
                dx(x).total_cmp(&dx(y))
            });
        if let Some(i) = best {
            return Some(grow(page, line, i, &(0..0), false));
        }
    }
    None
}

/// The first word that prints the symbol of currency `code` (`$1,250.00`,
/// `1 250,00 €`, `kr`): evidence for a supplier's remembered currency
/// where the page prints no code.
pub fn currency_symbol(page: &Page, code: &str) -> Option<Run> {
    let symbols: &[&str] = match code {
        "EUR" => &["€"],
        "USD" => &["$", "US$"],
        "GBP" => &["£"],
        "SEK" | "NOK" | "DKK" | "ISK" => &["kr", "kr.", ":-"],
        "PLN" => &["zł"],
        "JPY" | "CNY" => &["¥"],
        "INR" => &["₹"],
        _ => &[],
    };
    page.words
        .iter()
        .position(|w| {
            let t = w.text.to_lowercase();
            symbols.iter().any(|s| {
                if s.chars().all(char::is_alphabetic) {
                    t.trim_end_matches('.') == *s
                } else {
                    t.contains(s)
                }
            })
        })
        .map(|i| Run { words: i..i + 1 })
}
