//! `sqa leads import`, `sqa leads list` and `sqa leads export`, and the one-line view of a
//! lead that the list, the demo and the benchmark share.

use super::exit;
use crate::local::Workspace;
use crate::out::{self, errln, outln};
use anyhow::{Context, Result};
use serde_json::json;
use sqa_core::agents::{email, fit as fit_agent, rating};
use sqa_core::config::Limits;
use sqa_core::domain::{Lead, LeadId, Stage};
use sqa_core::fsread;
use sqa_core::import;
use sqa_core::ports::LeadFilter;
use sqa_core::stages::select;
use std::path::Path;

/// Import a CSV file. Every row error, warning and duplicate is named on standard error with
/// its line; the good rows are imported whatever the bad ones hold. The exit code is `DONE`
/// when every row was imported (or already present), `PARTLY` when some rows had errors and
/// the others were imported, `FAILED` when no row could be (or the file itself is unusable:
/// unreadable, empty, no header).
pub async fn import(ws: &Workspace, file: &Path, dry_run: bool, json: bool) -> Result<i32> {
    let limits = &ws.deps.config.limits;
    let bytes = fsread::read_limited(file, limits.max_csv_bytes, Limits::MAX_CSV_BYTES)?;
    let report = import::import_csv(&ws.deps, &bytes, dry_run)
        .await
        .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    // Speed to lead: the new leads are claimed and queued for validation now, so a running
    // worker (`sqa run`) writes to them within seconds instead of at its next selection.
    let queued = if dry_run {
        0
    } else {
        let ids: Vec<LeadId> = report
            .imported
            .iter()
            .filter_map(|id| LeadId::parse(id).ok())
            .collect();
        let run_id = format!(
            "import-{}",
            ws.deps.ports.clock.now().format("%Y%m%dT%H%M%S%.3fZ")
        );
        select::enqueue_new(&ws.deps, &ids, &run_id)
            .await
            .context("the leads were imported, but queueing them for validation failed")?
    };
    if json {
        out::json(&serde_json::to_value(&report)?)?;
    } else {
        for w in &report.warnings {
            errln!("{}: warning: {w}", file.display())?;
        }
        for e in &report.errors {
            errln!("{}: {e}", file.display())?;
        }
        for d in &report.duplicates {
            errln!(
                "{}: line {}: {} has the same address as {} ({})",
                file.display(),
                d.line,
                d.id,
                d.duplicate_of,
                d.address
            )?;
        }
        outln!(
            "{} rows: {} {}, {} already present, {} with errors, {} duplicates",
            report.rows,
            report.imported.len(),
            if dry_run {
                "would be imported"
            } else {
                "imported"
            },
            report.already_present.len(),
            report.errors.len(),
            report.duplicates.len()
        )?;
        if queued > 0 {
            outln!("{queued} selected and queued for validation (sqa run works them)")?;
        }
    }
    let handled = report.imported.len() + report.already_present.len();
    Ok(exit::of(report.errors.len(), report.errors.len() + handled))
}

/// One lead as the list, stats and demo show it.
pub fn lead_row(lead: &Lead, suppressed: bool) -> serde_json::Value {
    let check = lead
        .validation
        .clone()
        .unwrap_or_else(|| email::check(&lead.email));
    let fit = lead.fit.clone().unwrap_or_else(|| {
        fit_agent::score(
            &fit_agent::FitInput::of(lead),
            &sqa_core::config::Icp::default(),
        )
    });
    json!({
        "id": lead.id, "name": lead.display_name(), "company": lead.company.trim(),
        "stage": lead.stage.as_str(), "status": lead.status,
        "email_valid": check.effective_valid(), "email_kind": check.effective_kind().map(|k| k.as_str()),
        "fit_score": lead.fit.as_ref().map(|_| fit.score), "tier": lead.fit.as_ref().map(|_| fit.tier.as_str()),
        "emails_sent": lead.emails_sent(),
        "last_intent": lead.last_intent.map(|i| i.as_str()), "action": lead.last_action.map(|a| a.as_str()),
        "owner": lead.handover.as_ref().map(|h| h.seller.clone()).unwrap_or_else(|| lead.owner.trim().to_string()),
        "suppressed": suppressed, "blocked": lead.blocked, "reason": lead.reason,
        "duplicate_of": lead.duplicate_of,
    })
}

