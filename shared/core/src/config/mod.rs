//! The agent configuration: one TOML file (`sqa.toml`).
//!
//! `check` reports every error it can find, each with its key path and line, instead of
//! stopping at the first one: a section that fails to deserialize is retried without the
//! offending key until it succeeds, and the semantic checks run on what is left.

use crate::domain::{LeadId, Tier};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

mod checks;
mod locate;
mod mail;
mod outreach;
mod parse;
mod services;
mod types;
mod webhooks;

pub use checks::*;
pub use locate::*;
pub use mail::*;
pub use outreach::*;
pub use parse::*;
pub use services::*;
pub use types::*;
pub use webhooks::*;

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
    pub mail: MailConfig,
    #[serde(default)]
    pub inbox: InboxConfig,
    #[serde(default)]
    pub web: WebConfig,
    #[serde(default)]
    pub model: ModelConfig,
    #[serde(default)]
    pub webhooks: Webhooks,
    #[serde(default)]
    pub outreach: Outreach,
    /// Overrides of the shipped phrases, per language (`[phrases.de] greeting = "…"`).
    #[serde(default)]
    pub phrases: BTreeMap<String, BTreeMap<String, String>>,
    /// The knowledge documents' text and purposes, read by `parse` from `knowledge.sources`.
    #[serde(skip)]
    #[schemars(skip)]
    pub knowledge_docs: Vec<KnowledgeDoc>,
    /// The battle cards' text, read by `parse` from `knowledge.competitors[].card`, in the
    /// order of `knowledge.competitors`.
    #[serde(skip)]
    #[schemars(skip)]
    pub battle_cards: Vec<KnowledgeDoc>,
}

/// One knowledge document, with the purposes it is read for.
#[derive(Debug, Clone, PartialEq)]
pub struct KnowledgeDoc {
    pub source: String,
    pub text: String,
    pub purposes: Vec<Purpose>,
}

impl Default for KnowledgeDoc {
    fn default() -> Self {
        KnowledgeDoc {
            source: String::new(),
            text: String::new(),
            purposes: Purpose::ALL.to_vec(),
        }
    }
}

impl AgentConfig {
    /// The knowledge documents read for `purpose`, in the order of `knowledge.sources`.
    pub fn knowledge_for(&self, purpose: Purpose) -> Vec<KnowledgeDoc> {
        self.knowledge_docs
            .iter()
            .filter(|d| d.purposes.contains(&purpose))
            .cloned()
            .collect()
    }
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
    schemars::schema_for!(AgentConfig).to_value()
}

#[cfg(test)]
mod tests;
