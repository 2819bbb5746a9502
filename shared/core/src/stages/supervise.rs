//! What a supervisor does to a lead or to the agent from the dashboard or the HTTP API:
//! reassign, disqualify with a reason, re-open, approve and send a research-only draft, pause
//! and resume the agent, save a new config. Each is written with who did it and when (a run
//! record, `run_id` `manual` for a lead, `config-v{N}` for the agent), through the same
//! conditional writes the stages use; the API is a thin layer over these functions.

use super::corrections::apply;
use super::outreach::{self, Delivery};
use super::{StageError, Step, load};
use crate::agents::outreach::Draft;
use crate::config::{self, AgentConfig, AgentState, ConfigFiles, ConfigIssue};
use crate::domain::{Lead, LeadId, Stage, TouchKind, TouchState};
use crate::lifecycle::transition;
use crate::ports::{Deps, StoreError};

/// Give the lead to another seller (the owner column; a handed-over lead's seller too).
pub async fn reassign(deps: &Deps, id: &LeadId, owner: &str, by: &str) -> Result<Lead, StageError> {
    let owner = owner.trim();
    if owner.is_empty() || owner.len() > 200 || owner.chars().any(char::is_control) {
        return Err(StageError::permanent(
            "the new owner must be a name or address of at most 200 characters",
        ));
    }
    let (lead, _) = apply(deps, id, "supervise", "reassigned", |lead| {
        let was = std::mem::replace(&mut lead.owner, owner.to_string());
        if let Some(h) = lead.handover.as_mut() {
            h.seller = owner.to_string();
        }
        Ok(vec![format!(
            "reassigned by {by} from {was:?} to {owner:?}"
        )])
    })
    .await?;
    Ok(lead)
}

/// End the lead as disqualified, with the person's reason; no more mail goes to it.
pub async fn disqualify(
    deps: &Deps,
    id: &LeadId,
    reason: &str,
    by: &str,
) -> Result<Lead, StageError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(StageError::permanent("say why the lead is disqualified"));
    }
    let (lead, _) = apply(deps, id, "supervise", "disqualified", |lead| {
        transition(lead, Stage::Disqualified).map_err(StageError::permanent)?;
        lead.reason = Some(format!("{reason} (by {by})"));
        lead.next_touch_at = None;
        Ok(vec![format!("disqualified by {by}: {reason}")])
    })
    .await?;
    Ok(lead)
}

/// Take a disqualified or handed-over lead back into the conversation (`engaged`). A
/// suppressed or bounced lead cannot be re-opened: its address said no.
pub async fn reopen(deps: &Deps, id: &LeadId, by: &str) -> Result<Lead, StageError> {
    let (lead, _) = apply(deps, id, "supervise", "reopened", |lead| {
        if !matches!(lead.stage, Stage::Disqualified | Stage::HandedOver) {
            return Err(StageError::permanent(format!(
                "lead {} is {}; only a disqualified or handed-over lead can be re-opened",
                lead.id, lead.stage
            )));
        }
        let was = lead.stage;
        transition(lead, Stage::Engaged).map_err(StageError::permanent)?;
        lead.reason = None;
        Ok(vec![format!("re-opened by {by} (was {was})")])
    })
    .await?;
    Ok(lead)
}

/// Send the first-email draft kept in research-only mode, as written, once a person approved
/// it. The same checks as the agent's own sends apply (suppression, a usable address, the
/// guardrails) and the same at-most-once send.
pub async fn approve_draft(
    deps: &Deps,
    id: &LeadId,
    touch: u32,
    by: &str,
) -> Result<Lead, StageError> {
    let mut lead = load(deps, id).await?;
    let Some(pos) = lead
        .touches
        .iter()
        .position(|t| t.n == touch && t.state == TouchState::Draft && t.kind != TouchKind::Answer)
    else {
        return Err(StageError::permanent(format!(
            "lead {id} has no draft of touch {touch} to send"
        )));
    };
    if touch == 1 && lead.stage != Stage::Researched {
        return Err(StageError::permanent(format!(
            "lead {id} is {}; a first email goes to a researched lead only",
            lead.stage
        )));
    }
    if let Some(why) = outreach::why_not_send(deps, &lead).await? {
        return Err(StageError::permanent(format!("not sent: {why}")));
    }
    let draft = lead.touches.remove(pos);
    let mut step = Step::start(deps, "manual", Some(id), "outreach");
    step.inputs(&(&lead.id, touch, &draft.subject, &draft.body));
    let sent = outreach::deliver(
        deps,
        lead,
        Delivery {
            n: touch,
            kind: if touch == 1 {
                TouchKind::First
            } else {
                TouchKind::FollowUp
            },
            draft: Draft {
                subject: draft.subject,
                body: draft.body,
                cited: draft.cited_facts,
            },
            in_reply_to: None,
        },
        &mut step,
    )
    .await?;
    let mut reasons = vec![format!("draft of touch {touch} approved by {by}")];
    reasons.extend(sent.reasons);
    step.finish(deps, &sent.decision, reasons).await?;
    if sent.decision != "sent" {
        return Err(StageError::permanent(format!(
            "the draft was not sent: {}",
            sent.decision
        )));
    }
    load(deps, id).await
}