pub async fn all_leads(ws: &Workspace, filter: &LeadFilter, limit: usize) -> Result<Vec<Lead>> {
    let mut out = Vec::new();
    let mut cursor = None;
    loop {
        let page = ws.deps.ports.leads.list(filter, cursor, 500).await?;
        out.extend(page.items);
        if out.len() >= limit {
            out.truncate(limit);
            break;
        }
        match page.next {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    Ok(out)
}

pub async fn is_suppressed(ws: &Workspace, lead: &Lead) -> Result<bool> {
    let key = lead
        .sendable_address()
        .map(str::to_lowercase)
        .unwrap_or_else(|| lead.email_key.to_string());
    Ok(ws.deps.ports.suppressions.get(&key).await?.is_some())
}

pub async fn list(
    ws: &Workspace,
    stage: Option<String>,
    owner: Option<String>,
    limit: usize,
    sort: &str,
    json: bool,
) -> Result<i32> {
    let by_rating = match sort {
        "newest" => false,
        "rating" => true,
        other => anyhow::bail!("--sort {other:?}: one of newest, rating"),
    };
    let stage = match stage {
        Some(s) => Some(Stage::parse(&s).with_context(|| {
            format!(
                "--stage {s:?} is not a stage; one of: {}",
                Stage::ALL
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })?),
        None => None,
    };
    let leads = all_leads(ws, &LeadFilter { stage, owner }, limit).await?;
    let now = ws.deps.ports.clock.now();
    let ratings = rating::rate_all(&leads, now);
    let mut order: Vec<usize> = (0..leads.len()).collect();
    if by_rating {
        // Stable: equal scores keep the newest-first order.
        order.sort_by(|a, b| ratings[*b].score.cmp(&ratings[*a].score));
    }
    for (rank, i) in order.iter().enumerate() {
        let (lead, r) = (&leads[*i], &ratings[*i]);
        let mut row = lead_row(lead, is_suppressed(ws, lead).await?);
        row["rating"] = json!({
            "heat": r.heat.as_str(), "score": r.score, "rank": rank + 1,
            "action": r.action, "reason": r.reason,
        });
        if json {
            out::json(&row)?;
        } else if by_rating {
            outln!(
                "{:>4}. {:<4} {:>3} {:<8} {:<13} {:<24} {}: {}",
                rank + 1,
                r.heat.as_str(),
                r.score,
                lead.id,
                lead.stage.as_str(),
                truncate(&lead.display_name(), 24),
                r.action,
                r.reason
            )?;
        } else {
            outln!(
                "{:<8} {:<13} {:<28} {:<24} fit {:>3} {}  sent {}{}",
                lead.id,
                lead.stage.as_str(),
                truncate(&lead.display_name(), 28),
                truncate(lead.company.trim(), 24),
                lead.fit
                    .as_ref()
                    .map(|f| f.score.to_string())
                    .unwrap_or_else(|| "-".into()),
                lead.fit.as_ref().map(|f| f.tier.as_str()).unwrap_or("-"),
                lead.emails_sent(),
                lead.blocked
                    .as_ref()
                    .map(|b| format!("  [{b}]"))
                    .unwrap_or_default()
            )?;
        }
    }
    if !json {
        outln!("{} lead(s)", leads.len())?;
    }
    Ok(exit::DONE)
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}

pub async fn export(ws: &Workspace) -> Result<i32> {
    let leads = all_leads(ws, &LeadFilter::default(), usize::MAX).await?;
    out::text(&import::export_csv(&leads)?)?;
    Ok(exit::DONE)
}
