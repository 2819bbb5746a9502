//! Plain-text MTA notices and the failed recipient they name.

use super::*;

pub(super) fn from_delivery_status(
    ds: &str,
    notice: &str,
    failed_header: Option<String>,
    returned_id: Option<String>,
) -> DeliveryReport {
    let blocks = field_blocks(ds);
    let per_message = blocks
        .iter()
        .find(|b| field(b, "reporting-mta").is_some())
        .cloned()
        .unwrap_or_default();
    let recipients: Vec<&Vec<(String, String)>> = blocks
        .iter()
        .filter(|b| {
            field(b, "final-recipient").is_some() || field(b, "original-recipient").is_some()
        })
        .collect();
    let primary = recipients
        .iter()
        .find(|b| {
            field(b, "action").is_some_and(|a| {
                let a = a.to_ascii_lowercase();
                a.starts_with("failed") || a.starts_with("delayed")
            })
        })
        .or_else(|| recipients.first())
        .copied();
    let addr_of = |b: &Vec<(String, String)>| {
        field(b, "original-recipient")
            .and_then(address_field)
            .or_else(|| field(b, "final-recipient").and_then(address_field))
            .or_else(|| field(b, "x-actual-recipient").and_then(address_field))
    };
    let recipient = primary.and_then(addr_of).or(failed_header);
    let other_recipients: Vec<String> = recipients
        .iter()
        .filter(|b| primary.is_none_or(|p| !std::ptr::eq(**b, p)))
        .filter_map(|b| addr_of(b))
        .collect();
    let status = primary
        .and_then(|b| field(b, "status"))
        .and_then(|s| find_status(s).or_else(|| Some(s.to_string())))
        .or_else(|| find_status(notice));
    let action = primary
        .and_then(|b| field(b, "action"))
        .map(|a| a.to_ascii_lowercase());
    let diagnostic = primary
        .and_then(|b| field(b, "diagnostic-code"))
        .map(|d| d.split_once(';').map_or(d, |(_, r)| r).trim().to_string());
    let hard = hardness(
        status.as_deref(),
        diagnostic.as_deref(),
        action.as_deref(),
        notice,
    );
    DeliveryReport {
        source: ReportSource::DeliveryStatus,
        recipient: recipient.or_else(|| notice_recipient(notice, &[])),
        other_recipients,
        status,
        action,
        diagnostic,
        reporting_mta: field(&per_message, "reporting-mta")
            .map(|v| v.split_once(';').map_or(v, |(_, h)| h).trim().to_string()),
        hard,
        original_message_id: returned_id,
    }
}

pattern!(
    /// Where the returned original starts in a plain-text notice.
    pub(super) RETURNED_MARKER,
    r"(?xi)
            (
                original\ message
              | copy\ of\ (the|your)\ message
              | returned\ message
              | header\ of\ the\ original
              | original\ message\ headers
              | bounced\ e-?mail
              | below\ this\ line
              | message\ headers\ follow
              | unsent\ message\ below
              | the\ message\ (headers\ )?(follows|below)
              | message/rfc822
              | ------\ this\ is\ a\ copy
              | ---\ the\ header
              | included\ below
              | attached\ message
              | message\ d'origine
              | ursprüngliche\ nachricht
              | mensaje\ original
              | oorspronkelijk\ bericht
              | transcript\ of\ session
            )
        "
);

/// The human-readable part of a notice: up to the returned original.
pub(super) fn notice_text(text: &str) -> String {
    let text = truncate_bytes(text, MAX_SCANNED_BYTES);
    let mut out = Vec::new();
    for line in text.split('\n') {
        let t = line.trim();
        if (t.starts_with("---")
            || t.starts_with("===")
            || t.starts_with("***")
            || t.ends_with(':')
            || t.len() < 60)
            && RETURNED_MARKER.is_match(t)
            && !out.is_empty()
        {
            break;
        }
        out.push(line);
    }
    out.join("\n")
}

