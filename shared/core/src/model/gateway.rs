//! The gateway: the one place a stage asks a model for something. Each function here asks
//! the configured model, checks the answer ([`checks`]), and falls back to the offline engine
//! when the answer cannot be used — a timeout, an error, a schema violation after one repair
//! attempt, a failed check, a budget or an open circuit breaker. Every call, and every
//! fallback with its reason, goes into the step's run record.

use crate::agents::outreach::{self, AnswerInput, Draft, DraftInput, Passage};
use crate::agents::{classify as offline_classify, summary};
use crate::domain::{Classification, Fact, Lead, LeadId};
use crate::mail::parse::InboundEmail;
use crate::model::checks;
use crate::model::spotlight::{ClassifyInput, PageText, ResearchInput};
use crate::ports::{Deps, ModelCall, ModelContext, ModelError, ModelOutput, ModelTask};
use crate::stages::Step;
use serde_json::Value;
use std::time::Instant;

/// How asking went.
enum Asked<T> {
    /// The model's answer passed every check.
    Used(T),
    /// The offline engine answers (the reason is in the run record).
    Fallback,
    /// The model was not asked (machine mail, a task left to the offline engine, nothing to
    /// ground an answer on).
    Skipped,
}

/// The tokens `lead` has used so far: its earlier run records and this step's calls.
async fn context(deps: &Deps, lead: Option<&LeadId>, step: &Step) -> ModelContext {
    let mut used = step.record.tokens_in + step.record.tokens_out;
    if let Some(id) = lead
        && deps.config.model.budget_tokens_per_lead > 0
        && !deps.ports.model.is_offline()
    {
        match deps.ports.runs.for_lead(id).await {
            Ok(records) => {
                used += records
                    .iter()
                    .map(|r| r.tokens_in + r.tokens_out)
                    .sum::<u64>();
            }
            Err(e) => tracing::warn!(
                lead = %id,
                error = %e,
                "cannot read the lead's run records: its token budget counts this step only"
            ),
        }
    }
    ModelContext {
        lead: lead.cloned(),
        lead_tokens: used,
    }
}

fn record(
    deps: &Deps,
    step: &mut Step,
    task: ModelTask,
    out: Option<&ModelOutput>,
    latency_ms: u64,
    fallback: Option<&str>,
) {
    let m = &deps.config.model;
    let (provider, model, prompt, tin, tout, latency) = match out {
        Some(o) => (
            o.provider.clone(),
            o.model.clone(),
            o.prompt_version.clone(),
            o.tokens_in,
            o.tokens_out,
            o.latency_ms.max(latency_ms),
        ),
        None => (
            m.provider.as_str().to_string(),
            deps.ports.model.name().to_string(),
            crate::model::prompts::prompt(task).version(),
            0,
            0,
            latency_ms,
        ),
    };
    let call = ModelCall {
        task,
        cost: deps.ports.model.cost(tin, tout),
        provider,
        model,
        prompt,
        tokens_in: tin,
        tokens_out: tout,
        latency_ms: latency,
        fallback: fallback.map(str::to_string),
    };
    if let Some(why) = fallback {
        step.record.reasons.push(format!(
            "{}: the offline engine answered ({why})",
            task.as_str()
        ));
    }
    step.call(call);
}

/// Ask the model for `task`. `check` turns its output into the caller's type; it gets
/// `true` for the offline engine, whose answers need no second opinion.
async fn ask<T>(
    deps: &Deps,
    step: &mut Step,
    lead: Option<&LeadId>,
    task: ModelTask,
    input: &Value,
    check: impl FnOnce(&Value, bool) -> Result<T, String>,
) -> Asked<T> {
    let offline = deps.ports.model.is_offline();
    if !offline && !deps.config.model.tasks.contains(&task) {
        return Asked::Skipped;
    }
    let ctx = context(deps, lead, step).await;
    let started = Instant::now();
    let result = deps.ports.model.run_for(&ctx, task, input).await;
    let latency = started.elapsed().as_millis() as u64;
    match result {
        Ok(out) => match check(&out.output, offline) {
            Ok(t) => {
                record(deps, step, task, Some(&out), latency, None);
                Asked::Used(t)
            }
            Err(why) => {
                let why = format!("failed a check: {why}");
                record(deps, step, task, Some(&out), latency, Some(&why));
                Asked::Fallback
            }
        },
        Err(ModelError::Unusable(why, out)) => {
            let why = format!("unusable answer: {why}");
            record(deps, step, task, Some(&out), latency, Some(&why));
            Asked::Fallback
        }
        Err(e) => {
            let why = match &e {
                ModelError::Refused(r) => format!("not called: {r}"),
                other => format!("{other:#}"),
            };
            record(deps, step, task, None, latency, Some(&why));
            Asked::Fallback
        }
    }
}

