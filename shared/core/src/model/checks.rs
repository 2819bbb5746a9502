//! What code checks in a model's answer before it is used. A model may add an opt-out, never
//! remove one; the action always follows the intent table; recipients are set by code; an
//! answer states only what the passages it cites say; a research fact quotes its page; and
//! every email passes the same output guardrails as the offline engine's. Each check returns
//! the reason it failed, for the run record.

use crate::agents::outreach::{self, AnswerInput, Draft, DraftInput};
use crate::config::AgentConfig;
use crate::domain::{Action, Bant, Classification, Fact, Intent};
use crate::mail::parse::InboundEmail;
use crate::model::spotlight::PageText;
use serde::Deserialize;
use serde_json::Value;

/// Longest email body a model may write, in words.
pub const MAX_EMAIL_WORDS: usize = 400;

/// Is this reply machine mail (a bounce, a feedback report, an out-of-office, an
/// auto-reply)? Such mail never reaches a model: the offline engine reads it.
pub fn is_machine(offline: &Classification, mail: &InboundEmail) -> bool {
    matches!(
        offline.intent,
        Intent::Bounce | Intent::OutOfOffice | Intent::AutoReply
    ) || mail.dsn.is_some()
        || mail.feedback.is_some()
        || mail.ses_event.is_some()
}

fn opt_out(i: Intent) -> bool {
    matches!(i, Intent::Unsubscribe | Intent::Complaint)
}

#[derive(Deserialize)]
struct Level {
    level: String,
    text: Option<String>,
}

#[derive(Deserialize)]
struct ModelBant {
    budget: Level,
    authority: Level,
    need: Level,
    timeline: Level,
}

#[derive(Deserialize)]
struct ModelClassification {
    intent: String,
    bant: ModelBant,
    question_topics: Vec<String>,
    referral: Option<String>,
    lang: String,
    sentiment: String,
    injection: bool,
}

/// A model's classification, checked against the offline engine's. Returns it with notes for
/// the run record (the BANT levels and the sentiment, which the lead does not keep). Its
/// question topics are kept only when they are tags of the workspace's topic vocabulary
/// (`topics`, [`Topics::tags`](crate::agents::classify::Topics::tags)), in that order.
pub fn classification(
    output: &Value,
    offline: &Classification,
    mail: &InboundEmail,
    topics: &crate::agents::classify::Topics,
) -> Result<(Classification, Vec<String>), String> {
    let m: ModelClassification = serde_json::from_value(output.clone())
        .map_err(|e| format!("the classification does not fit its schema: {e}"))?;
    let intent = Intent::parse(&m.intent)
        .filter(|i| !matches!(i, Intent::Bounce | Intent::OutOfOffice | Intent::AutoReply))
        .ok_or_else(|| format!("{:?} is not an intent a model may give", m.intent))?;
    if opt_out(offline.intent) && !opt_out(intent) {
        return Err(format!(
            "the model said {} where the offline engine found {}: an opt-out is never removed",
            intent.as_str(),
            offline.intent.as_str()
        ));
    }
    let referral = match m
        .referral
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty())
    {
        None => None,
        Some(r) if intent != Intent::WrongPerson => {
            return Err(format!(
                "names a referral ({r}) for a {} reply",
                intent.as_str()
            ));
        }
        Some(r) => {
            if !crate::agents::email::is_plausible_address(&r) {
                return Err(format!("the referral {r:?} is not an email address"));
            }
            if !mail.own_text.to_lowercase().contains(&r.to_lowercase()) {
                return Err(format!(
                    "the referral {r} is not in the sender's own text: recipients are set by code"
                ));
            }
            Some(r)
        }
    };
    let fact = |l: &Level| {
        l.text
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty() && l.level != "unknown")
            .map(str::to_string)
    };
    let bant = Bant {
        budget: fact(&m.bant.budget),
        authority: fact(&m.bant.authority),
        need: fact(&m.bant.need),
        timeline: fact(&m.bant.timeline),
    };
    let question_topics: Vec<String> = topics
        .tags()
        .into_iter()
        .filter(|t| m.question_topics.contains(t))
        .collect();
    let lang = m.lang.trim().to_lowercase();
    let lang = if lang.len() == 2 && lang.chars().all(|c| c.is_ascii_lowercase()) {
        lang
    } else {
        offline.lang.clone()
    };
    let notes = vec![format!(
        "model read: sentiment {}; BANT levels budget {}, authority {}, need {}, timeline {}",
        m.sentiment,
        m.bant.budget.level,
        m.bant.authority.level,
        m.bant.need.level,
        m.bant.timeline.level
    )];
    Ok((
        Classification {
            intent,
            // The action always follows the table in code, whatever a model said.
            action: Action::for_intent(intent, referral.is_some()),
            ooo_until: None,
            referral,
            bant,
            question_topics,
            // Injection detection is a floor too: the offline engine's finding stands.
            injection: m.injection || offline.injection,
            lang,
            judgment: offline.judgment.clone(),
        },
        notes,
    ))
}

