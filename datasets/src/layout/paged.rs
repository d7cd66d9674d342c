//! Families with long or dense tables: multi-page item lists with carried
//! sums, several VAT rates with a breakdown table, and a compact serif layout.

use crate::error::Error;
use crate::layout::table::{self, ColK, Head};
use crate::layout::{Ctx, Family, FontKind, Rng8, any_font, blocks, flow, meta, sek, totals};
use crate::pdf::Rgb;
use crate::synth::Profile;
use crate::truth::Tag;
use crate::vocab::Key;

pub const FAMILIES: &[Family] = &[
    Family { name: "multipage_items", profile: p_long, fonts: f_plain, draw: multipage_items },
    Family { name: "multi_vat", profile: p_multi_vat, fonts: f_plain, draw: multi_vat },
    Family { name: "serif_compact", profile: p_compact, fonts: f_serif, draw: serif_compact },
];

fn p_long(_: &mut Rng8) -> Profile {
    let mut p = sek((30, 85));
    p.rounding = 0.2;
    p
}

fn p_multi_vat(_: &mut Rng8) -> Profile {
    let mut p = sek((4, 12));
    p.multi_vat = true;
    p
}

fn p_compact(_: &mut Rng8) -> Profile {
    sek((2, 14))
}

fn f_plain(rng: &mut Rng8) -> (FontKind, (f32, f32)) {
    (any_font(rng, &[FontKind::Sans, FontKind::Condensed, FontKind::Serif]), (8.0, 10.0))
}

fn f_serif(_: &mut Rng8) -> (FontKind, (f32, f32)) {
    (FontKind::Serif, (8.0, 9.0))
}

/// Logo, title and meta on page 1; the table runs over 2–3 pages with
/// "Summa att överföra" / "Överfört"; totals on the last page.
fn multipage_items(c: &mut Ctx) -> Result<(), Error> {
    let (l, r, top, w) = (c.th.left, c.th.right, c.th.top, c.th.width());
    let tw = flow::title_width(c);
    let y_logo = blocks::logo(c, l, top, (w * 0.5).min(w - tw - 30.0));
    let yt = flow::title(c, r, top);
    let rows = meta::rows(c, meta::STANDARD);
    let st = c.th.body;
    let lst = c.th.small_bold;
    let ym = meta::beside(c, l + w * 0.56, yt + 6.0, &rows, Some(r), &lst, &st);
    let heading = c.chance(0.5);
    let yb = blocks::buyer_block(c, l, y_logo.max(130.0) + 10.0, w * 0.46, heading, false);
    let extra_col = c.rng_index(2);
    let footer = blocks::plan_footer(c, 3 + extra_col, false);
    let mut spec = table::spec(c, true);
    spec.row_rules = c.chance(0.5);
    let carry = c.chance(0.85);
    flow::flow(c, yb.max(ym) + 22.0, &spec, Some(&footer), carry, &|c, y| {
        flow::closing(c, y, true)
    });
    flow::page_numbers(c, true);
    Ok(())
}

/// Items at 25/12/6 % with a VAT column and a VAT breakdown table next to the totals.
fn multi_vat(c: &mut Ctx) -> Result<(), Error> {
    let (l, r, top, w) = (c.th.left, c.th.right, c.th.top, c.th.width());
    let tw = flow::title_width(c);
    let y_logo = blocks::logo(c, l, top, (w * 0.5).min(w - tw - 30.0));
    let yt = flow::title(c, r, top);
    let y_sup = blocks::supplier_block(c, l, y_logo + 4.0, w * 0.45, false, true);
    let rows = meta::rows(c, meta::STANDARD);
    let grid = c.chance(0.4);
    let ym = if grid {
        let y0 = y_sup.max(yt) + 8.0;
        meta::grid(c, l + w * 0.5, y0, w * 0.5, 2, &rows, true)
    } else {
        let st = c.th.body;
        meta::beside(c, l + w * 0.55, yt + 6.0, &rows, None, &st, &st)
    };
    let buyer_org = c.chance(0.3);
    let yb = blocks::buyer_block(c, l, y_sup + 16.0, w * 0.45, true, buyer_org);
    let above = c.chance(0.3);
    let footer = blocks::plan_footer(c, 4, above);
    let mut spec = table::spec(c, true);
    if !spec.cols.contains(&ColK::Vat) {
        let at = spec.cols.len() - 1;
        spec.cols.insert(at, ColK::Vat);
    }
    let tail = |c: &mut Ctx, y: f32| {
        let w = c.th.width();
        let sum = c.chance(0.5);
        let yv = totals::vat_table(c, c.th.left, y + 16.0, w * 0.46, sum);
        let xl = c.th.right - w * 0.44;
        let yt = totals::stack(c, xl, c.th.right, y + 16.0, true);
        flow::payment_note(c, c.th.left, yv.max(yt) + 6.0, w)
    };
    flow::flow(c, yb.max(ym) + 22.0, &spec, Some(&footer), false, &tail);
    flow::page_numbers(c, false);
    Ok(())
}

/// Dense serif layout: meta in two columns, small margins, rules between rows.
fn serif_compact(c: &mut Ctx) -> Result<(), Error> {
    c.th.left = c.range(28.0, 40.0);
    c.th.right = crate::pdf::PAGE_W - c.range(28.0, 40.0);
    c.th.top = c.range(28.0, 40.0);
    let (l, r, top, w) = (c.th.left, c.th.right, c.th.top, c.th.width());
    let name = c.inv.supplier.name.clone();
    let ns = blocks::fit(&c.th.bold.sized(c.th.body.size + 6.0), &name, w * 0.6);
    c.doc.text(l, top + ns.size, &ns, &name, Tag::B(crate::truth::Label::SupplierName));
    c.doc.hline(l, r, top + ns.size + 6.0, 1.2, Rgb::BLACK);
    c.doc.hline(l, r, top + ns.size + 8.5, 0.4, Rgb::BLACK);
    let key = if c.inv.credit { Key::CreditTitle } else { Key::Title };
    let t = c.v.w(key);
    let ts = c.th.bold.sized(c.th.body.size + 3.0);
    c.doc.text_r(r, top + ns.size, &ts, t, Tag::O);
    let y0 = top + ns.size + 24.0;
    let ysup = blocks::supplier_block(c, l, y0, w * 0.3, false, true);
    let rows = meta::rows(c, meta::STANDARD);
    let half = rows.len().div_ceil(2);
    let st = c.th.small;
    let x1 = l + w * 0.34;
    let x2 = l + w * 0.67;
    let y1 = meta::beside(c, x1, y0, &rows[..half], None, &st, &st);
    let y2 = meta::beside(c, x2, y0, &rows[half..], None, &st, &st);
    let buyer_org = c.chance(0.5);
    let yb = blocks::buyer_block(c, l + w * 0.34, y1.max(y2) + 10.0, w * 0.6, true, buyer_org);
    let footer = blocks::plan_footer(c, 4, false);
    let mut spec = table::spec(c, true);
    spec.head = Head::Rule;
    spec.row_rules = true;
    spec.st = c.th.body;
    let carry = c.chance(0.5);
    flow::flow(c, ysup.max(yb) + 18.0, &spec, Some(&footer), carry, &|c, y| {
        flow::closing(c, y, true)
    });
    flow::page_numbers(c, false);
    Ok(())
}
