//! In-memory adapters for tests of the core: every port but `Model`, each correct against
//! its contract suite (`crate::contract`, run by `suite/contract_memory.rs`). They are test
//! support only (no binary uses them), so they live in the test crate.
//!
//! They keep the same indexes a real store keeps, so that a test exercising the core against
//! them sees the same orderings and pages. Each has inspection helpers (`sent()`, `len()`, …)
//! for assertions. `MemoryPorts` wires them, with a `FixedClock` and no DNS, into `Ports`
//! around whatever model the test brings.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqa_core::domain::{Lead, LeadId, Stage};
use sqa_core::lifecycle::Expected;
use sqa_core::ports::{
    Clock, ConfigStore, Delivery, FixedClock, Inbox, LeadFilter, LeadStore, MAX_REDIRECTS,
    MailError, Mailer, Model, NoDns, OutgoingEmail, Page, Ports, Queue, QueueName, RunLog,
    RunRecord, StoreError, StoreResult, StoredConfig, Suppression, Suppressions, Web, WebError,
    WebPage,
};
use sqa_core::web_http::{DEFAULT_MAX_BODY, decode_body};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Bound;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Lock a mutex, recovering the data if a panicking test poisoned it: every method below
/// leaves the data consistent before it can panic.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn bad_cursor(c: &str) -> StoreError {
    StoreError::Unexpected(anyhow::anyhow!("malformed page cursor {c:?}"))
}

// ---------------------------------------------------------------------------------------------
// Leads

/// Leads in a map, with the indexes of the access patterns kept beside it.
#[derive(Default)]
pub struct MemoryLeadStore {
    inner: Mutex<Leads>,
}

#[derive(Default)]
struct Leads {
    next_seq: u64,
    /// Lead and its insertion sequence number.
    rows: HashMap<LeadId, (u64, Lead)>,
    by_seq: BTreeMap<u64, LeadId>,
    created: BTreeSet<(Stage, DateTime<Utc>, u64)>,
    due: BTreeSet<(DateTime<Utc>, u64)>,
    /// Leads waiting for their next stage's message (`Lead::waiting_since`).
    waiting: BTreeSet<(DateTime<Utc>, u64)>,
    /// Sequence numbers per email key, ascending.
    by_email: HashMap<String, BTreeSet<u64>>,
    /// Provider ids of the touches, to the lead's sequence number.
    by_provider: HashMap<String, u64>,
    /// Sequence numbers per account (`Lead::account`), ascending.
    by_account: HashMap<String, BTreeSet<u64>>,
    counts: BTreeMap<Stage, u64>,
}

impl Leads {
    fn index(&mut self, seq: u64, lead: &Lead) {
        if let Some(c) = lead.created_at {
            self.created.insert((lead.stage, c, seq));
        }
        if let Some(n) = lead.next_touch_at {
            self.due.insert((n, seq));
        }
        if let Some(w) = lead.waiting_since() {
            self.waiting.insert((w, seq));
        }
        self.by_email
            .entry(lead.email_key.to_string())
            .or_default()
            .insert(seq);
        for p in lead.touches.iter().filter_map(|t| t.provider_id.as_ref()) {
            self.by_provider.insert(p.clone(), seq);
        }
        if let Some(a) = lead.account() {
            self.by_account.entry(a).or_default().insert(seq);
        }
        *self.counts.entry(lead.stage).or_default() += 1;
    }

