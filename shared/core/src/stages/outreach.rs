//! The outreach stage: the first email and the follow-ups.
//!
//! In research-only mode the first email is kept as a draft for the seller. In engage mode
//! it is sent through the mailer at most once per touch: the send intent (`Sending`) is
//! written before the send and the provider's id after it; a touch found `Sending` on a retry
//! is marked `Unknown` and never sent again blindly.

use super::{Outcome, StageError, StageMessage, Step, is_conflict, load, save};
use crate::agents::outreach::{self, Draft, DraftInput};
use crate::config::{Mode, NoResponse};
use crate::domain::{Blocked, Lead, Stage, Touch, TouchKind, TouchState};
use crate::lifecycle::{Expected, transition};
use crate::mail::render::{Message, render};
use crate::ports::{Deps, MailError, OutgoingEmail};
use chrono::{DateTime, Duration, Utc};

pub async fn handle(msg: StageMessage, deps: &Deps) -> Result<Outcome, StageError> {
    let lead = load(deps, &msg.lead_id).await?;
    let n = msg.touch.unwrap_or(1);
    let mut step = Step::start(deps, &msg.run_id, Some(&lead.id), "outreach");
    step.inputs(&(&lead.id, n, &lead.research, &lead.fit));

    let skip = |why: String| Outcome::skipped(Some(lead.id.clone()), why);
    if let Some(t) = lead
        .touches
        .iter()
        .find(|t| t.n == n && t.kind != TouchKind::Answer)
    {
        if t.state == TouchState::Sending {
            // The process died (or the message came back) between the intent and the result:
            // the email may have gone out. Never send it again blindly.
            return mark_unknown(deps, lead, n, step).await;
        }
        return Ok(skip(format!("touch {n} is already {:?}", t.state)));
    }
    let ok_stage = match n {
        1 => lead.stage == Stage::Researched,
        _ => matches!(
            lead.stage,
            Stage::Contacted | Stage::Nurture | Stage::Engaged
        ),
    };
    if !ok_stage {
        return Ok(skip(format!("lead is {} (touch {n})", lead.stage)));
    }
    if n > 1
        && matches!(lead.stage, Stage::Contacted | Stage::Engaged)
        && cadence_over(&lead, &deps.config, n)
    {
        return end_no_response(deps, lead, step).await;
    }
    if deps.config.mode == Mode::Engage
        && (n > 1 || deps.config.cadence.quiet_hours)
        && let Some(hours) = business_hours(&deps.config)
    {
        let now = deps.ports.clock.now();
        let open = hours.next_open(&lead.country, now);
        if open != now {
            return wait_for_business_hours(deps, lead, n, open, step).await;
        }
    }
    if n == 1
        && deps.config.mode == Mode::Engage
        && let Some(at) = account_cap_reached(deps, &lead).await?
    {
        return wait_for_business_hours(deps, lead, n, at, step).await;
    }

    let input = DraftInput::new(&lead, &deps.config, n);
    let draft = crate::model::gateway::draft(deps, &mut step, &lead, &input).await;

    if deps.config.mode == Mode::ResearchOnly {
        return keep_draft(deps, lead, draft, n, step).await;
    }
    let why_not = why_not_send(deps, &lead).await?;
    if let Some(why) = why_not {
        return skip_touch(deps, lead, draft, n, why, step).await;
    }
    let kind = if n == 1 {
        TouchKind::First
    } else {
        TouchKind::FollowUp
    };
    let in_reply_to = if n > 1 {
        lead.touches.first().map(|t| t.seen_id().to_string())
    } else {
        None
    };
    let sent = deliver(
        deps,
        lead,
        Delivery {
            n,
            kind,
            draft,
            in_reply_to,
        },
        &mut step,
    )
    .await?;
    step.finish(deps, &sent.decision, sent.reasons).await
}

/// The cadence's business hours, if mail must wait for them.
pub(crate) fn business_hours(
    cfg: &crate::config::AgentConfig,
) -> Option<crate::agents::business_time::BusinessHours> {
    crate::agents::business_time::BusinessHours::parse(
        &cfg.cadence.business_hours,
        &cfg.cadence.business_days,
    )
    .ok()
    .flatten()
}

