//! The Python text semantics `score.py` depends on: `str(v)`, `float(s)`,
//! `round(x, n)`, `str.strip()` and the `re` classes `\w`, `\s`, `\d`.

use super::pyjson::Py;
use super::unicode_tables::{DECIMAL, NOT_PRINTABLE, SPACE, WORD};

fn in_table(table: &[(u32, u32)], c: char) -> bool {
    let c = c as u32;
    table
        .binary_search_by(|&(lo, hi)| {
            if hi < c {
                std::cmp::Ordering::Less
            } else if lo > c {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

/// `re` `\w`: `c.isalnum() or c == "_"`.
pub fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || (!c.is_ascii() && in_table(WORD, c))
}

/// `c.isspace()`, also `re` `\s`.
pub fn is_space(c: char) -> bool {
    in_table(SPACE, c)
}

/// The value of a decimal digit of any script (`re` `\d`), as `int()` and
/// `float()` read it.
pub fn decimal_value(c: char) -> Option<u32> {
    let c = c as u32;
    let i = DECIMAL.partition_point(|&(_, hi)| hi < c);
    DECIMAL.get(i).filter(|&&(lo, _)| lo <= c).map(|&(lo, _)| (c - lo) % 10)
}

/// `s.strip()`.
pub fn strip(s: &str) -> &str {
    s.trim_matches(is_space)
}

/// `str(v)`.
pub fn to_str(v: &Py) -> String {
    match v {
        Py::Str(s) => s.clone(),
        other => {
            let mut out = String::new();
            repr(other, &mut out);
            out
        }
    }
}

/// `repr(v)`; dicts and lists nest as Python prints them.
fn repr(v: &Py, out: &mut String) {
    match v {
        Py::None => out.push_str("None"),
        Py::Bool(true) => out.push_str("True"),
        Py::Bool(false) => out.push_str("False"),
        Py::Int(s) => out.push_str(s),
        Py::Float(f) => out.push_str(&float_repr(*f)),
        Py::Str(s) => repr_str(s, out),
        Py::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                repr(item, out);
            }
            out.push(']');
        }
        Py::Dict(d) => {
            out.push('{');
            for (i, (k, item)) in d.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                repr_str(k, out);
                out.push_str(": ");
                repr(item, out);
            }
            out.push('}');
        }
    }
}

fn repr_str(s: &str, out: &mut String) {
    let quote = if s.contains('\'') && !s.contains('"') { '"' } else { '\'' };
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c if c.is_ascii() || !in_table(NOT_PRINTABLE, c) => out.push(c),
            c if (c as u32) <= 0xff => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if (c as u32) <= 0xffff => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push(quote);
}

/// `repr(x)` of a float: the shortest digits that read back as `x`, in
/// positional notation for exponents from -5 to 15 (`0.0001`, `110.0`),
/// otherwise scientific (`1e-05`, `1.5e+16`).
pub fn float_repr(x: f64) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if x == 0.0 {
        return if x.is_sign_negative() { "-0.0".into() } else { "0.0".into() };
    }
    let sign = if x < 0.0 { "-" } else { "" };
    // Rust's `{:e}` gives the same shortest round-trip digits as Python's repr.
    let sci = format!("{:e}", x.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let decpt = exp + 1;
    let n = digits.len() as i32;
    let body = if decpt <= -4 || decpt > 16 {
        let (first, rest) = digits.split_at(1);
        let frac = if rest.is_empty() { String::new() } else { format!(".{rest}") };
        let esign = if exp < 0 { '-' } else { '+' };
        format!("{first}{frac}e{esign}{:02}", exp.abs())
    } else if decpt <= 0 {
        format!("0.{}{digits}", "0".repeat((-decpt) as usize))
    } else if decpt >= n {
        format!("{digits}{}.0", "0".repeat((decpt - n) as usize))
    } else {
        let (int, frac) = digits.split_at(decpt as usize);
        format!("{int}.{frac}")
    };
    format!("{sign}{body}")
}

/// `float(s)` for a `str`: surrounding whitespace, a sign, digits of any
/// script with single `_` between them, `inf`/`infinity`/`nan` in any case.
pub fn parse_float(s: &str) -> Option<f64> {
    // `float()` maps non-ASCII whitespace to ' ' and then strips ASCII
    // whitespace, so the separators U+001C..U+001F, whitespace to `isspace`,
    // are not stripped here.
    let s = s.trim_matches(|c| is_space(c) && !('\u{1c}'..='\u{1f}').contains(&c));
    let (sign, body) = match s.strip_prefix(['+', '-']) {
        Some(rest) => (&s[..1], rest),
        None => ("", s),
    };
    let lower = body.to_ascii_lowercase();
    if matches!(lower.as_str(), "inf" | "infinity" | "nan") {
        return format!("{sign}{lower}").parse().ok();
    }
    let mut ascii = String::from(sign);
    // Digits seen in the integer part, the fraction and the exponent.
    let mut counts = [0usize; 3];
    let mut part = 0;
    let mut prev = ' '; // the previous character of the body, ' ' at its start
    for c in body.chars() {
        let digit = decimal_value(c);
        match (c, digit) {
            (_, Some(d)) => {
                ascii.push(char::from_digit(d, 10).unwrap_or('0'));
                counts[part] += 1;
            }
            ('_', _) if decimal_value(prev).is_some() => {}
            ('.', _) if part == 0 => {
                part = 1;
                ascii.push('.');
            }
            ('e' | 'E', _) if part < 2 && counts[0] + counts[1] > 0 => {
                part = 2;
                ascii.push('e');
            }
            ('+' | '-', _) if part == 2 && matches!(prev, 'e' | 'E') => ascii.push(c),
            _ => return None,
        }
        prev = c;
    }
    // Underscores must sit between digits, and every part needs its digits.
    if prev == '_' || body.contains("_.") || body.contains("_e") || body.contains("_E") {
        return None;
    }
    if counts[0] + counts[1] == 0 || (part == 2 && counts[2] == 0) {
        return None;
    }
    ascii.parse().ok()
}

