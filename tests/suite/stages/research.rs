//! The research stage: the company's website through the web port, the fit score, and an
//! excluded industry disqualified.

use sqa_core::domain::Stage;
use sqa_core::ports::QueueName;
use sqa_tests::memory_pipeline::{MemoryPipeline, parse_id};

async fn validated(p: &MemoryPipeline, id: &str, industry: &str) {
    let mut l = p.contacted(id);
    l.touches.clear();
    l.next_touch_at = None;
    l.stage = Stage::Validated;
    l.industry = industry.to_string();
    p.insert(&l).await;
}

#[tokio::test]
async fn research_reads_the_company_site_and_hands_the_lead_to_outreach() {
    let p = MemoryPipeline::new();
    validated(&p, "L1", "logistics").await;

    let out = p
        .handle(QueueName::Research, &p.message("L1", None))
        .await
        .unwrap();

    assert_eq!(out.decision, "researched");
    let l = p.get("L1").await;
    assert_eq!(l.stage, Stage::Researched);
    let r = l.research.as_ref().unwrap();
    assert!(r.error.is_none(), "{r:?}");
    assert!(
        r.sources.contains(&format!("https://{}/", p.domain)),
        "the home page was read: {:?}",
        r.sources
    );
    let fit = l.fit.as_ref().unwrap();
    assert!(!fit.excluded && fit.score > 0, "{fit:?}");
    assert_eq!(p.waiting(QueueName::Outreach), vec!["L1".to_string()]);
    let stages: Vec<String> = p.runs_of("L1").await.into_iter().map(|r| r.stage).collect();
    assert!(stages.contains(&"research".into()) && stages.contains(&"fit".into()));
}

#[tokio::test]
async fn research_disqualifies_an_excluded_industry() {
    let p = MemoryPipeline::new();
    validated(&p, "L1", "Gambling").await;

    let out = p
        .handle(QueueName::Research, &p.message("L1", None))
        .await
        .unwrap();

    assert_eq!(out.decision, "disqualified");
    let l = p.get("L1").await;
    assert_eq!(l.stage, Stage::Disqualified);
    assert!(l.fit.as_ref().unwrap().excluded);
    assert!(l.reason.is_some());
    assert!(p.waiting(QueueName::Outreach).is_empty(), "never contacted");
    p.drain().await;
    assert!(p.sent().is_empty());
}

#[tokio::test]
async fn a_site_that_cannot_be_read_is_recorded_and_the_lead_goes_on() {
    let p = MemoryPipeline::new();
    validated(&p, "L1", "logistics").await;
    p.mem
        .web
        .insert_status(&format!("https://{}/robots.txt", p.domain), 503);

    let out = p
        .handle(QueueName::Research, &p.message("L1", None))
        .await
        .unwrap();

    assert_eq!(out.decision, "researched");
    let l = p.get("L1").await;
    assert!(
        l.research.as_ref().unwrap().error.is_some(),
        "the failure is recorded"
    );
    assert!(
        l.research.as_ref().unwrap().sources.is_empty(),
        "nothing was read"
    );
    assert_eq!(p.waiting(QueueName::Outreach), vec!["L1".to_string()]);
}

#[tokio::test]
async fn research_that_loses_a_conflict_has_no_side_effect() {
    let p = MemoryPipeline::new();
    validated(&p, "L1", "logistics").await;
    p.leads
        .race_next_write(&parse_id("L1"), |l| l.notes = "edited".into());

    let out = p
        .handle(QueueName::Research, &p.message("L1", None))
        .await
        .unwrap();

    assert!(out.decision.starts_with("skipped"), "{}", out.decision);
    assert_eq!(p.get("L1").await.stage, Stage::Validated);
    assert!(p.waiting(QueueName::Outreach).is_empty());
    assert!(p.runs_of("L1").await.is_empty());
}
