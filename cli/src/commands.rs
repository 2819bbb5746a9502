//! The commands that read or change a workspace, and the evaluation commands that only read
//! files (`check-email`, `fit`, `classify`).

use crate::local::Workspace;
use anyhow::{Context, Result, bail};
use chrono::{DateTime, Utc};
use clap::Args;
use serde_json::json;
use sqa_core::agents::{classify as classifier, email, fit as fit_agent};
use sqa_core::config::{Icp, Selection};
use sqa_core::domain::{EmailOverride, Lead, LeadId, Stage};
use sqa_core::import;
use sqa_core::lifecycle::Expected;
use sqa_core::ports::{LeadFilter, QueueName};
use sqa_core::stages::{self, InboundMessage, runner, select};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

pub fn parse_now(s: &str) -> Result<DateTime<Utc>> {
    import::parse_timestamp(s).with_context(|| {
        format!("--now {s:?} is not an ISO 8601 time such as 2026-11-21T00:00:00Z")
    })
}

fn print_json(v: &serde_json::Value) -> Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer(&mut out, v)?;
    writeln!(out)?;
    Ok(())
}

pub fn config_check(file: &Path, json: bool) -> Result<i32> {
    let text = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let Ok(text) = String::from_utf8(text) else {
        bail!("{}: not UTF-8", file.display());
    };
    let base = file.parent().map(Path::to_path_buf).unwrap_or_default();
    let read = |rel: &str| std::fs::read_to_string(base.join(rel)).ok();
    match sqa_core::config::parse(&text, &read) {
        Ok(cfg) => {
            if json {
                print_json(
                    &json!({"file": file, "ok": true, "errors": [], "mode": cfg.mode, "state": cfg.state}),
                )?;
            } else {
                println!(
                    "{}: ok (mode {:?}, state {:?})",
                    file.display(),
                    cfg.mode,
                    cfg.state
                );
            }
            Ok(0)
        }
        Err(errs) => {
            if json {
                print_json(&json!({"file": file, "ok": false, "errors": errs.0}))?;
            } else {
                for e in &errs.0 {
                    eprintln!("{}: {e}", file.display());
                }
                eprintln!("{} problem(s)", errs.0.len());
            }
            Ok(1)
        }
    }
}

#[derive(Args)]
pub struct CheckEmailArgs {
    /// Addresses to check.
    addresses: Vec<String>,
    /// Read addresses from a file, one per line (`-` for standard input).
    #[arg(long)]
    file: Option<PathBuf>,
    /// Also check deliverability in DNS.
    #[arg(long)]
    dns: bool,
    /// Name server for --dns (IP:PORT); default: the system's resolver.
    #[arg(long)]
    dns_server: Option<String>,
}

pub async fn check_email(args: CheckEmailArgs, json: bool) -> Result<i32> {
    let mut addresses = args.addresses;
    if let Some(f) = &args.file {
        let text = if f.as_os_str() == "-" {
            let mut s = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)?;
            s
        } else {
            let bytes = std::fs::read(f).with_context(|| format!("cannot read {}", f.display()))?;
            String::from_utf8_lossy(&bytes).into_owned()
        };
        // Lines keep their inner spaces: whitespace in an address is part of the verdict.
        addresses.extend(
            text.lines()
                .map(|l| l.trim_end_matches('\r').to_string())
                .filter(|l| !l.is_empty()),
        );
    }
    if addresses.is_empty() {
        bail!("no addresses: give them as arguments or with --file");
    }
    let resolver = if args.dns {
        let v = sqa_core::config::Validation {
            dns: match args.dns_server {
                Some(server) => sqa_core::config::DnsSetting::try_from(server)
                    .map_err(|e| anyhow::anyhow!("--dns-server {e}"))?,
                None => sqa_core::config::DnsSetting::System,
            },
            ..Default::default()
        };
        Some(email::resolver_from_config(&v)?)
    } else {
        None
    };
    for a in addresses {
        let c = match &resolver {
            Some(r) => email::check_with_dns(&a, r.as_ref()).await,
            None => email::check(&a),
        };
        if json {
            let mut v = json!({
                "address": a, "valid": c.valid, "reason": c.reason, "message": c.message,
                "kind": c.kind.map(|k| k.as_str()), "normalized": c.normalized,
            });
            if resolver.is_some() {
                v["deliverability"] = serde_json::to_value(&c.deliverability)?;
            }
            print_json(&v)?;
        } else if c.valid {
            println!(
                "{a}\tvalid\t{}\t{}{}",
                c.kind.map(|k| k.as_str()).unwrap_or("-"),
                c.normalized.as_deref().unwrap_or(""),
                if resolver.is_some() {
                    format!("\t{:?}", c.deliverability)
                } else {
                    String::new()
                }
            );
        } else {
            println!(
                "{a}\tinvalid\t{}\t{}",
                c.reason.as_deref().unwrap_or("-"),
                c.message.as_deref().unwrap_or("")
            );
        }
    }
    Ok(0)
}

