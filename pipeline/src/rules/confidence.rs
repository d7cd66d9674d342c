//! Candidates, their pooling by value, and what a confidence means.
//!
//! Every candidate carries a ranking `score` and a calibrated `conf`, the
//! probability that it is right on its own evidence:
//!
//! | evidence                                   | conf      |
//! |--------------------------------------------|-----------|
//! | caption + check digit / checksum passes     | 0.95–0.98 |
//! | caption, no checksum exists (dates, text)   | 0.80–0.92 |
//! | caption, checksum fails                     | 0.30–0.45 |
//! | pattern only, checksum passes               | 0.55–0.75 |
//! | pattern only, no checksum                   | 0.30–0.50 |
//!
//! Candidates that agree on one value combine by noisy-OR; a close rival
//! with another value lowers the winner's confidence. Derived fields inherit
//! the lower confidence of their inputs.
//!
//! Finally, OCR: a field is at most as sure as the least sure word it was
//! read from ([`cap_by_word_confidence`]). Text-layer words are 1.0, so digital
//! PDFs are unchanged; a cap (not a product) keeps it idempotent, so the
//! combiner can apply it to the model's fields too.

use invex_domain::{BBox, Document, Field, Invoice, Source, Value};

use super::layout::Layout;

#[derive(Debug, Clone)]
pub struct Cand {
    pub value: Value,
    pub score: f32,
    pub conf: f32,
    /// 0-based page index.
    pub page: usize,
    pub bbox: Option<BBox>,
    /// The token range it was read from, if read from the page.
    pub toks: Option<(usize, usize)>,
}

impl Cand {
    /// A candidate read from tokens `start..end`.
    pub fn at(
        layout: &Layout,
        start: usize,
        end: usize,
        value: Value,
        score: f32,
        conf: f32,
    ) -> Cand {
        let page = layout.toks.get(start).map_or(0, |t| t.page);
        Cand { value, score, conf, page, bbox: layout.bbox(start, end), toks: Some((start, end)) }
    }

    /// A yes/no value that was not read from one place.
    pub fn flag(value: bool, conf: f32) -> Cand {
        Cand { value: Value::Bool(value), score: 1.0, conf, page: 0, bbox: None, toks: None }
    }

    pub fn into_field(self, layout: &Layout, source: Source) -> Field {
        Field {
            value: self.value,
            confidence: self.conf.clamp(0.0, 1.0),
            page: layout.pages.get(self.page).map(|p| p.number),
            bbox: self.bbox,
            source,
            xml_path: None,
        }
    }
}

/// Candidates for one field, grouped by value.
#[derive(Debug, Default)]
pub struct Pool {
    cands: Vec<Cand>,
}

impl Pool {
    pub fn new() -> Self {
        Pool::default()
    }

    pub fn push(&mut self, c: Cand) {
        if c.score > 0.0 {
            self.cands.push(c);
        }
    }

    /// Adds `delta` to the score of every candidate with value `v`.
    pub fn boost(&mut self, v: &Value, delta: f32) {
        for c in self.cands.iter_mut().filter(|c| c.value == *v) {
            c.score += delta;
        }
    }

    /// Keeps the candidates for which `keep` holds.
    pub fn retain(&mut self, keep: impl FnMut(&Cand) -> bool) {
        self.cands.retain(keep);
    }

    pub fn is_empty(&self) -> bool {
        self.cands.is_empty()
    }

