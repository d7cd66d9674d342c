//! Table-driven tests of the whole extractor on small hand-made pages.

use invex_domain::{Extractor, FieldName};

use super::RulesExtractor;
use super::layout::tests::doc;

/// The amounts of the line items read, as text.
pub(super) fn item_amounts(inv: &invex_domain::Invoice) -> Vec<String> {
    inv.line_items.iter().filter_map(|i| i.amount.map(|a| a.to_string())).collect()
}

/// Extracts from words at (x, y) and compares the named fields' values.
pub(super) fn check(words: &[(&str, f32, f32)], expected: &[(FieldName, &str)]) {
    let inv = RulesExtractor::new().extract(&doc(words));
    let mut failures = Vec::new();
    for &(name, want) in expected {
        let got = inv.get(name).map(|f| f.value.to_string()).unwrap_or_else(|| "<none>".into());
        if got != want {
            failures.push(format!("{name}: got {got:?}, want {want:?}"));
        }
    }
    assert!(failures.is_empty(), "{}\nwords: {words:?}", failures.join("\n"));
}

use FieldName::*;

#[test]
fn label_right_of_value() {
    check(&[("Fakturanr:", 50.0, 100.0), ("12345", 120.0, 100.0)], &[(InvoiceNumber, "12345")]);
    check(
        &[("Invoice", 50.0, 100.0), ("No.", 96.0, 100.0), ("INV-2024-7", 140.0, 100.0)],
        &[(InvoiceNumber, "INV-2024-7")],
    );
    // The customer number is not the invoice number.
    check(
        &[
            ("Kundnummer", 50.0, 100.0),
            ("987-654", 150.0, 100.0),
            ("Rechnungsnummer:", 50.0, 120.0),
            ("2014-03", 160.0, 120.0),
        ],
        &[(InvoiceNumber, "2014-03")],
    );
}

#[test]
fn value_below_label_in_grid() {
    check(
        &[
            ("Fakturadatum", 50.0, 100.0),
            ("Förfallodatum", 200.0, 100.0),
            ("Fakturanr", 350.0, 100.0),
            ("2026-01-15", 50.0, 114.0),
            ("2026-02-14", 200.0, 114.0),
            ("1001", 350.0, 114.0),
        ],
        &[(InvoiceDate, "2026-01-15"), (DueDate, "2026-02-14"), (InvoiceNumber, "1001")],
    );
}

#[test]
fn dates_with_month_names_and_order() {
    check(
        &[
            ("Invoice", 50.0, 60.0),
            ("103767", 100.0, 60.0),
            ("Date:", 50.0, 80.0),
            ("February", 90.0, 80.0),
            ("17,", 145.0, 80.0),
            ("2026", 166.0, 80.0),
            ("Due", 50.0, 100.0),
            ("date:", 74.0, 100.0),
            ("03/03/2026", 120.0, 100.0),
        ],
        &[(InvoiceNumber, "103767"), (InvoiceDate, "2026-02-17"), (DueDate, "2026-03-03")],
    );
}

#[test]
fn identifiers_are_validated() {
    check(
        &[
            ("Bankgiro:", 50.0, 700.0),
            ("5050-1055", 110.0, 700.0),
            ("Org.nr", 50.0, 715.0),
            ("556036-0793", 100.0, 715.0),
            ("Momsreg.nr", 50.0, 730.0),
            ("SE556036079301", 120.0, 730.0),
            ("IBAN", 250.0, 700.0),
            ("SE45", 280.0, 700.0),
            ("5000", 310.0, 700.0),
            ("0000", 340.0, 700.0),
            ("0583", 370.0, 700.0),
            ("9825", 400.0, 700.0),
            ("7466", 430.0, 700.0),
            ("OCR:", 250.0, 715.0),
            ("1234567897", 280.0, 715.0),
        ],
        &[
            (Bankgiro, "50501055"),
            (SupplierOrgNr, "556036-0793"),
            (SupplierVat, "SE556036079301"),
            (Iban, "SE4550000000058398257466"),
            (PaymentReference, "1234567897"),
        ],
    );
    // A Bankgiro whose check digit fails loses to one that passes.
    check(
        &[
            ("BG", 50.0, 700.0),
            ("5050-1056", 70.0, 700.0),
            ("Bankgiro", 50.0, 720.0),
            ("5050-1055", 110.0, 720.0),
        ],
        &[(Bankgiro, "50501055")],
    );
}