#[derive(Args)]
pub struct FitArgs {
    #[arg(long)]
    leads: PathBuf,
    #[arg(long)]
    icp: PathBuf,
}

pub fn fit(args: FitArgs, now: Option<DateTime<Utc>>, json: bool) -> Result<i32> {
    let now = now.unwrap_or_else(Utc::now);
    let icp_text = std::fs::read_to_string(&args.icp)
        .with_context(|| format!("cannot read {}", args.icp.display()))?;
    let icp: Icp = serde_json::from_str(&icp_text)
        .with_context(|| format!("{}: not a valid ICP", args.icp.display()))?;
    let bytes = std::fs::read(&args.leads)
        .with_context(|| format!("cannot read {}", args.leads.display()))?;
    let (leads, report) = import::parse_csv(&bytes, now)
        .map_err(|e| anyhow::anyhow!("{}: {e}", args.leads.display()))?;
    for e in &report.errors {
        eprintln!("{}: {e}", args.leads.display());
    }
    let sel = Selection::default();
    for lead in &leads {
        let f = fit_agent::score(&fit_agent::FitInput::of(lead), &icp);
        let check = email::check(&lead.email);
        let row = json!({
            "id": lead.id, "selected": select::evaluate(lead, &sel, now).is_ok(),
            "email_valid_syntax": check.valid, "email_kind": check.kind.map(|k| k.as_str()),
            "fit_score": f.score, "tier": f.tier.as_str(), "duplicate_of": lead.duplicate_of,
        });
        if json {
            print_json(&row)?;
        } else {
            let reasons: Vec<String> = f
                .criteria
                .iter()
                .map(|c| format!("{} {}", c.name, c.points))
                .collect();
            println!(
                "{}\t{}\t{}\t{}",
                lead.id,
                f.score,
                f.tier.as_str(),
                reasons.join(", ")
            );
        }
    }
    Ok(if leads.is_empty() && !report.errors.is_empty() {
        1
    } else {
        0
    })
}

pub fn classify(files: &[PathBuf], json: bool) -> Result<i32> {
    if files.is_empty() {
        bail!("no files: give one or more .eml files");
    }
    let mut failed = 0;
    for f in files {
        let name = f
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let raw = match std::fs::read(f) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("{}: cannot read: {e}", f.display());
                failed += 1;
                continue;
            }
        };
        match classifier::classify_raw(&raw) {
            Ok((mail, c)) => {
                let lead_id = mail
                    .in_reply_to
                    .iter()
                    .chain(mail.references.iter())
                    .find_map(|id| sqa_core::mail::parse::outreach_lead_id(id))
                    .map(|(l, _)| l);
                let mut v = serde_json::to_value(&c)?;
                v["file"] = json!(name);
                v["lead_id"] = json!(lead_id);
                if json {
                    print_json(&v)?;
                } else {
                    println!(
                        "{name}\t{}\t{}\t{}",
                        c.intent.as_str(),
                        c.action.as_str(),
                        c.lang
                    );
                }
            }
            Err(e) => {
                eprintln!("{}: {e}", f.display());
                failed += 1;
            }
        }
    }
    Ok(if failed == files.len() { 1 } else { 0 })
}