    fn unindex(&mut self, seq: u64, lead: &Lead) {
        if let Some(c) = lead.created_at {
            self.created.remove(&(lead.stage, c, seq));
        }
        if let Some(n) = lead.next_touch_at {
            self.due.remove(&(n, seq));
        }
        if let Some(w) = lead.waiting_since() {
            self.waiting.remove(&(w, seq));
        }
        if let Some(set) = self.by_email.get_mut(lead.email_key.as_str()) {
            set.remove(&seq);
            if set.is_empty() {
                self.by_email.remove(lead.email_key.as_str());
            }
        }
        for p in lead.touches.iter().filter_map(|t| t.provider_id.as_ref()) {
            if self.by_provider.get(p) == Some(&seq) {
                self.by_provider.remove(p);
            }
        }
        if let Some(a) = lead.account()
            && let Some(set) = self.by_account.get_mut(&a)
        {
            set.remove(&seq);
            if set.is_empty() {
                self.by_account.remove(&a);
            }
        }
        if let Some(n) = self.counts.get_mut(&lead.stage) {
            *n = n.saturating_sub(1);
        }
    }

    fn lead_at(&self, seq: u64) -> Option<&Lead> {
        let id = self.by_seq.get(&seq)?;
        self.rows.get(id).map(|(_, l)| l)
    }
}

impl MemoryLeadStore {
    pub fn new() -> Self {
        Self::default()
    }

    /// Every lead, in insertion order (test assertions).
    pub fn all(&self) -> Vec<Lead> {
        let g = lock(&self.inner);
        g.by_seq
            .keys()
            .filter_map(|s| g.lead_at(*s).cloned())
            .collect()
    }
}

#[async_trait]
impl LeadStore for MemoryLeadStore {
    async fn insert(&self, lead: &Lead) -> StoreResult<()> {
        let mut g = lock(&self.inner);
        if g.rows.contains_key(&lead.id) {
            return Err(StoreError::Conflict(format!("lead {} exists", lead.id)));
        }
        g.next_seq += 1;
        let seq = g.next_seq;
        g.index(seq, lead);
        g.by_seq.insert(seq, lead.id.clone());
        g.rows.insert(lead.id.clone(), (seq, lead.clone()));
        Ok(())
    }

    async fn get(&self, id: &LeadId) -> StoreResult<Option<Lead>> {
        Ok(lock(&self.inner).rows.get(id).map(|(_, l)| l.clone()))
    }

    async fn update(&self, lead: &Lead, expected: Expected) -> StoreResult<Lead> {
        let mut g = lock(&self.inner);
        let (seq, old) = match g.rows.get(&lead.id) {
            None => return Err(StoreError::NotFound(format!("lead {}", lead.id))),
            Some((seq, old)) => (*seq, old),
        };
        if old.stage != expected.stage || old.version != expected.version {
            return Err(StoreError::Conflict(format!(
                "lead {} is {} v{}, not {} v{}",
                lead.id, old.stage, old.version, expected.stage, expected.version
            )));
        }
        let old = old.clone();
        let mut new = lead.clone();
        new.version = expected.version + 1;
        g.unindex(seq, &old);
        g.index(seq, &new);
        g.rows.insert(new.id.clone(), (seq, new.clone()));
        Ok(new)
    }

