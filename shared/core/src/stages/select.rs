//! The select stage: claims eligible new leads for validation, and enqueues leads whose next
//! touch is due for outreach.
//!
//! A claim is a conditional write `new → selected` on the lead's version, so two overlapping
//! schedules (or a schedule and an import) never claim the same lead twice.

use super::{StageError, StageMessage, Step, enqueue, save};
use crate::config::{AgentState, Op, Selection};
use crate::domain::{Lead, LeadId, Stage};
use crate::lifecycle::{Expected, transition};
use crate::ports::{Deps, QueueName};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

const PAGE: usize = 200;

/// What one selection run did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SelectReport {
    pub run_id: String,
    /// Leads claimed and sent to validation.
    pub selected: Vec<String>,
    /// Leads whose next touch was due, sent to outreach.
    pub due: Vec<String>,
    /// Candidates in the window that did not meet the criteria.
    pub not_eligible: usize,
    /// Candidates another run claimed first.
    pub lost_claims: usize,
    /// Leads selected into the control group: left to their owners, never contacted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub control: Vec<String>,
    /// Why no new lead was selected, when the agent is not running.
    pub note: Option<String>,
    /// Leads found waiting for their next stage's message longer than [`SWEEP_AFTER`],
    /// whose message was sent again (`sweep`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resent: Vec<String>,
}

/// How long a lead may wait for its next stage's message before the sweep sends it again:
/// far longer than a message waits in a working queue, so that a resent message is almost
/// always one that was really lost.
pub const SWEEP_AFTER: Duration = Duration::minutes(15);

/// One lead's verdict in `sqa preview`.
#[derive(Debug, Clone, Serialize)]
pub struct PreviewRow {
    pub id: String,
    pub selected: bool,
    pub reasons: Vec<String>,
}

fn field<'a>(lead: &'a Lead, name: &str) -> &'a str {
    match name {
        "id" => lead.id.as_str(),
        "first_name" => &lead.first_name,
        "last_name" => &lead.last_name,
        "email" => &lead.email,
        "title" => &lead.title,
        "company" => &lead.company,
        "website" => &lead.website,
        "industry" => &lead.industry,
        "employees" => &lead.employees,
        "country" => &lead.country,
        "tech_stack" => &lead.tech_stack,
        "source" => &lead.source,
        "status" => &lead.status,
        "owner" => &lead.owner,
        "created_at" => &lead.created_at_raw,
        "notes" => &lead.notes,
        _ => "",
    }
}

