//! The OpenAI Batch API path (`--llm-batch`): the unsure invoices of a run
//! are asked in one batch, at half the live price, answered within the
//! 24-hour window. The flow is the published one: upload a JSONL file of
//! requests (purpose `batch`), create the batch, poll it, then download its
//! output and error files. The batch in flight is remembered in a state
//! file, so a run stopped while it is in progress (or that waited
//! `--llm-batch-wait` in vain) picks the same batch up when run again.
//!
//! Each answer is settled as a live one ([`Inner::settle`]): usage recorded
//! (at the batch price), checked, cached; an unusable answer is asked again
//! once, live. The tenant's switch, the cache and the budget are applied
//! before anything is sent, as live.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use async_openai::types::batches::BatchStatus;
use invex_domain::fallback::{FallbackJob, FallbackOutcome};
use serde_json::{Value as Json, json};
use tracing::{info, warn};

use crate::client::RawAnswer;
use crate::stage::{Inner, LlmStats, Ticket};

/// The Batch API costs half the live price.
pub const BATCH_PRICE_FACTOR: f64 = 0.5;

/// Where a batch in flight is remembered, how often it is polled, and how
/// long a run waits for it.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchOptions {
    pub state: PathBuf,
    pub poll: Duration,
    pub max_wait: Duration,
}

/// What is kept about a batch in flight.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct BatchState {
    pub batch_id: String,
    pub input_file_id: String,
    /// The content hashes sent (the requests' `custom_id`s), in order.
    pub sent: Vec<String>,
}

impl BatchState {
    fn read(path: &Path) -> Option<BatchState> {
        let text = std::fs::read_to_string(path).ok()?;
        serde_json::from_str(&text).ok()
    }

    fn write(&self, path: &Path) -> Result<(), String> {
        let text = serde_json::to_string_pretty(self).map_err(|e| e.to_string())?;
        std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
    }
}

impl Inner {
    /// Asks about `jobs` through the Batch API; one outcome per job, in order.
    pub(crate) async fn ask_batch(
        &self,
        jobs: &[FallbackJob],
        options: &BatchOptions,
    ) -> Vec<FallbackOutcome> {
        let mut outcomes: Vec<Option<FallbackOutcome>> = vec![None; jobs.len()];
        let mut tickets: Vec<Option<Ticket>> = Vec::with_capacity(jobs.len());
        // One request per distinct file; its answer serves every copy.
        let mut by_hash: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (i, job) in jobs.iter().enumerate() {
            LlmStats::add(&self.stats.asked, 1);
            match self.admit(job, BATCH_PRICE_FACTOR).await {
                Err(settled) => {
                    outcomes[i] = Some(settled);
                    tickets.push(None);
                }
                Ok(ticket) => {
                    by_hash.entry(job.content_hash.as_str()).or_default().push(i);
                    tickets.push(Some(ticket));
                }
            }
        }
        let requests: Vec<(String, Json)> = by_hash
            .iter()
            .filter_map(|(hash, indices)| {
                let ticket = tickets[indices[0]].as_ref()?;
                let body = serde_json::to_value(self.request(ticket)).ok()?;
                Some((hash.to_string(), body))
            })
            .collect();
        let answers = if requests.is_empty() {
            Ok(HashMap::new())
        } else {
            self.run_batch(&requests, options).await
        };
        for (hash, indices) in &by_hash {
            for &i in indices {
                let Some(ticket) = tickets[i].take() else { continue };
                let outcome = match &answers {
                    Err(reason) => FallbackOutcome::GaveUp { reason: reason.clone() },
                    Ok(answers) => match answers.get(*hash) {
                        Some(Ok(raw)) => {
                            self.settle(&jobs[i], &ticket, raw.clone(), BATCH_PRICE_FACTOR).await
                        }
                        Some(Err(reason)) => FallbackOutcome::GaveUp { reason: reason.clone() },
                        None => FallbackOutcome::GaveUp {
                            reason: "no answer for it in the batch's output".into(),
                        },
                    },
                };
                self.release(ticket).await;
                outcomes[i] = Some(outcome);
            }
        }
        outcomes
            .into_iter()
            .zip(jobs)
            .map(|(outcome, job)| {
                let outcome = outcome.unwrap_or(FallbackOutcome::GaveUp {
                    reason: "the request could not be written".into(),
                });
                self.count(job, &outcome);
                outcome
            })
            .collect()
    }

