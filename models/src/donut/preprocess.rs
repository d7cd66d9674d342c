//! An image to Donut's `pixel_values`, step by step as transformers'
//! `DonutImageProcessor` does: align the long axis (optional), resize the
//! shortest edge to `min(height, width)`, shrink into `(height, width)`
//! keeping the aspect ratio (the thumbnail step, bicubic), pad to that size
//! centred with black, rescale to 0..1, normalise with the mean and
//! standard deviation, and lay out as CHW float32.
//!
//! Resizing is Pillow's, reimplemented in [`super::resample`], so the
//! pixel values equal transformers' bit for bit. One shortcut is not
//! copied: Pillow's `reducing_gap` in the thumbnail step, which only acts
//! when that step shrinks an image 4× or more (an extremely elongated page);
//! there the values differ slightly.

use image::imageops;
use image::{Rgb, RgbImage};

use super::config::PreprocessorConfig;
use super::resample::{Filter, resize};

/// transformers' `IMAGENET_STANDARD_MEAN` and `_STD`.
const STANDARD_MEAN: [f32; 3] = [0.5; 3];
const STANDARD_STD: [f32; 3] = [0.5; 3];

/// A preprocessed image: `[3, height, width]`, row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct PixelValues {
    pub height: usize,
    pub width: usize,
    pub data: Vec<f32>,
}

