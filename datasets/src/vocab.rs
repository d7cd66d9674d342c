//! Label words and their synonyms, chosen once per invoice.

use rand::{Rng, RngExt};

use crate::synth::Lang;

/// Every printed caption a layout may need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Title,
    CreditTitle,
    InvoiceNo,
    InvoiceDate,
    DueDate,
    Terms,
    OrderNo,
    BuyerRef,
    SupplierRef,
    CustomerNo,
    Ocr,
    PayRef,
    Bankgiro,
    Plusgiro,
    Iban,
    Bic,
    OrgNr,
    VatNo,
    FSkatt,
    Net,
    Vat,
    Total,
    Gross,
    Rounding,
    Desc,
    Qty,
    Unit,
    UnitPrice,
    VatRate,
    Amount,
    ArtNo,
    Page,
    CarriedOver,
    BroughtForward,
    Phone,
    Email,
    Web,
    Address,
    DeliveryDate,
    LateInterest,
    Currency,
    CreditRef,
    BuyerHeading,
    SupplierHeading,
    PaymentHeading,
    BoardSeat,
    VatBase,
    ReverseCharge,
    CreditTotal,
    Bank,
    Continued,
    ThankYou,
    TermsDays,
}

const N: usize = Key::TermsDays as usize + 1;

fn sv(k: Key) -> &'static [&'static str] {
    use Key::*;
    match k {
        Title => &["FAKTURA", "Faktura", "FAKTURA"],
        CreditTitle => &["KREDITFAKTURA", "Kreditfaktura", "Kreditnota", "KREDITNOTA"],
        InvoiceNo => &["Fakturanr", "Fakturanummer", "Faktura nr", "Fakturanr.", "Fakt.nr"],
        InvoiceDate => &["Fakturadatum", "Datum", "Fakturadag", "Fakturadatum"],
        DueDate => {
            &["Förfallodatum", "Förfallodag", "Betala senast", "Sista betalningsdag", "Förfaller"]
        }
        Terms => &["Betalningsvillkor", "Villkor", "Betalningsvillkor"],
        OrderNo => &["Ordernummer", "Er ordernr", "Ordernr", "Er beställning", "Inköpsorder"],
        BuyerRef => &["Er referens", "Er ref.", "Ert ref", "Referens"],
        SupplierRef => &["Vår referens", "Vår ref.", "Handläggare", "Säljare"],
        CustomerNo => &["Kundnummer", "Kundnr", "Kund-nr"],
        Ocr => &["OCR", "OCR-nummer", "OCR-nr", "OCR/Referens"],
        PayRef => &["Betalningsreferens", "Referens vid betalning"],
        Bankgiro => &["Bankgiro", "Bankgironr", "BG", "Bg", "Bankgiro"],
        Plusgiro => &["Plusgiro", "PlusGiro", "PG", "Postgiro"],
        Iban => &["IBAN"],
        Bic => &["BIC", "BIC/SWIFT", "SWIFT"],
        OrgNr => &["Org.nr", "Organisationsnummer", "Org nr", "Orgnr", "Org.nr"],
        VatNo => {
            &["Momsreg.nr", "Momsregistreringsnummer", "VAT-nr", "Momsnr", "Vat.nr", "Momsreg.nr"]
        }
        FSkatt => &[
            "Godkänd för F-skatt",
            "Innehar F-skattsedel",
            "Företaget innehar F-skatt",
            "Godkänd för F-skatt",
        ],
        Net => &[
            "Summa exkl. moms",
            "Netto",
            "Belopp exkl. moms",
            "Nettobelopp",
            "Totalt exkl. moms",
            "Summa exkl moms",
        ],
        Vat => &["Moms", "Mervärdesskatt", "Moms totalt", "Summa moms", "Moms"],
        Total => &[
            "Att betala",
            "Totalt att betala",
            "Summa att betala",
            "Totalt",
            "Att betala",
            "Belopp att betala",
        ],
        Gross => &["Summa inkl. moms", "Totalt inkl. moms", "Summa"],
        Rounding => &["Öresavrundning", "Avrundning", "Öresutjämning"],
        Desc => &["Beskrivning", "Benämning", "Artikel", "Text", "Specifikation"],
        Qty => &["Antal", "Ant.", "Antal"],
        Unit => &["Enhet", "Enh", "Enhet"],
        UnitPrice => &["À-pris", "Á-pris", "Pris", "Styckpris", "à-pris"],
        VatRate => &["Moms %", "Moms", "Momssats", "Moms%"],
        Amount => &["Belopp", "Summa", "Totalt", "Belopp"],
        ArtNo => &["Art.nr", "Artikelnr", "Art nr"],
        Page => &["Sida"],
        CarriedOver => &["Summa att överföra", "Att överföra"],
        BroughtForward => &["Överfört från föregående sida", "Överfört"],
        Phone => &["Telefon", "Tel", "Tfn", "Telefon"],
        Email => &["E-post", "Epost", "E-mail"],
        Web => &["Hemsida", "Webb", "Internet"],
        Address => &["Adress", "Postadress", "Besöksadress"],
        DeliveryDate => &["Leveransdatum", "Lev.datum", "Utförandedatum"],
        LateInterest => &["Dröjsmålsränta", "Dröjsmålsränta"],
        Currency => &["Valuta"],
        CreditRef => &["Avser faktura", "Krediterar faktura nr", "Kreditering av faktura"],
        BuyerHeading => &["Faktureringsadress", "Fakturaadress", "Kund", "Köpare", "Mottagare"],
        SupplierHeading => &["Leverantör", "Säljare", "Avsändare"],
        PaymentHeading => {
            &["Betalningsinformation", "Betalning", "Betala till", "Betalningsuppgifter"]
        }
        BoardSeat => &["Styrelsens säte", "Säte"],
        VatBase => &["Underlag", "Momsunderlag", "Netto"],
        ReverseCharge => &["Omvänd betalningsskyldighet", "Omvänd skattskyldighet"],
        CreditTotal => &["Att återfå", "Kreditbelopp", "Summa kredit", "Att erhålla"],
        Bank => &["Bank"],
        Continued => &["Fortsättning", "forts."],
        ThankYou => &[
            "Tack för din beställning!",
            "Tack för att du handlar hos oss.",
            "Vid frågor om fakturan, kontakta oss.",
            "Tack för förtroendet!",
        ],
        TermsDays => &["{} dagar netto", "{} dagar", "Netto {} dagar", "{} dgr netto"],
    }
}

