//! Cross-border and English-language families: EU/US suppliers invoicing a
//! Swedish buyer in EUR/USD, and Swedish companies invoicing in English.

use rand::RngExt;

use crate::error::Error;
use crate::layout::blocks::{self, Entry};
use crate::layout::{Ctx, Family, FontKind, Rng8, any_font, flow, meta, table, totals};
use crate::pdf::{PAGE_H, Rgb};
use crate::synth::{Lang, Profile, SupplierKind};
use crate::truth::{Label, Tag};
use crate::vocab::Key;

pub const FAMILIES: &[Family] = &[
    Family { name: "eur_usd_to_swedish_buyer", profile: p_foreign, fonts: f_any, draw: eur_usd },
    Family {
        name: "english_swedish_company",
        profile: p_english,
        fonts: f_any,
        draw: english_swedish,
    },
];

fn p_foreign(rng: &mut Rng8) -> Profile {
    let lang = if rng.random_bool(0.7) { Lang::En } else { Lang::Sv };
    let mut p = Profile::new(lang, (1, 7));
    p.currency = if rng.random_bool(0.7) { "EUR" } else { "USD" };
    p.supplier = SupplierKind::Foreign;
    p.rounding = 0.0;
    p
}

fn p_english(rng: &mut Rng8) -> Profile {
    let mut p = Profile::new(Lang::En, (1, 9));
    if rng.random_bool(0.3) {
        p.currency = "EUR";
        p.rounding = 0.0;
    }
    p
}

fn f_any(rng: &mut Rng8) -> (FontKind, (f32, f32)) {
    (any_font(rng, &[FontKind::Sans, FontKind::Serif, FontKind::Condensed]), (8.5, 11.0))
}

/// Payment details: IBAN, BIC and the reference, in a tinted box. Returns y below.
fn bank_box(c: &mut Ctx, x: f32, y: f32, w: f32) -> f32 {
    let mut entries = blocks::bank_entries(c, true);
    if let Some(r) = c.inv.pay_ref.clone() {
        entries.push(Entry::kv(c.v.l(Key::PayRef), r, Tag::B(Label::PaymentReference)));
    }
    if let Some(o) = c.inv.ocr.clone() {
        entries.push(Entry::kv(c.v.l(Key::Ocr), o, Tag::B(Label::PaymentReference)));
    }
    if entries.is_empty() {
        return y;
    }
    let head = c.v.w(Key::PaymentHeading);
    let hs = c.th.small_bold.color(c.th.accent);
    let st = c.th.small;
    let lh = st.size * 1.35;
    let lines: f32 = entries
        .iter()
        .map(|e| {
            let label = e.label.clone().unwrap_or_default();
            if st.width(&format!("{label} {}", e.value)) > w - 12.0 { 2.0 } else { 1.0 }
        })
        .sum();
    let h = lines * lh + hs.size * 2.0 + 8.0;
    c.doc.fill_rect(x, y, w, h, c.th.tint);
    c.doc.text(x + 6.0, y + hs.size + 5.0, &hs, head, Tag::O);
    blocks::column(c, x + 6.0, y + hs.size * 2.0 + 7.0, w - 12.0, &st, &entries, false);
    y + h + 8.0
}

