//! Payment details: Bankgiro, Plusgiro, IBAN, BIC and the payment reference
//! (OCR number, Referenz, Verwendungszweck, référence de paiement).

use invex_domain::Value;
use invex_domain::validate::{bankgiro, bic, iban, ocr_reference_check, plusgiro, rf_reference};

use super::Ctx;
use super::candidates::Scan;
use super::confidence::{Cand, Pool};
use super::ids::{first_value_tok, id_like, longest_valid};
use super::labels::Kind;
use super::layout::{Layout, Place, Run};
use super::parties::follows_caption;
use super::text::{has_digit, trim_value};

/// An IBAN printed anywhere, checksum-valid.
#[derive(Debug, Clone)]
pub struct IbanMention {
    pub start: usize,
    pub end: usize,
    pub value: String,
}

/// A word that may open an IBAN, as the IBAN's own characters: without a
/// glued caption (`IBAN-IT16O…`, `IBAN:DE89…`, `Cta.ES78…`) and in
/// capitals (`it15o0617…` typed in lower case). `None` when it cannot open
/// one; called on every word, so words without two digits are turned away
/// before anything is allocated.
fn iban_head(text: &str) -> Option<String> {
    if text.bytes().filter(u8::is_ascii_digit).count() < 2 {
        return None;
    }
    let upper = text.to_uppercase();
    let glued = upper.rfind([':', '-', '.']).filter(|&i| {
        let (caption, rest) = (&upper[..i], &upper[i + 1..]);
        !caption.is_empty() && caption.chars().all(char::is_alphabetic) && iban_start(rest)
    });
    let head = match glued {
        Some(i) => &upper[i + 1..],
        None => upper.strip_prefix("IBAN").filter(|r| iban_start(r)).unwrap_or(&upper),
    };
    iban_start(head).then(|| head.to_string())
}

fn iban_start(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() >= 4
        && b[0].is_ascii_uppercase()
        && b[1].is_ascii_uppercase()
        && b[2].is_ascii_digit()
        && b[3].is_ascii_digit()
}

/// Every checksum-valid IBAN on the document (words of groups joined).
pub fn find_ibans(layout: &Layout) -> Vec<IbanMention> {
    let mut out = Vec::new();
    for ph in &layout.phrases {
        let mut t = ph.start;
        while t < ph.end {
            // The country code and check digits as one word, or as two
            // (`IT 67 R 03069 03202 100000067680`).
            let split = || {
                let (cc, check) = (&layout.toks[t].text, &layout.toks.get(t + 1)?.text);
                let both = cc.len() == 2
                    && cc.bytes().all(|b| b.is_ascii_uppercase())
                    && check.len() == 2
                    && check.bytes().all(|b| b.is_ascii_digit());
                (both && t + 1 < ph.end).then(|| format!("{cc}{check}"))
            };
            let (head, first) = match iban_head(&layout.toks[t].text) {
                Some(head) => (head, t),
                None => match split() {
                    Some(head) => (head, t + 1),
                    None => {
                        t += 1;
                        continue;
                    }
                },
            };
            let end = (first + 10).min(ph.end);
            let mut s = String::new();
            let mut best = None;
            for u in first..end {
                let w = if u == first { head.clone() } else { layout.toks[u].text.to_uppercase() };
                // Groups after the first are short or hold digits.
                if u > first && w.chars().count() > 5 && !w.bytes().any(|b| b.is_ascii_digit()) {
                    break;
                }
                s.push_str(&w);
                if let Some(v) = iban(&s) {
                    best = Some((v, u + 1));
                }
            }
            if best.is_none() && end == ph.end {
                best = continued_on_next_line(layout, t, &s);
            }
            match best {
                Some((value, e)) => {
                    out.push(IbanMention { start: t, end: e.max(t + 1).min(ph.end), value });
                    t = e.max(t + 1).min(ph.end);
                }
                None => t += 1,
            }
        }
    }
    out
}

