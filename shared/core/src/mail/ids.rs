//! The Message-IDs of the agent's own emails, and telling them from forgeries.
//!
//! An id is `<{kind}-{lead}-{n}-{tag}@{mail_domain}>`, where `tag` is the first 24 hex digits
//! of HMAC-SHA256(secret, "message-id" ‖ kind ‖ lead ‖ n). Anyone can quote an id they have
//! seen or guessed, so an inbound reference names a lead only when its tag verifies with the
//! deployment's secret; ids of the earlier predictable form (`<outreach-{lead}-{n}@…>`) and
//! ids of other systems are no evidence of anything.

use crate::domain::LeadId;

const PURPOSE: &str = "message-id";
const TAG_HEX: usize = 24;

/// Which of the agent's emails an id belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdKind {
    /// A first email or a follow-up (`outreach-…`).
    Outreach,
    /// An answer to a lead's reply (`reply-…`).
    Reply,
}

impl IdKind {
    pub fn as_str(self) -> &'static str {
        match self {
            IdKind::Outreach => "outreach",
            IdKind::Reply => "reply",
        }
    }
}

/// A verified id of ours: the lead and touch it was written for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OurId {
    pub kind: IdKind,
    pub lead: LeadId,
    pub n: u32,
}

/// What an inbound reference says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reference {
    /// One of ours, its tag verified.
    Ours(OurId),
    /// Written in the signed form of ours, but the tag does not verify: somebody made it up.
    Forged,
    /// Anything else: another system's id, or the earlier predictable form. No evidence.
    Foreign,
}

fn tag(secret: &str, kind: IdKind, lead: &str, n: u32) -> String {
    crate::sign::tag(
        secret,
        PURPOSE,
        &[kind.as_str(), lead, &n.to_string()],
        TAG_HEX,
    )
}

/// The id of touch `n` of `kind` to `lead`, with angle brackets.
pub fn message_id(secret: &str, domain: &str, kind: IdKind, lead: &LeadId, n: u32) -> String {
    format!(
        "<{}-{lead}-{n}-{}@{domain}>",
        kind.as_str(),
        tag(secret, kind, lead.as_str(), n)
    )
}

/// Read an inbound reference (angle brackets optional) against our secret and mail domain.
pub fn read(secret: &str, domain: &str, id: &str) -> Reference {
    let id = id.trim();
    let id = id.strip_prefix('<').unwrap_or(id);
    let id = id.strip_suffix('>').unwrap_or(id);
    let Some((local, at)) = id.rsplit_once('@') else {
        return Reference::Foreign;
    };
    let Some((kind, rest)) = [IdKind::Outreach, IdKind::Reply]
        .into_iter()
        .find_map(|k| Some((k, local.strip_prefix(k.as_str())?.strip_prefix('-')?)))
    else {
        return Reference::Foreign;
    };
    let Some((head, given)) = rest.rsplit_once('-') else {
        return Reference::Foreign;
    };
    let signed_form = given.len() == TAG_HEX && given.bytes().all(|b| b.is_ascii_hexdigit());
    if !signed_form {
        return Reference::Foreign;
    }
    let parsed = head.rsplit_once('-').and_then(|(lead, n)| {
        let n: u32 = n.parse().ok()?;
        Some((LeadId::parse(lead).ok()?, n))
    });
    let Some((lead, n)) = parsed else {
        return Reference::Forged;
    };
    let genuine = at.eq_ignore_ascii_case(domain)
        && crate::sign::verify(
            secret,
            PURPOSE,
            &[kind.as_str(), lead.as_str(), &n.to_string()],
            &given.to_ascii_lowercase(),
        );
    if genuine {
        Reference::Ours(OurId { kind, lead, n })
    } else {
        Reference::Forged
    }
}

/// The host SES is taken to put in the Message-ID of a message sent through `region`:
/// `REGION.amazonses.com`, and `email.amazonses.com` for US East (N. Virginia). The AWS pages
/// say only that SES replaces the Message-ID; both forms are inferred from delivered headers,
/// so `[mail] ses_message_id_domain` can name the host instead.
pub fn ses_message_id_domain(region: &str) -> String {
    let region = region.trim().to_ascii_lowercase();
    if region.is_empty() || region == "us-east-1" {
        "email.amazonses.com".to_string()
    } else {
        format!("{region}.amazonses.com")
    }
}

/// The Message-ID SES puts on the wire for a message it accepted as `ses_id` in `region`:
/// `<ses_id@HOST>` with the host of `ses_message_id_domain`.
pub fn ses_wire_id(ses_id: &str, region: &str) -> String {
    ses_wire_id_at(ses_id, &ses_message_id_domain(region))
}

/// `<ses_id@domain>`: the wire Message-ID with a host given (`[mail] ses_message_id_domain`).
pub fn ses_wire_id_at(ses_id: &str, domain: &str) -> String {
    format!("<{}@{}>", ses_id.trim(), domain.trim().to_ascii_lowercase())
}

