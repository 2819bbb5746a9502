//! The offline model: the `Model` port answered by the deterministic agents. It needs no
//! network and no key, gives the same answer for the same input, and is the default.

use crate::agents::{classify, outreach, summary};
use crate::domain::Lead;
use crate::mail::parse::InboundEmail;
use crate::ports::{Model, ModelError, ModelOutput, ModelTask};
use async_trait::async_trait;
use serde_json::Value;

/// Version of the deterministic agents' behaviour, written into every run record.
pub const VERSION: &str = "offline-1";

#[derive(Debug, Default, Clone, Copy)]
pub struct OfflineModel;

fn input<T: serde::de::DeserializeOwned>(v: &Value, field: Option<&str>) -> Result<T, ModelError> {
    let v = match field {
        Some(f) => v.get(f).cloned().unwrap_or(Value::Null),
        None => v.clone(),
    };
    serde_json::from_value(v).map_err(|e| ModelError::BadOutput(format!("unexpected input: {e}")))
}

/// One task of the offline model: the agent's answer as JSON.
pub type TaskFn = fn(&Value) -> Result<Value, ModelError>;

/// Classify a reply (`{"email": InboundEmail}`).
pub fn classify_task(req: &Value) -> Result<Value, ModelError> {
    let mail: InboundEmail = input(req, Some("email"))?;
    serde_json::to_value(classify::classify(&mail)).map_err(|e| ModelError::Unexpected(e.into()))
}

/// Draft an email (`DraftInput`).
pub fn draft_task(req: &Value) -> Result<Value, ModelError> {
    let d: outreach::DraftInput = input(req, None)?;
    serde_json::to_value(outreach::draft(&d)).map_err(|e| ModelError::Unexpected(e.into()))
}

/// Answer a lead's questions from retrieved passages (`AnswerInput`); `null` when the
/// passages answer nothing.
pub fn answer_task(req: &Value) -> Result<Value, ModelError> {
    let a: outreach::AnswerInput = input(req, None)?;
    serde_json::to_value(outreach::answer_from(&a)).map_err(|e| ModelError::Unexpected(e.into()))
}

/// Summarize a lead for the seller (`{"lead": Lead}`).
pub fn summarize_task(req: &Value) -> Result<Value, ModelError> {
    let lead: Lead = input(req, Some("lead"))?;
    Ok(serde_json::json!({ "summary": summary::handover_summary(&lead) }))
}

fn answer(task: ModelTask, f: TaskFn, req: &Value) -> Result<ModelOutput, ModelError> {
    Ok(ModelOutput {
        output: f(req)?,
        model: "offline".into(),
        prompt_version: format!("{VERSION}/{}", task.as_str()),
        tokens_in: 0,
        tokens_out: 0,
        provider: "offline".into(),
        latency_ms: 0,
    })
}

#[async_trait]
impl Model for OfflineModel {
    fn name(&self) -> &str {
        "offline"
    }

    async fn run(&self, task: ModelTask, req: &Value) -> Result<ModelOutput, ModelError> {
        OfflineTasks::ALL.run(task, req).await
    }

    fn is_offline(&self) -> bool {
        true
    }
}

/// The offline model restricted to some tasks, chosen where the program is put together:
/// a program links only the agents of the tasks it names (a Lambda function that only
/// drafts carries no reply classifier). A task it does not name is an error. Same answers
/// as [`OfflineModel`] for the tasks it has.
#[derive(Debug, Clone, Copy)]
pub struct OfflineTasks {
    pub classify: Option<TaskFn>,
    pub draft: Option<TaskFn>,
    pub answer: Option<TaskFn>,
    pub summarize: Option<TaskFn>,
}

impl OfflineTasks {
    pub const ALL: OfflineTasks = OfflineTasks {
        classify: Some(classify_task),
        draft: Some(draft_task),
        answer: Some(answer_task),
        summarize: Some(summarize_task),
    };
    /// The engage function: classifying replies and answering questions.
    pub const CLASSIFY: OfflineTasks = OfflineTasks {
        classify: Some(classify_task),
        draft: None,
        answer: Some(answer_task),
        summarize: None,
    };
    pub const DRAFT: OfflineTasks = OfflineTasks {
        classify: None,
        draft: Some(draft_task),
        answer: None,
        summarize: None,
    };
    pub const SUMMARIZE: OfflineTasks = OfflineTasks {
        classify: None,
        draft: None,
        answer: None,
        summarize: Some(summarize_task),
    };
}

#[async_trait]
impl Model for OfflineTasks {
    fn name(&self) -> &str {
        "offline"
    }

    fn is_offline(&self) -> bool {
        true
    }

    async fn run(&self, task: ModelTask, req: &Value) -> Result<ModelOutput, ModelError> {
        let f = match task {
            ModelTask::Classify => self.classify,
            ModelTask::Draft => self.draft,
            ModelTask::Answer => self.answer,
            ModelTask::Summarize => self.summarize,
            // The offline engine's research is the research agent's own extraction.
            ModelTask::Research => None,
        };
        match f {
            Some(f) => answer(task, f, req),
            None => Err(ModelError::Unexpected(anyhow::anyhow!(
                "this program's offline model does not run the {} task",
                task.as_str()
            ))),
        }
    }
}
