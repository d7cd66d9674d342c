//! Checking an answer: nothing the model says is taken on trust.
//!
//! The answer must be a JSON object with exactly the schema's keys (else it
//! is malformed and asked again once). Each non-null value is parsed by our
//! parsers for its field's kind and must pass the field's validator (Luhn,
//! mod 97, VAT form (or, for the supplier's tax id, a national form the
//! rules read too), ISO 4217), and must be printed on the page: found among
//! the page's words in any usual printed form, which also gives its page and
//! box. A value that fails either is refused with the reason; the others
//! are accepted with source `llm`.

use invex_domain::fallback::Refusal;
use invex_domain::locate::find_on_page;
use invex_domain::parse::{glued_currency, normalize_currency};
use invex_domain::service::review::parse_correction;
use invex_domain::validate::national_tax_id;
use invex_domain::{BBox, Document, Field, FieldName, Invoice, Source, Value};
use serde_json::Value as Json;

use crate::prompt::ASKED;

/// The confidence of an accepted value: sure enough to fill a field the
/// page's reading missed or to overrule an unsure one (the merge's
/// `MODEL_SURE`), never a certainty (a model can pick the wrong printed
/// value, such as the buyer's name).
pub const ACCEPTED_CONFIDENCE: f32 = 0.9;

/// Why an answer as a whole is unusable.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BadAnswer {
    #[error("the model refused: {0}")]
    Refused(String),
    #[error("the answer is not JSON: {0}")]
    Malformed(String),
    #[error("the answer does not match the schema: {0}")]
    OffSchema(String),
    #[error("the answer was cut off ({0})")]
    Truncated(String),
}

/// The accepted fields and the refused values of an answer's JSON content.
pub fn check_answer(
    content: &str,
    document: &Document,
) -> Result<(Invoice, Vec<Refusal>), BadAnswer> {
    let json: Json =
        serde_json::from_str(content).map_err(|e| BadAnswer::Malformed(e.to_string()))?;
    let Json::Object(object) = json else {
        return Err(BadAnswer::OffSchema("not an object".into()));
    };
    if let Some(extra) = object.keys().find(|k| !ASKED.iter().any(|n| n.as_str() == k.as_str())) {
        return Err(BadAnswer::OffSchema(format!("unexpected key {extra:?}")));
    }
    let mut invoice = Invoice::default();
    let mut refused = Vec::new();
    for name in ASKED {
        let value = object
            .get(name.as_str())
            .ok_or_else(|| BadAnswer::OffSchema(format!("missing key {:?}", name.as_str())))?;
        match value {
            Json::Null => continue,
            Json::String(s) if s.trim().is_empty() => continue,
            Json::String(_) => {}
            other => {
                return Err(BadAnswer::OffSchema(format!(
                    "{} is {other}, not a string or null",
                    name.as_str()
                )));
            }
        }
        match accept(name, value, document) {
            Ok(field) => {
                invoice.set(name, field);
            }
            Err(why) => refused.push(Refusal {
                field: name,
                value: value.as_str().unwrap_or_default().to_string(),
                why,
            }),
        }
    }
    Ok((invoice, refused))
}

/// One value: parsed, validated and found on the page, or why not.
fn accept(name: FieldName, value: &Json, document: &Document) -> Result<Field, String> {
    let parsed = match parse_correction(name, value) {
        Ok(parsed) => parsed,
        // A tax id of a national form outside the EU VAT forms (a Spanish
        // CIF, an Italian partita IVA, an Indian GSTIN), as the rules read
        // it; the VAT check still flags it, so a person confirms it.
        Err(why) if name == FieldName::SupplierVat => {
            value.as_str().and_then(national_tax_id).map(Value::Text).ok_or(why)?
        }
        Err(why) => return Err(why),
    };
    let (page, bbox) = printed(name, &parsed, document).ok_or("not found on the page")?;
    Ok(Field {
        value: parsed,
        confidence: ACCEPTED_CONFIDENCE,
        page: Some(page),
        bbox: Some(bbox),
        source: Source::Llm,
        xml_path: None,
    })
}

/// Where `value` is printed. A currency is printed as its code or a symbol
/// (`€`, `kr`, glued to an amount or alone), not necessarily as the code.
fn printed(name: FieldName, value: &Value, document: &Document) -> Option<(u32, BBox)> {
    if name != FieldName::Currency {
        return find_on_page(document, value);
    }
    let Value::Text(code) = value else { return None };
    document.pages.iter().find_map(|page| {
        page.words
            .iter()
            .find(|w| {
                normalize_currency(&w.text).or_else(|| glued_currency(&w.text))
                    == Some(code.as_str())
            })
            .map(|w| (page.number, w.bbox))
    })
}
