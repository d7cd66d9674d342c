//! The review UI through the router, on both databases: sign-in and
//! sessions, CSRF, roles, tenant isolation, the queue, correcting and
//! approving, page images, upload, the dashboard and the language. The same
//! flows in a real browser are in `crate::ui_browser`.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use invex_api::ServiceOptions;
use invex_domain::service::Role;
use serde_json::json;
use tower::ServiceExt;

use super::harness::{Backend, Harness, sample};
use crate::both_backends;

both_backends!(
    signing_in_opens_a_session_and_signing_out_ends_it,
    a_session_expires_and_a_revoked_key_ends_it,
    roles_and_tenants_hold_in_the_ui,
    an_invoice_is_corrected_with_the_validators_reasons_and_approved,
    page_images_are_drawn_cached_and_erased_with_the_invoice,
    the_queue_filters_and_the_dashboard_counts,
    uploading_from_the_page_needs_the_token_and_keeps_any_file_name,
    line_items_are_edited_removed_and_added_in_the_page,
    failed_checks_are_in_the_tenants_language,
);

/// What a page answered.
pub struct Page {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Page {
    pub fn location(&self) -> &str {
        self.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("")
    }

    /// The value of the first `name="..." value="..."` hidden input named `name`.
    pub fn input(&self, name: &str) -> String {
        let needle = format!("name=\"{name}\" value=\"");
        let start = self.body.find(&needle).map(|i| i + needle.len()).unwrap_or_else(|| {
            panic!("no input {name} in the page: {}", &self.body[..self.body.len().min(2000)])
        });
        let end = self.body[start..].find('"').expect("closing quote") + start;
        self.body[start..end].to_string()
    }

    fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with(&format!("{name}=")))
            .map(str::to_string)
    }
}

/// A browser without a browser: a cookie and the page's CSRF token.
pub struct Client<'h> {
    h: &'h Harness,
    pub session: Option<String>,
    pub csrf: String,
}

impl<'h> Client<'h> {
    pub fn new(h: &'h Harness) -> Self {
        Client { h, session: None, csrf: String::new() }
    }

    pub async fn send(&self, request: axum::http::request::Builder, body: Body) -> Page {
        let mut request = request;
        if let Some(s) = &self.session {
            request = request.header(header::COOKIE, format!("invex_session={s}"));
        }
        let response =
            self.h.router.clone().oneshot(request.body(body).expect("request")).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
        Page { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
    }

    pub async fn get(&self, uri: &str) -> Page {
        self.send(Request::get(uri), Body::empty()).await
    }

    /// Posts a form; `csrf` is added unless the form has its own.
    pub async fn post(&self, uri: &str, form: &[(&str, &str)]) -> Page {
        let mut fields: Vec<(&str, &str)> = form.to_vec();
        if !form.iter().any(|(k, _)| *k == "csrf") {
            fields.push(("csrf", &self.csrf));
        }
        let body = serde_urlencoded::to_string(&fields).expect("form");
        let request =
            Request::post(uri).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        self.send(request, Body::from(body)).await
    }

    /// Signs in with `key` as a browser does; the sign-in page's answer.
    pub async fn sign_in(&mut self, key: &str) -> Page {
        let form = self.get("/ui/signin").await;
        assert_eq!(form.status, StatusCode::OK, "{}", form.body);
        let pre = form.cookie("invex_signin").expect("the sign-in form sets its CSRF cookie");
        let pre_value =
            pre.split(';').next().unwrap().trim_start_matches("invex_signin=").to_string();
        let token = form.input("csrf");
        assert_eq!(token, pre_value, "double submit: the form's token is the cookie's");
        let body =
            serde_urlencoded::to_string([("key", key), ("csrf", &token), ("next", "/ui/queue")])
                .unwrap();
        let request = Request::post("/ui/signin")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, format!("invex_signin={token}"));
        let page = self.send(request, Body::from(body)).await;
        if let Some(cookie) = page.cookie("invex_session") {
            let value = cookie.split(';').next().unwrap().trim_start_matches("invex_session=");
            self.session = Some(value.to_string());
            let landing = self.get(page.location()).await;
            if landing.status == StatusCode::OK {
                self.csrf = data_csrf(&landing.body);
            }
        }
        page
    }
}