fn value_str(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Compare as numbers when both sides are numbers, else as case-insensitive text.
fn compare(have: &str, want: &serde_json::Value) -> Option<std::cmp::Ordering> {
    let want_s = value_str(want);
    match (have.trim().parse::<f64>(), want_s.trim().parse::<f64>()) {
        (Ok(a), Ok(b)) => a.partial_cmp(&b),
        _ if have.trim().is_empty() => None,
        _ => Some(
            have.trim()
                .to_lowercase()
                .cmp(&want_s.trim().to_lowercase()),
        ),
    }
}

fn condition_holds(lead: &Lead, c: &crate::config::Condition) -> bool {
    let have = field(lead, &c.field).trim();
    let eq = |v: &serde_json::Value| have.eq_ignore_ascii_case(value_str(v).trim());
    let list = || {
        c.value
            .as_ref()
            .and_then(|v| v.as_array())
            .cloned()
            .unwrap_or_default()
    };
    match c.op {
        Op::Eq => c.value.as_ref().is_some_and(eq),
        Op::Ne => !c.value.as_ref().is_some_and(eq),
        Op::In => list().iter().any(eq),
        Op::NotIn => !list().iter().any(eq),
        Op::Contains => c.value.as_ref().is_some_and(|v| {
            have.to_lowercase()
                .contains(&value_str(v).trim().to_lowercase())
        }),
        Op::Gte => c
            .value
            .as_ref()
            .and_then(|v| compare(have, v))
            .is_some_and(|o| o.is_ge()),
        Op::Lte => c
            .value
            .as_ref()
            .and_then(|v| compare(have, v))
            .is_some_and(|o| o.is_le()),
        Op::Exists => {
            let want = c.value.as_ref().and_then(|v| v.as_bool()).unwrap_or(true);
            have.is_empty() != want
        }
    }
}

/// Does `lead` meet the selection criteria at `now`? Returns the reasons either way
/// (`Ok(reasons)` selected, `Err(reasons)` not).
pub fn evaluate(
    lead: &Lead,
    sel: &Selection,
    now: DateTime<Utc>,
) -> Result<Vec<String>, Vec<String>> {
    let mut yes = Vec::new();
    let mut no = Vec::new();
    if sel.statuses.iter().any(|s| s == &lead.status) {
        yes.push(format!("status {:?} is eligible", lead.status));
    } else {
        no.push(format!(
            "status {:?} is not one of {}",
            lead.status,
            sel.statuses.join(", ")
        ));
    }
    let from = now - Duration::days(i64::from(sel.created_within_days));
    match lead.created_at {
        Some(t) if t >= from && t <= now => yes.push(format!(
            "created {} (within {} days)",
            t.format("%Y-%m-%d"),
            sel.created_within_days
        )),
        Some(t) if t > now => no.push(format!("created {} is in the future", t.to_rfc3339())),
        Some(t) => no.push(format!(
            "created {} is more than {} days ago",
            t.format("%Y-%m-%d"),
            sel.created_within_days
        )),
        None if lead.created_at_raw.trim().is_empty() => no.push("no creation date".into()),
        None => no.push(format!(
            "creation date {:?} is not a time",
            lead.created_at_raw
        )),
    }
    if !sel.owners.is_empty() {
        if sel.owners.iter().any(|o| o == lead.owner.trim()) {
            yes.push(format!("owner {} is selected", lead.owner.trim()));
        } else {
            no.push(format!("owner {:?} is not selected", lead.owner.trim()));
        }
    }
    for c in &sel.conditions {
        let text = format!(
            "{} {:?}{}",
            c.field,
            c.op,
            c.value
                .as_ref()
                .map(|v| format!(" {v}"))
                .unwrap_or_default()
        );
        if condition_holds(lead, c) {
            yes.push(format!("{text} holds"));
        } else {
            no.push(format!(
                "{text} does not hold (value {:?})",
                field(lead, &c.field)
            ));
        }
    }
    if no.is_empty() { Ok(yes) } else { Err(no) }
}

/// One selection run: claim eligible new leads, then enqueue due touches.
pub async fn run(deps: &Deps, run_id: &str) -> Result<SelectReport, StageError> {
    let cfg = &deps.config;
    let now = deps.ports.clock.now();
    let mut report = SelectReport {
        run_id: run_id.to_string(),
        ..Default::default()
    };
    match cfg.state {
        AgentState::Running => {
            let from = now - Duration::days(i64::from(cfg.selection.created_within_days));
            let mut cursor = None;
            'pages: loop {
                let page = deps
                    .ports
                    .leads
                    .created_between(Stage::New, from, now, cursor, PAGE)
                    .await?;
                // A page's claims, their validate messages and run records are one commit
                // where the backend has transactions (`Queue::begin_batch`): a crash leaves
                // a lead `new` or `selected` with its message, never claimed without one.
                // Elsewhere (AWS) `sweep` re-enqueues what a crash left behind.
                deps.ports.queue.begin_batch().await?;
                let mut full = false;
                for lead in page.items {
                    if report.selected.len() >= cfg.selection.max_per_run {
                        report.note = Some(format!(
                            "stopped at selection.max_per_run = {}; the rest waits for the next run",
                            cfg.selection.max_per_run
                        ));
                        full = true;
                        break;
                    }
                    if let Err(e) = claim(deps, lead, run_id, now, &mut report).await {
                        abort_batch(deps).await;
                        return Err(e);
                    }
                }
                deps.ports.queue.end_batch().await?;
                if full {
                    break 'pages;
                }
                match page.next {
                    Some(c) => cursor = Some(c),
                    None => break,
                }
            }
        }
        AgentState::Stopped => {
            report.note = Some("the agent is stopped: no new lead is selected".into());
        }
        AgentState::Draft => {
            report.note = Some("the agent is a draft: set state = \"running\" to select".into());
        }
    }
    enqueue_due(deps, run_id, now, &mut report).await?;
    sweep(deps, run_id, now, &mut report).await?;
    Ok(report)
}

