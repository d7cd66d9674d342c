//! OASIS UBL 2.1 `Invoice` and `CreditNote`: PEPPOL BIS Billing 3.0 and
//! XRechnung UBL (see `MAPPING.md`).

use invex_domain::{EInvoiceInfo, FieldName, Invoice, LineItem, Value, VatLine};
use roxmltree::Node;

use crate::build::{
    CREDIT_NOTE_CODES, Fields, compact_upper, decimal, digits, iban_shaped, per_base,
    plus_rounding, ubl_date,
};
use crate::xml::{child, children, first, select, text};

pub fn read(root: Node) -> Invoice {
    let credit_root = root.tag_name().name() == "CreditNote";
    let mut f = Fields::default();
    f.text(FieldName::InvoiceNumber, child(root, "ID"));
    if let Some(d) = child(root, "IssueDate") {
        f.set(FieldName::InvoiceDate, ubl_date(d).map(Value::Date), d);
    }
    for due in
        [child(root, "DueDate"), first(root, "PaymentMeans/PaymentDueDate")].into_iter().flatten()
    {
        f.set(FieldName::DueDate, ubl_date(due).map(Value::Date), due);
    }
    let type_code = child(root, "InvoiceTypeCode").or_else(|| child(root, "CreditNoteTypeCode"));
    let credit = credit_root
        || type_code.and_then(text).is_some_and(|c| CREDIT_NOTE_CODES.contains(&c.as_str()));
    f.set(FieldName::IsCreditNote, Some(Value::Bool(credit)), type_code.unwrap_or(root));

    let currency = child(root, "DocumentCurrencyCode");
    f.text(FieldName::Currency, currency);
    let currency = currency.and_then(text);
    let totals = child(root, "LegalMonetaryTotal");
    if let Some(t) = totals {
        f.amount(FieldName::NetAmount, child(t, "TaxExclusiveAmount"));
        if let Some(inclusive) = child(t, "TaxInclusiveAmount") {
            let total = plus_rounding(Some(inclusive), child(t, "PayableRoundingAmount"));
            f.set(FieldName::TotalAmount, total.map(Value::Amount), inclusive);
        }
    }
    let tax_totals: Vec<Node> = children(root, "TaxTotal").collect();
    let tax_total = tax_totals
        .iter()
        .find(|t| {
            child(**t, "TaxAmount")
                .and_then(|a| a.attribute("currencyID"))
                .is_some_and(|c| Some(c) == currency.as_deref())
        })
        .or(tax_totals.first())
        .copied();
    f.amount(FieldName::VatAmount, tax_total.and_then(|t| child(t, "TaxAmount")));

    if let Some(party) = first(root, "AccountingSupplierParty/Party") {
        f.text(FieldName::SupplierName, first(party, "PartyLegalEntity/RegistrationName"));
        f.text(FieldName::SupplierName, first(party, "PartyName/Name"));
        f.text(FieldName::SupplierOrgNr, first(party, "PartyLegalEntity/CompanyID"));
        f.text(FieldName::SupplierReference, first(party, "Contact/Name"));
        for scheme in children(party, "PartyTaxScheme") {
            let company = child(scheme, "CompanyID");
            let is_vat = first(scheme, "TaxScheme/ID").and_then(text).as_deref() == Some("VAT");
            match company {
                Some(id) if is_vat => {
                    f.set(FieldName::SupplierVat, compact_upper(id).map(Value::Text), id)
                }
                Some(id) if text(id).is_some_and(|t| t.to_lowercase().contains("skatt")) => {
                    f.set(FieldName::SupplierFSkatt, Some(Value::Bool(true)), id)
                }
                _ => {}
            }
        }
        if let Some(address) = child(party, "PostalAddress") {
            f.set(FieldName::SupplierAddress, ubl_address(address).map(Value::Text), address);
        }
    }
    if let Some(party) = first(root, "AccountingCustomerParty/Party") {
        f.text(FieldName::BuyerName, first(party, "PartyLegalEntity/RegistrationName"));
        f.text(FieldName::BuyerName, first(party, "PartyName/Name"));
        f.text(FieldName::BuyerOrgNr, first(party, "PartyLegalEntity/CompanyID"));
    }
    f.text(FieldName::BuyerReference, child(root, "BuyerReference"));
    f.text(FieldName::OrderNumber, first(root, "OrderReference/ID"));

    f.text(FieldName::PaymentReference, first(root, "PaymentMeans/PaymentID"));
    for account in select(root, "PaymentMeans/PayeeFinancialAccount") {
        let Some(id) = child(account, "ID") else { continue };
        let branch = first(account, "FinancialInstitutionBranch/ID");
        let marks = [id.attribute("schemeID").map(str::to_string), branch.and_then(text)];
        let giro = marks.into_iter().flatten().find(|m| m == "SE:BANKGIRO" || m == "SE:PLUSGIRO");
        match giro.as_deref() {
            Some("SE:BANKGIRO") => f.set(FieldName::Bankgiro, digits(id).map(Value::Text), id),
            Some(_) => f.set(FieldName::Plusgiro, digits(id).map(Value::Text), id),
            None => {
                if matches!(id.attribute("schemeID"), None | Some("IBAN")) {
                    let iban = compact_upper(id).filter(|s| iban_shaped(s));
                    f.set(FieldName::Iban, iban.map(Value::Text), id);
                }
                if let Some(bic) = branch {
                    f.set(FieldName::Bic, compact_upper(bic).map(Value::Text), bic);
                }
            }
        }
    }

    let mut invoice = f.invoice;
    if let Some(t) = tax_total {
        invoice.vat_breakdown = children(t, "TaxSubtotal").filter_map(vat_line).collect();
    }
    invoice.line_items = root
        .children()
        .filter(|c| {
            c.is_element() && matches!(c.tag_name().name(), "InvoiceLine" | "CreditNoteLine")
        })
        .map(line_item)
        .collect();
    let printed_totals = ["TaxInclusiveAmount"]
        .iter()
        .filter_map(|name| totals.and_then(|t| child(t, name)).and_then(decimal))
        .collect();
    invoice.e_invoice = Some(EInvoiceInfo {
        syntax: Some("ubl".into()),
        printed_totals,
        profile: child(root, "CustomizationID").and_then(text),
        preceding_invoices: select(root, "BillingReference/InvoiceDocumentReference/ID")
            .into_iter()
            .filter_map(text)
            .collect(),
        ..Default::default()
    });
    invoice
}

