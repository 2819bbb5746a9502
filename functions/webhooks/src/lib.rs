//! The webhooks function: each record of the webhooks queue (one event for one endpoint) is
//! posted, signed, by the core's webhooks stage (`sqa_core::webhooks`). A record that fails
//! comes back with the queue's retry and, after its receive limit, waits in the webhooks
//! dead-letter queue (with an alarm). Lambda glue only.

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use sqa_aws::batch::{WholeBatchFailed, handle_batch};
use sqa_aws::wire::{NeedsSecret, Wiring};
use sqa_core::ports::{Deps, QueueName};

/// The ports this function uses: the stores (run records) and the secret the signing key is
/// derived from when `webhooks.secret_env` is not set.
pub const WIRING: Wiring = Wiring::minimal("webhooks", NeedsSecret::Yes);

/// Handle one SQS batch; the failures to retry are reported per record.
pub async fn handler(
    event: SqsEvent,
    deps: &Deps,
    concurrency: usize,
) -> Result<SqsBatchResponse, WholeBatchFailed> {
    handle_batch(
        deps,
        Some(QueueName::Webhooks),
        event,
        concurrency,
        |body| async move { sqa_core::webhooks::handle(&body, deps).await },
    )
    .await
}
