//! Mail-authentication verdicts of an inbound message from its own headers, trusted only
//! where the deployment's receiving host wrote them.
//!
//! Anyone can write `Authentication-Results: mx.example; spf=pass; dkim=pass; dmarc=pass`
//! into a message. RFC 8601 §5 has the receiving host delete headers that claim its own
//! authserv-id, so a header is believed only when its authserv-id is the configured
//! `[inbound] receiving_host`, and only the topmost such header (the one that host added last).
//! The same host's topmost `Received:` header names the connecting IP and HELO name that SPF
//! needs. Everything else in the headers is ignored.

use crate::stages::{AuthVerdicts, Verdict};
use std::net::IpAddr;

/// The verdicts of the topmost `Authentication-Results` header whose authserv-id is
/// `receiving_host` (headers in message order, unfolded). No receiving host, or no such
/// header: no verdicts.
pub fn trusted_results(headers: &[String], receiving_host: &str) -> AuthVerdicts {
    let host = receiving_host.trim();
    if host.is_empty() {
        return AuthVerdicts::default();
    }
    let Some(results) = headers
        .iter()
        .map(|h| parse_results(h))
        .find(|r| r.authserv_id.eq_ignore_ascii_case(host))
    else {
        return AuthVerdicts::default();
    };
    let of = |method: &str| {
        let found: Vec<Verdict> = results
            .methods
            .iter()
            .filter(|(m, _)| m == method)
            .map(|(_, v)| *v)
            .collect();
        combine_same(&found)
    };
    AuthVerdicts {
        spf: of("spf"),
        dkim: of("dkim"),
        dmarc: of("dmarc"),
        arc: of("arc"),
        spam: None,
        virus: None,
    }
}

/// One check's verdicts from several results of the same method (several DKIM signatures):
/// one pass is enough, a failure counts only when nothing passed.
fn combine_same(found: &[Verdict]) -> Option<Verdict> {
    if found.is_empty() {
        None
    } else if found.contains(&Verdict::Pass) {
        Some(Verdict::Pass)
    } else if found.contains(&Verdict::Fail) {
        Some(Verdict::Fail)
    } else {
        Some(Verdict::Gray)
    }
}

/// Verdicts from two sources about the same message (the receiving system's, and a check of
/// our own): a failure in either is a failure, then a pass, then an undecided check.
pub fn combine(a: &AuthVerdicts, b: &AuthVerdicts) -> AuthVerdicts {
    let one = |x: Option<Verdict>, y: Option<Verdict>| match (x, y) {
        (Some(Verdict::Fail), _) | (_, Some(Verdict::Fail)) => Some(Verdict::Fail),
        (Some(Verdict::Pass), _) | (_, Some(Verdict::Pass)) => Some(Verdict::Pass),
        (Some(v), _) | (None, Some(v)) => Some(v),
        (None, None) => None,
    };
    AuthVerdicts {
        spf: one(a.spf, b.spf),
        dkim: one(a.dkim, b.dkim),
        dmarc: one(a.dmarc, b.dmarc),
        arc: one(a.arc, b.arc),
        spam: one(a.spam, b.spam),
        virus: one(a.virus, b.virus),
    }
}

struct Results {
    authserv_id: String,
    methods: Vec<(String, Verdict)>,
}

/// RFC 8601 `authserv-id [version] ; method=result … ; …` with comments removed.
fn parse_results(value: &str) -> Results {
    let clean = strip_comments(value);
    let mut parts = clean.split(';');
    let authserv_id = parts
        .next()
        .and_then(|p| p.split_whitespace().next())
        .unwrap_or("")
        .to_string();
    let methods = parts
        .filter_map(|p| {
            let first = p.split_whitespace().next()?;
            let (method, result) = first.split_once('=')?;
            let method = method
                .split('/')
                .next()
                .unwrap_or(method)
                .to_ascii_lowercase();
            Some((method, verdict_of(result)))
        })
        .collect();
    Results {
        authserv_id,
        methods,
    }
}

/// RFC 8601 result words. `softfail`, `neutral`, errors and `policy` decide nothing: only an
/// explicit failure blocks, only a pass passes.
fn verdict_of(result: &str) -> Verdict {
    match result.trim().to_ascii_lowercase().as_str() {
        "pass" => Verdict::Pass,
        "fail" | "hardfail" => Verdict::Fail,
        _ => Verdict::Gray,
    }
}

