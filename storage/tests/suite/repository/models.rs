//! Model versions, the promotion log (promote, roll back) and accuracy per
//! model version from approved invoices.

use invex_domain::FieldName;
use invex_domain::service::*;
use invex_storage::SqlRepository;
use serde_json::json;

use super::{backends, id, processed, processed_invoice, summary, t, tenant};

backends!(promotions_stack_and_rollbacks_pop_them, accuracy_is_counted_per_model_version);

fn version(name: &str, parent: Option<&str>, at: i64) -> ModelVersion {
    ModelVersion {
        id: name.into(),
        parent: parent.map(str::to_string),
        name: format!("invex-layout@{name}"),
        data_hash: Some("ab".repeat(32)),
        metrics: None,
        created_at: t(at),
        created_by: "ops".into(),
    }
}

fn event(action: &str, version: Option<&str>, at: i64) -> ModelEvent {
    ModelEvent {
        action: action.into(),
        version: version.map(str::to_string),
        by: "ops".into(),
        at: t(at),
    }
}

async fn promotions_stack_and_rollbacks_pop_them(repo: SqlRepository) {
    assert_eq!(repo.active_model_version().await.unwrap(), None);
    repo.insert_model_version(&version("m-1", None, 0)).await.unwrap();
    repo.insert_model_version(&version("m-2", Some("m-1"), 10)).await.unwrap();
    assert!(matches!(
        repo.insert_model_version(&version("m-1", None, 20)).await,
        Err(StoreError::Conflict(_))
    ));
    let ids: Vec<String> = repo.model_versions().await.unwrap().into_iter().map(|v| v.id).collect();
    assert_eq!(ids, ["m-2", "m-1"], "newest first");
    assert_eq!(repo.model_version("m-2").await.unwrap(), Some(version("m-2", Some("m-1"), 10)));
    assert_eq!(repo.model_version("nope").await.unwrap(), None);

    let report = json!({"promote": true, "overall": {"current": 0.9, "candidate": 0.95}});
    repo.set_model_metrics("m-2", &report).await.unwrap();
    assert_eq!(repo.model_version("m-2").await.unwrap().unwrap().metrics, Some(report.clone()));
    assert_eq!(repo.set_model_metrics("nope", &report).await, Err(StoreError::NotFound));

    // (event, active after it)
    let steps = [
        (event("promote", Some("m-1"), 30), Some("m-1")),
        (event("promote", Some("m-2"), 40), Some("m-2")),
        (event("rollback", None, 50), Some("m-1")),
        (event("promote", Some("m-2"), 60), Some("m-2")),
        (event("rollback", None, 70), Some("m-1")),
        (event("rollback", None, 80), None),
        (event("rollback", None, 90), None),
    ];
    for (n, (e, active)) in steps.iter().enumerate() {
        repo.append_model_event(e).await.unwrap();
        assert_eq!(
            repo.active_model_version().await.unwrap().as_deref(),
            *active,
            "after step {n}"
        );
    }
    assert_eq!(
        repo.model_events().await.unwrap(),
        steps.iter().map(|(e, _)| e.clone()).collect::<Vec<_>>()
    );
    assert_eq!(
        repo.append_model_event(&event("promote", Some("nope"), 100)).await,
        Err(StoreError::NotFound)
    );
    assert_eq!(repo.active_model_version().await.unwrap(), None);
}

async fn accuracy_is_counted_per_model_version(repo: SqlRepository) {
    let acme = tenant(&repo, "acme").await;
    let other = tenant(&repo, "other").await;
    // (tenant, model version, fields corrected, approved)
    let cases: [(&Tenant, Option<&str>, &[FieldName], bool); 6] = [
        (&acme, Some("m-1"), &[FieldName::TotalAmount, FieldName::TotalAmount], true),
        (&acme, Some("m-1"), &[FieldName::InvoiceNumber, FieldName::BuyerReference], true),
        (&acme, Some("m-1"), &[FieldName::InvoiceDate], false),
        (&acme, Some("m-2"), &[], true),
        (&acme, None, &[FieldName::Currency], true),
        (&other, Some("m-2"), &[FieldName::Currency, FieldName::InvoiceDate], true),
    ];
    for (n, (tenant, model, fields, approved)) in cases.iter().enumerate() {
        let mut result = processed(InvoiceStatus::NeedsReview, summary("Acme", "1.00", 0.5, 1));
        result.model_version = model.map(str::to_string);
        let invoice_id =
            processed_invoice(&repo, tenant, &id(n as u32 + 1), t(n as i64), &result).await;
        let corrections: Vec<Correction> = fields
            .iter()
            .enumerate()
            .map(|(k, field)| Correction {
                id: id(100 + 10 * n as u32 + k as u32),
                invoice_id: invoice_id.clone(),
                field: *field,
                previous: None,
                value: json!("x"),
                corrected_by: "key-r".into(),
                corrected_at: t(100 + k as i64),
            })
            .collect();
        repo.add_corrections(
            &tenant.id,
            &invoice_id,
            &corrections,
            &result.summary,
            InvoiceStatus::NeedsReview,
        )
        .await
        .unwrap();
        if *approved {
            assert!(repo.approve(&tenant.id, &invoice_id, "key-r", t(200)).await.unwrap());
        }
    }
    let row = |model: Option<&str>, invoices: u64, corrected: u64| ModelAccuracy {
        model_version: model.map(str::to_string),
        reviewed_invoices: invoices,
        corrected_fields: corrected,
        accuracy: 1.0 - corrected as f64 / (invoices * 12) as f64,
    };
    let mut acme_rows = repo.model_accuracy(Some(&acme.id)).await.unwrap();
    acme_rows.sort_by(|a, b| a.model_version.cmp(&b.model_version));
    // m-1: two approved invoices, total twice (one field) and the invoice
    // number; the buyer reference is not a booked field; the third is not approved.
    assert_eq!(acme_rows, vec![row(None, 1, 1), row(Some("m-1"), 2, 2), row(Some("m-2"), 1, 0)]);
    let mut all = repo.model_accuracy(None).await.unwrap();
    all.sort_by(|a, b| a.model_version.cmp(&b.model_version));
    assert_eq!(all, vec![row(None, 1, 1), row(Some("m-1"), 2, 2), row(Some("m-2"), 2, 2)]);
}