/// EU or US supplier, EUR/USD, reverse charge, IBAN and BIC.
fn eur_usd(c: &mut Ctx) -> Result<(), Error> {
    let (l, r, top, w) = (c.th.left, c.th.right, c.th.top, c.th.width());
    let name = c.inv.supplier.name.clone();
    let ns = blocks::fit(&c.th.bold.sized(c.th.body.size + 5.0).color(c.th.accent), &name, w * 0.5);
    c.doc.text(l, top + ns.size, &ns, &name, Tag::B(Label::SupplierName));
    let contact = c.chance(0.5);
    let ys = blocks::supplier_block(c, l, top + ns.size * 2.2, w * 0.45, false, contact);
    let mut legal = Vec::new();
    if let Some(v) = c.inv.supplier.vat.clone() {
        legal.push(Entry::kv(c.v.l(Key::VatNo), v, Tag::B(Label::SupplierVat)));
    }
    let st = c.th.small;
    let ys = blocks::column(c, l, ys, w * 0.45, &st, &legal, false);
    let yt = flow::title(c, r, top);
    let rows = meta::rows(
        c,
        &[
            meta::M::InvoiceNo,
            meta::M::Date,
            meta::M::Due,
            meta::M::BuyerRef,
            meta::M::OrderNo,
            meta::M::Currency,
            meta::M::Terms,
        ],
    );
    let vst = c.th.body;
    let lst = c.th.small_bold;
    let ym = meta::beside(c, l + w * 0.56, yt + 6.0, &rows, Some(r), &lst, &vst);
    let mut yb = blocks::buyer_block(c, l, ys + 18.0, w * 0.45, true, false);
    if let Some(v) = c.inv.buyer.vat.clone() {
        let s = format!("{} {v}", c.v.l(Key::VatNo));
        c.doc.text(l, yb, &st, &s, Tag::O);
        yb += st.size * 1.4;
    }
    let vat_col = c.chance(0.5);
    let spec = table::spec(c, vat_col);
    let tail = |c: &mut Ctx, y: f32| {
        let w = c.th.width();
        let xl = c.th.right - w * 0.46;
        let y1 = totals::stack(c, xl, c.th.right, y + 14.0, false);
        let share = c.range(0.55, 0.75);
        bank_box(c, c.th.left, y1 + 8.0, w * share)
    };
    let y = flow::flow(c, yb.max(ym) + 22.0, &spec, None, false, &tail);
    let email = c.inv.supplier.email.clone();
    let phone = c.inv.supplier.phone.clone();
    let foot = format!("{name}   ·   {phone}   ·   {email}");
    let fs = blocks::fit(&c.th.small.color(Rgb::gray(0.35)), &foot, w);
    if y < PAGE_H - 40.0 {
        c.doc.hline(l, r, PAGE_H - 34.0, 0.5, Rgb::gray(0.6));
        c.doc.spans(
            l,
            PAGE_H - 24.0,
            &fs,
            &[
                (&name, Tag::B(Label::SupplierName)),
                (&format!("   ·   {phone}   ·   {email}"), Tag::O),
            ],
        );
    }
    flow::page_numbers(c, false);
    Ok(())
}

/// A Swedish company with English captions; Swedish identifiers, SEK or EUR.
fn english_swedish(c: &mut Ctx) -> Result<(), Error> {
    let (l, r, top, w) = (c.th.left, c.th.right, c.th.top, c.th.width());
    let tw = flow::title_width(c);
    let y_logo = blocks::logo(c, l, top, (w * 0.48).min(w - tw - 30.0));
    let yt = flow::title(c, r, top);
    let ys = blocks::supplier_block(c, l, y_logo + 4.0, w * 0.45, false, false);
    let rows = meta::rows(c, meta::STANDARD);
    let lst = c.th.body;
    let right = c.chance(0.5).then_some(r);
    let ym = meta::beside(c, l + w * 0.55, yt + 6.0, &rows, right, &lst, &lst);
    let buyer_org = c.chance(0.4);
    let yb = blocks::buyer_block(c, l, ys + 16.0, w * 0.45, true, buyer_org);
    let extra_col = c.rng_index(2);
    let above = c.chance(0.4);
    let footer = blocks::plan_footer(c, 3 + extra_col, above);
    let spec = table::spec(c, true);
    let tail = |c: &mut Ctx, y: f32| {
        let y = flow::closing(c, y, true);
        if c.inv.currency != "SEK" {
            bank_box(c, c.th.left, y + 4.0, c.th.width() * 0.6)
        } else {
            y
        }
    };
    flow::flow(c, yb.max(ym) + 20.0, &spec, Some(&footer), false, &tail);
    flow::page_numbers(c, false);
    Ok(())
}