/// Plain text: no HTML tags, no Markdown links, emphasis or fences.
pub fn plain_text(s: &str) -> Result<(), String> {
    let lower = s.to_lowercase();
    for (needle, what) in [
        ("](", "a Markdown link"),
        ("**", "Markdown emphasis"),
        ("```", "a Markdown fence"),
        ("<a ", "an HTML link"),
        ("<br", "HTML"),
        ("<p>", "HTML"),
        ("<div", "HTML"),
        ("<html", "HTML"),
        ("{{", "a template placeholder"),
        ("[first", "a placeholder"),
        ("[name", "a placeholder"),
        ("[your", "a placeholder"),
    ] {
        if lower.contains(needle) {
            return Err(format!("is not plain text: it contains {what}"));
        }
    }
    Ok(())
}

/// Email addresses written in `s`.
pub fn addresses(s: &str) -> Vec<String> {
    s.split(|c: char| c.is_whitespace() || "<>()[],;\"'".contains(c))
        .map(|w| w.trim_matches(|c: char| ".:!?".contains(c)))
        .filter(|w| w.contains('@') && w.len() > 2 && !w.starts_with("mailto"))
        .map(str::to_string)
        .collect()
}

/// Words that name something: a word with a digit, a word with a capital past its first
/// letter (an acronym, a product), or a capitalised word that does not open a sentence or a
/// line. Prices, certifications, integrations and names show up here.
pub fn named_terms(s: &str, with_numbers: bool) -> Vec<String> {
    let mut out = Vec::new();
    for line in s.lines() {
        let mut sentence_start = true;
        for raw in line.split_whitespace() {
            let word = raw.trim_matches(|c: char| !c.is_alphanumeric());
            // A possessive names the same thing ("Acme's" is "Acme").
            let word = word
                .strip_suffix("'s")
                .or_else(|| word.strip_suffix("’s"))
                .unwrap_or(word);
            let opens = sentence_start;
            sentence_start = raw.ends_with(['.', '!', '?', ':']) || raw == "-" || raw == "—";
            if word.chars().count() < 2 {
                continue;
            }
            let mut chars = word.chars();
            let first_upper = chars.next().is_some_and(char::is_uppercase);
            let inner_upper = chars.any(char::is_uppercase);
            let digit = with_numbers && word.chars().any(|c| c.is_ascii_digit());
            if digit || inner_upper || (first_upper && !opens) {
                out.push(word.to_string());
            }
        }
    }
    out
}

/// The first term of `terms` that `allowed` does not contain (case-insensitive).
fn unsupported<'a>(terms: &'a [String], allowed: &str) -> Option<&'a String> {
    let allowed = allowed.to_lowercase();
    terms.iter().find(|t| !allowed.contains(&t.to_lowercase()))
}

