//! `Mailer` on SES v1 `SendRawEmail`. The core renders the whole message (Message-ID,
//! In-Reply-To / References, List-Unsubscribe and List-Unsubscribe-Post per RFC 8058), so
//! SES sends the bytes as they are, except the Message-ID, which SES replaces with
//! `<ID@REGION.amazonses.com>` (`wire_id`; `[mail] ses_message_id_domain` names the host);
//! the configuration set routes bounce and complaint events to the feedback function.

use crate::error::{code_of, is_transient_code};
use async_trait::async_trait;
use aws_sdk_ses::Client;
use aws_sdk_ses::error::{DisplayErrorContext, SdkError};
use aws_sdk_ses::primitives::Blob;
use aws_sdk_ses::types::RawMessage;
use sqa_core::ports::{MailError, Mailer, OutgoingEmail};

/// SES error codes that refuse this message for good.
const REJECTED: &[&str] = &[
    "MessageRejected",
    "MailFromDomainNotVerifiedException",
    "MailFromDomainNotVerified",
    "AccountSendingPausedException",
    "ConfigurationSetSendingPausedException",
    "InvalidParameterValue",
];

#[derive(Clone, Debug)]
pub struct SesMailer {
    client: Client,
    configuration_set: Option<String>,
    /// The host of the wire Message-ID: from the region the client sends through, unless
    /// `[mail] ses_message_id_domain` names it (`with_message_id_domain`).
    message_id_domain: String,
}

impl SesMailer {
    /// `configuration_set`: the SES configuration set whose event destination publishes
    /// bounces and complaints (empty for none).
    pub fn new(client: Client, configuration_set: Option<String>) -> Self {
        let region = client
            .config()
            .region()
            .map(|r| r.as_ref().to_string())
            .unwrap_or_default();
        SesMailer {
            client,
            configuration_set: configuration_set.filter(|c| !c.is_empty()),
            message_id_domain: sqa_core::mail::ids::ses_message_id_domain(&region),
        }
    }

    /// The wire Message-ID's host as the config names it (`[mail] ses_message_id_domain`);
    /// `None` keeps the one derived from the region.
    pub fn with_message_id_domain(mut self, domain: Option<&str>) -> Self {
        if let Some(d) = domain.map(str::trim).filter(|d| !d.is_empty()) {
            self.message_id_domain = d.to_ascii_lowercase();
        }
        self
    }

    /// The host SES is taken to put in the Message-ID of what this mailer sends.
    pub fn message_id_domain(&self) -> &str {
        &self.message_id_domain
    }
}

#[async_trait]
impl Mailer for SesMailer {
    async fn send(&self, email: &OutgoingEmail) -> Result<String, MailError> {
        if email.to.is_empty() {
            return Err(MailError::Rejected("a message needs a recipient".into()));
        }
        let raw = RawMessage::builder()
            .data(Blob::new(email.raw.clone()))
            .build()
            .map_err(|e| MailError::Unexpected(anyhow::anyhow!("raw message: {e}")))?;
        let result = self
            .client
            .send_raw_email()
            .source(&email.from)
            .set_destinations(Some(email.to.clone()))
            .raw_message(raw)
            .set_configuration_set_name(self.configuration_set.clone())
            .send()
            .await;
        match result {
            Ok(out) => Ok(out.message_id().to_string()),
            Err(err) => Err(map_error(err)),
        }
    }

    /// SES replaces the Message-ID of every message it sends with one built from the id
    /// `SendRawEmail` returns and the sending region.
    fn wire_id(&self, provider_id: &str) -> Option<String> {
        Some(sqa_core::mail::ids::ses_wire_id_at(
            provider_id,
            &self.message_id_domain,
        ))
    }

    fn replaces_message_id(&self) -> bool {
        true
    }
}

/// Only an answer that says the message was not accepted may be retried; a timeout or a
/// broken response leaves the outcome unknown, which the core records instead of resending.
fn map_error<E, R>(err: SdkError<E, R>) -> MailError
where
    E: aws_sdk_ses::error::ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    let code = code_of(&err).map(str::to_string);
    let message = format!("SES SendRawEmail: {}", DisplayErrorContext(&err));
    match (&err, code.as_deref()) {
        (_, Some(c)) if REJECTED.contains(&c) => MailError::Rejected(message),
        (_, Some(c)) if is_transient_code(c) => MailError::Transient(anyhow::anyhow!(message)),
        // A connection that could not be made never carried the message.
        (SdkError::DispatchFailure(d), _) if d.is_io() && !d.is_timeout() => {
            MailError::Transient(anyhow::anyhow!(message))
        }
        (SdkError::ConstructionFailure(_), _) => MailError::Transient(anyhow::anyhow!(message)),
        _ => MailError::Unexpected(anyhow::anyhow!(message)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(region: &str) -> Client {
        Client::from_conf(
            aws_sdk_ses::Config::builder()
                .behavior_version(aws_sdk_ses::config::BehaviorVersion::latest())
                .region(aws_sdk_ses::config::Region::new(region.to_string()))
                .build(),
        )
    }

    #[test]
    fn the_wire_id_host_comes_from_the_region_unless_the_config_names_it() {
        let id = "0100018c1b2a3d4e-5f6a7b8c-1111-2222-3333-444455556666-000000";
        let eu = SesMailer::new(client("eu-west-1"), None);
        assert_eq!(
            eu.wire_id(id).as_deref(),
            Some(format!("<{id}@eu-west-1.amazonses.com>").as_str())
        );
        assert!(eu.replaces_message_id());
        let us = SesMailer::new(client("us-east-1"), None);
        assert_eq!(us.message_id_domain(), "email.amazonses.com");
        let named = SesMailer::new(client("us-east-1"), None)
            .with_message_id_domain(Some("US-East-1.amazonses.com"));
        assert_eq!(
            named.wire_id(id).as_deref(),
            Some(format!("<{id}@us-east-1.amazonses.com>").as_str())
        );
        let unset = SesMailer::new(client("us-east-1"), None).with_message_id_domain(None);
        assert_eq!(unset.message_id_domain(), "email.amazonses.com");
    }
}
