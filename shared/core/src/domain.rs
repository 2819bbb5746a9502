//! Domain types: the lead and what the agents learn about it.
//!
//! Parse, don't validate: `LeadId::parse` is the only way to get a `LeadId`, and the
//! stage enums have one spelling each (the lifecycle names of DESIGN.md).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A lead's identifier: 1 to 64 characters of `[A-Za-z0-9_.-]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct LeadId(String);

impl LeadId {
    pub fn parse(s: &str) -> Result<Self, String> {
        let ok = !s.is_empty()
            && s.len() <= 64
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b));
        if ok {
            Ok(Self(s.to_string()))
        } else {
            Err(format!(
                "lead id {s:?} is not 1 to 64 characters of letters, digits, '_', '.' or '-'"
            ))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for LeadId {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::parse(&s)
    }
}
impl From<LeadId> for String {
    fn from(id: LeadId) -> String {
        id.0
    }
}
impl fmt::Display for LeadId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where a lead is in the lifecycle (DESIGN.md "Lead lifecycle").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    New,
    Selected,
    Validated,
    Researched,
    Contacted,
    Engaged,
    HandedOver,
    Disqualified,
    Nurture,
    Suppressed,
    Bounced,
}

impl Stage {
    pub const ALL: [Stage; 11] = [
        Stage::New,
        Stage::Selected,
        Stage::Validated,
        Stage::Researched,
        Stage::Contacted,
        Stage::Engaged,
        Stage::HandedOver,
        Stage::Disqualified,
        Stage::Nurture,
        Stage::Suppressed,
        Stage::Bounced,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Stage::New => "new",
            Stage::Selected => "selected",
            Stage::Validated => "validated",
            Stage::Researched => "researched",
            Stage::Contacted => "contacted",
            Stage::Engaged => "engaged",
            Stage::HandedOver => "handed_over",
            Stage::Disqualified => "disqualified",
            Stage::Nurture => "nurture",
            Stage::Suppressed => "suppressed",
            Stage::Bounced => "bounced",
        }
    }

    pub fn parse(s: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// Final stages: the agent does nothing more on its own with such a lead.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            Stage::HandedOver | Stage::Disqualified | Stage::Suppressed | Stage::Bounced
        )
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The kind of a valid address, in order of precedence (data README §4.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EmailKind {
    Disposable,
    Role,
    Personal,
    Work,
}

impl EmailKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EmailKind::Disposable => "disposable",
            EmailKind::Role => "role",
            EmailKind::Personal => "personal",
            EmailKind::Work => "work",
        }
    }
    pub fn parse(s: &str) -> Option<EmailKind> {
        match s {
            "disposable" => Some(EmailKind::Disposable),
            "role" => Some(EmailKind::Role),
            "personal" => Some(EmailKind::Personal),
            "work" => Some(EmailKind::Work),
            _ => None,
        }
    }
}

/// Result of a DNS deliverability check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "result")]
pub enum Deliverability {
    Deliverable { via: String },
    Undeliverable { reason: String, message: String },
    Unknown { message: String },
    NotChecked,
}

/// A person's override of the validation agent's verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmailOverride {
    pub valid: Option<bool>,
    pub kind: Option<EmailKind>,
    pub by: String,
    pub at: DateTime<Utc>,
}

/// What the email validation agent decided about a lead's address.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmailCheck {
    /// The raw address as given (not trimmed).
    pub address: String,
    pub valid: bool,
    /// Stable reason code when invalid (e.g. `local_part_too_long`).
    pub reason: Option<String>,
    /// Human message for the reason.
    pub message: Option<String>,
    pub kind: Option<EmailKind>,
    pub normalized: Option<String>,
    pub deliverability: Deliverability,
    #[serde(default)]
    pub overridden: Option<EmailOverride>,
}

impl EmailCheck {
    /// Valid after any human override.
    pub fn effective_valid(&self) -> bool {
        self.overridden
            .as_ref()
            .and_then(|o| o.valid)
            .unwrap_or(self.valid)
    }
    pub fn effective_kind(&self) -> Option<EmailKind> {
        self.overridden.as_ref().and_then(|o| o.kind).or(self.kind)
    }
    /// May the agent ever write to this address?
    pub fn may_email(&self) -> bool {
        self.effective_valid()
            && self.effective_kind() != Some(EmailKind::Disposable)
            && !matches!(self.deliverability, Deliverability::Undeliverable { .. })
    }
}

