//! The research stage: reads the lead's company website through the web port, then scores
//! the lead against the ICP (the fit agent writes its own run record).
//!
//! A lead in an industry the ICP excludes is disqualified with that reason; every other lead
//! goes on to outreach (a draft for the seller in research-only mode).

use super::{Outcome, StageError, StageMessage, Step, enqueue, is_conflict, load, save};
use crate::agents::{fit, research};
use crate::domain::{Research, Stage};
use crate::lifecycle::{Expected, transition};
use crate::model::gateway;
use crate::model::spotlight::PageText;
use crate::ports::{Deps, QueueName};

use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;
use std::sync::Mutex;

/// What a company's website said, kept for other leads of the same company: leads of one
/// company share what its site says, and reading it again per lead would only cost time and
/// load on the company's server. One cache belongs to one `Deps` (one process's wiring), and
/// its entries age by the `Clock` port, so `--now` and tests see the same expiry as
/// production.
pub struct ResearchCache {
    ttl: Duration,
    cap: usize,
    entries: Mutex<HashMap<CacheKey, (DateTime<Utc>, Read)>>,
}

/// What a site said: the research and the visible text of each page read (for the model).
pub type Read = (Research, Vec<PageText>);

/// Domain and user agent: robots.txt may let one agent read what it forbids another.
type CacheKey = (String, String);

impl Default for ResearchCache {
    fn default() -> Self {
        ResearchCache::new(Duration::hours(1), 1024)
    }
}

