//! A Fortnox API v3 stand-in: `/oauth-v1/token`, `/3/suppliers`,
//! `/3/supplierinvoices`, `/3/inbox` and `/3/supplierinvoicefileconnections`,
//! with Fortnox's error body `{"ErrorInformation": {"error": 1, "message",
//! "code"}}`. Supplier invoices are checked field by field (names, types,
//! lengths, the OCR check digit), for balanced rows whose `TOT` row is the
//! total and whose `VAT` rows are the VAT, for a known supplier, and for a
//! duplicate supplier and invoice number, which is refused.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::core::{Core, Recorded, Running, ServerOptions, query_pairs, serve, serve_in_thread};
use super::fortnox_rules::check_invoice;
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
}

/// Fortnox's error body.
pub fn error(status: StatusCode, code: u32, message: &str) -> (StatusCode, Value) {
    (status, json!({"ErrorInformation": {"error": 1, "message": message, "code": code}}))
}

async fn dispatch(State((core, data)): State<Shared>, request: Request) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let query = request.uri().query().unwrap_or_default().to_string();
    let headers = request.headers().clone();
    let params: HashMap<String, String> = query_pairs(&query).into_iter().collect();
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
        core.token(&headers, &form)
    } else {
        match core.admit(&headers, "api") {
            Err((status, body, wait, reason)) => {
                retry_after = wait;
                record.reason = reason;
                if status == StatusCode::UNAUTHORIZED {
                    error(status, 2000311, "Invalid or expired access token")
                } else {
                    (status, body)
                }
            }
            Ok(_) if path == "/3/inbox" && method == Method::POST => {
                let multipart = Multipart::from_request(request, &()).await;
                let (status, body, seen) = upload(&data, &params, multipart.ok()).await;
                record.body = seen;
                (status, body)
            }
            Ok(_) => {
                let bytes =
                    axum::body::to_bytes(request.into_body(), 1 << 20).await.unwrap_or_default();
                let json: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
                record.body = json.clone();
                let mut data = data.lock().unwrap();
                route(&mut data, &method, &path, &params, json)
            }
        }
    };
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
            (StatusCode::OK, list("Suppliers", hits))
        }
        ("POST", "/3/suppliers") => create_supplier(data, body),
        ("GET", "/3/supplierinvoices") => {
            let hits: Vec<Value> = data
                .invoices
                .iter()
                .filter(|i| {
                    params
                        .get("suppliernumber")
                        .is_none_or(|n| i["SupplierNumber"].as_str() == Some(n))
                        && params
                            .get("invoicenumber")
                            .is_none_or(|n| i["InvoiceNumber"].as_str() == Some(n))
                })
                .cloned()
                .collect();
            (StatusCode::OK, list("SupplierInvoices", hits))
        }
        ("POST", "/3/supplierinvoices") => create_invoice(data, body),
        ("POST", "/3/supplierinvoicefileconnections") => connect(data, body),
        _ => error(StatusCode::NOT_FOUND, 2000429, &format!("{method} {path}: no such resource")),
    }
}

fn list(key: &str, items: Vec<Value>) -> Value {
    let meta = json!({"@TotalResources": items.len(), "@TotalPages": 1, "@CurrentPage": 1});
    json!({ key: items, "MetaInformation": meta })
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
        i["SupplierNumber"].as_str() == Some(supplier)
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
    if params.get("folderid").map(String::as_str) != Some("inbox_s") {
        let (s, b) =
            error(StatusCode::BAD_REQUEST, 2000588, "folderid must be inbox_s (supplier invoices)");
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
