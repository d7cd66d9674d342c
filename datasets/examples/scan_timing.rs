//! Times each scan degradation and the container encoders on one A4 page at
//! 300 dpi: `cargo run --release -p invex-datasets --example scan_timing`.

use std::time::Instant;

use invex_datasets::scan::image::{Rgb, RgbImage};
use invex_datasets::scan::{Profile, encode, scan_rng, spec_for_profile};

fn main() {
    let page = RgbImage::from_fn(2480, 3508, |x, y| {
        if (y / 20) % 3 == 1 && (x / 14) % 5 != 0 { Rgb([0, 0, 0]) } else { Rgb([255, 255, 255]) }
    });
    let mut rng = scan_rng(1, 0);
    for p in [Profile::Photo, Profile::BlurNoise, Profile::Rotate] {
        for d in spec_for_profile(p, &mut rng).degradations {
            let one = invex_datasets::scan::ScanSpec { profile: p, degradations: vec![d.clone()] };
            let t = Instant::now();
            invex_datasets::scan::degrade(&page, &one, &mut rng).expect("degrade");
            println!("  {:16} {:6.0} ms", d.kind(), t.elapsed().as_secs_f64() * 1e3);
        }
    }
    for p in Profile::ALL {
        let mut rng = scan_rng(1, 0);
        let spec = spec_for_profile(p, &mut rng);
        let t = Instant::now();
        let out = invex_datasets::scan::degrade(&page, &spec, &mut rng).expect("degrade");
        let d = t.elapsed();
        let t = Instant::now();
        let pdf = encode::image_pdf(std::slice::from_ref(&out), 300, "t").expect("pdf");
        println!(
            "{:12} degrade {:6.0} ms  pdf {:6.0} ms  {:7} KB",
            p.name(),
            d.as_secs_f64() * 1e3,
            t.elapsed().as_secs_f64() * 1e3,
            pdf.len() / 1024
        );
    }
}