fn parse<T: serde::de::DeserializeOwned>(v: &Value) -> Result<T, String> {
    serde_json::from_value(v.clone()).map_err(|e| format!("the answer does not parse: {e}"))
}

/// The first email or a follow-up.
pub async fn draft(deps: &Deps, step: &mut Step, lead: &Lead, input: &DraftInput) -> Draft {
    // `outreach.mode` composed or template: the config's own wording, no model.
    if input.compose.mode != crate::config::OutreachMode::Model {
        return outreach::draft(input);
    }
    let Ok(value) = serde_json::to_value(input) else {
        return outreach::draft(input);
    };
    let unsubscribe = crate::stages::outreach::unsubscribe_url(deps, lead);
    let asked = ask(
        deps,
        step,
        Some(&lead.id),
        ModelTask::Draft,
        &value,
        |v, offline| {
            if offline {
                parse::<Draft>(v).and_then(|d| {
                    if d.subject.trim().is_empty() || d.body.trim().is_empty() {
                        Err("the draft is empty".into())
                    } else {
                        Ok(d)
                    }
                })
            } else {
                checks::draft(v, input, &deps.config, &unsubscribe)
            }
        },
    )
    .await;
    match asked {
        Asked::Used(d) => d,
        Asked::Fallback | Asked::Skipped => outreach::draft(input),
    }
}

/// The workspace's question-topic vocabulary (built once per configuration).
pub fn topic_vocabulary(deps: &Deps) -> std::sync::Arc<offline_classify::Topics> {
    deps.topics.get(&deps.config)
}

/// The question topics the knowledge is tagged with, in order of first appearance.
pub fn knowledge_topics(deps: &Deps) -> Vec<String> {
    topic_vocabulary(deps).tags()
}

/// Read a reply. Machine mail is read by the offline engine only; a model's reading is
/// checked against the offline engine's (opt-outs are a floor) and its action comes from
/// the intent table. The offline engine reads question topics in the workspace's
/// vocabulary.
pub async fn classify(deps: &Deps, step: &mut Step, mail: &InboundEmail) -> Classification {
    let lead = step.record.lead_id.clone();
    let vocabulary = topic_vocabulary(deps);
    let offline_model = deps.ports.model.is_offline();
    if offline_model {
        // The offline model is the offline engine; its call is recorded, but the model port
        // carries no workspace, so the reading that counts is the one with the workspace's
        // topic vocabulary.
        let input = serde_json::json!({ "email": mail });
        let _ = ask(
            deps,
            step,
            lead.as_ref(),
            ModelTask::Classify,
            &input,
            |v, _| parse::<Classification>(v),
        )
        .await;
        return offline_classify::classify_with(mail, &vocabulary);
    }
    let offline = offline_classify::classify_with(mail, &vocabulary);
    if checks::is_machine(&offline, mail) {
        return offline;
    }
    let topics = vocabulary.tags();
    let input = ClassifyInput {
        email: mail.clone(),
        topics: topics.clone(),
        seller_company: deps.config.company.name.clone(),
    };
    let Ok(value) = serde_json::to_value(&input) else {
        return offline;
    };
    let asked = ask(
        deps,
        step,
        lead.as_ref(),
        ModelTask::Classify,
        &value,
        |v, _| checks::classification(v, &offline, mail, &vocabulary),
    )
    .await;
    match asked {
        Asked::Used((c, notes)) => {
            step.record.reasons.extend(notes);
            c
        }
        Asked::Fallback | Asked::Skipped => offline,
    }
}

/// The passages retrieved for a lead's question: BM25 over every section of the knowledge
/// with the seller's topic tags as a boost, and the battle cards of the competitors named.
pub fn passages(deps: &Deps, lead: &Lead, question: &str, topics: &[String]) -> Vec<Passage> {
    outreach::passages_for(lead, question, topics, &deps.config)
}

