//! Wire the core's ports on AWS.
//!
//! Each function names the ports it uses in a [`Wiring`]: a builder function per heavy port
//! (web, DNS, model, mail, inbox), or `None`. Only the builders a function names are linked
//! into its binary, so `validate` carries no HTTP client or HTML parser and `research` no
//! mail code; a port a function must never use is a [`NotWired`] adapter that answers with
//! a clear error. [`Wired`] holds what is built once per process (clients, stores, queue,
//! secret); [`Wired::deps_for`] adds a config and the ports that depend on it. The functions
//! read the config through `lambda::Runtime` (cached for a short time); [`deps`] wires every
//! port and reads the config at once, for tests and local harnesses.

use crate::clients::Clients;
use crate::settings::{Secret, Settings};
use crate::{
    DynamoConfig, DynamoLeads, DynamoRuns, DynamoSuppressions, S3Inbox, SesMailer, SqsQueue,
};
use anyhow::{Context, bail};
use async_trait::async_trait;
use sqa_core::config::{AgentConfig, Mode, NamedFile};
use sqa_core::ports::{
    Clock, ConfigStore, Deps, Inbox, MailError, Mailer, Model, ModelError, ModelOutput, ModelTask,
    OutgoingEmail, Ports, Resolver, StoreError, StoreResult, StoredConfig, SystemClock, Web,
    WebError, WebPage,
};
use std::cell::RefCell;
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

/// What a test (or a local harness) puts in place of the real thing. An override replaces a
/// port only in a function that wires that port.
#[derive(Default, Clone)]
pub struct Overrides {
    pub clock: Option<Arc<dyn Clock>>,
    pub web: Option<Arc<dyn Web>>,
    pub dns: Option<Arc<dyn Resolver>>,
}

/// Does this function sign or verify unsubscribe tokens (outreach, engage, handover, api)?
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NeedsSecret {
    Yes,
    No,
}

/// Builds the `Web` port from the config (user agent) and the settings (`SQA_WEB_BASE`).
pub type WebBuilder = fn(&AgentConfig, &Settings) -> anyhow::Result<Arc<dyn Web>>;
/// Builds the `Resolver` port from the config (`validation.dns`).
pub type DnsBuilder = fn(&AgentConfig) -> anyhow::Result<Arc<dyn Resolver>>;
/// What a model is built with besides the config: the SDK configuration (Bedrock) and the
/// OpenAI-compatible endpoint's key, read once at cold start.
#[derive(Clone)]
pub struct ModelEnv {
    pub sdk: aws_config::SdkConfig,
    pub api_key: Option<String>,
}

/// Builds the `Model` port from the config (`model`).
pub type ModelBuilder = fn(&AgentConfig, &ModelEnv) -> anyhow::Result<Arc<dyn Model>>;
/// Builds the `Mailer` port (SES) for a config (`[mail] ses_message_id_domain`).
pub type MailerBuilder = fn(&Clients, &Settings, &AgentConfig) -> Arc<dyn Mailer>;
/// Builds the `Inbox` port (S3).
pub type InboxBuilder = fn(&Clients, &Settings) -> Arc<dyn Inbox>;
/// Reads the unsubscribe secret (the literal, or the SSM parameter).
pub type SecretReader =
    for<'a> fn(
        &'a Clients,
        &'a Secret,
    ) -> Pin<Box<dyn Future<Output = anyhow::Result<Option<String>>> + Send + 'a>>;

/// The ports one function uses. The stores, the queue, the suppressions and the clock are
/// always wired (they are small and every stage writes run records and leads).
#[derive(Clone, Copy)]
pub struct Wiring {
    /// The function's name, for the errors of the ports it does not wire.
    pub function: &'static str,
    /// How the function reads its unsubscribe secret; `None`: it signs and checks no link
    /// (and carries no SSM client).
    pub secret: Option<SecretReader>,
    pub web: Option<WebBuilder>,
    pub dns: Option<DnsBuilder>,
    pub model: Option<ModelBuilder>,
    pub mailer: Option<MailerBuilder>,
    pub inbox: Option<InboxBuilder>,
}

