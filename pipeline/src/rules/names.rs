//! Supplier and buyer names.
//!
//! The supplier's name is scored from many weak signals: the topmost name on
//! the first page, a large font, a legal form (AB, GmbH, Ltd …), repetition
//! (header and footer), the web or e-mail domain, a supplier or payee
//! caption above it ("Säljare", "Seller", "Vendeur", "Bénéficiaire"), the
//! sender line of a window envelope, the company block of a footer. Names
//! in the buyer's block, under a recipient routing line ("Att:"), or that
//! are the value of a reference caption are not the supplier.

use invex_domain::Value;

use super::Ctx;
use super::confidence::{Cand, Pool};
use super::labels::Kind;
use super::layout::{Place, Run};
use super::parties::{
    RECIPIENT_LINES, display, domains, follows_caption, is_separator, matches_domain,
    name_caption_len, name_words, near_identifiers, recipient_marked, sender_cut,
};
use super::text::{fold, has_digit, is_legal_form, printed_legal_form, trim_value, us_state_zip};
use super::zones::{Party, payment_line};

pub struct Names {
    pub supplier: Option<Cand>,
    pub buyer: Option<Cand>,
}

/// A name-like phrase: its run, folded words and a head start (sender line).
struct NameCand {
    run: Run,
    words: Vec<String>,
    bonus: f32,
    /// Named by a supplier or payee caption inside its line
    /// ("… Aussteller: London Strategy Group,", "Saaja: Lippuja Kaikille").
    captioned: bool,
}

/// Name-like phrases on the first and last pages, and how often each text
/// occurs in the whole document.
fn collect(cx: &Ctx, table_lines: &[bool]) -> (Vec<NameCand>, Vec<(String, usize)>) {
    let last_page = cx.layout.pages.len().saturating_sub(1);
    // The value of a reference caption: beside it, or under it when nothing
    // is beside it.
    let slots: Vec<_> = [Kind::BuyerReference, Kind::SupplierReference, Kind::Contact]
        .into_iter()
        .flat_map(|k| cx.scan.slots(cx.layout, k, 1))
        .collect();
    let beside = |s: &super::candidates::Slot| matches!(s.place, Place::Inline | Place::Right(0));
    let person_values: Vec<usize> = slots
        .iter()
        .filter(|s| {
            beside(s)
                || (s.place == Place::Below(0)
                    && !slots.iter().any(|o| o.label == s.label && beside(o)))
        })
        .map(|s| s.run.start)
        .collect();
    let mut seen: Vec<(String, Vec<(usize, f32)>)> = Vec::new();
    let mut out = Vec::new();
    for ph in &cx.layout.phrases {
        let first = &cx.layout.toks[ph.start];
        if table_lines.get(first.line).copied().unwrap_or(false) {
            continue;
        }
        let mut run = Run { start: ph.start, end: ph.end };
        let mut bonus = 0.0;
        if let Some(cut) = sender_cut(cx, run) {
            // "Graham, NC 27253": a US city before its state and ZIP.
            let toks = &cx.layout.toks;
            if cut + 1 < run.end && us_state_zip(&toks[cut].text, &toks[cut + 1].text) {
                continue;
            }
            let rest = cx.layout.text(cut, run.end);
            if rest.chars().filter(|c| c.is_ascii_digit()).count() >= 4 {
                run.end = cut;
                bonus += 0.25;
            }
        }
        // "Nom : LE FOURNISSEUR", "Name: Acme Ltd".
        let caption = name_caption_len(cx, run.start, run.end);
        if caption > 0 && run.end - run.start > caption {
            run.start += caption;
            if cx.layout.toks[run.start].text == ":" && run.end - run.start > 1 {
                run.start += 1;
            }
        }
        // A name ends at its legal form: "Aldi GmbH & Co. KG, Schloß Holte"
        // is the name and its seat (a leading form, "AB Volvo", stays).
        if let Some(last) =
            (run.start + 1..run.end).rev().find(|&t| printed_legal_form(&cx.layout.toks[t].text))
        {
            run.end = last + 1;
            // In a long footer phrase ("Registro Mercantil de Madrid - Hoja
            // M566232 … N.I.F. A-62943600 Factor Energia España, S.A.U.,
            // c/Orense 68"), the name is the words before its legal form,
            // back to the number or caption before them.
            if run.end - run.start > MAX_NAME_WORDS {
                run.start = name_before_form(cx, run.start, last);
            }
        }
        let Some(words) = name_words(cx, run) else { continue };
        // A street ("Rue Saint Denis, 112 - 1190 Bruxelles") is the address
        // a sender line starts with, never the name.
        if STREET_WORDS.contains(&cx.layout.toks[run.start].key.as_str()) {
            continue;
        }
        // A priced row ("Batterijen 22.45") is an item the table reader missed,
        // never a letterhead.
        if cx
            .scan
            .amounts
            .iter()
            .any(|a| a.decimals && a.start >= run.end && cx.layout.toks[a.start].line == first.line)
        {
            continue;
        }
        // The value of a caption on its left ("Er ref: Åsa Wikström") or
        // above it (a reference person in a grid); a department line.
        if follows_caption(cx, run.start) || person_values.contains(&run.start) {
            continue;
        }
        let all: String = (run.start..run.end).map(|t| cx.layout.toks[t].key.as_str()).collect();
        if RECIPIENT_LINES.contains(&all.as_str()) {
            continue;
        }
        // Repetition counts places (header and footer, page after page),
        // not a receipt's same item bought three times on adjacent rows.
        let key = words.join(" ");
        let at = (first.page, cx.layout.rel_y(run.start));
        match seen.iter_mut().find(|(k, _)| *k == key) {
            Some((_, places)) => {
                if places.iter().all(|&(p, y)| p != at.0 || (y - at.1).abs() > REPEAT_APART) {
                    places.push(at);
                }
            }
            None => seen.push((key, vec![at])),
        }
        if first.page == 0 || first.page == last_page {
            out.push(NameCand { run, words, bonus, captioned: false });
        }
    }
    out.extend(captioned_inline(cx));
    out.extend(payee_in_sentence(cx));
    (out, seen.into_iter().map(|(k, places)| (k, places.len())).collect())
}

