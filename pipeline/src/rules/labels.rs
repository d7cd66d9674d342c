//! Label dictionaries: the hand-kept `TABLE` (Swedish, English, German,
//! French) and `labels_i18n.tsv`, the captions of ten languages (sv, en, de,
//! fr, nl, da, no, fi, es, it) taken from documented sources, each line
//! citing its source (see `labels_i18n.md`).
//!
//! Every label is written as printed; [`LabelIndex::new`] turns each into its
//! key (folded, letters and digits only, "number" words unified, see
//! [`super::text::word_key`]) once, so matching a run of printed words is a
//! hash lookup of their concatenated keys.

use std::collections::HashMap;

use super::text::phrase_key;

/// What a printed caption announces.
/// Parsed from its variant name (`InvoiceNumber`) in `labels_i18n.tsv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, strum::EnumString)]
pub enum Kind {
    InvoiceNumber,
    InvoiceTitle,
    CreditTitle,
    InvoiceDate,
    Date,
    DueDate,
    DeliveryDate,
    Terms,
    /// The invoice a credit note refers to ("Avser faktura", "Krediterar").
    CreditRef,
    OrderNumber,
    BuyerReference,
    SupplierReference,
    CustomerNumber,
    Ocr,
    PaymentReference,
    Bankgiro,
    Plusgiro,
    Iban,
    Bic,
    Account,
    OrgNr,
    BuyerOrgNr,
    VatNumber,
    BuyerVatNumber,
    TaxNumber,
    FSkatt,
    Net,
    Vat,
    /// The amount to pay (Att betala, Amount due, Zu zahlen, Net à payer).
    Total,
    /// The total including VAT (Summa inkl. moms, Brutto, Total TTC).
    Gross,
    /// A weak total (Summa, Summe, Belopp).
    Sum,
    Rounding,
    Prepaid,
    VatBase,
    Currency,
    BuyerHeading,
    DeliveryHeading,
    SupplierHeading,
    Payee,
    PaymentHeading,
    Phone,
    Contact,
    Page,
    CarriedOver,
    ColDesc,
    ColQty,
    ColUnit,
    ColUnitPrice,
    ColVatRate,
    ColAmount,
    ColArtNo,
    ColDiscount,
    ColPos,
    ColDate,
}

