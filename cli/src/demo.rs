//! `sqa demo`: the whole qualification loop on the example corpus, in a fresh temporary
//! folder, with no account and no network.

use crate::commands::leads::{all_leads, is_suppressed, lead_row};
use crate::commands::run::run_once;
use crate::commands::{self, exit, views};
use crate::local::{self, Workspace};
use crate::out::{self as output, outln};
use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use clap::Args;
use serde_json::json;
use sqa_core::import;
use sqa_core::ports::{LeadFilter, QueueName};
use sqa_core::stages::{self, InboundMessage, runner};
use std::path::{Path, PathBuf};

/// The example's reference time: the demo behaves the same on any day.
pub const REFERENCE_NOW: &str = "2026-11-21T00:00:00Z";

#[derive(Args)]
pub struct DemoArgs {
    /// Leads CSV (default: the example's leads/leads.csv).
    #[arg(long)]
    leads: Option<PathBuf>,
    /// Folder of inbound replies (*.eml) fed after the first run (default: the example's).
    #[arg(long)]
    replies: Option<PathBuf>,
    /// Website mirror, one folder per domain (default: the example's web/).
    #[arg(long)]
    web: Option<PathBuf>,
    /// Keep the workspace here instead of a new temporary folder.
    #[arg(long)]
    into: Option<PathBuf>,
    /// The example to run: lumora (default), corvid, or any folder laid out like
    /// examples/lumora (sqa.toml, leads/, replies/, web/, the knowledge it names).
    #[arg(long)]
    example: Option<String>,
}

