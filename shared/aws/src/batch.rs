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
use sqa_core::stages::{MESSAGE_VERSION, Outcome, StageError, StageMessage};
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
                Err(StageError::Conflict(what)) => {
                    tracing::info!(conflict = %what, "the lead changed meanwhile; will retry");
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
                tracing::info!(decision = %o, "handled");
                o.to_string()
            }
            Err(StageError::Transient(_) | StageError::Conflict(_)) => "retry".to_string(),
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

/// Every record of `event` reported as a failure, so that SQS delivers it again (the
/// function could not work on the batch at all, e.g. without a usable config). Records
/// without a `messageId` cannot be named: then the whole invocation fails.
pub fn retry_all(event: &SqsEvent) -> Result<SqsBatchResponse, WholeBatchFailed> {
    let mut response = SqsBatchResponse::default();
    let mut anonymous = 0;
    for record in &event.records {
        match record
            .message_id
            .as_deref()
            .filter(|id| !id.trim().is_empty())
        {
            Some(id) => response.add_failure(id.to_string()),
            None => anonymous += 1,
        }
    }
    if anonymous > 0 {
        return Err(WholeBatchFailed(anonymous));
    }
    Ok(response)
}

/// Decode the body of a message on a stage queue (validate, research, outreach, handover):
/// what `sqa_core::stages::handle` does before it picks the stage, for a function that
/// calls its one stage directly (and so links no other stage's code).
pub fn decode_stage_message(queue: QueueName, body: &str) -> Result<StageMessage, StageError> {
    let msg: StageMessage = serde_json::from_str(body)
        .map_err(|e| StageError::permanent(format!("malformed {} message: {e}", queue.as_str())))?;
    if msg.v > MESSAGE_VERSION {
        return Err(StageError::permanent(format!(
            "message version {} is newer than this build understands ({MESSAGE_VERSION})",
            msg.v
        )));
    }
    Ok(msg)
}

/// The whole handler of a stage queue (validate, research, outreach, handover): each
/// record's body decoded and handed to `stage` (the stage's `handle`).
pub async fn stage_batch<'d, S, Fut>(
    queue: QueueName,
    event: SqsEvent,
    deps: &'d Deps,
    concurrency: usize,
    stage: S,
) -> Result<SqsBatchResponse, WholeBatchFailed>
where
    S: Fn(StageMessage, &'d Deps) -> Fut,
    Fut: Future<Output = Result<Outcome, StageError>>,
{
    handle_batch(deps, Some(queue), event, concurrency, |body| {
        let run = decode_stage_message(queue, &body).map(|msg| stage(msg, deps));
        async move {
            match run {
                Ok(fut) => fut.await,
                Err(e) => Err(e),
            }
        }
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: Option<&str>) -> SqsMessage {
        let mut m = SqsMessage::default();
        m.message_id = id.map(str::to_string);
        m.body = Some("{}".into());
        m
    }

    #[test]
    fn a_stage_message_is_decoded_as_the_core_does() {
        let ok = decode_stage_message(
            QueueName::Validate,
            r#"{"v":1,"lead_id":"L1","run_id":"r"}"#,
        )
        .expect("valid");
        assert_eq!(ok.lead_id.as_str(), "L1");
        let bad =
            decode_stage_message(QueueName::Research, r#"{"v":1,"lead":"#).expect_err("malformed");
        assert!(!bad.is_transient());
        assert!(
            bad.to_string().contains("malformed research message"),
            "{bad}"
        );
        let newer = decode_stage_message(
            QueueName::Validate,
            r#"{"v":2,"lead_id":"L1","run_id":"r"}"#,
        )
        .expect_err("newer");
        assert!(
            newer.to_string().contains("newer than this build"),
            "{newer}"
        );
    }

    #[test]
    fn retry_all_names_every_record_or_fails_the_invocation() {
        let mut event = SqsEvent::default();
        event.records = vec![record(Some("a")), record(Some("b"))];
        let response = retry_all(&event).expect("named");
        let ids: Vec<&str> = response
            .batch_item_failures
            .iter()
            .map(|f| f.item_identifier.as_str())
            .collect();
        assert_eq!(ids, vec!["a", "b"]);
        event.records.push(record(Some(" ")));
        assert!(
            retry_all(&event).is_err(),
            "an unnamed record fails the invocation"
        );
    }
}
