//! Whole-invoice fixtures modelled on common real layouts (a Swedish
//! invoice with a logo instead of a name, a German DIN letter, English and
//! French totals, a footer on one line) and hostile input.

use invex_domain::FieldName::*;

use super::RulesExtractor;
use super::layout::tests::doc;
use super::tests::{check, item_amounts, row};
use invex_domain::Extractor;

#[test]
fn swedish_logo_invoice_name_in_footer() {
    let mut w = Vec::new();
    w.extend(row(60.0, &[("FAKTURA", 400.0)]));
    w.extend(row(90.0, &[("Fakturanummer", 330.0), ("Fakturadatum", 450.0)]));
    w.extend(row(104.0, &[("10234", 330.0), ("2025-03-01", 450.0)]));
    w.extend(row(140.0, &[("Byggbolaget", 330.0), ("Norr", 400.0), ("AB", 430.0)]));
    w.extend(row(154.0, &[("Att:", 330.0), ("Ekonomi", 360.0)]));
    w.extend(row(168.0, &[("Box", 330.0), ("123", 354.0)]));
    w.extend(row(182.0, &[("901", 330.0), ("10", 354.0), ("Umeå", 372.0)]));
    w.extend(row(220.0, &[("Er", 50.0), ("referens:", 64.0), ("Kalle", 130.0), ("Ek", 162.0)]));
    w.extend(row(234.0, &[("Förfallodatum:", 50.0), ("2025-03-31", 140.0)]));
    w.extend(row(248.0, &[("OCR:", 50.0), ("1023455", 140.0)]));
    w.extend(row(
        600.0,
        &[("Summa", 330.0), ("exkl.", 366.0), ("moms", 398.0), ("8", 480.0), ("000,00", 488.0)],
    ));
    w.extend(row(614.0, &[("Moms", 330.0), ("25%", 360.0), ("2", 480.0), ("000,00", 488.0)]));
    w.extend(row(
        628.0,
        &[("Att", 330.0), ("betala", 352.0), ("10", 474.0), ("000,00", 488.0), ("SEK", 530.0)],
    ));
    w.extend(row(
        760.0,
        &[
            ("Snickeri", 50.0),
            ("Syd", 104.0),
            ("AB", 128.0),
            ("Bankgiro:", 300.0),
            ("5050-1055", 360.0),
        ],
    ));
    w.extend(row(
        774.0,
        &[("Storgatan", 50.0), ("1", 110.0), ("Org.nr:", 300.0), ("556036-0793", 350.0)],
    ));
    w.extend(row(
        788.0,
        &[
            ("211", 50.0),
            ("22", 74.0),
            ("Malmö", 92.0),
            ("Godkänd", 300.0),
            ("för", 352.0),
            ("F-skatt", 374.0),
        ],
    ));
    check(
        &w,
        &[
            (InvoiceNumber, "10234"),
            (InvoiceDate, "2025-03-01"),
            (DueDate, "2025-03-31"),
            (SupplierName, "Snickeri Syd AB"),
            (SupplierAddress, "Storgatan 1, 211 22 Malmö"),
            (BuyerName, "Byggbolaget Norr AB"),
            (BuyerReference, "Kalle Ek"),
            (PaymentReference, "1023455"),
            (Bankgiro, "50501055"),
            (SupplierOrgNr, "556036-0793"),
            (SupplierFSkatt, "true"),
            (NetAmount, "8000.00"),
            (VatAmount, "2000.00"),
            (TotalAmount, "10000.00"),
            (Currency, "SEK"),
        ],
    );
}

#[test]
fn german_din_letter() {
    let mut w = Vec::new();
    w.extend(row(40.0, &[("Muster", 380.0), ("Technik", 420.0), ("GmbH", 466.0)]));
    w.extend(row(
        130.0,
        &[
            ("Muster", 60.0),
            ("Technik", 90.0),
            ("GmbH", 128.0),
            ("·", 160.0),
            ("Hauptstr.", 168.0),
            ("5", 222.0),
            ("·", 230.0),
            ("10115", 238.0),
            ("Berlin", 272.0),
        ],
    ));
    w.extend(row(150.0, &[("Beispiel", 60.0), ("AG", 112.0)]));
    w.extend(row(164.0, &[("Ringstraße", 60.0), ("9", 124.0)]));
    w.extend(row(178.0, &[("80331", 60.0), ("München", 96.0)]));
    w.extend(row(150.0, &[("Rechnungsnummer:", 360.0), ("RE-2024-0815", 470.0)]));
    w.extend(row(164.0, &[("Rechnungsdatum:", 360.0), ("05.03.2024", 470.0)]));
    w.extend(row(178.0, &[("Kundennummer:", 360.0), ("4711", 470.0)]));
    w.extend(row(300.0, &[("Nettobetrag", 330.0), ("1.000,00", 480.0), ("EUR", 530.0)]));
    w.extend(row(
        314.0,
        &[("zzgl.", 330.0), ("19%", 362.0), ("USt.", 388.0), ("190,00", 486.0), ("EUR", 530.0)],
    ));
    w.extend(row(328.0, &[("Gesamtbetrag", 330.0), ("1.190,00", 480.0), ("EUR", 530.0)]));
    w.extend(row(
        360.0,
        &[
            ("Zahlbar", 60.0),
            ("bis", 106.0),
            ("04.04.2024", 128.0),
            ("ohne", 192.0),
            ("Abzug.", 222.0),
        ],
    ));
    w.extend(row(
        780.0,
        &[
            ("USt-IdNr.:", 60.0),
            ("DE136695976", 120.0),
            ("IBAN:", 300.0),
            ("DE89", 330.0),
            ("3704", 356.0),
            ("0044", 382.0),
            ("0532", 408.0),
            ("0130", 434.0),
            ("00", 460.0),
        ],
    ));
    w.extend(row(794.0, &[("BIC:", 300.0), ("COBADEFFXXX", 326.0)]));
    check(
        &w,
        &[
            (InvoiceNumber, "RE-2024-0815"),
            (InvoiceDate, "2024-03-05"),
            (DueDate, "2024-04-04"),
            (SupplierName, "Muster Technik GmbH"),
            (BuyerName, "Beispiel AG"),
            (SupplierVat, "DE136695976"),
            (Iban, "DE89370400440532013000"),
            (Bic, "COBADEFFXXX"),
            (NetAmount, "1000.00"),
            (VatAmount, "190.00"),
            (TotalAmount, "1190.00"),
            (Currency, "EUR"),
        ],
    );
}

