//! SES bounce and complaint events delivered by mail (SNS).

use super::*;

pub(super) struct SesEvent {
    pub(super) kind: String,
    pub(super) bounce_type: Option<String>,
    pub(super) feedback_type: Option<String>,
    pub(super) recipient: Option<String>,
    pub(super) status: Option<String>,
    pub(super) action: Option<String>,
    pub(super) diagnostic: Option<String>,
    pub(super) reporting_mta: Option<String>,
    pub(super) message_id: Option<String>,
}

/// An SES notification delivered by SNS as e-mail. SNS wraps and sometimes truncates the
/// JSON in the mail body, so the fields are read with patterns rather than a JSON parser.
pub(super) fn ses_event(email: &InboundEmail) -> Option<SesEvent> {
    static KIND: LazyLock<Regex> = LazyLock::new(|| re(r#""notificationType"\s*:\s*"(\w+)""#));
    let text = truncate_bytes(&email.text, MAX_SCANNED_BYTES);
    // The email-json envelope carries the notification as a JSON string inside
    // `"Message"`: its quotes are escaped (`\"notificationType\":\"Complaint\"`).
    let unescaped;
    let text = if text.contains(r#"\"notificationType\""#) {
        unescaped = text.replace(r#"\""#, "\"").replace(r"\/", "/");
        unescaped.as_str()
    } else {
        text
    };
    let kind = KIND.captures(text)?.get(1)?.as_str().to_string();
    let from = email.from_address();
    let from_sns = from.ends_with("amazonaws.com") || from.ends_with("amazonses.com");
    if !from_sns && !text.trim_start().starts_with('{') {
        return None;
    }
    let string_field = |name: &str| -> Option<String> {
        let pattern = format!(r#""{name}"\s*:\s*"([^"]*)""#);
        Regex::new(&pattern)
            .ok()?
            .captures(text)?
            .get(1)
            .map(|m| m.as_str().to_string())
            .filter(|s| !s.is_empty())
    };
    let recipients_key = match kind.as_str() {
        "Bounce" => "bouncedRecipients",
        "Complaint" => "complainedRecipients",
        _ => "destination",
    };
    let recipient = text.find(recipients_key).and_then(|pos| {
        let rest = text.get(pos..)?;
        ADDRESS.find(rest).map(|m| m.as_str().to_string())
    });
    let mail_part = text
        .find("\"mail\"")
        .and_then(|p| text.get(p..))
        .unwrap_or("");
    let message_id = Regex::new(r#""messageId"\s*:\s*"([^"]+)""#)
        .ok()
        .and_then(|r| r.captures(mail_part))
        .and_then(|c| c.get(1))
        .map(|m| {
            let id = m.as_str();
            if id.starts_with('<') {
                id.to_string()
            } else {
                format!("<{id}>")
            }
        });
    Some(SesEvent {
        bounce_type: string_field("bounceType"),
        feedback_type: string_field("complaintFeedbackType"),
        recipient,
        status: string_field("status"),
        action: string_field("action"),
        diagnostic: string_field("diagnosticCode"),
        reporting_mta: string_field("reportingMTA"),
        message_id,
        kind,
    })
}
