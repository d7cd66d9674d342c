//! Amount candidates for the totals (net, VAT, total) from their captions,
//! the VAT breakdown per rate, and the currency.

use std::collections::{HashMap, HashSet};

use invex_domain::parse::{country_currency, normalize_currency};
use invex_domain::validate::{totals_consistent, vat_matches_rate};
use invex_domain::{Value, VatLine};
use rust_decimal::Decimal;

use super::Ctx;
use super::candidates::AmountMention;
use super::confidence::{Cand, Pool};
use super::labels::Kind;
use super::layout::{Place, Run};
use super::reconcile::STANDARD_RATES;

/// Candidates per role, before reconciliation.
#[derive(Debug, Default)]
pub struct Roles {
    pub net: Pool,
    pub vat: Pool,
    /// Amount to pay.
    pub total: Pool,
    pub breakdown: Vec<RateRow>,
}

/// One VAT rate's row of the breakdown, with the tokens of its amounts.
#[derive(Debug)]
pub struct RateRow {
    pub line: VatLine,
    pub vat_tok: usize,
    pub base_tok: Option<usize>,
}

impl RateRow {
    /// The row of `rate` with its VAT amount and, when printed, its base.
    fn new(rate: Decimal, base: Option<&AmountMention>, vat: &AmountMention) -> RateRow {
        RateRow {
            line: VatLine {
                rate,
                base: base.map(|b| b.value),
                amount: vat.value,
                category: None,
                exemption_reason: None,
            },
            vat_tok: vat.start,
            base_tok: base.map(|b| b.start),
        }
    }
}

/// Caption kinds and the role/weight they give an amount.
const ROLE_KINDS: [(Kind, u8, f32); 6] = [
    (Kind::Net, 0, 1.0),
    (Kind::VatBase, 0, 0.5),
    (Kind::Vat, 1, 1.0),
    (Kind::Total, 2, 1.0),
    (Kind::Gross, 2, 0.9),
    (Kind::Sum, 2, 0.5),
];

/// Titles of a statement of account (as phrase keys), a page that lists
/// several invoices and what is owed on all of them.
const STATEMENT_TITLES: &[&str] = &[
    "statement",
    "statementofaccount",
    "accountstatement",
    "kontoauszug",
    "relevedecompte",
    "estadodecuenta",
    "kontoutdrag",
    "rekeningoverzicht",
    "estrattoconto",
];

/// Per page: whether it is a statement of account attached to the invoice,
/// titled so on one of its first three lines (never the first page).
fn statement_pages(cx: &Ctx) -> Vec<bool> {
    let l = cx.layout;
    (0..l.pages.len())
        .map(|p| {
            let lines = l.pages[p].lines.clone();
            p > 0
                && lines.take(3).any(|li| {
                    let line = &l.lines[li];
                    let key: String =
                        (line.start..line.end).map(|t| l.toks[t].key.as_str()).collect();
                    STATEMENT_TITLES.contains(&key.as_str())
                })
        })
        .collect()
}

