//! The supervisor's figures over a period: the funnel, response rates by source and by
//! industry, touches to the first reply, handover and disqualification rates with their
//! reasons, the median time from import to the first email, and the model's cost per lead
//! from the run records.
//!
//! The period holds the leads the agent worked on in it: those whose last change
//! (`updated_at`) falls in `[from, to]`. Views only: it reads every lead page by page (no
//! stage calls it).

use crate::domain::{Lead, Stage, TouchKind, TouchState};
use crate::ports::{Deps, LeadFilter, StoreError};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::BTreeMap;

/// What the model cost in one stage.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct StageCost {
    pub calls: u64,
    pub tokens: u64,
    pub cost: f64,
}

/// One group of a response-rate table.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Rate {
    pub contacted: u64,
    pub replied: u64,
    /// replied / contacted (0 when none were contacted).
    pub rate: f64,
}

/// One group of the control-group comparison.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct GroupRates {
    /// Selected leads in the group.
    pub leads: u64,
    /// Leads with a reply recorded.
    pub replied: u64,
    /// Leads handed over after a conversation (a handover recorded on the lead).
    pub handed_over: u64,
    /// replied / leads.
    pub reply_rate: f64,
    /// handed over / leads.
    pub handover_rate: f64,
}

/// The agent's selected leads against the control group left to the sellers
/// (`selection.control_share`): the uplift is the agent group's rate minus the control
/// group's, in rate points (0.12 = twelve points).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ControlComparison {
    pub agent: GroupRates,
    pub control: GroupRates,
    pub reply_uplift: f64,
    pub handover_uplift: f64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Metrics {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Leads in the period.
    pub leads: u64,
    /// Leads per current stage.
    pub stages: BTreeMap<String, u64>,
    /// How far the period's leads got: selected, validated, researched, contacted, replied,
    /// handed over (each a subset of the one before it but for replies).
    pub funnel: Vec<(String, u64)>,
    pub response_rate: Rate,
    pub by_source: BTreeMap<String, Rate>,
    pub by_industry: BTreeMap<String, Rate>,
    /// Mean number of emails sent before the first reply, over the leads that replied.
    pub touches_to_first_reply: Option<f64>,
    /// handed over / contacted.
    pub handover_rate: f64,
    /// disqualified / leads in the period.
    pub disqualification_rate: f64,
    /// Why leads were disqualified, most frequent first.
    pub disqualification_reasons: Vec<(String, u64)>,
    /// Median hours from import to the first email sent.
    pub median_hours_to_first_email: Option<f64>,
    /// Model tokens and cost over the period's leads (currency of the configured prices).
    pub tokens: u64,
    pub cost: f64,
    pub cost_per_lead: f64,
    /// Tokens and cost per stage of the run records (`outreach`, `engage`, …).
    pub cost_by_stage: BTreeMap<String, StageCost>,
    /// Drafts waiting for a person (research-only mode).
    pub drafts_waiting: u64,
    /// The agent against the control group, when there is one (a control share configured,
    /// or control leads in the period).
    pub control_group: Option<ControlComparison>,
}

fn rate(n: u64, of: u64) -> f64 {
    if of == 0 { 0.0 } else { n as f64 / of as f64 }
}

fn group(label: &str) -> String {
    let t = label.trim();
    if t.is_empty() {
        "(none)".into()
    } else {
        t.chars().take(60).collect()
    }
}

fn reached(lead: &Lead, stage: Stage) -> bool {
    use Stage::*;
    let order = |s: Stage| match s {
        New => 0,
        Selected => 1,
        Validated => 2,
        Researched => 3,
        _ => 4,
    };
    if lead.emails_sent() > 0 {
        return true;
    }
    match lead.stage {
        Disqualified | Suppressed | Bounced | Nurture | HandedOver | Engaged | Contacted => {
            // A lead that ended before it was written to got as far as its research says.
            let got = if lead.research.is_some() || lead.fit.is_some() {
                3
            } else if lead.validation.is_some() {
                2
            } else if lead.claimed_by.is_some() {
                1
            } else {
                0
            };
            order(stage) <= got
        }
        s => order(stage) <= order(s),
    }
}

