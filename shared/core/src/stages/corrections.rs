//! Corrections a person makes to one lead: a new address, an override of the address
//! verdict, a new company or website. Each is written with who made it and when (a run record
//! and, for overrides, on the lead), and reruns only the agents the change touches: a new
//! address is validated again, a new company is researched and scored again; the lead stays in
//! its stage. A person who decided on an escalated reply lifts the hold on automatic mail. The command line and the HTTP API call these functions, so both record the same.

use super::{StageError, Step, load};
use crate::agents::email;
use crate::domain::{EmailKey, EmailKind, EmailOverride, Lead, LeadId};
use crate::lifecycle::Expected;
use crate::ports::{Deps, StoreError};

/// How often a correction is applied again to a fresh copy when the lead changed meanwhile.
const ATTEMPTS: usize = 5;

/// Apply `change` to the stored lead and write it conditionally, again on a fresh copy when
/// another writer got there first; then write the run record.
pub(crate) async fn apply<F>(
    deps: &Deps,
    id: &LeadId,
    stage: &str,
    decision: &str,
    mut change: F,
) -> Result<(Lead, Vec<String>), StageError>
where
    F: FnMut(&mut Lead) -> Result<Vec<String>, StageError>,
{
    for _ in 0..ATTEMPTS {
        let mut lead = load(deps, id).await?;
        let expected = Expected::of(&lead);
        let reasons = change(&mut lead)?;
        lead.updated_at = deps.ports.clock.now();
        match deps.ports.leads.update(&lead, expected).await {
            Ok(saved) => {
                crate::webhooks::after_write(deps, expected.stage, &saved).await;
                let mut step = Step::start(deps, "manual", Some(&saved.id), stage);
                step.inputs(&(&saved.email, &saved.company, &saved.website));
                step.finish(deps, decision, reasons.clone()).await?;
                return Ok((saved, reasons));
            }
            Err(StoreError::Conflict(_)) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(StageError::Conflict(format!(
        "lead {id} kept changing while a correction was written; try again"
    )))
}

/// Clear a block that a usable address resolves.
fn unblock_if_usable(lead: &mut Lead) {
    if lead.validation.as_ref().is_some_and(|v| v.may_email())
        && lead
            .blocked
            .as_ref()
            .is_some_and(crate::domain::Blocked::cleared_by_valid_address)
    {
        lead.blocked = None;
    }
}

/// A new address for the lead, validated again (with the configured DNS check).
pub async fn set_email(
    deps: &Deps,
    id: &LeadId,
    address: &str,
    by: &str,
) -> Result<Lead, StageError> {
    let check = email::check_with_dns(address, deps.ports.dns.as_ref()).await;
    let verdict = if check.valid { "valid" } else { "invalid" };
    let (lead, _) = apply(deps, id, "validate", "revalidated", |lead| {
        lead.email = address.to_string();
        lead.email_key = EmailKey::from_check(address, &check);
        lead.validation = Some(check.clone());
        unblock_if_usable(lead);
        Ok(vec![format!(
            "address changed by {by} to {address:?}: {verdict}"
        )])
    })
    .await?;
    Ok(lead)
}

/// A person's verdict on the address, over the agent's: valid or not, and / or its kind.
pub async fn mark_address(
    deps: &Deps,
    id: &LeadId,
    valid: Option<bool>,
    kind: Option<EmailKind>,
    by: &str,
) -> Result<Lead, StageError> {
    if valid.is_none() && kind.is_none() {
        return Err(StageError::permanent(
            "say what to override: valid, invalid and / or the kind",
        ));
    }
    let at = deps.ports.clock.now();
    let (lead, _) = apply(deps, id, "validate", "overridden", |lead| {
        let mut check = lead
            .validation
            .clone()
            .unwrap_or_else(|| email::check(&lead.email));
        check.overridden = Some(EmailOverride {
            valid,
            kind,
            by: by.to_string(),
            at,
        });
        lead.validation = Some(check);
        unblock_if_usable(lead);
        Ok(vec![format!(
            "overridden by {by}: valid {valid:?}, kind {:?}",
            kind.map(EmailKind::as_str)
        )])
    })
    .await?;
    Ok(lead)
}

/// A person has read the reply the agent escalated and decided: the hold on automatic mail
/// (follow-ups, answers) is lifted. Other blocks (an address to fix, a send in an unknown
/// state) are left for their own corrections.
pub async fn resume(deps: &Deps, id: &LeadId, by: &str) -> Result<Lead, StageError> {
    let current = load(deps, id).await?;
    let held = current
        .blocked
        .as_ref()
        .is_some_and(super::engage::holds_mail);
    if !held {
        return Err(StageError::permanent(format!(
            "lead {id} is not waiting for a person about a reply"
        )));
    }
    let (lead, _) = apply(deps, id, "engage", "resumed", |lead| {
        let was = lead.blocked.take();
        Ok(vec![format!(
            "{by} decided on the escalated reply ({}); the agent may write again",
            was.map(|b| b.to_string()).unwrap_or_default()
        )])
    })
    .await?;
    Ok(lead)
}

/// A new company name and / or website: research and fit run again; returns the lead and the
/// new fit decision.
pub async fn set_company(
    deps: &Deps,
    id: &LeadId,
    company: Option<String>,
    website: Option<String>,
    by: &str,
) -> Result<(Lead, String), StageError> {
    if company.is_none() && website.is_none() {
        return Err(StageError::permanent(
            "say what changed: the company and / or the website",
        ));
    }
    // Research reads the web, which must not happen inside the retry loop's closure: read it
    // once for the new values, then write.
    let mut probe = load(deps, id).await?;
    if let Some(c) = &company {
        probe.company = c.clone();
    }
    if let Some(w) = &website {
        probe.website = w.clone();
    }
    let decision = super::research::rerun(deps, &mut probe).await?;
    let (research, fit) = (probe.research.clone(), probe.fit.clone());
    let (lead, _) = apply(deps, id, "research", &decision, |lead| {
        if let Some(c) = &company {
            lead.company = c.clone();
        }
        if let Some(w) = &website {
            lead.website = w.clone();
        }
        lead.research = research.clone();
        lead.fit = fit.clone();
        Ok(vec![format!(
            "company changed by {by}: research and fit ran again"
        )])
    })
    .await?;
    Ok((lead, decision))
}
