//! The queue runner: receives messages from the `Queue` port and hands each to its stage,
//! like Lambda's event source mapping does on AWS. Used by the embedded default (`sqa run`)
//! and by tests; the Lambda functions get their batches from SQS instead and share
//! `settle`, so both backends treat failures the same way.

use super::{Outcome, StageError, handle};
use crate::domain::LeadId;
use crate::ports::{Deps, QueueName, StoreError};
use serde::Serialize;
use std::collections::BTreeMap;

/// What draining the queues did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DrainReport {
    /// Messages handled, per queue.
    pub handled: BTreeMap<String, u64>,
    /// Permanent failures (recorded on the lead and acknowledged).
    pub failed: Vec<String>,
    /// Transient failures left for a retry.
    pub retried: u64,
    /// Decisions, counted.
    pub decisions: BTreeMap<String, u64>,
}

/// How a message ended, for the queue.
#[derive(Debug, PartialEq, Eq)]
pub enum Settled {
    /// Done (or failed for good and recorded): delete it.
    Ack,
    /// Try again later: leave it (or make it visible again).
    Retry,
}

/// Record the result of one message: a permanent error is written on the lead (when the
/// body names one) and acknowledged, a transient one is retried.
pub async fn settle(
    deps: &Deps,
    queue: QueueName,
    body: &str,
    result: &Result<Outcome, StageError>,
) -> Settled {
    match result {
        Ok(_) => Settled::Ack,
        Err(StageError::Transient(e)) => {
            tracing::warn!(queue = queue.as_str(), error = %e, "transient failure; will retry");
            Settled::Retry
        }
        Err(StageError::Conflict(what)) => {
            tracing::info!(queue = queue.as_str(), conflict = %what, "the lead changed meanwhile; will retry");
            Settled::Retry
        }
        Err(StageError::Permanent(e)) => {
            tracing::error!(queue = queue.as_str(), error = %e, "permanent failure; recorded and acknowledged");
            let lead_id = serde_json::from_str::<serde_json::Value>(body)
                .ok()
                .and_then(|v| {
                    v.get("lead_id")
                        .and_then(|x| x.as_str())
                        .map(str::to_string)
                })
                .and_then(|s| LeadId::parse(&s).ok());
            if let Some(id) = lead_id {
                record_on_lead(deps, queue, &id, &format!("{e:#}")).await;
            }
            Settled::Ack
        }
    }
}

/// Write a permanent failure on its lead: a run record, and `blocked` so that a person sees
/// it. The message is acknowledged whatever happens here, so each write that fails is logged
/// once with the lead id; a conflicting write (the lead changed meanwhile) is tried again.
async fn record_on_lead(deps: &Deps, queue: QueueName, id: &LeadId, error: &str) {
    const ATTEMPTS: usize = 3;
    let mut step = super::Step::start(deps, "errors", Some(id), queue.as_str());
    step.record.error = Some(error.to_string());
    if let Err(e) = step.finish(deps, "error", vec![error.to_string()]).await {
        tracing::error!(lead_id = %id, queue = queue.as_str(), error = %e,
            "failed to write the run record of a permanent failure");
    }
    for attempt in 1..=ATTEMPTS {
        let mut lead = match deps.ports.leads.get(id).await {
            Ok(Some(lead)) => lead,
            Ok(None) => {
                tracing::error!(lead_id = %id, queue = queue.as_str(),
                    "the lead of a permanent failure is not in the store; the failure is not recorded on it");
                return;
            }
            Err(e) => {
                tracing::error!(lead_id = %id, queue = queue.as_str(), error = %e,
                    "failed to read the lead to record a permanent failure on it");
                return;
            }
        };
        let expected = crate::lifecycle::Expected::of(&lead);
        lead.blocked = Some(crate::domain::Blocked::StageFailed {
            stage: queue.as_str().to_string(),
            error: error.to_string(),
        });
        match deps.ports.leads.update(&lead, expected).await {
            Ok(_) => return,
            Err(StoreError::Conflict(_)) if attempt < ATTEMPTS => {}
            Err(e) => {
                tracing::error!(lead_id = %id, queue = queue.as_str(), error = %e, attempt,
                    "failed to record a permanent failure on the lead");
                return;
            }
        }
    }
}

/// Messages received at once: at least ten, and a multiple of the model's concurrency, so
/// that a batch whose messages each wait on a model call keeps every permitted call busy
/// (ten messages at four calls at a time would leave two slots idle in the last wave).
pub fn batch_size(model_concurrency: usize) -> usize {
    let c = model_concurrency.max(1);
    10usize.div_ceil(c) * c
}

