//! The ports: what the core needs from the world, as role traits.
//!
//! Each backend (`shared/local`, `shared/aws`) implements every trait here. Each method states
//! its contract in MUST words, and one contract suite per trait (in the test crate,
//! `tests/src/contract/`) checks those words against every implementation: the in-memory
//! adapters, the embedded ones and the AWS ones on moto.

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
    /// The item is there but refused as it is (over a size limit, not a regular file):
    /// trying again cannot help.
    #[error("refused: {0}")]
    Refused(String),
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

    /// Leads whose `next_touch_at` is at or before `now`, in any stage, earliest due first,
    /// at most `limit`. MUST NOT return leads without `next_touch_at`, and MUST follow updates
    /// of it (a cleared due time leaves the list). MUST NOT scan the whole table (an index on
    /// the due time).
    async fn due_before(&self, now: DateTime<Utc>, limit: usize) -> StoreResult<Vec<Lead>>;

    /// Leads waiting for their next stage's message (`Lead::waiting_since` is `Some`) since
    /// at or before `older_than`, longest waiting first, at most `limit`: what a crash between
    /// a write and its enqueue may have left behind. MUST NOT return a lead whose
    /// `waiting_since` is `None` or later than `older_than`, and MUST follow updates (a lead
    /// written again waits since its new `updated_at`; a lead moved on leaves the list).
    /// MUST NOT scan the whole table (an index on the waiting time, holding waiting leads
    /// only).
    async fn stalled(&self, older_than: DateTime<Utc>, limit: usize) -> StoreResult<Vec<Lead>>;

    /// Leads whose `email_key` equals `key` (lowercased normalized address). MUST return every
    /// such lead in insertion order, follow updates of `email_key`, and return an empty list
    /// for a key no lead has. MUST NOT scan the whole table (an index on the key).
    async fn find_by_email(&self, key: &str) -> StoreResult<Vec<LeadId>>;

    /// The lead one of whose touches carries `provider_id` (the id the mail provider
    /// returned for the send, from which SES builds the Message-ID on the wire). MUST follow
    /// updates (a touch that gains a provider id is found from that write on), MUST return
    /// `Ok(None)` for an id no touch has, and MUST NOT scan the whole table (an index on the
    /// provider ids).
    async fn find_by_provider_id(&self, provider_id: &str) -> StoreResult<Option<LeadId>>;

    /// Leads whose account (`Lead::account`, the company domain) equals `account`, in
    /// insertion order. MUST follow updates (a lead whose address or website changes moves
    /// to its new account; a lead with no account is in none), return an empty list for an
    /// account no lead has, and MUST NOT scan the whole table (an index on the account).
    async fn find_by_account(&self, account: &str) -> StoreResult<Vec<LeadId>>;

    /// Leads newest first (by insertion), filtered by stage and owner when given. Each page
    /// MUST hold at most `limit` leads; following `next` until it is `None` MUST visit every
    /// matching lead exactly once. Updates of stage or owner MUST move a lead between
    /// filters without changing its place. (Views only: no stage calls this.)
    async fn list(
        &self,
        filter: &LeadFilter,
        cursor: Option<String>,
        limit: usize,
    ) -> StoreResult<Page<Lead>>;

    /// How many leads are in each stage. MUST be exact after every successful write.
    async fn count_by_stage(&self) -> StoreResult<BTreeMap<Stage, u64>>;
}

/// The colleagues of `lead`: the other leads of its account, read through the account
/// index (never a scan), in insertion order. A lead with no account has none.
pub async fn colleagues_of(store: &dyn LeadStore, lead: &Lead) -> StoreResult<Vec<Lead>> {
    let Some(account) = lead.account() else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for id in store.find_by_account(&account).await? {
        if id == lead.id {
            continue;
        }
        if let Some(l) = store.get(&id).await?
            && l.account().as_deref() == Some(account.as_str())
        {
            out.push(l);
        }
    }
    Ok(out)
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
    /// The active config: the latest saved version exactly as saved. MUST be `Ok(None)`
    /// before the first save.
    async fn active(&self) -> StoreResult<Option<StoredConfig>>;
    /// Every saved version, oldest first. Its last entry MUST be `active()`.
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
    /// Every model call the step made, in order (absent in records written before models
    /// were measured).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub model_calls: Vec<ModelCall>,
}

