//! Invoices: idempotent uploads, tenant isolation, corrections, approval,
//! erasure, retention and status counts. The list filters and the review
//! queue are in `listing.rs`.

use chrono::Duration;
use invex_domain::FieldName;
use invex_domain::service::*;
use invex_storage::SqlRepository;
use serde_json::json;

use super::{backends, id, new_upload, processed, processed_invoice, summary, t, tenant, upload};

backends!(
    uploads_are_idempotent_per_tenant,
    tenants_cannot_see_each_others_invoices,
    corrections_are_kept_in_order_and_approval_marks_done,
    line_corrections_are_kept_in_order_per_tenant,
    delete_returns_the_blob_key_only_when_unreferenced,
    retention_expires_old_invoices_of_tenants_that_set_it,
    status_counts_cover_every_status,
);

async fn uploads_are_idempotent_per_tenant(repo: SqlRepository) {
    let acme = tenant(&repo, "acme").await;
    let other = tenant(&repo, "other").await;
    let first = new_upload(&acme, &id(1), "abc");
    let outcome = repo.insert_upload(&first, t(0)).await.unwrap();
    assert_eq!(outcome, UploadOutcome { invoice_id: id(1), duplicate: false });

    let again = NewUpload { id: id(2), file_name: "renamed.pdf".into(), ..first.clone() };
    let outcome = repo.insert_upload(&again, t(5)).await.unwrap();
    assert_eq!(outcome, UploadOutcome { invoice_id: id(1), duplicate: true });
    assert_eq!(repo.invoice(&acme.id, &id(2)).await.unwrap(), None, "nothing written");
    assert_eq!(repo.queue_depth().await.unwrap().queued, 1, "one job");

    let theirs = NewUpload { id: id(3), ..new_upload(&other, &id(3), "abc") };
    let outcome = repo.insert_upload(&theirs, t(6)).await.unwrap();
    assert_eq!(outcome, UploadOutcome { invoice_id: id(3), duplicate: false });
    assert_eq!(repo.queue_depth().await.unwrap().queued, 2);

    let stored = repo.invoice(&acme.id, &id(1)).await.unwrap().unwrap();
    let expected = InvoiceRecord {
        id: id(1),
        tenant_id: acme.id.clone(),
        sha256: "abc".into(),
        file_name: "abc.pdf".into(),
        content_type: "application/pdf".into(),
        size_bytes: 1234,
        blob_key: "blobs/abc".into(),
        status: InvoiceStatus::Queued,
        uploaded_by: "key-1".into(),
        created_at: t(0),
        updated_at: t(0),
        result: None,
        extractor: None,
        error: None,
        error_type: None,
        summary: InvoiceSummary::default(),
        model_version: None,
        approved_by: None,
        approved_at: None,
    };
    assert_eq!(stored, expected);

    // A new id that is already taken is a conflict, not a duplicate.
    let clash = new_upload(&acme, &id(3), "def");
    assert!(matches!(repo.insert_upload(&clash, t(7)).await, Err(StoreError::Conflict(_))));
}

async fn tenants_cannot_see_each_others_invoices(repo: SqlRepository) {
    let a = tenant(&repo, "a").await;
    let b = tenant(&repo, "b").await;
    let result = processed(InvoiceStatus::NeedsReview, summary("Acme", "10.00", 0.5, 1));
    let invoice_id = processed_invoice(&repo, &a, &id(1), t(0), &result).await;

    assert_eq!(repo.invoice(&b.id, &invoice_id).await.unwrap(), None);
    let all = InvoiceFilter { limit: 100, ..InvoiceFilter::default() };
    assert!(repo.invoices(&b.id, &all).await.unwrap().is_empty());
    assert!(repo.review_queue(&b.id, 100).await.unwrap().is_empty());
    let correction = Correction {
        id: id(50),
        invoice_id: invoice_id.clone(),
        field: FieldName::TotalAmount,
        previous: Some(json!("10.00")),
        value: json!("12.00"),
        corrected_by: "key-b".into(),
        corrected_at: t(1),
    };
    let corrected = repo
        .add_corrections(&b.id, &invoice_id, &[correction], &result.summary, InvoiceStatus::Done)
        .await;
    assert_eq!(corrected, Err(StoreError::NotFound));
    assert!(repo.corrections(&b.id, &invoice_id).await.unwrap().is_empty());
    assert!(!repo.approve(&b.id, &invoice_id, "key-b", t(2)).await.unwrap());
    assert_eq!(repo.delete_invoice(&b.id, &invoice_id).await, Err(StoreError::NotFound));

    // A's invoice is untouched, and A still sees it.
    let stored = repo.invoice(&a.id, &invoice_id).await.unwrap().unwrap();
    assert_eq!(stored.status, InvoiceStatus::NeedsReview);
    assert_eq!(stored.approved_by, None);
    assert!(repo.corrections(&a.id, &invoice_id).await.unwrap().is_empty());
    assert_eq!(repo.invoices(&a.id, &all).await.unwrap().len(), 1);
}

