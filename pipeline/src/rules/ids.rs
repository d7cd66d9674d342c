//! Identifiers and references: invoice number, order number, the two
//! reference persons, organisation numbers and VAT numbers.

use invex_domain::Value;
use invex_domain::tax::country_prefix;
use invex_domain::validate::{national_tax_id, spanish_tax_id};
use invex_domain::validate::{org_nr, vat_number};

use super::Ctx;
use super::confidence::{Cand, Pool};
use super::labels::Kind;
use super::layout::{Place, Run};
use super::text::{has_digit, letters_digits, trim_value};

/// The first token of a run that is not filler (`:`, `nr`, `#`, `-`).
pub fn first_value_tok(cx: &Ctx, run: Run) -> Option<usize> {
    (run.start..run.end).find(|&t| {
        let tok = &cx.layout.toks[t];
        !(tok.key.is_empty() || tok.key == "nr" || tok.text == ":")
    })
}

/// Whether a word can be an invoice, order or customer number.
pub fn id_like(cx: &Ctx, t: usize) -> Option<String> {
    let v = trim_value(&cx.layout.toks[t].text);
    let v = v.trim_end_matches('.');
    // A number sign glued to the value: `N°F-2024-10`, `#4711`, `Nr.12`.
    let v = ["N°", "Nº", "n°", "nº", "No.", "Nr.", "#"]
        .iter()
        .find_map(|p| v.strip_prefix(p).filter(|r| has_digit(r)))
        .unwrap_or(v);
    if v.is_empty() || v.len() > 30 || !has_digit(v) || v.contains('@') || v.contains("www") {
        return None;
    }
    if page_number(v) {
        return None;
    }
    // A date, unless all digits (`20250404` is a fine invoice number).
    let all_digits = digits_only(v, 1);
    if (cx.scan.date_of[t].is_some() && !all_digits) || cx.scan.percent_of[t].is_some() {
        return None;
    }
    if let Some(a) = cx.scan.amount_of[t].and_then(|a| cx.scan.amounts.get(a))
        && (a.decimals || a.end - a.start > 1)
    {
        return None;
    }
    let ok = v.chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '/' | '.' | '_' | '#'));
    ok.then(|| v.to_string())
}

/// Two to five groups of 2–5 digits from `t` (before `end`), on one line
/// and closer than a word gap apart, with 6 to 20 digits in all: a number
/// printed in groups, as `726 752 5181`, with its end. Not when a group
/// has a decimal part, a sign or a currency (an amount), or is a date.
fn digit_groups(cx: &Ctx, t: usize, end: usize) -> Option<(String, usize)> {
    let toks = &cx.layout.toks;
    let group = |u: usize| {
        let w = &toks[u].text;
        (2..=5).contains(&w.len()) && w.bytes().all(|b| b.is_ascii_digit())
    };
    let mut last = t;
    if !group(t) {
        return None;
    }
    while last + 1 < end.min(t + 5)
        && group(last + 1)
        && toks[last + 1].line == toks[t].line
        && toks[last + 1].bbox.x0 - toks[last].bbox.x1 < 0.6 * cx.layout.em
    {
        last += 1;
    }
    let digits: usize = (t..=last).map(|u| toks[u].text.len()).sum();
    // A decimal group after the run makes it an amount (`1 234 56,00`).
    let amount_after = last + 1 < end
        && toks[last + 1].line == toks[t].line
        && toks[last + 1].text.starts_with([',', '.']);
    if last == t || !(6..=20).contains(&digits) || amount_after {
        return None;
    }
    if (t..=last).any(|u| cx.scan.date_of[u].is_some()) {
        return None;
    }
    let v = (t..=last).map(|u| toks[u].text.as_str()).collect::<Vec<_>>().join(" ");
    Some((v, last + 1))
}

/// A series code of one to four capital letters, then the number on the
/// same line (`Fattura nr. FPR 101/22`, `Factura F 103`): both, with the end.
fn series_number(cx: &Ctx, t: usize, end: usize) -> Option<(String, usize)> {
    let toks = &cx.layout.toks;
    let series = &toks[t].text;
    let letters = (1..=4).contains(&series.len()) && series.bytes().all(|b| b.is_ascii_uppercase());
    if !letters || t + 1 >= end || toks[t + 1].line != toks[t].line {
        return None;
    }
    let number = id_like(cx, t + 1)?;
    number.starts_with(|c: char| c.is_ascii_digit()).then(|| (format!("{series} {number}"), t + 2))
}

