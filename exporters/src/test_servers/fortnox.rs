//! A Fortnox API v3 stand-in: `/oauth-v1/token`, `/3/suppliers`,
//! `/3/supplierinvoices`, `/3/inbox` and `/3/supplierinvoicefileconnections`,
//! with Fortnox's error body `{"ErrorInformation": {"Error", "Message",
//! "Code"}}`. Every query, request body and response is checked against
//! Fortnox's published OpenAPI description ([`super::spec`]); a request
//! that breaks it is refused with 400, a response of the stand-in's own that
//! breaks it is a 500 naming the rule, so a test cannot pass on it.
//! Supplier invoices must also balance ([`super::fortnox_rules`]), name a
//! known supplier, and not repeat a supplier's invoice number. Lists are
//! paginated (`limit`, `page`, `MetaInformation`) and narrowed by
//! `fromdate`/`todate`, as Fortnox's guides document; cancelled invoices
//! are listed with `Cancel: true`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::core::{Core, Recorded, Running, ServerOptions, query_pairs, serve, serve_in_thread};
use super::fortnox_rules::check_invoice;
use super::spec::{FORTNOX_DOCUMENTED, checked_answer, fortnox};
use crate::http::RateLimit;

/// Stored data.
#[derive(Debug, Default)]
pub struct Data {
    pub suppliers: Vec<Value>,
    pub invoices: Vec<Value>,
    /// Inbox files: (id, name, bytes).
    pub files: Vec<(String, String, usize)>,
    pub connections: Vec<Value>,
}

/// A running Fortnox stand-in.
#[derive(Debug, Clone)]
pub struct FortnoxServer {
    pub core: Arc<Core>,
    pub data: Arc<Mutex<Data>>,
    running: Arc<Running>,
}

type Shared = (Arc<Core>, Arc<Mutex<Data>>);

impl FortnoxServer {
    /// Fortnox's published limit: 25 requests per 5 s per token.
    pub fn published() -> ServerOptions {
        ServerOptions::published(RateLimit::FORTNOX)
    }

    /// Starts in the current tokio runtime.
    pub async fn start(options: ServerOptions) -> std::io::Result<FortnoxServer> {
        let (router, shared) = Self::router(options);
        Ok(Self::new(shared, serve(router).await?))
    }

    /// Starts on a thread of its own (for synchronous tests).
    pub fn start_in_thread(options: ServerOptions) -> std::io::Result<FortnoxServer> {
        let (router, shared) = Self::router(options);
        Ok(Self::new(shared, serve_in_thread(router)?))
    }

    fn new((core, data): Shared, running: Running) -> FortnoxServer {
        FortnoxServer { core, data, running: Arc::new(running) }
    }

    fn router(options: ServerOptions) -> (axum::Router, Shared) {
        let shared: Shared = (Arc::new(Core::new(options)), Arc::new(Mutex::new(Data::default())));
        (axum::Router::new().fallback(dispatch).with_state(shared.clone()), shared)
    }

    /// The API base URL (what `https://api.fortnox.se` is in production).
    pub fn base_url(&self) -> String {
        self.running.base_url()
    }

    pub fn token_url(&self) -> String {
        format!("{}/oauth-v1/token", self.running.base_url())
    }

    /// Every supplier invoice created.
    pub fn invoices(&self) -> Vec<Value> {
        self.data.lock().unwrap().invoices.clone()
    }

    pub fn suppliers(&self) -> Vec<Value> {
        self.data.lock().unwrap().suppliers.clone()
    }

    /// Cancels a supplier invoice, as a user can in Fortnox.
    pub fn cancel(&self, given_number: &str) {
        let mut data = self.data.lock().unwrap();
        for invoice in data.invoices.iter_mut() {
            if invoice["GivenNumber"].as_str() == Some(given_number) {
                invoice["Cancelled"] = json!(true);
            }
        }
    }
}