fn email_shape(d: &Draft, max_chars: usize) -> Result<(), String> {
    if d.subject.trim().is_empty() || d.body.trim().is_empty() {
        return Err("the subject or the body is empty".into());
    }
    if d.subject.contains('\n') || d.subject.chars().count() > 160 {
        return Err("the subject is not one short line".into());
    }
    if d.body.chars().count() > max_chars || d.body.split_whitespace().count() > MAX_EMAIL_WORDS {
        return Err(format!(
            "the body is too long (at most {MAX_EMAIL_WORDS} words and {max_chars} characters)"
        ));
    }
    plain_text(&d.body).map_err(|e| format!("the body {e}"))?;
    plain_text(&d.subject).map_err(|e| format!("the subject {e}"))?;
    Ok(())
}

fn recipients(d: &Draft, allowed: &str) -> Result<(), String> {
    let allowed = allowed.to_lowercase();
    for a in addresses(&format!("{}\n{}", d.subject, d.body)) {
        if !allowed.contains(&a.to_lowercase()) {
            return Err(format!(
                "names the address {a}: recipients are set by code, never by a model"
            ));
        }
    }
    Ok(())
}

fn guardrails(
    d: &Draft,
    cfg: &AgentConfig,
    unsubscribe: &str,
    sources: &[String],
) -> Result<(), String> {
    let full = format!(
        "{}{}",
        d.body.trim_end(),
        outreach::footer(cfg, unsubscribe)
    );
    outreach::guardrails(&full, cfg, unsubscribe, sources)
        .map_err(|p| format!("fails the guardrails: {}", p.join("; ")))
}

/// A model's first email or follow-up.
pub fn draft(
    output: &Value,
    input: &DraftInput,
    cfg: &AgentConfig,
    unsubscribe: &str,
) -> Result<Draft, String> {
    let d: Draft = serde_json::from_value(output.clone())
        .map_err(|e| format!("the draft does not fit its schema: {e}"))?;
    email_shape(&d, 3000)?;
    let tech = format!(
        "tech stack: {}",
        input
            .tech
            .iter()
            .take(3)
            .cloned()
            .collect::<Vec<_>>()
            .join(", ")
    );
    let competitor = input
        .compose
        .competitor
        .as_ref()
        .map(|x| format!("{} — {}", x.source, x.name));
    for c in &d.cited {
        let known = input.facts.contains(c)
            || input.news.contains(c)
            || *c == tech
            || competitor.as_ref() == Some(c)
            || input.knowledge.iter().any(|p| &p.id == c);
        if !known {
            return Err(format!("cites {c:?}, which is not in the lead's research"));
        }
    }
    let reference = [
        input.first_name.as_str(),
        &input.company,
        &input.title,
        &input.tech.join(" "),
        &input.facts.join("\n"),
        &input.news.join("\n"),
        &input.seller_company,
        &input.product,
        &input.value_propositions.join("\n"),
        &input.signature,
        input.previous_subject.as_deref().unwrap_or(""),
        &cfg.agent.name,
        &cfg.agent.email,
        &cfg.company
            .products
            .iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>()
            .join(" "),
        // What the config chose for this lead, and the language's phrase set.
        &serde_json::to_string(&input.compose).unwrap_or_default(),
        &serde_json::to_string(&input.compose.phrases()).unwrap_or_default(),
        // The outreach knowledge the writer was given.
        &input
            .knowledge
            .iter()
            .map(|p| format!("{}\n{}", p.heading, p.text))
            .collect::<Vec<_>>()
            .join("\n"),
    ]
    .join("\n");
    recipients(&d, &reference)?;
    // Numbers in a draft are left to the guardrails (prices and percentages): a draft may
    // propose a short call.
    let terms = named_terms(&format!("{}\n{}", d.subject, d.body), false);
    if let Some(t) = unsupported(&terms, &reference) {
        return Err(format!(
            "states {t:?}, which neither the lead's data nor the seller's reference has"
        ));
    }
    guardrails(&d, cfg, unsubscribe, &d.cited)?;
    Ok(d)
}

