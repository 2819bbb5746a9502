//! The agent configuration: one TOML file (`sqa.toml`).
//!
//! `check` reports every error it can find, each with its key path and line, instead of
//! stopping at the first one: a section that fails to deserialize is retried without the
//! offending key until it succeeds, and the semantic checks run on what is left.

use crate::domain::{LeadId, Tier};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Research, score and draft; a seller sends.
    #[default]
    ResearchOnly,
    /// Research, score, send and carry the conversation.
    Engage,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum AgentState {
    /// Configured, not selecting yet.
    #[default]
    Draft,
    Running,
    /// No new selection; leads in flight finish.
    Stopped,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct Product {
    pub name: String,
    #[serde(default)]
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct Company {
    pub name: String,
    #[serde(default)]
    pub website: String,
    /// One or two sentences: what the company sells and to whom.
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub products: Vec<Product>,
    /// Value propositions the outreach agent may cite.
    #[serde(default)]
    pub value_propositions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct AgentIdentity {
    /// Display name of the agent's mailbox ("Ava Reed").
    pub name: String,
    /// The agent's sending address.
    pub email: String,
    /// Domain of Message-IDs (`<outreach-{lead}-{touch}-{tag}@{mail_domain}>`); defaults to the
    /// domain of `email`.
    #[serde(default)]
    pub mail_domain: String,
    pub signature: String,
    /// Said in every email: the sender is an AI agent.
    pub ai_disclosure: String,
    /// Physical postal address, required in commercial email (CAN-SPAM).
    pub postal_address: String,
    /// One-click unsubscribe link; `{token}` is replaced by a per-lead token.
    pub unsubscribe_url: String,
    /// Mailbox that receives `mailto:` unsubscribe requests (List-Unsubscribe).
    #[serde(default)]
    pub unsubscribe_mailto: String,
}

impl AgentIdentity {
    pub fn mail_domain(&self) -> &str {
        if !self.mail_domain.is_empty() {
            &self.mail_domain
        } else {
            self.email.rsplit_once('@').map(|(_, d)| d).unwrap_or("")
        }
    }
}

/// Comparison of one lead field in the selection criteria.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    Eq,
    Ne,
    In,
    NotIn,
    Contains,
    Gte,
    Lte,
    Exists,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    /// A lead column (`country`, `industry`, `employees`, `source`, …).
    pub field: String,
    pub op: Op,
    /// A string or number for eq/ne/contains/gte/lte, a list for in/not_in, a boolean for
    /// exists (default true).
    #[serde(default)]
    pub value: Option<serde_json::Value>,
}

fn default_statuses() -> Vec<String> {
    vec!["open".into()]
}
fn default_days() -> u32 {
    14
}
fn default_batch() -> usize {
    500
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Selection {
    /// CRM statuses eligible for selection (exact match).
    #[serde(default = "default_statuses")]
    pub statuses: Vec<String>,
    /// Only leads created within this many days before now.
    #[serde(default = "default_days")]
    pub created_within_days: u32,
    /// Only leads of these owners (empty: any owner).
    #[serde(default)]
    pub owners: Vec<String>,
    /// Every condition must hold.
    #[serde(default)]
    pub conditions: Vec<Condition>,
    /// Most leads claimed by one selection run.
    #[serde(default = "default_batch")]
    pub max_per_run: usize,
}

impl Default for Selection {
    fn default() -> Self {
        Selection {
            statuses: default_statuses(),
            created_within_days: default_days(),
            owners: Vec::new(),
            conditions: Vec::new(),
            max_per_run: default_batch(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Weights {
    pub industry: u32,
    pub size: u32,
    pub geo: u32,
    pub title: u32,
    pub tech: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Tiers {
    #[serde(rename = "A")]
    pub a: u32,
    #[serde(rename = "B")]
    pub b: u32,
    #[serde(rename = "C")]
    pub c: u32,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Seniority {
    Individual,
    Manager,
    Director,
    Vp,
    #[serde(rename = "c-level", alias = "c_level")]
    CLevel,
}

/// The ideal customer profile (the schema of `company/icp.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Icp {
    pub industries: Vec<String>,
    pub employee_range: [u64; 2],
    pub countries: Vec<String>,
    pub titles_include: Vec<String>,
    pub seniority_min: Seniority,
    pub tech_stack_any: Vec<String>,
    #[serde(default)]
    pub exclude_industries: Vec<String>,
    pub weights: Weights,
    pub tiers: Tiers,
}

impl Default for Icp {
    fn default() -> Self {
        Icp {
            industries: Vec::new(),
            employee_range: [1, u64::MAX],
            countries: Vec::new(),
            titles_include: Vec::new(),
            seniority_min: Seniority::Manager,
            tech_stack_any: Vec::new(),
            exclude_industries: Vec::new(),
            weights: Weights {
                industry: 25,
                size: 20,
                geo: 15,
                title: 25,
                tech: 15,
            },
            tiers: Tiers {
                a: 80,
                b: 60,
                c: 40,
            },
        }
    }
}

impl Icp {
    pub fn tier(&self, score: u32) -> Tier {
        if score >= self.tiers.a {
            Tier::A
        } else if score >= self.tiers.b {
            Tier::B
        } else if score >= self.tiers.c {
            Tier::C
        } else {
            Tier::D
        }
    }
}

fn default_true() -> bool {
    true
}
fn default_min_tier() -> Tier {
    Tier::D
}

/// When a lead is ready for a seller.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Handoff {
    /// Hand over as soon as the lead asks for a demo, meeting, trial or proposal.
    #[serde(default = "default_true")]
    pub on_purchase_intent: bool,
    /// Also hand over when at least this many BANT facts are known (0 = off).
    #[serde(default)]
    pub min_bant_known: usize,
    /// Lowest fit tier that may be handed over (`A`..`D`); lower tiers go to nurture.
    #[serde(default = "default_min_tier")]
    pub min_tier: Tier,
}

impl Default for Handoff {
    fn default() -> Self {
        Handoff {
            on_purchase_intent: true,
            min_bant_known: 0,
            min_tier: default_min_tier(),
        }
    }
}

fn default_follow_ups() -> Vec<u32> {
    vec![3, 7]
}
fn default_nurture_days() -> u32 {
    90
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Cadence {
    /// Days after the previous touch for each follow-up (its length is the number of
    /// follow-ups).
    #[serde(default = "default_follow_ups")]
    pub follow_up_days: Vec<u32>,
    /// Days before a nurtured lead is contacted again when it named no date.
    #[serde(default = "default_nurture_days")]
    pub nurture_days: u32,
    /// Most emails to one lead, answers included.
    #[serde(default = "default_max_emails")]
    pub max_emails_per_lead: u32,
}

fn default_max_emails() -> u32 {
    6
}

impl Default for Cadence {
    fn default() -> Self {
        Cadence {
            follow_up_days: default_follow_ups(),
            nurture_days: default_nurture_days(),
            max_emails_per_lead: default_max_emails(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Seller {
    /// Rep handle, as in the leads' `owner` column.
    pub handle: String,
    pub email: String,
    #[serde(default)]
    pub name: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    /// The lead's owner when they are a configured seller, else the next in the rotation.
    #[default]
    OwnerFirst,
    /// Always the next seller in the rotation.
    RoundRobin,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct Assignment {
    #[serde(default)]
    pub strategy: Strategy,
    #[serde(default)]
    pub sellers: Vec<Seller>,
    /// Receives escalations (unknown senders, unclear replies).
    #[serde(default)]
    pub supervisor: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct Knowledge {
    /// Markdown files the agent may answer from, relative to the config file.
    #[serde(default)]
    pub sources: Vec<String>,
}

/// How much input the agent reads: every file is size-checked before it is read, and the
/// files the config names must be inside the workspace (the config file's folder) unless
/// `allow_paths` lists them. The defaults are safe; raise a limit only for a known file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Largest `icp_file` (and `sqa.toml` itself, which is always read with the default:
    /// a file cannot raise the limit it is read under).
    pub max_config_bytes: u64,
    /// Largest knowledge source, per file.
    pub max_knowledge_bytes: u64,
    /// Largest leads CSV (`leads import`, the import API).
    pub max_csv_bytes: u64,
    /// Most data rows of one leads CSV; the rows after it are reported, not imported.
    pub max_csv_rows: u64,
    /// Largest inbound message (at most 25 MiB, the MIME parser's own ceiling).
    pub max_message_bytes: u64,
    /// Files or folders outside the workspace that `icp_file` and `knowledge.sources` may
    /// name (relative to the config file, or absolute). Symlinks and `..` are resolved first.
    pub allow_paths: Vec<String>,
}

impl Limits {
    pub const DEFAULT_MAX_CONFIG_BYTES: u64 = 1024 * 1024;
    pub const DEFAULT_MAX_KNOWLEDGE_BYTES: u64 = 1024 * 1024;
    pub const DEFAULT_MAX_CSV_BYTES: u64 = 64 * 1024 * 1024;
    pub const DEFAULT_MAX_CSV_ROWS: u64 = 100_000;
    pub const DEFAULT_MAX_MESSAGE_BYTES: u64 = crate::mail::parse::MAX_MESSAGE_BYTES as u64;

    /// The config keys, as errors name them.
    pub const MAX_CONFIG_BYTES: &str = "limits.max_config_bytes";
    pub const MAX_KNOWLEDGE_BYTES: &str = "limits.max_knowledge_bytes";
    pub const MAX_CSV_BYTES: &str = "limits.max_csv_bytes";
    pub const MAX_CSV_ROWS: &str = "limits.max_csv_rows";
    pub const MAX_MESSAGE_BYTES: &str = "limits.max_message_bytes";
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_config_bytes: Self::DEFAULT_MAX_CONFIG_BYTES,
            max_knowledge_bytes: Self::DEFAULT_MAX_KNOWLEDGE_BYTES,
            max_csv_bytes: Self::DEFAULT_MAX_CSV_BYTES,
            max_csv_rows: Self::DEFAULT_MAX_CSV_ROWS,
            max_message_bytes: Self::DEFAULT_MAX_MESSAGE_BYTES,
            allow_paths: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct Guardrails {
    /// Links an outgoing email may contain (prefixes); the unsubscribe link is always allowed.
    #[serde(default)]
    pub allowed_links: Vec<String>,
    /// Phrases no outgoing email may contain (compared case-insensitively).
    #[serde(default)]
    pub prohibited_phrases: Vec<String>,
}

/// Where the validation agent asks whether a domain accepts mail (`validation.dns`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum DnsSetting {
    /// The machine's resolver (`/etc/resolv.conf`).
    #[default]
    System,
    /// No lookups: deliverability is `not_checked` (offline runs).
    Off,
    /// One name server (`IP:PORT`, or a bare IP on port 53).
    Server(std::net::SocketAddr),
}

impl TryFrom<String> for DnsSetting {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        let t = s.trim();
        match t {
            "system" => Ok(DnsSetting::System),
            "off" => Ok(DnsSetting::Off),
            other => other
                .parse::<std::net::SocketAddr>()
                .or_else(|_| {
                    other
                        .parse::<std::net::IpAddr>()
                        .map(|ip| std::net::SocketAddr::new(ip, 53))
                })
                .map(DnsSetting::Server)
                .map_err(|_| {
                    format!("{other:?}: expected system, off or HOST:PORT (an IP address and port)")
                }),
        }
    }
}

impl From<DnsSetting> for String {
    fn from(d: DnsSetting) -> String {
        d.to_string()
    }
}

impl std::fmt::Display for DnsSetting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DnsSetting::System => f.write_str("system"),
            DnsSetting::Off => f.write_str("off"),
            DnsSetting::Server(addr) => write!(f, "{addr}"),
        }
    }
}

/// Where company websites are read from (`web.source`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum WebSource {
    /// Live sites over HTTP(S).
    #[default]
    Http,
    /// No research: every lead's research says so.
    Off,
    /// A mirror folder with one subfolder per domain (`dir:PATH`, relative to the config).
    Dir(String),
}

impl TryFrom<String> for WebSource {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        let t = s.trim();
        match t {
            "http" => Ok(WebSource::Http),
            "off" => Ok(WebSource::Off),
            other => match other.strip_prefix("dir:") {
                Some(path) if !path.trim().is_empty() => Ok(WebSource::Dir(path.trim().into())),
                _ => Err(format!("{other:?}: expected http, off or dir:PATH")),
            },
        }
    }
}

impl From<WebSource> for String {
    fn from(w: WebSource) -> String {
        w.to_string()
    }
}

impl std::fmt::Display for WebSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WebSource::Http => f.write_str("http"),
            WebSource::Off => f.write_str("off"),
            WebSource::Dir(path) => write!(f, "dir:{path}"),
        }
    }
}
fn default_dns_timeout() -> u64 {
    2000
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Validation {
    /// `system` (the machine's resolver), `off`, or `HOST:PORT` of a name server.
    #[serde(default)]
    #[schemars(with = "String")]
    pub dns: DnsSetting,
    #[serde(default = "default_dns_timeout")]
    pub dns_timeout_ms: u64,
}

impl Default for Validation {
    fn default() -> Self {
        Validation {
            dns: DnsSetting::default(),
            dns_timeout_ms: default_dns_timeout(),
        }
    }
}

/// The shape of a webhook's body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum WebhookFormat {
    /// The event as JSON (`crate::webhooks::Event`).
    #[default]
    Json,
    /// A Slack incoming-webhook message (`{"text": …}`).
    Slack,
    /// A Microsoft Teams MessageCard.
    Teams,
}

/// One endpoint that gets events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookEndpoint {
    /// Where events are POSTed (http or https).
    pub url: String,
    /// Which events: `handed_over`, `disqualified`, `escalated`, `suppressed`, `bounced`;
    /// empty for all.
    #[serde(default)]
    pub events: Vec<String>,
    #[serde(default)]
    pub format: WebhookFormat,
}

fn default_webhook_secret_env() -> String {
    "SQA_WEBHOOK_SECRET".into()
}

/// Signed webhooks (`[webhooks]`): see `crate::webhooks`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Webhooks {
    /// The environment variable holding the HMAC signing secret the receivers share; unset,
    /// the secret is derived from the deployment's (`sqa serve` prints it).
    #[serde(default = "default_webhook_secret_env")]
    pub secret_env: String,
    #[serde(default)]
    pub endpoints: Vec<WebhookEndpoint>,
}

impl Default for Webhooks {
    fn default() -> Self {
        Webhooks {
            secret_env: default_webhook_secret_env(),
            endpoints: Vec::new(),
        }
    }
}

/// How inbound mail is authenticated (`[inbound]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct Inbound {
    /// The host that receives the agent's mail (its MX), as it names itself. Only
    /// `Authentication-Results` headers with this authserv-id are believed, and its topmost
    /// `Received:` header gives the connecting IP that SPF checks. Empty: no header is
    /// believed and SPF is not checked.
    #[serde(default)]
    pub receiving_host: String,
    /// Where DKIM keys and SPF and DMARC records are looked up: `system`, `off` or `HOST:PORT`.
    /// Unset: the same as `validation.dns`.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub dns: Option<DnsSetting>,
}

fn default_ua() -> String {
    "LumoraSQA".into()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WebConfig {
    /// `http` (fetch live sites) or a directory mirror `dir:PATH` (one folder per domain).
    #[serde(default)]
    #[schemars(with = "String")]
    pub source: WebSource,
    /// The user-agent token robots.txt groups are matched against.
    #[serde(default = "default_ua")]
    pub user_agent: String,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            source: WebSource::default(),
            user_agent: default_ua(),
        }
    }
}

