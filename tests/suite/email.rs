//! Tests: the email validation agent.
//!
//! - the shared address vectors (`../shared/data/emails/addresses.jsonl`) all agree;
//! - the README §4.2 floor lists are covered by the shipped lists;
//! - a differential run against python email-validator (the policy's reference) over thousands
//!   of mutated addresses, with deliberate differences listed in
//!   `tests/fixtures/email-deliberate-differences.jsonl`;
//! - deliverability against a DNS server on 127.0.0.1 that the test runs;
//! - hostile input and a bounded property test.

#[path = "email_mutations.rs"]
pub(crate) mod mutations;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hickory_proto::rr::rdata::{A, MX, TXT};
use hickory_proto::rr::{RData, RecordType};
use proptest::prelude::*;
use sqa_core::agents::email::{self, ErrorCategory};
use sqa_core::config::Validation;
use sqa_core::domain::{Deliverability, EmailKind};
use sqa_tests::dns_server::{TestDns, Zone, name, start_dns};

fn kind_str(k: Option<EmailKind>) -> Option<&'static str> {
    k.map(EmailKind::as_str)
}

#[test]
fn email_check_agrees_with_every_shared_vector() {
    let Some(dir) = sqa_tests::shared_data() else {
        return;
    };
    let text = std::fs::read_to_string(dir.join("emails/addresses.jsonl"))
        .unwrap_or_else(|e| panic!("cannot read addresses.jsonl: {e}"));
    let mut total = 0;
    let mut disagreements = Vec::new();
    for (i, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let v: serde_json::Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("addresses.jsonl line {}: {e}", i + 1));
        let address = v["address"].as_str().unwrap_or_default();
        let expected = (
            v["valid"].as_bool(),
            v["kind"].as_str(),
            v["normalized"].as_str(),
        );
        let c = email::check(address);
        let got = (Some(c.valid), kind_str(c.kind), c.normalized.as_deref());
        total += 1;
        if got != expected {
            disagreements.push(format!(
                "  line {}: {address:?}: expected {expected:?}, got {got:?} ({:?})",
                i + 1,
                c.reason
            ));
        }
    }
    println!(
        "email vectors: {}/{total} agree",
        total - disagreements.len()
    );
    assert!(total > 100, "only {total} vectors");
    assert!(
        disagreements.is_empty(),
        "disagreements:\n{}",
        disagreements.join("\n")
    );
}

/// The backticked names of one numbered line of README §4.2 (e.g. "1. `disposable`: …").
fn readme_list(readme: &str, marker: &str) -> Vec<String> {
    let line = readme
        .lines()
        .find(|l| l.trim_start().starts_with(marker))
        .unwrap_or_else(|| panic!("README has no line starting with {marker}"));
    line.split('`')
        .skip(1)
        .step_by(2)
        .skip(1) // the kind's own name
        .filter(|item| !item.starts_with('+')) // "`+tag` removed" is prose, not a list item
        .map(str::to_string)
        .collect()
}

#[test]
fn shipped_lists_cover_the_readme_floor_lists() {
    let Some(dir) = sqa_tests::shared_data() else {
        return;
    };
    let readme = std::fs::read_to_string(dir.join("README.md"))
        .unwrap_or_else(|e| panic!("cannot read README.md: {e}"));
    let disposable = readme_list(&readme, "1. `disposable`");
    let role = readme_list(&readme, "2. `role`");
    let personal = readme_list(&readme, "3. `personal`");
    assert!(disposable.len() >= 20 && role.len() >= 25 && personal.len() >= 50);
    for d in &disposable {
        assert!(email::is_disposable_domain(d), "{d} should be disposable");
        assert_eq!(email::classify("jane", d), EmailKind::Disposable, "{d}");
    }
    for r in &role {
        assert!(email::is_role_local_part(r), "{r} should be a role");
        assert_eq!(
            email::classify(&format!("{r}+x"), "acme.example"),
            EmailKind::Role
        );
    }
    for p in &personal {
        assert!(email::is_personal_domain(p), "{p} should be personal");
        assert_eq!(email::classify("jane", p), EmailKind::Personal, "{p}");
    }
    let (nd, np, nr) = email::list_sizes();
    println!("email lists: {nd} disposable, {np} personal, {nr} role");
    assert!(nd > 8000 && np > 5000, "the public lists look truncated");
}

