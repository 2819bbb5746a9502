//! The commands that work the queues: `sqa preview` (what a selection would do), `sqa run`
//! (select, then drain every queue) and `sqa inbound` (replies into the engage stage).

use super::exit;
use crate::local::{MailboxReader, Workspace};
use crate::out::{self, errln, outln};
use anyhow::{Context, Result, bail};
use serde_json::json;
use sqa_core::config::Limits;
use sqa_core::ports::QueueName;
use sqa_core::stages::{self, InboundMessage, Outcome, StageError, runner, select};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

pub async fn preview(ws: &Workspace, json: bool) -> Result<i32> {
    let rows = select::preview(&ws.deps).await?;
    let n = rows.iter().filter(|r| r.selected).count();
    for r in &rows {
        if json {
            out::json(&serde_json::to_value(r)?)?;
        } else {
            outln!(
                "{:<8} {:<12} {}",
                r.id,
                if r.selected { "select" } else { "skip" },
                r.reasons.join("; ")
            )?;
        }
    }
    if !json {
        outln!(
            "{n} of {} new lead(s) would be selected (nothing was changed)",
            rows.len()
        )?;
    }
    Ok(exit::DONE)
}

fn run_id(ws: &Workspace) -> String {
    format!(
        "run-{}",
        ws.deps.ports.clock.now().format("%Y%m%dT%H%M%S%.3fZ")
    )
}

