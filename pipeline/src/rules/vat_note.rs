//! What an invoice says about its VAT beside the amounts (reverse charge,
//! intra-community supply, exemption), and which invoice a credit note
//! credits.
//!
//! Both are read from fixed phrases in the ten supported languages, matched
//! word by word on folded text (case and accents ignored), so a phrase may
//! wrap onto the next line. The phrases are the standard wording that the
//! VAT directive (2006/112/EC, Article 226 (11) and (11a): an invoice must
//! say "Reverse charge", or cite the exemption) and the national laws make
//! invoices print, in the language versions the EU publishes: "Omvänd
//! skattskyldighet", "Steuerschuldnerschaft des Leistungsempfängers",
//! "Autoliquidation", "Btw verlegd", "Inversión del sujeto pasivo",
//! "Inversione contabile", "Omvendt betalingspligt", "Käännetty
//! verovelvollisuus"; plus the articles themselves (196, 138, 132, § 13b
//! UStG, art. 283-2 CGI).

use std::sync::LazyLock;

use invex_domain::tax::{VatNote, VatStatement};
use invex_domain::{Field, Source, Value};

use super::Ctx;
use super::confidence::Cand;
use super::text::{fold, has_digit, trim_value, word_key};

/// Phrases by note, most specific first: an intra-community supply is often
/// printed "steuerfreie innergemeinschaftliche Lieferung", which also says
/// "steuerfrei".
const NOTES: [(VatNote, &[&str]); 3] = [
    (
        VatNote::IntraCommunityGoods,
        &[
            "intra-community supply",
            "intra community supply",
            "intra-community delivery",
            "intra-community supply of goods",
            "article 138",
            "art. 138",
            "innergemeinschaftliche lieferung",
            "steuerfreie innergemeinschaftliche",
            "livraison intracommunautaire",
            "262 ter",
            "intracommunautaire levering",
            "gemenskapsintern leverans",
            "gemenskapsintern varuleverans",
            "unionsintern leverans",
            "entrega intracomunitaria",
            "cessione intracomunitaria",
            "ei momsia eu",
            "yhteisomyynti",
        ],
    ),
    (
        VatNote::ReverseCharge,
        &[
            "omvänd skattskyldighet",
            "omvänd betalningsskyldighet",
            "omvänd moms",
            "reverse charge",
            "reverse-charge",
            "reverse charged",
            "article 196",
            "art. 196",
            "art 196",
            "steuerschuldnerschaft des leistungsempfängers",
            "steuerschuld des leistungsempfängers",
            "umkehr der steuerschuld",
            "13b ustg",
            "autoliquidation",
            "auto-liquidation",
            "283-2",
            "btw verlegd",
            "verleggingsregeling",
            "omgekeerde heffing",
            "omvendt betalingspligt",
            "omvendt avgiftsplikt",
            "käännetty verovelvollisuus",
            "käännetty arvonlisäverovelvollisuus",
            "inversión del sujeto pasivo",
            "inversion del sujeto pasivo",
            "inversione contabile",
        ],
    ),
    (
        VatNote::Exempt,
        &[
            "undantagen från skatteplikt",
            "undantaget från skatteplikt",
            "momsfri försäljning",
            "vat exempt",
            "exempt from vat",
            "article 132",
            "art. 132",
            "steuerfrei nach § 4",
            "steuerbefreit nach",
            "§ 19 ustg",
            "exonéré de tva",
            "exonération de tva",
            "tva non applicable",
            "vrijgesteld van btw",
            "btw vrijgesteld",
            "fritaget for moms",
            "momsfritaget",
            "fritatt for merverdiavgift",
            "unntatt fra merverdiavgift",
            "arvonlisäverosta vapautettu",
            "exento de iva",
            "exenta de iva",
            "esente iva",
            "esente da iva",
            "esenzione iva",
        ],
    ),
];