impl Wiring {
    /// A function that uses none of the optional ports.
    pub const fn minimal(function: &'static str, needs_secret: NeedsSecret) -> Wiring {
        Wiring {
            function,
            secret: secret_reader(needs_secret),
            web: None,
            dns: None,
            model: None,
            mailer: None,
            inbox: None,
        }
    }

    /// Every port (links every adapter): tests and local harnesses.
    pub const fn all(function: &'static str, needs_secret: NeedsSecret) -> Wiring {
        Wiring {
            function,
            secret: secret_reader(needs_secret),
            web: Some(http_web),
            dns: Some(dns_from_config),
            model: Some(any_model),
            mailer: Some(ses_mailer),
            inbox: Some(s3_inbox),
        }
    }
}

const fn secret_reader(needs_secret: NeedsSecret) -> Option<SecretReader> {
    match needs_secret {
        NeedsSecret::Yes => Some(read_secret_boxed),
        NeedsSecret::No => None,
    }
}

fn read_secret_boxed<'a>(
    clients: &'a Clients,
    secret: &'a Secret,
) -> Pin<Box<dyn Future<Output = anyhow::Result<Option<String>>> + Send + 'a>> {
    Box::pin(read_secret(clients, secret))
}

/// The research function's web: HTTP(S) with the config's user agent; `SQA_WEB_BASE` (a
/// sandbox's mirror) serves every site from one origin.
pub fn http_web(config: &AgentConfig, settings: &Settings) -> anyhow::Result<Arc<dyn Web>> {
    let web = sqa_core::web_http::HttpWeb::new(&config.web.user_agent, Duration::from_secs(10))
        .context("build the HTTP client for research")?;
    Ok(match &settings.web_base {
        Some(base) => Arc::new(web.with_base(base).context("SQA_WEB_BASE")?),
        None => Arc::new(web),
    })
}

/// The validate function's DNS: `validation.dns` (`system`, `off` or a name server).
pub fn dns_from_config(config: &AgentConfig) -> anyhow::Result<Arc<dyn Resolver>> {
    sqa_core::agents::email::dns::resolver_from_config(&config.validation)
        .context("build the DNS resolver (validation.dns)")
}

/// The model `[model]` names; for the offline engine, the agents of `offline` only.
fn model_for(
    config: &AgentConfig,
    env: &ModelEnv,
    offline: sqa_core::agents::offline::OfflineTasks,
) -> anyhow::Result<Arc<dyn Model>> {
    use sqa_core::config::Provider;
    Ok(match config.model.provider {
        Provider::Offline => Arc::new(offline),
        Provider::Openai => sqa_core::model::openai_model(&config.model, env.api_key.clone())
            .context("build the OpenAI-compatible model client")?,
        Provider::Bedrock => crate::bedrock::model(&env.sdk, &config.model),
    })
}

/// Every task (tests and local harnesses).
pub fn any_model(config: &AgentConfig, env: &ModelEnv) -> anyhow::Result<Arc<dyn Model>> {
    model_for(config, env, sqa_core::agents::offline::OfflineTasks::ALL)
}

/// The outreach function's model: first emails and follow-ups.
pub fn draft_model(config: &AgentConfig, env: &ModelEnv) -> anyhow::Result<Arc<dyn Model>> {
    model_for(config, env, sqa_core::agents::offline::OfflineTasks::DRAFT)
}

/// The engage function's model: reading replies and answering questions.
pub fn classify_model(config: &AgentConfig, env: &ModelEnv) -> anyhow::Result<Arc<dyn Model>> {
    model_for(
        config,
        env,
        sqa_core::agents::offline::OfflineTasks::CLASSIFY,
    )
}

