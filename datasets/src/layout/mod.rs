//! Layout families: each draws an [`InvoiceData`] its own way. Shared blocks
//! (logo, party and meta blocks, item table, totals, footer, payment slip)
//! live in submodules and are parametrised per family and per invoice.

pub mod blocks;
pub mod classic;
pub mod flow;
pub mod foreign;
pub mod letter;
pub mod meta;
pub mod paged;
pub mod slip;
pub mod small;
pub mod table;
pub mod totals;

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use crate::error::Error;
use crate::format::{DateStyle, Fmt, Minus, NumStyle, PctStyle};
use crate::pdf::{Doc, FontId, PAGE_W, Rgb, TextStyle};
use crate::synth::{self, InvoiceData, Lang, Profile};
use crate::vocab::Vocab;

pub type Rng8 = ChaCha8Rng;

/// Which fonts a family draws with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FontKind {
    Sans,
    Serif,
    Condensed,
    Mono,
}

impl FontKind {
    pub fn regular(self) -> FontId {
        match self {
            FontKind::Sans => FontId::Sans,
            FontKind::Serif => FontId::Serif,
            FontKind::Condensed => FontId::Condensed,
            FontKind::Mono => FontId::Mono,
        }
    }
    pub fn bold(self) -> FontId {
        match self {
            FontKind::Sans => FontId::SansBold,
            FontKind::Serif => FontId::SerifBold,
            FontKind::Condensed => FontId::CondensedBold,
            FontKind::Mono => FontId::Mono,
        }
    }
}

/// Fonts, sizes, colours and margins of one invoice.
#[derive(Debug, Clone, Copy)]
pub struct Theme {
    pub body: TextStyle,
    pub bold: TextStyle,
    pub small: TextStyle,
    pub small_bold: TextStyle,
    pub title: TextStyle,
    pub accent: Rgb,
    /// A light tint of the accent for fills.
    pub tint: Rgb,
    pub left: f32,
    pub right: f32,
    pub top: f32,
    /// Line height of body text.
    pub lh: f32,
}

impl Theme {
    pub fn new(rng: &mut Rng8, kind: FontKind, size: (f32, f32)) -> Theme {
        let sz = (rng.random_range(size.0..=size.1) * 2.0).round() / 2.0;
        let accents = [
            Rgb(0.12, 0.23, 0.45),
            Rgb(0.0, 0.42, 0.45),
            Rgb(0.55, 0.1, 0.12),
            Rgb(0.2, 0.2, 0.2),
            Rgb(0.1, 0.4, 0.2),
            Rgb(0.35, 0.2, 0.5),
            Rgb(0.85, 0.4, 0.05),
        ];
        let accent = accents[rng.random_range(0..accents.len())];
        let tint = Rgb(0.85 + accent.0 * 0.15, 0.85 + accent.1 * 0.15, 0.85 + accent.2 * 0.15);
        let body = TextStyle::new(kind.regular(), sz);
        let small_sz = (sz - rng.random_range(1.0..2.5f32)).max(6.5);
        Theme {
            body,
            bold: TextStyle::new(kind.bold(), sz),
            small: TextStyle::new(kind.regular(), small_sz),
            small_bold: TextStyle::new(kind.bold(), small_sz),
            title: TextStyle::new(kind.bold(), sz + rng.random_range(6.0..12.0f32)),
            accent,
            tint,
            left: rng.random_range(34.0..62.0),
            right: PAGE_W - rng.random_range(34.0..58.0),
            top: rng.random_range(34.0..62.0),
            lh: sz * rng.random_range(1.3..1.55f32),
        }
    }
    pub fn width(&self) -> f32 {
        self.right - self.left
    }
}

/// Which line-item columns the table printed (the rest are null in the truth).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LineCols {
    pub desc: bool,
    pub qty: bool,
    pub unit: bool,
    pub price: bool,
    pub vat: bool,
    pub amount: bool,
}

/// Everything a family draws with.
#[derive(Clone)]
pub struct Ctx {
    pub inv: InvoiceData,
    pub v: Vocab,
    pub f: Fmt,
    pub th: Theme,
    pub doc: Doc,
    pub rng: Rng8,
    /// "Godkänd för F-skatt" was printed.
    pub f_skatt: bool,
    pub cols: LineCols,
    /// Lowest baseline for content on page 1 when a family reserves the
    /// bottom of the first page (a payment slip); read once by the flow.
    pub first_bottom: Option<f32>,
    /// The title reads "Faktura 2026-0142".
    pub number_in_title: bool,
}