/// The most words a name candidate may have (as `name_words` allows).
pub(super) const MAX_NAME_WORDS: usize = 7;

/// Where the name ending in the legal form at `form` starts: the words
/// before it up to a word with a digit, a caption or a separator (at most
/// five words before the form), not before `start`.
fn name_before_form(cx: &Ctx, start: usize, form: usize) -> usize {
    let l = cx.layout;
    let mut from = form;
    while from > start && form - from < 5 {
        let t = from - 1;
        let w = &l.toks[t].text;
        let stop =
            has_digit(w) || cx.scan.label_of[t].is_some() || w.ends_with(':') || is_separator(w);
        if stop {
            break;
        }
        from = t;
    }
    from
}

/// Words a street name or a business park opens with (as word keys), in
/// the corpus's languages: never the first word of a company's name.
const STREET_WORDS: &[&str] = &[
    "rue",
    "avenue",
    "boulevard",
    "chemin",
    "allee",
    "impasse",
    "calle",
    "avenida",
    "paseo",
    "carrer",
    "rua",
    "via",
    "viale",
    "piazza",
    "corso",
    "strasse",
    "gatan",
    "vagen",
    // Business parks and industrial estates open an address too.
    "pole",
    "zi",
    "za",
    "zac",
    "technopole",
    "poligono",
    "gewerbepark",
];

/// Phrases that name the payee inside a sentence, as word keys: "Make all
/// checks payable to …", "… overmaken op NL11 …, ten name van …",
/// "zugunsten von …", "chèque à l'ordre de …", "a favor de …", "intestato a …".
const PAYEE_PHRASES: &[&[&str]] = &[
    &["payable", "to"],
    &["in", "favour", "of"],
    &["in", "favor", "of"],
    &["ten", "name", "van"],
    &["tnv"],
    &["zugunsten", "von"],
    &["zu", "gunsten", "von"],
    &["a", "lordre", "de"],
    &["a", "favor", "de"],
    &["intestato", "a"],
];

