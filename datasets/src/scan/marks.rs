//! Marks made on the paper: ink stamps with text in the fonts the PDFs embed
//! (outlines from `ttf-parser`, filled by a small anti-aliased scanline
//! rasteriser) and pen-blue handwriting-like scribbles.

use image::RgbImage;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use crate::error::Error;
use crate::pdf::fonts::{FontId, font};
use crate::scan::{Degradation, StampShape};

/// A set of closed polygons in pixel coordinates (y down).
#[derive(Debug, Default, Clone)]
pub struct Shape {
    pub contours: Vec<Vec<(f32, f32)>>,
}

impl Shape {
    /// A rectangle, clockwise (`true`) or counter-clockwise.
    fn rect(&mut self, x0: f32, y0: f32, x1: f32, y1: f32, clockwise: bool) {
        let mut c = vec![(x0, y0), (x1, y0), (x1, y1), (x0, y1)];
        if !clockwise {
            c.reverse();
        }
        self.contours.push(c);
    }

    /// A circle as a 96-gon.
    fn circle(&mut self, cx: f32, cy: f32, r: f32, clockwise: bool) {
        let n = 96;
        let mut c: Vec<(f32, f32)> = (0..n)
            .map(|i| {
                let a = std::f32::consts::TAU * i as f32 / n as f32;
                (cx + r * a.cos(), cy + r * a.sin())
            })
            .collect();
        if !clockwise {
            c.reverse();
        }
        self.contours.push(c);
    }

    /// A rectangular ring `thickness` wide inside (x0, y0)–(x1, y1).
    fn rect_ring(&mut self, x0: f32, y0: f32, x1: f32, y1: f32, thickness: f32) {
        self.rect(x0, y0, x1, y1, true);
        self.rect(x0 + thickness, y0 + thickness, x1 - thickness, y1 - thickness, false);
    }

    fn ring(&mut self, cx: f32, cy: f32, r: f32, thickness: f32) {
        self.circle(cx, cy, r, true);
        self.circle(cx, cy, r - thickness, false);
    }
}

/// Collects a glyph outline into [`Shape`] contours, flattening curves.
struct Builder<'a> {
    shape: &'a mut Shape,
    current: Vec<(f32, f32)>,
    /// Font units to pixels, and the glyph origin in pixels.
    scale: f32,
    ox: f32,
    oy: f32,
}

impl Builder<'_> {
    fn map(&self, x: f32, y: f32) -> (f32, f32) {
        (self.ox + x * self.scale, self.oy - y * self.scale)
    }

    fn last(&self) -> (f32, f32) {
        self.current.last().copied().unwrap_or((self.ox, self.oy))
    }
}

impl ttf_parser::OutlineBuilder for Builder<'_> {
    fn move_to(&mut self, x: f32, y: f32) {
        if self.current.len() > 2 {
            self.shape.contours.push(std::mem::take(&mut self.current));
        }
        self.current.clear();
        let p = self.map(x, y);
        self.current.push(p);
    }

    fn line_to(&mut self, x: f32, y: f32) {
        let p = self.map(x, y);
        self.current.push(p);
    }

    fn quad_to(&mut self, x1: f32, y1: f32, x: f32, y: f32) {
        let p0 = self.last();
        let (c, p) = (self.map(x1, y1), self.map(x, y));
        for i in 1..=8 {
            let t = i as f32 / 8.0;
            let u = 1.0 - t;
            self.current.push((
                u * u * p0.0 + 2.0 * u * t * c.0 + t * t * p.0,
                u * u * p0.1 + 2.0 * u * t * c.1 + t * t * p.1,
            ));
        }
    }

    fn curve_to(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, x: f32, y: f32) {
        let p0 = self.last();
        let (c1, c2, p) = (self.map(x1, y1), self.map(x2, y2), self.map(x, y));
        self.current.extend((1..=12).map(|i| cubic(p0, c1, c2, p, i as f32 / 12.0)));
    }

    fn close(&mut self) {
        if self.current.len() > 2 {
            self.shape.contours.push(std::mem::take(&mut self.current));
        }
        self.current.clear();
    }
}

fn cubic(p0: (f32, f32), c1: (f32, f32), c2: (f32, f32), p: (f32, f32), t: f32) -> (f32, f32) {
    let u = 1.0 - t;
    let (a, b, c, d) = (u * u * u, 3.0 * u * u * t, 3.0 * u * t * t, t * t * t);
    (a * p0.0 + b * c1.0 + c * c2.0 + d * p.0, a * p0.1 + b * c1.1 + c * c2.1 + d * p.1)
}

