//! Mapping of AWS SDK errors onto the core's error variants.
//!
//! The core branches on `Conflict` (someone else wrote first), `NotFound`, and `Transient`
//! (retry the message); everything else is `Unexpected`. The mapping looks at the service's
//! error code, so that it works the same for every SDK crate.

use aws_sdk_dynamodb::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use sqa_core::ports::StoreError;
use std::error::Error as StdError;

/// Error codes that mean "try again later" on every service we use.
const TRANSIENT_CODES: &[&str] = &[
    "ThrottlingException",
    "Throttling",
    "ThrottledException",
    "ProvisionedThroughputExceededException",
    "RequestLimitExceeded",
    "RequestThrottled",
    "RequestThrottledException",
    "TooManyRequestsException",
    "SlowDown",
    "TransactionConflictException",
    "TransactionInProgressException",
    "InternalServerError",
    "InternalFailure",
    "InternalError",
    "ServiceUnavailable",
    "ServiceUnavailableException",
    "KMSThrottlingException",
    "KMS.ThrottlingException",
    "AWS.SimpleQueueService.ServiceUnavailable",
];

/// Is this service error code one to retry?
pub fn is_transient_code(code: &str) -> bool {
    TRANSIENT_CODES.contains(&code)
}

/// The service's error code, if the error came from the service.
pub fn code_of<E, R>(err: &SdkError<E, R>) -> Option<&str>
where
    E: ProvideErrorMetadata,
{
    match err {
        SdkError::ServiceError(se) => se.err().code(),
        _ => None,
    }
}

/// True when the request may not have reached the service or the service asked for a retry.
pub fn is_transient<E, R>(err: &SdkError<E, R>) -> bool
where
    E: ProvideErrorMetadata,
{
    match err {
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) | SdkError::ResponseError(_) => {
            true
        }
        SdkError::ServiceError(_) => code_of(err).is_some_and(is_transient_code),
        _ => false,
    }
}

/// Map any SDK error to a `StoreError`; `what` names the operation for the message.
pub fn store_error<E, R>(what: &str, err: SdkError<E, R>) -> StoreError
where
    E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    let code = code_of(&err).map(str::to_string);
    let transient = is_transient(&err);
    let message = format!("{what}: {}", DisplayErrorContext(&err));
    match code.as_deref() {
        Some("ConditionalCheckFailedException") => StoreError::Conflict(message),
        Some("ResourceNotFoundException")
        | Some("NoSuchKey")
        | Some("NotFound")
        | Some("AWS.SimpleQueueService.NonExistentQueue")
        | Some("QueueDoesNotExist") => StoreError::Unexpected(anyhow::anyhow!(
            "{message} (is the resource name in the environment right?)"
        )),
        _ if transient => StoreError::Transient(anyhow::anyhow!(message)),
        _ => StoreError::Unexpected(anyhow::anyhow!(message)),
    }
}

/// An error of our own making (bad item, bad cursor) as `Unexpected`.
pub fn unexpected(msg: impl std::fmt::Display) -> StoreError {
    StoreError::Unexpected(anyhow::anyhow!("{msg}"))
}
