//! Line items: the table header is found by its column captions (at least
//! two kinds, one of them numeric), the columns take their x-ranges from the
//! captions, and each following line is split into cells until the totals
//! start. A header on a later page continues the table; lines without an
//! amount continue the description of the row above. Rows that open with a
//! discount or a freight/fee word are typed as allowances or charges
//! ([`typed`]).

use invex_domain::parse::{parse_amount_with, parse_percent};
use invex_domain::{BBox, LineItem, LineKind, Source};
use rust_decimal::Decimal;

use super::Ctx;
use super::labels::Kind;
use super::layout::Run;
use super::text::has_digit;

const COLS: [Kind; 10] = [
    Kind::ColDesc,
    Kind::ColQty,
    Kind::ColUnit,
    Kind::ColUnitPrice,
    Kind::ColVatRate,
    Kind::ColAmount,
    Kind::ColArtNo,
    Kind::ColDiscount,
    Kind::ColPos,
    Kind::ColDate,
];

#[derive(Debug, Clone, Copy)]
struct Col {
    kind: Kind,
    x0: f32,
    x1: f32,
}

/// Column captions on line `li`.
fn header_cols(cx: &Ctx, li: usize) -> Vec<Col> {
    let line = &cx.layout.lines[li];
    let mut cols: Vec<Col> = Vec::new();
    for t in line.start..line.end {
        let Some(h) = cx.scan.label_of[t] else { continue };
        let hit = &cx.scan.labels[h];
        if hit.start != t {
            continue;
        }
        let Some(kind) = COLS.iter().copied().find(|k| hit.has(*k)) else { continue };
        let Some(b) = cx.layout.bbox(hit.start, hit.end) else { continue };
        if cols.iter().any(|c| c.kind == kind) {
            // Two price captions and no amount ("PU | Remise | Prix HT"):
            // the right one is the line's amount.
            if kind == Kind::ColUnitPrice && !cols.iter().any(|c| c.kind == Kind::ColAmount) {
                cols.push(Col { kind: Kind::ColAmount, x0: b.x0, x1: b.x1 });
            }
            continue;
        }
        cols.push(Col { kind, x0: b.x0, x1: b.x1 });
    }
    cols
}

/// Captions continued from the line above (`Unit Price Excl.` over `VAT`):
/// an overlapping caption above renames the column when the two read as one
/// caption; a caption above with no column under it adds one.
fn merge_above(cx: &Ctx, li: usize, cols: &mut Vec<Col>) {
    let l = cx.layout;
    let line = &l.lines[li];
    if li == 0 || !just_below(cx, li - 1, li) {
        return;
    }
    for p in l.phrases_of_line(li - 1) {
        let ph = &l.phrases[p];
        let key_above: String = (ph.start..ph.end).map(|t| l.toks[t].key.as_str()).collect();
        let overlaps = |c: &Col| c.x1.min(ph.bbox.x1) - c.x0.max(ph.bbox.x0) > 0.0;
        // Rules and text spanning several columns are not a caption.
        if key_above.is_empty() || cols.iter().filter(|c| overlaps(c)).count() > 1 {
            continue;
        }
        let over = cols.iter_mut().find(|c| overlaps(c));
        match over {
            Some(c) => {
                let below = (line.start..line.end)
                    .filter(|&t| {
                        let b = l.toks[t].bbox;
                        b.x0 >= c.x0 - 0.5 && b.x1 <= c.x1 + 0.5
                    })
                    .map(|t| l.toks[t].key.as_str())
                    .collect::<String>();
                let joined = cx.labels.lookup(&format!("{key_above}{below}"));
                if let Some(kind) = joined
                    .and_then(|e| COLS.iter().copied().find(|k| e.iter().any(|x| x.kind == *k)))
                {
                    c.kind = kind;
                    c.x0 = c.x0.min(ph.bbox.x0);
                    c.x1 = c.x1.max(ph.bbox.x1);
                }
            }
            None => {
                let kind = cx
                    .labels
                    .lookup(&key_above)
                    .and_then(|e| COLS.iter().copied().find(|k| e.iter().any(|x| x.kind == *k)));
                if let Some(kind) = kind.filter(|k| !cols.iter().any(|c| c.kind == *k)) {
                    cols.push(Col { kind, x0: ph.bbox.x0, x1: ph.bbox.x1 });
                }
            }
        }
    }
}

/// Whether line `below` is set close under line `above` on its page (less
/// than 0.8 of its height apart): two lines of one caption.
fn just_below(cx: &Ctx, above: usize, below: usize) -> bool {
    let (a, b) = (&cx.layout.lines[above], &cx.layout.lines[below]);
    a.page == b.page && b.bbox.y0 - a.bbox.y1 <= 0.8 * b.height
}

