//! Parties: supplier and buyer names, the supplier's address, F-skatt and the
//! credit-note flag.
//!
//! The supplier's name is scored from many weak signals: a large font near the
//! top of the first page, a legal form (AB, GmbH, Ltd …), repetition (header
//! and footer), the web or e-mail domain, a supplier caption ("Säljare",
//! "Seller", "Verkäufer", "Vendeur") or payee caption above it, the sender
//! line of a window envelope; anything in the buyer's block is excluded.

use invex_domain::Value;

use super::Ctx;
use super::confidence::{Cand, Pool};
use super::labels::Kind;
use super::layout::{Place, Run};
use super::text::{fold, has_digit, is_legal_form, is_postcode_part, letters_digits, trim_value};
use super::zones::{Party, payment_line};

/// Web and e-mail domains printed outside the buyer's block (`kraxi` for
/// `info@kraxi.com`, `www.kraxi.de`).
fn domains(cx: &Ctx) -> Vec<String> {
    const GENERIC: &[&str] = &[
        "gmail", "hotmail", "outlook", "yahoo", "telia", "live", "icloud", "mail", "web", "gmx",
        "orange", "free", "wanadoo", "bredband",
    ];
    let mut out = Vec::new();
    for (t, tok) in cx.layout.toks.iter().enumerate() {
        if cx.zones.is_customer(t) {
            continue;
        }
        let s = fold(&tok.text);
        let host = if let Some(i) = s.find('@') {
            &s[i + 1..]
        } else if let Some(rest) = s.strip_prefix("www.").or_else(|| s.split("://").nth(1)) {
            rest.trim_start_matches("www.")
        } else {
            continue;
        };
        let parts: Vec<&str> = host.split('.').filter(|p| !p.is_empty()).collect();
        if parts.len() < 2 {
            continue;
        }
        let label = parts[parts.len() - 2];
        let label: String = label.chars().filter(|c| c.is_alphanumeric()).collect();
        if label.len() >= 3 && !GENERIC.contains(&label.as_str()) && !out.contains(&label) {
            out.push(label);
        }
    }
    out
}

/// Whether a phrase's words match a domain (`Kraxi GmbH` ~ `kraxi`,
/// `Nordic Bygg AB` ~ `nordicbygg`).
fn matches_domain(words: &[String], domains: &[String]) -> bool {
    let joined: String = words.iter().filter(|w| !is_legal_form(w)).map(|w| w.as_str()).collect();
    domains.iter().any(|d| {
        (joined.len() >= 3
            && (d == &joined || d.starts_with(&joined) || joined.starts_with(d.as_str())))
            || words.iter().any(|w| w.len() >= 4 && !is_legal_form(w) && d.contains(w.as_str()))
    })
}

/// Cuts a sender line (`Kraxi GmbH · Flugzeugallee 17 · 12345 Papierfeld`)
/// at its first separator; returns the end of the name part.
fn sender_cut(cx: &Ctx, run: Run) -> Option<usize> {
    for t in run.start..run.end {
        let text = &cx.layout.toks[t].text;
        if matches!(text.as_str(), "·" | "•" | "|" | "-" | "–" | "/") && t > run.start {
            return Some(t);
        }
        if text.ends_with(',') && t + 1 < run.end {
            return Some(t + 1);
        }
    }
    None
}

/// A phrase that could be a company or person name, as its words.
fn name_words(cx: &Ctx, run: Run) -> Option<Vec<String>> {
    let n = run.end - run.start;
    if n == 0 || n > 7 {
        return None;
    }
    let text = cx.layout.text(run.start, run.end);
    let (letters, digits) = letters_digits(&text);
    // Logo initials ("NP") are not names.
    if letters < 3 || digits * 3 > letters || text.contains('@') || text.contains("www.") {
        return None;
    }
    if (run.start..run.end).any(|t| {
        let w = &cx.layout.toks[t].text;
        w == ":" || (w.ends_with(':') && t + 1 < run.end)
    }) {
        return None;
    }
    let first = &cx.layout.toks[run.start].text;
    // Care-of and attention lines are address lines.
    if matches!(fold(first).as_str(), "c/o" | "co" | "att:" | "att" | "attn:" | "attn") {
        return None;
    }
    if first.chars().next().is_some_and(|c| c.is_ascii_digit()) || is_postcode_part(first) {
        return None;
    }
    // Street lines end in a house number ("Brf Eken 4" has a legal form).
    let legal = (run.start..run.end).any(|t| is_legal_form(&cx.layout.toks[t].text));
    if has_digit(&cx.layout.toks[run.end - 1].text) && !legal {
        return None;
    }
    // A caption ("Fakturanummer", "Att betala") is not a name; a caption
    // word inside a name ("Nordic Service AB") is fine.
    if let Some(h) = cx.scan.label_of[run.start] {
        let hit = &cx.scan.labels[h];
        let legal = (run.start..run.end).any(|t| is_legal_form(&cx.layout.toks[t].text));
        if hit.start == run.start && !legal {
            return None;
        }
    }
    for t in run.start..run.end {
        let decimal = cx.scan.amount_of[t].is_some_and(|a| cx.scan.amounts[a].decimals);
        if decimal || cx.scan.date_of[t].is_some() {
            return None;
        }
    }
    Some((run.start..run.end).map(|t| fold(trim_value(&cx.layout.toks[t].text))).collect())
}

