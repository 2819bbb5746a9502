//! Inbound mail authentication on one machine (`sqa_local::auth::MailAuth`): messages signed
//! in the test with a key made in the test, the key and the SPF and DMARC records served by
//! a DNS responder on 127.0.0.1, then tampered with. Each verdict path, and what the engage
//! stage makes of it.

use sqa_core::config::DnsSetting;
use sqa_core::domain::{Blocked, Stage};
use sqa_core::stages::{AuthVerdicts, Verdict};
use sqa_local::auth::MailAuth;
use sqa_tests::dkim::{SENDER_IP, Signer, dns_for};
use sqa_tests::dns_server::TestDns;
use sqa_tests::memory_pipeline::MemoryPipeline;

const RECEIVING_HOST: &str = "mx.agent.northwind-ledger.example";

fn checker(p: &MemoryPipeline, dns: &TestDns, receiving_host: &str) -> MailAuth {
    let mut cfg = (*p.deps.config).clone();
    cfg.inbound.dns = Some(DnsSetting::Server(dns.addr));
    cfg.inbound.receiving_host = receiving_host.to_string();
    cfg.validation.dns_timeout_ms = 1000;
    MailAuth::from_config(&cfg).unwrap()
}

/// The lead's reply as it arrived: the receiving host's `Received:` header (naming `ip`) on
/// top of what the sender signed.
fn arrived(signed: &str, ip: &str, return_path: &str) -> String {
    format!(
        "Return-Path: <{return_path}>\r\nReceived: from mail.sender.example (mail.sender.example [{ip}]) \
         by {RECEIVING_HOST} with ESMTPS id 7; Fri, 20 Nov 2026 08:00:01 +0000\r\n{signed}"
    )
}

const DEMO: &str = "Thanks Robin, this looks relevant. Could we set up a demo next week?";

#[tokio::test]
async fn each_authentication_path_gives_its_verdict() {
    let p = MemoryPipeline::new();
    let lead = p.contacted("L1");
    let domain = p.domain.clone();
    let signer = Signer::new();
    let dns = dns_for(&domain, &signer).await;
    let check = checker(&p, &dns, RECEIVING_HOST);
    let reply = p.reply_from(&lead, "<m1@customer.example>", DEMO);
    let signed = signer.sign(&reply, &domain);
    let stranger_key = Signer::new();

    let cases: Vec<(&str, String, AuthVerdicts)> = vec![
        (
            "signed, from an allowed IP",
            arrived(&signed, SENDER_IP, &lead.email),
            AuthVerdicts {
                spf: Some(Verdict::Pass),
                dkim: Some(Verdict::Pass),
                dmarc: Some(Verdict::Pass),
                ..Default::default()
            },
        ),
        (
            "signed, from an IP the domain does not allow",
            arrived(&signed, "198.51.100.7", &lead.email),
            AuthVerdicts {
                spf: Some(Verdict::Fail),
                dkim: Some(Verdict::Pass),
                dmarc: Some(Verdict::Pass),
                ..Default::default()
            },
        ),
        (
            "body changed after signing",
            arrived(
                &signed.replace("demo next week", "free licence today"),
                SENDER_IP,
                &lead.email,
            ),
            AuthVerdicts {
                spf: Some(Verdict::Pass),
                dkim: Some(Verdict::Fail),
                dmarc: Some(Verdict::Pass),
                ..Default::default()
            },
        ),
        (
            "subject changed after signing, from an IP not allowed",
            arrived(
                &signed.replace("Subject: Re: Month-end", "Subject: Re: Urgent month-end"),
                "198.51.100.7",
                &lead.email,
            ),
            AuthVerdicts {
                spf: Some(Verdict::Fail),
                dkim: Some(Verdict::Fail),
                dmarc: Some(Verdict::Fail),
                ..Default::default()
            },
        ),
        (
            "signed with a key the domain never published",
            arrived(
                &stranger_key.sign(&reply, &domain),
                "198.51.100.7",
                &lead.email,
            ),
            AuthVerdicts {
                spf: Some(Verdict::Fail),
                dkim: Some(Verdict::Fail),
                dmarc: Some(Verdict::Fail),
                ..Default::default()
            },
        ),
        (
            "unsigned, from an IP not allowed",
            arrived(&reply, "198.51.100.7", &lead.email),
            AuthVerdicts {
                spf: Some(Verdict::Fail),
                dmarc: Some(Verdict::Fail),
                ..Default::default()
            },
        ),
    ];
    println!("\nauthentication (DKIM key and SPF/DMARC records served on 127.0.0.1)");
    for (case, raw, want) in cases {
        let got = check.verdicts(raw.as_bytes()).await;
        println!(
            "  {case:<56} spf {:?} dkim {:?} dmarc {:?} → {}",
            got.spf,
            got.dkim,
            got.dmarc,
            if got.passed() { "may act" } else { "blocked" }
        );
        assert_eq!(got, want, "{case}");
    }
}