/// A short series printed apart from its number in one column cell of a
/// caption row (`DOCUMENTO  NÚMERO  PÁGINA` over `Factura  1    250231  1`):
/// the series `v` (token `t`, up to three letters or digits, ending at
/// `end`) and the number of 4+ digits after it, when the line above has a
/// caption over the series and the number ends before the caption after
/// that one. Both, with the end.
fn series_cell(cx: &Ctx, v: &str, t: usize, end: usize) -> Option<(String, usize)> {
    let l = cx.layout;
    let (series, rest) = (&l.toks[t], l.toks.get(end)?);
    let short = v.len() <= 3 && v.chars().all(char::is_alphanumeric);
    if !short || end != t + 1 || rest.line != series.line {
        return None;
    }
    // The nearest of the three lines above with a word over the series (a
    // line of the left column may come between).
    let caption = (series.line.saturating_sub(3)..series.line).rev().find_map(|line| {
        let above = &l.lines[line];
        let over = |u: &usize| {
            let b = l.toks[*u].bbox;
            b.x0 <= series.bbox.x0 + 1.0 && b.x1 >= series.bbox.x0
        };
        (above.page == l.lines[series.line].page).then(|| (above.start..above.end).find(over))?
    })?;
    let next = l.toks.get(caption + 1).filter(|n| n.line == l.toks[caption].line)?;
    if rest.bbox.x1 > next.bbox.x0 {
        return None;
    }
    let number = id_like(cx, end)?;
    let digits = digits_only(&number, 4);
    digits.then(|| (format!("{v} {number}"), end + 1))
}

/// Whether `v` is at least `min` digits and nothing else.
fn digits_only(v: &str, min: usize) -> bool {
    v.len() >= min && v.bytes().all(|b| b.is_ascii_digit())
}

/// A short series, a slash or hyphen set apart by spaces, and the number
/// (`FACTURA: A5 / 3127`, an Argentine `Nº 0003 - 00003435`): the series
/// `v` (ending at token `end`) and the number of three or more digits,
/// joined as printed without the spaces, with the end.
fn slashed_series(cx: &Ctx, v: &str, end: usize, run_end: usize) -> Option<(String, usize)> {
    let l = cx.layout;
    let short = (1..=5).contains(&v.len()) && v.chars().all(char::is_alphanumeric);
    if !short || end + 2 > run_end {
        return None;
    }
    let (sep, next) = (&l.toks[end], &l.toks[end + 1]);
    let series = &l.toks[end - 1];
    let sep_ok = sep.text == "/" || (sep.text == "-" && v.len() >= 3);
    if !sep_ok || sep.line != series.line || next.line != series.line {
        return None;
    }
    let number = id_like(cx, end + 1)?;
    let digits = digits_only(&number, 3);
    digits.then(|| (format!("{v}{}{number}", sep.text), end + 2))
}

/// A page count as printed in a header or footer: `Pag.1/1`, `Page 2/3`,
/// `Seite1/2`, `Sida 1(2)`, `p.3/4`. Never an invoice number.
fn page_number(v: &str) -> bool {
    let lower = v.to_lowercase();
    let rest = ["pagina", "página", "page", "pag", "seite", "sida", "side", "sivu", "blad", "p"]
        .iter()
        .find_map(|w| lower.strip_prefix(w))
        .map(|r| r.trim_start_matches(['.', ':', ' ']));
    let Some(rest) = rest else { return false };
    let (a, b) = match rest.split_once(['/', '(']) {
        Some((a, b)) => (a, b.trim_end_matches(')')),
        None => return false,
    };
    let digits = |s: &str| !s.is_empty() && s.len() <= 3 && s.bytes().all(|c| c.is_ascii_digit());
    digits(a) && digits(b)
}

/// Joins tokens `start..` (up to `max` of them, within `end`) and returns the
/// longest prefix that `f` accepts, with its end.
pub fn longest_valid(
    cx: &Ctx,
    start: usize,
    end: usize,
    max: usize,
    f: impl Fn(&str) -> Option<String>,
) -> Option<(String, usize)> {
    let end = end.min(start + max);
    let mut s = String::new();
    let mut best = None;
    for t in start..end {
        if t > start {
            s.push(' ');
        }
        s.push_str(&cx.layout.toks[t].text);
        if let Some(v) = f(&s) {
            best = Some((v, t + 1));
        }
    }
    best
}