/// Phrases a credit note puts before the number of the invoice it credits.
const CREDITS: &[&str] = &[
    "kreditering av faktura",
    "krediterar faktura",
    "kredit avser faktura",
    "avser faktura",
    "ursprunglig faktura",
    "credit note for invoice",
    "credit note to invoice",
    "credit for invoice",
    "credited invoice",
    "original invoice",
    "refers to invoice",
    "relating to invoice",
    "cancellation of invoice",
    "gutschrift zu rechnung",
    "gutschrift zur rechnung",
    "gutschrift für rechnung",
    "storno zu rechnung",
    "storno zur rechnung",
    "korrektur zu rechnung",
    "korrektur zur rechnung",
    "ursprüngliche rechnung",
    "bezug auf rechnung",
    "avoir sur facture",
    "avoir sur la facture",
    "avoir relatif à la facture",
    "facture d'origine",
    "facture initiale",
    "annule la facture",
    "creditnota voor factuur",
    "creditnota bij factuur",
    "creditering van factuur",
    "oorspronkelijke factuur",
    "kreditnota til faktura",
    "kreditnota for faktura",
    "kreditnota vedr. faktura",
    "hyvitys laskuun",
    "hyvityslasku laskulle",
    "alkuperäinen lasku",
    "factura rectificada",
    "rectifica la factura",
    "factura original",
    "nota di credito relativa alla fattura",
    "storno fattura",
    "fattura originale",
];

/// A phrase's words as the tokens' matching keys.
fn keys(phrase: &str) -> Vec<String> {
    phrase.split_whitespace().map(fold_word).filter(|k| !k.is_empty()).collect()
}

/// [`NOTES`] and [`CREDITS`] as matching keys, compiled once per process
/// (like the caption dictionaries).
static NOTE_KEYS: LazyLock<Vec<(VatNote, Vec<Vec<String>>)>> = LazyLock::new(|| {
    NOTES.iter().map(|(note, phrases)| (*note, phrases.iter().map(|p| keys(p)).collect())).collect()
});
static CREDIT_KEYS: LazyLock<Vec<Vec<String>>> =
    LazyLock::new(|| CREDITS.iter().map(|p| keys(p)).collect());

/// The document's tokens folded as phrases are: what both searches match.
pub struct Words(Vec<String>);

impl Words {
    pub fn of(cx: &Ctx) -> Words {
        Words(cx.layout.toks.iter().map(|t| fold_word(&t.text)).collect())
    }
}

/// A printed word folded, with clinging punctuation dropped (`Rechnung:`).
fn fold_word(word: &str) -> String {
    let folded = fold(word);
    let trimmed =
        folded.trim_matches(|c: char| matches!(c, ':' | ';' | ',' | '(' | ')' | '"' | '*' | '.'));
    trimmed.to_string()
}

/// Token ranges `start..end` where `phrase` is printed.
fn find(cx: &Ctx, words: &[String], phrase: &[String]) -> Vec<(usize, usize)> {
    let n = phrase.len();
    if n == 0 {
        return Vec::new();
    }
    (0..words.len().saturating_sub(n - 1))
        .filter(|&i| words[i..i + n] == *phrase)
        // A phrase wraps onto at most the next line, right below.
        .filter(|&i| {
            let (first, last) = (&cx.layout.toks[i], &cx.layout.toks[i + n - 1]);
            let height = first.bbox.y1 - first.bbox.y0;
            last.line <= first.line + 1
                && last.page == first.page
                && last.bbox.y0 - first.bbox.y1 <= height
        })
        .map(|i| (i, i + n))
        .collect()
}

/// Words that deny a statement right after it ("Reverse charge: No", a
/// form's answer) or right before it ("not subject to reverse charge").
const ANSWERED_NO: [&str; 8] = ["no", "nej", "nein", "non", "nee", "ei", "nei", "n"];
const DENIED_BY: [&str; 9] = ["not", "no", "nicht", "kein", "keine", "ej", "inte", "ikke", "non"];

/// Whether the phrase at `start..end` is denied on its own line.
fn denied(cx: &Ctx, words: &[String], start: usize, end: usize) -> bool {
    let toks = &cx.layout.toks;
    let same_line = |t: usize, of: usize| toks.get(t).is_some_and(|x| x.line == toks[of].line);
    let after = (end..end + 2).filter(|&t| same_line(t, end - 1)).find(|&t| !words[t].is_empty());
    let before = (start.saturating_sub(3)..start).filter(|&t| same_line(t, start));
    after.is_some_and(|t| ANSWERED_NO.contains(&words[t].as_str()))
        || before.into_iter().any(|t| DENIED_BY.contains(&words[t].as_str()))
}