/// (kind, weight in 0..1, printed forms). The weight is how specific the
/// caption is: `Fakturanummer` is unambiguous, `Datum` or `Summa` is not.
#[rustfmt::skip]
const TABLE: &[(Kind, f32, &[&str])] = &[
    (Kind::InvoiceNumber, 1.0, &[
        "Fakturanummer", "Fakturanr", "Faktura nr", "Faktura nummer", "Fakt.nr", "Fakt nr", "Faktura-nr",
        "Fakturanumret", "Kreditfakturanummer", "Kreditfaktura nr", "Kreditfakturanr", "Kreditnota nr",
        "Kreditnotanummer", "Invoice number", "Invoice no", "Inv no", "Inv. no.", "Invoice num", "Invoice ID",
        "Bill number", "Bill no", "Receipt no", "Receipt number", "Receipt #", "Slip no", "Inv #",
        "Bon-Nr", "Bon Nr", "Bonnummer", "Kassenbon Nr", "Kassenbon-Nr", "Kassenbonnummer", "Quittungsnummer", "Kvittonummer", "Kvitto nr", "Credit note number", "Credit note no", "Credit note #", "Tax invoice number",
        "Tax invoice no", "Invoice reference", "Rechnungsnummer", "Rechnungs-Nr", "Rechnung Nr", "Rechnungsnr",
        "Rechn.-Nr", "Re.-Nr", "Rg.-Nr", "Rechnungs Nr", "Gutschriftsnummer", "Gutschrift Nr", "Gutschrift-Nr",
        "Belegnummer", "Beleg-Nr", "Numéro de facture", "N° de facture", "Facture N°", "Facture numéro",
        "N° facture", "Numéro facture", "Avoir N°", "N° d'avoir", "Numéro d'avoir", "Document number",
        "Document no", "Dokumentnummer",
    ]),
    (Kind::InvoiceTitle, 1.0, &[
        "Faktura", "Invoice", "Tax invoice", "Commercial invoice", "Rechnung", "Facture", "Fakturakopia",
        "Handelsrechnung",
    ]),
    (Kind::CreditTitle, 1.0, &[
        "Kreditfaktura", "Kreditnota", "Kredit faktura", "Credit note", "Credit invoice", "Credit memo",
        "Gutschrift", "Rechnungskorrektur", "Stornorechnung", "Gutschriftsrechnung", "Avoir",
        "Facture d'avoir", "Note de crédit", "Krediterad faktura",
    ]),
    (Kind::InvoiceDate, 1.0, &[
        "Fakturadatum", "Fakturadag", "Faktureringsdatum", "Fakt.datum", "Fakturans datum", "Utfärdad",
        "Utfärdandedatum", "Kreditdatum", "Invoice date", "Date of invoice", "Date of issue", "Issue date",
        "Issued", "Issued on", "Billing date", "Invoice dated", "Credit note date", "Tax point", "Tax date", "Tax point date", "Rechnungsdatum",
        "Rechnungs-Datum", "Belegdatum", "Ausstellungsdatum", "Gutschriftsdatum", "Date de facture",
        "Date de facturation", "Date facture", "Date d'émission", "Facturé le", "Date de la facture",
        "Émise le", "Date d'avoir",
    ]),
    (Kind::Date, 0.6, &["Datum", "Date", "Dated", "Den", "vom"]),
    (Kind::DueDate, 0.8, &[
        "überweisen Sie bis zum", "Zahlung bis zum", "zahlbar bis zum", "bitte bis zum", "Please remit until",
        "remit until", "Please remit by", "remit by", "pay until", "payable until", "Please pay until",
    ]),
    (Kind::DueDate, 1.0, &[
        "Förfallodatum", "Förfallodag", "Förfaller", "Förfaller den", "Betala senast", "Betalas senast",
        "Sista betalningsdag", "Sista betaldag", "Förf.datum", "Förf. datum", "Att betala senast",
        "Förfallodatum för betalning", "Förf.dat", "Förf. dag", "Förfallodat", "Förfallodag:", "Due date", "Payment due", "Payment due date", "Due", "Pay by",
        "Due by", "Please pay by", "Date due", "Payable by", "Due on", "Fälligkeitsdatum", "Fällig am",
        "Fällig", "Fällig bis", "Zahlbar bis", "Zahlbar bis zum", "Fälligkeit", "Zahlungsziel",
        "Zahlungstermin", "Date d'échéance", "Échéance", "Date limite de paiement", "À payer avant le",
        "Payable avant le", "À régler avant le", "Payable le", "Date limite",
    ]),
    (Kind::DeliveryDate, 1.0, &[
        "Leveransdatum", "Lev.datum", "Lev. datum", "Utförandedatum", "Leveransdag", "Delivery date",
        "Date of delivery", "Shipment date", "Ship date", "Shipping date", "Service date", "Lieferdatum",
        "Leistungsdatum", "Liefertermin", "Date de livraison", "Date de prestation", "Orderdatum",
        "Order date", "Bestelldatum", "Date de commande", "Period", "Period of service", "Period", "Period",
    ]),
    (Kind::CreditRef, 1.0, &[
        "Avser faktura", "Avser fakturanr", "Avser fakturanummer", "Krediterar faktura", "Krediterar faktura nr",
        "Krediterar fakturanr", "Kreditering av faktura", "Ursprunglig faktura", "Originalfaktura",
        "Credit for invoice", "Original invoice", "Refers to invoice", "Related invoice", "Corrects invoice",
        "Bezug auf Rechnung", "Ursprungsrechnung", "Korrektur zu Rechnung", "Facture d'origine",
        "Facture initiale", "Facture associée", "N° de facture associée", "Avoir sur facture",
    ]),
    (Kind::Terms, 1.0, &[
        "Betalningsvillkor", "Villkor", "Betvillkor", "Payment terms", "Terms", "Terms of payment",
        "Zahlungsbedingungen", "Zahlungsbedingung", "Conditions de paiement", "Conditions de règlement",
        "Mode de règlement", "Payment method", "Betalningssätt", "Zahlungsart", "Zahlungsweise", "Dröjsmålsränta", "Late payment interest",
        "Interest on overdue payments", "Verzugszinsen", "Intérêts de retard", "Påminnelseavgift",
    ]),
    (Kind::OrderNumber, 1.0, &[
        "Ordernummer", "Ordernr", "Order nr", "Er ordernr", "Ert ordernr", "Er ordernummer", "Er beställning",
        "Ert beställningsnr", "Beställningsnummer", "Beställningsnr", "Inköpsorder", "Inköpsordernr",
        "Inköpsordernummer", "Er order", "Order number", "Order no", "PO number", "PO no", "PO", "P.O.",
        "P.O. number", "Purchase order", "Purchase order number", "Purchase order no", "Your order no",
        "Your order", "Your order number", "Order ref", "Order reference", "Bestellnummer", "Bestell-Nr",
        "Bestellnr", "Auftragsnummer", "Auftrags-Nr", "Auftragsnr", "Ihre Bestellung", "Ihre Bestellnummer",
        "Ihre Auftragsnummer", "Ihr Auftrag", "Bon de commande", "N° de commande", "Numéro de commande",
        "N° bon de commande", "Votre commande", "Réf. commande", "Référence commande", "Commande N°",
    ]),
    (Kind::BuyerReference, 1.0, &[
        "Er referens", "Er ref", "Ert ref", "Er ref.", "Eran referens", "Ert referensnummer",
        "Er kontaktperson", "Beställare", "Your reference", "Your ref", "Customer reference",
        "Buyer reference", "Attention", "Attn", "Ihr Zeichen", "Ihre Referenz", "Ihr Ansprechpartner",
        "Votre référence", "Votre réf", "Vos références", "Référence client", "Kundreferens",
    ]),
    (Kind::BuyerReference, 0.5, &["Referens", "Reference", "Referenz", "Ref", "Référence"]),
    (Kind::SupplierReference, 1.0, &[
        "Vår referens", "Vår ref", "Vår ref.", "Handläggare", "Vår kontaktperson", "Our reference",
        "Our ref", "Sales rep", "Salesperson", "Sales person", "Contact person", "Account manager",
        "Unser Zeichen", "Ansprechpartner", "Sachbearbeiter", "Unsere Referenz", "Bearbeiter",
        "Notre référence", "Notre réf", "Nos références", "Votre contact", "Interlocuteur", "Vendeur",
    ]),
    (Kind::SupplierReference, 0.6, &["Säljare", "Contact", "Kontakt", "Kontaktperson", "Seller", "Verkäufer"]),
    (Kind::CustomerNumber, 1.0, &[
        "Kundnummer", "Kundnr", "Kund-nr", "Kund nr", "Customer no", "Customer number", "Customer ID",
        "Account no", "Account number", "Client no", "Kundennummer", "Kunden-Nr", "Kundennr",
        "Debitorennummer", "Debitor-Nr", "Debitorennr", "N° de client", "Numéro client", "N° client",
        "Code client", "Client N°", "Mitgliedsnummer", "Kontonummer", "Vertragsnummer", "Contract number",
        "N° contrat", "Avtalsnummer", "Avtalsnr",
    ]),
    (Kind::Ocr, 1.0, &[
        "OCR", "OCR-nummer", "OCR nr", "OCR-nr", "OCR nummer", "OCR referens", "OCR-referens",
        "OCR/Referens", "OCR reference", "OCR no", "OCR-nummer/referens", "OCR-nr/Referens",
    ]),
    (Kind::PaymentReference, 1.0, &[
        "Betalningsreferens", "Referens vid betalning", "Ange vid betalning", "Betalningsref",
        "Payment reference", "Payment ref", "Please quote", "Remittance reference", "Verwendungszweck",
        "Zahlungsreferenz", "Zahlungs-Referenz", "Référence de paiement", "Référence paiement",
        "Référence à rappeler", "Référence avis de paiement", "Réf. paiement", "Référence du paiement",
        "Référence du virement", "Référence virement", "Ref. de paiement", "Kid", "Kid-nummer",
        "Reference number", "Ref. no", "Referensnummer",
    ]),
    (Kind::PaymentReference, 0.5, &["Referens", "Reference", "Referenz", "Ref", "Référence", "Meddelande"]),
    (Kind::Bankgiro, 1.0, &[
        "Bankgiro", "Bankgironr", "Bankgironummer", "BG", "BG nr", "BG-nr", "Bankgiro nr", "Bank giro",
        "Bankgiro:", "Bg", "Bankgirot", "Bankgiro-nr",
    ]),
    (Kind::Plusgiro, 1.0, &[
        "Plusgiro", "PlusGiro", "PG", "PG-nr", "Postgiro", "Plusgironr", "Plusgiro nr", "Plusgironummer",
        "Postgironr", "PG nr",
    ]),
    (Kind::Iban, 1.0, &["IBAN", "IBAN-nr", "IBAN nr", "IBAN code", "IBAN-Nummer", "Code IBAN", "IBAN-kod"]),
    (Kind::Bic, 1.0, &[
        "BIC", "SWIFT", "BIC/SWIFT", "SWIFT/BIC", "SWIFT code", "BIC code", "SWIFT-BIC", "BIC-Code",
        "Swift/BIC-kod", "BIC-kod", "Code BIC", "BIC-SWIFT", "SWIFT-kod", "BIC (SWIFT)", "Swift-adress",
    ]),
    (Kind::Account, 1.0, &[
        "Bankkonto", "Kontonr", "Konto", "Bank account", "Account", "Bankverbindung", "Bankverbindungen",
        "Compte", "Compte bancaire", "Clearingnr", "Clearingnummer", "Sort code", "BLZ", "Bank", "Bankkontonummer",
    ]),
    (Kind::OrgNr, 1.0, &[
        "Org.nr", "Organisationsnummer", "Org nr", "Orgnr", "Org. nummer", "Org.nummer", "Reg. no",
        "Reg.nr", "Regnr", "Company reg. no", "Company reg no", "Corporate ID", "Corporate identity number",
        "Company number", "Registration number", "Company registration number", "Company registration no",
        "Org. no", "Organisation number", "Organization number", "Org.no", "Org-nr", "Organisationsnr",
        "Corp. ID", "Company ID", "Reg. nr", "Registreringsnummer",
    ]),
    (Kind::BuyerOrgNr, 1.0, &[
        "Ert org.nr", "Er org.nr", "Kundens org.nr", "Köparens org.nr", "Ert organisationsnummer",
        "Kundens organisationsnummer", "Customer reg. no", "Your reg. no", "Buyer org. no",
        "Customer org. no", "Customer corporate ID", "Buyer reg. no", "Your org. no",
    ]),
    (Kind::VatNumber, 1.0, &[
        "GST Reg No", "GST Reg", "GST Reg #", "GST ID", "GST ID No", "GST No", "GST Registration No",
        "GSTIN", "GSTIN/UIN", "GSTIN No", "GST Reg. No", "GST Registration Number", "NIF", "N.I.F.", "CIF", "C.I.F.", "NIF/CIF",
        "CUIT", "C.U.I.T.",
        "Momsreg.nr", "Momsregistreringsnummer", "Momsreg nr", "Moms reg nr", "Momsnr", "Momsnummer",
        "Momsreg", "Momsregnr", "VAT-nummer", "Momsregistreringsnr", "Momsreg.nummer", "VAT-nr", "VAT nr", "Vat.nr", "VAT no", "VAT number", "VAT reg no",
        "VAT reg. number", "VAT registration number", "VAT Registration No", "VAT ID", "VAT-ID",
        "VAT identification number", "VAT reg", "Tax ID", "USt-IdNr", "USt-ID", "UStIdNr", "USt.-Id.-Nr.",
        "Umsatzsteuer-ID", "Umsatzsteuer-Identifikationsnummer", "USt-Id", "Ust.-ID-Nr.", "USt.-IdNr.",
        "Umsatzsteuer-IdNr", "UID", "UID-Nr", "N° TVA", "N° de TVA", "TVA intracommunautaire",
        "N° TVA intracommunautaire", "N° TVA intracom", "Numéro de TVA", "Identifiant TVA",
        "N° d'identification TVA", "TVA intra", "VAT", "Momsreg.nr/VAT",
    ]),
    (Kind::BuyerVatNumber, 1.0, &[
        "Er VAT-nr", "Ert VAT-nr", "Ert momsreg.nr", "Er momsreg.nr", "Kundens momsreg.nr", "Kundens VAT-nr",
        "Köparens VAT-nr", "Köparens momsreg.nr", "Your VAT no", "Your VAT number", "Customer VAT no",
        "Customer VAT number", "Customer VAT ID", "Buyer VAT", "Buyer VAT no", "Ihre USt-IdNr",
        "Ihre USt-ID", "Kunden-USt-IdNr", "Votre N° TVA", "N° TVA client", "TVA client",
    ]),
    (Kind::TaxNumber, 1.0, &["Steuernummer", "St.-Nr.", "StNr", "Steuer-Nr", "Tax number", "SIREN", "SIRET", "HRB", "Handelsregister", "Amtsgericht", "RCS", "R.C.S."]),
    (Kind::FSkatt, 1.0, &[
        "Godkänd för F-skatt", "Innehar F-skattsedel", "F-skattsedel", "Innehar F-skatt", "F-skatt",
        "Godkänd för F skatt", "Approved for F-tax", "F-tax", "Registered for F-tax", "F-tax approved",
        "Godkänd för F-skatt.", "Företaget innehar F-skatt", "F-skattebevis",
    ]),
    (Kind::Net, 1.0, &[
        "Summa exkl. moms", "Belopp exkl. moms", "Nettobelopp", "Totalt exkl. moms", "Exkl. moms",
        "Summa netto", "Nettosumma", "Belopp före moms", "Varuvärde", "Summa före moms", "Exklusive moms",
        "Totalt exklusive moms", "Summa exklusive moms", "Netto exkl. moms", "Subtotal", "Sub total",
        "Net amount", "Net total", "Total net", "Net total amount", "Total excl. VAT", "Amount excl. VAT", "Total excluding VAT",
        "Total before tax", "Net value", "Subtotal excl. VAT", "Total excl. tax", "Amount before VAT",
        "Total excl. taxes", "Total excluding taxes",
        "Nettobetrag", "Summe netto", "Gesamt netto", "Nettosumme", "Rechnungssumme netto", "Warenwert",
        "Gesamtbetrag netto", "Netto gesamt", "Total netto", "Nettowert", "Summe Netto", "Zwischensumme netto",
        "Total HT", "Montant HT", "Total hors taxes", "Montant hors taxes", "Net HT", "Sous-total HT",
        "Sous total HT", "Total H.T.", "Montant total HT", "Total hors taxe",
    ]),
    (Kind::Net, 0.7, &["Netto", "Net", "Delsumma", "Zwischensumme", "Sous-total", "Sous total", "Summa varor"]),
    (Kind::Vat, 1.0, &[
        "Mervärdesskatt", "Moms totalt", "Summa moms", "Momsbelopp", "Varav moms", "Total moms", "Totalt moms",
        "Utgående moms", "Total VAT", "VAT amount", "Value added tax", "Sales tax", "Tax amount", "Total tax", "VAT total",
        "Mehrwertsteuer", "Umsatzsteuer", "zzgl. MwSt", "zuzüglich MwSt", "MwSt.-Betrag", "MwSt-Betrag",
        "Steuerbetrag", "Summe MwSt", "Gesamt MwSt", "Summe USt", "zzgl. USt", "Total TVA", "Montant TVA",
        "Montant de la TVA", "Montant total TVA", "TVA totale",
    ]),
    (Kind::Vat, 0.8, &["Moms", "VAT", "Tax", "GST", "MwSt", "MwSt.", "USt", "TVA", "T.V.A.", "MWST", "Steuer"]),
    (Kind::Total, 1.0, &[
        "Att betala", "Totalt att betala", "Summa att betala", "Belopp att betala", "Att betala totalt",
        "Att betala SEK", "Kvar att betala", "Att erhålla", "Att återfå", "Kreditbelopp", "Summa kredit",
        "Totalt att erhålla", "Amount due", "Amt due", "Total due", "Balance due", "Total incl. GST", "Total inclusive of GST",
        "Total incl. of GST", "Total amount payable", "Rounded total", "Net total payable", "Amount payable", "Total payable",
        "Total to pay", "Total amount due", "Amount to pay", "Please pay", "Credit total", "Total credit",
        "Amount to be refunded", "Zu zahlen", "Zahlbetrag", "Zu zahlender Betrag", "Rechnungsbetrag",
        "Zahlungsbetrag", "Gutschriftsbetrag", "Net à payer", "Total à payer", "Montant à payer",
        "Montant dû", "Reste à payer", "Solde dû", "Montant à régler", "Net à percevoir",
    ]),
    (Kind::Gross, 1.0, &[
        "Summa inkl. moms", "Totalt inkl. moms", "Belopp inkl. moms", "Inkl. moms", "Summa inklusive moms",
        "Totalt inklusive moms", "Totalbelopp", "Summa totalt", "Slutsumma", "Fakturabelopp", "Totalsumma",
        "Totalt", "Total", "Total amount", "Grand total", "Total incl. VAT", "Total including VAT",
        "Invoice total", "Invoice amount", "Gross total amount", "Gross amount", "Total gross", "Total incl VAT", "Total (incl. VAT)", "Amount incl. VAT",
        "Total inc. VAT", "Total incl. taxes", "Total incl. tax", "Total including taxes",
        "Total including tax", "Gesamtbetrag", "Bruttobetrag", "Gesamtsumme", "Endbetrag", "Summe gesamt",
        "Gesamt", "Brutto", "Rechnungssumme brutto", "Gesamtbetrag brutto", "Total brutto", "Bruttosumme",
        "Endsumme", "Gesamtbetrag inkl. MwSt", "Summe brutto", "Rechnungsendbetrag", "Total TTC",
        "Montant TTC", "Montant total", "Total T.T.C.", "Montant total TTC", "Total facture",
    ]),
    (Kind::Sum, 0.6, &["Summa", "Summe", "Belopp", "Montant", "Rechnungssumme", "Betrag", "Amount", "Sum"]),
    (Kind::Rounding, 1.0, &[
        "Öresavrundning", "Avrundning", "Öresutjämning", "Avrundat", "Rounding", "Rundung", "Arrondi",
        "Rounding difference",
    ]),
    (Kind::Prepaid, 1.0, &[
        "Acompte", "Déjà payé", "Avance", "Anzahlung", "Bereits bezahlt", "Abschlagszahlung", "Paid",
        "Amount paid", "Prepaid", "Deposit", "Betalt", "Förskott", "Redan betalt", "Erhaltene Anzahlung",
        // Deducted from the payment, never VAT.
        "Withholding tax", "Tax withheld", "Quellensteuer", "Ritenuta d'acconto", "Ritenuta", "Retención",
        "Retención IRPF", "IRPF", "Retenue à la source", "Källskatt", "Bronbelasting",
    ]),
    (Kind::VatBase, 1.0, &[
        "Underlag", "Momsunderlag", "Underlag moms", "Momspliktigt", "Taxable amount", "VAT base",
        "Base amount", "Bemessungsgrundlage", "Base HT", "Base TVA", "Base", "Basis", "Netto-Betrag",
    ]),
    (Kind::Currency, 1.0, &["Valuta", "Currency", "Währung", "Devise", "Monnaie", "Beträge in", "Amounts in", "Belopp i",
        "Amounts are in", "All amounts are in", "All amounts in", "Alle Beträge in", "Montants en"]),
    (Kind::BuyerHeading, 1.0, &[
        "Faktureringsadress", "Fakturaadress", "Kund", "Köpare", "Mottagare", "Fakturamottagare", "Kunduppgifter",
        "Bill to", "Billed to", "Invoice to", "Invoiced to", "Sold to", "Customer", "Buyer", "Recipient",
        "Bill-to", "Rechnungsempfänger", "Rechnungsadresse", "Kunde", "Empfänger", "Käufer", "Auftraggeber",
        "Client", "Adresse du client", "Adresse de facturation", "Facturé à", "Acheteur", "Destinataire",
        "Customer address", "To", "Till", "An", "Leistungsempfänger", "Käufer/Leistungsempfänger", "Adressat", "Inbetalare", "Betalare", "Payer",
        "Billing address", "Invoice address", "Postal address", "Rechnungsanschrift", "Leveransmottagare",
        "Vos identifiants", "Your details", "Kunduppgifter", "Client facturé",
    ]),
    (Kind::DeliveryHeading, 1.0, &[
        "Leveransadress", "Leverans", "Levereras till", "Godsmottagare", "Ship to", "Deliver to", "Consignee",
        "Delivery address", "Shipping address", "Ship-to", "Lieferadresse", "Lieferanschrift", "Liefern an",
        "Adresse de livraison", "Livraison", "Livré à", "Client livré", "Warenempfänger", "Abweichender Warenempfänger",
    ]),
    (Kind::SupplierHeading, 1.0, &[
        "Leverantör", "Säljare", "Avsändare", "Utställare", "Från", "Seller", "Supplier", "Vendor", "From",
        "Sold by", "Issued by", "Verkäufer", "Lieferant", "Absender", "Rechnungssteller", "Vendeur",
        "Fournisseur", "Émetteur", "Leverantörsuppgifter", "Aussteller",
    ]),
    (Kind::Payee, 1.0, &[
        "Betalningsmottagare", "Mottagare", "Payee", "Beneficiary", "Account holder", "Account name",
        "Kontoinhaber", "Zahlungsempfänger", "Bénéficiaire", "Titulaire du compte", "Titulaire", "Kontohavare",
    ]),
    (Kind::PaymentHeading, 1.0, &[
        "Betalningsinformation", "Betalning", "Betala till", "Betalningsuppgifter", "Payment details",
        "Payment information", "Bank details", "Zahlungsinformationen", "Bankverbindung", "Règlement",
        "Coordonnées bancaires", "Informations de paiement", "Payment", "Inbetalning", "Betalningsmottagarens",
    ]),
    (Kind::Phone, 1.0, &[
        "Telefon", "Tel", "Tfn", "Tel.", "Phone", "Fax", "Telefax", "Mobil", "Mobile", "Téléphone", "Tél",
        "Växel", "Fon", "E-post", "Epost", "E-mail", "Email", "Mail", "Hemsida", "Webb", "Internet", "Web",
        "Website", "Courriel", "Site", "Adress", "Postadress", "Besöksadress", "Address", "Adresse",
        "Anschrift", "Styrelsens säte", "Säte", "Sitz", "Sitz der Gesellschaft", "Registered office",
        "Siège", "Siège social", "Geschäftsführer", "Managing director", "VD", "Gérant",
    ]),
    (Kind::Contact, 1.0, &["Kontakt", "Contact", "Kontaktuppgifter"]),
    (Kind::Page, 1.0, &["Sida", "Page", "Seite", "Blad", "Sheet"]),
    (Kind::CarriedOver, 1.0, &[
        "Summa att överföra", "Att överföra", "Överfört från föregående sida", "Överfört", "Överföring",
        "Carried forward", "Brought forward", "Carried over", "Übertrag", "Zwischensumme Übertrag",
        "À reporter", "Report", "Transport", "Forts.", "Fortsättning", "Continued",
    ]),
    (Kind::ColDesc, 1.0, &[
        "Beskrivning", "Benämning", "Artikel", "Text", "Specifikation", "Artikelbenämning", "Produkt",
        "Tjänst", "Varubeskrivning", "Description", "Item", "Item description", "Product", "Service",
        "Details", "Particulars", "Bezeichnung", "Beschreibung", "Artikelbeschreibung", "Leistung",
        "Artikelbezeichnung", "Produkt", "Désignation", "Libellé", "Description", "Article", "Prestation",
        "Designation", "Artikel/Beschreibung", "Nom & Designation",
    ]),
    (Kind::ColQty, 1.0, &[
        "Antal", "Ant.", "Ant", "Kvantitet", "Qty", "Quantity", "Qty.", "Units", "Hours", "Menge", "Anzahl",
        "Anz.", "Stück", "Quantité", "Qté", "Qte", "Q.", "Nb", "Nombre", "Timmar", "Lev. antal", "Lev antal",
    ]),
    (Kind::ColUnit, 1.0, &["Enhet", "Enh", "Enh.", "Unit", "UoM", "Einheit", "ME", "Unité", "Un."]),
    (Kind::ColUnitPrice, 1.0, &[
        "À-pris", "Á-pris", "A-pris", "à-pris", "Pris", "Styckpris", "Pris/enhet", "Enhetspris", "Apris",
        "Unit price", "Price", "Rate", "Price per unit", "Unit Price Excl. VAT", "Unit cost", "Einzelpreis",
        "Preis", "Stückpreis", "E-Preis", "Einzelpr.", "Preis/Einheit", "Prix unitaire", "P.U.", "PU",
        "Prix", "P.U. HT", "Prix unitaire HT", "Prix U.", "Pris exkl. moms", "Pris st",
    ]),
    (Kind::ColVatRate, 1.0, &[
        "Moms %", "Moms%", "Momssats", "Moms", "VAT %", "VAT%", "VAT rate", "Tax %", "Tax rate", "MwSt. %",
        "MwSt %", "MwSt.-Satz", "USt %", "USt.-Satz", "Steuersatz", "TVA", "TVA %", "Taux TVA", "Taux",
        "Momssats %", "VAT", "MwSt", "MwSt.", "USt", "Tax",
    ]),
    (Kind::ColAmount, 1.0, &[
        "Belopp", "Summa", "Totalt", "Belopp exkl. moms", "Radbelopp", "Nettobelopp", "Amount", "Total",
        "Line total", "Net amount", "Line Amount", "Line Amount Excl. VAT", "Amount excl. VAT", "Betrag",
        "Gesamt", "Gesamtpreis", "Summe", "Nettobetrag", "Gesamtbetrag", "Montant", "Montant HT", "Total HT",
        "Prix total", "Netto", "Net", "Belopp SEK", "Summa SEK", "Amount SEK", "Amount EUR", "Betrag EUR",
        "Total EUR", "Montant EUR", "Gesamt EUR", "Value", "Net value", "Line value",
    ]),
    (Kind::ColArtNo, 1.0, &[
        "Art.nr", "Artikelnr", "Art nr", "Artikelnummer", "Art.-Nr.", "Art-nr", "Item no", "Item number",
        "Product code", "SKU", "Code", "Artikel-Nr", "Artikelnr.", "Réf", "Référence", "Code article", "No",
        "Nr", "Product no", "Produktnr",
    ]),
    (Kind::ColDiscount, 1.0, &["Rabatt", "Rab.", "Rab %", "Discount", "Disc.", "Remise", "Rabatt %", "Nachlass"]),
    (Kind::ColPos, 1.0, &["Pos", "Pos.", "Position", "Rad", "Line", "Ligne", "#"]),
    (Kind::ColDate, 1.0, &["Datum", "Date", "Shipment Date", "Leveransdatum", "Lieferdatum", "Utfört"]),
];

