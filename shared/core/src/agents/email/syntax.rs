//! Address syntax and normal form: a port of python email-validator 2.x
//! `validate_email(addr, check_deliverability=False, allow_smtputf8=True, strict=True)`
//! (data README §4.1 and §4.3).
//!
//! The verdict (valid or not) and the normalized form must agree with the reference on every
//! input; the differential test in `tests/suite/email.rs` holds us to that. The *order* of the
//! checks differs on purpose: every check here is a sufficient condition for the reference to
//! reject, so running the most telling ones first (a display name, whitespace, a second `@`)
//! changes only which reason a person reads, never the verdict.

use unicode_normalization::UnicodeNormalization;

use super::idna2008;
use super::unicode::{self, GcClass};

/// RFC 5321 4.5.3.1: the limits the reference enforces with `strict=True`.
pub(super) const EMAIL_MAX_LENGTH: usize = 254;
pub(super) const LOCAL_PART_MAX_LENGTH: usize = 64;
pub(super) const DOMAIN_MAX_LENGTH: usize = 253;
pub(super) const LABEL_MAX_LENGTH: usize = 63;

/// RFC 2142 mailbox names, which are case-insensitive and so normalized to lowercase.
const CASE_INSENSITIVE_MAILBOX_NAMES: [&str; 15] = [
    "info",
    "marketing",
    "sales",
    "support",
    "abuse",
    "noc",
    "security",
    "postmaster",
    "hostmaster",
    "usenet",
    "news",
    "webmaster",
    "www",
    "uucp",
    "ftp",
];

/// IANA special-use names (and their subdomains) that can never be globally deliverable.
/// `example` names are accepted, as RFC 6761 asks.
const SPECIAL_USE_DOMAIN_NAMES: [&str; 6] =
    ["arpa", "invalid", "local", "localhost", "onion", "test"];

/// A rejection: a stable reason code (see `super::REASONS`) and a message for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub code: &'static str,
    pub message: String,
}

fn reject<T>(code: &'static str, message: impl Into<String>) -> Result<T, Rejection> {
    Err(Rejection {
        code,
        message: message.into(),
    })
}

/// A syntactically valid address, split and normalized.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    /// NFC local part; RFC 2142 names lowercased.
    pub local: String,
    /// The domain in Unicode form (lowercase, IDNA-normalized).
    pub domain: String,
    /// The domain as ASCII (IDNA A-labels), the form DNS and the domain lists use.
    pub ascii_domain: String,
    /// `local@domain`.
    pub normalized: String,
}

/// RFC 5322 `atext` in ASCII.
fn is_atext_ascii(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c)
}

/// `atext` extended by RFC 6531 with every non-ASCII character.
fn is_atext_intl(c: char) -> bool {
    is_atext_ascii(c) || !c.is_ascii()
}

/// Characters the reference accepts in a domain before IDNA processing.
fn is_hostname_intl(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '.' || !c.is_ascii()
}

/// `atext` runs separated by single dots, with no dot at either end.
fn is_dot_atom(s: &str, atext: fn(char) -> bool) -> bool {
    !s.is_empty()
        && s.split('.')
            .all(|atom| !atom.is_empty() && atom.chars().all(atext))
}

/// RFC 952 / RFC 1123 host names: letters, digits and inner hyphens, dot-separated.
fn is_ldh_hostname(s: &str) -> bool {
    !s.is_empty()
        && s.split('.').all(|label| {
            let b = label.as_bytes();
            !b.is_empty()
                && b.iter().all(|&c| c.is_ascii_alphanumeric() || c == b'-')
                && b.first().is_some_and(u8::is_ascii_alphanumeric)
                && b.last().is_some_and(u8::is_ascii_alphanumeric)
        })
}

/// How a character is shown in a message: printable ones quoted, others as `U+XXXX`.
pub(super) fn display_char(c: char) -> String {
    if unicode::gc_class(c) == GcClass::Ok && !c.is_whitespace() {
        format!("'{c}'")
    } else {
        format!("U+{:04X}", c as u32)
    }
}

