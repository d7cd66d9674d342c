//! A local OpenAI-compatible server for tests and benches (feature
//! `test-server`), bound to 127.0.0.1 on a free port.
//!
//! It enforces the published contract, not our client's assumptions: every
//! request body is validated against `CreateChatCompletionRequest` from
//! OpenAI's OpenAPI description ([`spec`]), and every response it sends
//! against `CreateChatCompletionResponse` or `ErrorResponse`; a violation is
//! answered with 400 and recorded ([`TestServer::violations`]). It checks
//! the bearer key (401 `invalid_api_key`), the model (404
//! `model_not_found`), and that `response_format` is a strict JSON schema
//! that structured outputs accept (400). `usage` is always filled.
//!
//! Answers come from a [`Fixture`]: the true fields by the document's
//! content hash (named on the user message's first line), so tests are
//! deterministic. [`Faults`] add, by request count: a 429 storm with
//! `Retry-After`, 500s, slow answers, truncated or malformed JSON content,
//! refusals, and invented values that are not on the page (recorded in
//! [`TestServer::invented`], so a test can prove none reached a result).
//!
//! The Batch API ([`batch`]): files upload (purpose `batch`, every line's
//! request held to the same contract), batch creation, polling (validating,
//! in progress, finalizing, completed: one step per poll) and the output and
//! error files, every object validated against `OpenAIFile` and `Batch`.

mod batch;
pub mod spec;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Map, Value as Json, json};

use crate::prompt::{ASKED, content_hash_of};

/// The true answer per document: content hash → field name → value (JSON
/// strings or numbers, as in `groundtruth.jsonl`; absent fields are null).
pub type Fixture = HashMap<String, Map<String, Json>>;

/// Faults, each on every `n`-th chat request (0: never), counted from 1.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    /// The first `storm` chat requests get 429 with `Retry-After: 1`.
    pub storm: u32,
    pub server_error_every: u32,
    pub malformed_every: u32,
    pub truncated_every: u32,
    pub refusal_every: u32,
    /// Replace one true value with an invented one not on the page.
    pub invent_every: u32,
    /// Each document's first request gets malformed JSON content (so its
    /// retry is the one that answers).
    pub malformed_first_try: bool,
    /// Every answer waits this long.
    pub delay: Duration,
}

/// What the server accepts.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    pub api_key: String,
    pub models: Vec<String>,
    pub faults: Faults,
}

impl Default for ServerOptions {
    fn default() -> Self {
        ServerOptions {
            api_key: "sk-test-invex".into(),
            models: vec!["gpt-4o-mini".into(), "gpt-4o".into()],
            faults: Faults::default(),
        }
    }
}

/// A value the server invented, by document.
#[derive(Debug, Clone, PartialEq)]
pub struct Invented {
    pub content_hash: String,
    pub field: String,
    pub value: String,
}

#[derive(Default)]
struct Log {
    chat_requests: u32,
    /// Content hashes asked about so far.
    seen: std::collections::HashSet<String>,
    answered: u32,
    invented: Vec<Invented>,
    violations: Vec<String>,
}

struct Shared {
    fixture: Fixture,
    options: ServerOptions,
    log: Mutex<Log>,
    request_schema: std::sync::Arc<invex_testkit::SchemaCheck>,
    response_schema: std::sync::Arc<invex_testkit::SchemaCheck>,
    error_schema: std::sync::Arc<invex_testkit::SchemaCheck>,
    file_schema: std::sync::Arc<invex_testkit::SchemaCheck>,
    create_batch_schema: std::sync::Arc<invex_testkit::SchemaCheck>,
    batch_schema: std::sync::Arc<invex_testkit::SchemaCheck>,
    /// The Batch API's files and batches.
    batches: Mutex<batch::Store>,
}

