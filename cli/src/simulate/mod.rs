//! `sqa simulate`: replay whole email threads through the agent and show, reply by reply,
//! what it understood, decided and wrote.
//!
//! Each thread plays in a scratch workspace of its own (a temporary folder: SQLite, the
//! outbox transport, the offline model unless `--configured-model`), made from the user's
//! config with every way out closed: mail goes to the scratch outbox whatever `[mail]` says,
//! no mailbox is read, no webhook is called, no DNS is asked and live websites are not
//! fetched. The thread runs through the real stages (select → validate → research → score →
//! outreach, then engage and handover for each reply) on a fixed clock that advances with
//! the thread, so the output is the same on every run.

mod thread;

use crate::commands::exit;
use crate::commands::run::run_once;
use crate::local::{self, Workspace};
use crate::out::{self as output, errln, outln};
use anyhow::{Context, Result, bail};
use chrono::{DateTime, Duration, Utc};
use clap::Args;
use serde_json::{Value, json};
use sqa_core::config::{AgentConfig, AgentState, DnsSetting, InboxSource, Provider, Transport};
use sqa_core::domain::{BantLevel, Judgment, Lead, Level, Touch};
use sqa_core::ports::{Clock, FixedClock, QueueName, RunRecord};
use sqa_core::stages::{self, InboundMessage, runner};
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Args)]
#[command(after_help = "\
Nothing real happens: each thread plays in a scratch workspace in a temporary folder (SQLite, \
mail written to a scratch outbox, the offline model) that is deleted afterwards. Even when the \
config says smtp, imap, AWS, webhooks or live websites, no mail is sent, no mailbox is read, \
no webhook is called, no DNS is asked, no site is fetched, and nothing is stored in your \
database. Quiet hours are off and the agent runs (state = running) so that every step shows.

Thread file (.thread):
  name: Anna Weber            header: the lead (name, email required; company, title,
  email: anna@firm.example    country, id, website, industry, employees, tech_stack, owner)
  company: Weber GmbH
  --- reply                   each message starts at a `--- reply` line,
  What does it cost?          optionally `--- reply +3d` (+30m, +4h, +3d, +1w) to move
  --- reply +2d               the clock that long after the previous event (default +1h)
  Can we book a demo?")]
pub struct SimulateArgs {
    /// Thread files (.thread) and raw replies (.eml; grouped by lead). Without files: the
    /// workspace's (or the example's) replies/ folder, grouped by lead, in Date order.
    files: Vec<PathBuf>,
    /// Play an example: lumora, corvid, or a folder laid out like them (its sqa.toml, its
    /// leads/leads.csv and, without files, its replies/).
    #[arg(long)]
    example: Option<String>,
    /// The config to simulate (default: sqa.toml in --dir).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Only the thread of this lead.
    #[arg(long)]
    lead: Option<String>,
    /// Use the model the config names (it is called) instead of the offline engine.
    #[arg(long)]
    configured_model: bool,
}

/// Where the thread's clock starts when `--now` is not given (the examples' reference time).
const START: &str = crate::demo::REFERENCE_NOW;

/// The scratch workspace's unsubscribe secret: fixed, so that links in the drafts are the
/// same on every run (nothing is ever sent with it).
const SCRATCH_SECRET: &str = "73696d756c6174696f6e2d6f6e6c792d6e657665722d73656e742d2d2d2d2d2d";

/// One lead's messages, ready to play.
struct Thread {
    /// Where it comes from, for people ("file.thread", "replies/ of lead C0016").
    label: String,
    lead: Lead,
    messages: Vec<Msg>,
}

struct Msg {
    /// Where it comes from ("file.thread:12", "replies/c004.eml").
    source: String,
    after: Duration,
    body: Body,
}

enum Body {
    /// The lead's own text (a thread file): written into a reply on the thread.
    Text(String),
    /// A raw message, fed as it is.
    Raw(Vec<u8>),
}

/// The config and what the threads are read against.
struct Setup {
    config_path: PathBuf,
    config_text: String,
    cfg: AgentConfig,
    /// The leads of the workspace's leads CSV (to group raw replies by), when it has one.
    known: Vec<Lead>,
    /// `replies/labels.jsonl`: which lead a file belongs to, when the folder says.
    labels: std::collections::BTreeMap<String, String>,
}