/// The first moment at or after `at` within the lead's business hours.
pub(crate) fn on_business_time(
    cfg: &crate::config::AgentConfig,
    lead: &Lead,
    at: DateTime<Utc>,
) -> DateTime<Utc> {
    business_hours(cfg).map_or(at, |h| h.next_open(&lead.country, at))
}

/// Has the cadence run out for touch `n`? Without an answer from the agent: the first email
/// and every follow-up went out. After an answer: the one nudge since the last answer went
/// out.
fn cadence_over(lead: &Lead, cfg: &crate::config::AgentConfig, n: u32) -> bool {
    let last_answer = lead
        .touches
        .iter()
        .filter(|t| t.kind == TouchKind::Answer && t.state == TouchState::Sent)
        .map(|t| t.at)
        .max();
    match last_answer {
        Some(answered) => lead.touches.iter().any(|t| {
            t.kind == TouchKind::FollowUp && t.state == TouchState::Sent && t.at > answered
        }),
        None => n as usize > 1 + cfg.cadence.follow_up_days.len(),
    }
}

/// The last touch went unanswered: the lead ends "no response" (disqualified or nurtured, as
/// `cadence.after_last_touch` says) instead of staying contacted.
async fn end_no_response(deps: &Deps, mut lead: Lead, step: Step) -> Result<Outcome, StageError> {
    let cfg = &deps.config;
    let now = deps.ports.clock.now();
    let expected = Expected::of(&lead);
    let mut reasons = vec!["no reply after the last touch of the cadence".to_string()];
    match cfg.cadence.after_last_touch {
        NoResponse::Disqualify => {
            transition(&mut lead, Stage::Disqualified)
                .map_err(|e| StageError::permanent(e.to_string()))?;
            lead.next_touch_at = None;
            lead.reason = Some(NO_RESPONSE.into());
            reasons.push("disqualified: no_response".into());
        }
        NoResponse::Nurture => {
            transition(&mut lead, Stage::Nurture)
                .map_err(|e| StageError::permanent(e.to_string()))?;
            let at = on_business_time(
                cfg,
                &lead,
                now + Duration::days(i64::from(cfg.cadence.nurture_days)),
            );
            lead.next_touch_at = Some(at);
            lead.reason = Some(format!(
                "{NO_RESPONSE}; contact again from {}",
                at.format("%Y-%m-%d")
            ));
            reasons.push(format!("nurture: contact again from {}", at.to_rfc3339()));
        }
    }
    match save(deps, &mut lead, expected).await {
        Err(e) if is_conflict(&e) => Ok(Outcome::skipped(
            Some(lead.id),
            "another delivery changed the lead",
        )),
        Err(e) => Err(e),
        Ok(()) => step.finish(deps, "no_response", reasons).await,
    }
}

/// One company, one conversation: when `cadence.max_first_emails_per_account_per_day`
/// first emails already went to the lead's colleagues (same company domain) in the last 24
/// hours, the time its own may go.
async fn account_cap_reached(
    deps: &Deps,
    lead: &Lead,
) -> Result<Option<DateTime<Utc>>, StageError> {
    let cap = deps.config.cadence.max_first_emails_per_account_per_day as usize;
    if cap == 0 {
        return Ok(None);
    }
    let now = deps.ports.clock.now();
    let since = now - Duration::days(1);
    let mut firsts: Vec<DateTime<Utc>> =
        crate::ports::colleagues_of(deps.ports.leads.as_ref(), lead)
            .await?
            .iter()
            .flat_map(|c| c.touches.iter())
            .filter(|t| {
                t.kind == TouchKind::First
                    && matches!(t.state, TouchState::Sent | TouchState::Sending)
                    && t.at > since
            })
            .map(|t| t.at)
            .collect();
    if firsts.len() < cap {
        return Ok(None);
    }
    firsts.sort();
    // When the oldest of the last `cap` leaves the 24-hour window, on business time.
    let free = firsts[firsts.len() - cap] + Duration::days(1);
    Ok(Some(on_business_time(&deps.config, lead, free.max(now))))
}