/// The text without RFC 5322 comments (parenthesised, nestable, with `\` escapes) and quotes
/// kept as they are.
fn strip_comments(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut depth = 0usize;
    let mut quoted = false;
    let mut escaped = false;
    for c in value.chars() {
        if escaped {
            escaped = false;
            if depth == 0 {
                out.push(c);
            }
            continue;
        }
        match c {
            '\\' => {
                escaped = true;
                if depth == 0 {
                    out.push(c);
                }
            }
            '"' if depth == 0 => {
                quoted = !quoted;
                out.push(c);
            }
            '(' if !quoted => depth += 1,
            ')' if !quoted && depth > 0 => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// What the receiving host recorded about the connection a message came in on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    pub ip: IpAddr,
    /// The name the client gave in HELO/EHLO (empty when the header names none).
    pub helo: String,
}

/// The connecting client of the topmost `Received:` header written `by` `receiving_host`
/// (headers in message order, unfolded). Headers above it were added later by hosts of the
/// deployment's own; headers below it were written by the sender's side and prove nothing.
pub fn connection(received: &[String], receiving_host: &str) -> Option<Connection> {
    let host = receiving_host.trim();
    if host.is_empty() {
        return None;
    }
    let header = received.iter().find(|h| {
        let clean = strip_comments(h);
        word_after(&clean, "by").is_some_and(|by| by.eq_ignore_ascii_case(host))
    })?;
    let clean = strip_comments(header);
    let helo = word_after(&clean, "from").unwrap_or_default();
    // The IP is in the comment after `from` ("(client.example [203.0.113.5])"), which the
    // receiving host wrote from the socket, not from what the client said.
    let ip = header
        .split('[')
        .skip(1)
        .filter_map(|rest| rest.split(']').next())
        .find_map(|inside| {
            let inside = inside.trim();
            let inside = inside
                .strip_prefix("IPv6:")
                .or_else(|| inside.strip_prefix("ipv6:"))
                .unwrap_or(inside);
            inside.parse::<IpAddr>().ok()
        })?;
    Some(Connection { ip, helo })
}

fn word_after(text: &str, keyword: &str) -> Option<String> {
    let mut words = text.split_whitespace();
    while let Some(w) = words.next() {
        if w.eq_ignore_ascii_case(keyword) {
            return words
                .next()
                .map(|w| w.trim_end_matches(';').to_ascii_lowercase());
        }
    }
    None
}

/// The values of every header field `name` in the header block of `raw` (up to the first
/// empty line), unfolded, in message order. Reads at most the first 256 KiB.
pub fn header_values(raw: &[u8], name: &str) -> Vec<String> {
    let head = &raw[..raw.len().min(256 * 1024)];
    let text = String::from_utf8_lossy(head);
    let mut out: Vec<String> = Vec::new();
    let mut current: Option<String> = None;
    for line in text.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            if let Some(c) = current.as_mut() {
                c.push(' ');
                c.push_str(line.trim());
            }
            continue;
        }
        if let Some(done) = current.take() {
            out.push(done);
        }
        if let Some((n, v)) = line.split_once(':')
            && n.trim().eq_ignore_ascii_case(name)
        {
            current = Some(v.trim().to_string());
        }
    }
    if let Some(done) = current {
        out.push(done);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_receiving_hosts_topmost_header_is_believed() {
        let headers = vec![
            "mx.agent.example; spf=fail smtp.mailfrom=x.example; dkim=pass header.d=x.example; dmarc=fail".to_string(),
            "mx.agent.example; spf=pass; dkim=pass; dmarc=pass".to_string(),
        ];
        let v = trusted_results(&headers, "mx.agent.example");
        assert_eq!(v.spf, Some(Verdict::Fail));
        assert_eq!(v.dkim, Some(Verdict::Pass));
        assert_eq!(v.dmarc, Some(Verdict::Fail));
        assert!(!v.passed());
        assert_eq!(trusted_results(&headers, ""), AuthVerdicts::default());
        assert_eq!(
            trusted_results(&headers, "mx.other.example"),
            AuthVerdicts::default()
        );
    }

    #[test]
    fn comments_versions_and_several_signatures_are_read() {
        let headers = vec![
            "MX.Agent.Example 1 (the receiving host); dkim=fail (bad sig) header.d=a.example; \
             dkim=pass header.d=b.example; spf/1=softfail; dmarc=pass (p=reject)"
                .to_string(),
        ];
        let v = trusted_results(&headers, "mx.agent.example");
        assert_eq!(v.dkim, Some(Verdict::Pass));
        assert_eq!(v.spf, Some(Verdict::Gray));
        assert_eq!(v.dmarc, Some(Verdict::Pass));
        assert!(v.passed());
    }

    #[test]
    fn a_failure_from_either_source_fails() {
        let pass = AuthVerdicts {
            dkim: Some(Verdict::Pass),
            ..Default::default()
        };
        let fail = AuthVerdicts {
            dkim: Some(Verdict::Fail),
            spf: Some(Verdict::Pass),
            ..Default::default()
        };
        let both = combine(&pass, &fail);
        assert_eq!(both.dkim, Some(Verdict::Fail));
        assert_eq!(both.spf, Some(Verdict::Pass));
        assert_eq!(combine(&pass, &AuthVerdicts::default()), pass);
    }

    #[test]
    fn the_connection_comes_from_the_receiving_hosts_received_header() {
        let received = vec![
            "from mx.agent.example (localhost [127.0.0.1]) by relay.agent.example; Fri, 20 Nov 2026 08:00:02 +0000".to_string(),
            "from mail.customer.example (mail.customer.example [203.0.113.5]) by mx.agent.example (Postfix) with ESMTPS id 1; Fri, 20 Nov 2026 08:00:01 +0000".to_string(),
            "from forged (forged [198.51.100.9]) by mx.agent.example; Fri, 20 Nov 2026 08:00:00 +0000".to_string(),
        ];
        let c = connection(&received, "mx.agent.example").unwrap();
        assert_eq!(c.ip, "203.0.113.5".parse::<IpAddr>().unwrap());
        assert_eq!(c.helo, "mail.customer.example");
        let v6 = vec![
            "from h.example (h.example [IPv6:2001:db8::1]) by mx.agent.example; x".to_string(),
        ];
        assert_eq!(
            connection(&v6, "mx.agent.example").unwrap().ip,
            "2001:db8::1".parse::<IpAddr>().unwrap()
        );
        assert_eq!(connection(&received, ""), None);
        assert_eq!(connection(&received, "elsewhere.example"), None);
    }

    #[test]
    fn header_values_are_unfolded_and_stop_at_the_body() {
        let raw = b"Received: from a\r\n  by b; x\r\nSubject: s\r\nreceived: second\r\n\r\nReceived: in the body\r\n";
        assert_eq!(
            header_values(raw, "Received"),
            vec!["from a by b; x".to_string(), "second".to_string()]
        );
    }
}
