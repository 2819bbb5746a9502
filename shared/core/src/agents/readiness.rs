//! The readiness agent: is a lead ready for a seller, and which handoff criteria are met?

use crate::config::AgentConfig;
use crate::domain::{Intent, Lead};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Readiness {
    pub ready: bool,
    pub met: Vec<String>,
    pub missing: Vec<String>,
}

pub fn assess(lead: &Lead, intent: Intent, cfg: &AgentConfig) -> Readiness {
    let mut met = Vec::new();
    let mut missing = Vec::new();
    let h = &cfg.handoff;
    let intent_ok = h.on_purchase_intent && intent == Intent::Interested;
    if intent_ok {
        met.push("purchase intent: asked for a demo, meeting, trial or proposal".to_string());
    }
    let bant_ok = h.min_bant_known > 0 && lead.bant.known() >= h.min_bant_known;
    if bant_ok {
        met.push(format!("{} of 4 BANT facts known", lead.bant.known()));
    } else if h.min_bant_known > 0 {
        missing.push(format!(
            "{} of {} required BANT facts known",
            lead.bant.known(),
            h.min_bant_known
        ));
    }
    let tier_ok = match &lead.fit {
        Some(f) => f.tier <= cfg.min_tier(),
        None => true,
    };
    if !tier_ok {
        missing.push(format!("fit tier below {}", cfg.handoff.min_tier.as_str()));
    }
    if !intent_ok && h.on_purchase_intent && !bant_ok {
        missing.push("no purchase intent yet".into());
    }
    Readiness {
        ready: (intent_ok || bant_ok) && tier_ok,
        met,
        missing,
    }
}
