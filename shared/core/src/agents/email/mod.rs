//! The email validation agent: is a lead's address well formed, what is its normal form, what
//! kind of mailbox is it (work, personal, role, disposable), and does its domain accept mail?
//!
//! - Syntax and normal form follow python email-validator 2.x exactly (data README §4.1, §4.3);
//!   `syntax` ports its rules, `idna2008` and `punycode` the IDNA processing it relies on, and
//!   `tables` holds the Unicode data generated from the reference's own environment.
//! - Kind comes from public lists shipped in the binary (`kind`, README §4.2).
//! - Deliverability asks DNS through the `Resolver` port (`dns` has the hickory adapter).
//!
//! Every rejection carries a stable reason code (see [`reason_codes`]) and a message written
//! for the person fixing the lead; [`category`] maps codes onto the coarse taxonomy CRM tools
//! use (malformed, domain invalid, domain does not exist, does not accept mail, disposable,
//! role address).

pub mod dns;
mod idna2008;
mod kind;
mod punycode;
mod syntax;
#[rustfmt::skip]
mod tables;
mod unicode;

pub use dns::{
    DOMAIN_NOT_FOUND, DnsResolver, NO_MAIL_SERVER, NULL_MX, SPF_REJECT_ALL, resolver_from_config,
};
pub use kind::{
    classify, is_disposable_domain, is_personal_domain, is_role_local_part, list_sizes,
};
pub use syntax::{Parsed, Rejection, parse};
pub use unicode::data_versions;

use crate::domain::{Deliverability, EmailCheck, EmailKind};
use crate::ports::Resolver;

/// Is `s` a valid address under the full policy? (Config checks use it for sender addresses.)
pub fn is_plausible_address(s: &str) -> bool {
    syntax::parse(s).is_ok()
}

/// Syntax, normal form and kind of `raw` (taken as given, not trimmed); no DNS.
pub fn check(raw: &str) -> EmailCheck {
    match syntax::parse(raw) {
        Ok(p) => valid_check(raw, &p, Deliverability::NotChecked),
        Err(r) => invalid_check(raw, r),
    }
}

/// [`check`], plus the domain's deliverability for a valid address (invalid addresses are not
/// looked up and stay `NotChecked`).
pub async fn check_with_dns(raw: &str, resolver: &dyn Resolver) -> EmailCheck {
    match syntax::parse(raw) {
        Ok(p) => {
            let d = resolver.deliverability(&p.ascii_domain).await;
            valid_check(raw, &p, d)
        }
        Err(r) => invalid_check(raw, r),
    }
}

/// The ASCII (IDNA) form of a valid address's domain, the form DNS and the lists use.
pub fn ascii_domain(raw: &str) -> Option<String> {
    syntax::parse(raw).ok().map(|p| p.ascii_domain)
}

fn valid_check(raw: &str, p: &Parsed, deliverability: Deliverability) -> EmailCheck {
    EmailCheck {
        address: raw.to_string(),
        valid: true,
        reason: None,
        message: None,
        kind: Some(kind::classify(&p.local, &p.ascii_domain)),
        normalized: Some(p.normalized.clone()),
        deliverability,
        overridden: None,
    }
}

fn invalid_check(raw: &str, r: Rejection) -> EmailCheck {
    EmailCheck {
        address: raw.to_string(),
        valid: false,
        reason: Some(r.code.to_string()),
        message: Some(r.message),
        kind: None,
        normalized: None,
        deliverability: Deliverability::NotChecked,
        overridden: None,
    }
}

/// The coarse error taxonomy (in the spirit of Dynamics 365's email validation results).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCategory {
    /// The address is not well formed (before the @, or as a whole).
    Malformed,
    /// The part after the @ is not a usable domain name.
    DomainInvalid,
    /// DNS says the domain does not exist.
    DomainDoesNotExist,
    /// The domain exists but receives no mail.
    DoesNotAcceptMail,
    /// A disposable (temporary) mailbox provider: valid, but never written to.
    Disposable,
    /// A shared role mailbox (info@, sales@): valid, but not a person.
    RoleAddress,
}

/// One stable reason code: what it is called, where it belongs, and what it means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReasonCode {
    pub code: &'static str,
    pub category: ErrorCategory,
    /// A general description (the per-address message adds the specifics).
    pub description: &'static str,
}

const fn rc(code: &'static str, category: ErrorCategory, description: &'static str) -> ReasonCode {
    ReasonCode {
        code,
        category,
        description,
    }
}

use ErrorCategory::{
    Disposable, DoesNotAcceptMail, DomainDoesNotExist, DomainInvalid, Malformed, RoleAddress,
};