/// Send again the message of every lead that waits for it longer than [`SWEEP_AFTER`]
/// (`Lead::waiting_since`). On a backend where a write and its enqueue are not one
/// transaction (DynamoDB and SQS), a crash between the two leaves such a lead; the stage
/// handlers skip a message whose work is done, so a message sent again for a lead whose
/// first one was only slow is handled once. The sweep's own conditional write (the lead's
/// `updated_at`) is its claim: overlapping runs resend once, and a lead is resent at most
/// once per [`SWEEP_AFTER`].
pub async fn sweep(
    deps: &Deps,
    run_id: &str,
    now: DateTime<Utc>,
    report: &mut SelectReport,
) -> Result<(), StageError> {
    let stalled = deps.ports.leads.stalled(now - SWEEP_AFTER, PAGE).await?;
    for mut lead in stalled {
        let Some(since) = lead.waiting_since() else {
            continue;
        };
        let queue = match lead.stage {
            Stage::Selected => QueueName::Validate,
            Stage::Validated => QueueName::Research,
            Stage::Researched => QueueName::Outreach,
            _ => continue,
        };
        let mut step = Step::start(deps, run_id, Some(&lead.id), "select");
        step.inputs(&(&lead.id, lead.stage, since));
        let expected = Expected::of(&lead);
        match save(deps, &mut lead, expected).await {
            Ok(()) => {}
            Err(StageError::Conflict(_)) => {
                report.lost_claims += 1;
                continue;
            }
            Err(e) => return Err(e),
        }
        enqueue(deps, queue, &StageMessage::new(lead.id.clone(), run_id)).await?;
        report.resent.push(lead.id.to_string());
        step.finish(
            deps,
            "resent",
            vec![format!(
                "{} since {} with no {} message seen: sent again",
                lead.stage,
                since.to_rfc3339(),
                queue.as_str()
            )],
        )
        .await?;
    }
    Ok(())
}

/// Roll back an open batch after an error (the error is what the caller reports).
async fn abort_batch(deps: &Deps) {
    if let Err(e) = deps.ports.queue.abort_batch().await {
        tracing::error!(error = %e, "failed to roll back a selection batch");
    }
}

/// Does `lead` fall in the control group? A keyed hash (the deployment's secret and the lead
/// id) read as a number in [0, 1) below `share`: the same lead always falls in the same
/// group, and nobody without the secret can tell which leads the agent leaves alone.
pub fn in_control_group(secret: &str, lead: &LeadId, share: f64) -> bool {
    use hmac::{Hmac, KeyInit, Mac};
    if share <= 0.0 {
        return false;
    }
    let Ok(mut mac) = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()) else {
        return false;
    };
    mac.update(b"control-group\0");
    mac.update(lead.to_string().as_bytes());
    let tag = mac.finalize().into_bytes();
    let mut first = [0u8; 8];
    first.copy_from_slice(&tag[..8]);
    let x = (u64::from_be_bytes(first) >> 11) as f64 / (1u64 << 53) as f64;
    x < share
}

async fn claim(
    deps: &Deps,
    mut lead: Lead,
    run_id: &str,
    now: DateTime<Utc>,
    report: &mut SelectReport,
) -> Result<bool, StageError> {
    let reasons = match evaluate(&lead, &deps.config.selection, now) {
        Ok(r) => r,
        Err(_) => {
            report.not_eligible += 1;
            return Ok(false);
        }
    };
    let mut step = Step::start(deps, run_id, Some(&lead.id), "select");
    step.inputs(&(
        &lead.status,
        &lead.created_at,
        &lead.owner,
        &deps.config.selection,
    ));
    let expected = Expected::of(&lead);
    if transition(&mut lead, Stage::Selected).is_err() {
        return Ok(false);
    }
    lead.claimed_by = Some(run_id.to_string());
    let share = deps.config.selection.control_share;
    let control = in_control_group(&deps.secret, &lead.id, share);
    let mut reasons = reasons;
    if control {
        // The control group: the lead goes to its owner as it is, with no email, research
        // or handover notice from the agent.
        transition(&mut lead, Stage::HandedOver).map_err(StageError::permanent)?;
        lead.control = true;
        lead.reason = Some("control group: left to its owner, not contacted by the agent".into());
        reasons.push(format!(
            "control group (selection.control_share = {share}): left to its owner {:?}",
            lead.owner.trim()
        ));
    }
    crate::fault::hit("before_claim");
    match save(deps, &mut lead, expected).await {
        Ok(()) => {}
        Err(StageError::Conflict(_)) => {
            report.lost_claims += 1;
            return Ok(false);
        }
        Err(e) => return Err(e),
    }
    crate::fault::hit("after_claim");
    if control {
        report.control.push(lead.id.to_string());
        step.finish(deps, "control", reasons).await?;
        return Ok(true);
    }
    enqueue(
        deps,
        QueueName::Validate,
        &StageMessage::new(lead.id.clone(), run_id),
    )
    .await?;
    report.selected.push(lead.id.to_string());
    step.finish(deps, "selected", reasons).await?;
    Ok(true)
}