/// A running server; it stops when dropped.
pub struct TestServer {
    addr: std::net::SocketAddr,
    shared: Arc<Shared>,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl TestServer {
    /// Starts a server on its own thread and runtime.
    pub fn start(fixture: Fixture, options: ServerOptions) -> std::io::Result<TestServer> {
        let shared = Arc::new(Shared {
            fixture,
            options,
            log: Mutex::default(),
            request_schema: spec::check("CreateChatCompletionRequest"),
            response_schema: spec::check("CreateChatCompletionResponse"),
            file_schema: spec::check("OpenAIFile"),
            create_batch_schema: spec::check("CreateBatchRequest"),
            batch_schema: spec::check("Batch"),
            batches: Mutex::default(),
            error_schema: spec::check("ErrorResponse"),
        });
        let router = Router::new()
            .route("/v1/chat/completions", post(chat))
            .route("/v1/files", post(batch::upload))
            .route("/v1/files/{id}/content", axum::routing::get(batch::content))
            .route("/v1/batches", post(batch::create))
            .route("/v1/batches/{id}", axum::routing::get(batch::retrieve))
            .with_state(Arc::clone(&shared));
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        std::thread::spawn(move || {
            let runtime = match tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
            {
                Ok(r) => r,
                Err(e) => return ready_tx.send(Err(e)).unwrap_or(()),
            };
            runtime.block_on(async move {
                let listener = match tokio::net::TcpListener::bind("127.0.0.1:0").await {
                    Ok(l) => l,
                    Err(e) => return ready_tx.send(Err(e)).unwrap_or(()),
                };
                let _ = ready_tx.send(listener.local_addr());
                let stop = async {
                    let _ = stop_rx.await;
                };
                let _ = axum::serve(listener, router).with_graceful_shutdown(stop).await;
            });
        });
        let addr = ready_rx.recv().map_err(std::io::Error::other)??;
        Ok(TestServer { addr, shared, _stop: stop_tx })
    }

    /// The base URL a client is configured with (`http://127.0.0.1:PORT/v1`).
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    pub fn api_key(&self) -> &str {
        &self.shared.options.api_key
    }

    /// Batches created.
    pub fn batches_created(&self) -> usize {
        self.shared.batches.lock().unwrap_or_else(|p| p.into_inner()).batches.len()
    }

    /// Chat requests received (faults included; a batch's lines count).
    pub fn chat_requests(&self) -> u32 {
        self.log().chat_requests
    }

    /// Chat requests answered with 200.
    pub fn answered(&self) -> u32 {
        self.log().answered
    }

    pub fn invented(&self) -> Vec<Invented> {
        self.log().invented.clone()
    }

    /// Requests or responses that broke the published contract.
    pub fn violations(&self) -> Vec<String> {
        self.log().violations.clone()
    }

    fn log(&self) -> std::sync::MutexGuard<'_, Log> {
        self.shared.log.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn every(n: u32, count: u32) -> bool {
    n > 0 && count.is_multiple_of(n)
}

/// The 401 OpenAI answers a request without the right bearer key.
fn unauthorised(shared: &Shared, headers: &HeaderMap) -> Option<Response> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if bearer == Some(shared.options.api_key.as_str()) {
        return None;
    }
    Some(error(
        shared,
        StatusCode::UNAUTHORIZED,
        "invalid_request_error",
        "invalid_api_key",
        "Incorrect API key provided.",
        None,
    ))
}

async fn chat(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: String) -> Response {
    if let Some(denied) = unauthorised(&shared, &headers) {
        return denied;
    }
    let request: Json = match serde_json::from_str(&body) {
        Ok(j) => j,
        Err(e) => return violation(&shared, format!("request body is not JSON: {e}")),
    };
    match answer(&shared, &request).await {
        Ok(response) => (StatusCode::OK, axum::Json(response)).into_response(),
        Err(refused) => refused,
    }
}

/// The published contract of a chat completion request: the schema, a
/// model the server has, and a strict JSON schema as `response_format`.
fn contract(shared: &Shared, request: &Json) -> Option<Response> {
    let errors = shared.request_schema.errors(request);
    if !errors.is_empty() {
        let why = format!("request breaks CreateChatCompletionRequest: {}", errors.join("; "));
        return Some(violation(shared, why));
    }
    let model = request["model"].as_str().unwrap_or_default();
    if !shared.options.models.iter().any(|m| m == model) {
        return Some(error(
            shared,
            StatusCode::NOT_FOUND,
            "invalid_request_error",
            "model_not_found",
            &format!("The model `{model}` does not exist or you do not have access to it."),
            None,
        ));
    }
    let format = &request["response_format"];
    if format["type"] != "json_schema" || format["json_schema"]["strict"] != true {
        return Some(violation(shared, "response_format must be a strict json_schema".into()));
    }
    spec::strict_violation(&format["json_schema"]["schema"], "schema")
        .map(|why| violation(shared, format!("invalid schema for response_format: {why}")))
}

/// The answer to one chat completion request, live or in a batch: the
/// response body, or the error response (contract violations recorded).
async fn answer(shared: &Shared, request: &Json) -> Result<Json, Response> {
    let count = {
        let mut log = shared.log.lock().unwrap_or_else(|p| p.into_inner());
        log.chat_requests += 1;
        log.chat_requests
    };
    let faults = &shared.options.faults;
    if let Some(refused) = contract(shared, request) {
        return Err(refused);
    }
    let model = request["model"].as_str().unwrap_or_default().to_string();
    if count <= faults.storm {
        return Err(error(
            shared,
            StatusCode::TOO_MANY_REQUESTS,
            "requests",
            "rate_limit_exceeded",
            "Rate limit reached for requests.",
            Some(1),
        ));
    }
    if every(faults.server_error_every, count) {
        return Err(error(
            shared,
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "server_error",
            "The server had an error while processing your request.",
            None,
        ));
    }
    if !faults.delay.is_zero() {
        tokio::time::sleep(faults.delay).await;
    }
    let messages = request["messages"].as_array().cloned().unwrap_or_default();
    let user = messages.iter().rev().find(|m| m["role"] == "user");
    let user_text = user.and_then(|m| m["content"].as_str()).unwrap_or_default();
    let hash = content_hash_of(user_text).unwrap_or_default().to_string();
    let first_try = shared.log.lock().unwrap_or_else(|p| p.into_inner()).seen.insert(hash.clone());
    let mut answer = truthful(shared.fixture.get(&hash));
    if every(faults.invent_every, count) {
        invent(shared, &hash, &mut answer);
    }
    let mut content = Some(Json::Object(answer).to_string());
    let mut refusal = None;
    let mut finish = "stop";
    if every(faults.refusal_every, count) {
        content = None;
        refusal = Some("I'm sorry, but I can't help with that request.".to_string());
    } else if every(faults.truncated_every, count) {
        let text = content.unwrap_or_default();
        content = Some(text.chars().take(text.chars().count() / 2).collect());
        finish = "length";
    } else if every(faults.malformed_every, count) || (faults.malformed_first_try && first_try) {
        content = Some("{\"invoice_number\": \"12\", \"total_amount\": ".into());
    }
    let prompt_text: String = messages.iter().filter_map(|m| m["content"].as_str()).collect();
    let prompt_tokens = tokens(&prompt_text);
    let completion_tokens = content.as_deref().map_or(5, tokens);
    let response = json!({
        "id": format!("chatcmpl-invex{count}"),
        "object": "chat.completion",
        "created": 1_765_000_000u32 + count,
        "model": model,
        "system_fingerprint": "fp_invex_test",
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": content, "refusal": refusal, "annotations": []},
            "finish_reason": finish,
            "logprobs": null,
        }],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0,
                "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0},
        },
    });
    let errors = shared.response_schema.errors(&response);
    let mut log = shared.log.lock().unwrap_or_else(|p| p.into_inner());
    if !errors.is_empty() {
        log.violations
            .push(format!("response breaks CreateChatCompletionResponse: {}", errors.join("; ")));
    }
    log.answered += 1;
    Ok(response)
}