static REASONS: &[ReasonCode] = &[
    rc("empty", Malformed, "the address is empty"),
    rc(
        "too_long",
        Malformed,
        "the address is longer than 254 bytes",
    ),
    rc(
        "mailto_prefix",
        Malformed,
        "the address starts with 'mailto:'",
    ),
    rc(
        "display_name",
        Malformed,
        "the address has a display name or angle brackets (Name <a@b.c>)",
    ),
    rc(
        "quoted_local_part",
        Malformed,
        "the address has quotation marks; quoted local parts are not accepted",
    ),
    rc(
        "whitespace",
        Malformed,
        "the address contains whitespace (space, tab, line break), maybe at either end",
    ),
    rc(
        "unsafe_character",
        Malformed,
        "the address contains invisible or control characters (zero-width, bidi overrides, controls)",
    ),
    rc("missing_at", Malformed, "the address has no @"),
    rc(
        "fullwidth_at",
        Malformed,
        "the address has a full-width ＠ instead of @",
    ),
    rc(
        "small_at",
        Malformed,
        "the address has a small commercial at ﹫ instead of @",
    ),
    rc("multiple_at", Malformed, "the address has more than one @"),
    rc(
        "local_part_empty",
        Malformed,
        "there is nothing before the @",
    ),
    rc(
        "local_part_too_long",
        Malformed,
        "the part before the @ has more than 64 characters",
    ),
    rc(
        "local_part_invalid_character",
        Malformed,
        "the part before the @ contains characters not allowed there",
    ),
    rc(
        "local_part_unsafe_character",
        Malformed,
        "the part before the @ contains unsafe Unicode characters",
    ),
    rc(
        "local_part_leading_dot",
        Malformed,
        "the address starts with a dot",
    ),
    rc(
        "local_part_trailing_dot",
        Malformed,
        "the part before the @ ends with a dot",
    ),
    rc(
        "local_part_consecutive_dots",
        Malformed,
        "the part before the @ has two dots in a row",
    ),
    rc(
        "domain_empty",
        DomainInvalid,
        "there is nothing after the @",
    ),
    rc(
        "ip_literal",
        DomainInvalid,
        "the part after the @ is an IP address in brackets",
    ),
    rc(
        "domain_too_long",
        DomainInvalid,
        "the domain is longer than 253 characters (in ASCII form)",
    ),
    rc(
        "domain_invalid_character",
        DomainInvalid,
        "the domain contains characters not allowed in domain names",
    ),
    rc(
        "domain_unsafe_character",
        DomainInvalid,
        "the domain contains unsafe Unicode characters",
    ),
    rc(
        "domain_leading_dot",
        DomainInvalid,
        "the domain starts with a dot",
    ),
    rc(
        "domain_trailing_dot",
        DomainInvalid,
        "the address ends with a dot",
    ),
    rc(
        "domain_consecutive_dots",
        DomainInvalid,
        "the domain has two dots in a row",
    ),
    rc(
        "domain_label_hyphen",
        DomainInvalid,
        "a part of the domain starts or ends with a hyphen",
    ),
    rc(
        "domain_reserved_hyphens",
        DomainInvalid,
        "a part of the domain has '--' in 3rd and 4th position without being Punycode (xn--)",
    ),
    rc(
        "domain_label_too_long",
        DomainInvalid,
        "a part of the domain between dots is longer than 63 characters",
    ),
    rc("domain_no_dot", DomainInvalid, "the domain has no dot"),
    rc(
        "domain_invalid_tld",
        DomainInvalid,
        "the domain does not end in a valid top-level domain",
    ),
    rc(
        "domain_special_use",
        DomainInvalid,
        "the domain is a special-use name (.arpa .invalid .local .localhost .onion .test)",
    ),
    rc(
        "domain_invalid_idna",
        DomainInvalid,
        "the domain is not a valid international domain name (IDNA 2008)",
    ),
    rc(
        DOMAIN_NOT_FOUND,
        DomainDoesNotExist,
        "DNS says the domain does not exist (NXDOMAIN)",
    ),
    rc(
        NULL_MX,
        DoesNotAcceptMail,
        "the domain publishes a null MX record (RFC 7505): it accepts no mail",
    ),
    rc(
        NO_MAIL_SERVER,
        DoesNotAcceptMail,
        "the domain has no MX record and no public address record",
    ),
    rc(
        SPF_REJECT_ALL,
        DoesNotAcceptMail,
        "the domain has no MX record and an SPF policy that forbids all mail (v=spf1 -all)",
    ),
    rc(
        "disposable_domain",
        Disposable,
        "the domain is a disposable (temporary) mailbox provider",
    ),
    rc(
        "role_address",
        RoleAddress,
        "the address is a shared role mailbox (info@, sales@, ...), not a person",
    ),
];

