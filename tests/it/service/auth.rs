//! Keys, roles and tenant isolation.

use axum::body::Body;
use axum::http::{Method, StatusCode};
use invex_domain::service::Role;
use serde_json::json;

use super::harness::{Backend, Harness, drawn, sample};

async fn auth_is_checked_on_every_route(backend: Backend) {
    let h = Harness::start(backend).await;
    let (tenant, admin) = h.tenant("Växjö kommun").await;
    let uploader = h.key(&tenant, Role::Uploader).await;
    let reviewer = h.key(&tenant, Role::Reviewer).await;
    let (_, body) = h.upload(&admin, "a.pdf", sample(0)).await;
    let id = body["id"].as_str().expect("id").to_string();
    h.processed(&admin, &id).await;
    let revoked = h.key(&tenant, Role::Admin).await;
    let revoked_id = revoked.split('_').nth(1).expect("key id").to_string();
    let (status, _) =
        h.json(Method::DELETE, &format!("/v1/keys/{revoked_id}"), &admin, json!({})).await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    let wrong = format!("ivx_{}_{}", &revoked_id, "0".repeat(64));
    let invoice = format!("/v1/invoices/{id}");
    // (key, method, uri, expected status, expected error_type)
    let cases: Vec<(Option<&str>, Method, String, StatusCode, &str)> = vec![
        (None, Method::GET, "/v1/invoices".into(), StatusCode::UNAUTHORIZED, "missing_key"),
        (
            Some("not-a-key"),
            Method::GET,
            "/v1/invoices".into(),
            StatusCode::UNAUTHORIZED,
            "invalid_key",
        ),
        (Some(&wrong), Method::GET, "/v1/invoices".into(), StatusCode::UNAUTHORIZED, "invalid_key"),
        (
            Some(&revoked),
            Method::GET,
            "/v1/invoices".into(),
            StatusCode::UNAUTHORIZED,
            "invalid_key",
        ),
        (Some(&uploader), Method::GET, invoice.clone(), StatusCode::OK, ""),
        (Some(&uploader), Method::GET, "/v1/review".into(), StatusCode::FORBIDDEN, "forbidden"),
        (
            Some(&uploader),
            Method::POST,
            format!("{invoice}/approve"),
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
        (Some(&uploader), Method::DELETE, invoice.clone(), StatusCode::FORBIDDEN, "forbidden"),
        (Some(&reviewer), Method::GET, "/v1/review".into(), StatusCode::OK, ""),
        (Some(&reviewer), Method::GET, "/v1/keys".into(), StatusCode::FORBIDDEN, "forbidden"),
        (Some(&reviewer), Method::GET, "/v1/export".into(), StatusCode::FORBIDDEN, "forbidden"),
        (Some(&reviewer), Method::GET, "/v1/audit".into(), StatusCode::FORBIDDEN, "forbidden"),
        (Some(&admin), Method::GET, "/v1/keys".into(), StatusCode::OK, ""),
    ];
    for (key, method, uri, expected, error_type) in cases {
        let (status, body, _) = h.call(method.clone(), &uri, key, Body::empty(), None).await;
        assert_eq!(status, expected, "{method} {uri} with {key:?}: {body}");
        if !error_type.is_empty() {
            assert_eq!(body["error_type"], error_type, "{method} {uri}: {body}");
            assert!(body["error"].as_str().is_some_and(|e| !e.is_empty()), "{body}");
        }
    }
}

async fn another_tenants_invoice_is_not_found_on_every_route(backend: Backend) {
    let h = Harness::start(backend).await;
    let (_, admin_a) = h.tenant("A").await;
    let (_, admin_b) = h.tenant("B").await;
    let (_, body) = h.upload(&admin_b, "b.pdf", sample(1)).await;
    let id = body["id"].as_str().expect("id").to_string();
    h.processed(&admin_b, &id).await;
    let invoice = format!("/v1/invoices/{id}");
    let cases = [
        (Method::GET, invoice.clone(), None),
        (Method::GET, format!("{invoice}/file"), None),
        (Method::PATCH, invoice.clone(), Some(json!({"fields": {"invoice_number": "X"}}))),
        (Method::POST, format!("{invoice}/approve"), None),
        (Method::DELETE, invoice.clone(), None),
    ];
    for (method, uri, body) in cases {
        let body = body.map_or_else(Body::empty, |b| Body::from(b.to_string()));
        let (status, json, _) =
            h.call(method.clone(), &uri, Some(&admin_a), body, Some("application/json")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{method} {uri}: {json}");
        assert_eq!(json["error_type"], "not_found");
    }
    let (_, list) = h.get("/v1/invoices", &admin_a).await;
    assert_eq!(list["invoices"].as_array().map(Vec::len), Some(0), "{list}");
    // B still has it, untouched.
    let (status, _) = h.get(&invoice, &admin_b).await;
    assert_eq!(status, StatusCode::OK);
}

async fn keys_are_made_listed_and_revoked_through_the_api(backend: Backend) {
    let h = Harness::start(backend).await;
    let (_, admin) = h.tenant("Keys").await;
    let (status, made) =
        h.json(Method::POST, "/v1/keys", &admin, json!({"role": "reviewer", "name": "ci"})).await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let key = made["key"].as_str().expect("plaintext key shown once");
    let (status, _) = h.get("/v1/review", key).await;
    assert_eq!(status, StatusCode::OK);
    let (_, listed) = h.get("/v1/keys", &admin).await;
    let text = listed.to_string();
    assert!(!text.contains(key.split('_').nth(2).expect("secret")), "secrets are never listed");
    let (status, bad) = h.json(Method::POST, "/v1/keys", &admin, json!({"role": "owner"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    let id = made["id"].as_str().expect("id");
    let (status, _) = h.json(Method::DELETE, &format!("/v1/keys/{id}"), &admin, json!({})).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = h.get("/v1/review", key).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "revocation takes effect at once");
}

async fn each_key_is_rate_limited(backend: Backend) {
    let options = invex_api::ServiceOptions { rate_limit_per_minute: 3, ..Default::default() };
    let h = Harness::with_options(backend, options).await;
    let (_, admin) = h.tenant("Limited").await;
    let mut statuses = Vec::new();
    for _ in 0..5 {
        let (status, _, _) =
            h.call(Method::GET, "/v1/invoices", Some(&admin), Body::empty(), None).await;
        statuses.push(status.as_u16());
    }
    assert_eq!(statuses, vec![200, 200, 200, 429, 429]);
}

/// Any JSON body on the admin routes (keys, webhook, retention) is a 2xx or
/// a clear 4xx with `{error, error_type}`, never a 500 (proptest's
/// generator, driven by hand because the harness is async).
async fn admin_bodies_take_any_json(backend: Backend) {
    use proptest::prelude::*;
    use serde_json::Value;
    let h = Harness::start(backend).await;
    let (_, admin) = h.tenant("Admin bodies").await;
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        "[ -~]{0,30}".prop_map(Value::from),
        "(admin|reviewer|uploader|ADMIN|https://example.org/h|http://[::1]:1/x|ftp://x|javascript:1)"
            .prop_map(Value::from),
    ];
    let key = proptest::sample::select(vec!["role", "name", "url", "secret", "days", "x"]);
    let body = prop_oneof![
        proptest::collection::btree_map(key, leaf.clone(), 0..4)
            .prop_map(|m| Value::Object(m.into_iter().map(|(k, v)| (k.to_string(), v)).collect())),
        leaf,
    ];
    let routes = [
        (Method::POST, "/v1/keys"),
        (Method::PUT, "/v1/webhook"),
        (Method::PUT, "/v1/tenant/retention"),
    ];
    for (i, body) in drawn(body, 240).into_iter().enumerate() {
        let (method, uri) = routes[i % routes.len()].clone();
        let (status, answer) = h.json(method.clone(), uri, &admin, body.clone()).await;
        assert!(
            status.is_success() || status.is_client_error(),
            "{method} {uri} {body}: {status} {answer}"
        );
        if status.is_client_error() {
            assert!(answer["error_type"].is_string(), "{method} {uri} {body}: {answer}");
        }
    }
    let (status, _) =
        h.json(Method::PUT, "/v1/tenant/retention", &admin, json!({"days": 4294967295u64})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "a retention of 11 million years");
}

crate::both_backends!(
    admin_bodies_take_any_json,
    auth_is_checked_on_every_route,
    another_tenants_invoice_is_not_found_on_every_route,
    keys_are_made_listed_and_revoked_through_the_api,
    each_key_is_rate_limited,
);
