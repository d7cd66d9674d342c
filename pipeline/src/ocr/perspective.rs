//! Phone photos: the page as a bright quadrilateral on a darker background
//! is found and warped back to a rectangle the size of the image.
//!
//! On a copy about 500 px on its longer side, the paper is the largest
//! connected region brighter than Otsu's threshold; its corners are the
//! extreme points of x + y and x − y. Only when most of the image border is
//! background (a photo of a page lying on a table) is the page warped, so a
//! scan whose paper fills the image, or a page with a dark band at one edge,
//! is left alone.

use image::{GrayImage, Luma};

use super::orient::otsu_threshold;

/// A point in pixels of the full image.
pub type Point = (f32, f32);

/// The page's corners (top-left, top-right, bottom-right, bottom-left) when
/// the image is a photo of a page on a background; `None` otherwise.
pub fn find_page(image: &GrayImage) -> Option<[Point; 4]> {
    let (w, h) = image.dimensions();
    let factor = (w.max(h) / 500).max(1);
    let small = image::imageops::resize(
        image,
        (w / factor).max(1),
        (h / factor).max(1),
        image::imageops::FilterType::Triangle,
    );
    let (sw, sh) = small.dimensions();
    let t = otsu_threshold(&small);
    let paper = |x: u32, y: u32| small.get_pixel(x, y)[0] >= t;
    // Most of the border must be background.
    let border: Vec<(u32, u32)> = (0..sw)
        .flat_map(|x| [(x, 0), (x, sh - 1)])
        .chain((0..sh).flat_map(|y| [(0, y), (sw - 1, y)]))
        .collect();
    let background = border.iter().filter(|&&(x, y)| !paper(x, y)).count();
    if background * 10 < border.len() * 6 {
        return None;
    }
    // The largest bright component.
    let mut label = vec![0u32; (sw * sh) as usize];
    let (mut best, mut best_size, mut next) = (0u32, 0usize, 1u32);
    for start in 0..sw * sh {
        let (x0, y0) = (start % sw, start / sw);
        if label[start as usize] != 0 || !paper(x0, y0) {
            continue;
        }
        let mut stack = vec![(x0, y0)];
        label[start as usize] = next;
        let mut size = 0;
        while let Some((x, y)) = stack.pop() {
            size += 1;
            let around = [(x.wrapping_sub(1), y), (x + 1, y), (x, y.wrapping_sub(1)), (x, y + 1)];
            for (nx, ny) in around {
                if nx < sw && ny < sh && label[(ny * sw + nx) as usize] == 0 && paper(nx, ny) {
                    label[(ny * sw + nx) as usize] = next;
                    stack.push((nx, ny));
                }
            }
        }
        if size > best_size {
            (best, best_size) = (next, size);
        }
        next += 1;
    }
    if best_size * 10 < (sw * sh) as usize * 3 {
        return None;
    }
    let (mut tl, mut tr, mut br, mut bl) = ((0, 0), (0, 0), (0, 0), (0, 0));
    let (mut min_sum, mut max_sum, mut min_diff, mut max_diff) =
        (i64::MAX, i64::MIN, i64::MAX, i64::MIN);
    for (i, &l) in label.iter().enumerate() {
        if l != best {
            continue;
        }
        let (x, y) = ((i as u32 % sw) as i64, (i as u32 / sw) as i64);
        if x + y < min_sum {
            (min_sum, tl) = (x + y, (x, y));
        }
        if x + y > max_sum {
            (max_sum, br) = (x + y, (x, y));
        }
        if x - y > max_diff {
            (max_diff, tr) = (x - y, (x, y));
        }
        if x - y < min_diff {
            (min_diff, bl) = (x - y, (x, y));
        }
    }
    let corners = [tl, tr, br, bl].map(|(x, y)| (x as f32 + 0.5, y as f32 + 0.5));
    if !sharp_edges(&small, corners, t) {
        return None;
    }
    let (fx, fy) = (w as f32 / sw as f32, h as f32 / sh as f32);
    Some(corners.map(|(x, y)| (x * fx, y * fy)))
}