impl Ctx {
    pub fn chance(&mut self, p: f64) -> bool {
        self.rng.random_bool(p.clamp(0.0, 1.0))
    }
    pub fn range(&mut self, lo: f32, hi: f32) -> f32 {
        if hi <= lo { lo } else { self.rng.random_range(lo..hi) }
    }
    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.rng.random_range(0..xs.len().max(1)).min(xs.len().saturating_sub(1))]
    }
    /// An amount in this invoice's number style.
    pub fn amt(&self, d: rust_decimal::Decimal) -> String {
        self.f.amount(d)
    }
    pub fn date(&self, d: chrono::NaiveDate) -> String {
        self.f.date(d)
    }
}

/// Number and date conventions for a language and currency.
pub fn pick_fmt(rng: &mut Rng8, lang: Lang, currency: &str) -> Fmt {
    let num = match (lang, currency) {
        (Lang::En, _) if rng.random_bool(0.75) => NumStyle::En,
        (_, "USD") => NumStyle::En,
        (_, "EUR") if rng.random_bool(0.4) => NumStyle::De,
        _ => {
            if rng.random_bool(0.85) {
                NumStyle::Sv
            } else {
                NumStyle::SvPlain
            }
        }
    };
    let date = match lang {
        Lang::Sv => match rng.random_range(0..10) {
            0 => DateStyle::Dots,
            1 => DateStyle::SvShort,
            2 => DateStyle::SvLong,
            _ => DateStyle::Iso,
        },
        Lang::En => match rng.random_range(0..6) {
            0 | 1 => DateStyle::EnLong,
            2 => DateStyle::EnShort,
            3 => DateStyle::Dots,
            _ => DateStyle::Iso,
        },
    };
    let minus = if rng.random_bool(0.3) { Minus::Unicode } else { Minus::Hyphen };
    let pct = match rng.random_range(0..5) {
        0 => PctStyle::Tight,
        1 => PctStyle::Decimals,
        _ => PctStyle::Spaced,
    };
    Fmt { num, minus, date, pct }
}

/// One layout family.
pub struct Family {
    pub name: &'static str,
    /// What content the family wants.
    pub profile: fn(&mut Rng8) -> Profile,
    /// Fonts and body size range.
    pub fonts: fn(&mut Rng8) -> (FontKind, (f32, f32)),
    pub draw: fn(&mut Ctx) -> Result<(), Error>,
}

/// All families, in a fixed order.
pub fn families() -> Vec<&'static Family> {
    let mut out: Vec<&'static Family> = Vec::new();
    out.extend(classic::FAMILIES.iter());
    out.extend(paged::FAMILIES.iter());
    out.extend(foreign::FAMILIES.iter());
    out.extend(small::FAMILIES.iter());
    out.extend(letter::FAMILIES.iter());
    out.extend(slip::FAMILIES.iter());
    out
}

/// Builds content for `family` and draws it.
pub fn render(family: &Family, rng: Rng8) -> Result<Ctx, Error> {
    render_with(family, rng, None)
}

/// As [`render`]; with `varying`, the invoice's changing content (dates,
/// numbers, lines) comes from it and everything else (profile, parties,
/// payment details, fonts, vocabulary, layout) from `rng`: one recurring
/// supplier's invoices share `rng`'s seed.
pub fn render_with(family: &Family, mut rng: Rng8, varying: Option<Rng8>) -> Result<Ctx, Error> {
    let profile = (family.profile)(&mut rng);
    let inv = match varying {
        Some(mut v) => synth::build(&mut synth::Rngs::two(&mut rng, &mut v), &profile)?,
        None => synth::build(&mut synth::Rngs::one(&mut rng), &profile)?,
    };
    let (kind, sizes) = (family.fonts)(&mut rng);
    let th = Theme::new(&mut rng, kind, sizes);
    let v = Vocab::new(&mut rng, inv.lang);
    let f = pick_fmt(&mut rng, inv.lang, inv.currency);
    let mut ctx = Ctx {
        inv,
        v,
        f,
        th,
        doc: Doc::new(),
        rng,
        f_skatt: false,
        cols: LineCols::default(),
        first_bottom: None,
        number_in_title: false,
    };
    ctx.number_in_title = ctx.chance(0.15);
    (family.draw)(&mut ctx)?;
    Ok(ctx)
}

/// A Swedish SEK profile.
pub fn sek(lines: (usize, usize)) -> Profile {
    Profile::new(Lang::Sv, lines)
}

/// A font kind at random among `kinds`.
pub fn any_font(rng: &mut Rng8, kinds: &[FontKind]) -> FontKind {
    kinds[rng.random_range(0..kinds.len().max(1)).min(kinds.len().saturating_sub(1))]
}