#[test]
fn english_and_french_totals() {
    let mut w = Vec::new();
    w.extend(row(50.0, &[("Invoice", 50.0), ("#", 96.0), ("INV-0042", 110.0)]));
    w.extend(row(64.0, &[("Date:", 50.0), ("March", 90.0), ("3,", 124.0), ("2025", 140.0)]));
    w.extend(row(78.0, &[("Due", 50.0), ("Date:", 76.0), ("04/02/2025", 110.0)]));
    w.extend(row(400.0, &[("Subtotal", 350.0), ("$1,200.00", 480.0)]));
    w.extend(row(414.0, &[("Tax", 350.0), ("(8%)", 374.0), ("$96.00", 490.0)]));
    w.extend(row(428.0, &[("Total", 350.0), ("$1,296.00", 480.0)]));
    w.extend(row(442.0, &[("Balance", 350.0), ("Due", 396.0), ("$1,296.00", 480.0)]));
    check(
        &w,
        &[
            (InvoiceNumber, "INV-0042"),
            (InvoiceDate, "2025-03-03"),
            (DueDate, "2025-04-02"),
            (NetAmount, "1200.00"),
            (VatAmount, "96.00"),
            (TotalAmount, "1296.00"),
            (Currency, "USD"),
        ],
    );
    let mut f = Vec::new();
    f.extend(row(50.0, &[("Facture", 50.0), ("N°", 100.0), ("FA-1203", 120.0)]));
    f.extend(row(
        64.0,
        &[("Date", 50.0), ("de", 80.0), ("facture", 96.0), (":", 140.0), ("12/03/2024", 150.0)],
    ));
    f.extend(row(78.0, &[("Échéance", 50.0), (":", 110.0), ("11/04/2024", 120.0)]));
    f.extend(row(400.0, &[("Total", 350.0), ("HT", 380.0), ("500,00", 480.0), ("€", 520.0)]));
    f.extend(row(
        414.0,
        &[("TVA", 350.0), ("20", 380.0), ("%", 394.0), ("100,00", 480.0), ("€", 520.0)],
    ));
    f.extend(row(428.0, &[("Total", 350.0), ("TTC", 380.0), ("600,00", 480.0), ("€", 520.0)]));
    f.extend(row(
        780.0,
        &[
            ("N°", 50.0),
            ("TVA", 66.0),
            ("intracommunautaire", 90.0),
            (":", 200.0),
            ("FR40303265045", 210.0),
        ],
    ));
    check(
        &f,
        &[
            (InvoiceNumber, "FA-1203"),
            (InvoiceDate, "2024-03-12"),
            (DueDate, "2024-04-11"),
            (NetAmount, "500.00"),
            (VatAmount, "100.00"),
            (TotalAmount, "600.00"),
            (Currency, "EUR"),
            (SupplierVat, "FR40303265045"),
        ],
    );
}

/// Hostile pages (random words, overlapping and degenerate boxes, odd
/// characters): the extractor answers without panicking.
#[test]
fn garbage_documents_do_not_panic() {
    use invex_domain::{BBox, Document, Page, Word};
    const WORDS: &[&str] = &[
        "Faktura",
        "nr",
        ":",
        "Moms",
        "25%",
        "1",
        "234,56",
        "−0,50",
        "SE45",
        "5000",
        "Org.nr",
        "556036-0793",
        "OCR",
        "#",
        "2026-02-30",
        "(",
        ")",
        "€",
        "kr",
        ":-",
        "Att",
        "betala",
        "ß",
        "𝟙𝟚",
        "",
        " ",
        "IBAN",
        "Bankgiro",
        "5050-1055",
        "Datum",
        "31.12.2026",
        "Total",
        "TTC",
        "/",
        "OCR/Fakturanr",
        "Summa:",
        "·",
        "Box",
        "123",
        "45",
        "Stad",
        "AB",
        "Mottagare",
    ];
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move |n: u64| {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (seed >> 33) % n.max(1)
    };
    let extractor = RulesExtractor::new();
    for _ in 0..200 {
        let mut pages = Vec::new();
        for p in 0..(1 + next(3)) {
            let mut words = Vec::new();
            for _ in 0..next(120) {
                let x = next(600) as f32 - 5.0;
                let y = next(850) as f32 - 5.0;
                let w = next(80) as f32;
                let h = next(14) as f32;
                let text = WORDS[next(WORDS.len() as u64) as usize].to_string();
                words.push(Word { text, bbox: BBox::new(x, y, x + w, y + h), confidence: 1.0 });
            }
            if next(10) == 0 {
                words.push(Word {
                    text: "x".into(),
                    bbox: BBox::new(f32::NAN, 0.0, 1.0, 1.0),
                    confidence: 1.0,
                });
            }
            pages.push(Page { number: p as u32 + 1, width: 595.0, height: 842.0, words });
        }
        let _ = extractor.extract(&Document { pages });
    }
    let _ = extractor.extract(&Document::default());
}

#[test]
fn footer_line_with_separators_and_trailing_minus() {
    let mut w = Vec::new();
    w.extend(row(60.0, &[("KREDITFAKTURA", 50.0)]));
    w.extend(row(80.0, &[("Fakturanr", 50.0), ("778", 120.0)]));
    w.extend(row(500.0, &[("Att", 330.0), ("återfå", 352.0), ("1", 474.0), ("250,00-", 482.0)]));
    w.extend(row(
        780.0,
        &[
            ("Verkstan", 50.0),
            ("AB", 104.0),
            ("|", 124.0),
            ("Ågatan", 134.0),
            ("3", 176.0),
            ("|", 190.0),
            ("113", 200.0),
            ("20", 224.0),
            ("Stockholm", 242.0),
        ],
    ));
    w.extend(row(794.0, &[("Org.nr", 50.0), ("556036-0793", 92.0)]));
    check(
        &w,
        &[
            (SupplierName, "Verkstan AB"),
            (SupplierAddress, "Ågatan 3, 113 20 Stockholm"),
            (TotalAmount, "-1250.00"),
            (IsCreditNote, "true"),
        ],
    );
}

#[test]
fn receipt_grid_without_a_sum_caption_and_a_rate_caption() {
    let mut w = Vec::new();
    w.extend(row(60.0, &[("Kassenbon", 50.0), ("Nr:", 110.0), ("1505289010", 140.0)]));
    w.extend(row(200.0, &[("Summe", 50.0), ("EUR", 150.0), ("19,90", 180.0)]));
    // "Umsatzsteuer %" captions a rate: its 0,00 is no VAT amount.
    w.extend(row(230.0, &[("Umsatzsteuer", 50.0), ("%", 120.0), ("0,00", 180.0)]));
    w.extend(row(260.0, &[("Typ", 50.0), ("Netto", 100.0), ("MwSt", 150.0), ("Brutto", 200.0)]));
    w.extend(row(274.0, &[("19%", 50.0), ("16,72", 100.0), ("3,18", 150.0), ("19,90", 200.0)]));
    w.extend(row(300.0, &[("Vielen", 50.0), ("Dank", 90.0)]));
    check(
        &w,
        &[
            (InvoiceNumber, "1505289010"),
            (NetAmount, "16.72"),
            (VatAmount, "3.18"),
            (TotalAmount, "19.90"),
        ],
    );
}