/// Whether the quadrilateral's sides look like a page's edge on a table (a
/// step from paper to background) rather than lighting that fades towards
/// the corners of a scan (a vignette), which also leaves a bright middle and
/// a dark border, but whose "edge" is a gentle slope through the text.
///
/// Per side, the step is the median of the brightness a few pixels inside
/// minus a few pixels outside; a side is sharp when its step is at least a
/// third of the difference between the mean paper and the mean background.
/// Sides along the image's border have no outside and are not measured. With
/// two or more sides measured, at least one must be sharp; with fewer, the
/// page is taken as found (too little to tell).
fn sharp_edges(small: &GrayImage, corners: [Point; 4], t: u8) -> bool {
    const REACH: f32 = 6.0;
    let (sw, sh) = small.dimensions();
    let (mut paper, mut np, mut ground, mut ng) = (0f64, 0f64, 0f64, 0f64);
    for p in small.pixels() {
        if p[0] >= t {
            (paper, np) = (paper + f64::from(p[0]), np + 1.0);
        } else {
            (ground, ng) = (ground + f64::from(p[0]), ng + 1.0);
        }
    }
    if np == 0.0 || ng == 0.0 {
        return true;
    }
    let contrast = (paper / np - ground / ng) as f32;
    let centre = (
        corners.iter().map(|c| c.0).sum::<f32>() / 4.0,
        corners.iter().map(|c| c.1).sum::<f32>() / 4.0,
    );
    let at = |x: f32, y: f32| -> Option<f32> {
        let (x, y) = (x.round(), y.round());
        (x >= 0.0 && y >= 0.0 && (x as u32) < sw && (y as u32) < sh)
            .then(|| f32::from(small.get_pixel(x as u32, y as u32)[0]))
    };
    let (mut measured, mut sharp) = (0, 0);
    for i in 0..4 {
        let (a, b) = (corners[i], corners[(i + 1) % 4]);
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let len = (dx * dx + dy * dy).sqrt();
        if len < 1.0 {
            continue;
        }
        // The side's normal, turned towards the middle of the page.
        let (mut nx, mut ny) = (-dy / len, dx / len);
        let mid = (a.0 + dx / 2.0, a.1 + dy / 2.0);
        if nx * (centre.0 - mid.0) + ny * (centre.1 - mid.1) < 0.0 {
            (nx, ny) = (-nx, -ny);
        }
        let mut steps: Vec<f32> = (1..20)
            .filter_map(|k| {
                let f = k as f32 / 20.0;
                let (x, y) = (a.0 + dx * f, a.1 + dy * f);
                let inside = at(x + nx * REACH, y + ny * REACH)?;
                let outside = at(x - nx * REACH, y - ny * REACH)?;
                Some(inside - outside)
            })
            .collect();
        if steps.len() < 5 {
            continue;
        }
        steps.sort_by(f32::total_cmp);
        measured += 1;
        if steps[steps.len() / 2] * 3.0 >= contrast {
            sharp += 1;
        }
    }
    measured < 2 || sharp > 0
}

/// Maps the quadrilateral `corners` (TL, TR, BR, BL) of `image` onto a
/// rectangle of the image's own size; bilinear, white outside.
pub fn warp(image: &GrayImage, corners: [Point; 4]) -> GrayImage {
    let (w, h) = image.dimensions();
    let rect = [(0.0, 0.0), (w as f32, 0.0), (w as f32, h as f32), (0.0, h as f32)];
    let Some(m) = homography(rect, corners) else { return image.clone() };
    let src = image.as_raw();
    let at = |x: i64, y: i64| -> f32 {
        if x < 0 || y < 0 || x >= i64::from(w) || y >= i64::from(h) {
            255.0
        } else {
            f32::from(src[y as usize * w as usize + x as usize])
        }
    };
    GrayImage::from_fn(w, h, |u, v| {
        let (u, v) = (u as f64 + 0.5, v as f64 + 0.5);
        let d = m[6] * u + m[7] * v + 1.0;
        let sx = ((m[0] * u + m[1] * v + m[2]) / d) as f32 - 0.5;
        let sy = ((m[3] * u + m[4] * v + m[5]) / d) as f32 - 0.5;
        let (x0, y0) = (sx.floor(), sy.floor());
        let (ax, ay) = (sx - x0, sy - y0);
        let (x0, y0) = (x0 as i64, y0 as i64);
        let top = at(x0, y0) * (1.0 - ax) + at(x0 + 1, y0) * ax;
        let bottom = at(x0, y0 + 1) * (1.0 - ax) + at(x0 + 1, y0 + 1) * ax;
        Luma([(top * (1.0 - ay) + bottom * ay).round().clamp(0.0, 255.0) as u8])
    })
}

