//! Finding a value on the page: where an amount, date or identifier that
//! another stage read (an e-invoice's XML, a reviewer, a language model) is
//! printed among a document's words, in any usual printed form. The
//! e-invoice cross-check, weak labels, training data from reviews and the
//! language-model fallback's hallucination guard all use it.

use std::ops::Range;

use crate::geometry::{BBox, Document};
use crate::invoice::Value;
use crate::parse::{DateOrder, parse_amount, parse_date};

/// Where on the page `value` is printed: a run of up to eight words on one
/// line that reads as it (an amount in any usual form, a date day first, or
/// month first where day first cannot read it, an identifier up to spaces
/// and punctuation, or one word ending in it after a colon, as in
/// `Nr.:RE-1001`). The page's number and the run's box.
pub fn find_on_page(document: &Document, value: &Value) -> Option<(u32, BBox)> {
    let (index, words) = locate_on_page(document, value)?;
    let page = &document.pages[index];
    let run = &page.words[words];
    let bbox = run.iter().skip(1).fold(run[0].bbox, |b, w| b.union(&w.bbox));
    Some((page.number, bbox))
}

/// [`find_on_page`]'s hit as the index of the page in `document.pages` and
/// the range of its words: for weak labels, which need the words themselves.
pub fn locate_on_page(document: &Document, value: &Value) -> Option<(usize, Range<usize>)> {
    let wanted = match value {
        Value::Text(t) => squash(t),
        Value::Bool(_) => return None,
        _ => String::new(),
    };
    for (index, page) in document.pages.iter().enumerate() {
        for line in crate::geometry::line_ranges(&page.words) {
            for start in line.clone() {
                for end in start + 1..=(start + 8).min(line.end) {
                    let words = &page.words[start..end];
                    let joined =
                        words.iter().map(|w| w.text.as_str()).collect::<Vec<_>>().join(" ");
                    let short = end - start <= 4;
                    let hit = match value {
                        Value::Amount(a) => {
                            short && parse_amount(&joined).is_some_and(|p| p.abs() == a.abs())
                        }
                        // Day first, as European invoices print dates; month first only
                        // where day first cannot read it (`03/25/2024`), so a swapped
                        // day and month is not taken for agreement.
                        Value::Date(d) => {
                            short
                                && parse_date(&joined, DateOrder::DayFirst)
                                    .or_else(|| parse_date(&joined, DateOrder::MonthFirst))
                                    == Some(*d)
                        }
                        Value::Text(_) => {
                            !wanted.is_empty()
                                && (squash(&joined) == wanted
                                    || (end - start == 1
                                        && joined
                                            .rsplit_once([':', '#'])
                                            .is_some_and(|(_, tail)| squash(tail) == wanted)))
                        }
                        Value::Bool(_) => false,
                    };
                    if hit {
                        return Some((index, start..end));
                    }
                }
            }
        }
    }
    None
}

fn squash(s: &str) -> String {
    s.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_uppercase).collect()
}
