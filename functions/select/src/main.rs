//! Lambda entry point of the select function.

use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use lambda_runtime::{Error, LambdaEvent, service_fn};
use sqa_aws::wire::NeedsSecret;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let rt = sqa_aws::lambda::start(NeedsSecret::No).await?;
    let deps = &rt.deps;
    lambda_runtime::run(service_fn(
        move |event: LambdaEvent<EventBridgeEvent<serde_json::Value>>| async move {
            select::handler(event.payload, deps)
                .await
                .map_err(|e| lambda_runtime::Diagnostic {
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
