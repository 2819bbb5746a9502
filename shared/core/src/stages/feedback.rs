//! Feedback from the mail provider (SES bounce and complaint notifications): hard bounces and
//! complaints suppress the address and end its leads; soft bounces are only recorded.

use super::{Outcome, StageError, Step};
use crate::domain::Stage;
use crate::ports::Deps;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedbackKind {
    Bounce { hard: bool },
    Complaint,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feedback {
    pub kind: FeedbackKind,
    pub addresses: Vec<String>,
    /// The Message-ID of the email the feedback is about, when known.
    pub message_id: Option<String>,
    pub detail: String,
}

pub async fn apply(deps: &Deps, fb: Feedback) -> Result<Outcome, StageError> {
    let run_id = format!("feedback-{}", deps.ports.clock.now().timestamp_millis());
    let mut decision = "recorded".to_string();
    let mut last_lead = None;
    for address in &fb.addresses {
        let key = crate::domain::EmailKey::from_check(
            address,
            &crate::agents::email::check(address.trim()),
        );
        match fb.kind {
            FeedbackKind::Bounce { hard: true } => {
                let reason = format!("hard bounce: {}", fb.detail);
                let moved = super::consent::suppress_address(
                    deps,
                    key.as_str(),
                    &reason,
                    "bounce",
                    &run_id,
                    Stage::Bounced,
                )
                .await?;
                last_lead = moved.into_iter().last().or(last_lead);
                decision = "bounced".into();
            }
            FeedbackKind::Complaint => {
                let reason = format!("complaint: {}", fb.detail);
                let moved = super::consent::suppress_address(
                    deps,
                    key.as_str(),
                    &reason,
                    "complaint",
                    &run_id,
                    Stage::Suppressed,
                )
                .await?;
                last_lead = moved.into_iter().last().or(last_lead);
                decision = "suppressed".into();
            }
            FeedbackKind::Bounce { hard: false } => {
                for id in deps.ports.leads.find_by_email(key.as_str()).await? {
                    let step = Step::start(deps, &run_id, Some(&id), "feedback");
                    step.finish(
                        deps,
                        "soft_bounce",
                        vec![format!("soft bounce: {}", fb.detail)],
                    )
                    .await?;
                    last_lead = Some(id);
                }
            }
        }
    }
    Ok(Outcome::new(last_lead, decision))
}