/// The reason of a lead whose cadence ended without a reply.
pub const NO_RESPONSE: &str = "no_response";

/// Outside the lead's business hours: the touch waits for the next business morning.
async fn wait_for_business_hours(
    deps: &Deps,
    mut lead: Lead,
    n: u32,
    open: DateTime<Utc>,
    step: Step,
) -> Result<Outcome, StageError> {
    let expected = Expected::of(&lead);
    lead.next_touch_at = Some(open);
    let why = format!(
        "outside the lead's business hours or its account's daily first emails ({}): touch {n} \
         waits until {}",
        if lead.country.trim().is_empty() {
            "UTC".to_string()
        } else {
            lead.country.trim().to_ascii_uppercase()
        },
        open.to_rfc3339()
    );
    match save(deps, &mut lead, expected).await {
        Err(e) if is_conflict(&e) => Ok(Outcome::skipped(
            Some(lead.id),
            "another delivery changed the lead",
        )),
        Err(e) => Err(e),
        Ok(()) => step.finish(deps, "waiting", vec![why]).await,
    }
}

/// Why the agent must not email a lead now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum NotSent {
    /// The address cannot be written to; the detail says why.
    NeedsValidAddress(String),
    /// The address is on the suppression list.
    Suppressed { reason: String, source: String },
    /// Another lead has the same address and is contacted instead.
    Duplicate(crate::domain::LeadId),
    /// The cadence's cap on emails per lead is reached.
    CadenceCap(usize),
    /// A reply of the lead waits for a person, who decides what the agent sends next.
    AwaitingPerson(String),
}

impl std::fmt::Display for NotSent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NotSent::NeedsValidAddress(why) => write!(f, "needs a valid address: {why}"),
            NotSent::Suppressed { reason, source } => {
                write!(f, "address suppressed ({reason}, {source})")
            }
            NotSent::Duplicate(first) => {
                write!(
                    f,
                    "same address as lead {first}, which is contacted instead"
                )
            }
            NotSent::CadenceCap(cap) => write!(f, "reached cadence.max_emails_per_lead = {cap}"),
            NotSent::AwaitingPerson(why) => {
                write!(f, "waits for a person about a reply ({why})")
            }
        }
    }
}

/// Why the agent must not email this lead now, if it must not.
pub(crate) async fn why_not_send(deps: &Deps, lead: &Lead) -> Result<Option<NotSent>, StageError> {
    let Some(addr) = lead.sendable_address() else {
        let v = lead.validation.as_ref();
        let why = match v {
            Some(v)
                if v.effective_valid()
                    && v.effective_kind() == Some(crate::domain::EmailKind::Disposable) =>
            {
                "a disposable (temporary) address".to_string()
            }
            Some(v) => match &v.deliverability {
                crate::domain::Deliverability::Undeliverable { message, .. } => message.clone(),
                _ => v
                    .message
                    .clone()
                    .unwrap_or_else(|| "the address is not valid".into()),
            },
            None => "the address was never validated".into(),
        };
        return Ok(Some(NotSent::NeedsValidAddress(why)));
    };
    if let Some(s) = super::consent::suppression_of(deps, addr).await? {
        return Ok(Some(NotSent::Suppressed {
            reason: s.reason,
            source: s.source,
        }));
    }
    if let Some(first) = &lead.duplicate_of {
        return Ok(Some(NotSent::Duplicate(first.clone())));
    }
    if let Some(b) = lead
        .blocked
        .as_ref()
        .filter(|b| super::engage::holds_mail(b))
    {
        return Ok(Some(NotSent::AwaitingPerson(b.to_string())));
    }
    let cap = deps.config.cadence.max_emails_per_lead as usize;
    if lead.emails_sent() >= cap {
        return Ok(Some(NotSent::CadenceCap(cap)));
    }
    Ok(None)
}