/// Fortnox's error body, as its description types it.
pub fn error(status: StatusCode, code: u32, message: &str) -> (StatusCode, Value) {
    (status, json!({"ErrorInformation": {"Error": 1, "Message": message, "Code": code}}))
}

async fn dispatch(State((core, data)): State<Shared>, request: Request) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let query = request.uri().query().unwrap_or_default().to_string();
    let headers = request.headers().clone();
    let pairs = query_pairs(&query);
    let params: HashMap<String, String> = pairs.iter().cloned().collect();
    let mut record = Recorded {
        method: method.to_string(),
        path: path.clone(),
        query: query.clone(),
        status: 0,
        body: Value::Null,
        reason: None,
    };
    let mut retry_after = None;
    let (status, body) = if path == "/oauth-v1/token" && method == Method::POST {
        let bytes = axum::body::to_bytes(request.into_body(), 1 << 20).await.unwrap_or_default();
        let form: HashMap<String, String> =
            query_pairs(&String::from_utf8_lossy(&bytes)).into_iter().collect();
        let lost = core.take_lost_token_reply();
        let reply = core.token(&headers, &form);
        if lost {
            tokio::time::sleep(super::core::LOST_REPLY_DELAY).await;
        }
        reply
    } else {
        match core.admit(&headers, "api") {
            Err((status, body, wait, reason)) => {
                retry_after = wait;
                record.reason = reason;
                let message = if status == StatusCode::UNAUTHORIZED {
                    "Invalid or expired access token".to_string()
                } else {
                    body["message"].as_str().unwrap_or("Too many requests").to_string()
                };
                error(status, 2000311, &message)
            }
            Ok(_) => {
                let query_problems =
                    fortnox().query(method.as_str(), &path, &pairs, &FORTNOX_DOCUMENTED);
                if !query_problems.is_empty() {
                    error(StatusCode::BAD_REQUEST, 2000588, &query_problems.join("; "))
                } else if path == "/3/inbox" && method == Method::POST {
                    let multipart = Multipart::from_request(request, &()).await;
                    let (status, body, seen) = upload(&data, &params, multipart.ok()).await;
                    record.body = seen;
                    (status, body)
                } else {
                    let bytes = axum::body::to_bytes(request.into_body(), 1 << 20)
                        .await
                        .unwrap_or_default();
                    let json: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
                    record.body = json.clone();
                    let body_problems = if method == Method::POST {
                        fortnox().request(method.as_str(), &path, &json)
                    } else {
                        Vec::new()
                    };
                    if body_problems.is_empty() {
                        let mut data = data.lock().unwrap();
                        route(&mut data, &method, &path, &params, json)
                    } else {
                        let message = format!("Ogiltigt fält: {}", body_problems.join("; "));
                        error(StatusCode::BAD_REQUEST, 2000311, &message)
                    }
                }
            }
        }
    };
    // The stand-in's own answers keep to the description too.
    let (status, body) =
        checked_answer(fortnox(), &method, &path, (status, body), |s, m| error(s, 0, m));
    record.status = status.as_u16();
    core.record(record);
    let mut response = (status, axum::Json(body)).into_response();
    if let Some(wait) = retry_after {
        let value = format!("{:.3}", wait.as_secs_f64());
        if let Ok(v) = value.parse() {
            response.headers_mut().insert("retry-after", v);
        }
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
    match (method.as_str(), path) {
        ("GET", "/3/suppliers") => {
            let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
            let hits: Vec<Value> = data
                .suppliers
                .iter()
                .filter(|s| match (params.get("organisationnumber"), params.get("name")) {
                    (Some(org), _) => {
                        s["OrganisationNumber"].as_str().map(digits) == Some(digits(org))
                    }
                    (None, Some(name)) => {
                        s["Name"].as_str().is_some_and(|n| n.contains(name.as_str()))
                    }
                    (None, None) => true,
                })
                .cloned()
                .collect();
            (StatusCode::OK, page(params, "Suppliers", hits))
        }
        ("POST", "/3/suppliers") => create_supplier(data, body),
        ("GET", "/3/supplierinvoices") => {
            let on = |key: &str, i: &Value| match params.get(key) {
                None => true,
                Some(d) => {
                    let date = i["InvoiceDate"].as_str().unwrap_or_default();
                    if key == "fromdate" { date >= d.as_str() } else { date <= d.as_str() }
                }
            };
            let cancelled = params.get("filter").map(String::as_str) == Some("cancelled");
            let hits: Vec<Value> = data
                .invoices
                .iter()
                .filter(|i| on("fromdate", i) && on("todate", i))
                .filter(|i| !cancelled || i["Cancelled"] == json!(true))
                .map(list_item)
                .collect();
            (StatusCode::OK, page(params, "SupplierInvoices", hits))
        }
        ("POST", "/3/supplierinvoices") => create_invoice(data, body),
        ("POST", "/3/supplierinvoicefileconnections") => connect(data, body),
        _ => error(StatusCode::NOT_FOUND, 2000429, &format!("{method} {path}: no such resource")),
    }
}