impl ResearchCache {
    pub fn new(ttl: Duration, cap: usize) -> ResearchCache {
        ResearchCache {
            ttl,
            cap: cap.max(1),
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The research of `domain` read with `user_agent` at most `ttl` before `now`.
    pub fn get(&self, domain: &str, user_agent: &str, now: DateTime<Utc>) -> Option<Read> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let (at, r) = entries.get(&(domain.to_string(), user_agent.to_string()))?;
        (now >= *at && now - *at < self.ttl).then(|| r.clone())
    }

    /// Keep a result; results with an error are never kept (a transient failure must not
    /// stick). At capacity, expired entries go first, then everything.
    pub fn put(&self, domain: &str, user_agent: &str, now: DateTime<Utc>, read: &Read) {
        if read.0.error.is_some() {
            return;
        }
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= self.cap {
            let ttl = self.ttl;
            entries.retain(|_, (at, _)| now >= *at && now - *at < ttl);
            if entries.len() >= self.cap {
                entries.clear();
            }
        }
        entries.insert(
            (domain.to_string(), user_agent.to_string()),
            (now, read.clone()),
        );
    }
}

/// Research the lead's company again after a person changed it (research and fit only; the
/// stage stays where it is). Returns the new fit decision.
pub async fn rerun(deps: &Deps, lead: &mut crate::domain::Lead) -> Result<String, StageError> {
    let found = if lead.website.trim().is_empty() {
        Research {
            error: Some("the lead has no website".into()),
            ..Default::default()
        }
    } else {
        research::research_with(
            &lead.website,
            deps.ports.web.as_ref(),
            &deps.config.web.user_agent,
            &research::Vocabulary::of(&deps.config),
        )
        .await
    };
    lead.research = Some(found);
    let verdict = fit::score_lead(lead, &deps.config.icp());
    let decision = format!("score {} tier {}", verdict.score, verdict.tier.as_str());
    lead.fit = Some(verdict);
    Ok(decision)
}

/// Research a website, reusing the cached research of its domain (see [`ResearchCache`]).
async fn cached_research(deps: &Deps, website: &str) -> Read {
    let ua = &deps.config.web.user_agent;
    let vocab = research::Vocabulary::of(&deps.config);
    let Some(domain) = research::domain_of(website) else {
        return research::read_site(website, deps.ports.web.as_ref(), ua, &vocab).await;
    };
    let now = deps.ports.clock.now();
    if let Some(r) = deps.research_cache.get(&domain, ua, now) {
        return r;
    }
    let found = research::read_site(website, deps.ports.web.as_ref(), ua, &vocab).await;
    deps.research_cache.put(&domain, ua, now, &found);
    found
}

pub async fn handle(msg: StageMessage, deps: &Deps) -> Result<Outcome, StageError> {
    let mut lead = load(deps, &msg.lead_id).await?;
    if lead.stage != Stage::Validated {
        return Ok(Outcome::skipped(
            Some(lead.id),
            format!("lead is {}", lead.stage),
        ));
    }
    let mut step = Step::start(deps, &msg.run_id, Some(&lead.id), "research");
    step.inputs(&(&lead.website, &lead.company));
    let (mut found, pages) = if deps.config.web.source == crate::config::WebSource::Off {
        let r = Research {
            error: Some("web research is off (web.source = \"off\")".into()),
            ..Default::default()
        };
        (r, Vec::new())
    } else if lead.website.trim().is_empty() {
        let r = Research {
            error: Some("the lead has no website".into()),
            ..Default::default()
        };
        (r, Vec::new())
    } else {
        cached_research(deps, &lead.website).await
    };
    let mut reasons = vec![match &found.error {
        Some(e) => format!("no research: {e}"),
        None => format!(
            "{} pages read, {} facts, {} news items{}",
            found.sources.len(),
            found.facts.len(),
            found.news.len(),
            if found.injection_seen {
                "; text aimed at AI agents was ignored"
            } else {
                ""
            }
        ),
    }];
    if !found.disallowed.is_empty() {
        reasons.push(format!(
            "robots.txt forbade {}",
            found.disallowed.join(", ")
        ));
    }
    if found.error.is_none() && !pages.is_empty() {
        // The model's research task (when configured): the pages go as data blocks, each
        // fact it returns must quote its page; the agent's own facts stay.
        let offline = std::mem::take(&mut found.facts);
        let mut model_step = Step::start(deps, &msg.run_id, Some(&lead.id), "research");
        found.facts = gateway::research(deps, &mut model_step, &lead, pages, offline).await;
        for call in model_step.record.model_calls.drain(..) {
            step.call(call);
        }
        reasons.append(&mut model_step.record.reasons);
    }
    lead.research = Some(found);

    let icp = deps.config.icp();
    let mut fit_step = Step::start(deps, &msg.run_id, Some(&lead.id), "fit");
    fit_step.inputs(&(
        &lead.industry,
        &lead.employees,
        &lead.country,
        &lead.title,
        &lead.tech_stack,
        &icp,
    ));
    let verdict = fit::score_lead(&lead, &icp);
    let fit_reasons: Vec<String> = verdict
        .criteria
        .iter()
        .map(|c| format!("{} {}/{}: {}", c.name, c.points, c.weight, c.reason))
        .collect();
    let fit_decision = format!("score {} tier {}", verdict.score, verdict.tier.as_str());
    let excluded = verdict.excluded;
    lead.fit = Some(verdict);

    let expected = Expected::of(&lead);
    transition(&mut lead, Stage::Researched).map_err(StageError::permanent)?;
    if excluded {
        transition(&mut lead, Stage::Disqualified).map_err(StageError::permanent)?;
        lead.reason = Some("industry excluded by the ideal customer profile".into());
    }
    match save(deps, &mut lead, expected).await {
        Ok(()) => {}
        Err(e) if is_conflict(&e) => {
            return Ok(Outcome::skipped(
                Some(lead.id),
                "another delivery researched the lead",
            ));
        }
        Err(e) => return Err(step.fail(deps, e).await),
    }
    fit_step.finish(deps, &fit_decision, fit_reasons).await?;
    if excluded {
        reasons.push("disqualified: industry excluded by the ICP".into());
        return step.finish(deps, "disqualified", reasons).await;
    }
    enqueue(
        deps,
        QueueName::Outreach,
        &StageMessage::new(lead.id.clone(), &msg.run_id),
    )
    .await?;
    step.finish(deps, "researched", reasons).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn found() -> Research {
        Research {
            domain: Some("a.example".into()),
            ..Default::default()
        }
    }

    #[test]
    fn cached_research_expires_by_the_clock_not_the_wall() {
        let cache = ResearchCache::new(Duration::hours(1), 8);
        let t0 = Utc.with_ymd_and_hms(2026, 11, 21, 9, 0, 0).unwrap();
        cache.put("a.example", "UA", t0, &(found(), Vec::new()));
        assert!(
            cache
                .get("a.example", "UA", t0 + Duration::minutes(59))
                .is_some()
        );
        assert!(
            cache
                .get("a.example", "UA", t0 + Duration::hours(1))
                .is_none()
        );
        assert!(cache.get("a.example", "Other", t0).is_none());
        // A clock set back before the entry does not make it valid.
        assert!(
            cache
                .get("a.example", "UA", t0 - Duration::minutes(1))
                .is_none()
        );
    }

    #[test]
    fn research_with_an_error_is_never_cached() {
        let cache = ResearchCache::default();
        let t0 = Utc.with_ymd_and_hms(2026, 11, 21, 9, 0, 0).unwrap();
        let failed = Research {
            error: Some("timeout".into()),
            ..Default::default()
        };
        cache.put("a.example", "UA", t0, &(failed, Vec::new()));
        assert!(cache.get("a.example", "UA", t0).is_none());
    }

    #[test]
    fn a_full_cache_drops_expired_entries_first() {
        let cache = ResearchCache::new(Duration::hours(1), 2);
        let t0 = Utc.with_ymd_and_hms(2026, 11, 21, 9, 0, 0).unwrap();
        let read = (found(), Vec::new());
        cache.put("old.example", "UA", t0, &read);
        cache.put("new.example", "UA", t0 + Duration::minutes(90), &read);
        cache.put("third.example", "UA", t0 + Duration::minutes(91), &read);
        let now = t0 + Duration::minutes(92);
        assert!(cache.get("new.example", "UA", now).is_some());
        assert!(cache.get("third.example", "UA", now).is_some());
    }
}
