//! Feedback from the mail provider: hard bounces and complaints suppress the address and end
//! its leads; soft bounces are only recorded.

use sqa_core::domain::Stage;
use sqa_core::stages::feedback::{self, Feedback, FeedbackKind};
use sqa_tests::memory_pipeline::MemoryPipeline;

fn about(address: &str, kind: FeedbackKind) -> Feedback {
    Feedback {
        kind,
        addresses: vec![address.to_uppercase()],
        message_id: None,
        detail: "reported by the provider".into(),
    }
}

#[tokio::test]
async fn a_hard_bounce_suppresses_the_address_and_ends_its_leads_as_bounced() {
    let p = MemoryPipeline::new();
    let lead = p.contacted("L1");
    p.insert(&lead).await;

    let out = feedback::apply(
        &p.deps,
        about(&lead.email, FeedbackKind::Bounce { hard: true }),
    )
    .await
    .unwrap();

    assert_eq!(out.decision, "bounced");
    assert_eq!(out.lead_id, Some(lead.id.clone()));
    let l = p.get("L1").await;
    assert_eq!((l.stage, l.next_touch_at), (Stage::Bounced, None));
    let entry = p
        .deps
        .ports
        .suppressions
        .get(lead.email_key.as_str())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(entry.source, "bounce");
}

#[tokio::test]
async fn a_complaint_suppresses_the_address_and_every_lead_with_it() {
    let p = MemoryPipeline::new();
    let first = p.contacted("L1");
    let mut second = p.lead("L2");
    second.email = first.email.clone();
    second.email_key = first.email_key.clone();
    p.insert(&first).await;
    p.insert(&second).await;

    let out = feedback::apply(&p.deps, about(&first.email, FeedbackKind::Complaint))
        .await
        .unwrap();

    assert_eq!(out.decision, "suppressed");
    for id in ["L1", "L2"] {
        assert_eq!(p.get(id).await.stage, Stage::Suppressed, "{id}");
    }
    let entry = p
        .deps
        .ports
        .suppressions
        .get(first.email_key.as_str())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(entry.source, "complaint");
    // The suppressed lead is never selected again.
    let report = p.select("later").await;
    assert!(report.selected.is_empty(), "{report:?}");
}

#[tokio::test]
async fn a_soft_bounce_is_only_recorded() {
    let p = MemoryPipeline::new();
    let lead = p.contacted("L1");
    p.insert(&lead).await;

    let out = feedback::apply(
        &p.deps,
        about(&lead.email, FeedbackKind::Bounce { hard: false }),
    )
    .await
    .unwrap();

    assert_eq!(out.decision, "recorded");
    let l = p.get("L1").await;
    assert_eq!(
        (l.stage, l.version),
        (Stage::Contacted, lead.version),
        "the lead is untouched"
    );
    assert!(
        p.deps
            .ports
            .suppressions
            .get(lead.email_key.as_str())
            .await
            .unwrap()
            .is_none()
    );
    let records = p.runs_of("L1").await;
    assert_eq!(
        records
            .iter()
            .map(|r| r.decision.as_str())
            .collect::<Vec<_>>(),
        ["soft_bounce"]
    );
}