async fn corrections_are_kept_in_order_and_approval_marks_done(repo: SqlRepository) {
    let acme = tenant(&repo, "acme").await;
    let result = processed(InvoiceStatus::NeedsReview, summary("Acme", "10.00", 0.5, 1));
    let invoice_id = processed_invoice(&repo, &acme, &id(1), t(0), &result).await;
    let correction =
        |n: u32, field: FieldName, previous: Option<serde_json::Value>, value| Correction {
            id: id(100 + n),
            invoice_id: invoice_id.clone(),
            field,
            previous,
            value,
            corrected_by: "key-r".into(),
            corrected_at: t(60),
        };
    // Same timestamp: the order given is the order kept (later ones win).
    let batch = vec![
        correction(3, FieldName::TotalAmount, Some(json!("10.00")), json!("12.50")),
        correction(1, FieldName::TotalAmount, Some(json!("12.50")), json!("12.00")),
        correction(2, FieldName::Bankgiro, None, json!("50501055")),
        correction(4, FieldName::DueDate, Some(json!("2026-02-01")), serde_json::Value::Null),
    ];
    let corrected = InvoiceSummary {
        failed_checks: 0,
        min_confidence: Some(1.0),
        ..summary("Acme", "12.00", 1.0, 0)
    };
    repo.add_corrections(&acme.id, &invoice_id, &batch, &corrected, InvoiceStatus::Done)
        .await
        .unwrap();
    assert_eq!(repo.corrections(&acme.id, &invoice_id).await.unwrap(), batch);
    let stored = repo.invoice(&acme.id, &invoice_id).await.unwrap().unwrap();
    assert_eq!(stored.summary, corrected);
    assert_eq!(stored.status, InvoiceStatus::Done);
    assert_eq!(stored.result, Some(result.result.clone()), "the extraction stays as it was");
    assert_eq!(stored.updated_at, t(60));

    let later = vec![Correction {
        corrected_at: t(90),
        ..correction(5, FieldName::Iban, None, json!("SE45"))
    }];
    repo.add_corrections(&acme.id, &invoice_id, &later, &corrected, InvoiceStatus::NeedsReview)
        .await
        .unwrap();
    let all = repo.corrections(&acme.id, &invoice_id).await.unwrap();
    assert_eq!(all.len(), 5);
    assert_eq!(all[4], later[0]);
    assert_eq!(
        repo.add_corrections(&acme.id, &id(999), &[], &corrected, InvoiceStatus::Done).await,
        Err(StoreError::NotFound)
    );

    // Approval: from needs_review (or done) only.
    assert!(repo.approve(&acme.id, &invoice_id, "key-r", t(120)).await.unwrap());
    let stored = repo.invoice(&acme.id, &invoice_id).await.unwrap().unwrap();
    assert_eq!(stored.status, InvoiceStatus::Done);
    assert_eq!(stored.approved_by.as_deref(), Some("key-r"));
    assert_eq!(stored.approved_at, Some(t(120)));
    assert!(
        repo.approve(&acme.id, &invoice_id, "key-s", t(130)).await.unwrap(),
        "done is approvable"
    );
    let queued = upload(&repo, &acme, &id(2), t(200)).await;
    assert!(!repo.approve(&acme.id, &queued, "key-r", t(201)).await.unwrap());
    assert!(!repo.approve(&acme.id, &id(999), "key-r", t(201)).await.unwrap());
}

