//! Small hand-written documents: the guards, the syntaxes, the mapping's
//! corner cases. The public test-suite files are checked field by field
//! against an independent reader in the workspace tests (`tests/it/einvoice.rs`).

use invex_domain::{FieldName, Value};

use super::*;

const UBL: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
 xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
 xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
 <cbc:CustomizationID>urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0</cbc:CustomizationID>
 <cbc:ID>F-1001</cbc:ID>
 <cbc:IssueDate>2024-03-01</cbc:IssueDate>
 <cbc:DueDate>2024-03-31</cbc:DueDate>
 <cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>
 <cbc:DocumentCurrencyCode>SEK</cbc:DocumentCurrencyCode>
 <cbc:BuyerReference>Anna  Berg</cbc:BuyerReference>
 <cac:AccountingSupplierParty><cac:Party>
  <cac:PartyName><cbc:Name>Trading name</cbc:Name></cac:PartyName>
  <cac:PartyTaxScheme><cbc:CompanyID>SE556677889901</cbc:CompanyID><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>
  <cac:PartyTaxScheme><cbc:CompanyID>Godkänd för F-skatt</cbc:CompanyID><cac:TaxScheme><cbc:ID>TAX</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>
  <cac:PartyLegalEntity><cbc:RegistrationName>Leverantören AB</cbc:RegistrationName><cbc:CompanyID>5566778899</cbc:CompanyID></cac:PartyLegalEntity>
 </cac:Party></cac:AccountingSupplierParty>
 <cac:AccountingCustomerParty><cac:Party><cac:PartyName><cbc:Name>Kommunen</cbc:Name></cac:PartyName></cac:Party></cac:AccountingCustomerParty>
 <cac:PaymentMeans><cbc:PaymentMeansCode>30</cbc:PaymentMeansCode><cbc:PaymentID>1234567897</cbc:PaymentID>
  <cac:PayeeFinancialAccount><cbc:ID schemeID="SE:BANKGIRO">5050-1055</cbc:ID></cac:PayeeFinancialAccount></cac:PaymentMeans>
 <cac:PaymentMeans><cbc:PaymentMeansCode>58</cbc:PaymentMeansCode>
  <cac:PayeeFinancialAccount><cbc:ID>SE45 5000 0000 0583 9825 7466</cbc:ID></cac:PayeeFinancialAccount></cac:PaymentMeans>
 <cac:TaxTotal><cbc:TaxAmount currencyID="SEK">250.00</cbc:TaxAmount>
  <cac:TaxSubtotal><cbc:TaxableAmount currencyID="SEK">1000.00</cbc:TaxableAmount><cbc:TaxAmount currencyID="SEK">250.00</cbc:TaxAmount>
   <cac:TaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>25</cbc:Percent><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:TaxCategory></cac:TaxSubtotal></cac:TaxTotal>
 <cac:LegalMonetaryTotal><cbc:LineExtensionAmount currencyID="SEK">1000.00</cbc:LineExtensionAmount>
  <cbc:TaxExclusiveAmount currencyID="SEK">1000.00</cbc:TaxExclusiveAmount><cbc:TaxInclusiveAmount currencyID="SEK">1250.00</cbc:TaxInclusiveAmount>
  <cbc:PayableAmount currencyID="SEK">1250.00</cbc:PayableAmount></cac:LegalMonetaryTotal>
 <cac:InvoiceLine><cbc:ID>1</cbc:ID><cbc:InvoicedQuantity unitCode="HUR">10</cbc:InvoicedQuantity><cbc:LineExtensionAmount currencyID="SEK">1000.00</cbc:LineExtensionAmount>
  <cac:Item><cbc:Name>Konsulttimmar</cbc:Name><cac:ClassifiedTaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>25</cbc:Percent></cac:ClassifiedTaxCategory></cac:Item>
  <cac:Price><cbc:PriceAmount currencyID="SEK">100</cbc:PriceAmount></cac:Price></cac:InvoiceLine>
</Invoice>"#;

