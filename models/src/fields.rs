//! Word predictions to an [`Invoice`]: BIO spans, typed per field; the
//! surest span that parses wins. A field's confidence is the mean of its
//! words' probabilities, halved when the value fails its validator.
//! `is_credit_note` and `supplier_f_skatt` are not word labels and stay absent.

use std::collections::BTreeMap;

use invex_domain::parse::{DateOrder, date_order_for, detect_language, looks_like_date};
use invex_domain::{BBox, Document, Field, FieldName, Invoice, Source};

use crate::labels::{Tag, Target};
use crate::line_items::line_items;
use crate::spans::{Span, TaggedWord, decode_spans};
use crate::values::field_value;

/// Confidence factor for a value that fails its validator.
pub const INVALID_FACTOR: f32 = 0.5;

/// A document word with what the model said about it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LabelledWord<'a> {
    pub text: &'a str,
    pub bbox: BBox,
    pub page: u32,
    pub tag: Tag,
    pub probability: f32,
}

/// The invoice the labelled words of `document` spell out.
pub fn invoice_from_words(document: &Document, words: &[LabelledWord<'_>]) -> Invoice {
    let tagged: Vec<TaggedWord> = words
        .iter()
        .map(|w| TaggedWord { tag: w.tag, probability: w.probability, page: w.page })
        .collect();
    let spans = decode_spans(&tagged);
    let order = date_order(document);
    let mut best: BTreeMap<FieldName, Field> = BTreeMap::new();
    for span in &spans {
        let Target::Field(name) = span.target else { continue };
        let lines = span_lines(words, span);
        let Some(typed) = field_value(name, &lines, order) else { continue };
        let factor = if typed.valid { 1.0 } else { INVALID_FACTOR };
        let field = Field {
            value: typed.value,
            confidence: (span.confidence * factor).clamp(0.0, 1.0),
            page: Some(words[span.words[0]].page),
            bbox: span_box(words, span),
            source: Source::Model,
            xml_path: None,
        };
        if best.get(&name).is_none_or(|b| field.confidence > b.confidence) {
            best.insert(name, field);
        }
    }
    let mut invoice = Invoice::default();
    for (name, field) in best {
        invoice.set(name, field);
    }
    invoice.line_items = line_items(words, &spans);
    invoice
}

/// How to read numeric dates like `03/04/2026` in this document.
fn date_order(document: &Document) -> DateOrder {
    let texts = || document.pages.iter().flat_map(|p| &p.words).map(|w| w.text.as_str());
    let dates: Vec<&str> = texts().filter(|t| looks_like_date(t)).collect();
    date_order_for(detect_language(texts()), &dates)
}

/// A span's words as visual lines (a new line where a word does not
/// overlap the previous one vertically).
pub fn span_lines<'a>(words: &[LabelledWord<'a>], span: &Span) -> Vec<Vec<&'a str>> {
    let mut lines: Vec<Vec<&'a str>> = Vec::new();
    let mut previous: Option<&LabelledWord> = None;
    for &i in &span.words {
        let w = &words[i];
        let same_line =
            previous.is_some_and(|p| p.page == w.page && p.bbox.vertical_overlap(&w.bbox) >= 0.5);
        match lines.last_mut() {
            Some(line) if same_line => line.push(w.text),
            _ => lines.push(vec![w.text]),
        }
        previous = Some(w);
    }
    lines
}

/// The union of a span's word boxes.
pub fn span_box(words: &[LabelledWord<'_>], span: &Span) -> Option<BBox> {
    span.words.iter().map(|&i| words[i].bbox).reduce(|a, b| a.union(&b))
}

#[cfg(test)]
#[path = "fields_tests.rs"]
mod tests;
