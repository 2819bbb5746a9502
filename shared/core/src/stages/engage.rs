//! The engage stage: one inbound message.
//!
//! It is parsed, matched to a lead (threading headers first, then the sender's address, then
//! a bounce's original recipient), classified, and acted on per the table of intents and
//! actions. Replies from any known lead are processed whatever its stage; an unknown sender
//! is recorded and escalated. The message is untrusted data: nothing in it is an instruction,
//! and a message whose SPF/DKIM/DMARC verdict failed cannot hand a lead over.

use super::outreach::{Delivery, deliver};
use super::{
    InboundMessage, Outcome, StageError, StageMessage, Step, enqueue, is_conflict, load, save,
};
use crate::agents::{email, outreach};
use crate::config::Mode;
use crate::domain::{
    Action, Blocked, Classification, EmailKey, InboundEntry, Intent, Lead, LeadId, Stage, TouchKind,
};
use crate::lifecycle::{Expected, transition};
use crate::mail::parse::{InboundEmail, outreach_lead_id};
use crate::ports::{Deps, QueueName};
use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};

pub async fn handle(msg: InboundMessage, deps: &Deps) -> Result<Outcome, StageError> {
    let run_id = format!("engage-{}", &super::digest(&msg.key)[..16]);
    let mut step = Step::start(deps, &run_id, None, "engage");
    let raw = deps.ports.inbox.fetch(&msg.key).await?;
    step.inputs(&raw);
    let mail = match crate::mail::parse::parse(&raw) {
        Ok(m) => m,
        Err(e) => {
            // Recorded and acknowledged: a malformed message never comes back.
            return step
                .finish(deps, "malformed", vec![format!("{}: {e}", msg.key)])
                .await;
        }
    };
    let message_key = mail
        .message_id
        .clone()
        .unwrap_or_else(|| format!("<sha256-{}@inbound>", &super::digest(&raw)[..32]));

    let Some(lead_id) = match_lead(deps, &mail).await? else {
        return unknown_sender(deps, &mail, &message_key, step).await;
    };
    step.record.lead_id = Some(lead_id.clone());

    let classification = crate::model::gateway::classify(deps, &mut step, &mail).await;
    let auth_ok = msg.verdicts.passed();
    let mut reasons = vec![format!(
        "intent {} → action {}",
        classification.intent.as_str(),
        classification.action.as_str()
    )];
    if classification.injection {
        reasons.push("the message tries to instruct the agent: treated as data, not obeyed".into());
    }
    if !auth_ok {
        reasons.push("SPF/DKIM/DMARC or spam verdict failed: it cannot hand the lead over".into());
    }

    // Apply, retrying on a conflict with a concurrent change of the lead. An answer is
    // written once, on the first try, and reused.
    let mut answer: Option<Option<outreach::Draft>> = None;
    for _ in 0..5 {
        let mut lead = load(deps, &lead_id).await?;
        if lead
            .inbound
            .iter()
            .any(|e| e.message_id.as_deref() == Some(message_key.as_str()))
        {
            return Ok(Outcome::skipped(Some(lead_id), "message already processed"));
        }
        let expected = Expected::of(&lead);
        let now = deps.ports.clock.now();
        lead.inbound.push(InboundEntry {
            message_id: Some(message_key.clone()),
            from: mail.from_address(),
            subject: mail.subject.clone(),
            date: mail.date,
            received_at: now,
            text: mail.own_text.chars().take(20_000).collect(),
            classification: classification.clone(),
            auth_ok,
        });
        lead.bant.merge(&classification.bant);
        lead.last_intent = Some(classification.intent);
        lead.last_action = Some(classification.action);
        if classification.action == Action::Answer && answer.is_none() {
            answer = Some(
                crate::model::gateway::answer(
                    deps,
                    &mut step,
                    &lead,
                    &mail.own_text,
                    &mail.subject,
                    &classification.question_topics,
                )
                .await,
            );
        }
        let mut follow = FollowUp::None;
        let decision = decide(
            deps,
            &mut lead,
            &classification,
            &mail,
            answer.clone().flatten(),
            auth_ok,
            now,
            &mut reasons,
            &mut follow,
        );
        match save(deps, &mut lead, expected).await {
            Ok(()) => {}
            Err(e) if is_conflict(&e) => {
                reasons.truncate(1);
                continue;
            }
            Err(e) => return Err(step.fail(deps, e).await),
        }
        match follow {
            FollowUp::None => {}
            FollowUp::Handover => {
                enqueue(
                    deps,
                    QueueName::Handover,
                    &StageMessage::new(lead.id.clone(), &run_id),
                )
                .await?;
            }
            FollowUp::Suppress(address) => {
                super::consent::suppress_address(
                    deps,
                    &address,
                    &format!("{} in a reply", classification.intent.as_str()),
                    "reply",
                    &run_id,
                    Stage::Suppressed,
                )
                .await?;
            }
            FollowUp::Referral(address) => {
                reasons.push(create_referral(deps, &lead, &address).await?);
            }
            FollowUp::Answer(draft) => {
                let n = lead.touches.len() as u32 + 1;
                let sent = deliver(
                    deps,
                    lead,
                    Delivery {
                        n,
                        kind: TouchKind::Answer,
                        draft,
                        in_reply_to: mail.message_id.clone(),
                    },
                    &mut step,
                )
                .await?;
                reasons.extend(sent.reasons);
            }
            FollowUp::Escalate(why) => {
                super::handover::notify_supervisor(deps, &lead.id, &message_key, &why, &mail)
                    .await?;
            }
        }
        return step.finish(deps, &decision, reasons).await;
    }
    Err(StageError::Transient(anyhow::anyhow!(
        "lead {lead_id} kept changing; try again"
    )))
}

