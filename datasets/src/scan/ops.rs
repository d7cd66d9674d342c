//! Pixel operations over [`RgbImage`]: geometry, blur, noise, JPEG, lighting
//! and the phone-photo warp. Rows are processed in parallel with rayon; the
//! results do not depend on scheduling.

use image::{ImageFormat, RgbImage};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use crate::error::Error;

/// Bilinear sample at (`x`, `y`) (pixel centres at integers); neighbours off
/// the image read as `fill`.
#[inline]
fn sample(src: &[u8], w: usize, h: usize, x: f32, y: f32, fill: [f32; 3]) -> [f32; 3] {
    let x0 = x.floor();
    let y0 = y.floor();
    let fx = x - x0;
    let fy = y - y0;
    let (x0, y0) = (x0 as isize, y0 as isize);
    let px = |xi: isize, yi: isize| -> [f32; 3] {
        if xi < 0 || yi < 0 || xi >= w as isize || yi >= h as isize {
            return fill;
        }
        let i = (yi as usize * w + xi as usize) * 3;
        [f32::from(src[i]), f32::from(src[i + 1]), f32::from(src[i + 2])]
    };
    let (a, b, c, d) = (px(x0, y0), px(x0 + 1, y0), px(x0, y0 + 1), px(x0 + 1, y0 + 1));
    let mut out = [0.0; 3];
    for k in 0..3 {
        let top = a[k] + (b[k] - a[k]) * fx;
        let bottom = c[k] + (d[k] - c[k]) * fx;
        out[k] = top + (bottom - top) * fy;
    }
    out
}

#[inline]
fn to_u8(v: f32) -> u8 {
    v.round().clamp(0.0, 255.0) as u8
}

fn rgb(v: [u8; 3]) -> [f32; 3] {
    [f32::from(v[0]), f32::from(v[1]), f32::from(v[2])]
}

/// Fills a `w`×`h` image row by row (in parallel) from `f(x, y, row)`.
fn build(w: u32, h: u32, f: impl Fn(usize, &mut [u8]) + Sync) -> RgbImage {
    let mut buf = vec![0u8; w as usize * h as usize * 3];
    if w > 0 {
        buf.par_chunks_mut(w as usize * 3).enumerate().for_each(|(y, row)| f(y, row));
    }
    RgbImage::from_raw(w, h, buf).unwrap_or_else(|| RgbImage::new(w, h))
}

/// Rotates about the centre by `degrees` (counter-clockwise as seen), growing
/// the canvas to hold the whole page; the uncovered corners are `fill`.
pub fn rotate(img: &RgbImage, degrees: f32, fill: [u8; 3]) -> RgbImage {
    let (w, h) = (img.width() as f32, img.height() as f32);
    let (s, c) = degrees.to_radians().sin_cos();
    let nw = (w * c.abs() + h * s.abs() - 1e-3).ceil().max(1.0) as u32;
    let nh = (w * s.abs() + h * c.abs() - 1e-3).ceil().max(1.0) as u32;
    let (sw, sh) = (img.width() as usize, img.height() as usize);
    let src = img.as_raw();
    let fillf = rgb(fill);
    let (ncx, ncy) = (nw as f32 / 2.0, nh as f32 / 2.0);
    build(nw, nh, |y, row| {
        let dy = y as f32 + 0.5 - ncy;
        for x in 0..nw as usize {
            let dx = x as f32 + 0.5 - ncx;
            // Inverse of the on-screen counter-clockwise rotation (y down).
            let sx = c * dx - s * dy + w / 2.0 - 0.5;
            let sy = s * dx + c * dy + h / 2.0 - 0.5;
            let p = sample(src, sw, sh, sx, sy, fillf);
            row[x * 3] = to_u8(p[0]);
            row[x * 3 + 1] = to_u8(p[1]);
            row[x * 3 + 2] = to_u8(p[2]);
        }
    })
}

