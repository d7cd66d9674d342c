//! The HTTP side, through async-openai: one chat completion with a strict
//! JSON schema, behind a concurrency limit (a semaphore), retries of 429 and 5xx that
//! honour `Retry-After` (async-openai's retry layer), a per-attempt timeout,
//! and a circuit breaker that stops calling an endpoint that keeps failing.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use async_openai::Client;
use async_openai::config::OpenAIConfig;
use async_openai::error::OpenAIError;
use async_openai::middleware::ReqwestService;
use async_openai::middleware::retry::OpenAIRetryLayer;
use async_openai::types::InputSource;
use async_openai::types::batches::Batch;
use async_openai::types::chat::{
    ChatCompletionRequestSystemMessage, ChatCompletionRequestUserMessage,
    CreateChatCompletionRequest, CreateChatCompletionResponse, FinishReason, ResponseFormat,
    ResponseFormatJsonSchema,
};
use async_openai::types::files::{CreateFileRequest, FileInput, FilePurpose};
use serde_json::Value as Json;

use crate::LlmError;
use crate::config::LlmConfig;

/// What one chat completion returned.
#[derive(Debug, Clone, PartialEq)]
pub struct RawAnswer {
    /// The message's content (the JSON), when there is one.
    pub content: Option<String>,
    /// The model's refusal, when it refused.
    pub refusal: Option<String>,
    /// True when the answer was cut off (`finish_reason: length`).
    pub truncated: bool,
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
}

/// Why a call brought no answer.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CallError {
    #[error("the endpoint is down (circuit open after {0} failed calls); not called")]
    CircuitOpen(u32),
    #[error("the endpoint answered with an error: {0}")]
    Api(String),
    #[error("no answer from the endpoint: {0}")]
    Transport(String),
}

/// A client for one endpoint and model.
pub struct LlmClient {
    client: Client<OpenAIConfig>,
    model: String,
    /// Calls in flight at once. The breaker is asked after a slot is taken,
    /// so calls queued behind a failing one are not sent once it opens.
    slots: tokio::sync::Semaphore,
    breaker: Breaker,
}

impl LlmClient {
    pub fn new(config: &LlmConfig) -> Result<LlmClient, LlmError> {
        // async-openai's reqwest is built without a TLS provider: install ring
        // (already installed is fine).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest013::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| LlmError::Config(format!("HTTP client: {e}")))?;
        let service = tower::ServiceBuilder::new()
            .layer(OpenAIRetryLayer::new(config.max_retries))
            .service(ReqwestService::new(http));
        let mut openai = OpenAIConfig::new().with_api_base(config.base_url.trim_end_matches('/'));
        if let Some(key) = &config.api_key {
            openai = openai.with_api_key(key.expose());
        }
        Ok(LlmClient {
            client: Client::with_config(openai).with_http_service(service),
            model: config.model.clone(),
            slots: tokio::sync::Semaphore::new(config.concurrency.max(1)),
            breaker: Breaker::new(config.breaker_failures, config.breaker_cooldown),
        })
    }

    pub fn model(&self) -> &str {
        &self.model
    }

    /// The request for one invoice, as sent (also a Batch API line's body).
    pub fn request(&self, system: &str, user: String, schema: Json) -> CreateChatCompletionRequest {
        CreateChatCompletionRequest {
            model: self.model.clone(),
            messages: vec![
                ChatCompletionRequestSystemMessage::from(system).into(),
                ChatCompletionRequestUserMessage::from(user).into(),
            ],
            response_format: Some(ResponseFormat::JsonSchema {
                json_schema: ResponseFormatJsonSchema {
                    description: None,
                    name: "invoice_fields".into(),
                    schema,
                    strict: Some(true),
                },
            }),
            ..Default::default()
        }
    }

    /// Sends one request. Retries of 429/5xx happen inside; an error here
    /// is final for this call.
    pub async fn complete(
        &self,
        request: CreateChatCompletionRequest,
    ) -> Result<RawAnswer, CallError> {
        let _slot =
            self.slots.acquire().await.map_err(|_| CallError::Transport("closed".into()))?;
        self.breaker.check()?;
        let result = self.client.chat().create(request).await;
        self.breaker.record(result.is_ok());
        let response = result.map_err(|e| match e {
            OpenAIError::ApiError(api) => CallError::Api(api.to_string()),
            other => CallError::Transport(other.to_string()),
        })?;
        Ok(raw_answer(response))
    }

