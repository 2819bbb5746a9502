//! Lambda entry point of the select function: its ports once per process, the agent config
//! on first use (cached, see `sqa_aws::lambda`), then scheduled runs and DynamoDB stream
//! batches. Any error fails the invocation, so that EventBridge's retry policy (or the
//! stream's) applies.

use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use lambda_runtime::{Diagnostic, Error, LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let rt = &sqa_aws::lambda::start(select::WIRING).await?;
    lambda_runtime::run(service_fn(
        move |event: LambdaEvent<serde_json::Value>| async move {
            let deps = rt.deps().await.map_err(|e| {
                sqa_aws::lambda::log_config_error(&e, 1);
                Diagnostic {
                    error_type: "NoConfig".into(),
                    error_message: format!("{e:#}"),
                }
            })?;
            let result = if select::is_stream_event(&event.payload) {
                select::on_stream(&event.payload, &deps).await
            } else {
                let scheduled: EventBridgeEvent<serde_json::Value> =
                    serde_json::from_value(event.payload).map_err(|e| Diagnostic {
                        error_type: "BadEvent".into(),
                        error_message: format!("neither a schedule nor a stream event: {e}"),
                    })?;
                select::handler(scheduled, &deps).await
            };
            result.map_err(|e| Diagnostic {
                error_type: if e.is_transient() {
                    "Transient"
                } else {
                    "Permanent"
                }
                .into(),
                error_message: e.to_string(),
            })
        },
    ))
    .await
}