/// The figures of the leads changed in `[from, to]`.
pub async fn compute(
    deps: &Deps,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Metrics, StoreError> {
    let mut leads = Vec::new();
    let mut cursor = None;
    loop {
        let page = deps
            .ports
            .leads
            .list(&LeadFilter::default(), cursor, 500)
            .await?;
        leads.extend(
            page.items
                .into_iter()
                .filter(|l| l.updated_at >= from && l.updated_at <= to),
        );
        match page.next {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    let mut m = Metrics {
        from,
        to,
        leads: leads.len() as u64,
        ..Default::default()
    };
    for s in Stage::ALL {
        m.stages.insert(s.as_str().into(), 0);
    }
    let steps = [
        ("selected", Stage::Selected),
        ("validated", Stage::Validated),
        ("researched", Stage::Researched),
    ];
    let mut funnel = [0u64; 6];
    let mut to_first_reply = Vec::new();
    let mut hours_to_first = Vec::new();
    let mut reasons: BTreeMap<String, u64> = BTreeMap::new();
    let mut disqualified = 0;
    let mut agent = GroupRates::default();
    let mut control = GroupRates::default();
    for lead in &leads {
        if lead.control || reached(lead, Stage::Selected) {
            let g = if lead.control {
                &mut control
            } else {
                &mut agent
            };
            g.leads += 1;
            if !lead.inbound.is_empty() {
                g.replied += 1;
            }
            if lead.handover.is_some() || (!lead.control && lead.stage == Stage::HandedOver) {
                g.handed_over += 1;
            }
        }
        *m.stages.entry(lead.stage.as_str().into()).or_default() += 1;
        for (i, (_, s)) in steps.iter().enumerate() {
            if reached(lead, *s) {
                funnel[i] += 1;
            }
        }
        let contacted = lead.emails_sent() > 0;
        let replied = !lead.inbound.is_empty();
        if contacted {
            funnel[3] += 1;
        }
        if contacted && replied {
            funnel[4] += 1;
        }
        // A control lead went to its owner at selection: not a handover by the agent.
        if lead.stage == Stage::HandedOver && !lead.control {
            funnel[5] += 1;
        }
        if contacted {
            for table in [
                m.by_source.entry(group(&lead.source)).or_default(),
                m.by_industry.entry(group(&industry(lead))).or_default(),
                &mut m.response_rate,
            ] {
                table.contacted += 1;
                if replied {
                    table.replied += 1;
                }
            }
        }
        let sent: Vec<_> = lead
            .touches
            .iter()
            .filter(|t| {
                t.kind != TouchKind::Answer
                    && matches!(t.state, TouchState::Sent | TouchState::Unknown)
            })
            .collect();
        if let Some(first_reply) = lead.inbound.iter().map(|m| m.received_at).min() {
            let before = sent.iter().filter(|t| t.at <= first_reply).count();
            if before > 0 {
                to_first_reply.push(before as f64);
            }
        }
        if let Some(first) = sent.iter().map(|t| t.at).min() {
            hours_to_first.push((first - lead.inserted_at).num_seconds().max(0) as f64 / 3600.0);
        }
        if lead.stage == Stage::Disqualified {
            disqualified += 1;
            *reasons
                .entry(group(lead.reason.as_deref().unwrap_or("")))
                .or_default() += 1;
        }
        m.drafts_waiting += lead
            .touches
            .iter()
            .filter(|t| t.state == TouchState::Draft)
            .count() as u64;
        for r in deps.ports.runs.for_lead(&lead.id).await? {
            let cost = r.model_calls.iter().map(|c| c.cost).sum::<f64>();
            m.tokens += r.tokens_in + r.tokens_out;
            m.cost += cost;
            if !r.model_calls.is_empty() || r.tokens_in + r.tokens_out > 0 {
                let s = m.cost_by_stage.entry(r.stage.clone()).or_default();
                s.calls += r.model_calls.len().max(1) as u64;
                s.tokens += r.tokens_in + r.tokens_out;
                s.cost += cost;
            }
        }
    }
    let names = [
        "selected",
        "validated",
        "researched",
        "contacted",
        "replied",
        "handed_over",
    ];
    m.funnel = names
        .iter()
        .zip(funnel)
        .map(|(n, c)| (n.to_string(), c))
        .collect();
    for t in m
        .by_source
        .values_mut()
        .chain(m.by_industry.values_mut())
        .chain(std::iter::once(&mut m.response_rate))
    {
        t.rate = rate(t.replied, t.contacted);
    }
    m.touches_to_first_reply = (!to_first_reply.is_empty())
        .then(|| to_first_reply.iter().sum::<f64>() / to_first_reply.len() as f64);
    m.handover_rate = rate(funnel[5], funnel[3]);
    m.disqualification_rate = rate(disqualified, m.leads);
    if control.leads > 0 || deps.config.selection.control_share > 0.0 {
        for g in [&mut agent, &mut control] {
            g.reply_rate = rate(g.replied, g.leads);
            g.handover_rate = rate(g.handed_over, g.leads);
        }
        m.control_group = Some(ControlComparison {
            reply_uplift: agent.reply_rate - control.reply_rate,
            handover_uplift: agent.handover_rate - control.handover_rate,
            agent,
            control,
        });
    }
    let mut reasons: Vec<(String, u64)> = reasons.into_iter().collect();
    reasons.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    m.disqualification_reasons = reasons;
    m.median_hours_to_first_email = median(&mut hours_to_first);
    m.cost_per_lead = if m.leads == 0 {
        0.0
    } else {
        m.cost / m.leads as f64
    };
    Ok(m)
}

/// The industry research found, else the one imported.
fn industry(lead: &Lead) -> String {
    lead.research
        .as_ref()
        .and_then(|r| r.industry.clone())
        .filter(|i| !i.trim().is_empty())
        .unwrap_or_else(|| lead.industry.clone())
}

fn median(v: &mut [f64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&mut [4.0, 1.0, 2.0, 3.0]), Some(2.5));
    }
}