/// An answer to a lead's message, and the questions it leaves to a person.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Answered {
    /// `None` when the knowledge answers none of the questions (a person must answer).
    pub draft: Option<Draft>,
    /// The questions the knowledge cannot answer (all of them without a draft).
    pub open: Vec<String>,
}

/// Answer a lead's questions from retrieved knowledge passages, one retrieval per question:
/// the answer covers those the knowledge answers and says a colleague follows up on the
/// rest ([`Answered::open`]).
pub async fn answer(
    deps: &Deps,
    step: &mut Step,
    lead: &Lead,
    question: &str,
    subject: &str,
    topics: &[String],
) -> Answered {
    let cov = outreach::coverage(
        lead,
        question,
        topics,
        &topic_vocabulary(deps),
        &deps.config,
    );
    if cov.passages.is_empty() {
        return Answered {
            draft: None,
            open: cov.asked,
        };
    }
    let mut input = AnswerInput::new(lead, question, subject, cov.passages, &deps.config);
    input.open_questions = cov.open.clone();
    let draft = answer_with(deps, step, lead, &input)
        .await
        .map(|d| outreach::with_open_phrase(d, &input));
    match draft {
        Some(d) => Answered {
            draft: Some(d),
            open: cov.open,
        },
        None => Answered {
            draft: None,
            open: cov.asked,
        },
    }
}

async fn answer_with(
    deps: &Deps,
    step: &mut Step,
    lead: &Lead,
    input: &AnswerInput,
) -> Option<Draft> {
    let Ok(value) = serde_json::to_value(input) else {
        return outreach::answer_from(input);
    };
    let unsubscribe = crate::stages::outreach::unsubscribe_url(deps, lead);
    let asked = ask(
        deps,
        step,
        Some(&lead.id),
        ModelTask::Answer,
        &value,
        |v, offline| {
            if offline {
                parse::<Option<Draft>>(v)?.ok_or_else(|| "no answer".to_string())
            } else {
                checks::answer(v, input, &deps.config, &unsubscribe)
            }
        },
    )
    .await;
    match asked {
        Asked::Used(d) => Some(d),
        Asked::Fallback | Asked::Skipped => outreach::answer_from(input),
    }
}

/// The seller's handover summary.
pub async fn summarize(deps: &Deps, step: &mut Step, lead: &Lead) -> String {
    let input = serde_json::json!({ "lead": lead });
    let asked = ask(
        deps,
        step,
        Some(&lead.id),
        ModelTask::Summarize,
        &input,
        |v, _| checks::summary(v),
    )
    .await;
    match asked {
        Asked::Used(s) => s,
        Asked::Fallback | Asked::Skipped => summary::handover_summary(lead),
    }
}

/// Facts about the lead's company from its pages' visible texts, each quoting its page. The
/// research agent's own facts (`offline`) are the floor: they are always kept, and the
/// model's facts that pass the quote check ([`checks::research`]) are added after them; the
/// facts that fail are dropped, each with its reason in the run record.
pub async fn research(
    deps: &Deps,
    step: &mut Step,
    lead: &Lead,
    pages: Vec<PageText>,
    offline: Vec<Fact>,
) -> Vec<Fact> {
    if deps.ports.model.is_offline() || pages.is_empty() {
        return offline;
    }
    let input = ResearchInput {
        company: lead.company.trim().to_string(),
        pages,
    };
    let Ok(value) = serde_json::to_value(&input) else {
        return offline;
    };
    let asked = ask(
        deps,
        step,
        Some(&lead.id),
        ModelTask::Research,
        &value,
        |v, _| checks::research(v, &input.pages),
    )
    .await;
    match asked {
        Asked::Used(checked) => {
            let mut facts = offline;
            let before = facts.len();
            for f in checked.facts {
                if !facts.iter().any(|o| o.text.eq_ignore_ascii_case(&f.text)) {
                    facts.push(f);
                }
            }
            step.record.reasons.push(format!(
                "research: the model added {} quoted facts, {} dropped",
                facts.len() - before,
                checked.dropped.len()
            ));
            step.record.reasons.extend(checked.dropped);
            if checked.injection {
                step.record
                    .reasons
                    .push("research: the model saw text aimed at AI agents (ignored)".into());
            }
            facts
        }
        Asked::Fallback | Asked::Skipped => offline,
    }
}