/// Which model answers the agent's tasks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum Provider {
    /// The deterministic engine: no network, no key, the same answer every time.
    #[default]
    Offline,
    /// Any OpenAI-compatible chat-completions endpoint (OpenAI, Azure OpenAI, vLLM, Ollama,
    /// llama.cpp's server, LM Studio).
    Openai,
    /// Amazon Bedrock's Converse API (the AWS backend, or the CLI built with AWS support).
    Bedrock,
}

impl Provider {
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Offline => "offline",
            Provider::Openai => "openai",
            Provider::Bedrock => "bedrock",
        }
    }
}

fn default_api_key_env() -> String {
    "SQA_MODEL_API_KEY".into()
}
fn default_model_timeout_ms() -> u64 {
    30_000
}
fn default_model_retries() -> u32 {
    2
}
fn default_backoff_ms() -> u64 {
    500
}
fn default_max_backoff_ms() -> u64 {
    20_000
}
fn default_breaker_failures() -> u32 {
    5
}
fn default_breaker_cooldown_secs() -> u64 {
    30
}
fn default_model_concurrency() -> usize {
    4
}
fn default_max_output_tokens() -> u32 {
    1200
}
fn default_budget_per_lead() -> u64 {
    40_000
}
fn default_model_tasks() -> Vec<crate::ports::ModelTask> {
    crate::ports::ModelTask::ALL.to_vec()
}

