//! A Visma eEkonomi (eAccounting API v2) stand-in: `/connect/token`,
//! `/v2/vatcodes`, `/v2/termsofpayments`, `/v2/suppliers`,
//! `/v2/supplierinvoicedrafts`, `/v2/supplierinvoices`, `/v2/attachments`
//! and `/v2/attachmentlinks`, with eEkonomi's error body `{"ErrorCode",
//! "DeveloperErrorMessage", "ErrorId"}` and its 429 (`ErrorCode` 4010).
//! Every query, request body and 2xx/400 response is checked against Visma's
//! published OpenAPI description ([`super::spec`]); a request that breaks it
//! is refused with 400, a response of the stand-in's own that breaks it is
//! a 500. Lists answer `{"Meta": ..., "Data": [...]}` and take a small OData
//! `$filter` (`Field eq 'text'` terms joined by `and` or `or`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde_json::{Value, json};

use super::core::{Core, Recorded, Running, ServerOptions, query_pairs, serve, serve_in_thread};
use super::spec::{VISMA_DOCUMENTED, checked_answer, visma};
use super::visma_rules::{check_draft, check_supplier};
use crate::http::RateLimit;

/// Stored data.
#[derive(Debug, Default)]
pub struct Data {
    pub suppliers: Vec<Value>,
    pub drafts: Vec<Value>,
    /// Attachments: (id, file name, decoded bytes).
    pub attachments: Vec<(String, String, usize)>,
    pub links: Vec<Value>,
    next_id: u64,
}

impl Data {
    fn id(&mut self) -> String {
        self.next_id += 1;
        format!("00000000-0000-4000-8000-{:012x}", self.next_id)
    }
}

/// Purchase (`MP*`) and sales (`MU*`) VAT codes: (id, code, rate).
pub const VAT_CODES: [(&str, &str, f64); 6] = [
    ("a1000000-0000-4000-8000-000000000025", "MU1", 0.25),
    ("b1000000-0000-4000-8000-000000000025", "MP1", 0.25),
    ("b2000000-0000-4000-8000-000000000012", "MP2", 0.12),
    ("b3000000-0000-4000-8000-000000000006", "MP3", 0.06),
    ("a2000000-0000-4000-8000-000000000012", "MU2", 0.12),
    ("b4000000-0000-4000-8000-000000000000", "MF", 0.0),
];

/// Terms of payment: (id, days).
pub const TERMS: [(&str, i64); 2] =
    [("c1000000-0000-4000-8000-000000000010", 10), ("c2000000-0000-4000-8000-000000000030", 30)];

/// A running eEkonomi stand-in.
#[derive(Debug, Clone)]
pub struct VismaServer {
    pub core: Arc<Core>,
    pub data: Arc<Mutex<Data>>,
    running: Arc<Running>,
}

type Shared = (Arc<Core>, Arc<Mutex<Data>>);

impl VismaServer {
    /// eEkonomi's published limit: 600 requests per minute (per client and endpoint).
    pub fn published() -> ServerOptions {
        ServerOptions::published(RateLimit::VISMA)
    }

    pub async fn start(options: ServerOptions) -> std::io::Result<VismaServer> {
        let (router, shared) = Self::router(options);
        Ok(Self::new(shared, serve(router).await?))
    }

    pub fn start_in_thread(options: ServerOptions) -> std::io::Result<VismaServer> {
        let (router, shared) = Self::router(options);
        Ok(Self::new(shared, serve_in_thread(router)?))
    }

    fn new((core, data): Shared, running: Running) -> VismaServer {
        VismaServer { core, data, running: Arc::new(running) }
    }

    fn router(options: ServerOptions) -> (axum::Router, Shared) {
        let shared: Shared = (Arc::new(Core::new(options)), Arc::new(Mutex::new(Data::default())));
        (axum::Router::new().fallback(dispatch).with_state(shared.clone()), shared)
    }

    pub fn base_url(&self) -> String {
        self.running.base_url()
    }

    pub fn token_url(&self) -> String {
        format!("{}/connect/token", self.running.base_url())
    }

    /// Every supplier invoice draft created.
    pub fn drafts(&self) -> Vec<Value> {
        self.data.lock().unwrap().drafts.clone()
    }

    pub fn suppliers(&self) -> Vec<Value> {
        self.data.lock().unwrap().suppliers.clone()
    }
}

/// eEkonomi's error body.
pub fn error(status: StatusCode, code: u32, message: &str) -> (StatusCode, Value) {
    let id = format!("{:08x}-0000-4000-8000-000000000000", message.len() as u32 * 7919 + code);
    (status, json!({"ErrorCode": code, "DeveloperErrorMessage": message, "ErrorId": id}))
}