// ---- differential test against python email-validator ----

#[derive(serde::Deserialize)]
struct Deliberate {
    address: String,
    reason: String,
}

fn deliberate_differences() -> HashMap<String, String> {
    let path =
        sqa_tests::workspace_root().join("tests/fixtures/email-deliberate-differences.jsonl");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v.get("address").is_some())
        .map(|v| {
            let d: Deliberate = serde_json::from_value(v)
                .unwrap_or_else(|e| panic!("bad entry in {}: {e}", path.display()));
            assert!(
                !d.reason.trim().is_empty(),
                "{:?} needs a reason",
                d.address
            );
            (d.address, d.reason)
        })
        .collect()
}

#[test]
fn email_check_agrees_with_python_email_validator() {
    let root = sqa_tests::workspace_root();
    let Some(python) = mutations::reference_python(&root) else {
        if std::env::var_os("CI").is_some() {
            panic!(
                "python email-validator is missing at {}/.venv (the test command installs it); CI must have it",
                root.display()
            );
        }
        eprintln!("note: skipped, python email-validator is not installed in .venv");
        return;
    };
    let seeds = mutations::seeds(sqa_tests::shared_data().as_deref());
    // 6,000 keeps the run to seconds; SQA_EMAIL_DIFF_N=200000 (and SQA_EMAIL_DIFF_SEED) for a
    // deeper local run.
    let n = std::env::var("SQA_EMAIL_DIFF_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(6000);
    let seed = std::env::var("SQA_EMAIL_DIFF_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x5EED_0004);
    let addrs = mutations::corpus(&seeds, n, seed);
    let lines = mutations::run_python(&python, "check", &addrs)
        .unwrap_or_else(|e| panic!("python email-validator failed: {e:#}"));
    assert_eq!(
        lines.len(),
        addrs.len(),
        "python answered a different number of lines"
    );
    let allowed = deliberate_differences();
    let mut differ = 0;
    let mut unexplained = Vec::new();
    let mut valid = 0;
    for (addr, line) in addrs.iter().zip(&lines) {
        let v: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("bad python line {line}: {e}"));
        let c = email::check(addr);
        valid += usize::from(c.valid);
        let py_valid = v["valid"].as_bool();
        let py_norm = v["normalized"].as_str();
        if py_valid == Some(c.valid) && py_norm == c.normalized.as_deref() {
            continue;
        }
        differ += 1;
        let explained = allowed.get(addr.as_str());
        println!(
            "email differential: {addr:?}: python {py_valid:?} {py_norm:?} ({}), sqa {} {:?} ({:?}){}",
            v["error"].as_str().unwrap_or(""),
            c.valid,
            c.normalized,
            c.reason,
            explained
                .map(|r| format!(" [deliberate: {r}]"))
                .unwrap_or_default()
        );
        if explained.is_none() {
            unexplained.push(addr.clone());
        }
    }
    println!(
        "email differential: {}/{} agree with python email-validator ({valid} valid), {differ} differ, {} unexplained",
        addrs.len() - differ,
        addrs.len(),
        unexplained.len()
    );
    assert!(
        unexplained.is_empty(),
        "{} disagreements with python email-validator are not listed in tests/fixtures/email-deliberate-differences.jsonl: {unexplained:?}",
        unexplained.len()
    );
}

// ---- hostile input ----

#[test]
fn hostile_input_gets_a_verdict_and_a_reason() {
    let long = format!("{}@example.com", "a".repeat(10_000));
    let cases: Vec<(String, &str)> = vec![
        ("a\u{0000}b@example.com".into(), "unsafe_character"),
        ("a@exam\u{0007}ple.com".into(), "unsafe_character"),
        ("a\u{202E}moc.elpmaxe@x.example".into(), "unsafe_character"),
        (long, "too_long"),
        ("x".repeat(10_000), "too_long"),
        ("Jane Doe <jane@acme.example>".into(), "display_name"),
        ("\"Jane\" <jane@acme.example>".into(), "display_name"),
        ("jane@acme.example, joe@acme.example".into(), "whitespace"),
        ("jane@acme.example;joe@acme.example".into(), "multiple_at"),
        ("jane@acme.example\r\n".into(), "whitespace"),
        // Mixed scripts that break the IDNA Bidi Rule: Hebrew inside a Latin label, and a
        // digit-only label beside a right-to-left one (`1.אב.com` renders like `אב.1.com`).
        ("jane@aאb.example".into(), "domain_invalid_idna"),
        ("jane@1.אב.com".into(), "domain_invalid_idna"),
    ];
    for (raw, code) in &cases {
        let c = email::check(raw);
        assert!(!c.valid, "{raw:?} should be invalid");
        assert_eq!(c.reason.as_deref(), Some(*code), "{raw:?}");
        assert!(c.message.as_deref().is_some_and(|m| !m.is_empty()));
        assert!(email::category(code).is_some());
    }
    // Mixed Latin and Cyrillic is valid under the policy (IDNA 2008 has no script-mixing rule,
    // and email-validator accepts it); the verdict is stable and nothing panics.
    assert!(email::check("jаne@аcme.example").valid);
    assert!(email::check("王a@例子a.中国").valid);
}

#[test]
fn every_reason_code_has_a_description_and_category() {
    let codes = email::reason_codes();
    assert!(codes.len() >= 30);
    for r in codes {
        assert!(!r.description.is_empty(), "{}", r.code);
        assert!(r.code.chars().all(|c| c.is_ascii_lowercase() || c == '_'));
    }
    for cat in [
        ErrorCategory::Malformed,
        ErrorCategory::DomainInvalid,
        ErrorCategory::DomainDoesNotExist,
        ErrorCategory::DoesNotAcceptMail,
        ErrorCategory::Disposable,
        ErrorCategory::RoleAddress,
    ] {
        assert!(
            codes.iter().any(|r| r.category == cat),
            "{cat:?} has no code"
        );
    }
}

fn address_chars() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => prop::sample::select(vec!['a', 'b', 'z', 'A', '0', '9', '.', '-', '+', '_', '@']),
        2 => prop::sample::select(mutations::CHAR_POOL.to_vec()),
        1 => any::<char>(),
    ]
}

