//! The model's labels as invex understands them.
//!
//! Labels are BIO tags (`B-INVOICE_NUMBER`, `I-TOTAL_AMOUNT`, `O`) over
//! invex's label names: the header fields (a [`FieldName`] upper-cased) and
//! the line-item columns `LINE_*`. Imported models may name them otherwise;
//! a label map (`{"INVOICE_NO": "INVOICE_NUMBER", "OTHER": "O"}`) translates,
//! keyed by the full label or by its name without the `B-`/`I-` prefix.

use std::collections::BTreeMap;

use invex_domain::FieldName;

use crate::Error;

/// A line-item table column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LineColumn {
    Description,
    Quantity,
    Unit,
    UnitPrice,
    VatRate,
    Amount,
}

impl LineColumn {
    pub const ALL: [LineColumn; 6] = [
        LineColumn::Description,
        LineColumn::Quantity,
        LineColumn::Unit,
        LineColumn::UnitPrice,
        LineColumn::VatRate,
        LineColumn::Amount,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LineColumn::Description => "LINE_DESCRIPTION",
            LineColumn::Quantity => "LINE_QUANTITY",
            LineColumn::Unit => "LINE_UNIT",
            LineColumn::UnitPrice => "LINE_UNIT_PRICE",
            LineColumn::VatRate => "LINE_VAT_RATE",
            LineColumn::Amount => "LINE_AMOUNT",
        }
    }
}

/// What a labelled word is part of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Target {
    Field(FieldName),
    Line(LineColumn),
}

impl Target {
    /// An invex label name (`INVOICE_NUMBER`, `LINE_AMOUNT`), any case.
    /// `is_credit_note` and `supplier_f_skatt` are not word labels.
    pub fn parse(name: &str) -> Option<Target> {
        let upper = name.trim().to_ascii_uppercase();
        if let Some(c) = LineColumn::ALL.into_iter().find(|c| c.as_str() == upper) {
            return Some(Target::Line(c));
        }
        FieldName::parse(&upper.to_ascii_lowercase())
            .filter(|f| !matches!(f, FieldName::IsCreditNote | FieldName::SupplierFSkatt))
            .map(Target::Field)
    }

    pub fn name(self) -> String {
        match self {
            Target::Field(f) => f.as_str().to_ascii_uppercase(),
            Target::Line(c) => c.as_str().to_string(),
        }
    }

    /// Every invex label name.
    pub fn all_names() -> Vec<String> {
        let fields = FieldName::ALL.into_iter().map(Target::Field);
        let lines = LineColumn::ALL.into_iter().map(Target::Line);
        fields
            .chain(lines)
            .filter(|t| Target::parse(&t.name()).is_some())
            .map(Target::name)
            .collect()
    }
}

/// A word's tag: outside, beginning or inside of a `Target`. A label with no
/// `B-`/`I-` prefix counts as inside (neighbours with it form one span).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tag {
    Outside,
    Begin(Target),
    Inside(Target),
}

impl Tag {
    pub fn target(self) -> Option<Target> {
        match self {
            Tag::Outside => None,
            Tag::Begin(t) | Tag::Inside(t) => Some(t),
        }
    }
}

/// Splits `B-X` / `I-X` / `X` into prefix and name.
fn split_prefix(label: &str) -> (Option<char>, &str) {
    for (prefix, c) in [("B-", 'B'), ("I-", 'I'), ("b-", 'B'), ("i-", 'I')] {
        if let Some(rest) = label.strip_prefix(prefix) {
            return (Some(c), rest);
        }
    }
    (None, label)
}

fn is_outside(name: &str) -> bool {
    matches!(name.trim().to_ascii_uppercase().as_str(), "O" | "OTHER" | "OUTSIDE")
}

/// The model's labels in output order, each with its tag.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelScheme {
    pub labels: Vec<String>,
    pub tags: Vec<Tag>,
}