/// Exact clockwise quarter turns: 1 = 90°, 2 = 180°, 3 = 270°.
pub fn quarter_turns(img: &RgbImage, turns: u8) -> RgbImage {
    match turns % 4 {
        1 => image::imageops::rotate90(img),
        2 => image::imageops::rotate180(img),
        3 => image::imageops::rotate270(img),
        _ => img.clone(),
    }
}

fn kernel(sigma: f32) -> Vec<f32> {
    let r = (sigma * 3.0).ceil().max(1.0) as i32;
    let mut k: Vec<f32> =
        (-r..=r).map(|i| (-(i * i) as f32 / (2.0 * sigma * sigma)).exp()).collect();
    let sum: f32 = k.iter().sum();
    k.iter_mut().for_each(|v| *v /= sum);
    k
}

/// Separable gaussian blur with standard deviation `sigma` pixels (edges
/// clamped). A `sigma` below 0.1 returns the image unchanged.
pub fn blur(img: &RgbImage, sigma: f32) -> RgbImage {
    if sigma < 0.1 {
        return img.clone();
    }
    let k = kernel(sigma);
    let r = (k.len() / 2) as isize;
    let (w, h) = (img.width() as usize, img.height() as usize);
    let src = img.as_raw();
    let horizontal = build(w as u32, h as u32, |y, row| {
        let line = &src[y * w * 3..(y + 1) * w * 3];
        // The row as f32 with its edge pixels repeated `r` times either side.
        let mut pad = Vec::with_capacity((w + 2 * r as usize) * 3);
        for i in 0..w as isize + 2 * r {
            let xi = (i - r).clamp(0, w as isize - 1) as usize;
            pad.extend(line[xi * 3..xi * 3 + 3].iter().map(|&v| f32::from(v)));
        }
        for (x, out) in row.chunks_exact_mut(3).enumerate() {
            let mut acc = [0.0f32; 3];
            for (px, kv) in pad[x * 3..(x + k.len()) * 3].chunks_exact(3).zip(&k) {
                acc[0] += kv * px[0];
                acc[1] += kv * px[1];
                acc[2] += kv * px[2];
            }
            out[0] = to_u8(acc[0]);
            out[1] = to_u8(acc[1]);
            out[2] = to_u8(acc[2]);
        }
    });
    let hsrc = horizontal.as_raw();
    build(w as u32, h as u32, |y, row| {
        let mut acc = vec![0.0f32; w * 3];
        for (j, kv) in k.iter().enumerate() {
            let yi = (y as isize + j as isize - r).clamp(0, h as isize - 1) as usize;
            let line = &hsrc[yi * w * 3..(yi + 1) * w * 3];
            for (a, &v) in acc.iter_mut().zip(line) {
                *a += kv * f32::from(v);
            }
        }
        for (o, a) in row.iter_mut().zip(&acc) {
            *o = to_u8(*a);
        }
    })
}

/// One standard normal pair (Box–Muller).
fn normal_pair(rng: &mut ChaCha8Rng) -> (f32, f32) {
    let u1: f32 = rng.random_range(f32::EPSILON..1.0);
    let u2: f32 = rng.random::<f32>();
    let m = (-2.0 * u1.ln()).sqrt();
    let (s, c) = (std::f32::consts::TAU * u2).sin_cos();
    (m * c, m * s)
}

/// Adds gaussian luminance noise (the same offset to R, G and B) with
/// standard deviation `sigma` on the 0..255 scale. Rows draw from their own
/// RNGs, seeded from `rng`, so they run in parallel and stay deterministic.
pub fn gaussian_noise(img: &RgbImage, sigma: f32, rng: &mut ChaCha8Rng) -> RgbImage {
    let seed: u64 = rng.random();
    let (w, src) = (img.width() as usize, img.as_raw());
    build(img.width(), img.height(), |y, row| {
        let mut s = [0u8; 32];
        s[..8].copy_from_slice(&seed.to_le_bytes());
        s[8..16].copy_from_slice(&(y as u64).to_le_bytes());
        let mut r = ChaCha8Rng::from_seed(s);
        let line = &src[y * w * 3..(y + 1) * w * 3];
        let mut spare: Option<f32> = None;
        for (out, px) in row.chunks_exact_mut(3).zip(line.chunks_exact(3)) {
            let n = match spare.take() {
                Some(v) => v,
                None => {
                    let (a, b) = normal_pair(&mut r);
                    spare = Some(b);
                    a
                }
            } * sigma;
            for (o, &c) in out.iter_mut().zip(px) {
                *o = to_u8(f32::from(c) + n);
            }
        }
    })
}

