//! The fallback against the local OpenAI-compatible test server (which
//! validates every request and response against OpenAI's published OpenAPI
//! description), with a real SQLite cache. Each case is a row: the server's
//! faults and the fallback's settings, the documents asked about, and what
//! must come back.

use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

use invex_domain::fallback::{
    Fallback, FallbackJob, FallbackOutcome, FallbackPolicy, LlmStore, TenantLlm,
};
use invex_domain::{BBox, Document, FieldName, Invoice, Page, Source, Value, Word};
use invex_llm::test_server::{Faults, Fixture, ServerOptions, TestServer};
use invex_llm::{ApiKey, BatchOptions, LlmConfig, LlmFallback};
use invex_storage::SqlRepository;
use serde_json::{Map, Value as Json, json};

/// One invoice page: `lines` of words at 14 pt line spacing.
fn page(lines: &[&str]) -> Document {
    let mut words = Vec::new();
    for (row, line) in lines.iter().enumerate() {
        let y = 40.0 + 14.0 * row as f32;
        let mut x = 40.0;
        for text in line.split(' ') {
            let width = 6.0 * text.chars().count() as f32;
            words.push(Word {
                text: text.into(),
                bbox: BBox::new(x, y, x + width, y + 10.0),
                confidence: 1.0,
            });
            x += width + 4.0;
        }
    }
    Document { pages: vec![Page { number: 1, width: 595.0, height: 842.0, words }] }
}

/// Three invoices: their hashes, pages and true values.
fn corpus() -> Vec<(String, Document, Map<String, Json>)> {
    corpus_of(3)
}

/// `n` invoices: their hashes, pages and true values.
fn corpus_of(n: usize) -> Vec<(String, Document, Map<String, Json>)> {
    let invoice = |n: usize| {
        let number = format!("INV-{}", 1000 + n);
        let lines = [
            "Nordic Paper Supplies AB".to_string(),
            format!("Invoice number: {number}"),
            format!("Invoice date: 2026-03-{:02}", 1 + n % 28),
            format!("Net: {},00", 1000 + n * 100),
            format!("VAT 25%: {},00", 250 + n * 25),
            format!("Total: {},00 EUR", 1250 + n * 125),
            "IBAN: SE45 5000 0000 0583 9825 7466".to_string(),
        ];
        let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
        let truth = json!({
            "invoice_number": number,
            "invoice_date": format!("2026-03-{:02}", 1 + n % 28),
            "currency": "EUR",
            "net_amount": 1000 + n * 100,
            "vat_amount": 250 + n * 25,
            "total_amount": 1250 + n * 125,
            "supplier_name": "Nordic Paper Supplies AB",
            "iban": "SE4550000000058398257466",
        });
        (format!("{:064x}", n + 1), page(&lines), truth.as_object().unwrap().clone())
    };
    (0..n).map(invoice).collect()
}

struct Setup {
    server: TestServer,
    fallback: LlmFallback,
    store: SqlRepository,
    _dir: tempfile::TempDir,
}

fn setup(faults: Faults, tune: impl FnOnce(&mut LlmConfig)) -> Setup {
    setup_n(3, faults, tune)
}

fn setup_n(n: usize, faults: Faults, tune: impl FnOnce(&mut LlmConfig)) -> Setup {
    let fixture: Fixture = corpus_of(n).into_iter().map(|(hash, _, truth)| (hash, truth)).collect();
    let server =
        TestServer::start(fixture, ServerOptions { faults, ..Default::default() }).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut config = LlmConfig::new(server.base_url(), "gpt-4o-mini");
    config.api_key = Some(ApiKey::new(server.api_key()));
    config.policy = FallbackPolicy::Always;
    config.max_retries = 4;
    config.breaker_failures = 100;
    tune(&mut config);
    let runtime = LlmFallback::runtime().unwrap();
    let url = format!("sqlite://{}", dir.path().join("llm.db").display());
    let store = runtime.block_on(SqlRepository::connect(&url, 2)).unwrap();
    let fallback = LlmFallback::new(config, Arc::new(store.clone()), runtime).unwrap();
    Setup { server, fallback, store, _dir: dir }
}

/// Asks about every invoice of the corpus at once; the outcomes in order.
fn ask_all(fallback: &LlmFallback) -> Vec<FallbackOutcome> {
    ask_n(fallback, 3)
}