#[test]
fn payee_in_a_sentence_and_a_rupee_sign_glued_to_the_total() {
    let mut w = Vec::new();
    w.extend(row(60.0, &[("Factuur", 50.0)]));
    w.extend(row(200.0, &[("Totaal:", 300.0), ("₹17,676.00", 400.0)]));
    w.extend(row(
        240.0,
        &[
            ("Graag", 50.0),
            ("overmaken", 84.0),
            ("ten", 142.0),
            ("name", 164.0),
            ("van", 192.0),
            ("Richel", 214.0),
            ("J.C.", 254.0),
            ("Bilderbeek.", 282.0),
        ],
    ));
    check(
        &w,
        &[(SupplierName, "Richel J.C. Bilderbeek"), (TotalAmount, "17676.00"), (Currency, "INR")],
    );
}

#[test]
fn a_number_under_the_title_that_abbreviates_it() {
    let mut w = Vec::new();
    w.extend(row(15.0, &[("FACTURE", 450.0)]));
    w.extend(row(45.0, &[("FAC-2026-001", 440.0)]));
    w.extend(row(90.0, &[("DATE", 50.0), ("15/01/2026", 50.0)]));
    check(&w, &[(InvoiceNumber, "FAC-2026-001")]);
}

/// OCR noise before a caption, and a value glued to its caption.
#[test]
fn a_caption_after_ocr_noise_and_a_glued_value() {
    let mut w = Vec::new();
    w.extend(row(60.0, &[("NANDOS", 50.0)]));
    w.extend(row(203.0, &[("~", 37.0), ("GST", 46.0), ("ID:", 66.0), ("000097492992", 90.0)]));
    check(&w, &[(SupplierVat, "000097492992")]);
    let mut w = Vec::new();
    w.extend(row(60.0, &[("NANDOS", 50.0)]));
    w.extend(row(203.0, &[("GST", 46.0), ("ID:000097492992", 66.0)]));
    check(&w, &[(SupplierVat, "000097492992")]);
}

/// Items listed without a table header, with a date in their text, that add
/// up to the total of an invoice without VAT (no net printed), and a table
/// whose amount column is captioned `Totale` with whole-number amounts.
#[test]
fn listed_items_against_the_total_and_whole_number_amounts() {
    let mut w = Vec::new();
    w.extend(row(60.0, &[("Factuur", 50.0)]));
    for (i, y) in [100.0, 114.0, 128.0].into_iter().enumerate() {
        let n = ["1", "2", "3"][i];
        w.extend(row(
            y,
            &[
                ("Les", 50.0),
                (n, 74.0),
                ("op", 86.0),
                ("15", 104.0),
                ("januari", 122.0),
                ("2019", 170.0),
                ("140.48", 400.0),
            ],
        ));
    }
    w.extend(row(142.0, &[("Materiaal", 50.0), ("281.71", 400.0)]));
    w.extend(row(180.0, &[("Totaal:", 300.0), ("703.15", 400.0)]));
    let inv = RulesExtractor::new().extract(&doc(&w));
    assert_eq!(
        item_amounts(&inv),
        ["140.48", "140.48", "140.48", "281.71"],
        "{:?}",
        inv.line_items
    );

    let mut w = Vec::new();
    w.extend(row(60.0, &[("FATTURA", 50.0)]));
    w.extend(row(
        100.0,
        &[("CODICE", 50.0), ("DESCRIZIONE", 120.0), ("PREZZO", 300.0), ("TOTALE", 400.0)],
    ));
    w.extend(row(114.0, &[("1883XS", 50.0), ("Cemento", 120.0), ("6000", 300.0), ("6000", 400.0)]));
    w.extend(row(128.0, &[("1884XS", 50.0), ("Mattoni", 120.0), ("8000", 300.0), ("8000", 400.0)]));
    w.extend(row(160.0, &[("TOTALE", 300.0), ("14.000", 400.0)]));
    let inv = RulesExtractor::new().extract(&doc(&w));
    assert_eq!(item_amounts(&inv), ["6000", "8000"], "{:?}", inv.line_items);

    // A price column captioned "base" (the list price before discount) in
    // a header with a description and a quantity: items, not a VAT summary.
    let mut w = Vec::new();
    w.extend(row(60.0, &[("Facture", 300.0)]));
    w.extend(row(
        100.0,
        &[
            ("Code", 30.0),
            ("Désignation", 80.0),
            ("Qté", 280.0),
            ("base", 330.0),
            ("Remise", 380.0),
            ("Mtt", 470.0),
            ("HT", 494.0),
        ],
    ));
    w.extend(row(
        114.0,
        &[
            ("000068", 30.0),
            ("Bananes", 80.0),
            ("10", 280.0),
            ("2,85", 330.0),
            ("15%", 380.0),
            ("24,23", 470.0),
        ],
    ));
    w.extend(row(
        128.0,
        &[
            ("000179", 30.0),
            ("Coco", 80.0),
            ("12", 280.0),
            ("1,74", 330.0),
            ("15%", 380.0),
            ("17,75", 470.0),
        ],
    ));
    w.extend(row(170.0, &[("Total", 380.0), ("HT", 410.0), ("41,98", 470.0)]));
    let inv = RulesExtractor::new().extract(&doc(&w));
    assert_eq!(item_amounts(&inv), ["24.23", "17.75"], "{:?}", inv.line_items);

    // A tax-code column glued to the amount's caption ("Total HT T"): the
    // code after the amount in its cell ("18,02 1") is not the amount.
    let mut w = Vec::new();
    w.extend(row(60.0, &[("Facture", 300.0)]));
    w.extend(row(
        100.0,
        &[
            ("Désignation", 40.0),
            ("Qté", 300.0),
            ("PU", 380.0),
            ("Total", 460.0),
            ("HT", 492.0),
            ("T", 512.0),
        ],
    ));
    w.extend(row(
        114.0,
        &[("Champignons", 40.0), ("2", 300.0), ("9,01", 380.0), ("18,02", 466.0), ("1", 512.0)],
    ));
    w.extend(row(
        128.0,
        &[("Epinards", 40.0), ("5", 300.0), ("3,43", 380.0), ("17,15", 466.0), ("1", 512.0)],
    ));
    w.extend(row(170.0, &[("Total", 380.0), ("HT", 410.0), ("35,17", 466.0)]));
    let inv = RulesExtractor::new().extract(&doc(&w));
    assert_eq!(item_amounts(&inv), ["18.02", "17.15"], "{:?}", inv.line_items);

    // A caption wrapped onto a second header line ("Total excl." over
    // "VAT"): the lone "VAT" continues the header, it does not end the table.
    let mut w = Vec::new();
    w.extend(row(60.0, &[("Invoice", 50.0)]));
    w.extend(row(
        100.0,
        &[
            ("Description", 50.0),
            ("Quantity", 250.0),
            ("Price", 330.0),
            ("Total", 400.0),
            ("excl.", 432.0),
        ],
    ));
    w.extend(row(111.0, &[("VAT", 410.0)]));
    w.extend(row(
        128.0,
        &[("Whey", 50.0), ("powder", 80.0), ("3", 250.0), ("14,95", 330.0), ("44,85", 400.0)],
    ));
    w.extend(row(
        142.0,
        &[("EAA", 50.0), ("powder", 74.0), ("1", 250.0), ("9,40", 330.0), ("9,40", 400.0)],
    ));
    w.extend(row(170.0, &[("Subtotal", 300.0), ("54,25", 400.0)]));
    let inv = RulesExtractor::new().extract(&doc(&w));
    assert_eq!(item_amounts(&inv), ["44.85", "9.40"], "{:?}", inv.line_items);

    // "Q." for the quantity, and two price captions: the unit price (PU)
    // and, right of it, the line's amount (Prix HT).
    let mut w = Vec::new();
    w.extend(row(40.0, &[("Facture", 50.0)]));
    w.extend(row(
        100.0,
        &[
            ("Code", 30.0),
            ("Libellé", 72.0),
            ("Q.", 300.0),
            ("PU", 368.0),
            ("Remise", 396.0),
            ("Prix", 488.0),
            ("HT", 512.0),
        ],
    ));
    w.extend(row(
        116.0,
        &[
            ("W2CC", 30.0),
            ("WHEY", 72.0),
            ("25.00", 296.0),
            ("32,00", 362.0),
            ("2,00", 408.0),
            ("%", 432.0),
            ("784,00", 496.0),
        ],
    ));
    w.extend(row(
        132.0,
        &[
            ("RAW", 30.0),
            ("BOOST", 72.0),
            ("10.00", 296.0),
            ("12,00", 362.0),
            ("2,00", 408.0),
            ("%", 432.0),
            ("117,60", 496.0),
        ],
    ));
    w.extend(row(170.0, &[("Total", 400.0), ("HT", 430.0), ("901,60", 496.0)]));
    let inv = RulesExtractor::new().extract(&doc(&w));
    assert_eq!(item_amounts(&inv), ["784.00", "117.60"], "{:?}", inv.line_items);
}

