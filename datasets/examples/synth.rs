//! Generate a sample and report speed, or report first-attempt layout problems.
//!
//! cargo run --release -p invex-datasets --example synth -- gen OUT_DIR [COUNT] [SEED] [FAMILY,...]
//! cargo run --release -p invex-datasets --example synth -- stats [COUNT_PER_FAMILY]
//! cargo run --release -p invex-datasets --example synth -- one FAMILY INDEX [SEED] [OUT.pdf]

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use invex_datasets::generate::invoice_rng;
use invex_datasets::{GenerateOptions, generate, layout};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("gen") => {
            let out_dir = PathBuf::from(args.get(1).cloned().unwrap_or_else(|| "out/synth".into()));
            let count = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(50);
            let seed = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(1);
            let families = args.get(4).map(|s| s.split(',').map(String::from).collect());
            let t = Instant::now();
            let s = generate(
                &GenerateOptions { count, seed, out_dir, families, per_supplier: None },
                &|_| {},
            )?;
            let secs = t.elapsed().as_secs_f64();
            println!(
                "{} invoices, {} pages in {secs:.2} s = {:.1} invoices/s",
                s.written,
                s.pages,
                s.written as f64 / secs
            );
            for (f, n) in &s.families {
                println!("  {f:28} {n}");
            }
        }
        Some("stats") => {
            let n: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(200);
            for f in layout::families() {
                let mut bad = 0;
                let mut first = None;
                let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
                for i in 0..n {
                    let c = layout::render(f, invoice_rng(5, i, 0))?;
                    if !c.doc.problems().is_empty() {
                        bad += 1;
                        first.get_or_insert(i);
                        for p in c.doc.problems() {
                            *kinds.entry(p.clone()).or_default() += 1;
                        }
                    }
                }
                println!("{:28} {bad}/{n} need a retry (first: {first:?})", f.name);
                for (k, v) in kinds.iter().take(6) {
                    println!("      {v:4} {k}");
                }
            }
        }
        Some("one") => {
            // Draw one invoice at attempt 0 (even if it breaks a rule) to look at it.
            let name = args.get(1).cloned().unwrap_or_default();
            let index: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(0);
            let seed: u64 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(5);
            let out = args.get(4).cloned().unwrap_or_else(|| "one.pdf".into());
            let Some(f) = layout::families().into_iter().find(|f| f.name == name) else {
                return Err(format!("unknown family {name}").into());
            };
            let c = layout::render(f, invoice_rng(seed, index, 0))?;
            for p in c.doc.problems() {
                println!("problem: {p}");
            }
            std::fs::write(&out, invex_datasets::pdf::write_pdf(&c.doc, "debug")?)?;
        }
        _ => eprintln!("usage: synth gen OUT_DIR [COUNT] [SEED] [FAMILIES] | synth stats [N]"),
    }
    Ok(())
}
