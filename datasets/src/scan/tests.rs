use image::{Rgb, RgbImage};

use super::encode::{ScanFormat, encode, image_pdf, tiff};
use super::marks::{Shape, fill};
use super::ops;
use super::*;

/// A small "page": white with black bars (text lines) and a grey block.
fn page(w: u32, h: u32) -> RgbImage {
    RgbImage::from_fn(w, h, |x, y| {
        if (y / 6) % 3 == 1 && x > w / 10 && x < w * 9 / 10 && (x / 5) % 4 != 0 {
            Rgb([0, 0, 0])
        } else if y > h * 3 / 4 && x < w / 3 {
            Rgb([128, 128, 128])
        } else {
            Rgb([255, 255, 255])
        }
    })
}

fn grey(w: u32, h: u32, v: u8) -> RgbImage {
    RgbImage::from_pixel(w, h, Rgb([v, v, v]))
}

fn stats(img: &RgbImage) -> (f64, f64) {
    let v: Vec<f64> = img.as_raw().iter().map(|&b| f64::from(b)).collect();
    let mean = v.iter().sum::<f64>() / v.len() as f64;
    let var = v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / v.len() as f64;
    (mean, var.sqrt())
}

fn rng(i: usize) -> ChaCha8Rng {
    scan_rng(42, i)
}

fn spec(profile: Profile, degradations: Vec<Degradation>) -> ScanSpec {
    ScanSpec { profile, degradations }
}

fn apply(img: &RgbImage, d: Degradation) -> RgbImage {
    degrade(img, &spec(Profile::Clean, vec![d]), &mut rng(0)).expect("degrades")
}

#[test]
fn geometry_of_each_degradation() {
    fn check(d: Degradation, input: (u32, u32), expected: (u32, u32)) {
        let out = apply(&page(input.0, input.1), d.clone());
        assert_eq!((out.width(), out.height()), expected, "{d:?}");
    }
    use Degradation as D;
    let corners = [[0.05, 0.04], [0.93, 0.07], [0.97, 0.95], [0.02, 0.9]];
    check(D::QuarterTurns { turns: 1 }, (200, 300), (300, 200));
    check(D::QuarterTurns { turns: 2 }, (200, 300), (200, 300));
    check(D::QuarterTurns { turns: 3 }, (200, 300), (300, 200));
    check(D::Rotate { degrees: 0.0 }, (200, 300), (200, 300));
    // 200·cos 4° + 300·sin 4° = 220.4; 200·sin 4° + 300·cos 4° = 313.2.
    check(D::Rotate { degrees: 4.0 }, (200, 300), (221, 314));
    check(D::Rotate { degrees: -4.0 }, (200, 300), (221, 314));
    check(D::Blur { sigma: 1.5 }, (200, 300), (200, 300));
    check(D::GaussianNoise { sigma: 10.0 }, (200, 300), (200, 300));
    check(D::SaltPepper { density: 0.01 }, (200, 300), (200, 300));
    check(D::Jpeg { quality: 30 }, (200, 300), (200, 300));
    check(D::Jpeg { quality: 30 }, (201, 299), (201, 299));
    check(D::Lighting { angle_deg: 30.0, low: 0.7, vignette: 0.2 }, (200, 300), (200, 300));
    let persp =
        D::Perspective { corners, background: [60, 50, 40], shadow: 0.2, shadow_angle_deg: 10.0 };
    check(persp, (200, 300), (200, 300));
}

#[test]
fn quarter_turns_move_pixels_exactly() {
    let mut img = RgbImage::from_pixel(4, 2, Rgb([255, 255, 255]));
    img.put_pixel(0, 0, Rgb([1, 2, 3]));
    fn check(img: &RgbImage, turns: u8, expected: (u32, u32)) {
        let out = ops::quarter_turns(img, turns);
        assert_eq!(out.get_pixel(expected.0, expected.1).0, [1, 2, 3], "{turns}");
    }
    check(&img, 1, (1, 0)); // top-left goes to top-right of a 2×4 image
    check(&img, 2, (3, 1));
    check(&img, 3, (0, 3));
    check(&img, 4, (0, 0));
}

#[test]
fn small_rotation_fills_corners_white_and_keeps_ink() {
    let img = page(300, 400);
    let out = ops::rotate(&img, 3.0, [255, 255, 255]);
    assert_eq!(out.get_pixel(0, 0).0, [255, 255, 255]);
    assert_eq!(out.get_pixel(out.width() - 1, out.height() - 1).0, [255, 255, 255]);
    let dark = |i: &RgbImage| i.pixels().filter(|p| p.0[0] < 128).count() as f64;
    let ratio = dark(&out) / dark(&img);
    assert!((0.9..1.1).contains(&ratio), "ink kept: {ratio}");
}