/// An IBAN wrapped onto the next line: the groups right below its start.
fn continued_on_next_line(layout: &Layout, start: usize, head: &str) -> Option<(String, usize)> {
    let tok = &layout.toks[start];
    let line = &layout.lines[tok.line];
    let next = layout.lines.get(tok.line + 1)?;
    if next.page != line.page || next.bbox.y0 - line.bbox.y1 > line.height {
        return None;
    }
    let first =
        (next.start..next.end).find(|&u| (layout.toks[u].bbox.x0 - tok.bbox.x0).abs() < 4.0)?;
    let mut s = head.to_string();
    let ph = &layout.phrases[layout.toks[first].phrase];
    for u in first..ph.end.min(first + 8) {
        s.push_str(&layout.toks[u].text);
        if let Some(v) = iban(&s) {
            return Some((v, usize::MAX));
        }
    }
    None
}

/// The IBAN: a labelled one beats one found by its shape; the supplier's
/// beats one in the buyer's block.
pub fn iban_field(cx: &Ctx) -> Option<Cand> {
    let mut pool = Pool::new();
    let slots = cx.scan.slots(cx.layout, Kind::Iban, 1);
    for m in &cx.ibans {
        let labelled = slots.iter().find(|s| s.run.start <= m.start && m.start < s.run.end);
        let (mut score, mut conf) = match labelled {
            Some(s) => (0.6 + 0.4 * s.weight, 0.97),
            None => (0.5, 0.85),
        };
        if cx.zones.is_customer(m.start) {
            score *= 0.3;
            conf *= 0.5;
        }
        pool.push(Cand::at(cx.layout, m.start, m.end, Value::Text(m.value.clone()), score, conf));
    }
    if pool.is_empty() {
        // Captioned and shaped like an IBAN, but the checksum fails.
        for slot in &slots {
            let Some(t) = first_value_tok(cx, slot.run) else { continue };
            if !iban_start(&cx.layout.toks[t].text) {
                continue;
            }
            let mut s = String::new();
            let mut end = t;
            for u in t..slot.run.end {
                let w = &cx.layout.toks[u].text;
                if !w.chars().all(|c| c.is_ascii_alphanumeric()) {
                    break;
                }
                s.push_str(w);
                end = u + 1;
            }
            if (15..=34).contains(&s.len())
                && s[2..].chars().all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
            {
                pool.push(Cand::at(cx.layout, t, end, Value::Text(s), 0.3 * slot.weight, 0.35));
            }
        }
    }
    pool.best()
}

/// BIC: labelled, or the BIC-shaped word next to an IBAN.
pub fn bic_field(cx: &Ctx) -> Option<Cand> {
    let mut pool = Pool::new();
    for slot in cx.scan.slots(cx.layout, Kind::Bic, 1) {
        let Some(t) = first_value_tok(cx, slot.run) else { continue };
        if let Some(v) = bic(trim_value(&cx.layout.toks[t].text)) {
            pool.push(Cand::at(cx.layout, t, t + 1, Value::Text(v), slot.weight, 0.95));
        }
    }
    if pool.is_empty() {
        for m in &cx.ibans {
            let line = cx.layout.toks[m.start].line;
            let l = &cx.layout.lines[line];
            for t in l.start..l.end {
                let text = trim_value(&cx.layout.toks[t].text);
                let shaped = (text.len() == 8 || text.len() == 11)
                    && text.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
                    && text.chars().take(6).all(|c| c.is_ascii_uppercase());
                if let Some(v) = bic(text).filter(|_| shaped) {
                    pool.push(Cand::at(cx.layout, t, t + 1, Value::Text(v), 0.4, 0.6));
                }
            }
        }
    }
    pool.best()
}

