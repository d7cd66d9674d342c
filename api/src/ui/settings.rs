//! `/ui/settings` (admins): the tenant's UI language and its API keys,
//! with the same rules and audit entries as `/v1/keys`.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use invex_domain::service::Role;
use serde::Deserialize;
use serde_json::json;

use super::text::Lang;
use super::{Chrome, Signed, UiError, render};
use crate::error::ApiError;
use crate::routes::admin::{make_key, revoke};
use crate::routes::invoices::audit;
use crate::routes::view::timestamp;
use crate::state::SharedState;

pub struct KeyRow {
    pub id: String,
    pub name: String,
    pub role: &'static str,
    pub created: String,
    pub revoked: String,
    pub is_own: bool,
}

#[derive(Template)]
#[template(path = "ui/settings.html")]
struct SettingsPage {
    chrome: Chrome,
    keys: Vec<KeyRow>,
    new_key: Option<String>,
}

async fn show(
    state: &SharedState,
    user: &Signed,
    new_key: Option<String>,
) -> Result<Response, UiError> {
    let keys = state
        .repo
        .keys(&user.caller.tenant_id)
        .await?
        .into_iter()
        .map(|k| KeyRow {
            is_own: k.id == user.caller.key_id,
            id: k.id,
            name: k.name,
            role: k.role.as_str(),
            created: timestamp(k.created_at),
            revoked: k.revoked_at.map(timestamp).unwrap_or_default(),
        })
        .collect();
    let page = SettingsPage {
        chrome: Chrome::new(user, "settings", user.lang.texts().settings_title),
        keys,
        new_key,
    };
    Ok(render(&page))
}

/// `GET /ui/settings`.
pub async fn page(State(state): State<SharedState>, user: Signed) -> Result<Response, UiError> {
    user.require(Role::Admin)?;
    show(&state, &user, None).await.map_err(|e| e.in_lang(user.lang))
}

#[derive(Deserialize)]
pub struct LanguageForm {
    #[serde(default)]
    csrf: String,
    language: String,
}

/// `POST /ui/settings/language`.
pub async fn set_language(
    State(state): State<SharedState>,
    user: Signed,
    Form(form): Form<LanguageForm>,
) -> Result<Response, UiError> {
    user.check_csrf(&form.csrf)?;
    user.require(Role::Admin)?;
    let lang = Lang::parse(&form.language).ok_or_else(|| {
        UiError::from(ApiError::Invalid(format!(
            "unknown language {:?}: use sv or en",
            form.language
        )))
        .in_lang(user.lang)
    })?;
    state.repo.set_tenant_language(&user.caller.tenant_id, lang.code()).await?;
    audit(&state, &user.caller, "ui_language", None, json!({"language": lang.code()})).await?;
    Ok(Redirect::to("/ui/settings").into_response())
}

#[derive(Deserialize)]
pub struct NewKeyForm {
    #[serde(default)]
    csrf: String,
    role: String,
    #[serde(default)]
    name: String,
}

/// `POST /ui/settings/keys`: makes a key and shows it, once.
pub async fn create_key(
    State(state): State<SharedState>,
    user: Signed,
    Form(form): Form<NewKeyForm>,
) -> Result<Response, UiError> {
    user.check_csrf(&form.csrf)?;
    user.require(Role::Admin)?;
    let lang = user.lang;
    let role = Role::parse(&form.role).ok_or_else(|| {
        UiError::from(ApiError::Invalid(format!(
            "unknown role {:?}: use uploader, reviewer or admin",
            form.role
        )))
        .in_lang(lang)
    })?;
    let key = make_key(&state, &user.caller, role, form.name.trim())
        .await
        .map_err(|e| UiError::from(e).in_lang(lang))?;
    show(&state, &user, Some(key.plaintext)).await.map_err(|e| e.in_lang(lang))
}

#[derive(Deserialize)]
pub struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

/// `POST /ui/settings/keys/{id}/revoke`: at once, and its sessions with it.
pub async fn revoke_key(
    State(state): State<SharedState>,
    user: Signed,
    Path(id): Path<String>,
    Form(form): Form<CsrfOnly>,
) -> Result<Response, UiError> {
    user.check_csrf(&form.csrf)?;
    user.require(Role::Admin)?;
    revoke(&state, &user.caller, &id).await.map_err(|e| UiError::from(e).in_lang(user.lang))?;
    Ok(Redirect::to("/ui/settings").into_response())
}