/// Asks about `n` invoices, then ends the run (`finish`: the Batch API
/// sends then); the outcomes in order.
fn ask_n(fallback: &LlmFallback, n: usize) -> Vec<FallbackOutcome> {
    let (tx, rx) = mpsc::channel();
    for (i, (hash, document, _)) in corpus_of(n).into_iter().enumerate() {
        let job = FallbackJob {
            content_hash: hash,
            file: format!("invoice-{i}.pdf"),
            document,
            invoice: Invoice::default(),
            reasons: vec!["test".into()],
            tenant: Some("t1".into()),
        };
        let tx = tx.clone();
        fallback.submit(job, Box::new(move |outcome| tx.send((i, outcome)).unwrap()));
    }
    drop(tx);
    fallback.finish();
    let mut outcomes: Vec<_> = rx.iter().collect();
    outcomes.sort_by_key(|(i, _)| *i);
    assert_eq!(outcomes.len(), n, "every job is answered exactly once");
    outcomes.into_iter().map(|(_, o)| o).collect()
}

fn answered(outcome: &FallbackOutcome) -> &Invoice {
    match outcome {
        FallbackOutcome::Answered { invoice, .. } => invoice,
        other => panic!("expected an answer, got {other:?}"),
    }
}

fn gave_up(outcome: &FallbackOutcome) -> &str {
    match outcome {
        FallbackOutcome::GaveUp { reason } => reason,
        other => panic!("expected the fallback to give up, got {other:?}"),
    }
}

#[test]
fn truthful_answers_are_accepted_with_their_place_on_the_page() {
    let s = setup(Faults::default(), |_| {});
    let outcomes = ask_all(&s.fallback);
    for (outcome, (_, _, truth)) in outcomes.iter().zip(corpus()) {
        let invoice = answered(outcome);
        assert_eq!(invoice.fields.len(), truth.len(), "{invoice:?}");
        let number = invoice.get(FieldName::InvoiceNumber).unwrap();
        assert_eq!(number.value, Value::Text(truth["invoice_number"].as_str().unwrap().into()));
        assert_eq!(number.source, Source::Llm);
        assert_eq!(number.page, Some(1));
        let bbox = number.bbox.unwrap();
        assert!(bbox.y0 > 50.0 && bbox.y0 < 60.0, "the number's own line: {bbox:?}");
        assert_eq!(
            invoice.get(FieldName::Iban).unwrap().value,
            Value::Text("SE4550000000058398257466".into())
        );
    }
    let stats = s.fallback.stats();
    assert_eq!((stats.requests, stats.answered, stats.cached), (3, 3, 0));
    assert!(stats.prompt_tokens > 0 && stats.cost_usd > 0.0, "{stats:?}");
    assert_eq!(s.server.violations(), Vec::<String>::new());
}

#[test]
fn a_rerun_is_answered_from_the_cache_without_a_request() {
    let s = setup(Faults::default(), |_| {});
    let first = ask_all(&s.fallback);
    let second = ask_all(&s.fallback);
    assert_eq!(s.server.chat_requests(), 3, "the second run sent nothing");
    for (a, b) in first.iter().zip(&second) {
        assert_eq!(answered(a), answered(b));
        assert!(
            matches!(b, FallbackOutcome::Answered { cached: true, usage, .. } if usage.cost_usd == 0.0)
        );
    }
}

#[test]
fn invented_values_never_reach_a_result() {
    // Every answer carries one invented value (the issue asks for 20 %; all
    // of them is the harder case).
    let s = setup(Faults { invent_every: 1, ..Default::default() }, |_| {});
    let outcomes = ask_all(&s.fallback);
    let invented = s.server.invented();
    assert_eq!(invented.len(), 3);
    for (outcome, (hash, _, _)) in outcomes.iter().zip(corpus()) {
        let FallbackOutcome::Answered { invoice, refused, .. } = outcome else {
            panic!("{outcome:?}")
        };
        let made_up = invented.iter().find(|i| i.content_hash == hash).unwrap();
        let name = FieldName::ALL.into_iter().find(|f| f.as_str() == made_up.field).unwrap();
        assert!(invoice.get(name).is_none(), "{} = {} was accepted", made_up.field, made_up.value);
        assert!(
            refused.iter().any(|r| r.field == name && r.why == "not found on the page"),
            "{refused:?}"
        );
    }
    assert_eq!(s.fallback.stats().refused_values, 3);
}

#[test]
fn a_429_storm_delays_but_loses_nothing() {
    let s = setup(Faults { storm: 4, ..Default::default() }, |c| c.max_retries = 8);
    let outcomes = ask_all(&s.fallback);
    outcomes.iter().for_each(|o| assert!(!answered(o).fields.is_empty()));
    assert_eq!(s.server.answered(), 3);
    assert_eq!(s.server.chat_requests(), 3 + 4, "each 429 retried after Retry-After");
}

