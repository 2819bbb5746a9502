//! The agent's generic phrasing, per language: greetings, transitions, closings, BANT
//! questions, the opt-out confirmation. The sets ship as data files
//! (`shared/core/lang/<code>/phrases.toml`) and name no seller: `{placeholders}` are filled
//! from the workspace. A workspace overrides any phrase in `[phrases.<code>]` of its
//! `sqa.toml`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One language's phrase set. Every field is a template with `{placeholders}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Phrases {
    pub greeting: String,
    pub greeting_anonymous: String,
    pub your_team: String,
    pub list_and: String,
    pub hook_news: String,
    pub hook_fact: String,
    pub hook_tech: String,
    pub hook_none: String,
    pub pain: String,
    pub value: String,
    pub proof: String,
    pub competitor: String,
    pub call_to_action: String,
    pub calendar: String,
    pub opt_out: String,
    pub subject_first: String,
    pub subject_first_topic: String,
    pub follow_up: String,
    pub follow_up_close: String,
    pub answer_intro: String,
    pub answer_competitor: String,
    /// Said in an answer that leaves some of the lead's questions to a person.
    pub answer_open: String,
    pub bant_need: String,
    pub bant_timeline: String,
    pub bant_authority: String,
    pub bant_budget: String,
    pub opt_out_confirmation: String,
    /// The footer's unsubscribe line.
    pub unsubscribe: String,
}

/// The languages a phrase set ships for (ISO 639-1).
pub const LANGUAGES: &[&str] = &["en", "de", "fr", "es", "nl", "it", "pt"];

/// The default language: the one every other falls back to.
pub const DEFAULT_LANGUAGE: &str = "en";

fn shipped_text(lang: &str) -> Option<&'static str> {
    Some(match lang {
        "en" => include_str!("../../lang/en/phrases.toml"),
        "de" => include_str!("../../lang/de/phrases.toml"),
        "fr" => include_str!("../../lang/fr/phrases.toml"),
        "es" => include_str!("../../lang/es/phrases.toml"),
        "nl" => include_str!("../../lang/nl/phrases.toml"),
        "it" => include_str!("../../lang/it/phrases.toml"),
        "pt" => include_str!("../../lang/pt/phrases.toml"),
        _ => return None,
    })
}

/// The phrase keys (what `[phrases.<code>]` may set).
pub fn keys() -> Vec<String> {
    match serde_json::to_value(shipped(DEFAULT_LANGUAGE)) {
        Ok(serde_json::Value::Object(m)) => m.keys().cloned().collect(),
        _ => Vec::new(),
    }
}

/// The shipped phrase set of `lang` (`en` for a language without one). The files are
/// checked by a test; a broken one falls back to English, whose parse is tested too.
pub fn shipped(lang: &str) -> Phrases {
    let parse = |t: &str| toml::from_str::<Phrases>(t).ok();
    shipped_text(lang)
        .and_then(parse)
        .or_else(|| shipped_text(DEFAULT_LANGUAGE).and_then(parse))
        .unwrap_or_else(empty)
}

fn empty() -> Phrases {
    Phrases {
        greeting: "{first_name},".into(),
        greeting_anonymous: String::new(),
        your_team: String::new(),
        list_and: "&".into(),
        hook_news: "{fact}.".into(),
        hook_fact: "{fact}.".into(),
        hook_tech: "{tech}".into(),
        hook_none: String::new(),
        pain: "{pain_point}".into(),
        value: "{product}: {value}".into(),
        proof: "{proof_point}".into(),
        competitor: "{competitor}: {point}".into(),
        call_to_action: String::new(),
        calendar: "{calendar_link}".into(),
        opt_out: String::new(),
        subject_first: "{company} + {seller}".into(),
        subject_first_topic: "{company} + {seller}: {topic}".into(),
        follow_up: String::new(),
        follow_up_close: String::new(),
        answer_intro: String::new(),
        answer_competitor: "{competitor}:".into(),
        answer_open: String::new(),
        bant_need: String::new(),
        bant_timeline: String::new(),
        bant_authority: String::new(),
        bant_budget: String::new(),
        opt_out_confirmation: String::new(),
        unsubscribe: "{unsubscribe_url}".into(),
    }
}

/// The language code a text names, normalised (`"DE"`, `"de-AT"` → `de`); the default
/// language for one without a phrase set.
pub fn normalise(lang: &str) -> String {
    let code = lang
        .trim()
        .split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    if LANGUAGES.contains(&code.as_str()) {
        code
    } else {
        DEFAULT_LANGUAGE.to_string()
    }
}

/// The phrase set of `lang` with the workspace's overrides (`[phrases.<code>]`) applied.
pub fn resolve(lang: &str, overrides: &BTreeMap<String, BTreeMap<String, String>>) -> Phrases {
    let lang = normalise(lang);
    let base = shipped(&lang);
    let Some(over) = overrides.get(&lang).filter(|o| !o.is_empty()) else {
        return base;
    };
    let Ok(serde_json::Value::Object(mut map)) = serde_json::to_value(&base) else {
        return base;
    };
    for (k, v) in over {
        if map.contains_key(k) {
            map.insert(k.clone(), serde_json::Value::String(v.clone()));
        }
    }
    serde_json::from_value(serde_json::Value::Object(map)).unwrap_or(base)
}