pub async fn run(
    args: SimulateArgs,
    dir: &Path,
    now: Option<DateTime<Utc>>,
    json: bool,
) -> Result<i32> {
    let start = match now {
        Some(t) => t,
        None => crate::commands::parse_now(START)?,
    };
    let example = args.example.as_deref().map(local::example).transpose()?;
    let config_path = match (&args.config, &example) {
        (Some(c), _) => c.clone(),
        (None, Some(e)) => e.join(local::CONFIG_FILE),
        (None, None) => dir.join(local::CONFIG_FILE),
    };
    if !config_path.is_file() {
        bail!(
            "{}: no config there (pass --config FILE, --example DIR or --dir)",
            config_path.display()
        );
    }
    let config_path = std::fs::canonicalize(&config_path)
        .with_context(|| format!("cannot read {}", config_path.display()))?;
    let home = config_path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let setup = prepare(&config_path, &home, start, args.configured_model)?;

    let mut failures: Vec<String> = Vec::new();
    let mut threads: Vec<Thread> = Vec::new();
    let mut emls: Vec<PathBuf> = Vec::new();
    let mut thread_files: Vec<PathBuf> = Vec::new();
    if args.files.is_empty() {
        let replies = home.join("replies");
        emls = eml_files(&replies)?;
        if emls.is_empty() {
            bail!(
                "no files given and {} holds no .eml replies",
                replies.display()
            );
        }
    } else {
        for f in &args.files {
            if f.extension().is_some_and(|x| x.eq_ignore_ascii_case("eml")) {
                emls.push(f.clone());
            } else {
                thread_files.push(f.clone());
            }
        }
    }
    for f in &thread_files {
        match read_thread(f, start) {
            Ok(t) => threads.push(t),
            Err(e) => failures.push(format!("{e:#}")),
        }
    }
    match group_replies(&emls, &setup, start) {
        Ok((grouped, problems)) => {
            threads.extend(grouped);
            failures.extend(problems);
        }
        Err(e) => failures.push(format!("{e:#}")),
    }
    if let Some(id) = &args.lead {
        threads.retain(|t| t.lead.id.as_str() == id);
        if threads.is_empty() && failures.is_empty() {
            bail!("no thread of lead {id}");
        }
    }
    // Problems with the inputs are told first; every thread that could be read still plays.
    let inputs = failures.len() + threads.len();
    for f in &failures {
        report_failure(f, json)?;
    }
    let mut first = true;
    for t in &threads {
        match play(&setup, t, start).await {
            Ok(doc) => {
                if json {
                    output::json(&doc)?;
                } else {
                    if !first {
                        outln!("")?;
                    }
                    print_thread(&doc)?;
                }
                first = false;
            }
            Err(e) => {
                let msg = format!("{}: {e:#}", t.label);
                report_failure(&msg, json)?;
                failures.push(msg);
            }
        }
    }
    if failures.is_empty() {
        Ok(exit::DONE)
    } else {
        if !json {
            errln!("{} of {inputs} threads failed", failures.len())?;
        }
        Ok(exit::FAILED)
    }
}

fn report_failure(msg: &str, json: bool) -> Result<()> {
    errln!("error: {msg}")?;
    if json {
        output::json(&json!({ "error": msg }))?;
    }
    Ok(())
}

/// Read the config and close every way out of the scratch workspace.
fn prepare(config_path: &Path, home: &Path, start: DateTime<Utc>, model: bool) -> Result<Setup> {
    let config_text = local::read_config_text(config_path)?;
    let mut cfg = local::load_config(config_path)?;
    cfg.mail.transport = Transport::Outbox;
    cfg.inbox.source = InboxSource::None;
    cfg.validation.dns = DnsSetting::Off;
    cfg.inbound.dns = Some(DnsSetting::Off);
    cfg.webhooks.endpoints.clear();
    cfg.cadence.quiet_hours = false;
    cfg.state = AgentState::Running;
    if !model {
        cfg.model.provider = Provider::Offline;
    }
    cfg.web.source = match &cfg.web.source {
        sqa_core::config::WebSource::Dir(d) => {
            sqa_core::config::WebSource::Dir(home.join(d).display().to_string())
        }
        _ => sqa_core::config::WebSource::Off,
    };
    let leads_csv = home.join("leads/leads.csv");
    let known = if leads_csv.is_file() {
        let bytes = sqa_core::fsread::read_limited(
            &leads_csv,
            cfg.limits.max_csv_bytes,
            sqa_core::config::Limits::MAX_CSV_BYTES,
        )?;
        sqa_core::import::parse_csv_with(&bytes, start, &cfg.limits)
            .map_err(|e| anyhow::anyhow!("{}: {e}", leads_csv.display()))?
            .0
    } else {
        Vec::new()
    };
    let mut labels = std::collections::BTreeMap::new();
    if let Ok(text) = std::fs::read_to_string(home.join("replies/labels.jsonl")) {
        for line in text.lines() {
            let Ok(v) = serde_json::from_str::<Value>(line) else {
                continue;
            };
            if let (Some(f), Some(l)) = (v["file"].as_str(), v["lead_id"].as_str()) {
                labels.insert(f.to_string(), l.to_string());
            }
        }
    }
    Ok(Setup {
        config_path: config_path.to_path_buf(),
        config_text,
        cfg,
        known,
        labels,
    })
}