/// Whether line `r`, right under the header line `header`, only continues
/// its captions: close below it, every word a caption (or a currency code)
/// under a word of the header (`VAT` under the `excl.` of `Total excl.`),
/// and no number.
fn caption_continued(cx: &Ctx, header: usize, r: usize) -> bool {
    let l = cx.layout;
    let (h, line) = (&l.lines[header], &l.lines[r]);
    if !just_below(cx, header, r) {
        return false;
    }
    (line.start..line.end).all(|t| {
        let tok = &l.toks[t];
        let b = tok.bbox;
        let under = (h.start..h.end).any(|u| {
            let a = l.toks[u].bbox;
            b.x1.min(a.x1) - b.x0.max(a.x0) > 0.0
        });
        let caption = cx.scan.label_of[t].is_some()
            || tok.key.is_empty()
            || invex_domain::parse::normalize_currency(&tok.text).is_some();
        under && caption && !has_digit(&tok.text)
    })
}

fn is_header(cols: &[Col]) -> bool {
    let has = |k: Kind| cols.iter().any(|c| c.kind == k);
    let priced = has(Kind::ColAmount) || has(Kind::ColUnitPrice);
    let numeric = priced || has(Kind::ColQty);
    // Two captions make a header only with a price: "ANZAHL ARTIKEL" (a
    // receipt's item count) over a footer is not a table.
    numeric && (cols.len() >= 3 || (cols.len() == 2 && has(Kind::ColDesc) && priced))
}

/// Whether line `li` captions a VAT summary ("Descuento | Base imponible |
/// % | IVA | … | TOTAL"): a taxable-base caption makes it no item table,
/// unless the header also has a description or quantity column (a summary
/// has neither: "Code | Désignation | Qté | Prix base | … | Mtt HT" lists
/// items).
fn vat_summary(cx: &Ctx, li: usize, cols: &[Col]) -> bool {
    let line = &cx.layout.lines[li];
    let items = cols.iter().any(|c| matches!(c.kind, Kind::ColDesc | Kind::ColQty));
    !items && cx.scan.captions(Run { start: line.start, end: line.end }, Kind::VatBase)
}

/// Whether line `li` ends the table (a totals caption, a carried-over sum).
fn ends_table(cx: &Ctx, li: usize) -> bool {
    let line = &cx.layout.lines[li];
    (line.start..line.end).any(|t| {
        cx.scan.label_of[t].is_some_and(|h| {
            let hit = &cx.scan.labels[h];
            let total = [
                Kind::Net,
                Kind::Vat,
                Kind::Total,
                Kind::Gross,
                Kind::Sum,
                Kind::VatBase,
                Kind::CarriedOver,
                Kind::Rounding,
                Kind::Prepaid,
            ]
            .iter()
            .any(|k| hit.has(*k));
            // A footer (contact details, identifiers) ends it too.
            let footer = [
                Kind::Phone,
                Kind::OrgNr,
                Kind::VatNumber,
                Kind::Bankgiro,
                Kind::Plusgiro,
                Kind::Iban,
                Kind::Bic,
                Kind::FSkatt,
                Kind::Page,
            ]
            .iter()
            .any(|k| hit.has(*k));
            // The caption is its phrase ("Moms 25 %:"), not the start of
            // a description ("Tax advice").
            let ph = &cx.layout.phrases[cx.layout.toks[t].phrase];
            let alone = (hit.end..ph.end).all(|u| {
                cx.scan.percent_of[u].is_some()
                    || cx.scan.amount_of[u].is_some()
                    || cx.layout.toks[u].key.is_empty()
            });
            (total && hit.isolated && hit.start == t && alone) || (footer && hit.isolated && alone)
        })
    })
}

/// The column of a word (columns sorted by x): the caption it overlaps
/// most, else the column whose territory (up to the midpoints between
/// neighbouring captions) holds its centre.
fn column_of(cols: &[Col], b: BBox) -> Option<usize> {
    let mut best: Option<(usize, f32)> = None;
    for (i, c) in cols.iter().enumerate() {
        let overlap = b.x1.min(c.x1) - b.x0.max(c.x0);
        if overlap > 0.0 && best.is_none_or(|(_, o)| overlap > o) {
            best = Some((i, overlap));
        }
    }
    if let Some((i, _)) = best {
        return Some(i);
    }
    let cx = b.center_x();
    (0..cols.len()).find(|&i| {
        let left = if i == 0 { f32::MIN } else { (cols[i - 1].x1 + cols[i].x0) / 2.0 };
        let right = cols.get(i + 1).map_or(f32::MAX, |n| (cols[i].x1 + n.x0) / 2.0);
        cx >= left && cx < right
    })
}