#[test]
fn noise_changes_pixel_statistics_within_bounds() {
    let img = grey(300, 300, 128);
    let (mean, sd) = stats(&apply(&img, Degradation::GaussianNoise { sigma: 10.0 }));
    assert!((126.0..130.0).contains(&mean), "mean {mean}");
    assert!((9.0..11.0).contains(&sd), "sd {sd}");

    let out = apply(&img, Degradation::SaltPepper { density: 0.01 });
    let changed = out.pixels().filter(|p| p.0 != [128, 128, 128]).count() as f64 / 90_000.0;
    assert!((0.008..0.0101).contains(&changed), "changed {changed}");
    assert!(out.pixels().all(|p| [[0; 3], [255; 3], [128; 3]].contains(&p.0)));
}

#[test]
fn blur_smooths_and_keeps_the_mean() {
    let img = page(200, 200);
    let (m0, s0) = stats(&img);
    let (m1, s1) = stats(&ops::blur(&img, 2.0));
    assert!(s1 < s0 * 0.9, "{s1} vs {s0}");
    assert!((m1 - m0).abs() < 2.0, "{m1} vs {m0}");
    assert_eq!(ops::blur(&img, 0.0), img);
}

#[test]
fn jpeg_is_lossy_but_close() {
    let img = page(200, 200);
    let out = apply(&img, Degradation::Jpeg { quality: 30 });
    assert_ne!(out, img);
    let diff: f64 = img
        .as_raw()
        .iter()
        .zip(out.as_raw())
        .map(|(&a, &b)| (f64::from(a) - f64::from(b)).abs())
        .sum::<f64>()
        / img.as_raw().len() as f64;
    assert!(diff > 0.5 && diff < 20.0, "mean abs diff {diff}");
}

#[test]
fn lighting_darkens_along_its_direction() {
    let img = grey(200, 100, 200);
    // angle 0: brightness falls from left to right.
    let out = apply(&img, Degradation::Lighting { angle_deg: 0.0, low: 0.6, vignette: 0.0 });
    let (left, right) = (out.get_pixel(0, 50).0[0], out.get_pixel(199, 50).0[0]);
    assert!(left >= 198 && (118..=124).contains(&right), "{left} {right}");
    assert!(out.pixels().all(|p| p.0[0] <= 200));
}

#[test]
fn perspective_puts_the_page_on_the_background() {
    let img = grey(200, 300, 250);
    let corners = [[0.1, 0.1], [0.9, 0.1], [0.9, 0.9], [0.1, 0.9]];
    let bg = [60, 50, 40];
    let d =
        Degradation::Perspective { corners, background: bg, shadow: 0.0, shadow_angle_deg: 0.0 };
    let out = apply(&img, d);
    let p = out.get_pixel(3, 3).0;
    assert!(p.iter().zip(bg).all(|(&a, b)| a.abs_diff(b) <= 8), "{p:?}");
    assert_eq!(out.get_pixel(100, 150).0, [250, 250, 250]);
    let h = ops::homography(
        &[[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]],
        &[[0.0, 0.0], [2.0, 0.0], [2.0, 3.0], [0.0, 3.0]],
    )
    .expect("solvable");
    let expected = [2.0, 0.0, 0.0, 0.0, 3.0, 0.0, 0.0, 0.0, 1.0];
    assert!(h.iter().zip(expected).all(|(a, b)| (a - b).abs() < 1e-9), "{h:?}");
}

#[test]
fn stamps_and_scribbles_add_coloured_ink() {
    let img = grey(595, 842, 255); // 1 px per point
    let stamp = Degradation::Stamp {
        lines: vec!["BETALD".into(), "2026-11-22".into()],
        shape: StampShape::Box,
        x: 0.5,
        y: 0.5,
        angle_deg: 10.0,
        text_pt: 18.0,
        color: [200, 30, 40],
        opacity: 0.8,
    };
    let out = apply(&img, stamp);
    let red = |i: &RgbImage| i.pixels().filter(|p| p.0[0] > 150 && p.0[1] < 150).count();
    assert!(red(&out) > 300, "red pixels {}", red(&out));
    assert_eq!(out.get_pixel(5, 5).0, [255, 255, 255], "far from the stamp");

    let round = Degradation::Stamp {
        lines: vec!["KOPIA".into()],
        shape: StampShape::Round,
        x: 0.3,
        y: 0.3,
        angle_deg: -5.0,
        text_pt: 14.0,
        color: [30, 60, 170],
        opacity: 0.8,
    };
    let blue =
        |i: &RgbImage| i.pixels().filter(|p| u16::from(p.0[2]) > u16::from(p.0[0]) + 40).count();
    assert!(blue(&apply(&img, round)) > 200);

    let scribble = Degradation::Scribble {
        strokes: 3,
        x: 0.2,
        y: 0.2,
        w: 0.3,
        h: 0.1,
        width_pt: 1.5,
        color: [25, 45, 160],
    };
    let out = apply(&img, scribble);
    assert!(blue(&out) > 100, "blue pixels {}", blue(&out));
    // Ink stays inside the scribble's box (plus the pen's radius).
    for (x, y, p) in out.enumerate_pixels() {
        if p.0 != [255, 255, 255] {
            assert!((115..=301).contains(&x) && (165..=254).contains(&y), "{x},{y}");
        }
    }
}

