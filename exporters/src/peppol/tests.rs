use super::lines::{address, unit_code};
use super::{PeppolExporter, Violation, check_xml, xsd};
use crate::DocumentExporter;
use crate::fixtures::{bookings, config};

#[test]
fn snapshots_of_the_five_cases() {
    let config = config();
    let exporter = PeppolExporter { config: &config };
    for b in bookings() {
        let xml = exporter.render(&b).expect("renders");
        let name = exporter.file_name(&b).replace(".xml", "");
        insta::assert_snapshot!(name, xml);
    }
}

/// Every case validates against the UBL 2.1 XSD and breaks no rule.
#[test]
fn documents_are_valid_ubl_and_follow_the_rules() {
    let config = config();
    let exporter = PeppolExporter { config: &config };
    let dir = tempfile::tempdir().expect("tempdir");
    for b in bookings() {
        let path = dir.path().join(exporter.file_name(&b));
        let mut file = std::fs::File::create(&path).expect("create");
        exporter.write_one(&b, &mut file).expect("writes");
        drop(file);
        xsd::validate(&path, &xsd::schema_dir()).unwrap_or_else(|e| panic!("{e}"));
        let violations = exporter.check(&b).expect("renders");
        assert_eq!(violations, Vec::<Violation>::new(), "{}", b.label());
        let xml = std::fs::read_to_string(&path).expect("read");
        let root = if b.credit_note { "<CreditNote " } else { "<Invoice " };
        assert!(xml.contains(root), "{}: {root}", b.label());
    }
}

