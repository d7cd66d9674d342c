//! Measurements behind the OCR path's choices (numbers in the README):
//! `cargo run --release -p invex-pipeline --example ocr_probe -- MODE DIR [N]`
//! over the first N generated PDFs in DIR (`invex dataset generate`):
//!
//! - `words`: OCR word recall (text-layer words found by Tesseract) on
//!   rendered pages, clean and degraded, with and without binarisation and a
//!   median filter;
//! - `orient`: OSD accuracy on pages turned 0/90/180/270, and deskew error on
//!   pages skewed by a few degrees, with times;
//! - `langs`: time and recall of `swe+eng` against `swe+eng+deu+fra`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use image::{GrayImage, Luma};
use invex_domain::DocumentReader;
use invex_pipeline::ocr::{engine, orient};
use invex_pipeline::pdf::PdfiumReader;

fn recall(truth: &[String], got: &[String]) -> (usize, usize) {
    let mut bag: HashMap<&str, usize> = HashMap::new();
    for g in got {
        *bag.entry(g.as_str()).or_default() += 1;
    }
    let mut hit = 0;
    for t in truth {
        if let Some(n) = bag.get_mut(t.as_str()).filter(|n| **n > 0) {
            *n -= 1;
            hit += 1;
        }
    }
    (hit, truth.len())
}

fn noise(img: &GrayImage, amount: i32, seed: u64) -> GrayImage {
    let mut s = seed | 1;
    let mut out = img.clone();
    for p in out.pixels_mut() {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        let n = (s % (2 * amount as u64 + 1)) as i32 - amount;
        p[0] = (i32::from(p[0]) + n).clamp(0, 255) as u8;
    }
    out
}

fn degrade(img: &GrayImage, kind: &str) -> GrayImage {
    match kind {
        "clean" => img.clone(),
        "blur+noise" => noise(&image::imageops::blur(img, 1.2), 40, 7),
        "uneven-light" => {
            let (w, h) = img.dimensions();
            GrayImage::from_fn(w, h, |x, y| {
                let shade = 0.45 + 0.55 * (x as f32 / w as f32 * 0.6 + y as f32 / h as f32 * 0.4);
                Luma([(f32::from(img.get_pixel(x, y)[0]) * shade).round() as u8])
            })
        }
        "low-res" => {
            let (w, h) = img.dimensions();
            let small =
                image::imageops::resize(img, w / 3, h / 3, image::imageops::FilterType::Triangle);
            image::imageops::resize(&small, w, h, image::imageops::FilterType::Triangle)
        }
        "jpeg-q15" => {
            let mut buf = std::io::Cursor::new(Vec::new());
            image::codecs::jpeg::JpegEncoder::new_with_quality(&mut buf, 15)
                .encode_image(img)
                .expect("jpeg");
            image::load_from_memory(buf.get_ref()).expect("decode").into_luma8()
        }
        _ => unreachable!(),
    }
}

fn clean(img: &GrayImage, kind: &str) -> GrayImage {
    match kind {
        "none" => img.clone(),
        "otsu" => binarise(img),
        "median3" => median3(img),
        "median3+otsu" => binarise(&median3(img)),
        "flatten" => invex_pipeline::ocr::clean::flatten_lighting(img),
        _ => unreachable!(),
    }
}

fn binarise(img: &GrayImage) -> GrayImage {
    let t = orient::otsu_threshold(img);
    GrayImage::from_fn(img.width(), img.height(), |x, y| {
        Luma([if img.get_pixel(x, y)[0] < t { 0 } else { 255 }])
    })
}

fn median3(img: &GrayImage) -> GrayImage {
    let (w, h) = img.dimensions();
    GrayImage::from_fn(w, h, |x, y| {
        let mut v = [0u8; 9];
        let mut i = 0;
        for dy in [-1i32, 0, 1] {
            for dx in [-1i32, 0, 1] {
                let xx = (x as i32 + dx).clamp(0, w as i32 - 1) as u32;
                let yy = (y as i32 + dy).clamp(0, h as i32 - 1) as u32;
                v[i] = img.get_pixel(xx, yy)[0];
                i += 1;
            }
        }
        v.sort_unstable();
        Luma([v[4]])
    })
}

