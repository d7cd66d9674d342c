//! A small drawing API: pages of text strings, lines and rectangles in
//! top-left-origin points, recording every drawn word with its box and label.

use crate::pdf::fonts::{FontId, font};
use crate::truth::{PageSize, Tag, TruthWord, WordLabel};

/// A4 in points.
pub const PAGE_W: f32 = 595.276;
pub const PAGE_H: f32 = 841.89;

/// Colour as RGB in 0..=1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rgb(pub f32, pub f32, pub f32);

impl Rgb {
    pub const BLACK: Rgb = Rgb(0.0, 0.0, 0.0);
    pub const WHITE: Rgb = Rgb(1.0, 1.0, 1.0);
    pub fn gray(g: f32) -> Rgb {
        Rgb(g, g, g)
    }
}

/// Font, size and colour of a text string.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TextStyle {
    pub font: FontId,
    pub size: f32,
    pub color: Rgb,
}

impl TextStyle {
    pub fn new(font: FontId, size: f32) -> Self {
        TextStyle { font, size, color: Rgb::BLACK }
    }
    pub fn color(mut self, c: Rgb) -> Self {
        self.color = c;
        self
    }
    pub fn sized(mut self, size: f32) -> Self {
        self.size = size;
        self
    }
    pub fn with_font(mut self, f: FontId) -> Self {
        self.font = f;
        self
    }
    /// Width of `s` in points.
    pub fn width(&self, s: &str) -> f32 {
        font(self.font)
            .map_or(s.chars().count() as f32 * self.size * 0.6, |f| f.width(s, self.size))
    }
}

/// One drawing operation; y is top-down, text y is the baseline.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    Text { style: TextStyle, x: f32, y: f32, text: String },
    Line { x0: f32, y0: f32, x1: f32, y1: f32, width: f32, color: Rgb, dash: Option<[f32; 2]> },
    Rect { x: f32, y: f32, w: f32, h: f32, fill: Option<Rgb>, stroke: Option<(Rgb, f32)> },
}

/// The core box of a drawn string, for the spacing check.
#[derive(Debug, Clone)]
struct StrBox {
    text: String,
    x0: f32,
    x1: f32,
    y0: f32,
    y1: f32,
    space: f32,
}

/// One page of drawing operations.
#[derive(Debug, Clone, Default)]
pub struct PageContent {
    pub ops: Vec<Op>,
    boxes: Vec<StrBox>,
}

/// A document being drawn: pages of ops and the words they print.
#[derive(Debug, Clone)]
pub struct Doc {
    pub pages: Vec<PageContent>,
    pub words: Vec<TruthWord>,
    problems: Vec<String>,
    /// Index of the page being drawn.
    cur: usize,
}

impl Default for Doc {
    fn default() -> Self {
        Self::new()
    }
}

impl Doc {
    pub fn new() -> Doc {
        Doc { pages: vec![PageContent::default()], words: Vec::new(), problems: Vec::new(), cur: 0 }
    }

    /// Appends a page and draws on it from now on.
    pub fn new_page(&mut self) {
        self.pages.push(PageContent::default());
        self.cur = self.pages.len() - 1;
    }

    /// Draws on an existing page (0-based index) from now on.
    pub fn goto_page(&mut self, index: usize) {
        self.cur = index.min(self.pages.len().saturating_sub(1));
    }

    /// 1-based number of the page being drawn.
    pub fn page_no(&self) -> u32 {
        self.cur as u32 + 1
    }

    pub fn page_count(&self) -> usize {
        self.pages.len()
    }

    /// Puts the words in page order, keeping drawing order within a page.
    pub fn sort_words(&mut self) {
        self.words.sort_by_key(|w| w.page);
    }

    pub fn page_sizes(&self) -> Vec<PageSize> {
        (1..=self.pages.len() as u32)
            .map(|number| PageSize { number, width: PAGE_W, height: PAGE_H })
            .collect()
    }

    /// Problems found while drawing (missing glyphs, strings too close, off the page).
    pub fn problems(&self) -> &[String] {
        &self.problems
    }

    fn page_mut(&mut self) -> &mut PageContent {
        if self.pages.is_empty() {
            self.pages.push(PageContent::default());
            self.cur = 0;
        }
        let i = self.cur.min(self.pages.len() - 1);
        &mut self.pages[i]
    }

