//! `sqa stats --cost`: what the model cost, from the run records — per lead and per stage,
//! with tokens, calls, fallbacks to the offline engine and latency. Costs are the ones
//! recorded with each call, at the prices the config had then.

use crate::local::Workspace;
use crate::out::outln;
use anyhow::Result;
use clap::Args;
use serde::Serialize;
use serde_json::json;
use sqa_core::ports::{LeadFilter, RunRecord};
use std::collections::BTreeMap;

#[derive(Args)]
pub struct StatsArgs {
    /// Model tokens and cost per lead and per stage, from the run records.
    #[arg(long)]
    pub cost: bool,
}

/// Calls, tokens, cost and fallbacks of a group of model calls.
#[derive(Debug, Default, Clone, Serialize, PartialEq)]
pub struct Totals {
    pub calls: u64,
    pub fallbacks: u64,
    pub tokens_in: u64,
    pub tokens_out: u64,
    pub cost: f64,
    #[serde(skip)]
    latencies: Vec<u64>,
}

impl Totals {
    fn add(&mut self, c: &sqa_core::ports::ModelCall) {
        self.calls += 1;
        self.fallbacks += u64::from(c.fallback.is_some());
        self.tokens_in += c.tokens_in;
        self.tokens_out += c.tokens_out;
        self.cost += c.cost;
        self.latencies.push(c.latency_ms);
    }

    /// The `p`-th percentile of the calls' latencies, in ms.
    pub fn percentile(&self, p: f64) -> u64 {
        percentile(&self.latencies, p)
    }
}

/// The `p`-th percentile (nearest rank) of `values`; 0 when empty.
pub fn percentile(values: &[u64], p: f64) -> u64 {
    if values.is_empty() {
        return 0;
    }
    let mut v = values.to_vec();
    v.sort_unstable();
    let rank = ((p / 100.0) * v.len() as f64).ceil() as usize;
    v[rank.clamp(1, v.len()) - 1]
}

/// The totals per stage and per lead of `records` (each lead's records together).
pub fn totals<'a>(
    per_lead: impl Iterator<Item = (String, &'a [RunRecord])>,
) -> (Totals, BTreeMap<String, Totals>, BTreeMap<String, Totals>) {
    let mut all = Totals::default();
    let mut stages: BTreeMap<String, Totals> = BTreeMap::new();
    let mut leads: BTreeMap<String, Totals> = BTreeMap::new();
    for (lead, records) in per_lead {
        for r in records {
            for c in &r.model_calls {
                all.add(c);
                stages.entry(r.stage.clone()).or_default().add(c);
                leads.entry(lead.clone()).or_default().add(c);
            }
        }
    }
    (all, stages, leads)
}

pub async fn stats(ws: &Workspace, json: bool) -> Result<i32> {
    let ports = &ws.deps.ports;
    let mut records: Vec<(String, Vec<RunRecord>)> = Vec::new();
    let mut cursor = None;
    loop {
        let page = ports
            .leads
            .list(&LeadFilter::default(), cursor, 500)
            .await?;
        for lead in &page.items {
            records.push((lead.id.to_string(), ports.runs.for_lead(&lead.id).await?));
        }
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    let lead_count = records.len();
    let (all, stages, leads) = totals(records.iter().map(|(id, r)| (id.clone(), r.as_slice())));
    let per_lead = if lead_count == 0 {
        0.0
    } else {
        all.cost / lead_count as f64
    };
    let worked = leads.len();
    let per_worked = if worked == 0 {
        0.0
    } else {
        all.cost / worked as f64
    };
    let most = leads
        .iter()
        .max_by(|a, b| a.1.cost.total_cmp(&b.1.cost))
        .map(|(id, t)| (id.clone(), t.cost));
    if json {
        crate::out::json(&json!({
            "leads": lead_count,
            "total": all,
            "cost_per_lead": per_lead,
            "leads_with_model_calls": worked,
            "cost_per_lead_with_model_calls": per_worked,
            "p50_ms": all.percentile(50.0),
            "p95_ms": all.percentile(95.0),
            "stages": stages,
            "most_expensive_lead": most.as_ref().map(|(id, c)| json!({"lead": id, "cost": c})),
            "provider": ws.deps.config.model.provider.as_str(),
            "model": ws.deps.config.model.model_name(),
        }))?;
        return Ok(0);
    }
    outln!(
        "model: {} ({}); prices per million tokens: {} in, {} out",
        ws.deps.config.model.model_name(),
        ws.deps.config.model.provider.as_str(),
        ws.deps.config.model.price_in_per_million,
        ws.deps.config.model.price_out_per_million
    )?;
    outln!(
        "{:<10} {:>6} {:>9} {:>10} {:>10} {:>12} {:>8} {:>8}",
        "stage",
        "calls",
        "fallback",
        "tokens in",
        "tokens out",
        "cost",
        "p50 ms",
        "p95 ms"
    )?;
    for (stage, t) in stages
        .iter()
        .chain(std::iter::once((&"total".to_string(), &all)))
    {
        outln!(
            "{:<10} {:>6} {:>9} {:>10} {:>10} {:>12.6} {:>8} {:>8}",
            stage,
            t.calls,
            t.fallbacks,
            t.tokens_in,
            t.tokens_out,
            t.cost,
            t.percentile(50.0),
            t.percentile(95.0)
        )?;
    }
    outln!(
        "leads: {lead_count}; cost per lead: {per_lead:.6}; per lead the model worked on ({worked}): {per_worked:.6}"
    )?;
    if let Some((id, cost)) = most {
        outln!("most expensive lead: {id} ({cost:.6})")?;
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let v: Vec<u64> = (1..=20).collect();
        assert_eq!(percentile(&v, 50.0), 10);
        assert_eq!(percentile(&v, 95.0), 19);
        assert_eq!(percentile(&[], 95.0), 0);
        assert_eq!(percentile(&[7], 50.0), 7);
    }
}
