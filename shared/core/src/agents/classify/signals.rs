//! BANT levels, buying signals and sentiment of a person's reply.
//!
//! Levels follow what the reply commits to: a stated amount or an approved budget is
//! `high`, a budget mentioned without a figure `medium`, a budget that is missing or frozen
//! `low`; the writer deciding is `high` authority, a named decision-maker `medium`, "not my
//! call" `low`; a pain the writer wants solved now is `high` need, a problem mentioned
//! `medium`, a decline's reason `low`; a date or quarter within about three months (or
//! "asap") is a `high` timeline, a later one `medium`, a vague "later" `low`. The words come
//! from the language files (`bant.toml`: each dimension's `mentions`, `budget.short`,
//! `budget.amount_unit`, `authority.self_decides`, `authority.not_my_call`, `timeline.urgent`;
//! `classify.toml`: `pricing_request`, `trial_request`, `meeting_request`,
//! `competitor_comparison`, `negative`).

use super::*;
use crate::domain::{BantLevel, BuyingSignal, Judgment, Level, SignalKind};

/// An amount: a currency sign before a number, or a number before a currency code or a
/// word of the data's `amount_unit` ("40k", "2 Mio", "500 dollars").
static AMOUNT: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    let unit = vocab::union(vocab::bant_words(|b| &b.budget.amount_unit));
    vocab::compile(&format!(
        r"(?i)([$€£]\s?\d|\d[\d.,\s]*\s?(k|m|€|eur|usd|gbp|chf|sek|dkk|nok|pln|czk|r\$|{unit})\b)"
    ))
});

/// A dimension's level from the clause the BANT reader kept.
fn level(level: Level, reason: String) -> BantLevel {
    BantLevel { level, reason }
}

fn budget_level(text: Option<&str>) -> BantLevel {
    let Some(t) = text else {
        return BantLevel::default();
    };
    let lower = plain_lower(t);
    if vocab::BUDGET_SHORT.is_match(&lower) {
        level(
            Level::Low,
            format!("budget missing or constrained: \"{t}\""),
        )
    } else if AMOUNT.is_match(&lower) {
        level(Level::High, format!("amount stated: \"{t}\""))
    } else {
        level(Level::Medium, format!("budget mentioned: \"{t}\""))
    }
}

fn authority_level(text: Option<&str>, intent: Intent) -> BantLevel {
    let Some(t) = text else {
        return if intent == Intent::WrongPerson {
            level(
                Level::Low,
                "the writer is not the person who decides".into(),
            )
        } else {
            BantLevel::default()
        };
    };
    let lower = plain_lower(t);
    if vocab::NOT_MY_CALL.is_match(&lower) {
        level(Level::Low, format!("not the writer's decision: \"{t}\""))
    } else if vocab::SELF_DECIDES.is_match(&lower) {
        level(Level::High, format!("the writer decides: \"{t}\""))
    } else {
        level(Level::Medium, format!("decision-maker named: \"{t}\""))
    }
}

fn need_level(text: Option<&str>, intent: Intent) -> BantLevel {
    let Some(t) = text else {
        return BantLevel::default();
    };
    match intent {
        Intent::NotInterested => level(Level::Low, format!("stated while declining: \"{t}\"")),
        Intent::Interested => level(Level::High, format!("pain stated with a request: \"{t}\"")),
        _ => level(Level::Medium, format!("problem mentioned: \"{t}\"")),
    }
}

fn timeline_level(text: Option<&str>, intent: Intent, reference: DateTime<Utc>) -> BantLevel {
    let Some(t) = text else {
        return BantLevel::default();
    };
    let lower = plain_lower(t);
    let soon = dates_in(t, reference)
        .iter()
        .any(|d| (d.date - reference.date_naive()).num_days() <= 92)
        || vocab::URGENT.is_match(&lower);
    if intent == Intent::NotNow && !soon {
        level(Level::Low, format!("deferred: \"{t}\""))
    } else if soon {
        level(Level::High, format!("within about three months: \"{t}\""))
    } else {
        level(Level::Medium, format!("a later date: \"{t}\""))
    }
}

