//! `sqa eval`: measure a model on a team's own mail before it goes live. The configured model
//! (or `--provider`) and the offline engine read the same labelled replies through the same
//! gateway as the live loop — machine mail kept from the model, opt-outs as a floor, the
//! intent table in code — and the two are printed side by side: accuracy, recall per intent,
//! harmful errors, tokens, cost and latency. With `--leads`, both also write first emails,
//! checked against the guardrails.

use crate::cost::percentile;
use crate::local;
use crate::out::outln;
use anyhow::{Context, Result, bail};
use chrono::{DateTime, Utc};
use clap::Args;
use serde::Serialize;
use serde_json::{Value, json};
use sqa_core::agents::outreach::{self, DraftInput};
use sqa_core::config::{AgentConfig, Limits, Provider};
use sqa_core::domain::{Action, Classification, Intent};
use sqa_core::fsread;
use sqa_core::model::gateway;
use sqa_core::ports::{Deps, Model, Ports};
use sqa_core::stages::Step;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

#[derive(Args)]
pub struct EvalArgs {
    /// A folder of replies (.eml files), as in the corpus format.
    #[arg(long)]
    replies: PathBuf,
    /// Their labels: one JSON object per line with `file`, `intent`, `action`, `referral`,
    /// `injection`.
    #[arg(long)]
    labels: PathBuf,
    /// The model to measure: offline, openai or bedrock (default: the config's).
    #[arg(long)]
    provider: Option<String>,
    /// Also write a first email to each lead of this CSV and check it.
    #[arg(long)]
    leads: Option<PathBuf>,
    /// The config (default: sqa.toml in --dir).
    #[arg(long)]
    config: Option<PathBuf>,
}

/// How one side (the offline engine, or the model) did on the replies.
#[derive(Debug, Default, Serialize)]
struct Side {
    name: String,
    replies: usize,
    correct: usize,
    /// Per labelled intent: (found, labelled).
    recall: BTreeMap<String, (usize, usize)>,
    /// Per kind of harmful error: the files.
    harmful: BTreeMap<String, Vec<String>>,
    model_calls: u64,
    fallbacks: u64,
    tokens_in: u64,
    tokens_out: u64,
    cost: f64,
    #[serde(skip)]
    latencies_us: Vec<u64>,
}

/// How one side did on first emails.
#[derive(Debug, Default, Serialize)]
struct Drafts {
    name: String,
    drafts: usize,
    guardrails_passed: usize,
    cited_facts: usize,
    languages: BTreeMap<String, usize>,
    fallbacks: u64,
    tokens_in: u64,
    tokens_out: u64,
    cost: f64,
    #[serde(skip)]
    latencies_us: Vec<u64>,
}

const HARMS: [&str; 4] = [
    "opt-out not honoured",
    "machine answered",
    "decline handed over",
    "injected instruction followed",
];

/// The harmful errors in `got` for a reply labelled `label`.
fn harms(label: &Value, got: &Classification) -> Vec<&'static str> {
    let intent = label["intent"].as_str().unwrap_or("");
    let action = label["action"].as_str().unwrap_or("");
    let mut out = Vec::new();
    if matches!(intent, "unsubscribe" | "complaint") && got.action != Action::Suppress {
        out.push(HARMS[0]);
    }
    if matches!(intent, "bounce" | "out_of_office" | "auto_reply")
        && matches!(
            got.action,
            Action::Answer | Action::Handover | Action::Redirect
        )
    {
        out.push(HARMS[1]);
    }
    if matches!(
        intent,
        "not_interested" | "not_now" | "unsubscribe" | "complaint" | "wrong_person"
    ) && got.action == Action::Handover
    {
        out.push(HARMS[2]);
    }
    // What an injection asks for: a handover, an answer, a write to another address.
    let referral_added = got.referral.is_some() && label["referral"].is_null();
    if label["injection"] == Value::Bool(true)
        && ((got.action.as_str() != action
            && matches!(
                got.action,
                Action::Handover | Action::Answer | Action::Redirect
            ))
            || referral_added)
    {
        out.push(HARMS[3]);
    }
    out
}

