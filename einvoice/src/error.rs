use invex_domain::DocumentError;
use thiserror::Error;

/// Why an XML document was not read as an invoice.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum Error {
    /// Well-formed XML, but not a UBL Invoice/CreditNote or a CII invoice.
    #[error("{0}")]
    NotAnInvoice(String),
    /// Not well-formed XML (or not UTF-8).
    #[error("{0}")]
    Invalid(String),
    /// Refused before or while parsing: a DTD, too large, too deep, too many nodes.
    #[error("{0}")]
    Unsafe(String),
}

impl From<Error> for DocumentError {
    fn from(e: Error) -> Self {
        match e {
            Error::NotAnInvoice(why) => DocumentError::NotAnInvoice(why),
            Error::Invalid(why) => DocumentError::InvalidXml(why),
            Error::Unsafe(why) => DocumentError::UnsafeXml(why),
        }
    }
}
