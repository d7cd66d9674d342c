//! Page orientation and deskew by projection profiles, plus the rotations
//! that apply them.
//!
//! Orientation: text lines make a sharp row profile; a sharper column
//! profile means the page lies on its side ([`lines_are_vertical`]), so it is
//! turned 90°. Upright versus upside down is settled by OCR confidence (see
//! `OcrReader::ocr_page`): Tesseract's OSD was as accurate on our pages but
//! cost more than a second per page, more than recognising it.
//!
//! Deskew: on a binarised copy about 1000 px tall, the dark pixels are
//! projected onto rows sheared by each candidate angle; text lines make the
//! sharpest profile (largest sum of squared row counts) at the page's skew.
//! A coarse pass over ±`MAX_SKEW` in 0.25° steps, then a fine one in 0.05°.

use image::{GrayImage, Luma};

/// The largest skew looked for, degrees.
pub const MAX_SKEW: f32 = 6.0;

/// The page's skew in degrees, clockwise positive (text lines fall to the
/// right); rotate by its negative to straighten. 0 for pages with no ink.
pub fn estimate_skew(image: &GrayImage) -> f32 {
    let (ink, w, h) = ink(image);
    if ink.len() < 50 {
        return 0.0;
    }
    best_profile(&ink, w, h).0
}

/// Whether the text lines run top to bottom (a page turned 90° or 270°): the
/// ink's best column profile is sharper than its best row profile. Sharpness
/// is bins × Σ count² / (Σ count)², 1 for an even spread.
pub fn lines_are_vertical(image: &GrayImage) -> bool {
    let (ink, w, h) = ink(image);
    if ink.len() < 50 {
        return false;
    }
    let sharpness = |(_, score, bins): (f32, f64, usize)| {
        bins as f64 * score / (ink.len() as f64 * ink.len() as f64)
    };
    let rows = sharpness(best_profile(&ink, w, h));
    let transposed: Vec<(f32, f32)> = ink.iter().map(|&(x, y)| (y, x)).collect();
    let columns = sharpness(best_profile(&transposed, h, w));
    columns > rows
}

/// The dark pixels of a binarised copy about 1000 px on its longer side,
/// with that copy's width and height.
fn ink(image: &GrayImage) -> (Vec<(f32, f32)>, f32, f32) {
    let factor = (image.height().max(image.width()) / 1000).max(1);
    let small = shrink(image, factor);
    let threshold = otsu_threshold(&small);
    let ink = small
        .enumerate_pixels()
        .filter(|(_, _, p)| p[0] < threshold)
        .map(|(x, y, _)| (x as f32, y as f32))
        .collect();
    (ink, small.width() as f32, small.height() as f32)
}

/// The skew whose row profile is sharpest: (degrees, Σ count², bins).
fn best_profile(ink: &[(f32, f32)], w: f32, h: f32) -> (f32, f64, usize) {
    let score = |degrees: f32| -> (f64, usize) {
        let t = degrees.to_radians().tan();
        let offset = w * t.abs();
        let mut bins = vec![0u32; (h + 2.0 * offset) as usize + 2];
        for &(x, y) in ink {
            let r = (y - x * t + offset) as usize;
            if let Some(b) = bins.get_mut(r) {
                *b += 1;
            }
        }
        (bins.iter().map(|&b| f64::from(b) * f64::from(b)).sum(), h as usize + 1)
    };
    let best = |from: f32, to: f32, step: f32| -> (f32, f64, usize) {
        let n = ((to - from) / step).round() as i32;
        (0..=n)
            .map(|i| from + i as f32 * step)
            .map(|a| {
                let (s, bins) = score(a);
                (a, s, bins)
            })
            .fold((0.0, f64::MIN, 1), |acc, c| if c.1 > acc.1 { c } else { acc })
    };
    let coarse = best(-MAX_SKEW, MAX_SKEW, 0.25).0;
    let (fine, s, bins) = best(coarse - 0.25, coarse + 0.25, 0.05);
    ((fine * 100.0).round() / 100.0, s, bins)
}

/// Every `factor`-th pixel's block minimum (keeps thin strokes dark).
fn shrink(image: &GrayImage, factor: u32) -> GrayImage {
    if factor == 1 {
        return image.clone();
    }
    let (w, h) = (image.width() / factor, image.height() / factor);
    GrayImage::from_fn(w.max(1), h.max(1), |x, y| {
        let mut m = 255u8;
        for dy in 0..factor {
            for dx in 0..factor {
                let (sx, sy) = (x * factor + dx, y * factor + dy);
                if sx < image.width() && sy < image.height() {
                    m = m.min(image.get_pixel(sx, sy)[0]);
                }
            }
        }
        Luma([m])
    })
}

