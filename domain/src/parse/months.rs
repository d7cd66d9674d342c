//! Month and weekday names in Swedish, English, German, French, Dutch,
//! Danish, Norwegian, Finnish, Spanish and Italian, folded (lower-case, no
//! diacritics, no abbreviation dot).

/// Full names and usual abbreviations per month number.
#[rustfmt::skip]
const MONTHS: &[(u32, &[&str])] = &[
    (1, &["januari", "january", "januar", "janner", "janvier", "jan", "janv", "tammikuu", "tammikuuta", "enero", "ene", "gennaio", "gen"]),
    (2, &["februari", "february", "februar", "fevrier", "feb", "febr", "fevr", "fev", "helmikuu", "helmikuuta", "febrero", "febbraio"]),
    (3, &["mars", "march", "marz", "maerz", "mar", "mrz", "maart", "mrt", "marts", "maaliskuu", "maaliskuuta", "marzo"]),
    (4, &["april", "avril", "apr", "avr", "huhtikuu", "huhtikuuta", "abril", "abr", "aprile"]),
    (5, &["maj", "may", "mai", "mei", "toukokuu", "toukokuuta", "mayo", "maggio", "mag"]),
    (6, &["juni", "june", "juin", "jun", "kesakuu", "kesakuuta", "junio", "giugno", "giu"]),
    (7, &["juli", "july", "juillet", "jul", "juil", "heinakuu", "heinakuuta", "julio", "luglio", "lug"]),
    (8, &["augusti", "august", "aout", "aug", "augustus", "elokuu", "elokuuta", "agosto", "ago"]),
    (9, &["september", "septembre", "sep", "sept", "syyskuu", "syyskuuta", "septiembre", "setiembre", "settembre", "set"]),
    (10, &["oktober", "october", "octobre", "okt", "oct", "lokakuu", "lokakuuta", "octubre", "ottobre", "ott"]),
    (11, &["november", "novembre", "nov", "marraskuu", "marraskuuta", "noviembre"]),
    (12, &["december", "dezember", "decembre", "dec", "dez", "desember", "joulukuu", "joulukuuta", "diciembre", "dicembre", "dic"]),
];

/// Words that may surround a date without changing it: weekdays and small
/// words such as `den 22 november`, `the 22nd of November`, `am 22. März`,
/// `le 1er décembre`.
#[rustfmt::skip]
const FILLERS: &[&str] = &[
    "den", "the", "of", "am", "le", "der", "de", "del",
    // weekdays: sv, en (also abbreviated), de, fr
    "mandag", "tisdag", "onsdag", "torsdag", "fredag", "lordag", "sondag",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun",
    "montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonntag",
    "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
];

/// Ordinal suffixes after a day number: `22nd`, `1er`, `1:a`, `22:e`.
const ORDINALS: &[&str] = &["st", "nd", "rd", "th", "er", "re", "e", "eme", ":a", ":e"];

/// The month number for a folded month name or abbreviation.
pub(super) fn month_number(word: &str) -> Option<u32> {
    MONTHS.iter().find(|(_, names)| names.contains(&word)).map(|&(n, _)| n)
}

pub(super) fn is_filler(word: &str) -> bool {
    FILLERS.contains(&word)
}

/// Splits an ordinal suffix off a day number: `22nd` → (`22`, true).
pub(super) fn strip_ordinal(word: &str) -> (&str, bool) {
    let split = word.find(|c: char| !c.is_ascii_digit()).unwrap_or(word.len());
    let (digits, suffix) = word.split_at(split);
    if !digits.is_empty() && !suffix.is_empty() && ORDINALS.contains(&suffix) {
        (digits, true)
    } else {
        (word, false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_number_table() {
        let cases: &[(&str, Option<u32>)] = &[
            ("januari", Some(1)),
            ("janner", Some(1)),
            ("fevr", Some(2)),
            ("mars", Some(3)),
            ("marz", Some(3)),
            ("maj", Some(5)),
            ("mai", Some(5)),
            ("may", Some(5)),
            ("juin", Some(6)),
            ("juillet", Some(7)),
            ("augusti", Some(8)),
            ("aout", Some(8)),
            ("sept", Some(9)),
            ("okt", Some(10)),
            ("dez", Some(12)),
            ("decembre", Some(12)),
            ("Nov", None), // callers fold first
            ("novemb", None),
            ("", None),
        ];
        for &(word, expected) in cases {
            assert_eq!(month_number(word), expected, "month_number({word:?})");
        }
        // every name is unique across months
        let mut all: Vec<&str> = MONTHS.iter().flat_map(|(_, n)| n.iter().copied()).collect();
        let len = all.len();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), len, "a month name appears twice");
        assert!(all.iter().all(|n| month_number(n).is_some() && !is_filler(n)));
    }

    #[test]
    fn strip_ordinal_table() {
        let cases: &[(&str, (&str, bool))] = &[
            ("22nd", ("22", true)),
            ("1st", ("1", true)),
            ("3rd", ("3", true)),
            ("4th", ("4", true)),
            ("1er", ("1", true)),
            ("1:a", ("1", true)),
            ("22:e", ("22", true)),
            ("22", ("22", false)),
            ("22x", ("22x", false)),
            ("nd", ("nd", false)),
        ];
        for &(word, expected) in cases {
            assert_eq!(strip_ordinal(word), expected, "strip_ordinal({word:?})");
        }
    }
}
