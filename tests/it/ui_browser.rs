//! The review UI in a real headless Chromium, on both databases: a clerk
//! signs in, uploads three invoices, waits for them in the queue, corrects a
//! Bankgiro (a value failing Luhn is refused with the reason shown), approves
//! with the keyboard and lands on the next invoice; a wrong key cannot sign
//! in, another tenant's invoice is not found, a form without its CSRF token
//! is refused; and axe-core finds no serious or critical violation on the
//! queue, the invoice page, the dashboard, the upload and sign-in pages.

use std::time::{Duration, Instant};

use fantoccini::Locator;
use fantoccini::key::Key;
use serde_json::{Value, json};

use crate::both_backends;
use crate::browser::Browser;
use crate::service::harness::{Backend, Harness};

both_backends!(a_clerk_reviews_invoices_in_chromium);

/// Serves the harness's router on a loopback port; returns its base URL.
async fn serve(h: &Harness) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    let app = h.router.clone();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{address}")
}

/// The three invoices uploaded: real third-party invoices whose extraction
/// leaves something for a person (vendored dev set, Apache-2.0).
fn files() -> Vec<std::path::PathBuf> {
    let dev = crate::repo().join("tests/fixtures/dev");
    ["103767-Invoice-2026-03-24-1.pdf", "Facture_F20180027.pdf", "zugferd_invoice.pdf"]
        .iter()
        .map(|f| dev.join(f))
        .collect()
}

async fn assert_accessible(b: &Browser, page: &str) {
    let serious = b.serious_violations().await;
    assert!(serious.is_empty(), "axe on {page}: {serious:#?}");
}

async fn type_into(b: &Browser, css: &str, text: &str) {
    let input = b.wait_for(css).await;
    input.clear().await.expect("clear");
    input.send_keys(text).await.expect("type");
}

async fn url(b: &Browser) -> String {
    b.client.current_url().await.expect("url").to_string()
}

