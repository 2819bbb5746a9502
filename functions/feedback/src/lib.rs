//! The feedback function: SES publishes bounces and complaints of the configuration set to
//! SNS, which feeds the feedback queue; each notification goes to the core's feedback step
//! (hard bounces and complaints suppress the address). Lambda glue only.

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use sqa_aws::batch::{WholeBatchFailed, handle_batch};
use sqa_aws::notifications::{self, FeedbackNotice};
use sqa_aws::wire::{NeedsSecret, Wiring};
use sqa_core::ports::Deps;
use sqa_core::stages::{Outcome, StageError, feedback};

/// The ports this function uses (stores and queue only); nothing else is linked into it.
pub const WIRING: Wiring = Wiring::minimal("feedback", NeedsSecret::No);

/// Handle one SQS batch of SNS-wrapped SES bounce and complaint notifications.
pub async fn handler(
    event: SqsEvent,
    deps: &Deps,
    concurrency: usize,
) -> Result<SqsBatchResponse, WholeBatchFailed> {
    handle_batch(deps, None, event, concurrency, |body| async move {
        match notifications::feedback(&body) {
            Ok(FeedbackNotice::Apply(fb)) => feedback::apply(deps, fb).await,
            Ok(FeedbackNotice::Ignore(why)) => Ok(Outcome::ignored(why)),
            Err(e) => Err(StageError::permanent(e)),
        }
    })
    .await
}