/// One call to the model port, as measured: what it cost and whether its answer was used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelCall {
    pub task: ModelTask,
    /// `offline`, `openai` or `bedrock`.
    pub provider: String,
    pub model: String,
    /// `task@` and the first 12 hex digits of the prompt file's sha256 (`offline-1/task` for
    /// the offline engine).
    pub prompt: String,
    pub tokens_in: u64,
    pub tokens_out: u64,
    pub latency_ms: u64,
    /// In the currency of the config's prices, at the prices in force when the call was made.
    #[serde(default)]
    pub cost: f64,
    /// Why the offline engine answered instead (`None`: the model's answer was used).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fallback: Option<String>,
}

#[async_trait]
pub trait RunLog: Send + Sync {
    /// Append a record. MUST keep every record (no overwrite of an equal one).
    async fn append(&self, record: &RunRecord) -> StoreResult<()>;
    /// Every record of one lead (duplicates kept), in time order, ties in append order.
    /// MUST be empty for a lead with no record.
    async fn for_lead(&self, id: &LeadId) -> StoreResult<Vec<RunRecord>>;
    /// Every record of one run, in time order, ties in append order. MUST be empty for an
    /// unknown run.
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
    /// Events for the configured webhooks (`crate::webhooks`).
    Webhooks,
}

