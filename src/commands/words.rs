use std::io::{ErrorKind, Write};
use std::process::ExitCode;

use anyhow::{Context, Result};
use invex_domain::DocumentReader;

use crate::cli::WordsArgs;

pub fn run(args: WordsArgs) -> Result<ExitCode> {
    let reader = super::pdf_reader()?;
    let bytes = std::fs::read(&args.file).with_context(|| format!("{}", args.file.display()))?;
    let document = reader.read(&bytes).with_context(|| format!("{}", args.file.display()))?;
    // A closed pipe (`invex words f.pdf | head`) ends the listing quietly.
    match print(&document, args.json) {
        Err(e) if e.kind() == ErrorKind::BrokenPipe => {}
        other => other.context("could not write the words")?,
    }
    Ok(ExitCode::SUCCESS)
}

fn print(document: &invex_domain::Document, json: bool) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(document)?)?;
        return Ok(());
    }
    for page in &document.pages {
        let (w, h, n) = (page.width, page.height, page.words.len());
        writeln!(out, "# page {} ({w:.0} x {h:.0} pt, {n} words)", page.number)?;
        for word in &page.words {
            let b = word.bbox;
            writeln!(out, "{:7.1} {:7.1} {:7.1} {:7.1}  {}", b.x0, b.y0, b.x1, b.y1, word.text)?;
        }
    }
    out.flush()
}
