//! The validate function: each record of the validate queue goes to the core's validate stage,
//! which checks the lead's address (syntax, kind, MX) and moves it to `validated`. This crate is Lambda glue only: no stage logic, no AWS SDK call.

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use sqa_aws::batch::{WholeBatchFailed, stage_batch};
use sqa_aws::wire::{self, NeedsSecret, Wiring};
use sqa_core::ports::{Deps, QueueName};
use sqa_core::stages::validate;

/// The ports this function uses; nothing else is linked into it.
pub const WIRING: Wiring = Wiring {
    dns: Some(wire::dns_from_config),
    ..Wiring::minimal("validate", NeedsSecret::No)
};

/// Handle one SQS batch; the failures to retry are reported per record.
pub async fn handler(
    event: SqsEvent,
    deps: &Deps,
    concurrency: usize,
) -> Result<SqsBatchResponse, WholeBatchFailed> {
    stage_batch(
        QueueName::Validate,
        event,
        deps,
        concurrency,
        validate::handle,
    )
    .await
}
