//! Language models behind the `Model` port, and the gateway the stages call them through.
//!
//! The pieces, from the stage outwards:
//!
//! - [`gateway`]: one call per stage call site. It decides whether the model is asked at all
//!   (machine mail never is), checks what comes back (schema, opt-out floor, grounding of
//!   every claim, output guardrails), falls back to the offline engine when the answer cannot
//!   be used, and writes what the call cost and why a fallback happened into the run record.
//! - [`llm::LlmModel`]: the `Model` port for any chat backend. It renders a task's input into
//!   instructions (the versioned prompt file and the seller's reference) and labelled data
//!   blocks (everything a lead or a web page wrote), asks for JSON that fits the task's
//!   schema, and repairs a broken answer once.
//! - [`resilience::Resilience`]: what every provider shares: time limits, retries with
//!   backoff and jitter that honour `Retry-After`, a circuit breaker, a concurrency limit and
//!   token budgets per lead and per day.
//! - [`openai::OpenAiBackend`]: any OpenAI-compatible chat-completions endpoint. Bedrock's
//!   backend lives in `sqa-aws` (the core never links an AWS crate).

pub mod checks;
pub mod gateway;
pub mod llm;
pub mod openai;
pub mod prompts;
pub mod resilience;
pub mod schema;
pub mod spotlight;

use crate::ports::ModelTask;
use async_trait::async_trait;
use std::time::Duration;

/// One request to a chat model.
#[derive(Debug, Clone)]
pub struct ChatRequest {
    pub task: ModelTask,
    /// The instructions: the prompt file and the seller's reference. Never lead text.
    pub system: String,
    /// The data blocks (lead replies, web pages, lead fields), delimited and labelled.
    pub user: String,
    /// The JSON Schema the answer must fit.
    pub schema: serde_json::Value,
    pub max_tokens: u32,
    /// A second try: the answer that did not fit and what was wrong with it.
    pub repair: Option<(String, String)>,
}

/// What a chat model answered: the JSON text and the tokens it counted.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatAnswer {
    pub text: String,
    pub tokens_in: u64,
    pub tokens_out: u64,
}

/// Why one attempt failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CallError {
    /// Worth another attempt: throttling (429), a server error (5xx), a timeout, a broken
    /// connection. `retry_after` is the server's `Retry-After`, when it sent one.
    #[error("{message}")]
    Retryable {
        message: String,
        retry_after: Option<Duration>,
    },
    /// Not worth another attempt: a refused key, an unknown model, a malformed request.
    #[error("{0}")]
    Fatal(String),
}

/// A provider's transport: one attempt, no retries (those are [`resilience`]'s).
#[async_trait]
pub trait ChatBackend: Send + Sync {
    /// `openai` or `bedrock`.
    fn provider(&self) -> &'static str;
    /// The model as the provider names it.
    fn model(&self) -> &str;
    async fn chat(&self, req: &ChatRequest) -> Result<ChatAnswer, CallError>;
}

/// The OpenAI-compatible model `[model]` describes, with `key` as its bearer token, inside
/// the shared resilience.
pub fn openai_model(
    cfg: &crate::config::ModelConfig,
    key: Option<String>,
) -> anyhow::Result<std::sync::Arc<dyn crate::ports::Model>> {
    let backend = openai::OpenAiBackend::new(
        &cfg.endpoint,
        &cfg.name,
        key,
        cfg.json_mode,
        Duration::from_millis(cfg.timeout_ms),
    )?;
    Ok(std::sync::Arc::new(llm::LlmModel::new(
        std::sync::Arc::new(backend),
        cfg,
    )))
}
