//! [`Calibrated`]: any extractor with its raw field scores mapped to
//! probabilities by a [`Calibration`] table; the rules' shipped table is
//! `pipeline/calibration.json` (see [`shipped`]).

use invex_domain::calibration::Calibration;
use invex_domain::{Document, Extractor, Invoice};

/// The rules extractor's calibration, fitted on the tuning part of the
/// real-invoice corpus (`datasets/real/`, `invex eval --fit-calibration`).
pub fn shipped() -> Calibration {
    // The file is part of the build and checked by a test, so a parse error
    // here is a packaging bug; an empty table leaves scores as they are.
    Calibration::from_json(include_str!("../calibration.json")).unwrap_or_default()
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_table_parses_and_has_a_pooled_curve() {
        let parsed = Calibration::from_json(include_str!("../calibration.json"))
            .expect("calibration.json parses");
        assert!(parsed.curves.contains_key(invex_domain::calibration::ALL_FIELDS));
        assert_eq!(parsed, shipped());
    }
}
