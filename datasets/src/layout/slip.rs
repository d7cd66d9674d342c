//! An invoice with a Bankgiro payment slip (inbetalningskort / OCR-avi) at
//! the bottom of page 1, ending in the machine-readable OCR line.

use invex_domain::validate;
use rust_decimal::Decimal;

use crate::error::Error;
use crate::layout::blocks::{self, Entry};
use crate::layout::{Ctx, Family, FontKind, Rng8, any_font, flow, meta, sek, table};
use crate::pdf::{FontId, PAGE_H, PAGE_W, Rgb, TextStyle};
use crate::synth::{Profile, ids};
use crate::truth::{Label, Tag};

pub const FAMILIES: &[Family] =
    &[Family { name: "payment_slip_footer", profile: p_slip, fonts: f_slip, draw: payment_slip }];

fn p_slip(_: &mut Rng8) -> Profile {
    let mut p = sek((1, 5));
    p.force_ocr = true;
    p.rounding = 0.5;
    p
}

fn f_slip(rng: &mut Rng8) -> (FontKind, (f32, f32)) {
    (any_font(rng, &[FontKind::Sans, FontKind::Condensed, FontKind::Serif]), (8.0, 10.0))
}

/// `#  OCR #   kronor öre   check >   bankgiro#41#`
fn machine_line(ocr: &str, total: Decimal, bg: &str) -> String {
    let ore_total = (total * Decimal::from(100)).round().abs();
    let kr = (ore_total / Decimal::from(100)).trunc();
    let ore = ore_total - kr * Decimal::from(100);
    let amount_digits = format!("{kr}{ore:02}");
    let check = validate::luhn_check_digit(&amount_digits).unwrap_or(0);
    format!("#  {ocr} #   {kr} {ore:02}   {check} >   {bg}#41#")
}

/// Draws one captioned box; the value is drawn as spans. Returns nothing.
fn slip_box(c: &mut Ctx, x: f32, y: f32, w: f32, h: f32, caption: &str, value: &[(String, Tag)]) {
    c.doc.stroke_rect(x, y, w, h, Rgb::gray(0.2), 0.6);
    let cap = c.th.small.sized(6.5).color(Rgb::gray(0.3));
    c.doc.text(x + 3.0, y + 8.0, &cap, caption, Tag::O);
    let text: String = value.iter().map(|s| s.0.as_str()).collect();
    let vs = blocks::fit(&c.th.body.sized(c.th.body.size.max(9.0)), &text, w - 8.0);
    let refs: Vec<(&str, Tag)> = value.iter().map(|(s, t)| (s.as_str(), *t)).collect();
    c.doc.spans(x + 4.0, y + h - 6.0, &vs, &refs);
}

