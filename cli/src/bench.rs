//! `sqa bench`: N synthetic leads through the whole loop (import, select, validate, research
//! from the example's website mirror, fit, outreach, replies, handover) on the embedded
//! default with the offline model. Prints leads/s, CPU ms per lead and peak memory.

use crate::commands::run::run_once;
use crate::commands::{exit, parse_now};
use crate::local::{self, Workspace};
use crate::out::outln;
use anyhow::{Context, Result};
use clap::Args;
use sqa_core::config::{AgentConfig, AgentIdentity};
use sqa_core::import;
use sqa_core::ports::QueueName;
use sqa_core::stages::{self, InboundMessage, runner};
use std::fmt::Write as _;
use std::time::Instant;

#[derive(Args)]
pub struct BenchArgs {
    /// Number of synthetic leads.
    #[arg(long, default_value_t = 10_000)]
    leads: usize,
    /// One lead in this many replies (interested, question, unsubscribe, …).
    #[arg(long, default_value_t = 10)]
    reply_every: usize,
    /// Skip web research (to see what the rest of the loop costs).
    #[arg(long)]
    no_research: bool,
    /// Speed to lead instead: leads fed one by one (`--leads`, say 20) to a running `sqa run`
    /// that sends through the SMTP server on 127.0.0.1:`--smtp-port`; p50 / p95 of lead
    /// created → first email accepted, then the SMTP send rate.
    #[arg(long)]
    speed_to_lead: bool,
    #[arg(long, default_value_t = 0)]
    smtp_port: u16,
    /// Pause between two leads (speed to lead).
    #[arg(long, default_value_t = 300)]
    interval_ms: u64,
    /// Mails sent on one connection for the send rate (speed to lead; 0: none).
    #[arg(long, default_value_t = 500)]
    send_rate_mails: usize,
    /// Then serve the API (`sqa serve`'s router on 127.0.0.1) over the worked leads and
    /// measure the latency of the lead list and the metrics over HTTP.
    #[arg(long)]
    api: bool,
    /// Requests per measured route with --api.
    #[arg(long, default_value_t = 200)]
    requests: usize,
}

const DOMAINS: [&str; 6] = [
    "brightlane-logistics.example",
    "kestrelpay.example",
    "halcyon-media.example",
    "fernhill-retail.example",
    "orchardhealth.example",
    "parcelwise.example",
];
/// Replies of each kind; `{agent}` is the workspace agent's first name, `{company}` the
/// workspace's company (no seller is named in code).
const REPLIES: [&str; 5] = [
    "Thanks {agent}, this looks relevant. Could we book a demo next week? Tuesday afternoon works.",
    "Does {company} support SSO with Okta, and where is our data stored?",
    "Please remove me from your mailing list.",
    "Not interested, we built this in-house.",
    "Timing is bad, we're in a budget freeze until Q2. Reach out then.",
];

/// `n` synthetic leads that fit the workspace's ideal customer profile (its industries,
/// size, first country, title words and technologies), owned by its first seller.
fn synthetic_csv(n: usize, config: &AgentConfig) -> String {
    let icp = config.icp();
    let titles: Vec<String> = icp
        .titles_include
        .iter()
        .flat_map(|w| {
            let word = capitalised(w);
            [
                format!("Head of {word}"),
                format!("Director of {word}"),
                format!("VP {word}"),
            ]
        })
        .collect();
    let country = icp.countries.first().map_or("US", String::as_str);
    let tech = icp
        .tech_stack_any
        .iter()
        .take(2)
        .cloned()
        .collect::<Vec<_>>()
        .join(";");
    let owner = config
        .assignment
        .sellers
        .first()
        .map_or("", |s| s.handle.as_str());
    let [low, high] = icp.employee_range;
    let span = (high.saturating_sub(low) + 1) as usize;
    let mut s = String::from(
        "id,first_name,last_name,email,title,company,website,industry,employees,country,tech_stack,source,status,owner,created_at,notes\n",
    );
    for i in 0..n {
        let d = DOMAINS[i % DOMAINS.len()];
        let title = titles
            .get(i % titles.len().max(1))
            .map_or("Head of Operations", String::as_str);
        let industry = icp
            .industries
            .get(i % icp.industries.len().max(1))
            .map_or("software", String::as_str);
        let _ = writeln!(
            s,
            "B{i:07},Alex,Tester{i},alex.tester{i}@{d},{title},Company {},https://www.{d}/,{industry},{},{country},{tech},webinar,open,{owner},2026-11-{:02}T10:00:00Z,synthetic",
            i % 97,
            low as usize + (i * 37) % span,
            8 + i % 13
        );
    }
    s
}

