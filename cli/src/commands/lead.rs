//! `sqa lead show ID`: one lead's insights, conversation, handover and run records.

use super::exit;
use crate::local::Workspace;
use crate::out::{self, outln};
use anyhow::{Context, Result};
use serde_json::json;
use sqa_core::agents::{email, rating};
use sqa_core::domain::{Lead, LeadId};

fn parse_id(id: &str) -> Result<LeadId> {
    LeadId::parse(id).map_err(|e| anyhow::anyhow!(e))
}

/// The lead with this id, or an error naming the id.
pub async fn get_lead(ws: &Workspace, id: &str) -> Result<Lead> {
    let id = parse_id(id)?;
    ws.deps
        .ports
        .leads
        .get(&id)
        .await?
        .with_context(|| format!("no lead {id}"))
}

pub async fn show(ws: &Workspace, id: &str, json: bool) -> Result<i32> {
    let lead = get_lead(ws, id).await?;
    let runs = ws.deps.ports.runs.for_lead(&lead.id).await?;
    // The account: the leads sharing its company domain (free mail excluded).
    let domain = lead.account();
    let mut account: Vec<Lead> = vec![lead.clone()];
    account.extend(sqa_core::ports::colleagues_of(ws.deps.ports.leads.as_ref(), &lead).await?);
    let r = rating::rate_all(&account, ws.deps.ports.clock.now())
        .into_iter()
        .next()
        .context("a rating")?;
    let colleagues = &account[1..];
    if json {
        let threads: Vec<_> = colleagues
            .iter()
            .map(|c| {
                json!({
                    "id": c.id, "name": c.display_name(), "stage": c.stage.as_str(),
                    "last_intent": c.last_intent.map(|i| i.as_str()),
                    "emails_sent": c.emails_sent(), "replies": c.inbound.len(),
                    "touches": c.touches, "inbound": c.inbound,
                })
            })
            .collect();
        out::json(&json!({
            "lead": lead, "runs": runs, "rating": r,
            "account": { "domain": domain, "colleagues": threads },
        }))?;
        return Ok(exit::DONE);
    }
    outln!(
        "{} — {} ({})",
        lead.id,
        lead.display_name(),
        lead.company.trim()
    )?;
    outln!(
        "  stage {} · CRM status {} · owner {}",
        lead.stage,
        lead.status,
        lead.owner.trim()
    )?;
    outln!(
        "  rating {} ({}) · next step: {} — {}",
        r.heat.as_str(),
        r.score,
        r.action,
        r.reason
    )?;
    if let Some(b) = &lead.blocked {
        outln!("  needs a person: {b}")?;
    }
    if !colleagues.is_empty() {
        outln!(
            "  account {} — {} colleague(s):",
            domain.as_deref().unwrap_or(""),
            colleagues.len()
        )?;
        for c in colleagues {
            outln!(
                "    {} {} · {} · {} sent, {} replies{}",
                c.id,
                c.display_name(),
                c.stage,
                c.emails_sent(),
                c.inbound.len(),
                c.last_intent
                    .map(|i| format!(" · last reply {}", i.as_str()))
                    .unwrap_or_default()
            )?;
            for t in c
                .touches
                .iter()
                .filter(|t| t.state == sqa_core::domain::TouchState::Sent)
            {
                outln!("      → {} {:?}", t.at.format("%Y-%m-%d"), t.subject)?;
            }
            for e in &c.inbound {
                outln!(
                    "      ← {} {:?} ({})",
                    e.received_at.format("%Y-%m-%d"),
                    e.subject,
                    e.classification.intent.as_str()
                )?;
            }
        }
    }
    if let Some(r) = &lead.reason {
        outln!("  reason: {r}")?;
    }
    if let Some(v) = &lead.validation {
        outln!(
            "  email {:?}: {} {}{}",
            v.address,
            if v.effective_valid() {
                "valid"
            } else {
                "invalid"
            },
            v.effective_kind().map(|k| k.as_str()).unwrap_or(""),
            v.reason
                .as_deref()
                .map(|r| format!(
                    " ({}{r}: {})",
                    email::category(r)
                        .map(|c| format!("{c:?} / "))
                        .unwrap_or_default(),
                    v.message.as_deref().unwrap_or("")
                ))
                .unwrap_or_default()
        )?;
        outln!("  deliverability: {:?}", v.deliverability)?;
        if let Some(o) = &v.overridden {
            outln!("  overridden by {} at {}", o.by, o.at.to_rfc3339())?;
        }
    }
    if let Some(f) = &lead.fit {
        outln!("  fit {} / 100, tier {}", f.score, f.tier.as_str())?;
        for c in &f.criteria {
            outln!(
                "    {:<8} {:>2}/{:<2} {}",
                c.name,
                c.points,
                c.weight,
                c.reason
            )?;
        }
    }
    if let Some(r) = &lead.research {
        if let Some(o) = &r.overview {
            outln!("  company: {o}")?;
        }
        for f in r.facts.iter().take(8) {
            outln!("    fact: {} ({})", f.text, f.source)?;
        }
        for n in r.news.iter().take(4) {
            outln!(
                "    news: {} {} ({})",
                n.date.as_deref().unwrap_or(""),
                n.text,
                n.source
            )?;
        }
        if let Some(e) = &r.error {
            outln!("  research: {e}")?;
        }
    }
    let b = &lead.bant;
    outln!(
        "  BANT: budget {:?} · authority {:?} · need {:?} · timeline {:?}",
        b.budget,
        b.authority,
        b.need,
        b.timeline
    )?;
    for t in &lead.touches {
        outln!(
            "  touch {} ({:?}, {:?}) {} — {}",
            t.n,
            t.kind,
            t.state,
            t.at.format("%Y-%m-%d %H:%M"),
            t.subject
        )?;
    }
    for m in &lead.inbound {
        outln!(
            "  reply {} — {} → {}",
            m.received_at.format("%Y-%m-%d %H:%M"),
            m.classification.intent.as_str(),
            m.classification.action.as_str()
        )?;
    }
    if let Some(h) = &lead.handover {
        outln!(
            "  handed over to {} at {}:\n{}",
            h.seller,
            h.at.to_rfc3339(),
            indent(&h.summary)
        )?;
    }
    outln!("  run records:")?;
    for r in &runs {
        outln!(
            "    {} {:<9} {:<16} {}{}",
            r.at.format("%Y-%m-%d %H:%M:%S"),
            r.stage,
            r.decision,
            r.reasons.join("; "),
            r.error
                .as_deref()
                .map(|e| format!(" [error: {e}]"))
                .unwrap_or_default()
        )?;
    }
    Ok(exit::DONE)
}

fn indent(s: &str) -> String {
    s.lines()
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}
