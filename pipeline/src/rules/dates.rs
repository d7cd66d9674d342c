//! Invoice date and due date: labelled dates right of or below their
//! caption, an unlabelled date near the top of the first page as a fallback,
//! and the constraint that the invoice date does not follow the due date.

use chrono::Days;
use invex_domain::Value;

use super::Ctx;
use super::confidence::{Cand, Pool, ambiguity};
use super::ids::first_value_tok;
use super::labels::Kind;

fn mark(used: &mut [bool], start: usize, end: usize) {
    if let Some(s) = used.get_mut(start..end) {
        s.fill(true);
    }
}

/// What joins a period's two dates, as word keys ("-" has an empty key):
/// "01-05-2025 - 31-05-2025", "1.5. bis 31.5.", "du … au …", "til", "to".
const PERIOD_WORDS: &[&str] = &["", "bis", "au", "til", "to", "tot", "al", "a", "till"];

/// Prepositions between an instalment's amount and its date ("il", "le",
/// "am", "on", "el", "al", "au", "op", "den").
const INSTALMENT_WORDS: &[&str] = &["il", "le", "am", "on", "el", "al", "au", "op", "den"];

/// Dates announced by captions of `kind`, scored.
fn labelled(cx: &Ctx, kind: Kind, pool: &mut Pool, used: &mut [bool]) {
    for slot in cx.scan.slots(cx.layout, kind, 2) {
        let Some(d) = cx.scan.date_in(slot.run) else { continue };
        // The date opens the run (after filler such as `:` or `den`).
        let Some(first) = first_value_tok(cx, slot.run) else { continue };
        let first = if cx.layout.toks[first].key == "den" { first + 1 } else { first };
        // An instalment's line under a due-date caption: "17.614,00 € il
        // 14/11/2022 - Bonifico" (amount, currency, a preposition, date).
        let instalment = kind == Kind::DueDate
            && (first..d.start).all(|t| {
                let tok = &cx.layout.toks[t];
                cx.scan.amount_of[t].is_some()
                    || invex_domain::parse::normalize_currency(&tok.text).is_some()
                    || INSTALMENT_WORDS.contains(&tok.key.as_str())
            });
        if d.start != first && !instalment {
            continue;
        }
        let mut score = slot.weight;
        let tok = &cx.layout.toks[d.start];
        // "Rechnung Nr. 4711 vom 03.04.2026": a date caption after the
        // invoice's number or title on the same line dates the invoice.
        let label = &cx.scan.labels[slot.label];
        let line = &cx.layout.lines[cx.layout.toks[label.start].line];
        let after_number = kind == Kind::Date
            && cx.scan.labels.iter().any(|h| {
                h.start >= line.start
                    && h.end <= label.start
                    && (h.has(Kind::InvoiceNumber) || h.has(Kind::InvoiceTitle))
            });
        if after_number {
            score += 0.4;
        }
        // "Dato 01-05-2025 - 31-05-2025": a period under a bare date
        // caption, not the day the invoice was issued.
        let period = kind == Kind::Date
            && cx.scan.dates.iter().any(|e| {
                e.start > d.end
                    && e.start <= d.end + 2
                    && cx.layout.toks[e.start].line == tok.line
                    && (d.end..e.start)
                        .all(|t| PERIOD_WORDS.contains(&cx.layout.toks[t].key.as_str()))
            });
        if period {
            score *= 0.5;
        }
        if kind == Kind::Date || kind == Kind::InvoiceDate {
            // Print dates in footers and dates on later pages are weaker.
            if tok.page > 0 {
                score *= 0.6;
            }
            let ry = cx.layout.rel_y(d.start);
            if ry > 0.85 {
                score *= 0.4;
            } else if ry > 0.6 {
                score *= 0.7;
            }
        }
        mark(used, d.start, d.end);
        let conf = (0.55 + 0.4 * score).min(0.94);
        pool.push(Cand::at(cx.layout, d.start, d.end, Value::Date(d.date), score, conf));
        // The other reading of `04/02/2025`, for the date-order check.
        if let Some(alt) = d.alt {
            pool.push(Cand::at(
                cx.layout,
                d.start,
                d.end,
                Value::Date(alt),
                score * 0.5,
                conf * 0.5,
            ));
        }
    }
}

