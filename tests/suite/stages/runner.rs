//! The runner: the whole loop on memory, failures settled the same way as on Lambda, and the
//! invariants that hold across stages (a run record per step, no scan of the lead table).

use sqa_core::domain::{Stage, TouchState};
use sqa_core::ports::{Queue, QueueName};
use sqa_core::stages::AuthVerdicts;
use sqa_tests::memory::Failure;
use sqa_tests::memory_pipeline::{MemoryPipeline, is_blocked};

#[tokio::test]
async fn a_new_lead_goes_from_selection_to_its_first_email() {
    let p = MemoryPipeline::new();
    let lead = p.lead("L1");
    p.insert(&lead).await;

    let report = p.run().await;

    let after = p.get("L1").await;
    assert_eq!(after.stage, Stage::Contacted, "{report:?}");
    assert_eq!(p.sent_to(&lead.email).len(), 1);
    assert_eq!(after.touches.len(), 1);
    assert_eq!(after.touches[0].state, TouchState::Sent);
    assert!(
        report.failed.is_empty() && report.retried == 0,
        "{report:?}"
    );
    for q in QueueName::ALL {
        assert!(p.mem.queue.is_empty(q), "{} is drained", q.as_str());
    }
}

#[tokio::test]
async fn every_step_on_a_lead_writes_a_run_record() {
    let p = MemoryPipeline::new();
    let lead = p.lead("L1");
    p.insert(&lead).await;
    p.run().await;
    let reply = p.reply_from(
        &lead,
        "<r1@customer.example>",
        "How much does it cost per month?",
    );
    p.inbound("inbound/r1", &reply, AuthVerdicts::default())
        .await;

    let records = p.runs_of("L1").await;

    let stages: Vec<&str> = records.iter().map(|r| r.stage.as_str()).collect();
    for want in [
        "select", "validate", "research", "fit", "outreach", "engage",
    ] {
        assert!(stages.contains(&want), "no {want} record in {stages:?}");
    }
    for r in &records {
        assert!(!r.decision.is_empty(), "a record without a decision: {r:?}");
        assert!(
            r.inputs_digest.len() == 64 && r.inputs_digest.bytes().all(|b| b.is_ascii_hexdigit()),
            "every record carries the sha256 of its inputs: {r:?}"
        );
        assert_eq!(r.lead_id.as_ref(), Some(&lead.id));
    }
    for stage in ["outreach", "engage"] {
        let r = records.iter().find(|r| r.stage == stage).unwrap();
        assert!(
            r.model.is_some() && r.prompt_version.is_some(),
            "a step that asked the model names it and the prompt version: {r:?}"
        );
    }
}

#[tokio::test]
async fn no_stage_scans_the_lead_table() {
    let p = MemoryPipeline::new();
    for i in 0..5 {
        p.insert(&p.lead(&format!("L{i}"))).await;
    }
    p.run().await;
    let lead = p.get("L0").await;
    let reply = p.reply_from(
        &lead,
        "<r1@customer.example>",
        "Can we book a demo next week?",
    );
    p.inbound("inbound/r1", &reply, AuthVerdicts::default())
        .await;
    p.mem.clock.advance(chrono::Duration::days(4));
    p.select("follow-ups").await;
    p.drain().await;

    assert!(
        p.get("L1").await.touches.len() >= 2,
        "the follow-up went out"
    );
    assert_eq!(
        p.leads.scans(),
        0,
        "selection, follow-ups and replies use their indexes, never a scan"
    );
}

#[tokio::test]
async fn every_stage_change_the_stages_write_is_in_the_transition_table() {
    let p = MemoryPipeline::new();
    for i in 0..6 {
        p.insert(&p.lead(&format!("L{i}"))).await;
    }
    let mut excluded = p.lead("X1");
    excluded.industry = "gambling".into();
    p.insert(&excluded).await;
    p.run().await;
    for (i, text) in [
        "Could we set up a demo next week? Thursday afternoon works for me.",
        "Please remove me from your mailing list.",
        "Not now, maybe in Q3.",
        "No thanks, we are not interested.",
        "How much does Ledger Close cost per month for our team?",
    ]
    .into_iter()
    .enumerate()
    {
        let lead = p.get(&format!("L{i}")).await;
        let reply = p.reply_from(&lead, &format!("<r{i}@customer.example>"), text);
        p.inbound(&format!("inbound/r{i}"), &reply, AuthVerdicts::default())
            .await;
    }
    p.mem.clock.advance(chrono::Duration::days(4));
    p.select("follow-ups").await;
    p.drain().await;

    let moves = p.leads.moves();
    assert!(moves.len() > 20, "the loop moved leads: {moves:?}");
    for (id, from, to) in &moves {
        assert!(
            sqa_core::lifecycle::allowed(*from, *to),
            "{id} was written {from} → {to}, which the transition table does not allow"
        );
    }
    let ends: Vec<Stage> = moves.iter().map(|(_, _, to)| *to).collect();
    for stage in [
        Stage::HandedOver,
        Stage::Suppressed,
        Stage::Nurture,
        Stage::Disqualified,
    ] {
        assert!(ends.contains(&stage), "no lead reached {stage}: {moves:?}");
    }
}

