//! Lambda entry point of the webhooks function: its ports once per process, the agent config
//! on first use (cached, see `sqa_aws::lambda`), then batches.

use aws_lambda_events::event::sqs::SqsEvent;
use lambda_runtime::{Error, LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let rt = &sqa_aws::lambda::start(webhooks::WIRING).await?;
    let concurrency = rt.settings.concurrency;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<SqsEvent>| async move {
        rt.sqs_batch(event.payload, |event, deps| async move {
            webhooks::handler(event, &deps, concurrency).await
        })
        .await
    }))
    .await
}
