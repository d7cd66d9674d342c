//! Signing in to the UI with an API key, and the [`Signed`] extractor.
//!
//! - The key is checked exactly as a bearer key (`auth::authenticate`). A
//!   session row is made with a random token; the browser gets the token in
//!   the `invex_session` cookie (HttpOnly, SameSite=Strict, Path=/ui, Secure
//!   behind TLS) and the database keeps only its sha256.
//! - A session ends at its expiry, at sign-out (the row is deleted), or when
//!   its key is revoked (the lookup joins the key).
//! - Every state-changing request carries the session's CSRF token: a form's
//!   `csrf` field, or the `X-CSRF-Token` header of the page's script. The
//!   sign-in form, before any session, uses a short-lived cookie of its own
//!   (double submit).

use askama::Template;
use axum::Form;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use cookie::{Cookie, SameSite};
use invex_domain::service::{Role, UiSession};
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use uuid::Uuid;

use super::text::{Lang, Texts};
use super::{UiError, render};
use crate::auth::{Caller, authenticate, check_rate};
use crate::error::ApiError;
use crate::routes::invoices::audit;
use crate::state::SharedState;

pub const SESSION_COOKIE: &str = "invex_session";
const SIGNIN_COOKIE: &str = "invex_signin";

/// A signed-in person: their key as a [`Caller`], the session's CSRF token
/// and the tenant's language.
#[derive(Debug, Clone)]
pub struct Signed {
    pub caller: Caller,
    pub csrf: String,
    pub lang: Lang,
    token_hash: String,
}

impl Signed {
    /// `Csrf` unless `token` is this session's.
    pub fn check_csrf(&self, token: &str) -> Result<(), UiError> {
        if constant_time_eq(token.as_bytes(), self.csrf.as_bytes()) {
            Ok(())
        } else {
            Err(UiError::Csrf { lang: self.lang })
        }
    }

    /// The `X-CSRF-Token` header must be this session's.
    pub fn check_csrf_header(&self, headers: &HeaderMap) -> Result<(), UiError> {
        let token = headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).unwrap_or("");
        self.check_csrf(token)
    }

    /// `Forbidden`, shown in the person's language, unless the role allows it.
    pub fn require(&self, role: Role) -> Result<(), UiError> {
        self.caller.require(role).map_err(|e| UiError::from(e).in_lang(self.lang))
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    bool::from(a.ct_eq(b))
}

fn random_token() -> String {
    format!("{}{}", Uuid::new_v4().simple(), Uuid::new_v4().simple())
}

fn hash(token: &str) -> String {
    crate::routes::upload::hex(&Sha256::digest(token.as_bytes()))
}

fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_string())
}

/// Whether the browser reached us over TLS (directly or through a proxy).
fn secure(state: &SharedState, headers: &HeaderMap) -> bool {
    state.options.secure_cookies
        || headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

fn set_cookie(name: &str, value: String, path: &str, max_age_s: i64, secure: bool) -> HeaderValue {
    let cookie = Cookie::build((name.to_string(), value))
        .path(path.to_string())
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .max_age(cookie::time::Duration::seconds(max_age_s))
        .build();
    HeaderValue::from_str(&cookie.to_string()).unwrap_or(HeaderValue::from_static(""))
}

impl FromRequestParts<SharedState> for Signed {
    type Rejection = UiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &SharedState,
    ) -> Result<Self, Self::Rejection> {
        let back = if parts.method == Method::GET {
            parts.uri.path_and_query().map_or("/ui/queue".to_string(), |p| p.to_string())
        } else {
            "/ui/queue".to_string()
        };
        let Some(token) = cookie_value(&parts.headers, SESSION_COOKIE) else {
            return Err(UiError::SignIn { next: back });
        };
        let token_hash = hash(&token);
        let Some(session) = state.repo.session(&token_hash, Utc::now()).await? else {
            return Err(UiError::SignIn { next: back });
        };
        let lang = state
            .repo
            .tenant_language(&session.tenant_id)
            .await?
            .and_then(|l| Lang::parse(&l))
            .unwrap_or(Lang::Sv);
        check_rate(state, &session.key_id).await.map_err(|e| UiError::from(e).in_lang(lang))?;
        tracing::Span::current().record("tenant", session.tenant_id.as_str());
        let caller =
            Caller { tenant_id: session.tenant_id, key_id: session.key_id, role: session.role };
        Ok(Signed { caller, csrf: session.csrf_token, lang, token_hash })
    }
}

#[derive(Template)]
#[template(path = "ui/signin.html")]
struct SigninPage {
    lang: &'static str,
    t: &'static Texts,
    csrf: String,
    next: String,
    error: Option<&'static str>,
}

#[derive(Debug, Deserialize)]
pub struct SigninQuery {
    next: Option<String>,
}