async fn enqueue_due(
    deps: &Deps,
    run_id: &str,
    now: DateTime<Utc>,
    report: &mut SelectReport,
) -> Result<(), StageError> {
    let due = deps
        .ports
        .leads
        .due_before(now, deps.config.selection.max_per_run)
        .await?;
    // Clearing the due times and sending the outreach messages is one commit where the
    // backend has transactions; elsewhere the outreach message goes first (see below).
    deps.ports.queue.begin_batch().await?;
    for lead in due {
        if let Err(e) = enqueue_one_due(deps, lead, run_id, report).await {
            abort_batch(deps).await;
            return Err(e);
        }
    }
    deps.ports.queue.end_batch().await?;
    Ok(())
}

async fn enqueue_one_due(
    deps: &Deps,
    mut lead: Lead,
    run_id: &str,
    report: &mut SelectReport,
) -> Result<(), StageError> {
    let Some(at) = lead.next_touch_at else {
        return Ok(());
    };
    if lead.stage.is_final() || lead.stage == Stage::Suppressed {
        return Ok(());
    }
    let n = lead
        .touches
        .iter()
        .filter(|t| t.kind != crate::domain::TouchKind::Answer)
        .count() as u32
        + 1;
    let mut step = Step::start(deps, run_id, Some(&lead.id), "select");
    step.inputs(&(&lead.id, at, n));
    // The message goes first: a crash before the due time is cleared leaves the touch due,
    // and the next run sends a second message for the same touch, which the outreach stage
    // skips (a touch is sent once). The other order could lose the touch for good.
    let mut msg = StageMessage::new(lead.id.clone(), run_id);
    msg.touch = Some(n);
    enqueue(deps, QueueName::Outreach, &msg).await?;
    // Clearing the due time is the claim: an overlapping run finds nothing to do (a run that
    // loses the race has sent a message for a touch the winner's message sends; it is
    // skipped).
    let expected = Expected::of(&lead);
    lead.next_touch_at = None;
    match save(deps, &mut lead, expected).await {
        Ok(()) => {}
        Err(StageError::Conflict(_)) => {
            report.lost_claims += 1;
            return Ok(());
        }
        Err(e) => return Err(e),
    }
    report.due.push(lead.id.to_string());
    step.finish(
        deps,
        "touch_due",
        vec![format!("touch {n} was due at {}", at.to_rfc3339())],
    )
    .await?;
    Ok(())
}

/// Claim and enqueue these leads now (after an import or an API create), so a new lead does
/// not wait for the schedule. Returns how many were claimed.
pub async fn enqueue_new(deps: &Deps, ids: &[LeadId], run_id: &str) -> Result<usize, StageError> {
    if deps.config.state != AgentState::Running {
        return Ok(0);
    }
    let now = deps.ports.clock.now();
    let mut report = SelectReport::default();
    for id in ids {
        if let Some(lead) = deps.ports.leads.get(id).await?
            && lead.stage == Stage::New
        {
            deps.ports.queue.begin_batch().await?;
            if let Err(e) = claim(deps, lead, run_id, now, &mut report).await {
                abort_batch(deps).await;
                return Err(e);
            }
            deps.ports.queue.end_batch().await?;
        }
    }
    Ok(report.selected.len())
}