fn en(k: Key) -> &'static [&'static str] {
    use Key::*;
    match k {
        Title => &["INVOICE", "Invoice", "Tax Invoice"],
        CreditTitle => &["CREDIT NOTE", "Credit note", "Credit Invoice"],
        InvoiceNo => &["Invoice no.", "Invoice number", "Invoice #", "Invoice No"],
        InvoiceDate => &["Invoice date", "Date", "Date of issue"],
        DueDate => &["Due date", "Payment due", "Due"],
        Terms => &["Payment terms", "Terms"],
        OrderNo => &["Order number", "PO number", "Your order no.", "Purchase order"],
        BuyerRef => &["Your reference", "Your ref.", "Customer reference"],
        SupplierRef => &["Our reference", "Our ref.", "Contact", "Sales rep"],
        CustomerNo => &["Customer no.", "Customer ID", "Account no."],
        Ocr => &["OCR", "OCR reference", "OCR no."],
        PayRef => &["Payment reference", "Reference", "Please quote"],
        Bankgiro => &["Bankgiro", "Bank giro", "BG"],
        Plusgiro => &["Plusgiro", "PlusGiro"],
        Iban => &["IBAN"],
        Bic => &["BIC", "SWIFT/BIC", "SWIFT"],
        OrgNr => &["Reg. no.", "Corporate ID", "Company reg. no.", "Org. no."],
        VatNo => &["VAT no.", "VAT reg. no.", "VAT number", "VAT ID"],
        FSkatt => &["Approved for F-tax", "F-tax approved", "Registered for F-tax"],
        Net => &["Subtotal", "Net amount", "Total excl. VAT", "Amount excl. VAT"],
        Vat => &["VAT", "Total VAT", "Tax"],
        Total => &["Total", "Amount due", "Total due", "Balance due", "Total amount"],
        Gross => &["Total incl. VAT", "Gross total"],
        Rounding => &["Rounding", "Rounding adjustment"],
        Desc => &["Description", "Item", "Product/Service"],
        Qty => &["Qty", "Quantity"],
        Unit => &["Unit"],
        UnitPrice => &["Unit price", "Price", "Rate"],
        VatRate => &["VAT %", "VAT", "Tax rate"],
        Amount => &["Amount", "Total", "Line total"],
        ArtNo => &["Item no.", "SKU", "Art. no."],
        Page => &["Page"],
        CarriedOver => &["Carried forward", "Subtotal carried forward"],
        BroughtForward => &["Brought forward", "Carried over from previous page"],
        Phone => &["Phone", "Tel.", "Telephone"],
        Email => &["Email", "E-mail"],
        Web => &["Web", "Website"],
        Address => &["Address", "Postal address"],
        DeliveryDate => &["Delivery date", "Date of supply"],
        LateInterest => &["Late payment interest", "Interest on overdue payments"],
        Currency => &["Currency"],
        CreditRef => &["Credit for invoice", "Refers to invoice", "Original invoice"],
        BuyerHeading => &["Bill to", "Invoice to", "Customer", "Billing address", "Sold to"],
        SupplierHeading => &["From", "Supplier", "Seller"],
        PaymentHeading => &["Payment details", "Payment information", "Remit to", "Bank details"],
        BoardSeat => &["Registered office"],
        VatBase => &["Net", "Taxable amount", "Basis"],
        ReverseCharge => &["Reverse charge", "VAT reverse charge, Art. 196 Directive 2006/112/EC"],
        CreditTotal => &["Amount to be credited", "Credit total", "Total credit"],
        Bank => &["Bank"],
        Continued => &["continued"],
        ThankYou => &[
            "Thank you for your business!",
            "Questions about this invoice? Contact us.",
            "We appreciate your business.",
        ],
        TermsDays => &["{} days net", "Net {}", "{} days"],
    }
}

