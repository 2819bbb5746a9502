//! The handover stage: the lead goes to a seller with a summary, and the seller is told by
//! email. Notifications go out at most once: a once-guard (an atomic counter that only its
//! first caller sees at zero) or the handover's own `Sending` state is written first.

use super::{Outcome, StageError, StageMessage, Step, is_conflict, load, save};
use crate::config::{Seller, Strategy};
use crate::domain::{Handover, Lead, LeadId, Stage, TouchState};
use crate::lifecycle::{Expected, transition};
use crate::mail::parse::InboundEmail;
use crate::mail::render::{Message, render};
use crate::ports::{Deps, MailError, OutgoingEmail};

pub async fn handle(msg: StageMessage, deps: &Deps) -> Result<Outcome, StageError> {
    let mut lead = load(deps, &msg.lead_id).await?;
    let mut step = Step::start(deps, &msg.run_id, Some(&lead.id), "handover");
    if let Some(h) = &lead.handover {
        match h.notice {
            TouchState::Sending => return finish_notice(deps, lead, step, true).await,
            TouchState::Draft => {
                // A transient failure earlier: nothing went out, so send now (intent first).
                let expected = Expected::of(&lead);
                if let Some(h) = lead.handover.as_mut() {
                    h.notice = TouchState::Sending;
                }
                save(deps, &mut lead, expected).await?;
                return finish_notice(deps, lead, step, false).await;
            }
            _ => {}
        }
        return Ok(Outcome::skipped(
            Some(lead.id.clone()),
            "already handed over",
        ));
    }
    if lead.stage != Stage::Engaged {
        return Ok(Outcome::skipped(
            Some(lead.id.clone()),
            format!("lead is {}", lead.stage),
        ));
    }
    step.inputs(&(&lead.id, &lead.bant, &lead.owner));
    let seller = assign(deps, &lead).await?;
    let summary = crate::model::gateway::summarize(deps, &mut step, &lead).await;
    let expected = Expected::of(&lead);
    transition(&mut lead, Stage::HandedOver).map_err(StageError::permanent)?;
    lead.blocked = None;
    lead.next_touch_at = None;
    lead.handover = Some(Handover {
        seller: seller.handle.clone(),
        summary,
        at: deps.ports.clock.now(),
        notice: TouchState::Sending,
        notice_id: None,
    });
    match save(deps, &mut lead, expected).await {
        Ok(()) => {}
        Err(e) if is_conflict(&e) => {
            return Ok(Outcome::skipped(
                Some(lead.id),
                "another delivery handed the lead over",
            ));
        }
        Err(e) => return Err(step.fail(deps, e).await),
    }
    step.record
        .reasons
        .push(format!("assigned to {}", seller.handle));
    finish_notice(deps, lead, step, false).await
}

