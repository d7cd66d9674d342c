//! [`ApiError`]: every failure a route can answer with, as `{error, error_type}`
//! JSON. Internal causes are logged with the request's span and never sent.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use invex_domain::DocumentError;
use invex_domain::service::StoreError;
use serde_json::json;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum ApiError {
    #[error("missing API key: send `Authorization: Bearer <key>`")]
    MissingKey,
    #[error("invalid or revoked API key")]
    InvalidKey,
    #[error("this route needs the {needed} role; the key has {has}")]
    Forbidden { needed: &'static str, has: &'static str },
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    BadRequest(String),
    /// A file the service cannot take: empty, wrong type, corrupt or too large.
    #[error("{file}: {cause}")]
    BadUpload { file: String, cause: DocumentError },
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Conflict(String),
    #[error("rate limit exceeded; retry in {retry_after_s} s")]
    RateLimited { retry_after_s: u64 },
    #[error("the service is shutting down")]
    Unavailable,
    /// Anything else: logged in full, answered with a generic message.
    #[error("internal error")]
    Internal(String),
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::MissingKey | ApiError::InvalidKey => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden { .. } => StatusCode::FORBIDDEN,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::BadUpload { cause, .. } => match cause {
                DocumentError::Empty => StatusCode::BAD_REQUEST,
                DocumentError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
                DocumentError::NotAPdf { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            },
            ApiError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable machine-readable `error_type`.
    pub fn error_type(&self) -> &'static str {
        match self {
            ApiError::MissingKey => "missing_key",
            ApiError::InvalidKey => "invalid_key",
            ApiError::Forbidden { .. } => "forbidden",
            ApiError::NotFound => "not_found",
            ApiError::BadRequest(_) => "bad_request",
            ApiError::BadUpload { cause, .. } => cause.code(),
            ApiError::Invalid(_) => "validation_failed",
            ApiError::Conflict(_) => "conflict",
            ApiError::RateLimited { .. } => "rate_limited",
            ApiError::Unavailable => "unavailable",
            ApiError::Internal(_) => "internal",
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ApiError::NotFound,
            StoreError::Conflict(what) => ApiError::Conflict(what),
            StoreError::Backend(cause) => ApiError::Internal(cause),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        if let ApiError::Internal(cause) = &self {
            tracing::error!(%cause, "internal error");
        } else if status.is_server_error() {
            tracing::warn!(error = %self, "request failed");
        }
        let body = json!({"error": self.to_string(), "error_type": self.error_type()});
        let mut response = (status, Json(body)).into_response();
        if let ApiError::RateLimited { retry_after_s } = self
            && let Ok(v) = HeaderValue::from_str(&retry_after_s.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        response
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
