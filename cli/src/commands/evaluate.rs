//! The evaluation commands: `check-email`, `fit` and `classify` run one agent over files and
//! print its verdicts. They read no workspace and change nothing.

use super::exit;
use crate::out::{self, errln, outln};
use anyhow::{Context, Result, bail};
use chrono::{DateTime, Utc};
use clap::Args;
use serde_json::json;
use sqa_core::agents::{classify as classifier, email, fit as fit_agent};
use sqa_core::config::{Icp, Limits, Selection};
use sqa_core::fsread;
use sqa_core::import;
use sqa_core::stages::select;
use std::path::PathBuf;

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

/// An invalid address is a verdict, not a failure: the command fails only when it cannot
/// read its input.
pub async fn check_email(args: CheckEmailArgs, json: bool) -> Result<i32> {
    let mut addresses = args.addresses;
    if let Some(f) = &args.file {
        let limit = Limits::DEFAULT_MAX_CSV_BYTES;
        let bytes = if f.as_os_str() == "-" {
            fsread::read_stream_limited(std::io::stdin(), "-", limit, Limits::MAX_CSV_BYTES)
                .context("cannot read the addresses from standard input")?
        } else {
            fsread::read_limited(f, limit, Limits::MAX_CSV_BYTES)?
        };
        let text = String::from_utf8_lossy(&bytes);
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
            out::json(&v)?;
        } else if c.valid {
            outln!(
                "{a}\tvalid\t{}\t{}{}",
                c.kind.map(|k| k.as_str()).unwrap_or("-"),
                c.normalized.as_deref().unwrap_or(""),
                if resolver.is_some() {
                    format!("\t{:?}", c.deliverability)
                } else {
                    String::new()
                }
            )?;
        } else {
            outln!(
                "{a}\tinvalid\t{}\t{}",
                c.reason.as_deref().unwrap_or("-"),
                c.message.as_deref().unwrap_or("")
            )?;
        }
    }
    Ok(exit::DONE)
}

#[derive(Args)]
pub struct FitArgs {
    #[arg(long)]
    leads: PathBuf,
    #[arg(long)]
    icp: PathBuf,
}

/// Rows with errors are named on standard error and skipped: `PARTLY` when others were
/// scored, `FAILED` when none was.
pub fn fit(args: FitArgs, now: Option<DateTime<Utc>>, json: bool) -> Result<i32> {
    let now = now.unwrap_or_else(Utc::now);
    let limits = Limits::default();
    let icp_text =
        fsread::read_limited_text(&args.icp, limits.max_config_bytes, Limits::MAX_CONFIG_BYTES)?;
    let icp: Icp = serde_json::from_str(&icp_text)
        .with_context(|| format!("{}: not a valid ICP", args.icp.display()))?;
    let bytes = fsread::read_limited(&args.leads, limits.max_csv_bytes, Limits::MAX_CSV_BYTES)?;
    let (leads, report) = import::parse_csv(&bytes, now)
        .map_err(|e| anyhow::anyhow!("{}: {e}", args.leads.display()))?;
    for e in &report.errors {
        errln!("{}: {e}", args.leads.display())?;
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
            out::json(&row)?;
        } else {
            let reasons: Vec<String> = f
                .criteria
                .iter()
                .map(|c| format!("{} {}", c.name, c.points))
                .collect();
            outln!(
                "{}\t{}\t{}\t{}",
                lead.id,
                f.score,
                f.tier.as_str(),
                reasons.join(", ")
            )?;
        }
    }
    let failed = report.errors.len();
    Ok(exit::of(failed, failed + leads.len()))
}

/// Each file that cannot be read or parsed is named on standard error with the reason; the
/// others are classified (`PARTLY`), and when none could be, the command fails. Question
/// topics are the workspace's (`dir`'s `sqa.toml`) when there is one, else the generic ones.
pub fn classify(files: &[PathBuf], dir: &std::path::Path, json: bool) -> Result<i32> {
    if files.is_empty() {
        bail!("no files: give one or more .eml files");
    }
    let config_path = dir.join(crate::local::CONFIG_FILE);
    let workspace;
    let topics = if config_path.is_file() {
        workspace = classifier::Topics::of(&crate::local::load_config(&config_path)?);
        &workspace
    } else {
        classifier::Topics::generic()
    };
    let mut failed = 0;
    for f in files {
        let name = f
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| f.display().to_string());
        let raw = match fsread::read_limited(
            f,
            Limits::DEFAULT_MAX_MESSAGE_BYTES,
            Limits::MAX_MESSAGE_BYTES,
        ) {
            Ok(r) => r,
            Err(e) => {
                errln!("{e}")?;
                failed += 1;
                continue;
            }
        };
        match classifier::classify_raw_with(&raw, topics) {
            Ok((mail, c)) => {
                let lead_id = mail
                    .in_reply_to
                    .iter()
                    .chain(mail.references.iter())
                    .find_map(|id| sqa_core::mail::parse::outreach_lead_id(id))
                    .map(|(l, _)| l);
                if json {
                    let mut v = serde_json::to_value(&c)?;
                    v["file"] = json!(name);
                    v["lead_id"] = json!(lead_id);
                    out::json(&v)?;
                } else {
                    outln!(
                        "{name}\t{}\t{}\t{}",
                        c.intent.as_str(),
                        c.action.as_str(),
                        c.lang
                    )?;
                }
            }
            Err(e) => {
                errln!("{}: not classified: {e}", f.display())?;
                failed += 1;
            }
        }
    }
    Ok(exit::of(failed, files.len()))
}
