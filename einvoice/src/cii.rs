//! UN/CEFACT Cross Industry Invoice: ZUGFeRD 2.x, Factur-X (every profile)
//! and XRechnung CII, and ZUGFeRD 1.0's `CrossIndustryDocument`, whose
//! elements differ only in name (see `MAPPING.md`).

use invex_domain::{EInvoiceInfo, FieldName, Invoice, LineItem, Value, VatLine};
use roxmltree::Node;

use crate::build::{
    CREDIT_NOTE_CODES, Fields, cii_date, compact_upper, decimal, per_base, plus_rounding,
};
use crate::xml::{child, children, descendant, first, select, text};

/// Element names that differ between ZUGFeRD 1.0 and CII D16B.
struct Names {
    context: &'static str,
    document: &'static str,
    transaction: &'static str,
    agreement: &'static str,
    settlement: &'static str,
    summation: &'static str,
    line_summation: &'static str,
    rate: &'static str,
    order_id: &'static str,
}

const D16B: Names = Names {
    context: "ExchangedDocumentContext",
    document: "ExchangedDocument",
    transaction: "SupplyChainTradeTransaction",
    agreement: "ApplicableHeaderTradeAgreement",
    settlement: "ApplicableHeaderTradeSettlement",
    summation: "SpecifiedTradeSettlementHeaderMonetarySummation",
    line_summation: "SpecifiedTradeSettlementLineMonetarySummation",
    rate: "RateApplicablePercent",
    order_id: "IssuerAssignedID",
};

const ZF1: Names = Names {
    context: "SpecifiedExchangedDocumentContext",
    document: "HeaderExchangedDocument",
    transaction: "SpecifiedSupplyChainTradeTransaction",
    agreement: "ApplicableSupplyChainTradeAgreement",
    settlement: "ApplicableSupplyChainTradeSettlement",
    summation: "SpecifiedTradeSettlementMonetarySummation",
    line_summation: "SpecifiedTradeSettlementMonetarySummation",
    rate: "ApplicablePercent",
    order_id: "ID",
};

/// Reads a CII invoice; `zf1` for ZUGFeRD 1.0's names.
pub fn read(root: Node, zf1: bool) -> Invoice {
    let n = if zf1 { &ZF1 } else { &D16B };
    let mut f = Fields::default();
    let document = child(root, n.document);
    let transaction = child(root, n.transaction);
    let agreement = transaction.and_then(|t| child(t, n.agreement));
    let settlement = transaction.and_then(|t| child(t, n.settlement));
    let summation = settlement.and_then(|s| child(s, n.summation));

    if let Some(doc) = document {
        f.text(FieldName::InvoiceNumber, child(doc, "ID"));
        if let Some(d) = first(doc, "IssueDateTime/DateTimeString") {
            f.set(FieldName::InvoiceDate, cii_date(d).map(Value::Date), d);
        }
        if let Some(code) = child(doc, "TypeCode") {
            let credit = text(code).is_some_and(|c| CREDIT_NOTE_CODES.contains(&c.as_str()));
            f.set(FieldName::IsCreditNote, Some(Value::Bool(credit)), code);
        }
    }

    let currency = settlement.and_then(|s| child(s, "InvoiceCurrencyCode"));
    f.text(FieldName::Currency, currency);
    let currency = currency.and_then(text);
    if let Some(s) = settlement {
        if let Some(d) = first(s, "SpecifiedTradePaymentTerms/DueDateDateTime/DateTimeString") {
            f.set(FieldName::DueDate, cii_date(d).map(Value::Date), d);
        }
        f.text(FieldName::PaymentReference, child(s, "PaymentReference"));
        let means = "SpecifiedTradeSettlementPaymentMeans";
        if let Some(iban) = first(s, &format!("{means}/PayeePartyCreditorFinancialAccount/IBANID"))
        {
            f.set(FieldName::Iban, compact_upper(iban).map(Value::Text), iban);
        }
        if let Some(bic) =
            first(s, &format!("{means}/PayeeSpecifiedCreditorFinancialInstitution/BICID"))
        {
            f.set(FieldName::Bic, compact_upper(bic).map(Value::Text), bic);
        }
    }
    if let Some(sum) = summation {
        f.amount(FieldName::NetAmount, child(sum, "TaxBasisTotalAmount"));
        if let Some(grand) = child(sum, "GrandTotalAmount") {
            let total = plus_rounding(Some(grand), child(sum, "RoundingAmount"));
            f.set(FieldName::TotalAmount, total.map(Value::Amount), grand);
        }
        let taxes: Vec<Node> = children(sum, "TaxTotalAmount").collect();
        let in_currency = taxes.iter().find(|t| {
            t.attribute("currencyID").is_some() && t.attribute("currencyID") == currency.as_deref()
        });
        f.amount(FieldName::VatAmount, in_currency.or(taxes.first()).copied());
    }

    if let Some(a) = agreement {
        f.text(FieldName::BuyerReference, child(a, "BuyerReference"));
        f.text(
            FieldName::OrderNumber,
            first(a, &format!("BuyerOrderReferencedDocument/{}", n.order_id)),
        );
        if let Some(seller) = child(a, "SellerTradeParty") {
            f.text(FieldName::SupplierName, child(seller, "Name"));
            f.text(FieldName::SupplierOrgNr, first(seller, "SpecifiedLegalOrganization/ID"));
            f.text(FieldName::SupplierReference, first(seller, "DefinedTradeContact/PersonName"));
            for id in select(seller, "SpecifiedTaxRegistration/ID") {
                if id.attribute("schemeID") == Some("VA") {
                    f.set(FieldName::SupplierVat, compact_upper(id).map(Value::Text), id);
                } else if text(id).is_some_and(|t| t.to_lowercase().contains("skatt")) {
                    f.set(FieldName::SupplierFSkatt, Some(Value::Bool(true)), id);
                }
            }
            if let Some(address) = child(seller, "PostalTradeAddress") {
                f.set(FieldName::SupplierAddress, cii_address(address).map(Value::Text), address);
            }
        }
        if let Some(buyer) = child(a, "BuyerTradeParty") {
            f.text(FieldName::BuyerName, child(buyer, "Name"));
            f.text(FieldName::BuyerOrgNr, first(buyer, "SpecifiedLegalOrganization/ID"));
        }
    }

    let mut invoice = f.invoice;
    if let Some(s) = settlement {
        invoice.vat_breakdown =
            children(s, "ApplicableTradeTax").filter_map(|t| vat_line(t, n)).collect();
    }
    if let Some(t) = transaction {
        invoice.line_items =
            children(t, "IncludedSupplyChainTradeLineItem").map(|l| line_item(l, n)).collect();
    }
    let printed_totals = ["GrandTotalAmount"]
        .iter()
        .filter_map(|name| summation.and_then(|sum| child(sum, name)).and_then(decimal))
        .collect();
    invoice.e_invoice = Some(EInvoiceInfo {
        syntax: Some(if zf1 { "cii-zf1" } else { "cii" }.into()),
        printed_totals,
        profile: first(
            root,
            &format!("{}/GuidelineSpecifiedDocumentContextParameter/ID", n.context),
        )
        .and_then(text),
        preceding_invoices: settlement
            .map(|s| {
                select(s, &format!("InvoiceReferencedDocument/{}", n.order_id))
                    .into_iter()
                    .filter_map(text)
                    .collect()
            })
            .unwrap_or_default(),
        ..Default::default()
    });
    invoice
}

