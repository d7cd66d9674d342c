//! The invoice's key/value header data (number, dates, references) and three
//! ways of placing it: labels beside values, labels above values in a grid,
//! and inline pairs.

use crate::layout::Ctx;
use crate::layout::blocks::fit;
use crate::pdf::{Rgb, TextStyle};
use crate::truth::{Label, Tag};
use crate::vocab::Key;

/// One header datum.
#[derive(Debug, Clone)]
pub struct Meta {
    pub label: String,
    pub value: String,
    pub tag: Tag,
}

/// Which header data a layout may show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum M {
    InvoiceNo,
    Date,
    Due,
    Terms,
    OrderNo,
    BuyerRef,
    SupplierRef,
    CustomerNo,
    Ocr,
    PayRef,
    Delivery,
    Currency,
    Interest,
    CreditRef,
}

/// The typical header set.
pub const STANDARD: &[M] = &[
    M::InvoiceNo,
    M::Date,
    M::Due,
    M::Terms,
    M::CustomerNo,
    M::BuyerRef,
    M::SupplierRef,
    M::OrderNo,
    M::Ocr,
    M::Delivery,
    M::Currency,
    M::Interest,
];

/// Header rows for `want`, each present with a realistic probability.
pub fn rows(c: &mut Ctx, want: &[M]) -> Vec<Meta> {
    let inv = c.inv.clone();
    let mut out = Vec::new();
    let mut push = |label: String, value: String, tag: Tag| out.push(Meta { label, value, tag });
    for m in want {
        match m {
            M::InvoiceNo => {
                push(c.v.l(Key::InvoiceNo), inv.number.clone(), Tag::B(Label::InvoiceNumber))
            }
            M::Date => push(c.v.l(Key::InvoiceDate), c.date(inv.date), Tag::B(Label::InvoiceDate)),
            M::Due if !inv.credit || c.chance(0.4) => {
                push(c.v.l(Key::DueDate), c.date(inv.due), Tag::B(Label::DueDate))
            }
            M::Terms if c.chance(0.5) => push(c.v.l(Key::Terms), c.v.terms(inv.terms_days), Tag::O),
            M::OrderNo => {
                if let Some(o) = &inv.order_no {
                    push(c.v.l(Key::OrderNo), o.clone(), Tag::B(Label::OrderNumber));
                }
            }
            M::BuyerRef => {
                if let Some(r) = &inv.buyer_ref
                    && c.chance(0.92)
                {
                    push(c.v.l(Key::BuyerRef), r.clone(), Tag::B(Label::BuyerReference));
                }
            }
            M::SupplierRef => {
                if let Some(r) = &inv.supplier_ref
                    && c.chance(0.9)
                {
                    push(c.v.l(Key::SupplierRef), r.clone(), Tag::B(Label::SupplierReference));
                }
            }
            M::CustomerNo if c.chance(0.6) => {
                push(c.v.l(Key::CustomerNo), inv.customer_no.clone(), Tag::O)
            }
            M::Ocr => {
                if let Some(o) = &inv.ocr
                    && c.chance(0.7)
                {
                    push(c.v.l(Key::Ocr), o.clone(), Tag::B(Label::PaymentReference));
                }
            }
            M::PayRef => {
                if let Some(r) = &inv.pay_ref {
                    push(c.v.l(Key::PayRef), r.clone(), Tag::B(Label::PaymentReference));
                }
            }
            M::Delivery if c.chance(0.2) => {
                push(c.v.l(Key::DeliveryDate), c.date(inv.delivery), Tag::O)
            }
            M::Currency if c.chance(0.15) => {
                push(c.v.l(Key::Currency), inv.currency.to_string(), Tag::B(Label::Currency))
            }
            M::Interest if c.chance(0.25) => {
                push(c.v.l(Key::LateInterest), format!("{} %", inv.interest), Tag::O)
            }
            M::CreditRef => {
                if let Some(n) = &inv.credited {
                    push(c.v.l(Key::CreditRef), n.clone(), Tag::O);
                }
            }
            _ => {}
        }
    }
    out
}