#[test]
fn bad_answers_are_retried_once_then_given_up() {
    let cases: [(&str, Faults); 3] = [
        ("malformed", Faults { malformed_every: 1, ..Default::default() }),
        ("refusal", Faults { refusal_every: 1, ..Default::default() }),
        ("truncated", Faults { truncated_every: 1, ..Default::default() }),
    ];
    for (what, faults) in cases {
        let s = setup(faults, |_| {});
        for outcome in ask_all(&s.fallback) {
            assert!(gave_up(&outcome).contains("two tries"), "{what}: {outcome:?}");
        }
        assert_eq!(s.server.chat_requests(), 6, "{what}: each invoice asked twice");
        assert_eq!(s.fallback.stats().bad_answers, 6, "{what}");
    }
    // Each invoice's first answer malformed: its retry answers.
    let s = setup(Faults { malformed_first_try: true, ..Default::default() }, |_| {});
    for outcome in ask_all(&s.fallback) {
        assert!(!answered(&outcome).fields.is_empty());
    }
    assert_eq!(s.server.chat_requests(), 6);
}

#[test]
fn endpoint_errors_give_up_with_the_reason() {
    type Case = (&'static str, Faults, fn(&mut LlmConfig), &'static str);
    let cases: [Case; 4] = [
        (
            "wrong key",
            Faults::default(),
            |c| c.api_key = Some(ApiKey::new("sk-wrong")),
            "invalid_api_key",
        ),
        (
            "unknown model",
            Faults::default(),
            |c| c.model = "gpt-nonexistent".into(),
            "model_not_found",
        ),
        (
            "server errors",
            Faults { server_error_every: 1, ..Default::default() },
            |c| c.max_retries = 1,
            "500",
        ),
        (
            "slow",
            Faults { delay: Duration::from_secs(3), ..Default::default() },
            |c| c.timeout = Duration::from_millis(300),
            "no answer",
        ),
    ];
    for (what, faults, tune, expected) in cases {
        let s = setup(faults, tune);
        for outcome in ask_all(&s.fallback) {
            let reason = gave_up(&outcome);
            assert!(reason.contains(expected), "{what}: {reason}");
        }
        assert_eq!(s.server.violations(), Vec::<String>::new(), "{what}");
    }
}

#[test]
fn a_failing_endpoint_opens_the_circuit() {
    let s = setup(Faults { server_error_every: 1, ..Default::default() }, |c| {
        c.max_retries = 0;
        c.concurrency = 1;
        c.breaker_failures = 2;
        c.breaker_cooldown = Duration::from_secs(60);
    });
    let outcomes = ask_all(&s.fallback);
    let open = outcomes.iter().filter(|o| gave_up(o).contains("circuit open")).count();
    assert_eq!(open, 1, "the third call is not made: {outcomes:?}");
    assert_eq!(s.server.chat_requests(), 2);
}

#[test]
fn spending_stops_at_the_monthly_budget() {
    // At gpt-4o's price a request is estimated at about $0.004 before it is
    // sent (and costs about $0.0016): the budget leaves room for one.
    let s = setup(Faults::default(), |c| {
        c.model = "gpt-4o".into();
        c.monthly_budget_usd = Some(0.004);
    });
    let outcomes = ask_all(&s.fallback);
    let answered = outcomes.iter().filter(|o| matches!(o, FallbackOutcome::Answered { .. }));
    assert_eq!(answered.count(), 1, "{outcomes:?}");
    for outcome in &outcomes {
        if let FallbackOutcome::Skipped { reason } = outcome {
            assert!(reason.contains("budget"), "{reason}");
        }
    }
    assert_eq!(s.server.chat_requests(), 1);
    assert_eq!(s.fallback.stats().skipped, 2);
}