/// Every stable reason code with its category and description.
pub fn reason_codes() -> &'static [ReasonCode] {
    REASONS
}

/// The category of a reason code, `None` for an unknown code.
pub fn category(code: &str) -> Option<ErrorCategory> {
    REASONS.iter().find(|r| r.code == code).map(|r| r.category)
}

/// Everything notable about a checked address, as (category, code, message), most severe
/// first: the rejection, the DNS verdict, and a disposable or role kind.
pub fn issues(check: &EmailCheck) -> Vec<(ErrorCategory, String, String)> {
    let mut out = Vec::new();
    if let Some(code) = &check.reason {
        let cat = category(code).unwrap_or(Malformed);
        out.push((cat, code.clone(), check.message.clone().unwrap_or_default()));
    }
    if let Deliverability::Undeliverable { reason, message } = &check.deliverability {
        let cat = category(reason).unwrap_or(DoesNotAcceptMail);
        out.push((cat, reason.clone(), message.clone()));
    }
    match check.kind {
        Some(EmailKind::Disposable) => out.push((
            Disposable,
            "disposable_domain".into(),
            "the domain is a disposable (temporary) mailbox provider".into(),
        )),
        Some(EmailKind::Role) => out.push((
            RoleAddress,
            "role_address".into(),
            "the address is a shared role mailbox, not a person".into(),
        )),
        _ => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_emitted_reason_code_is_documented() {
        let source = include_str!("syntax.rs");
        let re = regex::Regex::new(r#"reject(?:::<[^>]*>)?\(\s*"([a-z_]+)""#)
            .unwrap_or_else(|e| panic!("bad regex: {e}"));
        let mut n = 0;
        for cap in re.captures_iter(source) {
            let code = &cap[1];
            assert!(
                category(code).is_some(),
                "reason {code} is not in reason_codes()"
            );
            n += 1;
        }
        assert!(n > 20, "found only {n} reject sites");
        let mut codes: Vec<_> = REASONS.iter().map(|r| r.code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), REASONS.len(), "duplicate reason codes");
    }

    #[test]
    fn a_65_character_local_part_is_too_long() {
        let c = check(&format!("{}@example.com", "a".repeat(65)));
        assert!(!c.valid);
        assert_eq!(c.reason.as_deref(), Some("local_part_too_long"));
        assert_eq!(
            c.message.as_deref(),
            Some("the part before the @ has 65 characters; at most 64 are allowed")
        );
        assert_eq!(
            category("local_part_too_long"),
            Some(ErrorCategory::Malformed)
        );
    }

    #[test]
    fn normalizes_punycode_domains_to_unicode() {
        let c = check("user@xn--mnchen-3ya.de");
        assert!(c.valid);
        assert_eq!(c.normalized.as_deref(), Some("user@münchen.de"));
        assert_eq!(c.kind, Some(EmailKind::Work));
        assert_eq!(
            ascii_domain("user@münchen.de").as_deref(),
            Some("xn--mnchen-3ya.de")
        );
    }

    #[test]
    fn lowercases_rfc_2142_names_only() {
        assert_eq!(
            check("SUPPORT@Q.example").normalized.as_deref(),
            Some("support@q.example")
        );
        assert_eq!(
            check("Abc@Example.TLD").normalized.as_deref(),
            Some("Abc@example.tld")
        );
    }

    #[test]
    fn rejections_name_their_reason() {
        for (raw, code) in [
            ("", "empty"),
            ("Name <a@b.example>", "display_name"),
            ("\"a\"@b.example", "quoted_local_part"),
            ("a@b.example ", "whitespace"),
            ("mailto:a@b.example", "mailto_prefix"),
            ("a＠b.example", "fullwidth_at"),
            ("a@b@c.example", "multiple_at"),
            ("a@[127.0.0.1]", "ip_literal"),
            ("a@b.local", "domain_special_use"),
            ("a..b@c.example", "local_part_consecutive_dots"),
            ("a@b", "domain_no_dot"),
            ("a\u{200B}b@c.example", "unsafe_character"),
        ] {
            assert_eq!(check(raw).reason.as_deref(), Some(code), "{raw:?}");
        }
    }

    #[test]
    fn issues_report_kind_and_dns_findings() {
        let mut c = check("info@mailinator.com");
        c.deliverability = Deliverability::Undeliverable {
            reason: NULL_MX.into(),
            message: "no mail".into(),
        };
        let cats: Vec<_> = issues(&c).into_iter().map(|i| i.0).collect();
        assert_eq!(
            cats,
            vec![ErrorCategory::DoesNotAcceptMail, ErrorCategory::Disposable]
        );
    }
}
