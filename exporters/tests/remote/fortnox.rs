//! The Fortnox client against the Fortnox stand-in: tokens, suppliers,
//! idempotency, the PDF, refusals, the proactive rate limit.

use std::sync::Arc;
use std::time::Duration;

use invex_exporters::Error;
use invex_exporters::http::{FileTokenStore, TokenStore};
use invex_exporters::ledger::MemoryLedger;
use invex_exporters::remote::{BatchSummary, ExportJob, Outcome, RemoteExporter, export_batch};
use invex_exporters::test_servers::FortnoxServer;
use serde_json::json;

use crate::support::{
    CLIENT_LIMIT, fortnox_client, fortnox_client_with, jobs, numbered, pdf_file, quiet,
    server_options,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_that_expire_mid_batch_are_refreshed_transparently() {
    // (real lifetime, announced lifetime, whether the server must have said 401)
    let table =
        [(Duration::from_millis(300), Some(3600), true), (Duration::from_secs(1), None, false)];
    for (ttl, announced, expect_401) in table {
        let mut options = server_options(None);
        options.token_ttl = ttl;
        options.announced_ttl = announced;
        let server = FortnoxServer::start(options).await.unwrap();
        let client = fortnox_client(&server, CLIENT_LIMIT, None);
        let reports =
            export_batch(&client, &MemoryLedger::default(), &jobs(80, 4), 4, &quiet).await;
        let summary = BatchSummary::of(&reports);
        assert_eq!(
            summary.created,
            80,
            "ttl {ttl:?}: {:?}",
            reports.iter().find(|r| r.summary().contains("failed"))
        );
        assert_eq!(server.invoices().len(), 80);
        assert!(server.core.tokens_issued() > 1, "ttl {ttl:?}: the batch outlived one token");
        let unauthorized = server.core.requests().iter().filter(|r| r.status == 401).count();
        assert_eq!(
            unauthorized > 0,
            expect_401,
            "ttl {ttl:?} announced {announced:?}: {unauthorized} 401s"
        );
    }
}

#[tokio::test]
async fn rotated_refresh_tokens_are_kept_and_stale_ones_named() {
    let server = FortnoxServer::start(server_options(None)).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn TokenStore> =
        Arc::new(FileTokenStore::new(dir.path().join("fortnox.token")));
    let client = fortnox_client(&server, CLIENT_LIMIT, Some(store.clone()));
    client.export(&ExportJob { booking: numbered(1, 1), pdf: None }).await.unwrap();
    let saved = store.load().expect("saved").expose().to_string();
    assert_eq!(Some(saved), server.core.current_refresh_token());
    // A second run from the stored token works; one from the spent initial token is refused.
    let again = fortnox_client(&server, CLIENT_LIMIT, Some(store));
    again.export(&ExportJob { booking: numbered(2, 1), pdf: None }).await.unwrap();
    let stale = fortnox_client(&server, CLIENT_LIMIT, None);
    let err = stale.export(&ExportJob { booking: numbered(3, 1), pdf: None }).await.unwrap_err();
    assert!(matches!(err, Error::Auth { .. }), "{err}");
    let text = err.to_string();
    assert!(text.contains("Fortnox OAuth2") && text.contains("invalid_grant"), "{text}");
}

/// Fortnox's refresh tokens are single-use. A refresh whose reply is lost
/// (the server rotated the token, the client timed out) is never resent:
/// the export stops with the re-authorise error, the next run refuses at
/// once instead of sending the used token, and a run after authorising
/// again exports the rest and creates nothing twice, even without the
/// ledger of the first runs.
#[tokio::test]
async fn a_lost_token_reply_stops_with_reauthorise_and_a_rerun_creates_no_duplicates() {
    let server = FortnoxServer::start(server_options(None)).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn TokenStore> =
        Arc::new(FileTokenStore::new(dir.path().join("fortnox.token")));
    let initial = server.core.options.refresh_token.clone();
    let timeout = Duration::from_secs(1);
    let all = jobs(6, 2);
    // Run 1 exports the first three.
    let run = fortnox_client_with(&server, CLIENT_LIMIT, Some(store.clone()), &initial, timeout);
    let reports = export_batch(&run, &MemoryLedger::default(), &all[..3], 2, &quiet).await;
    assert_eq!(BatchSummary::of(&reports).created, 3);
    // Run 2: its first refresh rotates the token on the server, but the reply is lost.
    server.core.lose_token_replies(1);
    let before = server.core.token_requests();
    let run = fortnox_client_with(&server, CLIENT_LIMIT, Some(store.clone()), &initial, timeout);
    let reports = export_batch(&run, &MemoryLedger::default(), &all, 2, &quiet).await;
    for report in &reports {
        let Outcome::Failed(e) = &report.outcome else { panic!("{report:?}") };
        assert!(e.to_string().contains("authorise the integration again"), "{e}");
    }
    assert_eq!(server.core.token_requests() - before, 1, "the used token is never sent again");
    assert!(store.unanswered(), "the store remembers the unanswered refresh");
    // Run 3, same store, nothing new configured: refused before any request.
    let before = server.core.requests().len();
    let run = fortnox_client_with(&server, CLIENT_LIMIT, Some(store.clone()), &initial, timeout);
    let err = run.export(&all[3]).await.unwrap_err().to_string();
    assert!(err.contains("got no answer") && err.contains("authorise"), "{err}");
    assert_eq!(server.core.requests().len(), before);
    // The user authorises again; run 4 exports the rest, with a fresh ledger.
    let fresh = server.core.authorise_again();
    let run = fortnox_client_with(&server, CLIENT_LIMIT, Some(store.clone()), &fresh, timeout);
    let reports = export_batch(&run, &MemoryLedger::default(), &all, 2, &quiet).await;
    let summary = BatchSummary::of(&reports);
    assert_eq!((summary.created, summary.failed), (3, 0), "{reports:?}");
    assert_eq!(server.invoices().len(), 6, "nothing twice");
    assert!(!store.unanswered());
    assert_eq!(store.load().unwrap().expose(), server.core.current_refresh_token().unwrap());
}

/// A cancelled invoice does not block exporting the invoice again, and the
/// duplicate search follows every page of the list.
#[tokio::test]
async fn the_duplicate_search_pages_and_ignores_cancelled_invoices() {
    let server = FortnoxServer::start(server_options(None)).await.unwrap();
    let client = fortnox_client(&server, CLIENT_LIMIT, None);
    // 520 invoices on one date: the list of that date has two pages of 500.
    let all = jobs(520, 4);
    let reports = export_batch(&client, &MemoryLedger::default(), &all, 8, &quiet).await;
    assert_eq!(BatchSummary::of(&reports).created, 520);
    let last = &all[519];
    let again = client.export(last).await.unwrap();
    assert!(!again.created, "found on the second page");
    let pages: Vec<String> = server
        .core
        .requests()
        .into_iter()
        .filter(|r| r.path == "/3/supplierinvoices" && r.method == "GET")
        .map(|r| r.query)
        .collect();
    assert!(pages.iter().any(|q| q.contains("page=2")), "{:?}", &pages[pages.len() - 3..]);
    // Cancelled in Fortnox: exported again as a new invoice.
    server.cancel(&again.target_id);
    let third = client.export(last).await.unwrap();
    assert!(third.created && third.target_id != again.target_id, "{third:?}");
}

#[tokio::test]
async fn suppliers_are_found_by_org_nr_or_created_once() {
    let server = FortnoxServer::start(server_options(None)).await.unwrap();
    let existing = numbered(0, 1).supplier.org_nr.unwrap();
    server.data.lock().unwrap().suppliers.push(json!({
        "SupplierNumber": "77", "Name": "Befintlig AB", "OrganisationNumber": existing,
    }));
    let client = fortnox_client(&server, CLIENT_LIMIT, None);
    // Supplier 1 exists; supplier 2 is new and has six invoices in flight at once.
    let jobs: Vec<ExportJob> =
        (0..12).map(|n| ExportJob { booking: numbered(n, 1 + n % 2), pdf: None }).collect();
    let reports = export_batch(&client, &MemoryLedger::default(), &jobs, 6, &quiet).await;
    assert_eq!(BatchSummary::of(&reports).created, 12);
    let suppliers = server.suppliers();
    assert_eq!(suppliers.len(), 2, "one created: {suppliers:?}");
    let created = &suppliers[1];
    assert_eq!(created["Name"], "Leverantör 2 AB");
    assert_eq!(created["OrganisationNumber"].as_str(), numbered(1, 2).supplier.org_nr.as_deref());
    let on_77 = server.invoices().iter().filter(|i| i["SupplierNumber"] == "77").count();
    assert_eq!(on_77, 6);
    // The tenant's own supplier-number mapping needs no lookup.
    let mut mapped = numbered(20, 1);
    mapped.supplier.number = Some("77".into());
    let before = server.core.requests().len();
    client.export(&ExportJob { booking: mapped, pdf: None }).await.unwrap();
    let asked: Vec<String> =
        server.core.requests()[before..].iter().map(|r| r.path.clone()).collect();
    assert_eq!(asked, ["/3/supplierinvoices", "/3/supplierinvoices"], "lookup and create only");
}

#[tokio::test]
async fn the_pdf_is_uploaded_to_the_inbox_and_connected() {
    let server = FortnoxServer::start(server_options(None)).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut booking = numbered(5, 1);
    booking.source = pdf_file(dir.path(), "inv-00005.pdf").display().to_string();
    let job = ExportJob::with_source_pdf(booking);
    assert!(job.pdf.is_some());
    let client = fortnox_client(&server, CLIENT_LIMIT, None);
    let exported = client.export(&job).await.unwrap();
    assert_eq!(exported.attachment_error, None);
    let data = server.data.lock().unwrap();
    assert_eq!(data.files.len(), 1);
    assert_eq!(data.files[0].1, "inv-00005.pdf");
    assert_eq!(data.connections.len(), 1);
    assert_eq!(data.connections[0]["FileId"].as_str(), Some(data.files[0].0.as_str()));
    assert_eq!(
        data.connections[0]["SupplierInvoiceNumber"].as_str(),
        Some(exported.target_id.as_str())
    );
    let upload = server.core.requests().into_iter().find(|r| r.path == "/3/inbox").unwrap();
    assert_eq!(upload.query, "folderId=inbox_s", "the description's parameter name");
}

#[tokio::test]
async fn refusals_name_the_invoice_the_status_and_fortnox_message() {
    let server = FortnoxServer::start(server_options(None)).await.unwrap();
    let client = fortnox_client(&server, CLIENT_LIMIT, None);
    let mut unbalanced = numbered(9, 1);
    unbalanced.rows[0].amount += rust_decimal::Decimal::ONE;
    let mut five_digits = numbered(10, 1);
    five_digits.rows[0].account = 40100;
    // (booking, words the error must contain)
    let table = [
        (unbalanced, vec!["inv-00009.pdf (invoice F-00009)", "400", "Obalanserad", "code 2000740"]),
        // Caught by the published description, not a rule of the stand-in's own.
        (five_digits, vec!["inv-00010.pdf (invoice F-00010)", "400", "Ogiltigt fält", "40100"]),
    ];
    for (booking, words) in table {
        let err = client.export(&ExportJob { booking, pdf: None }).await.unwrap_err().to_string();
        for word in words {
            assert!(err.contains(word), "{word:?} missing from: {err}");
        }
    }
    assert!(server.invoices().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_limit_is_kept_before_the_server_has_to_say_429() {
    let server = FortnoxServer::start(server_options(None)).await.unwrap();
    let client = fortnox_client(&server, CLIENT_LIMIT, None);
    let reports = export_batch(&client, &MemoryLedger::default(), &jobs(60, 3), 8, &quiet).await;
    assert_eq!(BatchSummary::of(&reports).created, 60);
    assert_eq!(server.core.too_many("rate limit"), 0, "the client kept to 25 per window");
    // Without a limiter of its own (a limit far above the server's), the server has to refuse.
    let eager =
        invex_exporters::http::RateLimit { requests: 10_000, per: Duration::from_millis(1) };
    let server = FortnoxServer::start(server_options(None)).await.unwrap();
    let client = fortnox_client(&server, eager, None);
    let reports = export_batch(&client, &MemoryLedger::default(), &jobs(60, 3), 8, &quiet).await;
    assert_eq!(BatchSummary::of(&reports).created, 60, "429s are waited out");
    assert!(server.core.too_many("rate limit") > 0);
    assert!(reports.iter().all(|r| matches!(r.outcome, Outcome::Created { .. })));
}
