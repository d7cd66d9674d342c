//! invex-memory: supplier memory, the cascade's third stage.
//!
//! A reviewer fixes the invoice number on supplier X's invoice; the next
//! invoice from X should be right. This crate implements
//! [`invex_domain::memory::MemoryStage`] over the page's words:
//!
//! - [`learn_placement`] finds a confirmed value on the page (in any printed
//!   form: `1 234,56`, `2026-03-05` or `5 mars 2026`, an identifier with or
//!   without spaces) and records its [`Placement`]: the caption left of it
//!   on its line, or above it, the distance from that caption, the value's
//!   shape and its zone. A supplier's own values (name, identifiers,
//!   currency) are kept as they are: they are the same on every invoice.
//! - [`find`] reads a value with a placement on another invoice: the caption
//!   is looked for, the value is taken where the placement says and must
//!   have the learned shape, parse as the field's kind and pass the field's
//!   validator. Without its evidence on the page, a placement finds nothing.
//! - [`SupplierMemory`] is the stage: `recall` merges what placements find
//!   into the page reading; `learn` counts hits and misses and learns new
//!   placements.
//!
//! Invariant (never guess): a placement is kept only if, read back on the
//! page it was learned from, it finds exactly the confirmed value.

mod page;

use invex_domain::memory::{
    Confirmed, Direction, FORGET_AFTER_MISSES, FieldMemory, MemoryStage, Placement,
};
use invex_domain::service::review::check_value;
use invex_domain::{BBox, Document, Field, FieldName, Invoice, Source, Value, ValueKind};

use page::{
    Line, Run, caption_above, caption_left, currency_symbol, lines_of, norm, pattern,
    runs_reading_as, squash,
};

/// Confidence of a value found by a placement no review has contradicted.
pub const SURE: f32 = 0.97;
/// Confidence of a value found by a weak placement: low enough for review.
pub const WEAK: f32 = 0.3;
/// Placements kept per field.
const MAX_PLACEMENTS: usize = 3;

/// The memory stage (stateless: the memory itself lives in the store).
#[derive(Debug, Default, Clone, Copy)]
pub struct SupplierMemory;

/// Fields whose value is the supplier's own and the same on all its
/// invoices (its currency too): remembered as values, found again by
/// their value printed on the page.
fn constant(field: FieldName) -> bool {
    use FieldName::*;
    matches!(
        field,
        SupplierName | SupplierOrgNr | SupplierVat | Bankgiro | Plusgiro | Iban | Bic | Currency
    )
}

/// Fields the memory does not learn: yes/no fields and the multi-line address.
fn learnable(field: FieldName) -> bool {
    field.kind() != ValueKind::Bool && field != FieldName::SupplierAddress
}

impl MemoryStage for SupplierMemory {
    fn recall(&self, document: &Document, memory: &[FieldMemory], invoice: Invoice) -> Invoice {
        let mut out = invoice.clone();
        for fm in memory {
            let mut order: Vec<&Placement> = fm.placements.iter().collect();
            order.sort_by_key(|p| p.is_weak());
            let Some((found, p)) =
                order.iter().find_map(|p| find(document, fm.field, p).map(|f| (f, *p)))
            else {
                continue;
            };
            let confidence = if p.is_weak() { WEAK } else { SURE };
            let merged = match invoice.get(fm.field) {
                Some(f) if matches!(f.source, Source::EInvoice | Source::Human) => continue,
                Some(f) if same_value(&f.value, &found.value) => {
                    if p.is_weak() {
                        continue;
                    }
                    Field { confidence: f.confidence.max(SURE), ..f.clone() }
                }
                Some(_) if !p.overrides => continue,
                _ => Field { confidence, ..found },
            };
            out.fields.insert(fm.field, merged);
        }
        keep_amounts_that_add_up(&invoice, out)
    }

    fn learn(
        &self,
        document: &Document,
        mut memory: Vec<FieldMemory>,
        confirmed: &[Confirmed],
    ) -> Vec<FieldMemory> {
        for c in confirmed.iter().filter(|c| learnable(c.field)) {
            let index = match memory.iter().position(|m| m.field == c.field) {
                Some(i) => i,
                None => {
                    memory.push(FieldMemory { field: c.field, placements: Vec::new() });
                    memory.len() - 1
                }
            };
            let fm = &mut memory[index];
            let mut known = false;
            for p in &mut fm.placements {
                match (find(document, c.field, p), &c.value) {
                    (Some(found), Some(value)) if same_value(&found.value, value) => {
                        p.hits += 1;
                        p.overrides |= c.corrected;
                        known = true;
                    }
                    (Some(_), _) => p.misses += 1,
                    (None, _) => {}
                }
            }
            fm.placements.retain(|p| p.misses < FORGET_AFTER_MISSES);
            if let (false, Some(value)) = (known, &c.value)
                && let Some(p) = learn_placement(document, c.field, value)
            {
                fm.placements.push(Placement { overrides: c.corrected, ..p });
            }
            fm.placements
                .sort_by_key(|p| (p.is_weak(), -(i64::from(p.hits) - i64::from(p.misses))));
            fm.placements.truncate(MAX_PLACEMENTS);
        }
        memory.retain(|m| !m.placements.is_empty());
        memory
    }
}

