//! Reading `invex extract` output back: [`Prediction::from_json`] is the
//! inverse of [`Prediction::to_json`] (boxes to 0.1 pt and confidences to
//! three decimals, as written; line items' `source` is not written).

use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::{Map, Value as Json};

use crate::geometry::BBox;
use crate::invoice::{
    Field, FieldName, Invoice, LineItem, LineKind, Source, Value, ValueKind, VatLine,
};
use crate::prediction::{Prediction, Status};

/// A prediction line that does not follow the format; the message names the
/// key and what is wrong with it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("malformed prediction: {0}")]
pub struct MalformedPrediction(pub String);

fn bad(msg: String) -> MalformedPrediction {
    MalformedPrediction(msg)
}

impl Prediction {
    /// Parses one output line (see `shared/eval/README.md`). Unknown field
    /// names are ignored (newer writers may add fields); a known field whose
    /// value has the wrong type is an error.
    pub fn from_json(json: &Json) -> Result<Prediction, MalformedPrediction> {
        let obj = json.as_object().ok_or_else(|| bad("not a JSON object".into()))?;
        let file = str_key(obj, "file")?.ok_or_else(|| bad("no \"file\"".into()))?;
        let status = match str_key(obj, "status")?.as_deref() {
            Some("ok") => Status::Ok,
            Some("failed") => Status::Failed,
            other => return Err(bad(format!("{file}: status {other:?} is not ok or failed"))),
        };
        let at = |e: MalformedPrediction| bad(format!("{file}: {}", e.0));
        let mut invoice = Invoice::default();
        if let Some(fields) = obj.get("fields").and_then(Json::as_object) {
            for (name, f) in fields {
                let Some(name) = FieldName::parse(name) else { continue };
                invoice.fields.insert(name, field(name, f).map_err(at)?);
            }
        }
        for v in array(obj, "vat_breakdown").map_err(at)? {
            let rate = decimal(v.get("rate"), "vat_breakdown rate").map_err(at)?;
            let amount = decimal(v.get("amount"), "vat_breakdown amount").map_err(at)?;
            let (Some(rate), Some(amount)) = (rate, amount) else {
                return Err(bad(format!("{file}: a vat_breakdown entry lacks rate or amount")));
            };
            let base = decimal(v.get("base"), "vat_breakdown base").map_err(at)?;
            let text = |key: &str| v.get(key).and_then(Json::as_str).map(str::to_string);
            invoice.vat_breakdown.push(VatLine {
                rate,
                base,
                amount,
                category: text("category"),
                exemption_reason: text("exemption_reason"),
            });
        }
        for li in array(obj, "line_items").map_err(at)? {
            invoice.line_items.push(line_item(li).map_err(at)?);
        }
        if let Some(info) = obj.get("e_invoice").filter(|v| !v.is_null()) {
            let info = serde_json::from_value(info.clone())
                .map_err(|e| bad(format!("{file}: e_invoice: {e}")))?;
            invoice.e_invoice = Some(info);
        }
        if let Some(info) = obj.get("llm").filter(|v| !v.is_null()) {
            let info = serde_json::from_value(info.clone())
                .map_err(|e| bad(format!("{file}: llm: {e}")))?;
            invoice.fallback = Some(Box::new(info));
        }
        if let Some(v) = obj.get("vat_statement").filter(|v| !v.is_null()) {
            let mut v = v.clone();
            // The box is written as an array, as the fields' boxes are.
            let bbox = v.get("bbox").and_then(|b| bbox(Some(b)));
            if let Some(map) = v.as_object_mut() {
                map.remove("bbox");
            }
            let mut statement: crate::tax::VatStatement = serde_json::from_value(v)
                .map_err(|e| bad(format!("{file}: vat_statement: {e}")))?;
            statement.bbox = bbox;
            invoice.vat_statement = Some(statement);
        }
        if let Some(f) = obj.get("credited_invoice").filter(|v| !v.is_null()) {
            let credited = field_as("credited_invoice", ValueKind::Text, f).map_err(at)?;
            invoice.credited_invoice = Some(credited);
        }
        let pages = obj.get("pages").and_then(Json::as_u64).unwrap_or(0) as usize;
        Ok(Prediction {
            file,
            status,
            error: str_key(obj, "error")?,
            error_type: str_key(obj, "error_type")?,
            invoice,
            pages,
        })
    }
}

