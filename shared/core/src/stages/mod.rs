//! The stage handlers. Each one is `async fn handle(msg, &Deps) -> Result<Outcome, StageError>`:
//! it loads the lead, decides, writes the lead with a conditional update, writes a run record
//! and enqueues the next stage. The Lambda functions and the local worker call the same
//! functions; nothing here knows which backend it runs on.

pub mod consent;
pub mod engage;
pub mod feedback;
pub mod handover;
pub mod outreach;
pub mod research;
pub mod runner;
pub mod select;
pub mod validate;

use crate::domain::{Lead, LeadId};
use crate::lifecycle::Expected;
use crate::ports::{Deps, QueueName, RunRecord, StoreError};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::time::Instant;

/// Version of the queue message bodies below.
pub const MESSAGE_VERSION: u32 = 1;

/// The body of a message on the validate, research, outreach and handover queues.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageMessage {
    pub v: u32,
    pub lead_id: LeadId,
    pub run_id: String,
    /// The touch to send (outreach only); absent for the first touch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub touch: Option<u32>,
}

impl StageMessage {
    pub fn new(lead_id: LeadId, run_id: &str) -> Self {
        StageMessage {
            v: MESSAGE_VERSION,
            lead_id,
            run_id: run_id.to_string(),
            touch: None,
        }
    }
    pub fn to_body(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// Mail-authentication verdicts as the receiving system (SES) reported them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthVerdicts {
    pub spf: Option<String>,
    pub dkim: Option<String>,
    pub dmarc: Option<String>,
    pub spam: Option<String>,
    pub virus: Option<String>,
}

impl AuthVerdicts {
    /// True unless a verdict says FAIL. Missing verdicts (local files) are not failures.
    pub fn passed(&self) -> bool {
        [&self.spf, &self.dkim, &self.dmarc, &self.spam, &self.virus]
            .iter()
            .all(|v| !v.as_deref().is_some_and(|s| s.eq_ignore_ascii_case("FAIL")))
    }
}

/// The body of a message on the engage queue: where the raw inbound mail is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboundMessage {
    pub v: u32,
    /// Key of the raw message in the inbox (S3 key, file path).
    pub key: String,
    #[serde(default)]
    pub verdicts: AuthVerdicts,
}

/// How a stage ended for one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub lead_id: Option<LeadId>,
    pub decision: String,
}

/// Every error at a stage boundary is either worth a retry or not.
#[derive(Debug, thiserror::Error)]
pub enum StageError {
    /// Retry the message (the store or a provider was unavailable).
    #[error("transient: {0:#}")]
    Transient(anyhow::Error),
    /// Record it on the lead, acknowledge the message, never loop.
    #[error("permanent: {0:#}")]
    Permanent(anyhow::Error),
}

impl From<StoreError> for StageError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Transient(e) => StageError::Transient(e),
            StoreError::Unexpected(e) => StageError::Transient(e),
            other => StageError::Permanent(anyhow::Error::new(other)),
        }
    }
}

impl StageError {
    pub fn permanent(msg: impl std::fmt::Display) -> Self {
        StageError::Permanent(anyhow::anyhow!("{msg}"))
    }
    pub fn is_transient(&self) -> bool {
        matches!(self, StageError::Transient(_))
    }
}

/// Decode a body and run the stage that `queue` feeds.
pub async fn handle(queue: QueueName, body: &str, deps: &Deps) -> Result<Outcome, StageError> {
    if queue == QueueName::Engage {
        let msg: InboundMessage = serde_json::from_str(body)
            .map_err(|e| StageError::permanent(format!("malformed engage message: {e}")))?;
        return engage::handle(msg, deps).await;
    }
    let msg: StageMessage = serde_json::from_str(body)
        .map_err(|e| StageError::permanent(format!("malformed {} message: {e}", queue.as_str())))?;
    if msg.v > MESSAGE_VERSION {
        return Err(StageError::permanent(format!(
            "message version {} is newer than this build understands ({MESSAGE_VERSION})",
            msg.v
        )));
    }
    match queue {
        QueueName::Validate => validate::handle(msg, deps).await,
        QueueName::Research => research::handle(msg, deps).await,
        QueueName::Outreach => outreach::handle(msg, deps).await,
        QueueName::Handover => handover::handle(msg, deps).await,
        QueueName::Engage => unreachable_engage(),
    }
}