pub fn roles(cx: &Ctx, table_lines: &[bool]) -> Roles {
    let mut r = Roles::default();
    let breakdown = vat_lines(cx, table_lines);
    let multi_rate = breakdown.len() > 1;
    let statements = statement_pages(cx);
    // The invoice's own last page: a statement of account after it is not.
    let last_page = (0..cx.layout.pages.len()).rev().find(|&p| !statements[p]).unwrap_or(0);
    // Each captioned candidate with its role, its caption's words and its amount.
    let mut found: Vec<(u8, String, Decimal, Cand)> = Vec::new();
    for (kind, role, kw) in ROLE_KINDS {
        for slot in cx.scan.grid_slots(cx.layout, kind, 1) {
            let hit = &cx.scan.labels[slot.label];
            let label_line = cx.layout.toks[hit.start].line;
            // "Umsatzsteuer % | 0,00", "Moms % 25": a caption of the rate.
            let last = &cx.layout.toks[hit.end - 1];
            let next = cx.layout.toks.get(hit.end).filter(|n| n.line == last.line);
            if role == 1 && (last.text == "%" || next.is_some_and(|n| n.text == "%")) {
                continue;
            }
            let below = matches!(slot.place, Place::Below(_));
            if below && table_lines.get(label_line).copied().unwrap_or(false) {
                continue;
            }
            // Under a grid caption, a row that starts with a rate is one VAT
            // rate's row ("25 % | 1 630,00 | 407,50"), not the totals.
            if below {
                let row = &cx.layout.lines[cx.layout.toks[slot.run.start].line];
                if cx.scan.percent_of[row.start].is_some() {
                    continue;
                }
            }
            // A caption inside a line-item row is a description, not a total.
            if !below && table_lines.get(label_line).copied().unwrap_or(false) && !hit.isolated {
                continue;
            }
            // A total's column caption over rows of amounts (`TOTAL AMOUNT`
            // over an HSN summary's rows) heads a table, not the totals.
            if role == 2 && below && column_goes_on(cx, slot.run) {
                continue;
            }
            // Amounts inside running text ("Art. 196 Directive") are not totals.
            let amounts: Vec<_> =
                cx.scan.amounts_in(slot.run).filter(|a| ends_phrase(cx, a)).collect();
            let n = amounts.len();
            for (i, a) in amounts.into_iter().enumerate() {
                let pick = if below { i == 0 } else { i + 1 == n };
                let mut score = slot.weight * kw * if pick { 1.0 } else { 0.5 };
                if !a.decimals {
                    score *= 0.7;
                }
                let page = cx.layout.toks[a.start].page;
                if page < last_page {
                    score *= 0.75;
                }
                // "Total Amount Due" on a statement sums other invoices too.
                if statements[page] {
                    score *= 0.3;
                }
                // VAT for one rate among several ("Moms 25 %  250,00").
                if role == 1 && multi_rate && line_has_percent(cx, label_line) {
                    score *= 0.6;
                }
                // The later of two totals is the final one (after rounding).
                if role == 2 && cx.layout.toks[a.start].page == last_page {
                    score += 0.1 * cx.layout.rel_y(a.start);
                }
                let conf = (0.45 + 0.4 * score).min(0.85);
                let c = Cand::at(cx.layout, a.start, a.end, Value::Amount(a.value), score, conf);
                let caption: String =
                    cx.layout.toks[hit.start..hit.end].iter().map(|t| t.key.as_str()).collect();
                found.push((role, caption, a.value, c));
            }
        }
    }
    // One caption over more than four different amounts ("Total" under
    // each of a phone bill's sections) labels rows or sections, not the
    // invoice: its amounts count for little.
    let mut values: HashMap<(u8, &str), HashSet<Decimal>> = HashMap::new();
    for (role, caption, amount, _) in &found {
        values.entry((*role, caption.as_str())).or_default().insert(*amount);
    }
    let crowded: Vec<bool> = found
        .iter()
        .map(|(role, caption, ..)| values[&(*role, caption.as_str())].len() > 4)
        .collect();
    for ((role, _, _, mut c), crowded) in found.into_iter().zip(crowded) {
        if crowded {
            c.score *= 0.5;
            c.conf *= 0.5;
        }
        match role {
            0 => r.net.push(c),
            1 => r.vat.push(c),
            _ => r.total.push(c),
        }
    }
    summary_grid(cx, &mut r, table_lines);
    if let Some(s) = &cx.slip
        && let Some(a) = s.amount
    {
        r.total.push(Cand::at(cx.layout, s.start, s.end, Value::Amount(a), 0.5, 0.8));
    }
    // Money has at most two decimals here: "6,417" is an OCR misreading (or
    // a quantity), never a total.
    for role in [&mut r.net, &mut r.vat, &mut r.total] {
        role.retain(|c| !matches!(c.value, Value::Amount(a) if a.normalize().scale() > 2));
    }
    rounded_total(cx, &mut r);
    grand_total(&mut r);
    r.breakdown = breakdown;
    if !r.breakdown.is_empty() {
        let vat: Decimal = r.breakdown.iter().map(|row| row.line.amount).sum();
        let first = &r.breakdown[0];
        let t = first.vat_tok;
        let score = if r.breakdown.len() > 1 { 0.75 } else { 0.5 };
        r.vat.push(Cand::at(cx.layout, t, t + 1, Value::Amount(vat), score, 0.7));
        let bases: Option<Decimal> = r.breakdown.iter().map(|row| row.line.base).sum();
        // The sum of the bases sits at the first base, not at the VAT amount:
        // candidates in one box are one printed amount and never pair up.
        if let (Some(b), Some(bt)) = (bases, first.base_tok) {
            r.net.push(Cand::at(cx.layout, bt, bt + 1, Value::Amount(b), score * 0.8, 0.6));
        }
    }
    r
}

