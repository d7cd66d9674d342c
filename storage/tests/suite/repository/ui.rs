//! The review UI's storage: sessions (expiry, sign-out, revoked keys), the
//! tenant's language, one invoice's audit trail and the dashboard's activity.

use invex_domain::FieldName;
use invex_domain::service::*;
use invex_storage::SqlRepository;
use serde_json::json;

use super::{backends, id, processed, processed_invoice, summary, t, tenant, upload};

backends!(
    sessions_end_at_expiry_sign_out_and_key_revocation,
    the_language_is_the_tenants_own,
    an_invoices_audit_trail_is_its_own,
    activity_counts_uploads_results_approvals_and_corrections,
);

fn key(tenant: &Tenant, n: u32) -> ApiKey {
    ApiKey {
        id: format!("key{n:013}"),
        tenant_id: tenant.id.clone(),
        role: Role::Reviewer,
        name: "ui".into(),
        secret_hash: "not-used".into(),
        created_at: t(0),
        revoked_at: None,
    }
}

fn session(tenant: &Tenant, key: &ApiKey, token: &str, expires: i64) -> UiSession {
    UiSession {
        token_hash: token.into(),
        tenant_id: tenant.id.clone(),
        key_id: key.id.clone(),
        role: key.role,
        csrf_token: format!("csrf-{token}"),
        created_at: t(0),
        expires_at: t(expires),
    }
}

async fn sessions_end_at_expiry_sign_out_and_key_revocation(repo: SqlRepository) {
    let acme = tenant(&repo, "acme").await;
    let (k1, k2) = (key(&acme, 1), key(&acme, 2));
    repo.insert_key(&k1).await.unwrap();
    repo.insert_key(&k2).await.unwrap();
    for s in [
        session(&acme, &k1, "a", 100),
        session(&acme, &k1, "b", 100),
        session(&acme, &k2, "c", 100),
    ] {
        repo.create_session(&s).await.unwrap();
    }
    // (token, at, found)
    let table = [("a", 50, true), ("a", 100, false), ("unknown", 50, false), ("c", 99, true)];
    for (token, at, found) in table {
        let got = repo.session(token, t(at)).await.unwrap();
        assert_eq!(got.is_some(), found, "{token} at {at}");
        if let Some(s) = got {
            assert_eq!(s, session(&acme, if token == "c" { &k2 } else { &k1 }, token, 100));
        }
    }
    repo.delete_session("a").await.unwrap();
    repo.delete_session("a").await.unwrap();
    assert!(repo.session("a", t(50)).await.unwrap().is_none(), "signed out");
    assert!(repo.session("b", t(50)).await.unwrap().is_some(), "the key's other session stays");
    assert!(repo.revoke_key(&acme.id, &k1.id, t(60)).await.unwrap());
    assert!(repo.session("b", t(61)).await.unwrap().is_none(), "a revoked key ends its sessions");
    assert!(repo.session("c", t(61)).await.unwrap().is_some());
    assert_eq!(repo.delete_expired_sessions(t(100)).await.unwrap(), 2);
    assert_eq!(repo.delete_expired_sessions(t(100)).await.unwrap(), 0);
}

async fn the_language_is_the_tenants_own(repo: SqlRepository) {
    let (a, b) = (tenant(&repo, "a").await, tenant(&repo, "b").await);
    assert_eq!(repo.tenant_language(&a.id).await.unwrap(), None);
    repo.set_tenant_language(&a.id, "en").await.unwrap();
    repo.set_tenant_language(&a.id, "sv").await.unwrap();
    repo.set_tenant_language(&b.id, "en").await.unwrap();
    assert_eq!(repo.tenant_language(&a.id).await.unwrap().as_deref(), Some("sv"));
    assert_eq!(repo.tenant_language(&b.id).await.unwrap().as_deref(), Some("en"));
}

async fn an_invoices_audit_trail_is_its_own(repo: SqlRepository) {
    let (a, b) = (tenant(&repo, "a").await, tenant(&repo, "b").await);
    let entry = |tenant: &Tenant, n: u32, invoice: Option<&str>, action: &str| AuditEntry {
        id: id(n),
        tenant_id: tenant.id.clone(),
        actor: "k".into(),
        action: action.into(),
        invoice_id: invoice.map(str::to_string),
        detail: json!({"n": n}),
        at: t(i64::from(n)),
    };
    for e in [
        entry(&a, 3, Some("inv1"), "approve"),
        entry(&a, 1, Some("inv1"), "upload"),
        entry(&a, 2, Some("inv2"), "upload"),
        entry(&a, 4, None, "key_create"),
        entry(&b, 5, Some("inv1"), "read"),
    ] {
        repo.append_audit(&e).await.unwrap();
    }
    let trail = repo.invoice_audit(&a.id, "inv1", 10).await.unwrap();
    let actions: Vec<&str> = trail.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["upload", "approve"], "oldest first, this tenant's, this invoice's");
    assert_eq!(repo.invoice_audit(&a.id, "inv1", 1).await.unwrap().len(), 1);
}

async fn activity_counts_uploads_results_approvals_and_corrections(repo: SqlRepository) {
    let (a, b) = (tenant(&repo, "a").await, tenant(&repo, "b").await);
    let done = processed(InvoiceStatus::Done, summary("Acme AB", "100", 0.9, 0));
    let first = processed_invoice(&repo, &a, &id(1), t(10), &done).await;
    let second = processed_invoice(&repo, &a, &id(2), t(20), &done).await;
    processed_invoice(&repo, &b, &id(4), t(40), &done).await;
    let waiting = upload(&repo, &a, &id(3), t(30)).await;
    upload(&repo, &a, &id(5), t(5_000)).await;
    let correction = |field: FieldName, n: u32| Correction {
        id: id(100 + n),
        invoice_id: second.clone(),
        field,
        previous: None,
        value: json!("x"),
        corrected_by: "k".into(),
        corrected_at: t(50),
    };
    let corrections = [correction(FieldName::Bankgiro, 1), correction(FieldName::InvoiceNumber, 2)];
    let s = summary("Acme AB", "100", 1.0, 0);
    repo.add_corrections(&a.id, &second, &corrections, &s, InvoiceStatus::Done).await.unwrap();
    assert!(repo.approve(&a.id, &second, "k", t(60)).await.unwrap());
    let rows = repo.activity(&a.id, t(0), t(1_000)).await.unwrap();
    let ids: Vec<&str> = rows.iter().map(|r| r.invoice_id.as_str()).collect();
    assert_eq!(ids, [first.as_str(), second.as_str(), waiting.as_str()], "this tenant, this range");
    assert_eq!(rows[0].processed_at, Some(t(10)));
    assert_eq!((rows[0].status, rows[0].approved_at), (InvoiceStatus::Done, None));
    assert!(rows[0].corrected_fields.is_empty());
    assert_eq!(rows[1].approved_at, Some(t(60)));
    let mut fixed = rows[1].corrected_fields.clone();
    fixed.sort();
    assert_eq!(fixed, [FieldName::InvoiceNumber, FieldName::Bankgiro]);
    assert_eq!((rows[2].status, rows[2].processed_at), (InvoiceStatus::Queued, None));
    assert_eq!(rows[1].supplier_name.as_deref(), Some("Acme AB"));
    assert_eq!(repo.waiting(&a.id).await.unwrap(), 2);
    assert_eq!(repo.waiting(&b.id).await.unwrap(), 0);
}
