//! How the buyer accounts for an invoice's VAT, and what the invoice says
//! about it.
//!
//! An invoice says it in words ("Omvänd skattskyldighet", "Reverse charge,
//! Article 196", "Steuerschuldnerschaft des Leistungsempfängers",
//! "Autoliquidation", "BTW verlegd", "Innergemeinschaftliche Lieferung"), or
//! an e-invoice says it with a VAT category (`AE`, `K`, `E`). Extraction
//! records the statement ([`VatStatement`], with its words and box); the
//! treatment ([`VatTreatment::of`]) follows from the statement, the
//! supplier's country and the VAT charged, so a reviewer's correction of the
//! supplier's VAT number changes it.
//!
//! What each treatment means for the books (BAS, Skatteverket's
//! momsdeklaration):
//!
//! | treatment | buyer books | boxes |
//! |---|---|---|
//! | [`VatTreatment::Standard`] | the VAT charged as input VAT (2641) | 48 |
//! | [`VatTreatment::DomesticReverseCharge`] | fictive output 2617, input 2647 | 24, 30, 48 |
//! | [`VatTreatment::EuServices`] | fictive output 2614, input 2645 | 21, 30, 48 |
//! | [`VatTreatment::EuGoods`] | fictive output 2614, input 2645 | 20, 30, 48 |
//! | [`VatTreatment::ImportServices`] | fictive output 2614, input 2645 | 22, 30, 48 |
//! | [`VatTreatment::Exempt`] | no VAT | – |

use serde::{Deserialize, Serialize};

use crate::geometry::BBox;
use crate::invoice::{FieldName, Invoice, Source};

/// What an invoice states about its VAT, beside the amounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VatNote {
    /// The buyer pays the VAT: "omvänd skattskyldighet", "reverse charge",
    /// "Steuerschuldnerschaft des Leistungsempfängers", "autoliquidation",
    /// "BTW verlegd", Article 196 of the VAT directive; UNCL5305 `AE`.
    ReverseCharge,
    /// A supply of goods to another EU country, exempt for the seller and
    /// taxed as an acquisition by the buyer: "intra-community supply",
    /// "innergemeinschaftliche Lieferung", "livraison intracommunautaire",
    /// Article 138; UNCL5305 `K`.
    IntraCommunityGoods,
    /// Exempt from VAT ("momsfri", "VAT exempt", "steuerfrei nach § 4",
    /// "exonéré de TVA", Article 132); UNCL5305 `E`.
    Exempt,
}

impl VatNote {
    /// The UNCL5305 VAT category that states the same.
    pub fn category(self) -> &'static str {
        match self {
            VatNote::ReverseCharge => "AE",
            VatNote::IntraCommunityGoods => "K",
            VatNote::Exempt => "E",
        }
    }

    /// The note a UNCL5305 category states, if any.
    pub fn from_category(category: &str) -> Option<VatNote> {
        match category.trim() {
            "AE" => Some(VatNote::ReverseCharge),
            "K" => Some(VatNote::IntraCommunityGoods),
            "E" => Some(VatNote::Exempt),
            _ => None,
        }
    }
}

/// A [`VatNote`] with the words that state it and where they are.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VatStatement {
    pub note: VatNote,
    /// The statement as printed (or the e-invoice's exemption reason).
    pub text: String,
    pub confidence: f32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bbox: Option<BBox>,
    pub source: Source,
}

/// How the buyer accounts for the VAT of one invoice (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum VatTreatment {
    /// The supplier charges VAT, or the invoice says nothing else.
    #[default]
    Standard,
    /// A Swedish supplier's reverse charge (ML 16 kap. 13 § f.: construction
    /// services, scrap, emission rights, mobile phones and chips): the buyer
    /// books Swedish output and input VAT.
    DomesticReverseCharge,
    /// Services from a supplier in another EU country (Article 196).
    EuServices,
    /// Goods from a supplier in another EU country (an intra-community
    /// acquisition).
    EuGoods,
    /// Services from a supplier outside the EU.
    ImportServices,
    /// No VAT at all, and none for the buyer to account for.
    Exempt,
}

/// EU member states by VAT-number prefix (Greece is `EL`).
pub const EU: [&str; 27] = [
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR", "HU", "IE", "IT",
    "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
];

/// The country of a VAT number or IBAN: its two upper-case letters.
pub fn country_prefix(id: &str) -> Option<&str> {
    id.get(..2).filter(|p| p.bytes().all(|b| b.is_ascii_uppercase()))
}

impl VatTreatment {
    /// Whether the buyer books fictive output and input VAT.
    pub fn is_reverse_charge(self) -> bool {
        matches!(
            self,
            VatTreatment::DomesticReverseCharge
                | VatTreatment::EuServices
                | VatTreatment::EuGoods
                | VatTreatment::ImportServices
        )
    }