/// Columns of a line's words. A description runs on within its phrase
/// (`Kaffe mellanrost 500 g`) unless a word sits under another caption.
fn cells_of(cx: &Ctx, cols: &[Col], r: usize) -> Vec<Vec<usize>> {
    let l = cx.layout;
    let line = &l.lines[r];
    let desc = cols.iter().position(|c| c.kind == Kind::ColDesc);
    let mut cells: Vec<Vec<usize>> = vec![Vec::new(); cols.len()];
    let mut prev: Option<(usize, usize)> = None; // (phrase, column)
    for t in line.start..line.end {
        // An amount in groups (`18 855,00`) goes whole to the column of its
        // right end: numbers are right-aligned.
        let amount = cx.scan.amount_of[t]
            .and_then(|a| cx.scan.amounts.get(a))
            .filter(|a| a.end - a.start > 1);
        let b = match amount {
            Some(a) => l.toks[a.end - 1].bbox,
            None => l.toks[t].bbox,
        };
        let under = cols.iter().position(|c| b.x1.min(c.x1) - b.x0.max(c.x0) > 0.0);
        let mut c = column_of(cols, b);
        if let Some((ph, pc)) = prev
            && amount.is_none()
            && ph == l.toks[t].phrase
            && Some(pc) == desc
            && under.is_none_or(|u| Some(u) == desc)
        {
            c = Some(pc);
        }
        if let Some(c) = c {
            cells[c].push(t);
            prev = Some((l.toks[t].phrase, c));
        }
    }
    cells
}

/// A row's vertical centre, its item, and description lines joined to it.
type Row = (f32, LineItem, Vec<(f32, String)>, usize);

pub struct Table {
    pub items: Vec<LineItem>,
    /// Per line: part of a line-item table (header or row).
    pub lines: Vec<bool>,
}

pub fn line_items(cx: &Ctx) -> Table {
    let l = cx.layout;
    let mut table = Table { items: Vec::new(), lines: vec![false; l.lines.len()] };
    let mut li = 0;
    while li < l.lines.len() {
        let mut cols = header_cols(cx, li);
        if !is_header(&cols) || vat_summary(cx, li, &cols) {
            li += 1;
            continue;
        }
        merge_above(cx, li, &mut cols);
        cols.sort_by(|a, b| a.x0.total_cmp(&b.x0));
        table.lines[li] = true;
        let page = l.lines[li].page;
        let mut bottom = l.lines[li].bbox.y1;
        // Rows with an amount, and text-only lines (parts of a description).
        let mut rows: Vec<Row> = Vec::new();
        let mut texts: Vec<(f32, String)> = Vec::new();
        // Text set apart (a line height or more of space) below the last
        // row, with no row after it, is not a wrapped description: the
        // table ended above it ("Preliminär skattereduktion: …").
        let mut set_apart: Option<(usize, f32)> = None;
        let mut r = li + 1;
        while r < l.lines.len() && l.lines[r].page == page {
            let line = &l.lines[r];
            // A second caption line under the header (units, currency, the
            // `VAT` of `Total excl.` over `VAT`, which alone would read as
            // the totals' VAT caption and end the table).
            let second_caption =
                r == li + 1 && (header_cols(cx, r).len() >= 2 || caption_continued(cx, li, r));
            if !second_caption && (ends_table(cx, r) || line.bbox.y0 - bottom > 3.0 * line.height) {
                break;
            }
            if second_caption {
                table.lines[r] = true;
                bottom = line.bbox.y1;
                r += 1;
                continue;
            }
            table.lines[r] = true;
            let prev_bottom = bottom;
            bottom = line.bbox.y1;
            let cy = line.bbox.center_y();
            match row(cx, &cols, r) {
                Some(item) => {
                    rows.push((cy, item, Vec::new(), r));
                    set_apart = None;
                }
                None => {
                    if !rows.is_empty()
                        && set_apart.is_none()
                        && line.bbox.y0 - prev_bottom > line.height
                    {
                        set_apart = Some((r, cy));
                    }
                    let desc = cols.iter().position(|c| c.kind == Kind::ColDesc);
                    let cells = cells_of(cx, &cols, r);
                    if let Some(d) = desc.and_then(|d| cells.get(d)).filter(|c| !c.is_empty()) {
                        texts.push((cy, l.text_of(d)));
                    }
                }
            }
            r += 1;
        }
        if let Some((from, cut)) = set_apart {
            texts.retain(|(cy, _)| *cy < cut);
            table.lines[from..r].iter_mut().for_each(|t| *t = false);
        }
        // Each text line joins the nearest row (the one above on a tie).
        for (cy, text) in texts {
            let nearest = rows
                .iter()
                .enumerate()
                .min_by(|a, b| {
                    let da = (a.1.0 - cy).abs() - if a.1.0 < cy { 0.5 } else { 0.0 };
                    let db = (b.1.0 - cy).abs() - if b.1.0 < cy { 0.5 } else { 0.0 };
                    da.total_cmp(&db)
                })
                .map(|(i, _)| i);
            if let Some(i) = nearest {
                rows[i].2.push((cy, text));
            }
        }
        let mut items = Vec::new();
        let mut captions = Vec::new();
        for (cy, mut item, mut extra, r) in rows {
            captions.push(row_caption(cx, r));
            if let Some(d) = item.description.take() {
                extra.push((cy, d));
            }
            extra.sort_by(|a, b| a.0.total_cmp(&b.0));
            let joined: Vec<String> = extra.into_iter().map(|(_, t)| t).collect();
            item.description = (!joined.is_empty()).then(|| joined.join(" "));
            items.push(item);
        }
        typed(&mut items);
        table.items.extend(real_lines(items, &captions));
        li = r.max(li + 1);
    }
    table.items = without_copies(cx, std::mem::take(&mut table.items));
    table
}

