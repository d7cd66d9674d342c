//! Which language an invoice is written in, from its words.

use super::fold;

/// The languages whose labels the extractors know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    Sv,
    En,
    De,
    Fr,
}

/// Order of preference on a tie; Swedish invoices are the norm.
const ORDER: [Language; 4] = [Language::Sv, Language::En, Language::De, Language::Fr];

/// Invoice labels, folded: strong evidence (weight 2).
#[rustfmt::skip]
const LABELS: &[(Language, &[&str])] = &[
    (Language::Sv, &[
        "faktura", "fakturanummer", "fakturanr", "fakturadatum", "forfallodatum", "forfallodag",
        "moms", "momsreg", "momsregnr", "momsreg.nr", "momsregistreringsnummer", "momsbelopp",
        "org.nr", "orgnr", "org.nummer", "organisationsnummer", "bankgiro", "plusgiro",
        "betalningsvillkor", "summa", "belopp", "totalt", "exkl", "inkl", "referens", "kundnummer",
        "ordernummer", "leveransdatum", "drojsmalsranta", "f-skatt", "godkand", "kreditfaktura",
        "oresavrundning", "betalningsmottagare", "antal", "a-pris", "beskrivning", "mervardesskatt",
        "att", "betala", "sida",
    ]),
    (Language::En, &[
        "invoice", "total", "subtotal", "due", "amount", "balance", "payment", "tax", "vat",
        "description", "quantity", "qty", "price", "bill", "terms", "reference", "customer",
        "account", "number", "please", "remit", "paid", "page", "order", "date",
    ]),
    (Language::De, &[
        "rechnung", "rechnungsnummer", "rechnungsnr", "rechnungsdatum", "mwst", "ust", "ust-idnr",
        "ust-id", "umsatzsteuer", "mehrwertsteuer", "betrag", "gesamtbetrag", "gesamt", "summe",
        "zwischensumme", "nettobetrag", "bruttobetrag", "zahlbar", "fallig", "faelligkeit",
        "falligkeit", "zahlungsziel", "zahlungsbedingungen", "lieferdatum", "leistungsdatum",
        "kundennummer", "steuernummer", "bankverbindung", "menge", "einzelpreis", "bezeichnung",
        "zzgl", "uberweisen", "seite", "datum",
    ]),
    (Language::Fr, &[
        "facture", "tva", "montant", "echeance", "ht", "ttc", "numero", "quantite", "prix",
        "unitaire", "designation", "reglement", "siret", "siren", "sous-total", "paiement",
        "acompte", "escompte", "penalites", "payer", "client", "reference",
    ]),
];

/// Common small words (weight 1), chosen not to exist in the other three
/// languages (no `a`, `en`, `for`, `du`).
#[rustfmt::skip]
const SMALL_WORDS: &[(Language, &[&str])] = &[
    (Language::Sv, &[
        "och", "till", "av", "med", "pa", "ej", "var", "er", "st", "kr", "dagar",
    ]),
    (Language::En, &[
        "the", "of", "and", "to", "from", "by", "with", "this", "your", "days",
    ]),
    (Language::De, &[
        "und", "der", "die", "das", "mit", "bis", "von", "bitte", "ihre", "tage",
    ]),
    (Language::Fr, &[
        "le", "la", "les", "des", "et", "au", "pour", "par", "votre", "jours",
    ]),
];

fn weight(language: Language, word: &str) -> u32 {
    let hit = |table: &[(Language, &[&str])]| {
        table.iter().any(|(l, words)| *l == language && words.contains(&word))
    };
    if hit(LABELS) {
        2
    } else if hit(SMALL_WORDS) {
        1
    } else {
        0
    }
}

/// A word folded for lookup: lower-case, no accents, surrounding punctuation
/// removed, a French elision dropped (`d'échéance` → `echeance`).
fn normalise(word: &str) -> String {
    let folded = fold(word);
    let trimmed = folded.trim_matches(|c: char| !c.is_alphanumeric());
    let trimmed = match trimmed.split_once(['\'', '\u{2019}']) {
        Some(("l" | "d" | "j" | "n" | "s" | "c" | "qu", tail)) => tail,
        _ => trimmed,
    };
    trimmed.to_string()
}

