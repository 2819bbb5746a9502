//! Any OpenAI-compatible chat-completions endpoint (OpenAI, Azure OpenAI, vLLM, Ollama,
//! llama.cpp's server, LM Studio): `POST {endpoint}/chat/completions` with the key as a bearer
//! token, asking for JSON that fits the task's schema (`response_format: json_schema`). A
//! server that refuses schemas is switched to JSON mode (`json_object`, the schema then goes
//! into the instructions) on its first refusal, for the life of the process.

use crate::model::{CallError, ChatAnswer, ChatBackend, ChatRequest};
use anyhow::Context;
use async_trait::async_trait;
use serde_json::{Value, json};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Most bytes of an error body quoted in a message.
const ERROR_EXCERPT: usize = 300;

#[derive(Debug)]
pub struct OpenAiBackend {
    client: reqwest::Client,
    url: String,
    model: String,
    key: Option<String>,
    json_mode: AtomicBool,
}

impl OpenAiBackend {
    /// A client for `endpoint` (the base URL; `/chat/completions` is appended) and `model`.
    /// `key`, when given, is sent as a bearer token. `timeout` bounds one request.
    pub fn new(
        endpoint: &str,
        model: &str,
        key: Option<String>,
        json_mode: bool,
        timeout: Duration,
    ) -> anyhow::Result<OpenAiBackend> {
        // reqwest is built without a crypto provider: ring, as everywhere in the workspace.
        let _ = rustls::crypto::ring::default_provider().install_default();
        // The resilience layer bounds every call with `timeout` and says so in the fallback
        // reason; the client's own bound is only a backstop behind it, so the two never race.
        let client = reqwest::Client::builder()
            .timeout(timeout + Duration::from_secs(1))
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .build()
            .context("build the HTTP client for the model endpoint")?;
        Ok(OpenAiBackend {
            client,
            url: format!("{}/chat/completions", endpoint.trim_end_matches('/')),
            model: model.to_string(),
            key: key.filter(|k| !k.trim().is_empty()),
            json_mode: AtomicBool::new(json_mode),
        })
    }

    /// The key from the environment variable `var`, if set.
    pub fn key_from_env(var: &str) -> Option<String> {
        std::env::var(var).ok().filter(|k| !k.trim().is_empty())
    }

    /// True once the backend asks for JSON mode instead of a schema.
    pub fn in_json_mode(&self) -> bool {
        self.json_mode.load(Ordering::Relaxed)
    }

    fn body(&self, req: &ChatRequest, json_mode: bool) -> Value {
        let mut system = req.system.clone();
        if json_mode {
            system.push_str(&format!(
                "\n\n## Answer format\n\nOne JSON object that fits this JSON Schema:\n\n```json\n{}\n```\n",
                req.schema
            ));
        }
        let mut messages = vec![
            json!({"role": "system", "content": system}),
            json!({"role": "user", "content": req.user}),
        ];
        if let Some((previous, problem)) = &req.repair {
            messages.push(json!({"role": "assistant", "content": previous}));
            messages.push(json!({"role": "user", "content": format!(
                "That answer cannot be used: {problem}. Answer again with one JSON object that fits the schema, and nothing else."
            )}));
        }
        let response_format = if json_mode {
            json!({"type": "json_object"})
        } else {
            json!({
                "type": "json_schema",
                "json_schema": {"name": req.task.as_str(), "strict": true, "schema": req.schema}
            })
        };
        json!({
            "model": self.model,
            "messages": messages,
            "temperature": 0,
            "max_tokens": req.max_tokens,
            "response_format": response_format,
        })
    }

    async fn post(&self, body: &Value) -> Result<(u16, Option<String>, String), CallError> {
        let mut rb = self
            .client
            .post(&self.url)
            .header("content-type", "application/json")
            .body(body.to_string());
        if let Some(k) = &self.key {
            rb = rb.bearer_auth(k);
        }
        let resp = rb.send().await.map_err(|e| CallError::Retryable {
            message: format!("{}: {}", self.url, describe(&e)),
            retry_after: None,
        })?;
        let status = resp.status().as_u16();
        let retry_after = resp
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let text = resp.text().await.map_err(|e| CallError::Retryable {
            message: format!("{}: the answer broke off: {}", self.url, describe(&e)),
            retry_after: None,
        })?;
        Ok((status, retry_after, text))
    }
}

fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timed out".into()
    } else if e.is_connect() {
        "cannot connect".into()
    } else {
        let mut s = e.to_string();
        let mut src = std::error::Error::source(e);
        while let Some(inner) = src {
            s.push_str(&format!(": {inner}"));
            src = inner.source();
        }
        s
    }
}

fn excerpt(text: &str) -> String {
    let t: String = text.chars().take(ERROR_EXCERPT).collect();
    t.replace(['\n', '\r'], " ")
}

/// `Retry-After` as seconds or as an HTTP date.
pub fn parse_retry_after(v: &str) -> Option<Duration> {
    let v = v.trim();
    if let Ok(secs) = v.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs));
    }
    let at = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    let wait = at.with_timezone(&chrono::Utc) - chrono::Utc::now();
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}

/// Does a 400 say that the server does not take `response_format: json_schema`?
fn refuses_schemas(body: &str) -> bool {
    let b = body.to_lowercase();
    b.contains("response_format") || b.contains("json_schema")
}

#[async_trait]
impl ChatBackend for OpenAiBackend {
    fn provider(&self) -> &'static str {
        "openai"
    }

    fn model(&self) -> &str {
        &self.model
    }

    async fn chat(&self, req: &ChatRequest) -> Result<ChatAnswer, CallError> {
        let mut json_mode = self.in_json_mode();
        let (status, retry_after, text) = loop {
            let (status, retry_after, text) = self.post(&self.body(req, json_mode)).await?;
            if status == 400 && !json_mode && refuses_schemas(&text) {
                tracing::warn!(url = %self.url, "the model server refuses JSON schemas: switching to JSON mode");
                self.json_mode.store(true, Ordering::Relaxed);
                json_mode = true;
                continue;
            }
            break (status, retry_after, text);
        };
        match status {
            200..=299 => {}
            408 | 409 | 425 | 429 | 500..=599 => {
                return Err(CallError::Retryable {
                    message: format!("{} answered {status}: {}", self.url, excerpt(&text)),
                    retry_after: retry_after.as_deref().and_then(parse_retry_after),
                });
            }
            _ => {
                return Err(CallError::Fatal(format!(
                    "{} answered {status}: {}",
                    self.url,
                    excerpt(&text)
                )));
            }
        }
        let v: Value = serde_json::from_str(&text).map_err(|e| CallError::Retryable {
            message: format!("{} answered something that is not JSON: {e}", self.url),
            retry_after: None,
        })?;
        let message = &v["choices"][0]["message"];
        if let Some(refusal) = message["refusal"].as_str() {
            return Err(CallError::Fatal(format!(
                "the model refused: {}",
                excerpt(refusal)
            )));
        }
        let content = message["content"]
            .as_str()
            .ok_or_else(|| CallError::Retryable {
                message: format!("{} answered without choices[0].message.content", self.url),
                retry_after: None,
            })?;
        Ok(ChatAnswer {
            text: content.to_string(),
            tokens_in: v["usage"]["prompt_tokens"].as_u64().unwrap_or(0),
            tokens_out: v["usage"]["completion_tokens"].as_u64().unwrap_or(0),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        assert_eq!(parse_retry_after("2"), Some(Duration::from_secs(2)));
        assert_eq!(parse_retry_after("0.5"), Some(Duration::from_millis(500)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon"), None);
    }
}