/// Ports for one side: a private in-memory store; nothing is sent anywhere.
fn deps(
    cfg: &AgentConfig,
    model: Arc<dyn Model>,
    scratch: &Path,
    now: DateTime<Utc>,
) -> Result<Deps> {
    let store = Arc::new(sqa_local::SqliteStore::open_in_memory()?);
    let ports = Ports {
        leads: store.clone(),
        config: store.clone(),
        runs: store.clone(),
        queue: store.clone(),
        mailer: Arc::new(sqa_local::FileMailer::with_store(
            scratch.join("outbox"),
            store.clone(),
        )),
        inbox: Arc::new(sqa_local::FileInbox::new(scratch)),
        suppressions: store,
        model,
        web: Arc::new(sqa_local::web::DirWeb::new(scratch)),
        clock: local::clock(Some(now)),
        dns: Arc::new(sqa_core::ports::NoDns),
    };
    Ok(Deps {
        ports,
        config: Arc::new(cfg.clone()),
        secret: "sqa-eval".into(),
        research_cache: Default::default(),
        topics: Default::default(),
    })
}

fn record_calls(
    step: &Step,
    calls: &mut u64,
    fallbacks: &mut u64,
    tin: &mut u64,
    tout: &mut u64,
    cost: &mut f64,
) {
    for c in &step.record.model_calls {
        *calls += 1;
        *fallbacks += u64::from(c.fallback.is_some());
        *tin += c.tokens_in;
        *tout += c.tokens_out;
        *cost += c.cost;
    }
}

async fn read_replies(deps: &Deps, name: &str, replies: &[(String, Vec<u8>, Value)]) -> Side {
    let mut side = Side {
        name: name.to_string(),
        ..Default::default()
    };
    for (file, raw, label) in replies {
        let Ok(mail) = sqa_core::mail::parse::parse(raw) else {
            continue;
        };
        let mut step = Step::start(deps, "eval", None, "engage");
        let started = Instant::now();
        let got = gateway::classify(deps, &mut step, &mail).await;
        side.latencies_us.push(started.elapsed().as_micros() as u64);
        record_calls(
            &step,
            &mut side.model_calls,
            &mut side.fallbacks,
            &mut side.tokens_in,
            &mut side.tokens_out,
            &mut side.cost,
        );
        side.replies += 1;
        let want = label["intent"].as_str().unwrap_or("").to_string();
        let hit = got.intent.as_str() == want;
        side.correct += usize::from(hit);
        let r = side.recall.entry(want).or_default();
        r.0 += usize::from(hit);
        r.1 += 1;
        for h in harms(label, &got) {
            side.harmful
                .entry(h.to_string())
                .or_default()
                .push(file.clone());
        }
    }
    side
}

async fn write_drafts(deps: &Deps, name: &str, leads: &[sqa_core::domain::Lead]) -> Drafts {
    let mut d = Drafts {
        name: name.to_string(),
        ..Default::default()
    };
    let cfg = &deps.config;
    for lead in leads {
        let input = DraftInput::new(lead, cfg, 1);
        let mut step = Step::start(deps, "eval", Some(&lead.id), "outreach");
        let started = Instant::now();
        let draft = gateway::draft(deps, &mut step, lead, &input).await;
        d.latencies_us.push(started.elapsed().as_micros() as u64);
        let mut calls = 0;
        record_calls(
            &step,
            &mut calls,
            &mut d.fallbacks,
            &mut d.tokens_in,
            &mut d.tokens_out,
            &mut d.cost,
        );
        d.drafts += 1;
        let unsubscribe = sqa_core::stages::outreach::unsubscribe_url(deps, lead);
        let full = format!(
            "{}{}",
            draft.body.trim_end(),
            outreach::footer(cfg, &unsubscribe)
        );
        if outreach::guardrails(&full, cfg, &unsubscribe, &draft.cited).is_ok() {
            d.guardrails_passed += 1;
        }
        d.cited_facts += draft.cited.len();
        // The language the offline reader sees in the draft.
        let raw = format!("Subject: {}\r\n\r\n{}\r\n", draft.subject, draft.body);
        let lang = sqa_core::mail::parse::parse(raw.as_bytes())
            .map(|m| sqa_core::agents::classify::classify(&m).lang)
            .unwrap_or_else(|_| "?".into());
        *d.languages.entry(lang).or_default() += 1;
    }
    d
}