/// The agent's first name, as a reply greets it.
fn first_name(agent: &AgentIdentity) -> &str {
    agent.name.split_whitespace().next().unwrap_or("there")
}

/// "data" → "Data".
fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// A reply text with the workspace's agent and company put in.
fn reply_text(template: &str, config: &AgentConfig) -> String {
    template
        .replace("{agent}", first_name(&config.agent))
        .replace("{company}", &config.company.name)
}

/// A synthetic lead's reply to the workspace's own agent (its name, address and Message-ID
/// domain, so the reply binds to the lead's outreach).
fn reply_eml(agent: &AgentIdentity, lead: &str, d: &str, i: usize, text: &str) -> String {
    let (name, email, domain) = (&agent.name, &agent.email, agent.mail_domain());
    let first = first_name(agent);
    format!(
        "From: Alex Tester{i} <alex.tester{i}@{d}>\r\nTo: {name} <{email}>\r\nSubject: Re: hello\r\nDate: Fri, 20 Nov 2026 10:00:00 +0000\r\nMessage-ID: <bench-{i}@{d}>\r\nIn-Reply-To: <outreach-{lead}-1@{domain}>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHi {first},\r\n\r\n{text}\r\n\r\nAlex\r\n"
    )
}

/// (user + system CPU seconds, peak resident set in KiB) of this process, from /proc.
fn usage() -> (f64, u64) {
    let ticks = 100.0; // USER_HZ on Linux
    let cpu = std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let after = s.rsplit_once(')')?.1.to_string();
            let f: Vec<&str> = after.split_whitespace().collect();
            let u: f64 = f.get(11)?.parse().ok()?;
            let k: f64 = f.get(12)?.parse().ok()?;
            Some((u + k) / ticks)
        })
        .unwrap_or(0.0);
    let peak = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0);
    (cpu, peak)
}

pub async fn run(args: BenchArgs) -> Result<i32> {
    if args.speed_to_lead {
        return crate::speed::run(crate::speed::SpeedArgs {
            leads: args.leads,
            smtp_port: args.smtp_port,
            interval_ms: args.interval_ms,
            send_rate_mails: args.send_rate_mails,
        })
        .await;
    }
    let dir = tempfile::Builder::new()
        .prefix("sqa-bench-")
        .tempdir()
        .context("cannot create a temporary folder")?;
    local::init(dir.path())?;
    let now = parse_now("2026-11-21T00:00:00Z")?;
    let mut cfg = local::load_config(&dir.path().join(local::CONFIG_FILE))?;
    // One selection run claims every synthetic lead (the default caps a run at 500).
    cfg.selection.max_per_run = args.leads.max(1);
    if args.no_research {
        cfg.web.source = sqa_core::config::WebSource::Off;
    }
    let csv = synthetic_csv(args.leads, &cfg);
    let ws = Workspace::open_with(dir.path(), cfg, Some(now)).await?;
    let replies_dir = dir.path().join("bench-replies");
    std::fs::create_dir_all(&replies_dir)?;

    let (cpu0, _) = usage();
    let t0 = Instant::now();
    let report = import::import_csv(&ws.deps, csv.as_bytes(), false)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let t_import = t0.elapsed();
    let (sel, drained) = run_once(&ws, false).await?;
    let t_loop = t0.elapsed();
    let every = args.reply_every.max(1);
    let mut n_replies = 0;
    for i in (0..args.leads).step_by(every) {
        let lead = format!("B{i:07}");
        let d = DOMAINS[i % DOMAINS.len()];
        let path = replies_dir.join(format!("{lead}.eml"));
        std::fs::write(
            &path,
            reply_eml(
                &ws.deps.config.agent,
                &lead,
                d,
                i,
                &reply_text(REPLIES[(i / every) % REPLIES.len()], &ws.deps.config),
            ),
        )?;
        let body = serde_json::to_string(&InboundMessage {
            v: stages::MESSAGE_VERSION,
            key: path.to_string_lossy().into_owned(),
            verdicts: Default::default(),
        })?;
        ws.deps.ports.queue.send(QueueName::Engage, &[body]).await?;
        n_replies += 1;
    }
    let replies = runner::drain(&ws.deps, 1000, |_, _| {}).await?;
    let wall = t0.elapsed();
    let (cpu1, peak_kib) = usage();
    let counts = ws.deps.ports.leads.count_by_stage().await?;
    let db_bytes = std::fs::metadata(dir.path().join(local::DB_FILE))
        .map(|m| m.len())
        .unwrap_or(0);

    let n = report.imported.len().max(1) as f64;
    let cpus = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let cpu_model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    outln!(
        "sqa bench: {} synthetic leads, {} replies, offline model, embedded SQLite",
        report.imported.len(),
        n_replies
    )?;
    outln!("machine: {cpus} cores, {cpu_model}")?;
    outln!(
        "import:        {:>8.0} leads/s ({:.2} s)",
        n / t_import.as_secs_f64(),
        t_import.as_secs_f64()
    )?;
    outln!(
        "whole loop:    {:>8.0} leads/s ({:.2} s: import, select {}, validate, research, fit, outreach, {} replies, handovers)",
        n / wall.as_secs_f64(),
        wall.as_secs_f64(),
        sel.selected.len(),
        n_replies
    )?;
    outln!(
        "outreach loop: {:>8.0} leads/s ({:.2} s to the last first email)",
        n / t_loop.as_secs_f64(),
        t_loop.as_secs_f64()
    )?;
    outln!(
        "CPU:           {:>8.3} ms per lead",
        (cpu1 - cpu0) * 1000.0 / n
    )?;
    outln!(
        "peak memory:   {:>8.1} MB (VmHWM); database file {:.1} MB",
        peak_kib as f64 / 1024.0,
        db_bytes as f64 / 1e6
    )?;
    outln!(
        "messages:      {} handled, {} failed; stages: {}",
        drained.handled.values().sum::<u64>() + replies.handled.values().sum::<u64>(),
        drained.failed.len() + replies.failed.len(),
        counts
            .iter()
            .map(|(s, c)| format!("{s} {c}"))
            .collect::<Vec<_>>()
            .join(", ")
    )?;
    let ok = drained.failed.is_empty() && replies.failed.is_empty();
    if args.api {
        api_latency(dir.path(), ws, args.requests.max(1)).await?;
    }
    Ok(if ok { exit::DONE } else { exit::FAILED })
}