/// Sets a fraction `density` of the pixels to black or white (half each).
pub fn salt_pepper(img: &RgbImage, density: f32, rng: &mut ChaCha8Rng) -> RgbImage {
    let mut out = img.clone();
    let n = out.as_raw().len() / 3;
    if n == 0 {
        return out;
    }
    let count = (density.clamp(0.0, 1.0) * n as f32).round() as usize;
    let buf: &mut [u8] = out.as_mut();
    for _ in 0..count {
        let i = rng.random_range(0..n) * 3;
        let v = if rng.random_bool(0.5) { 0 } else { 255 };
        buf[i..i + 3].fill(v);
    }
    out
}

/// Encodes as JPEG at `quality` (1–100) and decodes again.
pub fn jpeg(img: &RgbImage, quality: u8) -> Result<RgbImage, Error> {
    let bytes = encode_jpeg(img, quality, None)?;
    let decoded = image::load_from_memory_with_format(&bytes, ImageFormat::Jpeg)
        .map_err(|e| Error::Scan(format!("decoding a JPEG: {e}")))?;
    Ok(decoded.to_rgb8())
}

/// JPEG bytes of `img` at `quality`, with a dpi in the JFIF header if given
/// (the scalar `jpeg-encoder`: twice as fast as `image`'s, and the same bytes
/// on every machine).
pub fn encode_jpeg(img: &RgbImage, quality: u8, dpi: Option<u16>) -> Result<Vec<u8>, Error> {
    let mut bytes = Vec::new();
    let mut enc = jpeg_encoder::Encoder::new(&mut bytes, quality.clamp(1, 100));
    if let Some(d) = dpi {
        enc.set_density(jpeg_encoder::Density::Inch { x: d, y: d });
    }
    let (w, h) = img.dimensions();
    let too_big = || Error::Scan(format!("a {w}x{h} page is too large for JPEG"));
    let (w16, h16) =
        (u16::try_from(w).map_err(|_| too_big())?, u16::try_from(h).map_err(|_| too_big())?);
    enc.encode(img.as_raw(), w16, h16, jpeg_encoder::ColorType::Rgb)
        .map_err(|e| Error::Scan(format!("encoding a JPEG: {e}")))?;
    Ok(bytes)
}

/// Position of (`x`, `y`) along the direction `angle_deg`, 0 at the first
/// corner the direction meets and 1 at the opposite one.
fn along(x: f32, y: f32, w: f32, h: f32, dir: (f32, f32)) -> f32 {
    let (px, py) = (x / w - 0.5, y / h - 0.5);
    let reach = 0.5 * (dir.0.abs() + dir.1.abs());
    ((px * dir.0 + py * dir.1) / reach.max(1e-6) + 1.0) / 2.0
}

/// Uneven lighting: brightness falls linearly from 1 to `low` along
/// `angle_deg` and a vignette darkens the corners by up to `vignette`.
pub fn lighting(img: &RgbImage, angle_deg: f32, low: f32, vignette: f32) -> RgbImage {
    let (w, h) = (img.width(), img.height());
    let (s, c) = angle_deg.to_radians().sin_cos();
    let src = img.as_raw();
    build(w, h, |y, row| {
        let line = &src[y * w as usize * 3..(y + 1) * w as usize * 3];
        let yf = y as f32 + 0.5;
        for x in 0..w as usize {
            let xf = x as f32 + 0.5;
            let t = along(xf, yf, w as f32, h as f32, (c, s));
            let (dx, dy) = (xf / w as f32 - 0.5, yf / h as f32 - 0.5);
            let corner = (dx * dx + dy * dy) / 0.5;
            let f = (1.0 - (1.0 - low) * t) * (1.0 - vignette * corner);
            for k in 0..3 {
                row[x * 3 + k] = to_u8(f32::from(line[x * 3 + k]) * f);
            }
        }
    })
}

