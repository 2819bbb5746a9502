//! Delivery and feedback reports: RFC 3464 and ARF parts, status codes, hard or soft.

use super::*;

/// Header-style fields of a `message/delivery-status` or `message/feedback-report` part,
/// as blocks separated by empty lines.
pub(super) fn field_blocks(text: &str) -> Vec<Vec<(String, String)>> {
    let mut blocks: Vec<Vec<(String, String)>> = Vec::new();
    let mut current: Vec<(String, String)> = Vec::new();
    for line in text.replace("\r\n", "\n").split('\n') {
        if line.trim().is_empty() {
            if !current.is_empty() {
                blocks.push(std::mem::take(&mut current));
            }
            continue;
        }
        if line.starts_with([' ', '\t']) {
            if let Some((_, v)) = current.last_mut() {
                v.push(' ');
                v.push_str(line.trim());
            }
            continue;
        }
        if let Some((name, value)) = line.split_once(':') {
            let name = name.trim();
            if !name.is_empty() && !name.contains(' ') {
                current.push((name.to_ascii_lowercase(), value.trim().to_string()));
            }
        }
    }
    if !current.is_empty() {
        blocks.push(current);
    }
    blocks
}

pub(super) fn field<'a>(block: &'a [(String, String)], name: &str) -> Option<&'a str> {
    block
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

/// `rfc822; <a@b>` → `a@b`.
pub(super) fn address_field(value: &str) -> Option<String> {
    let v = value.split_once(';').map_or(value, |(_, a)| a);
    let v = v.trim().trim_start_matches('<');
    let v = v.split(['>', ' ', '\t', ',']).next().unwrap_or("");
    let v = v.trim_end_matches(['.', ';', ':']);
    (v.contains('@') && v.len() > 2).then(|| v.to_string())
}

pattern!(pub(super) ENHANCED_STATUS, r"(?:^|[^\d.])([245])\.(\d{1,3})\.(\d{1,3})(?:[^\d.]|\.(?:\D|$)|$)");
pattern!(pub(super) SMTP_REPLY, r"(?im)(?:^|said:|said|returned|response:?|responsecode|reply:?|error:?|smtp;|status:?|\(#|reason:)\s*'?([45][0-5]\d)(?:[\s\-'.,)]|$)");

/// The first RFC 3463 status code of class 4 or 5 in a text.
pub(super) fn find_status(text: &str) -> Option<String> {
    ENHANCED_STATUS
        .captures_iter(text)
        .find(|c| c.get(1).is_some_and(|m| m.as_str() != "2"))
        .and_then(|c| {
            Some(format!(
                "{}.{}.{}",
                c.get(1)?.as_str(),
                c.get(2)?.as_str(),
                c.get(3)?.as_str()
            ))
        })
}

pub(super) fn find_smtp_reply(text: &str) -> Option<u16> {
    SMTP_REPLY
        .captures(text)
        .and_then(|c| c.get(1))
        .and_then(|m| m.as_str().parse().ok())
}