/// `recalled`, except that when the page reading's net + VAT = total held
/// and the memory's amounts break it, the page reading's amounts stay: the
/// arithmetic arbitrates between the two.
fn keep_amounts_that_add_up(reading: &Invoice, mut recalled: Invoice) -> Invoice {
    const AMOUNTS: [FieldName; 3] =
        [FieldName::NetAmount, FieldName::VatAmount, FieldName::TotalAmount];
    let adds_up = |inv: &Invoice| {
        let amount = |f| match inv.get(f).map(|f| &f.value) {
            Some(Value::Amount(a)) => Some(*a),
            _ => None,
        };
        match (
            amount(FieldName::NetAmount),
            amount(FieldName::VatAmount),
            amount(FieldName::TotalAmount),
        ) {
            (Some(n), Some(v), Some(t)) => {
                Some((n + v - t).abs() <= rust_decimal::Decimal::new(1, 2))
            }
            _ => None,
        }
    };
    let changed = AMOUNTS.iter().any(|&f| reading.get(f) != recalled.get(f));
    if changed && adds_up(reading) == Some(true) && adds_up(&recalled) != Some(true) {
        for f in AMOUNTS {
            match reading.get(f) {
                Some(field) => recalled.fields.insert(f, field.clone()),
                None => recalled.fields.remove(&f),
            };
        }
    }
    recalled
}

/// Two values are the same up to spaces, punctuation and case (identifiers
/// are printed in many ways), or equal (dates, amounts).
pub fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Text(x), Value::Text(y)) => squash(x) == squash(y),
        (Value::Amount(x), Value::Amount(y)) => x == y,
        _ => a == b,
    }
}

/// How `value` of `field` is printed on `document`, as a placement that
/// reads it back; `None` when the page does not show it in a way a
/// placement can find again. A run with a caption left of it wins over
/// one with a caption above, which wins over one without.
pub fn learn_placement(document: &Document, field: FieldName, value: &Value) -> Option<Placement> {
    if !learnable(field) {
        return None;
    }
    let mut candidates: Vec<(u8, Placement)> = Vec::new();
    for page in &document.pages {
        let lines = lines_of(page);
        for run in runs_reading_as(page, &lines, value) {
            let text = run.text(page);
            let (w, h) = (page.width.max(1.0), page.height.max(1.0));
            let b = run.bbox(page);
            let base = Placement {
                label: Vec::new(),
                direction: Direction::Zone,
                offset: [0.0, 0.0],
                pattern: pattern(&text),
                words: run.words.len(),
                page: page.number,
                zone: [b.x0 / w, b.y0 / h, b.x1 / w, b.y1 / h],
                value: constant(field).then(|| text.clone()),
                hits: 0,
                misses: 0,
                overrides: false,
            };
            if constant(field) {
                candidates.push((0, base));
                continue;
            }
            let captioned = |caption: Run, direction| {
                let c = caption.bbox(page);
                let label = caption.words.clone().map(|i| norm(&page.words[i].text)).collect();
                Placement { label, direction, offset: [b.x0 - c.x0, b.y0 - c.y0], ..base.clone() }
            };
            if let Some(caption) = caption_left(page, &lines, &run) {
                candidates.push((0, captioned(caption, Direction::Right)));
            }
            if let Some(caption) = caption_above(page, &lines, &run) {
                candidates.push((1, captioned(caption, Direction::Below)));
            }
            if field.kind() != ValueKind::Amount {
                candidates.push((2, base));
            }
        }
    }
    candidates.sort_by_key(|(rank, _)| *rank);
    candidates
        .into_iter()
        .map(|(_, p)| p)
        .chain(unprinted_currency(document, field, value))
        .find(|p| find(document, field, p).is_some_and(|found| same_value(&found.value, value)))
}

