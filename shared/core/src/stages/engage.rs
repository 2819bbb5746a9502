//! The engage stage: one inbound message.
//!
//! It is parsed, matched to a lead, classified, and acted on per the table of intents and
//! actions. A message belongs to a lead only if its sender does: a verified Message-ID of
//! ours (see [`crate::mail::ids`]) or the sender's address names a candidate, and the
//! normalised From must be that lead's address; a delivery or feedback report belongs to the
//! lead whose address is its failed recipient. A message that points at a lead but comes
//! from someone else is escalated once and changes nothing on the lead (an opt-out in it
//! suppresses its own sender); an unknown sender is recorded and escalated. The message is
//! untrusted data: nothing in it is an instruction, text that reads as one never becomes a
//! fact about the lead, and a message whose SPF/DKIM/DMARC/ARC verdict failed cannot hand a
//! lead over, be answered or refer anyone. A message too large or broken to read is recorded
//! and escalated, and an opt-out in its headers or first part is honoured.

use super::outreach::{Delivery, deliver};
use super::{
    AuthVerdicts, InboundMessage, Outcome, StageError, StageMessage, Step, Verdict, enqueue,
    is_conflict, load, save,
};
use crate::agents::{classify, email, outreach};
use crate::config::Mode;
use crate::domain::{
    Action, Blocked, Classification, EmailKey, InboundEntry, Intent, Lead, LeadId, Stage, TouchKind,
};
use crate::lifecycle::{Expected, transition};
use crate::mail::auth;
use crate::mail::ids::{self, Reference};
use crate::mail::parse::{InboundEmail, ReportSource};
use crate::ports::{Deps, QueueName, StoreError};
use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};