#[test]
fn rasteriser_covers_exact_areas() {
    fn check(shape: Shape, expected: f32) {
        let cov: f32 = fill(&shape, 40, 40).iter().sum();
        assert!((cov - expected).abs() < 0.5, "{cov} vs {expected}");
    }
    let square =
        Shape { contours: vec![vec![(10.0, 10.0), (20.0, 10.0), (20.0, 20.0), (10.0, 20.0)]] };
    check(square, 100.0);
    let half =
        Shape { contours: vec![vec![(10.5, 10.0), (15.5, 10.0), (15.5, 20.0), (10.5, 20.0)]] };
    check(half, 50.0);
    // A hole wound the other way is left empty (non-zero rule).
    let ring = Shape {
        contours: vec![
            vec![(0.0, 0.0), (30.0, 0.0), (30.0, 30.0), (0.0, 30.0)],
            vec![(10.0, 10.0), (10.0, 20.0), (20.0, 20.0), (20.0, 10.0)],
        ],
    };
    check(ring, 800.0);
}

#[test]
fn same_seed_gives_the_same_bytes() {
    let img = page(300, 400);
    for p in Profile::ALL {
        let run = || {
            let mut r = rng(7);
            let s = spec_for_profile(p, &mut r);
            let out = degrade_pages(&[img.clone(), img.clone()], &s, &mut r).expect("degrades");
            (s, out)
        };
        let (a, b) = (run(), run());
        assert_eq!(a.0, b.0, "{p:?}");
        assert!(a.1 == b.1, "{p:?}: pixels differ between runs");
        let pdf = |pages: &[RgbImage]| image_pdf(pages, 300, "t").expect("pdf");
        assert_eq!(pdf(&a.1), pdf(&b.1), "{p:?}");
    }
    // Different invoices draw different specs.
    let specs: Vec<ScanSpec> = (0..20).map(|i| pick_spec(&mut rng(i), &[])).collect();
    assert!(specs.windows(2).any(|w| w[0] != w[1]));
}

#[test]
fn degraded_pages_differ_from_the_clean_page_except_clean() {
    let img = page(300, 400);
    for p in Profile::ALL {
        let mut r = rng(3);
        let s = spec_for_profile(p, &mut r);
        let out = degrade(&img, &s, &mut r).expect("degrades");
        assert_eq!(out == img, p == Profile::Clean, "{p:?}");
    }
}

#[test]
fn spec_selection_honours_the_allowed_profiles() {
    fn check(allowed: &[Profile], expected: &[Profile]) {
        let mut seen: Vec<Profile> =
            (0..400).map(|i| pick_spec(&mut rng(i), allowed).profile).collect();
        seen.sort();
        seen.dedup();
        assert_eq!(seen, expected, "{allowed:?}");
    }
    check(&[Profile::Jpeg], &[Profile::Jpeg]);
    check(&[Profile::Photo, Profile::Rotate90], &[Profile::Rotate90, Profile::Photo]);
    check(&[], &Profile::ALL);
    check(&Profile::ALL, &Profile::ALL);

    fn parse(names: &[&str], expected: Option<Vec<Profile>>) {
        assert_eq!(Profile::parse_list(names).ok(), expected, "{names:?}");
    }
    parse(&["jpeg", "photo"], Some(vec![Profile::Jpeg, Profile::Photo]));
    parse(&["blur-noise", "BLUR_NOISE"], Some(vec![Profile::BlurNoise]));
    parse(&[], Some(Profile::ALL.to_vec()));
    parse(&["sepia"], None);

    // What each profile's spec holds.
    fn kinds(p: Profile) -> Vec<&'static str> {
        let mut k: Vec<&str> = (0..50)
            .flat_map(|i| spec_for_profile(p, &mut rng(i)).degradations)
            .map(|d| d.kind())
            .collect();
        k.sort();
        k.dedup();
        k
    }
    assert_eq!(kinds(Profile::Clean), Vec::<&str>::new());
    assert_eq!(kinds(Profile::Rotate), ["rotate"]);
    assert_eq!(kinds(Profile::Rotate90), ["quarter_turns"]);
    assert_eq!(kinds(Profile::BlurNoise), ["blur", "gaussian_noise", "salt_pepper"]);
    assert_eq!(kinds(Profile::Jpeg), ["jpeg"]);
    assert_eq!(kinds(Profile::Lighting), ["lighting"]);
    assert_eq!(
        kinds(Profile::Photo),
        ["blur", "gaussian_noise", "jpeg", "lighting", "perspective"]
    );
    assert_eq!(kinds(Profile::Stamp), ["scribble", "stamp"]);
    for i in 0..100 {
        for d in spec_for_profile(Profile::Rotate, &mut rng(i)).degradations {
            let Degradation::Rotate { degrees } = d else { unreachable!() };
            assert!((0.5..=4.0).contains(&degrees.abs()), "{degrees}");
        }
        for d in spec_for_profile(Profile::Jpeg, &mut rng(i)).degradations {
            let Degradation::Jpeg { quality } = d else { unreachable!() };
            assert!((25..=60).contains(&quality));
        }
    }
}