/// `[model]`: which model answers, how it is reached, and what it may spend. Whatever the
/// provider, the offline engine answers when the model cannot (timeout, error, broken
/// answer, failed check, budget) and the run record says why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ModelConfig {
    /// `offline` (the default), `openai` or `bedrock`.
    #[serde(default)]
    pub provider: Provider,
    /// openai: the base URL (`http://127.0.0.1:8000/v1`); the client appends
    /// `/chat/completions`.
    #[serde(default)]
    pub endpoint: String,
    /// openai: the model name sent with each request.
    #[serde(default)]
    pub name: String,
    /// bedrock: the model or inference-profile id.
    #[serde(default)]
    pub model_id: String,
    /// bedrock: the region (default: the deployment's).
    #[serde(default)]
    pub region: String,
    /// openai: the environment variable holding the API key (never the key itself), sent
    /// as a bearer token; on AWS the key comes from the deployment's SSM parameter.
    #[serde(default = "default_api_key_env")]
    pub api_key_env: String,
    /// openai: ask for JSON mode (`json_object`) instead of a JSON schema per task, for
    /// servers without structured output. A server that refuses schemas is switched to JSON
    /// mode on its first refusal anyway.
    #[serde(default)]
    pub json_mode: bool,
    /// The tasks the model does; the offline engine does the others.
    #[serde(default = "default_model_tasks")]
    pub tasks: Vec<crate::ports::ModelTask>,
    /// One attempt's time limit.
    #[serde(default = "default_model_timeout_ms")]
    pub timeout_ms: u64,
    /// Attempts after the first on a 429, a 5xx, a timeout or a broken connection.
    #[serde(default = "default_model_retries")]
    pub retries: u32,
    /// The first backoff; it doubles per retry, with full jitter, up to `max_backoff_ms`.
    /// A `Retry-After` from the server wins when it is longer (and within the cap).
    #[serde(default = "default_backoff_ms")]
    pub backoff_ms: u64,
    #[serde(default = "default_max_backoff_ms")]
    pub max_backoff_ms: u64,
    /// Consecutive failed calls that open the circuit breaker.
    #[serde(default = "default_breaker_failures")]
    pub breaker_failures: u32,
    /// How long an open breaker refuses calls before it lets one through.
    #[serde(default = "default_breaker_cooldown_secs")]
    pub breaker_cooldown_secs: u64,
    /// Calls in flight at once, per process.
    #[serde(default = "default_model_concurrency")]
    pub concurrency: usize,
    /// The most tokens one answer may have.
    #[serde(default = "default_max_output_tokens")]
    pub max_output_tokens: u32,
    /// Tokens (in + out) one lead may use over its life; 0: no limit.
    #[serde(default = "default_budget_per_lead")]
    pub budget_tokens_per_lead: u64,
    /// Tokens (in + out) per UTC day, per process; 0: no limit.
    #[serde(default)]
    pub budget_tokens_per_day: u64,
    /// Price per million input tokens (any currency, used for `sqa stats --cost`).
    #[serde(default)]
    pub price_in_per_million: f64,
    /// Price per million output tokens.
    #[serde(default)]
    pub price_out_per_million: f64,
}

impl Default for ModelConfig {
    fn default() -> Self {
        ModelConfig {
            provider: Provider::Offline,
            endpoint: String::new(),
            name: String::new(),
            model_id: String::new(),
            region: String::new(),
            api_key_env: default_api_key_env(),
            json_mode: false,
            tasks: default_model_tasks(),
            timeout_ms: default_model_timeout_ms(),
            retries: default_model_retries(),
            backoff_ms: default_backoff_ms(),
            max_backoff_ms: default_max_backoff_ms(),
            breaker_failures: default_breaker_failures(),
            breaker_cooldown_secs: default_breaker_cooldown_secs(),
            concurrency: default_model_concurrency(),
            max_output_tokens: default_max_output_tokens(),
            budget_tokens_per_lead: default_budget_per_lead(),
            budget_tokens_per_day: 0,
            price_in_per_million: 0.0,
            price_out_per_million: 0.0,
        }
    }
}

impl ModelConfig {
    /// The model's name as run records show it.
    pub fn model_name(&self) -> &str {
        match self.provider {
            Provider::Offline => "offline",
            Provider::Openai => &self.name,
            Provider::Bedrock => &self.model_id,
        }
    }
    /// The cost of one call at the configured prices.
    pub fn cost(&self, tokens_in: u64, tokens_out: u64) -> f64 {
        (tokens_in as f64 * self.price_in_per_million
            + tokens_out as f64 * self.price_out_per_million)
            / 1_000_000.0
    }
}

