//! Signed webhooks to the team's CRM and chat: events about a lead (handed over,
//! disqualified, escalated, suppressed, bounced) leave through the `webhooks` queue, one
//! message per endpoint, and the webhooks stage posts them. A stage never calls an endpoint
//! itself: it only enqueues (locally in the same SQLite commit as its lead write, when the
//! runner groups a batch).
//!
//! Each POST carries the JSON body and
//! - `SQA-Event-Id`: the event's id, stable across retries (a receiver deduplicates on it:
//!   delivery is at least once);
//! - `SQA-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`, the secret
//!   from the environment variable `webhooks.secret_env` when it is set, else derived from the
//!   deployment's secret ([`signing_secret`]; `sqa serve` prints it). A receiver recomputes the HMAC,
//!   compares in constant time and refuses a timestamp more than [`REPLAY_WINDOW_SECS`] from
//!   its clock ([`verify`] does all three).
//!
//! A failed POST (no answer, a non-2xx status) is tried again [`ATTEMPTS`] times with
//! exponential backoff (0.5 s, 1 s, 2 s, with jitter) inside one delivery, then the message
//! goes back to the queue; after the queue's receive limit it lands in the dead-letter queue
//! (the `dead_letters` table locally, the webhooks DLQ with its alarm on AWS). Every attempt
//! is a run record (`stage` `webhooks`). `format` = `slack` or `teams` sends a chat-shaped
//! payload (`{"text": …}` / a MessageCard) instead of the event JSON, signed the same way.

use crate::config::{WebhookEndpoint, WebhookFormat};
use crate::domain::{Blocked, Lead, LeadId, Stage};
use crate::ports::{Deps, QueueName};
use crate::stages::{Outcome, StageError, Step};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::time::Duration;

/// A receiver refuses a signature whose timestamp is further than this from its clock.
pub const REPLAY_WINDOW_SECS: i64 = 300;
/// POSTs per delivery before the message goes back to the queue.
pub const ATTEMPTS: u32 = 3;
const TIMEOUT: Duration = Duration::from_secs(10);

/// What happened to a lead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    HandedOver,
    Disqualified,
    Escalated,
    Suppressed,
    Bounced,
}

impl EventKind {
    pub const ALL: [EventKind; 5] = [
        EventKind::HandedOver,
        EventKind::Disqualified,
        EventKind::Escalated,
        EventKind::Suppressed,
        EventKind::Bounced,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::HandedOver => "handed_over",
            EventKind::Disqualified => "disqualified",
            EventKind::Escalated => "escalated",
            EventKind::Suppressed => "suppressed",
            EventKind::Bounced => "bounced",
        }
    }
    pub fn parse(s: &str) -> Option<EventKind> {
        EventKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
    fn of_stage(stage: Stage) -> Option<EventKind> {
        match stage {
            Stage::HandedOver => Some(EventKind::HandedOver),
            Stage::Disqualified => Some(EventKind::Disqualified),
            Stage::Suppressed => Some(EventKind::Suppressed),
            Stage::Bounced => Some(EventKind::Bounced),
            _ => None,
        }
    }
}

/// The lead an event is about, as the endpoint gets it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventLead {
    pub id: LeadId,
    pub name: String,
    pub company: String,
    pub owner: String,
    pub stage: Stage,
    pub reason: Option<String>,
}

/// One event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// `evt_` and 24 hex digits of sha256(lead, kind, lead version): the same change always
    /// has the same id.
    pub id: String,
    #[serde(rename = "type")]
    pub kind: EventKind,
    pub at: DateTime<Utc>,
    pub lead: EventLead,
    /// The handover summary, or why the lead waits for a person.
    pub summary: Option<String>,
}

impl Event {
    pub fn of(kind: EventKind, lead: &Lead, at: DateTime<Utc>) -> Event {
        let mut h = Sha256::new();
        h.update(lead.id.as_str().as_bytes());
        h.update(b"\0");
        h.update(kind.as_str().as_bytes());
        h.update(b"\0");
        h.update(lead.version.to_string().as_bytes());
        let summary = match kind {
            EventKind::HandedOver => lead.handover.as_ref().map(|h| h.summary.clone()),
            EventKind::Escalated => lead.blocked.as_ref().map(Blocked::to_string),
            _ => None,
        };
        Event {
            id: format!("evt_{}", &hex::encode(h.finalize())[..24]),
            kind,
            at,
            lead: EventLead {
                id: lead.id.clone(),
                name: lead.display_name(),
                company: lead.company.trim().to_string(),
                owner: lead
                    .handover
                    .as_ref()
                    .map(|h| h.seller.clone())
                    .unwrap_or_else(|| lead.owner.trim().to_string()),
                stage: lead.stage,
                reason: lead.reason.clone(),
            },
            summary,
        }
    }
}

