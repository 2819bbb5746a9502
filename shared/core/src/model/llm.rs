//! [`LlmModel`]: the `Model` port for any [`ChatBackend`]. It renders the task (the prompt
//! file, the seller's reference, the spotlighted data), sends it through the provider's
//! [`Resilience`], checks the answer against the task's schema and asks once more, with the
//! problem named, when it does not fit.

use crate::config::ModelConfig;
use crate::model::resilience::{Policy, Resilience};
use crate::model::{ChatBackend, ChatRequest, prompts, schema, spotlight};
use crate::ports::{Model, ModelContext, ModelError, ModelOutput, ModelTask};
use async_trait::async_trait;
use serde_json::Value;
use std::sync::Arc;
use std::time::Instant;

pub struct LlmModel {
    backend: Arc<dyn ChatBackend>,
    resilience: Resilience,
    config: ModelConfig,
}

impl LlmModel {
    pub fn new(backend: Arc<dyn ChatBackend>, config: &ModelConfig) -> LlmModel {
        LlmModel {
            backend,
            resilience: Resilience::new(Policy::of(config)),
            config: config.clone(),
        }
    }

    pub fn resilience(&self) -> &Resilience {
        &self.resilience
    }
}

#[async_trait]
impl Model for LlmModel {
    fn name(&self) -> &str {
        self.backend.model()
    }

    async fn run(&self, task: ModelTask, input: &Value) -> Result<ModelOutput, ModelError> {
        self.run_for(&ModelContext::default(), task, input).await
    }

    async fn run_for(
        &self,
        ctx: &ModelContext,
        task: ModelTask,
        input: &Value,
    ) -> Result<ModelOutput, ModelError> {
        if !self.config.tasks.contains(&task) {
            return Err(ModelError::Refused(format!(
                "model.tasks leaves {} to the offline engine",
                task.as_str()
            )));
        }
        let (system, user) = spotlight::render(task, input).map_err(ModelError::BadOutput)?;
        let schema = schema::schema(task);
        // About four characters a token, plus the longest answer allowed.
        let estimate =
            ((system.len() + user.len()) / 4) as u64 + u64::from(self.config.max_output_tokens);
        self.resilience.admit(ctx, estimate)?;
        let started = Instant::now();
        let mut out = ModelOutput {
            output: Value::Null,
            model: self.backend.model().to_string(),
            prompt_version: prompts::prompt(task).version(),
            tokens_in: 0,
            tokens_out: 0,
            provider: self.backend.provider().to_string(),
            latency_ms: 0,
        };
        let mut req = ChatRequest {
            task,
            system,
            user,
            schema: schema.clone(),
            max_tokens: self.config.max_output_tokens,
            repair: None,
        };
        let mut first_problem: Option<String> = None;
        loop {
            let answer = match self.resilience.call(|| self.backend.chat(&req)).await {
                Ok((answer, _tries)) => answer,
                Err(e) => {
                    return Err(match first_problem {
                        // The repair attempt failed to arrive: report the first problem,
                        // with what the first answer cost.
                        Some(p) => {
                            out.latency_ms = started.elapsed().as_millis() as u64;
                            ModelError::Unusable(
                                format!("{p}; the repair attempt failed: {e}"),
                                Box::new(out),
                            )
                        }
                        None => e,
                    });
                }
            };
            out.tokens_in += answer.tokens_in;
            out.tokens_out += answer.tokens_out;
            self.resilience.spent(answer.tokens_in + answer.tokens_out);
            out.latency_ms = started.elapsed().as_millis() as u64;
            let checked = schema::extract_json(&answer.text)
                .and_then(|v| schema::validate(&v, &schema).map(|()| v));
            match (checked, first_problem.take()) {
                (Ok(v), _) => {
                    out.output = v;
                    return Ok(out);
                }
                (Err(problem), None) => {
                    tracing::debug!(task = task.as_str(), %problem, "the model's answer does not fit; asking once more");
                    req.repair = Some((answer.text, problem.clone()));
                    first_problem = Some(problem);
                }
                (Err(problem), Some(first)) => {
                    out.output = Value::String(answer.text);
                    return Err(ModelError::Unusable(
                        format!("{first}; after the repair attempt: {problem}"),
                        Box::new(out),
                    ));
                }
            }
        }
    }

    fn cost(&self, tokens_in: u64, tokens_out: u64) -> f64 {
        self.config.cost(tokens_in, tokens_out)
    }
}
