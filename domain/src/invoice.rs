//! The invoice: every field an accountant books, each with its evidence.

use std::collections::BTreeMap;
use std::fmt;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::geometry::BBox;

/// Every scalar field of an invoice. The snake_case names are the ones the
/// prediction format and `../shared/eval` use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldName {
    InvoiceNumber,
    InvoiceDate,
    DueDate,
    Currency,
    NetAmount,
    VatAmount,
    TotalAmount,
    IsCreditNote,
    SupplierName,
    SupplierOrgNr,
    SupplierVat,
    SupplierAddress,
    /// "Godkänd för F-skatt" printed on the invoice.
    SupplierFSkatt,
    BuyerName,
    BuyerOrgNr,
    /// Er referens: the buyer's reference person or code.
    BuyerReference,
    /// Vår referens: the supplier's reference person.
    SupplierReference,
    OrderNumber,
    Bankgiro,
    Plusgiro,
    Iban,
    Bic,
    /// The OCR number (Swedish payment reference) or any other payment reference.
    PaymentReference,
}

/// What type of value a field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    Text,
    Date,
    Amount,
    Bool,
}

impl FieldName {
    pub const ALL: [FieldName; 23] = [
        FieldName::InvoiceNumber,
        FieldName::InvoiceDate,
        FieldName::DueDate,
        FieldName::Currency,
        FieldName::NetAmount,
        FieldName::VatAmount,
        FieldName::TotalAmount,
        FieldName::IsCreditNote,
        FieldName::SupplierName,
        FieldName::SupplierOrgNr,
        FieldName::SupplierVat,
        FieldName::SupplierAddress,
        FieldName::SupplierFSkatt,
        FieldName::BuyerName,
        FieldName::BuyerOrgNr,
        FieldName::BuyerReference,
        FieldName::SupplierReference,
        FieldName::OrderNumber,
        FieldName::Bankgiro,
        FieldName::Plusgiro,
        FieldName::Iban,
        FieldName::Bic,
        FieldName::PaymentReference,
    ];

    pub fn kind(self) -> ValueKind {
        use FieldName::*;
        match self {
            InvoiceDate | DueDate => ValueKind::Date,
            NetAmount | VatAmount | TotalAmount => ValueKind::Amount,
            IsCreditNote | SupplierFSkatt => ValueKind::Bool,
            _ => ValueKind::Text,
        }
    }

    /// The snake_case name used in JSON.
    pub fn as_str(self) -> &'static str {
        use FieldName::*;
        match self {
            InvoiceNumber => "invoice_number",
            InvoiceDate => "invoice_date",
            DueDate => "due_date",
            Currency => "currency",
            NetAmount => "net_amount",
            VatAmount => "vat_amount",
            TotalAmount => "total_amount",
            IsCreditNote => "is_credit_note",
            SupplierName => "supplier_name",
            SupplierOrgNr => "supplier_org_nr",
            SupplierVat => "supplier_vat",
            SupplierAddress => "supplier_address",
            SupplierFSkatt => "supplier_f_skatt",
            BuyerName => "buyer_name",
            BuyerOrgNr => "buyer_org_nr",
            BuyerReference => "buyer_reference",
            SupplierReference => "supplier_reference",
            OrderNumber => "order_number",
            Bankgiro => "bankgiro",
            Plusgiro => "plusgiro",
            Iban => "iban",
            Bic => "bic",
            PaymentReference => "payment_reference",
        }
    }

    pub fn parse(name: &str) -> Option<FieldName> {
        FieldName::ALL.into_iter().find(|f| f.as_str() == name)
    }
}

impl fmt::Display for FieldName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A field's normalised value: dates as dates, amounts as exact decimals in the
/// invoice currency, identifiers as their normalised text (Bankgiro as digits,
/// IBAN without spaces).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Value {
    Bool(bool),
    Amount(Decimal),
    Date(NaiveDate),
    Text(String),
}