/// Send the seller's notification, unless a retry found it mid-send.
async fn finish_notice(
    deps: &Deps,
    mut lead: Lead,
    step: Step,
    retry: bool,
) -> Result<Outcome, StageError> {
    let Some(h) = lead.handover.clone() else {
        return Err(StageError::permanent("no handover to notify"));
    };
    let mut reasons = step.record.reasons.clone();
    let state = if retry {
        reasons.push("the notification was found mid-send on a retry; not sent again".into());
        TouchState::Unknown
    } else {
        match seller_of(deps, &h.seller) {
            None => {
                reasons.push(format!(
                    "seller {} has no email in the config: not notified",
                    h.seller
                ));
                TouchState::Skipped
            }
            Some(s) => {
                let id = format!("<handover-{}@{}>", lead.id, deps.config.agent.mail_domain());
                let body = format!(
                    "{} is ready for you.\n\n{}\n\nThe conversation so far is on the lead's record \
                     (sqa lead show {}).\n\n-- {}",
                    lead.display_name(),
                    h.summary,
                    lead.id,
                    deps.config.agent.name
                );
                match send_internal(
                    deps,
                    &s.email,
                    &s.name,
                    &format!(
                        "Handover: {} ({})",
                        lead.display_name(),
                        lead.company.trim()
                    ),
                    &id,
                    &body,
                )
                .await
                {
                    Ok(()) => {
                        reasons.push(format!("{} notified at {}", s.handle, s.email));
                        if let Some(h) = lead.handover.as_mut() {
                            h.notice_id = Some(id);
                        }
                        TouchState::Sent
                    }
                    Err(MailError::Transient(e)) => {
                        // Not accepted: the retry may send (the notice stays `Sending` only
                        // when the provider might have accepted it).
                        reasons.push(format!("notification not accepted yet: {e}"));
                        TouchState::Draft
                    }
                    Err(e) => {
                        reasons.push(format!("notification failed: {e}"));
                        TouchState::Unknown
                    }
                }
            }
        }
    };
    for _ in 0..5 {
        let expected = Expected::of(&lead);
        if let Some(h) = lead.handover.as_mut() {
            h.notice = state;
        }
        match save(deps, &mut lead, expected).await {
            Ok(()) => break,
            Err(e) if is_conflict(&e) => {
                let notice_id = lead.handover.as_ref().and_then(|h| h.notice_id.clone());
                lead = load(deps, &lead.id).await?;
                if let Some(h) = lead.handover.as_mut() {
                    h.notice_id = notice_id;
                }
            }
            Err(e) => return Err(e),
        }
    }
    if state == TouchState::Draft {
        // Nothing went out: let the queue retry the notification.
        return Err(StageError::Transient(anyhow::anyhow!(
            "the seller's notification was not accepted yet"
        )));
    }
    let seller = lead
        .handover
        .as_ref()
        .map(|h| h.seller.clone())
        .unwrap_or_default();
    step.finish(deps, "handed_over", {
        let mut r = vec![format!("handed over to {seller}")];
        r.extend(
            reasons
                .into_iter()
                .filter(|x| !x.starts_with("assigned to")),
        );
        r
    })
    .await
}

fn seller_of<'a>(deps: &'a Deps, handle: &str) -> Option<&'a Seller> {
    deps.config
        .assignment
        .sellers
        .iter()
        .find(|s| s.handle == handle)
}

/// The lead's owner when they are a configured seller (owner-first), else the next seller
/// of the atomic round robin.
async fn assign(deps: &Deps, lead: &Lead) -> Result<Seller, StageError> {
    let sellers = &deps.config.assignment.sellers;
    if sellers.is_empty() {
        return Ok(Seller {
            handle: if lead.owner.trim().is_empty() {
                "unassigned".into()
            } else {
                lead.owner.trim().to_string()
            },
            email: String::new(),
            name: String::new(),
        });
    }
    if deps.config.assignment.strategy == Strategy::OwnerFirst
        && let Some(s) = sellers.iter().find(|s| s.handle == lead.owner.trim())
    {
        return Ok(s.clone());
    }
    let n = deps
        .ports
        .config
        .next_in_sequence("handover-round-robin")
        .await?;
    Ok(sellers[(n % sellers.len() as u64) as usize].clone())
}

/// Send a notification to a person of the team (seller, supervisor).
async fn send_internal(
    deps: &Deps,
    to: &str,
    to_name: &str,
    subject: &str,
    message_id: &str,
    body: &str,
) -> Result<(), MailError> {
    let cfg = &deps.config;
    let raw = render(&Message {
        from_name: cfg.agent.name.clone(),
        from: cfg.agent.email.clone(),
        to_name: to_name.to_string(),
        to: to.to_string(),
        subject: subject.to_string(),
        date: deps.ports.clock.now(),
        message_id: message_id.to_string(),
        in_reply_to: None,
        references: Vec::new(),
        unsubscribe: Vec::new(),
        body: body.to_string(),
    });
    crate::fault::hit("before_send");
    deps.ports
        .mailer
        .send(&OutgoingEmail {
            from: cfg.agent.email.clone(),
            to: vec![to.to_string()],
            message_id: message_id.to_string(),
            raw,
        })
        .await?;
    crate::fault::hit("after_send");
    Ok(())
}

/// Tell the supervisor about a message only a person can handle — once per message.
pub async fn notify_supervisor(
    deps: &Deps,
    lead: &LeadId,
    message_key: &str,
    why: &str,
    mail: &InboundEmail,
) -> Result<(), StageError> {
    let body = format!(
        "Lead {lead} needs a person: {why}.\n\nFrom: {}\nSubject: {}\n\nTheir text (untrusted, as received):\n{}\n",
        mail.from_address(),
        mail.subject,
        mail.own_text.chars().take(4000).collect::<String>()
    );
    escalate(
        deps,
        message_key,
        &format!("Needs a person: lead {lead}"),
        &body,
    )
    .await
}