    async fn created_between(
        &self,
        stage: Stage,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        cursor: Option<String>,
        limit: usize,
    ) -> StoreResult<Page<Lead>> {
        // The cursor is the (created_at, seq) of the last lead returned.
        let after = match &cursor {
            None => None,
            Some(c) => {
                let (t, s) = c.split_once('|').ok_or_else(|| bad_cursor(c))?;
                let t = DateTime::parse_from_rfc3339(t).map_err(|_| bad_cursor(c))?;
                let s: u64 = s.parse().map_err(|_| bad_cursor(c))?;
                Some((t.with_timezone(&Utc), s))
            }
        };
        let lower = match after {
            Some((t, s)) if t >= from => (t, s),
            // Nothing sorts below seq 1 at `from`: this bound includes every lead at `from`.
            _ => (from, 0),
        };
        if limit == 0 || lower.0 > to {
            return Ok(Page {
                items: Vec::new(),
                next: None,
            });
        }
        let g = lock(&self.inner);
        let keys: Vec<(DateTime<Utc>, u64)> = g
            .created
            .range((
                Bound::Excluded((stage, lower.0, lower.1)),
                Bound::Included((stage, to, u64::MAX)),
            ))
            .map(|(_, t, s)| (*t, *s))
            .take(limit.saturating_add(1))
            .collect();
        // Only hand out a cursor when something follows it.
        let next = if keys.len() > limit {
            keys.get(limit - 1).map(|(t, s)| {
                format!(
                    "{}|{s}",
                    t.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)
                )
            })
        } else {
            None
        };
        let items = keys
            .iter()
            .take(limit)
            .filter_map(|(_, s)| g.lead_at(*s).cloned())
            .collect();
        Ok(Page { items, next })
    }

    async fn due_before(&self, now: DateTime<Utc>, limit: usize) -> StoreResult<Vec<Lead>> {
        let g = lock(&self.inner);
        Ok(g.due
            .range(..=(now, u64::MAX))
            .take(limit)
            .filter_map(|(_, s)| g.lead_at(*s).cloned())
            .collect())
    }

    async fn stalled(&self, older_than: DateTime<Utc>, limit: usize) -> StoreResult<Vec<Lead>> {
        let g = lock(&self.inner);
        Ok(g.waiting
            .range(..=(older_than, u64::MAX))
            .take(limit)
            .filter_map(|(_, s)| g.lead_at(*s).cloned())
            .collect())
    }

    async fn find_by_email(&self, key: &str) -> StoreResult<Vec<LeadId>> {
        let g = lock(&self.inner);
        Ok(g.by_email
            .get(key)
            .map(|seqs| {
                seqs.iter()
                    .filter_map(|s| g.by_seq.get(s).cloned())
                    .collect()
            })
            .unwrap_or_default())
    }

    async fn find_by_account(&self, account: &str) -> StoreResult<Vec<LeadId>> {
        let g = lock(&self.inner);
        Ok(g.by_account
            .get(account)
            .map(|seqs| {
                seqs.iter()
                    .filter_map(|s| g.by_seq.get(s).cloned())
                    .collect()
            })
            .unwrap_or_default())
    }

    async fn find_by_provider_id(&self, provider_id: &str) -> StoreResult<Option<LeadId>> {
        let g = lock(&self.inner);
        Ok(g.by_provider
            .get(provider_id)
            .and_then(|s| g.by_seq.get(s).cloned()))
    }

    async fn list(
        &self,
        filter: &LeadFilter,
        cursor: Option<String>,
        limit: usize,
    ) -> StoreResult<Page<Lead>> {
        // The cursor is the seq of the last lead returned; pages go newest first.
        let before = match &cursor {
            None => u64::MAX,
            Some(c) => c.parse::<u64>().map_err(|_| bad_cursor(c))?,
        };
        let g = lock(&self.inner);
        let mut matching = g
            .by_seq
            .range(..before)
            .rev()
            .filter_map(|(s, _)| g.lead_at(*s).map(|l| (*s, l)))
            .filter(|(_, l)| {
                filter.stage.is_none_or(|st| l.stage == st)
                    && filter.owner.as_ref().is_none_or(|o| &l.owner == o)
            });
        let mut items = Vec::new();
        let mut last = None;
        for (s, l) in matching.by_ref().take(limit) {
            items.push(l.clone());
            last = Some(s);
        }
        let more = limit > 0 && matching.next().is_some();
        Ok(Page {
            items,
            next: if more {
                last.map(|s| s.to_string())
            } else {
                None
            },
        })
    }

    async fn count_by_stage(&self) -> StoreResult<BTreeMap<Stage, u64>> {
        Ok(lock(&self.inner)
            .counts
            .iter()
            .filter(|(_, n)| **n > 0)
            .map(|(s, n)| (*s, *n))
            .collect())
    }
}

// ---------------------------------------------------------------------------------------------
// Config

#[derive(Default)]
pub struct MemoryConfigStore {
    inner: Mutex<ConfigInner>,
}

