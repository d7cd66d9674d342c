//! A few EN 16931 business rules, checked on the mapped invoice and
//! reported as warnings (never a refusal). This is a subset written from
//! the standard's rule texts, not the official schematron: the rules whose
//! breach would mean a wrong booking.

use invex_domain::{FieldName, Invoice};
use rust_decimal::Decimal;

/// The broken rules, each as `"BR-xx: what is wrong"`.
pub fn check(invoice: &Invoice) -> Vec<String> {
    let mut warnings = Vec::new();
    let required = [
        ("BR-02", FieldName::InvoiceNumber, "an invoice shall have an invoice number (BT-1)"),
        ("BR-03", FieldName::InvoiceDate, "an invoice shall have an issue date (BT-2)"),
        ("BR-05", FieldName::Currency, "an invoice shall have a currency code (BT-5)"),
        ("BR-06", FieldName::SupplierName, "an invoice shall have the seller's name (BT-27)"),
        ("BR-07", FieldName::BuyerName, "an invoice shall have the buyer's name (BT-44)"),
        ("BR-14", FieldName::TotalAmount, "an invoice shall have the total with VAT (BT-112)"),
    ];
    for (rule, field, text) in required {
        if invoice.get(field).is_none() {
            warnings.push(format!("{rule}: {text}"));
        }
    }
    let net = invoice.amount(FieldName::NetAmount);
    let vat = invoice.amount(FieldName::VatAmount).unwrap_or_default();
    // BR-CO-15 is about the total before rounding (BT-112); invex's total adds BT-114.
    let before_rounding =
        invoice.e_invoice.as_ref().and_then(|e| e.printed_totals.first().copied());
    if let (Some(net), Some(total)) =
        (net, before_rounding.or(invoice.amount(FieldName::TotalAmount)))
        && net.checked_add(vat) != Some(total)
    {
        warnings.push(format!(
            "BR-CO-15: the total with VAT {total} is not the total without VAT {net} plus VAT {vat}"
        ));
    }
    if !invoice.vat_breakdown.is_empty() {
        let sum =
            invoice.vat_breakdown.iter().try_fold(Decimal::ZERO, |s, l| s.checked_add(l.amount));
        if let Some(vat) = invoice.amount(FieldName::VatAmount)
            && sum != Some(vat)
        {
            let sum = sum.map_or("too large to add up".to_string(), |s| s.to_string());
            warnings.push(format!(
                "BR-CO-14: the VAT total {vat} is not the sum of the VAT breakdown ({sum})"
            ));
        }
    }
    for line in &invoice.vat_breakdown {
        if line.category.as_deref() == Some("S") && line.rate.is_zero() {
            warnings.push("BR-S-05: a standard-rated VAT breakdown has a rate of 0".into());
        }
    }
    warnings
}
