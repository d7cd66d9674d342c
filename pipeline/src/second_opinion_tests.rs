use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use invex_domain::{DocumentError, Field, FieldName, ImageExtractor, Invoice, Source, Value};
use rust_decimal::Decimal;

use super::{ImageExtractorUse, SecondOpinion};

use FieldName::*;

/// An image extractor that answers with a fixed invoice (or an error) and
/// counts how often it was asked.
struct Answers {
    invoice: Option<Invoice>,
    asked: Arc<AtomicUsize>,
}

impl ImageExtractor for Answers {
    fn name(&self) -> &'static str {
        "donut"
    }
    fn extract_file(&self, _bytes: &[u8]) -> Result<(Invoice, usize), DocumentError> {
        self.asked.fetch_add(1, Ordering::SeqCst);
        self.invoice.clone().map(|i| (i, 1)).ok_or(DocumentError::CorruptImage("bad".into()))
    }
}

fn value(name: FieldName, s: &str) -> Value {
    match name {
        TotalAmount | NetAmount | VatAmount => Value::Amount(Decimal::from_str(s).unwrap()),
        InvoiceDate | DueDate => Value::Date(s.parse().unwrap()),
        _ => Value::Text(s.into()),
    }
}

fn invoice(fields: &[(FieldName, &str, f32)], source: Source) -> Invoice {
    let mut inv = Invoice::default();
    for &(name, v, confidence) in fields {
        inv.set(
            name,
            Field {
                value: value(name, v),
                confidence,
                page: Some(1),
                bbox: None,
                source,
                xml_path: None,
            },
        );
    }
    inv
}

/// The words' fields, complete and sure.
const SURE: &[(FieldName, &str, f32)] = &[
    (InvoiceNumber, "10042", 0.98),
    (InvoiceDate, "2026-11-22", 0.97),
    (TotalAmount, "1234.56", 0.99),
    (SupplierName, "Kontorsvaror AB", 0.95),
];

/// (case, usage, words' fields, image's fields (None: it fails),
///  asked?, expected (field, value, source)).
type Case = (
    &'static str,
    ImageExtractorUse,
    &'static [(FieldName, &'static str, f32)],
    Option<&'static [(FieldName, &'static str, f32)]>,
    bool,
    &'static [(FieldName, &'static str, Source)],
);

const UNSURE: ImageExtractorUse = ImageExtractorUse::WhenUnsure { below: 0.5 };

#[test]
fn the_image_extractor_is_asked_and_merged_as_the_usage_says() {
    let cases: &[Case] = &[
        (
            "a sure, complete result is left alone",
            UNSURE,
            SURE,
            Some(&[(InvoiceNumber, "99999", 0.99)]),
            false,
            &[(InvoiceNumber, "10042", Source::Rules)],
        ),
        (
            "a missing needed field asks; a sure answer fills it",
            UNSURE,
            &[(InvoiceNumber, "10042", 0.98), (TotalAmount, "1234.56", 0.99)],
            Some(&[(SupplierName, "Kontorsvaror AB", 0.95), (InvoiceNumber, "99999", 0.99)]),
            true,
            &[
                (SupplierName, "Kontorsvaror AB", Source::Donut),
                (InvoiceNumber, "10042", Source::Rules),
            ],
        ),
        (
            "an unsure answer does not fill a gap",
            UNSURE,
            &[(InvoiceNumber, "10042", 0.98)],
            Some(&[(SupplierName, "Kontorsvaror AB", 0.6)]),
            true,
            &[(InvoiceNumber, "10042", Source::Rules)],
        ),
        (
            "a low OCR confidence asks; a sure answer overrules the unsure value",
            UNSURE,
            &[
                (InvoiceNumber, "1OO42", 0.3),
                (InvoiceDate, "2026-11-22", 0.97),
                (TotalAmount, "1234.56", 0.99),
                (SupplierName, "Kontorsvaror AB", 0.95),
            ],
            Some(&[(InvoiceNumber, "10042", 0.95)]),
            true,
            &[(InvoiceNumber, "10042", Source::Donut), (TotalAmount, "1234.56", Source::Rules)],
        ),
        (
            "a failing image extractor leaves the words' result",
            UNSURE,
            &[(InvoiceNumber, "10042", 0.98)],
            None,
            true,
            &[(InvoiceNumber, "10042", Source::Rules)],
        ),
        (
            "a sure answer that fails its validator is not taken",
            UNSURE,
            &[(InvoiceNumber, "10042", 0.98)],
            Some(&[(Bankgiro, "5050-1056", 0.99), (Plusgiro, "90 20 03-3", 0.99)]),
            true,
            &[(Plusgiro, "90 20 03-3", Source::Donut)],
        ),
        (
            "always asks, and a sure result still wins ties",
            ImageExtractorUse::Always,
            SURE,
            Some(&[(InvoiceNumber, "99999", 0.99), (DueDate, "2026-12-22", 0.95)]),
            true,
            &[(InvoiceNumber, "10042", Source::Rules), (DueDate, "2026-12-22", Source::Donut)],
        ),
    ];
    for (case, usage, words, image, asked, expected) in cases {
        let asked_count = Arc::new(AtomicUsize::new(0));
        let answers = Answers {
            invoice: image.map(|f| invoice(f, Source::Donut)),
            asked: asked_count.clone(),
        };
        let second = SecondOpinion::new(Box::new(answers), *usage);
        let merged = second.review("f.pdf", b"%PDF", invoice(words, Source::Rules));
        assert_eq!(asked_count.load(Ordering::SeqCst), usize::from(*asked), "{case}: asked");
        let names: Vec<FieldName> = expected.iter().map(|e| e.0).collect();
        let extra: Vec<&FieldName> = merged
            .fields
            .keys()
            .filter(|n| !names.contains(n) && !words.iter().any(|w| w.0 == **n))
            .collect();
        assert!(extra.is_empty(), "{case}: unexpected fields {extra:?}");
        for (name, v, source) in *expected {
            let field = merged.get(*name).unwrap_or_else(|| panic!("{case}: {name:?} missing"));
            assert_eq!(field.value, value(*name, v), "{case}: {name:?}");
            assert_eq!(field.source, *source, "{case}: {name:?}");
        }
    }
}