/// A Spanish VAT summary: rates printed without their sign between base and
/// VAT, under "Base imponible | % | IVA | … | TOTAL" — read as the VAT
/// breakdown, not as line items; and an IBAN glued to its caption, one typed
/// in lower case.
#[test]
fn vat_summary_with_bare_rates_and_glued_or_lower_case_ibans() {
    let mut w = Vec::new();
    w.extend(row(60.0, &[("FACTURA", 400.0)]));
    w.extend(row(
        600.0,
        &[("Base", 100.0), ("Imponible", 130.0), ("%", 200.0), ("IVA", 230.0), ("TOTAL", 400.0)],
    ));
    w.extend(row(614.0, &[("210,12", 100.0), ("10", 200.0), ("21,01", 230.0)]));
    w.extend(row(628.0, &[("15,65", 100.0), ("21", 200.0), ("3,29", 230.0), ("250,07", 400.0)]));
    w.extend(row(700.0, &[("IBAN-IT16O0306909544100000060615", 50.0)]));
    let inv = RulesExtractor::new().extract(&doc(&w));
    assert!(inv.line_items.is_empty(), "{:?}", inv.line_items);
    check(
        &w,
        &[
            (NetAmount, "225.77"),
            (VatAmount, "24.30"),
            (TotalAmount, "250.07"),
            (Iban, "IT16O0306909544100000060615"),
        ],
    );
    check(
        &[("iban:", 50.0, 700.0), ("it15o0617503266000000917080", 90.0, 700.0)],
        &[(Iban, "IT15O0617503266000000917080")],
    );
    check(&[("Cta.ES7820850871670330099948", 50.0, 700.0)], &[(Iban, "ES7820850871670330099948")]);
}

/// A Spanish invoice: "Número: | 0454/25" under the title with a column
/// beside it, the seller's C.I.F. behind a colon inside the footer's
/// sentence, and the currency from the IBAN's country (a NIF names none).
#[test]
fn bare_number_caption_under_the_title_and_a_footer_tax_id() {
    let mut w = Vec::new();
    w.extend(row(114.0, &[("FACTURA", 85.0), ("Cliente:", 326.0)]));
    w.extend(row(128.0, &[("TASCA", 326.0), ("BAREA", 360.0), ("S.L", 394.0)]));
    w.extend(row(136.0, &[("Fecha:", 85.0), ("08-10-2025", 151.0)]));
    w.extend(row(141.0, &[("RODAS", 326.0), ("2", 364.0)]));
    w.extend(row(150.0, &[("Número:", 85.0), ("0454/25", 151.0)]));
    w.extend(row(
        624.0,
        &[
            ("TRANSF.30D", 85.0),
            ("ES63", 151.0),
            ("0049", 180.0),
            ("5368", 206.0),
            ("0625", 232.0),
            ("1628", 258.0),
            ("3321", 284.0),
        ],
    ));
    w.extend(row(
        785.0,
        &[
            ("PORVAZ", 85.0),
            ("VILAGARCÍA,", 127.0),
            ("S.L.", 199.0),
            ("-", 227.0),
            ("C.I.F.:", 237.0),
            ("B36281087", 279.0),
        ],
    ));
    w.extend(row(540.0, &[("Total", 300.0), ("Factura:", 332.0), ("401,94", 400.0)]));
    check(
        &w,
        &[
            (InvoiceNumber, "0454/25"),
            (SupplierVat, "B36281087"),
            (Iban, "ES6300495368062516283321"),
            (Currency, "EUR"),
        ],
    );
}

/// Money has at most two decimals: an OCR'd "6,417" beside SUMME is no
/// total (absent rather than wrong).
#[test]
fn a_three_decimal_amount_is_no_total() {
    // Comma decimals on this receipt ("2,99"), so "6,417" is 6.417.
    check(
        &[
            ("KAROTTENSALAT", 50.0, 80.0),
            ("2,99", 190.0, 80.0),
            ("SUMME", 50.0, 100.0),
            ("EUR", 150.0, 100.0),
            ("6,417", 190.0, 100.0),
        ],
        &[(TotalAmount, "<none>")],
    );
}

/// A bare rate of 23 % (Ireland, Poland, Portugal) under a "VAT %" caption:
/// the row gives the net and the VAT.
#[test]
fn a_bare_rate_of_23_percent() {
    let mut w = Vec::new();
    w.extend(row(600.0, &[("VAT", 100.0), ("%", 130.0)]));
    w.extend(row(614.0, &[("23", 100.0), ("100,00", 200.0), ("23,00", 300.0)]));
    w.extend(row(640.0, &[("Total", 100.0), ("123,00", 300.0)]));
    check(&w, &[(NetAmount, "100.00"), (VatAmount, "23.00"), (TotalAmount, "123.00")]);
}

