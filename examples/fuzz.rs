//! Mutation fuzzing on stable Rust: real files from the repository, mutated
//! (bit flips, truncations, splices of two files, dictionary tokens such as
//! `/Length`, `obj`, `stream`, huge and negative numbers), driven through the
//! code that reads untrusted input. A panic is a finding; so is an input that
//! takes long.
//!
//! ```sh
//! cargo run --release --example fuzz -- TARGET [--seconds N | --minutes N] [--seed S] [--out DIR]
//! ```
//!
//! Targets:
//! - `pdf`: the upload sniffer, pdfium's text layer (`PdfiumReader`), its
//!   attachments (the e-invoice stage's input) and the rules extractor on
//!   what was read;
//! - `image`: the sniffer and the PNG/JPEG/TIFF decoder of the OCR path
//!   (with its size limits), seeded with a photo and the same page encoded
//!   as JPEG and TIFF;
//! - `xml`: the e-invoice reader (UBL, CII) on the XML fixtures;
//! - `sie`: the SIE 4 parser on SIE files the exporter writes;
//! - `text`: the amount, date and percent parsers and the identifier
//!   validators on invoice-like strings;
//! - `all`: each of them for the given time.
//!
//! A panicking input is saved under `--out` (default `target/fuzz`) as
//! `TARGET-panic-HASH`, an input slower than 5 s as `TARGET-slow-HASH`, and
//! the input being read is kept in `TARGET-current` so that a native crash
//! (which no Rust code can catch) leaves the file that caused it. The run
//! prints executions, executions/s, panics and the slowest input per target,
//! and exits 1 when anything panicked.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use invex_domain::DocumentReader;
use invex_domain::Extractor;
use invex_domain::sniff::{FileKind, check_upload};

const TARGETS: [&str; 5] = ["pdf", "image", "xml", "sie", "text"];
/// Inputs slower than this are saved and reported.
const SLOW: Duration = Duration::from_secs(5);
/// Uploads larger than this are refused by the sniffer, as in the service.
const MAX_BYTES: u64 = 50 * 1024 * 1024;

/// Tokens spliced into inputs: PDF syntax, XML syntax, SIE labels, numbers.
const DICTIONARY: [&[u8]; 26] = [
    b"/Length 999999999",
    b"/Length -1",
    b" obj ",
    b"endobj",
    b"stream\n",
    b"endstream",
    b"/Type /Page",
    b"/Kids [",
    b"xref\n0 1\n",
    b"trailer <<",
    b"/Filter /FlateDecode",
    b"/EmbeddedFiles",
    b"%%EOF",
    b"<![CDATA[",
    b"<!DOCTYPE x [<!ENTITY a \"aaaaaaaaaa\">]>",
    b"&a;&a;&a;",
    b"</",
    b"<cbc:PayableAmount currencyID=\"SEK\">",
    b"99999999999999999999999999999.99",
    b"-0.000000001",
    b"#VER A 1 20260101",
    b"#TRANS 2440 {} -1e30",
    b"{",
    b"\"",
    b"\x00\xff\xfe",
    b"2026-02-30",
];

/// xorshift64*: small, seedable, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next() % n as u64) as usize }
    }
}

/// One to four mutations of a random seed.
fn mutate(rng: &mut Rng, seeds: &[Vec<u8>]) -> Vec<u8> {
    let mut data = seeds[rng.below(seeds.len())].clone();
    for _ in 0..1 + rng.below(4) {
        let len = data.len();
        match rng.below(6) {
            0 if len > 0 => {
                for _ in 0..1 + rng.below(8) {
                    let i = rng.below(len);
                    data[i] ^= 1 << rng.below(8);
                }
            }
            1 if len > 0 => data.truncate(rng.below(len)),
            2 => {
                let other = &seeds[rng.below(seeds.len())];
                let (i, j) = (rng.below(len + 1), rng.below(other.len() + 1));
                data.truncate(i);
                data.extend_from_slice(&other[j..]);
            }
            3 => {
                let token = DICTIONARY[rng.below(DICTIONARY.len())];
                let i = rng.below(len + 1);
                data.splice(i..i, token.iter().copied());
            }
            4 if len > 0 => {
                // Repeat a chunk (deep nesting, long runs).
                let i = rng.below(len);
                let chunk: Vec<u8> = data[i..(i + 1 + rng.below(64)).min(len)].to_vec();
                for _ in 0..1 + rng.below(16) {
                    data.splice(i..i, chunk.iter().copied());
                }
            }
            _ if len > 0 => {
                // Random bytes over a random range.
                let i = rng.below(len);
                for b in data.iter_mut().skip(i).take(1 + rng.below(32)) {
                    *b = rng.next() as u8;
                }
            }
            _ => data.extend_from_slice(DICTIONARY[rng.below(DICTIONARY.len())]),
        }
    }
    data
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Files under `dir` (recursively) whose name ends with one of `ends`.
fn files(dir: &Path, ends: &[&str]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return out };
    let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            out.extend(files(&path, ends));
        } else if ends.iter().any(|e| path.to_string_lossy().ends_with(e))
            && let Ok(bytes) = std::fs::read(&path)
        {
            out.push(bytes);
        }
    }
    out
}

