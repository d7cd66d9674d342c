//! Ground-truth types: word labels (BIO) and the per-invoice truth record.

use invex_domain::FieldName;
use serde::Serialize;
use serde_json::Value as Json;

/// What a printed word is, for token classification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Label {
    InvoiceNumber,
    InvoiceDate,
    DueDate,
    Currency,
    NetAmount,
    VatAmount,
    TotalAmount,
    SupplierName,
    SupplierOrgNr,
    SupplierVat,
    SupplierAddress,
    BuyerName,
    BuyerOrgNr,
    BuyerReference,
    SupplierReference,
    OrderNumber,
    Bankgiro,
    Plusgiro,
    Iban,
    Bic,
    PaymentReference,
    LineDescription,
    LineQuantity,
    LineUnit,
    LineUnitPrice,
    LineVatRate,
    LineAmount,
}

impl Label {
    pub const ALL: [Label; 27] = [
        Label::InvoiceNumber,
        Label::InvoiceDate,
        Label::DueDate,
        Label::Currency,
        Label::NetAmount,
        Label::VatAmount,
        Label::TotalAmount,
        Label::SupplierName,
        Label::SupplierOrgNr,
        Label::SupplierVat,
        Label::SupplierAddress,
        Label::BuyerName,
        Label::BuyerOrgNr,
        Label::BuyerReference,
        Label::SupplierReference,
        Label::OrderNumber,
        Label::Bankgiro,
        Label::Plusgiro,
        Label::Iban,
        Label::Bic,
        Label::PaymentReference,
        Label::LineDescription,
        Label::LineQuantity,
        Label::LineUnit,
        Label::LineUnitPrice,
        Label::LineVatRate,
        Label::LineAmount,
    ];

    /// Upper-case snake name, as used in the BIO tags.
    pub fn as_str(self) -> &'static str {
        use Label::*;
        match self {
            InvoiceNumber => "INVOICE_NUMBER",
            InvoiceDate => "INVOICE_DATE",
            DueDate => "DUE_DATE",
            Currency => "CURRENCY",
            NetAmount => "NET_AMOUNT",
            VatAmount => "VAT_AMOUNT",
            TotalAmount => "TOTAL_AMOUNT",
            SupplierName => "SUPPLIER_NAME",
            SupplierOrgNr => "SUPPLIER_ORG_NR",
            SupplierVat => "SUPPLIER_VAT",
            SupplierAddress => "SUPPLIER_ADDRESS",
            BuyerName => "BUYER_NAME",
            BuyerOrgNr => "BUYER_ORG_NR",
            BuyerReference => "BUYER_REFERENCE",
            SupplierReference => "SUPPLIER_REFERENCE",
            OrderNumber => "ORDER_NUMBER",
            Bankgiro => "BANKGIRO",
            Plusgiro => "PLUSGIRO",
            Iban => "IBAN",
            Bic => "BIC",
            PaymentReference => "PAYMENT_REFERENCE",
            LineDescription => "LINE_DESCRIPTION",
            LineQuantity => "LINE_QUANTITY",
            LineUnit => "LINE_UNIT",
            LineUnitPrice => "LINE_UNIT_PRICE",
            LineVatRate => "LINE_VAT_RATE",
            LineAmount => "LINE_AMOUNT",
        }
    }

    /// The invoice field this label marks, for the scalar (non line-item) labels.
    pub fn field(self) -> Option<FieldName> {
        use Label::*;
        Some(match self {
            InvoiceNumber => FieldName::InvoiceNumber,
            InvoiceDate => FieldName::InvoiceDate,
            DueDate => FieldName::DueDate,
            Currency => FieldName::Currency,
            NetAmount => FieldName::NetAmount,
            VatAmount => FieldName::VatAmount,
            TotalAmount => FieldName::TotalAmount,
            SupplierName => FieldName::SupplierName,
            SupplierOrgNr => FieldName::SupplierOrgNr,
            SupplierVat => FieldName::SupplierVat,
            SupplierAddress => FieldName::SupplierAddress,
            BuyerName => FieldName::BuyerName,
            BuyerOrgNr => FieldName::BuyerOrgNr,
            BuyerReference => FieldName::BuyerReference,
            SupplierReference => FieldName::SupplierReference,
            OrderNumber => FieldName::OrderNumber,
            Bankgiro => FieldName::Bankgiro,
            Plusgiro => FieldName::Plusgiro,
            Iban => FieldName::Iban,
            Bic => FieldName::Bic,
            PaymentReference => FieldName::PaymentReference,
            _ => return None,
        })
    }
}

