//! How the agent reaches the outside: address validation (DNS), inbound mail, the web and
//! the language model.

use super::*;

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
pub(super) fn default_dns_timeout() -> u64 {
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

pub(super) fn default_ua() -> String {
    "SQA".into()
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

pub(super) fn default_api_key_env() -> String {
    "SQA_MODEL_API_KEY".into()
}
pub(super) fn default_model_timeout_ms() -> u64 {
    30_000
}
pub(super) fn default_model_retries() -> u32 {
    2
}
pub(super) fn default_backoff_ms() -> u64 {
    500
}
pub(super) fn default_max_backoff_ms() -> u64 {
    20_000
}
pub(super) fn default_breaker_failures() -> u32 {
    5
}
pub(super) fn default_breaker_cooldown_secs() -> u64 {
    30
}
pub(super) fn default_model_concurrency() -> usize {
    4
}
pub(super) fn default_max_output_tokens() -> u32 {
    1200
}
pub(super) fn default_budget_per_lead() -> u64 {
    40_000
}
pub(super) fn default_model_tasks() -> Vec<crate::ports::ModelTask> {
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