/// Otsu's threshold: the gray level that best splits the histogram in two.
pub fn otsu_threshold(image: &GrayImage) -> u8 {
    let mut hist = [0u64; 256];
    for p in image.pixels() {
        hist[p[0] as usize] += 1;
    }
    let total: u64 = hist.iter().sum();
    let sum_all: f64 = hist.iter().enumerate().map(|(i, &c)| i as f64 * c as f64).sum();
    let (mut weight_b, mut sum_b, mut best, mut threshold) = (0u64, 0f64, 0f64, 128u8);
    for (t, &count) in hist.iter().enumerate() {
        weight_b += count;
        if weight_b == 0 {
            continue;
        }
        let weight_f = total - weight_b;
        if weight_f == 0 {
            break;
        }
        sum_b += t as f64 * count as f64;
        let mean_b = sum_b / weight_b as f64;
        let mean_f = (sum_all - sum_b) / weight_f as f64;
        let between = weight_b as f64 * weight_f as f64 * (mean_b - mean_f).powi(2);
        if between > best {
            best = between;
            threshold = t as u8 + 1;
        }
    }
    threshold
}

/// Rotates about the centre by `degrees` clockwise, keeping the canvas size
/// (corners that come in are white); bilinear.
pub fn rotate(image: &GrayImage, degrees: f32) -> GrayImage {
    let (w, h) = image.dimensions();
    let (sin, cos) = degrees.to_radians().sin_cos();
    let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
    let src = image.as_raw();
    let at = |x: i64, y: i64| -> f32 {
        if x < 0 || y < 0 || x >= i64::from(w) || y >= i64::from(h) {
            255.0
        } else {
            f32::from(src[y as usize * w as usize + x as usize])
        }
    };
    let mut out = GrayImage::new(w, h);
    for (x, y, p) in out.enumerate_pixels_mut() {
        let (dx, dy) = (x as f32 + 0.5 - cx, y as f32 + 0.5 - cy);
        // The inverse of a clockwise turn, in image coordinates (y down).
        let sx = dx * cos + dy * sin + cx - 0.5;
        let sy = -dx * sin + dy * cos + cy - 0.5;
        let (x0, y0) = (sx.floor(), sy.floor());
        let (fx, fy) = (sx - x0, sy - y0);
        let (x0, y0) = (x0 as i64, y0 as i64);
        let top = at(x0, y0) * (1.0 - fx) + at(x0 + 1, y0) * fx;
        let bottom = at(x0, y0 + 1) * (1.0 - fx) + at(x0 + 1, y0 + 1) * fx;
        p[0] = (top * (1.0 - fy) + bottom * fy).round() as u8;
    }
    out
}

/// Turns by a multiple of 90° clockwise.
pub fn turn(image: &GrayImage, clockwise: u32) -> GrayImage {
    match clockwise % 360 {
        90 => image::imageops::rotate90(image),
        180 => image::imageops::rotate180(image),
        270 => image::imageops::rotate270(image),
        _ => image.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A page of "text lines": dashes of ink 12 px high every 40 px, with gaps.
    fn lines_page(w: u32, h: u32) -> GrayImage {
        GrayImage::from_fn(w, h, |x, y| {
            let in_line = y > 100 && y < h - 100 && y % 40 < 12;
            let in_word = x > 80 && x < w - 80 && (x / 7) % 9 != 0 && (x / 150) % 4 != 3;
            Luma([if in_line && in_word { 20 } else { 250 }])
        })
    }

    fn check(skew: f32, expected: f32) {
        let page = rotate(&lines_page(1240, 1754), skew);
        let got = estimate_skew(&page);
        assert!(
            (got - expected).abs() <= 0.15,
            "skewed {skew}°: estimated {got}°, expected {expected}°"
        );
    }

    #[test]
    fn skew_angles_are_estimated() {
        for (skew, expected) in
            [(0.0, 0.0), (3.0, 3.0), (-3.0, -3.0), (1.2, 1.2), (-5.0, -5.0), (0.5, 0.5)]
        {
            check(skew, expected);
        }
    }

    #[test]
    fn vertical_lines_are_told_from_horizontal() {
        let page = lines_page(1240, 1754);
        for (turned, expected) in [(0, false), (90, true), (180, false), (270, true)] {
            for skew in [0.0, 2.5] {
                let img = turn(&rotate(&page, skew), turned);
                assert_eq!(lines_are_vertical(&img), expected, "turned {turned}°, skew {skew}°");
            }
        }
    }

    #[test]
    fn a_blank_page_has_no_skew() {
        assert_eq!(estimate_skew(&GrayImage::from_pixel(500, 700, Luma([255]))), 0.0);
    }

    #[test]
    fn otsu_splits_ink_from_paper() {
        let img = GrayImage::from_fn(100, 100, |x, _| Luma([if x < 20 { 30 } else { 220 }]));
        let t = otsu_threshold(&img);
        assert!(t > 30 && t <= 220, "{t}");
    }

    #[test]
    fn turns_compose() {
        let img = GrayImage::from_fn(3, 2, |x, y| Luma([(x + 3 * y) as u8]));
        assert_eq!(turn(&turn(&img, 90), 270), img);
        assert_eq!(turn(&img, 90).dimensions(), (2, 3));
        assert_eq!(turn(&turn(&img, 180), 180), img);
    }
}