fn eml_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let cannot = || format!("cannot read {}", dir.display());
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(cannot)? {
        let path = entry.with_context(cannot)?.path();
        if path
            .extension()
            .is_some_and(|x| x.eq_ignore_ascii_case("eml"))
        {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// A lead as the import reads it: a one-row leads CSV through the real parser.
fn lead_from_row(fields: &[(&str, &str)], start: DateTime<Utc>) -> Result<Lead, String> {
    let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let header: Vec<&str> = fields.iter().map(|(k, _)| *k).collect();
    let row: Vec<String> = fields.iter().map(|(_, v)| quote(v)).collect();
    let csv = format!("{}\n{}\n", header.join(","), row.join(","));
    let (mut leads, report) =
        sqa_core::import::parse_csv(csv.as_bytes(), start).map_err(|e| e.to_string())?;
    if let Some(e) = report.errors.first() {
        return Err(e.to_string());
    }
    leads
        .pop()
        .ok_or_else(|| "the lead could not be read".into())
}

fn read_thread(path: &Path, start: DateTime<Utc>) -> Result<Thread> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {shown}"))?;
    let t =
        thread::parse(&text).map_err(|e| anyhow::anyhow!("{shown}:{}: {}", e.line, e.message))?;
    let l = &t.lead;
    let id = match &l.id {
        Some(id) => id.clone(),
        None => {
            let stem = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let clean: String = stem
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || "_.-".contains(c) {
                        c
                    } else {
                        '-'
                    }
                })
                .take(64)
                .collect();
            if clean.is_empty() {
                "SIM1".into()
            } else {
                clean
            }
        }
    };
    let created = start.to_rfc3339();
    let lead = lead_from_row(
        &[
            ("id", &id),
            ("first_name", &l.first_name),
            ("last_name", &l.last_name),
            ("email", &l.email),
            ("title", &l.title),
            ("company", &l.company),
            ("website", &l.website),
            ("industry", &l.industry),
            ("employees", &l.employees),
            ("country", &l.country),
            ("tech_stack", &l.tech_stack),
            ("source", "simulation"),
            ("status", "open"),
            ("owner", &l.owner),
            ("created_at", &created),
        ],
        start,
    )
    .map_err(|e| anyhow::anyhow!("{shown}:1: the lead in the header: {e}"))?;
    Ok(Thread {
        label: shown.clone(),
        lead,
        messages: t
            .messages
            .into_iter()
            .map(|m| Msg {
                source: format!("{shown}:{}", m.line),
                after: m.after,
                body: Body::Text(m.text),
            })
            .collect(),
    })
}

/// The address a raw reply comes from or, for a delivery report, the one that failed.
fn addresses_of(mail: &sqa_core::mail::parse::InboundEmail) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(r) = mail.dsn.as_ref().and_then(|d| d.recipient.clone()) {
        out.push(r);
    }
    if let Some(r) = mail.feedback.as_ref().and_then(|f| f.recipient.clone()) {
        out.push(r);
    }
    if let Some(f) = &mail.from {
        out.push(f.address.clone());
    }
    for m in mail.reply_to.iter().chain(&mail.cc) {
        out.push(m.address.clone());
    }
    out
}

/// An address's key as the store compares it, and without its +tag.
fn key_of(address: &str) -> (String, String) {
    let check = sqa_core::agents::email::check(address);
    let key = sqa_core::domain::EmailKey::from_check(address, &check);
    (key.to_string(), key.untagged().to_string())
}

/// A raw reply to sort: its Date, its place in the list, where it comes from, its bytes.
type Dated = (Option<DateTime<Utc>>, usize, String, Vec<u8>);

