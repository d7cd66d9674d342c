//! Page geometry: words grouped into lines and phrases, and the neighbour
//! searches that find a label's value (right of it, or below it in its column).
//!
//! Tokens are stored line by line, left to right, so a line and a phrase are
//! each a contiguous range of token indices.

use std::collections::HashMap;

use invex_domain::{BBox, Document};

use super::text::word_key;

#[derive(Debug, Clone)]
pub struct Tok {
    pub text: String,
    /// The label-matching key ([`word_key`]).
    pub key: String,
    pub bbox: BBox,
    /// 0-based index into `Layout::pages`.
    pub page: usize,
    pub line: usize,
    pub phrase: usize,
}

#[derive(Debug, Clone)]
pub struct Line {
    pub page: usize,
    pub bbox: BBox,
    pub start: usize,
    pub end: usize,
    /// Median word height on the line.
    pub height: f32,
}

/// Words close together on one line: one cell, caption or value.
#[derive(Debug, Clone)]
pub struct Phrase {
    pub start: usize,
    pub end: usize,
    pub bbox: BBox,
}

#[derive(Debug, Clone)]
pub struct PageInfo {
    pub number: u32,
    pub width: f32,
    pub height: f32,
    pub lines: std::ops::Range<usize>,
}

#[derive(Debug, Clone, Default)]
pub struct Layout {
    pub toks: Vec<Tok>,
    pub lines: Vec<Line>,
    pub phrases: Vec<Phrase>,
    pub pages: Vec<PageInfo>,
    /// Median word height over the document (the "em").
    pub em: f32,
}

/// A run of consecutive tokens on one line, `start..end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Run {
    pub start: usize,
    pub end: usize,
}

/// Where a value was found relative to its label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// In the label's own phrase, after it.
    Inline,
    /// In a later phrase of the label's line (index 0 = the next one).
    Right(usize),
    /// In the label's column, on a later line (0 = the first line below).
    Below(usize),
}

/// Splits `Fakturanr:12345` into the caption and the value.
fn split_glued(text: &str) -> Option<(usize, usize)> {
    let i = text.find(':')?;
    let (head, tail) = (&text[..i], &text[i + 1..]);
    let letters = head.chars().filter(|c| c.is_alphabetic()).count();
    let digits_head = head.chars().any(|c| c.is_ascii_digit());
    let tail_ok = tail.chars().any(|c| c.is_alphanumeric());
    (letters >= 2 && !digits_head && tail_ok).then_some((i + 1, text.chars().count()))
}

/// Words whose bottoms differ by less than this share of the smaller
/// height can share a line.
const LINE_TOLERANCE: f32 = 0.5;

struct Raw {
    text: String,
    bbox: BBox,
}

fn raw_words(words: &[invex_domain::Word]) -> Vec<Raw> {
    let mut out = Vec::with_capacity(words.len());
    // Words drawn twice, slightly offset (fake bold), are read once.
    let mut seen: HashMap<&str, Vec<BBox>> = HashMap::new();
    for w in words {
        let b = w.bbox;
        if !(b.x0.is_finite() && b.y0.is_finite() && b.x1.is_finite() && b.y1.is_finite()) {
            continue;
        }
        let boxes = seen.entry(w.text.as_str()).or_default();
        if boxes.iter().any(|o| o.horizontal_overlap(&b) > 0.8 && o.vertical_overlap(&b) > 0.8) {
            continue;
        }
        boxes.push(b);
        if let Some((cut, nchars)) = split_glued(&w.text) {
            let head_chars = w.text[..cut].chars().count() as f32;
            let frac = head_chars / (nchars.max(1) as f32);
            let xm = b.x0 + b.width() * frac;
            out.push(Raw {
                text: w.text[..cut].to_string(),
                bbox: BBox::new(b.x0, b.y0, xm, b.y1),
            });
            out.push(Raw {
                text: w.text[cut..].to_string(),
                bbox: BBox::new(xm, b.y0, b.x1, b.y1),
            });
        } else {
            out.push(Raw { text: w.text.clone(), bbox: b });
        }
    }
    out
}

