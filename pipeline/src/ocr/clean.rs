//! Image clean-up before OCR, kept only where measured to help (numbers in
//! the README's OCR section): flattening uneven lighting. Global
//! binarisation (Otsu) and a 3×3 median filter were measured too and did
//! not help Tesseract, which thresholds on its own; they are not applied.

use image::imageops::FilterType;
use image::{GrayImage, Luma};

/// Block size of the background estimate, pixels (about 2.7 mm at 300 dpi:
/// wider than a stroke, narrower than a shadow's change).
const BLOCK: u32 = 32;

/// The paper's brightness around each pixel: the brightest pixel of each
/// block (text is thin, so a block's maximum is paper), smoothed and scaled
/// back up.
fn background(image: &GrayImage) -> GrayImage {
    let (w, h) = image.dimensions();
    let (bw, bh) = (w.div_ceil(BLOCK), h.div_ceil(BLOCK));
    let mut small = GrayImage::new(bw, bh);
    for (bx, by, p) in small.enumerate_pixels_mut() {
        let mut m = 0u8;
        for y in by * BLOCK..((by + 1) * BLOCK).min(h) {
            for x in bx * BLOCK..((bx + 1) * BLOCK).min(w) {
                m = m.max(image.get_pixel(x, y)[0]);
            }
        }
        p[0] = m;
    }
    let small = image::imageops::blur(&small, 1.5);
    image::imageops::resize(&small, w, h, FilterType::Triangle)
}

/// How uneven the lighting is: the spread (max − min) of the paper
/// brightness, 0–255, over blocks that are not empty margins.
pub fn lighting_spread(image: &GrayImage) -> u8 {
    let bg = background(&image::imageops::resize(
        image,
        (image.width() / 4).max(1),
        (image.height() / 4).max(1),
        FilterType::Triangle,
    ));
    let (lo, hi) = bg.pixels().fold((255u8, 0u8), |(lo, hi), p| (lo.min(p[0]), hi.max(p[0])));
    hi.saturating_sub(lo)
}

/// Divides each pixel by the paper brightness around it, so a shadow or a
/// lamp's falloff becomes white paper again and text stays dark.
pub fn flatten_lighting(image: &GrayImage) -> GrayImage {
    let bg = background(image);
    GrayImage::from_fn(image.width(), image.height(), |x, y| {
        let p = f32::from(image.get_pixel(x, y)[0]);
        let b = f32::from(bg.get_pixel(x, y)[0]).max(1.0);
        Luma([(p * 255.0 / b).min(255.0).round() as u8])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shadow_is_flattened_and_text_stays_dark() {
        // Paper darkening from 250 (left) to 110 (right), with a dark bar of "text".
        let img = GrayImage::from_fn(600, 400, |x, y| {
            let paper = 250.0 - 140.0 * x as f32 / 600.0;
            let ink = (200..210).contains(&y) && x % 40 < 30;
            Luma([if ink { (paper * 0.15) as u8 } else { paper as u8 }])
        });
        assert!(lighting_spread(&img) > 60, "{}", lighting_spread(&img));
        let flat = flatten_lighting(&img);
        assert!(lighting_spread(&flat) < 30, "{}", lighting_spread(&flat));
        for x in [5, 300, 590] {
            assert!(
                flat.get_pixel(x, 100)[0] > 235,
                "paper at x={x}: {:?}",
                flat.get_pixel(x, 100)
            );
        }
        assert!(flat.get_pixel(565, 205)[0] < 80, "ink stays dark");
    }
}
