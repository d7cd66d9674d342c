//! The job queue: claims, leases, exactly-once completion, retries,
//! dead-lettering and release.

use std::collections::HashSet;

use chrono::Duration;
use invex_domain::service::*;
use invex_storage::SqlRepository;

use super::{backends, id, processed, summary, t, tenant, upload};

backends!(
    claimed_job_completes_exactly_once,
    expired_lease_is_taken_over_and_the_stale_worker_loses,
    concurrent_claims_hand_out_each_job_once,
    failed_job_is_retried_then_dead_lettered,
    released_job_keeps_its_attempt,
);

const LEASE: Duration = Duration::seconds(30);

async fn claimed_job_completes_exactly_once(repo: SqlRepository) {
    let acme = tenant(&repo, "acme").await;
    let invoice_id = upload(&repo, &acme, &id(1), t(0)).await;
    assert_eq!(
        repo.claim_job("w1", LEASE, t(-1)).await.unwrap(),
        None,
        "not due before its upload"
    );

    let job = repo.claim_job("w1", LEASE, t(5)).await.unwrap().expect("the upload's job");
    assert_eq!(job.invoice_id, invoice_id);
    assert_eq!(job.tenant_id, acme.id);
    assert_eq!(job.blob_key, format!("blobs/sha-{}", id(1)));
    assert_eq!(job.file_name, format!("sha-{}.pdf", id(1)));
    assert_eq!(job.attempts, 1);
    assert_eq!(job.lease_until, t(5) + LEASE);
    let invoice = repo.invoice(&acme.id, &invoice_id).await.unwrap().unwrap();
    assert_eq!(invoice.status, InvoiceStatus::Processing);
    assert_eq!(repo.queue_depth().await.unwrap(), QueueDepth { queued: 0, running: 1, dead: 0 });
    assert_eq!(repo.claim_job("w2", LEASE, t(6)).await.unwrap(), None, "held by w1");

    assert!(repo.extend_lease(&job, t(100)).await.unwrap());
    let result = processed(InvoiceStatus::NeedsReview, summary("Acme AB", "125.50", 0.62, 1));
    assert!(repo.complete_job(&job, &result, "invoice.processed", "{}", t(10)).await.unwrap());
    let invoice = repo.invoice(&acme.id, &invoice_id).await.unwrap().unwrap();
    assert_eq!(invoice.status, InvoiceStatus::NeedsReview);
    assert_eq!(invoice.result, Some(result.result.clone()));
    assert_eq!(invoice.extractor.as_deref(), Some("rules"));
    assert_eq!(invoice.summary, result.summary);
    assert_eq!(invoice.updated_at, t(10));

    // The same lease cannot write a second time, nor extend, fail or release.
    let other = processed(InvoiceStatus::Done, summary("Other", "1", 1.0, 0));
    assert!(!repo.complete_job(&job, &other, "invoice.processed", "{}", t(11)).await.unwrap());
    assert!(!repo.extend_lease(&job, t(200)).await.unwrap());
    assert!(!repo.fail_job(&job, "boom", None, t(11)).await.unwrap());
    assert!(!repo.release_job(&job).await.unwrap());
    let invoice = repo.invoice(&acme.id, &invoice_id).await.unwrap().unwrap();
    assert_eq!(invoice.summary, result.summary);
    assert_eq!(repo.claim_job("w1", LEASE, t(1000)).await.unwrap(), None, "nothing left");
    assert_eq!(repo.queue_depth().await.unwrap(), QueueDepth::default());
}

async fn expired_lease_is_taken_over_and_the_stale_worker_loses(repo: SqlRepository) {
    let acme = tenant(&repo, "acme").await;
    let invoice_id = upload(&repo, &acme, &id(1), t(0)).await;
    let first = repo.claim_job("w1", LEASE, t(0)).await.unwrap().unwrap();
    assert_eq!(repo.claim_job("w2", LEASE, t(29)).await.unwrap(), None, "lease still held");

    // w1 stalls past its lease; w2 takes the job over.
    let second = repo.claim_job("w2", LEASE, t(31)).await.unwrap().expect("expired lease");
    assert_eq!(second.id, first.id);
    assert_eq!(second.attempts, 2);
    assert_ne!(second.lease_token, first.lease_token);

    let stale = processed(InvoiceStatus::Done, summary("From w1", "1.00", 0.9, 0));
    assert!(!repo.extend_lease(&first, t(90)).await.unwrap());
    assert!(!repo.complete_job(&first, &stale, "invoice.processed", "{}", t(32)).await.unwrap());
    let invoice = repo.invoice(&acme.id, &invoice_id).await.unwrap().unwrap();
    assert_eq!(invoice.status, InvoiceStatus::Processing);
    assert_eq!(invoice.result, None);

    let fresh = processed(InvoiceStatus::Done, summary("From w2", "2.00", 0.9, 0));
    assert!(repo.complete_job(&second, &fresh, "invoice.processed", "{}", t(33)).await.unwrap());
    assert!(!repo.complete_job(&first, &stale, "invoice.processed", "{}", t(34)).await.unwrap());
    let invoice = repo.invoice(&acme.id, &invoice_id).await.unwrap().unwrap();
    assert_eq!(invoice.status, InvoiceStatus::Done);
    assert_eq!(invoice.summary.supplier_name.as_deref(), Some("From w2"));
}