/// Group raw replies by lead: the lead whose address sent it (or failed, for a report), else
/// the lead the folder's labels name, else a lead made from its sender. Each thread in Date
/// order. Returns the threads and the files that could not be read.
fn group_replies(
    files: &[PathBuf],
    setup: &Setup,
    start: DateTime<Utc>,
) -> Result<(Vec<Thread>, Vec<String>)> {
    let mut problems = Vec::new();
    let mut by_lead: Vec<(Lead, Vec<Dated>)> = Vec::new();
    let limit = setup.cfg.limits.max_message_bytes;
    for (i, f) in files.iter().enumerate() {
        let shown = f.display().to_string();
        let raw = match sqa_core::fsread::read_limited(
            f,
            limit,
            sqa_core::config::Limits::MAX_MESSAGE_BYTES,
        ) {
            Ok(b) => b,
            Err(e) => {
                problems.push(format!("{shown}: cannot read: {e}"));
                continue;
            }
        };
        let mail = match sqa_core::mail::parse::parse(&raw) {
            Ok(m) => m,
            Err(e) => {
                problems.push(format!("{shown}: not a readable email: {e}"));
                continue;
            }
        };
        // The folder's labels name the lead when it has them; else the address decides: the
        // same address before the same address without its +tag, a lead the selection
        // takes before one it does not (a closed duplicate).
        let labelled = f
            .file_name()
            .and_then(|n| setup.labels.get(n.to_string_lossy().as_ref()))
            .and_then(|id| setup.known.iter().find(|l| l.id.as_str() == id));
        let addresses = addresses_of(&mail);
        let statuses = &setup.cfg.selection.statuses;
        let by_address = addresses
            .iter()
            .flat_map(|a| {
                let (exact, untagged) = key_of(a);
                setup.known.iter().filter_map(move |l| {
                    let rank = if exact.is_empty() {
                        return None;
                    } else if l.email_key.to_string() == exact {
                        0
                    } else if l.email_key.untagged().to_string() == untagged {
                        2
                    } else {
                        return None;
                    };
                    Some((rank + usize::from(!statuses.contains(&l.status)), l))
                })
            })
            .min_by_key(|(rank, _)| *rank)
            .map(|(_, l)| l);
        let lead = match labelled.or(by_address) {
            Some(l) => l.clone(),
            None => {
                let from = mail.from.clone().unwrap_or(sqa_core::mail::parse::Mailbox {
                    address: String::new(),
                    name: None,
                });
                let name = from.name.clone().unwrap_or_default();
                let (first, last) = name.split_once(' ').unwrap_or((&name, ""));
                let domain = from.address.rsplit_once('@').map(|(_, d)| d).unwrap_or("");
                let id = format!("SIM{}", by_lead.len() + 1);
                match lead_from_row(
                    &[
                        ("id", &id),
                        ("first_name", first),
                        ("last_name", last),
                        ("email", &from.address),
                        ("company", domain),
                        ("source", "simulation"),
                        ("status", "open"),
                        ("created_at", &start.to_rfc3339()),
                    ],
                    start,
                ) {
                    Ok(l) => l,
                    Err(e) => {
                        problems.push(format!("{shown}: no lead for its sender: {e}"));
                        continue;
                    }
                }
            }
        };
        let entry = (mail.date, i, shown, raw);
        match by_lead.iter_mut().find(|(l, _)| l.id == lead.id) {
            Some((_, msgs)) => msgs.push(entry),
            None => by_lead.push((lead, vec![entry])),
        }
    }
    by_lead.sort_by(|a, b| a.0.id.as_str().cmp(b.0.id.as_str()));
    let mut threads = Vec::new();
    for (lead, mut msgs) in by_lead {
        // Date order (undated ones where they were listed, after the dated ones before them).
        msgs.sort_by_key(|(d, i, _, _)| (d.unwrap_or(DateTime::<Utc>::MAX_UTC), *i));
        let mut prev: Option<DateTime<Utc>> = None;
        let mut out = Vec::new();
        for (date, _, source, raw) in msgs {
            // The first reply an hour after the first email; then as far apart as their
            // dates are (a minute at least).
            let after = match (prev, date) {
                (Some(p), Some(d)) => (d - p).max(Duration::minutes(1)),
                _ => thread::default_gap(),
            };
            prev = date.or(prev);
            out.push(Msg {
                source,
                after,
                body: Body::Raw(raw),
            });
        }
        let origin = files
            .first()
            .and_then(|f| f.parent())
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        threads.push(Thread {
            label: format!("{origin}: replies of lead {}", lead.id),
            lead,
            messages: out,
        });
    }
    Ok((threads, problems))
}

/// The scratch workspace of one thread.
struct Scratch {
    ws: Workspace,
    clock: Arc<FixedClock>,
    // Dropped after the workspace (fields drop in order): the folder goes last.
    _dir: tempfile::TempDir,
}

async fn scratch(setup: &Setup, start: DateTime<Utc>) -> Result<Scratch> {
    let dir = tempfile::Builder::new()
        .prefix("sqa-simulate-")
        .tempdir()
        .context("cannot create a temporary folder")?;
    std::fs::write(dir.path().join(local::CONFIG_FILE), &setup.config_text)
        .context("cannot write the scratch config")?;
    std::fs::write(dir.path().join(".secret"), SCRATCH_SECRET)
        .context("cannot write the scratch secret")?;
    let mut ws = Workspace::open_with(dir.path(), setup.cfg.clone(), Some(start))
        .await
        .with_context(|| {
            format!(
                "{}: cannot open a scratch workspace",
                setup.config_path.display()
            )
        })?;
    let clock = Arc::new(FixedClock::new(start));
    ws.deps.ports.clock = clock.clone() as Arc<dyn Clock>;
    Ok(Scratch {
        ws,
        clock,
        _dir: dir,
    })
}