/// Bankgiro or Plusgiro: labelled, checked by Luhn.
pub fn giro_field(cx: &Ctx, kind: Kind) -> Option<Cand> {
    let check: fn(&str) -> Option<String> =
        if kind == Kind::Bankgiro { bankgiro } else { plusgiro };
    let mut pool = Pool::new();
    let on_slip = cx.slip.as_ref().and_then(|s| {
        let v = if kind == Kind::Bankgiro { &s.bankgiro } else { &s.plusgiro };
        v.clone().map(|v| (s, v))
    });
    if let Some((s, v)) = on_slip {
        pool.push(Cand::at(cx.layout, s.start, s.end, Value::Text(v), 0.8, 0.9));
    }
    for slot in cx.scan.slots(cx.layout, kind, 1) {
        let Some(t) = first_value_tok(cx, slot.run) else { continue };
        if cx.iban_tok[t] {
            continue;
        }
        match longest_valid(cx, t, slot.run.end, 4, check) {
            Some((v, end)) => {
                let c = Cand::at(
                    cx.layout,
                    t,
                    end,
                    Value::Text(v),
                    slot.weight,
                    0.9 + 0.08 * slot.weight,
                );
                pool.push(c);
            }
            None => {
                // Shaped like a giro number but the check digit fails.
                let text = trim_value(&cx.layout.toks[t].text);
                let digits: String = text.chars().filter(char::is_ascii_digit).collect();
                let shaped = text.contains('-')
                    && text.chars().all(|c| c.is_ascii_digit() || c == '-')
                    && (5..=8).contains(&digits.len());
                if shaped {
                    let c =
                        Cand::at(cx.layout, t, t + 1, Value::Text(digits), slot.weight * 0.3, 0.35);
                    pool.push(c);
                }
            }
        }
    }
    pool.best()
}

/// Digits of a run that may be an OCR number printed in groups.
fn ocr_digits(cx: &Ctx, t: usize, end: usize) -> Option<(String, usize, bool)> {
    let f = |s: &str| {
        let c = ocr_reference_check(s)?;
        Some(format!("{}{}", if c.luhn { "+" } else { "-" }, s))
    };
    let (v, e) = longest_valid(cx, t, end, 6, f)?;
    let luhn = v.starts_with('+');
    let digits: String = v.chars().filter(char::is_ascii_digit).collect();
    Some((digits, e, luhn))
}

/// The payment reference: a labelled OCR number (Luhn-checked) first, then
/// other labelled payment references; repeated on the payment slip counts.
pub fn payment_reference(cx: &Ctx) -> Option<Cand> {
    let mut pool = Pool::new();
    if let Some(s) = &cx.slip
        && let Some(ocr) = &s.ocr
    {
        pool.push(Cand::at(cx.layout, s.start, s.end, Value::Text(ocr.clone()), 0.9, 0.9));
    }
    for slot in cx.scan.slots(cx.layout, Kind::Ocr, 1) {
        let Some(t) = first_value_tok(cx, slot.run) else { continue };
        let Some((digits, end, luhn)) = ocr_digits(cx, t, slot.run.end) else { continue };
        if digits.len() < 2 {
            continue;
        }
        let (score, conf) = if luhn { (slot.weight + 0.3, 0.95) } else { (slot.weight * 0.6, 0.5) };
        pool.push(Cand::at(cx.layout, t, end, Value::Text(digits), score, conf));
    }
    for slot in cx.scan.slots(cx.layout, Kind::PaymentReference, 1) {
        let Some(t) = first_value_tok(cx, slot.run) else { continue };
        // Under the caption, a value beside a caption of its own
        // ("Kunde: 93170095") belongs to that one.
        let owned = matches!(slot.place, Place::Below(_)) && follows_caption(cx, t);
        // A generic "Referenz:" right after another caption ("Bestell-Nr.:
        // Referenz: 93170095") is that caption's reference.
        let hit = &cx.scan.labels[slot.label];
        let qualified = slot.weight < 1.0 && follows_caption(cx, hit.start);
        if cx.iban_tok[t] || owned || qualified {
            continue;
        }
        if let Some((v, end)) = longest_valid(cx, t, slot.run.end, 6, rf_reference) {
            pool.push(Cand::at(cx.layout, t, end, Value::Text(v), slot.weight + 0.3, 0.95));
            continue;
        }
        if let Some((digits, end, luhn)) = ocr_digits(cx, t, slot.run.end)
            && digits.len() >= 4
        {
            let (score, conf) =
                if luhn { (slot.weight + 0.2, 0.9) } else { (slot.weight * 0.8, 0.6) };
            pool.push(Cand::at(cx.layout, t, end, Value::Text(digits), score, conf));
            continue;
        }
        if slot.weight < 0.6 {
            continue;
        }
        if let Some(v) = id_like(cx, t) {
            let conf = 0.5 + 0.3 * slot.weight;
            pool.push(Cand::at(cx.layout, t, t + 1, Value::Text(v), slot.weight * 0.9, conf));
            continue;
        }
        // Free remittance text beside a sure caption ("Zahlungsreferenz:
        // Kundennummer: 22334455 Rechnungsnummer: 6069999999"), as printed.
        let beside = matches!(slot.place, Place::Inline | Place::Right(0));
        let end = slot.run.end.min(t + 10);
        let text = trim_value(&cx.layout.text(t, end)).to_string();
        if slot.weight >= 1.0 && beside && has_digit(&text) {
            pool.push(Cand::at(cx.layout, t, end, Value::Text(text), 0.5, 0.55));
        }
    }
    // Creditor references anywhere, checked.
    if pool.is_empty() {
        for ph in &cx.layout.phrases {
            for t in ph.start..ph.end {
                if !cx.layout.toks[t].text.starts_with("RF") {
                    continue;
                }
                if let Some((v, end)) = longest_valid(cx, t, ph.end, 6, rf_reference) {
                    pool.push(Cand::at(cx.layout, t, end, Value::Text(v), 0.4, 0.75));
                }
            }
        }
    }
    if cx.debug {
        for c in pool.iter() {
            eprintln!("payref {} score {:.2} conf {:.2}", c.value, c.score, c.conf);
        }
    }
    // Agreement: the same digits printed again (the payment slip's OCR line).
    if !pool.is_empty() {
        let values: Vec<String> = pool
            .iter()
            .filter_map(|c| match &c.value {
                Value::Text(s) if s.len() >= 5 => Some(s.clone()),
                _ => None,
            })
            .collect();
        for (t, tok) in cx.layout.toks.iter().enumerate() {
            let digits: String = tok.text.chars().filter(char::is_ascii_digit).collect();
            if digits.len() >= 5 && values.contains(&digits) && cx.scan.label_of[t].is_none() {
                let covered = pool.iter().any(|c| c.bbox == cx.layout.bbox(t, t + 1));
                if !covered {
                    pool.push(Cand::at(cx.layout, t, t + 1, Value::Text(digits), 0.2, 0.5));
                }
            }
        }
    }
    pool.best()
}

