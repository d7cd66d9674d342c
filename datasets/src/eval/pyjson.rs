//! JSON as Python's `json.loads` reads it, into values that behave like the
//! Python objects `score.py` works on.
//!
//! Differences from `serde_json` that matter for scoring: `NaN`, `Infinity`
//! and `-Infinity` are accepted; integers keep every digit (Python ints are
//! unbounded); objects keep the order in which keys first appeared, while a
//! repeated key replaces the earlier value (as a Python `dict` does).
//! The one known deviation: a lone surrogate escape (`"\ud800"`), which a Rust
//! string cannot hold, becomes U+FFFD.

use std::collections::HashMap;

/// Python's `int` digit limit for `int(str)` (3.11 default); longer numbers fail.
const MAX_INT_DIGITS: usize = 4300;
/// Deeper nesting fails, as Python's recursion limit makes it.
const MAX_DEPTH: usize = 900;

/// A parsed JSON value, typed as Python types it.
#[derive(Debug, Clone, PartialEq)]
pub enum Py {
    None,
    Bool(bool),
    /// An `int`, as canonical decimal text (`-0` reads as `0`).
    Int(String),
    Float(f64),
    Str(String),
    List(Vec<Py>),
    Dict(Dict),
}

/// A `dict` with string keys in first-insertion order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Dict {
    entries: Vec<(String, Py)>,
}

impl Dict {
    /// `d.get(key)`.
    pub fn get(&self, key: &str) -> Option<&Py> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
    pub fn iter(&self) -> impl Iterator<Item = &(String, Py)> {
        self.entries.iter()
    }
}

impl Py {
    /// `bool(v)`.
    pub fn truthy(&self) -> bool {
        match self {
            Py::None => false,
            Py::Bool(b) => *b,
            Py::Int(s) => s != "0",
            Py::Float(f) => *f != 0.0,
            Py::Str(s) => !s.is_empty(),
            Py::List(l) => !l.is_empty(),
            Py::Dict(d) => !d.entries.is_empty(),
        }
    }
    /// `type(v).__name__`, for error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Py::None => "NoneType",
            Py::Bool(_) => "bool",
            Py::Int(_) => "int",
            Py::Float(_) => "float",
            Py::Str(_) => "str",
            Py::List(_) => "list",
            Py::Dict(_) => "dict",
        }
    }
}

/// Why a line is not JSON; `column` counts characters from 1.
#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    pub message: &'static str,
    pub column: usize,
}

/// `json.loads(text)`.
pub fn loads(text: &str) -> Result<Py, ParseError> {
    let mut p = Parser { text, bytes: text.as_bytes(), pos: 0 };
    p.skip_ws();
    let value = p.value(0)?;
    p.skip_ws();
    if p.pos != p.bytes.len() {
        return Err(p.error("Extra data"));
    }
    Ok(value)
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
}