/// Labels at `x`, values in a column after the widest label (or right-aligned
/// at `right` when given). Returns the y after the last row.
pub fn beside(
    c: &mut Ctx,
    x: f32,
    mut y: f32,
    rows: &[Meta],
    right: Option<f32>,
    lst: &TextStyle,
    vst: &TextStyle,
) -> f32 {
    let space = lst.width(" ");
    let lw = rows.iter().map(|r| lst.width(&r.label)).fold(0.0f32, f32::max);
    let vx = x + lw + c.range(3.0, 6.0) * space;
    let vw = rows.iter().map(|r| vst.width(&r.value)).fold(0.0f32, f32::max);
    // Values that would run off the page are right-aligned at the margin.
    let right = if right.is_none() && vx + vw > c.th.right { Some(c.th.right) } else { right };
    let lh = lst.size.max(vst.size) * c.range(1.3, 1.55);
    for r in rows {
        c.doc.text(x, y, lst, &r.label, Tag::O);
        match right {
            Some(xr) => {
                let avail = xr - vx;
                let vs = fit(vst, &r.value, avail);
                c.doc.text_r(xr, y, &vs, &r.value, r.tag);
            }
            None => {
                c.doc.text(vx, y, vst, &r.value, r.tag);
            }
        }
        y += lh;
    }
    y
}

/// Width `beside` needs for labels and values (without `right`).
pub fn beside_width(rows: &[Meta], lst: &TextStyle, vst: &TextStyle) -> f32 {
    let lw = rows.iter().map(|r| lst.width(&r.label)).fold(0.0f32, f32::max);
    let vw = rows.iter().map(|r| vst.width(&r.value)).fold(0.0f32, f32::max);
    lw + 6.0 * lst.width(" ") + vw
}

/// A grid of cells, `ncols` across width `w`, small caption above each value;
/// `boxed` strokes each cell. Returns the y below the grid.
pub fn grid(c: &mut Ctx, x: f32, y: f32, w: f32, ncols: usize, rows: &[Meta], boxed: bool) -> f32 {
    let ncols = ncols.max(1);
    let cw = w / ncols as f32;
    let cap = c.th.small.color(Rgb::gray(0.35));
    let val = c.th.body;
    let ch = cap.size + val.size + 12.0;
    let nrows = rows.len().div_ceil(ncols);
    let pad = 4.0;
    for (i, r) in rows.iter().enumerate() {
        let cx = x + (i % ncols) as f32 * cw;
        let cy = y + (i / ncols) as f32 * ch;
        if boxed {
            c.doc.stroke_rect(cx, cy, cw, ch, Rgb::gray(0.45), 0.5);
        }
        let label = r.label.trim_end_matches(':');
        let ls = fit(&cap, label, cw - 2.0 * pad);
        c.doc.text(cx + pad, cy + pad + cap.size, &ls, label, Tag::O);
        let vs = fit(&val, &r.value, cw - 2.0 * pad);
        c.doc.text(cx + pad, cy + ch - pad - 2.0, &vs, &r.value, r.tag);
    }
    y + nrows as f32 * ch
}

/// "Label value" pairs flowing left to right across width `w`. Returns y below.
pub fn inline(c: &mut Ctx, x: f32, mut y: f32, w: f32, rows: &[Meta], st: &TextStyle) -> f32 {
    let gap = st.width(" ") * 4.0;
    let mut cx = x;
    let lh = st.size * 1.5;
    for r in rows {
        let label = if r.label.is_empty() { String::new() } else { format!("{} ", r.label) };
        let sw = st.width(&format!("{label}{}", r.value));
        if cx > x && cx + sw > x + w {
            cx = x;
            y += lh;
        }
        c.doc.spans(cx, y, st, &[(&label, Tag::O), (&r.value, r.tag)]);
        cx += sw + gap;
    }
    y + lh
}
