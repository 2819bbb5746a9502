//! The research stage: reads the lead's company website through the web port, then scores
//! the lead against the ICP (the fit agent writes its own run record).
//!
//! A lead in an industry the ICP excludes is disqualified with that reason; every other lead
//! goes on to outreach (a draft for the seller in research-only mode).

use super::{Outcome, StageError, StageMessage, Step, enqueue, is_conflict, load, save};
use crate::agents::{fit, research};
use crate::domain::{Research, Stage};
use crate::lifecycle::{Expected, transition};
use crate::ports::{Deps, QueueName};

/// How long a company's research is reused for other leads of the same company.
const CACHE_TTL: std::time::Duration = std::time::Duration::from_secs(3600);
const CACHE_CAP: usize = 1024;

type CacheKey = (usize, String, String);
static CACHE: once_cell::sync::Lazy<
    std::sync::Mutex<std::collections::HashMap<CacheKey, (std::time::Instant, Research)>>,
> = once_cell::sync::Lazy::new(Default::default);

/// Research the lead's company again after a person changed it (research and fit only; the
/// stage stays where it is). Returns the new fit decision.
pub async fn rerun(deps: &Deps, lead: &mut crate::domain::Lead) -> Result<String, StageError> {
    let found = if lead.website.trim().is_empty() {
        Research {
            error: Some("the lead has no website".into()),
            ..Default::default()
        }
    } else {
        research::research(
            &lead.website,
            deps.ports.web.as_ref(),
            &deps.config.web.user_agent,
        )
        .await
    };
    lead.research = Some(found);
    let verdict = fit::score_lead(lead, &deps.config.icp());
    let decision = format!("score {} tier {}", verdict.score, verdict.tier.as_str());
    lead.fit = Some(verdict);
    Ok(decision)
}

/// Research a website, reusing a result from the last hour for the same domain: leads of one
/// company share what its website says, and reading it again per lead would only cost time
/// and load on the company's server. Results with an error are never reused (a transient
/// failure must not stick), and the key includes the web port, so two adapters (or tests)
/// never share entries.
async fn cached_research(deps: &Deps, website: &str) -> Research {
    let ua = &deps.config.web.user_agent;
    let port = std::sync::Arc::as_ptr(&deps.ports.web) as *const () as usize;
    let Some(domain) = research::domain_of(website) else {
        return research::research(website, deps.ports.web.as_ref(), ua).await;
    };
    let key = (port, domain, ua.clone());
    {
        let cache = CACHE.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((at, r)) = cache.get(&key)
            && at.elapsed() < CACHE_TTL
        {
            return r.clone();
        }
    }
    let found = research::research(website, deps.ports.web.as_ref(), ua).await;
    if found.error.is_none() {
        let mut cache = CACHE.lock().unwrap_or_else(|p| p.into_inner());
        if cache.len() >= CACHE_CAP {
            cache.retain(|_, (at, _)| at.elapsed() < CACHE_TTL);
            if cache.len() >= CACHE_CAP {
                cache.clear();
            }
        }
        cache.insert(key, (std::time::Instant::now(), found.clone()));
    }
    found
}

pub async fn handle(msg: StageMessage, deps: &Deps) -> Result<Outcome, StageError> {
    let mut lead = load(deps, &msg.lead_id).await?;
    if lead.stage != Stage::Validated {
        return Ok(Outcome {
            lead_id: Some(lead.id),
            decision: format!("skipped: lead is {}", lead.stage),
        });
    }
    let mut step = Step::start(deps, &msg.run_id, Some(&lead.id), "research");
    step.inputs(&(&lead.website, &lead.company));
    let found = if deps.config.web.source == "off" {
        Research {
            error: Some("web research is off (web.source = \"off\")".into()),
            ..Default::default()
        }
    } else if lead.website.trim().is_empty() {
        Research {
            error: Some("the lead has no website".into()),
            ..Default::default()
        }
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
            return Ok(Outcome {
                lead_id: Some(lead.id),
                decision: "skipped: another delivery researched the lead".into(),
            });
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