/// The ten-language caption table: `kind, weight, lang, form, source` per line.
const I18N: &str = include_str!("labels_i18n.tsv");

/// The TSV's rows that name a known kind and a weight (others are skipped;
/// a test checks that there are none).
fn i18n_rows() -> impl Iterator<Item = (Kind, f32, &'static str)> {
    I18N.lines().skip(1).filter_map(|line| {
        let mut cols = line.split('\t');
        let kind: Kind = cols.next()?.trim().parse().ok()?;
        let weight: f32 = cols.next()?.trim().parse().ok()?;
        let _lang = cols.next()?;
        let form = cols.next()?.trim();
        (!form.is_empty()).then_some((kind, weight, form))
    })
}

/// Currencies as keys, for amount captions that print theirs (`""`: none).
const CURRENCY_KEYS: &[&str] =
    &["", "eur", "euro", "sek", "kr", "usd", "gbp", "rm", "myr", "chf", "dkk", "nok", "inr", "rs"];

/// One way a label can be read.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Entry {
    pub kind: Kind,
    pub weight: f32,
}

/// Every label key, with the kinds it can announce; built once.
#[derive(Debug, Clone)]
pub struct LabelIndex {
    map: HashMap<String, Vec<Entry>>,
    /// The most words any label has.
    pub max_words: usize,
    /// The longest key (a run of words longer than this is no caption).
    pub max_key: usize,
}

