//! Synthetic scans: the generated invoices as a scanner or a phone camera
//! would deliver them.
//!
//! The pages are rasterised by the caller (pdfium lives in `invex-pipeline`,
//! which this crate must not depend on), then degraded here:
//!
//! - [`ops`]: rotation (small angles and quarter turns), gaussian blur,
//!   gaussian and salt-and-pepper noise, JPEG re-encoding, uneven lighting and
//!   a phone-photo perspective warp onto a background;
//! - [`marks`]: ink stamps ("BETALD", "INKOMMEN 2026-11-22", ...) drawn with the
//!   fonts the PDFs embed, and pen-blue handwriting-like scribbles;
//! - [`encode`]: image-only PDFs, multi-page TIFFs, PNG and JPEG files;
//! - [`dataset`]: turns a folder written by [`crate::generate`] into scans.
//!
//! Each invoice gets a [`ScanSpec`]: a [`Profile`] (the kind of scan) and the
//! concrete [`Degradation`]s with their parameters, all drawn from a ChaCha RNG
//! seeded from (seed, index), so the same seed gives the same bytes. The spec
//! is recorded per file in `scans.jsonl`, so accuracy can be reported by
//! degradation type. Degradations change pixels, never content: the ground
//! truth stays exact.

pub mod dataset;
pub mod encode;
pub mod marks;
pub mod ops;

#[cfg(test)]
mod tests;

use image::RgbImage;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use crate::error::Error;

/// The `image` crate the pages are built with, for callers that decode scans.
pub use image;

pub use dataset::{ScanOptions, ScanSummary, scan_dataset};
pub use encode::{ScanFormat, decode_tiff_pages};

/// The kind of scan an invoice becomes; `--degradations` names these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Profile {
    /// Rasterised only: a perfect flatbed scan.
    Clean,
    /// Fed slightly crooked: rotated by 0.5–4°, either way.
    Rotate,
    /// Scanned sideways or upside down: 90°, 180° or 270°.
    Rotate90,
    /// An old scanner: gaussian blur plus gaussian or salt-and-pepper noise.
    BlurNoise,
    /// Heavy JPEG compression (quality 25–60).
    Jpeg,
    /// Uneven lighting: a brightness gradient and a vignette.
    Lighting,
    /// A phone photo: perspective warp onto a background, lighting, a soft
    /// shadow, slight blur and noise, phone-grade JPEG.
    Photo,
    /// Ink stamps and pen scribbles over the text.
    Stamp,
}

impl Profile {
    pub const ALL: [Profile; 8] = [
        Profile::Clean,
        Profile::Rotate,
        Profile::Rotate90,
        Profile::BlurNoise,
        Profile::Jpeg,
        Profile::Lighting,
        Profile::Photo,
        Profile::Stamp,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Profile::Clean => "clean",
            Profile::Rotate => "rotate",
            Profile::Rotate90 => "rotate90",
            Profile::BlurNoise => "blur_noise",
            Profile::Jpeg => "jpeg",
            Profile::Lighting => "lighting",
            Profile::Photo => "photo",
            Profile::Stamp => "stamp",
        }
    }

    /// Parses a name; `-` and `_` are interchangeable, case is ignored.
    pub fn parse(name: &str) -> Result<Profile, Error> {
        let n = name.trim().to_ascii_lowercase().replace('-', "_");
        Profile::ALL.into_iter().find(|p| p.name() == n).ok_or_else(|| {
            Error::Scan(format!(
                "unknown degradation {name:?}; known: {}",
                Profile::ALL.map(Profile::name).join(", ")
            ))
        })
    }

    /// Parses a list of names (`--degradations a,b,c`); empty means all.
    pub fn parse_list<S: AsRef<str>>(names: &[S]) -> Result<Vec<Profile>, Error> {
        let mut out = Vec::new();
        for n in names {
            let p = Profile::parse(n.as_ref())?;
            if !out.contains(&p) {
                out.push(p);
            }
        }
        if out.is_empty() {
            out = Profile::ALL.to_vec();
        }
        Ok(out)
    }
}