    /// The Batch API's first two steps: uploads `jsonl` (purpose `batch`)
    /// and creates a batch of chat completions from it, in the 24-hour
    /// window. The batch's id and the input file's.
    pub async fn start_batch(&self, jsonl: Vec<u8>) -> Result<(String, String), String> {
        let file = self
            .client
            .files()
            .create(CreateFileRequest {
                file: FileInput {
                    source: InputSource::VecU8 { filename: "invex-batch.jsonl".into(), vec: jsonl },
                },
                purpose: FilePurpose::Batch,
                expires_after: None,
            })
            .await
            .map_err(|e| format!("uploading the batch file: {e}"))?;
        // Our own JSON, not async-openai's `BatchRequest`: that one writes
        // `output_expires_after: null`, which the published schema does not
        // allow (the test server refuses it).
        let request = serde_json::json!({
            "input_file_id": file.id,
            "endpoint": "/v1/chat/completions",
            "completion_window": "24h",
            "metadata": {"invex_prompt": crate::prompt::PROMPT_VERSION},
        });
        let batch: Batch = self
            .client
            .batches()
            .create_byot(request)
            .await
            .map_err(|e| format!("creating the batch: {e}"))?;
        Ok((batch.id, file.id))
    }

    /// A batch as it stands.
    pub async fn batch(&self, id: &str) -> Result<Batch, String> {
        self.client.batches().retrieve(id).await.map_err(|e| format!("reading the batch {id}: {e}"))
    }

    /// A file's content (a batch's output or error file).
    pub async fn file_content(&self, id: &str) -> Result<Vec<u8>, String> {
        let bytes = self.client.files().content(id).await;
        bytes.map(|b| b.to_vec()).map_err(|e| format!("downloading the file {id}: {e}"))
    }
}

/// A chat completion's first choice, its refusal and its token counts.
pub(crate) fn raw_answer(response: CreateChatCompletionResponse) -> RawAnswer {
    let usage = response.usage.as_ref();
    let (prompt_tokens, completion_tokens) =
        usage.map_or((0, 0), |u| (u.prompt_tokens as u64, u.completion_tokens as u64));
    let choice = response.choices.into_iter().next();
    let (content, refusal, truncated) = match choice {
        Some(c) => {
            (c.message.content, c.message.refusal, c.finish_reason == Some(FinishReason::Length))
        }
        None => (None, None, false),
    };
    RawAnswer { content, refusal, truncated, prompt_tokens, completion_tokens }
}

/// Opens after `limit` consecutive failed calls; while open, calls fail at
/// once; after `cooldown`, one call is let through (half-open) and its
/// outcome closes or reopens it.
struct Breaker {
    limit: u32,
    cooldown: Duration,
    state: Mutex<(u32, Option<Instant>)>,
}

impl Breaker {
    fn new(limit: u32, cooldown: Duration) -> Self {
        Breaker { limit: limit.max(1), cooldown, state: Mutex::new((0, None)) }
    }

    fn check(&self) -> Result<(), CallError> {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        match state.1 {
            Some(opened) if opened.elapsed() < self.cooldown => {
                Err(CallError::CircuitOpen(state.0))
            }
            Some(_) => {
                // Half-open: let this call try; the next ones wait for its outcome.
                state.1 = Some(Instant::now());
                Ok(())
            }
            None => Ok(()),
        }
    }

    fn record(&self, ok: bool) {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if ok {
            *state = (0, None);
        } else {
            state.0 += 1;
            if state.0 >= self.limit {
                state.1 = Some(Instant::now());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_breaker_opens_after_the_limit_and_closes_on_success() {
        let breaker = Breaker::new(2, Duration::from_millis(50));
        breaker.record(false);
        assert!(breaker.check().is_ok(), "one failure leaves it closed");
        breaker.record(false);
        assert_eq!(breaker.check(), Err(CallError::CircuitOpen(2)));
        std::thread::sleep(Duration::from_millis(60));
        assert!(breaker.check().is_ok(), "half-open after the cooldown");
        assert!(breaker.check().is_err(), "only one call goes through half-open");
        breaker.record(true);
        assert!(breaker.check().is_ok());
    }
}