/// A message on the webhooks queue: one event for one endpoint.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WebhookMessage {
    pub v: u32,
    pub url: String,
    pub format: WebhookFormat,
    pub event: Event,
}

/// Enqueue `kind` about `lead` for every endpoint that wants it (nothing when none is
/// configured).
pub async fn emit(deps: &Deps, kind: EventKind, lead: &Lead) -> Result<(), StageError> {
    let endpoints: Vec<&WebhookEndpoint> = deps
        .config
        .webhooks
        .endpoints
        .iter()
        .filter(|e| e.events.is_empty() || e.events.iter().any(|k| k == kind.as_str()))
        .collect();
    if endpoints.is_empty() {
        return Ok(());
    }
    let event = Event::of(kind, lead, deps.ports.clock.now());
    let mut bodies = Vec::new();
    for e in endpoints {
        bodies.push(
            serde_json::to_string(&WebhookMessage {
                v: 1,
                url: e.url.clone(),
                format: e.format,
                event: event.clone(),
            })
            .map_err(|e| StageError::permanent(format!("encode a webhook message: {e}")))?,
        );
    }
    deps.ports.queue.send(QueueName::Webhooks, &bodies).await?;
    Ok(())
}

/// After a lead write that moved it from `before` to `lead.stage`: the event, if the new
/// stage is one. A failure to enqueue is logged (the lead write stands).
pub async fn after_write(deps: &Deps, before: Stage, lead: &Lead) {
    if before == lead.stage || deps.config.webhooks.endpoints.is_empty() {
        return;
    }
    if let Some(kind) = EventKind::of_stage(lead.stage)
        && let Err(e) = emit(deps, kind, lead).await
    {
        tracing::warn!(event = kind.as_str(), error = %e, "a webhook event could not be enqueued");
    }
}

/// The body an endpoint gets, in its format.
pub fn payload(msg: &WebhookMessage) -> serde_json::Value {
    let e = &msg.event;
    let text = format!(
        "{}: {} ({}){}{}",
        e.kind.as_str().replace('_', " "),
        if e.lead.name.is_empty() {
            e.lead.id.to_string()
        } else {
            e.lead.name.clone()
        },
        e.lead.company,
        e.lead
            .reason
            .as_deref()
            .map(|r| format!(" — {r}"))
            .unwrap_or_default(),
        if e.lead.owner.is_empty() {
            String::new()
        } else {
            format!(" · owner {}", e.lead.owner)
        }
    );
    match msg.format {
        WebhookFormat::Json => serde_json::to_value(e).unwrap_or_default(),
        WebhookFormat::Slack => serde_json::json!({ "text": text, "event_id": e.id }),
        WebhookFormat::Teams => serde_json::json!({
            "@type": "MessageCard",
            "@context": "https://schema.org/extensions",
            "summary": text,
            "text": match &e.summary { Some(s) => format!("{text}\n\n{s}"), None => text.clone() },
        }),
    }
}

/// The secret webhooks are signed with: the environment variable `webhooks.secret_env` when
/// set, else an HMAC of the deployment's secret (purpose `webhooks`).
pub fn signing_secret(deps: &Deps) -> String {
    std::env::var(&deps.config.webhooks.secret_env)
        .ok()
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| crate::sign::tag(&deps.secret, "webhooks", &[], 64))
}

/// `t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
pub fn signature(secret: &str, at: i64, body: &[u8]) -> String {
    use hmac::Mac;
    let mut mac = crate::sign::keyed(secret);
    mac.update(at.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("t={at},v1={}", hex::encode(mac.finalize().into_bytes()))
}

/// Why a signature is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("the signature header is malformed")]
    Malformed,
    #[error("the timestamp is outside the replay window")]
    Replayed,
    #[error("the signature does not match")]
    Mismatch,
}

