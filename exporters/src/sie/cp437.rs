//! CP437 ("PC8"), the character set of SIE files: encoding with a fallback
//! for characters it lacks, and decoding.

use codepage_437::CP437_CONTROL;

/// Encodes `text` in CP437. A character CP437 lacks becomes its ASCII
/// neighbour (dashes, typographic quotes, NBSP; `€` as `EUR`) or `?`.
pub fn encode(text: &str) -> Vec<u8> {
    text.replace('€', "EUR")
        .chars()
        .map(|c| {
            CP437_CONTROL.encode(c).unwrap_or(match c {
                '\u{2010}'..='\u{2015}' | '\u{2212}' => b'-',
                '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{2032}' => b'\'',
                '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{2033}' => b'"',
                '\u{2009}' | '\u{202F}' | '\u{200B}' => b' ',
                _ => b'?',
            })
        })
        .collect()
}

/// Decodes CP437 bytes.
pub fn decode(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| CP437_CONTROL.decode(b)).collect()
}
