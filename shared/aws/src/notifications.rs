//! SES notifications as they arrive on SQS: wrapped in an SNS envelope (or raw, when the
//! subscription uses raw message delivery). Receipt notifications become the engage queue's
//! `InboundMessage`; bounce and complaint notifications become the core's `Feedback`.
//!
//! Only the fields used are read; everything else SES adds is ignored, so new fields never
//! break the parsing.

use serde::Deserialize;
use sqa_core::stages::feedback::{Feedback, FeedbackKind};
use sqa_core::stages::{AuthVerdicts, InboundMessage, MESSAGE_VERSION, Verdict as AuthVerdict};

/// Why a body is not a notification we can use (a permanent error: it never will be).
#[derive(Debug, thiserror::Error)]
pub enum NotificationError {
    #[error("the body is not JSON: {0}")]
    NotJson(String),
    #[error("the SNS envelope has no Message")]
    EmptyEnvelope,
    #[error("not an SES notification: {0}")]
    NotSes(String),
    #[error(
        "the receipt action is {0:?}, not an S3 action (the rule must store the message in S3)"
    )]
    NotStoredInS3(String),
    #[error("the message was stored in bucket {got:?}, not in the inbound bucket {want:?}")]
    WrongBucket { got: String, want: String },
}

#[derive(Debug, Deserialize)]
struct SnsEnvelope {
    #[serde(rename = "Type")]
    kind: Option<String>,
    #[serde(rename = "Message")]
    message: Option<String>,
}

/// The SES JSON inside the SNS envelope, or the body itself under raw message delivery.
pub fn unwrap_sns(body: &str) -> Result<serde_json::Value, NotificationError> {
    let value: serde_json::Value =
        serde_json::from_str(body).map_err(|e| NotificationError::NotJson(e.to_string()))?;
    if value.get("Type").is_some() && value.get("TopicArn").is_some() {
        let env: SnsEnvelope =
            serde_json::from_value(value).map_err(|e| NotificationError::NotJson(e.to_string()))?;
        if env.kind.as_deref() == Some("SubscriptionConfirmation") {
            return Err(NotificationError::NotSes(
                "an SNS subscription confirmation".into(),
            ));
        }
        let inner = env.message.ok_or(NotificationError::EmptyEnvelope)?;
        return serde_json::from_str(&inner).map_err(|e| NotificationError::NotJson(e.to_string()));
    }
    Ok(value)
}