/// Words share a line when their bottoms (baseline plus descent) are
/// close. Second pass over the lines: a word joined the first line close enough
/// in reading order; move it to the line whose centre is nearest (a taller
/// value next to its caption, with an address line just above).
#[allow(clippy::needless_range_loop)] // moves words between groups by index
fn refine(groups: &mut [(f32, f32, Vec<Raw>)]) {
    for g in groups.iter_mut() {
        g.0 = median(g.2.iter().map(|w| w.bbox.y1).collect());
    }
    for gi in 0..groups.len() {
        let mut wi = 0;
        while wi < groups[gi].2.len() {
            let w = &groups[gi].2[wi];
            let (cy, h) = (w.bbox.y1, w.bbox.height().max(1.0));
            let own = (cy - groups[gi].0).abs();
            let mut best: Option<(usize, f32)> = None;
            for gj in gi.saturating_sub(3)..(gi + 4).min(groups.len()) {
                let (gy, gh, ref ws) = groups[gj];
                let dy = (cy - gy).abs();
                if gj == gi || dy >= own || dy > LINE_TOLERANCE * h.min(gh) {
                    continue;
                }
                let collides =
                    ws.iter().any(|o| o.bbox.x1.min(w.bbox.x1) - o.bbox.x0.max(w.bbox.x0) > 0.5);
                if !collides && best.is_none_or(|(_, d)| dy < d) {
                    best = Some((gj, dy));
                }
            }
            match best {
                Some((gj, _)) => {
                    let moved = groups[gi].2.remove(wi);
                    groups[gj].2.push(moved);
                }
                None => wi += 1,
            }
        }
    }
}

fn median(mut v: Vec<f32>) -> f32 {
    if v.is_empty() {
        return 10.0;
    }
    v.sort_by(f32::total_cmp);
    v[v.len() / 2]
}

impl Layout {
    #[allow(clippy::needless_range_loop)] // looks back over the last few groups by index
    pub fn build(doc: &Document) -> Layout {
        let mut layout = Layout::default();
        let mut heights = Vec::new();
        for (pi, page) in doc.pages.iter().enumerate() {
            let first_line = layout.lines.len();
            let mut words = raw_words(&page.words);
            words.sort_by(|a, b| a.bbox.y1.total_cmp(&b.bbox.y1));
            // Each line: its words and its reference centre and height.
            let mut groups: Vec<(f32, f32, Vec<Raw>)> = Vec::new();
            for w in words {
                let (cy, h) = (w.bbox.y1, w.bbox.height().max(1.0));
                let n = groups.len();
                let mut best: Option<(usize, f32)> = None;
                for gi in n.saturating_sub(4)..n {
                    let (gy, gh, ref ws) = groups[gi];
                    let dy = (cy - gy).abs();
                    if dy > LINE_TOLERANCE * h.min(gh) {
                        continue;
                    }
                    let collides = ws
                        .iter()
                        .any(|o| o.bbox.x1.min(w.bbox.x1) - o.bbox.x0.max(w.bbox.x0) > 0.5);
                    if !collides && best.is_none_or(|(_, d)| dy < d) {
                        best = Some((gi, dy));
                    }
                }
                match best {
                    Some((gi, _)) => groups[gi].2.push(w),
                    None => groups.push((cy, h, vec![w])),
                }
            }
            groups.sort_by(|a, b| a.0.total_cmp(&b.0));
            refine(&mut groups);
            for (_, _, mut ws) in groups.into_iter().filter(|g| !g.2.is_empty()) {
                ws.sort_by(|a, b| a.bbox.x0.total_cmp(&b.bbox.x0));
                layout.push_line(pi, ws, &mut heights);
            }
            layout.pages.push(PageInfo {
                number: page.number,
                width: page.width,
                height: page.height,
                lines: first_line..layout.lines.len(),
            });
        }
        layout.em = median(heights);
        layout
    }

    fn push_line(&mut self, page: usize, ws: Vec<Raw>, heights: &mut Vec<f32>) {
        let li = self.lines.len();
        let start = self.toks.len();
        let line_h = median(ws.iter().map(|w| w.bbox.height()).collect());
        let mut bbox = ws[0].bbox;
        let mut phrase_start = start;
        let mut phrase_box = ws[0].bbox;
        for (i, w) in ws.into_iter().enumerate() {
            heights.push(w.bbox.height());
            if i > 0 {
                let prev = self.toks[self.toks.len() - 1].bbox;
                let gap = w.bbox.x0 - prev.x1;
                let h = prev.height().min(w.bbox.height()).max(1.0);
                if gap > 0.8 * h {
                    self.close_phrase(phrase_start, phrase_box);
                    phrase_start = self.toks.len();
                    phrase_box = w.bbox;
                }
            }
            bbox = bbox.union(&w.bbox);
            phrase_box = phrase_box.union(&w.bbox);
            let key = word_key(&w.text);
            let phrase = self.phrases.len();
            self.toks.push(Tok { text: w.text, key, bbox: w.bbox, page, line: li, phrase });
        }
        self.close_phrase(phrase_start, phrase_box);
        self.lines.push(Line { page, bbox, start, end: self.toks.len(), height: line_h.max(1.0) });
    }