#[test]
fn a_tenant_can_turn_it_off_or_set_its_own_budget() {
    let s = setup(Faults::default(), |c| c.monthly_budget_usd = Some(100.0));
    let set = |settings: TenantLlm| {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(s.store.set_tenant_llm("t1", &settings)).unwrap();
    };
    set(TenantLlm { enabled: false, monthly_budget_usd: None });
    for outcome in ask_all(&s.fallback) {
        let FallbackOutcome::Skipped { reason } = &outcome else { panic!("{outcome:?}") };
        assert!(reason.contains("turned the language model fallback off"), "{reason}");
    }
    assert_eq!(s.server.chat_requests(), 0, "nothing leaves the machine");
    // Its own budget (none left) instead of the configured $100.
    set(TenantLlm { enabled: true, monthly_budget_usd: Some(0.0) });
    for outcome in ask_all(&s.fallback) {
        assert!(matches!(outcome, FallbackOutcome::Skipped { .. }), "{outcome:?}");
    }
    set(TenantLlm { enabled: true, monthly_budget_usd: None });
    ask_all(&s.fallback).iter().for_each(|o| assert!(!answered(o).fields.is_empty()));
    assert_eq!(s.server.chat_requests(), 3);
}

#[test]
fn the_key_never_shows_in_debug_output() {
    let mut config = LlmConfig::new("http://127.0.0.1:1/v1", "gpt-4o-mini");
    config.api_key = Some(ApiKey::new("sk-very-secret"));
    let printed = format!("{config:?}");
    assert!(!printed.contains("sk-very-secret") && printed.contains("***"), "{printed}");
}

fn batch_options(dir: &std::path::Path, max_wait: Duration) -> BatchOptions {
    BatchOptions { state: dir.join("batch.json"), poll: Duration::from_millis(5), max_wait }
}

#[test]
fn a_200_invoice_run_completes_through_the_batch_api() {
    let dir = tempfile::tempdir().unwrap();
    let options = batch_options(dir.path(), Duration::from_secs(60));
    let s = setup_n(200, Faults { invent_every: 5, ..Default::default() }, |c| {
        c.batch = Some(options.clone())
    });
    let outcomes = ask_n(&s.fallback, 200);
    assert_eq!(s.server.batches_created(), 1, "one batch for the run");
    assert_eq!(s.server.chat_requests(), 200, "one request per invoice, in the batch");
    let invented = s.server.invented();
    assert_eq!(invented.len(), 40);
    for (outcome, (hash, _, truth)) in outcomes.iter().zip(corpus_of(200)) {
        let invoice = answered(outcome);
        let made_up = invented.iter().find(|i| i.content_hash == hash);
        let expected = truth.len() - usize::from(made_up.is_some());
        assert_eq!(invoice.fields.len(), expected, "{hash}");
        if let Some(made_up) = made_up {
            assert!(invoice.fields.keys().all(|f| f.as_str() != made_up.field), "{made_up:?} kept");
        }
    }
    let stats = s.fallback.stats();
    assert_eq!((stats.asked, stats.answered, stats.refused_values), (200, 200, 40));
    // Half the live price: at gpt-4o-mini's, the batch's tokens cost half.
    let live = (stats.prompt_tokens as f64 * 0.15 + stats.completion_tokens as f64 * 0.60) / 1e6;
    // (each call's cost is counted in whole micro-dollars)
    assert!(
        (stats.cost_usd - live / 2.0).abs() < 200.0 * 1e-6,
        "{} vs {}",
        stats.cost_usd,
        live / 2.0
    );
    assert!(!options.state.exists(), "the finished batch is forgotten");
    assert_eq!(s.server.violations(), Vec::<String>::new());
    // The answers are cached: the same run again sends nothing.
    ask_n(&s.fallback, 200)
        .iter()
        .for_each(|o| assert!(matches!(o, FallbackOutcome::Answered { cached: true, .. })));
    assert_eq!(s.server.batches_created(), 1);
}

#[test]
fn a_batch_still_in_progress_is_picked_up_by_the_next_run() {
    let dir = tempfile::tempdir().unwrap();
    // The first run does not wait: the batch is left in progress.
    let s = setup(Faults::default(), |c| c.batch = Some(batch_options(dir.path(), Duration::ZERO)));
    for outcome in ask_all(&s.fallback) {
        assert!(gave_up(&outcome).contains("run again to pick it up"), "{outcome:?}");
    }
    assert!(dir.path().join("batch.json").exists());
    // The next run (same server, cache and state) waits, and takes that batch.
    let runtime = LlmFallback::runtime().unwrap();
    let mut config = s.fallback.config().clone();
    config.batch = Some(batch_options(dir.path(), Duration::from_secs(60)));
    let again = LlmFallback::new(config, Arc::new(s.store.clone()), runtime).unwrap();
    for outcome in ask_all(&again) {
        assert!(!answered(&outcome).fields.is_empty());
    }
    assert_eq!(s.server.batches_created(), 1, "no second batch");
    assert!(!dir.path().join("batch.json").exists());
}