fn notification_type(v: &serde_json::Value) -> Option<&str> {
    // Identity notifications say `notificationType`; configuration-set event publishing says
    // `eventType`.
    v.get("notificationType")
        .or_else(|| v.get("eventType"))
        .and_then(|t| t.as_str())
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Verdict {
    status: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Action {
    #[serde(rename = "type")]
    kind: Option<String>,
    bucket_name: Option<String>,
    object_key: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Receipt {
    #[serde(default)]
    spf_verdict: Verdict,
    #[serde(default)]
    dkim_verdict: Verdict,
    #[serde(default)]
    dmarc_verdict: Verdict,
    #[serde(default)]
    spam_verdict: Verdict,
    #[serde(default)]
    virus_verdict: Verdict,
    #[serde(default)]
    action: Action,
}

/// What to do with one engage-queue body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inbound {
    /// A stored message: hand this to the engage stage.
    Message(InboundMessage),
    /// A notification that carries no mail (SES's setup test): acknowledge it.
    Ignore(String),
}

/// Convert the SNS-wrapped SES receipt notification to the engage stage's message. A body
/// that already is an `InboundMessage` (a redrive by hand) passes through.
pub fn inbound(body: &str, inbox_bucket: Option<&str>) -> Result<Inbound, NotificationError> {
    if let Ok(msg) = serde_json::from_str::<InboundMessage>(body) {
        return Ok(Inbound::Message(msg));
    }
    let v = unwrap_sns(body)?;
    match notification_type(&v) {
        Some("Received") => {}
        Some(other) => return Ok(Inbound::Ignore(format!("notification {other}"))),
        None => return Err(NotificationError::NotSes("no notificationType".into())),
    }
    let receipt: Receipt = v
        .get("receipt")
        .cloned()
        .map(serde_json::from_value)
        .transpose()
        .map_err(|e| NotificationError::NotSes(format!("bad receipt: {e}")))?
        .ok_or_else(|| NotificationError::NotSes("no receipt".into()))?;
    let action = &receipt.action;
    let (Some("S3"), Some(key)) = (action.kind.as_deref(), action.object_key.as_deref()) else {
        return Err(NotificationError::NotStoredInS3(
            action.kind.clone().unwrap_or_default(),
        ));
    };
    if let (Some(want), Some(got)) = (inbox_bucket, action.bucket_name.as_deref())
        && want != got
    {
        return Err(NotificationError::WrongBucket {
            got: got.to_string(),
            want: want.to_string(),
        });
    }
    Ok(Inbound::Message(InboundMessage {
        v: MESSAGE_VERSION,
        key: key.to_string(),
        verdicts: AuthVerdicts {
            spf: verdict(receipt.spf_verdict.status.as_deref()),
            dkim: verdict(receipt.dkim_verdict.status.as_deref()),
            dmarc: verdict(receipt.dmarc_verdict.status.as_deref()),
            arc: None,
            spam: verdict(receipt.spam_verdict.status.as_deref()),
            virus: verdict(receipt.virus_verdict.status.as_deref()),
        },
    }))
}

/// A verdict status as SES writes it (`PASS`, `FAIL`, `GRAY`, …), in any case.
fn verdict(status: Option<&str>) -> Option<AuthVerdict> {
    let status = status?.trim().to_ascii_uppercase();
    Some(serde_json::from_value(serde_json::Value::String(status)).unwrap_or(AuthVerdict::Unknown))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Recipient {
    email_address: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Bounce {
    bounce_type: Option<String>,
    bounce_sub_type: Option<String>,
    #[serde(default)]
    bounced_recipients: Vec<Recipient>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Complaint {
    #[serde(default)]
    complained_recipients: Vec<Recipient>,
    complaint_feedback_type: Option<String>,
}

/// What to do with one feedback-queue body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedbackNotice {
    Apply(Feedback),
    /// Deliveries, sends, setup notices: nothing to record.
    Ignore(String),
}

/// Convert an SES bounce or complaint notification to the core's `Feedback`.
pub fn feedback(body: &str) -> Result<FeedbackNotice, NotificationError> {
    let v = unwrap_sns(body)?;
    let kind = notification_type(&v)
        .ok_or_else(|| NotificationError::NotSes("no notificationType or eventType".into()))?;
    let message_id = v
        .pointer("/mail/commonHeaders/messageId")
        .and_then(|m| m.as_str())
        .map(str::to_string)
        .or_else(|| header(&v, "Message-ID"));
    let addresses = |rs: Vec<Recipient>| -> Vec<String> {
        rs.into_iter()
            .filter_map(|r| r.email_address)
            .map(|a| bare_address(&a))
            .filter(|a| !a.is_empty())
            .collect()
    };
    match kind {
        "Bounce" => {
            let b: Bounce = v
                .get("bounce")
                .cloned()
                .map(serde_json::from_value)
                .transpose()
                .map_err(|e| NotificationError::NotSes(format!("bad bounce: {e}")))?
                .ok_or_else(|| NotificationError::NotSes("a Bounce without bounce".into()))?;
            // Only a Permanent bounce is hard; Transient and Undetermined may pass later.
            let hard = b.bounce_type.as_deref() == Some("Permanent");
            let detail = format!(
                "{} / {}",
                b.bounce_type.as_deref().unwrap_or("?"),
                b.bounce_sub_type.as_deref().unwrap_or("?")
            );
            Ok(FeedbackNotice::Apply(Feedback {
                kind: FeedbackKind::Bounce { hard },
                addresses: addresses(b.bounced_recipients),
                message_id,
                detail,
            }))
        }
        "Complaint" => {
            let c: Complaint = v
                .get("complaint")
                .cloned()
                .map(serde_json::from_value)
                .transpose()
                .map_err(|e| NotificationError::NotSes(format!("bad complaint: {e}")))?
                .ok_or_else(|| NotificationError::NotSes("a Complaint without complaint".into()))?;
            let detail = c
                .complaint_feedback_type
                .clone()
                .unwrap_or_else(|| "complaint".into());
            Ok(FeedbackNotice::Apply(Feedback {
                kind: FeedbackKind::Complaint,
                addresses: addresses(c.complained_recipients),
                message_id,
                detail,
            }))
        }
        other => Ok(FeedbackNotice::Ignore(format!("notification {other}"))),
    }
}

fn header(v: &serde_json::Value, name: &str) -> Option<String> {
    v.pointer("/mail/headers")?
        .as_array()?
        .iter()
        .find(|h| {
            h.get("name")
                .and_then(|n| n.as_str())
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
        })?
        .get("value")?
        .as_str()
        .map(str::to_string)
}

/// `"Name" <a@b>` → `a@b`; SES reports recipients as it got them.
fn bare_address(a: &str) -> String {
    let a = a.trim();
    match (a.rfind('<'), a.rfind('>')) {
        (Some(l), Some(r)) if l < r => a[l + 1..r].trim().to_string(),
        _ => a.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sns(inner: &serde_json::Value) -> String {
        serde_json::json!({
            "Type": "Notification",
            "MessageId": "m-1",
            "TopicArn": "arn:aws:sns:us-east-1:123456789012:sqa-inbound",
            "Message": inner.to_string(),
        })
        .to_string()
    }

    #[test]
    fn a_receipt_notification_becomes_an_inbound_message_with_the_verdicts() {
        let ses = serde_json::json!({
            "notificationType": "Received",
            "mail": {"messageId": "abc"},
            "receipt": {
                "spfVerdict": {"status": "PASS"},
                "dkimVerdict": {"status": "FAIL"},
                "dmarcVerdict": {"status": "GRAY"},
                "spamVerdict": {"status": "PASS"},
                "virusVerdict": {"status": "PASS"},
                "action": {"type": "S3", "bucketName": "in", "objectKey": "inbound/abc"}
            }
        });
        let got = inbound(&sns(&ses), Some("in")).unwrap();
        let Inbound::Message(m) = got else {
            panic!("expected a message")
        };
        assert_eq!(m.key, "inbound/abc");
        assert_eq!(m.verdicts.dkim, Some(AuthVerdict::Fail));
        assert!(!m.verdicts.passed());
        assert!(matches!(
            inbound(&sns(&ses), Some("other")),
            Err(NotificationError::WrongBucket { .. })
        ));
    }

    #[test]
    fn a_bounce_names_its_recipients_and_hardness() {
        let ses = serde_json::json!({
            "notificationType": "Bounce",
            "bounce": {
                "bounceType": "Permanent", "bounceSubType": "General",
                "bouncedRecipients": [{"emailAddress": "\"Jo\" <Jo@Example.test>"}]
            },
            "mail": {"commonHeaders": {"messageId": "<outreach-L1-1@agent.example>"}}
        });
        let FeedbackNotice::Apply(fb) = feedback(&sns(&ses)).unwrap() else {
            panic!("expected feedback")
        };
        assert_eq!(fb.kind, FeedbackKind::Bounce { hard: true });
        assert_eq!(fb.addresses, vec!["Jo@Example.test".to_string()]);
        assert_eq!(
            fb.message_id.as_deref(),
            Some("<outreach-L1-1@agent.example>")
        );
    }

    #[test]
    fn a_delivery_notice_is_ignored_and_garbage_is_an_error() {
        let ses = serde_json::json!({"eventType": "Delivery", "mail": {}});
        assert!(matches!(
            feedback(&sns(&ses)).unwrap(),
            FeedbackNotice::Ignore(_)
        ));
        assert!(feedback("not json").is_err());
    }
}
