//! Amazon Bedrock behind the core's model port: the Converse API through the AWS SDK, one
//! model id, the answer's JSON taken from a forced tool call whose input schema is the
//! task's schema. The SDK's own retries are off: retries, backoff, the circuit breaker and
//! the budgets are the core's ([`sqa_core::model::resilience`]), shared with every provider.

use async_trait::async_trait;
use aws_sdk_bedrockruntime::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_bedrockruntime::operation::converse::ConverseError;
use aws_sdk_bedrockruntime::types::{
    ContentBlock, ConversationRole, ConverseOutput, InferenceConfiguration, Message,
    SpecificToolChoice, SystemContentBlock, Tool, ToolChoice, ToolConfiguration, ToolInputSchema,
    ToolSpecification,
};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_types::{Document, Number};
use sqa_core::config::ModelConfig;
use sqa_core::model::llm::LlmModel;
use sqa_core::model::{CallError, ChatAnswer, ChatBackend, ChatRequest};
use sqa_core::ports::Model;
use std::collections::HashMap;
use std::sync::Arc;

pub struct BedrockBackend {
    client: aws_sdk_bedrockruntime::Client,
    model_id: String,
}

impl BedrockBackend {
    /// A Converse client for `model_id` on `sdk` (its region, credentials and endpoint), in
    /// `region` when one is given.
    pub fn new(sdk: &aws_config::SdkConfig, model_id: &str, region: &str) -> BedrockBackend {
        let mut conf = aws_sdk_bedrockruntime::config::Builder::from(sdk)
            .retry_config(aws_sdk_bedrockruntime::config::retry::RetryConfig::disabled());
        if !region.trim().is_empty() {
            conf = conf.region(aws_sdk_bedrockruntime::config::Region::new(
                region.trim().to_string(),
            ));
        }
        BedrockBackend {
            client: aws_sdk_bedrockruntime::Client::from_conf(conf.build()),
            model_id: model_id.to_string(),
        }
    }
}

/// The Bedrock model `[model]` describes, with the core's resilience around it.
pub fn model(sdk: &aws_config::SdkConfig, cfg: &ModelConfig) -> Arc<dyn Model> {
    Arc::new(LlmModel::new(
        Arc::new(BedrockBackend::new(sdk, &cfg.model_id, &cfg.region)),
        cfg,
    ))
}

/// serde JSON → a Smithy document (tool schemas).
pub fn to_document(v: &serde_json::Value) -> Document {
    use serde_json::Value;
    match v {
        Value::Null => Document::Null,
        Value::Bool(b) => Document::Bool(*b),
        Value::Number(n) => Document::Number(if let Some(u) = n.as_u64() {
            Number::PosInt(u)
        } else if let Some(i) = n.as_i64() {
            Number::NegInt(i)
        } else {
            Number::Float(n.as_f64().unwrap_or(0.0))
        }),
        Value::String(s) => Document::String(s.clone()),
        Value::Array(a) => Document::Array(a.iter().map(to_document).collect()),
        Value::Object(o) => Document::Object(
            o.iter()
                .map(|(k, v)| (k.clone(), to_document(v)))
                .collect::<HashMap<_, _>>(),
        ),
    }
}

/// A Smithy document → serde JSON (a tool call's input).
pub fn from_document(d: &Document) -> serde_json::Value {
    use serde_json::Value;
    match d {
        Document::Null => Value::Null,
        Document::Bool(b) => Value::Bool(*b),
        Document::Number(Number::PosInt(u)) => Value::from(*u),
        Document::Number(Number::NegInt(i)) => Value::from(*i),
        Document::Number(Number::Float(f)) => serde_json::Number::from_f64(*f)
            .map(Value::Number)
            .unwrap_or(Value::Null),
        Document::String(s) => Value::String(s.clone()),
        Document::Array(a) => Value::Array(a.iter().map(from_document).collect()),
        Document::Object(o) => Value::Object(
            o.iter()
                .map(|(k, v)| (k.clone(), from_document(v)))
                .collect(),
        ),
    }
}

fn build_err(e: impl std::fmt::Display) -> CallError {
    CallError::Fatal(format!("cannot build the Converse request: {e}"))
}

fn text_message(role: ConversationRole, text: String) -> Result<Message, CallError> {
    Message::builder()
        .role(role)
        .content(ContentBlock::Text(text))
        .build()
        .map_err(build_err)
}