/// One GET over a fresh connection, as a client without keep-alive sends it: the status and
/// the body's size.
async fn get(addr: std::net::SocketAddr, path: &str, token: &str) -> Result<(u16, usize)> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(addr).await?;
    s.write_all(
        format!(
            "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
        )
        .as_bytes(),
    )
    .await?;
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).await?;
    let head = String::from_utf8_lossy(&buf[..buf.len().min(64)]).into_owned();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    Ok((status, buf.len()))
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// `--api`: the router on 127.0.0.1 over the benchmark's workspace; p50 / p95 / max of each
/// route, one request at a time.
async fn api_latency(dir: &std::path::Path, ws: Workspace, requests: usize) -> Result<()> {
    let token = sqa_api::bearer_token(&ws.deps.secret);
    let backend = std::sync::Arc::new(crate::serve::LocalBackend::new(dir, ws));
    let app = sqa_api::router(backend, sqa_api::Auth::Token);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let routes = [
        (
            "lead list, first page of 50",
            "/api/leads?limit=50".to_string(),
        ),
        (
            "lead list, stage filter",
            "/api/leads?stage=contacted&limit=50".to_string(),
        ),
        (
            "metrics, 7 days",
            "/api/metrics?from=2026-11-14&to=2026-11-21".to_string(),
        ),
        (
            "dashboard overview",
            "/?from=2026-11-14&to=2026-11-21".to_string(),
        ),
    ];
    outln!("API over HTTP on {addr} (one request at a time, {requests} per route):")?;
    for (name, path) in routes {
        // The metrics read every lead: fewer rounds keep the benchmark short.
        let n = if path.contains("leads") {
            requests
        } else {
            (requests / 10).max(5)
        };
        let mut ms = Vec::with_capacity(n);
        let mut bytes = 0;
        for _ in 0..n {
            let t = Instant::now();
            let (status, size) = get(addr, &path, &token).await?;
            ms.push(t.elapsed().as_secs_f64() * 1000.0);
            anyhow::ensure!(status == 200, "{path}: HTTP {status}");
            bytes = size;
        }
        ms.sort_by(f64::total_cmp);
        outln!(
            "  {name:<28} p50 {:>8.1} ms  p95 {:>8.1} ms  max {:>8.1} ms  ({n} requests, {:.1} KB)",
            percentile(&ms, 50.0),
            percentile(&ms, 95.0),
            percentile(&ms, 100.0),
            bytes as f64 / 1024.0
        )?;
    }
    server.abort();
    Ok(())
}
