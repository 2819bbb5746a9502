//! Lambda entry point of the research function: build everything once, then serve batches.

use aws_lambda_events::event::sqs::SqsEvent;
use lambda_runtime::{Error, LambdaEvent, service_fn};
use sqa_aws::wire::NeedsSecret;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let rt = sqa_aws::lambda::start(NeedsSecret::No).await?;
    let (deps, concurrency) = (&rt.deps, rt.settings.concurrency);
    lambda_runtime::run(service_fn(move |event: LambdaEvent<SqsEvent>| async move {
        research::handler(event.payload, deps, concurrency).await
    }))
    .await
}
