//! Word boxes as the layout model sees them: integers in 0..=1000, relative to
//! the page, origin top-left. Training (`models/training`) reads boxes that
//! `invex dataset tokens` wrote with this same function, so the two never drift.

use invex_domain::{BBox, Page};

/// The largest coordinate LayoutLM-family models accept.
pub const BOX_SCALE: f32 = 1000.0;

/// Scales a word box on `page` to `[x0, y0, x1, y1]` in 0..=1000.
pub fn normalize_box(bbox: &BBox, page: &Page) -> [i64; 4] {
    let scale = |v: f32, extent: f32| -> i64 {
        if extent <= 0.0 || !v.is_finite() {
            return 0;
        }
        (v / extent * BOX_SCALE).round().clamp(0.0, BOX_SCALE) as i64
    };
    let x0 = scale(bbox.x0, page.width);
    let y0 = scale(bbox.y0, page.height);
    let x1 = scale(bbox.x1, page.width).max(x0);
    let y1 = scale(bbox.y1, page.height).max(y0);
    [x0, y0, x1, y1]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page() -> Page {
        Page { number: 1, width: 595.0, height: 842.0, words: Vec::new() }
    }

    #[test]
    fn boxes_scale_to_thousandths_and_clamp() {
        let check = |b: BBox, expected: [i64; 4]| assert_eq!(normalize_box(&b, &page()), expected);
        check(BBox::new(0.0, 0.0, 595.0, 842.0), [0, 0, 1000, 1000]);
        check(BBox::new(59.5, 84.2, 119.0, 168.4), [100, 100, 200, 200]);
        check(BBox::new(-5.0, -1.0, 700.0, 900.0), [0, 0, 1000, 1000]);
        // A struct literal: `BBox::new` would sort the NaN away.
        check(BBox { x0: f32::NAN, y0: 10.0, x1: 20.0, y1: 5.0 }, [0, 12, 34, 12]);
    }
}
