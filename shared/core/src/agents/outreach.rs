//! The outreach agent: first emails, follow-ups and answers, written from the config, the
//! lead's research and the team's knowledge — and the guardrails every outgoing email
//! passes, whoever wrote it (the offline agent, a template or a language model).
//!
//! What an email says comes from the workspace (`sqa.toml`: company, products, value
//! propositions, pain and proof points, segments, call to action, calendar link, template;
//! the knowledge and battle cards); how it is said, in the email's language, from the
//! phrase sets ([`crate::agents::phrases`]).

use crate::agents::classify;
use crate::agents::knowledge;
use crate::agents::phrases::{self, Phrases};
use crate::config::{AgentConfig, BantDimension, OutreachMode, Purpose, Template};
use crate::domain::{Bant, Lead};
use serde::{Deserialize, Serialize};

pub use crate::agents::knowledge::{Section, retrieve, sections};

/// What the agent wants to send (before the footer is added).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    pub subject: String,
    pub body: String,
    /// Research facts or knowledge sections the draft relies on.
    pub cited: Vec<String>,
}

/// A competitor the lead works with, and what the seller may say about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct CompetitorPoint {
    pub name: String,
    pub point: String,
    /// The battle card it comes from.
    pub source: String,
}

/// How the email is written, chosen for the lead from the config: its language and phrase
/// set, the value proposition, pain and proof point of its segment, the call to action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Compose {
    pub mode: OutreachMode,
    /// ISO 639-1 code of the email's language.
    pub lang: String,
    /// The phrase set of `lang` with the workspace's overrides (none: the shipped one).
    pub phrases: Option<Phrases>,
    /// The segment the lead falls in (empty: none).
    pub segment: String,
    pub value_proposition: String,
    pub pain_point: String,
    pub proof_point: String,
    pub call_to_action: String,
    pub calendar_link: String,
    pub subject_topic: String,
    pub competitor: Option<CompetitorPoint>,
    pub template: Option<Template>,
    /// For a model: tone, instructions and length.
    pub tone: String,
    pub instructions: Vec<String>,
    pub max_words: u32,
}

impl Compose {
    pub fn phrases(&self) -> Phrases {
        self.phrases
            .clone()
            .unwrap_or_else(|| phrases::shipped(&self.lang))
    }
}

/// The input of the draft task (also what a language model would get, as data).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DraftInput {
    pub touch: u32,
    pub first_name: String,
    pub company: String,
    pub title: String,
    pub tech: Vec<String>,
    pub facts: Vec<String>,
    pub news: Vec<String>,
    pub seller_company: String,
    pub product: String,
    pub value_propositions: Vec<String>,
    pub signature: String,
    pub previous_subject: Option<String>,
    #[serde(default)]
    pub compose: Compose,
    /// The passages of the knowledge read for outreach that best match the lead and the
    /// chosen value proposition: what a writer may draw a value statement or proof point
    /// from (cited by id).
    #[serde(default)]
    pub knowledge: Vec<Passage>,
}

/// The language of the lead's last message, if it wrote one.
pub fn lead_language(lead: &Lead) -> Option<String> {
    lead.inbound
        .iter()
        .rev()
        .map(|e| e.classification.lang.trim())
        .find(|l| !l.is_empty())
        .map(phrases::normalise)
}

/// The segment of `[outreach.segments]` the lead falls in: the first whose every non-empty
/// list matches.
pub fn segment<'a>(lead: &Lead, cfg: &'a AgentConfig) -> Option<&'a crate::config::Segment> {
    let industry = lead.industry.trim().to_lowercase();
    let title = lead.title.trim().to_lowercase();
    let country = lead.country.trim().to_uppercase();
    cfg.outreach.segments.iter().find(|s| {
        (s.industries.is_empty()
            || s.industries
                .iter()
                .any(|i| i.trim().to_lowercase() == industry))
            && (s.titles.is_empty()
                || s.titles
                    .iter()
                    .any(|t| !t.trim().is_empty() && title.contains(&t.trim().to_lowercase())))
            && (s.countries.is_empty()
                || s.countries
                    .iter()
                    .any(|c| c.trim().to_uppercase() == country))
    })
}

/// The first email's language: the segment's, else the one for the lead's country, else
/// `outreach.language`, else the seller's.
pub fn first_language(lead: &Lead, cfg: &AgentConfig) -> String {
    let seg = segment(lead, cfg)
        .map(|s| s.language.trim())
        .filter(|l| !l.is_empty());
    let country = lead.country.trim().to_uppercase();
    let by_country = cfg
        .outreach
        .countries
        .iter()
        .find(|(c, _)| c.trim().to_uppercase() == country)
        .map(|(_, l)| l.trim())
        .filter(|l| !l.is_empty());
    let default = Some(cfg.outreach.language.trim()).filter(|l| !l.is_empty());
    phrases::normalise(
        seg.or(by_country)
            .or(default)
            .unwrap_or(cfg.company.language.as_str()),
    )
}

