//! Parsers for the values printed on invoices, tolerant of the many ways
//! Swedish, English, German and French invoices write them.
//!
//! - Amounts: [`parse_amount`] (`1 234,56`, `1.234,56`, `1,234.56`,
//!   `SEK 1 234,56`, `−12,00`, `12,00-`, `(12,00)`, `1'234.56`) and
//!   [`parse_amount_with`] for a known decimal separator; [`parse_percent`].
//! - Currencies: [`normalize_currency`] (`kr`, `:-`, `€`, `$`, `£` …).
//! - Dates: [`parse_date`] (ISO, numeric day-first or month-first, month
//!   names in sv/en/de/fr), [`date_order_for`], [`looks_like_date`].
//! - Language: [`detect_language`] from the words of a page.

mod amount;
mod currency;
mod date;
mod language;
mod months;

pub use amount::{format_amount_sv, parse_amount, parse_amount_with, parse_percent};
pub use currency::{country_currency, glued_currency, normalize_currency};
pub use date::{DateOrder, date_order_for, looks_like_date, parse_date};
pub use language::{Language, detect_language};

/// Whether a folded word names a month in one of the ten languages
/// (`maart`, `marzo`, `joulukuuta`, `okt`).
pub fn is_month_name(word: &str) -> bool {
    months::month_number(word).is_some()
}

/// Space characters that separate thousands or surround values: any Unicode
/// white space (NBSP U+00A0, figure space U+2007, thin space U+2009, narrow
/// NBSP U+202F included) and zero-width spaces.
fn is_space(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{200B}' | '\u{FEFF}')
}

/// Lower-cases and removes diacritics (`März` → `marz`, `décembre` →
/// `decembre`, `förfallodatum` → `forfallodatum`), for matching words
/// against tables; also drops combining marks left by decomposed text.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().flat_map(char::to_lowercase) {
        match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' => out.push('a'),
            'ç' | 'č' => out.push('c'),
            'è' | 'é' | 'ê' | 'ë' | 'ē' => out.push('e'),
            'ì' | 'í' | 'î' | 'ï' => out.push('i'),
            'ñ' => out.push('n'),
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' => out.push('o'),
            'ù' | 'ú' | 'û' | 'ü' => out.push('u'),
            'ý' | 'ÿ' => out.push('y'),
            'ß' => out.push_str("ss"),
            'æ' => out.push_str("ae"),
            'œ' => out.push_str("oe"),
            '\u{0300}'..='\u{036F}' => {}
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_table() {
        let cases: &[(&str, &str)] = &[
            ("März", "marz"),
            ("DÉCEMBRE", "decembre"),
            ("août", "aout"),
            ("Förfallodatum", "forfallodatum"),
            ("Straße", "strasse"),
            ("e\u{301}che\u{301}ance", "echeance"), // decomposed
            ("févr.", "fevr."),
            ("plain", "plain"),
        ];
        for &(input, expected) in cases {
            assert_eq!(fold(input), expected, "fold({input:?})");
        }
    }

    #[test]
    fn is_space_table() {
        let cases: &[(char, bool)] = &[
            (' ', true),
            ('\u{a0}', true),
            ('\u{2009}', true),
            ('\u{202f}', true),
            ('\u{2007}', true),
            ('\u{200b}', true),
            ('\t', true),
            ('.', false),
            ('\'', false),
        ];
        for &(c, expected) in cases {
            assert_eq!(is_space(c), expected, "is_space({c:?})");
        }
    }

    /// Hostile inputs: every parser answers without panicking.
    #[test]
    fn garbage_table() {
        let cases: &[&str] = &[
            "",
            " ",
            "-",
            "−",
            "+",
            "€",
            "€€",
            "ä",
            "()",
            "(",
            ")",
            ":-",
            ",-",
            "%",
            "1%",
            ".",
            ",",
            "\u{200b}",
            "١٢٣",
            "𝟙𝟚𝟛",
            "999 999 999 999 999 999,999999",
            "9999999999999999999999999999",
            "2026-",
            "2026--",
            "--",
            "//",
            "1er",
            "nov",
            "22 nov",
            "0.0.0",
            "00000000",
            "99999999",
            "1:a",
            "(kr)",
            "kr kr",
            "ß",
            "ǅ",
            "İstanbul",
            "12'",
            "'12",
        ];
        for &input in cases {
            let _ =
                (parse_amount(input), parse_amount_with(input, Some(',')), parse_percent(input));
            let _ = (normalize_currency(input), looks_like_date(input));
            let _ =
                (parse_date(input, DateOrder::DayFirst), parse_date(input, DateOrder::MonthFirst));
            let _ = date_order_for(Language::En, &[input]);
            let _ = detect_language([input]);
        }
    }
}