/// A reviewer's line items with these descriptions (amount 100 each).
fn line_correction(
    id: String,
    invoice_id: String,
    descriptions: &[&str],
    at: chrono::DateTime<chrono::Utc>,
) -> LineCorrection {
    let line = |d: &&str| invex_domain::LineItem {
        description: Some(d.to_string()),
        quantity: Some(rust_decimal::Decimal::new(15, 1)),
        unit_price: Some(rust_decimal::Decimal::new(6667, 2)),
        amount: Some(rust_decimal::Decimal::new(10000, 2)),
        vat_rate: Some(rust_decimal::Decimal::from(25)),
        kind: invex_domain::LineKind::Allowance,
        unit: Some("h".into()),
        confidence: 1.0,
        source: Some(invex_domain::Source::Human),
        ..Default::default()
    };
    LineCorrection {
        id,
        invoice_id,
        lines: descriptions.iter().map(line).collect(),
        previous: vec![line(&"extracted")],
        corrected_by: "key-r".into(),
        corrected_at: at,
    }
}

async fn line_corrections_are_kept_in_order_per_tenant(repo: SqlRepository) {
    let acme = tenant(&repo, "acme").await;
    let other = tenant(&repo, "other").await;
    let result = processed(InvoiceStatus::NeedsReview, summary("Acme", "10.00", 0.5, 1));
    let invoice_id = processed_invoice(&repo, &acme, &id(1), t(0), &result).await;
    let first = line_correction(id(10), invoice_id.clone(), &["Konsult", "Resa"], t(60));
    let second = line_correction(id(11), invoice_id.clone(), &[], t(60));
    let corrected = InvoiceSummary { failed_checks: 0, ..summary("Acme", "10.00", 1.0, 0) };
    repo.add_line_correction(&acme.id, &first, &corrected, InvoiceStatus::Done).await.unwrap();
    repo.add_line_correction(&acme.id, &second, &corrected, InvoiceStatus::NeedsReview)
        .await
        .unwrap();
    // Every value round-trips, and the same timestamp keeps the order given.
    assert_eq!(repo.line_corrections(&acme.id, &invoice_id).await.unwrap(), vec![first, second]);
    let stored = repo.invoice(&acme.id, &invoice_id).await.unwrap().unwrap();
    assert_eq!((stored.status, stored.summary), (InvoiceStatus::NeedsReview, corrected.clone()));
    assert_eq!(stored.result, Some(result.result.clone()), "the extraction stays as it was");
    assert_eq!(stored.updated_at, t(60));
    // Another tenant neither sees them nor can add to the invoice.
    assert!(repo.line_corrections(&other.id, &invoice_id).await.unwrap().is_empty());
    let theirs = line_correction(id(12), invoice_id.clone(), &["x"], t(70));
    assert_eq!(
        repo.add_line_correction(&other.id, &theirs, &corrected, InvoiceStatus::Done).await,
        Err(StoreError::NotFound)
    );
    assert_eq!(repo.line_corrections(&acme.id, &invoice_id).await.unwrap().len(), 2);
}

