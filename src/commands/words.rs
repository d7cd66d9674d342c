use std::process::ExitCode;

use anyhow::{Context, Result};
use invex_domain::DocumentReader;

use crate::cli::WordsArgs;

pub fn run(args: WordsArgs) -> Result<ExitCode> {
    let reader = super::pdf_reader()?;
    let bytes = std::fs::read(&args.file).with_context(|| format!("{}", args.file.display()))?;
    let document = reader.read(&bytes).with_context(|| format!("{}", args.file.display()))?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&document)?);
        return Ok(ExitCode::SUCCESS);
    }
    for page in &document.pages {
        println!(
            "# page {} ({:.0} x {:.0} pt, {} words)",
            page.number,
            page.width,
            page.height,
            page.words.len()
        );
        for w in &page.words {
            let b = w.bbox;
            println!("{:7.1} {:7.1} {:7.1} {:7.1}  {}", b.x0, b.y0, b.x1, b.y1, w.text);
        }
    }
    Ok(ExitCode::SUCCESS)
}
