//! Pillow's `Image.resize` for 8-bit RGB, reimplemented so that Donut's
//! preprocessing gives transformers' pixel values bit for bit (transformers
//! resizes through PIL). As Pillow's `Resample.c`: a separable convolution
//! in two passes (which goes first: see [`resize`]), each output pixel's weights computed in
//! f64 over `support × max(scale, 1)` input pixels, normalised, turned into
//! 22-bit fixed point, and each pass rounded and clipped to 8 bits.
//! `NEAREST` samples the pixel under each output pixel's centre.

use image::{Rgb, RgbImage};

/// PIL's resampling filters, by their numbers in `preprocessor_config.json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filter {
    Nearest,
    Lanczos,
    Bilinear,
    Bicubic,
    Box,
    Hamming,
}

impl Filter {
    /// PIL's numbering (`Image.Resampling`); unknown numbers are bilinear.
    pub fn from_pil(resample: u32) -> Filter {
        match resample {
            0 => Filter::Nearest,
            1 => Filter::Lanczos,
            3 => Filter::Bicubic,
            4 => Filter::Box,
            5 => Filter::Hamming,
            _ => Filter::Bilinear,
        }
    }

    fn support(self) -> f64 {
        match self {
            Filter::Nearest | Filter::Box => 0.5,
            Filter::Bilinear | Filter::Hamming => 1.0,
            Filter::Bicubic => 2.0,
            Filter::Lanczos => 3.0,
        }
    }

    fn weight(self, x: f64) -> f64 {
        match self {
            Filter::Nearest | Filter::Box => {
                if x > -0.5 && x <= 0.5 {
                    1.0
                } else {
                    0.0
                }
            }
            Filter::Bilinear => {
                let x = x.abs();
                if x < 1.0 { 1.0 - x } else { 0.0 }
            }
            Filter::Hamming => {
                let x = x.abs();
                if x == 0.0 {
                    1.0
                } else if x >= 1.0 {
                    0.0
                } else {
                    let x = x * std::f64::consts::PI;
                    x.sin() / x * (0.54 + 0.46 * x.cos())
                }
            }
            Filter::Bicubic => {
                const A: f64 = -0.5;
                let x = x.abs();
                if x < 1.0 {
                    ((A + 2.0) * x - (A + 3.0)) * x * x + 1.0
                } else if x < 2.0 {
                    (((x - 5.0) * x + 8.0) * x - 4.0) * A
                } else {
                    0.0
                }
            }
            Filter::Lanczos => {
                if (-3.0..3.0).contains(&x) {
                    sinc(x) * sinc(x / 3.0)
                } else {
                    0.0
                }
            }
        }
    }
}

fn sinc(x: f64) -> f64 {
    if x == 0.0 {
        return 1.0;
    }
    let x = x * std::f64::consts::PI;
    x.sin() / x
}

const PRECISION_BITS: u32 = 32 - 8 - 2;

/// Per output pixel: the first input pixel, and the fixed-point weights.
struct Coefficients {
    first: Vec<usize>,
    weights: Vec<Vec<i32>>,
}

fn coefficients(in_size: u32, out_size: u32, filter: Filter) -> Coefficients {
    let scale = f64::from(in_size) / f64::from(out_size);
    let filter_scale = scale.max(1.0);
    let support = filter.support() * filter_scale;
    let mut first = Vec::with_capacity(out_size as usize);
    let mut weights = Vec::with_capacity(out_size as usize);
    for xx in 0..out_size {
        let center = (f64::from(xx) + 0.5) * scale;
        let ss = 1.0 / filter_scale;
        let xmin = ((center - support + 0.5) as i64).max(0);
        let xmax = ((center + support + 0.5) as i64).min(i64::from(in_size)) - xmin;
        let mut k: Vec<f64> = (0..xmax.max(0))
            .map(|x| filter.weight(((x + xmin) as f64 - center + 0.5) * ss))
            .collect();
        let total: f64 = k.iter().sum();
        if total != 0.0 {
            for w in &mut k {
                *w /= total;
            }
        }
        let one = f64::from(1u32 << PRECISION_BITS);
        let fixed = k
            .iter()
            .map(|&w| if w < 0.0 { (-0.5 + w * one) as i32 } else { (0.5 + w * one) as i32 })
            .collect();
        first.push(xmin as usize);
        weights.push(fixed);
    }
    Coefficients { first, weights }
}

fn clip8(v: i32) -> u8 {
    (v >> PRECISION_BITS).clamp(0, 255) as u8
}

/// `image` resized to `width × height` as Pillow's `Image.resize(size,
/// filter)` (no box, no reducing gap).
pub fn resize(image: &RgbImage, width: u32, height: u32, filter: Filter) -> RgbImage {
    let (w, h) = image.dimensions();
    if (w, h) == (width, height) || width == 0 || height == 0 || w == 0 || h == 0 {
        return if (w, h) == (width, height) {
            image.clone()
        } else {
            RgbImage::new(width, height)
        };
    }
    if filter == Filter::Nearest {
        return nearest(image, width, height);
    }
    // Pillow 13 runs the vertical pass first when the height shrinks by
    // more than twice as many pixels as the width (a rule measured against
    // Pillow 13.0.0 on 2,000 random sizes and all five filters, not read
    // from its source); the order changes the rounding between passes.
    let vertical_first =
        height < h && i64::from(h) - i64::from(height) > 2 * (i64::from(w) - i64::from(width));
    if vertical_first {
        horizontal(&vertical(image, height, filter), width, filter)
    } else {
        vertical(&horizontal(image, width, filter), height, filter)
    }
}

