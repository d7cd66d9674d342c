//! Letter-like layouts: a centred letterhead with a one-line company footer,
//! and a monospaced ERP printout with dot-leader captions.

use crate::error::Error;
use crate::layout::blocks::{self, Entry};
use crate::layout::table::{self, Head};
use crate::layout::{Ctx, Family, FontKind, Rng8, any_font, flow, meta, sek};
use crate::pdf::{PAGE_H, PAGE_W, Rgb, TextStyle};
use crate::synth::Profile;
use crate::truth::{Label, Tag};
use crate::vocab::Key;

pub const FAMILIES: &[Family] = &[
    Family { name: "letterhead_centered", profile: p_std, fonts: f_letter, draw: letterhead },
    Family { name: "mono_erp_printout", profile: p_std, fonts: f_mono, draw: mono_erp },
];

fn p_std(_: &mut Rng8) -> Profile {
    sek((1, 10))
}

fn f_letter(rng: &mut Rng8) -> (FontKind, (f32, f32)) {
    (any_font(rng, &[FontKind::Condensed, FontKind::Serif, FontKind::Sans]), (9.0, 12.0))
}

fn f_mono(_: &mut Rng8) -> (FontKind, (f32, f32)) {
    (FontKind::Mono, (8.0, 9.5))
}

/// Draws spans centred at `xc`; shrinks to fit `w`.
fn centred(c: &mut Ctx, xc: f32, y: f32, st: &TextStyle, spans: &[(String, Tag)], w: f32) {
    let text: String = spans.iter().map(|s| s.0.as_str()).collect();
    let fs = blocks::fit(st, &text, w);
    let tw = fs.width(&text);
    let refs: Vec<(&str, Tag)> = spans.iter().map(|(s, t)| (s.as_str(), *t)).collect();
    c.doc.spans(xc - tw / 2.0, y, &fs, &refs);
}

/// Centred name and address line, title centred below, one-line footer.
fn letterhead(c: &mut Ctx) -> Result<(), Error> {
    let (l, r, top, w) = (c.th.left, c.th.right, c.th.top, c.th.width());
    let xc = PAGE_W / 2.0;
    let s = c.inv.supplier.clone();
    let ns = c.th.bold.sized(c.th.body.size + c.range(6.0, 10.0)).color(c.th.accent);
    centred(c, xc, top + ns.size, &ns, &[(s.name.clone(), Tag::B(Label::SupplierName))], w);
    let mut line = vec![(s.address.join(", "), Tag::B(Label::SupplierAddress))];
    line.extend([("  ·  ".to_string(), Tag::O), (s.phone.clone(), Tag::O)]);
    let ay = top + ns.size + c.th.body.size * 1.8;
    let st = c.th.small;
    centred(c, xc, ay, &st, &line, w);
    c.doc.hline(l, r, ay + 8.0, 0.5, c.th.accent);
    let key = if c.inv.credit { Key::CreditTitle } else { Key::Title };
    let t = c.v.w(key).to_string();
    let ts = c.th.title.sized(c.th.title.size - 2.0);
    centred(c, xc, ay + 20.0 + ts.size, &ts, &[(t, Tag::O)], w);
    let y0 = ay + 40.0 + ts.size;
    let heading = c.chance(0.5);
    let buyer_org = c.chance(0.3);
    let yb = blocks::buyer_block(c, l, y0, w * 0.45, heading, buyer_org);
    let rows = meta::rows(c, meta::STANDARD);
    let lst = c.th.body;
    let right_aligned = c.chance(0.5);
    let ym = meta::beside(c, l + w * 0.55, y0, &rows, right_aligned.then_some(r), &lst, &lst);
    // One- or two-line footer with legal and bank data.
    let fsk = c.chance(0.8);
    let mut entries: Vec<Entry> = blocks::legal_entries(c, fsk, false);
    let iban = c.chance(0.4);
    entries.extend(blocks::bank_entries(c, iban));
    let items: Vec<Vec<(String, Tag)>> = entries
        .into_iter()
        .map(|e| match e.label {
            Some(l) => vec![(format!("{l} "), Tag::O), (e.value, e.tag)],
            None => vec![(e.value, e.tag)],
        })
        .collect();
    let fst = c.th.small.color(Rgb::gray(0.25));
    let sep = "  |  ";
    let mut lines: Vec<Vec<(String, Tag)>> = vec![Vec::new()];
    for it in items {
        let mut cand = lines.last().cloned().unwrap_or_default();
        if !cand.is_empty() {
            cand.push((sep.to_string(), Tag::O));
        }
        cand.extend(it.iter().cloned());
        let text: String = cand.iter().map(|s| s.0.as_str()).collect();
        if fst.width(&text) > w && lines.last().is_some_and(|l| !l.is_empty()) {
            lines.push(it);
        } else if let Some(last) = lines.last_mut() {
            *last = cand;
        }
    }
    let fy0 = PAGE_H - 26.0 - (lines.len() as f32 - 1.0) * fst.size * 1.5;
    c.first_bottom = Some(fy0 - 24.0);
    for (i, ln) in lines.iter().enumerate() {
        centred(c, xc, fy0 + i as f32 * fst.size * 1.5, &fst, ln, w);
    }
    c.doc.hline(l, r, fy0 - fst.size - 4.0, 0.5, c.th.accent);
    let mut spec = table::spec(c, true);
    spec.head = if c.chance(0.5) { Head::Rule } else { Head::Tint };
    flow::flow(c, yb.max(ym) + 20.0, &spec, None, false, &|c, y| flow::closing(c, y, true));
    flow::page_numbers(c, false);
    Ok(())
}

