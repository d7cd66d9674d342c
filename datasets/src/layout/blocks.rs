//! Shared blocks: logo, party addresses, column lists and the company footer.

use crate::layout::Ctx;
use crate::pdf::{Rgb, TextStyle, wrap};
use crate::synth::ids;
use crate::truth::{Label, Tag};
use crate::vocab::Key;

/// One entry of a column list: an optional caption and a value.
#[derive(Debug, Clone)]
pub struct Entry {
    pub label: Option<String>,
    pub value: String,
    pub tag: Tag,
    pub bold: bool,
}

impl Entry {
    pub fn kv(label: impl Into<String>, value: impl Into<String>, tag: Tag) -> Entry {
        Entry { label: Some(label.into()), value: value.into(), tag, bold: false }
    }
    pub fn text(value: impl Into<String>, tag: Tag) -> Entry {
        Entry { label: None, value: value.into(), tag, bold: false }
    }
    pub fn bold(mut self) -> Entry {
        self.bold = true;
        self
    }
}

/// The smallest size `fit` shrinks text to.
pub const MIN_SIZE: f32 = 5.5;

/// Largest size not above `st.size` (and not below [`MIN_SIZE`]) at which `s` fits `w`.
pub fn fit(st: &TextStyle, s: &str, w: f32) -> TextStyle {
    let mut out = *st;
    while out.size > MIN_SIZE && out.width(s) > w {
        out.size -= 0.5;
    }
    out
}

/// Lines of a value without caption: wrapped when it does not fit `w` even
/// at 1.5 pt below `st`.
fn value_lines(st: &TextStyle, value: &str, w: f32) -> Vec<String> {
    if st.sized((st.size - 1.5).max(MIN_SIZE)).width(value) <= w {
        vec![value.to_string()]
    } else {
        wrap(value, st, w)
    }
}

/// Number of lines `column` uses for an entry.
pub fn entry_lines(c: &Ctx, e: &Entry, st: &TextStyle, w: f32, above: bool) -> usize {
    let vst = if e.bold { TextStyle { font: c.th.bold.font, ..*st } } else { *st };
    match &e.label {
        Some(l) if !above && vst.width(&format!("{l} {}", e.value)) <= w => 1,
        Some(_) => 2,
        None => value_lines(&vst, &e.value, w).len(),
    }
}

/// Draws entries top-down at `x` within width `w`; label and value share a
/// line when they fit, else the label goes above. Returns the y after the last.
pub fn column(
    c: &mut Ctx,
    x: f32,
    mut y: f32,
    w: f32,
    st: &TextStyle,
    entries: &[Entry],
    above: bool,
) -> f32 {
    let bold = TextStyle { font: c.th.bold.font, ..*st };
    let lh = st.size * 1.35;
    for e in entries {
        let vst = if e.bold { bold } else { *st };
        if e.label.is_none() {
            let lines = value_lines(&vst, &e.value, w);
            for (i, line) in lines.iter().enumerate() {
                let tag = match (i, e.tag) {
                    (0, t) | (_, t @ Tag::O) => t,
                    (_, Tag::B(l) | Tag::I(l)) => Tag::I(l),
                };
                let vs = fit(&vst, line, w);
                c.doc.text(x, y, &vs, line, tag);
                y += lh;
            }
            continue;
        }
        match &e.label {
            Some(l) if !above && vst.width(&format!("{l} {}", e.value)) <= w => {
                let label = format!("{l} ");
                c.doc.spans(x, y, &vst, &[(&label, Tag::O), (&e.value, e.tag)]);
                y += lh;
            }
            Some(l) => {
                let lst = fit(st, l, w);
                c.doc.text(x, y, &lst.color(Rgb::gray(0.3)), l, Tag::O);
                y += lh;
                let vs = fit(&vst, &e.value, w);
                c.doc.text(x, y, &vs, &e.value, e.tag);
                y += lh;
            }
            None => {
                let vs = fit(&vst, &e.value, w);
                c.doc.text(x, y, &vs, &e.value, e.tag);
                y += lh;
            }
        }
    }
    y
}

/// Tags for consecutive address lines: B on the first, I on the rest.
pub fn address_entries(lines: &[String], label: Option<Label>) -> Vec<Entry> {
    lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let tag = match (label, i) {
                (None, _) => Tag::O,
                (Some(lb), 0) => Tag::B(lb),
                (Some(lb), _) => Tag::I(lb),
            };
            Entry::text(l.clone(), tag)
        })
        .collect()
}