#[test]
fn totals_reconcile() {
    check(
        &[
            ("Summa", 300.0, 600.0),
            ("exkl.", 336.0, 600.0),
            ("moms", 368.0, 600.0),
            ("1", 480.0, 600.0),
            ("000,00", 488.0, 600.0),
            ("Moms", 300.0, 615.0),
            ("25%", 336.0, 615.0),
            ("250,00", 488.0, 615.0),
            ("Öresavrundning", 300.0, 630.0),
            ("0,00", 500.0, 630.0),
            ("Att", 300.0, 645.0),
            ("betala", 322.0, 645.0),
            ("1", 480.0, 645.0),
            ("250,00", 488.0, 645.0),
            ("kr", 530.0, 645.0),
        ],
        &[
            (NetAmount, "1000.00"),
            (VatAmount, "250.00"),
            (TotalAmount, "1250.00"),
            (Currency, "SEK"),
        ],
    );
    // The VAT is derived from the two others.
    check(
        &[
            ("Nettobetrag", 300.0, 600.0),
            ("376,37", 480.0, 600.0),
            ("Gesamtbetrag", 300.0, 630.0),
            ("447,88", 480.0, 630.0),
            ("EUR", 520.0, 630.0),
        ],
        &[(NetAmount, "376.37"), (VatAmount, "71.51"), (TotalAmount, "447.88"), (Currency, "EUR")],
    );
}

#[test]
fn credit_notes_are_negative() {
    check(
        &[
            ("KREDITFAKTURA", 50.0, 50.0),
            ("Netto", 300.0, 600.0),
            ("800,00", 480.0, 600.0),
            ("Moms", 300.0, 615.0),
            ("200,00", 480.0, 615.0),
            ("Att", 300.0, 630.0),
            ("återfå", 322.0, 630.0),
            ("1", 472.0, 630.0),
            ("000,00", 480.0, 630.0),
        ],
        &[
            (IsCreditNote, "true"),
            (NetAmount, "-800.00"),
            (VatAmount, "-200.00"),
            (TotalAmount, "-1000.00"),
        ],
    );
}

#[test]
fn supplier_is_not_the_buyer() {
    check(
        &[
            ("Faktureringsadress", 320.0, 120.0),
            ("Kund", 320.0, 134.0),
            ("AB", 350.0, 134.0),
            ("Storgatan", 320.0, 148.0),
            ("1", 380.0, 148.0),
            ("Leverantören", 50.0, 40.0),
            ("AB", 130.0, 40.0),
            ("Box", 50.0, 54.0),
            ("12", 74.0, 54.0),
            ("111", 50.0, 68.0),
            ("22", 72.0, 68.0),
            ("Stockholm", 90.0, 68.0),
        ],
        &[
            (SupplierName, "Leverantören AB"),
            (BuyerName, "Kund AB"),
            (SupplierAddress, "Box 12, 111 22 Stockholm"),
        ],
    );
}

#[test]
fn totals_in_a_grid_with_shifted_cells() {
    check(
        &[
            ("Netto", 67.6, 335.8),
            ("Summa", 232.2, 335.8),
            ("moms", 260.3, 335.8),
            ("25", 283.4, 335.8),
            ("%", 294.1, 335.8),
            ("Totalt", 396.7, 335.8),
            ("51557,92", 176.9, 349.0),
            ("12889,48", 341.5, 349.0),
            ("64447,40", 483.4, 349.0),
            ("SEK", 533.7, 349.0),
        ],
        &[(NetAmount, "51557.92"), (VatAmount, "12889.48"), (TotalAmount, "64447.40")],
    );
}