/// A model's answer to a lead's questions: grounded in the passages it cites.
pub fn answer(
    output: &Value,
    input: &AnswerInput,
    cfg: &AgentConfig,
    unsubscribe: &str,
) -> Result<Draft, String> {
    let mut d: Draft = serde_json::from_value(output.clone())
        .map_err(|e| format!("the answer does not fit its schema: {e}"))?;
    // The subject keeps the thread: code sets it.
    d.subject = outreach::reply_subject(&input.subject);
    email_shape(&d, 6000)?;
    if d.cited.is_empty() {
        return Err("cites no passage".into());
    }
    let mut cited_text = String::new();
    for c in &d.cited {
        match input.passages.iter().find(|p| &p.id == c) {
            Some(p) => {
                cited_text.push_str(&p.heading);
                cited_text.push('\n');
                cited_text.push_str(&p.text);
                cited_text.push('\n');
            }
            None => return Err(format!("cites {c:?}, which is not a retrieved passage")),
        }
    }
    for amount in outreach::money(&d.body) {
        if !cited_text.contains(&amount) {
            return Err(format!("states {amount}, which no cited passage does"));
        }
    }
    for link in outreach::links(&d.body) {
        if !cited_text.contains(&link) {
            return Err(format!("links to {link}, which no cited passage does"));
        }
    }
    let people = [
        input.first_name.as_str(),
        &input.seller_company,
        &input.signature,
        input.next_question.as_deref().unwrap_or(""),
        &input.subject,
        &cfg.agent.name,
        &cfg.agent.email,
        // The answer's language's phrase set (greeting, intro, competitor lead-in).
        &serde_json::to_string(&input.phrases).unwrap_or_default(),
    ]
    .join("\n");
    recipients(&d, &format!("{people}\n{cited_text}"))?;
    let terms = named_terms(&d.body, true);
    if let Some(t) = unsupported(
        &terms,
        &format!("{people}\n{cited_text}\n{}", input.question),
    ) {
        return Err(format!(
            "states {t:?}, which no cited passage (nor the lead's message) has"
        ));
    }
    guardrails(&d, cfg, unsubscribe, &[])?;
    Ok(d)
}

/// A model's handover summary.
pub fn summary(output: &Value) -> Result<String, String> {
    let s = output
        .get("summary")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or("the summary is empty")?;
    if s.chars().count() > 3000 {
        return Err("the summary is longer than 3000 characters".into());
    }
    plain_text(s).map_err(|e| format!("the summary {e}"))?;
    Ok(s.to_string())
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What a model's research answer left after the checks.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CheckedResearch {
    /// The facts that quote, word for word, a page they were given.
    pub facts: Vec<Fact>,
    /// Why each other fact was dropped, for the run record.
    pub dropped: Vec<String>,
    /// The model said a page holds text aimed at AI agents.
    pub injection: bool,
}

/// The numbers written in `s` (digits only, separators dropped): `12`, `1500`, `2024`.
fn numbers(s: &str) -> Vec<String> {
    s.split(|c: char| !(c.is_ascii_digit() || c == ',' || c == '.'))
        .map(|w| w.chars().filter(char::is_ascii_digit).collect::<String>())
        .filter(|w| !w.is_empty())
        .collect()
}

/// One fact: its quote is on the page it names, and its text claims no number, link or
/// address the quote does not hold, nor speaks to AI agents.
fn quoted_fact(text: &str, source: &str, quote: &str, pages: &[PageText]) -> Result<Fact, String> {
    let page = pages
        .iter()
        .find(|p| p.url == source)
        .ok_or_else(|| format!("it names {source:?}, a page it was not given"))?;
    let quote = squash(quote);
    if quote.chars().count() < 8 {
        return Err(format!("its quote {quote:?} is too short to check"));
    }
    if !squash(&page.text)
        .to_lowercase()
        .contains(&quote.to_lowercase())
    {
        return Err(format!(
            "its quote {quote:?} is not in the text of {source}"
        ));
    }
    let text = text.trim();
    if text.is_empty() {
        return Err("it is empty".into());
    }
    plain_text(text)?;
    if crate::text::injection::is_injection(text) || crate::text::injection::is_injection(&quote) {
        return Err("it repeats text aimed at AI agents".into());
    }
    let in_quote = numbers(&quote);
    if let Some(n) = numbers(text).into_iter().find(|n| !in_quote.contains(n)) {
        return Err(format!("it states {n}, which its quote does not"));
    }
    let lower_quote = quote.to_lowercase();
    for a in addresses(text) {
        if !lower_quote.contains(&a.to_lowercase()) {
            return Err(format!("it names {a}, which its quote does not"));
        }
    }
    if text.contains("://") || text.to_lowercase().contains("www.") {
        return Err("it contains a link".into());
    }
    Ok(Fact {
        text: text.to_string(),
        source: source.to_string(),
    })
}

