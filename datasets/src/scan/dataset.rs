//! Turns a folder written by [`crate::generate`] into synthetic scans.
//!
//! For each invoice in `groundtruth.jsonl` (in order; line `i` is invoice
//! `i`): render its PDF with the caller's renderer, draw a [`ScanSpec`] from
//! [`scan_rng`]`(seed, i)`, degrade the pages and write the scan. The scan
//! replaces the digital PDF (`inv-NNNNN.pdf` is overwritten by the
//! image-only PDF; for TIFF/PNG/JPEG the digital PDF is removed; the same
//! seed without `--scan` gives it back).
//!
//! Afterwards:
//! - `groundtruth.jsonl` / `groundtruth_lines.jsonl`: the same exact field
//!   values, with `file` naming the scan;
//! - `inv-NNNNN.truth.json`: `file` names the scan and a `scan` object records
//!   the spec. Its word boxes stay in the CLEAN page's coordinates (points,
//!   origin top-left, of the digital page), not the degraded image's: after
//!   rotation, perspective or a quarter turn they no longer line up with the
//!   pixels;
//! - `scans.jsonl`: per file its profile, degradations with parameters,
//!   format, dpi and page image sizes.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use image::RgbImage;
use rayon::prelude::*;
use serde::Serialize;
use serde_json::Value;

use crate::error::Error;
use crate::scan::encode::{ScanFormat, encode};
use crate::scan::{Degradation, Profile, ScanSpec, degrade_pages, pick_spec, scan_rng};

/// What to scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanOptions {
    /// A folder written by [`crate::generate`].
    pub dir: PathBuf,
    pub seed: u64,
    pub dpi: u32,
    pub format: ScanFormat,
    /// The profiles to draw from; all when empty.
    pub profiles: Vec<Profile>,
}

/// What was written.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ScanSummary {
    pub scanned: usize,
    pub pages: usize,
    pub bytes: u64,
    /// Invoices per profile name.
    pub profiles: BTreeMap<String, usize>,
}

/// Rasterises a PDF's pages at a dpi (pdfium, in the binary).
pub type Render<'a> = dyn Fn(&[u8], u32) -> Result<Vec<RgbImage>, String> + Sync + 'a;

/// One line of `scans.jsonl`.
#[derive(Debug, Clone, Serialize)]
pub struct ScanRecord<'a> {
    pub file: &'a str,
    pub profile: Profile,
    pub degradations: &'a [Degradation],
    pub format: ScanFormat,
    pub dpi: u32,
    /// Width and height in pixels of each degraded page.
    pub pages: Vec<[u32; 2]>,
    /// Pages 2.. of PNG/JPEG scans, which the ground truth does not name.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub extra_files: &'a [String],
}

struct Done {
    gt: String,
    lines: Option<String>,
    scan: String,
    profile: Profile,
    pages: usize,
    bytes: u64,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |e| Error::io(path, e)
}

fn read_jsonl(path: &Path) -> Result<Vec<Value>, Error> {
    let text = fs::read_to_string(path).map_err(io(path))?;
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).map_err(Error::from))
        .collect()
}

fn file_of(v: &Value) -> Result<&str, Error> {
    v.get("file")
        .and_then(Value::as_str)
        .ok_or_else(|| Error::Scan("a line without \"file\"".into()))
}