/// The schema check catches what the schema forbids (elements out of order).
#[test]
fn the_schema_check_refuses_a_broken_document() {
    let config = config();
    let exporter = PeppolExporter { config: &config };
    let xml = exporter.render(&bookings()[0]).expect("renders");
    let broken = xml.replacen("<cbc:IssueDate>2026-03-02</cbc:IssueDate>", "", 1).replacen(
        "<cbc:DocumentCurrencyCode>",
        "<cbc:IssueDate>2026-03-02</cbc:IssueDate><cbc:DocumentCurrencyCode>",
        1,
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("broken.xml");
    std::fs::write(&path, broken).expect("write");
    let got = xsd::validate(&path, &xsd::schema_dir()).map_err(|e| e.to_string());
    assert!(got.as_ref().is_err_and(|e| e.contains("IssueDate")), "{got:?}");
}

/// Each edit of a valid document breaks the named rules, and only those.
#[test]
fn rules_name_what_an_edit_breaks() {
    let config = config();
    let exporter = PeppolExporter { config: &config };
    let all = bookings();
    let single = exporter.render(&all[0]).expect("renders");
    let mixed = exporter.render(&all[1]).expect("renders");
    let check = |xml: &str, from: &str, to: &str, expected: &[&str]| {
        assert!(xml.contains(from), "fixture lacks {from:?}");
        let got: Vec<&str> = check_xml(&xml.replacen(from, to, 1)).iter().map(|v| v.rule).collect();
        assert_eq!(got, expected, "{from:?} → {to:?}");
    };
    let cases: &[(&str, &str, &str, &[&str])] = &[
        (&single, "SE556036079301", "SE5560360793", &["SE-R-001", "SE-R-002"]),
        (&single, "SE556036079301", "SE55603607930A", &["SE-R-002"]),
        (
            &single,
            "schemeID=\"0007\">5560360793</cbc:CompanyID>",
            "schemeID=\"0007\">556036-0793</cbc:CompanyID>",
            &["SE-R-003", "SE-R-004", "SE-R-013"],
        ),
        (
            &single,
            "schemeID=\"0007\">5560360793</cbc:CompanyID>",
            "schemeID=\"0007\">5560360794</cbc:CompanyID>",
            &["SE-R-013"],
        ),
        (&single, "Godkänd för F-skatt", "F-skatt", &["SE-R-005"]),
        (&single, "<cbc:ID>50501055</cbc:ID>", "<cbc:ID>5050105X</cbc:ID>", &["SE-R-008"]),
        (
            &single,
            "<cbc:ID>50501055</cbc:ID>",
            "<cbc:ID>5050-1055</cbc:ID>",
            &["SE-R-008", "SE-R-009"],
        ),
        (&single, "<cbc:ID>50501055</cbc:ID>", "<cbc:ID>505010</cbc:ID>", &["SE-R-009"]),
        (
            &single,
            "<cbc:PaymentMeansCode>30</cbc:PaymentMeansCode>",
            "<cbc:PaymentMeansCode>50</cbc:PaymentMeansCode>",
            &["SE-R-011"],
        ),
        (
            &single,
            "<cbc:PaymentMeansCode>30</cbc:PaymentMeansCode>",
            "<cbc:PaymentMeansCode>31</cbc:PaymentMeansCode>",
            &["SE-R-012"],
        ),
        (&mixed, "<cbc:ID>9020033</cbc:ID>", "<cbc:ID>902003301</cbc:ID>", &["SE-R-010"]),
        (&mixed, "<cbc:ID>9020033</cbc:ID>", "<cbc:ID>90-20-03</cbc:ID>", &["SE-R-007"]),
        (
            &mixed,
            "<cbc:Percent>6</cbc:Percent>",
            "<cbc:Percent>7</cbc:Percent>",
            &["BR-S-08", "BR-S-09", "SE-R-006"],
        ),
        (
            &single,
            "<cbc:LineExtensionAmount currencyID=\"SEK\">1000.00</cbc:LineExtensionAmount>\n    <cbc:TaxExclusiveAmount",
            "<cbc:LineExtensionAmount currencyID=\"SEK\">1001.00</cbc:LineExtensionAmount>\n    <cbc:TaxExclusiveAmount",
            &["BR-CO-10", "BR-CO-13"],
        ),
        (
            &single,
            "<cbc:TaxInclusiveAmount currencyID=\"SEK\">1250.00",
            "<cbc:TaxInclusiveAmount currencyID=\"SEK\">1250.01",
            &["BR-CO-15", "BR-CO-16"],
        ),
        (
            &single,
            "<cbc:TaxAmount currencyID=\"SEK\">250.00</cbc:TaxAmount>\n    <cac:TaxSubtotal>",
            "<cbc:TaxAmount currencyID=\"SEK\">251.00</cbc:TaxAmount>\n    <cac:TaxSubtotal>",
            &["BR-CO-14", "BR-CO-15"],
        ),
        (
            &single,
            "<cbc:TaxableAmount currencyID=\"SEK\">1000.00",
            "<cbc:TaxableAmount currencyID=\"SEK\">900.00",
            &["BR-S-08", "BR-S-09"],
        ),
        (&single, "<cbc:DueDate>2026-04-02</cbc:DueDate>", "", &["BR-CO-25"]),
        (
            &single,
            "<cbc:BuyerReference>Åsa Öberg</cbc:BuyerReference>",
            "",
            &["PEPPOL-EN16931-R003"],
        ),
        (
            &single,
            "<cbc:EndpointID schemeID=\"0007\">5560360793</cbc:EndpointID>",
            "",
            &["PEPPOL-EN16931-R020"],
        ),
        (
            &single,
            "<cbc:CompanyID>SE556036079301</cbc:CompanyID>",
            "<cbc:CompanyID>556036079301</cbc:CompanyID>",
            &[],
        ),
        (
            &single,
            "<cbc:ID>VAT</cbc:ID>\n        </cac:TaxScheme>\n      </cac:PartyTaxScheme>\n      <cac:PartyTaxScheme>",
            "<cbc:ID>MOMS</cbc:ID>\n        </cac:TaxScheme>\n      </cac:PartyTaxScheme>\n      <cac:PartyTaxScheme>",
            &["BR-S-02", "SE-R-005"],
        ),
        (&single, "<cbc:Name>Målarfärg", "<cbc:Name>Målarfärg", &[]),
    ];
    for (xml, from, to, expected) in cases {
        check(xml, from, to, expected);
    }
    let garbage = check_xml("<Invoice>");
    assert_eq!(garbage.first().map(|v| v.rule), Some("XML"));
}

#[test]
fn units_and_addresses_map_to_ubl() {
    let units = [
        (Some("st"), "EA"),
        (Some("tim."), "HUR"),
        (Some("Kg"), "KGM"),
        (None, "EA"),
        (Some("mån"), "MON"),
    ];
    for (unit, expected) in units {
        assert_eq!(unit_code(unit), expected, "{unit:?}");
    }
    let s = |v: &str| Some(v.to_string());
    let cases = [
        ("Storgatan 1, 111 22 Stockholm", (s("Storgatan 1"), s("111 22"), s("Stockholm"))),
        (
            "Box 12, Kungsgatan 2, 41119 Göteborg",
            (s("Box 12, Kungsgatan 2"), s("41119"), s("Göteborg")),
        ),
        ("Industrivägen 4", (s("Industrivägen 4"), None, None)),
        ("", (None, None, None)),
    ];
    for (input, expected) in cases {
        assert_eq!(address(Some(input)), expected, "{input:?}");
    }
}

#[test]
fn refuses_what_it_cannot_write() {
    let check = |config: &crate::TenantConfig, b: &crate::Booking, expected: &str| {
        let got = PeppolExporter { config }.render(b).map(|_| ()).map_err(|e| e.to_string());
        assert_eq!(got, Err(format!("{}: cannot write as PEPPOL: {expected}", b.label())));
    };
    let mut no_buyer = config();
    no_buyer.company.org_nr = None;
    let mut german = bookings().remove(3);
    german.supplier.vat_nr = Some("DE351765665".into());
    let mut anonymous = bookings().remove(0);
    (anonymous.supplier.org_nr, anonymous.supplier.vat_nr) = (None, None);
    let cases = [
        (
            &no_buyer,
            bookings().remove(0),
            "set [company] org_nr in the tenant config: the buyer needs a PEPPOL endpoint",
        ),
        (
            &config(),
            german,
            "the supplier is in DE: cross-border invoices (VAT categories K/AE with exemption reasons) are not written yet",
        ),
        (
            &config(),
            anonymous,
            "the supplier has neither an org nr nor a Swedish VAT number for its PEPPOL endpoint",
        ),
    ];
    for (config, booking, expected) in cases {
        check(config, &booking, expected);
    }
    // Without an org nr, the endpoint comes from the Swedish VAT number.
    let mut vat_only = bookings().remove(0);
    vat_only.supplier.org_nr = None;
    let config = config();
    let xml = PeppolExporter { config: &config }.render(&vat_only).expect("renders");
    assert!(xml.contains("<cbc:EndpointID schemeID=\"0007\">5560360793</cbc:EndpointID>"), "{xml}");
}
