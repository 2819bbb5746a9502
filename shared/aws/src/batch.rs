//! The SQS batch helper every queue-fed function uses.
//!
//! Each record is parsed and handled on its own, at most `concurrency` at a time; a panic in
//! one record is caught and reported as that record's failure. Permanent errors are recorded
//! on the lead and acknowledged (the core's `runner::settle`, shared with the local runner);
//! transient ones are reported in `batchItemFailures`, which needs `ReportBatchItemFailures`
//! on the event source mapping (the template test checks it).
//!
//! A failure is never reported with an empty identifier: Lambda would fail the whole batch
//! for it anyway. A record without a `messageId` that needs a retry therefore fails the
//! invocation (everything is redelivered; the core's conditional writes make the repeats
//! harmless).

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use futures_util::FutureExt;
use futures_util::stream::{self, StreamExt};
use sqa_core::ports::{Deps, QueueName};
use sqa_core::stages::runner::{Settled, settle};
use sqa_core::stages::{Outcome, StageError};
use std::future::Future;
use std::panic::AssertUnwindSafe;
use tracing::Instrument;

/// The batch could not be answered record by record.
#[derive(Debug, thiserror::Error)]
#[error("{0} record(s) without a messageId failed and need a retry: failing the whole batch")]
pub struct WholeBatchFailed(pub usize);

impl From<WholeBatchFailed> for lambda_runtime::Diagnostic {
    fn from(e: WholeBatchFailed) -> Self {
        lambda_runtime::Diagnostic {
            error_type: "WholeBatchFailed".into(),
            error_message: e.to_string(),
        }
    }
}

/// How one record ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordResult {
    pub message_id: Option<String>,
    pub retry: bool,
    pub decision: String,
}

/// Handle every record of `event` with `handler` (given the record's body). `queue` names
/// the stage queue whose messages carry a `lead_id` (for recording permanent errors on the
/// lead); `None` for queues fed by SNS notifications.
pub async fn handle_batch<F, Fut>(
    deps: &Deps,
    queue: Option<QueueName>,
    event: SqsEvent,
    concurrency: usize,
    handler: F,
) -> Result<SqsBatchResponse, WholeBatchFailed>
where
    F: Fn(String) -> Fut,
    Fut: Future<Output = Result<Outcome, StageError>>,
{
    let results = run_records(deps, queue, event.records, concurrency, &handler).await;
    let mut response = SqsBatchResponse::default();
    let mut anonymous = 0;
    for r in results {
        if !r.retry {
            continue;
        }
        match r.message_id {
            Some(id) => response.add_failure(id),
            None => anonymous += 1,
        }
    }
    if anonymous > 0 {
        tracing::error!(records = anonymous, "records without messageId failed");
        return Err(WholeBatchFailed(anonymous));
    }
    Ok(response)
}

/// Handle the records and say for each whether it must come back.
pub async fn run_records<F, Fut>(
    deps: &Deps,
    queue: Option<QueueName>,
    records: Vec<SqsMessage>,
    concurrency: usize,
    handler: &F,
) -> Vec<RecordResult>
where
    F: Fn(String) -> Fut,
    Fut: Future<Output = Result<Outcome, StageError>>,
{
    stream::iter(records)
        .map(|record| one_record(deps, queue, record, handler))
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await
}

async fn one_record<F, Fut>(
    deps: &Deps,
    queue: Option<QueueName>,
    record: SqsMessage,
    handler: &F,
) -> RecordResult
where
    F: Fn(String) -> Fut,
    Fut: Future<Output = Result<Outcome, StageError>>,
{
    let message_id = record.message_id.clone().filter(|id| !id.trim().is_empty());
    let body = record.body.clone().unwrap_or_default();
    let lead_id = lead_id_of(&body);
    let span = tracing::info_span!(
        "record",
        message_id = message_id.as_deref().unwrap_or(""),
        lead_id = lead_id.as_deref().unwrap_or(""),
        queue = queue.map(|q| q.as_str()).unwrap_or("notification"),
    );
    async move {
        let result = if record.body.is_none() {
            Err(StageError::permanent("the SQS record has no body"))
        } else {
            match AssertUnwindSafe(handler(body.clone())).catch_unwind().await {
                Ok(r) => r,
                // A panic is a bug, not bad data: retry, and let the dead-letter queue (and
                // its alarm) catch a record that panics every time.
                Err(panic) => Err(StageError::Transient(anyhow::anyhow!(
                    "the handler panicked: {}",
                    panic_message(panic.as_ref())
                ))),
            }
        };
        let settled = match queue {
            Some(q) => settle(deps, q, &body, &result).await,
            None => match &result {
                Ok(_) => Settled::Ack,
                Err(StageError::Transient(e)) => {
                    tracing::warn!(error = %format!("{e:#}"), "transient failure; will retry");
                    Settled::Retry
                }
                Err(StageError::Permanent(e)) => {
                    tracing::error!(error = %format!("{e:#}"), "permanent failure; acknowledged");
                    Settled::Ack
                }
            },
        };
        let decision = match &result {
            Ok(o) => {
                tracing::info!(decision = %o.decision, "handled");
                o.decision.clone()
            }
            Err(StageError::Transient(_)) => "retry".to_string(),
            Err(StageError::Permanent(_)) => "failed".to_string(),
        };
        RecordResult {
            message_id,
            retry: settled == Settled::Retry,
            decision,
        }
    }
    .instrument(span)
    .await
}

fn lead_id_of(body: &str) -> Option<String> {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()?
        .get("lead_id")?
        .as_str()
        .map(str::to_string)
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "(no message)".to_string()
    }
}

/// The whole handler of a stage queue (validate, research, outreach, handover).
pub async fn stage_batch(
    queue: QueueName,
    event: SqsEvent,
    deps: &Deps,
    concurrency: usize,
) -> Result<SqsBatchResponse, WholeBatchFailed> {
    handle_batch(deps, Some(queue), event, concurrency, |body| async move {
        sqa_core::stages::handle(queue, &body, deps).await
    })
    .await
}
