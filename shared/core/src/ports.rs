//! The ports: what the core needs from the world, as role traits.
//!
//! Each backend (`shared/local`, `shared/aws`) implements every trait here, and one
//! contract suite per trait (`crate::contract`) runs against every implementation.
//! Contracts are written with MUST wording on each method.

use crate::config::AgentConfig;
use crate::domain::{Lead, LeadId, Stage};
use crate::lifecycle::Expected;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Errors of a store or a queue: the variants a caller branches on.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The conditional write found another stage or version (someone else got there first).
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("not found: {0}")]
    NotFound(String),
    /// Worth retrying (throttling, a timeout, a connection reset).
    #[error("transient: {0}")]
    Transient(#[source] anyhow::Error),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// One page of results and the cursor for the next page, if any.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<String>,
}

/// Filter for listing leads (views).
#[derive(Debug, Clone, Default)]
pub struct LeadFilter {
    pub stage: Option<Stage>,
    pub owner: Option<String>,
}

#[async_trait]
pub trait LeadStore: Send + Sync {
    /// Insert a new lead. MUST return `StoreError::Conflict` if a lead with this id exists,
    /// and MUST then leave the stored lead unchanged.
    async fn insert(&self, lead: &Lead) -> StoreResult<()>;

    /// One lead by id, with its version. MUST return `Ok(None)` for an unknown id.
    async fn get(&self, id: &LeadId) -> StoreResult<Option<Lead>>;

    /// Write `lead` if, and only if, the stored lead has `expected.stage` and
    /// `expected.version`. On success the stored version MUST be `expected.version + 1` and
    /// the returned lead carries it; otherwise MUST return `StoreError::Conflict` and change
    /// nothing. MUST return `StoreError::NotFound` for an unknown id.
    async fn update(&self, lead: &Lead, expected: Expected) -> StoreResult<Lead>;

    /// Leads in `stage` whose `created_at` lies in `[from, to]`, oldest first, in pages of at
    /// most `limit`. MUST NOT return leads without `created_at`. MUST NOT scan the whole table
    /// (an index on stage + created time).
    async fn created_between(
        &self,
        stage: Stage,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        cursor: Option<String>,
        limit: usize,
    ) -> StoreResult<Page<Lead>>;

    /// Leads whose `next_touch_at` is at or before `now`, in any stage, at most `limit`.
    async fn due_before(&self, now: DateTime<Utc>, limit: usize) -> StoreResult<Vec<Lead>>;

    /// Leads whose `email_key` equals `key` (lowercased normalized address), in insertion order.
    async fn find_by_email(&self, key: &str) -> StoreResult<Vec<LeadId>>;

    /// Leads newest first (by insertion), filtered, in pages.
    async fn list(
        &self,
        filter: &LeadFilter,
        cursor: Option<String>,
        limit: usize,
    ) -> StoreResult<Page<Lead>>;

    /// How many leads are in each stage. MUST be exact after every successful write.
    async fn count_by_stage(&self) -> StoreResult<BTreeMap<Stage, u64>>;
}

/// One version of the agent configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredConfig {
    pub version: u64,
    pub saved_at: DateTime<Utc>,
    /// The TOML text as the user wrote it.
    pub toml: String,
}

#[async_trait]
pub trait ConfigStore: Send + Sync {
    /// Save a new version of the config. MUST store it as `expected_version + 1` only if the
    /// active version is `expected_version` (0 when none), else `StoreError::Conflict`.
    async fn save(&self, toml: &str, expected_version: u64, at: DateTime<Utc>) -> StoreResult<u64>;
    /// The active (latest) config, if any.
    async fn active(&self) -> StoreResult<Option<StoredConfig>>;
    /// Every version, oldest first.
    async fn history(&self) -> StoreResult<Vec<StoredConfig>>;
    /// Atomically add one to the counter `key` and return the value before the increment
    /// (0 for a new counter). Two concurrent callers MUST never get the same value.
    async fn next_in_sequence(&self, key: &str) -> StoreResult<u64>;
}

/// One step on one lead, as it happened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    pub run_id: String,
    pub lead_id: Option<LeadId>,
    pub stage: String,
    pub decision: String,
    pub reasons: Vec<String>,
    /// sha256 of the inputs the step decided on, hex.
    pub inputs_digest: String,
    pub at: DateTime<Utc>,
    pub duration_ms: u64,
    pub model: Option<String>,
    pub prompt_version: Option<String>,
    pub tokens_in: u64,
    pub tokens_out: u64,
    pub error: Option<String>,
}