pub fn invoice_number(cx: &Ctx) -> Option<Cand> {
    let mut pool = Pool::new();
    let kinds = [(Kind::InvoiceNumber, 1.0), (Kind::InvoiceTitle, 0.6), (Kind::CreditTitle, 0.6)];
    for (kind, factor) in kinds {
        for slot in cx.scan.slots(cx.layout, kind, 2) {
            // A title's number is beside it, or on the next line behind a
            // number sign (`FACTURE` over `N° F-2024-10`).
            let signed = || {
                let first = cx.layout.toks[slot.run.start].text.to_lowercase();
                ["n°", "nº", "no", "nr", "#"].iter().any(|p| first.starts_with(p))
            };
            let beside = matches!(slot.place, Place::Inline | Place::Right(0));
            let below = matches!(slot.place, Place::Below(0) | Place::Below(1));
            // The title word as one column caption of a caption row
            // (`Date | Echéance | TVA | Facture` over the values).
            let caption_row = || {
                let hit = &cx.scan.labels[slot.label];
                let line = cx.layout.toks[hit.start].line;
                let others = cx.scan.labels.iter().filter(|h| {
                    h.start != hit.start && h.isolated && cx.layout.toks[h.start].line == line
                });
                hit.isolated && others.count() >= 2
            };
            let column = matches!(slot.place, Place::Below(0)) && caption_row();
            if factor < 1.0 && !beside && !(below && signed()) && !column {
                continue;
            }
            let Some(mut t) = first_value_tok(cx, slot.run) else { continue };
            // A type code in brackets and a number sign before the number:
            // "Handelsrechnung (380) Nr. 471102".
            let bracketed = |t: usize| {
                let w = &cx.layout.toks[t].text;
                w.starts_with('(') && w.ends_with(')')
            };
            if bracketed(t) && t + 1 < slot.run.end {
                t = first_value_tok(cx, Run { start: t + 1, end: slot.run.end }).unwrap_or(t);
            }
            if bracketed(t) {
                continue;
            }
            // A number printed in digit groups (`Rechnungsnummer 726 752
            // 5181`) is one number, not an amount; only under its own label.
            let grouped = (kind == Kind::InvoiceNumber).then(|| digit_groups(cx, t, slot.run.end));
            let (v, end) = match (grouped.flatten(), id_like(cx, t)) {
                (Some((v, end)), _) => (v, end),
                (None, Some(v)) => (v, t + 1),
                (None, None) => match series_number(cx, t, slot.run.end) {
                    Some(found) => found,
                    None => continue,
                },
            };
            let (v, end) = series_cell(cx, &v, t, end).unwrap_or((v, end));
            let (v, end) = slashed_series(cx, &v, end, slot.run.end).unwrap_or((v, end));
            let direct = if t == slot.run.start { 1.0 } else { 0.92 };
            let score = slot.weight * factor * direct;
            let conf = (0.55 + 0.37 * score).min(0.92);
            pool.push(Cand::at(cx.layout, t, end, Value::Text(v), score, conf));
        }
    }
    if let Some(c) = point_of_sale_number(cx) {
        pool.push(c);
    }
    if pool.is_empty() {
        signed_under_title(cx, &mut pool);
    }
    if pool.is_empty() {
        bare_number_caption(cx, &mut pool);
    }
    pool.best()
}

/// An Argentine (AFIP) invoice prints its number in two captions on one
/// line, `Punto de Venta: 00001  Comp. Nro: 00000125`: the point of sale and
/// the voucher number, together `00001-00000125` (as pyafipws' `fmt_fact`
/// formats it, `%05d-%08d`). Both numbers digits only, as printed.
fn point_of_sale_number(cx: &Ctx) -> Option<Cand> {
    let toks = &cx.layout.toks;
    // The first digits-only word after `at` on its line, past colons.
    let number_after = |at: usize| {
        let line = toks[at].line;
        let t = (at + 1..toks.len())
            .take_while(|&t| toks[t].line == line)
            .find(|&t| !toks[t].text.trim_matches(':').is_empty())?;
        let v = toks[t].text.trim_end_matches(['.', ',']);
        digits_only(v, 1).then(|| (v.to_string(), t))
    };
    let venta = (2..toks.len()).find(|&t| {
        toks[t].key == "venta" && toks[t - 1].key == "de" && toks[t - 2].key == "punto"
    })?;
    let (pv, p) = number_after(venta)?;
    let comp = (p + 1..toks.len()).take_while(|&t| toks[t].line == toks[p].line).find(|&t| {
        let k = &toks[t].key;
        (k == "comp" || k == "comprobante") && toks.get(t + 1).is_some_and(|n| n.key == "nr")
    })?;
    let (nr, n) = number_after(comp + 1)?;
    (nr.len() >= 4)
        .then(|| Cand::at(cx.layout, p, n + 1, Value::Text(format!("{pv}-{nr}")), 1.0, 0.9))
}