/// A currency the invoice does not print at all (no code, no symbol), as a
/// reviewer gave it: a placement of no words, which finds the currency on
/// the supplier's invoices that print none either. The supplier itself,
/// recognised by its identifiers on the page, is the evidence; a page that
/// prints any currency is read as printed.
fn unprinted_currency(document: &Document, field: FieldName, value: &Value) -> Option<Placement> {
    let Value::Text(code) = value else { return None };
    if field != FieldName::Currency || document.pages.iter().any(prints_a_currency) {
        return None;
    }
    Some(Placement {
        label: Vec::new(),
        direction: Direction::Zone,
        offset: [0.0, 0.0],
        pattern: String::new(),
        words: 0,
        page: 1,
        zone: [0.0; 4],
        value: Some(code.clone()),
        hits: 0,
        misses: 0,
        overrides: false,
    })
}

/// Any word of the page is a currency code, name or sign (`SEK`, `kr`,
/// `Euro`, `€`, `$1,250.00`, `100:-`).
fn prints_a_currency(page: &invex_domain::Page) -> bool {
    page.words.iter().any(|w| {
        let t = w.text.as_str();
        invex_domain::parse::normalize_currency(t).is_some()
            || t.contains(['€', '$', '£', '₹', '¥'])
            || t.ends_with(":-")
    })
}

/// The value `placement` reads on `document`, validated, with source
/// `memory`; `None` when its evidence (its caption, or the supplier's own
/// value) is not on the page, or what stands there is not a valid value.
pub fn find(document: &Document, field: FieldName, placement: &Placement) -> Option<Field> {
    if placement.words == 0 {
        // `unprinted_currency`: only where no currency is printed.
        let code = placement.value.as_ref().filter(|_| field == FieldName::Currency)?;
        if document.pages.iter().any(prints_a_currency) {
            return None;
        }
        let value = check_value(field, &Value::Text(code.clone())).ok()?;
        return Some(Field {
            value,
            confidence: SURE,
            page: None,
            bbox: None,
            source: Source::Memory,
            xml_path: None,
        });
    }
    let pages = document.pages.iter().filter(|p| p.number == placement.page);
    // A constant field, or a captioned one on a page of another length,
    // may be on another page: the learned page first.
    let others = document.pages.iter().filter(|p| p.number != placement.page);
    for page in pages.chain(others) {
        let lines = lines_of(page);
        let hit = match (&placement.value, placement.direction) {
            (Some(value), _) => {
                let wanted = Value::Text(value.clone());
                let printed = runs_reading_as(page, &lines, &wanted).into_iter().next();
                let symbol = || {
                    (field == FieldName::Currency).then(|| currency_symbol(page, value)).flatten()
                };
                printed.or_else(symbol).map(|run| (run, wanted))
            }
            (None, Direction::Zone) if field.kind() != ValueKind::Amount => {
                in_zone(page, &lines, field, placement)
            }
            (None, Direction::Zone) => None,
            (None, direction) => by_caption(page, &lines, field, placement, direction),
        };
        if let Some((run, value)) = hit {
            let value = check_value(field, &value).ok()?;
            return Some(Field {
                value,
                confidence: SURE,
                page: Some(page.number),
                bbox: Some(run.bbox(page)),
                source: Source::Memory,
                xml_path: None,
            });
        }
    }
    None
}

/// The value read from the words of `run`, as `field`'s kind, when it has
/// the placement's shape.
fn read_value(
    page: &invex_domain::Page,
    run: &Run,
    field: FieldName,
    placement: &Placement,
) -> Option<Value> {
    let text = run.text(page);
    let value = match field.kind() {
        ValueKind::Amount => Value::Amount(invex_domain::parse::parse_amount(&text)?),
        ValueKind::Date => {
            use invex_domain::parse::{DateOrder, parse_date};
            Value::Date(
                parse_date(&text, DateOrder::DayFirst)
                    .or_else(|| parse_date(&text, DateOrder::MonthFirst))?,
            )
        }
        ValueKind::Text => {
            if pattern(&text) != placement.pattern {
                return None;
            }
            Value::Text(text)
        }
        ValueKind::Bool => return None,
    };
    check_value(field, &value).ok()
}

/// The runs that may hold a value starting at word `start` of its line:
/// for amounts and dates, the words a space apart from it (up to four),
/// longest first, and none when `start` is inside a number (a thousands
/// group before it); for text, the learned number of words.
fn runs_from(
    page: &invex_domain::Page,
    line: &Line,
    start: usize,
    field: FieldName,
    learned: usize,
) -> Vec<Run> {
    match field.kind() {
        ValueKind::Amount | ValueKind::Date => {
            let spaced = |a: usize, b: usize| {
                let (x, y) = (&page.words[a].bbox, &page.words[b].bbox);
                y.x0 - x.x1 <= 0.6 * x.height().max(4.0)
            };
            let digits = |i: usize| page.words[i].text.chars().all(|c| c.is_ascii_digit());
            if field.kind() == ValueKind::Amount
                && start > line.start
                && digits(start - 1)
                && spaced(start - 1, start)
            {
                return Vec::new();
            }
            let mut end = start + 1;
            while end < line.end && end - start < 4 && spaced(end - 1, end) {
                end += 1;
            }
            (start + 1..=end).rev().map(|e| Run { words: start..e }).collect()
        }
        _ => (learned >= 1 && start + learned <= line.end)
            .then(|| Run { words: start..start + learned })
            .into_iter()
            .collect(),
    }
}