/// A model's research facts: each must quote, word for word (spacing and case aside), a page
/// it was given; the facts that do not are dropped, each with its reason. An answer outside
/// the schema is refused whole.
pub fn research(output: &Value, pages: &[PageText]) -> Result<CheckedResearch, String> {
    #[derive(Deserialize)]
    struct Quoted {
        text: String,
        source: String,
        quote: String,
    }
    #[derive(Deserialize)]
    struct Facts {
        facts: Vec<Quoted>,
        #[serde(default)]
        injection: bool,
    }
    let f: Facts = serde_json::from_value(output.clone())
        .map_err(|e| format!("the research does not fit its schema: {e}"))?;
    let mut out = CheckedResearch {
        injection: f.injection,
        ..Default::default()
    };
    for q in f.facts {
        match quoted_fact(&q.text, &q.source, &q.quote, pages) {
            Ok(fact) => {
                if !out.facts.iter().any(|f| f.text == fact.text) {
                    out.facts.push(fact);
                }
            }
            Err(why) => out.dropped.push(format!(
                "research: a model fact was dropped ({why}): {:?}",
                crate::text::truncate_bytes(q.text.trim(), 160)
            )),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_terms_are_capitals_inside_sentences_acronyms_and_numbers() {
        let t = named_terms(
            "Hi Sam,\n\nYes, we are SOC 2 certified and work with Looker. Thanks!",
            true,
        );
        assert_eq!(t, ["Sam", "SOC", "Looker"]);
        assert_eq!(named_terms("Plans start at 1500 a month.", true), ["1500"]);
        assert!(named_terms("A 20-minute call?", false).is_empty());
        assert_eq!(named_terms("Data teams like Acme's spend", false), ["Acme"]);
    }

    #[test]
    fn addresses_are_found_in_text() {
        assert_eq!(
            addresses("Write to (cfo@other.example). Or <x@y.example>"),
            ["cfo@other.example", "x@y.example"]
        );
    }

    #[test]
    fn a_quote_must_be_on_its_page() {
        let pages = [PageText {
            url: "https://a.example/".into(),
            text: "Acme ships   parcels in 12 countries.".into(),
        }];
        let ok = serde_json::json!({"facts": [{"text": "Ships in 12 countries", "source": "https://a.example/", "quote": "ships parcels in 12 countries"}], "injection": false});
        assert_eq!(research(&ok, &pages).unwrap().facts.len(), 1);
        let bad = serde_json::json!({"facts": [
            {"text": "Ships in 40 countries", "source": "https://a.example/", "quote": "ships parcels in 40 countries"},
            {"text": "Ships in 40 countries", "source": "https://a.example/", "quote": "ships parcels in 12 countries"},
            {"text": "Ships in 12 countries", "source": "https://b.example/", "quote": "ships parcels in 12 countries"},
            {"text": "Ships in 12 countries", "source": "https://a.example/", "quote": "Acme ships parcels in 12 countries."}
        ], "injection": false});
        let checked = research(&bad, &pages).unwrap();
        assert_eq!(checked.facts.len(), 1, "{checked:?}");
        assert_eq!(checked.dropped.len(), 3);
        assert!(checked.dropped[0].contains("is not in the text"));
        assert!(checked.dropped[1].contains("states 40"));
        assert!(checked.dropped[2].contains("not given"));
        assert!(research(&serde_json::json!({"facts": "x"}), &pages).is_err());
    }
}