/// The key a lead's address is matched by: the normalized address lowercased, or the trimmed,
/// lowercased raw text when the address is not valid. It is built in one place (here), so the
/// importer, the stages and the stores always agree on it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EmailKey(String);

impl EmailKey {
    /// The key of `raw` as the validation agent judged it in `check`.
    pub fn from_check(raw: &str, check: &EmailCheck) -> EmailKey {
        match &check.normalized {
            Some(n) if check.valid => EmailKey(n.to_lowercase()),
            _ => EmailKey(raw.trim().to_lowercase()),
        }
    }

    /// A key taken as it is stored (already lowercased); for adapters and tests.
    pub fn from_stored(key: impl Into<String>) -> EmailKey {
        EmailKey(key.into().to_lowercase())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The key without a `+tag` in the local part (`jason.lin+x@a.example` →
    /// `jason.lin@a.example`): the form suppressions are kept and looked up in, so that an
    /// opt-out of one form of an address covers every tagged form of it.
    pub fn untagged(&self) -> EmailKey {
        match self.0.rsplit_once('@') {
            Some((local, domain)) => {
                let base = local.split_once('+').map_or(local, |(b, _)| b);
                if base.is_empty() {
                    self.clone()
                } else {
                    EmailKey(format!("{base}@{domain}"))
                }
            }
            None => self.clone(),
        }
    }
}

impl fmt::Display for EmailKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why a lead waits for a person. Behaviour depends on the variant (a new valid address
/// clears [`Blocked::NeedsValidAddress`], and nothing else); the text is for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Blocked {
    /// The address cannot be written to (invalid, disposable, undeliverable, bounced).
    NeedsValidAddress { detail: String },
    /// A touch was found mid-send on a retry: it may or may not have gone out.
    SendUnknown { touch: u32 },
    /// Purchase intent in a message that failed SPF/DKIM/DMARC: a person must confirm.
    FailedAuthentication,
    /// A question to answer in research-only mode: the seller replies.
    QuestionForSeller,
    /// A question the knowledge cannot answer: a person must reply.
    QuestionOutsideKnowledge,
    /// A reply whose intent is unclear: a person must read it.
    UnclearReply,
    /// A stage failed for good on this lead.
    StageFailed { stage: String, error: String },
    /// A colleague at the same company opted out, complained or declined: the cadence waits
    /// until a person decides (one company, one conversation).
    ColleagueStopped { colleague: String, why: String },
}

impl Blocked {
    /// Cleared when the lead gets an address the agent may write to.
    pub fn cleared_by_valid_address(&self) -> bool {
        matches!(self, Blocked::NeedsValidAddress { .. })
    }

    /// Read a block written before blocks were typed (plain text), so that stores written by
    /// an earlier version stay readable.
    fn from_legacy_text(text: &str) -> Blocked {
        if let Some(detail) = text.strip_prefix("needs a valid address") {
            let detail = detail.trim_start_matches(':').trim();
            return Blocked::NeedsValidAddress {
                detail: detail.to_string(),
            };
        }
        if let Some(rest) = text.strip_prefix("touch ")
            && rest.contains("may or may not have been sent")
        {
            let touch = rest
                .split_whitespace()
                .next()
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            return Blocked::SendUnknown { touch };
        }
        if text.contains("failed authentication") {
            return Blocked::FailedAuthentication;
        }
        if text.starts_with("a question to answer") {
            return Blocked::QuestionForSeller;
        }
        if text.starts_with("a question the knowledge cannot answer") {
            return Blocked::QuestionOutsideKnowledge;
        }
        if text.starts_with("an unclear reply") {
            return Blocked::UnclearReply;
        }
        match text.split_once(" failed: ") {
            Some((stage, error)) => Blocked::StageFailed {
                stage: stage.to_string(),
                error: error.to_string(),
            },
            None => Blocked::StageFailed {
                stage: String::new(),
                error: text.to_string(),
            },
        }
    }
}

impl<'de> Deserialize<'de> for Blocked {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(tag = "kind", rename_all = "snake_case")]
        enum Typed {
            NeedsValidAddress { detail: String },
            SendUnknown { touch: u32 },
            FailedAuthentication,
            QuestionForSeller,
            QuestionOutsideKnowledge,
            UnclearReply,
            StageFailed { stage: String, error: String },
            ColleagueStopped { colleague: String, why: String },
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Stored {
            Typed(Typed),
            Legacy(String),
        }
        Ok(match Stored::deserialize(d)? {
            Stored::Legacy(text) => Blocked::from_legacy_text(&text),
            Stored::Typed(t) => match t {
                Typed::NeedsValidAddress { detail } => Blocked::NeedsValidAddress { detail },
                Typed::SendUnknown { touch } => Blocked::SendUnknown { touch },
                Typed::FailedAuthentication => Blocked::FailedAuthentication,
                Typed::QuestionForSeller => Blocked::QuestionForSeller,
                Typed::QuestionOutsideKnowledge => Blocked::QuestionOutsideKnowledge,
                Typed::UnclearReply => Blocked::UnclearReply,
                Typed::StageFailed { stage, error } => Blocked::StageFailed { stage, error },
                Typed::ColleagueStopped { colleague, why } => {
                    Blocked::ColleagueStopped { colleague, why }
                }
            },
        })
    }
}

impl fmt::Display for Blocked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Blocked::NeedsValidAddress { detail } if detail.is_empty() => {
                f.write_str("needs a valid address")
            }
            Blocked::NeedsValidAddress { detail } => write!(f, "needs a valid address: {detail}"),
            Blocked::SendUnknown { touch } => write!(
                f,
                "touch {touch} may or may not have been sent: check the mailbox"
            ),
            Blocked::FailedAuthentication => f.write_str(
                "wants to buy, but the message failed authentication: a person must confirm",
            ),
            Blocked::QuestionForSeller => {
                f.write_str("a question to answer: research-only mode, the seller replies")
            }
            Blocked::QuestionOutsideKnowledge => {
                f.write_str("a question the knowledge cannot answer: a person must reply")
            }
            Blocked::UnclearReply => f.write_str("an unclear reply: a person must read it"),
            Blocked::StageFailed { stage, error } => write!(f, "{stage} failed: {error}"),
            Blocked::ColleagueStopped { colleague, why } => write!(
                f,
                "colleague {colleague} {why}: the cadence waits until a person decides"
            ),
        }
    }
}

