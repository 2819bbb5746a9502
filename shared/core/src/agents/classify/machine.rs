//! Machine mail: delivery and feedback reports, automatic replies, absence notices.

use super::*;

/// The subject of an automatic reply: how one starts ("Automatic reply:", "Abwesenheit"), a
/// receipt ("Read: …"), a ticket ("[Ticket #123]", "Case no. 4711"). The words are data
/// (`auto_subject_start`, `receipt_subject`, `ticket_subject`, `ticket_subject_start`,
/// `ticket_number`), matched on the lowercased subject.
pub(super) static AUTO_SUBJECT: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    let start = vocab::bounded(vocab::classify_words(|c| &c.auto_subject_start));
    let receipt = vocab::union(vocab::classify_words(|c| &c.receipt_subject));
    let ticket = vocab::union(vocab::classify_words(|c| &c.ticket_subject));
    let ticket_start = vocab::union(vocab::classify_words(|c| &c.ticket_subject_start));
    let number = vocab::union(vocab::classify_words(|c| &c.ticket_number));
    vocab::compile(&format!(
        r"^\s*(?:{start}|{receipt}\s*:|\[?\s*(?:{ticket}|{ticket_start}|\#)\s*[\#:]?\s*[\w-]*\d)|\[{ticket}\b|\b{ticket} (?:\#|{number})\s*\w*\d"
    ))
});

pattern!(
    /// A list server refusing a post: the address is a list we may not write to.
    pub(super) LIST_REJECTION,
    r"(?i)\b(rejected|refused|discarded|not (a )?member|non-?members?|only (list )?members|members only|not (allowed|permitted|authori[sz]ed) to (post|send)|posting (is )?(restricted|not allowed|denied)|(are|is) not subscribed|not subscribed to|could not be (delivered|distributed) to the list|held for (moderation|approval))\b"
);
pattern!(
    /// The administrative address of a list server (`list-owner@`, `fml-admin@`, `mailman@`).
    pub(super) LIST_ADMIN_SENDER,
    r"(?i)^([^@]*-(owner|admin|request|bounces?|errors)|owner-[^@]*|fml|fml-admin|mailman|majordomo|listserv|sympa|ecartis|mlmmj)@"
);

pattern!(
    /// The notice is about the post we sent ("your message", "posting of your message").
    ABOUT_OUR_POST,
    r"(?i)\b(your|the) (message|post|posting|mail|e-?mail|request|submission|article)\b"
);

/// A mailing-list server's notice that our post was refused: a bounce of the list address.
fn list_rejection(mail: &InboundEmail) -> bool {
    let list_headers = [
        "x-mailman-version",
        "x-list-administrivia",
        "x-ml-name",
        "x-ml-server",
        "x-mlserver",
        "x-ml-count",
        "x-sequence",
    ]
    .iter()
    .any(|h| mail.auto.get(h).is_some());
    let admin = LIST_ADMIN_SENDER.is_match(&mail.from_address());
    let head = truncate_bytes(&mail.text, 3000);
    (admin || list_headers) && LIST_REJECTION.is_match(head) && ABOUT_OUR_POST.is_match(head)
}

/// Absence wording of any language's data.
fn absent(text: &str) -> bool {
    vocab::ABSENCE.is_match(&plain_lower(text))
}

/// An auto-responder's wording of any language's data.
fn auto_body(text: &str) -> bool {
    vocab::AUTO_BODY.is_match(&plain_lower(text))
}

pub(super) fn machine_intent(
    mail: &InboundEmail,
    analysis: &Analysis,
    topics: &Topics,
) -> Option<Intent> {
    if mail.dsn.is_some() {
        return Some(Intent::Bounce);
    }
    if let Some(fb) = &mail.feedback {
        let t = fb.feedback_type.to_ascii_lowercase();
        return Some(if t.contains("opt-out") || t.contains("unsubscribe") {
            Intent::Unsubscribe
        } else {
            Intent::Complaint
        });
    }
    if list_rejection(mail) {
        return Some(Intent::Bounce);
    }
    if mail.ses_event.is_some() {
        // Delivery, send, open, click … events: automatic, nothing to act on.
        return Some(Intent::AutoReply);
    }
    let subject = mail.subject.trim();
    let subject_lower = plain_lower(subject);
    let subject_auto =
        AUTO_SUBJECT.is_match(&subject_lower) || vocab::AUTO_SUBJECT.is_match(&subject_lower);
    let headers_auto = mail.auto.is_automatic() || mail.auto.null_return_path;
    let weak_auto = mail.auto.suppresses_auto_responses();
    let body = if mail.own_text.trim().is_empty() {
        &mail.text
    } else {
        &mail.own_text
    };
    let head = truncate_bytes(body, 1500);
    let absence = absent(head) || vocab::ABSENCE_SUBJECT.is_match(&subject_lower) && subject_auto;
    let apple_vacation = mail
        .auto
        .get("x-apple-action")
        .is_some_and(|v| v.to_ascii_uppercase().contains("VACATION"));

    // One-click unsubscribe mail sent by a mail client on the user's behalf.
    let mailto_unsubscribe = subject.eq_ignore_ascii_case("unsubscribe")
        && (headers_auto || mail.auto.get("x-apple-unsubscribe").is_some());
    if mail
        .auto
        .get("x-apple-unsubscribe")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
        || mailto_unsubscribe
    {
        return Some(Intent::Unsubscribe);
    }
    if apple_vacation {
        return Some(Intent::OutOfOffice);
    }
    let automated = headers_auto || subject_auto || weak_auto;
    // "Will be back at my desk on Monday 7 December" in an automatic reply: an absence
    // notice, whatever the reason given for the absence.
    let return_stated = {
        let lower = plain_lower(head);
        vocab::DATE_BACK.is_match(&lower) && ooo_until(mail, analysis.reference).is_some()
    };
    if automated && (absence || return_stated) {
        return Some(Intent::OutOfOffice);
    }
    if headers_auto || subject_auto {
        return Some(Intent::AutoReply);
    }
    // Without automatic headers: an absence notice or an auto-responder's wording at the
    // start of a message that asks nothing and offers nothing is still a machine's.
    // A reason to decline ("we have our own solution") is a person's answer, even after a
    // "thank you for your message" that auto-responders also write.
    let first_part = truncate_bytes(body, 400);
    let absence_with_return = absent(first_part) && ooo_until(mail, analysis.reference).is_some();
    let human_signals = analysis.any_unnegated(&vocab::INTEREST_STRONG)
        || analysis.any(&vocab::UNSUBSCRIBE)
        || analysis.any(&vocab::COMPLAINT)
        || analysis.any(&vocab::NOT_INTERESTED)
        || analysis.any(&vocab::NOT_INTERESTED_WEAK)
        || analysis.any(&vocab::WRONG_PERSON)
        || analysis.clean().any(super::intent::redirects_elsewhere)
        || super::intent::not_now(analysis)
        || super::intent::interested(analysis)
        || analysis.clean().any(|s| s.question && topics.any(s))
        // "Is this an automatic message or is someone there?": a person asking.
        || analysis
            .clean()
            .any(|s| s.question && vocab::AUTO_BODY.is_match(&s.lower));
    if !human_signals {
        if absence_with_return {
            return Some(Intent::OutOfOffice);
        }
        if auto_body(head) {
            return Some(Intent::AutoReply);
        }
        if weak_auto && absent(head) {
            return Some(Intent::OutOfOffice);
        }
    }
    None
}
