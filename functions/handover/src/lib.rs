//! The handover function: each record of the handover queue goes to the core's handover stage,
//! which hands a ready lead to its seller with a summary. This crate is Lambda glue only: no stage logic, no AWS SDK call.

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use sqa_aws::batch::{WholeBatchFailed, stage_batch};
use sqa_aws::wire::{self, NeedsSecret, Wiring};
use sqa_core::ports::{Deps, QueueName};
use sqa_core::stages::handover;

/// The ports this function uses; nothing else is linked into it.
pub const WIRING: Wiring = Wiring {
    model: Some(wire::summary_model),
    mailer: Some(wire::ses_mailer),
    ..Wiring::minimal("handover", NeedsSecret::Yes)
};

/// Handle one SQS batch; the failures to retry are reported per record.
pub async fn handler(
    event: SqsEvent,
    deps: &Deps,
    concurrency: usize,
) -> Result<SqsBatchResponse, WholeBatchFailed> {
    stage_batch(
        QueueName::Handover,
        event,
        deps,
        concurrency,
        handover::handle,
    )
    .await
}
