//! The language-model fallback through the real binary: `invex extract
//! --llm-when unsure` on the redistributable real invoices, against the
//! local OpenAI-compatible test server (which validates every request
//! against OpenAI's published OpenAPI description) answering from the
//! corpus's ground truth, with a real SQLite cache.

use std::collections::HashMap;

use invex_llm::test_server::{Faults, Fixture, ServerOptions, TestServer};

use crate::*;

fn sha256(path: &Path) -> String {
    invex_pipeline::fallback::content_hash(&std::fs::read(path).expect("read"))
}

/// The truthful fixture: each file's gold values by its sha256.
fn fixture(files: &[PathBuf], gold: &[Value]) -> Fixture {
    files
        .iter()
        .zip(gold)
        .map(|(f, g)| {
            let mut answer = g.as_object().unwrap().clone();
            answer.remove("file");
            (sha256(f), answer)
        })
        .collect()
}

/// `invex extract` with the fallback pointed at `server`, caching in `cache`.
fn extract_asking(server: &TestServer, inputs: &[&Path], out: &Path, cache: &Path) -> Output {
    let mut cmd = invex();
    cmd.arg("extract")
        .args(inputs)
        .args(["--no-progress", "--llm-when", "unsure", "--llm-base-url", &server.base_url()])
        .arg("--llm-cache")
        .arg(format!("sqlite://{}", cache.display()))
        .arg("--output")
        .arg(out)
        .env("INVEX_LLM_API_KEY", server.api_key())
        .env_remove("OPENAI_API_KEY");
    run(&mut cmd)
}

#[test]
fn the_fallback_raises_accuracy_caches_and_never_books_an_invented_value() {
    let (files, gold) = crate::real::corpus();
    let dir = tempdir();
    let gold_path = dir.path().join("gold.jsonl");
    std::fs::write(&gold_path, gold.iter().map(|g| format!("{g}\n")).collect::<String>()).unwrap();
    let inputs: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();

    let alone = dir.path().join("rules.jsonl");
    assert!(extract(&inputs, &alone).status.success());
    let rules_overall = eval(&gold_path, &alone)["overall"].as_f64().unwrap();

    // Rows: the server's faults, and whether its answers are the truth.
    let cases = [
        ("truthful", Faults::default()),
        ("inventing", Faults { invent_every: 1, ..Default::default() }),
    ];
    for (what, faults) in cases {
        let server = TestServer::start(
            fixture(&files, &gold),
            ServerOptions { faults, ..Default::default() },
        )
        .expect("test server");
        let cache = dir.path().join(format!("{what}.db"));
        let out = dir.path().join(format!("{what}.jsonl"));
        let run1 = extract_asking(&server, &inputs, &out, &cache);
        assert!(run1.status.success(), "{what}: {}", stderr(&run1));
        assert!(stderr(&run1).contains("language model:"), "{what}: no summary: {}", stderr(&run1));
        let sent = server.chat_requests();
        let preds = read_jsonl(&out);
        let asked: Vec<&Value> = preds.iter().filter(|p| p.get("llm").is_some()).collect();
        assert!(
            !asked.is_empty() && asked.len() < preds.len(),
            "{what}: {} of {} asked",
            asked.len(),
            preds.len()
        );
        assert_eq!(sent as usize, asked.len(), "{what}: one request per invoice asked");
        for p in &asked {
            assert_eq!(p["llm"]["outcome"], "answered", "{what}: {p}");
            assert!(!p["llm"]["reasons"].as_array().unwrap().is_empty());
        }
        // Every value the model gave that was kept is printed where its box says.
        for p in &preds {
            for (field, f) in p["fields"].as_object().unwrap() {
                if f["source"] == "llm" {
                    assert!(f["bbox"].is_array() && f["page"].is_u64(), "{what}: {field}: {f}");
                }
            }
        }
        match what {
            "truthful" => {
                let overall = eval(&gold_path, &out)["overall"].as_f64().unwrap();
                assert!(
                    overall > rules_overall,
                    "fallback {overall} vs rules alone {rules_overall}"
                );
            }
            _ => {
                let invented = server.invented();
                assert_eq!(invented.len(), asked.len());
                let by_hash: HashMap<String, &Path> =
                    inputs.iter().map(|p| (sha256(p), *p)).collect();
                for made_up in &invented {
                    let file =
                        by_hash[&made_up.content_hash].file_name().unwrap().to_str().unwrap();
                    let p =
                        preds.iter().find(|p| p["file"].as_str().unwrap().ends_with(file)).unwrap();
                    let kept = &p["fields"][&made_up.field];
                    assert!(
                        kept.is_null() || kept["source"] != "llm",
                        "{file}: invented {} = {} kept: {kept}",
                        made_up.field,
                        made_up.value
                    );
                    let refused = p["llm"]["refused"].as_array().unwrap();
                    assert!(
                        refused.iter().any(|r| r["field"] == made_up.field.as_str()),
                        "{file}: {refused:?}"
                    );
                }
            }
        }
        // A re-run with the same cache sends nothing and reads the same.
        let again = dir.path().join(format!("{what}-again.jsonl"));
        let run2 = extract_asking(&server, &inputs, &again, &cache);
        assert!(run2.status.success(), "{what}: {}", stderr(&run2));
        assert_eq!(server.chat_requests(), sent, "{what}: the re-run sent requests");
        let fields = |path: &Path| {
            read_jsonl(path).into_iter().map(|p| p["fields"].clone()).collect::<Vec<_>>()
        };
        assert_eq!(fields(&out), fields(&again), "{what}");
        assert_eq!(server.violations(), Vec::<String>::new(), "{what}");
    }
}