/// Move the clock to `until` as a worker would live through it: a run at each time the
/// lead's next touch falls due on the way (where its business hours may hold it to a later
/// one), then a run at `until`.
async fn pass_time(s: &Scratch, lead: &Lead, until: DateTime<Utc>) -> Result<()> {
    let mut last: Option<DateTime<Utc>> = None;
    for _ in 0..100 {
        let due = lead_now(&s.ws, lead).await?.next_touch_at;
        match due {
            Some(at) if at <= until && Some(at) != last => {
                if at > s.clock.now() {
                    s.clock.set(at);
                }
                run_once(&s.ws, false).await?;
                last = Some(at);
            }
            _ => break,
        }
    }
    s.clock.set(until);
    run_once(&s.ws, false).await?;
    Ok(())
}

async fn drain(ws: &Workspace) -> Result<()> {
    let report = runner::drain(&ws.deps, 1000, |_, _| {}).await?;
    if let Some(f) = report.failed.first() {
        bail!("a stage failed: {f}");
    }
    Ok(())
}

async fn lead_now(ws: &Workspace, lead: &Lead) -> Result<Lead> {
    ws.deps
        .ports
        .leads
        .get(&lead.id)
        .await?
        .with_context(|| format!("lead {} is gone", lead.id))
}

fn touch_json(t: &Touch, to: &str) -> Value {
    json!({
        "n": t.n,
        "kind": serde_json::to_value(t.kind).unwrap_or(Value::Null),
        "state": serde_json::to_value(t.state).unwrap_or(Value::Null),
        "at": t.at.to_rfc3339(),
        "to": to,
        "subject": t.subject,
        "body": t.body,
        "cited": t.cited_facts,
        "note": t.note,
    })
}

fn level_json(l: &BantLevel, fact: &Option<String>) -> Value {
    json!({ "level": l.level.as_str(), "reason": l.reason, "fact": fact })
}

/// The BANT levels after a reply: a dimension the reply speaks to takes its level, the others
/// keep theirs (as the lead's BANT facts merge: a later statement replaces an earlier one).
fn merge_levels(state: &mut Judgment, new: &Judgment) {
    for (mine, theirs) in [
        (&mut state.budget, &new.budget),
        (&mut state.authority, &new.authority),
        (&mut state.need, &new.need),
        (&mut state.timeline, &new.timeline),
    ] {
        if theirs.level != Level::None {
            *mine = theirs.clone();
        }
    }
}

/// Why the agent wrote nothing after a reply.
fn no_mail_why(decision: &str, lead: &Lead, reasons: &[String]) -> String {
    if let Some(h) = &lead.handover {
        return format!("handed over to {}: the seller writes next", h.seller);
    }
    let reason = lead.reason.clone().unwrap_or_default();
    let next = lead
        .next_touch_at
        .map(|t| format!("next touch {}", t.format("%Y-%m-%d")))
        .unwrap_or_else(|| "no touch planned".into());
    match decision {
        "suppress" => format!("{reason}: the address is suppressed, nothing more is sent"),
        "disqualify" | "redirect" => format!("disqualified ({reason}): the cadence stops"),
        "nurture" => format!("nurture: {next}"),
        "reschedule" => format!("out of office: {next}"),
        "ignore" => "an automatic message: nothing to answer".into(),
        "mark_invalid" => format!("{reason}: no more mail to this address"),
        "answer_drafted" => "the answer is a draft for the seller (mode research_only)".into(),
        "escalated" => match &lead.blocked {
            Some(b) => format!("waits for a person: {b}"),
            None => "waits for a person".into(),
        },
        "handover" => "handed over: the seller writes next".into(),
        other => match reasons.last() {
            Some(r) => format!("{other}: {r}"),
            None => other.to_string(),
        },
    }
}

