//! The kind of a valid address (data README §4.2): disposable > role > personal > work, from
//! public lists shipped in the binary (see NOTICE and `infra/refresh-email-lists.sh`).

use std::collections::HashSet;

use std::sync::LazyLock;

use crate::domain::EmailKind;

static DISPOSABLE_LIST: &str = include_str!("../../../data/email/disposable-domains.txt");
static DISPOSABLE_EXTRA: &str = include_str!("../../../data/email/disposable-extra.txt");
static FREE_LIST: &str = include_str!("../../../data/email/free-email-domains.txt");
static PERSONAL_EXTRA: &str = include_str!("../../../data/email/personal-extra.txt");
static ROLE_LIST: &str = include_str!("../../../data/email/role-local-parts.txt");

/// The entries of a shipped list: one a line, `#` comments and blank lines skipped.
fn entries(text: &'static str) -> impl Iterator<Item = &'static str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

static DISPOSABLE: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    entries(DISPOSABLE_LIST)
        .chain(entries(DISPOSABLE_EXTRA))
        .collect()
});

/// Free providers minus disposable ones: the public free list carries the disposable list too,
/// and a disposable domain must never be reported as a person's private mailbox.
static PERSONAL: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    entries(FREE_LIST)
        .chain(entries(PERSONAL_EXTRA))
        .filter(|d| !is_disposable_domain(d))
        .collect()
});

static ROLE: LazyLock<HashSet<&'static str>> = LazyLock::new(|| entries(ROLE_LIST).collect());

/// Is `ascii_domain` (lowercase, IDNA ASCII form) a disposable-mail domain?
///
/// The blocklist is meant to be matched on the registrable domain, so `x.mailinator.com` is
/// disposable too; entries below a registrable domain (`0-mailer.dynv6.net`, where `dynv6.net`
/// is a public suffix) match themselves and their subdomains. Every suffix from the full domain
/// up to the registrable domain is tried, never a public suffix itself.
pub fn is_disposable_domain(ascii_domain: &str) -> bool {
    let domain = ascii_domain.trim_end_matches('.');
    let floor = psl::domain_str(domain).map_or(domain.len(), str::len);
    let mut rest = domain;
    loop {
        if DISPOSABLE.contains(rest) {
            return true;
        }
        if rest.len() <= floor {
            return false;
        }
        match rest.split_once('.') {
            Some((_, parent)) if parent.len() >= floor => rest = parent,
            _ => return false,
        }
    }
}

/// Is `ascii_domain` a free personal-mail provider (and not disposable)?
pub fn is_personal_domain(ascii_domain: &str) -> bool {
    PERSONAL.contains(ascii_domain.trim_end_matches('.'))
}

/// Is `local` a shared role mailbox (`info`, `sales+emea`, …)?
pub fn is_role_local_part(local: &str) -> bool {
    let lower = local.to_lowercase();
    let base = lower.split_once('+').map_or(lower.as_str(), |(b, _)| b);
    ROLE.contains(base)
}

/// The kind of a valid address from its normalized local part and ASCII domain.
pub fn classify(local: &str, ascii_domain: &str) -> EmailKind {
    let domain = ascii_domain.to_ascii_lowercase();
    if is_disposable_domain(&domain) {
        EmailKind::Disposable
    } else if is_role_local_part(local) {
        EmailKind::Role
    } else if is_personal_domain(&domain) {
        EmailKind::Personal
    } else {
        EmailKind::Work
    }
}

/// Sizes of the shipped lists (disposable, personal, role), for reports and tests.
pub fn list_sizes() -> (usize, usize, usize) {
    (DISPOSABLE.len(), PERSONAL.len(), ROLE.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disposable_matches_subdomains_of_listed_registrable_domains() {
        assert!(is_disposable_domain("mailinator.com"));
        assert!(is_disposable_domain("eu.mailinator.com"));
        assert!(!is_disposable_domain("com"));
        assert!(!is_disposable_domain("example.com"));
    }

    #[test]
    fn role_ignores_case_and_plus_tags() {
        assert!(is_role_local_part("Sales+EMEA"));
        assert!(!is_role_local_part("salesman"));
    }

    #[test]
    fn personal_excludes_disposable_domains() {
        assert!(is_personal_domain("gmail.com"));
        assert!(!is_personal_domain("mailinator.com"));
        assert_eq!(classify("x", "mailinator.com"), EmailKind::Disposable);
        assert_eq!(classify("info", "gmail.com"), EmailKind::Role);
        assert_eq!(classify("test", "123.com"), EmailKind::Personal);
        assert_eq!(classify("ana", "acme.example"), EmailKind::Work);
    }
}
