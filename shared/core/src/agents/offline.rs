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

#[async_trait]
impl Model for OfflineModel {
    fn name(&self) -> &str {
        "offline"
    }

    async fn run(&self, task: ModelTask, req: &Value) -> Result<ModelOutput, ModelError> {
        let output = match task {
            ModelTask::Classify => {
                let mail: InboundEmail = input(req, Some("email"))?;
                serde_json::to_value(classify::classify(&mail))
            }
            ModelTask::Draft => {
                let d: outreach::DraftInput = input(req, None)?;
                serde_json::to_value(outreach::draft(&d))
            }
            ModelTask::Summarize => {
                let lead: Lead = input(req, Some("lead"))?;
                Ok(serde_json::json!({ "summary": summary::handover_summary(&lead) }))
            }
        }
        .map_err(|e| ModelError::Unexpected(e.into()))?;
        Ok(ModelOutput {
            output,
            model: "offline".into(),
            prompt_version: format!("{VERSION}/{}", task.as_str()),
            tokens_in: 0,
            tokens_out: 0,
        })
    }
}
