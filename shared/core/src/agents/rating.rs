//! A rating and a next step for every lead: hot / warm / cold from fit, buying intent,
//! recency and engagement, a score to rank by, and the suggested action with its reason
//! ("email now: tier A, created 2 days ago, work address").
//!
//! Computed when read, from the lead and the time: recency changes with the clock, so a
//! stored rating would go stale.

use crate::domain::{Blocked, EmailKind, Intent, Lead, Stage, Tier, TouchKind, TouchState};
use chrono::{DateTime, Utc};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Heat {
    Cold,
    Warm,
    Hot,
}

impl Heat {
    pub fn as_str(self) -> &'static str {
        match self {
            Heat::Hot => "hot",
            Heat::Warm => "warm",
            Heat::Cold => "cold",
        }
    }
}

/// A lead's rating and suggested next step.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rating {
    pub heat: Heat,
    /// 0–100: the rank order (higher first).
    pub score: u32,
    /// The suggested next step ("email now", "hand over", "wait", …).
    pub action: String,
    /// Why: the factors that made the rating.
    pub reason: String,
}

/// Score at or above which a lead is hot, and warm.
const HOT: u32 = 60;
const WARM: u32 = 35;

fn days_ago(at: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    (now - at).num_days().max(0)
}

fn ago(days: i64) -> String {
    match days {
        0 => "today".into(),
        1 => "1 day ago".into(),
        n => format!("{n} days ago"),
    }
}

/// Rate a lead at `now`. `colleague_interested`: a colleague at the same company replied
/// with interest (one company, one conversation).
pub fn rate(lead: &Lead, now: DateTime<Utc>, colleague_interested: bool) -> Rating {
    let mut score: i64 = 0;
    let mut why: Vec<String> = Vec::new();

    // Fit.
    match lead.fit.as_ref() {
        Some(f) if f.excluded => why.push("excluded by the ICP".into()),
        Some(f) => {
            score += match f.tier {
                Tier::A => 40,
                Tier::B => 25,
                Tier::C => 10,
                Tier::D => 0,
            };
            why.push(format!("tier {}", f.tier.as_str()));
        }
        None => {
            score += 15;
            why.push("fit not scored yet".into());
        }
    }

    // Buying intent and BANT.
    let replies = lead
        .inbound
        .iter()
        .filter(|e| {
            !matches!(
                e.classification.intent,
                Intent::Bounce | Intent::OutOfOffice | Intent::AutoReply
            )
        })
        .count();
    match lead.last_intent {
        Some(Intent::Interested) => {
            score += 40;
            why.push("replied interested".into());
        }
        Some(Intent::Question) => {
            score += 25;
            why.push("asked a question".into());
        }
        Some(Intent::NotNow) => {
            score += 5;
            why.push("not now".into());
        }
        _ => {}
    }
    let b = &lead.bant;
    let known = [&b.budget, &b.authority, &b.need, &b.timeline]
        .iter()
        .filter(|v| v.is_some())
        .count();
    if known > 0 {
        score += 5 * known as i64;
        why.push(format!("{known} of 4 BANT known"));
    }
    if colleague_interested {
        score += 15;
        why.push("a colleague replied interested".into());
    }

    // Recency: of the last reply, else of the lead.
    if let Some(last) = lead.inbound.iter().map(|e| e.received_at).max() {
        let d = days_ago(last, now);
        score += match d {
            0..=2 => 15,
            3..=7 => 8,
            _ => 0,
        };
        why.push(format!("last reply {}", ago(d)));
    } else if let Some(created) = lead.created_at {
        let d = days_ago(created, now);
        score += match d {
            0..=2 => 15,
            3..=7 => 10,
            8..=14 => 5,
            _ => 0,
        };
        why.push(format!("created {}", ago(d)));
    }

    // Engagement: replies beyond the first.
    if replies > 1 {
        score += 5 * (replies as i64 - 1).min(3);
        why.push(format!("{replies} replies"));
    }

    // The address.
    let kind = lead.validation.as_ref().and_then(|v| v.effective_kind());
    match kind {
        Some(EmailKind::Work) => {
            score += 5;
            why.push("work address".into());
        }
        Some(EmailKind::Personal) => why.push("personal address".into()),
        Some(EmailKind::Role) => {
            score -= 5;
            why.push("role address".into());
        }
        Some(EmailKind::Disposable) => {
            score -= 20;
            why.push("disposable address".into());
        }
        None => {}
    }

    let mut score = score.clamp(0, 100) as u32;
    let ended = matches!(
        lead.stage,
        Stage::Suppressed | Stage::Bounced | Stage::Disqualified
    ) || lead.fit.as_ref().is_some_and(|f| f.excluded)
        || matches!(
            lead.last_intent,
            Some(Intent::NotInterested | Intent::Unsubscribe | Intent::Complaint)
        );
    if ended {
        score = score.min(WARM - 1);
    }
    let heat = if score >= HOT {
        Heat::Hot
    } else if score >= WARM {
        Heat::Warm
    } else {
        Heat::Cold
    };
    Rating {
        heat,
        score,
        action: next_step(lead, now),
        reason: why.join(", "),
    }
}

/// Rate many leads at once: a lead whose colleague (same company domain) replied interested
/// is rated up. Returns the ratings in the leads' order.
pub fn rate_all(leads: &[Lead], now: DateTime<Utc>) -> Vec<Rating> {
    let interested: std::collections::HashMap<String, Vec<&str>> =
        leads.iter().fold(Default::default(), |mut m, l| {
            if l.last_intent == Some(Intent::Interested)
                && let Some(d) = l.account()
            {
                m.entry(d).or_default().push(l.id.as_str());
            }
            m
        });
    leads
        .iter()
        .map(|l| {
            let colleague = l
                .account()
                .and_then(|d| interested.get(&d))
                .is_some_and(|ids| ids.iter().any(|id| *id != l.id.as_str()));
            rate(l, now, colleague)
        })
        .collect()
}