/// On an invoice (its title printed somewhere), a bare number caption that
/// opens a phrase of at most two words in the upper half of the first page (`Number | 16217141`,
/// `Número 2500377`, `Nro. F001-00000096`, `NO:G227260` as the layout splits
/// it): the
/// number beside it, with three digits or more. Weak (below what booking
/// without a person needs): a bare caption may number something else.
fn bare_number_caption(cx: &Ctx, pool: &mut Pool) {
    let l = cx.layout;
    let titled = cx
        .scan
        .labels
        .iter()
        .any(|h| h.isolated && (h.has(Kind::InvoiceTitle) || h.has(Kind::CreditTitle)));
    if !titled {
        return;
    }
    let digits = |v: &str| v.bytes().filter(u8::is_ascii_digit).count() >= 3;
    for ph in &l.phrases {
        let t = ph.start;
        let tok = &l.toks[t];
        if tok.page != 0 || l.rel_y(t) > 0.5 {
            continue;
        }
        // The caption alone in its phrase, or with just its value.
        let next = t + 1;
        if ph.end - ph.start <= 2
            && tok.key == "nr"
            && next < l.toks.len()
            && l.toks[next].line == tok.line
            && let Some(v) = id_like(cx, next).filter(|v| digits(v))
        {
            pool.push(Cand::at(l, next, next + 1, Value::Text(v), 0.45, 0.65));
        }
    }
}

