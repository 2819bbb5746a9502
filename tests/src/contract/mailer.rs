//! The `Mailer` contract.

use super::Run;
use sqa_core::ports::{MailError, Mailer, OutgoingEmail};

/// Checks what every `Mailer` must do: send returns a provider id, a message without a
/// recipient is rejected, an idempotent mailer answers a second send with the first id. Returns the message sent
/// and that id, for the adapter's own test to check the side effect (a file, an SES call).
pub async fn mailer(m: &dyn Mailer) -> (OutgoingEmail, String) {
    let run = Run::new("mail");
    let message_id = format!("<contract-{}@example.test>", run.prefix.to_lowercase());
    let raw = format!(
        "From: Ava <ava@example.test>\r\nTo: lead@example.test\r\nSubject: contract\r\n\
         Message-ID: {message_id}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; \
         charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nHallo — ünïcödé.\r\n"
    );
    let email = OutgoingEmail {
        from: "ava@example.test".into(),
        to: vec!["lead@example.test".into()],
        message_id,
        raw: raw.into_bytes(),
    };
    let id = match m.send(&email).await {
        Ok(id) => id,
        Err(e) => panic!("send of a well-formed message failed: {e:?}"),
    };
    assert!(!id.trim().is_empty(), "send MUST return the provider's id");
    let nobody = OutgoingEmail {
        to: Vec::new(),
        message_id: format!(
            "<contract-nobody-{}@example.test>",
            run.prefix.to_lowercase()
        ),
        ..email.clone()
    };
    match m.send(&nobody).await {
        Err(MailError::Rejected(_)) => {}
        other => panic!("a message without a recipient MUST be Rejected, got {other:?}"),
    }
    if m.idempotent() {
        match m.send(&email).await {
            Ok(again) => assert_eq!(
                again, id,
                "an idempotent mailer MUST answer a second send of a message id with the first id"
            ),
            Err(e) => panic!("an idempotent mailer MUST accept a second send: {e:?}"),
        }
    }
    (email, id)
}