async fn keep_draft(
    deps: &Deps,
    mut lead: Lead,
    draft: Draft,
    n: u32,
    step: Step,
) -> Result<Outcome, StageError> {
    let expected = Expected::of(&lead);
    let message_id = deps.config.message_id(&deps.secret, &lead.id, n);
    lead.touches.push(Touch {
        n,
        kind: TouchKind::First,
        message_id,
        subject: draft.subject,
        body: draft.body,
        state: TouchState::Draft,
        provider_id: None,
        wire_id: None,
        cited_facts: draft.cited,
        at: deps.ports.clock.now(),
        note: Some("research-only mode: kept for the seller".into()),
    });
    match save(deps, &mut lead, expected).await {
        Err(e) if is_conflict(&e) => Ok(Outcome::skipped(
            Some(lead.id),
            "another delivery drafted the email",
        )),
        Err(e) => Err(e),
        Ok(()) => {
            step.finish(
                deps,
                "drafted",
                vec!["research-only mode: draft kept for the seller".into()],
            )
            .await
        }
    }
}

async fn skip_touch(
    deps: &Deps,
    mut lead: Lead,
    draft: Draft,
    n: u32,
    not_sent: NotSent,
    step: Step,
) -> Result<Outcome, StageError> {
    let why = not_sent.to_string();
    let expected = Expected::of(&lead);
    lead.touches.push(Touch {
        n,
        kind: if n == 1 {
            TouchKind::First
        } else {
            TouchKind::FollowUp
        },
        message_id: deps.config.message_id(&deps.secret, &lead.id, n),
        subject: draft.subject,
        body: draft.body,
        state: TouchState::Skipped,
        provider_id: None,
        wire_id: None,
        cited_facts: draft.cited,
        at: deps.ports.clock.now(),
        note: Some(why.clone()),
    });
    let mut reasons = vec![why.clone()];
    match &not_sent {
        NotSent::NeedsValidAddress(detail) => {
            lead.blocked = Some(Blocked::NeedsValidAddress {
                detail: detail.clone(),
            });
        }
        NotSent::Suppressed { .. } if lead.stage != Stage::Suppressed => {
            match transition(&mut lead, Stage::Suppressed) {
                Ok(()) => lead.reason = Some(why.clone()),
                // The lead is somewhere a suppression cannot move it from (a final stage):
                // the touch is skipped all the same, and the record says so.
                Err(e) => reasons.push(format!("stays {}: {e}", lead.stage)),
            }
        }
        _ => {}
    }
    match save(deps, &mut lead, expected).await {
        Err(e) if is_conflict(&e) => Ok(Outcome::skipped(
            Some(lead.id),
            "another delivery handled the touch",
        )),
        Err(e) => Err(e),
        Ok(()) => step.finish(deps, "not_sent", reasons).await,
    }
}

async fn mark_unknown(
    deps: &Deps,
    mut lead: Lead,
    n: u32,
    step: Step,
) -> Result<Outcome, StageError> {
    let expected = Expected::of(&lead);
    if let Some(t) = lead
        .touches
        .iter_mut()
        .find(|t| t.n == n && t.state == TouchState::Sending)
    {
        t.state = TouchState::Unknown;
        t.note = Some("found mid-send on a retry: may have been sent; not sent again".into());
    }
    lead.blocked = Some(Blocked::SendUnknown { touch: n });
    match save(deps, &mut lead, expected).await {
        Err(e) if is_conflict(&e) => Ok(Outcome::skipped(
            Some(lead.id),
            "another delivery handled the touch",
        )),
        Err(e) => Err(e),
        Ok(()) => {
            step.finish(
                deps,
                "send_unknown",
                vec![format!("touch {n} was found mid-send; not resent")],
            )
            .await
        }
    }
}

/// One email to send to the lead.
pub(crate) struct Delivery {
    pub n: u32,
    pub kind: TouchKind,
    pub draft: Draft,
    pub in_reply_to: Option<String>,
}

pub(crate) struct Sent {
    pub decision: String,
    pub reasons: Vec<String>,
}

/// The one-click unsubscribe link of a lead.
pub fn unsubscribe_url(deps: &Deps, lead: &Lead) -> String {
    let token = super::consent::token(&deps.secret, &lead.id);
    deps.config.agent.unsubscribe_url.replace("{token}", &token)
}