#[test]
fn instead_replaces_the_words() {
    let answers =
        Answers { invoice: Some(invoice(SURE, Source::Donut)), asked: Arc::new(0.into()) };
    let second = SecondOpinion::new(Box::new(answers), ImageExtractorUse::Instead);
    assert!(second.replaces_words());
    let (inv, pages) = second.extract_file(b"%PDF").unwrap();
    assert_eq!((inv.fields.len(), pages), (4, 1));
}

/// A reader that finds no words in any file (a photo OCR cannot read).
struct NoWords;

impl invex_domain::DocumentReader for NoWords {
    fn read(&self, _bytes: &[u8]) -> Result<invex_domain::Document, DocumentError> {
        Err(DocumentError::NoTextLayer { pages: 1 })
    }
}

#[test]
fn a_file_without_words_gets_the_image_extractors_reading() {
    use crate::{Pipeline, RulesExtractor};
    use invex_domain::Status;
    // (case, image extractor's fields (None: no image extractor), usage,
    //  expected status, error code).
    type Case = (
        &'static str,
        Option<&'static [(FieldName, &'static str, f32)]>,
        ImageExtractorUse,
        Status,
        Option<&'static str>,
    );
    let cases: &[Case] = &[
        (
            "no image extractor: no words is an error",
            None,
            UNSURE,
            Status::Failed,
            Some("no_text_layer"),
        ),
        ("the image extractor read fields", Some(SURE), UNSURE, Status::Ok, None),
        (
            "the image extractor read nothing either",
            Some(&[]),
            UNSURE,
            Status::Failed,
            Some("no_text_layer"),
        ),
        (
            "instead: the words are never read",
            Some(SURE),
            ImageExtractorUse::Instead,
            Status::Ok,
            None,
        ),
    ];
    for (case, image, usage, status, code) in cases {
        let mut pipeline =
            Pipeline::new(Box::new(NoWords), Box::new(RulesExtractor::new()), u64::MAX);
        if let Some(fields) = image {
            let answers = Answers {
                invoice: Some(invoice(fields, Source::Donut)),
                asked: Arc::new(0.into()),
            };
            pipeline = pipeline.with_second_opinion(SecondOpinion::new(Box::new(answers), *usage));
        }
        let p = pipeline.process_bytes("photo.jpg".into(), b"\xff\xd8\xff");
        assert_eq!(p.status, *status, "{case}");
        assert_eq!(p.error_type.as_deref(), *code, "{case}");
        if *status == Status::Ok {
            let invoice = &p.invoice;
            assert!(invoice.fields.values().all(|f| f.source == Source::Donut), "{case}");
            assert_eq!(invoice.fields.len(), 4, "{case}");
        }
    }
}
