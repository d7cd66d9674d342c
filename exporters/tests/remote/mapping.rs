//! Pure mapping tables: bookings of typical invoices to Fortnox and Visma
//! eEkonomi JSON, checked field by field.

use invex_exporters::fortnox::map as fortnox;
use invex_exporters::visma::map as visma;
use rust_decimal::Decimal;
use serde_json::Value;

use crate::support::{book, dec, invoice, ocr, org_nr, with_breakdown};

/// The invoices of the tables: single rate, mixed rates, credit note, EUR,
/// and one without OCR (its payment reference fails the check).
fn cases() -> Vec<(&'static str, invex_exporters::Booking)> {
    fn base<'a>(extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
        let mut fields = vec![
            ("invoice_number", "F-1001"),
            ("supplier_name", "Kontorsvaror AB"),
            ("buyer_reference", "Anna Andersson"),
            ("supplier_reference", "Bo Berg"),
        ];
        fields.extend_from_slice(extra);
        fields
    }
    let org = org_nr(7);
    let ocr = ocr(1);
    let mut fields =
        base(&[("net_amount", "1000"), ("vat_amount", "250"), ("total_amount", "1250")]);
    fields.extend([("supplier_org_nr", org.as_str()), ("payment_reference", ocr.as_str())]);
    let single = book("single.pdf", &invoice(&fields));
    let mixed = with_breakdown(
        invoice(&base(&[("total_amount", "1224")])),
        &[("25", "800", "200"), ("12", "200", "24")],
    );
    let credit = invoice(&base(&[
        ("net_amount", "1000"),
        ("vat_amount", "250"),
        ("total_amount", "1250"),
        ("is_credit_note", "true"),
    ]));
    let eur = invoice(&base(&[
        ("currency", "EUR"),
        ("net_amount", "80"),
        ("vat_amount", "20"),
        ("total_amount", "100"),
    ]));
    let no_ocr = invoice(&base(&[
        ("net_amount", "100"),
        ("vat_amount", "25"),
        ("total_amount", "125"),
        ("payment_reference", "1234567890"),
    ]));
    vec![
        ("single rate", single),
        ("mixed rates", book("mixed.pdf", &mixed)),
        ("credit note", book("credit.pdf", &credit)),
        ("EUR", book("eur.pdf", &eur)),
        ("no OCR", book("no-ocr.pdf", &no_ocr)),
    ]
}

/// A number, or a string holding one (Fortnox's amounts are strings).
fn num(v: &Value) -> Decimal {
    let parsed = match v {
        Value::String(s) => s.parse().ok(),
        _ => v.as_f64().and_then(|f| Decimal::try_from(f).ok()),
    };
    parsed.map(|d: Decimal| d.normalize()).unwrap_or_default()
}