/// The whole agent configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AgentConfig {
    #[serde(default)]
    pub mode: Mode,
    #[serde(default)]
    pub state: AgentState,
    pub company: Company,
    pub agent: AgentIdentity,
    #[serde(default)]
    pub selection: Selection,
    /// The ICP inline, or `icp_file` pointing at an `icp.json`.
    #[serde(default)]
    pub icp: Option<Icp>,
    #[serde(default)]
    pub icp_file: Option<String>,
    #[serde(default)]
    pub handoff: Handoff,
    #[serde(default)]
    pub cadence: Cadence,
    #[serde(default)]
    pub assignment: Assignment,
    #[serde(default)]
    pub knowledge: Knowledge,
    #[serde(default)]
    pub limits: Limits,
    #[serde(default)]
    pub guardrails: Guardrails,
    #[serde(default)]
    pub validation: Validation,
    #[serde(default)]
    pub inbound: Inbound,
    #[serde(default)]
    pub web: WebConfig,
    #[serde(default)]
    pub model: ModelConfig,
    #[serde(default)]
    pub webhooks: Webhooks,
    /// The knowledge documents' text, read by `parse` from `knowledge.sources`.
    #[serde(skip)]
    #[schemars(skip)]
    pub knowledge_docs: Vec<KnowledgeDoc>,
}

/// One knowledge document the agent may answer from.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct KnowledgeDoc {
    pub source: String,
    pub text: String,
}

impl AgentConfig {
    /// The ICP in force (inline, or loaded from `icp_file` by `load`).
    pub fn icp(&self) -> Icp {
        self.icp.clone().unwrap_or_default()
    }
    pub fn min_tier(&self) -> Tier {
        self.handoff.min_tier
    }
    /// The Message-ID of touch `n` to `lead`: `<outreach-{lead}-{n}-{tag}@{domain}>`, the tag
    /// signed with the deployment's secret (see [`crate::mail::ids`]).
    pub fn message_id(&self, secret: &str, lead: &LeadId, n: u32) -> String {
        crate::mail::ids::message_id(
            secret,
            self.agent.mail_domain(),
            crate::mail::ids::IdKind::Outreach,
            lead,
            n,
        )
    }
    /// Where inbound mail authentication looks DNS records up (`inbound.dns`, else
    /// `validation.dns`).
    pub fn inbound_dns(&self) -> DnsSetting {
        self.inbound.dns.unwrap_or(self.validation.dns)
    }
    /// The Message-ID of the agent's answer `n` to `lead` (`<reply-…>`).
    pub fn answer_id(&self, secret: &str, lead: &LeadId, n: u32) -> String {
        crate::mail::ids::message_id(
            secret,
            self.agent.mail_domain(),
            crate::mail::ids::IdKind::Reply,
            lead,
            n,
        )
    }
}

/// One problem in a config file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConfigIssue {
    /// Dotted key path (`selection.conditions[1].op`), empty for the whole file.
    pub path: String,
    /// 1-based line, when the key could be found.
    pub line: Option<usize>,
    pub message: String,
}

impl std::fmt::Display for ConfigIssue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.line, self.path.is_empty()) {
            (Some(l), false) => write!(f, "line {l}: {}: {}", self.path, self.message),
            (Some(l), true) => write!(f, "line {l}: {}", self.message),
            (None, false) => write!(f, "{}: {}", self.path, self.message),
            (None, true) => write!(f, "{}", self.message),
        }
    }
}

/// The config's errors, all of them.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{}", .0.iter().map(|i| i.to_string()).collect::<Vec<_>>().join("\n"))]
pub struct ConfigErrors(pub Vec<ConfigIssue>);

/// The JSON Schema of `sqa.toml`.
pub fn json_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(AgentConfig)).unwrap_or_default()
}

const SECTIONS: &[&str] = &[
    "company",
    "agent",
    "selection",
    "icp",
    "handoff",
    "cadence",
    "assignment",
    "knowledge",
    "limits",
    "guardrails",
    "validation",
    "inbound",
    "web",
    "model",
    "webhooks",
];
const SCALARS: &[&str] = &["mode", "state", "icp_file"];

/// One file a config names (`icp_file`, a knowledge source), as handed to [`ConfigFiles`].
#[derive(Debug, Clone, Copy)]
pub struct NamedFile<'a> {
    /// The key that names it: `icp_file`, `knowledge.sources[2]`.
    pub key: &'a str,
    /// The path as the config writes it (relative to the config file, or absolute).
    pub name: &'a str,
    /// The largest size accepted, and the key that sets it (`limits.max_knowledge_bytes`).
    pub max_bytes: u64,
    pub limit_key: &'a str,
    /// `limits.allow_paths`: what may lie outside the workspace.
    pub allow: &'a [String],
}