impl LabelScheme {
    /// Reads `labels` through `map`; every label must end as `O` or an invex
    /// label, else the error lists the ones that do not.
    pub fn new(labels: &[String], map: &BTreeMap<String, String>) -> Result<LabelScheme, Error> {
        if let Some((from, to)) =
            map.iter().find(|(_, to)| !is_outside(to) && target_of(to).is_none())
        {
            return Err(Error::LabelMap(format!(
                "{from:?} maps to {to:?}, which is not an invex label; invex labels are O, {}",
                Target::all_names().join(", ")
            )));
        }
        let mut tags = Vec::with_capacity(labels.len());
        let mut unknown = Vec::new();
        for label in labels {
            match tag_of(label, map) {
                Some(tag) => tags.push(tag),
                None => unknown.push(label.as_str()),
            }
        }
        if !unknown.is_empty() {
            return Err(Error::LabelMap(format!(
                "the model's labels {unknown:?} are not invex labels; map them with a label map \
                 (a JSON object such as {{\"INVOICE_NO\": \"INVOICE_NUMBER\", \"OTHER\": \"O\"}}); \
                 invex labels are O, {}",
                Target::all_names().join(", ")
            )));
        }
        Ok(LabelScheme { labels: labels.to_vec(), tags })
    }
}

fn target_of(name: &str) -> Option<Target> {
    Target::parse(split_prefix(name).1)
}

/// A model label's tag: the map by full label, then by bare name, then the
/// name itself.
fn tag_of(label: &str, map: &BTreeMap<String, String>) -> Option<Tag> {
    let (prefix, name) = split_prefix(label);
    let mapped = map.get(label).or_else(|| map.get(name)).map(String::as_str);
    let (prefix, name) = match mapped {
        Some(to) => {
            let (to_prefix, to_name) = split_prefix(to);
            (to_prefix.or(prefix), to_name)
        }
        None => (prefix, name),
    };
    if is_outside(name) {
        return Some(Tag::Outside);
    }
    let target = Target::parse(name)?;
    Some(match prefix {
        Some('B') => Tag::Begin(target),
        _ => Tag::Inside(target),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    }

    #[test]
    fn tag_table() {
        let total = Target::Field(FieldName::TotalAmount);
        let number = Target::Field(FieldName::InvoiceNumber);
        let qty = Target::Line(LineColumn::Quantity);
        let m = map(&[("INVOICE_NO", "INVOICE_NUMBER"), ("TOTAL", "TOTAL_AMOUNT"), ("OTHER", "O")]);
        let exact = map(&[("B-QTY", "B-LINE_QUANTITY"), ("I-QTY", "LINE_QUANTITY")]);
        let cases: &[(&str, &BTreeMap<String, String>, Option<Tag>)] = &[
            ("O", &BTreeMap::new(), Some(Tag::Outside)),
            ("B-TOTAL_AMOUNT", &BTreeMap::new(), Some(Tag::Begin(total))),
            ("I-TOTAL_AMOUNT", &BTreeMap::new(), Some(Tag::Inside(total))),
            ("LINE_QUANTITY", &BTreeMap::new(), Some(Tag::Inside(qty))),
            ("b-invoice_number", &BTreeMap::new(), Some(Tag::Begin(number))),
            ("B-INVOICE_NO", &m, Some(Tag::Begin(number))),
            ("I-TOTAL", &m, Some(Tag::Inside(total))),
            ("TOTAL", &m, Some(Tag::Inside(total))),
            ("OTHER", &m, Some(Tag::Outside)),
            ("B-QTY", &exact, Some(Tag::Begin(qty))),
            ("I-QTY", &exact, Some(Tag::Inside(qty))),
            ("B-IS_CREDIT_NOTE", &BTreeMap::new(), None),
            ("B-HEADER", &m, None),
        ];
        for &(label, m, expected) in cases {
            assert_eq!(tag_of(label, m), expected, "{label} with {m:?}");
        }
    }

    #[test]
    fn schemes_refuse_unknown_labels_and_targets() {
        let labels: Vec<String> =
            ["O", "B-TOTAL", "B-HEADER"].iter().map(|s| s.to_string()).collect();
        let err = LabelScheme::new(&labels, &map(&[("TOTAL", "TOTAL_AMOUNT")])).unwrap_err();
        assert!(err.to_string().contains("\"B-HEADER\""), "{err}");
        let err = LabelScheme::new(&labels, &map(&[("TOTAL", "GRAND_TOTAL")])).unwrap_err();
        assert!(err.to_string().contains("GRAND_TOTAL"), "{err}");
        let ok = LabelScheme::new(&labels, &map(&[("TOTAL", "TOTAL_AMOUNT"), ("HEADER", "O")]));
        assert_eq!(ok.expect("scheme").tags.len(), 3);
    }

    #[test]
    fn every_invex_label_name_parses() {
        let names = Target::all_names();
        assert_eq!(names.len(), 21 + 6);
        for name in names {
            assert!(Target::parse(&name).is_some(), "{name}");
        }
    }
}
