//! PEPPOL BIS Billing 3.0: one UBL 2.1 `Invoice` (type 380) or `CreditNote`
//! (type 381) per booking, the format Swedish public bodies must receive and
//! the successor of Svefaktura.
//!
//! The supplier is the seller and the tenant ([`crate::config::Company`]) the
//! buyer; both get an `EndpointID` with scheme `0007` (Swedish org nr, ten
//! digits, taken from the seller's VAT number when the org nr is missing).
//! Sellers get their VAT number and, when the invoice says so, "Godkänd för
//! F-skatt" as `PartyTaxScheme`s. A seller in another country gets its VAT
//! number as endpoint (the EAS VAT scheme of its country). VAT is one
//! `TaxSubtotal` per rate and category: the category an e-invoice states
//! (exempt `E`, export `G`, reverse charge `AE`, with its exemption reason;
//! see [`writable_categories`] for what is refused), else `S`, or `Z` for
//! 0 %; payment is `PaymentMeans` 30 to Bankgiro or Plusgiro
//! (`SE:BANKGIRO`/`SE:PLUSGIRO` as branch) or an IBAN, with the OCR reference
//! as `PaymentID`. Invoices in another currency carry `TaxCurrencyCode` SEK
//! and the VAT total in SEK (BR-53). Lines are the invoice's own when they
//! add up per rate, else one line per rate (see [`lines`]).
//!
//! [`rules`] checks the Swedish national rules SE-R-001..013 and the
//! EN 16931 rules on totals on the written XML; tests also validate every
//! document against the UBL 2.1 XSD with `xmllint` and OpenPEPPOL's CEN and
//! PEPPOL BIS 3 schematrons with Saxon-HE (`schematron`).

pub(crate) mod lines;
pub mod rules;
#[cfg(test)]
mod schematron;
mod write;
mod xml;
pub mod xsd;

#[cfg(test)]
mod tests;

use std::io::Write;

use invex_domain::validate;

use crate::{Booking, DocumentExporter, Error, TenantConfig};

pub use rules::{Flag, Violation, check_xml};
pub use write::{CUSTOMIZATION_ID, PROFILE_ID};

/// Writes one PEPPOL BIS Billing 3.0 document per booking.
#[derive(Debug, Clone)]
pub struct PeppolExporter<'a> {
    pub config: &'a TenantConfig,
}

impl DocumentExporter for PeppolExporter<'_> {
    fn name(&self) -> &'static str {
        "PEPPOL BIS Billing 3.0"
    }

    /// The source path with `/` and other odd characters as `_`, and `.xml`.
    fn file_name(&self, booking: &Booking) -> String {
        let stem = booking.source.rsplit_once('.').map_or(booking.source.as_str(), |(s, _)| s);
        let safe: String = stem
            .chars()
            .map(|c| if c.is_alphanumeric() || matches!(c, '-' | '_') { c } else { '_' })
            .collect();
        format!("{safe}.xml")
    }

    fn write_one(&self, b: &Booking, out: &mut dyn Write) -> Result<(), Error> {
        let refuse = |detail: &str| Error::Unsupported {
            invoice: b.label(),
            format: "PEPPOL",
            detail: detail.to_string(),
        };
        let s = &b.supplier;
        let seller = match s.vat_nr.as_deref().and_then(foreign_vat) {
            Some((country, endpoint)) => foreign_seller(b, country, endpoint),
            None => swedish_seller(b).map_err(refuse)?,
        };
        if s.name.trim().is_empty() {
            return Err(refuse("the supplier has no name (BR-06)"));
        }
        writable_categories(b, seller.country != "SE", self.config.company.vat_nr.as_deref())
            .map_err(|e| refuse(&e))?;
        // GR-R-001/004: a Greek seller's document carries its myDATA MARK
        // number and a six-part invoice id, which an invoice read from a
        // page does not give.
        if seller.country == "GR" {
            return Err(refuse(
                "a Greek supplier's PEPPOL invoice needs its myDATA MARK number and a six-part invoice id (GR-R-001, GR-R-004), which are not read",
            ));
        }
        // NL-R-002: a Dutch seller's address has its street, city and post code.
        if seller.country == "NL" {
            let (street, zone, city) = lines::address(s.address.as_deref());
            if street.is_none() || zone.is_none() || city.is_none() {
                return Err(refuse(
                    "a Dutch supplier's address needs its street, city and post code (NL-R-002), and they were not all read",
                ));
            }
        }
        let company = &self.config.company;
        let buyer_org = company
            .org_nr
            .as_deref()
            .and_then(validate::org_nr)
            .or_else(|| b.buyer_org_nr.clone())
            .map(|o| digits(&o))
            .ok_or_else(|| {
                refuse(
                    "set [company] org_nr in the tenant config: the buyer needs a PEPPOL endpoint",
                )
            })?;
        let buyer_name = Some(company.name.as_str())
            .filter(|n| !n.trim().is_empty())
            .or(b.buyer_name.as_deref())
            .ok_or_else(|| refuse("set [company] name in the tenant config (BR-07)"))?;
        let buyer = write::Party {
            endpoint: ("0007", buyer_org.clone()),
            name: buyer_name,
            address: None,
            country: "SE".into(),
            vat_nr: company.vat_nr.as_deref(),
            f_skatt: false,
            legal_id: Some(("0007", buyer_org)),
        };
        // PEPPOL-EN16931-R003: a buyer reference or an order reference; the
        // seller's own invoice number is neither.
        let buyer_reference = b.buyer_reference.as_deref().or(company.buyer_reference.as_deref());
        if buyer_reference.is_none() && b.order_number.is_none() {
            return Err(refuse(
                "PEPPOL needs the buyer's reference or an order number (PEPPOL-EN16931-R003) and the invoice prints neither: set [company] buyer_reference in the tenant config for a default",
            ));
        }
        let io = |cause| Error::Write { format: "PEPPOL", cause };
        let mut x = xml::Xml::new(out).map_err(io)?;
        write::document(b, &seller, &buyer, buyer_reference, &mut x).map_err(io)?;
        x.finish().map_err(io)
    }
}

