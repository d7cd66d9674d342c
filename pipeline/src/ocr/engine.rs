//! Tesseract, one instance per thread and language set, reused for every page
//! that thread reads (creating one loads the traineddata: about 0.3 s and
//! 100 MB for swe+eng+deu+fra). Pages run on rayon's pool, so in practice
//! there is one instance per rayon worker.
//!
//! Tesseract time is counted in [`stats`] so callers can report the share of
//! the engine beside the whole.

use std::cell::RefCell;
use std::ffi::CString;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use image::GrayImage;
use invex_domain::DocumentError;
use tesseract::{PageSegMode, Tesseract};

use super::tsv::{OcrWord, parse_tsv};

thread_local! {
    static ENGINES: RefCell<Vec<(String, Tesseract)>> = const { RefCell::new(Vec::new()) };
    static OSD: RefCell<Option<Osd>> = const { RefCell::new(None) };
}

static RECOGNIZE_NANOS: AtomicU64 = AtomicU64::new(0);
static OSD_NANOS: AtomicU64 = AtomicU64::new(0);
static PREPARE_NANOS: AtomicU64 = AtomicU64::new(0);
static RENDER_NANOS: AtomicU64 = AtomicU64::new(0);
static PAGES: AtomicU64 = AtomicU64::new(0);
static RECOGNITIONS: AtomicU64 = AtomicU64::new(0);
static INSTANCES: AtomicU64 = AtomicU64::new(0);

/// Where OCR time went, summed over all threads since start (or [`reset_stats`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct OcrStats {
    /// Pages OCR'd.
    pub pages: u64,
    /// Tesseract `Recognize` calls: pages, plus second reads of pages that
    /// came back unsure (turned 180°).
    pub recognitions: u64,
    /// Inside Tesseract's `Recognize` + `GetTSVText`.
    pub recognize_s: f64,
    /// Inside Tesseract's orientation detection (OSD).
    pub osd_s: f64,
    /// Our own image work: decoding, scaling, deskew, rotation, clean-up.
    pub prepare_s: f64,
    /// pdfium rendering scanned PDF pages.
    pub render_s: f64,
    /// Tesseract instances created (one per thread and language set).
    pub instances: u64,
}

pub fn stats() -> OcrStats {
    let s = |a: &AtomicU64| a.load(Ordering::Relaxed) as f64 / 1e9;
    OcrStats {
        pages: PAGES.load(Ordering::Relaxed),
        recognitions: RECOGNITIONS.load(Ordering::Relaxed),
        recognize_s: s(&RECOGNIZE_NANOS),
        osd_s: s(&OSD_NANOS),
        prepare_s: s(&PREPARE_NANOS),
        render_s: s(&RENDER_NANOS),
        instances: INSTANCES.load(Ordering::Relaxed),
    }
}

/// Drops the Tesseract instances of every rayon thread and of this one.
/// Instances left alive at exit make Tesseract's global cache print "LEAK"
/// warnings, so [`super::OcrReader`] calls this when it is dropped.
pub fn release_engines() {
    let clear = || {
        ENGINES.with(|e| e.borrow_mut().clear());
        OSD.with(|o| o.borrow_mut().take());
    };
    rayon::broadcast(|_| clear());
    clear();
}

pub fn reset_stats() {
    for a in [
        &RECOGNIZE_NANOS,
        &OSD_NANOS,
        &PREPARE_NANOS,
        &RENDER_NANOS,
        &PAGES,
        &RECOGNITIONS,
        &INSTANCES,
    ] {
        a.store(0, Ordering::Relaxed);
    }
}

pub(crate) fn count_page() {
    PAGES.fetch_add(1, Ordering::Relaxed);
}

pub(crate) fn add_time(what: Timer, started: Instant) {
    let nanos = started.elapsed().as_nanos() as u64;
    let counter = match what {
        Timer::Prepare => &PREPARE_NANOS,
        Timer::Render => &RENDER_NANOS,
    };
    counter.fetch_add(nanos, Ordering::Relaxed);
}

pub(crate) enum Timer {
    Prepare,
    Render,
}

fn ocr_error(what: &str, languages: &str) -> DocumentError {
    DocumentError::Ocr(format!(
        "Tesseract {what} (languages {languages}); is tesseract-ocr installed with its \
         language data? Run scripts/setup.sh"
    ))
}