/// Whether the line under the first amount of `run` has an amount below it
/// too, overlapping it across, and no caption: the amount is one row of a
/// column.
fn column_goes_on(cx: &Ctx, run: Run) -> bool {
    let l = cx.layout;
    let Some(a) = cx.scan.amounts_in(run).next() else { return false };
    let b = l.toks[a.end - 1].bbox;
    let line = l.toks[a.start].line;
    let Some(next) = l.lines.get(line + 1).filter(|n| n.page == l.lines[line].page) else {
        return false;
    };
    let captioned = (next.start..next.end).any(|t| cx.scan.label_of[t].is_some());
    let below = (next.start..next.end).any(|t| {
        let u = l.toks[t].bbox;
        cx.scan.amount_of[t].is_some() && u.x0 < b.x1 && u.x1 > b.x0
    });
    below && !captioned
}

/// Of totals far apart (a section's "Totaal: 281,71" and the invoice's
/// "Totaal: 703,15"), the largest is the grand total: sub-totals are parts.
fn grand_total(r: &mut Roles) {
    let abs = |c: &Cand| match c.value {
        Value::Amount(a) => a.abs(),
        _ => Decimal::ZERO,
    };
    let Some(max) = r.total.iter().map(abs).max() else { return };
    let part = r.total.iter().any(|c| abs(c) * Decimal::new(15, 1) <= max);
    if part {
        r.total.boost(&Value::Amount(max), 0.05);
        r.total.boost(&Value::Amount(-max), 0.05);
    }
}

/// With a rounding line ("Öresavrundning -0,43"), the total that equals
/// another total plus the rounding is the one to pay.
fn rounded_total(cx: &Ctx, r: &mut Roles) {
    let roundings: Vec<Decimal> = cx
        .scan
        .slots(cx.layout, Kind::Rounding, 1)
        .iter()
        .flat_map(|s| cx.scan.amounts_in(s.run).map(|a| a.value).collect::<Vec<_>>())
        .filter(|v| !v.is_zero() && v.abs() < Decimal::ONE)
        .collect();
    if roundings.is_empty() {
        return;
    }
    let totals: Vec<Decimal> = r
        .total
        .iter()
        .filter_map(|c| match c.value {
            Value::Amount(a) => Some(a),
            _ => None,
        })
        .collect();
    let tolerance = Decimal::new(5, 3);
    for &t in &totals {
        let rounded = totals
            .iter()
            .any(|&g| g != t && roundings.iter().any(|&x| (g + x - t).abs() <= tolerance));
        if rounded {
            r.total.boost(&Value::Amount(t), 0.3);
        }
    }
}

/// Whether an amount ends its phrase (a currency marker may follow).
fn ends_phrase(cx: &Ctx, a: &AmountMention) -> bool {
    let ph = &cx.layout.phrases[cx.layout.toks[a.start].phrase];
    (a.end..ph.end).all(|t| {
        let w = cx.layout.toks[t].text.as_str();
        cx.layout.toks[t].key.is_empty() || normalize_currency(w).is_some()
    })
}

/// The role a caption gives the amounts in its column: 0 net, 1 VAT, 2 total.
fn role_of(cx: &Ctx, hit: usize) -> Option<u8> {
    let h = &cx.scan.labels[hit];
    if h.has(Kind::Net) || h.has(Kind::VatBase) {
        Some(0)
    } else if h.has(Kind::Vat) {
        Some(1)
    } else if h.has(Kind::Gross) || h.has(Kind::Total) || h.has(Kind::Sum) {
        Some(2)
    } else {
        None
    }
}