/// `FACTURE` with `nº 2023-6013` (or `N°F-2024-10`) on one of the five
/// lines under it (a column beside it interleaves its lines), overlapping
/// it, or after it on its line (past a bracketed type code): the title's
/// number behind a number sign, after a bare number caption ("Número: |
/// 0454/25"), or alone when its letters abbreviate the title.
fn signed_under_title(cx: &Ctx, pool: &mut Pool) {
    const SIGNS: [&str; 7] = ["n°", "nº", "no.", "nr.", "n.", "no", "#"];
    let l = cx.layout;
    for hit in cx.scan.labels.iter().filter(|h| h.isolated) {
        if !(hit.has(Kind::InvoiceTitle) || hit.has(Kind::CreditTitle)) {
            continue;
        }
        let (first, last) = (&l.toks[hit.start], &l.toks[hit.end - 1]);
        let (x0, x1) = (first.bbox.x0, last.bbox.x1);
        let title = first.key.clone();
        // On its own line: `Handelsrechnung (380) Nr. 471102`.
        let mut t = hit.end;
        let line_end = l.lines[first.line].end;
        while t < line_end && l.toks[t].text.starts_with('(') && l.toks[t].text.ends_with(')') {
            t += 1;
        }
        if t + 1 < line_end
            && SIGNS.contains(&l.toks[t].text.to_lowercase().as_str())
            && let Some(v) = id_like(cx, t + 1)
        {
            pool.push(Cand::at(cx.layout, t + 1, t + 2, Value::Text(v), 0.55, 0.75));
        }
        // Beside a tall title, on a smaller row of its own that the title's
        // height spans: `FACTURE` with `N° FA-2025-12-002` to its right.
        let title_box = first.bbox;
        let lo = first.line.saturating_sub(2);
        for line in lo..(first.line + 3).min(l.lines.len()) {
            if line == first.line || l.lines[line].page != first.page {
                continue;
            }
            let (start, end) = (l.lines[line].start, l.lines[line].end);
            for u in start..end.saturating_sub(1) {
                let b = l.toks[u].bbox;
                let mid = (b.y0 + b.y1) / 2.0;
                if b.x0 <= x1 || mid < title_box.y0 || mid > title_box.y1 {
                    continue;
                }
                if SIGNS.contains(&l.toks[u].text.to_lowercase().as_str())
                    && let Some(v) = id_like(cx, u + 1)
                {
                    pool.push(Cand::at(cx.layout, u + 1, u + 2, Value::Text(v), 0.5, 0.7));
                }
            }
        }
        for line in first.line + 1..(first.line + 6).min(l.lines.len()) {
            if l.lines[line].page != first.page {
                break;
            }
            for p in l.phrases_of_line(line) {
                let ph = &l.phrases[p];
                if ph.bbox.x1 < x0 || ph.bbox.x0 > x1 {
                    continue;
                }
                let lead = l.toks[ph.start].text.to_lowercase();
                // `FACTURE` over `FAC-2026-001`: a lone number whose letter
                // prefix abbreviates the title.
                if ph.end - ph.start == 1 && abbreviates(&title, &lead) {
                    if let Some(v) = id_like(cx, ph.start) {
                        pool.push(Cand::at(cx.layout, ph.start, ph.end, Value::Text(v), 0.5, 0.7));
                    }
                    continue;
                }
                // A bare number caption ("Número:", "Nummer:", "No.:") alone
                // in its phrase: the number is the next phrase on the line.
                if ph.end - ph.start == 1 && l.toks[ph.start].key == "nr" {
                    let next = ph.end;
                    if next < l.lines[line].end
                        && l.toks[next].line == line
                        && let Some(v) = id_like(cx, next)
                    {
                        pool.push(Cand::at(cx.layout, next, next + 1, Value::Text(v), 0.5, 0.7));
                    }
                    continue;
                }
                let Some(sign) = SIGNS.iter().find(|s| lead.starts_with(*s)) else { continue };
                // The number glued to the sign, or the next word.
                let t = if lead.len() > sign.len() { ph.start } else { ph.start + 1 };
                if t >= ph.end {
                    continue;
                }
                if let Some(v) = id_like(cx, t) {
                    let (v, end) = slashed_series(cx, &v, t + 1, ph.end).unwrap_or((v, t + 1));
                    pool.push(Cand::at(cx.layout, t, end, Value::Text(v), 0.55, 0.75));
                }
            }
        }
    }
}

/// Whether `id` is a letter prefix that starts like the title word, a
/// separator or not, and a number of three digits or more (`FAC-2026-001`
/// under `FACTURE`, `INV2024/17` under `INVOICE`, `RE-1001` under `RECHNUNG`).
fn abbreviates(title: &str, id: &str) -> bool {
    let prefix: String = id.chars().take_while(|c| c.is_alphabetic()).collect();
    let rest = &id[prefix.len()..];
    let rest = rest.trim_start_matches(['-', '/', '_', '.']);
    (1..=4).contains(&prefix.chars().count())
        && title.starts_with(&prefix)
        && rest.starts_with(|c: char| c.is_ascii_digit())
        && rest.chars().filter(char::is_ascii_digit).count() >= 3
}

/// A short text value (a reference person, an order number): the run's words
/// up to six, without leading filler.
fn text_value(cx: &Ctx, run: Run, need_digit: bool) -> Option<(String, usize, usize)> {
    let t0 = first_value_tok(cx, run)?;
    if need_digit {
        let v = id_like(cx, t0)?;
        return Some((v, t0, t0 + 1));
    }
    let end = run.end.min(t0 + 6);
    let text = trim_value(&cx.layout.text(t0, end)).to_string();
    let (letters, digits) = letters_digits(&text);
    if text.is_empty() || letters + digits == 0 || cx.scan.date_of[t0].is_some() {
        return None;
    }
    if cx.scan.amount_of[t0].is_some_and(|a| cx.scan.amounts[a].decimals) {
        return None;
    }
    Some((text, t0, end))
}

/// Digits only (no separators), six or more, Luhn-valid: an OCR number.
fn ocr_like(v: &str) -> bool {
    digits_only(v, 6) && invex_domain::validate::luhn_valid(v)
}

