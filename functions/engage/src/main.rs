//! Lambda entry point of the engage function.

use aws_lambda_events::event::sqs::SqsEvent;
use lambda_runtime::{Error, LambdaEvent, service_fn};
use sqa_aws::wire::NeedsSecret;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let rt = sqa_aws::lambda::start(NeedsSecret::Yes).await?;
    let (deps, concurrency) = (&rt.deps, rt.settings.concurrency);
    let bucket = rt.settings.inbox_bucket.as_deref();
    lambda_runtime::run(service_fn(move |event: LambdaEvent<SqsEvent>| async move {
        engage::handler(event.payload, deps, bucket, concurrency).await
    }))
    .await
}
