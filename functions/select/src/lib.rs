//! The select function: on the EventBridge schedule, the core's selection run claims new
//! eligible leads, enqueues the touches that are due, and sweeps: a lead a crash left
//! waiting for its next stage's message (DynamoDB and SQS share no transaction) gets it
//! again (`select::sweep`). Lambda glue only.

use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use sqa_aws::wire::{NeedsSecret, Wiring};
use sqa_core::ports::Deps;
use sqa_core::stages::StageError;
use sqa_core::stages::select;

/// The ports this function uses (stores and queue only); nothing else is linked into it.
pub const WIRING: Wiring = Wiring::minimal("select", NeedsSecret::No);

/// The run id of a scheduled invocation: EventBridge keeps the event id when it retries an
/// invocation, so a retried run claims nothing twice under a new name.
pub fn run_id(event: &EventBridgeEvent<serde_json::Value>) -> String {
    match event.id.as_deref().filter(|id| !id.is_empty()) {
        Some(id) => format!("select-{id}"),
        None => format!(
            "select-{}",
            event.time.map(|t| t.timestamp_millis()).unwrap_or_default()
        ),
    }
}

/// Run one selection; the report is the function's result (visible in the invocation log).
/// Any error fails the invocation, so that EventBridge's retry policy applies.
pub async fn handler(
    event: EventBridgeEvent<serde_json::Value>,
    deps: &Deps,
) -> Result<serde_json::Value, StageError> {
    let run_id = run_id(&event);
    let report = select::run(deps, &run_id).await.inspect_err(|e| {
        tracing::error!(run_id = %run_id, error = %e, "selection failed");
    })?;
    tracing::info!(
        run_id = %run_id,
        selected = report.selected.len(),
        due = report.due.len(),
        not_eligible = report.not_eligible,
        lost_claims = report.lost_claims,
        resent = report.resent.len(),
        "selection done"
    );
    Ok(serde_json::json!({
        "run_id": report.run_id,
        "selected": report.selected,
        "due": report.due,
        "not_eligible": report.not_eligible,
        "lost_claims": report.lost_claims,
        "resent": report.resent,
        "note": report.note,
    }))
}