/// A VAT summary grid: a caption row with net, VAT and total columns
/// (`Momssats | Netto | Moms | Totalt`), rows per rate, and a sum row
/// (`Summa | 35 442,67 | 2 586,47 | 38 029,14`) whose cells are the totals.
fn summary_grid(cx: &Ctx, r: &mut Roles, table_lines: &[bool]) {
    let l = cx.layout;
    for li in 0..l.lines.len() {
        if table_lines.get(li).copied().unwrap_or(false) {
            continue;
        }
        let cols: Vec<(u8, f32, f32)> = l
            .phrases_of_line(li)
            .filter_map(|p| {
                let ph = &l.phrases[p];
                let h = cx.scan.label_of[ph.start]?;
                let hit = &cx.scan.labels[h];
                let alone = (hit.end..ph.end).all(|t| l.toks[t].key.is_empty());
                alone.then_some(())?;
                role_of(cx, h).map(|role| (role, ph.bbox.x0, ph.bbox.x1))
            })
            .collect();
        let roles = [0u8, 1, 2].iter().filter(|k| cols.iter().any(|c| c.0 == **k)).count();
        if roles < 2 {
            continue;
        }
        let page = l.lines[li].page;
        for ri in li + 1..(li + 9).min(l.lines.len()) {
            let row = &l.lines[ri];
            if row.page != page {
                break;
            }
            let cells: Vec<_> = cx
                .scan
                .amounts
                .iter()
                .filter(|a| a.start >= row.start && a.start < row.end)
                .collect();
            // The row's caption, before its first amount, ends in a sum
            // caption: "Summe", "Total", and "MwSt Total" (OCR'd "HuSt Total").
            let head_end = cells.first().map_or(row.end, |a| a.start);
            let sum_row = (row.start..head_end).any(|t| {
                cx.scan.label_of[t].is_some_and(|h| {
                    let hit = &cx.scan.labels[h];
                    let ends = hit.end == l.phrases[l.toks[hit.start].phrase].end;
                    (hit.isolated || (ends && hit.start == t))
                        && (hit.has(Kind::Sum) || hit.has(Kind::Gross) || hit.has(Kind::Total))
                })
            });
            if cells.len() < 2 {
                continue;
            }
            let column = |a: &AmountMention| -> Option<u8> {
                let b = l.bbox(a.start, a.end)?;
                cols.iter()
                    .filter(|c| b.x1.min(c.2) - b.x0.max(c.1) > 0.0 || (b.x1 - c.2).abs() < 12.0)
                    .min_by(|x, y| (b.x1 - x.2).abs().total_cmp(&(b.x1 - y.2).abs()))
                    .map(|c| c.0)
            };
            // Without a sum caption, the grid's only row (right under its
            // captions, no row after it) counts when its net, VAT and total
            // add up ("19% | 16,72 | 3,18 | 19,90" under "Netto | MwSt |
            // Brutto"); one of several rows is one rate's.
            if !sum_row {
                if ri != li + 1 {
                    continue;
                }
                let cell =
                    |role: u8| cells.iter().find(|a| column(a) == Some(role)).map(|a| a.value);
                let adds_up = match (cell(0), cell(1), cell(2)) {
                    (Some(n), Some(v), Some(t)) => totals_consistent(n, v, t),
                    _ => false,
                };
                let next_row = l.lines.get(ri + 1).is_some_and(|next| {
                    next.page == page
                        && cx
                            .scan
                            .amounts
                            .iter()
                            .filter(|a| a.start >= next.start && a.start < next.end)
                            .filter(|a| column(a).is_some())
                            .count()
                            >= 2
                });
                if !adds_up || next_row {
                    continue;
                }
            }
            for a in cells {
                let Some(role) = column(a) else { continue };
                // The grid's total is before rounding: a payable total wins.
                let score = match (role, a.decimals) {
                    (2, _) => 0.85,
                    (_, true) => 1.1,
                    _ => 0.8,
                } * if sum_row { 1.0 } else { 0.9 };
                let c = Cand::at(l, a.start, a.end, Value::Amount(a.value), score, 0.85);
                match role {
                    0 => r.net.push(c),
                    1 => r.vat.push(c),
                    _ => r.total.push(c),
                }
            }
            break;
        }
    }
}

fn line_has_percent(cx: &Ctx, line: usize) -> bool {
    let l = &cx.layout.lines[line];
    (l.start..l.end).any(|t| cx.scan.percent_of[t].is_some())
}

