//! `sqa check`: the workspace's integrity, as a crash or a relay may have left it.
//!
//! Problems (exit 1, each named on standard error):
//! - a lead waiting for its next stage's message (`Lead::waiting_since`) with no such
//!   message queued, visible or in flight: the lead would wait for good;
//! - a touch or a seller's notice left `sending` (the send's result never recorded);
//! - a touch recorded `sent` with no send record in the store (`sent_mail`);
//! - a staged message left in the outbox (`outbox.staging/`) after the recovery at start;
//! - messages in the dead letters, and per-stage counts that differ from the leads.
//!
//! Notes (not problems): touches whose send is `unknown` (a person decides), messages in
//! flight.

use super::exit;
use crate::local::{OUTBOX, Workspace};
use crate::out::{self, errln, outln};
use anyhow::Result;
use serde_json::json;
use sqa_core::domain::{LeadId, Stage, TouchState};
use sqa_core::ports::{LeadFilter, QueueName};
use sqa_core::stages::StageMessage;
use sqa_local::FileMailer;
use std::collections::{BTreeMap, HashSet};

/// The queue whose message a waiting lead needs.
fn awaited(stage: Stage) -> Option<QueueName> {
    match stage {
        Stage::Selected => Some(QueueName::Validate),
        Stage::Validated => Some(QueueName::Research),
        Stage::Researched => Some(QueueName::Outreach),
        _ => None,
    }
}

pub async fn check(ws: &Workspace, json: bool) -> Result<i32> {
    let mut problems: Vec<String> = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    let store = &ws.store;

    let mut queued: BTreeMap<QueueName, HashSet<LeadId>> = BTreeMap::new();
    let mut messages = 0usize;
    for q in [
        QueueName::Validate,
        QueueName::Research,
        QueueName::Outreach,
    ] {
        let bodies = store.queued_bodies(q)?;
        messages += bodies.len();
        let ids = bodies
            .iter()
            .filter_map(|b| serde_json::from_str::<StageMessage>(b).ok())
            .map(|m| m.lead_id)
            .collect();
        queued.insert(q, ids);
    }
    for q in QueueName::ALL {
        let dead = ws.deps.ports.queue.dead_letters(q).await?.len();
        if dead > 0 {
            problems.push(format!(
                "{dead} message(s) in the {} dead letters",
                q.as_str()
            ));
        }
    }
    let in_flight = super::run::in_flight(ws).await?;
    if in_flight > 0 {
        notes.push(format!("{in_flight} message(s) in flight"));
    }

    let mut leads = 0u64;
    let mut counted: BTreeMap<Stage, u64> = BTreeMap::new();
    let mut sent = 0u64;
    let mut cursor = None;
    loop {
        let page = ws
            .deps
            .ports
            .leads
            .list(&LeadFilter::default(), cursor, 500)
            .await?;
        for lead in &page.items {
            leads += 1;
            *counted.entry(lead.stage).or_default() += 1;
            if lead.waiting_since().is_some()
                && let Some(q) = awaited(lead.stage)
                && !queued.get(&q).is_some_and(|ids| ids.contains(&lead.id))
            {
                problems.push(format!(
                    "lead {} is {} with no {} message queued",
                    lead.id,
                    lead.stage,
                    q.as_str()
                ));
            }
            for t in &lead.touches {
                match t.state {
                    TouchState::Sending => problems.push(format!(
                        "lead {}: touch {} ({}) is left sending",
                        lead.id, t.n, t.message_id
                    )),
                    TouchState::Unknown => notes.push(format!(
                        "lead {}: touch {} may or may not have been sent (a person decides)",
                        lead.id, t.n
                    )),
                    TouchState::Sent => {
                        sent += 1;
                        if !store.mail_sent(&FileMailer::name_of(&t.message_id))? {
                            problems.push(format!(
                                "lead {}: touch {} is sent but the store has no send record of {}",
                                lead.id, t.n, t.message_id
                            ));
                        }
                    }
                    _ => {}
                }
            }
            if let Some(h) = &lead.handover
                && h.notice == TouchState::Sending
            {
                problems.push(format!(
                    "lead {}: the seller's notice is left sending",
                    lead.id
                ));
            }
        }
        match page.next {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    let counts = ws.deps.ports.leads.count_by_stage().await?;
    for s in Stage::ALL {
        let (have, want) = (
            counts.get(&s).copied().unwrap_or(0),
            counted.get(&s).copied().unwrap_or(0),
        );
        if have != want {
            problems.push(format!(
                "the count of {s} leads says {have}, the leads are {want}"
            ));
        }
    }
    let staged = std::fs::read_dir(sqa_local::store::staging_dir(&ws.dir.join(OUTBOX)))
        .map(|d| d.count())
        .unwrap_or(0);
    if staged > 0 {
        problems.push(format!("{staged} staged message(s) left in the outbox"));
    }
    let records = store.mail_sent_count()?;

    if json {
        out::json(&json!({
            "ok": problems.is_empty(),
            "leads": leads,
            "queued": messages,
            "in_flight": in_flight,
            "sent_touches": sent,
            "send_records": records,
            "problems": problems,
            "notes": notes,
        }))?;
    } else {
        for n in &notes {
            outln!("note: {n}")?;
        }
        for p in &problems {
            errln!("problem: {p}")?;
        }
        if problems.is_empty() {
            outln!(
                "integrity ok: {leads} lead(s), {messages} queued message(s), {sent} sent touch(es), {records} send record(s)"
            )?;
        } else {
            errln!("{} problem(s)", problems.len())?;
        }
    }
    Ok(if problems.is_empty() {
        exit::DONE
    } else {
        exit::FAILED
    })
}