impl QueueName {
    pub const ALL: [QueueName; 6] = [
        QueueName::Validate,
        QueueName::Research,
        QueueName::Outreach,
        QueueName::Engage,
        QueueName::Handover,
        QueueName::Webhooks,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            QueueName::Validate => "validate",
            QueueName::Research => "research",
            QueueName::Outreach => "outreach",
            QueueName::Engage => "engage",
            QueueName::Handover => "handover",
            QueueName::Webhooks => "webhooks",
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
    /// Enqueue bodies (any number, none included; adapters batch). MUST keep every body and
    /// deliver each on `queue` only.
    async fn send(&self, queue: QueueName, bodies: &[String]) -> StoreResult<()>;
    /// Receive up to `max` visible messages and hide them for the visibility timeout. MUST
    /// return at most `max`, give each receive a new receipt and count it in
    /// `receive_count` (1 on the first receive). A message received more than the
    /// dead-letter threshold MUST move to the dead-letter queue instead of being returned.
    async fn receive(&self, queue: QueueName, max: usize) -> StoreResult<Vec<Delivery>>;
    /// Delete the received message `receipt` names. MUST be idempotent: a second ack of the
    /// same receipt succeeds and changes nothing.
    async fn ack(&self, queue: QueueName, receipt: &str) -> StoreResult<()>;
    /// Make a received message visible again after `delay_secs` (0: at once). Until then
    /// receive MUST NOT return it; after, it MUST come back with the same id and body. MUST
    /// succeed, changing nothing, when the message was acknowledged already.
    async fn retry_later(
        &self,
        queue: QueueName,
        receipt: &str,
        delay_secs: u32,
    ) -> StoreResult<()>;
    /// Messages moved to the dead-letter queue of `queue`, each once. MUST leave them there
    /// (a second call returns them again) and MUST NOT return another queue's.
    async fn dead_letters(&self, queue: QueueName) -> StoreResult<Vec<Delivery>>;
    /// Group this process's writes to the store (leads, runs, queues) into one commit until
    /// `end_batch`: the local runner wraps each batch in it when the mailer is idempotent.
    /// A batch that fails to commit is lost as a whole and its messages come back after
    /// their visibility timeout. Backends without such a transaction MUST do nothing and
    /// succeed; either way every write MUST be visible after `end_batch`.
    async fn begin_batch(&self) -> StoreResult<()> {
        Ok(())
    }
    /// Commit what `begin_batch` grouped. MUST succeed and do nothing when no batch is open.
    async fn end_batch(&self) -> StoreResult<()> {
        Ok(())
    }
    /// Drop what `begin_batch` grouped, after an error half way: none of the batch's writes
    /// MUST remain. MUST succeed and do nothing when no batch is open (and on backends
    /// without the transaction, whose writes are each their own).
    async fn abort_batch(&self) -> StoreResult<()> {
        Ok(())
    }
    /// Messages on `queue` that are not visible now: received and neither acknowledged nor
    /// yet visible again (in flight: being handled, or left by a process that died), or
    /// sent with a delay. MUST count every such message once and MUST NOT count a visible,
    /// an acknowledged or a dead-lettered one. Backends that only estimate (SQS) MAY lag a
    /// little behind a change, never by a whole visibility timeout.
    async fn pending(&self, queue: QueueName) -> StoreResult<u64>;
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
    /// Send one message exactly as rendered (`raw`, unchanged) and return the provider's id,
    /// which MUST NOT be empty. The core calls this at most once per touch; an adapter MUST
    /// NOT retry a send that may have been accepted. A message the provider refuses for good
    /// (no recipient, an unverified sender) MUST be `MailError::Rejected`; an outage in
    /// which nothing was accepted MUST be `MailError::Transient`.
    async fn send(&self, email: &OutgoingEmail) -> Result<String, MailError>;
    /// True when the send record lives in the store's transaction (the local outbox): a
    /// message sent inside a batch (`Queue::begin_batch`) is delivered only when the batch
    /// commits, and a message recorded as sent is never delivered again. Only then may a
    /// runner group a batch's store writes into one commit: a batch lost before its commit
    /// sent nothing and is handled again. MUST be true only if a second send of one message
    /// id delivers nothing and returns the first send's provider id, whatever became of the
    /// delivered copy.
    fn idempotent(&self) -> bool {
        false
    }
    /// The Message-ID the recipient sees for a message this mailer accepted with
    /// `provider_id`, when the provider replaces the one in `raw` (SES does). MUST be `None`
    /// when the message goes out with its own Message-ID.
    fn wire_id(&self, provider_id: &str) -> Option<String> {
        let _ = provider_id;
        None
    }
    /// True when the provider replaces the Message-ID in `raw` (then `wire_id` MUST be
    /// `Some`): the core then also names its own signed id in `References`, so that a reply
    /// quoting it is matched by its signature whatever id the provider wrote.
    fn replaces_message_id(&self) -> bool {
        false
    }
}

#[async_trait]
pub trait Inbox: Send + Sync {
    /// The raw bytes of one inbound message by its key (S3 key, file path), unchanged.
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
    /// The entry for `address`, if suppressed. MUST compare addresses lowercased and return
    /// the first entry added; MUST be `Ok(None)` for an address never added.
    async fn get(&self, address: &str) -> StoreResult<Option<Suppression>>;
    /// Every address added, in no particular order. MUST hold each address once, with its
    /// first entry.
    async fn list(&self) -> StoreResult<Vec<Suppression>>;
}

/// The agent tasks a model can do. Each reads one input type and answers one output type:
/// - `Classify`: `{"email": InboundEmail}` (a language model also gets `topics` and
///   `seller_company`) → `Classification` for the offline engine, the reading of
///   `model::schema` for a language model;
/// - `Draft`: `DraftInput` → `Draft` (subject and body not empty);
/// - `Answer`: `AnswerInput` → `Draft` (or null when the passages answer nothing);
/// - `Summarize`: `{"lead": Lead}` → `{"summary": "…"}` (not empty);
/// - `Research`: `ResearchInput` → facts that quote their page (language models only).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ModelTask {
    /// Read a reply: intent, BANT, topics, referral, language, sentiment.
    Classify,
    /// The first email or a follow-up.
    Draft,
    /// Answer a lead's questions from retrieved knowledge passages.
    Answer,
    /// The seller's handover summary.
    Summarize,
    /// Facts about the lead's company, each quoting the page it came from.
    Research,
}