/// The homography mapping each `from` point onto the matching `to` point.
pub fn homography(from: &[[f64; 2]; 4], to: &[[f64; 2]; 4]) -> Option<[f64; 9]> {
    let mut a = [[0.0f64; 9]; 8];
    for i in 0..4 {
        let ([x, y], [u, v]) = (from[i], to[i]);
        a[2 * i] = [x, y, 1.0, 0.0, 0.0, 0.0, -u * x, -u * y, u];
        a[2 * i + 1] = [0.0, 0.0, 0.0, x, y, 1.0, -v * x, -v * y, v];
    }
    for col in 0..8 {
        let pivot = (col..8).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[pivot][col].abs() < 1e-12 {
            return None;
        }
        a.swap(col, pivot);
        let pivot_row = a[col];
        for (i, row) in a.iter_mut().enumerate() {
            if i != col {
                let f = row[col] / pivot_row[col];
                for (v, p) in row.iter_mut().zip(pivot_row).skip(col) {
                    *v -= f * p;
                }
            }
        }
    }
    let mut h = [0.0; 9];
    for i in 0..8 {
        h[i] = a[i][8] / a[i][i];
    }
    h[8] = 1.0;
    Some(h)
}

/// A cheap deterministic hash of a pixel position, for paper/table texture.
#[inline]
pub(crate) fn hash(x: u32, y: u32) -> u32 {
    let mut v = x.wrapping_mul(0x9E37_79B1) ^ y.wrapping_mul(0x85EB_CA77);
    v ^= v >> 15;
    v = v.wrapping_mul(0x2C1B_3C6D);
    v ^= v >> 12;
    v
}

/// A phone photo: the page's corners land at `corners` (fractions of the
/// canvas, clockwise from top-left) on a textured `background`; a soft shadow
/// of strength `shadow` darkens one side along `shadow_angle_deg`. The canvas
/// keeps the input's size.
pub fn perspective(
    img: &RgbImage,
    corners: &[[f32; 2]; 4],
    background: [u8; 3],
    shadow: f32,
    shadow_angle_deg: f32,
) -> RgbImage {
    let (w, h) = (img.width(), img.height());
    let (wf, hf) = (f64::from(w), f64::from(h));
    let dst = corners.map(|[x, y]| [f64::from(x) * wf, f64::from(y) * hf]);
    let src_corners = [[0.0, 0.0], [wf, 0.0], [wf, hf], [0.0, hf]];
    let Some(m) = homography(&dst, &src_corners) else { return img.clone() };
    let src = img.as_raw();
    let (sw, sh) = (w as usize, h as usize);
    let bg = rgb(background);
    let (s, c) = shadow_angle_deg.to_radians().sin_cos();
    build(w, h, |y, row| {
        let yf = y as f64 + 0.5;
        for x in 0..w as usize {
            let xf = x as f64 + 0.5;
            let d = m[6] * xf + m[7] * yf + m[8];
            let u = ((m[0] * xf + m[1] * yf + m[2]) / d) as f32;
            let v = ((m[3] * xf + m[4] * yf + m[5]) / d) as f32;
            let texture = (hash(x as u32, y as u32) % 17) as f32 - 8.0;
            let back = [bg[0] + texture, bg[1] + texture, bg[2] + texture];
            let p = if u >= -1.0 && v >= -1.0 && u <= w as f32 && v <= h as f32 {
                sample(src, sw, sh, u - 0.5, v - 0.5, back)
            } else {
                back
            };
            let t = along(xf as f32, yf as f32, w as f32, h as f32, (c, s));
            let smooth = ((t - 0.45) / 0.5).clamp(0.0, 1.0);
            let f = 1.0 - shadow * smooth * smooth * (3.0 - 2.0 * smooth);
            for k in 0..3 {
                row[x * 3 + k] = to_u8(p[k] * f);
            }
        }
    })
}