#[derive(Default)]
struct ConfigInner {
    versions: Vec<StoredConfig>,
    counters: HashMap<String, u64>,
}

impl MemoryConfigStore {
    pub fn new() -> Self {
        Self::default()
    }
}

#[async_trait]
impl ConfigStore for MemoryConfigStore {
    async fn save(&self, toml: &str, expected_version: u64, at: DateTime<Utc>) -> StoreResult<u64> {
        let mut g = lock(&self.inner);
        let active = g.versions.last().map_or(0, |c| c.version);
        if active != expected_version {
            return Err(StoreError::Conflict(format!(
                "the active config is version {active}, not {expected_version}"
            )));
        }
        let version = active + 1;
        g.versions.push(StoredConfig {
            version,
            saved_at: at,
            toml: toml.to_string(),
        });
        Ok(version)
    }

    async fn active(&self) -> StoreResult<Option<StoredConfig>> {
        Ok(lock(&self.inner).versions.last().cloned())
    }

    async fn history(&self) -> StoreResult<Vec<StoredConfig>> {
        Ok(lock(&self.inner).versions.clone())
    }

    async fn next_in_sequence(&self, key: &str) -> StoreResult<u64> {
        let mut g = lock(&self.inner);
        let n = g.counters.entry(key.to_string()).or_default();
        let before = *n;
        *n += 1;
        Ok(before)
    }
}

// ---------------------------------------------------------------------------------------------
// Run log

#[derive(Default)]
pub struct MemoryRunLog {
    records: Mutex<Vec<RunRecord>>,
}

impl MemoryRunLog {
    pub fn new() -> Self {
        Self::default()
    }

    /// Every record in append order (test assertions).
    pub fn all(&self) -> Vec<RunRecord> {
        lock(&self.records).clone()
    }

    fn select(&self, keep: impl Fn(&RunRecord) -> bool) -> Vec<RunRecord> {
        let mut out: Vec<RunRecord> = lock(&self.records)
            .iter()
            .filter(|r| keep(r))
            .cloned()
            .collect();
        // A stable sort keeps append order among records of the same time.
        out.sort_by_key(|r| r.at);
        out
    }
}

#[async_trait]
impl RunLog for MemoryRunLog {
    async fn append(&self, record: &RunRecord) -> StoreResult<()> {
        lock(&self.records).push(record.clone());
        Ok(())
    }

    async fn for_lead(&self, id: &LeadId) -> StoreResult<Vec<RunRecord>> {
        Ok(self.select(|r| r.lead_id.as_ref() == Some(id)))
    }

    async fn for_run(&self, run_id: &str) -> StoreResult<Vec<RunRecord>> {
        Ok(self.select(|r| r.run_id == run_id))
    }
}

// ---------------------------------------------------------------------------------------------
// Queue

/// Queues with visibility timeouts and dead letters, on real time (`Instant`), like SQS.
pub struct MemoryQueue {
    visibility: Duration,
    max_receives: u32,
    inner: Mutex<QueueInner>,
}

#[derive(Default)]
struct QueueInner {
    next_id: u64,
    /// Messages per queue by id; ids grow, so iteration is send order.
    live: HashMap<QueueName, BTreeMap<u64, Message>>,
    dead: HashMap<QueueName, Vec<Delivery>>,
}

struct Message {
    body: String,
    visible_at: Instant,
    receive_count: u32,
    receipt: Option<String>,
}

impl Default for MemoryQueue {
    /// A 30 s visibility timeout and 5 receives before the dead letters, as the defaults of
    /// the other backends.
    fn default() -> Self {
        Self::new(Duration::from_secs(30), 5)
    }
}

impl MemoryQueue {
    pub fn new(visibility: Duration, max_receives: u32) -> Self {
        MemoryQueue {
            visibility,
            max_receives,
            inner: Mutex::new(QueueInner::default()),
        }
    }

    pub fn max_receives(&self) -> u32 {
        self.max_receives
    }