/// The CSRF token a signed-in page carries for its script.
pub fn data_csrf(body: &str) -> String {
    let needle = "data-csrf=\"";
    let start = body.find(needle).map(|i| i + needle.len()).expect("data-csrf on the page");
    body[start..start + body[start..].find('"').unwrap()].to_string()
}

/// Uploads `n` samples through the API, waits, and breaks each one's total so
/// it needs review; returns their ids.
async fn queued_for_review(h: &Harness, key: &str, samples: &[usize]) -> Vec<String> {
    with_totals(h, key, samples).await.into_iter().map(|(id, _)| id).collect()
}

/// As [`queued_for_review`], with each invoice's total as extracted.
async fn with_totals(h: &Harness, key: &str, samples: &[usize]) -> Vec<(String, String)> {
    let mut ids = Vec::new();
    for &n in samples {
        let (status, body) = h.upload(key, &format!("inv-{n}.pdf"), sample(n)).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
        let id = body["id"].as_str().expect("id").to_string();
        let read = h.processed(key, &id).await;
        let total = match &read["fields"]["total_amount"]["value"] {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Number(n) => n.to_string(),
            other => panic!("a total, not {other}: {read}"),
        };
        let (status, body) = h
            .json(
                Method::PATCH,
                &format!("/v1/invoices/{id}"),
                key,
                json!({"fields": {"total_amount": null}}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["status"], "needs_review", "{body}");
        ids.push((id, total));
    }
    ids
}

async fn signing_in_opens_a_session_and_signing_out_ends_it(backend: Backend) {
    let h = Harness::start(backend).await;
    let (_, admin) = h.tenant("Signin").await;
    let mut client = Client::new(&h);
    // Without a session every page sends the browser to sign in, and back after.
    let page = client.get("/ui/queue?status=done").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location(), "/ui/signin?next=%2Fui%2Fqueue%3Fstatus%3Ddone");
    // (key, signed in)
    let wrong = format!("{}x", &admin[..admin.len() - 1]);
    let table =
        [("ivx_nonsense", false), (wrong.as_str(), false), ("", false), (admin.as_str(), true)];
    for (key, ok) in table {
        let page = client.sign_in(key).await;
        assert_eq!(client.session.is_some(), ok, "{key}: {}", page.body);
        if !ok {
            assert!(
                matches!(page.status, StatusCode::UNAUTHORIZED | StatusCode::UNPROCESSABLE_ENTITY),
                "{key}: {}",
                page.status
            );
            assert!(
                page.body.contains("signin-error") || key.is_empty(),
                "the reason is shown: {}",
                page.body
            );
        }
    }
    let cookie = client.sign_in(&admin).await.cookie("invex_session").unwrap();
    for flag in ["HttpOnly", "SameSite=Strict", "Path=/ui", "Max-Age="] {
        assert!(cookie.contains(flag), "{flag} in {cookie}");
    }
    assert!(!cookie.contains("Secure"), "plain HTTP: {cookie}");
    assert!(client.get("/ui/queue").await.status.is_success());
    // A sign-in form posted without its own cookie's token is refused.
    let body = serde_urlencoded::to_string([("key", admin.as_str()), ("csrf", "forged")]).unwrap();
    let forged = client
        .send(
            Request::post("/ui/signin")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::COOKIE, "invex_signin=other"),
            Body::from(body),
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    // Behind a TLS proxy the cookie is Secure.
    let form = client.get("/ui/signin").await;
    let token = form.input("csrf");
    let body = serde_urlencoded::to_string([("key", admin.as_str()), ("csrf", &token)]).unwrap();
    let tls = client
        .send(
            Request::post("/ui/signin")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::COOKIE, format!("invex_signin={token}"))
                .header("x-forwarded-proto", "https"),
            Body::from(body),
        )
        .await;
    assert!(tls.cookie("invex_session").unwrap().contains("Secure"));
    // Sign-out needs the token, then the cookie is worthless.
    let refused = client.post("/ui/signout", &[("csrf", "")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(client.get("/ui/queue").await.status.is_success(), "still signed in");
    let out = client.post("/ui/signout", &[]).await;
    assert_eq!((out.status, out.location()), (StatusCode::SEE_OTHER, "/ui/signin"));
    assert_eq!(client.get("/ui/queue").await.status, StatusCode::SEE_OTHER);
    // The audit log has both.
    let (_, audit) = h.get("/v1/audit", &admin).await;
    let actions: Vec<&str> = audit["entries"]
        .as_array()
        .map_or(Vec::new(), |e| e.iter().filter_map(|e| e["action"].as_str()).collect());
    assert!(actions.contains(&"ui_sign_in") && actions.contains(&"ui_sign_out"), "{audit}");
}

async fn a_session_expires_and_a_revoked_key_ends_it(backend: Backend) {
    let options = ServiceOptions {
        ui_session_ttl: std::time::Duration::from_secs(1),
        ..ServiceOptions::default()
    };
    let h = Harness::with_options(backend, options).await;
    let (tenant, admin) = h.tenant("Expiry").await;
    let mut client = Client::new(&h);
    client.sign_in(&admin).await;
    assert!(client.get("/ui/queue").await.status.is_success());
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(client.get("/ui/queue").await.status, StatusCode::SEE_OTHER, "expired");
    let h = Harness::start(backend).await;
    let (tenant2, admin2) = h.tenant("Revoked").await;
    let reviewer = h.key(&tenant2, Role::Reviewer).await;
    let mut client = Client::new(&h);
    client.sign_in(&reviewer).await;
    assert!(client.get("/ui/queue").await.status.is_success());
    let id = reviewer.split('_').nth(1).unwrap();
    let (status, _) = h.delete(&format!("/v1/keys/{id}"), &admin2).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(client.get("/ui/queue").await.status, StatusCode::SEE_OTHER, "revoked");
    let _ = tenant;
}

async fn roles_and_tenants_hold_in_the_ui(backend: Backend) {
    let h = Harness::start(backend).await;
    let (tenant, admin) = h.tenant("Roles").await;
    let (_, other_admin) = h.tenant("Other").await;
    let ids = queued_for_review(&h, &admin, &[1]).await;
    let id = &ids[0];
    let uploader = h.key(&tenant, Role::Uploader).await;
    let reviewer = h.key(&tenant, Role::Reviewer).await;
    let mut up = Client::new(&h);
    let page = up.sign_in(&uploader).await;
    assert_eq!(page.location(), "/ui/upload", "an uploader lands on the upload page");
    let mut rev = Client::new(&h);
    rev.sign_in(&reviewer).await;
    let mut other = Client::new(&h);
    other.sign_in(&other_admin).await;
    let invoice = format!("/ui/invoices/{id}");
    // (client, method, uri, expected status)
    let table: Vec<(&Client, Method, String, StatusCode)> = vec![
        (&up, Method::GET, "/ui/queue".into(), StatusCode::FORBIDDEN),
        (&up, Method::GET, "/ui/dashboard".into(), StatusCode::FORBIDDEN),
        (&up, Method::GET, "/ui/upload".into(), StatusCode::OK),
        (&up, Method::POST, invoice.clone(), StatusCode::FORBIDDEN),
        (&rev, Method::GET, "/ui/settings".into(), StatusCode::FORBIDDEN),
        (&rev, Method::POST, "/ui/settings/keys".into(), StatusCode::FORBIDDEN),
        (&rev, Method::POST, "/ui/settings/language".into(), StatusCode::FORBIDDEN),
        (&rev, Method::GET, invoice.clone(), StatusCode::OK),
        (&other, Method::GET, invoice.clone(), StatusCode::NOT_FOUND),
        (&other, Method::POST, invoice.clone(), StatusCode::NOT_FOUND),
        (&other, Method::GET, format!("{invoice}/pages/1"), StatusCode::NOT_FOUND),
        (&other, Method::GET, format!("{invoice}/file"), StatusCode::NOT_FOUND),
        (&other, Method::GET, format!("{invoice}/status"), StatusCode::NOT_FOUND),
    ];
    for (client, method, uri, want) in table {
        let page = if method == Method::GET {
            client.get(&uri).await
        } else {
            client
                .post(&uri, &[("f_bankgiro", "5050-1055"), ("role", "admin"), ("language", "en")])
                .await
        };
        assert_eq!(page.status, want, "{method} {uri}: {}", &page.body[..page.body.len().min(400)]);
    }
    // The other tenant's queue does not list it.
    assert!(!other.get("/ui/queue").await.body.contains(id.as_str()));
    // Nothing was corrected through the refused posts.
    let (_, body) = h.get(&format!("/v1/invoices/{id}"), &admin).await;
    assert_eq!(body["corrections"].as_array().map(Vec::len), Some(1), "{body}");
}

async fn an_invoice_is_corrected_with_the_validators_reasons_and_approved(backend: Backend) {
    let h = Harness::start(backend).await;
    let (_, admin) = h.tenant("Review").await;
    let read = with_totals(&h, &admin, &[2, 3]).await;
    let ids: Vec<String> = read.iter().map(|(id, _)| id.clone()).collect();
    let mut client = Client::new(&h);
    client.sign_in(&admin).await;
    let first = client.get("/ui/queue").await.body;
    let (a, b) = (first.find(&ids[0]).unwrap(), first.find(&ids[1]).unwrap());
    let (open, next) = if a < b { (&ids[0], &ids[1]) } else { (&ids[1], &ids[0]) };
    let uri = format!("/ui/invoices/{open}");
    let page = client.get(&uri).await;
    assert_eq!(page.status, StatusCode::OK);
    for part in ["id=\"f_bankgiro\"", "Att betala saknas", "rect class=\"box\"", "id=\"approve\""] {
        assert!(page.body.contains(part), "{part} on the invoice page");
    }
    // A Bankgiro that fails Luhn: refused, the reason beside it, the typed value kept, nothing stored.
    let refused = client.post(&uri, &[("f_bankgiro", "5050-1056"), ("action", "save")]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("id=\"why_bankgiro\""), "{}", refused.body);
    assert!(
        refused.body.contains("är inte ett giltigt bankgironummer")
            && refused.body.contains("Luhn"),
        "the validator's reason is shown, in the tenant's language (Swedish by default)"
    );
    assert!(refused.body.contains("value=\"5050-1056\""), "the typed value stays");
    let (_, after) = h.get(&format!("/v1/invoices/{open}"), &admin).await;
    assert_eq!(after["corrections"].as_array().map(Vec::len), Some(1), "nothing stored: {after}");
    // Without the CSRF token nothing is stored either.
    let forged = client.post(&uri, &[("csrf", "forged"), ("f_bankgiro", "5050-1055")]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    // Fixed and approved: stored, done, and the next invoice opens.
    let total = read.iter().find(|(id, _)| id == open).map(|(_, t)| t.clone()).unwrap();
    let approved = client
        .post(
            &uri,
            &[("f_bankgiro", "5050-1055"), ("f_total_amount", &total), ("action", "approve")],
        )
        .await;
    assert_eq!(approved.status, StatusCode::SEE_OTHER, "{}", approved.body);
    assert_eq!(approved.location(), format!("/ui/invoices/{next}?approved=1"));
    let (_, done) = h.get(&format!("/v1/invoices/{open}"), &admin).await;
    assert_eq!(done["status"], "done", "{done}");
    assert_eq!(done["fields"]["bankgiro"]["value"], "50501055", "stored in its normal form");
    assert!(done["approved_by"].is_string());
    let page = client.get(&uri).await.body;
    for action in [">correct<", ">approve<"] {
        assert!(page.contains(action), "the audit trail shows {action}");
    }
    assert!(!client.get("/ui/queue").await.body.contains(open.as_str()), "it left the queue");
    // The original downloads as uploaded.
    let file = client.get(&format!("{uri}/file")).await;
    assert_eq!(file.status, StatusCode::OK);
    assert!(file.body.starts_with("%PDF"));
}

async fn page_images_are_drawn_cached_and_erased_with_the_invoice(backend: Backend) {
    let h = Harness::start(backend).await;
    let (_, admin) = h.tenant("Pages").await;
    let ids = queued_for_review(&h, &admin, &[4]).await;
    let mut client = Client::new(&h);
    client.sign_in(&admin).await;
    let uri = format!("/ui/invoices/{}/pages/1", ids[0]);
    let page = client.get(&uri).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.headers[header::CONTENT_TYPE], "image/png");
    let request = Request::get(format!("{uri}?w=800"))
        .header(header::COOKIE, format!("invex_session={}", client.session.as_deref().unwrap()));
    let response = h.router.clone().oneshot(request.body(Body::empty()).unwrap()).await.unwrap();
    let png = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    let image = image::load_from_memory(&png).expect("a PNG");
    assert_eq!(image.width(), 800);
    assert!(image.height() > 1000, "an A4 page is taller than wide");
    let cached = h.state.blobs.list("ui-pages/").await.unwrap();
    assert_eq!(cached.len(), 2, "one image per width: {cached:?}");
    for (uri, want) in [(format!("/ui/invoices/{}/pages/9", ids[0]), StatusCode::NOT_FOUND)] {
        assert_eq!(client.get(&uri).await.status, want, "{uri}");
    }
    let (status, _) = h.delete(&format!("/v1/invoices/{}", ids[0]), &admin).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(h.state.blobs.list("ui-pages/").await.unwrap().is_empty(), "erased with the file");
}

async fn the_queue_filters_and_the_dashboard_counts(backend: Backend) {
    let h = Harness::start(backend).await;
    let (_, admin) = h.tenant("Filters").await;
    let ids = queued_for_review(&h, &admin, &[5, 6]).await;
    let mut client = Client::new(&h);
    client.sign_in(&admin).await;
    let (_, one) = h.get(&format!("/v1/invoices/{}", ids[0]), &admin).await;
    let supplier = one["fields"]["supplier_name"]["value"].as_str().unwrap().to_string();
    let number = one["fields"]["invoice_number"]["value"].as_str().unwrap().to_string();
    let count = |body: &str| {
        let start = body.find("id=\"queue-count\"").expect("count");
        let strong = body[start..].find("<strong>").unwrap() + start + 8;
        body[strong..strong + body[strong..].find('<').unwrap()].to_string()
    };
    let (by_number, by_supplier) =
        (format!("?q={}", enc(&number)), format!("?supplier={}", enc(&supplier)));
    // (query, rows expected)
    let table = [
        ("", "2"),
        ("?q=zzz-nothing", "0"),
        (by_number.as_str(), "1"),
        (by_supplier.as_str(), "1"),
        ("?status=done", "0"),
        ("?status=all", "2"),
        ("?min_confidence=2", "2"),
        ("?date_from=not-a-date", "2"),
    ];
    for (query, want) in table {
        let page = client.get(&format!("/ui/queue{query}")).await;
        assert_eq!(page.status, StatusCode::OK, "{query}");
        assert_eq!(count(&page.body), want, "{query}");
    }
    assert!(
        client.get("/ui/queue?min_confidence=2").await.body.contains("is not a number from 0 to 1")
    );
    // The dashboard counts both uploads, and the corrections that broke them.
    let dash = client.get("/ui/dashboard").await;
    assert_eq!(dash.status, StatusCode::OK, "{}", dash.body);
    assert!(dash.body.contains("id=\"stat-uploaded\">2<"), "{}", dash.body);
    assert!(dash.body.contains("id=\"stat-queue\">0<"));
    assert!(dash.body.contains("<svg class=\"chart\""));
    let bad = client.get("/ui/dashboard?from=2026-13-01").await;
    assert!(bad.body.contains("is not a date"));
    // The tenant's language: Swedish by default, English once chosen.
    assert!(dash.body.contains("<html lang=\"sv\""));
    let set = client.post("/ui/settings/language", &[("language", "en")]).await;
    assert_eq!(set.status, StatusCode::SEE_OTHER, "{}", set.body);
    let page = client.get("/ui/queue").await.body;
    assert!(page.contains("<html lang=\"en\"") && page.contains("Review queue"));
}

/// The invoice page's failed checks and line reasons are in the tenant's
/// language: (language, what the page says).
async fn failed_checks_are_in_the_tenants_language(backend: Backend) {
    let h = Harness::start(backend).await;
    let (_, admin) = h.tenant("Checks").await;
    let id = queued_for_review(&h, &admin, &[4]).await.remove(0);
    // Lines that do not add up to the net, and a Bankgiro that fails Luhn
    // (through the API, which checks only the field form the UI shows).
    let lines = json!({"lines": [{"description": "Halva", "amount": "1,00"}]});
    let (status, body) =
        h.json(Method::PUT, &format!("/v1/invoices/{id}/lines"), &admin, lines).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mut client = Client::new(&h);
    client.sign_in(&admin).await;
    let uri = format!("/ui/invoices/{id}");
    let table = [
        ("sv", ["Att betala saknas", "fakturaraderna summerar till 1; nettobeloppet är"]),
        ("en", ["Total amount is missing", "the line items add up to 1; the net amount is"]),
    ];
    for (lang, says) in table {
        let set = client.post("/ui/settings/language", &[("language", lang)]).await;
        assert_eq!(set.status, StatusCode::SEE_OTHER, "{}", set.body);
        let page = client.get(&uri).await.body;
        for part in says {
            assert!(page.contains(part), "{lang}: {part} on the page: {page}");
        }
    }
}

pub fn enc(s: &str) -> String {
    serde_urlencoded::to_string([("v", s)]).unwrap().trim_start_matches("v=").to_string()
}

/// The service draws page images in the reader's helper processes (`invex
/// reader`): a PDF draws, an image is scaled, an XML file has no page, and a
/// file on which the helper aborts or hangs fails that drawing alone.
#[test]
fn pages_are_drawn_in_helper_processes_and_a_crash_or_hang_costs_one_image() {
    use invex_domain::{DocumentError, PageRenderer};
    use invex_pipeline::isolated::{ABORT_MARK, HANG_MARK, HelperLimits, IsolatedReader};
    let limits = HelperLimits { timeout: std::time::Duration::from_secs(2), ..Default::default() };
    let exe = std::path::PathBuf::from(env!("CARGO_BIN_EXE_invex"));
    let helpers = IsolatedReader::new(exe, limits).with_env("INVEX_READER_FAULTS", "1");
    let marked = |mark: &[u8]| {
        let mut pdf = sample(3);
        pdf.extend_from_slice(b"\n");
        pdf.extend_from_slice(mark);
        pdf.extend_from_slice(b"\n");
        pdf
    };
    let photo = std::fs::read(crate::repo().join("tests/fixtures/photo.png")).expect("photo");
    let xml = b"<?xml version=\"1.0\"?><Invoice/>".to_vec();
    // (file, page, width, Ok(width drawn) or the error's code)
    let table: Vec<(&str, Vec<u8>, u32, u32, Result<u32, &str>)> = vec![
        ("pdf", sample(3), 1, 800, Ok(800)),
        ("pdf, a page it lacks", sample(3), 2, 800, Err("other")),
        ("aborts", marked(ABORT_MARK), 1, 800, Err("reader_crashed")),
        ("hangs", marked(HANG_MARK), 1, 800, Err("reader_timeout")),
        (
            "photo, narrower than asked",
            photo.clone(),
            1,
            2400,
            Ok(image::load_from_memory(&photo).unwrap().width()),
        ),
        ("xml", xml, 1, 800, Err("other")),
        ("pdf again", sample(3), 1, 1200, Ok(1200)),
    ];
    for (name, bytes, page, width, want) in table {
        let got = helpers.render_png(&bytes, page, width);
        match (got, want) {
            (Ok(png), Ok(w)) => {
                let image = image::load_from_memory(&png).unwrap_or_else(|e| panic!("{name}: {e}"));
                assert_eq!(image.width(), w, "{name}");
            }
            (Err(e), Err(code)) => assert_eq!(DocumentError::code(&e), code, "{name}: {e}"),
            (got, want) => panic!("{name}: got {:?}, want {want:?}", got.map(|p| p.len())),
        }
    }
}

async fn uploading_from_the_page_needs_the_token_and_keeps_any_file_name(backend: Backend) {
    let h = Harness::start(backend).await;
    let (tenant, _) = h.tenant("Upload").await;
    let uploader = h.key(&tenant, Role::Uploader).await;
    let mut client = Client::new(&h);
    client.sign_in(&uploader).await;
    let upload = |token: &str| {
        Request::post("/ui/upload")
            .header("x-csrf-token", token.to_string())
            .header("x-file-name", "fa%0Aktura%20%C3%A5.pdf")
            .header(header::CONTENT_TYPE, "application/pdf")
    };
    let refused = client.send(upload("forged"), Body::from(sample(1))).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let stored = client.send(upload(&client.csrf), Body::from(sample(1))).await;
    assert_eq!(stored.status, StatusCode::ACCEPTED, "{}", stored.body);
    let body: serde_json::Value = serde_json::from_str(&stored.body).unwrap();
    assert_eq!(body["file_name"], "fa_ktura å.pdf", "decoded, the line break made harmless");
    let empty = client.send(upload(&client.csrf), Body::empty()).await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST, "{}", empty.body);
    let answer: serde_json::Value = serde_json::from_str(&empty.body).unwrap();
    assert_eq!(answer["error_type"], "empty_file", "the page shows the API's reason: {answer}");
    let id = body["id"].as_str().unwrap();
    let file = client.get(&format!("/ui/invoices/{id}/file")).await;
    assert_eq!(file.status, StatusCode::OK);
    let disposition = file.headers[header::CONTENT_DISPOSITION].to_str().expect("a valid header");
    assert_eq!(
        disposition,
        "attachment; filename=\"fa_ktura _.pdf\"; filename*=UTF-8''fa%5Fktura%20%C3%A5%2Epdf"
    );
}