/// Rows read past the table's end: when the rows do not add up to the net,
/// but the first few do to the cent, and a later one repeats the total or
/// the (non-zero) VAT (a summary block whose captions the table reader does
/// not know: "OP. GRAVADAS | USD 1,100.00", "IGV | USD 198.00", "TOTAL |
/// USD 1,298.00"), the rows after those few are that summary, not items.
/// (A row repeating only the net is not enough: a section's sum printed
/// above its own lines also reaches the net first.)
/// `amounts` are the invoice's net, VAT and total; nothing is cut unless
/// they add up.
pub fn cut_summary_rows(items: &mut Vec<LineItem>, amounts: [Decimal; 3]) {
    let [net, vat, total] = amounts;
    let sum: Decimal = items.iter().filter_map(|i| i.amount).sum();
    if net + vat != total || sum == net || items.len() < 2 {
        return;
    }
    let mut running = Decimal::ZERO;
    for k in 0..items.len() - 1 {
        running += items[k].amount.unwrap_or_default();
        if running == net {
            let summary = items[k + 1..]
                .iter()
                .any(|i| i.amount.is_some_and(|a| a == total || (!vat.is_zero() && a == vat)));
            if summary {
                items.truncate(k + 1);
            }
            return;
        }
    }
}

/// Items printed as a list without a table header ("• Beratungshonorar:
/// £ 2.500,00", "• Reisekostenpauschale: £ 700,50" above "Netto: £
/// 3.200,50"): two or more adjacent lines, each a text and one amount at its
/// end, that add up to the net amount to the cent. Only the net makes them
/// items, so they are read only when no table was found and the net is known,
/// and stay unsure (0.6).
pub fn listed(cx: &Ctx, net: Decimal) -> Vec<LineItem> {
    let l = cx.layout;
    let scan = cx.scan;
    // Each line's (description tokens, amount) when it is such a line.
    let entry = |li: usize| -> Option<(Vec<usize>, Decimal)> {
        let line = &l.lines[li];
        let last = line.end.checked_sub(1)?;
        let a = scan.amount_of.get(last).copied().flatten().and_then(|a| scan.amounts.get(a))?;
        // Another amount before it (not a date's or a count's whole number:
        // "Les 1 op 15 januari 2019  140.48").
        let inner =
            scan.amounts.iter().any(|m| m.decimals && m.start >= line.start && m.end <= a.start);
        if !a.decimals || a.start <= line.start || inner || a.end != line.end {
            return None;
        }
        // A caption (total, VAT, a date label) opening the line is not an item.
        if scan.label_of.get(line.start).copied().flatten().is_some() {
            return None;
        }
        let desc: Vec<usize> = (line.start..a.start)
            .filter(|&t| l.toks[t].text.chars().any(char::is_alphabetic))
            .collect();
        (!desc.is_empty()).then_some((desc, a.value))
    };
    let mut best: Vec<(usize, Vec<usize>, Decimal)> = Vec::new();
    let mut run: Vec<(usize, Vec<usize>, Decimal)> = Vec::new();
    for li in 0..=l.lines.len() {
        let next = (li < l.lines.len()).then(|| entry(li)).flatten();
        let adjacent = run.last().is_some_and(|(p, _, _)| {
            let (a, b) = (&l.lines[*p], &l.lines[li.min(l.lines.len() - 1)]);
            a.page == b.page && b.bbox.y0 - a.bbox.y1 <= 2.0 * b.height.max(a.height)
        });
        match next {
            Some((desc, amount)) if run.is_empty() || adjacent => run.push((li, desc, amount)),
            _ => {
                // The longest stretch of the run that adds up to the net.
                for i in 0..run.len() {
                    let mut sum = Decimal::ZERO;
                    for j in i..run.len() {
                        sum += run[j].2;
                        if j > i && (sum - net).abs() <= CENT && j + 1 - i > best.len() {
                            best = run[i..=j].to_vec();
                        }
                    }
                }
                run.clear();
                if let Some((desc, amount)) = next {
                    run.push((li, desc, amount));
                }
            }
        }
    }
    best.into_iter()
        .map(|(li, desc, amount)| {
            let line = &l.lines[li];
            let text = l.text_of(&desc);
            let text = text.trim_matches(|c: char| !c.is_alphanumeric() && c != ')').to_string();
            LineItem {
                kind: kind_of(&text, amount.is_sign_negative() && !amount.is_zero()),
                description: (!text.is_empty()).then_some(text),
                amount: Some(amount),
                confidence: 0.6,
                page: l.pages.get(line.page).map(|p| p.number),
                bbox: Some(line.bbox),
                source: Some(Source::Rules),
                ..Default::default()
            }
        })
        .collect()
}

