//! The validate stage: the email validation agent's verdict on the lead's address.
//!
//! Invalid, undeliverable or disposable addresses are never emailed; in engage mode such a
//! lead goes back to its owner flagged "needs a valid address". Research runs in both modes
//! either way, because sellers value the insights.

use super::{Outcome, StageError, StageMessage, Step, enqueue, is_conflict, load, save};
use crate::agents::email;
use crate::config::Mode;
use crate::domain::{Blocked, Deliverability, EmailKey, EmailKind, Stage};
use crate::lifecycle::{Expected, transition};
use crate::ports::{Deps, QueueName};

pub async fn handle(msg: StageMessage, deps: &Deps) -> Result<Outcome, StageError> {
    let mut lead = load(deps, &msg.lead_id).await?;
    let mut step = Step::start(deps, &msg.run_id, Some(&lead.id), "validate");
    if lead.stage != Stage::Selected {
        // A second delivery of a message already handled: nothing to do.
        return Ok(Outcome::skipped(
            Some(lead.id),
            format!("lead is {}", lead.stage),
        ));
    }
    step.inputs(&lead.email);
    let check = email::check_with_dns(&lead.email, deps.ports.dns.as_ref()).await;
    let mut reasons = Vec::new();
    let decision = describe(&check, &mut reasons);
    if check.valid {
        lead.email_key = EmailKey::from_check(&lead.email, &check);
    }
    if lead.duplicate_of.is_none() && check.valid {
        // `find_by_email` lists leads in insertion order: the first lead with the address is
        // the one contacted, every later one its duplicate, whichever is validated first.
        let same = deps
            .ports
            .leads
            .find_by_email(lead.email_key.as_str())
            .await?;
        if let Some(first) = same.into_iter().next().filter(|id| *id != lead.id) {
            reasons.push(format!("same address as lead {first}: never emailed twice"));
            lead.duplicate_of = Some(first);
        }
    }
    if !check.may_email() && deps.config.mode == Mode::Engage {
        lead.blocked = Some(Blocked::NeedsValidAddress {
            detail: check.message.clone().unwrap_or_else(|| decision.clone()),
        });
        reasons.push("returned to the owner: needs a valid address".into());
    }
    lead.validation = Some(check);
    let expected = Expected::of(&lead);
    transition(&mut lead, Stage::Validated).map_err(StageError::permanent)?;
    match save(deps, &mut lead, expected).await {
        Ok(()) => {}
        Err(e) if is_conflict(&e) => {
            return Ok(Outcome::skipped(
                Some(lead.id),
                "another delivery validated the lead",
            ));
        }
        Err(e) => return Err(step.fail(deps, e).await),
    }
    enqueue(
        deps,
        QueueName::Research,
        &StageMessage::new(lead.id.clone(), &msg.run_id),
    )
    .await?;
    step.finish(deps, &decision, reasons).await
}

fn describe(check: &crate::domain::EmailCheck, reasons: &mut Vec<String>) -> String {
    if !check.valid {
        reasons.push(format!(
            "{}: {}",
            check.reason.as_deref().unwrap_or("invalid"),
            check
                .message
                .as_deref()
                .unwrap_or("the address is not valid")
        ));
        return "invalid".into();
    }
    let kind = check.kind.unwrap_or(EmailKind::Work);
    reasons.push(format!("kind {}", kind.as_str()));
    match kind {
        EmailKind::Disposable => reasons.push("disposable domain: never emailed".into()),
        EmailKind::Role => reasons.push("role address: allowed, flagged".into()),
        EmailKind::Personal => reasons.push("personal address: allowed, flagged".into()),
        EmailKind::Work => {}
    }
    match &check.deliverability {
        Deliverability::Undeliverable { reason, message } => {
            reasons.push(format!("{reason}: {message}"));
            "undeliverable".into()
        }
        Deliverability::Unknown { message } => {
            reasons.push(format!(
                "deliverability unknown ({message}); not held against it"
            ));
            format!("valid_{}", kind.as_str())
        }
        Deliverability::Deliverable { via } => {
            reasons.push(format!("deliverable via {via}"));
            format!("valid_{}", kind.as_str())
        }
        Deliverability::NotChecked => format!("valid_{}", kind.as_str()),
    }
}