async fn dispatch(State((core, data)): State<Shared>, request: Request) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let query = request.uri().query().unwrap_or_default().to_string();
    let headers = request.headers().clone();
    let pairs = query_pairs(&query);
    let params: HashMap<String, String> = pairs.iter().cloned().collect();
    // The description's server URL ends in `/v2/`: its paths lack the prefix.
    let spec_path = path.strip_prefix("/v2").unwrap_or(&path).to_string();
    let bytes = axum::body::to_bytes(request.into_body(), 32 << 20).await.unwrap_or_default();
    let mut record = Recorded {
        method: method.to_string(),
        path: path.clone(),
        query,
        status: 0,
        body: Value::Null,
        reason: None,
    };
    let mut retry_after = None;
    let (status, body) = if path == "/connect/token" && method == Method::POST {
        let form = query_pairs(&String::from_utf8_lossy(&bytes)).into_iter().collect();
        core.token(&headers, &form)
    } else {
        // The limit counts per client and endpoint: the resource, not its ids.
        let endpoint = path.split('/').take(3).collect::<Vec<_>>().join("/");
        match core.admit(&headers, &format!("{method} {endpoint}")) {
            Err((status, _, wait, reason)) => {
                retry_after = wait;
                record.reason = reason;
                if status == StatusCode::UNAUTHORIZED {
                    error(status, 4001, "Unauthorized: the access token is invalid or has expired")
                } else {
                    let seconds = wait.map_or(60, |w| w.as_secs().max(1));
                    let message = format!(
                        "API calls quota exceeded! maximum admitted {} per {:?}. Try again in {seconds} seconds.",
                        core.options.rate_limit.requests, core.options.rate_limit.per
                    );
                    error(status, 4010, &message)
                }
            }
            Ok(_) => {
                let json: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
                record.body = match json.get("Data").and_then(Value::as_str) {
                    Some(d) => json!({"file": json["FileName"], "size": d.len() * 3 / 4}),
                    None => json.clone(),
                };
                let mut problems =
                    visma().query(method.as_str(), &spec_path, &pairs, &VISMA_DOCUMENTED);
                if method == Method::POST {
                    problems.extend(visma().request(method.as_str(), &spec_path, &json));
                }
                if problems.is_empty() {
                    let mut data = data.lock().unwrap();
                    route(&mut data, &method, &path, &params, json)
                } else {
                    error(StatusCode::BAD_REQUEST, 4000, &problems.join("; "))
                }
            }
        }
    };
    // The stand-in's own answers keep to the description too (the 401s and
    // 429s it answers for every path are not described there).
    let (status, body) = if status.is_success() || status == StatusCode::BAD_REQUEST {
        checked_answer(visma(), &method, &spec_path, (status, body), |s, m| error(s, 5000, m))
    } else {
        (status, body)
    };
    record.status = status.as_u16();
    core.record(record);
    let mut response = (status, axum::Json(body)).into_response();
    if let Some(value) = retry_after.and_then(|w| format!("{:.3}", w.as_secs_f64()).parse().ok()) {
        response.headers_mut().insert("retry-after", value);
    }
    response
}

fn route(
    data: &mut Data,
    method: &Method,
    path: &str,
    params: &HashMap<String, String>,
    body: Value,
) -> (StatusCode, Value) {
    let filter = params.get("$filter").map(String::as_str).unwrap_or("");
    match (method.as_str(), path) {
        ("GET", "/v2/vatcodes") => {
            let codes = VAT_CODES.iter().map(|(id, code, rate)| {
                json!({"Id": id, "Code": code, "Description": format!("Moms {code}"), "VatRate": rate})
            });
            (StatusCode::OK, page(codes.collect()))
        }
        ("GET", "/v2/termsofpayments") => {
            let terms = TERMS.iter().map(|(id, days)| {
                json!({"Id": id, "Name": format!("{days} dagar"), "NumberOfDays": days, "TermsOfPaymentTypeId": 1})
            });
            (StatusCode::OK, page(terms.collect()))
        }
        ("GET", "/v2/suppliers") => match filtered(&data.suppliers, filter) {
            Ok(hits) => (StatusCode::OK, page(hits)),
            Err(e) => error(StatusCode::BAD_REQUEST, 4000, &e),
        },
        ("POST", "/v2/suppliers") => {
            if let Err(e) = check_supplier(&body, &TERMS.map(|(id, _)| id)) {
                return error(StatusCode::BAD_REQUEST, 4000, &e);
            }
            let mut stored = body;
            stored["Id"] = json!(data.id());
            stored["SupplierNumber"] = json!((data.suppliers.len() + 1).to_string());
            data.suppliers.push(stored.clone());
            (StatusCode::CREATED, stored)
        }
        ("GET", "/v2/supplierinvoicedrafts") => match filtered(&data.drafts, filter) {
            Ok(hits) => (StatusCode::OK, page(hits)),
            Err(e) => error(StatusCode::BAD_REQUEST, 4000, &e),
        },
        ("GET", "/v2/supplierinvoices") => match filtered(&[], filter) {
            Ok(hits) => (StatusCode::OK, page(hits)),
            Err(e) => error(StatusCode::BAD_REQUEST, 4000, &e),
        },
        ("POST", "/v2/supplierinvoicedrafts") => create_draft(data, body),
        ("POST", "/v2/attachments") => upload(data, body),
        ("POST", "/v2/attachmentlinks") => link(data, body),
        _ => error(StatusCode::NOT_FOUND, 4004, &format!("{method} {path}: no such resource")),
    }
}