/// The name after a payee phrase in running text, up to a comma, a full
/// stop or six words: the payee, who is the supplier.
fn payee_in_sentence(cx: &Ctx) -> Vec<NameCand> {
    let l = cx.layout;
    let mut out = Vec::new();
    for ph in &l.phrases {
        for t in ph.start..ph.end {
            let Some(words) = PAYEE_PHRASES.iter().find(|p| {
                t + p.len() < ph.end && p.iter().enumerate().all(|(i, w)| l.toks[t + i].key == *w)
            }) else {
                continue;
            };
            let start = t + words.len();
            let mut end = start;
            while end < ph.end && end - start < 6 {
                end += 1;
                let w = &l.toks[end - 1].text;
                if w.ends_with(',') || w.ends_with('.') && !is_initial(w) {
                    break;
                }
            }
            let run = Run { start, end };
            // Evidence of a name, but weaker than a caption: the account
            // holder may spell it otherwise than the letterhead.
            if let Some(words) = name_words(cx, run) {
                out.push(NameCand { run, words, bonus: 0.25, captioned: false });
            }
        }
    }
    out
}

/// An initial or initials ("J.", "J.C."), which end in a full stop inside
/// a name.
fn is_initial(w: &str) -> bool {
    w.split_terminator('.').all(|p| p.chars().count() == 1 && p.chars().all(char::is_uppercase))
}

/// How far apart (share of the page's height) two printings of a name on
/// one page must be to count as repeated.
const REPEAT_APART: f32 = 0.2;

/// Names after a supplier or payee caption with a colon in the same phrase
/// ("Saaja: Lippuja Kaikille", "… Aussteller: London Strategy Group,"):
/// the phrase is not a name, the rest after the caption may be (up to the
/// next caption, the end of the phrase or a comma).
fn captioned_inline(cx: &Ctx) -> Vec<NameCand> {
    let l = cx.layout;
    let mut out = Vec::new();
    for hit in &cx.scan.labels {
        let ph = &l.phrases[l.toks[hit.start].phrase];
        if !hit.colon
            || hit.end >= ph.end
            || !(hit.has(Kind::SupplierHeading) || hit.has(Kind::Payee))
            // "Säljare: Sara Axelsson" names the seller's contact person.
            || hit.has(Kind::SupplierReference)
            || hit.has(Kind::Contact)
        {
            continue;
        }
        let mut end = hit.end;
        while end < ph.end && cx.scan.label_of[end].is_none() {
            end += 1;
            if l.toks[end - 1].text.ends_with(',') {
                break;
            }
        }
        let run = Run { start: hit.end, end };
        if let Some(words) = name_words(cx, run) {
            out.push(NameCand { run, words, bonus: 0.0, captioned: true });
        }
    }
    out
}

/// Small words that may be lower-case inside an organisation's name.
#[rustfmt::skip]
const NAME_PARTICLES: &[&str] = &[
    "van", "von", "de", "der", "den", "du", "des", "la", "le", "di", "da", "del", "y", "e", "i",
    "and", "und", "och", "og", "et", "of", "the", "for", "zu", "zum", "am", "im", "in", "a",
];

/// Words that open a salutation or an addressee's line, never a supplier.
#[rustfmt::skip]
const NOT_NAME_FIRST: &[&str] = &[
    "dear", "geachte", "beste", "sehr", "liebe", "lieber", "hej", "hei", "bonjour", "madame",
    "monsieur", "mme", "mlle", "estimado", "estimada", "gentile", "spettabile", "egregio", "kara",
    "baste", "mevrouw", "meneer", "dhr", "mevr", "herr", "frau", "mr", "mrs", "ms", "miss", "sr",
    "sra", "sig", "thank", "thanks", "tack", "danke", "merci", "gracias", "grazie", "bedankt",
];

