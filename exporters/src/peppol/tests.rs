use super::lines::{address, unit_code};
use super::{PeppolExporter, Violation, check_xml, xsd};
use crate::DocumentExporter;
use crate::fixtures::{bookings, config};

#[test]
fn snapshots_of_the_nine_cases() {
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

/// Every case passes OpenPEPPOL's own validation, the CEN EN 16931 and the
/// PEPPOL BIS 3 schematrons, with no fatal finding: the credit note's
/// `BillingReference`, the reverse charges' `AE`, the EU goods' `K` with its
/// delivery, representation's 12 %.
#[test]
fn every_case_passes_the_official_schematron() {
    let config = config();
    let exporter = PeppolExporter { config: &config };
    let dir = tempfile::tempdir().expect("tempdir");
    let all = bookings();
    for b in &all {
        let xml = exporter.render(b).expect("renders");
        std::fs::write(dir.path().join(exporter.file_name(b)), xml).expect("write");
    }
    let findings = super::schematron::validate_dir(dir.path());
    let fatal: Vec<_> = findings.iter().filter(|f| f.flag == "fatal").collect();
    assert!(fatal.is_empty(), "{fatal:#?}");
    // The stated categories are those the cases call for.
    let categories = [
        ("credit_note", "S", Some("<cbc:ID>F-1001</cbc:ID>")),
        ("eu_service_reverse_charge", "AE", None),
        ("construction_reverse_charge", "AE", None),
        ("eu_goods", "K", Some("<cbc:ActualDeliveryDate>2026-03-19</cbc:ActualDeliveryDate>")),
        ("representation", "S", None),
    ];
    for (case, category, also) in categories {
        let b = all.iter().find(|b| b.source.starts_with(case)).expect(case);
        let xml = exporter.render(b).expect("renders");
        let id = format!("<cac:TaxCategory><cbc:ID>{category}</cbc:ID>");
        assert!(xml.replace(['\n', ' '], "").contains(&id.replace(' ', "")), "{case}: {id}");
        if let Some(also) = also {
            assert!(xml.contains(also), "{case}: {also}");
        }
    }
}

/// The schematron run catches what the rules forbid: a total that does not
/// add up (BR-CO-15) and a document with neither buyer reference nor order
/// (PEPPOL-EN16931-R003).
#[test]
fn the_schematron_refuses_a_broken_document() {
    let config = config();
    let exporter = PeppolExporter { config: &config };
    let xml = exporter.render(&bookings()[0]).expect("renders");
    let dir = tempfile::tempdir().expect("tempdir");
    let wrong_total = xml.replacen(
        "<cbc:TaxInclusiveAmount currencyID=\"SEK\">1250.00</cbc:TaxInclusiveAmount>",
        "<cbc:TaxInclusiveAmount currencyID=\"SEK\">9999.00</cbc:TaxInclusiveAmount>",
        1,
    );
    assert_ne!(wrong_total, xml, "the fixture's TaxInclusiveAmount");
    std::fs::write(dir.path().join("total.xml"), wrong_total).expect("write");
    let no_reference = xml.replacen("<cbc:BuyerReference>Åsa Öberg</cbc:BuyerReference>", "", 1);
    assert_ne!(no_reference, xml, "the fixture's BuyerReference");
    std::fs::write(dir.path().join("reference.xml"), no_reference).expect("write");
    let findings = super::schematron::validate_dir(dir.path());
    let fatal = |file: &str, id: &str| {
        findings.iter().any(|f| f.file.starts_with(file) && f.id == id && f.flag == "fatal")
    };
    assert!(fatal("total", "BR-CO-15"), "{findings:#?}");
    assert!(fatal("reference", "PEPPOL-EN16931-R003"), "{findings:#?}");
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
        (
            "Keizersgracht 1, 1015 CJ Amsterdam",
            (s("Keizersgracht 1"), s("1015 CJ"), s("Amsterdam")),
        ),
        ("Vesterbrogade 3, 1620 København V", (s("Vesterbrogade 3"), s("1620"), s("København V"))),
        ("1600 Amphitheatre Parkway", (s("1600 Amphitheatre Parkway"), None, None)),
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
    for part in &mut german.vat {
        part.rate = rust_decimal::Decimal::ZERO;
    }
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
            "the supplier is in another country and charges 0 % VAT without stating why: reverse charge (AE), intra-community supply (K) or export (G) cannot be told apart",
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

/// A seller in another EU country charging its own VAT is written with its
/// VAT number as endpoint (EAS 9930 for DE), and follows the rules.
#[test]
fn foreign_sellers_charging_vat_are_written() {
    let config = config();
    let exporter = PeppolExporter { config: &config };
    // (VAT number, endpoint written)
    let cases = [
        ("DE351765665", r#"<cbc:EndpointID schemeID="9930">DE351765665</cbc:EndpointID>"#),
        ("FR40303265045", r#"<cbc:EndpointID schemeID="9957">FR40303265045</cbc:EndpointID>"#),
        ("DK13585628", r#"<cbc:EndpointID schemeID="0184">13585628</cbc:EndpointID>"#),
        ("NO923609016MVA", r#"<cbc:EndpointID schemeID="0192">923609016</cbc:EndpointID>"#),
    ];
    let dir = tempfile::tempdir().expect("tempdir");
    for (vat, endpoint) in cases {
        let mut b = bookings().remove(3);
        (b.supplier.vat_nr, b.supplier.org_nr) = (Some(vat.into()), None);
        let xml = exporter.render(&b).expect("renders");
        assert!(xml.contains(endpoint), "{vat}: {xml}");
        assert!(!xml.contains("F-skatt"), "{vat}");
        assert_eq!(check_xml(&xml), Vec::<Violation>::new(), "{vat}");
        let path = dir.path().join(format!("{vat}.xml"));
        std::fs::write(&path, &xml).expect("write");
        xsd::validate(&path, &xsd::schema_dir()).unwrap_or_else(|e| panic!("{vat}: {e}"));
        // DK-R-002: a Danish seller's legal entity is its CVR.
        let cvr = r#"<cbc:CompanyID schemeID="0184">13585628</cbc:CompanyID>"#;
        assert_eq!(xml.contains(cvr), vat.starts_with("DK"), "{vat}");
    }
    // A Greek seller's document needs what a page does not give (GR-R-001/004).
    let mut greek = bookings().remove(3);
    (greek.supplier.vat_nr, greek.supplier.org_nr) = (Some("ELA094019245".into()), None);
    let err = exporter.render(&greek).expect_err("Greek").to_string();
    assert!(err.contains("GR-R-004"), "{err}");
    // The national rules of the sellers' countries hold (DK-R-002, …).
    let fatal: Vec<_> = super::schematron::validate_dir(dir.path())
        .into_iter()
        .filter(|f| f.flag == "fatal")
        .collect();
    assert!(fatal.is_empty(), "{fatal:#?}");
}

/// A Dutch seller's address must have its street, city and post code
/// (NL-R-002); one the extractor did not split is refused.
#[test]
fn a_dutch_address_is_complete_or_refused() {
    let config = config();
    let exporter = PeppolExporter { config: &config };
    for (address, refused) in
        [("Keizersgracht 1, 1015 CJ Amsterdam", false), ("Keizersgracht 1 Amsterdam", true)]
    {
        let mut b = bookings().remove(3);
        (b.supplier.vat_nr, b.supplier.org_nr) = (Some("NL123456789B01".into()), None);
        b.supplier.address = Some(address.into());
        let got = exporter.render(&b);
        assert_eq!(got.is_err(), refused, "{address}: {got:?}");
        if refused {
            assert!(got.unwrap_err().to_string().contains("NL-R-002"));
        }
    }
}

/// An allowance and a charge printed among the items become document-level
/// `AllowanceCharge`s, a line without a rate takes the invoice's only rate,
/// and the extracted item stays the document's one line.
#[test]
fn allowances_and_charges_are_written_as_such() {
    use invex_domain::LineKind;
    let config = config();
    let exporter = PeppolExporter { config: &config };
    let mut b = bookings().remove(0); // one 25 % line of 1000, net 1000
    let mut discount = b.lines[0].clone();
    (discount.kind, discount.description, discount.amount) =
        (LineKind::Allowance, Some("Rabatt 10 %".into()), Some(crate::fixtures::dec("-100")));
    (discount.quantity, discount.unit_price, discount.vat_rate) = (None, None, None);
    let mut freight = discount.clone();
    (freight.kind, freight.description, freight.amount) =
        (LineKind::Charge, Some("Frakt".into()), Some(crate::fixtures::dec("100")));
    b.lines[0].vat_rate = None;
    b.lines.extend([discount, freight]);
    let xml = exporter.render(&b).expect("renders");
    assert_eq!(check_xml(&xml), Vec::<Violation>::new());
    for expected in [
        "<cbc:ChargeIndicator>false</cbc:ChargeIndicator>",
        "<cbc:AllowanceChargeReason>Rabatt 10 %</cbc:AllowanceChargeReason>",
        "<cbc:ChargeIndicator>true</cbc:ChargeIndicator>",
        "<cbc:AllowanceChargeReason>Frakt</cbc:AllowanceChargeReason>",
        r#"<cbc:AllowanceTotalAmount currencyID="SEK">100.00</cbc:AllowanceTotalAmount>"#,
        r#"<cbc:ChargeTotalAmount currencyID="SEK">100.00</cbc:ChargeTotalAmount>"#,
        "<cbc:Name>Målarfärg &quot;Vit&quot; 10 l</cbc:Name>",
    ] {
        assert!(xml.contains(expected), "{expected}: {xml}");
    }
    assert_eq!(xml.matches("<cac:InvoiceLine>").count(), 1, "{xml}");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("ac.xml");
    std::fs::write(&path, &xml).expect("write");
    xsd::validate(&path, &xsd::schema_dir()).unwrap_or_else(|e| panic!("{e}"));
    // Edits that break the allowance rules are caught.
    let no_reason =
        xml.replacen("<cbc:AllowanceChargeReason>Frakt</cbc:AllowanceChargeReason>", "", 1);
    let got: Vec<&str> = check_xml(&no_reason).iter().map(|v| v.rule).collect();
    assert_eq!(got, ["BR-38"]);
    let wrong_total = xml.replacen(
        r#"<cbc:AllowanceTotalAmount currencyID="SEK">100.00"#,
        r#"<cbc:AllowanceTotalAmount currencyID="SEK">90.00"#,
        1,
    );
    let got: Vec<&str> = check_xml(&wrong_total).iter().map(|v| v.rule).collect();
    assert!(got.contains(&"BR-CO-11"), "{got:?}");
}

/// The VAT category an e-invoice states is written with its exemption
/// reason; what the document cannot state correctly is refused.
#[test]
fn stated_vat_categories_are_written_or_refused() {
    let config = config();
    let mut no_buyer_vat = config.clone();
    no_buyer_vat.company.vat_nr = None;
    let exempt = |category: &str, reason: Option<&str>| {
        let mut b = bookings().remove(3);
        (b.supplier.vat_nr, b.supplier.org_nr) = (Some("FR40303265045".into()), None);
        let base = b.net;
        b.vat = vec![crate::booking::VatPart {
            rate: rust_decimal::Decimal::ZERO,
            base,
            amount: rust_decimal::Decimal::ZERO,
            category: Some(category.into()),
            exemption_reason: reason.map(str::to_string),
        }];
        (b.vat_total, b.total) = (rust_decimal::Decimal::ZERO, base);
        b
    };
    let why = "Exonération de TVA selon article 262 I du Code général des impôts";
    // (category, reason, tenant config, refusal or None when written)
    let cases: [(&str, Option<&str>, &crate::TenantConfig, Option<&str>); 9] = [
        ("G", Some(why), &config, None),
        ("E", Some("Umsatzsteuerbefreit nach §19 UStG"), &config, None),
        ("AE", Some("Reverse charge"), &config, None),
        ("AE", Some("Reverse charge"), &no_buyer_vat, Some("set [company] vat_nr")),
        ("E", None, &config, Some("VAT category E without an exemption reason (BR-E-10)")),
        ("K", Some(why), &config, None),
        ("K", Some(why), &no_buyer_vat, Some("(BR-IC-02)")),
        ("S", None, &config, Some("(BR-S-05)")),
        ("L", Some(why), &config, Some("VAT category L is not written yet")),
    ];
    let dir = tempfile::tempdir().expect("tempdir");
    for (category, reason, config, refusal) in cases {
        let b = exempt(category, reason);
        let got = PeppolExporter { config }.render(&b);
        match refusal {
            Some(expected) => {
                let err = got.expect_err(category).to_string();
                assert!(err.contains(expected), "{category}: {err}");
            }
            None => {
                let xml = got.unwrap_or_else(|e| panic!("{category}: {e}"));
                let id = format!("<cbc:ID>{category}</cbc:ID>");
                assert!(xml.contains(&id), "{category}: {xml}");
                let reason =
                    format!("<cbc:TaxExemptionReason>{}</cbc:TaxExemptionReason>", reason.unwrap());
                assert_eq!(xml.matches(&reason).count(), 1, "{category}: {xml}");
                assert_eq!(check_xml(&xml), Vec::<Violation>::new(), "{category}");
                let path = dir.path().join(format!("{category}.xml"));
                std::fs::write(&path, &xml).expect("write");
                xsd::validate(&path, &xsd::schema_dir())
                    .unwrap_or_else(|e| panic!("{category}: {e}"));
                // The rules catch a missing reason.
                let got: Vec<&str> =
                    check_xml(&xml.replacen(&reason, "", 1)).iter().map(|v| v.rule).collect();
                let rule = if category == "K" { "IC" } else { category };
                assert_eq!(got, [format!("BR-{rule}-10").as_str()], "{category}");
            }
        }
    }
}
