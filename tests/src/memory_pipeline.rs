//! `MemoryPipeline`: the stages on the in-memory adapters, with a fixed clock, a small inline
//! configuration and knowledge, an in-memory website for the lead's company and the offline
//! model. No moto, no file, no corpus: stage tests drive one stage at a time (or the whole
//! loop) and assert on lead states, sent mail and run records.

use crate::memory::{MemoryLeadStore, MemoryPorts};
use async_trait::async_trait;
use chrono::{DateTime, Duration, TimeZone, Utc};
use sqa_core::agents::email;
use sqa_core::agents::offline::OfflineModel;
use sqa_core::config::{AgentConfig, NamedFile};
use sqa_core::domain::{Lead, LeadId, Stage, Touch, TouchKind, TouchState};
use sqa_core::lifecycle::Expected;
use sqa_core::ports::{
    Clock, Deps, LeadFilter, LeadStore, Model, ModelError, ModelOutput, ModelTask, OutgoingEmail,
    Page, QueueName, RunRecord, StoreResult,
};
use sqa_core::stages::{self, AuthVerdicts, InboundMessage, StageMessage, runner, select};
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// The time every pipeline starts at.
pub fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 9, 0, 0)
        .single()
        .unwrap_or_default()
}

/// The agent's configuration: a made-up seller, engage mode, running, three sellers and a
/// supervisor, one knowledge file.
pub const CONFIG: &str = r#"
mode = "engage"
state = "running"

[company]
name = "Northwind Ledger"
website = "https://www.northwind-ledger.example"
description = "Northwind Ledger closes the books faster for finance teams."
value_propositions = ["Finance teams using Ledger Close finish month-end in two days instead of five."]

[[company.products]]
name = "Ledger Close"
description = "Close management for finance teams."

[agent]
name = "Robin Vale"
email = "robin@agent.northwind-ledger.example"
signature = "Robin Vale\nNorthwind Ledger"
ai_disclosure = "I am Robin, an AI assistant for Northwind Ledger; a person reviews every conversation."
postal_address = "Northwind Ledger Ltd, 1 Harbour Road, Exampletown"
unsubscribe_url = "https://www.northwind-ledger.example/unsubscribe?token={token}"

[selection]
statuses = ["open"]
created_within_days = 14

[icp]
industries = ["software", "logistics"]
employee_range = [50, 5000]
countries = ["GB", "US"]
titles_include = ["finance", "controller"]
seniority_min = "manager"
tech_stack_any = ["postgres"]
exclude_industries = ["gambling"]
weights = { industry = 25, size = 20, geo = 15, title = 25, tech = 15 }
tiers = { A = 80, B = 60, C = 40 }

[handoff]
on_purchase_intent = true

[cadence]
follow_up_days = [3, 7]
nurture_days = 60
max_emails_per_lead = 5

[assignment]
strategy = "owner_first"
supervisor = "supervisor@northwind-ledger.example"

[[assignment.sellers]]
handle = "ana"
name = "Ana Lima"
email = "ana@northwind-ledger.example"

[[assignment.sellers]]
handle = "ben"
name = "Ben Okoro"
email = "ben@northwind-ledger.example"

[[assignment.sellers]]
handle = "cy"
name = "Cy Park"
email = "cy@northwind-ledger.example"

[knowledge]
sources = ["knowledge/faq.md"]

[guardrails]
allowed_links = ["https://www.northwind-ledger.example"]
prohibited_phrases = ["guarantee", "risk-free"]

[validation]
dns = "off"
"#;

/// The knowledge the agent answers from.
pub const FAQ: &str = "# Ledger Close FAQ

## How much does Ledger Close cost? `[pricing]`
Ledger Close costs $900 per month for up to twenty users, billed annually. Larger teams
are priced by the number of entities.

## Is there a free trial? `[trial]`
Yes: a 14-day trial with your own data, no card needed.
";

