//! What the seller sets: mode, company and agent, ICP, selection, hand-off, cadence,
//! assignment, knowledge, limits and guardrails.

use super::*;

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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
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
    /// Problems the seller's customers have, in their words; a composed first email may
    /// name the one its segment picks.
    #[serde(default)]
    pub pain_points: Vec<String>,
    /// Short, true proof points (a customer result, a certification) a first email may add.
    #[serde(default)]
    pub proof_points: Vec<String>,
    /// The seller's language (ISO 639-1): the first email's unless `[outreach]` says
    /// otherwise. Default `en`.
    #[serde(default = "default_language")]
    pub language: String,
}

fn default_language() -> String {
    crate::agents::phrases::DEFAULT_LANGUAGE.to_string()
}

impl Default for Company {
    fn default() -> Self {
        Company {
            name: String::new(),
            website: String::new(),
            description: String::new(),
            products: Vec::new(),
            value_propositions: Vec::new(),
            pain_points: Vec::new(),
            proof_points: Vec::new(),
            language: default_language(),
        }
    }
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

pub(super) fn default_statuses() -> Vec<String> {
    vec!["open".into()]
}
pub(super) fn default_days() -> u32 {
    14
}
pub(super) fn default_batch() -> usize {
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
    /// The share of selected leads left to their owners as a control group (0 to 0.5; 0: no
    /// control group). Which leads is decided by a keyed hash of the lead id, so the same
    /// lead always falls in the same group.
    #[serde(default)]
    pub control_share: f64,
}

impl Default for Selection {
    fn default() -> Self {
        Selection {
            statuses: default_statuses(),
            created_within_days: default_days(),
            owners: Vec::new(),
            conditions: Vec::new(),
            max_per_run: default_batch(),
            control_share: 0.0,
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

pub(super) fn default_true() -> bool {
    true
}
pub(super) fn default_min_tier() -> Tier {
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

pub(super) fn default_follow_ups() -> Vec<u32> {
    vec![3, 7]
}
pub(super) fn default_nurture_days() -> u32 {
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
    /// Local business hours of the lead ("09:00-17:00"); empty = mail at any time.
    #[serde(default = "default_business_hours")]
    pub business_hours: String,
    /// Local business days ("mon" … "sun").
    #[serde(default = "default_business_days")]
    pub business_days: Vec<String>,
    /// First emails also wait for the lead's business hours (a lead imported at night is
    /// emailed when its business day starts).
    #[serde(default = "default_true")]
    pub quiet_hours: bool,
    /// Days after the last touch without a reply before the lead ends "no response".
    #[serde(default = "default_no_response_days")]
    pub no_response_days: u32,
    /// What a lead becomes when the cadence ends without a reply.
    #[serde(default)]
    pub after_last_touch: NoResponse,
    /// Days of silence after the agent answered a lead before one nudge (0 = no nudge).
    #[serde(default = "default_nudge_days")]
    pub nudge_days: u32,
    /// The order of the BANT questions in the agent's answers; only what is still unknown is
    /// asked, and a dimension left out is never asked.
    #[serde(default = "default_bant_order")]
    pub bant_order: Vec<BantDimension>,
    /// At most this many first emails per account (leads sharing a company domain) in 24
    /// hours; the others wait a day (0 = no limit).
    #[serde(default)]
    pub max_first_emails_per_account_per_day: u32,
}

/// A BANT dimension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum BantDimension {
    Need,
    Timeline,
    Budget,
    Authority,
}

pub(super) fn default_bant_order() -> Vec<BantDimension> {
    vec![
        BantDimension::Need,
        BantDimension::Timeline,
        BantDimension::Budget,
        BantDimension::Authority,
    ]
}

/// What a lead becomes when the cadence ends without a reply.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum NoResponse {
    /// Disqualified with the reason `no_response`.
    #[default]
    Disqualify,
    /// Nurtured: contacted again after `nurture_days`.
    Nurture,
}

pub(super) fn default_business_hours() -> String {
    "09:00-17:00".into()
}
pub(super) fn default_business_days() -> Vec<String> {
    ["mon", "tue", "wed", "thu", "fri"]
        .iter()
        .map(|s| (*s).to_string())
        .collect()
}
pub(super) fn default_no_response_days() -> u32 {
    4
}
pub(super) fn default_nudge_days() -> u32 {
    5
}

pub(super) fn default_max_emails() -> u32 {
    6
}

impl Default for Cadence {
    fn default() -> Self {
        Cadence {
            follow_up_days: default_follow_ups(),
            nurture_days: default_nurture_days(),
            max_emails_per_lead: default_max_emails(),
            business_hours: default_business_hours(),
            business_days: default_business_days(),
            quiet_hours: true,
            no_response_days: default_no_response_days(),
            after_last_touch: NoResponse::default(),
            nudge_days: default_nudge_days(),
            bant_order: default_bant_order(),
            max_first_emails_per_account_per_day: 0,
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
    /// Markdown files the agent reads, relative to the config file: a path (read for every
    /// purpose) or `{ path = "…", purposes = ["research", "outreach", "answers"] }` (read
    /// only by the agents of those purposes).
    #[serde(default)]
    pub sources: Vec<KnowledgeSource>,
    /// Competitors and their battle cards (at most three are used per lead).
    #[serde(default)]
    pub competitors: Vec<Competitor>,
}

/// What a knowledge source is read for: each agent reads only the sources of its purpose.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    /// What the seller sells to whom: the ICP proposal (`sqa config suggest-icp`).
    Research,
    /// First emails and follow-ups: the passages a writer may draw value statements and
    /// proof points from.
    Outreach,
    /// Replies in the conversation: the answers to a lead's questions, and the question
    /// topics the classifier looks for.
    Answers,
}

impl Purpose {
    pub const ALL: [Purpose; 3] = [Purpose::Research, Purpose::Outreach, Purpose::Answers];

    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Research => "research",
            Purpose::Outreach => "outreach",
            Purpose::Answers => "answers",
        }
    }
}

/// One knowledge source: a path read for every purpose, or a table that names its purposes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum KnowledgeSource {
    /// A Markdown file, relative to the config file, read for every purpose.
    Path(String),
    /// A Markdown file read only for the purposes it names.
    Scoped(ScopedSource),
}

/// A knowledge source limited to some purposes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScopedSource {
    /// A Markdown file, relative to the config file.
    pub path: String,
    /// `research`, `outreach`, `answers` (replies in the conversation).
    pub purposes: Vec<Purpose>,
}