/// The handover function's model: summaries.
pub fn summary_model(config: &AgentConfig, env: &ModelEnv) -> anyhow::Result<Arc<dyn Model>> {
    model_for(
        config,
        env,
        sqa_core::agents::offline::OfflineTasks::SUMMARIZE,
    )
}

/// SES `SendRawEmail` with the deployment's configuration set, and the wire Message-ID's
/// host the config names (`[mail] ses_message_id_domain`; unset: derived from the region).
pub fn ses_mailer(clients: &Clients, settings: &Settings, config: &AgentConfig) -> Arc<dyn Mailer> {
    Arc::new(
        SesMailer::new(clients.ses(), settings.configuration_set.clone())
            .with_message_id_domain(config.mail.ses_message_id_domain.as_deref()),
    )
}

/// The inbound bucket of the SES receipt rule.
pub fn s3_inbox(clients: &Clients, settings: &Settings) -> Arc<dyn Inbox> {
    Arc::new(S3Inbox::new(
        clients.s3.clone(),
        settings.inbox_bucket.clone().unwrap_or_default(),
        settings.inbox_prefix.clone(),
    ))
}

/// A port a function does not wire: every call is an error naming the function and the port
/// (a bug if it ever shows: the function's `Wiring` misses a port its stage uses).
#[derive(Debug, Clone, Copy)]
pub struct NotWired {
    pub function: &'static str,
    pub port: &'static str,
}

impl NotWired {
    fn error(&self) -> anyhow::Error {
        anyhow::anyhow!(
            "the {} port is not wired into the {} function",
            self.port,
            self.function
        )
    }
}

#[async_trait]
impl Web for NotWired {
    async fn fetch(&self, _url: &str) -> Result<WebPage, WebError> {
        Err(WebError::Unexpected(self.error()))
    }
}

#[async_trait]
impl Resolver for NotWired {
    async fn deliverability(&self, _domain: &str) -> sqa_core::domain::Deliverability {
        sqa_core::domain::Deliverability::Unknown {
            message: self.error().to_string(),
        }
    }
}

#[async_trait]
impl Model for NotWired {
    fn name(&self) -> &str {
        "not-wired"
    }
    async fn run(
        &self,
        _task: ModelTask,
        _input: &serde_json::Value,
    ) -> Result<ModelOutput, ModelError> {
        Err(ModelError::Unexpected(self.error()))
    }
}

#[async_trait]
impl Mailer for NotWired {
    async fn send(&self, _email: &OutgoingEmail) -> Result<String, MailError> {
        Err(MailError::Unexpected(self.error()))
    }
}

#[async_trait]
impl Inbox for NotWired {
    async fn fetch(&self, _key: &str) -> StoreResult<Vec<u8>> {
        Err(StoreError::Unexpected(self.error()))
    }
}

/// What one function builds once per process: the config-independent ports and the secret.
pub struct Wired {
    wiring: Wiring,
    overrides: Overrides,
    settings: Settings,
    clients: Clients,
    /// Every port; web, DNS, model and mailer are placeholders until `deps_for` sees a
    /// config.
    base: Ports,
    secret: Arc<str>,
    model_env: Option<ModelEnv>,
}