/// Roughly OpenAI's tokenisation of European text: four characters a token.
fn tokens(text: &str) -> u64 {
    (text.chars().count() as u64).div_ceil(4).max(1)
}

/// The fixture's values as the schema asks: strings or null, every key.
fn truthful(truth: Option<&Map<String, Json>>) -> Map<String, Json> {
    ASKED
        .iter()
        .map(|name| {
            let value = match truth.and_then(|t| t.get(name.as_str())) {
                Some(Json::String(s)) => Json::String(s.clone()),
                Some(Json::Number(n)) => Json::String(n.to_string()),
                _ => Json::Null,
            };
            (name.as_str().to_string(), value)
        })
        .collect()
}

/// Replaces one field with a value that is not printed on any invoice the
/// tests use (and records it).
fn invent(shared: &Shared, hash: &str, answer: &mut Map<String, Json>) {
    let count = shared.log.lock().unwrap_or_else(|p| p.into_inner()).invented.len() as u32;
    let inventions = [
        ("invoice_number", format!("HALLUCINATED-{}", count + 1)),
        ("total_amount", "98765.43".to_string()),
        ("invoice_date", "1999-12-31".to_string()),
        ("supplier_name", "Hallucinated Holdings Ltd".to_string()),
        ("vat_amount", "4321.09".to_string()),
    ];
    let (field, value) = &inventions[count as usize % inventions.len()];
    answer.insert(field.to_string(), Json::String(value.clone()));
    let mut log = shared.log.lock().unwrap_or_else(|p| p.into_inner());
    log.invented.push(Invented {
        content_hash: hash.to_string(),
        field: field.to_string(),
        value: value.clone(),
    });
}

fn error(
    shared: &Shared,
    status: StatusCode,
    kind: &str,
    code: &str,
    message: &str,
    retry_after: Option<u64>,
) -> Response {
    let body = json!({"error": {"message": message, "type": kind, "param": null, "code": code}});
    let errors = shared.error_schema.errors(&body);
    if !errors.is_empty() {
        let mut log = shared.log.lock().unwrap_or_else(|p| p.into_inner());
        log.violations.push(format!("error body breaks ErrorResponse: {}", errors.join("; ")));
    }
    let mut response = (status, axum::Json(body)).into_response();
    if let Some(seconds) = retry_after {
        response.headers_mut().insert(header::RETRY_AFTER, seconds.into());
    }
    response
}

/// A request that breaks the contract: 400, and recorded.
fn violation(shared: &Shared, why: String) -> Response {
    shared.log.lock().unwrap_or_else(|p| p.into_inner()).violations.push(why.clone());
    error(shared, StatusCode::BAD_REQUEST, "invalid_request_error", "invalid_request", &why, None)
}