fn address_like() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec(address_chars(), 0..80).prop_map(|v| v.into_iter().collect()),
        (
            prop::collection::vec(address_chars(), 0..70),
            prop::collection::vec(address_chars(), 0..70),
            prop::sample::select(vec!["com", "example", "de", "xn--p1ai", "中国", "test"]),
        )
            .prop_map(|(l, d, tld)| {
                format!(
                    "{}@{}.{tld}",
                    l.into_iter().collect::<String>(),
                    d.into_iter().collect::<String>()
                )
            }),
    ]
}

proptest! {
    // Bounded and without a failure-persistence file, so it runs in seconds and leaves no state.
    #![proptest_config(ProptestConfig {
        cases: 3000,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn check_never_panics_and_keeps_its_invariants(raw in address_like()) {
        let c = email::check(&raw);
        prop_assert_eq!(&c.address, &raw);
        prop_assert_eq!(c.deliverability.clone(), Deliverability::NotChecked);
        if c.valid {
            prop_assert!(c.reason.is_none() && c.message.is_none());
            prop_assert!(raw.len() <= 254);
            let n = c.normalized.clone().unwrap_or_default();
            prop_assert!(c.kind.is_some());
            prop_assert_eq!(n.matches('@').count(), 1);
            let again = email::check(&n);
            prop_assert!(again.valid, "normalized {:?} of {:?} is invalid: {:?}", n, raw, again.reason);
            prop_assert_eq!(again.normalized.as_deref(), Some(n.as_str()));
            prop_assert_eq!(again.kind, c.kind);
        } else {
            prop_assert!(c.normalized.is_none() && c.kind.is_none());
            let code = c.reason.clone().unwrap_or_default();
            prop_assert!(email::category(&code).is_some(), "undocumented reason {}", code);
            prop_assert!(c.message.as_deref().is_some_and(|m| !m.is_empty()));
        }
    }
}