impl Wired {
    /// Build the config-independent ports and read the secret (SSM). Fails when the secret
    /// is missing, so that a bad deploy fails at init.
    pub async fn new(
        clients: &Clients,
        settings: &Settings,
        wiring: Wiring,
        overrides: Overrides,
    ) -> anyhow::Result<Wired> {
        let secret = match wiring.secret {
            Some(read) => read(clients, &settings.unsubscribe_secret).await?.context(
                "no unsubscribe secret: set SQA_UNSUBSCRIBE_SECRET_PARAM (an SSM SecureString)",
            )?,
            // Functions that never sign a link get a secret no token can match.
            None => String::new(),
        };
        // The model's key is read once, and only by the functions that use a model.
        let model_env = match wiring.model {
            Some(_) => Some(ModelEnv {
                sdk: clients.sdk.clone(),
                api_key: read_secret(clients, &settings.model_api_key)
                    .await
                    .context("read the model's API key (SQA_MODEL_API_KEY_PARAM)")?,
            }),
            None => None,
        };
        let not_wired = |port| {
            Arc::new(NotWired {
                function: wiring.function,
                port,
            })
        };
        let base = Ports {
            leads: Arc::new(DynamoLeads::new(
                clients.dynamodb.clone(),
                &settings.leads_table,
            )),
            config: Arc::new(DynamoConfig::new(
                clients.dynamodb.clone(),
                &settings.config_table,
            )),
            runs: Arc::new(DynamoRuns::new(
                clients.dynamodb.clone(),
                &settings.runs_table,
            )),
            queue: Arc::new(SqsQueue::new(clients.sqs.clone(), settings.queues.clone())),
            // Built by `deps_for`: the wire Message-ID's host may come from the config.
            mailer: not_wired("mailer"),
            inbox: match wiring.inbox {
                Some(build) => build(clients, settings),
                None => not_wired("inbox"),
            },
            suppressions: Arc::new(DynamoSuppressions::new(
                clients.dynamodb.clone(),
                &settings.suppressions_table,
            )),
            model: not_wired("model"),
            web: not_wired("web"),
            clock: overrides
                .clock
                .clone()
                .unwrap_or_else(|| Arc::new(SystemClock)),
            dns: not_wired("dns"),
        };
        Ok(Wired {
            wiring,
            overrides,
            settings: settings.clone(),
            clients: clients.clone(),
            base,
            secret: secret.into(),
            model_env,
        })
    }

    pub fn wiring(&self) -> &Wiring {
        &self.wiring
    }

    /// The config store (the config table).
    pub fn config_store(&self) -> &Arc<dyn ConfigStore> {
        &self.base.config
    }

    /// Every port and `config`. The config-dependent ports (web, DNS, model, mailer) are taken
    /// from `previous` when the config sections they are built from did not change, so that
    /// what they hold (the research cache is keyed by the web port) survives a config refresh.
    pub fn deps_for(&self, config: AgentConfig, previous: Option<&Deps>) -> anyhow::Result<Deps> {
        check_for_aws(&config, self.overrides.web.is_some())?;
        let same =
            |f: fn(&AgentConfig) -> String| previous.is_some_and(|p| f(&p.config) == f(&config));
        let mut ports = self.base.clone();
        if let Some(build) = self.wiring.web {
            ports.web = match (&self.overrides.web, previous) {
                (Some(w), _) => w.clone(),
                (None, Some(p)) if same(web_key) => p.ports.web.clone(),
                (None, _) => build(&config, &self.settings)?,
            };
        }
        if let Some(build) = self.wiring.dns {
            ports.dns = match (&self.overrides.dns, previous) {
                (Some(d), _) => d.clone(),
                (None, Some(p)) if same(dns_key) => p.ports.dns.clone(),
                (None, _) => build(&config)?,
            };
        }
        if let Some(build) = self.wiring.mailer {
            ports.mailer = match previous {
                Some(p) if same(mail_key) => p.ports.mailer.clone(),
                _ => build(&self.clients, &self.settings, &config),
            };
        }
        if let (Some(build), Some(env)) = (self.wiring.model, &self.model_env) {
            ports.model = match previous {
                // The same model keeps its breaker, its concurrency limit and its daily
                // budget across config refreshes.
                Some(p) if same(model_key) => p.ports.model.clone(),
                _ => build(&config, env)?,
            };
        }
        Ok(Deps {
            ports,
            config: Arc::new(config),
            secret: self.secret.clone(),
            // A warm function keeps what it learned about companies across config reloads.
            research_cache: previous
                .map(|p| p.research_cache.clone())
                .unwrap_or_default(),
            topics: Default::default(),
        })
    }
}

fn web_key(c: &AgentConfig) -> String {
    format!("{}\n{}", c.web.source, c.web.user_agent)
}