/// Items of a page that is a copy of an earlier one ("ORIGINAL",
/// "DUPLICADO", "TRIPLICADO" of one invoice in one file) are that page's
/// items again: an item equal to one already read from an earlier page
/// that shares at least 90 % of its words with this one is dropped.
fn without_copies(cx: &Ctx, items: Vec<LineItem>) -> Vec<LineItem> {
    let l = cx.layout;
    // Only a multi-page document with items can repeat them.
    if items.len() < 2 || l.pages.len() < 2 {
        return items;
    }
    let mut words: Vec<std::collections::HashSet<&str>> = vec![Default::default(); l.pages.len()];
    for t in &l.toks {
        if let Some(w) = words.get_mut(t.page) {
            w.insert(t.text.as_str());
        }
    }
    let index = |n: Option<u32>| l.pages.iter().position(|p| Some(p.number) == n);
    let similar = |a: usize, b: usize| {
        let (a, b) = (&words[a], &words[b]);
        let union = a.union(b).count();
        union > 0 && a.intersection(b).count() * 10 >= union * 9
    };
    let mut kept: Vec<LineItem> = Vec::new();
    for item in items {
        let copy = index(item.page).is_some_and(|p| {
            kept.iter().any(|k| {
                let same = k.description == item.description
                    && k.quantity == item.quantity
                    && k.amount == item.amount;
                same && index(k.page).is_some_and(|q| q < p && similar(q, p))
            })
        });
        if !copy {
            kept.push(item);
        }
    }
    kept
}

/// A line must be a line: the table's last row is not one when its amount
/// is the sum of the two or more rows above it (a subtotal or total row that
/// the table's end did not cut off). A row without a description is kept:
/// on the real corpus those are nearly always real lines whose description
/// sits where the reader does not look yet.
fn real_lines(mut items: Vec<LineItem>, captions: &[RowCaption]) -> Vec<LineItem> {
    // A sum or tax row the table's end did not cut off ends the items:
    // "Totaal diensten/producten 78,51" (the sum of the rows above) and
    // "btw bedrag 21,00 % over 78,51 16,49" (that rate of it).
    let mut sum = Decimal::ZERO;
    for (i, item) in items.iter().enumerate() {
        let Some(amount) = item.amount else { break };
        if i > 0 {
            let RowCaption { total, tax, rate } = captions.get(i).copied().unwrap_or_default();
            let is_tax = tax
                && rate.is_some_and(|r| (sum * r / Decimal::ONE_HUNDRED - amount).abs() <= CENT);
            if (total && amount == sum) || is_tax {
                items.truncate(i);
                break;
            }
        }
        sum += amount;
    }
    if let Some((last, above)) = items.split_last()
        && above.len() >= 2
    {
        let sum = above.iter().try_fold(Decimal::ZERO, |s, i| s.checked_add(i.amount?));
        if sum.is_some() && sum == last.amount {
            items.pop();
        }
    }
    items
}

/// Words a discount row opens with (EN 16931 BG-20, reasons UNCL5189
/// "Discount"/"Rebate"), by language: sv/no rabatt, da rabat, de
/// Rabatt/Nachlass, en, fr remise/rabais, nl korting, fi alennus, es
/// descuento, it sconto. Compared with the first word's start, lower-cased.
const ALLOWANCE_WORDS: [&str; 12] = [
    "rabatt",
    "rabat",
    "nachlass",
    "discount",
    "rebate",
    "allowance",
    "remise",
    "rabais",
    "korting",
    "alennus",
    "descuento",
    "sconto",
];
/// Words a charge row opens with (BG-21, reasons UNCL7161 freight, postage,
/// packing, handling, invoicing fee): sv frakt/porto/emballage/
/// expeditionsavgift/faktureringsavgift, de Fracht/Versand/Porto/Verpackung,
/// en, fr port/emballage, nl verzendkosten/vracht, da fragt, fi rahti/
/// toimitusmaksu/laskutuslisä, es portes/envío, it spedizione/trasporto/imballo.
const CHARGE_WORDS: [&str; 28] = [
    "frakt",
    "porto",
    "emballage",
    "expeditionsavgift",
    "faktureringsavgift",
    "administrationsavgift",
    "fracht",
    "versand",
    "verpackung",
    "freight",
    "shipping",
    "postage",
    "packing",
    "handling",
    "frais de port",
    "port ",
    "verzendkosten",
    "vracht",
    "fragt",
    "rahti",
    "toimitusmaksu",
    "laskutuslisä",
    "portes",
    "gastos de envío",
    "envío",
    "spedizione",
    "trasporto",
    "imballo",
];
/// A row typed by its words has a short description: "Rabatt 10 %",
/// "Frachtzuschlag nach Abnahmemenge"; "Shipping container rental for
/// March, site 4" is an item.
const TYPED_MAX_WORDS: usize = 5;

