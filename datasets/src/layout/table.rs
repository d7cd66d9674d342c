//! The line-item table: column choice, header styles, wrapping descriptions
//! and page breaks with carried-forward sums.

use rust_decimal::Decimal;

use crate::layout::Ctx;
use crate::layout::blocks::fit;
use crate::pdf::{Rgb, TextStyle, wrap};
use crate::synth::Line;
use crate::truth::{Label, Tag};
use crate::vocab::Key;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColK {
    RowNo,
    ArtNo,
    Desc,
    Qty,
    Unit,
    /// Quantity and unit in one cell: "2,5 tim".
    QtyUnit,
    Price,
    Vat,
    Amount,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Head {
    /// Bold captions with a rule below.
    Rule,
    /// Captions in white on a filled band.
    Band,
    /// Captions and rows in a ruled grid.
    Grid,
    /// Captions on a light tint, no rules.
    Tint,
}

/// How one invoice draws its table.
#[derive(Debug, Clone)]
pub struct TableSpec {
    pub cols: Vec<ColK>,
    pub head: Head,
    pub zebra: bool,
    pub row_rules: bool,
    pub st: TextStyle,
}

/// Page-break behaviour.
pub struct Paging<'a> {
    /// Lowest baseline allowed for a row on the current page.
    pub bottom: f32,
    /// Print "Summa att överföra" / "Överfört" on breaks.
    pub carry: bool,
    /// Starts a new page; returns (first y, bottom limit) on it.
    pub new_page: &'a dyn Fn(&mut Ctx) -> (f32, f32),
}

/// A random but sensible column set; `vat` allows a VAT-rate column.
pub fn pick_cols(c: &mut Ctx, vat: bool) -> Vec<ColK> {
    let mut cols = Vec::new();
    if c.chance(0.12) {
        cols.push(ColK::RowNo);
    }
    if c.chance(0.3) {
        cols.push(ColK::ArtNo);
    }
    cols.push(ColK::Desc);
    match c.rng_index(10) {
        0 | 1 => cols.push(ColK::QtyUnit),
        2 => cols.push(ColK::Qty),
        _ => {
            cols.push(ColK::Qty);
            cols.push(ColK::Unit);
        }
    }
    if c.chance(0.93) {
        cols.push(ColK::Price);
    }
    if vat && c.chance(0.45) {
        cols.push(ColK::Vat);
    }
    cols.push(ColK::Amount);
    cols
}

impl Ctx {
    fn caption(&self, k: ColK) -> String {
        match k {
            ColK::RowNo => if self.v.sv() { "Rad" } else { "#" }.to_string(),
            ColK::ArtNo => self.v.w(Key::ArtNo).to_string(),
            ColK::Desc => self.v.w(Key::Desc).to_string(),
            ColK::Qty | ColK::QtyUnit => self.v.w(Key::Qty).to_string(),
            ColK::Unit => self.v.w(Key::Unit).to_string(),
            ColK::Price => self.v.w(Key::UnitPrice).to_string(),
            ColK::Vat => self.v.w(Key::VatRate).to_string(),
            ColK::Amount => self.v.w(Key::Amount).to_string(),
        }
    }

    /// The cell's spans (text, tag) for one line.
    fn cell(&self, k: ColK, i: usize, l: &Line) -> Vec<(String, Tag)> {
        let f = &self.f;
        match k {
            ColK::RowNo => vec![(format!("{}", i + 1), Tag::O)],
            ColK::ArtNo => vec![(l.art_no.clone(), Tag::O)],
            ColK::Desc => vec![(l.desc.clone(), Tag::B(Label::LineDescription))],
            ColK::Qty => l.qty.map_or(vec![], |q| vec![(f.qty(q), Tag::B(Label::LineQuantity))]),
            ColK::Unit => l.unit.clone().map_or(vec![], |u| vec![(u, Tag::B(Label::LineUnit))]),
            ColK::QtyUnit => match (l.qty, &l.unit) {
                (Some(q), Some(u)) => vec![
                    (f.qty(q), Tag::B(Label::LineQuantity)),
                    (" ".into(), Tag::O),
                    (u.clone(), Tag::B(Label::LineUnit)),
                ],
                _ => vec![],
            },
            ColK::Price => {
                l.price.map_or(vec![], |p| vec![(f.amount(p), Tag::B(Label::LineUnitPrice))])
            }
            ColK::Vat => vec![(f.pct(l.vat), Tag::B(Label::LineVatRate))],
            ColK::Amount => vec![(f.amount(l.amount), Tag::B(Label::LineAmount))],
        }
    }
}