impl PixelValues {
    /// `[1, 3, height, width]`: the encoder's input shape.
    pub fn shape(&self) -> [usize; 4] {
        [1, 3, self.height, self.width]
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ImageProcessor {
    pub height: u32,
    pub width: u32,
    pub do_resize: bool,
    pub resample: Filter,
    pub do_thumbnail: bool,
    pub do_align_long_axis: bool,
    pub do_pad: bool,
    pub rescale_factor: Option<f32>,
    /// Mean and standard deviation, when normalising.
    pub normalize: Option<([f32; 3], [f32; 3])>,
}

impl ImageProcessor {
    /// The processor of `config`; `default_size` `(height, width)` when it
    /// names no size (DonutImageProcessor's own default is 2560 × 1920).
    pub fn new(config: &PreprocessorConfig, default_size: (u32, u32)) -> ImageProcessor {
        let (height, width) = config.size.map_or(default_size, |s| s.height_width());
        ImageProcessor {
            height,
            width,
            do_resize: config.do_resize,
            resample: Filter::from_pil(config.resample),
            do_thumbnail: config.do_thumbnail,
            do_align_long_axis: config.do_align_long_axis,
            do_pad: config.do_pad,
            rescale_factor: config.do_rescale.then_some(config.rescale_factor),
            normalize: config.do_normalize.then(|| {
                (
                    config.image_mean.unwrap_or(STANDARD_MEAN),
                    config.image_std.unwrap_or(STANDARD_STD),
                )
            }),
        }
    }

    pub fn preprocess(&self, image: &RgbImage) -> PixelValues {
        let image = self.fit(image);
        self.to_pixel_values(&image)
    }

    /// The geometric steps: rotation, resizing, thumbnail and padding.
    pub fn fit(&self, image: &RgbImage) -> RgbImage {
        let mut image = if self.do_align_long_axis && self.needs_rotation(image) {
            // numpy's rot90(image, 3): a quarter turn clockwise.
            imageops::rotate90(image)
        } else {
            image.clone()
        };
        if self.do_resize {
            let (w, h) = resized_size(image.dimensions(), self.height.min(self.width));
            if (w, h) != image.dimensions() {
                image = resize(&image, w, h, self.resample);
            }
        }
        if self.do_thumbnail
            && let Some((w, h)) = thumbnail_size(image.dimensions(), (self.height, self.width))
        {
            image = resize(&image, w, h, Filter::Bicubic);
        }
        if self.do_pad {
            image = pad(&image, self.width, self.height);
        }
        image
    }

    fn needs_rotation(&self, image: &RgbImage) -> bool {
        let (w, h) = image.dimensions();
        (self.width < self.height && w > h) || (self.width > self.height && w < h)
    }

    fn to_pixel_values(&self, image: &RgbImage) -> PixelValues {
        let (width, height) = (image.width() as usize, image.height() as usize);
        let mut data = vec![0f32; 3 * height * width];
        let plane = height * width;
        for (x, y, Rgb(rgb)) in image.enumerate_pixels() {
            let at = y as usize * width + x as usize;
            for c in 0..3 {
                let mut v = f32::from(rgb[c]);
                if let Some(factor) = self.rescale_factor {
                    v *= factor;
                }
                if let Some((mean, std)) = self.normalize {
                    v = (v - mean[c]) / std[c];
                }
                data[c * plane + at] = v;
            }
        }
        PixelValues { height, width, data }
    }
}

/// `(width, height)` with the shortest edge `shortest` and the aspect ratio
/// kept, the longest edge rounded down (transformers'
/// `get_resize_output_image_size(default_to_square=False)`).
pub fn resized_size((w, h): (u32, u32), shortest: u32) -> (u32, u32) {
    let scale = |long: u32, short: u32| {
        (u64::from(shortest) * u64::from(long) / u64::from(short.max(1))) as u32
    };
    if w <= h { (shortest, scale(h, w).max(1)) } else { (scale(w, h).max(1), shortest) }
}

/// The thumbnail step: `(width, height)` to shrink to so that the image
/// fits in `(height, width)`, or `None` when it fits already.
pub fn thumbnail_size((w, h): (u32, u32), (max_h, max_w): (u32, u32)) -> Option<(u32, u32)> {
    let (mut height, mut width) = (h.min(max_h), w.min(max_w));
    if (height, width) == (h, w) {
        return None;
    }
    if h > w {
        width = (u64::from(w) * u64::from(height) / u64::from(h)) as u32;
    } else if w > h {
        height = (u64::from(h) * u64::from(width) / u64::from(w)) as u32;
    }
    Some((width.max(1), height.max(1)))
}

/// Pads to `width × height` with black, the image centred (the extra pixel
/// of an odd difference goes right and bottom). An image larger than the
/// target is cropped to it, top-left.
pub fn pad(image: &RgbImage, width: u32, height: u32) -> RgbImage {
    if image.dimensions() == (width, height) {
        return image.clone();
    }
    let left = width.saturating_sub(image.width()) / 2;
    let top = height.saturating_sub(image.height()) / 2;
    let mut out = RgbImage::new(width, height);
    imageops::replace(&mut out, image, i64::from(left), i64::from(top));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn processor(height: u32, width: u32) -> ImageProcessor {
        let config: PreprocessorConfig = serde_json::from_value(serde_json::json!({
            "size": {"height": height, "width": width}
        }))
        .unwrap();
        ImageProcessor::new(&config, (2560, 1920))
    }

    #[test]
    fn resized_sizes() {
        let check = |size: (u32, u32), shortest: u32, expected: (u32, u32)| {
            assert_eq!(resized_size(size, shortest), expected, "{size:?} to {shortest}");
        };
        check((96, 96), 48, (48, 48));
        check((48, 64), 48, (48, 64));
        check((120, 160), 48, (48, 64));
        check((200, 100), 48, (96, 48));
        check((100, 301), 48, (48, 144));
        check((1654, 2339), 1920, (1920, 2715));
    }

    #[test]
    fn thumbnail_sizes() {
        let check = |size: (u32, u32), expected: Option<(u32, u32)>| {
            assert_eq!(thumbnail_size(size, (64, 48)), expected, "{size:?}");
        };
        check((48, 64), None);
        check((48, 48), None);
        check((96, 48), Some((48, 24)));
        check((48, 144), Some((21, 64)));
        // As transformers: the width is not clamped again (resizing first
        // makes this case impossible).
        check((60, 70), Some((54, 64)));
    }

    #[test]
    fn every_image_comes_out_in_the_model_size() {
        let p = processor(64, 48);
        for (w, h) in [(48, 64), (96, 96), (200, 100), (100, 301), (7, 5), (1, 1), (2480, 3508)] {
            let values = p.preprocess(&RgbImage::new(w, h));
            assert_eq!(values.shape(), [1, 3, 64, 48], "{w}x{h}");
            assert_eq!(values.data.len(), 3 * 64 * 48);
        }
    }

    #[test]
    fn padding_is_centred_and_black() {
        let p = processor(64, 48);
        let white = RgbImage::from_pixel(96, 96, Rgb([255, 255, 255]));
        let values = p.preprocess(&white);
        // 96 × 96 → 48 × 48, padded 8 rows above and below.
        let at = |c: usize, y: usize, x: usize| values.data[c * 64 * 48 + y * 48 + x];
        assert_eq!(at(0, 7, 10), -1.0);
        assert_eq!(at(1, 8, 10), 1.0);
        assert_eq!(at(2, 55, 47), 1.0);
        assert_eq!(at(2, 56, 0), -1.0);
    }

    #[test]
    fn values_are_rescaled_and_normalised_per_channel() {
        let config: PreprocessorConfig = serde_json::from_value(serde_json::json!({
            "size": {"height": 2, "width": 2},
            "image_mean": [0.485, 0.456, 0.406],
            "image_std": [0.229, 0.224, 0.225]
        }))
        .unwrap();
        let p = ImageProcessor::new(&config, (2560, 1920));
        let image = RgbImage::from_pixel(2, 2, Rgb([255, 0, 51]));
        let values = p.preprocess(&image);
        let expected = [(1.0 - 0.485) / 0.229, (0.0 - 0.456) / 0.224, (0.2 - 0.406) / 0.225];
        for (c, e) in expected.into_iter().enumerate() {
            assert!((values.data[c * 4] - e).abs() < 1e-5, "channel {c}");
        }
    }

    #[test]
    fn the_long_axis_is_aligned_when_asked() {
        let mut p = processor(64, 48);
        p.do_align_long_axis = true;
        let mut wide = RgbImage::new(64, 48);
        wide.put_pixel(0, 0, Rgb([255, 0, 0]));
        let fitted = p.fit(&wide);
        assert_eq!(fitted.dimensions(), (48, 64));
        // Clockwise: the top-left corner goes to the top-right.
        assert_eq!(fitted.get_pixel(47, 0), &Rgb([255, 0, 0]));
    }
}