/// The suggested next step.
fn next_step(lead: &Lead, now: DateTime<Utc>) -> String {
    let sent = lead
        .touches
        .iter()
        .any(|t| t.kind != TouchKind::Answer && t.state == TouchState::Sent);
    let when = |at: DateTime<Utc>| {
        if at <= now {
            "now".to_string()
        } else {
            at.format("%Y-%m-%d %H:%M UTC").to_string()
        }
    };
    match lead.stage {
        Stage::Suppressed => return "do not contact (suppressed)".into(),
        Stage::Bounced => return "find a valid address".into(),
        Stage::Disqualified => {
            return format!(
                "none ({})",
                lead.reason.as_deref().unwrap_or("disqualified")
            );
        }
        Stage::HandedOver => {
            return match &lead.handover {
                Some(h) => format!("{} follows up", h.seller),
                None => "the seller follows up".into(),
            };
        }
        _ => {}
    }
    if let Some(b) = &lead.blocked {
        return match b {
            Blocked::NeedsValidAddress { .. } => "find a valid address".into(),
            other => format!("a person decides: {other}"),
        };
    }
    match lead.stage {
        Stage::Engaged if lead.last_intent == Some(Intent::Interested) => "hand over now".into(),
        Stage::Nurture => match lead.next_touch_at {
            Some(at) => format!("wait: contact again {}", when(at)),
            None => "wait (nurture)".into(),
        },
        _ if !sent => match lead.next_touch_at {
            Some(at) if at > now => format!("email at {}", when(at)),
            _ => "email now".into(),
        },
        _ => match lead.next_touch_at {
            Some(at) if at > now => format!("wait: next touch {}", when(at)),
            Some(_) => "follow up now".into(),
            None => "wait for a reply".into(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Fit, LeadId};
    use chrono::Duration;

    fn lead(tier: Tier, created_days: i64, now: DateTime<Utc>) -> Lead {
        let mut l = Lead::new(LeadId::parse("L1").unwrap(), now);
        l.created_at = Some(now - Duration::days(created_days));
        l.email = "jo@buyer.example".into();
        l.email_key = crate::EmailKey::from_stored("jo@buyer.example");
        l.validation = Some(crate::agents::email::check("jo@buyer.example"));
        l.fit = Some(Fit {
            score: 80,
            tier,
            excluded: false,
            criteria: vec![],
        });
        l.stage = Stage::Researched;
        l
    }

    #[test]
    fn a_fresh_tier_a_lead_is_rated_with_its_reason_and_emailed_now() {
        let now = Utc::now();
        let r = rate(&lead(Tier::A, 2, now), now, false);
        assert_eq!(r.action, "email now");
        assert!(r.reason.contains("tier A"), "{}", r.reason);
        assert!(r.reason.contains("created 2 days ago"), "{}", r.reason);
        assert!(r.score >= WARM, "{r:?}");
    }

    #[test]
    fn fit_recency_and_interest_order_the_leads() {
        let now = Utc::now();
        let a = rate(&lead(Tier::A, 1, now), now, false);
        let c_old = rate(&lead(Tier::C, 30, now), now, false);
        assert!(a.score > c_old.score);
        assert_eq!(c_old.heat, Heat::Cold);
        let mut hot = lead(Tier::B, 1, now);
        hot.stage = Stage::Engaged;
        hot.last_intent = Some(Intent::Interested);
        let h = rate(&hot, now, false);
        assert_eq!(h.heat, Heat::Hot, "{h:?}");
        assert_eq!(h.action, "hand over now");
        let colleague = rate(&lead(Tier::B, 20, now), now, true);
        let alone = rate(&lead(Tier::B, 20, now), now, false);
        assert!(colleague.score > alone.score);
    }

    #[test]
    fn an_ended_lead_is_never_warm() {
        let now = Utc::now();
        let mut l = lead(Tier::A, 1, now);
        l.stage = Stage::Suppressed;
        let r = rate(&l, now, true);
        assert_eq!(r.heat, Heat::Cold);
        assert!(r.action.starts_with("do not contact"));
    }

    #[test]
    fn an_interested_colleague_raises_the_others_rating_but_free_mail_is_no_company() {
        let now = Utc::now();
        let mut keen = lead(Tier::B, 5, now);
        keen.id = LeadId::parse("L2").unwrap();
        keen.stage = Stage::Engaged;
        keen.last_intent = Some(Intent::Interested);
        keen.website = "https://www.buyer.example/".into();
        let quiet = lead(Tier::B, 5, now);
        let mut free = lead(Tier::B, 5, now);
        free.email = "jo@gmail.com".into();
        free.email_key = crate::EmailKey::from_stored("jo@gmail.com");
        free.validation = Some(crate::agents::email::check("jo@gmail.com"));
        let r = rate_all(&[keen.clone(), quiet.clone(), free.clone()], now);
        assert!(
            r[1].reason.contains("a colleague replied interested"),
            "{:?}",
            r[1]
        );
        assert!(!r[2].reason.contains("colleague"), "{:?}", r[2]);
        assert!(!r[0].reason.contains("colleague"), "not its own colleague");
        assert_eq!(keen.account().as_deref(), Some("buyer.example"));
        assert_eq!(free.account(), None);
    }
}