fn cii_address(address: Node) -> Option<String> {
    let part = |name| child(address, name).and_then(text);
    let city = [part("PostcodeCode"), part("CityName")]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let parts: Vec<String> =
        [part("LineOne"), part("LineTwo"), part("LineThree"), Some(city), part("CountryID")]
            .into_iter()
            .flatten()
            .filter(|p| !p.is_empty())
            .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

fn vat_line(tax: Node, n: &Names) -> Option<VatLine> {
    let amount = child(tax, "CalculatedAmount").and_then(decimal);
    let base = child(tax, "BasisAmount").and_then(decimal);
    if amount.is_none() && base.is_none() {
        return None;
    }
    Some(VatLine {
        rate: child(tax, n.rate).and_then(decimal).unwrap_or_default(),
        base,
        amount: amount.unwrap_or_default(),
        category: child(tax, "CategoryCode").and_then(text),
        exemption_reason: child(tax, "ExemptionReason")
            .and_then(text)
            .or_else(|| child(tax, "ExemptionReasonCode").and_then(text)),
    })
}

fn line_item(line: Node, n: &Names) -> LineItem {
    let quantity = descendant(line, "BilledQuantity");
    LineItem {
        description: descendant(line, "SpecifiedTradeProduct")
            .and_then(|p| child(p, "Name"))
            .and_then(text),
        quantity: quantity.and_then(decimal),
        unit: quantity.and_then(|q| q.attribute("unitCode")).map(str::to_string),
        unit_price: descendant(line, "NetPriceProductTradePrice")
            .and_then(|p| per_base(child(p, "ChargeAmount"), child(p, "BasisQuantity"))),
        vat_rate: descendant(line, "ApplicableTradeTax")
            .and_then(|t| child(t, n.rate))
            .and_then(decimal),
        amount: descendant(line, n.line_summation)
            .and_then(|s| child(s, "LineTotalAmount"))
            .and_then(decimal),
        confidence: crate::build::XML_CONFIDENCE,
        page: None,
        bbox: None,
        source: Some(invex_domain::Source::EInvoice),
        ..Default::default()
    }
}
