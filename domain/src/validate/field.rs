//! The check each invoice field has, as one function over typed values, so
//! every extractor and the combiner judge a value the same way.

use crate::invoice::{FieldName, Value};

use super::{
    bankgiro, bic, iban, national_tax_id, ocr_reference, org_nr, plusgiro, rf_reference, vat_number,
};

/// Whether `value` passes the check of field `name`: Luhn on Bankgiro,
/// Plusgiro and org.nr, IBAN mod 97, BIC form, VAT-number form (or, for the
/// supplier, a national tax id form the rules read too: a Spanish CIF, an
/// Italian partita IVA, an Indian GSTIN; the review's stricter check still
/// flags those, except a GSTIN whose check character holds), and an OCR number or an ISO 11649 creditor reference as
/// payment reference. Fields without a check, and non-text values, pass.
pub fn field_passes_check(name: FieldName, value: &Value) -> bool {
    use FieldName::*;
    let Value::Text(text) = value else { return true };
    match name {
        Bankgiro => bankgiro(text).is_some(),
        Plusgiro => plusgiro(text).is_some(),
        SupplierOrgNr | BuyerOrgNr => org_nr(text).is_some(),
        SupplierVat => vat_number(text).is_some() || national_tax_id(text).is_some(),
        Iban => iban(text).is_some(),
        Bic => bic(text).is_some(),
        PaymentReference => ocr_reference(text).is_some() || rf_reference(text).is_some(),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_checked_field_refuses_what_fails_its_validator() {
        let text = |s: &str| Value::Text(s.into());
        let check = |name: FieldName, value: &str, expected: bool| {
            assert_eq!(field_passes_check(name, &text(value)), expected, "{name} {value}");
        };
        check(FieldName::Bankgiro, "5050-1055", true);
        check(FieldName::Bankgiro, "5050-1056", false);
        check(FieldName::SupplierOrgNr, "556036-0793", true);
        check(FieldName::BuyerOrgNr, "556036-0794", false);
        check(FieldName::PaymentReference, "RF18539007547034", true);
        check(FieldName::PaymentReference, "Schreibtischstuhl", false);
        check(FieldName::InvoiceNumber, "anything", true);
        check(FieldName::SupplierVat, "DE123456789", true);
        check(FieldName::SupplierVat, "B06936140", true); // a Spanish CIF
        check(FieldName::SupplierVat, "DE12345", false);
        check(FieldName::SupplierVat, "hello", false);
        assert!(field_passes_check(FieldName::TotalAmount, &Value::Bool(true)));
    }
}