const ALL: [Key; N] = {
    use Key::*;
    [
        Title,
        CreditTitle,
        InvoiceNo,
        InvoiceDate,
        DueDate,
        Terms,
        OrderNo,
        BuyerRef,
        SupplierRef,
        CustomerNo,
        Ocr,
        PayRef,
        Bankgiro,
        Plusgiro,
        Iban,
        Bic,
        OrgNr,
        VatNo,
        FSkatt,
        Net,
        Vat,
        Total,
        Gross,
        Rounding,
        Desc,
        Qty,
        Unit,
        UnitPrice,
        VatRate,
        Amount,
        ArtNo,
        Page,
        CarriedOver,
        BroughtForward,
        Phone,
        Email,
        Web,
        Address,
        DeliveryDate,
        LateInterest,
        Currency,
        CreditRef,
        BuyerHeading,
        SupplierHeading,
        PaymentHeading,
        BoardSeat,
        VatBase,
        ReverseCharge,
        CreditTotal,
        Bank,
        Continued,
        ThankYou,
        TermsDays,
    ]
};

/// The words one invoice uses: one synonym per key, and whether captions end in a colon.
#[derive(Debug, Clone)]
pub struct Vocab {
    pub lang: Lang,
    words: Vec<&'static str>,
    pub colon: bool,
}

impl Vocab {
    pub fn new<R: Rng>(rng: &mut R, lang: Lang) -> Vocab {
        let words = ALL
            .iter()
            .map(|&k| {
                let list = if lang == Lang::En { en(k) } else { sv(k) };
                list[rng.random_range(0..list.len())]
            })
            .collect();
        Vocab { lang, words, colon: rng.random_bool(0.5) }
    }

    /// The bare word.
    pub fn w(&self, k: Key) -> &'static str {
        self.words.get(k as usize).copied().unwrap_or("")
    }

    /// The caption, with a colon if this invoice uses them.
    pub fn l(&self, k: Key) -> String {
        let w = self.w(k);
        if self.colon { format!("{w}:") } else { w.to_string() }
    }

    /// Replaces the chosen synonym (for families with fixed wording).
    pub fn set(&mut self, k: Key, word: &'static str) {
        if let Some(slot) = self.words.get_mut(k as usize) {
            *slot = word;
        }
    }

    /// Payment terms text, e.g. "30 dagar netto".
    pub fn terms(&self, days: u32) -> String {
        self.w(Key::TermsDays).replace("{}", &days.to_string())
    }

    pub fn sv(&self) -> bool {
        self.lang == Lang::Sv
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_has_words() {
        for (i, k) in ALL.iter().enumerate() {
            assert_eq!(*k as usize, i);
            assert!(!sv(*k).is_empty() && !en(*k).is_empty());
        }
    }
}
