//! The validate function: each record of the validate queue goes to the core's validate stage,
//! which checks the lead's address (syntax, kind, MX) and moves it to `validated`. This crate is Lambda glue only: no stage logic, no AWS SDK call.

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use sqa_aws::batch::{WholeBatchFailed, stage_batch};
use sqa_core::ports::{Deps, QueueName};

/// Handle one SQS batch; the failures to retry are reported per record.
pub async fn handler(
    event: SqsEvent,
    deps: &Deps,
    concurrency: usize,
) -> Result<SqsBatchResponse, WholeBatchFailed> {
    stage_batch(QueueName::Validate, event, deps, concurrency).await
}