/// VAT per rate: lines that print a rate and a VAT amount, either captioned
/// ("Moms 25 %  250,00") or arithmetically consistent ("25 %  1 000,00  250,00").
fn vat_lines(cx: &Ctx, table_lines: &[bool]) -> Vec<RateRow> {
    // Keyed by rate and GST component: India's CGST and SGST rows share a
    // rate and are both parts of the tax.
    let mut by_rate: HashMap<(Decimal, Option<&str>), (RateRow, f32)> = HashMap::new();
    for li in 0..cx.layout.lines.len() {
        let Some((row, s)) = rate_row(cx, li) else { continue };
        // A line inside what looks like the item table counts only as a
        // captioned row whose VAT is its base's rate ("+19 % USt. auf
        // 50,37 € | 9,57 €" under a summary the table reader took in).
        if table_lines.get(li).copied().unwrap_or(false) && s < 1.0 {
            continue;
        }
        // The surest row of each rate.
        let key = (row.line.rate, gst_component(cx, li));
        if by_rate.get(&key).is_none_or(|(_, old)| *old < s) {
            by_rate.insert(key, (row, s));
        }
    }
    let mut out: Vec<RateRow> = by_rate.into_values().map(|(row, _)| row).collect();
    // Highest rate first; rows of one rate (CGST and SGST) in page order,
    // whatever order the map gave them.
    out.sort_by_key(|row| (std::cmp::Reverse(row.line.rate), row.vat_tok));
    out
}

/// Line `li` as one rate's row of the breakdown, and how sure it is.
fn rate_row(cx: &Ctx, li: usize) -> Option<(RateRow, f32)> {
    let line = &cx.layout.lines[li];
    let run = Run { start: line.start, end: line.end };
    let pcts: Vec<_> =
        cx.scan.percents.iter().filter(|p| p.start >= line.start && p.start < line.end).collect();
    // The rate with its sign, or bare under a caption with one
    // ("Umsatzsteuer % …" over "19,00 | 33.61 | 6.39", or between base and
    // VAT: "210,12 | 10 | 21,01").
    let (rate, rate_end) = match pcts.as_slice() {
        [p] => (p.value, p.end),
        [] => match bare_rate(cx, li) {
            Some(r) => r,
            None => return rate_between(cx, li).map(|row| (row, 0.8)),
        },
        _ => return None,
    };
    // A bare rate is an amount itself: the pairs come after it.
    let from = if pcts.is_empty() { rate_end } else { line.start };
    let amounts: Vec<_> = cx
        .scan
        .amounts
        .iter()
        .filter(|a| a.start >= from && a.start < line.end && a.decimals)
        .collect();
    let vat_caption = cx.scan.captions(run, Kind::Vat) || gst_component(cx, li).is_some();
    let mut found: Option<(RateRow, f32)> = None;
    for (i, base) in amounts.iter().enumerate() {
        for vat in &amounts[i + 1..] {
            if !vat.value.is_zero() && vat_matches_rate(base.value, rate, vat.value) {
                found = Some((
                    RateRow::new(rate, Some(base), vat),
                    if vat_caption { 1.0 } else { 0.8 },
                ));
            }
        }
    }
    if found.is_none() && vat_caption && !pcts.is_empty() {
        let last = amounts.last().filter(|last| last.start >= rate_end)?;
        found = Some((RateRow::new(rate, None, last), 0.6));
    }
    found
}

/// The Indian GST component that line `li` names (`CGST`, `SGST`, `UTGST`,
/// `IGST`, also glued to its rate: `CGST9`; anywhere on the line, as a
/// column beside may open it): a VAT caption of its own, and a part of the
/// tax beside the other components of its rate.
fn gst_component(cx: &Ctx, li: usize) -> Option<&'static str> {
    let line = &cx.layout.lines[li];
    cx.layout.toks[line.start..line.end].iter().find_map(|tok| {
        ["cgst", "sgst", "utgst", "igst"].into_iter().find(|p| {
            tok.key.strip_prefix(p).is_some_and(|r| r.bytes().all(|b| b.is_ascii_digit()))
        })
    })
}

/// A VAT rate printed without its sign at the start of line `li`, under a
/// VAT caption with a `%` within the four lines above: the rate and the end
/// of its words. Only the standard rates of the EU and the Nordics count.
fn bare_rate(cx: &Ctx, li: usize) -> Option<(Decimal, usize)> {
    let start = cx.layout.lines[li].start;
    let a = cx.scan.amount_of.get(start).copied().flatten().and_then(|a| cx.scan.amounts.get(a))?;
    (a.start == start && standard_rate(a.value) && rate_captioned(cx, li))
        .then_some((a.value, a.end))
}