impl Default for LabelIndex {
    fn default() -> Self {
        Self::new()
    }
}

impl LabelIndex {
    pub fn new() -> Self {
        let mut map: HashMap<String, Vec<Entry>> = HashMap::new();
        let mut max_words = 1;
        let mut max_key = 1;
        let table = TABLE
            .iter()
            .flat_map(|&(kind, weight, forms)| forms.iter().map(move |&form| (kind, weight, form)));
        for (kind, weight, form) in table.chain(i18n_rows()) {
            let key = phrase_key(form);
            if key.is_empty() {
                continue;
            }
            max_words = max_words.max(form.split_whitespace().count() + 1);
            // An amount caption may carry its currency: `Zu zahlen EURO`,
            // `Total (RM)`, `Summa SEK`.
            let amount =
                matches!(kind, Kind::Net | Kind::Vat | Kind::Total | Kind::Gross | Kind::Sum);
            let suffixes: &[&str] = if amount { CURRENCY_KEYS } else { &[""] };
            for suffix in suffixes {
                let key = format!("{key}{suffix}");
                max_key = max_key.max(key.len());
                let entries = map.entry(key).or_default();
                match entries.iter_mut().find(|e| e.kind == kind) {
                    Some(e) => e.weight = e.weight.max(weight),
                    None => entries.push(Entry { kind, weight }),
                }
            }
        }
        LabelIndex { map, max_words: max_words + 1, max_key }
    }