/// The projective map taking `from[i]` to `to[i]`: [a b c d e f g h] with
/// x' = (a x + b y + c) / (g x + h y + 1), y' = (d x + e y + f) / (g x + h y + 1).
fn homography(from: [Point; 4], to: [Point; 4]) -> Option<[f64; 8]> {
    let mut a = [[0f64; 9]; 8];
    for i in 0..4 {
        let (x, y) = (f64::from(from[i].0), f64::from(from[i].1));
        let (u, v) = (f64::from(to[i].0), f64::from(to[i].1));
        a[2 * i] = [x, y, 1.0, 0.0, 0.0, 0.0, -u * x, -u * y, u];
        a[2 * i + 1] = [0.0, 0.0, 0.0, x, y, 1.0, -v * x, -v * y, v];
    }
    for col in 0..8 {
        let pivot = (col..8).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[pivot][col].abs() < 1e-9 {
            return None;
        }
        a.swap(col, pivot);
        let pivot_row = a[col];
        for (i, row) in a.iter_mut().enumerate() {
            if i != col {
                let f = row[col] / pivot_row[col];
                for (x, p) in row.iter_mut().zip(pivot_row).skip(col) {
                    *x -= f * p;
                }
            }
        }
    }
    let mut m = [0f64; 8];
    for i in 0..8 {
        m[i] = a[i][8] / a[i][i];
    }
    Some(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A white page with text-like bars inside the quad `q` on a dark table.
    fn photo(q: [Point; 4]) -> GrayImage {
        let (w, h) = (800, 1100);
        let rect = [(0.0, 0.0), (w as f32, 0.0), (w as f32, h as f32), (0.0, h as f32)];
        let to_page = homography(q, rect).expect("map");
        GrayImage::from_fn(w, h, |x, y| {
            let (x, y) = (x as f64, y as f64);
            let d = to_page[6] * x + to_page[7] * y + 1.0;
            let u = (to_page[0] * x + to_page[1] * y + to_page[2]) / d;
            let v = (to_page[3] * x + to_page[4] * y + to_page[5]) / d;
            if u < 0.0 || v < 0.0 || u >= w as f64 || v >= h as f64 {
                Luma([60])
            } else if (v as u32) % 50 < 10 && u > 80.0 && u < 720.0 {
                Luma([20])
            } else {
                Luma([235])
            }
        })
    }

    #[test]
    fn a_page_on_a_table_is_found_and_straightened() {
        let q = [(90.0, 40.0), (740.0, 80.0), (770.0, 1050.0), (40.0, 1000.0)];
        let img = photo(q);
        let found = find_page(&img).expect("a page");
        for (got, want) in found.iter().zip(q) {
            let err = ((got.0 - want.0).powi(2) + (got.1 - want.1).powi(2)).sqrt();
            assert!(err < 12.0, "corner {got:?} vs {want:?}");
        }
        let flat = warp(&img, found);
        // Paper fills the corners again, and the bars are level.
        for (x, y) in [(15, 15), (785, 15), (15, 1085), (785, 1085)] {
            assert!(flat.get_pixel(x, y)[0] > 200, "({x},{y}) is paper");
        }
        let row = |y: u32| (100..700).filter(|&x| flat.get_pixel(x, y)[0] < 100).count();
        assert!(row(5) > 500 && row(55) > 500, "bars run level: {} {}", row(5), row(55));
    }

    #[test]
    fn scans_and_dark_bands_are_left_alone() {
        let scan = GrayImage::from_fn(800, 1100, |_, y| Luma([if y % 50 < 10 { 20 } else { 240 }]));
        assert_eq!(find_page(&scan), None);
        let banded = GrayImage::from_fn(800, 1100, |_, y| Luma([if y < 150 { 30 } else { 240 }]));
        assert_eq!(find_page(&banded), None);
        // A scan whose lighting fades towards the corners: bright in the
        // middle, dark at the border, with text right out to the margins.
        let vignette = GrayImage::from_fn(800, 1100, |x, y| {
            let (dx, dy) = (x as f32 / 400.0 - 1.0, y as f32 / 550.0 - 1.0);
            let light = 235.0 - 120.0 * (dx * dx + dy * dy);
            let text = y % 40 < 8 && (60..740).contains(&x) && x % 12 < 8;
            Luma([if text { 25 } else { light.max(0.0) as u8 }])
        });
        assert_eq!(find_page(&vignette), None);
    }
}