/// The language of mail to `lead` now: the language of its last message, else the first
/// email's.
pub fn language_for(lead: &Lead, cfg: &AgentConfig) -> String {
    lead_language(lead).unwrap_or_else(|| first_language(lead, cfg))
}

/// The item of `base` at `i`, in `lang` when `[outreach.localized.<lang>]` has it.
fn localized(
    cfg: &AgentConfig,
    lang: &str,
    pick: fn(&crate::config::Localized) -> &Vec<String>,
    base: &[String],
    i: usize,
) -> Option<String> {
    if lang != phrases::normalise(&cfg.company.language)
        && let Some(l) = cfg.outreach.localized.get(lang)
        && let Some(t) = pick(l).get(i).filter(|t| !t.trim().is_empty())
    {
        return Some(t.clone());
    }
    base.get(i).cloned()
}

/// The index of the item of `items` that shares the most words with what is known of the
/// lead (industry, title, tech stack, notes); the first when none shares any.
fn best_for_lead(items: &[String], lead: &Lead) -> usize {
    let about: std::collections::BTreeSet<String> = knowledge::terms(&format!(
        "{} {} {} {}",
        lead.industry, lead.title, lead.tech_stack, lead.notes
    ))
    .into_iter()
    .collect();
    let mut best = (0, 0usize);
    for (i, item) in items.iter().enumerate() {
        let words: std::collections::BTreeSet<String> =
            knowledge::terms(item).into_iter().collect();
        let n = words.intersection(&about).count();
        if n > best.1 {
            best = (i, n);
        }
    }
    best.0
}

impl Compose {
    /// How to write to `lead` at `touch`, from the config.
    pub fn for_lead(lead: &Lead, cfg: &AgentConfig, touch: u32) -> Compose {
        let o = &cfg.outreach;
        let lang = if touch <= 1 {
            first_language(lead, cfg)
        } else {
            language_for(lead, cfg)
        };
        let seg = segment(lead, cfg);
        let c = &cfg.company;
        let pick_text =
            |seg_text: Option<&str>,
             base: &[String],
             loc: fn(&crate::config::Localized) -> &Vec<String>| {
                match seg_text.map(str::trim).filter(|t| !t.is_empty()) {
                    Some(t) => t.to_string(),
                    None => {
                        let i = best_for_lead(base, lead);
                        localized(cfg, &lang, loc, base, i).unwrap_or_default()
                    }
                }
            };
        let value_proposition = pick_text(
            seg.map(|s| s.value_proposition.as_str()),
            &c.value_propositions,
            |l| &l.value_propositions,
        );
        let pain_point = pick_text(seg.map(|s| s.pain_point.as_str()), &c.pain_points, |l| {
            &l.pain_points
        });
        let proof_point = pick_text(seg.map(|s| s.proof_point.as_str()), &c.proof_points, |l| {
            &l.proof_points
        });
        let loc = cfg.outreach.localized.get(&lang);
        let local_or = |pick: fn(&crate::config::Localized) -> &String, base: &str| {
            loc.map(pick)
                .filter(|t| !t.trim().is_empty() && lang != phrases::normalise(&c.language))
                .cloned()
                .unwrap_or_else(|| base.to_string())
        };
        let call_to_action = match seg
            .map(|s| s.call_to_action.trim())
            .filter(|t| !t.is_empty())
        {
            Some(t) => t.to_string(),
            None => local_or(|l| &l.call_to_action, &o.call_to_action),
        };
        let competitor = knowledge::competitors_named(cfg, &[&lead.tech_stack, &lead.notes])
            .into_iter()
            .find_map(|i| {
                let comp = cfg.knowledge.competitors.get(i)?;
                (!comp.pitch.trim().is_empty()).then(|| CompetitorPoint {
                    name: comp.name.clone(),
                    point: comp.pitch.trim().to_string(),
                    source: comp.card.clone(),
                })
            });
        let subject_topic = local_or(|l| &l.subject_topic, &o.subject_topic);
        Compose {
            mode: o.mode,
            phrases: Some(phrases::resolve(&lang, &cfg.phrases)),
            lang,
            segment: seg.map(|s| s.name.clone()).unwrap_or_default(),
            value_proposition,
            pain_point,
            proof_point,
            call_to_action,
            calendar_link: o.calendar_link.trim().to_string(),
            subject_topic,
            competitor,
            template: o.template.clone(),
            tone: o.tone.clone(),
            instructions: o.instructions.clone(),
            max_words: o.max_words,
        }
    }
}