/// One page of a list (`limit`, default 100, at most 500; `page` from 1)
/// with its `MetaInformation`, as Fortnox's pagination guide describes.
fn page(params: &HashMap<String, String>, key: &str, items: Vec<Value>) -> Value {
    let limit = params.get("limit").and_then(|l| l.parse::<usize>().ok()).unwrap_or(100);
    let limit = limit.clamp(1, 500);
    let page = params.get("page").and_then(|p| p.parse::<usize>().ok()).unwrap_or(1).max(1);
    let total = items.len();
    let pages = total.div_ceil(limit).max(1);
    let shown: Vec<Value> = items.into_iter().skip((page - 1) * limit).take(limit).collect();
    let meta = json!({"@TotalResources": total, "@TotalPages": pages, "@CurrentPage": page});
    json!({ key: shown, "MetaInformation": meta })
}

/// A stored supplier invoice as the list shows it (`fortnox_SupplierInvoiceListItem`):
/// fewer fields, and `Cancel` where the invoice itself says `Cancelled`.
fn list_item(invoice: &Value) -> Value {
    const LISTED: [&str; 10] = [
        "Booked",
        "Credit",
        "Currency",
        "CurrencyRate",
        "DueDate",
        "GivenNumber",
        "InvoiceDate",
        "InvoiceNumber",
        "SupplierNumber",
        "Total",
    ];
    let mut item = Map::new();
    for key in LISTED {
        if let Some(v) = invoice.get(key) {
            item.insert(key.into(), v.clone());
        }
    }
    item.insert("Cancel".into(), invoice.get("Cancelled").cloned().unwrap_or(json!(false)));
    Value::Object(item)
}

fn create_supplier(data: &mut Data, body: Value) -> (StatusCode, Value) {
    let Some(supplier) = body.get("Supplier").and_then(Value::as_object) else {
        return error(StatusCode::BAD_REQUEST, 2000588, "the body must be {\"Supplier\": {...}}");
    };
    let name = supplier.get("Name").and_then(Value::as_str).unwrap_or_default();
    if name.trim().is_empty() || name.chars().count() > 1024 {
        return error(
            StatusCode::BAD_REQUEST,
            2000357,
            "Name is required (at most 1024 characters)",
        );
    }
    if let Some(org) = supplier.get("OrganisationNumber")
        && org.as_str().and_then(invex_domain::validate::org_nr).is_none()
    {
        return error(StatusCode::BAD_REQUEST, 2000358, "OrganisationNumber is not valid");
    }
    let mut stored: Map<String, Value> = supplier.clone();
    stored.insert("SupplierNumber".into(), json!((data.suppliers.len() + 1).to_string()));
    data.suppliers.push(Value::Object(stored.clone()));
    (StatusCode::CREATED, json!({ "Supplier": stored }))
}