pattern!(pub(super) PERMANENT_WORDING, r"(?i)permanent (fatal )?(error|failure)|failed permanently|permanently (failed|rejected|undeliverable)|this is a permanent|permanent delivery failure");
pattern!(pub(super) TEMPORARY_WORDING, r"(?xi)
                warning\ message\ only
              | will\ be\ retried
              | still\ being\ retried
              | will\ (continue\ to\ )?retry
              | not\ yet\ been\ delivered
              | has\ been\ delayed
              | delivery\ (is\ |was\ )?delayed
              | temporary\ (failure|error|problem)
              | temporarily\ (deferred|rejected|unavailable)
              | delivery\ attempts\ will\ continue
              | delay(ed)?\ (warning|notification)
              | \(delay\)
        ");

/// Permanent or temporary: the status class first (even with `Action: failed`, a 4.x.x
/// status means a temporary condition), then the SMTP reply, then the wording.
pub(super) fn hardness(
    status: Option<&str>,
    diagnostic: Option<&str>,
    action: Option<&str>,
    notice: &str,
) -> Option<bool> {
    if let Some(class) = status.and_then(|s| s.chars().next()) {
        match class {
            '5' => return Some(true),
            '4' => return Some(false),
            _ => {}
        }
    }
    if let Some(code) = diagnostic.and_then(|d| {
        find_status(d)
            .map(|s| s.starts_with('5'))
            .or_else(|| find_smtp_reply(d).map(|c| c >= 500))
    }) {
        return Some(code);
    }
    if action.is_some_and(|a| a.eq_ignore_ascii_case("delayed")) {
        return Some(false);
    }
    if TEMPORARY_WORDING.is_match(notice) {
        return Some(false);
    }
    if let Some(s) = find_status(notice) {
        return Some(s.starts_with('5'));
    }
    if let Some(code) = find_smtp_reply(notice) {
        return Some(code >= 500);
    }
    if PERMANENT_WORDING.is_match(notice) {
        return Some(true);
    }
    None
}

/// Fill `dsn`, `feedback` and `ses_event` when the message is a report from a mail system.
pub(super) fn read_reports(msg: &Message<'_>, email: &mut InboundEmail) {
    let root_ct = msg
        .root_part()
        .content_type()
        .map(|ct| {
            (
                ct.ctype().to_ascii_lowercase(),
                ct.subtype().unwrap_or("").to_ascii_lowercase(),
                ct.attribute("report-type")
                    .unwrap_or("")
                    .to_ascii_lowercase(),
            )
        })
        .unwrap_or_default();

    let mut delivery_status: Option<String> = None;
    let mut feedback_fields: Option<String> = None;
    let mut returned_headers: Option<String> = None;
    let mut returned: Option<&Message<'_>> = None;
    for part in &msg.parts {
        let (ctype, subtype) = content_type_of(part);
        match (ctype.as_str(), subtype.as_str()) {
            ("message", "delivery-status") | ("message", "global-delivery-status") => {
                delivery_status
                    .get_or_insert_with(|| String::from_utf8_lossy(part.contents()).into_owned());
            }
            ("message", "feedback-report") => {
                feedback_fields
                    .get_or_insert_with(|| String::from_utf8_lossy(part.contents()).into_owned());
            }
            ("text", "rfc822-headers")
            | ("text", "rfc822-header")
            | ("message", "rfc822-headers") => {
                returned_headers
                    .get_or_insert_with(|| String::from_utf8_lossy(part.contents()).into_owned());
            }
            _ => {}
        }
        if let PartType::Message(m) = &part.body {
            returned.get_or_insert(m);
        }
    }
    let returned_id = returned
        .and_then(|m| {
            raw_header(m, "Message-ID")
                .and_then(|v| message_ids(&v).into_iter().next())
                .or_else(|| m.message_id().map(|id| format!("<{id}>")))
        })
        .or_else(|| {
            returned_headers.as_deref().and_then(|h| {
                field_blocks(h)
                    .first()
                    .and_then(|b| field(b, "message-id"))
                    .and_then(|v| message_ids(v).into_iter().next())
            })
        });

    // Amazon SES events that SNS sends as e-mail carry a JSON body.
    if let Some(ses) = ses_event(email) {
        email.ses_event = Some(ses.kind.clone());
        match ses.kind.as_str() {
            "Bounce" => {
                email.dsn = Some(DeliveryReport {
                    source: ReportSource::SesEvent,
                    recipient: ses.recipient,
                    other_recipients: Vec::new(),
                    status: ses.status.clone(),
                    action: ses.action,
                    diagnostic: ses.diagnostic.clone(),
                    reporting_mta: ses.reporting_mta,
                    hard: match ses.bounce_type.as_deref() {
                        Some("Permanent") => Some(true),
                        Some("Transient") => Some(false),
                        _ => hardness(ses.status.as_deref(), ses.diagnostic.as_deref(), None, ""),
                    },
                    original_message_id: ses.message_id,
                });
            }
            "Complaint" => {
                email.feedback = Some(FeedbackReport {
                    feedback_type: ses.feedback_type.unwrap_or_else(|| "abuse".into()),
                    recipient: ses.recipient,
                    original_message_id: ses.message_id,
                });
            }
            _ => {}
        }
        return;
    }

    let is_feedback = root_ct.2 == "feedback-report" || feedback_fields.is_some();
    if is_feedback {
        let blocks = feedback_fields
            .as_deref()
            .map(field_blocks)
            .unwrap_or_default();
        let all: Vec<(String, String)> = blocks.into_iter().flatten().collect();
        let feedback_type = field(&all, "feedback-type")
            .unwrap_or("abuse")
            .to_ascii_lowercase();
        // RFC 6590: a report with Redacted-Address has hidden the recipient on purpose, so
        // the attached original's To is a placeholder.
        let redacted = all.iter().any(|(n, _)| n == "redacted-address");
        let recipient = field(&all, "original-rcpt-to")
            .or_else(|| field(&all, "removal-recipient"))
            .and_then(address_field)
            .or_else(|| returned.filter(|_| !redacted).and_then(single_recipient))
            .or_else(|| {
                returned_headers
                    .as_deref()
                    .filter(|_| !redacted)
                    .and_then(|h| {
                        field_blocks(h)
                            .first()
                            .and_then(|b| field(b, "to"))
                            .and_then(single_address)
                    })
            });
        email.feedback = Some(FeedbackReport {
            feedback_type,
            recipient,
            original_message_id: returned_id,
        });
        return;
    }
    // Hotmail's JMRP: a plain multipart/mixed whose attached original carries the
    // complaining recipient in X-HmXmrOriginalRecipient.
    if let Some(m) = returned
        && let Some(rcpt) = raw_header(m, "X-HmXmrOriginalRecipient")
    {
        email.feedback = Some(FeedbackReport {
            feedback_type: "abuse".into(),
            recipient: address_field(&rcpt),
            original_message_id: returned_id,
        });
        return;
    }

    let notice = notice_text(&email.text);
    let failed_header = email
        .auto
        .get("x-failed-recipients")
        .and_then(address_field);
    if let Some(ds) = delivery_status {
        let report = from_delivery_status(&ds, &notice, failed_header, returned_id);
        email.dsn = Some(report);
        return;
    }
    let is_report_root = root_ct.0 == "multipart"
        && root_ct.1 == "report"
        && root_ct.2 != "disposition-notification";
    if is_report_root || looks_like_mta_notice(email, &notice) {
        let mut report = from_notice(email, &notice, failed_header);
        if report.original_message_id.is_none() {
            report.original_message_id = returned_id.or_else(|| returned_message_id(&email.text));
        }
        email.dsn = Some(report);
    }
}

pub(super) fn single_recipient(m: &Message<'_>) -> Option<String> {
    let to = all_mailboxes(m.to());
    match to.as_slice() {
        [one] if !one.address.to_lowercase().contains("undisclosed") => Some(one.address.clone()),
        _ => None,
    }
}

pub(super) fn single_address(value: &str) -> Option<String> {
    let addrs: Vec<String> = ADDRESS
        .find_iter(value)
        .map(|m| m.as_str().to_string())
        .collect();
    match addrs.as_slice() {
        [one] => Some(one.clone()),
        _ => None,
    }
}