/// Pass a reply of a lead that was handed over to the seller it was handed to (the
/// supervisor when that seller has no address) — once per message.
pub async fn notify_seller(
    deps: &Deps,
    lead: &Lead,
    message_key: &str,
    why: &str,
    mail: &InboundEmail,
) -> Result<(), StageError> {
    let handle = lead
        .handover
        .as_ref()
        .map(|h| h.seller.as_str())
        .unwrap_or("");
    let Some(seller) =
        seller_of(deps, handle).filter(|s| crate::agents::email::is_plausible_address(&s.email))
    else {
        return notify_supervisor(deps, &lead.id, message_key, why, mail).await;
    };
    let key = format!("seller-note:{}", super::digest(message_key));
    // Only the first caller sees 0: a redelivered message never notifies twice.
    if deps.ports.config.next_in_sequence(&key).await? != 0 {
        return Ok(());
    }
    let id = format!(
        "<seller-note-{}@{}>",
        &key[12..36],
        deps.config.agent.mail_domain()
    );
    let body = format!(
        "{name} ({from}), whom you took over, wrote again: {why}.\n\nSubject: {subject}\n\n\
         Their text (untrusted, as received):\n{text}\n",
        name = lead.display_name(),
        from = mail.from_address(),
        subject = mail.subject,
        text = mail.own_text.chars().take(4000).collect::<String>()
    );
    let subject = format!("Reply from your lead {}", lead.id);
    if let Err(e) = send_internal(deps, &seller.email, &seller.name, &subject, &id, &body).await {
        tracing::warn!(error = %e, "the seller could not be told of the lead's reply");
    }
    Ok(())
}

/// Tell the supervisor about a message that points at a lead (a thread reference of ours, a
/// report about its address) but does not come from it — once per message. Nothing on the
/// lead was changed.
pub async fn notify_supervisor_stranger(
    deps: &Deps,
    lead: &LeadId,
    message_key: &str,
    why: &str,
    from: &str,
    mail: &InboundEmail,
) -> Result<(), StageError> {
    let body = format!(
        "A message about lead {lead} did not come from the lead: {why}.\n\
         Nothing on the lead was changed and nothing was sent.\n\nFrom: {from}\nSubject: {}\n\n\
         Their text (untrusted, as received):\n{}\n",
        mail.subject,
        mail.own_text.chars().take(4000).collect::<String>()
    );
    escalate(
        deps,
        message_key,
        &format!("Not from the lead: lead {lead}"),
        &body,
    )
    .await
}

/// Tell the supervisor about a message from a sender no lead matches — once per message.
pub async fn notify_supervisor_unknown(
    deps: &Deps,
    message_key: &str,
    from: &str,
    mail: &InboundEmail,
) -> Result<(), StageError> {
    let body = format!(
        "A message came in that matches no lead.\n\nFrom: {from}\nSubject: {}\n\nTheir text (untrusted, as received):\n{}\n",
        mail.subject,
        mail.own_text.chars().take(4000).collect::<String>()
    );
    escalate(deps, message_key, "Unknown sender", &body).await
}

async fn escalate(
    deps: &Deps,
    message_key: &str,
    subject: &str,
    body: &str,
) -> Result<(), StageError> {
    let supervisor = deps.config.assignment.supervisor.trim();
    if supervisor.is_empty() || !crate::agents::email::is_plausible_address(supervisor) {
        return Ok(());
    }
    let key = format!("escalation:{}", super::digest(message_key));
    // Only the first caller sees 0: a redelivered message never notifies twice.
    if deps.ports.config.next_in_sequence(&key).await? != 0 {
        return Ok(());
    }
    let id = format!(
        "<escalation-{}@{}>",
        &key[11..35],
        deps.config.agent.mail_domain()
    );
    match send_internal(deps, supervisor, "", subject, &id, body).await {
        Ok(()) => Ok(()),
        Err(e) => {
            tracing::warn!(error = %e, "the supervisor could not be notified");
            Ok(())
        }
    }
}