impl KnowledgeSource {
    pub fn path(&self) -> &str {
        match self {
            KnowledgeSource::Path(p) => p,
            KnowledgeSource::Scoped(s) => &s.path,
        }
    }
    /// The purposes the source is read for (all of them for a plain path).
    pub fn purposes(&self) -> Vec<Purpose> {
        match self {
            KnowledgeSource::Path(_) => Purpose::ALL.to_vec(),
            KnowledgeSource::Scoped(s) => {
                let mut p = s.purposes.clone();
                p.sort();
                p.dedup();
                p
            }
        }
    }
    pub fn serves(&self, purpose: Purpose) -> bool {
        match self {
            KnowledgeSource::Path(_) => true,
            KnowledgeSource::Scoped(s) => s.purposes.contains(&purpose),
        }
    }
}

impl From<&str> for KnowledgeSource {
    fn from(path: &str) -> Self {
        KnowledgeSource::Path(path.to_string())
    }
}

// By hand, not `untagged`: an untagged enum reports "did not match any variant" for a
// table with a wrong purpose; this names the key (`sources[2].purposes[0]`) and the value.
impl<'de> Deserialize<'de> for KnowledgeSource {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = KnowledgeSource;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(
                    "a path, or a table { path = \"…\", purposes = [\"research\", \"outreach\", \"answers\"] }",
                )
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<KnowledgeSource, E> {
                Ok(KnowledgeSource::Path(v.to_string()))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<KnowledgeSource, A::Error> {
                ScopedSource::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(KnowledgeSource::Scoped)
            }
        }
        d.deserialize_any(Visit)
    }
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