fn list_chars(chars: impl IntoIterator<Item = char>) -> String {
    let mut seen: Vec<char> = Vec::new();
    for c in chars {
        if !seen.contains(&c) {
            seen.push(c);
        }
    }
    seen.sort_unstable();
    seen.into_iter()
        .map(display_char)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Characters that are unsafe in an address: controls, format characters (zero-width, bidi
/// overrides), private use, unassigned, separators, and a combining mark in first position.
fn unsafe_chars(s: &str) -> Vec<char> {
    s.chars()
        .enumerate()
        .filter(|&(i, c)| match unicode::gc_class(c) {
            GcClass::Ok => false,
            GcClass::Mark => i == 0,
            GcClass::Space | GcClass::Other => true,
        })
        .map(|(_, c)| c)
        .collect()
}

/// Validate the whole address, in the reference's sense, and build its normal form.
pub fn parse(raw: &str) -> Result<Parsed, Rejection> {
    if raw.is_empty() {
        return reject("empty", "the address is empty");
    }
    if raw.len() > 4 * EMAIL_MAX_LENGTH {
        // Far too long to be an address; stop before any per-character work on it.
        return reject(
            "too_long",
            format!(
                "the address has {} bytes; at most {EMAIL_MAX_LENGTH} are allowed",
                raw.len()
            ),
        );
    }
    if raw
        .get(..7)
        .is_some_and(|p| p.eq_ignore_ascii_case("mailto:"))
    {
        return reject(
            "mailto_prefix",
            "the address starts with 'mailto:'; give the address alone",
        );
    }
    if raw.contains(['<', '>']) {
        return reject(
            "display_name",
            "the address has a display name or angle brackets; give the address alone (name@example.com)",
        );
    }
    if raw.contains('"') {
        return reject(
            "quoted_local_part",
            "the address has quotation marks; quoted local parts are not accepted",
        );
    }
    if raw.chars().any(char::is_whitespace) {
        return reject(
            "whitespace",
            "the address contains whitespace (a space, tab or line break, maybe at the start or end)",
        );
    }
    let unsafe_all = unsafe_chars_anywhere(raw);
    if !unsafe_all.is_empty() {
        return reject(
            "unsafe_character",
            format!(
                "the address contains invisible or control characters: {}",
                list_chars(unsafe_all)
            ),
        );
    }
    let Some((local, domain)) = raw.split_once('@') else {
        if raw.contains('\u{FF20}') {
            return reject(
                "fullwidth_at",
                "the address has a full-width at sign (＠) instead of @",
            );
        }
        if raw.contains('\u{FE6B}') {
            return reject(
                "small_at",
                "the address has a small commercial at (﹫) instead of @",
            );
        }
        return reject("missing_at", "the address has no @");
    };
    if domain.contains('@') {
        return reject(
            "multiple_at",
            "the address has more than one @ (two addresses, or an @ in the name part)",
        );
    }
    if local.is_empty() {
        return reject("local_part_empty", "there is nothing before the @");
    }
    if domain.is_empty() {
        return reject("domain_empty", "there is nothing after the @");
    }
    if domain.starts_with('[') && domain.ends_with(']') {
        return reject(
            "ip_literal",
            "the part after the @ is an IP address in brackets; a domain name is required",
        );
    }

    let local = validate_local(local)?;
    let (domain_unicode, ascii_domain) = validate_domain(domain)?;

    let normalized = format!("{local}@{domain_unicode}");
    // The reference checks three spellings, in UTF-8 bytes: as given, normalized, and with the
    // domain in ASCII form (what a mail system without SMTPUTF8 would transmit).
    for (form, len) in [
        ("", raw.len()),
        (" after normalization", normalized.len()),
        (
            " with the domain in ASCII form",
            local.len() + 1 + ascii_domain.len(),
        ),
    ] {
        if len > EMAIL_MAX_LENGTH {
            return reject(
                "too_long",
                format!(
                    "the address has {len} bytes{form}; at most {EMAIL_MAX_LENGTH} are allowed"
                ),
            );
        }
    }
    Ok(Parsed {
        local,
        domain: domain_unicode,
        ascii_domain,
        normalized,
    })
}

/// Unsafe characters wherever they are: the local part and the domain both reject them
/// (a combining mark is only unsafe first in either part, which `validate_*` reports).
fn unsafe_chars_anywhere(s: &str) -> Vec<char> {
    s.chars()
        .filter(|&c| matches!(unicode::gc_class(c), GcClass::Space | GcClass::Other))
        .collect()
}

/// The local part: dot-atom, SMTPUTF8 allowed, at most 64 characters, NFC, RFC 2142 names
/// lowercased.
fn validate_local(local: &str) -> Result<String, Rejection> {
    let ascii = check_local(local, "")?;
    let nfc: String = local.nfc().collect();
    let ascii = if nfc != local {
        check_local(&nfc, " after Unicode normalization")?
    } else {
        ascii
    };
    if ascii && CASE_INSENSITIVE_MAILBOX_NAMES.contains(&nfc.to_ascii_lowercase().as_str()) {
        return Ok(nfc.to_ascii_lowercase());
    }
    Ok(nfc)
}

/// One pass of the local-part rules; `Ok(true)` when the local part is plain ASCII.
fn check_local(local: &str, when: &str) -> Result<bool, Rejection> {
    let n = local.chars().count();
    if n > LOCAL_PART_MAX_LENGTH {
        return reject(
            "local_part_too_long",
            format!(
                "the part before the @ has {n} characters{when}; at most {LOCAL_PART_MAX_LENGTH} are allowed"
            ),
        );
    }
    if is_dot_atom(local, is_atext_ascii) {
        return Ok(true);
    }
    if is_dot_atom(local, is_atext_intl) {
        let bad = unsafe_chars(local);
        if !bad.is_empty() {
            return reject(
                "local_part_unsafe_character",
                format!(
                    "the part before the @ contains unsafe characters{when}: {}",
                    list_chars(bad)
                ),
            );
        }
        return Ok(false);
    }
    let bad: Vec<char> = local
        .chars()
        .filter(|&c| c != '.' && !is_atext_intl(c))
        .collect();
    if !bad.is_empty() {
        return reject(
            "local_part_invalid_character",
            format!(
                "the part before the @ contains characters not allowed there{when}: {}",
                list_chars(bad)
            ),
        );
    }
    if local.starts_with('.') {
        return reject(
            "local_part_leading_dot",
            format!("the address starts with a dot{when}"),
        );
    }
    if local.ends_with('.') {
        return reject(
            "local_part_trailing_dot",
            format!("the part before the @ ends with a dot{when}"),
        );
    }
    reject(
        "local_part_consecutive_dots",
        format!("the part before the @ has two dots in a row{when}"),
    )
}

/// The domain: returns (Unicode form, ASCII form).
fn validate_domain(domain: &str) -> Result<(String, String), Rejection> {
    let n = domain.chars().count();
    if n > DOMAIN_MAX_LENGTH {
        return reject(
            "domain_too_long",
            format!(
                "the part after the @ has {n} characters; at most {DOMAIN_MAX_LENGTH} are allowed"
            ),
        );
    }
    let bad: Vec<char> = domain.chars().filter(|&c| !is_hostname_intl(c)).collect();
    if !bad.is_empty() {
        return reject(
            "domain_invalid_character",
            format!(
                "the part after the @ contains characters not allowed in a domain name: {}",
                list_chars(bad)
            ),
        );
    }
    let bad = unsafe_chars(domain);
    if !bad.is_empty() {
        return reject(
            "domain_unsafe_character",
            format!(
                "the part after the @ contains unsafe characters: {}",
                list_chars(bad)
            ),
        );
    }
    // Characters whose decomposition holds a full stop (`⒈`, `…`) would invent labels; the
    // fullwidth full stop is the one such character UTS #46 legitimately maps to '.'.
    let bad: Vec<char> = domain
        .chars()
        .filter(|&c| c != '\u{FF0E}' && unicode::decomposes_to_dot(c))
        .collect();
    if !bad.is_empty() {
        return reject(
            "domain_invalid_character",
            format!(
                "the part after the @ contains characters not allowed in a domain name: {}",
                list_chars(bad)
            ),
        );
    }
    let mapped = match idna2008::uts46_remap(domain) {
        Ok(m) => m,
        Err(c) => {
            return reject(
                "domain_invalid_character",
                format!(
                    "the part after the @ contains a character not allowed in a domain name: {}",
                    display_char(c)
                ),
            );
        }
    };
    let bad: Vec<char> = mapped.chars().filter(|&c| !is_hostname_intl(c)).collect();
    if !bad.is_empty() {
        return reject(
            "domain_invalid_character",
            format!(
                "the part after the @ contains characters not allowed in a domain name after Unicode normalization: {}",
                list_chars(bad)
            ),
        );
    }
    check_domain_dots(&mapped)?;
    for label in mapped.split('.') {
        let c: Vec<char> = label.chars().take(4).collect();
        if c.len() == 4
            && c[2] == '-'
            && c[3] == '-'
            && !(c[0].eq_ignore_ascii_case(&'x') && c[1].eq_ignore_ascii_case(&'n'))
        {
            return reject(
                "domain_reserved_hyphens",
                format!(
                    "the domain label '{label}' has hyphens in the 3rd and 4th position, which only Punycode (xn--) labels may have"
                ),
            );
        }
    }

    let ascii = if is_ldh_hostname(&mapped) {
        mapped
    } else {
        let mut labels = Vec::new();
        for label in mapped.split('.') {
            match idna2008::alabel(label) {
                Ok(a) => labels.push(a),
                Err(e) => {
                    return reject(
                        "domain_invalid_idna",
                        format!(
                            "the part after the @ is not a valid international domain name ({})",
                            e.0
                        ),
                    );
                }
            }
        }
        let ascii = labels.join(".");
        if !is_ldh_hostname(&ascii) {
            return reject(
                "domain_invalid_character",
                "the part after the @ contains characters not allowed in a domain name after IDNA encoding",
            );
        }
        ascii
    };

    if ascii.len() > DOMAIN_MAX_LENGTH {
        return reject(
            "domain_too_long",
            format!(
                "the part after the @ has {} characters in ASCII (IDNA) form; at most {DOMAIN_MAX_LENGTH} are allowed",
                ascii.len()
            ),
        );
    }
    if let Some(label) = ascii.split('.').find(|l| l.len() > LABEL_MAX_LENGTH) {
        return reject(
            "domain_label_too_long",
            format!(
                "a part of the domain between dots has {} characters; at most {LABEL_MAX_LENGTH} are allowed",
                label.len()
            ),
        );
    }
    if !ascii.contains('.') {
        return reject(
            "domain_no_dot",
            "the part after the @ has no dot; a domain like example.com is required",
        );
    }
    if !ascii.ends_with(|c: char| c.is_ascii_alphabetic()) {
        return reject(
            "domain_invalid_tld",
            "the part after the @ does not end in a valid top-level domain",
        );
    }
    for d in SPECIAL_USE_DOMAIN_NAMES {
        if ascii == d
            || ascii
                .strip_suffix(d)
                .is_some_and(|rest| rest.ends_with('.'))
        {
            return reject(
                "domain_special_use",
                format!("the domain is under .{d}, a special-use name that cannot receive mail"),
            );
        }
    }

    if !ascii.contains("xn--") {
        return Ok((ascii.clone(), ascii));
    }
    // An ASCII domain with Punycode labels must be real IDNA; its Unicode form is the
    // canonical one and is what the normalized address shows.
    let unicode_domain = match idna2008::decode(&ascii) {
        Ok(u) => u,
        Err(e) => {
            return reject(
                "domain_invalid_idna",
                format!("the part after the @ is not valid IDNA ({})", e.0),
            );
        }
    };
    let bad: Vec<char> = unicode_domain
        .chars()
        .filter(|&c| !is_hostname_intl(c))
        .collect();
    if !bad.is_empty() {
        return reject(
            "domain_invalid_character",
            format!(
                "the part after the @ contains characters not allowed in a domain name: {}",
                list_chars(bad)
            ),
        );
    }
    let bad = unsafe_chars(&unicode_domain);
    if !bad.is_empty() {
        return reject(
            "domain_unsafe_character",
            format!(
                "the part after the @ contains unsafe characters: {}",
                list_chars(bad)
            ),
        );
    }
    // RFC 5893: once any label is right-to-left, the Bidi Rule applies to every label, so that
    // `1.אב.com` cannot pass for `אב.1.com`.
    if unicode_domain
        .chars()
        .any(|c| matches!(unicode::bidi_class(c), "R" | "AL" | "AN"))
    {
        for label in unicode_domain.split('.') {
            if let Err(e) = idna2008::check_bidi(label, true) {
                return reject(
                    "domain_invalid_idna",
                    format!("the part after the @ is not valid IDNA ({})", e.0),
                );
            }
        }
    }
    if let Err(e) = idna2008::encode(&unicode_domain) {
        return reject(
            "domain_invalid_idna",
            format!(
                "the part after the @ became invalid after normalizing to international characters ({})",
                e.0
            ),
        );
    }
    Ok((unicode_domain, ascii))
}

fn check_domain_dots(domain: &str) -> Result<(), Rejection> {
    if domain.ends_with('.') {
        return reject("domain_trailing_dot", "the address ends with a dot");
    }
    if domain.starts_with('.') {
        return reject(
            "domain_leading_dot",
            "the part after the @ starts with a dot",
        );
    }
    if domain.contains("..") {
        return reject(
            "domain_consecutive_dots",
            "the part after the @ has two dots in a row",
        );
    }
    if domain.ends_with('-')
        || domain.starts_with('-')
        || domain.contains(".-")
        || domain.contains("-.")
    {
        return reject(
            "domain_label_hyphen",
            "a part of the domain starts or ends with a hyphen",
        );
    }
    Ok(())
}
