//! The outreach stage: at most one email per touch, drafts in research-only mode, and a touch
//! found mid-send never sent again.

use chrono::Duration;
use serde_json::json;
use sqa_core::config::Mode;
use sqa_core::domain::{Lead, Stage, Touch, TouchKind, TouchState};
use sqa_core::ports::{ModelTask, QueueName, Suppression};
use sqa_tests::memory::Failure;
use sqa_tests::memory_pipeline::{MemoryPipeline, ScriptedModel, is_blocked};
use std::sync::Arc;

/// A researched lead with a valid address, before its first touch.
fn researched(p: &MemoryPipeline, id: &str) -> Lead {
    let mut l = p.contacted(id);
    l.stage = Stage::Researched;
    l.touches.clear();
    l.next_touch_at = None;
    l
}

fn touch(lead: &Lead, n: u32) -> &Touch {
    lead.touches
        .iter()
        .find(|t| t.n == n && t.kind != TouchKind::Answer)
        .unwrap_or_else(|| panic!("touch {n} of {}: {:?}", lead.id, lead.touches))
}

#[tokio::test]
async fn outreach_sends_at_most_once_per_touch() {
    let p = MemoryPipeline::new();
    let lead = researched(&p, "L1");
    p.insert(&lead).await;
    let msg = p.message("L1", None);

    let first = p.handle(QueueName::Outreach, &msg).await.unwrap();
    let again = p.handle(QueueName::Outreach, &msg).await.unwrap();
    p.enqueue(QueueName::Outreach, msg).await;
    p.drain().await;

    assert_eq!(first.decision, "sent");
    assert!(again.decision.starts_with("skipped"), "{}", again.decision);
    let sent = p.sent_to(&lead.email);
    assert_eq!(sent.len(), 1, "three deliveries of touch 1, one email");
    let l = p.get("L1").await;
    assert_eq!(l.stage, Stage::Contacted);
    let t = touch(&l, 1);
    assert_eq!(t.state, TouchState::Sent);
    assert_eq!(t.provider_id.as_deref(), Some("memory-1"));
    assert_eq!(t.message_id, sent[0].message_id);
    assert_eq!(
        l.next_touch_at,
        Some(p.now() + Duration::days(3)),
        "the first follow-up is due after cadence.follow_up_days[0]"
    );
    let raw = String::from_utf8_lossy(&sent[0].raw);
    assert!(raw.contains("List-Unsubscribe"), "{raw}");
}

#[tokio::test]
async fn outreach_keeps_a_draft_in_research_only_mode() {
    let p = MemoryPipeline::new().with_config(|c| c.mode = Mode::ResearchOnly);
    p.insert(&researched(&p, "L1")).await;

    let out = p
        .handle(QueueName::Outreach, &p.message("L1", None))
        .await
        .unwrap();

    assert_eq!(out.decision, "drafted");
    assert!(p.sent().is_empty(), "research-only mode sends nothing");
    let l = p.get("L1").await;
    assert_eq!(l.stage, Stage::Researched);
    let t = touch(&l, 1);
    assert_eq!(t.state, TouchState::Draft);
    assert!(
        !t.subject.is_empty() && !t.body.is_empty(),
        "a draft for the seller"
    );
    assert_eq!(l.next_touch_at, None, "no follow-up of an email never sent");
}

#[tokio::test]
async fn a_touch_found_sending_on_a_retry_is_never_sent_again() {
    let p = MemoryPipeline::new();
    let mut lead = researched(&p, "L1");
    // The process died between the intent and the result: the touch is `Sending`.
    lead.touches.push(Touch {
        n: 1,
        kind: TouchKind::First,
        message_id: p.deps.config.message_id(&p.deps.secret, &lead.id, 1),
        subject: "Month-end at Buyer Freight".into(),
        body: "Hi Jo".into(),
        state: TouchState::Sending,
        provider_id: None,
        wire_id: None,
        cited_facts: Vec::new(),
        at: p.now(),
        note: None,
    });
    p.insert(&lead).await;

    // The outreach message comes back (its visibility timeout ended), twice.
    p.enqueue_stage(QueueName::Outreach, "L1", None).await;
    p.drain().await;
    p.enqueue_stage(QueueName::Outreach, "L1", Some(1)).await;
    p.drain().await;

    assert!(
        p.sent().is_empty(),
        "a touch that may have gone out is never resent"
    );
    let l = p.get("L1").await;
    assert_eq!(l.touches.len(), 1);
    assert_eq!(touch(&l, 1).state, TouchState::Unknown);
    assert!(is_blocked(&l), "a person checks the mailbox");
    let records = p.runs_of("L1").await;
    assert!(
        records
            .iter()
            .any(|r| r.stage == "outreach" && r.decision == "send_unknown"),
        "{records:?}"
    );
}

