//! The language-model fallback (the cascade's fourth stage) in the
//! pipeline: which read files are handed to a [`Fallback`], and how its
//! answer joins the page's reading.
//!
//! A file is handed over only when it was read from its page (there are
//! words to check the answer against) and the fallback's policy gives a
//! reason (`FallbackJob::wanted`). The accepted values join through [`merge_with`], the layout
//! model's merge with [`MergePolicy::CHECKED_LLM`]: agreement raises
//! confidence, a validator decides a disagreement, then the model's value
//! (confidence 0.9, found on the page and validated) overrules a rules value
//! below 0.9 and fills a missing field; its net, VAT and total are kept
//! together when they add up and the merged ones do not. A disagreement
//! lowers the winner's confidence, so a person sees it.
//! What happened is kept on the invoice (`Invoice::fallback`): a fallback
//! that gave up or was not asked leaves a failed check, so the invoice goes
//! to review with the reason.

use invex_domain::Prediction;
use invex_domain::fallback::{FallbackInfo, FallbackOutcome};
use sha2::{Digest, Sha256};

use crate::combine::{MergePolicy, merge_with};

/// The file's sha256 as lower-case hex (the cache key's first part).
pub fn content_hash(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Where a prediction goes once the fallback has answered: `give` joins
/// the answer in and delivers it. A job the fallback drops without
/// answering (a crashed task) is delivered as given up, so no file is lost.
pub struct Answer<F: FnOnce(Prediction)> {
    waiting: Option<(Prediction, Vec<String>, F)>,
}

impl<F: FnOnce(Prediction)> Answer<F> {
    pub fn new(prediction: Prediction, reasons: Vec<String>, deliver: F) -> Self {
        Answer { waiting: Some((prediction, reasons, deliver)) }
    }

    pub fn give(mut self, outcome: FallbackOutcome) {
        if let Some((prediction, reasons, deliver)) = self.waiting.take() {
            deliver(join(prediction, reasons, outcome));
        }
    }
}

impl<F: FnOnce(Prediction)> Drop for Answer<F> {
    fn drop(&mut self) {
        if let Some((prediction, reasons, deliver)) = self.waiting.take() {
            let reason = "the fallback dropped the job".to_string();
            deliver(join(prediction, reasons, FallbackOutcome::GaveUp { reason }));
        }
    }
}

/// `prediction` with the fallback's `outcome` joined in.
pub fn join(
    mut prediction: Prediction,
    reasons: Vec<String>,
    outcome: FallbackOutcome,
) -> Prediction {
    let info = FallbackInfo::of(reasons, &outcome);
    if let FallbackOutcome::Answered { invoice, .. } = outcome {
        let page = std::mem::take(&mut prediction.invoice);
        prediction.invoice = merge_with(page, *invoice, MergePolicy::CHECKED_LLM);
    }
    prediction.invoice.fallback = Some(Box::new(info));
    prediction
}

#[cfg(test)]
mod tests {
    use invex_domain::fallback::{FallbackJob, FallbackPolicy, Refusal, Usage};
    use invex_domain::service::review::failed_checks;
    use invex_domain::{Document, Field, FieldName, Invoice, Source, Value};

    use super::*;

    fn invoice(fields: &[(FieldName, &str, f32, Source)]) -> Invoice {
        let mut invoice = Invoice::default();
        for &(name, value, confidence, source) in fields {
            invoice.set(name, Field::new(Value::Text(value.into()), confidence, source));
        }
        invoice
    }

    fn answered(fields: &[(FieldName, &str)]) -> FallbackOutcome {
        let llm: Vec<_> = fields.iter().map(|&(n, v)| (n, v, 0.9, Source::Llm)).collect();
        FallbackOutcome::Answered {
            invoice: Box::new(invoice(&llm)),
            refused: vec![Refusal {
                field: FieldName::Iban,
                value: "XX00".into(),
                why: "not found on the page".into(),
            }],
            usage: Usage { prompt_tokens: 500, completion_tokens: 80, cost_usd: 0.0001 },
            cached: false,
        }
    }

    #[test]
    fn the_checked_answer_fills_and_overrules_only_what_the_rules_are_unsure_of() {
        use FieldName::*;
        // (the rules' number and confidence, the model's number, the number
        // kept, its source)
        let cases = [
            (None, "A-1", "A-1", Source::Llm), // fills a missing field
            (Some(("A-1", 0.6)), "A-1", "A-1", Source::Llm), // agreement: the surer source
            (Some(("1", 0.6)), "A-1", "A-1", Source::Llm), // overrules an unsure value
            (Some(("B-2", 0.95)), "A-1", "B-2", Source::Rules), // a sure one stays
        ];
        for (rules, llm, kept, source) in cases {
            let page = match rules {
                Some((v, c)) => invoice(&[(InvoiceNumber, v, c, Source::Rules)]),
                None => Invoice::default(),
            };
            let prediction = Prediction::ok("f.pdf".into(), page, 1);
            let joined = join(
                prediction,
                vec!["invoice_number is unsure".into()],
                answered(&[(InvoiceNumber, llm)]),
            );
            let field = joined.invoice.get(InvoiceNumber).unwrap();
            assert_eq!(field.value, Value::Text(kept.into()), "{rules:?} vs {llm}");
            assert_eq!(field.source, source, "{rules:?} vs {llm}");
            match rules {
                Some((v, c)) if v == llm => {
                    assert!(field.confidence > c, "agreement raises confidence")
                }
                Some(_) => assert!(field.confidence < 0.9, "a disagreement lowers confidence"),
                None => {}
            }
            let info = joined.invoice.fallback.as_deref().unwrap();
            assert_eq!(info.outcome, "answered");
            assert_eq!(info.accepted, vec![InvoiceNumber]);
            assert_eq!(info.refused.len(), 1);
            assert_eq!(info.usage.prompt_tokens, 500);
            assert_eq!(info.note, None);
        }
    }

    #[test]
    fn a_fallback_that_gives_up_or_is_not_asked_leaves_its_reason_as_a_failed_check() {
        let cases = [
            (
                FallbackOutcome::GaveUp { reason: "timeout".into() },
                "gave_up",
                "gave no usable answer: timeout",
            ),
            (
                FallbackOutcome::Skipped { reason: "budget spent".into() },
                "skipped",
                "not asked: budget spent",
            ),
        ];
        for (outcome, kind, why) in cases {
            let page = invoice(&[(FieldName::InvoiceNumber, "A-1", 0.4, Source::Rules)]);
            let joined = join(Prediction::ok("f.pdf".into(), page.clone(), 1), vec![], outcome);
            assert_eq!(joined.invoice.fields, page.fields, "{kind}: the page's reading is kept");
            assert_eq!(joined.invoice.fallback.as_deref().unwrap().outcome, kind);
            assert!(failed_checks(&joined.invoice).iter().any(|f| f.ends_with(why)), "{kind}");
            // The record survives the output format.
            let line = joined.to_json();
            assert_eq!(line["llm"]["outcome"], kind);
            let back = Prediction::from_json(&line).unwrap();
            assert_eq!(back.invoice.fallback, joined.invoice.fallback);
        }
    }

    #[test]
    fn only_files_read_from_their_page_with_a_reason_are_handed_over() {
        use invex_domain::{BBox, Page, Word};
        let words = Document {
            pages: vec![Page {
                number: 1,
                width: 100.0,
                height: 100.0,
                words: vec![Word {
                    text: "x".into(),
                    bbox: BBox::new(0.0, 0.0, 1.0, 1.0),
                    confidence: 1.0,
                }],
            }],
        };
        let unsure = FallbackPolicy::Unsure { below: 0.5 };
        let empty = Prediction::ok("f.pdf".into(), Invoice::default(), 1);
        let failed = Prediction::failed("f.pdf".into(), "encrypted", "encrypted".into());
        let cases = [
            (FallbackPolicy::Never, &empty, Some(words.clone()), false),
            (unsure, &empty, Some(words.clone()), true),
            (unsure, &empty, None, false),
            (unsure, &failed, Some(words.clone()), false),
            (FallbackPolicy::Always, &empty, Some(Document::default()), false),
        ];
        for (policy, prediction, document, wanted) in cases {
            let hash = || content_hash(b"%PDF");
            let job = FallbackJob::wanted(policy, prediction, document.as_ref(), hash, None);
            assert_eq!(job.is_some(), wanted, "{policy:?} {:?}", prediction.status);
            if let Some(job) = job {
                assert_eq!(job.content_hash.len(), 64);
                assert!(
                    job.reasons.iter().any(|r| r == "invoice_number is missing"),
                    "{:?}",
                    job.reasons
                );
            }
        }
    }
}
