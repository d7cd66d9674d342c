//! Words and their boxes, as every reader (PDF text layer, OCR) delivers them.

use serde::{Deserialize, Serialize};

/// An axis-aligned box in PDF points (1/72 inch), origin at the page's top-left
/// corner, y growing downwards. `x0 <= x1` and `y0 <= y1` always hold.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub struct BBox {
    pub x0: f32,
    pub y0: f32,
    pub x1: f32,
    pub y1: f32,
}

impl BBox {
    pub fn new(x0: f32, y0: f32, x1: f32, y1: f32) -> Self {
        BBox { x0: x0.min(x1), y0: y0.min(y1), x1: x0.max(x1), y1: y0.max(y1) }
    }
    pub fn width(&self) -> f32 {
        self.x1 - self.x0
    }
    pub fn height(&self) -> f32 {
        self.y1 - self.y0
    }
    pub fn center_y(&self) -> f32 {
        (self.y0 + self.y1) / 2.0
    }
    pub fn center_x(&self) -> f32 {
        (self.x0 + self.x1) / 2.0
    }
    /// The smallest box holding both.
    pub fn union(&self, other: &BBox) -> BBox {
        BBox {
            x0: self.x0.min(other.x0),
            y0: self.y0.min(other.y0),
            x1: self.x1.max(other.x1),
            y1: self.y1.max(other.y1),
        }
    }
    /// Overlap of the vertical extents, as a fraction of the smaller height.
    pub fn vertical_overlap(&self, other: &BBox) -> f32 {
        let overlap = self.y1.min(other.y1) - self.y0.max(other.y0);
        let smaller = self.height().min(other.height()).max(f32::EPSILON);
        (overlap / smaller).max(0.0)
    }
    /// Overlap of the horizontal extents, as a fraction of the smaller width.
    pub fn horizontal_overlap(&self, other: &BBox) -> f32 {
        let overlap = self.x1.min(other.x1) - self.x0.max(other.x0);
        let smaller = self.width().min(other.width()).max(f32::EPSILON);
        (overlap / smaller).max(0.0)
    }
    /// As `[x0, y0, x1, y1]`, rounded to 0.1 pt, the form written to JSON outputs.
    pub fn to_array(&self) -> [f64; 4] {
        let r = |v: f32| (f64::from(v) * 10.0).round() / 10.0;
        [r(self.x0), r(self.y0), r(self.x1), r(self.y1)]
    }
}

/// One word: a maximal run of non-space characters on one line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Word {
    pub text: String,
    pub bbox: BBox,
    /// How sure the reader is of the text: 1.0 for a PDF text layer, the OCR
    /// engine's word confidence for scans.
    pub confidence: f32,
}

/// One page of words, in reading order (top to bottom, left to right within a line).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page {
    /// 1-based page number.
    pub number: u32,
    pub width: f32,
    pub height: f32,
    pub words: Vec<Word>,
}

/// A whole document as words on pages; what readers produce and extractors consume.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Document {
    pub pages: Vec<Page>,
}

impl Document {
    pub fn word_count(&self) -> usize {
        self.pages.iter().map(|p| p.words.len()).sum()
    }
}

/// Words in reading order cut into lines, as ranges of word indices: a new
/// line starts where a word's vertical middle leaves the line's band so far
/// (the union of its words' boxes), so a small label and a tall value stay
/// one line.
pub fn line_ranges(words: &[Word]) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut band = words.first().map_or((0.0, 0.0), |w| (w.bbox.y0, w.bbox.y1));
    for (i, word) in words.iter().enumerate().skip(1) {
        let b = &word.bbox;
        let middle = (b.y0 + b.y1) / 2.0;
        if middle < band.0 || middle > band.1 {
            out.push(start..i);
            start = i;
            band = (b.y0, b.y1);
        } else {
            band = (band.0.min(b.y0), band.1.max(b.y1));
        }
    }
    if start < words.len() {
        out.push(start..words.len());
    }
    out
}