/// The configuration above, parsed as `sqa` parses a workspace's.
pub fn config() -> AgentConfig {
    let read = |f: &NamedFile<'_>| match f.name {
        "knowledge/faq.md" => Ok(FAQ.to_string()),
        other => Err(format!("{other}: not in this test")),
    };
    match sqa_core::config::parse(CONFIG, &read) {
        Ok(cfg) => cfg,
        Err(e) => panic!("the test configuration is invalid: {e:?}"),
    }
}

/// A model whose answers a test scripts per task (a stand-in for a language model that says
/// something else than the offline agents); unscripted tasks go to the offline model. It
/// keeps every input it was given.
#[derive(Default)]
pub struct ScriptedModel {
    answers: HashMap<&'static str, serde_json::Value>,
    seen: Mutex<Vec<(ModelTask, serde_json::Value)>>,
}

impl ScriptedModel {
    pub fn new() -> Self {
        Self::default()
    }

    /// Answer `task` with `output`, whatever the input.
    pub fn answer(mut self, task: ModelTask, output: serde_json::Value) -> Self {
        self.answers.insert(task.as_str(), output);
        self
    }

    /// The inputs given for `task`, in order.
    pub fn inputs(&self, task: ModelTask) -> Vec<serde_json::Value> {
        self.seen
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .filter(|(t, _)| *t == task)
            .map(|(_, v)| v.clone())
            .collect()
    }
}

#[async_trait]
impl Model for ScriptedModel {
    fn name(&self) -> &str {
        "scripted"
    }

    async fn run(
        &self,
        task: ModelTask,
        input: &serde_json::Value,
    ) -> Result<ModelOutput, ModelError> {
        self.seen
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((task, input.clone()));
        match self.answers.get(task.as_str()) {
            Some(output) => Ok(ModelOutput {
                output: output.clone(),
                model: "scripted".into(),
                prompt_version: format!("scripted/{}", task.as_str()),
                tokens_in: 10,
                tokens_out: 20,
                provider: "scripted".into(),
                latency_ms: 1,
            }),
            None => OfflineModel.run(task, input).await,
        }
    }
}

/// A change "another delivery" makes to a lead.
type Race = Box<dyn FnOnce(&mut Lead) + Send>;

/// The in-memory lead store as the stages see it: it counts the calls that read the whole
/// table (`list`, for views only), keeps every stage change written, and can let another
/// delivery write a lead just before a stage's next write of it, so that the stage's
/// conditional write meets a conflict.
pub struct ObservedLeads {
    inner: Arc<MemoryLeadStore>,
    scans: AtomicUsize,
    moves: Mutex<Vec<(LeadId, Stage, Stage)>>,
    races: Mutex<HashMap<LeadId, Race>>,
}

impl ObservedLeads {
    pub fn new(inner: Arc<MemoryLeadStore>) -> Self {
        ObservedLeads {
            inner,
            scans: AtomicUsize::new(0),
            moves: Mutex::new(Vec::new()),
            races: Mutex::new(HashMap::new()),
        }
    }

    /// Calls of `list` so far.
    pub fn scans(&self) -> usize {
        self.scans.load(Ordering::SeqCst)
    }

    /// Every stage change written so far: lead, from, to.
    pub fn moves(&self) -> Vec<(LeadId, Stage, Stage)> {
        self.moves.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Before the next write of lead `id`, write `change` of it first (as another delivery).
    pub fn race_next_write(&self, id: &LeadId, change: impl FnOnce(&mut Lead) + Send + 'static) {
        self.races
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id.clone(), Box::new(change));
    }
}

#[async_trait]
impl LeadStore for ObservedLeads {
    async fn insert(&self, lead: &Lead) -> StoreResult<()> {
        self.inner.insert(lead).await
    }

    async fn get(&self, id: &LeadId) -> StoreResult<Option<Lead>> {
        self.inner.get(id).await
    }

