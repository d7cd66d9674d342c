//! Webhooks: deliveries are queued on completion only for tenants with a
//! webhook, claimed under a lease, retried, logged, and abandoned when the
//! webhook is removed.

use chrono::Duration;
use invex_domain::service::*;
use invex_storage::SqlRepository;

use super::{backends, id, processed, summary, t, tenant};

backends!(
    webhook_settings,
    deliveries_are_queued_claimed_retried_and_logged,
    deliveries_without_a_webhook_are_abandoned
);

const LEASE: Duration = Duration::seconds(30);

fn hook(tenant: &Tenant, url: &str) -> Webhook {
    Webhook { tenant_id: tenant.id.clone(), url: url.into(), secret: format!("secret-{url}") }
}

async fn webhook_settings(repo: SqlRepository) {
    let acme = tenant(&repo, "acme").await;
    assert_eq!(repo.webhook(&acme.id).await.unwrap(), None);
    repo.set_webhook(&hook(&acme, "https://a.example/hook")).await.unwrap();
    repo.set_webhook(&hook(&acme, "https://b.example/hook")).await.unwrap();
    assert_eq!(repo.webhook(&acme.id).await.unwrap(), Some(hook(&acme, "https://b.example/hook")));
    assert!(repo.delete_webhook(&acme.id).await.unwrap());
    assert!(!repo.delete_webhook(&acme.id).await.unwrap());
    assert_eq!(repo.webhook(&acme.id).await.unwrap(), None);
}

