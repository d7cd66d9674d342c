//! Party signals: the evidence [`super::names`] weighs (domains, sender
//! lines, recipient routing lines, captions, footer company blocks), and
//! the F-skatt and credit-note flags.

use invex_domain::Value;

use super::Ctx;
use super::confidence::Cand;
use super::labels::Kind;
use super::layout::Run;
use super::text::{fold, has_digit, is_legal_form, is_postcode_part, letters_digits, trim_value};

/// Web and e-mail domains printed outside the buyer's block (`kraxi` for
/// `info@kraxi.com`, `www.kraxi.de`).
pub fn domains(cx: &Ctx) -> Vec<String> {
    const GENERIC: &[&str] = &[
        "gmail", "hotmail", "outlook", "yahoo", "telia", "live", "icloud", "mail", "web", "gmx",
        "orange", "free", "wanadoo", "bredband",
    ];
    let mut out = Vec::new();
    for (t, tok) in cx.layout.toks.iter().enumerate() {
        if cx.zones.is_customer(t) {
            continue;
        }
        let raw = tok.text.as_bytes();
        let webby = raw.contains(&b'@')
            || raw.windows(3).any(|w| w.eq_ignore_ascii_case(b"www") || w == b"://");
        let s = fold(&tok.text);
        let host = if let Some(i) = s.find('@') {
            &s[i + 1..]
        } else if let Some(rest) = s.strip_prefix("www.").or_else(|| s.split("://").nth(1)) {
            rest.trim_start_matches("www.")
        } else if !webby && bare_domain(&s) {
            s.as_str()
        } else {
            continue;
        };
        let mut parts: Vec<&str> = host.split('.').filter(|p| !p.is_empty()).collect();
        // `mynews.com.my`: the name is before the country's `com`/`co`.
        if parts.len() >= 3 && matches!(parts[parts.len() - 2], "com" | "co") {
            parts.pop();
        }
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

/// A web address printed without `www.` (`myNEWS.com`, `pcbway.com.my`):
/// letters (and digits or hyphens) then a common top-level domain.
fn bare_domain(s: &str) -> bool {
    const TLDS: &[&str] = &[
        "com", "net", "org", "eu", "io", "se", "de", "fr", "nl", "be", "es", "it", "at", "ch",
        "dk", "no", "fi", "uk", "my", "in", "pe", "ar",
    ];
    let s = s.trim_end_matches(['.', ',', ')']).trim_start_matches('(');
    let parts: Vec<&str> = s.split('.').collect();
    (2..=4).contains(&parts.len())
        && parts.iter().all(|p| !p.is_empty() && p.chars().all(|c| c.is_alphanumeric() || c == '-'))
        && parts[0].chars().filter(|c| c.is_alphabetic()).count() >= 3
        && parts.last().is_some_and(|t| TLDS.contains(t))
}

/// Whether a phrase's words match a domain (`Kraxi GmbH` ~ `kraxi`,
/// `Nordic Bygg AB` ~ `nordicbygg`).
pub fn matches_domain(words: &[String], domains: &[String]) -> bool {
    let joined: String = words.iter().filter(|w| !is_legal_form(w)).map(|w| w.as_str()).collect();
    domains.iter().any(|d| {
        (joined.len() >= 3
            && (d == &joined || d.starts_with(&joined) || joined.starts_with(d.as_str())))
            || words.iter().any(|w| w.len() >= 4 && !is_legal_form(w) && d.contains(w.as_str()))
    })
}

/// Cuts a sender line (`Kraxi GmbH · Flugzeugallee 17 · 12345 Papierfeld`)
/// at its first separator; returns the end of the name part.
/// Whether a word is a separator printed between the parts of a sender
/// or footer line (`·`, `•`, `|`, `-`, `–`, `/`).
pub fn is_separator(word: &str) -> bool {
    matches!(word, "·" | "•" | "|" | "-" | "–" | "/")
}

pub fn sender_cut(cx: &Ctx, run: Run) -> Option<usize> {
    for t in run.start..run.end {
        let text = &cx.layout.toks[t].text;
        if is_separator(text) && t > run.start {
            return Some(t);
        }
        if text.ends_with(',') && t + 1 < run.end {
            return Some(t + 1);
        }
    }
    None
}

/// Words (as keys) of a company-register statement, never of a name.
const REGISTER_WORDS: &[&str] = &[
    "registro",
    "registre",
    "handelsregister",
    "amtsgericht",
    "registergericht",
    "bolagsverket",
    "kvk",
    "registered",
    "inscrita",
    "inscrite",
    "inscritta",
    "immatriculee",
    "immatriculation",
];

/// A phrase that could be a company or person name, as its words.
pub fn name_words(cx: &Ctx, run: Run) -> Option<Vec<String>> {
    let n = run.end - run.start;
    if n == 0 || n > super::names::MAX_NAME_WORDS {
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
    // A company-register statement ("Registro Mercantil de Madrid",
    // "Amtsgericht Köln", "Registered in England") names a register.
    if (run.start..run.end).any(|t| REGISTER_WORDS.contains(&cx.layout.toks[t].key.as_str())) {
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
    // Street lines end in a house number ("Brf Eken 4" has a legal form):
    // digits with a letter or two ("112C", "4-6b"), not a word such as
    // "3D-Modelierung".
    let legal = (run.start..run.end).any(|t| is_legal_form(&cx.layout.toks[t].text));
    let last = &cx.layout.toks[run.end - 1].text;
    let house_number = has_digit(last) && last.chars().filter(|c| c.is_alphabetic()).count() <= 2;
    if house_number && !legal {
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
pub const RECIPIENT_LINES: &[&str] = &[
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
    "inkop",
    "inkopsavdelningen",
    "purchasing",
    "einkauf",
    "achats",
    "servicedesachats",
];

/// Whether one of the two lines under `run` (same left edge) routes mail
/// inside the recipient's organisation: then `run` names the buyer.
pub fn recipient_marked(cx: &Ctx, run: Run) -> bool {
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
pub fn follows_caption(cx: &Ctx, t: usize) -> bool {
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
pub fn near_identifiers(cx: &Ctx, run: Run) -> bool {
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

/// Captions whose value is a name (as word keys; a two-word caption as its
/// keys joined): "Name:", "Denominazione:" (the AdE FatturaPA print),
/// "Raison sociale", "Razón social", "Company name".
const NAME_CAPTIONS: &[&str] = &[
    "nom",
    "name",
    "namn",
    "firma",
    "company",
    "foretag",
    "firmenname",
    "denominazione",
    "denominacion",
    "bedrijfsnaam",
    "foretagsnamn",
    "firmanavn",
    "raisonsociale",
    "ragionesociale",
    "razonsocial",
    "denominacionsocial",
    "companyname",
    "businessname",
];

/// How many words at `t` (0, 1 or 2) are a name caption, within `end`.
pub fn name_caption_len(cx: &Ctx, t: usize, end: usize) -> usize {
    let key = |u: usize| cx.layout.toks[u].key.as_str();
    let two = |c: &&str| c.strip_prefix(key(t)).is_some_and(|rest| rest == key(t + 1));
    if t + 1 < end && NAME_CAPTIONS.iter().any(two) {
        2
    } else if t < end && NAME_CAPTIONS.contains(&key(t)) {
        1
    } else {
        0
    }
}

pub fn display(cx: &Ctx, run: Run) -> String {
    let raw = cx.layout.text(run.start, run.end);
    let text = trim_value(&raw).trim_end_matches(['·', ',', '|']).trim();
    // A sentence's full stop after the name ("… ten name van J. Jansen."),
    // not an abbreviation's ("Acme Inc.", "J.").
    let last = text.rsplit(' ').next().unwrap_or("");
    let word = last.trim_end_matches('.');
    match text.strip_suffix('.') {
        Some(t) if word.chars().count() > 4 && !word.contains('.') && !is_legal_form(last) => {
            t.to_string()
        }
        _ => text.to_string(),
    }
}

/// "Godkänd för F-skatt" printed (and not negated).
pub fn f_skatt(cx: &Ctx) -> Option<Cand> {
    for hit in &cx.scan.labels {
        if !hit.has(Kind::FSkatt) {
            continue;
        }
        let v = Value::Bool(!negated_before(cx, hit.start));
        return Some(Cand::at(cx.layout, hit.start, hit.end, v, 1.0, 0.95));
    }
    // The caption glued to the next one by its full stop (`Godkänd för
    // F-skatt.Organisationsnr: 556321-6809`), so no caption matched it.
    let t = cx.layout.toks.iter().position(|t| {
        t.key.starts_with("fskatt") && t.text.split_once('.').is_some_and(|(a, _)| a.len() >= 7)
    })?;
    Some(Cand::at(cx.layout, t, t + 1, Value::Bool(!negated_before(cx, t)), 0.8, 0.9))
}

/// Whether a negation (`ej`, `inte`, `not`, `saknar`) precedes token `t` on
/// its line: "Innehar ej F-skatt".
fn negated_before(cx: &Ctx, t: usize) -> bool {
    let line = &cx.layout.lines[cx.layout.toks[t].line];
    (line.start..t)
        .any(|u| matches!(cx.layout.toks[u].key.as_str(), "ej" | "inte" | "not" | "saknar"))
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

#[cfg(test)]
mod tests {
    #[test]
    fn bare_domains() {
        let cases = [
            ("mynews.com", true),
            ("pcbway.com.my", true),
            ("kraxi.de,", true),
            ("str.", false),
            ("no.9", false),
            ("12.50", false),
            ("ab.se", false),
            ("kraxi.invalid", false),
        ];
        for (s, want) in cases {
            assert_eq!(super::bare_domain(s), want, "{s}");
        }
    }
}