/// Reads one input; true when it was read without an error.
type Reader = Box<dyn Fn(&[u8]) -> bool>;

/// What one target reads, and its seeds.
struct Target {
    seeds: Vec<Vec<u8>>,
    run: Reader,
    /// Keep the current input on disk (targets that reach native code).
    native: bool,
}

fn pdfium() -> invex_pipeline::pdf::PdfiumReader {
    let dir = std::env::var_os("INVEX_NATIVE_DIR")
        .map(|d| PathBuf::from(d).join("lib"))
        .unwrap_or_else(|| root().join(".native/lib"));
    invex_pipeline::pdf::PdfiumReader::load(&dir.join("libpdfium.so"))
        .unwrap_or_else(|e| panic!("pdfium: {e}; run scripts/setup.sh"))
}

fn target(name: &str) -> Target {
    let r = root();
    match name {
        "pdf" => {
            let mut seeds = files(&r.join("samples"), &[".pdf"]);
            seeds.truncate(6);
            seeds.extend(files(&r.join("tests/fixtures"), &[".pdf"]));
            let reader = pdfium();
            let rules = invex_pipeline::rules::RulesExtractor::new();
            Target {
                seeds,
                native: true,
                run: Box::new(move |bytes| {
                    if check_upload(bytes, MAX_BYTES) != Ok(FileKind::Pdf) {
                        return false;
                    }
                    let _ = reader.attachments(bytes);
                    match reader.read(bytes) {
                        Ok(doc) => !rules.extract(&doc).fields.is_empty(),
                        Err(_) => false,
                    }
                }),
            }
        }
        "image" => {
            let mut seeds = files(&r.join("tests/fixtures"), &[".png"]);
            seeds.extend(files(&r.join("models/tests/fixtures"), &[".png"]));
            // The photo again as JPEG and TIFF, so all three decoders are fed.
            if let Some(photo) = seeds.first().and_then(|p| image::load_from_memory(p).ok()) {
                let small = photo.thumbnail(400, 400).to_luma8();
                for format in [image::ImageFormat::Jpeg, image::ImageFormat::Tiff] {
                    let mut out = std::io::Cursor::new(Vec::new());
                    if small.write_to(&mut out, format).is_ok() {
                        seeds.push(out.into_inner());
                    }
                }
            }
            let limits = invex_pipeline::ocr::ImageLimits::default();
            Target {
                seeds,
                native: true,
                run: Box::new(move |bytes| match check_upload(bytes, MAX_BYTES) {
                    Ok(kind @ (FileKind::Png | FileKind::Jpeg | FileKind::Tiff)) => {
                        invex_pipeline::ocr::raster::decode(bytes, kind, &limits).is_ok()
                    }
                    _ => false,
                }),
            }
        }
        "xml" => {
            let seeds = files(&r.join("tests/fixtures/einvoice"), &[".xml"]);
            let reader = invex_einvoice::XmlInvoiceReader::new(invex_einvoice::Limits::default());
            Target {
                seeds,
                native: false,
                run: Box::new(move |bytes| {
                    invex_domain::sniff::is_xml(bytes) && reader.read(bytes).is_ok()
                }),
            }
        }
        "sie" => {
            // The exporter's own SIE output (the insta snapshot's body).
            let snap = r.join("exporters/src/sie/snapshots");
            let seeds = files(&snap, &[".snap"])
                .into_iter()
                .map(|s| {
                    let text = String::from_utf8_lossy(&s).to_string();
                    let body = text.splitn(3, "---\n").nth(2).unwrap_or(&text);
                    // SIE is CP437; the ASCII of it parses the same.
                    body.chars().map(|c| if c.is_ascii() { c as u8 } else { b'?' }).collect()
                })
                .collect();
            Target {
                seeds,
                native: false,
                run: Box::new(|bytes| match invex_exporters::sie::parse::parse_bytes(bytes) {
                    Ok(file) => file.vouchers.iter().all(|v| v.balance().is_zero()),
                    Err(_) => false,
                }),
            }
        }
        "text" => {
            let seeds = [
                "1 234,56",
                "1.234,56 kr",
                "-12,50",
                "€ 1,234.56",
                "12,5 %",
                "2026-03-02",
                "02.03.2026",
                "3 mars 2026",
                "March 3, 2026",
                "5050-1055",
                "902003-3",
                "SE556036079301",
                "DE136695976",
                "SE45 5000 0000 0583 9825 7466",
                "ESSESESS",
                "1234567897",
                "RF18539007547034",
                "556036-0793",
                "19121212-1212",
                "SEK",
            ];
            Target {
                seeds: seeds.iter().map(|s| s.as_bytes().to_vec()).collect(),
                native: false,
                run: Box::new(|bytes| {
                    use invex_domain::parse::*;
                    use invex_domain::validate::*;
                    let s = String::from_utf8_lossy(bytes);
                    let _ = parse_amount(&s);
                    let _ = parse_percent(&s);
                    for order in [DateOrder::DayFirst, DateOrder::MonthFirst] {
                        let _ = parse_date(&s, order);
                    }
                    let _ = normalize_currency(&s);
                    let ids = [bankgiro(&s), plusgiro(&s), iban(&s), bic(&s), org_nr(&s)];
                    let more =
                        [vat_number(&s), ocr_reference(&s), rf_reference(&s), personnummer(&s)];
                    parse_amount(&s).is_some() || ids.iter().chain(&more).any(Option::is_some)
                }),
            }
        }
        other => {
            eprintln!("unknown target {other:?}; one of {TARGETS:?} or all");
            std::process::exit(2);
        }
    }
}