const CII: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
 xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
 xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100">
 <rsm:ExchangedDocumentContext><ram:GuidelineSpecifiedDocumentContextParameter><ram:ID>urn:factur-x.eu:1p0:minimum</ram:ID></ram:GuidelineSpecifiedDocumentContextParameter></rsm:ExchangedDocumentContext>
 <rsm:ExchangedDocument><ram:ID>AV-7</ram:ID><ram:TypeCode>381</ram:TypeCode>
  <ram:IssueDateTime><udt:DateTimeString format="102">20240301</udt:DateTimeString></ram:IssueDateTime></rsm:ExchangedDocument>
 <rsm:SupplyChainTradeTransaction>
  <ram:ApplicableHeaderTradeAgreement>
   <ram:SellerTradeParty><ram:Name>Le Fournisseur SARL</ram:Name>
    <ram:SpecifiedTaxRegistration><ram:ID schemeID="FC">201/113/40209</ram:ID></ram:SpecifiedTaxRegistration>
    <ram:SpecifiedTaxRegistration><ram:ID schemeID="VA">fr 11 999999998</ram:ID></ram:SpecifiedTaxRegistration></ram:SellerTradeParty>
   <ram:BuyerTradeParty><ram:Name>Le Client</ram:Name></ram:BuyerTradeParty>
  </ram:ApplicableHeaderTradeAgreement>
  <ram:ApplicableHeaderTradeSettlement>
   <ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode>
   <ram:InvoiceReferencedDocument><ram:IssuerAssignedID>F-2024-1</ram:IssuerAssignedID></ram:InvoiceReferencedDocument>
   <ram:SpecifiedTradeSettlementHeaderMonetarySummation>
    <ram:TaxBasisTotalAmount>100.00</ram:TaxBasisTotalAmount>
    <ram:TaxTotalAmount currencyID="SEK">220.00</ram:TaxTotalAmount>
    <ram:TaxTotalAmount currencyID="EUR">20.00</ram:TaxTotalAmount>
    <ram:GrandTotalAmount>120.00</ram:GrandTotalAmount>
   </ram:SpecifiedTradeSettlementHeaderMonetarySummation>
  </ram:ApplicableHeaderTradeSettlement>
 </rsm:SupplyChainTradeTransaction>
</rsm:CrossIndustryInvoice>"#;

fn read(xml: &str) -> Result<invex_domain::Invoice, Error> {
    XmlInvoiceReader::default().read(xml.as_bytes())
}

fn text(value: &str) -> Option<Value> {
    Some(Value::Text(value.into()))
}

#[test]
fn ubl_maps_every_field_with_its_path() {
    let inv = read(UBL).unwrap();
    let amount = |s: &str| Some(Value::Amount(s.parse().unwrap()));
    let date = |s: &str| Some(Value::Date(s.parse().unwrap()));
    let expected = [
        (FieldName::InvoiceNumber, text("F-1001")),
        (FieldName::InvoiceDate, date("2024-03-01")),
        (FieldName::DueDate, date("2024-03-31")),
        (FieldName::Currency, text("SEK")),
        (FieldName::NetAmount, amount("1000.00")),
        (FieldName::VatAmount, amount("250.00")),
        (FieldName::TotalAmount, amount("1250.00")),
        (FieldName::IsCreditNote, Some(Value::Bool(false))),
        (FieldName::SupplierName, text("Leverantören AB")),
        (FieldName::SupplierOrgNr, text("5566778899")),
        (FieldName::SupplierVat, text("SE556677889901")),
        (FieldName::SupplierFSkatt, Some(Value::Bool(true))),
        (FieldName::BuyerName, text("Kommunen")),
        (FieldName::BuyerReference, text("Anna Berg")),
        (FieldName::Bankgiro, text("50501055")),
        (FieldName::Iban, text("SE4550000000058398257466")),
        (FieldName::PaymentReference, text("1234567897")),
        (FieldName::Plusgiro, None),
        (FieldName::Bic, None),
    ];
    for (name, value) in expected {
        assert_eq!(inv.get(name).map(|f| f.value.clone()), value, "{name}");
    }
    let total = inv.get(FieldName::TotalAmount).unwrap();
    assert_eq!(total.source, invex_domain::Source::EInvoice);
    assert_eq!(
        total.xml_path.as_deref(),
        Some("/Invoice/cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount")
    );
    assert_eq!(
        inv.get(FieldName::Iban).unwrap().xml_path.as_deref(),
        Some("/Invoice/cac:PaymentMeans[2]/cac:PayeeFinancialAccount/cbc:ID")
    );
    assert_eq!(inv.vat_breakdown.len(), 1);
    assert_eq!(inv.vat_breakdown[0].category.as_deref(), Some("S"));
    assert_eq!(inv.line_items.len(), 1);
    assert_eq!(inv.line_items[0].unit.as_deref(), Some("HUR"));
    let info = inv.e_invoice.unwrap();
    assert_eq!(info.syntax.as_deref(), Some("ubl"));
    assert!(info.warnings.is_empty(), "{:?}", info.warnings);
}