fn ubl_address(address: Node) -> Option<String> {
    let part = |path| first(address, path).and_then(text);
    let city =
        [part("PostalZone"), part("CityName")].into_iter().flatten().collect::<Vec<_>>().join(" ");
    let parts: Vec<String> = [
        part("StreetName"),
        part("AdditionalStreetName"),
        Some(
            select(address, "AddressLine/Line")
                .into_iter()
                .filter_map(text)
                .collect::<Vec<_>>()
                .join(", "),
        ),
        Some(city),
        part("Country/IdentificationCode"),
    ]
    .into_iter()
    .flatten()
    .filter(|p| !p.is_empty())
    .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

fn vat_line(subtotal: Node) -> Option<VatLine> {
    let amount = child(subtotal, "TaxAmount").and_then(decimal);
    let base = child(subtotal, "TaxableAmount").and_then(decimal);
    if amount.is_none() && base.is_none() {
        return None;
    }
    let category = child(subtotal, "TaxCategory");
    Some(VatLine {
        rate: category.and_then(|c| child(c, "Percent")).and_then(decimal).unwrap_or_default(),
        base,
        amount: amount.unwrap_or_default(),
        category: category.and_then(|c| child(c, "ID")).and_then(text),
        exemption_reason: category.and_then(|c| {
            child(c, "TaxExemptionReason")
                .and_then(text)
                .or_else(|| child(c, "TaxExemptionReasonCode").and_then(text))
        }),
    })
}

fn line_item(line: Node) -> LineItem {
    let quantity = child(line, "InvoicedQuantity").or_else(|| child(line, "CreditedQuantity"));
    LineItem {
        description: first(line, "Item/Name").and_then(text),
        quantity: quantity.and_then(decimal),
        unit: quantity.and_then(|q| q.attribute("unitCode")).map(str::to_string),
        unit_price: per_base(first(line, "Price/PriceAmount"), first(line, "Price/BaseQuantity")),
        vat_rate: first(line, "Item/ClassifiedTaxCategory/Percent").and_then(decimal),
        amount: child(line, "LineExtensionAmount").and_then(decimal),
        confidence: crate::build::XML_CONFIDENCE,
        page: None,
        bbox: None,
        source: Some(invex_domain::Source::EInvoice),
        ..Default::default()
    }
}