/// The first VAT statement printed and not denied, most specific note first.
pub fn statement(cx: &Ctx, words: &Words) -> Option<VatStatement> {
    let words = &words.0;
    for (note, phrases) in NOTE_KEYS.iter() {
        let note = *note;
        for phrase in phrases {
            let found = find(cx, words, phrase);
            if let Some(&(start, end)) = found.iter().find(|(s, e)| !denied(cx, words, *s, *e)) {
                let text = cx.layout.text(start, end);
                let text = trim_value(&text).trim_end_matches('.').to_string();
                let cand = Cand::at(cx.layout, start, end, Value::Text(text.clone()), 1.0, 0.9);
                return Some(from_field(note, text, cand.into_field(cx.layout, Source::Rules)));
            }
        }
    }
    None
}

/// A reverse charge stated by the buyer's VAT number alone: a supplier in
/// another EU country that charges no VAT prints it because an
/// intra-community supply needs it. Less sure than words.
pub fn by_buyer_vat(cx: &Ctx, buyer_vat: Cand) -> VatStatement {
    let text = buyer_vat.value.to_string();
    let mut field = buyer_vat.into_field(cx.layout, Source::Rules);
    field.confidence = 0.6;
    from_field(VatNote::ReverseCharge, format!("buyer's VAT number {text}"), field)
}

fn from_field(note: VatNote, text: String, f: Field) -> VatStatement {
    VatStatement {
        note,
        text,
        confidence: f.confidence,
        page: f.page,
        bbox: f.bbox,
        source: f.source,
    }
}

/// The number of the invoice a credit note credits, printed after one of
/// [`CREDITS`] (and a `Nr`, `No.` or `#`), on the same line or the next.
pub fn credited_invoice(cx: &Ctx, words: &Words, own_number: Option<&str>) -> Option<Cand> {
    for phrase in CREDIT_KEYS.iter() {
        for (_, end) in find(cx, &words.0, phrase) {
            let line = cx.layout.toks[end - 1].line;
            let mut t = end;
            // Skip a number caption or a colon: `Nr`, `No.`, `n°`, `#`, `:`.
            while t < cx.layout.toks.len() && t < end + 2 {
                let key = word_key(&cx.layout.toks[t].text);
                if key == "nr" || key.is_empty() {
                    t += 1;
                } else {
                    break;
                }
            }
            let Some(tok) = cx.layout.toks.get(t) else { continue };
            let value = trim_value(&tok.text);
            let own = own_number.is_some_and(|n| n.trim() == value);
            let shape = has_digit(value) && value.chars().count() <= 30;
            if tok.line > line + 1 || !shape || own || is_date_like(value) {
                continue;
            }
            return Some(Cand::at(cx.layout, t, t + 1, Value::Text(value.to_string()), 1.0, 0.85));
        }
    }
    None
}

/// `2026-03-01`, `01.03.2026`: a date, not an invoice number.
fn is_date_like(s: &str) -> bool {
    let digits = s.chars().filter(char::is_ascii_digit).count();
    let seps = s.chars().filter(|c| matches!(c, '-' | '.')).count();
    seps == 2
        && (6..=8).contains(&digits)
        && s.chars().all(|c| c.is_ascii_digit() || c == '-' || c == '.')
}

#[cfg(test)]
mod tests {
    use invex_domain::tax::VatNote;
    use invex_domain::{Extractor, Invoice};

    use super::super::RulesExtractor;
    use super::super::layout::tests::doc;

    /// Words laid out as lines: each line's words 6 pt per character apart.
    fn page(lines: &[&str]) -> Invoice {
        let mut words = Vec::new();
        for (i, line) in lines.iter().enumerate() {
            let mut x = 50.0;
            for word in line.split_whitespace() {
                words.push((word, x, 60.0 + 16.0 * i as f32));
                x += 6.0 * (word.chars().count() as f32 + 1.0);
            }
        }
        RulesExtractor::new().extract(&doc(&words))
    }