pub async fn import(ws: &Workspace, file: &Path, dry_run: bool, json: bool) -> Result<i32> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let report = import::import_csv(&ws.deps, &bytes, dry_run)
        .await
        .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    if json {
        print_json(&serde_json::to_value(&report)?)?;
    } else {
        for w in &report.warnings {
            eprintln!("{}: warning: {w}", file.display());
        }
        for e in &report.errors {
            eprintln!("{}: {e}", file.display());
        }
        for d in &report.duplicates {
            eprintln!(
                "{}: line {}: {} has the same address as {} ({})",
                file.display(),
                d.line,
                d.id,
                d.duplicate_of,
                d.address
            );
        }
        println!(
            "{} rows: {} {}, {} already present, {} with errors, {} duplicates",
            report.rows,
            report.imported.len(),
            if dry_run {
                "would be imported"
            } else {
                "imported"
            },
            report.already_present.len(),
            report.errors.len(),
            report.duplicates.len()
        );
    }
    let nothing = report.imported.is_empty()
        && report.already_present.is_empty()
        && !report.errors.is_empty();
    Ok(if nothing { 1 } else { 0 })
}

/// One lead as the list, stats and demo show it.
pub fn lead_row(lead: &Lead, suppressed: bool) -> serde_json::Value {
    let check = lead
        .validation
        .clone()
        .unwrap_or_else(|| email::check(&lead.email));
    let fit = lead.fit.clone().unwrap_or_else(|| {
        fit_agent::score(
            &fit_agent::FitInput::of(lead),
            &sqa_core::config::Icp::default(),
        )
    });
    json!({
        "id": lead.id, "name": lead.display_name(), "company": lead.company.trim(),
        "stage": lead.stage.as_str(), "status": lead.status,
        "email_valid": check.effective_valid(), "email_kind": check.effective_kind().map(|k| k.as_str()),
        "fit_score": lead.fit.as_ref().map(|_| fit.score), "tier": lead.fit.as_ref().map(|_| fit.tier.as_str()),
        "emails_sent": lead.emails_sent(),
        "last_intent": lead.last_intent.map(|i| i.as_str()), "action": lead.last_action.map(|a| a.as_str()),
        "owner": lead.handover.as_ref().map(|h| h.seller.clone()).unwrap_or_else(|| lead.owner.trim().to_string()),
        "suppressed": suppressed, "blocked": lead.blocked, "reason": lead.reason,
        "duplicate_of": lead.duplicate_of,
    })
}