// ---- deliverability against a DNS server on 127.0.0.1 ----

fn test_zones() -> HashMap<String, Zone> {
    let mx = |pref: u16, host: &str| (RecordType::MX, RData::MX(MX::new(pref, name(host))));
    let a = |o: [u8; 4]| (RecordType::A, RData::A(A::new(o[0], o[1], o[2], o[3])));
    let txt = |s: &str| (RecordType::TXT, RData::TXT(TXT::new(vec![s.to_string()])));
    HashMap::from([
        (
            "mx.example".into(),
            Zone::Records(vec![
                mx(20, "backup.mx.example."),
                mx(10, "mail.mx.example."),
            ]),
        ),
        (
            "a-only.example".into(),
            Zone::Records(vec![a([93, 184, 215, 14])]),
        ),
        (
            "private-a.example".into(),
            Zone::Records(vec![a([10, 0, 0, 7])]),
        ),
        ("null-mx.example".into(), Zone::Records(vec![mx(0, ".")])),
        (
            "no-spf-mail.example".into(),
            Zone::Records(vec![a([93, 184, 215, 15]), txt("v=spf1 -all")]),
        ),
        ("servfail.example".into(), Zone::ServFail),
        ("silent.example".into(), Zone::Silent),
        ("empty.example".into(), Zone::Records(vec![])),
    ])
}

fn resolver_for(server: &TestDns, timeout_ms: u64) -> Arc<dyn sqa_core::ports::Resolver> {
    let v = Validation {
        dns: sqa_core::config::DnsSetting::Server(server.addr),
        dns_timeout_ms: timeout_ms,
    };
    email::resolver_from_config(&v).unwrap_or_else(|e| panic!("resolver_from_config: {e:#}"))
}

fn undeliverable_reason(d: &Deliverability) -> Option<&str> {
    match d {
        Deliverability::Undeliverable { reason, .. } => Some(reason),
        _ => None,
    }
}

#[tokio::test]
async fn deliverability_follows_mx_then_address_records() {
    let server = start_dns(test_zones()).await;
    let dns = resolver_for(&server, 500);

    let c = email::check_with_dns("jane@mx.example", dns.as_ref()).await;
    assert_eq!(
        c.deliverability,
        Deliverability::Deliverable {
            via: "MX mail.mx.example".into()
        }
    );

    let c = email::check_with_dns("jane@A-Only.example", dns.as_ref()).await;
    assert!(
        matches!(&c.deliverability, Deliverability::Deliverable { via } if via.starts_with('A')),
        "{:?}",
        c.deliverability
    );

    for (addr, reason) in [
        ("jane@null-mx.example", email::NULL_MX),
        ("jane@nowhere.example", email::DOMAIN_NOT_FOUND),
        ("jane@private-a.example", email::NO_MAIL_SERVER),
        ("jane@empty.example", email::NO_MAIL_SERVER),
        ("jane@no-spf-mail.example", email::SPF_REJECT_ALL),
    ] {
        let c = email::check_with_dns(addr, dns.as_ref()).await;
        assert!(c.valid, "{addr} is valid syntax");
        assert_eq!(
            undeliverable_reason(&c.deliverability),
            Some(reason),
            "{addr}: {:?}",
            c.deliverability
        );
        assert!(!c.may_email(), "{addr}");
        let cats: Vec<_> = email::issues(&c).into_iter().map(|i| i.0).collect();
        assert!(!cats.is_empty(), "{addr}");
    }
    assert_eq!(
        email::category(email::DOMAIN_NOT_FOUND),
        Some(ErrorCategory::DomainDoesNotExist)
    );
    assert_eq!(
        email::category(email::NULL_MX),
        Some(ErrorCategory::DoesNotAcceptMail)
    );

    // Invalid addresses are never looked up.
    let before = server.queries();
    let c = email::check_with_dns("not an address", dns.as_ref()).await;
    assert_eq!(c.deliverability, Deliverability::NotChecked);
    assert_eq!(server.queries(), before);
}