    async fn update(&self, lead: &Lead, expected: Expected) -> StoreResult<Lead> {
        let race = self
            .races
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&lead.id);
        if let Some(change) = race
            && let Some(current) = self.inner.get(&lead.id).await?
        {
            let mut theirs = current.clone();
            change(&mut theirs);
            self.inner.update(&theirs, Expected::of(&current)).await?;
        }
        let saved = self.inner.update(lead, expected).await?;
        if saved.stage != expected.stage {
            self.moves.lock().unwrap_or_else(|p| p.into_inner()).push((
                saved.id.clone(),
                expected.stage,
                saved.stage,
            ));
        }
        Ok(saved)
    }

    async fn created_between(
        &self,
        stage: Stage,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        cursor: Option<String>,
        limit: usize,
    ) -> StoreResult<Page<Lead>> {
        self.inner
            .created_between(stage, from, to, cursor, limit)
            .await
    }

    async fn due_before(&self, now: DateTime<Utc>, limit: usize) -> StoreResult<Vec<Lead>> {
        self.inner.due_before(now, limit).await
    }

    async fn stalled(&self, older_than: DateTime<Utc>, limit: usize) -> StoreResult<Vec<Lead>> {
        self.inner.stalled(older_than, limit).await
    }

    async fn find_by_provider_id(&self, provider_id: &str) -> StoreResult<Option<LeadId>> {
        self.inner.find_by_provider_id(provider_id).await
    }
    async fn find_by_account(&self, account: &str) -> StoreResult<Vec<LeadId>> {
        self.inner.find_by_account(account).await
    }
    async fn find_by_email(&self, key: &str) -> StoreResult<Vec<LeadId>> {
        self.inner.find_by_email(key).await
    }

    async fn list(
        &self,
        filter: &LeadFilter,
        cursor: Option<String>,
        limit: usize,
    ) -> StoreResult<Page<Lead>> {
        self.scans.fetch_add(1, Ordering::SeqCst);
        self.inner.list(filter, cursor, limit).await
    }

    async fn count_by_stage(&self) -> StoreResult<BTreeMap<Stage, u64>> {
        self.inner.count_by_stage().await
    }
}

/// The stages wired to in-memory adapters.
pub struct MemoryPipeline {
    pub mem: MemoryPorts,
    pub leads: Arc<ObservedLeads>,
    pub deps: Deps,
    /// The lead company's domain, unique per pipeline (the research stage caches per
    /// domain for the process).
    pub domain: String,
}

impl Default for MemoryPipeline {
    fn default() -> Self {
        Self::new()
    }
}

impl MemoryPipeline {
    /// A pipeline at [`start`] with [`config`], the offline model, and the lead company's
    /// website: a home page and an about page.
    pub fn new() -> MemoryPipeline {
        static N: AtomicU64 = AtomicU64::new(0);
        let domain = format!(
            "buyer{}-{}.example",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        );
        let mem = MemoryPorts::new(start());
        mem.web.insert(
            &format!("https://{domain}/"),
            "<html><head><title>Buyer Freight</title></head><body>\
             <h1>Buyer Freight moves parts for 400 manufacturers</h1>\
             <p>Buyer Freight is a logistics company with 320 employees.</p>\
             <a href=\"/about.html\">About us</a></body></html>",
        );
        mem.web.insert(
            &format!("https://{domain}/about.html"),
            "<html><body><h1>About Buyer Freight</h1>\
             <p>Founded in 2009, Buyer Freight runs 12 depots across the UK.</p></body></html>",
        );
        let leads = Arc::new(ObservedLeads::new(mem.leads.clone()));
        let mut ports = mem.ports(Arc::new(OfflineModel));
        ports.leads = leads.clone();
        let deps = Deps {
            ports,
            config: Arc::new(config()),
            secret: "stage-test-secret".into(),
            research_cache: Default::default(),
            topics: Default::default(),
        };
        MemoryPipeline {
            mem,
            leads,
            deps,
            domain,
        }
    }