/// First words of the lines that route a letter inside the recipient's
/// organisation ("Att: Leverantörsreskontra", "z. Hd.", "Attn").
const RECIPIENT_FIRST: &[&str] = &["att", "attn", "zhd", "fao", "attention", "lattention"];
const RECIPIENT_LINES: &[&str] = &[
    "ekonomiavdelningen",
    "leverantorsreskontra",
    "fakturamottagning",
    "kreditorreskontra",
    "accountspayable",
    "buchhaltung",
    "kreditorenbuchhaltung",
    "comptabilite",
    "servicecomptabilite",
    "ekonomiservice",
    "fakturahantering",
    "fakturaservice",
];

/// Whether one of the two lines under `run` (same left edge) routes mail
/// inside the recipient's organisation: then `run` names the buyer.
fn recipient_marked(cx: &Ctx, run: Run) -> bool {
    let l = cx.layout;
    let first = &l.toks[run.start];
    let x0 = first.bbox.x0;
    for li in first.line + 1..(first.line + 3).min(l.lines.len()) {
        if l.lines[li].page != first.page {
            break;
        }
        for p in l.phrases_of_line(li) {
            let ph = &l.phrases[p];
            if (ph.bbox.x0 - x0).abs() > 6.0 {
                continue;
            }
            let k0 = &l.toks[ph.start].key;
            let all: String = (ph.start..ph.end).map(|t| l.toks[t].key.as_str()).collect();
            if RECIPIENT_FIRST.contains(&k0.as_str()) || RECIPIENT_LINES.contains(&all.as_str()) {
                return true;
            }
        }
    }
    false
}

/// Whether the phrase before `t` on its line ends in a caption (other than
/// a party heading, whose value is a name).
fn follows_caption(cx: &Ctx, t: usize) -> bool {
    let tok = &cx.layout.toks[t];
    let line = &cx.layout.lines[tok.line];
    if t == line.start {
        return false;
    }
    let Some(h) = cx.scan.label_of[t - 1] else { return false };
    let hit = &cx.scan.labels[h];
    let heading = [Kind::SupplierHeading, Kind::BuyerHeading, Kind::Payee, Kind::DeliveryHeading]
        .iter()
        .any(|k| hit.has(*k));
    // Two-letter captions ("PO", "BG") are easily a logo's initials.
    let short =
        cx.layout.text(hit.start, hit.end).chars().filter(|c| c.is_alphanumeric()).count() <= 2;
    !heading && !short && hit.end == t
}

/// Whether company identifiers (org.nr, VAT number, Bankgiro, IBAN …) are
/// printed on the name's line or within four lines under it.
fn near_identifiers(cx: &Ctx, run: Run) -> bool {
    const IDS: [Kind; 7] = [
        Kind::OrgNr,
        Kind::VatNumber,
        Kind::Bankgiro,
        Kind::Plusgiro,
        Kind::Iban,
        Kind::FSkatt,
        Kind::Bic,
    ];
    let l = cx.layout;
    let line = l.toks[run.start].line;
    let page = l.lines[line].page;
    (line..(line + 5).min(l.lines.len())).filter(|&li| l.lines[li].page == page).any(|li| {
        let ln = &l.lines[li];
        (ln.start..ln.end).any(|t| {
            cx.scan.label_of[t].is_some_and(|h| IDS.iter().any(|k| cx.scan.labels[h].has(*k)))
        })
    })
}

/// Captions whose value is a name.
const NAME_CAPTIONS: &[&str] =
    &["nom", "name", "namn", "firma", "company", "foretag", "firmenname"];

pub struct Names {
    pub supplier: Option<Cand>,
    pub buyer: Option<Cand>,
}

