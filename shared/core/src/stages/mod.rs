//! The stage handlers. Each one is `async fn handle(msg, &Deps) -> Result<Outcome, StageError>`:
//! it loads the lead, decides, writes the lead with a conditional update, writes a run record
//! and enqueues the next stage. The Lambda functions and the local worker call the same
//! functions; nothing here knows which backend it runs on.

pub mod consent;
pub mod corrections;
pub mod engage;
pub mod feedback;
pub mod handover;
pub mod outreach;
pub mod research;
pub mod runner;
pub mod select;
pub mod supervise;
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
    pub fn to_body(&self) -> Result<String, StageError> {
        serde_json::to_string(self).map_err(|e| {
            StageError::Permanent(anyhow::Error::new(e).context("failed to encode a stage message"))
        })
    }
}

/// One check's verdict, in the words SES receipt notifications use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Verdict {
    Pass,
    Fail,
    /// Neither pass nor fail (SES: the check could not decide).
    Gray,
    ProcessingFailed,
    /// The check is turned off for the receiving rule.
    Disabled,
    /// A word this build does not know: treated as no verdict.
    #[serde(other)]
    Unknown,
}

/// Mail-authentication verdicts as the receiving system reported them (`None`: not checked).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthVerdicts {
    pub spf: Option<Verdict>,
    pub dkim: Option<Verdict>,
    pub dmarc: Option<Verdict>,
    /// The ARC chain of a forwarded message (checked on one machine; SES reports none).
    #[serde(default)]
    pub arc: Option<Verdict>,
    pub spam: Option<Verdict>,
    pub virus: Option<Verdict>,
}

impl AuthVerdicts {
    /// True unless a verdict is `Fail`. Missing verdicts (local files) are not failures.
    pub fn passed(&self) -> bool {
        [
            self.spf, self.dkim, self.dmarc, self.arc, self.spam, self.virus,
        ]
        .iter()
        .all(|v| *v != Some(Verdict::Fail))
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
    /// What was decided, as a stable key (`sent`, `skipped`, `handover`, …) that reports
    /// count by.
    pub decision: String,
    /// Why, for people (`lead is contacted`), when there is more to say.
    pub detail: Option<String>,
}

impl Outcome {
    pub fn new(lead_id: Option<LeadId>, decision: impl Into<String>) -> Outcome {
        Outcome {
            lead_id,
            decision: decision.into(),
            detail: None,
        }
    }

    /// Nothing to do: the work was done before or the lead is elsewhere.
    pub fn skipped(lead_id: Option<LeadId>, why: impl Into<String>) -> Outcome {
        Outcome {
            lead_id,
            decision: "skipped".into(),
            detail: Some(why.into()),
        }
    }

    /// The message is not for this stage (a notification of another kind).
    pub fn ignored(why: impl Into<String>) -> Outcome {
        Outcome {
            lead_id: None,
            decision: "ignored".into(),
            detail: Some(why.into()),
        }
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.detail {
            Some(d) => write!(f, "{}: {d}", self.decision),
            None => f.write_str(&self.decision),
        }
    }
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
    /// A conditional write found the lead changed since it was read: another delivery of
    /// the same message, or another message about the lead, got there first. Handlers end
    /// without side effects on it; one that escapes a handler is retried, and the retry
    /// finds the new state.
    #[error("conflict: {0}")]
    Conflict(String),
}

impl From<StoreError> for StageError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Transient(e) => StageError::Transient(e),
            StoreError::Unexpected(e) => StageError::Transient(e),
            StoreError::Conflict(what) => StageError::Conflict(what),
            other => StageError::Permanent(anyhow::Error::new(other)),
        }
    }
}

impl StageError {
    pub fn permanent(msg: impl std::fmt::Display) -> Self {
        StageError::Permanent(anyhow::anyhow!("{msg}"))
    }
    /// Worth another try later (a transient failure, or a write that lost a race).
    pub fn is_transient(&self) -> bool {
        matches!(self, StageError::Transient(_) | StageError::Conflict(_))
    }
}

/// Decode a body and run the stage that `queue` feeds.
pub async fn handle(queue: QueueName, body: &str, deps: &Deps) -> Result<Outcome, StageError> {
    if queue == QueueName::Webhooks {
        return crate::webhooks::handle(body, deps).await;
    }
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
        QueueName::Engage | QueueName::Webhooks => unreachable_engage(),
    }
}

fn unreachable_engage() -> Result<Outcome, StageError> {
    Err(StageError::permanent("engage messages are handled above"))
}

/// sha256 of the JSON of what a step decided on.
pub fn digest<T: Serialize + ?Sized>(inputs: &T) -> String {
    match serde_json::to_vec(inputs) {
        Ok(bytes) => hex::encode(Sha256::digest(&bytes)),
        Err(e) => {
            // Only a type with a map of non-string keys fails here; the digest then names
            // the failure instead of standing for empty input.
            tracing::warn!(error = %e, "the inputs of a step could not be encoded for their digest");
            hex::encode(Sha256::digest(
                format!("unencodable inputs: {e}").as_bytes(),
            ))
        }
    }
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
                model_calls: Vec::new(),
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

    /// Record one model call: the record's model and prompt become the call's, its tokens
    /// add up.
    pub fn call(&mut self, call: crate::ports::ModelCall) -> &mut Self {
        self.record.model = Some(call.model.clone());
        self.record.prompt_version = Some(call.prompt.clone());
        self.record.tokens_in += call.tokens_in;
        self.record.tokens_out += call.tokens_out;
        self.record.model_calls.push(call);
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
        // Notes the step gathered on the way (a model's fallback, what it read) follow the
        // decision's own reasons, once.
        let gathered = std::mem::replace(&mut self.record.reasons, reasons);
        for r in gathered {
            if !self.record.reasons.contains(&r) {
                self.record.reasons.push(r);
            }
        }
        self.record.duration_ms = self.started.elapsed().as_millis() as u64;
        deps.ports.runs.append(&self.record).await?;
        Ok(Outcome::new(self.record.lead_id.clone(), decision))
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
    crate::webhooks::after_write(deps, expected.stage, lead).await;
    Ok(())
}

/// Enqueue the next stage for a lead.
pub async fn enqueue(deps: &Deps, queue: QueueName, msg: &StageMessage) -> Result<(), StageError> {
    deps.ports.queue.send(queue, &[msg.to_body()?]).await?;
    Ok(())
}

/// Did a write fail because another delivery changed the lead first?
pub fn is_conflict(e: &StageError) -> bool {
    matches!(e, StageError::Conflict(_))
}