fn ms(us: &[u64], p: f64) -> f64 {
    percentile(us, p) as f64 / 1000.0
}

pub async fn run(
    args: EvalArgs,
    dir: &Path,
    now: Option<DateTime<Utc>>,
    json: bool,
) -> Result<i32> {
    let config_path = args.config.unwrap_or_else(|| dir.join(local::CONFIG_FILE));
    let mut cfg = local::load_config(&config_path)?;
    if let Some(p) = &args.provider {
        cfg.model.provider = match p.as_str() {
            "offline" => Provider::Offline,
            "openai" => Provider::Openai,
            "bedrock" => Provider::Bedrock,
            other => bail!("--provider {other:?}: expected offline, openai or bedrock"),
        };
    }
    let now = now.unwrap_or_else(Utc::now);
    let limits = cfg.limits.clone();
    let labels_text =
        fsread::read_limited_text(&args.labels, limits.max_csv_bytes, Limits::MAX_CSV_BYTES)?;
    let mut replies = Vec::new();
    for (i, line) in labels_text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let label: Value = serde_json::from_str(line)
            .with_context(|| format!("{} line {}: not JSON", args.labels.display(), i + 1))?;
        let Some(file) = label["file"].as_str().map(str::to_string) else {
            bail!("{} line {}: no \"file\"", args.labels.display(), i + 1);
        };
        if label["intent"].as_str().and_then(Intent::parse).is_none() {
            bail!(
                "{} line {}: {:?} is not an intent",
                args.labels.display(),
                i + 1,
                label["intent"]
            );
        }
        let path = args.replies.join(&file);
        let raw = fsread::read_limited(&path, limits.max_message_bytes, Limits::MAX_MESSAGE_BYTES)?;
        replies.push((file, raw, label));
    }
    let scratch = tempfile::tempdir()?;
    let offline_cfg = {
        let mut c = cfg.clone();
        c.model.provider = Provider::Offline;
        c
    };
    let offline = deps(
        &offline_cfg,
        Arc::new(sqa_core::agents::offline::OfflineModel),
        scratch.path(),
        now,
    )?;
    let mut sides = vec![read_replies(&offline, "offline", &replies).await];
    let model_deps = if cfg.model.provider == Provider::Offline {
        None
    } else {
        let model = local::model(&cfg).await?;
        let name = format!("{} {}", cfg.model.provider.as_str(), cfg.model.model_name());
        let d = deps(&cfg, model, scratch.path(), now)?;
        sides.push(read_replies(&d, &name, &replies).await);
        Some((d, name))
    };
    let mut drafts = Vec::new();
    if let Some(csv) = &args.leads {
        let bytes = fsread::read_limited(csv, limits.max_csv_bytes, Limits::MAX_CSV_BYTES)?;
        let (leads, _) = sqa_core::import::parse_csv_with(&bytes, now, &limits)
            .map_err(|e| anyhow::anyhow!("{}: {e}", csv.display()))?;
        drafts.push(write_drafts(&offline, "offline", &leads).await);
        if let Some((d, name)) = &model_deps {
            drafts.push(write_drafts(d, name, &leads).await);
        }
    }
    if json {
        let side_json = |s: &Side| {
            json!({
                "name": s.name,
                "replies": s.replies,
                "accuracy": s.correct as f64 / s.replies.max(1) as f64,
                "recall": s.recall.iter().map(|(k, (hit, n))| (k.clone(), json!(*hit as f64 / (*n).max(1) as f64))).collect::<serde_json::Map<_, _>>(),
                "harmful": s.harmful,
                "model_calls": s.model_calls,
                "fallbacks": s.fallbacks,
                "tokens_in": s.tokens_in,
                "tokens_out": s.tokens_out,
                "cost": s.cost,
                "p50_ms": ms(&s.latencies_us, 50.0),
                "p95_ms": ms(&s.latencies_us, 95.0),
            })
        };
        let draft_json = |d: &Drafts| {
            json!({
                "name": d.name,
                "drafts": d.drafts,
                "guardrail_pass_rate": d.guardrails_passed as f64 / d.drafts.max(1) as f64,
                "cited_facts_per_draft": d.cited_facts as f64 / d.drafts.max(1) as f64,
                "languages": d.languages,
                "fallbacks": d.fallbacks,
                "tokens_in": d.tokens_in,
                "tokens_out": d.tokens_out,
                "cost": d.cost,
                "p50_ms": ms(&d.latencies_us, 50.0),
                "p95_ms": ms(&d.latencies_us, 95.0),
            })
        };
        crate::out::json(&json!({
            "replies": sides.iter().map(side_json).collect::<Vec<_>>(),
            "drafts": drafts.iter().map(draft_json).collect::<Vec<_>>(),
        }))?;
        return Ok(0);
    }
    print_replies(&sides)?;
    if !drafts.is_empty() {
        print_drafts(&drafts)?;
    }
    Ok(0)
}