    fn close_phrase(&mut self, start: usize, bbox: BBox) {
        self.phrases.push(Phrase { start, end: self.toks.len(), bbox });
    }

    /// Text of tokens `start..end`, joined by single spaces.
    pub fn text(&self, start: usize, end: usize) -> String {
        let mut s = String::new();
        for t in &self.toks[start..end.min(self.toks.len())] {
            if !s.is_empty() {
                s.push(' ');
            }
            s.push_str(&t.text);
        }
        s
    }

    /// Text of the given tokens, joined by single spaces.
    pub fn text_of(&self, toks: &[usize]) -> String {
        let mut s = String::new();
        for &t in toks {
            if let Some(tok) = self.toks.get(t) {
                if !s.is_empty() {
                    s.push(' ');
                }
                s.push_str(&tok.text);
            }
        }
        s
    }

    /// Union of the boxes of tokens `start..end`.
    pub fn bbox(&self, start: usize, end: usize) -> Option<BBox> {
        self.toks.get(start..end)?.iter().map(|t| t.bbox).reduce(|a, b| a.union(&b))
    }

    /// The vertical position of a token as a fraction of its page height.
    pub fn rel_y(&self, tok: usize) -> f32 {
        let t = &self.toks[tok];
        let h = self.pages.get(t.page).map_or(842.0, |p| p.height.max(1.0));
        t.bbox.center_y() / h
    }

    /// Runs to the right of a caption ending before token `end`, on its line: the rest of
    /// their phrase (if any), then each later phrase.
    pub fn right_runs(&self, end: usize) -> Vec<(Place, Run)> {
        let mut out = Vec::new();
        let Some(last) = end.checked_sub(1).and_then(|i| self.toks.get(i)) else { return out };
        let ph = &self.phrases[last.phrase];
        if end < ph.end {
            out.push((Place::Inline, Run { start: end, end: ph.end }));
        }
        let line = &self.lines[last.line];
        let mut k = 0;
        let mut pi = last.phrase + 1;
        while let Some(p) = self.phrases.get(pi) {
            if p.start >= line.end {
                break;
            }
            out.push((Place::Right(k), Run { start: p.start, end: p.end }));
            k += 1;
            pi += 1;
        }
        out
    }

    /// Runs below tokens `start..end`, in their column: on each of the next
    /// `max_lines` lines (within a few line heights), the tokens that overlap
    /// the label horizontally, extended within their phrase but not past the
    /// neighbouring captions of the label's line.
    ///
    /// With `grid`, a line with nothing in the column but words under the
    /// caption's line (another row of its grid) keeps the column going.
    pub fn below_runs(
        &self,
        start: usize,
        end: usize,
        max_lines: usize,
        grid: bool,
    ) -> Vec<(Place, Run)> {
        let mut out = Vec::new();
        let Some(span) = self.bbox(start, end) else { return out };
        let first = &self.toks[start];
        let line = &self.lines[first.line];
        // Column bounds from the neighbouring phrases on the label's line.
        let mut left = span.x0 - 4.0 * line.height;
        let mut right = self.pages[line.page].width.max(span.x1 + 1.0);
        let own = first.phrase;
        for p in &self.phrases[self.phrases_of_line(first.line)] {
            if p.end <= start && p.bbox.x1 <= span.x0 && self.toks[p.start].phrase != own {
                left = left.max(p.bbox.x1 + 1.0);
            }
            if p.start >= end && p.bbox.x0 >= span.x1 && self.toks[p.start].phrase != own {
                right = right.min(p.bbox.x0 - 1.0);
            }
        }
        let page = &self.pages[line.page];
        let mut bottom = span.y1;
        let mut found = 0;
        for li in first.line + 1..page.lines.end {
            let l = &self.lines[li];
            if l.bbox.y0 - bottom > 2.6 * line.height.max(l.height) || found >= max_lines {
                break;
            }
            let inside = |i: usize| {
                let b = self.toks[i].bbox;
                b.x0 >= left - 1.0 && b.x1 <= right + 1.0
            };
            let hit = (l.start..l.end)
                .find(|&i| {
                    let b = self.toks[i].bbox;
                    b.x1.min(span.x1 + 2.0) - b.x0.max(span.x0 - 2.0) > 0.0 && inside(i)
                })
                // Right-aligned values under a left-aligned caption: the
                // cell from the caption to the next one, first line only.
                .or_else(|| {
                    let cell = |i: usize| {
                        let b = self.toks[i].bbox;
                        b.x0 >= span.x0 - 0.5 * line.height && b.x1 <= right + 1.0
                    };
                    (found == 0).then(|| (l.start..l.end).find(|&i| cell(i))).flatten()
                });
            let Some(h) = hit else {
                let grid_row = || {
                    (l.start..l.end).any(|i| {
                        let b = self.toks[i].bbox;
                        b.x0 >= line.bbox.x0 - 2.0 && b.x1 <= line.bbox.x1 + 2.0
                    })
                };
                if grid && found == 0 && grid_row() {
                    bottom = l.bbox.y1;
                }
                continue;
            };
            let ph = &self.phrases[self.toks[h].phrase];
            let mut s = h;
            while s > ph.start && self.toks[s - 1].bbox.x0 >= left - 1.0 {
                s -= 1;
            }
            let mut e = h + 1;
            while e < ph.end && self.toks[e].bbox.x1 <= right + 1.0 {
                e += 1;
            }
            out.push((Place::Below(found), Run { start: s, end: e }));
            found += 1;
            bottom = l.bbox.y1;
        }
        out
    }

