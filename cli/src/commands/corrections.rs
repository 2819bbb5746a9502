//! The manual corrections of one lead: `sqa lead set-email`, `sqa lead mark`,
//! `sqa lead set-company` and `sqa lead resume`. Each is written with who made it and when, and reruns only the
//! stages the change touches.

use super::exit;
use super::lead::get_lead;
use crate::local::Workspace;
use crate::out::{self, outln};
use anyhow::{Context, Result, bail};
use clap::Args;
use serde_json::json;
use sqa_core::domain::Lead;
use sqa_core::stages;

fn who() -> String {
    std::env::var("USER").unwrap_or_else(|_| "a person".into())
}

pub async fn set_email(ws: &Workspace, id: &str, address: &str, json: bool) -> Result<i32> {
    let lead = get_lead(ws, id).await?;
    let saved = stages::corrections::set_email(&ws.deps, &lead.id, address, &who()).await?;
    report_validation(&saved, json)
}

pub async fn resume(ws: &Workspace, id: &str, json: bool) -> Result<i32> {
    let lead = get_lead(ws, id).await?;
    let saved = stages::corrections::resume(&ws.deps, &lead.id, &who()).await?;
    if json {
        out::json(&json!({"id": saved.id, "stage": saved.stage, "blocked": saved.blocked}))?;
    } else {
        outln!(
            "{}: resumed; the agent may write to the lead again",
            saved.id
        )?;
    }
    Ok(exit::DONE)
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
    let lead = get_lead(ws, id).await?;
    let (saved, decision) =
        stages::corrections::set_company(&ws.deps, &lead.id, company, website, &who()).await?;
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
    let lead = get_lead(ws, &args.id).await?;
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
    let saved = stages::corrections::mark_address(&ws.deps, &lead.id, valid, kind, &who()).await?;
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
