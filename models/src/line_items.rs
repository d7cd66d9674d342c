//! `LINE_*` spans to line items. Spans come in reading order; a row collects
//! the spans that share its visual line. A description starts a new item
//! (unless the current row has none yet), and so does any span below the
//! current row; a description continuation (`I-LINE_DESCRIPTION` first, just
//! under a row) extends that row's description.

use std::collections::BTreeMap;

use invex_domain::parse::{parse_amount, parse_percent};
use invex_domain::{BBox, LineItem, Source};
use rust_decimal::Decimal;

use crate::fields::{LabelledWord, span_box, span_lines};
use crate::labels::{LineColumn, Tag, Target};
use crate::spans::Span;
use crate::values::{amount, trim_value};

/// Same visual row: vertical overlap as a fraction of the smaller height.
const SAME_ROW: f32 = 0.5;

struct Row<'a> {
    page: u32,
    /// The row's first line, for matching later spans.
    band: BBox,
    bbox: BBox,
    cells: BTreeMap<LineColumn, Vec<&'a str>>,
    confidences: Vec<f32>,
}

impl<'a> Row<'a> {
    fn new(page: u32, bbox: BBox) -> Self {
        Row { page, band: bbox, bbox, cells: BTreeMap::new(), confidences: Vec::new() }
    }

    fn add(&mut self, column: LineColumn, words: Vec<&'a str>, bbox: BBox, confidence: f32) {
        self.cells.entry(column).or_default().extend(words);
        self.bbox = self.bbox.union(&bbox);
        self.confidences.push(confidence);
    }

    fn on_row(&self, page: u32, bbox: &BBox) -> bool {
        self.page == page && self.band.vertical_overlap(bbox) >= SAME_ROW
    }

    /// Just under the row: starts below its band, within two line heights.
    fn just_below(&self, page: u32, bbox: &BBox) -> bool {
        let gap = bbox.y0 - self.bbox.y1;
        self.page == page
            && self.band.vertical_overlap(bbox) < SAME_ROW
            && gap > -self.band.height() / 2.0
            && gap < 2.0 * self.band.height().max(1.0)
    }
}

pub fn line_items(words: &[LabelledWord<'_>], spans: &[Span]) -> Vec<LineItem> {
    let mut rows: Vec<Row> = Vec::new();
    for span in spans {
        let Target::Line(column) = span.target else { continue };
        let Some(bbox) = span_box(words, span) else { continue };
        let page = words[span.words[0]].page;
        let text: Vec<&str> = span_lines(words, span).into_iter().flatten().collect();
        let fits = rows.last().is_some_and(|row| match column {
            LineColumn::Description => {
                let continuation = span.first_tag == Tag::Inside(span.target)
                    && row.cells.contains_key(&column)
                    && row.just_below(page, &bbox);
                continuation || (!row.cells.contains_key(&column) && row.on_row(page, &bbox))
            }
            _ => !row.cells.contains_key(&column) && row.on_row(page, &bbox),
        });
        if !fits {
            rows.push(Row::new(page, bbox));
        }
        if let Some(row) = rows.last_mut() {
            row.add(column, text, bbox, span.confidence);
        }
    }
    rows.into_iter().filter_map(item).collect()
}

fn item(row: Row<'_>) -> Option<LineItem> {
    let cell = |c: LineColumn| row.cells.get(&c).filter(|w| !w.is_empty());
    let joined = |c: LineColumn| cell(c).map(|w| w.join(" "));
    let number = |c: LineColumn| cell(c).and_then(|w| amount(&w.join(" "), w));
    let (quantity, unit_in_quantity) =
        cell(LineColumn::Quantity).map_or((None, None), |w| split_quantity(w));
    let description = joined(LineColumn::Description)
        .map(|d| trim_value(&d).to_string())
        .filter(|d| !d.is_empty());
    let unit = joined(LineColumn::Unit)
        .map(|u| trim_value(&u).to_string())
        .filter(|u| !u.is_empty() && !u.chars().any(|c| c.is_ascii_digit()))
        .or(unit_in_quantity);
    let vat_rate = joined(LineColumn::VatRate).and_then(|s| {
        parse_percent(&s).or_else(|| parse_percent(&format!("{}%", s.trim_end_matches('%').trim())))
    });
    let line_amount = number(LineColumn::Amount);
    if description.is_none() && line_amount.is_none() {
        return None;
    }
    let confidence = row.confidences.iter().sum::<f32>() / row.confidences.len().max(1) as f32;
    Some(LineItem {
        description,
        quantity,
        unit,
        unit_price: number(LineColumn::UnitPrice),
        vat_rate,
        amount: line_amount,
        confidence: confidence.clamp(0.0, 1.0),
        page: Some(row.page),
        bbox: Some(row.bbox),
        source: Some(Source::Model),
        ..Default::default()
    })
}

/// A quantity cell: `3`, `2,5`, `3 st`, `10 h` (the unit when no unit column).
fn split_quantity(words: &[&str]) -> (Option<Decimal>, Option<String>) {
    if let Some(q) = parse_amount(&words.join(" ")) {
        return (Some(q), None);
    }
    let mut quantity = None;
    let mut unit = None;
    for w in words {
        if quantity.is_none()
            && let Some(q) = parse_amount(w)
        {
            quantity = Some(q);
        } else if quantity.is_some() && unit.is_none() && !w.chars().any(|c| c.is_ascii_digit()) {
            unit = Some(w.to_string());
        }
    }
    (quantity, unit)
}