    /// The phrase indices of a line.
    pub fn phrases_of_line(&self, line: usize) -> std::ops::Range<usize> {
        let l = &self.lines[line];
        if l.start >= l.end {
            return 0..0;
        }
        self.toks[l.start].phrase..self.toks[l.end - 1].phrase + 1
    }
}

#[cfg(test)]
pub mod tests {
    use super::*;
    use invex_domain::{Page, Word};

    /// A one-page document with words at (x, y), 6 pt per character, 10 pt high.
    pub fn doc(words: &[(&str, f32, f32)]) -> Document {
        let words = words
            .iter()
            .map(|&(text, x, y)| Word {
                text: text.to_string(),
                bbox: BBox::new(x, y, x + 6.0 * text.chars().count() as f32, y + 10.0),
                confidence: 1.0,
            })
            .collect();
        Document { pages: vec![Page { number: 1, width: 595.0, height: 842.0, words }] }
    }

    fn texts(l: &Layout, runs: &[(Place, Run)]) -> Vec<String> {
        runs.iter().map(|(_, r)| l.text(r.start, r.end)).collect()
    }

    #[test]
    fn lines_and_phrases() {
        let d = doc(&[
            ("Fakturanr:", 50.0, 100.0),
            ("12345", 116.0, 101.0),
            ("Datum", 300.0, 99.0),
            ("2026-01-02", 340.0, 100.0),
            ("Att", 50.0, 130.0),
            ("betala", 74.0, 130.0),
        ]);
        let l = Layout::build(&d);
        assert_eq!(l.lines.len(), 2);
        let phrases: Vec<String> = l.phrases.iter().map(|p| l.text(p.start, p.end)).collect();
        assert_eq!(phrases, ["Fakturanr: 12345", "Datum", "2026-01-02", "Att betala"]);
    }

    #[test]
    fn glued_caption_is_split() {
        let l = Layout::build(&doc(&[("Fakturanr:12345", 50.0, 100.0), ("Tid:", 200.0, 100.0)]));
        let t: Vec<&str> = l.toks.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(t, ["Fakturanr:", "12345", "Tid:"]);
    }

    #[test]
    fn right_and_below() {
        let d = doc(&[
            ("Fakturanr", 50.0, 100.0),
            ("Datum", 200.0, 100.0),
            ("Kundnr", 350.0, 100.0),
            ("1001", 50.0, 114.0),
            ("2026-01-02", 200.0, 114.0),
            ("K-7", 350.0, 114.0),
            ("Moms", 50.0, 200.0),
            ("25%", 100.0, 200.0),
            ("250,00", 400.0, 200.0),
        ]);
        let l = Layout::build(&d);
        let datum = l.toks.iter().position(|t| t.text == "Datum").unwrap_or(0);
        assert_eq!(texts(&l, &l.below_runs(datum, datum + 1, 2, false)), ["2026-01-02"]);
        let f = 0;
        assert_eq!(texts(&l, &l.below_runs(f, f + 1, 1, false)), ["1001"]);
        let moms = l.toks.iter().position(|t| t.text == "Moms").unwrap_or(0);
        assert_eq!(texts(&l, &l.right_runs(moms + 1)), ["25%", "250,00"]);
    }
}