    /// The treatment of an invoice, and why, from its VAT statement, the
    /// supplier's country (VAT number, else IBAN) and the VAT it charges.
    ///
    /// - A reverse-charge statement: a Swedish supplier's is domestic, an EU
    ///   supplier's is EU services, any other supplier's is an import of
    ///   services. A supplier whose country cannot be told is left standard:
    ///   the reason says so, and nothing fictive is booked on a guess.
    /// - An intra-community supply from an EU supplier is EU goods.
    /// - An exemption is exempt.
    ///
    /// VAT charged on the invoice always wins: an invoice with VAT is
    /// standard whatever its words say. (The rules state a reverse charge
    /// without words too: an EU supplier that charges no VAT and prints the
    /// buyer's VAT number, with that number as the statement's evidence.)
    pub fn of(invoice: &Invoice) -> (VatTreatment, Option<String>) {
        let vat = invoice.amount(FieldName::VatAmount).unwrap_or_default();
        if !vat.is_zero() {
            return (VatTreatment::Standard, None);
        }
        let country = invoice
            .text(FieldName::SupplierVat)
            .and_then(country_prefix)
            .or_else(|| invoice.text(FieldName::Iban).and_then(country_prefix))
            .map(|c| if c == "GR" { "EL" } else { c });
        let eu = |c: &str| EU.contains(&c);
        let statement = invoice.vat_statement.as_ref();
        let said = |s: &VatStatement| format!("the invoice says {:?}", s.text);
        match (statement, country) {
            (Some(s), _) if s.note == VatNote::Exempt => (VatTreatment::Exempt, Some(said(s))),
            (Some(s), Some("SE")) if s.note == VatNote::ReverseCharge => {
                (VatTreatment::DomesticReverseCharge, Some(said(s)))
            }
            (Some(s), Some(c)) if eu(c) && s.note == VatNote::IntraCommunityGoods => {
                (VatTreatment::EuGoods, Some(format!("{} and the supplier is in {c}", said(s))))
            }
            (Some(s), Some(c)) if eu(c) && c != "SE" => {
                (VatTreatment::EuServices, Some(format!("{} and the supplier is in {c}", said(s))))
            }
            (Some(s), Some(c)) if !eu(c) && s.note == VatNote::ReverseCharge => (
                VatTreatment::ImportServices,
                Some(format!("{} and the supplier is in {c}, outside the EU", said(s))),
            ),
            (Some(s), None) => (
                VatTreatment::Standard,
                Some(format!(
                    "{}, but the supplier's country cannot be told from a VAT number or IBAN, so no reverse charge is booked",
                    said(s)
                )),
            ),
            (Some(s), Some(c)) => (
                VatTreatment::Standard,
                Some(format!(
                    "{}, but from a supplier in {c} that does not make the buyer account for the VAT",
                    said(s)
                )),
            ),
            (None, _) => (VatTreatment::Standard, None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::invoice::{Field, Value};
    use rust_decimal::Decimal;

    fn invoice(vat: &str, supplier_vat: Option<&str>, note: Option<VatNote>) -> Invoice {
        let mut inv = Invoice::default();
        let amount = Value::Amount(vat.parse::<Decimal>().unwrap());
        inv.set(FieldName::VatAmount, Field::new(amount, 0.9, Source::Rules));
        if let Some(v) = supplier_vat {
            inv.set(FieldName::SupplierVat, Field::new(Value::Text(v.into()), 0.9, Source::Rules));
        }
        inv.vat_statement = note.map(|note| VatStatement {
            note,
            text: "words".into(),
            confidence: 0.9,
            page: Some(1),
            bbox: None,
            source: Source::Rules,
        });
        inv
    }

    #[test]
    fn treatment_table() {
        use VatNote::*;
        use VatTreatment::*;
        // (VAT, supplier VAT number, statement, treatment)
        let rows: [(&str, Option<&str>, Option<VatNote>, VatTreatment); 10] = [
            ("0", Some("SE556036079301"), Some(ReverseCharge), DomesticReverseCharge),
            ("0", Some("DE123456789"), Some(ReverseCharge), EuServices),
            ("0", Some("DE123456789"), Some(IntraCommunityGoods), EuGoods),
            ("0", Some("ATU12345678"), Some(IntraCommunityGoods), EuGoods),
            ("0", Some("GB123456789"), Some(ReverseCharge), ImportServices),
            ("0", Some("NO923456789MVA"), Some(ReverseCharge), ImportServices),
            ("0", None, Some(ReverseCharge), Standard),
            ("0", Some("SE556036079301"), Some(VatNote::Exempt), VatTreatment::Exempt),
            ("0", Some("FR12345678901"), None, Standard),
            ("25.00", Some("DE123456789"), Some(ReverseCharge), Standard),
        ];
        for (vat, supplier, note, want) in rows {
            let (got, why) = VatTreatment::of(&invoice(vat, supplier, note));
            assert_eq!(got, want, "{vat} {supplier:?} {note:?}: {why:?}");
            // A statement is always explained, unless VAT was charged.
            assert_eq!(why.is_some(), note.is_some() && vat == "0", "{why:?}");
        }
    }

    #[test]
    fn categories_round_trip() {
        for note in [VatNote::ReverseCharge, VatNote::IntraCommunityGoods, VatNote::Exempt] {
            assert_eq!(VatNote::from_category(note.category()), Some(note));
        }
        assert_eq!(VatNote::from_category("S"), None);
    }
}
