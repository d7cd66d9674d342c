//! The Visma eEkonomi client against its stand-in: drafts whose VAT codes
//! follow the accounts,
//! suppliers with terms of payment, credit invoices, attachments, refusals.

use std::time::Duration;

use invex_exporters::ledger::MemoryLedger;
use invex_exporters::remote::{BatchSummary, ExportJob, RemoteExporter, export_batch};
use invex_exporters::test_servers::VismaServer;
use invex_exporters::test_servers::visma::TERMS;

use crate::support::{
    CLIENT_LIMIT, book, invoice, jobs, numbered, org_nr, pdf_file, quiet, server_options,
    visma_client,
};

#[tokio::test]
async fn drafts_leave_vat_codes_to_the_accounts_and_new_suppliers_get_30_days() {
    let server = VismaServer::start(server_options(None)).await.unwrap();
    let client = visma_client(&server, CLIENT_LIMIT);
    let exported = client.export(&ExportJob { booking: numbered(1, 3), pdf: None }).await.unwrap();
    assert!(exported.created);
    let drafts = server.drafts();
    assert_eq!(drafts.len(), 1);
    let draft = &drafts[0];
    assert_eq!(draft["Id"].as_str(), Some(exported.target_id.as_str()));
    assert_eq!(draft["InvoiceNumber"], "F-00001");
    // eEkonomi derives the VAT code from the account: none is sent, and it is asked to.
    assert!(draft["Rows"][0].get("VatCodeId").is_none(), "{draft}");
    let post = server
        .core
        .requests()
        .into_iter()
        .find(|r| r.method == "POST" && r.path == "/v2/supplierinvoicedrafts");
    assert_eq!(post.unwrap().query, "calculateVatOnCostAccounts=true");
    let suppliers = server.suppliers();
    assert_eq!(suppliers.len(), 1);
    assert_eq!(suppliers[0]["TermsOfPaymentId"], TERMS[1].0);
    assert_eq!(suppliers[0]["CorporateIdentityNumber"].as_str(), Some(org_nr(3).as_str()));
    assert_eq!(suppliers[0]["Id"].as_str(), Some(exported.supplier_id.as_str()));
}

#[tokio::test]
async fn credit_invoices_are_negative_drafts() {
    let server = VismaServer::start(server_options(None)).await.unwrap();
    let client = visma_client(&server, CLIENT_LIMIT);
    let org = org_nr(4);
    let credit = book(
        "kredit.pdf",
        &invoice(&[
            ("invoice_number", "K-17"),
            ("supplier_name", "Kreditgivaren AB"),
            ("supplier_org_nr", &org),
            ("net_amount", "-400"),
            ("vat_amount", "-100"),
            ("total_amount", "-500"),
        ]),
    );
    client.export(&ExportJob { booking: credit, pdf: None }).await.unwrap();
    let draft = &server.drafts()[0];
    assert_eq!(draft["IsCreditInvoice"], true);
    assert_eq!(draft["TotalAmount"].as_f64(), Some(-500.0));
    assert_eq!(draft["Vat"].as_f64(), Some(-100.0));
    assert_eq!(draft["Rows"][0]["CreditAmount"].as_f64(), Some(400.0));
}

#[tokio::test]
async fn the_pdf_is_uploaded_and_linked_to_the_draft() {
    let server = VismaServer::start(server_options(None)).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut booking = numbered(2, 1);
    booking.source = pdf_file(dir.path(), "inv-00002.pdf").display().to_string();
    let client = visma_client(&server, CLIENT_LIMIT);
    let exported = client.export(&ExportJob::with_source_pdf(booking)).await.unwrap();
    assert_eq!(exported.attachment_error, None);
    let data = server.data.lock().unwrap();
    assert_eq!(data.attachments.len(), 1);
    assert_eq!(data.attachments[0].1, "inv-00002.pdf");
    assert_eq!(data.links.len(), 1);
    assert_eq!(data.links[0]["DocumentId"].as_str(), Some(exported.target_id.as_str()));
    assert_eq!(data.links[0]["AttachmentIds"][0].as_str(), Some(data.attachments[0].0.as_str()));
}

#[tokio::test]
async fn refusals_name_the_invoice_and_visma_message() {
    let server = VismaServer::start(server_options(None)).await.unwrap();
    let client = visma_client(&server, CLIENT_LIMIT);
    let mut booking = numbered(8, 1);
    booking.vat[0].amount += rust_decimal::Decimal::ONE;
    booking.vat_total += rust_decimal::Decimal::ONE;
    let err = client.export(&ExportJob { booking, pdf: None }).await.unwrap_err().to_string();
    for word in [
        "inv-00008.pdf (invoice F-00008)",
        "Visma eEkonomi answered 400",
        "rows sum to",
        "ErrorCode 4000",
    ] {
        assert!(err.contains(word), "{word:?} missing from: {err}");
    }
    assert!(server.drafts().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unannounced_token_expiry_mid_batch_is_transparent() {
    let mut options = server_options(None);
    options.token_ttl = Duration::from_millis(250);
    options.announced_ttl = Some(3600);
    let server = VismaServer::start(options).await.unwrap();
    let client = visma_client(&server, CLIENT_LIMIT);
    let reports = export_batch(&client, &MemoryLedger::default(), &jobs(60, 3), 4, &quiet).await;
    assert_eq!(BatchSummary::of(&reports).created, 60);
    assert!(server.core.requests().iter().any(|r| r.status == 401));
    assert!(server.core.tokens_issued() > 1);
}
