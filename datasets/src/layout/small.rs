//! A sole trader's minimal invoice, credit notes, and invoices to a kommun or
//! region with a full company footer.

use rand::RngExt;

use crate::error::Error;
use crate::layout::blocks::{self, Entry};
use crate::layout::table::{self, ColK, Head};
use crate::layout::{Ctx, Family, FontKind, Rng8, any_font, flow, meta, sek, totals};
use crate::pdf::Rgb;
use crate::synth::{Profile, SupplierKind};
use crate::truth::{Label, Tag};
use crate::vocab::Key;

pub const FAMILIES: &[Family] = &[
    Family { name: "minimal_small_business", profile: p_small, fonts: f_small, draw: minimal },
    Family { name: "credit_note", profile: p_credit, fonts: f_any, draw: credit_note },
    Family {
        name: "municipality_buyer_footer",
        profile: p_public,
        fonts: f_any,
        draw: municipality,
    },
];

fn p_small(_: &mut Rng8) -> Profile {
    let mut p = sek((1, 4));
    p.supplier = SupplierKind::SoleTrader;
    p.rounding = 0.3;
    p
}

fn p_credit(rng: &mut Rng8) -> Profile {
    let mut p = sek((1, 5));
    p.credit = true;
    p.rounding = 0.0;
    if rng.random_bool(0.2) {
        p.supplier = SupplierKind::SoleTrader;
    }
    p
}

fn p_public(_: &mut Rng8) -> Profile {
    let mut p = sek((1, 8));
    p.public_buyer = true;
    p
}

fn f_small(rng: &mut Rng8) -> (FontKind, (f32, f32)) {
    (any_font(rng, &[FontKind::Sans, FontKind::Serif, FontKind::Mono]), (9.0, 11.5))
}

fn f_any(rng: &mut Rng8) -> (FontKind, (f32, f32)) {
    (any_font(rng, &[FontKind::Sans, FontKind::Serif, FontKind::Condensed]), (8.5, 10.5))
}

/// "Summa 1 250,00 / varav moms 250,00": the total and the VAT in it, no net.
fn total_with_vat_included(c: &mut Ctx, xl: f32, xr: f32, y: f32) -> f32 {
    let st = c.th.body;
    let bold = c.th.bold;
    let lh = st.size * 1.5;
    let label = c.v.l(Key::Total);
    let spans = totals::total_spans(c);
    let refs: Vec<(&str, Tag)> = spans.iter().map(|(s, t)| (s.as_str(), *t)).collect();
    let value: String = spans.iter().map(|s| s.0.as_str()).collect();
    let bold = blocks::fit(&bold, &format!("{label}    {value}"), xr - xl);
    c.doc.text(xl, y, &bold, &label, Tag::O);
    c.doc.spans_r(xr, y, &bold, &refs);
    let rate = c.inv.vat.first().map(|v| v.rate).unwrap_or_default();
    let single = c.inv.vat.len() == 1;
    let cap =
        if single { format!("varav moms {}", c.f.pct(rate)) } else { "varav moms".to_string() };
    let v = c.amt(c.inv.vat_total);
    c.doc.text(xl, y + lh, &st, &cap, Tag::O);
    c.doc.text_r(xr, y + lh, &st, &v, Tag::B(Label::VatAmount));
    y + 2.0 * lh
}

/// Enskild firma: plain header, Plusgiro, personnummer-shaped org.nr, few lines.
fn minimal(c: &mut Ctx) -> Result<(), Error> {
    let (l, r, top, w) = (c.th.left, c.th.right, c.th.top, c.th.width());
    let t = c.v.w(Key::Title);
    let ts = c.th.title;
    c.doc.text(l, top + ts.size, &ts, t, Tag::O);
    let contact = c.chance(0.6);
    let ys = blocks::supplier_block(c, l + w * 0.55, top, w * 0.45, true, contact);
    let rows = meta::rows(
        c,
        &[meta::M::InvoiceNo, meta::M::Date, meta::M::Due, meta::M::BuyerRef, meta::M::Ocr],
    );
    let st = c.th.body;
    let ym = meta::beside(c, l, top + ts.size * 2.4, &rows, Some(l + w * 0.5), &st, &st);
    let heading = c.chance(0.6);
    let yb = blocks::buyer_block(c, l, ym.max(ys) + 16.0, w * 0.5, heading, false);
    let mut spec = table::spec(c, false);
    spec.head = Head::Rule;
    if c.chance(0.5) {
        spec.cols.retain(|k| matches!(k, ColK::Desc | ColK::Qty | ColK::Price | ColK::Amount));
    }
    let tail = |c: &mut Ctx, y: f32| {
        let w = c.th.width();
        let xl = c.th.right - w * 0.45;
        let y = if c.chance(0.5) {
            total_with_vat_included(c, xl, c.th.right, y + 16.0)
        } else {
            totals::stack(c, xl, c.th.right, y + 14.0, false)
        };
        let mut e: Vec<Entry> = blocks::bank_entries(c, false);
        let fsk = c.chance(0.8);
        e.extend(blocks::legal_entries(c, fsk, false));
        let st = c.th.body;
        let y = blocks::column(c, c.th.left, y + 16.0, w * 0.7, &st, &e, false);
        let thanks = c.v.w(Key::ThankYou);
        let ts = c.th.small.color(Rgb::gray(0.3));
        c.doc.text(c.th.left, y + 8.0, &ts, thanks, Tag::O);
        y + 16.0
    };
    flow::flow(c, yb + 20.0, &spec, None, false, &tail);
    flow::page_numbers(c, false);
    let _ = r;
    Ok(())
}

