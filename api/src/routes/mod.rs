//! The router: `/v1` routes for tenants' keys, operations routes open to all,
//! and the layers every request passes (request id, tracing span, metrics,
//! CORS, body limit).

pub mod admin;
pub mod invoices;
pub mod ops;
pub mod upload;
pub mod view;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, Method, Request, header};
use axum::middleware;
use axum::routing::{delete, get, post, put};
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};

use crate::error::ApiError;
use crate::metrics;
use crate::state::SharedState;

pub fn router(state: SharedState) -> Router {
    // Room for a multipart body of several files; each file is checked against the per-file limit.
    let body_limit = (state.options.max_upload_bytes as usize).saturating_mul(4).max(1 << 20);
    let v1 = Router::new()
        .route("/v1/invoices", post(upload::upload).get(invoices::list_invoices))
        .route(
            "/v1/invoices/{id}",
            get(invoices::get_invoice)
                .patch(invoices::correct_invoice)
                .delete(invoices::delete_invoice),
        )
        .route("/v1/invoices/{id}/file", get(invoices::get_file))
        .route("/v1/invoices/{id}/approve", post(invoices::approve_invoice))
        .route("/v1/review", get(invoices::review_queue))
        .route("/v1/keys", post(admin::create_key).get(admin::list_keys))
        .route("/v1/keys/{id}", delete(admin::revoke_key))
        .route(
            "/v1/webhook",
            put(admin::set_webhook).get(admin::get_webhook).delete(admin::delete_webhook),
        )
        .route("/v1/tenant/retention", put(admin::set_retention))
        .route("/v1/audit", get(admin::audit_log))
        .route("/v1/export", get(admin::export))
        .layer(DefaultBodyLimit::max(body_limit));
    let request_id = HeaderName::from_static("x-request-id");
    Router::new()
        .merge(v1)
        .route("/health/live", get(ops::live))
        .route("/health/ready", get(ops::ready))
        .route("/metrics", get(metrics::metrics))
        .route("/openapi.json", get(ops::openapi))
        .route("/docs", get(ops::docs))
        .fallback(|| async { ApiError::NotFound })
        .layer(middleware::from_fn_with_state(state.clone(), metrics::track))
        .layer(TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
            let id = request.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("");
            tracing::info_span!("request", method = %request.method(), path = %request.uri().path(), request_id = %id, tenant = tracing::field::Empty)
        })
        .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .layer(cors(&state.options.cors_origins))
        .with_state(state)
}

fn cors(origins: &[String]) -> CorsLayer {
    let allowed: Vec<HeaderValue> =
        origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()).collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(allowed))
        .allow_methods([Method::GET, Method::POST, Method::PATCH, Method::PUT, Method::DELETE])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            HeaderName::from_static("x-file-name"),
        ])
}