/// One fact found while researching, with where it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fact {
    pub text: String,
    pub source: String,
}

/// A dated news item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewsItem {
    pub date: Option<String>,
    pub text: String,
    pub source: String,
}

/// What the research agent learned about the lead's company.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Research {
    pub domain: Option<String>,
    pub overview: Option<String>,
    pub industry: Option<String>,
    pub employees: Option<u32>,
    pub tech: Vec<String>,
    pub facts: Vec<Fact>,
    pub news: Vec<NewsItem>,
    /// Every page read (URLs), in order.
    pub sources: Vec<String>,
    /// Pages robots.txt forbade; nothing was taken from them.
    pub disallowed: Vec<String>,
    /// The site contained text aimed at AI agents (ignored).
    pub injection_seen: bool,
    /// Why research found nothing, when it did not.
    pub error: Option<String>,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
pub enum Tier {
    A,
    B,
    C,
    D,
}

impl Tier {
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::A => "A",
            Tier::B => "B",
            Tier::C => "C",
            Tier::D => "D",
        }
    }
}

/// One ICP criterion's verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Criterion {
    pub name: String,
    pub matched: bool,
    pub points: u32,
    pub weight: u32,
    pub reason: String,
}

/// The fit agent's verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fit {
    pub score: u32,
    pub tier: Tier,
    pub excluded: bool,
    pub criteria: Vec<Criterion>,
}

/// What a reply means (data README §3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Intent {
    Interested,
    Question,
    NotNow,
    NotInterested,
    Unsubscribe,
    OutOfOffice,
    AutoReply,
    Bounce,
    WrongPerson,
    Complaint,
    Unclear,
}