/// `round(x, ndigits)`: the decimal nearest to the exact binary value, ties
/// to even, read back as a float.
pub fn round(x: f64, ndigits: usize) -> f64 {
    if !x.is_finite() {
        return x;
    }
    format!("{x:.ndigits$}").parse().unwrap_or(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_repr_matches_python() {
        let check = |x: f64, expected: &str| assert_eq!(float_repr(x), expected, "{x:e}");
        let cases: &[(f64, &str)] = &[
            (110.0, "110.0"),
            (0.1 + 0.2, "0.30000000000000004"),
            (1e16, "1e+16"),
            (1.5e16, "1.5e+16"),
            (1e15, "1000000000000000.0"),
            (123456789012345680.0, "1.2345678901234568e+17"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (-2.5e-7, "-2.5e-07"),
            (5e-324, "5e-324"),
            (1e300, "1e+300"),
            (-0.0, "-0.0"),
            (0.6667, "0.6667"),
            (f64::NAN, "nan"),
            (f64::NEG_INFINITY, "-inf"),
        ];
        for &(x, expected) in cases {
            check(x, expected);
        }
    }

    #[test]
    fn parse_float_matches_python() {
        let check = |s: &str, expected: Option<f64>| match (parse_float(s), expected) {
            (Some(a), Some(b)) if a.is_nan() => assert!(b.is_nan(), "{s:?}"),
            (got, expected) => assert_eq!(got, expected, "{s:?}"),
        };
        let cases: &[(&str, Option<f64>)] = &[
            ("12.5", Some(12.5)),
            (" 12 ", Some(12.0)),
            ("\t-12.5\n", Some(-12.5)),
            ("\u{2003}7\u{3000}", Some(7.0)),
            ("\u{85}7\u{b}", Some(7.0)),
            ("7\u{1c}", None),
            ("\u{1f}7", None),
            ("+.5", Some(0.5)),
            ("5.", Some(5.0)),
            ("1e3", Some(1000.0)),
            ("1E+03", Some(1000.0)),
            ("1_000.5", Some(1000.5)),
            ("1e1_0", Some(1e10)),
            ("١٢٣.٥", Some(123.5)),
            ("１２", Some(12.0)),
            ("inf", Some(f64::INFINITY)),
            ("-Infinity", Some(f64::NEG_INFINITY)),
            ("NaN", Some(f64::NAN)),
            ("", None),
            (".", None),
            ("e5", None),
            (".e5", None),
            ("1e", None),
            ("1e+", None),
            ("1.2.3", None),
            ("1 000", None),
            ("1,5", None),
            ("_1", None),
            ("1_", None),
            ("1__0", None),
            ("1_.5", None),
            ("1._5", None),
            ("1_e5", None),
            ("1e_5", None),
            ("+-1", None),
            ("0x10", None),
            ("infinit", None),
            ("²", None),
            ("12 kr", None),
        ];
        for &(s, expected) in cases {
            check(s, expected);
        }
    }

    #[test]
    fn str_matches_python() {
        let check = |v: Py, expected: &str| assert_eq!(to_str(&v), expected);
        let parse = |s: &str| super::super::pyjson::loads(s).unwrap_or(Py::None);
        let cases: &[(&str, &str)] = &[
            ("\"x\"", "x"),
            ("110", "110"),
            ("110.0", "110.0"),
            ("true", "True"),
            ("null", "None"),
            (
                r#"["a'b", "a\"b", "a'\"b", 1.5, null, false]"#,
                r#"["a'b", 'a"b', 'a\'"b', 1.5, None, False]"#,
            ),
            (
                r#"{"v": "\f\u00a0\u200b\udb40\udc01é\\\n", "w": {}}"#,
                r"{'v': '\x0c\xa0\u200b\U000e0001é\\\n', 'w': {}}",
            ),
        ];
        for &(json, expected) in cases {
            check(parse(json), expected);
        }
    }

    #[test]
    fn round_and_classes_match_python() {
        for (x, n, expected) in
            [(0.125, 2, 0.12), (0.375, 2, 0.38), (2.675, 2, 2.67), (2.0 / 3.0, 4, 0.6667)]
        {
            assert_eq!(round(x, n), expected, "{x} {n}");
        }
        for (c, word, space, digit) in [
            ('a', true, false, None),
            ('_', true, false, None),
            ('ö', true, false, None),
            ('\u{308}', false, false, None),
            ('²', true, false, None),
            ('٣', true, false, Some(3)),
            ('𝟗', true, false, Some(9)),
            ('\u{1c}', false, true, None),
            ('\u{a0}', false, true, None),
            ('\u{200b}', false, false, None),
            ('-', false, false, None),
        ] {
            assert_eq!((is_word(c), is_space(c), decimal_value(c)), (word, space, digit), "{c:?}");
        }
    }
}
