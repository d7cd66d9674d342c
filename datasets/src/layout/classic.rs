//! Classic Swedish layouts: labels beside values, labels above values in a
//! grid, a two-column header, and a banner with a boxed table header.

use crate::error::Error;
use crate::layout::blocks::{self, Entry};
use crate::layout::table::{self, Head};
use crate::layout::{Ctx, Family, FontKind, Rng8, any_font, flow, meta, sek, totals};
use crate::pdf::Rgb;
use crate::synth::Profile;
use crate::truth::{Label, Tag};
use crate::vocab::Key;

pub const FAMILIES: &[Family] = &[
    Family {
        name: "classic_right_labels",
        profile: p_std,
        fonts: f_any,
        draw: classic_right_labels,
    },
    Family { name: "labels_above_grid", profile: p_std, fonts: f_sans, draw: labels_above_grid },
    Family { name: "two_column_header", profile: p_std, fonts: f_any, draw: two_column_header },
    Family { name: "boxed_table_header", profile: p_std, fonts: f_sans, draw: boxed_table_header },
];

fn p_std(_: &mut Rng8) -> Profile {
    sek((1, 9))
}

fn f_any(rng: &mut Rng8) -> (FontKind, (f32, f32)) {
    (
        any_font(rng, &[FontKind::Sans, FontKind::Sans, FontKind::Serif, FontKind::Condensed]),
        (8.5, 11.0),
    )
}

fn f_sans(rng: &mut Rng8) -> (FontKind, (f32, f32)) {
    (any_font(rng, &[FontKind::Sans, FontKind::Condensed]), (8.0, 10.5))
}

/// Logo top-left, title and labels-beside meta at right, buyer in the window
/// position, table, totals stack, company footer.
fn classic_right_labels(c: &mut Ctx) -> Result<(), Error> {
    let (l, r, top, w) = (c.th.left, c.th.right, c.th.top, c.th.width());
    let tw = flow::title_width(c);
    let logo_w = (w * 0.48).min(w - tw - 30.0);
    let y_logo = blocks::logo(c, l, top, logo_w);
    let y_sup = if c.chance(0.6) {
        let contact = c.chance(0.4);
        blocks::supplier_block(c, l, y_logo + 6.0, w * 0.45, false, contact)
    } else {
        y_logo
    };
    let x_meta = l + w * c.range(0.52, 0.6);
    let y_t = flow::title(c, r, top);
    let rows = meta::rows(c, meta::STANDARD);
    let lst = if c.chance(0.5) { c.th.small_bold } else { c.th.body };
    let vst = c.th.body;
    let right = c.chance(0.5).then_some(r);
    let y_meta = meta::beside(c, x_meta, y_t + 8.0, &rows, right, &lst, &vst);
    let by = (y_sup + 16.0).max(c.range(140.0, 175.0));
    let bx = l + c.range(0.0, 24.0);
    let (head, org) = (c.chance(0.4), c.chance(0.3));
    let mut yb = blocks::buyer_block(c, bx, by, w * 0.45, head, org);
    if c.chance(0.25) {
        yb = flow::delivery_block(c, bx, yb + 8.0, w * 0.45);
    }
    let y = yb.max(y_meta) + c.range(16.0, 34.0);
    let ncols = if c.chance(0.5) { 3 } else { 4 };
    let above = c.chance(0.25);
    let footer = blocks::plan_footer(c, ncols, above);
    let spec = table::spec(c, true);
    flow::flow(c, y, &spec, Some(&footer), false, &|c, y| flow::closing(c, y, true));
    flow::page_numbers(c, false);
    Ok(())
}

/// Captions above values in a boxed grid, a ruled table and totals in boxes.
fn labels_above_grid(c: &mut Ctx) -> Result<(), Error> {
    let (l, r, top, w) = (c.th.left, c.th.right, c.th.top, c.th.width());
    let tw = flow::title_width(c);
    let y_logo = blocks::logo(c, l, top, (w * 0.48).min(w - tw - 30.0));
    let y_t = flow::title(c, r, top);
    let y0 = y_logo.max(y_t) + 8.0;
    let y_sup = blocks::supplier_block(c, l, y0, w * 0.45, false, false);
    let buyer_org = c.chance(0.4);
    let y_buy = blocks::buyer_block(c, l + w * 0.55, y0, w * 0.45, true, buyer_org);
    let rows = meta::rows(c, meta::STANDARD);
    let ncols = if rows.len() > 6 { 4 } else { 3 };
    let boxed = c.chance(0.8);
    let y = meta::grid(c, l, y_sup.max(y_buy) + 10.0, w, ncols, &rows, boxed);
    let above = c.chance(0.7);
    let footer = blocks::plan_footer(c, 4, above);
    let mut spec = table::spec(c, true);
    spec.head = if c.chance(0.6) { Head::Grid } else { Head::Tint };
    let tail = |c: &mut Ctx, y: f32| {
        let w = c.th.width();
        let bw = w * c.range(0.6, 1.0);
        let y = totals::boxes(c, c.th.right - bw, y + 10.0, bw);
        flow::payment_note(c, c.th.left, y + 4.0, w)
    };
    flow::flow(c, y + 22.0, &spec, Some(&footer), false, &tail);
    let always = c.chance(0.4);
    flow::page_numbers(c, always);
    Ok(())
}

