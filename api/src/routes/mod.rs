//! The router: `/v1` routes for tenants' keys, operations routes open to all,
//! and the layers every request passes (request id, tracing span, metrics,
//! CORS, body limit, and a panic turned into a 500 `internal` answer).

pub mod admin;
pub mod exports;
pub mod invoices;
pub mod ops;
pub mod suppliers;
pub mod upload;
pub mod view;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, Method, Request, header};
use axum::middleware;
use axum::routing::{delete, get, post, put};
use tower_http::catch_panic::CatchPanicLayer;
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
        .route("/v1/invoices/{id}/lines", put(invoices::correct_lines))
        .route("/v1/bookings", get(exports::export))
        .route("/v1/review", get(invoices::review_queue))
        .route("/v1/suppliers", get(suppliers::list_suppliers))
        .route("/v1/corrections", get(suppliers::correction_counts))
        .route("/v1/models", get(suppliers::models))
        .route(
            "/v1/suppliers/{id}/memory",
            get(suppliers::get_memory).delete(suppliers::delete_memory),
        )
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
    let app = ops_routes()
        .merge(v1)
        .merge(crate::ui::ui_routes().layer(DefaultBodyLimit::max(body_limit)))
        .route("/openapi.json", get(ops::openapi))
        .route("/docs", get(ops::docs));
    answered(app, &state)
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

/// A handler's panic: logged in full, answered as any internal error.
fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> axum::response::Response {
    let message = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)");
    axum::response::IntoResponse::into_response(ApiError::Internal(format!("panic: {message}")))
}

/// The operations routes alone (`/health/live`, `/health/ready`,
/// `/metrics`), for a process without the API (`invex worker --listen`).
pub fn ops_router(state: SharedState) -> Router {
    answered(ops_routes(), &state).with_state(state)
}

/// Health and metrics, served by the API and by a worker alike.
fn ops_routes() -> Router<SharedState> {
    Router::new()
        .route("/health/live", get(ops::live))
        .route("/health/ready", get(ops::ready))
        .route("/metrics", get(metrics::metrics))
}

/// What every router answers with: a 404 for unknown paths, and, inside the
/// tracing span and the request id, a panic logged, counted and answered
/// `{error, error_type: "internal"}`; every request counted in the metrics.
fn answered(app: Router<SharedState>, state: &SharedState) -> Router<SharedState> {
    app.fallback(|| async { ApiError::NotFound })
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(middleware::from_fn_with_state(state.clone(), metrics::track))
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

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::StatusCode;
    use axum::routing::get;
    use tower::ServiceExt;

    use super::*;

    #[tokio::test]
    async fn a_panicking_handler_is_a_500_internal_and_the_service_goes_on() {
        async fn boom() -> &'static str {
            panic!("boom")
        }
        let app = Router::new()
            .route("/boom", get(boom))
            .route("/ok", get(|| async { "ok" }))
            .layer(CatchPanicLayer::custom(panic_response));
        for _ in 0..2 {
            let res = app.clone().oneshot(Request::get("/boom").body(Body::empty()).unwrap()).await;
            let res = res.expect("an answer, not a dropped connection");
            assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
            let body = axum::body::to_bytes(res.into_body(), 1 << 16).await.unwrap();
            let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
            assert_eq!(json["error_type"], "internal", "{json}");
            assert!(!json["error"].as_str().unwrap_or("boom").contains("boom"), "cause not sent");
        }
        let res = app.oneshot(Request::get("/ok").body(Body::empty()).unwrap()).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
    }
}