/// The value at the placement's offset from each occurrence of its caption
/// on the page, nearest the learned offset first.
fn by_caption(
    page: &invex_domain::Page,
    lines: &[Line],
    field: FieldName,
    placement: &Placement,
    direction: Direction,
) -> Option<(Run, Value)> {
    let n = placement.label.len();
    if n == 0 {
        return None;
    }
    let (w, h) = (page.width.max(1.0), page.height.max(1.0));
    let [zx0, zy0, zx1, _] = placement.zone;
    let width = (zx1 - zx0) * w;
    // Where the caption stood on the page the placement was learned from.
    let (cx, cy) = (zx0 * w - placement.offset[0], zy0 * h - placement.offset[1]);
    let mut candidates: Vec<(f32, Run)> = Vec::new();
    for (li, line) in lines.iter().enumerate() {
        for start in line.clone() {
            if start + n > line.end
                || !(0..n).all(|k| norm(&page.words[start + k].text) == placement.label[k])
            {
                continue;
            }
            let caption = Run { words: start..start + n };
            let c = caption.bbox(page);
            let (ex, ey) = (c.x0 + placement.offset[0], c.y0 + placement.offset[1]);
            // A caption far from where it was is less likely the one meant.
            let moved = 0.25 * ((c.x0 - cx).abs() + (c.y0 - cy).abs());
            // Left- or right-aligned: whichever edge is nearer.
            let off = |b: &BBox| (b.x0 - ex).abs().min((b.x1 - (ex + width)).abs());
            let height = c.height().max(4.0);
            match direction {
                Direction::Right => {
                    for s in start + n..line.end {
                        let b = &page.words[s].bbox;
                        candidates.push((off(b) + moved, Run { words: s..s + 1 }));
                    }
                }
                Direction::Below => {
                    for below in lines.iter().skip(li + 1) {
                        let first = &page.words[below.start].bbox;
                        if first.y0 > ey + 3.0 * height {
                            break;
                        }
                        for s in below.clone() {
                            let b = &page.words[s].bbox;
                            if (b.y0 - ey).abs() <= 1.5 * height && off(b) <= 40.0 {
                                let d = off(b) + (b.y0 - ey).abs() + moved;
                                candidates.push((d, Run { words: s..s + 1 }));
                            }
                        }
                    }
                }
                Direction::Zone => {}
            }
        }
    }
    candidates.sort_by(|a, b| a.0.total_cmp(&b.0));
    for (_, first) in candidates {
        let line = lines.iter().find(|l| l.contains(&first.words.start))?;
        for run in runs_from(page, line, first.words.start, field, placement.words) {
            if let Some(value) = read_value(page, &run, field, placement) {
                return Some((run, value));
            }
        }
    }
    None
}

/// A value of the learned shape inside the learned zone (grown by a little),
/// only when exactly one value there reads as one: without a caption, two
/// candidates would be a guess.
fn in_zone(
    page: &invex_domain::Page,
    lines: &[Line],
    field: FieldName,
    placement: &Placement,
) -> Option<(Run, Value)> {
    let (w, h) = (page.width.max(1.0), page.height.max(1.0));
    let [x0, y0, x1, y1] = placement.zone;
    let zone =
        BBox { x0: (x0 - 0.02) * w, y0: (y0 - 0.01) * h, x1: (x1 + 0.02) * w, y1: (y1 + 0.01) * h };
    let mut found: Vec<(Run, Value)> = Vec::new();
    for line in lines {
        for start in line.clone() {
            let b = &page.words[start].bbox;
            if b.x0 < zone.x0 || b.y0 < zone.y0 || b.x0 > zone.x1 || b.y1 > zone.y1 {
                continue;
            }
            if let Some(hit) = runs_from(page, line, start, field, placement.words)
                .into_iter()
                .filter(|r| r.bbox(page).x1 <= zone.x1)
                .find_map(|r| read_value(page, &r, field, placement).map(|v| (r, v)))
            {
                found.push(hit);
                break;
            }
        }
    }
    (found.len() == 1).then(|| found.remove(0))
}

#[cfg(test)]
mod tests;
