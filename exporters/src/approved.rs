//! The service's export of approved invoices ([`invex_domain::BookingExport`]):
//! each invoice as a person left it is booked with the deployment's tenant
//! config and written as SIE 4I (one file) or PEPPOL BIS 3 (one UBL
//! document per invoice, each checked against the PEPPOL rules first).
//! The approval is the review, so no confidence gate applies here.

use chrono::NaiveDate;
use invex_domain::{BookingExport, Export, ExportedFile, Invoice, Prediction};

use crate::peppol::{Flag, PeppolExporter, check_xml};
use crate::sie::SieExporter;
use crate::{DocumentExporter, FileExporter, ReviewGate, TenantConfig, book_all};

/// Books with one [`TenantConfig`] (accounts, company) for every tenant.
pub struct ApprovedExport {
    pub config: TenantConfig,
}

impl ApprovedExport {
    fn sie(
        &self,
        bookings: &[crate::Booking],
        generated: NaiveDate,
        out: &mut Export,
    ) -> Result<(), String> {
        let sie = SieExporter {
            config: &self.config,
            generated,
            program: ("invex", env!("CARGO_PKG_VERSION")),
        };
        let mut bytes = Vec::new();
        sie.write(bookings, &mut bytes).map_err(|e| e.to_string())?;
        out.files.push(ExportedFile { name: "invex.se".into(), bytes });
        Ok(())
    }

    fn peppol(&self, bookings: &[crate::Booking], out: &mut Export) {
        let exporter = PeppolExporter { config: &self.config };
        for b in bookings {
            let xml = match exporter.render(b) {
                Ok(xml) => xml,
                Err(e) => {
                    out.skipped.push((b.source.clone(), e.to_string()));
                    continue;
                }
            };
            let fatal: Vec<String> = check_xml(&xml)
                .into_iter()
                .filter(|v| v.flag == Flag::Fatal)
                .map(|v| format!("{} {}", v.rule, v.message))
                .collect();
            if fatal.is_empty() {
                out.files
                    .push(ExportedFile { name: exporter.file_name(b), bytes: xml.into_bytes() });
            } else {
                let why = format!("breaks PEPPOL rules: {}", fatal.join("; "));
                out.skipped.push((b.source.clone(), why));
            }
        }
    }
}

impl BookingExport for ApprovedExport {
    fn formats(&self) -> &'static [&'static str] {
        &["sie", "peppol"]
    }

    fn export(&self, format: &str, invoices: &[(String, Invoice)]) -> Result<Export, String> {
        if !self.formats().contains(&format) {
            return Err(format!("{format:?} is not one of {}", self.formats().join(", ")));
        }
        let predictions: Vec<Prediction> = invoices
            .iter()
            .map(|(source, invoice)| Prediction::ok(source.clone(), invoice.clone(), 0))
            .collect();
        let (bookings, unbookable) =
            book_all(&predictions, &self.config, ReviewGate::IncludeUnreviewed);
        let mut out = Export {
            files: Vec::new(),
            skipped: unbookable.into_iter().map(|s| (s.source, s.reason)).collect(),
        };
        match format {
            "sie" => self.sie(&bookings, chrono::Local::now().date_naive(), &mut out)?,
            _ => self.peppol(&bookings, &mut out),
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;

    #[test]
    fn approved_invoices_are_written_as_sie_or_peppol_and_the_rest_named() {
        let good = fixtures::invoices().remove(0).1;
        let mut unbookable = good.clone();
        unbookable.fields.remove(&invex_domain::FieldName::TotalAmount);
        let invoices =
            vec![("good.pdf".to_string(), good), ("no-total.pdf".to_string(), unbookable)];
        let export = ApprovedExport { config: fixtures::config() };
        // (format, files written)
        for (format, files) in [("sie", 1), ("peppol", 1)] {
            let out = export.export(format, &invoices).expect(format);
            assert_eq!(out.files.len(), files, "{format}: {out:?}");
            assert_eq!(out.skipped.len(), 1, "{format}: {:?}", out.skipped);
            assert_eq!(out.skipped[0].0, "no-total.pdf");
        }
        let sie = export.export("sie", &invoices).unwrap();
        let text = codepage_437_text(&sie.files[0].bytes);
        assert!(text.contains("#VER"), "{text}");
        let peppol = export.export("peppol", &invoices).unwrap();
        assert!(peppol.files[0].name.ends_with(".xml"));
        assert!(String::from_utf8_lossy(&peppol.files[0].bytes).contains("<Invoice"));
        assert!(export.export("fortnox", &invoices).is_err(), "not a file format here");
        // SIE needs the company's name: without one nothing is written, and the error says so.
        let nameless = ApprovedExport { config: TenantConfig::default() };
        let why = nameless.export("sie", &invoices).unwrap_err();
        assert!(why.to_lowercase().contains("company"), "{why}");
    }

    fn codepage_437_text(bytes: &[u8]) -> String {
        bytes.iter().map(|&b| if b.is_ascii() { b as char } else { '?' }).collect()
    }
}