pub async fn run(args: DemoArgs, now: Option<DateTime<Utc>>, json: bool) -> Result<i32> {
    let now = match now {
        Some(t) => t,
        None => commands::parse_now(REFERENCE_NOW)?,
    };
    let dir = match &args.into {
        Some(d) => d.clone(),
        None => tempfile::Builder::new()
            .prefix("sqa-demo-")
            .tempdir()
            .context("cannot create a temporary folder")?
            .keep(),
    };
    match &args.example {
        Some(e) => local::init_from(&dir, &local::example(e)?)?,
        None => local::init(&dir)?,
    }
    let say = |s: String| -> Result<()> {
        if !json {
            outln!("{s}")?;
        }
        Ok(())
    };
    say(format!(
        "SQA demo in {} (now = {})",
        dir.display(),
        now.to_rfc3339()
    ))?;

    let mut cfg = local::load_config(&dir.join(local::CONFIG_FILE))?;
    if let Some(web) = &args.web {
        let abs = std::fs::canonicalize(web)
            .with_context(|| format!("--web {}: no such folder", web.display()))?;
        cfg.web.source = sqa_core::config::WebSource::Dir(abs.display().to_string());
    }
    // The demo replays the whole loop at one moment (a Saturday night by default): first
    // emails go at once instead of waiting for each lead's business morning.
    if cfg.cadence.quiet_hours {
        cfg.cadence.quiet_hours = false;
        say("   (quiet hours off for the demo: first emails go at once)".into())?;
    }
    let ws = Workspace::open_with(&dir, cfg, Some(now)).await?;

    // 1. Import.
    let leads_file = args
        .leads
        .clone()
        .unwrap_or_else(|| dir.join("leads/leads.csv"));
    let bytes = sqa_core::fsread::read_limited(
        &leads_file,
        ws.deps.config.limits.max_csv_bytes,
        sqa_core::config::Limits::MAX_CSV_BYTES,
    )?;
    let report = import::import_csv(&ws.deps, &bytes, false)
        .await
        .map_err(|e| anyhow::anyhow!("{}: {e}", leads_file.display()))?;
    say(format!(
        "1. imported {} leads from {} ({} rows with errors, {} duplicate addresses)",
        report.imported.len(),
        leads_file.display(),
        report.errors.len(),
        report.duplicates.len()
    ))?;
    if !json {
        for e in report.errors.iter().take(5) {
            outln!("   {e}")?;
        }
    }

    // 2. Select, validate, research, score, write and send.
    let (sel, drained) = run_once(&ws, !json).await?;
    say(format!(
        "2. selected {} leads; validated, researched, scored and emailed them ({} queue messages)",
        sel.selected.len(),
        drained.handled.values().sum::<u64>()
    ))?;

    // 3. Replies.
    let replies_dir = args.replies.clone().unwrap_or_else(|| dir.join("replies"));
    let cannot_read = || format!("cannot read {}", replies_dir.display());
    let mut files: Vec<PathBuf> = Vec::new();
    for entry in std::fs::read_dir(&replies_dir).with_context(cannot_read)? {
        let path = entry.with_context(cannot_read)?.path();
        if path
            .extension()
            .is_some_and(|x| x.eq_ignore_ascii_case("eml"))
        {
            files.push(path);
        }
    }
    files.sort();
    let mut decisions = std::collections::BTreeMap::<String, u64>::new();
    for f in &files {
        let key = std::fs::canonicalize(f)?.to_string_lossy().into_owned();
        let body = serde_json::to_string(&InboundMessage {
            v: stages::MESSAGE_VERSION,
            key,
            verdicts: Default::default(),
        })?;
        ws.deps.ports.queue.send(QueueName::Engage, &[body]).await?;
    }
    let replies = runner::drain(&ws.deps, 1000, |q, r| {
        if q == QueueName::Engage
            && let Ok(o) = r
        {
            *decisions.entry(o.decision.clone()).or_default() += 1;
        }
    })
    .await?;
    say(format!(
        "3. read {} replies: {}",
        files.len(),
        decisions
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect::<Vec<_>>()
            .join(", ")
    ))?;

    // 4. Another run: follow-ups due, leads referred by replies.
    let (sel2, _) = run_once(&ws, !json).await?;
    say(format!(
        "4. ran again: {} new leads selected (referrals), {} follow-ups due",
        sel2.selected.len(),
        sel2.due.len()
    ))?;

    let counts = ws.deps.ports.leads.count_by_stage().await?;
    let leads = all_leads(&ws, &LeadFilter::default(), usize::MAX).await?;
    let outbox = dir.join(local::OUTBOX);
    let mail_files = count_files(&outbox)?;
    let mut rows = Vec::new();
    for l in &leads {
        rows.push(lead_row(l, is_suppressed(&ws, l).await?));
    }
    rows.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    if json {
        let funnel: serde_json::Map<String, serde_json::Value> = sqa_core::Stage::ALL
            .iter()
            .map(|s| {
                (
                    s.as_str().to_string(),
                    json!(counts.get(s).copied().unwrap_or(0)),
                )
            })
            .collect();
        let out = json!({
            "dir": dir, "now": now.to_rfc3339(), "imported": report.imported.len(),
            "import_errors": report.errors, "duplicates": report.duplicates,
            "selected": sel.selected.len(), "replies": files.len(),
            "reply_failures": replies.failed, "funnel": funnel,
            "outbox": outbox, "mail_files": mail_files, "leads": rows,
        });
        output::json(&out)?;
        return Ok(exit::DONE);
    }
    outln!("")?;
    views::print_funnel(&counts)?;
    outln!("")?;
    let handed: Vec<_> = leads.iter().filter(|l| l.handover.is_some()).collect();
    outln!("Handed over ({}):", handed.len())?;
    for l in handed.iter().take(20) {
        if let Some(h) = &l.handover {
            outln!(
                "  {} {} ({}) → {}",
                l.id,
                l.display_name(),
                l.company.trim(),
                h.seller
            )?;
        }
    }
    outln!("")?;
    outln!(
        "Mail: {mail_files} messages written to {}",
        outbox.display()
    )?;
    outln!(
        "Inspect: sqa --dir {} leads list | lead show ID | stats",
        dir.display()
    )?;
    if !replies.failed.is_empty() {
        outln!("{} replies could not be processed:", replies.failed.len())?;
        for f in &replies.failed {
            outln!("  {f}")?;
        }
    }
    Ok(exit::DONE)
}

/// The files in `dir`; a folder that does not exist yet (nothing was sent) holds none.
fn count_files(dir: &Path) -> Result<usize> {
    match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .map(|e| e.map(|_| 1))
            .sum::<std::io::Result<usize>>()
            .with_context(|| format!("cannot read {}", dir.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(0),
        Err(e) => Err(anyhow::Error::new(e).context(format!("cannot read {}", dir.display()))),
    }
}