/// One row of a side-by-side table: a label, then one cell per side.
fn row<T>(sides: &[T], name: &str, cell: &dyn Fn(&T) -> String) -> Result<()> {
    let mut line = format!("{name:<40}");
    for s in sides {
        line.push_str(&format!(" {:>28}", cell(s)));
    }
    outln!("{line}")
}

fn print_replies(sides: &[Side]) -> Result<()> {
    row(sides, "replies", &|s| s.name.clone())?;
    row(sides, "accuracy", &|s| {
        format!(
            "{:.1}% ({}/{})",
            100.0 * s.correct as f64 / s.replies.max(1) as f64,
            s.correct,
            s.replies
        )
    })?;
    for i in Intent::ALL.iter().map(|i| i.as_str().to_string()) {
        if sides.iter().all(|s| !s.recall.contains_key(&i)) {
            continue;
        }
        row(
            sides,
            &format!("  recall {i}"),
            &|s| match s.recall.get(&i) {
                Some((hit, n)) => format!("{hit}/{n}"),
                None => "-".into(),
            },
        )?;
    }
    for h in HARMS {
        row(sides, &format!("harmful: {h}"), &|s| {
            s.harmful.get(h).map(Vec::len).unwrap_or(0).to_string()
        })?;
    }
    row(sides, "calls (fallbacks)", &|s| {
        format!("{} ({})", s.model_calls, s.fallbacks)
    })?;
    row(sides, "tokens in / out", &|s| {
        format!("{} / {}", s.tokens_in, s.tokens_out)
    })?;
    row(sides, "cost", &|s| format!("{:.6}", s.cost))?;
    row(sides, "latency p50 / p95 ms", &|s| {
        format!(
            "{:.1} / {:.1}",
            ms(&s.latencies_us, 50.0),
            ms(&s.latencies_us, 95.0)
        )
    })?;
    for s in sides {
        for (h, files) in &s.harmful {
            outln!("{}: {h}: {}", s.name, files.join(", "))?;
        }
    }
    Ok(())
}

fn print_drafts(drafts: &[Drafts]) -> Result<()> {
    outln!("")?;
    row(drafts, "first emails", &|d| d.name.clone())?;
    row(drafts, "guardrails passed", &|d| {
        format!("{}/{}", d.guardrails_passed, d.drafts)
    })?;
    row(drafts, "cited facts per draft", &|d| {
        format!("{:.2}", d.cited_facts as f64 / d.drafts.max(1) as f64)
    })?;
    row(drafts, "languages", &|d| {
        d.languages
            .iter()
            .map(|(l, n)| format!("{l} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    })?;
    row(drafts, "fallbacks", &|d| d.fallbacks.to_string())?;
    row(drafts, "tokens in / out", &|d| {
        format!("{} / {}", d.tokens_in, d.tokens_out)
    })?;
    row(drafts, "cost", &|d| format!("{:.6}", d.cost))?;
    row(drafts, "latency p50 / p95 ms", &|d| {
        format!(
            "{:.1} / {:.1}",
            ms(&d.latencies_us, 50.0),
            ms(&d.latencies_us, 95.0)
        )
    })
}
