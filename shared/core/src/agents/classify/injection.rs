//! Attempts to instruct the agent inside a reply.

use super::*;

/// The sentences of a sender's own text that the detector sets aside: an injection and what
/// follows it in its paragraph. None of them may become a fact about the lead.
pub fn injected_sentences(own_text: &str) -> Vec<String> {
    Analysis::new(truncate_bytes(own_text, MAX_ANALYSED_BYTES), Utc::now())
        .sentences
        .into_iter()
        .filter(|s| s.injected)
        .map(|s| s.text)
        .collect()
}

/// Any part of the message trying to instruct the agent: visible text (own text, quote or
/// signature), the HTML alternative, hidden HTML and comments, and the subject.
pub(super) fn detect_injection(mail: &InboundEmail) -> bool {
    let mut parts: Vec<&str> = vec![&mail.subject, &mail.text];
    if let Some(h) = &mail.html_text {
        parts.push(h);
    }
    parts.extend(mail.hidden_text.iter().map(String::as_str));
    if hidden_address_to_a_machine(mail) {
        return true;
    }
    parts.iter().any(|p| {
        let p = truncate_bytes(p, 64 * 1024);
        p.lines().any(|l| injected(&plain_lower(l)))
            || split_paragraphs(p)
                .iter()
                .any(|para| injected(&plain_lower(&para.replace('\n', " "))))
    })
}

/// Hidden text (invisible HTML, comments) that speaks to a machine reader (`ai_addressee`:
/// "AI", "assistant", "KI", "tekoäly"): no person sees it, so it can only be meant for the
/// agent.
pub(super) fn hidden_address_to_a_machine(mail: &InboundEmail) -> bool {
    mail.hidden_text
        .iter()
        .any(|t| vocab::AI_ADDRESSEE.is_match(&plain_lower(truncate_bytes(t, 64 * 1024))))
}

/// An attempt to instruct the agent: the shared detector or any language's data.
pub(super) fn injected(lower: &str) -> bool {
    is_injection(lower) || vocab::INJECTION.is_match(lower)
}