    /// Sends `requests` (content hash, chat completion body) as one batch,
    /// or picks up the batch the state file names when it sent the same;
    /// waits for it and reads its output and error files.
    async fn run_batch(
        &self,
        requests: &[(String, Json)],
        options: &BatchOptions,
    ) -> Result<HashMap<String, Result<RawAnswer, String>>, String> {
        let hashes: Vec<String> = requests.iter().map(|(h, _)| h.clone()).collect();
        let batch_id = match BatchState::read(&options.state).filter(|s| s.sent == hashes) {
            Some(state) => {
                info!(batch = %state.batch_id, "picking up the batch in flight");
                state.batch_id
            }
            None => {
                let jsonl: String = requests
                    .iter()
                    .map(|(hash, body)| {
                        let line = json!({"custom_id": hash, "method": "POST",
                            "url": "/v1/chat/completions", "body": body});
                        format!("{line}\n")
                    })
                    .collect();
                LlmStats::add(&self.stats.requests, requests.len() as u64);
                let (batch_id, input_file_id) = self.client.start_batch(jsonl.into_bytes()).await?;
                info!(batch = %batch_id, requests = requests.len(), "batch created");
                BatchState { batch_id: batch_id.clone(), input_file_id, sent: hashes }
                    .write(&options.state)?;
                batch_id
            }
        };
        let started = Instant::now();
        let batch = loop {
            let batch = self.client.batch(&batch_id).await?;
            match batch.status {
                BatchStatus::Completed => break batch,
                BatchStatus::Failed
                | BatchStatus::Expired
                | BatchStatus::Cancelled
                | BatchStatus::Cancelling => {
                    let _ = std::fs::remove_file(&options.state);
                    let errors = batch.errors.map(|e| {
                        e.data.iter().map(|d| d.message.clone()).collect::<Vec<_>>().join("; ")
                    });
                    return Err(format!(
                        "the batch {batch_id} ended {:?}{}",
                        batch.status,
                        errors.map(|e| format!(": {e}")).unwrap_or_default()
                    ));
                }
                BatchStatus::Validating | BatchStatus::InProgress | BatchStatus::Finalizing => {}
            }
            if started.elapsed() >= options.max_wait {
                return Err(format!(
                    "the batch {batch_id} is still {:?}; run again to pick it up ({})",
                    batch.status,
                    options.state.display()
                ));
            }
            tokio::time::sleep(options.poll).await;
        };
        let mut answers = HashMap::new();
        for (file, is_output) in [(&batch.output_file_id, true), (&batch.error_file_id, false)] {
            let Some(file) = file else { continue };
            let bytes = self.client.file_content(file).await?;
            for line in String::from_utf8_lossy(&bytes).lines().filter(|l| !l.trim().is_empty()) {
                match batch_line(line) {
                    Ok((hash, answer)) => {
                        answers.insert(hash, answer);
                    }
                    Err(e) => warn!(error = %e, output = is_output, "unreadable batch line"),
                }
            }
        }
        let _ = std::fs::remove_file(&options.state);
        Ok(answers)
    }
}

/// One line of a batch's output or error file: its `custom_id` and the
/// answer, or why there is none.
fn batch_line(line: &str) -> Result<(String, Result<RawAnswer, String>), String> {
    let json: Json = serde_json::from_str(line).map_err(|e| e.to_string())?;
    let hash = json["custom_id"].as_str().ok_or("no custom_id")?.to_string();
    if let Some(error) = json.get("error").filter(|e| !e.is_null()) {
        let message = error["message"].as_str().unwrap_or("an error");
        return Ok((hash, Err(format!("the batch request failed: {message}"))));
    }
    let response = &json["response"];
    let status = response["status_code"].as_u64().unwrap_or(0);
    if status != 200 {
        let message = response["body"]["error"]["message"].as_str().unwrap_or("no message");
        return Ok((hash, Err(format!("the batch request failed ({status}): {message}"))));
    }
    let body = serde_json::from_value(response["body"].clone())
        .map_err(|e| format!("{hash}: the response body is not a chat completion: {e}"))?;
    Ok((hash, Ok(crate::client::raw_answer(body))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_lines_are_read_or_say_why_not() {
        let ok = json!({"id": "batch_req_1", "custom_id": "abc", "response": {"status_code": 200,
            "request_id": "r1", "body": {"id": "c1", "object": "chat.completion", "created": 1,
            "model": "gpt-4o-mini", "choices": [{"index": 0, "finish_reason": "stop", "logprobs": null,
            "message": {"role": "assistant", "content": "{}", "refusal": null}}],
            "usage": {"prompt_tokens": 10, "completion_tokens": 2, "total_tokens": 12}}}, "error": null});
        let (hash, answer) = batch_line(&ok.to_string()).unwrap();
        assert_eq!(hash, "abc");
        let raw = answer.unwrap();
        assert_eq!((raw.content.as_deref(), raw.prompt_tokens), (Some("{}"), 10));
        let failed = json!({"custom_id": "def", "response": null,
            "error": {"code": "invalid_request", "message": "bad body"}});
        assert_eq!(
            batch_line(&failed.to_string()).unwrap().1,
            Err("the batch request failed: bad body".into())
        );
        let refused = json!({"custom_id": "ghi", "response": {"status_code": 400,
            "body": {"error": {"message": "no such model"}}}, "error": null});
        assert!(
            batch_line(&refused.to_string())
                .unwrap()
                .1
                .unwrap_err()
                .contains("(400): no such model")
        );
        assert!(batch_line("not json").is_err());
    }
}
