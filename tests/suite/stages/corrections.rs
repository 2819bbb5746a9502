//! Corrections by a person (`stages::corrections`): each reruns only what it touches, is
//! recorded with who made it, and clears only the blocks it resolves.

use sqa_core::Blocked;
use sqa_core::domain::{EmailKind, Stage};
use sqa_core::stages::corrections;
use sqa_tests::memory_pipeline::{MemoryPipeline, parse_id};

#[tokio::test]
async fn a_new_valid_address_is_validated_again_and_clears_only_an_address_block() {
    let p = MemoryPipeline::new();
    let mut lead = p.contacted("L1");
    lead.email = "jo..rivera@@buyer".into();
    lead.validation = Some(sqa_core::agents::email::check(&lead.email));
    lead.blocked = Some(Blocked::NeedsValidAddress {
        detail: "invalid".into(),
    });
    p.insert(&lead).await;

    let saved = corrections::set_email(&p.deps, &parse_id("L1"), "Jo.Rivera@Buyer.example", "ana")
        .await
        .unwrap();

    assert_eq!(saved.stage, Stage::Contacted, "the stage stays where it is");
    assert!(saved.validation.as_ref().unwrap().valid);
    assert_eq!(saved.email_key.as_str(), "jo.rivera@buyer.example");
    assert_eq!(saved.blocked, None);
    let runs = p.runs_of("L1").await;
    let last = runs.last().unwrap();
    assert_eq!(
        (last.stage.as_str(), last.decision.as_str()),
        ("validate", "revalidated")
    );
    assert!(
        last.reasons[0].contains("changed by ana"),
        "{:?}",
        last.reasons
    );

    // Another kind of block is a person's to clear, not the address's.
    p.update("L1", |l| l.blocked = Some(Blocked::UnclearReply))
        .await;
    let saved = corrections::set_email(&p.deps, &parse_id("L1"), "jo@buyer.example", "ana")
        .await
        .unwrap();
    assert_eq!(saved.blocked, Some(Blocked::UnclearReply));
}

#[tokio::test]
async fn an_override_is_written_with_who_and_when_and_keeps_the_agents_verdict() {
    let p = MemoryPipeline::new();
    p.insert(&p.contacted("L1")).await;

    let saved = corrections::mark_address(
        &p.deps,
        &parse_id("L1"),
        Some(false),
        Some(EmailKind::Role),
        "ana",
    )
    .await
    .unwrap();

    let check = saved.validation.as_ref().unwrap();
    assert!(check.valid, "the agent's own verdict is kept");
    assert!(!check.effective_valid());
    assert_eq!(check.effective_kind(), Some(EmailKind::Role));
    let o = check.overridden.as_ref().unwrap();
    assert_eq!((o.by.as_str(), o.at), ("ana", p.now()));
    assert!(
        corrections::mark_address(&p.deps, &parse_id("L1"), None, None, "ana")
            .await
            .is_err(),
        "an override must say what it overrides"
    );
}

#[tokio::test]
async fn a_correction_made_while_the_lead_changes_is_applied_to_the_new_state() {
    let p = MemoryPipeline::new();
    p.insert(&p.contacted("L1")).await;
    // A reply lands between the correction's read and its write.
    p.leads
        .race_next_write(&parse_id("L1"), |l| l.stage = Stage::Engaged);

    let saved = corrections::mark_address(&p.deps, &parse_id("L1"), Some(true), None, "ana")
        .await
        .unwrap();

    assert_eq!(saved.stage, Stage::Engaged, "the reply's change survives");
    assert!(saved.validation.unwrap().overridden.is_some());
}

#[tokio::test]
async fn a_new_website_reruns_research_and_fit_only() {
    let p = MemoryPipeline::new();
    p.insert(&p.contacted("L1")).await;
    let before = p.get("L1").await;

    let (saved, decision) = corrections::set_company(
        &p.deps,
        &parse_id("L1"),
        Some("Buyer Freight Group".into()),
        None,
        "ana",
    )
    .await
    .unwrap();

    assert!(decision.starts_with("score "), "{decision}");
    assert_eq!(saved.company, "Buyer Freight Group");
    assert!(saved.research.is_some() && saved.fit.is_some());
    assert_eq!(saved.stage, before.stage);
    assert_eq!(
        saved.validation, before.validation,
        "validation does not run"
    );
    assert_eq!(saved.touches, before.touches);
}