    /// Messages on `queue`, visible or in flight (not dead letters).
    pub fn len(&self, queue: QueueName) -> usize {
        lock(&self.inner).live.get(&queue).map_or(0, BTreeMap::len)
    }

    pub fn is_empty(&self, queue: QueueName) -> bool {
        self.len(queue) == 0
    }

    /// Let time pass for the queues: every hidden message (in flight, or put back with a
    /// delay by `retry_later`) is visible again now.
    pub fn expire_delays(&self) {
        let now = Instant::now();
        for q in lock(&self.inner).live.values_mut() {
            for m in q.values_mut() {
                m.visible_at = now;
            }
        }
    }

    /// Bodies on `queue` in send order, visible or not, without receiving them.
    pub fn peek(&self, queue: QueueName) -> Vec<String> {
        lock(&self.inner)
            .live
            .get(&queue)
            .map(|m| m.values().map(|msg| msg.body.clone()).collect())
            .unwrap_or_default()
    }
}

/// Receipts are `{id}.{receive_count}`: unique per receive, since ids are never reused.
fn receipt_id(receipt: &str) -> Option<u64> {
    receipt.split_once('.')?.0.parse().ok()
}

#[async_trait]
impl Queue for MemoryQueue {
    async fn send(&self, queue: QueueName, bodies: &[String]) -> StoreResult<()> {
        let now = Instant::now();
        let mut g = lock(&self.inner);
        for body in bodies {
            g.next_id += 1;
            let id = g.next_id;
            g.live.entry(queue).or_default().insert(
                id,
                Message {
                    body: body.clone(),
                    visible_at: now,
                    receive_count: 0,
                    receipt: None,
                },
            );
        }
        Ok(())
    }

    async fn receive(&self, queue: QueueName, max: usize) -> StoreResult<Vec<Delivery>> {
        let now = Instant::now();
        let mut g = lock(&self.inner);
        let QueueInner { live, dead, .. } = &mut *g;
        let Some(messages) = live.get_mut(&queue) else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        let mut to_dead = Vec::new();
        for (id, m) in messages.iter_mut() {
            if out.len() >= max {
                break;
            }
            if m.visible_at > now {
                continue;
            }
            if m.receive_count >= self.max_receives {
                to_dead.push(*id);
                continue;
            }
            m.receive_count += 1;
            m.visible_at = now + self.visibility;
            let receipt = format!("{id}.{}", m.receive_count);
            m.receipt = Some(receipt.clone());
            out.push(Delivery {
                id: id.to_string(),
                receipt,
                body: m.body.clone(),
                receive_count: m.receive_count,
            });
        }
        for id in to_dead {
            if let Some(m) = messages.remove(&id) {
                dead.entry(queue).or_default().push(Delivery {
                    id: id.to_string(),
                    receipt: format!("dead.{id}"),
                    body: m.body,
                    receive_count: m.receive_count,
                });
            }
        }
        Ok(out)
    }

    async fn ack(&self, queue: QueueName, receipt: &str) -> StoreResult<()> {
        let Some(id) = receipt_id(receipt) else {
            return Err(StoreError::Unexpected(anyhow::anyhow!(
                "malformed receipt {receipt:?}"
            )));
        };
        let mut g = lock(&self.inner);
        if let Some(messages) = g.live.get_mut(&queue)
            && messages
                .get(&id)
                .is_some_and(|m| m.receipt.as_deref() == Some(receipt))
        {
            messages.remove(&id);
        }
        Ok(())
    }