impl PeppolExporter<'_> {
    /// The document as a string.
    pub fn render(&self, b: &Booking) -> Result<String, Error> {
        let mut out = Vec::new();
        self.write_one(b, &mut out)?;
        String::from_utf8(out).map_err(|e| Error::Unsupported {
            invoice: b.label(),
            format: "PEPPOL",
            detail: e.to_string(),
        })
    }

    /// Writes the booking and checks the result against the SE-R and EN 16931
    /// rules of [`rules`].
    pub fn check(&self, b: &Booking) -> Result<Vec<Violation>, Error> {
        Ok(check_xml(&self.render(b)?))
    }
}

/// A Swedish seller: endpoint `0007`, the org nr, else the ten digits inside
/// a Swedish VAT number (SE + org nr + 01).
fn swedish_seller(b: &Booking) -> Result<write::Party<'_>, &'static str> {
    let s = &b.supplier;
    let seller_org = s.org_nr.as_deref().map(digits).or_else(|| {
        let vat = s.vat_nr.as_deref()?;
        vat.get(2..12).filter(|_| vat.len() == 14).map(str::to_string)
    });
    let Some(seller_org) = seller_org else {
        return Err(
            "the supplier has neither an org nr nor a Swedish VAT number for its PEPPOL endpoint",
        );
    };
    Ok(write::Party {
        endpoint: ("0007", seller_org.clone()),
        name: &s.name,
        address: s.address.as_deref(),
        country: "SE".into(),
        vat_nr: s.vat_nr.as_deref(),
        f_skatt: s.f_skatt,
        legal_id: Some(("0007", seller_org)),
    })
}

/// A seller in another country, with its VAT number as endpoint
/// (BR-S-02/BR-E-02/BR-AE-02 hold with it); which VAT it may charge is
/// [`writable_categories`]' concern.
fn foreign_seller<'a>(
    b: &'a Booking,
    country: &'static str,
    endpoint: (&'static str, String),
) -> write::Party<'a> {
    let s = &b.supplier;
    write::Party {
        endpoint,
        name: &s.name,
        address: s.address.as_deref(),
        country: country.into(),
        vat_nr: s.vat_nr.as_deref(),
        f_skatt: false,
        // DK-R-002: a Danish seller's legal entity is its CVR number, the
        // eight digits of its VAT number.
        legal_id: (country == "DK")
            .then(|| ("0184", digits(s.vat_nr.as_deref().unwrap_or_default()))),
    }
}

