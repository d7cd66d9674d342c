//! PEPPOL BIS Billing 3.0: one UBL 2.1 `Invoice` (type 380) or `CreditNote`
//! (type 381) per booking, the format Swedish public bodies must receive and
//! the successor of Svefaktura.
//!
//! The supplier is the seller and the tenant ([`crate::config::Company`]) the
//! buyer; both get an `EndpointID` with scheme `0007` (Swedish org nr, ten
//! digits, taken from the seller's VAT number when the org nr is missing).
//! Sellers get their VAT number and, when the invoice says so, "Godkänd för
//! F-skatt" as `PartyTaxScheme`s. Only Swedish sellers are written: a foreign
//! seller's invoice needs the cross-border VAT categories, which are refused
//! with a message for now. VAT is one `TaxSubtotal` per rate (category
//! `S`, or `Z` for 0 %); payment is `PaymentMeans` 30 to Bankgiro or Plusgiro
//! (`SE:BANKGIRO`/`SE:PLUSGIRO` as branch) or an IBAN, with the OCR reference
//! as `PaymentID`. Invoices in another currency carry `TaxCurrencyCode` SEK
//! and the VAT total in SEK (BR-53). Lines are the invoice's own when they
//! add up per rate, else one line per rate (see [`lines`]).
//!
//! [`rules`] checks the Swedish national rules SE-R-001..013 and the
//! EN 16931 rules on totals on the written XML; tests also validate every
//! document against the UBL 2.1 XSD with `xmllint`.

pub(crate) mod lines;
pub mod rules;
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
        let country = match s.vat_nr.as_deref() {
            Some(vat) if vat.len() > 2 && vat.is_char_boundary(2) => vat[..2].to_string(),
            _ => "SE".to_string(),
        };
        if country != "SE" {
            return Err(refuse(&format!(
                "the supplier is in {country}: cross-border invoices (VAT categories K/AE with exemption reasons) are not written yet"
            )));
        }
        // The org nr, else the ten digits inside a Swedish VAT number (SE + org nr + 01).
        let seller_org = s.org_nr.as_deref().map(digits).or_else(|| {
            let vat = s.vat_nr.as_deref()?;
            (vat.len() == 14).then(|| vat[2..12].to_string())
        });
        let Some(seller_org) = seller_org else {
            return Err(refuse(
                "the supplier has neither an org nr nor a Swedish VAT number for its PEPPOL endpoint",
            ));
        };
        let seller_endpoint = ("0007", seller_org.clone());
        if s.name.trim().is_empty() {
            return Err(refuse("the supplier has no name (BR-06)"));
        }
        let seller = write::Party {
            endpoint: seller_endpoint,
            name: &s.name,
            address: s.address.as_deref(),
            country,
            vat_nr: s.vat_nr.as_deref(),
            f_skatt: s.f_skatt,
            org_nr: Some(seller_org),
        };
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
            org_nr: Some(buyer_org),
        };
        let io = |cause| Error::Write { format: "PEPPOL", cause };
        let mut x = xml::Xml::new(out).map_err(io)?;
        write::document(b, &seller, &buyer, &mut x).map_err(io)?;
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

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}