/// A VAT rate printed without its sign between its base and its VAT
/// ("210,12 | 10 | 21,01" under "Base imponible | % | IVA"), under a VAT
/// caption with a `%` within the four lines above: the row.
fn rate_between(cx: &Ctx, li: usize) -> Option<RateRow> {
    // The caption first: most lines are under none.
    if !rate_captioned(cx, li) {
        return None;
    }
    let line = &cx.layout.lines[li];
    let on_line: Vec<_> =
        cx.scan.amounts.iter().filter(|a| a.start >= line.start && a.start < line.end).collect();
    on_line.windows(3).find_map(|w| {
        let (base, rate, vat) = (w[0], w[1], w[2]);
        let fits = base.decimals
            && !rate.decimals
            && vat.decimals
            && !vat.value.is_zero()
            && standard_rate(rate.value)
            && vat_matches_rate(base.value, rate.value, vat.value);
        fits.then(|| RateRow::new(rate.value, Some(base), vat))
    })
}

/// Whether `v` is a whole VAT rate of the EU and the Nordics.
fn standard_rate(v: Decimal) -> bool {
    STANDARD_RATES.iter().any(|&r| v == Decimal::from(r))
}

/// Whether a VAT caption and a `%` share a line within the four lines
/// above line `li`: a column of rates printed without their sign.
fn rate_captioned(cx: &Ctx, li: usize) -> bool {
    let l = cx.layout;
    let page = l.lines[li].page;
    (li.saturating_sub(4)..li).filter(|&k| l.lines[k].page == page).any(|k| {
        let ln = &l.lines[k];
        cx.scan.captions(Run { start: ln.start, end: ln.end }, Kind::Vat)
            && (ln.start..ln.end).any(|t| l.toks[t].text == "%")
    })
}

/// Whether the document writes US dollars out: `USD`, `US$` or `U.S.
/// dollars`, not a bare `$`.
fn usd_written(cx: &Ctx) -> bool {
    cx.layout.toks.iter().any(|t| {
        let u = t.text.to_ascii_uppercase();
        u.contains("USD") || u.contains("US$") || u.starts_with("U.S.")
    })
}

/// The country a `$` document names besides its VAT number: a tax id or a
/// legal form printed only there (CUIT in Argentina, ABN in Australia, RFC
/// and "S.A. de C.V." in Mexico, "Sdn Bhd" in Malaysia, "Pte Ltd" and UEN in
/// Singapore, "Pty Ltd" in Australia, GST/HST in Canada, NZBN in New
/// Zealand, EIN in the United States).
fn dollar_country(cx: &Ctx) -> Option<&'static str> {
    const MARKS: [(&str, &str); 13] = [
        ("CUIT", "AR"),
        ("C.U.I.T", "AR"),
        ("ABN", "AU"),
        ("PTY LTD", "AU"),
        ("RFC", "MX"),
        ("S.A. DE C.V", "MX"),
        ("SDN BHD", "MY"),
        ("SDN. BHD", "MY"),
        ("PTE LTD", "SG"),
        ("UEN", "SG"),
        ("GST/HST", "CA"),
        ("NZBN", "NZ"),
        ("EIN", "US"),
    ];
    let l = cx.layout;
    let mut found: Option<&'static str> = None;
    for line in &l.lines {
        let text = format!(" {} ", l.text(line.start, line.end)).to_ascii_uppercase();
        for (mark, country) in MARKS {
            let word = |i: usize| {
                let before = text[..i].chars().next_back().is_some_and(|c| !c.is_alphanumeric());
                let after =
                    text[i + mark.len()..].chars().next().is_some_and(|c| !c.is_alphanumeric());
                before && after
            };
            if text.match_indices(mark).any(|(i, _)| word(i)) {
                match found {
                    Some(f) if f != country => return None, // two countries: no evidence
                    _ => found = Some(country),
                }
            }
        }
    }
    found
}

