//! Consent: the one-click unsubscribe link suppresses the lead's address and ends the lead,
//! once, and only with a genuine token.

use sqa_core::domain::Stage;
use sqa_core::ports::QueueName;
use sqa_core::stages::consent;
use sqa_tests::memory_pipeline::MemoryPipeline;

#[tokio::test]
async fn a_one_click_unsubscribe_suppresses_the_lead_for_good() {
    let p = MemoryPipeline::new();
    let lead = p.contacted("L1");
    p.insert(&lead).await;
    let token = consent::token(&p.deps.secret, &lead.id);

    let out = consent::unsubscribe(&p.deps, &token).await.unwrap();
    let again = consent::unsubscribe(&p.deps, &token).await.unwrap();

    assert_eq!(out.decision, "suppressed");
    assert_eq!(again.decision, "suppressed", "unsubscribing twice is fine");
    let l = p.get("L1").await;
    assert_eq!((l.stage, l.next_touch_at), (Stage::Suppressed, None));
    let list = p.deps.ports.suppressions.list().await.unwrap();
    assert_eq!(
        list.iter()
            .filter(|s| s.address == lead.email_key.as_str())
            .count(),
        1,
        "one entry, the first"
    );
    // The follow-up that was due sends nothing.
    p.enqueue_stage(QueueName::Outreach, "L1", Some(2)).await;
    p.drain().await;
    assert!(p.sent().is_empty());
}

#[tokio::test]
async fn a_forged_or_foreign_token_changes_nothing() {
    let p = MemoryPipeline::new();
    let lead = p.contacted("L1");
    p.insert(&lead).await;
    p.insert(&p.contacted("L2")).await;
    let other_secret = consent::token("another-deployment", &lead.id);
    let forged = consent::token(&p.deps.secret, &lead.id).replace("L1.", "L2.");

    for bad in [other_secret, forged, "garbage".to_string(), String::new()] {
        let got = consent::unsubscribe(&p.deps, &bad).await;
        assert!(got.is_err(), "{bad:?} was accepted");
    }

    for id in ["L1", "L2"] {
        assert_eq!(p.get(id).await.stage, Stage::Contacted, "{id}");
    }
    assert!(p.deps.ports.suppressions.list().await.unwrap().is_empty());
}