fn str_key(obj: &Map<String, Json>, key: &str) -> Result<Option<String>, MalformedPrediction> {
    match obj.get(key) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(bad(format!("\"{key}\" is {other}, not a string"))),
    }
}

fn array<'a>(obj: &'a Map<String, Json>, key: &str) -> Result<&'a [Json], MalformedPrediction> {
    match obj.get(key) {
        None | Some(Json::Null) => Ok(&[]),
        Some(Json::Array(a)) => Ok(a),
        Some(_) => Err(bad(format!("\"{key}\" is not an array"))),
    }
}

/// An amount written as a JSON number (or a numeric string), exactly as printed.
fn decimal(v: Option<&Json>, what: &str) -> Result<Option<Decimal>, MalformedPrediction> {
    let text = match v {
        None | Some(Json::Null) => return Ok(None),
        Some(Json::Number(n)) => n.to_string(),
        Some(Json::String(s)) => s.clone(),
        Some(other) => return Err(bad(format!("{what} {other} is not a number"))),
    };
    Decimal::from_str(&text)
        .or_else(|_| Decimal::from_scientific(&text))
        .map(|d| Some(d.normalize()))
        .map_err(|_| bad(format!("{what} {text} is not a decimal number")))
}

fn field(name: FieldName, f: &Json) -> Result<Field, MalformedPrediction> {
    field_as(name.as_str(), name.kind(), f)
}

/// A `{"value", "confidence", "page", "bbox", "source"}` object whose value
/// is of `kind`; `name` names it in errors.
fn field_as(name: &str, kind: ValueKind, f: &Json) -> Result<Field, MalformedPrediction> {
    let value = f.get("value").unwrap_or(&Json::Null);
    let wrong = || bad(format!("{name} value {value} is not a {kind:?}"));
    let value = match kind {
        ValueKind::Text => Value::Text(value.as_str().ok_or_else(wrong)?.to_string()),
        ValueKind::Bool => Value::Bool(value.as_bool().ok_or_else(wrong)?),
        ValueKind::Amount => Value::Amount(decimal(Some(value), name)?.ok_or_else(wrong)?),
        ValueKind::Date => {
            let s = value.as_str().ok_or_else(wrong)?;
            Value::Date(NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| wrong())?)
        }
    };
    let confidence = f.get("confidence").and_then(Json::as_f64).unwrap_or(0.0) as f32;
    let page = f.get("page").and_then(Json::as_u64).map(|p| p as u32);
    let source = match f.get("source") {
        None | Some(Json::Null) => Source::Rules,
        Some(s) => serde_json::from_value(s.clone())
            .map_err(|_| bad(format!("{name} source {s} is unknown")))?,
    };
    let xml_path = f.get("xml_path").and_then(Json::as_str).map(str::to_string);
    Ok(Field { value, confidence, page, bbox: bbox(f.get("bbox")), source, xml_path })
}

fn bbox(v: Option<&Json>) -> Option<BBox> {
    let a = v?.as_array()?;
    let n: Vec<f32> = a.iter().filter_map(Json::as_f64).map(|x| x as f32).collect();
    match n[..] {
        [x0, y0, x1, y1] => Some(BBox::new(x0, y0, x1, y1)),
        _ => None,
    }
}

fn line_item(li: &Json) -> Result<LineItem, MalformedPrediction> {
    let text = |k: &str| li.get(k).and_then(Json::as_str).map(str::to_string);
    Ok(LineItem {
        description: text("description"),
        quantity: decimal(li.get("quantity"), "line quantity")?,
        unit: text("unit"),
        unit_price: decimal(li.get("unit_price"), "line unit_price")?,
        vat_rate: decimal(li.get("vat_rate"), "line vat_rate")?,
        amount: decimal(li.get("amount"), "line amount")?,
        confidence: li.get("confidence").and_then(Json::as_f64).unwrap_or(0.0) as f32,
        page: li.get("page").and_then(Json::as_u64).map(|p| p as u32),
        bbox: bbox(li.get("bbox")),
        source: None,
        kind: match li.get("kind") {
            None | Some(Json::Null) => LineKind::Item,
            Some(k) => serde_json::from_value(k.clone())
                .map_err(|_| bad(format!("line kind {k} is not item, allowance or charge")))?,
        },
        unsure: text("unsure"),
    })
}

#[cfg(test)]
mod tests;
