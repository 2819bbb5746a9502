//! `sqa bench --speed-to-lead`: leads fed one by one to a running worker (`sqa run`, its own
//! process, on a fresh workspace) that sends through a real SMTP server; prints p50 / p95 of
//! lead created → first email accepted by the server. Then the SMTP send rate on one reused
//! connection.
//!
//! The SMTP server is the caller's (`--smtp-port`, on 127.0.0.1, no TLS): the README shows
//! one started with aiosmtpd.

use crate::local::{self, Workspace};
use crate::out::outln;
use anyhow::{Context, Result, bail};
use sqa_core::domain::{LeadId, TouchState};
use sqa_core::import;
use sqa_core::ports::OutgoingEmail;
use sqa_core::stages::select;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct SpeedArgs {
    pub leads: usize,
    pub smtp_port: u16,
    pub interval_ms: u64,
    pub send_rate_mails: usize,
}

/// Stops the worker process when the benchmark ends, however it ends.
struct Worker(Child);
impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn lead_csv(i: usize, at: chrono::DateTime<chrono::Utc>) -> String {
    format!(
        "id,first_name,last_name,email,title,company,website,industry,employees,country,tech_stack,source,status,owner,created_at,notes\n\
         S{i:06},Alex,Speed{i},alex.speed{i}@kestrelpay.example,Head of Data,Kestrel Pay {i},https://www.kestrelpay.example/,Software,{},US,Snowflake;dbt,webinar,open,marcus.okafor,{},speed to lead\n",
        300 + i,
        at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    )
}

pub async fn run(args: SpeedArgs) -> Result<i32> {
    if args.smtp_port == 0 {
        bail!("--speed-to-lead needs --smtp-port: the port of an SMTP server on 127.0.0.1");
    }
    let dir = tempfile::Builder::new()
        .prefix("sqa-speed-")
        .tempdir()
        .context("cannot create a temporary folder")?;
    local::init(dir.path())?;
    let cfg_path = dir.path().join(local::CONFIG_FILE);
    let mut text = local::read_config_text(&cfg_path)?;
    text.push_str(&format!(
        "\n[mail]\ntransport = \"smtp\"\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"none\"\n",
        args.smtp_port
    ));
    std::fs::write(&cfg_path, text)?;
    // The feeding side: what `sqa leads import` does, on the wall clock.
    let ws = Workspace::open(dir.path(), None).await?;

    let exe = std::env::current_exe().context("cannot find the sqa binary")?;
    let _worker = Worker(
        Command::new(exe)
            .arg("--dir")
            .arg(dir.path())
            .arg("run")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("cannot start the worker (sqa run)")?,
    );
    // Let the worker open the store and finish its first selection.
    tokio::time::sleep(Duration::from_millis(1500)).await;

    let mut latencies = Vec::new();
    for i in 0..args.leads {
        let created = chrono::Utc::now();
        let t0 = Instant::now();
        let report = import::import_csv(&ws.deps, lead_csv(i, created).as_bytes(), false)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let ids: Vec<LeadId> = report
            .imported
            .iter()
            .filter_map(|id| LeadId::parse(id).ok())
            .collect();
        let id = ids
            .first()
            .cloned()
            .context("the synthetic lead was not imported")?;
        select::enqueue_new(&ws.deps, &ids, &format!("speed-{i}")).await?;
        let deadline = t0 + Duration::from_secs(120);
        loop {
            let lead = ws.deps.ports.leads.get(&id).await?;
            let state = lead
                .as_ref()
                .and_then(|l| l.touches.first())
                .map(|t| t.state);
            match state {
                Some(TouchState::Sent) => break,
                Some(s @ (TouchState::Skipped | TouchState::Unknown | TouchState::Draft)) => {
                    bail!("lead {id}: the first email ended {s:?}, not sent")
                }
                _ => {}
            }
            if Instant::now() > deadline {
                bail!(
                    "lead {id}: no email accepted within 120 s (stage {})",
                    lead.map(|l| l.stage.to_string()).unwrap_or_default()
                );
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        latencies.push(t0.elapsed().as_secs_f64());
        tokio::time::sleep(Duration::from_millis(args.interval_ms)).await;
    }
    let mut sorted = latencies.clone();
    sorted.sort_by(f64::total_cmp);
    outln!(
        "speed to lead: {} leads fed one by one to `sqa run` (offline model, research from the example's web mirror, SMTP on 127.0.0.1:{})",
        latencies.len(),
        args.smtp_port
    )?;
    outln!(
        "lead created → first email accepted: p50 {:.2} s, p95 {:.2} s, max {:.2} s",
        percentile(&sorted, 50.0),
        percentile(&sorted, 95.0),
        sorted.last().copied().unwrap_or(0.0)
    )?;

    // The send rate: one connection, reused.
    if args.send_rate_mails > 0 {
        let mailer = local::mailer(&ws.deps.config, dir.path(), &ws.store)?;
        let n = args.send_rate_mails;
        let t0 = Instant::now();
        // The workspace's own agent sends: no seller is named here.
        let agent = &ws.deps.config.agent;
        let domain = agent.mail_domain();
        for i in 0..n {
            let id = format!("<rate-{i}@{domain}>");
            let raw = format!(
                "From: {} <{}>\r\nTo: <rate{i}@kestrelpay.example>\r\nSubject: rate {i}\r\nMessage-ID: {id}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{}\r\n",
                agent.name,
                agent.email,
                "A line of an ordinary first email, about eighty characters long, repeated.\r\n"
                    .repeat(20)
            );
            mailer
                .send(&OutgoingEmail {
                    from: agent.email.clone(),
                    to: vec![format!("rate{i}@kestrelpay.example")],
                    message_id: id,
                    raw: raw.into_bytes(),
                })
                .await
                .map_err(|e| anyhow::anyhow!("send {i}: {e}"))?;
        }
        let secs = t0.elapsed().as_secs_f64();
        outln!(
            "SMTP send rate: {:.0} mails/s ({n} mails of ~1.7 kB in {:.2} s, one connection)",
            n as f64 / secs,
            secs
        )?;
    }
    Ok(crate::commands::exit::DONE)
}