/// The width of `text` in pixels at `size_px`.
pub fn text_width(id: FontId, text: &str, size_px: f32) -> Result<f32, Error> {
    Ok(font(id)?.width(text, size_px))
}

/// Adds the outlines of `text` with its baseline starting at (`x`, `y`).
pub fn add_text(
    shape: &mut Shape,
    id: FontId,
    text: &str,
    size_px: f32,
    x: f32,
    y: f32,
) -> Result<(), Error> {
    let f = font(id)?;
    let scale = size_px / f.units_per_em;
    let mut pen = x;
    for ch in text.chars() {
        let Some((gid, advance)) = f.glyph(ch) else {
            pen += size_px * 0.5;
            continue;
        };
        let mut b = Builder { shape: &mut *shape, current: Vec::new(), scale, ox: pen, oy: y };
        f.face.outline_glyph(ttf_parser::GlyphId(gid), &mut b);
        if b.current.len() > 2 {
            let rest = std::mem::take(&mut b.current);
            shape.contours.push(rest);
        }
        pen += advance * size_px / 1000.0;
    }
    Ok(())
}

/// Vertical samples per pixel row; horizontal coverage is exact.
const SUBROWS: usize = 4;

/// Fills `shape` (non-zero winding) into a `w`×`h` coverage mask (0..1).
pub fn fill(shape: &Shape, w: usize, h: usize) -> Vec<f32> {
    struct Edge {
        x0: f32,
        y0: f32,
        slope: f32,
        y1: f32,
        dir: i32,
    }
    let mut edges = Vec::new();
    for c in &shape.contours {
        for i in 0..c.len() {
            let (a, b) = (c[i], c[(i + 1) % c.len()]);
            if (a.1 - b.1).abs() < 1e-6 {
                continue;
            }
            let (top, bottom, dir) = if a.1 < b.1 { (a, b, 1) } else { (b, a, -1) };
            edges.push(Edge {
                x0: top.0,
                y0: top.1,
                slope: (bottom.0 - top.0) / (bottom.1 - top.1),
                y1: bottom.1,
                dir,
            });
        }
    }
    let mut cov = vec![0.0f32; w * h];
    let weight = 1.0 / SUBROWS as f32;
    let mut hits: Vec<(f32, i32)> = Vec::new();
    for sy in 0..h * SUBROWS {
        let yc = (sy as f32 + 0.5) / SUBROWS as f32;
        hits.clear();
        hits.extend(
            edges
                .iter()
                .filter(|e| e.y0 <= yc && yc < e.y1)
                .map(|e| (e.x0 + (yc - e.y0) * e.slope, e.dir)),
        );
        hits.sort_by(|a, b| a.0.total_cmp(&b.0));
        let row = &mut cov[(sy / SUBROWS) * w..(sy / SUBROWS + 1) * w];
        let mut winding = 0;
        for i in 0..hits.len() {
            let before = winding;
            winding += hits[i].1;
            if before == 0 && winding != 0 {
                // Span start; find where winding returns to zero.
                let start = hits[i].0;
                let mut wd = winding;
                let mut end = start;
                for hit in &hits[i + 1..] {
                    wd += hit.1;
                    if wd == 0 {
                        end = hit.0;
                        break;
                    }
                }
                add_span(row, start, end, weight);
            }
        }
    }
    cov.iter_mut().for_each(|v| *v = v.min(1.0));
    cov
}

/// Adds `weight` × the exact horizontal coverage of [`a`, `b`) to `row`.
fn add_span(row: &mut [f32], a: f32, b: f32, weight: f32) {
    let w = row.len() as f32;
    let (a, b) = (a.clamp(0.0, w), b.clamp(0.0, w));
    if b <= a {
        return;
    }
    let (ia, ib) = (a.floor() as usize, b.floor() as usize);
    if ia == ib {
        row[ia.min(row.len() - 1)] += (b - a) * weight;
        return;
    }
    row[ia] += (ia as f32 + 1.0 - a) * weight;
    let end = ib.min(row.len());
    for v in &mut row[ia + 1..end] {
        *v += weight;
    }
    if ib < row.len() {
        row[ib] += (b - ib as f32) * weight;
    }
}