pub fn names(cx: &Ctx, table_lines: &[bool]) -> Names {
    let doms = domains(cx);
    let mut sup = Pool::new();
    let mut buy = Pool::new();
    let mut seen: Vec<(String, usize)> = Vec::new();
    let mut cands: Vec<(Run, Vec<String>, f32)> = Vec::new();
    let last_page = cx.layout.pages.len().saturating_sub(1);
    let person_values: Vec<usize> = [Kind::BuyerReference, Kind::SupplierReference, Kind::Contact]
        .into_iter()
        .flat_map(|k| cx.scan.slots(cx.layout, k, 1))
        .filter(|s| matches!(s.place, Place::Inline | Place::Right(0) | Place::Below(0)))
        .map(|s| s.run.start)
        .collect();
    for ph in &cx.layout.phrases {
        let page = cx.layout.toks[ph.start].page;
        if table_lines.get(cx.layout.toks[ph.start].line).copied().unwrap_or(false) {
            continue;
        }
        let mut run = Run { start: ph.start, end: ph.end };
        let mut bonus = 0.0;
        if let Some(cut) = sender_cut(cx, run) {
            let rest = cx.layout.text(cut, run.end);
            if rest.chars().filter(|c| c.is_ascii_digit()).count() >= 4 {
                run.end = cut;
                bonus += 0.25;
            }
        }
        // "Nom : LE FOURNISSEUR", "Name: Acme Ltd".
        let k0 = &cx.layout.toks[run.start].key;
        if NAME_CAPTIONS.contains(&k0.as_str()) && run.end - run.start > 1 {
            run.start += 1;
            if cx.layout.toks[run.start].text == ":" && run.end - run.start > 1 {
                run.start += 1;
            }
        }
        let Some(words) = name_words(cx, run) else { continue };
        // The value of a caption on its left ("Er ref: Åsa Wikström") or
        // above it (a reference person in a grid); a department line.
        if follows_caption(cx, run.start) || person_values.contains(&run.start) {
            continue;
        }
        let all: String = (run.start..run.end).map(|t| cx.layout.toks[t].key.as_str()).collect();
        if RECIPIENT_LINES.contains(&all.as_str()) {
            continue;
        }
        let key = words.join(" ");
        match seen.iter_mut().find(|(k, _)| *k == key) {
            Some((_, c)) => *c += 1,
            None => seen.push((key, 1)),
        }
        if page != 0 && page != last_page {
            continue;
        }
        cands.push((run, words, bonus));
    }
    let payee_runs: Vec<Run> = cx
        .scan
        .slots(cx.layout, Kind::Payee, 2)
        .into_iter()
        .filter(|s| {
            // A bare "Mottagare" names the payee only on a payment slip.
            let hit = &cx.scan.labels[s.label];
            !hit.has(Kind::BuyerHeading) || payment_line(cx.layout, cx.scan, hit.start)
        })
        .filter(|s| match s.place {
            Place::Inline | Place::Below(_) => true,
            Place::Right(k) => {
                k == 0 && {
                    let hit = &cx.scan.labels[s.label];
                    let gap =
                        cx.layout.toks[s.run.start].bbox.x0 - cx.layout.toks[hit.end - 1].bbox.x1;
                    gap < 6.0 * cx.layout.em
                }
            }
        })
        .map(|s| s.run)
        .collect();
    let top_y = cands
        .iter()
        .filter(|(r, _, _)| cx.layout.toks[r.start].page == 0)
        .map(|(r, _, _)| cx.layout.toks[r.start].bbox.y0)
        .fold(f32::MAX, f32::min);
    for (run, words, mut score) in cands {
        let t = run.start;
        let tok = &cx.layout.toks[t];
        let key = words.join(" ");
        let ry = cx.layout.rel_y(t);
        if words.iter().any(|w| is_legal_form(w)) {
            score += 0.3;
        }
        let h = cx.layout.lines[tok.line].height / cx.layout.em.max(1.0);
        score += if h >= 1.5 {
            0.35
        } else if h >= 1.2 {
            0.2
        } else if h >= 1.05 {
            0.05
        } else {
            0.0
        };
        if tok.page == 0 && tok.bbox.y0 - top_y < 15.0 {
            score += 0.5;
        } else if tok.page == 0 && ry < 0.2 {
            score += 0.15;
        } else if tok.page == 0 && ry < 0.35 {
            score += 0.05;
        } else if ry > 0.82 {
            score += 0.05;
        }
        // The company block of a footer: the name with its identifiers.
        if ry > 0.7 && near_identifiers(cx, run) {
            score += 0.3;
        }
        if recipient_marked(cx, run) {
            buy.push(Cand::at(
                cx.layout,
                run.start,
                run.end,
                Value::Text(display(cx, run)),
                0.7,
                0.7,
            ));
            score -= 0.6;
        }
        let count = seen.iter().find(|(k, _)| *k == key).map_or(1, |(_, c)| *c);
        score += 0.2 * (count.min(3) - 1) as f32;
        if matches_domain(&words, &doms) {
            score += 0.5;
        }
        if payee_runs.iter().any(|r| r.start <= t && t < r.end) {
            score += 0.4;
        }
        match cx.zones.party[t] {
            Some(Party::Supplier) => score += if cx.zones.depth[t] == 0 { 0.6 } else { 0.05 },
            Some(Party::Buyer) => {
                if cx.zones.depth[t] == 0 {
                    let conf = 0.8;
                    buy.push(Cand::at(
                        cx.layout,
                        run.start,
                        run.end,
                        Value::Text(display(cx, run)),
                        1.0,
                        conf,
                    ));
                }
                continue;
            }
            Some(Party::Delivery) => continue,
            None => {}
        }
        // Title words ("FAKTURA") are not names.
        if words.len() == 1 && cx.scan.label_of[t].is_some() {
            continue;
        }
        if cx.debug {
            eprintln!("name {score:.2} {:?}", display(cx, run));
        }
        let conf = (0.25 + 0.35 * score).min(0.9);
        sup.push(Cand::at(
            cx.layout,
            run.start,
            run.end,
            Value::Text(display(cx, run)),
            score,
            conf,
        ));
    }
    let buyer = buy.best();
    if let Some(b) = &buyer {
        let bkey = fold(&b.value.to_string());
        let mut filtered = Pool::new();
        for c in sup.iter() {
            if fold(&c.value.to_string()) != bkey {
                filtered.push(c.clone());
            }
        }
        sup = filtered;
    }
    let supplier = sup.best();
    let buyer = buyer.or_else(|| unlabelled_buyer(cx, &sup, supplier.as_ref()));
    Names { supplier, buyer }
}