/// Word stems of a direct debit's announcement: the day the money is taken
/// is the day the invoice falls due. de "buchen wir am 23.04.2026 ab", "wird
/// am … abgebucht / eingezogen"; en "will be debited on"; fr "sera prélevé
/// le"; nl "wordt … afgeschreven / geïncasseerd"; sv "dras från ditt konto".
const DEBIT_STEMS: &[&str] =
    &["abbuch", "abgebucht", "eingezogen", "debited", "preleve", "afgeschreven", "geincasseerd"];

/// Due-date candidates from a direct debit's sentence: a line with one of
/// [`DEBIT_STEMS`] (or `buchen … ab`) and one date not taken by a caption.
/// Weaker than a captioned due date; a mandate's signing date, before the
/// invoice date, loses to the rule that the invoice date comes first.
fn debit_dates(cx: &Ctx, pool: &mut Pool, used: &[bool]) {
    for line in &cx.layout.lines {
        let toks = &cx.layout.toks[line.start..line.end];
        let debit = toks.iter().enumerate().any(|(i, t)| {
            DEBIT_STEMS.iter().any(|s| t.key.starts_with(s))
                || (t.key == "dras" && toks[i..].iter().any(|u| u.key == "konto"))
                || (t.key == "buchen" && toks[i..].iter().any(|u| u.key == "ab"))
        });
        if !debit {
            continue;
        }
        let mut dates = cx.scan.dates.iter().filter(|d| {
            d.start >= line.start && d.end <= line.end && !used[d.start] && d.alt.is_none()
        });
        if let (Some(d), None) = (dates.next(), dates.next()) {
            pool.push(Cand::at(cx.layout, d.start, d.end, Value::Date(d.date), 0.5, 0.75));
        }
    }
}

/// Invoice date and due date.
pub fn dates(cx: &Ctx) -> (Option<Cand>, Option<Cand>) {
    let n = cx.layout.toks.len();
    let mut used = vec![false; n];
    let mut inv = Pool::new();
    let mut due = Pool::new();
    labelled(cx, Kind::InvoiceDate, &mut inv, &mut used);
    labelled(cx, Kind::Date, &mut inv, &mut used);
    labelled(cx, Kind::DueDate, &mut due, &mut used);
    debit_dates(cx, &mut due, &used);
    // Dates owned by other captions (delivery, order, period …) are not
    // fallback candidates.
    for kind in [Kind::DeliveryDate, Kind::Terms] {
        for slot in cx.scan.slots(cx.layout, kind, 1) {
            if let Some(d) = cx.scan.date_in(slot.run) {
                mark(&mut used, d.start, d.end);
            }
        }
    }
    // Fallback: the first unlabelled date in the top part of page 1, or
    // (receipts print it at the bottom) the one date the document prints.
    if inv.is_empty() {
        let mut free = cx.scan.dates.iter().filter(|d| !used[d.start]);
        let top = free
            .clone()
            .find(|d| cx.layout.toks[d.start].page == 0 && cx.layout.rel_y(d.start) < 0.4);
        let first = free.next();
        let only = first.filter(|f| free.all(|d| d.date == f.date));
        if let Some(d) = top.or(only) {
            // `04/03/18` could be read the other way round: less sure.
            let conf = if d.alt.is_some() { 0.35 } else { 0.45 };
            inv.push(Cand::at(cx.layout, d.start, d.end, Value::Date(d.date), 0.2, conf));
        }
    }
    let invs = inv.ranked();
    let dues = due.ranked();
    let date = |c: &Cand| match c.value {
        Value::Date(d) => Some(d),
        _ => None,
    };
    // The best pair with invoice date <= due date (either may be missing).
    let mut best: Option<(f32, Option<usize>, Option<usize>)> = None;
    for i in (0..invs.len().min(4)).map(Some).chain([None]) {
        for j in (0..dues.len().min(4)).map(Some).chain([None]) {
            let a = i.and_then(|i| date(&invs[i]));
            let b = j.and_then(|j| date(&dues[j]));
            if let (Some(a), Some(b)) = (a, b)
                && (a > b || (b - a).num_days() > 400)
            {
                continue;
            }
            let s = i.map_or(0.0, |i| invs[i].score) + j.map_or(0.0, |j| dues[j].score);
            if best.is_none_or(|(bs, _, _)| s > bs) {
                best = Some((s, i, j));
            }
        }
    }
    let Some((_, i, j)) = best else { return (None, None) };
    let pick = |list: &[Cand], k: Option<usize>| {
        let mut c = list.get(k?)?.clone();
        let rival = list
            .iter()
            .enumerate()
            .filter(|(x, _)| Some(*x) != k)
            .map(|(_, r)| r.score)
            .fold(0.0, f32::max);
        c.conf *= ambiguity(c.score, rival);
        Some(c)
    };
    (pick(&invs, i), pick(&dues, j))
}