/// What a row is by its description: an allowance when a discount word
/// opens it ("Rabatt 10 %") or, on a row that subtracts, sits in it
/// ("Member Discount -1,20", "Mengenrabatt"); a charge when a freight or fee
/// word opens it; else an item.
fn kind_of(d: &str, negative: bool) -> LineKind {
    let d = d.trim_start_matches(|c: char| !c.is_alphabetic()).to_lowercase();
    if d.split_whitespace().count() > TYPED_MAX_WORDS {
        return LineKind::Item;
    }
    // The first word, or a compound of it ("Frachtzuschlag"); not an
    // English participle ("Discounted chairs", "Shipped goods").
    let first = d.split(|c: char| !c.is_alphabetic()).next().unwrap_or_default();
    let opens = |words: &[&str]| {
        !first.ends_with("ed") && words.iter().any(|w| d.starts_with(w) || d == w.trim_end())
    };
    let holds = |words: &[&str]| {
        d.split(|c: char| !c.is_alphabetic())
            .any(|part| words.iter().any(|w| part.starts_with(w) || part.ends_with(w)))
    };
    if opens(&ALLOWANCE_WORDS) || (negative && holds(&ALLOWANCE_WORDS)) {
        LineKind::Allowance
    } else if opens(&CHARGE_WORDS) {
        LineKind::Charge
    } else {
        LineKind::Item
    }
}

/// Types the rows that are allowances or charges by the words their
/// description opens with. An allowance reduces the net: printed without a
/// minus ("Rabatt 50,00"), its amount is turned to the opposite sign of
/// the items' sum, so that all lines add up to the net.
fn typed(items: &mut [LineItem]) {
    for item in items.iter_mut() {
        let negative = item.amount.is_some_and(|a| a.is_sign_negative() && !a.is_zero());
        item.kind = item.description.as_deref().map_or(LineKind::Item, |d| kind_of(d, negative));
    }
    let items_sum: Decimal =
        items.iter().filter(|i| i.kind != LineKind::Allowance).filter_map(|i| i.amount).sum();
    for item in items.iter_mut().filter(|i| i.kind == LineKind::Allowance) {
        if let Some(a) = item.amount.as_mut()
            && !a.is_zero()
            && a.is_sign_negative() == items_sum.is_sign_negative()
            && !items_sum.is_zero()
        {
            *a = -*a;
        }
    }
}

const CENT: Decimal = Decimal::from_parts(1, 0, 0, false, 2);

/// What a row's text opens with: the caption of a sum (total, net,
/// subtotal) or of a tax, in any of the label languages, and the first
/// percentage it prints.
#[derive(Debug, Clone, Copy, Default)]
struct RowCaption {
    total: bool,
    tax: bool,
    rate: Option<Decimal>,
}

/// Line `r`'s caption as the scan found it (the label at its first word)
/// and its first percentage mention.
fn row_caption(cx: &Ctx, r: usize) -> RowCaption {
    let line = &cx.layout.lines[r];
    let hit = cx.scan.label_of[line.start].map(|h| &cx.scan.labels[h]);
    let has = |kinds: &[Kind]| hit.is_some_and(|h| kinds.iter().any(|k| h.has(*k)));
    let rate = cx.scan.percents.iter().find(|p| p.start >= line.start && p.start < line.end);
    RowCaption {
        total: has(&[Kind::Total, Kind::Sum, Kind::Net, Kind::Gross]),
        tax: has(&[Kind::Vat]),
        rate: rate.map(|p| p.value),
    }
}

