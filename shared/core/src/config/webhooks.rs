//! `[webhooks]`: the endpoints that get the agent's events, and their checks.

use super::*;

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

/// `[webhooks]`: http(s) URLs, known event names, a secret to sign with.
pub(super) fn webhook_checks(cfg: &AgentConfig, push: &mut dyn FnMut(&str, String)) {
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
}