/// Whether the document asks to quote the invoice number when paying
/// ("Ange fakturanummer vid betalning", "Bitte geben Sie die
/// Rechnungsnummer an", "Please quote the invoice number").
pub fn quotes_invoice_number(layout: &Layout, scan: &Scan) -> bool {
    const VERBS: &[&str] = &[
        "ange",
        "uppge",
        "angiv",
        "quote",
        "include",
        "reference",
        "angeben",
        "an",
        "geben",
        "verwendungszweck",
        "indiquer",
        "rappeler",
        "mentionner",
        "preciser",
        "vid",
        "when",
        "vermelding",
        "ovv",
        "vermeld",
        "oppgi",
        "oplys",
        "indicare",
        "causale",
        "indicar",
        "concepto",
    ];
    for hit in &scan.labels {
        if !hit.has(Kind::InvoiceNumber) {
            continue;
        }
        // A caption followed by its number is not a sentence.
        let numbered = layout.right_runs(hit.end).first().is_some_and(|(_, r)| {
            (r.start..r.end.min(r.start + 2))
                .any(|t| layout.toks[t].text.bytes().any(|b| b.is_ascii_digit()))
        });
        // "... onder vermelding van factuurnummer F-2026-0002": a verb
        // before the caption on its line makes the numbered caption a request.
        let line = &layout.lines[layout.toks[hit.start].line];
        let asked = (line.start..hit.start).any(|t| VERBS.contains(&layout.toks[t].key.as_str()));
        if numbered && !asked {
            continue;
        }
        let line = &layout.lines[layout.toks[hit.start].line];
        let mut from = line.start;
        // The sentence may begin on the line above.
        if line.start > 0 {
            let prev = &layout.lines[layout.toks[line.start - 1].line];
            if prev.page == line.page && line.bbox.y0 - prev.bbox.y1 < line.height {
                from = prev.start;
            }
        }
        let run = Run { start: from, end: line.end };
        let verb = (run.start..run.end).any(|t| {
            let k = &layout.toks[t].key;
            VERBS.contains(&k.as_str()) && t != hit.start
        });
        if verb {
            return true;
        }
    }
    false
}