/// A due date from payment terms ("30 dagar netto", "Net 30", "Zahlbar
/// innerhalb von 14 Tagen", "à 30 jours") counted from the invoice date.
pub fn due_from_terms(cx: &Ctx, invoice: &Cand) -> Option<Cand> {
    const DAYS: &[&str] = &["dagar", "dgr", "dag", "days", "tagen", "tage", "jours", "d"];
    const TERMS: &[&str] = &[
        "netto",
        "net",
        "zahlbar",
        "innerhalb",
        "betalningsvillkor",
        "villkor",
        "terms",
        "paiement",
        "reglement",
        "payable",
        "zahlungsziel",
        "betalning",
    ];
    const LATE: &[&str] = &[
        "verzug",
        "verzugszinsen",
        "falligkeit",
        "drojsmalsranta",
        "interest",
        "late",
        "penalite",
        "retard",
        "mahnung",
        "paminnelse",
        "overdue",
    ];
    let Value::Date(date) = invoice.value else { return None };
    for line in &cx.layout.lines {
        let toks = &cx.layout.toks[line.start..line.end];
        if !toks.iter().any(|x| TERMS.contains(&x.key.as_str())) {
            continue;
        }
        // Late-payment clauses count days from the due date, not to it.
        if toks.iter().any(|x| LATE.contains(&x.key.as_str())) {
            continue;
        }
        for (i, t) in toks.iter().enumerate() {
            // `(15 dagar netto)`; but `Netto 50 588,00` is an amount, not 50 days.
            let text = t.text.trim_start_matches('(');
            if !text.bytes().all(|b| b.is_ascii_digit())
                || cx.scan.amount_of[line.start + i].is_some_and(|a| {
                    let a = &cx.scan.amounts[a];
                    a.decimals || a.end - a.start > 1
                })
            {
                continue;
            }
            let Ok(n) = text.parse::<u64>() else { continue };
            let next = toks.get(i + 1).map(|x| x.key.as_str());
            let prev = i.checked_sub(1).and_then(|p| toks.get(p)).map(|x| x.key.as_str());
            let days_after = next.is_some_and(|k| DAYS.contains(&k));
            let net_before = prev.is_some_and(|k| k == "netto" || k == "net");
            if (1..=120).contains(&n) && (days_after || net_before) {
                let due = date.checked_add_days(Days::new(n))?;
                let conf = (invoice.conf * 0.6).min(0.55);
                let value = Value::Date(due);
                return Some(Cand {
                    value,
                    score: 0.1,
                    conf,
                    page: invoice.page,
                    bbox: None,
                    toks: None,
                });
            }
        }
    }
    None
}