impl Intent {
    pub const ALL: [Intent; 11] = [
        Intent::Bounce,
        Intent::OutOfOffice,
        Intent::AutoReply,
        Intent::Complaint,
        Intent::Unsubscribe,
        Intent::WrongPerson,
        Intent::Interested,
        Intent::Question,
        Intent::NotNow,
        Intent::NotInterested,
        Intent::Unclear,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Intent::Interested => "interested",
            Intent::Question => "question",
            Intent::NotNow => "not_now",
            Intent::NotInterested => "not_interested",
            Intent::Unsubscribe => "unsubscribe",
            Intent::OutOfOffice => "out_of_office",
            Intent::AutoReply => "auto_reply",
            Intent::Bounce => "bounce",
            Intent::WrongPerson => "wrong_person",
            Intent::Complaint => "complaint",
            Intent::Unclear => "unclear",
        }
    }
    pub fn parse(s: &str) -> Option<Intent> {
        Intent::ALL.into_iter().find(|i| i.as_str() == s)
    }
}

/// What the agent does about a reply (data README §3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Handover,
    Answer,
    Nurture,
    Disqualify,
    Suppress,
    Reschedule,
    Ignore,
    MarkInvalid,
    Redirect,
    Escalate,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Handover => "handover",
            Action::Answer => "answer",
            Action::Nurture => "nurture",
            Action::Disqualify => "disqualify",
            Action::Suppress => "suppress",
            Action::Reschedule => "reschedule",
            Action::Ignore => "ignore",
            Action::MarkInvalid => "mark_invalid",
            Action::Redirect => "redirect",
            Action::Escalate => "escalate",
        }
    }
    /// The action the table of data README §3.2 gives an intent.
    pub fn for_intent(intent: Intent, has_referral: bool) -> Action {
        match intent {
            Intent::Interested => Action::Handover,
            Intent::Question => Action::Answer,
            Intent::NotNow => Action::Nurture,
            Intent::NotInterested => Action::Disqualify,
            Intent::Unsubscribe | Intent::Complaint => Action::Suppress,
            Intent::OutOfOffice => Action::Reschedule,
            Intent::AutoReply => Action::Ignore,
            Intent::Bounce => Action::MarkInvalid,
            Intent::WrongPerson if has_referral => Action::Redirect,
            Intent::WrongPerson => Action::Disqualify,
            Intent::Unclear => Action::Escalate,
        }
    }
}

/// Budget, authority, need, timeline: short paraphrases of what the lead said.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Bant {
    pub budget: Option<String>,
    pub authority: Option<String>,
    pub need: Option<String>,
    pub timeline: Option<String>,
}

impl Bant {
    /// Keep what is known, add what is new (a later statement replaces an earlier one).
    pub fn merge(&mut self, other: &Bant) {
        for (mine, theirs) in [
            (&mut self.budget, &other.budget),
            (&mut self.authority, &other.authority),
            (&mut self.need, &other.need),
            (&mut self.timeline, &other.timeline),
        ] {
            if theirs.is_some() {
                *mine = theirs.clone();
            }
        }
    }
    pub fn known(&self) -> usize {
        [&self.budget, &self.authority, &self.need, &self.timeline]
            .iter()
            .filter(|f| f.is_some())
            .count()
    }
}

/// The classification of one inbound message (the schema of `replies/labels.jsonl`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Classification {
    pub intent: Intent,
    pub action: Action,
    pub ooo_until: Option<String>,
    pub referral: Option<String>,
    pub bant: Bant,
    pub question_topics: Vec<String>,
    pub injection: bool,
    pub lang: String,
    /// BANT levels, buying signals and sentiment (not part of the labelled schema).
    #[serde(default)]
    pub judgment: Judgment,
}

/// How strongly a BANT dimension or a buying signal is present.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    #[default]
    None,
    Low,
    Medium,
    High,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::None => "none",
            Level::Low => "low",
            Level::Medium => "medium",
            Level::High => "high",
        }
    }
}