/// The shape of a stamp's border.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StampShape {
    /// A double-lined rectangle.
    Box,
    /// A double ring.
    Round,
}

/// One degradation with its parameters. Positions and sizes are fractions of
/// the page (0..1) or points (1/72 in), so a spec means the same at any dpi.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Degradation {
    /// Rotation about the centre by `degrees` (counter-clockwise positive);
    /// the canvas grows so no corner is cut, filled with white.
    Rotate { degrees: f32 },
    /// Exact clockwise quarter turns (1 = 90°, 2 = 180°, 3 = 270°).
    QuarterTurns { turns: u8 },
    /// Gaussian blur, `sigma` in pixels at 300 dpi (scaled with the dpi).
    Blur { sigma: f32 },
    /// Gaussian luminance noise with standard deviation `sigma` (0..255 scale).
    GaussianNoise { sigma: f32 },
    /// A fraction `density` of pixels set to black or white.
    SaltPepper { density: f32 },
    /// Encode as JPEG at `quality` and decode again.
    Jpeg { quality: u8 },
    /// Brightness falls linearly from 1 to `low` along `angle_deg`, times a
    /// vignette that darkens the corners by up to `vignette`.
    Lighting { angle_deg: f32, low: f32, vignette: f32 },
    /// A photo of the page: its corners land at `corners` (fractions of the
    /// canvas, clockwise from top-left) on a `background`, with a soft shadow
    /// of strength `shadow` along `shadow_angle_deg`. The canvas keeps its size.
    Perspective { corners: [[f32; 2]; 4], background: [u8; 3], shadow: f32, shadow_angle_deg: f32 },
    /// An ink stamp centred at (`x`, `y`) (fractions of the page), rotated by
    /// `angle_deg`, `lines` in `text_pt`-point bold type, drawn in `color`
    /// with `opacity` (multiplied, as ink).
    Stamp {
        lines: Vec<String>,
        shape: StampShape,
        x: f32,
        y: f32,
        angle_deg: f32,
        text_pt: f32,
        color: [u8; 3],
        opacity: f32,
    },
    /// `strokes` random bezier pen strokes inside the box (`x`, `y`, `w`,
    /// `h`, fractions of the page), `width_pt` wide, in `color`. The curves
    /// come from the invoice's RNG.
    Scribble { strokes: u32, x: f32, y: f32, w: f32, h: f32, width_pt: f32, color: [u8; 3] },
}

impl Degradation {
    /// The degradation's kind, as `scans.jsonl` names it.
    pub fn kind(&self) -> &'static str {
        match self {
            Degradation::Rotate { .. } => "rotate",
            Degradation::QuarterTurns { .. } => "quarter_turns",
            Degradation::Blur { .. } => "blur",
            Degradation::GaussianNoise { .. } => "gaussian_noise",
            Degradation::SaltPepper { .. } => "salt_pepper",
            Degradation::Jpeg { .. } => "jpeg",
            Degradation::Lighting { .. } => "lighting",
            Degradation::Perspective { .. } => "perspective",
            Degradation::Stamp { .. } => "stamp",
            Degradation::Scribble { .. } => "scribble",
        }
    }

    /// Whether it draws marks that belong on the first page only.
    fn first_page_only(&self) -> bool {
        matches!(self, Degradation::Stamp { .. } | Degradation::Scribble { .. })
    }
}

/// What happens to one invoice's pages, in order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScanSpec {
    pub profile: Profile,
    pub degradations: Vec<Degradation>,
}

/// The RNG of invoice `index`'s scan: independent of the RNG that drew the
/// invoice, so the scan does not change the content.
pub fn scan_rng(seed: u64, index: usize) -> ChaCha8Rng {
    let mut s = [0u8; 32];
    s[..8].copy_from_slice(&seed.to_le_bytes());
    s[8..16].copy_from_slice(&(index as u64).to_le_bytes());
    s[24..].copy_from_slice(b"invex-sc");
    ChaCha8Rng::from_seed(s)
}

fn round2(v: f32) -> f32 {
    (v * 100.0).round() / 100.0
}