    #[test]
    fn statements_in_ten_languages_and_none_invented() {
        use VatNote::*;
        // (lines, the note read, its words)
        type Case<'a> = (&'a [&'a str], Option<(VatNote, &'a str)>);
        let cases: &[Case] = &[
            (
                &["FAKTURA 1001", "Omvänd skattskyldighet för byggtjänster gäller"],
                Some((ReverseCharge, "Omvänd skattskyldighet")),
            ),
            // Wrapped onto the next line.
            (
                &["RECHNUNG 17", "Steuerschuldnerschaft des", "Leistungsempfängers (§ 13b UStG)"],
                Some((ReverseCharge, "Steuerschuldnerschaft des Leistungsempfängers")),
            ),
            // The intra-community supply wins over the exemption it also states.
            (
                &["Steuerfreie innergemeinschaftliche Lieferung"],
                Some((IntraCommunityGoods, "innergemeinschaftliche Lieferung")),
            ),
            (
                &["Invoice 4", "VAT: Reverse charge, Article 196"],
                Some((ReverseCharge, "Reverse charge")),
            ),
            (&["Facture 9", "Autoliquidation"], Some((ReverseCharge, "Autoliquidation"))),
            (&["Factuur 2", "BTW verlegd"], Some((ReverseCharge, "BTW verlegd"))),
            (
                &["Lasku 5", "Käännetty verovelvollisuus"],
                Some((ReverseCharge, "Käännetty verovelvollisuus")),
            ),
            (
                &["Faktura 5", "Omvendt betalingspligt"],
                Some((ReverseCharge, "Omvendt betalingspligt")),
            ),
            (&["Fattura 8", "Inversione contabile"], Some((ReverseCharge, "Inversione contabile"))),
            (
                &["Factura 3", "Inversión del sujeto pasivo"],
                Some((ReverseCharge, "Inversión del sujeto pasivo")),
            ),
            (&["Facture 12", "Exonéré de TVA, article 261"], Some((Exempt, "Exonéré de TVA"))),
            (&["Fattura 13", "Operazione esente IVA art. 10"], Some((Exempt, "esente IVA"))),
            // Nothing said; the words far apart say nothing either.
            (&["FAKTURA 1002", "Moms 25 % 250,00"], None),
            // Denied: a form's answer, or a negation before the phrase.
            (&["Tax Invoice 7", "Whether tax is payable under reverse charge: No"], None),
            (&["Invoice 8", "Not subject to reverse charge"], None),
            (&["Invoice 9", "Reverse charge: Yes"], Some((ReverseCharge, "Reverse charge"))),
            (&["reverse", "", "", "charge"], None),
        ];
        for (lines, want) in cases {
            let got = page(lines).vat_statement.map(|s| (s.note, s.text, s.page, s.bbox.is_some()));
            let want = want.map(|(note, text)| (note, text.to_string(), Some(1), true));
            assert_eq!(got, want, "{lines:?}");
        }
    }

    #[test]
    fn a_credit_note_names_the_invoice_it_credits() {
        // (lines, the credited invoice read)
        let cases: &[(&[&str], Option<&str>)] = &[
            (&["KREDITFAKTURA 2001", "Kreditering av faktura 10234"], Some("10234")),
            (&["GUTSCHRIFT 88", "Gutschrift zur Rechnung Nr. RE-2026-17"], Some("RE-2026-17")),
            (&["AVOIR A-9", "Avoir sur facture n° F2026-044"], Some("F2026-044")),
            (&["CREDIT NOTE CN-3", "Credit note for invoice:", "INV-77"], Some("INV-77")),
            // Not a credit note: its words name no credited invoice.
            (&["FAKTURA 3001", "avser faktura 2999"], None),
            // A date or the document's own number is no credited invoice.
            (&["KREDITFAKTURA 2002", "Kreditering av faktura 2026-03-01"], None),
        ];
        for (lines, want) in cases {
            let inv = page(lines);
            let got = inv.credited_invoice.as_ref().map(|f| f.value.to_string());
            assert_eq!(got.as_deref(), *want, "{lines:?}");
            if let Some(f) = &inv.credited_invoice {
                assert!(f.bbox.is_some() && f.page == Some(1), "{lines:?}");
            }
        }
    }
}