/// Sort an SDK error into worth-retrying or not.
fn classify_error(e: SdkError<ConverseError, HttpResponse>, model: &str) -> CallError {
    match e {
        SdkError::ServiceError(ctx) => {
            let retry_after = ctx
                .raw()
                .headers()
                .get("retry-after")
                .and_then(sqa_core::model::openai::parse_retry_after);
            let err = ctx.into_err();
            let message = format!(
                "Bedrock {model}: {}: {}",
                err.code().unwrap_or("error"),
                err.message().unwrap_or("")
            );
            match err {
                ConverseError::ThrottlingException(_)
                | ConverseError::ServiceUnavailableException(_)
                | ConverseError::InternalServerException(_)
                | ConverseError::ModelNotReadyException(_)
                | ConverseError::ModelTimeoutException(_) => CallError::Retryable {
                    message,
                    retry_after,
                },
                _ => CallError::Fatal(message),
            }
        }
        SdkError::TimeoutError(_) => CallError::Retryable {
            message: format!("Bedrock {model}: timed out"),
            retry_after: None,
        },
        SdkError::DispatchFailure(d) => CallError::Retryable {
            message: format!("Bedrock {model}: cannot reach the endpoint: {d:?}"),
            retry_after: None,
        },
        SdkError::ResponseError(r) => CallError::Retryable {
            message: format!("Bedrock {model}: the answer broke off: {r:?}"),
            retry_after: None,
        },
        other => CallError::Fatal(format!("Bedrock {model}: {other}")),
    }
}

#[async_trait]
impl ChatBackend for BedrockBackend {
    fn provider(&self) -> &'static str {
        "bedrock"
    }

    fn model(&self) -> &str {
        &self.model_id
    }

    async fn chat(&self, req: &ChatRequest) -> Result<ChatAnswer, CallError> {
        let tool_name = req.task.as_str();
        let spec = ToolSpecification::builder()
            .name(tool_name)
            .description(format!(
                "Record the {tool_name} answer as the schema describes."
            ))
            .input_schema(ToolInputSchema::Json(to_document(&req.schema)))
            .build()
            .map_err(build_err)?;
        let tools = ToolConfiguration::builder()
            .tools(Tool::ToolSpec(spec))
            .tool_choice(ToolChoice::Tool(
                SpecificToolChoice::builder()
                    .name(tool_name)
                    .build()
                    .map_err(build_err)?,
            ))
            .build()
            .map_err(build_err)?;
        let mut messages = vec![text_message(ConversationRole::User, req.user.clone())?];
        if let Some((previous, problem)) = &req.repair {
            messages.push(text_message(ConversationRole::Assistant, previous.clone())?);
            messages.push(text_message(
                ConversationRole::User,
                format!(
                    "That answer cannot be used: {problem}. Call the {tool_name} tool again with input that fits its schema."
                ),
            )?);
        }
        let out = self
            .client
            .converse()
            .model_id(&self.model_id)
            .system(SystemContentBlock::Text(req.system.clone()))
            .set_messages(Some(messages))
            .tool_config(tools)
            .inference_config(
                InferenceConfiguration::builder()
                    .max_tokens(i32::try_from(req.max_tokens).unwrap_or(i32::MAX))
                    .temperature(0.0)
                    .build(),
            )
            .send()
            .await
            .map_err(|e| classify_error(e, &self.model_id))?;
        let (tokens_in, tokens_out) = out
            .usage()
            .map(|u| {
                (
                    u.input_tokens().max(0) as u64,
                    u.output_tokens().max(0) as u64,
                )
            })
            .unwrap_or((0, 0));
        let Some(ConverseOutput::Message(message)) = out.output() else {
            return Err(CallError::Retryable {
                message: format!("Bedrock {}: an answer without a message", self.model_id),
                retry_after: None,
            });
        };
        // The forced tool call carries the JSON; a model that wrote text instead is handed
        // back as text, for the schema check (and its repair) to judge.
        let mut text = String::new();
        for block in message.content() {
            match block {
                ContentBlock::ToolUse(t) => {
                    text = from_document(t.input()).to_string();
                    break;
                }
                ContentBlock::Text(t) => text.push_str(t),
                _ => {}
            }
        }
        Ok(ChatAnswer {
            text,
            tokens_in,
            tokens_out,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_round_trip_json() {
        let v = serde_json::json!({"a": [1, -2, 1.5, "x", true, null], "b": {"c": "d"}});
        assert_eq!(from_document(&to_document(&v)), v);
    }
}
