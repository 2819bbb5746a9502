//! The select function: on the EventBridge schedule, the core's selection run claims new
//! eligible leads and enqueues the touches that are due; on the leads table's DynamoDB
//! stream, the leads just written in stage `new` (a new lead, or one whose address or status
//! changed while it waited) are claimed at once. Lambda glue only.

use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use sqa_aws::wire::{NeedsSecret, Wiring};
use sqa_core::domain::LeadId;
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
        "selection done"
    );
    Ok(serde_json::json!({
        "run_id": report.run_id,
        "selected": report.selected,
        "due": report.due,
        "not_eligible": report.not_eligible,
        "lost_claims": report.lost_claims,
        "note": report.note,
    }))
}

/// The lead ids of a DynamoDB stream batch (`Records[].dynamodb.Keys.id.S`). The event
/// source mapping's filter (template.yaml) passes only records whose new image is in stage
/// `new`: the claim this function writes moves a lead to `selected`, so its own writes never
/// come back to it.
pub fn stream_lead_ids(event: &serde_json::Value) -> Vec<LeadId> {
    let mut ids: Vec<LeadId> = Vec::new();
    for r in event["Records"].as_array().into_iter().flatten() {
        if let Some(id) = r["dynamodb"]["Keys"]["id"]["S"].as_str()
            && let Ok(id) = LeadId::parse(id)
            && !ids.contains(&id)
        {
            ids.push(id);
        }
    }
    ids
}

/// True for an event the DynamoDB stream delivers (its records name `aws:dynamodb`).
pub fn is_stream_event(event: &serde_json::Value) -> bool {
    event["Records"]
        .as_array()
        .and_then(|r| r.first())
        .is_some_and(|r| r["eventSource"] == "aws:dynamodb")
}

/// Claim the leads of a stream batch now, by the same rule as a selection run (the
/// `[selection]` criteria, the agent's state). A lead claimed already is left alone, so a
/// batch delivered twice claims nothing twice. Any error fails the batch, which the event
/// source mapping retries; the schedule stays the safety net.
pub async fn on_stream(
    event: &serde_json::Value,
    deps: &Deps,
) -> Result<serde_json::Value, StageError> {
    let ids = stream_lead_ids(event);
    let first = event["Records"][0]["eventID"].as_str().unwrap_or("batch");
    let run_id = format!("stream-{first}");
    let claimed = select::enqueue_new(deps, &ids, &run_id)
        .await
        .inspect_err(|e| {
            tracing::error!(run_id = %run_id, error = %e, "stream selection failed");
        })?;
    tracing::info!(run_id = %run_id, leads = ids.len(), claimed, "stream selection done");
    Ok(serde_json::json!({"run_id": run_id, "leads": ids.len(), "claimed": claimed}))
}
