//! Wire the core's ports on AWS and load the active agent config: what every function's
//! `main` does once at cold start.

use crate::clients::Clients;
use crate::settings::{Secret, Settings};
use crate::{
    DynamoConfig, DynamoLeads, DynamoRuns, DynamoSuppressions, S3Inbox, SesMailer, SqsQueue,
};
use anyhow::{Context, bail};
use sqa_core::config::{AgentConfig, Mode};
use sqa_core::ports::{Clock, ConfigStore, Deps, Ports, Resolver, SystemClock, Web};
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// What a test (or a local harness) puts in place of the real thing.
#[derive(Default, Clone)]
pub struct Overrides {
    pub clock: Option<Arc<dyn Clock>>,
    pub web: Option<Arc<dyn Web>>,
    pub dns: Option<Arc<dyn Resolver>>,
}

/// Does this function sign or verify unsubscribe tokens (outreach, engage, api)?
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NeedsSecret {
    Yes,
    No,
}

/// Build every port, read the active config (and the knowledge documents it names) and the
/// secrets. Fails when anything is missing, so that a bad deploy fails at init.
pub async fn deps(
    clients: &Clients,
    settings: &Settings,
    needs_secret: NeedsSecret,
    overrides: Overrides,
) -> anyhow::Result<Deps> {
    let config_store = Arc::new(DynamoConfig::new(
        clients.dynamodb.clone(),
        &settings.config_table,
    ));
    let config = load_config(clients, settings, config_store.as_ref()).await?;

    let web: Arc<dyn Web> = match overrides.web {
        Some(w) => w,
        None => {
            if config.web.source.trim() != "http" {
                bail!(
                    "web.source = {:?} cannot be used on AWS; set it to \"http\"",
                    config.web.source
                );
            }
            Arc::new(
                sqa_core::web_http::HttpWeb::new(&config.web.user_agent, Duration::from_secs(10))
                    .context("build the HTTP client for research")?,
            )
        }
    };
    let dns = match overrides.dns {
        Some(d) => d,
        None => sqa_core::agents::email::dns::resolver_from_config(&config.validation)
            .context("build the DNS resolver (validation.dns)")?,
    };
    if config.model.provider != "offline" {
        // Only the deterministic model is built into the functions today; refusing is better
        // than silently answering with another model than the one configured.
        bail!(
            "model.provider = {:?} is not available in the Lambda functions yet; use \"offline\"",
            config.model.provider
        );
    }
    let secret = match needs_secret {
        NeedsSecret::Yes => read_secret(clients, &settings.unsubscribe_secret)
            .await?
            .context(
                "no unsubscribe secret: set SQA_UNSUBSCRIBE_SECRET_PARAM (an SSM SecureString)",
            )?,
        // Functions that never sign a link get a secret no token can match.
        NeedsSecret::No => String::new(),
    };

    let ports = Ports {
        leads: Arc::new(DynamoLeads::new(
            clients.dynamodb.clone(),
            &settings.leads_table,
        )),
        config: config_store,
        runs: Arc::new(DynamoRuns::new(
            clients.dynamodb.clone(),
            &settings.runs_table,
        )),
        queue: Arc::new(SqsQueue::new(clients.sqs.clone(), settings.queues.clone())),
        mailer: Arc::new(SesMailer::new(
            clients.ses.clone(),
            settings.configuration_set.clone(),
        )),
        inbox: Arc::new(S3Inbox::new(
            clients.s3.clone(),
            settings.inbox_bucket.clone().unwrap_or_default(),
            settings.inbox_prefix.clone(),
        )),
        suppressions: Arc::new(DynamoSuppressions::new(
            clients.dynamodb.clone(),
            &settings.suppressions_table,
        )),
        model: Arc::new(sqa_core::agents::offline::OfflineModel),
        web,
        clock: overrides.clock.unwrap_or_else(|| Arc::new(SystemClock)),
        dns,
    };
    Ok(Deps {
        ports,
        config: Arc::new(config),
        secret: secret.into(),
    })
}

/// The active config from the config table, with the files it names read from the knowledge
/// bucket and the deployment's overrides applied.
pub async fn load_config(
    clients: &Clients,
    settings: &Settings,
    store: &dyn ConfigStore,
) -> anyhow::Result<AgentConfig> {
    let stored = store
        .active()
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))
        .with_context(|| format!("read the active config from {}", settings.config_table))?
        .with_context(|| {
            format!(
                "no agent config in table {}: save one first (see docs/deploy.md)",
                settings.config_table
            )
        })?;

    // First pass: learn which files the config names (icp_file, knowledge sources); the
    // parser is synchronous, so the files are fetched in between and handed to a second pass.
    let wanted = RefCell::new(Vec::<String>::new());
    let _ = sqa_core::config::parse(&stored.toml, &|name| {
        wanted.borrow_mut().push(name.to_string());
        None
    });
    let mut files = HashMap::new();
    for name in wanted.into_inner() {
        let Some(bucket) = &settings.knowledge_bucket else {
            continue;
        };
        let key = format!(
            "{}{}",
            settings.knowledge_prefix,
            name.trim_start_matches('/')
        );
        match S3Inbox::get_object(&clients.s3, bucket, &key).await {
            Ok(bytes) => {
                let text = String::from_utf8(bytes)
                    .with_context(|| format!("s3://{bucket}/{key} is not UTF-8"))?;
                files.insert(name, text);
            }
            Err(sqa_core::ports::StoreError::NotFound(_)) => {}
            Err(e) => return Err(anyhow::anyhow!("read s3://{bucket}/{key}: {e}")),
        }
    }
    let mut config = sqa_core::config::parse(&stored.toml, &|name| files.get(name).cloned())
        .map_err(|e| {
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
    if let Some(endpoint) = &settings.model_endpoint {
        config.model.endpoint = endpoint.clone();
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