/// One selection and the queues worked until empty.
pub async fn run_once(
    ws: &Workspace,
    show_progress: bool,
) -> Result<(select::SelectReport, runner::DrainReport)> {
    let id = run_id(ws);
    let report = select::run(&ws.deps, &id).await?;
    let bar = if show_progress && std::io::stderr().is_terminal() {
        let b = indicatif::ProgressBar::new_spinner();
        b.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {pos} messages · {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        Some(b)
    } else {
        None
    };
    let drained = runner::drain(&ws.deps, 1000, |q, r| {
        if let Some(b) = &bar {
            b.inc(1);
            b.set_message(format!(
                "{} {}",
                q.as_str(),
                r.as_ref()
                    .map(|o| o.to_string())
                    .unwrap_or_else(|e| e.to_string())
            ));
        }
    })
    .await?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    Ok((report, drained))
}

/// Read the mailbox once, when `[inbox]` names one; a failure is reported and the run goes on
/// (the next poll tries again). Returns how many messages were queued, `None` when the read
/// failed.
async fn poll(
    ws: &Workspace,
    reader: Option<&MailboxReader>,
    checker: &sqa_local::auth::MailAuth,
    json: bool,
) -> Result<Option<usize>> {
    let Some(reader) = reader else {
        return Ok(Some(0));
    };
    match ws.poll_mailbox(reader, checker).await {
        Ok(r) => {
            if json && r.queued > 0 {
                out::json(&json!({"inbox": r}))?;
            }
            Ok(Some(r.queued))
        }
        Err(e) => {
            if json {
                out::json(&json!({"inbox_error": format!("{e:#}")}))?;
            } else {
                errln!("inbox: {e:#}")?;
            }
            Ok(None)
        }
    }
}

/// Messages in flight on every queue: received by a worker (this process's earlier runs
/// never leave any, so another worker, or one that died) and not yet visible again.
pub async fn in_flight(ws: &Workspace) -> Result<u64> {
    let mut n = 0;
    for q in QueueName::ALL {
        n += ws.deps.ports.queue.pending(q).await?;
    }
    Ok(n)
}

/// After the queues ran dry: wait up to `wait` for messages still in flight (a crashed
/// worker's come back after their visibility timeout) and work them. Returns the drained
/// reports and how many are still in flight at the end.
async fn wait_for_in_flight(
    ws: &Workspace,
    wait: std::time::Duration,
    drained: &mut runner::DrainReport,
) -> Result<u64> {
    let until = std::time::Instant::now() + wait;
    loop {
        let pending = in_flight(ws).await?;
        if pending == 0 || std::time::Instant::now() >= until {
            return Ok(pending);
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        let more = runner::drain(&ws.deps, 1000, |_, _| {}).await?;
        for (q, n) in more.handled {
            *drained.handled.entry(q).or_default() += n;
        }
        for (d, n) in more.decisions {
            *drained.decisions.entry(d).or_default() += n;
        }
        drained.failed.extend(more.failed);
        drained.retried += more.retried;
    }
}

pub async fn run(
    ws: &Workspace,
    until_idle: bool,
    every_minutes: u64,
    wait: std::time::Duration,
    json: bool,
) -> Result<i32> {
    let reader = ws.mailbox()?;
    let checker = sqa_local::auth::MailAuth::from_config(&ws.deps.config)
        .context("cannot set up the mail authentication check")?;
    if !until_idle {
        return worker(ws, reader.as_ref(), &checker, every_minutes, json).await;
    }
    poll(ws, reader.as_ref(), &checker, json).await?;
    let (sel, mut drained) = run_once(ws, !json).await?;
    let pending = wait_for_in_flight(ws, wait, &mut drained).await?;
    if json {
        out::json(&json!({"select": sel, "drain": drained, "in_flight": pending}))?;
    } else {
        outln!(
            "selected {}, follow-ups due {}; handled {} message(s){}{}",
            sel.selected.len(),
            sel.due.len(),
            drained.handled.values().sum::<u64>(),
            if drained.failed.is_empty() {
                String::new()
            } else {
                format!(", {} failed", drained.failed.len())
            },
            sel.note
                .as_deref()
                .map(|n| format!(" ({n})"))
                .unwrap_or_default()
        )?;
        for f in &drained.failed {
            errln!("failed: {f}")?;
        }
    }
    if pending > 0 {
        errln!(
            "{pending} message(s) still in flight after waiting {} s: received by a \
             worker that is still running or died, they come back when their \
             visibility timeout ends; run again then",
            wait.as_secs()
        )?;
        return Ok(exit::PARTLY);
    }
    Ok(exit::DONE)
}

/// The worker: sends and reads continuously until stopped. The queues are worked every
/// second (a lead `sqa leads import` queued is written to within seconds), the mailbox is
/// read every `inbox.poll_seconds` or, for an IMAP server that offers IDLE (`inbox.idle`),
/// as soon as the server reports a change, and a full selection (new leads in the window,
/// follow-ups due) runs every `every_minutes` as a safety net. A failure is reported and the
/// loop goes on after a pause: a mail server that is down must not stop the worker.
async fn worker(
    ws: &Workspace,
    reader: Option<&MailboxReader>,
    checker: &sqa_local::auth::MailAuth,
    every_minutes: u64,
    json: bool,
) -> Result<i32> {
    use sqa_local::mailbox::{IdleEnd, IdleSignal, watch_imap};
    use std::sync::Arc;
    use std::time::{Duration, Instant};
    let inbox = &ws.deps.config.inbox;
    let select_every = Duration::from_secs(every_minutes.max(1) * 60);
    let poll_every = Duration::from_secs(inbox.poll_seconds.max(1));
    let mut next_select = Instant::now();
    let mut next_poll = Instant::now();
    // IMAP IDLE on a connection of its own; the reads stay the worker's.
    let mut idle = match reader {
        Some(MailboxReader::Imap(s)) if inbox.idle => {
            let signal = Arc::new(IdleSignal::default());
            let task = tokio::spawn(watch_imap(
                s.clone(),
                Duration::from_secs(inbox.idle_renew_secs),
                signal.clone(),
            ));
            Some((signal, task))
        }
        _ => None,
    };
    if !json {
        outln!(
            "sqa run: working the queues every second, selecting every {every_minutes} min{}; \
             Ctrl-C stops",
            match inbox.source {
                sqa_core::config::InboxSource::None => String::new(),
                _ if idle.is_some() => format!(
                    ", reading the imap inbox when the server reports a change (idle), \
                     else every {} s",
                    poll_every.as_secs()
                ),
                s => format!(", reading the {s:?} inbox every {} s", poll_every.as_secs())
                    .to_lowercase(),
            }
        )?;
    }
    let mut woken = false;
    let mut was_live = false;
    // The last read failed: read again on the timer even while IDLE is in force.
    let mut retry = false;
    loop {
        if let Some((_, task)) = &mut idle
            && task.is_finished()
        {
            let end = task.await;
            idle = None;
            let why = match end {
                Ok(IdleEnd::NotOffered) => "the server does not offer IDLE".to_string(),
                Err(e) => format!("the IDLE task ended: {e}"),
            };
            if json {
                out::json(&json!({"inbox_idle": false, "why": why}))?;
            } else {
                outln!("inbox: {why}; reading every {} s", poll_every.as_secs())?;
            }
        }
        let live = idle.as_ref().is_some_and(|(s, _)| s.live());
        if live != was_live {
            was_live = live;
            if json {
                out::json(&json!({"inbox_idle": live}))?;
            } else if live {
                outln!("inbox: waiting in IDLE, read as soon as the server reports a change")?;
            } else {
                outln!(
                    "inbox: IDLE is down, reading every {} s until it is back",
                    poll_every.as_secs()
                )?;
            }
        }
        let now = Instant::now();
        if woken || (now >= next_poll && (!live || retry)) {
            retry = poll(ws, reader, checker, json).await?.is_none();
            next_poll = now + poll_every;
        }
        let mut pause = Duration::from_secs(1);
        if now >= next_select {
            match select::run(&ws.deps, &run_id(ws)).await {
                Ok(sel) => {
                    next_select = now + select_every;
                    if json {
                        out::json(&json!({"select": sel}))?;
                    } else if !sel.selected.is_empty() || !sel.due.is_empty() {
                        outln!(
                            "selected {}, follow-ups due {}",
                            sel.selected.len(),
                            sel.due.len()
                        )?;
                    }
                }
                Err(e) => {
                    errln!("select: {e}")?;
                    pause = Duration::from_secs(10);
                }
            }
        }
        match runner::drain(&ws.deps, 1000, |_, _| {}).await {
            Ok(d) => {
                let n: u64 = d.handled.values().sum();
                if json && (n > 0 || !d.failed.is_empty()) {
                    out::json(&json!({"drain": d}))?;
                } else if n > 0 {
                    outln!(
                        "handled {n} message(s){}",
                        if d.failed.is_empty() {
                            String::new()
                        } else {
                            format!(", {} failed", d.failed.len())
                        }
                    )?;
                }
                for f in &d.failed {
                    errln!("failed: {f}")?;
                }
            }
            Err(e) => {
                errln!("the queues: {e}")?;
                pause = Duration::from_secs(10);
            }
        }
        // The pause ends early when the IDLE connection asks for a read.
        woken = match &idle {
            Some((signal, _)) => tokio::select! {
                _ = tokio::time::sleep(pause) => false,
                _ = signal.woken() => true,
            },
            None => {
                tokio::time::sleep(pause).await;
                false
            }
        };
    }
}

/// What became of one inbound file.
enum Fed {
    Handled(Outcome),
    /// The file is not a message the engage stage can read; recorded as `malformed`.
    Malformed(String),
    /// The store or a provider failed for now; the message goes back on the engage queue.
    Queued(StageError),
    Failed(anyhow::Error),
}

/// Feed each file to the engage stage. A file that cannot be read or is not a mail message
/// is named on standard error with the reason; the exit code is `PARTLY` when others were
/// handled, `FAILED` when none was.
pub async fn inbound(ws: &Workspace, files: &[PathBuf], json: bool) -> Result<i32> {
    if files.is_empty() {
        bail!("no files: give one or more .eml files");
    }
    // What SES does on AWS: DKIM, ARC, SPF and DMARC checked before the engage stage reads
    // the message.
    let checker = sqa_local::auth::MailAuth::from_config(&ws.deps.config)
        .context("cannot set up the mail authentication check")?;
    let mut failed = 0;
    for f in files {
        let fed = feed(ws, &checker, f).await?;
        let line = match &fed {
            Fed::Handled(o) => json!({"file": f, "lead_id": o.lead_id, "decision": o.to_string()}),
            Fed::Malformed(why) => json!({"file": f, "decision": "malformed", "error": why}),
            Fed::Queued(e) => {
                json!({"file": f, "decision": "queued for a retry", "error": e.to_string()})
            }
            Fed::Failed(e) => json!({"file": f, "error": format!("{e:#}")}),
        };
        if !matches!(fed, Fed::Handled(_)) {
            failed += 1;
        }
        if json {
            out::json(&line)?;
        }
        match &fed {
            Fed::Handled(o) if !json => outln!(
                "{}: {} {}",
                f.display(),
                o.lead_id
                    .as_ref()
                    .map(|l| l.to_string())
                    .unwrap_or_else(|| "-".into()),
                o
            )?,
            Fed::Handled(_) => {}
            Fed::Malformed(why) => errln!("{}: malformed, not handled: {why}", f.display())?,
            Fed::Queued(e) => errln!("{}: {e}; queued for a retry", f.display())?,
            Fed::Failed(e) => errln!("{}: {e:#}", f.display())?,
        }
    }
    // Handovers and answers the replies caused.
    runner::drain(&ws.deps, 1000, |_, _| {}).await?;
    Ok(exit::of(failed, files.len()))
}

async fn feed(ws: &Workspace, checker: &sqa_local::auth::MailAuth, file: &Path) -> Result<Fed> {
    let key = match std::fs::canonicalize(file) {
        Ok(k) => k,
        Err(e) => return Ok(Fed::Failed(anyhow::Error::new(e).context("cannot read it"))),
    };
    // Read within the message limit: a larger file is never read whole here; the engage
    // stage refuses it by its size and records why (its verdicts do not matter then).
    let limit = ws.deps.config.limits.max_message_bytes;
    let verdicts = match sqa_core::fsread::read_limited(&key, limit, Limits::MAX_MESSAGE_BYTES) {
        Ok(raw) => checker.verdicts(&raw).await,
        Err(
            e @ (sqa_core::fsread::ReadError::NotFound { .. }
            | sqa_core::fsread::ReadError::Io { .. }),
        ) => return Ok(Fed::Failed(anyhow::Error::new(e).context("cannot read it"))),
        Err(_) => Default::default(),
    };
    let msg = InboundMessage {
        v: stages::MESSAGE_VERSION,
        key: key.to_string_lossy().into_owned(),
        verdicts,
    };
    let body = serde_json::to_string(&msg)?;
    // One transaction per message, as the runner's batches: a crash half way leaves no
    // answer recorded as sent that did not go out, and none sent twice.
    let queue = &ws.deps.ports.queue;
    let grouped = ws.deps.ports.mailer.idempotent();
    if grouped {
        queue.begin_batch().await?;
    }
    let handled = stages::handle(QueueName::Engage, &body, &ws.deps).await;
    if grouped {
        queue.end_batch().await?;
    }
    match handled {
        // The stage records a malformed message and acknowledges it; the reason is the
        // parser's, read again here only on this path.
        Ok(o) if o.decision == "malformed" => Ok(Fed::Malformed(why_malformed(ws, &key))),
        Ok(o) => Ok(Fed::Handled(o)),
        Err(e) if e.is_transient() => {
            ws.deps
                .ports
                .queue
                .send(QueueName::Engage, &[body])
                .await
                .context("cannot queue the message for a retry")?;
            Ok(Fed::Queued(e))
        }
        Err(e) => Ok(Fed::Failed(e.into())),
    }
}

fn why_malformed(ws: &Workspace, path: &Path) -> String {
    let limit = ws.deps.config.limits.max_message_bytes;
    match sqa_core::fsread::read_limited(path, limit, Limits::MAX_MESSAGE_BYTES) {
        Ok(raw) => match sqa_core::mail::parse::parse(&raw) {
            Err(e) => e.to_string(),
            Ok(_) => "the engage stage could not read it".into(),
        },
        Err(e) => e.to_string(),
    }
}