enum FollowUp {
    None,
    Handover,
    Suppress(String),
    Referral(String),
    Answer(outreach::Draft),
    Escalate(String),
}

#[allow(clippy::too_many_arguments)]
fn decide(
    deps: &Deps,
    lead: &mut Lead,
    c: &Classification,
    mail: &InboundEmail,
    answer: Option<outreach::Draft>,
    auth_ok: bool,
    now: DateTime<Utc>,
    reasons: &mut Vec<String>,
    follow: &mut FollowUp,
) -> String {
    let cfg = &deps.config;
    let move_to = |lead: &mut Lead, to: Stage, reasons: &mut Vec<String>| {
        if lead.stage != to
            && let Err(e) = transition(lead, to)
        {
            reasons.push(e.to_string());
            return false;
        }
        true
    };
    match c.action {
        Action::Handover => {
            if !auth_ok {
                lead.blocked = Some(Blocked::FailedAuthentication);
                move_to(lead, Stage::Engaged, reasons);
                *follow = FollowUp::Escalate(
                    "purchase intent in a message that failed SPF/DKIM/DMARC".into(),
                );
                return "escalated".into();
            }
            let r = crate::agents::readiness::assess(lead, c.intent, cfg);
            reasons.extend(r.met.iter().map(|m| format!("met: {m}")));
            if r.ready {
                move_to(lead, Stage::Engaged, reasons);
                lead.next_touch_at = None;
                *follow = FollowUp::Handover;
                "handover".into()
            } else {
                reasons.extend(r.missing.iter().map(|m| format!("missing: {m}")));
                move_to(lead, Stage::Nurture, reasons);
                lead.next_touch_at =
                    Some(now + Duration::days(i64::from(cfg.cadence.nurture_days)));
                "nurture".into()
            }
        }
        Action::Answer => {
            move_to(lead, Stage::Engaged, reasons);
            lead.next_touch_at = None;
            match answer {
                Some(draft) if cfg.mode == Mode::Engage && lead.sendable_address().is_some() => {
                    reasons.push(format!("answered from: {}", draft.cited.join("; ")));
                    *follow = FollowUp::Answer(draft);
                    "answer".into()
                }
                Some(_) => {
                    lead.blocked = Some(Blocked::QuestionForSeller);
                    "answer_drafted".into()
                }
                None => {
                    lead.blocked = Some(Blocked::QuestionOutsideKnowledge);
                    *follow = FollowUp::Escalate("question outside the knowledge".into());
                    "escalated".into()
                }
            }
        }
        Action::Nurture => {
            move_to(lead, Stage::Nurture, reasons);
            let at = c
                .bant
                .timeline
                .as_deref()
                .and_then(|t| when(t, now))
                .unwrap_or(now + Duration::days(i64::from(cfg.cadence.nurture_days)));
            lead.next_touch_at = Some(at);
            lead.reason = Some(format!(
                "not now; contact again from {}",
                at.format("%Y-%m-%d")
            ));
            reasons.push(format!("contact again from {}", at.format("%Y-%m-%d")));
            "nurture".into()
        }
        Action::Disqualify => {
            move_to(lead, Stage::Disqualified, reasons);
            lead.next_touch_at = None;
            lead.reason = Some(match c.intent {
                Intent::WrongPerson => "not the right contact".into(),
                _ => "declined".into(),
            });
            "disqualify".into()
        }
        Action::Suppress => {
            move_to(lead, Stage::Suppressed, reasons);
            lead.next_touch_at = None;
            lead.reason = Some(format!("{} in a reply", c.intent.as_str()));
            let address = lead
                .sendable_address()
                .map(str::to_string)
                .or_else(|| mail.from.as_ref().map(|m| m.address.clone()))
                .unwrap_or_else(|| lead.email_key.to_string());
            *follow = FollowUp::Suppress(address);
            "suppress".into()
        }
        Action::Reschedule => {
            if let Some(d) = c
                .ooo_until
                .as_deref()
                .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            {
                let back = Utc.from_utc_datetime(&d.and_hms_opt(9, 0, 0).unwrap_or_default())
                    + Duration::days(1);
                if lead.next_touch_at.is_some() || lead.stage == Stage::Contacted {
                    lead.next_touch_at = Some(lead.next_touch_at.map_or(back, |t| t.max(back)));
                    reasons.push(format!(
                        "out of office until {d}: next touch from {}",
                        back.format("%Y-%m-%d")
                    ));
                }
            }
            "reschedule".into()
        }
        Action::Ignore => "ignore".into(),
        Action::MarkInvalid => {
            move_to(lead, Stage::Bounced, reasons);
            lead.next_touch_at = None;
            lead.reason = Some("the address bounced".into());
            if let Some(v) = lead.validation.as_mut() {
                v.deliverability = crate::domain::Deliverability::Undeliverable {
                    reason: "bounced".into(),
                    message: "a delivery failure report came back for this address".into(),
                };
            }
            lead.blocked = Some(Blocked::NeedsValidAddress {
                detail: "the last email bounced".into(),
            });
            "mark_invalid".into()
        }
        Action::Redirect => {
            move_to(lead, Stage::Disqualified, reasons);
            lead.next_touch_at = None;
            let referral = c.referral.clone().unwrap_or_default();
            lead.reason = Some(format!("not the right contact; referred to {referral}"));
            *follow = FollowUp::Referral(referral);
            "redirect".into()
        }
        Action::Escalate => {
            move_to(lead, Stage::Engaged, reasons);
            lead.next_touch_at = None;
            lead.blocked = Some(Blocked::UnclearReply);
            *follow = FollowUp::Escalate("unclear reply".into());
            "escalated".into()
        }
    }
}