    async fn retry_later(
        &self,
        queue: QueueName,
        receipt: &str,
        delay_secs: u32,
    ) -> StoreResult<()> {
        let Some(id) = receipt_id(receipt) else {
            return Err(StoreError::Unexpected(anyhow::anyhow!(
                "malformed receipt {receipt:?}"
            )));
        };
        let mut g = lock(&self.inner);
        // A receipt that is no longer current (acknowledged, or received again by someone
        // else) changes nothing: the message is already where it should be.
        if let Some(m) = g.live.get_mut(&queue).and_then(|q| q.get_mut(&id))
            && m.receipt.as_deref() == Some(receipt)
        {
            m.visible_at = Instant::now() + Duration::from_secs(u64::from(delay_secs));
        }
        Ok(())
    }

    async fn pending(&self, queue: QueueName) -> StoreResult<u64> {
        let now = Instant::now();
        Ok(lock(&self.inner)
            .live
            .get(&queue)
            .map_or(0, |m| m.values().filter(|msg| msg.visible_at > now).count()) as u64)
    }

    async fn dead_letters(&self, queue: QueueName) -> StoreResult<Vec<Delivery>> {
        Ok(lock(&self.inner)
            .dead
            .get(&queue)
            .cloned()
            .unwrap_or_default())
    }
}

// ---------------------------------------------------------------------------------------------
// Suppressions

#[derive(Default)]
pub struct MemorySuppressions {
    inner: Mutex<(Vec<Suppression>, HashMap<String, usize>)>,
}

impl MemorySuppressions {
    pub fn new() -> Self {
        Self::default()
    }
}

#[async_trait]
impl Suppressions for MemorySuppressions {
    async fn add(&self, entry: &Suppression) -> StoreResult<()> {
        let key = entry.address.to_lowercase();
        let mut g = lock(&self.inner);
        let (list, index) = &mut *g;
        if !index.contains_key(&key) {
            index.insert(key.clone(), list.len());
            list.push(Suppression {
                address: key,
                ..entry.clone()
            });
        }
        Ok(())
    }

    async fn get(&self, address: &str) -> StoreResult<Option<Suppression>> {
        let g = lock(&self.inner);
        let (list, index) = &*g;
        Ok(index
            .get(&address.to_lowercase())
            .and_then(|i| list.get(*i))
            .cloned())
    }

    async fn list(&self) -> StoreResult<Vec<Suppression>> {
        Ok(lock(&self.inner).0.clone())
    }
}

// ---------------------------------------------------------------------------------------------
// Mailer, inbox, web

/// Records every message it is given; can be told to fail, for outage tests.
#[derive(Default)]
pub struct MemoryMailer {
    sent: Mutex<Vec<OutgoingEmail>>,
    failing: Mutex<Option<Failure>>,
    /// Set: ids are SES-shaped and the Message-ID on the wire is SES's for this region.
    ses_region: Mutex<Option<String>>,
}

/// How `MemoryMailer::send` fails while a failure is set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// `MailError::Transient` (an outage).
    Transient,
    /// `MailError::Rejected` with this text.
    Rejected(String),
}

impl MemoryMailer {
    pub fn new() -> Self {
        Self::default()
    }

    /// Every message accepted, in send order.
    pub fn sent(&self) -> Vec<OutgoingEmail> {
        lock(&self.sent).clone()
    }

    /// Behave as SES does towards the recipient: return SES-shaped message ids and report
    /// `<ID@REGION.amazonses.com>` as the Message-ID on the wire (`Mailer::wire_id`).
    pub fn replace_ids_like_ses(&self, region: &str) {
        *lock(&self.ses_region) = Some(region.to_string());
    }

    /// Make every following send fail (`Some`) or succeed again (`None`).
    pub fn fail_with(&self, failure: Option<Failure>) {
        *lock(&self.failing) = failure;
    }
}

