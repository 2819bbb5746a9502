//! The outreach agent: first emails, follow-ups and answers, written from the config, the
//! lead's research and the team's knowledge — and the guardrails every outgoing email
//! passes, whoever wrote it (the offline agent or a language model).

use crate::config::{AgentConfig, KnowledgeDoc};
use crate::domain::{Bant, Lead};
use serde::{Deserialize, Serialize};

/// What the agent wants to send (before the footer is added).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    pub subject: String,
    pub body: String,
    /// Research facts or knowledge sections the draft relies on.
    pub cited: Vec<String>,
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
            seller_company: cfg.company.name.clone(),
            product: cfg
                .company
                .products
                .first()
                .map(|p| p.name.clone())
                .unwrap_or_else(|| cfg.company.name.clone()),
            value_propositions: cfg.company.value_propositions.clone(),
            signature: cfg.agent.signature.clone(),
            previous_subject: lead.touches.first().map(|t| t.subject.clone()),
        }
    }
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

fn list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [a] => a.clone(),
        [a, b] => format!("{a} and {b}"),
        [rest @ .., last] => format!("{}, and {last}", rest.join(", ")),
    }
}

/// The deterministic draft: short, specific, one question, no prices.
pub fn draft(input: &DraftInput) -> Draft {
    let greeting = if input.first_name.is_empty() {
        "Hi there,".to_string()
    } else {
        format!("Hi {},", input.first_name)
    };
    let company = if input.company.is_empty() {
        "your team".to_string()
    } else {
        input.company.clone()
    };
    let mut cited = Vec::new();
    if input.touch <= 1 {
        let hook = if let Some(news) = input.news.first() {
            cited.push(news.clone());
            format!(
                "I saw the news from {company}: {}.",
                news.trim_end_matches('.')
            )
        } else if !input.tech.is_empty() {
            let tech: Vec<String> = input.tech.iter().take(3).cloned().collect();
            cited.push(format!("tech stack: {}", tech.join(", ")));
            format!(
                "I noticed {company} runs {}. Teams with that setup often hear about stale or \
                 broken tables only when a stakeholder complains about a dashboard.",
                list(&tech)
            )
        } else if let Some(fact) = input.facts.first() {
            cited.push(fact.clone());
            format!(
                "I was reading about {company}: {}.",
                fact.trim_end_matches('.')
            )
        } else {
            format!(
                "I'm reaching out because data teams like {company}'s spend a lot of time chasing broken pipelines."
            )
        };
        let value = input
            .value_propositions
            .first()
            .cloned()
            .unwrap_or_else(|| format!("{} helps data teams find incidents early.", input.product));
        let body = format!(
            "{greeting}\n\n{hook}\n\n{} — {}\n\nWould a 20-minute call next week be useful to see \
             whether it fits your team? If it's not a priority, a quick \"no thanks\" is fine and \
             I won't follow up.\n\n{}",
            input.product,
            lowercase_first(value.trim()),
            input.signature.trim()
        );
        Draft {
            subject: format!(
                "{company} + {}: catching data incidents early",
                input.seller_company
            ),
            body,
            cited,
        }
    } else {
        let value = input
            .value_propositions
            .get((input.touch as usize - 1) % input.value_propositions.len().max(1))
            .cloned()
            .unwrap_or_else(|| {
                format!(
                    "{} watches your pipelines so your team doesn't have to.",
                    input.product
                )
            });
        let body = format!(
            "{greeting}\n\nA short follow-up on my note about {}. {}\n\nIf the timing is wrong, \
             just tell me when to check back — or reply \"no thanks\" and I'll stop here.\n\n{}",
            input.product,
            value.trim(),
            input.signature.trim()
        );
        let subject = match &input.previous_subject {
            Some(s) if !s.to_lowercase().starts_with("re:") => format!("Re: {s}"),
            Some(s) => s.clone(),
            None => format!("{company} + {}", input.seller_company),
        };
        Draft {
            subject,
            body,
            cited,
        }
    }
}

fn lowercase_first(s: &str) -> String {
    let mut cs = s.chars();
    match (cs.next(), cs.clone().next()) {
        // Keep acronyms ("SOC 2 …") as they are.
        (Some(f), Some(second)) if !second.is_uppercase() => f.to_lowercase().chain(cs).collect(),
        _ => s.to_string(),
    }
}

/// One retrievable section of the knowledge: a heading and its text, with its topic tags.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Section {
    pub source: String,
    pub heading: String,
    pub topics: Vec<String>,
    pub text: String,
}