#[tokio::test]
async fn a_transient_send_failure_leaves_no_intent_and_the_retry_sends_once() {
    let p = MemoryPipeline::new();
    let lead = researched(&p, "L1");
    p.insert(&lead).await;
    let msg = p.message("L1", None);
    p.mem.mailer.fail_with(Some(Failure::Transient));

    let failed = p.handle(QueueName::Outreach, &msg).await;

    assert!(
        failed.as_ref().is_err_and(|e| e.is_transient()),
        "{failed:?}"
    );
    let l = p.get("L1").await;
    assert!(
        l.touches.is_empty(),
        "nothing was accepted: no intent left behind"
    );
    p.mem.mailer.fail_with(None);
    let retried = p.handle(QueueName::Outreach, &msg).await.unwrap();
    assert_eq!(retried.decision, "sent");
    assert_eq!(p.sent_to(&lead.email).len(), 1);
}

#[tokio::test]
async fn a_rejected_send_is_recorded_and_not_retried() {
    let p = MemoryPipeline::new();
    p.insert(&researched(&p, "L1")).await;
    p.mem
        .mailer
        .fail_with(Some(Failure::Rejected("mailbox unavailable".into())));

    let out = p
        .handle(QueueName::Outreach, &p.message("L1", None))
        .await
        .unwrap();
    p.mem.mailer.fail_with(None);
    let again = p
        .handle(QueueName::Outreach, &p.message("L1", None))
        .await
        .unwrap();

    assert_eq!(out.decision, "rejected");
    assert!(again.decision.starts_with("skipped"), "{}", again.decision);
    assert!(p.sent().is_empty());
    assert_eq!(touch(&p.get("L1").await, 1).state, TouchState::Skipped);
}

#[tokio::test]
async fn a_suppressed_address_is_never_emailed() {
    let p = MemoryPipeline::new();
    let lead = researched(&p, "L1");
    p.insert(&lead).await;
    p.deps
        .ports
        .suppressions
        .add(&Suppression {
            address: lead.email_key.to_string(),
            reason: "unsubscribed".into(),
            source: "test".into(),
            at: p.now(),
        })
        .await
        .unwrap();

    let out = p
        .handle(QueueName::Outreach, &p.message("L1", None))
        .await
        .unwrap();

    assert_eq!(out.decision, "not_sent");
    assert!(p.sent().is_empty());
    let l = p.get("L1").await;
    assert_eq!(l.stage, Stage::Suppressed);
    assert_eq!(touch(&l, 1).state, TouchState::Skipped);
}

#[tokio::test]
async fn a_model_draft_that_fails_the_guardrails_is_never_sent() {
    for (body, why) in [
        ("We guarantee you will close in two days.", "guarantee"),
        (
            "See https://elsewhere.example/offer for details.",
            "elsewhere.example",
        ),
        ("Ledger Close costs $12 a month.", "$12"),
    ] {
        let model = ScriptedModel::new().answer(
            ModelTask::Draft,
            json!({"subject": "Month-end", "body": body, "cited": []}),
        );
        let p = MemoryPipeline::new().with_model(Arc::new(model));
        p.insert(&researched(&p, "L1")).await;
        p.enqueue_stage(QueueName::Outreach, "L1", None).await;

        p.drain().await;

        // The offline engine's draft goes out instead, and the record says why.
        let sent = p.sent();
        assert_eq!(sent.len(), 1, "{body:?}");
        let raw = String::from_utf8_lossy(&sent[0].raw);
        assert!(!raw.contains(body), "{body:?} went out");
        let records = p.runs_of("L1").await;
        let call = records
            .iter()
            .flat_map(|r| r.model_calls.iter())
            .find(|c| c.task == ModelTask::Draft)
            .expect("the draft call is recorded");
        assert!(
            call.fallback.as_deref().is_some_and(|f| f.contains(why)),
            "{body:?}: {:?}",
            call.fallback
        );
    }
}

#[tokio::test]
async fn a_follow_up_is_sent_when_due_as_a_reply_in_the_thread() {
    let p = MemoryPipeline::new();
    let lead = researched(&p, "L1");
    p.insert(&lead).await;
    p.handle(QueueName::Outreach, &p.message("L1", None))
        .await
        .unwrap();

    p.mem.clock.advance(Duration::days(3));
    p.select("follow-ups").await;
    p.drain().await;

    let sent = p.sent_to(&lead.email);
    assert_eq!(sent.len(), 2);
    let raw = String::from_utf8_lossy(&sent[1].raw);
    assert!(
        raw.contains(&format!("In-Reply-To: {}", sent[0].message_id)),
        "{raw}"
    );
    let l = p.get("L1").await;
    assert_eq!(touch(&l, 2).state, TouchState::Sent);
    assert_eq!(touch(&l, 2).kind, TouchKind::FollowUp);
}