#[async_trait]
impl Mailer for MemoryMailer {
    async fn send(&self, email: &OutgoingEmail) -> Result<String, MailError> {
        match lock(&self.failing).clone() {
            Some(Failure::Transient) => {
                return Err(MailError::Transient(anyhow::anyhow!(
                    "the memory mailer is set to fail"
                )));
            }
            Some(Failure::Rejected(why)) => return Err(MailError::Rejected(why)),
            None => {}
        }
        // What every provider refuses (see `Mailer::send`).
        if email.to.is_empty() {
            return Err(MailError::Rejected("a message needs a recipient".into()));
        }
        let mut sent = lock(&self.sent);
        sent.push(email.clone());
        if lock(&self.ses_region).is_some() {
            return Ok(format!(
                "0102019364a2b7c1-{:08x}-3c44-4b8e-9f1a-2d6c7e8f9a0b-000000",
                sent.len()
            ));
        }
        Ok(format!("memory-{}", sent.len()))
    }

    fn wire_id(&self, provider_id: &str) -> Option<String> {
        lock(&self.ses_region)
            .as_deref()
            .map(|r| sqa_core::mail::ids::ses_wire_id(provider_id, r))
    }

    fn replaces_message_id(&self) -> bool {
        lock(&self.ses_region).is_some()
    }
}

/// Raw inbound messages by key.
#[derive(Default)]
pub struct MemoryInbox {
    messages: Mutex<HashMap<String, Vec<u8>>>,
}

impl MemoryInbox {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn insert(&self, key: &str, raw: impl Into<Vec<u8>>) {
        lock(&self.messages).insert(key.to_string(), raw.into());
    }
}

#[async_trait]
impl Inbox for MemoryInbox {
    async fn fetch(&self, key: &str) -> StoreResult<Vec<u8>> {
        lock(&self.messages)
            .get(key)
            .cloned()
            .ok_or_else(|| StoreError::NotFound(format!("inbound message {key}")))
    }
}

/// Web resources by URL (compared in their normal form, as an HTTP client would send them),
/// answered by the rule of `Web::fetch`: statuses through `WebError::for_status`, redirects
/// followed, bodies decoded and cut like the HTTP adapter's.
pub struct MemoryWeb {
    resources: Mutex<HashMap<String, Resource>>,
    max_body: usize,
}

/// What a URL answers.
#[derive(Debug, Clone)]
enum Resource {
    Page {
        status: u16,
        content_type: Option<String>,
        body: Vec<u8>,
    },
    Redirect(String),
}

impl Default for MemoryWeb {
    fn default() -> Self {
        Self::new()
    }
}

/// The normal form of an http(s) URL, or why it is not one.
fn normal_url(url: &str) -> Result<String, WebError> {
    let parsed = url::Url::parse(url.trim())
        .map_err(|e| WebError::Unexpected(anyhow::anyhow!("{url:?} is not a URL: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(WebError::Unexpected(anyhow::anyhow!(
            "only http(s) pages are fetched, not {url:?}"
        )));
    }
    Ok(parsed.to_string())
}

impl MemoryWeb {
    pub fn new() -> Self {
        MemoryWeb {
            resources: Mutex::new(HashMap::new()),
            max_body: DEFAULT_MAX_BODY,
        }
    }

    /// Cut bodies after `bytes` bytes (default `DEFAULT_MAX_BODY`, as over HTTP).
    pub fn with_max_body(mut self, bytes: usize) -> Self {
        self.max_body = bytes.max(1);
        self
    }

    /// Serve `html` as `text/html; charset=utf-8` with status 200 at `url`.
    pub fn insert(&self, url: &str, html: &str) {
        self.insert_page(
            url,
            200,
            Some("text/html; charset=utf-8"),
            html.as_bytes().to_vec(),
        );
    }

    /// Serve `body` with `status` and `content_type` at `url`.
    pub fn insert_page(&self, url: &str, status: u16, content_type: Option<&str>, body: Vec<u8>) {
        self.put(
            url,
            Resource::Page {
                status,
                content_type: content_type.map(str::to_string),
                body,
            },
        );
    }

    /// Answer `url` with `status` and no page.
    pub fn insert_status(&self, url: &str, status: u16) {
        self.insert_page(url, status, Some("text/plain"), Vec::new());
    }