/// Waits until `check` holds for the current page's script result.
async fn wait_script(
    b: &Browser,
    script: &str,
    what: &str,
    check: impl Fn(&Value) -> bool,
) -> Value {
    let started = Instant::now();
    loop {
        let value = b.client.execute(script, vec![]).await.expect("script");
        if check(&value) {
            return value;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "{what}: still {value}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn a_clerk_reviews_invoices_in_chromium(backend: Backend) {
    let h = Harness::start(backend).await;
    let (_, key) = h.tenant("Chromium").await;
    let (_, other_key) = h.tenant("Other").await;
    let base = serve(&h).await;
    let b = Browser::start().await;

    // A wrong key cannot sign in; the reason is shown.
    b.goto(&format!("{base}/ui/queue")).await;
    assert!(url(&b).await.contains("/ui/signin"), "sent to sign in");
    assert_accessible(&b, "the sign-in page").await;
    type_into(&b, "#key", "ivx_0123456789abcdef_notthesecret").await;
    b.wait_for("#signin button[type=submit]").await.click().await.expect("click");
    b.wait_for("#signin-error").await;
    type_into(&b, "#key", &key).await;
    b.wait_for("#signin button[type=submit]").await.click().await.expect("click");
    b.wait_for("#queue-count").await;
    assert!(url(&b).await.ends_with("/ui/queue"), "{}", url(&b).await);

    // Upload three files at once through the page's file input.
    b.goto(&format!("{base}/ui/upload")).await;
    assert_accessible(&b, "the upload page").await;
    let paths: Vec<String> = files().iter().map(|p| p.display().to_string()).collect();
    b.wait_for("#files").await.send_keys(&paths.join("\n")).await.expect("choose files");
    let statuses = wait_script(
        &b,
        "return Array.from(document.querySelectorAll('#uploads .upload-status')).map(s => s.dataset.status || '');",
        "three files read",
        |v| {
            let s = v.as_array().cloned().unwrap_or_default();
            s.len() == 3 && s.iter().all(|s| matches!(s.as_str(), Some("done" | "needs_review" | "failed")))
        },
    )
    .await;
    let ids = b
        .client
        .execute(
            "return Array.from(document.querySelectorAll('#uploads li')).map(li => li.dataset.id);",
            vec![],
        )
        .await
        .expect("ids");
    let ids: Vec<String> =
        ids.as_array().unwrap().iter().filter_map(|v| v.as_str().map(str::to_string)).collect();
    assert_eq!(ids.len(), 3, "{statuses}");
    let in_review = statuses.as_array().unwrap().iter().filter(|s| *s == "needs_review").count();
    assert!(in_review >= 2, "at least two of these invoices need a person: {statuses}");

    // They wait in the queue.
    b.goto(&format!("{base}/ui/queue")).await;
    let count = b.text("#queue-count strong").await;
    assert_eq!(count, in_review.to_string());
    assert_accessible(&b, "the review queue").await;
    b.wait_for("table.queue a.open").await.click().await.expect("open the first");
    b.wait_for("#fields-form").await;
    let opened = url(&b).await;
    let id = opened.rsplit('/').next().unwrap().split('?').next().unwrap().to_string();
    assert!(ids.contains(&id));
    b.wait_for(".page-frame img").await;
    let loaded = wait_script(
        &b,
        "const i = document.querySelector('.page-frame img'); return i.complete && i.naturalWidth;",
        "the page image",
        |v| v.as_u64().unwrap_or(0) > 0,
    )
    .await;
    assert_eq!(loaded, json!(1600));
    assert_accessible(&b, "the invoice page").await;

    // Clicking a field lights its box, and clicking a box selects its field.
    let boxed = b
        .client
        .execute(
            "return Array.from(document.querySelectorAll('rect.box')).map(r => r.dataset.field);",
            vec![],
        )
        .await
        .expect("boxes");
    let boxed: Vec<String> =
        boxed.as_array().unwrap().iter().filter_map(|v| v.as_str().map(str::to_string)).collect();
    assert!(boxed.len() >= 2, "the fields' boxes are drawn: {boxed:?}");
    // The last box is drawn on top, so a click at its centre reaches it.
    let (first, second) = (&boxed[0], &boxed[boxed.len() - 1]);
    b.wait_for(&format!("#f_{first}")).await.click().await.expect("focus a field");
    b.wait_for(&format!("rect.box.active[data-field={first}]")).await;
    b.wait_for(&format!("rect.box[data-field={second}]")).await.click().await.expect("click a box");
    let focused =
        b.client.execute("return document.activeElement.id;", vec![]).await.expect("focus");
    assert_eq!(focused, json!(format!("f_{second}")), "the box's field has the focus");
    b.wait_for(&format!("rect.box.active[data-field={second}]")).await;

    // A Bankgiro failing Luhn is refused, with the reason beside the field.
    type_into(&b, "#f_bankgiro", "5050-1056").await;
    b.wait_for("#save").await.click().await.expect("save");
    let why = b.text("#why_bankgiro").await;
    assert!(why.contains("bankgironummer") && why.contains("Luhn"), "{why}");
    let (_, stored) = h.get(&format!("/v1/invoices/{id}"), &key).await;
    assert!(stored["fields"]["bankgiro"]["value"] != "5050-1056", "nothing stored: {stored}");

    // A form posted without its CSRF token is refused.
    b.client
        .execute("document.querySelector('#fields-form input[name=csrf]').remove();", vec![])
        .await
        .expect("remove the token");
    b.wait_for("#save").await.click().await.expect("save");
    b.wait_for("#error-message").await;
    b.client.back().await.expect("back");
    b.goto(&format!("{base}/ui/invoices/{id}")).await;

    // Fixed, and approved from the keyboard: stored, done, and the next invoice opens.
    type_into(&b, "#f_bankgiro", "5050-1055").await;
    b.wait_for("#f_bankgiro")
        .await
        .send_keys(&format!("{}{}", Key::Control, Key::Enter))
        .await
        .expect("ctrl+enter");
    let started = Instant::now();
    while !url(&b).await.contains("approved=1") {
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "approval did not navigate: {}",
            url(&b).await
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let next = url(&b).await;
    if in_review > 1 {
        assert!(
            next.contains("/ui/invoices/") && !next.contains(&id),
            "the next invoice opens: {next}"
        );
        b.wait_for("#flash").await;
    }
    let (_, done) = h.get(&format!("/v1/invoices/{id}"), &key).await;
    assert_eq!(done["status"], "done", "{done}");
    assert_eq!(done["fields"]["bankgiro"]["value"], "50501055", "{done}");
    assert_eq!(done["fields"]["bankgiro"]["source"], "human", "{done}");
    let corrections = done["corrections"].as_array().expect("corrections");
    assert!(
        corrections.iter().any(|c| c["field"] == "bankgiro" && c["value"] == "50501055"),
        "{done}"
    );

    // The dashboard counts them.
    b.goto(&format!("{base}/ui/dashboard")).await;
    assert_eq!(b.text("#stat-uploaded").await, "3");
    assert_eq!(b.text("#stat-reviewed").await, "1");
    assert_accessible(&b, "the dashboard").await;

    // A line item edited in the page: stored, with the extracted lines kept.
    b.goto(&format!("{base}/ui/invoices/{id}")).await;
    type_into(&b, "input[name=l1_description]", "Ändrad i Chromium").await;
    b.wait_for("#save-lines").await.click().await.expect("save the lines");
    b.wait_for("#lines-corrected").await;
    let (_, edited) = h.get(&format!("/v1/invoices/{id}"), &key).await;
    assert_eq!(edited["line_items"][0]["description"], "Ändrad i Chromium", "{edited}");
    assert!(edited["extracted_line_items"].is_array(), "{edited}");

    // In English the pages are as accessible (the tenant's choice, in settings).
    b.goto(&format!("{base}/ui/settings")).await;
    assert_accessible(&b, "the settings page").await;
    b.client
        .execute("document.getElementById('language').value = 'en';", vec![])
        .await
        .expect("choose English");
    b.wait_for("form[action='/ui/settings/language'] button").await.click().await.expect("save");
    b.wait_for("html[lang=en]").await;
    for (page, path) in [
        ("the queue in English", "/ui/queue".to_string()),
        ("the invoice page in English", format!("/ui/invoices/{id}")),
        ("the dashboard in English", "/ui/dashboard".to_string()),
    ] {
        b.goto(&format!("{base}{path}")).await;
        b.wait_for("html[lang=en] main").await;
        assert_accessible(&b, page).await;
    }

    // Signed in as another tenant, the invoice is not there.
    b.wait_for("form.signout button").await.click().await.expect("sign out");
    type_into(&b, "#key", &other_key).await;
    b.wait_for("#signin button[type=submit]").await.click().await.expect("click");
    b.wait_for("#queue-count").await;
    b.goto(&format!("{base}/ui/invoices/{id}")).await;
    b.wait_for("#error-message").await;
    assert!(b.client.find(Locator::Css("#fields-form")).await.is_err());
    b.close().await;
}