/// Split Markdown knowledge into sections at `##`/`###` headings; a trailing `` `[topic]` ``
/// tag on a heading names its question topics.
pub fn sections(docs: &[KnowledgeDoc]) -> Vec<Section> {
    let mut out = Vec::new();
    for doc in docs {
        let mut current: Option<Section> = None;
        for line in doc.text.lines() {
            let t = line.trim_start();
            if t.starts_with("## ") || t.starts_with("### ") {
                if let Some(s) = current.take().filter(|s| !s.text.trim().is_empty()) {
                    out.push(s);
                }
                let heading = t.trim_start_matches('#').trim();
                let mut topics = Vec::new();
                let mut clean = heading.to_string();
                if let Some(start) = heading.find("`[") {
                    let tags = heading[start + 2..].trim_end_matches(['`', ']']);
                    topics = tags
                        .split(',')
                        .map(|t| t.trim().trim_matches(['[', ']', '`']).to_string())
                        .filter(|t| !t.is_empty())
                        .collect();
                    clean = heading[..start].trim().to_string();
                }
                current = Some(Section {
                    source: doc.source.clone(),
                    heading: clean,
                    topics,
                    text: String::new(),
                });
            } else if let Some(s) = current.as_mut() {
                s.text.push_str(line);
                s.text.push('\n');
            }
        }
        if let Some(s) = current.filter(|s| !s.text.trim().is_empty()) {
            out.push(s);
        }
    }
    out
}

fn tokens(s: &str) -> Vec<String> {
    s.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|t| t.len() > 2 && !STOP.contains(t))
        .map(str::to_string)
        .collect()
}

const STOP: &[&str] = &[
    "the", "and", "for", "you", "your", "are", "with", "what", "how", "does", "can", "our", "have",
    "this", "that", "from", "any", "there", "which", "would", "about", "will", "was", "who",
    "into", "not", "but", "its", "all", "they", "has", "per", "one", "also", "more", "use",
];

/// The best sections for a question: those tagged with one of `topics`, ranked by word
/// overlap with the question; without topics, by overlap alone.
pub fn retrieve<'a>(
    all: &'a [Section],
    question: &str,
    topics: &[String],
    k: usize,
) -> Vec<&'a Section> {
    let q = tokens(question);
    let mut scored: Vec<(f64, &Section)> = all
        .iter()
        .filter_map(|s| {
            let tagged = topics.iter().any(|t| s.topics.contains(t));
            let text = tokens(&format!("{} {}", s.heading, s.text));
            let heading = tokens(&s.heading);
            let overlap = q.iter().filter(|w| text.contains(w)).count() as f64
                + q.iter().filter(|w| heading.contains(w)).count() as f64;
            let score = overlap + if tagged { 5.0 } else { 0.0 };
            (score >= 2.0 && (tagged || topics.is_empty())).then_some((score, s))
        })
        .collect();
    scored.sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap_or(std::cmp::Ordering::Equal));
    // One section per topic first, so a two-topic question gets both answered.
    let mut picked: Vec<&Section> = Vec::new();
    for t in topics {
        if let Some((_, s)) = scored.iter().find(|(_, s)| s.topics.contains(t))
            && !picked.iter().any(|p| std::ptr::eq(*p, *s))
        {
            picked.push(s);
        }
    }
    for (_, s) in &scored {
        if picked.len() >= k {
            break;
        }
        if !picked.iter().any(|p| std::ptr::eq(*p, *s)) {
            picked.push(s);
        }
    }
    picked.truncate(k.max(topics.len().min(4)));
    picked
}

/// The next BANT question to ask, for the first fact still unknown.
pub fn next_bant_question(bant: &Bant) -> Option<&'static str> {
    if bant.need.is_none() {
        Some(
            "What prompted you to look at this now — is there a specific pipeline or incident you're trying to get ahead of?",
        )
    } else if bant.timeline.is_none() {
        Some("Is there a timeline you're working towards for having something in place?")
    } else if bant.authority.is_none() {
        Some("Who else would be involved in deciding on a tool like this?")
    } else if bant.budget.is_none() {
        Some(
            "Have you set aside budget for data observability this year, or would this be a new line item?",
        )
    } else {
        None
    }
}

/// One retrieved knowledge passage, as an answer may cite it: `id` is what the answer's
/// `cited` names (today `source — heading`; the retrieval behind it may change).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Passage {
    pub id: String,
    pub heading: String,
    pub text: String,
}

impl Passage {
    pub fn of(s: &Section) -> Passage {
        Passage {
            id: format!("{} — {}", s.source, s.heading),
            heading: s.heading.clone(),
            text: s.text.clone(),
        }
    }
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
}