/// Ink on paper: multiplies the page by `color` where the mask says, with a
/// slightly uneven ink texture. The `mw`×`mh` mask's centre lands at
/// (`cx`, `cy`), rotated by `angle_deg` counter-clockwise.
#[allow(clippy::too_many_arguments)]
fn ink(
    img: &mut RgbImage,
    mask: &[f32],
    mw: usize,
    mh: usize,
    cx: f32,
    cy: f32,
    angle_deg: f32,
    color: [u8; 3],
    opacity: f32,
    texture: bool,
) {
    let (s, c) = angle_deg.to_radians().sin_cos();
    let (hw, hh) = (mw as f32 / 2.0, mh as f32 / 2.0);
    let reach = (hw * hw + hh * hh).sqrt() + 2.0;
    let (w, h) = (img.width() as i64, img.height() as i64);
    let x0 = ((cx - reach).floor() as i64).clamp(0, w);
    let x1 = ((cx + reach).ceil() as i64).clamp(0, w);
    let y0 = ((cy - reach).floor() as i64).clamp(0, h);
    let y1 = ((cy + reach).ceil() as i64).clamp(0, h);
    let tint = color.map(|v| f32::from(v) / 255.0);
    let at = |x: isize, y: isize| -> f32 {
        if x < 0 || y < 0 || x >= mw as isize || y >= mh as isize {
            0.0
        } else {
            mask[y as usize * mw + x as usize]
        }
    };
    for y in y0..y1 {
        for x in x0..x1 {
            let (dx, dy) = (x as f32 + 0.5 - cx, y as f32 + 0.5 - cy);
            let lx = c * dx - s * dy + hw - 0.5;
            let ly = s * dx + c * dy + hh - 0.5;
            if lx < -1.0 || ly < -1.0 || lx > mw as f32 || ly > mh as f32 {
                continue;
            }
            let (fx, fy) = (lx - lx.floor(), ly - ly.floor());
            let (ix, iy) = (lx.floor() as isize, ly.floor() as isize);
            let top = at(ix, iy) + (at(ix + 1, iy) - at(ix, iy)) * fx;
            let bottom = at(ix, iy + 1) + (at(ix + 1, iy + 1) - at(ix, iy + 1)) * fx;
            let mut a = (top + (bottom - top) * fy) * opacity;
            if a <= 0.0 {
                continue;
            }
            if texture {
                let n = super::ops::hash(x as u32, y as u32 / 2) % 100;
                a *= 0.7 + 0.3 * n as f32 / 100.0;
            }
            let p = img.get_pixel_mut(x as u32, y as u32);
            for (c, t) in p.0.iter_mut().zip(tint) {
                *c = (f32::from(*c) * (1.0 - a + a * t)).round().clamp(0.0, 255.0) as u8;
            }
        }
    }
}

/// Draws a [`Degradation::Stamp`] onto the page; other variants are ignored.
pub fn stamp(img: &mut RgbImage, d: &Degradation, px_per_pt: f32) -> Result<(), Error> {
    let Degradation::Stamp { lines, shape, x, y, angle_deg, text_pt, color, opacity } = d else {
        return Ok(());
    };
    let id = FontId::SansBold;
    let size = text_pt * px_per_pt;
    let sizes: Vec<f32> =
        lines.iter().enumerate().map(|(i, _)| if i == 0 { size } else { size * 0.7 }).collect();
    let widths: Vec<f32> =
        lines.iter().zip(&sizes).map(|(l, s)| text_width(id, l, *s)).collect::<Result<_, _>>()?;
    let text_w = widths.iter().copied().fold(0.0, f32::max);
    let line_gap = 0.25 * size;
    let text_h: f32 = sizes.iter().sum::<f32>() + line_gap * (sizes.len() as f32 - 1.0);
    let stroke = (0.1 * size).max(1.5);
    let pad = 0.45 * size;
    let (mw, mh) = match shape {
        StampShape::Box => (text_w + 2.0 * pad + 4.0 * stroke, text_h + 2.0 * pad + 4.0 * stroke),
        StampShape::Round => {
            let d = (text_w + 2.0 * pad).max(text_h + 4.0 * pad) + 4.0 * stroke;
            (d, d)
        }
    };
    let (mw, mh) = (mw.ceil() as usize + 2, mh.ceil() as usize + 2);
    let (cxm, cym) = (mw as f32 / 2.0, mh as f32 / 2.0);
    let mut sh = Shape::default();
    match shape {
        StampShape::Box => {
            let (x0, y0, x1, y1) = (1.0, 1.0, mw as f32 - 1.0, mh as f32 - 1.0);
            sh.rect_ring(x0, y0, x1, y1, stroke);
            let g = stroke * 1.8;
            sh.rect_ring(x0 + g, y0 + g, x1 - g, y1 - g, stroke * 0.6);
        }
        StampShape::Round => {
            let r = cxm - 1.0;
            sh.ring(cxm, cym, r, stroke);
            sh.ring(cxm, cym, r - stroke * 1.8, stroke * 0.6);
        }
    }
    let f = font(id)?;
    let mut top = cym - text_h / 2.0;
    for ((line, s), lw) in lines.iter().zip(&sizes).zip(&widths) {
        // Cap height sits in the line box; the baseline is at its bottom.
        let baseline = top + s * f.cap_height.max(0.6) + (s * (1.0 - f.cap_height.max(0.6))) / 2.0;
        add_text(&mut sh, id, line, *s, cxm - lw / 2.0, baseline)?;
        top += s + line_gap;
    }
    let mask = fill(&sh, mw, mh);
    let (w, h) = (img.width() as f32, img.height() as f32);
    ink(img, &mask, mw, mh, x * w, y * h, *angle_deg, *color, *opacity, true);
    Ok(())
}