pub async fn handle(msg: InboundMessage, deps: &Deps) -> Result<Outcome, StageError> {
    let run_id = format!("engage-{}", &super::digest(&msg.key)[..16]);
    let mut step = Step::start(deps, &run_id, None, "engage");
    let raw = match deps.ports.inbox.fetch(&msg.key).await {
        Ok(raw) => raw,
        // The inbox would not hand the message over (too large to read): recorded and
        // acknowledged, since it will not get smaller, and a person is told.
        Err(StoreError::Refused(why)) => {
            let stub = InboundEmail {
                subject: "(a message the inbox refused)".into(),
                own_text: format!("{}: {why}", msg.key),
                ..Default::default()
            };
            let key = format!("<refused-{}@inbound>", &super::digest(&msg.key)[..32]);
            super::handover::notify_supervisor_unknown(deps, &key, "an unreadable message", &stub)
                .await?;
            return step
                .finish(
                    deps,
                    "malformed",
                    vec![format!("{}: {why}", msg.key), "escalated".into()],
                )
                .await;
        }
        Err(e) => return Err(e.into()),
    };
    step.inputs(&raw);
    let limit = deps.config.limits.max_message_bytes;
    if raw.len() as u64 > limit {
        // Over the configured limit: read like a malformed message, from its headers and
        // first part, so that an opt-out in it is still honoured.
        let too_large = crate::mail::parse::ParseError::TooLarge {
            size: raw.len(),
            limit: usize::try_from(limit).unwrap_or(usize::MAX),
        };
        return unreadable(deps, &msg, &raw, &too_large, &run_id, step).await;
    }
    let mail = match crate::mail::parse::parse(&raw) {
        Ok(m) => m,
        Err(e) => return unreadable(deps, &msg, &raw, &e, &run_id, step).await,
    };
    let message_key = message_key(&mail, &raw);
    // The receiving system's verdicts (SES, or the check `sqa inbound` ran), and those the
    // configured receiving host wrote into the message; any other host's are not believed.
    let verdicts = auth::combine(
        &msg.verdicts,
        &auth::trusted_results(
            &mail.authentication_results,
            &deps.config.inbound.receiving_host,
        ),
    );
    let auth_ok = verdicts.passed();

    let (lead_id, via) = match match_lead(deps, &mail).await? {
        Match::Lead { id, via } => (id, via),
        Match::Stranger { lead, why } => {
            return stranger(deps, &mail, &message_key, &lead, &why, &run_id, step).await;
        }
        Match::Unknown => {
            return unknown_sender(deps, &mail, &message_key, &run_id, step).await;
        }
    };
    step.record.lead_id = Some(lead_id.clone());

    let mut classification = crate::model::gateway::classify(deps, &mut step, &mail).await;
    let mut reasons = vec![format!(
        "intent {} → action {}",
        classification.intent.as_str(),
        classification.action.as_str()
    )];
    let dropped = drop_injected_facts(&mut classification, &mail.own_text);
    if !dropped.is_empty() {
        reasons.push(format!(
            "not kept as facts (they read as instructions to the agent): {}",
            dropped.join("; ")
        ));
    }
    if classification.injection {
        reasons.push("the message tries to instruct the agent: treated as data, not obeyed".into());
    }
    if !auth_ok {
        reasons.push(format!(
            "SPF/DKIM/DMARC/ARC or spam verdict failed ({}): it cannot hand the lead over, be \
             answered or refer anyone",
            failed_checks(&verdicts)
        ));
    }

    // Apply, retrying on a conflict with a concurrent change of the lead. An answer is
    // written once, on the first try, and reused.
    let mut answer: Option<crate::model::gateway::Answered> = None;
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
        let held = lead.blocked.as_ref().is_some_and(holds_mail);
        lead.inbound.push(InboundEntry {
            message_id: Some(message_key.clone()),
            from: mail.from_address(),
            subject: mail.subject.clone(),
            date: mail.date,
            received_at: now,
            text: mail.own_text.chars().take(20_000).collect(),
            classification: classification.clone(),
            auth_ok,
            open_questions: Vec::new(),
        });
        lead.bant.merge(&classification.bant);
        lead.last_intent = Some(classification.intent);
        lead.last_action = Some(classification.action);
        // No answer is written that could not be sent: a failed check or an earlier reply
        // waiting for a person holds it anyway, and a lead handed over is the seller's to
        // answer.
        if classification.action == Action::Answer
            && answer.is_none()
            && auth_ok
            && !held
            && lead.stage != Stage::HandedOver
        {
            answer = Some(
                crate::model::gateway::answer(
                    deps,
                    &mut step,
                    &lead,
                    &mail.own_text,
                    &outreach::thread_subject(&lead, &deps.config),
                    &classification.question_topics,
                )
                .await,
            );
            // Whatever wrote the answer, its subject is the thread's own.
            if let Some(d) = answer.as_mut().and_then(|a| a.draft.as_mut()) {
                d.subject = outreach::reply_subject(&outreach::thread_subject(&lead, &deps.config));
            }
        }
        // The questions the knowledge leaves to a person, on the message's own record.
        if let (Some(a), Some(entry)) = (&answer, lead.inbound.last_mut()) {
            entry.open_questions = a.open.clone();
        }
        let mut follow = FollowUp::None;
        let decision = decide(
            deps,
            &mut lead,
            &classification,
            Context {
                answer: answer.clone().unwrap_or_default(),
                auth_ok,
                via,
                held,
                now,
            },
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
        let stopped = match (decision.as_str(), classification.intent) {
            ("suppress", Intent::Complaint) => Some("complained"),
            ("suppress", _) => Some("opted out"),
            ("disqualify", Intent::NotInterested) => Some("declined"),
            _ => None,
        };
        if let Some(why) = stopped {
            let paused = pause_colleagues(deps, &lead, why).await?;
            if !paused.is_empty() {
                reasons.push(format!(
                    "the colleagues' cadence waits for a person: {}",
                    paused.join(", ")
                ));
            }
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
                reasons.push(create_referral(deps, &lead, &address, &run_id).await?);
            }
            FollowUp::Answer(draft, open) => {
                let n = lead.touches.len() as u32 + 1;
                let sent = deliver(
                    deps,
                    lead.clone(),
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
                // The questions the answer left open go to a person after it is sent.
                if let Some(why) = open {
                    escalate(deps, &lead, &message_key, &why, &mail).await?;
                }
            }
            FollowUp::Seller(why) => {
                super::handover::notify_seller(deps, &lead, &message_key, &why, &mail).await?;
            }
            FollowUp::Escalate(why) => {
                escalate(deps, &lead, &message_key, &why, &mail).await?;
            }
        }
        return step.finish(deps, &decision, reasons).await;
    }
    Err(StageError::Transient(anyhow::anyhow!(
        "lead {lead_id} kept changing; try again"
    )))
}

/// Tell the supervisor a lead needs a person, and emit the escalation's webhook event.
async fn escalate(
    deps: &Deps,
    lead: &Lead,
    message_key: &str,
    why: &str,
    mail: &InboundEmail,
) -> Result<(), StageError> {
    super::handover::notify_supervisor(deps, &lead.id, message_key, why, mail).await?;
    if let Err(e) = crate::webhooks::emit(deps, crate::webhooks::EventKind::Escalated, lead).await {
        tracing::warn!(error = %e, "the escalation's webhook event could not be enqueued");
    }
    Ok(())
}