/// One BANT dimension: its level and why.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct BantLevel {
    pub level: Level,
    /// Why this level (the rule and the words that carried it); empty for `none`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason: String,
}

/// The kinds of purchase-intent signals a reply can carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SignalKind {
    MeetingRequest,
    PricingRequest,
    TrialRequest,
    TimelineStated,
    BudgetStated,
    DecisionMakerInvolved,
    CompetitorComparison,
}

/// One buying signal with its strength and the sentence that carried it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct BuyingSignal {
    pub kind: SignalKind,
    pub level: Level,
    pub evidence: String,
}

/// BANT levels, buying signals and sentiment of one reply (in addition to the labelled
/// fields of [`Classification`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Judgment {
    pub budget: BantLevel,
    pub authority: BantLevel,
    pub need: BantLevel,
    pub timeline: BantLevel,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub signals: Vec<BuyingSignal>,
    /// Annoyance, hostility or sarcasm: a person should read the reply.
    #[serde(default)]
    pub negative_sentiment: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sentiment_reason: Option<String>,
}

impl Judgment {
    /// How many BANT dimensions are at least `level`.
    pub fn dimensions_at_least(&self, level: Level) -> usize {
        [&self.budget, &self.authority, &self.need, &self.timeline]
            .iter()
            .filter(|d| d.level >= level)
            .count()
    }

    /// Ready for a person: purchase intent, or at least `min_dimensions` BANT dimensions at
    /// medium or higher (two by default).
    pub fn ready_for_handover(&self, purchase_intent: bool, min_dimensions: usize) -> bool {
        purchase_intent || self.dimensions_at_least(Level::Medium) >= min_dimensions
    }
}

/// State of one outgoing touch. The send intent is recorded before the send and the
/// provider's id after it, so a retry never sends twice blindly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TouchState {
    /// Written for the seller (research-only mode, or waiting for a send).
    Draft,
    /// The send was about to happen; if found in this state on retry, the outcome is unknown.
    Sending,
    Sent,
    /// A retry found the touch `Sending`: it may or may not have gone out. Never resent.
    Unknown,
    /// Not sent, on purpose (suppressed, invalid address, stopped agent).
    Skipped,
}

/// One outgoing email of the sequence (or an answer in the conversation).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Touch {
    pub n: u32,
    pub kind: TouchKind,
    pub message_id: String,
    pub subject: String,
    pub body: String,
    pub state: TouchState,
    pub provider_id: Option<String>,
    /// The Message-ID the recipient saw, when the provider put its own on the wire (SES
    /// replaces ours with one built from `provider_id`); `None` when ours went out as is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wire_id: Option<String>,
    pub cited_facts: Vec<String>,
    pub at: DateTime<Utc>,
    pub note: Option<String>,
}

impl Touch {
    /// The Message-ID the recipient saw: the provider's when it replaced ours, else ours.
    /// Follow-ups and answers quote this one in In-Reply-To / References.
    pub fn seen_id(&self) -> &str {
        self.wire_id.as_deref().unwrap_or(&self.message_id)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TouchKind {
    First,
    FollowUp,
    Answer,
}

/// One inbound message on the lead's thread (its own text only, never the quote).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InboundEntry {
    pub message_id: Option<String>,
    pub from: String,
    pub subject: String,
    pub date: Option<DateTime<Utc>>,
    pub received_at: DateTime<Utc>,
    pub text: String,
    pub classification: Classification,
    pub auth_ok: bool,
    /// The questions of this message the knowledge could not answer: a person must.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub open_questions: Vec<String>,
}

/// The seller a lead was handed to, with the summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Handover {
    pub seller: String,
    pub summary: String,
    pub at: DateTime<Utc>,
    /// The seller's notification: `Sending` before the send, `Sent` after, so it goes out
    /// at most once.
    pub notice: TouchState,
    pub notice_id: Option<String>,
}

