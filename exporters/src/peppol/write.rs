//! The UBL 2.1 document itself, element by element in the order the schema
//! requires.

use std::io;

use rust_decimal::Decimal;

use super::lines::{DocLine, address, lines, part_category};
use super::xml::Xml;
use crate::Booking;
use crate::booking::round2;

const NS: &str = "urn:oasis:names:specification:ubl:schema:xsd:";
pub const CUSTOMIZATION_ID: &str =
    "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0";
pub const PROFILE_ID: &str = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0";

/// A party as written: endpoint, name, address, tax ids.
pub struct Party<'a> {
    /// `(schemeID, id)`.
    pub endpoint: (&'static str, String),
    pub name: &'a str,
    pub address: Option<&'a str>,
    pub country: String,
    pub vat_nr: Option<&'a str>,
    pub f_skatt: bool,
    /// The legal registration (BT-30/BT-47) as `(schemeID, id)`: a Swedish
    /// org nr (`0007`, ten digits), a Danish CVR (`0184`, eight digits).
    pub legal_id: Option<(&'static str, String)>,
}

pub fn document(
    b: &Booking,
    seller: &Party,
    buyer: &Party,
    buyer_reference: Option<&str>,
    x: &mut Xml,
) -> io::Result<()> {
    let (root, line_tag, qty_tag) = if b.credit_note {
        ("CreditNote", "cac:CreditNoteLine", "cbc:CreditedQuantity")
    } else {
        ("Invoice", "cac:InvoiceLine", "cbc:InvoicedQuantity")
    };
    let ns_root = format!("{NS}{root}-2");
    let ns_cac = format!("{NS}CommonAggregateComponents-2");
    let ns_cbc = format!("{NS}CommonBasicComponents-2");
    x.open(root, &[("xmlns", &ns_root), ("xmlns:cac", &ns_cac), ("xmlns:cbc", &ns_cbc)])?;
    x.text("cbc:CustomizationID", CUSTOMIZATION_ID)?;
    x.text("cbc:ProfileID", PROFILE_ID)?;
    x.text("cbc:ID", &b.invoice_number)?;
    x.text("cbc:IssueDate", &b.invoice_date.to_string())?;
    if b.credit_note {
        x.text("cbc:CreditNoteTypeCode", "381")?;
    } else {
        x.opt("cbc:DueDate", b.due_date.map(|d| d.to_string()).as_deref())?;
        x.text("cbc:InvoiceTypeCode", "380")?;
    }
    x.text("cbc:DocumentCurrencyCode", &b.currency)?;
    let foreign = b.currency != "SEK";
    if foreign {
        x.text("cbc:TaxCurrencyCode", "SEK")?;
    }
    x.opt("cbc:BuyerReference", buyer_reference)?;
    if let Some(order) = &b.order_number {
        x.open("cac:OrderReference", &[])?;
        x.text("cbc:ID", order)?;
        x.close("cac:OrderReference")?;
    }
    // BT-25: the invoice a credit note credits.
    if let Some(credited) = &b.credited_invoice {
        x.open("cac:BillingReference", &[])?;
        x.open("cac:InvoiceDocumentReference", &[])?;
        x.text("cbc:ID", credited)?;
        x.close("cac:InvoiceDocumentReference")?;
        x.close("cac:BillingReference")?;
    }
    party(x, "cac:AccountingSupplierParty", seller)?;
    party(x, "cac:AccountingCustomerParty", buyer)?;
    // An intra-community supply needs its delivery date and the country
    // delivered to (BR-IC-11/12): the invoice date, which is the supply's
    // tax point when the invoice prints no other, and the buyer's country.
    if b.vat.iter().any(|p| p.category.as_deref() == Some("K")) {
        x.open("cac:Delivery", &[])?;
        x.text("cbc:ActualDeliveryDate", &b.invoice_date.to_string())?;
        x.open("cac:DeliveryLocation", &[])?;
        x.open("cac:Address", &[])?;
        x.open("cac:Country", &[])?;
        x.text("cbc:IdentificationCode", &buyer.country)?;
        x.close("cac:Country")?;
        x.close("cac:Address")?;
        x.close("cac:DeliveryLocation")?;
        x.close("cac:Delivery")?;
    }
    payment_means(b, x)?;
    let cur = b.currency.as_str();
    let doc_lines = lines(b);
    let (items, others): (Vec<&DocLine>, Vec<&DocLine>) =
        doc_lines.iter().partition(|l| l.is_item());
    for other in &others {
        allowance_charge(x, other, cur)?;
    }
    x.open("cac:TaxTotal", &[])?;
    x.amount("cbc:TaxAmount", cur, b.vat_total)?;
    for part in &b.vat {
        x.open("cac:TaxSubtotal", &[])?;
        x.amount("cbc:TaxableAmount", cur, part.base)?;
        x.amount("cbc:TaxAmount", cur, part.amount)?;
        let reason = part.exemption_reason.as_deref();
        tax_category(x, "cac:TaxCategory", &part_category(part), part.rate, reason)?;
        x.close("cac:TaxSubtotal")?;
    }
    x.close("cac:TaxTotal")?;
    if foreign {
        // BR-53: the VAT total in the accounting currency.
        x.open("cac:TaxTotal", &[])?;
        x.amount("cbc:TaxAmount", "SEK", round2(b.vat_total * b.currency_rate))?;
        x.close("cac:TaxTotal")?;
    }
    let line_sum: Decimal = items.iter().map(|l| l.amount).sum();
    let allowances: Decimal = others.iter().map(|l| l.amount).filter(|a| *a < Decimal::ZERO).sum();
    let charges: Decimal = others.iter().map(|l| l.amount).filter(|a| *a > Decimal::ZERO).sum();
    let exclusive = line_sum + allowances + charges;
    x.open("cac:LegalMonetaryTotal", &[])?;
    x.amount("cbc:LineExtensionAmount", cur, line_sum)?;
    x.amount("cbc:TaxExclusiveAmount", cur, exclusive)?;
    x.amount("cbc:TaxInclusiveAmount", cur, exclusive + b.vat_total)?;
    if !allowances.is_zero() {
        x.amount("cbc:AllowanceTotalAmount", cur, -allowances)?;
    }
    if !charges.is_zero() {
        x.amount("cbc:ChargeTotalAmount", cur, charges)?;
    }
    if !b.rounding.is_zero() {
        x.amount("cbc:PayableRoundingAmount", cur, b.rounding)?;
    }
    x.amount("cbc:PayableAmount", cur, b.total)?;
    x.close("cac:LegalMonetaryTotal")?;
    for (i, line) in items.iter().enumerate() {
        doc_line(x, line_tag, qty_tag, i + 1, line, cur)?;
    }
    x.close(root)
}

fn party(x: &mut Xml, tag: &str, p: &Party) -> io::Result<()> {
    x.open(tag, &[])?;
    x.open("cac:Party", &[])?;
    x.leaf("cbc:EndpointID", &[("schemeID", p.endpoint.0)], &p.endpoint.1)?;
    x.open("cac:PartyName", &[])?;
    x.text("cbc:Name", p.name)?;
    x.close("cac:PartyName")?;
    let (street, zone, city) = address(p.address);
    x.open("cac:PostalAddress", &[])?;
    x.opt("cbc:StreetName", street.as_deref())?;
    x.opt("cbc:CityName", city.as_deref())?;
    x.opt("cbc:PostalZone", zone.as_deref())?;
    x.open("cac:Country", &[])?;
    x.text("cbc:IdentificationCode", &p.country)?;
    x.close("cac:Country")?;
    x.close("cac:PostalAddress")?;
    if let Some(vat) = p.vat_nr {
        tax_scheme(x, vat, "VAT")?;
    }
    if p.f_skatt && p.country == "SE" {
        tax_scheme(x, "Godkänd för F-skatt", "TAX")?;
    }
    x.open("cac:PartyLegalEntity", &[])?;
    x.text("cbc:RegistrationName", p.name)?;
    if let Some((scheme, id)) = &p.legal_id {
        x.leaf("cbc:CompanyID", &[("schemeID", scheme)], id)?;
    }
    x.close("cac:PartyLegalEntity")?;
    x.close("cac:Party")?;
    x.close(tag)
}

fn tax_scheme(x: &mut Xml, company_id: &str, scheme: &str) -> io::Result<()> {
    x.open("cac:PartyTaxScheme", &[])?;
    x.text("cbc:CompanyID", company_id)?;
    x.open("cac:TaxScheme", &[])?;
    x.text("cbc:ID", scheme)?;
    x.close("cac:TaxScheme")?;
    x.close("cac:PartyTaxScheme")
}

/// PaymentMeans 30 (credit transfer) to Bankgiro, Plusgiro or an IBAN, with
/// the OCR reference (or the printed payment reference) as PaymentID.
fn payment_means(b: &Booking, x: &mut Xml) -> io::Result<()> {
    let s = &b.supplier;
    let (account, branch) = match (&s.bankgiro, &s.plusgiro, &s.iban) {
        (Some(bg), _, _) => (bg, Some("SE:BANKGIRO")),
        (None, Some(pg), _) => (pg, Some("SE:PLUSGIRO")),
        (None, None, Some(iban)) => (iban, s.bic.as_deref()),
        (None, None, None) => return Ok(()),
    };
    x.open("cac:PaymentMeans", &[])?;
    x.text("cbc:PaymentMeansCode", "30")?;
    if b.credit_note {
        x.opt("cbc:PaymentDueDate", b.due_date.map(|d| d.to_string()).as_deref())?;
    }
    x.opt("cbc:PaymentID", b.ocr.as_deref().or(b.payment_reference.as_deref()))?;
    x.open("cac:PayeeFinancialAccount", &[])?;
    x.text("cbc:ID", account)?;
    if let Some(branch) = branch {
        x.open("cac:FinancialInstitutionBranch", &[])?;
        x.text("cbc:ID", branch)?;
        x.close("cac:FinancialInstitutionBranch")?;
    }
    x.close("cac:PayeeFinancialAccount")?;
    x.close("cac:PaymentMeans")
}

/// A `TaxCategory`: its id, the rate, and (in a VAT breakdown) the
/// exemption reason of an exempt, reverse-charged or export category.
fn tax_category(
    x: &mut Xml,
    tag: &str,
    category: &str,
    rate: Decimal,
    exemption_reason: Option<&str>,
) -> io::Result<()> {
    x.open(tag, &[])?;
    x.text("cbc:ID", category)?;
    x.text("cbc:Percent", &rate.normalize().to_string())?;
    if !matches!(category, "S" | "Z") {
        x.opt("cbc:TaxExemptionReason", exemption_reason)?;
    }
    x.open("cac:TaxScheme", &[])?;
    x.text("cbc:ID", "VAT")?;
    x.close("cac:TaxScheme")?;
    x.close(tag)
}

/// A document-level allowance (a negative amount) or charge (BG-20/BG-21),
/// with its printed text as the reason (BR-33/BR-38).
fn allowance_charge(x: &mut Xml, line: &DocLine, cur: &str) -> io::Result<()> {
    x.open("cac:AllowanceCharge", &[])?;
    x.text("cbc:ChargeIndicator", if line.amount > Decimal::ZERO { "true" } else { "false" })?;
    x.text("cbc:AllowanceChargeReason", &line.name)?;
    x.amount("cbc:Amount", cur, line.amount.abs())?;
    tax_category(x, "cac:TaxCategory", &line.category, line.rate, None)?;
    x.close("cac:AllowanceCharge")
}

fn doc_line(
    x: &mut Xml,
    tag: &str,
    qty_tag: &str,
    id: usize,
    line: &DocLine,
    cur: &str,
) -> io::Result<()> {
    x.open(tag, &[])?;
    x.text("cbc:ID", &id.to_string())?;
    x.leaf(qty_tag, &[("unitCode", line.unit_code)], &line.quantity.normalize().to_string())?;
    x.amount("cbc:LineExtensionAmount", cur, line.amount)?;
    x.open("cac:Item", &[])?;
    x.text("cbc:Name", &line.name)?;
    tax_category(x, "cac:ClassifiedTaxCategory", &line.category, line.rate, None)?;
    x.close("cac:Item")?;
    x.open("cac:Price", &[])?;
    x.leaf("cbc:PriceAmount", &[("currencyID", cur)], &line.price.normalize().to_string())?;
    x.close("cac:Price")?;
    x.close(tag)
}