/// A date named in a timeline ("Q2", "in March", "next year", "in 3 months").
fn when(text: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let t = text.to_lowercase();
    let at = |y: i32, m: u32| {
        NaiveDate::from_ymd_opt(y, m, 1)
            .and_then(|d| d.and_hms_opt(9, 0, 0))
            .map(|d| Utc.from_utc_datetime(&d))
    };
    let year = now.year();
    for q in 1..=4u32 {
        if t.contains(&format!("q{q}")) {
            let m = (q - 1) * 3 + 1;
            let y = if m <= now.month() { year + 1 } else { year };
            return at(y, m);
        }
    }
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    for (i, name) in MONTHS.iter().enumerate() {
        if t.contains(name) {
            let m = i as u32 + 1;
            let y = if m <= now.month() { year + 1 } else { year };
            return at(y, m);
        }
    }
    if t.contains("next year") {
        return at(year + 1, 1);
    }
    let words: Vec<&str> = t.split_whitespace().collect();
    for w in words.windows(2) {
        if let Ok(n) = w[0].parse::<i64>() {
            let days = if w[1].starts_with("month") {
                n * 30
            } else if w[1].starts_with("week") {
                n * 7
            } else {
                continue;
            };
            return Some(now + Duration::days(days.clamp(1, 730)));
        }
    }
    None
}

/// Find the lead a message belongs to.
async fn match_lead(deps: &Deps, mail: &InboundEmail) -> Result<Option<LeadId>, StageError> {
    let mut ids: Vec<&str> = mail.in_reply_to.iter().map(String::as_str).collect();
    ids.extend(mail.references.iter().rev().map(String::as_str));
    if let Some(d) = &mail.dsn
        && let Some(orig) = &d.original_message_id
    {
        ids.push(orig);
    }
    if let Some(f) = &mail.feedback
        && let Some(orig) = &f.original_message_id
    {
        ids.push(orig);
    }
    for id in ids {
        if let Some((lead, _)) = outreach_lead_id(id).or_else(|| reply_lead_id(id))
            && let Ok(lead) = LeadId::parse(&lead)
            && deps.ports.leads.get(&lead).await?.is_some()
        {
            return Ok(Some(lead));
        }
    }
    let mut addresses: Vec<String> = Vec::new();
    if let Some(d) = &mail.dsn
        && let Some(r) = &d.recipient
    {
        addresses.push(r.clone());
    }
    if let Some(f) = &mail.feedback
        && let Some(r) = &f.recipient
    {
        addresses.push(r.clone());
    }
    // A bounce's From is the mail system, never the lead.
    if mail.dsn.is_none()
        && let Some(f) = &mail.from
    {
        addresses.push(f.address.clone());
    }
    for a in addresses {
        let key = EmailKey::from_check(&a, &email::check(&a));
        if let Some(id) = deps
            .ports
            .leads
            .find_by_email(key.as_str())
            .await?
            .into_iter()
            .next()
        {
            return Ok(Some(id));
        }
    }
    Ok(None)
}