/// A lead: every column of the leads CSV plus what SQA knows and did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Lead {
    pub id: LeadId,
    pub first_name: String,
    pub last_name: String,
    /// Raw, as imported (not trimmed).
    pub email: String,
    pub title: String,
    pub company: String,
    pub website: String,
    pub industry: String,
    pub employees: String,
    pub country: String,
    pub tech_stack: String,
    pub source: String,
    /// The CRM status column (`open`, `qualified`, …), not the lifecycle stage.
    pub status: String,
    pub owner: String,
    /// Raw `created_at` as imported.
    pub created_at_raw: String,
    pub created_at: Option<DateTime<Utc>>,
    pub notes: String,

    /// The match key of the address (see [`EmailKey`]).
    pub email_key: EmailKey,
    pub stage: Stage,
    pub version: u64,
    pub inserted_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The run that claimed the lead at selection.
    pub claimed_by: Option<String>,
    pub validation: Option<EmailCheck>,
    pub research: Option<Research>,
    pub fit: Option<Fit>,
    pub bant: Bant,
    pub touches: Vec<Touch>,
    pub inbound: Vec<InboundEntry>,
    pub next_touch_at: Option<DateTime<Utc>>,
    pub last_intent: Option<Intent>,
    pub last_action: Option<Action>,
    /// Why the lead waits for a person, when it does.
    pub blocked: Option<Blocked>,
    /// Why the lead left (disqualified, suppressed, bounced, nurture until …).
    pub reason: Option<String>,
    pub handover: Option<Handover>,
    /// Row of the import file it came from, for error messages.
    pub import_line: Option<u64>,
    pub duplicate_of: Option<LeadId>,
    /// In the control group: selected, then left to its owner without a word from the agent
    /// (`selection.control_share`), so the metrics can compare the two groups.
    #[serde(default)]
    pub control: bool,
}

impl Lead {
    /// Since when the lead waits for the message of its next stage, if it does: selected
    /// (validate), validated (research), or researched without a first touch and not
    /// scheduled for one (outreach) —
    /// unless a stage failed on it for good, which a person must look at. It is the lead's
    /// last write: every stage that moves a lead on writes it again. A crash between a
    /// stage's write and its enqueue, on a backend where the two cannot share a transaction,
    /// leaves a lead waiting for good; the selection sweep finds such leads by this time
    /// (`LeadStore::stalled`) and sends their message again.
    pub fn waiting_since(&self) -> Option<DateTime<Utc>> {
        if matches!(self.blocked, Some(Blocked::StageFailed { .. })) {
            return None;
        }
        let waits = match self.stage {
            Stage::Selected | Stage::Validated => true,
            // A first email waiting for the lead's business hours is scheduled (the due
            // index brings it back), not stalled.
            Stage::Researched => {
                self.next_touch_at.is_none()
                    && !self
                        .touches
                        .iter()
                        .any(|t| t.n == 1 && t.kind != TouchKind::Answer)
            }
            _ => false,
        };
        waits.then_some(self.updated_at)
    }

    /// The lead's account: the company domain its address or website names. The address's
    /// domain when it is a work address (free mail is nobody's company), else the website's
    /// host without `www.`; lowercase. Leads of one account are colleagues
    /// (`LeadStore::find_by_account`).
    pub fn account(&self) -> Option<String> {
        let work = self
            .validation
            .as_ref()
            .and_then(|v| v.effective_kind())
            .is_some_and(|k| k == EmailKind::Work);
        if work && let Some((_, d)) = self.email_key.as_str().rsplit_once('@') {
            let d = d.trim().to_ascii_lowercase();
            if !d.is_empty() {
                return Some(d);
            }
        }
        let site = self.website.trim().to_ascii_lowercase();
        let host = site
            .trim_start_matches("https://")
            .trim_start_matches("http://")
            .split(['/', '?', '#', ':'])
            .next()
            .unwrap_or("")
            .trim_start_matches("www.")
            .to_string();
        (host.contains('.')).then_some(host)
    }