#[async_trait]
pub trait RunLog: Send + Sync {
    /// Append a record. MUST keep every record (no overwrite of an equal one).
    async fn append(&self, record: &RunRecord) -> StoreResult<()>;
    /// Records of one lead in time order (ties in append order).
    async fn for_lead(&self, id: &LeadId) -> StoreResult<Vec<RunRecord>>;
    /// Records of one run in time order.
    async fn for_run(&self, run_id: &str) -> StoreResult<Vec<RunRecord>>;
}

/// The queues that chain the stages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QueueName {
    Validate,
    Research,
    Outreach,
    Engage,
    Handover,
}

impl QueueName {
    pub const ALL: [QueueName; 5] = [
        QueueName::Validate,
        QueueName::Research,
        QueueName::Outreach,
        QueueName::Engage,
        QueueName::Handover,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            QueueName::Validate => "validate",
            QueueName::Research => "research",
            QueueName::Outreach => "outreach",
            QueueName::Engage => "engage",
            QueueName::Handover => "handover",
        }
    }
}

/// A message received from a queue.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    pub id: String,
    /// Handle for `ack` / `retry_later` (changes with every receive).
    pub receipt: String,
    pub body: String,
    /// How many times this message was received, this time included.
    pub receive_count: u32,
}

#[async_trait]
pub trait Queue: Send + Sync {
    /// Enqueue bodies (any number; adapters batch). MUST keep every body.
    async fn send(&self, queue: QueueName, bodies: &[String]) -> StoreResult<()>;
    /// Receive up to `max` visible messages and hide them for the visibility timeout.
    /// A message received more than the dead-letter threshold MUST move to the dead-letter
    /// queue instead of being returned.
    async fn receive(&self, queue: QueueName, max: usize) -> StoreResult<Vec<Delivery>>;
    /// Delete a received message. MUST be idempotent.
    async fn ack(&self, queue: QueueName, receipt: &str) -> StoreResult<()>;
    /// Make a received message visible again after `delay_secs`.
    async fn retry_later(
        &self,
        queue: QueueName,
        receipt: &str,
        delay_secs: u32,
    ) -> StoreResult<()>;
    /// Messages moved to the dead-letter queue of `queue`.
    async fn dead_letters(&self, queue: QueueName) -> StoreResult<Vec<Delivery>>;
    /// Group this process's writes to the store (leads, runs, queues) into one commit until
    /// `end_batch`: the local runner wraps each batch in it when the mailer is idempotent.
    /// A batch that fails to commit is lost as a whole and its messages come back after
    /// their visibility timeout. Backends without such a transaction do nothing.
    async fn begin_batch(&self) -> StoreResult<()> {
        Ok(())
    }
    /// Commit what `begin_batch` grouped (a no-op when no batch is open).
    async fn end_batch(&self) -> StoreResult<()> {
        Ok(())
    }
}

/// An email ready to go: the rendered RFC 5322 bytes and the envelope.
#[derive(Debug, Clone, PartialEq)]
pub struct OutgoingEmail {
    pub from: String,
    pub to: Vec<String>,
    pub message_id: String,
    pub raw: Vec<u8>,
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// The provider refused this message for good (bad address, unverified sender).
    #[error("rejected: {0}")]
    Rejected(String),
    #[error("transient: {0}")]
    Transient(#[source] anyhow::Error),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

#[async_trait]
pub trait Mailer: Send + Sync {
    /// Send one message; returns the provider's id. The core calls this at most once per
    /// touch; an adapter MUST NOT retry a send that may have been accepted.
    async fn send(&self, email: &OutgoingEmail) -> Result<String, MailError>;
    /// True when sending the same message id again delivers nothing new (the `.eml`
    /// outbox). Only then may a runner group a batch's store writes into one commit: a batch
    /// lost before its commit is handled again, and its emails must not go out twice.
    fn idempotent(&self) -> bool {
        false
    }
}

#[async_trait]
pub trait Inbox: Send + Sync {
    /// The raw bytes of one inbound message by its key (S3 key, file path).
    /// MUST return `StoreError::NotFound` for an unknown key.
    async fn fetch(&self, key: &str) -> StoreResult<Vec<u8>>;
}

/// An address the agent must never email again, and why (the consent log entry).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suppression {
    /// Lowercased normalized address.
    pub address: String,
    pub reason: String,
    pub source: String,
    pub at: DateTime<Utc>,
}

#[async_trait]
pub trait Suppressions: Send + Sync {
    /// Add an address. MUST keep the first entry when the address is already there.
    async fn add(&self, entry: &Suppression) -> StoreResult<()>;
    /// The entry for `address` (compared lowercased), if suppressed.
    async fn get(&self, address: &str) -> StoreResult<Option<Suppression>>;
    async fn list(&self) -> StoreResult<Vec<Suppression>>;
}

/// The agent tasks a model can do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelTask {
    Classify,
    Draft,
    Summarize,
}