/// Receive and handle messages until every queue is empty (or `max_rounds` passes).
pub async fn drain(
    deps: &Deps,
    max_rounds: usize,
    mut progress: impl FnMut(QueueName, &Result<Outcome, StageError>),
) -> Result<DrainReport, StageError> {
    let mut report = DrainReport::default();
    let size = batch_size(deps.config.model.concurrency);
    for _ in 0..max_rounds {
        let mut any = false;
        for queue in QueueName::ALL {
            loop {
                let batch = deps.ports.queue.receive(queue, size).await?;
                if batch.is_empty() {
                    break;
                }
                any = true;
                // One commit for the whole batch where that is safe (see `Queue::begin_batch`):
                // the writes of ten messages cost about what one message's did.
                let grouped = deps.ports.mailer.idempotent();
                if grouped {
                    deps.ports.queue.begin_batch().await?;
                }
                let handled = handle_batch(deps, queue, batch, &mut report, &mut progress).await;
                if grouped {
                    deps.ports.queue.end_batch().await?;
                }
                handled?;
            }
        }
        if !any {
            break;
        }
    }
    Ok(report)
}

/// Handle one batch: the messages are independent (each is one lead), so they run
/// concurrently, like Lambda's event source mapping hands a batch to one invocation that may
/// work it in parallel. Each result is settled (acknowledged or left for a retry) as it comes.
async fn handle_batch(
    deps: &Deps,
    queue: QueueName,
    batch: Vec<crate::ports::Delivery>,
    report: &mut DrainReport,
    progress: &mut impl FnMut(QueueName, &Result<Outcome, StageError>),
) -> Result<(), StageError> {
    let mut set = tokio::task::JoinSet::new();
    for d in batch {
        let deps = deps.clone();
        set.spawn(async move {
            let result = handle(queue, &d.body, &deps).await;
            (d, result)
        });
    }
    while let Some(joined) = set.join_next().await {
        let (d, result) = match joined {
            Ok(pair) => pair,
            Err(e) => {
                // A panic in one handler: the message stays on the queue and
                // comes back after its visibility timeout (then dead letters).
                report
                    .failed
                    .push(format!("{}: handler panicked: {e}", queue.as_str()));
                continue;
            }
        };
        progress(queue, &result);
        *report
            .handled
            .entry(queue.as_str().to_string())
            .or_default() += 1;
        match &result {
            Ok(o) => {
                let key = o.decision.clone();
                *report
                    .decisions
                    .entry(format!("{}:{key}", queue.as_str()))
                    .or_default() += 1;
            }
            Err(StageError::Permanent(e)) => {
                report.failed.push(format!("{}: {e:#}", queue.as_str()))
            }
            Err(StageError::Transient(_) | StageError::Conflict(_)) => report.retried += 1,
        }
        match settle(deps, queue, &d.body, &result).await {
            Settled::Ack => deps.ports.queue.ack(queue, &d.receipt).await?,
            Settled::Retry => {
                deps.ports
                    .queue
                    .retry_later(queue, &d.receipt, retry_delay(&result, d.receive_count))
                    .await?
            }
        }
    }
    Ok(())
}

/// Seconds before a message that failed for now comes back: at once after a conflict (the
/// lead changed: read it again), else 5 s doubled with each receive up to 5 minutes, so that
/// a mail server answering `4xx` or down is not hammered, and a drain does not spend the
/// message's receives in a second.
pub fn retry_delay(result: &Result<Outcome, StageError>, receive_count: u32) -> u32 {
    match result {
        Err(StageError::Transient(_)) => 5u32
            .saturating_mul(1 << receive_count.saturating_sub(1).min(6))
            .min(300),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::batch_size;

    #[test]
    fn a_transient_failure_comes_back_later_each_time_and_a_conflict_at_once() {
        use super::{StageError, retry_delay};
        let transient = Err(StageError::Transient(anyhow::anyhow!("451")));
        let delays: Vec<u32> = (1..=8).map(|n| retry_delay(&transient, n)).collect();
        assert_eq!(delays, [5, 10, 20, 40, 80, 160, 300, 300]);
        let conflict = Err(StageError::Conflict("v".into()));
        assert_eq!(retry_delay(&conflict, 3), 0);
    }

    #[test]
    fn a_batch_is_a_multiple_of_the_model_concurrency_and_at_least_ten() {
        assert_eq!(batch_size(1), 10);
        assert_eq!(batch_size(4), 12);
        assert_eq!(batch_size(10), 10);
        assert_eq!(batch_size(32), 32);
        assert_eq!(batch_size(0), 10);
    }
}
