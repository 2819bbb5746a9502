//! The lead lifecycle as a state machine with one table of allowed transitions.
//!
//! Every transition is written as a conditional update on the expected stage and version
//! (`LeadStore::update`), so a message delivered twice, or two overlapping schedules,
//! change nothing the second time.

use crate::domain::{Lead, Stage};

use Stage::*;

/// Where a reply can take a lead, whatever stage it is in (replies from any known lead are
/// processed).
const REPLY_OUTCOMES: [Stage; 6] = [
    Engaged,
    HandedOver,
    Disqualified,
    Nurture,
    Suppressed,
    Bounced,
];

/// The allowed transitions besides the reply outcomes above.
pub const TRANSITIONS: &[(Stage, Stage)] = &[
    (New, Selected),
    (Selected, Validated),
    (Validated, Researched),
    // First touch sent (engage mode).
    (Researched, Contacted),
    // Follow-ups and rescheduled touches.
    (Contacted, Contacted),
    (Engaged, Engaged),
    (Engaged, Contacted),
    // The cadence ended without a reply: "no response", disqualified or nurtured as
    // configured (`cadence.after_last_touch`).
    (Contacted, Disqualified),
    (Contacted, Nurture),
    // A nurtured lead comes back when its date is due.
    (Nurture, Contacted),
    // A bounced lead whose address a person corrected goes through validation again.
    (Bounced, Validated),
    // A handed-over lead whose seller gives it back (or a supervisor reopens a lead).
    (HandedOver, Engaged),
    (Disqualified, Engaged),
    // A control-group lead: selected, then left to its owner without a word from the agent.
    (Selected, HandedOver),
];

/// Is `from → to` allowed?
pub fn allowed(from: Stage, to: Stage) -> bool {
    if TRANSITIONS.contains(&(from, to)) {
        return true;
    }
    // A suppressed lead stays suppressed: nothing may take it back into a conversation.
    if from == Suppressed {
        return false;
    }
    if REPLY_OUTCOMES.contains(&to) {
        // A bounce or opt-out can end any lead; the other outcomes need a lead that is not
        // already at the same final outcome.
        return from != to || matches!(to, Engaged | Nurture);
    }
    false
}

/// The error of a refused transition.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("lead {lead}: the transition {from} → {to} is not allowed")]
pub struct TransitionError {
    pub lead: String,
    pub from: Stage,
    pub to: Stage,
}

/// What a conditional write must find in the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expected {
    pub stage: Stage,
    pub version: u64,
}

impl Expected {
    pub fn of(lead: &Lead) -> Expected {
        Expected {
            stage: lead.stage,
            version: lead.version,
        }
    }
}

/// Move `lead` to `to` in memory, checking the table. The caller then writes it with
/// `LeadStore::update(lead, expected)` where `expected` was taken before the change.
pub fn transition(lead: &mut Lead, to: Stage) -> Result<(), TransitionError> {
    if !allowed(lead.stage, to) {
        return Err(TransitionError {
            lead: lead.id.to_string(),
            from: lead.stage,
            to,
        });
    }
    lead.stage = to;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_happy_path_is_allowed_step_by_step() {
        for w in [
            New, Selected, Validated, Researched, Contacted, Engaged, HandedOver,
        ]
        .windows(2)
        {
            assert!(allowed(w[0], w[1]), "{} → {}", w[0], w[1]);
        }
    }

    #[test]
    fn stages_cannot_be_skipped_or_reversed() {
        assert!(!allowed(New, Validated));
        assert!(!allowed(Selected, Researched));
        assert!(!allowed(Researched, Selected));
        assert!(!allowed(Validated, Selected));
        assert!(!allowed(Contacted, Researched));
    }

    #[test]
    fn a_reply_can_end_a_lead_in_any_stage_before_it_ends() {
        for from in [
            New, Selected, Validated, Researched, Contacted, Engaged, Nurture,
        ] {
            for to in [HandedOver, Disqualified, Suppressed, Bounced] {
                assert!(allowed(from, to), "{from} → {to}");
            }
        }
    }

    #[test]
    fn a_suppressed_lead_never_leaves_suppression() {
        for to in Stage::ALL {
            assert!(!allowed(Suppressed, to), "suppressed → {to}");
        }
    }

    #[test]
    fn final_outcomes_are_not_repeated() {
        assert!(!allowed(HandedOver, HandedOver));
        assert!(!allowed(Bounced, Bounced));
        assert!(allowed(HandedOver, Suppressed));
    }

    #[test]
    fn transition_changes_the_stage_only_when_allowed() {
        let mut lead = Lead::new(LeadIdForTest::id(), chrono::Utc::now());
        assert!(transition(&mut lead, Researched).is_err());
        assert_eq!(lead.stage, New);
        transition(&mut lead, Selected).unwrap();
        assert_eq!(lead.stage, Selected);
    }

    struct LeadIdForTest;
    impl LeadIdForTest {
        fn id() -> crate::domain::LeadId {
            crate::domain::LeadId::parse("L0001").unwrap()
        }
    }
}