#[tokio::test]
async fn a_permanent_failure_is_recorded_on_the_lead_and_acknowledged() {
    // A config whose own prohibited phrases the offline draft uses: that draft can never be
    // sent, a permanent failure. (A model's draft that fails them is replaced by the offline
    // one before it gets this far.)
    let p = MemoryPipeline::new().with_config(|c| {
        c.guardrails
            .prohibited_phrases
            .push("two days instead of five".into());
    });
    let mut lead = p.contacted("L1");
    lead.stage = Stage::Researched;
    lead.touches.clear();
    p.insert(&lead).await;
    p.enqueue_stage(QueueName::Outreach, "L1", None).await;

    let report = p.drain().await;

    assert_eq!(report.failed.len(), 1, "{report:?}");
    assert!(p.mem.queue.is_empty(QueueName::Outreach), "acknowledged");
    assert!(
        p.mem
            .queue
            .dead_letters(QueueName::Outreach)
            .await
            .unwrap()
            .is_empty(),
        "never retried into the dead letters"
    );
    assert!(p.sent().is_empty());
    let after = p.get("L1").await;
    assert!(
        is_blocked(&after),
        "the failure is on the lead for a person"
    );
    let records = p.runs_of("L1").await;
    assert!(
        records.iter().any(|r| r.error.is_some()),
        "and in its run records: {records:?}"
    );
}

#[tokio::test]
async fn a_malformed_message_is_recorded_and_acknowledged() {
    let p = MemoryPipeline::new();
    for q in [QueueName::Validate, QueueName::Outreach, QueueName::Engage] {
        p.enqueue(q, "{not json".to_string()).await;
    }
    p.enqueue(
        QueueName::Research,
        r#"{"v": 99, "lead_id": "L1", "run_id": "r"}"#.into(),
    )
    .await;

    let report = p.drain().await;

    assert_eq!(report.failed.len(), 4, "{report:?}");
    assert_eq!(report.retried, 0);
    for q in QueueName::ALL {
        assert!(p.mem.queue.is_empty(q), "{} acknowledged", q.as_str());
        assert!(p.mem.queue.dead_letters(q).await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn a_message_that_keeps_failing_transiently_ends_in_the_dead_letters_unsent() {
    let p = MemoryPipeline::new();
    let mut lead = p.contacted("L1");
    lead.stage = Stage::Researched;
    lead.touches.clear();
    p.insert(&lead).await;
    p.mem.mailer.fail_with(Some(Failure::Transient));
    p.enqueue_stage(QueueName::Outreach, "L1", None).await;

    // Each failure puts the message back with a longer delay (5 s, 10 s, …): one drain tries
    // it once, and time passing brings it back.
    let max = p.mem.queue.max_receives() as u64;
    let mut retried = 0;
    for _ in 0..=max {
        let report = p.drain().await;
        assert!(report.retried <= 1, "not retried at once: {report:?}");
        retried += report.retried;
        p.mem.queue.expire_delays();
    }
    assert_eq!(retried, max, "retried up to the threshold");
    let dead = p.mem.queue.dead_letters(QueueName::Outreach).await.unwrap();
    assert_eq!(dead.len(), 1, "then moved to the dead letters");
    let after = p.get("L1").await;
    assert!(p.sent().is_empty());
    assert!(
        after.touches.iter().all(|t| t.state != TouchState::Sending),
        "a send the provider never accepted leaves no intent behind: {:?}",
        after.touches
    );
    assert!(
        !is_blocked(&after),
        "a transient failure is not the lead's problem"
    );
}
