//! The select stage: claims eligible new leads once, and enqueues due touches once.

use chrono::Duration;
use sqa_core::config::AgentState;
use sqa_core::domain::Stage;
use sqa_core::ports::QueueName;
use sqa_core::stages::select;
use sqa_tests::memory_pipeline::MemoryPipeline;
use std::collections::BTreeSet;
use std::sync::Arc;

#[tokio::test]
async fn selection_claims_only_eligible_leads() {
    let p = MemoryPipeline::new();
    let eligible = p.lead("L1");
    let mut wrong_status = p.lead("L2");
    wrong_status.status = "qualified".into();
    let mut too_old = p.lead("L3");
    too_old.created_at = Some(p.now() - Duration::days(30));
    let mut undated = p.lead("L4");
    undated.created_at = None;
    undated.created_at_raw = String::new();
    let mut in_flight = p.lead("L5");
    in_flight.stage = Stage::Researched;
    for l in [&eligible, &wrong_status, &too_old, &undated, &in_flight] {
        p.insert(l).await;
    }

    let report = p.select("run-a").await;

    assert_eq!(report.selected, vec!["L1".to_string()]);
    assert_eq!(
        report.not_eligible, 1,
        "only the wrong status is in the window"
    );
    let l1 = p.get("L1").await;
    assert_eq!(l1.stage, Stage::Selected);
    assert_eq!(l1.claimed_by.as_deref(), Some("run-a"));
    assert_eq!(p.waiting(QueueName::Validate), vec!["L1".to_string()]);
    for (id, stage) in [
        ("L2", Stage::New),
        ("L3", Stage::New),
        ("L4", Stage::New),
        ("L5", Stage::Researched),
    ] {
        assert_eq!(p.get(id).await.stage, stage, "{id} is left alone");
    }
    let records = p.runs_of("L1").await;
    assert_eq!(
        records.iter().filter(|r| r.stage == "select").count(),
        1,
        "one select record for the claim"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_overlapping_selection_runs_never_claim_a_lead_twice() {
    let p = Arc::new(MemoryPipeline::new());
    let ids: BTreeSet<String> = (0..40).map(|i| format!("L{i:02}")).collect();
    for id in &ids {
        p.insert(&p.lead(id)).await;
    }

    let runs: Vec<_> = ["run-a", "run-b"]
        .into_iter()
        .map(|run| {
            let p = p.clone();
            tokio::spawn(async move { select::run(&p.deps, run).await })
        })
        .collect();
    let mut reports = Vec::new();
    for r in runs {
        reports.push(r.await.unwrap().unwrap());
    }

    let a: BTreeSet<String> = reports[0].selected.iter().cloned().collect();
    let b: BTreeSet<String> = reports[1].selected.iter().cloned().collect();
    assert!(
        a.is_disjoint(&b),
        "claimed by both runs: {:?}",
        a.intersection(&b)
    );
    assert_eq!(&a | &b, ids, "every eligible lead is claimed by one run");
    let waiting = p.waiting(QueueName::Validate);
    assert_eq!(waiting.len(), ids.len(), "one validate message per lead");
    assert_eq!(waiting.iter().cloned().collect::<BTreeSet<_>>(), ids);
    for id in &ids {
        let l = p.get(id).await;
        let by = l.claimed_by.unwrap_or_default();
        assert!(
            (by == "run-a" && a.contains(id)) || (by == "run-b" && b.contains(id)),
            "{id} is claimed by {by}, which must be the run that reports it"
        );
    }
}

#[tokio::test]
async fn a_claim_that_loses_the_race_enqueues_nothing() {
    let p = MemoryPipeline::new();
    p.insert(&p.lead("L1")).await;
    // Another run claims L1 between this run's read and its write.
    let now = p.now();
    p.leads
        .race_next_write(&sqa_tests::memory_pipeline::parse_id("L1"), move |l| {
            l.stage = Stage::Selected;
            l.claimed_by = Some("run-other".into());
            l.updated_at = now;
        });

    let report = p.select("run-a").await;

    assert!(report.selected.is_empty());
    assert_eq!(report.lost_claims, 1);
    assert!(p.waiting(QueueName::Validate).is_empty(), "no side effect");
    assert!(
        p.runs_of("L1").await.is_empty(),
        "no run record of a claim not made"
    );
    assert_eq!(
        p.get("L1").await.claimed_by.as_deref(),
        Some("run-other"),
        "the winner's claim stands"
    );
}

#[tokio::test]
async fn a_due_touch_is_enqueued_once_and_a_stopped_agent_selects_nothing_new() {
    let p = MemoryPipeline::new().with_config(|c| c.state = AgentState::Stopped);
    let mut due = p.contacted("L1");
    due.next_touch_at = Some(p.now() - Duration::minutes(1));
    p.insert(&due).await;
    p.insert(&p.lead("L2")).await;

    let first = p.select("run-a").await;
    let second = p.select("run-b").await;

    assert_eq!(first.due, vec!["L1".to_string()]);
    assert!(second.due.is_empty(), "clearing the due time is the claim");
    assert!(
        first.selected.is_empty() && first.note.is_some(),
        "{first:?}"
    );
    assert_eq!(p.get("L2").await.stage, Stage::New);
    assert_eq!(p.waiting(QueueName::Outreach), vec!["L1".to_string()]);
    assert_eq!(p.get("L1").await.next_touch_at, None);
}

/// A lead left waiting for its next stage's message since before the sweep's grace period.
fn stalled(p: &MemoryPipeline, id: &str, stage: Stage) -> sqa_core::domain::Lead {
    let mut l = p.lead(id);
    l.stage = stage;
    l.claimed_by = Some("run-that-died".into());
    if stage != Stage::Selected {
        l.validation = Some(sqa_core::agents::email::check(&l.email));
    }
    l.updated_at = p.now() - select::SWEEP_AFTER - Duration::minutes(1);
    l
}

#[tokio::test]
async fn a_lead_a_crash_left_waiting_without_its_message_is_resent_once_and_goes_on() {
    let p = MemoryPipeline::new();
    // Claimed, validated and researched by runs that died before their enqueue (on AWS the
    // write and the message are not one transaction).
    p.insert(&stalled(&p, "L1", Stage::Selected)).await;
    p.insert(&stalled(&p, "L2", Stage::Validated)).await;
    p.insert(&stalled(&p, "L3", Stage::Researched)).await;
    // Claimed a moment ago: its message may only be slow.
    let mut fresh = p.lead("L4");
    fresh.stage = Stage::Selected;
    fresh.updated_at = p.now() - Duration::minutes(2);
    p.insert(&fresh).await;

    let first = p.select("run-a").await;
    let resent: BTreeSet<String> = first.resent.iter().cloned().collect();
    assert_eq!(
        resent,
        ["L1", "L2", "L3"].map(String::from).into(),
        "{first:?}"
    );
    assert_eq!(p.waiting(QueueName::Validate), vec!["L1".to_string()]);
    assert_eq!(p.waiting(QueueName::Research), vec!["L2".to_string()]);
    assert_eq!(p.waiting(QueueName::Outreach), vec!["L3".to_string()]);
    let second = p.select("run-b").await;
    assert!(
        second.resent.is_empty(),
        "the sweep's write is its claim: resent once per grace period: {second:?}"
    );

    p.drain().await;
    for id in ["L1", "L2", "L3"] {
        let l = p.get(id).await;
        assert_eq!(l.stage, Stage::Contacted, "{id}: {l:?}");
        assert_eq!(
            p.sent_to(&l.email).len(),
            1,
            "{id} gets its first email once"
        );
    }
    assert_eq!(p.get("L4").await.stage, Stage::Selected);
    assert!(p.waiting(QueueName::Validate).is_empty());
}

#[tokio::test]
async fn a_resent_message_whose_first_copy_was_only_slow_is_handled_once() {
    let p = MemoryPipeline::new();
    p.insert(&stalled(&p, "L1", Stage::Selected)).await;
    // The first message was sent after all, and waited in a long queue.
    p.enqueue_stage(QueueName::Validate, "L1", None).await;

    let report = p.select("run-a").await;
    assert_eq!(report.resent, vec!["L1".to_string()]);
    assert_eq!(p.waiting(QueueName::Validate).len(), 2);

    p.drain().await;
    let l = p.get("L1").await;
    assert_eq!(l.stage, Stage::Contacted);
    assert_eq!(p.sent_to(&l.email).len(), 1, "one email for touch 1");
    let runs = p.runs_of("L1").await;
    for stage in ["validate", "research", "outreach"] {
        assert_eq!(
            runs.iter().filter(|r| r.stage == stage).count(),
            1,
            "{stage} ran once: {runs:?}"
        );
    }
}

#[tokio::test]
async fn a_lead_whose_stage_failed_for_good_is_not_resent() {
    let p = MemoryPipeline::new();
    let mut l = stalled(&p, "L1", Stage::Selected);
    l.blocked = Some(sqa_core::domain::Blocked::StageFailed {
        stage: "validate".into(),
        error: "refused".into(),
    });
    p.insert(&l).await;
    let report = p.select("run-a").await;
    assert!(report.resent.is_empty(), "a person decides: {report:?}");
    assert!(p.waiting(QueueName::Validate).is_empty());
}

#[tokio::test]
async fn a_control_share_leaves_a_stable_share_of_selected_leads_to_their_owners() {
    let p = MemoryPipeline::new().with_config(|c| {
        c.selection.control_share = 0.2;
        c.selection.max_per_run = 500;
    });
    let ids: Vec<String> = (0..200).map(|i| format!("L{i:03}")).collect();
    for id in &ids {
        p.insert(&p.lead(id)).await;
    }
    let report = p.select("run-c").await;
    assert_eq!(report.selected.len() + report.control.len(), ids.len());
    // 20 % of 200 = 40, within a binomial spread.
    assert!(
        (20..=60).contains(&report.control.len()),
        "{} in the control group",
        report.control.len()
    );
    // The group is the keyed hash of the id: the same with the same secret, every time.
    let secret = p.deps.secret.to_string();
    for id in &ids {
        let lead_id = sqa_core::LeadId::parse(id).expect("id");
        let expected = select::in_control_group(&secret, &lead_id, 0.2);
        assert_eq!(report.control.contains(id), expected, "{id}");
        let lead = p.get(id).await;
        assert_eq!(lead.control, expected, "{id} carries its group");
        if expected {
            assert_eq!(lead.stage, Stage::HandedOver, "{id} went to its owner");
            assert!(lead.touches.is_empty() && lead.research.is_none());
            let records = p.runs_of(id).await;
            let select = records
                .iter()
                .find(|r| r.stage == "select")
                .expect("select");
            assert_eq!(select.decision, "control");
            assert!(select.reasons.iter().any(|r| r.contains("control group")));
        } else {
            assert_eq!(lead.stage, Stage::Selected);
        }
    }
    // Control leads are never sent to validation, and the agent never writes to them.
    let waiting: BTreeSet<String> = p.waiting(QueueName::Validate).into_iter().collect();
    assert_eq!(waiting, report.selected.iter().cloned().collect());
    p.run().await;
    for id in &report.control {
        let lead = p.get(id).await;
        assert_eq!(lead.stage, Stage::HandedOver);
        assert_eq!(lead.emails_sent(), 0, "{id} was not contacted");
    }
    // Metrics: the control leads form their own group, not the agent's handovers.
    let now = p.now();
    let m = sqa_core::metrics::compute(&p.deps, now - Duration::days(7), now + Duration::days(1))
        .await
        .expect("metrics");
    let c = m.control_group.expect("a control group");
    assert_eq!(c.control.leads, report.control.len() as u64);
    assert_eq!(c.agent.leads, report.selected.len() as u64);
    assert_eq!(c.control.handed_over, 0);
    let handed = m
        .funnel
        .iter()
        .find(|(n, _)| n == "handed_over")
        .expect("funnel")
        .1;
    assert_eq!(handed, c.agent.handed_over);
    assert!((c.handover_uplift - (c.agent.handover_rate - c.control.handover_rate)).abs() < 1e-12);
}

#[tokio::test]
async fn without_a_control_share_no_lead_is_left_out_and_no_comparison_is_shown() {
    let p = MemoryPipeline::new();
    for i in 0..20 {
        p.insert(&p.lead(&format!("L{i:02}"))).await;
    }
    let report = p.select("run-d").await;
    assert_eq!(report.selected.len(), 20);
    assert!(report.control.is_empty());
    let now = p.now();
    let m = sqa_core::metrics::compute(&p.deps, now - Duration::days(7), now + Duration::days(1))
        .await
        .expect("metrics");
    assert_eq!(m.control_group, None);
}