/// Words of a sentence, not of a name, even in capitals ("TQ FOR SHOPPING
/// WITH myNEWS.com", "THANK YOU FOR YOUR PATRONAGE").
#[rustfmt::skip]
const SENTENCE_WORDS: &[&str] = &[
    "with", "your", "you", "please", "thank", "thanks", "welcome", "visit", "shopping", "ihr",
    "ihre", "vielen", "dank", "bitte", "tack", "merci", "votre", "gracias", "grazie",
];

/// Country names and codes that end an address line ("Westminster, UK").
#[rustfmt::skip]
const COUNTRY_WORDS: &[&str] = &[
    "uk", "usa", "us", "germany", "deutschland", "sweden", "sverige", "netherlands", "nederland",
    "france", "spain", "espana", "italy", "italia", "denmark", "danmark", "norway", "norge",
    "finland", "suomi", "belgium", "belgie", "belgique", "austria", "osterreich", "schweiz",
    "switzerland", "suisse", "malaysia", "india", "ireland",
];

/// Whether a run reads as a name: no lower-case word other than name
/// particles (a sentence such as "Geachte medewerker van ..." or a title
/// such as "Lesbarmachung der XML-Daten ..." has some), no salutation or
/// person title first, no country word last.
fn reads_as_name(cx: &Ctx, run: Run) -> bool {
    let words: Vec<&str> =
        (run.start..run.end).map(|t| trim_value(&cx.layout.toks[t].text)).collect();
    let lower = words.iter().filter(|w| {
        w.chars().next().is_some_and(char::is_lowercase)
            && !NAME_PARTICLES.contains(&fold(w).as_str())
            && !w.contains('.')
    });
    let first = words.first().map(|w| fold(w.trim_end_matches([',', '.', ':'])));
    let last = words.last().map(|w| fold(w.trim_end_matches([',', '.', ':'])));
    let sentence = words.iter().any(|w| SENTENCE_WORDS.contains(&fold(w).as_str()));
    lower.count() == 0
        && !sentence
        && !first.is_some_and(|f| NOT_NAME_FIRST.contains(&f.as_str()))
        && (words.len() <= 1 || !last.is_some_and(|l| COUNTRY_WORDS.contains(&l.as_str())))
}

/// Runs named by a payee caption ("Betalningsmottagare", "Bénéficiaire").
fn payee_runs(cx: &Ctx) -> Vec<Run> {
    cx.scan
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
                let hit = &cx.scan.labels[s.label];
                let gap = cx.layout.toks[s.run.start].bbox.x0 - cx.layout.toks[hit.end - 1].bbox.x1;
                k == 0 && gap < 6.0 * cx.layout.em
            }
        })
        .map(|s| s.run)
        .collect()
}

/// The position and typography part of a supplier-name score.
fn layout_score(cx: &Ctx, run: Run, top_y: f32) -> f32 {
    let tok = &cx.layout.toks[run.start];
    let ry = cx.layout.rel_y(run.start);
    let h = cx.layout.lines[tok.line].height / cx.layout.em.max(1.0);
    let mut score = if h >= 1.5 {
        0.35
    } else if h >= 1.2 {
        0.2
    } else if h >= 1.05 {
        0.05
    } else {
        0.0
    };
    score += if tok.page == 0 && tok.bbox.y0 - top_y < 15.0 {
        0.5
    } else if tok.page == 0 && ry < 0.2 {
        0.15
    } else if (tok.page == 0 && ry < 0.35) || ry > 0.82 {
        0.05
    } else {
        0.0
    };
    // The company block of a footer: the name with its identifiers.
    if ry > 0.7 && near_identifiers(cx, run) {
        score += 0.3;
    }
    score
}