    /// Whether some candidate has value `v`.
    pub fn has_value(&self, v: &Value) -> bool {
        self.cands.iter().any(|c| c.value == *v)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Cand> {
        self.cands.iter()
    }

    /// One candidate per distinct value, best first: its score is the best
    /// score of the group plus a small bonus per agreeing candidate, its
    /// confidence the noisy-OR of the group.
    pub fn ranked(&self) -> Vec<Cand> {
        let mut groups: Vec<(usize, f32, f32, usize)> = Vec::new(); // (best idx, score, miss, count)
        for (i, c) in self.cands.iter().enumerate() {
            match groups.iter_mut().find(|g| self.cands[g.0].value == c.value) {
                Some(g) => {
                    if c.score > self.cands[g.0].score {
                        g.0 = i;
                    }
                    g.1 = g.1.max(c.score);
                    g.2 *= 1.0 - c.conf.clamp(0.0, 0.99);
                    g.3 += 1;
                }
                None => groups.push((i, c.score, 1.0 - c.conf.clamp(0.0, 0.99), 1)),
            }
        }
        let mut out: Vec<Cand> = groups
            .into_iter()
            .map(|(i, score, miss, count)| {
                let mut c = self.cands[i].clone();
                c.score = score * (1.0 + 0.08 * (count.min(4) as f32 - 1.0));
                c.conf = (1.0 - miss).min(0.99);
                c
            })
            .collect();
        out.sort_by(|a, b| b.score.total_cmp(&a.score));
        out
    }

    /// The winning value; its confidence is lowered when another value
    /// scored close to it.
    pub fn best(&self) -> Option<Cand> {
        let ranked = self.ranked();
        let mut out = ranked.first()?.clone();
        if let Some(second) = ranked.get(1) {
            out.conf *= ambiguity(out.score, second.score);
        }
        Some(out)
    }
}

/// How much a rival scoring `second` against the winner's `first` lowers
/// the winner's confidence.
pub fn ambiguity(first: f32, second: f32) -> f32 {
    let ratio = second / first.max(1e-6);
    if ratio > 0.9 {
        0.7
    } else if ratio > 0.75 {
        0.85
    } else if ratio > 0.6 {
        0.95
    } else {
        1.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cand(v: &str, score: f32, conf: f32) -> Cand {
        Cand { value: Value::Text(v.into()), score, conf, page: 0, bbox: None, toks: None }
    }

    #[test]
    fn pooling() {
        let mut p = Pool::new();
        p.push(cand("A", 1.0, 0.8));
        p.push(cand("A", 0.5, 0.5));
        p.push(cand("B", 0.4, 0.6));
        let best = p.best().unwrap_or_else(|| cand("", 0.0, 0.0));
        assert_eq!(best.value, Value::Text("A".into()));
        assert!((best.conf - 0.9).abs() < 1e-3, "{}", best.conf);
        let mut q = Pool::new();
        q.push(cand("A", 1.0, 0.9));
        q.push(cand("B", 0.95, 0.9));
        assert!(q.best().is_some_and(|b| b.conf < 0.7));
    }
}

/// Caps each field's confidence at the lowest confidence of the words under
/// its box (a word counts when its centre lies inside the box, grown by 1 pt).
/// Fields without a page and box (derived or flags) are left as they are.
pub fn cap_by_word_confidence(invoice: &mut Invoice, document: &Document) {
    for field in invoice.fields.values_mut() {
        let (Some(number), Some(b)) = (field.page, field.bbox) else { continue };
        let Some(page) = document.pages.iter().find(|p| p.number == number) else { continue };
        let least = page
            .words
            .iter()
            .filter(|w| {
                let (x, y) = (w.bbox.center_x(), w.bbox.center_y());
                x >= b.x0 - 1.0 && x <= b.x1 + 1.0 && y >= b.y0 - 1.0 && y <= b.y1 + 1.0
            })
            .map(|w| w.confidence)
            .fold(1.0f32, f32::min);
        field.confidence = field.confidence.min(least.max(0.0));
    }
}

#[cfg(test)]
mod ocr_tests {
    use super::*;
    use invex_domain::{FieldName, Page, Word};

    fn check(words: &[(f32, f32)], field_conf: f32, bbox: Option<BBox>, expected: f32) {
        let words = words
            .iter()
            .enumerate()
            .map(|(i, &(x, conf))| Word {
                text: format!("w{i}"),
                bbox: BBox::new(x, 100.0, x + 20.0, 110.0),
                confidence: conf,
            })
            .collect();
        let document =
            Document { pages: vec![Page { number: 1, width: 595.0, height: 842.0, words }] };
        let mut invoice = Invoice::default();
        let field = Field {
            value: Value::Text("x".into()),
            confidence: field_conf,
            page: Some(1),
            bbox,
            source: Source::Rules,
            xml_path: None,
        };
        invoice.fields.insert(FieldName::InvoiceNumber, field);
        cap_by_word_confidence(&mut invoice, &document);
        cap_by_word_confidence(&mut invoice, &document);
        let got = invoice.fields[&FieldName::InvoiceNumber].confidence;
        assert!(
            (got - expected).abs() < 1e-6,
            "{words:?}: {got} != {expected}",
            words = words_dbg(&document)
        );
    }

    fn words_dbg(d: &Document) -> Vec<(f32, f32)> {
        d.pages[0].words.iter().map(|w| (w.bbox.x0, w.confidence)).collect()
    }

    #[test]
    fn fields_are_capped_by_their_least_sure_word() {
        let over = |x0: f32, x1: f32| Some(BBox::new(x0, 100.0, x1, 110.0));
        // Text layer: unchanged.
        check(&[(10.0, 1.0), (40.0, 1.0)], 0.95, over(10.0, 60.0), 0.95);
        // The least sure of the field's words caps it; words outside do not count.
        check(&[(10.0, 0.9), (40.0, 0.6), (200.0, 0.1)], 0.95, over(10.0, 60.0), 0.6);
        // A cap, not a product: a sure OCR word leaves a less sure field alone.
        check(&[(10.0, 0.97)], 0.8, over(10.0, 30.0), 0.8);
        // No box: left alone.
        check(&[(10.0, 0.2)], 0.9, None, 0.9);
    }
}