#[derive(Default)]
struct Report {
    executions: u64,
    /// Inputs read without an error (the seeds and mutations that stay valid).
    read_ok: u64,
    panics: BTreeMap<String, PathBuf>,
    slow: Vec<(Duration, PathBuf)>,
    slowest: Duration,
    seconds: f64,
}

fn hash(bytes: &[u8]) -> String {
    // FNV-1a, for file names only.
    let h = bytes
        .iter()
        .fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ *b as u64).wrapping_mul(0x100_0000_01b3));
    format!("{h:016x}")
}

fn fuzz(name: &str, budget: Duration, seed: u64, out: &Path) -> Report {
    let t = target(name);
    assert!(!t.seeds.is_empty(), "{name}: no seed files found under {}", root().display());
    let mut rng = Rng(seed | 1);
    let mut report = Report::default();
    let current = out.join(format!("{name}-current"));
    let started = Instant::now();
    while started.elapsed() < budget {
        // Every 50th input is a seed as it is: the targets must read them.
        let input = if report.executions % 50 == 0 {
            t.seeds[rng.below(t.seeds.len())].clone()
        } else {
            mutate(&mut rng, &t.seeds)
        };
        if t.native {
            let _ = std::fs::write(&current, &input);
        }
        let one = Instant::now();
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| (t.run)(&input)));
        let took = one.elapsed();
        report.executions += 1;
        report.slowest = report.slowest.max(took);
        report.read_ok += u64::from(matches!(outcome, Ok(true)));
        if let Err(payload) = outcome {
            let message = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "a panic without a message".into());
            let path = out.join(format!("{name}-panic-{}", hash(&input)));
            let _ = std::fs::write(&path, &input);
            report.panics.entry(message).or_insert(path);
        }
        if took > SLOW {
            let path = out.join(format!("{name}-slow-{}", hash(&input)));
            let _ = std::fs::write(&path, &input);
            report.slow.push((took, path));
        }
    }
    let _ = std::fs::remove_file(&current);
    report.seconds = started.elapsed().as_secs_f64();
    report
}

fn main() {
    invex_pipeline::ocr::limit_openmp_threads();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: fuzz TARGET [--seconds N | --minutes N] [--seed S] [--out DIR]";
    let Some(which) = args.first().cloned() else {
        eprintln!("{usage}\ntargets: {TARGETS:?} or all");
        std::process::exit(2);
    };
    let (mut seconds, mut seed, mut out) = (30u64, 0x5eed_u64, root().join("target/fuzz"));
    let mut rest = args[1..].iter();
    while let Some(flag) = rest.next() {
        let value = rest.next().unwrap_or_else(|| {
            eprintln!("{flag} needs a value\n{usage}");
            std::process::exit(2)
        });
        let number = || {
            value.parse::<u64>().unwrap_or_else(|_| {
                eprintln!("{flag} takes a whole number, not {value:?}");
                std::process::exit(2)
            })
        };
        match flag.as_str() {
            "--seconds" => seconds = number(),
            "--minutes" => seconds = number() * 60,
            "--seed" => seed = number(),
            "--out" => out = PathBuf::from(value),
            _ => {
                eprintln!("unknown option {flag}\n{usage}");
                std::process::exit(2);
            }
        }
    }
    if let Err(e) = std::fs::create_dir_all(&out) {
        eprintln!("cannot create {}: {e}", out.display());
        std::process::exit(2);
    }
    let names: Vec<&str> = if which == "all" { TARGETS.to_vec() } else { vec![which.as_str()] };
    // Panics are findings, counted and saved, not printed one by one.
    std::panic::set_hook(Box::new(|_| {}));
    let mut failed = false;
    println!(
        "target | seconds | executions | executions/s | read without error | panics | slowest input"
    );
    for name in names {
        let r = fuzz(name, Duration::from_secs(seconds), seed, &out);
        println!(
            "{name} | {:.0} | {} | {:.0} | {} | {} | {:.2} s",
            r.seconds,
            r.executions,
            r.executions as f64 / r.seconds.max(1e-9),
            r.read_ok,
            r.panics.len(),
            r.slowest.as_secs_f64()
        );
        for (message, path) in &r.panics {
            println!("  panic: {message} (input saved as {})", path.display());
        }
        for (took, path) in &r.slow {
            println!("  slow: {:.1} s (input saved as {})", took.as_secs_f64(), path.display());
        }
        failed |= !r.panics.is_empty();
    }
    std::process::exit(if failed { 1 } else { 0 });
}