    /// The kinds a concatenated key announces.
    pub fn lookup(&self, key: &str) -> Option<&[Entry]> {
        self.map.get(key).map(Vec::as_slice)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected: &[Kind]) {
        let index = LabelIndex::new();
        let mut got: Vec<Kind> =
            index.lookup(&phrase_key(input)).unwrap_or(&[]).iter().map(|e| e.kind).collect();
        got.sort();
        let mut want = expected.to_vec();
        want.sort();
        assert_eq!(got, want, "label {input:?}");
    }

    #[test]
    fn label_table() {
        check("Fakturanr:", &[Kind::InvoiceNumber]);
        check("FAKTURANUMMER", &[Kind::InvoiceNumber]);
        check("Faktura nr.", &[Kind::InvoiceNumber]);
        check("Invoice #", &[Kind::InvoiceNumber]);
        check("Invoice No.", &[Kind::InvoiceNumber]);
        check("Rechnung Nr.", &[Kind::InvoiceNumber]);
        check("N° de facture", &[Kind::InvoiceNumber]);
        check("FACTURE N°", &[Kind::InvoiceNumber]);
        check("Förfallodatum:", &[Kind::DueDate]);
        check("Zahlbar bis", &[Kind::DueDate]);
        check("Date d'échéance :", &[Kind::DueDate]);
        check("Att betala", &[Kind::Total]);
        check("Total TTC", &[Kind::Gross]);
        check("Moms", &[Kind::Vat, Kind::ColVatRate]);
        check("Org.nr", &[Kind::OrgNr]);
        check("USt-IdNr.", &[Kind::VatNumber]);
        check("Er referens", &[Kind::BuyerReference]);
        check("Vår referens", &[Kind::SupplierReference]);
        check("Godkänd för F-skatt", &[Kind::FSkatt]);
        check("Kreditfaktura", &[Kind::CreditTitle]);
        check("Bankgiro:", &[Kind::Bankgiro]);
        check("Summa exkl. moms", &[Kind::Net]);
        check("Rechnungsnummer:", &[Kind::InvoiceNumber]);
        check("Hello", &[]);
        // From the ten-language table.
        check("Factuurnummer", &[Kind::InvoiceNumber]);
        check("Fecha de factura", &[Kind::InvoiceDate]);
        check("Eräpäivä", &[Kind::DueDate]);
    }

    #[test]
    fn every_i18n_row_is_read() {
        let lines = I18N.lines().skip(1).filter(|l| !l.trim().is_empty()).count();
        assert_eq!(i18n_rows().count(), lines, "a row of labels_i18n.tsv has an unknown kind");
        let langs: std::collections::BTreeSet<&str> =
            I18N.lines().skip(1).filter_map(|l| l.split('\t').nth(2)).collect();
        // sv, en, de and fr are in TABLE; the others come from the TSV.
        for lang in ["nl", "da", "no", "fi", "es", "it"] {
            assert!(langs.contains(lang), "no captions in {lang}");
        }
    }
}