impl Value {
    pub fn kind(&self) -> ValueKind {
        match self {
            Value::Text(_) => ValueKind::Text,
            Value::Date(_) => ValueKind::Date,
            Value::Amount(_) => ValueKind::Amount,
            Value::Bool(_) => ValueKind::Bool,
        }
    }
    /// The JSON form used in predictions: amounts as numbers, dates as YYYY-MM-DD.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Text(s) => serde_json::Value::String(s.clone()),
            Value::Date(d) => serde_json::Value::String(d.format("%Y-%m-%d").to_string()),
            Value::Amount(a) => {
                let f: f64 = a.to_string().parse().unwrap_or(0.0);
                serde_json::Number::from_f64(f)
                    .map_or(serde_json::Value::Null, serde_json::Value::Number)
            }
            Value::Bool(b) => serde_json::Value::Bool(*b),
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Text(s) => f.write_str(s),
            Value::Date(d) => write!(f, "{}", d.format("%Y-%m-%d")),
            Value::Amount(a) => write!(f, "{a}"),
            Value::Bool(b) => write!(f, "{b}"),
        }
    }
}

/// Which extractor produced a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// The layout-aware rules extractor (the accuracy floor).
    Rules,
    /// The learned layout model.
    Model,
    /// The OCR-free image-to-JSON model.
    Donut,
    /// The GPT fallback.
    Llm,
    /// The supplier's memory: learned from reviews of its earlier invoices.
    Memory,
    /// Derived from other fields (for example net = total - VAT).
    Derived,
    /// A person's correction.
    Human,
    /// Read exactly from an e-invoice's XML (embedded in a PDF, or the file itself).
    #[serde(rename = "e-invoice")]
    EInvoice,
}

/// One extracted value with its evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Field {
    pub value: Value,
    /// How likely the value is right, in 0..=1.
    pub confidence: f32,
    /// 1-based page the value was read from, if it was read from one.
    pub page: Option<u32>,
    pub bbox: Option<BBox>,
    pub source: Source,
    /// Where in the e-invoice XML the value was read, for source `e-invoice`,
    /// for example `/Invoice/cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub xml_path: Option<String>,
}

impl Field {
    /// A value with its confidence and source, and no evidence yet (page,
    /// box, XML path); set those with struct update syntax.
    pub fn new(value: Value, confidence: f32, source: Source) -> Field {
        Field { value, confidence, page: None, bbox: None, source, xml_path: None }
    }
}

/// VAT for one rate: the taxable base and the tax.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VatLine {
    /// Percent, for example 25.
    pub rate: Decimal,
    pub base: Option<Decimal>,
    pub amount: Decimal,
    /// The VAT category code (UNCL5305: S, Z, E, AE reverse charge, K, G, O, L, M),
    /// when an e-invoice gives it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// Why the VAT is exempt or reverse charged, in the supplier's words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exemption_reason: Option<String>,
}

/// What a row of the line-item table is: an item, or an allowance
/// (discount) or charge (freight, fees) printed among the items. EN 16931
/// keeps the last two apart from the items (BG-20, BG-21).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    #[default]
    Item,
    Allowance,
    Charge,
}

impl LineKind {
    pub fn is_item(&self) -> bool {
        *self == LineKind::Item
    }
}

/// One row of the line-item table. `amount` is what the row adds to the
/// net: an allowance's is negative on an invoice (positive on a credit note
/// printed with negative amounts), so the lines of any kind add up to the net.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct LineItem {
    #[serde(default, skip_serializing_if = "LineKind::is_item")]
    pub kind: LineKind,
    pub description: Option<String>,
    pub quantity: Option<Decimal>,
    pub unit: Option<String>,
    pub unit_price: Option<Decimal>,
    /// Percent, for example 25.
    pub vat_rate: Option<Decimal>,
    /// The row's net amount.
    pub amount: Option<Decimal>,
    pub confidence: f32,
    pub page: Option<u32>,
    pub bbox: Option<BBox>,
    pub source: Option<Source>,
    /// Why the line is unsure, when it is: the lines of its VAT rate (or
    /// all lines) do not add up to the invoice's net amount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unsure: Option<String>,
}