/// Where the files a config names come from: the workspace folder
/// ([`crate::fsread::WorkspaceFiles`]), or a bucket on a cloud backend. An error is a
/// message saying why the file was not read; the parser adds the key and line.
pub trait ConfigFiles {
    fn read(&self, file: &NamedFile<'_>) -> Result<String, String>;
}

impl<F> ConfigFiles for F
where
    F: Fn(&NamedFile<'_>) -> Result<String, String>,
{
    fn read(&self, file: &NamedFile<'_>) -> Result<String, String> {
        self(file)
    }
}

/// Parse and check a config text. `files` reads `icp_file` and the knowledge sources, each
/// within its limit from `[limits]`.
pub fn parse(text: &str, files: &dyn ConfigFiles) -> Result<AgentConfig, ConfigErrors> {
    let table: toml::Table = match text.parse::<toml::Table>() {
        Ok(t) => t,
        Err(e) => {
            let line = e.span().map(|s| line_of_offset(text, s.start));
            return Err(ConfigErrors(vec![ConfigIssue {
                path: String::new(),
                line,
                message: format!("not valid TOML: {}", e.message()),
            }]));
        }
    };
    let locate = |path: &str| locate_key(text, path);
    let mut issues = Vec::new();

    for key in table.keys() {
        if !SECTIONS.contains(&key.as_str()) && !SCALARS.contains(&key.as_str()) {
            issues.push(ConfigIssue {
                path: key.clone(),
                line: locate(key),
                message: format!(
                    "unknown key; expected one of: {}",
                    SCALARS
                        .iter()
                        .chain(SECTIONS.iter())
                        .copied()
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
        }
    }

    // Deserialize each part on its own so one bad section does not hide the others.
    let mut cleaned = toml::Table::new();
    for key in SECTIONS.iter().chain(SCALARS.iter()) {
        if let Some(value) = table.get(*key) {
            let mut value = value.clone();
            if let Some(v) = deserialize_part(key, &mut value, &locate, &mut issues) {
                cleaned.insert((*key).to_string(), v);
            }
        }
    }
    for required in ["company", "agent"] {
        if !table.contains_key(required) {
            issues.push(ConfigIssue {
                path: required.into(),
                line: None,
                message: format!("missing section [{required}]"),
            });
        }
    }
    if !issues.is_empty() {
        issues.sort_by_key(|i| i.line.unwrap_or(usize::MAX));
        return Err(ConfigErrors(issues));
    }
    let mut cfg: AgentConfig = match toml::Value::Table(cleaned).try_into() {
        Ok(c) => c,
        Err(e) => {
            return Err(ConfigErrors(vec![ConfigIssue {
                path: String::new(),
                line: None,
                message: e.to_string(),
            }]));
        }
    };

    let allow = cfg.limits.allow_paths.clone();
    if let Some(file) = cfg.icp_file.clone() {
        let named = NamedFile {
            key: "icp_file",
            name: &file,
            max_bytes: cfg.limits.max_config_bytes,
            limit_key: Limits::MAX_CONFIG_BYTES,
            allow: &allow,
        };
        let issue = |message: String| ConfigIssue {
            path: "icp_file".into(),
            line: locate("icp_file"),
            message,
        };
        match files.read(&named) {
            Err(why) => issues.push(issue(why)),
            Ok(json) => match serde_json::from_str::<Icp>(&json) {
                Ok(icp) if cfg.icp.is_none() => cfg.icp = Some(icp),
                Ok(_) => issues.push(issue(
                    "give the ICP inline ([icp]) or as icp_file, not both".into(),
                )),
                Err(e) => issues.push(issue(format!("{file}: not a valid ICP: {e}"))),
            },
        }
    }
    for (i, src) in cfg.knowledge.sources.clone().iter().enumerate() {
        let key = format!("knowledge.sources[{i}]");
        let named = NamedFile {
            key: &key,
            name: src,
            max_bytes: cfg.limits.max_knowledge_bytes,
            limit_key: Limits::MAX_KNOWLEDGE_BYTES,
            allow: &allow,
        };
        match files.read(&named) {
            Ok(text) => cfg.knowledge_docs.push(KnowledgeDoc {
                source: src.clone(),
                text,
            }),
            Err(why) => issues.push(ConfigIssue {
                line: locate("knowledge.sources"),
                path: key,
                message: why,
            }),
        }
    }
    limits_checks(&cfg.limits, &locate, &mut issues);
    semantic_checks(&cfg, &locate, &mut issues);
    issues.sort_by_key(|i| i.line.unwrap_or(usize::MAX));
    if issues.is_empty() {
        Ok(cfg)
    } else {
        Err(ConfigErrors(issues))
    }
}

/// Try to deserialize one top-level part; on an error record it, drop the offending key and
/// try again, so that every error in the part is reported.
fn deserialize_part(
    key: &str,
    value: &mut toml::Value,
    locate: &dyn Fn(&str) -> Option<usize>,
    issues: &mut Vec<ConfigIssue>,
) -> Option<toml::Value> {
    for _ in 0..64 {
        let result = match key {
            "company" => check_as::<Company>(value),
            "agent" => check_as::<AgentIdentity>(value),
            "selection" => check_as::<Selection>(value),
            "icp" => check_as::<Icp>(value),
            "handoff" => check_as::<Handoff>(value),
            "cadence" => check_as::<Cadence>(value),
            "assignment" => check_as::<Assignment>(value),
            "knowledge" => check_as::<Knowledge>(value),
            "limits" => check_as::<Limits>(value),
            "guardrails" => check_as::<Guardrails>(value),
            "validation" => check_as::<Validation>(value),
            "inbound" => check_as::<Inbound>(value),
            "web" => check_as::<WebConfig>(value),
            "model" => check_as::<ModelConfig>(value),
            "webhooks" => check_as::<Webhooks>(value),
            "mode" => check_as::<Mode>(value),
            "state" => check_as::<AgentState>(value),
            _ => check_as::<String>(value),
        };
        let (inner_path, message) = match result {
            Ok(()) => return Some(value.clone()),
            Err(e) => e,
        };
        let full = if inner_path.is_empty() || inner_path == "." {
            key.to_string()
        } else {
            format!("{key}.{inner_path}")
        };
        // For an unknown field serde reports the parent path: name the field itself.
        let unknown = message
            .strip_prefix("unknown field `")
            .and_then(|r| r.split('`').next())
            .map(str::to_string);
        // serde_path_to_error names the unknown field in the path already for some inputs.
        let missing = message
            .strip_prefix("missing field `")
            .and_then(|r| r.split('`').next())
            .map(str::to_string);
        let reported = match unknown.as_ref().or(missing.as_ref()) {
            Some(f) if !full.ends_with(&format!(".{f}")) => format!("{full}.{f}"),
            _ => full.clone(),
        };
        let reported = reported.trim_end_matches('.').to_string();
        let line = locate(&reported)
            .or_else(|| locate(&full))
            .or_else(|| locate(key));
        issues.push(ConfigIssue {
            path: reported.clone(),
            line,
            message,
        });
        let removed = match &unknown {
            Some(_) => remove_path(value, &reported[key.len()..]),
            None => remove_path(value, &full[key.len()..]),
        };
        if !removed {
            return None;
        }
    }
    None
}

fn check_as<T: serde::de::DeserializeOwned>(value: &toml::Value) -> Result<(), (String, String)> {
    let de = value.clone();
    match serde_path_to_error::deserialize::<_, T>(de) {
        Ok(_) => Ok(()),
        Err(e) => {
            let path = e.path().to_string();
            let msg = e.into_inner().to_string();
            // The TOML deserializer appends "in `key`": the path says it already.
            let msg = msg
                .split("\nin `")
                .next()
                .unwrap_or(&msg)
                .trim()
                .to_string();
            Err((path, msg))
        }
    }
}

/// Remove `.a.b[2].c` from a value; false when there is nothing (more) to remove.
fn remove_path(value: &mut toml::Value, path: &str) -> bool {
    let segs = split_path(path);
    if segs.is_empty() {
        return false;
    }
    let mut cur = value;
    for seg in &segs[..segs.len() - 1] {
        cur = match (seg, cur) {
            (Seg::Key(k), toml::Value::Table(t)) => match t.get_mut(k) {
                Some(v) => v,
                None => return false,
            },
            (Seg::Index(i), toml::Value::Array(a)) => match a.get_mut(*i) {
                Some(v) => v,
                None => return false,
            },
            _ => return false,
        };
    }
    match (segs.last(), cur) {
        (Some(Seg::Key(k)), toml::Value::Table(t)) => t.remove(k).is_some(),
        (Some(Seg::Index(i)), toml::Value::Array(a)) if *i < a.len() => {
            a.remove(*i);
            true
        }
        _ => false,
    }
}

enum Seg {
    Key(String),
    Index(usize),
}

fn split_path(path: &str) -> Vec<Seg> {
    let mut out = Vec::new();
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let mut rest = part;
        if let Some(b) = rest.find('[') {
            if b > 0 {
                out.push(Seg::Key(rest[..b].to_string()));
            }
            rest = &rest[b..];
            while let Some(stripped) = rest.strip_prefix('[') {
                let end = stripped.find(']').unwrap_or(stripped.len());
                if let Ok(i) = stripped[..end].parse() {
                    out.push(Seg::Index(i));
                }
                rest = stripped.get(end + 1..).unwrap_or("");
            }
        } else {
            out.push(Seg::Key(rest.to_string()));
        }
    }
    out
}

fn semantic_checks(
    cfg: &AgentConfig,
    locate: &dyn Fn(&str) -> Option<usize>,
    issues: &mut Vec<ConfigIssue>,
) {
    let mut push = |path: &str, message: String| {
        issues.push(ConfigIssue {
            path: path.to_string(),
            line: locate(path),
            message,
        })
    };
    if cfg.company.name.trim().is_empty() {
        push("company.name", "must not be empty".into());
    }
    for (i, e) in cfg.webhooks.endpoints.iter().enumerate() {
        if !(e.url.starts_with("https://") || e.url.starts_with("http://"))
            || url::Url::parse(&e.url).is_err()
        {
            push(
                &format!("webhooks.endpoints[{i}].url"),
                format!("{:?} is not an http(s) URL", e.url),
            );
        }
        for (j, ev) in e.events.iter().enumerate() {
            if crate::webhooks::EventKind::parse(ev).is_none() {
                push(
                    &format!("webhooks.endpoints[{i}].events[{j}]"),
                    format!(
                        "{ev:?} is not an event; one of handed_over, disqualified, escalated, \
                         suppressed, bounced"
                    ),
                );
            }
        }
    }
    if !cfg.webhooks.endpoints.is_empty() && cfg.webhooks.secret_env.trim().is_empty() {
        push(
            "webhooks.secret_env",
            "name the environment variable that holds the signing secret".into(),
        );
    }
    let a = &cfg.agent;
    for (key, value) in [
        ("agent.name", &a.name),
        ("agent.signature", &a.signature),
        ("agent.ai_disclosure", &a.ai_disclosure),
        ("agent.postal_address", &a.postal_address),
    ] {
        if value.trim().is_empty() {
            push(key, "must not be empty".into());
        }
    }
    if !crate::agents::email::is_plausible_address(&a.email) {
        push(
            "agent.email",
            format!("{:?} is not an email address", a.email),
        );
    }
    if !(a.unsubscribe_url.starts_with("https://") || a.unsubscribe_url.starts_with("http://")) {
        push(
            "agent.unsubscribe_url",
            "must be an http(s) URL (the one-click unsubscribe link)".into(),
        );
    }
    if a.mail_domain().is_empty() {
        push(
            "agent.mail_domain",
            "cannot be derived from agent.email".into(),
        );
    }
    if cfg.selection.statuses.is_empty() {
        push(
            "selection.statuses",
            "must name at least one status, or no lead is ever selected".into(),
        );
    }
    if cfg.selection.max_per_run == 0 {
        push("selection.max_per_run", "must be at least 1".into());
    }
    for (i, c) in cfg.selection.conditions.iter().enumerate() {
        let path = format!("selection.conditions[{i}]");
        if !crate::domain::LEAD_FIELDS.contains(&c.field.as_str()) {
            push(
                &format!("{path}.field"),
                format!(
                    "unknown lead field {:?}; expected one of: {}",
                    c.field,
                    crate::domain::LEAD_FIELDS.join(", ")
                ),
            );
        }
        let v = c.value.as_ref();
        let ok = match c.op {
            Op::In | Op::NotIn => v.is_some_and(|v| v.is_array()),
            Op::Exists => v.is_none() || v.is_some_and(|v| v.is_boolean()),
            Op::Gte | Op::Lte => v.is_some_and(|v| v.is_number() || v.is_string()),
            Op::Eq | Op::Ne | Op::Contains => v.is_some_and(|v| v.is_string() || v.is_number()),
        };
        if !ok {
            let want = match c.op {
                Op::In | Op::NotIn => "a list",
                Op::Exists => "true or false (or nothing)",
                _ => "a string or a number",
            };
            push(&format!("{path}.value"), format!("{:?} needs {want}", c.op));
        }
    }
    if cfg.icp.is_none() && cfg.icp_file.is_none() {
        push("icp", "missing: give [icp] or icp_file".into());
    }
    if let Some(icp) = &cfg.icp {
        if icp.employee_range[0] > icp.employee_range[1] {
            push(
                "icp.employee_range",
                "the lower bound is above the upper bound".into(),
            );
        }
        if !(icp.tiers.a >= icp.tiers.b && icp.tiers.b >= icp.tiers.c) {
            push("icp.tiers", "must satisfy A ≥ B ≥ C".into());
        }
        let w = &icp.weights;
        if w.industry + w.size + w.geo + w.title + w.tech == 0 {
            push("icp.weights", "all weights are zero".into());
        }
    }
    let mut seen = BTreeMap::new();
    for (i, s) in cfg.assignment.sellers.iter().enumerate() {
        if !crate::agents::email::is_plausible_address(&s.email) {
            push(
                &format!("assignment.sellers[{i}].email"),
                format!("{:?} is not an email address", s.email),
            );
        }
        if let Some(j) = seen.insert(s.handle.clone(), i) {
            push(
                &format!("assignment.sellers[{i}].handle"),
                format!("{:?} is already seller {j}", s.handle),
            );
        }
    }
    if cfg.mode == Mode::Engage && cfg.assignment.sellers.is_empty() {
        push(
            "assignment.sellers",
            "engage mode hands leads over: name at least one seller".into(),
        );
    }
    if cfg.cadence.follow_up_days.contains(&0) {
        push(
            "cadence.follow_up_days",
            "a follow-up needs at least 1 day".into(),
        );
    }
    model_checks(&cfg.model, &mut push);
}

/// `[model]`: what each provider needs, and numbers in range.
fn model_checks(m: &ModelConfig, push: &mut dyn FnMut(&str, String)) {
    match m.provider {
        Provider::Offline => {}
        Provider::Openai => {
            let e = m.endpoint.trim();
            if e.is_empty() {
                push(
                    "model.endpoint",
                    "provider = \"openai\" needs the endpoint's base URL (e.g. http://127.0.0.1:8000/v1)"
                        .into(),
                );
            } else if !(e.starts_with("http://") || e.starts_with("https://"))
                || url::Url::parse(e).is_err()
            {
                push("model.endpoint", format!("{e:?} is not an http(s) URL"));
            } else if e.trim_end_matches('/').ends_with("/chat/completions") {
                push(
                    "model.endpoint",
                    "give the base URL: the client appends /chat/completions".into(),
                );
            }
            if m.name.trim().is_empty() {
                push(
                    "model.name",
                    "provider = \"openai\" needs the model's name".into(),
                );
            }
        }
        Provider::Bedrock => {
            if m.model_id.trim().is_empty() {
                push(
                    "model.model_id",
                    "provider = \"bedrock\" needs a model id (e.g. anthropic.claude-3-haiku-20240307-v1:0)"
                        .into(),
                );
            }
        }
    }
    if m.api_key_env.trim().is_empty()
        || !m
            .api_key_env
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        push(
            "model.api_key_env",
            format!(
                "{:?}: the name of an environment variable (letters, digits, _), never the key",
                m.api_key_env
            ),
        );
    }
    if !(100..=600_000).contains(&m.timeout_ms) {
        push("model.timeout_ms", "must be 100 to 600000".into());
    }
    if m.retries > 10 {
        push("model.retries", "must be 0 to 10".into());
    }
    if m.backoff_ms == 0 || m.backoff_ms > m.max_backoff_ms {
        push(
            "model.backoff_ms",
            "must be at least 1 and at most max_backoff_ms".into(),
        );
    }
    if m.max_backoff_ms > 300_000 {
        push("model.max_backoff_ms", "must be at most 300000".into());
    }
    if m.breaker_failures == 0 {
        push("model.breaker_failures", "must be at least 1".into());
    }
    if !(1..=256).contains(&m.concurrency) {
        push("model.concurrency", "must be 1 to 256".into());
    }
    if !(16..=32_000).contains(&m.max_output_tokens) {
        push("model.max_output_tokens", "must be 16 to 32000".into());
    }
    for (key, price) in [
        ("model.price_in_per_million", m.price_in_per_million),
        ("model.price_out_per_million", m.price_out_per_million),
    ] {
        if !(price.is_finite() && price >= 0.0) {
            push(key, "must be a number of 0 or more".into());
        }
    }
}

/// The limits must be usable: a limit of a few bytes would refuse every file, and one near
/// `u64::MAX` is no limit at all.
fn limits_checks(
    limits: &Limits,
    locate: &dyn Fn(&str) -> Option<usize>,
    issues: &mut Vec<ConfigIssue>,
) {
    const KIB: u64 = 1024;
    const GIB: u64 = 1024 * 1024 * 1024;
    let ranges = [
        (Limits::MAX_CONFIG_BYTES, limits.max_config_bytes, KIB, GIB),
        (
            Limits::MAX_KNOWLEDGE_BYTES,
            limits.max_knowledge_bytes,
            KIB,
            GIB,
        ),
        (Limits::MAX_CSV_BYTES, limits.max_csv_bytes, KIB, 16 * GIB),
        (
            Limits::MAX_MESSAGE_BYTES,
            limits.max_message_bytes,
            KIB,
            Limits::DEFAULT_MAX_MESSAGE_BYTES,
        ),
    ];
    for (key, value, low, high) in ranges {
        if !(low..=high).contains(&value) {
            issues.push(ConfigIssue {
                path: key.into(),
                line: locate(key),
                message: format!(
                    "{value} is outside {} ..= {} bytes ({} ..= {})",
                    low,
                    high,
                    crate::fsread::human_bytes(low),
                    crate::fsread::human_bytes(high)
                ),
            });
        }
    }
    if !(1..=10_000_000).contains(&limits.max_csv_rows) {
        issues.push(ConfigIssue {
            path: Limits::MAX_CSV_ROWS.into(),
            line: locate(Limits::MAX_CSV_ROWS),
            message: format!("{} is outside 1 ..= 10000000", limits.max_csv_rows),
        });
    }
    for (i, p) in limits.allow_paths.iter().enumerate() {
        if p.trim().is_empty() {
            issues.push(ConfigIssue {
                path: format!("limits.allow_paths[{i}]"),
                line: locate("limits.allow_paths"),
                message: "is empty; name a file or folder".into(),
            });
        }
    }
}

/// Refuse a change of mode that would lose what the lead was promised.
pub fn check_upgrade(old: &AgentConfig, new: &AgentConfig) -> Result<(), String> {
    if old.mode == Mode::Engage && new.mode == Mode::ResearchOnly {
        return Err(
            "the agent is in engage mode; going back to research_only is not allowed \
             (conversations in flight would be abandoned). Stop the agent instead \
             (state = \"stopped\") and start a new one."
                .into(),
        );
    }
    Ok(())
}

fn line_of_offset(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// Find the line of a dotted key path in a TOML text: the key's own line, the header of its
/// table, or `None`. Handles `[table]`, `[[array]]` (by index) and `key = value` forms.
pub fn locate_key(text: &str, path: &str) -> Option<usize> {
    let segs = split_path(path);
    let mut names: Vec<String> = Vec::new();
    let mut index_for: BTreeMap<String, usize> = BTreeMap::new();
    for s in &segs {
        match s {
            Seg::Key(k) => names.push(k.clone()),
            Seg::Index(i) => {
                if let Some(last) = names.last() {
                    index_for.insert(last.clone(), *i);
                }
            }
        }
    }
    if names.is_empty() {
        return None;
    }
    // Walk lines tracking the current table path and array-of-table indexes.
    let mut current: Vec<String> = Vec::new();
    let mut counters: BTreeMap<String, usize> = BTreeMap::new();
    let mut best: Option<usize> = None;
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if let Some(h) = line.strip_prefix("[[").and_then(|l| l.split("]]").next()) {
            let name: Vec<String> = h.split('.').map(|s| s.trim().to_string()).collect();
            let joined = name.join(".");
            let c = counters.entry(joined).or_insert(0);
            let idx = *c;
            *c += 1;
            current = name.clone();
            let last = name.last().cloned().unwrap_or_default();
            let wanted = index_for.get(&last).copied().unwrap_or(0);
            if idx == wanted && names.starts_with(&name) {
                best = Some(n + 1);
                if names.len() == name.len() {
                    return best;
                }
            } else if names.starts_with(&name) {
                current = vec!["\u{0}".into()];
            }
            continue;
        }
        if let Some(h) = line.strip_prefix('[').and_then(|l| l.split(']').next()) {
            current = h.split('.').map(|s| s.trim().to_string()).collect();
            if names == current {
                return Some(n + 1);
            }
            if names.starts_with(&current) {
                best = Some(n + 1);
            }
            continue;
        }
        if let Some((k, _)) = line.split_once('=') {
            let key: Vec<String> = k
                .split('.')
                .map(|s| s.trim().trim_matches('"').to_string())
                .collect();
            let mut full = current.clone();
            full.extend(key);
            if full == names {
                return Some(n + 1);
            }
            if names.starts_with(&full) && !full.is_empty() {
                best = best.or(Some(n + 1));
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    pub const GOOD: &str = r#"
mode = "engage"
state = "running"

[company]
name = "Lumora Analytics"

[agent]
name = "Ava Reed"
email = "ava@agent.lumora-analytics.example"
signature = "Ava"
ai_disclosure = "I am an AI agent."
postal_address = "1 Main St, Boston"
unsubscribe_url = "https://x.example/u/{token}"

[icp]
industries = ["software"]
employee_range = [200, 5000]
countries = ["US"]
titles_include = ["data"]
seniority_min = "manager"
tech_stack_any = ["dbt"]
weights = { industry = 25, size = 20, geo = 15, title = 25, tech = 15 }
tiers = { A = 80, B = 60, C = 40 }

[[assignment.sellers]]
handle = "marcus"
email = "marcus@lumora.example"
"#;

    fn no_files(file: &NamedFile<'_>) -> Result<String, String> {
        Err(format!("{} is not available in this test", file.name))
    }

    #[test]
    fn a_good_config_parses_with_defaults() {
        let cfg = parse(GOOD, &no_files).unwrap();
        assert_eq!(cfg.mode, Mode::Engage);
        assert_eq!(cfg.selection.created_within_days, 14);
        assert_eq!(cfg.selection.statuses, vec!["open"]);
        assert_eq!(cfg.agent.mail_domain(), "agent.lumora-analytics.example");
    }

    #[test]
    fn every_error_is_reported_with_its_path_and_line() {
        let bad = GOOD
            .replace("mode = \"engage\"", "mode = \"engaged\"")
            .replace(
                "employee_range = [200, 5000]",
                "employee_range = [200, 5000]\nfoo = 1",
            )
            .replace(
                "[company]",
                "[selection]\ncreated_within_days = \"two\"\n[company]",
            );
        let errs = parse(&bad, &no_files).unwrap_err().0;
        let paths: Vec<&str> = errs.iter().map(|e| e.path.as_str()).collect();
        assert!(paths.contains(&"mode"), "{errs:?}");
        assert!(paths.contains(&"icp.foo"), "{errs:?}");
        assert!(paths.contains(&"selection.created_within_days"), "{errs:?}");
        let foo = errs.iter().find(|e| e.path == "icp.foo").unwrap();
        let expected = bad.lines().position(|l| l.starts_with("foo = 1")).unwrap() + 1;
        assert_eq!(foo.line, Some(expected));
        let mode = errs.iter().find(|e| e.path == "mode").unwrap();
        assert_eq!(mode.line, Some(2));
    }

    fn line_of(text: &str, prefix: &str) -> Option<usize> {
        text.lines()
            .position(|l| l.starts_with(prefix))
            .map(|i| i + 1)
    }

    #[test]
    fn the_model_is_offline_unless_the_config_names_another() {
        let cfg = parse(GOOD, &no_files).unwrap();
        assert_eq!(cfg.model.provider, Provider::Offline);
        assert_eq!(cfg.model.api_key_env, "SQA_MODEL_API_KEY");
        assert_eq!(cfg.model.tasks, crate::ports::ModelTask::ALL.to_vec());
        let text = format!(
            "{GOOD}\n[model]\nprovider = \"openai\"\nendpoint = \"http://127.0.0.1:8000/v1\"\nname = \"m\"\nprice_in_per_million = 0.15\nprice_out_per_million = 0.6\ntasks = [\"classify\", \"answer\"]\n"
        );
        let cfg = parse(&text, &no_files).unwrap();
        assert_eq!(cfg.model.provider, Provider::Openai);
        assert!((cfg.model.cost(1_000_000, 500_000) - 0.45).abs() < 1e-9);
        assert_eq!(
            cfg.model.tasks,
            [
                crate::ports::ModelTask::Classify,
                crate::ports::ModelTask::Answer
            ]
        );
    }

    #[test]
    fn model_errors_name_their_key_and_line() {
        let text = format!(
            "{GOOD}\n[model]\nprovider = \"gpt\"\ntimeout_ms = 5\nretries = 99\nprice_in_per_million = -1.0\n"
        );
        let errs = parse(&text, &no_files).unwrap_err().0;
        let provider = errs
            .iter()
            .find(|e| e.path == "model.provider")
            .expect("provider");
        assert_eq!(provider.line, line_of(&text, "provider = \"gpt\""));
        assert!(provider.message.contains("openai"), "{provider}");

        let text = format!(
            "{GOOD}\n[model]\nprovider = \"openai\"\ntimeout_ms = 5\nretries = 99\nprice_in_per_million = -1.0\napi_key_env = \"sk-live-123 456\"\n"
        );
        let errs = parse(&text, &no_files).unwrap_err().0;
        for (path, prefix) in [
            ("model.endpoint", "[model]"),
            ("model.name", "[model]"),
            ("model.timeout_ms", "timeout_ms"),
            ("model.retries", "retries"),
            ("model.price_in_per_million", "price_in_per_million"),
            ("model.api_key_env", "api_key_env"),
        ] {
            let e = errs
                .iter()
                .find(|e| e.path == path)
                .unwrap_or_else(|| panic!("{path} in {errs:?}"));
            assert_eq!(e.line, line_of(&text, prefix), "{e}");
        }

        let text = format!("{GOOD}\n[model]\nprovider = \"bedrock\"\n");
        let errs = parse(&text, &no_files).unwrap_err().0;
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert_eq!(errs[0].path, "model.model_id");
        assert!(errs[0].message.contains("model id"), "{}", errs[0]);

        let text = format!(
            "{GOOD}\n[model]\nprovider = \"openai\"\nendpoint = \"http://h:1/v1/chat/completions\"\nname = \"m\"\n"
        );
        let errs = parse(&text, &no_files).unwrap_err().0;
        assert_eq!(errs[0].path, "model.endpoint");
        assert!(errs[0].message.contains("base URL"), "{}", errs[0]);
    }

    #[test]
    fn syntax_errors_name_the_line() {
        let errs = parse("mode = \n[company", &no_files).unwrap_err().0;
        assert_eq!(errs.len(), 1);
        assert!(errs[0].line.is_some());
    }

    #[test]
    fn bad_condition_values_are_reported() {
        let text = format!(
            "{GOOD}\n[[selection.conditions]]\nfield = \"country\"\nop = \"in\"\nvalue = \"US\"\n\n[[selection.conditions]]\nfield = \"shoe_size\"\nop = \"eq\"\nvalue = 3\n"
        );
        let errs = parse(&text, &no_files).unwrap_err().0;
        assert!(
            errs.iter()
                .any(|e| e.path == "selection.conditions[0].value"),
            "{errs:?}"
        );
        let f = errs
            .iter()
            .find(|e| e.path == "selection.conditions[1].field")
            .unwrap();
        let expected = text.lines().position(|l| l.contains("shoe_size")).unwrap();
        // The line of the second [[selection.conditions]] header or the field itself.
        assert!(f.line.unwrap() <= expected + 1 && f.line.unwrap() >= expected - 1);
    }

    #[test]
    fn limits_have_safe_defaults_and_bad_ones_name_their_key_and_line() {
        let cfg = parse(GOOD, &no_files).unwrap();
        assert_eq!(cfg.limits, Limits::default());
        assert_eq!(cfg.limits.max_message_bytes, 25 * 1024 * 1024);
        let text = format!(
            "{GOOD}\n[limits]\nmax_csv_bytes = 5\nmax_csv_rows = 0\nmax_message_bytes = 999999999\nallow_paths = [\"\"]\nmax_files = 3\n"
        );
        let errs = parse(&text, &no_files).unwrap_err().0;
        let line_of = |needle: &str| text.lines().position(|l| l.starts_with(needle)).unwrap() + 1;
        let got: Vec<(&str, Option<usize>)> =
            errs.iter().map(|e| (e.path.as_str(), e.line)).collect();
        assert!(
            got.contains(&("limits.max_files", Some(line_of("max_files")))),
            "{errs:?}"
        );
        // The structure is reported first; the values are checked once it is right.
        let text = text.replace("max_files = 3\n", "");
        let errs = parse(&text, &no_files).unwrap_err().0;
        let got: Vec<(&str, Option<usize>)> =
            errs.iter().map(|e| (e.path.as_str(), e.line)).collect();
        assert_eq!(
            got,
            [
                ("limits.max_csv_bytes", Some(line_of("max_csv_bytes"))),
                ("limits.max_csv_rows", Some(line_of("max_csv_rows"))),
                (
                    "limits.max_message_bytes",
                    Some(line_of("max_message_bytes"))
                ),
                ("limits.allow_paths[0]", Some(line_of("allow_paths"))),
            ],
            "{errs:?}"
        );
        assert!(errs[2].message.contains("25 MiB"), "{}", errs[2]);
    }

    #[test]
    fn engage_cannot_go_back_to_research_only() {
        let engage = parse(GOOD, &no_files).unwrap();
        let mut research = engage.clone();
        research.mode = Mode::ResearchOnly;
        assert!(check_upgrade(&engage, &research).is_err());
        assert!(check_upgrade(&research, &engage).is_ok());
    }

    #[test]
    fn the_schema_names_every_section() {
        let schema = json_schema().to_string();
        for s in SECTIONS {
            assert!(schema.contains(s), "{s}");
        }
    }
}