    /// Change the configuration.
    pub fn with_config(mut self, edit: impl FnOnce(&mut AgentConfig)) -> Self {
        let mut cfg = (*self.deps.config).clone();
        edit(&mut cfg);
        self.deps.config = Arc::new(cfg);
        self
    }

    /// Use another model.
    pub fn with_model(mut self, model: Arc<dyn Model>) -> Self {
        self.deps.ports.model = model;
        self
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.mem.clock.now()
    }

    /// An eligible new lead at the pipeline's company: open, created two days ago, a valid
    /// work address, in the ICP.
    pub fn lead(&self, id: &str) -> Lead {
        let mut l = Lead::new(parse_id(id), self.now() - Duration::days(3));
        l.first_name = "Jo".into();
        l.last_name = format!("Rivera {id}");
        l.email = format!("jo.{}@{}", id.to_lowercase(), self.domain);
        l.email_key = sqa_core::EmailKey::from_stored(l.email.clone());
        l.title = "Head of Finance".into();
        l.company = "Buyer Freight".into();
        l.website = format!("https://{}", self.domain);
        l.industry = "logistics".into();
        l.employees = "320".into();
        l.country = "GB".into();
        l.tech_stack = "Postgres".into();
        l.status = "open".into();
        l.owner = "ana".into();
        l.created_at_raw = (self.now() - Duration::days(2)).to_rfc3339();
        l.created_at = Some(self.now() - Duration::days(2));
        l
    }

    /// A lead the agent already wrote to: validated, researched, touch 1 sent.
    pub fn contacted(&self, id: &str) -> Lead {
        let mut l = self.lead(id);
        let check = email::check(&l.email);
        if let Some(n) = &check.normalized {
            l.email_key = sqa_core::EmailKey::from_stored(n.clone());
        }
        l.validation = Some(check);
        l.stage = Stage::Contacted;
        l.touches.push(Touch {
            n: 1,
            kind: TouchKind::First,
            message_id: self.deps.config.message_id(&self.deps.secret, &l.id, 1),
            subject: "Month-end at Buyer Freight".into(),
            body: "Hi Jo, …".into(),
            state: TouchState::Sent,
            provider_id: Some("earlier-1".into()),
            wire_id: None,
            cited_facts: Vec::new(),
            at: self.now() - Duration::days(1),
            note: None,
        });
        l.next_touch_at = Some(self.now() + Duration::days(2));
        l
    }

    pub async fn insert(&self, lead: &Lead) {
        if let Err(e) = self.deps.ports.leads.insert(lead).await {
            panic!("insert {}: {e}", lead.id);
        }
    }

    pub async fn get(&self, id: &str) -> Lead {
        match self.deps.ports.leads.get(&parse_id(id)).await {
            Ok(Some(l)) => l,
            other => panic!("lead {id}: {other:?}"),
        }
    }

    /// A lead changed by hand (as a test sets a state up), through a conditional write.
    pub async fn update(&self, id: &str, change: impl FnOnce(&mut Lead)) -> Lead {
        let current = self.get(id).await;
        let mut next = current.clone();
        change(&mut next);
        match self
            .deps
            .ports
            .leads
            .update(&next, Expected::of(&current))
            .await
        {
            Ok(l) => l,
            Err(e) => panic!("update {id}: {e}"),
        }
    }

    /// Run one stage on one message body, as the runner would, without draining.
    pub async fn handle(
        &self,
        queue: QueueName,
        body: &str,
    ) -> Result<stages::Outcome, stages::StageError> {
        stages::handle(queue, body, &self.deps).await
    }

    /// The stage message about `id` (touch 1 unless given).
    pub fn message(&self, id: &str, touch: Option<u32>) -> String {
        let mut msg = StageMessage::new(parse_id(id), "stage-test");
        msg.touch = touch;
        msg.to_body().expect("a stage message encodes")
    }

