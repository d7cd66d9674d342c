//! Ground-truth records of one rendered invoice: the groundtruth.jsonl line,
//! the groundtruth_lines.jsonl line and the truth.json document.

use std::collections::BTreeSet;

use invex_domain::FieldName;
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::Value as Json;

use crate::layout::Ctx;
use crate::truth::{Label, PageSize, words_json};

/// A decimal as a JSON number.
pub fn num(d: Decimal) -> Json {
    d.normalize()
        .to_string()
        .parse::<f64>()
        .ok()
        .and_then(serde_json::Number::from_f64)
        .map_or(Json::Null, Json::Number)
}

fn opt_num(d: Option<Decimal>) -> Json {
    d.map_or(Json::Null, num)
}

fn s(v: &str) -> Json {
    Json::String(v.to_string())
}

fn opt_s(v: &Option<String>) -> Json {
    v.as_deref().map_or(Json::Null, s)
}

/// All invoice fields, in a readable order; scored fields first.
#[derive(Debug, Clone, Serialize)]
pub struct Fields {
    pub invoice_number: Json,
    pub invoice_date: Json,
    pub due_date: Json,
    pub currency: Json,
    pub total_amount: Json,
    pub vat_amount: Json,
    pub net_amount: Json,
    pub supplier_name: Json,
    pub supplier_vat: Json,
    pub iban: Json,
    pub bankgiro: Json,
    pub payment_reference: Json,
    pub is_credit_note: Json,
    pub supplier_org_nr: Json,
    pub supplier_address: Json,
    pub supplier_f_skatt: Json,
    pub buyer_name: Json,
    pub buyer_org_nr: Json,
    pub buyer_reference: Json,
    pub supplier_reference: Json,
    pub order_number: Json,
    pub plusgiro: Json,
    pub bic: Json,
}

impl Fields {
    /// The value of one field by name (for tests and checks).
    pub fn get(&self, f: FieldName) -> &Json {
        use FieldName::*;
        match f {
            InvoiceNumber => &self.invoice_number,
            InvoiceDate => &self.invoice_date,
            DueDate => &self.due_date,
            Currency => &self.currency,
            NetAmount => &self.net_amount,
            VatAmount => &self.vat_amount,
            TotalAmount => &self.total_amount,
            IsCreditNote => &self.is_credit_note,
            SupplierName => &self.supplier_name,
            SupplierOrgNr => &self.supplier_org_nr,
            SupplierVat => &self.supplier_vat,
            SupplierAddress => &self.supplier_address,
            SupplierFSkatt => &self.supplier_f_skatt,
            BuyerName => &self.buyer_name,
            BuyerOrgNr => &self.buyer_org_nr,
            BuyerReference => &self.buyer_reference,
            SupplierReference => &self.supplier_reference,
            OrderNumber => &self.order_number,
            Bankgiro => &self.bankgiro,
            Plusgiro => &self.plusgiro,
            Iban => &self.iban,
            Bic => &self.bic,
            PaymentReference => &self.payment_reference,
        }
    }
}

/// The fields of a rendered invoice: a field has a value exactly when some
/// drawn word carries its label (currency and the two flags always have one).
pub fn fields(c: &Ctx) -> Fields {
    let printed: BTreeSet<Label> = c.doc.words.iter().filter_map(|w| w.label.label()).collect();
    let inv = &c.inv;
    let p = |l: Label, v: Json| if printed.contains(&l) { v } else { Json::Null };
    let date = |d: chrono::NaiveDate| s(&d.format("%Y-%m-%d").to_string());
    Fields {
        invoice_number: p(Label::InvoiceNumber, s(&inv.number)),
        invoice_date: p(Label::InvoiceDate, date(inv.date)),
        due_date: p(Label::DueDate, date(inv.due)),
        currency: s(inv.currency),
        total_amount: p(Label::TotalAmount, num(inv.total)),
        vat_amount: p(Label::VatAmount, num(inv.vat_total)),
        net_amount: p(Label::NetAmount, num(inv.net)),
        supplier_name: p(Label::SupplierName, s(&inv.supplier.name)),
        supplier_vat: p(Label::SupplierVat, opt_s(&inv.supplier.vat)),
        iban: p(Label::Iban, opt_s(&inv.pay.iban)),
        bankgiro: p(Label::Bankgiro, opt_s(&inv.pay.bankgiro)),
        payment_reference: p(
            Label::PaymentReference,
            opt_s(&inv.ocr.clone().or(inv.pay_ref.clone())),
        ),
        is_credit_note: Json::Bool(inv.credit),
        supplier_org_nr: p(Label::SupplierOrgNr, opt_s(&inv.supplier.org_nr)),
        supplier_address: p(Label::SupplierAddress, s(&inv.supplier.address.join(", "))),
        supplier_f_skatt: Json::Bool(c.f_skatt),
        buyer_name: p(Label::BuyerName, s(&inv.buyer.name)),
        buyer_org_nr: p(Label::BuyerOrgNr, opt_s(&inv.buyer.org_nr)),
        buyer_reference: p(Label::BuyerReference, opt_s(&inv.buyer_ref)),
        supplier_reference: p(Label::SupplierReference, opt_s(&inv.supplier_ref)),
        order_number: p(Label::OrderNumber, opt_s(&inv.order_no)),
        plusgiro: p(Label::Plusgiro, opt_s(&inv.pay.plusgiro)),
        bic: p(Label::Bic, opt_s(&inv.pay.bic)),
    }
}