/// Recognises `image` (8-bit gray, `dpi` pixels per inch) with this thread's
/// Tesseract for `languages`, creating it on first use.
pub fn recognize(
    image: &GrayImage,
    dpi: u32,
    languages: &str,
) -> Result<Vec<OcrWord>, DocumentError> {
    let (w, h) = (image.width() as i32, image.height() as i32);
    let engine = ENGINES.with(|e| {
        let mut engines = e.borrow_mut();
        engines.iter().position(|(l, _)| l == languages).map(|i| engines.swap_remove(i).1)
    });
    let engine = match engine {
        Some(engine) => engine,
        None => {
            let mut engine = Tesseract::new(None, Some(languages))
                .map_err(|_| ocr_error("could not start", languages))?;
            // Invoices are blocks and columns of text, not one block.
            engine.set_page_seg_mode(PageSegMode::PsmAuto);
            INSTANCES.fetch_add(1, Ordering::Relaxed);
            engine
        }
    };
    let started = Instant::now();
    // On an error the instance is dropped and the next page makes a new one.
    let mut engine = engine
        .set_frame(image.as_raw(), w, h, 1, w)
        .map_err(|e| DocumentError::Ocr(format!("bad page image: {e}")))?
        .set_source_resolution(dpi as i32)
        .recognize()
        .map_err(|_| ocr_error("could not recognise the page", languages))?;
    let tsv = engine.get_tsv_text(0).map_err(|_| ocr_error("returned no TSV", languages))?;
    RECOGNIZE_NANOS.fetch_add(started.elapsed().as_nanos() as u64, Ordering::Relaxed);
    RECOGNITIONS.fetch_add(1, Ordering::Relaxed);
    ENGINES.with(|e| e.borrow_mut().push((languages.to_string(), engine)));
    Ok(parse_tsv(&tsv))
}

/// A raw TessBaseAPI loaded with `osd.traineddata`, for orientation detection
/// (the safe binding does not expose `DetectOrientationScript`).
struct Osd(*mut tesseract_sys::TessBaseAPI);

impl Drop for Osd {
    fn drop(&mut self) {
        // SAFETY: created by TessBaseAPICreate and deleted once, here.
        unsafe { tesseract_sys::TessBaseAPIDelete(self.0) }
    }
}

impl Osd {
    fn new() -> Option<Osd> {
        // SAFETY: a fresh handle, owned by the returned value (deleted on drop).
        let osd = Osd(unsafe { tesseract_sys::TessBaseAPICreate() });
        let lang = CString::new("osd").ok()?;
        // SAFETY: valid handle and NUL-terminated language; null datapath = default.
        let rc = unsafe { tesseract_sys::TessBaseAPIInit3(osd.0, std::ptr::null(), lang.as_ptr()) };
        if rc != 0 {
            return None;
        }
        // SAFETY: valid, initialised handle.
        unsafe {
            tesseract_sys::TessBaseAPISetPageSegMode(
                osd.0,
                tesseract_sys::TessPageSegMode_PSM_OSD_ONLY,
            )
        };
        Some(osd)
    }
}

/// What Tesseract's OSD says about a page.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Orientation {
    /// How far the page is turned, clockwise: 0, 90, 180 or 270 degrees.
    /// Turning the image counter-clockwise by this many degrees makes it upright.
    pub degrees: u32,
    /// Tesseract's orientation confidence (about 0–30+; above ~2 is reliable).
    pub confidence: f32,
}

/// Tesseract OSD on `image`; `None` when it cannot tell (too little text) or
/// `osd.traineddata` is missing.
pub fn detect_orientation(image: &GrayImage, dpi: u32) -> Option<Orientation> {
    let started = Instant::now();
    let result = OSD.with(|cell| {
        let mut cell = cell.borrow_mut();
        if cell.is_none() {
            *cell = Osd::new();
        }
        let osd = cell.as_ref()?;
        let (w, h) = (image.width() as i32, image.height() as i32);
        let (mut degrees, mut confidence, mut script_conf) = (0, 0f32, 0f32);
        let mut script: *const std::os::raw::c_char = std::ptr::null();
        // SAFETY: the buffer holds h rows of w bytes and outlives the call
        // (Tesseract copies it); the out-pointers are valid locals.
        let ok = unsafe {
            tesseract_sys::TessBaseAPISetImage(osd.0, image.as_raw().as_ptr(), w, h, 1, w);
            tesseract_sys::TessBaseAPISetSourceResolution(osd.0, dpi as i32);
            tesseract_sys::TessBaseAPIDetectOrientationScript(
                osd.0,
                &mut degrees,
                &mut confidence,
                &mut script,
                &mut script_conf,
            )
        };
        // SAFETY: valid handle; frees the image copy and results.
        unsafe { tesseract_sys::TessBaseAPIClear(osd.0) };
        (ok != 0).then_some(Orientation { degrees: degrees.rem_euclid(360) as u32, confidence })
    });
    OSD_NANOS.fetch_add(started.elapsed().as_nanos() as u64, Ordering::Relaxed);
    result
}