async fn concurrent_claims_hand_out_each_job_once(repo: SqlRepository) {
    let acme = tenant(&repo, "acme").await;
    let mut uploaded = HashSet::new();
    for n in 0..20 {
        uploaded.insert(upload(&repo, &acme, &id(n), t(i64::from(n))).await);
    }
    let claimers: Vec<_> = (0..4)
        .map(|w| {
            let repo = repo.clone();
            tokio::spawn(async move {
                let mut claimed = Vec::new();
                let worker = format!("w{w}");
                while let Some(job) = repo.claim_job(&worker, LEASE, t(100)).await.unwrap() {
                    claimed.push(job.invoice_id);
                    tokio::task::yield_now().await;
                }
                claimed
            })
        })
        .collect();
    let mut all = Vec::new();
    for claimer in claimers {
        all.extend(claimer.await.unwrap());
    }
    assert_eq!(all.len(), 20, "every job claimed once: {all:?}");
    assert_eq!(all.into_iter().collect::<HashSet<_>>(), uploaded);
    assert_eq!(repo.queue_depth().await.unwrap(), QueueDepth { queued: 0, running: 20, dead: 0 });
}

async fn failed_job_is_retried_then_dead_lettered(repo: SqlRepository) {
    let acme = tenant(&repo, "acme").await;
    let invoice_id = upload(&repo, &acme, &id(1), t(0)).await;
    let job = repo.claim_job("w1", LEASE, t(0)).await.unwrap().unwrap();
    assert!(repo.fail_job(&job, "pdfium crashed", Some(t(60)), t(1)).await.unwrap());
    assert!(!repo.fail_job(&job, "again", Some(t(60)), t(2)).await.unwrap(), "lease is gone");
    let invoice = repo.invoice(&acme.id, &invoice_id).await.unwrap().unwrap();
    assert_eq!(invoice.status, InvoiceStatus::Queued);
    assert_eq!(repo.queue_depth().await.unwrap(), QueueDepth { queued: 1, running: 0, dead: 0 });
    assert_eq!(repo.claim_job("w1", LEASE, t(59)).await.unwrap(), None, "not due before retry_at");

    let retry = repo.claim_job("w2", LEASE, t(60)).await.unwrap().expect("due again");
    assert_eq!(retry.id, job.id);
    assert_eq!(retry.attempts, 2);
    assert!(repo.fail_job(&retry, "pdfium crashed again", None, t(61)).await.unwrap());
    let invoice = repo.invoice(&acme.id, &invoice_id).await.unwrap().unwrap();
    assert_eq!(invoice.status, InvoiceStatus::Failed);
    assert_eq!(invoice.error.as_deref(), Some("pdfium crashed again"));
    assert_eq!(invoice.error_type.as_deref(), Some("processing_failed"));
    assert_eq!(invoice.updated_at, t(61));
    assert_eq!(repo.queue_depth().await.unwrap(), QueueDepth { queued: 0, running: 0, dead: 1 });
    assert_eq!(repo.claim_job("w1", LEASE, t(10_000)).await.unwrap(), None, "dead jobs stay dead");
}

async fn released_job_keeps_its_attempt(repo: SqlRepository) {
    let acme = tenant(&repo, "acme").await;
    let invoice_id = upload(&repo, &acme, &id(1), t(0)).await;
    let job = repo.claim_job("w1", LEASE, t(0)).await.unwrap().unwrap();
    assert_eq!(job.attempts, 1);
    assert!(repo.release_job(&job).await.unwrap());
    assert!(!repo.release_job(&job).await.unwrap());
    let invoice = repo.invoice(&acme.id, &invoice_id).await.unwrap().unwrap();
    assert_eq!(invoice.status, InvoiceStatus::Queued);
    assert_eq!(repo.queue_depth().await.unwrap(), QueueDepth { queued: 1, running: 0, dead: 0 });

    let again = repo.claim_job("w2", LEASE, t(1)).await.unwrap().expect("released jobs are due");
    assert_eq!((again.id.as_str(), again.attempts), (job.id.as_str(), 1));
    let result = processed(InvoiceStatus::Done, summary("Acme", "1.00", 0.99, 0));
    assert!(!repo.complete_job(&job, &result, "invoice.processed", "{}", t(2)).await.unwrap());
    assert!(repo.complete_job(&again, &result, "invoice.processed", "{}", t(2)).await.unwrap());
}