fn unreachable_engage() -> Result<Outcome, StageError> {
    Err(StageError::permanent("engage messages are handled above"))
}

/// sha256 of the JSON of what a step decided on.
pub fn digest<T: Serialize + ?Sized>(inputs: &T) -> String {
    let bytes = serde_json::to_vec(inputs).unwrap_or_default();
    hex::encode(Sha256::digest(&bytes))
}

/// Builds the run record of one step.
pub struct Step {
    started: Instant,
    pub record: RunRecord,
}

impl Step {
    pub fn start(deps: &Deps, run_id: &str, lead: Option<&LeadId>, stage: &str) -> Step {
        Step {
            started: Instant::now(),
            record: RunRecord {
                run_id: run_id.to_string(),
                lead_id: lead.cloned(),
                stage: stage.to_string(),
                decision: String::new(),
                reasons: Vec::new(),
                inputs_digest: String::new(),
                at: deps.ports.clock.now(),
                duration_ms: 0,
                model: None,
                prompt_version: None,
                tokens_in: 0,
                tokens_out: 0,
                error: None,
            },
        }
    }

    pub fn inputs<T: Serialize + ?Sized>(&mut self, inputs: &T) -> &mut Self {
        self.record.inputs_digest = digest(inputs);
        self
    }

    pub fn model(&mut self, out: &crate::ports::ModelOutput) -> &mut Self {
        self.record.model = Some(out.model.clone());
        self.record.prompt_version = Some(out.prompt_version.clone());
        self.record.tokens_in += out.tokens_in;
        self.record.tokens_out += out.tokens_out;
        self
    }

    /// Write the record with the decision and reasons; returns the outcome.
    pub async fn finish(
        mut self,
        deps: &Deps,
        decision: &str,
        reasons: Vec<String>,
    ) -> Result<Outcome, StageError> {
        self.record.decision = decision.to_string();
        self.record.reasons = reasons;
        self.record.duration_ms = self.started.elapsed().as_millis() as u64;
        deps.ports.runs.append(&self.record).await?;
        Ok(Outcome {
            lead_id: self.record.lead_id.clone(),
            decision: decision.to_string(),
        })
    }

    /// Write the record of a failed step, then hand the error back.
    pub async fn fail(mut self, deps: &Deps, err: StageError) -> StageError {
        self.record.decision = "error".into();
        self.record.error = Some(err.to_string());
        self.record.duration_ms = self.started.elapsed().as_millis() as u64;
        if let Err(e) = deps.ports.runs.append(&self.record).await {
            tracing::warn!(error = %e, "could not write the run record of a failed step");
        }
        err
    }
}

/// Load a lead or fail permanently (a message about an unknown lead can never succeed).
pub async fn load(deps: &Deps, id: &LeadId) -> Result<Lead, StageError> {
    deps.ports
        .leads
        .get(id)
        .await?
        .ok_or_else(|| StageError::permanent(format!("lead {id} does not exist")))
}

/// Write a lead changed in memory; `expected` was taken before the change. A conflict means
/// another delivery of the same message got there first.
pub async fn save(deps: &Deps, lead: &mut Lead, expected: Expected) -> Result<(), StageError> {
    lead.updated_at = deps.ports.clock.now();
    let saved = deps.ports.leads.update(lead, expected).await?;
    *lead = saved;
    Ok(())
}

/// Enqueue the next stage for a lead.
pub async fn enqueue(deps: &Deps, queue: QueueName, msg: &StageMessage) -> Result<(), StageError> {
    deps.ports.queue.send(queue, &[msg.to_body()]).await?;
    Ok(())
}

/// Did a write fail because another delivery changed the lead first?
pub fn is_conflict(e: &StageError) -> bool {
    matches!(e, StageError::Permanent(inner)
        if inner.downcast_ref::<StoreError>().is_some_and(|s| matches!(s, StoreError::Conflict(_))))
}