/// Sentences of the writer that carry `re` (outside quotes, signatures and injections).
fn carrying<'a>(a: &'a Analysis, re: &Regex) -> Option<&'a Sentence> {
    a.clean().find(|s| re.is_match(&s.lower))
}

/// The BANT reader's facts, completed from the language files' wording where it found none
/// (for the levels only: the labelled BANT fields stay the reader's).
fn completed(a: &Analysis, bant: &Bant) -> Bant {
    let stated = |re: &Regex| -> Option<String> {
        a.clean()
            .find(|s| !s.question && unnegated(re, &s.lower))
            .map(|s| s.text.clone())
    };
    Bant {
        budget: bant
            .budget
            .clone()
            .or_else(|| stated(&vocab::BUDGET_MENTION)),
        authority: bant
            .authority
            .clone()
            .or_else(|| stated(&vocab::AUTHORITY_MENTION)),
        need: bant.need.clone().or_else(|| stated(&vocab::NEED_MENTION)),
        timeline: bant
            .timeline
            .clone()
            .or_else(|| stated(&vocab::TIMELINE_MENTION)),
    }
}

pub(super) fn assess(a: &Analysis, intent: Intent, bant: &Bant) -> Judgment {
    let bant = &completed(a, bant);
    let mut j = Judgment {
        budget: budget_level(bant.budget.as_deref()),
        authority: authority_level(bant.authority.as_deref(), intent),
        need: need_level(bant.need.as_deref(), intent),
        timeline: timeline_level(bant.timeline.as_deref(), intent, a.reference),
        ..Judgment::default()
    };
    let asking = matches!(intent, Intent::Interested | Intent::Question);
    if asking {
        let requested = |kind: SignalKind, re: &Regex| -> Option<BuyingSignal> {
            let s = carrying(a, re)?;
            // Asked for now (interest) is strong; asked about (a question) is medium.
            let level = if intent == Intent::Interested {
                Level::High
            } else {
                Level::Medium
            };
            Some(BuyingSignal {
                kind,
                level,
                evidence: s.text.clone(),
            })
        };
        let meeting = if intent == Intent::Interested {
            requested(SignalKind::MeetingRequest, &vocab::MEETING_REQUEST)
        } else {
            None
        };
        j.signals.extend(meeting);
        j.signals.extend(requested(
            SignalKind::PricingRequest,
            &vocab::PRICING_REQUEST,
        ));
        j.signals
            .extend(requested(SignalKind::TrialRequest, &vocab::TRIAL_REQUEST));
        if let Some(s) = carrying(a, &vocab::COMPETITOR_COMPARISON) {
            j.signals.push(BuyingSignal {
                kind: SignalKind::CompetitorComparison,
                level: Level::Medium,
                evidence: s.text.clone(),
            });
        }
    }
    for (kind, dim, text) in [
        (SignalKind::TimelineStated, &j.timeline, &bant.timeline),
        (SignalKind::BudgetStated, &j.budget, &bant.budget),
        (
            SignalKind::DecisionMakerInvolved,
            &j.authority,
            &bant.authority,
        ),
    ] {
        if let Some(t) = text
            && dim.level >= Level::Medium
        {
            j.signals.push(BuyingSignal {
                kind,
                level: dim.level,
                evidence: t.clone(),
            });
        }
    }
    if let Some(s) = carrying(a, &vocab::NEGATIVE) {
        j.negative_sentiment = true;
        j.sentiment_reason = Some(format!("negative wording: \"{}\"", s.text));
    } else if intent == Intent::Complaint {
        j.negative_sentiment = true;
        j.sentiment_reason = Some("a complaint".into());
    }
    j
}