/// The BIO label list: "O" first, then B-/I- for each label type in [`Label::ALL`] order.
pub const LABELS: &[&str] = &[
    "O",
    "B-INVOICE_NUMBER",
    "I-INVOICE_NUMBER",
    "B-INVOICE_DATE",
    "I-INVOICE_DATE",
    "B-DUE_DATE",
    "I-DUE_DATE",
    "B-CURRENCY",
    "I-CURRENCY",
    "B-NET_AMOUNT",
    "I-NET_AMOUNT",
    "B-VAT_AMOUNT",
    "I-VAT_AMOUNT",
    "B-TOTAL_AMOUNT",
    "I-TOTAL_AMOUNT",
    "B-SUPPLIER_NAME",
    "I-SUPPLIER_NAME",
    "B-SUPPLIER_ORG_NR",
    "I-SUPPLIER_ORG_NR",
    "B-SUPPLIER_VAT",
    "I-SUPPLIER_VAT",
    "B-SUPPLIER_ADDRESS",
    "I-SUPPLIER_ADDRESS",
    "B-BUYER_NAME",
    "I-BUYER_NAME",
    "B-BUYER_ORG_NR",
    "I-BUYER_ORG_NR",
    "B-BUYER_REFERENCE",
    "I-BUYER_REFERENCE",
    "B-SUPPLIER_REFERENCE",
    "I-SUPPLIER_REFERENCE",
    "B-ORDER_NUMBER",
    "I-ORDER_NUMBER",
    "B-BANKGIRO",
    "I-BANKGIRO",
    "B-PLUSGIRO",
    "I-PLUSGIRO",
    "B-IBAN",
    "I-IBAN",
    "B-BIC",
    "I-BIC",
    "B-PAYMENT_REFERENCE",
    "I-PAYMENT_REFERENCE",
    "B-LINE_DESCRIPTION",
    "I-LINE_DESCRIPTION",
    "B-LINE_QUANTITY",
    "I-LINE_QUANTITY",
    "B-LINE_UNIT",
    "I-LINE_UNIT",
    "B-LINE_UNIT_PRICE",
    "I-LINE_UNIT_PRICE",
    "B-LINE_VAT_RATE",
    "I-LINE_VAT_RATE",
    "B-LINE_AMOUNT",
    "I-LINE_AMOUNT",
];

/// How a drawn span of text is labelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tag {
    /// Not a field value.
    O,
    /// Starts a new entity of this label: the first word is B-, the rest I-.
    B(Label),
    /// Continues the previous entity (for example an address's second line): all I-.
    I(Label),
}

/// A word's label: outside, or the begin/inside of an entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WordLabel {
    O,
    B(Label),
    I(Label),
}

impl WordLabel {
    pub fn to_bio(self) -> String {
        match self {
            WordLabel::O => "O".to_string(),
            WordLabel::B(l) => format!("B-{}", l.as_str()),
            WordLabel::I(l) => format!("I-{}", l.as_str()),
        }
    }
    pub fn label(self) -> Option<Label> {
        match self {
            WordLabel::O => None,
            WordLabel::B(l) | WordLabel::I(l) => Some(l),
        }
    }
}

/// One printed word of the truth file.
#[derive(Debug, Clone, PartialEq)]
pub struct TruthWord {
    /// 1-based page.
    pub page: u32,
    pub text: String,
    /// x0, y0, x1, y1 in points, origin top-left, y downwards.
    pub bbox: [f32; 4],
    pub label: WordLabel,
}

/// A page's number and size.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PageSize {
    pub number: u32,
    pub width: f32,
    pub height: f32,
}

/// Rounds to 0.01 pt for stable, compact JSON.
fn r2(v: f32) -> f64 {
    (f64::from(v) * 100.0).round() / 100.0
}

/// A word as written to truth.json.
#[derive(Debug, Clone, Serialize)]
struct WordJson<'a> {
    page: u32,
    text: &'a str,
    bbox: [f64; 4],
    label: String,
}

/// The words as JSON objects for truth.json.
pub fn words_json(words: &[TruthWord]) -> Json {
    let list: Vec<WordJson> = words
        .iter()
        .map(|w| WordJson {
            page: w.page,
            text: &w.text,
            bbox: [r2(w.bbox[0]), r2(w.bbox[1]), r2(w.bbox[2]), r2(w.bbox[3])],
            label: w.label.to_bio(),
        })
        .collect();
    serde_json::to_value(list).unwrap_or(Json::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_list_matches_label_enum() {
        assert_eq!(LABELS.len(), 1 + 2 * Label::ALL.len());
        for (i, l) in Label::ALL.iter().enumerate() {
            assert_eq!(LABELS[1 + 2 * i], format!("B-{}", l.as_str()));
            assert_eq!(LABELS[2 + 2 * i], format!("I-{}", l.as_str()));
        }
        for f in FieldName::ALL {
            let has = Label::ALL.iter().any(|l| l.field() == Some(f));
            let bool_field = matches!(f, FieldName::IsCreditNote | FieldName::SupplierFSkatt);
            assert_eq!(has, !bool_field, "{f}");
        }
    }
}
