//! Runs a Donut export (optimum `image-to-text-with-past`) on page images:
//! prints the generated sequence, its parse, the invoice fields, and the
//! time per image.
//!
//! ```sh
//! cargo run --release -p invex-models --example donut -- MODEL_DIR IMAGE... \
//!     [--prompt '<s_cord-v2>'] [--max-length N] [--threads N]
//! ```
//!
//! With no arguments it runs the tiny parity fixture on its two images
//! (which it memorised; it reads nothing else).

use std::path::{Path, PathBuf};
use std::time::Instant;

use invex_models::donut::invoice::invoice_from_nodes;
use invex_models::donut::tags::render;
use invex_models::{DonutModel, DonutOptions, OrtConfig};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut options = DonutOptions::default();
    let mut paths: Vec<PathBuf> = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--prompt" => options.prompt = Some(args.next().ok_or("--prompt needs a value")?),
            "--max-length" => {
                options.max_length = Some(args.next().ok_or("--max-length needs a value")?.parse()?)
            }
            "--threads" => {
                let threads = args.next().ok_or("--threads needs a value")?.parse()?;
                options.ort = OrtConfig { intra_threads: threads, ..OrtConfig::default() };
            }
            _ => paths.push(PathBuf::from(arg)),
        }
    }
    if paths.is_empty() {
        let fixture = manifest_dir.join("tests/fixtures/tiny-donut");
        paths = vec![fixture.clone(), fixture.join("sample-a.png"), fixture.join("sample-b.png")];
    }
    let (dir, images) = paths.split_first().ok_or("usage: donut MODEL_DIR IMAGE...")?;
    invex_models::init_onnxruntime(&manifest_dir.join("../.native/lib/libonnxruntime.so"))?;
    let started = Instant::now();
    let model = DonutModel::load(dir, options)?;
    println!("loaded {model:?} in {:.2?}", started.elapsed());
    for path in images {
        let image = image::open(path)?.to_rgb8();
        let started = Instant::now();
        let prediction = model.predict(&image)?;
        let elapsed = started.elapsed();
        let generated = &prediction.generated;
        let steps = generated.ids.len() - generated.prompt_len;
        println!("\n{}: {steps} tokens in {elapsed:.2?}", path.display());
        println!("  ids:    {:?}", generated.ids);
        println!("  text:   {}", prediction.text);
        println!("  parsed: {}", render(&prediction.nodes));
        for (name, field) in &invoice_from_nodes(&prediction.nodes, None).fields {
            println!("  {name} = {} ({:.3})", field.value, field.confidence);
        }
    }
    Ok(())
}