/// Draws a [`Degradation::Scribble`]: random cubic bezier strokes inside its
/// box, with a little pen-pressure variation; other variants are ignored.
pub fn scribble(img: &mut RgbImage, d: &Degradation, px_per_pt: f32, rng: &mut ChaCha8Rng) {
    let Degradation::Scribble { strokes, x, y, w, h, width_pt, color } = d else { return };
    let (iw, ih) = (img.width() as f32, img.height() as f32);
    let (bx, by, bw, bh) = (x * iw, y * ih, w * iw, h * ih);
    let radius = (width_pt * px_per_pt / 2.0).max(0.75);
    let margin = radius + 2.0;
    let (mw, mh) = ((bw + 2.0 * margin).ceil() as usize, (bh + 2.0 * margin).ceil() as usize);
    let mut mask = vec![0.0f32; mw * mh];
    let point = |rng: &mut ChaCha8Rng| -> (f32, f32) {
        (margin + rng.random_range(0.0..1.0) * bw, margin + rng.random_range(0.0..1.0) * bh)
    };
    for _ in 0..*strokes {
        let segments = rng.random_range(2..=4);
        let mut p0 = point(rng);
        let mut pts = vec![p0];
        for _ in 0..segments {
            let (c1, c2, p) = (point(rng), point(rng), point(rng));
            pts.extend((1..=32).map(|i| cubic(p0, c1, c2, p, i as f32 / 32.0)));
            p0 = p;
        }
        let n = pts.len() as f32;
        for (i, pair) in pts.windows(2).enumerate() {
            let pressure = 0.7 + 0.3 * (std::f32::consts::PI * i as f32 / n).sin();
            segment(&mut mask, mw, mh, pair[0], pair[1], radius * pressure);
        }
    }
    let (cx, cy) = (bx - margin + mw as f32 / 2.0, by - margin + mh as f32 / 2.0);
    ink(img, &mask, mw, mh, cx, cy, 0.0, *color, 0.9, false);
}

/// Paints a round-capped segment of radius `r` into the mask (max blend).
fn segment(mask: &mut [f32], w: usize, h: usize, a: (f32, f32), b: (f32, f32), r: f32) {
    let x0 = ((a.0.min(b.0) - r - 1.0).floor().max(0.0)) as usize;
    let x1 = ((a.0.max(b.0) + r + 1.0).ceil() as usize).min(w);
    let y0 = ((a.1.min(b.1) - r - 1.0).floor().max(0.0)) as usize;
    let y1 = ((a.1.max(b.1) + r + 1.0).ceil() as usize).min(h);
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len2 = (dx * dx + dy * dy).max(1e-6);
    for y in y0..y1 {
        for x in x0..x1 {
            let (px, py) = (x as f32 + 0.5, y as f32 + 0.5);
            let t = (((px - a.0) * dx + (py - a.1) * dy) / len2).clamp(0.0, 1.0);
            let (qx, qy) = (a.0 + t * dx - px, a.1 + t * dy - py);
            let cov = (r + 0.5 - (qx * qx + qy * qy).sqrt()).clamp(0.0, 1.0);
            let m = &mut mask[y * w + x];
            *m = m.max(cov);
        }
    }
}