#[test]
fn cii_credit_note_takes_the_tax_in_invoice_currency() {
    let inv = read(CII).unwrap();
    assert_eq!(inv.get(FieldName::IsCreditNote).unwrap().value, Value::Bool(true));
    assert_eq!(inv.amount(FieldName::VatAmount), Some("20.00".parse().unwrap()));
    assert_eq!(inv.text(FieldName::SupplierVat), Some("FR11999999998"));
    assert_eq!(inv.get(FieldName::SupplierFSkatt), None, "a Steuernummer is not F-skatt");
    let info = inv.e_invoice.unwrap();
    assert_eq!(info.syntax.as_deref(), Some("cii"));
    assert_eq!(info.profile.as_deref(), Some("urn:factur-x.eu:1p0:minimum"));
    assert_eq!(info.preceding_invoices, ["F-2024-1"]);
}

#[test]
fn business_rules_are_warnings() {
    let broken = CII.replace("<ram:GrandTotalAmount>120.00", "<ram:GrandTotalAmount>150.00");
    let inv = read(&broken).unwrap();
    let warnings = inv.e_invoice.clone().unwrap().warnings;
    assert!(warnings.iter().any(|w| w.starts_with("BR-CO-15")), "{warnings:?}");
    assert_eq!(inv.amount(FieldName::TotalAmount), Some("150.00".parse().unwrap()));
}

#[test]
fn refusals_name_their_reason() {
    let deep = format!("{}{}", "<a>".repeat(100_000), "</a>".repeat(100_000));
    let many = format!("<a>{}</a>", "<b/>".repeat(250_000));
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "billion laughs",
            r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><Invoice>&lol2;</Invoice>"#.into(),
            "unsafe: the XML has a DTD",
        ),
        (
            "external entity",
            r#"<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><Invoice>&xxe;</Invoice>"#.into(),
            "unsafe: the XML has a DTD",
        ),
        ("deep nesting", deep, "unsafe: the XML nests elements deeper than 64"),
        ("too many nodes", many, "unsafe: the XML has more than 200000 nodes"),
        ("too large", format!("<a>{}</a>", "x".repeat(1_100_000)), "unsafe: the XML is 1100007 bytes"),
        ("not well-formed", "<Invoice><cbc:ID>1</Invoice>".into(), "invalid: "),
        (
            "an order",
            r#"<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"><ID>1</ID></Order>"#.into(),
            "not an invoice: its root element is Order (namespace urn:oasis:names:specification:ubl:schema:xsd:Order-2)",
        ),
        ("no namespace", "<Invoice><ID>1</ID></Invoice>".into(), "not an invoice: its root element is Invoice (no namespace)"),
    ];
    let reader =
        XmlInvoiceReader::new(Limits { max_bytes: 1 << 20, max_nodes: 200_000, max_depth: 64 });
    let mut cases: Vec<(&str, Vec<u8>, &str)> =
        cases.into_iter().map(|(n, x, e)| (n, x.into_bytes(), e)).collect();
    cases.push(("not UTF-8", b"<a>\xff</a>".to_vec(), "invalid: the XML is not UTF-8"));
    for (name, xml, expected) in cases {
        let got = match reader.read(&xml) {
            Ok(_) => "read".to_string(),
            Err(Error::Unsafe(why)) => format!("unsafe: {why}"),
            Err(Error::Invalid(why)) => format!("invalid: {why}"),
            Err(Error::NotAnInvoice(why)) => format!("not an invoice: {why}"),
        };
        assert!(got.starts_with(expected), "{name}: {got}");
    }
}

#[test]
fn errors_map_to_document_error_codes() {
    let reader = XmlInvoiceReader::default();
    let code = |xml: &str| reader.read_xml(xml.as_bytes()).unwrap_err().code();
    assert_eq!(code("<Order xmlns=\"x\"/>"), "not_an_invoice");
    assert_eq!(code("<a>"), "invalid_xml");
    assert_eq!(code("<!DOCTYPE a [<!ENTITY b \"c\">]><a>&b;</a>"), "unsafe_xml");
}

