//! The outreach function: each record of the outreach queue goes to the core's outreach stage,
//! which writes the first email or a follow-up and, in engage mode, sends it through SES. This crate is Lambda glue only: no stage logic, no AWS SDK call.

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use sqa_aws::batch::{WholeBatchFailed, stage_batch};
use sqa_aws::wire::{self, NeedsSecret, Wiring};
use sqa_core::ports::{Deps, QueueName};
use sqa_core::stages::outreach;

/// The ports this function uses; nothing else is linked into it.
pub const WIRING: Wiring = Wiring {
    model: Some(wire::draft_model),
    mailer: Some(wire::ses_mailer),
    ..Wiring::minimal("outreach", NeedsSecret::Yes)
};

/// Handle one SQS batch; the failures to retry are reported per record.
pub async fn handler(
    event: SqsEvent,
    deps: &Deps,
    concurrency: usize,
) -> Result<SqsBatchResponse, WholeBatchFailed> {
    stage_batch(
        QueueName::Outreach,
        event,
        deps,
        concurrency,
        outreach::handle,
    )
    .await
}
