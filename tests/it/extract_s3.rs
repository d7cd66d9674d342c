//! `invex extract s3://bucket/prefix` against moto, a real S3-compatible
//! server on loopback: every sample uploaded there comes out as it does from
//! the local folder, a corrupt object gets its own error line without
//! stopping the batch, and a missing bucket is a clear error.

use std::collections::BTreeMap;
use std::fs;
use std::future::Future;

use invex_domain::service::BlobStore;
use invex_storage::S3BlobStore;
use invex_storage::testing::MotoServer;
use serde_json::Value;

use crate::*;

fn block_on<F: Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
        .block_on(future)
}

fn by_file(rows: Vec<Value>) -> BTreeMap<String, Value> {
    rows.into_iter().map(|row| (row["file"].as_str().expect("file").to_owned(), row)).collect()
}

#[test]
fn extracts_every_pdf_under_an_s3_prefix() {
    let moto = MotoServer::start();
    let samples = repo().join("samples");
    let mut names: Vec<String> = fs::read_dir(&samples)
        .expect("samples/")
        .map(|e| e.expect("entry").file_name().into_string().expect("UTF-8 name"))
        .filter(|name| name.ends_with(".pdf"))
        .collect();
    names.sort();
    assert!(names.len() >= 10, "samples/ holds the sample invoices: {names:?}");
    let corrupt = "inv-00005-corrupt.pdf"; // sorts into the middle of the batch
    let big = "big.pdf";
    block_on(async {
        let store = moto.bucket("invoices", "incoming/2024").await;
        for name in &names {
            store.put(name, &fs::read(samples.join(name)).unwrap()).await.unwrap();
        }
        store.put(corrupt, b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog").await.unwrap();
        store.put(big, &vec![b'%'; 1536 * 1024]).await.unwrap();
        store.put("notes.txt", b"not an invoice").await.unwrap();
        store.put(".hidden.pdf", b"a temp file").await.unwrap();
        let next_year = S3BlobStore::new(&moto.config("invoices", "incoming/2025"));
        next_year.put("inv-99999.pdf", b"elsewhere").await.unwrap();
    });

    let dir = tempdir();
    let out = dir.path().join("out.jsonl");
    let result = run(invex()
        .envs(moto.env())
        .args(["extract", "s3://invoices/incoming/2024", "--no-progress", "--max-file-mb", "1"])
        .arg("--output")
        .arg(&out));
    let err = stderr(&result);
    assert_eq!(result.status.code(), Some(1), "failed files make exit code 1: {err}");
    let url = |name: &str| format!("s3://invoices/incoming/2024/{name}");
    let rows = read_jsonl(&out);
    let files: Vec<&str> = rows.iter().map(|r| r["file"].as_str().unwrap()).collect();
    let mut want: Vec<String> = names.iter().map(|n| url(n)).collect();
    want.extend([url(corrupt), url(big)]);
    want.sort();
    assert_eq!(files, want, "every PDF object once, in key order, nothing else");

    let rows = by_file(rows);
    let bad = &rows[&url(corrupt)];
    assert_eq!(bad["status"], "failed", "{bad}");
    assert!(!bad["error"].as_str().unwrap_or("").is_empty(), "{bad}");
    assert!(err.contains(&format!("failed: {}", url(corrupt))), "{err}");
    assert_eq!(rows[&url(big)]["error_type"], "too_large", "{}", rows[&url(big)]);

    // The same samples read from the folder give the same results.
    let local_out = dir.path().join("local.jsonl");
    let local = extract(&[&samples], &local_out);
    assert!(local.status.success(), "{}", stderr(&local));
    let local = by_file(read_jsonl(&local_out));
    for name in &names {
        let from_s3 = &rows[&url(name)];
        assert_eq!(from_s3["status"], "ok", "{from_s3}");
        let from_disk = &local[&samples.join(name).display().to_string()];
        for key in ["pages", "fields", "vat_breakdown", "line_items"] {
            assert_eq!(from_s3[key], from_disk[key], "{name}: {key}");
        }
    }
}

#[test]
fn a_missing_bucket_names_the_url() {
    let moto = MotoServer::start();
    let dir = tempdir();
    let out = dir.path().join("out.jsonl");
    let result = run(invex()
        .envs(moto.env())
        .args(["extract", "s3://no-such-bucket/in", "--no-progress", "--output"])
        .arg(&out));
    let err = stderr(&result);
    assert!(!result.status.success());
    assert!(err.contains("s3://no-such-bucket/in") && err.contains("NoSuchBucket"), "{err}");
    assert!(!out.exists(), "nothing written before the inputs are known");

    let no_keys = run(invex()
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .args(["extract", "s3://invoices/in", "--output"])
        .arg(&out));
    let err = stderr(&no_keys);
    assert!(!no_keys.status.success());
    assert!(err.contains("s3://invoices/in") && err.contains("AWS_ACCESS_KEY_ID"), "{err}");
}

#[test]
fn s3_objects_are_sent_to_the_language_model_fallback_too() {
    use invex_llm::test_server::{Fixture, ServerOptions, TestServer};
    let moto = MotoServer::start();
    let (files, gold) = crate::real::corpus();
    let picked: Vec<usize> = (0..files.len()).step_by(files.len() / 4).take(4).collect();
    let mut fixture = Fixture::new();
    block_on(async {
        let store = moto.bucket("llm", "in").await;
        for &i in &picked {
            let bytes = fs::read(&files[i]).unwrap();
            let name = files[i].file_name().unwrap().to_str().unwrap().to_string();
            store.put(&name, &bytes).await.unwrap();
            let hash = invex_pipeline::fallback::content_hash(&bytes);
            let mut answer = gold[i].as_object().unwrap().clone();
            answer.remove("file");
            fixture.insert(hash, answer);
        }
    });
    let server = TestServer::start(fixture, ServerOptions::default()).unwrap();
    let dir = tempdir();
    let out = dir.path().join("out.jsonl");
    let result = run(invex()
        .envs(moto.env())
        .args(["extract", "s3://llm/in", "--no-progress", "--llm-when", "always"])
        .args(["--llm-base-url", &server.base_url()])
        .arg("--llm-cache")
        .arg(format!("sqlite://{}", dir.path().join("llm.db").display()))
        .arg("--output")
        .arg(&out)
        .env("INVEX_LLM_API_KEY", server.api_key()));
    assert!(result.status.success(), "{}", stderr(&result));
    let rows = read_jsonl(&out);
    assert_eq!(rows.len(), picked.len());
    let asked: Vec<&Value> = rows.iter().filter(|r| r.get("llm").is_some()).collect();
    assert!(!asked.is_empty(), "no object was sent");
    for row in &asked {
        assert_eq!(row["llm"]["outcome"], "answered", "{row}");
    }
    assert_eq!(server.chat_requests() as usize, asked.len());
    assert_eq!(server.violations(), Vec::<String>::new());
    // The Batch API path reads local files only, and says so.
    let refused = run(invex()
        .envs(moto.env())
        .args(["extract", "s3://llm/in", "--llm-when", "always", "--llm-batch", "--output"])
        .arg(dir.path().join("b.jsonl")));
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("--llm-batch reads local files only"),
        "{}",
        stderr(&refused)
    );
}