#[test]
fn amounts_at_the_decimal_limit_are_read_without_panicking() {
    let huge = "79228162514264337593543950335";
    let xml = CII
        .replace("<ram:TaxBasisTotalAmount>100.00", &format!("<ram:TaxBasisTotalAmount>{huge}"))
        .replace(
            "<ram:TaxTotalAmount currencyID=\"EUR\">20.00",
            &format!("<ram:TaxTotalAmount currencyID=\"EUR\">{huge}"),
        )
        .replace(
            "<ram:GrandTotalAmount>120.00",
            "<ram:GrandTotalAmount>999999999999999999999999999999999",
        );
    let inv = read(&xml).unwrap();
    // Beyond 15 integer digits (as on the page) an amount is absent, not guessed.
    assert_eq!(inv.get(FieldName::NetAmount), None);
    assert_eq!(inv.get(FieldName::TotalAmount), None);
    let big = "999999999999999.999999";
    let xml = CII
        .replace("<ram:TaxBasisTotalAmount>100.00", &format!("<ram:TaxBasisTotalAmount>{big}"))
        .replace("<ram:GrandTotalAmount>120.00", &format!("<ram:GrandTotalAmount>{big}"));
    let largest = read(&xml).unwrap();
    assert_eq!(largest.amount(FieldName::NetAmount), Some(big.parse().unwrap()));
    let warnings = inv.e_invoice.clone().unwrap().warnings;
    assert!(warnings.iter().any(|w| w.starts_with("BR-14")), "{warnings:?}");
    // The service's checks on it do not panic either.
    let _ = invex_domain::service::review::failed_checks(&inv);
    let _ = invex_domain::Prediction::ok("huge.xml".into(), inv, 0).to_json();
}

#[test]
fn rounding_base_quantities_and_time_zones() {
    let xml = UBL
        .replace(
            r#"<cbc:PayableAmount currencyID="SEK">1250.00</cbc:PayableAmount>"#,
            r#"<cbc:PayableRoundingAmount currencyID="SEK">0.40</cbc:PayableRoundingAmount><cbc:PayableAmount currencyID="SEK">1250.40</cbc:PayableAmount>"#,
        )
        .replace("<cbc:IssueDate>2024-03-01</cbc:IssueDate>", "<cbc:IssueDate>2024-03-01+01:00</cbc:IssueDate>")
        .replace(
            r#"<cbc:PriceAmount currencyID="SEK">100</cbc:PriceAmount>"#,
            r#"<cbc:PriceAmount currencyID="SEK">200</cbc:PriceAmount><cbc:BaseQuantity unitCode="HUR">2</cbc:BaseQuantity>"#,
        );
    let inv = read(&xml).unwrap();
    // The total is what is paid: BT-112 plus the öre rounding.
    assert_eq!(inv.amount(FieldName::TotalAmount), Some("1250.40".parse().unwrap()));
    assert_eq!(inv.date(FieldName::InvoiceDate), "2024-03-01".parse().ok());
    assert_eq!(inv.line_items[0].unit_price, Some("100".parse().unwrap()), "per unit, not per 2");
    let info = inv.e_invoice.unwrap();
    assert_eq!(info.printed_totals, ["1250.00".parse::<rust_decimal::Decimal>().unwrap()]);
    assert!(info.warnings.is_empty(), "öre rounding is not a BR-CO-15 breach: {:?}", info.warnings);
}

/// Mutated documents (truncated, bytes flipped, slices repeated or dropped)
/// are read or refused, never a panic: the reader sees hostile input.
#[test]
fn mutated_documents_never_panic() {
    let reader = XmlInvoiceReader::default();
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move |bound: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % bound.max(1) as u64) as usize
    };
    let mut read = 0;
    for doc in [UBL, CII] {
        let bytes = doc.as_bytes();
        for round in 0..2000 {
            let mut m = bytes.to_vec();
            let at = next(m.len());
            match round % 4 {
                0 => m.truncate(at),
                1 => m[at] = (next(256)) as u8,
                2 => {
                    let end = (at + next(64)).min(m.len());
                    let slice = m[at..end].to_vec();
                    m.splice(at..at, slice);
                }
                _ => {
                    let end = (at + next(64)).min(m.len());
                    m.drain(at..end);
                }
            }
            let outcome = std::panic::catch_unwind(|| reader.read(&m));
            assert!(outcome.is_ok(), "panic on round {round}: {:?}", String::from_utf8_lossy(&m));
            if let Ok(Ok(invoice)) = outcome {
                read += 1;
                let _ = invex_domain::service::review::failed_checks(&invoice);
            }
        }
    }
    assert!(read > 100, "only {read} mutated documents were still invoices");
}

/// A placeholder date (`00010101`, `9999-12-31`) is no date: the field is
/// absent (the page or a person supplies it), the rest is read.
#[test]
fn placeholder_dates_are_absent() {
    let cases = [
        (CII.replace(">20240301<", ">00010101<"), None),
        (CII.replace(">20240301<", ">99991231<"), None),
        (CII.to_string(), "2024-03-01".parse().ok()),
        (UBL.replace("<cbc:IssueDate>2024-03-01", "<cbc:IssueDate>0001-01-01"), None),
    ];
    for (xml, want) in cases {
        let inv = read(&xml).expect("read");
        assert_eq!(inv.date(FieldName::InvoiceDate), want);
        assert!(inv.amount(FieldName::TotalAmount).is_some());
    }
}