fn main() {
    invex_pipeline::ocr::limit_openmp_threads();
    let mut args = std::env::args().skip(1);
    let mode = args.next().expect("MODE");
    let dir = PathBuf::from(args.next().expect("DIR"));
    let n: usize = args.next().map_or(4, |s| s.parse().expect("N"));
    let lib = Path::new(env!("CARGO_MANIFEST_DIR")).join("../.native/lib/libpdfium.so");
    let reader = PdfiumReader::load(&lib).expect("pdfium");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("dir")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
        .collect();
    files.sort();
    files.truncate(n);
    let pages: Vec<(Vec<String>, GrayImage)> = files
        .iter()
        .map(|f| {
            let bytes = std::fs::read(f).expect("read");
            let doc = reader.read(&bytes).expect("text layer");
            let words = doc.pages[0].words.iter().map(|w| w.text.clone()).collect();
            let img = reader.render_gray_pages(&bytes, 300, &[0]).expect("render").remove(0);
            (words, img)
        })
        .collect();
    let langs = invex_pipeline::ocr::DEFAULT_LANGUAGES;
    match mode.as_str() {
        "words" => {
            println!("| page image | clean-up | word recall | Tesseract s/page |");
            println!("|---|---|---|---|");
            let kinds = std::env::var("KINDS")
                .unwrap_or("clean,blur+noise,uneven-light,low-res,jpeg-q15".into());
            let cleanups = std::env::var("CLEANUPS")
                .unwrap_or("none,otsu,median3,median3+otsu,flatten".into());
            for kind in kinds.split(',') {
                for cleanup in cleanups.split(',') {
                    let (mut hit, mut total, mut secs) = (0, 0, 0.0);
                    for (truth, img) in &pages {
                        let img = clean(&degrade(img, kind), cleanup);
                        let t = Instant::now();
                        let got: Vec<String> = engine::recognize(&img, 300, langs)
                            .expect("ocr")
                            .into_iter()
                            .map(|w| w.text)
                            .collect();
                        secs += t.elapsed().as_secs_f64();
                        let (h, n) = recall(truth, &got);
                        hit += h;
                        total += n;
                    }
                    println!(
                        "| {kind} | {cleanup} (spread {}) | {:.3} ({hit}/{total}) | {:.2} |",
                        invex_pipeline::ocr::clean::lighting_spread(&degrade(&pages[0].1, kind)),
                        hit as f64 / total as f64,
                        secs / pages.len() as f64
                    );
                }
            }
        }
        "orient" => {
            let (mut right, mut tries, mut osd_s) = (0, 0, 0.0);
            let mut wrong = Vec::new();
            for (i, (_, img)) in pages.iter().enumerate() {
                for turn in [0u32, 90, 180, 270] {
                    let turned = orient::turn(img, turn);
                    let scale: u32 =
                        std::env::var("OSD_SCALE").ok().and_then(|s| s.parse().ok()).unwrap_or(1);
                    let t = Instant::now();
                    let small = image::imageops::resize(
                        &turned,
                        turned.width() / scale,
                        turned.height() / scale,
                        image::imageops::FilterType::Triangle,
                    );
                    let o = engine::detect_orientation(&small, 300 / scale);
                    osd_s += t.elapsed().as_secs_f64();
                    tries += 1;
                    let got = o.map(|o| o.degrees);
                    if got == Some(turn) {
                        right += 1;
                    } else {
                        wrong.push((i, turn, o));
                    }
                }
            }
            let ocr =
                invex_pipeline::ocr::OcrReader::new(PdfiumReader::load(&lib).expect("pdfium"));
            let (mut ok, mut n, mut secs) = (0, 0, 0.0);
            let mut misses = Vec::new();
            for (i, (truth, img)) in pages.iter().enumerate() {
                // Right when a turned page reads (nearly) as well as upright.
                let mut upright_hits = 0;
                for turn in [0u32, 90, 180, 270] {
                    let turned = orient::turn(img, turn);
                    let t = Instant::now();
                    let page = ocr.ocr_page(turned, 300.0, 1).expect("ocr");
                    secs += t.elapsed().as_secs_f64();
                    let got: Vec<String> = page.words.into_iter().map(|w| w.text).collect();
                    let (hit, total) = recall(truth, &got);
                    if turn == 0 {
                        upright_hits = hit;
                    }
                    n += 1;
                    if hit as f64 >= 0.95 * upright_hits as f64 && hit * 2 > total {
                        ok += 1;
                    } else {
                        misses.push((i, turn, hit, total));
                    }
                }
            }
            println!(
                "profiles + 180° retry: {ok}/{n} turned pages read upright ({:.3}), {:.2} s per page incl. OCR; misses {misses:?}",
                ok as f64 / n as f64,
                secs / n as f64
            );
            println!(
                "OSD: {right}/{tries} turns detected ({:.3}), {:.3} s per call; misses: {wrong:?}",
                right as f64 / tries as f64,
                osd_s / tries as f64
            );
            let (mut err_sum, mut err_max, mut count, mut secs) = (0f32, 0f32, 0, 0.0);
            for (_, img) in &pages {
                for skew in [-4.5f32, -2.0, -0.7, 1.0, 3.0, 5.0] {
                    let skewed = orient::rotate(img, skew);
                    let t = Instant::now();
                    let got = orient::estimate_skew(&skewed);
                    secs += t.elapsed().as_secs_f64();
                    let err = (got - skew).abs();
                    err_sum += err;
                    err_max = err_max.max(err);
                    count += 1;
                }
            }
            println!(
                "deskew: mean error {:.3}°, max {:.3}° over {count} skewed pages, {:.3} s per estimate",
                err_sum / count as f32,
                err_max,
                secs / count as f64
            );
        }
        "langs" => {
            for l in ["swe+eng", "swe+eng+deu+fra", "swe"] {
                let (mut hit, mut total, mut secs) = (0, 0, 0.0);
                let _ = engine::recognize(&pages[0].1, 300, l); // instance creation not timed
                for (truth, img) in &pages {
                    let t = Instant::now();
                    let got: Vec<String> = engine::recognize(img, 300, l)
                        .expect("ocr")
                        .into_iter()
                        .map(|w| w.text)
                        .collect();
                    secs += t.elapsed().as_secs_f64();
                    let (h, n) = recall(truth, &got);
                    hit += h;
                    total += n;
                }
                println!(
                    "{l}: recall {:.3} ({hit}/{total}), {:.2} s/page",
                    hit as f64 / total as f64,
                    secs / pages.len() as f64
                );
            }
        }
        _ => panic!("MODE: words | orient | langs"),
    }
}