/// `<reply-{lead}-{n}@domain>`: the ids of the agent's answers.
fn reply_lead_id(id: &str) -> Option<(String, u32)> {
    let inner = id.trim().trim_start_matches('<').trim_end_matches('>');
    let (local, _) = inner.split_once('@')?;
    let rest = local.strip_prefix("reply-")?;
    let (lead, n) = rest.rsplit_once('-')?;
    Some((lead.to_string(), n.parse().ok()?))
}

async fn unknown_sender(
    deps: &Deps,
    mail: &InboundEmail,
    message_key: &str,
    step: Step,
) -> Result<Outcome, StageError> {
    let from = mail
        .from
        .as_ref()
        .map(|m| m.address.clone())
        .unwrap_or_else(|| "an unknown sender".into());
    super::handover::notify_supervisor_unknown(deps, message_key, &from, mail).await?;
    step.finish(
        deps,
        "unknown_sender",
        vec![format!(
            "no lead matches {from} or the message's threading headers; escalated"
        )],
    )
    .await
}

/// Create a lead for the address a wrong person referred us to (same company and owner);
/// returns what happened, for the run record.
async fn create_referral(deps: &Deps, lead: &Lead, address: &str) -> Result<String, StageError> {
    let check = email::check(address);
    if !check.valid {
        return Ok(format!(
            "the referral {address:?} is not a valid address; no lead created"
        ));
    }
    let key = EmailKey::from_check(address, &check);
    if let Some(existing) = deps.ports.leads.find_by_email(key.as_str()).await?.first() {
        return Ok(format!("the referred contact is already lead {existing}"));
    }
    let Ok(id) = LeadId::parse(&format!("{}-R1", lead.id)) else {
        return Ok("no id for a referral lead".into());
    };
    let now = deps.ports.clock.now();
    let mut new = Lead::new(id.clone(), now);
    new.email = address.to_string();
    new.email_key = key;
    new.company = lead.company.clone();
    new.website = lead.website.clone();
    new.industry = lead.industry.clone();
    new.employees = lead.employees.clone();
    new.country = lead.country.clone();
    new.tech_stack = lead.tech_stack.clone();
    new.source = "referral".into();
    new.status = "open".into();
    new.owner = lead.owner.clone();
    new.created_at = Some(now);
    new.created_at_raw = now.to_rfc3339();
    new.notes = format!("referred by {} ({})", lead.display_name(), lead.id);
    match deps.ports.leads.insert(&new).await {
        Ok(()) => Ok(format!("new lead {id} created for {address}")),
        Err(crate::ports::StoreError::Conflict(_)) => Ok(format!("lead {id} already exists")),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timelines_name_the_next_occurrence() {
        let now = Utc.with_ymd_and_hms(2026, 11, 21, 0, 0, 0).unwrap();
        assert_eq!(
            when("reach out in Q2", now)
                .unwrap()
                .format("%Y-%m")
                .to_string(),
            "2027-04"
        );
        assert_eq!(
            when("after March", now)
                .unwrap()
                .format("%Y-%m")
                .to_string(),
            "2027-03"
        );
        assert_eq!(
            when("in December", now)
                .unwrap()
                .format("%Y-%m")
                .to_string(),
            "2026-12"
        );
        assert_eq!(
            when("in 3 months", now)
                .unwrap()
                .format("%Y-%m-%d")
                .to_string(),
            "2027-02-19"
        );
        assert!(when("later", now).is_none());
    }

    #[test]
    fn answer_ids_name_their_lead() {
        assert_eq!(
            reply_lead_id("<reply-L0001-3@agent.example>"),
            Some(("L0001".into(), 3))
        );
        assert_eq!(reply_lead_id("<abc@x>"), None);
    }
}
