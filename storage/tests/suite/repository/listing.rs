//! The invoice list (filters and cursor pagination) and the review queue.

use chrono::NaiveDate;
use invex_domain::service::*;
use invex_storage::SqlRepository;
use rust_decimal::Decimal;

use super::{backends, id, processed, processed_invoice, summary, t, tenant};

backends!(
    list_filters_and_cursor_pagination,
    review_queue_puts_the_most_uncertain_first,
    review_queue_spreads_across_suppliers,
    confidences_alternating_with_null_are_stored,
);

/// Invoice `n` (1-based) of the listing fixture: supplier, date, total,
/// lowest confidence, failed checks, status.
type Spec =
    (Option<&'static str>, Option<&'static str>, Option<&'static str>, f64, u32, InvoiceStatus);

const INVOICES: [Spec; 10] = {
    use InvoiceStatus::{Done, NeedsReview};
    [
        (Some("Åhléns AB"), Some("2026-01-05"), Some("1250.00"), 0.95, 0, Done),
        (Some("Telia Sverige"), Some("2026-01-10"), Some("499.50"), 0.60, 1, NeedsReview),
        (Some("IKEA"), Some("2026-02-01"), Some("12000.00"), 0.99, 0, Done),
        (Some("Vattenfall"), Some("2026-02-15"), Some("980.25"), 0.85, 0, Done),
        (Some("Telia Company"), Some("2026-03-01"), Some("499.49"), 0.70, 2, NeedsReview),
        (Some("Clas Ohlson"), Some("2026-03-02"), Some("75.00"), 0.90, 0, Done),
        (Some("50%_rabatt AB"), Some("2026-03-15"), Some("100.00"), 0.40, 3, NeedsReview),
        (None, None, None, 0.0, 4, NeedsReview),
        (Some("ÅHLÉNS City"), Some("2026-04-01"), Some("1250.01"), 0.80, 0, Done),
        (Some("Bauhaus"), Some("2026-04-30"), Some("3000"), 0.99, 0, Done),
    ]
};

/// Creates the fixture's invoices; invoice n is uploaded at t(n), except
/// 10, which shares 9's instant (so that the id breaks the tie).
async fn fixture(repo: &SqlRepository) -> Tenant {
    let acme = tenant(repo, "acme").await;
    for (i, (supplier, date, total, confidence, failed, status)) in INVOICES.into_iter().enumerate()
    {
        let n = i as u32 + 1;
        let summary = InvoiceSummary {
            supplier_name: supplier.map(str::to_string),
            invoice_number: Some(format!("INV-{n}")),
            invoice_date: date.map(|d| d.parse().unwrap()),
            total_amount: total.map(|a| a.parse().unwrap()),
            currency: Some("SEK".into()),
            min_confidence: Some(confidence),
            failed_checks: failed,
            search_text: format!("invoice-{n}.pdf\n{}", supplier.unwrap_or("").to_lowercase()),
        };
        let at = t(i64::from(n.min(9)));
        processed_invoice(repo, &acme, &id(n), at, &processed(status, summary)).await;
    }
    acme
}

fn numbers(found: &[InvoiceRecord]) -> Vec<u32> {
    found
        .iter()
        .map(|r| r.summary.invoice_number.as_deref().unwrap()[4..].parse().unwrap())
        .collect()
}

async fn list_filters_and_cursor_pagination(repo: SqlRepository) {
    let acme = fixture(&repo).await;
    let all = InvoiceFilter { limit: 100, ..InvoiceFilter::default() };
    let date = |s: &str| Some(s.parse::<NaiveDate>().unwrap());
    let amount = |s: &str| Some(s.parse::<Decimal>().unwrap());
    let cursor_of_5 = PageCursor { created_at: t(5), id: id(5) };
    let checks: Vec<(&str, InvoiceFilter, Vec<u32>)> = vec![
        ("everything, newest first", all.clone(), vec![10, 9, 8, 7, 6, 5, 4, 3, 2, 1]),
        ("limit", InvoiceFilter { limit: 2, ..all.clone() }, vec![10, 9]),
        (
            "status",
            InvoiceFilter { status: Some(InvoiceStatus::NeedsReview), ..all.clone() },
            vec![8, 7, 5, 2],
        ),
        (
            "supplier substring",
            InvoiceFilter { supplier: Some("telia".into()), ..all.clone() },
            vec![5, 2],
        ),
        (
            "supplier, any case",
            InvoiceFilter { supplier: Some("åhléns".into()), ..all.clone() },
            vec![9, 1],
        ),
        ("supplier %", InvoiceFilter { supplier: Some("%".into()), ..all.clone() }, vec![7]),
        ("supplier %_", InvoiceFilter { supplier: Some("%_R".into()), ..all.clone() }, vec![7]),
        (
            "dates, inclusive",
            InvoiceFilter {
                date_from: date("2026-02-01"),
                date_to: date("2026-03-01"),
                ..all.clone()
            },
            vec![5, 4, 3],
        ),
        (
            "amounts, inclusive",
            InvoiceFilter {
                amount_min: amount("499.50"),
                amount_max: amount("1250"),
                ..all.clone()
            },
            vec![4, 2, 1],
        ),
        (
            "amount over",
            InvoiceFilter { amount_min: amount("1250.001"), ..all.clone() },
            vec![10, 9, 3],
        ),
        (
            "confidence, inclusive",
            InvoiceFilter { min_confidence: Some(0.8), max_confidence: Some(0.95), ..all.clone() },
            vec![9, 6, 4, 1],
        ),
        ("text", InvoiceFilter { text: Some("IKEA".into()), ..all.clone() }, vec![3]),
        (
            "text in file name",
            InvoiceFilter { text: Some("invoice-10.".into()), ..all.clone() },
            vec![10],
        ),
        (
            "filters combine",
            InvoiceFilter {
                status: Some(InvoiceStatus::Done),
                amount_min: amount("1000"),
                ..all.clone()
            },
            vec![10, 9, 3, 1],
        ),
        (
            "after a cursor",
            InvoiceFilter { after: Some(cursor_of_5), ..all.clone() },
            vec![4, 3, 2, 1],
        ),
        (
            "nothing matches",
            InvoiceFilter { supplier: Some("nobody".into()), ..all.clone() },
            vec![],
        ),
    ];
    for (what, filter, expected) in checks {
        let found = repo.invoices(&acme.id, &filter).await.unwrap();
        assert_eq!(numbers(&found), expected, "{what}: {filter:?}");
    }

    // Walking pages of 3 (`InvoiceFilter::next_page`) visits every invoice
    // once, in order, even across the tie between 9 and 10.
    let mut seen = Vec::new();
    let mut filter = InvoiceFilter { limit: 3, ..all.clone() };
    loop {
        let page = repo.invoices(&acme.id, &filter).await.unwrap();
        seen.extend(numbers(&page));
        if !filter.next_page(&page) {
            break;
        }
    }
    assert_eq!(seen, vec![10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
}

async fn review_queue_puts_the_most_uncertain_first(repo: SqlRepository) {
    let acme = tenant(&repo, "acme").await;
    let review = |failed: u32, confidence: Option<f64>| {
        let summary =
            InvoiceSummary { min_confidence: confidence, ..summary("X", "1.00", 0.0, failed) };
        processed(InvoiceStatus::NeedsReview, summary)
    };
    // (invoice, uploaded at, result)
    let cases = [
        (1, 10, review(1, Some(0.5))),
        (2, 20, review(2, Some(0.9))),
        (3, 30, review(1, None)),
        (4, 5, review(1, Some(0.5))),
        (5, 40, review(0, Some(0.3))),
        (6, 50, processed(InvoiceStatus::Done, summary("X", "1.00", 0.1, 5))),
    ];
    for (n, at, result) in &cases {
        processed_invoice(&repo, &acme, &id(*n), t(*at), result).await;
    }
    let queue = repo.review_queue(&acme.id, 100).await.unwrap();
    let ids: Vec<String> = queue.iter().map(|r| r.id.clone()).collect();
    assert_eq!(ids, vec![id(2), id(3), id(4), id(1), id(5)]);
    let first_two = repo.review_queue(&acme.id, 2).await.unwrap();
    assert_eq!(first_two.len(), 2);
    assert_eq!(first_two[1].id, id(3));
}

async fn review_queue_spreads_across_suppliers(repo: SqlRepository) {
    let acme = tenant(&repo, "acme").await;
    let review = |supplier: Option<&str>, failed: u32, confidence: f64| {
        let summary = InvoiceSummary {
            supplier_name: supplier.map(str::to_string),
            ..summary("-", "1.00", confidence, failed)
        };
        processed(InvoiceStatus::NeedsReview, summary)
    };
    // (invoice, supplier, failed checks, lowest confidence): a bad supplier
    // with four invoices, two others, and two without a supplier name
    let cases = [
        (1, Some("Bad AB"), 3, 0.1),
        (2, Some("Bad AB"), 3, 0.2),
        (3, Some("BAD AB"), 2, 0.1),
        (4, Some("Bad AB"), 2, 0.3),
        (5, Some("Good AB"), 1, 0.5),
        (6, Some("Fine AB"), 0, 0.4),
        (7, None, 0, 0.2),
        (8, None, 0, 0.3),
    ];
    for (n, supplier, failed, confidence) in cases {
        let result = review(supplier, failed, confidence);
        processed_invoice(&repo, &acme, &id(n), t(i64::from(n)), &result).await;
    }
    let queue = repo.review_queue(&acme.id, 100).await.unwrap();
    let ids: Vec<String> = queue.iter().map(|r| r.id.clone()).collect();
    // round 1: Bad's worst, Good, Fine, the unnamed two; then Bad's others
    let expected = [1, 5, 7, 8, 6, 2, 3, 4].map(id).to_vec();
    assert_eq!(ids, expected);
}

/// A job completed without a confidence, then jobs with one, and so on: every
/// value is stored as given. (On PostgreSQL a NULL double once made the cached
/// statement refuse the next real number: "incorrect binary data format".)
async fn confidences_alternating_with_null_are_stored(repo: SqlRepository) {
    let acme = tenant(&repo, "acme").await;
    let confidences = [None, Some(0.25), None, Some(0.5), Some(0.75), None, Some(1.0)];
    for (n, confidence) in confidences.iter().enumerate() {
        let summary =
            InvoiceSummary { min_confidence: *confidence, ..summary("X", "1.00", 0.0, 0) };
        let result = processed(InvoiceStatus::NeedsReview, summary);
        processed_invoice(&repo, &acme, &id(n as u32 + 1), t(n as i64 * 10), &result).await;
    }
    for (n, confidence) in confidences.iter().enumerate() {
        let invoice = repo.invoice(&acme.id, &id(n as u32 + 1)).await.unwrap().expect("stored");
        assert_eq!(invoice.summary.min_confidence, *confidence, "invoice {}", n + 1);
    }
}