fn range(rng: &mut ChaCha8Rng, lo: f32, hi: f32) -> f32 {
    round2(rng.random_range(lo..hi))
}

/// A small rotation, 0.5–4° either way.
fn small_angle(rng: &mut ChaCha8Rng) -> f32 {
    let a = range(rng, 0.5, 4.0);
    if rng.random_bool(0.5) { a } else { -a }
}

fn lighting(rng: &mut ChaCha8Rng, strong: bool) -> Degradation {
    let low = if strong { range(rng, 0.6, 0.8) } else { range(rng, 0.75, 0.9) };
    Degradation::Lighting {
        angle_deg: range(rng, 0.0, 360.0),
        low,
        vignette: range(rng, 0.05, if strong { 0.3 } else { 0.15 }),
    }
}

const STAMP_WORDS: [&str; 6] = ["BETALD", "INKOMMEN", "ATTESTERAD", "MOTTAGEN", "BOKFÖRD", "KOPIA"];
const INKS: [[u8; 3]; 4] = [[200, 30, 40], [30, 60, 170], [120, 40, 140], [20, 120, 60]];
const PEN: [[u8; 3]; 3] = [[25, 45, 160], [15, 30, 110], [40, 70, 190]];

fn stamp(rng: &mut ChaCha8Rng) -> Degradation {
    let word = STAMP_WORDS[rng.random_range(0..STAMP_WORDS.len())];
    let mut lines = vec![word.to_string()];
    if word != "KOPIA" && rng.random_bool(0.75) {
        let month = rng.random_range(1..=12u32);
        let day = rng.random_range(1..=28u32);
        lines.push(format!("2026-{month:02}-{day:02}"));
    }
    Degradation::Stamp {
        lines,
        shape: if rng.random_bool(0.7) { StampShape::Box } else { StampShape::Round },
        x: range(rng, 0.2, 0.8),
        y: range(rng, 0.12, 0.85),
        angle_deg: range(rng, -20.0, 20.0),
        text_pt: range(rng, 11.0, 18.0),
        color: INKS[rng.random_range(0..INKS.len())],
        opacity: range(rng, 0.55, 0.85),
    }
}

fn scribble(rng: &mut ChaCha8Rng) -> Degradation {
    let w = range(rng, 0.15, 0.4);
    let h = range(rng, 0.03, 0.1);
    Degradation::Scribble {
        strokes: rng.random_range(1..=4),
        x: range(rng, 0.05, 0.95 - w),
        y: range(rng, 0.1, 0.92 - h),
        w,
        h,
        width_pt: range(rng, 0.5, 1.2),
        color: PEN[rng.random_range(0..PEN.len())],
    }
}

fn perspective(rng: &mut ChaCha8Rng) -> Degradation {
    let margin = range(rng, 0.03, 0.09);
    let jitter = 0.05;
    let mut c = [
        [margin, margin],
        [1.0 - margin, margin],
        [1.0 - margin, 1.0 - margin],
        [margin, 1.0 - margin],
    ];
    for p in &mut c {
        p[0] = round2((p[0] + rng.random_range(-jitter..jitter)).clamp(0.0, 1.0));
        p[1] = round2((p[1] + rng.random_range(-jitter..jitter)).clamp(0.0, 1.0));
    }
    const BACKGROUNDS: [[u8; 3]; 4] = [[70, 55, 45], [120, 95, 70], [45, 48, 52], [150, 150, 145]];
    Degradation::Perspective {
        corners: c,
        background: BACKGROUNDS[rng.random_range(0..BACKGROUNDS.len())],
        shadow: range(rng, 0.0, 0.3),
        shadow_angle_deg: range(rng, 0.0, 360.0),
    }
}

