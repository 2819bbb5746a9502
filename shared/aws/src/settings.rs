//! The deployment's settings, read from the environment once at cold start
//! (`Settings::from_env`), so that a bad deploy fails at init and not per message. (The
//! agent config is not a setting: it lives in the config table, see `lambda::Runtime`.)
//!
//! | variable | meaning |
//! |---|---|
//! | `SQA_LEADS_TABLE`, `SQA_CONFIG_TABLE`, `SQA_RUNS_TABLE`, `SQA_SUPPRESSIONS_TABLE` | table names (required) |
//! | `SQA_QUEUE_<NAME>_URL`, `SQA_QUEUE_<NAME>_DLQ_URL` | queue URLs, NAME in VALIDATE, RESEARCH, OUTREACH, ENGAGE, HANDOVER; a function gets only those it uses |
//! | `SQA_INBOX_BUCKET`, `SQA_INBOX_PREFIX` | where the SES receipt rule stores inbound mail |
//! | `SQA_KNOWLEDGE_BUCKET`, `SQA_KNOWLEDGE_PREFIX` | where the config's `knowledge.sources` live |
//! | `SQA_SES_CONFIGURATION_SET` | configuration set of every send (bounce/complaint events) |
//! | `SQA_MODE` | `research_only` or `engage`: the most the deployment allows, whatever the config says |
//! | `SQA_SENDER`, `SQA_MAIL_DOMAIN` | the verified sender address and the agent's mail domain (override the config) |
//! | `SQA_MODEL_PROVIDER`, `SQA_MODEL_ENDPOINT`, `SQA_MODEL_NAME` | the model (`offline`, `openai`, `bedrock`), the OpenAI-compatible endpoint, the model's name or Bedrock model id; each wins over the config when set |
//! | `SQA_MODEL_API_KEY_PARAM` (or `SQA_MODEL_API_KEY` for local runs) | the OpenAI-compatible endpoint's key: an SSM SecureString, read once at cold start by the functions that use a model |
//! | `SQA_UNSUBSCRIBE_SECRET_PARAM` (or `SQA_UNSUBSCRIBE_SECRET` for local runs) | signs one-click unsubscribe tokens |
//! | `SQA_CONCURRENCY` | records of one SQS batch handled at once (default 4) |
//! | `SQA_CONFIG_TTL_SECS` | how long a warm function uses the agent config it read before it reads the config table again (default 60, 0 to 3600; 0 reads it on every invocation) |
//! | `SQA_WEB_BASE` | sandboxes only (never set by `template.yaml`): research reads every site from this origin, `https://{host}/{path}` as `{base}/{host}/{path}` (a local mirror) |

use crate::queue::QueueUrls;
use anyhow::{Context, bail};
use sqa_core::config::Mode;
use sqa_core::ports::QueueName;
use std::collections::BTreeMap;
use std::time::Duration;

/// Where a secret comes from.
#[derive(Clone, PartialEq, Eq)]
pub enum Secret {
    None,
    /// The value itself (local runs and tests).
    Literal(String),
    /// The name of an SSM SecureString parameter, read once at cold start.
    Ssm(String),
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print a secret's value.
        match self {
            Secret::None => f.write_str("None"),
            Secret::Literal(_) => f.write_str("Literal(…)"),
            Secret::Ssm(name) => write!(f, "Ssm({name:?})"),
        }
    }
}

/// How long a warm function keeps the agent config it read (`SQA_CONFIG_TTL_SECS`).
pub const DEFAULT_CONFIG_TTL: Duration = Duration::from_secs(60);

#[derive(Debug, Clone)]
pub struct Settings {
    pub leads_table: String,
    pub config_table: String,
    pub runs_table: String,
    pub suppressions_table: String,
    pub queues: BTreeMap<QueueName, QueueUrls>,
    pub inbox_bucket: Option<String>,
    pub inbox_prefix: String,
    pub knowledge_bucket: Option<String>,
    pub knowledge_prefix: String,
    pub configuration_set: Option<String>,
    pub mode: Option<Mode>,
    pub sender: Option<String>,
    pub mail_domain: Option<String>,
    pub model_provider: Option<sqa_core::config::Provider>,
    pub model_endpoint: Option<String>,
    pub model_name: Option<String>,
    pub model_api_key: Secret,
    pub unsubscribe_secret: Secret,
    pub concurrency: usize,
    pub config_ttl: Duration,
    pub web_base: Option<String>,
}