/// Refuses VAT categories the document cannot state correctly. Standard
/// (`S`) and zero rates (`Z`) are written; exempt (`E`), export (`G`),
/// reverse charge (`AE`) and intra-community supply (`K`) only with an
/// exemption reason (BR-E-10, BR-G-10, BR-AE-10, BR-IC-10): the one an
/// e-invoice states, or the booking's VAT treatment's; `AE` and `K` also
/// need the buyer's VAT number (BR-AE-02, BR-IC-02). A foreign seller's 0 %
/// without a category is a reverse charge, an intra-community supply or an
/// export that the invoice does not tell apart. `O`, `L` and `M` have rules
/// of their own: not written yet.
fn writable_categories(
    b: &Booking,
    foreign_seller: bool,
    buyer_vat: Option<&str>,
) -> Result<(), String> {
    for p in &b.vat {
        let reason = p.exemption_reason.as_deref().is_some_and(|r| !r.trim().is_empty());
        match p.category.as_deref() {
            None if foreign_seller && p.rate.is_zero() && !p.base.is_zero() => {
                return Err(
                    "the supplier is in another country and charges 0 % VAT without stating why: reverse charge (AE), intra-community supply (K) or export (G) cannot be told apart"
                        .into(),
                );
            }
            // BR-S-05: standard rated is more than 0 %; an e-invoice that
            // says otherwise contradicts itself, and is not rewritten.
            Some("S") if p.rate.is_zero() => {
                return Err(
                    "the invoice states VAT category S (standard rated) at 0 %, which EN 16931 forbids (BR-S-05)"
                        .into(),
                );
            }
            None | Some("S" | "Z") => {}
            Some("E" | "G") if reason => {}
            Some("AE" | "K") if reason && buyer_vat.is_some() => {}
            Some(c @ ("AE" | "K")) if reason => {
                let rule = if c == "AE" { "BR-AE-02" } else { "BR-IC-02" };
                return Err(format!(
                    "VAT category {c} needs the buyer's VAT number: set [company] vat_nr in the tenant config ({rule})"
                ));
            }
            Some(c @ ("E" | "G" | "AE" | "K")) => {
                let rule = if c == "K" { "BR-IC-10".to_string() } else { format!("BR-{c}-10") };
                return Err(format!("VAT category {c} without an exemption reason ({rule})"));
            }
            Some(c) => {
                return Err(format!(
                    "VAT category {c} is not written yet (O, L and M have rules of their own)"
                ));
            }
        }
    }
    Ok(())
}

/// The country (ISO 3166, `GR` for VAT prefix `EL`) and PEPPOL endpoint
/// (EAS scheme, id) of a VAT number that is not Swedish, from the EAS code
/// list: the VAT-number schemes (`9930` DE:VAT, …) with the whole number as
/// id, and Denmark's CVR (`0184`) and Norway's org nr (`0192`) with the
/// digits.
fn foreign_vat(vat: &str) -> Option<(&'static str, (&'static str, String))> {
    const SCHEMES: [(&str, &str, &str); 28] = [
        ("AT", "AT", "9914"),
        ("BE", "BE", "9925"),
        ("BG", "BG", "9926"),
        ("CH", "CH", "9927"),
        ("CY", "CY", "9928"),
        ("CZ", "CZ", "9929"),
        ("DE", "DE", "9930"),
        ("EE", "EE", "9931"),
        ("ES", "ES", "9920"),
        ("FR", "FR", "9957"),
        ("GB", "GB", "9932"),
        ("EL", "GR", "9933"),
        ("HR", "HR", "9934"),
        ("HU", "HU", "9910"),
        ("IE", "IE", "9935"),
        ("IT", "IT", "0211"),
        ("LT", "LT", "9937"),
        ("LU", "LU", "9938"),
        ("LV", "LV", "9939"),
        ("MT", "MT", "9943"),
        ("NL", "NL", "9944"),
        ("PL", "PL", "9945"),
        ("PT", "PT", "9946"),
        ("RO", "RO", "9947"),
        ("SI", "SI", "9949"),
        ("SK", "SK", "9950"),
        ("FI", "FI", "0213"),
        ("DK", "DK", "0184"),
    ];
    let prefix = vat.get(..2)?;
    if prefix == "NO" {
        return Some(("NO", ("0192", digits(vat))));
    }
    let (_, country, scheme) = SCHEMES.iter().find(|(p, _, _)| *p == prefix)?;
    let id = if *country == "DK" { digits(vat) } else { vat.to_string() };
    Some((country, (scheme, id)))
}

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}