fn dns_key(c: &AgentConfig) -> String {
    format!("{}\n{}", c.validation.dns, c.validation.dns_timeout_ms)
}

fn mail_key(c: &AgentConfig) -> String {
    format!("{:?}", c.mail.ses_message_id_domain)
}

fn model_key(c: &AgentConfig) -> String {
    // Debug shows every field and cannot fail (JSON could, and an empty key would make two
    // different model sections look the same).
    format!("{:?}", c.model)
}

/// What no function can run with on AWS, whichever ports it wires.
fn check_for_aws(config: &AgentConfig, web_overridden: bool) -> anyhow::Result<()> {
    if !web_overridden && config.web.source != sqa_core::config::WebSource::Http {
        bail!(
            "web.source = {:?} cannot be used on AWS; set it to \"http\"",
            config.web.source
        );
    }
    Ok(())
}

/// Build every port, read the active config (and the knowledge documents it names) and the
/// secrets, at once: tests and local harnesses. Fails when anything is missing.
pub async fn deps(
    clients: &Clients,
    settings: &Settings,
    needs_secret: NeedsSecret,
    overrides: Overrides,
) -> anyhow::Result<Deps> {
    let wired = Wired::new(
        clients,
        settings,
        Wiring::all("test", needs_secret),
        overrides,
    )
    .await?;
    let config = load_config(clients, settings, wired.config_store().as_ref()).await?;
    wired.deps_for(config, None)
}

/// The active config from the config table, with the files it names read from the knowledge
/// bucket and the deployment's overrides applied.
pub async fn load_config(
    clients: &Clients,
    settings: &Settings,
    store: &dyn ConfigStore,
) -> anyhow::Result<AgentConfig> {
    let stored = read_active(settings, store).await?;
    parse_stored(clients, settings, &stored).await
}

/// The newest config version of the config table; an error when there is none.
pub async fn read_active(
    settings: &Settings,
    store: &dyn ConfigStore,
) -> anyhow::Result<StoredConfig> {
    store
        .active()
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))
        .with_context(|| format!("read the active config from {}", settings.config_table))?
        .with_context(|| {
            format!(
                "no agent config in table {}: save one first (see docs/deploy.md)",
                settings.config_table
            )
        })
}

/// The files a config text names (ICP, knowledge), fetched from the knowledge bucket: what
/// `config::parse` reads through [`FetchedFiles`]. A missing or oversized object is an entry
/// with the reason (the parser reports it on its key); an S3 failure is an error.
pub async fn fetch_named_files(
    clients: &Clients,
    settings: &Settings,
    text: &str,
) -> anyhow::Result<FetchedFiles> {
    // First pass: learn which files the config names (icp_file, knowledge sources) and their
    // size limits; the parser is synchronous, so the files are fetched in between and handed
    // to a second pass, which reports every error (the first pass's are the same or fewer).
    let wanted = RefCell::new(Vec::<(String, u64, String)>::new());
    let _ = sqa_core::config::parse(text, &|f: &NamedFile<'_>| {
        wanted
            .borrow_mut()
            .push((f.name.to_string(), f.max_bytes, f.limit_key.to_string()));
        Err("not fetched yet".to_string())
    });
    let mut files: HashMap<String, Result<String, String>> = HashMap::new();
    for (name, max_bytes, limit_key) in wanted.into_inner() {
        let Some(bucket) = &settings.knowledge_bucket else {
            let why = format!("{name}: no knowledge bucket is configured");
            files.insert(name, Err(why));
            continue;
        };
        let key = format!(
            "{}{}",
            settings.knowledge_prefix,
            name.trim_start_matches('/')
        );
        match S3Inbox::get_object(&clients.s3, bucket, &key).await {
            Ok(bytes) if bytes.len() as u64 > max_bytes => {
                let why = format!(
                    "s3://{bucket}/{key}: {} bytes, over the limit of {} set by {limit_key}",
                    bytes.len(),
                    sqa_core::fsread::human_bytes(max_bytes)
                );
                files.insert(name, Err(why));
            }
            Ok(bytes) => {
                let text = String::from_utf8(bytes)
                    .with_context(|| format!("s3://{bucket}/{key} is not UTF-8"))?;
                files.insert(name, Ok(text));
            }
            Err(sqa_core::ports::StoreError::NotFound(_)) => {
                files.insert(name, Err(format!("s3://{bucket}/{key}: no such object")));
            }
            Err(e) => return Err(anyhow::anyhow!("read s3://{bucket}/{key}: {e}")),
        }
    }
    Ok(FetchedFiles(files))
}