impl ModelTask {
    pub const ALL: [ModelTask; 5] = [
        ModelTask::Classify,
        ModelTask::Draft,
        ModelTask::Answer,
        ModelTask::Summarize,
        ModelTask::Research,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            ModelTask::Classify => "classify",
            ModelTask::Draft => "draft",
            ModelTask::Answer => "answer",
            ModelTask::Summarize => "summarize",
            ModelTask::Research => "research",
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
    /// `offline`, `openai` or `bedrock`.
    pub provider: String,
    /// Wall time of the call, retries and waits included.
    pub latency_ms: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("transient: {0}")]
    Transient(#[source] anyhow::Error),
    #[error("the model's answer does not fit the schema: {0}")]
    BadOutput(String),
    /// The call would go over a token budget, or the circuit breaker is open: nothing was
    /// sent.
    #[error("not called: {0}")]
    Refused(String),
    /// The model answered, but not JSON that fits the task's schema, even after one repair
    /// attempt. The output carries what the calls spent (its `output` is the last answer's
    /// text, or null).
    #[error("the model's answer is unusable after a repair attempt: {0}")]
    Unusable(String, Box<ModelOutput>),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// What a call is for, beyond its input: the lead it is about and the tokens that lead has
/// used so far (from its run records), for the per-lead budget.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ModelContext {
    pub lead: Option<LeadId>,
    pub lead_tokens: u64,
}

#[async_trait]
pub trait Model: Send + Sync {
    /// The provider's name for logs. MUST NOT be empty.
    fn name(&self) -> &str;
    /// Run `task` on `input`. Untrusted text in `input` is data, never instructions: an
    /// implementation MUST keep it inside delimited data blocks. An answer MUST be JSON of
    /// the task's output type (see `ModelTask`) and name its model and prompt version (not
    /// empty). An input that is not the task's input type, and a task this model does not
    /// run, MUST be an error, never a panic. A deterministic model (the offline one) MUST
    /// answer the same input with the same output.
    async fn run(
        &self,
        task: ModelTask,
        input: &serde_json::Value,
    ) -> Result<ModelOutput, ModelError>;

    /// `run` for one lead: a model with budgets MUST refuse (`ModelError::Refused`) a call
    /// that would take the lead over its budget. By default the context is not used.
    async fn run_for(
        &self,
        _ctx: &ModelContext,
        task: ModelTask,
        input: &serde_json::Value,
    ) -> Result<ModelOutput, ModelError> {
        self.run(task, input).await
    }

    /// True for the deterministic offline engine, whose answers need no second opinion.
    fn is_offline(&self) -> bool {
        false
    }