fn reply_eml(
    setup: &Setup,
    lead: &Lead,
    text: &str,
    n: usize,
    at: DateTime<Utc>,
    label: &str,
) -> Vec<u8> {
    let cfg = &setup.cfg;
    let header_safe = |s: &str| s.replace(['\r', '\n'], " ");
    let last = lead.touches.last();
    let subject = match last {
        Some(t) if t.subject.to_lowercase().starts_with("re:") => t.subject.clone(),
        Some(t) => format!("Re: {}", t.subject),
        None => format!("Re: {}", lead.company),
    };
    let refs: Vec<&str> = lead.touches.iter().map(|t| t.seen_id()).collect();
    let tag = &stages::digest(label)[..12];
    let mut h = String::new();
    let name = lead.display_name();
    let from = if name.is_empty() {
        format!("<{}>", lead.email.trim())
    } else {
        format!(
            "\"{}\" <{}>",
            header_safe(&name).replace('"', ""),
            lead.email.trim()
        )
    };
    h.push_str(&format!("From: {}\r\n", header_safe(&from)));
    h.push_str(&format!(
        "To: \"{}\" <{}>\r\n",
        header_safe(&cfg.agent.name).replace('"', ""),
        cfg.agent.email
    ));
    h.push_str(&format!("Subject: {}\r\n", header_safe(&subject)));
    h.push_str(&format!("Date: {}\r\n", at.to_rfc2822()));
    h.push_str(&format!("Message-ID: <sim-{tag}-{n}@simulate.invalid>\r\n"));
    if let Some(t) = last {
        h.push_str(&format!("In-Reply-To: {}\r\n", t.seen_id()));
        h.push_str(&format!("References: {}\r\n", refs.join(" ")));
    }
    h.push_str("MIME-Version: 1.0\r\n");
    h.push_str("Content-Type: text/plain; charset=\"utf-8\"\r\n");
    h.push_str("Content-Transfer-Encoding: 8bit\r\n\r\n");
    let body = text.replace("\r\n", "\n").replace('\n', "\r\n");
    let mut raw = h.into_bytes();
    raw.extend_from_slice(body.as_bytes());
    raw.extend_from_slice(b"\r\n");
    raw
}

