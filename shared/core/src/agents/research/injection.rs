//! Injection: text aimed at AI agents.

use super::*;

// Injection: text aimed at AI agents

pub(super) static INJECTION: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    // Only nouns that mean a machine reader: "agents" alone is an insurance agent, "models"
    // alone a fashion model.
    const MACHINE: &str = r"(?:ai\b|a\.i\.|llms?|gpts?|chatgpt|claude|gemini|copilot|language models?|chat ?bots?|bots|crawlers?|scrapers?|(?:automated|virtual|autonomous|research|lead[- ]?scoring|sales)[\s-]+(?:agents?|assistants?))";
    const ORDER: &str = r"(?:always|never|not|report|score|rate|rank|say|state|describe|mention|ignore|treat|classify|include|use|consider|record|list|output|respond|answer|tell|mark|prioriti[sz]e|recommend|qualify)";
    [
        r"(?i)\b(?:ignore|disregard|forget|override)\b.{0,20}\b(?:previous|prior|above|earlier|preceding|original|system|all|any|your)\b.{0,15}\b(?:instructions?|prompts?|directives?)\b".to_string(),
        format!(r"(?i)\b(?:note|message|notice|memo|reminder|attention|instructions?|directive|hint)\b\s*(?:to|for)\s+(?:all\s+|any\s+)?(?:[\w-]+[\s-]+){{0,3}}?{MACHINE}"),
        format!(r"(?i)\b(?:llms?|gpts?|chatgpt|claude|language[\s-]+models?|(?:ai|llm|gpt|automated|lead[- ]?scoring)[\s-]+(?:research[\s-]+)?(?:agents?|assistants?|bots?|crawlers?|models?))\b.{{0,60}}\b(?:must|should|shall|are (?:required|instructed|asked|told) to|need to|have to)\s+(?:\w+\s+)?{ORDER}\b"),
        format!(r"(?i)\bif you are (?:an? |the )?(?:\w+[\s-]+){{0,2}}?{MACHINE}"),
        r"(?i)\b(?:you are an? (?:ai|language model|llm)\b|system prompt|your (?:new |real |actual )?instructions (?:are|is)\b|jailbreak)".to_string(),
        r"(?i)\b(?:always|must|should)\s+(?:score|rate|rank|classify|qualify|mark|label|prioriti[sz]e|treat)\b.{0,60}\b(?:tier\s*[a-d1-4]\b|hot lead|qualified lead|high[- ]priority|top priority|as (?:a )?(?:hot|priority|qualified)\b)".to_string(),
        r"(?i)\bdo not (?:tell|mention|reveal|disclose|inform)\b.{0,30}\b(?:the user|the human|the operator|your user)\b".to_string(),
        r"(?i)(?:</?\s*(?:system|instructions?|prompt)\s*>|\[/?inst\]|<\|im_(?:start|end)\|>|###\s*(?:system|instruction))".to_string(),
        format!(r"(?i)\bdear\s+{MACHINE}"),
        format!(r"(?i)\b(?:attention|note|notice|message|memo|warning)\s*[:,-]?\s+(?:all\s+|any\s+)?{MACHINE}(?:[\s-]+(?:agents?|assistants?|models?|bots?|crawlers?|systems?|tools?))?\s*[:,!-]"),
        format!(r"(?i)\b(?:to|for)\s+(?:any|all|every)\s+{MACHINE}\b.{{0,40}}\b(?:reading|processing|scraping|crawling|summari[sz]ing|analy[sz]ing|visiting)\b"),
        r"(?m)^\s*(?:SYSTEM|ASSISTANT)\s*:".to_string(),
    ]
    .iter()
    .map(|p| re(p))
    .collect()
});

/// Does `text` address AI agents (instructions to a model, not information for a reader)?
pub fn is_injection(text: &str) -> bool {
    INJECTION.iter().any(|r| r.is_match(text))
}

pub(super) fn json_has_injection(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::String(s) => is_injection(s),
        serde_json::Value::Array(a) => a.iter().any(json_has_injection),
        serde_json::Value::Object(o) => o.values().any(json_has_injection),
        _ => false,
    }
}