impl ModelTask {
    pub fn as_str(self) -> &'static str {
        match self {
            ModelTask::Classify => "classify",
            ModelTask::Draft => "draft",
            ModelTask::Summarize => "summarize",
        }
    }
}

/// A model's answer: JSON the caller validates against the task's schema.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelOutput {
    pub output: serde_json::Value,
    pub model: String,
    pub prompt_version: String,
    pub tokens_in: u64,
    pub tokens_out: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("transient: {0}")]
    Transient(#[source] anyhow::Error),
    #[error("the model's answer does not fit the schema: {0}")]
    BadOutput(String),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

#[async_trait]
pub trait Model: Send + Sync {
    fn name(&self) -> &str;
    /// Run `task` on `input`. Untrusted text in `input` is data, never instructions: an
    /// implementation MUST keep it inside delimited data blocks and MUST answer JSON.
    async fn run(
        &self,
        task: ModelTask,
        input: &serde_json::Value,
    ) -> Result<ModelOutput, ModelError>;
}

/// A fetched web page.
#[derive(Debug, Clone, PartialEq)]
pub struct WebPage {
    pub url: String,
    pub status: u16,
    pub content_type: Option<String>,
    pub body: String,
}

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("not found: {0}")]
    NotFound(String),
    #[error("transient: {0}")]
    Transient(#[source] anyhow::Error),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

#[async_trait]
pub trait Web: Send + Sync {
    /// Fetch `url` (http or https). MUST return `WebError::NotFound` for a 404 or a missing
    /// page, and the body as text.
    async fn fetch(&self, url: &str) -> Result<WebPage, WebError>;
}

/// Time, injectable so that every stage behaves the same on any day in tests and demos.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// The wall clock.
pub struct SystemClock;
impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that stays where it is set (tests, `--now`).
pub struct FixedClock(std::sync::Mutex<DateTime<Utc>>);
impl FixedClock {
    pub fn new(at: DateTime<Utc>) -> Self {
        Self(std::sync::Mutex::new(at))
    }
    pub fn set(&self, at: DateTime<Utc>) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = at;
    }
    pub fn advance(&self, by: chrono::Duration) {
        let mut g = self.0.lock().unwrap_or_else(|p| p.into_inner());
        *g += by;
    }
}
impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// DNS answers for deliverability (MX, else A/AAAA; null MX per RFC 7505).
#[async_trait]
pub trait Resolver: Send + Sync {
    /// Look up whether `domain` (ASCII, IDNA-encoded) accepts mail.
    async fn deliverability(&self, domain: &str) -> crate::domain::Deliverability;
}

/// A resolver that checks nothing (offline runs, `validation.dns = "off"`).
pub struct NoDns;
#[async_trait]
impl Resolver for NoDns {
    async fn deliverability(&self, _domain: &str) -> crate::domain::Deliverability {
        crate::domain::Deliverability::NotChecked
    }
}

/// Every port, wired once per process and borrowed by every stage handler.
#[derive(Clone)]
pub struct Ports {
    pub leads: Arc<dyn LeadStore>,
    pub config: Arc<dyn ConfigStore>,
    pub runs: Arc<dyn RunLog>,
    pub queue: Arc<dyn Queue>,
    pub mailer: Arc<dyn Mailer>,
    pub inbox: Arc<dyn Inbox>,
    pub suppressions: Arc<dyn Suppressions>,
    pub model: Arc<dyn Model>,
    pub web: Arc<dyn Web>,
    pub clock: Arc<dyn Clock>,
    pub dns: Arc<dyn Resolver>,
}

/// What a stage handler gets: the ports and the active configuration.
#[derive(Clone)]
pub struct Deps {
    pub ports: Ports,
    pub config: Arc<AgentConfig>,
    /// Signs one-click unsubscribe tokens (from the environment or the local state dir;
    /// never from the config file).
    pub secret: Arc<str>,
    /// Research shared by the leads of one company (kept across config reloads).
    pub research_cache: Arc<crate::stages::research::ResearchCache>,
}
