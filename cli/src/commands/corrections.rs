//! The manual corrections of one lead: `sqa lead set-email`, `sqa lead mark` and
//! `sqa lead set-company`. Each is written with who made it and when, and reruns only the
//! stages the change touches.

use super::exit;
use super::lead::get_lead;
use crate::local::Workspace;
use crate::out::{self, outln};
use anyhow::{Context, Result, bail};
use clap::Args;
use serde_json::json;
use sqa_core::agents::email;
use sqa_core::domain::{EmailOverride, Lead};
use sqa_core::lifecycle::Expected;
use sqa_core::stages;

/// Write a lead changed by a person, with a run record.
async fn save_by_person(
    ws: &Workspace,
    mut lead: Lead,
    expected: Expected,
    decision: &str,
    reasons: Vec<String>,
) -> Result<Lead> {
    lead.updated_at = ws.deps.ports.clock.now();
    let saved = ws.deps.ports.leads.update(&lead, expected).await?;
    let mut step = stages::Step::start(&ws.deps, "manual", Some(&saved.id), "validate");
    step.inputs(&saved.email);
    step.finish(&ws.deps, decision, reasons).await?;
    Ok(saved)
}

fn who() -> String {
    std::env::var("USER").unwrap_or_else(|_| "a person".into())
}

pub async fn set_email(ws: &Workspace, id: &str, address: &str, json: bool) -> Result<i32> {
    let mut lead = get_lead(ws, id).await?;
    let expected = Expected::of(&lead);
    let check = email::check_with_dns(address, ws.deps.ports.dns.as_ref()).await;
    lead.email = address.to_string();
    lead.email_key = sqa_core::EmailKey::from_check(address, &check);
    if check.may_email()
        && lead
            .blocked
            .as_ref()
            .is_some_and(sqa_core::Blocked::cleared_by_valid_address)
    {
        lead.blocked = None;
    }
    let verdict = if check.valid { "valid" } else { "invalid" };
    let reasons = vec![format!(
        "address changed by {} to {address:?}: {verdict}",
        who()
    )];
    lead.validation = Some(check);
    let saved = save_by_person(ws, lead, expected, "revalidated", reasons).await?;
    report_validation(&saved, json)
}

pub async fn set_company(
    ws: &Workspace,
    id: &str,
    company: Option<String>,
    website: Option<String>,
    json: bool,
) -> Result<i32> {
    if company.is_none() && website.is_none() {
        bail!("say what changed: --company and/or --website");
    }
    let mut lead = get_lead(ws, id).await?;
    let expected = Expected::of(&lead);
    if let Some(c) = company {
        lead.company = c;
    }
    if let Some(w) = website {
        lead.website = w;
    }
    let decision = stages::research::rerun(&ws.deps, &mut lead).await?;
    lead.updated_at = ws.deps.ports.clock.now();
    let saved = ws.deps.ports.leads.update(&lead, expected).await?;
    let mut step = stages::Step::start(&ws.deps, "manual", Some(&saved.id), "research");
    step.inputs(&(&saved.company, &saved.website));
    step.finish(
        &ws.deps,
        &decision,
        vec![format!(
            "company changed by {}: research and fit ran again",
            who()
        )],
    )
    .await?;
    if json {
        out::json(&json!({"id": saved.id, "research": saved.research, "fit": saved.fit}))?;
    } else {
        outln!("{}: {decision}", saved.id)?;
    }
    Ok(exit::DONE)
}

#[derive(Args)]
pub struct MarkArgs {
    id: String,
    #[arg(long, conflicts_with = "invalid")]
    valid: bool,
    #[arg(long)]
    invalid: bool,
    /// work, personal, role or disposable.
    #[arg(long)]
    kind: Option<String>,
}

pub async fn mark(ws: &Workspace, args: MarkArgs, json: bool) -> Result<i32> {
    let mut lead = get_lead(ws, &args.id).await?;
    let expected = Expected::of(&lead);
    let kind = match args.kind.as_deref() {
        Some(k) => Some(sqa_core::EmailKind::parse(k).with_context(|| {
            format!("--kind {k:?}: expected work, personal, role or disposable")
        })?),
        None => None,
    };
    let valid = if args.valid {
        Some(true)
    } else if args.invalid {
        Some(false)
    } else {
        None
    };
    if valid.is_none() && kind.is_none() {
        bail!("say what to override: --valid, --invalid and/or --kind");
    }
    let mut check = lead
        .validation
        .clone()
        .unwrap_or_else(|| email::check(&lead.email));
    check.overridden = Some(EmailOverride {
        valid,
        kind,
        by: who(),
        at: ws.deps.ports.clock.now(),
    });
    if check.may_email()
        && lead
            .blocked
            .as_ref()
            .is_some_and(sqa_core::Blocked::cleared_by_valid_address)
    {
        lead.blocked = None;
    }
    let reasons = vec![format!(
        "overridden by {}: valid {valid:?}, kind {:?}",
        who(),
        kind.map(|k| k.as_str())
    )];
    lead.validation = Some(check);
    let saved = save_by_person(ws, lead, expected, "overridden", reasons).await?;
    report_validation(&saved, json)
}

fn report_validation(lead: &Lead, json: bool) -> Result<i32> {
    let v = lead.validation.as_ref();
    if json {
        out::json(&json!({"id": lead.id, "validation": v}))?;
    } else if let Some(v) = v {
        outln!(
            "{}: {} {}{}",
            lead.id,
            if v.effective_valid() {
                "valid"
            } else {
                "invalid"
            },
            v.effective_kind().map(|k| k.as_str()).unwrap_or(""),
            v.message
                .as_deref()
                .map(|m| format!(" ({m})"))
                .unwrap_or_default()
        )?;
    }
    Ok(exit::DONE)
}
