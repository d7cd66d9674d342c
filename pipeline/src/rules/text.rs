//! Small text helpers: folding for label matching, token shapes, legal forms.

pub use invex_domain::parse::fold;

/// The matching key of one printed word: folded, letters and digits only,
/// with the "number" abbreviations (`nr`, `no.`, `n°`, `#`, `nummer`,
/// `number`, `numéro`) all written `nr`, so that `Invoice No.`, `Invoice #`
/// and `Invoice number` share the key `invoicenr`.
pub fn word_key(s: &str) -> String {
    // "NºFactura", "N°facture": the number sign glued to its noun.
    for sign in ["Nº", "N°", "nº", "n°"] {
        if let Some(rest) = s.strip_prefix(sign)
            && rest.chars().next().is_some_and(char::is_alphabetic)
        {
            return format!("nr{}", word_key(rest));
        }
    }
    let folded = fold(s);
    let mut out = String::with_capacity(folded.len());
    for c in folded.chars() {
        if c == '#' || c == '№' {
            out.push_str("nr");
        } else if c.is_alphanumeric() && c != 'º' && c != 'ª' {
            out.push(c);
        }
    }
    match out.as_str() {
        "no" | "n" | "nr" | "nummer" | "number" | "numero" | "num" | "nro" => "nr".to_string(),
        _ => out,
    }
}

/// The key of a whole label phrase: the keys of its words, concatenated.
pub fn phrase_key(s: &str) -> String {
    s.split_whitespace().map(word_key).collect()
}

/// Whether the text has at least one ASCII digit.
pub fn has_digit(s: &str) -> bool {
    s.bytes().any(|b| b.is_ascii_digit())
}

/// Counts of (letters, digits) in `s`.
pub fn letters_digits(s: &str) -> (usize, usize) {
    let mut l = 0;
    let mut d = 0;
    for c in s.chars() {
        if c.is_alphabetic() {
            l += 1;
        } else if c.is_ascii_digit() {
            d += 1;
        }
    }
    (l, d)
}

/// Trims punctuation that clings to a value from the text around it.
pub fn trim_value(s: &str) -> &str {
    s.trim_matches(|c: char| {
        c.is_whitespace() || matches!(c, ':' | ';' | ',' | '(' | ')' | '[' | ']' | '"' | '\'' | '*')
    })
}

/// Legal-form words that mark a company name (folded, letters only).
const LEGAL_FORMS: &[&str] = &[
    "ab",
    "aktiebolag",
    "aktiebolaget",
    "brf",
    "bostadsrattsforening",
    "bostadsrattsforeningen",
    "handelsbolaget",
    "kommanditbolaget",
    "hb",
    "kb",
    "handelsbolag",
    "kommanditbolag",
    "ek",
    "ekonomisk",
    "forening",
    "gmbh",
    "ag",
    "kg",
    "ohg",
    "ug",
    "ev",
    "gbr",
    "mbh",
    "ltd",
    "limited",
    "inc",
    "incorporated",
    "llc",
    "plc",
    "llp",
    "corp",
    "corporation",
    "co",
    "company",
    "sa",
    "sas",
    "sarl",
    "sasu",
    "eurl",
    "bv",
    "nv",
    "oy",
    "oyj",
    "as",
    "asa",
    "aps",
    "a/s",
    "spa",
    "srl",
    "sl",
    "se",
    "sdn",
    "bhd",
    "berhad",
    "pvt",
    "pty",
    "vof",
    "bvba",
    "srls",
    "snc",
    "sas",
    "ky",
    "ivs",
    "slu",
    "entrepreneur",
    "eirl",
    // Cooperatives and other Spanish, Italian, French and German forms:
    // S.Coop., S.Coop.P., S.C.L., S.L.L., S.L.N.E., S.A.U., C.B., S.c.a r.l.,
    // SCOP, KGaA, gGmbH.
    "scoop",
    "scoopp",
    "scoopand",
    "scl",
    "sccl",
    "sll",
    "slne",
    "sau",
    "cb",
    "scarl",
    "scrl",
    "scop",
    "kgaa",
    "ggmbh",
    // Malaysia's short "SB" for Sdn. Bhd.
    "sb",
];

/// Whether a folded word is a company legal form (`AB`, `GmbH`, `Ltd` …).
pub fn is_legal_form(word: &str) -> bool {
    // A registration number glued on in brackets: "SB(306295-X)".
    let word = match word.split_once('(') {
        Some((form, _)) if !form.is_empty() => form,
        _ => word,
    };
    let k: String = fold(word).chars().filter(|c| c.is_alphanumeric() || *c == '/').collect();
    LEGAL_FORMS.contains(&k.as_str())
}

/// A legal form as printed after a name: capitalised or abbreviated
/// ("AS", "As", "s.r.o."), not the common word it spells in a sentence
/// ("… not included in the estimate as").
pub fn printed_legal_form(word: &str) -> bool {
    is_legal_form(word) && (word.chars().any(char::is_uppercase) || word.contains('.'))
}

/// Whether a word looks like a postcode: `123 45` is two words, so this
/// checks the five-digit (`12345`), three-digit (`123`) and Swedish
/// `SE-123` forms, and the four/five-digit forms of other countries.
pub fn is_postcode_part(word: &str) -> bool {
    let w = word.trim_start_matches("SE-").trim_start_matches("S-").trim_start_matches("D-");
    let w = w.trim_start_matches("F-");
    (3..=5).contains(&w.len()) && w.bytes().all(|b| b.is_ascii_digit())
}

/// US state and territory codes, as printed before a ZIP code.
#[rustfmt::skip]
const US_STATES: &[&str] = &[
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA",
    "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM",
    "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA",
    "WV", "WI", "WY", "PR",
];

/// Whether two words are a US state code and a ZIP code (`NC 27253`,
/// `TX 78701-1234`): the end of a US postal address.
pub fn us_state_zip(state: &str, zip: &str) -> bool {
    let zip = zip.trim_end_matches([',', '.']);
    let (five, plus4) = zip.split_once('-').unwrap_or((zip, ""));
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    digits(five, 5)
        && (plus4.is_empty() || digits(plus4, 4))
        && US_STATES.contains(&state.trim_end_matches([',', '.']))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected: &str) {
        assert_eq!(phrase_key(input), expected, "phrase_key({input:?})");
    }

    #[test]
    fn keys_table() {
        check("Invoice No.", "invoicenr");
        check("Invoice #", "invoicenr");
        check("Invoice number:", "invoicenr");
        check("N° de facture", "nrdefacture");
        check("Facture N°", "facturenr");
        check("NºFactura:", "nrfactura");
        check("Fakturanr.", "fakturanr");
        check("Förfallodatum:", "forfallodatum");
        check("USt-IdNr.", "ustidnr");
        check("Org.nr", "orgnr");
        check("Date d'échéance", "datedecheance");
        check("Nº", "nr");
        check("Summa att betala", "summaattbetala");
    }

    #[test]
    fn legal_forms() {
        for (w, e) in [
            ("AB", true),
            ("GmbH", true),
            ("Ltd.", true),
            ("Kraxi", false),
            ("A/S", true),
            ("S.COOP.P", true),
            ("SB(306295-X)", true),
            ("(306295-X)", false),
        ] {
            assert_eq!(is_legal_form(w), e, "{w}");
        }
    }
}