    /// Draws one string made of labelled spans with its left edge at `x` and
    /// baseline at `y`; returns its width.
    pub fn spans(&mut self, x: f32, y: f32, st: &TextStyle, spans: &[(&str, Tag)]) -> f32 {
        let text: String = spans.iter().map(|s| s.0).collect();
        if text.trim().is_empty() {
            return 0.0;
        }
        if text.starts_with(' ') || text.ends_with(' ') {
            self.problems.push(format!("string {text:?} has outer spaces"));
        }
        let f = match font(st.font) {
            Ok(f) => f,
            Err(e) => {
                self.problems.push(e.to_string());
                return 0.0;
            }
        };
        if let Some(c) = f.missing(&text) {
            self.problems.push(format!("{} lacks {c:?} in {text:?}", st.font.ps_name()));
        }
        let k = st.size / 1000.0;
        let y0 = y - f.ascender * st.size;
        let y1 = y - f.descender * st.size;
        let page = self.page_no();
        // Walk the spans char by char, cutting words at spaces.
        let mut cx = x;
        let mut word = String::new();
        let mut wx0 = x;
        let mut wtag = Tag::O;
        let mut first_in_span = false;
        let mut span_started: Vec<bool> = vec![false; spans.len()];
        let mut out: Vec<TruthWord> = Vec::new();
        for (si, (s, tag)) in spans.iter().enumerate() {
            for c in s.chars() {
                let adv = f.glyph(c).map_or(500.0, |g| g.1) * k;
                if c == ' ' {
                    if !word.is_empty() {
                        out.push(make_word(
                            page,
                            &mut word,
                            [wx0, y0, cx, y1],
                            wtag,
                            first_in_span,
                        ));
                    }
                } else {
                    if word.is_empty() {
                        wx0 = cx;
                        wtag = *tag;
                        first_in_span = !span_started[si];
                        span_started[si] = true;
                    }
                    word.push(c);
                }
                cx += adv;
            }
        }
        if !word.is_empty() {
            out.push(make_word(page, &mut word, [wx0, y0, cx, y1], wtag, first_in_span));
        }
        let width = cx - x;
        self.words.extend(out);
        let space = f.glyph(' ').map_or(300.0, |g| g.1) * k;
        let core = StrBox {
            text: String::new(),
            x0: x,
            x1: x + width,
            y0: y - 0.7 * st.size,
            y1: y + 0.15 * st.size,
            space,
        };
        self.check_box(&text, &core);
        let core = StrBox { text: text.clone(), ..core };
        let page = self.page_mut();
        page.boxes.push(core);
        page.ops.push(Op::Text { style: *st, x, y, text });
        width
    }

    fn check_box(&mut self, text: &str, b: &StrBox) {
        if b.x0 < 12.0 || b.x1 > PAGE_W - 12.0 || b.y0 < 12.0 || b.y1 > PAGE_H - 10.0 {
            self.problems.push(format!("{text:?} off the page at {:.0},{:.0}", b.x0, b.y1));
        }
        let page = match self.pages.get(self.cur) {
            Some(p) => p,
            None => return,
        };
        for o in &page.boxes {
            let v = o.y1.min(b.y1) - o.y0.max(b.y0);
            if v <= 0.0 {
                continue;
            }
            let gap = o.x0.max(b.x0) - o.x1.min(b.x1);
            if gap < 1.5 * o.space.max(b.space) {
                self.problems.push(format!("{text:?} too close to {:?} ({gap:.1} pt)", o.text));
                return;
            }
        }
    }

    pub fn text(&mut self, x: f32, y: f32, st: &TextStyle, s: &str, tag: Tag) -> f32 {
        self.spans(x, y, st, &[(s, tag)])
    }

    /// Right-aligned at `xr`.
    pub fn text_r(&mut self, xr: f32, y: f32, st: &TextStyle, s: &str, tag: Tag) -> f32 {
        let w = st.width(s);
        self.spans(xr - w, y, st, &[(s, tag)])
    }

    /// Centred on `xc`.
    pub fn text_c(&mut self, xc: f32, y: f32, st: &TextStyle, s: &str, tag: Tag) -> f32 {
        let w = st.width(s);
        self.spans(xc - w / 2.0, y, st, &[(s, tag)])
    }

