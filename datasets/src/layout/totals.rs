//! Totals: stacked sums, a row of boxes, the VAT breakdown table, and the
//! total amount with its currency.

use rust_decimal::Decimal;

use crate::layout::Ctx;
use crate::layout::blocks::fit;
use crate::pdf::{Rgb, TextStyle};
use crate::truth::{Label, Tag};
use crate::vocab::Key;

/// The total with its currency affix, as spans.
pub fn total_spans(c: &mut Ctx) -> Vec<(String, Tag)> {
    let amount = c.amt(c.inv.total);
    let cur = c.inv.currency;
    let t = (amount.clone(), Tag::B(Label::TotalAmount));
    let code = |s: &str| (s.to_string(), Tag::B(Label::Currency));
    let sp = || (" ".to_string(), Tag::O);
    match (cur, c.rng_index(7)) {
        (_, 0 | 1) => vec![t, sp(), code(cur)],
        (_, 2) => vec![code(cur), sp(), t],
        ("SEK", 3 | 4) => vec![t, (" kr".into(), Tag::O)],
        ("EUR", 3) => vec![("€ ".into(), Tag::O), t],
        ("EUR", 4) => vec![t, (" €".into(), Tag::O)],
        ("USD", 3 | 4) => vec![(format!("${amount}"), Tag::B(Label::TotalAmount))],
        _ => vec![t],
    }
}

fn as_refs(v: &[(String, Tag)]) -> Vec<(&str, Tag)> {
    v.iter().map(|(s, t)| (s.as_str(), *t)).collect()
}

/// VAT caption for one rate: "Moms 25 %".
fn vat_caption(c: &Ctx, rate: Decimal) -> String {
    let w = match c.v.w(Key::Vat) {
        "Moms totalt" | "Summa moms" => "Moms",
        "Total VAT" => "VAT",
        w => w,
    };
    format!("{w} {}", c.f.pct(rate))
}

/// One totals row: caption at `xl`, value right-aligned at `xr`, shrunk to fit together.
fn row(
    c: &mut Ctx,
    (xl, xr, y): (f32, f32, f32),
    st: &TextStyle,
    label: &str,
    value: &str,
    tag: Tag,
) {
    let fs = fit(st, &format!("{label}    {value}"), xr - xl);
    c.doc.text(xl, y, &fs, label, Tag::O);
    c.doc.text_r(xr, y, &fs, value, tag);
}

/// Stacked totals: captions at `xl`, amounts right-aligned at `xr`. `breakdown`
/// prints one VAT line per rate before the VAT total. Returns y below.
pub fn stack(c: &mut Ctx, xl: f32, xr: f32, mut y: f32, breakdown_printed: bool) -> f32 {
    let st = c.th.body;
    let bold = c.th.bold;
    let lh = st.size * c.range(1.35, 1.6);
    let inv = c.inv.clone();
    let colon = if c.v.colon { ":" } else { "" };
    if c.chance(0.95) {
        let net = c.amt(inv.net);
        row(c, (xl, xr, y), &st, &c.v.l(Key::Net), &net, Tag::B(Label::NetAmount));
        y += lh;
    }
    let single = inv.vat.len() == 1;
    if single && !breakdown_printed {
        let cap = format!("{}{colon}", vat_caption(c, inv.vat[0].rate));
        let s = c.amt(inv.vat_total);
        row(c, (xl, xr, y), &st, &cap, &s, Tag::B(Label::VatAmount));
        y += lh;
    } else {
        if !breakdown_printed {
            for v in &inv.vat {
                let cap = format!("{}{colon}", vat_caption(c, v.rate));
                let s = c.amt(v.amount);
                row(c, (xl, xr, y), &st, &cap, &s, Tag::O);
                y += lh;
            }
        }
        let cap = if c.v.sv() {
            *c.pick(&["Summa moms", "Moms totalt", "Total moms"])
        } else {
            "Total VAT"
        };
        let s = c.amt(inv.vat_total);
        row(c, (xl, xr, y), &st, &format!("{cap}{colon}"), &s, Tag::B(Label::VatAmount));
        y += lh;
    }
    if inv.reverse_charge {
        let rc = c.v.w(Key::ReverseCharge);
        let s = fit(&c.th.small, rc, xr - xl);
        c.doc.text(xl, y, &s, rc, Tag::O);
        y += lh;
    }
    if inv.rounded {
        let g = c.amt(inv.gross);
        row(c, (xl, xr, y), &st, &c.v.l(Key::Gross), &g, Tag::O);
        y += lh;
        let r = c.amt(inv.rounding);
        row(c, (xl, xr, y), &st, &c.v.l(Key::Rounding), &r, Tag::O);
        y += lh;
    }
    c.doc.hline(xl, xr, y - lh + 4.0, 0.6, Rgb::BLACK);
    y += 4.0;
    let key = if inv.credit && c.chance(0.5) { Key::CreditTotal } else { Key::Total };
    let mut big = if c.chance(0.5) { bold.sized(bold.size + 2.0) } else { bold };
    let spans = total_spans(c);
    let label = c.v.l(key);
    let value: String = spans.iter().map(|s| s.0.as_str()).collect();
    while big.size > 6.5 && big.width(&format!("{label}    {value}")) > xr - xl {
        big.size -= 0.5;
    }
    let boxed = c.chance(0.3);
    if boxed {
        c.doc.fill_rect(xl - 4.0, y - big.size - 3.0, xr - xl + 8.0, big.size + 8.0, c.th.tint);
    }
    c.doc.text(xl, y, &big, &label, Tag::O);
    c.doc.spans_r(xr, y, &big, &as_refs(&spans));
    if !boxed && c.chance(0.5) {
        c.doc.hline(xl, xr, y + 4.0, 0.6, Rgb::BLACK);
        c.doc.hline(xl, xr, y + 6.0, 0.6, Rgb::BLACK);
    }
    y + big.size * 1.8
}