/// One table line with an amount, split into its cells.
fn row(cx: &Ctx, cols: &[Col], r: usize) -> Option<LineItem> {
    let l = cx.layout;
    let dec = cx.scan.decimal_sep;
    let line = &l.lines[r];
    let cells = cells_of(cx, cols, r);
    let text = |c: usize| l.text_of(&cells[c]);
    let col = |kind: Kind| cols.iter().position(|c| c.kind == kind);
    let num = |kind: Kind| -> Option<Decimal> {
        let c = col(kind)?;
        // The amount the scan read at the cell's last number, which may
        // reach left of the column: "2 500,00" whose "2" sits under "Satz".
        // Money has decimals: a code after it in the cell ("0,48 6", a tax
        // code column run into the amount's caption) is not the amount.
        let mentions: Vec<_> = cells[c]
            .iter()
            .rev()
            .filter_map(|&t| cx.scan.amount_of.get(t).copied().flatten())
            .filter_map(|a| cx.scan.amounts.get(a))
            .filter(|a| a.start >= line.start && a.end <= line.end)
            .collect();
        let money = matches!(kind, Kind::ColAmount | Kind::ColUnitPrice);
        let mention =
            mentions.iter().find(|a| money && a.decimals).or(mentions.first()).map(|a| a.value);
        mention.or_else(|| parse_amount_with(&text(c), dec)).or_else(|| {
            cells[c].iter().rev().find_map(|&t| parse_amount_with(&l.toks[t].text, dec))
        })
    };
    let (quantity, unit_in_qty) = match col(Kind::ColQty) {
        Some(c) => {
            split_qty(&cells[c].iter().map(|&t| l.toks[t].text.as_str()).collect::<Vec<_>>(), dec)
        }
        None => (None, None),
    };
    let unit_price = num(Kind::ColUnitPrice);
    // Without an amount cell, an amount with decimals at the table's right
    // (under an amount caption the labels lack), not in the prose left of
    // the numeric columns ("Preliminär skattereduktion: … 7481.25 kr").
    let numeric = [Kind::ColQty, Kind::ColUnitPrice, Kind::ColAmount, Kind::ColVatRate];
    let right = cols.iter().filter(|c| numeric.contains(&c.kind)).map(|c| c.x0).fold(0.0, f32::max);
    let at_right = || {
        let a = cx.scan.amounts.iter().rev().find(|a| {
            a.start >= line.start
                && a.start < line.end
                && a.decimals
                && l.bbox(a.start, a.end).is_some_and(|b| b.x1 >= right)
        })?;
        Some(a.value)
    };
    // A table without an amount column ("Artikel Enhet Antal À-pris"):
    // quantity × unit price.
    let product = || {
        let p = quantity?.checked_mul(unit_price?)?;
        col(Kind::ColAmount).is_none().then(|| p.round_dp(2))
    };
    let (amount, computed) = match num(Kind::ColAmount).or_else(at_right) {
        Some(a) => (a, false),
        None => (product()?, true),
    };
    let unit =
        col(Kind::ColUnit).map(text).filter(|s| !s.is_empty() && !has_digit(s)).or(unit_in_qty);
    let vat_rate = col(Kind::ColVatRate).and_then(|c| {
        let s = text(c);
        parse_percent(&s).or_else(|| parse_percent(&format!("{}%", s.trim_end_matches('%').trim())))
    });
    let consistent = !computed
        && match (quantity, unit_price) {
            (Some(q), Some(p)) => q
                .checked_mul(p)
                .and_then(|qp| qp.checked_sub(amount))
                .is_some_and(|gap| gap.abs() <= Decimal::new(2, 2)),
            _ => false,
        };
    Some(LineItem {
        description: col(Kind::ColDesc).map(text).filter(|s| !s.is_empty()),
        quantity,
        unit,
        unit_price,
        vat_rate,
        amount: Some(amount),
        confidence: if consistent { 0.9 } else { 0.6 },
        page: l.pages.get(line.page).map(|p| p.number),
        bbox: Some(line.bbox),
        source: Some(Source::Rules),
        ..Default::default()
    })
}

/// A quantity cell: `3`, `2,5`, `3 st`, `10 h`.
fn split_qty(words: &[&str], dec: Option<char>) -> (Option<Decimal>, Option<String>) {
    let mut qty = None;
    let mut unit = None;
    for w in words {
        if qty.is_none()
            && let Some(q) = parse_amount_with(w, dec)
        {
            qty = Some(q);
            continue;
        }
        if qty.is_some() && unit.is_none() && !has_digit(w) {
            unit = Some(w.to_string());
        }
    }
    (qty, unit)
}

#[cfg(test)]
mod real_lines_tests {
    use super::*;

    #[test]
    fn rows_past_the_net_that_repeat_the_vat_or_total_are_a_summary() {
        let item = |a: i64| LineItem { amount: Some(Decimal::from(a)), ..Default::default() };
        // (amounts, [net, vat, total], kept)
        let cases: [(&[i64], [i64; 3], &[i64]); 6] = [
            // The item, then a summary the reader took in: sub-total, IGV, total.
            (&[1100, 1100, 0, 198, 1298], [1100, 198, 1298], &[1100]),
            // The same rows, but net + VAT is not the total: nothing is cut.
            (&[1100, 1100, 0, 198, 1298], [1100, 198, 1300], &[1100, 1100, 0, 198, 1298]),
            // A section's sum above its own lines: nothing repeats VAT or total.
            (&[50, 50, 0], [50, 10, 60], &[50, 50, 0]),
            // The rows add up: nothing to cut.
            (&[60, 40], [100, 25, 125], &[60, 40]),
            // No prefix reaches the net: left for the reconciliation to flag.
            (&[70, 40, 125], [100, 25, 125], &[70, 40, 125]),
            // A VAT of zero repeated by a free line is no sign of a summary.
            (&[100, 0, 5], [100, 0, 100], &[100, 0, 5]),
        ];
        for (amounts, [net, vat, total], kept) in cases {
            let mut items: Vec<LineItem> = amounts.iter().map(|a| item(*a)).collect();
            cut_summary_rows(&mut items, [net, vat, total].map(Decimal::from));
            let got: Vec<i64> =
                items.iter().map(|i| i.amount.unwrap().try_into().unwrap()).collect();
            assert_eq!(got, kept, "{amounts:?}");
        }
    }