/// Without a buyer caption: the best other name in the upper half of the
/// first page with a postal address under it (the address window).
fn unlabelled_buyer(cx: &Ctx, sup: &Pool, supplier: Option<&Cand>) -> Option<Cand> {
    let skey = supplier.map(|s| fold(&s.value.to_string()));
    for c in sup.ranked() {
        let Some((s, e)) = c.toks else { continue };
        let name = fold(&c.value.to_string());
        if Some(&name) == skey.as_ref()
            || skey.as_ref().is_some_and(|k| k.contains(&name) || name.contains(k.as_str()))
        {
            continue;
        }
        if cx.layout.toks[s].page != 0 || cx.layout.rel_y(s) > 0.5 {
            continue;
        }
        if super::address::after(cx, Run { start: s, end: e }).is_some() {
            let mut b = c.clone();
            b.conf = 0.6;
            return Some(b);
        }
    }
    None
}

fn display(cx: &Ctx, run: Run) -> String {
    trim_value(&cx.layout.text(run.start, run.end))
        .trim_end_matches(['·', ',', '|'])
        .trim()
        .to_string()
}

/// "Godkänd för F-skatt" printed (and not negated).
pub fn f_skatt(cx: &Ctx) -> Option<Cand> {
    for hit in &cx.scan.labels {
        if !hit.has(Kind::FSkatt) {
            continue;
        }
        let line = &cx.layout.lines[cx.layout.toks[hit.start].line];
        let negated = (line.start..hit.start)
            .any(|t| matches!(cx.layout.toks[t].key.as_str(), "ej" | "inte" | "not" | "saknar"));
        let v = Value::Bool(!negated);
        return Some(Cand::at(cx.layout, hit.start, hit.end, v, 1.0, 0.95));
    }
    None
}

/// A credit-note caption used as a title (its own phrase, first page).
pub fn credit_title(cx: &Ctx) -> Option<Cand> {
    for hit in &cx.scan.labels {
        if !hit.has(Kind::CreditTitle) || !hit.isolated {
            continue;
        }
        let ph = &cx.layout.phrases[cx.layout.toks[hit.start].phrase];
        let alone = hit.end == ph.end
            || cx.scan.label_of.get(hit.end).copied().flatten().is_some()
            || (hit.end..ph.end)
                .all(|t| has_digit(&cx.layout.toks[t].text) || cx.layout.toks[t].key == "nr");
        if alone && cx.layout.toks[hit.start].page == 0 {
            return Some(Cand::at(cx.layout, hit.start, hit.end, Value::Bool(true), 1.0, 0.93));
        }
    }
    None
}