    /// Redirect `url` to `to` (absolute, or a path on the same site).
    pub fn insert_redirect(&self, url: &str, to: &str) {
        self.put(url, Resource::Redirect(to.to_string()));
    }

    fn put(&self, url: &str, resource: Resource) {
        // A URL a test cannot spell is a mistake in the test.
        let key = normal_url(url).unwrap_or_else(|e| panic!("MemoryWeb: {e}"));
        lock(&self.resources).insert(key, resource);
    }
}

#[async_trait]
impl Web for MemoryWeb {
    async fn fetch(&self, url: &str) -> Result<WebPage, WebError> {
        let mut at = normal_url(url)?;
        for _ in 0..=MAX_REDIRECTS {
            let found = lock(&self.resources).get(&at).cloned();
            match found {
                None => return Err(WebError::NotFound(at)),
                Some(Resource::Redirect(to)) => {
                    let base = url::Url::parse(&at)
                        .map_err(|e| WebError::Unexpected(anyhow::anyhow!("{at}: {e}")))?;
                    let next = base.join(&to).map_err(|e| {
                        WebError::NotFound(format!("{at} redirects to {to:?}, not a URL: {e}"))
                    })?;
                    if !matches!(next.scheme(), "http" | "https") {
                        return Err(WebError::NotFound(format!("{at} redirects to {next}")));
                    }
                    at = next.to_string();
                }
                Some(Resource::Page {
                    status,
                    content_type,
                    body,
                }) => {
                    if let Some(e) = WebError::for_status(&at, status) {
                        return Err(e);
                    }
                    let cut = &body[..body.len().min(self.max_body)];
                    return Ok(WebPage {
                        url: at,
                        status,
                        body: decode_body(cut, content_type.as_deref()),
                        content_type,
                    });
                }
            }
        }
        Err(WebError::NotFound(format!(
            "{url}: more than {MAX_REDIRECTS} redirects"
        )))
    }
}

// ---------------------------------------------------------------------------------------------
// Wiring

/// Every in-memory adapter, kept typed for assertions; `ports(model)` wires them.
#[derive(Clone)]
pub struct MemoryPorts {
    pub leads: Arc<MemoryLeadStore>,
    pub config: Arc<MemoryConfigStore>,
    pub runs: Arc<MemoryRunLog>,
    pub queue: Arc<MemoryQueue>,
    pub mailer: Arc<MemoryMailer>,
    pub inbox: Arc<MemoryInbox>,
    pub suppressions: Arc<MemorySuppressions>,
    pub web: Arc<MemoryWeb>,
    pub clock: Arc<FixedClock>,
}

impl MemoryPorts {
    /// Empty adapters, the default queue settings and a clock standing at `now`.
    pub fn new(now: DateTime<Utc>) -> Self {
        MemoryPorts {
            leads: Arc::default(),
            config: Arc::default(),
            runs: Arc::default(),
            queue: Arc::default(),
            mailer: Arc::default(),
            inbox: Arc::default(),
            suppressions: Arc::default(),
            web: Arc::default(),
            clock: Arc::new(FixedClock::new(now)),
        }
    }

    /// Replace the queue (e.g. one with a short visibility timeout).
    pub fn with_queue(mut self, queue: MemoryQueue) -> Self {
        self.queue = Arc::new(queue);
        self
    }

    /// The `Ports` of these adapters around `model`, with no DNS checks.
    pub fn ports(&self, model: Arc<dyn Model>) -> Ports {
        Ports {
            leads: self.leads.clone(),
            config: self.config.clone(),
            runs: self.runs.clone(),
            queue: self.queue.clone(),
            mailer: self.mailer.clone(),
            inbox: self.inbox.clone(),
            suppressions: self.suppressions.clone(),
            model,
            web: self.web.clone(),
            clock: self.clock.clone() as Arc<dyn Clock>,
            dns: Arc::new(NoDns),
        }
    }
}