fn horizontal(image: &RgbImage, width: u32, filter: Filter) -> RgbImage {
    let (w, h) = image.dimensions();
    if width == w {
        return image.clone();
    }
    let c = coefficients(w, width, filter);
    RgbImage::from_fn(width, h, |x, y| {
        let (start, k) = (c.first[x as usize], &c.weights[x as usize]);
        convolve(k, |i| image.get_pixel((start + i) as u32, y))
    })
}

fn vertical(image: &RgbImage, height: u32, filter: Filter) -> RgbImage {
    let (w, h) = image.dimensions();
    if height == h {
        return image.clone();
    }
    let c = coefficients(h, height, filter);
    RgbImage::from_fn(w, height, |x, y| {
        let (start, k) = (c.first[y as usize], &c.weights[y as usize]);
        convolve(k, |i| image.get_pixel(x, (start + i) as u32))
    })
}

fn convolve<'a>(k: &[i32], pixel: impl Fn(usize) -> &'a Rgb<u8>) -> Rgb<u8> {
    let mut sums = [1i32 << (PRECISION_BITS - 1); 3];
    for (i, &weight) in k.iter().enumerate() {
        let Rgb(p) = pixel(i);
        for c in 0..3 {
            sums[c] += i32::from(p[c]) * weight;
        }
    }
    Rgb(sums.map(clip8))
}

/// The input pixel under each output pixel's centre.
fn nearest(image: &RgbImage, width: u32, height: u32) -> RgbImage {
    let (w, h) = image.dimensions();
    let pick = |out: u32, out_size: u32, in_size: u32| {
        let at = ((f64::from(out) + 0.5) * f64::from(in_size) / f64::from(out_size)) as u32;
        at.min(in_size - 1)
    };
    RgbImage::from_fn(width, height, |x, y| *image.get_pixel(pick(x, width, w), pick(y, height, h)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grey(values: &[u8]) -> RgbImage {
        RgbImage::from_fn(values.len() as u32, 1, |x, _| Rgb([values[x as usize]; 3]))
    }

    fn row(image: &RgbImage) -> Vec<u8> {
        (0..image.width()).map(|x| image.get_pixel(x, 0).0[0]).collect()
    }

    /// Expected values are Pillow 13's: `Image.new("L", ...)`, `putdata`,
    /// `resize((n, 1), filter)`.
    #[test]
    fn rows_resize_as_pillow() {
        let check = |input: &[u8], width: u32, filter: Filter, expected: &[u8]| {
            let out = resize(&grey(input), width, 1, filter);
            assert_eq!(row(&out), expected, "{input:?} to {width} with {filter:?}");
        };
        check(&[0, 255, 0, 255], 2, Filter::Bilinear, &[109, 146]);
        check(&[0, 100, 200, 250], 2, Filter::Bilinear, &[71, 207]);
        check(&[0, 255], 4, Filter::Bilinear, &[0, 64, 191, 255]);
        check(&[0, 255], 4, Filter::Bicubic, &[0, 53, 202, 255]);
        check(&[10, 20, 30, 40, 50, 60], 4, Filter::Box, &[15, 30, 45, 60]);
        check(&[0, 255, 0], 6, Filter::Nearest, &[0, 0, 255, 255, 0, 0]);
        let odd = [3, 200, 17, 90, 255, 0, 44];
        check(&odd, 5, Filter::Lanczos, &[78, 95, 107, 155, 5]);
        check(&odd, 3, Filter::Hamming, &[101, 112, 49]);
        check(&odd, 11, Filter::Bicubic, &[0, 94, 197, 59, 21, 90, 222, 208, 14, 12, 47]);
    }

    /// Red channels of Pillow 13's `resize` of a patterned image: the first
    /// and last cases run the vertical pass first, the middle one not.
    #[test]
    fn images_resize_as_pillow_in_its_pass_order() {
        let check =
            |(w, h, width, height): (u32, u32, u32, u32), filter: Filter, expected: &[u8]| {
                let image = RgbImage::from_fn(w, h, |x, y| {
                    Rgb([0, 1, 2].map(|c| ((x * 37 + y * 91 + c * 13) % 256) as u8))
                });
                let out = resize(&image, width, height, filter);
                let red: Vec<u8> = out.pixels().map(|p| p.0[0]).collect();
                assert_eq!(red, expected, "{w}x{h} to {width}x{height} with {filter:?}");
            };
        check(
            (9, 13, 7, 4),
            Filter::Bilinear,
            &[
                93, 107, 116, 144, 121, 113, 113, 120, 125, 123, 101, 124, 117, 140, 138, 143, 141,
                119, 125, 114, 107, 132, 109, 148, 143, 149, 131, 106,
            ],
        );
        check(
            (13, 9, 4, 7),
            Filter::Bicubic,
            &[
                69, 156, 81, 150, 142, 108, 132, 121, 79, 145, 109, 121, 144, 92, 136, 105, 116,
                120, 127, 114, 133, 118, 111, 150, 163, 114, 120, 95,
            ],
        );
        check(
            (6, 20, 5, 6),
            Filter::Lanczos,
            &[
                90, 108, 101, 152, 118, 124, 131, 115, 102, 113, 139, 147, 142, 129, 132, 143, 109,
                144, 128, 161, 139, 137, 133, 126, 123, 114, 143, 116, 153, 114,
            ],
        );
    }

    #[test]
    fn the_same_size_is_a_copy() {
        let image = grey(&[1, 2, 3]);
        assert_eq!(resize(&image, 3, 1, Filter::Lanczos), image);
    }
}
