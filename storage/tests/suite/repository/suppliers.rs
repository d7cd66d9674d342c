//! The supplier memory's store: suppliers found by their strongest key,
//! keys that stay with their first supplier, tenant isolation, the stored
//! words, and memory erased with any invoice it learned from.

use invex_domain::FieldName;
use invex_domain::memory::{Direction, FieldMemory, KeyKind, Placement, SupplierKey};
use invex_domain::service::*;
use invex_storage::SqlRepository;

use super::{backends, id, processed, processed_invoice, summary, t, tenant};

backends!(
    suppliers_are_found_by_their_strongest_key,
    memory_is_per_tenant_and_erased_with_its_invoices,
);

fn key(kind: KeyKind, value: &str) -> SupplierKey {
    SupplierKey { kind, value: value.into() }
}

fn memory(label: &str) -> Vec<FieldMemory> {
    vec![FieldMemory {
        field: FieldName::InvoiceNumber,
        placements: vec![Placement {
            label: vec![label.into()],
            direction: Direction::Right,
            offset: [120.0, 0.0],
            pattern: "A-9".into(),
            words: 1,
            page: 1,
            zone: [0.3, 0.1, 0.4, 0.12],
            value: None,
            hits: 2,
            misses: 0,
            overrides: true,
        }],
    }]
}

fn supplier(tenant: &Tenant, n: u32, keys: Vec<SupplierKey>, label: &str) -> SupplierRecord {
    SupplierRecord {
        id: id(n),
        tenant_id: tenant.id.clone(),
        name: Some(format!("Supplier {n}")),
        keys,
        memory: memory(label),
        version: 0,
        created_at: t(0),
        updated_at: t(i64::from(n)),
    }
}

async fn suppliers_are_found_by_their_strongest_key(repo: SqlRepository) {
    let acme = tenant(&repo, "acme").await;
    let vat = key(KeyKind::Vat, "SE556677889901");
    let bg = key(KeyKind::Bankgiro, "50501055");
    let name = key(KeyKind::Name, "acmetoolsab");
    let first = supplier(&acme, 1, vec![vat.clone(), name.clone()], "ref");
    repo.save_supplier(&first, None).await.unwrap();
    // A second supplier claiming the same name keeps its Bankgiro; the name
    // stays with the first.
    let second = supplier(&acme, 2, vec![bg.clone(), name.clone()], "nr");
    repo.save_supplier(&second, None).await.unwrap();
    // keys asked, strongest first → the supplier found
    let table: [(Vec<SupplierKey>, Option<String>); 5] = [
        (vec![vat.clone()], Some(id(1))),
        (vec![bg.clone()], Some(id(2))),
        (vec![name.clone()], Some(id(1))),
        (vec![key(KeyKind::Vat, "SE000000000001"), bg.clone(), name.clone()], Some(id(2))),
        (vec![key(KeyKind::Iban, "SE4550000000058398257466")], None),
    ];
    for (keys, expected) in table {
        let found = repo.find_supplier(&acme.id, &keys).await.unwrap().map(|s| s.id);
        assert_eq!(found, expected, "{keys:?}");
    }
    let stored = repo.supplier(&acme.id, &id(1)).await.unwrap().unwrap();
    assert_eq!(stored, SupplierRecord { version: 1, ..first.clone() }, "memory round-trips");
    // Saving what was read replaces the memory; a save from a stale read,
    // or a second new supplier with only taken keys, is a conflict.
    let updated = SupplierRecord { memory: memory("faktura"), updated_at: t(9), ..stored.clone() };
    repo.save_supplier(&updated, None).await.unwrap();
    assert_eq!(
        repo.supplier(&acme.id, &id(1)).await.unwrap().unwrap(),
        SupplierRecord { version: 2, ..updated.clone() }
    );
    let stale = SupplierRecord { memory: memory("stale"), ..stored.clone() };
    let copycat = supplier(&acme, 3, vec![vat.clone(), name.clone()], "x");
    for refused in [stale, copycat] {
        let outcome = repo.save_supplier(&refused, Some(&id(99))).await;
        assert!(matches!(outcome, Err(StoreError::Conflict(_))), "{refused:?}: {outcome:?}");
    }
    assert_eq!(repo.supplier(&acme.id, &id(1)).await.unwrap().unwrap().version, 2, "unchanged");
    assert_eq!(repo.supplier(&acme.id, &id(3)).await.unwrap(), None, "nothing written");
    let listed: Vec<String> =
        repo.suppliers(&acme.id, 10).await.unwrap().into_iter().map(|s| s.id).collect();
    assert_eq!(listed, vec![id(1), id(2)], "most recently taught first");
    assert!(repo.delete_supplier(&acme.id, &id(1)).await.unwrap());
    assert!(!repo.delete_supplier(&acme.id, &id(1)).await.unwrap());
    assert_eq!(repo.find_supplier(&acme.id, &[vat]).await.unwrap(), None, "its keys go too");
}

async fn memory_is_per_tenant_and_erased_with_its_invoices(repo: SqlRepository) {
    let acme = tenant(&repo, "acme").await;
    let other = tenant(&repo, "other").await;
    let vat = key(KeyKind::Vat, "SE556677889901");
    let invoice = processed_invoice(
        &repo,
        &acme,
        &id(10),
        t(0),
        &processed(InvoiceStatus::NeedsReview, summary("Acme", "100", 0.5, 0)),
    )
    .await;
    assert_eq!(
        repo.invoice_words(&acme.id, &invoice).await.unwrap().as_deref(),
        Some(r#"{"pages":[]}"#),
        "the words are stored with the result"
    );
    assert_eq!(repo.invoice_words(&other.id, &invoice).await.unwrap(), None);
    let learned = supplier(&acme, 1, vec![vat.clone()], "ref");
    repo.save_supplier(&learned, Some(&invoice)).await.unwrap();
    // The other tenant neither finds nor reads it, and cannot delete it.
    assert_eq!(repo.find_supplier(&other.id, std::slice::from_ref(&vat)).await.unwrap(), None);
    assert_eq!(repo.supplier(&other.id, &id(1)).await.unwrap(), None);
    assert!(repo.suppliers(&other.id, 10).await.unwrap().is_empty());
    assert!(!repo.delete_supplier(&other.id, &id(1)).await.unwrap());
    // The other tenant's own supplier with the same VAT number is its own.
    let theirs = supplier(&other, 2, vec![vat.clone()], "nr");
    repo.save_supplier(&theirs, None).await.unwrap();
    assert_eq!(
        repo.find_supplier(&other.id, std::slice::from_ref(&vat)).await.unwrap().map(|s| s.id),
        Some(id(2))
    );
    assert_eq!(
        repo.find_supplier(&acme.id, std::slice::from_ref(&vat)).await.unwrap().map(|s| s.id),
        Some(id(1))
    );
    // Erasing the invoice it learned from erases the memory.
    repo.delete_invoice(&acme.id, &invoice).await.unwrap();
    assert_eq!(repo.supplier(&acme.id, &id(1)).await.unwrap(), None);
    assert_eq!(repo.find_supplier(&acme.id, std::slice::from_ref(&vat)).await.unwrap(), None);
    assert!(repo.supplier(&other.id, &id(2)).await.unwrap().is_some(), "not the other tenant's");
}
