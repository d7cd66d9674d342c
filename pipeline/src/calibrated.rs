//! [`Calibrated`]: any extractor with its raw field scores mapped to
//! probabilities by a [`Calibration`] table; the rules' shipped table is
//! `domain/calibration.json` ([`Calibration::shipped`]).

use invex_domain::calibration::Calibration;
use invex_domain::{Document, Extractor, Invoice};

/// An extractor whose every field confidence is calibrated.
pub struct Calibrated {
    inner: Box<dyn Extractor>,
    table: Calibration,
}

impl Calibrated {
    pub fn new(inner: Box<dyn Extractor>, table: Calibration) -> Self {
        Calibrated { inner, table }
    }
}

impl Extractor for Calibrated {
    fn name(&self) -> &'static str {
        self.inner.name()
    }

    fn extract(&self, document: &Document) -> Invoice {
        let mut invoice = self.inner.extract(document);
        self.table.apply(&mut invoice);
        invoice
    }

    fn extract_batch(&self, documents: &[&Document]) -> Vec<Invoice> {
        let mut invoices = self.inner.extract_batch(documents);
        for invoice in &mut invoices {
            self.table.apply(invoice);
        }
        invoices
    }
}