    /// A new lead as imported, in stage `new`, version 0.
    pub fn new(id: LeadId, now: DateTime<Utc>) -> Lead {
        Lead {
            id,
            first_name: String::new(),
            last_name: String::new(),
            email: String::new(),
            title: String::new(),
            company: String::new(),
            website: String::new(),
            industry: String::new(),
            employees: String::new(),
            country: String::new(),
            tech_stack: String::new(),
            source: String::new(),
            status: String::new(),
            owner: String::new(),
            created_at_raw: String::new(),
            created_at: None,
            notes: String::new(),
            email_key: EmailKey::default(),
            stage: Stage::New,
            version: 0,
            inserted_at: now,
            updated_at: now,
            claimed_by: None,
            validation: None,
            research: None,
            fit: None,
            bant: Bant::default(),
            touches: Vec::new(),
            inbound: Vec::new(),
            next_touch_at: None,
            last_intent: None,
            last_action: None,
            blocked: None,
            reason: None,
            handover: None,
            import_line: None,
            duplicate_of: None,
            control: false,
        }
    }

    pub fn display_name(&self) -> String {
        let first = self.first_name.trim();
        let last = self.last_name.trim();
        match (first.is_empty(), last.is_empty()) {
            (false, false) => format!("{first} {last}"),
            (false, true) => first.to_string(),
            (true, false) => last.to_string(),
            (true, true) => String::new(),
        }
    }

    /// Number of touches that went out (or may have).
    pub fn emails_sent(&self) -> usize {
        self.touches
            .iter()
            .filter(|t| matches!(t.state, TouchState::Sent | TouchState::Unknown))
            .count()
    }

    /// The address to write to, when the agent may write at all.
    pub fn sendable_address(&self) -> Option<&str> {
        let v = self.validation.as_ref()?;
        if v.may_email() {
            v.normalized.as_deref()
        } else {
            None
        }
    }
}

/// Lead columns, as named in the leads CSV and in selection conditions.
pub const LEAD_FIELDS: &[&str] = &[
    "id",
    "first_name",
    "last_name",
    "email",
    "title",
    "company",
    "website",
    "industry",
    "employees",
    "country",
    "tech_stack",
    "source",
    "status",
    "owner",
    "created_at",
    "notes",
];

/// A parse error in an id or a value, naming what was wrong.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ParseError(pub String);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_written_as_text_by_an_earlier_version_are_read_as_their_kind() {
        let cases = [
            (
                "\"needs a valid address: the last email bounced\"",
                Blocked::NeedsValidAddress {
                    detail: "the last email bounced".into(),
                },
            ),
            (
                "\"touch 2 may or may not have been sent: check the mailbox\"",
                Blocked::SendUnknown { touch: 2 },
            ),
            (
                "\"an unclear reply: a person must read it\"",
                Blocked::UnclearReply,
            ),
            (
                "\"research failed: lead L1 does not exist\"",
                Blocked::StageFailed {
                    stage: "research".into(),
                    error: "lead L1 does not exist".into(),
                },
            ),
        ];
        for (json, want) in cases {
            let got: Blocked = serde_json::from_str(json).unwrap();
            assert_eq!(got, want, "{json}");
        }
    }

    #[test]
    fn blocks_round_trip_through_json_with_their_kind() {
        for b in [
            Blocked::NeedsValidAddress {
                detail: "no MX".into(),
            },
            Blocked::SendUnknown { touch: 1 },
            Blocked::FailedAuthentication,
            Blocked::QuestionForSeller,
            Blocked::QuestionOutsideKnowledge,
            Blocked::UnclearReply,
            Blocked::StageFailed {
                stage: "outreach".into(),
                error: "x".into(),
            },
        ] {
            let json = serde_json::to_string(&b).unwrap();
            assert!(json.contains("\"kind\""), "{json}");
            assert_eq!(serde_json::from_str::<Blocked>(&json).unwrap(), b);
        }
    }

    #[test]
    fn a_tagged_address_and_its_base_share_the_untagged_key() {
        let k = EmailKey::from_stored("Jason.Lin+x@A.example");
        assert_eq!(k.as_str(), "jason.lin+x@a.example");
        assert_eq!(k.untagged().as_str(), "jason.lin@a.example");
        assert_eq!(
            EmailKey::from_stored("jason.lin@a.example")
                .untagged()
                .as_str(),
            "jason.lin@a.example"
        );
        // A local part that is only a tag keeps its form.
        assert_eq!(
            EmailKey::from_stored("+x@a.example").untagged().as_str(),
            "+x@a.example"
        );
    }
}
