//! Threads that went through SES: SES replaces the agent's Message-ID with
//! `<ID@REGION.amazonses.com>`, so replies and returned bounces quote that id. The agent
//! stores it, quotes it in its own follow-ups, and finds the lead from it.

use chrono::Duration;
use sqa_core::domain::{Lead, Stage, TouchKind};
use sqa_core::mail::ids;
use sqa_core::ports::QueueName;
use sqa_core::stages::AuthVerdicts;
use sqa_tests::memory_pipeline::MemoryPipeline;

const SUPERVISOR: &str = "supervisor@northwind-ledger.example";

/// A lead the agent wrote to through SES: touch 1 carries SES's id.
async fn contacted_via_ses(
    p: &MemoryPipeline,
    id: &str,
    ses_id: &str,
    email: Option<&str>,
) -> Lead {
    let mut l = p.contacted(id);
    if let Some(e) = email {
        l.email = e.to_string();
        l.email_key = sqa_core::EmailKey::from_stored(e.to_string());
        l.validation = Some(sqa_core::agents::email::check(e));
    }
    l.touches[0].provider_id = Some(ses_id.to_string());
    l.touches[0].wire_id = Some(ids::ses_wire_id(ses_id, "us-east-1"));
    p.insert(&l).await;
    l
}

fn ses_id(n: u32) -> String {
    format!("010001936a2b7c1d-{n:08x}-aaaa-4bbb-8ccc-0123456789ab-000000")
}

/// A reply as the recipient's client writes it to mail SES delivered in us-east-1.
fn reply(from: &str, cc: &str, wire: &str, msg_id: &str, text: &str) -> String {
    format!(
        "From: Someone <{from}>\r\nTo: Robin Vale <robin@agent.northwind-ledger.example>\r\n\
         Cc: {cc}\r\nSubject: Re: Month-end at Buyer Freight\r\nMessage-ID: {msg_id}\r\n\
         In-Reply-To: {wire}\r\nReferences: {wire}\r\nDate: Fri, 20 Nov 2026 08:00:00 +0000\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{text}\r\n"
    )
}

/// An RFC 3464 report about `recipient`, returning the headers of the message SES sent.
fn dsn(recipient: &str, wire: &str, msg_id: &str) -> String {
    format!(
        "Return-Path: <>\r\nFrom: Mail Delivery System <MAILER-DAEMON@mx.elsewhere.example>\r\n\
         To: Robin Vale <robin@agent.northwind-ledger.example>\r\nSubject: Undelivered Mail Returned to Sender\r\n\
         Date: Fri, 20 Nov 2026 08:00:00 +0000\r\nMessage-ID: {msg_id}\r\n\
         MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\r\n\r\n\
         --b\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered to {recipient}.\r\n\
         --b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.elsewhere.example\r\n\r\n\
         Final-Recipient: rfc822; {recipient}\r\nAction: failed\r\nStatus: 5.1.1\r\n\
         Diagnostic-Code: smtp; 550 5.1.1 User unknown\r\n\
         --b\r\nContent-Type: text/rfc822-headers\r\n\r\nFrom: Robin Vale <robin@agent.northwind-ledger.example>\r\n\
         To: {recipient}\r\nMessage-ID: {wire}\r\nSubject: Month-end at Buyer Freight\r\n\r\n--b--\r\n"
    )
}