/// The open questions for a reason or a notice: each quoted, on one line.
fn quoted(questions: &[String]) -> String {
    questions
        .iter()
        .map(|q| format!("\"{}\"", q.split_whitespace().collect::<Vec<_>>().join(" ")))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The message's own Message-ID, or one derived from its bytes.
fn message_key(mail: &InboundEmail, raw: &[u8]) -> String {
    mail.message_id
        .clone()
        .unwrap_or_else(|| format!("<sha256-{}@inbound>", &super::digest(raw)[..32]))
}

/// Which checks failed, for the record.
fn failed_checks(v: &AuthVerdicts) -> String {
    let failed: Vec<&str> = [
        ("spf", v.spf),
        ("dkim", v.dkim),
        ("dmarc", v.dmarc),
        ("arc", v.arc),
        ("spam", v.spam),
        ("virus", v.virus),
    ]
    .into_iter()
    .filter(|(_, v)| *v == Some(Verdict::Fail))
    .map(|(n, _)| n)
    .collect();
    failed.join(", ")
}

/// A block that waits for a person to read a reply: until it is cleared the agent sends the
/// lead nothing on its own (no follow-up, no answer).
pub(crate) fn holds_mail(b: &Blocked) -> bool {
    matches!(
        b,
        Blocked::FailedAuthentication
            | Blocked::QuestionForSeller
            | Blocked::QuestionOutsideKnowledge
            | Blocked::UnclearReply
            | Blocked::ColleagueStopped { .. }
    )
}

/// One company, one conversation: an opt-out, complaint or decline from one person pauses
/// the cadence of the colleagues (leads with the same company domain, free mail excluded)
/// until a person decides; the block says who and why. Returns the colleagues paused.
async fn pause_colleagues(deps: &Deps, lead: &Lead, why: &str) -> Result<Vec<String>, StageError> {
    let mut paused = Vec::new();
    for mut c in crate::ports::colleagues_of(deps.ports.leads.as_ref(), lead).await? {
        if c.stage.is_final()
            || matches!(
                c.stage,
                Stage::Suppressed | Stage::Disqualified | Stage::Bounced
            )
            || c.blocked.is_some()
        {
            continue;
        }
        let expected = Expected::of(&c);
        c.blocked = Some(Blocked::ColleagueStopped {
            colleague: lead.id.to_string(),
            why: why.to_string(),
        });
        match save(deps, &mut c, expected).await {
            Ok(()) => paused.push(c.id.to_string()),
            // Changed meanwhile: the next reply or run sees it as it is now.
            Err(e) if is_conflict(&e) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(paused)
}

/// Remove from the classification's BANT every value that comes from text the injection
/// detector flags (whatever classified the message: the model may have copied it).
/// Returns what was removed.
fn drop_injected_facts(c: &mut Classification, own_text: &str) -> Vec<String> {
    let injected: Vec<String> = classify::injected_sentences(own_text)
        .iter()
        .map(|s| normalise(s))
        .filter(|s| !s.is_empty())
        .collect();
    let mut dropped = Vec::new();
    for value in [
        &mut c.bant.budget,
        &mut c.bant.authority,
        &mut c.bant.need,
        &mut c.bant.timeline,
    ] {
        let Some(v) = value.as_deref() else { continue };
        let n = normalise(v);
        let from_injection = crate::text::injection::is_injection(v)
            || injected
                .iter()
                .any(|s| !n.is_empty() && (s.contains(&n) || n.contains(s.as_str())));
        if from_injection {
            dropped.push(v.to_string());
            *value = None;
        }
    }
    dropped
}

/// Lowercase words only, for comparing a fact with the sentence it may come from.
fn normalise(s: &str) -> String {
    s.split(|c: char| !c.is_alphanumeric() && c != '$' && c != '%')
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

enum FollowUp {
    None,
    Handover,
    Suppress(String),
    Referral(String),
    /// The answer, and why a person must follow up on the questions it leaves open.
    Answer(outreach::Draft, Option<String>),
    Escalate(String),
    /// The lead is the seller's: their reply goes to the seller it was handed to.
    Seller(String),
}

/// What the stage knows about the message besides its classification.
struct Context {
    /// The answer written for the questions (by the model or the knowledge), if any, and
    /// the questions the knowledge cannot answer.
    answer: crate::model::gateway::Answered,
    auth_ok: bool,
    via: Binding,
    /// The lead was already waiting for a person about an earlier reply.
    held: bool,
    now: DateTime<Utc>,
}

fn decide(
    deps: &Deps,
    lead: &mut Lead,
    c: &Classification,
    ctx: Context,
    reasons: &mut Vec<String>,
    follow: &mut FollowUp,
) -> String {
    let cfg = &deps.config;
    let Context {
        answer,
        auth_ok,
        via,
        held,
        now,
    } = ctx;
    let move_to = |lead: &mut Lead, to: Stage, reasons: &mut Vec<String>| {
        if lead.stage != to
            && let Err(e) = transition(lead, to)
        {
            reasons.push(e.to_string());
            return false;
        }
        true
    };
    // A delivery or feedback report speaks for a mail system, never for the lead's wishes;
    // a person's message that talks about a failed delivery is not a report.
    let report_action = matches!(
        c.action,
        Action::MarkInvalid | Action::Suppress | Action::Ignore | Action::Reschedule
    );
    let misfit = match via {
        Binding::Report => !report_action,
        Binding::Sender => c.action == Action::MarkInvalid,
    };
    if misfit {
        lead.next_touch_at = None;
        lead.blocked = Some(Blocked::UnclearReply);
        let why = match via {
            Binding::Report => format!(
                "a delivery or feedback report read as {}",
                c.intent.as_str()
            ),
            Binding::Sender => {
                "the lead's own message reads as a bounce, but it is not a delivery report"
                    .to_string()
            }
        };
        reasons.push(why.clone());
        *follow = FollowUp::Escalate(why);
        return "escalated".into();
    }
    // A message that failed authentication may only stop mail (an opt-out is honoured
    // whoever sent it); everything else waits for a person.
    if !auth_ok
        && !matches!(
            c.action,
            Action::Suppress | Action::Ignore | Action::Reschedule
        )
    {
        if c.action == Action::Handover {
            move_to(lead, Stage::Engaged, reasons);
        }
        lead.next_touch_at = None;
        lead.blocked = Some(Blocked::FailedAuthentication);
        *follow = FollowUp::Escalate(format!(
            "{} ({}) in a message that failed SPF/DKIM/DMARC",
            c.intent.as_str(),
            c.action.as_str()
        ));
        return "escalated".into();
    }
    // A lead handed over is the seller's conversation: the agent writes no more to it and
    // changes nothing the seller decides. Only what stops mail (an opt-out, a complaint, a
    // bounce) still acts; the rest reaches the seller.
    if lead.stage == Stage::HandedOver
        && !matches!(
            c.action,
            Action::Suppress | Action::MarkInvalid | Action::Ignore | Action::Reschedule
        )
    {
        lead.next_touch_at = None;
        let seller = lead
            .handover
            .as_ref()
            .map(|h| h.seller.clone())
            .unwrap_or_else(|| lead.owner.clone());
        let why = format!(
            "{} from a lead handed over to {seller}: the seller replies",
            c.intent.as_str()
        );
        reasons.push(why.clone());
        *follow = FollowUp::Seller(why);
        return "for_seller".into();
    }
    match c.action {
        Action::Handover => {
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
            if held {
                // An earlier reply waits for a person: no automatic mail until they decide,
                // so this question waits with it.
                *follow = FollowUp::Escalate(
                    "a question from a lead whose earlier reply waits for a person".into(),
                );
                return "escalated".into();
            }
            let open = answer.open;
            match answer.draft {
                Some(draft) if cfg.mode == Mode::Engage && lead.sendable_address().is_some() => {
                    reasons.push(format!("answered from: {}", draft.cited.join("; ")));
                    // The questions the knowledge cannot answer wait for a person; the
                    // answer to the others goes out now.
                    let why = (!open.is_empty()).then(|| {
                        lead.blocked = Some(Blocked::QuestionOutsideKnowledge);
                        let why = format!(
                            "question outside the knowledge (the others were answered): {}",
                            quoted(&open)
                        );
                        reasons.push(why.clone());
                        why
                    });
                    *follow = FollowUp::Answer(draft, why);
                    "answer".into()
                }
                Some(_) => {
                    lead.blocked = Some(Blocked::QuestionForSeller);
                    if !open.is_empty() {
                        reasons.push(format!(
                            "outside the knowledge, for the seller: {}",
                            quoted(&open)
                        ));
                    }
                    "answer_drafted".into()
                }
                None => {
                    lead.blocked = Some(Blocked::QuestionOutsideKnowledge);
                    let why = if open.is_empty() {
                        "question outside the knowledge".to_string()
                    } else {
                        format!("question outside the knowledge: {}", quoted(&open))
                    };
                    reasons.push(why.clone());
                    *follow = FollowUp::Escalate(why);
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
            // The lead's own address: the sender was found to be the lead, or the report's
            // recipient was.
            let address = lead
                .sendable_address()
                .map(str::to_string)
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
    // Whole words in any language the date reader knows ("im März", not the "may" of
    // "maybe").
    if let Some(&(_, m)) = crate::text::dates::month_words(&t).first() {
        let y = if m <= now.month() { year + 1 } else { year };
        return at(y, m);
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

/// How a message was found to belong to its lead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Binding {
    /// Its sender is the lead's address (or one the agent wrote to on the thread).
    Sender,
    /// A delivery or feedback report whose failed recipient is the lead's address.
    Report,
}

/// Whose message this is.
#[derive(Debug)]
enum Match {
    Lead {
        id: LeadId,
        via: Binding,
    },
    /// It points at a lead (a thread reference, a report about a message of ours) but its
    /// sender is not that lead: nothing on the lead changes.
    Stranger {
        lead: LeadId,
        why: String,
    },
    Unknown,
}

/// Find the lead a message belongs to. A thread reference counts only when it is a
/// Message-ID of ours whose tag verifies or the Message-ID SES put on a send of ours, and
/// then only names a candidate: the sender (the normalised From) must be that lead's address.
/// A report belongs to the lead whose address is its failed recipient, and a Message-ID of
/// ours it returns (either form) must be that lead's; a report naming no recipient changes
/// no lead (a person sees it on the lead of the message it returns).
async fn match_lead(deps: &Deps, mail: &InboundEmail) -> Result<Match, StageError> {
    if let Some(report) = structured_report(mail) {
        let quoted = match report.original.as_deref() {
            Some(id) => referenced_lead(deps, id).await?,
            None => Quoted::Nothing,
        };
        let recipient_lead = match &report.recipient {
            Some(r) => lead_by_address(deps, r).await?,
            None => None,
        };
        return Ok(match (recipient_lead, quoted) {
            (Some(lead), Quoted::Forged) => Match::Stranger {
                lead,
                why: format!("a {} quoting a forged Message-ID of ours", report.kind),
            },
            (None, Quoted::Forged) => Match::Unknown,
            (Some(id), Quoted::Lead(o)) if o != id => Match::Stranger {
                lead: o,
                why: format!(
                    "a {} about another address than this lead's ({})",
                    report.kind,
                    report.recipient.as_deref().unwrap_or("none")
                ),
            },
            (Some(id), _) => Match::Lead {
                id,
                via: Binding::Report,
            },
            // A report about a message of ours whose failed recipient is not the lead's
            // address, or that names none: whoever can read our mail can write such a report,
            // so it reaches a person and changes nothing on the lead.
            (None, Quoted::Lead(o)) if exists(deps, &o).await? => Match::Stranger {
                lead: o,
                why: format!(
                    "a {} whose failed recipient ({}) is not this lead's address",
                    report.kind,
                    report.recipient.as_deref().unwrap_or("not named")
                ),
            },
            (None, _) => Match::Unknown,
        });
    }

    let from = mail.from.as_ref().map(|m| m.address.as_str()).unwrap_or("");
    let mut refs: Vec<&str> = mail.in_reply_to.iter().map(String::as_str).collect();
    refs.extend(mail.references.iter().rev().map(String::as_str));
    for id in refs {
        if let Quoted::Lead(o) = referenced_lead(deps, id).await?
            && let Some(lead) = deps.ports.leads.get(&o).await?
        {
            if !from.is_empty() && is_participant(&lead, from) {
                return Ok(Match::Lead {
                    id: lead.id,
                    via: Binding::Sender,
                });
            }
            return Ok(Match::Stranger {
                lead: lead.id,
                why: format!(
                    "it answers the agent's email to lead {}, but comes from {}, not the lead's \
                     address",
                    o,
                    if from.is_empty() { "no sender" } else { from }
                ),
            });
        }
    }
    // Without a reference of ours (clients drop them, earlier ids were not signed), the
    // sender's own address decides.
    if !from.is_empty()
        && let Some(id) = lead_by_address(deps, from).await?
    {
        return Ok(Match::Lead {
            id,
            via: Binding::Sender,
        });
    }
    // Then the thread's other addresses (Reply-To, To, Cc): a colleague answering on the
    // lead's thread names the lead there. It reaches that lead as a stranger: a person is
    // told on the lead, nothing on the lead changes (only the lead's own address acts).
    let own = EmailKey::from_check(
        &deps.config.agent.email,
        &email::check(&deps.config.agent.email),
    );
    for m in mail.reply_to.iter().chain(&mail.to).chain(&mail.cc) {
        let key = EmailKey::from_check(&m.address, &email::check(&m.address));
        if key.as_str().is_empty() || key.untagged() == own.untagged() {
            continue;
        }
        if let Some(id) = lead_by_address(deps, &m.address).await? {
            return Ok(Match::Stranger {
                why: format!(
                    "it comes from {}, on a thread with the lead's address {}",
                    if from.is_empty() { "no sender" } else { from },
                    m.address
                ),
                lead: id,
            });
        }
    }
    Ok(Match::Unknown)
}

/// What one inbound reference (In-Reply-To, References, a returned message's Message-ID)
/// says about the lead it names.
#[derive(Debug)]
enum Quoted {
    /// A Message-ID of ours whose tag verifies, or the one SES put on the wire for a send
    /// the store holds: the lead that message was written to.
    Lead(LeadId),
    /// Our signed form with a tag that does not verify.
    Forged,
    Nothing,
}

/// Read a reference in both forms the lead may have seen: the agent's signed Message-ID, and
/// SES's `<ID@REGION.amazonses.com>`, which names a lead only when ID is the provider id of
/// a send of ours (SES ids are not guessable, and another deployment's find nothing).
async fn referenced_lead(deps: &Deps, id: &str) -> Result<Quoted, StageError> {
    let domain = deps.config.agent.mail_domain();
    match ids::read(&deps.secret, domain, id) {
        Reference::Ours(o) => return Ok(Quoted::Lead(o.lead)),
        Reference::Forged => return Ok(Quoted::Forged),
        Reference::Foreign => {}
    }
    let Some(ses_id) = ids::ses_id_of(id) else {
        return Ok(Quoted::Nothing);
    };
    Ok(match deps.ports.leads.find_by_provider_id(ses_id).await? {
        Some(lead) => Quoted::Lead(lead),
        None => Quoted::Nothing,
    })
}

async fn exists(deps: &Deps, id: &LeadId) -> Result<bool, StageError> {
    Ok(deps.ports.leads.get(id).await?.is_some())
}

async fn lead_by_address(deps: &Deps, address: &str) -> Result<Option<LeadId>, StageError> {
    let key = EmailKey::from_check(address, &email::check(address));
    Ok(deps
        .ports
        .leads
        .find_by_email(key.as_str())
        .await?
        .into_iter()
        .next())
}

/// Whether `address` is the lead's own: its stored key, its address as validated or as
/// imported, with case, Unicode/punycode and a `+tag` set aside. The agent writes only to
/// these, so they are the thread's participants.
fn is_participant(lead: &Lead, address: &str) -> bool {
    let key = EmailKey::from_check(address, &email::check(address));
    if key.as_str().is_empty() {
        return false;
    }
    let mut own = vec![lead.email_key.clone()];
    for a in [
        Some(lead.email.as_str()),
        lead.validation
            .as_ref()
            .and_then(|v| v.normalized.as_deref()),
    ]
    .into_iter()
    .flatten()
    {
        if !a.trim().is_empty() {
            own.push(EmailKey::from_check(a, &email::check(a)));
        }
    }
    own.iter()
        .any(|k| *k == key || (!k.as_str().is_empty() && k.untagged() == key.untagged()))
}

/// A delivery or feedback report as a mail system writes it.
struct Report {
    kind: &'static str,
    recipient: Option<String>,
    original: Option<String>,
}

/// The report a message is by its structure: an RFC 3464 delivery-status part (or a
/// `multipart/report` root), an ARF/JMRP feedback report, or a failure notice from a mail
/// system's own mailbox. Words in a person's message never make one. SES events written
/// into a message body are not believed either: on AWS bounces and complaints arrive as SES
/// notifications, which the feedback stage reads.
fn structured_report(mail: &InboundEmail) -> Option<Report> {
    if mail.ses_event.is_some() {
        return None;
    }
    if let Some(f) = &mail.feedback {
        return Some(Report {
            kind: "feedback report",
            recipient: f.recipient.clone(),
            original: f.original_message_id.clone(),
        });
    }
    let d = mail.dsn.as_ref()?;
    let structured = match d.source {
        ReportSource::DeliveryStatus => true,
        ReportSource::PlainText => from_mail_system(mail),
        ReportSource::SesEvent => false,
    };
    structured.then(|| Report {
        kind: "delivery report",
        recipient: d.recipient.clone(),
        original: d.original_message_id.clone(),
    })
}

/// Sent from a mail system's own mailbox (RFC 5321 §4.5.5 null reverse-path, or the
/// postmaster / mailer-daemon names every MTA reports from).
fn from_mail_system(mail: &InboundEmail) -> bool {
    const MAIL_SYSTEM_NAMES: &[&str] = &[
        "mailer-daemon",
        "mailer_daemon",
        "mailerdaemon",
        "mail-daemon",
        "maildaemon",
        "postmaster",
        "mdaemon",
    ];
    let local = mail
        .from
        .as_ref()
        .and_then(|m| m.address.rsplit_once('@'))
        .map(|(l, _)| l.split('+').next().unwrap_or(l).to_ascii_lowercase())
        .unwrap_or_default();
    mail.auto.null_return_path || MAIL_SYSTEM_NAMES.contains(&local.as_str())
}

/// The sender of a message that is not a lead's own, when it is a person's opt-out or
/// complaint: that address is suppressed (never the lead the message points at).
async fn suppress_sender_if_opted_out(
    deps: &Deps,
    mail: &InboundEmail,
    c: &Classification,
    run_id: &str,
) -> Result<Option<String>, StageError> {
    let opted_out = matches!(c.intent, Intent::Unsubscribe | Intent::Complaint);
    let from = mail.from.as_ref().map(|m| m.address.clone());
    match from {
        Some(address) if opted_out && structured_report(mail).is_none() && !address.is_empty() => {
            super::consent::suppress_address(
                deps,
                &address,
                &format!("{} from a sender who is no lead", c.intent.as_str()),
                "reply",
                run_id,
                Stage::Suppressed,
            )
            .await?;
            Ok(Some(address))
        }
        _ => Ok(None),
    }
}

/// A message that points at a lead but is not from it: recorded in the run log, escalated
/// once, and nothing on the lead changes. An opt-out in it suppresses its own sender.
async fn stranger(
    deps: &Deps,
    mail: &InboundEmail,
    message_key: &str,
    lead: &LeadId,
    why: &str,
    run_id: &str,
    mut step: Step,
) -> Result<Outcome, StageError> {
    step.record.lead_id = Some(lead.clone());
    let c = crate::model::gateway::classify(deps, &mut step, mail).await;
    let from = mail.from_address();
    let mut reasons = vec![
        format!("not from the lead: {why}; nothing on lead {lead} was changed"),
        format!("it reads as {}", c.intent.as_str()),
    ];
    if let Some(address) = suppress_sender_if_opted_out(deps, mail, &c, run_id).await? {
        reasons.push(format!(
            "{address} opted out and is suppressed (its own address)"
        ));
    }
    super::handover::notify_supervisor_stranger(deps, lead, message_key, why, &from, mail).await?;
    step.finish(deps, "stranger", reasons).await
}

async fn unknown_sender(
    deps: &Deps,
    mail: &InboundEmail,
    message_key: &str,
    run_id: &str,
    mut step: Step,
) -> Result<Outcome, StageError> {
    let from = mail
        .from
        .as_ref()
        .map(|m| m.address.clone())
        .unwrap_or_else(|| "an unknown sender".into());
    let c = crate::model::gateway::classify(deps, &mut step, mail).await;
    let mut reasons = vec![format!(
        "no lead matches {from} or the message's threading headers; escalated"
    )];
    if let Some(address) = suppress_sender_if_opted_out(deps, mail, &c, run_id).await? {
        reasons.push(format!("{address} opted out and is suppressed"));
    }
    super::handover::notify_supervisor_unknown(deps, message_key, &from, mail).await?;
    step.finish(deps, "unknown_sender", reasons).await
}

/// How much of a message that cannot be read whole is read to find its sender, its thread
/// and an opt-out: the headers and the first part.
const SALVAGE_BYTES: usize = 256 * 1024;

/// A message too large or too broken to read: never dropped. Its headers and first part are
/// read (within [`SALVAGE_BYTES`]) to find its lead by the same rules as any message and to
/// look for an opt-out, which is honoured; it is recorded on the lead, the lead gets no more
/// automatic mail, and a person is told. The decision stays `malformed`, so that a caller
/// that fed the file says it could not be handled.
async fn unreadable(
    deps: &Deps,
    msg: &InboundMessage,
    raw: &[u8],
    error: &crate::mail::parse::ParseError,
    run_id: &str,
    mut step: Step,
) -> Result<Outcome, StageError> {
    let problem = format!("{}: {error}", msg.key);
    let partial = crate::mail::parse::parse(&raw[..raw.len().min(SALVAGE_BYTES)]).ok();
    let Some(mail) = partial else {
        // Not even the headers could be read: the record and a person are all there is.
        let key = format!("<sha256-{}@inbound>", &super::digest(raw)[..32]);
        let stub = InboundEmail {
            subject: "(unreadable message)".into(),
            own_text: problem.clone(),
            ..Default::default()
        };
        super::handover::notify_supervisor_unknown(deps, &key, "an unreadable message", &stub)
            .await?;
        return step
            .finish(deps, "malformed", vec![problem, "escalated".into()])
            .await;
    };
    let message_key = message_key(&mail, raw);
    let c = crate::model::gateway::classify(deps, &mut step, &mail).await;
    let opted_out = matches!(c.intent, Intent::Unsubscribe | Intent::Complaint);
    let mut reasons = vec![
        problem.clone(),
        format!(
            "read from its headers and first part: it reads as {}",
            c.intent.as_str()
        ),
    ];
    let lead_id = match match_lead(deps, &mail).await? {
        Match::Lead { id, .. } => id,
        Match::Stranger { lead, why } => {
            step.record.lead_id = Some(lead.clone());
            reasons.push(format!(
                "not from the lead: {why}; nothing on lead {lead} was changed"
            ));
            if let Some(a) = suppress_sender_if_opted_out(deps, &mail, &c, run_id).await? {
                reasons.push(format!("{a} opted out and is suppressed (its own address)"));
            }
            let from = mail.from_address();
            super::handover::notify_supervisor_stranger(
                deps,
                &lead,
                &message_key,
                &why,
                &from,
                &mail,
            )
            .await?;
            return step.finish(deps, "malformed", reasons).await;
        }
        Match::Unknown => {
            if let Some(a) = suppress_sender_if_opted_out(deps, &mail, &c, run_id).await? {
                reasons.push(format!("{a} opted out and is suppressed"));
            }
            let from = mail.from_address();
            super::handover::notify_supervisor_unknown(deps, &message_key, &from, &mail).await?;
            return step.finish(deps, "malformed", reasons).await;
        }
    };
    step.record.lead_id = Some(lead_id.clone());
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
        let mut recorded = c.clone();
        // Nothing but an opt-out is acted on from part of a message.
        recorded.action = if opted_out {
            Action::Suppress
        } else {
            Action::Escalate
        };
        recorded.bant = Default::default();
        lead.inbound.push(InboundEntry {
            message_id: Some(message_key.clone()),
            from: mail.from_address(),
            subject: mail.subject.clone(),
            date: mail.date,
            received_at: now,
            text: mail.own_text.chars().take(20_000).collect(),
            classification: recorded,
            auth_ok: msg.verdicts.passed(),
            open_questions: Vec::new(),
        });
        lead.last_intent = Some(c.intent);
        lead.next_touch_at = None;
        if opted_out {
            if lead.stage != Stage::Suppressed
                && let Err(e) = transition(&mut lead, Stage::Suppressed)
            {
                reasons.push(e.to_string());
            }
            lead.reason = Some(format!(
                "{} in a message that could not be read whole",
                c.intent.as_str()
            ));
        } else {
            lead.blocked = Some(Blocked::UnclearReply);
        }
        match save(deps, &mut lead, expected).await {
            Ok(()) => {}
            Err(e) if is_conflict(&e) => continue,
            Err(e) => return Err(step.fail(deps, e).await),
        }
        if opted_out {
            let address = lead
                .sendable_address()
                .map(str::to_string)
                .unwrap_or_else(|| lead.email_key.to_string());
            super::consent::suppress_address(
                deps,
                &address,
                &format!(
                    "{} in a message that could not be read whole",
                    c.intent.as_str()
                ),
                "reply",
                run_id,
                Stage::Suppressed,
            )
            .await?;
            reasons.push(format!("{address} is suppressed"));
        }
        super::handover::notify_supervisor(
            deps,
            &lead.id,
            &message_key,
            &format!("a message that could not be read whole ({error})"),
            &mail,
        )
        .await?;
        reasons.push("recorded on the lead and escalated".into());
        return step.finish(deps, "malformed", reasons).await;
    }
    Err(StageError::Transient(anyhow::anyhow!(
        "lead {lead_id} kept changing; try again"
    )))
}

/// Create a lead for the address a wrong person referred us to (same company and owner);
/// returns what happened, for the run record.
async fn create_referral(
    deps: &Deps,
    lead: &Lead,
    address: &str,
    run_id: &str,
) -> Result<String, StageError> {
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
        Ok(()) => {
            // The referred contact starts a cadence of its own now (if the selection takes
            // it), not at the next scheduled run.
            let started =
                super::select::enqueue_new(deps, std::slice::from_ref(&id), run_id).await?;
            Ok(if started > 0 {
                format!("new lead {id} created for {address}; its own cadence starts")
            } else {
                format!("new lead {id} created for {address}")
            })
        }
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
        // "may" inside "maybe" is no month; German month names are.
        assert!(when("maybe later", now).is_none());
        assert_eq!(
            when("vielleicht im März", now)
                .unwrap()
                .format("%Y-%m")
                .to_string(),
            "2027-03"
        );
        assert_eq!(
            when("until May", now).unwrap().format("%Y-%m").to_string(),
            "2027-05"
        );
    }
}
