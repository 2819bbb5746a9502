//! Which pages to read: same-site links, their priority, canonical paths.

use super::*;

/// The robots.txt product token from a full user agent (`LumoraSQA/1.0 (+https://…)`).
pub(super) fn product_token(user_agent: &str) -> String {
    let token: String = user_agent
        .trim()
        .split(|c: char| c == '/' || c.is_whitespace())
        .next()
        .unwrap_or("")
        .chars()
        .filter(|c| c.is_ascii_alphabetic() || *c == '_' || *c == '-')
        .collect();
    if token.is_empty() {
        USER_AGENT_TOKEN.to_string()
    } else {
        token
    }
}

pub(super) fn push_unique(list: &mut Vec<String>, item: String) {
    if !list.contains(&item) {
        list.push(item);
    }
}

pub(super) fn truncate(s: &str, max_chars: usize) -> String {
    s.chars().take(max_chars).collect()
}

pub(super) fn fingerprint(s: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    s.hash(&mut h);
    h.finish()
}

pub(super) fn canonical_path(path: &str) -> String {
    let p = path.split(['?', '#']).next().unwrap_or(path);
    for index in ["/index.html", "/index.htm", "/index.php"] {
        if let Some(dir) = p.strip_suffix(index) {
            return format!("{dir}/");
        }
    }
    p.to_string()
}

pub(super) fn looks_like_html(content_type: Option<&str>, body: &str) -> bool {
    match content_type.map(|c| c.to_ascii_lowercase()) {
        Some(ct) if ct.contains("html") || ct.contains("xml") => true,
        Some(ct)
            if ct.starts_with("text/plain")
                || ct.starts_with("application/octet-stream")
                || ct.is_empty() =>
        {
            let head: String = body.chars().take(512).collect::<String>().to_lowercase();
            head.contains("<html") || head.contains("<!doctype html") || head.contains("<body")
        }
        Some(_) => false,
        None => true,
    }
}

/// The path (with query) of `url` when it is on `domain` (or `www.` / another subdomain of
/// it) over http(s); `None` for other sites and other schemes.
pub(super) fn same_site_path(url: &str, domain: &str) -> Option<String> {
    let parsed = Url::parse(url).ok()?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return None;
    }
    let host = parsed
        .host_str()?
        .trim_end_matches('.')
        .to_ascii_lowercase();
    let same = host == domain || host.ends_with(&format!(".{domain}"));
    if !same {
        return None;
    }
    let mut path = parsed.path().to_string();
    if path.is_empty() {
        path.push('/');
    }
    if let Some(q) = parsed.query() {
        path.push('?');
        path.push_str(q);
    }
    Some(path)
}

/// How much a link from the home page is worth reading; `None` for pages that never hold
/// company facts (legal pages, accounts, carts, files).
pub(super) fn link_priority(path: &str, anchor: &str) -> Option<u32> {
    pattern!(
        SKIP_EXT,
        r"(?i)\.(css|js|mjs|json|xml|rss|atom|png|jpe?g|gif|svg|webp|ico|avif|bmp|pdf|zip|gz|tar|mp3|mp4|webm|mov|woff2?|ttf|eot|txt|csv|xlsx?|docx?|pptx?)$"
    );
    pattern!(
        SKIP,
        r"(?xi)
                (
                    privacy
                  | imprint
                  | impressum
                  | legal
                  | terms
                  | cookie
                  | gdpr
                  | login
                  | log-in
                  | signin
                  | sign-in
                  | signup
                  | sign-up
                  | register
                  | cart
                  | basket
                  | checkout
                  | account
                  | password
                  | search
                  | wp-admin
                  | wp-login
                  | /feed
                  | /tag/
                  | /category/
                  | cdn-cgi
                  | unsubscribe
                  | /cgi-bin/
                  | /api/
                  | /assets?/
                  | /static/
                  | /shop/
                  | /products?/[^/]+/
                )
            "
    );
    pattern!(
        HIGH,
        r"(?i)(about|company|who-?we-?are|our-?story|story|team|leadership|management|history|mission|über-?uns|uber-?uns|a-propos|om-?oss|over-?ons)"
    );
    pattern!(
        NEWS,
        r"(?i)(news|press|media|newsroom|blog|updates|careers|jobs|join-?us|work-?with-?us)"
    );
    pattern!(
        MID,
        r"(?i)(products|solutions|services|platform|technology|customers|investors|locations|contact)"
    );
    let p = path.split(['?', '#']).next().unwrap_or(path);
    if SKIP_EXT.is_match(p) || SKIP.is_match(p) {
        return None;
    }
    let hay = format!("{p} {anchor}");
    Some(if HIGH.is_match(&hay) {
        5
    } else if NEWS.is_match(&hay) {
        3
    } else if MID.is_match(&hay) {
        2
    } else {
        1
    })
}
