//! The `Resolver` contract.
//!
//! A resolver that checks is tested against a name server that answers [`resolver_zones`]
//! (the test starts `crate::dns_server` with them and points the resolver at it); a
//! resolver that checks nothing is tested with [`resolver_off`].

use crate::dns_server::{Zone, name};
use hickory_proto::rr::rdata::{A, AAAA, MX, TXT};
use hickory_proto::rr::{RData, RecordType};
use sqa_core::agents::email::{DOMAIN_NOT_FOUND, NO_MAIL_SERVER, NULL_MX, SPF_REJECT_ALL};
use sqa_core::domain::Deliverability;
use sqa_core::ports::Resolver;
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// The zones a checking resolver must see (names without the trailing dot).
pub fn resolver_zones() -> HashMap<String, Zone> {
    let mx = |pref: u16, host: &str| (RecordType::MX, RData::MX(MX::new(pref, name(host))));
    let a = |o: [u8; 4]| (RecordType::A, RData::A(A::new(o[0], o[1], o[2], o[3])));
    let aaaa = |s: &str| {
        let ip: std::net::Ipv6Addr = s.parse().unwrap_or_else(|e| panic!("{s}: {e}"));
        (RecordType::AAAA, RData::AAAA(AAAA::from(ip)))
    };
    let txt = |s: &str| (RecordType::TXT, RData::TXT(TXT::new(vec![s.to_string()])));
    HashMap::from([
        (
            "mx.contract.test".into(),
            Zone::Records(vec![
                mx(20, "backup.mx.contract.test."),
                mx(10, "primary.mx.contract.test."),
                a([93, 184, 215, 20]),
            ]),
        ),
        (
            "a-only.contract.test".into(),
            Zone::Records(vec![a([93, 184, 215, 14])]),
        ),
        (
            "aaaa-only.contract.test".into(),
            Zone::Records(vec![aaaa("2a00:1450:4001::1")]),
        ),
        (
            "null-mx.contract.test".into(),
            Zone::Records(vec![mx(0, "."), a([93, 184, 215, 16])]),
        ),
        (
            "private-a.contract.test".into(),
            Zone::Records(vec![a([10, 0, 0, 7]), a([127, 0, 0, 1])]),
        ),
        ("empty.contract.test".into(), Zone::Records(vec![])),
        (
            "no-mail.contract.test".into(),
            Zone::Records(vec![a([93, 184, 215, 15]), txt("v=spf1 -all")]),
        ),
        ("servfail.contract.test".into(), Zone::ServFail),
        ("silent.contract.test".into(), Zone::Silent),
    ])
}

fn reason(d: &Deliverability) -> Option<&str> {
    match d {
        Deliverability::Undeliverable { reason, .. } => Some(reason),
        _ => None,
    }
}

/// Checks every MUST of a checking `Resolver` that asks a name server answering
/// [`resolver_zones`]; `deadline` is the longest one answer may take (its timeout included).
pub async fn resolver(r: &dyn Resolver, deadline: Duration) {
    let mx = r.deliverability("mx.contract.test").await;
    match &mx {
        Deliverability::Deliverable { via } => assert!(
            via.contains("primary.mx.contract.test") && !via.contains("backup"),
            "Deliverable MUST name the most preferred MX host, got {via:?}"
        ),
        other => panic!("a domain with MX records MUST be Deliverable, got {other:?}"),
    }
    for domain in ["MX.Contract.Test", "mx.contract.test."] {
        assert_eq!(
            r.deliverability(domain).await,
            mx,
            "case and a trailing dot MUST NOT matter ({domain})"
        );
    }
    for (domain, record) in [
        ("a-only.contract.test", "A"),
        ("aaaa-only.contract.test", "AAAA"),
    ] {
        match r.deliverability(domain).await {
            Deliverability::Deliverable { via } => assert!(
                via.starts_with(record),
                "without MX, Deliverable MUST name the address record type ({domain}: {via:?})"
            ),
            other => panic!(
                "{domain} has no MX but a public {record} record: MUST be Deliverable, got {other:?}"
            ),
        }
    }
    for (domain, want, why) in [
        (
            "null-mx.contract.test",
            NULL_MX,
            "a null MX, whatever address records exist",
        ),
        ("nxdomain.contract.test", DOMAIN_NOT_FOUND, "NXDOMAIN"),
        (
            "private-a.contract.test",
            NO_MAIL_SERVER,
            "no MX and only private or loopback addresses",
        ),
        (
            "empty.contract.test",
            NO_MAIL_SERVER,
            "no MX and no address",
        ),
        (
            "no-mail.contract.test",
            SPF_REJECT_ALL,
            "no MX and SPF v=spf1 -all",
        ),
    ] {
        let got = r.deliverability(domain).await;
        assert_eq!(
            reason(&got),
            Some(want),
            "{why} MUST be Undeliverable with reason {want} ({domain}: {got:?})"
        );
    }
    for domain in ["servfail.contract.test", "silent.contract.test"] {
        let started = Instant::now();
        let got = r.deliverability(domain).await;
        assert!(
            matches!(got, Deliverability::Unknown { .. }),
            "a server failure or timeout MUST be Unknown, never Undeliverable ({domain}: {got:?})"
        );
        assert!(
            started.elapsed() <= deadline,
            "an answer MUST come within the resolver's deadline ({domain} took {:?})",
            started.elapsed()
        );
    }
    // Hostile input: an answer, never a panic.
    for odd in [
        "",
        ".",
        "..",
        "-",
        &"a".repeat(300),
        "xn--",
        "a..b",
        "ünïcödé.test",
    ] {
        let started = Instant::now();
        let got = r.deliverability(odd).await;
        assert!(
            !matches!(got, Deliverability::Deliverable { .. }),
            "{odd:?} is no mail domain, yet came back {got:?}"
        );
        assert!(
            started.elapsed() <= deadline,
            "{odd:?} took {:?}",
            started.elapsed()
        );
    }
}

/// Checks a `Resolver` that checks nothing: `NotChecked` for every domain, at once.
pub async fn resolver_off(r: &dyn Resolver) {
    for domain in ["mx.contract.test", "nxdomain.contract.test", "", "ünïcödé"] {
        let started = Instant::now();
        assert_eq!(
            r.deliverability(domain).await,
            Deliverability::NotChecked,
            "a resolver that checks nothing MUST answer NotChecked ({domain:?})"
        );
        assert!(started.elapsed() < Duration::from_millis(100));
    }
}