async fn delete_returns_the_blob_key_only_when_unreferenced(repo: SqlRepository) {
    let a = tenant(&repo, "a").await;
    let b = tenant(&repo, "b").await;
    repo.set_webhook(&Webhook {
        tenant_id: a.id.clone(),
        url: "http://hook".into(),
        secret: "s".into(),
    })
    .await
    .unwrap();
    // The same bytes from two tenants share one content-addressed blob.
    let mut ours = new_upload(&a, &id(1), "same");
    let mut theirs = new_upload(&b, &id(2), "same");
    ours.blob_key = "sha256/same".into();
    theirs.blob_key = "sha256/same".into();
    repo.insert_upload(&ours, t(0)).await.unwrap();
    repo.insert_upload(&theirs, t(1)).await.unwrap();
    let job = repo.claim_job("w", Duration::minutes(1), t(1)).await.unwrap().unwrap();
    assert_eq!(job.invoice_id, id(1), "the oldest job first");
    let result = processed(InvoiceStatus::NeedsReview, summary("Acme", "1.00", 0.5, 1));
    assert!(repo.complete_job(&job, &result, "invoice.processed", "{}", t(1)).await.unwrap());
    assert_eq!(repo.deliveries(&a.id, 10).await.unwrap().len(), 1);
    let correction = Correction {
        id: id(10),
        invoice_id: id(1),
        field: FieldName::SupplierName,
        previous: None,
        value: json!("Acme AB"),
        corrected_by: "k".into(),
        corrected_at: t(2),
    };
    repo.add_corrections(&a.id, &id(1), &[correction], &result.summary, InvoiceStatus::Done)
        .await
        .unwrap();
    let lines = line_correction(id(11), id(1), &["Konsult"], t(2));
    repo.add_line_correction(&a.id, &lines, &result.summary, InvoiceStatus::Done).await.unwrap();
    let audit = AuditEntry {
        id: id(20),
        tenant_id: a.id.clone(),
        actor: "k".into(),
        action: "upload".into(),
        invoice_id: Some(id(1)),
        detail: json!({}),
        at: t(0),
    };
    repo.append_audit(&audit).await.unwrap();

    assert_eq!(repo.delete_invoice(&a.id, &id(1)).await, Ok(None), "b still uses the blob");
    assert_eq!(repo.invoice(&a.id, &id(1)).await.unwrap(), None);
    assert!(repo.corrections(&a.id, &id(1)).await.unwrap().is_empty());
    assert!(repo.line_corrections(&a.id, &id(1)).await.unwrap().is_empty(), "its lines are erased");
    assert!(repo.deliveries(&a.id, 10).await.unwrap().is_empty(), "its deliveries are erased");
    assert_eq!(repo.delete_invoice(&b.id, &id(2)).await, Ok(Some("sha256/same".into())));
    assert_eq!(repo.delete_invoice(&b.id, &id(2)).await, Err(StoreError::NotFound));
    assert_eq!(repo.queue_depth().await.unwrap(), QueueDepth::default(), "jobs are erased");
    assert_eq!(repo.audit_entries(&a.id, 10).await.unwrap(), vec![audit], "the audit log stays");
    // The same file may be uploaded again after erasure.
    assert!(!repo.insert_upload(&ours, t(5)).await.unwrap().duplicate);
}

async fn retention_expires_old_invoices_of_tenants_that_set_it(repo: SqlRepository) {
    let keeps = tenant(&repo, "keeps-forever").await;
    let short = tenant(&repo, "short").await;
    repo.set_retention(&short.id, Some(30)).await.unwrap();
    let day = 86_400;
    upload(&repo, &keeps, &id(1), t(0)).await;
    upload(&repo, &short, &id(2), t(0)).await;
    upload(&repo, &short, &id(3), t(5 * day)).await;
    upload(&repo, &short, &id(4), t(40 * day)).await;

    let now = t(36 * day);
    let expired = repo.expired_invoices(now, 100).await.unwrap();
    assert_eq!(expired, vec![(short.id.clone(), id(2)), (short.id.clone(), id(3))]);
    assert_eq!(repo.expired_invoices(now, 1).await.unwrap(), vec![(short.id.clone(), id(2))]);
    assert_eq!(
        repo.expired_invoices(t(30 * day), 100).await.unwrap(),
        vec![],
        "exactly 30 days is kept"
    );

    repo.set_retention(&short.id, None).await.unwrap();
    assert_eq!(repo.expired_invoices(now, 100).await.unwrap(), vec![]);
}

async fn status_counts_cover_every_status(repo: SqlRepository) {
    let acme = tenant(&repo, "acme").await;
    let result = processed(InvoiceStatus::Done, summary("Acme", "1.00", 0.99, 0));
    processed_invoice(&repo, &acme, &id(1), t(0), &result).await;
    processed_invoice(&repo, &acme, &id(2), t(1), &result).await;
    upload(&repo, &acme, &id(3), t(2)).await;
    let counts = repo.status_counts().await.unwrap();
    assert_eq!(
        counts,
        vec![
            (InvoiceStatus::Queued, 1),
            (InvoiceStatus::Processing, 0),
            (InvoiceStatus::Done, 2),
            (InvoiceStatus::NeedsReview, 0),
            (InvoiceStatus::Failed, 0),
        ]
    );
}