/// A labelled text field: order number (`need_digit`) or reference person.
pub fn labelled_text(cx: &Ctx, kind: Kind, need_digit: bool) -> Option<Cand> {
    let mut pool = Pool::new();
    let slots = cx.scan.slots(cx.layout, kind, 1);
    let beside: Vec<usize> = slots
        .iter()
        .filter(|s| matches!(s.place, Place::Inline | Place::Right(0)))
        .filter(|s| text_value(cx, s.run, need_digit).is_some())
        .map(|s| s.label)
        .collect();
    for slot in slots {
        // Free text in a later column belongs to another caption; far to
        // the right it is less sure.
        let mut weight = slot.weight;
        if let Place::Right(k) = slot.place {
            let hit = &cx.scan.labels[slot.label];
            let gap = cx.layout.toks[slot.run.start].bbox.x0 - cx.layout.toks[hit.end - 1].bbox.x1;
            if !need_digit && k > 0 {
                continue;
            }
            if gap > 8.0 * cx.layout.em && !hit.colon {
                weight *= 0.8;
            }
        }
        let Some((v, s, e)) = text_value(cx, slot.run, need_digit) else { continue };
        // A generic "Referens" holding an OCR number is a payment reference.
        if kind == Kind::BuyerReference && slot.weight < 0.6 && ocr_like(&v) {
            continue;
        }
        // A value beside the caption beats one under it.
        if matches!(slot.place, Place::Below(_)) && beside.contains(&slot.label) {
            continue;
        }
        let conf = (0.5 + 0.35 * weight).min(0.85);
        pool.push(Cand::at(cx.layout, s, e, Value::Text(v), weight, conf));
    }
    pool.best()
}

/// Supplier and buyer organisation numbers (Swedish, Luhn-checked).
pub fn org_numbers(cx: &Ctx) -> (Option<Cand>, Option<Cand>) {
    let mut sup = Pool::new();
    let mut buy = Pool::new();
    let mut labelled = vec![false; cx.layout.toks.len()];
    for (kind, buyer_label) in [(Kind::OrgNr, false), (Kind::BuyerOrgNr, true)] {
        for slot in cx.scan.slots(cx.layout, kind, 1) {
            let Some(t) = first_value_tok(cx, slot.run) else { continue };
            let Some((v, end)) = longest_valid(cx, t, slot.run.end, 3, org_nr) else { continue };
            labelled[t] = true;
            let buyer = buyer_label || cx.zones.is_customer(t);
            let c =
                Cand::at(cx.layout, t, end, Value::Text(v), slot.weight, 0.9 + 0.07 * slot.weight);
            if buyer { buy.push(c) } else { sup.push(c) }
        }
    }
    // Pattern: `NNNNNN-NNNN` anywhere, checked.
    for (t, tok) in cx.layout.toks.iter().enumerate() {
        if labelled[t] || cx.iban_tok[t] {
            continue;
        }
        let v = trim_value(&tok.text);
        let b = v.as_bytes();
        let shaped = b.len() == 11 && b[6] == b'-';
        if !shaped {
            continue;
        }
        let Some(v) = org_nr(v) else { continue };
        let c = Cand::at(cx.layout, t, t + 1, Value::Text(v), 0.4, 0.6);
        if cx.zones.is_customer(t) { buy.push(c) } else { sup.push(c) }
    }
    (sup.best(), buy.best())
}

