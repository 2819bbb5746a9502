//! The `RunLog` contract.

use super::{Run, ok};
use chrono::Duration;
use sqa_core::domain::LeadId;
use sqa_core::ports::{RunLog, RunRecord};

/// Checks every MUST of `RunLog`.
pub async fn run_log(log: &dyn RunLog) {
    let run = Run::new("runs");
    let t0 = run.time_base();
    let lead = run.id("lead");
    let other_lead = run.id("other");
    let run_id = format!("run-{}", run.prefix);
    let other_run = format!("run2-{}", run.prefix);

    let rec = |lead_id: Option<&LeadId>, run_id: &str, secs: i64, decision: &str| RunRecord {
        run_id: run_id.to_string(),
        lead_id: lead_id.cloned(),
        stage: "validate".into(),
        decision: decision.into(),
        reasons: vec!["a reason — ünïcödé".into()],
        inputs_digest: "ab".repeat(32),
        at: t0 + Duration::seconds(secs),
        duration_ms: 12,
        model: Some("offline".into()),
        prompt_version: None,
        tokens_in: 3,
        tokens_out: 4,
        error: None,
        // A model call must survive the store as written (cost as a float, a fallback).
        model_calls: vec![sqa_core::ports::ModelCall {
            task: sqa_core::ports::ModelTask::Classify,
            provider: "openai".into(),
            model: "m".into(),
            prompt: "classify@0123456789ab".into(),
            tokens_in: 3,
            tokens_out: 4,
            latency_ms: 250,
            cost: 0.000_125,
            fallback: Some("failed a check: an opt-out is never removed".into()),
        }],
    };
    // Appended out of time order, with a tie and an exact duplicate.
    let r3 = rec(Some(&lead), &run_id, 30, "third");
    let r1 = rec(Some(&lead), &run_id, 10, "first");
    let r2a = rec(Some(&lead), &other_run, 20, "tie-a");
    let r2b = rec(Some(&lead), &run_id, 20, "tie-b");
    let dup = r1.clone();
    let x = rec(Some(&other_lead), &run_id, 15, "other lead");
    let no_lead = rec(None, &run_id, 5, "no lead");
    for r in [&r3, &r1, &r2a, &r2b, &dup, &x, &no_lead] {
        ok(log.append(r).await, "append");
    }

    let got = ok(log.for_lead(&lead).await, "for_lead");
    assert_eq!(
        got,
        vec![
            r1.clone(),
            dup.clone(),
            r2a.clone(),
            r2b.clone(),
            r3.clone()
        ],
        "for_lead MUST return every record of the lead (duplicates kept) in time order, ties \
         in append order"
    );
    let got = ok(log.for_run(&run_id).await, "for_run");
    assert_eq!(
        got,
        vec![no_lead, r1, dup, x, r2b, r3],
        "for_run MUST return every record of the run in time order"
    );
    let none = ok(log.for_lead(&run.id("nobody")).await, "for_lead unknown");
    assert!(none.is_empty(), "for_lead of an unknown lead MUST be empty");
    let none = ok(
        log.for_run(&format!("none-{run_id}")).await,
        "for_run unknown",
    );
    assert!(none.is_empty(), "for_run of an unknown run MUST be empty");
}