fn right_aligned(k: ColK) -> bool {
    matches!(k, ColK::Qty | ColK::QtyUnit | ColK::Price | ColK::Vat | ColK::Amount)
}

fn cell_text(spans: &[(String, Tag)]) -> String {
    spans.iter().map(|s| s.0.as_str()).collect()
}

/// Column widths for the spec: fixed columns fit their content, the
/// description takes the rest. Shrinks the font until the description gets 110 pt.
fn widths(c: &Ctx, spec: &mut TableSpec, w: f32) -> Vec<f32> {
    loop {
        let st = spec.st;
        let pad = st.width(" ").max(2.5);
        let mut ws: Vec<f32> = spec
            .cols
            .iter()
            .map(|&k| {
                if k == ColK::Desc {
                    return 0.0;
                }
                let head = c.th.small_bold.sized(st.size).width(&c.caption(k));
                let body = c
                    .inv
                    .lines
                    .iter()
                    .enumerate()
                    .map(|(i, l)| st.width(&cell_text(&c.cell(k, i, l))));
                body.fold(head, f32::max) + 2.0 * pad + 2.0
            })
            .collect();
        let fixed: f32 = ws.iter().sum();
        let desc = w - fixed;
        if desc >= 110.0 || st.size <= 6.5 {
            if let Some(i) = spec.cols.iter().position(|&k| k == ColK::Desc) {
                ws[i] = desc.max(60.0);
            }
            return ws;
        }
        spec.st.size -= 0.5;
    }
}

/// Draws the header row at baseline `y`; returns the first row's baseline.
fn header(c: &mut Ctx, spec: &TableSpec, ws: &[f32], y: f32) -> f32 {
    let (x0, lh) = (c.th.left, spec.st.size * 1.5);
    let total: f32 = ws.iter().sum();
    let pad = spec.st.width(" ").max(2.5);
    let mut hst = c.th.small_bold.sized(spec.st.size);
    let top = y - spec.st.size - 3.0;
    let h = lh + 2.0;
    match spec.head {
        Head::Band => {
            c.doc.fill_rect(x0, top, total, h, c.th.accent);
            hst = hst.color(Rgb::WHITE);
        }
        Head::Tint => c.doc.fill_rect(x0, top, total, h, c.th.tint),
        Head::Grid => c.doc.stroke_rect(x0, top, total, h, Rgb::gray(0.3), 0.6),
        Head::Rule => {}
    }
    let mut x = x0;
    for (k, w) in spec.cols.iter().zip(ws) {
        let cap = c.caption(*k);
        let cs = fit(&hst, &cap, w - 2.0 * pad);
        if right_aligned(*k) {
            c.doc.text_r(x + w - pad, y, &cs, &cap, Tag::O);
        } else {
            c.doc.text(x + pad, y, &cs, &cap, Tag::O);
        }
        x += w;
    }
    if spec.head == Head::Rule {
        c.doc.hline(x0, x0 + total, top + h, 0.8, Rgb::BLACK);
    }
    top + h + spec.st.size + 4.0
}

/// One labelled row across the table: caption in the description area, sum at right.
fn sum_row(c: &mut Ctx, ws: &[f32], y: f32, st: &TextStyle, key: Key, amount: Decimal) {
    let total: f32 = ws.iter().sum();
    let pad = st.width(" ").max(2.5);
    let x0 = c.th.left;
    let label = c.v.l(key);
    let s = c.f.amount(amount);
    let it = TextStyle { font: c.th.bold.font, ..*st };
    c.doc.text(x0 + pad, y, &it, &label, Tag::O);
    c.doc.text_r(x0 + total - pad, y, &it, &s, Tag::O);
}