/// True when `domain` is a host an SES wire id may carry and inbound matching accepts
/// (`HOST.amazonses.com`, see `ses_id_of`).
pub fn is_ses_message_id_domain(domain: &str) -> bool {
    ses_id_of(&format!("<x@{}>", domain.trim())).is_some()
}

/// The SES message id inside an inbound reference written by SES
/// (`<ID@email.amazonses.com>` or `<ID@REGION.amazonses.com>`), whatever the region: the
/// id is looked up among our sends, so an id of another deployment finds nothing.
pub fn ses_id_of(reference: &str) -> Option<&str> {
    let id = reference.trim();
    let id = id.strip_prefix('<').unwrap_or(id);
    let id = id.strip_suffix('>').unwrap_or(id);
    let (local, host) = id.rsplit_once('@')?;
    let label = host
        .len()
        .checked_sub(".amazonses.com".len())
        .filter(|&n| n > 0 && host[n..].eq_ignore_ascii_case(".amazonses.com"))
        .map(|n| &host[..n])?;
    let plain = |c: char| c.is_ascii_alphanumeric() || c == '-';
    let ok = !local.is_empty()
        && local.chars().all(plain)
        && !label.is_empty()
        && label.chars().all(plain);
    ok.then_some(local)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lead(s: &str) -> LeadId {
        LeadId::parse(s).unwrap()
    }

    #[test]
    fn an_id_of_ours_verifies_and_names_its_lead_and_touch() {
        let id = message_id(
            "s3cret",
            "agent.example",
            IdKind::Outreach,
            &lead("L0148"),
            2,
        );
        assert!(id.starts_with("<outreach-L0148-2-"), "{id}");
        assert_eq!(
            read("s3cret", "agent.example", &id),
            Reference::Ours(OurId {
                kind: IdKind::Outreach,
                lead: lead("L0148"),
                n: 2
            })
        );
        let answer = message_id("s3cret", "agent.example", IdKind::Reply, &lead("L1-R1"), 3);
        assert!(matches!(
            read("s3cret", "AGENT.example", &answer),
            Reference::Ours(OurId {
                kind: IdKind::Reply,
                n: 3,
                ..
            })
        ));
    }

    #[test]
    fn an_edited_or_guessed_id_is_a_forgery() {
        let id = message_id(
            "s3cret",
            "agent.example",
            IdKind::Outreach,
            &lead("L0148"),
            1,
        );
        let other_lead = id.replace("L0148", "L0149");
        assert_eq!(
            read("s3cret", "agent.example", &other_lead),
            Reference::Forged
        );
        let other_touch = id.replace("-1-", "-2-");
        assert_eq!(
            read("s3cret", "agent.example", &other_touch),
            Reference::Forged
        );
        assert_eq!(read("other", "agent.example", &id), Reference::Forged);
        assert_eq!(read("s3cret", "elsewhere.example", &id), Reference::Forged);
        assert_eq!(
            read(
                "s3cret",
                "agent.example",
                "<outreach-L0148-1-000000000000000000000000@agent.example>"
            ),
            Reference::Forged
        );
    }

    #[test]
    fn the_earlier_predictable_form_and_other_systems_ids_are_no_evidence() {
        for id in [
            "<outreach-L0148-1@agent.example>",
            "<reply-L0148-2@agent.example>",
            "<CAu3--6GBVPmqEOe0VmEkX5@mail.gmail.com>",
            "no-at-sign",
            "",
        ] {
            assert_eq!(
                read("s3cret", "agent.example", id),
                Reference::Foreign,
                "{id}"
            );
        }
    }

    #[test]
    fn ses_wire_ids_are_built_per_region_and_read_back() {
        let id = "0100018c1b2a3d4e-5f6a7b8c-1111-2222-3333-444455556666-000000";
        assert_eq!(
            ses_wire_id(id, "eu-west-1"),
            format!("<{id}@eu-west-1.amazonses.com>")
        );
        assert_eq!(
            ses_wire_id(id, "us-east-1"),
            format!("<{id}@email.amazonses.com>")
        );
        // The host named in the config wins, and inbound matching reads it back.
        let named = ses_wire_id_at(id, "US-East-1.amazonses.com");
        assert_eq!(named, format!("<{id}@us-east-1.amazonses.com>"));
        assert_eq!(ses_id_of(&named), Some(id));
        assert!(is_ses_message_id_domain("us-east-1.amazonses.com"));
        for bad in ["amazonses.com", "mail.example.com", "a b.amazonses.com", ""] {
            assert!(!is_ses_message_id_domain(bad), "{bad}");
        }
        for r in [
            format!("<{id}@email.amazonses.com>"),
            format!("<{id}@us-east-1.amazonses.com>"),
            format!("{id}@EU-WEST-1.amazonses.com"),
        ] {
            assert_eq!(ses_id_of(&r), Some(id), "{r}");
        }
        for r in [
            "<abc@amazonses.com>",
            "<abc@mail.gmail.com>",
            "<a b@email.amazonses.com>",
            "<@email.amazonses.com>",
            "<abc@evil.example.amazonses.com.attacker.example>",
        ] {
            assert_eq!(ses_id_of(r), None, "{r}");
        }
    }
}