#[test]
fn the_fallback_is_off_by_default_and_its_options_are_checked() {
    let out = run(invex().args(["extract", "--help"]));
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.contains("--llm-when") && help.contains("[default: never]"), "{help}");
    let dir = tempdir();
    let input = repo().join("samples/inv-00000.pdf");
    let cases: [(&[&str], &str); 3] = [
        (&["--llm-when", "unsure", "--llm-below", "1.5"], "--llm-below must be between 0 and 1"),
        (&["--llm-when", "unsure", "--llm-price", "gpt-x=abc/1"], "is not a price"),
        (&["--llm-when", "unsure", "--llm-budget-usd=-1"], "non-negative"),
    ];
    for (args, expected) in cases {
        let out = run(invex()
            .arg("extract")
            .arg(&input)
            .args(args)
            .arg("--output")
            .arg(dir.path().join("o.jsonl")));
        assert!(!out.status.success(), "{args:?}");
        assert!(stderr(&out).contains(expected), "{args:?}: {}", stderr(&out));
    }
}

#[test]
fn the_batch_api_path_reads_as_the_live_one() {
    let (files, gold) = crate::real::corpus();
    let dir = tempdir();
    let inputs: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    let server = TestServer::start(fixture(&files, &gold), ServerOptions::default()).unwrap();
    let live = dir.path().join("live.jsonl");
    let out = extract_asking(&server, &inputs, &live, &dir.path().join("live.db"));
    assert!(out.status.success(), "{}", stderr(&out));
    let sent = server.chat_requests();

    let batched = dir.path().join("batch.jsonl");
    let mut cmd = invex();
    cmd.arg("extract")
        .args(&inputs)
        .args(["--no-progress", "--llm-when", "unsure", "--llm-batch", "--llm-batch-poll", "1"])
        .args(["--llm-base-url", &server.base_url()])
        .arg("--llm-cache")
        .arg(format!("sqlite://{}", dir.path().join("batch.db").display()))
        .arg("--output")
        .arg(&batched)
        .env("INVEX_LLM_API_KEY", server.api_key());
    let out = run(&mut cmd);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(server.batches_created(), 1, "one batch for the run");
    assert_eq!(server.chat_requests(), 2 * sent, "the same invoices, in the batch");
    let fields =
        |path: &Path| read_jsonl(path).into_iter().map(|p| p["fields"].clone()).collect::<Vec<_>>();
    assert_eq!(fields(&live), fields(&batched));
    assert!(
        !dir.path().join("batch.jsonl.llm-batch.json").exists(),
        "the finished batch is forgotten"
    );
    assert_eq!(server.violations(), Vec::<String>::new());
}