#[tokio::test]
async fn sends_through_ses_store_the_wire_id_and_follow_ups_quote_it() {
    let p = MemoryPipeline::new();
    p.mem.mailer.replace_ids_like_ses("eu-west-1");
    let mut lead = p.contacted("L1");
    lead.stage = Stage::Researched;
    lead.touches.clear();
    lead.next_touch_at = None;
    p.insert(&lead).await;
    p.handle(QueueName::Outreach, &p.message("L1", None))
        .await
        .unwrap();

    let first = p.get("L1").await.touches[0].clone();
    let pid = first.provider_id.clone().expect("the send's id is stored");
    let wire = format!("<{pid}@eu-west-1.amazonses.com>");
    assert_eq!(first.wire_id.as_deref(), Some(wire.as_str()));

    p.mem.clock.advance(Duration::days(3));
    p.select("follow-ups").await;
    p.drain().await;

    let sent = p.sent_to(&lead.email);
    assert_eq!(sent.len(), 2);
    // The first email names its own signed id in References: SES replaces its Message-ID,
    // and a reply quotes the References it got.
    let refs = references(&sent[0].raw);
    assert_eq!(refs, std::slice::from_ref(&first.message_id), "{refs:?}");
    let raw = String::from_utf8_lossy(&sent[1].raw);
    assert!(raw.contains(&format!("In-Reply-To: {wire}")), "{raw}");
    let l = p.get("L1").await;
    let follow_up = l
        .touches
        .iter()
        .find(|t| t.kind == TouchKind::FollowUp && t.wire_id.is_some())
        .expect("the follow-up went through SES");
    // Both forms of the first email's id, and the follow-up's own signed id, the one it
    // replies to last.
    let refs = references(&sent[1].raw);
    assert_eq!(
        refs,
        [
            follow_up.message_id.clone(),
            first.message_id.clone(),
            wire.clone()
        ],
        "{raw}"
    );
}