/// The supplier's name, drawn as a logo. Returns the y below it.
pub fn logo(c: &mut Ctx, x: f32, y: f32, max_w: f32) -> f32 {
    let name = c.inv.supplier.name.clone();
    let accent = c.th.accent;
    let big =
        TextStyle { font: c.th.bold.font, size: c.th.body.size + c.range(3.0, 8.0), color: accent };
    match c.rng_index(4) {
        0 => {
            let s = c.range(26.0, 40.0);
            c.doc.fill_rect(x, y, s, s, accent);
            let initials: String = name
                .split_whitespace()
                .filter(|w| w.chars().next().is_some_and(char::is_alphabetic))
                .take(2)
                .filter_map(|w| w.chars().next())
                .flat_map(char::to_uppercase)
                .collect();
            let ist = TextStyle { font: c.th.bold.font, size: s * 0.42, color: Rgb::WHITE };
            c.doc.text_c(x + s / 2.0, y + s * 0.64, &ist, &initials, Tag::O);
            let nst = fit(&big.color(Rgb::BLACK), &name, max_w - s - 10.0);
            c.doc.text(
                x + s + 8.0,
                y + s * 0.5 + nst.size * 0.35,
                &nst,
                &name,
                Tag::B(Label::SupplierName),
            );
            y + s + 8.0
        }
        1 => {
            let nst = fit(&big, &name, max_w);
            c.doc.text(x, y + nst.size, &nst, &name, Tag::B(Label::SupplierName));
            let w = nst.width(&name);
            c.doc.hline(x, x + w, y + nst.size + 5.0, 1.5, accent);
            y + nst.size + 14.0
        }
        2 => {
            let h = big.size + 6.0;
            for i in 0..3 {
                let g = 0.35 + 0.2 * i as f32;
                c.doc.fill_rect(
                    x + i as f32 * 6.0,
                    y,
                    4.0,
                    h,
                    Rgb(accent.0 * g + 0.3 * (1.0 - g), accent.1, accent.2),
                );
            }
            let nst = fit(&big, &name, max_w - 26.0);
            c.doc.text(
                x + 24.0,
                y + h * 0.5 + nst.size * 0.35,
                &nst,
                &name,
                Tag::B(Label::SupplierName),
            );
            y + h + 8.0
        }
        _ => {
            let nst = fit(&big.color(Rgb::BLACK), &name, max_w - 16.0);
            let w = nst.width(&name);
            let h = nst.size + 12.0;
            c.doc.stroke_rect(x, y, w + 16.0, h, accent, 1.2);
            c.doc.text(
                x + 8.0,
                y + h * 0.5 + nst.size * 0.35,
                &nst,
                &name,
                Tag::B(Label::SupplierName),
            );
            y + h + 8.0
        }
    }
}

/// The buyer's name and address; `org` adds the buyer's org.nr. Returns y below.
pub fn buyer_block(c: &mut Ctx, x: f32, y: f32, w: f32, heading: bool, org: bool) -> f32 {
    let mut entries = Vec::new();
    if heading {
        entries.push(Entry::text(c.v.w(Key::BuyerHeading), Tag::O));
    }
    entries.push(Entry::text(c.inv.buyer.name.clone(), Tag::B(Label::BuyerName)).bold());
    entries.extend(address_entries(&c.inv.buyer.address, None));
    if org && let Some(o) = c.inv.buyer.org_nr.clone() {
        entries.push(Entry::kv(c.v.l(Key::OrgNr), o, Tag::B(Label::BuyerOrgNr)));
    }
    let st = c.th.body;
    let mut yy = y;
    if heading {
        let hs = c.th.small_bold.color(c.th.accent);
        c.doc.text(x, yy, &hs, entries[0].value.as_str(), Tag::O);
        yy += hs.size * 1.6;
        entries.remove(0);
    }
    column(c, x, yy, w, &st, &entries, false)
}

/// The supplier's name, address and contact lines (for a header). Returns y below.
pub fn supplier_block(c: &mut Ctx, x: f32, y: f32, w: f32, name: bool, contact: bool) -> f32 {
    let s = c.inv.supplier.clone();
    let mut entries = Vec::new();
    if name {
        entries.push(Entry::text(s.name.clone(), Tag::B(Label::SupplierName)).bold());
    }
    entries.extend(address_entries(&s.address, Some(Label::SupplierAddress)));
    if contact {
        entries.push(Entry::kv(c.v.l(Key::Phone), s.phone.clone(), Tag::O));
        entries.push(Entry::kv(c.v.l(Key::Email), s.email.clone(), Tag::O));
    }
    let st = if c.chance(0.5) { c.th.small } else { c.th.body };
    column(c, x, y, w, &st, &entries, false)
}