impl DraftInput {
    pub fn new(lead: &Lead, cfg: &AgentConfig, touch: u32) -> DraftInput {
        let research = lead.research.as_ref();
        let mut tech: Vec<String> = lead
            .tech_stack
            .split(';')
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .collect();
        if tech.is_empty()
            && let Some(r) = research
        {
            tech = r.tech.clone();
        }
        let compose = Compose::for_lead(lead, cfg, touch);
        let c = &cfg.company;
        let value_propositions = (0..c.value_propositions.len())
            .filter_map(|i| {
                localized(
                    cfg,
                    &compose.lang,
                    |l| &l.value_propositions,
                    &c.value_propositions,
                    i,
                )
            })
            .collect();
        DraftInput {
            touch,
            first_name: tidy_name(&lead.first_name),
            company: lead.company.trim().to_string(),
            title: lead.title.trim().to_string(),
            tech,
            facts: research
                .map(|r| r.facts.iter().map(|f| f.text.clone()).collect())
                .unwrap_or_default(),
            news: research
                .map(|r| r.news.iter().map(|n| n.text.clone()).collect())
                .unwrap_or_default(),
            seller_company: c.name.clone(),
            product: c
                .products
                .first()
                .map(|p| p.name.clone())
                .unwrap_or_else(|| c.name.clone()),
            value_propositions,
            signature: cfg.agent.signature.clone(),
            previous_subject: lead.touches.first().map(|t| t.subject.clone()),
            knowledge: outreach_passages(lead, cfg, &compose),
            compose,
        }
    }
}

/// At most two sections of the knowledge read for outreach, for what is known of the lead
/// (industry, title, tech stack, notes) and the value proposition and pain point chosen for
/// it. Sources read only for research or answers are never used here.
pub fn outreach_passages(lead: &Lead, cfg: &AgentConfig, compose: &Compose) -> Vec<Passage> {
    let all = sections(&cfg.knowledge_for(Purpose::Outreach));
    if all.is_empty() {
        return Vec::new();
    }
    let about = format!(
        "{} {} {} {} {} {}",
        lead.industry,
        lead.title,
        lead.tech_stack,
        lead.notes,
        compose.value_proposition,
        compose.pain_point
    );
    retrieve(&all, &about, &[], 2)
        .into_iter()
        .map(Passage::of)
        .collect()
}