    /// Lead ids of the stage messages waiting on `queue`.
    pub fn waiting(&self, queue: QueueName) -> Vec<String> {
        self.mem
            .queue
            .peek(queue)
            .iter()
            .filter_map(|b| serde_json::from_str::<StageMessage>(b).ok())
            .map(|m| m.lead_id.to_string())
            .collect()
    }

    /// One selection run.
    pub async fn select(&self, run_id: &str) -> select::SelectReport {
        match select::run(&self.deps, run_id).await {
            Ok(r) => r,
            Err(e) => panic!("select: {e}"),
        }
    }

    /// Every queue drained.
    pub async fn drain(&self) -> runner::DrainReport {
        match runner::drain(&self.deps, 100, |_, _| {}).await {
            Ok(r) => r,
            Err(e) => panic!("drain: {e}"),
        }
    }

    /// One selection run, then every queue drained.
    pub async fn run(&self) -> runner::DrainReport {
        self.select("run-1").await;
        self.drain().await
    }

    /// Put a message for a stage on its queue.
    pub async fn enqueue(&self, queue: QueueName, body: String) {
        if let Err(e) = self.deps.ports.queue.send(queue, &[body]).await {
            panic!("enqueue on {}: {e}", queue.as_str());
        }
    }

    /// Put a stage message about `id` on `queue`.
    pub async fn enqueue_stage(&self, queue: QueueName, id: &str, touch: Option<u32>) {
        self.enqueue(queue, self.message(id, touch)).await;
    }

    /// Deliver an inbound message (its raw text under `key`) with these verdicts, and drain.
    pub async fn inbound(
        &self,
        key: &str,
        raw: &str,
        verdicts: AuthVerdicts,
    ) -> runner::DrainReport {
        self.mem.inbox.insert(key, raw.as_bytes().to_vec());
        let body = serde_json::to_string(&InboundMessage {
            v: stages::MESSAGE_VERSION,
            key: key.to_string(),
            verdicts,
        })
        .unwrap_or_else(|e| panic!("{e}"));
        self.enqueue(QueueName::Engage, body).await;
        self.drain().await
    }

    /// A reply from lead `id` to touch 1, with this text.
    pub fn reply_from(&self, lead: &Lead, message_id: &str, text: &str) -> String {
        let touch_id = self.deps.config.message_id(&self.deps.secret, &lead.id, 1);
        format!(
            "From: Jo Rivera <{from}>\r\nTo: Robin Vale <{agent}>\r\nSubject: Re: Month-end at Buyer Freight\r\n\
             Message-ID: {message_id}\r\nIn-Reply-To: {touch_id}\r\nReferences: {touch_id}\r\n\
             Date: Fri, 20 Nov 2026 08:00:00 +0000\r\nMIME-Version: 1.0\r\n\
             Content-Type: text/plain; charset=utf-8\r\n\r\n{text}\r\n",
            from = lead.email,
            agent = self.deps.config.agent.email,
        )
    }

    /// Every email the mailer accepted, in send order.
    pub fn sent(&self) -> Vec<OutgoingEmail> {
        self.mem.mailer.sent()
    }

    /// The emails to `address`.
    pub fn sent_to(&self, address: &str) -> Vec<OutgoingEmail> {
        self.sent()
            .into_iter()
            .filter(|e| e.to.iter().any(|t| t.eq_ignore_ascii_case(address)))
            .collect()
    }

    /// The run records of a lead.
    pub async fn runs_of(&self, id: &str) -> Vec<RunRecord> {
        match self.deps.ports.runs.for_lead(&parse_id(id)).await {
            Ok(r) => r,
            Err(e) => panic!("runs of {id}: {e}"),
        }
    }
}

/// Is the lead waiting for a person (flagged by a stage)? One place to read it, whatever
/// shape the flag takes.
pub fn is_blocked(lead: &Lead) -> bool {
    lead.blocked.is_some()
}

pub fn parse_id(id: &str) -> LeadId {
    LeadId::parse(id).unwrap_or_else(|e| panic!("{e}"))
}