impl Settings {
    pub fn from_env() -> anyhow::Result<Settings> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Read the settings through `get` (the environment, or a map in tests).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> anyhow::Result<Settings> {
        let opt = |k: &str| {
            get(k)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let req =
            |k: &str| opt(k).with_context(|| format!("the environment variable {k} is not set"));
        let mut queues = BTreeMap::new();
        for q in QueueName::ALL {
            let upper = q.as_str().to_uppercase();
            if let Some(url) = opt(&format!("SQA_QUEUE_{upper}_URL")) {
                queues.insert(
                    q,
                    QueueUrls {
                        url,
                        dlq_url: opt(&format!("SQA_QUEUE_{upper}_DLQ_URL")),
                    },
                );
            }
        }
        let mode = match opt("SQA_MODE").as_deref() {
            None => None,
            Some("engage") => Some(Mode::Engage),
            Some("research_only") | Some("research-only") => Some(Mode::ResearchOnly),
            Some(other) => bail!("SQA_MODE is {other:?}; expected engage or research_only"),
        };
        let secret = |param: &str, literal: &str| match (opt(param), opt(literal)) {
            (Some(name), _) => Secret::Ssm(name),
            (None, Some(v)) => Secret::Literal(v),
            (None, None) => Secret::None,
        };
        let model_provider = match opt("SQA_MODEL_PROVIDER").as_deref() {
            None => None,
            Some("offline") => Some(sqa_core::config::Provider::Offline),
            Some("openai") => Some(sqa_core::config::Provider::Openai),
            Some("bedrock") => Some(sqa_core::config::Provider::Bedrock),
            Some(other) => {
                bail!("SQA_MODEL_PROVIDER is {other:?}; expected offline, openai or bedrock")
            }
        };
        let concurrency = match opt("SQA_CONCURRENCY") {
            None => 4,
            Some(v) => v
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=64).contains(n))
                .with_context(|| format!("SQA_CONCURRENCY is {v:?}; expected 1 to 64"))?,
        };
        let config_ttl = match opt("SQA_CONFIG_TTL_SECS") {
            None => DEFAULT_CONFIG_TTL,
            Some(v) => v
                .parse::<u64>()
                .ok()
                .filter(|n| *n <= 3600)
                .map(Duration::from_secs)
                .with_context(|| format!("SQA_CONFIG_TTL_SECS is {v:?}; expected 0 to 3600"))?,
        };
        Ok(Settings {
            leads_table: req("SQA_LEADS_TABLE")?,
            config_table: req("SQA_CONFIG_TABLE")?,
            runs_table: req("SQA_RUNS_TABLE")?,
            suppressions_table: req("SQA_SUPPRESSIONS_TABLE")?,
            queues,
            inbox_bucket: opt("SQA_INBOX_BUCKET"),
            inbox_prefix: opt("SQA_INBOX_PREFIX").unwrap_or_default(),
            knowledge_bucket: opt("SQA_KNOWLEDGE_BUCKET"),
            knowledge_prefix: opt("SQA_KNOWLEDGE_PREFIX").unwrap_or_default(),
            configuration_set: opt("SQA_SES_CONFIGURATION_SET"),
            mode,
            sender: opt("SQA_SENDER"),
            mail_domain: opt("SQA_MAIL_DOMAIN"),
            model_provider,
            model_endpoint: opt("SQA_MODEL_ENDPOINT"),
            model_name: opt("SQA_MODEL_NAME"),
            model_api_key: secret("SQA_MODEL_API_KEY_PARAM", "SQA_MODEL_API_KEY"),
            unsubscribe_secret: secret("SQA_UNSUBSCRIBE_SECRET_PARAM", "SQA_UNSUBSCRIBE_SECRET"),
            concurrency,
            config_ttl,
            web_base: opt("SQA_WEB_BASE"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn base() -> HashMap<&'static str, &'static str> {
        HashMap::from([
            ("SQA_LEADS_TABLE", "leads"),
            ("SQA_CONFIG_TABLE", "config"),
            ("SQA_RUNS_TABLE", "runs"),
            ("SQA_SUPPRESSIONS_TABLE", "suppressions"),
        ])
    }

    fn read(vars: &HashMap<&'static str, &'static str>) -> anyhow::Result<Settings> {
        Settings::from_lookup(|k| vars.get(k).map(|v| v.to_string()))
    }

    #[test]
    fn a_function_gets_only_the_queues_its_environment_names() {
        let mut vars = base();
        vars.insert("SQA_QUEUE_RESEARCH_URL", "http://q/research");
        vars.insert("SQA_QUEUE_RESEARCH_DLQ_URL", "http://q/research-dlq");
        let s = read(&vars).expect("valid");
        assert_eq!(s.queues.len(), 1);
        assert_eq!(
            s.queues[&QueueName::Research].dlq_url.as_deref(),
            Some("http://q/research-dlq")
        );
        assert_eq!(s.concurrency, 4);
        assert_eq!(s.config_ttl, DEFAULT_CONFIG_TTL);
        assert_eq!(s.web_base, None);
        assert_eq!(s.unsubscribe_secret, Secret::None);
    }

    #[test]
    fn a_missing_table_or_a_bad_value_fails_at_cold_start() {
        let mut vars = base();
        vars.remove("SQA_RUNS_TABLE");
        assert!(read(&vars).is_err());
        let mut vars = base();
        vars.insert("SQA_MODE", "send_everything");
        assert!(read(&vars).is_err());
        let mut vars = base();
        vars.insert("SQA_CONCURRENCY", "0");
        assert!(read(&vars).is_err());
        let mut vars = base();
        vars.insert("SQA_CONFIG_TTL_SECS", "a minute");
        assert!(read(&vars).is_err());
        let mut vars = base();
        vars.insert("SQA_CONFIG_TTL_SECS", "3601");
        assert!(read(&vars).is_err());
        let mut vars = base();
        vars.insert("SQA_MODEL_PROVIDER", "gpt");
        assert!(read(&vars).is_err());
    }

    #[test]
    fn an_ssm_parameter_wins_over_a_literal_secret_and_is_never_printed() {
        let mut vars = base();
        vars.insert("SQA_UNSUBSCRIBE_SECRET", "literal-value");
        vars.insert("SQA_UNSUBSCRIBE_SECRET_PARAM", "/sqa/secret");
        let s = read(&vars).expect("valid");
        assert_eq!(s.unsubscribe_secret, Secret::Ssm("/sqa/secret".into()));
        let mut vars = base();
        vars.insert("SQA_UNSUBSCRIBE_SECRET", "literal-value");
        let s = read(&vars).expect("valid");
        assert!(!format!("{s:?}").contains("literal-value"));
    }
}