/// Entries for the supplier's legal data: org.nr, VAT, F-skatt, seat.
pub fn legal_entries(c: &mut Ctx, fskatt: bool, seat: bool) -> Vec<Entry> {
    let s = c.inv.supplier.clone();
    let mut out = Vec::new();
    if let Some(o) = &s.org_nr {
        out.push(Entry::kv(c.v.l(Key::OrgNr), o.clone(), Tag::B(Label::SupplierOrgNr)));
    }
    if let Some(v) = &s.vat {
        let printed =
            if v.starts_with("SE") { ids::fmt_se_vat(v, c.rng_index(5) as u8) } else { v.clone() };
        out.push(Entry::kv(c.v.l(Key::VatNo), printed, Tag::B(Label::SupplierVat)));
    }
    if fskatt && s.org_nr.is_some() {
        out.push(Entry::text(c.v.w(Key::FSkatt), Tag::O));
        c.f_skatt = true;
    }
    if seat && s.org_nr.is_some() && s.kind != crate::synth::Kind::Ef {
        out.push(Entry::kv(c.v.l(Key::BoardSeat), s.city.clone(), Tag::O));
    }
    out
}

/// Entries for the payment accounts the supplier prints.
pub fn bank_entries(c: &mut Ctx, iban: bool) -> Vec<Entry> {
    let p = c.inv.pay.clone();
    let mut out = Vec::new();
    if let Some(bg) = &p.bankgiro {
        out.push(Entry::kv(c.v.l(Key::Bankgiro), ids::fmt_bankgiro(bg), Tag::B(Label::Bankgiro)));
    }
    if let Some(pg) = &p.plusgiro {
        out.push(Entry::kv(c.v.l(Key::Plusgiro), ids::fmt_plusgiro(pg), Tag::B(Label::Plusgiro)));
    }
    if iban || (p.bankgiro.is_none() && p.plusgiro.is_none()) {
        if let Some(i) = &p.iban {
            let grouped = c.chance(0.7);
            out.push(Entry::kv(c.v.l(Key::Iban), ids::fmt_iban(i, grouped), Tag::B(Label::Iban)));
        }
        if let Some(b) = &p.bic {
            out.push(Entry::kv(c.v.l(Key::Bic), b.clone(), Tag::B(Label::Bic)));
        }
    }
    out
}

/// A company footer: its columns, decided before drawing so that its height is known.
pub struct FooterPlan {
    pub cols: Vec<Vec<Entry>>,
    pub above: bool,
    pub st: TextStyle,
}

/// Plans a footer in 3 or 4 columns with address, contact, bank and legal data.
pub fn plan_footer(c: &mut Ctx, ncols: usize, above: bool) -> FooterPlan {
    let s = c.inv.supplier.clone();
    let mut addr = vec![Entry::text(s.name.clone(), Tag::B(Label::SupplierName)).bold()];
    addr.extend(address_entries(&s.address, Some(Label::SupplierAddress)));
    let mut contact = vec![
        Entry::kv(c.v.l(Key::Phone), s.phone.clone(), Tag::O),
        Entry::kv(c.v.l(Key::Email), s.email.clone(), Tag::O),
    ];
    if let Some(web) = &s.web {
        contact.push(Entry::kv(c.v.l(Key::Web), web.clone(), Tag::O));
    }
    let iban = c.chance(0.6);
    let bank = bank_entries(c, iban);
    let fsk = c.chance(0.85);
    let seat = c.chance(0.4);
    let legal = legal_entries(c, fsk, seat);
    let cols: Vec<Vec<Entry>> = if ncols >= 4 {
        vec![addr, contact, bank, legal]
    } else {
        addr.extend(contact);
        vec![addr, bank, legal]
    };
    FooterPlan { cols, above, st: c.th.small }
}

impl FooterPlan {
    fn col_width(&self, c: &Ctx) -> f32 {
        c.th.width() / self.cols.len().max(1) as f32 - 10.0
    }

    /// Height of the footer including the rule gap.
    pub fn height(&self, c: &Ctx) -> f32 {
        let w = self.col_width(c);
        let lines = self
            .cols
            .iter()
            .map(|col| {
                col.iter().map(|e| entry_lines(c, e, &self.st, w, self.above)).sum::<usize>()
            })
            .max()
            .unwrap_or(0);
        self.st.size * 1.35 * lines as f32 + self.st.size * 1.6
    }

    /// Draws the footer with its rule at `y`. Returns y below.
    pub fn draw(&self, c: &mut Ctx, y: f32) -> f32 {
        let (l, r) = (c.th.left, c.th.right);
        c.doc.hline(l, r, y, 0.6, Rgb::gray(0.5));
        let cw = c.th.width() / self.cols.len().max(1) as f32;
        let w = self.col_width(c);
        let mut bottom = y;
        for (i, col) in self.cols.iter().enumerate() {
            let x = l + i as f32 * cw;
            let yb = column(c, x, y + self.st.size * 1.6, w, &self.st, col, self.above);
            bottom = bottom.max(yb);
        }
        bottom
    }
}

impl Ctx {
    /// A random index in 0..n.
    pub fn rng_index(&mut self, n: usize) -> usize {
        use rand::RngExt;
        self.rng.random_range(0..n.max(1))
    }
}
