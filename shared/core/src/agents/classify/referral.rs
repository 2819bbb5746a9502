//! The colleague a wrong-person reply points to.

use super::*;

/// The address the sender names as the right contact, exactly as written: from their own
/// text, not from an injection, not their own address, and not an assistant's or an
/// urgent-contact address.
pub(super) fn find_referral(mail: &InboundEmail, a: &Analysis) -> Option<String> {
    let own = mail.from_address();
    let agent_domains: Vec<String> = mail
        .to
        .iter()
        .filter_map(|m| m.address.rsplit_once('@').map(|(_, d)| d.to_lowercase()))
        .collect();
    a.clean().find_map(|s| {
        let mut context_start = 0;
        crate::text::patterns::EMAIL_ADDRESS
            .find_iter(&s.text)
            .find_map(|m| {
                // The words between the previous address (or the sentence start) and this one
                // say whose address it is: "her assistant (amy@…)", "for urgent matters: …".
                let context = s.text.get(context_start..m.start()).unwrap_or("");
                context_start = m.end();
                if vocab::ASSISTANT_OR_URGENT.is_match(&context.to_lowercase()) {
                    return None;
                }
                let addr = m.as_str().trim_end_matches(['.', ',', ';', ':', ')']);
                let lower = addr.to_lowercase();
                let domain = lower
                    .rsplit_once('@')
                    .map(|(_, d)| d.to_string())
                    .unwrap_or_default();
                let excluded = lower == own || agent_domains.contains(&domain);
                (!excluded).then(|| addr.to_string())
            })
    })
}