#[test]
fn files_in_each_format() {
    let pages = [page(120, 160), page(160, 120)];
    fn check(format: ScanFormat, pages: &[RgbImage], names: &[&str]) {
        let files = encode(pages, format, 300, "inv-00001", "t").expect("encodes");
        let got: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(got, names, "{format:?}");
    }
    check(ScanFormat::Pdf, &pages, &["inv-00001.pdf"]);
    check(ScanFormat::Tiff, &pages, &["inv-00001.tif"]);
    check(ScanFormat::Png, &pages, &["inv-00001.png", "inv-00001-p2.png"]);
    check(ScanFormat::Jpeg, &pages[..1], &["inv-00001.jpg"]);

    let pdf = image_pdf(&pages, 300, "t").expect("pdf");
    let text = String::from_utf8_lossy(&pdf);
    assert_eq!(text.matches("/DCTDecode").count(), 2);
    assert!(!text.contains("/Font") && !text.contains("BT"), "no text layer");
    // 120 px at 300 dpi = 28.8 pt.
    assert!(text.contains("/MediaBox [0 0 28.8 38.4]"), "{text}");

    let bytes = tiff(&pages, 300).expect("tiff");
    let first = image::load_from_memory(&bytes).expect("decodes").to_rgb8();
    assert_eq!(first.dimensions(), (120, 160));
    assert_eq!(first, pages[0], "lossless");
    let decoded = super::decode_tiff_pages(&bytes).expect("decodes");
    assert_eq!(decoded, pages, "both pages, lossless");
}

#[test]
fn scanning_a_generated_folder_keeps_the_ground_truth() {
    let dir = std::env::temp_dir().join(format!("invex-scan-unit-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let opts = crate::GenerateOptions {
        count: 3,
        seed: 5,
        out_dir: dir.clone(),
        families: None,
        per_supplier: None,
    };
    crate::generate(&opts, &|_| {}).expect("generates");
    let before = std::fs::read_to_string(dir.join("groundtruth.jsonl")).expect("gt");
    // A stand-in for pdfium: one white A4 page at 50 dpi.
    let render = |_: &[u8], _: u32| Ok(vec![grey(172, 244, 255)]);
    let scan = ScanOptions {
        dir: dir.clone(),
        seed: 5,
        dpi: 50,
        format: ScanFormat::Tiff,
        profiles: vec![Profile::Rotate90],
    };
    let summary = scan_dataset(&scan, &render, &|_| {}).expect("scans");
    assert_eq!(summary.scanned, 3);
    let after = std::fs::read_to_string(dir.join("groundtruth.jsonl")).expect("gt");
    assert_eq!(after, before.replace(".pdf\"", ".tif\""));
    for i in 0..3 {
        assert!(dir.join(format!("inv-0000{i}.tif")).exists());
        assert!(!dir.join(format!("inv-0000{i}.pdf")).exists());
    }
    let scans = std::fs::read_to_string(dir.join("scans.jsonl")).expect("scans");
    assert_eq!(scans.lines().count(), 3);
    assert!(scans.lines().all(
        |l| l.contains("\"profile\":\"rotate90\"") && l.contains("\"kind\":\"quarter_turns\"")
    ));
    let truth: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("inv-00000.truth.json")).expect("truth"))
            .expect("json");
    assert_eq!(truth["file"], "inv-00000.tif");
    assert_eq!(truth["scan"]["profile"], "rotate90");
    let _ = std::fs::remove_dir_all(&dir);
}