/// Files fetched ahead of a (synchronous) `config::parse`.
pub struct FetchedFiles(HashMap<String, Result<String, String>>);

impl sqa_core::config::ConfigFiles for FetchedFiles {
    fn read(&self, f: &NamedFile<'_>) -> Result<String, String> {
        self.0
            .get(f.name)
            .cloned()
            .unwrap_or_else(|| Err(format!("{}: not fetched", f.name)))
    }
}

/// Parse a stored config, with the files it names read from the knowledge bucket and the
/// deployment's overrides applied.
pub async fn parse_stored(
    clients: &Clients,
    settings: &Settings,
    stored: &StoredConfig,
) -> anyhow::Result<AgentConfig> {
    let files = fetch_named_files(clients, settings, &stored.toml).await?;
    let mut config = sqa_core::config::parse(&stored.toml, &files).map_err(|e| {
        anyhow::anyhow!(
            "the active config (version {}) has errors:\n{e}",
            stored.version
        )
    })?;
    apply_overrides(&mut config, settings);
    Ok(config)
}

/// The deployment's parameters win over the config where they are about the deployment: the
/// mode is a ceiling (a research-only stack never sends), and the sender and mail domain
/// are the SES identities the stack was deployed with.
pub fn apply_overrides(config: &mut AgentConfig, settings: &Settings) {
    if settings.mode == Some(Mode::ResearchOnly) && config.mode == Mode::Engage {
        tracing::warn!("the stack is deployed research-only: the config's engage mode is capped");
        config.mode = Mode::ResearchOnly;
    }
    if let Some(sender) = &settings.sender
        && !config.agent.email.eq_ignore_ascii_case(sender)
    {
        tracing::warn!(
            config = %config.agent.email,
            deployed = %sender,
            "agent.email differs from the deployed sender; sending as the deployed sender"
        );
        config.agent.email = sender.clone();
    }
    if let Some(domain) = &settings.mail_domain {
        config.agent.mail_domain = domain.clone();
    }
    if let Some(provider) = settings.model_provider {
        config.model.provider = provider;
    }
    if let Some(endpoint) = &settings.model_endpoint {
        config.model.endpoint = endpoint.clone();
    }
    if let Some(name) = &settings.model_name {
        match config.model.provider {
            sqa_core::config::Provider::Bedrock => config.model.model_id = name.clone(),
            _ => config.model.name = name.clone(),
        }
    }
}

/// Read a secret once (cold start): the literal, or an SSM SecureString with decryption.
pub async fn read_secret(clients: &Clients, secret: &Secret) -> anyhow::Result<Option<String>> {
    match secret {
        Secret::None => Ok(None),
        Secret::Literal(v) => Ok(Some(v.clone())),
        Secret::Ssm(name) => {
            let ssm = aws_sdk_ssm::Client::new(&clients.sdk);
            let out = ssm
                .get_parameter()
                .name(name)
                .with_decryption(true)
                .send()
                .await
                .with_context(|| format!("read the SSM parameter {name}"))?;
            let value = out
                .parameter()
                .and_then(|p| p.value())
                .map(str::to_string)
                .filter(|v| !v.is_empty())
                .with_context(|| format!("the SSM parameter {name} is empty"))?;
            Ok(Some(value))
        }
    }
}
