//! SQA on AWS: the core's ports on DynamoDB, SQS, SES and S3, and the Lambda glue every
//! function in `functions/` shares (configuration from the environment, JSON logs, the SQS
//! batch helper, the parsing of SES and SNS notifications).
//!
//! This crate holds every DynamoDB item mapping and every AWS SDK call of the project: the
//! core never sees an AWS type, and the functions never call an `aws-sdk-*` crate directly.

pub mod batch;
pub mod bedrock;
pub mod clients;
pub mod config_store;
pub mod error;
pub mod inbox;
pub mod item;
pub mod lambda;
pub mod leads;
pub mod logging;
pub mod mailer;
pub mod metrics;
pub mod notifications;
pub mod provision;
pub mod queue;
pub mod runs;
pub mod schema;
pub mod settings;
pub mod suppressions;
#[cfg(feature = "testkit")]
pub mod testkit;
pub mod wire;

pub use clients::{CallCounts, Calls, Clients};
pub use config_store::DynamoConfig;
pub use inbox::S3Inbox;
pub use leads::DynamoLeads;
pub use mailer::SesMailer;
pub use queue::{QueueUrls, SqsQueue};
pub use runs::DynamoRuns;
pub use settings::Settings;
pub use suppressions::DynamoSuppressions;
