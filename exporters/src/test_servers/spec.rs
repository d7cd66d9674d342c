//! The vendors' published OpenAPI descriptions the stand-ins enforce:
//! subsets of Fortnox's and Visma eEkonomi's (`exporters/openapi/`, see its
//! SOURCES.md), extracted unedited by `extract.py`. Every request body,
//! query and response the stand-ins see or send is checked against them;
//! only what the vendors document elsewhere (their guides) is added, by
//! name, in [`FORTNOX_DOCUMENTED`] and [`VISMA_DOCUMENTED`].

use std::sync::OnceLock;

use axum::http::{Method, StatusCode};
use invex_testkit::OpenApi;
use serde_json::Value;

/// Fortnox's API, closed: it refuses fields it does not know.
pub fn fortnox() -> &'static OpenApi {
    static API: OnceLock<OpenApi> = OnceLock::new();
    API.get_or_init(|| {
        OpenApi::closed("Fortnox", include_str!("../../openapi/fortnox-subset.json"))
    })
}

/// Visma eEkonomi's API (its schemas say `additionalProperties` themselves).
pub fn visma() -> &'static OpenApi {
    static API: OnceLock<OpenApi> = OnceLock::new();
    API.get_or_init(|| {
        OpenApi::new("Visma eEkonomi", include_str!("../../openapi/visma-subset.json"))
    })
}

/// Query parameters Fortnox documents in its developer guides rather than
/// the description: pagination (`limit`, `page`, `offset`), the date range
/// of a list (`fromdate`, `todate`) and the supplier searches
/// (`organisationnumber`, `name`); `folderId` of the inbox is declared.
pub const FORTNOX_DOCUMENTED: [&str; 7] =
    ["limit", "page", "offset", "fromdate", "todate", "organisationnumber", "name"];

/// Query parameters Visma documents on developer.vismaonline.com rather
/// than in the description: OData's `$filter`, `$page` and `$pagesize`.
pub const VISMA_DOCUMENTED: [&str; 3] = ["$filter", "$page", "$pagesize"];

/// The stand-in's own answer, checked against `api`'s description of
/// `method path` (when it describes it): unchanged when it fits, else the
/// `error` answer (500) naming what it breaks, so no test passes on it.
pub fn checked_answer(
    api: &OpenApi,
    method: &Method,
    path: &str,
    (status, body): (StatusCode, Value),
    error: impl Fn(StatusCode, &str) -> (StatusCode, Value),
) -> (StatusCode, Value) {
    if !api.has(method.as_str(), path) {
        return (status, body);
    }
    let broken = api.response(method.as_str(), path, status.as_u16(), &body);
    if broken.is_empty() {
        return (status, body);
    }
    let message = format!("the stand-in's answer breaks {}'s description: {broken:?}", api.name);
    eprintln!("{method} {path}: {message}");
    error(StatusCode::INTERNAL_SERVER_ERROR, &message)
}