/// Guesses the language of an invoice from its words by counting
/// characteristic labels (`faktura`, `moms`, `förfallodatum`, `org.nr` /
/// `invoice`, `total`, `due`, `amount` / `Rechnung`, `MwSt`, `Betrag`,
/// `Datum`, `USt` / `facture`, `TVA`, `montant`, `échéance` …, weight 2) and
/// common small words (`och`, `the`, `und`, `le` …, weight 1). Ties and an
/// empty count go to Swedish, then English, German, French.
pub fn detect_language<'a>(words: impl IntoIterator<Item = &'a str>) -> Language {
    let mut scores = [0u32; 4];
    for word in words {
        let w = normalise(word);
        if w.is_empty() {
            continue;
        }
        for (score, language) in scores.iter_mut().zip(ORDER) {
            *score += weight(language, &w);
        }
    }
    let mut best = 0;
    for i in 1..ORDER.len() {
        if scores[i] > scores[best] {
            best = i;
        }
    }
    ORDER[best]
}

#[cfg(test)]
mod tests {
    use super::*;
    use Language::{De, En, Fr, Sv};

    fn check(text: &str, expected: Language) -> Option<String> {
        let got = detect_language(text.split_whitespace());
        (got != expected)
            .then(|| format!("detect_language({text:?}) = {got:?}, expected {expected:?}"))
    }

    #[test]
    fn detect_language_table() {
        let cases: &[(&str, Language)] = &[
            ("Faktura Fakturanummer 1024 Fakturadatum 2026-11-22 Förfallodatum 2026-12-22", Sv),
            ("Att betala 1 250,00 kr Moms 25% 250,00 Org.nr 556036-0793", Sv),
            ("Bankgiro 5050-1055 OCR 1234566 Vår referens: Anna Er referens: Bo", Sv),
            ("Godkänd för F-skatt Momsreg.nr SE556036079301", Sv),
            ("Invoice Invoice number 1024 Invoice date Due date Amount due", En),
            ("Total amount due: $1,234.56 Please remit payment within 30 days", En),
            ("Bill to: ACME Ltd Description Qty Price Subtotal VAT 20% Total", En),
            ("Rechnung Rechnungsnummer 1024 Datum 22.11.2026 Betrag", De),
            ("Gesamtbetrag 1.234,56 € zzgl. 19% MwSt. USt-IdNr.: DE123456789", De),
            ("Zahlbar bis 22.12.2026 ohne Abzug, bitte überweisen Sie", De),
            ("Facture N° 1024 Date d'échéance : 22/12/2026", Fr),
            ("Montant HT 1 000,00 € TVA 20 % 200,00 € Total TTC 1 200,00 €", Fr),
            ("Désignation Quantité Prix unitaire Montant", Fr),
            ("", Sv),
            ("1 234,56 2026-11-22 5050-1055", Sv), // no words: the default
            ("Faktura / Invoice", Sv),             // tie: Swedish first
            ("Total", En),
            ("FAKTURA MOMS ATT BETALA", Sv),
            ("RECHNUNG", De),
            ("FACTURE", Fr),
        ];
        let failures: Vec<String> =
            cases.iter().filter_map(|&(text, expected)| check(text, expected)).collect();
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn normalise_table() {
        let cases: &[(&str, &str)] = &[
            ("Förfallodatum:", "forfallodatum"),
            ("Org.nr", "org.nr"),
            ("(MwSt.)", "mwst"),
            ("d'échéance", "echeance"),
            ("l’échéance", "echeance"),
            ("USt-IdNr.:", "ust-idnr"),
            ("1 234", "1 234"),
            ("---", ""),
        ];
        for &(word, expected) in cases {
            assert_eq!(normalise(word), expected, "normalise({word:?})");
        }
    }
}