fn one(
    opts: &ScanOptions,
    render: &Render,
    index: usize,
    gt: &Value,
    lines: Option<&Value>,
) -> Result<Done, Error> {
    let file = file_of(gt)?;
    let stem = file.strip_suffix(".pdf").unwrap_or(file);
    let pdf_path = opts.dir.join(file);
    let bytes = fs::read(&pdf_path).map_err(io(&pdf_path))?;
    let pages = render(&bytes, opts.dpi)
        .map_err(|e| Error::Scan(format!("{}: could not render: {e}", pdf_path.display())))?;
    let mut rng = scan_rng(opts.seed, index);
    let spec: ScanSpec = pick_spec(&mut rng, &opts.profiles);
    let degraded = degrade_pages(&pages, &spec, &mut rng)?;
    drop(pages);
    let files = encode(&degraded, opts.format, opts.dpi, stem, &format!("Scan of {file}"))?;
    let mut written = 0u64;
    for (name, data) in &files {
        let path = opts.dir.join(name);
        fs::write(&path, data).map_err(io(&path))?;
        written += data.len() as u64;
    }
    let scan_file = files[0].0.as_str();
    if scan_file != file {
        fs::remove_file(&pdf_path).map_err(io(&pdf_path))?;
    }
    let extra: Vec<String> = files[1..].iter().map(|(n, _)| n.clone()).collect();
    let sizes: Vec<[u32; 2]> = degraded.iter().map(|p| [p.width(), p.height()]).collect();
    let record = ScanRecord {
        file: scan_file,
        profile: spec.profile,
        degradations: &spec.degradations,
        format: opts.format,
        dpi: opts.dpi,
        pages: sizes,
        extra_files: &extra,
    };
    let truth_path = opts.dir.join(format!("{stem}.truth.json"));
    if truth_path.exists() {
        let mut truth: Value =
            serde_json::from_slice(&fs::read(&truth_path).map_err(io(&truth_path))?)?;
        if let Value::Object(map) = &mut truth {
            map.insert("file".into(), Value::String(scan_file.into()));
            let mut scan = serde_json::to_value(&record)?;
            if let Value::Object(s) = &mut scan {
                s.remove("file");
                s.insert(
                    "boxes".into(),
                    Value::String(
                        "word boxes are in the clean digital page's coordinates (points, origin \
                         top-left), not the degraded image's"
                            .into(),
                    ),
                );
            }
            map.insert("scan".into(), scan);
        }
        fs::write(&truth_path, serde_json::to_vec(&truth)?).map_err(io(&truth_path))?;
    }
    let rename = |v: &Value| -> Result<String, Error> {
        let mut v = v.clone();
        if let Value::Object(map) = &mut v {
            map.insert("file".into(), Value::String(scan_file.into()));
        }
        Ok(serde_json::to_string(&v)?)
    };
    Ok(Done {
        gt: rename(gt)?,
        lines: lines.map(rename).transpose()?,
        scan: serde_json::to_string(&record)?,
        profile: spec.profile,
        pages: degraded.len(),
        bytes: written,
    })
}

/// Scans every invoice of `opts.dir` in parallel (rayon; `render` may
/// serialise internally). `progress(n_done)` is called after each invoice.
pub fn scan_dataset(
    opts: &ScanOptions,
    render: &Render,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<ScanSummary, Error> {
    let gt_path = opts.dir.join("groundtruth.jsonl");
    let lines_path = opts.dir.join("groundtruth_lines.jsonl");
    let gt = read_jsonl(&gt_path)?;
    let lines = if lines_path.exists() { read_jsonl(&lines_path)? } else { Vec::new() };
    let by_file: BTreeMap<&str, &Value> =
        lines.iter().filter_map(|v| Some((file_of(v).ok()?, v))).collect();
    let done = AtomicUsize::new(0);
    let results: Vec<Result<Done, Error>> = gt
        .par_iter()
        .enumerate()
        .map(|(i, g)| {
            let l = file_of(g).ok().and_then(|f| by_file.get(f).copied());
            let r = one(opts, render, i, g, l);
            progress(done.fetch_add(1, Ordering::Relaxed) + 1);
            r
        })
        .collect();
    let mut summary = ScanSummary::default();
    let (mut gt_out, mut lines_out, mut scans_out) = (Vec::new(), Vec::new(), Vec::new());
    for r in results {
        let d = r?;
        writeln!(gt_out, "{}", d.gt).map_err(io(&gt_path))?;
        if let Some(l) = &d.lines {
            writeln!(lines_out, "{l}").map_err(io(&lines_path))?;
        }
        writeln!(scans_out, "{}", d.scan).map_err(io(&opts.dir))?;
        summary.scanned += 1;
        summary.pages += d.pages;
        summary.bytes += d.bytes;
        *summary.profiles.entry(d.profile.name().to_string()).or_insert(0) += 1;
    }
    fs::write(&gt_path, gt_out).map_err(io(&gt_path))?;
    if lines_path.exists() {
        fs::write(&lines_path, lines_out).map_err(io(&lines_path))?;
    }
    let scans_path = opts.dir.join("scans.jsonl");
    fs::write(&scans_path, scans_out).map_err(io(&scans_path))?;
    Ok(summary)
}