fn create_invoice(data: &mut Data, body: Value) -> (StatusCode, Value) {
    let Some(invoice) = body.get("SupplierInvoice").and_then(Value::as_object) else {
        return error(
            StatusCode::BAD_REQUEST,
            2000588,
            "the body must be {\"SupplierInvoice\": {...}}",
        );
    };
    if let Err((code, message)) = check_invoice(invoice) {
        return error(StatusCode::BAD_REQUEST, code, &message);
    }
    let supplier = invoice["SupplierNumber"].as_str().unwrap_or_default();
    if !data.suppliers.iter().any(|s| s["SupplierNumber"].as_str() == Some(supplier)) {
        return error(
            StatusCode::BAD_REQUEST,
            2000430,
            &format!("Leverantör {supplier} finns inte"),
        );
    }
    let number = invoice.get("InvoiceNumber").and_then(Value::as_str).unwrap_or_default();
    let duplicate = data.invoices.iter().any(|i| {
        i["Cancelled"] != json!(true)
            && i["SupplierNumber"].as_str() == Some(supplier)
            && i["InvoiceNumber"].as_str() == Some(number)
    });
    if duplicate && !number.is_empty() {
        let message =
            format!("Leverantörsfakturan {number} från leverantör {supplier} finns redan");
        return error(StatusCode::BAD_REQUEST, 2000759, &message);
    }
    let mut stored = invoice.clone();
    stored.insert("GivenNumber".into(), json!((data.invoices.len() + 1).to_string()));
    stored.insert("Cancelled".into(), json!(false));
    stored.insert("Booked".into(), json!(false));
    data.invoices.push(Value::Object(stored.clone()));
    (StatusCode::CREATED, json!({ "SupplierInvoice": stored }))
}

async fn upload(
    data: &Mutex<Data>,
    params: &HashMap<String, String>,
    multipart: Option<Multipart>,
) -> (StatusCode, Value, Value) {
    if params.get("folderId").map(String::as_str) != Some("inbox_s") {
        let (s, b) =
            error(StatusCode::BAD_REQUEST, 2000588, "folderId must be inbox_s (supplier invoices)");
        return (s, b, Value::Null);
    }
    let mut file = None;
    if let Some(mut multipart) = multipart {
        while let Ok(Some(field)) = multipart.next_field().await {
            let name = field.file_name().map(str::to_string);
            if let (Some(name), Ok(bytes)) = (name, field.bytes().await) {
                file = Some((name, bytes));
            }
        }
    }
    let Some((name, bytes)) = file.filter(|(_, b)| b.starts_with(b"%PDF")) else {
        let (s, b) =
            error(StatusCode::BAD_REQUEST, 2000588, "a multipart file (a PDF) is required");
        return (s, b, Value::Null);
    };
    let seen = json!({"file": name, "size": bytes.len()});
    let mut data = data.lock().unwrap();
    let id = format!("f{:08}-inbox", data.files.len() + 1);
    data.files.push((id.clone(), name.clone(), bytes.len()));
    let file = json!({"Id": id, "Name": name, "Path": "inbox_s", "Size": bytes.len()});
    (StatusCode::CREATED, json!({ "File": file }), seen)
}

fn connect(data: &mut Data, body: Value) -> (StatusCode, Value) {
    let c = &body["SupplierInvoiceFileConnection"];
    let (Some(file), Some(given)) = (c["FileId"].as_str(), c["SupplierInvoiceNumber"].as_str())
    else {
        return error(
            StatusCode::BAD_REQUEST,
            2000588,
            "FileId and SupplierInvoiceNumber are required strings",
        );
    };
    if !data.files.iter().any(|(id, _, _)| id == file) {
        return error(
            StatusCode::BAD_REQUEST,
            2000431,
            &format!("file {file} is not in the inbox"),
        );
    }
    if !data.invoices.iter().any(|i| i["GivenNumber"].as_str() == Some(given)) {
        return error(
            StatusCode::BAD_REQUEST,
            2000432,
            &format!("supplier invoice {given} not found"),
        );
    }
    data.connections.push(c.clone());
    (StatusCode::CREATED, json!({ "SupplierInvoiceFileConnection": c }))
}