/// An extracted invoice. Fields that were not found are absent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Invoice {
    pub fields: BTreeMap<FieldName, Field>,
    pub vat_breakdown: Vec<VatLine>,
    pub line_items: Vec<LineItem>,
    /// Set when the invoice came with e-invoice XML (read, or tried and refused).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub e_invoice: Option<EInvoiceInfo>,
    /// Set when the language-model fallback was asked about the invoice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fallback: Option<Box<crate::fallback::FallbackInfo>>,
    /// What the invoice says about its VAT beside the amounts (reverse
    /// charge, intra-community supply, exemption), when it says something.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vat_statement: Option<crate::tax::VatStatement>,
    /// The invoice a credit note credits (BT-25), as printed or in the XML.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credited_invoice: Option<Field>,
}

/// What the e-invoice stage found besides the fields: which syntax and
/// profile, the preceding invoices a credit note names, validation warnings,
/// and how the XML compared with the printed page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct EInvoiceInfo {
    /// `cii`, `cii-zf1` (ZUGFeRD 1.0) or `ubl`; absent when the XML could not be used.
    pub syntax: Option<String>,
    /// The guideline or customization id, for example
    /// `urn:cen.eu:en16931:2017#conformant#urn:factur-x.eu:1p0:extended`.
    pub profile: Option<String>,
    /// The attachment's name inside the PDF; absent for a plain XML file.
    pub attachment: Option<String>,
    /// Invoice numbers a credit note or correction refers to (BT-25).
    #[serde(default)]
    pub preceding_invoices: Vec<String>,
    /// Findings that do not stop the XML being used (business-rule
    /// violations), or why it was not used and the page was read instead.
    #[serde(default)]
    pub warnings: Vec<String>,
    /// Whether the printed page was read and compared with the XML.
    #[serde(default)]
    pub page_checked: bool,
    /// The fields where the XML and the page disagree; each is a failed check.
    #[serde(default)]
    pub mismatches: Vec<Mismatch>,
    /// Another amount the page may print as its total and still agree with
    /// the XML: the total before rounding (BT-112; the total is BT-112 plus
    /// the rounding BT-114). Not the amount due (BT-115): an XML whose total
    /// was edited but not its amount due must still disagree with the page.
    /// Used by the cross-check only.
    #[serde(skip)]
    pub printed_totals: Vec<rust_decimal::Decimal>,
}

/// One field where the e-invoice XML and the printed page disagree. Values
/// are as a person reads them (amounts `1 250,00`, dates `2024-03-01`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mismatch {
    pub field: FieldName,
    pub xml: String,
    /// What the page says; absent when the page does not show the field.
    pub page: Option<String>,
}

impl Mismatch {
    pub fn new(field: FieldName, xml: &Value, page: Option<&Value>) -> Self {
        let show = |v: &Value| match v {
            Value::Amount(a) => crate::parse::format_amount_sv(*a),
            other => other.to_string(),
        };
        Mismatch { field, xml: show(xml), page: page.map(show) }
    }
}

impl fmt::Display for Mismatch {
    /// `the XML says total amount 1 250,00; the page says 1 520,00`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self.field.as_str().replace('_', " ");
        match &self.page {
            Some(page) => write!(f, "the XML says {name} {}; the page says {page}", self.xml),
            None => write!(f, "the XML says {name} {}; the page does not show it", self.xml),
        }
    }
}

impl Invoice {
    pub fn get(&self, name: FieldName) -> Option<&Field> {
        self.fields.get(&name)
    }
    /// Stores a field. A value of the wrong kind for `name` is a programming
    /// error and is refused in debug builds.
    pub fn set(&mut self, name: FieldName, field: Field) {
        debug_assert_eq!(name.kind(), field.value.kind(), "wrong value kind for {name}");
        self.fields.insert(name, field);
    }
    pub fn text(&self, name: FieldName) -> Option<&str> {
        match self.get(name).map(|f| &f.value) {
            Some(Value::Text(s)) => Some(s),
            _ => None,
        }
    }
    pub fn amount(&self, name: FieldName) -> Option<Decimal> {
        match self.get(name).map(|f| &f.value) {
            Some(Value::Amount(a)) => Some(*a),
            _ => None,
        }
    }
    pub fn date(&self, name: FieldName) -> Option<NaiveDate> {
        match self.get(name).map(|f| &f.value) {
            Some(Value::Date(d)) => Some(*d),
            _ => None,
        }
    }
}