pub fn names(cx: &Ctx, table_lines: &[bool]) -> Names {
    let doms = domains(cx);
    let (cands, seen) = collect(cx, table_lines);
    let payees = payee_runs(cx);
    let mut sup = Pool::new();
    let mut buy = Pool::new();
    // Names printed in the buyer's block: never the supplier, wherever else
    // they are printed too (a delivery block, a footer).
    let mut buyer_names: Vec<String> = Vec::new();
    let top_y = cands
        .iter()
        .filter(|c| cx.layout.toks[c.run.start].page == 0)
        .map(|c| cx.layout.toks[c.run.start].bbox.y0)
        .fold(f32::MAX, f32::min);
    for NameCand { run, words, bonus, captioned } in cands {
        let t = run.start;
        // "Nando's Chickenland Malaysia" over "Sdn Bhd": one name.
        let below = legal_form_below(cx, run);
        let text = Value::Text(match below {
            Some(b) => format!("{} {}", display(cx, run), display(cx, b)),
            None => display(cx, run),
        });
        let mut score = bonus + layout_score(cx, run, top_y) + if captioned { 0.6 } else { 0.0 };
        let legal = below.is_some()
            || (run.start..run.end).any(|t| printed_legal_form(&cx.layout.toks[t].text));
        if legal {
            score += 0.4;
        }
        if recipient_marked(cx, run) {
            buy.push(Cand::at(cx.layout, run.start, run.end, text.clone(), 0.7, 0.7));
            score -= 0.6;
        }
        let key = words.join(" ");
        let count = seen.iter().find(|(k, _)| *k == key).map_or(1, |(_, c)| *c);
        score += 0.2 * (count.min(3) - 1) as f32;
        let domain = matches_domain(&words, &doms);
        if domain {
            score += 0.5;
        }
        let payee = payees.iter().any(|r| r.start <= t && t < r.end);
        if payee {
            score += 0.4;
        }
        // Never guess: a supplier name is an organisation's name where
        // issuers print theirs (letterhead, a legal form, the web domain,
        // the payee, the supplier's block, beside its identifiers), and
        // reads as a name, not a sentence, salutation or address line.
        let tok = &cx.layout.toks[t];
        let letterhead = tok.page == 0 && tok.bbox.y0 - top_y < 15.0;
        // A name on a line of a party's block, behind a caption
        // ("Name: | Käufer GmbH"), belongs to that party.
        let line_start = cx.layout.lines[tok.line].start;
        let at = if cx.zones.party[t].is_none() { line_start } else { t };
        // "Name:" before it on its line: the block's own name line.
        let named = at == line_start && t > line_start && name_caption_len(cx, line_start, t) > 0;
        let zone =
            cx.zones.party[at] == Some(Party::Supplier) && (named || cx.zones.depth[at] == 0);
        // Strong evidence names an organisation by itself; weaker evidence
        // (letterhead position, repetition, a sender line, identifiers
        // beside it) only a name of several words, or of one word of four
        // letters or more (not a fragment such as `Lok.` or a caption `Wat`).
        let strong = legal || domain || payee || zone || captioned;
        let word_like = || {
            let w = &cx.layout.toks[t].text;
            w.chars().filter(|c| c.is_alphabetic()).count() >= 4 && !w.ends_with('.')
        };
        let weak = bonus > 0.0 || count >= 2 || letterhead || near_identifiers(cx, run);
        let evidence = strong || (weak && (words.len() > 1 || word_like()));
        if !evidence || (!legal && !domain && !reads_as_name(cx, run)) {
            continue;
        }
        match cx.zones.party[at] {
            Some(Party::Supplier) => score += if zone { 0.6 } else { 0.05 },
            Some(Party::Buyer) => {
                buyer_names.push(fold(&text.to_string()));
                if cx.zones.depth[at] == 0 {
                    buy.push(Cand::at(cx.layout, run.start, run.end, text, 1.0, 0.8));
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
            eprintln!("name {score:.2} {text}");
        }
        let conf = (0.25 + 0.35 * score).min(0.9);
        let mut cand = Cand::at(cx.layout, run.start, run.end, text, score, conf);
        if let (Some(b), Some(a)) = (below, cand.bbox) {
            cand.bbox = cx.layout.bbox(b.start, b.end).map(|bb| a.union(&bb));
        }
        sup.push(cand);
    }
    if !buyer_names.is_empty() {
        let mut kept = Pool::new();
        for c in sup.iter().filter(|c| !buyer_names.contains(&fold(&c.value.to_string()))) {
            kept.push(c.clone());
        }
        sup = kept;
    }
    let buyer = buy.best();
    if let Some(b) = &buyer {
        let bkey = fold(&b.value.to_string());
        let mut filtered = Pool::new();
        for c in sup.iter().filter(|c| fold(&c.value.to_string()) != bkey) {
            filtered.push(c.clone());
        }
        // Only the buyer's name is printed as a name: it invoices itself.
        if !filtered.is_empty() {
            sup = filtered;
        }
    }
    let supplier = sup.best().map(|best| full_legal_name(&sup, best));
    let buyer = buyer.or_else(|| unlabelled_buyer(cx, &sup, supplier.as_ref()));
    Names { supplier, buyer }
}

/// A logo's short name ("Nandos") yields to a candidate that spells it out
/// with a legal form ("Nando's Chickenland Malaysia Sdn Bhd").
fn full_legal_name(sup: &Pool, best: Cand) -> Cand {
    let letters = |c: &Cand| -> String {
        fold(&c.value.to_string()).chars().filter(|c| c.is_alphanumeric()).collect()
    };
    let has_legal = |c: &Cand| c.value.to_string().split_whitespace().any(is_legal_form);
    let short = letters(&best);
    if has_legal(&best) || short.len() < 3 {
        return best;
    }
    sup.ranked()
        .into_iter()
        .find(|c| has_legal(c) && letters(c).len() > short.len() && letters(c).contains(&short))
        .unwrap_or(best)
}

/// The phrase under a name, aligned with it and close, made of its
/// legal form only ("Sdn Bhd", "CO. (M) SDN BHD", "GmbH & Co. KG"): the
/// rest of the name.
fn legal_form_below(cx: &Ctx, run: Run) -> Option<Run> {
    let l = cx.layout;
    let line = l.toks[run.start].line;
    let next = l.lines.get(line + 1).filter(|n| n.page == l.lines[line].page)?;
    if next.bbox.y0 - l.lines[line].bbox.y1 >= l.lines[line].height {
        return None;
    }
    // Left-aligned, or within the name's width (a receipt's centred lines).
    let (x0, x1) = (l.toks[run.start].bbox.x0, l.toks[run.end - 1].bbox.x1);
    let aligned = |b: &invex_domain::BBox| {
        (b.x0 - x0).abs() < 12.0 || (b.x0 >= x0 - 12.0 && b.x1 <= x1 + 12.0)
    };
    let p = l.phrases_of_line(line + 1).find(|&p| aligned(&l.phrases[p].bbox))?;
    let ph = &l.phrases[p];
    let words: Vec<String> =
        (ph.start..ph.end).map(|t| fold(trim_value(&l.toks[t].text))).collect();
    let legal = words.iter().any(|w| is_legal_form(w));
    let filler = words.iter().all(|w| {
        is_legal_form(w) || matches!(w.as_str(), "&" | "co" | "(m)" | "m" | "und" | "and" | "")
    });
    (legal && filler && ph.end - ph.start <= 5).then_some(Run { start: ph.start, end: ph.end })
}

/// Without a buyer caption: the best other name in the upper half of the
/// first page with a postal address under it (the address window).
fn unlabelled_buyer(cx: &Ctx, sup: &Pool, supplier: Option<&Cand>) -> Option<Cand> {
    let skey = supplier.map(|s| fold(&s.value.to_string()));
    for c in sup.ranked() {
        let Some((s, e)) = c.toks else { continue };
        let name = fold(&c.value.to_string());
        let same = skey
            .as_ref()
            .is_some_and(|k| *k == name || k.contains(&name) || name.contains(k.as_str()));
        if same || cx.layout.toks[s].page != 0 || cx.layout.rel_y(s) > 0.5 {
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
