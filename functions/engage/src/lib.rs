//! The engage function: the SES receipt rule stores a reply in S3 and notifies SNS, which
//! feeds the engage queue. Each record's notification becomes the engage stage's message
//! (the S3 key and SES's SPF/DKIM/DMARC, spam and virus verdicts); the core reads the mail
//! from S3 and decides. Lambda glue only.

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use sqa_aws::batch::{WholeBatchFailed, handle_batch};
use sqa_aws::notifications::{self, Inbound};
use sqa_aws::wire::{self, NeedsSecret, Wiring};
use sqa_core::ports::Deps;
use sqa_core::stages::{Outcome, StageError, engage};

/// The ports this function uses; nothing else is linked into it.
pub const WIRING: Wiring = Wiring {
    model: Some(wire::classify_model),
    mailer: Some(wire::ses_mailer),
    inbox: Some(wire::s3_inbox),
    ..Wiring::minimal("engage", NeedsSecret::Yes)
};

/// Handle one SQS batch of SNS-wrapped SES receipt notifications.
pub async fn handler(
    event: SqsEvent,
    deps: &Deps,
    inbox_bucket: Option<&str>,
    concurrency: usize,
) -> Result<SqsBatchResponse, WholeBatchFailed> {
    handle_batch(deps, None, event, concurrency, |body| async move {
        match notifications::inbound(&body, inbox_bucket) {
            Ok(Inbound::Message(msg)) => engage::handle(msg, deps).await,
            Ok(Inbound::Ignore(why)) => Ok(Outcome::ignored(why)),
            Err(e) => Err(StageError::permanent(e)),
        }
    })
    .await
}
