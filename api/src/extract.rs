//! Query and JSON-body extractors whose rejections are [`ApiError`]s, so a
//! malformed query string or body is answered `{error, error_type}` like
//! every other failure (axum's own answer is plain text).

use axum::Json;
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// `Query<T>`, rejected as `400 bad_request` with serde's reason.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(q)) => Ok(ApiQuery(q)),
            Err(e) => Err(ApiError::BadRequest(e.body_text())),
        }
    }
}

/// `Json<T>`, rejected as `400 bad_request` with serde's reason (a missing
/// `Content-Type: application/json` included).
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(body)) => Ok(ApiJson(body)),
            Err(e) => Err(ApiError::BadRequest(e.body_text())),
        }
    }
}