pub async fn all_leads(ws: &Workspace, filter: &LeadFilter, limit: usize) -> Result<Vec<Lead>> {
    let mut out = Vec::new();
    let mut cursor = None;
    loop {
        let page = ws.deps.ports.leads.list(filter, cursor, 500).await?;
        out.extend(page.items);
        if out.len() >= limit {
            out.truncate(limit);
            break;
        }
        match page.next {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    Ok(out)
}

pub async fn is_suppressed(ws: &Workspace, lead: &Lead) -> Result<bool> {
    let key = lead
        .sendable_address()
        .map(str::to_lowercase)
        .unwrap_or_else(|| lead.email_key.to_string());
    Ok(ws.deps.ports.suppressions.get(&key).await?.is_some())
}

pub async fn list(
    ws: &Workspace,
    stage: Option<String>,
    owner: Option<String>,
    limit: usize,
    json: bool,
) -> Result<i32> {
    let stage = match stage {
        Some(s) => Some(Stage::parse(&s).with_context(|| {
            format!(
                "--stage {s:?} is not a stage; one of: {}",
                Stage::ALL
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })?),
        None => None,
    };
    let leads = all_leads(ws, &LeadFilter { stage, owner }, limit).await?;
    for lead in &leads {
        let row = lead_row(lead, is_suppressed(ws, lead).await?);
        if json {
            print_json(&row)?;
        } else {
            println!(
                "{:<8} {:<13} {:<28} {:<24} fit {:>3} {}  sent {}{}",
                lead.id,
                lead.stage.as_str(),
                truncate(&lead.display_name(), 28),
                truncate(lead.company.trim(), 24),
                lead.fit
                    .as_ref()
                    .map(|f| f.score.to_string())
                    .unwrap_or_else(|| "-".into()),
                lead.fit.as_ref().map(|f| f.tier.as_str()).unwrap_or("-"),
                lead.emails_sent(),
                lead.blocked
                    .as_ref()
                    .map(|b| format!("  [{b}]"))
                    .unwrap_or_default()
            );
        }
    }
    if !json {
        println!("{} lead(s)", leads.len());
    }
    Ok(0)
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}

pub async fn export(ws: &Workspace) -> Result<i32> {
    let leads = all_leads(ws, &LeadFilter::default(), usize::MAX).await?;
    print!("{}", import::export_csv(&leads));
    Ok(0)
}

fn parse_id(id: &str) -> Result<LeadId> {
    LeadId::parse(id).map_err(|e| anyhow::anyhow!(e))
}

async fn get_lead(ws: &Workspace, id: &str) -> Result<Lead> {
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
    if json {
        print_json(&json!({ "lead": lead, "runs": runs }))?;
        return Ok(0);
    }
    println!(
        "{} — {} ({})",
        lead.id,
        lead.display_name(),
        lead.company.trim()
    );
    println!(
        "  stage {} · CRM status {} · owner {}",
        lead.stage,
        lead.status,
        lead.owner.trim()
    );
    if let Some(b) = &lead.blocked {
        println!("  needs a person: {b}");
    }
    if let Some(r) = &lead.reason {
        println!("  reason: {r}");
    }
    if let Some(v) = &lead.validation {
        println!(
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
        );
        println!("  deliverability: {:?}", v.deliverability);
        if let Some(o) = &v.overridden {
            println!("  overridden by {} at {}", o.by, o.at.to_rfc3339());
        }
    }
    if let Some(f) = &lead.fit {
        println!("  fit {} / 100, tier {}", f.score, f.tier.as_str());
        for c in &f.criteria {
            println!(
                "    {:<8} {:>2}/{:<2} {}",
                c.name, c.points, c.weight, c.reason
            );
        }
    }
    if let Some(r) = &lead.research {
        if let Some(o) = &r.overview {
            println!("  company: {o}");
        }
        for f in r.facts.iter().take(8) {
            println!("    fact: {} ({})", f.text, f.source);
        }
        for n in r.news.iter().take(4) {
            println!(
                "    news: {} {} ({})",
                n.date.as_deref().unwrap_or(""),
                n.text,
                n.source
            );
        }
        if let Some(e) = &r.error {
            println!("  research: {e}");
        }
    }
    let b = &lead.bant;
    println!(
        "  BANT: budget {:?} · authority {:?} · need {:?} · timeline {:?}",
        b.budget, b.authority, b.need, b.timeline
    );
    for t in &lead.touches {
        println!(
            "  touch {} ({:?}, {:?}) {} — {}",
            t.n,
            t.kind,
            t.state,
            t.at.format("%Y-%m-%d %H:%M"),
            t.subject
        );
    }
    for m in &lead.inbound {
        println!(
            "  reply {} — {} → {}",
            m.received_at.format("%Y-%m-%d %H:%M"),
            m.classification.intent.as_str(),
            m.classification.action.as_str()
        );
    }
    if let Some(h) = &lead.handover {
        println!(
            "  handed over to {} at {}:\n{}",
            h.seller,
            h.at.to_rfc3339(),
            indent(&h.summary)
        );
    }
    println!("  run records:");
    for r in &runs {
        println!(
            "    {} {:<9} {:<16} {}{}",
            r.at.format("%Y-%m-%d %H:%M:%S"),
            r.stage,
            r.decision,
            r.reasons.join("; "),
            r.error
                .as_deref()
                .map(|e| format!(" [error: {e}]"))
                .unwrap_or_default()
        );
    }
    Ok(0)
}

fn indent(s: &str) -> String {
    s.lines()
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Write a lead changed by a person, with a run record.
async fn save_by_person(
    ws: &Workspace,
    mut lead: Lead,
    expected: Expected,
    decision: &str,
    reasons: Vec<String>,
) -> Result<Lead> {
    lead.updated_at = ws.deps.ports.clock.now();
    let saved = ws.deps.ports.leads.update(&lead, expected).await?;
    let mut step = stages::Step::start(&ws.deps, "manual", Some(&saved.id), "validate");
    step.inputs(&saved.email);
    step.finish(&ws.deps, decision, reasons).await?;
    Ok(saved)
}

fn who() -> String {
    std::env::var("USER").unwrap_or_else(|_| "a person".into())
}

pub async fn set_email(ws: &Workspace, id: &str, address: &str, json: bool) -> Result<i32> {
    let mut lead = get_lead(ws, id).await?;
    let expected = Expected::of(&lead);
    let check = email::check_with_dns(address, ws.deps.ports.dns.as_ref()).await;
    lead.email = address.to_string();
    lead.email_key = sqa_core::EmailKey::from_check(address, &check);
    if check.may_email()
        && lead
            .blocked
            .as_ref()
            .is_some_and(sqa_core::Blocked::cleared_by_valid_address)
    {
        lead.blocked = None;
    }
    let verdict = if check.valid { "valid" } else { "invalid" };
    let reasons = vec![format!(
        "address changed by {} to {address:?}: {verdict}",
        who()
    )];
    lead.validation = Some(check);
    let saved = save_by_person(ws, lead, expected, "revalidated", reasons).await?;
    report_validation(&saved, json)
}

pub async fn set_company(
    ws: &Workspace,
    id: &str,
    company: Option<String>,
    website: Option<String>,
    json: bool,
) -> Result<i32> {
    if company.is_none() && website.is_none() {
        bail!("say what changed: --company and/or --website");
    }
    let mut lead = get_lead(ws, id).await?;
    let expected = Expected::of(&lead);
    if let Some(c) = company {
        lead.company = c;
    }
    if let Some(w) = website {
        lead.website = w;
    }
    let decision = stages::research::rerun(&ws.deps, &mut lead).await?;
    lead.updated_at = ws.deps.ports.clock.now();
    let saved = ws.deps.ports.leads.update(&lead, expected).await?;
    let mut step = stages::Step::start(&ws.deps, "manual", Some(&saved.id), "research");
    step.inputs(&(&saved.company, &saved.website));
    step.finish(
        &ws.deps,
        &decision,
        vec![format!(
            "company changed by {}: research and fit ran again",
            who()
        )],
    )
    .await?;
    if json {
        print_json(&json!({"id": saved.id, "research": saved.research, "fit": saved.fit}))?;
    } else {
        println!("{}: {decision}", saved.id);
    }
    Ok(0)
}

#[derive(Args)]
pub struct MarkArgs {
    id: String,
    #[arg(long, conflicts_with = "invalid")]
    valid: bool,
    #[arg(long)]
    invalid: bool,
    /// work, personal, role or disposable.
    #[arg(long)]
    kind: Option<String>,
}

pub async fn mark(ws: &Workspace, args: MarkArgs, json: bool) -> Result<i32> {
    let mut lead = get_lead(ws, &args.id).await?;
    let expected = Expected::of(&lead);
    let kind = match args.kind.as_deref() {
        Some(k) => Some(sqa_core::EmailKind::parse(k).with_context(|| {
            format!("--kind {k:?}: expected work, personal, role or disposable")
        })?),
        None => None,
    };
    let valid = if args.valid {
        Some(true)
    } else if args.invalid {
        Some(false)
    } else {
        None
    };
    if valid.is_none() && kind.is_none() {
        bail!("say what to override: --valid, --invalid and/or --kind");
    }
    let mut check = lead
        .validation
        .clone()
        .unwrap_or_else(|| email::check(&lead.email));
    check.overridden = Some(EmailOverride {
        valid,
        kind,
        by: who(),
        at: ws.deps.ports.clock.now(),
    });
    if check.may_email()
        && lead
            .blocked
            .as_ref()
            .is_some_and(sqa_core::Blocked::cleared_by_valid_address)
    {
        lead.blocked = None;
    }
    let reasons = vec![format!(
        "overridden by {}: valid {valid:?}, kind {:?}",
        who(),
        kind.map(|k| k.as_str())
    )];
    lead.validation = Some(check);
    let saved = save_by_person(ws, lead, expected, "overridden", reasons).await?;
    report_validation(&saved, json)
}

fn report_validation(lead: &Lead, json: bool) -> Result<i32> {
    let v = lead.validation.as_ref();
    if json {
        print_json(&json!({"id": lead.id, "validation": v}))?;
    } else if let Some(v) = v {
        println!(
            "{}: {} {}{}",
            lead.id,
            if v.effective_valid() {
                "valid"
            } else {
                "invalid"
            },
            v.effective_kind().map(|k| k.as_str()).unwrap_or(""),
            v.message
                .as_deref()
                .map(|m| format!(" ({m})"))
                .unwrap_or_default()
        );
    }
    Ok(0)
}

pub async fn preview(ws: &Workspace, json: bool) -> Result<i32> {
    let rows = select::preview(&ws.deps).await?;
    let n = rows.iter().filter(|r| r.selected).count();
    for r in &rows {
        if json {
            print_json(&serde_json::to_value(r)?)?;
        } else {
            println!(
                "{:<8} {:<12} {}",
                r.id,
                if r.selected { "select" } else { "skip" },
                r.reasons.join("; ")
            );
        }
    }
    if !json {
        println!(
            "{n} of {} new lead(s) would be selected (nothing was changed)",
            rows.len()
        );
    }
    Ok(0)
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

pub async fn run(ws: &Workspace, until_idle: bool, every_minutes: u64, json: bool) -> Result<i32> {
    loop {
        let (sel, drained) = run_once(ws, !json).await?;
        if json {
            print_json(&json!({"select": sel, "drain": drained}))?;
        } else {
            println!(
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
            );
            for f in &drained.failed {
                eprintln!("failed: {f}");
            }
        }
        if until_idle {
            return Ok(0);
        }
        tokio::time::sleep(std::time::Duration::from_secs(every_minutes.max(1) * 60)).await;
    }
}

pub async fn inbound(ws: &Workspace, files: &[PathBuf], json: bool) -> Result<i32> {
    if files.is_empty() {
        bail!("no files: give one or more .eml files");
    }
    let mut failed = 0;
    for f in files {
        let key =
            std::fs::canonicalize(f).with_context(|| format!("cannot read {}", f.display()))?;
        let msg = InboundMessage {
            v: stages::MESSAGE_VERSION,
            key: key.to_string_lossy().into_owned(),
            verdicts: Default::default(),
        };
        let body = serde_json::to_string(&msg)?;
        let result = stages::handle(QueueName::Engage, &body, &ws.deps).await;
        let line = match &result {
            Ok(o) => json!({"file": f, "lead_id": o.lead_id, "decision": o.to_string()}),
            Err(e) => {
                failed += 1;
                json!({"file": f, "error": e.to_string()})
            }
        };
        if matches!(result, Err(ref e) if e.is_transient()) {
            ws.deps.ports.queue.send(QueueName::Engage, &[body]).await?;
        }
        if json {
            print_json(&line)?;
        } else {
            match &result {
                Ok(o) => println!(
                    "{}: {} {}",
                    f.display(),
                    o.lead_id
                        .as_ref()
                        .map(|l| l.to_string())
                        .unwrap_or_else(|| "-".into()),
                    o
                ),
                Err(e) => eprintln!("{}: {e}", f.display()),
            }
        }
    }
    // Handovers and answers the replies caused.
    runner::drain(&ws.deps, 1000, |_, _| {}).await?;
    Ok(if failed == files.len() { 1 } else { 0 })
}

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
        print_json(&json!({"stages": m, "total": counts.values().sum::<u64>()}))?;
    } else {
        print_funnel(&counts);
    }
    Ok(0)
}

pub fn print_funnel(counts: &std::collections::BTreeMap<Stage, u64>) {
    let total: u64 = counts.values().sum();
    println!("{:<13} {:>6}", "stage", "leads");
    for s in Stage::ALL {
        let n = counts.get(&s).copied().unwrap_or(0);
        let bar = "█".repeat(((n * 40).checked_div(total.max(1)).unwrap_or(0)) as usize);
        println!("{:<13} {:>6} {bar}", s.as_str(), n);
    }
    println!("{:<13} {:>6}", "total", total);
}
