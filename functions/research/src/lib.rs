//! The research function: each record of the research queue goes to the core's research stage,
//! which researches the lead's company and scores its fit. This crate is Lambda glue only: no stage logic, no AWS SDK call.

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use sqa_aws::batch::{WholeBatchFailed, stage_batch};
use sqa_aws::wire::{self, NeedsSecret, Wiring};
use sqa_core::ports::{Deps, QueueName};
use sqa_core::stages::research;

/// The ports this function uses; nothing else is linked into it.
pub const WIRING: Wiring = Wiring {
    web: Some(wire::http_web),
    ..Wiring::minimal("research", NeedsSecret::No)
};

/// Handle one SQS batch; the failures to retry are reported per record.
pub async fn handler(
    event: SqsEvent,
    deps: &Deps,
    concurrency: usize,
) -> Result<SqsBatchResponse, WholeBatchFailed> {
    stage_batch(
        QueueName::Research,
        event,
        deps,
        concurrency,
        research::handle,
    )
    .await
}
