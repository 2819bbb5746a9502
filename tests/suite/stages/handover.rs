//! The handover stage: the owner first, then the round robin; the seller is told once.

use sqa_core::config::Strategy;
use sqa_core::domain::{Handover, Lead, Stage, TouchState};
use sqa_core::ports::QueueName;
use sqa_tests::memory_pipeline::{MemoryPipeline, is_blocked};

const DOMAIN: &str = "northwind-ledger.example";

/// An engaged lead whose reply asked for a demo, owned by `owner`.
async fn ready(p: &MemoryPipeline, id: &str, owner: &str) -> Lead {
    let mut l = p.contacted(id);
    l.stage = Stage::Engaged;
    l.owner = owner.to_string();
    l.next_touch_at = None;
    p.insert(&l).await;
    l
}

fn seller(lead: &Lead) -> &str {
    lead.handover.as_ref().map_or("", |h| h.seller.as_str())
}

#[tokio::test]
async fn handover_assigns_the_owner_when_they_are_a_seller() {
    let p = MemoryPipeline::new();
    ready(&p, "L1", "ben").await;

    let out = p
        .handle(QueueName::Handover, &p.message("L1", None))
        .await
        .unwrap();

    assert_eq!(out.decision, "handed_over");
    let l = p.get("L1").await;
    assert_eq!(l.stage, Stage::HandedOver);
    assert_eq!(seller(&l), "ben");
    assert!(!is_blocked(&l));
    let h = l.handover.as_ref().unwrap();
    assert_eq!(h.notice, TouchState::Sent);
    assert!(!h.summary.trim().is_empty(), "the seller gets a summary");
    let notes = p.sent_to(&format!("ben@{DOMAIN}"));
    assert_eq!(notes.len(), 1, "the seller is told by email");
    assert_eq!(h.notice_id.as_deref(), Some(notes[0].message_id.as_str()));
    assert!(
        p.sent_to(&l.email).is_empty(),
        "the lead gets nothing from the handover"
    );
}

#[tokio::test]
async fn handover_rotates_through_the_sellers_when_the_owner_is_none_of_them() {
    let p = MemoryPipeline::new();
    for i in 0..4 {
        ready(&p, &format!("L{i}"), "someone-else").await;
    }

    for i in 0..4 {
        p.handle(QueueName::Handover, &p.message(&format!("L{i}"), None))
            .await
            .unwrap();
    }

    let mut got = Vec::new();
    for i in 0..4 {
        got.push(seller(&p.get(&format!("L{i}")).await).to_string());
    }
    assert_eq!(
        got,
        ["ana", "ben", "cy", "ana"],
        "round robin in config order"
    );
}

#[tokio::test]
async fn the_round_robin_strategy_ignores_the_owner() {
    let p = MemoryPipeline::new().with_config(|c| c.assignment.strategy = Strategy::RoundRobin);
    ready(&p, "L1", "cy").await;
    ready(&p, "L2", "cy").await;

    p.handle(QueueName::Handover, &p.message("L1", None))
        .await
        .unwrap();
    p.handle(QueueName::Handover, &p.message("L2", None))
        .await
        .unwrap();

    assert_eq!(seller(&p.get("L1").await), "ana");
    assert_eq!(seller(&p.get("L2").await), "ben");
}

#[tokio::test]
async fn handover_notifies_the_seller_once() {
    let p = MemoryPipeline::new();
    ready(&p, "L1", "ana").await;
    let msg = p.message("L1", None);

    for _ in 0..3 {
        p.enqueue(QueueName::Handover, msg.clone()).await;
    }
    p.drain().await;
    let again = p.handle(QueueName::Handover, &msg).await.unwrap();

    assert!(again.decision.starts_with("skipped"), "{}", again.decision);
    assert_eq!(p.sent_to(&format!("ana@{DOMAIN}")).len(), 1);
    assert_eq!(p.sent().len(), 1);
}

#[tokio::test]
async fn a_notification_found_mid_send_is_not_sent_again() {
    let p = MemoryPipeline::new();
    let mut l = p.contacted("L1");
    l.stage = Stage::HandedOver;
    l.owner = "ana".into();
    l.handover = Some(Handover {
        seller: "ana".into(),
        summary: "Jo wants a demo.".into(),
        at: p.now(),
        notice: TouchState::Sending,
        notice_id: None,
    });
    p.insert(&l).await;

    p.handle(QueueName::Handover, &p.message("L1", None))
        .await
        .unwrap();
    p.handle(QueueName::Handover, &p.message("L1", None))
        .await
        .unwrap();

    assert!(p.sent().is_empty(), "it may have gone out: never twice");
    assert_eq!(
        p.get("L1").await.handover.unwrap().notice,
        TouchState::Unknown
    );
}

#[tokio::test]
async fn a_lead_that_is_not_engaged_is_not_handed_over() {
    let p = MemoryPipeline::new();
    p.insert(&p.contacted("L1")).await;

    let out = p
        .handle(QueueName::Handover, &p.message("L1", None))
        .await
        .unwrap();

    assert!(out.decision.starts_with("skipped"), "{}", out.decision);
    assert_eq!(p.get("L1").await.stage, Stage::Contacted);
    assert!(p.sent().is_empty());
}
