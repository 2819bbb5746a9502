//! `sqa stats`: the funnel, leads per stage (also printed by the demo).

use super::exit;
use crate::local::Workspace;
use crate::out::{self, outln};
use anyhow::Result;
use serde_json::json;
use sqa_core::domain::Stage;
use std::collections::BTreeMap;

pub async fn stats(ws: &Workspace, json: bool) -> Result<i32> {
    let counts = ws.deps.ports.leads.count_by_stage().await?;
    if json {
        let m: serde_json::Map<String, serde_json::Value> = Stage::ALL
            .iter()
            .map(|s| {
                (
                    s.as_str().to_string(),
                    json!(counts.get(s).copied().unwrap_or(0)),
                )
            })
            .collect();
        out::json(&json!({"stages": m, "total": counts.values().sum::<u64>()}))?;
    } else {
        print_funnel(&counts)?;
    }
    Ok(exit::DONE)
}

pub fn print_funnel(counts: &BTreeMap<Stage, u64>) -> Result<()> {
    let total: u64 = counts.values().sum();
    outln!("{:<13} {:>6}", "stage", "leads")?;
    for s in Stage::ALL {
        let n = counts.get(&s).copied().unwrap_or(0);
        let bar = "█".repeat(((n * 40).checked_div(total.max(1)).unwrap_or(0)) as usize);
        outln!("{:<13} {:>6} {bar}", s.as_str(), n)?;
    }
    outln!("{:<13} {:>6}", "total", total)?;
    Ok(())
}