/// Supplier and buyer VAT numbers (any EU form, checked).
pub fn vat_numbers(cx: &Ctx, supplier_org: Option<&str>) -> (Option<Cand>, Option<Cand>) {
    let mut sup = Pool::new();
    let mut buy = Pool::new();
    let mut used = vec![false; cx.layout.toks.len()];
    let org_digits: Option<String> =
        supplier_org.map(|o| o.chars().filter(char::is_ascii_digit).collect());
    let matches_org =
        |v: &str| org_digits.as_deref().is_some_and(|d| v.len() == 14 && v[2..12] == *d);
    for (kind, buyer_label) in [(Kind::VatNumber, false), (Kind::BuyerVatNumber, true)] {
        for slot in cx.scan.slots(cx.layout, kind, 1) {
            let Some(t) = first_value_tok(cx, slot.run) else { continue };
            if cx.iban_tok[t] {
                continue;
            }
            // An EU VAT number in its national form; else, beside a sure
            // caption (GST Reg No, GSTIN), a tax id of a country outside the
            // EU forms, less sure.
            // A sure caption: opening its phrase, or ending in a colon inside
            // one ("PORVAZ, S.L. - C.I.F.: B36281087").
            let colon = cx.scan.labels[slot.label].colon && slot.place == Place::Inline;
            let (found, sure) = match longest_valid(cx, t, slot.run.end, 6, vat_number) {
                Some(found) => (found, true),
                None if slot.weight >= 0.9 || (colon && slot.weight >= 0.65) => {
                    match longest_valid(cx, t, slot.run.end, 1, national_tax_id) {
                        Some(found) => (found, false),
                        None => continue,
                    }
                }
                None => continue,
            };
            let (v, end) = found;
            used[t] = true;
            // In the buyer's block, the caption or its value: the buyer's
            // number (a value column may lie outside the block's width).
            let caption = cx.scan.labels[slot.label].start;
            let buyer = buyer_label || cx.zones.is_customer(t) || cx.zones.is_customer(caption);
            let bonus = if matches_org(&v) { 0.1 } else { 0.0 };
            let c = Cand::at(
                cx.layout,
                t,
                end,
                Value::Text(v),
                slot.weight + bonus,
                if sure { 0.9 + 0.06 * slot.weight } else { 0.75 },
            );
            if buyer { buy.push(c) } else { sup.push(c) }
        }
    }
    for ph in &cx.layout.phrases {
        for t in ph.start..ph.end {
            if used[t] || cx.iban_tok[t] {
                continue;
            }
            let text = &cx.layout.toks[t].text;
            let mut chars = text.trim_start_matches(['(', ':']).chars();
            let cc = chars.next().is_some_and(|c| c.is_ascii_uppercase())
                && chars.next().is_some_and(|c| c.is_ascii_uppercase());
            // A Spanish NIF or CIF without caption where letterheads and
            // footers print the issuer's (`B06936140` under the address at
            // the top of page 1, or in its bottom lines), only when its
            // control character holds: weak, the party's block decides whose.
            if !cc {
                let y = cx.layout.rel_y(t);
                let letterhead = cx.layout.toks[t].page == 0 && !(0.2..=0.85).contains(&y);
                // As printed, or with a hyphen after its letter (`A-62943600`).
                let whole = |v: &String| {
                    text.matches('-').count() <= 1 && v.as_str() == text.replace('-', "")
                };
                if letterhead && let Some(v) = spanish_tax_id(text).filter(whole) {
                    used[t] = true;
                    let c = Cand::at(cx.layout, t, t + 1, Value::Text(v), 0.3, 0.5);
                    if cx.zones.is_customer(t) { buy.push(c) } else { sup.push(c) }
                }
                continue;
            }
            let Some((v, end)) = longest_valid(cx, t, ph.end, 5, vat_number) else { continue };
            if let Some(s) = used.get_mut(t..end) {
                s.fill(true);
            }
            let (score, conf) = if matches_org(&v) { (0.6, 0.8) } else { (0.35, 0.55) };
            let c = Cand::at(cx.layout, t, end, Value::Text(v), score, conf);
            if cx.zones.is_customer(t) { buy.push(c) } else { sup.push(c) }
        }
    }
    // A number the buyer's block prints is the buyer's, wherever else it
    // is repeated (a "Numéro de TVA" column of the order details).
    sup.retain(|c| !buy.has_value(&c.value));
    prefer_home_country(cx, &mut sup);
    (sup.best(), buy.best())
}

/// A footer that lists the issuer's VAT numbers in several countries
/// ("Numéro TVA IT : IT0019… / Numéro TVA BE : BE0839…", under "… 1190
/// Bruxelles - Belgique"): of the numbers scored alike, the one of the
/// country the address names, on their lines or the two above, wins. The
/// numbers must be printed together, within three lines.
/// Without such a country they stay tied, and the tie lowers the winner's
/// confidence ([`Pool::best`]).
fn prefer_home_country(cx: &Ctx, sup: &mut Pool) {
    let ranked = sup.ranked();
    let Some(top) = ranked.first() else { return };
    let prefix = |c: &Cand| match &c.value {
        Value::Text(v) => country_prefix(v).map(str::to_owned),
        _ => None,
    };
    let rivals: Vec<&Cand> = ranked.iter().filter(|c| c.score >= top.score * 0.9).collect();
    let mut prefixes: Vec<String> = rivals.iter().filter_map(|c| prefix(c)).collect();
    prefixes.sort();
    prefixes.dedup();
    if prefixes.len() < 2 {
        return;
    }
    let lines: Vec<usize> =
        rivals.iter().filter_map(|c| c.toks).map(|(t, _)| cx.layout.toks[t].line).collect();
    let (Some(&lo), Some(&hi)) = (lines.iter().min(), lines.iter().max()) else { return };
    // Only a list: numbers printed together, not a header's and a footer's.
    let page = cx.layout.lines[hi].page;
    if hi - lo > 2 || cx.layout.lines[lo].page != page {
        return;
    }
    let named: Vec<&str> = (lo.saturating_sub(2)..=hi)
        .filter(|&l| cx.layout.lines[l].page == page)
        .flat_map(|l| {
            let line = &cx.layout.lines[l];
            cx.layout.toks[line.start..line.end].iter().filter_map(|t| country_code(&t.key))
        })
        .collect();
    let home: Vec<&&Cand> =
        rivals.iter().filter(|c| prefix(c).is_some_and(|p| named.contains(&p.as_str()))).collect();
    if let [home] = home.as_slice() {
        sup.boost(&home.value, top.score * 0.2);
    }
}