/// Totals as a row of captioned boxes across `x..x+w`. Returns y below.
pub fn boxes(c: &mut Ctx, x: f32, y: f32, w: f32) -> f32 {
    let inv = c.inv.clone();
    let mut cells: Vec<(String, Vec<(String, Tag)>)> = vec![
        (c.v.w(Key::Net).to_string(), vec![(c.amt(inv.net), Tag::B(Label::NetAmount))]),
        (
            if inv.vat.len() == 1 {
                vat_caption(c, inv.vat[0].rate)
            } else {
                c.v.w(Key::Vat).to_string()
            },
            vec![(c.amt(inv.vat_total), Tag::B(Label::VatAmount))],
        ),
    ];
    if inv.rounded {
        cells.push((c.v.w(Key::Rounding).to_string(), vec![(c.amt(inv.rounding), Tag::O)]));
    }
    let key = if inv.credit { Key::CreditTotal } else { Key::Total };
    cells.push((c.v.w(key).to_string(), total_spans(c)));
    let cw = w / cells.len() as f32;
    let cap = c.th.small.color(Rgb::gray(0.3));
    let val = c.th.bold;
    let h = cap.size + val.size + 14.0;
    let n = cells.len();
    for (i, (caption, spans)) in cells.iter().enumerate() {
        let cx = x + i as f32 * cw;
        if i + 1 == n {
            c.doc.fill_rect(cx, y, cw, h, c.th.tint);
        }
        c.doc.stroke_rect(cx, y, cw, h, Rgb::gray(0.4), 0.6);
        let cs = fit(&cap, caption, cw - 8.0);
        c.doc.text(cx + 4.0, y + 4.0 + cap.size, &cs, caption, Tag::O);
        let text: String = spans.iter().map(|s| s.0.as_str()).collect();
        let vs = fit(&val, &text, cw - 8.0);
        c.doc.spans_r(cx + cw - 4.0, y + h - 5.0, &vs, &as_refs(spans));
    }
    y + h + 10.0
}

/// A VAT breakdown table (rate, base, VAT, optional gross) at `x..x+w`; with
/// `sum` a sum row carries the labelled net and VAT totals. Returns y below.
pub fn vat_table(c: &mut Ctx, x: f32, y: f32, w: f32, sum: bool) -> f32 {
    let inv = c.inv.clone();
    let st = c.th.small.sized(c.th.body.size - 0.5);
    let hb = c.th.small_bold.sized(st.size);
    let with_gross = c.chance(0.4);
    let sv = c.v.sv();
    let mut caps = vec![
        if sv { "Momssats" } else { "VAT rate" },
        c.v.w(Key::VatBase),
        if sv { "Moms" } else { "VAT" },
    ];
    if with_gross {
        caps.push(if sv { "Totalt" } else { "Total" });
    }
    let n = caps.len();
    let cw = w / n as f32;
    let lh = st.size * 1.5;
    c.doc.fill_rect(x, y - st.size - 2.0, w, lh, c.th.tint);
    for (i, cap) in caps.iter().enumerate() {
        let xr = x + (i + 1) as f32 * cw - 4.0;
        let hs = fit(&hb, cap, cw - 10.0);
        if i == 0 {
            c.doc.text(x + 4.0, y, &hs, cap, Tag::O);
        } else {
            c.doc.text_r(xr, y, &hs, cap, Tag::O);
        }
    }
    let mut yy = y + lh;
    for v in &inv.vat {
        let vals = [c.f.pct(v.rate), c.amt(v.base), c.amt(v.amount), c.amt(v.base + v.amount)];
        for (i, s) in vals.iter().take(n).enumerate() {
            let vs = fit(&st, s, cw - 10.0);
            if i == 0 {
                c.doc.text(x + 4.0, yy, &vs, s, Tag::O);
            } else {
                c.doc.text_r(x + (i + 1) as f32 * cw - 4.0, yy, &vs, s, Tag::O);
            }
        }
        yy += lh;
    }
    if sum {
        c.doc.hline(x, x + w, yy - lh + 3.0, 0.5, Rgb::gray(0.3));
        let b = TextStyle { font: hb.font, ..st };
        c.doc.text(x + 4.0, yy, &b, if sv { "Summa" } else { "Total" }, Tag::O);
        let net = c.amt(inv.net);
        let vat = c.amt(inv.vat_total);
        c.doc.text_r(
            x + 2.0 * cw - 4.0,
            yy,
            &fit(&b, &net, cw - 10.0),
            &net,
            Tag::B(Label::NetAmount),
        );
        c.doc.text_r(
            x + 3.0 * cw - 4.0,
            yy,
            &fit(&b, &vat, cw - 10.0),
            &vat,
            Tag::B(Label::VatAmount),
        );
        if with_gross {
            // Without öresavrundning the gross sum is the total to pay.
            let g = c.amt(inv.gross);
            let tag = if inv.rounded { Tag::O } else { Tag::B(Label::TotalAmount) };
            c.doc.text_r(x + 4.0 * cw - 4.0, yy, &fit(&b, &g, cw - 10.0), &g, tag);
        }
        yy += lh;
    }
    yy
}