impl Parser<'_> {
    fn error(&self, message: &'static str) -> ParseError {
        let column = self.text.get(..self.pos).map_or(self.pos, |s| s.chars().count()) + 1;
        ParseError { message, column }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn eat(&mut self, word: &str) -> bool {
        if self.bytes[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            true
        } else {
            false
        }
    }

    fn value(&mut self, depth: usize) -> Result<Py, ParseError> {
        if depth > MAX_DEPTH {
            return Err(self.error("Nesting too deep"));
        }
        match self.peek() {
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => self.string().map(Py::Str),
            _ if self.eat("null") => Ok(Py::None),
            _ if self.eat("true") => Ok(Py::Bool(true)),
            _ if self.eat("false") => Ok(Py::Bool(false)),
            _ if self.eat("NaN") => Ok(Py::Float(f64::NAN)),
            _ if self.eat("Infinity") => Ok(Py::Float(f64::INFINITY)),
            _ if self.eat("-Infinity") => Ok(Py::Float(f64::NEG_INFINITY)),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => Err(self.error("Expecting value")),
        }
    }

    fn object(&mut self, depth: usize) -> Result<Py, ParseError> {
        self.pos += 1;
        let mut entries: Vec<(String, Py)> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Py::Dict(Dict { entries }));
        }
        loop {
            if self.peek() != Some(b'"') {
                return Err(self.error("Expecting property name enclosed in double quotes"));
            }
            let key = self.string()?;
            self.skip_ws();
            if self.peek() != Some(b':') {
                return Err(self.error("Expecting ':' delimiter"));
            }
            self.pos += 1;
            self.skip_ws();
            let value = self.value(depth + 1)?;
            match index.get(&key) {
                Some(&i) => entries[i].1 = value,
                None => {
                    index.insert(key.clone(), entries.len());
                    entries.push((key, value));
                }
            }
            self.skip_ws();
            match self.peek() {
                Some(b',') => {
                    self.pos += 1;
                    self.skip_ws();
                }
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Py::Dict(Dict { entries }));
                }
                _ => return Err(self.error("Expecting ',' delimiter")),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Py, ParseError> {
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Py::List(items));
        }
        loop {
            items.push(self.value(depth + 1)?);
            self.skip_ws();
            match self.peek() {
                Some(b',') => {
                    self.pos += 1;
                    self.skip_ws();
                }
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Py::List(items));
                }
                _ => return Err(self.error("Expecting ',' delimiter")),
            }
        }
    }

    /// A string starting at the opening quote; control characters are refused
    /// (`strict=True`).
    fn string(&mut self) -> Result<String, ParseError> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            let start = self.pos;
            while matches!(self.peek(), Some(b) if b != b'"' && b != b'\\' && b >= 0x20) {
                self.pos += 1;
            }
            out.push_str(&self.text[start..self.pos]);
            match self.peek() {
                None => return Err(self.error("Unterminated string starting at")),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    self.escape(&mut out)?;
                }
                Some(_) => return Err(self.error("Invalid control character at")),
            }
        }
    }

    fn escape(&mut self, out: &mut String) -> Result<(), ParseError> {
        let c = match self.peek() {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                self.pos += 1;
                let unit = self.hex4()?;
                let c = if (0xD800..0xDC00).contains(&unit)
                    && self.bytes[self.pos..].starts_with(b"\\u")
                {
                    let save = self.pos;
                    self.pos += 2;
                    let low = self.hex4()?;
                    if (0xDC00..0xE000).contains(&low) {
                        char::from_u32(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))
                    } else {
                        self.pos = save;
                        None
                    }
                } else {
                    char::from_u32(unit)
                };
                out.push(c.unwrap_or(char::REPLACEMENT_CHARACTER));
                return Ok(());
            }
            _ => return Err(self.error("Invalid \\escape")),
        };
        self.pos += 1;
        out.push(c);
        Ok(())
    }

    fn hex4(&mut self) -> Result<u32, ParseError> {
        let digits =
            self.bytes.get(self.pos..self.pos + 4).ok_or(self.error("Invalid \\uXXXX escape"))?;
        let mut unit = 0;
        for &d in digits {
            let v = (d as char).to_digit(16).ok_or(self.error("Invalid \\uXXXX escape"))?;
            unit = unit * 16 + v;
        }
        self.pos += 4;
        Ok(unit)
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?`: an `int` without
    /// fraction and exponent, else a `float`.
    fn number(&mut self) -> Result<Py, ParseError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => self.digits(),
            _ => {
                self.pos = start;
                return Err(self.error("Expecting value"));
            }
        }
        let int_end = self.pos;
        if self.peek() == Some(b'.') && matches!(self.bytes.get(self.pos + 1), Some(b'0'..=b'9')) {
            self.pos += 1;
            self.digits();
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            let mut j = self.pos + 1;
            if matches!(self.bytes.get(j), Some(b'+' | b'-')) {
                j += 1;
            }
            if matches!(self.bytes.get(j), Some(b'0'..=b'9')) {
                self.pos = j;
                self.digits();
            }
        }
        let text = &self.text[start..self.pos];
        if self.pos == int_end {
            if text.trim_start_matches('-').len() > MAX_INT_DIGITS {
                return Err(self.error("Exceeds the limit (4300 digits) for integer conversion"));
            }
            let canonical = if text == "-0" { "0" } else { text };
            return Ok(Py::Int(canonical.to_string()));
        }
        text.parse().map(Py::Float).map_err(|_| self.error("Expecting value"))
    }

    fn digits(&mut self) {
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dict(entries: &[(&str, Py)]) -> Py {
        Py::Dict(Dict {
            entries: entries.iter().map(|(k, v)| (k.to_string(), v.clone())).collect(),
        })
    }

    fn check(input: &str, expected: Option<Py>) {
        let got = loads(input).ok();
        match (&got, &expected) {
            // NaN != NaN: compare its text instead.
            (Some(Py::Float(a)), Some(Py::Float(b))) if a.is_nan() => {
                assert!(b.is_nan(), "{input}")
            }
            _ => assert_eq!(got, expected, "{input}"),
        }
    }

    #[test]
    fn reads_json_as_python_does() {
        let s = |v: &str| Py::Str(v.to_string());
        let i = |v: &str| Py::Int(v.to_string());
        let cases: Vec<(&str, Option<Py>)> = vec![
            ("null", Some(Py::None)),
            (" true\n", Some(Py::Bool(true))),
            ("110", Some(i("110"))),
            ("-0", Some(i("0"))),
            ("123456789012345678901234567890", Some(i("123456789012345678901234567890"))),
            ("110.0", Some(Py::Float(110.0))),
            ("-0.0", Some(Py::Float(-0.0))),
            ("1e400", Some(Py::Float(f64::INFINITY))),
            ("1E-2", Some(Py::Float(0.01))),
            ("NaN", Some(Py::Float(f64::NAN))),
            ("-Infinity", Some(Py::Float(f64::NEG_INFINITY))),
            (r#""a\u00e9\ud83d\ude00\n""#, Some(s("aé😀\n"))),
            (r#""\ud800x""#, Some(s("\u{FFFD}x"))),
            ("\"é€\"", Some(s("é€"))),
            ("[1, [], {}]", Some(Py::List(vec![i("1"), Py::List(vec![]), dict(&[])]))),
            // A repeated key keeps its first position and takes the last value.
            (r#"{"b": 1, "a": 2, "b": 3}"#, Some(dict(&[("b", i("3")), ("a", i("2"))]))),
            ("", None),
            ("01", None),
            ("1.", None),
            (".5", None),
            ("-", None),
            ("+1", None),
            ("[1,]", None),
            (r#"{"a":1,}"#, None),
            ("{'a': 1}", None),
            ("\"tab\there\"", None),
            (r#""\x41""#, None),
            (r#""\u12""#, None),
            ("nan", None),
            ("\u{feff}{}", None),
            ("{} {}", None),
            ("\u{a0}1", None),
        ];
        for (input, expected) in cases {
            check(input, expected);
        }
    }

    #[test]
    fn refuses_deep_nesting_and_huge_ints() {
        assert!(loads(&"[".repeat(5000)).is_err());
        assert!(loads(&"9".repeat(4301)).is_err());
        assert!(loads(&"9".repeat(4300)).is_ok());
    }
}