fn payment_slip(c: &mut Ctx) -> Result<(), Error> {
    let (l, r, top, w) = (c.th.left, c.th.right, c.th.top, c.th.width());
    let tw = flow::title_width(c);
    let y_logo = blocks::logo(c, l, top, (w * 0.48).min(w - tw - 30.0));
    let yt = flow::title(c, r, top);
    let rows = meta::rows(c, meta::STANDARD);
    let st = c.th.body;
    let ym = meta::beside(c, l + w * 0.55, yt + 6.0, &rows, None, &st, &st);
    let heading = c.chance(0.4);
    let yb = blocks::buyer_block(c, l, (y_logo + 20.0).max(130.0), w * 0.45, heading, false);

    // The slip.
    let inv = c.inv.clone();
    let (Some(ocr), Some(bg)) = (inv.ocr.clone(), inv.pay.bankgiro.clone()) else {
        return Err(Error::Layout("payment slip needs OCR and Bankgiro".into()));
    };
    let sh = c.range(200.0, 235.0);
    let sy = PAGE_H - 18.0 - sh;
    c.doc.dashed(18.0, PAGE_W - 18.0, sy, 0.6, Rgb::gray(0.4), [4.0, 3.0]);
    let title = *c.pick(&[
        "INBETALNING/GIRERING AVI",
        "OCR-AVI",
        "INBETALNINGSKORT",
        "Bankgiro Inbetalning",
    ]);
    let hs = TextStyle::new(c.th.bold.font, 11.0).color(c.th.accent);
    c.doc.text(l, sy + 22.0, &hs, title, Tag::O);
    let bh = 30.0;
    let y1 = sy + 32.0;
    let mot = c.pick(&["Betalningsmottagare", "Mottagare"]).to_string();
    slip_box(
        c,
        l,
        y1,
        w * 0.55,
        bh,
        &mot,
        &[(inv.supplier.name.clone(), Tag::B(Label::SupplierName))],
    );
    let bgcap = c.pick(&["Till bankgironummer", "Bankgironummer", "Bankgiro"]).to_string();
    slip_box(
        c,
        l + w * 0.55,
        y1,
        w * 0.45,
        bh,
        &bgcap,
        &[(ids::fmt_bankgiro(&bg), Tag::B(Label::Bankgiro))],
    );
    let y2 = y1 + bh;
    let ocrcap = c.pick(&["OCR-nummer", "Referensnummer (OCR)", "OCR"]).to_string();
    slip_box(c, l, y2, w * 0.42, bh, &ocrcap, &[(ocr.clone(), Tag::B(Label::PaymentReference))]);
    let amount = vec![(c.amt(inv.total), Tag::B(Label::TotalAmount))];
    let bcap = c.pick(&["Belopp", "Att betala", "Kronor"]).to_string();
    slip_box(c, l + w * 0.42, y2, w * 0.3, bh, &bcap, &amount);
    let dcap = c.pick(&["Förfallodag", "Betalas senast", "Förfallodatum"]).to_string();
    let due = c.date(inv.due);
    slip_box(c, l + w * 0.72, y2, w * 0.28, bh, &dcap, &[(due, Tag::B(Label::DueDate))]);
    let y3 = y2 + bh + 6.0;
    let cap = c.th.small.sized(6.5).color(Rgb::gray(0.3));
    c.doc.text(l + 3.0, y3 + 8.0, &cap, "Inbetalare", Tag::O);
    let mut who = vec![Entry::text(inv.buyer.name.clone(), Tag::B(Label::BuyerName))];
    who.extend(blocks::address_entries(&inv.buyer.address, None));
    let ws = c.th.small.sized(8.0);
    let yw = blocks::column(c, l + 4.0, y3 + 19.0, w * 0.5, &ws, &who, false);
    c.doc.stroke_rect(l, y3, w * 0.55, yw - y3 - 4.0, Rgb::gray(0.2), 0.6);
    let msg = c
        .pick(&[
            "Meddelande: Ange endast OCR-numret",
            "Använd alltid OCR-numret vid betalning",
            "Ange OCR-nummer",
        ])
        .to_string();
    let ms = blocks::fit(&c.th.small.sized(7.0), &msg, w * 0.42);
    c.doc.text(l + w * 0.58, y3 + 12.0, &ms, &msg, Tag::O);
    let line = machine_line(&ocr, inv.total, &bg);
    let mono = TextStyle::new(FontId::Mono, 10.0);
    let lw = mono.width(&line);
    let words: Vec<&str> = line.split(' ').collect();
    // Label the OCR inside the machine line; everything else is O.
    let mut spans: Vec<(String, Tag)> = Vec::new();
    for (i, wd) in words.iter().enumerate() {
        if i > 0 {
            spans.push((" ".into(), Tag::O));
        }
        let tag = if *wd == ocr && i < 4 { Tag::B(Label::PaymentReference) } else { Tag::O };
        spans.push((wd.to_string(), tag));
    }
    let refs: Vec<(&str, Tag)> = spans.iter().map(|(s, t)| (s.as_str(), *t)).collect();
    c.doc.spans((r - lw).max(l), PAGE_H - 26.0, &mono, &refs);

    // Legal line above the slip, then the body.
    let fsk = c.chance(0.8);
    let legal = blocks::legal_entries(c, fsk, false);
    let rows_l: Vec<meta::Meta> = legal
        .into_iter()
        .map(|e| meta::Meta { label: e.label.unwrap_or_default(), value: e.value, tag: e.tag })
        .collect();
    let small = c.th.small;
    let h = flow::measure(c, 0.0, &|c, y| meta::inline(c, l, y, w, &rows_l, &small));
    let ly = sy - 8.0 - h + small.size;
    meta::inline(c, l, ly, w, &rows_l, &small);
    c.first_bottom = Some(ly - small.size - 16.0);
    let spec = table::spec(c, true);
    flow::flow(c, yb.max(ym) + 22.0, &spec, None, false, &|c, y| flow::closing(c, y, false));
    flow::page_numbers(c, false);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn machine_line_has_amount_check_digit() {
        let l = machine_line("12345678901", Decimal::new(123400, 2), "50501055");
        assert!(l.starts_with("#  12345678901 #   1234 00   "), "{l}");
        assert!(l.ends_with(" >   50501055#41#"), "{l}");
        let check = l.split_whitespace().nth(5).unwrap_or_default();
        assert!(validate::luhn_valid(&format!("123400{check}")));
    }
}