fn page(items: Vec<Value>) -> Value {
    let meta = json!({"CurrentPage": 1, "PageSize": 50, "TotalNumberOfPages": 1,
                      "TotalNumberOfResults": items.len(), "ServerTimeUtc": "2026-03-01T12:00:00Z"});
    json!({"Meta": meta, "Data": items})
}

/// Items matching an OData `$filter` of `Field eq value` terms joined by
/// `or` (any of them), each of terms joined by `and` (all of them).
fn filtered(items: &[Value], filter: &str) -> Result<Vec<Value>, String> {
    if filter.contains(" or ") {
        let mut hits: Vec<Value> = Vec::new();
        for alternative in filter.split(" or ") {
            for hit in filtered(items, alternative)? {
                if !hits.contains(&hit) {
                    hits.push(hit);
                }
            }
        }
        return Ok(hits);
    }
    let mut terms = Vec::new();
    for term in filter.split(" and ").filter(|t| !t.trim().is_empty()) {
        let (field, value) =
            term.split_once(" eq ").ok_or_else(|| format!("unsupported $filter term {term:?}"))?;
        let value = value.trim();
        let value = match value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')) {
            Some(quoted) => quoted.replace("''", "'"),
            None => value.to_string(),
        };
        terms.push((field.trim().to_string(), value));
    }
    Ok(items
        .iter()
        .filter(|item| terms.iter().all(|(f, v)| item[f.as_str()].as_str() == Some(v.as_str())))
        .cloned()
        .collect())
}

fn create_draft(data: &mut Data, body: Value) -> (StatusCode, Value) {
    let codes: Vec<&str> = VAT_CODES.iter().map(|(id, _, _)| *id).collect();
    if let Err(e) = check_draft(&body, &codes) {
        return error(StatusCode::BAD_REQUEST, 4000, &e);
    }
    let supplier = body["SupplierId"].as_str().unwrap_or_default();
    if !data.suppliers.iter().any(|s| s["Id"].as_str() == Some(supplier)) {
        return error(
            StatusCode::BAD_REQUEST,
            4000,
            &format!("SupplierId {supplier} does not exist"),
        );
    }
    let number = body["InvoiceNumber"].as_str().unwrap_or_default();
    if !number.is_empty()
        && data
            .drafts
            .iter()
            .any(|d| d["SupplierId"] == body["SupplierId"] && d["InvoiceNumber"] == number)
    {
        let message = format!("A supplier invoice {number} from this supplier already exists");
        return error(StatusCode::BAD_REQUEST, 4000, &message);
    }
    let mut stored = body;
    stored["Id"] = json!(data.id());
    data.drafts.push(stored.clone());
    (StatusCode::CREATED, stored)
}

fn upload(data: &mut Data, body: Value) -> (StatusCode, Value) {
    let allowed = ["image/jpeg", "image/png", "image/tiff", "application/pdf"];
    let content_type = body["ContentType"].as_str().unwrap_or_default();
    let name = body["FileName"].as_str().unwrap_or_default();
    if !allowed.contains(&content_type) || name.is_empty() {
        return error(
            StatusCode::BAD_REQUEST,
            4000,
            "ContentType (jpeg, png, tiff, pdf) and FileName are required",
        );
    }
    let decoded = body["Data"]
        .as_str()
        .and_then(|d| base64::engine::general_purpose::STANDARD.decode(d).ok());
    let Some(bytes) =
        decoded.filter(|b| content_type != "application/pdf" || b.starts_with(b"%PDF"))
    else {
        return error(StatusCode::BAD_REQUEST, 4000, "Data must be the file as base64");
    };
    let id = data.id();
    data.attachments.push((id.clone(), name.to_string(), bytes.len()));
    (StatusCode::CREATED, json!({"Id": id, "ContentType": content_type, "FileName": name}))
}

fn link(data: &mut Data, body: Value) -> (StatusCode, Value) {
    let document = body["DocumentId"].as_str().unwrap_or_default();
    if body["DocumentType"].as_i64() != Some(4)
        || !data.drafts.iter().any(|d| d["Id"].as_str() == Some(document))
    {
        return error(
            StatusCode::BAD_REQUEST,
            4000,
            "DocumentType 4 needs the Id of a supplier invoice draft",
        );
    }
    let ids = body["AttachmentIds"].as_array().map_or(&[][..], Vec::as_slice);
    let known =
        |id: &Value| data.attachments.iter().any(|(a, _, _)| id.as_str() == Some(a.as_str()));
    if ids.is_empty() || !ids.iter().all(known) {
        return error(
            StatusCode::BAD_REQUEST,
            4000,
            "AttachmentIds must name uploaded attachments",
        );
    }
    data.links.push(body.clone());
    (StatusCode::OK, body)
}