/// Monospaced ERP printout: dot-leader captions, dashed rules drawn as text.
fn mono_erp(c: &mut Ctx) -> Result<(), Error> {
    let (l, r, top, w) = (c.th.left, c.th.right, c.th.top, c.th.width());
    let st = c.th.body;
    let b = c.th.bold;
    let lh = st.size * 1.4;
    let s = c.inv.supplier.clone();
    c.doc.text(l, top + st.size, &b, &s.name, Tag::B(Label::SupplierName));
    let mut y = top + st.size + lh;
    for (i, a) in s.address.iter().enumerate() {
        let tag =
            if i == 0 { Tag::B(Label::SupplierAddress) } else { Tag::I(Label::SupplierAddress) };
        c.doc.text(l, y, &st, a, tag);
        y += lh;
    }
    let key = if c.inv.credit { Key::CreditTitle } else { Key::Title };
    let title = c.v.w(key).to_uppercase();
    c.doc.text_r(r, top + st.size, &b, &title, Tag::O);
    let rows = meta::rows(c, meta::STANDARD);
    let caps =
        rows.iter().map(|m| m.label.trim_end_matches(':').chars().count()).max().unwrap_or(10) + 3;
    let xm = l + w * 0.5;
    let mut ym = top + st.size + lh;
    for m in &rows {
        let cap = m.label.trim_end_matches(':');
        let dots = ".".repeat(caps.saturating_sub(cap.chars().count()));
        let label = format!("{cap}{dots}: ");
        let vs = blocks::fit(&st, &format!("{label}{}", m.value), r - xm);
        c.doc.spans(xm, ym, &vs, &[(&label, Tag::O), (&m.value, m.tag)]);
        ym += lh;
    }
    y = y.max(ym) + lh;
    let indent = c.range(0.0, 30.0);
    let heading = c.chance(0.6);
    let buyer_org = c.chance(0.4);
    let yb = blocks::buyer_block(c, l + indent, y, w * 0.5, heading, buyer_org);
    let dash = "-".repeat(((w / st.width("-")) as usize).saturating_sub(1));
    c.doc.text(l, yb + lh * 0.5, &st, &dash, Tag::O);
    let mut e: Vec<Entry> = blocks::bank_entries(c, false);
    let fsk = c.chance(0.7);
    e.extend(blocks::legal_entries(c, fsk, false));
    let rows: Vec<meta::Meta> = e
        .into_iter()
        .map(|e| meta::Meta { label: e.label.unwrap_or_default(), value: e.value, tag: e.tag })
        .collect();
    let small = c.th.small;
    let h = flow::measure(c, 0.0, &|c, y| meta::inline(c, l, y, w, &rows, &small));
    let fy = PAGE_H - 16.0 - h;
    c.first_bottom = Some(fy - 24.0);
    c.doc.text(l, fy - small.size * 1.2, &small, &dash, Tag::O);
    meta::inline(c, l, fy + small.size * 0.6, w, &rows, &small);
    let mut spec = table::spec(c, true);
    spec.head = Head::Rule;
    spec.zebra = false;
    let note = c.chance(0.5);
    let tail = |c: &mut Ctx, y: f32| flow::closing(c, y, note);
    flow::flow(c, yb + lh * 2.0, &spec, None, false, &tail);
    flow::page_numbers(c, false);
    Ok(())
}
