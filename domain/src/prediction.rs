//! One line of `invex extract` output, in the format `../shared/eval/README.md` defines.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json, json};

use crate::invoice::Invoice;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Ok,
    Failed,
}

/// The result for one input file: an invoice, or the reason there is none.
#[derive(Debug, Clone, PartialEq)]
pub struct Prediction {
    pub file: String,
    pub status: Status,
    /// Human-readable cause, when `status` is `Failed`.
    pub error: Option<String>,
    /// Stable code for the cause, for example `encrypted`.
    pub error_type: Option<String>,
    pub invoice: Invoice,
    pub pages: usize,
}

impl Prediction {
    pub fn ok(file: String, invoice: Invoice, pages: usize) -> Self {
        Prediction { file, status: Status::Ok, error: None, error_type: None, invoice, pages }
    }
    pub fn failed(file: String, error_type: &str, error: String) -> Self {
        Prediction {
            file,
            status: Status::Failed,
            error: Some(error),
            error_type: Some(error_type.to_string()),
            invoice: Invoice::default(),
            pages: 0,
        }
    }

    /// `{"file", "status", "error"?, "fields": {name: {"value", "confidence", "page", "bbox", "source"}}, "line_items": [...]}`
    pub fn to_json(&self) -> Json {
        let mut fields = Map::new();
        for (name, field) in &self.invoice.fields {
            fields.insert(name.as_str().to_string(), field_json(field));
        }
        let line_items: Vec<Json> = self
            .invoice
            .line_items
            .iter()
            .map(|li| {
                let mut line = json!({
                    "description": li.description,
                    "quantity": li.quantity,
                    "unit": li.unit,
                    "unit_price": li.unit_price,
                    "vat_rate": li.vat_rate,
                    "amount": li.amount,
                    "confidence": round3(li.confidence),
                    "page": li.page,
                    "bbox": li.bbox.map(|b| b.to_array()),
                });
                if !li.kind.is_item() {
                    line["kind"] = serde_json::to_value(li.kind).unwrap_or(Json::Null);
                }
                if let Some(why) = &li.unsure {
                    line["unsure"] = json!(why);
                }
                line
            })
            .collect();
        let vat_breakdown: Vec<Json> = self
            .invoice
            .vat_breakdown
            .iter()
            .map(|v| {
                let mut line = json!({"rate": v.rate, "base": v.base, "amount": v.amount});
                if let Some(category) = &v.category {
                    line["category"] = json!(category);
                }
                if let Some(reason) = &v.exemption_reason {
                    line["exemption_reason"] = json!(reason);
                }
                line
            })
            .collect();
        let mut out = Map::new();
        out.insert("file".into(), json!(self.file));
        out.insert("status".into(), serde_json::to_value(self.status).unwrap_or(Json::Null));
        if let Some(e) = &self.error {
            out.insert("error".into(), json!(e));
        }
        if let Some(e) = &self.error_type {
            out.insert("error_type".into(), json!(e));
        }
        out.insert("pages".into(), json!(self.pages));
        if self.status == Status::Ok {
            let confidence = crate::service::review::document_confidence(&self.invoice);
            out.insert("confidence".into(), json!((confidence * 1e4).round() / 1e4));
            let failed = crate::service::review::failed_checks(&self.invoice);
            out.insert("failed_checks".into(), json!(failed));
            let unsure: Vec<String> = crate::service::review::unsure_fields(&self.invoice)
                .iter()
                .map(ToString::to_string)
                .collect();
            out.insert("unsure".into(), json!(unsure));
        }
        if let Some(e) = &self.invoice.e_invoice {
            let mut info = serde_json::to_value(e).unwrap_or(Json::Null);
            // Each mismatch also in words, as the failed checks say it.
            if let Some(list) = info.get_mut("mismatches").and_then(Json::as_array_mut) {
                for (json, mismatch) in list.iter_mut().zip(&e.mismatches) {
                    json["message"] = json!(mismatch.to_string());
                }
            }
            out.insert("e_invoice".into(), info);
        }
        if let Some(f) = &self.invoice.fallback {
            out.insert("llm".into(), serde_json::to_value(f).unwrap_or(Json::Null));
        }
        if let Some(statement) = &self.invoice.vat_statement {
            let mut v = serde_json::to_value(statement).unwrap_or(Json::Null);
            v["confidence"] = json!(round3(statement.confidence));
            if let Some(bbox) = statement.bbox {
                v["bbox"] = json!(bbox.to_array());
            }
            out.insert("vat_statement".into(), v);
        }
        if let Some(credited) = &self.invoice.credited_invoice {
            out.insert("credited_invoice".into(), field_json(credited));
        }
        out.insert("fields".into(), Json::Object(fields));
        out.insert("vat_breakdown".into(), Json::Array(vat_breakdown));
        out.insert("line_items".into(), Json::Array(line_items));
        Json::Object(out)
    }
}

/// `{"value", "confidence", "page"?, "bbox"?, "source", "xml_path"?}`.
fn field_json(field: &crate::invoice::Field) -> Json {
    let mut f = Map::new();
    f.insert("value".into(), field.value.to_json());
    f.insert("confidence".into(), json!(round3(field.confidence)));
    if let Some(page) = field.page {
        f.insert("page".into(), json!(page));
    }
    if let Some(bbox) = field.bbox {
        f.insert("bbox".into(), json!(bbox.to_array()));
    }
    f.insert("source".into(), serde_json::to_value(field.source).unwrap_or(Json::Null));
    if let Some(path) = &field.xml_path {
        f.insert("xml_path".into(), json!(path));
    }
    Json::Object(f)
}

fn round3(v: f32) -> f64 {
    (v as f64 * 1000.0).round() / 1000.0
}