/// Play one thread in a scratch workspace: its JSON document.
async fn play(setup: &Setup, t: &Thread, start: DateTime<Utc>) -> Result<Value> {
    let s = scratch(setup, start).await?;
    let ws = &s.ws;
    let deps = &ws.deps;
    deps.ports
        .leads
        .insert(&t.lead)
        .await
        .with_context(|| format!("cannot store lead {}", t.lead.id))?;
    stages::select::enqueue_new(deps, std::slice::from_ref(&t.lead.id), "simulate").await?;
    drain(ws).await?;
    let mut lead = lead_now(ws, &t.lead).await?;
    let to = |l: &Lead| l.sendable_address().unwrap_or(l.email.trim()).to_string();
    let first_email = match lead.touches.first() {
        Some(touch) => json!({ "mail": touch_json(touch, &to(&lead)), "why_none": null }),
        None => {
            let records = deps.ports.runs.for_lead(&lead.id).await?;
            let why = match records.last() {
                Some(r) => format!("{}: {} ({})", r.stage, r.decision, r.reasons.join("; ")),
                None => match stages::select::evaluate(&lead, &deps.config.selection, start) {
                    Err(no) => format!("not selected: {}", no.join("; ")),
                    Ok(_) => format!("lead is {}", lead.stage),
                },
            };
            json!({ "mail": null, "why_none": why })
        }
    };
    let first_stage = lead.stage.to_string();
    let first_next = lead.next_touch_at;
    let mut levels = Judgment::default();
    let mut replies = Vec::new();
    let spool = ws.dir.join(local::SPOOL);
    std::fs::create_dir_all(&spool).context("cannot create the scratch spool")?;
    for (i, m) in t.messages.iter().enumerate() {
        let n = i + 1;
        // Time passes: whatever the agent would do meanwhile (a follow-up due) happens.
        let at = s.clock.now() + m.after;
        let before = lead.touches.len();
        pass_time(&s, &t.lead, at).await?;
        lead = lead_now(ws, &t.lead).await?;
        let meanwhile: Vec<Value> = lead.touches[before.min(lead.touches.len())..]
            .iter()
            .map(|x| touch_json(x, &to(&lead)))
            .collect();

        let raw = match &m.body {
            Body::Text(text) => reply_eml(setup, &lead, text, n, at, &t.label),
            Body::Raw(raw) => raw.clone(),
        };
        let key = format!("{}/{n:04}.eml", local::SPOOL);
        std::fs::write(ws.dir.join(&key), &raw).context("cannot write to the scratch spool")?;
        let touches_before = lead.touches.len();
        let inbound_before = lead.inbound.len();
        let body = serde_json::to_string(&InboundMessage {
            v: stages::MESSAGE_VERSION,
            key: key.clone(),
            verdicts: Default::default(),
        })?;
        deps.ports.queue.send(QueueName::Engage, &[body]).await?;
        drain(ws).await?;
        lead = lead_now(ws, &t.lead).await?;
        let run_id = format!("engage-{}", &stages::digest(&key)[..16]);
        // The engage step's record, then what the stages it started did (the handover).
        let records: Vec<RunRecord> = deps.ports.runs.for_run(&run_id).await?;
        let (decision, mut reasons) = match records.iter().rev().find(|r| r.stage == "engage") {
            Some(r) => (r.decision.clone(), r.reasons.clone()),
            None => (
                "none".to_string(),
                vec!["the engage stage kept no record".into()],
            ),
        };
        for r in records.iter().filter(|r| r.stage != "engage") {
            reasons.push(format!(
                "then {}: {}{}",
                r.stage,
                r.decision,
                if r.reasons.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", r.reasons.join("; "))
                }
            ));
        }
        let entry = (lead.inbound.len() > inbound_before)
            .then(|| lead.inbound.last())
            .flatten();
        let text = match (&m.body, entry) {
            (_, Some(e)) => e.text.clone(),
            (Body::Text(text), None) => text.clone(),
            (Body::Raw(_), None) => String::new(),
        };
        let classification = entry.map(|e| {
            let c = &e.classification;
            merge_levels(&mut levels, &c.judgment);
            json!({
                "intent": c.intent.as_str(),
                "action": c.action.as_str(),
                "lang": c.lang,
                "topics": c.question_topics,
                "injection": c.injection,
                "negative_sentiment": c.judgment.negative_sentiment,
            })
        });
        let signals: Vec<Value> = entry
            .map(|e| {
                e.classification
                    .judgment
                    .signals
                    .iter()
                    .map(|s| {
                        json!({
                            "kind": serde_json::to_value(s.kind).unwrap_or(Value::Null),
                            "level": s.level.as_str(),
                            "evidence": s.evidence,
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        let intent = entry
            .map(|e| e.classification.intent)
            .unwrap_or(sqa_core::domain::Intent::Unclear);
        let r = sqa_core::agents::readiness::assess(&lead, intent, &deps.config);
        let sent: Vec<&Touch> = lead.touches[touches_before.min(lead.touches.len())..]
            .iter()
            .collect();
        let mail = sent.first().map(|x| touch_json(x, &to(&lead)));
        let no_mail = match sent.first() {
            Some(_) => None,
            None => Some(no_mail_why(&decision, &lead, &reasons)),
        };
        replies.push(json!({
            "n": n,
            "source": m.source,
            "at": at.to_rfc3339(),
            "meanwhile": meanwhile,
            "text": text,
            "classification": classification,
            "decision": decision,
            "reasons": reasons,
            "bant": {
                "budget": level_json(&levels.budget, &lead.bant.budget),
                "authority": level_json(&levels.authority, &lead.bant.authority),
                "need": level_json(&levels.need, &lead.bant.need),
                "timeline": level_json(&levels.timeline, &lead.bant.timeline),
            },
            "signals": signals,
            "readiness": { "ready": r.ready, "met": r.met, "missing": r.missing },
            "mail": mail,
            "no_mail": no_mail,
            "stage": lead.stage.to_string(),
            "blocked": lead.blocked.as_ref().map(|b| b.to_string()),
            "next_touch": lead.next_touch_at.map(|t| t.to_rfc3339()),
            "handover": lead.handover.as_ref().map(|h| h.seller.clone()),
        }));
    }
    let doc = json!({
        "thread": t.label,
        "config": setup.config_path.display().to_string(),
        "start": start.to_rfc3339(),
        "lead": {
            "id": lead.id.as_str(),
            "name": lead.display_name(),
            "email": lead.email.trim(),
            "company": lead.company.trim(),
            "title": lead.title.trim(),
            "country": lead.country.trim(),
        },
        "first_email": first_email,
        "stage_after_first_email": first_stage,
        "next_touch_after_first_email": first_next.map(|t| t.to_rfc3339()),
        "replies": replies,
        "final_stage": lead.stage.to_string(),
        "handover": lead.handover.as_ref().map(|h| h.seller.clone()),
    });
    Ok(doc)
}

fn print_mail(m: &Value) -> Result<()> {
    outln!(
        "  → {} to {} ({})",
        m["kind"].as_str().unwrap_or("mail").replace('_', " "),
        m["to"].as_str().unwrap_or(""),
        m["state"].as_str().unwrap_or("")
    )?;
    outln!("    Subject: {}", m["subject"].as_str().unwrap_or(""))?;
    for line in m["body"].as_str().unwrap_or("").lines() {
        outln!("    | {line}")?;
    }
    if let Some(note) = m["note"].as_str() {
        outln!("    note: {note}")?;
    }
    Ok(())
}

fn print_thread(d: &Value) -> Result<()> {
    let l = &d["lead"];
    outln!("══ {}", d["thread"].as_str().unwrap_or(""))?;
    outln!(
        "Lead {}: {} <{}>, {}{}{}",
        l["id"].as_str().unwrap_or(""),
        l["name"].as_str().unwrap_or(""),
        l["email"].as_str().unwrap_or(""),
        l["company"].as_str().unwrap_or(""),
        match l["title"].as_str() {
            Some(t) if !t.is_empty() => format!(", {t}"),
            _ => String::new(),
        },
        match l["country"].as_str() {
            Some(c) if !c.is_empty() => format!(" ({c})"),
            _ => String::new(),
        },
    )?;
    outln!("")?;
    outln!("[{}] First email", short(&d["start"]))?;
    match &d["first_email"]["mail"] {
        Value::Null => outln!(
            "  no mail: {}",
            d["first_email"]["why_none"].as_str().unwrap_or("")
        )?,
        m => print_mail(m)?,
    }
    let mut stage = format!(
        "  stage: {}",
        d["stage_after_first_email"].as_str().unwrap_or("")
    );
    if d["next_touch_after_first_email"].is_string() {
        stage.push_str(&format!(
            ", next touch {}",
            short(&d["next_touch_after_first_email"])
        ));
    }
    outln!("{stage}")?;
    for r in d["replies"].as_array().into_iter().flatten() {
        for m in r["meanwhile"].as_array().into_iter().flatten() {
            outln!("")?;
            outln!("[{}] Meanwhile", short(&m["at"]))?;
            print_mail(m)?;
        }
        outln!("")?;
        outln!(
            "[{}] Reply {} ({})",
            short(&r["at"]),
            r["n"],
            r["source"].as_str().unwrap_or("")
        )?;
        for line in r["text"].as_str().unwrap_or("").lines() {
            outln!("  > {line}")?;
        }
        let c = &r["classification"];
        if c.is_null() {
            outln!("  not recorded on the lead (not its own message)")?;
        } else {
            let topics: Vec<&str> = c["topics"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            outln!(
                "  classified: intent {}, action {}, lang {}{}{}",
                c["intent"].as_str().unwrap_or(""),
                c["action"].as_str().unwrap_or(""),
                c["lang"].as_str().unwrap_or(""),
                if topics.is_empty() {
                    String::new()
                } else {
                    format!(", topics {}", topics.join(", "))
                },
                if c["injection"].as_bool() == Some(true) {
                    ", injection attempt"
                } else {
                    ""
                }
            )?;
        }
        outln!("  decision: {}", r["decision"].as_str().unwrap_or(""))?;
        for reason in r["reasons"].as_array().into_iter().flatten() {
            outln!("    - {}", reason.as_str().unwrap_or(""))?;
        }
        outln!("  BANT:")?;
        for dim in ["budget", "authority", "need", "timeline"] {
            let b = &r["bant"][dim];
            let mut line = format!("    {dim:<9} {:<6}", b["level"].as_str().unwrap_or("none"));
            if let Some(reason) = b["reason"].as_str().filter(|s| !s.is_empty()) {
                line.push_str(&format!(" {reason}"));
            }
            if let Some(fact) = b["fact"].as_str() {
                line.push_str(&format!(" [fact: {fact}]"));
            }
            outln!("{}", line.trim_end())?;
        }
        let signals = r["signals"].as_array().cloned().unwrap_or_default();
        if signals.is_empty() {
            outln!("  buying signals: none")?;
        } else {
            outln!("  buying signals:")?;
            for s in &signals {
                outln!(
                    "    {} ({}): {}",
                    s["kind"].as_str().unwrap_or(""),
                    s["level"].as_str().unwrap_or(""),
                    s["evidence"].as_str().unwrap_or("")
                )?;
            }
        }
        let rd = &r["readiness"];
        let list = |k: &str| -> String {
            rd[k]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join("; ")
        };
        outln!(
            "  readiness: {}{}{}",
            if rd["ready"].as_bool() == Some(true) {
                "ready for a seller"
            } else {
                "not ready"
            },
            match list("met") {
                m if m.is_empty() => String::new(),
                m => format!("; met: {m}"),
            },
            match list("missing") {
                m if m.is_empty() => String::new(),
                m => format!("; missing: {m}"),
            },
        )?;
        match &r["mail"] {
            Value::Null => outln!("  no mail: {}", r["no_mail"].as_str().unwrap_or(""))?,
            m => print_mail(m)?,
        }
        let mut stage = format!("  stage: {}", r["stage"].as_str().unwrap_or(""));
        if let Some(b) = r["blocked"].as_str() {
            stage.push_str(&format!(" (blocked: {b})"));
        }
        if let Some(h) = r["handover"].as_str() {
            stage.push_str(&format!(" (seller: {h})"));
        }
        if r["next_touch"].is_string() {
            stage.push_str(&format!(", next touch {}", short(&r["next_touch"])));
        }
        outln!("{stage}")?;
    }
    outln!("")?;
    outln!(
        "Final stage: {}{}",
        d["final_stage"].as_str().unwrap_or(""),
        match d["handover"].as_str() {
            Some(h) => format!(", handed over to {h}"),
            None => String::new(),
        }
    )?;
    Ok(())
}

/// `2026-11-21T01:00:00+00:00` → `2026-11-21 01:00`.
fn short(v: &Value) -> String {
    let s = v.as_str().unwrap_or("");
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|_| s.to_string())
}
