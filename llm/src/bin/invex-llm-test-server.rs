//! The local OpenAI-compatible test server as a process, for benches and
//! manual runs (`benches/llm_fallback.sh`):
//!
//!     invex-llm-test-server FIXTURE.jsonl [--invent-every N] [--storm N]
//!
//! FIXTURE.jsonl has one `{"sha256": HEX, "answer": {field: value}}` per
//! document. Prints `http://127.0.0.1:PORT/v1` and the API key on stdout,
//! then serves until stdin closes; on exit prints the requests it answered
//! and any contract violations on stderr (exit status 1 if there were any).

use std::io::{BufRead, Read};

use invex_llm::test_server::{Faults, Fixture, ServerOptions, TestServer};
use serde_json::Value as Json;

fn main() {
    if let Err(e) = run() {
        eprintln!("invex-llm-test-server: {e}");
        std::process::exit(2);
    }
}

fn run() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let mut fixture_path = None;
    let mut faults = Faults::default();
    while let Some(arg) = args.next() {
        let mut number = |name: &str| -> Result<u32, String> {
            args.next()
                .and_then(|v| v.parse().ok())
                .ok_or_else(|| format!("{name} needs a whole number"))
        };
        match arg.as_str() {
            "--invent-every" => faults.invent_every = number("--invent-every")?,
            "--storm" => faults.storm = number("--storm")?,
            "--malformed-every" => faults.malformed_every = number("--malformed-every")?,
            _ if fixture_path.is_none() && !arg.starts_with('-') => fixture_path = Some(arg),
            _ => return Err(format!("unknown argument {arg:?}")),
        }
    }
    let path =
        fixture_path.ok_or("usage: invex-llm-test-server FIXTURE.jsonl [--invent-every N]")?;
    let file = std::fs::File::open(&path).map_err(|e| format!("{path}: {e}"))?;
    let mut fixture = Fixture::new();
    for (n, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.map_err(|e| format!("{path}: {e}"))?;
        if line.trim().is_empty() {
            continue;
        }
        let row: Json =
            serde_json::from_str(&line).map_err(|e| format!("{path}:{}: {e}", n + 1))?;
        let (Some(hash), Some(answer)) = (row["sha256"].as_str(), row["answer"].as_object()) else {
            return Err(format!("{path}:{}: expected {{\"sha256\", \"answer\"}}", n + 1));
        };
        fixture.insert(hash.to_string(), answer.clone());
    }
    let server = TestServer::start(fixture, ServerOptions { faults, ..Default::default() })
        .map_err(|e| format!("cannot start: {e}"))?;
    println!("{}", server.base_url());
    println!("{}", server.api_key());
    // Serve until whoever started us closes our stdin.
    let _ = std::io::stdin().read_to_end(&mut Vec::new());
    let violations = server.violations();
    eprintln!(
        "invex-llm-test-server: {} chat requests, {} answered, {} invented values, {} contract violations",
        server.chat_requests(),
        server.answered(),
        server.invented().len(),
        violations.len()
    );
    for v in &violations {
        eprintln!("  violation: {v}");
    }
    if !violations.is_empty() {
        std::process::exit(1);
    }
    Ok(())
}