/// Draws all line items from baseline `y`, breaking pages as needed. Returns y below.
pub fn draw(c: &mut Ctx, spec: &TableSpec, y: f32, paging: &Paging) -> f32 {
    let mut spec = spec.clone();
    let ws = widths(c, &mut spec, c.th.width());
    let st = spec.st;
    let pad = st.width(" ").max(2.5);
    let lh = st.size * 1.32;
    let x0 = c.th.left;
    let total_w: f32 = ws.iter().sum();
    c.cols = crate::layout::LineCols {
        desc: spec.cols.contains(&ColK::Desc),
        qty: spec.cols.iter().any(|k| matches!(k, ColK::Qty | ColK::QtyUnit)),
        unit: spec.cols.iter().any(|k| matches!(k, ColK::Unit | ColK::QtyUnit)),
        price: spec.cols.contains(&ColK::Price),
        vat: spec.cols.contains(&ColK::Vat),
        amount: spec.cols.contains(&ColK::Amount),
    };
    let mut y = header(c, &spec, &ws, y);
    let mut bottom = paging.bottom;
    let mut running = Decimal::ZERO;
    let lines = c.inv.lines.clone();
    let desc_i = spec.cols.iter().position(|&k| k == ColK::Desc);
    let mut grid_top = y - st.size - 3.0;
    for (i, l) in lines.iter().enumerate() {
        let desc_lines = match desc_i {
            Some(di) => wrap(&l.desc, &st, ws[di] - 2.0 * pad),
            None => vec![],
        };
        let n = desc_lines.len().max(1);
        let row_h = lh * n as f32 + lh * 0.35;
        let reserve = if paging.carry { 2.2 * lh } else { 0.0 };
        if y + row_h - lh > bottom - reserve {
            if paging.carry {
                sum_row(c, &ws, y + 2.0, &st, Key::CarriedOver, running);
            }
            if spec.head == Head::Grid {
                grid_lines(c, &ws, grid_top, y - lh + 4.0);
            }
            let (ny, nb) = (paging.new_page)(c);
            bottom = nb;
            let mut ny = ny;
            if paging.carry {
                sum_row(c, &ws, ny, &st, Key::BroughtForward, running);
                ny += lh * 1.6;
            }
            y = header(c, &spec, &ws, ny);
            grid_top = y - st.size - 3.0;
        }
        if spec.zebra && i % 2 == 1 {
            c.doc.fill_rect(x0, y - st.size - 1.5, total_w, row_h - 0.5, c.th.tint);
        }
        let mut x = x0;
        for (k, w) in spec.cols.iter().zip(&ws) {
            if *k == ColK::Desc {
                for (j, dl) in desc_lines.iter().enumerate() {
                    let tag = if j == 0 {
                        Tag::B(Label::LineDescription)
                    } else {
                        Tag::I(Label::LineDescription)
                    };
                    c.doc.text(x + pad, y + j as f32 * lh, &st, dl, tag);
                }
            } else {
                let cell = c.cell(*k, i, l);
                let spans: Vec<(&str, Tag)> = cell.iter().map(|(s, t)| (s.as_str(), *t)).collect();
                if !spans.is_empty() {
                    if right_aligned(*k) {
                        c.doc.spans_r(x + w - pad, y, &st, &spans);
                    } else {
                        c.doc.spans(x + pad, y, &st, &spans);
                    }
                }
            }
            x += w;
        }
        running += l.amount;
        y += row_h;
        if spec.row_rules {
            c.doc.hline(x0, x0 + total_w, y - lh + 2.0, 0.3, Rgb::gray(0.6));
        }
    }
    if spec.head == Head::Grid {
        grid_lines(c, &ws, grid_top, y - lh + 4.0);
    } else {
        c.doc.hline(x0, x0 + total_w, y - lh + 4.0, 0.6, Rgb::gray(0.3));
    }
    y + lh * 0.6
}

fn grid_lines(c: &mut Ctx, ws: &[f32], top: f32, bottom: f32) {
    let mut x = c.th.left;
    let g = Rgb::gray(0.3);
    c.doc.line(x, top, x, bottom, 0.5, g);
    for w in ws {
        x += w;
        c.doc.line(x, top, x, bottom, 0.5, g);
    }
    c.doc.hline(c.th.left, x, bottom, 0.5, g);
}

/// A default spec with random header style and decorations.
pub fn spec(c: &mut Ctx, vat: bool) -> TableSpec {
    let cols = pick_cols(c, vat);
    let head = *c.pick(&[Head::Rule, Head::Band, Head::Grid, Head::Tint]);
    TableSpec { cols, head, zebra: c.chance(0.25), row_rules: c.chance(0.3), st: c.th.body }
}