    #[test]
    fn a_row_that_sums_the_rows_above_is_not_a_line() {
        let item = |d: &str, a: i64| LineItem {
            description: Some(d.into()),
            amount: Some(Decimal::from(a)),
            ..Default::default()
        };
        // (amounts, kept)
        let cases: [(&[i64], &[i64]); 4] = [
            (&[2469, 50, 2519], &[2469, 50]),
            (&[100, 100], &[100, 100]),
            (&[100, 100, 200, 5], &[100, 100, 200, 5]),
            (&[300], &[300]),
        ];
        for (amounts, kept) in cases {
            let items = amounts.iter().map(|a| item("x", *a)).collect();
            let got: Vec<i64> = real_lines(items, &[])
                .iter()
                .map(|i| i.amount.unwrap().try_into().unwrap())
                .collect();
            assert_eq!(got, kept, "{amounts:?}");
        }
    }

    #[test]
    fn discount_and_freight_rows_are_typed_and_a_discount_reduces() {
        let item = |d: &str, a: i64| LineItem {
            description: Some(d.into()),
            amount: Some(Decimal::from(a)),
            ..Default::default()
        };
        use LineKind::{Allowance as A, Charge as C, Item as I};
        // (rows, their kinds, their amounts after typing)
        type Case = (&'static [(&'static str, i64)], &'static [LineKind], &'static [i64]);
        let cases: [Case; 9] = [
            (&[("Pen", 20), ("Member Discount", -2)], &[I, A], &[20, -2]),
            // A discount word inside a positive row's text is not enough.
            (&[("Discounted chairs", 300), ("Mengenrabatt", -30)], &[I, A], &[300, -30]),
            (&[("Konsulttimmar", 1000), ("Rabatt 10 %", -100)], &[I, A], &[1000, -100]),
            // A discount printed without its minus still reduces the net.
            (&[("Beratung", 1000), ("Rabatt", 100)], &[I, A], &[1000, -100]),
            (&[("Widgets", 200), ("Frachtzuschlag nach Abnahmemenge", 40)], &[I, C], &[200, 40]),
            (
                &[("Chairs", 300), ("Shipping & handling", 25), ("Port", 5)],
                &[I, C, C],
                &[300, 25, 5],
            ),
            (&[("Korting vaste klant", 30), ("Fiets", 600)], &[A, I], &[-30, 600]),
            // A credit note printed with negative amounts: its discount is positive.
            (&[("Retur stol", -300), ("Rabatt", -30)], &[I, A], &[-300, 30]),
            // A long description is an item whatever its first word.
            (&[("Shipping container rental for March at site 4", 900)], &[I], &[900]),
        ];
        for (rows, kinds, amounts) in cases {
            let mut items: Vec<LineItem> = rows.iter().map(|(d, a)| item(d, *a)).collect();
            typed(&mut items);
            let got: Vec<(LineKind, i64)> =
                items.iter().map(|i| (i.kind, i.amount.unwrap().try_into().unwrap())).collect();
            let want: Vec<(LineKind, i64)> =
                kinds.iter().copied().zip(amounts.iter().copied()).collect();
            assert_eq!(got, want, "{rows:?}");
        }
    }

    #[test]
    fn sum_and_tax_rows_end_the_items() {
        let item =
            |cents: i64| LineItem { amount: Some(Decimal::new(cents, 2)), ..Default::default() };
        let plain = RowCaption::default();
        let total = RowCaption { total: true, ..plain };
        let tax = |rate: i64| RowCaption { tax: true, rate: Some(Decimal::from(rate)), ..plain };
        // (amounts in cents, each row's caption, amounts kept)
        let cases: [(&[i64], &[RowCaption], &[i64]); 5] = [
            // "Totaal diensten/producten 78,51", "btw 21,00 % over 78,51 16,49"
            (&[7851, 7851, 1649], &[plain, total, tax(21)], &[7851]),
            (&[10000, 2500], &[plain, tax(25)], &[10000]),
            // A captioned row that is not the sum, or a rate that does not fit: items.
            (&[10000, 5000], &[plain, total], &[10000, 5000]),
            (&[10000, 2400], &[plain, tax(25)], &[10000, 2400]),
            // Equal amounts without a caption: two items.
            (&[7851, 7851], &[plain, plain], &[7851, 7851]),
        ];
        for (amounts, captions, kept) in cases {
            let items = amounts.iter().map(|a| item(*a)).collect();
            let got: Vec<Decimal> =
                real_lines(items, captions).iter().filter_map(|i| i.amount).collect();
            let want: Vec<Decimal> = kept.iter().map(|k| Decimal::new(*k, 2)).collect();
            assert_eq!(got, want, "{amounts:?}");
        }
    }
}