/// The ids of a message's References header (unfolded).
fn references(raw: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(raw).replace("\r\n ", " ");
    text.lines()
        .take_while(|l| !l.is_empty())
        .find_map(|l| l.strip_prefix("References: "))
        .map(|v| v.split_whitespace().map(str::to_string).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn a_reply_quoting_only_our_signed_id_acts_on_the_lead_that_mail_went_to() {
    // Two leads share one address: only the reference tells them apart. The reply's client
    // kept our signed id (from References) and not SES's, or SES wrote a host we did not
    // expect: the signature alone names the lead.
    let p = MemoryPipeline::new();
    let shared = "jo@shared-inbox.example";
    let l1 = contacted_via_ses(&p, "L1", &ses_id(11), Some(shared)).await;
    let l2 = contacted_via_ses(&p, "L2", &ses_id(12), Some(shared)).await;
    let raw = reply(
        shared,
        "nobody@elsewhere.example",
        &l2.touches[0].message_id,
        "<r12@shared-inbox.example>",
        "Thanks Robin, this looks relevant. Could we set up a demo next week?",
    );

    p.inbound("inbound/r12", &raw, AuthVerdicts::default())
        .await;

    assert_eq!(p.get("L2").await.stage, Stage::HandedOver, "{}", l2.id);
    let other = p.get("L1").await;
    assert_eq!(other.stage, Stage::Contacted, "{}", l1.id);
    assert!(other.inbound.is_empty());
}

#[tokio::test]
async fn a_reply_quoting_the_ses_id_acts_on_the_lead_that_mail_went_to() {
    let p = MemoryPipeline::new();
    let shared = "jo@shared-inbox.example";
    let l1 = contacted_via_ses(&p, "L1", &ses_id(1), Some(shared)).await;
    let l2 = contacted_via_ses(&p, "L2", &ses_id(2), Some(shared)).await;
    // The recipient's client quotes the host SES wrote; us-east-1 also appears as
    // `us-east-1.amazonses.com` in the wild.
    let raw = reply(
        shared,
        "nobody@elsewhere.example",
        &format!("<{}@us-east-1.amazonses.com>", ses_id(2)),
        "<r2@shared-inbox.example>",
        "Thanks Robin, this looks relevant. Could we set up a demo next week?",
    );

    p.inbound("inbound/r2", &raw, AuthVerdicts::default()).await;

    assert_eq!(p.get("L2").await.stage, Stage::HandedOver, "{}", l2.id);
    let first = p.get("L1").await;
    assert_eq!(first.stage, Stage::Contacted, "{}", l1.id);
    assert!(first.inbound.is_empty());
}

#[tokio::test]
async fn a_colleague_answering_the_ses_thread_reaches_the_lead_and_changes_nothing() {
    let p = MemoryPipeline::new();
    let lead = contacted_via_ses(&p, "L1", &ses_id(7), None).await;
    let wire = lead.touches[0].wire_id.clone().unwrap();
    // Nothing but the thread reference names the lead: not From, not Cc.
    let raw = reply(
        "pat.colleague@buyer-freight.example",
        "finance@buyer-freight.example",
        &wire,
        "<c1@buyer-freight.example>",
        "Jo asked me to look at this. Could we see a demo next week?",
    );

    p.inbound("inbound/c1", &raw, AuthVerdicts::default()).await;
    p.inbound("inbound/c1-again", &raw, AuthVerdicts::default())
        .await;

    let runs = p.runs_of("L1").await;
    assert!(
        runs.iter()
            .any(|r| r.stage == "engage" && r.decision == "stranger"),
        "the colleague's message is on the lead's record: {runs:?}"
    );
    assert_eq!(p.sent_to(SUPERVISOR).len(), 1, "a person is told once");
    let after = p.get("L1").await;
    assert_eq!(after.stage, Stage::Contacted);
    assert!(after.inbound.is_empty());
    assert!(p.sent_to("pat.colleague@buyer-freight.example").is_empty());
}

#[tokio::test]
async fn a_forward_quoting_an_unknown_ses_id_names_no_lead_and_is_escalated_once() {
    let p = MemoryPipeline::new();
    let lead = contacted_via_ses(&p, "L1", &ses_id(3), None).await;
    let raw = reply(
        "someone@elsewhere.example",
        "another@elsewhere.example",
        &format!("<{}@email.amazonses.com>", ses_id(4)),
        "<fwd@elsewhere.example>",
        "---------- Forwarded message ---------\r\nCould you tell me more?",
    );

    p.inbound("inbound/f1", &raw, AuthVerdicts::default()).await;
    p.inbound("inbound/f2", &raw, AuthVerdicts::default()).await;

    assert_eq!(p.sent_to(SUPERVISOR).len(), 1, "escalated once");
    assert!(p.runs_of("L1").await.iter().all(|r| r.stage != "engage"));
    assert_eq!(p.get("L1").await.stage, Stage::Contacted, "{}", lead.id);
}

#[tokio::test]
async fn a_bounce_returning_the_ses_headers_is_matched_through_them() {
    let p = MemoryPipeline::new();
    let l1 = contacted_via_ses(&p, "L1", &ses_id(5), None).await;
    let l2 = contacted_via_ses(&p, "L2", &ses_id(6), Some("jo.other@buyer-freight.example")).await;
    let wire1 = l1.touches[0].wire_id.clone().unwrap();
    let wire2 = l2.touches[0].wire_id.clone().unwrap();

    // The lead's own address failed on the message SES sent it: bounced.
    p.inbound(
        "inbound/b1",
        &dsn(&l1.email, &wire1, "<b1@mx.elsewhere.example>"),
        AuthVerdicts::default(),
    )
    .await;
    // An address the lead forwards to failed on the message sent to L2: that lead is
    // reached, but its address did not bounce.
    p.inbound(
        "inbound/b2",
        &dsn("jo@forwarded.example", &wire2, "<b2@mx.elsewhere.example>"),
        AuthVerdicts::default(),
    )
    .await;

    assert_eq!(p.get("L1").await.stage, Stage::Bounced);
    assert_eq!(p.get("L2").await.stage, Stage::Contacted);
    let runs = p.runs_of("L2").await;
    assert!(
        runs.iter()
            .any(|r| r.stage == "engage" && r.decision == "stranger"),
        "the report about a forward is on the lead it returned: {runs:?}"
    );
}