/// What a selection run would do now, lead by lead, changing nothing.
pub async fn preview(deps: &Deps) -> Result<Vec<PreviewRow>, StageError> {
    let now = deps.ports.clock.now();
    let mut rows = Vec::new();
    let mut cursor = None;
    loop {
        let page = deps
            .ports
            .leads
            .list(
                &crate::ports::LeadFilter {
                    stage: Some(Stage::New),
                    owner: None,
                },
                cursor,
                PAGE,
            )
            .await?;
        for lead in page.items {
            let (selected, reasons) = match evaluate(&lead, &deps.config.selection, now) {
                Ok(r) => (true, r),
                Err(r) => (false, r),
            };
            rows.push(PreviewRow {
                id: lead.id.to_string(),
                selected,
                reasons,
            });
        }
        match page.next {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    rows.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Condition;

    #[test]
    fn the_control_group_is_a_keyed_stable_share() {
        let ids: Vec<LeadId> = (0..2000)
            .map(|i| LeadId::parse(&format!("L{i:04}")).unwrap())
            .collect();
        let count = |secret: &str, share: f64| {
            ids.iter()
                .filter(|id| in_control_group(secret, id, share))
                .count()
        };
        assert_eq!(count("s", 0.0), 0);
        let n = count("s", 0.1);
        assert!((150..=250).contains(&n), "{n} of 2000 at 10 %");
        // A larger share keeps every lead of the smaller one.
        assert!(
            ids.iter()
                .filter(|id| in_control_group("s", id, 0.1))
                .all(|id| in_control_group("s", id, 0.3))
        );
        // Another secret draws another group.
        let differ = ids
            .iter()
            .filter(|id| in_control_group("s", id, 0.1) != in_control_group("t", id, 0.1))
            .count();
        assert!(differ > 100, "{differ}");
    }

    fn lead(status: &str, created: &str) -> Lead {
        let mut l = Lead::new(LeadId::parse("L1").unwrap(), Utc::now());
        l.status = status.into();
        l.created_at_raw = created.into();
        l.created_at = crate::import::parse_timestamp(created);
        l.country = "GB".into();
        l.employees = "300".into();
        l
    }

    fn now() -> DateTime<Utc> {
        crate::import::parse_timestamp("2026-11-21T00:00:00Z").unwrap()
    }

    #[test]
    fn the_window_is_inclusive_at_both_ends() {
        let sel = Selection::default();
        assert!(evaluate(&lead("open", "2026-11-07T00:00:00Z"), &sel, now()).is_ok());
        assert!(evaluate(&lead("open", "2026-11-21T00:00:00.000Z"), &sel, now()).is_ok());
        assert!(evaluate(&lead("open", "2026-11-06T23:59:59.999Z"), &sel, now()).is_err());
        assert!(evaluate(&lead("open", "2026-11-21T00:00:00.001Z"), &sel, now()).is_err());
        assert!(evaluate(&lead("open", ""), &sel, now()).is_err());
    }

    #[test]
    fn status_must_match_exactly() {
        let sel = Selection::default();
        assert!(evaluate(&lead("Open", "2026-11-10T00:00:00Z"), &sel, now()).is_err());
        assert!(evaluate(&lead("qualified", "2026-11-10T00:00:00Z"), &sel, now()).is_err());
    }

    #[test]
    fn conditions_of_every_operator_are_applied() {
        let l = lead("open", "2026-11-10T00:00:00Z");
        let cond = |field: &str, op: Op, value: serde_json::Value| Condition {
            field: field.into(),
            op,
            value: Some(value),
        };
        let cases = [
            (cond("country", Op::Eq, "gb".into()), true),
            (cond("country", Op::Ne, "GB".into()), false),
            (
                cond("country", Op::In, serde_json::json!(["US", "GB"])),
                true,
            ),
            (cond("country", Op::NotIn, serde_json::json!(["GB"])), false),
            (cond("employees", Op::Gte, 200.into()), true),
            (cond("employees", Op::Lte, 200.into()), false),
            (cond("country", Op::Contains, "b".into()), true),
            (cond("owner", Op::Exists, true.into()), false),
            (cond("owner", Op::Exists, false.into()), true),
        ];
        for (c, want) in cases {
            let sel = Selection {
                conditions: vec![c.clone()],
                ..Default::default()
            };
            assert_eq!(evaluate(&l, &sel, now()).is_ok(), want, "{c:?}");
        }
    }
}