/// Record the intent, send, record the result — at most one email per touch.
pub(crate) async fn deliver(
    deps: &Deps,
    mut lead: Lead,
    d: Delivery,
    step: &mut Step,
) -> Result<Sent, StageError> {
    let cfg = &deps.config;
    let Some(to) = lead.sendable_address().map(str::to_string) else {
        return Ok(Sent {
            decision: "not_sent".into(),
            reasons: vec!["no sendable address".into()],
        });
    };
    let unsubscribe = unsubscribe_url(deps, &lead);
    let body = format!(
        "{}{}",
        d.draft.body.trim_end(),
        outreach::footer_in(cfg, &unsubscribe, &outreach::language_for(&lead, cfg))
    );
    // The subject is a header: one clean line, checked like the body.
    let subject = crate::mail::render::header_text(&d.draft.subject);
    let mut problems = Vec::new();
    if let Err(p) = outreach::guardrails(&body, cfg, &unsubscribe, &d.draft.cited) {
        problems.extend(p);
    }
    if let Err(p) = outreach::subject_guardrails(&subject, cfg, &d.draft.cited) {
        problems.extend(p);
    }
    if !problems.is_empty() {
        return Err(StageError::permanent(format!(
            "the email failed the guardrails: {}",
            problems.join("; ")
        )));
    }
    let message_id = match d.kind {
        TouchKind::Answer => cfg.answer_id(&deps.secret, &lead.id, d.n),
        _ => cfg.message_id(&deps.secret, &lead.id, d.n),
    };
    let now = deps.ports.clock.now();
    // The thread's ids, oldest first, the one replied to last. A provider that replaces the
    // Message-ID (SES) would leave our signed ids nowhere on the wire: each touch it sent is
    // named by both its ids, and this message's own signed id comes first, so that a reply
    // quoting either form is matched (ours by its signature, SES's by the send it names).
    let replaces = deps.ports.mailer.replaces_message_id();
    let references: Vec<String> = {
        let mut r: Vec<String> = Vec::new();
        if replaces {
            r.push(message_id.clone());
        }
        for t in lead.touches.iter().filter(|t| t.state == TouchState::Sent) {
            if t.seen_id() != t.message_id {
                r.push(t.message_id.clone());
            }
            r.push(t.seen_id().to_string());
        }
        if let Some(irt) = &d.in_reply_to
            && !r.contains(irt)
        {
            r.push(irt.clone());
        }
        if d.in_reply_to.is_some() || replaces {
            r
        } else {
            Vec::new()
        }
    };
    let mut unsub_targets = vec![unsubscribe.clone()];
    if !cfg.agent.unsubscribe_mailto.is_empty() {
        unsub_targets.push(format!(
            "mailto:{}?subject=unsubscribe",
            cfg.agent.unsubscribe_mailto
        ));
    }
    let raw = render(&Message {
        from_name: cfg.agent.name.clone(),
        from: cfg.agent.email.clone(),
        to_name: lead.display_name(),
        to: to.clone(),
        subject: subject.clone(),
        date: now,
        message_id: message_id.clone(),
        in_reply_to: d.in_reply_to.clone(),
        references,
        unsubscribe: unsub_targets,
        body: body.clone(),
    });

    // 1. The intent.
    let expected = Expected::of(&lead);
    lead.touches.push(Touch {
        n: d.n,
        kind: d.kind,
        message_id: message_id.clone(),
        subject,
        body,
        state: TouchState::Sending,
        provider_id: None,
        wire_id: None,
        cited_facts: d.draft.cited.clone(),
        at: now,
        note: None,
    });
    match save(deps, &mut lead, expected).await {
        Ok(()) => {}
        Err(e) if is_conflict(&e) => {
            return Ok(Sent {
                decision: "skipped".into(),
                reasons: vec!["another delivery is sending this touch".into()],
            });
        }
        Err(e) => return Err(e),
    }

    // 2. The send.
    let email = OutgoingEmail {
        from: cfg.agent.email.clone(),
        to: vec![to.clone()],
        message_id: message_id.clone(),
        raw,
    };
    crate::fault::hit("before_send");
    let result = deps.ports.mailer.send(&email).await;
    if result.is_ok() {
        crate::fault::hit("after_send");
    }

    // 3. The result, re-applied on a fresh copy if a reply changed the lead meanwhile.
    let (state, provider_id, note, outcome): (
        TouchState,
        Option<String>,
        Option<String>,
        Result<Sent, StageError>,
    ) = match result {
        Ok(id) => (
            TouchState::Sent,
            Some(id),
            None,
            Ok(Sent {
                decision: "sent".into(),
                reasons: vec![format!("touch {} sent to {to} as {message_id}", d.n)],
            }),
        ),
        Err(MailError::Rejected(why)) => (
            TouchState::Skipped,
            None,
            Some(format!("the mail provider rejected it: {why}")),
            Ok(Sent {
                decision: "rejected".into(),
                reasons: vec![format!("the mail provider rejected touch {}: {why}", d.n)],
            }),
        ),
        Err(MailError::Transient(e)) => (
            TouchState::Draft,
            None,
            Some("not accepted by the provider; will retry".into()),
            Err(StageError::Transient(e)),
        ),
        Err(MailError::Unexpected(e)) => (
            TouchState::Unknown,
            None,
            Some(format!("send failed in an unknown state: {e:#}")),
            Ok(Sent {
                decision: "send_unknown".into(),
                reasons: vec![format!(
                    "touch {} may or may not have been sent: {e:#}",
                    d.n
                )],
            }),
        ),
    };
    let wire_id = provider_id
        .as_deref()
        .and_then(|p| deps.ports.mailer.wire_id(p));
    let follow_up_days = cfg.cadence.follow_up_days.clone();
    let no_response_days = cfg.cadence.no_response_days;
    let nudge_days = cfg.cadence.nudge_days;
    for _ in 0..5 {
        let expected = Expected::of(&lead);
        if state == TouchState::Draft {
            // Not accepted: forget the intent so the retry sends.
            lead.touches.retain(|t| t.message_id != message_id);
        } else if let Some(t) = lead.touches.iter_mut().find(|t| t.message_id == message_id) {
            t.state = state;
            t.provider_id = provider_id.clone();
            t.wire_id = wire_id.clone();
            t.note = note.clone();
        }
        if state == TouchState::Sent && d.kind != TouchKind::Answer {
            if lead.stage != Stage::Contacted && transition(&mut lead, Stage::Contacted).is_err() {
                // A reply moved the lead on meanwhile; its stage stands.
            }
            let followups = lead
                .touches
                .iter()
                .filter(|t| t.kind != TouchKind::Answer)
                .count();
            let answered = lead
                .touches
                .iter()
                .any(|t| t.kind == TouchKind::Answer && t.state == TouchState::Sent);
            // The next follow-up, or — after the last one, or after the nudge that follows an
            // answer — the day the lead ends "no response".
            let gap = follow_up_days
                .get(followups.saturating_sub(1))
                .filter(|_| !answered)
                .copied()
                .unwrap_or(no_response_days);
            lead.next_touch_at = (lead.stage == Stage::Contacted)
                .then(|| on_business_time(cfg, &lead, now + Duration::days(i64::from(gap))));
        }
        // An answer that leaves questions to a person (engage set the block before the
        // send) keeps the lead waiting for that person: no nudge either.
        let left_open = matches!(lead.blocked, Some(Blocked::QuestionOutsideKnowledge));
        if state == TouchState::Sent && d.kind == TouchKind::Answer && left_open {
            lead.next_touch_at = None;
        } else if state == TouchState::Sent && d.kind == TouchKind::Answer {
            lead.blocked = None;
            // One nudge if the lead goes silent after the answer.
            if nudge_days > 0 && lead.stage == Stage::Engaged {
                lead.next_touch_at = Some(on_business_time(
                    cfg,
                    &lead,
                    now + Duration::days(i64::from(nudge_days)),
                ));
            }
        }
        match save(deps, &mut lead, expected).await {
            Ok(()) => return outcome,
            Err(e) if is_conflict(&e) => {
                lead = load(deps, &lead.id).await?;
                continue;
            }
            Err(e) => {
                step.record.error = Some(format!("the send result could not be recorded: {e}"));
                return Err(e);
            }
        }
    }
    Err(StageError::Transient(anyhow::anyhow!(
        "the send result of {message_id} could not be recorded after 5 tries"
    )))
}