/// Fortnox rows as `account[ code] D|C amount` in SEK.
fn fortnox_rows(invoice: &Value) -> String {
    let rows = invoice["SupplierInvoiceRows"].as_array().expect("rows");
    rows.iter()
        .map(|r| {
            let code = r["Code"].as_str().map(|c| format!(" {c}")).unwrap_or_default();
            let (d, c) = (num(&r["Debit"]), num(&r["Credit"]));
            let side = if c.is_zero() { format!("D{d}") } else { format!("C{c}") };
            format!("{}{code} {side}", r["Account"])
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[test]
fn fortnox_supplier_invoices() {
    // (case, Total, VAT, Credit, OCR, rows)
    let expected = [
        (
            "single rate",
            "1250",
            "250",
            false,
            Some(ocr(1)),
            "4010 D1000, 2641 VAT D250, 2440 TOT C1250",
        ),
        (
            "mixed rates",
            "1224",
            "224",
            false,
            None,
            "4010 D800, 4010 D200, 2641 VAT D200, 2641 VAT D24, 2440 TOT C1224",
        ),
        ("credit note", "-1250", "-250", true, None, "4010 C1000, 2641 VAT C250, 2440 TOT D1250"),
        ("EUR", "100", "20", false, None, "4010 D917.6, 2641 VAT D229.4, 2440 TOT C1147"),
        ("no OCR", "125", "25", false, None, "4010 D100, 2641 VAT D25, 2440 TOT C125"),
    ];
    for ((name, booking), (case, total, vat, credit, ocr, rows)) in
        cases().into_iter().zip(expected)
    {
        assert_eq!(name, case);
        let body = fortnox::supplier_invoice(&booking, "42", None).expect(name);
        let inv = &body["SupplierInvoice"];
        assert_eq!(inv["SupplierNumber"], "42", "{name}");
        assert_eq!(inv["InvoiceNumber"], "F-1001", "{name}");
        assert_eq!(inv["InvoiceDate"], "2026-03-02", "{name}");
        // No due date printed: the tenant's default terms, 30 days.
        assert_eq!(inv["DueDate"], "2026-04-01", "{name}: DueDate from the terms");
        assert_eq!(num(&inv["Total"]), dec(total), "{name}: Total");
        assert_eq!(num(&inv["VAT"]), dec(vat), "{name}: VAT");
        assert_eq!(inv["Credit"], credit, "{name}: Credit");
        assert_eq!(inv["VATType"], "NORMAL", "{name}");
        assert_eq!(inv["OCR"].as_str().map(str::to_string), ocr, "{name}: OCR");
        assert_eq!(inv["OurReference"], "Anna Andersson", "{name}: Er referens is ours");
        assert_eq!(inv["YourReference"], "Bo Berg", "{name}: Vår referens is theirs");
        assert_eq!(fortnox_rows(inv), rows, "{name}: rows");
        let foreign = name == "EUR";
        assert_eq!(inv["Currency"], if foreign { "EUR" } else { "SEK" }, "{name}");
        assert_eq!(
            num(&inv["CurrencyRate"]),
            if foreign { dec("11.47") } else { Decimal::ONE },
            "{name}"
        );
        assert_eq!(inv["SupplierInvoiceRows"][0].get("DebitCurrency").is_some(), foreign, "{name}");
    }
}

#[test]
fn visma_supplier_invoice_drafts() {
    // (case, TotalAmount, Vat, VatHigh, VatMedium, IsCreditInvoice, rows as account:debit-credit)
    // No VatCodeId: eEkonomi derives it from the account.
    let expected = [
        ("single rate", "1250", "250", "250", "0", false, "4010:1000:-"),
        ("mixed rates", "1224", "224", "200", "24", false, "4010:800:-, 4010:200:-"),
        ("credit note", "-1250", "-250", "-250", "0", true, "4010:-1000:-"),
        ("EUR", "100", "20", "20", "0", false, "4010:80:-"),
        ("no OCR", "125", "25", "25", "0", false, "4010:100:-"),
    ];
    for ((name, booking), (case, total, vat, high, medium, credit, rows)) in
        cases().into_iter().zip(expected)
    {
        assert_eq!(name, case);
        let draft = visma::supplier_invoice_draft(&booking, "sup-id").expect(name);
        assert_eq!(draft["SupplierId"], "sup-id");
        assert_eq!(num(&draft["TotalAmount"]), dec(total), "{name}: TotalAmount");
        assert_eq!(num(&draft["Vat"]), dec(vat), "{name}: Vat");
        assert_eq!(num(&draft["VatHigh"]), dec(high), "{name}: VatHigh");
        assert_eq!(num(&draft["VatMedium"]), dec(medium), "{name}: VatMedium");
        assert_eq!(draft["IsCreditInvoice"], credit, "{name}");
        assert_eq!(draft.get("OcrNumber").is_some(), name == "single rate", "{name}: OcrNumber");
        assert_eq!(draft.get("CurrencyRate").is_some(), name == "EUR", "{name}: CurrencyRate");
        let got: Vec<String> = draft["Rows"]
            .as_array()
            .expect("rows")
            .iter()
            .map(|r| {
                let amount = num(&r["DebitAmount"]) - num(&r["CreditAmount"]);
                format!(
                    "{}:{}:{}",
                    r["AccountNumber"],
                    amount.normalize(),
                    r["VatCodeId"].as_str().unwrap_or("-")
                )
            })
            .collect();
        assert_eq!(got.join(", "), rows, "{name}: rows");
        assert!(draft["Message"].as_str().is_some_and(|m| m.chars().count() <= 25), "{name}");
    }
}

#[test]
fn targets_refuse_what_they_cannot_store_and_name_the_invoice() {
    let long = "F".repeat(65);
    let amounts = [("net_amount", "100"), ("vat_amount", "25"), ("total_amount", "125")];
    let with = |number: &str| {
        let mut fields = vec![("invoice_number", number)];
        fields.extend(amounts);
        invoice(&fields)
    };
    let booking = book("long.pdf", &with(&long));
    let err =
        fortnox::supplier_invoice(&booking, "1", None).expect_err("65 characters").to_string();
    assert!(
        err.contains("long.pdf") && err.contains("64 characters") && err.contains("Fortnox"),
        "{err}"
    );
    // Fortnox takes 64 characters (its description's maxLength), eEkonomi 50.
    let fits = book("fits.pdf", &with(&"F".repeat(64)));
    assert!(fortnox::supplier_invoice(&fits, "1", None).is_ok());
    assert!(visma::supplier_invoice_draft(&book("v.pdf", &with(&"V".repeat(50))), "s").is_ok());
    let too_long = book("longer.pdf", &with(&"V".repeat(51)));
    let err = visma::supplier_invoice_draft(&too_long, "s").expect_err("51").to_string();
    assert!(err.contains("longer.pdf") && err.contains("50 characters"), "{err}");
}

#[test]
fn the_vat_treatment_decides_the_fortnox_vat_type() {
    use invex_domain::Source;
    use invex_domain::tax::{VatNote, VatStatement};
    // (supplier VAT number, VAT, what the invoice says, VATType)
    let table = [
        ("DE123456789", "0", Some(VatNote::ReverseCharge), "EUINTERNAL"),
        ("DE123456789", "0", Some(VatNote::IntraCommunityGoods), "EUINTERNAL"),
        ("SE556036079301", "0", Some(VatNote::ReverseCharge), "REVERSE"),
        ("GB123456789", "0", Some(VatNote::ReverseCharge), "REVERSE"),
        // Nothing said: no reverse charge is booked on a guess.
        ("DE123456789", "0", None, "NORMAL"),
        ("DE123456789", "19", Some(VatNote::ReverseCharge), "NORMAL"),
        ("SE556036079301", "25", None, "NORMAL"),
    ];
    for (vat_nr, vat, note, expected) in table {
        let net = "100";
        let total = (dec(net) + dec(vat)).to_string();
        let mut inv = invoice(&[
            ("invoice_number", "E-1"),
            ("supplier_vat", vat_nr),
            ("net_amount", net),
            ("vat_amount", vat),
            ("total_amount", &total),
        ]);
        inv.vat_statement = note.map(|note| VatStatement {
            note,
            text: "Reverse charge".into(),
            confidence: 0.9,
            page: Some(1),
            bbox: None,
            source: Source::Rules,
        });
        let booking = book("eu.pdf", &inv);
        let what = format!("{vat_nr} with VAT {vat} and {note:?}");
        assert_eq!(fortnox::vat_type(&booking), expected, "{what}");
        // Another country's VAT is not Swedish input VAT: both bodies book it as cost.
        let input_vat = if vat_nr.starts_with("SE") { dec(vat) } else { Decimal::ZERO };
        let body = fortnox::supplier_invoice(&booking, "1", None).expect("fortnox body");
        assert_eq!(num(&body["SupplierInvoice"]["VAT"]), input_vat, "{what}");
        let draft = visma::supplier_invoice_draft(&booking, "s").expect("visma draft");
        assert_eq!(num(&draft["Vat"]), input_vat, "{what}");
    }
}