/// The line-item form: a row that fails its check is refused with the reason
/// beside it (in Swedish) and nothing is stored; rows are changed, removed
/// and added; an uploader sees the lines without a form; the token is needed.
async fn line_items_are_edited_removed_and_added_in_the_page(backend: Backend) {
    let h = Harness::start(backend).await;
    let (tenant, admin) = h.tenant("Lines").await;
    let id = queued_for_review(&h, &admin, &[4]).await.remove(0);
    let (_, before) = h.get(&format!("/v1/invoices/{id}"), &admin).await;
    let extracted = before["line_items"].as_array().expect("lines").len();
    assert!(extracted >= 2, "a sample with lines: {before}");
    let mut client = Client::new(&h);
    client.sign_in(&admin).await;
    let uri = format!("/ui/invoices/{id}");
    let page = client.get(&uri).await.body;
    for part in
        ["id=\"lines-form\"", "name=\"l1_description\"", "name=\"l1_remove\"", "id=\"save-lines\""]
    {
        assert!(page.contains(part), "{part} on the page");
    }
    // Two blank rows follow the extracted lines, for adding.
    assert!(page.contains(&format!("name=\"l{}_amount\" value=\"\"", extracted + 2)));
    let lines = format!("{uri}/lines");

    // (the rows sent, the reason shown) — each refused, nothing stored.
    let refused: [(&[(&str, &str)], &str); 3] = [
        (
            &[
                ("l1_description", "Konsult"),
                ("l1_quantity", "2"),
                ("l1_unit_price", "100"),
                ("l1_amount", "150"),
            ],
            "2 × 100 = 200, inte 150",
        ),
        (&[("l1_description", ""), ("l1_amount", "10")], "en rad behöver en beskrivning"),
        (&[("l1_description", "Papper"), ("l1_amount", "tio")], "Belopp: \"tio\" är inget tal"),
    ];
    for (rows, reason) in refused {
        let page = client.post(&lines, rows).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{rows:?}");
        assert!(page.body.contains(&askama_escaped(reason)), "{reason}: {}", page.body);
        assert!(page.body.contains("id=\"line_why_1\""), "beside its row");
        assert!(page.body.contains("id=\"lines-flash\""));
    }
    let (_, after) = h.get(&format!("/v1/invoices/{id}"), &admin).await;
    assert_eq!(after["line_corrections"], json!([]), "nothing stored");
    // Without the token nothing is stored either.
    let forged = client
        .post(&lines, &[("csrf", "forged"), ("l1_description", "x"), ("l1_amount", "1")])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    // Change line 1, remove line 2, add a charge in a blank row, leave the other blank.
    let mut form: Vec<(String, String)> = Vec::new();
    for (i, line) in before["line_items"].as_array().unwrap().iter().enumerate() {
        let n = i + 1;
        let text = |k: &str| match &line[k] {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Number(x) => x.to_string(),
            _ => String::new(),
        };
        form.push((format!("l{n}_kind"), "item".into()));
        form.push((
            format!("l{n}_description"),
            if n == 1 { "Ändrad rad".into() } else { text("description") },
        ));
        for k in ["quantity", "unit", "unit_price", "vat_rate", "amount"] {
            form.push((format!("l{n}_{k}"), text(k)));
        }
    }
    form.push(("l2_remove".into(), "on".into()));
    let added = extracted + 1;
    form.extend([
        (format!("l{added}_kind"), "charge".into()),
        (format!("l{added}_description"), "Frakt".into()),
        (format!("l{added}_amount"), "49,00".into()),
        (format!("l{}_kind", added + 1), "item".into()),
    ]);
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let saved = client.post(&lines, &form).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(saved.location(), format!("{uri}?saved=1#lines-title"));
    let (_, after) = h.get(&format!("/v1/invoices/{id}"), &admin).await;
    let now = after["line_items"].as_array().expect("lines");
    assert_eq!(now.len(), extracted, "one removed, one added: {after}");
    assert_eq!(now[0]["description"], "Ändrad rad");
    let last = &now[now.len() - 1];
    assert_eq!(
        (last["description"].as_str(), last["kind"].as_str(), last["amount"].as_f64()),
        (Some("Frakt"), Some("charge"), Some(49.0))
    );
    assert_eq!(after["line_corrections"].as_array().map(Vec::len), Some(1));
    // Saving the same rows again stores nothing new.
    let page = client.get(&uri).await;
    assert!(page.body.contains("id=\"lines-corrected\""), "the page says a person changed them");
    let again: Vec<(String, String)> = (1..=extracted)
        .flat_map(|n| {
            let line = &now[n - 1];
            let text = |k: &str| match &line[k] {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Number(x) => x.to_string(),
                _ => String::new(),
            };
            let kind = line["kind"].as_str().unwrap_or("item").to_string();
            let mut row = vec![(format!("l{n}_kind"), kind)];
            row.extend(
                ["description", "quantity", "unit", "unit_price", "vat_rate", "amount"]
                    .map(|k| (format!("l{n}_{k}"), text(k))),
            );
            row
        })
        .collect();
    let again: Vec<(&str, &str)> = again.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(client.post(&lines, &again).await.status, StatusCode::SEE_OTHER);
    let (_, same) = h.get(&format!("/v1/invoices/{id}"), &admin).await;
    assert_eq!(
        same["line_corrections"].as_array().map(Vec::len),
        Some(1),
        "unchanged: not stored again"
    );
    assert!(client.get(&uri).await.body.contains(">correct_lines<"), "in the audit trail");

    // An uploader sees the lines, read-only, and cannot post them.
    let reader = h.key(&tenant, invex_domain::service::Role::Uploader).await;
    let mut reading = Client::new(&h);
    reading.sign_in(&reader).await;
    let page = reading.get(&uri).await.body;
    assert!(page.contains("Ändrad rad") && !page.contains("id=\"save-lines\""), "{page}");
    let denied = reading.post(&lines, &[("l1_description", "x"), ("l1_amount", "1")]).await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
}

/// `text` as askama escapes it into HTML.
fn askama_escaped(text: &str) -> String {
    text.replace('&', "&#38;")
        .replace('"', "&#34;")
        .replace('<', "&#60;")
        .replace('>', "&#62;")
        .replace('\'', "&#39;")
}