/// Words of one line: (text, x) pairs at height y, for readable fixtures.
pub(super) fn row(y: f32, words: &[(&'static str, f32)]) -> Vec<(&'static str, f32, f32)> {
    words.iter().map(|&(t, x)| (t, x, y)).collect()
}

/// Never guess: what is not printed stays absent, and what is printed in
/// another language or form is read.
#[test]
fn never_guess_and_read_beyond_sv_en_de_fr() {
    // No currency printed, no Swedish payment details: no SEK assumed.
    check(
        &[("Invoice", 50.0, 60.0), ("No.", 96.0, 60.0), ("A-17", 130.0, 60.0)],
        &[(Currency, "<none>"), (InvoiceNumber, "A-17")],
    );
    // `kr` of a Danish supplier (DK VAT number) is DKK.
    check(
        &[
            ("Fakturanummer", 50.0, 60.0),
            ("4711", 150.0, 60.0),
            ("CVR-nr.", 50.0, 700.0),
            ("DK13585628", 110.0, 700.0),
            ("Moms-nr.", 50.0, 712.0),
            ("DK13585628", 110.0, 712.0),
            ("I", 300.0, 400.0),
            ("alt", 308.0, 400.0),
            ("1.250,00", 400.0, 400.0),
            ("kr", 445.0, 400.0),
        ],
        &[(Currency, "DKK")],
    );
    // Dutch captions.
    check(
        &[
            ("Factuurnummer:", 50.0, 60.0),
            ("2022-118", 150.0, 60.0),
            ("Factuurdatum:", 50.0, 74.0),
            ("15", 150.0, 74.0),
            ("maart", 164.0, 74.0),
            ("2022", 196.0, 74.0),
        ],
        &[(InvoiceNumber, "2022-118"), (InvoiceDate, "2022-03-15")],
    );
    // The number under the title, behind a number sign.
    check(
        &[
            ("FACTURE", 450.0, 60.0),
            ("20/09/2023", 460.0, 80.0),
            ("nº", 455.0, 94.0),
            ("2023-6013", 470.0, 94.0),
        ],
        &[(InvoiceNumber, "2023-6013")],
    );
    // A salutation is no supplier name; a GST id is the supplier's tax id.
    check(
        &[
            ("Geachte", 50.0, 40.0),
            ("medewerker", 100.0, 40.0),
            ("van", 170.0, 40.0),
            ("het", 195.0, 40.0),
            ("college,", 220.0, 40.0),
            ("GST", 50.0, 700.0),
            ("Reg", 75.0, 700.0),
            ("No:", 98.0, 700.0),
            ("001492992000", 125.0, 700.0),
        ],
        &[(SupplierName, "<none>"), (SupplierVat, "001492992000")],
    );
    // Captions and values running on one line (the number up to the next
    // caption, the currency sign taken by the caption).
    check(
        &[
            ("Rechnung", 70.0, 71.0),
            ("Nr.", 125.0, 71.0),
            ("UK-44552", 145.0, 71.0),
            ("Datum:", 200.0, 71.0),
            ("03.", 243.0, 71.0),
            ("April", 261.0, 71.0),
            ("2026", 289.0, 71.0),
            ("•", 88.0, 140.0),
            ("Beratungshonorar:", 106.0, 140.0),
            ("£", 199.0, 140.0),
            ("2.500,00", 208.0, 140.0),
            ("•", 88.0, 154.0),
            ("Reisekostenpauschale:", 106.0, 154.0),
            ("£", 218.0, 154.0),
            ("700,50", 227.0, 154.0),
            ("Netto:", 70.0, 182.0),
            ("£", 109.0, 182.0),
            ("3.200,50", 118.0, 182.0),
            ("Mehrwertsteuer", 172.0, 182.0),
            ("(20%):", 262.0, 182.0),
            ("£", 301.0, 182.0),
            ("640,10", 310.0, 182.0),
            ("Brutto:", 352.0, 182.0),
            ("£", 397.0, 182.0),
            ("3.840,60", 406.0, 182.0),
        ],
        &[
            (InvoiceNumber, "UK-44552"),
            (NetAmount, "3200.50"),
            (VatAmount, "640.10"),
            (TotalAmount, "3840.60"),
            (Currency, "GBP"),
        ],
    );
    // A priced row the table reader missed is an item, never the supplier.
    check(
        &[
            ("Batterijen", 50.0, 40.0),
            ("22.45", 200.0, 40.0),
            ("Knoopcellen", 50.0, 54.0),
            ("27.96", 200.0, 54.0),
            ("Factuur", 50.0, 100.0),
            ("IBAN", 50.0, 700.0),
            ("NL91ABNA0417164300", 80.0, 700.0),
        ],
        &[(SupplierName, "<none>")],
    );
}

#[test]
fn receipts_read_as_printed() {
    // OCR's `49. 39`; a tax-inclusive total with a GST breakdown row whose
    // base and tax pair up; the seller's name with its seat after the form.
    let mut w = Vec::new();
    w.extend(row(
        40.0,
        &[("Acme", 60.0), ("Sdn", 88.0), ("Bhd,", 110.0), ("Petaling", 138.0), ("Jaya", 190.0)],
    ));
    w.extend(row(100.0, &[("PEN", 20.0), ("BLUE", 50.0), ("5.00", 200.0)]));
    w.extend(row(112.0, &[("PEN", 20.0), ("BLUE", 50.0), ("5.00", 200.0)]));
    w.extend(row(124.0, &[("PEN", 20.0), ("BLUE", 50.0), ("2.00", 200.0)]));
    w.extend(row(150.0, &[("SUBTOTAL", 20.0), ("12.", 200.0), ("00", 215.0)]));
    w.extend(row(
        162.0,
        &[("TOTAL", 20.0), ("(GST", 55.0), ("INCL)", 85.0), ("12.", 200.0), ("00", 215.0)],
    ));
    w.extend(row(186.0, &[("GST", 20.0), ("6%", 60.0), ("11.32", 120.0), ("0.68", 200.0)]));
    w.extend(row(210.0, &[("ALL", 20.0), ("AMOUNTS", 45.0), ("IN", 100.0), ("EURO", 115.0)]));
    check(
        &w,
        &[
            (TotalAmount, "12.00"),
            (NetAmount, "11.32"),
            (VatAmount, "0.68"),
            (SupplierName, "Acme Sdn Bhd"),
            (Currency, "EUR"),
        ],
    );
}

#[test]
fn supplier_named_by_an_inline_caption() {
    // (words of one line, the supplier's name)
    let table: &[(&[(&str, f32)], &str)] = &[
        (&[("Saaja:", 50.0), ("Lippuja", 92.0), ("Kaikille", 140.0)], "Lippuja Kaikille"),
        (
            &[
                ("Rechnung", 50.0),
                ("Nr.", 104.0),
                ("7", 126.0),
                ("Aussteller:", 136.0),
                ("London", 206.0),
                ("Strategy", 248.0),
                ("Group,", 302.0),
                ("Westminster", 344.0),
            ],
            "London Strategy Group",
        ),
    ];
    for (line, want) in table {
        check(&row(100.0, line), &[(SupplierName, want)]);
    }
}

#[test]
fn a_copy_of_a_page_repeats_no_items() {
    // "ORIGINAL" and "DUPLICADO" of one invoice in one file: one item, not two.
    let mut w = Vec::new();
    w.extend(row(100.0, &[("Description", 50.0), ("Qty", 300.0), ("Amount", 450.0)]));
    w.extend(row(115.0, &[("Printing", 50.0), ("1", 300.0), ("420,00", 450.0)]));
    w.extend(row(140.0, &[("Total", 50.0), ("420,00", 450.0)]));
    let mut d = doc(&w);
    let mut copy = d.pages[0].clone();
    copy.number = 2;
    d.pages.push(copy);
    let inv = RulesExtractor::new().extract(&d);
    assert_eq!(item_amounts(&inv), ["420.00"]);
}

#[test]
fn a_statement_page_after_the_invoice_is_not_its_total() {
    // Page 2 lists this and earlier invoices and what is owed on all of
    // them; the invoice's total is the one on its own page.
    let mut d = doc(&[
        row(60.0, &[("Invoice", 50.0), ("No.", 100.0), ("28281544", 130.0)]),
        row(500.0, &[("Invoice", 300.0), ("Total", 350.0), ("$1,367.24", 450.0)]),
    ]
    .concat());
    let statement = doc(&[
        row(7.0, &[("Statement", 50.0)]),
        row(103.0, &[("Invoice", 50.0), ("Total", 300.0), ("Balance", 450.0)]),
        row(115.0, &[("Outstanding", 50.0), ("27903237", 200.0), ("$1,601.38", 450.0)]),
        row(129.0, &[("Outstanding", 50.0), ("28024429", 200.0), ("$1,608.81", 450.0)]),
        row(158.0, &[("Current", 50.0), ("28281544", 200.0), ("$1,367.24", 450.0)]),
        row(172.0, &[("Total", 50.0), ("Amount", 84.0), ("Due", 124.0), ("$4,577.43", 450.0)]),
        row(184.0, &[("(Please", 50.0), ("pay", 96.0), ("this", 118.0), ("amount)", 146.0)]),
    ]
    .concat());
    let mut page = statement.pages[0].clone();
    page.number = 2;
    d.pages.push(page);
    let inv = RulesExtractor::new().extract(&d);
    let total = inv.get(TotalAmount).map(|f| f.value.to_string());
    assert_eq!(total.as_deref(), Some("1367.24"));
}

#[test]
fn a_summary_column_on_the_next_page_is_not_the_total() {
    // An Indian GST invoice: the grand total on page 1, and on page 2 the
    // HSN summary whose `TOTAL AMOUNT` column heads one amount per code.
    let mut d = doc(&[
        row(20.0, &[("TAX", 250.0), ("INVOICE", 280.0)]),
        row(137.0, &[("Invoice", 400.0), ("No:", 448.0), ("36000010866", 472.0)]),
        row(535.0, &[("Grand", 380.0), ("Total", 416.0), ("24887.66", 470.0)]),
        row(568.0, &[("Page", 280.0), ("1", 310.0), ("of", 320.0), ("2", 336.0)]),
    ]
    .concat());
    let summary = doc(&[
        row(
            95.0,
            &[
                ("HSN/SAC", 40.0),
                ("CGST", 200.0),
                ("SGST", 300.0),
                ("TOTAL", 430.0),
                ("AMOUNT", 466.0),
            ],
        ),
        row(
            116.0,
            &[
                ("Rate", 170.0),
                ("%", 194.0),
                ("Amount", 220.0),
                ("Rate", 270.0),
                ("%", 294.0),
                ("Amount", 320.0),
            ],
        ),
        row(136.0, &[("20041000", 40.0), ("23.90", 200.0), ("23.90", 300.0), ("47.80", 440.0)]),
        row(157.0, &[("16010000", 40.0), ("484.27", 200.0), ("484.27", 300.0), ("968.54", 440.0)]),
        row(177.0, &[("21069099", 40.0), ("59.60", 200.0), ("59.60", 300.0), ("119.20", 440.0)]),
    ]
    .concat());
    let mut page = summary.pages[0].clone();
    page.number = 2;
    d.pages.push(page);
    let inv = RulesExtractor::new().extract(&d);
    let total = inv.get(TotalAmount).map(|f| f.value.to_string());
    assert_eq!(total.as_deref(), Some("24887.66"));
}

#[test]
fn due_dates_beside_a_bracketed_qualifier_and_not_from_amounts() {
    let mut w = Vec::new();
    w.extend(row(100.0, &[("Fakturadatum", 50.0), ("2020-12-01", 200.0)]));
    w.extend(row(
        120.0,
        &[
            ("Förfallodatum", 50.0),
            ("(15", 134.0),
            ("dagar", 158.0),
            ("netto)", 192.0),
            ("2020-12-16", 300.0),
        ],
    ));
    check(&w, &[(DueDate, "2020-12-16")]);
    // "Netto 50 588,00" is an amount, not terms of 50 days net.
    let mut w = Vec::new();
    w.extend(row(100.0, &[("Fakturadatum", 50.0), ("2020-12-01", 200.0)]));
    w.extend(row(300.0, &[("Netto", 300.0), ("50", 420.0), ("588,00", 434.0)]));
    check(&w, &[(DueDate, "<none>")]);
}

#[test]
fn items_without_an_amount_column_a_header_or_a_clean_end() {
    // (page rows as (y, [(word, x)]), the items' amounts, their descriptions)
    type Page = &'static [(f32, &'static [(&'static str, f32)])];
    let cases: [(&str, Page, &[&str], &[&str]); 4] = [
        (
            // A list without a table header, adding up to the net.
            "listed",
            &[
                (
                    100.0,
                    &[("•", 30.0), ("Beratungshonorar:", 50.0), ("£", 200.0), ("2.500,00", 210.0)],
                ),
                (
                    114.0,
                    &[
                        ("•", 30.0),
                        ("Reisekostenpauschale:", 50.0),
                        ("£", 230.0),
                        ("700,50", 240.0),
                    ],
                ),
                (140.0, &[("Netto:", 30.0), ("£", 90.0), ("3.200,50", 100.0)]),
                (154.0, &[("MwSt", 30.0), ("(20%):", 70.0), ("£", 130.0), ("640,10", 140.0)]),
                (168.0, &[("Brutto:", 30.0), ("£", 90.0), ("3.840,60", 100.0)]),
            ],
            &["2500.00", "700.50"],
            &["Beratungshonorar", "Reisekostenpauschale"],
        ),
        (
            // The same list not adding up to the net: no items.
            "listed, not the net",
            &[
                (100.0, &[("Beratungshonorar:", 50.0), ("2.500,00", 210.0)]),
                (114.0, &[("Reisekostenpauschale:", 50.0), ("700,50", 240.0)]),
                (140.0, &[("Netto:", 30.0), ("3.300,50", 100.0)]),
                (154.0, &[("MwSt", 30.0), ("20%:", 70.0), ("660,10", 140.0)]),
                (168.0, &[("Brutto:", 30.0), ("3.960,60", 100.0)]),
            ],
            &[],
            &[],
        ),
        (
            // No amount column: quantity × unit price; the prose set apart
            // below the rows is not a line, nor part of a description.
            "quantity × price",
            &[
                (
                    100.0,
                    &[("Artikel", 30.0), ("Enhet", 220.0), ("Antal", 340.0), ("À-pris", 460.0)],
                ),
                (
                    118.0,
                    &[
                        ("bygg", 30.0),
                        ("arbete", 60.0),
                        ("st", 220.0),
                        ("50", 340.0),
                        ("399", 460.0),
                    ],
                ),
                (
                    130.0,
                    &[
                        ("skruv,", 30.0),
                        ("10", 80.0),
                        ("mm", 97.0),
                        ("st", 220.0),
                        ("1000", 340.0),
                        ("4", 460.0),
                    ],
                ),
                (
                    160.0,
                    &[
                        ("Preliminär", 30.0),
                        ("skattereduktion:", 100.0),
                        ("Johan", 200.0),
                        ("7481.25", 250.0),
                        ("kr", 290.0),
                    ],
                ),
                (
                    190.0,
                    &[("Denna", 30.0), ("faktura", 70.0), ("avser", 115.0), ("husarbete", 150.0)],
                ),
            ],
            &["19950", "4000"],
            &["bygg arbete", "skruv, 10 mm"],
        ),
        (
            // A thousands group split across the column edge, and an
            // English "Value" column.
            "split thousands",
            &[
                (100.0, &[("Description", 30.0), ("Hours", 300.0), ("Value", 420.0)]),
                (118.0, &[("Consulting", 30.0), ("125", 300.0), ("2", 412.0), ("500,00", 420.0)]),
                (136.0, &[("Travel", 30.0), ("1", 300.0), ("120,00", 420.0)]),
                (170.0, &[("Total", 30.0), ("2", 412.0), ("620,00", 420.0)]),
            ],
            &["2500.00", "120.00"],
            &["Consulting", "Travel"],
        ),
    ];
    for (name, page, amounts, descriptions) in cases {
        let mut w = Vec::new();
        for (y, words) in page {
            w.extend(row(*y, words));
        }
        let inv = RulesExtractor::new().extract(&doc(&w));
        assert_eq!(
            item_amounts(&inv),
            amounts,
            "{name}: {:?} net {:?}",
            inv.line_items,
            inv.get(NetAmount)
        );
        let got: Vec<&str> =
            inv.line_items.iter().map(|i| i.description.as_deref().unwrap_or("")).collect();
        assert_eq!(got, descriptions, "{name}");
    }
}

#[test]
fn a_bare_dollar_sign_is_not_taken_for_us_dollars() {
    // (the page's lines, the currency, whether it is sure (≥ 0.7))
    type Lines = &'static [&'static [(&'static str, f32)]];
    let cases: [(Lines, &str, bool); 5] = [
        (&[&[("Total", 50.0), ("$", 200.0), ("100.00", 210.0)]], "USD", false),
        (&[&[("Total", 50.0), ("USD", 200.0), ("100.00", 230.0)]], "USD", true),
        (
            &[
                &[("CUIT:", 50.0), ("30-71234567-1", 90.0)],
                &[("Total", 50.0), ("$", 200.0), ("100.00", 210.0)],
            ],
            "ARS",
            true,
        ),
        (
            &[
                &[("Gardenia", 50.0), ("Bakeries", 110.0), ("Sdn", 170.0), ("Bhd", 195.0)],
                &[("Total", 50.0), ("$", 200.0), ("100.00", 210.0)],
            ],
            "MYR",
            true,
        ),
        (
            &[
                &[("Acme", 50.0), ("Pty", 90.0), ("Ltd", 115.0), ("ABN", 150.0), ("51", 180.0)],
                &[("Total", 50.0), ("$", 200.0), ("100.00", 210.0)],
            ],
            "AUD",
            true,
        ),
    ];
    for (lines, want, sure) in cases {
        let mut w = Vec::new();
        for (i, line) in lines.iter().enumerate() {
            w.extend(row(100.0 + 20.0 * i as f32, line));
        }
        let inv = RulesExtractor::new().extract(&doc(&w));
        let got = inv.get(Currency).expect("a currency");
        assert_eq!(got.value.to_string(), want, "{lines:?}");
        assert_eq!(got.confidence >= 0.7, sure, "{lines:?}: {}", got.confidence);
    }
}
