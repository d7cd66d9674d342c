//! Page flow shared by the families: the item table followed by a closing
//! block, page breaks with continuation headers, footers on every page and
//! page numbers.

use crate::layout::Ctx;
use crate::layout::blocks::{FooterPlan, fit};
use crate::layout::table::{self, Paging, TableSpec};
use crate::pdf::{PAGE_H, Rgb, TextStyle};
use crate::synth::ids;
use crate::truth::{Label, Tag};
use crate::vocab::Key;

/// Height that `draw` would take from `y`, measured on a copy.
pub fn measure(c: &Ctx, y: f32, draw: &dyn Fn(&mut Ctx, f32) -> f32) -> f32 {
    let mut copy = c.clone();
    draw(&mut copy, y) - y
}

/// A small header on continuation pages: supplier name and invoice number.
/// Returns the y where content may start.
pub fn cont_header(c: &mut Ctx) -> f32 {
    let top = c.th.top;
    let st = c.th.small_bold;
    let name = c.inv.supplier.name.clone();
    let ns = fit(&st, &name, c.th.width() * 0.45);
    c.doc.text(c.th.left, top + 10.0, &ns, &name, Tag::B(Label::SupplierName));
    let key = if c.inv.credit { Key::CreditTitle } else { Key::Title };
    let label = format!("{} {} ", c.v.w(key), c.v.w(Key::InvoiceNo));
    let num = c.inv.number.clone();
    let cont = if c.v.sv() { " (forts.)" } else { " (continued)" };
    let st = c.th.small;
    c.doc.spans_r(
        c.th.right,
        top + 10.0,
        &st,
        &[(&label, Tag::O), (&num, Tag::B(Label::InvoiceNumber)), (cont, Tag::O)],
    );
    c.doc.hline(c.th.left, c.th.right, top + 16.0, 0.5, Rgb::gray(0.5));
    top + 40.0
}

/// Draws the table from `y`, then `tail` (totals and notes) where it fits,
/// breaking pages as needed. The footer, when given, is drawn on every page.
/// Returns the y after the tail.
pub fn flow(
    c: &mut Ctx,
    y: f32,
    spec: &TableSpec,
    footer: Option<&FooterPlan>,
    carry: bool,
    tail: &dyn Fn(&mut Ctx, f32) -> f32,
) -> f32 {
    let fy = footer.map(|f| PAGE_H - 24.0 - f.height(c));
    let bottom = fy.map_or(PAGE_H - 46.0, |v| v - 14.0);
    let first_bottom = c.first_bottom.take().unwrap_or(bottom);
    if let (Some(f), Some(fy)) = (footer, fy) {
        f.draw(c, fy);
    }
    let new_page = |c: &mut Ctx| {
        c.doc.new_page();
        if let (Some(f), Some(fy)) = (footer, fy) {
            f.draw(c, fy);
        }
        (cont_header(c), bottom)
    };
    let y = table::draw(c, spec, y, &Paging { bottom: first_bottom, carry, new_page: &new_page });
    let h = measure(c, y, tail);
    let limit = if c.doc.page_count() == 1 { first_bottom } else { bottom };
    let y = if y + h > limit + c.th.body.size { new_page(c).0 } else { y };
    tail(c, y)
}

/// "Sida 1 av 2" on every page (bottom right), or only when there are several pages.
pub fn page_numbers(c: &mut Ctx, always: bool) {
    let n = c.doc.page_count();
    if n < 2 && !always {
        return;
    }
    let st = c.th.small.sized(c.th.small.size.min(7.5));
    let style = c.rng_index(3);
    for i in 0..n {
        c.doc.goto_page(i);
        let s = match (c.v.sv(), style) {
            (true, 0) => format!("Sida {} av {n}", i + 1),
            (true, 1) => format!("Sida {} ({n})", i + 1),
            (false, _) => format!("Page {} of {n}", i + 1),
            _ => format!("{}/{n}", i + 1),
        };
        c.doc.text_r(c.th.right, PAGE_H - 13.0, &st, &s, Tag::O);
    }
    c.doc.goto_page(n - 1);
}

/// Width of the title that [`title`] draws.
pub fn title_width(c: &Ctx) -> f32 {
    let key = if c.inv.credit { Key::CreditTitle } else { Key::Title };
    let t = c.v.w(key);
    if c.number_in_title {
        c.th.title.sized(c.th.title.size * 0.8).width(&format!("{t} {}", c.inv.number))
    } else {
        c.th.title.width(t)
    }
}

/// The document title (FAKTURA / KREDITFAKTURA / INVOICE) right-aligned at `xr`.
pub fn title(c: &mut Ctx, xr: f32, y: f32) -> f32 {
    let key = if c.inv.credit { Key::CreditTitle } else { Key::Title };
    let t = c.v.w(key);
    let st = c.th.title.color(if c.chance(0.5) { c.th.accent } else { Rgb::BLACK });
    if c.number_in_title {
        // "Faktura 2026-0142": the number in the title, a little smaller.
        let num = c.inv.number.clone();
        let ts = st.sized(st.size * 0.8);
        let lead = format!("{t} ");
        c.doc.spans_r(
            xr,
            y + ts.size,
            &ts,
            &[(&lead, Tag::O), (&num, Tag::B(Label::InvoiceNumber))],
        );
        return y + ts.size * 1.6;
    }
    c.doc.text_r(xr, y + st.size, &st, t, Tag::O);
    y + st.size * 1.6
}