pub(super) fn returned_message_id(text: &str) -> Option<String> {
    pattern!(MSGID_LINE, r"(?im)^\s*>?\s*message-id:\s*(<[^<>\s]+>)");
    let text = truncate_bytes(text, MAX_SCANNED_BYTES);
    let notice_len = notice_text(text).len();
    let rest = text.get(notice_len..).unwrap_or("");
    MSGID_LINE
        .captures(rest)
        .and_then(|c| c.get(1))
        .map(|m| m.as_str().to_string())
}

pattern!(pub(super) MTA_SENDER, r"(?xi)
            ^
            (
                mailer[-_.]?daemon
              | mail[-_.]?daemon
              | postmaster
              | post[-_.]?master
              | mdaemon
              | mail[-_.]?delivery
              | bounces?
              | mailer
              | nobody
              | no[-_.]?reply
              | do[-_.]?not[-_.]?reply
            )(\+[^@]*)?@
        ");
pattern!(pub(super) MTA_NAME, r"(?i)(mail delivery (system|subsystem|service)|mailer[- ]daemon|postmaster|mail administrator|delivery status|mail system|system administrator)");
pattern!(pub(super) FAILURE_SUBJECT, r"(?xi)
            (
                undeliver
              | undelivered
              | returned\ mail
              | return(ed)?\ to\ sender
              | delivery\ status\ notification
              | delivery\ (status\ )?failure
              | failure\ notice
              | delivery\ failed
              | mail\ delivery\ failed
              | could\ not\ be\ delivered
              | non[-\ ]?delivery
              | nondeliverable
              | delivery\ problem
              | mail\ (delivery\ )?error
              | bounce\ notification
              | email\ bounce
              | delivery\ notification
              | delayed\ mail
              | delivery\ delayed
              | \(delay\)
              | message\ delayed
              | warning:\ could\ not\ send
              | unzustellbar
              | nicht\ zustellbar
              | unzustellbare
              | non\ remis
              | non\ distribuable
              | échec\ de\ (la\ )?remise
              | no\ se\ (pudo|puede)\ entregar
              | no\ entregado
              | onbestelbaar
              | niet\ afgeleverd
              | mail\ failure
              | delivery\ failure
              | notice:\ mail\ delivery
            )
        ");
pattern!(pub(super) FAILURE_BODY, r"(?xi)
            (
                could\ not\ be\ delivered
              | couldn't\ be\ delivered
              | could\ not\ deliver
              | wasn't\ delivered
              | was\ not\ delivered
              | were\ not\ delivered
              | not\ (yet\ )?been\ delivered
              | unable\ to\ deliver
              | not\ able\ to\ deliver
              | wasn't\ able\ to\ deliver
              | delivery\ (has\ )?failed
              | delivery\ to\ the\ following
              | failed\ permanently
              | permanent\ (fatal\ )?error
              | following\ address(es)?\ (had|failed)
              | following\ recipient
              | did\ not\ reach
              | user\ unknown
              | unknown\ user
              | no\ such\ user
              | no\ such\ (mailbox|recipient)
              | mailbox\ (is\ )?(full|unavailable|not\ found|quota)
              | over\ quota
              | quota\ exceeded
              | recipient\ (address\ )?rejected
              | address\ rejected
              | address\ not\ found
              | does\ not\ exist
              | doesn't\ exist
              | not\ listed\ in
              | host\ not\ found
              | message\ (was\ )?rejected
              | rejected\ (and\ discarded|your\ message)
              | returned\ to\ (you|the\ sender|sender)
              | invalid\ (user|recipient|address)
              | recipient\ not\ found
              | requested\ action\ not\ taken
              | konnte\ nicht\ zugestellt
              | nicht\ zugestellt\ werden
              | n'a\ pas\ pu\ être\ (remis|distribué)
              | no\ se\ ha\ podido\ entregar
              | no\ se\ pudo\ entregar
              | kon\ niet\ (worden\ )?afgeleverd
              | delivery\ status\ notification
              | will\ be\ retried
              | delayed
            )
        ");

pattern!(
    /// Phrases only a mail system writes about a message it could not deliver.
    pub(super) STRONG_FAILURE,
    r"(?xi)
            (
                could\ not\ be\ delivered\ to
              | couldn't\ be\ delivered\ to
              | wasn't\ delivered\ to
              | was\ not\ delivered\ to
              | delivery\ has\ failed\ to
              | following\ address(es)?\ failed
              | had\ (permanent\ )?fatal\ errors
              | failed\ permanently
              | unable\ to\ deliver\ your\ message
              | wasn't\ able\ to\ deliver\ your\ message
              | did\ not\ reach\ the\ following\ recipient
              | your\ message\ could\ not\ be\ delivered
              | konnte\ nicht\ zugestellt\ werden
              | n'a\ pas\ pu\ être\ remis
              | no\ se\ ha\ podido\ entregar
              | kon\ niet\ worden\ afgeleverd
            )
        "
);

/// A plain-text failure notice: sent by a mail system (by its address, its name, or a null
/// Return-Path with an automatic header) and written like one. A person forwarding a bounce
/// ("Fwd: Returned mail") is not a mail system, whatever the forwarded text says.
pub(super) fn looks_like_mta_notice(email: &InboundEmail, notice: &str) -> bool {
    let subject = email.subject.trim();
    let forwarded = {
        let s = subject.to_ascii_lowercase();
        s.starts_with("fwd:")
            || s.starts_with("fw:")
            || s.starts_with("wg:")
            || s.starts_with("tr:")
            || s.starts_with("rv:")
    };
    let from_addr = email
        .from
        .as_ref()
        .map(|m| m.address.as_str())
        .unwrap_or("");
    let from_name = email
        .from
        .as_ref()
        .and_then(|m| m.name.as_deref())
        .unwrap_or("");
    let mta_sender =
        MTA_SENDER.is_match(from_addr) || MTA_NAME.is_match(from_name) || from_addr.is_empty();
    let unquoted: String = notice
        .split('\n')
        .filter(|l| !is_quote_line(l))
        .collect::<Vec<_>>()
        .join("\n");
    let body_fails = FAILURE_BODY.is_match(&unquoted);
    let subject_fails = FAILURE_SUBJECT.is_match(subject);
    if forwarded && !mta_sender {
        return false;
    }
    if mta_sender && STRONG_FAILURE.is_match(&unquoted) {
        return true;
    }
    let strong_sender = MTA_SENDER.is_match(from_addr)
        && !from_addr.to_ascii_lowercase().starts_with("no")
        && !from_addr.to_ascii_lowercase().starts_with("do");
    (strong_sender && (body_fails || subject_fails))
        || (mta_sender
            && body_fails
            && (subject_fails || email.auto.null_return_path || email.auto.is_automatic()))
        || (subject_fails
            && body_fails
            && (email.auto.null_return_path || email.auto.is_automatic()))
        || (subject_fails && body_fails && MTA_NAME.is_match(from_name))
        || (subject_fails
            && body_fails
            && notice_recipient(&unquoted, &[]).is_some()
            && !email.subject.to_ascii_lowercase().starts_with("re:")
            && from_looks_automatic(from_addr))
}

pub(super) fn from_looks_automatic(addr: &str) -> bool {
    MTA_SENDER.is_match(addr)
}

pattern!(pub(super) RECIPIENT_TRIGGER, r"(?xi)
            (
                following\ (address|recipient)
              | recipient(s|\(s\))?(\ address)?\s*:
              | failed\ recipient
              | delivered\ to
              | not\ (yet\ )?been\ delivered
              | could\ not\ be\ delivered
              | couldn't\ be\ delivered
              | wasn't\ delivered
              | was\ not\ delivered
              | did\ not\ reach
              | delivery\ to
              | failed\ to\ these
              | your\ message\ to
              | rcpt\ to
              | target\ mail\ address
              | recipient\ address
              | address(es)?\ failed
              | unable\ to\ deliver
              | wasn't\ able\ to\ deliver
              | undeliverable\ to
              | user\ .*\ not\ listed
              | mailbox
              | address\ not\ found
              | could\ not\ deliver
            )
        ");

/// The failed address in a notice: the first address at or after a phrase that introduces
/// it ("the following address failed:", "RCPT TO:", "did not reach the following
/// recipient(s):"), else the first address that is not a mail system or the sender.
pub(super) fn notice_recipient(notice: &str, exclude: &[String]) -> Option<String> {
    let lines: Vec<&str> = notice.split('\n').collect();
    let excluded = |a: &str| {
        let a = a.to_lowercase();
        exclude.iter().any(|e| e.eq_ignore_ascii_case(&a))
            || MTA_SENDER.is_match(&a)
            || a.starts_with("mailto:")
    };
    let first_address = |from: usize| -> Option<String> {
        lines.iter().skip(from).find_map(|l| {
            // Skip "MAIL FROM:<sender>" lines of an SMTP transcript.
            let lower = l.to_ascii_lowercase();
            ADDRESS
                .find_iter(l)
                .filter(|m| {
                    let before = &lower[..m.start().min(lower.len())];
                    !(before.trim_end().ends_with("mail from:<")
                        || before.trim_end().ends_with("mail from:")
                        || before.trim_end().ends_with("envelope-from <")
                        || before.contains("from "))
                        || before.contains("rcpt to")
                })
                .map(|m| m.as_str().trim_end_matches('.').to_string())
                .find(|a| !excluded(a))
        })
    };
    if let Some(idx) = lines.iter().position(|l| RECIPIENT_TRIGGER.is_match(l))
        && let Some(a) = first_address(idx)
    {
        return Some(a);
    }
    first_address(0)
}

/// DSN fields written into the text itself (Amazon WorkMail, some gateways).
pub(super) fn text_fields(notice: &str) -> Vec<(String, String)> {
    pattern!(
        FIELD,
        r"(?im)^\s*(original-recipient|final-recipient|action|status|diagnostic-code|reporting-mta|remote-mta)\s*:\s*(.+?)\s*$"
    );
    FIELD
        .captures_iter(notice)
        .filter_map(|c| {
            Some((
                c.get(1)?.as_str().to_ascii_lowercase(),
                c.get(2)?.as_str().to_string(),
            ))
        })
        .collect()
}

pub(super) fn from_notice(
    email: &InboundEmail,
    notice: &str,
    failed_header: Option<String>,
) -> DeliveryReport {
    let mut exclude: Vec<String> = Vec::new();
    if let Some(f) = &email.from {
        exclude.push(f.address.clone());
    }
    exclude.extend(email.to.iter().map(|m| m.address.clone()));
    let unquoted: String = notice
        .split('\n')
        .filter(|l| !is_quote_line(l))
        .collect::<Vec<_>>()
        .join("\n");
    let fields = text_fields(&unquoted);
    let source = if fields.iter().any(|(n, _)| n.ends_with("recipient")) {
        ReportSource::DeliveryStatus
    } else {
        ReportSource::PlainText
    };
    let recipient = field(&fields, "original-recipient")
        .and_then(address_field)
        .or_else(|| field(&fields, "final-recipient").and_then(address_field))
        .or(failed_header)
        .or_else(|| notice_recipient(&unquoted, &exclude));
    let status = field(&fields, "status")
        .and_then(find_status)
        .or_else(|| find_status(&unquoted));
    let action = field(&fields, "action").map(|a| a.to_ascii_lowercase());
    let diagnostic = field(&fields, "diagnostic-code")
        .map(|d| d.split_once(';').map_or(d, |(_, r)| r).trim().to_string())
        .or_else(|| diagnostic_line(&unquoted));
    let hard = hardness(
        field(&fields, "status").and_then(find_status).as_deref(),
        diagnostic.as_deref(),
        action.as_deref(),
        &unquoted,
    );
    DeliveryReport {
        source,
        recipient,
        other_recipients: Vec::new(),
        status,
        action,
        diagnostic,
        reporting_mta: field(&fields, "reporting-mta").map(str::to_string),
        hard,
        original_message_id: None,
    }
}

/// The line of a notice that carries the remote server's answer.
pub(super) fn diagnostic_line(notice: &str) -> Option<String> {
    notice
        .split('\n')
        .map(str::trim)
        .find(|l| find_smtp_reply(l).is_some() || find_status(l).is_some())
        .map(|l| truncate_bytes(l, 500).to_string())
}