impl AnswerInput {
    pub fn new(
        lead: &Lead,
        question: &str,
        subject: &str,
        passages: Vec<Passage>,
        cfg: &AgentConfig,
    ) -> AnswerInput {
        AnswerInput {
            first_name: tidy_name(&lead.first_name),
            question: question.to_string(),
            subject: subject.to_string(),
            passages,
            next_question: next_bant_question(&lead.bant).map(str::to_string),
            signature: cfg.agent.signature.clone(),
            seller_company: cfg.company.name.clone(),
        }
    }
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
/// knowledge has no answer (a person must take over).
pub fn answer(
    lead: &Lead,
    question: &str,
    topics: &[String],
    knowledge: &[Section],
    cfg: &AgentConfig,
    subject: &str,
) -> Option<Draft> {
    let found: Vec<Passage> = retrieve(knowledge, question, topics, 2)
        .into_iter()
        .map(Passage::of)
        .collect();
    answer_from(&AnswerInput::new(lead, question, subject, found, cfg))
}

/// The deterministic answer: each passage under its heading, the next BANT question, the
/// signature. `None` without passages.
pub fn answer_from(input: &AnswerInput) -> Option<Draft> {
    if input.passages.is_empty() {
        return None;
    }
    let greeting = match input.first_name.as_str() {
        "" => "Hi,".to_string(),
        n => format!("Hi {n},"),
    };
    let mut body =
        format!("{greeting}\n\nThanks for your questions — here is what I can tell you.\n");
    let mut cited = Vec::new();
    for p in &input.passages {
        body.push_str(&format!("\n{}:\n{}\n", p.heading, plain(&p.text)));
        cited.push(p.id.clone());
    }
    if let Some(q) = &input.next_question {
        body.push_str(&format!("\n{q}\n"));
    }
    body.push_str(&format!("\n{}", input.signature.trim()));
    Some(Draft {
        subject: reply_subject(&input.subject),
        body,
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

/// The footer every outgoing email carries: AI disclosure, postal address, unsubscribe.
pub fn footer(cfg: &AgentConfig, unsubscribe_url: &str) -> String {
    format!(
        "\n\n--\n{}\n{}\nTo stop receiving these emails: {}\n",
        cfg.agent.ai_disclosure.trim(),
        cfg.agent.postal_address.trim(),
        unsubscribe_url
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
    let mut problems = Vec::new();
    let lower = body.to_lowercase();
    for phrase in &cfg.guardrails.prohibited_phrases {
        if !phrase.trim().is_empty() && lower.contains(&phrase.to_lowercase()) {
            problems.push(format!("contains the prohibited phrase {phrase:?}"));
        }
    }
    for link in links(body) {
        let allowed = link == unsubscribe_url
            || cfg
                .guardrails
                .allowed_links
                .iter()
                .any(|p| link.starts_with(p.as_str()))
            || (!cfg.company.website.is_empty() && link.starts_with(&cfg.company.website));
        if !allowed {
            problems.push(format!("links to {link}, which is not an allowed link"));
        }
    }
    // Prices and percentages must come from the knowledge, never be invented.
    let knowledge: String = cfg.knowledge_docs.iter().map(|d| d.text.as_str()).collect();
    for amount in money(body) {
        if !knowledge.contains(&amount) && !sources.iter().any(|s| s.contains(&amount)) {
            problems.push(format!(
                "states {amount}, which neither the knowledge nor the research does"
            ));
        }
    }
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

/// Check an outgoing subject like a body: no prohibited phrase, no link that is not allowed,
/// no figure the knowledge or the cited research does not state, and no control or
/// bidirectional-override character.
pub fn subject_guardrails(
    subject: &str,
    cfg: &AgentConfig,
    sources: &[String],
) -> Result<(), Vec<String>> {
    let mut problems = Vec::new();
    let lower = subject.to_lowercase();
    for phrase in &cfg.guardrails.prohibited_phrases {
        if !phrase.trim().is_empty() && lower.contains(&phrase.to_lowercase()) {
            problems.push(format!(
                "the subject contains the prohibited phrase {phrase:?}"
            ));
        }
    }
    for link in links(subject) {
        let allowed = cfg
            .guardrails
            .allowed_links
            .iter()
            .any(|p| link.starts_with(p.as_str()))
            || (!cfg.company.website.is_empty() && link.starts_with(&cfg.company.website));
        if !allowed {
            problems.push(format!(
                "the subject links to {link}, which is not an allowed link"
            ));
        }
    }
    let knowledge: String = cfg.knowledge_docs.iter().map(|d| d.text.as_str()).collect();
    for amount in money(subject) {
        if !knowledge.contains(&amount) && !sources.iter().any(|s| s.contains(&amount)) {
            problems.push(format!(
                "the subject states {amount}, which neither the knowledge nor the research does"
            ));
        }
    }
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
        let docs = [KnowledgeDoc {
            source: "faq.md".into(),
            text: "# FAQ\n\n## Pricing\n\n### 1. How much? `[pricing]`\nTeam is $1,500/month.\n\n### 2. SSO? `[sso, security]`\nSAML on Business.\n".into(),
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
