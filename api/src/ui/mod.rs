//! The review UI at `/ui`: server-rendered HTML (askama templates in
//! `api/templates/ui`), one small script and one style sheet embedded in the
//! binary (`api/assets/ui`), no build step and nothing fetched from elsewhere.
//!
//! - [`session`]: sign-in with an API key, held in a session cookie
//!   (HttpOnly, SameSite=Strict, Secure behind TLS); CSRF tokens; sign-out;
//!   expiry. Every page acts as the key it was opened with: its tenant, its
//!   role, its rate limit, exactly as the `/v1` API.
//! - [`queue`]: the review queue in the order of `GET /v1/review`, filtered.
//! - [`invoice`]: one invoice: page images with the fields' boxes, inline
//!   correction with the validators' reasons, approval, the audit trail.
//! - [`upload`]: several files at once, progress and status per file.
//! - [`dashboard`]: volume, automation, accuracy from corrections, times,
//!   hot spots and language-model cost, as server-side SVG.
//! - [`settings`]: the tenant's language and its API keys (admins only).
//! - [`text`]: every word in Swedish and English.
//!
//! Corrections and approvals go through the same functions as the API's
//! (`routes::invoices`), so the UI cannot do anything the API would refuse.

pub mod dashboard;
pub mod invoice;
pub mod queue;
pub mod session;
pub mod settings;
pub mod text;
pub mod upload;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use crate::error::ApiError;
use crate::state::SharedState;
pub use session::Signed;
use text::{Lang, Texts};

/// The `/ui` routes; merged into the API's router.
pub fn ui_routes() -> Router<SharedState> {
    Router::new()
        .route("/ui", get(|| async { Redirect::to("/ui/queue") }))
        .route("/ui/", get(|| async { Redirect::to("/ui/queue") }))
        .route("/ui/assets/{name}", get(asset))
        .route("/ui/signin", get(session::signin_page).post(session::signin))
        .route("/ui/signout", post(session::signout))
        .route("/ui/queue", get(queue::page))
        .route("/ui/invoices/{id}", get(invoice::page).post(invoice::save))
        .route("/ui/invoices/{id}/lines", post(invoice::save_lines))
        .route("/ui/invoices/{id}/pages/{page}", get(invoice::page_image))
        .route("/ui/invoices/{id}/file", get(invoice::file))
        .route("/ui/invoices/{id}/status", get(upload::status))
        .route("/ui/upload", get(upload::page).post(upload::upload))
        .route("/ui/dashboard", get(dashboard::page))
        .route("/ui/settings", get(settings::page))
        .route("/ui/settings/language", post(settings::set_language))
        .route("/ui/settings/keys", post(settings::create_key))
        .route("/ui/settings/keys/{id}/revoke", post(settings::revoke_key))
        .layer(middleware::from_fn(security_headers))
}

/// Scripts, styles and images only from this origin, no framing, no
/// sniffing, no referrer to other sites.
async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let set = [
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
             form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
        (header::X_FRAME_OPTIONS, "DENY"),
    ];
    for (name, value) in set {
        headers.insert(name, HeaderValue::from_static(value));
    }
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// The embedded style sheet and script.
async fn asset(Path(name): Path<String>) -> Response {
    let (body, content_type) = match name.as_str() {
        "ui.css" => (include_str!("../../assets/ui/ui.css"), "text/css; charset=utf-8"),
        "ui.js" => (include_str!("../../assets/ui/ui.js"), "text/javascript; charset=utf-8"),
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    ([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "private, max-age=300")], body)
        .into_response()
}

/// What every signed-in page's frame shows: the language, the navigation
/// (by role), the key, and the CSRF token for the sign-out form.
pub struct Chrome {
    pub lang: Lang,
    pub t: &'static Texts,
    /// Which navigation entry is current: queue, upload, dashboard, settings.
    pub current: &'static str,
    pub key_id: String,
    pub csrf: String,
    pub is_reviewer: bool,
    pub is_admin: bool,
    pub title: String,
}

impl Chrome {
    pub fn new(user: &Signed, current: &'static str, title: impl Into<String>) -> Chrome {
        use invex_domain::service::Role;
        Chrome {
            lang: user.lang,
            t: user.lang.texts(),
            current,
            key_id: user.caller.key_id.clone(),
            csrf: user.csrf.clone(),
            is_reviewer: user.caller.role >= Role::Reviewer,
            is_admin: user.caller.role >= Role::Admin,
            title: title.into(),
        }
    }

    /// `aria-current="page"` for the current navigation entry.
    pub fn aria(&self, entry: &str) -> &'static str {
        if self.current == entry { "page" } else { "false" }
    }
}

/// A page's HTML, or the error page when a template fails.
pub fn render<T: Template>(page: &T) -> Response {
    match page.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => UiError::Api(ApiError::Internal(format!("template: {e}"))).into_response(),
    }
}

/// Why a UI request did not get its page.
#[derive(Debug)]
pub enum UiError {
    /// No valid session: go to the sign-in page (then back to `next`).
    SignIn {
        next: String,
    },
    /// A form without its CSRF token, or with another session's.
    Csrf {
        lang: Lang,
    },
    /// Anything the API would answer, shown as a page in `lang`.
    Api(ApiError),
    Page {
        lang: Lang,
        error: ApiError,
    },
}

impl From<ApiError> for UiError {
    fn from(e: ApiError) -> Self {
        UiError::Api(e)
    }
}

impl From<invex_domain::service::StoreError> for UiError {
    fn from(e: invex_domain::service::StoreError) -> Self {
        UiError::Api(e.into())
    }
}

impl UiError {
    /// The same error, shown in the signed-in person's language.
    pub fn in_lang(self, lang: Lang) -> UiError {
        match self {
            UiError::Api(error) => UiError::Page { lang, error },
            other => other,
        }
    }
}

#[derive(Template)]
#[template(path = "ui/error.html")]
struct ErrorPage {
    lang: &'static str,
    t: &'static Texts,
    message: String,
}

impl IntoResponse for UiError {
    fn into_response(self) -> Response {
        let (lang, status, message) = match self {
            UiError::SignIn { next } => {
                let to = format!("/ui/signin?next={}", urlencode(&next));
                return Redirect::to(&to).into_response();
            }
            UiError::Csrf { lang } => {
                (lang, StatusCode::FORBIDDEN, lang.texts().csrf_failed.to_string())
            }
            UiError::Api(error) => error_parts(Lang::Sv, error),
            UiError::Page { lang, error } => error_parts(lang, error),
        };
        let page = ErrorPage { lang: lang.code(), t: lang.texts(), message };
        let html = page.render().unwrap_or_else(|_| "error".into());
        (status, Html(html)).into_response()
    }
}

fn error_parts(lang: Lang, error: ApiError) -> (Lang, StatusCode, String) {
    let status = error.status();
    let t = lang.texts();
    let message = match &error {
        ApiError::NotFound => t.not_found.to_string(),
        ApiError::Forbidden { .. } => t.forbidden.to_string(),
        ApiError::Internal(cause) => {
            tracing::error!(%cause, "internal error in the UI");
            t.error_title.to_string()
        }
        other => other.to_string(),
    };
    (lang, status, message)
}

/// Percent-encodes a query value.
pub fn urlencode(value: &str) -> String {
    percent_encoding::utf8_percent_encode(value, percent_encoding::NON_ALPHANUMERIC).to_string()
}