/// One line of groundtruth.jsonl.
#[derive(Debug, Clone, Serialize)]
pub struct GtLine<'a> {
    pub file: &'a str,
    #[serde(flatten)]
    pub fields: &'a Fields,
    pub family: &'a str,
    pub language: &'a str,
    /// The recurring supplier (`invex dataset generate --per-supplier`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supplier: Option<String>,
}

/// One line item as the truth records it; unprinted columns are null.
#[derive(Debug, Clone, Serialize)]
pub struct TruthLine {
    pub description: Json,
    pub quantity: Json,
    pub unit: Json,
    pub unit_price: Json,
    pub vat_rate: Json,
    pub amount: Json,
}

/// The line items with unprinted columns nulled.
pub fn line_items(c: &Ctx) -> Vec<TruthLine> {
    let k = c.cols;
    c.inv
        .lines
        .iter()
        .map(|l| TruthLine {
            description: if k.desc { s(&l.desc) } else { Json::Null },
            quantity: if k.qty { opt_num(l.qty) } else { Json::Null },
            unit: if k.unit { opt_s(&l.unit) } else { Json::Null },
            unit_price: if k.price { opt_num(l.price) } else { Json::Null },
            vat_rate: if k.vat { num(l.vat) } else { Json::Null },
            amount: if k.amount { num(l.amount) } else { Json::Null },
        })
        .collect()
}

/// One row of groundtruth_lines.jsonl, in the dev set's shape and key order.
#[derive(Debug, Clone, Serialize)]
pub struct GtLineItem<'a> {
    pub line_id: String,
    pub description: &'a Json,
    pub quantity: &'a Json,
    pub unit_price_net: &'a Json,
    pub vat_rate: &'a Json,
    pub line_total_net: &'a Json,
}

/// One line of groundtruth_lines.jsonl.
#[derive(Debug, Clone, Serialize)]
pub struct GtLines<'a> {
    pub file: &'a str,
    pub line_items: Vec<GtLineItem<'a>>,
}

pub fn lines_record<'a>(file: &'a str, items: &'a [TruthLine]) -> GtLines<'a> {
    let line_items = items
        .iter()
        .enumerate()
        .map(|(i, l)| GtLineItem {
            line_id: (i + 1).to_string(),
            description: &l.description,
            quantity: &l.quantity,
            unit_price_net: &l.unit_price,
            vat_rate: &l.vat_rate,
            line_total_net: &l.amount,
        })
        .collect();
    GtLines { file, line_items }
}

#[derive(Debug, Clone, Serialize)]
pub struct VatRow {
    pub rate: Json,
    pub base: Json,
    pub amount: Json,
}

/// The per-invoice truth.json document.
#[derive(Debug, Clone, Serialize)]
pub struct Truth<'a> {
    pub file: &'a str,
    pub family: &'a str,
    pub language: &'a str,
    pub fields: &'a Fields,
    pub vat_breakdown: Vec<VatRow>,
    pub line_items: &'a [TruthLine],
    pub pages: Vec<PageSize>,
    pub words: Json,
}

pub fn truth<'a>(
    c: &Ctx,
    file: &'a str,
    family: &'a str,
    fields: &'a Fields,
    items: &'a [TruthLine],
) -> Truth<'a> {
    Truth {
        file,
        family,
        language: c.inv.lang.code(),
        fields,
        vat_breakdown: c
            .inv
            .vat
            .iter()
            .map(|v| VatRow { rate: num(v.rate), base: num(v.base), amount: num(v.amount) })
            .collect(),
        line_items: items,
        pages: c.doc.page_sizes(),
        words: words_json(&c.doc.words),
    }
}