    pub fn spans_r(&mut self, xr: f32, y: f32, st: &TextStyle, spans: &[(&str, Tag)]) -> f32 {
        let text: String = spans.iter().map(|s| s.0).collect();
        let w = st.width(&text);
        self.spans(xr - w, y, st, spans)
    }

    pub fn line(&mut self, x0: f32, y0: f32, x1: f32, y1: f32, width: f32, color: Rgb) {
        self.page_mut().ops.push(Op::Line { x0, y0, x1, y1, width, color, dash: None });
    }

    pub fn hline(&mut self, x0: f32, x1: f32, y: f32, width: f32, color: Rgb) {
        self.line(x0, y, x1, y, width, color);
    }

    pub fn dashed(&mut self, x0: f32, x1: f32, y: f32, width: f32, color: Rgb, dash: [f32; 2]) {
        self.page_mut().ops.push(Op::Line { x0, y0: y, x1, y1: y, width, color, dash: Some(dash) });
    }

    pub fn fill_rect(&mut self, x: f32, y: f32, w: f32, h: f32, color: Rgb) {
        self.page_mut().ops.push(Op::Rect { x, y, w, h, fill: Some(color), stroke: None });
    }

    pub fn stroke_rect(&mut self, x: f32, y: f32, w: f32, h: f32, color: Rgb, width: f32) {
        self.page_mut().ops.push(Op::Rect { x, y, w, h, fill: None, stroke: Some((color, width)) });
    }

    /// The page's drawn strings, in drawing order (for tests and checks).
    pub fn strings(&self, page: usize) -> Vec<&str> {
        self.pages.get(page).map_or(Vec::new(), |p| {
            p.ops
                .iter()
                .filter_map(|o| match o {
                    Op::Text { text, .. } => Some(text.as_str()),
                    _ => None,
                })
                .collect()
        })
    }
}

fn make_word(page: u32, word: &mut String, bbox: [f32; 4], tag: Tag, first: bool) -> TruthWord {
    let label = match tag {
        Tag::O => WordLabel::O,
        Tag::B(l) if first => WordLabel::B(l),
        Tag::B(l) | Tag::I(l) => WordLabel::I(l),
    };
    TruthWord { page, text: std::mem::take(word), bbox, label }
}

/// Splits `text` into lines no wider than `width` at `st`, breaking at spaces
/// (a single over-long word is kept whole).
pub fn wrap(text: &str, st: &TextStyle, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut cur = String::new();
    for w in text.split_whitespace() {
        let cand = if cur.is_empty() { w.to_string() } else { format!("{cur} {w}") };
        if !cur.is_empty() && st.width(&cand) > width {
            lines.push(std::mem::take(&mut cur));
            cur = w.to_string();
        } else {
            cur = cand;
        }
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::truth::Label;

    #[test]
    fn words_get_boxes_and_bio_labels() {
        let mut d = Doc::new();
        let st = TextStyle::new(FontId::Sans, 10.0);
        let w = d.spans(
            50.0,
            100.0,
            &st,
            &[
                ("Att betala: ", Tag::O),
                ("1 234,50", Tag::B(Label::TotalAmount)),
                (" SEK", Tag::B(Label::Currency)),
            ],
        );
        assert!(w > 50.0);
        let texts: Vec<&str> = d.words.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(texts, ["Att", "betala:", "1", "234,50", "SEK"]);
        let labels: Vec<String> = d.words.iter().map(|w| w.label.to_bio()).collect();
        assert_eq!(labels, ["O", "O", "B-TOTAL_AMOUNT", "I-TOTAL_AMOUNT", "B-CURRENCY"]);
        assert!((d.words[0].bbox[0] - 50.0).abs() < 1e-3);
        assert!(d.words[0].bbox[1] < 100.0 && d.words[0].bbox[3] > 100.0);
        assert!(d.problems().is_empty());
        d.text(50.0 + w + 2.0, 100.0, &st, "x", Tag::O);
        assert_eq!(d.problems().len(), 1);
    }

    #[test]
    fn wrapping_keeps_all_words() {
        let st = TextStyle::new(FontId::Serif, 9.0);
        let t = "Konsulttjänster enligt avtal för perioden januari till mars inklusive resor";
        let lines = wrap(t, &st, 120.0);
        assert!(lines.len() > 1);
        assert_eq!(lines.join(" "), t);
        assert!(lines.iter().all(|l| st.width(l) <= 120.0));
    }
}