/// Draws the degradations of `profile`.
pub fn spec_for_profile(profile: Profile, rng: &mut ChaCha8Rng) -> ScanSpec {
    use Degradation as D;
    let degradations = match profile {
        Profile::Clean => vec![],
        Profile::Rotate => vec![D::Rotate { degrees: small_angle(rng) }],
        Profile::Rotate90 => vec![D::QuarterTurns { turns: rng.random_range(1..=3) }],
        Profile::BlurNoise => {
            let noise = if rng.random_bool(0.6) {
                D::GaussianNoise { sigma: range(rng, 6.0, 18.0) }
            } else {
                D::SaltPepper { density: round2(rng.random_range(0.1..0.6)) / 100.0 }
            };
            vec![D::Blur { sigma: range(rng, 0.8, 1.8) }, noise]
        }
        Profile::Jpeg => vec![D::Jpeg { quality: rng.random_range(25..=60) }],
        Profile::Lighting => vec![lighting(rng, true)],
        Profile::Photo => vec![
            lighting(rng, false),
            perspective(rng),
            D::Blur { sigma: range(rng, 0.5, 1.0) },
            D::GaussianNoise { sigma: range(rng, 2.0, 6.0) },
            D::Jpeg { quality: rng.random_range(70..=90) },
        ],
        Profile::Stamp => {
            let mut v = vec![stamp(rng)];
            if rng.random_bool(0.3) {
                v.push(stamp(rng));
            }
            v.push(scribble(rng));
            if rng.random_bool(0.4) {
                v.push(scribble(rng));
            }
            v
        }
    };
    ScanSpec { profile, degradations }
}

/// Picks a profile from `allowed` (all when empty) and draws its parameters.
pub fn pick_spec(rng: &mut ChaCha8Rng, allowed: &[Profile]) -> ScanSpec {
    let allowed = if allowed.is_empty() { &Profile::ALL[..] } else { allowed };
    let profile = allowed[rng.random_range(0..allowed.len())];
    spec_for_profile(profile, rng)
}

/// Applies `spec` to one page. `first_page` decides whether stamps and
/// scribbles are drawn; `rng` drives pixel noise and the scribbles' curves.
pub fn degrade_page(
    image: &RgbImage,
    spec: &ScanSpec,
    first_page: bool,
    rng: &mut ChaCha8Rng,
) -> Result<RgbImage, Error> {
    // Parameters are in 300-dpi pixels or points; scale from the page width,
    // taking an A4/Letter page (595–612 pt wide) as the reference.
    let px_per_pt = image.width() as f32 / 595.0;
    let mut img = image.clone();
    for d in &spec.degradations {
        if d.first_page_only() && !first_page {
            continue;
        }
        img = match d {
            Degradation::Rotate { degrees } => ops::rotate(&img, *degrees, [255, 255, 255]),
            Degradation::QuarterTurns { turns } => ops::quarter_turns(&img, *turns),
            Degradation::Blur { sigma } => ops::blur(&img, sigma * px_per_pt * 72.0 / 300.0),
            Degradation::GaussianNoise { sigma } => ops::gaussian_noise(&img, *sigma, rng),
            Degradation::SaltPepper { density } => ops::salt_pepper(&img, *density, rng),
            Degradation::Jpeg { quality } => ops::jpeg(&img, *quality)?,
            Degradation::Lighting { angle_deg, low, vignette } => {
                ops::lighting(&img, *angle_deg, *low, *vignette)
            }
            Degradation::Perspective { corners, background, shadow, shadow_angle_deg } => {
                ops::perspective(&img, corners, *background, *shadow, *shadow_angle_deg)
            }
            Degradation::Stamp { .. } => {
                marks::stamp(&mut img, d, px_per_pt)?;
                img
            }
            Degradation::Scribble { .. } => {
                marks::scribble(&mut img, d, px_per_pt, rng);
                img
            }
        };
    }
    Ok(img)
}

/// Applies `spec` to a single (first) page.
pub fn degrade(image: &RgbImage, spec: &ScanSpec, rng: &mut ChaCha8Rng) -> Result<RgbImage, Error> {
    degrade_page(image, spec, true, rng)
}

/// Applies `spec` to every page of an invoice, in order.
pub fn degrade_pages(
    pages: &[RgbImage],
    spec: &ScanSpec,
    rng: &mut ChaCha8Rng,
) -> Result<Vec<RgbImage>, Error> {
    pages.iter().enumerate().map(|(i, p)| degrade_page(p, spec, i == 0, rng)).collect()
}