async fn deliveries_are_queued_claimed_retried_and_logged(repo: SqlRepository) {
    let with_hook = tenant(&repo, "with-hook").await;
    let without = tenant(&repo, "without").await;
    repo.set_webhook(&hook(&with_hook, "https://a.example/hook")).await.unwrap();
    let result = processed(InvoiceStatus::Done, summary("Acme", "1.00", 0.99, 0));

    // Completion queues a delivery only where a webhook is set.
    upload_and_complete(&repo, &without, 1, 0, &result, "{}").await;
    assert!(repo.deliveries(&without.id, 10).await.unwrap().is_empty());
    assert_eq!(repo.claim_delivery(LEASE, t(100)).await.unwrap(), None);

    let invoice_id = upload_and_complete(&repo, &with_hook, 2, 10, &result, r#"{"id":"2"}"#).await;
    let log = repo.deliveries(&with_hook.id, 10).await.unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(
        (log[0].event.as_str(), log[0].state.as_str(), log[0].attempts),
        ("invoice.processed", "pending", 0)
    );
    assert_eq!(log[0].created_at, t(10));
    assert!(!invoice_id.is_empty());

    let delivery = repo.claim_delivery(LEASE, t(10)).await.unwrap().expect("due");
    assert_eq!(delivery.id, log[0].id);
    assert_eq!(delivery.tenant_id, with_hook.id);
    assert_eq!(delivery.event, "invoice.processed");
    assert_eq!(delivery.payload, r#"{"id":"2"}"#);
    assert_eq!(delivery.attempts, 1);
    assert_eq!(delivery.webhook, hook(&with_hook, "https://a.example/hook"));
    assert_eq!(repo.claim_delivery(LEASE, t(20)).await.unwrap(), None, "leased");

    let failed = DeliveryAttempt {
        status_code: Some(503),
        error: Some("service unavailable".into()),
        delivered: false,
        retry_at: Some(t(70)),
    };
    repo.record_attempt(&delivery, &failed, t(11)).await.unwrap();
    let log = repo.deliveries(&with_hook.id, 10).await.unwrap();
    assert_eq!(
        (log[0].state.as_str(), log[0].attempts, log[0].last_status_code),
        ("pending", 1, Some(503))
    );
    assert_eq!(log[0].last_error.as_deref(), Some("service unavailable"));
    assert_eq!(log[0].updated_at, t(11));
    assert_eq!(repo.claim_delivery(LEASE, t(69)).await.unwrap(), None, "not due before retry_at");

    // A sender that dies leaves its lease to run out; another takes over.
    let second = repo.claim_delivery(LEASE, t(70)).await.unwrap().expect("due again");
    assert_eq!((second.id.as_str(), second.attempts), (delivery.id.as_str(), 2));
    assert_eq!(repo.claim_delivery(LEASE, t(99)).await.unwrap(), None);
    let third = repo.claim_delivery(LEASE, t(101)).await.unwrap().expect("lease ran out");
    assert_eq!(third.attempts, 2, "an attempt is counted when it is recorded");

    let ok =
        DeliveryAttempt { status_code: Some(204), error: None, delivered: true, retry_at: None };
    repo.record_attempt(&third, &ok, t(102)).await.unwrap();
    let log = repo.deliveries(&with_hook.id, 10).await.unwrap();
    assert_eq!(
        (log[0].state.as_str(), log[0].attempts, log[0].last_status_code),
        ("delivered", 2, Some(204))
    );
    assert_eq!(log[0].last_error, None);
    assert_eq!(repo.claim_delivery(LEASE, t(10_000)).await.unwrap(), None, "delivered is final");

    // Giving up, and the log newest first.
    upload_and_complete(&repo, &with_hook, 3, 200, &result, "{}").await;
    let doomed = repo.claim_delivery(LEASE, t(200)).await.unwrap().unwrap();
    let give_up = DeliveryAttempt {
        status_code: None,
        error: Some("connection refused".into()),
        delivered: false,
        retry_at: None,
    };
    repo.record_attempt(&doomed, &give_up, t(201)).await.unwrap();
    assert_eq!(repo.claim_delivery(LEASE, t(10_000)).await.unwrap(), None, "failed is final");
    let log = repo.deliveries(&with_hook.id, 10).await.unwrap();
    let states: Vec<&str> = log.iter().map(|d| d.state.as_str()).collect();
    assert_eq!(states, ["failed", "delivered"]);
    assert_eq!(repo.deliveries(&with_hook.id, 1).await.unwrap().len(), 1);
    assert!(repo.deliveries(&without.id, 10).await.unwrap().is_empty());
}

async fn deliveries_without_a_webhook_are_abandoned(repo: SqlRepository) {
    let acme = tenant(&repo, "acme").await;
    let other = tenant(&repo, "other").await;
    repo.set_webhook(&hook(&acme, "https://a.example/hook")).await.unwrap();
    repo.set_webhook(&hook(&other, "https://o.example/hook")).await.unwrap();
    let result = processed(InvoiceStatus::Done, summary("Acme", "1.00", 0.99, 0));
    upload_and_complete(&repo, &acme, 1, 0, &result, "{}").await;
    upload_and_complete(&repo, &other, 2, 1, &result, "{}").await;
    assert!(repo.delete_webhook(&acme.id).await.unwrap());

    // acme's delivery (the older) is skipped, and other's handed out.
    let delivery = repo.claim_delivery(LEASE, t(5)).await.unwrap().expect("other's delivery");
    assert_eq!(delivery.tenant_id, other.id);
    let log = repo.deliveries(&acme.id, 10).await.unwrap();
    assert_eq!((log[0].state.as_str(), log[0].attempts), ("abandoned", 0));
    let ok =
        DeliveryAttempt { status_code: Some(200), error: None, delivered: true, retry_at: None };
    repo.record_attempt(&delivery, &ok, t(6)).await.unwrap();
    assert_eq!(repo.claim_delivery(LEASE, t(10_000)).await.unwrap(), None, "abandoned is final");
}

async fn upload_and_complete(
    repo: &SqlRepository,
    tenant: &Tenant,
    n: u32,
    at: i64,
    result: &ProcessedResult,
    payload: &str,
) -> String {
    super::upload(repo, tenant, &id(n), t(at)).await;
    let job = repo.claim_job("w", LEASE, t(at)).await.unwrap().unwrap();
    assert!(repo.complete_job(&job, result, "invoice.processed", payload, t(at)).await.unwrap());
    job.invoice_id
}