/// KREDITFAKTURA with a reference to the credited invoice and negative amounts.
fn credit_note(c: &mut Ctx) -> Result<(), Error> {
    let (l, r, top, w) = (c.th.left, c.th.right, c.th.top, c.th.width());
    let tw = flow::title_width(c);
    let y_logo = blocks::logo(c, l, top, (w * 0.48).min(w - tw - 30.0));
    let yt = flow::title(c, r, top);
    let rows = meta::rows(
        c,
        &[
            meta::M::InvoiceNo,
            meta::M::Date,
            meta::M::CreditRef,
            meta::M::Due,
            meta::M::CustomerNo,
            meta::M::BuyerRef,
            meta::M::SupplierRef,
            meta::M::OrderNo,
        ],
    );
    let st = c.th.body;
    let lst = if c.chance(0.5) { c.th.small_bold } else { c.th.body };
    let right_aligned = c.chance(0.5);
    let ym = meta::beside(c, l + w * 0.55, yt + 6.0, &rows, right_aligned.then_some(r), &lst, &st);
    let heading = c.chance(0.5);
    let buyer_org = c.chance(0.3);
    let yb = blocks::buyer_block(c, l, (y_logo + 20.0).max(140.0), w * 0.45, heading, buyer_org);
    let reasons: &[&str] = if c.v.sv() {
        &[
            "Orsak: Retur av vara",
            "Orsak: Felaktigt pris",
            "Kreditering enligt överenskommelse",
            "Prisjustering",
        ]
    } else {
        &["Reason: Returned goods", "Reason: Price correction", "Credit as agreed"]
    };
    let reason = *c.pick(reasons);
    let y = yb.max(ym) + 14.0;
    c.doc.text(l, y, &c.th.body.clone(), reason, Tag::O);
    let extra_col = c.rng_index(2);
    let above = c.chance(0.3);
    let footer = blocks::plan_footer(c, 3 + extra_col, above);
    let spec = table::spec(c, true);
    flow::flow(c, y + 24.0, &spec, Some(&footer), false, &|c, y| flow::closing(c, y, true));
    flow::page_numbers(c, false);
    Ok(())
}

/// A kommun or region as buyer: invoice address with FE/Box, a reference
/// code, and all company data in a four-column footer.
fn municipality(c: &mut Ctx) -> Result<(), Error> {
    let (l, r, top, w) = (c.th.left, c.th.right, c.th.top, c.th.width());
    let tw = flow::title_width(c);
    let y_logo = blocks::logo(c, l, top, (w * 0.48).min(w - tw - 30.0));
    let yt = flow::title(c, r, top);
    let bx = l + w * c.range(0.5, 0.56);
    let buyer_org = c.chance(0.6);
    let mut yb = blocks::buyer_block(c, bx, yt + 22.0, r - bx, true, buyer_org);
    if c.chance(0.3) {
        yb = flow::delivery_block(c, bx, yb + 8.0, r - bx);
    }
    let rows = meta::rows(c, meta::STANDARD);
    let lst = c.th.small;
    let vst = c.th.body;
    let ym = meta::beside(c, l, y_logo + 18.0, &rows, None, &lst, &vst);
    let above = c.chance(0.5);
    let footer = blocks::plan_footer(c, 4, above);
    let mut spec = table::spec(c, true);
    if c.chance(0.5) {
        spec.head = Head::Grid;
    }
    flow::flow(c, yb.max(ym) + 22.0, &spec, Some(&footer), false, &|c, y| {
        flow::closing(c, y, true)
    });
    let always = c.chance(0.5);
    flow::page_numbers(c, always);
    Ok(())
}