/// Layouts first seen on the real corpus's tune part (2026-12-07): each
/// (the words, what must be read).
#[test]
fn numbers_in_groups_title_columns_and_the_buyers_vat() {
    type Case = (Vec<(&'static str, f32, f32)>, Vec<(invex_domain::FieldName, &'static str)>);
    let cases: Vec<Case> = vec![
        // An Indian GST invoice prints no currency: its supplier's GSTIN
        // (check character valid) says rupees.
        (
            [
                row(20.0, &[("TAX", 250.0), ("INVOICE", 280.0)]),
                row(50.0, &[("GSTIN", 40.0), (":", 76.0), ("36AABCK1716D1Z1", 84.0)]),
                row(60.0, &[("KEVENTER", 40.0), ("AGRO", 94.0), ("LIMITED", 124.0)]),
                row(137.0, &[("Invoice", 400.0), ("No:", 448.0), ("36000010866", 472.0)]),
                row(535.0, &[("Grand", 380.0), ("Total", 416.0), ("24887.66", 470.0)]),
            ]
            .concat(),
            vec![(Currency, "INR"), (TotalAmount, "24887.66"), (SupplierVat, "36AABCK1716D1Z1")],
        ),
        // A Tally invoice: the supplier's GSTIN/UIN under its name, and the
        // consignee's and buyer's under headings glossed in brackets, their
        // values in a column right of the blocks.
        (
            [
                row(20.0, &[("Tax", 250.0), ("Invoice", 274.0)]),
                row(
                    34.0,
                    &[("V", 40.0), ("V", 50.0), ("S", 60.0), ("POWER", 70.0), ("SOLUTIONS", 110.0)],
                ),
                row(65.0, &[("GSTIN/UIN:", 40.0), ("36ACMPV3613L1Z3", 110.0)]),
                row(94.0, &[("Consignee", 40.0), ("(Ship", 100.0), ("to)", 134.0)]),
                row(102.0, &[("NIREL", 40.0), ("DIGITALS", 76.0)]),
                row(138.0, &[("GSTIN/UIN", 40.0), (":", 200.0), ("36ARKPC6820F1ZZ", 208.0)]),
                row(153.0, &[("Buyer", 40.0), ("(Bill", 76.0), ("to)", 110.0)]),
                row(161.0, &[("NIREL", 40.0), ("DIGITALS", 76.0)]),
                row(190.0, &[("GSTIN/UIN", 40.0), (":", 200.0), ("36ARKPC6820F1ZZ", 208.0)]),
            ]
            .concat(),
            vec![(SupplierVat, "36ACMPV3613L1Z3")],
        ),
        // An Italian IBAN printed in its parts, the country code and
        // check digits apart.
        (
            [
                row(20.0, &[("Fattura", 250.0)]),
                row(
                    680.0,
                    &[
                        ("IBAN", 60.0),
                        ("IT", 90.0),
                        ("67", 104.0),
                        ("R", 118.0),
                        ("03069", 126.0),
                        ("03202", 160.0),
                        ("100000067680", 194.0),
                    ],
                ),
            ]
            .concat(),
            vec![(Iban, "IT67R0306903202100000067680")],
        ),
        // The F-skatt statement glued to the next caption by its full stop.
        (
            [
                row(20.0, &[("Faktura", 250.0)]),
                row(
                    744.0,
                    &[
                        ("Godkänd", 137.0),
                        ("för", 185.0),
                        ("F-skatt.Organisationsnr:", 206.0),
                        ("556036-0793.", 356.0),
                    ],
                ),
            ]
            .concat(),
            vec![(SupplierFSkatt, "true")],
        ),
        // An Argentine (AFIP) invoice: the point of sale and the voucher
        // number, in two captions of one line, are one number.
        (
            [
                row(40.0, &[("FACTURA", 330.0)]),
                row(
                    60.0,
                    &[
                        ("Punto", 300.0),
                        ("de", 334.0),
                        ("Venta:", 350.0),
                        ("00001", 390.0),
                        ("Comp.", 440.0),
                        ("Nro:", 474.0),
                        ("00000125", 502.0),
                    ],
                ),
                row(
                    76.0,
                    &[("Fecha", 300.0), ("de", 334.0), ("Emisión:", 350.0), ("13/02/2023", 402.0)],
                ),
            ]
            .concat(),
            vec![(InvoiceNumber, "00001-00000125"), (InvoiceDate, "2023-02-13")],
        ),
        // Under the title, a number sign and the point of sale set apart
        // from the number by a spaced hyphen (`Nº 0003 - 00003435`).
        (
            [
                row(14.0, &[("FACTURA", 440.0)]),
                row(30.0, &[("Nº", 407.0), ("0003", 422.0), ("-", 450.0), ("00003435", 458.0)]),
                row(45.0, &[("Fecha:", 420.0), ("10/02/2023", 458.0)]),
            ]
            .concat(),
            vec![(InvoiceNumber, "0003-00003435"), (InvoiceDate, "2023-02-10")],
        ),
        // A number printed in digit groups under its own caption is one number.
        (
            [
                row(60.0, &[("Rechnung", 50.0)]),
                row(
                    90.0,
                    &[("Rechnungsnummer", 330.0), ("726", 470.0), ("752", 492.0), ("5181", 514.0)],
                ),
                row(104.0, &[("Datum", 330.0), ("14.04.2026", 470.0)]),
            ]
            .concat(),
            vec![(InvoiceNumber, "726 752 5181"), (InvoiceDate, "2026-04-14")],
        ),
        // LaTeX's euro sign read as a lone `e` after each amount.
        (
            [
                row(60.0, &[("Rechnung", 50.0)]),
                row(
                    500.0,
                    &[
                        ("Summe", 350.0),
                        ("Netto", 390.0),
                        ("3", 470.0),
                        ("585,00", 480.0),
                        ("e", 520.0),
                    ],
                ),
                row(
                    515.0,
                    &[("Umsatzsteuer", 320.0), ("19%", 400.0), ("681,15", 480.0), ("e", 520.0)],
                ),
                row(
                    530.0,
                    &[
                        ("Summe", 350.0),
                        ("Brutto", 390.0),
                        ("4", 470.0),
                        ("266,15", 480.0),
                        ("e", 520.0),
                    ],
                ),
            ]
            .concat(),
            vec![(TotalAmount, "4266.15"), (NetAmount, "3585.00"), (Currency, "<none>")],
        ),
        // Spanish payment terms: "Fecha de pago e importe:" over the date.
        (
            [
                row(60.0, &[("FACTURA", 50.0), ("Fecha:", 400.0), ("08-10-2025", 440.0)]),
                row(
                    560.0,
                    &[
                        ("Fecha", 85.0),
                        ("de", 115.0),
                        ("pago", 128.0),
                        ("e", 154.0),
                        ("importe:", 162.0),
                    ],
                ),
                row(575.0, &[("08-11-2025", 99.0), ("401,94", 184.0)]),
            ]
            .concat(),
            vec![(InvoiceDate, "2025-10-08"), (DueDate, "2025-11-08")],
        ),
        // A series, a slash apart and the number; "Vtos." (Vencimientos).
        (
            [
                row(48.0, &[("FACTURA", 50.0)]),
                row(156.0, &[("FACTURA:", 30.0), ("A5", 90.0), ("/", 106.0), ("3127", 114.0)]),
                row(167.0, &[("FECHA.....:", 30.0), ("15/05/2015", 100.0)]),
                row(678.0, &[("VTOS.:", 30.0), ("14/06/2015", 70.0)]),
            ]
            .concat(),
            vec![(InvoiceNumber, "A5/3127"), (InvoiceDate, "2015-05-15"), (DueDate, "2015-06-14")],
        ),
        // A direct debit's day is the due date.
        (
            [
                row(60.0, &[("Rechnung", 50.0), ("Datum", 400.0), ("14.04.2026", 460.0)]),
                row(
                    430.0,
                    &[
                        ("Den", 50.0),
                        ("Betrag", 80.0),
                        ("von", 125.0),
                        ("59,94", 150.0),
                        ("€", 185.0),
                        ("buchen", 195.0),
                        ("wir", 235.0),
                        ("am", 256.0),
                        ("23.04.2026", 275.0),
                        ("ab.", 340.0),
                    ],
                ),
            ]
            .concat(),
            vec![(InvoiceDate, "2026-04-14"), (DueDate, "2026-04-23")],
        ),
        // ... but not a mandate signed before the invoice date.
        (
            [
                row(60.0, &[("Rechnung", 50.0), ("Datum", 400.0), ("14.04.2026", 460.0)]),
                row(
                    430.0,
                    &[
                        ("Mandat", 50.0),
                        ("vom", 95.0),
                        ("01.02.2020", 120.0),
                        ("wird", 185.0),
                        ("abgebucht", 215.0),
                    ],
                ),
            ]
            .concat(),
            vec![(InvoiceDate, "2026-04-14"), (DueDate, "<none>")],
        ),
        // A footer with the issuer's VAT numbers in several countries: the
        // one of the country its address names.
        (
            [
                row(60.0, &[("FACTURE", 50.0)]),
                row(
                    780.0,
                    &[
                        ("Rue", 100.0),
                        ("Saint", 125.0),
                        ("Denis,", 160.0),
                        ("1190", 200.0),
                        ("Bruxelles", 230.0),
                        ("-", 290.0),
                        ("Belgique", 300.0),
                    ],
                ),
                row(
                    792.0,
                    &[
                        ("Numéro", 30.0),
                        ("TVA", 70.0),
                        ("IT", 92.0),
                        (":", 106.0),
                        ("IT00192159994", 112.0),
                        ("/", 192.0),
                        ("Numéro", 200.0),
                        ("TVA", 240.0),
                        ("BE:", 262.0),
                        ("BE0839422855", 284.0),
                    ],
                ),
            ]
            .concat(),
            vec![(SupplierVat, "BE0839422855")],
        ),
        // A letterhead name ending in a word with a digit ("3D-Modelierung")
        // is no street line.
        (
            [
                row(38.0, &[("Baldauf", 50.0), ("3D-Modelierung", 98.0), ("29.11.2024", 450.0)]),
                row(101.0, &[("Rechnung", 50.0), ("Nr.", 105.0), ("112", 125.0)]),
            ]
            .concat(),
            vec![(SupplierName, "Baldauf 3D-Modelierung")],
        ),
        // ... but a street ending in a house number is.
        (
            [
                row(38.0, &[("Storgatan", 50.0), ("12B", 110.0)]),
                row(101.0, &[("Faktura", 50.0), ("Nr.", 105.0), ("112", 125.0)]),
            ]
            .concat(),
            vec![(SupplierName, "<none>")],
        ),
        // The AdE print of a FatturaPA: two party columns whose names stand
        // behind a "Denominazione:" caption; the supplier's is in the
        // "Cedente/prestatore" column.
        (
            [
                row(27.0, &[("Cedente/prestatore", 40.0), ("Cessionario/committente", 300.0)]),
                row(
                    42.0,
                    &[
                        ("Identificativo", 40.0),
                        ("IVA:", 128.0),
                        ("IT02500690462", 156.0),
                        ("Identificativo", 300.0),
                        ("IVA:", 388.0),
                        ("IT11463300969", 416.0),
                    ],
                ),
                row(
                    54.0,
                    &[
                        ("Denominazione:", 40.0),
                        ("NP", 130.0),
                        ("DIAMANT", 148.0),
                        ("SRLS", 196.0),
                        ("Denominazione:", 300.0),
                        ("MP", 390.0),
                        ("TECHNOLOGIES", 408.0),
                        ("SRL", 484.0),
                    ],
                ),
                row(
                    66.0,
                    &[("Comune:", 40.0), ("MASSA", 90.0), ("Comune:", 300.0), ("BIASSONO", 350.0)],
                ),
                row(160.0, &[("Terzo", 40.0), ("Intermediario", 70.0)]),
                row(212.0, &[("Numero", 300.0), ("documento", 340.0)]),
                row(232.0, &[("TD24", 40.0), ("fattura", 70.0), ("1/104", 300.0)]),
            ]
            .concat(),
            vec![(SupplierName, "NP DIAMANT SRLS"), (SupplierVat, "IT02500690462")],
        ),
        // A contract holder ("Titular:") with its CIF on the same row, a few
        // points lower: the buyer's; the supplier's is in the footer.
        (
            [
                row(40.0, &[("FACTURA", 40.0), ("DE", 90.0), ("ELECTRICIDAD", 106.0)]),
                row(
                    458.0,
                    &[("Titular:", 52.0), ("GRUPO", 104.0), ("OPERATIVO", 140.0), ("SL", 200.0)],
                ),
                row(461.5, &[("CIF/NIF:", 272.0), ("B84520394", 324.0)]),
                row(
                    800.0,
                    &[
                        ("TotalEnergies", 40.0),
                        ("Electricidad", 124.0),
                        ("S.A.U.", 200.0),
                        ("CIF.:", 240.0),
                        ("A87803862", 272.0),
                    ],
                ),
            ]
            .concat(),
            vec![(SupplierVat, "A87803862")],
        ),
        // A holder's block as caption | value pairs, the values in a column
        // far right of the captions: the CIF under the name is the buyer's.
        (
            [
                row(40.0, &[("FACTURA", 40.0)]),
                row(70.0, &[("Disa", 40.0), ("Energia", 72.0), ("S.L.U", 120.0)]),
                row(82.0, &[("CIF:", 40.0), ("B76730324", 70.0)]),
                row(
                    300.0,
                    &[("Titular:", 56.0), ("LOS", 190.0), ("VENEZOLANOS", 214.0), ("S.L", 286.0)],
                ),
                row(312.0, &[("CIF:", 56.0), ("B38045340", 190.0)]),
            ]
            .concat(),
            vec![(SupplierVat, "B76730324")],
        ),
        // A company-register statement opening a long footer phrase is no
        // name; the legal name inside that phrase is.
        (
            [
                row(40.0, &[("FACTURA", 300.0)]),
                row(
                    800.0,
                    &[
                        ("Registro", 20.0),
                        ("Mercantil", 70.0),
                        ("de", 126.0),
                        ("Madrid", 140.0),
                        ("Tomo", 182.0),
                        ("31457", 210.0),
                        ("N.I.F.", 246.0),
                        ("A-62943600", 286.0),
                        ("Factor", 352.0),
                        ("Energia", 392.0),
                        ("España,", 438.0),
                        ("S.A.U.,", 484.0),
                        ("c/Orense", 530.0),
                    ],
                ),
            ]
            .concat(),
            vec![(SupplierName, "Factor Energia España, S.A.U."), (SupplierVat, "A62943600")],
        ),
        // A US invoice (a state and ZIP code) writes its ambiguous dates
        // month first; the city before the state is no name, and neither is
        // a sentence ending in the word "as".
        (
            [
                row(55.0, &[("Invoice", 40.0)]),
                row(85.0, &[("DATE", 300.0), ("08/01/2025", 400.0)]),
                row(104.0, &[("INVOICE#", 300.0), ("6109", 400.0)]),
                row(140.0, &[("1264", 40.0), ("E", 70.0), ("Harden", 82.0), ("St", 124.0)]),
                row(151.0, &[("Graham,", 40.0), ("NC", 88.0), ("27253", 104.0)]),
                row(
                    300.0,
                    &[
                        ("electrical", 40.0),
                        ("work", 106.0),
                        ("is", 136.0),
                        ("not", 152.0),
                        ("included", 176.0),
                        ("as", 230.0),
                    ],
                ),
            ]
            .concat(),
            vec![(InvoiceDate, "2025-08-01"), (SupplierName, "<none>")],
        ),
        // A Spanish date in words ("9 de junio de 2026", five words) under
        // an abbreviated issue-date caption, and a payment-limit caption.
        (
            [
                row(40.0, &[("FACTURA", 40.0)]),
                row(
                    204.0,
                    &[
                        ("Fecha", 56.0),
                        ("emisión", 88.0),
                        ("factura:", 136.0),
                        ("9", 190.0),
                        ("de", 200.0),
                        ("junio", 216.0),
                        ("de", 250.0),
                        ("2026", 266.0),
                    ],
                ),
                row(
                    236.0,
                    &[
                        ("Fecha", 56.0),
                        ("límite", 88.0),
                        ("de", 130.0),
                        ("pago", 146.0),
                        ("16/06/2026", 190.0),
                    ],
                ),
            ]
            .concat(),
            vec![(InvoiceDate, "2026-06-09"), (DueDate, "2026-06-16")],
        ),
        // An instalment's line under a due-date caption: amount, currency,
        // a preposition, then the date.
        (
            [
                row(28.0, &[("Fattura", 40.0), ("n.", 86.0), ("73", 100.0)]),
                row(645.0, &[("Scadenze:", 24.0)]),
                row(
                    659.0,
                    &[
                        ("17.614,00", 24.0),
                        ("€", 82.0),
                        ("il", 92.0),
                        ("30/11/2022", 108.0),
                        ("-", 174.0),
                        ("Bonifico", 184.0),
                    ],
                ),
            ]
            .concat(),
            vec![(DueDate, "2022-11-30")],
        ),
        // A VAT summary grid whose first rate row is unused: the base and
        // the VAT stand a row further down under their captions.
        (
            [
                row(40.0, &[("Factura", 40.0)]),
                row(
                    571.0,
                    &[
                        ("TIPO", 28.0),
                        ("IMPORTE", 70.0),
                        ("PORTES", 278.0),
                        ("BASE", 414.0),
                        ("I.V.A.", 476.0),
                    ],
                ),
                row(591.0, &[("21,00", 26.0)]),
                row(
                    612.0,
                    &[("10,00", 26.0), ("498,20", 88.0), ("498,20", 420.0), ("49,82", 482.0)],
                ),
                row(648.0, &[("TOTAL:", 420.0), ("548,02", 482.0)]),
            ]
            .concat(),
            vec![(NetAmount, "498.20"), (VatAmount, "49.82"), (TotalAmount, "548.02")],
        ),
        // A period under a bare date caption ("Dato 01-05-2025 - 31-05-2025")
        // is not the invoice's date; the dated header above is.
        (
            [
                row(183.0, &[("FAKTURA", 250.0)]),
                row(
                    213.0,
                    &[
                        ("Dato", 40.0),
                        ("31.05.2025", 80.0),
                        ("Fakturanr", 200.0),
                        ("666683", 260.0),
                    ],
                ),
                row(
                    414.0,
                    &[("Dato", 104.0), ("01-05-2025", 130.0), ("-", 194.0), ("31-05-2025", 204.0)],
                ),
            ]
            .concat(),
            vec![(InvoiceDate, "2025-05-31")],
        ),
        // ... but two dates side by side in a grid are two columns' values.
        (
            [
                row(200.0, &[("Facture", 40.0)]),
                row(
                    229.0,
                    &[("NUMERO", 40.0), ("DATE", 120.0), ("DATE", 200.0), ("LIVRAISON", 230.0)],
                ),
                row(243.0, &[("FA2407272", 40.0), ("29/11/24", 120.0), ("14/11/24", 200.0)]),
            ]
            .concat(),
            vec![(InvoiceDate, "2024-11-29")],
        ),
        // A cooperative's legal form in the letterhead, over the addressee's.
        (
            [
                row(
                    30.0,
                    &[
                        ("LA", 40.0),
                        ("CONSERVERA", 58.0),
                        ("DEL", 122.0),
                        ("PREPIRINEO,", 144.0),
                        ("S.COOP.P", 214.0),
                    ],
                ),
                row(
                    44.0,
                    &[
                        ("Camino", 40.0),
                        ("Virgen", 80.0),
                        ("de", 118.0),
                        ("Loreto", 132.0),
                        ("2", 170.0),
                    ],
                ),
                row(146.0, &[("TASCA", 300.0), ("BAREA", 336.0), ("SL", 372.0)]),
                row(160.0, &[("C/", 300.0), ("RODAS", 316.0), ("2", 352.0)]),
                row(182.0, &[("Factura", 40.0)]),
            ]
            .concat(),
            vec![(SupplierName, "LA CONSERVERA DEL PREPIRINEO, S.COOP.P")],
        ),
        // A Spanish CIF under the letterhead's address, its control digit right.
        (
            [
                row(40.0, &[("LA", 28.0), ("MOLIENDA", 46.0), ("VERDE", 100.0), ("SL", 136.0)]),
                row(67.0, &[("29491", 28.0), ("BENALAURIA", 64.0)]),
                row(82.0, &[("B06936140", 28.0)]),
                row(130.0, &[("FACTURA", 370.0)]),
            ]
            .concat(),
            vec![(SupplierVat, "B06936140")],
        ),
        // ... not with a wrong control digit, nor in the middle of the page.
        (
            [
                row(40.0, &[("LA", 28.0), ("MOLIENDA", 46.0), ("VERDE", 100.0), ("SL", 136.0)]),
                row(82.0, &[("B06936141", 28.0)]),
                row(130.0, &[("FACTURA", 370.0)]),
                row(420.0, &[("B06936140", 28.0)]),
            ]
            .concat(),
            vec![(SupplierVat, "<none>")],
        ),
        // An instalment table's "Vencimientos" column gives the due date.
        (
            [
                row(168.0, &[("Factura", 330.0), ("Fecha", 533.0)]),
                row(182.0, &[("250231", 330.0), ("12/11/2025", 533.0)]),
                row(681.0, &[("Vencimientos", 22.0), ("Importe", 96.0)]),
                row(704.0, &[("14/11/2025", 25.0), ("548,02", 116.0)]),
            ]
            .concat(),
            vec![(InvoiceDate, "2025-11-12"), (DueDate, "2025-11-14")],
        ),
        // A bare number caption on an invoice: the number beside it, weakly.
        (
            [
                row(30.0, &[("FACTURA", 370.0)]),
                row(
                    131.0,
                    &[("Número", 33.0), ("2500377", 79.0), ("Fecha", 171.0), ("08/07/2025", 207.0)],
                ),
            ]
            .concat(),
            vec![(InvoiceNumber, "2500377"), (InvoiceDate, "2025-07-08")],
        ),
        // ... but not a qualified one, nor one on a page with no invoice title.
        (
            [
                row(30.0, &[("FACTURA", 370.0)]),
                row(131.0, &[("Account", 33.0), ("Number", 79.0), ("827370", 130.0)]),
            ]
            .concat(),
            vec![(InvoiceNumber, "<none>")],
        ),
        (
            row(
                131.0,
                &[("Número", 33.0), ("2500377", 79.0), ("Fecha", 171.0), ("08/07/2025", 207.0)],
            ),
            vec![(InvoiceNumber, "<none>")],
        ),
        // "Total" over each of seven sections labels sections, not the invoice
        // (a value repeated among them would otherwise win).
        (
            [
                row(40.0, &[("INVOICE", 250.0)]),
                row(
                    400.0,
                    &[("Total", 27.0), ("incl", 62.0), ("Taxes", 90.0), ("12,731.62", 530.0)],
                ),
                row(500.0, &[("Total", 27.0), ("1.70", 545.0)]),
                row(540.0, &[("Total", 27.0), ("0.26", 545.0)]),
                row(580.0, &[("Total", 27.0), ("1.96", 545.0)]),
                row(620.0, &[("Total", 27.0), ("0.91", 545.0)]),
                row(660.0, &[("Total", 27.0), ("2.20", 545.0)]),
                row(700.0, &[("Total", 27.0), ("0.13", 545.0)]),
                row(740.0, &[("Total", 27.0), ("2.20", 545.0)]),
            ]
            .concat(),
            vec![(TotalAmount, "12731.62")],
        ),
        // India's CGST and SGST rows share a rate; the tax is both.
        (
            [
                row(40.0, &[("TAX", 470.0), ("INVOICE", 500.0)]),
                row(438.0, &[("Sub", 417.0), ("Total", 437.0), ("14,980.00", 508.0)]),
                row(468.0, &[("CGST9", 407.0), ("(9%)", 439.0), ("1,348.20", 514.0)]),
                row(
                    482.0,
                    &[("Vadapalani", 45.0), ("SGST9", 408.0), ("(9%)", 439.0), ("1,348.20", 514.0)],
                ),
                row(497.0, &[("Round", 412.0), ("Off", 444.0), ("(-)", 521.0), ("0.40", 533.0)]),
                row(511.0, &[("Total", 434.0), ("₹17,676.00", 502.0)]),
            ]
            .concat(),
            vec![(VatAmount, "2696.40"), (NetAmount, "14980.00"), (TotalAmount, "17676.00")],
        ),
        // A series and its number apart in one column cell, under a caption row.
        (
            [
                row(40.0, &[("FACTURA", 50.0)]),
                row(
                    168.0,
                    &[("DOCUMENTO", 330.0), ("NÚMERO", 405.0), ("PÁGINA", 476.0), ("FECHA", 533.0)],
                ),
                row(
                    182.0,
                    &[
                        ("Factura", 330.0),
                        ("1", 405.0),
                        ("250231", 434.0),
                        ("1", 476.0),
                        ("12/11/2025", 533.0),
                    ],
                ),
            ]
            .concat(),
            vec![(InvoiceNumber, "1 250231"), (InvoiceDate, "2025-11-12")],
        ),
        // The title word as one column caption of a caption row.
        (
            [
                row(40.0, &[("Facture", 470.0)]),
                row(
                    320.0,
                    &[("Date", 110.0), ("Echéance", 226.0), ("TVA", 365.0), ("Facture", 484.0)],
                ),
                row(
                    336.0,
                    &[
                        ("01/04/2025", 96.0),
                        ("01/05/2025", 223.0),
                        ("FR79897756912", 339.0),
                        ("25/0704", 484.0),
                    ],
                ),
            ]
            .concat(),
            vec![(InvoiceNumber, "25/0704"), (InvoiceDate, "2025-04-01")],
        ),
        // The buyer's VAT number, repeated under a "Numéro de TVA" caption,
        // is not the supplier's.
        (
            [
                row(40.0, &[("FACTURE", 470.0)]),
                row(110.0, &[("Adresse", 300.0), ("de", 344.0), ("facturation", 360.0)]),
                row(124.0, &[("Fitness", 300.0), ("World", 340.0), ("SARL", 375.0)]),
                row(138.0, &[("FR79897756912", 300.0)]),
                row(
                    250.0,
                    &[
                        ("Numéro", 50.0),
                        ("de", 90.0),
                        ("facture", 104.0),
                        ("Numéro", 400.0),
                        ("de", 440.0),
                        ("TVA", 454.0),
                    ],
                ),
                row(264.0, &[("FA244934", 50.0), ("FR79897756912", 400.0)]),
            ]
            .concat(),
            vec![(SupplierVat, "<none>"), (InvoiceNumber, "FA244934")],
        ),
        // A series code before the number; a page count in the footer is not it.
        (
            [
                row(20.0, &[("FATTURA", 520.0)]),
                row(60.0, &[("Data", 50.0), ("06/07/2022", 90.0)]),
                row(
                    800.0,
                    &[
                        ("Fattura", 20.0),
                        ("Nr.", 66.0),
                        ("FPR", 88.0),
                        ("101/22", 110.0),
                        ("del", 152.0),
                        ("06/07/2022", 174.0),
                    ],
                ),
                row(814.0, &[("Fattura", 20.0), ("generata", 70.0), ("Pag.1/1", 540.0)]),
            ]
            .concat(),
            vec![(InvoiceNumber, "FPR 101/22"), (InvoiceDate, "2022-07-06")],
        ),
        // A sender line that opens with its street names no supplier.
        (
            [
                row(20.0, &[("FACTURE", 480.0)]),
                row(40.0, &[("#FA244934", 480.0)]),
                row(
                    780.0,
                    &[
                        ("Rue", 200.0),
                        ("Saint", 222.0),
                        ("Denis,", 256.0),
                        ("112", 298.0),
                        ("-", 320.0),
                        ("1190", 330.0),
                        ("Bruxelles", 358.0),
                    ],
                ),
            ]
            .concat(),
            vec![(SupplierName, "<none>"), (InvoiceNumber, "FA244934")],
        ),
    ];
    for (words, want) in cases {
        check(&words, &want);
    }
}