/// The VAT-number prefix of a country named in a word (folded key):
/// `belgique` → `BE`. The countries whose invoices invex reads, in their own
/// language, English, French and German.
fn country_code(key: &str) -> Option<&'static str> {
    Some(match key {
        "sverige" | "sweden" | "suede" | "schweden" => "SE",
        "deutschland" | "germany" | "allemagne" | "alemania" | "germania" => "DE",
        "belgique" | "belgie" | "belgium" | "belgien" | "belgica" | "belgio" => "BE",
        "france" | "frankreich" | "frankrijk" | "francia" => "FR",
        "nederland" | "netherlands" | "niederlande" | "paysbas" | "holland" => "NL",
        "espana" | "spain" | "espagne" | "spanien" | "spagna" => "ES",
        "italia" | "italy" | "italie" | "italien" => "IT",
        "osterreich" | "austria" | "autriche" => "AT",
        "danmark" | "denmark" | "danemark" => "DK",
        "suomi" | "finland" | "finnland" | "finlande" => "FI",
        "portugal" => "PT",
        "polska" | "poland" | "polen" | "pologne" => "PL",
        "ireland" | "irland" | "irlande" | "eire" => "IE",
        "luxembourg" | "luxemburg" => "LU",
        "hellas" | "greece" | "griechenland" | "grece" => "EL",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::abbreviates;
    use invex_domain::validate::national_tax_id;

    #[test]
    fn numbers_that_abbreviate_the_title() {
        let cases = [
            ("facture", "fac-2026-001", true),
            ("invoice", "inv2024/17", true),
            ("rechnung", "re-1001", true),
            ("faktura", "f2023-0042", true),
            ("facture", "fac-12", false),
            ("facture", "kd-10023", false),
            ("invoice", "2024-001", false),
            ("invoice", "invoice", false),
            ("rechnung", "rechnung-100", false),
        ];
        for (title, id, want) in cases {
            assert_eq!(abbreviates(title, id), want, "{title} {id}");
        }
    }

    #[test]
    fn page_counts_are_not_numbers() {
        let cases = [
            ("Pag.1/1", true),
            ("Page 2/3", true),
            ("Seite1/2", true),
            ("Sida 1(2)", true),
            ("p.3/4", true),
            ("pagina 10/12", true),
            ("P2024/17", false),
            ("101/22", false),
            ("PAG-2024-001", false),
            ("Page", false),
        ];
        for (text, want) in cases {
            assert_eq!(super::page_number(text), want, "{text}");
        }
    }

    #[test]
    fn tax_ids_outside_the_eu_forms() {
        let cases: &[(&str, Option<&str>)] = &[
            ("000899874816", Some("000899874816")),       // Malaysian GST
            ("27AAPFU0939F1ZV", Some("27AAPFU0939F1ZV")), // Indian GSTIN
            ("12345678Z", Some("12345678Z")),             // Spanish NIF
            ("B12345678", Some("B12345678")),             // Spanish CIF
            ("CHE-123.456.789 MWST", Some("CHE123456789")),
            ("999999999MVA", Some("999999999MVA")),
            ("12345", None),
            ("DE12435679", None), // EU-prefixed: the EU forms decide
            ("hello", None),
        ];
        for &(input, want) in cases {
            assert_eq!(national_tax_id(input).as_deref(), want, "{input}");
        }
    }
}
