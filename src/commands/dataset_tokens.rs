//! `invex dataset tokens`: turns a generated folder into layout-model training
//! data. Words come from the same pdfium reader that inference uses, so the
//! model trains on exactly what it will see; labels are carried over from the
//! generator's truth words by box overlap.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use indicatif::{ProgressBar, ProgressStyle};
use invex_domain::{Document, DocumentReader};
use invex_models::boxes::normalize_box;
use rayon::prelude::*;
use serde::Deserialize;
use serde_json::json;

use crate::cli::TokensArgs;

/// A generator truth word (truth.json `words[]`).
#[derive(Debug, Deserialize)]
struct TruthWord {
    page: u32,
    bbox: [f32; 4],
    label: String,
}

#[derive(Debug, Deserialize)]
struct Truth {
    #[serde(default)]
    family: Option<String>,
    words: Vec<TruthWord>,
}

pub fn run(args: TokensArgs) -> Result<std::process::ExitCode> {
    let reader = super::pdf_reader()?;
    let mut pdfs: Vec<PathBuf> = std::fs::read_dir(&args.dir)
        .with_context(|| format!("reading {}", args.dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
        .collect();
    pdfs.sort();
    if pdfs.is_empty() {
        bail!(
            "{} holds no generated PDFs (run `invex dataset generate` first)",
            args.dir.display()
        );
    }
    let bar = ProgressBar::new(pdfs.len() as u64);
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} documents, {per_sec}") {
        bar.set_style(style);
    }
    let lines: Vec<Result<String>> = pdfs
        .par_iter()
        .map(|pdf| {
            let line = document_line(&reader, pdf);
            bar.inc(1);
            line.with_context(|| format!("{}", pdf.display()))
        })
        .collect();
    bar.finish_and_clear();
    let mut out = BufWriter::new(
        File::create(&args.output)
            .with_context(|| format!("creating {}", args.output.display()))?,
    );
    for line in lines {
        writeln!(out, "{}", line?)?;
    }
    out.flush()?;
    eprintln!("wrote {} documents to {}", pdfs.len(), args.output.display());
    Ok(std::process::ExitCode::SUCCESS)
}

fn document_line(reader: &dyn DocumentReader, pdf: &Path) -> Result<String> {
    let truth_path = pdf.with_extension("truth.json");
    let truth: Truth = serde_json::from_slice(
        &std::fs::read(&truth_path).with_context(|| format!("{}", truth_path.display()))?,
    )?;
    let document = reader.read(&std::fs::read(pdf)?)?;
    let (words, boxes, labels) = labelled_words(&document, &truth.words);
    let id = pdf.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    Ok(json!({
        "id": id,
        "family": truth.family,
        "words": words,
        "boxes": boxes,
        "labels": labels,
    })
    .to_string())
}

/// Every pdfium word with its normalised box and the label of the truth word
/// it overlaps most (`O` when none).
fn labelled_words(
    document: &Document,
    truth: &[TruthWord],
) -> (Vec<String>, Vec<[i64; 4]>, Vec<String>) {
    let mut words = Vec::new();
    let mut boxes = Vec::new();
    let mut labels = Vec::new();
    for page in &document.pages {
        let on_page: Vec<&TruthWord> = truth.iter().filter(|t| t.page == page.number).collect();
        for word in &page.words {
            let b = word.bbox;
            let best = on_page
                .iter()
                .map(|t| (overlap([b.x0, b.y0, b.x1, b.y1], t.bbox), t))
                .filter(|(area, _)| *area > 0.0)
                .max_by(|a, b| a.0.total_cmp(&b.0));
            words.push(word.text.clone());
            boxes.push(normalize_box(&word.bbox, page));
            labels.push(best.map_or_else(|| "O".to_string(), |(_, t)| t.label.clone()));
        }
    }
    (words, boxes, labels)
}

fn overlap(a: [f32; 4], b: [f32; 4]) -> f32 {
    let w = a[2].min(b[2]) - a[0].max(b[0]);
    let h = a[3].min(b[3]) - a[1].max(b[1]);
    if w <= 0.0 || h <= 0.0 { 0.0 } else { w * h }
}