#[tokio::test]
async fn without_the_receiving_hosts_received_header_spf_is_not_checked() {
    let p = MemoryPipeline::new();
    let lead = p.contacted("L1");
    let domain = p.domain.clone();
    let signer = Signer::new();
    let dns = dns_for(&domain, &signer).await;
    let reply = p.reply_from(&lead, "<m2@customer.example>", DEMO);
    let tampered = signer
        .sign(&reply, &domain)
        .replace("demo next week", "free licence");

    // The receiving host is not configured: nobody says which IP the message came from.
    let got = checker(&p, &dns, "")
        .verdicts(arrived(&tampered, SENDER_IP, &lead.email).as_bytes())
        .await;

    assert_eq!(got.spf, None);
    assert_eq!(got.dkim, Some(Verdict::Fail));
    assert_eq!(
        got.dmarc,
        Some(Verdict::Gray),
        "without SPF a DMARC failure may be ours, not the sender's"
    );
    assert!(!got.passed(), "the broken signature still blocks");
}

#[tokio::test]
async fn with_dns_off_nothing_is_checked() {
    let p = MemoryPipeline::new().with_config(|c| c.inbound.dns = Some(DnsSetting::Off));
    let lead = p.contacted("L1");
    let check = MailAuth::from_config(&p.deps.config).unwrap();

    let got = check
        .verdicts(
            p.reply_from(&lead, "<m3@customer.example>", DEMO)
                .as_bytes(),
        )
        .await;

    assert_eq!(got, AuthVerdicts::default());
}

#[tokio::test]
async fn a_tampered_signed_reply_is_not_handed_over_and_the_intact_one_is() {
    for (tamper, handed_over) in [(false, true), (true, false)] {
        let p = MemoryPipeline::new();
        let lead = p.contacted("L1");
        p.insert(&lead).await;
        let domain = p.domain.clone();
        let signer = Signer::new();
        let dns = dns_for(&domain, &signer).await;
        let check = checker(&p, &dns, RECEIVING_HOST);
        let mut signed = signer.sign(&p.reply_from(&lead, "<m4@customer.example>", DEMO), &domain);
        if tamper {
            signed = signed
                .replace("Thursday", "Friday")
                .replace("next week", "right now");
        }
        let raw = arrived(&signed, SENDER_IP, &lead.email);

        let verdicts = check.verdicts(raw.as_bytes()).await;
        p.inbound("inbound/m4", &raw, verdicts).await;

        let l = p.get("L1").await;
        assert_eq!(
            l.stage == Stage::HandedOver,
            handed_over,
            "tampered: {tamper}"
        );
        if tamper {
            assert_eq!(l.blocked, Some(Blocked::FailedAuthentication));
        }
    }
}

#[tokio::test]
async fn a_forwarders_arc_seal_is_verified_and_a_broken_one_fails() {
    let p = MemoryPipeline::new();
    let lead = p.contacted("L1");
    let forwarder = "lists.forwarder.example";
    let signer = Signer::new();
    let dns = dns_for(forwarder, &signer).await;
    let check = checker(&p, &dns, RECEIVING_HOST);
    let sealed = signer.seal_arc(
        &p.reply_from(&lead, "<m5@customer.example>", DEMO),
        forwarder,
    );

    let intact = check.verdicts(sealed.as_bytes()).await;
    let broken = check
        .verdicts(sealed.replace("demo next week", "free licence").as_bytes())
        .await;

    assert_eq!(intact.arc, Some(Verdict::Pass), "{intact:?}");
    assert_eq!(broken.arc, Some(Verdict::Fail), "{broken:?}");
    assert!(!broken.passed());
}