/// Only a path inside the UI may be returned to (no open redirect).
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with("/ui/") && !n.starts_with("//") && !n.contains('\\') => {
            n.to_string()
        }
        _ => "/ui/queue".to_string(),
    }
}

fn signin_form(
    state: &SharedState,
    headers: &HeaderMap,
    next: String,
    error: Option<&'static str>,
    status: StatusCode,
) -> Response {
    let lang = Lang::from_accept_language(
        headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()),
    );
    let csrf = random_token();
    let page = SigninPage { lang: lang.code(), t: lang.texts(), csrf: csrf.clone(), next, error };
    let mut response = render(&page);
    *response.status_mut() = status;
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SIGNIN_COOKIE, csrf, "/ui/signin", 3600, secure(state, headers)),
    );
    response
}

/// `GET /ui/signin`.
pub async fn signin_page(
    State(state): State<SharedState>,
    headers: HeaderMap,
    Query(q): Query<SigninQuery>,
) -> Response {
    signin_form(&state, &headers, safe_next(q.next.as_deref()), None, StatusCode::OK)
}

#[derive(Deserialize)]
pub struct SigninForm {
    key: String,
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    next: String,
}

/// `POST /ui/signin`: a valid key opens a session; anything else shows the
/// form again with the reason, and no cookie.
pub async fn signin(
    State(state): State<SharedState>,
    headers: HeaderMap,
    Form(form): Form<SigninForm>,
) -> Result<Response, UiError> {
    let lang = Lang::from_accept_language(
        headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()),
    );
    let expected = cookie_value(&headers, SIGNIN_COOKIE).unwrap_or_default();
    if expected.is_empty() || !constant_time_eq(form.csrf.as_bytes(), expected.as_bytes()) {
        return Err(UiError::Csrf { lang });
    }
    let next = safe_next(Some(&form.next));
    let caller = match authenticate(&state, form.key.trim()).await {
        Ok(caller) => caller,
        Err(ApiError::InvalidKey | ApiError::MissingKey) => {
            let wrong = lang.texts().wrong_key;
            return Ok(signin_form(&state, &headers, next, Some(wrong), StatusCode::UNAUTHORIZED));
        }
        Err(e) => return Err(e.into()),
    };
    check_rate(&state, &caller.key_id).await?;
    let token = random_token();
    let now = Utc::now();
    let ttl = chrono::Duration::from_std(state.options.ui_session_ttl)
        .unwrap_or(chrono::Duration::hours(8));
    let session = UiSession {
        token_hash: hash(&token),
        tenant_id: caller.tenant_id.clone(),
        key_id: caller.key_id.clone(),
        role: caller.role,
        csrf_token: random_token(),
        created_at: now,
        expires_at: now + ttl,
    };
    state.repo.create_session(&session).await?;
    audit(&state, &caller, "ui_sign_in", None, json!({"expires_at": session.expires_at})).await?;
    // An uploader has no queue to see.
    let next = if caller.role < Role::Reviewer && next == "/ui/queue" {
        "/ui/upload".to_string()
    } else {
        next
    };
    let mut response = Redirect::to(&next).into_response();
    let secure = secure(&state, &headers);
    let headers_out = response.headers_mut();
    headers_out.append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, token, "/ui", ttl.num_seconds(), secure),
    );
    headers_out.append(
        header::SET_COOKIE,
        set_cookie(SIGNIN_COOKIE, String::new(), "/ui/signin", 0, secure),
    );
    Ok(response)
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    pub csrf: String,
}

/// `POST /ui/signout`: the session row is deleted, so the cookie is
/// worthless even if it was copied.
pub async fn signout(
    State(state): State<SharedState>,
    headers: HeaderMap,
    user: Signed,
    Form(form): Form<CsrfForm>,
) -> Result<Response, UiError> {
    user.check_csrf(&form.csrf)?;
    state.repo.delete_session(&user.token_hash).await?;
    audit(&state, &user.caller, "ui_sign_out", None, json!({})).await?;
    let mut response = Redirect::to("/ui/signin").into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, String::new(), "/ui", 0, secure(&state, &headers)),
    );
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_inside_the_ui_are_returned_to() {
        let table = [
            (None, "/ui/queue"),
            (Some("/ui/invoices/1"), "/ui/invoices/1"),
            (Some("/ui/queue?status=done"), "/ui/queue?status=done"),
            (Some("https://evil.example/ui/"), "/ui/queue"),
            (Some("//evil.example/ui/"), "/ui/queue"),
            (Some("/ui\\evil"), "/ui/queue"),
            (Some("/v1/keys"), "/ui/queue"),
        ];
        for (next, want) in table {
            assert_eq!(safe_next(next), want, "{next:?}");
        }
    }

    #[test]
    fn csrf_tokens_compare_whole() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
        assert!(!constant_time_eq(b"", b"a"));
    }
}
