//! The validate stage: the address verdict, duplicates, and an invalid address that is never
//! emailed.

use sqa_core::config::Mode;
use sqa_core::domain::{Stage, TouchState};
use sqa_core::ports::QueueName;
use sqa_tests::memory_pipeline::{MemoryPipeline, is_blocked, parse_id};

async fn selected(p: &MemoryPipeline, id: &str, email: &str) {
    let mut l = p.lead(id);
    l.email = email.to_string();
    l.email_key = sqa_core::EmailKey::from_stored(email);
    l.stage = Stage::Selected;
    p.insert(&l).await;
}

#[tokio::test]
async fn validate_blocks_an_invalid_address() {
    let p = MemoryPipeline::new();
    selected(&p, "L1", "jo..rivera@@buyer").await;

    let out = p
        .handle(QueueName::Validate, &p.message("L1", None))
        .await
        .unwrap();

    assert_eq!(out.decision, "invalid");
    let l = p.get("L1").await;
    assert_eq!(
        l.stage,
        Stage::Validated,
        "research still runs: sellers value it"
    );
    let check = l.validation.as_ref().unwrap();
    assert!(!check.valid && check.reason.is_some(), "{check:?}");
    assert!(is_blocked(&l), "engage mode returns the lead to its owner");
    assert_eq!(p.waiting(QueueName::Research), vec!["L1".to_string()]);

    // Down the line, nothing is ever sent to it.
    p.drain().await;
    let l = p.get("L1").await;
    assert!(p.sent().is_empty());
    assert!(
        l.touches.iter().all(|t| t.state == TouchState::Skipped),
        "{:?}",
        l.touches
    );
    assert_ne!(l.stage, Stage::Contacted);
}

#[tokio::test]
async fn validate_does_not_block_in_research_only_mode_and_accepts_a_valid_address() {
    let p = MemoryPipeline::new().with_config(|c| c.mode = Mode::ResearchOnly);
    selected(&p, "L1", "not an address").await;
    let good = format!("Jo.Rivera@{}", p.domain);
    selected(&p, "L2", &good).await;

    p.handle(QueueName::Validate, &p.message("L1", None))
        .await
        .unwrap();
    let out = p
        .handle(QueueName::Validate, &p.message("L2", None))
        .await
        .unwrap();

    assert!(
        !is_blocked(&p.get("L1").await),
        "no owner hand-back without engage mode"
    );
    assert!(out.decision.starts_with("valid"), "{}", out.decision);
    let l2 = p.get("L2").await;
    assert!(l2.validation.as_ref().unwrap().valid);
    assert_eq!(
        l2.email_key,
        sqa_core::EmailKey::from_stored(good),
        "the key is the normalized address"
    );
}

#[tokio::test]
async fn the_later_lead_with_an_address_is_the_duplicate_whichever_is_validated_first() {
    for order in [["L1", "L2"], ["L2", "L1"]] {
        let p = MemoryPipeline::new();
        let address = format!("jo@{}", p.domain);
        selected(&p, "L1", &address).await;
        selected(&p, "L2", &address.to_uppercase()).await;

        for id in order {
            p.handle(QueueName::Validate, &p.message(id, None))
                .await
                .unwrap();
        }

        assert_eq!(p.get("L1").await.duplicate_of, None, "order {order:?}");
        assert_eq!(
            p.get("L2").await.duplicate_of,
            Some(parse_id("L1")),
            "order {order:?}"
        );
        p.drain().await;
        assert_eq!(
            p.sent_to(&address).len(),
            1,
            "the address is emailed once, not never (order {order:?})"
        );
    }
}

#[tokio::test]
async fn a_redelivered_validate_message_changes_nothing() {
    let p = MemoryPipeline::new();
    selected(&p, "L1", &format!("jo@{}", p.domain)).await;
    let msg = p.message("L1", None);

    p.handle(QueueName::Validate, &msg).await.unwrap();
    let once = p.get("L1").await;
    let again = p.handle(QueueName::Validate, &msg).await.unwrap();

    assert!(again.decision.starts_with("skipped"), "{}", again.decision);
    assert_eq!(p.get("L1").await, once);
    assert_eq!(p.waiting(QueueName::Research).len(), 1);
}

#[tokio::test]
async fn a_validation_that_loses_a_conflict_has_no_side_effect() {
    let p = MemoryPipeline::new();
    selected(&p, "L1", &format!("jo@{}", p.domain)).await;
    p.leads
        .race_next_write(&parse_id("L1"), |l| l.notes = "edited meanwhile".into());

    let out = p
        .handle(QueueName::Validate, &p.message("L1", None))
        .await
        .unwrap();

    assert!(out.decision.starts_with("skipped"), "{}", out.decision);
    let l = p.get("L1").await;
    assert_eq!(
        (l.stage, l.notes.as_str()),
        (Stage::Selected, "edited meanwhile")
    );
    assert!(
        p.waiting(QueueName::Research).is_empty(),
        "nothing enqueued"
    );
    assert!(
        p.runs_of("L1").await.is_empty(),
        "no record of a step not taken"
    );
}