/// The currency: a captioned one, else the codes and symbols printed with
/// amounts, else the country of the supplier's VAT number or IBAN; absent
/// without evidence. `kr` is Danish or Norwegian kroner when the supplier's
/// country says so. `country` is the supplier's country (VAT number or
/// IBAN) when known, and `swedish` whether Swedish payment details
/// (Bankgiro, Plusgiro) are printed.
pub fn currency(
    cx: &Ctx,
    total_tok: Option<usize>,
    country: Option<&str>,
    swedish: bool,
) -> Option<Cand> {
    let mut votes: HashMap<&'static str, (f32, usize)> = HashMap::new();
    let mut vote = |code: &'static str, w: f32, t: usize| {
        let e = votes.entry(code).or_insert((0.0, t));
        e.0 += w;
    };
    // `kr`, `kr.`, `:-` and `kronor` name kroner, not which ones.
    let kroner = |text: &str| {
        let t = text.trim_matches(|c: char| matches!(c, '(' | ')' | ':' | ','));
        !t.eq_ignore_ascii_case("sek") && normalize_currency(t) == Some("SEK")
    };
    let local_kroner = match country {
        Some("DK") => Some("DKK"),
        Some("NO") => Some("NOK"),
        Some("IS") => Some("ISK"),
        _ => None,
    };
    let code_of = |t: usize, code: &'static str| -> &'static str {
        match local_kroner {
            Some(local) if code == "SEK" && kroner(&cx.layout.toks[t].text) => local,
            _ => code,
        }
    };
    for slot in cx.scan.slots(cx.layout, Kind::Currency, 1) {
        for t in slot.run.start..slot.run.end {
            if let Some(c) = normalize_currency(&cx.layout.toks[t].text) {
                vote(code_of(t, c), 3.0, t);
                break;
            }
        }
    }
    for a in &cx.scan.amounts {
        if let Some(c) = a.currency {
            let w = if Some(a.start) == total_tok { 2.0 } else { 1.0 };
            // The marker is the word before or after the number, or glued to it.
            let marker = (a.start.saturating_sub(1)..(a.end + 1).min(cx.layout.toks.len()))
                .find(|&t| kroner(&cx.layout.toks[t].text));
            let c = marker.map_or(c, |t| code_of(t, c));
            vote(c, w, a.start);
        }
    }
    for (t, tok) in cx.layout.toks.iter().enumerate() {
        // The word itself, or a code in brackets at its end ("Amount(RM)").
        let inner = tok.text.strip_suffix(')').and_then(|w| w.rsplit_once('(')).map(|(_, c)| c);
        let text = tok.text.trim_matches(|c: char| matches!(c, '(' | ')' | ':' | ',' | '.'));
        for text in [Some(text), inner].into_iter().flatten() {
            let code = text.len() == 3 && text.chars().all(|c| c.is_ascii_uppercase());
            // "ZU ZAHLEN EURO": the currency's name as a word of its own.
            let symbol = matches!(text, "€" | "£" | "$" | "₹" | "RM")
                || matches!(text.to_lowercase().as_str(), "euro" | "euros");
            if (code || symbol)
                && let Some(c) = normalize_currency(text)
            {
                vote(code_of(t, c), 0.5, t);
                break;
            }
        }
    }
    let best = votes.into_iter().max_by(|a, b| a.1.0.total_cmp(&b.1.0).then(b.0.cmp(a.0)));
    if let Some((code, (w, t))) = best {
        let conf = if w >= 3.0 {
            0.95
        } else if w >= 1.0 {
            0.9
        } else {
            0.75
        };
        // A bare `$` is the sign of a dozen dollars and pesos: USD only
        // when something says so ("USD", "US$"); else the currency of the
        // supplier's country when it is one written with `$` (the country of
        // its VAT number or IBAN, else of its tax id or legal form); else
        // USD, unsure.
        if code == "USD" && !usd_written(cx) {
            // Currencies printed with a `$` (the ringgit was the Malaysian dollar).
            const DOLLARS: [&str; 11] =
                ["USD", "CAD", "AUD", "NZD", "SGD", "HKD", "MXN", "ARS", "CLP", "COP", "MYR"];
            let local = [country, dollar_country(cx)]
                .into_iter()
                .flatten()
                .filter_map(country_currency)
                .find(|c| DOLLARS.contains(c));
            return Some(match local {
                Some(local) => Cand::at(cx.layout, t, t + 1, Value::Text(local.into()), w, 0.8),
                None => Cand::at(cx.layout, t, t + 1, Value::Text(code.into()), w, 0.5),
            });
        }
        return Some(Cand::at(cx.layout, t, t + 1, Value::Text(code.to_string()), w, conf));
    }
    // Nothing printed: the supplier's country decides, or Swedish payment
    // details; otherwise the currency stays unknown rather than guessed.
    let code = country.and_then(country_currency).or(swedish.then_some("SEK"))?;
    Some(Cand {
        value: Value::Text(code.to_string()),
        score: 0.1,
        conf: 0.6,
        page: 0,
        bbox: None,
        toks: None,
    })
}