/// What a receiver does: the header parses, its time is within the replay window of `now`,
/// and its HMAC over the body matches (compared in constant time).
pub fn verify(secret: &str, header: &str, body: &[u8], now: i64) -> Result<(), VerifyError> {
    let mut t = None;
    let mut v1 = None;
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) => t = v.parse::<i64>().ok(),
            Some(("v1", v)) => v1 = Some(v.to_string()),
            _ => {}
        }
    }
    let (Some(t), Some(v1)) = (t, v1) else {
        return Err(VerifyError::Malformed);
    };
    if (now - t).abs() > REPLAY_WINDOW_SECS {
        return Err(VerifyError::Replayed);
    }
    let want = signature(secret, t, body);
    let want = want.rsplit_once("v1=").map(|(_, h)| h).unwrap_or_default();
    let same = want.len() == v1.len()
        && want
            .bytes()
            .zip(v1.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
    if same {
        Ok(())
    } else {
        Err(VerifyError::Mismatch)
    }
}

/// The webhooks stage: post one message to its endpoint, retrying with backoff; a transient
/// error sends it back to the queue.
pub async fn handle(body: &str, deps: &Deps) -> Result<Outcome, StageError> {
    let msg: WebhookMessage = serde_json::from_str(body)
        .map_err(|e| StageError::permanent(format!("malformed webhooks message: {e}")))?;
    let mut step = Step::start(deps, &msg.event.id, Some(&msg.event.lead.id), "webhooks");
    step.inputs(&(&msg.url, &msg.event.id));
    let host = url::Url::parse(&msg.url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_default();
    let secret = signing_secret(deps);
    let body = serde_json::to_vec(&payload(&msg))
        .map_err(|e| StageError::permanent(format!("encode the payload: {e}")))?;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::builder()
        .timeout(TIMEOUT)
        .connect_timeout(TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .map_err(|e| StageError::Transient(anyhow::anyhow!("build the HTTP client: {e}")))?;
    let mut last = String::new();
    for attempt in 0..ATTEMPTS {
        if attempt > 0 {
            // 0.5 s, 1 s, 2 s … with up to 25 % jitter.
            let base = 500u64 << (attempt - 1);
            let jitter = (deps.ports.clock.now().timestamp_subsec_millis() as u64) % (base / 4 + 1);
            tokio::time::sleep(Duration::from_millis(base + jitter)).await;
        }
        let at = deps.ports.clock.now().timestamp();
        let sent = client
            .post(&msg.url)
            .header("content-type", "application/json")
            .header("user-agent", "sqa-webhooks/1")
            .header("sqa-event-id", &msg.event.id)
            .header("sqa-event-type", msg.event.kind.as_str())
            .header("sqa-signature", signature(&secret, at, &body))
            .body(body.clone())
            .send()
            .await;
        match sent {
            Ok(r) if r.status().is_success() => {
                return step
                    .finish(
                        deps,
                        "delivered",
                        vec![format!(
                            "{} {} delivered to {host} (attempt {})",
                            msg.event.kind.as_str(),
                            msg.event.id,
                            attempt + 1
                        )],
                    )
                    .await;
            }
            Ok(r) => last = format!("HTTP {}", r.status().as_u16()),
            Err(e) if e.is_timeout() => last = "timed out".into(),
            Err(_) => last = "no connection".into(),
        }
    }
    let why = format!(
        "{} {} not delivered to {host} after {ATTEMPTS} attempts: {last}; back on the queue",
        msg.event.kind.as_str(),
        msg.event.id
    );
    step.finish(deps, "retry", vec![why.clone()]).await?;
    Err(StageError::Transient(anyhow::anyhow!(why)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_only_with_its_secret_body_and_time() {
        let body = br#"{"id":"evt_1"}"#;
        let h = signature("s3cret", 1_800_000_000, body);
        assert_eq!(verify("s3cret", &h, body, 1_800_000_100), Ok(()));
        assert_eq!(
            verify("other", &h, body, 1_800_000_100),
            Err(VerifyError::Mismatch)
        );
        assert_eq!(
            verify("s3cret", &h, b"{}", 1_800_000_100),
            Err(VerifyError::Mismatch)
        );
        assert_eq!(
            verify("s3cret", &h, body, 1_800_000_000 + REPLAY_WINDOW_SECS + 1),
            Err(VerifyError::Replayed)
        );
        assert_eq!(
            verify("s3cret", "v1=abc", body, 0),
            Err(VerifyError::Malformed)
        );
    }
}