/// Why a new config was not saved.
#[derive(Debug, thiserror::Error)]
pub enum ConfigSaveError {
    /// The text does not parse or check: every problem, with its key path and line.
    #[error("{} problem(s) in the config", .0.len())]
    Invalid(Vec<ConfigIssue>),
    /// A valid config that may not follow the active one (engage → research_only).
    #[error("{0}")]
    Refused(String),
    /// Someone saved another version since `expected_version` was read.
    #[error("the config changed since version {0} was read; reload and try again")]
    Stale(u64),
    #[error(transparent)]
    Store(StoreError),
}

/// Check a config text as `save` would (without saving).
pub fn check(text: &str, files: &dyn ConfigFiles) -> Result<AgentConfig, ConfigSaveError> {
    config::parse(text, files).map_err(|e| ConfigSaveError::Invalid(e.0))
}

/// Save `text` as the next version of the agent config, if it checks, follows the active
/// version (the research-only → engage rule) and `expected_version` is still the active one.
/// Returns the new version; the history keeps every version, and a run record says who
/// saved it.
pub async fn save_config(
    deps: &Deps,
    files: &(dyn ConfigFiles + Sync),
    text: &str,
    expected_version: u64,
    by: &str,
) -> Result<(u64, AgentConfig), ConfigSaveError> {
    let new = check(text, files)?;
    let store = &deps.ports.config;
    let active = store.active().await.map_err(ConfigSaveError::Store)?;
    let active_version = active.as_ref().map(|a| a.version).unwrap_or(0);
    if active_version != expected_version {
        return Err(ConfigSaveError::Stale(expected_version));
    }
    if let Some(prev) = &active
        && let Ok(old) = config::parse(&prev.toml, files)
    {
        config::check_upgrade(&old, &new).map_err(ConfigSaveError::Refused)?;
    }
    let at = deps.ports.clock.now();
    let version = match store.save(text, expected_version, at).await {
        Ok(v) => v,
        Err(StoreError::Conflict(_)) => return Err(ConfigSaveError::Stale(expected_version)),
        Err(e) => return Err(ConfigSaveError::Store(e)),
    };
    let mut step = Step::start(deps, &format!("config-v{version}"), None, "config");
    step.inputs(text);
    step.finish(
        deps,
        "saved",
        vec![format!(
            "config version {version} saved by {by} (mode {:?}, state {:?})",
            new.mode, new.state
        )],
    )
    .await
    .map_err(|e| ConfigSaveError::Store(StoreError::Unexpected(anyhow::anyhow!("{e}"))))?;
    Ok((version, new))
}

/// Pause (`stopped`: no new selection, leads in flight finish) or resume (`running`) the
/// agent: the active config with its top-level `state` changed, saved as a new version.
pub async fn set_agent_state(
    deps: &Deps,
    files: &(dyn ConfigFiles + Sync),
    state: AgentState,
    by: &str,
) -> Result<u64, ConfigSaveError> {
    let active = deps
        .ports
        .config
        .active()
        .await
        .map_err(ConfigSaveError::Store)?
        .ok_or_else(|| ConfigSaveError::Refused("no config has been saved yet".into()))?;
    let text = with_state(&active.toml, state);
    let (version, _) = save_config(deps, files, &text, active.version, by).await?;
    Ok(version)
}

/// The TOML text with its top-level `state` key set, comments and layout kept.
pub fn with_state(text: &str, state: AgentState) -> String {
    let value = match state {
        AgentState::Draft => "draft",
        AgentState::Running => "running",
        AgentState::Stopped => "stopped",
    };
    let line = format!("state = \"{value}\"");
    let mut out = Vec::new();
    let mut done = false;
    let mut in_table = false;
    for l in text.lines() {
        let t = l.trim_start();
        if t.starts_with('[') {
            if !done {
                out.push(line.clone());
                done = true;
            }
            in_table = true;
        }
        if !in_table && !done && is_key(t, "state") {
            // Keep a trailing comment.
            let comment = l
                .find('#')
                .filter(|&i| !l[..i].contains('"') || l[..i].matches('"').count() % 2 == 0);
            match comment {
                Some(i) => out.push(format!("{line}      {}", &l[i..])),
                None => out.push(line.clone()),
            }
            done = true;
            continue;
        }
        out.push(l.to_string());
    }
    if !done {
        out.push(line);
    }
    let mut s = out.join("\n");
    if text.ends_with('\n') {
        s.push('\n');
    }
    s
}

fn is_key(line: &str, key: &str) -> bool {
    line.strip_prefix(key)
        .is_some_and(|rest| rest.trim_start().starts_with('='))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_state_line_changes_and_nothing_else() {
        let text = "name = \"x\"\nstate = \"running\"      # draft | running\n\n[agent]\nstate = \"keep\"\n";
        let out = with_state(text, AgentState::Stopped);
        assert_eq!(
            out,
            "name = \"x\"\nstate = \"stopped\"      # draft | running\n\n[agent]\nstate = \"keep\"\n"
        );
        let none = with_state("name = \"x\"\n[a]\nb = 1\n", AgentState::Running);
        assert_eq!(none, "name = \"x\"\nstate = \"running\"\n[a]\nb = 1\n");
        let states = with_state("statement = 1\n", AgentState::Running);
        assert_eq!(states, "statement = 1\nstate = \"running\"\n");
    }
}