/// Left column: supplier and buyer; right column: title, meta and a payment box.
fn two_column_header(c: &mut Ctx) -> Result<(), Error> {
    let (l, r, top, w) = (c.th.left, c.th.right, c.th.top, c.th.width());
    let half = w * c.range(0.48, 0.55);
    let name = c.inv.supplier.name.clone();
    let ns =
        blocks::fit(&c.th.bold.sized(c.th.body.size + 4.0).color(c.th.accent), &name, half - 10.0);
    c.doc.text(l, top + ns.size, &ns, &name, Tag::B(Label::SupplierName));
    let mut y = blocks::supplier_block(c, l, top + ns.size * 2.0, half - 10.0, false, true);
    let fsk = c.chance(0.8);
    let legal = blocks::legal_entries(c, fsk, false);
    let st = c.th.small;
    y = blocks::column(c, l, y + 2.0, half - 10.0, &st, &legal, false);
    let buyer_org = c.chance(0.4);
    let yb = blocks::buyer_block(c, l, y + 18.0, half - 10.0, true, buyer_org);
    let xm = l + half;
    let yt = flow::title(c, r, top);
    let rows = meta::rows(
        c,
        &[
            meta::M::InvoiceNo,
            meta::M::Date,
            meta::M::Due,
            meta::M::CustomerNo,
            meta::M::BuyerRef,
            meta::M::SupplierRef,
            meta::M::OrderNo,
            meta::M::Terms,
            meta::M::Interest,
        ],
    );
    let lst = c.th.body;
    let ym = meta::beside(c, xm, yt + 6.0, &rows, None, &lst, &lst);
    // Payment box.
    let iban = c.chance(0.4);
    let mut pay: Vec<Entry> = blocks::bank_entries(c, iban);
    if let Some(o) = c.inv.ocr.clone() {
        pay.push(Entry::kv(c.v.l(Key::Ocr), o, Tag::B(Label::PaymentReference)));
    }
    let mut ye = ym;
    if !pay.is_empty() {
        let total = c.amt(c.inv.total);
        pay.push(Entry::kv(c.v.l(Key::Total), total, Tag::B(Label::TotalAmount)).bold());
        let bw = r - xm;
        let by = ym + 6.0;
        let head = c.v.w(Key::PaymentHeading);
        let hs = c.th.small_bold.color(c.th.accent);
        c.doc.text(xm + 6.0, by + 12.0, &hs, head, Tag::O);
        let end =
            blocks::column(c, xm + 6.0, by + 26.0, bw - 12.0, &c.th.body.clone(), &pay, false);
        c.doc.stroke_rect(xm, by, bw, end - by - 4.0, c.th.accent, 0.8);
        ye = end + 4.0;
    }
    let y = yb.max(ye) + 18.0;
    let spec = table::spec(c, true);
    let carry = c.chance(0.3);
    flow::flow(c, y, &spec, None, carry, &|c, y| {
        let y = flow::closing(c, y, false);
        let note = c.v.w(Key::ThankYou);
        let st = c.th.small.color(Rgb::gray(0.3));
        c.doc.text(c.th.left, y + 10.0, &st, note, Tag::O);
        y + 20.0
    });
    flow::page_numbers(c, true);
    Ok(())
}

/// A full-width colour banner, inline meta, banded and striped table.
fn boxed_table_header(c: &mut Ctx) -> Result<(), Error> {
    let (l, r, top, w) = (c.th.left, c.th.right, c.th.top, c.th.width());
    let bh = c.range(44.0, 64.0);
    c.doc.fill_rect(l - 6.0, top, w + 12.0, bh, c.th.accent);
    let key = if c.inv.credit { Key::CreditTitle } else { Key::Title };
    let title = c.v.w(key);
    let ts = c.th.title.color(Rgb::WHITE);
    let tw = ts.width(title);
    c.doc.text_r(r - 6.0, top + bh * 0.5 + ts.size * 0.35, &ts, title, Tag::O);
    let name = c.inv.supplier.name.clone();
    let ns =
        blocks::fit(&c.th.bold.sized(c.th.body.size + 5.0).color(Rgb::WHITE), &name, w - tw - 40.0);
    c.doc.text(l + 6.0, top + bh * 0.5 + ns.size * 0.35, &ns, &name, Tag::B(Label::SupplierName));
    let rows = meta::rows(
        c,
        &[
            meta::M::InvoiceNo,
            meta::M::Date,
            meta::M::Due,
            meta::M::CustomerNo,
            meta::M::Ocr,
            meta::M::Currency,
        ],
    );
    let st = c.th.body;
    let y = meta::inline(c, l, top + bh + 20.0, w, &rows, &st);
    let buyer_org = c.chance(0.3);
    let yb = blocks::buyer_block(c, l, y + 14.0, w * 0.45, true, buyer_org);
    let refs = meta::rows(
        c,
        &[
            meta::M::BuyerRef,
            meta::M::SupplierRef,
            meta::M::OrderNo,
            meta::M::Terms,
            meta::M::Delivery,
        ],
    );
    let small = c.th.small;
    let ys = meta::beside(c, l + w * 0.55, y + 14.0, &refs, None, &small, &small);
    let footer = blocks::plan_footer(c, 3, false);
    let mut spec = table::spec(c, true);
    spec.head = Head::Band;
    spec.zebra = c.chance(0.7);
    let tail = |c: &mut Ctx, y: f32| {
        let w = c.th.width();
        let xl = c.th.right - w * 0.45;
        let y0 = y + 6.0;
        let y1 = totals::stack(c, xl + 8.0, c.th.right - 8.0, y0 + c.th.body.size + 10.0, false);
        c.doc.stroke_rect(xl, y0, w * 0.45, y1 - y0, c.th.accent, 1.0);
        flow::payment_note(c, c.th.left, y1 + 14.0, w)
    };
    flow::flow(c, yb.max(ys) + 24.0, &spec, Some(&footer), false, &tail);
    flow::page_numbers(c, false);
    Ok(())
}
