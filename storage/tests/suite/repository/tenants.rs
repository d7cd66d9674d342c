//! Tenants, API keys, the audit log, and the health check.

use invex_domain::service::*;
use invex_storage::SqlRepository;
use serde_json::json;

use super::{backends, id, t, tenant};

backends!(
    tenants_and_keys,
    audit_log_appends_and_lists_oldest_first,
    ping_and_backend,
    requests_are_counted_per_key_and_minute_across_connections,
);

/// The rate limit's counter: per key and minute, with the previous
/// minute's count, atomic under concurrent requests.
async fn requests_are_counted_per_key_and_minute_across_connections(repo: SqlRepository) {
    // (key, minute, expected (this minute, previous minute))
    let table = [
        ("k1", 100, (1, 0)),
        ("k1", 100, (2, 0)),
        ("k2", 100, (1, 0)),
        ("k1", 101, (1, 2)),
        ("k1", 101, (2, 2)),
        ("k2", 102, (1, 0)), // k2's minute 101 is empty
        ("k1", 103, (1, 0)), // minutes before 102 are gone
    ];
    for (key, minute, want) in table {
        assert_eq!(repo.count_request(key, minute).await.unwrap(), want, "{key} {minute}");
    }
    // 40 requests at once on a pool of connections: each counted once.
    let counts = count_at_once(&repo, 40).await;
    let mut sorted = counts.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, (1..=40).collect::<Vec<u64>>(), "{counts:?}");
}

async fn count_at_once(repo: &SqlRepository, n: usize) -> Vec<u64> {
    let mut tasks = Vec::new();
    for _ in 0..n {
        let repo = repo.clone();
        tasks.push(tokio::spawn(async move { repo.count_request("busy", 500).await.unwrap().0 }));
    }
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}

async fn tenants_and_keys(repo: SqlRepository) {
    let zeta = tenant(&repo, "zeta").await;
    let acme = Tenant { retention_days: Some(90), ..tenant(&repo, "acme").await };
    repo.set_retention(&acme.id, Some(90)).await.unwrap();
    assert_eq!(repo.tenant(&acme.id).await.unwrap(), Some(acme.clone()));
    assert_eq!(repo.tenant_by_name("zeta").await.unwrap(), Some(zeta.clone()));
    assert_eq!(repo.tenant("nope").await.unwrap(), None);
    assert_eq!(repo.tenant_by_name("nope").await.unwrap(), None);
    assert_eq!(repo.tenants().await.unwrap(), vec![acme.clone(), zeta.clone()], "by name");
    let same_name = Tenant { id: id(1), ..zeta.clone() };
    assert!(matches!(repo.create_tenant(&same_name).await, Err(StoreError::Conflict(_))));
    assert_eq!(repo.set_retention("nope", Some(1)).await, Err(StoreError::NotFound));

    let key = |n: u32, tenant: &Tenant, role: Role| ApiKey {
        id: id(n),
        tenant_id: tenant.id.clone(),
        role,
        name: format!("key {n}"),
        secret_hash: format!("$argon2id$v=19$m=19456,t=2,p=1$salt{n}$hash"),
        created_at: t(i64::from(n)),
        revoked_at: None,
    };
    let admin = key(10, &acme, Role::Admin);
    let uploader = key(11, &acme, Role::Uploader);
    let theirs = key(12, &zeta, Role::Reviewer);
    for k in [&uploader, &admin, &theirs] {
        repo.insert_key(k).await.unwrap();
    }
    assert!(matches!(repo.insert_key(&admin).await, Err(StoreError::Conflict(_))));
    let orphan = ApiKey { id: id(13), tenant_id: "no-such-tenant".into(), ..admin.clone() };
    assert!(matches!(repo.insert_key(&orphan).await, Err(StoreError::Conflict(_))));
    assert_eq!(repo.key(&admin.id).await.unwrap(), Some(admin.clone()));
    assert_eq!(repo.key(&id(99)).await.unwrap(), None);
    assert_eq!(repo.keys(&acme.id).await.unwrap(), vec![admin.clone(), uploader.clone()]);

    assert!(!repo.revoke_key(&zeta.id, &admin.id, t(100)).await.unwrap(), "not zeta's key");
    assert!(repo.revoke_key(&acme.id, &admin.id, t(100)).await.unwrap());
    assert!(!repo.revoke_key(&acme.id, &admin.id, t(200)).await.unwrap(), "already revoked");
    let revoked = repo.key(&admin.id).await.unwrap().unwrap();
    assert_eq!(revoked.revoked_at, Some(t(100)));
    assert_eq!(repo.key(&theirs.id).await.unwrap().unwrap().revoked_at, None);
}

async fn audit_log_appends_and_lists_oldest_first(repo: SqlRepository) {
    let acme = tenant(&repo, "acme").await;
    let other = tenant(&repo, "other").await;
    let entry = |n: u32, tenant: &Tenant, at: i64, action: &str| AuditEntry {
        id: id(n),
        tenant_id: tenant.id.clone(),
        actor: if n.is_multiple_of(2) { "system".into() } else { id(100) },
        action: action.into(),
        invoice_id: (n != 3).then(|| id(200 + n)),
        detail: json!({ "n": n, "fields": ["total_amount"] }),
        at: t(at),
    };
    let entries = [
        entry(1, &acme, 20, "upload"),
        entry(2, &acme, 10, "read"),
        entry(3, &other, 15, "key_create"),
        entry(4, &acme, 20, "correct"),
        entry(5, &acme, 30, "delete"),
    ];
    for e in &entries {
        repo.append_audit(e).await.unwrap();
    }
    assert!(matches!(repo.append_audit(&entries[0]).await, Err(StoreError::Conflict(_))));
    let ours = repo.audit_entries(&acme.id, 100).await.unwrap();
    // Oldest first; entries of the same instant in the order appended.
    let expected = vec![&entries[1], &entries[0], &entries[3], &entries[4]];
    assert_eq!(ours.iter().collect::<Vec<_>>(), expected);
    assert_eq!(repo.audit_entries(&acme.id, 2).await.unwrap().len(), 2);
    assert_eq!(repo.audit_entries(&other.id, 100).await.unwrap(), vec![entries[2].clone()]);
}

async fn ping_and_backend(repo: SqlRepository) {
    repo.ping().await.unwrap();
    assert!(["sqlite", "postgres"].contains(&repo.backend()));
    assert_eq!(repo.backend(), repo.backend_name());
    // Clones share the pool and see the same data.
    let clone = repo.clone();
    let acme = tenant(&repo, "acme").await;
    assert_eq!(clone.tenant(&acme.id).await.unwrap(), Some(acme));
}