    /// The cost of a call at the configured prices (0 for the offline engine).
    fn cost(&self, _tokens_in: u64, _tokens_out: u64) -> f64 {
        0.0
    }
}

/// A fetched web page.
#[derive(Debug, Clone, PartialEq)]
pub struct WebPage {
    pub url: String,
    pub status: u16,
    pub content_type: Option<String>,
    pub body: String,
}

/// How a fetch failed; see `Web::fetch` for which failure is which.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// The page is not there, or not for us: it will not be there on a retry either.
    #[error("not found: {0}")]
    NotFound(String),
    /// It may work later (a server error, throttling, a timeout, a connection failure).
    #[error("transient: {0}")]
    Transient(#[source] anyhow::Error),
    /// The request was never made (not an http(s) URL, an address that is refused).
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// Redirect hops a `Web` adapter follows per fetch (RFC 9309 asks crawlers to follow at least
/// five for robots.txt).
pub const MAX_REDIRECTS: usize = 5;

impl WebError {
    /// The status rule of `Web::fetch`, shared by every adapter that has statuses: `None` for
    /// 2xx (a page), `Transient` for 408, 425, 429 and 5xx, `NotFound` for every other status
    /// (404, 410, the other 4xx, a 3xx that was not followed).
    pub fn for_status(url: &str, status: u16) -> Option<WebError> {
        match status {
            200..=299 => None,
            408 | 425 | 429 | 500..=599 => {
                Some(WebError::Transient(anyhow::anyhow!("{url}: HTTP {status}")))
            }
            _ => Some(WebError::NotFound(format!("{url}: HTTP {status}"))),
        }
    }
}

#[async_trait]
pub trait Web: Send + Sync {
    /// Fetch `url` (http or https), following at most [`MAX_REDIRECTS`] redirects. Every
    /// adapter (HTTP, a directory mirror, memory) MUST answer by one rule:
    ///
    /// - `Ok` only for a page that answered 2xx: `status` is that status, `url` the page's URL
    ///   after redirects (the URL asked for when there were none), `content_type` as the
    ///   server sent it (any type; what to read is the caller's choice), and `body` the page's
    ///   first bytes up to the adapter's size cap, decoded as text (the content type's
    ///   charset, else a `<meta charset>`, else a byte-order mark, else UTF-8 with invalid
    ///   sequences replaced; a byte-order mark is dropped). A page over the cap MUST be cut,
    ///   never refused.
    /// - `WebError::NotFound` for a page that is not there or not for us: a missing page or
    ///   file, 404, 410 and every other 4xx but 408, 425 and 429, a 3xx left unfollowed, a
    ///   redirect to another scheme or to a refused address, and more than
    ///   [`MAX_REDIRECTS`] redirects.
    /// - `WebError::Transient` for what may pass: 408, 425, 429, 5xx, a timeout, a refused or
    ///   reset connection, an I/O error.
    /// - `WebError::Unexpected` for a request never made: not an http(s) URL, a host that is
    ///   a loopback or private address (unless the adapter was pointed at a test server), a
    ///   path that leaves a mirror's root.
    ///
    /// [`WebError::for_status`] is the status part of this rule. It MUST NOT panic on any
    /// input.
    async fn fetch(&self, url: &str) -> Result<WebPage, WebError>;
}

/// Time, injectable so that every stage behaves the same on any day in tests and demos.
pub trait Clock: Send + Sync {
    /// The current time. MUST NOT go backwards between two calls on its own: only an explicit
    /// `FixedClock::set` moves a clock back.
    fn now(&self) -> DateTime<Utc>;
}

/// The wall clock, held from going backwards when the system clock is stepped back (run
/// records and due times are ordered by it).
pub struct SystemClock;
impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        // The latest time handed out by any `SystemClock` of the process, in nanoseconds.
        static LATEST: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(i64::MIN);
        let now = Utc::now();
        let Some(nanos) = now.timestamp_nanos_opt() else {
            return now;
        };
        let before = LATEST.fetch_max(nanos, std::sync::atomic::Ordering::Relaxed);
        if before > nanos {
            DateTime::from_timestamp_nanos(before)
        } else {
            now
        }
    }
}

/// A clock that stays where it is set (tests, `--now`): `now` MUST return exactly the time
/// given to `new` or `set`, moved by every `advance`.
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
    /// Look up whether `domain` (ASCII, IDNA-encoded; case and a trailing dot do not matter)
    /// accepts mail. A resolver that checks MUST answer:
    ///
    /// - `Deliverable` naming the most preferred MX host when the domain has MX records, or
    ///   the address record type (`A`/`AAAA`) when it has none but a public address;
    /// - `Undeliverable` with reason `null_mx` for a null MX (a single `MX 0 .`),
    ///   `domain_not_found` for NXDOMAIN, `no_mail_server` when neither an MX nor a public
    ///   address exists, `spf_reject_all` for a domain without MX whose SPF is `v=spf1 -all`;
    /// - `Unknown` for a server failure or a timeout, never `Undeliverable`, within the
    ///   resolver's own deadline.
    ///
    /// A resolver that checks nothing (`NoDns`) MUST answer `NotChecked` for every domain. It
    /// never fails and MUST NOT panic on any input; answers for one domain MUST be the same
    /// for the resolver's lifetime (a run).
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
    /// The question-topic vocabulary of `config`, built once per configuration.
    pub topics: Arc<crate::agents::classify::TopicsCache>,
}