#[tokio::test]
async fn servfail_and_timeouts_are_unknown_not_invalid() {
    let server = start_dns(test_zones()).await;
    let dns = resolver_for(&server, 300);

    let c = email::check_with_dns("jane@servfail.example", dns.as_ref()).await;
    assert!(c.valid);
    assert!(
        matches!(c.deliverability, Deliverability::Unknown { .. }),
        "{:?}",
        c.deliverability
    );
    assert!(
        c.may_email(),
        "unknown deliverability must not block a lead"
    );

    let started = Instant::now();
    let c = email::check_with_dns("jane@silent.example", dns.as_ref()).await;
    assert!(
        matches!(c.deliverability, Deliverability::Unknown { .. }),
        "{:?}",
        c.deliverability
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "took {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn answers_are_cached_per_domain_for_the_run() {
    let server = start_dns(test_zones()).await;
    let dns = resolver_for(&server, 500);
    let first = email::check_with_dns("a@mx.example", dns.as_ref()).await;
    let after_first = server.queries();
    assert!(after_first >= 1);
    let (second, third) = tokio::join!(
        email::check_with_dns("b@MX.example", dns.as_ref()),
        email::check_with_dns("c@mx.example", dns.as_ref()),
    );
    assert_eq!(
        server.queries(),
        after_first,
        "a cached domain was asked again"
    );
    assert_eq!(first.deliverability, second.deliverability);
    assert_eq!(first.deliverability, third.deliverability);

    // The cache also holds timeouts, so a dead domain costs one wait per run, not one per lead.
    let t = Instant::now();
    let _ = email::check_with_dns("a@silent.example", dns.as_ref()).await;
    let first_wait = t.elapsed();
    let t = Instant::now();
    let _ = email::check_with_dns("b@silent.example", dns.as_ref()).await;
    assert!(
        t.elapsed() < first_wait / 2,
        "the second lookup waited again"
    );
}

#[test]
fn dns_setting_off_checks_nothing_and_bad_settings_fail_early() {
    let off = Validation {
        dns: sqa_core::config::DnsSetting::Off,
        dns_timeout_ms: 100,
    };
    let dns = email::resolver_from_config(&off).unwrap_or_else(|e| panic!("{e:#}"));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let c = rt.block_on(email::check_with_dns("jane@mx.example", dns.as_ref()));
    assert_eq!(c.deliverability, Deliverability::NotChecked);

    // A bad setting fails when the config is read, naming the key and the line.
    let text = "[company]\nname = \"X\"\n[agent]\nname = \"A\"\nemail = \"a@x.example\"\n\
                signature = \"A\"\nai_disclosure = \"AI\"\npostal_address = \"P\"\n\
                unsubscribe_url = \"https://x.example/u?token={token}\"\n\
                [validation]\ndns = \"8.8.8.8:dns\"\n";
    let no_files = |f: &sqa_core::config::NamedFile<'_>| Err(format!("{}: no files here", f.name));
    let err = sqa_core::config::parse(text, &no_files)
        .err()
        .map(|e| format!("{e:?}"))
        .unwrap_or_default();
    assert!(err.contains("validation.dns"), "{err}");
    assert!(err.contains("expected system, off or HOST:PORT"), "{err}");
}