/// "zoë" → "Zoë", "MARCUS" → "Marcus"; names with inner capitals stay as they are.
fn tidy_name(name: &str) -> String {
    let n = name.trim();
    let all_same_case =
        n.chars().all(|c| !c.is_uppercase()) || n.chars().all(|c| !c.is_lowercase());
    if !all_same_case {
        return n.to_string();
    }
    n.split(' ')
        .map(|w| {
            let mut cs = w.chars();
            match cs.next() {
                Some(f) => f
                    .to_uppercase()
                    .chain(cs.flat_map(char::to_lowercase))
                    .collect(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The values every phrase and template may use, for one draft.
struct Values {
    pairs: Vec<(&'static str, String)>,
}

impl Values {
    fn get(&self) -> Vec<(&str, &str)> {
        self.pairs.iter().map(|(k, v)| (*k, v.as_str())).collect()
    }
    fn fill(&self, template: &str) -> String {
        phrases::fill(template, &self.get())
    }
}

/// One paragraph per non-empty part.
fn paragraphs(parts: &[String]) -> String {
    parts
        .iter()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// The deterministic draft: short, specific, one question, no prices — composed from the
/// phrase set and the config, or the configured template.
pub fn draft(input: &DraftInput) -> Draft {
    let c = &input.compose;
    let ph = c.phrases();
    let company = if input.company.is_empty() {
        ph.your_team.clone()
    } else {
        input.company.clone()
    };
    let mut cited = Vec::new();
    // The hook: one cited fact — news first, then a research fact, then the tech stack.
    let tech: Vec<String> = input.tech.iter().take(3).cloned().collect();
    // A fact in another language than the email's is not pasted into it.
    let fits =
        |t: &&String| phrases::guess_language(t).is_none_or(|l| l == phrases::normalise(&c.lang));
    let (hook_phrase, fact) = if let Some(news) = input.news.iter().find(fits) {
        cited.push(news.clone());
        (&ph.hook_news, news.trim_end_matches('.').to_string())
    } else if let Some(fact) = input.facts.iter().find(fits) {
        cited.push(fact.clone());
        (&ph.hook_fact, fact.trim_end_matches('.').to_string())
    } else if !tech.is_empty() {
        cited.push(format!("tech stack: {}", tech.join(", ")));
        (&ph.hook_tech, String::new())
    } else {
        (&ph.hook_none, String::new())
    };
    let value = c.value_proposition.trim().to_string();
    let mut values = Values {
        pairs: vec![
            ("first_name", input.first_name.clone()),
            ("company", company.clone()),
            ("title", input.title.clone()),
            ("seller", input.seller_company.clone()),
            ("product", input.product.clone()),
            ("fact", fact.clone()),
            ("tech", phrases::list(&tech, &ph.list_and)),
            ("pain_point", c.pain_point.trim().to_string()),
            ("value", value.clone()),
            ("value_lc", lowercase_first(&value)),
            ("proof_point", c.proof_point.trim().to_string()),
            ("calendar_link", c.calendar_link.clone()),
            ("topic", c.subject_topic.trim().to_string()),
            (
                "competitor",
                c.competitor
                    .as_ref()
                    .map(|x| x.name.clone())
                    .unwrap_or_default(),
            ),
            (
                "point",
                c.competitor
                    .as_ref()
                    .map(|x| x.point.clone())
                    .unwrap_or_default(),
            ),
        ],
    };
    let greeting = if input.first_name.is_empty() {
        ph.greeting_anonymous.clone()
    } else {
        values.fill(&ph.greeting)
    };
    let hook = values.fill(hook_phrase);
    let cta = if c.call_to_action.trim().is_empty() {
        values.fill(&ph.call_to_action)
    } else {
        values.fill(c.call_to_action.trim())
    };
    let calendar = if c.calendar_link.is_empty() {
        String::new()
    } else {
        values.fill(&ph.calendar)
    };
    let value_line = if value.is_empty() {
        String::new()
    } else {
        values.fill(&ph.value)
    };
    let competitor_line = match &c.competitor {
        Some(comp) => {
            cited.push(format!("{} — {}", comp.source, comp.name));
            values.fill(&ph.competitor)
        }
        None => String::new(),
    };
    values.pairs.extend([
        ("greeting", greeting.clone()),
        ("hook", hook.clone()),
        ("value_proposition", value.clone()),
        (
            "call_to_action",
            format!("{cta} {calendar}").trim().to_string(),
        ),
        ("opt_out", ph.opt_out.clone()),
        ("signature", input.signature.trim().to_string()),
    ]);
    let template = c
        .template
        .as_ref()
        .filter(|_| c.mode == OutreachMode::Template);
    if input.touch <= 1 {
        if let Some(t) = template {
            return Draft {
                subject: one_line(&values.fill(&t.subject)),
                body: drop_empty_lines(&values.fill(&t.body)),
                cited,
            };
        }
        let body = paragraphs(&[
            greeting,
            hook,
            if c.pain_point.trim().is_empty() {
                String::new()
            } else {
                values.fill(&ph.pain)
            },
            value_line,
            if c.proof_point.trim().is_empty() {
                String::new()
            } else {
                values.fill(&ph.proof)
            },
            competitor_line,
            format!("{cta} {calendar}").trim().to_string(),
            ph.opt_out.clone(),
            input.signature.trim().to_string(),
        ]);
        let subject = if c.subject_topic.trim().is_empty() {
            values.fill(&ph.subject_first)
        } else {
            values.fill(&ph.subject_first_topic)
        };
        Draft {
            subject: one_line(&subject),
            body,
            cited,
        }
    } else {
        let subject = match &input.previous_subject {
            Some(s) if !s.to_lowercase().starts_with("re:") => format!("Re: {s}"),
            Some(s) => s.clone(),
            None => values.fill(&ph.subject_first),
        };
        if let Some(t) = template.filter(|t| !t.follow_up_body.trim().is_empty()) {
            let subject = if t.follow_up_subject.trim().is_empty() {
                subject
            } else {
                values.fill(&t.follow_up_subject)
            };
            return Draft {
                subject: one_line(&subject),
                body: drop_empty_lines(&values.fill(&t.follow_up_body)),
                cited: Vec::new(),
            };
        }
        // Each follow-up brings the next value proposition.
        let n = input.value_propositions.len().max(1);
        let next = input
            .value_propositions
            .get((input.touch as usize - 1) % n)
            .cloned()
            .unwrap_or_else(|| value.clone());
        let body = paragraphs(&[
            greeting,
            format!("{} {}", values.fill(&ph.follow_up), next.trim())
                .trim()
                .to_string(),
            values.fill(&ph.follow_up_close),
            input.signature.trim().to_string(),
        ]);
        Draft {
            subject: one_line(&subject),
            body,
            cited: Vec::new(),
        }
    }
}

/// A subject on one line, spaces collapsed.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A filled template without the lines an empty placeholder left blank (at most one empty
/// line in a row).
fn drop_empty_lines(s: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for line in s.lines() {
        let blank = line.trim().is_empty();
        if blank && out.last().is_none_or(|l| l.trim().is_empty()) {
            continue;
        }
        out.push(line.trim_end());
    }
    while out.last().is_some_and(|l| l.trim().is_empty()) {
        out.pop();
    }
    out.join("\n")
}

fn lowercase_first(s: &str) -> String {
    let mut cs = s.chars();
    match (cs.next(), cs.clone().next()) {
        // Keep acronyms ("SOC 2 …") as they are.
        (Some(f), Some(second)) if !second.is_uppercase() => f.to_lowercase().chain(cs).collect(),
        _ => s.to_string(),
    }
}

/// The next BANT question to ask: for the first dimension of `order`
/// (`cadence.bant_order`) still unknown, in the phrase set's language. Known dimensions are
/// never asked again; dimensions left out of `order` are never asked.
pub fn next_bant_question(bant: &Bant, ph: &Phrases, order: &[BantDimension]) -> Option<String> {
    order.iter().find_map(|d| {
        let (known, q) = match d {
            BantDimension::Need => (&bant.need, &ph.bant_need),
            BantDimension::Timeline => (&bant.timeline, &ph.bant_timeline),
            BantDimension::Budget => (&bant.budget, &ph.bant_budget),
            BantDimension::Authority => (&bant.authority, &ph.bant_authority),
        };
        (known.is_none() && !q.trim().is_empty()).then(|| q.clone())
    })
}

/// One retrieved knowledge passage, as an answer may cite it: `id` is what the answer's
/// `cited` names (`source — heading`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Passage {
    pub id: String,
    pub heading: String,
    pub text: String,
    /// The competitor whose battle card this passage is from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub competitor: Option<String>,
}

impl Passage {
    pub fn of(s: &Section) -> Passage {
        Passage {
            id: format!("{} — {}", s.source, s.heading),
            heading: s.heading.clone(),
            text: s.text.clone(),
            competitor: None,
        }
    }
}

/// The passages for a question: the best sections of the knowledge read for answers (at
/// most two, one per topic the question names), and the battle card section of each
/// competitor (at most three) the question, the lead's tech stack or its notes name.
pub fn passages_for(
    lead: &Lead,
    question: &str,
    topics: &[String],
    cfg: &AgentConfig,
) -> Vec<Passage> {
    let all = sections(&cfg.knowledge_for(Purpose::Answers));
    let mut out: Vec<Passage> = retrieve(&all, question, topics, 2)
        .into_iter()
        .map(Passage::of)
        .collect();
    // A competitor named only in the lead's record is used when the question compares.
    let in_question = knowledge::competitors_named(cfg, &[question]);
    let compares = topics.iter().any(|t| t == "competitors") || !in_question.is_empty();
    let named = if in_question.is_empty() && compares {
        knowledge::competitors_named(cfg, &[&lead.tech_stack, &lead.notes])
    } else {
        in_question
    };
    for i in named.into_iter().take(3) {
        if let (Some(comp), Some(s)) = (
            cfg.knowledge.competitors.get(i),
            knowledge::battle_card_section(cfg, i, question),
        ) {
            let mut p = Passage::of(&s);
            p.competitor = Some(comp.name.clone());
            out.push(p);
        }
    }
    out
}

/// The input of the answer task: the lead's question and the passages retrieved for it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AnswerInput {
    pub first_name: String,
    /// The lead's own text (untrusted).
    pub question: String,
    /// The thread's own subject ([`thread_subject`]): the answer's subject is made from it,
    /// never from the subject the lead's message came with.
    pub subject: String,
    pub passages: Vec<Passage>,
    /// The BANT question to end with, if one is still open.
    pub next_question: Option<String>,
    pub signature: String,
    pub seller_company: String,
    /// The language to answer in (the lead's message's); knowledge in another language is
    /// quoted as it is.
    #[serde(default)]
    pub lang: String,
    /// The phrase set of `lang` with the workspace's overrides.
    #[serde(default)]
    pub phrases: Option<Phrases>,
    /// The lead's questions the knowledge cannot answer: the answer leaves them to a
    /// colleague and says so (`answer_open`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub open_questions: Vec<String>,
}

impl AnswerInput {
    pub fn new(
        lead: &Lead,
        question: &str,
        subject: &str,
        passages: Vec<Passage>,
        cfg: &AgentConfig,
    ) -> AnswerInput {
        let lang = language_for(lead, cfg);
        let ph = phrases::resolve(&lang, &cfg.phrases);
        AnswerInput {
            first_name: tidy_name(&lead.first_name),
            question: question.to_string(),
            subject: subject.to_string(),
            passages,
            next_question: next_bant_question(&lead.bant, &ph, &cfg.cadence.bant_order),
            signature: cfg.agent.signature.clone(),
            seller_company: cfg.company.name.clone(),
            lang,
            phrases: Some(ph),
            open_questions: Vec::new(),
        }
    }
}

/// What the knowledge answers of a lead's message.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Coverage {
    /// The passages for the questions the knowledge answers.
    pub passages: Vec<Passage>,
    /// Every question of the message ([`classify::questions`]).
    pub asked: Vec<String>,
    /// The questions the knowledge cannot answer: a person must.
    pub open: Vec<String>,
}

/// Split the message into its questions and retrieve for each from the knowledge read for
/// answers: the passages of those it answers, and the ones it cannot. A message with one
/// question (or none the splitter sees) is retrieved for as a whole, with `topics`.
pub fn coverage(
    lead: &Lead,
    text: &str,
    topics: &[String],
    vocabulary: &classify::Topics,
    cfg: &AgentConfig,
) -> Coverage {
    let asked = classify::questions(text, vocabulary);
    let mut out = Coverage {
        asked: asked.iter().map(|q| q.text.clone()).collect(),
        ..Default::default()
    };
    if asked.len() < 2 {
        out.passages = passages_for(lead, text, topics, cfg);
        if out.passages.is_empty() {
            out.open = out.asked.clone();
        }
        return out;
    }
    for q in &asked {
        let found = passages_for(lead, &q.text, &q.topics, cfg);
        if found.is_empty() {
            out.open.push(q.text.clone());
        }
        for p in found {
            if !out.passages.iter().any(|x| x.id == p.id) {
                out.passages.push(p);
            }
        }
    }
    out
}

/// Add the `answer_open` phrase to an answer that leaves questions open, before its
/// signature, unless the answer says it already (a model's may).
pub fn with_open_phrase(mut d: Draft, input: &AnswerInput) -> Draft {
    if input.open_questions.is_empty() {
        return d;
    }
    let ph = input
        .phrases
        .clone()
        .unwrap_or_else(|| phrases::shipped(&input.lang));
    let phrase = ph.answer_open.trim();
    if phrase.is_empty() || d.body.contains(phrase) {
        return d;
    }
    let signature = input.signature.trim();
    match d.body.rfind(signature).filter(|_| !signature.is_empty()) {
        Some(at) => d.body.insert_str(at, &format!("{phrase}\n\n")),
        None => d.body = format!("{}\n\n{phrase}", d.body.trim_end()),
    }
    d
}

/// The subject of the agent's answers on a lead's thread: the agent's own first email's
/// subject (never the inbound one, which the sender wrote and may have filled with links,
/// offers or control characters), else the seller's company name.
pub fn thread_subject(lead: &Lead, cfg: &AgentConfig) -> String {
    lead.touches
        .iter()
        .filter(|t| t.kind != crate::domain::TouchKind::Answer)
        .min_by_key(|t| t.n)
        .map(|t| t.subject.clone())
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| cfg.company.name.clone())
}

/// `Re: {subject}`, the subject made one clean line (see [`crate::mail::render::header_text`])
/// without piling up `Re:` prefixes.
pub fn reply_subject(subject: &str) -> String {
    let mut base = crate::mail::render::header_text(subject);
    loop {
        let t = base.trim_start();
        match t.get(..3) {
            Some(p) if p.eq_ignore_ascii_case("re:") => base = t[3..].to_string(),
            _ => break,
        }
    }
    format!("Re: {}", base.trim())
}

/// Answer product questions from the knowledge only, then ask the next BANT question.
/// `subject` is the thread's own subject ([`thread_subject`]). Returns `None` when the
/// knowledge has no answer (a person must take over); the questions it leaves open are in
/// [`coverage`].
pub fn answer(
    lead: &Lead,
    question: &str,
    topics: &[String],
    cfg: &AgentConfig,
    subject: &str,
) -> Option<Draft> {
    let cov = coverage(lead, question, topics, &classify::Topics::of(cfg), cfg);
    let mut input = AnswerInput::new(lead, question, subject, cov.passages, cfg);
    input.open_questions = cov.open;
    answer_from(&input)
}

/// The deterministic answer: a short reply built from the relevant sentences of each
/// passage (never the whole entry, never its heading or number), the competitors' points
/// under their names, the next BANT question, the signature. `None` without passages.
pub fn answer_from(input: &AnswerInput) -> Option<Draft> {
    if input.passages.is_empty() {
        return None;
    }
    let ph = input
        .phrases
        .clone()
        .unwrap_or_else(|| phrases::shipped(&input.lang));
    let greeting = match input.first_name.as_str() {
        "" => ph.greeting_anonymous.clone(),
        n => phrases::fill(&ph.greeting, &[("first_name", n)]),
    };
    let mut parts = vec![greeting, ph.answer_intro.clone()];
    let mut cited = Vec::new();
    for p in &input.passages {
        let picked = knowledge::relevant_sentences(&p.text, &input.question, 2);
        let mut said = picked.join(" ");
        if said.trim().is_empty() {
            continue;
        }
        // "Yes, on the Enterprise plan." says nothing without the question it answers: a
        // short reply restates the entry's question (without its number).
        let question = knowledge::strip_number(&p.heading);
        if picked
            .first()
            .is_some_and(|s| s.split_whitespace().count() < 8)
            && question.ends_with('?')
            && p.competitor.is_none()
        {
            said = format!("{question} {said}");
        }
        match &p.competitor {
            Some(name) => parts.push(format!(
                "{}\n{said}",
                phrases::fill(&ph.answer_competitor, &[("competitor", name)])
            )),
            None => parts.push(said),
        }
        cited.push(p.id.clone());
    }
    if cited.is_empty() {
        return None;
    }
    if !input.open_questions.is_empty() && !ph.answer_open.trim().is_empty() {
        parts.push(ph.answer_open.trim().to_string());
    }
    if let Some(q) = &input.next_question {
        parts.push(q.clone());
    }
    parts.push(input.signature.trim().to_string());
    Some(Draft {
        subject: reply_subject(&input.subject),
        body: paragraphs(&parts),
        cited,
    })
}

/// Markdown to plain text: no emphasis markers, no code ticks, no link syntax.
pub fn plain(md: &str) -> String {
    md.lines()
        .map(|l| l.replace("**", "").replace('`', ""))
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .to_string()
}

/// The footer every outgoing email carries: AI disclosure, postal address, unsubscribe, in
/// the seller's language.
pub fn footer(cfg: &AgentConfig, unsubscribe_url: &str) -> String {
    footer_in(cfg, unsubscribe_url, &cfg.company.language)
}

/// The footer with its unsubscribe line in `lang` (the disclosure and the address are the
/// config's own words).
pub fn footer_in(cfg: &AgentConfig, unsubscribe_url: &str, lang: &str) -> String {
    let ph = phrases::resolve(lang, &cfg.phrases);
    let mut line = phrases::fill(&ph.unsubscribe, &[("unsubscribe_url", unsubscribe_url)]);
    if !line.contains(unsubscribe_url) {
        line = format!("{} {unsubscribe_url}", line.trim());
    }
    format!(
        "\n\n--\n{}\n{}\n{}\n",
        cfg.agent.ai_disclosure.trim(),
        cfg.agent.postal_address.trim(),
        line.trim()
    )
}

/// Check a whole outgoing body (footer included). Returns every violation. `sources` are the
/// research facts the draft cites: figures may come from them or from the knowledge.
pub fn guardrails(
    body: &str,
    cfg: &AgentConfig,
    unsubscribe_url: &str,
    sources: &[String],
) -> Result<(), Vec<String>> {
    let mut problems = content_checks(body, cfg, Some(unsubscribe_url), sources, "");
    if !body.contains(cfg.agent.ai_disclosure.trim()) {
        problems.push("misses the AI disclosure".into());
    }
    if !body.contains(cfg.agent.postal_address.trim()) {
        problems.push("misses the postal address".into());
    }
    if !body.contains(unsubscribe_url) {
        problems.push("misses the unsubscribe link".into());
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// The checks body and subject share: no prohibited phrase, links only to allowed places
/// (and the body's own unsubscribe link), prices and percentages only from the knowledge or
/// the cited research. `what` starts each problem ("the subject ").
fn content_checks(
    text: &str,
    cfg: &AgentConfig,
    unsubscribe_url: Option<&str>,
    sources: &[String],
    what: &str,
) -> Vec<String> {
    let mut problems = Vec::new();
    let lower = text.to_lowercase();
    for phrase in &cfg.guardrails.prohibited_phrases {
        if !phrase.trim().is_empty() && lower.contains(&phrase.to_lowercase()) {
            problems.push(format!("{what}contains the prohibited phrase {phrase:?}"));
        }
    }
    for link in links(text) {
        let allowed = unsubscribe_url == Some(link.as_str())
            || cfg
                .guardrails
                .allowed_links
                .iter()
                .any(|p| link.starts_with(p.as_str()))
            || (!cfg.company.website.is_empty() && link.starts_with(&cfg.company.website));
        if !allowed {
            problems.push(format!(
                "{what}links to {link}, which is not an allowed link"
            ));
        }
    }
    let knowledge: String = cfg
        .knowledge_docs
        .iter()
        .chain(cfg.battle_cards.iter())
        .map(|d| d.text.as_str())
        .collect();
    for amount in money(text) {
        if !knowledge.contains(&amount) && !sources.iter().any(|s| s.contains(&amount)) {
            problems.push(format!(
                "{what}states {amount}, which neither the knowledge nor the research does"
            ));
        }
    }
    problems
}

/// Check an outgoing subject like a body: no prohibited phrase, no link that is not allowed,
/// no figure the knowledge or the cited research does not state, and no control or
/// bidirectional-override character.
pub fn subject_guardrails(
    subject: &str,
    cfg: &AgentConfig,
    sources: &[String],
) -> Result<(), Vec<String>> {
    let mut problems = content_checks(subject, cfg, None, sources, "the subject ");
    if crate::mail::render::header_text(subject) != subject {
        problems.push("the subject has control or bidirectional characters".into());
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

pub fn links(body: &str) -> Vec<String> {
    body.split(|c: char| c.is_whitespace() || c == '<' || c == '>' || c == '(' || c == ')')
        .filter(|w| w.starts_with("http://") || w.starts_with("https://") || w.starts_with("www."))
        .map(|w| {
            w.trim_end_matches(['.', ',', ';', ':', '!', '?', '"', '\''])
                .to_string()
        })
        .collect()
}

/// Money amounts and percentages as written (`$1,500`, `€3,700`, `20%`).
pub fn money(body: &str) -> Vec<String> {
    let mut out = Vec::new();
    let chars: Vec<char> = body.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if matches!(c, '$' | '€' | '£') {
            let mut j = i + 1;
            while j < chars.len()
                && (chars[j].is_ascii_digit() || chars[j] == ',' || chars[j] == '.')
            {
                j += 1;
            }
            if j > i + 1 {
                out.push(
                    chars[i..j]
                        .iter()
                        .collect::<String>()
                        .trim_end_matches(['.', ','])
                        .to_string(),
                );
            }
            i = j;
        } else if c.is_ascii_digit() {
            let mut j = i;
            while j < chars.len() && (chars[j].is_ascii_digit() || chars[j] == '.') {
                j += 1;
            }
            // "100 %" is a percentage too (French typography, and a way around the check).
            let mut k = j;
            while k < chars.len() && matches!(chars[k], ' ' | '\u{a0}' | '\u{202f}') {
                k += 1;
            }
            if k < chars.len() && chars[k] == '%' && (i == 0 || !chars[i - 1].is_alphanumeric()) {
                let mut figure: String = chars[i..j].iter().collect();
                figure.push('%');
                out.push(figure);
                j = k;
            }
            i = j + 1;
        } else {
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_subject_is_checked_like_a_body() {
        let mut cfg = AgentConfig {
            company: crate::config::Company {
                name: "Seller".into(),
                website: "https://seller.example".into(),
                ..Default::default()
            },
            ..toml::from_str::<AgentConfig>(
                "[company]\nname = \"S\"\n[agent]\nname = \"A\"\nemail = \"a@s.example\"\n\
                 signature = \"A\"\nai_disclosure = \"AI\"\npostal_address = \"P\"\n\
                 unsubscribe_url = \"https://s.example/u/{token}\"\n",
            )
            .unwrap()
        };
        cfg.guardrails.prohibited_phrases = vec!["guarantee".into()];
        let problems = subject_guardrails(
            "Re: 100 % discount, guarantee! https://evil.example \u{202e}x",
            &cfg,
            &[],
        )
        .unwrap_err();
        assert_eq!(problems.len(), 4, "{problems:?}");
        assert!(subject_guardrails("Re: Month-end at Buyer Freight", &cfg, &[]).is_ok());
        assert_eq!(reply_subject("RE: re:  Month-end"), "Re: Month-end");
    }

    #[test]
    fn knowledge_sections_carry_their_topic_tags() {
        let docs = [crate::config::KnowledgeDoc {
            source: "faq.md".into(),
            text: "# FAQ\n\n## Pricing\n\n### 1. How much? `[pricing]`\nTeam is $1,500/month.\n\n### 2. SSO? `[sso, security]`\nSAML on Business.\n".into(),
            ..Default::default()
        }];
        let s = sections(&docs);
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].heading, "1. How much?");
        assert_eq!(s[0].topics, vec!["pricing"]);
        assert_eq!(s[1].topics, vec!["sso", "security"]);
        let hits = retrieve(&s, "do you support SAML SSO?", &["sso".to_string()], 2);
        assert_eq!(hits[0].heading, "2. SSO?");
    }

    #[test]
    fn money_and_links_are_found() {
        assert_eq!(
            money("Team is $1,500/month, 20% off. €3,700."),
            ["$1,500", "20%", "€3,700"]
        );
        assert_eq!(
            links("see https://x.example/a. or (www.y.example)"),
            ["https://x.example/a", "www.y.example"]
        );
    }

    #[test]
    fn names_are_tidied_only_when_all_one_case() {
        assert_eq!(tidy_name("zoë"), "Zoë");
        assert_eq!(tidy_name("MARCUS"), "Marcus");
        assert_eq!(tidy_name("McDonald"), "McDonald");
    }
}
