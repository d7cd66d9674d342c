//! [`LayoutExtractor`]: the layout model as an [`Extractor`]. Inference
//! errors never escape: they are logged and the invoice is left empty, so
//! a combining extractor falls back to the rules.

use invex_domain::{Document, Extractor, Invoice};

use crate::fields::{LabelledWord, invoice_from_words};
use crate::model::{DocumentPrediction, LayoutModel};

pub struct LayoutExtractor {
    model: LayoutModel,
}

impl LayoutExtractor {
    pub fn new(model: LayoutModel) -> LayoutExtractor {
        LayoutExtractor { model }
    }

    pub fn model(&self) -> &LayoutModel {
        &self.model
    }

    /// Per word of `document` (document order): the model's label and its
    /// probability, for debugging.
    pub fn word_labels(&self, document: &Document) -> Result<Vec<(String, f32)>, crate::Error> {
        let prediction = self.model.predict_documents(&[document])?.pop();
        Ok(prediction
            .map(|p| p.words.into_iter().map(|w| (w.label, w.probability)).collect())
            .unwrap_or_default())
    }

    /// The invoice that `prediction` spells out on `document`.
    pub fn invoice(document: &Document, prediction: &DocumentPrediction) -> Invoice {
        let words: Vec<LabelledWord> = document
            .pages
            .iter()
            .flat_map(|page| page.words.iter().map(move |w| (page.number, w)))
            .zip(&prediction.words)
            .map(|((page, word), p)| LabelledWord {
                text: &word.text,
                bbox: word.bbox,
                page,
                tag: p.tag,
                probability: p.probability,
            })
            .collect();
        invoice_from_words(document, &words)
    }
}

impl Extractor for LayoutExtractor {
    fn name(&self) -> &'static str {
        "model"
    }

    fn extract(&self, document: &Document) -> Invoice {
        self.extract_batch(&[document]).pop().unwrap_or_default()
    }

    fn extract_batch(&self, documents: &[&Document]) -> Vec<Invoice> {
        match self.model.predict_documents(documents) {
            Ok(predictions) => documents
                .iter()
                .zip(&predictions)
                .map(|(document, prediction)| LayoutExtractor::invoice(document, prediction))
                .collect(),
            Err(e) => {
                tracing::warn!("layout model failed on a batch of {}: {e}", documents.len());
                documents.iter().map(|_| Invoice::default()).collect()
            }
        }
    }
}