/// Fill `{name}` placeholders from `values`; an unknown placeholder is left as written (the
/// config check reports it before anything is sent).
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end) if is_name(&after[..end]) => {
                let name = &after[..end];
                match values.iter().find(|(k, _)| *k == name) {
                    Some((_, v)) => out.push_str(v),
                    None => out.push_str(&rest[start..start + end + 2]),
                }
                rest = &after[end + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn is_name(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_lowercase() || c == '_')
}

/// The `{placeholders}` a template uses, in order of first use.
pub fn placeholders(template: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end) if is_name(&after[..end]) => {
                let name = after[..end].to_string();
                if !out.contains(&name) {
                    out.push(name);
                }
                rest = &after[end + 1..];
            }
            _ => rest = after,
        }
    }
    out
}

/// Frequent short words per language, enough to tell which one a sentence is in.
const MARKERS: &[(&str, &[&str])] = &[
    (
        "en",
        &[
            "the", "and", "of", "to", "is", "for", "with", "new", "our", "in", "on", "a",
        ],
    ),
    (
        "de",
        &[
            "der", "die", "das", "und", "ist", "für", "mit", "neue", "neuer", "im", "ein", "eine",
            "auf", "zu",
        ],
    ),
    (
        "fr",
        &[
            "le", "la", "les", "et", "est", "pour", "avec", "nouveau", "nouvelle", "des", "du",
            "une", "au",
        ],
    ),
    (
        "es",
        &[
            "el", "la", "los", "las", "y", "es", "para", "con", "nuevo", "nueva", "del", "una",
            "en",
        ],
    ),
    (
        "nl",
        &[
            "de", "het", "een", "en", "is", "voor", "met", "nieuwe", "van", "op", "naar",
        ],
    ),
    (
        "it",
        &[
            "il", "lo", "la", "gli", "e", "è", "per", "con", "nuovo", "nuova", "del", "della",
            "una",
        ],
    ),
    (
        "pt",
        &[
            "o", "a", "os", "as", "e", "é", "para", "com", "novo", "nova", "do", "da", "uma", "em",
        ],
    ),
];

/// The language a short text (a fact, a headline) is most likely in, when its words say so;
/// `None` when they do not tell.
pub fn guess_language(text: &str) -> Option<&'static str> {
    let words: Vec<String> = text
        .to_lowercase()
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    let mut best: Option<(&'static str, usize)> = None;
    let mut tie = false;
    for (lang, markers) in MARKERS {
        let n = words
            .iter()
            .filter(|w| markers.contains(&w.as_str()))
            .count();
        match best {
            Some((_, b)) if n == b => tie = true,
            Some((_, b)) if n < b => {}
            _ => {
                best = Some((lang, n));
                tie = false;
            }
        }
    }
    match best {
        Some((lang, n)) if n > 0 && !tie => Some(lang),
        _ => None,
    }
}

/// `a`, `a and b`, `a, b and c` in the phrase set's language.
pub fn list(items: &[String], and: &str) -> String {
    match items {
        [] => String::new(),
        [a] => a.clone(),
        [rest @ .., last] => format!("{} {and} {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_language_parses_and_has_every_phrase() {
        for lang in LANGUAGES {
            let text = shipped_text(lang).unwrap();
            let p: Phrases = toml::from_str(text).unwrap_or_else(|e| panic!("{lang}: {e}"));
            let v = serde_json::to_value(&p).unwrap();
            for (k, s) in v.as_object().unwrap() {
                assert!(
                    !s.as_str().unwrap().trim().is_empty(),
                    "{lang}.{k} is empty"
                );
            }
            // The same placeholders in every language as in English, phrase by phrase.
            let en = serde_json::to_value(shipped("en")).unwrap();
            for (k, s) in v.as_object().unwrap() {
                let mut mine = placeholders(s.as_str().unwrap());
                let mut theirs = placeholders(en[k].as_str().unwrap());
                mine.retain(|p| p != "value_lc" && p != "value");
                theirs.retain(|p| p != "value_lc" && p != "value");
                assert_eq!(mine, theirs, "{lang}.{k}");
            }
        }
    }

    #[test]
    fn the_language_of_a_headline_is_guessed_from_its_small_words() {
        assert_eq!(
            guess_language("Werk Wrocław erweitert: 120 neue Arbeitsplätze für die Region"),
            Some("de")
        );
        assert_eq!(guess_language("Opened a new office in Lisbon"), Some("en"));
        assert_eq!(guess_language("Acme 2026"), None);
    }

    #[test]
    fn overrides_replace_single_phrases_and_unknown_languages_fall_back() {
        let mut o = BTreeMap::new();
        o.insert(
            "de".to_string(),
            BTreeMap::from([("greeting".to_string(), "Moin {first_name},".to_string())]),
        );
        assert_eq!(resolve("DE-at", &o).greeting, "Moin {first_name},");
        assert_eq!(resolve("de", &o).bant_budget, shipped("de").bant_budget);
        assert_eq!(resolve("xx", &o), shipped("en"));
        assert_eq!(
            fill("Hi {first_name}, {x} {y", &[("first_name", "Jo")]),
            "Hi Jo, {x} {y"
        );
        assert_eq!(placeholders("{a} {b} {a} {C}"), ["a", "b"]);
    }
}