/// A payment sentence naming the OCR/Bankgiro/due date, if the invoice has them.
pub fn payment_note(c: &mut Ctx, x: f32, y: f32, w: f32) -> f32 {
    let inv = c.inv.clone();
    let st = c.th.small;
    let due = c.date(inv.due);
    let mut spans: Vec<(String, Tag)> = Vec::new();
    let o = |s: &str| (s.to_string(), Tag::O);
    match (c.v.sv(), &inv.ocr, &inv.pay.bankgiro) {
        (true, Some(ocr), Some(bg)) if c.chance(0.5) => {
            spans.extend([
                o("Vid betalning ange OCR-nummer "),
                (ocr.clone(), Tag::B(Label::PaymentReference)),
            ]);
            spans.extend([
                o(" till bankgiro "),
                (ids::fmt_bankgiro(bg), Tag::B(Label::Bankgiro)),
                o("."),
            ]);
        }
        (true, Some(ocr), _) => {
            spans.extend([
                o("Ange OCR "),
                (ocr.clone(), Tag::B(Label::PaymentReference)),
                o(" vid betalning."),
            ]);
        }
        (true, None, Some(bg)) if !inv.credit => {
            spans.extend([
                o("Betala till bankgiro "),
                (ids::fmt_bankgiro(bg), Tag::B(Label::Bankgiro)),
            ]);
            spans.extend([
                o(" senast "),
                (due, Tag::B(Label::DueDate)),
                o(". Ange fakturanummer som referens."),
            ]);
        }
        (false, Some(ocr), _) => {
            spans.extend([
                o("Please use OCR reference "),
                (ocr.clone(), Tag::B(Label::PaymentReference)),
            ]);
            spans.push(o(" when paying."));
        }
        (false, None, _) if !inv.credit => {
            spans.extend([o("Payment due by "), (due, Tag::B(Label::DueDate)), o(".")]);
        }
        _ if inv.credit => {
            let s = if c.v.sv() {
                "Beloppet kvittas mot kommande faktura."
            } else {
                "The amount will be offset against your next invoice."
            };
            spans.push(o(s));
        }
        _ => return y,
    }
    let text: String = spans.iter().map(|s| s.0.as_str()).collect();
    let fs: TextStyle = fit(&st, &text, w);
    let refs: Vec<(&str, Tag)> = spans.iter().map(|(s, t)| (s.as_str(), *t)).collect();
    c.doc.spans(x, y, &fs, &refs);
    y + fs.size * 1.6
}

/// Standard closing block: totals stack at right plus an optional note at left.
pub fn closing(c: &mut Ctx, y: f32, note: bool) -> f32 {
    let w = c.th.width();
    let xl = c.th.right - (w * c.range(0.42, 0.52));
    let y1 = crate::layout::totals::stack(c, xl, c.th.right, y + c.th.body.size * 1.5, false);
    let mut y = y1;
    if note {
        y = payment_note(c, c.th.left, y1 + 6.0, w);
    }
    if c.chance(0.3) {
        let text = if c.v.sv() {
            format!(
                "Vid betalning efter förfallodagen debiteras dröjsmålsränta med {} %.",
                c.inv.interest
            )
        } else {
            format!("Interest of {} % is charged on late payments.", c.inv.interest)
        };
        let st = fit(&c.th.small.color(Rgb::gray(0.3)), &text, w);
        c.doc.text(c.th.left, y + 2.0, &st, &text, Tag::O);
        y += st.size * 1.6;
    }
    y
}

/// A delivery address block (a distractor: not the supplier's address). Returns y below.
pub fn delivery_block(c: &mut Ctx, x: f32, y: f32, w: f32) -> f32 {
    let head = if c.v.sv() {
        *c.pick(&["Leveransadress", "Levereras till", "Godsmottagare"])
    } else {
        "Delivery address"
    };
    let hs = c.th.small_bold.color(c.th.accent);
    c.doc.text(x, y, &hs, head, Tag::O);
    let city = c.inv.buyer.city.clone();
    let street = format!("{} {}", c.pick(crate::synth::names::STREETS), 1 + c.rng_index(90));
    let post = format!("{} {}", 100 + c.rng_index(880), 10 + c.rng_index(89));
    let first = c
        .pick(&["Godsmottagningen", "Lager 2", "Port 4", "Reception", "Byggarbetsplats"])
        .to_string();
    let st = c.th.small;
    let mut yy = y + hs.size * 1.5;
    for line in [first, street, format!("{post} {city}")] {
        let ls = fit(&st, &line, w);
        c.doc.text(x, yy, &ls, &line, Tag::O);
        yy += st.size * 1.35;
    }
    yy
}
